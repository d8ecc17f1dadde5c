"""A quadratic's contours drawn as ellipses equal its grid contours (lrlab.plots.ellipses)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lrlab import plots
from lrlab.plots.ellipses import is_quadratic_2d
from lrlab.surfaces import ill_conditioned, quadratic, rosenbrock

VALLEYS = [(10.0, np.pi / 6), (300.0, np.pi / 6), (1.5, 0.3), (20.0, 0.0)]


def drawn(fast: bool, problem) -> tuple[np.ndarray, list]:
    fig = Figure((4.4, 3.9), dpi=90)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if fast:
        artists = list(plots.ellipse_contours(problem, ax))
    else:
        plots.contours(problem, ax, show_minima=False)
        artists = list(ax.collections)  # contourf's bands, contour's lines
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).astype(int), artists


@pytest.mark.parametrize(("kappa", "angle"), VALLEYS)
def test_ellipses_are_the_grid_contours_placed_exactly(kappa, angle):
    valley = ill_conditioned(kappa=kappa, angle=angle)
    slow_pixels, (bands, lines) = drawn(False, valley)
    fast_pixels, (fills, rings) = drawn(True, valley)
    # the same levels: every point of ring k is on f = level k (to rounding) ...
    assert len(rings.get_segments()) == len(lines.levels) == 18
    for ring, level in zip(rings.get_segments(), lines.levels, strict=True):
        np.testing.assert_allclose(valley.loss(ring), level, rtol=1e-12)
    # ... where the grid's marching squares put theirs, to its interpolation error
    for segs, level in zip(lines.allsegs, lines.levels, strict=True):
        for seg in segs:
            assert np.max(np.abs(valley.loss(seg) / level - 1)) < 0.1
    # the same colours, band by band (contourf's, alpha included), the same line style
    np.testing.assert_allclose(fills.get_facecolor(), bands.get_facecolor(), atol=1e-12)
    assert len(fills.get_paths()) == len(bands.get_paths()) == 19
    for color in lines.get_edgecolor():
        np.testing.assert_allclose(rings.get_edgecolor()[0], color)
    assert set(rings.get_linewidth()) == set(lines.get_linewidth()) == {0.6}
    assert (fills.get_zorder(), rings.get_zorder()) == (bands.get_zorder(), lines.get_zorder())
    # and the same picture but for edges moved by less than a grid cell
    differ = np.abs(fast_pixels - slow_pixels).max(axis=-1) > 40
    assert differ.mean() < 0.002


def test_ellipses_move_in_place():
    fills, rings = plots.ellipse_contours(ill_conditioned(kappa=10.0))
    ax = fills.axes
    before = [r.copy() for r in rings.get_segments()]
    steep = ill_conditioned(kappa=100.0)
    plots.set_ellipse_contours((fills, rings), steep)
    assert fills.axes is ax and rings.axes is ax and len(ax.collections) == 2
    for ring in rings.get_segments():
        assert not any(np.allclose(ring, b) for b in before)
        level = steep.loss(ring[0])
        np.testing.assert_allclose(steep.loss(ring), level, rtol=1e-12)
    ax.figure.clf()


def test_only_a_2d_quadratic_has_ellipses():
    assert is_quadratic_2d(quadratic([1.0, 4.0])) and is_quadratic_2d(ill_conditioned(5.0))
    assert not is_quadratic_2d(rosenbrock()) and not is_quadratic_2d(ill_conditioned(5.0, dim=3))
    with pytest.raises(ValueError, match="ellipse_contours draws a 2-D quadratic"):
        plots.ellipse_contours(rosenbrock())
