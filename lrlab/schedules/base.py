"""The :class:`Schedule` base class: a pure, immutable function of the step.

A schedule maps the 0-based step ``t`` to a learning rate. Subclasses are
frozen dataclasses whose fields are the hyperparameters (one source of truth
for ``repr``); they validate those fields in ``_validate`` and implement the
closed form in ``_eval``. This module holds what they share: the checks of
``t`` and of base rates, the output convention and the notebook display.

Shapes
------
Base rates (``lr``, ``final_lr``, ``base_lr``, ``max_lr``) may be arrays, one
entry per run; their broadcast shape is the schedule's ``run_shape`` ``R``.
The step ``t`` is an ``int`` or an integer array of shape ``S``. Then
``lr(t)`` has shape ``S + R``: the step axes first, like ``History.lr``
(shape ``(num_steps, *R)``). A result of shape ``()`` is a Python ``float``.
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .._validation import check_real, fail, fmt, run_shape

__all__ = ["Schedule", "check_increasing", "check_rate", "check_steps", "set_field"]


@dataclass(frozen=True, eq=False, repr=False)
class Schedule:
    """Base class of lrlab's schedules: ``lr(t)`` for the 0-based step ``t``.

    Subclasses define ``name`` (the factory's name), ``formula`` (LaTeX of
    the closed form that ``_eval`` computes, without ``$``), ``torch`` (the
    PyTorch counterpart and how it relates), ``_validate`` and ``_eval``.
    Calling a schedule never changes it: it has no state.
    """

    name = "schedule"

    def __post_init__(self) -> None:
        self._validate()
        shape = self._run_shape()
        object.__setattr__(self, "_shape", shape)

    # -- to override ------------------------------------------------------
    def _validate(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _eval(self, t: Any) -> Any:  # pragma: no cover - every subclass overrides it
        """The closed form on validated steps: an int64 array of shape
        ``(N,) + (1,) * len(run_shape)``, which broadcasts against the rates
        to ``(N,) + run_shape``."""
        raise NotImplementedError

    def _check(self, field: str, check: Any, **kwargs: Any) -> None:
        """Validate a field with ``check(value, field, self.name, **kwargs)`` and store
        the normalised value (the dataclass is frozen, so this is the one way in)."""
        object.__setattr__(self, field, check(getattr(self, field), field, self.name, **kwargs))

    def _rates(self) -> tuple:
        """The base-rate fields (floats or arrays) that set the run shape."""
        return ()

    def _run_shape(self) -> tuple:
        return run_shape(*self._rates(), owner=self.name)

    @property
    def formula(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def torch(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    # -- public -------------------------------------------------------------
    @property
    def run_shape(self) -> tuple:
        """Broadcast shape of the array base rates (``()`` for scalars)."""
        return self._shape

    def __call__(self, t: Any) -> float | np.ndarray:
        """The learning rate at step ``t`` (an int >= 0, or an integer array of steps)."""
        steps = np.asarray(check_steps(t, f"{self.name} schedule"), dtype=np.int64)
        # One code path for one step and for many: numpy rounds some 0-d
        # operations differently (x ** 2 is x * x), so steps are always a 1-D
        # array here, reshaped to S + run_shape at the end.
        flat = steps.reshape((-1,) + (1,) * len(self._shape))
        with np.errstate(over="ignore", under="ignore"):
            value = np.asarray(self._eval(flat), dtype=float)
        value = np.broadcast_to(value, (flat.shape[0], *self._shape))
        return as_output(value.reshape(steps.shape + self._shape))

    def __repr__(self) -> str:
        args = ", ".join(
            f"{f.name}={fmt(getattr(self, f.name))}" for f in fields(self) if f.init
        )
        return f"{self.name}({args})"

    def _symbols(self) -> tuple:
        """``(latex symbol, value)`` pairs shown after the formula in a notebook."""
        return ()

    def _legend(self) -> str:
        return r",\; ".join(f"{sym} = {latex_value(v)}" for sym, v in self._symbols())

    def _repr_latex_(self) -> str:
        legend = self._legend()
        legend = rf"\qquad {legend}" if legend else ""
        return rf"$\mathbf{{{latex_name(self.name)}}}\quad {self.formula}{legend}$"

    def _repr_markdown_(self) -> str:
        return f"**{self.name}** `{self!r}`\n\n$${self.formula}$$"


def latex_name(name: str) -> str:
    """A schedule's name for LaTeX math (``one_cycle`` -> ``one\\_cycle``)."""
    return name.replace("_", r"\_")


