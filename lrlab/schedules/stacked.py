r"""Several schedules side by side as one batch of runs (a race in one training call).

Array base rates give one run per rate of the *same* schedule. To race
*different* schedules in one :func:`lrlab.train` call (all runs advance
together, so a batch costs less than the runs one by one), :func:`stack`
puts them on a new leading run axis, as ``numpy.stack`` does with arrays.
See :mod:`lrlab.schedules` for the conventions.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import fail
from .base import Schedule, latex_name, set_field
from .decay import Constant

__all__ = ["Stack", "stack"]


def _piece(value: Any, name: str) -> Schedule:
    """A Schedule, or a constant rate promoted to one."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, numbers.Real | np.ndarray) and not isinstance(value, bool | np.bool_):
        return Constant(value)
    fail(value, name, "stack",
         allowed="an lrlab schedule (e.g. lrlab.schedules.cosine(0.1, 100)) or a constant "
                 "rate", exc=TypeError)


@dataclass(frozen=True, eq=False, repr=False)
class Stack(Schedule):
    """Schedules side by side: run ``j`` follows ``schedules[j]``; see :func:`stack`."""

    schedules: tuple
    name = "stack"

    def _validate(self):
        items = self.schedules
        if isinstance(items, Schedule) or not isinstance(items, list | tuple) or not items:
            fail(items, "schedules", self.name, allowed="a non-empty list of schedules",
                 exc=TypeError if not isinstance(items, list | tuple) else ValueError)
        set_field(self, "schedules",
                  tuple(_piece(s, f"schedules[{i}]") for i, s in enumerate(items)))

    def _run_shape(self):
        shapes = [s.run_shape for s in self.schedules]
        try:
            inner = tuple(np.broadcast_shapes(*shapes))
        except ValueError:
            raise ValueError(f"The schedules of stack must have run shapes that broadcast to "
                             f"one; got {shapes}.") from None
        return (len(self.schedules), *inner)

    def _eval(self, t):
        inner = self.run_shape[1:]
        steps = t.reshape(-1)
        columns = []
        for s in self.schedules:
            own = s.run_shape
            flat = steps.reshape((-1,) + (1,) * len(own))
            value = np.broadcast_to(np.asarray(s._eval(flat), dtype=float), (len(steps), *own))
            # the member's rate axes line up with the right end of the common shape
            value = value.reshape((len(steps),) + (1,) * (len(inner) - len(own)) + own)
            columns.append(np.broadcast_to(value, (len(steps), *inner)))
        return np.stack(columns, axis=1)

    @property
    def formula(self):
        parts = ", ".join(rf"\mathrm{{{latex_name(s.name)}}}_{{{j}}}(t)"
                          for j, s in enumerate(self.schedules))
        return rf"\eta_t = \bigl({parts}\bigr)\quad\text{{(one run per schedule)}}"

    @property
    def torch(self):
        return ("no single scheduler: one optimizer (or param group) per run, each with its "
                "own scheduler; LambdaLR(opt, lr_lambda=[f_0, f_1, ...]) takes one function per "
                "param group")

    def _symbols(self):
        return (("K", len(self.schedules)),)

    def __repr__(self) -> str:  # a list, so that one schedule also rebuilds
        return "stack([" + ", ".join(repr(s) for s in self.schedules) + "])"


def stack(schedules: Any) -> Stack:
    r"""Several schedules as one batch of runs: run ``j`` follows ``schedules[j]``.

    Parameters
    ----------
    schedules : list of Schedule (or constant rates)
        The contestants. Their run shapes (array base rates) must broadcast
        to one shape ``R``.

    Returns
    -------
    Stack
        Run shape ``(len(schedules), *R)``: ``lr(t)`` has shape
        ``S + (K, *R)`` for steps of shape ``S``.

    Notes
    -----
    .. math:: \eta^{(j)}_t = s_j(t), \qquad j = 0, \dots, K - 1

    ``sgd(stack([...]))`` trains the K schedules in one :func:`lrlab.train`
    call: the runs share the start point and the minibatches, so any
    difference between two of them is the schedule's. To train every
    schedule from each of N start points ``x0`` of shape ``(N, dim)``, give
    the schedules rates of shape ``(1,)`` (``cosine(np.array([0.3]), T)``):
    the stack's run shape ``(K, 1)`` broadcasts with ``(N,)`` to ``(K, N)``.

    Examples
    --------
    >>> from lrlab.schedules import constant, cosine
    >>> lr = stack([constant(0.1), cosine(0.1, total_steps=4)])
    >>> lr.run_shape
    (2,)
    >>> lr(np.arange(5)).round(4).tolist()
    [[0.1, 0.1], [0.1, 0.0854], [0.1, 0.05], [0.1, 0.0146], [0.1, 0.0]]
    """
    return Stack(schedules)
