"""The price of not choosing a learning rate: step-size rules raced on cost, not on steps.

Gradient descent at a fixed rate, 2/(mu+L), exact line search, Armijo
backtracking, Polyak's step, Barzilai-Borwein and L-BFGS on one problem. The
loss is plotted against a cost axis the learner picks: *iterations* (what
papers often plot), *gradient evaluations*, or *all evaluations* (gradient
evaluations plus the extra loss-only evaluations a line search spends). One
small panel per method (shared log scale) shows the step size it used; on 2-D
problems a third panel draws the paths, else the loss panel takes its width.

Only the fixed-rate run depends on the learning-rate slider; the other
methods run once per problem and are cached.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import NullLocator

from .. import plots
from ..baselines import lbfgs
from ..rules import sgd
from ..rules.linesearch import (
    armijo,
    barzilai_borwein,
    exact_line_search,
    optimal_constant,
    polyak,
)
from ..trainer import train
from .background import Precompute
from .base import App, lr_slider
from .cached_contours import contours
from .explorer_ticks import ticks_in_view
from .linesearch_costs import (
    COSTS,
    METHODS,
    PROBLEMS,
    CostTable,
    cost_axis,
    cost_to_reach,
    race_problem,
)
from .log_ticks import light_log_axis
from .shared_marks import marks_only, ticks_from

__all__ = ["COSTS", "METHODS", "CostTable", "LineSearchRace", "cost_axis", "cost_to_reach",
           "linesearch_race", "race_problem"]

#: (problem name, steps) -> the runs of every racer but the slider's (they depend on nothing
#: else), in ``_PRECOMPUTE.store``: made once per kernel, shared by every race app, at most 9
#: (the oldest goes). An app opened on one problem runs the others' racers in the background.
_PRECOMPUTE = Precompute(max_size=9)


class LineSearchRace(App):
    """Step-size rules raced against iterations, gradient evaluations or all evaluations.

    Parameters
    ----------
    problem : str
        'Rosenbrock', 'ill-conditioned quadratic' or 'logistic regression'.
    cost : str
        A name in :data:`COSTS`.
    lr : float, optional
        Rate of the fixed-rate run (default ``1/L`` when ``L`` is known, else 1e-3).
    num_steps : int
        Iterations of every method (L-BFGS may stop earlier).
    tol : float
        "Solved" means a gap below ``tol`` times the starting gap.
    backend : {'auto', 'png', 'ipympl'}
    precompute : bool
        After the first frame, run the racers of the other problems on a
        background thread that gives way to every control (see
        :mod:`lrlab.apps.background`), so that picking one in the dropdown
        redraws at once instead of running seven methods first.

    Attributes
    ----------
    problem_name, cost, lr : controls
    problem : Problem
    histories : dict
        Method name -> History.
    solved_at : dict
        Method name -> cost (on the current axis) at which the gap first fell
        below ``tol`` times the start, or None.
    curves, rates, paths : dict of Line2D
    loss_title : Text
        The loss panel's title (a text redrawn alone from a layer).
    rate_axes, absent : dict
        Method name -> its step-size panel (shared axes; ``ax_rate`` is the top one),
        and the note that panel shows when the problem cannot run the method.

    Examples
    --------
    >>> app = LineSearchRace("ill-conditioned quadratic", num_steps=200, backend="png")
    >>> app.solved_at["exact line search"] is not None
    True
    >>> app.cost.value = "all evaluations"
    >>> bool(app.solved_at["Armijo"] > app.histories["Armijo"].grad_evals[0])
    True
    """

    def __init__(self, problem: str = "Rosenbrock", *, cost: str = "all evaluations",
                 lr: float | None = None, num_steps: int = 200, tol: float = 1e-3,
                 backend: str = "auto", figsize=(11.5, 4.0), precompute: bool = True):
        super().__init__(figsize, backend=backend)
        if problem not in PROBLEMS:
            race_problem(problem)  # raises the error
        if cost not in COSTS:
            raise ValueError(f"The 'cost' parameter of LineSearchRace must be one of "
                             f"{list(COSTS)}. Got {cost!r} instead.")
        self.num_steps, self.tol = int(num_steps), float(tol)
        self.problem_name = W.Dropdown(options=PROBLEMS, value=problem, description="problem")
        self.cost = W.ToggleButtons(options=COSTS, value=cost, description="x axis",
                                    style={"button_width": "150px"})
        self.lr = lr_slider(1e-3 if lr is None else lr, low=1e-5, high=10.0,
                            description="GD lr")
        self._lr_given = lr is not None
        self._build_figure()
        controls = [self.problem_name, self.cost, self.lr]
        layout = W.VBox([W.HBox([self.problem_name, self.lr]), self.cost])
        self._wire(controls, layout)
        self._problem_key = None
        self._axes_key = self._rate_key = None
        self.update()
        if precompute:
            for name in PROBLEMS:
                if name != problem:
                    _PRECOMPUTE.submit((name, self.num_steps),
                                       lambda name=name, T=self.num_steps:
                                       _run_racers(race_problem(name), T))

    def _build_figure(self) -> None:
        fig = self.figure
        gs = GridSpec(1, 3, figure=fig, width_ratios=[0.85, 1.2, 1.0], wspace=0.3,
                      left=0.06, right=0.99, top=0.9, bottom=0.13)
        self.ax_path = fig.add_subplot(gs[0, 0])
        self.ax_loss = fig.add_subplot(gs[0, 1])
        # the loss panel beside the paths (2-D problems), or over both columns without them
        wide = gs[0, 0:2].get_position(fig)
        wide.x0 += 0.02    # room for the loss panel's own tick labels and y label
        self._loss_boxes = {True: gs[0, 1].get_position(fig), False: wide}
        strips = gs[0, 2].subgridspec(len(METHODS), 1, hspace=0.15)
        self.ax_rate = fig.add_subplot(strips[0, 0])
        self.rate_axes = {METHODS[0]: self.ax_rate} | {
            name: fig.add_subplot(strips[i, 0], sharex=self.ax_rate, sharey=self.ax_rate)
            for i, name in enumerate(METHODS) if i}
        self.absent, labels = {}, []
        self.curves, self.rates, self.paths = {}, {}, {}
        for i, name in enumerate(METHODS):
            c = plots.COLORS[i % len(plots.COLORS)]
            ls = "--" if name == "L-BFGS" else "-"
            (self.curves[name],) = self.ax_loss.plot([], [], color=c, lw=1.6, ls=ls,
                                                     label=name)
            ax = self.rate_axes[name]
            (self.rates[name],) = ax.plot([], [], color=c, lw=0.8, ls=ls)
            self.paths[name] = plots.trajectory(np.zeros((0, 2)), self.ax_path, color=c,
                                                markersize=1.5, linewidth=1.0, zorder=4)
            label = name + (" (step length / |g|)" if name == "L-BFGS" else "")
            labels.append(ax.text(0.01, 0.94, label, transform=ax.transAxes, ha="left",
                                  va="top", fontsize=7, color=c, fontweight="bold",
                                  bbox={"fc": "white", "ec": "none", "alpha": 0.75,
                                        "pad": 0.4}))
            self.absent[name] = ax.text(0.5, 0.45, "", transform=ax.transAxes, ha="center",
                                        va="center", fontsize=7, color="0.45")
            ax.tick_params(labelsize=7, labelbottom=ax is self.rate_axes[METHODS[-1]])
        # the upper panels' unlabelled x ticks: one line of marks each, no tick built
        bottom = self.rate_axes[METHODS[-1]].xaxis
        self._rate_marks = [marks_only(ax.xaxis, bottom) for ax in self.rate_axes.values()
                            if ax.xaxis is not bottom]
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xscale("log")
        self.ax_rate.set_yscale("log")
        self.ax_rate.yaxis.set_minor_locator(NullLocator())
        self.rate_axes[METHODS[-1]].set_xlabel("iteration $t$")
        self.rate_axes[METHODS[len(METHODS) // 2]].set_ylabel(
            r"step size $\eta_t$ used (log)", fontsize=9)
        self.ax_rate.set_title("step size each method used", fontsize=10)
        # the panels without a y label draw the top panel's y ticks: marks and texts, no tick
        self._rate_ticks = [ticks_from(ax.yaxis, self.ax_rate.yaxis)
                            for i, ax in enumerate(self.rate_axes.values())
                            if i not in (0, len(METHODS) // 2)]
        self.canvas.animate(list(self.curves.values()), list(self.rates.values()),
                            list(self.paths.values()))
        # what a new cost axis changes, in layers of their own: the loss panel's x axis (a
        # layer per look: going back to an axis costs a composite) and its title
        self.loss_title = plots.title_text(self.ax_loss, fontsize=10)
        self.canvas.layer(self.ax_loss.xaxis, memo=True)
        self.canvas.layer(self.loss_title)
        # what a new problem changes, in layers too: the loss panel's y axis and the
        # step-size panels' y axes (a range per problem, a layer per look), the panels'
        # "not run" notes; their names never change (a layer drawn once). A new problem
        # redraws the contours' axes alone (and the loss panel when it changes width)
        # (the y axes that draw their own ticks; the others' draw nothing: background)
        drawn = {id(t._lrlab_axis) for t in self._rate_ticks}
        self._rate_yaxes = [ax.yaxis for ax in self.rate_axes.values() if id(ax.yaxis) not in drawn]
        self.canvas.layer(self.ax_loss.yaxis, *self._rate_yaxes, memo=True)
        self.canvas.layer(*labels)
        self.canvas.layer(*self._rate_ticks)
        self.canvas.layer(*self.absent.values())
        # ticks built only where drawn (the same picture): major ticks in their axes' view,
        # the loss panel's log x minor marks one artist, moved with its axis (a view of
        # more than a decade, as every cost axis of 10 steps or more is: no minor labels)
        ticks_in_view(self.ax_loss.yaxis, self.ax_path.xaxis, self.ax_path.yaxis)
        self._minor_marks = light_log_axis(self.ax_loss.xaxis) if self.num_steps >= 10 else None
        if self._minor_marks is not None:
            self.canvas.layer(self._minor_marks)

    # ------------------------------------------------------------------ runs
    def _run_fixed(self) -> None:
        self.histories["GD (slider lr)"] = train(self.problem, sgd(float(self.lr.value)),
                                                 self.num_steps, record_params=True)

    def _run_all(self) -> None:
        p, T = self.problem, self.num_steps
        self.histories = {}
        L = p.smoothness
        lo, hi = (np.log10(1e-3 / L), np.log10(10.0 / L)) if L else (-5.0, 1.0)
        # fit the slider to this problem's L (as the 2-D explorer does), in one message
        reset = not self._lr_given or self._problem_key is not None
        self._set_control(self.lr, min=float(lo), max=float(hi),
                          value=(1.0 / L if L else 1e-3) if reset else self.lr.value)
        self._run_fixed()
        key = (self._problem_name, T)
        if key not in _PRECOMPUTE.store:
            # a first visit runs every racer (~0.1-1 s) unless the background has: say so
            # before, not after, the wait
            self._set_status(f"running the line searches on {self._problem_name} "
                             f"({T} steps each)...")
        self.histories.update(_PRECOMPUTE.result(key, lambda: _run_racers(p, T)))

    def _background(self) -> None:
        ax = self.ax_path
        keep = set(self.paths.values())
        for artist in list(ax.collections) + list(ax.lines) + list(ax.texts):
            if artist not in keep:
                artist.remove()
        two_d = self.problem.dim == 2
        ax.set_visible(two_d)   # no contours beyond 2-D: the loss panel takes the width
        if tuple(self.ax_loss.get_position().bounds) != tuple(self._loss_boxes[two_d].bounds):
            self.ax_loss.set_position(self._loss_boxes[two_d])
            self.canvas.invalidate(self.ax_loss)
        if two_d:
            contours(self.problem, ax, self._problem_name)   # traced once per kernel
            ax.set_title(self.problem.name, fontsize=10)
        needs = {"GD 2/(μ+L)": "not run: needs μ (strong convexity)", "Polyak": "not run: needs f*"}
        for name, note in self.absent.items():
            text = "" if name in self.histories else needs.get(name, "not run")
            if text != note.get_text():
                note.set_text(text)
                self.canvas.invalidate(note)
        self.canvas.invalidate(ax)

    # ------------------------------------------------------------------ update
    def _update(self) -> None:
        name = self.problem_name.value
        if name != self._problem_key:
            self.problem = race_problem(name)
            self._problem_name = name
            self._run_all()
            self._problem_key = name
            self._background()
        else:
            self._run_fixed()
        self._draw()

    def _draw(self) -> None:
        cost, f_star = self.cost.value, self.problem.f_star or 0.0
        self.solved_at = {}
        xmax, gaps0 = 1.0, []
        for name in METHODS:
            h = self.histories.get(name)
            visible = h is not None
            for artist in (self.curves[name], self.rates[name], self.paths[name]):
                artist.set_visible(visible)
            if not visible:
                self.solved_at[name] = None
                continue
            x = cost_axis(h, cost).astype(float)
            with np.errstate(all="ignore"):
                gap = np.asarray(h.loss, dtype=float) - f_star
            gap = np.where(np.isfinite(gap), np.maximum(gap, 1e-16), np.nan)
            self.curves[name].set_data(x, gap)
            lr = np.asarray(h.lr, dtype=float)
            self.rates[name].set_data(np.arange(len(lr)), np.where(lr > 0, lr, np.nan))
            if self.problem.dim == 2 and h.params is not None:
                plots.set_trajectory(self.paths[name], h.params)
            else:
                self.paths[name].set_visible(False)
            self.solved_at[name] = cost_to_reach(h, cost, tol=self.tol, f_star=f_star)
            finite = x[np.isfinite(gap)]
            xmax = max(xmax, float(finite.max()) if finite.size else 1.0)
            gaps0.append(gap[0])
        top = plots.decade_limits(gaps0, min_decades=0)[1]
        # the step-size panels span the slider's whole range, so moving it redraws no axes
        others = [np.asarray(h.lr, float).ravel() for n, h in self.histories.items()
                  if n != "GD (slider lr)"]
        rates = np.concatenate([*others, 10.0 ** np.r_[self.lr.min, self.lr.max]])
        rate_lim = plots.decade_limits(rates[rates > 0], min_decades=2)
        # a new cost axis redraws the loss panel alone; the step-size panels keep theirs
        loss_key, rate_key = (cost, self._problem_key, xmax, top), (self._problem_key, rate_lim)
        if loss_key != self._axes_key:
            # the same problem and y range: only the x axis and the title change (layers)
            same_y = self._axes_key is not None and self._axes_key[1::2] == loss_key[1::2]
            self._axes_key = loss_key
            self.ax_loss.set_xlim(1, 1.3 * xmax)
            self.ax_loss.set_xlabel(cost + (" (start = 1)" if cost == "iterations" else "")
                                    + ", log scale")
            where = "" if self.problem.dim == 2 else \
                f"{self.problem.name}, {self.problem.dim} parameters: "
            self.loss_title.set_text(f"{where}suboptimality against {cost}")
            self.canvas.invalidate(self.ax_loss.xaxis, self.loss_title,
                                   *[m for m in [self._minor_marks] if m is not None])
            if not same_y:
                self.ax_loss.set_ylim(1e-13 * top, 10 * top)
                self.ax_loss.set_ylabel(r"$f(\theta) - f^\star$")
                # the legend names only the racers this problem runs (no 2/(mu+L) without mu)
                self.ax_loss.legend(handles=[self.curves[n] for n in METHODS
                                             if n in self.histories],
                                    loc="lower left", fontsize=7, ncol=2, framealpha=0.85)
                self.canvas.invalidate(self.ax_loss.yaxis)
        if rate_key != self._rate_key:
            self._rate_key = rate_key
            self.ax_rate.set_xlim(0, self.num_steps)   # shared by every step-size panel
            # margins keep a rate on a whole decade off the frame; two labelled decades inside
            self.ax_rate.set_ylim(rate_lim[0] / 2.2, rate_lim[1] * 2.2)
            inner = np.arange(*(np.round(np.log10(rate_lim)).astype(int) + np.array([1, 0])))
            self.ax_rate.set_yticks(10.0 ** np.unique(inner[[0, -1]]))
            self.canvas.invalidate(*self._rate_yaxes, *self._rate_ticks)
        parts = []
        for name in METHODS:
            if name not in self.histories:
                continue
            h, at = self.histories[name], self.solved_at[name]
            if bool(np.any(np.asarray(h.diverged_at) >= 0)):
                parts.append(f"{name}: diverged")
            else:
                parts.append(f"{name}: {at:.0f}" if at is not None else f"{name}: —")
        self._set_status(f"{cost} to reach gap ≤ {self.tol:g}·start — " + " · ".join(parts))
        self.canvas.render()

    def cost_table(self) -> CostTable:
        """The cost of every racer of the current problem on all three axes at once.

        Reads the runs already made (nothing is trained again and no control
        moves); ``table["all evaluations"]["Armijo"]`` is what the status line
        shows for Armijo on that axis.

        Examples
        --------
        >>> app = LineSearchRace("ill-conditioned quadratic", num_steps=200, backend="png")
        >>> table = app.cost_table()
        >>> table["iterations"]["Polyak"] <= table["all evaluations"]["Polyak"]
        True
        >>> print(str(table).splitlines()[0])
        method               iterations  grad evals   all evals
        """
        f_star = self.problem.f_star or 0.0
        names = [name for name in METHODS if name in self.histories]
        costs = {cost: {name: cost_to_reach(self.histories[name], cost, tol=self.tol,
                                            f_star=f_star) for name in names}
                 for cost in COSTS}
        diverged = tuple(name for name in names
                         if bool(np.any(np.asarray(self.histories[name].diverged_at) >= 0)))
        return CostTable(problem=self.problem_name.value, tol=self.tol, costs=costs,
                         diverged=diverged)


def _run_racers(p: Any, T: int) -> dict:
    """Every racer but the slider's GD on problem ``p`` for ``T`` steps: name -> History."""
    L = p.smoothness
    h = {}
    if L is not None and p.strong_convexity:
        h["GD 2/(μ+L)"] = train(p, optimal_constant(p), T, record_params=True)
    h["exact line search"] = train(p, exact_line_search(p, xtol=1e-3), T, record_params=True)
    h["Armijo"] = train(p, armijo(lr0=1.0), T, record_params=True)
    if p.f_star is not None:
        h["Polyak"] = train(p, polyak(p.f_star), T, record_params=True)
    h["Barzilai-Borwein"] = train(p, barzilai_borwein("long", lr0=1.0 / L if L else 1e-4),
                                  T, record_params=True)
    h["L-BFGS"] = lbfgs(p, T)
    return h


def linesearch_race(problem: str = "Rosenbrock", **kwargs: Any) -> LineSearchRace:
    """Build a :class:`LineSearchRace` app (display it by leaving it last in a cell)."""
    return LineSearchRace(problem, **kwargs)
