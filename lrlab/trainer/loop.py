"""``train``: check the arguments, then run the step loop.

The loop is the algorithm, for every run of a batch at once::

    for t in range(num_steps + 1):
        batch         = problem.sample_batch(rng, batch_size)
        loss, g       = problem.loss_and_grad(theta, batch)      # recorded at theta_t
        (stop the runs that diverged, converged or stopped progressing)
        step, state   = rule.update(g, state, theta, t=t, loss=loss, loss_fn=...)
        theta         = theta + step                             # theta_{t+1}

Recording lives in :class:`~lrlab.trainer.recorder.Recorder`, deciding when a run
ends in :class:`~lrlab.trainer.stopping.Stopper`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_bool, check_int, check_real, check_theta, fail
from ..history import History
from ..problem import Problem, check_problem
from ..rules.base import Rule
from .batches import batch_stream
from .evidence import FullData, run_kind
from .recorder import Recorder
from .stopping import EarlyStopping, Stopper

__all__ = ["AUTO_PARAMS_LIMIT", "train"]

#: Record the iterates by default only below this many floats (16 MB).
AUTO_PARAMS_LIMIT = 2_000_000


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
    num_steps : int in [0, 10**9]
        Number of updates.
    x0 : array of shape (dim,) or (..., dim), optional
        Start point(s); ``problem.x0`` by default. It is broadcast against the
        rule's run shape, so 256 learning rates x one start point works, and
        so do many start points x one learning rate.
    batch_size : int, optional
        Minibatch size for data problems (or the noise scale of noisy
        surfaces); ``None`` means full batch. A minibatch run is judged on its
        full-data loss, not on the batches it saw: see *Stochastic runs* below.
    seed : int
        Seed of the minibatch sampling. Same seed, same history.
    divergence_factor : float > 1 or None
        A run diverges when its loss exceeds ``loss_0 + factor * max(|loss_0|, 1)``:
        relative to the start when ``|loss_0| >= 1``, absolute below (a run started
        at or near a minimum, or with a negative loss, must not be declared diverged
        because the noise lifted its loss by 1e-3). ``None`` keeps only the
        non-finite test (NaN or inf loss, or a non-finite gradient).
    tol : float > 0, optional
        Stop a run (reason "converged") when its exact gradient norm falls below
        ``tol`` at a loss not above its start (reason "stalled" above it: saturated
        units or a worse stationary point). For a minibatch run the full-data
        gradient is computed at the steps where the minibatch gradient norm is below
        ``tol`` (one full-data loss and gradient per such step); for a noisy surface
        the gradient before the noise is used (no extra cost).
    early_stopping : EarlyStopping, optional
        Stop runs that make no progress.
    eval_every : int >= 1, optional
        Every this many steps (and at the end) record the exact loss: on
        ``eval_problem`` if given, else the noise-free full-data loss of ``problem``;
        at ``theta``, or where ``rule.evaluate_at`` says (schedule-free SGD: its average).
        A minibatch run without ``eval_problem`` is evaluated by default about 20 times
        (``eval_every = ceil(num_steps / 20)``) and at every step where one of its runs
        ends, so that :func:`lrlab.diagnose` can judge it on the full-data loss.
    eval_problem : Problem, optional
        A validation problem with the same parameters (e.g. a held-out split).
    record_params : bool or 'auto'
        Keep every iterate; 'auto' keeps them when they take under 16 MB.
    record_state : bool
        Keep the rule's state after every step (for showing adaptive rates).

    Returns
    -------
    History
        ``meta["run_kind"]`` says whether the recorded loss is exact ('exact',
        'noisy gradient') or a minibatch loss ('minibatch'); ``meta["eval_on"]`` what
        ``eval_loss`` measures ('full data', 'eval_problem' or None);
        ``meta["full_data_evals"]`` what the verdicts cost (see below).

    Notes
    -----
    *Stochastic runs.* Divergence and convergence of a stochastic run rest on its
    exact loss and gradient (:mod:`lrlab.trainer.evidence`). A noisy surface's loss
    is exact: the tests read it, and the gradient before the noise, at no extra
    cost. A minibatch run costs, in full-data passes (each over all ``n_samples``,
    shared by all runs of a batch): one loss at step 0 (the divergence test's
    base); one loss at each step where a minibatch loss trips the divergence test
    (the run diverges only if the full-data loss confirms); with ``tol``, one loss
    and gradient at each step where a minibatch gradient norm is below ``tol``;
    and the default evaluation above (about 21 losses, plus one per step where a
    run ends), whose losses also feed the divergence test. ``meta["full_data_evals"]``
    counts the first three; ``eval_steps`` the last.

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
    check_problem(problem, owner)
    if not isinstance(rule, Rule):
        fail(rule, "rule", owner, allowed="an lrlab Rule (e.g. lrlab.sgd(0.1))", exc=TypeError)
    num_steps = check_int(num_steps, "num_steps", owner, low=0, high=MAX_COUNT)
    seed = check_int(seed, "seed", owner, low=0)
    if batch_size is not None:  # a noisy surface has no samples: any batch up to MAX_COUNT
        batch_size = check_int(batch_size, "batch_size", owner, low=1,
                               high=MAX_COUNT if problem.n_samples is None else problem.n_samples)
    if divergence_factor is not None:
        divergence_factor = check_real(divergence_factor, "divergence_factor", owner, low=1,
                                       low_open=True)
    if tol is not None:
        tol = check_real(tol, "tol", owner, low=0, low_open=True)
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        fail(early_stopping, "early_stopping", owner,
             allowed="an EarlyStopping or None", exc=TypeError)
    eval_every = check_int(eval_every, "eval_every", owner, low=1, allow_none=True)
    if eval_problem is not None:
        if not isinstance(eval_problem, Problem) or eval_problem.dim != problem.dim:
            fail(eval_problem, "eval_problem", owner, allowed=f"a Problem with dim={problem.dim}",
                 exc=TypeError)
        if eval_every is None:
            eval_every = 1
    if early_stopping is not None and early_stopping.monitor == "eval" and eval_every is None:
        raise ValueError("EarlyStopping(monitor='eval') needs train(..., eval_every=k) "
                         "or an eval_problem.")
    if not (isinstance(record_params, bool | np.bool_) or (isinstance(record_params, str)
                                                          and record_params == "auto")):
        fail(record_params, "record_params", owner, allowed="True, False or 'auto'")
    record_state = check_bool(record_state, "record_state", owner)

    start = problem.x0 if x0 is None else x0
    start = check_theta(start, "x0", owner, dim=problem.dim)
    if not np.all(np.isfinite(start)):
        fail(start, "x0", owner, allowed="finite")
    try:
        run_shape = np.broadcast_shapes(start.shape[:-1], rule.batch_shape)
    except ValueError:
        fail(start.shape, "x0", owner,
             allowed=f"broadcastable with the rule's run shape {rule.batch_shape}")
    theta = np.array(np.broadcast_to(start, (*run_shape, problem.dim)), dtype=float)
    if record_params == "auto":
        record_params = (num_steps + 1) * theta.size <= AUTO_PARAMS_LIMIT

    kind = run_kind(problem, batch_size)
    if kind == "minibatch" and eval_every is None:   # diagnose's evidence: ~20 evaluations
        eval_every = max(1, -(-num_steps // 20))
    eval_on = None if eval_every is None else (
        "eval_problem" if eval_problem is not None else "full data")
    recorder = Recorder(run_shape, num_steps=num_steps, dim=problem.dim,
                        record_params=bool(record_params), record_state=record_state,
                        eval_on=eval_problem if eval_problem is not None else problem,
                        eval_every=eval_every)
    full_data = FullData(problem, kind)
    stopper = Stopper(run_shape, num_steps=num_steps, divergence_factor=divergence_factor,
                      tol=tol, early_stopping=early_stopping, full_data=full_data)
    meta = {"rule": repr(rule), "problem": problem.name, "seed": seed,
            "batch_size": batch_size, "rule_obj": rule, "run_kind": kind, "eval_on": eval_on}
    with np.errstate(all="ignore"):  # a diverging run is a result: no warning escapes
        final_step = _step_loop(problem, rule, theta, num_steps=num_steps,
                                batch_size=batch_size, seed=seed, recorder=recorder,
                                stopper=stopper, judge_on_eval=eval_on == "full data")
        meta["full_data_evals"] = full_data.costs()
        return recorder.history(final_step=final_step, stopper=stopper, meta=meta)


def _step_loop(problem: Problem, rule: Rule, theta: np.ndarray, *, num_steps: int,
               batch_size: int | None, seed: int, recorder: Recorder,
               stopper: Stopper, judge_on_eval: bool = False) -> int:
    """Step every run from ``theta``; return the last step reached (``num_steps``,
    or earlier when every run had ended).

    ``judge_on_eval``: the evaluation is the training problem's full-data loss, so
    the stopper reads it too, and a step where a run ends is always evaluated."""
    batches = batch_stream(problem, np.random.default_rng(seed), batch_size, num_steps + 1)
    inputs = _RuleInputs(problem, rule)
    state = rule.init(theta)
    recorder.start(state)
    noisy = stopper.full_data is not None and stopper.full_data.kind == "noisy gradient"
    exact_grad_norm = None
    for t in range(num_steps + 1):
        batch = next(batches)  # problem._sample_batch(rng, batch_size), drawn in chunks
        loss, grad = problem._loss_and_grad(theta, batch)
        if noisy and stopper.tol is not None:
            exact_grad_norm = np.sqrt(np.einsum("...i,...i->...", grad, grad))
        if batch is not None:
            grad = problem._add_noise(grad, batch)
        grad_norm = recorder.point(t, theta, loss, grad, inputs.loss_fn_calls)
        at = theta if rule.evaluate_at is None else rule.evaluate_at(state, theta)
        evaluated = recorder.evaluate(t, at)
        active = stopper.n_active
        stopper.check(t, loss, grad_norm, evaluated, theta=theta,
                      exact_grad_norm=exact_grad_norm,
                      full_loss=evaluated if judge_on_eval and at is theta else None)
        if judge_on_eval and evaluated is None and stopper.n_active < active:
            recorder.evaluate(t, at, force=True)   # the evidence at the step a run ended
        if t == num_steps or stopper.n_active == 0:
            return t
        step, state = rule.update(grad, state, theta, t=t, **inputs.at(loss, batch))
        new_theta = theta + step
        recorder.step(t, theta, new_theta, state)
        theta = new_theta
    return num_steps  # not reached: the loop returns at t == num_steps


_NO_INPUTS: dict = {}


class _RuleInputs:
    """The extra inputs a rule declared in ``rule.needs``, and a count of its loss calls."""

    def __init__(self, problem: Problem, rule: Rule):
        self.problem = problem
        self.needs_loss = "loss" in rule.needs
        self.needs_loss_fn = "loss_fn" in rule.needs
        self.loss_fn_calls = 0

    def at(self, loss: np.ndarray, batch: Any) -> dict:
        """Keyword arguments of ``rule.update`` for a step on ``batch``."""
        if not (self.needs_loss or self.needs_loss_fn):
            return _NO_INPUTS
        kwargs = {}
        if self.needs_loss:
            kwargs["loss"] = loss
        if self.needs_loss_fn:
            kwargs["loss_fn"] = self._loss_fn(batch)
        return kwargs

    def _loss_fn(self, batch: Any):
        problem = self.problem

        def loss_fn(theta):
            self.loss_fn_calls += 1
            return np.asarray(problem._loss(np.asarray(theta, dtype=float), batch), dtype=float)
        return loss_fn
