r"""Self-checks for assignment 5, part 1: heavy-ball momentum on a quadratic.

The learner writes, in plain numpy plus lrlab's public API:

* ``companion_matrix(lr, beta, curvature)``: the 2x2 matrix ``M`` with
  ``(e_{t+1}, e_t) = M (e_t, e_{t-1})`` for heavy ball
  ``theta_{t+1} = theta_t - lr g_t + beta (theta_t - theta_{t-1})`` along one
  eigen-direction of curvature ``lambda`` (``e`` is the error ``theta - theta*``);
* ``heavy_ball_factor(lr, beta, curvatures)``: its spectral radius, the worst over
  the curvatures (what :func:`lrlab.linear_stability.heavy_ball_rate` computes);
* ``heavy_ball_limit(L, beta, tol=1e-6)``: the largest stable rate, found by
  bisection on ``[0, 4/L]`` with the learner's ``heavy_ball_factor(lr, beta, [L]) < 1``
  as the test of stability; it must agree with ``2 (1 + beta) / L`` (the notebook then
  confirms it with a batch of ``lrlab.sgd(lr, momentum=beta)`` runs);
* ``optimal_heavy_ball(mu, L) -> (lr, beta, rate)``: Polyak's (1964) tuning
  (:func:`lrlab.linear_stability.polyak_heavy_ball`) and its factor per step.

``lrlab.sgd(lr, momentum=beta)`` is PyTorch's form (``b_t = beta b_{t-1} + g_t``,
``theta_{t+1} = theta_t - lr b_t``), which is exactly this heavy ball.

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_optimal_heavy_ball
>>> def optimal_heavy_ball(mu, L):
...     root = np.sqrt(L / mu)
...     beta = (root - 1) / (root + 1)             # forgot the square
...     return 4 / (np.sqrt(L) + np.sqrt(mu)) ** 2, beta, np.sqrt(beta)
>>> check_optimal_heavy_ball(optimal_heavy_ball).mistake
'beta_not_squared'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, require_array, run_check

__all__ = ["check_companion_matrix", "check_heavy_ball_factor", "check_heavy_ball_limit",
           "check_optimal_heavy_ball"]


# ------------------------------------------------------------- companion_matrix
def _companion(diagonal: float, off: float) -> np.ndarray:
    return np.array([[diagonal, off], [1.0, 0.0]])


def _companion_ref(lr, beta, curvature):
    return _companion(1.0 + beta - lr * curvature, -beta)


_COMPANION_MISTAKES = [
    Mistake("momentum_sign", "your matrix has the momentum term with the wrong sign: it "
            "describes theta_t - lr g_t + beta (theta_{t-1} - theta_t), a step *against* the "
            "previous one. Heavy ball adds beta times the last step theta_t - theta_{t-1}; "
            "with the sign flipped, the limit becomes 2(1 - beta)/L instead of 2(1 + beta)/L.",
            lambda lr, beta, curvature: _companion(1.0 - beta - lr * curvature, beta)),
    Mistake("no_beta_on_diagonal", "your top-left entry misses beta: e_{t+1} = e_t - lr "
            "lambda e_t + beta (e_t - e_{t-1}), so the coefficient of e_t collects *two* "
            "terms that contain e_t.",
            lambda lr, beta, curvature: _companion(1.0 - lr * curvature, -beta)),
    Mistake("ema_momentum", "your matrix is the moving-average form of momentum (b_t = beta "
            "b_{t-1} + (1 - beta) g_t, as Adam's first moment or PyTorch with "
            "dampening=beta): it scales the gradient by (1 - beta). This assignment (and "
            "lrlab.sgd) uses heavy ball, b_t = beta b_{t-1} + g_t: the full gradient each step.",
            lambda lr, beta, curvature: _companion(1.0 + beta - lr * (1 - beta) * curvature,
                                                   -beta)),
    Mistake("transposed", "your matrix is transposed: with the state (e_t, e_{t-1}) the "
            "first row computes e_{t+1} and the second row just copies e_t. (The eigenvalues "
            "are the same, but the matrix must map the state as stated.)",
            lambda lr, beta, curvature: _companion_ref(lr, beta, curvature).T),
]

_COMPANION_PROBES = [(0.1, 0.5, 3.0), (1.0, 0.0, 1.0), (0.3, 0.9, 10.0), (2.0, 0.25, 0.5)]


def _companion_behaviour(fn, probe):
    lr, beta, curvature = probe
    out = require_array(fn(lr, beta, curvature))
    return [(f"companion_matrix(lr={lr}, beta={beta}, curvature={curvature})", out)]


def check_companion_matrix(companion_matrix: Callable) -> CheckResult:
    """Check ``companion_matrix(lr, beta, curvature)``: heavy ball along one eigen-direction.

    Parameters
    ----------
    companion_matrix : callable
        The learner's function.

    Returns
    -------
    CheckResult
        Truthy when it passed; otherwise ``mistake`` names the likely error.
    """
    return run_check("companion_matrix", companion_matrix, _companion_behaviour,
                     _COMPANION_PROBES, _companion_ref, _COMPANION_MISTAKES)


# ------------------------------------------------------------ heavy_ball_factor
def _curvatures(curvatures) -> np.ndarray:
    return np.atleast_1d(np.asarray(curvatures, dtype=float))


def _factor_variant(kind: str) -> Callable:
    def factor(lr, beta, curvatures):
        lams = _curvatures(curvatures)
        if kind == "only_L":
            lams = np.array([lams.max()])
        values = []
        for lam in lams:
            M = _companion_ref(lr, beta, lam)
            if kind == "eigvalsh":
                values.append(np.abs(np.linalg.eigvalsh(M)).max())
            elif kind == "spectral_norm":
                values.append(np.linalg.norm(M, 2))
            elif kind == "real_part":
                values.append(np.linalg.eigvals(M).real.max())
            else:
                values.append(np.abs(np.linalg.eigvals(M)).max())
        return float(max(values))
    return factor


_FACTOR_MISTAKES = [
    Mistake("only_L", "your factor looks only at the largest curvature L. The sharpest "
            "direction decides the stability limit, but the *speed* is often set by the "
            "flattest one (mu): at a small rate, 1 + beta - lr mu is close to 1 + beta and its "
            "root close to 1. Take the worst over all the curvatures.",
            _factor_variant("only_L")),
    Mistake("eigvalsh", "your factor uses numpy.linalg.eigvalsh (or eigh), which assumes a "
            "symmetric matrix and reads only its lower triangle. The companion matrix is not "
            "symmetric, and its eigenvalues are often complex: use numpy.linalg.eigvals.",
            _factor_variant("eigvalsh")),
    Mistake("spectral_norm", "your factor is the largest singular value (the matrix 2-norm), "
            "not the spectral radius. For a non-symmetric matrix the norm can exceed 1 while "
            "every eigenvalue is inside the unit circle; the long-run factor per step is the "
            "largest *modulus of an eigenvalue*.", _factor_variant("spectral_norm")),
    Mistake("real_part", "your factor takes the largest real part of the eigenvalues. They "
            "are often complex (the error spirals) or negative (it flips sign): their "
            "*modulus* is what multiplies the error each step.", _factor_variant("real_part")),
]

_FACTOR_PROBES = [(0.5, 0.3, [0.1, 1.0]), (2.5, 0.5, np.array([0.2, 1.0])), (3.5, 0.5, [1.0]),
                  (1.0, 0.0, [0.5, 1.5]), (0.8, 0.6, np.array([0.05, 0.7, 2.0]))]


def _factor_behaviour(fn, probe):
    lr, beta, curvatures = probe
    value = fn(lr, beta, curvatures)
    lams = np.round(_curvatures(curvatures), 3).tolist()
    return [(f"heavy_ball_factor(lr={lr}, beta={beta}, curvatures={lams})", value)]


def check_heavy_ball_factor(heavy_ball_factor: Callable) -> CheckResult:
    """Check ``heavy_ball_factor(lr, beta, curvatures)``: the worst spectral radius.

    It uses the learner's own ``companion_matrix``; check that one first.
    """
    return run_check("heavy_ball_factor", heavy_ball_factor, _factor_behaviour,
                     _FACTOR_PROBES, _factor_variant("ref"), _FACTOR_MISTAKES)


# ------------------------------------------------------------- heavy_ball_limit
def _limit_ref(L, beta, tol=1e-6):
    """The limit the bisection must find: ``2 (1 + beta) / L``."""
    return 2.0 * (1.0 + beta) / L


def _bisect_limit(L, beta, tol=1e-6, *, factor=None):
    """The bisection the learner writes, on the spectral radius (tested against the formula)."""
    factor = _factor_variant("ref") if factor is None else factor
    low, high = 0.0, 4.0 / L
    while high - low > tol:
        mid = 0.5 * (low + high)
        if factor(mid, beta, [L]) < 1:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def _swapped_limit(L, beta, tol=1e-6):
    # With swapped branches every stable midpoint moves `high` down: the interval
    # collapses onto 0 (every rate below the limit is stable).
    high = 4.0 / L
    while high > tol:
        high *= 0.5
    return 0.5 * high


_LIMIT_MISTAKES = [
    Mistake("no_momentum", "your limit is 2/L, the limit of plain gradient descent: the "
            "factors you bisect on are computed without the momentum (pass beta on). With "
            "heavy ball the limit moves up to 2(1 + beta)/L.",
            lambda L, beta, tol=1e-6: 2.0 / L),
    Mistake("one_minus_beta", "your limit is 2(1 - beta)/L, but momentum *raises* the limit. "
            "If you bisect on heavy_ball_factor, check the sign of beta in your "
            "companion_matrix; by hand: at the limit the companion matrix has the eigenvalue "
            "-1, so put z = -1 into z^2 - (1 + beta - lr L) z + beta and solve for lr.",
            lambda L, beta, tol=1e-6: 2.0 * (1 - beta) / L),
    Mistake("swapped_branches", "your bisection moves the wrong end of the interval: when the "
            "factor at the midpoint is below 1 (stable), the limit lies *above* the midpoint.",
            _swapped_limit),
    Mistake("capped_at_4_over_L", "your limit is the top of the bracket, 4/L: every rate "
            "counted as stable. A rate is stable when the factor per step is below 1.",
            lambda L, beta, tol=1e-6: 4.0 / L),
]

_LIMIT_PROBES = [(1.0, 0.5), (10.0, 0.9), (4.0, 0.0), (0.5, 0.2)]


def _limit_behaviour(fn, probe):
    L, beta = probe
    return [(f"heavy_ball_limit(L={L}, beta={beta})", fn(L, beta), 1e-4)]


def check_heavy_ball_limit(heavy_ball_limit: Callable) -> CheckResult:
    """Check ``heavy_ball_limit(L, beta, tol=1e-6)`` against ``2 (1 + beta) / L``.

    It uses the learner's own ``heavy_ball_factor``; check that one first.
    """
    return run_check("heavy_ball_limit", heavy_ball_limit, _limit_behaviour, _LIMIT_PROBES,
                     _limit_ref, _LIMIT_MISTAKES, rtol=1e-4)


# ----------------------------------------------------------- optimal_heavy_ball
def _optimal_variant(kind: str) -> Callable:
    def optimal(mu, L):
        root = np.sqrt(L / mu) if kind != "kappa_not_sqrt" else L / mu
        beta = ((root - 1) / (root + 1)) ** (1 if kind == "beta_not_squared" else 2)
        lr = (2.0 if kind == "lr_two" else 4.0) / (np.sqrt(L) + np.sqrt(mu)) ** 2
        rate = beta if kind == "rate_is_beta" else np.sqrt(beta)
        if kind == "gd_tuning":
            lr, beta, rate = 2.0 / (mu + L), 0.0, (L - mu) / (L + mu)
        return float(lr), float(beta), float(rate)
    return optimal


_OPTIMAL_MISTAKES = [
    Mistake("beta_not_squared", "your momentum is (sqrt(kappa) - 1)/(sqrt(kappa) + 1), "
            "which is the *factor per step*; Polyak's momentum is its square (the factor is "
            "sqrt(beta) when the roots are complex).", _optimal_variant("beta_not_squared")),
    Mistake("kappa_not_sqrt", "your momentum uses kappa where Polyak's tuning has "
            "sqrt(kappa): solving lr mu = (1 - sqrt(beta))^2 and lr L = (1 + sqrt(beta))^2 "
            "gives sqrt(kappa) = (1 + sqrt(beta)) / (1 - sqrt(beta)).",
            _optimal_variant("kappa_not_sqrt")),
    Mistake("lr_two", "your learning rate is half of Polyak's: from lr L = (1 + sqrt(beta))^2 "
            "and lr mu = (1 - sqrt(beta))^2, add the square roots of both.",
            _optimal_variant("lr_two")),
    Mistake("rate_is_beta", "your factor per step is beta; with complex roots z and its "
            "conjugate, |z|^2 = z * conj(z) = beta (the constant term of the characteristic "
            "polynomial), so the factor is sqrt(beta).", _optimal_variant("rate_is_beta")),
    Mistake("gd_tuning", "you returned gradient descent's best tuning (lr = 2/(mu + L), no "
            "momentum, factor (kappa - 1)/(kappa + 1)); the question asks for heavy ball's.",
            _optimal_variant("gd_tuning")),
]

_OPTIMAL_PROBES = [(0.1, 1.0), (1.0, 100.0), (2.0, 8.0)]


def _optimal_behaviour(fn, probe):
    mu, L = probe
    out = fn(mu, L)
    if isinstance(out, np.ndarray):
        out = tuple(out.tolist())
    return [(f"optimal_heavy_ball(mu={mu}, L={L}) -> (lr, beta, rate)",
             tuple(out) if isinstance(out, list) else out)]


def check_optimal_heavy_ball(optimal_heavy_ball: Callable) -> CheckResult:
    """Check ``optimal_heavy_ball(mu, L) -> (lr, beta, rate)``: Polyak's tuning."""
    return run_check("optimal_heavy_ball", optimal_heavy_ball, _optimal_behaviour,
                     _OPTIMAL_PROBES, _optimal_variant("ref"), _OPTIMAL_MISTAKES)
