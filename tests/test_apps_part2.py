"""Apps and helpers of the course's second part: driven by their controls, no browser.

Each app is built with the PNG backend, its controls are set in code (traitlets
callbacks run synchronously), and the tests assert on the artists, the status
line and the recomputed results. Figures never go through pyplot.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from lrlab import sgd, train
from lrlab.apps.adaptive import ADAPTIVE_RULES, AdaptiveRates
from lrlab.apps.basins import BasinExplorer
from lrlab.apps.finder_replay import FinderReplay
from lrlab.apps.linesearch_race import LineSearchRace, cost_axis
from lrlab.basins import DIVERGED, UNSETTLED, basin_map, final_points
from lrlab.plots import (
    arrows,
    basin_image,
    new_axes,
    rate_bars,
    set_arrows,
    set_basin_image,
    set_rate_bars,
)
from lrlab.surfaces import double_well, quadratic


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


# ----------------------------------------------------------------------------- basins
def test_final_points_equals_train():
    f = quadratic([1.0, 4.0], x0=[1.0, -2.0])
    lrs = np.array([0.05, 0.2, 0.45])
    end = final_points(f, lrs, f.x0[None, :], 30)
    h = train(f, sgd(lrs), 30)
    np.testing.assert_allclose(end, h.params[-1], rtol=1e-12)


def test_final_points_noise_is_seeded_and_per_run():
    f = double_well()
    a = final_points(f, 0.05, np.full((4, 1), -1.0), 50, noise=1.0, seed=3)
    b = final_points(f, 0.05, np.full((4, 1), -1.0), 50, noise=1.0, seed=3)
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a[:, 0])) == 4  # every run draws its own noise


def test_basin_map_stability_limits():
    well = double_well()  # curvatures 20 (at -1) and 1 (at +1)
    bm = basin_map(well, [0.05, 0.15, 0.5, 2.5], [-1.2, 1.2], 400)
    assert bm.labels.tolist() == [[0, 1], [UNSETTLED, 1], [1, 1], [DIVERGED, DIVERGED]]
    np.testing.assert_allclose(bm.fraction(1), [0.5, 0.5, 1.0, 0.0])
    assert "minimum 0: 1" in repr(bm)


def test_basin_map_no_sharp_minimum_above_its_limit():
    well = double_well(sharp_curvature=40.0)
    bm = basin_map(well, np.geomspace(0.06, 1.5, 30), np.linspace(-2, 2.5, 40), 300)
    assert not np.any(bm.labels == 0)  # 2/40 = 0.05 is below every rate here


def test_basin_map_errors():
    well = double_well()
    with pytest.raises(ValueError, match="'tol' parameter of basin_map"):
        basin_map(well, [0.1], [0.0], 10, tol=0)
    with pytest.raises(ValueError, match="'starts' parameter of basin_map"):
        basin_map(well, [0.1], np.zeros((2, 3)), 10)
    with pytest.raises(ValueError, match="'lrs' parameter of final_points"):
        final_points(well, [-0.1], [[0.0]], 10)
    with pytest.raises(TypeError, match="'problem' parameter of basin_map"):
        basin_map("well", [0.1], [0.0], 10)


# ------------------------------------------------------------------------- plots_more
def test_rate_bars_and_arrows_move_in_place():
    ax = new_axes()
    bars = rate_bars([0.1, np.nan], ax, ylim=(1e-3, 10))
    assert bars[1].get_height() == 0.0  # NaN rate (before the first step): empty bar
    set_rate_bars(bars, [1.0, 0.01])
    np.testing.assert_allclose([b.get_y() + b.get_height() for b in bars], [1.0, 0.01])
    q = arrows([[0, 0]], [[1, 0]], ax)
    set_arrows(q, [[1, 2]], [[0, 3]])
    np.testing.assert_allclose(q.get_offsets(), [[1, 2]])
    assert (float(q.U[0]), float(q.V[0])) == (0.0, 3.0)
    set_arrows(q, [[np.nan, 0]], [[1, 1]])  # NaN hides the arrow without warnings
    assert float(q.U[0]) == 0.0


def test_basin_image_shows_new_map():
    well = double_well()
    a = basin_map(well, [0.05, 0.5], [-1.2, 1.2], 300)
    b = basin_map(well, [0.05, 0.5], [1.2, -1.2], 300)
    mesh = basin_image(a, new_axes())
    before = np.asarray(mesh.get_array()).copy()
    set_basin_image(mesh, b)
    assert not np.array_equal(before, np.asarray(mesh.get_array()))


# ------------------------------------------------------------------------ AdaptiveRates
def test_adaptive_rates_follow_the_controls():
    app = AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3, backend="png")
    r = app.rates[3]
    assert 15 < r[0] / r[1] < 25  # the flat coordinate gets ~kappa times the rate
    heights = [b.get_y() + b.get_height() for b in app.bars]
    np.testing.assert_allclose(heights, r, rtol=1e-12)
    renders = app.canvas.renders
    app.step.value = 10
    np.testing.assert_allclose(app.point.get_xydata()[0], app.history.params[10])
    assert app.canvas.renders == renders + 1
    app.tilt.value = 45
    assert 0.5 < app.rates[3, 0] / app.rates[3, 1] < 2
    app.rule.value = "GD"
    assert app.lr.value == ADAPTIVE_RULES["GD"][1]  # a new rule starts at its usual rate
    assert app.rates[5, 0] == app.rates[5, 1]
    app.rule.value = "Online parabola"
    assert app.lr.disabled and app.last_error is None
    assert app.status_text.startswith("Online parabola:")
    app.close()


def test_adaptive_rates_step_slider_follows_num_steps():
    app = AdaptiveRates("RMSprop", num_steps=40, step=39, backend="png")
    app.num_steps.value = 20
    assert app.step.max == 19 and len(app.rates) == 20
    assert app.last_error is None
    app.close()


def test_adaptive_rates_bad_rule():
    with pytest.raises(ValueError, match="'rule' parameter of AdaptiveRates"):
        AdaptiveRates("SGDW", backend="png")


# ------------------------------------------------------------------------ FinderReplay
def test_finder_replay_walks_the_sweep():
    app = FinderReplay(backend="png", num_steps=80)
    r = app.result
    np.testing.assert_allclose(app.history.loss[1:r.stop + 1], r.losses[:r.stop])
    app.lr.value = 0.02
    i = app.index
    assert abs(np.log10(r.lrs[i] / 0.02)) < 0.06
    np.testing.assert_allclose(app.cursor.get_xdata(), [r.lrs[i]] * 2)
    np.testing.assert_allclose(app.marker.get_ydata(), [r.smoothed[i]])
    image = np.asarray(app.image.get_array()).copy()
    app.lr.value = 5.0
    assert not np.array_equal(image, np.asarray(app.image.get_array()))
    assert "accuracy" in app.title.get_text() or "diverged" in app.title.get_text()
    app.lr.value = 90.0  # past the stop: marked, no crash
    assert "past the test's stop" in app.status_text
    app.close()


def test_finder_replay_batch_size_changes_the_test():
    app = FinderReplay(backend="png", num_steps=80)
    full = app.result.suggestions()
    app.batch_size.value = 16
    assert app.result.settings["batch_size"] == 16
    assert app.result.suggestions() != full
    seed0 = app.result.losses.copy()
    app.seed.value = 1
    assert not np.array_equal(seed0, app.result.losses)
    assert app.last_error is None
    app.close()


# ------------------------------------------------------------------------ BasinExplorer
def test_basin_explorer_fates_and_map():
    app = BasinExplorer(lr=0.05, start=-1.5, resolution=(40, 50), num_steps=300, backend="png")
    assert app.fate == 0
    app.lr.value = 0.5
    assert app.fate == 1
    np.testing.assert_allclose(app.cursor.get_xydata()[0], [-1.5, 0.5])
    app.lr.value = 2.9
    assert app.fate == DIVERGED and "divergence" in app.status_text
    labels = app.map.labels.copy()
    app.sharpness.value = 50.0
    assert not np.array_equal(labels, app.map.labels)
    np.testing.assert_allclose(app.limits[0].get_ydata(), [2 / 50, 2 / 50])
    app.noise.value = 1.0
    assert app.map.noise == 1.0 and app.last_error is None
    app.close()


# ------------------------------------------------------------------------ LineSearchRace
def test_cost_axis():
    h = train(quadratic([1.0, 10.0]), sgd(0.1), 3)
    assert cost_axis(h, "iterations").tolist() == [1, 2, 3, 4]
    assert cost_axis(h, "gradient evaluations").tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="'cost' parameter of cost_axis"):
        cost_axis(h, "seconds")


def test_linesearch_race_costs_and_cache():
    app = LineSearchRace("ill-conditioned quadratic", cost="iterations", num_steps=60,
                         backend="png")
    armijo = app.histories["Armijo"]
    x_iter = app.curves["Armijo"].get_xdata().copy()
    app.cost.value = "all evaluations"
    x_all = app.curves["Armijo"].get_xdata()
    assert x_all[-1] > x_iter[-1]  # backtracking pays in loss evaluations
    gd = app.histories["GD (slider lr)"]
    app.lr.value = 0.5
    assert app.histories["Armijo"] is armijo  # only the fixed-rate run reruns
    assert app.histories["GD (slider lr)"] is not gd
    assert app.histories["GD (slider lr)"].lr[0] == 0.5
    app.problem_name.value = "logistic regression"
    assert app.problem.dim > 2 and not app.paths["Armijo"].get_visible()
    assert app.curves["GD 2/(μ+L)"].get_visible()
    app.problem_name.value = "Rosenbrock"
    assert not app.curves["GD 2/(μ+L)"].get_visible()  # mu unknown: no such racer
    assert app.last_error is None
    app.close()


def test_linesearch_race_bad_arguments():
    with pytest.raises(ValueError, match="'problem' parameter of LineSearchRace"):
        LineSearchRace("Beale", backend="png")
    with pytest.raises(ValueError, match="'cost' parameter of LineSearchRace"):
        LineSearchRace(cost="seconds", backend="png")


def test_apps_display_a_static_png():
    app = BasinExplorer(resolution=(10, 12), num_steps=50, backend="png")
    bundle = app._repr_mimebundle_()
    assert "image/png" in bundle and bundle["text/plain"].startswith("BasinExplorer:")
    app.close()


def test_linesearch_race_legend_names_only_the_racers_that_ran():
    # Regression: the legend was built once with every method, so on Rosenbrock (no
    # strong convexity) it listed "GD 2/(μ+L)", a racer that is not drawn.
    from lrlab.apps.linesearch_race import LineSearchRace

    app = LineSearchRace("Rosenbrock", backend="png")
    names = [t.get_text() for t in app.ax_loss.get_legend().get_texts()]
    assert "GD 2/(μ+L)" not in names and "GD 2/(μ+L)" not in app.histories
    assert names == [n for n in app.histories if n in names] and len(names) == len(
        app.histories)
    app.problem_name.value = "ill-conditioned quadratic"
    names = [t.get_text() for t in app.ax_loss.get_legend().get_texts()]
    assert "GD 2/(μ+L)" in names and len(names) == len(app.histories)
    app.close()


def test_finder_replay_marker_does_not_hide_a_suggestion():
    # Regression: replaying at the 'valley' suggestion (the notebook's lr=0.15) put a filled
    # black dot and a solid black line exactly over the orange valley dot and its line.
    from matplotlib.colors import to_rgba

    from lrlab.apps.finder_replay import FinderReplay

    app = FinderReplay(lr=0.15, backend="png")
    assert app.marker.get_markerfacecolor() == "none"
    assert to_rgba(app.marker.get_markeredgecolor())[3] == 1.0
    assert app.cursor.get_alpha() < 1.0
    app.close()


def test_basin_explorer_legend_does_not_cover_the_map():
    # Regression: the fate legend sat inside the map's upper-left corner, over the fates of
    # the large rates started on the sharp side.
    from lrlab.apps.basins import BasinExplorer

    app = BasinExplorer(lr=0.05, start=-1.5, backend="png")
    app.png()
    renderer = app.figure.canvas.get_renderer()
    legend = app.ax_map.get_legend().get_window_extent(renderer)
    assert legend.x0 >= app.ax_map.get_window_extent(renderer).x1
    assert legend.x1 <= app.figure.bbox.x1  # and not clipped by the figure
    app.close()


def test_linesearch_race_fits_its_lr_slider_to_each_problem():
    from lrlab.apps.linesearch_race import linesearch_race

    app = linesearch_race(backend="png")
    assert (app.lr.min, app.lr.max) == (-5.0, 1.0)  # Rosenbrock: no global L
    app.problem_name.value = "logistic regression"
    L = app.problem.smoothness
    assert np.isclose(10 ** app.lr.min, 1e-3 / L) and np.isclose(10 ** app.lr.max, 10 / L)
    assert np.isclose(app.lr.value, 1 / L)
    app.close()


def test_final_points_records_the_path_of_one_run():
    from lrlab import surfaces
    from lrlab.basins import final_points

    well = surfaces.double_well()
    at = [1, 11, 21]
    path = final_points(well, 0.3, [-1.5], 21, noise=0.5, record_at=at)
    prefixes = [final_points(well, 0.3, [-1.5], k, noise=0.5) for k in at]
    np.testing.assert_array_equal(path, np.stack(prefixes))
    with pytest.raises(ValueError, match="'record_at' parameter of final_points"):
        final_points(well, 0.3, [-1.5], 5, record_at=[6])
