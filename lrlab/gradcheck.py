r"""Gradient check: is the learner's backpropagation right?

Check the gradient before tuning any learning rate: no rate fixes a wrong gradient, and a
buggy one often still lowers the loss a little, so the bug hides behind "SGD is slow".
Andrew Ng's CS294A (UFLDL) notes and Karpathy's CS231n notes prescribe the same test:
compare the analytic gradient with central differences,

.. math::
    \frac{\partial f}{\partial\theta_i} \approx
    \frac{f(\theta + h_i e_i) - f(\theta - h_i e_i)}{2 h_i},\qquad
    \nabla f^\top u \approx \frac{f(\theta + h u) - f(\theta - h u)}{2h},

per coordinate and along random unit directions :math:`u` (a direction mixes every
coordinate, so a few check a large network cheaply), in float64, with steps relative to the
parameters, :math:`h_i = 10^{-5}\max(1, |\theta_i|)` and
:math:`h = 10^{-5}\max(1, \lVert\theta\rVert/\sqrt{d})` (the error is :math:`O(h^2)`;
below :math:`10^{-5}` rounding takes over). The relative error

.. math:: e = \frac{\lVert a - n\rVert}{\max(\lVert a\rVert, \lVert n\rVert)}

(analytic :math:`a`, numerical :math:`n`; CS231n's formula, for a vector the norm) reads on
CS231n's scale: below :math:`10^{-7}` right, :math:`10^{-7}` to :math:`10^{-4}` suspicious,
above :math:`10^{-4}` wrong. Kinks (ReLU, max, abs at 0) make a coordinate disagree when
:math:`\theta_i \pm h_i` straddles one: check it again at another point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import MAX_COUNT, check_int, check_real, check_theta, fail
from .problem import Problem

__all__ = ["GOOD", "WRONG", "GradCheck", "check_grad"]

#: Relative errors below this are "good" (CS231n: "you should be happy").
GOOD = 1e-7
#: Relative errors above this are "wrong" (CS231n: "probably wrong" above 1e-4 without kinks).
WRONG = 1e-4


@dataclass(frozen=True, eq=False)
class GradCheck:
    """The outcome of :func:`check_grad`.

    Attributes
    ----------
    verdict : str
        'good', 'suspicious' or 'wrong'.
    error : float
        The relative error the verdict reads: the larger of the coordinate check's
        ``||a - n|| / max(||a||, ||n||)`` and the worst direction.
    coordinate_error : float
        That ratio over the checked coordinates.
    direction_errors : ndarray
        Relative error along each random direction.
    coordinates : ndarray of int
        The checked coordinates (all of them up to ``max_coordinates``).
    errors : ndarray
        Per checked coordinate, ``|a_i - n_i| / max(|a_i|, |n_i|, 1e-3 max_j |a_j|)`` (the
        floor: a coordinate a thousandth of the largest does not fail on rounding).
    analytic, numeric : ndarray
        The two gradients at the checked coordinates.
    blocks : dict
        Parameter block name -> its relative error (for problems with ``param_slices``).
    worst : list of tuple
        ``(name, index, analytic, numeric, error)`` of the worst coordinates.
    factor : float or None
        When the analytic gradient is a constant multiple of the numerical one (a missing
        1/2 or 1/m), that multiple.
    step : float
        The relative step ``h``.
    message : str
        The verdict in words.
    """

    verdict: str
    error: float
    coordinate_error: float
    direction_errors: np.ndarray
    coordinates: np.ndarray
    errors: np.ndarray
    analytic: np.ndarray
    numeric: np.ndarray
    blocks: dict
    worst: list
    factor: float | None
    step: float
    message: str
    settings: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when the verdict is 'good'."""
        return self.verdict == "good"

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"<GradCheck {self.verdict}: relative error {self.error:.2g}>"

    def _repr_markdown_(self) -> str:
        return "```\n" + self.message + "\n```"


class _Functions:
    """loss(theta) and grad(theta) of one parameter vector, as given by the learner."""

    def __init__(self, loss: Callable, grad: Callable, dim: int, owner: str):
        self.loss_fn, self.grad_fn, self.dim, self.owner = loss, grad, dim, owner

    def losses(self, thetas: np.ndarray) -> np.ndarray:
        values = [self.loss_fn(theta.copy()) for theta in thetas]
        if any(np.ndim(v) != 0 for v in values):
            raise ValueError(f"{self.owner}: loss(theta) must return one number for theta of "
                             f"shape ({self.dim},); it returned an array of shape "
                             f"{next(np.shape(v) for v in values if np.ndim(v))}.")
        return np.array(values, dtype=float)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(self.grad_fn(theta.copy()), dtype=float)


