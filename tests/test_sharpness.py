"""Tests of lrlab.sharpness's LOBPCG method (warm-started along a path) and explicit steps.

The other methods are tested in tests/test_diagnostics.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab.datasets import spirals
from lrlab.models import MLP
from lrlab.sharpness import _lobpcg_top, sharpness, track_sharpness
from lrlab.surfaces import Quadratic


def test_lobpcg_finds_the_top_eigenvalue_of_a_quadratic():
    rng = np.random.default_rng(1)
    B = rng.standard_normal((60, 60))
    A = B @ B.T + 0.1 * np.eye(60)
    top = np.linalg.eigvalsh(A)[-1]
    assert sharpness(Quadratic(A), method="lobpcg", tol=1e-9) == pytest.approx(top, rel=1e-12)


def test_lobpcg_is_the_largest_algebraic_eigenvalue_not_the_largest_in_size():
    rng = np.random.default_rng(2)
    Q, _ = np.linalg.qr(rng.standard_normal((40, 40)))
    eig = np.linspace(-30.0, 5.0, 40)      # the dominant eigenvalue is -30
    A = (Q * eig) @ Q.T
    value, vector = _lobpcg_top(lambda v: A @ v, rng.standard_normal(40), 1e-10, 500)
    assert value == pytest.approx(5.0, rel=1e-9)
    np.testing.assert_allclose(abs(vector @ Q[:, -1]), 1.0, atol=1e-8)


@pytest.fixture(scope="module")
def mlp_path():
    net = MLP(spirals(100, noise=0.2, seed=0), hidden=(16, 16), seed=0)
    h = lrlab.train(net, lrlab.sgd(0.5), 40, record_params=True)
    return net, h.params[::8]


def test_lobpcg_along_a_path_equals_lanczos_at_every_point(mlp_path):
    net, path = mlp_path
    reference = sharpness(net, path, method="eigsh", tol=1e-12)
    follow = sharpness(net, path, method="lobpcg", tol=1e-6)
    assert follow.shape == (len(path),)
    np.testing.assert_allclose(follow, reference, rtol=1e-8)


def test_warm_start_costs_fewer_products_than_starting_afresh(mlp_path):
    _net, path = mlp_path
    calls = {"n": 0}

    class Counted(MLP):
        def _hvp(self, theta, v, batch=None):
            calls["n"] += 1
            return super()._hvp(theta, v, batch)

    counted = Counted(spirals(100, noise=0.2, seed=0), hidden=(16, 16), seed=0)
    sharpness(counted, path, method="lobpcg", tol=1e-4)
    warm = calls["n"]
    calls["n"] = 0
    for point in path:
        sharpness(counted, point, method="lobpcg", tol=1e-4)
    assert warm < 0.8 * calls["n"]


def test_track_sharpness_at_chosen_steps():
    bowl = Quadratic(np.diag([1.0, 4.0]), x0=[1.0, 1.0])
    trace = track_sharpness(bowl, lrlab.sgd(lrlab.schedules.linear(0.1, 0.5, 1.0, 10)), 20,
                            steps=[0, 1, 5, 20], method="lobpcg", tol=1e-8)
    assert trace.steps.tolist() == [0, 1, 5, 20]
    np.testing.assert_allclose(trace.sharpness, 4.0, rtol=1e-10)
    np.testing.assert_allclose(trace.lr, [0.05, 0.055, 0.075, 0.1])  # the ramp's rates
    # a run that diverges keeps only the steps it reached
    blow = track_sharpness(bowl, lrlab.sgd(0.55), 60, steps=[0, 10, 59], method="dense")
    assert blow.history.diverged and blow.steps.tolist() == [0, 10]


@pytest.mark.parametrize("steps", [[5, 2], [0, 21], [-1, 3], [], [0.5, 2], [[0, 1]]])
def test_track_sharpness_refuses_bad_steps(steps):
    bowl = Quadratic(np.diag([1.0, 4.0]))
    with pytest.raises(ValueError, match=r"'steps' parameter of track_sharpness must be an "
                                         r"increasing sequence of ints in \[0, num_steps\] = "
                                         r"\[0, 20\]"):
        track_sharpness(bowl, lrlab.sgd(0.1), 20, steps=steps)
