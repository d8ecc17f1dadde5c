"""Tick marks of stacked panels sharing an x axis, drawn as one artist per panel.

Panels stacked on a shared x axis, of which only the bottom one labels its
ticks, each build a :class:`~matplotlib.axis.Tick` (two lines, a grid line,
two texts: ~0.8 ms each) per tick only to draw a short mark. :func:`marks_only`
gives such a panel's x axis ticks of its own that return no location and
draws its marks with one :class:`SharedMarks` line at the places its tick
marks were (the bottom panel's ticks in the view): the same picture (tested),
no tick built.

Stacked panels sharing a y axis that all label the same ticks build those
ticks once per panel too: :func:`ticks_from` draws such a panel's y tick marks
and labels with one :class:`SharedYTicks` (one line of marks, a text per
label) at the places and with the labels of the source axis' ticks.

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
from matplotlib.artist import Artist
from matplotlib.axis import Ticker
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import NullFormatter, NullLocator

from .log_ticks import in_view

__all__ = ["SharedMarks", "SharedYTicks", "marks_only", "ticks_from"]


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
        return locs[in_view(self._lrlab_axis, locs)]

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
    marks = _instead_of_ticks(axis, SharedMarks(axis, source))
    marks.set_clip_on(False)
    return marks


class SharedYTicks(Artist):
    """A y axis' left tick marks and labels, drawn as one line of marks and a text per label.

    It copies the look of the axis' first tick (its mark and its label) and, at
    each draw, marks and labels the ``source`` axis' major ticks inside the
    view with the source's labels (the axes share the view, locator and formatter).

    Parameters
    ----------
    axis : YAxis
        A y axis whose ticks show a mark and a label on the left only, no grid, no axis label.
    source : YAxis
        The y axis sharing its view whose ticks give the places and the labels.
    """

    def __init__(self, axis: Any, source: Any):
        super().__init__()
        tick = axis.get_major_ticks(1)[0]
        if (tick.tick2line.get_visible() or tick.gridline.get_visible()
                or tick.label2.get_visible() or not tick.label1.get_visible()
                or axis.label.get_text()):
            raise ValueError("SharedYTicks draws ticks marked and labelled on the left, "
                             "without a grid or an axis label.")
        self.marks = Line2D([], [])
        self.marks.update_from(tick.tick1line)
        self.marks.set_clip_on(False)
        self._template = tick.label1
        self.labels: list[Text] = []
        self.set_zorder(axis.get_zorder())  # with the axis: under its spines, as its ticks
        self.set_figure(axis.get_figure(root=False))
        self.marks.set_figure(self.get_figure(root=False))
        self._lrlab_axis, self._source = axis, source

    def ticks(self) -> tuple[np.ndarray, list[str]]:
        """The places and labels of the ticks the axis drew: the source's, in the view."""
        locs = np.asarray(self._source.get_major_locator()(), dtype=float)
        labels = self._source.get_major_formatter().format_ticks(locs)
        keep = in_view(self._lrlab_axis, locs)
        return locs[keep], [label for label, k in zip(labels, keep, strict=True) if k]

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        locs, labels = self.ticks()
        self.marks.set_data(np.zeros(len(locs)), locs)
        self.marks.draw(renderer)
        while len(self.labels) < len(locs):
            text = Text()
            text.update_from(self._template)
            text.set_figure(self.get_figure(root=False))
            self.labels.append(text)
        for text, loc, label in zip(self.labels[:len(locs)], locs, labels, strict=True):
            text.set_position((0, loc))
            text.set_text(label)
            text.draw(renderer)


def ticks_from(axis: Any, source: Any) -> SharedYTicks:
    """Draw ``axis``' y ticks as one :class:`SharedYTicks` and build no tick for it.

    ``axis`` is a y axis sharing ``source``'s view, locator and formatter,
    with no axis label: it gets a ticker of its own returning no tick, and the
    artist is added to its Axes. Call it once the tick look is set
    (``tick_params``); the picture is the same as the axis' own ticks.
    """
    return _instead_of_ticks(axis, SharedYTicks(axis, source))


def _instead_of_ticks(axis: Any, artist: Any) -> Any:
    """Give ``axis`` a ticker of its own returning no tick; ``artist`` draws them instead."""
    axis.major = Ticker()   # its own: the shared ticker still serves ``source``
    axis.set_major_locator(NullLocator())
    axis.set_major_formatter(NullFormatter())
    axis.axes.add_artist(artist)
    return artist
