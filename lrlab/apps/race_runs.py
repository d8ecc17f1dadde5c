"""What the schedule race runs: its contestants, and their runs, trained together and cached.

Every contestant is plain SGD with a learning-rate schedule (or, for
"plateau ÷10", a rule whose rate follows the loss), from the same start on
the same minibatches. :class:`RaceRuns` trains the runs a race needs in one
:func:`lrlab.train` call and keeps them while they can be reused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..problem import Problem
from ..rules import Rule, sgd
from ..trainer import train
from .base import loss_gap

__all__ = ["CONTESTANTS", "DECAYING", "LENGTHED", "SCHEDULES", "WARMING", "RaceRuns",
           "RateTable", "SlicedRuns", "first_steps", "make_contestant"]

def _schedules():
    from .. import schedules
    return schedules


#: Contestant name -> its learning-rate schedule, ``make(lr, num_steps, decay_every,
#: warmup_steps)`` (every contestant but "plateau ÷10", whose rate follows the loss).
SCHEDULES: dict[str, Callable[..., Any]] = {
    "constant": lambda lr, T, k, w: _schedules().constant(lr),
    "step ÷10": lambda lr, T, k, w: _schedules().step(lr, step_size=k, gamma=0.1),
    "exponential": lambda lr, T, k, w: _schedules().exponential(lr, gamma=0.1 ** (1 / k)),
    "1/t": lambda lr, T, k, w: _schedules().inverse_time(lr, decay_rate=1.0,
                                                         decay_steps=max(k / 10, 1)),
    "1/√t": lambda lr, T, k, w: _schedules().inverse_sqrt(lr, decay_steps=max(k / 10, 1)),
    "cosine": lambda lr, T, k, w: _schedules().cosine(lr, total_steps=T),
    "warm-up + cosine": lambda lr, T, k, w: _schedules().warmup(
        _schedules().cosine(lr, total_steps=max(T - w, 1)), steps=w),
    "WSD": lambda lr, T, k, w: _wsd(lr, T, k, w),
    "plateau ÷10": None,
    "one-cycle": lambda lr, T, k, w: _schedules().one_cycle(lr, total_steps=T),
    "cosine restarts": lambda lr, T, k, w: _schedules().cosine_restarts(lr, period=k),
    "cyclic": lambda lr, T, k, w: _schedules().cyclic(lr / 100, lr, step_size_up=max(k // 2, 1),
                                                      mode="triangular2"),
}


def _sgd_of(make: Callable[..., Any]) -> Callable[..., Rule]:
    return lambda lr, T, k, w: sgd(make(lr, T, k, w))


#: Contestant name -> ``make(lr, num_steps, decay_every, warmup_steps) -> Rule``.
CONTESTANTS: dict[str, Callable[..., Rule]] = {
    name: (_sgd_of(make) if make is not None else (lambda lr, T, k, w: _plateau(lr, k)))
    for name, make in SCHEDULES.items()}

#: The contestants that use the "decay every" period.
DECAYING = {"step ÷10", "exponential", "1/t", "1/√t", "WSD", "plateau ÷10", "cosine restarts",
            "cyclic"}

#: The contestants that use the warm-up length.
WARMING = {"warm-up + cosine", "WSD"}

#: The contestants whose schedule depends on the race's length (the others' runs of T
#: steps are the first T steps of a longer run).
LENGTHED = {"cosine", "warm-up + cosine", "WSD", "one-cycle"}


def _wsd(lr: float, T: int, cooldown: int, warmup: int) -> Any:
    """Warmup-stable-decay over the race: ``warmup`` steps up, a linear cool-down of
    ``cooldown`` steps at the end (both shortened to fit a short race)."""
    w = min(warmup, T - 1)
    return _schedules().wsd(lr, T, warmup_steps=w, decay_steps=max(min(cooldown, T - w), 1))


def _plateau(lr: float, patience_hint: int) -> Rule:
    from ..rules.plateau import reduce_on_plateau
    return reduce_on_plateau(lr, factor=0.1, patience=max(patience_hint // 2, 5),
                             min_lr=lr * 1e-3)


def make_contestant(name: str, lr: float, num_steps: int, decay_every: int,
                    warmup_steps: int) -> Rule:
    """The SGD rule a contestant of the race runs (see :data:`CONTESTANTS`)."""
    if name not in CONTESTANTS:
        raise ValueError(f"The 'name' parameter of make_contestant must be one of "
                         f"{list(CONTESTANTS)}. Got {name!r} instead.")
    return CONTESTANTS[name](lr, num_steps, decay_every, warmup_steps)




class RateTable:
    """A race's learning rates, looked up: ``rates(t)`` is row ``t`` of a table (one column
    per run), computed once by the contestants' schedules themselves."""

    def __init__(self, table: np.ndarray):
        self.table = table

    def __call__(self, t: int) -> np.ndarray:
        return self.table[t]

    def __repr__(self) -> str:
        return f"race rates ({self.table.shape[1]} runs, {self.table.shape[0]} steps)"


