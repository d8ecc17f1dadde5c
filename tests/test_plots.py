"""Plot helpers and the rendering layer: artists hold the right data, blitting is exact."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from matplotlib.contour import QuadContourSet
from PIL import Image

from lrlab import plots, sgd, train
from lrlab.apps.render import Canvas, active_backend, png_bytes
from lrlab.schedules import cosine, step
from lrlab.surfaces import parabola, quadratic, rosenbrock


@pytest.fixture
def ax():
    return plots.new_axes()


def pyplot_figures():
    import matplotlib.pyplot as plt

    return plt.get_fignums()


def test_surface_grid_matches_loss():
    bowl = quadratic([1.0, 10.0])
    X, Y, Z = plots.surface_grid(bowl, resolution=7)
    assert X.shape == Y.shape == Z.shape == (7, 7)
    i, j = 3, 5
    assert Z[i, j] == pytest.approx(0.5 * (X[i, j] ** 2 + 10 * Y[i, j] ** 2))
    (x0, x1), (y0, y1) = bowl.bounds
    assert (X.min(), X.max(), Y.min(), Y.max()) == (x0, x1, y0, y1)


def test_surface_grid_rejects_other_dimensions():
    with pytest.raises(ValueError, match="2-D problems"):
        plots.surface_grid(parabola())


def test_contours_are_log_spaced_and_mark_the_minimum(ax):
    problem = rosenbrock()
    cs = plots.contours(problem, ax, levels=12)
    assert isinstance(cs, QuadContourSet) and cs.axes is ax
    gaps = np.asarray(cs.levels) - plots.surface_grid(problem)[2].min()
    ratios = gaps[1:] / gaps[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-8)  # geometric
    star = [ln for ln in ax.lines if ln.get_marker() == "*"]
    np.testing.assert_allclose(star[0].get_xydata(), problem.minima)
    assert ax.get_xlim() == problem.bounds[0]


def test_trajectory_holds_the_iterates_and_moves_in_place(ax):
    bowl = quadratic([1.0, 10.0])
    h = train(bowl, sgd([0.05, 0.25]), 40)
    line = plots.trajectory(h.params[:, 0], ax)
    np.testing.assert_array_equal(line.get_xydata(), h.params[:, 0])
    plots.set_trajectory(line, h.params[:, 1])  # the diverging run: NaN after the end
    assert np.isnan(line.get_xydata()).any() and len(ax.lines) == 1


def test_loss_curve_plots_the_gap_on_a_log_axis(ax):
    loss = np.array([2.0, 1.0, 0.5, 0.5])
    line = plots.loss_curve(loss, ax, f_star=0.5)
    y = line.get_ydata()
    np.testing.assert_array_equal(y[:2], [1.5, 0.5])
    assert np.isnan(y[2:]).all()  # non-positive gaps cannot go on a log axis
    assert ax.get_yscale() == "log"


def test_lr_curve_evaluates_the_schedule(ax):
    schedule = step(0.1, step_size=10)
    line = plots.lr_curve(schedule, 25, ax)
    np.testing.assert_allclose(line.get_ydata(), [schedule(t) for t in range(25)])
    line2 = plots.lr_curve(cosine(0.1, 25), 25, ax)
    assert line2.get_ydata()[0] == pytest.approx(0.1)


@pytest.mark.parametrize("values, expected", [
    ([0.003, 42.0], (1e-3, 1e2)),
    ([5.0], (0.1, 10.0)),
    ([np.nan, -1.0, 0.0], (0.1, 10.0)),
    ([1e-30, 1.0], (1e-16, 1.0)),
])
def test_decade_limits(values, expected):
    lo, hi = plots.decade_limits(values)
    assert lo == pytest.approx(expected[0]) and hi == pytest.approx(expected[1])


def test_cobweb_path_is_the_staircase():
    p = plots.cobweb_path([3.0, 2.0, np.nan])
    np.testing.assert_array_equal(p, [[3, 3], [3, 2], [2, 2]])
    assert plots.cobweb_path([np.nan]).shape == (0, 2)


def test_steps_1d_draws_one_segment_per_step(ax):
    xs = np.array([2.0, 1.0, 0.5, np.nan])
    segs, dots = plots.steps_1d(xs, xs**2, ax)
    assert len(segs.get_segments()) == 2
    np.testing.assert_array_equal(dots.get_xdata(), [2.0, 1.0, 0.5])


@pytest.mark.parametrize("log", [False, True])
def test_stability_regimes_split_at_1_over_L_and_2_over_L(ax, log):
    L = 4.0
    out = plots.stability_regimes(ax, L, log=log)
    for name, (a, b) in {"monotone": (None, 1 / L), "oscillating": (1 / L, 2 / L),
                         "diverging": (2 / L, None)}.items():
        patch = out[name]
        xs = (np.array([patch.get_x(), patch.get_x() + patch.get_width()])
              if hasattr(patch, "get_width") else patch.get_xy()[:, 0])
        if a is not None:
            assert xs.min() == pytest.approx(a)
        if b is not None:
            assert xs.max() == pytest.approx(b)
    assert ax.get_xscale() == ("log" if log else "linear")
    assert {t.get_text() for t in out["texts"]} >= {"monotone", "oscillating", "diverging"}


def test_stability_regimes_rejects_bad_L(ax):
    with pytest.raises(ValueError, match="The 'L' parameter of stability_regimes"):
        plots.stability_regimes(ax, -1.0)


def test_helpers_never_create_pyplot_figures():
    before = pyplot_figures()
    for _ in range(5):
        plots.contours(quadratic([1.0, 3.0]))
        plots.loss_curve(np.ones(3))
    assert pyplot_figures() == before


# ------------------------------------------------------------------------- rendering
def decode(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_png_bytes_round_trip():
    canvas = Canvas((2, 1.5), backend="png", dpi=50)
    ax = canvas.figure.add_subplot()
    ax.plot([0, 1], [1, 0], color="red")
    canvas.figure.canvas.draw()
    img = decode(png_bytes(canvas.figure.canvas))
    rgba = np.asarray(canvas.figure.canvas.buffer_rgba())
    np.testing.assert_array_equal(img, rgba[..., :3])
    assert img.shape == (75, 100, 3)


def test_blitted_frames_equal_full_redraws():
    canvas = Canvas((4, 3), backend="png", dpi=60)
    ax = canvas.figure.add_subplot()
    plots.contours(quadratic([1.0, 5.0]), ax)
    line = plots.trajectory(np.zeros((0, 2)), ax)
    canvas.animate(line)
    canvas.render()
    assert canvas.full_draws == 1
    line.set_data([-1, 0, 1], [1, 0, 0.5])
    canvas.render()  # blitted
    assert (canvas.renders, canvas.full_draws) == (2, 1)
    blitted = decode(canvas.png)
    canvas.invalidate()
    canvas.render()  # full draw of the same state
    assert canvas.full_draws == 2
    np.testing.assert_array_equal(blitted, decode(canvas.png))


def test_hidden_animated_artists_are_not_drawn():
    canvas = Canvas((2, 2), backend="png", dpi=40)
    ax = canvas.figure.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (line,) = ax.plot([0, 1], [0, 1], linewidth=8, color="k")
    canvas.animate(line)
    canvas.render()
    dark = (decode(canvas.png) < 50).sum()
    line.set_visible(False)
    canvas.render()
    assert dark > 100 and (decode(canvas.png) < 50).sum() < dark / 10


def test_canvas_rejects_unknown_backend():
    with pytest.raises(ValueError, match="The 'backend' parameter of Canvas"):
        Canvas(backend="svg")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ipympl's Toolbar and traitlets
def test_ipympl_backend_uses_the_canvas_widget():
    from lrlab.apps.render import _ipympl

    MplCanvas, _ = _ipympl()
    before = pyplot_figures()
    canvas = Canvas((3, 2), backend="ipympl")
    assert isinstance(canvas.widget, MplCanvas) and canvas.figure.canvas is canvas.widget
    ax = canvas.figure.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    canvas.animate(line)
    canvas.render()
    assert canvas.renders == 1
    dpi = canvas.figure.dpi
    assert decode(canvas.to_png()).shape[:2] == (round(2 * dpi), round(3 * dpi))
    canvas.close()
    assert pyplot_figures() == before


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_active_backend_follows_matplotlib_widget(monkeypatch):
    Canvas(backend="ipympl")  # importing ipympl must not switch the backend
    assert active_backend() == "png"
    # (not rc_context: it deliberately does not restore the backend, which would leak
    # %matplotlib widget into every later test that uses pyplot)
    monkeypatch.setitem(matplotlib.rcParams, "backend", "module://ipympl.backend_nbagg")
    assert active_backend() == "ipympl"


def test_curves_without_a_colour_get_successive_palette_colours():
    from lrlab import plots

    ax = plots.new_axes()
    first = plots.loss_curve(np.array([1.0, 0.5, 0.25]), ax)
    second = plots.loss_curve(np.array([1.0, 0.7, 0.5]), first.axes)
    assert first.get_color() != second.get_color()
    assert second.get_color() == plots.COLORS[1]
