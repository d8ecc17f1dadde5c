r"""Reading a learning rate off a range-test curve: fastai's four suggestions and lrlab's one.

Each function takes a :class:`~lrlab.finder.RangeTestResult` and returns one
learning rate read from its *smoothed* loss curve, in the window fastai's
``Learner.lr_find`` reads: ``skip_start`` points dropped at the start
(``num_steps // 10``) and ``skip_end`` points before the stop (5), cut at
the first NaN when the run ended on one (see
:attr:`~lrlab.finder.RangeTestResult.recorded`):

* :func:`suggest_minimum`: a tenth of the rate at the minimum (fastai ``minimum``);
* :func:`suggest_steep`: the steepest descent against :math:`\log\eta` (fastai ``steep``);
* :func:`suggest_valley`: half-way down the longest valley (fastai ``valley``,
  the default; the index arithmetic is :func:`valley_index`);
* :func:`suggest_slide`: fastai's interval slide rule (fastai ``slide``);
* :func:`suggest_midpoint`: the first rate where the curve has made half its
  drop (lrlab's own rule, not fastai's).

The four fastai rules return what fastai 2.8 returns on the same curve (to
float32 rounding: fastai computes in float32, lrlab in float64), including
on a sweep that ends on NaN or inf (``tests/test_suggestions_fastai.py``).
:func:`suggest` picks one by name (:data:`SUGGESTIONS`). Every name here is
also importable from :mod:`lrlab.finder`, which runs the test itself. This
module (and the two it builds on, :mod:`lrlab.finder.window` and
:mod:`lrlab.finder.valley_slide`) reads a result duck-typed and imports nothing
of the finder that runs the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from .._validation import check_choice, check_real, fail
from .valley_slide import suggest_slide, suggest_valley, valley_index
from .window import _curve

if TYPE_CHECKING:
    from .result import RangeTestResult

__all__ = [
    "SUGGESTIONS",
    "suggest",
    "suggest_midpoint",
    "suggest_minimum",
    "suggest_slide",
    "suggest_steep",
    "suggest_valley",
    "valley_index",
]


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
        Points dropped before the stop (5, as fastai; when the run ended on NaN, fastai's
        window ends at the NaN instead, and so does this one: see
        :attr:`~lrlab.finder.RangeTestResult.recorded`).

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


def suggest_midpoint(result: RangeTestResult, *, skip_start: int | None = None,
                     skip_end: int = 5, level: float = 0.5) -> float:
    r"""The first rate at which the smoothed loss has made half its drop (lrlab's own rule).

    With :math:`s_a` the smoothed loss at the start of the window and
    :math:`s_{min}` its minimum, the suggestion is the first rate before the
    minimum with :math:`s_i \le s_a - \text{level}\,(s_a - s_{min})`.
    It is not one of fastai's rules, and not a geometric middle of two rates:
    "midpoint" names the loss *level* half-way between the window's start
    and its minimum (``level=0.5``).

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
    "slide": suggest_slide,
    "midpoint": suggest_midpoint,
}


def _check_methods(methods: Iterable[str], name: str, owner: str) -> tuple[str, ...]:
    """Suggestion names, each checked against :data:`SUGGESTIONS`."""
    if isinstance(methods, str) or not isinstance(methods, Iterable):
        fail(methods, name, owner, allowed="a list of names among " + ", ".join(
            repr(m) for m in SUGGESTIONS) + " (e.g. ['valley'])", exc=TypeError)
    return tuple(check_choice(m, name, owner, tuple(SUGGESTIONS)) for m in methods)


def suggest(result: RangeTestResult, method: str = "valley", **kwargs: Any) -> float:
    """The suggestion ``method`` (one of :data:`SUGGESTIONS`) for a range-test result.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    method : {'valley', 'minimum', 'steep', 'slide', 'midpoint'}
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
