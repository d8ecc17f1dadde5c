"""Background precompute: results, giving way to updates, no deadlock, the same bits."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest

from lrlab.apps import background
from lrlab.apps.background import Precompute, foreground, updates_running

WAIT = 10.0  # seconds: a generous bound for what should take milliseconds


class Spinner:
    """A job that counts Python calls until released (so a pause shows as a still counter)."""

    def __init__(self, value="spun"):
        self.count, self.value = 0, value
        self.started, self.release = threading.Event(), threading.Event()

    def tick(self):
        self.count += 1

    def __call__(self):
        self.started.set()
        while not self.release.is_set():
            self.tick()
        return self.value


def test_a_known_result_is_returned_and_not_submitted_again():
    jobs = Precompute()
    assert jobs.submit("k", lambda: 41 + 1)
    assert jobs.wait(WAIT)
    assert not jobs.submit("k", lambda: 0)
    assert jobs.result("k", lambda: pytest.fail("computed again")) == 42
    assert jobs.pending() == 0


def test_a_job_not_started_is_dropped_and_computed_by_the_caller():
    jobs, spinner = Precompute(), Spinner()
    jobs.submit("first", spinner)
    assert spinner.started.wait(WAIT)
    jobs.submit("second", lambda: pytest.fail("ran in the background after all"))
    assert jobs.result("second", lambda: "mine") == "mine"
    spinner.release.set()
    assert jobs.wait(WAIT) and jobs.store == {"second": "mine", "first": "spun"}


def test_the_background_stops_while_an_update_runs_and_resumes_after():
    jobs, spinner = Precompute(), Spinner()
    jobs.submit("k", spinner)
    assert spinner.started.wait(WAIT)
    with foreground():
        assert updates_running() == 1
        time.sleep(0.02)   # the job reaches its next call and waits there
        seen = spinner.count
        time.sleep(0.1)
        assert spinner.count == seen
    deadline = time.monotonic() + WAIT
    while spinner.count == seen and time.monotonic() < deadline:
        time.sleep(0.001)
    assert spinner.count > seen and jobs.pauses >= 1 and updates_running() == 0
    spinner.release.set()
    assert jobs.result("k", lambda: None) == "spun"


def test_an_update_that_needs_the_running_job_gets_it_at_full_speed():
    """Under foreground() the job would wait for the update and the update for the job:
    result() marks the job wanted, so it runs on and the update gets its value."""
    jobs, spinner = Precompute(), Spinner()
    jobs.submit("k", spinner)
    assert spinner.started.wait(WAIT)
    got = []

    def update():
        with foreground():
            got.append(jobs.result("k", lambda: "recomputed"))

    with foreground():   # the job is paused by another app's update too
        time.sleep(0.02)
        worker = threading.Thread(target=update, daemon=True)
        worker.start()
        time.sleep(0.05)
        spinner.release.set()
        worker.join(WAIT)
    assert got == ["spun"]


def test_a_failed_job_is_computed_again_by_the_caller_who_sees_the_error():
    jobs = Precompute()

    def broken():
        raise ZeroDivisionError("in the background")

    jobs.submit("k", broken)
    assert jobs.wait(WAIT) and "k" not in jobs.store
    with pytest.raises(ZeroDivisionError, match="in the background"):
        jobs.result("k", broken)
    assert jobs.result("k", lambda: 3) == 3


def test_the_store_is_bounded_and_keeps_the_newest():
    jobs = Precompute(max_size=2)
    for k in range(4):
        jobs.submit(k, lambda k=k: k * 10)
        assert jobs.wait(WAIT)
    assert jobs.store == {2: 20, 3: 30}


def test_the_hook_leaves_no_trace_on_the_caller_thread():
    jobs = Precompute()
    jobs.submit("k", lambda: sys.getprofile())
    assert jobs.wait(WAIT)
    assert jobs.store["k"] is not None   # the job ran under the hook
    assert sys.getprofile() is None


def test_a_job_never_pauses_inside_an_import():
    """A paused import would hold its module's lock: an update importing it would hang."""
    here = sys._getframe()
    code = compile("frame = sys._getframe()", "<frozen importlib._bootstrap>", "exec")
    scope = {"sys": sys}
    exec(code, scope)
    assert background._importing(scope["frame"])
    assert not background._importing(here)


def test_background_racers_are_the_bits_the_foreground_computes(monkeypatch):
    """The race's precompute: the other problems' racers, run in the background while the
    app is on Rosenbrock, equal the ones the dropdown computes with no precompute, bit for
    bit, and picking those problems then runs no racer again."""
    from lrlab.apps import linesearch_race as lr_race

    monkeypatch.setattr(lr_race, "_PRECOMPUTE", Precompute(max_size=9))
    app = lr_race.LineSearchRace("Rosenbrock", num_steps=30, backend="png")
    assert lr_race._PRECOMPUTE.wait(WAIT * 6)
    assert set(lr_race._PRECOMPUTE.store) == {(name, 30) for name in lr_race.PROBLEMS}
    background_runs = dict(lr_race._PRECOMPUTE.store)
    calls = []
    real = lr_race._run_racers
    monkeypatch.setattr(lr_race, "_run_racers", lambda p, T: calls.append(p) or real(p, T))
    monkeypatch.setattr(lr_race, "_PRECOMPUTE", Precompute(max_size=9))
    for name in lr_race.PROBLEMS[1:]:
        lr_race._PRECOMPUTE.store[(name, 30)] = background_runs[(name, 30)]
        app.problem_name.value = name
    assert calls == [] and app.last_error is None
    fresh = lr_race.LineSearchRace("Rosenbrock", num_steps=30, backend="png", precompute=False)
    for name in lr_race.PROBLEMS[1:]:
        lr_race._PRECOMPUTE.store.clear()
        fresh.problem_name.value = name
        want = background_runs[(name, 30)]
        assert set(fresh.histories) - {"GD (slider lr)"} == set(want)
        for method, h in want.items():
            got = fresh.histories[method]
            for field in ("loss", "lr", "params", "grad_evals"):
                a, b = getattr(h, field, None), getattr(got, field, None)
                if a is not None:
                    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert len(calls) == len(lr_race.PROBLEMS)   # Rosenbrock, then the other two
    app.close()
    fresh.close()


def test_every_app_update_runs_in_the_foreground():
    """App._run_update holds foreground(): background work waits for any app's update."""
    from lrlab.widgets import explorer_1d

    app = explorer_1d(lr=0.5, backend="png")
    seen = []
    real = app._update
    app._update = lambda: (seen.append(updates_running()), real())
    app.lr.value = 0.25
    assert seen == [1] and updates_running() == 0 and app.last_error is None
    app.close()


def test_dropping_the_queue_keeps_the_running_job_and_forgets_the_others():
    jobs, spinner = Precompute(), Spinner()
    jobs.submit("running", spinner)
    assert spinner.started.wait(WAIT)
    jobs.submit("a", lambda: pytest.fail("a dropped job ran"))
    jobs.submit("b", lambda: pytest.fail("a dropped job ran"))
    assert jobs.drop_queued() == 2 and jobs.pending() == 1
    assert jobs.wait(0.01) is False   # the running one is still running
    spinner.release.set()
    assert jobs.wait(WAIT) and jobs.store == {"running": "spun"}
