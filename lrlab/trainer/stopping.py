"""When a run ends: divergence, convergence (``tol``) and early stopping.

:class:`Stopper` holds, for every run of a batch, whether it is still going and,
for a run that ended, the step and the reason. The step loop asks it once per
step, after the loss and gradient at ``theta_t`` are known::

    diverged   loss_t > loss_0 + factor * max(|loss_0|, 1), or loss_t or ||g_t|| not finite
    converged  ||g_t|| <= tol, at a loss not above loss_0 (else "stalled")
    no progress  the monitored loss has not gone below best * (1 - min_delta)
                 for `patience` consecutive checks

For a stochastic run the first two read the exact evidence of
:mod:`~lrlab.trainer.evidence`: a minibatch run diverges only when the
full-data loss confirms it (or the full-data evaluation of the step shows it),
and converges only when the full-data gradient norm is below ``tol``; a noisy
surface is judged on its exact loss and on its gradient before the noise.

A run that ended keeps being computed by the loop (harmlessly, inside
``np.errstate``); the recorder blanks what it recorded after its last step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import check_choice, check_int, check_real
from .evidence import FullData

__all__ = ["EarlyStopping", "Stopper"]


@dataclass(frozen=True)
class EarlyStopping:
    """Stop a run when its monitored loss stops improving.

    A run stops when its best loss has not improved by more than
    ``min_delta`` (relative: ``best * (1 - min_delta)``, as PyTorch's
    ``ReduceLROnPlateau`` with ``threshold_mode='rel'``) for ``patience``
    consecutive checks. Checks happen every step on the training loss, or at
    every evaluation when ``monitor='eval'`` (then the monitored loss is the
    validation loss when ``train`` gets an ``eval_problem``). A monitored loss
    that is not finite (NaN or inf, e.g. a validation loss that overflowed) is
    never an improvement: it counts as a check without progress and does not
    become the best loss.

    Parameters
    ----------
    patience : int >= 1
        Number of checks without improvement that ends the run.
    min_delta : float in [0, 1)
        Relative improvement that counts as progress.
    monitor : {'loss', 'eval'}
        Which loss to watch.
    """

    patience: int = 10
    min_delta: float = 0.0
    monitor: str = "loss"

    def __post_init__(self):
        check_int(self.patience, "patience", "EarlyStopping", low=1)
        check_real(self.min_delta, "min_delta", "EarlyStopping", low=0, high=1, high_open=True)
        check_choice(self.monitor, "monitor", "EarlyStopping", ("loss", "eval"))

    def improved(self, monitored: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Where ``monitored`` counts as progress over ``best`` (never where it is not finite)."""
        target = best * (1 - self.min_delta) if self.min_delta else best
        return (monitored < target) & np.isfinite(monitored)


