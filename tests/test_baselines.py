"""lbfgs: reaches minima, and its History is consistent with the problem and scipy."""

import subprocess
import sys

import numpy as np
import pytest

from lrlab.baselines import lbfgs
from lrlab.problem import Problem
from lrlab.surfaces import Quadratic


class Rosenbrock(Problem):
    name = "rosenbrock (test)"
    dim = 2
    f_star = 0.0

    def __init__(self):
        self.x0 = np.array([-1.2, 1.0])
        self.calls = 0

    def _loss(self, th, batch):
        x, y = th[..., 0], th[..., 1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def _grad(self, th, batch):
        x, y = th[..., 0], th[..., 1]
        return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)

    def _loss_and_grad(self, th, batch):
        self.calls += 1
        return self._loss(th, batch), self._grad(th, batch)


def test_reaches_the_rosenbrock_minimum():
    h = lbfgs(Rosenbrock(), 200, tol=1e-12)
    np.testing.assert_allclose(h.final_params, [1.0, 1.0], atol=1e-9)
    assert h.final_loss < 1e-18
    assert h.status() == "stopped" and 20 < h.last_step < 60
    default = lbfgs(Rosenbrock(), 200)                     # scipy's tolerances
    np.testing.assert_allclose(default.final_params, [1.0, 1.0], atol=1e-4)


def test_history_is_consistent():
    p = Rosenbrock()
    T = 100
    h = lbfgs(p, T)
    k = h.last_step
    assert h.loss.shape == h.grad_norm.shape == h.loss_evals.shape == (T + 1,)
    assert h.lr.shape == h.update_ratio.shape == (T,) and h.params.shape == (T + 1, 2)
    assert h.run_shape == () and h.diverged_at == -1 and h.stopped_at == k
    assert str(h.reason).startswith("CONVERGENCE")
    # recorded values are those of the problem at the recorded iterates
    x = h.params[: k + 1]
    np.testing.assert_allclose(h.loss[: k + 1], p.loss(x), rtol=1e-15)
    np.testing.assert_allclose(h.grad_norm[: k + 1], np.linalg.norm(p.grad(x), axis=-1))
    np.testing.assert_array_equal(h.params[0], p.x0)
    assert np.all(np.diff(h.loss[: k + 1]) < 0)            # Wolfe line search: monotone
    # the effective rate: how far GD would have had to step
    step = np.linalg.norm(np.diff(x, axis=0), axis=-1)
    np.testing.assert_allclose(h.lr[:k], step / h.grad_norm[:k])
    # NaN after the stop, like the trainer; evaluation counts frozen
    assert np.all(np.isnan(h.loss[k + 1:])) and np.all(np.isnan(h.lr[k:]))
    assert np.all(np.isnan(h.params[k + 1:]))
    assert np.all(h.loss_evals[k:] == h.loss_evals[k])


def test_evaluation_counts_are_scipys():
    p = Rosenbrock()
    h = lbfgs(p, 100)
    assert h.loss_evals[0] == 1
    assert np.all(np.diff(h.loss_evals) >= 0) and np.all(np.diff(h.loss_evals[:h.last_step + 1])
                                                         >= 1)
    assert h.loss_evals[-1] == h.meta["nfev"] == p.calls - 1  # one extra: lbfgs records x0
    np.testing.assert_array_equal(h.grad_evals, h.loss_evals)
    assert h.loss_evals[-1] > h.last_step                    # line searches cost extra


def test_maxiter_is_num_steps():
    h = lbfgs(Rosenbrock(), 5)
    assert h.status() == "finished" and h.stopped_at == -1 and str(h.reason) == ""
    assert np.all(np.isfinite(h.loss)) and h.loss[-1] < h.loss[0]
    h0 = lbfgs(Rosenbrock(), 0)
    assert h0.loss.shape == (1,) and h0.lr.shape == (0,) and h0.loss_evals.tolist() == [1]


def test_quadratic_in_few_iterations_and_history_methods():
    p = Quadratic(np.diag([1.0, 10.0, 100.0]), x0=np.array([1.0, 1.0, 1.0]))
    h = lbfgs(p, 50, m=5, tol=1e-20)
    assert h.final_loss < 1e-20 and h.last_step <= 20       # GD with 1/L: ~2000 steps
    assert "stopped" in h.summary() and h.meta["rule"] == "L-BFGS(m=5, tol=1e-20)"
    assert "torch.optim.LBFGS" in h.meta["torch"]


def test_one_start_point_at_a_time():
    with pytest.raises(ValueError, match=r"one start point at a time; got x0 of shape \(3, 2\)"):
        lbfgs(Rosenbrock(), 10, x0=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="'x0' parameter of lbfgs"):
        lbfgs(Rosenbrock(), 10, x0=np.zeros(3))
    with pytest.raises(ValueError, match="'m' parameter of lbfgs"):
        lbfgs(Rosenbrock(), 10, m=0)
    with pytest.raises(ValueError, match="'num_steps' parameter of lbfgs"):
        lbfgs(Rosenbrock(), -1)
    with pytest.raises(TypeError, match="'problem' parameter of lbfgs"):
        lbfgs("rosenbrock", 10)


def test_importing_baselines_does_not_import_scipy():
    code = "import sys, lrlab.baselines; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
