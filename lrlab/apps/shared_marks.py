"""Tick marks of stacked panels sharing an x axis, drawn as one artist per panel.

Panels stacked on a shared x axis, of which only the bottom one labels its
ticks, each build a :class:`~matplotlib.axis.Tick` (two lines, a grid line,
two texts: ~0.8 ms each) per tick only to draw a short mark. :func:`marks_only`
gives such a panel's x axis ticks of its own that return no location and
draws its marks with one :class:`SharedMarks` line at the places its tick
marks were (the bottom panel's ticks in the view): the same picture (tested),
no tick built.

Examples
--------
>>> from matplotlib.figure import Figure
>>> fig = Figure()
>>> top, bottom = fig.add_subplot(211), fig.add_subplot(212)
>>> top.sharex(bottom)
>>> top.tick_params(labelbottom=False)
>>> _ = bottom.set_xlim(0, 200)
>>> marks = marks_only(top.xaxis, bottom.xaxis)
>>> len(top.xaxis.get_majorticklocs())
0
>>> marks.locs().tolist()
[0.0, 25.0, 50.0, 75.0, 100.0, 125.0, 150.0, 175.0, 200.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axis import Ticker
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter, NullLocator

__all__ = ["SharedMarks", "marks_only"]


class SharedMarks(Line2D):
    """One line of markers where an unlabelled x axis would draw its major tick marks.

    It copies the look of the axis' first tick mark (marker, size, width,
    colour and transform) and, at each draw, places a marker at each of the
    ``source`` axis' major ticks inside the view (the axes share the view).

    Parameters
    ----------
    axis : Axis
        An x axis whose ticks show marks at the bottom only: no grid, no labels, no top marks.
    source : Axis
        The x axis sharing its view whose ticks give the places.
    """

    def __init__(self, axis: Any, source: Any):
        tick = axis.get_major_ticks(1)[0]
        if (tick.tick2line.get_visible() or tick.gridline.get_visible()
                or tick.label1.get_visible() or tick.label2.get_visible()):
            raise ValueError("SharedMarks draws unlabelled tick marks at the bottom, "
                             "without a grid.")
        super().__init__([], [])
        self.update_from(tick.tick1line)
        self.set_zorder(axis.get_zorder())  # with the axis: under its spines, as its ticks
        self.set_clip_on(False)
        self._lrlab_axis, self._source = axis, source

    def locs(self) -> np.ndarray:
        """Where the axis drew its tick marks: the source's major ticks in the view."""
        locs = np.asarray(self._source.get_major_locator()(), dtype=float)
        transform = self._lrlab_axis._scale.get_transform()
        lo, hi = sorted(transform.transform(self._lrlab_axis.get_view_interval()))
        slack = (hi - lo) * 1e-10  # as matplotlib.transforms._interval_contains_close
        with np.errstate(invalid="ignore"):
            tr = transform.transform(locs)
            return locs[(tr >= lo - slack) & (tr <= hi + slack)]

    def draw(self, renderer: Any) -> None:
        locs = self.locs()
        self.set_data(locs, np.zeros(len(locs)))
        super().draw(renderer)


def marks_only(axis: Any, source: Any) -> SharedMarks:
    """Draw ``axis``' tick marks as one :class:`SharedMarks` and build no tick for it.

    ``axis`` is an unlabelled x axis sharing ``source``'s view (and, until
    now, its locator): it gets a ticker of its own returning no tick, and the
    marks are added to its Axes. Call it once the tick look is set
    (``tick_params``); the picture is the same as the axis' own ticks.
    """
    marks = SharedMarks(axis, source)
    axis.major = Ticker()   # its own: the shared ticker still serves ``source``
    axis.set_major_locator(NullLocator())
    axis.set_major_formatter(NullFormatter())
    axis.axes.add_artist(marks)
    marks.set_clip_on(False)
    return marks
