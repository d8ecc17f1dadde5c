"""Plain SGD and its building blocks: scale by a learning rate, weight decay, momentum.

``sgd`` is literally a chain of three links, exactly as in
``torch.optim.SGD``::

    g  <- g + weight_decay * theta                   (add_decayed_weights)
    b  <- g                        at t = 0          (trace)
    b  <- momentum * b + (1 - dampening) * g         afterwards
    g  <- g + momentum * b  (Nesterov)   or   g <- b
    theta <- theta - lr(t) * g                       (scale_by_lr)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_real
from ..schedules import Constant
from ._util import check_flag
from .base import (
    EmptyState,
    Rule,
    as_schedule,
    chain,
    lr_value,
    per_coord,
    run_shape,
)

__all__ = ["add_decayed_weights", "scale_by_lr", "sgd", "trace"]


class ScaleState(NamedTuple):
    """State of :func:`scale_by_lr`: the learning rate used at the last step."""

    lr: Any


def scale_by_lr(lr: Any) -> Rule:
    r"""Multiply by ``-lr(t)``: the last link of every first-order rule.

    .. math:: \Delta\theta_t = -\eta_t\, g_t

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate; an array gives one run per entry.

    Examples
    --------
    >>> rule = scale_by_lr(0.5)
    >>> rule.update(np.array([2.0]), rule.init(np.zeros(1)), np.zeros(1), t=0)[0]
    array([-1.])
    """
    return _lr_link(as_schedule(lr, "lr", "scale_by_lr"), lr)


def _lr_link(schedule: Any, lr: Any) -> Rule:
    """:func:`scale_by_lr` from a checked schedule (``lr`` as given, for the repr)."""

    def init(theta):
        return ScaleState(lr_value(schedule, 0))

    if isinstance(schedule, Constant):  # the common case: hoist the constant factor
        eta0 = lr_value(schedule, 0)
        scale, const_state = -per_coord(eta0), ScaleState(eta0)

        def update(grad, state, theta, *, t, loss=None, loss_fn=None):
            return scale * grad, const_state
    else:
        def update(grad, state, theta, *, t, loss=None, loss_fn=None):
            eta = lr_value(schedule, t)
            return -per_coord(eta) * grad, ScaleState(eta)

    return Rule(init=init, update=update, name="scale_by_lr", factory="scale_by_lr",
                formula=r"\Delta\theta_t = -\eta_t\, g_t", hyperparams={"lr": lr},
                batch_shape=run_shape(schedule))


def add_decayed_weights(weight_decay: Any) -> Rule:
    r"""Add ``weight_decay * theta`` to the gradient (L2 regularisation, coupled).

    Parameters
    ----------
    weight_decay : float or array >= 0
        :math:`\lambda`; an array gives one run per entry.

    Returns
    -------
    Rule
        A link for :func:`~lrlab.rules.chain` (it transforms the gradient).

    Notes
    -----
    .. math:: g_t \leftarrow g_t + \lambda\,\theta_t

    The gradient of :math:`f(\theta) + \tfrac{\lambda}{2}\|\theta\|^2`;
    ``torch.optim.SGD(weight_decay=...)`` adds it the same way.

    Examples
    --------
    >>> link = add_decayed_weights(0.5)
    >>> theta = np.array([2.0, -4.0])
    >>> link.update(np.zeros(2), link.init(theta), theta, t=0)[0]
    array([ 1., -2.])
    """
    return _decay_link(check_real(weight_decay, "weight_decay", "add_decayed_weights", low=0,
                                  allow_array=True))


def _decay_link(wd: Any) -> Rule:
    """:func:`add_decayed_weights` from a checked weight decay."""

    def init(theta):
        return EmptyState()

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        return grad + per_coord(wd) * theta, state

    return Rule(init=init, update=update, name="add_decayed_weights",
                factory="add_decayed_weights",
                formula=r"g_t \leftarrow g_t + \lambda\,\theta_t",
                hyperparams={"weight_decay": wd}, batch_shape=run_shape(wd))


class TraceState(NamedTuple):
    """Momentum buffer ``b`` (``None`` before the first step, as in PyTorch)."""

    buffer: Any


def trace(momentum: Any, *, dampening: float = 0.0, nesterov: bool = False) -> Rule:
    r"""Heavy-ball or Nesterov momentum with ``torch.optim.SGD``'s buffer.

    Parameters
    ----------
    momentum : float or array in [0, 1)
        :math:`\beta`; an array gives one run per entry.
    dampening : float in [0, 1]
        :math:`\tau`, the share of the new gradient left out of the buffer (the
        formula shows it only when it is not 0).
    nesterov : bool
        Look ahead along the buffer (needs ``momentum > 0``, ``dampening = 0``).

    Returns
    -------
    Rule
        A link for :func:`~lrlab.rules.chain` (it transforms the gradient).

    Notes
    -----
    .. math::
        b_0 = g_0,\quad b_t = \beta b_{t-1} + (1-\tau) g_t,\quad
        g_t \leftarrow g_t + \beta b_t \ \text{(Nesterov) or } b_t

    Like PyTorch, the buffer starts as the first gradient itself (not
    ``(1 - dampening) * g``).

    Examples
    --------
    >>> link = trace(0.9)
    >>> theta = np.zeros(1)
    >>> out, state = link.update(np.array([1.0]), link.init(theta), theta, t=0)
    >>> out, link.update(np.array([1.0]), state, theta, t=1)[0]   # b = 1, then 0.9 + 1
    (array([1.]), array([1.9]))

    References
    ----------
    Polyak (1964), "Some methods of speeding up the convergence of iteration
    methods". Sutskever, Martens, Dahl & Hinton (2013), "On the importance of
    initialization and momentum in deep learning", ICML.
    """
    return _momentum_link(*check_momentum(momentum, dampening, nesterov, "trace"))


def check_momentum(momentum: Any, dampening: Any, nesterov: Any, owner: str) -> tuple:
    """``(momentum, dampening, nesterov)`` checked as ``torch.optim.SGD`` does, for ``owner``.

    Nesterov momentum needs ``momentum > 0`` and ``dampening = 0``; dampening is
    checked even when there is no momentum (a wrong value is wrong input anyway).
    """
    mu = check_real(momentum, "momentum", owner, low=0, high=1, high_open=True,
                    allow_array=True)
    damp = check_real(dampening, "dampening", owner, low=0, high=1)
    nesterov = check_flag(nesterov, "nesterov", owner)
    if nesterov and (np.any(np.asarray(mu) <= 0) or damp != 0):
        raise ValueError(
            f"The 'nesterov' parameter of {owner} requires momentum > 0 and dampening = 0 "
            f"(as in torch.optim.SGD). Got momentum={momentum!r}, dampening={dampening!r}."
        )
    return mu, damp, nesterov


def _momentum_link(mu: Any, damp: float, nesterov: bool) -> Rule:
    """:func:`trace` from checked values."""
    m = per_coord(mu)

    def init(theta):
        return TraceState(None)

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        buf = grad if state.buffer is None else m * state.buffer + (1 - damp) * grad
        out = grad + m * buf if nesterov else buf
        return out, TraceState(buf)

    new = r"(1-\tau)\, g_t" if damp else "g_t"   # tau (dampening) only where it acts
    if nesterov:
        formula = rf"b_t = \beta\, b_{{t-1}} + {new},\quad g_t \leftarrow g_t + \beta\, b_t"
    else:
        formula = rf"b_t = \beta\, b_{{t-1}} + {new},\quad g_t \leftarrow b_t"
    return Rule(init=init, update=update, name="trace", factory="trace", formula=formula,
                hyperparams={"momentum": mu, "dampening": damp, "nesterov": nesterov},
                batch_shape=run_shape(mu))


def sgd(lr: Any, momentum: Any = 0.0, *, dampening: float = 0.0, nesterov: bool = False,
        weight_decay: Any = 0.0) -> Rule:
    r"""Stochastic gradient descent, matching ``torch.optim.SGD`` exactly.

    .. math::
        g_t &\leftarrow g_t + \lambda\theta_t \\
        b_t &= \beta b_{t-1} + (1-\tau) g_t \quad (b_0 = g_0) \\
        \theta_{t+1} &= \theta_t - \eta_t\,(g_t + \beta b_t \text{ if Nesterov else } b_t)

    With ``momentum = 0`` it is plain gradient descent
    :math:`\theta_{t+1} = \theta_t - \eta_t g_t`.

    Parameters
    ----------
    lr : float, array or schedule
        Learning rate ``eta`` (PyTorch's default is 1e-3; lrlab asks for it,
        because choosing it is the point of the course).
    momentum : float or array in [0, 1)
        ``beta``; PyTorch's default 0.
    dampening : float in [0, 1]
        ``tau``; PyTorch's default 0 (then the formula leaves it out).
    nesterov : bool
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).
    weight_decay : float or array >= 0
        Coupled L2 decay ``lambda``; PyTorch's default 0.

    Examples
    --------
    >>> rule = sgd(0.1)
    >>> step, _ = rule.update(np.array([1.0, -2.0]), rule.init(np.zeros(2)), np.zeros(2), t=0)
    >>> step
    array([-0.1,  0.2])

    References
    ----------
    Robbins & Monro (1951), "A stochastic approximation method".
    Polyak (1964), "Some methods of speeding up the convergence of iteration methods".
    Sutskever, Martens, Dahl & Hinton (2013), "On the importance of initialization
    and momentum in deep learning".
    """
    owner = "sgd"   # every argument is checked once, here, and errors name sgd
    schedule = as_schedule(lr, "lr", owner)
    wd = check_real(weight_decay, "weight_decay", owner, low=0, allow_array=True)
    mu, damp, nesterov = check_momentum(momentum, dampening, nesterov, owner)
    links, formula = sgd_links(_lr_link(schedule, lr), r"\theta_{t+1} = \theta_t - \eta_t\, g_t",
                               weight_decay=wd, momentum=mu, dampening=damp, nesterov=nesterov)
    name = "SGD" if len(links) == 1 else ("Nesterov SGD" if nesterov else "SGD with momentum")
    return chain(
        *links,
        name=name,
        factory="sgd",
        formula=formula,
        torch="torch.optim.SGD(params, lr, momentum=0, dampening=0, weight_decay=0, "
              "nesterov=False): same update, same defaults",
        hyperparams={"lr": lr, "momentum": momentum, "dampening": dampening,
                     "nesterov": nesterov, "weight_decay": weight_decay},
    )


def sgd_links(last: Rule, last_formula: str, *, weight_decay: Any, momentum: Any,
              dampening: float, nesterov: bool) -> tuple[list, str]:
    """``torch.optim.SGD``'s links ending in ``last``, and the formula of the chain.

    Weight decay and momentum (checked values) add their links only where they act
    (an all-zero value adds none, as PyTorch skips them); the formula is their lines
    followed by ``last_formula``.
    """
    links = []
    if np.any(np.asarray(weight_decay) != 0):
        links.append(_decay_link(weight_decay))
    if np.any(np.asarray(momentum) != 0):
        links.append(_momentum_link(momentum, dampening, nesterov))
    formula = r" \\ ".join([*(link.formula for link in links), last_formula])
    return [*links, last], formula
