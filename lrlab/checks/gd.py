"""Self-checks for assignment 1: a constant-learning-rate gradient-descent step,
the stability limit ``2 / L`` of a quadratic, and backtracking when ``L`` is unknown.

The learner writes, in plain numpy:

* ``gd_step(theta, grad, lr) -> theta_next``
  (what ``lrlab.sgd(lr)`` does with ``momentum=0``);
* ``run_gd(problem, lr, num_steps) -> iterates`` of shape ``(num_steps + 1, dim)``,
  starting at ``problem.x0``;
* ``stability_limit(A) -> float``: the largest stable constant rate of gradient
  descent on ``1/2 theta^T A theta``;
* ``find_stability_limit(problem, low, high, num_steps=200, tol=1e-4) -> float``:
  the same limit found numerically, by bisection on "does the loss go down?";
* ``backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50)
  -> (lr, num_trials)``: Armijo's backtracking line search for one step (what
  ``lrlab.rules.armijo`` does), the answer when ``L`` is unknown.

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_gd_step
>>> def gd_step(theta, grad, lr):
...     return theta + lr * grad
>>> result = check_gd_step(gd_step)
>>> result.mistake
'wrong_sign'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, _Mutated, call_pure, require_array, run_check

__all__ = ["check_backtracking_lr", "check_find_stability_limit", "check_gd_step",
           "check_run_gd", "check_stability_limit"]


# --------------------------------------------------------------------- gd_step
def _gd_ref(theta, grad, lr):
    return theta - lr * grad


_GD_MISTAKES = [
    Mistake("wrong_sign", "your step goes uphill: gradient descent moves *against* the "
            "gradient, so the update must decrease theta where the gradient is positive.",
            lambda theta, grad, lr: theta + lr * grad),
    Mistake("lr_ignored", "your step ignores the learning rate: the gradient must be scaled "
            "by lr before it is applied.", lambda theta, grad, lr: theta - grad),
    Mistake("divides_by_lr", "your step divides the gradient by lr; the learning rate is a "
            "multiplier (a step of size lr times the gradient).",
            lambda theta, grad, lr: theta - grad / lr),
    Mistake("returns_step", "your function returns the step (the change in theta), not the "
            "new parameters theta - (change).", lambda theta, grad, lr: -lr * grad),
]

_GD_PROBES = [
    (np.array([1.0, -2.0]), np.array([0.5, 3.0]), 0.1),
    (np.array([0.3, 0.0, 4.0]), np.array([-1.0, 2.0, 0.25]), 0.7),
    (np.array([[1.0, 1.0], [2.0, -1.0]]), np.array([[2.0, -4.0], [0.5, 1.0]]), 0.05),
]


def _gd_behaviour(fn, probe):
    theta, grad, lr = probe
    out = require_array(call_pure(fn, theta.copy(), grad.copy(), lr, names=("theta", "grad")))
    return [(f"gd_step(theta={theta.tolist()}, grad={grad.tolist()}, lr={lr})", out)]


def check_gd_step(gd_step: Callable) -> CheckResult:
    """Check ``gd_step(theta, grad, lr)`` against plain gradient descent.

    Parameters
    ----------
    gd_step : callable
        The learner's function.

    Returns
    -------
    CheckResult
        Truthy when it passed; otherwise ``mistake`` names the likely error.
    """
    return run_check("gd_step", gd_step, _gd_behaviour, _GD_PROBES, _gd_ref, _GD_MISTAKES)


# ----------------------------------------------------------------------- run_gd
class _Bowl:
    """A tiny quadratic problem with the two attributes run_gd needs."""

    def __init__(self, A, x0):
        self.A = np.asarray(A, dtype=float)
        self.x0 = np.asarray(x0, dtype=float)
        self.dim = self.x0.size
        self.name = "probe quadratic"

    def grad(self, theta, batch=None):
        return np.asarray(theta, dtype=float) @ self.A

    def loss(self, theta, batch=None):
        theta = np.asarray(theta, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", theta, self.A, theta)


def _run_ref(problem, lr, num_steps):
    thetas = [np.array(problem.x0, dtype=float)]
    for _ in range(num_steps):
        thetas.append(thetas[-1] - lr * problem.grad(thetas[-1]))
    return np.array(thetas)


def _run_variant(kind):
    def run(problem, lr, num_steps):
        thetas = _run_ref(problem, lr if kind != "wrong_sign" else -lr,
                          num_steps + (kind == "extra_step"))
        if kind == "no_start":
            return thetas[1:]
        if kind == "aliased":
            return np.repeat(thetas[-1:], num_steps + 1, axis=0)
        return thetas
    return run


_RUN_MISTAKES = [
    Mistake("no_start", "your trajectory has num_steps rows and misses the starting point: "
            "row 0 must be problem.x0 and row k the parameters after k steps "
            "(num_steps + 1 rows).", _run_variant("no_start")),
    Mistake("extra_step", "your trajectory is one step too long: it should have num_steps + 1 "
            "rows (the start plus one row per step).", _run_variant("extra_step")),
    Mistake("aliased", "every row of your trajectory equals the last iterate: you keep "
            "appending the same array and change it in place. Append a new array each step "
            "(gd_step should return a new array; do not update theta with -=).",
            _run_variant("aliased")),
    Mistake("wrong_sign", "your iterates move uphill: the update must go against the "
            "gradient.", _run_variant("wrong_sign")),
]

_RUN_PROBES = [
    (np.diag([1.0, 10.0]), [1.0, 1.0], 0.05, 5),
    (np.array([[2.0, 0.5], [0.5, 1.0]]), [-1.0, 2.0], 0.3, 7),
    (np.array([[4.0]]), [3.0], 0.45, 3),
]


def _run_behaviour(fn, probe):
    A, x0, lr, steps = probe
    problem = _Bowl(A, x0)
    out = fn(problem, lr, steps)
    if not np.array_equal(problem.x0, np.asarray(x0, dtype=float)):
        raise _Mutated("problem.x0")
    return [(f"run_gd(problem with x0={x0}, lr={lr}, num_steps={steps})", require_array(out))]


def check_run_gd(run_gd: Callable) -> CheckResult:
    """Check ``run_gd(problem, lr, num_steps)``: the iterates of gradient descent.

    The probes use small quadratics exposing ``problem.x0`` and
    ``problem.grad(theta)``. The result must have shape
    ``(num_steps + 1, dim)`` with row 0 equal to ``problem.x0``.
    """
    return run_check("run_gd", run_gd, _run_behaviour, _RUN_PROBES, _run_ref, _RUN_MISTAKES)


# -------------------------------------------------------------- stability_limit
def _limit_ref(A):
    return 2.0 / np.linalg.eigvalsh(np.asarray(A, dtype=float))[-1]


def _eig(A):
    return np.linalg.eigvalsh(np.asarray(A, dtype=float))


_LIMIT_MISTAKES = [
    Mistake("one_over_L", "your limit is 1/L. Below 1/L gradient descent approaches the "
            "minimum without overshooting; between 1/L and 2/L it overshoots but still "
            "converges. Which factor |1 - lr * lambda| must stay below 1?",
            lambda A: 1.0 / _eig(A)[-1]),
    Mistake("smallest_eigenvalue", "your limit uses the smallest eigenvalue. The direction "
            "that blows up first is the one with the *largest* curvature.",
            lambda A: 2.0 / _eig(A)[0]),
    Mistake("diagonal", "your limit uses the diagonal of A. For a rotated quadratic the "
            "curvatures are the eigenvalues of A, not its diagonal entries.",
            lambda A: 2.0 / np.max(np.diag(np.asarray(A, dtype=float)))),
    Mistake("optimal_rate", "you returned 2 / (mu + L): the *best* constant rate for a "
            "quadratic (fastest worst-case contraction), not the largest *stable* one.",
            lambda A: 2.0 / (_eig(A)[0] + _eig(A)[-1])),
    Mistake("trace", "your limit uses the sum of the eigenvalues (the trace); only the "
            "largest eigenvalue matters.", lambda A: 2.0 / np.trace(np.asarray(A, float))),
]


def _rotated(eigs, angle):
    c, s = np.cos(angle), np.sin(angle)
    Q = np.array([[c, -s], [s, c]])
    return Q @ np.diag(eigs) @ Q.T


_LIMIT_PROBES = [np.diag([1.0, 10.0]), _rotated([0.5, 8.0], 0.6), _rotated([2.0, 3.0], 1.1),
                 np.diag([4.0, 0.1, 1.0])]


def _limit_behaviour(fn, A):
    return [(f"stability_limit(A) with eigenvalues {np.round(_eig(A), 3).tolist()}",
             call_pure(fn, A.copy(), names=("A",)))]


def check_stability_limit(stability_limit: Callable) -> CheckResult:
    """Check ``stability_limit(A)``: the largest stable constant rate on ``1/2 x^T A x``."""
    return run_check("stability_limit", stability_limit, _limit_behaviour, _LIMIT_PROBES,
                     _limit_ref, _LIMIT_MISTAKES)


# ---------------------------------------------------------- find_stability_limit
def _bisect(problem, low, high, num_steps=200, tol=1e-4, *, swap=False, strict=False,
            finite=False):
    """Reference bisection (and three wrong variants) on the final-loss test."""
    loss0 = problem.loss(problem.x0)
    while high - low > tol:
        mid = 0.5 * (low + high)
        thetas = _run_ref(problem, mid, num_steps)
        if strict:  # "stable" = the iterates never change sign (no overshoot)
            ok = bool(np.all(thetas[1:] * thetas[:-1] >= 0))
        elif finite:  # "stable" = the loss did not overflow
            ok = bool(np.isfinite(problem.loss(thetas[-1])))
        else:
            ok = bool(problem.loss(thetas[-1]) < loss0)
        if ok != swap:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


_FIND_MISTAKES = [
    Mistake("swapped_branches", "your bisection moves the wrong end of the interval: when the "
            "run at the midpoint is stable, the limit lies *above* the midpoint.",
            lambda problem, low, high, num_steps=200, tol=1e-4:
            _bisect(problem, low, high, num_steps, tol, swap=True)),
    Mistake("no_overshoot_test", "your estimate is about 1/L: you treat any overshoot (sign "
            "change of the iterates) as unstable. Gradient descent still converges while it "
            "oscillates; test whether the loss goes down instead.",
            lambda problem, low, high, num_steps=200, tol=1e-4:
            _bisect(problem, low, high, num_steps, tol, strict=True)),
    Mistake("finite_test", "your estimate is far above 2/L: you count a run as stable as long "
            "as its loss stays finite. Just above 2/L the loss grows geometrically but needs "
            "many more steps than num_steps to overflow; a run is stable when its final loss "
            "is *below its starting loss*.",
            lambda problem, low, high, num_steps=200, tol=1e-4:
            _bisect(problem, low, high, num_steps, tol, finite=True)),
]

_FIND_PROBES = [(np.diag([1.0, 10.0]), [1.0, 1.0], 0.0, 1.0),
                (np.diag([0.5, 3.0]), [2.0, -1.0], 0.01, 2.0)]


def _find_behaviour(fn, probe):
    A, x0, low, high = probe
    problem = _Bowl(A, x0)
    value = fn(problem, low, high)
    return [(f"find_stability_limit on a quadratic with largest eigenvalue {A.max():g}, "
             f"interval [{low:g}, {high:g}]", value, 1e-2)]


def check_find_stability_limit(find_stability_limit: Callable) -> CheckResult:
    """Check ``find_stability_limit(problem, low, high, num_steps=200, tol=1e-4)``.

    The estimate must agree with ``2 / L`` to 1 % on two probe quadratics.
    """
    return run_check("find_stability_limit", find_stability_limit, _find_behaviour,
                     _FIND_PROBES, _bisect, _FIND_MISTAKES, rtol=1e-2)


# --------------------------------------------------------------- backtracking_lr
def _backtrack(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50, *,
               kind="ref"):
    """Reference Armijo backtracking (what ``lrlab.rules.armijo`` does for one run), and the
    catalogued wrong variants."""
    theta = np.asarray(theta, dtype=float)
    f0 = problem.loss(theta)
    grad = problem.grad(theta)
    gg = float(grad @ grad)
    lr = lr0
    for k in range(max_backtracks + 1):
        step = lr * grad
        trial = theta + step if kind == "uphill" else theta - step
        decrease = {"plain_decrease": 0.0, "norm_not_squared": c * lr * np.sqrt(gg),
                    "lr0_in_test": c * lr0 * gg}.get(kind, c * lr * gg)
        if problem.loss(trial) <= f0 - decrease:
            trials = k + 1 + {"counts_shrinks": -1, "counts_start": 1}.get(kind, 0)
            return (lr * shrink if kind == "extra_shrink" else lr), trials
        lr *= shrink
    offset = {"counts_shrinks": -1, "counts_start": 1}.get(kind, 0)
    return 0.0, max_backtracks + 1 + offset


def _bt_variant(kind):
    def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
        return _backtrack(problem, theta, lr0, c, shrink, max_backtracks, kind=kind)
    return backtracking_lr


_BT_MISTAKES = [
    Mistake("plain_decrease", "you accept any step that lowers the loss: the Armijo test asks "
            "for a *sufficient* decrease, f(theta - lr*g) <= f(theta) - c * lr * ||g||^2, so "
            "a step that barely helps is still rejected when c is large.",
            _bt_variant("plain_decrease")),
    Mistake("norm_not_squared", "your sufficient decrease uses c * lr * ||g||, the norm of "
            "the gradient; the first-order prediction of the decrease along -g is "
            "lr * ||g||^2 (the dot product g . g).", _bt_variant("norm_not_squared")),
    Mistake("lr0_in_test", "your test compares with c * lr0 * ||g||^2 for every trial; the "
            "promised decrease shrinks with the trial step: c * lr * ||g||^2 with the current "
            "trial lr.", _bt_variant("lr0_in_test")),
    Mistake("extra_shrink", "your accepted step is one shrink too small: you multiply lr by "
            "shrink once more after the test has passed. Return the trial step that passed.",
            _bt_variant("extra_shrink")),
    Mistake("counts_shrinks", "your count is one too low: it counts the shrinks, not the "
            "trial steps. A step accepted at the first trial costs 1 loss evaluation.",
            _bt_variant("counts_shrinks")),
    Mistake("counts_start", "your count is one too high: count only the trial steps, not the "
            "loss at theta itself (it is computed once, before the search).",
            _bt_variant("counts_start")),
    Mistake("uphill", "no step is ever accepted: your trial point moves *along* the gradient "
            "(theta + lr * g); gradient descent tries theta - lr * g.", _bt_variant("uphill")),
]

# (A, theta, keyword arguments): the defaults on the course's bowl, large c (tells a plain
# decrease and a non-squared norm from Armijo's test), a search that fails, a first trial
# that passes.
_BT_PROBES = [
    (np.diag([1.0, 10.0]), [1.0, 1.0], {}),
    (np.array([[1.0]]), [1.0], {"lr0": 1.5, "c": 0.5}),
    (np.array([[1.0]]), [2.0], {"lr0": 1.2, "c": 0.5}),
    (np.diag([1.0, 10.0]), [1.0, 1.0], {"lr0": 100.0, "max_backtracks": 3}),
    (np.array([[2.0, 0.5], [0.5, 1.0]]), [1.0, -2.0], {"lr0": 0.05, "shrink": 0.8}),
]


def _bt_behaviour(fn, probe):
    A, theta, kwargs = probe
    problem = _Bowl(A, theta)
    out = call_pure(fn, problem, np.array(theta, dtype=float), names=("problem", "theta"),
                    **kwargs)
    if not isinstance(out, tuple | list) or len(out) != 2:
        raise TypeError(f"backtracking_lr must return a pair (lr, num_trials), got {out!r}")
    shown = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return [(f"backtracking_lr(problem, theta={theta}{', ' + shown if shown else ''})",
             (float(out[0]), float(out[1])))]


def _bt_ref(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
    lr, trials = _backtrack(problem, theta, lr0, c, shrink, max_backtracks)
    return float(lr), float(trials)


def check_backtracking_lr(backtracking_lr: Callable) -> CheckResult:
    """Check ``backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50)``.

    It must return ``(lr, num_trials)``: the first trial step ``lr0 * shrink**k`` that passes
    Armijo's test ``f(theta - lr g) <= f(theta) - c lr ||g||^2`` and the number of trial
    steps evaluated (``k + 1``); ``(0.0, max_backtracks + 1)`` when none passes, as
    ``lrlab.rules.armijo`` does.
    """
    return run_check("backtracking_lr", backtracking_lr, _bt_behaviour, _BT_PROBES,
                     _bt_ref, _BT_MISTAKES)
