r"""The online-parabola rule: per-coordinate rate :math:`\sigma_\theta/\sigma_g`.

On a parabola :math:`f(\theta) = \tfrac{c}{2}(\theta - p)^2` the gradient is a
straight line in :math:`\theta`: :math:`g = c(\theta - p)`. Any cloud of
recent points :math:`(\theta_s, g_s)` lies on that line, so the ratio of their
standard deviations is its inverse slope, :math:`\sigma_\theta/\sigma_g =
1/|c|`, and the step :math:`-g/c` lands *exactly* on the minimum
:math:`p` (where the line crosses :math:`g = 0`): Newton's step, found
from first-order information only. On a general function the moving
averages fit the best local parabola per coordinate (Duda 2019).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_int
from ._util import hyper
from .base import Rule, run_shape

__all__ = ["ParabolaState", "parabola"]


class ParabolaState(NamedTuple):
    """State of :func:`parabola`: exponentially weighted statistics per coordinate.

    Attributes
    ----------
    mean_theta, mean_grad : ndarray
        Weighted means of :math:`\\theta` and :math:`g`.
    var_theta, var_grad : ndarray
        Weighted variances :math:`\\overline{\\theta^2} - \\bar\\theta^2` and
        :math:`\\overline{g^2} - \\bar g^2`.
    weight : float or ndarray (run shape + (1,))
        Total weight :math:`W_t = \\sum_{s \\le t} \\beta^{t-s}` (bias correction).
    rate : ndarray
        Per-coordinate step size of the last step (NaN before it).
    lr : float or ndarray
        Geometric mean of ``rate`` over the coordinates (run shape).
    """

    mean_theta: Any
    mean_grad: Any
    var_theta: Any
    var_grad: Any
    weight: Any
    rate: Any
    lr: Any


def parabola(beta: Any = 0.9, *, warmup: int = 2, warmup_lr: Any = 1e-3, lr_min: Any = 1e-8,
             lr_max: Any = 10.0, eps: Any = 1e-12) -> Rule:
    r"""Per-coordinate rate :math:`\sigma_\theta/\sigma_g` from moving averages (online parabola).

    Parameters
    ----------
    beta : float or array in [0, 1)
        Decay of the exponential moving averages of :math:`\theta, g,
        \theta^2, g^2` (memory about :math:`1/(1-\beta)` steps; default 0.9).
    warmup : int >= 1
        Number of first steps taken with ``warmup_lr`` while there is no
        spread of points to fit yet (default 2).
    warmup_lr : float or array > 0
        Rate of the warm-up steps, and of any coordinate whose gradient has
        not varied (:math:`\mathrm{var}(g) \le \epsilon`) (default 1e-3).
    lr_min, lr_max : float or array, 0 < lr_min <= lr_max
        The estimate is clipped to ``[lr_min, lr_max]`` (defaults 1e-8, 10):
        a nearly flat coordinate (tiny :math:`\sigma_g`) would otherwise get
        an enormous step.
    eps : float or array >= 0
        :math:`\epsilon`: a gradient variance at or below it counts as "no
        curvature information" (default 1e-12).

    Returns
    -------
    Rule
        State :class:`ParabolaState`; ``state.lr`` is the geometric mean of
        the per-coordinate rates (the trainer records it).

    Notes
    -----
    With weights :math:`\beta^{t-s}` normalised by :math:`W_t = \sum_{s\le t}
    \beta^{t-s}` (the bias correction of Adam), per coordinate,

    .. math::
        \sigma_\theta^2 &= \overline{\theta^2} - \bar\theta^{\,2}, \qquad
        \sigma_g^2 = \overline{g^2} - \bar g^{\,2} \\
        \eta_t &= \begin{cases}
        \eta_{\text{warm}} & t < T_{\text{warm}} \text{ or } \sigma_g^2 \le \epsilon \\
        \operatorname{clip}\big(\sigma_\theta/\sigma_g,\ \eta_{\min},\ \eta_{\max}\big)
        & \text{otherwise}\end{cases} \\
        \theta_{t+1} &= \theta_t - \eta_t\, g_t

    The variances are computed with the numerically stable weighted update
    (West 1979): :math:`\delta = x - \bar x`, :math:`\bar x \mathrel{+}=
    \delta/W_t`, :math:`\sigma^2 \leftarrow (1 - 1/W_t)(\sigma^2 + \delta^2/W_t)`,
    which equals :math:`\overline{x^2} - \bar x^2` without its catastrophic
    cancellation once the iterates have nearly converged.

    *Why one step.* On :math:`f = \tfrac c2 (\theta - p)^2`, every recorded pair
    satisfies :math:`g_s = c(\theta_s - p)`, so :math:`\sigma_g = |c|\,\sigma_\theta`
    for any weights, and once two distinct points have been seen the rate is
    :math:`1/|c|`: the step :math:`-g_t/c = -(\theta_t - p)` lands on :math:`p`.
    The same holds per coordinate for a separable quadratic; with coupled
    coordinates or noise the estimate is a regression of :math:`g` on
    :math:`\theta` per coordinate, i.e. a diagonal, noisy curvature estimate.
    Taking the ratio of standard deviations ignores the sign of the slope:
    on a concave direction the step still goes downhill (away from the
    maximum), which a Newton step would not do. Duda (2019) fits the same line
    by linear regression (:math:`\mathrm{cov}(\theta, g)/\mathrm{var}(\theta)`)
    inside SGD with momentum; this rule is the plain-SGD version described in
    the original question.

    Examples
    --------
    On a 1-D parabola of curvature 4, the rule lands on the minimum right
    after its one warm-up step:

    >>> from lrlab import train
    >>> from lrlab.surfaces import Quadratic
    >>> h = train(Quadratic([[4.0]], x0=[1.0]), parabola(warmup=1, warmup_lr=0.01), 3)
    >>> h.lr  # warm-up, then 1/c
    array([0.01, 0.25, 0.25])
    >>> bool(abs(h.params[2, 0]) < 1e-15)
    True

    References
    ----------
    Duda (2019), "SGD momentum optimizer with step estimation by online
    parabola model", arXiv:1907.07063.
    West (1979), "Updating mean and variance estimates: an improved method",
    Communications of the ACM 22(9).
    """
    owner = "parabola"
    beta_, beta_c = hyper(beta, "beta", owner, low=0, high=1, high_open=True)
    warmup = check_int(warmup, "warmup", owner, low=1)
    warm_, warm_c = hyper(warmup_lr, "warmup_lr", owner, low=0, low_open=True)
    lo_, lo_c = hyper(lr_min, "lr_min", owner, low=0, low_open=True)
    hi_, hi_c = hyper(lr_max, "lr_max", owner, low=0, low_open=True)
    if np.any(np.asarray(lo_) > np.asarray(hi_)):
        raise ValueError(f"The 'lr_min' parameter of parabola must be <= lr_max. "
                         f"Got lr_min={lr_min!r}, lr_max={lr_max!r} instead.")
    eps_, eps_c = hyper(eps, "eps", owner, low=0)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        zeros = np.zeros_like(theta)
        return ParabolaState(zeros, zeros, zeros, zeros, 0.0 * beta_c,
                             np.full_like(theta, np.nan), _geomean(warm_c + zeros))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        weight = state.weight * beta_c + 1.0
        mean_theta, var_theta = _weighted(state.mean_theta, state.var_theta, theta, weight)
        mean_grad, var_grad = _weighted(state.mean_grad, state.var_grad, grad, weight)
        flat = var_grad <= eps_c
        ratio = np.sqrt(var_theta / np.where(flat, 1.0, var_grad))
        rate = np.where(flat | (t < warmup), warm_c, np.clip(ratio, lo_c, hi_c))
        return -rate * grad, ParabolaState(mean_theta, mean_grad, var_theta, var_grad,
                                           weight, rate, _geomean(rate))

    formula = (
        r"\sigma_\theta^2 = \overline{\theta^2} - \bar\theta^{\,2},\quad "
        r"\sigma_g^2 = \overline{g^2} - \bar g^{\,2} \\ "
        r"\eta_t = \operatorname{clip}\!\left(\frac{\sigma_\theta}{\sigma_g}, "
        r"\eta_{\min}, \eta_{\max}\right) \ (\eta_{\text{warm}} \text{ while } "
        r"t < T_{\text{warm}} \text{ or } \sigma_g^2 \le \epsilon) \\ "
        r"\theta_{t+1} = \theta_t - \eta_t\, g_t"
    )
    return Rule(
        init=init, update=update, name="Online parabola", factory="parabola", formula=formula,
        hyperparams={"beta": beta, "warmup": warmup, "warmup_lr": warmup_lr, "lr_min": lr_min,
                     "lr_max": lr_max, "eps": eps},
        torch="no torch counterpart", batch_shape=run_shape(beta_, warm_, lo_, hi_, eps_),
    )


def _weighted(mean, var, x, weight):
    """One step of the exponentially weighted mean and variance (West 1979)."""
    inv = 1.0 / weight
    delta = x - mean
    mean = mean + delta * inv
    var = (1.0 - inv) * (var + delta * delta * inv)
    return mean, var


def _geomean(rate):
    return np.exp(np.mean(np.log(rate), axis=-1))
