r"""The capstone's training budget: a validated choice of hyperparameters and a counted trainer.

The capstone asks: *with at most 20 training runs, choose a learning rate, a schedule
and an optimizer for the digits network.* A :class:`Choice` is the answer (a few
validated numbers, never weights); a :class:`Budget` is the only way the assignment
trains: each call of :meth:`Budget.train_digits` trains the course's network
(:func:`lrlab.examples.running_example`, split seed 0) with one choice and one seed
on the **training** part, measures it after every epoch on the training and
**validation** parts, records the run and counts it. The 21st call raises
:class:`BudgetExceeded`. The test part of that split is never used, and the
autograder scores a submitted choice on another partition whose seed the student
does not know (see :mod:`lrlab.checks._capstone_grading`).

>>> budget = Budget(runs=2)
>>> run = budget.train_digits(Choice("sgd", lr=0.3, epochs=1))
>>> run.number, budget.remaining, run.val_accuracy.shape
(1, 1, (2,))
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int
from ._capstone_choice import MAX_EPOCHS, OPTIMIZERS, SCHEDULES, TRAIN_SIZE, Choice, validate_choice

__all__ = ["MAX_EPOCHS", "OPTIMIZERS", "SCHEDULES", "TRAIN_SIZE", "Budget", "BudgetExceeded",
           "Choice", "RunResult", "train_choice", "validate_choice"]

@dataclass(frozen=True, eq=False)
class RunResult:
    """One training run of the budget: what a student may look at (no weights).

    Attributes
    ----------
    number : int
        1 for the budget's first run, 2 for the second, ...
    choice : Choice
    seed : int
        Seed of the initial weights and of the minibatches.
    epochs : ndarray of int, shape (E + 1,)
        ``0 .. E``; epoch 0 is the start.
    train_loss, val_loss, train_accuracy, val_accuracy : ndarray, shape (E + 1,)
        Measured on all 1077 training and all 360 validation images after each
        epoch; NaN after the run diverged.
    lr : ndarray, shape (steps,)
        The learning rate of every step.
    diverged : bool
    reason : str
        How it diverged (``''`` if it did not).
    diverged_at : int
        Step of the divergence, ``-1`` if none.
    seconds : float
        Wall time of the run.
    """

    number: int
    choice: Choice
    seed: int
    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    lr: np.ndarray
    diverged: bool
    reason: str = ""
    diverged_at: int = -1
    seconds: float = 0.0

    def __post_init__(self) -> None:
        for name in ("epochs", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr"):
            value = np.array(getattr(self, name), dtype=int if name == "epochs" else float)
            value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def final_val_accuracy(self) -> float:
        """Validation accuracy after the last epoch (NaN if the run diverged)."""
        return float(self.val_accuracy[-1])

    @property
    def final_val_loss(self) -> float:
        """Validation loss after the last epoch (NaN if the run diverged)."""
        return float(self.val_loss[-1])

    @property
    def final_train_loss(self) -> float:
        """Training loss after the last epoch (NaN if the run diverged)."""
        return float(self.train_loss[-1])

    def __repr__(self) -> str:
        end = (f"diverged at step {self.diverged_at} ({self.reason})" if self.diverged else
               f"val accuracy {self.final_val_accuracy:.2%}, val loss {self.final_val_loss:.3f}, "
               f"train loss {self.final_train_loss:.2g}")
        return f"<run {self.number}: {self.choice!r}, seed={self.seed}: {end}>"


class BudgetExceeded(RuntimeError):
    """Raised by :meth:`Budget.train_digits` once every run of the budget is used."""


#: Runs and budgets of this Python process (the autograder checks that only one budget trained).
_SESSION = {"budgets": 0, "runs": 0}


class Budget:
    """A fixed number of training runs of the digits network, each one recorded.

    Parameters
    ----------
    runs : int in [1, 100]
        How many calls of :meth:`train_digits` are allowed (the capstone: 20).

    Notes
    -----
    A choice that fails validation raises ``ValueError``/``TypeError`` and costs
    nothing; a run that diverges is a result and costs one run. The autograder
    re-runs the notebook from the top, so every call it makes counts.
    """

    def __init__(self, runs: int = 20):
        self.limit = check_int(runs, "runs", "Budget", low=1, high=100)
        self._record: list[RunResult] = []
        self._refused = 0
        self._examples: dict[int, Any] = {}
        self._session_start = _SESSION["runs"]
        _SESSION["budgets"] += 1

    @property
    def record(self) -> tuple[RunResult, ...]:
        """Every run so far, in order."""
        return tuple(self._record)

    @property
    def used(self) -> int:
        """Runs trained so far."""
        return len(self._record)

    @property
    def remaining(self) -> int:
        """Runs left."""
        return self.limit - self.used

    @property
    def runs_outside(self) -> int:
        """Runs this Python process trained through *other* budgets since this one was made."""
        return _SESSION["runs"] - self._session_start - self.used

    @property
    def refused(self) -> int:
        """Calls refused because the budget was used up."""
        return self._refused

    def train_digits(self, choice: Any, seed: int = 0) -> RunResult:
        """Train the digits network with ``choice`` and ``seed``; record and count the run.

        Parameters
        ----------
        choice : Choice or dict
            See :class:`Choice`.
        seed : int in [0, 10**6]
            Seeds the initial weights and the minibatches (same seed, same run).

        Returns
        -------
        RunResult

        Raises
        ------
        BudgetExceeded
            When all the budget's runs are used.
        """
        choice = validate_choice(choice)
        seed = check_int(seed, "seed", "train_digits", low=0, high=10**6)
        if self.remaining <= 0:
            self._refused += 1
            raise BudgetExceeded(
                f"budget used up: all {self.limit} training runs of this Budget are spent, so "
                f"run {self.limit + self._refused} ({choice!r}, seed={seed}) was refused. The "
                f"autograder re-runs the notebook from the top and counts every call: plan a "
                f"search of at most {self.limit} runs (budget.record holds the ones you have).")
        start = time.perf_counter()
        run = train_choice(self._example(choice.batch_size), choice, seed)
        result = RunResult(self.used + 1, choice, seed, run.epochs, run.train_loss, run.val_loss,
                           run.train_accuracy, run.val_accuracy, run.history.lr,
                           bool(run.diverged), str(run.history.reason),
                           int(run.history.diverged_at), time.perf_counter() - start)
        self._record.append(result)
        _SESSION["runs"] += 1
        return result

    def _example(self, batch_size: int):
        if batch_size not in self._examples:
            from ..examples.digits import running_example

            self._examples[batch_size] = running_example(split_seed=0, batch_size=batch_size)
        return self._examples[batch_size]

    def table(self) -> str:
        """The record as a text table, one line per run (for the written evidence)."""
        lines = [f"{'run':>3}  {'seed':>4}  {'val acc':>7}  {'val loss':>8}  {'train loss':>10}"
                 "  choice"]
        for r in self._record:
            if r.diverged:
                numbers = f"{'diverged at step ' + str(r.diverged_at):>31}"
            else:
                numbers = (f"{r.final_val_accuracy:7.2%}  {r.final_val_loss:8.4f}  "
                           f"{r.final_train_loss:10.2e}")
            lines.append(f"{r.number:>3}  {r.seed:>4}  {numbers}  {r.choice!r}")
        lines.append(f"{self.used} of {self.limit} runs used" + (
            f"; {self._refused} refused (over budget)" if self._refused else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Budget(runs={self.limit}): {self.used} used, {self.remaining} left"


def train_choice(example, choice: Choice, seed: int):
    """Train ``choice`` on ``example`` (a RunningExample) with ``seed``: an ``EpochRun``."""
    return example.fit(choice.rule(), choice.epochs, seed=seed)
