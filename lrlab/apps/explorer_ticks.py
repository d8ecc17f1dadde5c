"""Axes of the explorers that build only the ticks they draw.

An axis builds a :class:`~matplotlib.axis.Tick` (two lines, a grid line, two
texts: ~0.8 ms each) for every tick its locator returns, then draws those in
its view; matplotlib's locators return a tick or two beyond each end of the
view (a linear :class:`~matplotlib.ticker.MaxNLocator` one step, a
:class:`~matplotlib.ticker.LogLocator` a decade). The explorers' eight axes
built a fifth of their ticks for nothing at opening. :func:`ticks_in_view`
trims an axis' major ticks to its view: the same picture (tested), fewer
ticks built and updated.

Examples
--------
>>> from matplotlib.figure import Figure
>>> ax = Figure().add_subplot()
>>> _ = ax.set_xlim(-3.75, 3.75)
>>> ax.xaxis.get_majorticklocs().tolist()
[-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0]
>>> ticks_in_view(ax.xaxis)
>>> ax.xaxis.get_majorticklocs().tolist()
[-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import Locator, LogLocator

from .log_ticks import SLACK, in_view
from .log_ticks import InView as LogInView

__all__ = ["InViewLinear", "ticks_in_view"]


class InViewLinear(Locator):
    """A locator returning ``locator``'s ticks that lie in the axis' view (linear axes).

    Parameters
    ----------
    locator : Locator
        The axis' own major locator (it still chooses the ticks; only those
        outside the view are left out).
    """

    def __init__(self, locator: Locator):
        self.locator = locator

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.locator.set_axis(axis)

    def __call__(self) -> Any:
        locs = np.asarray(self.locator())
        lo, hi = sorted(self.axis.get_view_interval())
        if not (np.isfinite(lo) and np.isfinite(hi)) or not len(locs):
            return locs
        return locs[in_view(self.axis, locs, slack=SLACK)]

    def tick_values(self, vmin: float, vmax: float) -> Any:
        return self.locator.tick_values(vmin, vmax)

    def view_limits(self, vmin: float, vmax: float) -> Any:
        return self.locator.view_limits(vmin, vmax)


def ticks_in_view(*axes: Any) -> None:
    """Trim each axis' major ticks to its view (call it after the axis' scale is set).

    A linear axis gets :class:`InViewLinear`, a log axis
    :class:`lrlab.apps.log_ticks.InView`; an axis already trimmed, or with
    another kind of scale, is left as it is.
    """
    for axis in axes:
        locator = axis.get_major_locator()
        if isinstance(locator, InViewLinear | LogInView):
            continue
        if isinstance(locator, LogLocator):
            trimmed = LogInView(locator)
        elif axis.get_scale() == "linear":
            trimmed = InViewLinear(locator)
        else:
            continue
        axis.set_major_locator(trimmed)
        locator.set_axis(axis)
