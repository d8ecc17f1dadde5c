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
