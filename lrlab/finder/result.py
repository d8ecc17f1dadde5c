"""What a range test returns: :class:`RangeTestResult` and, over seeds, :class:`SuggestionBand`.

Plain records: the suggestions they offer are computed by
:mod:`lrlab.finder.suggestions`; ``RangeTestResult.plot`` loads
:mod:`lrlab.plots` only when called.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..history import History
from .suggestions import _check_methods, suggest

__all__ = ["RangeTestResult", "SuggestionBand"]


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    """What a range test recorded.

    Attributes
    ----------
    lrs : ndarray, shape (num_steps,)
        The swept learning rates.
    losses : ndarray, shape (num_steps,)
        ``losses[i]``: the (minibatch) loss after the step taken at ``lrs[i]``;
        NaN after the run diverged.
    smoothed : ndarray, shape (num_steps,)
        Bias-corrected exponential moving average of ``losses``; NaN after ``stop``.
    stop : int
        Number of usable points: the test stopped after ``lrs[stop - 1]``
        (``num_steps`` if it ran to the end).
    reason : str
        Why it stopped.
    initial_loss : float
        Loss at the start point, before any step.
    history : History
        The full record of the training run.
    settings : dict
        The arguments of :func:`lr_range_test`.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stop: int
    reason: str
    initial_loss: float
    history: History
    settings: dict = field(default_factory=dict)

    @property
    def num_steps(self) -> int:
        """Length of the sweep."""
        return len(self.lrs)

    @property
    def stop_lr(self) -> float:
        """The last learning rate the test kept."""
        return float(self.lrs[max(self.stop - 1, 0)])

    @property
    def recorded(self) -> int:
        """How many points fastai's ``lr_find`` would have recorded for this run.

        ``stop``, except when the run ended on a non-finite loss (at index
        ``stop``), where fastai's moving average does not stop the way lrlab's
        test does:

        * a NaN loss makes fastai's smoothed loss NaN for good; ``NaN > 4 * best``
          is False, so its sweep runs on to ``num_steps`` and ``lr_find`` then cuts
          the window at the first NaN: ``num_steps``;
        * a loss of ``+inf`` makes the smoothed loss ``+inf``, which is recorded
          and then trips the ``4 x best`` test: ``stop + 1`` (with
          ``stop_factor=None`` fastai records on: ``num_steps``).

        The suggestions read the window ``[skip_start, min(recorded - skip_end,
        stop))``, which is fastai's ``recorder.lrs[num_it//10:-5]`` cut at the
        first NaN. A result without a ``history`` (built by hand) gives ``stop``.
        """
        n, stop, history = self.num_steps, self.stop, self.history
        if stop >= n or history is None or math.isfinite(float(self.losses[stop])):
            return stop
        diverged = int(np.asarray(getattr(history, "diverged_at", -1)).max())
        # losses[i] is history.loss[i + 1]: the stop must be at or after the divergence
        # (a run that passed the 4 x test and diverged later stopped at the 4 x test)
        if diverged < 0 or stop < diverged - 1:
            return stop
        if float(self.losses[stop]) == math.inf and self.settings.get("stop_factor",
                                                                        4.0) is not None:
            return stop + 1
        return n

    def suggest(self, method: str = "valley", **kwargs: Any) -> float:
        """Shortcut for :func:`~lrlab.finder.suggest` (``method`` in :data:`SUGGESTIONS`)."""
        return suggest(self, method, **kwargs)

    def suggestions(self, methods: Iterable[str] = ("minimum", "steep", "valley", "slide",
                                                    "midpoint"),
                    ) -> dict[str, float]:
        """Every suggestion by name (NaN for one that cannot be computed).

        An unknown name is an error, not a NaN.
        """
        methods = _check_methods(methods, "methods", "RangeTestResult.suggestions")
        out = {}
        for name in methods:
            try:
                out[name] = suggest(self, name)
            except ValueError:
                out[name] = math.nan
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Shortcut for :func:`lrlab.plots.plot_range_test` (imports matplotlib)."""
        from ..plots.range_test import plot_range_test

        return plot_range_test(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return (f"<RangeTestResult {self.num_steps} lrs {self.lrs[0]:.3g}..{self.lrs[-1]:.3g}, "
                f"stopped at {self.stop_lr:.3g}: {self.reason}>")


@dataclass(frozen=True, eq=False)
class SuggestionBand:
    """Suggestions of the same range test repeated over seeds.

    Attributes
    ----------
    seeds : tuple of int
    results : list of RangeTestResult
    values : dict
        Method name -> array of suggestions, one per seed (NaN where the
        suggestion could not be computed).
    """

    seeds: tuple
    results: list
    values: dict

    def _stat(self, fn) -> dict[str, float]:
        out = {}
        for name, v in self.values.items():
            v = v[np.isfinite(v)]
            out[name] = float(fn(v)) if v.size else math.nan
        return out

    @property
    def median(self) -> dict[str, float]:
        """Median (geometric middle for an even count) of each suggestion over seeds."""
        return self._stat(lambda v: np.exp(np.median(np.log(v))))

    @property
    def low(self) -> dict[str, float]:
        """Smallest suggestion over seeds."""
        return self._stat(np.min)

    @property
    def high(self) -> dict[str, float]:
        """Largest suggestion over seeds."""
        return self._stat(np.max)

    @property
    def spread(self) -> dict[str, float]:
        """Width of each band in decades: ``log10(high / low)`` (0 = identical)."""
        return self._stat(lambda v: np.log10(np.max(v) / np.min(v)))

    def __repr__(self) -> str:
        med, lo, hi, sp = self.median, self.low, self.high, self.spread
        lines = [f"Suggestion band over {len(self.seeds)} seeds:",
                 f"  {'method':<9} {'median':>10} {'low':>10} {'high':>10} {'decades':>8}"]
        for name in self.values:
            lines.append(f"  {name:<9} {med[name]:>10.3g} {lo[name]:>10.3g} {hi[name]:>10.3g} "
                         f"{sp[name]:>8.2f}")
        return "\n".join(lines)
