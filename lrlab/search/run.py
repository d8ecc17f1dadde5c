"""Grid and random search over the learning rate (and one more hyperparameter), on held-out data."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._progress import progress_bar
from .._validation import (
    MAX_COUNT,
    check_bool_or,
    check_choice,
    check_int,
    check_rates,
    check_real,
    fail,
)
from ..problem import Problem, check_problem
from ..rules.base import Rule
from ..trainer import train
from .result import SearchResult

__all__ = ["grid_search", "random_search"]


def grid_search(
    problem: Problem,
    make_rule: Callable[..., Rule],
    lrs: Sequence[float],
    *,
    param: tuple[str, Sequence[float]] | None = None,
    num_steps: int = 200,
    batch_size: int | None = None,
    seed: int = 0,
    validation: Any = "auto",
    fraction: float = 0.2,
    k: int = 5,
    score: str = "final",
    progress: bool | str = "auto",
) -> SearchResult:
    """Try every learning rate in ``lrs`` (x every value of ``param``) and keep the best.

    Parameters
    ----------
    problem : Problem
        What to train.
    make_rule : callable
        ``make_rule(lr)`` or, with ``param=(name, values)``,
        ``make_rule(lr, name=value)`` -> Rule (e.g. ``lrlab.sgd`` with
        ``param=("momentum", [0, 0.9])``).
    lrs : sequence of float > 0
        The learning rates (e.g. ``np.geomspace(1e-4, 1, 9)``).
    param : (str, sequence), optional
        One more hyperparameter and its values; the grid is the product.
    num_steps : int
        Training steps per candidate.
    batch_size : int, optional
        Minibatch size (``None``: full batch).
    seed : int
        Seed of the minibatches and of the split/folds.
    validation : {'auto', 'split', 'kfold', 'none'} or Problem
        'split': hold out ``fraction`` of a data problem's samples; 'kfold':
        ``k``-fold cross-validation (mean over folds); a Problem: score on it;
        'none': score on the training objective's exact loss. 'auto' is
        'split' for data problems and 'none' otherwise.
    fraction : float in (0, 1)
        Held-out fraction for 'split'.
    k : int >= 2
        Number of folds for 'kfold'.
    score : {'final', 'best'}
        Validation loss at the last step, or its minimum over training
        (measured every ``num_steps // 20`` steps: early stopping's view).
    progress : bool or 'auto'
        Progress bar when the search takes longer than a second.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.surfaces import quadratic
    >>> result = grid_search(quadratic([1.0, 10.0]), sgd, [0.01, 0.03, 0.1, 0.3], num_steps=50)
    >>> result.best_lr, result.table[3]["diverged"]
    (0.1, 1)
    """
    owner = "grid_search"
    lrs = check_rates(lrs, "lrs", owner)
    name, values = _check_param(param, owner)
    if name is None:
        cand_lr, cand_val = lrs, None
    else:
        cand_lr = np.repeat(lrs, len(values))
        cand_val = np.tile(values, len(lrs))
    return _search(problem, make_rule, cand_lr, name, cand_val, num_steps, batch_size, seed,
                   validation, fraction, k, score, progress, owner)


def random_search(
    problem: Problem,
    make_rule: Callable[..., Rule],
    lr_range: tuple[float, float] = (1e-4, 1.0),
    num_candidates: int = 20,
    *,
    param: tuple | None = None,
    num_steps: int = 200,
    batch_size: int | None = None,
    seed: int = 0,
    validation: Any = "auto",
    fraction: float = 0.2,
    k: int = 5,
    score: str = "final",
    progress: bool | str = "auto",
) -> SearchResult:
    r"""Try ``num_candidates`` learning rates drawn log-uniformly from ``lr_range``.

    .. math:: \log\eta \sim \mathcal U(\log\eta_{lo}, \log\eta_{hi})

    Bergstra & Bengio (2012): with several hyperparameters, random points
    cover each one's axis better than a grid of the same size.

    Parameters
    ----------
    lr_range : (low, high)
        Bounds of the learning rate, ``0 < low < high``.
    num_candidates : int >= 1
        Number of random candidates.
    param : (name, (low, high)) or (name, (low, high), 'log'), optional
        One more hyperparameter, drawn uniformly (or log-uniformly).
    seed : int
        Seed of the draws, the minibatches and the split.
    **others
        As for :func:`grid_search`.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.surfaces import quadratic
    >>> result = random_search(quadratic([1.0, 10.0]), sgd, (1e-3, 1.0), 12, num_steps=50)
    >>> 0.05 < result.best_lr < 0.19   # 2/(mu+L) = 0.18 is the best constant rate
    True
    """
    owner = "random_search"
    lo, hi = _check_range(lr_range, "lr_range", owner, positive=True)
    n = check_int(num_candidates, "num_candidates", owner, low=1, high=MAX_COUNT)
    seed = check_int(seed, "seed", owner, low=0)
    rng = np.random.default_rng(seed)
    lrs = np.exp(rng.uniform(math.log(lo), math.log(hi), n))
    name, vals = None, None
    if param is not None:
        if not isinstance(param, tuple | list) or len(param) not in (2, 3) or \
                not isinstance(param[0], str):
            fail(param, "param", owner, allowed="(name, (low, high)) or (name, (low, high), 'log')",
                 exc=TypeError)
        name = param[0]
        plo, phi = _check_range(param[1], "param", owner)
        scale = check_choice(param[2] if len(param) == 3 else "linear", "param scale", owner,
                             ("linear", "log"))
        if scale == "log":
            if plo <= 0:
                fail(param, "param", owner, allowed="a positive range for a log scale")
            vals = np.exp(rng.uniform(math.log(plo), math.log(phi), n))
        else:
            vals = rng.uniform(plo, phi, n)
    return _search(problem, make_rule, lrs, name, vals, num_steps, batch_size, seed, validation,
                   fraction, k, score, progress, owner)


# ------------------------------------------------------------------ internals
def _check_range(pair: Any, name: str, owner: str, *, positive: bool = False,
                 ) -> tuple[float, float]:
    """A pair ``(low, high)`` of finite floats with ``low < high`` (both > 0 if ``positive``)."""
    if isinstance(pair, str) or not isinstance(pair, Sequence | np.ndarray) or len(pair) != 2:
        fail(pair, name, owner, allowed="a pair (low, high)", exc=TypeError)
    bounds = {"low": 0, "low_open": True} if positive else {}
    lo = check_real(pair[0], name, owner, **bounds)
    hi = check_real(pair[1], name, owner, **bounds)
    if hi <= lo:
        fail(pair, name, owner, allowed="a pair (low, high) with low < high")
    return lo, hi


def _check_param(param: Any, owner: str):
    if param is None:
        return None, None
    if not isinstance(param, tuple | list) or len(param) != 2 or not isinstance(param[0], str):
        fail(param, "param", owner, allowed="a pair (name, values)", exc=TypeError)
    try:
        values = np.asarray(param[1], dtype=float).ravel()
    except (TypeError, ValueError):
        fail(param, "param", owner,
             allowed="a pair (name, values) with numeric values", exc=TypeError)
    if values.size == 0 or not np.all(np.isfinite(values)):
        fail(param, "param", owner,
             allowed="a pair (name, values) with a non-empty list of finite values")
    return param[0], values


def _folds(problem, validation, fraction, k, seed, owner):
    """List of (train_problem, eval_problem or None) and the validation name."""
    is_data = getattr(problem, "n_samples", None) is not None and hasattr(problem, "with_data")
    if isinstance(validation, Problem):
        if validation.dim != problem.dim:
            fail(validation, "validation", owner, allowed=f"a Problem with dim={problem.dim}")
        return [(problem, validation)], "problem"
    validation = check_choice(validation, "validation", owner, ("auto", "split", "kfold", "none"))
    if validation == "auto":
        validation = "split" if is_data else "none"
    if validation == "none":
        return [(problem, None)], "none"
    if not is_data:
        raise ValueError(f"validation={validation!r} needs a data problem (with samples and "
                         f"with_data); {problem.name} has none. Use validation='none'.")
    if validation == "split":
        tr, va = problem.data.split(fraction, seed=seed)
        return [(problem.with_data(tr), problem.with_data(va))], "split"
    k = check_int(k, "k", owner, low=2, high=problem.n_samples)
    return [(problem.with_data(tr), problem.with_data(va))
            for tr, va in problem.data.kfold(k, seed=seed)], "kfold"


def _check_batch(batch_size, problem, folds, vname, owner):
    """``batch_size`` checked against the samples that train (a split or a fold trains on fewer)."""
    if batch_size is None or folds[0][0].n_samples is None:
        return check_int(batch_size, "batch_size", owner, low=1, high=MAX_COUNT, allow_none=True)
    n = min(tr.n_samples for tr, _ in folds)
    if vname in ("split", "kfold"):
        allowed = (f"an int in [1, {n}] or None (validation={vname!r} trains on {n} of the "
                   f"{problem.n_samples} samples)")
        if isinstance(batch_size, int | np.integer) and not isinstance(batch_size, bool) \
                and batch_size > n:
            fail(batch_size, "batch_size", owner, allowed=allowed)
    return check_int(batch_size, "batch_size", owner, low=1, high=n)


def _make(make_rule, lr, name, value):
    """``make_rule(lr)``, or ``make_rule(lr, name=value)`` with an extra hyperparameter."""
    return make_rule(lr) if name is None else make_rule(lr, **{name: value})


def _candidate(make_rule, lrs, name, vals, i):
    """The rule of candidate ``i`` alone (scalar hyperparameters)."""
    return _make(make_rule, float(lrs[i]), name, None if vals is None else float(vals[i]))


def batched_rule(make_rule, lrs, name, vals):
    """The candidates as one rule with array hyperparameters, or None if the rule refuses."""
    try:
        rule = _make(make_rule, lrs, name, vals)
    except (TypeError, ValueError):
        return None
    if not isinstance(rule, Rule) or rule.batch_shape != (len(lrs),):
        return None
    return rule


def _scores(history, score):
    """Per-run score from the evaluation record: inf for diverged runs."""
    ev = history.eval_loss
    diverged = np.atleast_1d(history.diverged_at >= 0)
    ev = ev.reshape(ev.shape[0], -1)
    finite = np.isfinite(ev)
    if score == "best":
        vals = np.where(finite, ev, np.inf).min(axis=0)
    else:  # a run that did not diverge reached the last evaluation, at num_steps
        vals = np.where(finite[-1], ev[-1], np.inf)
    return np.where(diverged, np.inf, vals), diverged


def _search(problem, make_rule, lrs, name, vals, num_steps, batch_size, seed, validation,
            fraction, k, score, progress, owner):
    check_problem(problem, owner)
    if not callable(make_rule):
        fail(make_rule, "make_rule", owner, allowed="a callable lr -> Rule", exc=TypeError)
    num_steps = check_int(num_steps, "num_steps", owner, low=1)
    seed = check_int(seed, "seed", owner, low=0)
    score = check_choice(score, "score", owner, ("final", "best"))
    progress = check_bool_or(progress, "progress", owner)
    k = check_int(k, "k", owner, low=2)
    fraction = check_real(fraction, "fraction", owner, low=0, high=1, low_open=True,
                          high_open=True)
    folds, vname = _folds(problem, validation, fraction, k, seed, owner)
    batch_size = _check_batch(batch_size, problem, folds, vname, owner)
    eval_every = num_steps if score == "final" else max(1, num_steps // 20)
    n = len(lrs)
    batched = batched_rule(make_rule, lrs, name, vals)
    if batched is None:  # check the scalar rule once, with a clear message
        first = _candidate(make_rule, lrs, name, vals, 0)
        if not isinstance(first, Rule):
            fail(first, "make_rule", owner,
                 allowed="a callable returning an lrlab Rule", exc=TypeError)
    units = [(f, None) for f in range(len(folds))] if batched is not None else \
        [(f, i) for f in range(len(folds)) for i in range(n)]
    all_scores = np.full((len(folds), n), np.inf)
    all_div = np.zeros((len(folds), n), dtype=bool)
    train_loss = np.full((len(folds), n), np.nan)
    histories = []
    for f, i in progress_bar(units, desc=owner, enabled=progress):
        tr, va = folds[f]
        rule = batched if i is None else _candidate(make_rule, lrs, name, vals, i)
        h = train(tr, rule, num_steps, batch_size=batch_size, seed=seed, eval_every=eval_every,
                  eval_problem=va, record_params=False)
        histories.append(h)
        s, d = _scores(h, score)
        sel = slice(None) if i is None else slice(i, i + 1)
        all_scores[f, sel] = s
        all_div[f, sel] = d
        train_loss[f, sel] = np.where(d, np.inf, np.atleast_1d(h.final_loss))
    mean = all_scores.mean(axis=0)
    with np.errstate(invalid="ignore"):
        std = np.where(np.isfinite(mean), all_scores.std(axis=0), np.inf) if len(folds) > 1 \
            else np.zeros(n)
    order = np.argsort(mean, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(1, n + 1)
    table = []
    for j in range(n):
        row = {"lr": float(lrs[j])}
        if name is not None:
            row[name] = float(vals[j])
        tl = train_loss[:, j]
        row.update(score=float(mean[j]), std=float(std[j]), diverged=int(all_div[:, j].sum()),
                   train_loss=float(tl.mean()) if np.all(np.isfinite(tl)) else math.inf,
                   rank=int(rank[j]))
        table.append(row)
    result = SearchResult(table, table[int(order[0])], name, vname, histories)
    if result.all_failed:
        warnings.warn(f"{owner}: no candidate has a finite validation score (every run "
                      "diverged or its validation loss is not finite), so there is no best "
                      "learning rate; search smaller rates.", UserWarning, stacklevel=3)
    return result
