"""One update at a time, the latest request wins: what makes an app safe under threads.

JupyterLab 4.6 sends widget messages over a kernel *subshell*, and ipykernel 7
handles a subshell on a thread of its own: a slider message can arrive while
the main thread is still running an update of the same app (started by a
dropdown, or by the cell that built it). :class:`LatestOnly` serialises those
updates and coalesces a burst of requests:

* one run at a time (a lock), so two updates never interleave their
  computation or their drawing on the one figure;
* a request made while a run is in progress does not queue another run for
  itself: it marks the state "stale", and the running thread runs once more
  when it finishes, reading the controls' *latest* values. Ten slider
  messages that arrive during one update cost one more update, not ten;
* a request from the running thread itself (an update that changes a control)
  never deadlocks: it is served by the next pass of the same loop.

Examples
--------
>>> calls = []
>>> runner = LatestOnly(lambda: calls.append(len(calls)))
>>> runner.request(), runner.request(), calls
(True, True, [0, 1])
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["LatestOnly"]


class LatestOnly:
    """Serialise calls of ``run`` and coalesce requests made while it runs.

    Parameters
    ----------
    run : callable
        What to do for a request; called with no argument, never by two
        threads at once.

    Attributes
    ----------
    lock : threading.RLock
        Held during every call of ``run``; hold it to read or draw the state
        ``run`` writes (e.g. to render a PNG from another thread).
    runs : int
        Calls of ``run`` so far.
    coalesced : int
        Requests that were served by a run another request had already asked for.
    """

    def __init__(self, run: Callable[[], None]):
        self._run = run
        self.lock = threading.RLock()
        self._state = threading.Condition(threading.Lock())
        self._requested = 0  # tickets handed out
        self._served = 0  # every ticket up to this one is served
        self._runner: int | None = None  # ident of the thread running the loop
        self.runs = 0
        self.coalesced = 0
        self.closed = False

    def request(self, *, wait: bool = True) -> bool:
        """Ask for a run reading the state as it is now.

        Parameters
        ----------
        wait : bool
            ``True``: return once a run that started after this request has
            finished (it may be another thread's). ``False``: return at once
            when another thread is running; it will run again for this request.

        Returns
        -------
        bool
            Whether this thread ran ``run`` (at least once).
        """
        me = threading.get_ident()
        with self._state:
            if self.closed:
                return False
            self._requested += 1
            ticket = self._requested
            if self._runner is not None:
                if self._runner == me or not wait:
                    return False  # the running loop reruns for it
                while self._runner is not None and self._served < ticket:
                    self._state.wait()
                if self._served >= ticket or self.closed:
                    return False
            self._runner = me
        target = ticket
        try:
            while True:
                with self._state:
                    target = self._requested
                    self.coalesced += max(target - self._served - 1, 0)
                with self.lock:
                    self.runs += 1
                    self._run()
                with self._state:
                    self._served = target
                    self._state.notify_all()
                    if self._requested == target or self.closed:
                        self._runner = None
                        return True
        except BaseException:
            with self._state:
                self._served = max(self._served, target)
                self._runner = None
                self._state.notify_all()
            raise

    @property
    def busy(self) -> bool:
        """Whether a run is in progress (or about to start again)."""
        with self._state:
            return self._runner is not None

    def close(self) -> None:
        """Refuse further requests (a run in progress finishes)."""
        with self._state:
            self.closed = True
            self._state.notify_all()

    @contextmanager
    def holding(self) -> Iterator[None]:
        """Hold :attr:`lock` (no run can start or be half-way) for the block."""
        with self.lock:
            yield
