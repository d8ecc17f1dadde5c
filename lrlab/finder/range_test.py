"""Running the learning-rate range test: the sweep, the test, and the test over seeds."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._progress import progress_bar
from .._validation import (
    MAX_COUNT,
    check_bool,
    check_bool_or,
    check_choice,
    check_int,
    check_real,
    check_theta,
    fail,
)
from ..problem import Problem, check_problem
from ..rules.base import Rule
from ..trainer import train
from ..trainer.epochs import _one_blas_thread
from .result import RangeTestResult, SuggestionBand
from .suggestions import _check_methods

__all__ = ["StopRule", "Sweep", "band_over_seeds", "lr_range_test", "suggestion_band"]


def _check_sweep(start_lr: Any, end_lr: Any, num_steps: Any, mode: Any,
                 owner: str) -> tuple[float, float, int, str]:
    """Validate the four arguments that define a sweep (shared by Sweep and lr_range_test)."""
    start_lr = check_real(start_lr, "start_lr", owner, low=0, low_open=True)
    end = check_real(end_lr, "end_lr", owner, low=0, low_open=True)
    if end <= start_lr:
        fail(end_lr, "end_lr", owner, allowed=f"greater than start_lr={start_lr:g}")
    num_steps = check_int(num_steps, "num_steps", owner, low=2, high=MAX_COUNT)
    mode = check_choice(mode, "mode", owner, ("exp", "linear"))
    return start_lr, end, num_steps, mode


class Sweep:
    r"""The learning-rate schedule of a range test: ``num_steps`` rates from start to end.

    .. math::
        \eta_t = \eta_0 \left(\frac{\eta_1}{\eta_0}\right)^{t/(n-1)} \ \text{(exp)},\qquad
        \eta_t = \eta_0 + (\eta_1 - \eta_0)\,\frac{t}{n-1} \ \text{(linear)}

    for ``t = 0 .. n-1`` (held at ``end_lr`` afterwards). A pure function of
    the step, like every lrlab schedule.

    Examples
    --------
    >>> sweep = Sweep(1e-3, 1.0, 4)
    >>> [round(sweep(t), 6) for t in range(4)]
    [0.001, 0.01, 0.1, 1.0]
    """

    def __init__(self, start_lr: float, end_lr: float, num_steps: int, mode: str = "exp"):
        self.start_lr, self.end_lr, self.num_steps, self.mode = _check_sweep(
            start_lr, end_lr, num_steps, mode, "Sweep")
        n = self.num_steps - 1
        if self.mode == "exp":
            self.values = np.geomspace(self.start_lr, self.end_lr, self.num_steps)
            self.formula = r"\eta_t = \eta_0\,(\eta_1/\eta_0)^{t/(n-1)}"
            gamma = (self.end_lr / self.start_lr) ** (1 / n)
            self.torch = (f"torch.optim.lr_scheduler.ExponentialLR(opt, gamma={gamma:.6g}) "
                          f"from lr={self.start_lr:g}")
        else:
            self.values = np.linspace(self.start_lr, self.end_lr, self.num_steps)
            self.formula = r"\eta_t = \eta_0 + (\eta_1-\eta_0)\,t/(n-1)"
            self.torch = (f"torch.optim.lr_scheduler.LinearLR(opt, start_factor=1, end_factor="
                          f"{self.end_lr / self.start_lr:.6g}, total_iters={n})")

    def __call__(self, t: int) -> float:
        return float(self.values[min(max(int(t), 0), self.num_steps - 1)])

    def __repr__(self) -> str:
        return f"Sweep({self.start_lr:g}, {self.end_lr:g}, {self.num_steps}, mode={self.mode!r})"


def lr_range_test(
    problem: Problem,
    make_rule: Callable[[Any], Rule],
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_steps: int = 100,
    mode: str = "exp",
    smoothing: float = 0.98,
    stop_factor: float | None = 4.0,
    batch_size: int | None = None,
    seed: int = 0,
    x0: Any = None,
    record_params: bool = False,
) -> RangeTestResult:
    r"""Sweep the learning rate over one short training run and record the loss.

    Parameters
    ----------
    problem : Problem
        What to train. It is not modified.
    make_rule : callable
        ``make_rule(lr) -> Rule``; it receives the sweep schedule (a callable
        ``t -> lr``) as ``lr``, e.g. ``lrlab.sgd`` or
        ``lambda lr: sgd(lr, momentum=0.9)``.
    start_lr, end_lr : float > 0
        First and last learning rate (``end_lr > start_lr``). fastai's defaults.
    num_steps : int >= 2
        Number of steps (= learning rates).
    mode : {'exp', 'linear'}
        Geometric (the usual choice) or arithmetic sweep.
    smoothing : float in [0, 1)
        ``beta`` of the moving average, fastai's 0.98; 0 keeps the raw losses.
    stop_factor : float > 1 or None
        Stop once the smoothed loss exceeds ``k`` times its best so far;
        ``None`` runs to the end (or until the loss is no longer finite).
    batch_size : int, optional
        Minibatch size (``None``: full batch / exact gradients).
    seed : int
        Seed of the minibatches: same seed, same curve.
    x0 : array, optional
        Start point (``problem.x0`` by default); it is not modified.
    record_params : bool
        Keep every iterate in ``result.history.params`` (``params[i + 1]`` is the
        model after the step at ``lrs[i]``), e.g. to replay the sweep.

    Returns
    -------
    RangeTestResult

    Notes
    -----
    With :math:`\ell_i` the loss after the step at :math:`\eta_i`,

    .. math::
        m_i = \beta m_{i-1} + (1-\beta)\ell_i,\ m_{-1} = 0,\qquad
        s_i = \frac{m_i}{1-\beta^{i+1}},\qquad
        \text{stop when } s_i > b_i + (k-1)\,|b_i|,\ b_i = \min_{j\le i} s_j.

    For positive losses the stop rule is fastai's :math:`s_i > k\,b_i`; for a
    negative best it asks for a rise of :math:`(k-1)|b_i|` above it (the
    plain ratio test would stop at the first step). The rule measures from
    zero, so it is not invariant to adding a constant to the loss.

    The smoothed curve lags the raw one by about :math:`\beta/(1-\beta)` = 49
    steps at the start of a rise; the stop comes a few steps late, which the
    suggestions' ``skip_end=5`` absorbs.

    BLAS runs on one thread while the test trains (``threadpoolctl``, as
    :func:`lrlab.trainer.epochs.train_epochs`): lrlab's models are small, and on
    a busy machine threaded products that wait for a core are many times slower
    (a digits test at batch 128: 11 s per test with two threads on two busy cores).

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> result = lr_range_test(quadratic([1.0, 10.0]), sgd, num_steps=60)
    >>> result.stop < 60, 0.01 < result.suggest("midpoint") < 0.2
    (True, True)

    References
    ----------
    Smith (2017), "Cyclical learning rates for training neural networks", WACV: the range
    test idea (a linear ramp over a few epochs, read for a cyclical schedule's bounds).
    Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2),
    and Gugger (2017), "How do you find a good learning rate": the exponential sweep over
    one short run, the bias-corrected smoothing and the 4 x stop implemented here.
    """
    owner = "lr_range_test"
    check_problem(problem, owner)
    if not callable(make_rule):
        fail(make_rule, "make_rule", owner,
             allowed="a callable lr -> Rule (e.g. lrlab.sgd)", exc=TypeError)
    start_lr, end_lr, num_steps, mode = _check_sweep(start_lr, end_lr, num_steps, mode, owner)
    beta = check_real(smoothing, "smoothing", owner, low=0, high=1, high_open=True)
    if stop_factor is not None:
        stop_factor = check_real(stop_factor, "stop_factor", owner, low=1, low_open=True)
    seed = check_int(seed, "seed", owner, low=0)
    batch_size = check_int(batch_size, "batch_size", owner, low=1, allow_none=True,
                           high=MAX_COUNT if problem.n_samples is None else problem.n_samples)
    if x0 is not None:
        x0 = check_theta(x0, "x0", owner, dim=problem.dim)

    sweep = Sweep(start_lr, end_lr, num_steps, mode)
    rule = make_rule(sweep)
    if not isinstance(rule, Rule):
        fail(rule, "make_rule", owner, allowed="a callable returning an lrlab Rule", exc=TypeError)
    if rule.batch_shape != ():
        raise ValueError(f"make_rule(lr) must build a single run for lr_range_test; it built "
                         f"{rule.name} with run shape {rule.batch_shape} (array hyperparameters).")
    with _one_blas_thread():
        history = train(problem, rule, num_steps, x0=x0, batch_size=batch_size, seed=seed,
                        record_params=check_bool(record_params, "record_params", owner))
    if history.run_shape != ():
        raise ValueError(f"lr_range_test runs one start point; x0 gave run shape "
                         f"{history.run_shape}.")
    initial = float(history.loss[0])
    if not math.isfinite(initial):
        raise ValueError(f"The loss of {problem.name} at the start point is {initial}; "
                         "a range test needs a finite starting loss. Check x0 and the data.")
    losses = np.array(history.loss[1:], dtype=float)
    smoothed, stop, reason = _smooth_and_stop(losses, sweep.values, beta, stop_factor, history)
    settings = {"start_lr": start_lr, "end_lr": end_lr, "num_steps": num_steps, "mode": mode,
                "smoothing": beta, "stop_factor": stop_factor, "batch_size": batch_size,
                "seed": seed, "rule": rule.name, "problem": problem.name}
    return RangeTestResult(sweep.values.copy(), losses, smoothed, stop, reason, initial,
                           history, settings)


class StopRule:
    r"""The range test's smoothing and stop rule, fed one loss at a time.

    ``push(i, loss_i)`` (``i = 0, 1, ...`` in order, finite losses) updates the bias-corrected
    moving average ``smoothed[i]`` and returns why the test stops after this point, or
    ``None``. :func:`lr_range_test` feeds it a recorded run; :mod:`lrlab.torch` a live one,
    which it ends when the rule fires. Both then read the curve with the same code.

    Examples
    --------
    >>> rule = StopRule([0.1, 0.2, 0.3], beta=0.0, k=4.0)
    >>> rule.push(0, 1.0), rule.push(1, 2.0)
    (None, None)
    >>> rule.push(2, 5.0)
    'the smoothed loss exceeded 4 x its best (5 > 1) at lr=0.3'
    """

    def __init__(self, lrs: Any, beta: float, k: float | None):
        self.lrs = np.asarray(lrs, dtype=float)
        self.beta, self.k = beta, k
        self.smoothed = np.full(len(self.lrs), np.nan)
        self._avg, self._best = 0.0, math.inf

    def push(self, i: int, loss: float) -> str | None:
        """Smooth ``loss`` (the loss after the step at ``lrs[i]``); the reason to stop, or None."""
        beta, k = self.beta, self.k
        self._avg = beta * self._avg + (1.0 - beta) * loss
        s = self._avg / (1.0 - beta ** (i + 1))
        self.smoothed[i] = s
        best = self._best = min(self._best, s)
        if k is not None and s > best + (k - 1.0) * abs(best):
            return (f"the smoothed loss exceeded {k:g} x its best ({s:.4g} > {best:.4g}) "
                    f"at lr={self.lrs[i]:.3g}")
        return None


def _smooth_and_stop(losses, lrs, beta, k, history):
    rule = StopRule(lrs, beta, k)
    n = len(losses)
    for i in range(n):
        x = float(losses[i])
        if not math.isfinite(x):
            why = str(history.reason) or f"the loss became {x}"
            return rule.smoothed, i, f"the run diverged at lr={lrs[i]:.3g} ({why})"
        why = rule.push(i, x)
        if why is not None:
            return rule.smoothed, i + 1, why
    if history.diverged_at >= 0:  # froze exactly at the last step, with a finite loss
        return rule.smoothed, n, f"the run diverged at lr={lrs[-1]:.3g} ({history.reason})"
    return rule.smoothed, n, "reached end_lr"


def suggestion_band(
    problem: Problem,
    make_rule: Callable[[Any], Rule],
    seeds: Iterable[int] = range(5),
    methods: Iterable[str] = ("minimum", "steep", "valley", "slide", "midpoint"),
    *,
    progress: bool | str = "auto",
    **kwargs: Any,
) -> SuggestionBand:
    """Run the range test once per seed and report each suggestion's median and spread.

    A single range test gives a single curve; with minibatches its
    suggestions move from run to run (the most common complaint about LR
    finders). The band shows how far: a suggestion whose band spans a
    decade is not worth quoting to two digits.

    Parameters
    ----------
    problem, make_rule
        As for :func:`lr_range_test`.
    seeds : iterable of int
        One test per seed (the seed draws the minibatches; for full-batch,
        noise-free problems every seed gives the same curve).
    methods : iterable of str
        Names in :data:`SUGGESTIONS`.
    progress : bool or 'auto'
        Show a progress bar when the band takes longer than a second.
    **kwargs
        Passed to :func:`lr_range_test` (``batch_size``, ``num_steps``, ...).

    Returns
    -------
    SuggestionBand

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> band = suggestion_band(quadratic([1.0, 10.0]), sgd, seeds=[0, 1], progress=False)
    >>> band.spread["valley"]  # exact gradients: every seed gives the same curve
    0.0
    """
    return band_over_seeds(lambda s: lr_range_test(problem, make_rule, seed=s, **kwargs),
                           seeds, methods, progress=progress)


def band_over_seeds(run_one: Callable[[int], RangeTestResult], seeds: Iterable[int],
                    methods: Iterable[str], *, progress: bool | str = "auto",
                    owner: str = "suggestion_band") -> SuggestionBand:
    """``run_one(seed)`` for every seed, and each suggestion per seed (the band's assembly).

    Shared by :func:`suggestion_band` and :func:`lrlab.torch.suggestion_band`.
    """
    seeds = check_seeds(seeds, "seeds", owner)
    progress = check_bool_or(progress, "progress", owner)
    methods = _check_methods(methods, "methods", owner)
    results = [run_one(s) for s in progress_bar(seeds, desc="range tests", enabled=progress)]
    values = {m: np.array([r.suggestions([m])[m] for r in results]) for m in methods}
    return SuggestionBand(seeds, results, values)


def check_seeds(seeds: Any, name: str, owner: str) -> tuple[int, ...]:
    """A non-empty iterable of random seeds (ints >= 0), as a tuple."""
    if isinstance(seeds, str) or not isinstance(seeds, Iterable):
        fail(seeds, name, owner, allowed="a non-empty list of ints (e.g. range(5))",
             exc=TypeError)
    seeds = tuple(check_int(s, name, owner, low=0) for s in seeds)
    if not seeds:
        fail(seeds, name, owner, allowed="a non-empty list of ints")
    return seeds
