r"""The learning-rate range test ("LR finder") and its suggestions.

Train for a few steps while the learning rate grows from tiny to huge, watch
the loss, and read a good rate off the curve: the idea of Smith (2017) that
fastai made popular. The test here goes through :func:`lrlab.train` (the one
loop), so it works with every rule and problem of lrlab::

    sweep  = exponential (or linear) schedule  lr_0 = start_lr ... lr_{n-1} = end_lr
    history = train(problem, make_rule(sweep), n)
    loss_i  = history.loss[i + 1]        # the loss *after* the step taken at lr_i
    smooth_i = bias-corrected exponential moving average of loss_0..loss_i
    stop when smooth_i > k * min(smooth_0..smooth_i)       (k = 4)

Four suggestions read the smoothed curve (:func:`suggest_minimum`,
:func:`suggest_steep`, :func:`suggest_valley` and :func:`suggest_midpoint`);
:func:`suggestion_band` repeats the test over several seeds, because a single
test's suggestion moves from run to run. :func:`plot_range_test` draws it all.

Differences from fastai's ``lr_find`` (documented, deliberate):

* the sweep ends exactly at ``end_lr`` (fastai's last rate is
  ``start * (end/start)^{(n-1)/n}``);
* each rate is paired with the loss its step produced; fastai and
  torch-lr-finder record the loss computed *before* that step (one step of
  lag);
* the stop rule works for negative losses (see :func:`lr_range_test`), where
  fastai's ``smooth > 4 * best`` stops at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._progress import progress_bar
from ._validation import check_choice, check_int, check_real, fail
from .history import History
from .problem import Problem
from .rules.base import Rule
from .trainer import train

__all__ = [
    "SUGGESTIONS",
    "RangeTestResult",
    "SuggestionBand",
    "Sweep",
    "lr_range_test",
    "plot_range_test",
    "suggest",
    "suggest_midpoint",
    "suggest_minimum",
    "suggest_steep",
    "suggest_valley",
    "suggestion_band",
    "valley_index",
]


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
        owner = "Sweep"
        self.start_lr = check_real(start_lr, "start_lr", owner, low=0, low_open=True)
        self.end_lr = check_real(end_lr, "end_lr", owner, low=0, low_open=True)
        if self.end_lr <= self.start_lr:
            fail(owner, "end_lr", f"greater than start_lr={self.start_lr:g}", end_lr)
        self.num_steps = check_int(num_steps, "num_steps", owner, low=2)
        self.mode = check_choice(mode, "mode", owner, ("exp", "linear"))
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


@dataclass(frozen=True, eq=False)
class RangeTestResult:
    """What a range test recorded.

    Attributes
    ----------
    lrs : ndarray, shape (num_steps,)
        The swept learning rates.
    losses : ndarray, shape (num_steps,)
        ``losses[i]``: the (minibatch) loss after the step taken at ``lrs[i]``;
        NaN after the run diverged.
    smoothed : ndarray, shape (num_steps,)
        Bias-corrected exponential moving average of ``losses``; NaN after ``stop``.
    stop : int
        Number of usable points: the test stopped after ``lrs[stop - 1]``
        (``num_steps`` if it ran to the end).
    reason : str
        Why it stopped.
    initial_loss : float
        Loss at the start point, before any step.
    history : History
        The full record of the training run.
    settings : dict
        The arguments of :func:`lr_range_test`.
    """

    lrs: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    stop: int
    reason: str
    initial_loss: float
    history: History
    settings: dict = field(default_factory=dict)

    @property
    def num_steps(self) -> int:
        """Length of the sweep."""
        return len(self.lrs)

    @property
    def stop_lr(self) -> float:
        """The last learning rate the test kept."""
        return float(self.lrs[max(self.stop - 1, 0)])

    def suggest(self, method: str = "valley", **kwargs: Any) -> float:
        """Shortcut for :func:`suggest` (``method`` in :data:`SUGGESTIONS`)."""
        return suggest(self, method, **kwargs)

    def suggestions(self, methods: Iterable[str] = ("minimum", "steep", "valley", "midpoint"),
                    ) -> dict[str, float]:
        """Every suggestion by name (NaN for one that cannot be computed)."""
        out = {}
        for name in methods:
            try:
                out[name] = suggest(self, name)
            except ValueError:
                out[name] = math.nan
        return out

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Shortcut for :func:`plot_range_test`."""
        return plot_range_test(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        return (f"<RangeTestResult {self.num_steps} lrs {self.lrs[0]:.3g}..{self.lrs[-1]:.3g}, "
                f"stopped at {self.stop_lr:.3g}: {self.reason}>")


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

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> result = lr_range_test(quadratic([1.0, 10.0]), sgd, num_steps=60)
    >>> result.stop < 60, 0.01 < result.suggest("midpoint") < 0.2
    (True, True)

    References
    ----------
    Smith (2017), "Cyclical learning rates for training neural networks", WACV.
    Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2).
    """
    owner = "lr_range_test"
    if not isinstance(problem, Problem):
        fail(owner, "problem", "an lrlab Problem", problem, TypeError)
    if not callable(make_rule):
        fail(owner, "make_rule", "a callable lr -> Rule (e.g. lrlab.sgd)", make_rule, TypeError)
    start_lr = check_real(start_lr, "start_lr", owner, low=0, low_open=True)
    end_lr = check_real(end_lr, "end_lr", owner, low=0, low_open=True)
    if end_lr <= start_lr:
        fail(owner, "end_lr", f"greater than start_lr={start_lr:g}", end_lr)
    num_steps = check_int(num_steps, "num_steps", owner, low=2)
    mode = check_choice(mode, "mode", owner, ("exp", "linear"))
    beta = check_real(smoothing, "smoothing", owner, low=0, high=1, high_open=True)
    if stop_factor is not None:
        stop_factor = check_real(stop_factor, "stop_factor", owner, low=1, low_open=True)
    seed = check_int(seed, "seed", owner, low=0)

    sweep = Sweep(start_lr, end_lr, num_steps, mode)
    rule = make_rule(sweep)
    if not isinstance(rule, Rule):
        fail(owner, "make_rule", "a callable returning an lrlab Rule", rule, TypeError)
    if rule.batch_shape != ():
        raise ValueError(f"make_rule(lr) must build a single run for lr_range_test; it built "
                         f"{rule.name} with run shape {rule.batch_shape} (array hyperparameters).")
    history = train(problem, rule, num_steps, x0=x0, batch_size=batch_size, seed=seed,
                    record_params=False)
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


def _smooth_and_stop(losses, lrs, beta, k, history):
    n = len(losses)
    smoothed = np.full(n, np.nan)
    avg, best = 0.0, math.inf
    for i in range(n):
        x = float(losses[i])
        if not math.isfinite(x):
            why = str(history.reason) or f"the loss became {x}"
            return smoothed, i, f"the run diverged at lr={lrs[i]:.3g} ({why})"
        avg = beta * avg + (1.0 - beta) * x
        s = avg / (1.0 - beta ** (i + 1))
        smoothed[i] = s
        best = min(best, s)
        if k is not None and s > best + (k - 1.0) * abs(best):
            return smoothed, i + 1, (f"the smoothed loss exceeded {k:g} x its best "
                                     f"({s:.4g} > {best:.4g}) at lr={lrs[i]:.3g}")
    if history.diverged_at >= 0:  # froze exactly at the last step, with a finite loss
        return smoothed, n, f"the run diverged at lr={lrs[-1]:.3g} ({history.reason})"
    return smoothed, n, "reached end_lr"


# ------------------------------------------------------------------ suggestions
def _curve(result: RangeTestResult, skip_start: int | None, skip_end: int, name: str):
    if not isinstance(result, RangeTestResult):
        fail(name, "result", "a RangeTestResult (from lr_range_test)", result, TypeError)
    start = result.num_steps // 10 if skip_start is None else check_int(
        skip_start, "skip_start", name, low=0)
    skip_end = check_int(skip_end, "skip_end", name, low=0)
    end = result.stop - skip_end
    if end - start < 3:
        raise ValueError(
            f"{name} needs at least 3 points of the range test after skipping the first "
            f"{start} and the last {skip_end}; the test kept {result.stop} "
            f"({result.reason}). Start the sweep at a smaller lr or use more steps.")
    return result.lrs[start:end], result.smoothed[start:end]


def suggest_minimum(result: RangeTestResult, *, skip_start: int | None = None,
                    skip_end: int = 5) -> float:
    """One tenth of the learning rate at the minimum of the smoothed loss (fastai's ``minimum``).

    At the minimum the rate is already about to blow up; dividing by 10
    steps back to a rate that still trains (the rule of thumb of the fastai
    course).

    Parameters
    ----------
    result : RangeTestResult
    skip_start : int, optional
        Points dropped at the start (``num_steps // 10``, as fastai).
    skip_end : int
        Points dropped before the stop (5, as fastai).

    Returns
    -------
    float

    Notes
    -----
    When it misleads: with small batches a lucky minibatch makes a deep,
    early spike down, and the minimum moves with the seed; the smoothing lag
    puts the smoothed minimum *after* the raw one, so "/10" is a convention,
    not a law; a curve still falling at ``end_lr`` gives ``end_lr / 10``.

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> lr = suggest_minimum(lr_range_test(quadratic([1.0, 10.0]), sgd))
    >>> 0.01 < lr < 0.2  # 2/L = 0.2 is where GD diverges
    True
    """
    lrs, losses = _curve(result, skip_start, skip_end, "suggest_minimum")
    return float(lrs[int(np.argmin(losses))] / 10.0)


def suggest_steep(result: RangeTestResult, *, skip_start: int | None = None,
                  skip_end: int = 5) -> float:
    r"""The rate where the loss falls fastest against :math:`\log\eta` (fastai's ``steep``).

    ``grads = diff(loss) / diff(log lr)``; the suggestion is the left end of
    the interval with the most negative slope.

    Notes
    -----
    When it misleads: the slope is a difference of noisy losses, so with
    small batches or ``smoothing`` near 0 a single spike decides; where the
    curve has two drops (a bias fitted first, weights later) it picks the
    sharper one, often the early, too-small one; its answer depends on how
    fast the sweep moves (``num_steps``), because the loss at a rate reflects
    all earlier steps.

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> 1e-3 < suggest_steep(lr_range_test(quadratic([1.0, 10.0]), sgd)) < 0.2
    True
    """
    lrs, losses = _curve(result, skip_start, skip_end, "suggest_steep")
    grads = np.diff(losses) / np.diff(np.log(lrs))
    return float(lrs[int(np.argmin(grads))])


def valley_index(losses: Sequence[float], min_drop: float = 0.0) -> int:
    """fastai's ``valley`` index arithmetic on a loss curve, reproduced exactly.

    ``lds[i]`` is the length of the longest strictly decreasing subsequence
    ending at ``i`` (an O(n^2) dynamic programme). The best end ``max_end`` and
    ``max_start = max_end - lds[max_end]`` are updated inside the inner loop,
    as in fastai (equivalent to updating after it). Note that ``max_start``
    is one index *before* the valley's first point (it is ``-1`` when the
    curve falls from its very first point). Then::

        sections = (max_end - max_start) / 3
        idx = max_start + int(sections) + int(sections / 2)

    i.e. about half-way (1/3 + 1/6) along the valley.

    ``min_drop`` (lrlab's addition, 0 = fastai) makes a link of the
    subsequence count only when the loss falls by more than ``min_drop``
    (an absolute amount): ``losses[i] < losses[j] - min_drop``.

    Source: fastai ``fastai/callback/schedule.py``, function ``valley``
    (fastai >= 2.4, by Zachary Mueller, after ESRI's ArcGIS ``lr_find``).

    >>> valley_index([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 3.0, 9.0])  # max_start=-1, max_end=5
    2
    """
    losses = [float(x) for x in losses]
    tol = float(min_drop)
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if losses[i] < losses[j] - tol and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)


def suggest_valley(result: RangeTestResult, *, skip_start: int | None = None,
                   skip_end: int = 5, min_drop: float = 0.0) -> float:
    """The rate about half-way down the longest valley (fastai's default, ``valley``).

    Finds the longest decreasing subsequence of the smoothed loss and
    returns the rate at :func:`valley_index`, which lands about half-way
    down the valley (1/3 + 1/6 of its length from its start): well below
    the minimum, well above where the descent begins.

    Notes
    -----
    When it misleads: the subsequence need not be contiguous, so a long,
    shallow, noisy drift can beat a short, steep valley; a spike down late
    in the curve (small batches) extends the valley and moves the answer
    right, towards divergence; a curve that keeps falling to ``end_lr``
    gives an answer that depends on ``end_lr``. On *noise-free* curves
    (full batch, exact gradients) the loss falls by tiny amounts even at
    1e-7, the whole flat start joins the valley and the answer lands
    decades too low; ``min_drop=0.01`` (a link must drop 1 % of the curve's
    range) fixes that.

    Parameters
    ----------
    result : RangeTestResult
    skip_start, skip_end : int
        As for :func:`suggest_minimum`.
    min_drop : float in [0, 1)
        Smallest drop of a link of the decreasing subsequence, as a fraction
        of the range (max - min) of the smoothed losses; 0 is fastai's rule.

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> result = lr_range_test(quadratic([1.0, 10.0]), sgd)  # exact gradients: no noise
    >>> round(suggest_valley(result), 5), round(suggest_valley(result, min_drop=0.01), 4)
    (0.00052, 0.0215)
    """
    min_drop = check_real(min_drop, "min_drop", "suggest_valley", low=0, high=1, high_open=True)
    lrs, losses = _curve(result, skip_start, skip_end, "suggest_valley")
    tol = min_drop * float(np.max(losses) - np.min(losses))
    return float(lrs[valley_index(losses, tol)])


def suggest_midpoint(result: RangeTestResult, *, skip_start: int | None = None,
                     skip_end: int = 5, level: float = 0.5) -> float:
    r"""The first rate at which the smoothed loss has made half its drop (lrlab's own rule).

    With :math:`s_a` the smoothed loss at the start of the window and
    :math:`s_{min}` its minimum, the suggestion is the first rate before the
    minimum with :math:`s_i \le s_a - \text{level}\,(s_a - s_{min})`.

    Why: a level crossing of the smoothed curve needs no derivative and
    depends on neither the loss scale nor an added constant, so it moves
    less with the seed than ``steep`` or ``minimum`` (compare them with
    :func:`suggestion_band`). It marks where the rate became large enough to
    make real progress within the sweep, below the unstable end.

    Notes
    -----
    When it misleads: if the loss drops in two stages (an easy direction
    first) the crossing falls in the first, too-small stage; if the minimum
    sits at ``end_lr`` (sweep too short) the "half drop" is relative to an
    unfinished descent; with very small batches the start level itself is
    noisy.

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> 1e-3 < suggest_midpoint(lr_range_test(quadratic([1.0, 10.0]), sgd)) < 0.2
    True
    """
    level = check_real(level, "level", "suggest_midpoint", low=0, high=1, low_open=True,
                       high_open=True)
    lrs, losses = _curve(result, skip_start, skip_end, "suggest_midpoint")
    imin = int(np.argmin(losses))
    target = losses[0] - level * (losses[0] - losses[imin])
    below = np.nonzero(losses[: imin + 1] <= target)[0]
    return float(lrs[int(below[0])])


#: Suggestion functions by name.
SUGGESTIONS: dict[str, Callable[..., float]] = {
    "minimum": suggest_minimum,
    "steep": suggest_steep,
    "valley": suggest_valley,
    "midpoint": suggest_midpoint,
}


def suggest(result: RangeTestResult, method: str = "valley", **kwargs: Any) -> float:
    """The suggestion ``method`` (one of :data:`SUGGESTIONS`) for a range-test result."""
    check_choice(method, "method", "suggest", tuple(SUGGESTIONS))
    return SUGGESTIONS[method](result, **kwargs)


# ------------------------------------------------------------------ band over seeds
@dataclass(frozen=True, eq=False)
class SuggestionBand:
    """Suggestions of the same range test repeated over seeds.

    Attributes
    ----------
    seeds : tuple of int
    results : list of RangeTestResult
    values : dict
        Method name -> array of suggestions, one per seed (NaN where the
        suggestion could not be computed).
    """

    seeds: tuple
    results: list
    values: dict

    def _stat(self, fn) -> dict[str, float]:
        out = {}
        for name, v in self.values.items():
            v = v[np.isfinite(v)]
            out[name] = float(fn(v)) if v.size else math.nan
        return out

    @property
    def median(self) -> dict[str, float]:
        """Median (geometric middle for an even count) of each suggestion over seeds."""
        return self._stat(lambda v: np.exp(np.median(np.log(v))))

    @property
    def low(self) -> dict[str, float]:
        """Smallest suggestion over seeds."""
        return self._stat(np.min)

    @property
    def high(self) -> dict[str, float]:
        """Largest suggestion over seeds."""
        return self._stat(np.max)

    @property
    def spread(self) -> dict[str, float]:
        """Width of each band in decades: ``log10(high / low)`` (0 = identical)."""
        return self._stat(lambda v: np.log10(np.max(v) / np.min(v)))

    def __repr__(self) -> str:
        med, lo, hi, sp = self.median, self.low, self.high, self.spread
        lines = [f"Suggestion band over {len(self.seeds)} seeds:",
                 f"  {'method':<9} {'median':>10} {'low':>10} {'high':>10} {'decades':>8}"]
        for name in self.values:
            lines.append(f"  {name:<9} {med[name]:>10.3g} {lo[name]:>10.3g} {hi[name]:>10.3g} "
                         f"{sp[name]:>8.2f}")
        return "\n".join(lines)


def suggestion_band(
    problem: Problem,
    make_rule: Callable[[Any], Rule],
    seeds: Iterable[int] = range(5),
    methods: Iterable[str] = ("minimum", "steep", "valley", "midpoint"),
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
    seeds = tuple(check_int(s, "seeds", "suggestion_band", low=0) for s in seeds)
    if not seeds:
        fail("suggestion_band", "seeds", "a non-empty list of ints", seeds)
    methods = tuple(check_choice(m, "methods", "suggestion_band", tuple(SUGGESTIONS))
                    for m in methods)
    results = [lr_range_test(problem, make_rule, seed=s, **kwargs)
               for s in progress_bar(seeds, desc="range tests", enabled=progress)]
    values = {}
    for m in methods:
        values[m] = np.array([r.suggestions([m])[m] for r in results])
    return SuggestionBand(seeds, results, values)


# ------------------------------------------------------------------ plot
def plot_range_test(
    result: RangeTestResult,
    ax: Any = None,
    *,
    suggestions: Iterable[str] = ("minimum", "steep", "valley", "midpoint"),
    band: SuggestionBand | None = None,
    raw: bool = True,
) -> Any:
    """Loss against learning rate (log x), with the suggestions marked.

    Parameters
    ----------
    result : RangeTestResult
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    suggestions : iterable of str
        Which suggestions to mark (vertical line + dot on the smoothed curve).
    band : SuggestionBand, optional
        Shade each suggestion's band over seeds.
    raw : bool
        Also draw the raw losses (faint).

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    n = result.stop
    if raw:
        ax.plot(result.lrs[:n], result.losses[:n], color="0.75", lw=1, label="loss")
    ax.plot(result.lrs[:n], result.smoothed[:n], color="C0", lw=2, label="smoothed loss")
    colors = {"minimum": "C3", "steep": "C2", "valley": "C1", "midpoint": "C4"}
    logx = np.log(result.lrs[:n])
    for name in suggestions:
        try:
            lr = suggest(result, name)
        except ValueError:
            continue
        y = np.interp(np.log(lr), logx, result.smoothed[:n])
        color = colors.get(name, "k")
        ax.axvline(lr, color=color, ls=":", lw=1)
        ax.plot([lr], [y], "o", color=color, label=f"{name}: {lr:.2g}")
        if band is not None and name in band.values:
            ax.axvspan(band.low[name], band.high[name], color=color, alpha=0.12)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.set_title(f"LR range test ({result.settings.get('rule', '')})")
    finite = result.smoothed[:n][np.isfinite(result.smoothed[:n])]
    if finite.size:
        lo, hi = float(finite.min()), float(max(finite.max(), result.initial_loss))
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="best", fontsize="small")
    return ax