class _ProblemFunctions:
    """An lrlab Problem: loss evaluated for many parameter vectors in one call."""

    def __init__(self, problem: Problem, batch: Any):
        self.problem, self.batch, self.dim = problem, batch, problem.dim
        # many points per call pay off for small problems, not for networks (strided matmuls)
        self.chunk = max(1, 2**20 // max(problem.dim, problem.n_samples or 1)) \
            if problem.dim <= 64 else 1

    def losses(self, thetas: np.ndarray) -> np.ndarray:
        parts = [np.asarray(self.problem.loss(thetas[s:s + self.chunk], self.batch),
                            dtype=float).reshape(-1)
                 for s in range(0, len(thetas), self.chunk)]
        return np.concatenate(parts) if parts else np.empty(0)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return np.asarray(self.problem.grad(theta, self.batch), dtype=float)


def _relative(a: np.ndarray, n: np.ndarray) -> float:
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(n)))
    return float(np.linalg.norm(a - n)) / scale if scale > 0 else 0.0


def _verdict(error: float) -> str:
    return "good" if error < GOOD else "wrong" if error > WRONG else "suspicious"


def check_grad(
    problem: Any,
    theta: Any = None,
    *,
    grad: Callable | None = None,
    batch: Any = None,
    num_directions: int = 10,
    max_coordinates: int = 200,
    step: float = 1e-5,
    names: dict | None = None,
    seed: int = 0,
) -> GradCheck:
    r"""Compare the learner's gradient with central differences; say whether it is right.

    Parameters
    ----------
    problem : Problem, (loss, grad) pair, or callable
        An lrlab :class:`~lrlab.Problem` (its ``grad`` is checked against its ``loss``), a
        pair of functions ``(loss, grad)`` of one parameter vector of shape ``(dim,)``, or
        ``loss`` alone with ``grad=``.
    theta : array of shape (dim,), optional
        Where to check (``problem.x0`` by default; required for plain functions). Check
        at a random point rather than at zero: symmetric points hide bugs.
    grad : callable, optional
        ``grad(theta) -> array of shape (dim,)`` when ``problem`` is a loss function.
    batch : optional
        The batch a Problem's loss and gradient use (``None``: the full data).
    num_directions : int >= 0
        Random unit directions to check.
    max_coordinates : int >= 0
        Check every coordinate up to this many; above, this many (half the largest
        gradient entries, half at random, and some in every named block).
    step : float in (0, 1e-2]
        Relative step ``h`` of the central differences.
    names : dict of str to slice, optional
        Names of parameter blocks (``{'W1': slice(0, 12), ...}``) for the report; a
        Problem's ``param_slices`` by default.
    seed : int
        Seed of the directions and the sampled coordinates.

    Returns
    -------
    GradCheck
        ``.verdict`` ('good', 'suspicious', 'wrong'), ``.error``, ``.worst``, and the
        report in words (``print(result)``).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[3.0, 1.0], [1.0, 2.0]])
    >>> loss = lambda w: 0.5 * w @ A @ w
    >>> check_grad((loss, lambda w: A @ w), [1.0, -2.0]).verdict
    'good'
    >>> check_grad((loss, lambda w: A.T @ w * 2), [1.0, -2.0]).factor   # a factor of 2
    2.0
    """
    owner = "check_grad"
    num_directions = check_int(num_directions, "num_directions", owner, low=0, high=MAX_COUNT)
    max_coordinates = check_int(max_coordinates, "max_coordinates", owner, low=0, high=MAX_COUNT)
    if num_directions == 0 and max_coordinates == 0:
        fail(0, "num_directions", owner, allowed="> 0 when max_coordinates is 0 (nothing to check)")
    step = check_real(step, "step", owner, low=0, high=1e-2, low_open=True)
    seed = check_int(seed, "seed", owner, low=0)
    fns, theta, names = _inputs(problem, theta, grad, batch, names, owner)
    dim = fns.dim
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        f0 = float(fns.losses(theta[None])[0])
        if not math.isfinite(f0):
            raise ValueError(f"{owner}: the loss at theta is {f0}; check the gradient at a "
                             "point where the loss is finite.")
        g = fns.grad(theta)
        if g.shape != (dim,):
            raise ValueError(f"{owner}: the gradient must have shape ({dim},), like theta; it "
                             f"has shape {g.shape}.")
        bad = np.flatnonzero(~np.isfinite(g))
        if bad.size:
            raise ValueError(f"{owner}: the gradient is not finite at coordinates "
                             f"{bad[:10].tolist()} (loss {f0:.4g} is finite).")
        # coordinates
        coords = np.arange(dim) if dim <= max_coordinates else _sample(g, max_coordinates,
                                                                       names, rng)
        h = step * np.maximum(1.0, np.abs(theta[coords]))
        plus = np.repeat(theta[None], len(coords), axis=0)
        minus = plus.copy()
        rows = np.arange(len(coords))
        plus[rows, coords] += h
        minus[rows, coords] -= h
        numeric = (fns.losses(plus) - fns.losses(minus)) / (2 * h)
        # directions
        u = rng.standard_normal((num_directions, dim))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        hd = step * max(1.0, float(np.linalg.norm(theta)) / math.sqrt(dim))
        d_num = (fns.losses(theta + hd * u) - fns.losses(theta - hd * u)) / (2 * hd)
    if not (np.all(np.isfinite(numeric)) and np.all(np.isfinite(d_num))):
        raise ValueError(f"{owner}: the loss is not finite within {step:g} (relative) of "
                         "theta; check at another point or with a smaller step.")
    analytic = g[coords]
    d_ana = u @ g
    gscale = float(np.linalg.norm(g))
    d_err = np.abs(d_ana - d_num) / np.maximum(np.maximum(np.abs(d_ana), np.abs(d_num)),
                                               max(1e-3 * gscale, 1e-300))
    coord_error = _relative(analytic, numeric) if len(coords) else 0.0
    floor = max(1e-3 * float(np.max(np.abs(np.r_[analytic, numeric]), initial=0.0)), 1e-300)
    errors = np.abs(analytic - numeric) / np.maximum(
        np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    error = max(coord_error, float(d_err.max(initial=0.0)))
    verdict = _verdict(error)
    if verdict == "good" and errors.size and errors.max() > WRONG:
        verdict = "suspicious"   # right as a whole, but a few coordinates disagree
    block_of = _block_names(names, dim)
    inside = {name: np.isin(coords, np.arange(dim)[sl]) for name, sl in names.items()}
    blocks = {name: _relative(analytic[m], numeric[m]) for name, m in inside.items() if m.any()}
    order = np.argsort(-errors)[:5]
    worst = [(_coord_name(block_of, names, int(coords[k])), int(coords[k]),
              float(analytic[k]), float(numeric[k]), float(errors[k])) for k in order]
    factor = _constant_factor(analytic, numeric)
    message = _message(verdict, error, coord_error, d_err, len(coords), dim, blocks, worst,
                       factor, step)
    settings = {"num_directions": num_directions, "max_coordinates": max_coordinates,
                "step": step, "seed": seed, "loss": f0}
    return GradCheck(verdict, error, coord_error, d_err, coords, errors, analytic, numeric,
                     blocks, worst, factor, step, message, settings)


def _inputs(problem, theta, grad, batch, names, owner):
    """The evaluator, the float64 point and the block names, with clear errors."""
    if isinstance(problem, Problem):
        if grad is not None:
            fail(grad, "grad", owner, allowed="None for a Problem (its own grad is checked)",
                 exc=TypeError)
        start = problem.x0 if theta is None else theta
        theta = check_theta(start, "theta", owner, dim=problem.dim)
        if theta.ndim != 1 or not np.all(np.isfinite(theta)):
            fail(theta, "theta", owner,
                 allowed=f"one finite parameter vector of shape ({problem.dim},)")
        names = dict(getattr(problem, "param_slices", None) or {}) if names is None else names
        fns = _ProblemFunctions(problem, batch)
    else:
        if isinstance(problem, tuple | list) and len(problem) == 2 and grad is None:
            loss, grad = problem
        else:
            loss = problem
        if not callable(loss) or not callable(grad):
            fail(problem, "problem", owner,
                 allowed="an lrlab Problem, a pair (loss, grad) of functions of "
                         "theta, or loss with grad=", exc=TypeError)
        if batch is not None:
            fail(batch, "batch", owner,
                 allowed="None for plain functions (close over the batch instead)", exc=TypeError)
        if theta is None:
            raise TypeError(f"{owner}: plain functions need theta, the parameter vector at "
                            "which to check the gradient (e.g. your network's initial "
                            "weights, flattened).")
        theta = np.asarray(theta, dtype=float)
        if theta.ndim != 1 or theta.size == 0 or not np.all(np.isfinite(theta)):
            fail(theta, "theta", owner, allowed="a non-empty 1-D array of finite floats")
        fns = _Functions(loss, grad, theta.size, owner)
        names = {} if names is None else names
    if not isinstance(names, dict):
        fail(names, "names", owner, allowed="a dict of block name -> slice", exc=TypeError)
    return fns, np.array(theta, dtype=float), names


def _sample(g: np.ndarray, k: int, names: dict, rng: np.random.Generator) -> np.ndarray:
    """k coordinates: half the largest gradient entries, half at random, and a few (up to
    5) in every named block the draw missed (a small bias vector is easy to miss)."""
    top = np.argsort(-np.abs(g))[: k // 2]
    rest = np.setdiff1d(np.arange(g.size), top)
    coords = np.r_[top, rng.choice(rest, k - len(top), replace=False)]
    for sl in names.values():
        block = np.arange(g.size)[sl]
        if block.size and not np.isin(block, coords).any():
            coords = np.r_[coords, rng.choice(block, min(5, block.size), replace=False)]
    return np.sort(coords)


def _block_names(names: dict, dim: int) -> np.ndarray:
    of = np.full(dim, "", dtype=object)
    for name, sl in names.items():
        of[sl] = name
    return of


def _coord_name(block_of: np.ndarray, names: dict, i: int) -> str:
    name = block_of[i]
    if not name:
        return f"theta[{i}]"
    start = np.flatnonzero(block_of == name)[0]
    return f"{name}[{i - start}]"


def _constant_factor(a: np.ndarray, n: np.ndarray) -> float | None:
    """``c`` when ``a`` is ``c * n`` to 1e-3 with ``c`` away from 1 (a missing 1/2, 1/m)."""
    nn = float(n @ n)
    if nn == 0 or a.size < 2:
        return None
    c = float(a @ n) / nn
    if abs(c - 1) > 1e-3 and np.linalg.norm(a - c * n) <= 1e-3 * np.linalg.norm(a):
        return round(c, 6)
    return None


def _message(verdict, error, coord_error, d_err, n_coords, dim, blocks, worst, factor, step):
    checked = (f"{n_coords} of {dim} coordinates" if n_coords < dim else
               f"all {dim} coordinates") + f" and {len(d_err)} random directions"
    lines = []
    if verdict == "good":
        lines.append(f"The gradient is right: relative error {error:.1e} over {checked} "
                     f"(below {GOOD:g}).")
    elif verdict == "suspicious" and error < GOOD:
        lines.append(f"The gradient is right as a whole (relative error {error:.1e} over "
                     f"{checked}), but some coordinates disagree by more than {WRONG:g}: "
                     "a kink (ReLU, max, abs at 0) under the step, or a bug in a small part.")
    elif verdict == "suspicious":
        lines.append(f"The gradient is suspicious: relative error {error:.1e} over {checked} "
                     f"(between {GOOD:g} and {WRONG:g}). With kinks (ReLU, max) this can be "
                     "fine; with smooth functions (tanh, softmax) look for a small bug.")
    else:
        lines.append(f"The gradient is wrong: relative error {error:.2g} over {checked} "
                     f"(above {WRONG:g}). Fix the backpropagation before tuning any "
                     "learning rate.")
    lines.append(f"  coordinates: {coord_error:.2g}; directions: worst "
                 f"{float(np.max(d_err, initial=0.0)):.2g}")
    if factor is not None:
        lines.append(f"  The analytic gradient is {factor:.4g} x the numerical one everywhere:"
                     " a constant factor (a missing 1/2 or 1/m, or a term counted twice).")
    if blocks:
        parts = [f"{name} {err:.1g}" + (" <-" if err > WRONG else "")
                 for name, err in blocks.items()]
        lines.append("  by block: " + ", ".join(parts))
    n_bad = sum(1 for w in worst if w[4] > WRONG)
    if verdict == "wrong" and 0 < n_bad <= 2 and n_coords >= 20:
        lines.append(f"  Only {n_bad} checked coordinate(s) disagree: if the loss has kinks "
                     "(ReLU, max, abs), one may lie within the step of theta; check again at "
                     "another theta before hunting for a bug.")
    if verdict != "good":
        lines += ["  worst coordinates (analytic vs numerical):"] + [
            f"    {name}: {a:.6g} vs {n:.6g} (error {e:.2g})" for name, _, a, n, e in worst[:3]]
    lines.append(f"  (central differences, relative step {step:g}, float64)")
    return "\n".join(lines)
