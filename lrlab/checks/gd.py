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
* ``backtracking_lr(...)``: in :mod:`lrlab.checks.backtracking`;
* ``sharpness(problem, theta, h=1e-4) -> float``: the curvature of a 1-D loss by a
  central difference of its gradient, to see where a large rate can settle (``<= 2 / lr``).

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

__all__ = ["check_find_stability_limit", "check_gd_step", "check_run_gd", "check_sharpness",
           "check_stability_limit"]


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


# --------------------------------------------------------------------- sharpness
class _Quartic:
    """A 1-D probe problem f(x) = x**4 / 4 + a x**2 / 2: f''(x) = 3 x**2 + a."""

    def __init__(self, a):
        self.a = float(a)
        self.x0 = np.array([0.0])
        self.dim = 1
        self.name = "probe quartic"

    def loss(self, theta, batch=None):
        x = np.asarray(theta, dtype=float)[..., 0]
        return x**4 / 4 + self.a * x**2 / 2

    def grad(self, theta, batch=None):
        x = np.asarray(theta, dtype=float)
        return x**3 + self.a * x


def _sharp_ref(problem, theta, h=1e-4):
    theta = np.asarray(theta, dtype=float)
    return float(((problem.grad(theta + h) - problem.grad(theta - h)) / (2 * h))[0])


_SHARP_MISTAKES = [
    Mistake("divides_by_h", "your estimate is twice the curvature: the central difference "
            "g(theta + h) - g(theta - h) spans 2h, so divide by 2h.",
            lambda problem, theta, h=1e-4: 2 * _sharp_ref(problem, theta, h)),
    Mistake("one_sided", "your difference is one-sided, (g(theta + h) - g(theta)) / h: its "
            "error grows like h (the central difference's like h**2), visible with a large h "
            "where the curvature changes.",
            lambda problem, theta, h=1e-4: float(((problem.grad(np.asarray(theta, float) + h)
                                                  - problem.grad(np.asarray(theta, float)))
                                                 / h)[0])),
    Mistake("first_derivative", "you returned a first derivative (a difference of losses over "
            "2h, or the gradient): the sharpness is the *second* derivative, the slope of the "
            "gradient.", lambda problem, theta, h=1e-4: float(problem.grad(
                np.asarray(theta, float))[0])),
]

# (a, x, h): at a minimum-like point with a small h, and on a steep wall with a large h
# (where a one-sided difference is off by 3 x h).
_SHARP_PROBES = [(0.5, 1.0, 1e-4), (2.0, -1.3, 0.1), (1.0, 0.0, 1e-3)]


def _sharp_behaviour(fn, probe):
    a, x, h = probe
    out = call_pure(fn, _Quartic(a), np.array([x]), h, names=("problem", "theta"))
    value = np.asarray(out, dtype=float).squeeze()
    if value.shape != ():
        raise TypeError(f"sharpness must return one number, got an array of shape {value.shape}")
    return [(f"sharpness on f = x**4/4 + {a} x**2/2 at x = {x}, h = {h}", float(value))]


def check_sharpness(sharpness: Callable) -> CheckResult:
    """Check ``sharpness(problem, theta, h=1e-4)``: the central difference of the gradient,
    ``(g(theta + h) - g(theta - h)) / (2h)``, on 1-D problems (a second difference of the
    loss, ``(f(theta + h) - 2 f(theta) + f(theta - h)) / h**2``, agrees to 1 %)."""
    return run_check("sharpness", sharpness, _sharp_behaviour, _SHARP_PROBES, _sharp_ref,
                     _SHARP_MISTAKES, rtol=1e-2)
