r"""Self-checks for assignment 7, the capstone: choose a learning rate with a budget of 20 runs.

The learner trains only through a :class:`Budget` (``budget.train_digits(choice, seed)``:
the digits network on its training part, measured on its validation part, each run
recorded and counted; the 21st call raises :class:`BudgetExceeded`) and writes:

* ``summarize(record) -> rows``: one row per distinct choice of the record, with the
  mean *final* validation accuracy, validation loss and training loss over its runs
  (NaN when any of its runs diverged) and the spread of its validation accuracies;
* ``choose(rows) -> Choice``: the choice with the highest mean validation accuracy
  among those that never diverged (ties: the lower validation loss);
* a search of at most 20 runs, and the submitted choice.

:func:`check_summarize` and :func:`check_choose` test the two functions on made-up
records; :func:`check_choice` validates a choice and spots a schedule that ends too
early or too late; :func:`check_submission` judges the submitted choice against the
budget's record (over budget, no evidence, diverged, one seed only, chosen on the
training loss).

Examples
--------
>>> from lrlab.checks.capstone import Choice, check_choice
>>> check_choice(Choice("sgd", lr=0.5, schedule="cosine", schedule_params={"total_steps": 10}))
✘ choice: your schedule is below 1 % of its peak from step 10 of the 170 steps of the run: the
    last 160 steps barely train. Schedule parameters count steps, not epochs: 5 epochs of
    batches of 32 are 170 steps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._capstone_budget import (
    MAX_EPOCHS,
    OPTIMIZERS,
    SCHEDULES,
    Budget,
    BudgetExceeded,
    Choice,
    RunResult,
    validate_choice,
)
from ._capstone_mistakes import CHOOSE_MISTAKES, SUMMARY_MISTAKES, choose_ref, summarize_ref
from ._core import CheckResult, not_implemented, run_check

__all__ = ["MAX_EPOCHS", "OPTIMIZERS", "SCHEDULES", "Budget", "BudgetExceeded", "Choice",
           "RunResult", "check_choice", "check_choose", "check_submission", "check_summarize",
           "synthetic_run", "validate_choice"]

ROW_KEYS = ("choice", "runs", "diverged", "val_accuracy", "val_loss", "train_loss", "spread")


def synthetic_run(choice: Any, seed: int = 0, *, val_accuracy: float, val_loss: float,
                  train_loss: float, diverged: bool = False, number: int = 0) -> RunResult:
    """A made-up :class:`RunResult` (two epochs, no training) for testing record code.

    A diverged run has NaN final measurements, as a real one does.

    >>> synthetic_run(Choice("sgd", lr=0.1), val_accuracy=0.9, val_loss=0.3, train_loss=0.1)
    <run 0: Choice('sgd', lr=0.1), seed=0: val accuracy 90.00%, val loss 0.300, train loss 0.1>
    """
    choice = validate_choice(choice)
    nan = float("nan")
    end = (nan, nan, nan) if diverged else (val_accuracy, val_loss, train_loss)
    # The epoch before the last: a validation accuracy a little above the final one.
    middle = (0.8, 0.6) if diverged else (min(val_accuracy + 0.01, 1.0), 0.9 * val_loss)
    return RunResult(number, choice, seed, np.arange(3), [2.3, 0.5, end[2]],
                     [2.3, middle[1], end[1]], [0.1, 0.8, nan if diverged else 1.0],
                     [0.1, middle[0], end[0]],
                     np.full(choice.total_steps, choice.lr), diverged,
                     "loss became nan" if diverged else "", 40 if diverged else -1)


class _Box:
    """Hides a return value from the form check of ``run_check`` (rows are judged here)."""

    def __init__(self, value: Any):
        self.value = value


def _boxed(fn: Callable) -> Callable:
    return lambda *args: _Box(fn(*args))


# ------------------------------------------------------------------------------ summarize
_A, _B, _C, _D = (Choice("sgd", lr=0.1), Choice("sgd", lr=0.3),
                  Choice("adam", lr=3e-3, schedule="cosine", schedule_params={"total_steps": 170}),
                  Choice("sgd", lr=1.0))


def _run(choice, seed, acc, loss, train, diverged=False):
    return synthetic_run(choice, seed, val_accuracy=acc, val_loss=loss, train_loss=train,
                         diverged=diverged)


_RECORDS = [
    (_run(_A, 0, 0.95, 0.20, 0.020), _run(_B, 0, 0.97, 0.11, 0.004),
     _run(_D, 0, 0.93, 0.25, 0.001), _run(_B, 1, 0.96, 0.13, 0.005),
     _run(_D, 1, 0.0, 0.0, 0.0, diverged=True), _run(_C, 0, 0.965, 0.10, 0.008)),
    (_run(_C, 3, 0.97, 0.09, 0.010), _run(_A, 3, 0.96, 0.15, 0.030),
     _run(_C, 4, 0.975, 0.08, 0.009), _run(_C, 5, 0.965, 0.10, 0.011)),
]


def _summary_behaviour(fn, record):
    rows = fn(tuple(record)).value
    if not isinstance(rows, list | tuple):
        from ._guard import StudentError
        if rows is None:
            raise StudentError("returned_none", "your function returned None - did you forget "
                               "`return`? summarize must return a list of dicts.")
        raise StudentError("wrong_type", f"summarize must return a list of dicts (one per "
                           f"choice), got a {type(rows).__name__}.")
    distinct = list(dict.fromkeys(r.choice for r in record))
    items = [(f"number of rows for a record of {len(record)} runs of {len(distinct)} choices",
              len(rows))]
    for choice in distinct:
        row = next((r for r in rows if isinstance(r, dict) and r.get("choice") == choice), None)
        where = f"the row of {choice!r}"
        if row is None or not set(ROW_KEYS) <= set(row):
            from ._guard import StudentError
            if row is None:
                raise StudentError("missing_row", f"your summary has no row whose 'choice' is "
                                   f"{choice!r}: every choice of the record needs one.")
            missing = [key for key in ROW_KEYS if key not in row]
            raise StudentError("missing_keys", f"the row of {choice!r} has no key "
                               f"{', '.join(map(repr, missing))}; each row needs the keys "
                               f"{', '.join(map(repr, ROW_KEYS))}.")
        for key in ROW_KEYS[1:]:
            value = float(row[key])
            if key == "spread" and not np.isfinite(float(row["val_accuracy"])):
                value = float("nan")      # a diverged choice: its accuracy says it already
            items.append((f"{where}: {key!r}", value, 1e-9))
    return items


def check_summarize(summarize: Callable) -> CheckResult:
    """Check ``summarize(record)`` on made-up records (one has a run that diverged).

    Returns
    -------
    CheckResult
        Truthy when it passed; otherwise ``mistake`` names the likely error.
    """
    if not callable(summarize):
        return run_check("summarize", summarize, _summary_behaviour, _RECORDS, summarize_ref)
    return run_check("summarize", _boxed(summarize), _summary_behaviour, _RECORDS,
                     _boxed(summarize_ref),
                     [m.__class__(m.key, m.message, _boxed(m.impl)) for m in SUMMARY_MISTAKES])


# --------------------------------------------------------------------------------- choose
def _row(choice, acc, loss, train, runs=2, diverged=0, spread=0.005):
    return {"choice": choice, "runs": runs, "diverged": diverged, "val_accuracy": acc,
            "val_loss": loss, "train_loss": train, "spread": spread}


_NAN = float("nan")
_SUMMARIES = [
    [_row(_A, 0.955, 0.18, 0.02), _row(_B, 0.965, 0.12, 0.004), _row(_D, 0.935, 0.25, 0.001),
     _row(_C, 0.960, 0.10, 0.008)],
    [_row(_A, 0.955, 0.18, 0.02), _row(_D, _NAN, _NAN, _NAN, diverged=2, spread=_NAN),
     _row(_B, 0.965, 0.12, 0.004), _row(_C, 0.965, 0.10, 0.008)],
    [_row(_A, 0.955, 0.18, 0.02), _row(_D, 0.985, 0.09, 0.001, runs=3, diverged=1),
     _row(_B, 0.965, 0.12, 0.004, runs=1, spread=0.0)],
    [_row(_D, _NAN, _NAN, _NAN, diverged=1, spread=_NAN),
     _row(_B, _NAN, _NAN, _NAN, runs=1, diverged=1, spread=_NAN)],
]


def _choose_behaviour(fn, summary):
    label = (f"the choice picked from {len(summary)} rows ("
             + "; ".join(f"{r['choice']!r}: val acc {r['val_accuracy']:.3g}, val loss "
                         f"{r['val_loss']:.3g}, train loss {r['train_loss']:.3g}, "
                         f"{r['diverged']} of {r['runs']} diverged" for r in summary) + ")")
    try:
        picked = fn([dict(r) for r in summary]).value
    except ValueError:
        return [(label + ": raises ValueError when no choice is usable", 1.0)]
    if isinstance(picked, dict) and "choice" in picked:
        from ._guard import StudentError
        raise StudentError("returns_row", "choose must return the Choice itself "
                           "(row['choice']), not the whole row.")
    index = next((k for k, r in enumerate(summary) if r["choice"] == picked), -1)
    return [(label + ": the row chosen (0-based; -1: not a choice of the summary)",
             float(index))]


def check_choose(choose: Callable) -> CheckResult:
    """Check ``choose(rows)`` on made-up summaries (ties, diverged choices, none usable).

    Returns
    -------
    CheckResult
    """
    if not callable(choose):
        return run_check("choose", choose, _choose_behaviour, _SUMMARIES, choose_ref)
    return run_check("choose", _boxed(choose), _choose_behaviour, _SUMMARIES, _boxed(choose_ref),
                     [m.__class__(m.key, m.message, _boxed(m.impl)) for m in CHOOSE_MISTAKES])


# --------------------------------------------------------------------------------- choice
_KEY_OF = {"'optimizer'": "unknown_optimizer", "'schedule'": "unknown_schedule",
           "'epochs'": "too_many_epochs", "'momentum'": "bad_momentum"}


def _invalid(choice: Any) -> CheckResult | None:
    try:
        validate_choice(choice)
    except (TypeError, ValueError) as err:
        text = str(err)
        key = next((k for word, k in _KEY_OF.items() if f"The {word} parameter" in text),
                   "invalid_choice")
        return CheckResult("choice", False, key, f"not a valid choice: {text}")
    return None


def check_choice(choice: Any) -> CheckResult:
    """Validate ``choice`` (a :class:`Choice` or a dict) and look at its schedule.

    Names an invalid field (``'unknown_optimizer'``, ``'unknown_schedule'``,
    ``'too_many_epochs'``, ``'bad_momentum'``, ``'invalid_choice'``), a schedule that
    falls below 1 % of its peak with more than a tenth of the run left
    (``'decays_early'``) and one still above half its peak at the end
    (``'schedule_too_long'``).
    """
    bad = _invalid(choice)
    if bad is not None:
        return bad
    c = validate_choice(choice)
    rates = np.asarray(c.schedule_fn()(np.arange(c.total_steps)), dtype=float)
    peak = float(rates.max())
    low = np.flatnonzero(rates < 0.01 * peak)
    where = (f"{c.epochs} epochs of batches of {c.batch_size} are {c.total_steps} steps")
    if low.size and low[0] < 0.9 * c.total_steps:
        return CheckResult("choice", False, "decays_early",
                           f"your schedule is below 1 % of its peak from step {low[0]} of the "
                           f"{c.total_steps} steps of the run: the last {c.total_steps - low[0]} "
                           f"steps barely train. Schedule parameters count steps, not epochs: "
                           f"{where}.")
    if c.schedule != "constant" and c.schedule not in ("step", "multistep", "exponential") \
            and rates[-1] > 0.5 * peak:
        return CheckResult("choice", False, "schedule_too_long",
                           f"your schedule is still at {rates[-1] / peak:.0%} of its peak at the "
                           f"last step: it was planned for a longer run ({where}), so it never "
                           f"decays.")
    return CheckResult("choice", True, None,
                       f"{c!r} is valid: {c.total_steps} steps, rate {rates[0]:.3g} at the "
                       f"start, {peak:.3g} at the peak, {rates[-1]:.3g} at the last step.")


def check_submission(final_choice: Any, budget: Budget) -> CheckResult:
    """Judge the submitted choice against ``budget`` and its record.

    Parameters
    ----------
    final_choice : callable or Choice or dict
        The learner's ``final_choice(record)`` (called with ``budget.record``), or a choice.
    budget : Budget
        The notebook's budget.

    Returns
    -------
    CheckResult
        Names, after :func:`check_choice`'s mistakes: ``'over_budget'`` (a run was
        refused), ``'second_budget'`` (runs trained outside this budget),
        ``'not_in_record'``, ``'diverged_in_record'``, ``'single_seed'``,
        ``'chose_on_training_loss'`` and ``'not_best_on_validation'``.
    """
    if not isinstance(budget, Budget):
        return CheckResult("submission", False, "error", "pass the notebook's Budget as "
                           "`budget`: check_submission(final_choice, budget).")
    choice = final_choice
    if callable(final_choice) and not isinstance(final_choice, Choice):
        try:
            choice = final_choice(budget.record)
        except NotImplementedError:
            return not_implemented("submission")
        except Exception as err:  # the learner's code may raise anything
            return CheckResult("submission", False, "error",
                               f"final_choice(budget.record) raised {type(err).__name__}: {err}")
    first = check_choice(choice)
    if not first and first.mistake not in ("schedule_too_long",):
        return first
    c = validate_choice(choice)
    say = lambda key, text: CheckResult("submission", False, key, text)  # noqa: E731
    if budget.refused:
        return say("over_budget", f"your notebook asked for {budget.used + budget.refused} runs "
                   f"of a budget of {budget.limit}: {budget.refused} were refused. The "
                   f"autograder re-runs the notebook and gives the score parts 0 over budget.")
    if budget.runs_outside:
        return say("second_budget", f"{budget.runs_outside} runs were trained through another "
                   f"Budget besides the {budget.used} of the notebook's: every run counts, "
                   "whichever budget it came from (the budget point is lost, and the score "
                   "points too when they add up to more than 20).")
    mine = [r for r in budget.record if r.choice == c]
    if not mine:
        return say("not_in_record", f"no run of your record trained {c!r}: submit a choice "
                   "you have evidence for (train it with at least two seeds).")
    if any(r.diverged for r in mine):
        return say("diverged_in_record", f"{c!r} diverged in run "
                   f"{next(r.number for r in mine if r.diverged)} of your record: a rate that "
                   "diverges on one seed is too close to the edge, and the grader trains three.")
    if len({r.seed for r in mine}) < 2:
        return say("single_seed", f"{c!r} was trained with one seed only (run "
                   f"{mine[0].number}): one run cannot tell a better choice from a lucky seed. "
                   "Confirm it with a second seed before you submit.")
    rows = summarize_ref(budget.record)
    best = choose_ref(rows)
    if best != c:
        usable = [r for r in rows if r["diverged"] == 0]
        by_train = min(usable, key=lambda r: r["train_loss"])["choice"]
        if by_train == c:
            return say("chose_on_training_loss", f"{c!r} has the lowest training loss of your "
                       f"record, but {best!r} has a higher validation accuracy: the training "
                       "loss rewards fitting the 1077 training images, the grade is on images "
                       "no step has seen. Choose on validation.")
        return say("not_best_on_validation", f"{best!r} has a higher mean validation accuracy "
                   f"than {c!r} in your record. If you submit another choice on purpose, say "
                   "why in the written part.")
    row = next(r for r in rows if r["choice"] == c)
    others = sorted((r for r in rows if r["choice"] != c and r["diverged"] == 0),
                    key=lambda r: -r["val_accuracy"])
    margin = ""
    if others:
        gap = 100 * (row["val_accuracy"] - others[0]["val_accuracy"])
        margin = (f"; the runner-up, {others[0]['choice']!r}, is {gap:.2f} points lower "
                  f"(your choice's own spread over seeds: {100 * row['spread']:.2f} points)")
    return CheckResult("submission", True, None,
                       f"{c!r}: {row['runs']} runs, none diverged, the best mean validation "
                       f"accuracy of your record ({row['val_accuracy']:.2%}){margin}; "
                       f"{budget.used} of {budget.limit} runs used.")
