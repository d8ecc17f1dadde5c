r"""Reading a learning rate off a range-test curve: the four suggestions.

Each function takes a :class:`~lrlab.finder.RangeTestResult` and returns one
learning rate read from its *smoothed* loss curve, after dropping
``skip_start`` points at the start (``num_steps // 10``, as fastai) and
``skip_end`` points before the stop (5, as fastai):

* :func:`suggest_minimum`: a tenth of the rate at the minimum (fastai ``minimum``);
* :func:`suggest_steep`: the steepest descent against :math:`\log\eta` (fastai ``steep``);
* :func:`suggest_valley`: half-way down the longest valley (fastai ``valley``,
  the default; the index arithmetic is :func:`valley_index`);
* :func:`suggest_midpoint`: where the curve has made half its drop (lrlab's own).

:func:`suggest` picks one by name (:data:`SUGGESTIONS`). Every name here is
also importable from :mod:`lrlab.finder`, which runs the test itself. This
module reads a result duck-typed and imports nothing else of lrlab's finder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_array, check_choice, check_int, check_real, fail

if TYPE_CHECKING:
    from .result import RangeTestResult

__all__ = [
    "SUGGESTIONS",
    "suggest",
    "suggest_midpoint",
    "suggest_minimum",
    "suggest_steep",
    "suggest_valley",
    "valley_index",
]


#: What a suggestion reads from a range-test result.
_RESULT_FIELDS = ("lrs", "smoothed", "stop", "num_steps", "reason")


def _curve(result: RangeTestResult, skip_start: int | None, skip_end: int, name: str):
    """The (rates, smoothed losses) window a suggestion reads, with clear errors."""
    # Duck-typed (what a RangeTestResult offers), so this module imports nothing of the finder.
    if not all(hasattr(result, a) for a in _RESULT_FIELDS):
        fail(result, "result", name,
             allowed="a RangeTestResult (from lr_range_test)", exc=TypeError)
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
    r"""One tenth of the learning rate at the minimum of the smoothed loss (fastai's ``minimum``).

    At the minimum the rate is already about to blow up; dividing by 10
    steps back to a rate that still trains (the rule of thumb of the fastai
    course).

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    skip_start : int, optional
        Points dropped at the start (``num_steps // 10``, as fastai).
    skip_end : int
        Points dropped before the stop (5, as fastai).

    Returns
    -------
    float
        :math:`\eta_{i^*}/10` with :math:`i^* = \arg\min_i s_i` over the window.

    Raises
    ------
    ValueError
        If fewer than 3 points remain after skipping.

    Notes
    -----
    When it misleads: with small batches a lucky minibatch makes a deep,
    early spike down, and the minimum moves with the seed; the smoothing lag
    puts the smoothed minimum *after* the raw one, so "/10" is a convention,
    not a law; a curve still falling at ``end_lr`` gives ``end_lr / 10``.

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> lr = suggest_minimum(lr_range_test(quadratic([1.0, 10.0]), sgd))
    >>> 0.01 < lr < 0.2  # 2/L = 0.2 is where GD diverges
    True

    References
    ----------
    Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2).
    """
    lrs, losses = _curve(result, skip_start, skip_end, "suggest_minimum")
    return float(lrs[int(np.argmin(losses))] / 10.0)


def suggest_steep(result: RangeTestResult, *, skip_start: int | None = None,
                  skip_end: int = 5) -> float:
    r"""The rate where the loss falls fastest against :math:`\log\eta` (fastai's ``steep``).

    ``grads = diff(loss) / diff(log lr)``; the suggestion is the left end of
    the interval with the most negative slope.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    skip_start, skip_end : int
        As for :func:`suggest_minimum`.

    Returns
    -------
    float
        :math:`\eta_{i^*}` with
        :math:`i^* = \arg\min_i (s_{i+1}-s_i)/(\log\eta_{i+1}-\log\eta_i)`.

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
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> 1e-3 < suggest_steep(lr_range_test(quadratic([1.0, 10.0]), sgd)) < 0.2
    True

    References
    ----------
    Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2).
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

    Parameters
    ----------
    losses : sequence of float
        A non-empty curve of finite values.
    min_drop : float >= 0
        lrlab's addition (0 = fastai): a link of the subsequence counts only
        when the loss falls by more than ``min_drop`` (an absolute amount),
        ``losses[i] < losses[j] - min_drop``.

    Returns
    -------
    int
        An index into ``losses``.

    Examples
    --------
    >>> valley_index([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 3.0, 9.0])  # max_start=-1, max_end=5
    2

    References
    ----------
    fastai ``fastai/callback/schedule.py``, function ``valley`` (fastai >= 2.4,
    by Zachary Mueller, after ESRI's ArcGIS ``lr_find``).
    """
    arr = check_array(losses, "losses", "valley_index", ndim=1)
    if arr.size == 0:
        fail(losses, "losses", "valley_index", allowed="a non-empty 1-D array of finite floats")
    tol = check_real(min_drop, "min_drop", "valley_index", low=0)
    losses = arr.tolist()
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

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    skip_start, skip_end : int
        As for :func:`suggest_minimum`.
    min_drop : float in [0, 1)
        Smallest drop of a link of the decreasing subsequence, as a fraction
        of the range (max - min) of the smoothed losses; 0 is fastai's rule.

    Returns
    -------
    float

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

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> result = lr_range_test(quadratic([1.0, 10.0]), sgd)  # exact gradients: no noise
    >>> round(suggest_valley(result), 5), round(suggest_valley(result, min_drop=0.01), 4)
    (0.00052, 0.0215)

    References
    ----------
    Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2).
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
    :func:`~lrlab.finder.suggestion_band`). It marks where the rate became
    large enough to make real progress within the sweep, below the unstable
    end.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    skip_start, skip_end : int
        As for :func:`suggest_minimum`.
    level : float in (0, 1)
        Fraction of the drop from the window's start to its minimum.

    Returns
    -------
    float

    Notes
    -----
    When it misleads: if the loss drops in two stages (an easy direction
    first) the crossing falls in the first, too-small stage; if the minimum
    sits at ``end_lr`` (sweep too short) the "half drop" is relative to an
    unfinished descent; with very small batches the start level itself is
    noisy.

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
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


def _check_methods(methods: Iterable[str], name: str, owner: str) -> tuple[str, ...]:
    """Suggestion names, each checked against :data:`SUGGESTIONS`."""
    return tuple(check_choice(m, name, owner, tuple(SUGGESTIONS)) for m in methods)


def suggest(result: RangeTestResult, method: str = "valley", **kwargs: Any) -> float:
    """The suggestion ``method`` (one of :data:`SUGGESTIONS`) for a range-test result.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    method : {'valley', 'minimum', 'steep', 'midpoint'}
        Which suggestion.
    **kwargs
        Passed to the suggestion function (``skip_start``, ``min_drop``, ...).

    Returns
    -------
    float

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> result = lr_range_test(quadratic([1.0, 10.0]), sgd)
    >>> suggest(result, "minimum") == suggest_minimum(result)
    True
    """
    check_choice(method, "method", "suggest", tuple(SUGGESTIONS))
    return SUGGESTIONS[method](result, **kwargs)
