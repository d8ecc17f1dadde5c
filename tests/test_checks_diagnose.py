"""Tests of assignment 6's self-checks (lrlab.checks.diagnose, lrlab.checks.floor_detector).

* the source notebook's solutions pass every check, on the released logs;
* every planted mistake of coursework/planted_bugs_06_diagnose_runs.py is named as its mistake;
* every entry of the detector's mistake catalogue is diagnosed as itself;
* the label and fix checks never give the answer away: their messages name facts of the
  log, never the label or fix the key expects, and a check that passes says it does not
  know the answers;
* the facts they rest on are right on small hand-made logs (a NaN, a spike, a rising
  validation loss, a loss that never moved, a large update ratio);
* form errors (missing run, unknown word, not a dict, not implemented, a crash) have
  their own messages.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pytest
from catalogue_support import assert_catalogue_is_distinguishable

import lrlab
from lrlab import checks
from lrlab.checks import diagnose, floor_detector

matplotlib.use("agg")

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
A6 = "06_diagnose_runs"
SOURCE = COURSE / "source" / A6
LOGS_FILE = SOURCE / f"{A6}_logs.npz"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


_module("planted_bugs", COURSE / "planted_bugs.py")
BUGS = _module("planted_bugs_06_diagnose_runs", COURSE / f"planted_bugs_{A6}.py").BUGS
MAKE_LOGS = _module("make_logs_06", SOURCE / "make_logs.py")


def _notebook():
    return nbformat.read(SOURCE / f"{A6}.ipynb", as_version=4)


def solution_namespace() -> dict:
    """The setup cell and the solution cells of the source notebook, executed."""
    import matplotlib.pyplot as plt

    namespace = {"np": np, "math": math, "lrlab": lrlab, "plt": plt}
    for cell in _notebook().cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


@pytest.fixture(scope="module")
def logs():
    setup = next(c.source for c in _notebook().cells if c.id == "setup")
    namespace = {}
    exec(setup.split("logs = load_logs()")[0], namespace)     # the notebook's own loader
    return namespace["load_logs"](LOGS_FILE)


@pytest.fixture(scope="module")
def key():
    """The answer key, as the hidden tests hold it (read from the source notebook)."""
    cells = {c.id: c.source for c in _notebook().cells}
    namespace = {}
    for cell, name in (("test_labels", "_key"), ("test_fixes", "_accepted")):
        hidden = cells[cell].split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        block = hidden[hidden.index(f"{name} = "):hidden.index("}\n") + 2]
        exec(block, namespace)
    return namespace["_key"], namespace["_accepted"]


def _run_check(check: str, fn, logs):
    if check in ("check_labels", "check_fixes", "check_plot_log"):
        return getattr(checks, check)(fn, logs)
    return getattr(checks, check)(fn)


SOLVED = {"check_plot_log": "plot_log", "check_labels": "diagnosis_labels",
          "check_fixes": "prescribed_fixes", "check_noise_floor_reached": "noise_floor_reached"}


# ---------------------------------------------------------------- solutions and bugs
@pytest.mark.parametrize("check", sorted(SOLVED))
def test_solutions_pass(check, logs):
    result = _run_check(check, solution_namespace()[SOLVED[check]], logs)
    assert result.passed and result.mistake is None, result
    assert str(result).startswith("✔")


def test_the_logs_are_the_eight_runs(logs):
    assert sorted(logs) == [f"run_{c}" for c in "abcdefgh"]
    fields = {"loss", "grad_norm", "lr", "update_ratio", "eval_steps", "train_loss",
              "val_loss", "diverged_at", "reason", "problem", "rule", "schedule", "batch_size"}
    for run, log in logs.items():
        assert set(log) == fields, run
        n = len(log["loss"]) - 1
        assert log["grad_norm"].shape == (n + 1,) and log["lr"].shape == (n,), run
        assert log["update_ratio"].shape == (n,), run
        assert log["train_loss"].shape == log["val_loss"].shape == log["eval_steps"].shape, run


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_planted_bug_is_named(bug, logs):
    namespace = solution_namespace()
    exec(bug.code, namespace)
    assert SOLVED[bug.check] == bug.cell
    result = _run_check(bug.check, namespace[bug.cell], logs)
    assert not result.passed
    assert result.mistake == bug.mistake, result
    assert str(result).startswith("✘")


def test_planted_bugs_cover_every_part():
    cells = {bug.cell for bug in BUGS}
    assert cells == set(SOLVED.values())
    assert len(BUGS) >= 8 and sum(bug.hidden for bug in BUGS) >= 1
    assert all(bug.name.startswith("dx-") for bug in BUGS)


def test_label_and_fix_messages_do_not_give_the_answer_away(logs, key):
    labels, accepted = key
    namespace = solution_namespace()
    for bug in BUGS:
        if bug.check not in ("check_labels", "check_fixes"):
            continue
        ns = dict(namespace)
        exec(bug.code, ns)
        message = _run_check(bug.check, ns[bug.cell], logs).message
        run = message.split(":")[0]                 # a message is about one run
        assert run in logs, message
        right = {labels[run]} if bug.check == "check_labels" else accepted[run]
        assert ns[bug.cell]()[run] not in right
        for word in right:
            assert f"'{word}'" not in message and f" {word}" not in message, (bug.name, message)
    passed = checks.check_labels(namespace["diagnosis_labels"], logs)
    assert "does not know the answers" in passed.message


def test_the_key_agrees_with_make_logs(key):
    """The hidden tests' key is the one make_logs.py states (checked, so they cannot drift)."""
    labels, accepted = key
    assert labels == {run: label for run, (label, _) in MAKE_LOGS.KEY.items()}
    assert accepted == {run: fixes for run, (_, fixes) in MAKE_LOGS.KEY.items()}
    assert set(labels.values()) == set(diagnose.LABELS)          # every label is used
    assert set().union(*accepted.values()) <= set(diagnose.FIXES)


