"""Apps under concurrent and echoed updates, as JupyterLab 4.6 + ipykernel 7 deliver them.

Widget messages arrive on a kernel subshell thread while the main thread may
be updating the same app. Two threads here change controls of one app at
once (one of them the control that resets the others: the surface, the
problem, the rule); afterwards the app must show exactly what a
single-threaded app shows for the same final control values: the same
status, the same data in every moving artist, the same pixels (and its
cached background must not be stale or half-drawn: a full redraw changes
nothing).
"""

from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.quiver import Quiver
from matplotlib.text import Text

from lrlab import widgets as lw
from lrlab.apps.serial import LatestOnly

ROUNDS = 6  # bursts per app
MOVES = 3  # most moves per thread in a burst


def artist_data(app) -> list:
    """What every moving artist of ``app`` currently shows."""
    out = []
    for a in app.canvas._animated:
        if not a.get_visible():
            out.append("hidden")  # whatever data it keeps is not shown
        elif isinstance(a, Quiver):
            out.append((np.asarray(a.get_offsets()), np.asarray(a.U), np.asarray(a.V)))
        elif isinstance(a, Line2D):
            out.append(np.asarray(a.get_xydata()))
        elif isinstance(a, Text):
            out.append((a.get_text(), tuple(a.get_position())))
        elif isinstance(a, AxesImage):
            out.append(np.asarray(a.get_array()))
        elif isinstance(a, Collection):
            out.append(np.asarray(a.get_offsets()))
        elif isinstance(a, Patch):
            out.append(np.asarray(a.get_verts()))
        else:
            out.append(repr(a))
    return out


def assert_same_data(a, b) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple):
            for u, v in zip(x, y, strict=True):
                assert_same_data([u], [v])
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y


def control_values(app) -> list:
    return [c.value for c in app._controls]


def drive(ref, values) -> None:
    """Bring ``ref`` to ``values`` single-threaded, one control after the other (in the
    order of ``_controls``: the control that resets others comes first)."""
    for control, value in zip(ref._controls, values, strict=True):
        control.value = value


