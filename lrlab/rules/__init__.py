"""Step-size rules: ``init``/``update`` pairs, composable with :func:`chain`.

See :mod:`lrlab.rules.base` for the abstraction. Every factory returns a
:class:`Rule` whose ``formula`` is the LaTeX of the update that runs.
"""

from .base import ChainState, EmptyState, Rule, as_schedule, chain, lr_value, per_coord, run_shape
from .sgd import add_decayed_weights, scale_by_lr, sgd, trace

__all__ = [
    "ChainState",
    "EmptyState",
    "Rule",
    "add_decayed_weights",
    "as_schedule",
    "chain",
    "lr_value",
    "per_coord",
    "run_shape",
    "scale_by_lr",
    "sgd",
    "trace",
]
