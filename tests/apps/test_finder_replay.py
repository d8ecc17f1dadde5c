"""The range-test replay, driven by its controls."""

from __future__ import annotations

import numpy as np

from lrlab.apps.finder_replay import FinderReplay


def test_finder_replay_walks_the_sweep():
    app = FinderReplay(backend="png", num_steps=80)
    r = app.result
    np.testing.assert_allclose(app.history.loss[1:r.stop + 1], r.losses[:r.stop])
    app.lr.value = 0.02
    i = app.index
    assert abs(np.log10(r.lrs[i] / 0.02)) < 0.06
    np.testing.assert_allclose(app.cursor.get_xdata(), [r.lrs[i]] * 2)
    np.testing.assert_allclose(app.marker.get_ydata(), [r.smoothed[i]])
    image = np.asarray(app.image.get_array()).copy()
    app.lr.value = 5.0
    assert not np.array_equal(image, np.asarray(app.image.get_array()))
    assert "accuracy" in app.title.get_text() or "diverged" in app.title.get_text()
    app.lr.value = 90.0  # past the stop: marked, no crash
    assert "past the test's stop" in app.status_text
    app.close()


def test_finder_replay_batch_size_changes_the_test():
    app = FinderReplay(backend="png", num_steps=80)
    full = app.result.suggestions()
    app.batch_size.value = 16
    assert app.result.settings["batch_size"] == 16
    assert app.result.suggestions() != full
    seed0 = app.result.losses.copy()
    app.seed.value = 1
    assert not np.array_equal(seed0, app.result.losses)
    assert app.last_error is None
    app.close()


def test_finder_replay_marker_does_not_hide_a_suggestion():
    # Regression: replaying at the 'valley' suggestion (the notebook's lr=0.15) put a filled
    # black dot and a solid black line exactly over the orange valley dot and its line.
    from matplotlib.colors import to_rgba

    from lrlab.apps.finder_replay import FinderReplay

    app = FinderReplay(lr=0.15, backend="png")
    assert app.marker.get_markerfacecolor() == "none"
    assert to_rgba(app.marker.get_markeredgecolor())[3] == 1.0
    assert app.cursor.get_alpha() < 1.0
    app.close()
