"""The apps, driven programmatically: set controls, check artists, status and no leaks."""

from __future__ import annotations

import gc
import resource
import sys
import warnings

import ipywidgets as W
import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
from lrlab.apps import explorer2d as e2d
from lrlab.apps.base import describe_run
from lrlab.schedules import cosine, step
from lrlab.surfaces import ill_conditioned, parabola, quadratic

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ipympl's Toolbar


def rss_bytes() -> int:
    """Resident memory now (Linux), else the peak so far (an upper bound on growth)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def fignums():
    import matplotlib.pyplot as plt

    return plt.get_fignums()


# ------------------------------------------------------------------ describe_run
def test_describe_run_names_what_happened():
    bowl = quadratic([1.0, 10.0])
    h = train(bowl, sgd([0.05, 0.195, 0.21]), 300)  # steep factors 0.5, -0.95, -1.1
    steps = np.diff(h.params, axis=0)
    texts = [describe_run(h[i], f_star=0.0, steps=steps[:, i]) for i in range(3)]
    assert texts[0].startswith("converged in ") and "oscillating" not in texts[0]
    assert texts[1].startswith("converged in ") and texts[1].endswith("(oscillating)")
    assert texts[2] == f"diverged at step {h.diverged_at[2]}: {h.reason[2]}"
    # converged in k steps: the first step whose gap is below 1e-6 of the start
    k = int(texts[0].split()[2])
    gap = h.loss[:, 0]
    assert gap[k] <= 1e-6 * gap[0] < gap[k - 1]
    short = train(bowl, sgd(0.001), 20)
    assert describe_run(short, f_star=0.0) == "still descending after 20 steps"


# ------------------------------------------------------------------------ 1-D
def test_explorer_1d_regimes_follow_lr_times_L():
    app = lw.explorer_1d(lr=0.5, backend="png")
    assert isinstance(app.lr, W.FloatLogSlider)
    assert "monotone regime" in app.status_text and app.status_text.startswith("converged")
    app.lr.value = 1.5
    assert "oscillating regime" in app.status_text and "(oscillating)" in app.status_text
    app.lr.value = 2.5
    assert "diverging regime" in app.status_text
    assert app.artists["marker"].get_xdata()[0] == pytest.approx(2.5)
    # same lr, flatter bowl: stable again (lr is measured in units of 1/L)
    app.curvature.value = 0.5
    assert app.L == pytest.approx(0.5)
    assert app.artists["marker"].get_xdata()[0] == pytest.approx(1.25)
    assert "oscillating regime" in app.status_text


def test_explorer_1d_artists_hold_the_run():
    app = lw.Explorer1D(lr=0.3, num_steps=12, x0=2.0, backend="png")
    expected = train(parabola(1.0), sgd(0.3), 12, x0=[2.0]).params[:, 0]
    np.testing.assert_allclose(app.artists["dots"].get_xdata(), expected)
    np.testing.assert_allclose(app.artists["dots"].get_ydata(), 0.5 * expected**2)
    cob = app.artists["cobweb"].get_xydata()
    assert cob.shape == (2 * 13 - 1, 2) and cob[1, 1] == pytest.approx(expected[1])
    grid, g = app.artists["map"].get_data()
    np.testing.assert_allclose(g, grid - 0.3 * grid)  # g(x) = x - lr f'(x)
    np.testing.assert_allclose(app.artists["error"].get_ydata(), np.abs(expected))
    u = app.artists["arrows"].U
    np.testing.assert_allclose(u[:10], np.diff(expected)[:10])
    app.num_steps.value = 5
    assert len(app.artists["dots"].get_xdata()) == 6
    app.x0.value = -1.0
    assert app.artists["dots"].get_xdata()[0] == -1.0


def test_explorer_1d_on_a_curve_uses_the_curvature_at_the_minimum():
    app = lw.Explorer1D("parabola", lr=0.5, backend="png")
    app.kind.value = "curve"
    assert app.curvature.disabled and app.last_error is None
    h = app.problem.hessian(np.array([app.x_star]))
    assert app.L == pytest.approx(float(np.ravel(h)[0]))
    assert "near the minimum" in app.status_text


# ------------------------------------------------------------------------ 2-D
def test_explorer_2d_paths_equal_train_and_status_reports_divergence():
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=0.5, momentum=0.8,
                         num_steps=60, backend="png")
    problem = ill_conditioned(kappa=10.0)
    x0 = problem.x0
    gd = train(problem, sgd(0.5), 60, x0=x0)
    mom = train(problem, sgd(0.5, momentum=0.8), 60, x0=x0)
    np.testing.assert_allclose(app.paths[0].get_xydata(), gd.params)
    np.testing.assert_allclose(app.paths[1].get_xydata(), mom.params)
    np.testing.assert_allclose(app.losses[0].get_ydata(), gd.loss, rtol=1e-12)
    assert app.labels == ["GD", "momentum"]
    assert not any(p.get_visible() for p in app.paths[2:])
    app.lr.value = 2.2  # > 2/L = 2 for GD; heavy ball with mu=0.8 is stable up to 3.6
    h = train(problem, sgd(2.2), 60, x0=x0)
    assert app.status_text.startswith(f"GD: diverged at step {h.diverged_at}: {h.reason}")
    assert "momentum: diverged" not in app.status_text


def test_explorer_2d_controls_change_the_runs():
    app = lw.Explorer2D("ill_conditioned", lr=0.5, num_steps=40, backend="png")
    app.num_steps.value = 20
    assert app.paths[0].get_xydata().shape == (21, 2)
    app.x.value, app.y.value = -1.0, 0.5
    np.testing.assert_allclose(app.paths[0].get_xydata()[0], [-1.0, 0.5])
    np.testing.assert_allclose(app.start_marker.get_xydata(), [[-1.0, 0.5]])
    app.kappa.value = 100.0
    assert app.problem.smoothness / app.problem.strong_convexity == pytest.approx(100.0)
    app.rules.value = ("GD", "Nesterov")
    assert app.labels == ["GD", "Nesterov"]
    app.surface.value = "rosenbrock"
    assert app.kappa.disabled and app.lr.value == pytest.approx(1e-3, rel=0.02)
    np.testing.assert_allclose(app.paths[0].get_xydata()[0], app.problem.x0)
    assert app.last_error is None


def test_explorer_2d_factors_are_one_batched_run_per_rule(monkeypatch):
    calls = []
    real = e2d.train

    def counting(*args, **kwargs):
        calls.append(args[1].batch_shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(e2d, "train", counting)
    app = lw.Explorer2D("quadratic", rules=["GD", "momentum"], lr=0.05, factors=(0.5, 1, 2),
                        backend="png")
    assert calls == [(3,), (3,)]
    assert app.labels[:3] == ["GD, lr×0.5", "GD, lr×1", "GD, lr×2"]
    alone = train(app.problem, sgd(0.1), 100)
    np.testing.assert_allclose(app.paths[2].get_xydata(), alone.params)


def test_explorer_2d_accepts_any_2d_problem_and_rejects_bad_input():
    bowl = quadratic([2.0, 3.0], x0=[1.0, -1.0])
    app = lw.Explorer2D(bowl, lr=0.1, backend="png")
    assert app.surface.options == (bowl.name,) and app.problem is bowl
    L = bowl.smoothness
    assert app.lr.min == pytest.approx(np.log10(1e-3 / L))
    with pytest.raises(ValueError, match="must be a 2-D problem"):
        lw.Explorer2D(parabola())
    with pytest.raises(ValueError, match="'problem' parameter of Explorer2D"):
        lw.Explorer2D("nope")
    with pytest.raises(ValueError, match="'rules' parameter of Explorer2D"):
        lw.Explorer2D(rules=["SGDR"])


def test_errors_in_callbacks_are_shown_in_the_app(monkeypatch):
    app = lw.Explorer2D("quadratic", rules=["GD"], lr=0.05, backend="png")

    def broken(lr, momentum):
        raise RuntimeError("the rule broke")

    monkeypatch.setitem(e2d.RULES, "GD", broken)
    app.lr.value = 0.06  # no exception escapes the callback
    assert isinstance(app.last_error, RuntimeError)
    assert "RuntimeError" in app.error.value and "the rule broke" in app.error.value
    monkeypatch.undo()
    app.lr.value = 0.07
    assert app.last_error is None and app.error.value == ""


def test_explorer_2d_update_is_blitted():
    app = lw.Explorer2D("rosenbrock", rules=["GD"], backend="png")
    draws = app.canvas.full_draws
    for lr in (1e-3, 1.1e-3, 1.2e-3):
        app.lr.value = lr
    assert app.canvas.full_draws == draws  # contours are not redrawn


# ---------------------------------------------------------------- schedule race
def test_schedule_race_runs_each_schedule_on_the_same_minibatches():
    race = lw.schedule_race(schedules=["constant", "step ÷10", "cosine"], lr=0.3,
                            num_steps=300, decay_every=100, backend="png")
    h = race.histories["step ÷10"]
    expected = train(race.problem, sgd(step(0.3, 100)), 300, batch_size=4, seed=0,
                     eval_every=1)
    np.testing.assert_allclose(h.params, expected.params)
    # the loss panel shows the full-data loss of those iterates
    np.testing.assert_allclose(race.problem.loss(h.params), expected.eval_loss)
    np.testing.assert_allclose(race.lr_lines[2].get_ydata(), [cosine(0.3, 300)(t)
                                                              for t in range(300)])
    assert race.final["step ÷10"] < race.final["constant"] / 3
    assert race.status_text.startswith("final loss gap")
    race.schedules.value = ("constant",)
    assert not race.lr_lines[1].get_visible() and race.labels == ["constant"]
    race.schedules.value = ()
    assert "pick at least one" in race.status_text


def test_schedule_race_rejects_unknown_schedules():
    with pytest.raises(ValueError, match="'schedules' parameter of ScheduleRace"):
        lw.ScheduleRace(schedules=["warp"], backend="png")


# -------------------------------------------------------------- noise explorer
def test_noise_floor_theory():
    p = lw.default_data_problem()
    f1, f4 = lw.noise_floor(p, 0.05, 1), lw.noise_floor(p, 0.05, 4)
    n = p.n_samples
    # without-replacement factor (n - B)/(n - 1)/B
    assert f1 / f4 == pytest.approx(4 * (n - 1) / (n - 4), rel=1e-6)
    # small lr: floor ~ lr tr(Sigma_B) / 4
    sigma = lw.gradient_noise_covariance(p, batch_size=1)
    assert lw.noise_floor(p, 1e-4, 1) == pytest.approx(1e-4 * np.trace(sigma) / 4, rel=1e-3)
    assert lw.noise_floor(p, 2.0 / p.smoothness, 1) == np.inf
    # gradient covariance of least squares at the optimum: mean of r_i^2 a_i a_i^T
    X, y = p.data.X, p.data.y
    A = np.column_stack([X[:, 0], np.ones(n)])
    r = A @ p.minima[0] - y
    np.testing.assert_allclose(sigma, (A * r[:, None] ** 2).T @ A / n, rtol=1e-8, atol=1e-10)


def test_noise_explorer_floor_and_decay():
    app = lw.noise_explorer(lr=0.2, batch_size=4, num_steps=800, backend="png")
    assert 0.5 < app.measured_floor / app.floor < 2
    assert app.floor_line.get_ydata()[0] == pytest.approx(app.floor)
    floor4 = app.measured_floor
    app.batch_size.value = 32
    assert app.measured_floor < floor4 / 4
    app.batch_size.value = 4
    app.decay.value = "step ÷10"
    assert app.final_gap < app.measured_floor / 5
    assert app.path_constant.get_visible()
    assert "step ÷10:" in app.status_text


# ------------------------------------------------------------- shared behaviour
@pytest.mark.parametrize("make", [
    lambda: lw.Explorer1D(backend="png"),
    lambda: lw.Explorer2D(backend="png"),
    lambda: lw.ScheduleRace(num_steps=100, backend="png"),
    lambda: lw.NoiseExplorer(num_steps=100, backend="png"),
])
def test_every_app_displays_live_and_static(make):
    app = make()
    assert isinstance(app.lr, W.FloatLogSlider) and app.lr.description.endswith("lr")
    bundle = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    import base64

    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert app.canvas.widget in app.widget.children
    app.close()


def test_ipympl_path_drives_the_same_app():
    from lrlab.apps.render import _ipympl

    app = lw.Explorer2D("ill_conditioned", lr=0.5, backend="ipympl")
    assert isinstance(app.canvas.widget, _ipympl()[0])
    app.lr.value = 2.5
    assert app.status_text.startswith("GD: diverged")
    assert app.canvas.to_png()[:4] == b"\x89PNG"
    app.close()


def test_no_leaks_over_500_updates():
    before = fignums()
    app = lw.Explorer2D("ill_conditioned", rules=["GD"], num_steps=30, backend="png")
    n_artists = len(app.ax_paths.get_children()) + len(app.ax_loss.get_children())
    values = np.geomspace(0.05, 1.5, 50)
    for lr in values[:20]:  # warm up caches before measuring
        app.lr.value = lr
    gc.collect()
    start = rss_bytes()
    for i in range(500):
        app.lr.value = values[i % 50]
    gc.collect()
    grown = rss_bytes() - start
    assert grown < 20e6, f"memory grew by {grown / 1e6:.1f} MB"
    assert len(app.ax_paths.get_children()) + len(app.ax_loss.get_children()) == n_artists
    assert fignums() == before
    # re-running the cell: a new app per run, the old one closed
    for _ in range(5):
        app.close()
        app = lw.explorer_1d(backend="png")
    assert fignums() == before


def test_explorer_2d_draws_its_contours_from_the_start():
    # Regression: the cached background (contours, title, window) must exist before any
    # control moves, or the first picture a learner sees is paths on a blank, zoomed axes.
    from lrlab import surfaces

    app = lw.explorer_2d("ill_conditioned", rules=["GD"], lr=1.0, num_steps=50)
    bowl = surfaces.ill_conditioned(kappa=10.0)
    assert len(app.ax_paths.collections) > 0
    np.testing.assert_allclose(app.ax_paths.get_xlim(), bowl.bounds[0])
    np.testing.assert_allclose(app.ax_paths.get_ylim(), bowl.bounds[1])
    assert app.ax_paths.get_title() == bowl.name
    app.close()


def test_noise_explorer_says_diverged_without_warnings():
    # Regression: at the top of the lr range a batch-4 run diverges; the app used to average
    # a NaN tail (RuntimeWarning escaped) and print "floor measured nan" in a green status.
    app = lw.noise_explorer(lr=0.2, batch_size=4, decay="step ÷10", num_steps=800,
                            backend="png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.lr.value = 10 ** app.lr.max
    assert app.last_error is None
    assert app.constant_history.diverged
    assert "diverged at step" in app.status_text and "nan" not in app.status_text
    assert "#cf222e" in app.status.value  # shown as bad
    assert app.measured_floor == np.inf and app.final_gap == np.inf
    app.close()


def test_schedule_race_names_diverged_contestants():
    # Regression: at the top of the lr range the status ranked "constant inf < cosine inf"
    # in green; diverged contestants are now listed apart, with their step, in red.
    race = lw.schedule_race(schedules=["constant", "1/t"], lr=0.5, num_steps=200,
                            backend="png")
    race.lr.value = 10 ** race.lr.max
    assert race.histories["constant"].diverged and not race.histories["1/t"].diverged
    assert "inf" not in race.status_text
    assert race.status_text.startswith("final loss gap (mean of last 10%): 1/t ")
    assert "diverged: constant at step " in race.status_text
    assert "#cf222e" in race.status.value
    race.close()


def test_blitting_keeps_the_legend_above_the_paths():
    # Regression: the legend lived in the cached background, so every blitted update drew
    # the paths (zorder 4) over it (zorder 5): a path crossing the legend hid its entries.
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], backend="png")
    legend, path = app.ax_paths.get_legend(), app.paths[0]
    order = []
    for artist, name in ((legend, "legend"), (path, "path")):
        draw = artist.draw
        artist.draw = lambda renderer, draw=draw, name=name: (order.append(name),
                                                              draw(renderer))
    app.lr.value = 0.5  # a blitted update: the background is reused
    assert app.canvas.full_draws == 1
    assert order == ["path", "legend"]
    app.close()


def test_status_says_stationary_point_for_a_local_minimum():
    # Regression: GD on Rastrigin settles in a local minimum (gradient ~1e-14) and the
    # status said "stuck: loss not decreasing", as if the rate were too small.
    app = lw.explorer_2d("rastrigin", backend="png")
    h = app.histories["GD"]
    assert float(np.ravel(h.grad_norm)[-1]) < 1e-10 and float(np.ravel(h.loss)[-1]) > 1.0
    assert app.status_text.startswith("GD: stopped at a stationary point after ")
    assert "above the global minimum" in app.status_text
    app.close()


def test_noise_explorer_says_when_the_run_has_not_reached_its_floor():
    # Regression: at the smallest rate the status claimed "floor measured 1.1,
    # predicted 0.0001" for a run that was simply still descending.
    app = lw.noise_explorer(backend="png")
    app.lr.value = 10 ** app.lr.min
    assert "still descending" in app.status_text and "not at its floor" in app.status_text
    app.lr.value = 0.2
    assert "floor measured" in app.status_text
    app.close()


def test_schedule_race_retrains_only_what_changed():
    race = lw.schedule_race(schedules=["constant", "cosine"], lr=0.3, num_steps=200,
                            decay_every=100, backend="png")
    before = race.histories["constant"]
    race.schedules.value = ("constant", "cosine", "step ÷10")
    assert race.histories["constant"] is before          # reused, not trained again
    race.lr.value = 0.2
    assert race.histories["constant"] is not before      # a new lr changes every run
    race.close()
