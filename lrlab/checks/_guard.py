"""Guards around the learner's function while a self-check runs it.

A self-check must never pass a wrong answer, and never hang or flood the
learner's notebook. These guards make that true whatever the learner wrote:

* :class:`Recorder` wraps a function and records every value it returns; the
  learner's wrapper compares each return, as it happens, with what the
  reference returned for the same call (``None`` where a value was due, a
  string or a complex number where a real number was due, an array of the
  wrong shape) and stops the check with a message that says what was expected;
* :func:`time_limit` stops a function that runs too long (an infinite loop);
* :class:`CappedOutput` keeps the learner's debug printing to a readable size;
* :func:`raised_at_call` tells a call-signature mismatch (``TypeError`` raised
  before the function's body runs) from a ``TypeError`` inside the body.
"""

from __future__ import annotations

import contextlib
import io
import numbers
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import numpy as np

__all__ = ["CappedOutput", "Recorder", "StudentError", "raised_at_call", "time_limit"]


class StudentError(Exception):
    """The learner's function did something a check reports as such (not a mistake in lrlab).

    ``key`` is the :attr:`CheckResult.mistake` it reports, ``message`` the feedback.
    """

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key
        self.message = message


# ---------------------------------------------------------------------- the form of values
def _describe(value: Any) -> str:
    """What a value *is*, for feedback: ``a str ('0.4')``, ``an array of shape (1, 11)``."""
    if value is None:
        return "None"
    if isinstance(value, str):
        text = value if len(value) <= 20 else value[:17] + "..."
        return f"a str ({text!r})"
    if isinstance(value, np.ndarray):
        kind = {"c": "complex ", "U": "string ", "S": "bytes ", "O": "object ", "b": "boolean "}
        return f"a {kind.get(value.dtype.kind, '')}array of shape {value.shape}"
    if isinstance(value, complex | np.complexfloating):
        return f"a complex number ({value})"
    if isinstance(value, bool | np.bool_):
        return f"a bool ({value})"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def _is_real_scalar(value: Any) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, numbers.Real):
        return True
    return isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"


def form_error(got: Any, want: Any, where: str = "") -> str | None:
    """Why ``got`` cannot be a right answer where the reference returned ``want`` (or None).

    Only the *form* is judged (type, dtype kind, shape), never the values.
    """
    at = f" {where}" if where else ""
    if want is None:
        return None
    if got is None:
        return ("your function returned None - did you forget `return`? (A function without "
                "a `return` statement gives None.)")
    if isinstance(want, tuple | list) and not isinstance(want, np.ndarray):
        if not isinstance(got, tuple | list | np.ndarray) or len(got) != len(want):
            return (f"expected {_describe(want)}{at}, got {_describe(got)}.")
        if isinstance(got, np.ndarray):
            return None if got.dtype.kind in "iuf" else \
                f"expected real numbers{at}, got {_describe(got)}."
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            error = form_error(g, w, where=f"{where} (item {i})".strip())
            if error:
                return error
        return None
    if _is_real_scalar(want) and not isinstance(want, np.ndarray):
        if _is_real_scalar(got):
            return None
        return f"expected a real number (a float){at}, got {_describe(got)}."
    if isinstance(want, np.ndarray):
        if not isinstance(got, np.ndarray):
            if _is_real_scalar(got) and want.ndim == 0:
                return None
            if isinstance(got, tuple | list):
                return None  # lists are judged by the check itself ("not_array") where it matters
            return f"expected an array of shape {want.shape}{at}, got {_describe(got)}."
        if got.dtype.kind not in "iuf" and want.dtype.kind in "iuf":
            return f"expected an array of real numbers{at}, got {_describe(got)}."
        if got.shape != want.shape:
            return (f"expected an array of shape {want.shape}{at}, got an array of shape "
                    f"{got.shape}.")
    return None


