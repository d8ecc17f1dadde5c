"""Gradient clipping: a link that caps the gradient before any rule sees it.

Clipping does not choose a learning rate; it limits the damage of one. A run
at a too-high rate that meets a cliff (a huge gradient) takes one bounded
step instead of being thrown to inf. Put it first in a chain::

    chain(clip_by_norm(1.0), sgd(0.1))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_real
from .base import EmptyState, Rule, per_coord, run_shape

__all__ = ["clip_by_norm", "clip_by_value"]

#: The constant torch.nn.utils.clip_grad_norm_ adds to the norm.
TORCH_NORM_EPS = 1e-6


def clip_by_norm(max_norm: Any) -> Rule:
    r"""Rescale the gradient so that its Euclidean norm is at most ``max_norm``.

    .. math:: g \leftarrow g \cdot \min\!\Big(1, \frac{c}{\lVert g\rVert_2 + 10^{-6}}\Big)

    This is exactly ``torch.nn.utils.clip_grad_norm_(params, max_norm)`` with
    the default ``norm_type=2`` (including its ``1e-6`` in the denominator),
    applied to each run's whole parameter vector.

    Parameters
    ----------
    max_norm : float or array > 0
        The largest gradient norm let through (one per run for an array).

    Examples
    --------
    >>> from lrlab.rules import chain, sgd
    >>> rule = chain(clip_by_norm(1.0), sgd(0.5))
    >>> step, _ = rule.update(np.array([30.0, 40.0]), rule.init(np.zeros(2)), np.zeros(2), t=0)
    >>> np.round(step, 6)  # the gradient (norm 50) is cut to norm ~1, then scaled by -0.5
    array([-0.3, -0.4])

    References
    ----------
    Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent
    neural networks".
    """
    c = check_real(max_norm, "max_norm", "clip_by_norm", low=0, low_open=True, allow_array=True)

    def init(theta):
        return EmptyState()

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        norm = np.sqrt(np.einsum("...i,...i->...", grad, grad))
        coef = np.minimum(c / (norm + TORCH_NORM_EPS), 1.0)
        return grad * coef[..., None], state

    return Rule(init=init, update=update, name="clip_by_norm", factory="clip_by_norm",
                formula=r"g \leftarrow g\,\min\!\big(1, c / (\lVert g\rVert_2 + 10^{-6})\big)",
                hyperparams={"max_norm": max_norm},
                torch="torch.nn.utils.clip_grad_norm_(params, max_norm): same formula "
                      "(norm_type=2)",
                batch_shape=run_shape(c))


def clip_by_value(clip_value: Any) -> Rule:
    r"""Clamp every gradient coordinate to ``[-v, v]``.

    .. math:: g_i \leftarrow \max(-v, \min(v, g_i))

    Exactly ``torch.nn.utils.clip_grad_value_(params, clip_value)``. Unlike
    :func:`clip_by_norm` it changes the gradient's direction.

    Parameters
    ----------
    clip_value : float or array > 0
        The bound ``v`` (one per run for an array).

    Examples
    --------
    >>> rule = clip_by_value(1.0)
    >>> rule.update(np.array([3.0, -0.5]), rule.init(np.zeros(2)), np.zeros(2), t=0)[0]
    array([ 1. , -0.5])
    """
    v = check_real(clip_value, "clip_value", "clip_by_value", low=0, low_open=True,
                   allow_array=True)
    bound = per_coord(v)

    def init(theta):
        return EmptyState()

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        return np.clip(grad, -bound, bound), state

    return Rule(init=init, update=update, name="clip_by_value", factory="clip_by_value",
                formula=r"g_i \leftarrow \max(-v, \min(v, g_i))",
                hyperparams={"clip_value": clip_value},
                torch="torch.nn.utils.clip_grad_value_(params, clip_value): same formula",
                batch_shape=run_shape(v))
