r"""How the capstone's autograder scores a choice: retrained on a partition the student never saw.

Not part of lrlab's public API: only the hidden test cells of
``coursework/source/07_capstone`` call it, on the grading machine.

**The hidden split.** All 1797 digits are public (they ship with scikit-learn), so
a test part can be hidden only by hiding *which* images it holds. The grader
derives the partition's seed from an instructor secret, read in this order:

1. the environment variable ``LRLAB_CAPSTONE_SECRET`` of the grading machine;
2. the file ``capstone_secret.txt`` in the course directory (the first folder
   above the working directory that holds ``nbgrader_config.py``: nbgrader
   autogrades in ``<course>/autograded/<student>/<assignment>/``);
3. otherwise the public test default :data:`TEST_DEFAULT` (what the test suite
   uses; the report then says so, and a class must never be graded with it).

The secret (any text) is hashed into the partition seed and the three
training seeds, so neither appears anywhere a student can read. The
submitted choice is retrained from scratch on that partition's training part
with those seeds, and each run is scored on its test part: only the
hyperparameters are graded, never weights the student fitted.

**The thresholds** are stated relative to a reference, plain SGD at lr 0.3,
constant, 5 epochs, batch 32, trained with the same seeds on the same
partition, because partitions differ by up to 3 points for the same recipe
(over nine partitions the reference's median test accuracy, at 10 epochs,
ranged from 95.3 % to 98.3 %):

=========================================  ======
median test accuracy of the 3 runs          points
=========================================  ======
at least reference - 2 points              4
at least reference - 5 points              2
lower, or any run diverged                  0
more runs than the budget, invalid choice   0
=========================================  ======
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._capstone_budget import Budget, Choice, train_choice, validate_choice

__all__ = ["ENV_VAR", "FULL_MARGIN", "PARTIAL_MARGIN", "REFERENCE", "REFERENCE_CACHE",
           "SECRET_FILE", "TEST_DEFAULT", "GradeReport", "course_root", "grade",
           "grading_partition", "read_secret", "verify_record"]

ENV_VAR = "LRLAB_CAPSTONE_SECRET"
SECRET_FILE = "capstone_secret.txt"
#: Where the grader keeps the reference's accuracies, in the course folder.
REFERENCE_CACHE = "capstone_reference.json"
#: The public test default: what the grader uses when no secret is set (never for a class).
TEST_DEFAULT = "lrlab-capstone-public-test-default"
#: Plain SGD, lr 0.3, constant, 5 epochs, batch 32: the course's good constant rate.
REFERENCE = Choice("sgd", lr=0.3)
#: Points below the reference's median test accuracy that still earn full / partial marks.
FULL_MARGIN, PARTIAL_MARGIN = 2.0, 5.0
FULL_POINTS, PARTIAL_POINTS = 4, 2


def read_secret(start: Path | None = None) -> tuple[str, str]:
    """The instructor's secret and where it came from.

    Returns ``(secret, source)``, ``source`` being ``'environment'``, the file's path
    or ``'default'`` (see the module's docstring for the order).
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return value, "environment"
    root = course_root(start)
    path = None if root is None else root / SECRET_FILE
    if path is not None and path.is_file() and path.read_text(encoding="utf-8").strip():
        return path.read_text(encoding="utf-8").strip(), str(path)
    return TEST_DEFAULT, "default"


def course_root(start: Path | None = None) -> Path | None:
    """The first folder at or above ``start`` (default: the working directory) that holds
    ``nbgrader_config.py``, or None."""
    here = Path.cwd() if start is None else Path(start)
    return next((f for f in (here, *here.parents) if (f / "nbgrader_config.py").is_file()), None)


def _cached_reference(example, split_seed: int, seeds: tuple) -> tuple:
    """The reference's test accuracies, kept in the course folder's ``REFERENCE_CACHE``.

    Every submission of a class is graded on the same partition with the same seeds, so the
    reference is trained once per course (the key holds the partition, the seeds and the
    versions of lrlab and numpy). Without a course folder nothing is kept.
    """
    import lrlab

    root = course_root()
    key = (f"{split_seed} {list(seeds)} {REFERENCE!r} lrlab {lrlab.__version__} "
           f"numpy {np.__version__}")
    path = None if root is None else root / REFERENCE_CACHE
    cache = {}
    if path is not None and path.is_file():
        try:
            cache = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
    if key in cache:
        return tuple(float(a) for a in cache[key])
    accuracies = _test_accuracies(example, REFERENCE, seeds)
    if path is not None:
        cache[key] = list(accuracies)
        try:
            tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cache, indent=1), encoding="utf-8")
            tmp.replace(path)
        except OSError:       # a read-only course folder: grade without the cache
            pass
    return accuracies