class Recorder:
    """Wrap ``fn``; record what it returns and (optionally) judge each return's form.

    Parameters
    ----------
    fn : callable
        The function to wrap.
    expected : list, optional
        Values the reference returned, call by call. When given, each return of
        ``fn`` is judged against the one at the same position and a
        :class:`StudentError` stops the check at the first wrong form.
    """

    def __init__(self, fn: Callable, expected: list | None = None):
        self.fn = fn
        self.expected = expected
        self.returns: list = []
        #: The first wrong shape seen (a message), or None. A wrong shape does not stop the
        #: check at once, so that a catalogued mistake that explains it can still be named.
        self.shape_error: str | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = self.fn(*args, **kwargs)
        if self.expected is not None and len(self.returns) < len(self.expected):
            error = form_error(out, self.expected[len(self.returns)])
            if error and error.startswith("expected an array of shape") \
                    and isinstance(out, np.ndarray):
                self.shape_error = self.shape_error or error
            elif error:
                raise StudentError("returned_none" if out is None else "wrong_type", error)
        self.returns.append(out)
        return out


# ---------------------------------------------------------------------------- time limit
class _TimedOut(BaseException):
    """Raised inside the learner's code by the alarm (a BaseException: `except Exception`
    in the learner's loop does not swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the code in the block after ``seconds`` with :class:`StudentError` ``'timeout'``.

    Uses ``SIGALRM`` (an interval timer), which interrupts Python code between
    bytecodes: on the main thread of a POSIX process, which is where notebook
    cells run. Elsewhere (another thread, Windows) there is no way to stop a
    running Python function safely, so the block runs without a limit.
    """
    usable = (hasattr(signal, "setitimer") and
              threading.current_thread() is threading.main_thread())
    if not usable or seconds <= 0:
        yield
        return

    def _alarm(signum, frame):
        raise _TimedOut()

    previous = signal.signal(signal.SIGALRM, _alarm)
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimedOut:
        raise StudentError(
            "timeout", f"your function was still running after {seconds:g} s, where the "
            "reference takes a fraction of a second: look for a loop that never ends (a "
            "`while` whose condition never becomes false, or a counter that is never "
            "increased).") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_timer[0] > 0:  # someone else's timer was running: give it its time back
            signal.setitimer(signal.ITIMER_REAL, *old_timer)


# ------------------------------------------------------------------------- capped printing
class CappedOutput(io.TextIOBase):
    """A text stream that keeps the first ``head`` and last ``tail`` lines written to it."""

    def __init__(self, *, head: int = 40, tail: int = 10, max_line: int = 500):
        self.head, self.tail, self.max_line = head, tail, max_line
        self._first: list[str] = []
        self._last: list[str] = []
        self._partial = ""
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        text = str(text)
        parts = (self._partial + text).split("\n")
        self._partial = parts.pop()
        if len(self._partial) > 100 * self.max_line:  # a gigantic line without a newline
            parts.append(self._partial)
            self._partial = ""
        for line in parts:
            self._keep(line)
        return len(text)

    def _keep(self, line: str) -> None:
        self.lines += 1
        if len(line) > self.max_line:
            line = line[: self.max_line] + f" ... ({len(line) - self.max_line} more characters)"
        if len(self._first) < self.head:
            self._first.append(line)
        else:
            self._last.append(line)
            if len(self._last) > self.tail:
                del self._last[0]

    def text(self) -> str:
        """What was printed, with the middle replaced by a count when it was long."""
        if self._partial:
            self._keep(self._partial)
            self._partial = ""
        hidden = self.lines - len(self._first) - len(self._last)
        lines = list(self._first)
        if hidden > 0:
            lines.append(f"... ({hidden} more lines printed by your function, not shown)")
        lines.extend(self._last)
        return "\n".join(lines) + ("\n" if lines else "")


@contextlib.contextmanager
def capped_output(**kwargs: Any) -> Iterator[CappedOutput]:
    """Capture stdout and stderr in the block; print them, capped, when it ends."""
    stream = CappedOutput(**kwargs)
    try:
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            yield stream
    finally:
        text = stream.text()
        if text:
            sys.stdout.write(text)


# ----------------------------------------------------------------------- call signatures
def raised_at_call(exc: BaseException, fn: Callable) -> bool:
    """Whether ``exc`` was raised by calling ``fn`` (wrong arguments), not inside its body.

    Python raises a signature mismatch before the function's frame exists, so
    the traceback never reaches ``fn``'s code. Callables without a code object
    (a builtin, a callable instance) are judged by the message alone.
    """
    code = getattr(getattr(fn, "__wrapped__", fn), "__code__", None)
    if code is None:
        return "argument" in str(exc)
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            return False
        tb = tb.tb_next
    return "argument" in str(exc)
