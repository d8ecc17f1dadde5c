r"""fastai 2.4's two shape rules: ``valley`` (the default) and ``slide``.

Both came with fastai's suggestion functions of 2021 (pull request #3377 by
Zachary Mueller). :func:`suggest_valley` reads the longest decreasing run of
the smoothed curve (:func:`valley_index` is its index arithmetic);
:func:`suggest_slide` slides a pair of points leftwards from the blow-up
until the slope at both ends agrees. Both are re-exported by
:mod:`lrlab.finder.suggestions` and :mod:`lrlab.finder`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._validation import check_array, check_int, check_real, fail, real_array
from .window import _curve

if TYPE_CHECKING:
    from .result import RangeTestResult

__all__ = ["suggest_slide", "suggest_valley", "valley_index"]


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
    real_array(losses, "losses", "valley_index", allowed="a 1-D array of finite floats")  # bools
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


def suggest_slide(result: RangeTestResult, *, skip_start: int | None = None,
                  skip_end: int = 5, lr_diff: int = 15, thresh: float = 0.005,
                  adjust_value: float = 1.0) -> float:
    r"""fastai's interval slide rule (``slide``): where the slope stops changing, from the right.

    With :math:`g_i` the slope of the smoothed loss *per point* (``numpy.gradient``:
    central differences, one-sided at the ends), a pair of points ``lr_diff`` apart starts
    at the right end of the window, :math:`(r, l) = (n-1,\ n-1-\text{lr\_diff})`, and
    slides left one point at a time while the slopes at its two ends differ:

    .. math::
        \text{while } l \ge 0 \text{ and } |g_r - g_l| > \text{thresh}:\quad
        \eta^* \leftarrow \eta_l,\ r \leftarrow r-1,\ l \leftarrow l-1

    (:math:`\eta^*` starts as :math:`\eta_{n-1-\text{lr\_diff}}`). The suggestion is
    :math:`\text{adjust\_value}\cdot\eta^*`: the left end of the last pair whose slopes
    still differed, i.e. ``lr_diff`` points left of where the curve, read from its
    blow-up end backwards, first becomes evenly sloped over ``lr_diff`` points.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    skip_start, skip_end : int
        As for :func:`suggest_minimum`.
    lr_diff : int >= 1
        Distance in points between the two ends of the sliding pair (fastai's 15).
    thresh : float >= 0
        Largest slope difference (in loss units per point) that counts as equal (fastai's
        0.005).
    adjust_value : float > 0
        Factor applied to the rate found (fastai's 1).

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the window has fewer than ``lr_diff + 1`` points, naming ``lr_diff`` and the
        largest it may be for this test (fastai raises an IndexError), or fewer than 2.

    Notes
    -----
    When it misleads: ``thresh`` is an absolute slope in loss units per point, so the
    rule depends on the scale of the loss (a loss 10 times larger slides further) and on
    the number of points per decade (``num_steps``); on a noisy curve the slopes at the
    two ends rarely agree and the pair slides far left; on a curve that ends falling
    steeply (no blow-up within the sweep) it returns a rate ``lr_diff`` points before a
    region that is still descending.

    Examples
    --------
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> 1e-3 < suggest_slide(lr_range_test(quadratic([1.0, 10.0]), sgd)) < 0.2
    True

    References
    ----------
    fastai ``fastai/callback/schedule.py``, function ``slide`` (fastai >= 2.4, pull
    request #3377 by Zachary Mueller, 2021, with ``valley``).
    """
    owner = "suggest_slide"
    lr_diff = check_int(lr_diff, "lr_diff", owner, low=1)
    thresh = check_real(thresh, "thresh", owner, low=0)
    adjust_value = check_real(adjust_value, "adjust_value", owner, low=0, low_open=True)
    lrs, losses = _curve(result, skip_start, skip_end, owner, need=2)
    if lr_diff > len(losses) - 1:
        fail(lr_diff, "lr_diff", owner,
             allowed=f"an int in [1, {len(losses) - 1}] for this range test: the slide needs "
                     f"at least {lr_diff + 1} points (lr_diff + 1) and the test's window has "
                     f"{len(losses)} after skip_start and skip_end (more steps or smaller skips "
                     "widen it)")
    slope = np.gradient(np.asarray(losses, dtype=float))
    right = len(losses) - 1
    left = right - lr_diff
    found = lrs[left]
    while left >= 0 and abs(slope[right] - slope[left]) > thresh:
        found = lrs[left]
        right -= 1
        left -= 1
    return float(found) * adjust_value
