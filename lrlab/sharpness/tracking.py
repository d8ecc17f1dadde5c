r"""Sharpness along a training run: :class:`SharpnessTrace`, :func:`track_sharpness`, and the
edge-of-stability demo :func:`edge_of_stability`. Re-exported by :mod:`lrlab.sharpness`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_int, check_real, fail
from ..datasets import spirals
from ..history import History
from ..models import MLP
from ..problem import Problem
from ..rules import Rule, sgd
from ..trainer import train
from .eigen import sharpness

__all__ = ["SharpnessTrace", "edge_of_stability", "track_sharpness"]


@dataclass(frozen=True, eq=False)
class SharpnessTrace:
    """Sharpness measured along a training run.

    Attributes
    ----------
    steps : ndarray of int
        Steps at which the sharpness was measured.
    sharpness : ndarray
        Top Hessian eigenvalue at ``params[steps]``.
    lr : ndarray
        Learning rate used at those steps (the last one for the final step).
    history : History
        The run (with params recorded).
    problem : Problem, optional
        What was trained (to measure more points: ``sharpness(trace.problem,
        trace.history.params[k])``).
    """

    steps: np.ndarray
    sharpness: np.ndarray
    lr: np.ndarray
    history: History
    problem: Problem | None = None

    @property
    def limit(self) -> np.ndarray:
        """The stability limit of each measurement's rate, ``2 / lr``."""
        return 2.0 / self.lr

    def plot(self, ax: Any = None) -> Any:
        """Sharpness against step, with ``2 / lr`` dashed (:func:`lrlab.plots.plot_sharpness`)."""
        from ..plots.sharpness import plot_sharpness

        return plot_sharpness(self, ax=ax)

    def __repr__(self) -> str:
        return (f"<SharpnessTrace {len(self.steps)} points, sharpness "
                f"{self.sharpness[0]:.3g} -> {self.sharpness[-1]:.3g}, 2/lr = "
                f"{self.limit[-1]:.3g}>")


def track_sharpness(problem: Problem, rule: Rule, num_steps: int, *, every: int = 10,
                    steps: Any = None, x0: Any = None, batch_size: int | None = None,
                    seed: int = 0, method: str = "auto", tol: float = 1e-10,
                    **train_kwargs: Any) -> SharpnessTrace:
    """Train with :func:`lrlab.train` and measure the sharpness every ``every`` steps.

    The iterates are recorded and the sharpness is computed afterwards at
    steps ``0, every, 2 every, ...`` (and the last step), so tracking never
    changes the run.

    Parameters
    ----------
    problem, rule, num_steps
        As for :func:`lrlab.train` (one run: scalar hyperparameters).
    every : int >= 1
        Measurement interval in steps.
    steps : sequence of int, optional
        The steps to measure instead (increasing, in ``[0, num_steps]``; those
        after a divergence are dropped): e.g. densely where things change fast.
    x0, batch_size, seed, **train_kwargs
        Passed to :func:`lrlab.train`.
    method, tol : str, float
        Passed to :func:`sharpness`; ``method='lobpcg', tol=1e-2`` follows a
        large model cheaply (each point starts from the last eigenvector).

    Returns
    -------
    SharpnessTrace

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.surfaces import quadratic
    >>> trace = track_sharpness(quadratic([1.0, 4.0]), sgd(0.1), 20, every=10)
    >>> trace.steps.tolist(), trace.sharpness.round(6).tolist()
    ([0, 10, 20], [4.0, 4.0, 4.0])
    """
    owner = "track_sharpness"
    every = check_int(every, "every", owner, low=1, high=MAX_COUNT)
    if steps is not None:
        wanted = np.asarray(steps)
        if (wanted.ndim != 1 or wanted.size == 0 or not np.issubdtype(wanted.dtype, np.integer)
                or np.any(np.diff(wanted) <= 0) or wanted[0] < 0 or wanted[-1] > num_steps):
            fail(steps, "steps", owner, allowed=f"an increasing sequence of ints in "
                 f"[0, num_steps] = [0, {num_steps}]")
    history = train(problem, rule, num_steps, x0=x0, batch_size=batch_size, seed=seed,
                    record_params=True, **train_kwargs)
    if history.run_shape:
        raise ValueError("track_sharpness follows one run; the rule or x0 gave run shape "
                         f"{history.run_shape}.")
    last = int(history.last_step)
    if steps is None:
        steps = np.unique(np.r_[np.arange(0, last + 1, every), last])
    else:
        steps = wanted[wanted <= last].astype(int)
    values = np.asarray(sharpness(problem, history.params[steps], method=method, tol=tol),
                        dtype=float).reshape(len(steps))
    lr_rec = np.asarray(history.lr, dtype=float)
    # the rate of the step taken from each point; the last point (no step taken from it:
    # the end of the run, or where it diverged) gets the last rate that was used
    lr = lr_rec[np.minimum(steps, max(last - 1, 0))] if len(lr_rec) else \
        np.full(len(steps), np.nan)
    return SharpnessTrace(steps, values, lr, history, problem)


