"""The 2-D explorer: contours of a surface and the paths of one or several rules.

The contours are computed and drawn once per surface (they are the cached
background; a quadratic's are ellipses moved in place, in a layer with the
title); a slider move reruns the rules — every learning rate of a rule in one
batched :func:`lrlab.train` call, GD and momentum in one together
(:mod:`lrlab.apps.explorer2d_rules`) — and moves the path and loss lines.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..plots.ellipses import is_quadratic_2d
from ..problem import Problem
from .base import App, describe_run, lr_slider
from .controls import MultiToggle
from .explorer1d import nice_ceiling
from .explorer2d_rules import RULES, available_rules, train_rules
from .explorer_ticks import ticks_in_view
from .race_runs import first_steps
from .valley_contours import ValleyContours

__all__ = ["RULES", "Explorer2D", "explorer_2d", "surface_names"]

#: Most paths drawn at once (rules x learning-rate factors).
MAX_PATHS = 12



def surface_names() -> list[str]:
    """The 2-D entries of :data:`lrlab.surfaces.SURFACES` (for the dropdown)."""
    from .. import surfaces

    return [name for name, make in surfaces.SURFACES.items()
            if name not in ("parabola", "curve_1d", "double_well") and make().dim == 2]


class Explorer2D(App):
    """Contours of a 2-D problem with the trajectories of one or several rules.

    Parameters
    ----------
    problem : str or Problem
        A name from :func:`surface_names` (dropdown) or any 2-D Problem.
    rules : sequence of str
        Names from :data:`RULES` to run (all with the same learning rate).
    lr : float
        Learning rate (log slider; from ``1e-3/L`` to ``10/L`` when the
        smoothness ``L`` is known, else from 1e-5 to 10).
    num_steps : int
        Steps per run.
    momentum : float
        Momentum of the "momentum" and "Nesterov" rules.
    kappa : float
        Condition number of the "ill_conditioned" quadratic.
    factors : sequence of float
        Run each rule at ``lr * factor`` for every factor (one batched call per
        rule), e.g. ``(0.5, 1, 2)``.
    x0 : (float, float), optional
        Start point (default: the problem's).
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    surface, rules, lr, num_steps, momentum, kappa, x, y : ipywidgets controls
        ``x``/``y`` set the start point (with ipympl, clicking the contour plot
        sets it too).
    problem : Problem
        The current problem.
    histories : dict
        Rule name -> History of that rule's runs (one per factor). After a move of
        the steps slider they are the slider's longest runs, trained once, and the
        picture shows their first ``num_steps`` steps (equal to shorter runs).
    paths, losses : list of Line2D
        Trajectory lines and loss lines, in the order of :attr:`labels`.
    labels : list of str
        What each visible line shows.

    Examples
    --------
    >>> app = Explorer2D("ill_conditioned", rules=["GD", "momentum"], lr=0.5, backend="png")
    >>> app.labels
    ['GD', 'momentum']
    >>> app.lr.value = 2.2
    >>> app.status_text.startswith("GD: diverged at step")
    True
    """

    def __init__(self, problem: str | Problem = "ill_conditioned", *,
                 rules: Any = ("GD",), lr: float | None = None, num_steps: int = 100,
                 momentum: float = 0.9, kappa: float = 10.0, factors: Any = (1.0,),
                 x0: Any = None, backend: str = "auto", figsize=(10.0, 4.3)):
        super().__init__(figsize, backend=backend)
        self._custom = problem if isinstance(problem, Problem) else None
        names = surface_names()
        if self._custom is not None:
            if self._custom.dim != 2:
                raise ValueError(f"The 'problem' parameter of Explorer2D must be a 2-D problem."
                                 f" Got dim={self._custom.dim} instead.")
            names = [self._custom.name]
            problem = self._custom.name
        elif problem not in names:
            raise ValueError(f"The 'problem' parameter of Explorer2D must be one of {names} "
                             f"or a 2-D Problem. Got {problem!r} instead.")
        self.factors = tuple(float(f) for f in factors)
        unknown = [r for r in rules if r not in RULES]
        if unknown:
            raise ValueError(f"The 'rules' parameter of Explorer2D must name rules in "
                             f"{list(RULES)}. Got {unknown!r}.")
        self.surface = W.Dropdown(options=names, value=problem, description="surface")
        self.kappa = W.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.01,
                                      description="condition κ", readout_format=".3g",
                                      style={"description_width": "initial"})
        first = self.problem = self._make_problem()
        self._surface_key = (self.surface.value, float(self.kappa.value))
        L = first.smoothness
        low, high = (1e-3 / L, 10.0 / L) if L else (1e-5, 10.0)
        if lr is None:
            lr = 1.0 / L if L else 1e-3
        self.lr = lr_slider(lr, low=low, high=high)
        self.num_steps = W.IntSlider(value=num_steps, min=5, max=500, step=5,
                                     description="steps")
        self.momentum = W.FloatSlider(value=momentum, min=0.0, max=0.99, step=0.01,
                                      description="momentum")
        self.rules = MultiToggle(available_rules(), value=tuple(rules), description="rules")
        start = first.x0 if x0 is None else np.asarray(x0, dtype=float)
        (bx0, bx1), (by0, by1) = plots.view_bounds(first, None)
        self.x = W.FloatSlider(value=float(start[0]), min=bx0, max=bx1, step=(bx1 - bx0) / 200,
                               description="start θ₁")
        self.y = W.FloatSlider(value=float(start[1]), min=by0, max=by1, step=(by1 - by0) / 200,
                               description="start θ₂")
        self._build_figure()
        self._redraw_background(first)
        controls = [self.surface, self.kappa, self.lr, self.num_steps, self.momentum,
                    self.rules, self.x, self.y]
        layout = W.VBox([self.rules,
                         W.HBox([W.VBox([self.surface, self.lr, self.num_steps, self.momentum]),
                                 W.VBox([self.kappa, self.x, self.y])])])
        self._wire(controls, layout)
        if self.canvas.backend == "ipympl":
            self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self.update()

    # ------------------------------------------------------------------ problem
    def _make_problem(self) -> Problem:
        if self._custom is not None:
            return self._custom
        from .. import surfaces

        name = self.surface.value
        if name == "ill_conditioned":
            return surfaces.ill_conditioned(kappa=float(self.kappa.value))
        return surfaces.SURFACES[name]()

    # ------------------------------------------------------------------ figure
    def _build_figure(self) -> None:
        gs = GridSpec(1, 2, figure=self.figure, width_ratios=[1.1, 1], wspace=0.25,
                      left=0.07, right=0.98, top=0.92, bottom=0.13)
        self.ax_paths = self.figure.add_subplot(gs[0, 0])
        self.ax_loss = self.figure.add_subplot(gs[0, 1])
        self.paths, self.losses = [], []
        for i in range(MAX_PATHS):
            color = plots.COLORS[i % len(plots.COLORS)]
            self.paths.append(plots.trajectory(np.zeros((0, 2)), self.ax_paths, color=color,
                                               markersize=2.5, zorder=4))
            self.losses.append(plots.loss_curve(np.zeros(0), self.ax_loss, color=color))
        (self.start_marker,) = self.ax_paths.plot([], [], "o", color=plots.COLORS[2], markersize=8,
                                                  markeredgecolor="k", zorder=5)
        self.canvas.animate(self.paths, self.losses, self.start_marker)
        # what follows a slider now and then is a cached layer of its own: the loss axes'
        # limits (steps, start point), the title (kappa) and a quadratic's contours
        # (memo: their limits are quantised, so each look is drawn once and then reused)
        self.canvas.layer(self.ax_loss.xaxis, self.ax_loss.yaxis, memo=True)
        self.title = plots.title_text(self.ax_paths, fontsize=10)  # shown for ax_paths.title
        self.ax_paths.title.set_visible(False)
        # a quadratic's contours: ellipses made once (on a stand-in, hidden until a quadratic
        # shows them) and moved in place, in one layer with the title (kappa moves both)
        from ..surfaces import ill_conditioned

        self.ellipses = plots.ellipse_contours(ill_conditioned(), self.ax_paths)
        self._contours = ValleyContours(self.ellipses)
        for artist in self.ellipses:
            artist.set_visible(False)
        self.canvas.layer(self.ellipses, self.title)
        ticks_in_view(self.ax_paths.xaxis, self.ax_paths.yaxis, self.ax_loss.xaxis,
                      self.ax_loss.yaxis)
        self.labels: list[str] = []
        self._loss_view = (None, None, None)
        self._trained: tuple = (None, 0, {})  # (what the runs depend on, length, runs)

    def _redraw_background(self, problem: Problem) -> None:
        """Contours and title: only when the surface (or kappa) changes.

        A quadratic's contours are ellipses moved in place (:mod:`lrlab.plots.ellipses`,
        :mod:`lrlab.apps.valley_contours`) in one cached layer with the title: a
        new kappa redraws that layer, not the axes. Other surfaces get grid contours, drawn
        into the contour axes' part of the background (the ellipses, made once,
        are hidden meanwhile): a new surface redraws that axes, not the figure.
        """
        ax = self.ax_paths
        ax.set_title(problem.name, fontsize=10)
        self.title.set_text(problem.name)
        quadratic = is_quadratic_2d(problem)
        bounds = plots.view_bounds(problem)
        same_view = np.allclose(np.ravel(bounds), ax.get_xlim() + ax.get_ylim())
        if quadratic and self.ellipses[0].get_visible() and same_view:
            self._contours.move(problem)
            self.canvas.invalidate(self.ellipses[0], self.title)
            return
        keep = set(self.paths) | {self.start_marker, self.title, *self.ellipses}
        for artist in list(ax.collections) + list(ax.lines) + list(ax.texts):
            if artist not in keep:
                artist.remove()
        for artist in self.ellipses:
            artist.set_visible(quadratic)  # hidden: no static artist counts as drawn over them
        if quadratic:
            self._contours.move(problem)
            ax.set_xlim(*bounds[0])
            ax.set_ylim(*bounds[1])
            m = np.asarray(problem.minima)  # as plots.contours marks it
            ax.plot(m[:, 0], m[:, 1], "*", color="#222", markersize=11, zorder=3,
                    label="minimum")
        else:
            plots.contours(problem, ax)
        self.canvas.invalidate(ax, self.ellipses[0])

    # ------------------------------------------------------------------ update
    def _update(self) -> None:
        surface_key = (self.surface.value, float(self.kappa.value))
        if surface_key != getattr(self, "_surface_key", None):
            changed_surface = surface_key[0] != getattr(self, "_surface_key", (None,))[0]
            self.problem = self._make_problem()
            self._surface_key = surface_key
            if changed_surface:
                self._reset_ranges(self.problem)
            self._redraw_background(self.problem)
        self._needs(self.kappa, self.surface.value == "ill_conditioned",
                    "only the ill_conditioned surface has a condition number")
        self._needs(self.momentum, any(r in ("momentum", "Nesterov") for r in self.rules.value),
                    "no selected rule uses momentum: select momentum or Nesterov")
        problem = self.problem
        lr, T = float(self.lr.value), int(self.num_steps.value)
        mom = float(self.momentum.value)
        x0 = np.array([self.x.value, self.y.value], dtype=float)
        lrs = lr * np.asarray(self.factors)
        names = list(self.rules.value)[: MAX_PATHS // len(self.factors)]
        key = (self._surface_key, lr, mom, tuple(x0), tuple(names))
        old_key, length, histories = self._trained
        if key != old_key or T > length:
            # a steps move trains the slider's longest runs once; later moves slice them
            length = max(T, int(self.num_steps.max)) if key == old_key else T
            histories = train_rules(problem, names, lrs, mom, length, x0)
            self._trained = (key, length, histories)
        self.histories = histories
        runs = []
        for name in names:
            for j, factor in enumerate(self.factors):
                label = name if len(self.factors) == 1 else f"{name}, lr×{factor:g}"
                h = histories[name][j]
                runs.append((label, h if length == T else first_steps(h, T)))
        self._draw_runs(runs, problem, x0, T)

    def _draw_runs(self, runs: list, problem: Problem, x0: np.ndarray, T: int) -> None:
        f_star = problem.f_star
        labels = [label for label, _ in runs]
        gaps = []
        for i, (path, loss) in enumerate(zip(self.paths, self.losses, strict=True)):
            if i < len(runs):
                h = runs[i][1]
                plots.set_trajectory(path, h.params)
                plots.set_loss_curve(loss, h.loss, f_star=f_star)
                gaps.append(loss.get_ydata())
                path.set_visible(True)
                loss.set_visible(True)
                path.set_label(labels[i])
            else:
                path.set_visible(False)
                loss.set_visible(False)
        self.start_marker.set_data([x0[0]], [x0[1]])
        # Fixed window below the start's gap: curves compare across slider moves, and
        # the axis (part of the cached background) changes only with the start point.
        start_gap = np.concatenate([g[:1] for g in gaps]) if gaps else []
        top = plots.decade_limits(start_gap, min_decades=0)[1]
        ylim = (top * 1e-10, top * 1e2)
        ax = self.ax_loss
        ylabel = r"$f(\theta_t) - f^\star$" if f_star is not None else "loss"
        if ylabel != ax.get_ylabel():  # the label belongs to the y axis' layer
            ax.set_ylabel(ylabel)
            ax.set_title("loss", fontsize=10)
            self.canvas.invalidate(ax, ax.yaxis)
        old_T, old_ylim, old_labels = self._loss_view
        if T != old_T:  # 1-2-5 steps wide: a few looks of the axis, each cached
            ax.set_xlim(0, nice_ceiling(T))
            self.canvas.invalidate(ax.xaxis)
        if ylim != old_ylim:
            ax.set_ylim(*ylim)
            self.canvas.invalidate(ax.yaxis)
        if labels != old_labels:  # the legend is drawn over the paths from a layer
            leg = self.ax_paths.get_legend()
            if leg is not None:
                leg.remove()
            if labels:
                self.ax_paths.legend(handles=self.paths[: len(labels)], loc="upper right",
                                     fontsize=8, framealpha=0.85)
        self._loss_view = (T, ylim, labels)
        self.labels = labels
        parts = []
        for label, h in runs:
            steps = np.diff(h.params, axis=0)
            parts.append(f"{label}: {describe_run(h, f_star=f_star, steps=steps)}")
        worst = ("bad" if any(h.diverged for _, h in runs) else
                 "ok" if all("converged" in p for p in parts) else "warn")
        self._set_status(" · ".join(parts) if parts else "select a rule", worst)
        self.canvas.render()

    def _reset_ranges(self, problem: Problem) -> None:
        """New surface: start at its x0, bound the start sliders, fit the lr range to L."""
        (bx0, bx1), (by0, by1) = plots.view_bounds(problem, None)
        L = problem.smoothness
        low, high = (1e-3 / L, 10.0 / L) if L else (1e-5, 10.0)
        # each control in one message with its final range and value (no echo to undo)
        for slider, (a, b), v in ((self.x, (bx0, bx1), problem.x0[0]),
                                  (self.y, (by0, by1), problem.x0[1])):
            self._set_control(slider, min=a, max=b, value=float(v), step=(b - a) / 200)
        self._set_control(self.lr, min=float(np.log10(low)), max=float(np.log10(high)),
                          value=1.0 / L if L else 1e-3)

    def _on_click(self, event: Any) -> None:
        """ipympl only: a click on the contour plot moves the start point."""
        if event.inaxes is self.ax_paths and event.xdata is not None:
            with self._silence():
                self.x.value = float(event.xdata)
            self.y.value = float(event.ydata)


def explorer_2d(problem: str | Problem = "ill_conditioned", **kwargs: Any) -> Explorer2D:
    """Build a :class:`Explorer2D` (display it by leaving it last in a cell)."""
    return Explorer2D(problem, **kwargs)
