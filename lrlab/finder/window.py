"""The window of a range-test curve that every suggestion reads (fastai's ``lr_find`` window)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._validation import check_int, fail

if TYPE_CHECKING:
    from .result import RangeTestResult

__all__: list[str] = []


#: What a suggestion reads from a range-test result.
_RESULT_FIELDS = ("lrs", "smoothed", "stop", "num_steps", "reason")


def _curve(result: RangeTestResult, skip_start: int | None, skip_end: int, name: str,
           need: int = 3):
    """The (rates, smoothed losses) window a suggestion reads, with clear errors.

    fastai's window: ``recorder.lrs[num_it//10 : -skip_end]`` of the points it recorded
    (:attr:`RangeTestResult.recorded`), cut at the first NaN, i.e. ``[start, end)`` with
    ``end = min(recorded - skip_end, stop)``.
    """
    # Duck-typed (what a RangeTestResult offers), so this module imports nothing of the finder.
    if not all(hasattr(result, a) for a in _RESULT_FIELDS):
        fail(result, "result", name,
             allowed="a RangeTestResult (from lr_range_test)", exc=TypeError)
    start = result.num_steps // 10 if skip_start is None else check_int(
        skip_start, "skip_start", name, low=0)
    skip_end = check_int(skip_end, "skip_end", name, low=0)
    recorded = getattr(result, "recorded", result.stop)
    end = min(recorded - skip_end, result.stop)
    if end - start < need:
        raise ValueError(
            f"{name} needs at least {need} points of the range test after skipping the first "
            f"{start} (skip_start) and the last {skip_end} (skip_end); the test kept {result.stop} "
            f"({result.reason}). Start the sweep at a smaller lr or use more steps.")
    return result.lrs[start:end], result.smoothed[start:end]
