"""Benchmark: the 2-D explorer's update (compute + render) at its default size.

Compares, in the same run,

* ``update``  — what a slider move costs: rerun the rules, move the artists,
  restore the cached background (contours), draw the moving artists, encode
  the PNG;
* ``rebuild`` — what it would cost to rebuild the figure on every change:
  a fresh figure with its contours, the same runs, a full draw and a PNG.

Targets (issue 4): median update <= 30 ms, and >= 3x faster than rebuild.

    .venv/bin/python benchmarks/widgets.py [--repeats 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lrlab import plots, sgd, train, widgets
from lrlab.apps.explorer2d import Explorer2D
from lrlab.apps.render import png_bytes


def time_calls(fn, values) -> list[float]:
    out = []
    for v in values:
        t0 = time.perf_counter()
        fn(v)
        out.append(time.perf_counter() - t0)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args(argv)
    lrs = np.geomspace(0.05, 1.8, args.repeats)

    app = widgets.explorer_2d(backend="png")  # defaults: ill_conditioned, GD, 100 steps
    app.lr.value = float(lrs[0])  # warm up (fonts, caches)

    def update(lr):
        app.lr.value = float(lr)

    def rebuild(lr):
        """The naive view: a new figure per change (same content, same size, same PNG)."""
        fig = Figure(figsize=app.figure.get_size_inches(), dpi=app.figure.dpi)
        FigureCanvasAgg(fig)
        ax_paths, ax_loss = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        plots.contours(app.problem, ax_paths)
        h = train(app.problem, sgd(float(lr)), app.num_steps.value, x0=app.problem.x0)
        plots.trajectory(h.params, ax_paths)
        plots.loss_curve(h.loss, ax_loss, f_star=app.problem.f_star)
        ax_paths.legend(["GD"], loc="upper right")
        fig.canvas.draw()
        png_bytes(fig.canvas)

    def rebuild_app(lr):
        fresh = Explorer2D(backend="png", lr=float(lr))  # new app: widgets + figure
        fresh.close()

    full_before = app.canvas.full_draws
    t_update = time_calls(update, lrs)
    full_draws = app.canvas.full_draws - full_before
    t_rebuild = time_calls(rebuild, lrs[: max(args.repeats // 2, 5)])
    t_app = time_calls(rebuild_app, lrs[: max(args.repeats // 4, 5)])
    med_u, med_r = statistics.median(t_update) * 1e3, statistics.median(t_rebuild) * 1e3
    size = app.canvas.figure.canvas.get_width_height()
    print(f"2-D explorer, {size[0]}x{size[1]} px, {app.num_steps.value} steps, rules "
          f"{list(app.rules.value)}")
    print(f"update : median {med_u:6.1f} ms  (p90 {np.percentile(t_update, 90) * 1e3:.1f} ms, "
          f"{full_draws} full redraws in {len(t_update)} updates)")
    print(f"rebuild: median {med_r:6.1f} ms  (new figure, contours, full draw, PNG)")
    print(f"new app: median {statistics.median(t_app) * 1e3:6.1f} ms  (widgets too)")
    print(f"speed-up: {med_r / med_u:.1f}x")
    ok = med_u <= 30 and med_r / med_u >= 3
    print("PASS" if ok else "FAIL", "(targets: update <= 30 ms, speed-up >= 3x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
