"""Per-coordinate learning rates made visible: the adaptive-rates app.

A 2-D ill-conditioned quadratic (optionally tilted), one rule, one run. A
step slider walks along the trajectory; at the chosen step the app shows

* on the contours: the direction of the step the rule took (orange arrow)
  next to the direction of the plain negative gradient (grey arrow), both
  drawn with the same fixed length -- the angle between them is what
  per-coordinate rates buy;
* bars: each coordinate's effective learning rate at that step, with ticks
  at :math:`1/H_{ii}` (the rate that would solve that coordinate in one step
  if the valley were aligned with the axes);
* the effective rates over the whole run (log scale).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..rules import (
    Rule,
    adadelta,
    adagrad,
    adam,
    dog,
    effective_lr,
    ftrl,
    parabola,
    rmsprop,
    sgd,
)
from ..trainer import train
from .base import App, describe_run, lr_slider
from .explorer1d import nice_ceiling
from .log_ticks import light_log_axis
from .valley_contours import ValleyContours

__all__ = ["ADAPTIVE_RULES", "AdaptiveRates", "adaptive_rates"]

#: Rule name -> (``make(lr) -> Rule``, a reasonable lr on the default valley, or None
#: for a rule without a learning rate).
ADAPTIVE_RULES: dict[str, tuple[Callable[[float], Rule], float | None]] = {
    "GD": (sgd, 0.9),
    "Adagrad": (adagrad, 0.5),
    "RMSprop": (rmsprop, 0.05),
    "Adadelta": (adadelta, 1.0),
    "Adam": (adam, 0.1),
    "FTRL": (ftrl, 1.0),
    "Online parabola": (lambda lr: parabola(warmup_lr=0.05), None),
    "DoG": (dog, 1.0),
}


class AdaptiveRates(App):
    """One rule on a 2-D valley, with its per-coordinate rates at every step.

    Parameters
    ----------
    rule : str
        A name in :data:`ADAPTIVE_RULES`.
    lr : float, optional
        Learning rate (the rule's default from :data:`ADAPTIVE_RULES` if omitted).
    kappa : float >= 1
        Condition number of the valley (its steep curvature is 1).
    tilt : float
        Angle of the valley's axes in degrees: 0 aligns them with the
        coordinates (where per-coordinate rates help most).
    num_steps : int
    step : int
        The step shown by the arrows and bars.
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    rule, lr, kappa, tilt, num_steps, step : ipywidgets controls
    problem : Problem
    history : History
        The run (params and states recorded).
    rates : ndarray, shape (num_steps, 2)
        Effective per-coordinate rate of every step.
    path, point, step_arrow, grad_arrow, bars, ideal, rate_lines, marker : artists

    Examples
    --------
    >>> app = AdaptiveRates("Adagrad", kappa=20, tilt=0, backend="png")
    >>> r = app.rates[5]
    >>> bool(r[0] > r[1])      # the flat coordinate gets the larger rate
    True
    >>> app.rule.value = "GD"
    >>> float(app.rates[5, 0]) == float(app.rates[5, 1])
    True
    """

    def __init__(self, rule: str = "Adagrad", *, lr: float | None = None, kappa: float = 20.0,
                 tilt: float = 0.0, num_steps: int = 60, step: int = 5,
                 backend: str = "auto", figsize=(11.0, 3.9)):
        super().__init__(figsize, backend=backend)
        if rule not in ADAPTIVE_RULES:
            raise ValueError(f"The 'rule' parameter of AdaptiveRates must be one of "
                             f"{list(ADAPTIVE_RULES)}. Got {rule!r} instead.")
        default = ADAPTIVE_RULES[rule][1]
        self.rule = W.Dropdown(options=list(ADAPTIVE_RULES), value=rule, description="rule")
        self.lr = lr_slider(lr if lr is not None else (default or 0.1), low=1e-4, high=10.0)
        self.kappa = W.FloatLogSlider(value=kappa, base=10, min=0, max=3, step=0.01,
                                      description="condition κ", readout_format=".3g",
                                      style={"description_width": "initial"})
        self.tilt = W.FloatSlider(value=tilt, min=0, max=90, step=1, description="tilt (°)")
        self.num_steps = W.IntSlider(value=num_steps, min=5, max=300, step=5,
                                     description="steps")
        self.step = W.IntSlider(value=min(step, num_steps - 1), min=0, max=num_steps - 1,
                                description="show step t")
        self._build_figure()
        controls = [self.rule, self.lr, self.kappa, self.tilt, self.num_steps, self.step]
        layout = W.HBox([W.VBox([self.rule, self.lr, self.step]),
                         W.VBox([self.kappa, self.tilt, self.num_steps])])
        self._wire(controls, layout)
        self._run_key = None
        self._axes_key = None
        self.update()

    # ------------------------------------------------------------------ figure
    def _build_figure(self) -> None:
        gs = GridSpec(1, 3, figure=self.figure, width_ratios=[1.15, 0.55, 1.0], wspace=0.38,
                      left=0.06, right=0.98, top=0.9, bottom=0.14)
        self.ax_path = self.figure.add_subplot(gs[0, 0])
        self.ax_bars = self.figure.add_subplot(gs[0, 1])
        self.ax_rates = self.figure.add_subplot(gs[0, 2])
        self.path = plots.trajectory(np.zeros((0, 2)), self.ax_path, color=plots.COLORS[0],
                                     markersize=2.5, zorder=4, alpha=0.8)
        (self.point,) = self.ax_path.plot([], [], "o", color="k", markersize=6, zorder=7)
        zero = np.zeros((1, 2))
        self.grad_arrow = plots.arrows(zero, zero, self.ax_path, color="#777777",
                                            label="−gradient direction")
        self.step_arrow = plots.arrows(zero, zero, self.ax_path, color=plots.COLORS[1],
                                            label="the rule's step direction")
        self.bars = plots.rate_bars([1.0, 1.0], self.ax_bars, labels=["θ₁", "θ₂"],
                                         ylim=(1e-3, 1e2))
        (self.ideal,) = self.ax_bars.plot([0, 1], [1, 1], "_", color="k", markersize=28,
                                          markeredgewidth=2, label=r"$1/H_{ii}$")
        self.ax_bars.legend(loc="upper center", fontsize=8, framealpha=0.9)
        self.ax_bars.set_title("rates at step t", fontsize=10)
        self.rate_lines = [self.ax_rates.plot([], [], color=plots.COLORS[i], lw=1.6,
                                              label=f"θ{'₁₂'[i]}")[0] for i in range(2)]
        self.marker = self.ax_rates.axvline(0, color="k", lw=0.8, ls=":")
        self.ax_rates.set_yscale("log")
        # the same picture with 5 ticks built instead of 55 (the minor ones: one artist)
        self._minor_marks = [light_log_axis(ax.yaxis) for ax in (self.ax_rates, self.ax_bars)]
        self.ax_rates.set_xlabel("step $t$")
        self.ax_rates.set_ylabel("effective learning rate")
        self.ax_rates.set_title("per-coordinate rates over the run", fontsize=10)
        self.ax_rates.legend(loc="upper right", fontsize=8)
        self.canvas.animate(self.path, self.point, self.grad_arrow, self.step_arrow,
                            list(self.bars), self.ideal, self.rate_lines, self.marker)
        # what the sliders move now and then is a cached layer of its own: the rate axes
        # (lr, steps), the valley's contours and title (kappa, tilt)
        # (memo: each look of an axis is drawn once; their limits take a few values only)
        self.canvas.layer(self.ax_rates.xaxis, self.ax_rates.yaxis, self.ax_bars.yaxis,
                          self.ax_path.xaxis, self.ax_path.yaxis, memo=True)
        for marks in self._minor_marks:  # a layer each (they follow the rate axes' limits)
            self.canvas.layer(marks)
        self.title = plots.title_text(self.ax_path, fontsize=10)  # shown for ax_path.title
        self.ax_path.title.set_visible(False)
        self.ellipses = None

    # ------------------------------------------------------------------ update
    def _make_problem(self):
        from .. import surfaces

        return surfaces.ill_conditioned(kappa=float(self.kappa.value),
                                        angle=np.deg2rad(float(self.tilt.value)))

    def _update(self) -> None:
        name = self.rule.value
        make, default = ADAPTIVE_RULES[name]
        run_key = (name, float(self.lr.value), float(self.kappa.value), float(self.tilt.value),
                   int(self.num_steps.value))
        if run_key != self._run_key:
            if self._run_key is not None and name != self._run_key[0] and default is not None:
                self._set_control(self.lr, value=default)  # new rule: its usual lr
                run_key = (name, float(self.lr.value), *run_key[2:])
            self._run(make, run_key)
        self._needs(self.lr, default is not None, f"{name} has no learning rate")
        self._draw(int(self.step.value))

    def _run(self, make, run_key) -> None:
        self._run_key = run_key
        T = run_key[-1]
        self._set_control(self.step, max=T - 1)
        if run_key[2:4] != getattr(self, "_surface_key", None):
            self.problem = self._make_problem()
            self._surface_key = run_key[2:4]
            self._draw_valley(run_key[2], run_key[3])
        rule = make(float(self.lr.value))
        self.history = train(self.problem, rule, T, record_params=True, record_state=True)
        states = self.history.states[1:]
        self.rates = np.array([np.broadcast_to(effective_lr(rule, s), (2,)) for s in states])
        self._label = rule.name
        steps = np.diff(self.history.params, axis=0)
        text = describe_run(self.history, f_star=self.problem.f_star, steps=steps)
        kind = "bad" if self.history.diverged else "ok" if "converged" in text else "warn"
        self._run_text, self._run_kind = f"{rule.name}: {text}", kind

    def _draw_valley(self, kappa: float, tilt: float) -> None:
        """The valley's contours (ellipses, moved in place) and title: their layers alone.

        The view is the same at every tilt (the one that holds the start point
        at 45°, where it is widest), so a tilt or a kappa never moves an axis.
        """
        ax = self.ax_path
        title = f"valley κ = {kappa:.3g}, tilt {tilt:.0f}°"
        ax.set_title(title, fontsize=10)
        self.title.set_text(title)
        if self.ellipses is not None:
            self._contours.move(self.problem)  # as plots.set_ellipse_contours
            self.canvas.invalidate(self.ellipses[0], self.title)
            return
        keep = {self.path, self.point, self.grad_arrow, self.step_arrow}
        for artist in list(ax.collections) + list(ax.lines):
            if artist not in keep:
                artist.remove()
        from .. import surfaces

        widest = surfaces.ill_conditioned(kappa=kappa, angle=np.pi / 4)
        self.ellipses = plots.ellipse_contours(self.problem, ax,
                                               bounds=plots.view_bounds(widest))
        self._contours = ValleyContours(self.ellipses)
        self.canvas.layer(self.ellipses, self.title)  # one layer: they change together
        m = np.asarray(self.problem.minima)  # as plots.contours marks it
        (self.star,) = ax.plot(m[:, 0], m[:, 1], "*", color="#222", markersize=11, zorder=3,
                               label="minimum")
        ax.legend(handles=[self.grad_arrow, self.step_arrow], loc="lower left", fontsize=7,
                  framealpha=0.85)
        self.canvas.invalidate()

    def _draw(self, t: int) -> None:
        h, rates = self.history, self.rates
        T = len(rates)
        t = min(t, T - 1)
        plots.set_trajectory(self.path, h.params)
        p = h.params
        here, nxt = p[t], p[t + 1]
        step = nxt - here
        g = self.problem.grad(here) if np.all(np.isfinite(here)) else np.full(2, np.nan)
        length = 0.22 * np.diff(self.ax_path.get_xlim())[0]  # directions, one fixed length
        self.point.set_data([here[0]], [here[1]])
        plots.set_arrows(self.step_arrow, here, _direction(step) * length)
        plots.set_arrows(self.grad_arrow, here, _direction(-g) * length)
        plots.set_rate_bars(self.bars, rates[t])
        A = self.problem.hessian(np.zeros(2))
        self.ideal.set_data([0, 1], 1.0 / np.diag(A))
        x = np.arange(T)
        for i, line in enumerate(self.rate_lines):
            line.set_data(x, rates[:, i])
        self.marker.set_xdata([t, t])
        lims = _even_decades(plots.decade_limits(
            np.concatenate([rates.ravel(), 1.0 / np.diag(A)]), min_decades=2))
        old_T, old_lims = self._axes_key or (None, None)
        if T != old_T:  # 1-2-5 steps wide: a few looks of the axis, each cached
            self.ax_rates.set_xlim(0, nice_ceiling(max(T - 1, 1)))
            self.canvas.invalidate(self.ax_rates.xaxis)
        if lims != old_lims:  # the bars stand on the new bottom
            self.ax_rates.set_ylim(*lims)
            self.ax_bars.set_ylim(*lims)
            self.bars._lrlab_bottom = lims[0]
            for bar in self.bars:
                bar.set_y(lims[0])
            plots.set_rate_bars(self.bars, rates[t])
            self.canvas.invalidate(self.ax_rates.yaxis, self.ax_bars.yaxis, *self._minor_marks)
        self._axes_key = (T, lims)
        r = rates[t]
        ratio = r[0] / r[1] if np.all(np.isfinite(r)) and r[1] > 0 else np.nan
        self._set_status(f"{self._run_text} · step {t}: rates θ₁ {r[0]:.3g}, θ₂ {r[1]:.3g} "
                         f"(ratio {ratio:.3g})", self._run_kind)
        self.canvas.render()


def _even_decades(lims: tuple[float, float]) -> tuple[float, float]:
    """Widen decade limits to even powers of ten: the rate axes change half as often."""
    lo, hi = np.log10(lims)
    lo, hi = 2 * np.floor(lo / 2 + 1e-9), 2 * np.ceil(hi / 2 - 1e-9)
    return (float(10.0**lo), float(10.0**hi))


def _direction(v: np.ndarray) -> np.ndarray:
    n = float(np.linalg.norm(v))
    return v / n if np.isfinite(n) and n > 0 else np.zeros_like(v)


def adaptive_rates(rule: str = "Adagrad", **kwargs: Any) -> AdaptiveRates:
    """Build an :class:`AdaptiveRates` app (display it by leaving it last in a cell)."""
    return AdaptiveRates(rule, **kwargs)
