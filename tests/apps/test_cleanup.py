"""``close()`` closes every widget an app (or a quiz) created: nothing is left registered.

Each widget of ipywidgets 8 is kept in a module-level registry (and holds an
open comm) until it is closed; an app is 10-30 of them (boxes, controls, their
layouts and styles, the image with its last PNG). Create and close each app 50
times: the registry must be back to its size before.
"""

from __future__ import annotations

import pytest
from ipywidgets.widgets import widget as ipywidget

from lrlab import widgets as lw
from lrlab.apps.render import Canvas

CYCLES = 50

APPS = {
    "explorer_1d": lambda: lw.explorer_1d(backend="png"),
    "explorer_2d": lambda: lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"],
                                          num_steps=20, backend="png"),
    "schedule_race": lambda: lw.schedule_race(num_steps=100, backend="png"),
    "noise_explorer": lambda: lw.noise_explorer(num_steps=100, backend="png"),
    "adaptive_rates": lambda: lw.adaptive_rates(num_steps=10, backend="png"),
    "finder_replay": lambda: lw.finder_replay(num_steps=30, backend="png"),
    "basin_explorer": lambda: lw.basin_explorer(num_steps=30, resolution=(8, 8),
                                                backend="png"),
    "linesearch_race": lambda: lw.linesearch_race("ill-conditioned quadratic", num_steps=20,
                                                  backend="png"),
    "explorer_1d (ipympl)": lambda: lw.explorer_1d(backend="ipympl"),
    "quiz (options)": lambda: lw.quiz("Which?", "b", options=["a", "b"]),
    "quiz (number)": lambda: lw.quiz("How much?", 0.5),
}


def registered() -> dict:
    return dict(ipywidget._instances)


@pytest.fixture
def no_drawing(monkeypatch):
    """Skip the pixels (they create no widget): 50 cycles cost the widgets, not Agg."""
    monkeypatch.setattr(Canvas, "render", lambda self: None)


@pytest.mark.parametrize("name", list(APPS))
def test_fifty_create_close_cycles_leave_no_widget(name, no_drawing):
    make = APPS[name]
    make().close()  # first use may create shared widgets (none today): not counted
    before = registered()
    for _ in range(CYCLES):
        make().close()
    left = {k: type(w).__name__ for k, w in registered().items() if k not in before}
    assert not left, f"{name}: {len(left)} widgets left after {CYCLES} cycles: " \
                     f"{sorted(set(left.values()))}"


@pytest.mark.parametrize("name", ["explorer_2d", "linesearch_race", "explorer_1d (ipympl)"])
def test_a_drawn_app_closes_everything_and_its_comms(name):
    before = registered()
    app = APPS[name]()
    app.png()
    created = [w for k, w in registered().items() if k not in before]
    assert len(created) >= 10  # the boxes, controls, layouts, styles and the image
    app.close()
    assert all(w.comm is None for w in created), [type(w).__name__ for w in created
                                                  if w.comm is not None]
    assert not [k for k in registered() if k not in before]


def test_a_closed_app_ignores_late_updates():
    """A browser message that arrives after close() must not draw on the released figure."""
    app = APPS["explorer_1d"]()
    updates = app.updates
    app.close()
    app.update()
    assert app.updates == updates
