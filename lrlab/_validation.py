"""One place for argument checks and their messages.

Every public factory in lrlab validates its arguments when it is called, and
every message has the same shape (borrowed from scikit-learn's
``_param_validation``)::

    The 'lr' parameter of sgd must be a positive finite float or array, or a
    schedule. Got -1 instead.

so a learner always learns *which* argument is wrong, *what* is allowed and
*what* they passed. Every helper takes ``(value, name, owner, ...)``: the value,
the argument's name, the function it belongs to, then keyword options.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

#: Largest count of steps, samples, units or runs lrlab accepts (10**30 is not a size).
MAX_COUNT = 10**9

__all__ = [
    "MAX_COUNT",
    "check_array",
    "check_bool",
    "check_bool_or",
    "check_choice",
    "check_int",
    "check_lr",
    "check_rates",
    "check_real",
    "check_theta",
    "fail",
    "fmt",
    "real_array",
    "run_shape",
]


def fail(value: Any, name: str, owner: str, *, allowed: str, exc: type = ValueError):
    """Raise ``exc`` with lrlab's standard message and never return.

    >>> fail(-1, "lr", "sgd", allowed="a positive float")
    Traceback (most recent call last):
    ...
    ValueError: The 'lr' parameter of sgd must be a positive float. Got -1 instead.
    """
    raise exc(f"The {name!r} parameter of {owner} must be {allowed}. Got {_short(value)} instead.")


def _short(value: Any) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            return f"array({np.array2string(value, separator=', ')})"
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def fmt(value: Any, *, digits: int | None = None, max_items: int = 4) -> str:
    """Short text of a value: code that rebuilds it, or numbers rounded for feedback.

    The one formatter of lrlab's reprs (rules, schedules: ``digits=None``, every digit
    kept, a small array written as the list that rebuilds it, a function by its name)
    and of the self-checks' feedback (``digits=6``: numbers to that many significant
    digits, lists of numbers as arrays). Arrays of more than ``max_items`` entries
    show their shape instead.

    >>> fmt((0.9, 0.999)), fmt(np.array([0.1, 0.2])), fmt(np.ones(5))
    ('(0.9, 0.999)', '[0.1, 0.2]', 'array(shape=(5,))')
    >>> fmt(1 / 3, digits=6), fmt([1 / 3], digits=6), fmt(np.ones(9), digits=6)
    ('0.333333', '[0.333333]', 'an array of shape (9,)')
    """
    if digits is not None and not isinstance(value, tuple | str):
        arr = _numeric_array(value)
        if arr is not None:
            value = arr
    if isinstance(value, tuple | list):
        inner = ", ".join(fmt(v, digits=digits, max_items=max_items) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        if value.size > max_items:
            return (f"array(shape={value.shape})" if digits is None
                    else f"an array of shape {value.shape}")
        if digits is None:
            return fmt(value.tolist())
        if value.ndim == 0:
            return f"{float(value):.{digits}g}"
        return np.array2string(value, precision=digits, separator=", ")
    if callable(value) and not isinstance(value, type) and hasattr(value, "__name__"):
        return value.__name__
    text = repr(value)
    return text if digits is None else text[:80]


def _numeric_array(value: Any) -> np.ndarray | None:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None


def run_shape(*values: Any, owner: str | None = None) -> tuple:
    """Broadcast shape of run-shaped values (arrays of hyperparameters or rates).

    A callable (a schedule) counts by its value at step 0. Shapes that do not
    broadcast are an error naming ``owner``.

    >>> run_shape(0.1, np.ones(3), lambda t: np.ones(3))
    (3,)
    >>> run_shape(np.ones(2), np.ones(3), owner="cyclic")
    Traceback (most recent call last):
    ...
    ValueError: The array arguments of cyclic must broadcast to one run shape; got shapes [(2,), (3,)].
    """
    shapes = [np.shape(v(0) if callable(v) else v) for v in values]
    try:
        return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
    except ValueError:
        raise ValueError(f"The array arguments of {owner or 'this rule'} must broadcast to one "
                         f"run shape; got shapes {shapes}.") from None


def _unwrap_0d(value: Any) -> Any:
    """A 0-d numpy array (``np.array(0.1)``, ``x.sum()`` kept as an array) is its scalar."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "biuf":
        return value[()]
    return value


def real_array(value: Any, name: str, owner: str, *, allowed: str,
               refuse_bool: bool = True) -> np.ndarray:
    """``value`` as a float64 array, or a TypeError naming the argument.

    The one gate every array parameter goes through: complex input is refused
    (numpy would keep the real part and warn: ``[0.1+5j, 0.2]`` is not the rate
    ``[0.1, 0.2]``), boolean arrays too (``True`` is not a coordinate) unless
    ``refuse_bool=False`` (labels), and so is anything numpy cannot make floats of.

    >>> real_array([0.1 + 5j, 0.2], "lr", "sgd", allowed="real")
    Traceback (most recent call last):
    ...
    TypeError: The 'lr' parameter of sgd must be real. Got [(0.1+5j), 0.2] instead.
    """
    if np.iscomplexobj(value) or (refuse_bool and _is_bool_array(value)):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        fail(value, name, owner, allowed=allowed, exc=TypeError)


