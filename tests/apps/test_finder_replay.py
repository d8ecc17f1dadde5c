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


def test_finder_replay_keeps_every_test_and_redraws_the_curve_alone(monkeypatch):
    """One run per (rule, batch, seed), kept: its iterates are those train records, a seed
    seen before runs nothing, and no axes are drawn again, only the curve's layers (same
    picture as the uncached full draw)."""
    from lrlab import train
    from lrlab.apps import finder_replay as fr

    from .test_render import assert_same_picture, shown, slow_frame

    calls = []
    real = fr.lr_range_test
    monkeypatch.setattr(fr, "lr_range_test", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(fr, "_DEFAULT_TESTS", {})
    app = FinderReplay(backend="png", num_steps=60, batch_size=16)
    assert app.seed.continuous_update is False  # a new seed is a training run: on release
    full = app.canvas.full_draws
    for seed in (1, 2):
        app.seed.value = seed
        h = train(app.problem, fr.FINDER_RULES["SGD"](app.sweep), 60, seed=seed,
                  batch_size=16, record_params=True)
        np.testing.assert_array_equal(app.history.params, h.params)
        assert app.canvas.full_draws == full and app.canvas.axes_draws == 0  # layers only
        assert app.curve_title.get_text().endswith(f"seed {seed}")
        # 4/255: the data points' layer over the translucent model image rounds so (the
        # code before the points had a layer of their own gave the same 4, at one pixel)
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=4)
        app.canvas.render()
        full = app.canvas.full_draws
    app.seed.value = 1
    assert len(calls) == 3 and app.curve_title.get_text().endswith("seed 1")
    assert app.result.settings["seed"] == 1
    app.close()


def test_finder_replay_full_batch_seeds_are_one_run_and_redraw_the_title_alone(monkeypatch):
    """At full batch the seed draws nothing: every seed is seed 0's run (equal to the test
    run with that seed), nothing is trained again and no axes are drawn again: only the
    title's layer, and the picture is the uncached full draw's."""
    from lrlab.apps import finder_replay as fr

    from .test_render import assert_same_picture, shown, slow_frame

    calls = []
    real = fr.lr_range_test
    monkeypatch.setattr(fr, "lr_range_test", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(fr, "_DEFAULT_TESTS", {})
    app = FinderReplay(backend="png", num_steps=60)
    assert app.problem.noise == 0
    first = app.result
    fresh = real(app.problem, fr.FINDER_RULES["SGD"], 1e-3, 100.0, 60, seed=3,
                 record_params=True)
    full, axes = app.canvas.full_draws, app.canvas.axes_draws
    lines = [line.get_xydata().copy() for line in app.ax_curve.lines]
    app.seed.value = 3
    assert len(calls) == 1 and app.result is first
    np.testing.assert_array_equal(app.result.losses, fresh.losses)
    np.testing.assert_array_equal(app.history.params, fresh.history.params)
    assert (app.canvas.full_draws, app.canvas.axes_draws) == (full, axes)
    assert app.curve_title.get_text().endswith("seed 3")
    assert "every seed is the same run" in app.status_text
    for line, before in zip(app.ax_curve.lines, lines, strict=True):
        np.testing.assert_array_equal(line.get_xydata(), before)
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
    app.canvas.render()
    app.seed.value = 0
    assert "every seed" not in app.status_text
    app.batch_size.value = 16   # minibatches: the seed matters again
    app.seed.value = 3
    assert len(calls) == 3 and app.result.settings["seed"] == 3
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=4)
    app.canvas.render()
    for rule, batch in (("Adam", 16), ("Adam", 0), ("SGD", 0)):  # new tests, then one seen
        app.rule.value, app.batch_size.value = rule, batch
        assert app.canvas.axes_draws == 0
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=4)
        app.canvas.render()
    assert len(calls) == 5 and app.last_error is None
    app.close()


def test_replays_of_the_default_model_share_their_tests_and_others_do_not(monkeypatch):
    """The default model is the same in every replay: a second replay (or a rule seen in
    another one) trains nothing and shows the same test; the cache is bounded; a replay
    of a model of one's own keeps its tests to itself."""
    from lrlab.apps import finder_replay as fr

    from .test_render import assert_same_picture, shown, slow_frame

    calls = []
    real = fr.lr_range_test
    monkeypatch.setattr(fr, "lr_range_test", lambda *a, **k: calls.append(k) or real(*a, **k))
    monkeypatch.setattr(fr, "_DEFAULT_TESTS", {})
    monkeypatch.setattr(fr, "_DEFAULT_TESTS_MAX", 3)
    first = FinderReplay(backend="png", num_steps=60)
    first.rule.value = "Adam"
    assert len(calls) == 2
    again = FinderReplay(backend="png", num_steps=60, rule="Adam")
    assert len(calls) == 2 and again.result is first.result
    fresh = real(fr.default_mlp(), fr.FINDER_RULES["Adam"], 1e-3, 100.0, 60,
                 record_params=True)
    np.testing.assert_array_equal(again.history.params, fresh.history.params)
    assert_same_picture(shown(again.canvas), slow_frame(again.canvas), levels=4)
    for batch in (64, 16):
        again.batch_size.value = batch
    assert len(calls) == 4 and len(fr._DEFAULT_TESTS) == 3   # the oldest was dropped
    other = FinderReplay(fr.default_mlp(seed=1), backend="png", num_steps=60, rule="Adam")
    assert len(calls) == 5 and len(fr._DEFAULT_TESTS) == 3
    for app in (first, again, other):
        app.close()
