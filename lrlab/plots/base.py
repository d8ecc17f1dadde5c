"""What every drawing shares: lrlab's colours, a pyplot-free Axes, log-axis limits.

``ax=None`` in any lrlab plot makes a new, standalone figure through
:func:`new_axes` (never a pyplot figure, so nothing leaks) — handy in a script::

    ax = lrlab.plots.contours(problem)      # an Axes of a fresh Figure
    ax.figure.savefig("bowl.png")
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["COLORS", "REGIME_COLORS", "axes_or_new", "decade_limits", "new_axes", "next_color",
           "title_text"]


#: Colours of successive runs (colour-blind safe: Okabe & Ito 2008).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442")


#: Shading of the three regimes of gradient descent on a quadratic: pale blue, pale yellow,
#: pale vermilion (Okabe & Ito's hues). Not pale green and pale red, which a deuteranope
#: sees as one colour (CIELAB distance 4 under Machado et al.'s 2009 simulation; these
#: three stay at least 19 apart for deuteranopes and protanopes, tested).
REGIME_COLORS = {"monotone": "#c6dbef", "oscillating": "#f7ecb0", "diverging": "#e9a184"}


def new_axes(figsize: tuple[float, float] = (5.0, 4.0), **kwargs: Any) -> Axes:
    """An Axes on a new Figure with an Agg canvas (not registered with pyplot)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot(**kwargs)


def axes_or_new(ax: Axes | None, **kwargs: Any) -> Axes:
    """``ax``, or a new standalone Axes (:func:`new_axes`) when it is None."""
    return new_axes(**kwargs) if ax is None else ax


def next_color(ax: Axes) -> str:
    """The palette colour after the lines already on ``ax`` (so curves added without a
    ``color`` differ, in lrlab's colour-blind-safe palette)."""
    return COLORS[len(ax.lines) % len(COLORS)]


def decade_limits(values: Any, *, min_decades: float = 2.0, floor: float = 1e-16,
                  ceiling: float = 1e12) -> tuple[float, float]:
    """Whole-decade log-axis limits enclosing the positive finite ``values``.

    Views use them so the axis (part of the cached background) changes only
    when the data leave a decade, not on every update.

    >>> decade_limits([0.003, 42.0])
    (0.001, 100.0)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (0.1, 10.0)
    lo = np.floor(np.log10(max(float(v.min()), floor)))
    hi = np.ceil(np.log10(min(float(v.max()), ceiling)))
    if hi - lo < min_decades:
        lo = hi - min_decades
    return (float(10.0**lo), float(10.0**hi))


def title_text(ax: Axes, text: str = "", **kwargs: Any) -> Text:
    """A text where ``ax.set_title`` puts the title (centred, ``axes.titlepad`` above the axes).

    A title of its own that an app can change (``set_text``) and redraw alone,
    e.g. from a cached layer, without redrawing the Axes.

    >>> ax = new_axes()
    >>> t = title_text(ax, "a title", fontsize=10)
    >>> _ = ax.set_title("a title", fontsize=10)
    >>> ax.figure.canvas.draw()
    >>> r = ax.figure.canvas.get_renderer()
    >>> t.get_window_extent(r).bounds == ax.title.get_window_extent(r).bounds
    True
    """
    import matplotlib as mpl
    from matplotlib.transforms import ScaledTranslation

    pad = ScaledTranslation(0, mpl.rcParams["axes.titlepad"] / 72, ax.figure.dpi_scale_trans)
    return ax.text(0.5, 1.0, text, transform=ax.transAxes + pad, ha="center", va="baseline",
                   **kwargs)
