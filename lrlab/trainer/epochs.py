r"""Training in epochs: minibatch SGD through :func:`lrlab.train`, measured after every epoch.

An *epoch* is ``steps_per_epoch = ceil(n / batch_size)`` steps, as many
samples as one pass over the training data. :func:`train_epochs` runs
``epochs * steps_per_epoch`` steps of :func:`lrlab.train` and, at the start
and after every epoch, measures on *all* the training data and on *all* the
validation data the loss and the accuracy of every run (the minibatch losses
in ``history.loss`` are noisy estimates; a verdict rests on these). It also
keeps the final parameters and those of the epoch with the lowest validation
loss, without recording every iterate (for the 17,226-parameter digits
network, 1000 recorded steps would take 140 MB).

>>> import lrlab
>>> from lrlab.datasets import blobs
>>> from lrlab.models import MLP
>>> train_part, val_part = blobs(200, seed=0).split(0.25)
>>> net = MLP(train_part, hidden=8)
>>> run = train_epochs(net, lrlab.sgd([0.1, 1.0]), 5, validation=net.with_data(val_part))
>>> run
<EpochRun SGD: 2 runs, 5 epochs of 5 steps>
>>> run.val_loss.shape, run.final_params.shape
((6, 2), (2, 51))
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_int, fail
from ..history import History
from ..models.base import DataProblem
from ..problem import Problem
from ..rules.base import Rule
from .loop import train

__all__ = ["EpochRun", "steps_per_epoch", "train_epochs"]


def steps_per_epoch(n_samples: int, batch_size: int) -> int:
    """``ceil(n_samples / batch_size)``: the steps of one pass (PyTorch's ``drop_last=False``).

    >>> steps_per_epoch(1077, 32)
    34
    """
    n_samples = check_int(n_samples, "n_samples", "steps_per_epoch", low=1)
    batch_size = check_int(batch_size, "batch_size", "steps_per_epoch", low=1, high=n_samples)
    return math.ceil(n_samples / batch_size)


@dataclass(frozen=True, eq=False)
class EpochRun:
    """What :func:`train_epochs` measured: the epoch axis first, then the run shape.

    Attributes
    ----------
    history : History
        The per-step record of :func:`lrlab.train` (minibatch losses, update
        ratios, learning rates, divergence); ``history.eval_loss`` is
        :attr:`val_loss`.
    epochs : ndarray of int, shape (E + 1,)
        ``0, 1, ..., E``; epoch 0 is the start, epoch ``e`` ends at step
        ``e * steps_per_epoch``.
    steps_per_epoch : int
    train_loss, val_loss : ndarray, shape (E + 1, *run_shape)
        Mean cross-entropy over all the training / validation samples (the
        L2 penalty, if any, left out). NaN after a run diverged.
    train_accuracy, val_accuracy : ndarray, shape (E + 1, *run_shape)
        Fraction of correctly classified samples. NaN after a run diverged.
    final_params : ndarray, shape (*run_shape, dim)
        Parameters after the last step; NaN for a run that diverged.
    best_params : ndarray, shape (*run_shape, dim)
        Parameters at :attr:`best_epoch` (NaN for a run without one).
    best_epoch : ndarray of int, shape run_shape
        The epoch of lowest validation loss; ``-1`` if no finite one.
    """

    history: History
    epochs: np.ndarray
    steps_per_epoch: int
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    final_params: np.ndarray
    best_params: np.ndarray
    best_epoch: np.ndarray | int

    @property
    def run_shape(self) -> tuple:
        """Shape of the batch of runs (``()`` for a single run)."""
        return self.val_loss.shape[1:]

    @property
    def diverged(self) -> np.ndarray | bool:
        """True for runs that diverged (how: ``history.reason``; when: ``history.diverged_at``)."""
        return self.history.diverged

    def __repr__(self) -> str:
        rule = getattr(self.history.meta.get("rule_obj"), "name", "?")
        runs = f"{int(np.prod(self.run_shape))} runs" if self.run_shape else "1 run"
        return (f"<EpochRun {rule}: {runs}, {int(self.epochs[-1])} epochs of "
                f"{self.steps_per_epoch} steps>")


def train_epochs(problem: DataProblem, rule: Rule, epochs: int, *, validation: DataProblem,
                 batch_size: int = 32, seed: int = 0, x0: Any = None,
                 divergence_factor: float | None = 1e5) -> EpochRun:
    """Train a classifier for ``epochs`` epochs of minibatch steps; measure it after each.

    Parameters
    ----------
    problem : DataProblem
        A classifier on its training data (an :class:`~lrlab.models.MLP` or a
        :class:`~lrlab.models.LogisticRegression`).
    rule : Rule
        How to step; array hyperparameters give one run per entry, as in
        :func:`lrlab.train`.
    epochs : int >= 1
        Number of passes.
    validation : DataProblem
        The same model on held-out data: ``problem.with_data(val_part)``.
    batch_size : int in [1, n]
        Samples per step, drawn as :func:`lrlab.train` draws them: each step
        takes ``batch_size`` distinct samples uniformly at random,
        independently of the other steps (not a reshuffled pass: within an
        epoch a sample may be drawn twice, or not at all).
    seed : int >= 0
        Seed of the minibatches.
    x0 : array of shape (dim,) or (..., dim), optional
        Start point(s); ``problem.x0`` by default.
    divergence_factor : float > 1 or None
        As in :func:`lrlab.train`; ``None`` lets a run go on until its loss
        or gradient is no longer finite (inf or NaN).

    Returns
    -------
    EpochRun

    Notes
    -----
    While it trains, BLAS runs on one thread (through ``threadpoolctl``, when
    installed): faster for matrices this small, and much faster on a busy machine.
    """
    owner = "train_epochs"
    if not isinstance(problem, DataProblem) or not hasattr(problem, "accuracy"):
        fail(problem, "problem", owner, allowed="a classifier (an lrlab MLP or LogisticRegression)",
             exc=TypeError)
    if not isinstance(validation, type(problem)) or validation.dim != problem.dim:
        fail(validation, "validation", owner,
             allowed=f"the same model on held-out data, "
             f"problem.with_data(...) (a {type(problem).__name__} with dim={problem.dim})",
             exc=TypeError)
    epochs = check_int(epochs, "epochs", owner, low=1)
    batch_size = check_int(batch_size, "batch_size", owner, low=1, high=problem.n_samples)
    spe = steps_per_epoch(problem.n_samples, batch_size)
    epochs = check_int(epochs, "epochs", owner, low=1, high=MAX_COUNT // spe)  # steps <= 10**9
    monitor = _EpochMonitor(problem, validation)
    with _one_blas_thread():
        history = train(problem, rule, epochs * spe, x0=x0, batch_size=batch_size, seed=seed,
                        divergence_factor=divergence_factor, eval_every=spe,
                        eval_problem=monitor, record_params=False)
    return monitor.result(history, epochs, spe)


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread while training (restored afterwards), if threadpoolctl is there.

    The matrices of a small network are too small to gain from threads, and on a
    shared machine OpenBLAS threads that wait for a busy core make each product
    several times slower (measured: 3x for the digits network on 2 busy cores).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


class _EpochMonitor(Problem):
    """The trainer's ``eval_problem``: every evaluation measures both parts and keeps theta.

    :func:`lrlab.train` calls ``_loss(theta, None)`` at steps 0, ``spe``,
    ``2 spe``, ... and at the last step; the value returned is the validation loss.
    """

    def __init__(self, problem: DataProblem, validation: DataProblem):
        self.name = validation.name
        self.dim = problem.dim
        self.x0 = problem.x0
        self._parts = (problem, validation)
        self._records: list[tuple[np.ndarray, ...]] = []
        self._last = self._best = self._best_loss = self._best_at = None

    def _loss(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        (train_loss, train_acc), (val_loss, val_acc) = (_loss_and_accuracy(part, theta)
                                                        for part in self._parts)
        k = len(self._records)
        self._records.append((train_loss, val_loss, train_acc, val_acc))
        self._last = theta
        finite = np.isfinite(val_loss)
        if self._best is None:
            self._best = theta.copy()
            self._best_loss = np.where(finite, val_loss, np.inf)
            self._best_at = np.where(finite, 0, -1)
        else:
            better = finite & (val_loss < self._best_loss)
            self._best = np.where(better[..., None], theta, self._best)
            self._best_loss = np.where(better, val_loss, self._best_loss)
            self._best_at = np.where(better, k, self._best_at)
        return val_loss

    def result(self, history: History, epochs: int, spe: int) -> EpochRun:
        """Assemble the records; blank what was measured after a run ended, as the trainer does."""
        run_shape = history.run_shape
        last = np.asarray(history.last_step)
        records = [np.full((epochs + 1, *run_shape), np.nan) for _ in range(4)]
        for k, measured in enumerate(self._records[: epochs + 1]):
            for out, value in zip(records, measured, strict=True):
                out[k] = value
        after = (np.arange(epochs + 1) * spe).reshape((-1,) + (1,) * len(run_shape)) > last
        for out in records:
            out[after] = np.nan
        finished = (last == history.num_steps)[..., None]
        final = np.where(finished, self._last, np.nan)
        best_at = np.where(self._best_at * spe <= last, self._best_at, -1)
        best = np.where((best_at >= 0)[..., None], self._best, np.nan)
        return EpochRun(history, np.arange(epochs + 1), spe, *records, final, best,
                        best_at if best_at.ndim else int(best_at))


def _loss_and_accuracy(problem: DataProblem, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean data loss (no penalty) and accuracy on all of ``problem``'s data."""
    X, y = problem.data.X, problem.data.y
    if hasattr(problem, "_forward"):          # an MLP: one forward pass serves both
        z = problem._forward(problem._params(theta), X)[-1]
        accuracy = np.mean(np.argmax(z, axis=-1) == y, axis=-1)
        return problem._softmax_loss(z, y)[0], accuracy
    data_loss = problem._loss(theta, None) - problem._penalty(theta)
    return data_loss, np.mean(problem.predict(theta, X) == y, axis=-1)
