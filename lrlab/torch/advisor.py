r"""``advise`` on a PyTorch model: a recommended learning rate, with the evidence.

The same three pieces of evidence as :func:`lrlab.advise`, weighed by the same code
(:mod:`lrlab.advisor`), gathered on the learner's model:

1. **Range test** (:func:`lrlab.torch.suggestion_band`) over a few seeds: the geometric
   middle of the ``minimum``, ``valley`` (``min_drop=0.01``) and ``midpoint`` suggestions;
2. **Curvature** (:func:`lrlab.torch.sharpness`, plain SGD only): gradient descent is stable
   below :math:`2/S` with :math:`S` the top Hessian eigenvalue at the initial weights;
3. **Short trial**: train each candidate around them for ``num_steps`` steps from the same
   initial weights and data order, keep the lowest *full-data* loss (one pass over
   ``eval_loader``, default the training loader, in eval mode), and diagnose that run.

The model is restored after every run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._progress import progress_bar
from .._validation import fail
from ..advisor import (
    Advice,
    _check_settings,
    _conclude,
    _range_evidence,
    _stability_evidence,
    _trial_grid,
)
from ._inputs import check_loader, check_pairs, setup
from ._state import preserved
from .curvature import sharpness
from .finder import suggestion_band
from .training import train

__all__ = ["advise"]

#: Sharpness is measured only below this many parameters (each product is two gradients
#: over the loader, and Lanczos needs tens of them).
CURVATURE_MAX_DIM = 100_000


def advise(
    model: Any,
    loss_fn: Any = None,
    loader: Any = None,
    optimizer: Any = None,
    *,
    num_steps: int = 100,
    seeds: int = 3,
    curvature: bool | str = "auto",
    seed: int = 0,
    eval_loader: Any = None,
    forward: Any = None,
    progress: bool | str = "auto",
    **range_kwargs: Any,
) -> Advice:
    """Recommend a learning rate for the learner's model, explaining the evidence.

    Parameters
    ----------
    model, loss_fn, loader, optimizer, forward
        As for :func:`lrlab.torch.lr_range_test` (plain ``torch.optim.SGD`` by default).
    num_steps : int >= 5
        Length of each trial run.
    seeds : int >= 1
        Range tests over seeds (one when the loader yields a single batch).
    curvature : bool or 'auto'
        Use the stability bound 2/S; 'auto': for the default plain SGD, below 100,000
        parameters (with momentum the bound is 2(1 + mu)/S, adaptive rules rescale it).
    seed : int
        Base seed (data order and dropout of the range tests and the trial).
    eval_loader : DataLoader, optional
        Data for the trial's full loss (default: the training loader).
    progress : bool or 'auto'
        Progress bars when the work takes longer than a second.
    **range_kwargs
        Passed to the range test (``start_lr``, ``end_lr``, ``sweep_steps`` for its
        ``num_steps``).

    Returns
    -------
    Advice
        lrlab's advice: ``.lr``, ``.explain()``, ``.evidence``, ``.diagnosis``, ``.band``.
    """
    owner = "lrlab.torch.advise"
    num_steps, seeds, seed = _check_settings(curvature, num_steps, seeds, seed, range_kwargs,
                                             owner=owner)
    if loader is None:
        fail(loader, "loader", owner,
             allowed="a DataLoader or a re-iterable of batches", exc=TypeError)
    spec = setup(model, loss_fn, loader, forward=forward, owner=owner)
    if eval_loader is not None:   # checked here: the sharpness and the trials read it late
        check_loader(eval_loader, "eval_loader", owner)
        if forward is None:
            with preserved(spec.model, None, [eval_loader]):   # reading a batch draws randoms
                check_pairs(eval_loader, "eval_loader", owner)
    try:
        noisy = len(loader) != 1
    except TypeError:
        noisy = True
    seed_list = [seed + i for i in range(seeds if noisy else 1)]
    notes: list[str] = []
    common = {"forward": forward}

    # 1. range test
    band = suggestion_band(model, loss_fn, loader, optimizer, seeds=seed_list,
                           methods=("minimum", "valley", "midpoint"), progress=progress,
                           **common, **range_kwargs)
    evidence = [_range_evidence(band, len(seed_list))]

    # 2. curvature
    S = None
    use_curv = optimizer is None if curvature == "auto" else bool(curvature)
    if use_curv and spec.dim <= CURVATURE_MAX_DIM:
        S = float(sharpness(model, loss_fn, loader if eval_loader is None else eval_loader,
                              forward=forward))
        found = _stability_evidence(S, "the sharpness (top Hessian eigenvalue) at the "
                                       "initial weights")
        if found is None:
            S = None
            notes.append("No positive curvature at the start: no stability bound.")
        else:
            evidence.append(found)
    elif use_curv:
        notes.append(f"Stability bound skipped: {spec.dim} parameters is more than "
                     f"{CURVATURE_MAX_DIM:,} (pass curvature=True to measure it anyway).")
    elif curvature == "auto":
        notes.append("Stability bound skipped: 2/S holds for plain SGD; with momentum mu it "
                     "is 2(1+mu)/S, and adaptive rules rescale each coordinate.")

    # 3. trial
    grid = _trial_grid(evidence, S)
    histories = [train(model, loss_fn, loader, optimizer, lr=float(lr), num_steps=num_steps,
                       eval_every=num_steps, eval_loader=eval_loader, seed=seed, **common)
                 for lr in progress_bar(grid, desc="trial runs", enabled=progress)]
    finals = np.array([_final(h) for h in histories])
    return _conclude(grid, finals, histories.__getitem__, num_steps, evidence, notes, band, S,
                     f_star=None)


def _final(history) -> float:
    """The trial's full-data loss at the end; inf for a run that diverged."""
    if history.diverged_at >= 0 or history.eval_loss is None:
        return math.inf
    value = float(history.eval_loss[-1])
    return value if math.isfinite(value) else math.inf
