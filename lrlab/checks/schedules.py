"""Self-checks for assignment 2: step, exponential and cosine schedules,
linear warm-up followed by cosine decay, and reducing the rate on a plateau.

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
  cosine from ``lr0`` at ``t = warmup_steps`` to ``final_lr`` at ``t = total_steps``;
* ``plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4)``: the rates
  ``ReduceLROnPlateau`` sets after each loss (a function of the loss history, not of ``t``).

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

__all__ = ["check_cosine_schedule", "check_exponential_schedule", "check_plateau_rates",
           "check_step_schedule", "check_warmup_cosine"]


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


# ------------------------------------------------------------------- plateau_rates
def _plateau(losses, lr0, factor=0.1, patience=10, threshold=1e-4, *, kind="ref"):
    """torch's ReduceLROnPlateau (mode 'min', threshold_mode 'rel', no cooldown, min_lr 0)
    on a sequence of losses, and the catalogued wrong variants."""
    lr, best, bad, previous, rates = lr0, math.inf, 0, math.inf, []
    for loss in losses:
        loss = float(loss)
        reference = previous if kind == "vs_last" else best
        if kind == "abs_threshold":
            better = loss < reference - threshold
        elif kind == "no_threshold":
            better = loss < reference
        else:
            better = loss < reference * (1 - threshold)
        if better:
            best, bad = loss, 0
        else:
            bad += 1
        previous = loss
        if (bad >= patience) if kind == "ge_patience" else (bad > patience):
            lr *= factor
            if kind != "no_reset":
                bad = 0
        rates.append(lr)
    return rates


def _plateau_variant(kind):
    def plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4):
        return _plateau(losses, lr0, factor, patience, threshold, kind=kind)
    return plateau_rates


_PLATEAU_MISTAKES = [
    Mistake("ge_patience", "your rate drops one epoch early: torch cuts the rate when the "
            "number of epochs without improvement *exceeds* patience (patience = 2 tolerates "
            "two bad epochs and cuts at the third).", _plateau_variant("ge_patience")),
    Mistake("no_reset", "after a cut your rate keeps dropping at every epoch: reset the count "
            "of bad epochs to 0 when you reduce the rate.", _plateau_variant("no_reset")),
    Mistake("vs_last", "you compare each loss with the previous one; compare with the *best* "
            "loss so far, so that a small recovery after a bad epoch is not an improvement.",
            _plateau_variant("vs_last")),
    Mistake("abs_threshold", "your threshold is absolute (loss < best - threshold); torch's "
            "default is relative: an improvement means loss < best * (1 - threshold).",
            _plateau_variant("abs_threshold")),
    Mistake("no_threshold", "you count any decrease as an improvement; it must beat the best "
            "loss by the relative threshold: loss < best * (1 - threshold).",
            _plateau_variant("no_threshold")),
]

# (losses, keyword arguments): a fall then a flat tail; a bad epoch followed by a partial
# recovery; large losses with small improvements and small losses with tiny ones (relative,
# absolute or no threshold); a long flat run.
_PLATEAU_PROBES = [
    ([5.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0], {"lr0": 1.0, "factor": 0.5,
                                                          "patience": 2}),
    ([5.0, 4.0, 6.0, 5.0, 4.5, 4.2, 4.1, 3.0, 3.5, 3.2], {"lr0": 0.3, "factor": 0.1,
                                                          "patience": 2}),
    ([1000.0, 999.95, 999.9, 999.85, 999.8, 999.75, 999.7], {"lr0": 0.1, "factor": 0.5,
                                                             "patience": 1, "threshold": 1e-4}),
    ([2.0, 1.0] + [1.0] * 12, {"lr0": 1.0, "factor": 0.5, "patience": 3}),
    ([0.1, 0.09995, 0.0999, 0.09985, 0.0998, 0.09975], {"lr0": 0.1, "factor": 0.5,
                                                        "patience": 1, "threshold": 1e-4}),
]


def _plateau_behaviour(fn, probe):
    losses, kwargs = probe
    out = fn(list(losses), **kwargs)
    values = [float(x) for x in out]
    if len(values) != len(losses):
        raise TypeError(f"plateau_rates must return one rate per loss ({len(losses)}), "
                        f"got {len(values)}")
    params = ", ".join(f"{k}={v}" for k, v in kwargs.items())
    return [(f"plateau_rates(losses={losses}, {params})", values)]


def check_plateau_rates(plateau_rates: Callable) -> CheckResult:
    """Check ``plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4)``.

    It returns, for each loss of the sequence, the rate in force after seeing it, with
    ``torch.optim.lr_scheduler.ReduceLROnPlateau``'s logic (mode ``'min'``, relative
    threshold, no cooldown, ``min_lr = 0``), as :func:`lrlab.rules.reduce_on_plateau`.
    """
    return run_check("plateau_rates", plateau_rates, _plateau_behaviour, _PLATEAU_PROBES,
                     _plateau_variant("ref"), _PLATEAU_MISTAKES)
