"""Tests of lrlab.surfaces: derivatives against finite differences, metadata
against the Hessian, noise statistics, gradient-descent behaviour, errors."""

from __future__ import annotations

import functools

import numpy as np
import pytest

import lrlab
from lrlab import surfaces as S
from lrlab.problem import Problem
from lrlab.rules import sgd

# Every registered surface with its defaults, plus non-default variants.
CASES = {name: functools.partial(S.get, name) for name in S.SURFACES}
CASES.update({
    "parabola_shifted": lambda: S.parabola(3.0, x0=2.0, center=0.5),
    "quadratic_seeded_3d": lambda: S.quadratic([0.5, 2.0, 7.0], rotation=3,
                                               center=[1.0, -1.0, 2.0]),
    "quadratic_angle": lambda: S.quadratic([1.0, 10.0], rotation=0.7),
    "quadratic_matrix": lambda: S.Quadratic([[3.0, 1.0], [1.0, 2.0]], center=[0.5, 0.5]),
    "ill_conditioned_4d": lambda: S.ill_conditioned(50.0, dim=4, angle=0.3, smoothness=2.0),
    "curve_1d_quartic": lambda: S.curve_1d("quartic", curvature=2.0, width=0.5, center=1.0),
    "curve_1d_log_cosh_wide": lambda: S.curve_1d(curvature=3.0, width=2.0, center=-1.0),
    "double_well_2d": lambda: S.double_well(dim=2, y_curvature=4.0),
    "double_well_100": lambda: S.double_well(100.0, 0.5),
    "rosenbrock_variant": lambda: S.rosenbrock(a=-0.5, b=10.0),
    "rastrigin_3d": lambda: S.rastrigin(dim=3, A=2.0),
    "rastrigin_1d": lambda: S.rastrigin(dim=1),
    "saddle_unbounded": lambda: S.saddle(2.0, 0.5, bounded=False),
    "saddle_steep": lambda: S.saddle(0.5, 3.0),
})
NAMES = sorted(CASES)


@pytest.fixture(params=NAMES)
def surface(request):
    return CASES[request.param]()


def points(f, n, seed=0, shape=None, widen=1.0):
    """``n`` random points inside ``widen`` x the plot window, shape ``(*shape, dim)``."""
    rng = np.random.default_rng(seed)
    lo = np.array([b[0] for b in f.bounds])
    hi = np.array([b[1] for b in f.bounds])
    mid, half = (lo + hi) / 2, widen * (hi - lo) / 2
    shape = (n,) if shape is None else shape
    return mid + half * rng.uniform(-1, 1, size=(*shape, f.dim))


def fd_grad(f, x, h=1e-6):
    """Central differences of the loss, coordinate by coordinate (x of shape (..., dim))."""
    g = np.empty_like(x)
    for j in range(f.dim):
        step = np.zeros(f.dim)
        step[j] = 1.0
        hj = h * (1.0 + np.abs(x[..., j:j + 1]))
        g[..., j] = ((f.loss(x + hj * step) - f.loss(x - hj * step)) / (2 * hj[..., 0]))
    return g


def fd_hessian(f, x, h=1e-6):
    """Central differences of the exact gradient; shape (..., dim, dim)."""
    cols = []
    for j in range(f.dim):
        step = np.zeros(f.dim)
        step[j] = 1.0
        hj = h * (1.0 + np.abs(x[..., j:j + 1]))
        cols.append((f.grad(x + hj * step) - f.grad(x - hj * step)) / (2 * hj))
    return np.stack(cols, axis=-1)


def spectral(H):
    return np.linalg.eigvalsh(H)


# ----------------------------------------------------------------- metadata
def test_every_registered_surface_is_tested_and_builds_without_arguments():
    assert set(S.SURFACES) <= set(CASES)
    for name, factory in S.SURFACES.items():
        f = factory()
        assert isinstance(f, Problem) and isinstance(f, S.Surface), name
        assert f.n_samples is None and f.noise == 0.0