def test_solution_labels_and_fixes_match_the_key(key):
    labels, accepted = key
    namespace = solution_namespace()
    assert namespace["diagnosis_labels"]() == labels
    assert all(fix in accepted[run] for run, fix in namespace["prescribed_fixes"]().items())


# ---------------------------------------------------------------- the detector's catalogue
def test_detector_catalogue_is_distinguishable():
    assert_catalogue_is_distinguishable(checks.check_noise_floor_reached,
                                        floor_detector._MISTAKES, floor_detector._reference)


def test_detector_reference_on_closed_form_cases():
    ref = floor_detector._reference
    assert ref(np.full(200, 3.0), window=100)                         # constant: 0 <= 0
    assert not ref(np.arange(200.0), window=100)                      # a clean line: no noise
    assert not ref(np.ones(199), window=100)                          # too short
    assert not ref(np.ones(300), window=1)                            # no variance from 1 loss
    two = np.concatenate([np.zeros(100), np.ones(100)]) + np.tile([-1.0, 1.0], 100)
    # means differ by 1; sample variances 100/99 each -> s = sqrt(2 * (100/99) / 100) = 0.142
    assert not ref(two, window=100)
    assert ref(np.concatenate([np.zeros(100), 0.2 * np.ones(100)]) + np.tile([-1.0, 1.0], 100),
               window=100)                                            # 0.2 <= 2 * 0.142


def test_detector_messages_show_no_solution_code():
    cell = next(c.source for c in _notebook().cells if c.id == "noise_floor_reached")
    body = cell.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
    lines = [line.strip() for line in body.splitlines() if len(line.strip()) >= 16]
    assert len(lines) >= 6
    for mistake in floor_detector._MISTAKES:
        for line in lines:
            assert line not in mistake.message, (line, mistake.key)


