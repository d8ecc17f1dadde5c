"""The line searches' inner loops: the exact search's bracketing and golden section, Armijo's
backtracking.

:func:`minimise_along` minimises ``phi(a) = loss_fn(theta - a grad)`` over
``a >= 0`` for every run at once (:func:`lrlab.rules.exact_line_search`'s
``method='search'``); :func:`backtrack` shrinks a trial step until Armijo's
condition holds (:func:`lrlab.rules.armijo`). Each has two implementations of
one algorithm, behind one switch (``vectorised=``):

* ``_vectorised``: every run follows its own phase in arrays, with masks (any
  run shape; the reference);
* ``_one_run`` (``_backtrack_one``): the same state machine for a single run
  (run shape ``()``) with its bookkeeping in Python floats. Python floats are IEEE doubles, so every
  comparison and every operation (``2 * mid``, ``hi - golden * width``, ...)
  gives the bits numpy's 0-d float64 arrays give: the same trial points, the
  same ``loss_fn`` calls, the same result, at a fraction of the ~40 array
  operations per trial (``tests/test_line_minimise.py`` holds the two equal).

``_worth_trying`` (is a trial step measurable at all?) serves both searches.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..problem import dot_last as _dot

__all__ = ["backtrack", "minimise_along"]

#: Largest trial step a warm-started search may try (guards against overflow).
_BIG = 1e100
_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0  # 0.618...
_EPS = np.finfo(float).eps

_GROW, _SHRINK, _X1, _X2, _GOLD, _DONE = range(6)


def _worth_trying(trial, grad, gg, theta, f0) -> np.ndarray:
    """False where a trial step cannot give a measurable decrease.

    Either the step is lost in rounding (``theta - trial * grad == theta``) or
    the decrease it predicts, ``trial * ||g||^2``, is below the resolution
    ``eps * |f(theta)|`` of the loss: then every trial fails on rounding alone.
    """
    moves = np.any(theta - trial[..., None] * grad != theta, axis=-1)
    return moves & ~(trial * gg <= _EPS * np.abs(f0))


def minimise_along(grad: np.ndarray, theta: np.ndarray, f0: np.ndarray, loss_fn: Any,
                   prev: np.ndarray, xtol: float, max_iter: int, *,
                   vectorised: bool | None = None) -> np.ndarray:
    """Bracketing + golden section of ``phi(a) = loss_fn(theta - a grad)``, per run.

    Each run follows its own phase (grow or shrink the bracket, then golden
    section) and every call of ``loss_fn`` gives each active run one new
    point, so at most ``max_iter`` calls are made and a batch of runs takes
    the same steps as separate runs. The best point seen is returned (0 if
    none was below ``f0``).

    Parameters
    ----------
    grad, theta : ndarray, shape (*R, dim)
        The gradient and the point (``R``: the run shape).
    f0 : ndarray, shape R
        ``phi(0)``, the loss at ``theta``.
    loss_fn : callable
        The loss at points of shape ``(*R, dim)``.
    prev : ndarray, shape R
        The last nonzero step (NaN: none yet); the first trial.
    xtol : float
        The golden section stops when the bracket is narrower than ``xtol`` times the best step.
    max_iter : int
        At most this many calls of ``loss_fn``.
    vectorised : bool, optional
        ``True``: the array implementation, ``False``: the one for a single
        run in Python floats (run shape ``()`` only); ``None`` (default): the
        latter when there is a single run. Both give the same bits.

    Returns
    -------
    ndarray, shape R
        The step (0 where no decrease was found).
    """
    gg = _dot(grad, grad)
    shape = np.broadcast_shapes(f0.shape, gg.shape)
    one = shape == () and theta.ndim == 1 and np.shape(prev) == ()
    if vectorised is None:
        vectorised = not one
    if not vectorised:
        if not one:
            raise ValueError("minimise_along(vectorised=False) takes a single run (run shape ()).")
        return np.array(_one_run(grad, theta, float(f0), loss_fn, float(prev), float(gg),
                                 float(xtol), max_iter))
    return _vectorised(grad, theta, f0, loss_fn, prev, xtol, max_iter, gg, shape)


def _vectorised(grad, theta, f0, loss_fn, prev, xtol, max_iter, gg, shape):
    """The reference: every run's phase and bracket in arrays, advanced under masks."""
    f0 = np.broadcast_to(f0, shape)
    live = np.isfinite(f0) & np.isfinite(gg) & (gg > 0)
    best_a, best_f = np.zeros(shape), f0.copy()

    def phi(a, mask):
        f = np.asarray(loss_fn(theta - a[..., None] * grad), dtype=float)
        f = np.where(np.isfinite(f), f, np.inf)
        better = mask & (f < best_f)
        best_a[...] = np.where(better, a, best_a)
        best_f[...] = np.where(better, f, best_f)
        return f

    start = np.where(np.isfinite(prev) & (prev > 0), prev, 1.0 / np.sqrt(np.where(live, gg, 1)))
    mid = np.where(live, np.minimum(start, _BIG), 0.0)
    if not live.any():
        return best_a
    f_mid = phi(mid, live)
    # grow: double until the loss rises again; shrink: halve until it falls below f0
    phase = np.where(~live, _DONE, np.where(f_mid < f0, _GROW, _SHRINK))
    lo, hi = np.zeros(shape), np.zeros(shape)
    x1, x2, f1, f2 = (np.zeros(shape) for _ in range(4))
    for _ in range(max_iter - 1):
        # ---- before evaluating: give up or finish, and move the golden bracket
        halved = 0.5 * mid
        phase = np.where((phase == _SHRINK) & ~_worth_trying(halved, grad, gg, theta, f0),
                         _DONE, phase)
        gold = phase == _GOLD
        phase = np.where(gold & ((hi - lo) <= xtol * best_a), _DONE, phase)
        gold = phase == _GOLD
        if not np.any(phase != _DONE):
            break
        left = gold & (f1 < f2)            # the minimum lies in [lo, x2]: drop (x2, hi]
        right = gold & ~(f1 < f2)          # the minimum lies in [x1, hi]: drop [lo, x1)
        hi, lo = np.where(left, x2, hi), np.where(right, x1, lo)
        x1, x2, f1, f2 = (np.where(right, x2, x1), np.where(left, x1, x2),
                          np.where(right, f2, f1), np.where(left, f1, f2))
        to_x1 = (phase == _X1) | left      # the new point is the bracket's left interior
        to_x2 = (phase == _X2) | right
        width = hi - lo
        point = np.select([phase == _GROW, phase == _SHRINK, to_x1, to_x2],
                          [np.minimum(2 * mid, _BIG), halved, hi - _GOLDEN * width,
                           lo + _GOLDEN * width], default=0.0)
        f = phi(point, phase != _DONE)
        # ---- after evaluating
        grow, shrink = phase == _GROW, phase == _SHRINK
        up_done = grow & ((f >= f_mid) | (point >= _BIG))
        hi = np.where(up_done, point, np.where(shrink, mid, hi))
        lo = np.where(grow & ~up_done, mid, lo)
        moved = (grow & ~up_done) | shrink
        mid, f_mid = np.where(moved, point, mid), np.where(moved, f, f_mid)
        x1, f1 = np.where(to_x1, point, x1), np.where(to_x1, f, f1)
        x2, f2 = np.where(to_x2, point, x2), np.where(to_x2, f, f2)
        phase = np.select(
            [up_done | (shrink & (f < f0)), phase == _X1, phase == _X2], [_X1, _X2, _GOLD],
            default=phase)
    return best_a