def test_metadata_is_consistent(surface):
    f = surface
    assert isinstance(f.name, str) and f.name
    assert f.formula and f._repr_latex_().startswith("$")
    assert f.x0.shape == (f.dim,) and np.all(np.isfinite(f.x0))
    assert len(f.bounds) == f.dim and all(lo < hi for lo, hi in f.bounds)
    lo, hi = np.array(f.bounds).T
    assert np.all((lo <= f.x0) & (f.x0 <= hi)), "x0 lies in the plot window"
    assert f.minima.ndim == 2 and f.minima.shape[1] == f.dim
    assert np.all((lo <= f.minima) & (f.minima <= hi)), "minima lie in the plot window"
    assert f.smoothness is None or f.smoothness > 0
    assert f.strong_convexity is None or 0 < f.strong_convexity <= (f.smoothness or np.inf)
    assert repr(f).startswith("<")


# -------------------------------------------------------------- derivatives
@pytest.mark.parametrize("shape", [(5,), (3,), (2, 3)])
def test_gradient_matches_finite_differences(surface, shape):
    f = surface
    x = points(f, None, seed=len(shape), shape=shape)
    g = f.grad(x)
    assert g.shape == x.shape
    tol = 1e-6 * (1.0 + np.abs(f.loss(x))[..., None] + np.abs(g))
    np.testing.assert_array_less(np.abs(fd_grad(f, x) - g), tol)


@pytest.mark.parametrize("shape", [(5,), (3,), (2, 3)])
def test_hessian_matches_finite_differences_of_the_gradient(surface, shape):
    f = surface
    x = points(f, None, seed=10 + len(shape), shape=shape)
    H = f.hessian(x)
    assert H.shape == (*shape, f.dim, f.dim)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2), rtol=0, atol=1e-12)
    scale = 1.0 + np.abs(f.grad(x))[..., None] + np.abs(H)
    np.testing.assert_array_less(np.abs(fd_hessian(f, x) - H), 1e-5 * scale)


def test_hvp_equals_hessian_times_vector(surface):
    f = surface
    x = points(f, None, seed=3, shape=(2, 3))
    v = np.random.default_rng(4).standard_normal(x.shape)
    expected = np.einsum("...ij,...j->...i", f.hessian(x), v)
    np.testing.assert_allclose(f.hvp(x, v), expected, rtol=1e-12, atol=1e-12)
    # one direction for all runs broadcasts too
    np.testing.assert_allclose(f.hvp(x, v[0, 0]),
                               np.einsum("...ij,j->...i", f.hessian(x), v[0, 0]), rtol=1e-12)