# ---------------------------------------------------------------- facts on hand-made logs
def _log(train, val=None, *, loss=None, ratio=1e-3, lr=0.1, diverged_at=-1, reason=""):
    train = np.asarray(train, dtype=float)
    n = 10 * (len(train) - 1)
    loss = np.repeat(train, 10)[:n + 1] if loss is None else np.asarray(loss, dtype=float)
    return {"loss": loss, "grad_norm": np.ones(n + 1), "lr": np.full(n, lr),
            "update_ratio": np.full(n, ratio), "eval_steps": np.arange(0, n + 1, 10),
            "train_loss": train,
            "val_loss": np.full(len(train), np.nan) if val is None else np.asarray(val, float),
            "diverged_at": diverged_at, "reason": reason}


FALLING = np.geomspace(3.0, 0.3, 12)


@pytest.mark.parametrize(("label", "log", "mistake"), [
    ("too_high", _log(FALLING, loss=np.r_[np.ones(100), np.nan, np.full(10, np.nan)],
                      diverged_at=100, reason="loss became nan"), "missed_divergence"),
    ("diverged", _log(FALLING), "diverged_but_finite"),
    ("good", _log(FALLING, np.r_[np.geomspace(3, 0.4, 4), np.linspace(0.4, 0.9, 8)]),
     "ignored_validation"),
    ("overfitting", _log(FALLING, FALLING + 0.1), "overfitting_without_rise"),
    ("noise_floor", _log(np.r_[FALLING[:8], 10.0, FALLING[8:11]]), "spiky_noise_floor"),
    ("too_high", _log(FALLING), "too_high_without_spikes"),
    ("too_low", _log(np.full(12, 2.3), ratio=0.2), "too_low_with_large_steps"),
    ("stuck", _log(FALLING), "stuck_but_moved"),
])
def test_each_label_fact(label, log, mistake):
    result = checks.check_labels(lambda: {"run_x": label}, {"run_x": log})
    assert result.mistake == mistake, result
    assert "run_x" in result.message


@pytest.mark.parametrize(("fix", "log", "mistake"), [
    ("raise_lr", _log(np.full(12, 2.3), ratio=0.2), "raise_with_large_steps"),
    ("add_warmup", _log(FALLING), "warmup_for_late_trouble"),
    ("stop_early", _log(FALLING, FALLING + 0.1), "stop_early_without_rise"),
    ("no_change", _log(np.full(12, 2.3)), "no_change_for_failure"),
    ("reinitialize", _log(FALLING), "reinitialize_moving_run"),
])
def test_each_fix_fact(fix, log, mistake):
    result = checks.check_fixes(lambda: {"run_x": fix}, {"run_x": log})
    assert result.mistake == mistake, result


def test_consistent_answers_pass_on_hand_made_logs():
    logs = {"run_x": _log(FALLING), "run_y": _log(np.full(12, 2.3), ratio=0.2)}
    assert checks.check_labels(lambda: {"run_x": "good", "run_y": "stuck"}, logs).passed
    assert checks.check_fixes(lambda: {"run_x": "no_change", "run_y": "reinitialize"}, logs)
    early = _log(FALLING, loss=np.r_[1.0, 5.0, np.ones(109)])
    assert checks.check_fixes(lambda: {"run_x": "add_warmup"}, {"run_x": early}).passed


def test_several_contradictions_are_counted():
    logs = {"run_x": _log(FALLING), "run_y": _log(FALLING), "run_z": _log(FALLING)}
    result = checks.check_labels(lambda: dict.fromkeys(logs, "stuck"), logs)
    assert result.mistake == "stuck_but_moved" and "2 more labels" in result.message


