"""Machinery shared by the self-checks: call the learner's function safely,
compare its behaviour with a reference, and name the likely mistake.

A check never shows reference code. It runs a *behaviour* (a small driver
that calls the learner's function on fixed probe inputs and returns a list
of labelled quantities) three ways:

1. with the learner's function;
2. with the reference (a private numpy implementation in lrlab);
3. with each entry of a catalogue of known-wrong variants (each carries the
   message that explains the mistake).

If the learner's quantities match the reference, the check passes. If they
match a known-wrong variant, the check names that mistake. Otherwise it
reports the first quantity that differs ("expected ~x, got y").
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import fmt
from ._guard import Recorder, StudentError, capped_output, raised_at_call, time_limit

#: Seconds a learner's function may run within one check (an infinite loop is reported).
TIME_LIMIT_S = 20.0

#: How feedback writes numbers: 6 significant digits, arrays of more than 8 by their shape.
_FEEDBACK = {"digits": 6, "max_items": 8}

__all__ = ["CheckResult", "Mistake", "require_array", "run_check"]

#: A behaviour returns labelled quantities: ``[(label, value), ...]`` or
#: ``[(label, value, rtol), ...]`` with a per-item relative tolerance.
Items = list[tuple]


@dataclass(frozen=True)
class CheckResult:
    """Outcome of a self-check; truthy when the learner's function passed.

    Attributes
    ----------
    check : str
        Name of the function that was checked, e.g. ``"adagrad_update"``.
    passed : bool
        Whether it behaved like the reference on every probe.
    mistake : str or None
        Key of the diagnosed mistake (``"no_sqrt"``, ``"off_by_one"``, ...),
        ``"not_implemented"``, ``"error"``, ``"mutates_input"``, ``"not_array"``,
        ``"wrong_shape"``, ``"mismatch"`` (no known mistake fits) or ``None``
        when the check passed.
    message : str
        Feedback for the learner.
    """

    check: str
    passed: bool
    mistake: str | None
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        mark = "✔" if self.passed else "✘"
        return f"{mark} {self.check}: {self.message}"

    def __repr__(self) -> str:
        return str(self)


def not_implemented(name: str, what: str = "code") -> CheckResult:
    """The result for a function that still raises the stub's ``NotImplementedError``."""
    return CheckResult(name, False, "not_implemented",
                       "not implemented yet: replace `raise NotImplementedError()` "
                       f"with your {what}, run the cell, then run this check again.")


@dataclass(frozen=True)
class Mistake:
    """A known-wrong variant of the function under check.

    Parameters
    ----------
    key : str
        Short identifier reported in :attr:`CheckResult.mistake`.
    message : str
        What the learner most likely did, and why it is wrong (never the fix
        as code).
    impl : callable
        The wrong implementation, with the learner's signature.
    """

    key: str
    message: str
    impl: Callable


class _Mutated(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class _NotArray(Exception):
    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def require_array(value: Any) -> np.ndarray:
    """Return ``value`` if it is a numpy array; raise (for a clear message) otherwise.

    Used for functions documented to return an ``ndarray``: a list looks right
    when printed but has no ``.shape`` and no elementwise arithmetic.
    """
    if not isinstance(value, np.ndarray):
        raise _NotArray(type(value).__name__)
    return value


def call_pure(fn: Callable, *args: Any, names: Sequence[str] = (), **kwargs: Any) -> Any:
    """Call ``fn`` and raise if it changed one of its array arguments in place.

    ``names`` labels the positional arguments for the message.
    """
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    out = fn(*args, **kwargs)
    for i, (a, b) in enumerate(zip(args, before, strict=True)):
        if b is not None and not _same(a, b):
            raise _Mutated(names[i] if i < len(names) else f"argument {i}")
    return out


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))


def _evaluate(behaviour: Callable, fn: Callable, probes: Sequence[Any]) -> Items:
    """Run ``behaviour`` on fresh copies of the probes: a function that changes a probe
    problem in place (``problem.h *= 100``) changes only its own copy."""
    items: Items = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for probe in copy.deepcopy(list(probes)):
            items.extend(behaviour(fn, probe))
    return items


