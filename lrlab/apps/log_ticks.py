"""Light log axes: the same picture with a few ticks built instead of dozens.

Matplotlib's :class:`~matplotlib.ticker.LogLocator` returns ticks a decade
beyond each end of the view, and an axis builds a :class:`~matplotlib.axis.Tick`
(two lines, a grid line, two texts: the dearest part of an axis' first draw,
~1.5 ms each) for every tick, major or minor, then draws those in the view.
A log axis of four decades builds 55 ticks, 48 of them minor ones that are
only short marks. Here:

* :class:`InView` returns only the ticks the axis draws (a log axis' labels
  depend on its view, not on the list of ticks);
* :class:`MinorMarks` draws the minor ticks' marks as one artist -- one line
  of markers with the ticks' style and transform -- instead of 32 ticks.

:func:`light_log_axis` applies both to an axis. The picture is the axis'
own, pixel for pixel (tested), for a view of more than one decade (where
a :class:`~matplotlib.ticker.LogFormatter` labels no minor tick).

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().add_subplot()
>>> ax.set_yscale("log"); _ = ax.set_ylim(1e-2, 1e2)
>>> len(ax.yaxis.get_majorticklocs()), len(ax.yaxis.get_minorticklocs())
(7, 48)
>>> marks = light_log_axis(ax.yaxis)
>>> ax.yaxis.get_majorticklocs().tolist(), len(ax.yaxis.get_minorticklocs())
([0.01, 0.1, 1.0, 10.0, 100.0], 0)
>>> len(marks.minor_locs())      # 8 a decade, drawn by one artist
32
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import LogLocator, NullLocator

__all__ = ["InView", "MinorMarks", "in_view", "light_log_axis"]

#: Slack (a fraction of the view's width, in the axis' scale) within which an axis draws a
#: tick at its view's end (as ``matplotlib.transforms._interval_contains_close``).
DRAWN = 1e-10
#: Slack kept at each end by the trimming locators: more than ``DRAWN``, so every drawn
#: tick stays.
SLACK = 1e-6


def in_view(axis: Any, locs: Any, *, slack: float = DRAWN) -> np.ndarray:
    """Which ``locs`` lie in ``axis``' view (a boolean mask), measured in the axis' scale.

    An end counts within ``slack`` times the view's width (log units on a log
    axis; a non-positive place on a log axis is never in view).
    """
    transform = axis._scale.get_transform()
    lo, hi = sorted(transform.transform(axis.get_view_interval()))
    pad = slack * (hi - lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        tr = transform.transform(np.asarray(locs, dtype=float))
        return (tr >= lo - pad) & (tr <= hi + pad)


class InView(LogLocator):
    """A :class:`~matplotlib.ticker.LogLocator` whose ticks lie in the axis' view.

    Parameters
    ----------
    locator : LogLocator
        The axis' own locator (its base, subdivisions and number of ticks are kept).
    """

    def __init__(self, locator: LogLocator):
        super().__init__(base=locator._base, subs=locator._subs, numticks=locator.numticks)

    def __call__(self) -> Any:
        locs = np.asarray(super().__call__())
        lo, hi = sorted(self.axis.get_view_interval())
        if not (lo > 0 and np.isfinite(hi)) or not len(locs):
            return locs
        return locs[in_view(self.axis, locs, slack=SLACK)]


class MinorMarks(Line2D):
    """The minor tick marks of a log axis, drawn as one line of markers.

    Made from one of the axis' own minor ticks (its mark's marker, size,
    width, colour and transform). At each draw it places a marker where the
    axis would draw a minor tick: ``locator``'s ticks, less those on a major
    tick, inside the view (as :meth:`matplotlib.axis.Axis.get_minorticklocs`
    and the axis' draw choose them).

    It draws marks, not labels: keep the view wider than one decade, where a
    :class:`~matplotlib.ticker.LogFormatter` labels no minor tick (narrower,
    the axis' own minor ticks would be labelled and these are not).

    Parameters
    ----------
    axis : Axis
        A log axis whose minor ticks show marks on one side only, no grid, no labels.
    minor, major : LogLocator
        The axis' minor and major locators (the marks' places).
    """

    def __init__(self, axis: Any, minor: LogLocator, major: LogLocator):
        tick = axis.get_minor_ticks(1)[0]
        template = tick.tick1line
        if tick.tick2line.get_visible() or tick.gridline.get_visible():
            raise ValueError("MinorMarks draws minor ticks marked on one side, without a grid.")
        super().__init__([], [])
        self.update_from(template)
        self.set_zorder(axis.get_zorder())  # with the axis: under its spines, as its ticks
        self.set_clip_on(False)
        self._lrlab_axis, self._minor, self._major = axis, minor, major

    def minor_locs(self) -> np.ndarray:
        """Where the axis would draw its minor ticks now."""
        axis = self._lrlab_axis
        minor = np.asarray(self._minor())
        transform = axis._scale.get_transform()
        lo, hi = sorted(transform.transform(axis.get_view_interval()))
        if len(minor):
            tr_minor = transform.transform(minor)
            tr_major = transform.transform(np.asarray(self._major()))
            close = np.isclose(tr_minor[:, None], tr_major[None, :], atol=(hi - lo) * 1e-5,
                               rtol=0).any(axis=1)
            minor = minor[~close]
        return minor[in_view(axis, minor)]

    def draw(self, renderer: Any) -> None:
        locs = self.minor_locs()
        zeros = np.zeros(len(locs))
        if self._lrlab_axis.axis_name == "x":
            self.set_data(locs, zeros)
        else:
            self.set_data(zeros, locs)
        super().draw(renderer)


def light_log_axis(axis: Any) -> MinorMarks | None:
    """Trim ``axis``' major ticks to the view and draw its minor ticks as one artist.

    Returns the :class:`MinorMarks` (added to the axis' Axes; a view that moves
    needs it drawn again, as the axis), or None when ``axis`` is not
    logarithmic (then nothing changes). Call it after ``set_yscale('log')``
    (which sets new locators); keep the view wider than one decade.
    """
    major, minor = axis.major.locator, axis.minor.locator
    if not (isinstance(major, LogLocator) and isinstance(minor, LogLocator)):
        return None
    marks = MinorMarks(axis, minor, major)
    axis.set_major_locator(InView(major))
    axis.set_minor_locator(NullLocator())
    minor.set_axis(axis)
    major.set_axis(axis)
    axis.axes.add_artist(marks)
    marks.set_clip_on(False)
    return marks