def _is_bool_array(value: Any) -> bool:
    return np.asarray(value).dtype.kind == "b" if isinstance(value, np.ndarray | list | tuple) \
        else False


def _interval(low, high, low_open, high_open) -> str:
    lo = "-inf" if low is None else str(low) if isinstance(low, int) else f"{low:g}"
    hi = "inf" if high is None else str(high) if isinstance(high, int) else f"{high:g}"
    left = "(" if (low_open or low is None) else "["
    right = ")" if (high_open or high is None) else "]"
    return f"{left}{lo}, {hi}{right}"


def _in_interval(x: np.ndarray, low, high, low_open, high_open) -> bool:
    ok = np.isfinite(x)
    if low is not None:
        ok &= (x > low) if low_open else (x >= low)
    if high is not None:
        ok &= (x < high) if high_open else (x <= high)
    return bool(np.all(ok))


def check_real(
    value: Any,
    name: str,
    owner: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    allow_array: bool = False,
) -> float | np.ndarray:
    """Check a finite real number (or array of them) inside an interval.

    Returns a Python float, or a float64 array when ``allow_array`` and the
    value is array-like. Booleans are refused: ``True`` is not a learning rate.

    >>> check_real(0.5, "momentum", "sgd", low=0, high=1, high_open=True)
    0.5
    >>> check_real(1.0, "momentum", "sgd", low=0, high=1, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: The 'momentum' parameter of sgd must be a finite float in [0, 1). Got 1.0 instead.
    """
    kind = "a finite float" + (" or array of them" if allow_array else "")
    allowed = f"{kind} in {_interval(low, high, low_open, high_open)}"
    value = _unwrap_0d(value)
    if isinstance(value, bool | np.bool_) or _is_bool_array(value):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    if isinstance(value, numbers.Real):
        x = float(value)
        if not _in_interval(np.asarray(x), low, high, low_open, high_open):
            fail(value, name, owner, allowed=allowed)
        return x
    if allow_array and isinstance(value, np.ndarray | list | tuple):
        arr = real_array(value, name, owner, allowed=allowed)
        if arr.size == 0:
            fail(value, name, owner, allowed=allowed + " (not empty)")
        if not _in_interval(arr, low, high, low_open, high_open):
            fail(value, name, owner, allowed=allowed)
        return arr
    fail(value, name, owner, allowed=allowed, exc=TypeError)