def _digest(secret: str, purpose: str) -> int:
    return int(hashlib.sha256(f"{purpose}:{secret}".encode()).hexdigest()[:12], 16)


def grading_partition(secret: str) -> tuple[int, tuple[int, ...]]:
    """``(split seed, training seeds)`` derived from ``secret``."""
    seeds = tuple(_digest(secret, f"seed {k}") % 10**6 for k in range(3))
    return _digest(secret, "split"), seeds


@dataclass(frozen=True)
class GradeReport:
    """The autograder's verdict on a choice (printed in the student's feedback)."""

    choice: Choice
    accuracies: tuple
    reference: tuple
    diverged: bool
    over_budget: bool
    source: str

    @property
    def median(self) -> float:
        """Median test accuracy of the choice's runs (a diverged run counts as 0)."""
        return float(np.median(np.nan_to_num(self.accuracies, nan=0.0)))

    @property
    def reference_median(self) -> float:
        """Median test accuracy of the reference's runs."""
        return float(np.median(self.reference))

    @property
    def difference(self) -> float:
        """``median - reference_median``, in accuracy points."""
        return 100 * (self.median - self.reference_median)

    @property
    def points(self) -> int:
        """4, 2 or 0 (see the module's table)."""
        if self.over_budget or self.diverged:
            return 0
        if self.difference >= -FULL_MARGIN - 1e-9:
            return FULL_POINTS
        if self.difference >= -PARTIAL_MARGIN - 1e-9:
            return PARTIAL_POINTS
        return 0

    def __str__(self) -> str:
        runs = ", ".join("diverged" if np.isnan(a) else f"{a:.2%}" for a in self.accuracies)
        lines = [f"graded choice: {self.choice!r}",
                 f"test accuracy on the hidden split, 3 runs: {runs}; median {self.median:.2%}",
                 f"reference (SGD, lr 0.3, constant, 5 epochs): median "
                 f"{self.reference_median:.2%}; difference {self.difference:+.1f} points"]
        if self.over_budget:
            lines.append("over budget: this notebook trained more runs than its budget allows")
        if self.diverged:
            lines.append("a grading run diverged: the rate is too close to the edge")
        lines.append(f"points: {self.points} of {FULL_POINTS}")
        if self.source == "default":
            lines.append("(graded with the public test default: no instructor secret is set)")
        return "\n".join(lines)


def _test_accuracies(example, choice: Choice, seeds) -> tuple:
    out = []
    for seed in seeds:
        run = train_choice(example, choice, seed)
        out.append(float("nan") if run.diverged else float(example.test_accuracy(run.final_params)))
    return tuple(out)


def grade(choice: Any, budget: Budget | None = None, *, secret: str | None = None) -> GradeReport:
    """Retrain ``choice`` with the grading seeds on the hidden partition; score its test part.

    ``budget`` (the notebook's) marks the submission over budget when it refused a
    run or when, with the runs of other budgets, more runs were trained than it allows.
    """
    from ..examples.digits import running_example

    choice = validate_choice(choice)
    source = "argument"
    if secret is None:
        secret, source = read_secret()
    split_seed, seeds = grading_partition(secret)
    over = budget is not None and (budget.refused > 0
                                   or budget.used + budget.runs_outside > budget.limit)
    if over:         # nothing to train: the score parts get 0
        return GradeReport(choice, (float("nan"),) * 3, (float("nan"),) * 3, False, True, source)
    examples = {b: running_example(split_seed=split_seed, batch_size=b)
                for b in {choice.batch_size, REFERENCE.batch_size}}
    accuracies = _test_accuracies(examples[choice.batch_size], choice, seeds)
    reference = (accuracies if choice == REFERENCE else
                 _cached_reference(examples[REFERENCE.batch_size], split_seed, seeds))
    return GradeReport(choice, accuracies, reference, bool(np.isnan(accuracies).any()), over,
                       source)


def verify_record(budget: Budget, number: int | None = None) -> bool:
    """Retrain one recorded run; True if it reproduces the record exactly.

    By default the cheapest run: the one that stopped first (a diverged run), else the
    shortest, the last of equals.
    """
    if not budget.record:
        return False
    if number is None:
        def cost(r):
            return r.diverged_at if r.diverged else r.choice.total_steps
        run = min(reversed(budget.record), key=cost)
    else:
        run = budget.record[number - 1]
    again = train_choice(budget._example(run.choice.batch_size), run.choice, run.seed)
    return all(np.array_equal(getattr(again, name), getattr(run, name), equal_nan=True)
               for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"))
