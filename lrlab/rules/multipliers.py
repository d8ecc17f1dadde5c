r"""Fixed per-coordinate factors on the step: per-layer learning rates inside a chain.

``chain(adam(lr), scale_by_multipliers(m))`` steps every coordinate ``i`` with
the rate :math:`\eta\, m_i`: a per-layer rate when ``m`` is constant on each
layer's slice (PyTorch: one parameter group per layer, each with its own
``lr``). :func:`lrlab.models.mup.mup_lr_multipliers` gives muP's factors for an
MLP.

>>> import numpy as np
>>> from lrlab.rules import chain, sgd
>>> rule = chain(sgd(0.1), scale_by_multipliers([1.0, 0.5]))
>>> rule.update(np.array([1.0, 1.0]), rule.init(np.zeros(2)), np.zeros(2), t=0)[0]
array([-0.1 , -0.05])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, fail, real_array
from .base import EmptyState, Rule

__all__ = ["scale_by_multipliers"]


def scale_by_multipliers(multipliers: Any) -> Rule:
    r"""Multiply the incoming step (or gradient) by fixed factors, coordinate by coordinate.

    .. math:: \Delta\theta_{t,i} \leftarrow m_i\, \Delta\theta_{t,i}

    Parameters
    ----------
    multipliers : array of shape (dim,) or (*run_shape, dim), finite and >= 0
        One factor per parameter; leading dimensions give one run per row
        (e.g. ones for standard runs and muP factors for others in one call).

    Returns
    -------
    Rule
        A chain link (its state has no ``lr``: the chain's rate is the inner rule's).

    Raises
    ------
    ValueError
        If a factor is negative or not finite, or (at ``init``) if the last
        dimension is not the number of parameters.
    """
    owner = "scale_by_multipliers"
    m = check_array(real_array(multipliers, "multipliers", owner,  # booleans refused
                               allowed="an array of finite floats >= 0"), "multipliers", owner)
    if m.ndim == 0 or m.size == 0:
        fail(multipliers, "multipliers", owner, allowed="an array of shape (..., dim)")
    if np.any(m < 0):
        fail(multipliers, "multipliers", owner, allowed="an array of finite factors >= 0")

    def init(theta):
        if np.shape(theta)[-1:] != m.shape[-1:]:
            fail(multipliers, "multipliers", owner,
                 allowed=f"an array of shape (..., {np.shape(theta)[-1]}), one factor per "
                         "parameter")
        return EmptyState()

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        return m * grad, state

    return Rule(init=init, update=update, name="scale_by_multipliers",
                factory="scale_by_multipliers",
                formula=r"\Delta\theta_{t,i} \leftarrow m_i\,\Delta\theta_{t,i}",
                hyperparams={"multipliers": m},
                torch="one parameter group per layer, each with lr * m "
                      "(torch.optim.Adam([{'params': layer.parameters(), 'lr': lr * m}, ...]))",
                batch_shape=m.shape[:-1])
