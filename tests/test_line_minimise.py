"""The line searches' two implementations (arrays with masks, one run in floats) agree bit for
bit: the same trial points in the same order, the same step, the same trajectories (the exact
search's bracketing and golden section, Armijo's backtracking)."""

from functools import partial

import numpy as np
import pytest

import lrlab
from lrlab.apps.linesearch_costs import race_problem
from lrlab.models import LogisticRegression
from lrlab.rules import line_minimise
from lrlab.rules.line_minimise import backtrack, minimise_along
from lrlab.rules.linesearch import armijo, exact_line_search
from lrlab.surfaces import quadratic, rosenbrock


def _calls(loss):
    """``loss`` as a ``loss_fn`` that records every point it is given."""
    seen = []

    def loss_fn(theta):
        seen.append(np.array(theta, copy=True))
        return np.asarray(loss(theta), dtype=float)
    return loss_fn, seen


def _both(loss, theta, prev=np.nan, *, grad=None, f0=None, xtol=1e-3, max_iter=100):
    """The step and the trial points of each implementation, on one run."""
    theta = np.asarray(theta, dtype=float)
    grad = np.asarray(grad, dtype=float)
    f0 = np.asarray(loss(theta) if f0 is None else f0, dtype=float)
    out = []
    for vectorised in (True, False):
        loss_fn, seen = _calls(loss)
        with np.errstate(all="ignore"):
            eta = minimise_along(grad, theta, f0, loss_fn, np.asarray(prev, dtype=float),
                                 xtol, max_iter, vectorised=vectorised)
        assert isinstance(eta, np.ndarray) and eta.shape == () and eta.dtype == float
        out.append((float(eta), seen))
    return out


def _assert_same(out):
    (eta_v, seen_v), (eta_1, seen_1) = out
    assert eta_1 == eta_v or (np.isnan(eta_1) and np.isnan(eta_v))
    assert len(seen_1) == len(seen_v)
    for a, b in zip(seen_v, seen_1, strict=True):
        np.testing.assert_array_equal(a, b)


BOWL = quadratic([1.0, 25.0])
ROSEN = rosenbrock()


@pytest.mark.parametrize("prev", [np.nan, 1e-6, 0.03, 1.0, 1e6, 1e99, 0.0, -1.0, np.inf])
@pytest.mark.parametrize("xtol", [1e-3, 1e-9, 0.5])
def test_one_run_equals_the_arrays_on_a_bowl_and_rosenbrock(prev, xtol):
    # small prev: the grow phase; large: the shrink phase; 0, -1, inf: the 1/|g| start
    for problem, theta in [(BOWL, [1.0, 0.3]), (ROSEN, [-1.2, 1.0]), (ROSEN, [0.5, 0.1])]:
        theta = np.array(theta)
        out = _both(problem.loss, theta, prev, grad=problem.grad(theta), xtol=xtol)
        _assert_same(out)


@pytest.mark.parametrize("max_iter", [1, 2, 3, 4, 5, 8, 13])
def test_one_run_equals_the_arrays_under_every_budget(max_iter):
    theta = np.array([-1.2, 1.0])
    for prev in (np.nan, 1e4, 1e-5):
        out = _both(ROSEN.loss, theta, prev, grad=ROSEN.grad(theta), max_iter=max_iter)
        _assert_same(out)
        assert len(out[1][1]) <= max_iter


def test_one_run_equals_the_arrays_on_logistic_regression_full_and_minibatch():
    p = race_problem("logistic regression")
    rng = np.random.default_rng(1)
    theta = 0.3 * rng.standard_normal(p.dim)
    batch = p.sample_batch(rng, 16)
    for b in (None, batch):
        loss = partial(p._loss, batch=b)
        out = _both(loss, theta, grad=p._grad(theta, b))
        _assert_same(out)
        assert out[1][0] > 0