def _as_array(value: Any) -> np.ndarray | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr


def _close(a: Any, b: Any, rtol: float) -> bool:
    if isinstance(b, tuple):
        return (isinstance(a, tuple | list) and len(a) == len(b)
                and all(_close(x, y, rtol) for x, y in zip(a, b, strict=True)))
    x, y = _as_array(a), _as_array(b)
    if x is None or y is None or x.shape != y.shape:
        return False
    with np.errstate(all="ignore"):
        both_nan = np.isnan(x) & np.isnan(y)
        same_inf = np.isinf(x) & np.isinf(y) & (np.sign(x) == np.sign(y))
        # an infinite expectation is met only by the same infinity (rtol * inf would accept
        # any finite answer)
        near = (np.abs(x - y) <= 1e-12 + rtol * np.abs(y)) & np.isfinite(y)
    return bool(np.all(both_nan | same_inf | near))


def _items_close(student: Items, reference: Items, default_rtol: float) -> bool:
    if len(student) != len(reference):
        return False
    for s, r in zip(student, reference, strict=True):
        rtol = r[2] if len(r) > 2 else default_rtol
        if not _close(s[1], r[1], rtol):
            return False
    return True


def _shape(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(_shape(v) for v in value)
    arr = _as_array(value)
    return None if arr is None else arr.shape


def run_check(
    name: str,
    fn: Any,
    behaviour: Callable[[Callable, Any], Items],
    probes: Sequence[Any],
    reference: Callable,
    mistakes: Sequence[Mistake] = (),
    *,
    rtol: float = 1e-6,
    passed_message: str | None = None,
    time_limit_s: float | None = None,
) -> CheckResult:
    """Compare ``fn`` with ``reference`` through ``behaviour`` and diagnose.

    Parameters
    ----------
    name : str
        Name of the learner's function (for messages).
    fn : callable
        The learner's function.
    behaviour : callable
        ``behaviour(fn, probe) -> [(label, value[, rtol]), ...]``.
    probes : sequence
        Probe inputs passed to ``behaviour``.
    reference : callable
        The correct implementation (same signature as ``fn``).
    mistakes : sequence of Mistake
        Known-wrong variants, tried in order.
    rtol : float
        Relative tolerance of the comparisons (items may override it).
    passed_message : str, optional
        Message shown on success.
    time_limit_s : float, optional
        Seconds the learner's function may run in all (default
        :data:`TIME_LIMIT_S`); an infinite loop is stopped and reported (see
        :func:`lrlab.checks._guard.time_limit`).

    Notes
    -----
    The reference runs first and its return values are kept: each return of
    the learner's function is judged against the one of the same call, before
    any comparison of values, so ``None`` (a forgotten ``return``), a string, a
    complex number or an array of the wrong shape is reported as such and can
    never pass. Every run gets fresh copies of the probes. What the learner's
    function prints is shown, capped to its first and last lines.

    Returns
    -------
    CheckResult
    """
    if not callable(fn):
        return CheckResult(name, False, "error",
                           f"expected a function, got {type(fn).__name__}. Pass the function "
                           f"itself: check(..)({name}), not its result.")
    reference_calls = Recorder(reference)
    expected = _evaluate(behaviour, reference_calls, probes)
    student_calls = Recorder(fn, expected=reference_calls.returns)
    try:
        with capped_output(), time_limit(TIME_LIMIT_S if time_limit_s is None
                                             else time_limit_s):
            student = _evaluate(behaviour, student_calls, probes)
    except StudentError as exc:
        return CheckResult(name, False, exc.key, exc.message)
    except NotImplementedError:
        return not_implemented(name)
    except _Mutated as exc:
        if exc.name == "problem.x0":
            return CheckResult(name, False, "mutates_input",
                               "your function changed `problem.x0` in place: `theta = "
                               "problem.x0` does not copy, so a later `theta -= ...` (or "
                               "`theta[...] = ...`) overwrites the problem's starting point. "
                               "Start from a copy of problem.x0.")
        return CheckResult(name, False, "mutates_input",
                           f"your function changed its input `{exc.name}` in place (for "
                           f"example with `{exc.name} -= ...` or `{exc.name}[...] = ...`). "
                           "Callers keep using that array, so return a new array instead.")
    except _NotArray as exc:
        return CheckResult(name, False, "not_array",
                           f"your function returns a {exc.kind}, not a numpy array: the tests "
                           "and the rest of the notebook use array operations (such as "
                           "`.shape`). Convert the result with np.array(...) before returning "
                           "it.")
    except TypeError as exc:
        hint = ""
        if raised_at_call(exc, fn):
            hint = (f" Keep the `def {name}(...)` line as given: the same parameter names, "
                    "in the same order, with the same defaults.")
        return CheckResult(name, False, "error",
                           f"calling your function raised TypeError: {exc}.{hint}")
    except SystemExit:
        return CheckResult(name, False, "error",
                           "your function called sys.exit() (or exit() / quit()), which stops "
                           "the program: return the result instead.")
    except Exception as exc:  # the learner's code may raise anything
        return CheckResult(name, False, "error",
                           f"calling your function raised {type(exc).__name__}: {exc}")
    if student_calls.shape_error is None and _items_close(student, expected, rtol):
        n = len(probes)
        return CheckResult(name, True, None, passed_message
                           or f"matches the reference on {n} probe input{'s' * (n != 1)}.")
    for mistake in mistakes:
        try:
            wrong = _evaluate(behaviour, mistake.impl, probes)
        except Exception:  # a variant may legitimately fail on some probe
            continue
        if _items_close(student, wrong, rtol):
            return CheckResult(name, False, mistake.key, mistake.message)
    if student_calls.shape_error is not None:
        return CheckResult(name, False, "wrong_shape", student_calls.shape_error)
    for s, r in zip(student, expected, strict=False):
        label, want = r[0], r[1]
        got = s[1]
        if _shape(got) != _shape(want):
            return CheckResult(name, False, "wrong_shape",
                               f"{label}: expected shape {_shape(want)}, got shape "
                               f"{_shape(got)}.")
        if not _close(got, want, r[2] if len(r) > 2 else rtol):
            return CheckResult(name, False, "mismatch",
                               f"differs from the reference at {label}: "
                               f"{_difference(got, want, r[2] if len(r) > 2 else rtol)}.")
    return CheckResult(name, False, "wrong_shape",
                       f"returned {len(student)} values where {len(expected)} were expected.")


def _difference(got: Any, want: Any, rtol: float, *, show: int = 3) -> str:
    """``expected ~x, got y``; for long arrays, the first entries that differ."""
    x, y = _as_array(got), _as_array(want)
    if x is None or y is None or x.shape != y.shape or y.size <= _FEEDBACK["max_items"]:
        return f"expected ~{fmt(want, **_FEEDBACK)}, got {fmt(got, **_FEEDBACK)}"
    with np.errstate(all="ignore"):
        ok = (np.isnan(x) & np.isnan(y)) | (np.abs(x - y) <= 1e-12 + rtol * np.abs(y)) \
            | (np.isinf(x) & np.isinf(y) & (np.sign(x) == np.sign(y)))
    bad = np.argwhere(~ok)
    entries = "; ".join(
        f"[{', '.join(str(int(i)) for i in idx)}] expected ~{fmt(y[tuple(idx)], **_FEEDBACK)}, "
        f"got {fmt(x[tuple(idx)], **_FEEDBACK)}" for idx in bad[:show])
    more = f" (and {len(bad) - show} more)" if len(bad) > show else ""
    return (f"{len(bad)} of {y.size} entries of the array of shape {y.shape} differ; the first: "
            f"{entries}{more}")
