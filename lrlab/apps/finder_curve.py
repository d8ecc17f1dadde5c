"""A range test's curve whose artists are made once and moved to each new test.

:func:`lrlab.plots.plot_range_test` draws a test with new artists. The
replay app shows many tests in one axes (a rule, a batch size, a seed), so
it keeps one set of artists -- the same lines, markers and labels that
``plot_range_test`` makes, in the same order -- and gives them each new
test's data (:meth:`RangeTestCurve.show`): the artists can then live in
cached layers (:meth:`~lrlab.apps.render.Canvas.layer`) and a new test
redraws those layers, not the axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..finder.suggestions import suggest
from ..plots.base import COLORS
from ..plots.range_test import SUGGESTION_COLORS, SUGGESTION_LABELS, fitted_ylim, useful_window

__all__ = ["RangeTestCurve", "suggested"]

#: The suggestions ``plot_range_test`` marks by default, in its order.
MARKED = ("minimum", "steep", "valley", "slide", "midpoint")


def suggested(result: Any, names: tuple = MARKED) -> dict:
    """Each suggestion's rate, None where ``suggest`` raises (``plot_range_test`` skips it)."""
    out = {}
    for name in names:
        try:
            out[name] = suggest(result, name)
        except ValueError:
            out[name] = None
    return out


class RangeTestCurve:
    """``plot_range_test(result, ax, legend='outside')`` with artists kept between tests.

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw (log x axis; the artists are added once, here).
    skip_end : int
        Points left out of the y fit (``plot_range_test``'s ``skip_end``).

    Attributes
    ----------
    raw, smoothed : Line2D
        The losses and their moving average.
    lines, dots : dict of Line2D
        Suggestion name -> its dotted vertical line and its dot (hidden when the
        test has no such suggestion).
    lowest, blowup : Line2D
        The ring at the lowest smoothed loss, the triangle where the curve leaves the top.
    groups : list of lists of Line2D
        The artists by drawing depth (lines, markers, the triangle): one layer each.

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.plots import new_axes
    >>> from lrlab.rules import sgd
    >>> from lrlab.surfaces import quadratic
    >>> curve = RangeTestCurve(new_axes())
    >>> sug = curve.show(lr_range_test(quadratic([1.0, 10.0]), sgd))
    >>> [t.get_text().split(":")[0] for t in curve.ax.get_legend().get_texts()][:3]
    ['loss', 'smoothed loss', 'minimum/10']
    """

    def __init__(self, ax: Any, *, skip_end: int = 5):
        self.ax, self.skip_end = ax, skip_end
        (self.raw,) = ax.plot([], [], color="0.7", lw=0.8, label="loss")
        (self.smoothed,) = ax.plot([], [], color=COLORS[0], lw=2, label="smoothed loss")
        self.lines, self.dots = {}, {}
        for name in MARKED:
            color = SUGGESTION_COLORS.get(name, COLORS[6])
            self.lines[name] = ax.axvline(1.0, color=color, ls=":", lw=1.2)
            (self.dots[name],) = ax.plot([], [], "o", color=color, ms=7, mec="white", mew=0.8,
                                         zorder=4)
        (self.lowest,) = ax.plot([], [], "o", ms=11, mfc="none",
                                 color=SUGGESTION_COLORS["minimum"], mew=1.5, zorder=4)
        (self.blowup,) = ax.plot([], [], "^", color=COLORS[0], ms=8, clip_on=False, zorder=5,
                                 label="blow-up (clipped)")
        self.groups = [[self.raw, self.smoothed, *self.lines.values()],
                       [*self.dots.values(), self.lowest], [self.blowup]]
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel("training loss")

    @property
    def artists(self) -> list:
        """Every artist of the curve."""
        return [a for group in self.groups for a in group]

    def show(self, result: Any, suggestions: dict | None = None) -> dict:
        """Draw ``result`` as ``plot_range_test`` does (no title); return its suggestions.

        ``suggestions`` (from :func:`suggested`) saves computing them again.
        """
        ax, sug = self.ax, suggested(result) if suggestions is None else suggestions
        n = int(result.stop)
        lrs, smoothed = result.lrs[:n], result.smoothed[:n]
        self.raw.set_data(lrs, result.losses[:n])
        self.smoothed.set_data(lrs, smoothed)
        handles = [self.raw, self.smoothed]
        logx = np.log(lrs)
        for name in MARKED:
            lr = sug.get(name)
            shown = lr is not None
            self.lines[name].set_visible(shown)
            self.dots[name].set_visible(shown)
            if shown:
                self.lines[name].set_xdata([lr, lr])
                self.dots[name].set_data([lr], [np.interp(np.log(lr), logx, smoothed)])
                self.dots[name].set_label(f"{SUGGESTION_LABELS.get(name, name)}: {lr:.2g}")
                handles.append(self.dots[name])
        lo, hi = useful_window(result, self.skip_end)
        window = smoothed[lo:hi]
        window = window[np.isfinite(window)]
        self.lowest.set_visible(bool(window.size))
        if window.size:
            i = int(np.argmin(smoothed[lo:hi]))
            self.lowest.set_data([lrs[lo + i]], [smoothed[lo + i]])
            self.lowest.set_label(f"lowest smoothed: lr {lrs[lo + i]:.2g}")
            handles.append(self.lowest)
        ax.set_xlim(result.lrs[0], lrs[-1] if n else result.lrs[-1])
        finite = smoothed[np.isfinite(smoothed)]
        fit = window if window.size else finite
        clipped = False
        limits, above = fitted_ylim(smoothed, fit, result.initial_loss, hi)
        if limits is not None:
            ax.set_ylim(*limits)
            if above is not None:
                clipped = True
                self.blowup.set_data([lrs[above]], [limits[1]])
                handles.append(self.blowup)
        else:  # nothing finite to fit: the limits matplotlib would pick
            ax.set_autoscaley_on(True)
            ax.relim(visible_only=True)
            ax.autoscale_view(scalex=False)
        self.blowup.set_visible(clipped)
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", borderaxespad=0.0)
        return sug