def test_one_run_equals_the_arrays_where_no_step_is_worth_trying():
    # at the minimum up to rounding: halving stops once the step no longer moves theta
    theta = np.array([1.0, 1.0 + 1e-15])
    out = _both(ROSEN.loss, theta, 1e3, grad=ROSEN.grad(theta))
    _assert_same(out)
    # a step too small to be measured on the loss's scale: eps * |f| beats a ||g||^2
    big = lambda th: 1e20 + np.sum(th**2, axis=-1)  # noqa: E731
    theta = np.array([1e-3, 0.0])
    out = _both(big, theta, 1.0, grad=2 * theta)
    _assert_same(out)
    assert out[1][0] == 0.0
    # the halved step's predicted decrease equals eps * |f0| exactly: give up, untried
    flat = lambda th: 1.0 + 0.0 * th[..., 0]  # noqa: E731
    out = _both(flat, np.ones(2), 2.0**-51, grad=np.array([1.0, 0.0]))
    _assert_same(out)
    assert out[1][0] == 0.0 and len(out[1][1]) == 1


def test_one_run_equals_the_arrays_on_nan_inf_and_zero_gradients():
    theta = np.array([-1.2, 1.0])
    g = ROSEN.grad(theta)
    # NaN / inf at the start, or a zero gradient: no call, no step
    for f0, grad in [(np.nan, g), (np.inf, g), (None, np.zeros(2)), (None, [np.nan, 1.0]),
                     (None, [np.inf, 1.0])]:
        out = _both(ROSEN.loss, theta, grad=grad, f0=f0)
        _assert_same(out)
        assert out[1][0] == 0.0 and out[1][1] == []

    # a loss that is NaN or inf beyond some step (treated as +inf): bracketing stops there
    def walled(th, value):
        f = ROSEN.loss(th)
        return np.where(np.abs(th[..., 0]) > 1.5, value, f)
    for value in (np.nan, np.inf, -np.inf):
        for prev in (np.nan, 1e-4, 10.0):
            out = _both(partial(walled, value=value), theta, prev, grad=g)
            _assert_same(out)


def test_one_run_equals_the_arrays_when_the_loss_falls_forever():
    # a linear loss: doubling up to the cap _BIG, never a rise
    slope = lambda th: -np.sum(th, axis=-1)  # noqa: E731
    for prev in (1.0, 1e90, 1e100, 1e200):
        out = _both(slope, np.zeros(3), prev, grad=-np.ones(3))
        _assert_same(out)
        assert out[1][0] == (line_minimise._BIG if prev >= 1e90 else 2.0**99)   # the budget


def test_one_run_equals_the_arrays_on_ties():
    # theta = a on the ray (grad -1); a stepped loss: equal values while growing and in the
    # golden section (f1 == f2), and a bracket exactly xtol times the best step wide
    stepped = lambda th: np.floor((th[..., 0] - 3.0) ** 2)  # noqa: E731
    for prev in (1.0, 0.7, 5.0, np.nan):
        out = _both(stepped, np.zeros(1), prev, grad=-np.ones(1))
        _assert_same(out)
    # grow from 1 to 2 to 4 ([1, 4]), golden points worse than 2: 3 <= 1.5 * 2 ends the search
    bowl = lambda th: (th[..., 0] - 2.0) ** 2  # noqa: E731
    out = _both(bowl, np.zeros(1), 1.0, grad=-np.ones(1), xtol=1.5)
    _assert_same(out)
    assert out[1][0] == 2.0 and len(out[1][1]) == 5


def test_a_batch_of_runs_equals_each_run_alone():
    rng = np.random.default_rng(0)
    thetas = np.concatenate([rng.uniform(-2, 2, (6, 2)), [[1.0, 1.0], [np.nan, 0.0]]])
    grads = ROSEN.grad(np.nan_to_num(thetas))
    prevs = np.array([np.nan, 1e-4, 1e3, 0.01, np.nan, 1.0, 1e3, 0.1])
    f0 = ROSEN.loss(thetas)
    with np.errstate(all="ignore"):
        batch = minimise_along(grads, thetas, f0, ROSEN.loss, prevs, 1e-3, 100)
        alone = [minimise_along(grads[i], thetas[i], f0[i], ROSEN.loss, prevs[i], 1e-3, 100)
                 for i in range(len(thetas))]
    np.testing.assert_array_equal(batch, alone)
    with pytest.raises(ValueError, match="single run"):
        minimise_along(grads, thetas, f0, ROSEN.loss, prevs, 1e-3, 100, vectorised=False)