def first_steps(history: Any, num_steps: int) -> Any:
    """The first ``num_steps`` steps of a single run's History, as a run of that length.

    Equal to training for ``num_steps`` steps when the run was trained with
    ``eval_every=1``: every verdict of the trainer at step ``t`` (diverged,
    stopped) reads only the losses up to ``t``, and every step is evaluated,
    so the end of a shorter run is no different from any other step.
    """
    from dataclasses import replace

    h, T = history, int(num_steps)
    if T >= h.num_steps:
        return h
    ended = {f: getattr(h, f) if 0 <= int(getattr(h, f)) <= T else np.int64(-1)
             for f in ("diverged_at", "stopped_at")}
    over = all(int(v) < 0 for v in ended.values())
    keep = h.eval_steps <= T
    return replace(h, loss=h.loss[:T + 1], grad_norm=h.grad_norm[:T + 1], lr=h.lr[:T],
                   update_ratio=h.update_ratio[:T],
                   params=None if h.params is None else h.params[:T + 1],
                   reason=np.str_("") if over else h.reason, **ended,
                   loss_evals=h.loss_evals[:T + 1], grad_evals=h.grad_evals[:T + 1],
                   eval_steps=h.eval_steps[keep],
                   eval_loss=None if h.eval_loss is None else h.eval_loss[keep], states=None)


#: A steps slider's move trains the runs of this many of its values on either side too.
NEAR = 3


