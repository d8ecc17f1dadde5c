"""``train``: the one training loop of lrlab.

One loop serves every rule, problem and widget::

    for t in range(num_steps):
        batch       = problem.sample_batch(rng, batch_size)
        loss, g     = problem.loss_and_grad(theta, batch)
        step, state = rule.update(g, state, theta, t=t, loss=loss, loss_fn=...)
        theta       = theta + step

A run that diverges (a non-finite loss or gradient, or a loss more than
``divergence_factor`` times its start) is *frozen*: its record ends there
(the step and the reason are kept, everything after is NaN) and the other
runs go on. (Inside the batched loop an ended run keeps being computed,
harmlessly, under ``np.errstate``; its values are blanked at the end.)
Divergence is a result, not a crash, and no numpy RuntimeWarning escapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_int, check_real, check_theta, fail
from .history import History
from .problem import Problem
from .rules.base import Rule

__all__ = ["EarlyStopping", "train"]

#: Record the iterates by default only below this many floats (16 MB).
AUTO_PARAMS_LIMIT = 2_000_000


@dataclass(frozen=True)
class EarlyStopping:
    """Stop a run when its monitored loss stops improving.

    A run stops when its best loss has not improved by more than
    ``min_delta`` (relative: ``best * (1 - min_delta)``, as PyTorch's
    ``ReduceLROnPlateau`` with ``threshold_mode='rel'``) for ``patience``
    consecutive checks. Checks happen every step on the training loss, or at
    every evaluation when ``monitor='eval'`` (then the monitored loss is the
    validation loss when ``train`` gets an ``eval_problem``).

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
        if self.monitor not in ("loss", "eval"):
            fail("EarlyStopping", "monitor", "one of 'loss', 'eval'", self.monitor)


def train(
    problem: Problem,
    rule: Rule,
    num_steps: int,
    *,
    x0: Any = None,
    batch_size: int | None = None,
    seed: int = 0,
    divergence_factor: float | None = 1e5,
    tol: float | None = None,
    early_stopping: EarlyStopping | None = None,
    eval_every: int | None = None,
    eval_problem: Problem | None = None,
    record_params: bool | str = "auto",
    record_state: bool = False,
) -> History:
    """Run ``rule`` on ``problem`` for ``num_steps`` steps and record everything.

    Parameters
    ----------
    problem : Problem
        What to minimise (see :mod:`lrlab.problem`).
    rule : Rule
        How to step (see :mod:`lrlab.rules`). Array hyperparameters give one
        run per entry; all runs advance together.
    num_steps : int >= 0
        Number of updates.
    x0 : array of shape (dim,) or (..., dim), optional
        Start point(s); ``problem.x0`` by default. It is broadcast against the
        rule's run shape, so 256 learning rates x one start point works, and
        so do many start points x one learning rate.
    batch_size : int, optional
        Minibatch size for data problems (or the noise scale of noisy
        surfaces); ``None`` means full batch.
    seed : int
        Seed of the minibatch sampling. Same seed, same history.
    divergence_factor : float > 1 or None
        A run diverges when its loss exceeds ``loss_0 + factor * max(|loss_0|, 1)``:
        relative to the start when ``|loss_0| >= 1``, absolute below (a run started
        at or near a minimum, or with a negative loss, must not be declared diverged
        because the noise lifted its loss by 1e-3). ``None`` keeps only the
        non-finite test (NaN or inf loss, or a non-finite gradient).
    tol : float > 0, optional
        Stop a run (reason "converged") when its gradient norm falls below ``tol``.
    early_stopping : EarlyStopping, optional
        Stop runs that make no progress.
    eval_every : int >= 1, optional
        Every this many steps (and at the end) record the exact loss: on
        ``eval_problem`` if given, else the noise-free full-data loss of ``problem``.
    eval_problem : Problem, optional
        A validation problem with the same parameters (e.g. a held-out split).
    record_params : bool or 'auto'
        Keep every iterate; 'auto' keeps them when they take under 16 MB.
    record_state : bool
        Keep the rule's state after every step (for showing adaptive rates).

    Returns
    -------
    History

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> bowl = quadratic([1.0, 10.0])
    >>> h = train(bowl, sgd([0.05, 0.19, 0.21]), 100)
    >>> h.status()
    array(['finished', 'finished', 'diverged'], dtype='<U8')
    >>> int(h.diverged_at[2]), str(h.reason[2])
    (61, 'loss exceeded 1e+05 x its start')
    """
    owner = "train"
    if not isinstance(problem, Problem):
        fail(owner, "problem", "an lrlab Problem", problem, TypeError)
    if not isinstance(rule, Rule):
        fail(owner, "rule", "an lrlab Rule (e.g. lrlab.sgd(0.1))", rule, TypeError)
    num_steps = check_int(num_steps, "num_steps", owner, low=0)
    seed = check_int(seed, "seed", owner, low=0)
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", owner, low=1, high=problem.n_samples)
    if divergence_factor is not None:
        divergence_factor = check_real(divergence_factor, "divergence_factor", owner, low=1,
                                       low_open=True)
    if tol is not None:
        tol = check_real(tol, "tol", owner, low=0, low_open=True)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        fail(owner, "early_stopping", "an EarlyStopping or None", early_stopping, TypeError)
    eval_every = check_int(eval_every, "eval_every", owner, low=1, allow_none=True)
    if eval_problem is not None:
        if not isinstance(eval_problem, Problem) or eval_problem.dim != problem.dim:
            fail(owner, "eval_problem", f"a Problem with dim={problem.dim}", eval_problem,
                 TypeError)
        if eval_every is None:
            eval_every = 1
    if early_stopping is not None and early_stopping.monitor == "eval" and eval_every is None:
        raise ValueError("EarlyStopping(monitor='eval') needs train(..., eval_every=k) "
                         "or an eval_problem.")
    if record_params not in (True, False, "auto"):
        fail(owner, "record_params", "True, False or 'auto'", record_params)

    start = problem.x0 if x0 is None else x0
    start = check_theta(start, problem.dim, owner, "x0")
    if not np.all(np.isfinite(start)):
        fail(owner, "x0", "finite", start)
    try:
        run_shape = np.broadcast_shapes(start.shape[:-1], rule.batch_shape)
    except ValueError:
        fail(owner, "x0", f"broadcastable with the rule's run shape {rule.batch_shape}",
             start.shape)
    theta = np.array(np.broadcast_to(start, (*run_shape, problem.dim)), dtype=float)
    if record_params == "auto":
        record_params = (num_steps + 1) * theta.size <= AUTO_PARAMS_LIMIT

    with np.errstate(all="ignore"):
        return _loop(problem, rule, num_steps, theta, run_shape, batch_size, seed,
                     divergence_factor, tol, early_stopping, eval_every, eval_problem,
                     bool(record_params), record_state)