def latex_value(value: Any) -> str:
    """A number for a LaTeX legend (arrays as a short list or their shape)."""
    if isinstance(value, np.ndarray):
        if value.size > 4:
            return rf"\text{{array of shape }}{value.shape}"
        return "(" + ", ".join(f"{v:.4g}" for v in value.ravel()) + ")"
    if isinstance(value, float):
        text = f"{value:.4g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            return rf"{mantissa} \times 10^{{{int(exponent)}}}"
        return text
    return str(value)


def as_output(value: Any) -> float | np.ndarray:
    """A Python float for a 0-d result, else a float64 array (a fresh, writable one)."""
    arr = np.array(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def check_steps(t: Any, owner: str) -> int | np.ndarray:
    """Check a step: an int >= 0, or an integer numpy array of them.

    >>> check_steps(3, "cosine schedule")
    3
    >>> check_steps(-1, "cosine schedule")
    Traceback (most recent call last):
    ...
    ValueError: The 't' parameter of cosine schedule must be an int >= 0 or an integer array of them. Got -1 instead.
    """  # noqa: E501
    allowed = "an int >= 0 or an integer array of them"
    if isinstance(t, np.ndarray):
        if t.dtype == bool or not np.issubdtype(t.dtype, np.integer):
            fail(t, "t", owner, allowed=allowed, exc=TypeError)
        if t.size and t.min() < 0:
            fail(t, "t", owner, allowed=allowed)
        return t.astype(np.int64)
    if isinstance(t, bool | np.bool_) or not isinstance(t, numbers.Integral):
        fail(t, "t", owner, allowed=allowed, exc=TypeError)
    if t < 0:
        fail(t, "t", owner, allowed=allowed)
    if t >= 2**63:  # steps are int64 inside
        fail(t, "t", owner, allowed=allowed + " below 2**63")
    return int(t)


def check_rate(value: Any, name: str, owner: str, *, positive: bool = True) -> Any:
    """A base rate: a finite float or array of them, > 0 (or >= 0).

    Returns a float, or a read-only float64 array (so the schedule stays immutable).
    """
    out = check_real(value, name, owner, low=0, low_open=positive, allow_array=True)
    if isinstance(out, np.ndarray):
        if out.ndim == 0:
            return float(out)
        out = out.copy()
        out.flags.writeable = False
    return out


def check_increasing(values: Any, name: str, owner: str, *, low: int) -> tuple:
    """A strictly increasing sequence of ints >= ``low`` (milestones, boundaries), as a tuple."""
    allowed = f"a strictly increasing sequence of ints >= {low}"
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        fail(values, name, owner, allowed=allowed, exc=TypeError)
    items = list(values.tolist() if isinstance(values, np.ndarray) else values)
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool | np.bool_)
               for v in items):
        fail(values, name, owner, allowed=allowed, exc=TypeError)
    items = [int(v) for v in items]
    if any(v < low for v in items) or any(b <= a for a, b in itertools.pairwise(items)):
        fail(values, name, owner, allowed=allowed)
    return tuple(items)


def set_field(obj: Schedule, name: str, value: Any) -> None:
    """Store a validated value on a frozen schedule (from ``_validate`` only)."""
    object.__setattr__(obj, name, value)
