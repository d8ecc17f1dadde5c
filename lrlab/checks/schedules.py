"""Self-checks for assignment 2: step, exponential and cosine schedules, and
linear warm-up followed by cosine decay.

Conventions (the same as :mod:`lrlab.schedules` and ``torch.optim.lr_scheduler``):
``t`` is the 0-based step, and ``lr(0)`` is the initial rate ``lr0``.

* ``step_schedule(t, lr0, step_size, gamma)``: ``lr0 * gamma ** (t // step_size)``
  (``lrlab.schedules.step``, torch ``StepLR``);
* ``exponential_schedule(t, lr0, gamma)``: ``lr0 * gamma ** t``
  (``lrlab.schedules.exponential``, torch ``ExponentialLR``);
* ``cosine_schedule(t, lr0, total_steps, final_lr=0.0)``: half a cosine from ``lr0``
  to ``final_lr`` in ``total_steps`` steps, then flat (``lrlab.schedules.cosine``);
* ``warmup_cosine(t, lr0, warmup_steps, total_steps, final_lr=0.0)``: nanoGPT's
  ``get_lr``: ``lr0 (t + 1) / (warmup_steps + 1)`` for ``t < warmup_steps``, then the
  cosine from ``lr0`` at ``t = warmup_steps`` to ``final_lr`` at ``t = total_steps``.

Examples
--------
>>> from lrlab.checks import check_step_schedule
>>> def step_schedule(t, lr0, step_size, gamma):
...     return lr0 * gamma ** ((t + 1) // step_size)
>>> check_step_schedule(step_schedule).mistake
'decays_early'
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ._core import CheckResult, Mistake, run_check

__all__ = ["check_cosine_schedule", "check_exponential_schedule", "check_step_schedule",
           "check_warmup_cosine"]


def _behaviour(fn, probe):
    kwargs, ts = probe
    params = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return [(f"t={t} ({params})", fn(t, **kwargs)) for t in ts]


def _probes(*kwargs_list, n=13):
    return [(kw, list(range(n))) for kw in kwargs_list]


# ------------------------------------------------------------------------ step
def _step_ref(t, lr0, step_size, gamma):
    return lr0 * gamma ** (t // step_size)


_STEP_MISTAKES = [
    Mistake("decays_early", "your schedule is off by one step: it decays at "
            "t = step_size - 1. With 0-based steps, lr(t) = lr0 for t = 0, ..., step_size - 1 "
            "and the first decay happens at t = step_size.",
            lambda t, lr0, step_size, gamma: lr0 * gamma ** ((t + 1) // step_size)),
    Mistake("decayed_at_start", "your schedule is off by one step: lr(0) should be the "
            "initial lr, but yours is already multiplied by gamma.",
            lambda t, lr0, step_size, gamma: lr0 * gamma ** (t // step_size + 1)),
    Mistake("true_division", "your schedule decays a little at every step: the exponent "
            "must be the number of *completed* periods, an integer (floor division).",
            lambda t, lr0, step_size, gamma: lr0 * gamma ** (t / step_size)),
    Mistake("product_not_power", "your schedule multiplies by gamma times the number of "
            "periods; each period multiplies the rate by gamma once more (a power).",
            lambda t, lr0, step_size, gamma: lr0 * gamma * (t // step_size)),
    Mistake("decay_every_step", "your schedule ignores step_size and decays at every step.",
            lambda t, lr0, step_size, gamma: lr0 * gamma ** t),
]

_STEP_PROBES = _probes({"lr0": 0.1, "step_size": 3, "gamma": 0.5},
                       {"lr0": 2.0, "step_size": 4, "gamma": 0.9})


def check_step_schedule(step_schedule: Callable) -> CheckResult:
    """Check ``step_schedule(t, lr0, step_size, gamma)`` (torch ``StepLR``)."""
    return run_check("step_schedule", step_schedule, _behaviour, _STEP_PROBES, _step_ref,
                     _STEP_MISTAKES)


# ----------------------------------------------------------------- exponential
def _exp_ref(t, lr0, gamma):
    return lr0 * gamma ** t


_EXP_MISTAKES = [
    Mistake("decayed_at_start", "your schedule is off by one step: lr(0) should be the "
            "initial lr, but yours is already multiplied by gamma.",
            lambda t, lr0, gamma: lr0 * gamma ** (t + 1)),
    Mistake("exp_of_gamma", "you used exp(-gamma t): here gamma is the factor applied at each "
            "step (as in torch's ExponentialLR), not a decay rate in an exponent.",
            lambda t, lr0, gamma: lr0 * math.exp(-gamma * t)),
    Mistake("linear_decay", "your schedule subtracts a constant amount each step; exponential "
            "decay multiplies by gamma each step.",
            lambda t, lr0, gamma: lr0 * (1 - (1 - gamma) * t)),
    Mistake("gamma_times_t", "your schedule multiplies by gamma * t instead of raising gamma "
            "to the power t.", lambda t, lr0, gamma: lr0 * gamma * t),
]

_EXP_PROBES = _probes({"lr0": 0.1, "gamma": 0.9}, {"lr0": 1.5, "gamma": 0.5})


def check_exponential_schedule(exponential_schedule: Callable) -> CheckResult:
    """Check ``exponential_schedule(t, lr0, gamma)`` (torch ``ExponentialLR``)."""
    return run_check("exponential_schedule", exponential_schedule, _behaviour, _EXP_PROBES,
                     _exp_ref, _EXP_MISTAKES)


# ---------------------------------------------------------------------- cosine
def _cos_ref(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return final_lr + (lr0 - final_lr) * (1 + math.cos(math.pi * t / total_steps)) / 2


def _cos_no_half(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return final_lr + (lr0 - final_lr) * (1 + math.cos(math.pi * t / total_steps))


def _cos_no_floor(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return lr0 * (1 + math.cos(math.pi * t / total_steps)) / 2


def _cos_floor_added(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return final_lr + lr0 * (1 + math.cos(math.pi * t / total_steps)) / 2


def _cos_no_clamp(t, lr0, total_steps, final_lr=0.0):
    return final_lr + (lr0 - final_lr) * (1 + math.cos(math.pi * t / total_steps)) / 2


def _cos_rising(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return final_lr + (lr0 - final_lr) * (1 - math.cos(math.pi * t / total_steps)) / 2


def _cos_early(t, lr0, total_steps, final_lr=0.0):
    return _cos_ref(t, lr0, total_steps - 1, final_lr)


_COS_MISTAKES = [
    Mistake("no_half", "your cosine starts at twice the initial lr: 1 + cos(.) runs from 2 "
            "to 0, so it needs a factor 1/2.", _cos_no_half),
    Mistake("ignores_final_lr", "your schedule ends at 0, not at final_lr: the cosine should "
            "interpolate between lr0 and final_lr.", _cos_no_floor),
    Mistake("final_lr_added", "your schedule starts at lr0 + final_lr: the cosine part must "
            "span lr0 - final_lr, so that lr(0) = lr0 and lr(total_steps) = final_lr.",
            _cos_floor_added),
    Mistake("no_clamp", "after total_steps your rate climbs back up (that is torch's "
            "CosineAnnealingLR beyond T_max); here the rate must stay at final_lr for "
            "t >= total_steps.", _cos_no_clamp),
    Mistake("rising", "your schedule rises from final_lr to lr0: the sign in front of the "
            "cosine is flipped.", _cos_rising),
    Mistake("ends_early", "your schedule is off by one step: it reaches final_lr at "
            "total_steps - 1 instead of at total_steps.", _cos_early),
]

_COS_PROBES = [({"lr0": 0.1, "total_steps": 8}, list(range(13))),
               ({"lr0": 1.0, "total_steps": 10, "final_lr": 0.1}, list(range(16)))]


def check_cosine_schedule(cosine_schedule: Callable) -> CheckResult:
    """Check ``cosine_schedule(t, lr0, total_steps, final_lr=0.0)``."""
    return run_check("cosine_schedule", cosine_schedule, _behaviour, _COS_PROBES, _cos_ref,
                     _COS_MISTAKES)


# ------------------------------------------------------------- warm-up + cosine
def _warm_ref(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return lr0 * (t + 1) / (warmup_steps + 1)
    return _cos_ref(t - warmup_steps, lr0, total_steps - warmup_steps, final_lr)


def _warm_from_zero(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return lr0 * t / warmup_steps
    return _warm_ref(t, lr0, warmup_steps, total_steps, final_lr)


def _warm_unshifted(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return _warm_ref(t, lr0, warmup_steps, total_steps, final_lr)
    return _cos_ref(t, lr0, total_steps, final_lr)


def _warm_long(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return _warm_ref(t, lr0, warmup_steps, total_steps, final_lr)
    return _cos_ref(t - warmup_steps, lr0, total_steps, final_lr)


def _warm_over_w(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return lr0 * (t + 1) / warmup_steps
    return _warm_ref(t, lr0, warmup_steps, total_steps, final_lr)


def _warm_none(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    return _cos_ref(t, lr0, total_steps, final_lr)


_WARM_MISTAKES = [
    Mistake("starts_at_zero", "your warm-up starts at lr 0, so step 0 does nothing: in this "
            "convention (nanoGPT's) the warm-up rate at step t is proportional to t + 1 and "
            "reaches lr0 at t = warmup_steps.", _warm_from_zero),
    Mistake("cosine_not_shifted", "your cosine counts from step 0, not from the end of the "
            "warm-up: at t = warmup_steps the rate should be lr0 and the decay should start "
            "there.", _warm_unshifted),
    Mistake("cosine_too_long", "your cosine lasts total_steps steps *after* the warm-up; it "
            "should reach final_lr at t = total_steps (the warm-up is part of the run).",
            _warm_long),
    Mistake("peaks_early", "your warm-up reaches lr0 one step early, at t = warmup_steps - 1 "
            "(so lr0 is used twice): in this convention the rate at step t is proportional to "
            "t + 1 out of warmup_steps + 1, and lr0 is first reached at t = warmup_steps.",
            _warm_over_w),
    Mistake("no_warmup", "your schedule has no warm-up: it starts at lr0 instead of rising "
            "linearly during the first warmup_steps steps.", _warm_none),
]

_WARM_PROBES = [({"lr0": 0.1, "warmup_steps": 3, "total_steps": 10}, list(range(14))),
                ({"lr0": 1.0, "warmup_steps": 4, "total_steps": 12, "final_lr": 0.05},
                 list(range(15)))]


def check_warmup_cosine(warmup_cosine: Callable) -> CheckResult:
    """Check ``warmup_cosine(t, lr0, warmup_steps, total_steps, final_lr=0.0)``."""
    return run_check("warmup_cosine", warmup_cosine, _behaviour, _WARM_PROBES, _warm_ref,
                     _WARM_MISTAKES)
