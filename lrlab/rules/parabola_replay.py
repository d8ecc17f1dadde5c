r"""The parabola rule's estimates along a recorded trajectory, with and without noise.

To see what minibatch noise does to an estimator, hold the points fixed: take the
iterates :math:`\theta_0, \dots, \theta_T` of one run, compute the gradient at each
of them with the full data and with fresh minibatches of several sizes
(:func:`gradients_along`), and feed each stream of pairs :math:`(\theta_t, g_t)`
to the rule's update without stepping (:func:`replay`). The streams differ only
by the noise, so the ratio of their rates is the noise's effect alone.

>>> import numpy as np
>>> from lrlab.rules import parabola
>>> thetas = np.array([[1.0], [0.5], [0.2]])
>>> out = replay(parabola(warmup=1), thetas, 3.0 * thetas)   # g = 3 theta: curvature 3
>>> out["rate"][1:, 0], out["curvature"][1:, 0]
(array([0.3333, 0.3333]), array([3., 3.]))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, check_int, fail
from ..problem import Problem
from .base import Rule

__all__ = ["gradients_along", "replay"]


def gradients_along(problem: Problem, thetas: Any, batch_size: int | None = None, *,
                    seed: int = 0, chunk: int = 8) -> np.ndarray:
    """The gradient of ``problem`` at each point of a trajectory.

    Parameters
    ----------
    problem : Problem
        A data problem (minibatches are drawn from its samples) or a noisy surface.
    thetas : array of shape (T, dim)
        The points, e.g. ``train(..., record_params=True).params`` of one run.
    batch_size : int in [1, n_samples], optional
        ``None`` (default): the full-data gradient. Otherwise a fresh minibatch of
        this size, drawn independently at every point (so the noise at
        :math:`\\theta_t` is independent of :math:`\\theta_t` and of the other steps).
    seed : int >= 0
        Seed of the minibatches (same seed, same gradients).
    chunk : int >= 1
        Full-data gradients are computed this many points at a time (memory).

    Returns
    -------
    ndarray of shape (T, dim)

    Notes
    -----
    BLAS runs on one thread meanwhile (as in :func:`lrlab.trainer.train_epochs`):
    the matrices of a small network gain nothing from threads on a busy machine.
    """
    from ..trainer.epochs import _one_blas_thread

    owner = "gradients_along"
    if not isinstance(problem, Problem):
        fail(problem, "problem", owner, allowed="an lrlab Problem", exc=TypeError)
    thetas = check_array(thetas, "thetas", owner, ndim=2)
    if thetas.shape[1] != problem.dim:
        fail(thetas.shape, "thetas", owner, allowed=f"shape (T, {problem.dim})")
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", owner, low=1, high=problem.n_samples)
    seed = check_int(seed, "seed", owner, low=0)
    chunk = check_int(chunk, "chunk", owner, low=1)
    with _one_blas_thread():
        if batch_size is None and problem.noise == 0:
            return np.concatenate([problem.grad(thetas[i:i + chunk])
                                   for i in range(0, len(thetas), chunk)])
        rng = np.random.default_rng(seed)
        return np.array([problem.grad(theta, problem.sample_batch(rng, batch_size))
                         for theta in thetas])


def replay(rule: Rule, thetas: Any, grads: Any, *,
           fields: tuple[str, ...] = ("rate", "curvature")) -> dict[str, np.ndarray]:
    """Feed the pairs :math:`(\\theta_t, g_t)` to ``rule.update`` without stepping.

    Parameters
    ----------
    rule : Rule
        Any rule whose state has ``fields`` (e.g. :func:`~lrlab.rules.parabola`).
    thetas, grads : arrays of the same shape (T, ..., dim)
        The points and the gradients seen there; ``thetas[t]`` is what the rule is
        told the iterate is at step ``t``.
    fields : tuple of str
        State fields to record after each update.

    Returns
    -------
    dict
        ``field -> array of shape (T, ..., dim)``: the field after the update at
        step ``t`` (the rate used *at* step ``t`` for ``'rate'``).
    """
    owner = "replay"
    if not isinstance(rule, Rule):
        fail(rule, "rule", owner, allowed="an lrlab Rule (e.g. lrlab.rules.parabola())",
             exc=TypeError)
    thetas = check_array(thetas, "thetas", owner)
    grads = check_array(grads, "grads", owner)
    if thetas.ndim < 2 or grads.shape != thetas.shape:
        fail(grads.shape, "grads", owner, allowed=f"the shape of thetas, {thetas.shape} (T, dim)")
    state = rule.init(thetas[0])
    missing = [f for f in fields if f not in getattr(state, "_fields", ())]
    if missing:
        fail(fields, "fields", owner,
             allowed=f"names of the rule's state fields {getattr(state, '_fields', ())}")
    out: dict[str, list] = {f: [] for f in fields}
    for t, (theta, grad) in enumerate(zip(thetas, grads, strict=True)):
        _step, state = rule.update(grad, state, theta, t=t)
        for f in fields:
            out[f].append(np.asarray(getattr(state, f)))
    return {f: np.array(v) for f, v in out.items()}