def _loop(problem, rule, num_steps, theta, run_shape, batch_size, seed, divergence_factor,
          tol, early_stopping, eval_every, eval_problem, record_params, record_state):
    """The hot loop. Records raw values every step; a run that ends (diverges or stops)
    keeps computing harmlessly inside ``errstate``, and everything recorded after its
    last step is blanked to NaN at the end. This keeps the per-step cost to a few
    vectorised operations, so a batched run costs about what a bare numpy loop does."""
    rng = np.random.default_rng(seed)
    T = num_steps
    loss_rec = np.empty((T + 1, *run_shape))
    gnorm_rec = np.empty((T + 1, *run_shape))
    lr_rec = np.full((T, *run_shape), np.nan)
    ratio_rec = np.empty((T, *run_shape))
    params_rec = np.empty((T + 1, *theta.shape)) if record_params else None
    loss_evals = np.zeros(T + 1, dtype=int)
    grad_evals = np.arange(1, T + 2)
    last = np.full(run_shape, T)            # last recorded step of each run
    diverged_at = np.full(run_shape, -1)
    stopped_at = np.full(run_shape, -1)
    reason = np.full(run_shape, "", dtype=object)
    active = np.ones(run_shape, dtype=bool)
    eval_steps, eval_rec = [], []
    states = [] if record_state else None
    needs_loss = "loss" in rule.needs
    needs_loss_fn = "loss_fn" in rule.needs
    counter = [0]
    state = rule.init(theta)
    if states is not None:
        states.append(state)
    threshold = None
    best = np.full(run_shape, np.inf)
    waited = np.zeros(run_shape, dtype=int)
    evals = 0
    n_runs = n_active = int(np.prod(run_shape, dtype=int))
    prev_lr = None
    lr_same = np.zeros(T, dtype=bool)   # step t reused the rate object of step t - 1

    for t in range(T + 1):
        batch = problem._sample_batch(rng, batch_size)
        loss, g = problem._loss_and_grad(theta, batch)
        if batch is not None:
            g = problem._add_noise(g, batch)
        gnorm = np.sqrt(np.einsum("...i,...i->...", g, g))
        loss_rec[t] = loss
        gnorm_rec[t] = gnorm
        if params_rec is not None:
            params_rec[t] = theta
        evals += 1 + counter[0]
        counter[0] = 0
        loss_evals[t] = evals
        if t == 0:
            loss0 = np.asarray(loss, dtype=float)
            if divergence_factor is not None:
                threshold = loss0 + divergence_factor * np.maximum(np.abs(loss0), 1.0)
            bad = ~np.isfinite(loss0)
            if bad.any():
                _end(bad, 0, last, diverged_at, reason, "loss was not finite at the start")
                active &= ~bad
                n_active = int(np.count_nonzero(active))

        # ---- divergence: one comparison catches NaN, inf and "far above the start"
        ok = (loss <= threshold) if threshold is not None else np.isfinite(loss)
        ok &= gnorm < np.inf
        if n_active < n_runs:          # ended runs may hold NaN: they are not news
            ok |= ~active
        if not ok.all():
            bad = active & ~ok
            _diverge(t, bad, loss, gnorm, last, diverged_at, reason, divergence_factor)
            active &= ~bad
            n_active = int(np.count_nonzero(active))
        if eval_every is not None and (t % eval_every == 0 or t == T):
            target = eval_problem if eval_problem is not None else problem
            eval_steps.append(t)
            eval_rec.append(np.asarray(target._loss(theta, None), dtype=float))
        if tol is not None:
            done = active & (gnorm <= tol)
            if done.any():
                _end(done, t, last, stopped_at, reason, f"converged: gradient norm below {tol:g}")
                active &= ~done
                n_active = int(np.count_nonzero(active))
        if early_stopping is not None:
            if early_stopping.monitor == "loss":
                _early_stop(t, loss, early_stopping, best, waited, active, last, stopped_at,
                            reason)
            elif eval_steps and eval_steps[-1] == t:
                _early_stop(t, eval_rec[-1], early_stopping, best, waited, active, last,
                            stopped_at, reason)
            n_active = int(np.count_nonzero(active))
        if t == T or n_active == 0:
            break

        # ---- one step of the rule
        kwargs = {}
        if needs_loss:
            kwargs["loss"] = loss
        if needs_loss_fn:
            kwargs["loss_fn"] = _counting_loss_fn(problem, batch, counter)
        step, state = rule.update(g, state, theta, t=t, **kwargs)
        if params_rec is None:  # else computed in bulk from the recorded iterates
            ratio_rec[t] = np.sqrt(np.einsum("...i,...i->...", step, step) /
                                   np.maximum(np.einsum("...i,...i->...", theta, theta), 1e-24))
        theta = theta + step
        if states is not None:
            states.append(state)
        lr = getattr(state, "lr", None)
        if lr is not prev_lr:          # constant rates are written once, filled in at the end
            if lr is not None:
                lr_rec[t] = lr
            prev_lr = lr
        else:
            lr_same[t] = True

    if lr_same.any():
        source = np.maximum.accumulate(np.where(lr_same, 0, np.arange(T)))
        lr_rec[:] = lr_rec[source]
    if params_rec is not None and t:
        taken = params_rec[: t + 1]
        diff = taken[1:] - taken[:-1]
        ratio_rec[:t] = np.sqrt(np.einsum("...i,...i->...", diff, diff) / np.maximum(
            np.einsum("...i,...i->...", taken[:-1], taken[:-1]), 1e-24))

    # ---- blank everything recorded after each run's last step
    steps = np.arange(T + 1).reshape((T + 1,) + (1,) * len(run_shape))
    after = steps > last
    loss_rec[after] = np.nan
    gnorm_rec[after] = np.nan
    if params_rec is not None:
        params_rec[after] = np.nan
    if T:
        ratio_rec[t:] = np.nan        # steps never taken (the loop broke at step t)
        lr_rec[t:] = np.nan
        taken = steps[:-1] >= last
        ratio_rec[taken] = np.nan
        lr_rec[taken] = np.nan
    loss_evals[t + 1:] = loss_evals[t]
    grad_evals[t + 1:] = grad_evals[t]
    eval_steps = np.array(eval_steps, dtype=int)
    eval_loss = None
    if eval_rec:
        eval_loss = np.array(eval_rec)
        eval_loss[eval_steps.reshape((-1,) + (1,) * len(run_shape)) > last] = np.nan
    meta = {"rule": repr(rule), "problem": problem.name, "seed": seed,
            "batch_size": batch_size, "rule_obj": rule}
    return History(
        loss=loss_rec, grad_norm=gnorm_rec, lr=lr_rec, update_ratio=ratio_rec,
        params=params_rec, diverged_at=diverged_at, stopped_at=stopped_at,
        reason=reason.astype(str), loss_evals=loss_evals, grad_evals=grad_evals,
        eval_steps=eval_steps, eval_loss=eval_loss, states=states, meta=meta,
    )


