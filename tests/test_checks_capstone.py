"""Tests of the capstone's self-checks (lrlab.checks.capstone) and of its planted mistakes.

* the source notebook's solutions pass ``check_summarize`` and ``check_choose``;
* every planted bug of coursework/planted_bugs_07_capstone.py is named as its mistake:
  ``summarize``/``choose`` bugs by the check of the function, ``search``/``final_choice``
  bugs by ``check_submission`` after the notebook's search has run with a real budget;
* every catalogue entry is diagnosed as itself; unknown errors fall back to a difference;
* ``check_choice`` names invalid fields and schedules that end too early or too late;
* messages never contain solution code.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from catalogue_support import assert_catalogue_is_distinguishable

import lrlab
from lrlab import checks
from lrlab.checks import _capstone_budget, capstone
from lrlab.checks import _capstone_mistakes as catalogue
from lrlab.checks.capstone import Budget, BudgetExceeded, Choice

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
SOURCE = COURSE / "source" / "07_capstone" / "07_capstone.ipynb"


def _load_bugs():
    for name in ("planted_bugs", "planted_bugs_07_capstone"):
        spec = importlib.util.spec_from_file_location(name, COURSE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules.setdefault(name, module)
        spec.loader.exec_module(module)
    return module.BUGS, module.EXTRA


BUGS, EXTRA = _load_bugs()
FUNCTION_BUGS = [b for b in BUGS + EXTRA if b.cell in ("summarize", "choose")]
PIPELINE_BUGS = [b for b in BUGS + EXTRA if b.cell in ("search", "final_choice")]


def _solution_cells() -> dict[str, str]:
    nb = nbformat.read(SOURCE, as_version=4)
    return {c.id: c.source for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}


def _namespace(replace: dict[str, str] | None = None, budget: Budget | None = None) -> dict:
    """The solution cells executed (one replaced by a bug), with the notebook's setup names."""
    namespace = {"np": np, "lrlab": lrlab, "checks": checks, "capstone": capstone,
                 "Choice": Choice}
    if budget is not None:
        namespace.update(budget=budget, train_digits=budget.train_digits)
    for cell_id, source in _solution_cells().items():
        exec((replace or {}).get(cell_id, source), namespace)
    return namespace


def _searched(replace: dict[str, str] | None = None):
    budget = Budget(runs=20)
    namespace = _namespace(replace, budget)
    try:
        namespace["search"](budget.train_digits)
    except BudgetExceeded:
        pass
    return budget, namespace


@pytest.fixture(scope="module")
def solution_search():
    """The reference search, run once (13 runs)."""
    return _searched()


def test_solutions_pass():
    namespace = _namespace()
    for check, name in ((checks.check_summarize, "summarize"), (checks.check_choose, "choose")):
        result = check(namespace[name])
        assert result.passed and result.mistake is None, result
        assert str(result).startswith("✔")


def test_solution_submission_passes(solution_search):
    budget, namespace = solution_search
    budget._session_start = _capstone_budget._SESSION["runs"] - budget.used
    assert 8 <= budget.used <= 20 and budget.refused == 0 and budget.runs_outside == 0
    result = checks.check_submission(namespace["final_choice"], budget)
    assert result.passed, result
    assert "the best mean validation accuracy of your record" in result.message


@pytest.mark.parametrize("bug", FUNCTION_BUGS, ids=[b.name for b in FUNCTION_BUGS])
def test_planted_function_bug_is_named(bug):
    namespace = _namespace()
    exec(bug.code, namespace)
    result = getattr(checks, bug.check)(namespace[bug.cell])
    assert not result.passed
    assert result.mistake == bug.mistake, result


@pytest.mark.parametrize("bug", PIPELINE_BUGS, ids=[b.name for b in PIPELINE_BUGS])
def test_planted_pipeline_bug_is_named(bug, solution_search):
    assert bug.check == "check_submission"
    if bug.cell == "final_choice":
        budget, namespace = solution_search
        # runs of budgets made by other tests since are not this notebook's business
        budget._session_start = _capstone_budget._SESSION["runs"] - budget.used
        exec(bug.code, namespace)
    else:
        budget, namespace = _searched({bug.cell: bug.code})
    result = checks.check_submission(namespace["final_choice"], budget)
    assert not result.passed
    assert result.mistake == bug.mistake, result
    if bug.cell == "final_choice":          # leave the shared namespace as the solution's
        exec(_solution_cells()["final_choice"], namespace)


def test_assignment_has_enough_planted_bugs():
    assert len(BUGS) >= 8 and len({b.mistake for b in BUGS + EXTRA}) == len(BUGS + EXTRA)
    assert any(b.hidden for b in BUGS)
    assert all(b.name.startswith("cap-") and b.assignment == "07_capstone" for b in BUGS + EXTRA)


@pytest.mark.parametrize("check_name, mistakes, reference", [
    ("check_summarize", catalogue.SUMMARY_MISTAKES, catalogue.summarize_ref),
    ("check_choose", catalogue.CHOOSE_MISTAKES, catalogue.choose_ref)])
def test_catalogue_mistakes_are_distinguishable(check_name, mistakes, reference):
    assert_catalogue_is_distinguishable(getattr(checks, check_name), mistakes, reference)


def test_unknown_summary_mistake_reports_the_first_difference():
    def summarize(record):
        rows = catalogue.summarize_ref(record)
        for row in rows:
            row["val_loss"] = row["val_loss"] * 2          # not a catalogued mistake
        return rows
    result = checks.check_summarize(summarize)
    assert result.mistake == "mismatch"
    assert result.message.startswith("differs from the reference at the row of Choice('sgd', "
                                     "lr=0.1): 'val_loss': expected ~0.2, got 0.4")


