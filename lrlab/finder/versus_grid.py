r"""How good is a range-test suggestion? Compare it with a validation grid search, over seeds.

A range test is a shortcut for the search it replaces: train the model at
every candidate rate for the real training length and keep the one with the
lowest validation loss. :func:`compare_with_grid` runs both, once per seed,
on the same model::

    for each seed s (its own initial weights and minibatches):
        suggestions_s = lr_range_test(problem_s, make_rule, seed=s).suggestions()
        scores_s      = grid_search(problem_s, make_rule, lrs, validation=...).scores
    grid's best  = lrs[argmin_j mean_s scores_s[j]]      # the rate a careful search keeps
    ratio        = suggestion_s / grid's best            # < 1: the suggestion is lower
    within(2)    = number of seeds with 1/2 <= ratio <= 2

The grid's best is taken from the mean validation loss over the seeds (one
seed's grid is itself noisy); :attr:`GridComparison.seed_best` keeps each
seed's own winner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._progress import progress_bar
from .._validation import check_bool_or, check_rates, check_real, fail
from ..problem import Problem, check_problem
from ..rules.base import Rule
from ..search.run import grid_search
from ..trainer.epochs import _one_blas_thread
from .range_test import check_seeds, lr_range_test
from .suggestions import _check_methods

__all__ = ["GridComparison", "compare_with_grid", "comparison_table"]


@dataclass(frozen=True, eq=False)
class GridComparison:
    """Range-test suggestions against a validation grid search, one row per seed.

    Attributes
    ----------
    lrs : ndarray, shape (R,)
        The grid's learning rates.
    seeds : tuple of int
    scores : ndarray, shape (S, R)
        Final validation loss of every seed and rate (inf where a run diverged).
    suggestions : dict
        Suggestion name -> ndarray of shape (S,), one range test per seed (NaN where a
        suggestion could not be read).
    results : list of RangeTestResult
        The range tests, one per seed.
    """

    lrs: np.ndarray
    seeds: tuple
    scores: np.ndarray
    suggestions: dict
    results: list

    @property
    def mean_scores(self) -> np.ndarray:
        """Validation loss of each rate, averaged over the seeds (inf if any seed diverged)."""
        return np.mean(self.scores, axis=0)

    @property
    def best_lr(self) -> float:
        """The grid's best: the rate with the lowest mean validation loss."""
        return float(self.lrs[int(np.argmin(self.mean_scores))])

    @property
    def seed_best(self) -> np.ndarray:
        """Each seed's own best rate on the grid."""
        return self.lrs[np.argmin(self.scores, axis=1)]

    @property
    def ratios(self) -> dict[str, np.ndarray]:
        """Suggestion / the grid's best, per seed (1 = spot on, 0.1 = ten times too low)."""
        return {m: v / self.best_lr for m, v in self.suggestions.items()}

    def within(self, factor: float = 2.0) -> dict[str, int]:
        """How many seeds' suggestion lies within ``factor`` of the grid's best, per rule."""
        factor = check_real(factor, "factor", "GridComparison.within", low=1)
        return {m: int(np.sum((r >= 1 / factor) & (r <= factor)))
                for m, r in self.ratios.items()}

    def __repr__(self) -> str:
        hits = ", ".join(f"{m} {k}/{len(self.seeds)}" for m, k in self.within().items())
        return (f"<GridComparison {len(self.seeds)} seeds x {len(self.lrs)} rates, grid's best "
                f"{self.best_lr:.3g}; within 2x: {hits}>")