def hammer(app, movers, seed: int) -> list[BaseException]:
    """Each mover on its own thread, all at once, each after a random delay of 0-40 ms (a
    browser message arriving while the other thread's update runs); return their exceptions."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(movers))

    def work(move, k):
        rng = random.Random(seed * 100 + k)
        try:
            start.wait()
            for _ in range(rng.randint(1, MOVES)):
                time.sleep(rng.random() * 0.04)
                move(app, rng)
        except BaseException as exc:  # collected, asserted by the caller
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(m, k)) for k, m in enumerate(movers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "an update hung"
    return errors


def _lr(app, rng):
    s = app.lr
    app.lr.value = 10 ** rng.uniform(s.min, s.max)


def _choice(name):
    def move(app, rng):
        control = getattr(app, name)
        control.value = rng.choice([o[1] if isinstance(o, tuple) else o
                                    for o in control.options])
    move.__name__ = name
    return move


CASES = {
    # the cases: 08 (problem dropdown or x axis, then lr), 01 (surface, then lr)
    "linesearch_race": (lambda: lw.linesearch_race("Rosenbrock", num_steps=40, backend="png"),
                        [_choice("problem_name"), _lr, _choice("cost")]),
    "explorer_2d": (lambda: lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"],
                                           num_steps=60, backend="png"),
                    [_choice("surface"), _lr]),
    "explorer_1d": (lambda: lw.explorer_1d(backend="png"), [_choice("kind"), _lr]),
    "adaptive_rates": (lambda: lw.adaptive_rates(num_steps=40, backend="png"),
                       [_choice("rule"), _lr]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_two_threads_on_one_app_end_in_the_single_threaded_frame(name):
    make, movers = CASES[name]
    app, ref = make(), make()
    try:
        for round_ in range(ROUNDS):
            errors = hammer(app, movers, seed=round_)
            assert not errors, errors
            assert not app._runner.busy
            assert app.last_error is None, app.last_error
            values = control_values(app)
            drive(ref, values)
            assert control_values(ref) == values
            assert app.status_text == ref.status_text
            assert_same_data(artist_data(app), artist_data(ref))
            shown = app.png()
            assert shown == ref.png(), f"{name}: the frame differs from a clean app's"
            app.canvas.invalidate()
            app.update()
            assert app.png() == shown, f"{name}: the cached background was stale"
    finally:
        app.close()
        ref.close()


def test_a_burst_during_an_update_costs_one_more_update():
    """Requests made while an update runs coalesce; the rerun reads the latest value."""
    seen: list[float] = []
    box = {"value": 0.0}
    started, release = threading.Event(), threading.Event()

    def run():
        seen.append(box["value"])
        if len(seen) == 1:
            started.set()
            release.wait(10)

    runner = LatestOnly(run)
    first = threading.Thread(target=runner.request)
    first.start()
    assert started.wait(10)
    for v in range(1, 11):  # ten changes while the first update runs
        box["value"] = float(v)
        assert runner.request(wait=False) is False  # served by the running thread
    release.set()
    first.join(10)
    assert seen == [0.0, 10.0]
    assert runner.runs == 2 and runner.coalesced == 9
    assert not runner.busy


def test_a_waiting_request_returns_after_a_run_that_saw_its_state():
    box = {"value": 0}
    seen = []
    gate = threading.Event()

    def run():
        seen.append(box["value"])
        if len(seen) == 1:
            gate.wait(10)

    runner = LatestOnly(run)
    t = threading.Thread(target=runner.request)
    t.start()
    while not runner.busy:
        time.sleep(0.001)
    box["value"] = 1
    waiter = threading.Thread(target=runner.request)  # wait=True
    waiter.start()
    time.sleep(0.05)
    assert waiter.is_alive()  # still waiting for a run that reads value 1
    gate.set()
    waiter.join(10)
    t.join(10)
    assert seen == [0, 1]


def test_an_update_that_raises_does_not_wedge_the_runner():
    calls = []

    def run():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("planted")

    runner = LatestOnly(run)
    with pytest.raises(RuntimeError, match="planted"):
        runner.request()
    assert not runner.busy
    assert runner.request() is True and len(calls) == 2


def test_an_update_requesting_an_update_from_its_own_thread_reruns_instead_of_deadlocking():
    calls = []
    runner = None

    def run():
        calls.append(1)
        if len(calls) == 1:
            assert runner.request(wait=True) is False  # same thread: rerun, no deadlock

    runner = LatestOnly(run)
    runner.request()
    assert len(calls) == 2


def test_silence_is_per_thread():
    """A control the app resets silently on its thread; a learner's change on another
    thread at the same time still asks for an update."""
    app = lw.explorer_1d(backend="png")
    try:
        done = app.updates
        inside = threading.Event()
        leave = threading.Event()

        def silent_block():
            with app._silence():
                inside.set()
                leave.wait(10)

        t = threading.Thread(target=silent_block)
        t.start()
        assert inside.wait(10)
        app.lr.value = 1.5  # another thread (this one) while the first is silenced
        leave.set()
        t.join(10)
        assert app.updates == done + 1
        assert app.status_text.startswith("converged in 10 steps (oscillating)")
    finally:
        app.close()


def test_an_echo_of_a_value_the_app_set_starts_no_update():
    """The browser computes a log slider's value as 10 ** log10(v): one rounding off."""
    app = lw.explorer_2d("rosenbrock", backend="png")
    try:
        done = app.updates
        v = app.lr.value
        echo = 10 ** (np.log10(v))
        if echo == v:
            echo = np.nextafter(v, 1.0)
        app.lr.value = float(echo)
        assert app.updates == done
        app.lr.value = v * 1.01  # a real move does update
        assert app.updates == done + 1
    finally:
        app.close()


def test_set_control_sends_one_message_with_the_final_state(monkeypatch):
    """Range and value reach the browser together: no intermediate range to clamp against."""
    app = lw.explorer_2d("ill_conditioned", backend="png")
    try:
        sent = []
        done = app.updates
        monkeypatch.setattr(type(app.lr), "send_state",
                            lambda self, key=None: sent.append(key))
        app._set_control(app.lr, min=-6.0, max=2.0, value=1e-6)
        assert len(sent) == 1
        assert (app.lr.min, app.lr.max, app.lr.value) == (-6.0, 2.0, 1e-6)
        assert app.updates == done  # silent: no update was started
    finally:
        app.close()
