r"""Self-check for assignment 6's detector: has a loss history reached its floor?

The learner writes ``noise_floor_reached(losses, window=100) -> bool``: with
:math:`a` the ``window`` losses before the last ``window`` and :math:`b` the
last ``window`` losses,

.. math::
    \Delta = \bar a - \bar b, \qquad
    s = \sqrt{\frac{\operatorname{var}(a)}{w} + \frac{\operatorname{var}(b)}{w}}
    \quad(\text{sample variances, } w = \text{window}),

the floor is reached when :math:`|\Delta| \le 2 s`: the two windows agree
within twice the standard error of the difference of their means (a two-sample
z-test at about 95 %). With fewer than ``2 * window`` losses, or a non-finite
one among the last ``2 * window``, the answer is ``False`` (cannot say; a run
that diverged has no floor).

Examples
--------
>>> import numpy as np
>>> from lrlab.checks import check_noise_floor_reached
>>> def noise_floor_reached(losses, window=100):
...     losses = np.asarray(losses, dtype=float)
...     if losses.size < 2 * window or not np.all(np.isfinite(losses[-2 * window:])):
...         return False
...     a, b = losses[-2 * window:-window], losses[-window:]
...     spread = np.var(a, ddof=1) + np.var(b, ddof=1)
...     return bool(abs(np.mean(a) - np.mean(b)) <= 2 * np.sqrt(spread))
>>> check_noise_floor_reached(noise_floor_reached).mistake
'std_not_standard_error'
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._core import CheckResult, Mistake, run_check

__all__ = ["check_noise_floor_reached"]


def _windows(losses, window, *, fixed=None, whole=False):
    losses = np.asarray(losses, dtype=float)
    w = fixed or window
    if whole:
        half = losses.size // 2
        return losses[:half], losses[half:2 * half], half
    return losses[-2 * w:-w], losses[-w:], w


def _variant(*, scale="se", two_sided=True, fixed=None, whole=False, length_check=True,
             finite_check=True, nan_functions=False) -> Callable:
    """``noise_floor_reached`` with one of the catalogued mistakes switched on."""
    mean = np.nanmean if nan_functions else np.mean
    var = np.nanvar if nan_functions else np.var

    def noise_floor_reached(losses, window=100):
        losses = np.asarray(losses, dtype=float)
        w = fixed or window
        if length_check and (w < 2 or losses.size < 2 * w):
            return False
        if finite_check and not nan_functions and not np.all(np.isfinite(losses[-2 * w:])):
            return False
        a, b, n = _windows(losses, window, fixed=fixed, whole=whole)
        drop = mean(a) - mean(b)
        spread = var(a, ddof=1) + var(b, ddof=1)
        noise = np.sqrt(spread / n) if scale == "se" else np.sqrt(spread)
        return bool((abs(drop) if two_sided else drop) <= 2 * noise)

    return noise_floor_reached


_reference = _variant()

_MISTAKES = [
    Mistake("std_not_standard_error",
            "your test compares the difference of the two window means with the standard "
            "deviation of the losses, not with the standard error of that difference "
            "(which divides the variances by the window length): it calls a loss that is "
            "still clearly falling, slowly under a lot of noise, a floor.",
            _variant(scale="std")),
    Mistake("one_sided",
            "your test checks only that the loss did not fall by more than the noise, so a "
            "loss that is clearly rising counts as a floor. A floor means no trend either "
            "way: compare the absolute difference.",
            _variant(two_sided=False)),
    Mistake("window_ignored",
            "your function ignores its `window` argument (it always uses 100 losses per "
            "window): with window=50 it needs 200 losses, not 100.",
            _variant(fixed=100)),
    Mistake("whole_history",
            "your function compares the first half of the history with the second half, not "
            "the last two windows: a run that fell fast and then sat on its floor for a long "
            "time still has its fall in the first half.",
            _variant(whole=True)),
    Mistake("no_length_check",
            "with fewer than 2 * window losses your function still answers (its two windows "
            "overlap or are short); it must return False: there is not enough history to "
            "say.",
            _variant(length_check=False)),
    Mistake("nan_ignored",
            "your function skips NaN losses (np.nanmean / np.nanvar), so a run that diverged "
            "(lrlab writes NaN after the step it blew up) looks flat: a non-finite loss "
            "among the last 2 * window means no floor.",
            _variant(nan_functions=True)),
]


def _probes() -> list:
    rng = np.random.default_rng(6)
    t = np.arange(1000.0)
    flat = 1.0 + 0.1 * rng.normal(size=400)
    return [
        (flat, 100),                                                        # a floor
        (np.exp(-t[:400] / 100.0), 100),                                    # clean decay
        (1.0 + 0.0005 * (1000 - t) + 0.05 * rng.normal(size=1000), 100),    # slow, noisy fall
        (1.0 + 0.0005 * t + 0.05 * rng.normal(size=1000), 100),             # rising
        (1.0 + 0.1 * rng.normal(size=150), 100),                            # too short
        (np.concatenate([flat, np.full(30, np.nan)]), 100),                 # NaN after a blow-up
        (np.concatenate([flat, [np.inf]]), 100),                            # inf at the end
        (np.exp(-np.arange(2000.0) / 50.0) + 0.1 + 0.01 * rng.normal(size=2000), 200),
                                                                            # fall, long floor
        (1.0 + 0.1 * rng.normal(size=150), 50),                             # window of 50
        (np.full(300, 0.5), 100),                                           # exactly constant
    ]


def _behaviour(fn: Callable, probe) -> list:
    losses, window = probe
    out = fn(losses.copy(), window=window)
    return [(f"noise_floor_reached(<{losses.size} losses>, window={window})", out)]


def check_noise_floor_reached(noise_floor_reached: Callable) -> CheckResult:
    """Check ``noise_floor_reached(losses, window=100) -> bool`` on ten probe histories.

    Returns
    -------
    CheckResult
        Names ``std_not_standard_error``, ``one_sided``, ``window_ignored``,
        ``whole_history``, ``no_length_check`` or ``nan_ignored`` when it fits.
    """
    return run_check("noise_floor_reached", noise_floor_reached, _behaviour, _probes(),
                     _reference, _MISTAKES,
                     passed_message="right on ten probe histories (a floor, a clean fall, a "
                     "slow noisy fall, a rise, short ones, NaN and inf at the end, a long "
                     "floor after a fall, window=50, a constant).")
