r"""Step sizes from the loss value (Polyak) and from the last two gradients (Barzilai–Borwein).

Both rules are gradient descent :math:`\theta_{t+1} = \theta_t - \eta_t g_t`
with an :math:`\eta_t` computed afresh at every step, at no extra cost in
function evaluations. They are re-exported by :mod:`lrlab.rules.linesearch`.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice, check_real, fail
from ..problem import dot_last as _dot
from .base import Rule, require_input, run_shape

__all__ = ["barzilai_borwein", "polyak"]


def _one_run(grad: np.ndarray, lr: Any) -> bool:
    """One run, one parameter vector: the rules' steps in Python floats (the same bits).

    A step size is then a quotient of two finite positive floats, clipped: IEEE
    doubles in Python give the bits the array path's ``np.where`` chain gives,
    without a dozen ufunc calls per step. Anything else (a batch of runs,
    non-finite or zero quantities) takes the array path.
    """
    return grad.ndim == 1 and np.ndim(lr) == 0


# ------------------------------------------------------------------------- Polyak
class PolyakState(NamedTuple):
    """The Polyak step used at the last step (one per run)."""

    lr: Any


def polyak(f_star: Any, *, gamma: Any = 1.0, max_lr: float | None = None) -> Rule:
    r"""Polyak's step size :math:`\eta_t = \gamma\,(f(\theta_t) - f^\star)/\|g_t\|^2`.

    Parameters
    ----------
    f_star : float or array
        The optimal value :math:`f^\star` (or a lower bound). The rule does not
        see the problem, so pass it: ``polyak(problem.f_star)``; ``0`` is a
        valid lower bound of any non-negative loss and exact for models that
        interpolate their data (the SPS setting). An array gives one run per
        entry, to see what a wrong :math:`f^\star` does.
    gamma : float or array in (0, 2]
        Relaxation factor (``1/c`` in the SPS paper); Polyak's analysis
        allows :math:`0 < \gamma < 2`. On a 1-D quadratic ``gamma = 1`` goes
        half way to the minimum and ``gamma = 2`` lands on it.
    max_lr : float > 0, optional
        Cap on the step (SPS\ :sub:`max`); ``None`` means no cap.

    Returns
    -------
    Rule
        Needs ``loss``.

    Notes
    -----
    .. math::
        \eta_t = \min\Bigl(\gamma\,\frac{\max(f(\theta_t) - f^\star,\, 0)}
                 {\|g_t\|^2},\ \eta_{\max}\Bigr),\qquad
        \theta_{t+1} = \theta_t - \eta_t\, g_t

    (:math:`\eta_t = 0` where :math:`g_t = 0`). For convex :math:`f` this
    step minimises the upper bound
    :math:`\|\theta_t - \eta g_t - \theta^\star\|^2 \le \|\theta_t - \theta^\star\|^2
    - 2\eta (f(\theta_t) - f^\star) + \eta^2\|g_t\|^2` on the distance to the
    solution, so the distance decreases at every step without knowing
    :math:`L`. On a quadratic :math:`\tfrac12 x^\top A x` it equals
    :math:`\tfrac12\, x^\top A x / x^\top A^2 x \in [1/(2L), 1/(2\mu)]`:
    half the exact line-search step in 1-D. An :math:`f^\star` that is too
    high stalls the run (:math:`\eta = 0` once :math:`f \le f^\star`); one
    that is too low keeps the steps too long near the minimum.

    With minibatches, ``loss`` and :math:`g_t` are the minibatch loss and
    gradient; then :math:`f^\star` should be the minibatch minimum (0 for
    interpolating models), as in SPS.

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
    >>> h = lrlab.train(bowl, polyak(bowl.f_star), 200)
    >>> h.final_loss < 1e-10
    True
    >>> rule = polyak(0.0)
    >>> step, state = rule.update(np.array([2.0]), rule.init(np.ones(1)), np.ones(1),
    ...                           t=0, loss=np.array(2.0))
    >>> float(state.lr), step                  # (2 - 0) / 2**2 = 0.5
    (0.5, array([-1.]))

    References
    ----------
    Polyak (1987), *Introduction to Optimization*, section 5.3.
    Hazan & Kakade (2019), "Revisiting the Polyak step size", arXiv:1905.00313.
    Loizou, Vaswani, Laradji & Lacoste-Julien (2021), "Stochastic Polyak step-size
    for SGD: an adaptive learning rate for fast convergence", AISTATS.
    """
    owner = "polyak"
    if f_star is None:
        raise TypeError(
            "polyak needs f_star, the optimal loss value; a rule does not see the problem, "
            "so pass it: polyak(problem.f_star), or polyak(0.0) for a non-negative loss "
            "that can reach zero."
        )
    f_star = check_real(f_star, "f_star", owner, allow_array=True)
    gamma = check_real(gamma, "gamma", owner, low=0, high=2, low_open=True, allow_array=True)
    if max_lr is not None:
        max_lr = check_real(max_lr, "max_lr", owner, low=0, low_open=True)
    cap = np.inf if max_lr is None else max_lr
    scalar = np.ndim(f_star) == 0 and np.ndim(gamma) == 0
    f_star_, gamma_, cap_ = (float(f_star), float(gamma), float(cap)) if scalar else (0, 0, 0)

    def init(theta):
        return PolyakState(np.full(run_shape(theta[..., 0], f_star, gamma), np.nan))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        require_input(loss, "loss", owner)
        if scalar and _one_run(grad, state.lr) and np.ndim(loss) == 0:
            gg, gap = float(_dot(grad, grad)), float(loss) - f_star_
            if 0.0 < gg < math.inf and 0.0 < gap < math.inf:   # else: zeros' signs, NaN
                eta = gamma_ * gap / gg
                eta = cap_ if eta > cap_ else eta
                return (-eta) * grad, PolyakState(np.array(eta))
        with np.errstate(all="ignore"):
            gg = _dot(grad, grad)
            gap = np.maximum(np.asarray(loss, dtype=float) - f_star, 0.0)
            eta = np.where(gg > 0, gamma * gap / np.where(gg > 0, gg, 1.0), 0.0)
            eta = np.minimum(eta, cap)
            eta = np.where(np.isnan(gg) | np.isnan(gap), np.nan, eta)
        return -eta[..., None] * grad, PolyakState(eta)

    formula = (r"\eta_t = \min\Bigl(\gamma\,\frac{\max(f(\theta_t) - f^\star, 0)}"
               r"{\|g_t\|^2},\ \eta_{\max}\Bigr),\quad \theta_{t+1} = \theta_t - \eta_t\, g_t")
    return Rule(init=init, update=update, name="polyak", factory="polyak", formula=formula,
                hyperparams={"f_star": f_star, "gamma": gamma, "max_lr": max_lr},
                needs=frozenset({"loss"}), batch_shape=run_shape(f_star, gamma))


# ------------------------------------------------------------------ Barzilai–Borwein
class BBState(NamedTuple):
    """Last step size and the previous iterate and gradient (``None`` before step 0)."""

    lr: Any
    prev_theta: Any
    prev_grad: Any


def barzilai_borwein(variant: str = "long", lr0: Any = 1e-3, *, lr_min: float = 1e-10,
                     lr_max: float = 1e10) -> Rule:
    r"""Barzilai–Borwein step sizes: a secant estimate of 1/curvature from two gradients.

    Parameters
    ----------
    variant : {'long', 'short'}
        ``'long'`` is BB1 :math:`s^\top s / s^\top y`, ``'short'`` is BB2
        :math:`s^\top y / y^\top y` (never longer than BB1, by Cauchy–Schwarz).
    lr0 : float or array in (0, inf)
        Step size of the first step, before there are two gradients; an
        array gives one run per entry.
    lr_min, lr_max : float
        Safeguards: the step is clipped to ``[lr_min, lr_max]``.

    Returns
    -------
    Rule

    Notes
    -----
    With :math:`s = \theta_t - \theta_{t-1}` and :math:`y = g_t - g_{t-1}`:

    .. math::
        \eta_t = \operatorname{clip}\Bigl(\frac{s^\top s}{s^\top y}\ \text{(long) or }
                 \frac{s^\top y}{y^\top y}\ \text{(short)},\ \eta_{\min}, \eta_{\max}\Bigr),
        \qquad \theta_{t+1} = \theta_t - \eta_t\, g_t

    :math:`\eta_0 =` ``lr0``, and where :math:`s^\top y \le 0` (negative
    curvature along :math:`s`, or no move) the previous step is kept. Both
    quotients are inverse Rayleigh quotients of the average Hessian along
    the last move, so they lie in :math:`[1/L, 1/\mu]` on a convex quadratic:
    each step fits the curvature of the last move. The loss is **not
    monotone**: a long step tuned to a flat direction overshoots a steep one,
    and the next step corrects it. Yet on strictly convex quadratics the
    method converges (Raydan 1993), often much faster than any constant step.
    Elsewhere nothing forces the loss down: from Rosenbrock's standard start
    BB1 diverges with the default ``lr_max``, while ``lr_max=0.1`` or the short
    variant converge; Raydan (1997) adds a non-monotone line search for this.
    The gradients come from consecutive minibatches when ``batch_size`` is
    set, which makes :math:`y` noisy; BB is a deterministic method.

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 100.0])
    >>> h = lrlab.train(bowl, barzilai_borwein("long", lr0=1e-3), 60)
    >>> bool(h.final_loss < 1e-12), bool(np.any(np.diff(h.loss) > 0))   # converges, not monotone
    (True, True)

    References
    ----------
    Barzilai & Borwein (1988), "Two-point step size gradient methods", IMA J. Numer.
    Anal. 8(1), 141–148.
    Raydan (1993), "On the Barzilai and Borwein choice of steplength for the gradient
    method", IMA J. Numer. Anal. 13(3), 321–326.
    Raydan (1997), "The Barzilai and Borwein gradient method for the large scale
    unconstrained minimization problem", SIAM J. Optim. 7(1), 26–33.
    """
    owner = "barzilai_borwein"
    check_choice(variant, "variant", owner, ("long", "short"))
    lr0 = check_real(lr0, "lr0", owner, low=0, low_open=True, allow_array=True)
    lr_min = check_real(lr_min, "lr_min", owner, low=0, low_open=True)
    lr_max = check_real(lr_max, "lr_max", owner, low=0, low_open=True)
    if lr_min > lr_max:
        fail(lr_min, "lr_min", owner, allowed=f"at most lr_max={lr_max!r}")
    long = variant == "long"

    def init(theta):
        return BBState(np.full(run_shape(theta[..., 0], lr0), np.nan), None, None)

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        if state.prev_theta is None:
            eta = np.clip(np.broadcast_to(lr0, state.lr.shape), lr_min, lr_max)
        else:
            fast = _bb_one_run(grad, state, theta, long, lr_min, lr_max) \
                if _one_run(grad, state.lr) else None
            if fast is not None:
                return fast
            with np.errstate(all="ignore"):
                s, y = theta - state.prev_theta, grad - state.prev_grad
                sy = _dot(s, y)
                ok = np.isfinite(sy) & (sy > 0)
                num, den = (_dot(s, s), sy) if long else (sy, _dot(y, y))
                eta = np.where(ok, num / np.where(ok, den, 1.0), state.lr)
                eta = np.clip(np.where(np.isnan(eta), state.lr, eta), lr_min, lr_max)
        eta = np.array(eta, dtype=float)
        return -eta[..., None] * grad, BBState(eta, theta, grad)

    quotient = r"\frac{s^\top s}{s^\top y}" if long else r"\frac{s^\top y}{y^\top y}"
    formula = (r"s = \theta_t - \theta_{t-1},\ y = g_t - g_{t-1},\quad \eta_t = "
               r"\operatorname{clip}\Bigl(" + quotient + r",\ \eta_{\min}, \eta_{\max}\Bigr)"
               r",\quad \theta_{t+1} = \theta_t - \eta_t\, g_t")
    return Rule(init=init, update=update, name="barzilai_borwein", factory="barzilai_borwein",
                formula=formula,
                hyperparams={"variant": variant, "lr0": lr0, "lr_min": lr_min, "lr_max": lr_max},
                batch_shape=run_shape(lr0))


def _bb_one_run(grad, state, theta, long, lr_min, lr_max) -> tuple | None:
    """Barzilai-Borwein's step for one run in Python floats (None: take the array path)."""
    with np.errstate(all="ignore"):
        s, y = theta - state.prev_theta, grad - state.prev_grad
    sy = float(_dot(s, y))
    if not (0.0 < sy < math.inf):
        return None        # the previous step is kept: the array path says so
    num, den = (float(_dot(s, s)), sy) if long else (sy, float(_dot(y, y)))
    if not (0.0 < den < math.inf and 0.0 <= num < math.inf):
        return None
    eta = num / den
    eta = lr_max if eta > lr_max else lr_min if eta < lr_min else eta
    return (-eta) * grad, BBState(np.array(eta), theta, grad)
