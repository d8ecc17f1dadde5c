"""The 1-D explorer, driven by its controls."""

from __future__ import annotations

import ipywidgets as W
import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
from lrlab.surfaces import parabola


def test_explorer_1d_regimes_follow_lr_times_L():
    app = lw.explorer_1d(lr=0.5, backend="png")
    assert isinstance(app.lr, W.FloatLogSlider)
    assert "monotone regime" in app.status_text and app.status_text.startswith("converged")
    app.lr.value = 1.5
    assert "oscillating regime" in app.status_text and "(oscillating)" in app.status_text
    app.lr.value = 2.5
    assert "diverging regime" in app.status_text
    assert app.artists["marker"].get_xdata()[0] == pytest.approx(2.5)
    # same lr, flatter bowl: stable again (lr is measured in units of 1/L)
    app.curvature.value = 0.5
    assert app.L == pytest.approx(0.5)
    assert app.artists["marker"].get_xdata()[0] == pytest.approx(1.25)
    assert "oscillating regime" in app.status_text


def test_explorer_1d_artists_hold_the_run():
    app = lw.Explorer1D(lr=0.3, num_steps=12, x0=2.0, backend="png")
    expected = train(parabola(1.0), sgd(0.3), 12, x0=[2.0]).params[:, 0]
    np.testing.assert_allclose(app.artists["dots"].get_xdata(), expected)
    np.testing.assert_allclose(app.artists["dots"].get_ydata(), 0.5 * expected**2)
    cob = app.artists["cobweb"].get_xydata()
    assert cob.shape == (2 * 13 - 1, 2) and cob[1, 1] == pytest.approx(expected[1])
    grid, g = app.artists["map"].get_data()
    np.testing.assert_allclose(g, grid - 0.3 * grid)  # g(x) = x - lr f'(x)
    np.testing.assert_allclose(app.artists["error"].get_ydata(), np.abs(expected))
    u = app.artists["arrows"].U
    np.testing.assert_allclose(u[:10], np.diff(expected)[:10])
    app.num_steps.value = 5
    assert len(app.artists["dots"].get_xdata()) == 6
    app.x0.value = -1.0
    assert app.artists["dots"].get_xdata()[0] == -1.0


def test_explorer_1d_on_a_curve_uses_the_curvature_at_the_minimum():
    app = lw.Explorer1D("parabola", lr=0.5, backend="png")
    app.kind.value = "curve"
    assert app.curvature.disabled and app.last_error is None
    h = app.problem.hessian(np.array([app.x_star]))
    assert app.L == pytest.approx(float(np.ravel(h)[0]))
    assert "near the minimum" in app.status_text


def test_explorer_1d_curvature_and_steps_redraw_one_axis_not_the_figure():
    # Speed (issue 14): the curve is a moving artist and the y axis its own cached layer, so
    # a new L redraws that axis only; the same for the step axis and the steps slider.
    app = lw.Explorer1D(lr=0.5, backend="png")
    full = app.canvas.full_draws
    for L in (0.1, 0.7, 4.0, 10.0):
        app.curvature.value = L
        x, y = app.artists["curve"].get_data()
        np.testing.assert_allclose(x, np.linspace(-3.75, 3.75, 400))  # the view of x0 = 2.5
        np.testing.assert_allclose(y, 0.5 * L * x**2)  # the slow path's plots.curve data
        lo, hi = app.ax_curve.get_ylim()  # the top: a half decade above the curve's top
        top = {0.1: 1.0, 0.7: 10.0, 4.0: 30.0, 10.0: 100.0}[L]
        assert (lo, hi) == pytest.approx((-0.05 * top, top)) and 1.02 * y.max() <= top
    for T, width in ((5, 5), (60, 100), (100, 100), (3, 5), (11, 20)):
        app.num_steps.value = T
        assert app.ax_error.get_xlim() == (-0.5, width + 0.5)  # 1-2-5 steps wide
        assert len(app.artists["error"].get_xdata()) == T + 1
    assert app.canvas.full_draws == full and app.canvas.axes_draws == 0
    app.x0.value = 0.5  # the view stays put; the iteration map spans all of it
    grid = app.artists["map"].get_xdata()
    assert (grid[0], grid[-1]) == app.ax_curve.get_xlim() == (-3.75, 3.75)
    app.kind.value = "curve"  # a new kind of curve: the curve and cobweb panels
    assert app.canvas.full_draws == full and app.canvas.axes_draws == 2
    app.close()


def test_explorer_1d_axes_seen_before_come_from_their_cached_layers():
    # Speed (issue 14): the curve's y axis and the step axis keep a layer per look (memo),
    # so an L or a number of steps whose quantised limits were shown before draws no axis;
    # the frame is still the one a full draw of everything gives.
    from matplotlib.axis import Axis

    from tests.apps.test_render import assert_same_picture, shown, slow_frame

    app = lw.Explorer1D(lr=0.5, backend="png")
    drawn = []
    draw = Axis.draw

    def counting(axis, renderer):
        drawn.append(axis)
        draw(axis, renderer)

    Axis.draw = counting
    try:
        for (L, T), (other_L, other_T) in (((0.2, 7), (3.0, 40)), ((3.0, 40), (0.2, 7)),
                                           ((8.0, 90), (1.0, 30))):
            app.curvature.value, app.num_steps.value = L, T
            app.curvature.value, app.num_steps.value = other_L, other_T
            drawn.clear()
            app.curvature.value = L * 1.05  # the same half decade, the same 1-2-5 width
            app.num_steps.value = T + 1
            assert drawn == []  # both axes from their layers
            assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
            app.canvas.render()
    finally:
        Axis.draw = draw
    assert app.canvas.axes_draws == 0
    app.close()


def test_explorer_1d_kind_redraws_two_panels_and_equals_a_fresh_app():
    # Speed (issue 14): a new kind of curve redraws the curve and cobweb panels alone (the
    # error and regime panels do not depend on it); each frame is the frame of an explorer
    # opened on that kind, and a full draw without caches.
    from tests.apps.test_render import assert_same_picture, shown, slow_frame

    app = lw.explorer_1d(lr=0.5, curvature=1.0, backend="png")
    for kind in ("curve", "parabola", "curve"):
        full, axes = app.canvas.full_draws, app.canvas.axes_draws
        app.kind.value = kind
        assert app.canvas.full_draws == full and app.canvas.axes_draws == axes + 2
        fresh = lw.explorer_1d(kind, lr=0.5, curvature=1.0, backend="png")
        for name, artist in app.artists.items():
            if hasattr(artist, "get_xydata"):
                np.testing.assert_array_equal(artist.get_xydata(),
                                              fresh.artists[name].get_xydata(), err_msg=name)
        assert app.status_text == fresh.status_text
        assert_same_picture(shown(app.canvas), shown(fresh.canvas))
        fresh.close()
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.lr.value = 0.7  # a blitted frame after the full draw
        app.lr.value = 0.5
    app.close()
