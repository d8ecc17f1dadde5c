"""``effective_lr``: the per-coordinate step size a rule used at its last step.

Adaptive rules keep it in their state as ``rate`` (so that a widget can
show, say, how Adagrad's rate ``lr / (sqrt(G) + eps)`` differs between a
steep and a flat coordinate); rules with one global rate (SGD, DoG) give
their ``lr`` for every coordinate.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import ChainState, Rule

__all__ = ["effective_lr"]


def effective_lr(rule: Rule, state: Any) -> np.ndarray:
    r"""Per-coordinate step size of the last step of ``rule``.

    Parameters
    ----------
    rule : Rule
        The rule that produced ``state``.
    state : NamedTuple
        A state returned by ``rule.init`` or ``rule.update`` (for instance an
        entry of ``History.states`` from ``train(..., record_state=True)``).

    Returns
    -------
    ndarray
        Shape ``(..., dim)`` for rules with per-coordinate rates (the ``rate``
        field: e.g. :math:`\eta_t/(\sqrt{G_t}+\epsilon)` for Adagrad, NaN before
        the first step); shape ``(..., 1)`` (broadcastable) for rules with a
        single global rate, whose value is the state's ``lr``. What the rate
        multiplies is the rule's own direction: the gradient for Adagrad,
        RMSprop, Adadelta, FTRL and the parabola rule; the first moment
        :math:`m_t` for Adam; the momentum buffer for SGD with momentum.

    Examples
    --------
    >>> from lrlab.rules import adagrad, sgd
    >>> rule = adagrad(lr=1.0, eps=0.0)
    >>> theta = np.zeros(2)
    >>> _, state = rule.update(np.array([2.0, 0.5]), rule.init(theta), theta, t=0)
    >>> effective_lr(rule, state)  # 1 / |g|: the flat coordinate gets the larger rate
    array([0.5, 2. ])
    >>> rule = sgd(0.1)
    >>> effective_lr(rule, rule.init(theta))
    array([0.1])
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"The 'rule' parameter of effective_lr must be an lrlab Rule. "
                        f"Got {rule!r} instead.")
    states = list(reversed(state.inner)) if isinstance(state, ChainState) else [state]
    for s in states:
        rate = getattr(s, "rate", None)
        if rate is not None:
            return np.asarray(rate, dtype=float)
    lr = getattr(state, "lr", None)
    if lr is None:
        raise TypeError(f"effective_lr cannot read a rate from this state of {rule.name}: "
                        f"it has neither a 'rate' nor an 'lr' field. Got {state!r}.")
    return np.asarray(lr, dtype=float)[..., None]
