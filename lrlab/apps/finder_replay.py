"""Replay a learning-rate range test: the model's state at every rate of the sweep.

The range test (:func:`lrlab.finder.lr_range_test`) is *one* training run
whose learning rate grows every step. This app reruns it with the iterates
recorded and lets a learning-rate slider walk along the sweep: the left
panel marks where on the loss-versus-rate curve the run is, the right
panel shows the classifier the run has at that moment (an MLP on two
moons). Suggestions (minimum/10, steepest, valley, midpoint) are drawn on
the curve; changing the batch size or the seed redraws it, so the learner
sees how much a single test moves.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.gridspec import GridSpec

from .. import plots
from ..finder import Sweep, lr_range_test
from ..rules import adam, sgd
from .base import App
from .explorer_ticks import ticks_in_view
from .finder_curve import RangeTestCurve, suggested
from .log_ticks import light_log_axis

__all__ = ["FINDER_RULES", "FinderReplay", "default_mlp", "finder_replay"]

#: Rule name -> ``make(lr) -> Rule`` for the range test.
FINDER_RULES = {
    "SGD": sgd,
    "SGD + momentum 0.9": lambda lr: sgd(lr, momentum=0.9),
    "Adam": adam,
}


#: Range tests of the default model (:func:`default_mlp`, the same in every app), by run and
#: sweep, shared by every replay of the kernel: opening the app again, or going back to a
#: rule, batch size or seed in another replay, trains nothing. Bounded (oldest dropped).
_DEFAULT_TESTS: dict = {}
_DEFAULT_TESTS_MAX = 32


def default_mlp(seed: int = 0):
    """The replay's model: a 2-16-2 tanh MLP on 300 two-moons points (noise 0.15)."""
    from ..datasets import two_moons
    from ..models.mlp import MLP

    return MLP(two_moons(300, noise=0.15, seed=0), hidden=(16,), seed=seed)