def test_batched_evaluation_equals_looping(surface):
    f = surface
    x = points(f, None, seed=5, shape=(2, 3))
    loss, g = f.loss(x), f.grad(x)
    both = f.loss_and_grad(x)
    H = f.hessian(x)
    assert loss.shape == (2, 3)
    for i in range(2):
        for j in range(3):
            assert loss[i, j] == pytest.approx(float(f.loss(x[i, j])), rel=1e-14, abs=1e-14)
            np.testing.assert_allclose(g[i, j], f.grad(x[i, j]), rtol=1e-14, atol=1e-14)
            np.testing.assert_allclose(H[i, j], f.hessian(x[i, j]), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(both[0], loss, rtol=1e-14)
    np.testing.assert_allclose(both[1], g, rtol=1e-14)


# ------------------------------------------------------------------- minima
def test_minima_are_stationary_with_value_f_star_and_positive_curvature(surface):
    f = surface
    for m in f.minima:
        g = f.grad(m)
        assert np.linalg.norm(g) <= 1e-8 * (1.0 + np.linalg.norm(m)), (m, g)
        if f.f_star is not None:
            assert float(f.loss(m)) == pytest.approx(f.f_star, abs=1e-12)
        assert spectral(f.hessian(m)).min() > 1e-6
    if f.f_star is not None:
        assert len(f.minima) >= 1
        values = f.loss(points(f, 4000, seed=6, widen=1.5))
        assert values.min() >= f.f_star - 1e-12, "f_star is a lower bound"


def test_smoothness_bounds_the_hessian_and_is_attained(surface):
    f = surface
    if f.smoothness is None:
        pytest.skip(f"{f.name} has no global smoothness constant")
    x = np.concatenate([points(f, 3000, seed=7, widen=3.0), f.minima])
    eig = spectral(f.hessian(x))
    top = np.abs(eig).max(axis=-1)
    assert top.max() <= f.smoothness * (1 + 1e-9)
    assert top.max() >= f.smoothness * (1 - 1e-9), "L is the best constant"
    if f.strong_convexity is not None:
        assert eig.min() >= f.strong_convexity * (1 - 1e-9)


def test_strong_convexity_lower_bounds_the_hessian(surface):
    f = surface
    if f.strong_convexity is None:
        pytest.skip(f"{f.name} is not strongly convex")
    eig = spectral(f.hessian(points(f, 3000, seed=8, widen=3.0)))
    assert eig.min() >= f.strong_convexity * (1 - 1e-9)


@pytest.mark.parametrize("factory", [S.quadratic, S.ill_conditioned, S.parabola])
def test_quadratics_attain_L_and_mu_everywhere(factory):
    f = factory()
    eig = spectral(f.hessian(points(f, 20, seed=9)))
    np.testing.assert_allclose(eig.max(axis=-1), f.smoothness, rtol=1e-12)
    np.testing.assert_allclose(eig.min(axis=-1), f.strong_convexity, rtol=1e-12)
    assert f.f_star == 0.0


# -------------------------------------------------------------- closed forms
def test_known_values():
    assert float(S.rosenbrock().loss([-1.2, 1.0])) == pytest.approx(24.2)
    assert float(S.beale().loss([0.0, 0.0])) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    assert float(S.himmelblau().loss([0.0, 0.0])) == pytest.approx(170.0)
    assert float(S.rastrigin(dim=1).loss([0.5])) == pytest.approx(20.25)
    assert float(S.saddle().loss([0.0, 1.0])) == pytest.approx(-0.25)
    assert float(S.curve_1d(width=2.0).loss([2.0])) == pytest.approx(4 * np.log(np.cosh(1.0)))
    assert float(S.curve_1d("quartic").loss([2.0])) == pytest.approx(2.0 + 4.0)
    assert S.rastrigin(A=3.0).smoothness == pytest.approx(2 + 12 * np.pi**2)
    assert S.saddle(2.0, 0.5, bounded=False).smoothness == 2.0


def test_quadratic_eigen_structure_and_rotations():
    f = S.quadratic([0.5, 2.0, 7.0], rotation=11, center=[1.0, 2.0, 3.0])
    np.testing.assert_allclose(np.linalg.eigvalsh(f.A), [0.5, 2.0, 7.0], rtol=1e-12)
    Q = f.eigenvectors
    np.testing.assert_allclose(Q.T @ Q, np.eye(3), atol=1e-12)
    assert np.linalg.det(Q) == pytest.approx(1.0), "a rotation, not a reflection"
    np.testing.assert_allclose(f.x0, f.center + Q @ np.ones(3))
    assert f.condition_number == pytest.approx(14.0)
    # same seed, same matrix; another seed, another one; a Generator works too
    np.testing.assert_array_equal(S.quadratic([1.0, 3.0], rotation=11).A,
                                  S.quadratic([1.0, 3.0], rotation=11).A)
    assert not np.allclose(S.quadratic([1.0, 3.0], rotation=1).A,
                           S.quadratic([1.0, 3.0], rotation=2).A)
    S.quadratic([1.0, 3.0], rotation=np.random.default_rng(0))
    # an angle of pi/2 swaps the axes; the matrix itself is accepted
    np.testing.assert_allclose(S.quadratic([1.0, 4.0], rotation=np.pi / 2).A,
                               np.diag([4.0, 1.0]), atol=1e-12)
    R = S.quadratic([1.0, 4.0], rotation=0.3).eigenvectors
    np.testing.assert_allclose(S.quadratic([1.0, 4.0], rotation=R).A,
                               S.quadratic([1.0, 4.0], rotation=0.3).A)
    assert S.quadratic([1.0, 10.0]).x0.tolist() == [1.0, 1.0]  # the trainer's doctest start


def test_ill_conditioned_spectrum():
    f = S.ill_conditioned(1000.0, dim=4, smoothness=2.0)
    np.testing.assert_allclose(f.eigenvalues, 2.0 * np.array([1e-3, 1e-2, 1e-1, 1.0]))
    assert f.condition_number == pytest.approx(1000.0)
    g = S.ill_conditioned(4.0, angle=0.0)
    np.testing.assert_allclose(g.A, np.diag([0.25, 1.0]), atol=1e-15)
    assert S.ill_conditioned(1.0).condition_number == 1.0


def test_parabola_accepts_a_scalar_start():
    f = S.parabola(2.0, 3.0, center=1.0)
    assert f.x0.tolist() == [3.0] and f.minima.tolist() == [[1.0]]
    assert float(f.loss(f.x0)) == pytest.approx(4.0)


# -------------------------------------------------------------- double well
@pytest.mark.parametrize("kwargs", [{}, {"dim": 2, "y_curvature": 4.0},
                                    {"sharp_curvature": 100.0, "flat_curvature": 0.5}])
def test_double_well_has_equal_depths_and_the_promised_curvatures(kwargs):
    f = S.double_well(**kwargs)
    sharp, flat = f.minima
    ks, kf = f.curvatures
    assert ks / kf >= 20
    assert float(f.loss(sharp)) == float(f.loss(flat)) == f.f_star == 0.0
    np.testing.assert_allclose(f.hessian(sharp)[0, 0], ks, rtol=1e-12)
    np.testing.assert_allclose(f.hessian(flat)[0, 0], kf, rtol=1e-12)
    for m, k in ((sharp, ks), (flat, kf)):  # and by second differences of the loss itself
        h = 1e-4
        e = np.eye(f.dim)[0] * h
        second = (f.loss(m + e) - 2 * f.loss(m) + f.loss(m - e)) / h**2
        assert second == pytest.approx(k, rel=1e-5)
    # one barrier between the wells, and no other minimum on the line
    x = np.linspace(-3, 3, 60001) + 1.234e-5  # off the grid of the wells
    theta = np.zeros((x.size, f.dim))
    theta[:, 0] = x
    gx = f.grad(theta)[:, 0]
    crossings = x[1:][np.sign(gx[1:]) != np.sign(gx[:-1])]
    assert len(crossings) == 3
    assert float(f.loss(theta[np.argmin(np.abs(x - crossings[1]))])) > 0.5


def test_double_well_default_ratio_is_at_least_20():
    f = S.double_well()
    assert f.curvatures[0] / f.curvatures[1] >= 20
    assert f.dim == 1 and S.double_well(dim=2).dim == 2


def test_large_rate_escapes_the_sharp_well():
    f = S.double_well()
    h = lrlab.train(f, sgd([0.05, 0.5, 1.0]), 2000)
    np.testing.assert_allclose(h.final_params[:, 0], [-1.0, 1.0, 1.0], atol=1e-8)


# -------------------------------------------------------------------- noise
@pytest.mark.parametrize("name", sorted(S.SURFACES))
def test_noise_is_seeded_and_leaves_the_loss_exact(name):
    f = S.get(name, noise=0.5)
    assert f.noise == 0.5
    b1 = f.sample_batch(np.random.default_rng(7), 4)
    b2 = f.sample_batch(np.random.default_rng(7), 4)
    b3 = f.sample_batch(np.random.default_rng(8), 4)
    np.testing.assert_array_equal(f.grad(f.x0, b1), f.grad(f.x0, b2))
    assert not np.allclose(f.grad(f.x0, b1), f.grad(f.x0, b3))
    assert float(f.loss(f.x0, b1)) == float(f.loss(f.x0))
    assert S.get(name).sample_batch(np.random.default_rng(0), 4) is None


@pytest.mark.parametrize("name", sorted(S.SURFACES))
def test_noise_std_scales_as_one_over_sqrt_batch_size(name):
    noise = 0.7
    f = S.get(name, noise=noise)
    exact = f.grad(f.x0)
    rng = np.random.default_rng(12345)
    n = max(2000, 8000 // f.dim)
    for batch_size in (1, 16):
        dev = np.array([f.grad(f.x0, f.sample_batch(rng, batch_size)) - exact
                        for _ in range(n)])
        # n * dim >= 8000 draws: the std estimate has relative sd < 1%; 6% is > 6 sigma.
        assert dev.std() == pytest.approx(noise / np.sqrt(batch_size), rel=0.06)
        assert abs(dev.mean()) < 6 * noise / np.sqrt(batch_size * dev.size)


def test_noisy_training_is_reproducible():
    f = S.rosenbrock(noise=1.0)
    a = lrlab.train(f, sgd(1e-3), 50, seed=3)
    b = lrlab.train(f, sgd(1e-3), 50, seed=3)
    c = lrlab.train(f, sgd(1e-3), 50, seed=4)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.allclose(a.loss, c.loss)


# ------------------------------------------------------------ gradient descent
@pytest.mark.parametrize("factory", [
    lambda: S.quadratic([1.0, 10.0]),
    lambda: S.quadratic([0.3, 1.0, 4.0], rotation=2, center=[1.0, 0.0, -1.0]),
    lambda: S.ill_conditioned(20.0, dim=3),
    lambda: S.parabola(5.0, x0=-2.0),
])
def test_gradient_descent_at_one_over_L_converges_at_the_predicted_rate(factory):
    f = factory()
    T = 60
    h = lrlab.train(f, sgd(1.0 / f.smoothness), T)
    rate = (1 - f.strong_convexity / f.smoothness) ** (2 * T)
    assert h.final_loss <= rate * h.loss[0] * (1 + 1e-9) + 1e-300
    assert h.final_loss < h.loss[0]
    # and the stability limit 2 / L: just below converges, just above diverges
    edge = lrlab.train(f, sgd([0.98 * 2 / f.smoothness, 1.02 * 2 / f.smoothness]), 2000)
    assert edge.final_loss[0] < 1e-8 and edge.diverged[1]


def test_ill_conditioned_slow_direction_dominates():
    f = S.ill_conditioned(50.0, angle=0.4)
    h = lrlab.train(f, sgd(1.0 / f.smoothness), 100)
    # only the flat eigen-direction survives: loss ratio = (1 - 1/kappa)^(2T) exactly
    slow = f.eigenvectors[:, 0] @ (f.x0 - f.center)
    expected = 0.5 * f.strong_convexity * slow**2 * (1 - 1 / 50.0) ** 200
    assert h.final_loss == pytest.approx(expected, rel=1e-9)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("call, exc, match", [
    (lambda: S.ill_conditioned(0.5), ValueError, r"'kappa' parameter of ill_conditioned .*"
     r"\[1, inf\)\. Got 0\.5"),
    (lambda: S.ill_conditioned(10.0, dim=1), ValueError, r"'dim' parameter .* \[2, 1000000000\]"),
    (lambda: S.ill_conditioned(10.0, smoothness=0), ValueError, r"'smoothness'"),
    (lambda: S.quadratic([1.0, 0.0]), ValueError, r"'eigenvalues' parameter of quadratic .*> 0"),
    (lambda: S.quadratic([-1.0, 2.0]), ValueError, r"'eigenvalues'.*Got \[-1\.0, 2\.0\]"),
    (lambda: S.quadratic([]), ValueError, r"'eigenvalues'"),
    (lambda: S.quadratic([[1.0, 2.0]]), ValueError, r"'eigenvalues'.*1-D"),
    (lambda: S.quadratic([1.0, 2.0], rotation=[[1.0, 1.0], [0.0, 1.0]]), ValueError,
     r"'rotation' parameter of quadratic must be an orthogonal \(2, 2\) matrix"),
    (lambda: S.quadratic([1.0, 2.0], rotation=np.eye(3)), ValueError, r"orthogonal \(2, 2\)"),
    (lambda: S.quadratic([1.0, 2.0, 3.0], rotation=0.3), ValueError, r"angle needs dim=2"),
    (lambda: S.quadratic([1.0, 2.0], rotation=-1), ValueError, r"seeds are >= 0"),
    (lambda: S.quadratic([1.0, 2.0], rotation="random"), TypeError,
     r"'rotation' parameter of quadratic must be None, an angle .* an int seed"),
    (lambda: S.quadratic([1.0, 2.0], rotation=True), TypeError, r"'rotation'"),
    (lambda: S.quadratic([1.0, 2.0], x0=[1.0, 2.0, 3.0]), ValueError,
     r"'x0' parameter of quadratic must be a finite array of shape \(2,\)"),
    (lambda: S.quadratic([1.0, 2.0], center=[0.0]), ValueError, r"'center'.*shape \(2,\)"),
    (lambda: S.rosenbrock(x0=[np.nan, 1.0]), ValueError, r"'x0' parameter of rosenbrock"),
    (lambda: S.rosenbrock(x0="far"), TypeError, r"'x0'"),
    (lambda: S.rosenbrock(noise=-1.0), ValueError,
     r"'noise' parameter of rosenbrock must be a finite float in \[0, inf\)\. Got -1\.0"),
    (lambda: S.beale(noise=True), TypeError, r"'noise' parameter of beale"),
    (lambda: S.himmelblau(noise=float("inf")), ValueError, r"'noise'"),
    (lambda: S.rosenbrock(b=0.0), ValueError, r"'b' parameter of rosenbrock .*\(0, inf\)"),
    (lambda: S.rastrigin(dim=0), ValueError, r"'dim' parameter of rastrigin"),
    (lambda: S.rastrigin(dim=2.0), TypeError, r"'dim' parameter of rastrigin must be an int"),
    (lambda: S.rastrigin(A=-1.0), ValueError, r"'A' parameter of rastrigin"),
    (lambda: S.saddle(curvature=0.0), ValueError, r"'curvature' parameter of saddle"),
    (lambda: S.saddle(negative_curvature=-2.0), ValueError, r"'negative_curvature'"),
    (lambda: S.saddle(bounded="yes"), TypeError, r"'bounded' parameter of saddle must be a bool"),
    (lambda: S.double_well(sharp_curvature=0.0), ValueError,
     r"'sharp_curvature' parameter of double_well .*\(0, inf\)\. Got 0\.0"),
    (lambda: S.double_well(flat_curvature=-1.0), ValueError, r"'flat_curvature'"),
    (lambda: S.double_well(dim=3), ValueError, r"'dim' parameter of double_well .*\[1, 2\]"),
    (lambda: S.double_well(y_curvature=0.0), ValueError, r"'y_curvature'"),
    (lambda: S.double_well(x0=[0.0, 0.0]), ValueError, r"'x0'.*shape \(1,\) or a float"),
    (lambda: S.curve_1d("cubic"), ValueError,
     r"'kind' parameter of curve_1d must be one of 'log_cosh', 'quartic'\. Got 'cubic'"),
    (lambda: S.curve_1d(width=0.0), ValueError, r"'width'"),
    (lambda: S.curve_1d(curvature=-1.0), ValueError, r"'curvature' parameter of curve_1d"),
    (lambda: S.parabola(curvature=-1.0), ValueError, r"'curvature' parameter of parabola"),
    (lambda: S.parabola(x0=[1.0, 2.0]), ValueError, r"'x0' parameter of parabola"),
    (lambda: S.Quadratic([[1.0, 2.0], [0.0, 1.0]]), ValueError,
     r"'A' parameter of Quadratic must be a symmetric matrix"),
    (lambda: S.Quadratic([[1.0, 0.0], [0.0, -1.0]]), ValueError,
     r"positive definite \(its smallest eigenvalue is -1\)"),
    (lambda: S.Quadratic([[1.0, 0.0], [0.0, 0.0]]), ValueError, r"positive definite"),
    (lambda: S.Quadratic([[1.0, 2.0, 3.0]]), ValueError, r"square matrix"),
    (lambda: S.Quadratic(np.eye(2), name=""), ValueError, r"'name' parameter of Quadratic"),
    (lambda: S.get("banana"), ValueError,
     r"'name' parameter of lrlab.surfaces.get must be one of 'parabola', .*'saddle'\. "
     r"Got 'banana'"),
    (lambda: S.get("rosenbrock", c=3), TypeError, r"unexpected keyword argument 'c'"),
    (lambda: S.rosenbrock().loss([1.0, 2.0, 3.0]), ValueError,
     r"'theta' parameter of Rosenbrock\.loss must be an array of shape \(\.\.\., 2\)"),
    (lambda: S.rosenbrock().hvp([1.0, 2.0], [1.0]), ValueError, r"'v' parameter"),
])
def test_bad_input_gets_a_clear_error(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_get_builds_with_keywords():
    f = S.get("rastrigin", dim=4, A=1.0, noise=0.1, x0=np.ones(4))
    assert (f.dim, f.A, f.noise) == (4, 1.0, 0.1)
    np.testing.assert_array_equal(f.x0, np.ones(4))
    assert f.x0 is not S.get("rastrigin", dim=4, x0=f.x0).x0, "x0 is copied"
