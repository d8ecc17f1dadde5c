"""Work an app does while the learner reads, which gives way to every control at once.

Some of an app's work depends on no control: the line-search race's racers on
a problem the learner has not picked yet, for instance (0.1-1 s each). Doing
it when the learner picks that problem makes the dropdown wait; doing it all
when the app opens makes the opening wait. :class:`Precompute` does it on a
daemon thread after the first frame, and :func:`foreground` makes that thread
give way: while any app's update runs (in :meth:`lrlab.apps.base.App._run_update`),
the background thread stops at its next Python call and waits, without the GIL,
until no update is running. A slider moved during the precompute therefore
costs what it costs with no precompute (``benchmarks/controls.py`` measures
it), instead of sharing the interpreter with it.

The pause point is a profile hook (:func:`sys.setprofile`, on the background
thread only): it runs at every Python and C function call of the job, so the
job needs no cooperation and gives the same bits as in the foreground (it is
the same code). When an update needs a result the background is computing,
:meth:`Precompute.result` marks the job *wanted*: it then runs at full speed,
even under the update, and the update waits for it; a job not started yet is
taken out of the queue and run by the caller itself.

Examples
--------
>>> jobs = Precompute()
>>> jobs.submit("squares", lambda: [k * k for k in range(5)])
True
>>> jobs.wait(timeout=10)        # (a learner reading the app meanwhile)
True
>>> jobs.result("squares", lambda: None)
[0, 1, 4, 9, 16]
>>> jobs.result("cubes", lambda: [k ** 3 for k in range(3)])   # never submitted: run here
[0, 1, 8]
>>> jobs.submit("squares", lambda: [])   # known already: nothing to do
False
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["Precompute", "foreground", "wait_all"]

_gate = threading.Condition(threading.Lock())
_running_updates = 0  # updates in progress, in every app of the kernel
_every: weakref.WeakSet = weakref.WeakSet()   # every Precompute, for wait_all


@contextmanager
def foreground() -> Iterator[None]:
    """Mark the block as a control's update: background jobs pause until it ends."""
    global _running_updates
    with _gate:
        _running_updates += 1
    try:
        yield
    finally:
        with _gate:
            _running_updates -= 1
            if _running_updates == 0:
                _gate.notify_all()


def wait_all(timeout: float | None = None) -> bool:
    """Block until every background job of the kernel has finished; False on timeout.

    What a benchmark or a test calls to measure an app after its precompute
    (as a learner meets it once they have read the app for a second or two).
    """
    return all(jobs.wait(timeout) for jobs in list(_every))


def updates_running() -> int:
    """How many updates are in progress now (for tests and benchmarks)."""
    return _running_updates


def _importing(frame: Any) -> bool:
    """Whether ``frame`` runs inside an import: a job never pauses holding a module's lock
    (an update importing the same module would wait for it for ever)."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


class _Job:
    __slots__ = ("done", "error", "fn", "started", "value", "wanted")

    def __init__(self, fn: Callable[[], Any]):
        self.fn = fn
        self.started = self.wanted = False
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Precompute:
    """Jobs keyed by what they compute, run one after the other on a background thread.

    Parameters
    ----------
    max_size : int, optional
        Bound of ``store``: the oldest result goes when a new one would pass it.

    Attributes
    ----------
    store : dict
        Finished results, key -> value, oldest first: the cache (a job is not
        submitted when its key is there).
    pauses : int
        How many times the background thread gave way to an update.
    """

    def __init__(self, *, max_size: int | None = None):
        self.store: dict = {}
        self.max_size = max_size
        self.pauses = 0
        self._jobs: dict[Hashable, _Job] = {}  # queued or running, in submission order
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._current: _Job | None = None
        _every.add(self)

    # ------------------------------------------------------------ caller side
    def submit(self, key: Hashable, fn: Callable[[], Any]) -> bool:
        """Queue ``fn`` to compute ``store[key]`` in the background; False if known already."""
        with self._lock:
            if key in self.store or key in self._jobs:
                return False
            self._jobs[key] = _Job(fn)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, daemon=True,
                                                name="lrlab-precompute")
                self._thread.start()
        return True

    def result(self, key: Hashable, fn: Callable[[], Any]) -> Any:
        """``store[key]``: known, or waited for (its job runs at full speed), or computed here.

        ``fn`` computes it on the calling thread when no job had started on
        it (a queued one is dropped) or when the background job failed.
        """
        with self._lock:
            if key in self.store:
                return self.store[key]
            job = self._jobs.get(key)
            if job is not None and not job.started:
                del self._jobs[key]
                job = None
            if job is not None:
                job.wanted = True
        if job is not None:
            with _gate:
                _gate.notify_all()   # a paused job resumes now that it is wanted
            job.done.wait()
            if job.error is None:
                return job.value
        value = fn()
        self._keep(key, value)
        return value

    def drop_queued(self) -> int:
        """Forget the jobs not started yet (the learner moved on); how many were dropped."""
        with self._lock:
            queued = [k for k, job in self._jobs.items() if not job.started]
            for k in queued:
                self._jobs[k].done.set()
                del self._jobs[k]
        return len(queued)

    def pending(self) -> int:
        """Jobs queued or running."""
        with self._lock:
            return len(self._jobs)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job submitted so far has finished; False on timeout."""
        with self._lock:
            jobs = list(self._jobs.values())
        return all(job.done.wait(timeout) for job in jobs)

    # ------------------------------------------------------- background side
    def _keep(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self.store.pop(key, None)
            self.store[key] = value
            while self.max_size is not None and len(self.store) > self.max_size:
                del self.store[next(iter(self.store))]

    def _pause(self, frame: Any, event: str, arg: Any) -> None:
        # the profile hook: cheap when nothing waits (two reads), else wait off the GIL
        if _running_updates and not self._current.wanted and not _importing(frame):
            with _gate:
                if _running_updates and not self._current.wanted:
                    self.pauses += 1
                while _running_updates and not self._current.wanted:
                    _gate.wait()

    def _work(self) -> None:
        while True:
            with self._lock:
                queued = [(k, j) for k, j in self._jobs.items() if not j.started]
                if not queued:
                    self._thread = None
                    return
                key, job = queued[0]
                job.started = True
                self._current = job
            sys.setprofile(self._pause)
            try:
                job.value = job.fn()
            except BaseException as exc:   # the caller computes it again and sees the error
                job.error = exc
            finally:
                sys.setprofile(None)
            if job.error is None:
                self._keep(key, job.value)
            with self._lock:
                self._jobs.pop(key, None)
                self._current = None
            job.done.set()
