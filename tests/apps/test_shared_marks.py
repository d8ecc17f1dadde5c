"""lrlab.apps.shared_marks: unlabelled shared x ticks drawn as one line of marks."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pytest
from matplotlib.figure import Figure

from lrlab.apps.shared_marks import SharedMarks, SharedYTicks, marks_only, ticks_from


@contextmanager
def own_ticks(fig: Figure):
    """Within: matplotlib's own ticks back on every marked axis of ``fig``, the marks hidden."""
    undo = []
    for ax in fig.axes:
        for marks in [a for a in ax.get_children()
                      if isinstance(a, (SharedMarks, SharedYTicks))]:
            axis = marks._lrlab_axis
            undo.append((marks, axis, axis.major))
            axis.major = marks._source.major   # the shared ticker, as sharex leaves it
            marks.set_visible(False)
    try:
        yield
    finally:
        for marks, axis, major in undo:
            axis.major = major
            marks.set_visible(True)


def frame(fig: Figure) -> np.ndarray:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


@pytest.mark.parametrize("xlim", [(0, 200), (0, 60), (-0.5, 7.3)])
def test_marks_draw_the_axis_own_tick_marks(xlim):
    fig = Figure(figsize=(3, 4), dpi=80)
    axes = [fig.add_subplot(4, 1, i + 1) for i in range(4)]
    for ax in axes[:-1]:
        ax.sharex(axes[-1])
        ax.tick_params(labelsize=7, labelbottom=False)
    axes[-1].set_xlim(*xlim)
    marks = [marks_only(ax.xaxis, axes[-1].xaxis) for ax in axes[:-1]]
    assert all(len(ax.xaxis.get_majorticklocs()) == 0 for ax in axes[:-1])  # no tick built
    np.testing.assert_array_equal(marks[0].locs(), [loc for loc in axes[-1].get_xticks()
                                                    if xlim[0] <= loc <= xlim[1]])
    got = frame(fig)
    with own_ticks(fig):
        want = frame(fig)
    assert np.array_equal(got, want)
    marks[1].set_visible(False)   # the check can fail: one panel without its marks
    assert not np.array_equal(frame(fig), want)


def test_marks_refuse_a_labelled_or_gridded_axis():
    fig = Figure()
    top, bottom = fig.add_subplot(211), fig.add_subplot(212)
    top.sharex(bottom)
    with pytest.raises(ValueError, match="unlabelled tick marks"):
        marks_only(top.xaxis, bottom.xaxis)   # top still labels its ticks
    top.tick_params(labelbottom=False)
    top.grid(True)
    with pytest.raises(ValueError, match="unlabelled tick marks"):
        marks_only(top.xaxis, bottom.xaxis)


def test_race_step_size_panels_look_as_with_their_own_ticks():
    from lrlab.apps.linesearch_race import LineSearchRace

    from .test_render import assert_same_picture, shown, slow_frame

    app = LineSearchRace("Rosenbrock", num_steps=60, backend="png")
    assert len(app._rate_marks) == len(app.rate_axes) - 1 and len(app._rate_ticks) == 5
    for name, value in [(None, None), ("problem_name", "logistic regression"),
                        ("cost", "iterations"), ("problem_name", "ill-conditioned quadratic"),
                        ("problem_name", "Rosenbrock")]:
        if name is not None:
            getattr(app, name).value = value
        fast = slow_frame(app.canvas)
        assert_same_picture(shown(app.canvas), fast)   # the layers drawn when they change
        with own_ticks(app.figure):
            assert_same_picture(fast, slow_frame(app.canvas), levels=0)
        app.canvas.render()
    app.close()


@pytest.mark.parametrize("log, ylim, ticks", [(True, (1e-5, 3.0), [1e-4, 1e-1]),
                                               (True, (2e-3, 40.0), None),
                                               (False, (-1.0, 2.5), None)])
def test_shared_y_ticks_draw_the_axis_own_ticks(log, ylim, ticks):
    fig = Figure(figsize=(3, 4), dpi=80)
    axes = [fig.add_subplot(4, 1, i + 1) for i in range(4)]
    for ax in axes[1:]:
        ax.sharey(axes[0])
    for ax in axes:
        ax.tick_params(labelsize=7)
    if log:
        axes[0].set_yscale("log")
    axes[0].set_ylim(*ylim)
    shared = [ticks_from(ax.yaxis, axes[0].yaxis) for ax in axes[1:3]]
    if ticks is not None:
        axes[0].set_yticks(ticks)   # set after: the source's locator is what they draw
    assert all(len(ax.yaxis.get_majorticklocs()) == 0 for ax in axes[1:3])  # no tick built
    locs, labels = shared[0].ticks()
    assert len(locs) >= 2 and all(labels)
    got = frame(fig)
    with own_ticks(fig):
        want = frame(fig)
    assert np.array_equal(got, want)
    shared[1].set_visible(False)   # the check can fail: one panel without its ticks
    assert not np.array_equal(frame(fig), want)


def test_shared_y_ticks_refuse_an_axis_with_a_label_or_a_grid():
    fig = Figure()
    top, bottom = fig.add_subplot(211), fig.add_subplot(212)
    bottom.sharey(top)
    bottom.set_ylabel("rate")
    with pytest.raises(ValueError, match="without a grid or an axis label"):
        ticks_from(bottom.yaxis, top.yaxis)
    bottom.set_ylabel("")
    bottom.grid(True)
    with pytest.raises(ValueError, match="without a grid or an axis label"):
        ticks_from(bottom.yaxis, top.yaxis)
