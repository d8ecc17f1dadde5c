"""The schedule race: learning-rate schedules side by side on a stochastic problem.

Every contestant runs plain SGD from the same start with the *same sequence
of minibatches* (same seed), so the only difference between two curves is
the schedule. Left: ``lr(t)``; right: the full-data loss gap ``f(theta_t) - f*``.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import LogLocator

from .. import plots
from ..problem import Problem
from .base import App, lr_slider
from .controls import MultiToggle
from .explorer_ticks import ticks_in_view
from .log_ticks import light_log_axis
from .race_runs import (
    CONTESTANTS,
    DECAYING,
    LENGTHED,
    SCHEDULES,
    WARMING,
    RaceRuns,
    first_steps,
    make_contestant,
)

__all__ = ["CONTESTANTS", "DECAYING", "LENGTHED", "SCHEDULES", "WARMING", "ScheduleRace",
           "default_data_problem", "first_steps", "make_contestant", "moving_average",
           "schedule_race"]


def default_data_problem(n: int = 400, noise: float = 1.0, seed: int = 0) -> Problem:
    """Least squares on a noisy line (2 parameters: slope and intercept)."""
    from ..datasets import noisy_line
    from ..models import LinearRegression

    return LinearRegression(noisy_line(n=n, noise=noise, seed=seed))


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
        for ax, ylabel in ((self.ax_lr, r"learning rate $\eta_t$"),
                           (self.ax_loss, r"$f(\theta_t) - f^\star$ (moving average)")):
            ax.set_yscale("log")
            # minor ticks at 2 and 5 of each decade only: every tick is an artist to build
            ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))
            ax.set_xlabel("step $t$")
            ax.set_ylabel(ylabel)
        self.ax_lr.set_title("each schedule's learning rate (same peak)", fontsize=10)
        # the same picture with the ticks in view built, the minor ones one artist per
        # axis (the views span six decades or more: no minor tick is labelled)
        self.minor_marks = [light_log_axis(ax.yaxis) for ax in (self.ax_lr, self.ax_loss)]
        ticks_in_view(self.ax_lr.xaxis, self.ax_loss.xaxis)
        # what a slider changes now and then is a cached layer of its own: the axes'
        # limits (steps, lr, batch size) and the loss panel's title (window, batch size)
        self.canvas.layer(self.ax_lr.xaxis, self.ax_lr.yaxis, self.ax_loss.xaxis,
                          self.ax_loss.yaxis)
        for marks in self.minor_marks:  # a layer each: they follow their axis' limits
            self.canvas.layer(marks)
        self.loss_title = plots.title_text(self.ax_loss, fontsize=10)
        self.canvas.layer(self.loss_title)
        self._view: tuple = (None, None, None, None)  # T, lr limits, loss limits, names
        self._runs = RaceRuns(self.problem, seed)
        layout = W.VBox([self.schedules,
                         W.HBox([W.VBox([self.lr, self.num_steps, self.batch_size]),
                                 W.VBox([self.decay_every, self.warmup_steps])])])
        self._wire([self.schedules, self.lr, self.num_steps, self.batch_size,
                    self.decay_every, self.warmup_steps], layout)
        self.update()

    def _update(self) -> None:
        names = list(self.schedules.value)
        lr, T = float(self.lr.value), int(self.num_steps.value)
        k, w = int(self.decay_every.value), int(self.warmup_steps.value)
        B = int(self.batch_size.value)
        self._needs(self.decay_every, bool(set(names) & DECAYING),
                    "no selected schedule has a decay period: select " + ", ".join(
                        n for n in CONTESTANTS if n in DECAYING))
        self._needs(self.warmup_steps, bool(set(names) & WARMING),
                    "only 'warm-up + cosine' and 'WSD' warm up: select one")
        steps = self.num_steps
        lengths = range(steps.min, steps.max + 1, steps.step or 1)
        runs = self._runs.contestants(names, lr, T, k, w, B, lengths=lengths)
        self.histories = {name: h for name, (h, _) in runs.items()}
        self.labels = names
        tail = max(T // 10, 1)
        self.final = {name: float(np.mean(gap[-tail:])) if not h.diverged else np.inf
                      for name, (h, gap) in runs.items()}
        window = self.window(T)
        for i, name in enumerate(names):
            h, gap = runs[name]
            self.lr_lines[i].set_data(np.arange(T), h.lr)
            plots.set_loss_curve(self.loss_lines[i], moving_average(gap, window))
        for i, (lr_line, loss_line) in enumerate(zip(self.lr_lines, self.loss_lines,
                                                     strict=True)):
            lr_line.set_visible(i < len(names))
            loss_line.set_visible(i < len(names))
        self._set_view(names, lr, T, B)
        self._set_status(*self._verdict(names))
        self.canvas.render()

    def _set_view(self, names: list[str], lr: float, T: int, B: int) -> None:
        """Limits, title and legend: each redrawn (its layer) only when it changes."""
        # views that follow the base lr and the data's lowest decades, not the race length:
        # the steps slider moves only the step axes
        top = float(10.0 ** (np.floor(np.log10(lr)) + 1))
        ylim_lr = (top * 1e-6, top)
        gaps = np.concatenate([ln.get_ydata() for ln in self.loss_lines[: len(names)]] or
                              [np.array([1.0])])
        ylim_loss = _loss_limits(gaps)
        old_T, old_lr, old_loss, old_names = self._view
        if T != old_T:
            for ax in (self.ax_lr, self.ax_loss):
                ax.set_xlim(0, T)
                self.canvas.invalidate(ax.xaxis)
        if ylim_lr != old_lr:
            self.ax_lr.set_ylim(*ylim_lr)
            self.canvas.invalidate(self.ax_lr.yaxis, self.minor_marks[0])
        if ylim_loss != old_loss:
            self.ax_loss.set_ylim(*ylim_loss)
            self.canvas.invalidate(self.ax_loss.yaxis, self.minor_marks[1])
        title = f"full-data loss, SGD with batch {B}: lowest at the end wins"
        if title != self.loss_title.get_text():
            self.loss_title.set_text(title)
            self.canvas.invalidate(self.loss_title)
        if names != old_names:  # the legend is drawn over the curves from a layer
            if self.ax_lr.get_legend() is not None:
                self.ax_lr.get_legend().remove()
            if names:
                self.ax_lr.legend(self.lr_lines[: len(names)], names, fontsize=8,
                                  loc="lower left", framealpha=0.85)
        self._view = (T, ylim_lr, ylim_loss, list(names))

    def _verdict(self, names: list[str]) -> tuple[str, str]:
        """The status line: the ranking of the contestants, and who diverged."""
        if not names:
            return "pick at least one schedule", "warn"
        ranking = sorted((s for s in names if not self.histories[s].diverged),
                         key=lambda s: self.final[s])
        text = "final loss gap (mean of last 10%): " + " < ".join(
            f"{s} {self.final[s]:.2g}" for s in ranking) if ranking else ""
        lost = [f"{s} at step {int(self.histories[s].diverged_at)}" for s in names
                if self.histories[s].diverged]
        if lost:
            text += (" · " if text else "") + "diverged: " + ", ".join(lost)
        return text, "bad" if lost else "ok"

    @staticmethod
    def window(num_steps: int) -> int:
        """Width of the moving average drawn on the loss panel: 1/40 of the race."""
        return max(num_steps // 40, 1)


def _loss_limits(gaps: np.ndarray) -> tuple[float, float]:
    """Log limits of the loss panel: a decade above the highest gap, down to seven decades
    below that, or to an even decade under the lowest gap (so they seldom change)."""
    top = plots.decade_limits(gaps, min_decades=0)[1]
    low = plots.decade_limits(gaps, min_decades=7)[0]
    return (min(top * 1e-7, float(10.0 ** (2 * np.floor(np.log10(low) / 2)))), top)


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