class FinderReplay(App):
    """A range test whose sweep can be walked with a learning-rate slider.

    Parameters
    ----------
    problem : Problem, optional
        A classifier on 2 features with ``predict_proba`` (default :func:`default_mlp`).
    rule : str
        A name in :data:`FINDER_RULES`.
    start_lr, end_lr : float
        The sweep's range.
    num_steps : int
        Length of the sweep.
    batch_size : int or None
        Minibatch size (``None``: full batch).
    seed : int
        Seed of the minibatches.
    backend : {'auto', 'png', 'ipympl'}

    Attributes
    ----------
    lr : FloatLogSlider
        Where along the sweep to look (snaps to the nearest swept rate).
    rule, batch_size, seed : controls
        (``batch_size.value`` 0 is the full batch.)
    result : RangeTestResult
        The test, as :func:`~lrlab.finder.lr_range_test` returns it (at full batch on a
        problem without gradient noise the seed draws nothing: every seed shows the run
        of seed 0).
    history : History
        The same run with its iterates (``history.params[i + 1]`` is the model
        after the step at ``result.lrs[i]``).
    index : int
        The sweep position shown.
    marker, cursor, image, title, curve_title : artists
        (``curve_title``: the curve's title, a text redrawn alone from a layer.)

    Examples
    --------
    >>> app = FinderReplay(backend="png")
    >>> app.lr.value = 0.1
    >>> bool(abs(np.log10(app.result.lrs[app.index] / 0.1)) < 0.05)
    True
    >>> bool(np.allclose(app.history.loss[1:app.result.stop + 1],
    ...                  app.result.losses[:app.result.stop]))
    True
    """

    def __init__(self, problem: Any = None, *, rule: str = "SGD", start_lr: float = 1e-3,
                 end_lr: float = 100.0, num_steps: int = 150, batch_size: int | None = None,
                 seed: int = 0, lr: float = 0.1, backend: str = "auto", figsize=(10.5, 4.0)):
        super().__init__(figsize, backend=backend)
        if rule not in FINDER_RULES:
            raise ValueError(f"The 'rule' parameter of FinderReplay must be one of "
                             f"{list(FINDER_RULES)}. Got {rule!r} instead.")
        self.problem = default_mlp() if problem is None else problem
        self._shared = _DEFAULT_TESTS if problem is None else None  # see _DEFAULT_TESTS
        self.sweep = Sweep(start_lr, end_lr, num_steps)
        self.rule = W.Dropdown(options=list(FINDER_RULES), value=rule, description="rule")
        # the slider's grid is the sweep itself: every position (key press, drag, typed
        # value) is a rate the test ran, and the readout shows that rate
        lo, hi = float(np.log10(start_lr)), float(np.log10(end_lr))
        self.lr = W.FloatLogSlider(value=float(np.clip(lr, start_lr, end_lr)), base=10.0,
                                   min=lo, max=hi, step=(hi - lo) / max(num_steps - 1, 1),
                                   description="replay at lr", readout_format=".3g",
                                   style={"description_width": "initial"},
                                   layout=W.Layout(width="340px"))
        # "full batch" is 0, not None: a Dropdown whose value is None shows nothing
        sizes = [("full batch", 0)] + [(str(b), b) for b in (64, 16, 4)
                                       if b < self.problem.n_samples]
        self.batch_size = W.Dropdown(options=sizes, value=batch_size or 0, description="batch")
        # a new seed is a new training run (~100 ms): redrawn on release, and every test
        # run is kept (going back to a seed is instant)
        self.seed = W.IntSlider(value=seed, min=0, max=9, description="seed",
                                continuous_update=False)
        self._tests: dict = {}  # run key (see _run_key) -> (range test, its suggestions)
        self._drawn = None  # the range test the curve's axes show
        self._build_figure()
        controls = [self.rule, self.lr, self.batch_size, self.seed]
        layout = W.HBox([W.VBox([self.lr, self.rule]), W.VBox([self.batch_size, self.seed])])
        self._wire(controls, layout)
        self._key = None
        self.update()

    def _build_figure(self) -> None:
        # the middle column holds the curve's legend, so that it covers neither panel
        gs = GridSpec(1, 3, figure=self.figure, width_ratios=[1.3, 0.56, 1], wspace=0.04,
                      left=0.07, right=0.98, top=0.9, bottom=0.13)
        self.ax_curve = self.figure.add_subplot(gs[0, 0])
        self.ax_model = self.figure.add_subplot(gs[0, 2])
        # a ring and a light cursor: a suggestion at the replayed lr stays visible under them
        (self.marker,) = self.ax_curve.plot([], [], "o", markerfacecolor="none",
                                            markeredgecolor="k", markeredgewidth=1.8,
                                            markersize=12, zorder=6)
        self.cursor = self.ax_curve.axvline(1.0, color="k", lw=1.0, alpha=0.45, zorder=5)
        self.image = plots.decision_image(self.problem, self.problem.x0, self.ax_model)
        self.title = self.ax_model.text(0.5, 1.02, "", transform=self.ax_model.transAxes,
                                        ha="center", va="bottom", fontsize=10)
        self.canvas.animate(self.marker, self.cursor, self.image, self.title)
        # layers of their own: the curve's title (a seed that changes nothing but the title
        # redraws one text, not the axes) and the data points over the model (a new curve
        # does not draw the 300 points again)
        self.curve_title = plots.title_text(self.ax_curve, fontsize=10)
        self.canvas.layer(self.curve_title)
        self.canvas.layer(self.ax_model.collections[0])
        # the curve: plot_range_test's artists, made once; a new test moves them and redraws
        # their layers (one per depth: lines, markers, the blow-up triangle), never the axes.
        # Both axes are layers per look: the x axis never changes, a y range seen before
        # costs a composite
        self.curve = RangeTestCurve(self.ax_curve)
        for group in self.curve.groups:
            self.canvas.layer(group)
        self.canvas.layer(self.ax_curve.xaxis, self.ax_curve.yaxis, memo=True)
        # ticks built only where drawn (the same picture): the y axis' in its view, the
        # log x axis' minor marks one artist (a view of more than a decade: no minor labels)
        ticks_in_view(self.ax_curve.yaxis)
        if np.log10(self.sweep.end_lr / self.sweep.start_lr) > 1:
            self.canvas.layer(light_log_axis(self.ax_curve.xaxis))

    def _run(self, key: tuple) -> None:
        """The range test of ``key`` (rule, batch, seed), from the cache or run now.

        One run gives both the curve and the iterates replayed
        (``lr_range_test(record_params=True)``); every test run is kept, so
        going back to a rule, batch size or seed seen before costs no training.
        Nothing is drawn again but the curve's layers (see :class:`RangeTestCurve`).
        """
        rule, bs, seed = key[0], key[1] or None, key[2]
        run = self._run_key(key)
        s = self.sweep
        shared = (run, s.start_lr, s.end_lr, s.num_steps)
        if run not in self._tests and self._shared is not None and shared in self._shared:
            self._tests[run] = self._shared[shared]  # the default model's, from another replay
        if run not in self._tests:
            self._set_status(f"computing the range test ({rule}, "
                             f"{'full batch' if bs is None else f'batch {bs}'}, seed {seed})...")
            result = lr_range_test(self.problem, FINDER_RULES[rule], s.start_lr, s.end_lr,
                                   s.num_steps, batch_size=bs, seed=run[2], record_params=True)
            self._tests[run] = (result, suggested(result))
            if self._shared is not None:
                while len(self._shared) >= _DEFAULT_TESTS_MAX:
                    del self._shared[next(iter(self._shared))]  # the oldest
                self._shared[shared] = self._tests[run]
        self.result, sug = self._tests[run]
        self._suggestions = ", ".join(f"{k} {v:.2g}" for k, v in sug.items()
                                      if v is not None and np.isfinite(v))
        self.history = self.result.history
        ax = self.ax_curve
        if self.result is not self._drawn:  # the same run (a seed at full batch): same curve
            self._drawn = self.result
            self.curve.show(self.result, sug)
            ax.set_xlim(self.sweep.start_lr, self.sweep.end_lr)
            self.canvas.invalidate(*self.curve.artists, ax.yaxis)
        self.curve_title.set_text(f"range test: {rule}, "
                                  f"{'full batch' if bs is None else f'batch {bs}'}, seed {seed}")
        self.canvas.invalidate(self.curve_title)

    def _run_key(self, key: tuple) -> tuple:
        """The run a (rule, batch, seed) key trains: the seed only draws minibatches (and a
        noisy problem's gradient noise), so at full batch every seed is one run."""
        rule, bs, seed = key
        return (rule, bs, seed if bs or getattr(self.problem, "noise", 0) > 0 else 0)

    def _update(self) -> None:
        key = (self.rule.value, self.batch_size.value, int(self.seed.value))
        if key != self._key:
            self._key = key
            self._run(key)
        r = self.result
        i = int(np.argmin(np.abs(np.log(r.lrs) - np.log(float(self.lr.value)))))
        self.index = i
        lr = float(r.lrs[i])
        if abs(np.log(float(self.lr.value) / lr)) > 1e-9:
            self._set_control(self.lr, value=lr)  # the slider shows the rate replayed
        theta = self.history.params[i + 1]
        self.cursor.set_xdata([lr, lr])
        kept = i < r.stop
        y = r.smoothed[i] if kept else np.nan
        self.marker.set_data([lr], [y])
        plots.set_decision_image(self.image, self.problem, theta)
        full = float(self.problem.loss(theta)) if np.all(np.isfinite(theta)) else np.nan
        acc = float(self.problem.accuracy(theta)) if np.isfinite(full) else np.nan
        self.title.set_text(f"model after step {i} (lr {lr:.3g}): accuracy {acc:.0%}"
                            if np.isfinite(acc) else f"step {i}: the run has diverged")
        text = self._suggestions
        where = "" if kept else " (past the test's stop)"
        if self._run_key(self._key)[2] != self._key[2]:
            where += " (full batch: every seed is the same run)"
        self._set_status(f"step {i}/{r.num_steps}: lr {lr:.3g}, full loss {full:.3g}{where}"
                         f" · suggestions: {text}", "ok" if kept else "warn")
        self.canvas.render()


def finder_replay(problem: Any = None, **kwargs: Any) -> FinderReplay:
    """Build a :class:`FinderReplay` app (display it by leaving it last in a cell)."""
    return FinderReplay(problem, **kwargs)

