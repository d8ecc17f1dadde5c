r"""Per-coordinate rates from gradient history: Adagrad, RMSprop, Adadelta.

All three divide the gradient, coordinate by coordinate, by a running root
mean square of past gradients, so that a coordinate with large gradients
takes small steps and a rarely-active coordinate takes large ones. They
differ in how the history is kept:

* **Adagrad** sums *all* squared gradients: its rates only ever shrink;
* **RMSprop** keeps an exponential moving average: the rates can recover;
* **Adadelta** also keeps an average of squared *updates* and uses its root
  as the numerator, so the step has the units of ``theta`` and the rule
  runs with ``lr = 1`` (Zeiler's original "no learning rate").

Each rule reproduces ``torch.optim``'s update operation by operation (eps
placement, order of the operations, defaults), so that 200-step float64
trajectories agree with PyTorch to 1e-10 (see ``tests/fixtures``). The state
keeps ``rate``: the per-coordinate step size used at the last step (see
:func:`lrlab.rules.effective_lr`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._util import check_flag, check_weight_decay, hyper, lerp, nan_like
from .base import Rule, as_schedule, lr_value, per_coord, run_shape

__all__ = ["AdadeltaState", "AdagradState", "RMSpropState", "adadelta", "adagrad", "rmsprop"]


class AdagradState(NamedTuple):
    """State of :func:`adagrad`.

    Attributes
    ----------
    sum : ndarray, shape (..., dim)
        Accumulated squared gradients :math:`G_t` (PyTorch's ``state_sum``).
    rate : ndarray, shape (..., dim)
        Per-coordinate step size :math:`\\eta'_t/(\\sqrt{G_t}+\\epsilon)` of the last
        step (NaN before the first step).
    lr : float or ndarray
        Global learning rate :math:`\\eta_t` of the last step.
    """

    sum: Any
    rate: Any
    lr: Any


def adagrad(lr: Any = 1e-2, lr_decay: Any = 0.0, weight_decay: Any = 0.0,
            initial_accumulator_value: Any = 0.0, eps: Any = 1e-10) -> Rule:
    r"""Adagrad: divide by the root of the sum of all past squared gradients.

    Matches ``torch.optim.Adagrad`` exactly, defaults included.

    Parameters
    ----------
    lr : float, array or schedule
        Global learning rate :math:`\eta` (PyTorch default 1e-2).
    lr_decay : float or array >= 0
        :math:`\delta`: the global rate at step :math:`k` is
        :math:`\eta/(1 + (k-1)\delta)` (PyTorch default 0).
    weight_decay : float or array >= 0
        Coupled L2 term :math:`\lambda` added to the gradient (default 0).
    initial_accumulator_value : float or array >= 0
        :math:`G_0` (default 0).
    eps : float or array >= 0
        :math:`\epsilon`, added *outside* the square root (default 1e-10).

    Returns
    -------
    Rule
        State :class:`AdagradState`.

    Notes
    -----
    With the step counted from :math:`k = t + 1 = 1`:

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_t, \qquad
        G_t = G_{t-1} + g_t^2, \qquad
        \eta'_t = \frac{\eta_t}{1 + (k-1)\delta} \\
        \theta_{t+1} &= \theta_t - \eta'_t\,\frac{g_t}{\sqrt{G_t} + \epsilon}

    The per-coordinate rate :math:`\eta'_t/(\sqrt{G_t}+\epsilon)` falls like
    :math:`1/\sqrt{t}` for a coordinate with steady gradients (the rate that
    online convex optimisation needs) and stays large for coordinates that
    rarely see a gradient (rare features). Because :math:`G_t` never
    decreases, the rates never recover: on long non-convex runs Adagrad
    can stall, which is what RMSprop and Adadelta fix.

    Examples
    --------
    The first step of Adagrad (``G_0 = 0``) is ``-lr * sign(g)``, whatever
    the scale of the gradient:

    >>> rule = adagrad(lr=0.1)
    >>> theta = np.array([1.0, 1.0])
    >>> step, state = rule.update(np.array([4.0, -0.01]), rule.init(theta), theta, t=0)
    >>> np.round(step, 8)
    array([-0.1,  0.1])
    >>> state.sum
    array([1.6e+01, 1.0e-04])

    References
    ----------
    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12.
    """
    owner = "adagrad"
    schedule = as_schedule(lr, "lr", owner)
    decay, _ = hyper(lr_decay, "lr_decay", owner, low=0)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    acc0, acc0_c = hyper(initial_accumulator_value, "initial_accumulator_value", owner, low=0)
    eps_, eps_c = hyper(eps, "eps", owner, low=0)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        return AdagradState(np.zeros_like(theta) + acc0_c, nan_like(theta),
                            lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        eta = lr_value(schedule, t)
        if use_wd:
            grad = grad + wd_c * theta
        clr = per_coord(eta / (1 + t * decay))  # torch: lr / (1 + (step - 1) * lr_decay)
        total = state.sum + grad * grad
        std = np.sqrt(total) + eps_c
        step = (-clr * grad) / std
        return step, AdagradState(total, clr / std, eta)

    formula = (r"g_t \leftarrow g_t + \lambda\theta_t,\quad G_t = G_{t-1} + g_t^2,\quad "
               r"\eta'_t = \frac{\eta_t}{1 + t\,\delta} \\ "
               r"\theta_{t+1} = \theta_t - \eta'_t\,\frac{g_t}{\sqrt{G_t} + \epsilon}")
    return Rule(
        init=init, update=update, name="Adagrad", factory="adagrad", formula=formula,
        hyperparams={"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
         "initial_accumulator_value": initial_accumulator_value, "eps": eps},
        torch="matches torch.optim.Adagrad exactly (defaults lr=1e-2, lr_decay=0, weight_decay=0, "
              "initial_accumulator_value=0, eps=1e-10; eps outside the square root)",
        batch_shape=run_shape(schedule, decay, wd, acc0, eps_),
    )


class RMSpropState(NamedTuple):
    """State of :func:`rmsprop`.

    Attributes
    ----------
    square_avg : ndarray
        Moving average of squared gradients :math:`v_t`.
    grad_avg : ndarray or None
        Moving average of gradients :math:`\\bar g_t` (``centered=True`` only).
    momentum_buffer : ndarray or None
        :math:`b_t` (``momentum > 0`` only).
    rate : ndarray
        Per-coordinate step size :math:`\\eta_t/(\\sqrt{v_t}+\\epsilon)` (centred:
        :math:`\\eta_t/(\\sqrt{v_t - \\bar g_t^2}+\\epsilon)`) of the last step.
    lr : float or ndarray
        Global learning rate of the last step.
    """

    square_avg: Any
    grad_avg: Any
    momentum_buffer: Any
    rate: Any
    lr: Any


def rmsprop(lr: Any = 1e-2, alpha: Any = 0.99, eps: Any = 1e-8, weight_decay: Any = 0.0,
            momentum: Any = 0.0, centered: bool = False) -> Rule:
    r"""RMSprop: divide by the root of a moving average of squared gradients.

    Matches ``torch.optim.RMSprop`` exactly, defaults included.

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate :math:`\eta` (PyTorch default 1e-2).
    alpha : float or array in [0, 1]
        Smoothing constant :math:`\alpha` of the average (default 0.99).
    eps : float or array >= 0
        :math:`\epsilon`, added *outside* the square root (default 1e-8).
    weight_decay : float or array >= 0
        Coupled L2 term :math:`\lambda` (default 0).
    momentum : float or array in [0, 1)
        :math:`\beta`; with ``momentum > 0`` the normalised gradient goes into
        a momentum buffer (default 0).
    centered : bool
        Divide by an estimate of the gradient's *standard deviation*
        :math:`\sqrt{v_t - \bar g_t^2}` instead of its root mean square
        (Graves 2013; default False).

    Returns
    -------
    Rule
        State :class:`RMSpropState`.

    Notes
    -----
    .. math::
        g_t &\leftarrow g_t + \lambda\theta_t, \qquad
        v_t = \alpha v_{t-1} + (1-\alpha) g_t^2, \qquad
        \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t \\
        d_t &= \sqrt{v_t} + \epsilon \quad\text{or (centred)}\quad
        d_t = \sqrt{v_t - \bar g_t^2} + \epsilon \\
        b_t &= \beta b_{t-1} + g_t / d_t, \qquad
        \theta_{t+1} = \theta_t - \eta_t\, b_t
        \quad(\beta = 0:\ \theta_{t+1} = \theta_t - \eta_t\, g_t/d_t)

    All averages start at 0 and are not bias-corrected (unlike Adam), so the
    first step divides by :math:`\sqrt{1-\alpha}\,|g_0|`: with the default
    :math:`\alpha = 0.99` it is 10 times ``lr`` per coordinate.

    Examples
    --------
    >>> rule = rmsprop(lr=0.01)
    >>> theta = np.array([1.0, 1.0])
    >>> step, state = rule.update(np.array([2.0, -3.0]), rule.init(theta), theta, t=0)
    >>> np.round(step, 6)  # -lr * g / (sqrt(0.01 g^2) + eps) = -0.1 sign(g)
    array([-0.1,  0.1])

    References
    ----------
    Tieleman & Hinton (2012), "Lecture 6.5 - rmsprop: divide the gradient by a
    running average of its recent magnitude", COURSERA: Neural Networks for
    Machine Learning. Graves (2013), "Generating sequences with recurrent
    neural networks" (the centred variant).
    """
    owner = "rmsprop"
    schedule = as_schedule(lr, "lr", owner)
    alpha_, alpha_c = hyper(alpha, "alpha", owner, low=0, high=1)
    eps_, eps_c = hyper(eps, "eps", owner, low=0)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    mom, mom_c = hyper(momentum, "momentum", owner, low=0, high=1, high_open=True)
    check_flag(centered, "centered", owner)
    use_mom = bool(np.any(np.asarray(mom) > 0))
    one_minus = 1 - alpha_c

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        zeros = np.zeros_like(theta)
        return RMSpropState(zeros, zeros if centered else None, zeros if use_mom else None,
                            nan_like(theta), lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        eta = lr_value(schedule, t)
        lr_c = per_coord(eta)
        if use_wd:
            grad = grad + wd_c * theta
        square_avg = state.square_avg * alpha_c + (one_minus * grad) * grad
        grad_avg = None
        if centered:
            grad_avg = lerp(state.grad_avg, grad, one_minus)
            avg = np.sqrt(square_avg + (-1 * grad_avg) * grad_avg)
        else:
            avg = np.sqrt(square_avg)
        avg = avg + eps_c
        buf = None
        if use_mom:
            buf = state.momentum_buffer * mom_c + grad / avg
            step = -lr_c * buf
        else:
            step = (-lr_c * grad) / avg
        return step, RMSpropState(square_avg, grad_avg, buf, lr_c / avg, eta)

    denom = r"\sqrt{v_t - \bar g_t^2}" if centered else r"\sqrt{v_t}"
    formula = r"g_t \leftarrow g_t + \lambda\theta_t,\quad v_t = \alpha v_{t-1} + (1-\alpha) g_t^2"
    if centered:
        formula += r",\quad \bar g_t = \alpha \bar g_{t-1} + (1-\alpha) g_t"
    formula += rf" \\ d_t = {denom} + \epsilon \\ "
    if use_mom:
        formula += r"b_t = \beta\, b_{t-1} + g_t/d_t,\quad \theta_{t+1} = \theta_t - \eta_t\, b_t"
    else:
        formula += r"\theta_{t+1} = \theta_t - \eta_t\, g_t / d_t"
    return Rule(
        init=init, update=update, name="RMSprop", factory="rmsprop", formula=formula,
        hyperparams={"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay,
         "momentum": momentum, "centered": centered},
        torch="matches torch.optim.RMSprop exactly (defaults lr=1e-2, alpha=0.99, eps=1e-8, "
              "weight_decay=0, momentum=0, centered=False; eps outside the square root)",
        batch_shape=run_shape(schedule, alpha_, eps_, wd, mom),
    )


class AdadeltaState(NamedTuple):
    """State of :func:`adadelta`.

    Attributes
    ----------
    square_avg : ndarray
        Moving average of squared gradients :math:`v_t`.
    acc_delta : ndarray
        Moving average of squared unit-free updates :math:`u_t`.
    rate : ndarray
        Per-coordinate step size :math:`\\eta_t\\sqrt{u_{t-1}+\\epsilon}/\\sqrt{v_t+\\epsilon}`
        of the last step.
    lr : float or ndarray
        Global learning rate of the last step.
    """

    square_avg: Any
    acc_delta: Any
    rate: Any
    lr: Any


def adadelta(lr: Any = 1.0, rho: Any = 0.9, eps: Any = 1e-6, weight_decay: Any = 0.0) -> Rule:
    r"""Adadelta: RMSprop with the root mean square of past *updates* as numerator.

    Matches ``torch.optim.Adadelta`` exactly, defaults included. With the
    default ``lr=1.0`` it is Zeiler's original method, which has no learning
    rate at all; any other ``lr`` scales the step (as in PyTorch).

    Parameters
    ----------
    lr : float, array or schedule
        Multiplier :math:`\eta` of the step (PyTorch default 1.0, which is
        Zeiler's algorithm).
    rho : float or array in [0, 1]
        Decay :math:`\rho` of both moving averages (default 0.9).
    eps : float or array >= 0
        :math:`\epsilon`, added *inside* both square roots (default 1e-6).
    weight_decay : float or array >= 0
        Coupled L2 term :math:`\lambda` (default 0).

    Returns
    -------
    Rule
        State :class:`AdadeltaState`.

    Notes
    -----
    .. math::
        g_t &\leftarrow g_t + \lambda\theta_t, \qquad
        v_t = \rho v_{t-1} + (1-\rho) g_t^2 \\
        \Delta_t &= \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t, \qquad
        u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2 \\
        \theta_{t+1} &= \theta_t - \eta_t\,\Delta_t

    Zeiler's argument: :math:`\Delta\theta` should have the units of
    :math:`\theta`, as a Newton step :math:`H^{-1}g` has; the ratio
    RMS[update]/RMS[gradient] has units of :math:`1/H`, so no rate is
    needed. In practice :math:`\epsilon` is the scale of the very first steps
    (:math:`\sqrt{\epsilon}\,g/\sqrt{(1-\rho)g^2+\epsilon}`, about 3e-3 with
    the defaults), and the rule can be very slow to get going when the
    parameters live on a scale much larger than :math:`\sqrt\epsilon`: the
    reason practitioners do use a learning rate with Adadelta.

    Examples
    --------
    >>> rule = adadelta()
    >>> theta = np.array([1.0])
    >>> step, _ = rule.update(np.array([1.0]), rule.init(theta), theta, t=0)
    >>> step  # -sqrt(1e-6) / sqrt(0.1 + 1e-6)
    array([-0.00316226])

    References
    ----------
    Zeiler (2012), "ADADELTA: an adaptive learning rate method", arXiv:1212.5701.
    """
    owner = "adadelta"
    schedule = as_schedule(lr, "lr", owner)
    rho_, rho_c = hyper(rho, "rho", owner, low=0, high=1)
    eps_, eps_c = hyper(eps, "eps", owner, low=0)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    one_minus = 1 - rho_c

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        zeros = np.zeros_like(theta)
        return AdadeltaState(zeros, zeros, nan_like(theta), lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        eta = lr_value(schedule, t)
        lr_c = per_coord(eta)
        if use_wd:
            grad = grad + wd_c * theta
        square_avg = state.square_avg * rho_c + (one_minus * grad) * grad
        std = np.sqrt(square_avg + eps_c)
        ratio = np.sqrt(state.acc_delta + eps_c) / std
        delta = ratio * grad
        acc_delta = state.acc_delta * rho_c + (one_minus * delta) * delta
        return -lr_c * delta, AdadeltaState(square_avg, acc_delta, lr_c * ratio, eta)

    formula = (r"g_t \leftarrow g_t + \lambda\theta_t,\quad v_t = \rho v_{t-1} + (1-\rho) g_t^2"
               r" \\ \Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t,"
               r"\quad u_t = \rho u_{t-1} + (1-\rho)\Delta_t^2 \\ "
               r"\theta_{t+1} = \theta_t - \eta_t\,\Delta_t")
    return Rule(
        init=init, update=update, name="Adadelta", factory="adadelta", formula=formula,
        hyperparams={"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay},
        torch="matches torch.optim.Adadelta exactly (defaults lr=1.0, rho=0.9, eps=1e-6, "
              "weight_decay=0; eps inside both square roots)",
        batch_shape=run_shape(schedule, rho_, eps_, wd),
    )
