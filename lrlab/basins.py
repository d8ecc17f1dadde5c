r"""Basin maps: which minimum does gradient descent end in, for every start and rate at once?

On a landscape with several minima, the learning rate decides not only
*how fast* gradient descent converges but *where*: a minimum of curvature
:math:`\lambda` is linearly unstable for :math:`\eta > 2/\lambda`, so a large
rate cannot settle in a sharp minimum and is thrown out of it. A basin map
runs plain gradient descent (optionally with independent Gaussian gradient
noise per run, a stand-in for minibatch noise) from a grid of start points
for a grid of learning rates -- all runs in one array -- and labels each
run by its fate:

====  ==================================================================
 k    ended within ``tol`` of ``problem.minima[k]``
-1    did not settle (still bouncing, e.g. a 2-cycle between two walls)
-2    diverged (left the ``escape`` radius or became non-finite)
====  ==================================================================

The update is exactly that of ``lrlab.train(problem, sgd(lr), num_steps)``;
the loop here skips the trainer's per-step records (losses, norms, ratios),
which is what makes :math:`10^4` runs of a few hundred steps take a fraction
of a second. With ``noise > 0`` every run draws its own noise (the trainer's
noisy surfaces share one draw across the runs of a batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import MAX_COUNT, check_int, check_rates, check_real, fail, real_array
from .problem import Problem, check_problem
from .well_steps import InPlaceGradient, is_double_well, one_run

__all__ = ["DIVERGED", "UNSETTLED", "BasinMap", "basin_map", "final_points"]

#: Label of a run that did not settle near any minimum.
UNSETTLED = -1
#: Label of a run that diverged.
DIVERGED = -2


@dataclass(frozen=True, eq=False)
class BasinMap:
    """Fate of gradient descent for every (learning rate, start point) pair.

    Attributes
    ----------
    lrs : ndarray, shape (R,)
        Learning rates (rows).
    starts : ndarray, shape (S,)
        Start points along the first coordinate (columns).
    labels : ndarray of int, shape (R, S)
        Index of the minimum each run ended in, :data:`UNSETTLED` or :data:`DIVERGED`.
    final : ndarray, shape (R, S, dim)
        Last iterate of each run (NaN when diverged).
    minima : ndarray, shape (k, dim)
        The problem's minima (label ``k`` refers to ``minima[k]``).
    num_steps : int
    noise : float
    """

    lrs: np.ndarray
    starts: np.ndarray
    labels: np.ndarray
    final: np.ndarray
    minima: np.ndarray
    num_steps: int
    noise: float

    def fraction(self, label: int) -> np.ndarray:
        """Fraction of the start points with ``label``, per learning rate (shape ``(R,)``)."""
        return np.mean(self.labels == label, axis=1)

    def __repr__(self) -> str:
        names = {UNSETTLED: "unsettled", DIVERGED: "diverged"}
        counts = ", ".join(f"{names.get(k, f'minimum {k}')}: {int(np.sum(self.labels == k))}"
                           for k in [*range(len(self.minima)), UNSETTLED, DIVERGED])
        return (f"<BasinMap {len(self.lrs)} lrs x {len(self.starts)} starts, "
                f"{self.num_steps} steps; {counts}>")


def final_points(problem: Problem, lrs: Any, x0: Any, num_steps: int, *, noise: float = 0.0,
                 seed: int = 0, escape: float = 1e6, record_at: Any = None) -> np.ndarray:
    r"""Run :math:`\theta_{t+1} = \theta_t - \eta\,(\nabla f(\theta_t) + \sigma z_t)` for every run.

    Parameters
    ----------
    problem : Problem
        Any problem (its exact gradient ``_grad`` is used; its own ``noise`` is ignored).
    lrs : array
        Learning rates, broadcast against ``x0[..., 0]``.
    x0 : array of shape (..., dim)
        Start points.
    num_steps : int >= 0
    noise : float >= 0
        :math:`\sigma`: standard deviation of independent Gaussian noise added
        to every run's gradient at every step.
    seed : int
        Seed of the noise.
    escape : float > 0
        A run whose iterate leaves the ball of this radius is frozen at NaN.
    record_at : sequence of int in [1, num_steps], optional
        Also keep the iterates after these steps (one run gives the whole path,
        equal to calling this function once per prefix length with the same seed).

    Returns
    -------
    ndarray, shape broadcast(lrs, x0[..., 0]) + (dim,)
        The last iterates (NaN for diverged runs); with ``record_at``, the
        iterates after those steps, stacked first: shape ``(k, ...) + (dim,)``.

    Examples
    --------
    >>> from lrlab import surfaces, train, sgd
    >>> f = surfaces.quadratic([1.0, 4.0], x0=[1.0, 1.0])
    >>> end = final_points(f, [0.1, 0.3], f.x0, 20)
    >>> h = train(f, sgd([0.1, 0.3]), 20)
    >>> bool(np.allclose(end, h.params[-1]))
    True
    """
    owner = "final_points"
    check_problem(problem, owner)
    num_steps = check_int(num_steps, "num_steps", owner, low=0, high=MAX_COUNT)
    noise = check_real(noise, "noise", owner, low=0)
    escape = check_real(escape, "escape", owner, low=0, low_open=True)
    allowed = "finite learning rates > 0 (a float or an array)"
    if isinstance(lrs, bool | np.bool_ | str):
        fail(lrs, "lrs", owner, allowed=allowed, exc=TypeError)
    lrs = real_array(lrs, "lrs", owner, allowed=allowed)
    if lrs.size == 0 or np.any(~np.isfinite(lrs)) or np.any(lrs <= 0):
        fail(lrs, "lrs", owner, allowed=allowed)
    x = _points(x0, "x0", owner, problem.dim)
    try:
        shape = np.broadcast_shapes(lrs.shape, x.shape[:-1])
    except ValueError:
        fail(lrs, "lrs", owner, allowed=f"an array that broadcasts against x0[..., 0] "
             f"(shape {x.shape[:-1]})")
    seed = check_int(seed, "seed", owner, low=0)
    keep = None
    if record_at is not None:
        allowed = f"a non-empty list of steps (ints) in [1, {num_steps}]"
        keep = None if isinstance(record_at, str) else np.asarray(record_at)
        if keep is None or keep.dtype.kind not in "iu" or keep.ndim != 1:
            fail(record_at, "record_at", owner, allowed=allowed, exc=TypeError)
        if keep.size == 0 or keep.min() < 1 or keep.max() > num_steps:
            fail(record_at, "record_at", owner, allowed=allowed)
    n, dim = int(np.prod(shape)), problem.dim
    x = np.broadcast_to(x, (*shape, dim)).reshape(n, dim).copy()
    lr = np.broadcast_to(lrs, shape).reshape(n, 1)
    wanted = set() if keep is None else set(keep.tolist())
    if n == 1 and is_double_well(problem):  # the same steps, in floats: ~30x faster
        z = _normals(seed, num_steps, 1, 1)[:, 0, 0] if noise > 0 else None
        try:
            end, steps = one_run(problem, x[0, 0], float(lr[0, 0]), num_steps, noise, z,
                                 escape, wanted)
        except ZeroDivisionError:  # arrays give inf there; so does the loop below
            pass
        else:
            if keep is not None:
                return np.array([steps[k] for k in keep.tolist()]).reshape(len(keep), *shape, 1)
            return np.full((*shape, 1), end)
    x, path = _iterate(problem, x, lr, num_steps, noise, seed, escape, wanted)
    if keep is not None:
        return np.stack([path[k].reshape(*shape, dim) for k in keep.tolist()])
    return x.reshape(*shape, dim)


#: Steps between two looks for runs that stopped moving (and leave the loop).
_CHECK_EVERY = 8


def _iterate(problem: Problem, x: np.ndarray, lr: np.ndarray, num_steps: int, noise: float,
             seed: int, escape: float, wanted: set) -> tuple[np.ndarray, dict]:
    """The loop of :func:`final_points` on ``n`` runs (``x``: ``(n, dim)``), and the path.

    Only the runs still moving are stepped: a diverged run (NaN) stays NaN, and
    without noise a run whose step left it exactly where it was (``x - lr g(x) == x``
    in floating point) is at a fixed point of the update and stays there. Every
    :data:`_CHECK_EVERY` steps such runs are set aside; what every run ends at is
    bit for bit what stepping all of them to the end gives. The noise of step ``t``
    is row ``t`` of one stream of draws (see :func:`_normals`), whatever runs remain.
    """
    n, dim = x.shape
    z = _normals(seed, num_steps, n, dim) if noise > 0 else None
    done_x, active, path = x, np.arange(n), {}
    grad = InPlaceGradient(problem) if is_double_well(problem) else lambda x: problem._grad(x, None)
    with np.errstate(all="ignore"):
        for step in range(1, num_steps + 1):
            g = grad(x)  # with a double well: its own arithmetic, in kept arrays
            if z is not None:
                g = g + noise * (z[step - 1] if len(active) == n else z[step - 1][active])
            new = x - lr * g
            bad = ~np.all(np.abs(new) < escape, axis=-1, keepdims=True)  # also catches NaN
            if bad.any():
                new = np.where(bad, np.nan, new)
            if step % _CHECK_EVERY == 0 and step < num_steps:
                still = bad[:, 0] if z is not None else bad[:, 0] | np.all(new == x, axis=-1)
                if still.any():  # a fixed point (or NaN) from here to the end
                    if done_x is x:
                        done_x = x.copy()
                    done_x[active[still]] = new[still]
                    moving = ~still
                    active, new, lr = active[moving], new[moving], lr[moving]
            x = new
            if step in wanted:
                full = done_x.copy()
                full[active] = x
                path[step] = full
    if len(active) == n:
        return x, path
    done_x[active] = x
    return done_x, path


#: Draws kept between calls: one stream as large as a 110 x 150 basin map of 300 steps.
_KEEP_DRAWS = 5_000_000


def _normals(seed: int, num_steps: int, n: int, dim: int) -> np.ndarray:
    """Standard normal draws of shape ``(num_steps, n, dim)`` from ``default_rng(seed)``.

    In the order of one draw of ``(n, dim)`` per step (one stream, C order). The
    last large stream is kept (up to :data:`_KEEP_DRAWS` numbers, 40 MB): a basin
    map redrawn at another noise level or curvature draws no numbers again.
    """
    key = (seed, n, dim)
    kept = _DRAWS.get(key)
    if kept is not None and len(kept) >= num_steps:
        return kept[:num_steps]
    draws = np.random.default_rng(seed).standard_normal((num_steps, n, dim))
    if draws.size <= _KEEP_DRAWS and draws.size >= 100_000:
        draws.flags.writeable = False
        _DRAWS.clear()
        _DRAWS[key] = draws
    return draws


_DRAWS: dict = {}


def basin_map(problem: Problem, lrs: Any, starts: Any, num_steps: int = 300, *,
              noise: float = 0.0, seed: int = 0, tol: float = 0.05,
              escape: float = 1e6) -> BasinMap:
    r"""Label every (learning rate, start) pair by the minimum gradient descent ends in.

    Parameters
    ----------
    problem : Problem
        A problem with ``minima`` (e.g. :func:`lrlab.surfaces.double_well`).
    lrs : array of shape (R,)
        Learning rates (> 0).
    starts : array of shape (S,) or (S, dim)
        Start points; plain numbers set the first coordinate and the other
        coordinates come from ``problem.x0``.
    num_steps : int
        Steps per run.
    noise : float >= 0
        Independent gradient noise per run and step (see :func:`final_points`).
    seed : int
        Seed of the noise.
    tol : float > 0
        A run *ended in* minimum ``k`` when its last iterate is within ``tol``
        (Euclidean) of ``minima[k]`` and, without noise, one more step moves
        it by less than ``tol / 10`` (a run bouncing in a small cycle around
        a minimum it cannot converge to is "not settled"). With noise, use a
        tolerance larger than the noise's spread, or read the labels as
        "which side".
    escape : float
        Radius beyond which a run counts as diverged.

    Returns
    -------
    BasinMap

    Examples
    --------
    The double well's sharp minimum (curvature 20) is unstable above
    ``2/20 = 0.1``; the flat one (curvature 1) below 2:

    >>> from lrlab.surfaces import double_well
    >>> bm = basin_map(double_well(), [0.05, 0.5], [-1.2, 1.2], 400)
    >>> bm.labels.tolist()          # rows: lr; columns: start; 0 = sharp, 1 = flat
    [[0, 1], [1, 1]]
    """
    owner = "basin_map"
    check_problem(problem, owner)
    minima = getattr(problem, "minima", None)
    if minima is None or len(minima) == 0:
        fail(problem.name, "problem", owner, allowed="a problem with known minima")
    minima = np.asarray(minima, dtype=float)
    tol = check_real(tol, "tol", owner, low=0, low_open=True)
    lrs = check_rates(lrs, "lrs", owner)
    num_steps = check_int(num_steps, "num_steps", owner, low=0, high=MAX_COUNT)
    s = real_array(starts, "starts", owner, allowed="finite start points, not complex or boolean")
    if s.size == 0 or not np.all(np.isfinite(s)):
        fail(starts, "starts", owner, allowed="a non-empty array of finite start points")
    if s.ndim == 1:
        pts = np.tile(problem.x0, (len(s), 1))
        pts[:, 0] = s
    elif s.ndim == 2 and s.shape[1] == problem.dim:
        pts = s
    else:
        fail(s.shape, "starts", owner, allowed=f"an array of shape (S,) or (S, {problem.dim})")
    end = final_points(problem, lrs[:, None], pts[None, :, :], num_steps, noise=noise,
                       seed=seed, escape=escape)
    with np.errstate(invalid="ignore"):
        dist = np.linalg.norm(end[..., None, :] - minima, axis=-1)  # (R, S, k)
    diverged = ~np.all(np.isfinite(end), axis=-1)
    safe = np.where(np.isfinite(dist), dist, np.inf)
    nearest = np.argmin(safe, axis=-1)
    close = np.take_along_axis(safe, nearest[..., None], axis=-1)[..., 0] <= tol
    if noise == 0:
        after = final_points(problem, lrs[:, None], np.where(np.isfinite(end), end, 0.0), 1,
                             escape=escape)
        with np.errstate(invalid="ignore"):
            close &= np.linalg.norm(after - end, axis=-1) < 0.1 * tol
    labels = np.where(diverged, DIVERGED, np.where(close, nearest, UNSETTLED))
    return BasinMap(lrs, pts[:, 0].copy(), labels.astype(int), end, minima, num_steps,
                    float(noise))


def _points(value: Any, name: str, owner: str, dim: int) -> np.ndarray:
    """Start points of shape ``(..., dim)``: real (not complex, not boolean) and finite."""
    x = real_array(value, name, owner, allowed=f"a real array of shape (..., {dim})")
    if x.shape[-1:] != (dim,):
        fail(x.shape, name, owner, allowed=f"an array of shape (..., {dim})")
    if not np.all(np.isfinite(x)):
        fail(value, name, owner, allowed="finite start points")
    return x
