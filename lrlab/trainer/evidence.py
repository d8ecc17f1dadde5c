"""The evidence a stochastic run is judged on: its full-data (exact) loss and gradient.

A minibatch loss is one batch's opinion. A large learning rate can saturate a
model so that it fits the batch in front of it (loss near 0, gradient near 0)
while the loss over all the data is a hundred times its start. So whenever
:func:`lrlab.train` declares a stochastic run *converged* or *diverged* it asks
:class:`FullData` for the exact numbers first:

==========================  ===================================================
kind of run                 what the verdicts read
==========================  ===================================================
full batch                  the recorded loss and gradient (they are exact)
noisy surface               the recorded loss (exact: only the gradient is
                            noisy) and the gradient before the noise was added
                            (free: the loop has it)
minibatch of a data set     the full-data loss and gradient at ``theta_t``,
                            computed when a minibatch test fires (see below)
==========================  ===================================================

Costs for a minibatch run (each "full-data" evaluation is one pass over all
``n_samples``, for all runs of a batch at once):

* one full-data loss at step 0 (the base of the divergence test);
* one full-data loss at each step where some run's minibatch loss trips the
  divergence test (it diverges only if the full-data loss confirms);
* with ``tol``, one full-data loss and gradient at each step where some run's
  minibatch gradient norm is below ``tol`` (it converges only if the full-data
  gradient norm is below ``tol`` too).

The counts are kept in ``History.meta["full_data_evals"]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..problem import Problem

__all__ = ["FullData", "run_kind"]


def run_kind(problem: Problem, batch_size: int | None) -> str:
    """'exact', 'noisy gradient' (a noisy surface: exact loss) or 'minibatch'.

    >>> from lrlab import surfaces
    >>> run_kind(surfaces.parabola(), None), run_kind(surfaces.parabola(noise=1.0), 4)
    ('exact', 'noisy gradient')
    """
    n = problem.n_samples
    if n is not None:
        return "minibatch" if batch_size is not None and batch_size < n else "exact"
    return "noisy gradient" if getattr(problem, "noise", 0.0) > 0 else "exact"


class FullData:
    """Exact loss and gradient of ``problem`` on all its data, with a count of the calls.

    Parameters
    ----------
    problem : Problem
        The training problem.
    kind : str
        What :func:`run_kind` says of the run.
    """

    def __init__(self, problem: Problem, kind: str):
        self.problem = problem
        self.kind = kind
        self.loss_evals = 0
        self.grad_evals = 0

    @property
    def minibatch(self) -> bool:
        """True when the recorded loss is a minibatch loss (so verdicts need the full one)."""
        return self.kind == "minibatch"

    def loss(self, theta: np.ndarray) -> np.ndarray:
        """Full-data loss at ``theta`` (every run)."""
        self.loss_evals += 1
        return np.asarray(self.problem._loss(theta, None), dtype=float)

    def loss_and_grad_norm(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Full-data loss and gradient norm at ``theta`` (one forward/backward pass)."""
        self.loss_evals += 1
        self.grad_evals += 1
        value, g = self.problem._loss_and_grad(theta, None)
        return np.asarray(value, dtype=float), np.sqrt(np.einsum("...i,...i->...", g, g))

    def costs(self) -> dict[str, Any]:
        """What the verdicts cost: ``{"loss": n, "grad": m}`` full-data evaluations."""
        return {"loss": self.loss_evals, "grad": self.grad_evals}
