r"""FTRL-Proximal with per-coordinate rates, and the original question's "time x gradient" rates.

Follow-The-Regularized-Leader (McMahan et al. 2013) plays, at each round,
the minimiser of all past linearised losses plus proximal terms centred at
the past iterates and an L1/L2 penalty. Per coordinate :math:`i`, with
:math:`n_{t,i} = \sum_{s \le t} g_{s,i}^2`, its rate is

.. math:: \eta_{t,i} = \frac{\alpha}{\beta + \sqrt{n_{t,i}}}

and the strength of the round-:math:`t` proximal term is
:math:`\sigma_{t,i} = 1/\eta_{t,i} - 1/\eta_{t-1,i}`. Without L1/L2,
FTRL-Proximal is exactly per-coordinate SGD with rate :math:`\eta_{t,i}`
(that is, Adagrad with :math:`\epsilon = \beta`); the L1 term makes
coordinates *exactly* zero, which is why it was built for sparse
click-prediction models.

:func:`ftrl_time` combines this per-coordinate rate with the global
time rate :math:`\gamma/\sqrt{t}`, in the sum and product forms written in
the original question (see its Notes for how its formulas are read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice
from ._util import hyper, nan_like
from .base import Rule, as_schedule, lr_value, per_coord, run_shape

__all__ = ["FTRLState", "ftrl", "ftrl_time"]


class FTRLState(NamedTuple):
    """State of :func:`ftrl` and :func:`ftrl_time`.

    Attributes
    ----------
    z : ndarray
        :math:`z_t = \\sum_{s \\le t} (g_s - \\sigma_s \\theta_s) - \\sigma_0\\theta_0`.
    n : ndarray
        Sum of squared gradients :math:`n_t`.
    sigma : ndarray
        :math:`\\sigma_{0:t} = 1/\\eta_t`, the total proximal strength per coordinate.
    rate : ndarray
        Per-coordinate rate :math:`\\eta_t` of the last step (NaN before it).
    lr : float or ndarray
        :math:`\\alpha_t` of the last step.
    """

    z: Any
    n: Any
    sigma: Any
    rate: Any
    lr: Any


def _ftrl(owner: str, name: str, lr: Any, beta: Any, l1: Any, l2: Any,
          combine: Callable[[Any, int], Any], formula_rate: str, extra: dict,
          extra_shape: tuple) -> Rule:
    schedule = as_schedule(lr, "lr", owner)
    beta_, beta_c = hyper(beta, "beta", owner, low=0, low_open=True)
    l1_, l1_c = hyper(l1, "l1", owner, low=0)
    l2_, l2_c = hyper(l2, "l2", owner, low=0)

    def rate(alpha, n, k):
        return combine(per_coord(alpha) / (beta_c + np.sqrt(n)), k)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        n = np.zeros_like(theta)
        sigma = 1.0 / rate(lr_value(schedule, 0), n, 1)
        return FTRLState(-sigma * theta, n + 0 * sigma, sigma + 0 * theta, nan_like(theta),
                         lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        alpha = lr_value(schedule, t)
        n = state.n + grad * grad
        eta = rate(alpha, n, t + 1)
        sigma = 1.0 / eta
        z = state.z + grad - (sigma - state.sigma) * theta
        shrunk = z - np.sign(z) * l1_c
        w = np.where(np.abs(z) <= l1_c, 0.0, -shrunk / (sigma + l2_c))
        return w - theta, FTRLState(z, n, sigma, eta, alpha)

    formula = (
        rf"n_t = n_{{t-1}} + g_t^2,\quad \eta_t = {formula_rate},\quad "
        r"\sigma_t = \frac{1}{\eta_t} - \frac{1}{\eta_{t-1}} \\ "
        r"z_t = z_{t-1} + g_t - \sigma_t\theta_t \\ "
        r"\theta_{t+1} = \begin{cases} 0 & |z_t| \le \lambda_1 \\ "
        r"-\dfrac{z_t - \operatorname{sign}(z_t)\lambda_1}{1/\eta_t + \lambda_2} & "
        r"\text{otherwise} \end{cases}"
    )
    return Rule(
        init=init, update=update, name=name, factory=owner, formula=formula,
        hyperparams={"lr": lr, **extra, "beta": beta, "l1": l1, "l2": l2},
        torch="no torch counterpart (torch.optim has no FTRL; TensorFlow's "
              "tf.keras.optimizers.Ftrl is the same algorithm with its own parametrisation)",
        batch_shape=run_shape(schedule, beta_, l1_, l2_, np.zeros(extra_shape)),
    )


def ftrl(lr: Any, beta: Any = 1.0, l1: Any = 0.0, l2: Any = 0.0) -> Rule:
    r"""FTRL-Proximal with per-coordinate rates :math:`\alpha/(\beta + \sqrt{n_i})`.

    Parameters
    ----------
    lr : float, array or schedule
        :math:`\alpha` of McMahan et al., the scale of every coordinate's rate.
    beta : float or array > 0
        :math:`\beta`: keeps the first rates finite, :math:`\eta_0 = \alpha/\beta`
        (McMahan et al. report :math:`\beta = 1` is usually good enough; default 1).
    l1 : float or array >= 0
        :math:`\lambda_1`, the L1 strength: a coordinate whose :math:`|z|` stays
        below it is exactly 0 (default 0).
    l2 : float or array >= 0
        :math:`\lambda_2`, the L2 strength (default 0).

    Returns
    -------
    Rule
        State :class:`FTRLState`; ``rate`` is the per-coordinate :math:`\eta_t`.

    Notes
    -----
    McMahan et al.'s Algorithm 1, per coordinate, with the step counted from
    :math:`t = 1`:

    .. math::
        n_t &= n_{t-1} + g_t^2, \qquad
        \eta_t = \frac{\alpha}{\beta + \sqrt{n_t}}, \qquad
        \sigma_t = \frac{1}{\eta_t} - \frac{1}{\eta_{t-1}} \\
        z_t &= z_{t-1} + g_t - \sigma_t\theta_t, \qquad
        \theta_{t+1} = \begin{cases} 0 & |z_t| \le \lambda_1 \\
        -\dfrac{z_t - \operatorname{sign}(z_t)\lambda_1}{1/\eta_t + \lambda_2}
        & \text{otherwise} \end{cases}

    McMahan et al. start at :math:`\theta = 0` (:math:`z_0 = 0`); lrlab starts
    anywhere, by centring the first proximal term :math:`\tfrac{\beta}{2\alpha}
    \|\theta - \theta_0\|^2` at the start point: :math:`z_0 = -\theta_0/\eta_0`
    (identical when :math:`\theta_0 = 0`). With :math:`\lambda_1 = \lambda_2 = 0`
    the update reduces to :math:`\theta_{t+1} = \theta_t - \eta_t g_t`: Adagrad
    with :math:`\epsilon = \beta` and :math:`\eta = \alpha`. A schedule for
    ``lr`` must stay positive (a zero rate is an infinitely strong prox term).

    Examples
    --------
    Without L1 the first step is Adagrad's, :math:`-\alpha g/(\beta + |g|)`:

    >>> rule = ftrl(lr=0.5, beta=1.0)
    >>> theta = np.array([1.0, -1.0])
    >>> step, _ = rule.update(np.array([1.0, 3.0]), rule.init(theta), theta, t=0)
    >>> step  # -0.5 * [1/2, 3/4]
    array([-0.25 , -0.375])

    With a strong L1 penalty, a coordinate with a weak gradient is set to 0:

    >>> rule = ftrl(lr=0.5, l1=1.0)
    >>> step, _ = rule.update(np.array([0.1, 3.0]), rule.init(np.zeros(2)), np.zeros(2), t=0)
    >>> step
    array([ 0.  , -0.25])

    References
    ----------
    McMahan, Holt, Sculley, Young, Ebner, Grady, Nie, Phillips, Davydov,
    Golovin, Chikkerur, Liu, Wattenberg, Hrafnkelsson, Boulos & Kubica (2013),
    "Ad click prediction: a view from the trenches", KDD.
    McMahan (2011), "Follow-the-regularized-leader and mirror descent:
    equivalence theorems and L1 regularization", AISTATS.
    """
    return _ftrl("ftrl", "FTRL-Proximal", lr, beta, l1, l2, lambda eta, k: eta,
                 r"\frac{\alpha_t}{\beta + \sqrt{n_t}}", {}, ())


def ftrl_time(lr: Any, gamma: Any, form: str = "sum", beta: Any = 1.0, l1: Any = 0.0,
              l2: Any = 0.0) -> Rule:
    r"""FTRL-Proximal with its per-coordinate rate combined with a :math:`\gamma/\sqrt t` rate.

    The original question lists three kinds of step size: one from *time*
    (:math:`\alpha/\sqrt t`, shared by all coordinates), one from the
    *gradient* history (FTRL's per-coordinate rate) and their combination, as
    a sum or as a product. This rule is that combination.

    Parameters
    ----------
    lr : float, array or schedule
        :math:`\alpha`, scale of the per-coordinate (gradient) rate.
    gamma : float or array >= 0
        :math:`\gamma`, scale of the time rate :math:`\gamma/\sqrt t`
        (> 0 for the product form).
    form : {'sum', 'product'}
        How the two rates combine.
    beta, l1, l2 : float or array
        As in :func:`ftrl`.

    Returns
    -------
    Rule
        State :class:`FTRLState`.

    Notes
    -----
    With :math:`t = 1, 2, \dots` the number of the step and
    :math:`n_{t,i} = \sum_{s \le t} g_{s,i}^2`, the rate of coordinate
    :math:`i` is

    .. math::
        \text{sum: }\ \eta_{t,i} &= \frac{\alpha}{\beta+\sqrt{n_{t,i}}} + \frac{\gamma}{\sqrt t} \\
        \text{product: }\ \eta_{t,i} &= \frac{\alpha}{\beta + \sqrt{n_{t,i}}}
        \cdot\frac{\gamma}{\sqrt t}

    (in the rule's ``formula``, written with lrlab's 0-based step ``t``, the
    time rate reads :math:`\gamma/\sqrt{t+1}`), and the update is
    FTRL-Proximal's (:func:`ftrl`) with this rate
    (:math:`1/\eta_t` is the total proximal strength). Both terms are
    non-increasing in :math:`t`, so every :math:`\sigma_t \ge 0`, as
    FTRL requires. Without L1/L2 this is SGD with rate
    :math:`\eta_{t,i}`. The sum form never lets a coordinate's rate fall
    below :math:`\gamma/\sqrt t` (a frequently active coordinate still gets
    the classic :math:`1/\sqrt t` decay); the product form adds a
    :math:`1/\sqrt t` decay on top of Adagrad-like rates, and only
    :math:`\alpha\gamma` matters.

    *How the original question is read.* It writes the gradient term as
    :math:`1/\big(\frac{\alpha}{\beta+\sqrt{n_{t-1}}} - \frac{\alpha}{\beta+\sqrt{n_t}}\big)`.
    Taken literally this is the reciprocal of the *decrease* of the FTRL
    rate, about :math:`2 n_t^{3/2}/(\alpha g_t^2)`: it grows without
    bound and is infinite when :math:`g_t = 0`, so it cannot be a step
    size. The quantity FTRL uses at round :math:`t` is
    :math:`\sigma_t = 1/\eta_t - 1/\eta_{t-1} = (\sqrt{n_t} - \sqrt{n_{t-1}})/\alpha`
    (McMahan et al., Algorithm 1): the same two rates with the reciprocals
    taken before the difference. Following the question's own pointer
    ("refer to the learning-rate part of FTRL"), we read the gradient term
    as FTRL's rate :math:`\eta_t = 1/\sigma_{0:t}` and combine it with
    :math:`\gamma/\sqrt t` exactly as written: by a sum or by a product.

    Examples
    --------
    >>> rule = ftrl_time(lr=0.5, gamma=0.1, form="sum")
    >>> theta = np.array([1.0])
    >>> step, state = rule.update(np.array([1.0]), rule.init(theta), theta, t=0)
    >>> state.rate  # 0.5 / (1 + 1) + 0.1 / sqrt(1)
    array([0.35])
    >>> rule = ftrl_time(lr=0.5, gamma=0.1, form="product")
    >>> step, state = rule.update(np.array([1.0]), rule.init(theta), theta, t=0)
    >>> state.rate  # 0.5 / (1 + 1) * 0.1 / sqrt(1)
    array([0.025])

    References
    ----------
    McMahan et al. (2013), "Ad click prediction: a view from the trenches", KDD.
    Zinkevich (2003), "Online convex programming and generalized infinitesimal
    gradient ascent", ICML (the :math:`1/\sqrt t` rate).
    """
    owner = "ftrl_time"
    form = check_choice(form, "form", owner, ("sum", "product"))
    low_open = form == "product"
    gamma_, gamma_c = hyper(gamma, "gamma", owner, low=0, low_open=low_open)
    if form == "sum":
        def combine(eta, k):
            return eta + gamma_c / np.sqrt(k)
        rate = r"\frac{\alpha_t}{\beta + \sqrt{n_t}} + \frac{\gamma}{\sqrt{t+1}}"
    else:
        def combine(eta, k):
            return eta * (gamma_c / np.sqrt(k))
        rate = r"\frac{\alpha_t}{\beta + \sqrt{n_t}}\cdot\frac{\gamma}{\sqrt{t+1}}"
    name = f"FTRL x time ({form})"
    return _ftrl(owner, name, lr, beta, l1, l2, combine, rate,
                 {"gamma": gamma, "form": form}, np.shape(gamma_))
