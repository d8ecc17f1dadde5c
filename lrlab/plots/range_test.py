"""Drawing a range test: the loss against the rate, with the suggestions marked.

Kept apart from :mod:`lrlab.finder` (computation) so that the test never
needs matplotlib. The result is read duck-typed (its ``lrs``, ``losses``,
``smoothed``, ``stop``); the suggestions come from
:mod:`lrlab.finder.suggestions`, which imports nothing that draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..finder.suggestions import _check_methods, suggest
from .base import COLORS, axes_or_new

if TYPE_CHECKING:
    from ..finder.result import RangeTestResult, SuggestionBand

__all__ = ["SUGGESTION_COLORS", "SUGGESTION_LABELS", "plot_grid_comparison", "plot_range_test",
           "useful_window"]

#: What each suggestion's marker says it is (``minimum`` returns a tenth of the minimum's rate).
SUGGESTION_LABELS = {"minimum": "minimum/10", "steep": "steepest", "valley": "valley",
                     "slide": "slide", "midpoint": "midpoint (lrlab's)"}
#: One colour-blind-safe colour per suggestion (the curve is COLORS[0]).
SUGGESTION_COLORS = {"minimum": COLORS[1], "steep": COLORS[2], "valley": COLORS[4],
                     "slide": COLORS[3], "midpoint": COLORS[5]}


def useful_window(result: RangeTestResult, skip_end: int = 5) -> tuple[int, int]:
    """``(0, end)``: the points a plot should fit, fastai's plot window.

    fastai's ``plot_lr_find`` draws its recorded curve without the last
    ``skip_end`` points, and matplotlib scales the axes to what is left, so the
    blow-up at the end does not squash the useful region. ``end`` is the end of
    the window the suggestions read (``min(recorded - skip_end, stop)``: the
    NaN cut included), or ``stop`` if that leaves fewer than 3 points.
    """
    stop = int(result.stop)
    end = min(int(getattr(result, "recorded", stop)) - skip_end, stop)
    return 0, end if end >= 3 else stop


def plot_range_test(
    result: RangeTestResult,
    ax: Any = None,
    *,
    suggestions: Iterable[str] = ("minimum", "steep", "valley", "slide", "midpoint"),
    band: SuggestionBand | None = None,
    raw: bool = True,
    clip: bool = True,
    skip_end: int = 5,
    mark_minimum: bool = True,
    legend: str | None = "outside",
) -> Any:
    """Loss against learning rate (log x), with the suggestions marked and labelled.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    ax : matplotlib Axes, optional
        Where to draw (a new standalone figure if omitted).
    suggestions : iterable of str
        Which suggestions to mark (a dotted line and a dot on the smoothed curve),
        each labelled with what it is and its value (``minimum/10: 0.084``).
    band : SuggestionBand, optional
        Shade each suggestion's band over seeds.
    raw : bool
        Also draw the raw losses (faint).
    clip : bool
        Fit the y-axis to the smoothed curve without its last ``skip_end`` points,
        as fastai's ``plot_lr_find`` does (:func:`useful_window`): the blow-up
        leaves the top of the axes (a triangle marks where) and the useful region
        fills them. False fits everything the test kept.
    skip_end : int
        Points left out of the fit (fastai's 5).
    mark_minimum : bool
        Mark the lowest smoothed loss itself (a ring: the rate that
        ``minimum/10`` divides by 10).
    legend : str or None
        ``'outside'`` (right of the axes, covering nothing), a matplotlib location
        (``'lower left'``), or None for no legend.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> ax = plot_range_test(lr_range_test(quadratic([1.0, 10.0]), sgd),
    ...                      suggestions=["minimum", "valley"])
    >>> ax.get_xscale(), [t.get_text().split(":")[0] for t in ax.get_legend().get_texts()]
    ('log', ['loss', 'smoothed loss', 'minimum/10', 'valley', 'lowest smoothed',
     'blow-up (clipped)'])
    """
    suggestions = _check_methods(suggestions, "suggestions", "plot_range_test")
    ax = axes_or_new(ax, figsize=(7.0, 4.0))
    n = int(result.stop)
    lrs, smoothed = result.lrs[:n], result.smoothed[:n]
    if raw:
        ax.plot(lrs, result.losses[:n], color="0.7", lw=0.8, label="loss")
    ax.plot(lrs, smoothed, color=COLORS[0], lw=2, label="smoothed loss")
    logx = np.log(lrs)
    for name in suggestions:
        try:
            lr = suggest(result, name)
        except ValueError:
            continue
        y = np.interp(np.log(lr), logx, smoothed)
        color = SUGGESTION_COLORS.get(name, COLORS[6])
        ax.axvline(lr, color=color, ls=":", lw=1.2)
        ax.plot([lr], [y], "o", color=color, ms=7, mec="white", mew=0.8, zorder=4,
                label=f"{SUGGESTION_LABELS.get(name, name)}: {lr:.2g}")
        if band is not None and name in band.values:
            ax.axvspan(band.low[name], band.high[name], color=color, alpha=0.12)
    lo, hi = useful_window(result, skip_end)
    window = smoothed[lo:hi]
    window = window[np.isfinite(window)]
    if mark_minimum and window.size:
        i = int(np.argmin(smoothed[lo:hi]))
        ax.plot([lrs[lo + i]], [smoothed[lo + i]], "o", ms=11, mfc="none",
                color=SUGGESTION_COLORS["minimum"], mew=1.5, zorder=4,
                label=f"lowest smoothed: lr {lrs[lo + i]:.2g}")
    ax.set_xscale("log")
    ax.set_xlim(result.lrs[0], lrs[-1] if n else result.lrs[-1])
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("training loss")
    finite = smoothed[np.isfinite(smoothed)]
    fit = window if (clip and window.size) else finite
    clipped = False
    limits, above = fitted_ylim(smoothed, fit, result.initial_loss, hi)
    if limits is not None:
        ax.set_ylim(*limits)
        if clip and above is not None:
            clipped = True  # where the smoothed curve leaves the axes: a triangle at the top
            ax.plot([lrs[above]], [limits[1]], "^", color=COLORS[0], ms=8, clip_on=False,
                    zorder=5, label="blow-up (clipped)")
    rule = result.settings.get("rule", "")
    ax.set_title(f"LR range test{f' ({rule})' if rule else ''}: stopped at lr "
                 f"{result.stop_lr:.2g}" + (" (blow-up clipped)" if clipped else ""),
                 fontsize=10)
    if legend == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  borderaxespad=0.0)
    elif legend is not None:
        ax.legend(loc=legend, fontsize="small", framealpha=0.9)
    return ax


def fitted_ylim(smoothed: np.ndarray, fit: np.ndarray, initial_loss: float,
                end: int) -> tuple[tuple[float, float] | None, int | None]:
    """The y limits a range-test plot fits to ``fit``, and where the curve leaves them.

    The limits span ``fit`` and the initial loss, padded by 6 % of that span
    (``None`` when ``fit`` is empty). The index is the first step, from
    ``end - 1`` on (the end of the useful window), where the smoothed loss is
    above the top: where the blow-up leaves the axes (``None`` if it never does).
    """
    if not fit.size:
        return None, None
    bottom, top = float(fit.min()), float(max(fit.max(), initial_loss))
    pad = 0.06 * (top - bottom if top > bottom else max(abs(top), 1.0))
    above = np.nonzero(np.isfinite(smoothed) & (smoothed > top + pad))[0]
    above = above[above >= end - 1]
    return (bottom - pad, top + pad), (int(above[0]) if above.size else None)


def plot_grid_comparison(comparisons: Any, ax: Any = None, *, factor: float = 2.0,
                         legend: str | None = "outside") -> Any:
    """Each suggestion's ratio to the grid's best, per problem and seed (log y).

    Parameters
    ----------
    comparisons : mapping of str to GridComparison
        :func:`~lrlab.finder.compare_with_grid` results by problem name.
    ax : matplotlib Axes, optional
        Where to draw (a new standalone figure if omitted).
    factor : float
        The shaded band: within ``factor`` of the grid's best.
    legend : str or None
        ``'outside'``, a matplotlib location, or None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from lrlab.finder import GridComparison
    >>> c = GridComparison(np.array([0.1, 0.2]), (0, 1), np.array([[1.0, 0.5], [1.0, 0.6]]),
    ...                    {"valley": np.array([0.05, 0.3]), "steep": np.array([0.2, 0.4])}, [])
    >>> ax = plot_grid_comparison({"toy": c})
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['steepest', 'valley']
    """
    ax = axes_or_new(ax, figsize=(8.0, 3.8))
    items = list(comparisons.items())
    if not items:
        raise ValueError("plot_grid_comparison needs at least one comparison.")
    methods = [m for m in SUGGESTION_LABELS if m in items[0][1].suggestions]
    markers = ("o", "s", "D", "^", "v", "P")
    ax.axhspan(1 / factor, factor, color="0.9", zorder=0, label=f"within {factor:g}x")
    ax.axhline(1.0, color="0.5", lw=0.8, zorder=1)
    offsets = np.linspace(-0.25, 0.25, len(items)) if len(items) > 1 else np.zeros(1)
    for k, ((name, comp), dx) in enumerate(zip(items, offsets, strict=True)):
        ratios = comp.ratios
        for j, m in enumerate(methods):
            r = ratios[m]
            x = j + dx + np.linspace(-0.04, 0.04, len(r)) if len(r) > 1 else np.full(1, j + dx)
            ax.plot(x, np.where(np.isfinite(r) & (r > 0), r, np.nan),
                    markers[k % len(markers)], color=COLORS[k % len(COLORS)], ms=6,
                    mec="white", mew=0.6, zorder=3, label=name if j == 0 else None)
    ax.set_yscale("log")
    ax.set_xticks(range(len(methods)), [SUGGESTION_LABELS[m] for m in methods])
    ax.set_xlim(-0.6, len(methods) - 0.4)
    ax.set_xlabel("suggestion (one marker per problem and seed)")
    ax.set_ylabel("suggestion / grid's best (log scale)")
    ax.set_title("Where each suggestion lands, relative to the validation grid's best",
                 fontsize=10)
    if legend == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  borderaxespad=0.0)
    elif legend is not None:
        ax.legend(loc=legend, fontsize="small")
    return ax
