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
