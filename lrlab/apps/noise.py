"""The noise explorer: batch size, learning rate and the noise floor of SGD.

The theory it draws (the floor of constant-rate SGD from the discrete
Lyapunov equation) lives in :mod:`lrlab.gradient_noise`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec
from matplotlib.ticker import LogLocator

from .. import plots
from ..gradient_noise import gradient_noise_covariance, noise_floor
from ..problem import Problem
from .base import App, lr_slider
from .explorer_ticks import ticks_in_view
from .log_ticks import light_log_axis
from .race import default_data_problem, moving_average
from .race_runs import SlicedRuns

__all__ = ["DECAYS", "PHASE_COLORS", "BlockedGridLoss", "NoiseExplorer", "decay_phases",
           "gradient_noise_covariance", "noise_explorer", "noise_floor"]

#: Decay options of the explorer.
DECAYS = ("constant", "step ÷10", "1/t")

#: Magnification of the inset on the minimum.
ZOOM = 5

#: Colours of the phases of a decay (rate within a factor 10 of eta_0, of eta_0/10, below).
PHASE_COLORS = (plots.COLORS[1], plots.COLORS[0], plots.COLORS[2])


class NoiseExplorer(App):
    """Batch size and learning rate on a data problem: the noise floor and its cure.

    Left: the SGD iterates on the loss contours (the constant-lr run in grey
    when a decay is selected); right: the full-data loss gap with the
    predicted floor of the constant rate (dashed). A decayed run is drawn in
    up to three colours, one per *phase* (:func:`decay_phases`: the rate within
    a factor 10 of its start, then of a tenth of it, then below), on both
    panels, so the cloud can be seen to shrink each time the rate drops.

    Parameters
    ----------
    problem : Problem, optional
        A 2-parameter data problem (default: least squares on a noisy line).
    lr : float
        Learning rate (the starting rate of a decay).
    batch_size : int
    decay : {'constant', 'step ÷10', '1/t'}
        'step ÷10' divides the rate by 10 at 1/2 and 3/4 of the run; '1/t'
        is ``lr / (1 + t / (T/20))``.
    num_steps, seed : int
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    lr, batch_size, decay, num_steps : controls
    history, constant_history : History
        The selected run and the constant-rate run (the same when decay is 'constant').
    floor : float
        Predicted noise floor of the constant rate.
    measured_floor : float
        Mean full-data gap of the constant-rate run over its last half.
    final_gap : float
        Mean gap of the selected run over its last 10%.
    phase_paths, phase_losses : list of Line2D
        The selected run's iterates and loss gap, one line per phase.
    phase_labels : list of str
        The rates of each phase relative to the start, e.g. ``"η₀/10"``.
    phase_spread : list of float
        Root-mean-square distance of the iterates of the last half of each phase
        from the minimum (NaN for a phase the run does not reach): the size of the cloud.

    Examples
    --------
    >>> app = NoiseExplorer(lr=0.2, batch_size=4, backend="png")
    >>> 0.5 < app.measured_floor / app.floor < 2
    True
    >>> app.decay.value = "step ÷10"
    >>> app.final_gap < app.measured_floor / 3
    True
    """

    def __init__(self, problem: Problem | None = None, *, lr: float = 0.2,
                 batch_size: int = 4, decay: str = "constant", num_steps: int = 800,
                 seed: int = 0, backend: str = "auto"):
        super().__init__((10.0, 4.2), backend=backend)
        self.problem = default_data_problem() if problem is None else problem
        if self.problem.dim != 2 or self.problem.n_samples is None:
            raise ValueError("The 'problem' parameter of NoiseExplorer must be a data problem "
                             f"with 2 parameters. Got {self.problem!r} instead.")
        L = float(self.problem.smoothness)
        self.seed = seed
        self.lr = lr_slider(lr, low=1e-3 / L, high=1.9 / L, continuous_update=False)
        n = self.problem.n_samples
        sizes = [b for b in (1, 2, 4, 8, 16, 32, 64, 128, 256) if b <= n]
        self.batch_size = W.SelectionSlider(options=sizes, value=batch_size,
                                            description="batch size", continuous_update=False)
        self.decay = W.ToggleButtons(options=DECAYS, value=decay, description="lr decay")
        self.num_steps = W.IntSlider(value=num_steps, min=100, max=3000, step=100,
                                     description="steps", continuous_update=False)
        gs = GridSpec(1, 2, figure=self.figure, width_ratios=[1, 1.15], wspace=0.25,
                      left=0.07, right=0.98, top=0.9, bottom=0.14)
        self.ax_path = self.figure.add_subplot(gs[0, 0])
        self.ax_loss = self.figure.add_subplot(gs[0, 1])
        self._draw_background()
        grey = "#999999"
        self.path_constant = plots.trajectory(np.zeros((0, 2)), self.ax_path, color=grey,
                                              markersize=1.5, linewidth=0.6, alpha=0.7)
        # later phases on top: their smaller clouds sit inside the earlier ones. The zoom
        # (an inset, zorder 5) covers the main paths; its own paths are drawn above it.
        self.phase_paths = [plots.trajectory(np.zeros((0, 2)), self.ax_path, color=c,
                                             markersize=2.0 + k, linewidth=0.5,
                                             zorder=3.1 + 0.1 * k)
                            for k, c in enumerate(PHASE_COLORS)]
        self.zoom_constant = plots.trajectory(np.zeros((0, 2)), self.ax_zoom, color=grey,
                                              markersize=1.5, linewidth=0.0, alpha=0.7,
                                              zorder=6)
        self.zoom_paths = [plots.trajectory(np.zeros((0, 2)), self.ax_zoom, color=c,
                                            markersize=1.5 + k, linewidth=0.0,
                                            zorder=6.1 + 0.1 * k)
                           for k, c in enumerate(PHASE_COLORS)]
        (self.loss_constant,) = self.ax_loss.plot([], [], color=grey, linewidth=1.2,
                                                  label="constant lr")
        self.phase_losses = [self.ax_loss.plot([], [], color=c, linewidth=1.5)[0]
                             for c in PHASE_COLORS]
        self.phase_labels: list[str] = []
        self.floor_line = self.ax_loss.axhline(1.0, color="k", linestyle="--", linewidth=1.2)
        self.floor_text = self.ax_loss.text(0.99, 1.0, "", ha="right", va="bottom", fontsize=9,
                                            transform=self.ax_loss.get_yaxis_transform())
        self.canvas.animate(self.path_constant, *self.phase_paths, self.zoom_constant,
                            *self.zoom_paths, self.loss_constant, *self.phase_losses,
                            self.floor_line, self.floor_text)
        ax = self.ax_loss
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(LogLocator(subs=(2.0, 5.0)))  # fewer tick artists
        ax.set_xlabel("step $t$")
        ax.set_ylabel(r"full-data $f(\theta_t) - f^\star$ (moving average)")
        # the same picture, only ticks in view built; minor ones one artist (six decades)
        self.minor_marks = light_log_axis(ax.yaxis)
        ticks_in_view(self.ax_path.xaxis, self.ax_path.yaxis, ax.xaxis)
        # what a control changes now and then is a cached layer of its own, not the
        # contours' background: the loss axes and their minor marks (steps, lr, batch size)
        # and the loss panel's title
        self.canvas.layer(ax.xaxis, ax.yaxis, self.minor_marks)
        self.loss_title = plots.title_text(ax, fontsize=10)
        self.canvas.layer(self.loss_title)
        self._view: tuple = (None, None, None)  # T, limits, legend labels
        self._runs = SlicedRuns(self.problem, seed=seed)
        self._floors: dict = {}  # and the gradient covariance per batch size:
        self._covariance = cache(lambda B: gradient_noise_covariance(self.problem, batch_size=B))
        layout = W.VBox([W.HBox([self.lr, self.batch_size, self.num_steps]), self.decay])
        self._wire([self.lr, self.batch_size, self.decay, self.num_steps], layout)
        self.update()

    def _draw_background(self) -> None:
        p = self.problem
        center = np.asarray(p.minima[0], dtype=float)
        r = 1.25 * float(np.max(np.abs(np.asarray(p.x0) - center)))
        bounds = ((center[0] - r, center[0] + r), (center[1] - r, center[1] + r))
        grid = BlockedGridLoss(p)  # the same contours, evaluated in cache-sized blocks
        plots.contours(grid, self.ax_path, bounds=bounds, resolution=100)  # smooth ellipses
        # a zoom on the minimum (lower right), where the clouds of the phases are seen shrink
        zr = r / ZOOM
        self.ax_zoom = self.ax_path.inset_axes([0.6, 0.02, 0.38, 0.38])
        plots.contours(grid, self.ax_zoom, bounds=((center[0] - zr, center[0] + zr),
                                                (center[1] - zr, center[1] + zr)),
                       resolution=60, levels=8)
        self.ax_zoom.set_xticks([])
        self.ax_zoom.set_yticks([])
        self.ax_zoom.set_xlabel("")
        self.ax_zoom.set_ylabel("")
        self.ax_zoom.set_title(f"zoom ×{ZOOM}", fontsize=8, pad=2)
        box = self.ax_path.indicate_inset_zoom(self.ax_zoom, edgecolor="#333")
        # matplotlib's InsetIndicator.draw ignores set_visible(False): the canvas could not
        # keep it out of the cached background, and drew it there and again as an overlay
        draw = box.draw
        box.draw = lambda renderer: draw(renderer) if box.get_visible() else None
        self.ax_path.set_xlabel("slope $w$" if "line" in p.name else r"$\theta_1$")
        self.ax_path.set_ylabel("intercept $b$" if "line" in p.name else r"$\theta_2$")
        self.ax_path.set_title("SGD's iterates: the cloud shrinks with the lr", fontsize=10)

    @staticmethod
    def schedule(decay: str, lr: float, T: int) -> Any:
        """The learning rate of a run of ``T`` steps with ``decay`` (one of :data:`DECAYS`)."""
        from .. import schedules

        if decay == "step ÷10":
            return schedules.multistep(lr, milestones=[T // 2, 3 * T // 4], gamma=0.1)
        if decay == "1/t":
            return schedules.inverse_time(lr, decay_rate=1.0, decay_steps=max(T / 20, 1))
        return schedules.constant(lr)

    def _update(self) -> None:
        p = self.problem
        lr, B, T = float(self.lr.value), int(self.batch_size.value), int(self.num_steps.value)
        decay = self.decay.value
        decayed = decay != "constant"
        # the constant run and the decayed ones, trained together and cached per (lr, B):
        # the decay toggle trains nothing after its first change, a new length slices
        # (see SlicedRuns)
        specs = {"constant": (("constant", lr, B), lambda t: self.schedule("constant", lr, t),
                              False)}
        for other in DECAYS[1:] if decayed else ():  # both decays: the toggle then slices
            specs[other] = ((other, lr, B), lambda t, d=other: self.schedule(d, lr, t), True)
        s = self.num_steps  # (the gaps of the runs shown only: a pass over the data each)
        runs = self._runs.get(specs, T, batch_size=B, lengths=range(s.min, s.max + 1, s.step or 1),
                              keep=lambda key: key[1:] == (lr, B), shown=("constant", decay))
        self.constant_history, gap_c = runs["constant"]
        self.history, gap = runs[decay]
        if (lr, B) not in self._floors:
            self._floors = {(lr, B): noise_floor(p, lr, B, covariance=self._covariance(B))}
        self.floor = self._floors[(lr, B)]
        self.measured_floor = _tail_mean(self.constant_history, gap_c, T - T // 2)
        self.final_gap = _tail_mean(self.history, gap, max(T // 10, 1))
        w = max(T // 50, 1)  # the moving average: over 2% of the run
        plots.set_loss_curve(self.loss_constant, moving_average(gap_c, w))
        plots.set_trajectory(self.path_constant, self.constant_history.params)
        plots.set_trajectory(self.zoom_constant, self.constant_history.params)
        phase, self.phase_labels = decay_phases(self.history.lr)
        # iterate t + 1 belongs to the phase of the step that made it (the start: phase 0);
        # each phase also draws the last point of the one before, so the lines join
        of_point = np.concatenate([[0], phase])
        smooth = moving_average(gap, w)
        params = self.history.params
        self.phase_spread = []
        for k, (path, zoom, loss) in enumerate(zip(self.phase_paths, self.zoom_paths,
                                                   self.phase_losses, strict=True)):
            mine = of_point == k
            shown = mine | np.r_[mine[1:], False]
            plots.set_trajectory(path, np.where(shown[:, None], params, np.nan))
            plots.set_trajectory(zoom, np.where(mine[:, None], params, np.nan))
            plots.set_loss_curve(loss, np.where(shown, smooth, np.nan))
            for artist in (path, zoom, loss):
                artist.set_visible(bool(mine.any()))
            self.phase_spread.append(_spread(p, params[mine]))
        for artist in (self.path_constant, self.zoom_constant, self.loss_constant):
            artist.set_visible(decayed)
        self.floor_line.set_ydata([self.floor, self.floor])
        self.floor_text.set_position((0.99, self.floor))
        self.floor_text.set_text(f"predicted floor {self.floor:.2g}")
        self._set_view(T, float(gap_c[0]) * 3, decayed)
        if self.constant_history.diverged:
            at = int(self.constant_history.diverged_at)
            text = (f"constant lr {lr:.3g}, batch {B}: diverged at step {at} "
                    "(minibatch noise threw it out of the stable region): no floor")
        elif self.measured_floor > 3 * self.floor and _still_descending(gap_c):
            text = (f"constant lr {lr:.3g}, batch {B}: still descending after {T} steps, "
                    f"not at its floor yet (predicted {self.floor:.2g}): more steps or a "
                    "larger lr")
        else:
            text = (f"constant lr {lr:.3g}, batch {B}: floor measured "
                    f"{self.measured_floor:.2g}, predicted {self.floor:.2g}")
        if decayed:
            text += f" · {self.decay.value}: " + (
                f"diverged at step {int(self.history.diverged_at)}" if self.history.diverged
                else f"{self.final_gap:.2g} at the end")
        self._set_status(text, "bad" if self.history.diverged or
                         self.constant_history.diverged else "ok")
        self.canvas.render()

    def _set_view(self, T: int, top: float, decayed: bool) -> None:
        """Limits, title and legend of the loss panel: each redrawn (its layer) only when
        it changes."""
        ax = self.ax_loss
        old_T, old_ylim, old_labels = self._view
        if T != old_T:
            ax.set_xlim(0, T)
            self.canvas.invalidate(ax.xaxis)
        ylim = (top * 1e-6, top)
        if ylim != old_ylim:
            ax.set_ylim(*ylim)
            self.canvas.invalidate(ax.yaxis, self.minor_marks)
        title = "a constant lr stalls at its floor; a decaying one goes below"
        if title != self.loss_title.get_text():
            self.loss_title.set_text(title)
            self.canvas.invalidate(self.loss_title)
        if decayed:
            handles = [*self.phase_losses[: len(self.phase_labels)], self.loss_constant]
            labels = [f"{self.decay.value}: lr {text}" for text in self.phase_labels]
            labels.append("constant lr")
        else:
            handles, labels = self.phase_losses[:1], ["constant lr"]
        if labels != old_labels:  # the legend is drawn over the curves from a layer
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            ax.legend(handles, labels, loc="lower left", fontsize=8)
        self._view = (T, ylim, labels)


class BlockedGridLoss:
    """A data problem whose loss on a grid of points is evaluated a block of rows at a time.

    ``problem.loss`` on a ``(rows, cols, 2)`` grid makes ``rows * cols * n_samples``
    residuals at once (32 MB for a 100 x 100 grid of 400 samples); a block of rows at a
    time stays in the cache (3x faster), by the same arithmetic. The rest is the problem's.

    >>> from lrlab.apps.race import default_data_problem
    >>> p = default_data_problem()
    >>> grid = np.zeros((30, 20, 2))
    >>> bool(np.allclose(BlockedGridLoss(p).loss(grid), p.loss(grid), rtol=1e-13, atol=0))
    True
    >>> BlockedGridLoss(p).dim
    2
    """

    #: Residuals per block (2 MB of float64).
    BLOCK = 2**18

    def __init__(self, problem: Problem):
        self.problem = problem

    def __getattr__(self, name: str) -> Any:
        if name == "problem":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self.problem, name)

    def loss(self, theta: Any) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        if theta.ndim < 3:
            return np.asarray(self.problem.loss(theta))
        per_row = int(np.prod(theta.shape[1:-1])) * max(int(self.problem.n_samples or 1), 1)
        rows = max(self.BLOCK // max(per_row, 1), 1)
        return np.concatenate([np.asarray(self.problem.loss(theta[i:i + rows]))
                               for i in range(0, len(theta), rows)])


def decay_phases(lr: Any) -> tuple[np.ndarray, list[str]]:
    r"""The phase of every step of a decaying rate, and a label for each phase.

    Phase ``k`` holds the steps whose rate is in
    :math:`(\eta_0 10^{-k-1}, \eta_0 10^{-k}]` (the last phase, 2, everything
    below :math:`\eta_0/100`). A step decay by 10 has one rate per phase; a
    smooth decay a range of rates.

    >>> phase, labels = decay_phases([0.2, 0.2, 0.02, 0.02, 0.002])
    >>> phase.tolist(), labels
    ([0, 0, 1, 1, 2], ['η₀', 'η₀/10', 'η₀/100'])
    >>> decay_phases(0.2 / (1 + np.arange(40.0)))[1]
    ['η₀ → η₀/9', 'η₀/10 → η₀/40']
    """
    lr = np.asarray(lr, dtype=float)
    if lr.size == 0 or not np.isfinite(lr[0]) or lr[0] <= 0:
        return np.zeros(lr.shape, dtype=int), ["η₀"]
    ratio = lr[0] / np.where(np.isfinite(lr) & (lr > 0), lr, lr[0])
    phase = np.clip(np.floor(np.log10(ratio) + 1e-9), 0, len(PHASE_COLORS) - 1).astype(int)
    labels = []
    for k in range(int(phase.max()) + 1):
        r = ratio[phase == k]
        if r.size == 0:
            labels.append("")
            continue
        first, last = _fraction(r.min()), _fraction(r.max())
        labels.append(first if first == last else f"{first} → {last}")
    return phase, labels


def _fraction(ratio: float) -> str:
    """``eta_0 / ratio`` as short text: ``η₀``, ``η₀/10``, ``η₀/21``."""
    return "η₀" if round(ratio) <= 1 else f"η₀/{ratio:.2g}" if ratio < 9.5 else f"η₀/{round(ratio)}"


def _spread(problem: Problem, points: np.ndarray) -> float:
    """RMS distance from the minimum of the last half of ``points`` (NaN if none)."""
    points = points[len(points) // 2:]
    points = points[np.all(np.isfinite(points), axis=-1)]
    if len(points) == 0:
        return float("nan")
    center = np.asarray(problem.minima[0], dtype=float)
    return float(np.sqrt(np.mean(np.sum((points - center) ** 2, axis=-1))))


def _still_descending(gap: np.ndarray) -> bool:
    """True when the last quarter of a run is below its third quarter by more than 10 %:
    the loss is still falling. (At the floor, noise alone moves it that much too,
    so the caller also asks that the level be far above the predicted floor.)"""
    q = len(gap) // 4
    if q < 2:
        return False
    third, last = np.mean(gap[-2 * q:-q]), np.mean(gap[-q:])
    return bool(np.isfinite(third) and last < 0.9 * third)


def _tail_mean(history: Any, gap: np.ndarray, n: int) -> float:
    """Mean of the last ``n`` gaps; ``inf`` for a run that diverged (its tail is NaN)."""
    if history.diverged:
        return float("inf")
    return float(np.mean(gap[-n:]))


def noise_explorer(problem: Problem | None = None, **kwargs: Any) -> NoiseExplorer:
    """Build a :class:`NoiseExplorer` (display it by leaving it last in a cell)."""
    return NoiseExplorer(problem, **kwargs)
