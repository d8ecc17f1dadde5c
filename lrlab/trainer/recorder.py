"""What a run records at every step, and the :class:`~lrlab.History` it becomes.

At each point ``theta_t`` the recorder keeps the loss, the gradient norm, the
iterate (when asked) and the evaluation cost so far; after each step
``theta_{t+1} = theta_t + step_t`` it keeps the rule's learning rate, its state
(when asked) and the update ratio ``||theta_{t+1} - theta_t|| / ||theta_t||``.

For speed it records raw values for every run and, once the loop is over, blanks
to NaN whatever a run recorded after its last step (see :class:`Stopper`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..history import History
from ..problem import Problem
from .stopping import Stopper

__all__ = ["Recorder", "update_ratio"]


def _sq_norm(x: np.ndarray) -> np.ndarray:
    return np.einsum("...i,...i->...", x, x)


def update_ratio(theta: np.ndarray, new_theta: np.ndarray) -> np.ndarray:
    """``||new_theta - theta|| / ||theta||`` over the last axis (``||theta||`` floored at 1e-12).

    The one definition of :attr:`History.update_ratio`. The recorder applies it to
    every step at once when the iterates are recorded, else step by step.

    >>> round(float(update_ratio(np.array([3.0, 4.0]), np.array([3.0, 4.05]))), 12)  # 0.05 / 5
    0.01
    """
    step = new_theta - theta
    return np.sqrt(_sq_norm(step) / np.maximum(_sq_norm(theta), 1e-24))


class Recorder:
    """The per-step record of a (batched) run.

    Parameters
    ----------
    run_shape : tuple of int
        Shape of the batch of runs.
    num_steps : int
        Number of steps the run was asked for.
    dim : int
        Number of parameters.
    record_params : bool
        Keep every iterate (then the update ratio is computed from them at the end).
    record_state : bool
        Keep the rule's state after every step.
    eval_on : Problem or None
        Problem whose exact loss is recorded every ``eval_every`` steps and at the
        last step; ``None`` records no evaluation.
    eval_every : int or None
        Evaluation period.
    """

    def __init__(self, run_shape: tuple, *, num_steps: int, dim: int, record_params: bool,
                 record_state: bool, eval_on: Problem | None, eval_every: int | None):
        T = self.num_steps = num_steps
        self.run_shape = run_shape
        self.loss = np.empty((T + 1, *run_shape))
        self.grad_norm = np.empty((T + 1, *run_shape))
        self.lr = np.full((T, *run_shape), np.nan)
        self.update_ratio = np.empty((T, *run_shape))
        self.params = np.empty((T + 1, *run_shape, dim)) if record_params else None
        self.loss_evals = np.arange(1, T + 2)    # one per point, plus loss_fn calls
        self.grad_evals = np.arange(1, T + 2)
        self.states = [] if record_state else None
        self.eval_on = eval_on
        self.eval_every = eval_every
        self.eval_steps: list[int] = []
        self.eval_loss: list[np.ndarray] = []
        self._prev_lr = None            # the lr object of the last step
        self._lr_changed: list[int] = []  # steps whose lr object differs from the step before

    def start(self, state: Any) -> None:
        """Keep the state ``rule.init`` returned."""
        if self.states is not None:
            self.states.append(state)

    def point(self, t: int, theta: np.ndarray, loss: np.ndarray, grad: np.ndarray,
              loss_fn_calls: int = 0) -> np.ndarray:
        """Record the loss and gradient at ``theta_t``; return the gradient norm.

        ``loss_fn_calls`` is the number of calls the rule made to ``loss_fn`` so far
        (a line search's probes): they count as loss evaluations.
        """
        grad_norm = np.sqrt(np.einsum("...i,...i->...", grad, grad))
        self.loss[t] = loss
        self.grad_norm[t] = grad_norm
        if self.params is not None:
            self.params[t] = theta
        if loss_fn_calls:
            self.loss_evals[t] = t + 1 + loss_fn_calls
        return grad_norm

    def evaluate(self, t: int, theta: np.ndarray, *, force: bool = False) -> np.ndarray | None:
        """The exact loss at ``theta_t`` if step ``t`` is evaluated (every ``eval_every``
        steps, and always the last step, or when ``force``), else ``None``."""
        if self.eval_every is None or (t % self.eval_every and t != self.num_steps
                                       and not force):
            return None
        value = np.asarray(self.eval_on._loss(theta, None), dtype=float)
        self.eval_steps.append(t)
        self.eval_loss.append(value)
        return value

    def step(self, t: int, theta: np.ndarray, new_theta: np.ndarray, state: Any) -> None:
        """Record step ``t``, from ``theta_t`` to ``theta_{t+1}``, and the rule's new state."""
        if self.params is None:     # else computed from the recorded iterates at the end
            self.update_ratio[t] = update_ratio(theta, new_theta)
        if self.states is not None:
            self.states.append(state)
        lr = getattr(state, "lr", None)
        if lr is not self._prev_lr:  # constant rates are written once, filled in at the end
            if lr is not None:
                self.lr[t] = lr
            self._lr_changed.append(t)
            self._prev_lr = lr

    def history(self, *, final_step: int, stopper: Stopper, meta: dict) -> History:
        """The History of a loop that ended at ``final_step`` (``num_steps``, or earlier
        when every run had ended), with everything after each run's last step blanked."""
        T, t = self.num_steps, final_step
        if T:  # step s takes the lr written at the last change at or before s
            changed = np.zeros(T, dtype=bool)
            changed[self._lr_changed] = True
            changed[0] = True
            self.lr[:] = self.lr[np.maximum.accumulate(np.where(changed, np.arange(T), 0))]
        if self.params is not None and t:
            self.update_ratio[:t] = update_ratio(self.params[:t], self.params[1:t + 1])
        self._blank_after(stopper.last, t)
        eval_steps = np.array(self.eval_steps, dtype=int)
        eval_loss = None
        if self.eval_loss:
            eval_loss = np.array(self.eval_loss)
            eval_loss[self._steps(eval_steps) > stopper.last] = np.nan
        return History(
            loss=self.loss, grad_norm=self.grad_norm, lr=self.lr,
            update_ratio=self.update_ratio, params=self.params,
            diverged_at=stopper.diverged_at, stopped_at=stopper.stopped_at,
            reason=stopper.reason.astype(str), loss_evals=self.loss_evals,
            grad_evals=self.grad_evals, eval_steps=eval_steps, eval_loss=eval_loss,
            states=self.states, meta=meta,
        )

    def _steps(self, steps: np.ndarray) -> np.ndarray:
        """``steps`` as a column that broadcasts against the run axes."""
        return steps.reshape((-1,) + (1,) * len(self.run_shape))

    def _blank_after(self, last: np.ndarray, final_step: int) -> None:
        T, t = self.num_steps, final_step
        steps = self._steps(np.arange(T + 1))
        after = steps > last                    # points after a run's last point
        self.loss[after] = np.nan
        self.grad_norm[after] = np.nan
        if self.params is not None:
            self.params[after] = np.nan
        if T:
            self.update_ratio[t:] = np.nan      # steps never taken (the loop ended at t)
            self.lr[t:] = np.nan
            taken = steps[:-1] >= last          # steps from a run's last point on
            self.update_ratio[taken] = np.nan
            self.lr[taken] = np.nan
        self.loss_evals[t + 1:] = self.loss_evals[t]
        self.grad_evals[t + 1:] = self.grad_evals[t]
