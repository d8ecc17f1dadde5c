"""Sharp or flat? The basin-map app on the double well.

Left: the double well (a sharp minimum at -1, a flat one at +1, equal
depth) with the gradient-descent iterates from one start point at one
learning rate. Right: the basin map -- for *every* start point (across) and
learning rate (up) at once, the minimum gradient descent ends in -- with
the chosen pair marked and the two stability limits :math:`2/k_s` and
:math:`2/k_f` drawn. Above :math:`2/k_s` no start ends in the sharp
minimum. Gradient noise turns the map into "where runs end up most often".
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..basins import DIVERGED, UNSETTLED, BasinMap, basin_map, final_points
from ..rules import sgd
from ..trainer import train
from .background import Precompute
from .base import App, lr_slider
from .log_ticks import light_log_axis

__all__ = ["BasinExplorer", "basin_explorer"]

_NAMES = ("the sharp minimum", "the flat minimum")
#: Iterates drawn on the curve (the start and the first 79 steps).
_SHOWN = 80
_MAPS_KEPT = 16   # basin maps kept per app (0.26 MB each)
_NEARBY = 3      # noise levels mapped in the background either side of the one shown


class BasinExplorer(App):
    """Gradient descent on the double well, one run and the whole basin map.

    Parameters
    ----------
    lr : float
        Learning rate of the single run (log slider, 0.01 to 3).
    start : float
        Its start point.
    sharp_curvature : float
        Curvature of the sharp minimum (the flat one has curvature 1).
    noise : float
        Standard deviation of the gradient noise (0: plain gradient descent).
    precompute : bool
        Map the noise levels next to the one shown (up to three slider steps
        either side) on a background thread that gives way to every control
        (:mod:`lrlab.apps.background`): releasing the noise slider a few steps
        away then redraws from a kept map instead of running 16,500 runs.
    num_steps : int
        Steps of every run.
    resolution : (int, int)
        Basin map size: (learning rates, start points).
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    lr, start, sharpness, noise : controls
    problem : DoubleWell
    map : BasinMap
        The current basin map.
    fate : int
        Label of the single run (0 sharp, 1 flat, -1 not settled, -2 diverged).
    steps, dots, mesh, cursor, limits : artists

    Examples
    --------
    >>> app = BasinExplorer(lr=0.05, start=-1.5, backend="png")
    >>> app.fate
    0
    >>> app.lr.value = 0.5        # above 2/20: thrown out of the sharp well
    >>> app.fate, app.status_text.startswith("lr 0.5")
    (1, True)
    """

    def __init__(self, *, lr: float = 0.05, start: float = -1.5, sharp_curvature: float = 20.0,
                 noise: float = 0.0, num_steps: int = 300, resolution: tuple = (110, 150),
                 backend: str = "auto", figsize=(11.5, 4.1), precompute: bool = True):
        super().__init__(figsize, backend=backend)
        self._precompute_on = bool(precompute)
        self.num_steps = int(num_steps)
        self.resolution = tuple(int(r) for r in resolution)
        self.lr = lr_slider(lr, low=1e-2, high=3.0)
        self.start = W.FloatSlider(value=start, min=-2.0, max=2.5, step=0.01,
                                   description="start x₀")
        self.sharpness = W.FloatLogSlider(value=sharp_curvature, base=10, min=0.3, max=2,
                                          step=0.01, description="sharp curvature",
                                          readout_format=".3g", continuous_update=False,
                                          style={"description_width": "initial"})
        self.noise = W.FloatSlider(value=noise, min=0.0, max=3.0, step=0.1,
                                   description="gradient noise", continuous_update=False,
                                   style={"description_width": "initial"})
        self._build_figure()
        controls = [self.lr, self.start, self.sharpness, self.noise]
        layout = W.HBox([W.VBox([self.lr, self.start]), W.VBox([self.sharpness, self.noise])])
        self._wire(controls, layout)
        self._key = None
        self.update()

    def _build_figure(self) -> None:
        gs = GridSpec(1, 2, figure=self.figure, width_ratios=[1, 1.1], wspace=0.25,
                      left=0.07, right=0.83, top=0.9, bottom=0.13)
        self.ax_curve = self.figure.add_subplot(gs[0, 0])
        self.ax_map = self.figure.add_subplot(gs[0, 1])
        self.steps = plots.steps_1d([], [], self.ax_curve)
        (self.dots,) = self.ax_curve.plot([], [], "o", color=plots.COLORS[1], markersize=7,
                                          markeredgecolor="k", zorder=6)
        (self.cursor,) = self.ax_map.plot([], [], "o", color="w", markersize=9,
                                          markeredgecolor="k", markeredgewidth=1.5, zorder=6)
        self.lr_line = self.ax_map.axhline(1.0, color="w", lw=1.2, zorder=5)
        self.canvas.animate(self.steps, self.dots, self.cursor, self.lr_line)
        self.mesh = None
        # (sharpness, noise) -> basin map, the last _MAPS_KEPT; the noise levels next to the
        # one shown are mapped in the background (a map of noise costs ~100-150 ms)
        self._maps = Precompute(max_size=_MAPS_KEPT)
        self._key_drawn = None

    def _basin_map(self, ks: float, noise: float) -> BasinMap:
        """The basin map of the double well of sharp curvature ``ks`` at gradient noise
        ``noise`` (kept; made in the background when the learner got there first)."""
        return self._maps.result((ks, noise), lambda: self._new_map(ks, noise))

    def _new_map(self, ks: float, noise: float) -> BasinMap:
        from .. import surfaces

        R, S = self.resolution
        return basin_map(surfaces.double_well(sharp_curvature=ks), np.geomspace(1e-2, 3.0, R),
                         np.linspace(-2.0, 2.5, S), self.num_steps, noise=noise,
                         tol=0.05 if noise == 0 else 0.5)

    def _map_nearby(self, ks: float, noise: float) -> None:
        """Queue the maps of the noise levels one, two and three slider steps either side."""
        self._maps.drop_queued()   # those of a level the learner has left
        step, lo, hi = float(self.noise.step), float(self.noise.min), float(self.noise.max)
        for k in range(1, _NEARBY + 1):
            for level in (noise + k * step, noise - k * step):
                level = _level(level)
                if lo <= level <= hi:
                    self._maps.submit((ks, level), lambda level=level: self._new_map(ks, level))

    def _background(self) -> None:
        """The curve, the map, the limits and the titles: each a cached layer of its own.

        A new curvature or noise level redraws those layers, not the axes (their
        limits, ticks and labels never change).
        """
        from .. import surfaces

        ks, noise = self._key
        self.problem = surfaces.double_well(sharp_curvature=ks)
        self.map = self._basin_map(ks, noise)
        ax, axm = self.ax_curve, self.ax_map
        if self.mesh is None:
            self.curve = plots.curve(self.problem, (-2.0, 2.5), ax, zorder=1)
            ax.set_ylim(-0.1, 2.0)
            ax.set_xlim(-2.0, 2.5)
            self.titles = [plots.title_text(ax, fontsize=10), plots.title_text(axm, fontsize=10)]
            self.mesh = plots.basin_image(self.map, axm, names=["sharp minimum",
                                                                     "flat minimum"])
            # outside the map: inside, it covered the fates of large rates from the left
            axm.get_legend().set_bbox_to_anchor((1.02, 1.0), transform=axm.transAxes)
            # the same picture with 3 ticks built instead of 37 (the minor ones: one artist)
            self.minor_marks = light_log_axis(axm.yaxis)
            self.limits = [axm.axhline(1.0, color="k", ls="--", lw=1) for _ in range(2)]
            self.limit_text = [axm.text(2.45, 1.0, "", ha="right", va="bottom", fontsize=8,
                                        color="k") for _ in range(2)]
            self.canvas.layer(self.curve)
            self.canvas.layer(self.mesh)
            self.canvas.layer(self.limits, self.limit_text)
            for title in self.titles:
                self.canvas.layer(title)
        else:
            x = np.linspace(-2.0, 2.5, 400)
            with np.errstate(all="ignore"):
                self.curve.set_ydata(np.asarray(self.problem.loss(x[:, None]), dtype=float))
            plots.set_basin_image(self.mesh, self.map)
        for line, txt, k, name in zip(self.limits, self.limit_text, (ks, 1.0),
                                      ("2/k_sharp", "2/k_flat"), strict=True):
            line.set_ydata([2 / k, 2 / k])
            txt.set_position((2.45, 2 / k))
            txt.set_text(f"{name} = {2 / k:.3g}")
        self.titles[0].set_text(f"double well: curvatures {ks:.3g} (left) and 1 (right)")
        self.titles[1].set_text("where gradient descent ends"
                                + (f" (noise {noise:g})" if noise else ""))
        old = self._key_drawn or (None, None)
        changed = [self.mesh] + ([self.curve, self.limits[0], self.titles[0]]
                                 if ks != old[0] else []) + ([self.titles[1]]
                                                             if noise != old[1] else [])
        self.canvas.invalidate(*changed)  # only the layers whose artists changed
        self._key_drawn = (ks, noise)

    def _update(self) -> None:
        key = (float(self.sharpness.value), _level(self.noise.value))
        if key != self._key:
            self._key = key
            self._background()
            if self._precompute_on:
                self._map_nearby(*key)
        lr, x0 = float(self.lr.value), float(self.start.value)
        noise = key[1]
        if noise == 0:  # the steps shown only (the fate below runs them all)
            h = train(self.problem, sgd(lr), min(self.num_steps, _SHOWN), x0=[x0],
                      record_params=True)
            xs = h.params[:, 0]
        else:
            at = np.arange(1, self.num_steps + 1, 10)  # after steps 1, 11, 21, ...
            path = final_points(self.problem, lr, [x0], int(at[-1]), noise=noise,
                                record_at=at)
            xs = np.concatenate([[x0], path[:, 0]])
        with np.errstate(all="ignore"):
            fx = self.problem.loss(np.where(np.isfinite(xs), xs, 0.0)[:, None])
        fx = np.where(np.isfinite(xs), fx, np.nan)
        plots.set_steps_1d(self.steps, xs[:_SHOWN], fx[:_SHOWN])
        self.dots.set_data([xs[0]], [fx[0]])
        self.cursor.set_data([x0], [lr])
        self.lr_line.set_ydata([lr, lr])
        one = basin_map(self.problem, [lr], [x0], self.num_steps, noise=noise,
                        tol=0.05 if noise == 0 else 0.5)
        self.fate = int(one.labels[0, 0])
        where = (_NAMES[self.fate] if self.fate >= 0 else
                 "no minimum: it keeps bouncing" if self.fate == UNSETTLED else "divergence")
        kind = {0: "warn", 1: "ok", UNSETTLED: "warn", DIVERGED: "bad"}[self.fate]
        ks = key[0]
        self._set_status(f"lr {lr:.3g} from x₀ = {x0:.2f}: ends in {where} "
                         f"(stable in the sharp well only below 2/{ks:.3g} = {2 / ks:.3g})",
                         kind)
        self.canvas.render()

    def close(self) -> None:
        """Close the app; its background maps not started yet are dropped."""
        self._maps.drop_queued()
        super().close()


def _level(noise: float) -> float:
    """A noise level as a map's key: the slider's values are ``min + n step`` only to
    rounding (0.30000000000000004), so keys are rounded to 9 decimals."""
    return round(float(noise), 9)


def basin_explorer(**kwargs: Any) -> BasinExplorer:
    """Build a :class:`BasinExplorer` app (display it by leaving it last in a cell)."""
    return BasinExplorer(**kwargs)
