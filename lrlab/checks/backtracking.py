"""Self-check for assignment 1, section 5: Armijo's backtracking line search for one step.

The learner writes ``backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5,
max_backtracks=50) -> (lr, num_trials)``: the first trial step ``lr0 * shrink**k`` that
passes ``f(theta - lr g) <= f(theta) - c lr ||g||^2`` and the number of trials, what
``lrlab.rules.armijo`` does for one run -- the answer when ``L`` is unknown.

Examples
--------
>>> from lrlab.checks import check_backtracking_lr
>>> def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
...     return lr0, 1
>>> check_backtracking_lr(backtracking_lr).passed
False
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, call_pure, run_check
from .gd import _Bowl

__all__ = ["check_backtracking_lr"]


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
