"""The browser benchmark's verdicts (benchmarks/browser.py: report), on made-up presses.

The benchmark itself needs Chromium and minutes; what it concludes from the
presses it timed is plain Python, tested here: a press that changed nothing
visible is not timed and does not fail an app, a lost frame does.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _benchmark(name: str):
    """benchmarks/<name>.py as a module (the benchmarks are scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(f"lrlab_bench_{name}",
                                                  ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _benchmark("browser")


def press(ms=None, frames=1, unchanged=False):
    if ms is None:
        return {"first": None, "last": None, "frames": 0, "unchanged": unchanged}
    return {"first": ms, "last": ms, "frames": frames, "unchanged": False}


def row(table: str, app: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(f"| {app} |"))


def test_targets_per_app():
    assert bench.target_for("01-explorer_1d") == bench.target_for("01_step_size_on_a_bowl#1") == 60
    assert bench.target_for("04-schedule_race") == bench.target_for("dashboard/Schedules") == 150


def test_median_against_target():
    table, ok = bench.report({"03-noise": {"lr": [press(100), press(140), press(200)]}})
    assert ok and "| 3 | 140 | 200 |" in row(table, "03-noise") and "PASS" in table
    table, ok = bench.report({"01-explorer_1d": {"lr": [press(50), press(70), press(80)]}})
    assert not ok and "FAIL" in row(table, "01-explorer_1d")


def test_unchanged_presses_are_not_timed_and_do_not_fail():
    rows = {"01-explorer_2d": {"lr": [press(40), press(50)],
                               "steps": [press(unchanged=True)] * 4}}
    table, ok = bench.report(rows)
    line = row(table, "01-explorer_2d")
    assert ok and "PASS" in line and "4 presses changed nothing visible" in line
    assert "| 01-explorer_2d | steps | 0 | - | - | =/=/=/= |" in table


def test_a_lost_frame_fails_the_app():
    rows = {"05-adaptive": {"lr": [press(40), press(50), press(unchanged=False)]}}
    table, ok = bench.report(rows)
    assert not ok and "1 presses without a new frame: lost" in row(table, "05-adaptive")


def test_several_frames_per_press_are_reported():
    rows = {"04-noise": {"lr": [press(90, frames=1), press(95, frames=3)]}}
    table, _ = bench.report(rows)
    assert "| 1/3 |" in row(table, "04-noise")


def _times(*ms):
    return {"cpu_ms": list(ms), "wall_ms": list(ms)}


def test_controls_table_judges_a_slider_moved_during_the_precompute_not_a_dropdown():
    """The kernel benchmark (benchmarks/controls.py: table): the precompute's wait and a
    dropdown picked before the precompute reached it are shown, not judged; a slider moved
    at once after opening is judged like any other."""
    controls = _benchmark("controls")
    result = {"app": "08-linesearch_race", "first_open": _times(900.0), "open": _times(200.0),
              "precompute": {"cpu_ms": [], "wall_ms": [640.0]},
              "controls": {
                  "lr": {"redraws": "while dragged", **_times(12.0, 14.0)},
                  "problem_name": {"redraws": "on click", **_times(90.0, 110.0)},
                  "problem_name (at once)": {"redraws": "on click", "judged": False,
                                             **_times(400.0, 700.0)},
                  "lr (at once)": {"redraws": "while dragged", "judged": True,
                                   **_times(13.0, 15.0)}}}
    report, ok = controls.table([result])
    lines = {line[:42].strip(): line for line in report.splitlines()[2:]}
    assert ok
    assert lines["08-linesearch_race.(precompute)"].split()[-1] == "info"
    assert "640.0ms" in lines["08-linesearch_race.(precompute)"]
    at_once = next(line for line in report.splitlines() if "problem_name (at once)" in line)
    assert "info" in at_once and "550.0ms" in at_once and "PASS" not in at_once
    assert "PASS" in lines["08-linesearch_race.problem_name"]
    result["controls"]["lr (at once)"] = {"redraws": "while dragged", "judged": True,
                                          **_times(40.0, 45.0)}
    report, ok = controls.table([result])
    assert not ok
    assert "FAIL" in next(line for line in report.splitlines() if "lr (at once)" in line)
