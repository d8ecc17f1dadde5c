"""lrlab.apps.cached_contours: contours traced once per problem, the same picture."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lrlab import plots, surfaces
from lrlab.apps import cached_contours


def drawn(draw) -> np.ndarray:
    fig = Figure(figsize=(3, 3), dpi=72)
    ax = fig.add_subplot()
    draw(ax)
    FigureCanvasAgg(fig).draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy(), ax


@pytest.mark.parametrize("make", [surfaces.rosenbrock,
                                  lambda: surfaces.quadratic([0.02, 1.0], x0=[1.0, 0.02])])
def test_cached_contours_draw_what_plots_contours_draws(make, monkeypatch):
    monkeypatch.setattr(cached_contours, "_TRACED", {})
    problem = make()
    want, ax_want = drawn(lambda ax: plots.contours(problem, ax))
    first, _ = drawn(lambda ax: cached_contours.contours(problem, ax, "p"))
    traced = cached_contours._TRACED["p"][-1]
    again, ax = drawn(lambda ax: cached_contours.contours(problem, ax, "p"))
    assert cached_contours._TRACED["p"][-1] is traced    # traced once: the same paths
    assert ax.collections[0].get_paths() is traced[True]
    assert np.array_equal(first, want) and np.array_equal(again, want)
    assert ax.get_xlim() == ax_want.get_xlim() and ax.get_xlabel() == ax_want.get_xlabel()
    # the check can fail: another surface under the same axes looks different
    other, _ = drawn(lambda ax: plots.contours(surfaces.quadratic([1.0, 3.0]), ax))
    assert not np.array_equal(other, want)


def test_cached_contours_keep_a_bounded_number_of_surfaces(monkeypatch):
    monkeypatch.setattr(cached_contours, "_TRACED", {})
    monkeypatch.setattr(cached_contours, "CONTOURS_MAX", 2)
    fig = Figure()
    for key in ("a", "b", "c"):
        cached_contours.contours(surfaces.quadratic([1.0, 2.0]), fig.add_subplot(), key)
    assert list(cached_contours._TRACED) == ["b", "c"]
