"""Composing schedules: a linear warm-up in front of one, and one after another.

See :mod:`lrlab.schedules` for the conventions (0-based ``t``, array base
rates, vectorised steps).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_int, check_real, fail, run_shape
from .base import Schedule, check_increasing, check_rate, latex_name, set_field
from .decay import Constant

__all__ = ["Join", "Warmup", "join", "warmup"]


def _as_piece(value: Any, name: str, owner: str) -> Schedule:
    """A Schedule, or a constant rate (float or array) promoted to one."""
    if isinstance(value, Schedule):
        return value
    if isinstance(value, numbers.Real | np.ndarray | list | tuple) and not isinstance(
            value, bool | np.bool_):
        return Constant(check_rate(value, name, owner))  # an error names this argument
    fail(value, name, owner,
         allowed="an lrlab schedule (e.g. lrlab.schedules.cosine(0.1, 100)) or a "
                 "constant rate", exc=TypeError)


@dataclass(frozen=True, eq=False, repr=False)
class Warmup(Schedule):
    """A linear warm-up in front of a schedule; see :func:`warmup`."""

    schedule: Any
    steps: int
    start_factor: float | None = None
    name = "warmup"

    def _validate(self):
        self._check("schedule", _as_piece)
        self._check("steps", check_int, low=1)
        if self.start_factor is not None:
            self._check("start_factor", check_real, low=0, high=1)

    def _run_shape(self):
        return self.schedule.run_shape

    @property
    def factor0(self) -> float:
        """The factor at ``t = 0``: ``start_factor``, or ``1 / (steps + 1)`` by default."""
        return 1.0 / (self.steps + 1) if self.start_factor is None else self.start_factor

    def _eval(self, t):
        W, a = self.steps, self.factor0
        peak = self.schedule._eval(np.zeros_like(t))
        ramp = peak * (a + (1.0 - a) * np.minimum(t, W) / W)
        after = self.schedule._eval(np.maximum(t - W, 0))
        return np.where(t < W, ramp, after)

    @property
    def formula(self):
        inner = rf"\mathrm{{{latex_name(self.schedule.name)}}}"
        return (r"\eta_t = \begin{cases} " + inner + r"(0)\left(a + (1 - a)\,\frac{t}{W}\right)"
                r" & t < W \\ " + inner + r"(t - W) & t \ge W \end{cases}")

    @property
    def torch(self):
        return ("SequentialLR(opt, [LinearLR(opt, start_factor=a, end_factor=1.0, "
                "total_iters=W), S], milestones=[W]), with S the torch counterpart of the "
                "wrapped schedule: same values whenever S starts at the optimiser's lr "
                f"(S here: {self.schedule.torch})")

    def _symbols(self):
        return (("W", self.steps), ("a", self.factor0))


def warmup(schedule: Any, steps: int, start_factor: float | None = None) -> Warmup:
    r"""Prepend a linear warm-up of ``steps`` steps to ``schedule``.

    Parameters
    ----------
    schedule : Schedule, float or array
        What follows the warm-up (a number means a constant rate).
    steps : int >= 1
        :math:`W`, length of the warm-up.
    start_factor : float in [0, 1], optional
        :math:`a`: the first rate is ``a * schedule(0)``. The default
        ``1 / (steps + 1)`` gives nanoGPT's ramp
        :math:`\eta\,(t + 1)/(W + 1)`: small but never zero, so no step is
        wasted. ``0`` starts from zero (Hugging Face's linear warm-up).

    Returns
    -------
    Warmup

    Notes
    -----
    .. math::
        \eta_t = \begin{cases}
            \eta^{s}_0\left(a + (1 - a)\,\frac{t}{W}\right) & t < W \\
            \eta^{s}_{t - W} & t \ge W
        \end{cases}

    where :math:`\eta^{s}` is the wrapped schedule. **The wrapped schedule
    sees** :math:`t - W`: it starts when the warm-up ends, at its own step 0,
    so its parameters describe the part after the warm-up (a
    ``cosine(lr, 900)`` behind a 100-step warm-up ends at step 1000), and the
    ramp climbs exactly to the rate the schedule starts from, with no jump.
    This is what nanoGPT's ``get_lr`` does (its cosine uses
    ``it - warmup_iters``), what optax's ``warmup_cosine_decay_schedule`` does,
    and what PyTorch gives with ``SequentialLR([LinearLR(opt, a, 1.0, W), S],
    milestones=[W])`` (tested). The alternative, multiplying the ramp into a
    schedule that sees :math:`t` (torch's ``ChainedScheduler``), eats the
    first :math:`W` steps of the decay; for a schedule that is flat at the
    start, such as Goyal et al.'s step decay, the two agree.

    Examples
    --------
    >>> from lrlab.schedules import cosine
    >>> lr = warmup(cosine(1.0, total_steps=4), steps=3)
    >>> [round(lr(t), 6) for t in range(9)]
    [0.25, 0.5, 0.75, 1.0, 0.853553, 0.5, 0.146447, 0.0, 0.0]
    >>> warmup(0.1, steps=4, start_factor=0.0)(np.arange(6))
    array([0.   , 0.025, 0.05 , 0.075, 0.1  , 0.1  ])

    References
    ----------
    Goyal et al. (2017), "Accurate, large minibatch SGD: training ImageNet in 1 hour".
    """
    return Warmup(schedule, steps, start_factor)


@dataclass(frozen=True, eq=False, repr=False)
class Join(Schedule):
    """Schedules one after another; see :func:`join`."""

    schedules: tuple
    boundaries: tuple
    name = "join"

    def _validate(self):
        o = self.name
        if isinstance(self.schedules, Schedule) or not isinstance(self.schedules, list | tuple):
            fail(self.schedules, "schedules", o,
                 allowed="a non-empty list of schedules", exc=TypeError)
        if not self.schedules:
            fail(self.schedules, "schedules", o, allowed="a non-empty list of schedules")
        pieces = tuple(_as_piece(s, f"schedules[{i}]", o) for i, s in enumerate(self.schedules))
        set_field(self, "schedules", pieces)
        self._check("boundaries", check_increasing, low=1)
        if len(self.boundaries) != len(pieces) - 1:
            fail(self.boundaries, "boundaries", o,
                 allowed=f"a sequence of len(schedules) - 1 = {len(pieces) - 1} "
                         "steps")

    def _run_shape(self):
        return run_shape(*[np.zeros(s.run_shape) for s in self.schedules], owner=self.name)

    def _eval(self, t):
        starts = (0, *self.boundaries)
        piece = np.searchsorted(np.asarray(self.boundaries, dtype=np.int64), t, side="right")
        shape = np.broadcast_shapes(t.shape, self.run_shape)
        conditions = [np.broadcast_to(piece == i, shape) for i in range(len(self.schedules))]
        values = [np.broadcast_to(s._eval(np.maximum(t - start, 0)), shape)
                  for s, start in zip(self.schedules, starts, strict=True)]
        return np.select(conditions, values)

    @property
    def formula(self):
        starts = (0, *self.boundaries)
        rows = []
        for i, (s, start) in enumerate(zip(self.schedules, starts, strict=True)):
            arg = "t" if start == 0 else f"t - {start}"
            if i == len(self.schedules) - 1:
                cond = rf"{start} \le t"
            elif i == 0:
                cond = f"t < {self.boundaries[0]}"
            else:
                cond = rf"{start} \le t < {self.boundaries[i]}"
            rows.append(rf"\mathrm{{{latex_name(s.name)}}}_{{{i}}}({arg}) & {cond}")
        if len(rows) == 1:
            return rf"\eta_t = \mathrm{{{latex_name(self.schedules[0].name)}}}_{{0}}(t)"
        return r"\eta_t = \begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"

    torch = ("SequentialLR(opt, schedulers, milestones=boundaries): same values (each "
             "scheduler restarts from its own step 0 at its milestone), like optax's "
             "join_schedules")

    def _symbols(self):
        return ()


def join(schedules: Any, boundaries: Any) -> Join:
    r"""Run schedules one after another; each starts at its own step 0 at its boundary.

    Parameters
    ----------
    schedules : list of Schedule (or constant rates)
        The pieces, in order.
    boundaries : sequence of int
        Strictly increasing steps :math:`b_1 < b_2 < \dots` (``>= 1``), one fewer
        than the schedules: piece :math:`i` runs on :math:`[b_i, b_{i+1})`.

    Returns
    -------
    Join

    Notes
    -----
    .. math::
        \eta_t = \eta^{(i)}_{t - b_i} \quad \text{for } b_i \le t < b_{i+1},
        \qquad b_0 = 0,\ b_{n} = \infty

    Each piece sees the step relative to its boundary, as in optax's
    ``join_schedules`` and PyTorch's ``SequentialLR(opt, schedulers,
    milestones=boundaries)`` (equal values, tested). Array base rates of the
    pieces broadcast to one run shape.

    Examples
    --------
    >>> from lrlab.schedules import constant, exponential
    >>> lr = join([constant(0.1), exponential(0.05, gamma=0.5)], boundaries=[3])
    >>> lr(np.arange(6))
    array([0.1   , 0.1   , 0.1   , 0.05  , 0.025 , 0.0125])
    """
    return Join(schedules, boundaries)