# ---------------------------------------------------------------- form errors
@pytest.mark.parametrize(("answer", "mistake", "words"), [
    ({"run_x": "good"}, "wrong_runs", ["missing: ['run_y']"]),
    ({"run_x": "good", "run_y": "good", "run_z": "good"}, "wrong_runs", ["not a run: ['run_z']"]),
    ({"run_x": "good", "run_y": "too low"}, "unknown_word", ["did you mean 'too_low'"]),
    ({"run_x": "good", "run_y": 3}, "unknown_word", ["3 is not in the vocabulary"]),
    (["good", "good"], "not_a_dict", ["got list"]),
])
def test_form_errors(answer, mistake, words):
    logs = {"run_x": _log(FALLING), "run_y": _log(FALLING)}
    result = checks.check_labels(lambda: answer, logs)
    assert result.mistake == mistake, result
    assert all(w in result.message for w in words), result.message


def test_not_implemented_crash_and_not_a_function():
    logs = {"run_x": _log(FALLING)}

    def stub():
        raise NotImplementedError()

    assert "not implemented yet" in checks.check_labels(stub, logs).message
    assert "not implemented yet" in checks.check_fixes(stub, logs).message
    crash = checks.check_fixes(lambda: 1 / 0, logs)
    assert crash.mistake == "error" and "ZeroDivisionError" in crash.message
    assert checks.check_labels({"run_x": "good"}, logs).mistake == "error"

    def plot_stub(log, title=None):
        raise NotImplementedError()

    assert "not implemented yet" in checks.check_plot_log(plot_stub, logs).message


def test_plot_check_names_each_problem():
    import matplotlib.pyplot as plt

    logs = {"run_x": _log(FALLING, loss=np.r_[np.ones(100), 1e150, np.full(10, np.nan)],
                          diverged_at=100, reason="loss became inf")}

    def figure(panels=4, log_y=True, clip=True, empty=False):
        def plot_log(log, title=None):
            fig, axes = plt.subplots(1, panels)
            for i, ax in enumerate(np.atleast_1d(axes)):
                if not (empty and i == panels - 1):
                    ax.plot(log["loss"])
            if log_y:
                axes[0].set_yscale("log")
            if clip:
                axes[0].set_ylim(0.1, 10)
            return fig
        return plot_log

    assert checks.check_plot_log(figure(), logs).passed
    assert checks.check_plot_log(figure(panels=2), logs).mistake == "too_few_panels"
    assert checks.check_plot_log(figure(log_y=False), logs).mistake == "linear_loss_axis"
    assert checks.check_plot_log(figure(clip=False), logs).mistake == "unclipped_divergence"
    assert checks.check_plot_log(figure(empty=True), logs).mistake == "empty_panel"
    no_fig = checks.check_plot_log(lambda log, title=None: plt.subplots(1, 3)[1], logs)
    assert no_fig.mistake == "not_a_figure"
    plt.close("all")


def test_facts_of_the_released_logs(logs, key):
    """The facts the checks rest on hold, with margin, for the eight logs as labelled."""
    labels, _ = key
    facts = {run: diagnose.log_facts(log) for run, log in logs.items()}
    by_label = {}
    for run, label in labels.items():
        by_label.setdefault(label, []).append(facts[run])
    (div,), (high,), (floor,), (stuck,), (low,), (over,) = (
        by_label[k] for k in ("diverged", "too_high", "noise_floor", "stuck", "too_low",
                              "overfitting"))
    assert div["diverged"] and div["step"] == 274 and div["reason"] == "loss became nan"
    assert not div["early_trouble"]              # a late divergence: warm-up would not help
    assert high["max_spike"] > 2 * diagnose.SPIKE_FACTOR
    assert floor["max_spike"] < diagnose.SPIKE_FACTOR / 1.5
    assert stuck["moved"] > 0.99 and stuck["ratio"] > 10 * diagnose.LARGE_RATIO
    assert low["ratio"] < 1e-3 and low["moved"] < 0.5
    assert over["val_rise"] > 1.5 * diagnose.RISE_FACTOR
    for run, label in labels.items():
        if label != "overfitting":
            assert facts[run]["val_rise"] < diagnose.RISE_FACTOR / 1.2, run
