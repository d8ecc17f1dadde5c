r"""Learning-rate-free methods: DoG and schedule-free SGD.

Both remove the hardest choice of the course, and both still hide a scale:

* **DoG** ("distance over gradients") sets the step from how far the
  iterates have travelled, :math:`\eta_t = \bar r_t/\sqrt{\sum\|g_s\|^2}`; its
  only knob, the first movement :math:`r_\epsilon`, just has to be small.
* **Schedule-free SGD** replaces the decaying schedule by an average of the
  iterates, interpolated with momentum; it keeps a learning rate but needs
  no schedule and no stopping time.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_real
from ._util import check_weight_decay, fpow, hyper
from .base import Rule, as_schedule, lr_value, per_coord, run_shape

__all__ = ["DoGState", "ScheduleFreeState", "dog", "schedule_free_sgd"]


def _norm(x):
    return np.sqrt(np.sum(x * x, axis=-1))


class DoGState(NamedTuple):
    """State of :func:`dog`.

    Attributes
    ----------
    x0 : ndarray
        The start point :math:`\\theta_0`.
    rbar : ndarray (run shape)
        :math:`\\bar r_t = \\max(r_\\epsilon, \\max_{s \\le t}\\|\\theta_s - \\theta_0\\|)`.
    G : ndarray (run shape)
        :math:`\\epsilon + \\sum_{s \\le t}\\|g_s\\|^2`.
    lr : ndarray (run shape)
        The step size :math:`\\eta_t` used at the last step.
    """

    x0: Any
    rbar: Any
    G: Any
    lr: Any


def dog(lr: Any = 1.0, reps_rel: Any = 1e-6, eps: Any = 1e-8, weight_decay: Any = 0.0,
        init_eta: float | None = None) -> Rule:
    r"""DoG: SGD whose step size is distance travelled over root summed squared gradients.

    Parameters
    ----------
    lr : float, array or schedule
        Multiplier :math:`c` of the step size; the authors recommend leaving
        it at 1 (default).
    reps_rel : float or array > 0
        Relative first movement: :math:`r_\epsilon = \text{reps\_rel}\,(1 + \|\theta_0\|)`
        (default 1e-6, the authors' suggestion).
    eps : float or array >= 0
        Added to the sum of squared gradient norms (default 1e-8).
    weight_decay : float or array >= 0
        Coupled L2 term added to the gradient (default 0).
    init_eta : float > 0, optional
        If given, the first step size, overriding ``reps_rel``.

    Returns
    -------
    Rule
        State :class:`DoGState`; ``state.lr`` is the step size :math:`\eta_t`.

    Notes
    -----
    One global step size per run (all coordinates together):

    .. math::
        \bar r_t &= \max\Big(r_\epsilon,\ \max_{s \le t}\|\theta_s - \theta_0\|\Big), \qquad
        G_t = \epsilon + \sum_{s \le t}\|g_s\|^2 \\
        \eta_t &= c\,\frac{\bar r_t}{\sqrt{G_t}}, \qquad
        \theta_{t+1} = \theta_t - \eta_t\, g_t

    The first step has length :math:`c\,r_\epsilon`, tiny on purpose; while the
    iterates move in a consistent direction the distance :math:`\bar r_t`
    grows geometrically (each step adds about :math:`\eta_t\|g_t\|`), so the
    rate climbs until it matches the scale of the problem and then levels
    off. Ivgi et al. prove that, on convex stochastic problems, this
    reaches the rate of SGD with the best tuned constant step up to log
    factors, and recommend averaging the iterates for the final answer.
    This is the authors' reference ``DoG`` update (global, not layer-wise);
    no torch.optim counterpart.

    Examples
    --------
    The first step moves by exactly :math:`r_\epsilon` (up to ``eps``):

    >>> rule = dog()
    >>> theta = np.array([3.0, 4.0])
    >>> step, state = rule.update(np.array([1.0, 0.0]), rule.init(theta), theta, t=0)
    >>> float(np.linalg.norm(step))  # 1e-6 * (1 + 5)
    6e-06

    References
    ----------
    Ivgi, Hinder & Carmon (2023), "DoG is SGD's best friend: a parameter-free
    dynamic step size schedule", ICML.
    """
    owner = "dog"
    schedule = as_schedule(lr, "lr", owner)
    reps_, _ = hyper(reps_rel, "reps_rel", owner, low=0, low_open=True)
    eps_, _ = hyper(eps, "eps", owner, low=0)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    if init_eta is not None:
        init_eta = check_real(init_eta, "init_eta", owner, low=0, low_open=True)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        rbar = np.asarray(reps_) * (1 + _norm(theta))
        G = np.zeros_like(rbar) + eps_
        return DoGState(theta.copy(), rbar, G, np.full(np.shape(rbar), np.nan))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        c = lr_value(schedule, t)
        if use_wd:
            grad = grad + wd_c * theta
        rbar = np.maximum(state.rbar, _norm(theta - state.x0))
        G = state.G + np.sum(grad * grad, axis=-1)
        eta = c * rbar / np.sqrt(G)
        if init_eta is not None and t == 0:
            eta = np.zeros_like(eta) + init_eta
        return -per_coord(eta) * grad, DoGState(state.x0, rbar, G, eta)

    formula = (r"\bar r_t = \max(r_\epsilon, \max_{s\le t}\|\theta_s - \theta_0\|),\quad "
               r"G_t = \epsilon + \sum_{s\le t}\|g_s\|^2 \\ "
               r"\theta_{t+1} = \theta_t - c\,\frac{\bar r_t}{\sqrt{G_t}}\, g_t")
    return Rule(
        init=init, update=update, name="DoG", factory="dog", formula=formula,
        hyperparams={"lr": lr, "reps_rel": reps_rel, "eps": eps, "weight_decay": weight_decay,
         "init_eta": init_eta},
        torch="no torch counterpart (same update as the authors' dog-optimizer package, DoG class)",
        batch_shape=run_shape(schedule, reps_, eps_, wd),
    )


class ScheduleFreeState(NamedTuple):
    """State of :func:`schedule_free_sgd`.

    Attributes
    ----------
    z : ndarray
        The SGD sequence :math:`z_t`.
    x : ndarray
        The averaged sequence :math:`x_t`: the point to *evaluate* (``theta``
        itself is the interpolation :math:`y_t` where gradients are taken).
    weight_sum : float or ndarray
        :math:`\\sum_s w_s` of the averaging weights.
    lr_max : float or ndarray
        Largest learning rate seen so far.
    lr : float or ndarray
        Learning rate of the last step.
    """

    z: Any
    x: Any
    weight_sum: Any
    lr_max: Any
    lr: Any


def schedule_free_sgd(lr: Any = 1.0, momentum: Any = 0.9, weight_decay: Any = 0.0,
                      r: Any = 0.0, weight_lr_power: Any = 2.0) -> Rule:
    r"""Schedule-free SGD: averaging instead of a decaying schedule.

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate :math:`\gamma` of the inner SGD sequence (the reference
        implementation's default 1.0). A warm-up is a schedule here, e.g.
        ``lrlab.schedules.linear``.
    momentum : float or array in (0, 1)
        Interpolation :math:`\beta` between the average and the SGD sequence
        (default 0.9).
    weight_decay : float or array >= 0
        Coupled L2 term, evaluated at :math:`y` (default 0).
    r : float or array >= 0
        Polynomial weighting :math:`(t+1)^r` of the average (default 0).
    weight_lr_power : float or array >= 0
        Averaging weights grow like :math:`\gamma_{\max}^{p}` (default 2).

    Returns
    -------
    Rule
        State :class:`ScheduleFreeState`. ``theta`` (and so ``History.params``
        and the recorded minibatch loss) is the gradient point :math:`y_t`;
        the model is evaluated at ``state.x``: ``rule.evaluate_at`` returns it,
        so :func:`lrlab.train`'s ``eval_loss`` (and
        :func:`~lrlab.trainer.epochs.train_epochs`' losses, accuracies and
        final parameters) are those of :math:`x_t`.

    Notes
    -----
    .. math::
        z_{t+1} &= z_t - \gamma_t\, \nabla f(y_t), \qquad
        c_{t+1} = \frac{w_{t+1}}{\sum_{s \le t+1} w_s},\quad
        w_{t+1} = (t+1)^r \big(\max_{s\le t}\gamma_s\big)^p \\
        x_{t+1} &= (1 - c_{t+1})\, x_t + c_{t+1}\, z_{t+1}, \qquad
        y_{t+1} = \beta\, x_{t+1} + (1-\beta)\, z_{t+1}

    With a constant rate :math:`c_{t+1} = 1/(t+1)`: :math:`x` is the plain
    average of the :math:`z` iterates (Polyak-Ruppert averaging), and the
    gradient is taken between the average and the current iterate. Defazio
    et al. show this matches the best *scheduled* SGD (e.g. linear decay to
    0 with a known stopping time) without knowing the stopping time. This
    follows the authors' ``SGDScheduleFreeReference``; no torch.optim counterpart.

    Examples
    --------
    >>> rule = schedule_free_sgd(lr=0.1, momentum=0.5)
    >>> theta = np.array([1.0])
    >>> step, state = rule.update(np.array([2.0]), rule.init(theta), theta, t=0)
    >>> state.z, state.x, step  # z = 1 - 0.2; x = z (c_1 = 1); y = x
    (array([0.8]), array([0.8]), array([-0.2]))

    References
    ----------
    Defazio, Yang, Mehta, Mishchenko, Khaled & Cutkosky (2024), "The road less
    scheduled", NeurIPS.
    """
    owner = "schedule_free_sgd"
    schedule = as_schedule(lr, "lr", owner)
    mom, mom_c = hyper(momentum, "momentum", owner, low=0, high=1, low_open=True,
                       high_open=True)
    wd, wd_c, use_wd = check_weight_decay(weight_decay, owner)
    r_, _ = hyper(r, "r", owner, low=0)
    p_, _ = hyper(weight_lr_power, "weight_lr_power", owner, low=0)

    def init(theta):
        theta = np.asarray(theta, dtype=float)
        runs = np.zeros(theta.shape[:-1])
        return ScheduleFreeState(theta.copy(), theta.copy(), runs, runs, lr_value(schedule, 0))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        eta = lr_value(schedule, t)
        lr_max = np.maximum(state.lr_max, eta)
        weight = fpow(t + 1.0, r_) * fpow(lr_max, p_)
        weight_sum = state.weight_sum + weight
        ckp1 = weight / np.where(weight_sum > 0, weight_sum, 1.0)
        if use_wd:
            grad = grad + wd_c * theta
        z = state.z - per_coord(eta) * grad
        c = per_coord(np.asarray(ckp1))
        x = state.x * (1 - c) + z * c
        y = x * mom_c + z * (1 - mom_c)
        return y - theta, ScheduleFreeState(z, x, weight_sum, lr_max, eta)

    formula = (r"z_{t+1} = z_t - \gamma_t\, g_t,\quad "
               r"c_{t+1} = \frac{(t+1)^r \gamma_{\max}^p}{\sum_{s\le t+1} s^r\gamma_{\max,s}^p} \\ "
               r"x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1},\quad "
               r"\theta_{t+1} = y_{t+1} = \beta x_{t+1} + (1-\beta) z_{t+1}")
    return Rule(
        init=init, update=update, name="Schedule-free SGD", factory="schedule_free_sgd",
        formula=formula,
        hyperparams={"lr": lr, "momentum": momentum, "weight_decay": weight_decay, "r": r,
         "weight_lr_power": weight_lr_power},
        torch="no torch counterpart (same update as facebookresearch/schedule_free's "
              "SGDScheduleFreeReference, without its built-in warm-up)",
        batch_shape=run_shape(schedule, mom, wd, r_, p_),
        evaluate_at=_average,
    )


def _average(state: ScheduleFreeState, theta: np.ndarray) -> np.ndarray:
    """Where schedule-free SGD is evaluated: the average ``x`` (``theta`` is ``y``)."""
    return state.x
