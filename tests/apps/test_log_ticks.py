"""Light log axes (lrlab.apps.log_ticks): the axis' own picture, pixel for pixel, fewer ticks."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lrlab.apps.log_ticks import InView, MinorMarks, light_log_axis


def _picture(light: bool, lims: tuple[float, float], which: str) -> tuple[np.ndarray, object]:
    fig = Figure(figsize=(4, 3), dpi=90)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([1e-3, 10], [1e-3, 10])
    (ax.set_yscale if which == "y" else ax.set_xscale)("log")
    (ax.set_ylim if which == "y" else ax.set_xlim)(*lims)
    axis = ax.yaxis if which == "y" else ax.xaxis
    if light:
        assert isinstance(light_log_axis(axis), MinorMarks)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy(), axis


@pytest.mark.parametrize("which", ["x", "y"])
@pytest.mark.parametrize("lims", [(1e-2, 1e2), (1e-4, 1.0), (3e-3, 70.0), (0.05, 2.0),
                                  (1e-8, 1e4)])
def test_light_log_axis_draws_the_axis_own_picture(which, lims):
    plain, full = _picture(False, lims, which)
    light, axis = _picture(True, lims, which)
    assert np.array_equal(plain, light)  # every pixel
    assert len(axis.minorTicks) <= min(1, len(full.minorTicks))  # the marks: one artist
    assert len(axis.majorTicks) <= len(full.majorTicks)


def test_in_view_keeps_the_ticks_the_axis_draws():
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_yscale("log")
    ax.set_ylim(3e-3, 70.0)
    full = ax.yaxis.get_majorticklocs()
    ax.yaxis.set_major_locator(InView(ax.yaxis.get_major_locator()))
    kept = ax.yaxis.get_majorticklocs()
    assert kept.tolist() == [1e-2, 1e-1, 1.0, 10.0]
    assert set(kept) < set(full)


def test_light_log_axis_leaves_linear_axes_and_refuses_gridded_ones():
    fig = Figure()
    ax = fig.add_subplot()
    assert light_log_axis(ax.yaxis) is None  # linear: untouched
    ax.set_yscale("log")
    ax.grid(True, which="minor")
    with pytest.raises(ValueError, match="without a grid"):
        light_log_axis(ax.yaxis)
