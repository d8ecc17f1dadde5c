"""Every lrlab figure is readable: labelled axes, a title on the figures lrlab makes whole,
a legend that covers no data, and colours a colour-blind reader can tell apart."""

from __future__ import annotations

import itertools

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import lrlab
from lrlab import plots
from lrlab.basins import basin_map
from lrlab.finder import GridComparison, lr_range_test
from lrlab.search import grid_search
from lrlab.sharpness import track_sharpness
from lrlab.surfaces import double_well, parabola, quadratic

#: Okabe & Ito (2008), "Color universal design": the eight colours of their palette.
OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
             "#CC79A7"}

#: Machado, Oliveira & Fernandes (2009), full severity, applied to linear RGB.
CVD = {
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
}


def _lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of a linear-RGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _seen(color: str, matrix: np.ndarray) -> np.ndarray:
    """The CIELAB colour a reader with this colour vision sees for ``color``."""
    c = np.array(matplotlib.colors.to_rgb(color))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return _lab(np.clip(matrix @ linear, 0.0, 1.0))


def _smallest_distance(colors, matrix) -> float:
    return min(float(np.linalg.norm(_seen(a, matrix) - _seen(b, matrix)))
               for a, b in itertools.combinations(colors, 2))


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_palette_is_okabe_ito():
    assert set(plots.COLORS) == OKABE_ITO
    assert len(plots.COLORS) == len(OKABE_ITO)


def test_colour_blind_simulation_flags_red_against_green():
    # the test below can fail: pale green and pale red merge for a deuteranope
    assert _smallest_distance(["#cdeccd", "#f8c9c4"], CVD["deuteranopia"]) < 6


@pytest.mark.parametrize("vision", sorted(CVD))
def test_regime_shading_stays_apart_for_colour_blind_readers(vision):
    assert _smallest_distance(plots.REGIME_COLORS.values(), CVD[vision]) > 15


@pytest.mark.parametrize("vision", sorted(CVD))
def test_the_first_curves_stay_apart_for_colour_blind_readers(vision):
    # the four colours most figures use for their first four curves
    assert _smallest_distance(plots.COLORS[:4], CVD[vision]) > 15


def _labelled(ax) -> None:
    assert ax.get_xlabel().strip(), "no x label"
    assert ax.get_ylabel().strip(), "no y label"


def _legend_beside(ax) -> None:
    """The legend lies right of the axes (so it covers none of the data)."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.x0 >= ax.get_window_extent(renderer).x1 - 0.5


def _palette_only(ax) -> None:
    """Every line is in lrlab's palette or a grey (never matplotlib's default cycle)."""
    for line in ax.get_lines():
        r, g, b = matplotlib.colors.to_rgb(line.get_color())
        grey = np.isclose(r, g) and np.isclose(g, b)
        assert grey or matplotlib.colors.to_hex(line.get_color()).upper() in OKABE_ITO, (
            line.get_label(), line.get_color())


@pytest.fixture(scope="module")
def range_test():
    return lr_range_test(quadratic([1.0, 10.0]), lrlab.sgd)


def test_range_test_plot_is_titled_labelled_and_its_legend_beside(range_test):
    ax = plots.plot_range_test(range_test)
    _labelled(ax)
    assert ax.get_title().startswith("LR range test")
    assert "log scale" in ax.get_xlabel()
    _legend_beside(ax)
    _palette_only(ax)


def test_grid_comparison_is_titled_labelled_and_its_legend_beside():
    c = GridComparison(np.array([0.1, 0.2]), (0, 1), np.array([[1.0, 0.5], [1.0, 0.6]]),
                       {"valley": np.array([0.05, 0.3]), "steep": np.array([0.2, 0.4])}, [])
    ax = plots.plot_grid_comparison({"toy": c})
    _labelled(ax)
    assert ax.get_title()
    _legend_beside(ax)


def test_search_plot_is_titled_in_palette_and_its_legend_beside():
    result = grid_search(quadratic([1.0, 10.0]), lrlab.sgd, [0.01, 0.1, 0.3],
                         param=("momentum", [0.0, 0.5]), num_steps=20, progress=False)
    ax = plots.plot_search(result)
    _labelled(ax)
    assert ax.get_title().endswith(f"best {result.best_lr:.3g}")
    assert ax.get_xlabel() == "learning rate (log scale)"
    _legend_beside(ax)
    _palette_only(ax)
    colours = [line.get_color() for line in ax.get_lines()[:2]]
    assert colours == list(plots.COLORS[:2])      # one palette colour per momentum


def test_sharpness_plot_is_titled_in_palette_and_its_legend_beside():
    trace = track_sharpness(quadratic([1.0, 10.0]), lrlab.sgd(0.1), 20, every=10)
    ax = plots.plot_sharpness(trace)
    _labelled(ax)
    assert "2 / lr" in ax.get_title()
    _legend_beside(ax)
    _palette_only(ax)


def test_basin_legend_is_beside_the_map():
    bm = basin_map(double_well(), [0.05, 0.5], [-1.2, 1.2], 100)
    ax = plots.new_axes()
    plots.basin_image(bm, ax)
    _labelled(ax)
    _legend_beside(ax)


def test_drawing_helpers_label_their_axes():
    bowl = quadratic([1.0, 10.0])
    h = lrlab.train(bowl, lrlab.sgd(0.1), 10)
    checks = [
        lambda ax: plots.loss_curve(h, ax, f_star=0.0),
        lambda ax: plots.lr_curve(lrlab.schedules.cosine(0.1, total_steps=10), 10, ax),
        lambda ax: plots.contours(bowl, ax),
        lambda ax: plots.rate_bars([0.1, 0.01], ax),
        lambda ax: plots.stability_regimes(ax, 1.0),
        lambda ax: plots.curve(parabola(), (-1.0, 1.0), ax),
    ]
    for draw in checks:
        ax = plots.new_axes()
        draw(ax)
        if draw is checks[4]:           # the regimes shade an x axis only (no y values)
            assert ax.get_xlabel()
        else:
            _labelled(ax)
        _palette_only(ax)
