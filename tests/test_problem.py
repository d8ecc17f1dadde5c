"""The Problem base class (lrlab/problem.py): the finite-difference fallbacks of hvp and hessian."""

import numpy as np
from bits import assert_same_bits

from lrlab import Problem
from lrlab.problem import dot_last, mean_last


def test_finite_difference_hvp_and_hessian_fallback_are_accurate():
    class Rosen(Problem):   # only loss and gradient: hvp and hessian use the fallbacks
        name, dim, x0 = "rosen", 2, np.array([-1.2, 1.0])

        def _loss(self, t, batch):
            return (1 - t[..., 0]) ** 2 + 100 * (t[..., 1] - t[..., 0] ** 2) ** 2

        def _grad(self, t, batch):
            x, y = t[..., 0], t[..., 1]
            return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], -1)

    th = np.array([[-1.2, 1.0], [0.3, 0.7], [30.0, -4.0]])
    x, y = th[:, 0], th[:, 1]
    exact = np.stack([np.stack([2 - 400 * (y - 3 * x * x), -400 * x], -1),
                      np.stack([-400 * x, np.full_like(x, 200.0)], -1)], -2)
    scale = np.abs(exact).max(axis=(-1, -2), keepdims=True)
    assert np.max(np.abs(Rosen().hessian(th) - exact) / scale) < 1e-7
    v = np.array([0.3, -2.0])
    np.testing.assert_allclose(Rosen().hvp(th, v), exact @ v, rtol=1e-7, atol=1e-7 * scale.max())
    np.testing.assert_array_equal(Rosen().hvp(th, np.zeros(2)), np.zeros((3, 2)))


def test_default_hessian_is_symmetric():
    class Quartic(Problem):  # no _hessian: the default goes through finite differences
        name, dim, x0 = "quartic", 3, np.ones(3)

        def _loss(self, theta, batch):
            return np.sum(theta**4, axis=-1) + theta[..., 0] * theta[..., 1] * theta[..., 2]

        def _grad(self, theta, batch):
            x, y, z = theta[..., 0], theta[..., 1], theta[..., 2]
            return 4 * theta**3 + np.stack([y * z, x * z, x * y], axis=-1)

    H = Quartic().hessian(np.array([1.5, -2.0, 0.7]))
    np.testing.assert_array_equal(H, H.T)


# ------------------------------------------- dot_last, mean_last: numpy's own bits
def test_the_mean_is_np_means_bits_on_awkward_sums():
    rng = np.random.default_rng(3)
    for n in (1, 2, 3, 7, 8, 9, 127, 128, 129, 300, 1001):
        v = rng.standard_normal((4, n)) * 10.0 ** rng.integers(-8, 8, (4, n))
        assert_same_bits(mean_last(v), np.mean(v, axis=-1))
        assert_same_bits(mean_last(v[1]), np.mean(v[1], axis=-1))
        assert_same_bits(mean_last(v[:, ::2]), np.mean(v[:, ::2], axis=-1))   # strided rows


def test_the_dot_is_einsums_bits():
    rng = np.random.default_rng(4)
    for shape in ((5,), (3, 41), (2, 3, 129)):
        a, b = rng.standard_normal(shape), rng.standard_normal(shape)
        assert_same_bits(dot_last(a, b), np.einsum("...i,...i->...", a, b))
