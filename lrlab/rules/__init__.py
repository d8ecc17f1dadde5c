"""Step-size rules: ``init``/``update`` pairs, composable with :func:`chain`.

See :mod:`lrlab.rules.base` for the abstraction. Every factory returns a
:class:`Rule` whose ``formula`` is the LaTeX of the update that runs.

============================  =================================================
first-order, global rate      :func:`sgd` (momentum, Nesterov, weight decay)
per-coordinate (history)      :func:`adagrad`, :func:`rmsprop`, :func:`adadelta`
moments                       :func:`adam`, :func:`amsgrad`, :func:`adamw`
online learning               :func:`ftrl`, :func:`ftrl_time`
curvature from first order    :func:`parabola` (:math:`\\sigma_\\theta/\\sigma_g`)
learning-rate free            :func:`dog`, :func:`schedule_free_sgd`
gradient clipping             :func:`clip_by_norm`, :func:`clip_by_value`
============================  =================================================

Where ``torch.optim`` has the rule, the update and the defaults are
PyTorch's, and ``rule.torch`` says so.
"""

from .adam import AdamState, adam, adamw, amsgrad
from .adaptive import AdadeltaState, AdagradState, RMSpropState, adadelta, adagrad, rmsprop
from .base import (
    ChainState,
    EmptyState,
    Rule,
    as_schedule,
    chain,
    lr_value,
    per_coord,
    run_shape,
)
from .clip import clip_by_norm, clip_by_value
from .effective import effective_lr
from .free import DoGState, ScheduleFreeState, dog, schedule_free_sgd
from .ftrl import FTRLState, ftrl, ftrl_time
from .parabola import ParabolaState, parabola
from .sgd import add_decayed_weights, scale_by_lr, sgd, trace

__all__ = [
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "ChainState",
    "DoGState",
    "EmptyState",
    "FTRLState",
    "ParabolaState",
    "RMSpropState",
    "Rule",
    "ScheduleFreeState",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "add_decayed_weights",
    "amsgrad",
    "as_schedule",
    "chain",
    "clip_by_norm",
    "clip_by_value",
    "dog",
    "effective_lr",
    "ftrl",
    "ftrl_time",
    "lr_value",
    "parabola",
    "per_coord",
    "rmsprop",
    "run_shape",
    "scale_by_lr",
    "schedule_free_sgd",
    "sgd",
    "trace",
]
