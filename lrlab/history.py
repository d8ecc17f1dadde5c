"""History: what a training run recorded, as plain arrays.

Every array has the step axis first and the *run shape* next: a run over 256
learning rates has ``loss.shape == (num_steps + 1, 256)``. ``history[i]``
selects run ``i`` and returns a History of that one run, so plotting code
never has to care whether a run was batched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from ._validation import check_int, check_real

#: nearest_run: log distances this close count as a tie (rounding of a log grid is ~1e-16)
_NEAR_TIE = 1e-9

__all__ = ["History"]


@dataclass(frozen=True, eq=False)
class History:
    """Record of one (possibly batched) training run.

    Attributes
    ----------
    loss : ndarray, shape (num_steps + 1, *run_shape)
        Loss at ``theta_t`` on the batch of step ``t`` (the exact loss for
        full-batch runs). Entries after a run stopped are NaN; the entry at
        ``diverged_at`` keeps the offending value (inf, NaN or huge).
    grad_norm : ndarray, shape (num_steps + 1, *run_shape)
        Euclidean norm of the gradient the rule saw at ``theta_t``.
    lr : ndarray, shape (num_steps, *run_shape)
        Global learning rate used at step ``t`` (the rule state's ``lr``;
        NaN for rules without one).
    update_ratio : ndarray, shape (num_steps, *run_shape)
        ``||theta_{t+1} - theta_t|| / ||theta_t||`` (norm of the step over the norm of
        the parameters it is applied to, ``||theta_t||`` floored at 1e-12): the
        update-to-parameter ratio that Karpathy's CS231n notes suggest keeping near
        1e-3. The same numbers whether or not the iterates were recorded.
    params : ndarray, shape (num_steps + 1, *run_shape, dim), or None
        The iterates, when recorded.
    diverged_at : ndarray of int, shape run_shape
        Step at which each run diverged, ``-1`` if it did not.
    stopped_at : ndarray of int, shape run_shape
        Step at which a run stopped early (converged or no progress), ``-1`` if not.
    reason : ndarray of str, shape run_shape
        Why a run ended before ``num_steps`` ("" when it did not).
    loss_evals, grad_evals : ndarray of int, shape (num_steps + 1,)
        Cumulative number of loss and gradient evaluations after each step: one of
        each per step at ``theta_t``, plus every call a loss-aware rule made to
        ``loss_fn`` (Armijo's trial steps, a line search's probes). For a single run
        this is that run's cost. In a batched run one call serves all runs, so the
        count is that of the run that needed the most calls.
    eval_steps : ndarray of int, shape (k,)
        Steps at which the evaluation loss was computed.
    eval_loss : ndarray, shape (k, *run_shape), or None
        Full-data (or validation) loss at ``eval_steps``. A minibatch run of
        :func:`lrlab.train` has it by default (see :attr:`run_kind`, :meth:`judged_loss`).
    states : list or None
        Rule states, ``states[0]`` from ``init`` and ``states[t + 1]`` after step ``t``.
        Unlike the arrays above they are kept as the rule returned them: entries of a
        run after its :attr:`last_step` are not blanked (read them up to it only).
    meta : dict
        How the run was made: ``rule``, ``problem``, ``seed``, ``batch_size``,
        ``run_kind`` (see :attr:`run_kind`), ``eval_on`` ('full data', 'eval_problem'
        or None: what ``eval_loss`` measures) and ``full_data_evals`` (the full-data
        loss and gradient evaluations the trainer's verdicts cost, on top of
        ``eval_steps``).
    """

    loss: np.ndarray
    grad_norm: np.ndarray
    lr: np.ndarray
    update_ratio: np.ndarray
    params: np.ndarray | None
    diverged_at: np.ndarray
    stopped_at: np.ndarray
    reason: np.ndarray
    loss_evals: np.ndarray
    grad_evals: np.ndarray
    eval_steps: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    eval_loss: np.ndarray | None = None
    states: list | None = None
    meta: dict = field(default_factory=dict)

    # --------------------------------------------------------------- shapes
    @property
    def num_steps(self) -> int:
        """Number of steps the run was asked for."""
        return self.loss.shape[0] - 1

    @property
    def run_shape(self) -> tuple:
        """Shape of the batch of runs (``()`` for a single run)."""
        return self.loss.shape[1:]

    def __len__(self) -> int:
        if not self.run_shape:
            raise TypeError("A History of a single run has no len(); use num_steps.")
        return self.run_shape[0]

    def __getitem__(self, index: Any) -> History:
        """The History of run(s) ``index`` (indexes the run axes, not the steps)."""
        if not self.run_shape:
            raise IndexError("This History holds a single run; there is nothing to index.")
        idx = index if isinstance(index, tuple) else (index,)
        step_first = (slice(None), *idx)
        changes = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("loss", "grad_norm", "lr", "update_ratio", "params", "eval_loss"):
                changes[f.name] = None if value is None else value[step_first]
            elif f.name in ("diverged_at", "stopped_at", "reason"):
                changes[f.name] = value[idx]
            elif f.name == "states" and value is not None:
                changes[f.name] = [_index_state(s, idx) for s in value]
        return replace(self, **changes)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    # ---------------------------------------------------------- summaries
    @property
    def diverged(self) -> np.ndarray | bool:
        """True for runs that diverged."""
        return _scalar(self.diverged_at >= 0)

    @property
    def last_step(self) -> np.ndarray | int:
        """Last step with a recorded loss: ``diverged_at``, ``stopped_at`` or ``num_steps``."""
        last = np.where(self.diverged_at >= 0, self.diverged_at,
                        np.where(self.stopped_at >= 0, self.stopped_at, self.num_steps))
        return _scalar(last)

    @property
    def final_loss(self) -> np.ndarray | float:
        """Loss at :attr:`last_step` (inf or NaN for a run that blew up)."""
        last = np.asarray(self.last_step)
        value = np.take_along_axis(self.loss, last[None, ...], axis=0)[0]
        return _scalar(value)

    @property
    def best_step(self) -> np.ndarray | int:
        """Step with the lowest finite loss; ``-1`` for a run without one (as ``diverged_at``)."""
        finite = np.isfinite(self.loss)
        best = np.argmin(np.where(finite, self.loss, np.inf), axis=0)
        return _scalar(np.where(finite.any(axis=0), best, -1))

    @property
    def best_loss(self) -> np.ndarray | float:
        """Lowest finite loss of each run (``inf`` for a run without one)."""
        finite = np.where(np.isfinite(self.loss), self.loss, np.inf)
        return _scalar(np.min(finite, axis=0))

    @property
    def run_kind(self) -> str:
        """'exact' (full batch: ``loss`` is exact), 'noisy gradient' (a noisy surface:
        ``loss`` is exact, the gradient is not) or 'minibatch' (``loss`` is a minibatch's).

        A History made elsewhere without ``meta["run_kind"]`` counts as exact only
        when its ``meta["batch_size"]`` is None.
        """
        kind = self.meta.get("run_kind")
        if kind is None:
            kind = "exact" if self.meta.get("batch_size") is None else "minibatch"
        return kind

    def judged_loss(self) -> tuple[np.ndarray, np.ndarray, str] | None:
        """The exact loss a verdict on this (single) run rests on: ``(steps, values, source)``.

        ``loss`` itself (source 'exact loss') when it is exact; else the evaluation
        (source 'full-data loss' or 'evaluation loss') up to the run's last step;
        ``None`` for a minibatch run without an evaluation: nothing exact to judge by.
        """
        if self.run_shape:
            raise ValueError("judged_loss reads one run; index the batched History first "
                             f"(history[i]); it holds {self.run_shape} runs.")
        last = int(self.last_step)
        if self.run_kind != "minibatch":
            return np.arange(last + 1), np.asarray(self.loss[: last + 1], dtype=float), \
                "exact loss"
        if self.eval_loss is None or not len(self.eval_steps):
            return None
        keep = np.asarray(self.eval_steps) <= last
        source = ("evaluation loss" if self.meta.get("eval_on", "eval_problem") != "full data"
                  else "full-data loss")
        return (np.asarray(self.eval_steps)[keep], np.asarray(self.eval_loss, dtype=float)[keep],
                source)

    def steps_to(self, reduction: float = 1e-8, f_star: float | None = None
                 ) -> np.ndarray | int:
        """First step at which the loss gap has shrunk by ``reduction``; -1 if never.

        The gap is ``loss - f_star`` (``f_star = 0`` when not given), and the step
        is the first ``t`` with ``gap[t] <= reduction * gap[0]``.

        >>> import lrlab
        >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
        >>> lrlab.train(bowl, lrlab.sgd([0.05, 0.3]), 200).steps_to(1e-6)
        array([112,  -1])
        """
        reduction = check_real(reduction, "reduction", "History.steps_to", low=0, low_open=True)
        if f_star is not None:
            f_star = check_real(f_star, "f_star", "History.steps_to")
        gap = self.loss - (0.0 if f_star is None else f_star)
        with np.errstate(invalid="ignore"):
            hit = gap <= reduction * gap[:1]
        return _scalar(np.where(hit.any(axis=0), hit.argmax(axis=0), -1))

    # ----------------------------------------------------- choosing among runs
    def _run_index(self, flat: int) -> int | tuple[int, ...]:
        """A flat run number as the index ``history[...]`` takes (an int for 1-D runs)."""
        index = tuple(int(i) for i in np.unravel_index(flat, self.run_shape))
        return index[0] if len(index) == 1 else index

    def _require_batch(self, owner: str) -> None:
        if not self.run_shape:
            raise ValueError(f"History.{owner} chooses among the runs of a batched run "
                             "(train(..., sgd([lr1, lr2, ...]))); this History holds one run.")

    def nearest_run(self, lr: float, *, step: int = 0) -> int | tuple[int, ...]:
        """Index of the run whose learning rate at ``step`` is nearest to ``lr``.

        Distances are measured on a log scale (0.03 is nearer to 0.01 than to
        0.1), so in a sweep over log-spaced rates this is the run "at about
        ``lr``". Runs whose rate is NaN (rules without a global rate) or not
        positive are never chosen; ties go to the first run, and so do near-ties
        within rounding (log distances within 1e-9 of each other): a rate half-way
        between two of a log grid, 0.1 in ``np.geomspace(1e-3, 10, 60)``, picks
        the same run on every CPU, whichever way the grid's last bits fall.

        Parameters
        ----------
        lr : float
            The learning rate to look for, > 0.
        step : int, optional
            Step whose rates are compared (default 0, the rate a run started with).

        Returns
        -------
        int or tuple of int
            ``i`` for a 1-D batch of runs, ``(i, j, ...)`` for a grid, so that
            ``history[history.nearest_run(lr)]`` is that run.

        Examples
        --------
        >>> import lrlab, numpy as np
        >>> h = lrlab.train(lrlab.surfaces.parabola(), lrlab.sgd(np.geomspace(1e-3, 1, 7)), 5)
        >>> i = h.nearest_run(0.03)
        >>> i, float(h.lr[0, i])
        (3, 0.0316)
        """
        self._require_batch("nearest_run")
        lr = check_real(lr, "lr", "History.nearest_run", low=0, low_open=True)
        step = check_int(step, "step", "History.nearest_run", low=0, high=self.num_steps - 1)
        rates = np.asarray(self.lr[step], dtype=float).ravel()
        usable = np.isfinite(rates) & (rates > 0)
        if not usable.any():
            raise ValueError(f"History.nearest_run: no run has a positive learning rate at step "
                             f"{step} (the rule has no global rate: History.lr is NaN).")
        with np.errstate(divide="ignore", invalid="ignore"):
            distance = np.where(usable, np.abs(np.log(rates) - np.log(lr)), np.inf)
        nearest = np.flatnonzero(distance <= distance.min() + _NEAR_TIE)[0]
        return self._run_index(int(nearest))

    def fastest_run(self, reduction: float = 1e-8, *, f_star: float | None = None
                    ) -> int | tuple[int, ...] | None:
        """Index of the run that first shrinks its loss gap by ``reduction``; None if none does.

        "First" is in steps, as :meth:`steps_to` counts them; ties go to the
        first run. In a sweep over learning rates this picks the fastest rate.

        Parameters
        ----------
        reduction : float
            Target ratio ``gap[t] / gap[0]``, in (0, 1).
        f_star : float, optional
            Minimum of the loss (the gap is ``loss - f_star``; 0 when not given).

        Returns
        -------
        int, tuple of int or None
            As :meth:`nearest_run`; None when no run reaches the target.

        Examples
        --------
        >>> import lrlab
        >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
        >>> h = lrlab.train(bowl, lrlab.sgd([0.05, 0.15, 0.25]), 200)
        >>> h.steps_to(1e-6), h.fastest_run(1e-6)
        (array([112,  36,  -1]), 1)
        >>> h.fastest_run(1e-300) is None
        True
        """
        self._require_batch("fastest_run")
        reduction = check_real(reduction, "reduction", "History.fastest_run", low=0, high=1,
                               low_open=True, high_open=True)
        steps = np.asarray(self.steps_to(reduction, f_star=f_star)).ravel()
        if not (steps >= 0).any():
            return None
        return self._run_index(int(np.argmin(np.where(steps >= 0, steps, np.iinfo(int).max))))

    @property
    def final_params(self) -> np.ndarray:
        """Parameters at :attr:`last_step` (needs recorded params)."""
        if self.params is None:
            raise ValueError("This History did not record params; call train(..., "
                             "record_params=True).")
        last = np.asarray(self.last_step)
        return np.take_along_axis(self.params, last[None, ..., None], axis=0)[0]

    def status(self) -> np.ndarray | str:
        """'diverged', 'stopped' or 'finished' for each run."""
        out = np.where(self.diverged_at >= 0, "diverged",
                       np.where(self.stopped_at >= 0, "stopped", "finished"))
        return _scalar(out)

    def summary(self) -> str:
        """One line per run: its index, status, last step, final loss and the reason.

        A grid of runs (run shape ``(2, 3)``) gives six lines, ``[0,0]`` to ``[1,2]``.
        """
        if self.run_shape:
            return "\n".join(f"[{','.join(map(str, i))}] {self[i].summary()}"
                              for i in np.ndindex(*self.run_shape))
        text = f"{self.status()} after {self.last_step} steps, final loss {self.final_loss:.4g}"
        if str(self.reason):
            text += f" ({self.reason})"
        return text

    def __repr__(self) -> str:
        name = self.meta.get("rule", "?")
        problem = self.meta.get("problem", "?")
        runs = f"{int(np.prod(self.run_shape))} runs" if self.run_shape else "1 run"
        ndiv = int(np.sum(self.diverged_at >= 0))
        return (f"<History {name} on {problem}: {runs}, {self.num_steps} steps, "
                f"{ndiv} diverged>")


def _scalar(x):
    x = np.asarray(x)
    return x.item() if x.ndim == 0 else x


def _index_state(state: Any, idx: tuple) -> Any:
    """Index every run-shaped array in a (possibly nested) state."""
    if isinstance(state, tuple) and hasattr(state, "_fields"):
        return type(state)(*(_index_state(s, idx) for s in state))
    if isinstance(state, tuple):
        return tuple(_index_state(s, idx) for s in state)
    if isinstance(state, np.ndarray) and state.ndim >= len(idx):
        try:
            return state[idx]
        except IndexError:
            return state
    return state