def compare_with_grid(
    problems: Problem | Sequence[Problem],
    make_rule: Callable[[Any], Rule],
    lrs: Sequence[float],
    *,
    validation: Any,
    seeds: Iterable[int] | None = None,
    num_steps: int = 300,
    batch_size: int | None = None,
    methods: Iterable[str] = ("minimum", "steep", "valley", "slide", "midpoint"),
    range_test: Mapping[str, Any] | None = None,
    progress: bool | str = "auto",
) -> GridComparison:
    """Run a range test and a validation grid search per seed, and compare their answers.

    Parameters
    ----------
    problems : Problem or sequence of Problem
        The model to train, one per seed (e.g. the same network initialised with each
        seed), or one Problem for every seed (then only the minibatches change).
    make_rule : callable
        ``make_rule(lr) -> Rule`` accepting an array of rates (``lrlab.sgd``, an adaptive
        rule): the grid's rates train in one batched call.
    lrs : sequence of float > 0
        The grid. Spaced finer than the factor you will judge by (e.g. 1.5x for "within 2x").
    validation : Dataset, Problem, or sequence of them
        The held-out data the grid is scored on (a Dataset is put into each problem with
        ``problem.with_data``).
    seeds : iterable of int, optional
        One per problem (default ``0, 1, ...``): seeds each range test's and each grid's
        minibatches.
    num_steps : int
        Training steps of every grid candidate (the real training length).
    batch_size : int, optional
        Minibatch size of both the range test and the grid (``None``: full batch).
    methods : iterable of str
        Suggestions to read (names in :data:`~lrlab.finder.SUGGESTIONS`).
    range_test : mapping, optional
        More arguments of :func:`~lrlab.finder.lr_range_test` (fastai's defaults otherwise:
        1e-7 to 10 in 100 steps).
    progress : bool or 'auto'
        Progress bar over the seeds.

    Returns
    -------
    GridComparison

    Examples
    --------
    >>> from lrlab.models import LinearRegression
    >>> from lrlab.datasets import noisy_line
    >>> from lrlab.rules import sgd
    >>> line = LinearRegression(noisy_line(200, seed=0))
    >>> c = compare_with_grid(line, sgd, [0.03, 0.1, 0.3, 0.6], seeds=[0, 1], num_steps=100,
    ...                       batch_size=16, validation=noisy_line(100, seed=1),
    ...                       methods=["minimum"], progress=False)
    >>> c.scores.shape, c.suggestions["minimum"].shape
    ((2, 4), (2,))
    """
    owner = "compare_with_grid"
    methods = _check_methods(methods, "methods", owner)
    if isinstance(problems, Problem):
        problems = [problems]
    if isinstance(problems, str) or not isinstance(problems, Sequence):
        fail(problems, "problems", owner, allowed="a Problem or a list of them", exc=TypeError)
    problems = [check_problem(p, owner, "problems") for p in problems]
    seeds = tuple(range(len(problems))) if seeds is None else check_seeds(seeds, "seeds", owner)
    lrs = check_rates(lrs, "lrs", owner)
    progress = check_bool_or(progress, "progress", owner)
    if len(problems) == 1:
        problems = problems * len(seeds)
    if len(problems) != len(seeds):
        fail(problems, "problems", owner, allowed=f"one Problem, or one per seed ({len(seeds)})")
    held_out = _validation_problems(validation, problems, owner)
    if range_test is not None and not isinstance(range_test, Mapping):
        fail(range_test, "range_test", owner, allowed="a dict of lr_range_test arguments or None",
             exc=TypeError)
    extra = dict(range_test or {})
    for key in ("seed", "batch_size", "problem", "make_rule"):
        if key in extra:
            fail(extra[key], "range_test", owner, allowed=f"no {key!r} (set per seed here)")
    scores, found, results = [], {m: [] for m in methods}, []
    for s, problem, val in progress_bar(list(zip(seeds, problems, held_out, strict=True)),
                                        desc="seeds", enabled=progress):
        result = lr_range_test(problem, make_rule, batch_size=batch_size, seed=s, **extra)
        results.append(result)
        read = result.suggestions(methods)
        for m in methods:
            found[m].append(read[m])
        with _one_blas_thread():  # small matrices: threads only wait for a busy core
            grid = grid_search(problem, make_rule, lrs, num_steps=num_steps,
                               batch_size=batch_size, seed=s, validation=val, progress=False)
        order = np.argsort(grid.lrs, kind="stable")
        scores.append(grid.scores[order])
        grid_lrs = grid.lrs[order]
    return GridComparison(grid_lrs, seeds, np.array(scores),
                          {m: np.array(v, dtype=float) for m, v in found.items()}, results)


def _validation_problems(validation: Any, problems: list, owner: str) -> list:
    """One validation Problem per training problem."""
    # a Dataset is a NamedTuple: only a plain list or tuple holds one item per problem
    per_problem = type(validation) in (list, tuple)
    items = validation if per_problem else [validation] * len(problems)
    if len(items) != len(problems):
        fail(validation, "validation", owner,
             allowed=f"a Dataset or Problem, or one per problem ({len(problems)})")
    out = []
    for item, problem in zip(items, problems, strict=True):
        if isinstance(item, Problem):
            out.append(item)
        elif hasattr(problem, "with_data"):
            try:
                out.append(problem.with_data(item))
            except (TypeError, ValueError) as err:
                fail(item, "validation", owner, allowed="held-out data: a Dataset, an (X, y) "
                     f"pair or a Problem ({err})", exc=type(err))
        else:
            fail(item, "validation", owner, allowed="a Problem (this problem has no with_data)",
                 exc=TypeError)
    return out


def comparison_table(comparisons: Mapping[str, GridComparison], *, factor: float = 2.0) -> str:
    """A text table: one row per problem and seed (each suggestion / the grid's best), and
    how often each suggestion landed within ``factor`` of the grid's best.

    Examples
    --------
    >>> c = GridComparison(np.array([0.1, 0.2]), (0, 1), np.array([[1.0, 0.5], [1.0, 0.6]]),
    ...                    {"valley": np.array([0.05, 0.3])}, [])
    >>> print(comparison_table({"toy": c}))
    problem   seed   grid's best   valley
    toy          0           0.2    0.25x
    toy          1           0.2     1.5x
    within 2x of the grid's best:  1/2
    """
    factor = check_real(factor, "factor", "comparison_table", low=1)
    if not comparisons:
        fail(comparisons, "comparisons", "comparison_table", allowed="a non-empty mapping")
    methods = list(next(iter(comparisons.values())).suggestions)
    width = max(len("problem"), *(len(k) for k in comparisons))
    cols = [max(len(m), 6) + 3 for m in methods]
    lines = [f"{'problem':<{width}}   seed   grid's best" +
             "".join(f"{m:>{c}}" for m, c in zip(methods, cols, strict=True))]
    hits, total = dict.fromkeys(methods, 0), 0
    for name, comp in comparisons.items():
        ratios = comp.ratios
        for i, s in enumerate(comp.seeds):
            lines.append(f"{name:<{width}}   {s:>4}   {comp.best_lr:>11.3g}" + "".join(
                f"{_ratio(ratios[m][i]):>{c}}" for m, c in zip(methods, cols, strict=True)))
        for m, k in comp.within(factor).items():
            hits[m] += k
        total += len(comp.seeds)
    label = f"within {factor:g}x of the grid's best:"
    lines.append(f"{label:<{width + 21}}" + "".join(
        f"{f'{hits[m]}/{total}':>{c}}" for m, c in zip(methods, cols, strict=True)))
    return "\n".join(lines)


def _ratio(r: float) -> str:
    if not np.isfinite(r):
        return "-"
    return f"{r:.2g}x"