def test_summary_structure_errors_are_named():
    assert checks.check_summarize(lambda record: None).mistake == "returned_none"
    assert checks.check_summarize(lambda record: {}).mistake == "wrong_type"
    missing = checks.check_summarize(
        lambda record: list({r.choice: {"choice": r.choice} for r in record}.values()))
    assert missing.mistake == "missing_keys" and "has no key 'runs', 'diverged'" in missing.message
    assert checks.check_summarize(lambda record: []).mistake == "missing_row"
    assert checks.check_choose(lambda rows: rows[0]).mistake == "returns_row"

    def choose(rows):
        raise NotImplementedError()
    assert checks.check_choose(choose).mistake == "not_implemented"


@pytest.mark.parametrize("choice, key", [
    ({"optimizer": "momentum", "lr": 0.03}, "unknown_optimizer"),
    ({"optimizer": "Adam", "lr": 0.03}, "unknown_optimizer"),
    ({"optimizer": "sgd", "lr": 0.1, "schedule": "cosine_annealing"}, "unknown_schedule"),
    ({"optimizer": "sgd", "lr": 0.1, "epochs": 20}, "too_many_epochs"),
    ({"optimizer": "adam", "lr": 0.001, "momentum": 0.9}, "bad_momentum"),
    ({"optimizer": "sgd", "lr": -0.1}, "invalid_choice"),
    ({"optimizer": "sgd", "learning_rate": 0.1}, "invalid_choice"),
    ({"optimizer": "sgd", "lr": 0.1, "schedule": "cosine"}, "invalid_choice"),
    (Choice("sgd", lr=0.5, schedule="cosine", schedule_params={"total_steps": 10}),
     "decays_early"),
    (Choice("sgd", lr=0.3, schedule="step", schedule_params={"step_size": 34}), "decays_early"),
    (Choice("sgd", lr=0.5, schedule="cosine", schedule_params={"total_steps": 1700}),
     "schedule_too_long"),
])
def test_check_choice_names_the_problem(choice, key):
    result = checks.check_choice(choice)
    assert not result and result.mistake == key, result


def test_check_choice_passes_good_choices():
    for choice in (Choice("sgd", lr=0.3), Choice("sgd", lr=0.03, momentum=0.9),
                   {"optimizer": "adam", "lr": 3e-3, "schedule": "cosine",
                    "schedule_params": {"total_steps": 170}},
                   Choice("sgd", lr=0.5, schedule="warmup_cosine",
                          schedule_params={"warmup_steps": 34, "total_steps": 170}),
                   Choice("sgd", lr=0.3, schedule="multistep",
                          schedule_params={"milestones": [85, 128]}),
                   Choice("sgd", lr=0.6, schedule="one_cycle",
                          schedule_params={"total_steps": 170}, batch_size=32)):
        result = checks.check_choice(choice)
        assert result.passed, result


def test_check_submission_on_made_up_records(monkeypatch):
    """Every verdict of check_submission, on a budget whose runs are made up (no training)."""
    good, high, low = Choice("sgd", lr=0.3), Choice("sgd", lr=1.0), Choice("sgd", lr=0.03)
    results = {(good, 0): (0.97, 0.10, 0.004), (good, 1): (0.965, 0.11, 0.005),
               (high, 0): (0.95, 0.20, 0.0005), (high, 1): (0.94, 0.22, 0.0004),
               (low, 0): (0.93, 0.25, 0.05)}

    def train(self, choice, seed=0):
        choice = capstone.validate_choice(choice)
        acc, loss, train_loss = results.get((choice, seed), (0, 0, 0))
        run = capstone.synthetic_run(choice, seed, val_accuracy=acc, val_loss=loss,
                                     train_loss=train_loss, diverged=(choice, seed) not in results,
                                     number=self.used + 1)
        self._record.append(run)
        _capstone_budget._SESSION["runs"] += 1
        return run

    monkeypatch.setattr(Budget, "train_digits", train)
    budget = Budget(runs=20)
    for choice, seed in results:
        budget.train_digits(choice, seed)
    verdict = lambda c: checks.check_submission(c, budget)  # noqa: E731
    assert verdict(good).passed
    assert verdict(high).mistake == "chose_on_training_loss"
    assert verdict(Choice("adam", lr=3e-3)).mistake == "not_in_record"
    assert verdict(low).mistake == "single_seed"
    budget.train_digits(Choice("sgd", lr=2.0), 0)
    budget.train_digits(Choice("sgd", lr=2.0), 1)
    assert verdict(Choice("sgd", lr=2.0)).mistake == "diverged_in_record"
    assert verdict(lambda record: good).passed                 # a final_choice function
    assert checks.check_submission(good, object()).mistake == "error"


def _between_markers(source: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside and len(line.strip()) >= 10 and not line.strip().startswith("#"):
            lines.append(line.strip())
    return lines


def test_messages_show_no_solution_code(solution_search):
    lines = {line for source in _solution_cells().values() for line in _between_markers(source)}
    assert len(lines) > 15
    budget, namespace = solution_search
    budget._session_start = _capstone_budget._SESSION["runs"] - budget.used
    messages = [m.message for m in (*catalogue.SUMMARY_MISTAKES, *catalogue.CHOOSE_MISTAKES)]
    messages += [checks.check_summarize(lambda r: []).message,
                 checks.check_choose(lambda rows: None).message,
                 checks.check_submission(namespace["final_choice"], budget).message]
    for message in messages:
        for line in lines:
            assert line not in message, (line, message)
