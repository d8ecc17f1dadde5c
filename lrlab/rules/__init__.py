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
from the problem's curvature  :func:`inverse_smoothness` (1/L), :func:`optimal_constant`
along the ray (line search)   :func:`exact_line_search`, :func:`armijo`
from the loss or gradients    :func:`polyak`, :func:`barzilai_borwein`
when the loss stalls          :func:`reduce_on_plateau` (``ReduceLROnPlateau``)
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
from .curvature import inverse_smoothness, optimal_constant
from .effective import effective_lr
from .free import DoGState, ScheduleFreeState, dog, schedule_free_sgd
from .ftrl import FTRLState, ftrl, ftrl_time
from .linesearch import armijo, exact_line_search
from .multipliers import scale_by_multipliers
from .parabola import ParabolaState, parabola
from .plateau import PlateauState, reduce_on_plateau, scale_by_plateau_lr
from .polyak_bb import barzilai_borwein, polyak
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
    "PlateauState",
    "RMSpropState",
    "Rule",
    "ScheduleFreeState",
    "adadelta",
    "adagrad",
    "adam",
    "adamw",
    "add_decayed_weights",
    "amsgrad",
    "armijo",
    "as_schedule",
    "barzilai_borwein",
    "chain",
    "clip_by_norm",
    "clip_by_value",
    "dog",
    "effective_lr",
    "exact_line_search",
    "ftrl",
    "ftrl_time",
    "inverse_smoothness",
    "lr_value",
    "optimal_constant",
    "parabola",
    "per_coord",
    "polyak",
    "reduce_on_plateau",
    "rmsprop",
    "run_shape",
    "scale_by_lr",
    "scale_by_multipliers",
    "scale_by_plateau_lr",
    "schedule_free_sgd",
    "sgd",
    "trace",
]