def _histories(problem, steps, **kwargs):
    """Two trainings of the exact line search: the default (one run in floats) and the arrays."""
    rule = exact_line_search(problem, method="search", xtol=1e-3)
    fast = lrlab.train(problem, rule, steps, record_params=True, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("lrlab.rules.linesearch.minimise_along",
                   partial(minimise_along, vectorised=True))
        slow = lrlab.train(problem, rule, steps, record_params=True, **kwargs)
    return fast, slow


@pytest.mark.parametrize("name", ["Rosenbrock", "ill-conditioned quadratic",
                                  "logistic regression"])
def test_trajectories_are_bit_equal_on_the_race_problems(name):
    fast, slow = _histories(race_problem(name), 60)
    for field in ("lr", "params", "loss", "grad_norm", "loss_evals", "grad_evals"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field))
    assert int(fast.loss_evals[-1]) > 10 * 60   # searched: many trials per step


def test_trajectories_are_bit_equal_with_minibatches_and_noise():
    from lrlab.datasets import sparse_features

    data = LogisticRegression(sparse_features(120, dim=10, density=0.3), l2=1e-3)
    noisy = quadratic([1.0, 10.0], noise=0.3)
    for problem in (data, noisy):
        fast, slow = _histories(problem, 40, batch_size=8, seed=3)
        for field in ("lr", "params", "loss", "loss_evals"):
            np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field))


def test_the_one_run_path_is_the_default_for_one_run_only(monkeypatch):
    used = []
    real = line_minimise._one_run
    monkeypatch.setattr(line_minimise, "_one_run", lambda *a: used.append(1) or real(*a))
    p = rosenbrock()
    lrlab.train(p, exact_line_search(p), 3)
    assert used == [1, 1, 1]
    lrlab.train(p, exact_line_search(p), 3, x0=np.array([[-1.2, 1.0], [0.0, 0.0]]))
    assert used == [1, 1, 1]


# ------------------------------------------------------------------ Armijo's backtracking
def _backtracks(loss, theta, grad, trial, *, f0=None, c=1e-4, shrink=0.5, max_backtracks=50):
    """The step and the trial points of each implementation of ``backtrack``, on one run."""
    theta, grad = np.asarray(theta, dtype=float), np.asarray(grad, dtype=float)
    f0 = np.asarray(loss(theta) if f0 is None else f0, dtype=float)
    gg = np.asarray(np.dot(grad, grad))
    out = []
    for vectorised in (True, False):
        loss_fn, seen = _calls(loss)
        with np.errstate(all="ignore"):
            eta = backtrack(grad, theta, f0, gg, np.asarray(trial, dtype=float), loss_fn, c,
                            shrink, max_backtracks, vectorised=vectorised)
        assert isinstance(eta, np.ndarray) and eta.shape == () and eta.dtype == float
        out.append((float(eta), seen))
    return out


@pytest.mark.parametrize("trial", [1e-8, 1e-3, 0.1, 1.0, 1e3, 1e12])
@pytest.mark.parametrize(("c", "shrink"), [(1e-4, 0.5), (0.1, 0.9), (0.5, 0.3)])
def test_backtracking_one_run_equals_the_arrays(trial, c, shrink):
    for problem, theta in [(BOWL, [1.0, 0.3]), (ROSEN, [-1.2, 1.0]), (ROSEN, [0.5, 0.1])]:
        theta = np.array(theta)
        out = _backtracks(problem.loss, theta, problem.grad(theta), trial, c=c, shrink=shrink)
        _assert_same(out)


