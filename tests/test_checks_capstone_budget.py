"""The capstone's budget and grading (lrlab.checks._capstone_budget, _capstone_grading).

* ``Choice``: validation with clear messages, the rule and schedule it builds, equality;
* ``Budget``: counts runs, refuses the call past the budget with a message naming it (and
  counts the refusal), records every run (read-only), invalid choices cost nothing, runs of
  another budget are seen, the same seed reproduces a run bit for bit;
* grading: the secret's sources and their order, the partition and seeds it derives, the
  thresholds of ``GradeReport.points``, and a real grade of a choice that diverges.
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab.checks import _capstone_grading as grading
from lrlab.checks._capstone_budget import (
    Budget,
    BudgetExceeded,
    Choice,
    RunResult,
    validate_choice,
)
from lrlab.examples import running_example

QUICK = Choice("sgd", lr=0.3, epochs=1)          # 34 steps: a cheap run


# ------------------------------------------------------------------------------ Choice
def test_choice_normalises_and_compares():
    a = Choice("sgd", lr=0.3, schedule="multistep", schedule_params={"milestones": [170, 255]})
    b = validate_choice({"optimizer": "sgd", "lr": 0.3, "schedule": "multistep",
                         "schedule_params": {"milestones": (170, 255)}})
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a.params == {"milestones": (170, 255)}
    assert Choice(**a.as_dict()) == a
    assert repr(a) == ("Choice('sgd', lr=0.3, schedule='multistep', "
                       "schedule_params={'milestones': (170, 255)})")
    assert Choice("sgd", lr=0.3) != Choice("sgd", lr=0.3, epochs=4)


def test_choice_builds_the_lrlab_rule_and_schedule():
    c = Choice("sgd", lr=0.5, momentum=0.9, schedule="warmup_cosine",
               schedule_params={"warmup_steps": 34, "total_steps": 170}, batch_size=64)
    assert c.steps_per_epoch == 17 and c.total_steps == 85
    expected = lrlab.schedules.warmup(lrlab.schedules.cosine(0.5, 136), 34)
    t = np.arange(400)
    assert np.allclose(c.schedule_fn()(t), expected(t))
    rule = c.rule()
    assert rule.name == "SGD with momentum" and "momentum=0.9" in repr(rule)
    assert Choice("adam", lr=1e-3).rule().name == "Adam"


@pytest.mark.parametrize("kwargs, words", [
    (dict(optimizer="momentum", lr=0.1), "heavy-ball momentum is optimizer='sgd'"),
    (dict(optimizer="nadam", lr=0.1), "'optimizer' parameter of Choice must be one of 'sgd'"),
    (dict(optimizer="sgd", lr=0.0), "'lr' parameter of Choice must be a finite float in (0, 10]"),
    (dict(optimizer="sgd", lr=20.0), "in (0, 10]"),
    (dict(optimizer="adam", lr=0.1, momentum=0.5), "momentum applies to 'sgd' and 'rmsprop'"),
    (dict(optimizer="sgd", lr=0.1, epochs=6),
     "'epochs' parameter of Choice must be an int in [1, 5]"),
    (dict(optimizer="sgd", lr=0.1, batch_size=8), "'batch_size' parameter of Choice"),
    (dict(optimizer="sgd", lr=0.1, schedule="cosine"), "with the keys ['total_steps']"),
    (dict(optimizer="sgd", lr=0.1, schedule="cosine", schedule_params={"T_max": 170}),
     "counted in steps"),
    (dict(optimizer="sgd", lr=0.1, schedule="step", schedule_params={"step_size": -1}),
     "Choice(schedule='step'"),
])
def test_invalid_choices_are_refused_clearly(kwargs, words):
    with pytest.raises((ValueError, TypeError)) as info:
        validate_choice(kwargs)
    assert words in str(info.value)


def test_validate_choice_refuses_other_things():
    with pytest.raises(TypeError, match="must be a Choice or a dict"):
        validate_choice("sgd 0.3")
    with pytest.raises(ValueError, match="unknown: 'learning_rate'"):
        validate_choice({"optimizer": "sgd", "learning_rate": 0.3})


# ------------------------------------------------------------------------------ Budget
def test_budget_counts_and_refuses_the_21st_run():
    budget = Budget(runs=20)
    for k in range(20):
        run = budget.train_digits(QUICK, seed=k)
        assert run.number == k + 1 and budget.used == k + 1 and budget.remaining == 19 - k
    with pytest.raises(BudgetExceeded) as info:
        budget.train_digits(QUICK, seed=99)
    message = str(info.value)
    assert "all 20 training runs of this Budget are spent" in message
    assert "run 21 (Choice('sgd', lr=0.3, epochs=1), seed=99) was refused" in message
    assert budget.used == 20 and budget.refused == 1 and len(budget.record) == 20
    with pytest.raises(BudgetExceeded, match="run 22"):
        budget.train_digits(QUICK)
    assert budget.refused == 2
    assert "20 of 20 runs used; 2 refused (over budget)" in budget.table()


def test_invalid_choice_costs_nothing():
    budget = Budget(runs=1)
    with pytest.raises(ValueError):
        budget.train_digits({"optimizer": "sgd", "lr": -1.0})
    with pytest.raises(ValueError):
        budget.train_digits(QUICK, seed=-1)
    assert budget.used == 0 and budget.refused == 0 and budget.remaining == 1


def test_record_holds_what_was_measured():
    budget = Budget(runs=3)
    run = budget.train_digits(QUICK, seed=2)
    direct = running_example().fit(lrlab.sgd(0.3), 1, seed=2)
    assert isinstance(run, RunResult) and budget.record == (run,)
    assert run.choice == QUICK and run.seed == 2 and not run.diverged and run.reason == ""
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        assert np.array_equal(getattr(run, name), getattr(direct, name))
    assert run.final_val_accuracy == direct.val_accuracy[-1]
    assert run.lr.shape == (34,) and np.all(run.lr == 0.3)
    with pytest.raises(ValueError):
        run.val_accuracy[0] = 1.0                          # read-only
    with pytest.raises(AttributeError):
        budget.record.append(run)
    assert grading.verify_record(budget)
    object.__setattr__(run, "val_accuracy", run.val_accuracy + 0.01)   # tampered
    assert not grading.verify_record(budget)


def test_a_diverged_run_is_a_result_and_costs_a_run():
    budget = Budget(runs=2)
    run = budget.train_digits(Choice("sgd", lr=5.0, epochs=2))
    assert run.diverged and run.diverged_at > 0 and "loss" in run.reason
    assert np.isnan(run.final_val_accuracy) and budget.used == 1
    assert f"diverged at step {run.diverged_at}" in budget.table()
    assert "diverged at step" in repr(run)


def test_runs_of_another_budget_are_seen():
    main = Budget(runs=20)
    main.train_digits(QUICK)
    scratch = Budget(runs=20)
    scratch.train_digits(QUICK)
    scratch.train_digits(QUICK, seed=1)
    assert main.runs_outside == 2 and scratch.runs_outside == 0
    assert Budget(runs=20).runs_outside == 0                 # a fresh budget starts clean


def test_budget_argument_is_checked():
    with pytest.raises(ValueError, match="'runs' parameter of Budget"):
        Budget(runs=0)


# ----------------------------------------------------------------------------- grading
def test_secret_sources_in_order(tmp_path, monkeypatch):
    monkeypatch.delenv(grading.ENV_VAR, raising=False)
    course = tmp_path / "course"
    inside = course / "autograded" / "ada" / "07_capstone"
    inside.mkdir(parents=True)
    outside = tmp_path / "home" / "ada" / "07_capstone"
    outside.mkdir(parents=True)
    assert grading.read_secret(inside) == (grading.TEST_DEFAULT, "default")  # no course root
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    assert grading.read_secret(inside) == (grading.TEST_DEFAULT, "default")  # no secret file
    (course / grading.SECRET_FILE).write_text("  tea at four \n")
    assert grading.read_secret(inside) == ("tea at four", str(course / grading.SECRET_FILE))
    assert grading.read_secret(outside) == (grading.TEST_DEFAULT, "default")
    monkeypatch.setenv(grading.ENV_VAR, "from the environment")
    assert grading.read_secret(inside) == ("from the environment", "environment")


def test_partition_and_seeds_come_from_the_secret():
    split, seeds = grading.grading_partition("tea at four")
    assert grading.grading_partition("tea at four") == (split, seeds)
    assert len(set(seeds)) == 3 and split != 0
    other = grading.grading_partition("tea at five")
    assert other[0] != split and other[1] != seeds
    hidden = lrlab.datasets.digits_split(split).indices["test"]
    course = lrlab.datasets.digits_split(0).indices
    assert not np.array_equal(hidden, course["test"])
    # About a fifth of the hidden test images fall in each 20 % part of the course split.
    overlap = len(np.intersect1d(hidden, course["validation"])) / len(hidden)
    assert 0.1 < overlap < 0.3


def _report(accuracies, reference, *, over=False):
    nan = float("nan")
    acc = tuple(nan if a is None else a for a in accuracies)
    return grading.GradeReport(Choice("sgd", lr=0.1), acc, tuple(reference),
                               bool(np.isnan(acc).any()), over, "argument")


@pytest.mark.parametrize("accuracies, points", [
    ((0.97, 0.96, 0.95), 4),          # median 0.96 = reference
    ((0.95, 0.945, 0.99), 4),         # median 0.95: reference - 1.0
    ((0.94, 0.935, 0.99), 4),         # reference - 2 exactly
    ((0.939, 0.93, 0.99), 2),
    ((0.91, 0.91, 0.99), 2),          # reference - 5 exactly
    ((0.909, 0.90, 0.99), 0),
    ((0.99, 0.99, None), 0),          # one diverged run
])
def test_thresholds(accuracies, points):
    report = _report(accuracies, (0.96, 0.95, 0.97))
    assert report.points == points, str(report)
    assert f"points: {points} of 4" in str(report)


def test_over_budget_scores_zero_without_training():
    budget = Budget(runs=1)
    budget.train_digits(QUICK)
    with pytest.raises(BudgetExceeded):
        budget.train_digits(QUICK)
    report = grading.grade(Choice("sgd", lr=0.3), budget, secret="s")
    assert report.over_budget and report.points == 0 and "over budget" in str(report)


def test_a_choice_that_diverges_scores_zero(monkeypatch):
    monkeypatch.delenv(grading.ENV_VAR, raising=False)
    report = grading.grade(Choice("sgd", lr=5.0, epochs=1))
    assert report.diverged and report.points == 0
    assert report.source == "default" and "public test default" in str(report)
    assert 0.9 < report.reference_median <= 1.0
