"""The schedule race: learning-rate schedules side by side on a stochastic problem.

Every contestant runs plain SGD from the same start with the *same sequence
of minibatches* (same seed), so the only difference between two curves is
the schedule. Left: ``lr(t)``; right: the full-data loss gap ``f(theta_t) - f*``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..problem import Problem
from ..rules import Rule, sgd
from ..trainer import train
from .base import App, loss_gap, lr_slider
from .controls import MultiToggle

__all__ = ["CONTESTANTS", "DECAYING", "WARMING", "ScheduleRace", "default_data_problem",
           "make_contestant", "moving_average", "schedule_race"]


def default_data_problem(n: int = 400, noise: float = 1.0, seed: int = 0) -> Problem:
    """Least squares on a noisy line (2 parameters: slope and intercept)."""
    from ..datasets import noisy_line
    from ..models import LinearRegression

    return LinearRegression(noisy_line(n=n, noise=noise, seed=seed))


def _schedules():
    from .. import schedules
    return schedules


#: Contestant name -> ``make(lr, num_steps, decay_every, warmup_steps) -> Rule``.
CONTESTANTS: dict[str, Callable[..., Rule]] = {
    "constant": lambda lr, T, k, w: sgd(_schedules().constant(lr)),
    "step ÷10": lambda lr, T, k, w: sgd(_schedules().step(lr, step_size=k, gamma=0.1)),
    "exponential": lambda lr, T, k, w: sgd(_schedules().exponential(lr, gamma=0.1 ** (1 / k))),
    "1/t": lambda lr, T, k, w: sgd(_schedules().inverse_time(lr, decay_rate=1.0,
                                                             decay_steps=max(k / 10, 1))),
    "1/√t": lambda lr, T, k, w: sgd(_schedules().inverse_sqrt(lr, decay_steps=max(k / 10, 1))),
    "cosine": lambda lr, T, k, w: sgd(_schedules().cosine(lr, total_steps=T)),
    "warm-up + cosine": lambda lr, T, k, w: sgd(_schedules().warmup(
        _schedules().cosine(lr, total_steps=max(T - w, 1)), steps=w)),
    "WSD": lambda lr, T, k, w: sgd(_wsd(lr, T, k, w)),
    "plateau ÷10": lambda lr, T, k, w: _plateau(lr, k),
    "one-cycle": lambda lr, T, k, w: sgd(_schedules().one_cycle(lr, total_steps=T)),
    "cosine restarts": lambda lr, T, k, w: sgd(_schedules().cosine_restarts(lr, period=k)),
    "cyclic": lambda lr, T, k, w: sgd(_schedules().cyclic(lr / 100, lr, step_size_up=max(k // 2, 1),
                                                          mode="triangular2")),
}


#: The contestants that use the "decay every" period.
DECAYING = {"step ÷10", "exponential", "1/t", "1/√t", "WSD", "plateau ÷10", "cosine restarts",
            "cyclic"}

#: The contestants that use the warm-up length.
WARMING = {"warm-up + cosine", "WSD"}


def _wsd(lr: float, T: int, cooldown: int, warmup: int) -> Any:
    """Warmup-stable-decay over the race: ``warmup`` steps up, a linear cool-down of
    ``cooldown`` steps at the end (both shortened to fit a short race)."""
    w = min(warmup, T - 1)
    return _schedules().wsd(lr, T, warmup_steps=w, decay_steps=max(min(cooldown, T - w), 1))


def _plateau(lr: float, patience_hint: int) -> Rule:
    from ..rules.plateau import reduce_on_plateau
    return reduce_on_plateau(lr, factor=0.1, patience=max(patience_hint // 2, 5),
                             min_lr=lr * 1e-3)


def make_contestant(name: str, lr: float, num_steps: int, decay_every: int,
                    warmup_steps: int) -> Rule:
    """The SGD rule a contestant of the race runs (see :data:`CONTESTANTS`)."""
    if name not in CONTESTANTS:
        raise ValueError(f"The 'name' parameter of make_contestant must be one of "
                         f"{list(CONTESTANTS)}. Got {name!r} instead.")
    return CONTESTANTS[name](lr, num_steps, decay_every, warmup_steps)


class ScheduleRace(App):
    """Pick schedules and their parameters; watch ``lr(t)`` and the loss race.

    Parameters
    ----------
    problem : Problem, optional
        A stochastic problem (a data problem, or a surface with ``noise > 0``);
        default: least squares on 400 noisy points (:func:`default_data_problem`).
    schedules : sequence of str
        Names from :data:`CONTESTANTS`.
    lr : float
        Base (peak) learning rate, shared by every contestant.
    num_steps, batch_size, decay_every, warmup_steps : int
        Race length, minibatch size, the decay period (step size of "step ÷10",
        tenfold decay time of "exponential", time unit x10 of "1/t" and
        "1/√t", length of the cool-down of "WSD", twice the patience of
        "plateau"), the warm-up length ("warm-up + cosine" and "WSD").
    seed : int
        Minibatch seed (the same for every contestant).
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    schedules, lr, num_steps, batch_size, decay_every, warmup_steps : controls
    histories : dict
        Contestant -> History (with ``params``: every iterate, whose full-data loss
        the right panel shows).
    lr_lines, loss_lines : list of Line2D
        One per contestant in :attr:`labels` order.
    final : dict
        Contestant -> mean full-data loss gap over the last 10% of steps.

    Examples
    --------
    >>> race = ScheduleRace(schedules=["constant", "step ÷10"], backend="png")
    >>> race.final["step ÷10"] < race.final["constant"]
    True
    """

    def __init__(self, problem: Problem | None = None, *,
                 schedules: Any = ("constant", "step ÷10", "cosine"), lr: float | None = None,
                 num_steps: int = 600, batch_size: int = 4, decay_every: int = 200,
                 warmup_steps: int = 50, seed: int = 0, backend: str = "auto"):
        super().__init__((10.0, 4.0), backend=backend)
        self.problem = default_data_problem() if problem is None else problem
        unknown = [s for s in schedules if s not in CONTESTANTS]
        if unknown:
            raise ValueError(f"The 'schedules' parameter of ScheduleRace must name entries of "
                             f"{list(CONTESTANTS)}. Got {unknown!r}.")
        L = self.problem.smoothness or 1.0
        self.seed = seed
        self.schedules = MultiToggle(list(CONTESTANTS), value=tuple(schedules),
                                     description="schedules")
        self.lr = lr_slider(lr if lr is not None else 0.5 / L, low=1e-3 / L, high=3.0 / L,
                            description="base lr", continuous_update=False)
        self.num_steps = W.IntSlider(value=num_steps, min=50, max=2000, step=50,
                                     description="steps", continuous_update=False)
        n = self.problem.n_samples
        sizes = [b for b in (1, 2, 4, 8, 16, 32, 64, 128, 256) if n is None or b <= n]
        self.batch_size = W.SelectionSlider(options=sizes, value=batch_size,
                                            description="batch size", continuous_update=False)
        self.decay_every = W.IntSlider(value=decay_every, min=10, max=1000, step=10,
                                       description="decay every", continuous_update=False,
                                       style={"description_width": "initial"})
        self.warmup_steps = W.IntSlider(value=warmup_steps, min=1, max=500, step=1,
                                        description="warm-up", continuous_update=False)
        gs = GridSpec(1, 2, figure=self.figure, wspace=0.28, left=0.08, right=0.98,
                      top=0.9, bottom=0.14)
        self.ax_lr = self.figure.add_subplot(gs[0, 0])
        self.ax_loss = self.figure.add_subplot(gs[0, 1])
        # one line per contestant; past the palette, colours repeat with dashes
        style = [{"color": plots.COLORS[i % len(plots.COLORS)],
                  "linestyle": "-" if i < len(plots.COLORS) else "--"}
                 for i in range(len(CONTESTANTS))]
        self.lr_lines = [self.ax_lr.plot([], [], linewidth=1.6, **st)[0] for st in style]
        self.loss_lines = [self.ax_loss.plot([], [], linewidth=1.2, **st)[0] for st in style]
        self.canvas.animate(self.lr_lines, self.loss_lines)
        self._key = None
        self._runs: dict = {}
        layout = W.VBox([self.schedules,
                         W.HBox([W.VBox([self.lr, self.num_steps, self.batch_size]),
                                 W.VBox([self.decay_every, self.warmup_steps])])])
        self._wire([self.schedules, self.lr, self.num_steps, self.batch_size,
                    self.decay_every, self.warmup_steps], layout)
        self.update()

    def _update(self) -> None:
        problem = self.problem
        names = list(self.schedules.value)
        lr, T = float(self.lr.value), int(self.num_steps.value)
        k, w = int(self.decay_every.value), int(self.warmup_steps.value)
        B = int(self.batch_size.value)
        self._needs(self.decay_every, bool(set(names) & DECAYING),
                    "no selected schedule has a decay period: select " + ", ".join(
                        n for n in CONTESTANTS if n in DECAYING))
        self._needs(self.warmup_steps, bool(set(names) & WARMING),
                    "only 'warm-up + cosine' and 'WSD' warm up: select one")
        self.histories, self.final, self.labels = {}, {}, names
        tail = max(T // 10, 1)
        runs = {}  # only the contestants whose settings changed are trained again
        for i, name in enumerate(names):
            key = (name, lr, T, k, w, B, self.seed)
            if key not in self._runs:
                h = train(problem, make_contestant(name, lr, T, k, w), T, batch_size=B,
                          seed=self.seed, record_params=True)
                self._runs[key] = (h, loss_gap(problem, h))
            h, gap = runs[key] = self._runs[key]
            self.histories[name] = h
            self.final[name] = float(np.mean(gap[-tail:])) if not h.diverged else np.inf
            self.lr_lines[i].set_data(np.arange(T), h.lr)
            plots.set_loss_curve(self.loss_lines[i], moving_average(gap, self.window(T)))
            self.lr_lines[i].set_visible(True)
            self.loss_lines[i].set_visible(True)
        self._runs = runs
        for j in range(len(names), len(self.lr_lines)):
            self.lr_lines[j].set_visible(False)
            self.loss_lines[j].set_visible(False)
        lrs = np.concatenate([h.lr[np.isfinite(h.lr)] for h in self.histories.values()] or
                             [np.array([lr])])
        ylim_lr = plots.decade_limits(lrs, min_decades=2)
        gaps = np.concatenate([ln.get_ydata() for ln in self.loss_lines[: len(names)]] or
                              [np.array([1.0])])
        ylim_loss = plots.decade_limits(gaps, min_decades=3)
        key = (tuple(names), T, ylim_lr, ylim_loss)
        if key != self._key:
            self._key = key
            for ax, ylim, ylabel, title in (
                    (self.ax_lr, ylim_lr, r"learning rate $\eta_t$", "schedule"),
                    (self.ax_loss, ylim_loss, r"full-data $f(\theta_t) - f^\star$",
                     f"SGD, batch {B}: loss (moving average of {self.window(T)} steps)")):
                ax.set_yscale("log")
                ax.set_xlim(0, T)
                ax.set_ylim(*ylim)
                ax.set_xlabel("step $t$")
                ax.set_ylabel(ylabel)
                ax.set_title(title, fontsize=10)
            if self.ax_lr.get_legend() is not None:
                self.ax_lr.get_legend().remove()
            if names:
                self.ax_lr.legend(self.lr_lines[: len(names)], names, fontsize=8,
                                  loc="lower left", framealpha=0.85)
            self.canvas.invalidate()
        if names:
            ranking = sorted((s for s in names if not self.histories[s].diverged),
                             key=lambda s: self.final[s])
            text = "final loss gap (mean of last 10%): " + " < ".join(
                f"{s} {self.final[s]:.2g}" for s in ranking) if ranking else ""
            lost = [f"{s} at step {int(self.histories[s].diverged_at)}" for s in names
                    if self.histories[s].diverged]
            if lost:
                text += (" · " if text else "") + "diverged: " + ", ".join(lost)
            self._set_status(text, "bad" if lost else "ok")
        else:
            self._set_status("pick at least one schedule", "warn")
        self.canvas.render()

    @staticmethod
    def window(num_steps: int) -> int:
        """Width of the moving average drawn on the loss panel."""
        return max(num_steps // 40, 1)


def moving_average(x: Any, window: int) -> np.ndarray:
    """Trailing mean over ``window`` steps (shorter at the start); NaN once ``x`` is NaN.

    >>> moving_average([1.0, 3.0, 5.0, 7.0], 2).tolist()
    [1.0, 2.0, 4.0, 6.0]
    """
    x = np.asarray(x, dtype=float)
    c = np.cumsum(np.concatenate([[0.0], np.where(np.isfinite(x), x, 0.0)]))
    idx = np.arange(1, len(x) + 1)
    lo = np.maximum(idx - window, 0)
    out = (c[idx] - c[lo]) / (idx - lo)
    bad = np.cumsum(~np.isfinite(x)) > 0
    return np.where(bad, np.nan, out)


def schedule_race(problem: Problem | None = None, **kwargs: Any) -> ScheduleRace:
    """Build a :class:`ScheduleRace` (display it by leaving it last in a cell)."""
    return ScheduleRace(problem, **kwargs)