def test_backtracking_one_run_equals_the_arrays_at_the_edges():
    theta = np.array([-1.2, 1.0])
    g = ROSEN.grad(theta)
    for max_backtracks in (0, 1, 2, 5):          # the budget runs out before a pass
        _assert_same(_backtracks(ROSEN.loss, theta, g, 10.0, max_backtracks=max_backtracks))
    # no step worth trying: at the minimum up to rounding, or below the loss's resolution
    near = np.array([1.0, 1.0 + 1e-15])
    _assert_same(_backtracks(ROSEN.loss, near, ROSEN.grad(near), 1e3))
    big = lambda th: 1e20 + np.sum(th**2, axis=-1)  # noqa: E731
    out = _backtracks(big, np.array([1e-3, 0.0]), np.array([2e-3, 0.0]), 1.0)
    _assert_same(out)
    assert out[1] == (0.0, [])
    far = lambda th: np.sum((th - 1e20) ** 2, axis=-1)  # noqa: E731   f0 = 0: no resolution
    out = _backtracks(far, np.full(2, 1e20), np.ones(2), 1.0)   # 1e20 - 1 == 1e20
    _assert_same(out)
    assert out[1] == (0.0, [])
    flat = lambda th: 1.0 + 0.0 * th[..., 0]  # noqa: E731   eps * |f0| = 2**-52, exactly
    out = _backtracks(flat, np.ones(2), np.array([1.0, 0.0]), 2.0**-52)
    _assert_same(out)
    assert out[1] == (0.0, [])
    # NaN / inf starts and zero gradients: no call; NaN / inf trial losses: backtrack on
    for f0, grad in [(np.nan, g), (np.inf, g), (None, np.zeros(2)), (None, [np.nan, 1.0])]:
        out = _backtracks(ROSEN.loss, theta, grad, 1.0, f0=f0)
        _assert_same(out)
        assert out[1] == (0.0, [])
    for value in (np.nan, np.inf):
        walled = lambda th, v=value: np.where(np.abs(th[..., 0]) > 1.3, v, ROSEN.loss(th))  # noqa: E731
        _assert_same(_backtracks(walled, theta, g, 1.0))
    # an exact tie with the condition's bound: f(theta - eta g) == f0 - c eta gg passes
    line = lambda th: np.sum(th, axis=-1)  # noqa: E731   phi(a) = -2a with g = (1, 1)
    out = _backtracks(line, np.zeros(2), np.ones(2), 4.0, c=1.0)
    _assert_same(out)
    assert out[1][0] == 4.0 and len(out[1][1]) == 1


def test_backtracking_a_batch_of_runs_equals_each_run_alone():
    rng = np.random.default_rng(2)
    thetas = np.concatenate([rng.uniform(-2, 2, (6, 2)), [[1.0, 1.0], [np.nan, 0.0]]])
    grads, f0 = ROSEN.grad(np.nan_to_num(thetas)), ROSEN.loss(thetas)
    gg = np.einsum("...i,...i->...", grads, grads)
    trials = np.array([1.0, 1e-4, 1e3, 0.01, 1.0, 1.0, 1e3, 0.1])
    with np.errstate(all="ignore"):
        batch = backtrack(grads, thetas, f0, gg, trials, ROSEN.loss, 1e-4, 0.5, 50)
        alone = [backtrack(grads[i], thetas[i], f0[i], gg[i], trials[i], ROSEN.loss, 1e-4,
                           0.5, 50) for i in range(len(thetas))]
    np.testing.assert_array_equal(batch, alone)
    with pytest.raises(ValueError, match="single run"):
        backtrack(grads, thetas, f0, gg, trials, ROSEN.loss, 1e-4, 0.5, 50, vectorised=False)


@pytest.mark.parametrize("kwargs", [{}, {"grow": 2.0}, {"grow": 1.5, "lr_max": 0.5},
                                    {"c": 0.3, "shrink": 0.8, "max_backtracks": 4}])
@pytest.mark.parametrize("name", ["Rosenbrock", "ill-conditioned quadratic",
                                  "logistic regression"])
def test_armijo_trajectories_are_bit_equal(name, kwargs):
    problem = race_problem(name)
    rule = armijo(lr0=1.0, **kwargs)
    fast = lrlab.train(problem, rule, 60, record_params=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("lrlab.rules.linesearch.backtrack", partial(backtrack, vectorised=True))
        slow = lrlab.train(problem, rule, 60, record_params=True)
    for field in ("lr", "params", "loss", "loss_evals"):
        np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field))
    for problem in (quadratic([1.0, 10.0], noise=0.3),
                    LogisticRegression(race_problem("logistic regression").data, l2=1e-3)):
        fast = lrlab.train(problem, rule, 30, batch_size=8, seed=1)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("lrlab.rules.linesearch.backtrack", partial(backtrack, vectorised=True))
            slow = lrlab.train(problem, rule, 30, batch_size=8, seed=1)
        for field in ("lr", "params", "loss", "loss_evals"):
            np.testing.assert_array_equal(getattr(fast, field), getattr(slow, field))
