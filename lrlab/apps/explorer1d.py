"""The 1-D explorer: gradient descent on a parabola (or a curve), step by step.

Four panels, one idea: one gradient step multiplies the distance to the
minimum by ``1 - lr * L`` on a parabola of curvature ``L``.

* the curve with the iterates and the steps between them;
* the *cobweb* of the iteration map ``g(x) = x - lr f'(x)`` against ``y = x``:
  a slope of ``g`` between 0 and 1 walks down a staircase, between -1 and 0
  spirals in, below -1 spirals out;
* the distance to the minimum ``|x_t - x*|`` on a log scale: a straight line
  whose slope is ``log|1 - lr L|``;
* the learning-rate axis in units of ``lr * L``, shaded by regime, with the
  current value marked.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..rules import sgd
from ..trainer import train
from .base import App, describe_run, lr_slider
from .explorer_ticks import ticks_in_view

__all__ = ["Explorer1D", "explorer_1d", "make_problem_1d"]

KINDS = ("parabola", "curve")
#: The first steps are drawn as arrows; later ones as segments and dots.
N_ARROWS = 10


def make_problem_1d(kind: str = "parabola", curvature: float = 1.0, x0: float = 2.5):
    """The 1-D problem the explorer runs on: ``'parabola'`` or ``'curve'`` (non-quadratic)."""
    from .. import surfaces

    if kind == "parabola":
        return surfaces.parabola(curvature=curvature, x0=[x0])
    if kind == "curve":
        return surfaces.curve_1d(x0=[x0])
    raise ValueError(f"The 'kind' parameter of make_problem_1d must be one of {KINDS}. "
                     f"Got {kind!r} instead.")


def nice_ceiling(value: float, mantissas: tuple[float, ...] = (1.0, 2.0, 5.0)) -> float:
    """The smallest ``m * 10**k >= value`` with ``m`` in ``mantissas`` (``value > 0``).

    Axis limits that follow a slider take these values only, so each look of
    the axis is drawn once and then reused from a cached layer.

    >>> nice_ceiling(7.2), nice_ceiling(7.2, (1.0, 3.0)), nice_ceiling(30.0)
    (10.0, 10.0, 50.0)
    """
    k = np.floor(np.log10(value))
    for m in (*mantissas, 10.0):
        top = float(m * 10.0**k)
        if top >= value * (1 - 1e-12):
            return top
    return float(10.0 ** (k + 1))  # pragma: no cover - 10 * 10**k always fits


def local_curvature(problem: Any, x: float) -> float:
    """Second derivative of a 1-D problem at ``x`` (exact Hessian when it has one)."""
    return float(np.asarray(problem.hessian(np.array([x]))).reshape(-1)[0])


class Explorer1D(App):
    """Gradient descent on a 1-D curve with learning-rate and curvature sliders.

    Parameters
    ----------
    kind : {'parabola', 'curve'}
        A parabola ``f = L/2 x^2`` or a non-quadratic curve (``surfaces.curve_1d``).
    lr : float
        Starting learning rate.
    curvature : float
        ``L`` of the parabola (ignored by the curve, whose curvature varies).
    num_steps : int
        Number of gradient steps.
    x0 : float
        Start point.
    backend : {'auto', 'png', 'ipympl'}
        How to show the figure (see :class:`lrlab.apps.render.Canvas`).

    Attributes
    ----------
    lr, curvature, num_steps, x0, kind : ipywidgets controls
    history : History
        The last run.
    L : float
        Curvature at the minimum (the ``L`` of the regimes).
    artists : dict
        The moving artists: ``'steps'``, ``'dots'``, ``'map'``, ``'cobweb'``,
        ``'error'``, ``'marker'``, ``'marker_text'``.

    Examples
    --------
    >>> app = Explorer1D(lr=0.5, backend="png")
    >>> app.status_text.split(".")[0]
    'converged in 10 steps'
    >>> app.lr.value = 1.5; app.status_text.split(".")[0]
    'converged in 10 steps (oscillating)'
    >>> app.lr.value = 2.1; app.status_text.split(".")[0]
    'diverging: loss is growing'
    """

    def __init__(self, kind: str = "parabola", *, lr: float = 0.3, curvature: float = 1.0,
                 num_steps: int = 30, x0: float = 2.5, backend: str = "auto"):
        super().__init__((10.0, 6.2), backend=backend)
        self.kind = W.ToggleButtons(options=KINDS, value=kind, description="curve",
                                    style={"button_width": "80px"})
        self.lr = lr_slider(lr, low=1e-3, high=10.0)
        self.curvature = W.FloatLogSlider(value=curvature, base=10, min=-1, max=1, step=0.01,
                                          description="curvature L", readout_format=".3g",
                                          style={"description_width": "initial"})
        self.num_steps = W.IntSlider(value=num_steps, min=1, max=100, description="steps")
        self.x0 = W.FloatSlider(value=x0, min=-3.0, max=3.0, step=0.05, description="start x0")
        self._build_figure()
        layout = W.VBox([W.HBox([self.kind, self.lr]),
                         W.HBox([self.curvature, self.num_steps, self.x0])])
        self._wire([self.kind, self.lr, self.curvature, self.num_steps, self.x0], layout)
        self._static_kind = self._curve_key = self._steps_shown = None
        self.update()

    # ------------------------------------------------------------------ figure
    def _build_figure(self) -> None:
        fig = self.figure
        gs = GridSpec(2, 2, figure=fig, height_ratios=[3, 1.6], hspace=0.45, wspace=0.25,
                      left=0.07, right=0.98, top=0.93, bottom=0.09)
        self.ax_curve = fig.add_subplot(gs[0, 0])
        self.ax_cobweb = fig.add_subplot(gs[0, 1])
        self.ax_error = fig.add_subplot(gs[1, 0])
        self.ax_regime = fig.add_subplot(gs[1, 1])
        a = self.artists = {}
        # the curve moves with L (animated): a new curvature redraws the curve's axes alone
        (a["curve"],) = self.ax_curve.plot([], [], color="#333", linewidth=2)
        self.ax_curve.set_xlabel(r"$\theta$")
        self.ax_curve.set_ylabel(r"$f(\theta)$")
        a["steps"], a["dots"] = plots.steps_1d([], [], self.ax_curve)
        (a["start"],) = self.ax_curve.plot([], [], "o", color=plots.COLORS[2], markeredgecolor="k",
                                           markersize=7, zorder=6)
        (a["map"],) = self.ax_cobweb.plot([], [], color=plots.COLORS[0], linewidth=2,
                                          label=r"$g(x) = x - \eta f'(x)$")
        a["cobweb"] = plots.cobweb([], self.ax_cobweb)
        self.ax_error.set_xlabel("step $t$")
        self.ax_error.set_ylabel(r"$|x_t - x^\star|$")
        self.ax_error.grid(alpha=0.3)
        self.ax_error.set_yscale("log")
        self.ax_error.set_ylim(1e-9, 1e3)  # fixed, so slopes compare across runs
        zero = np.zeros(N_ARROWS)
        a["arrows"] = self.ax_curve.quiver(zero, zero, zero, zero, angles="xy",
                                           scale_units="xy", scale=1, color=plots.COLORS[1],
                                           width=0.006, headwidth=4, headlength=5,
                                           minlength=0, zorder=5)
        (a["error"],) = self.ax_error.plot([], [], "o-", color=plots.COLORS[1], markersize=3)
        plots.stability_regimes(self.ax_regime, 1.0)
        self.ax_regime.set_xlabel(r"$\eta \times L$  (learning rate in units of $1/L$)")
        a["marker"] = self.ax_regime.axvline(0.5, color="k", linewidth=2.5)
        a["marker_text"] = self.ax_regime.text(0.5, 0.12, "", ha="center", fontsize=9,
                                               transform=self.ax_regime.get_xaxis_transform(),
                                               bbox={"facecolor": "white", "alpha": 0.85,
                                                     "edgecolor": "none", "pad": 1.5})
        self.canvas.animate(a["curve"], a["steps"], a["dots"], a["start"], a["map"],
                            a["cobweb"], a["error"], a["marker"], a["marker_text"],
                            a["arrows"])
        # the axes that follow a slider (y with L, the step axis with the steps) are layers
        # of their own: moving them redraws one axis, not the figure
        # (memo: their limits are quantised, nice_ceiling, and each look is drawn once)
        self.canvas.layer(self.ax_curve.yaxis, self.ax_error.xaxis, memo=True)
        ticks_in_view(*(axis for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)))

    def _redraw_static(self, problem: Any, xs: tuple[float, float]) -> None:
        """Titles, diagonal and x limits: redrawn only when the kind of curve changes.

        Only the curve and cobweb panels depend on the kind: a new kind redraws
        those two axes, not the figure.
        """
        ax = self.ax_curve
        ax.set_xlim(*xs)
        ax.set_title(f"{problem.name}: the steps", fontsize=10)
        axc = self.ax_cobweb
        for line in list(axc.lines):
            if line is not self.artists["map"] and line is not self.artists["cobweb"]:
                line.remove()
        axc.plot(xs, xs, color="#888", linewidth=1, linestyle="--", label="$y = x$")
        axc.axhline(self.x_star, color="#bbb", linewidth=0.8)
        axc.set_xlim(*xs)
        axc.set_ylim(*xs)
        axc.set_xlabel(r"$x_t$")
        axc.set_ylabel(r"$x_{t+1}$")
        axc.set_title("cobweb of the iteration map", fontsize=10)
        axc.legend(loc="upper left", fontsize=8)
        # the two panels drawn in x: the error and regime panels' background stays
        self.canvas.invalidate(ax, axc)

    def _draw_curve(self, problem: Any, xs: tuple[float, float]) -> None:
        """The graph of the loss and a y range that fits it (only the y axis redrawn).

        A parabola's top is a half decade (1 or 3 times a power of ten) above its
        highest point: a steeper bowl looks steeper, and an L seen before reuses
        its axis. (The curve does not change: its range fits it.)
        """
        x = np.linspace(*xs, 400)
        with np.errstate(all="ignore"):
            y = np.asarray(problem.loss(x[:, None]), dtype=float)
        self.artists["curve"].set_data(x, y)
        lo, hi = float(y.min()), float(y.max())
        if self.kind.value == "parabola":  # lo = 0: the view holds the minimum
            top = nice_ceiling(1.02 * hi, (1.0, 3.0))
            self.ax_curve.set_ylim(-0.05 * top, top)
        else:
            self.ax_curve.set_ylim(lo - 0.05 * (hi - lo), 1.02 * hi)
        self.canvas.invalidate(self.ax_curve.yaxis)

    # ------------------------------------------------------------------ update
    def _update(self) -> None:
        kind, lr, T = self.kind.value, float(self.lr.value), int(self.num_steps.value)
        self._needs(self.curvature, kind == "parabola",
                    "the curve's curvature varies along it: pick the parabola")
        problem = make_problem_1d(kind, float(self.curvature.value), float(self.x0.value))
        self.problem = problem
        minima = np.asarray(problem.minima, dtype=float).reshape(-1)
        x0 = float(self.x0.value)
        h = train(problem, sgd(lr), T, x0=[x0])
        self.history = h
        x = h.params[:, 0]
        last = x[np.isfinite(x)][-1]
        self.x_star = float(minima[np.argmin(np.abs(minima - last))])
        self.L = local_curvature(problem, self.x_star)
        if kind != self._static_kind:  # the view's x range is the first start's bounds
            self._xs = (-3.2, 3.2) if problem.bounds is None else tuple(problem.bounds[0])
            self._redraw_static(problem, self._xs)
            self._static_kind, self._curve_key, self._steps_shown = kind, None, None
        xs = self._xs
        if (kind, float(self.curvature.value)) != self._curve_key:
            self._draw_curve(problem, xs)
            self._curve_key = (kind, float(self.curvature.value))
        if T != self._steps_shown:  # 1-2-5 steps wide: a few looks of the axis, each cached
            self.ax_error.set_xlim(-0.5, max(nice_ceiling(T), 5.0) + 0.5)
            self.canvas.invalidate(self.ax_error.xaxis)
            self._steps_shown = T
        a = self.artists
        with np.errstate(all="ignore"):
            fx = np.asarray(problem.loss(x[:, None]), dtype=float)
            grid = np.linspace(*xs, 300)
            gmap = grid - lr * np.asarray(problem.grad(grid[:, None]))[:, 0]
        plots.set_steps_1d((a["steps"], a["dots"]), x, fx)
        a["start"].set_data([x0], [fx[0]])
        self._set_arrows(x, fx)
        a["map"].set_data(grid, gmap)
        plots.set_cobweb(a["cobweb"], x)
        err = np.abs(x - self.x_star)
        a["error"].set_data(np.arange(T + 1), np.where(err > 0, err, np.nan))
        r = lr * self.L
        a["marker"].set_xdata([min(r, 2.97)])
        a["marker_text"].set_position((min(r, 2.55), 0.12))
        a["marker_text"].set_text(f"ηL = {r:.3g}" + (" →" if r > 2.97 else ""))
        text = describe_run(h, f_star=problem.f_star, steps=np.diff(h.params, axis=0))
        regime = "monotone" if r <= 1 else "oscillating" if r < 2 else "diverging"
        where = "" if kind == "parabola" else " near the minimum"
        self._set_status(f"{text}. η·L = {r:.3g}: {regime} regime{where} "
                         f"(factor 1 − ηL = {1 - r:.3g} per step).",
                         "bad" if h.diverged or r >= 2 else "warn" if r > 1 else "ok")
        self.canvas.render()

    def _set_arrows(self, x: np.ndarray, fx: np.ndarray) -> None:
        """The first N_ARROWS steps as arrows (zero-length, hence invisible, when absent)."""
        n = min(N_ARROWS, len(x) - 1)
        pts = np.zeros((N_ARROWS + 1, 2))
        pts[: n + 1] = np.column_stack([x[: n + 1], fx[: n + 1]])
        ok = np.all(np.isfinite(pts), axis=1)
        delta = np.diff(pts, axis=0)
        good = ok[:-1] & ok[1:] & (np.arange(N_ARROWS) < n)
        delta[~good] = 0.0
        start = np.where(good[:, None], pts[:-1], 0.0)
        self.artists["arrows"].set_offsets(start)
        self.artists["arrows"].set_UVC(delta[:, 0], delta[:, 1])


def explorer_1d(kind: str = "parabola", **kwargs: Any) -> Explorer1D:
    """Build a :class:`Explorer1D` (display it by leaving it last in a cell)."""
    return Explorer1D(kind, **kwargs)
