"""The adaptive-rates app, driven by its controls."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab.apps.adaptive import ADAPTIVE_RULES, AdaptiveRates


def test_adaptive_rates_follow_the_controls():
    app = AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3, backend="png")
    r = app.rates[3]
    assert 15 < r[0] / r[1] < 25  # the flat coordinate gets ~kappa times the rate
    heights = [b.get_y() + b.get_height() for b in app.bars]
    np.testing.assert_allclose(heights, r, rtol=1e-12)
    renders = app.canvas.renders
    app.step.value = 10
    np.testing.assert_allclose(app.point.get_xydata()[0], app.history.params[10])
    assert app.canvas.renders == renders + 1
    app.tilt.value = 45
    assert 0.5 < app.rates[3, 0] / app.rates[3, 1] < 2
    app.rule.value = "GD"
    assert app.lr.value == ADAPTIVE_RULES["GD"][1]  # a new rule starts at its usual rate
    assert app.rates[5, 0] == app.rates[5, 1]
    app.rule.value = "Online parabola"
    assert app.lr.disabled and app.last_error is None
    assert app.status_text.startswith("Online parabola:")
    app.close()


def test_adaptive_rates_step_slider_follows_num_steps():
    app = AdaptiveRates("RMSprop", num_steps=40, step=39, backend="png")
    app.num_steps.value = 20
    assert app.step.max == 19 and len(app.rates) == 20
    assert app.last_error is None
    app.close()


def test_adaptive_rates_bad_rule():
    with pytest.raises(ValueError, match="'rule' parameter of AdaptiveRates"):
        AdaptiveRates("SGDW", backend="png")


def test_adaptive_rates_sliders_redraw_layers_not_the_figure():
    # Speed (issue 14): kappa and tilt move the valley's ellipses, title and (tilt) view,
    # lr and steps the rate axes -- cached layers, no axes redrawn -- and each frame is
    # the figure drawn in full, to rounding.
    from matplotlib.axis import Axis

    from lrlab.surfaces import ill_conditioned

    from .test_render import assert_same_picture, shown, slow_frame

    app = AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3, backend="png")
    full = app.canvas.full_draws
    drawn, draw = [], Axis.draw
    Axis.draw = lambda axis, renderer: (drawn.append(axis), draw(axis, renderer))
    try:
        for kappa, tilt in ((3.0, 0.0), (300.0, 0.0), (300.0, 40.0), (10.0, 90.0)):
            app.kappa.value, app.tilt.value = kappa, tilt
    finally:
        Axis.draw = draw
    assert not [a for a in drawn if a.axes is app.ax_path]  # one view for every tilt
    for kappa, tilt in ((3.0, 0.0), (300.0, 0.0), (300.0, 40.0), (10.0, 90.0)):
        app.kappa.value, app.tilt.value = kappa, tilt
        valley = ill_conditioned(kappa=kappa, angle=np.deg2rad(tilt))
        (x0, x1), (y0, y1) = ill_conditioned(kappa=kappa, angle=np.pi / 4).bounds  # widest
        assert app.ax_path.get_xlim() + app.ax_path.get_ylim() == pytest.approx((x0, x1, y0, y1))
        start = app.history.params[0]
        assert x0 < start[0] < x1 and y0 < start[1] < y1
        rings = app.ellipses[1].get_segments()
        levels = [valley.loss(r[0]) for r in rings]
        for ring, level in zip(rings, levels, strict=True):
            np.testing.assert_allclose(valley.loss(ring), level, rtol=1e-12)
        assert app.title.get_text() == f"valley κ = {kappa:.3g}, tilt {tilt:.0f}°"
    for lr in (1e-4, 10.0):
        app.lr.value = lr
        lo, hi = app.ax_rates.get_ylim()
        finite = app.rates[np.isfinite(app.rates)]
        assert lo <= finite.min() and finite.max() <= hi and app.ax_bars.get_ylim() == (lo, hi)
    app.num_steps.value = 300
    assert app.ax_rates.get_xlim() == (0, 500)  # 1-2-5 steps wide
    lo, hi = np.log10(app.ax_rates.get_ylim())
    assert lo % 2 == 0 and hi % 2 == 0  # even decades: the axis changes half as often
    assert app.canvas.full_draws == full and app.canvas.axes_draws == 0
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
    app.canvas.render()
    app.tilt.value = 45.0
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
    app.close()


def test_adaptive_rates_log_axes_build_few_ticks_and_keep_their_picture():
    # Speed (issue 14): the rate axes' minor ticks are one artist each (lrlab.apps.log_ticks,
    # pixel-equal to the axis' own ticks: tests/apps/test_log_ticks.py); every look of the
    # axes (limits of at least two decades, where no minor tick is labelled) is still the
    # full draw's picture, to compositing rounding.
    from .test_render import assert_same_picture, shown, slow_frame

    app = AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3, backend="png")
    for lr in (1e-4, 10.0, 0.5):
        app.lr.value = lr
        for ax in (app.ax_rates, app.ax_bars):
            lo, hi = np.log10(ax.get_ylim())
            assert hi - lo >= 2 and len(ax.yaxis.minorTicks) <= 1
            assert len(ax.yaxis.get_minorticklocs()) == 0  # drawn by the marks
        marks = app._minor_marks[0]
        assert len(marks.minor_locs()) == 8 * round(hi - lo)
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
        app.canvas.render()
    app.close()