def _one_run(grad, theta, f0, loss_fn, prev, gg, xtol, max_iter) -> float:
    """``_vectorised`` for one run, line for line, in Python floats (the same bits)."""
    if not (math.isfinite(f0) and math.isfinite(gg) and gg > 0):
        return 0.0
    best_a, best_f = 0.0, f0
    golden, big, resolution = float(_GOLDEN), _BIG, float(_EPS) * abs(f0)

    def phi(a):
        nonlocal best_a, best_f
        f = float(np.asarray(loss_fn(theta - a * grad), dtype=float))
        if not math.isfinite(f):
            f = math.inf
        if f < best_f:
            best_a, best_f = a, f
        return f

    start = prev if (math.isfinite(prev) and prev > 0) else 1.0 / math.sqrt(gg)
    mid = start if start <= big else big
    f_mid = phi(mid)
    phase = _GROW if f_mid < f0 else _SHRINK
    lo = hi = x1 = x2 = f1 = f2 = 0.0
    for _ in range(max_iter - 1):
        halved = 0.5 * mid
        if phase == _SHRINK and (halved * gg <= resolution
                                 or not (theta - halved * grad != theta).any()):
            break                          # the halved step cannot be measured: give up
        if phase == _GOLD:
            if hi - lo <= xtol * best_a:
                break                      # the bracket is narrow enough
            if f1 < f2:                    # the minimum lies in [lo, x2]: drop (x2, hi]
                hi, x2, f2 = x2, x1, f1
                point = hi - golden * (hi - lo)
                to_x1, to_x2 = True, False
            else:                          # the minimum lies in [x1, hi]: drop [lo, x1)
                lo, x1, f1 = x1, x2, f2
                point = lo + golden * (hi - lo)
                to_x1, to_x2 = False, True
        elif phase == _GROW:
            point = 2 * mid
            point = point if point <= big else big
            to_x1 = to_x2 = False
        elif phase == _SHRINK:
            point, to_x1, to_x2 = halved, False, False
        elif phase == _X1:
            point, to_x1, to_x2 = hi - golden * (hi - lo), True, False
        else:                              # _X2
            point, to_x1, to_x2 = lo + golden * (hi - lo), False, True
        f = phi(point)
        if phase == _GROW:
            if f >= f_mid or point >= big:  # the loss rose: the bracket is [lo, point]
                hi, phase = point, _X1
            else:
                lo, mid, f_mid = mid, point, f
        elif phase == _SHRINK:
            hi, mid, f_mid = mid, point, f
            if f < f0:
                phase = _X1
        elif phase == _X1:
            phase = _X2
        elif phase == _X2:
            phase = _GOLD
        if to_x1:
            x1, f1 = point, f
        if to_x2:
            x2, f2 = point, f
    return best_a


