r"""The online-parabola rule: a per-coordinate rate from the line through :math:`(\theta, g)`.

On a parabola :math:`f(\theta) = \tfrac{c}{2}(\theta - p)^2` the gradient is a
straight line in :math:`\theta`: :math:`g = c(\theta - p)`. Any cloud of
recent points :math:`(\theta_s, g_s)` lies on that line, and its inverse slope
:math:`1/c` is the step :math:`-g/c` that lands *exactly* on the minimum
:math:`p` (where the line crosses :math:`g = 0`): Newton's step, found from
first-order information only. Two estimators of the slope, per coordinate,
from exponential moving averages:

* ``estimator="ratio"`` (the original question's answer):
  :math:`\sigma_\theta/\sigma_g = 1/|c|`. Gradient noise adds its variance to
  :math:`\sigma_g^2`, so under noise the rate is biased *low*; the sign of
  :math:`c` is lost.
* ``estimator="regression"`` (Duda 2019): the least-squares slope of
  :math:`g` on :math:`\theta`, :math:`\mathrm{cov}(\theta, g)/\mathrm{var}(\theta)
  = c`. Noise uncorrelated with :math:`\theta` (a minibatch gradient's, given
  :math:`\theta`) leaves the covariance unbiased, and the slope keeps its sign.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice, check_int
from ._util import hyper
from .base import Rule, run_shape

__all__ = ["ESTIMATORS", "ParabolaState", "parabola"]

#: The slope estimators of :func:`parabola`.
ESTIMATORS = ("ratio", "regression")


class ParabolaState(NamedTuple):
    """State of :func:`parabola`: exponentially weighted statistics per coordinate.

    Attributes
    ----------
    mean_theta, mean_grad : ndarray
        Weighted means :math:`\\bar\\theta` and :math:`\\bar g`.
    var_theta, var_grad : ndarray
        Weighted variances :math:`\\overline{\\theta^2} - \\bar\\theta^2` and
        :math:`\\overline{g^2} - \\bar g^2`.
    cov : ndarray
        Weighted covariance :math:`\\overline{\\theta g} - \\bar\\theta\\,\\bar g`.
    weight : float or ndarray (run shape + (1,))
        Total weight :math:`W_t = \\sum_{s \\le t} \\beta^{t-s}` (bias correction).
    curvature : ndarray
        The curvature the estimator sees: :math:`\\sigma_g/\\sigma_\\theta \\ge 0`
        (ratio) or the signed slope :math:`\\mathrm{cov}/\\mathrm{var}(\\theta)`
        (regression); NaN where :math:`\\theta` has not varied.
    rate : ndarray
        Per-coordinate step size of the last step (NaN before it).
    lr : float or ndarray
        Geometric mean of ``rate`` over the coordinates (run shape).
    """

    mean_theta: Any
    mean_grad: Any
    var_theta: Any
    var_grad: Any
    cov: Any
    weight: Any
    curvature: Any
    rate: Any
    lr: Any


def parabola(beta: Any = 0.9, *, estimator: str = "ratio", warmup: int = 2, warmup_lr: Any = 1e-3,
             lr_min: Any = 1e-8, lr_max: Any = 10.0, eps: Any = 1e-12) -> Rule:
    r"""Per-coordinate rate :math:`1/|\hat c|` from moving averages (online parabola).

    Parameters
    ----------
    beta : float or array in [0, 1)
        Decay of the exponential moving averages (memory about
        :math:`1/(1-\beta)` steps; default 0.9). Under gradient noise the
        regression estimator needs a long memory (e.g. 0.99): its error
        shrinks like :math:`\sqrt{1-\beta}`.
    estimator : {'ratio', 'regression'}
        ``'ratio'``: :math:`\hat c = \sigma_g/\sigma_\theta`, the rule of the
        original question (default). ``'regression'``: :math:`\hat c =
        \mathrm{cov}(\theta, g)/\mathrm{var}(\theta)`, the least-squares slope
        (Duda 2019), unbiased by noise and signed.
    warmup : int >= 1
        Number of first steps taken with ``warmup_lr`` while there is no
        spread of points to fit yet (default 2).
    warmup_lr : float or array > 0
        Rate of the warm-up steps, and of any coordinate whose gradient has
        not varied (:math:`\mathrm{var}(g) \le \epsilon`) (default 1e-3).
    lr_min, lr_max : float or array, 0 < lr_min <= lr_max
        The rate is clipped to ``[lr_min, lr_max]`` (defaults 1e-8, 10):
        a nearly flat coordinate (:math:`\hat c \approx 0`) would otherwise get
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
        \sigma_\theta^2 &= \overline{\theta^2} - \bar\theta^{\,2}, \quad
        \sigma_g^2 = \overline{g^2} - \bar g^{\,2}, \quad
        \sigma_{\theta g} = \overline{\theta g} - \bar\theta\,\bar g \\
        \hat c &= \sigma_g/\sigma_\theta \ \text{(ratio)}, \qquad
        \hat c = \sigma_{\theta g}/\sigma_\theta^2 \ \text{(regression)} \\
        \eta_t &= \begin{cases}
        \eta_{\text{warm}} & t < T_{\text{warm}} \text{ or } \sigma_g^2 \le \epsilon \\
        \operatorname{clip}\big(1/|\hat c|,\ \eta_{\min},\ \eta_{\max}\big)
        & \text{otherwise}\end{cases} \\
        \theta_{t+1} &= \theta_t - \eta_t\, g_t

    (:math:`1/|\hat c|` is :math:`\sigma_\theta/\sigma_g` for the ratio and
    :math:`\sigma_\theta^2/|\sigma_{\theta g}|` for the regression; where the
    denominator is 0 it is :math:`+\infty`, clipped to :math:`\eta_{\max}`, or
    0, clipped to :math:`\eta_{\min}`, if :math:`\sigma_\theta = 0` too.)
    The moments are computed with the numerically stable weighted update
    (West 1979): :math:`\delta_x = x - \bar x`, :math:`\bar x \mathrel{+}=
    \delta_x/W_t`, :math:`\sigma_{xy} \leftarrow (1 - 1/W_t)(\sigma_{xy} +
    \delta_x\delta_y/W_t)`, which equals :math:`\overline{xy} - \bar x\,\bar y`
    without its catastrophic cancellation once the iterates have nearly
    converged.

    *Why one step.* On :math:`f = \tfrac c2 (\theta - p)^2`, every recorded pair
    satisfies :math:`g_s = c(\theta_s - p)`, so both estimators give
    :math:`|\hat c| = |c|` for any weights, and once two distinct points have
    been seen the step :math:`-g_t/c = -(\theta_t - p)` lands on :math:`p`.
    The same holds per coordinate for a separable quadratic; with coupled
    coordinates the estimate is a diagonal curvature.

    *Under noise.* With :math:`g_s = c(\theta_s - p) + \xi_s`, where the noise
    has variance :math:`s^2` and is uncorrelated with :math:`\theta_s`, the
    expected moments are :math:`\mathbb E\,\sigma_g^2 = (c^2 v + s^2)\,k` and
    :math:`\mathbb E\,\sigma_{\theta g} = c\,v\,k` for :math:`\mathbb E\,
    \sigma_\theta^2 = v\,k` (with :math:`k = 1 - \sum_s w_s^2`, :math:`w_s =
    \beta^{t-s}/W_t`, for independent draws of variance :math:`v`). The ratio
    therefore estimates :math:`\frac{1}{|c|}\sqrt{c^2 v/(c^2 v + s^2)}`: biased
    low, by a factor that tends to 0 as the iterates settle (:math:`v \to 0`)
    and the noise dominates. In closed loop, near a minimum where the noise
    dominates, the ratio rule settles at about *half* the Newton rate,
    :math:`1/(2c)`, whatever :math:`s` (the stationary variances of
    :math:`\theta_{t+1} - p = (1 - a)(\theta_t - p) - (a/c)\xi_t` with
    :math:`\eta = a/c` give :math:`\sigma_\theta/\sigma_g = \sqrt{a/2}/c`, whose
    fixed point is :math:`a = 1/2`; a long memory reaches it). The
    regression's expected covariance is unbiased, but its estimate has a
    relative error of about :math:`s/(|c|\,\sigma_\theta\sqrt{N})` with
    :math:`N \approx (1+\beta)/(1-\beta)` points, so it needs a long memory.

    *Negative curvature.* The ratio has no sign: on a concave coordinate it
    steps downhill with rate :math:`1/|c|`, *not* to the point where the line
    crosses :math:`g = 0` (that point is the maximum). The regression's
    :math:`\hat c` is negative there (``state.curvature`` shows it); the rule
    still uses :math:`1/|\hat c|`, the saddle-free choice (Dauphin et al. 2014;
    Duda 2019 repels from saddles the same way): Newton's step :math:`-g/\hat c`
    would jump to the maximum, this step goes downhill and doubles the distance
    to the maximum.

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

    On the pure saddle :math:`f = \tfrac12 x^2 - \tfrac12 y^2` the regression keeps
    the sign of each curvature, and steps away from the maximum along :math:`y`:

    >>> from lrlab.surfaces import saddle
    >>> rule = parabola(estimator="regression", warmup=1, warmup_lr=0.5)
    >>> h = train(saddle(bounded=False, x0=[1.0, 1.0]), rule, 2, record_state=True)
    >>> h.states[2].curvature  # +1 along x, -1 along y
    array([ 1., -1.])
    >>> h.params[:, 1]  # y: warm-up step, then 1/|c| doubles the distance to the maximum
    array([1. , 1.5, 3. ])

    References
    ----------
    Duda (2019), "SGD momentum optimizer with step estimation by online
    parabola model", arXiv:1907.07063.
    Dauphin, Pascanu, Gulcehre, Cho, Ganguli & Bengio (2014), "Identifying and
    attacking the saddle point problem in high-dimensional non-convex
    optimization", NeurIPS.
    West (1979), "Updating mean and variance estimates: an improved method",
    Communications of the ACM 22(9).
    """
    owner = "parabola"
    beta_, beta_c = hyper(beta, "beta", owner, low=0, high=1, high_open=True)
    estimator = check_choice(estimator, "estimator", owner, ESTIMATORS)
    warmup = check_int(warmup, "warmup", owner, low=1)
    warm_, warm_c = hyper(warmup_lr, "warmup_lr", owner, low=0, low_open=True)
    lo_, lo_c = hyper(lr_min, "lr_min", owner, low=0, low_open=True)
    hi_, hi_c = hyper(lr_max, "lr_max", owner, low=0, low_open=True)
    if np.any(np.asarray(lo_) > np.asarray(hi_)):
        raise ValueError(f"The 'lr_min' parameter of parabola must be <= lr_max. "
                         f"Got lr_min={lr_min!r}, lr_max={lr_max!r} instead.")
    eps_, eps_c = hyper(eps, "eps", owner, low=0)
    regression = estimator == "regression"

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        zeros = np.zeros_like(theta)
        nan = np.full_like(theta, np.nan)
        return ParabolaState(zeros, zeros, zeros, zeros, zeros, 0.0 * beta_c, nan, nan,
                             _geomean(warm_c + zeros))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        weight = state.weight * beta_c + 1.0
        inv = 1.0 / weight
        d_theta, d_grad = theta - state.mean_theta, grad - state.mean_grad
        mean_theta, mean_grad = state.mean_theta + d_theta * inv, state.mean_grad + d_grad * inv
        keep = 1.0 - inv
        var_theta = keep * (state.var_theta + d_theta * d_theta * inv)
        var_grad = keep * (state.var_grad + d_grad * d_grad * inv)
        cov = keep * (state.cov + d_theta * d_grad * inv)
        moved = var_theta > 0
        spread_theta = np.where(moved, var_theta, 1.0)
        if regression:
            curvature = np.where(moved, cov / spread_theta, np.nan)
            num, den = var_theta, np.abs(cov)
        else:
            curvature = np.where(moved, np.sqrt(var_grad / spread_theta), np.nan)
            num, den = np.sqrt(var_theta), np.sqrt(var_grad)
        # 1/|c| = num/den; num/0 is +inf (clipped to lr_max), 0/0 is 0 (clipped to lr_min)
        inverse = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(moved, np.inf, 0.0))
        flat = var_grad <= eps_c
        rate = np.where(flat | (t < warmup), warm_c, np.minimum(np.maximum(inverse, lo_c), hi_c))
        return -rate * grad, ParabolaState(mean_theta, mean_grad, var_theta, var_grad, cov,
                                           weight, curvature, rate, _geomean(rate))

    if regression:
        estimate = (r"\hat c = \frac{\sigma_{\theta g}}{\sigma_\theta^2},\quad "
                    r"\sigma_{\theta g} = \overline{\theta g} - \bar\theta\,\bar g")
    else:
        estimate = r"\hat c = \frac{\sigma_g}{\sigma_\theta}"
    formula = (
        r"\sigma_\theta^2 = \overline{\theta^2} - \bar\theta^{\,2},\quad "
        r"\sigma_g^2 = \overline{g^2} - \bar g^{\,2} \\ "
        + estimate + r" \\ "
        r"\eta_t = \operatorname{clip}\!\left(\frac{1}{|\hat c|}, "
        r"\eta_{\min}, \eta_{\max}\right) \ (\eta_{\text{warm}} \text{ while } "
        r"t < T_{\text{warm}} \text{ or } \sigma_g^2 \le \epsilon) \\ "
        r"\theta_{t+1} = \theta_t - \eta_t\, g_t"
    )
    name = "Online parabola (regression)" if regression else "Online parabola"
    return Rule(
        init=init, update=update, name=name, factory="parabola", formula=formula,
        hyperparams={"beta": beta, "estimator": estimator, "warmup": warmup,
                     "warmup_lr": warmup_lr, "lr_min": lr_min, "lr_max": lr_max, "eps": eps},
        torch="no torch counterpart", batch_shape=run_shape(beta_, warm_, lo_, hi_, eps_),
    )


def _geomean(rate):
    """Geometric mean over the last axis (``np.mean``'s overhead is most of a small step)."""
    return np.exp(np.log(rate).sum(axis=-1) / rate.shape[-1])
