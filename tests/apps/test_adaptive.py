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