def backtrack(grad: np.ndarray, theta: np.ndarray, f0: np.ndarray, gg: np.ndarray,
              trial: np.ndarray, loss_fn: Any, c: float, shrink: float, max_backtracks: int, *,
              vectorised: bool | None = None) -> np.ndarray:
    """Armijo's backtracking: the first ``trial * shrink**k`` with a sufficient decrease, per run.

    Parameters
    ----------
    grad, theta : ndarray, shape (*R, dim)
    f0, gg : ndarray, shape R
        The loss at ``theta`` and ``||grad||^2``.
    trial : ndarray, shape R
        The first trial step.
    loss_fn : callable
        The loss at points of shape ``(*R, dim)``.
    c, shrink : float
        The condition ``f(theta - eta grad) <= f0 - c eta gg``; the factor of each backtrack.
    max_backtracks : int
        At most ``max_backtracks + 1`` calls of ``loss_fn`` (fewer once a trial step is
        not worth trying: lost in rounding or below the loss's resolution).
    vectorised : bool, optional
        As in :func:`minimise_along`: ``None`` (default) takes the one-run path for a
        single run; both give the same bits.

    Returns
    -------
    ndarray, shape R
        The accepted step, 0 where none passed (NaN inputs included).
    """
    one = trial.shape == () and theta.ndim == 1 and np.shape(f0) == () == np.shape(gg)
    if vectorised is None:
        vectorised = not one
    if not vectorised:
        if not one:
            raise ValueError("backtrack(vectorised=False) takes a single run (run shape ()).")
        return np.array(_backtrack_one(grad, theta, float(f0), float(gg), float(trial),
                                       loss_fn, float(c), float(shrink), max_backtracks))
    searching = np.isfinite(f0) & np.isfinite(gg) & (gg > 0)
    eta = np.zeros(trial.shape)
    for _ in range(max_backtracks + 1):
        searching &= _worth_trying(trial, grad, gg, theta, f0)
        if not searching.any():
            break
        f = np.asarray(loss_fn(theta - trial[..., None] * grad), dtype=float)
        ok = searching & (f <= f0 - c * trial * gg)
        eta = np.where(ok, trial, eta)
        searching &= ~ok
        trial = np.where(searching, trial * shrink, trial)
    return eta


def _backtrack_one(grad, theta, f0, gg, trial, loss_fn, c, shrink, max_backtracks) -> float:
    """``backtrack``'s loop for one run, in Python floats (the same bits)."""
    if not (math.isfinite(f0) and math.isfinite(gg) and gg > 0):
        return 0.0
    resolution = float(_EPS) * abs(f0)
    for _ in range(max_backtracks + 1):
        if trial * gg <= resolution:
            return 0.0                     # not worth trying: no smaller one is either
        point = theta - trial * grad
        if not (point != theta).any():
            return 0.0                     # lost in rounding: so is every smaller one
        f = float(np.asarray(loss_fn(point), dtype=float))
        if f <= f0 - c * trial * gg:
            return trial
        trial = trial * shrink
    return 0.0