class Stopper:
    """Which runs are still going, and for those that ended, when and why.

    Parameters
    ----------
    run_shape : tuple of int
        Shape of the batch of runs.
    num_steps : int
        The step a run that never ends stops at.
    divergence_factor : float or None
        See :func:`lrlab.train`; ``None`` keeps only the non-finite test.
    tol : float or None
        Gradient norm below which a run has converged.
    early_stopping : EarlyStopping or None
        The no-progress rule.
    full_data : FullData or None
        The exact evidence of a stochastic run (``None``: the recorded loss and
        gradient are exact).

    Attributes
    ----------
    last : ndarray of int
        Last step of each run (``num_steps`` for a run still going).
    diverged_at, stopped_at : ndarray of int
        Step at which a run diverged / stopped, ``-1`` if it did not.
    reason : ndarray of object (str)
        Why a run ended ("" while it goes on).
    n_active : int
        Number of runs still going.
    """

    def __init__(self, run_shape: tuple, *, num_steps: int, divergence_factor: float | None,
                 tol: float | None, early_stopping: EarlyStopping | None,
                 full_data: FullData | None = None):
        self.last = np.full(run_shape, num_steps)
        self.diverged_at = np.full(run_shape, -1)
        self.stopped_at = np.full(run_shape, -1)
        self.reason = np.full(run_shape, "", dtype=object)
        self.active = np.ones(run_shape, dtype=bool)
        self.n_runs = self.n_active = int(np.prod(run_shape, dtype=int))
        self.divergence_factor = divergence_factor
        self.tol = tol
        self.early_stopping = early_stopping
        self.full_data = full_data if full_data is not None and full_data.kind != "exact" else None
        self.loss0 = None                           # exact loss at step 0
        self.threshold = None                       # set from loss_0 at step 0
        self.best = np.full(run_shape, np.inf)      # early stopping's best monitored loss
        self.waited = np.zeros(run_shape, dtype=int)  # checks since it last improved

    def check(self, t: int, loss: np.ndarray, grad_norm: np.ndarray,
              eval_loss: np.ndarray | None = None, *, theta: np.ndarray | None = None,
              exact_grad_norm: np.ndarray | None = None, full_loss: np.ndarray | None = None
              ) -> None:
        """End the runs that diverged, converged or stopped progressing at step ``t``.

        ``eval_loss`` is the evaluation loss when step ``t`` was evaluated, else ``None``.
        For stochastic runs (``full_data`` given): ``theta`` is ``theta_t`` (a minibatch
        run's full-data loss and gradient are computed there when needed),
        ``exact_grad_norm`` the noise-free gradient norm of a noisy surface, and
        ``full_loss`` the full-data loss at ``theta_t`` when the step was evaluated on
        the training data anyway.
        """
        minibatch = self.full_data is not None and self.full_data.minibatch
        if t == 0:
            self._start(self.full_data.loss(theta) if minibatch else loss)
        # divergence: one comparison catches NaN, inf and "far above the start"
        ok = self._below_threshold(loss)
        ok &= grad_norm < np.inf
        if self.n_active < self.n_runs:   # ended runs may hold NaN: they are not news
            ok |= ~self.active
        judged = loss
        if minibatch:
            if not _all(ok):   # a minibatch that blew up: does the full-data loss agree?
                full_loss = self.full_data.loss(theta) if full_loss is None else full_loss
                ok |= (grad_norm < np.inf) & self._below_threshold(full_loss)
            if full_loss is not None:
                ok &= self._below_threshold(full_loss) | ~self.active
                judged = full_loss
        if not _all(ok):
            self._diverge(t, self.active & ~ok, judged, grad_norm)
        if self.tol is not None:
            self._check_converged(t, loss, grad_norm, theta, exact_grad_norm)
        if self.early_stopping is not None:
            monitored = loss if self.early_stopping.monitor == "loss" else eval_loss
            if monitored is not None:
                self._check_progress(t, monitored)

    def _below_threshold(self, loss: np.ndarray) -> np.ndarray:
        return (loss <= self.threshold) if self.threshold is not None else np.isfinite(loss)

    def _check_converged(self, t: int, loss: np.ndarray, grad_norm: np.ndarray,
                         theta: np.ndarray | None, exact_grad_norm: np.ndarray | None) -> None:
        """End the runs whose exact gradient norm is below ``tol``: "converged" at a loss
        not above the start, "stalled" above it (saturated units, a worse stationary point)."""
        kind = None if self.full_data is None else self.full_data.kind
        if kind == "noisy gradient":
            grad_norm = np.broadcast_to(exact_grad_norm, self.active.shape)
        done = self.active & (grad_norm <= self.tol)
        if not _any(done):
            return
        where = ""
        if kind == "minibatch":   # the minibatch gradient is small: is the full-data one?
            loss, grad_norm = self.full_data.loss_and_grad_norm(theta)
            done &= grad_norm <= self.tol
            where = "full-data "
        slack = 1e-12 * np.maximum(np.abs(self.loss0), 1.0)
        better = np.broadcast_to(loss <= self.loss0 + slack, done.shape)
        if _any(done & better):
            self._end(done & better, t, self.stopped_at,
                      f"converged: {where}gradient norm below {self.tol:g}")
        if _any(done & ~better):
            self._end(done & ~better, t, self.stopped_at,
                      f"stalled: {where}gradient norm below {self.tol:g} at a {where}loss "
                      "above its start (saturated units or a worse stationary point)")

    def _start(self, loss0: np.ndarray) -> None:
        loss0 = np.asarray(loss0, dtype=float)
        self.loss0 = loss0
        if self.divergence_factor is not None:
            self.threshold = loss0 + self.divergence_factor * np.maximum(np.abs(loss0), 1.0)
        bad = ~np.isfinite(loss0)
        if _any(bad):
            self._end(np.broadcast_to(bad, self.active.shape), 0, self.diverged_at,
                      "loss was not finite at the start")

    def _diverge(self, t: int, bad: np.ndarray, loss: np.ndarray,
                 grad_norm: np.ndarray) -> None:
        loss = np.broadcast_to(loss, bad.shape)
        grad_norm = np.broadcast_to(grad_norm, bad.shape)
        why = np.where(
            np.isnan(loss), "loss became nan",
            np.where(np.isposinf(loss), "loss became inf",
                     np.where(np.isneginf(loss), "loss became -inf",
                              np.where(~(grad_norm < np.inf), "gradient became non-finite",
                                       f"loss exceeded {self.divergence_factor or 0:.0e} "
                                       "x its start"))))
        self._end(bad, t, self.diverged_at, why[bad])

    def _check_progress(self, t: int, monitored: np.ndarray) -> None:
        rule = self.early_stopping
        improved = rule.improved(monitored, self.best)
        self.best[...] = np.where(self.active & improved, monitored, self.best)
        self.waited[...] = np.where(improved, 0, self.waited + 1)
        done = self.active & (self.waited >= rule.patience)
        if _any(done):
            self._end(done, t, self.stopped_at,
                      f"early stopping: no improvement for {rule.patience} checks")

    def _end(self, mask: np.ndarray, t: int, at: np.ndarray, why) -> None:
        self.last[mask] = t
        at[mask] = t
        self.reason[mask] = why
        self.active &= ~mask
        self.n_active = int(np.count_nonzero(self.active))


# ``mask.all()`` and ``mask.any()`` cost microseconds on the small arrays of the step
# loop; these cost a tenth of that, and the loop calls them every step.
def _all(mask: np.ndarray) -> bool:
    return bool(mask) if mask.ndim == 0 else np.count_nonzero(mask) == mask.size


def _any(mask: np.ndarray) -> bool:
    return bool(mask) if mask.ndim == 0 else np.count_nonzero(mask) > 0