class SlicedRuns:
    """Runs of SGD with schedules on one problem, trained together, sliced and cached.

    A run is asked for by a *spec* ``(key, make, lengthed)``: ``key`` names
    everything it depends on but its length, ``make(T)`` gives its schedule (or
    a :class:`~lrlab.rules.Rule`, trained on its own) for ``T`` steps, and
    ``lengthed`` says whether that schedule depends on ``T``. The missing runs
    are trained in one :func:`lrlab.train` call (one column of learning rates
    per run, :class:`RateTable`; a run alone with its own schedule). When the
    length changes (a steps slider moved), the :data:`NEAR` lengths of the
    slider on either side are trained too (one column per length for a
    lengthed spec, the length-free runs at the longest), with ``eval_every=1``,
    so that a run of a length-free schedule serves every shorter length
    (:func:`first_steps`): the next key presses or a drag are then slices, not
    training. Other changes train runs of the length shown only, as
    :func:`lrlab.train` does by default.
    """

    def __init__(self, problem: Problem, *, seed: int):
        self.problem, self.seed = problem, seed
        self._trained: dict = {}  # (key, T or None) -> (History of one run, sliceable)
        self._shown: dict = {}  # (key, T or None, T) -> (History of T steps, loss gap)
        self._last_T: int | None = None
        self.trainings = 0  # train() calls (for tests)

    def get(self, specs: dict, T: int, *, batch_size: int, lengths: range,
            keep: Callable[[Any], bool] | None = None,
            shown: Iterable[str] | None = None) -> dict:
        """Name -> (History of ``T`` steps, full-data loss gap of its iterates), for
        ``specs`` (name -> spec), or only for the names ``shown`` (every spec is trained
        all the same; a gap, one full-data pass per iterate, is computed when shown).
        Cached runs whose key fails ``keep`` are dropped (default: keep those asked for
        now)."""
        def full(key, lengthed, t):
            return (key, t if lengthed else None)

        missing = [(full(k, ln, T), make, T) for k, make, ln in specs.values()
                   if self._usable(full(k, ln, T), T) is None]
        if missing:
            if self._last_T not in (None, T) and T in lengths:  # the steps slider moved:
                at = lengths.index(T)  # the lengths around this one, at once
                near = lengths[max(at - NEAR, 0):at + NEAR + 1]
                longest = max(near)
                jobs = [(full(k, ln, t), make, t) for k, make, ln in specs.values()
                        for t in (near if ln else [longest])]
                jobs = [j for j in jobs if self._usable(j[0], j[2], every=j[0][1] is None)
                        is None]
                self._train(jobs, longest, batch_size, sliceable=True)
            else:
                self._train(missing, T, batch_size, sliceable=False)
        self._last_T = T
        out = {}
        names = specs if shown is None else dict.fromkeys(shown)
        for name in names:
            k, _, ln = specs[name]
            view = (*full(k, ln, T), T)
            if view not in self._shown:
                h = first_steps(self._usable(full(k, ln, T), T), T)
                self._shown[view] = (h, loss_gap(self.problem, h))
            out[name] = self._shown[view]
        asked = {s[0] for s in specs.values()}
        keep = keep or (lambda key: key in asked)
        self._trained = {f: v for f, v in self._trained.items() if keep(f[0])}
        self._shown = {f: v for f, v in self._shown.items() if keep(f[0])}
        return out

    def _usable(self, full_key: tuple, T: int, *, every: bool = False) -> Any:
        """The cached run that gives ``T`` steps (``every``: and every shorter length)."""
        h, sliceable = self._trained.get(full_key, (None, False))
        exact = h is not None and h.num_steps == T and not every
        return h if exact or (h is not None and sliceable and h.num_steps >= T) else None

    def _train(self, jobs: list[tuple], length: int, batch_size: int, *,
               sliceable: bool) -> None:
        """Train ``jobs`` for ``length`` steps; with ``eval_every=1`` when they are to be
        sliced (else as :func:`lrlab.train` does by default: a run of this length only)."""
        run = dict(batch_size=batch_size, seed=self.seed, record_params=True)
        if sliceable:
            run["eval_every"] = 1
        made = [(f, make(t)) for f, make, t in jobs]
        scheduled = [(f, m) for f, m in made if not isinstance(m, Rule)]
        if len(scheduled) == 1:  # alone: its own schedule (a constant rate is hoisted)
            (f, m), = scheduled
            self._trained[f] = (train(self.problem, sgd(m), length, **run), sliceable)
            self.trainings += 1
        elif scheduled:
            steps = np.arange(length)
            table = np.stack([np.broadcast_to(m(steps), (length,)) for _, m in scheduled],
                             axis=1)
            h = train(self.problem, sgd(RateTable(table)), length, **run)
            self.trainings += 1
            for j, (f, _) in enumerate(scheduled):
                self._trained[f] = (h[j], sliceable)
        for f, m in made:
            if isinstance(m, Rule):
                self._trained[f] = (train(self.problem, m, length, **run), sliceable)
                self.trainings += 1


class RaceRuns(SlicedRuns):
    """The race's runs (:class:`SlicedRuns`) by contestant.

    A contestant's run depends on the base lr, the batch size and the seed, and
    on the decay period, the warm-up and the race length only when its
    schedule uses them (:data:`DECAYING`, :data:`WARMING`, :data:`LENGTHED`).
    Runs of deselected contestants are kept while those settings stay.
    """

    def __init__(self, problem: Problem, seed: int):
        super().__init__(problem, seed=seed)

    def contestants(self, names: list[str], lr: float, T: int, k: int, w: int, B: int, *,
                    lengths: range) -> dict:
        """Contestant -> (History of ``T`` steps, full-data loss gap of its iterates)."""
        def spec(name: str) -> tuple:
            key = (name, lr, B, k if name in DECAYING else None, w if name in WARMING else None)
            return key, (lambda t: _made(name, lr, t, k, w)), name in LENGTHED

        def current(key: tuple) -> bool:
            return key[1:3] == (lr, B) and key[3] in (None, k) and key[4] in (None, w)

        return self.get({n: spec(n) for n in names}, T, batch_size=B, lengths=lengths,
                        keep=current)


def _made(name: str, lr: float, T: int, k: int, w: int) -> Any:
    """A contestant's schedule, or its rule when it has no schedule ("plateau ÷10")."""
    make = SCHEDULES[name]
    return make(lr, T, k, w) if make is not None else make_contestant(name, lr, T, k, w)
