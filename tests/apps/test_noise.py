"""The noise explorer, driven by its controls."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lrlab import widgets as lw


def test_noise_explorer_floor_and_decay():
    app = lw.noise_explorer(lr=0.2, batch_size=4, num_steps=800, backend="png")
    assert 0.5 < app.measured_floor / app.floor < 2
    assert app.floor_line.get_ydata()[0] == pytest.approx(app.floor)
    floor4 = app.measured_floor
    app.batch_size.value = 32
    assert app.measured_floor < floor4 / 4
    app.batch_size.value = 4
    app.decay.value = "step ÷10"
    assert app.final_gap < app.measured_floor / 5
    assert app.path_constant.get_visible()
    assert "step ÷10:" in app.status_text


def test_noise_explorer_says_diverged_without_warnings():
    # Regression: at the top of the lr range a batch-4 run diverges; the app used to average
    # a NaN tail (RuntimeWarning escaped) and print "floor measured nan" in a green status.
    app = lw.noise_explorer(lr=0.2, batch_size=4, decay="step ÷10", num_steps=800,
                            backend="png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.lr.value = 10 ** app.lr.max
    assert app.last_error is None
    assert app.constant_history.diverged
    assert "diverged at step" in app.status_text and "nan" not in app.status_text
    assert "#cf222e" in app.status.value  # shown as bad
    assert app.measured_floor == np.inf and app.final_gap == np.inf
    app.close()


def test_noise_explorer_says_when_the_run_has_not_reached_its_floor():
    # Regression: at the smallest rate the status claimed "floor measured 1.1,
    # predicted 0.0001" for a run that was simply still descending.
    app = lw.noise_explorer(backend="png")
    app.lr.value = 10 ** app.lr.min
    assert "still descending" in app.status_text and "not at its floor" in app.status_text
    app.lr.value = 0.2
    assert "floor measured" in app.status_text
    app.close()
