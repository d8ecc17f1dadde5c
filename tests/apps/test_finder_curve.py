"""The replay's kept range-test curve draws what plot_range_test draws, test after test."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgba

from lrlab.apps.finder_curve import RangeTestCurve, suggested
from lrlab.finder import lr_range_test
from lrlab.plots import new_axes, plot_range_test
from lrlab.rules import adam, sgd
from lrlab.surfaces import quadratic


def _look(line) -> tuple:
    return (line.get_xydata().tolist(), to_rgba(line.get_color()), line.get_linewidth(),
            line.get_linestyle(), line.get_marker(), line.get_markersize(),
            str(line.get_markerfacecolor()), str(line.get_markeredgecolor()),
            line.get_markeredgewidth(), line.get_zorder(), line.get_clip_on(),
            line.get_label() if not line.get_label().startswith("_") else "")


def _tests() -> list:
    from lrlab.apps.finder_replay import default_mlp

    mlp = default_mlp()
    return [lr_range_test(mlp, sgd, 1e-3, 100.0, 80, record_params=True),
            lr_range_test(mlp, adam, 1e-3, 100.0, 80, batch_size=16, seed=2),
            lr_range_test(quadratic([1.0, 10.0]), sgd, num_steps=60),  # blow-up clipped
            lr_range_test(quadratic([1.0, 10.0]), sgd, 1e-4, 1e-2, 30)]  # never stops


@pytest.mark.parametrize("order", [(0, 1, 2, 3), (2, 3, 0, 1)])
def test_kept_curve_draws_what_plot_range_test_draws(order):
    tests = _tests()
    ax = new_axes()
    curve = RangeTestCurve(ax)
    artists = set(curve.artists)
    clipped = []
    for k in order:
        result = tests[k]
        sug = curve.show(result)
        assert sug == suggested(result)
        ref = plot_range_test(result, new_axes(), legend="outside")
        mine = [a for a in ax.lines if a in artists and a.get_visible()]
        assert [_look(a) for a in mine] == [_look(a) for a in ref.lines]
        assert ax.get_xlim() == ref.get_xlim() and ax.get_ylim() == ref.get_ylim()
        assert ax.get_xscale() == "log"
        assert (ax.get_xlabel(), ax.get_ylabel()) == (ref.get_xlabel(), ref.get_ylabel())
        texts = [t.get_text() for t in ax.get_legend().get_texts()]
        assert texts == [t.get_text() for t in ref.get_legend().get_texts()]
        assert len([c for c in ax.get_children() if c is ax.get_legend()]) == 1
        clipped.append(curve.blowup.get_visible())
    assert any(clipped) and not all(clipped)  # both kinds of test were shown


def test_kept_curve_hides_a_suggestion_the_test_cannot_make():
    result = _tests()[3]
    curve = RangeTestCurve(new_axes())
    sug = curve.show(result, {**suggested(result), "steep": None})
    assert not curve.lines["steep"].get_visible() and not curve.dots["steep"].get_visible()
    labels = [t.get_text() for t in curve.ax.get_legend().get_texts()]
    assert not any(label.startswith("steepest") for label in labels)
    assert sug["steep"] is None


def untrimmed_frame(app) -> np.ndarray:
    """The app's uncached full draw with matplotlib's own locators back (every tick built,
    the minor ticks as ticks): what the trimmed axes must look like."""
    from matplotlib.axis import Axis

    from lrlab.apps.explorer_ticks import InViewLinear
    from lrlab.apps.log_ticks import InView, MinorMarks

    from .test_render import slow_frame

    undo = []
    for ax in app.figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            major, minor = axis.get_major_locator(), axis.get_minor_locator()
            undo.append((axis, major, minor))
            if isinstance(major, InViewLinear):
                axis.set_major_locator(major.locator)
        for marks in [a for a in ax.get_children() if isinstance(a, MinorMarks)]:
            axis = marks._lrlab_axis
            assert isinstance(axis, Axis) and isinstance(axis.get_major_locator(), InView)
            axis.set_major_locator(marks._major)
            axis.set_minor_locator(marks._minor)
            marks.set_visible(False)
            undo.append((marks, None, None))
    frame = slow_frame(app.canvas)
    for item, major, minor in undo:
        if major is None:
            item.set_visible(True)
        else:
            item.set_major_locator(major)
            item.set_minor_locator(minor)
    return frame


def test_replay_and_race_axes_that_build_only_drawn_ticks_look_as_matplotlibs():
    from lrlab.apps.finder_replay import FinderReplay
    from lrlab.apps.linesearch_race import LineSearchRace

    from .test_render import assert_same_picture, slow_frame

    replay = FinderReplay(backend="png", num_steps=60)
    race = LineSearchRace("Rosenbrock", num_steps=60, backend="png")
    for app, changes in ((replay, [("rule", "Adam"), ("batch_size", 16)]),
                         (race, [("cost", "iterations"), ("problem_name",
                                                          "ill-conditioned quadratic")])):
        for name, value in [(None, None), *changes]:
            if name is not None:
                getattr(app, name).value = value
            assert_same_picture(slow_frame(app.canvas), untrimmed_frame(app), levels=0)
            app.canvas.render()
        app.close()