def _end(mask, t, last, at, reason, why):
    last[mask] = t
    at[mask] = t
    reason[mask] = why


def _diverge(t, bad, loss, gnorm, last, diverged_at, reason, factor):
    loss = np.broadcast_to(loss, bad.shape)
    why = np.where(
        np.isnan(loss), "loss became nan",
        np.where(np.isposinf(loss), "loss became inf",
                 np.where(np.isneginf(loss), "loss became -inf",
                          np.where(~(gnorm < np.inf), "gradient became non-finite",
                                   f"loss exceeded {factor or 0:.0e} x its start"))))
    last[bad] = t
    diverged_at[bad] = t
    reason[bad] = why[bad]


def _early_stop(t, monitored, rule, best, waited, active, last, stopped_at, reason):
    improved = monitored < best * (1 - rule.min_delta) if rule.min_delta else monitored < best
    improved &= np.isfinite(monitored)
    best[...] = np.where(active & improved, monitored, best)
    waited[...] = np.where(improved, 0, waited + 1)
    done = active & (waited >= rule.patience)
    if done.any():
        _end(done, t, last, stopped_at, reason,
             f"early stopping: no improvement for {rule.patience} checks")
        active &= ~done


def _counting_loss_fn(problem, batch, counter):
    def loss_fn(theta):
        counter[0] += 1
        return np.asarray(problem._loss(np.asarray(theta, dtype=float), batch), dtype=float)
    return loss_fn
