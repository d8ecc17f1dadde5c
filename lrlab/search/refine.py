r"""The best learning rate between the points of a log-spaced grid.

A grid's ``argmin`` can only return one of its points, and where the score is
flat near its minimum the winner jumps between neighbours with the noise. A
parabola through the best point and its two neighbours, in log-log
coordinates (the shape of a loss-versus-rate curve near its bottom), gives a
rate between them that moves smoothly with the scores:

.. math::
    \log s \approx a(\log\eta)^2 + b\log\eta + c \quad\Rightarrow\quad
    \eta^\star = \exp\!\left(-\tfrac{b}{2a}\right),
    \ \text{kept between the two neighbours.}

>>> import numpy as np
>>> lrs = np.geomspace(1e-3, 1.0, 7)
>>> scores = np.exp((np.log(lrs) - np.log(0.02)) ** 2)   # a log-parabola with its bottom at 0.02
>>> round(refined_best_lr(lrs, scores), 12)
0.02
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import fail, real_array

__all__ = ["refined_best_lr"]


def refined_best_lr(lrs: Any, scores: Any) -> float:
    """The rate of the lowest score, refined by a log-log parabola through its neighbours.

    Parameters
    ----------
    lrs : 1-D array of increasing positive floats
        The grid (log-spaced or not).
    scores : 1-D array, same length
        Lower is better; ``inf`` or ``NaN`` marks a run that failed (diverged).

    Returns
    -------
    float
        The vertex of the parabola through the best point and its two neighbours,
        clipped to the neighbours' range. The best point itself when it is at
        an end of the grid (a better rate may lie outside: extend the grid),
        when a neighbour failed, or when the three points do not curve upwards.

    Raises
    ------
    ValueError
        If the lengths differ, ``lrs`` is not increasing and positive, a score
        is negative or no score is finite.
    """
    owner = "refined_best_lr"
    x = real_array(lrs, "lrs", owner, allowed="a 1-D array of increasing positive floats")
    s = real_array(scores, "scores", owner, allowed="a 1-D array of real scores, one per rate")
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x) & (x > 0)) or \
            np.any(np.diff(x) <= 0):
        fail(lrs, "lrs", owner, allowed="a 1-D array of increasing positive floats")
    if s.shape != x.shape:
        fail(scores, "scores", owner, allowed=f"a 1-D array of {x.size} scores, one per rate")
    s = np.where(np.isfinite(s), s, np.inf)
    if not np.any(np.isfinite(s)) or np.any(s < 0):
        fail(scores, "scores", owner, allowed="scores >= 0 with at least one finite")
    i = int(np.argmin(s))
    if i in (0, x.size - 1) or not np.all(np.isfinite(s[i - 1:i + 2])) or s[i] == 0:
        return float(x[i])
    u, v = np.log(x[i - 1:i + 2]), np.log(s[i - 1:i + 2])
    a, b, _ = np.polyfit(u, v, 2)
    if not a > 0:
        return float(x[i])
    return float(np.exp(np.clip(-b / (2 * a), u[0], u[2])))
