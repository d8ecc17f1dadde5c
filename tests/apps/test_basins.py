"""The basin explorer (sharp or flat minimum), driven by its controls."""

from __future__ import annotations

import threading

import numpy as np

from lrlab.apps.basins import BasinExplorer
from lrlab.basins import DIVERGED


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


def test_curvature_and_noise_redraw_layers_and_equal_the_slow_path():
    """A new curvature or noise level redraws the curve, map, limits and titles from layers
    (no axes drawn again); the frame is the uncached full draw's, the map basin_map's."""
    from lrlab.basins import basin_map
    from lrlab.surfaces import double_well

    from .test_render import assert_same_picture, shown, slow_frame

    app = BasinExplorer(lr=0.05, start=-1.5, resolution=(30, 40), num_steps=200, backend="png")
    draws = (app.canvas.full_draws, app.canvas.axes_draws)
    for ks, noise in [(60.0, 0.0), (60.0, 1.2), (3.0, 1.2), (60.0, 0.0)]:
        app.sharpness.value, app.noise.value = ks, noise
        assert (app.canvas.full_draws, app.canvas.axes_draws) == draws
        want = basin_map(double_well(sharp_curvature=ks), np.geomspace(1e-2, 3.0, 30),
                         np.linspace(-2.0, 2.5, 40), 200, noise=noise,
                         tol=0.05 if noise == 0 else 0.5)
        np.testing.assert_array_equal(app.map.labels, want.labels)
        np.testing.assert_array_equal(app.mesh.get_array().reshape(30, 40),
                                      want.labels - DIVERGED)
        assert app.titles[0].get_text().startswith(f"double well: curvatures {ks:.3g}")
        assert ("noise" in app.titles[1].get_text()) == (noise > 0)
        x = app.curve.get_xdata()
        np.testing.assert_allclose(app.curve.get_ydata(), want_curve := double_well(
            sharp_curvature=ks).loss(x[:, None]))
        assert np.isfinite(want_curve).all()
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()  # slow_frame forgot the background: draw it again
        draws = (app.canvas.full_draws, app.canvas.axes_draws)
    app.close()


def test_basin_explorer_draws_what_the_full_runs_give():
    # Speed (issue 14): the curve shows the first 80 iterates, trained alone (not 300 then
    # cut), and the map's log axis builds 3 ticks, its minor marks one artist
    # (lrlab.apps.log_ticks, pixel-equal to matplotlib's: tests/apps/test_log_ticks.py).
    from matplotlib.figure import Figure

    from lrlab import plots, sgd, train
    from lrlab.basins import basin_map

    from .test_render import assert_same_picture, shown, slow_frame

    app = BasinExplorer(lr=0.05, start=-1.5, resolution=(30, 40), num_steps=300, backend="png")
    assert len(app.ax_map.yaxis.minorTicks) <= 1 and len(app.minor_marks.minor_locs()) > 8
    for lr, x0 in [(0.05, -1.5), (0.5, 0.3), (2.9, 2.4), (0.011, -2.0), (1.2, 1.0)]:
        app.lr.value, app.start.value = lr, x0
        xs = train(app.problem, sgd(lr), 300, x0=[x0], record_params=True).params[:80, 0]
        with np.errstate(all="ignore"):
            fx = app.problem.loss(np.where(np.isfinite(xs), xs, 0.0)[:, None])
        want = plots.steps_1d(xs, np.where(np.isfinite(xs), fx, np.nan), Figure().add_subplot())
        for got, ref in zip(app.steps[0].get_segments(), want[0].get_segments(), strict=True):
            np.testing.assert_array_equal(got, ref)
        np.testing.assert_array_equal(app.steps[1].get_xydata(), want[1].get_xydata())
        assert app.fate == int(basin_map(app.problem, [lr], [x0], 300).labels[0, 0])
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
    app.close()


def test_noise_levels_next_to_the_shown_one_are_mapped_in_the_background():
    """After a noise level is shown, the levels up to three slider steps either side are
    mapped in the background: moving there computes no map, and the map drawn is
    basin_map's, bit for bit, in a frame equal to the uncached full draw. A level further
    away is computed on the spot; moving on drops the maps not started yet."""
    from lrlab.apps.background import wait_all
    from lrlab.basins import basin_map
    from lrlab.surfaces import double_well

    from .test_render import assert_same_picture, shown, slow_frame

    app = BasinExplorer(lr=0.05, start=-1.5, resolution=(30, 40), num_steps=200, noise=1.0,
                        backend="png")
    assert wait_all(timeout=60)
    assert sorted(k[1] for k in app._maps.store) == [0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3]
    made = []   # the maps the updates compute themselves (not the background's)
    real = app._new_map
    app._new_map = lambda ks, noise: (threading.current_thread() is threading.main_thread()
                                      and made.append(noise)) or real(ks, noise)
    for noise, computed in ((1.2, []), (0.8, []), (3.0, [3.0])):
        app.noise.value = noise
        assert made == computed
        made.clear()
        want = basin_map(double_well(sharp_curvature=20.0), np.geomspace(1e-2, 3.0, 30),
                         np.linspace(-2.0, 2.5, 40), 200, noise=noise, tol=0.5)
        np.testing.assert_array_equal(app.map.labels, want.labels)
        np.testing.assert_array_equal(app.map.final, want.final)
        np.testing.assert_array_equal(app.mesh.get_array().reshape(30, 40),
                                      want.labels - DIVERGED)
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
        assert wait_all(timeout=60)
    assert {2.7, 2.8, 2.9} <= {k[1] for k in app._maps.store}
    off = BasinExplorer(lr=0.05, start=-1.5, resolution=(30, 40), num_steps=200, noise=1.0,
                        backend="png", precompute=False)
    assert [k[1] for k in off._maps.store] == [1.0] and off._maps.pending() == 0
    off.close()
    app.close()
