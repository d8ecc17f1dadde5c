"""The parts every app shares: status lines, errors shown in the app, display, leaks."""

from __future__ import annotations

import gc
import resource
import sys

import ipywidgets as W
import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
from lrlab.apps import explorer2d as e2d
from lrlab.apps.base import describe_run
from lrlab.apps.basins import BasinExplorer
from lrlab.surfaces import quadratic


def rss_bytes() -> int:
    """Resident memory now (Linux), else the peak so far (an upper bound on growth)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def fignums():
    import matplotlib.pyplot as plt

    return plt.get_fignums()


def test_describe_run_names_what_happened():
    bowl = quadratic([1.0, 10.0])
    h = train(bowl, sgd([0.05, 0.195, 0.21]), 300)  # steep factors 0.5, -0.95, -1.1
    steps = np.diff(h.params, axis=0)
    texts = [describe_run(h[i], f_star=0.0, steps=steps[:, i]) for i in range(3)]
    assert texts[0].startswith("converged in ") and "oscillating" not in texts[0]
    assert texts[1].startswith("converged in ") and texts[1].endswith("(oscillating)")
    assert texts[2] == f"diverged at step {h.diverged_at[2]}: {h.reason[2]}"
    # converged in k steps: the first step whose gap is below 1e-6 of the start
    k = int(texts[0].split()[2])
    gap = h.loss[:, 0]
    assert gap[k] <= 1e-6 * gap[0] < gap[k - 1]
    short = train(bowl, sgd(0.001), 20)
    assert describe_run(short, f_star=0.0) == "still descending after 20 steps"


def test_errors_in_callbacks_are_shown_in_the_app(monkeypatch):
    app = lw.Explorer2D("quadratic", rules=["GD"], lr=0.05, backend="png")

    def broken(lr, momentum):
        raise RuntimeError("the rule broke")

    monkeypatch.setitem(e2d.RULES, "GD", broken)
    app.lr.value = 0.06  # no exception escapes the callback
    assert isinstance(app.last_error, RuntimeError)
    assert "RuntimeError" in app.error.value and "the rule broke" in app.error.value
    monkeypatch.undo()
    app.lr.value = 0.07
    assert app.last_error is None and app.error.value == ""


@pytest.mark.parametrize("make", [
    lambda: lw.Explorer1D(backend="png"),
    lambda: lw.Explorer2D(backend="png"),
    lambda: lw.ScheduleRace(num_steps=100, backend="png"),
    lambda: lw.NoiseExplorer(num_steps=100, backend="png"),
])
def test_every_app_displays_live_and_static(make):
    app = make()
    assert isinstance(app.lr, W.FloatLogSlider) and app.lr.description.endswith("lr")
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    import base64

    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert app.canvas.widget in app.widget.children
    app.close()


def test_apps_display_a_static_png():
    app = BasinExplorer(resolution=(10, 12), num_steps=50, backend="png")
    bundle = app._repr_mimebundle_()
    assert "image/png" in bundle and bundle["text/plain"].startswith("BasinExplorer:")
    app.close()


def test_no_leaks_over_500_updates():
    before = fignums()
    app = lw.Explorer2D("ill_conditioned", rules=["GD"], num_steps=30, backend="png")
    n_artists = len(app.ax_paths.get_children()) + len(app.ax_loss.get_children())
    values = np.geomspace(0.05, 1.5, 50)
    for lr in values[:20]:  # warm up caches before measuring
        app.lr.value = lr
    gc.collect()
    start = rss_bytes()
    for i in range(500):
        app.lr.value = values[i % 50]
    gc.collect()
    grown = rss_bytes() - start
    assert grown < 20e6, f"memory grew by {grown / 1e6:.1f} MB"
    assert len(app.ax_paths.get_children()) + len(app.ax_loss.get_children()) == n_artists
    assert fignums() == before
    # re-running the cell: a new app per run, the old one closed
    for _ in range(5):
        app.close()
        app = lw.explorer_1d(backend="png")
    assert fignums() == before


# ----------------------------------------------------------------- typed values (issue 15.4)
def test_a_typed_lr_is_kept_exactly_and_the_status_uses_it():
    """The browser sends 10 ** log10(0.5) = 0.5000000000000001 for a typed 0.5 (no grid
    since the slider has no step); the app runs at 0.5, not at a grid point like 0.501."""
    app = lw.explorer_1d(lr=0.3, backend="png")
    try:
        assert app.lr.step is None
        app.lr.value = 10 ** np.log10(0.5)
        assert app.lr.value == 0.5
        assert app.history.lr[0] == 0.5
        assert "η·L = 0.5:" in app.status_text
        app.lr.value = 0.123456789  # a dragged value is kept as it is
        assert app.lr.value == 0.123456789
    finally:
        app.close()


@pytest.mark.parametrize(("typed", "end", "shown"),
                         [(1e9, "upper", "10"), (-3.0, "lower", "0.001")])
def test_a_value_typed_beyond_the_range_is_clamped_and_the_status_says_so(typed, end, shown):
    app = lw.explorer_1d(lr=0.3, backend="png")
    try:
        app.lr.value = typed  # what the browser's clamp leaves is the end itself
        assert app.lr.value == pytest.approx(float(shown))
        assert f"lr {shown} is the {end} end of its slider: a value typed beyond it is " \
               "clamped to it" in app.status_text
        app.lr.value = 0.5
        assert "clamped" not in app.status_text
    finally:
        app.close()


# ----------------------------------------------------------------- dead controls (issue 15.3)
def test_controls_that_cannot_change_the_picture_are_disabled_with_a_reason():
    e = lw.explorer_2d("ill_conditioned", rules=["GD"], backend="png")
    race = lw.schedule_race(schedules=["constant", "cosine"], num_steps=100, backend="png")
    try:
        assert e.momentum.disabled and "no selected rule uses momentum" in e.momentum.tooltip
        e.rules.value = ("GD", "momentum")
        assert not e.momentum.disabled and not e.momentum.tooltip
        before = e.png()
        e.momentum.value = 0.5  # enabled now, and it does change the picture
        assert e.png() != before
        assert race.warmup_steps.disabled and "warm-up + cosine" in race.warmup_steps.tooltip
        assert race.decay_every.disabled
        race.schedules.value = ("constant", "warm-up + cosine", "step ÷10")
        assert not race.warmup_steps.disabled and not race.decay_every.disabled
    finally:
        e.close()
        race.close()


def test_rules_and_schedules_are_toggle_buttons_not_a_list_box():
    e = lw.explorer_2d("ill_conditioned", rules=["GD"], backend="png")
    try:
        assert [b.description for b in e.rules.buttons] == list(e.rules.options)
        e.rules.buttons[1].value = True  # one click adds a rule (no Ctrl-click)
        assert e.rules.value == ("GD", "momentum") and e.labels == ["GD", "momentum"]
        e.rules.value = ("momentum",)
        assert [b.value for b in e.rules.buttons[:2]] == [False, True]
        with pytest.raises(Exception, match="must name options"):
            e.rules.value = ("SGD",)
    finally:
        e.close()


def test_finder_replay_batch_dropdown_shows_full_batch_and_the_slider_snaps_to_the_sweep():
    from lrlab.apps.finder_replay import FinderReplay

    app = FinderReplay(num_steps=40, backend="png")
    try:
        assert app.batch_size.label == "full batch" and app.batch_size.index == 0
        assert app.result.settings["batch_size"] is None
        swept = app.sweep.values
        np.testing.assert_allclose(10 ** (app.lr.min + app.lr.step * np.arange(40)), swept,
                                   rtol=1e-12)  # every slider position is a swept rate
        app.lr.value = 0.17  # between two swept rates: the slider moves to the nearer one
        i = int(np.argmin(np.abs(np.log(swept / 0.17))))
        assert app.index == i and app.lr.value == pytest.approx(swept[i], rel=1e-12)
        assert f"lr {swept[i]:.3g}" in app.status_text
    finally:
        app.close()


def test_no_two_controls_of_an_app_share_a_label():
    """The noise explorer had two controls labelled 'lr' (the rate and its decay)."""
    for app in (lw.noise_explorer(num_steps=100, backend="png"), lw.explorer_1d(backend="png"),
                lw.explorer_2d(backend="png"), lw.schedule_race(num_steps=100, backend="png"),
                lw.adaptive_rates(num_steps=10, backend="png"),
                lw.linesearch_race("ill-conditioned quadratic", num_steps=20, backend="png")):
        try:
            labels = [c.description for c in app._controls]
            assert len(labels) == len(set(labels)), (type(app).__name__, labels)
        finally:
            app.close()