def check_int(
    value: Any,
    name: str,
    owner: str,
    *,
    low: int | None = None,
    high: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Check an integer inside ``[low, high]`` (``None`` allowed if asked).

    >>> check_int(-3, "num_steps", "train", low=0)
    Traceback (most recent call last):
    ...
    ValueError: The 'num_steps' parameter of train must be an int in [0, inf). Got -3 instead.
    """
    allowed = "an int in " + _interval(low, high, False, False)
    value = _unwrap_0d(value)
    if allow_none:
        allowed += " or None"
        if value is None:
            return None
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    v = int(value)
    if (low is not None and v < low) or (high is not None and v > high):
        fail(value, name, owner, allowed=allowed)
    return v


def check_bool(value: Any, name: str, owner: str) -> bool:
    """Check a yes/no option; ``1``, ``"no"`` or ``None`` are refused, not guessed.

    >>> check_bool(1, "centered", "rmsprop")
    Traceback (most recent call last):
    ...
    TypeError: The 'centered' parameter of rmsprop must be a bool. Got 1 instead.
    """
    if not isinstance(value, bool | np.bool_):
        fail(value, name, owner, allowed="a bool", exc=TypeError)
    return bool(value)


def check_bool_or(value: Any, name: str, owner: str, *, words: tuple = ("auto",)) -> bool | str:
    """A yes/no option that also takes a few words (``progress=True, False or 'auto'``).

    >>> check_bool_or("yes", "progress", "grid_search")
    Traceback (most recent call last):
    ...
    TypeError: The 'progress' parameter of grid_search must be a bool or 'auto'. Got 'yes' instead.
    """
    if isinstance(value, str) and value in words:
        return value
    if not isinstance(value, bool | np.bool_):
        fail(value, name, owner, allowed=" or ".join(["a bool", *map(repr, words)]), exc=TypeError)
    return bool(value)


def check_choice(value: Any, name: str, owner: str, choices: Iterable[Any]) -> Any:
    """Check that ``value`` is one of ``choices``.

    >>> check_choice("tri", "mode", "cyclic", ("triangular", "triangular2"))
    Traceback (most recent call last):
    ...
    ValueError: The 'mode' parameter of cyclic must be one of 'triangular', 'triangular2'. Got 'tri' instead.
    """
    choices = tuple(choices)
    if not any(_equal(value, c) for c in choices):
        fail(value, name, owner, allowed="one of " + ", ".join(repr(c) for c in choices))
    return value


def _equal(a: Any, b: Any) -> bool:
    """``a == b`` as one bool; False when ``==`` is elementwise (arrays) or fails."""
    try:
        eq = a is b or a == b
    except (TypeError, ValueError):
        return False
    return bool(eq) if isinstance(eq, bool | np.bool_) else False


def check_lr(
    value: Any, name: str, owner: str, *, allow_zero: bool = False
) -> float | np.ndarray | Callable:
    """Check a learning rate: a positive finite float, an array of them, or a schedule.

    A schedule is any callable ``lr(t)``; it is checked by evaluating it at
    ``t = 0`` (schedules are pure, so this changes nothing).

    >>> check_lr(-1, "lr", "sgd")
    Traceback (most recent call last):
    ...
    ValueError: The 'lr' parameter of sgd must be a finite float or array of them in (0, inf), or a schedule lr(t). Got -1 instead.
    """
    if callable(value):
        try:
            first = np.asarray(value(0), dtype=float)
        except Exception as err:  # a schedule that cannot be evaluated is wrong input
            raise TypeError(
                f"The {name!r} parameter of {owner} is callable but calling it at t=0 "
                f"failed ({type(err).__name__}: {err}); a schedule must map a step to a rate."
            ) from err
        if not np.all(np.isfinite(first)) or np.any(first < 0):
            fail(value, name, owner, allowed="a schedule giving finite rates >= 0")
        return value
    allowed = "a finite float or array of them in " + ("[0, inf)" if allow_zero else "(0, inf)")
    allowed += ", or a schedule lr(t)"
    if isinstance(value, bool | np.bool_) or _is_bool_array(value) or not (
        isinstance(value, numbers.Real | np.ndarray | list | tuple)
    ):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    arr = real_array(value, name, owner, allowed=allowed)
    if arr.size == 0:
        fail(value, name, owner, allowed=allowed + " (not empty)")
    ok = np.isfinite(arr) & ((arr >= 0) if allow_zero else (arr > 0))
    if not np.all(ok):
        fail(value, name, owner, allowed=allowed)
    return float(arr) if arr.ndim == 0 else arr


def check_rates(value: Any, name: str, owner: str) -> np.ndarray:
    """A grid of learning rates: a non-empty 1-D array of positive finite floats.

    >>> check_rates(True, "lrs", "grid_search")
    Traceback (most recent call last):
    ...
    TypeError: The 'lrs' parameter of grid_search must be a non-empty 1-D sequence of positive finite floats. Got True instead.
    """
    allowed = "a non-empty 1-D sequence of positive finite floats"
    value = _unwrap_0d(value)
    if isinstance(value, bool | np.bool_) or _is_bool_array(value) or not isinstance(
            value, numbers.Real | np.ndarray | list | tuple | range):
        fail(value, name, owner, allowed=allowed, exc=TypeError)
    arr = np.atleast_1d(real_array(value, name, owner, allowed=allowed))
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr) & (arr > 0)):
        fail(value, name, owner, allowed=allowed)
    return arr


def check_array(value: Any, name: str, owner: str, *, ndim: int | None = None) -> np.ndarray:
    """Convert to a finite float64 array, with a clear error otherwise (complex refused;
    booleans count as 0/1, as labels do)."""
    arr = real_array(value, name, owner, allowed="array-like of finite floats",
                     refuse_bool=False)
    if ndim is not None and arr.ndim != ndim:
        fail(value, name, owner, allowed=f"a {ndim}-D array of finite floats")
    if not np.all(np.isfinite(arr)):
        fail(value, name, owner, allowed="array-like of finite floats")
    return arr


def check_theta(value: Any, name: str, owner: str, *, dim: int) -> np.ndarray:
    """Check parameters of shape ``(..., dim)`` and return them as float64.

    >>> check_theta([1.0, 2.0, 3.0], "theta", "rosenbrock.loss", dim=2)
    Traceback (most recent call last):
    ...
    ValueError: The 'theta' parameter of rosenbrock.loss must be an array of shape (..., 2). Got array([1., 2., 3.]) instead.
    """
    arr = real_array(value, name, owner, allowed=f"a real array of shape (..., {dim}), not complex or boolean")
    if arr.ndim == 0 or arr.shape[-1] != dim:
        fail(arr, name, owner, allowed=f"an array of shape (..., {dim})")
    return arr