def edge_of_stability(lr: float = 0.4, num_steps: int = 2000, *, every: int = 50,
                      problem: Problem | None = None, seed: int = 0,
                      method: str = "auto", tol: float = 1e-10) -> SharpnessTrace:
    r"""Full-batch gradient descent on a small MLP: sharpness rises, then hovers at 2 / lr.

    The default problem is a 2-32-32-2 tanh :class:`~lrlab.models.MLP` on 200
    two-arm spiral points (noise 0.2, cross-entropy). Early on the sharpness grows
    ("progressive sharpening"); once it passes :math:`2/\eta` the iterate is
    unstable along the top eigenvector, the loss spikes and the sharpness is
    pushed back below :math:`2/\eta` (the overshoot and return of a catapult,
    Lewkowycz et al. 2020); afterwards it stays near :math:`2/\eta` while the
    loss keeps falling, non-monotonically: the edge of stability of Cohen et
    al. (2021), which Damian, Nichani & Lee (2023) explain as self-stabilisation
    (the unstable oscillation itself, through the third derivative, lowers the
    sharpness).

    Measured on the default problem (seed 0; ``tests/test_sharpness_edge.py``): at
    lr = 0.4 the sharpness passes 2/lr = 5 at step 305 and climbs to 7.1 by
    step ~405 while the loss still falls; the loss then spikes (steps ~407-430,
    from 0.10 up to ~0.44 and back) and the sharpness drops below 4; from step
    ~495 it stays within 5 % of 2/lr, alternating between two values (a period-2
    oscillation), and from step ~676 the loss rises every other step
    (:func:`~lrlab.sharpness.edge_events` finds these steps). Past the crossing the
    dynamics are chaotic: the last bits that differ between CPUs' floating-point
    kernels (AVX2 or AVX-512 BLAS and ``exp``) move the later events by a few steps
    (peak at 410 and spike 411-433 on an AVX-512 machine) and can swap the two
    phases of the oscillation. Late in training the sharpness
    drifts *below* the edge (with cross-entropy the curvature falls as the
    margins grow): at steps 2999-3000 lr = 0.3, 0.4, 0.5 give 0.8 % and 3.7 %,
    3.7 % and 4.9 %, 6.3 % and 6.6 % below 2/lr (the two phases of the
    oscillation). lr = 0.2 stops sharpening at 7.58,
    24 % below 2/lr = 10: no edge.

    Parameters
    ----------
    lr : float > 0
        The constant learning rate :math:`\eta`.
    num_steps : int
        Steps of full-batch gradient descent.
    every : int
        Sharpness measurement interval (5 or less resolves the crossing and the spike;
        an odd interval samples both phases of the period-2 oscillation).
    problem : Problem, optional
        Another problem to run instead of the default MLP.
    seed : int
        Seed of the data and of the MLP's initial weights.
    method, tol : str, float
        Passed to :func:`sharpness`: ``method='lobpcg', tol=1e-6`` starts each measurement
        from the previous eigenvector, several times faster than Lanczos here.

    Returns
    -------
    SharpnessTrace

    Examples
    --------
    The default MLP takes seconds; a quadratic shows the bookkeeping (its
    sharpness is constant, 10, below the limit 2/lr = 20):

    >>> from lrlab.surfaces import quadratic
    >>> trace = edge_of_stability(0.1, 40, every=20, problem=quadratic([1.0, 10.0]))
    >>> trace.sharpness.round(6).tolist(), trace.limit.tolist()
    ([10.0, 10.0, 10.0], [20.0, 20.0, 20.0])

    References
    ----------
    Cohen, Kaur, Li, Kolter & Talwalkar (2021), "Gradient descent on neural networks
    typically occurs at the edge of stability", ICLR. Lewkowycz, Bahri, Dyer,
    Sohl-Dickstein & Gur-Ari (2020), "The large learning rate phase of deep learning:
    the catapult mechanism", arXiv:2003.02218. Damian, Nichani & Lee (2023),
    "Self-stabilization: the implicit bias of gradient descent at the edge of
    stability", ICLR.
    """
    lr = check_real(lr, "lr", "edge_of_stability", low=0, low_open=True)
    if problem is None:
        problem = MLP(spirals(200, noise=0.2, seed=seed), hidden=(32, 32), seed=seed)
    return track_sharpness(problem, sgd(lr), num_steps, every=every, method=method, tol=tol,
                           divergence_factor=None)
