"""Shared machinery of the analytic surfaces (package-private).

:class:`Surface` is a :class:`~lrlab.problem.Problem` with no data: its loss
is a closed-form function of ``theta`` and its Hessian is exact. Subclasses
call :meth:`Surface._setup` once in ``__init__`` with validated metadata and
implement ``_loss``, ``_grad`` and ``_hessian``; gradient noise (the
``noise`` attribute) is added by :class:`~lrlab.problem.Problem`.

The helpers below give every factory in :mod:`lrlab.surfaces` the same
argument checks and messages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_real, fail, real_array
from ..problem import Problem

__all__ = ["Surface", "check_noise", "check_vector", "matrix_2x2", "stack_last"]


class Surface(Problem):
    """Base class of the analytic surfaces: metadata, a formula and an exact Hessian.

    Attributes
    ----------
    formula : str
        The loss as LaTeX (no ``$``), for plot titles and notebooks.

    See :class:`~lrlab.problem.Problem` for the other attributes.
    """

    formula: str = ""

    def _setup(
        self,
        *,
        owner: str,
        name: str,
        dim: int,
        x0: Any,
        default_x0: Any,
        noise: Any,
        bounds: Any,
        minima: Any,
        f_star: float | None,
        smoothness: float | None = None,
        strong_convexity: float | None = None,
        formula: str = "",
    ) -> None:
        if not isinstance(name, str) or not name:
            fail(name, "name", owner, allowed="a non-empty str",
                 exc=ValueError if isinstance(name, str) else TypeError)
        self.name = name
        self.dim = int(dim)
        self.noise = check_noise(noise, owner)
        start = default_x0 if x0 is None else x0
        self.x0 = check_vector(start, "x0", owner, self.dim)
        self.bounds = tuple((float(lo), float(hi)) for lo, hi in bounds)
        self.minima = np.asarray(minima, dtype=float).reshape(-1, self.dim)
        self.f_star = None if f_star is None else float(f_star)
        self.smoothness = None if smoothness is None else float(smoothness)
        self.strong_convexity = None if strong_convexity is None else float(strong_convexity)
        self.formula = formula

    def _repr_latex_(self) -> str:
        return f"$f(\\theta) = {self.formula}$" if self.formula else ""

    def _hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        return np.einsum("...ij,...j->...i", self._hessian(theta), v)


def check_noise(noise: Any, owner: str) -> float:
    """The gradient-noise level: a finite float >= 0."""
    return check_real(noise, "noise", owner, low=0)


def check_vector(value: Any, name: str, owner: str, dim: int) -> np.ndarray:
    """A finite float vector of shape ``(dim,)`` (a plain number is accepted when ``dim == 1``)."""
    allowed = f"a finite array of shape ({dim},)" + (" or a float" if dim == 1 else "")
    if isinstance(value, bool | np.bool_):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    arr = real_array(value, name, owner, allowed=allowed)
    if dim == 1 and arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.shape != (dim,) or not np.all(np.isfinite(arr)):
        fail(value, name, owner, allowed=allowed)
    return arr.copy()


def stack_last(*columns: np.ndarray) -> np.ndarray:
    """Stack arrays (broadcast to a common shape) along a new last axis.

    Written with one ``empty`` and slice assignments rather than
    ``np.stack(np.broadcast_arrays(...))``: it sits in every gradient of the
    training loop, and this is about 3x cheaper for small arrays.

    >>> stack_last(np.array([1.0, 2.0]), 3.0)
    array([[1., 3.],
           [2., 3.]])
    """
    shapes = {np.shape(c) for c in columns}
    shape = shapes.pop() if len(shapes) == 1 else np.broadcast_shapes(*shapes)
    out = np.empty((*shape, len(columns)))
    for i, column in enumerate(columns):
        out[..., i] = column
    return out


def matrix_2x2(a: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The symmetric 2x2 matrices ``[[a, b], [b, d]]`` of shape ``(..., 2, 2)``."""
    return stack_last(stack_last(a, b), stack_last(b, d))
