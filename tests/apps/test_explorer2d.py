"""The 2-D explorer, driven by its controls."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
from lrlab.apps import explorer2d as e2d
from lrlab.apps import explorer2d_rules as e2d_rules
from lrlab.surfaces import ill_conditioned, parabola, quadratic


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
    real = e2d_rules.train

    def counting(*args, **kwargs):
        calls.append(args[1].batch_shape)
        return real(*args, **kwargs)

    monkeypatch.setattr(e2d_rules, "train", counting)
    app = lw.Explorer2D("quadratic", rules=["GD", "momentum"], lr=0.05, factors=(0.5, 1, 2),
                        backend="png")
    assert calls == [(6,)]  # GD and momentum are one sgd: one batch of both
    assert app.labels[:3] == ["GD, lr×0.5", "GD, lr×1", "GD, lr×2"]
    alone = train(app.problem, sgd(0.1), 100)
    np.testing.assert_allclose(app.paths[2].get_xydata(), alone.params)
    app.rules.value = ("GD", "Nesterov")
    assert calls[1:] == [(3,), (3,)]


@pytest.mark.parametrize("lr", [0.05, 1.0, 1.95, 2.2, 4.0, 9.0])
def test_batched_gd_and_momentum_equal_their_own_runs(lr):
    # Speed (issue 14): GD and momentum train in one batched call; each run is the run
    # trained alone (the slow path) to float rounding, divergence and status included.
    problem = ill_conditioned(kappa=30.0)
    x0 = problem.x0
    lrs = lr * np.array([0.5, 1.0])
    runs = e2d_rules.train_rules(problem, ["momentum", "GD"], lrs, 0.8, 120, x0)
    assert list(runs) == ["momentum", "GD"]
    for name in ("GD", "momentum"):
        alone = train(problem, e2d.RULES[name](lrs, 0.8), 120, x0=x0, record_params=True)
        mine = runs[name]
        np.testing.assert_allclose(mine.params, alone.params, rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(mine.loss, alone.loss, rtol=1e-12, atol=1e-300)
        np.testing.assert_array_equal(mine.diverged_at, alone.diverged_at)
        np.testing.assert_array_equal(mine.reason, alone.reason)
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=lr, momentum=0.8,
                         kappa=30.0, num_steps=120, backend="png")
    parts = []
    for name in ("GD", "momentum"):
        h = train(problem, e2d.RULES[name](np.array([lr]), 0.8), 120, x0=x0,
                  record_params=True)[0]
        steps = np.diff(h.params, axis=0)
        parts.append(f"{name}: {e2d.describe_run(h, f_star=0.0, steps=steps)}")
    assert app.status_text.startswith(" · ".join(parts))
    app.close()


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


def test_explorer_2d_update_is_blitted():
    app = lw.Explorer2D("rosenbrock", rules=["GD"], backend="png")
    draws = app.canvas.full_draws
    for lr in (1e-3, 1.1e-3, 1.2e-3):
        app.lr.value = lr
    assert app.canvas.full_draws == draws  # contours are not redrawn


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


def test_status_says_stationary_point_for_a_local_minimum():
    # Regression: GD on Rastrigin settles in a local minimum (gradient ~1e-14) and the
    # status said "stuck: loss not decreasing", as if the rate were too small.
    app = lw.explorer_2d("rastrigin", backend="png")
    h = app.histories["GD"]
    assert float(np.ravel(h.grad_norm)[-1]) < 1e-10 and float(np.ravel(h.loss)[-1]) > 1.0
    assert app.status_text.startswith("GD: stopped at a stationary point after ")
    assert "above the global minimum" in app.status_text
    app.close()


def test_explorer_2d_sliders_redraw_layers_not_the_figure():
    # Speed (issue 14): kappa moves the ellipse contours and the title (cached layers),
    # steps and the start point move the loss axes (layers of their own); no control but
    # the surface redraws an axes, and what is drawn is what plots.contours would draw.
    from lrlab import plots

    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0, momentum=0.8,
                         num_steps=150, backend="png")
    full = app.canvas.full_draws
    for kappa in (1.0, 31.6, 1000.0):
        app.kappa.value = kappa
        valley = ill_conditioned(kappa=kappa)
        ax = plots.new_axes()
        slow = plots.contours(valley, ax)  # the slow path: a grid and marching squares
        rings = app.ellipses[1].get_segments()
        np.testing.assert_allclose([valley.loss(r[0]) for r in rings], slow.levels,
                                   rtol=1e-12)
        np.testing.assert_allclose(app.ellipses[0].get_facecolor(),
                                   ax.collections[0].get_facecolor())
        ax.figure.clf()
        assert app.title.get_text() == app.ax_paths.get_title() == valley.name
    for T, width in ((5, 5), (255, 500), (500, 500), (15, 20)):
        app.num_steps.value = T
        assert app.ax_loss.get_xlim() == (0, width)  # 1-2-5 steps wide
    app.x.value, app.y.value = app.x.min, app.y.max  # a start far out: the gap axis rescales
    top = plots.decade_limits([app.losses[0].get_ydata()[0]], min_decades=0)[1]
    assert app.ax_loss.get_ylim() == pytest.approx((top * 1e-10, top * 1e2))
    app.rules.value = ("GD", "Nesterov", "Adam")
    names = [t.get_text() for t in app.ax_paths.get_legend().get_texts()]
    assert names == ["GD", "Nesterov", "Adam"]
    assert app.canvas.full_draws == full and app.canvas.axes_draws == 0
    app.surface.value = "rosenbrock"  # grid contours, in the background: one axes redrawn
    assert not any(e.get_visible() for e in app.ellipses)
    assert app.canvas.full_draws == full and app.canvas.axes_draws == 1
    assert app.canvas._group_of(app.title) is not None and app.last_error is None
    app.close()


def test_explorer_2d_steps_slider_slices_one_long_run():
    # Speed (issue 14): a steps move trains the slider's longest runs once; every later
    # length is their first steps, equal to runs trained for that length (the slow path),
    # and so is the frame; a new lr trains runs of the shown length again.
    from tests.apps.test_render import assert_same_picture, shown, slow_frame

    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=2.1, momentum=0.8,
                         num_steps=150, backend="png")  # GD diverges, momentum does not
    first = dict(app.histories)
    app.num_steps.value = 40  # shorter: the first steps of the runs shown
    assert all(app.histories[n] is first[n] for n in first)
    app.num_steps.value = 300  # longer: the slider's longest runs, once
    long = dict(app.histories)
    assert all(h.num_steps == app.num_steps.max for h in long.values())
    for T in (5, 35, 300, 495):
        app.num_steps.value = T
        assert all(app.histories[n] is long[n] for n in long)  # sliced, not trained
        fresh = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=2.1,
                               momentum=0.8, num_steps=T, backend="png")
        for mine, slow in zip(app.paths + app.losses, fresh.paths + fresh.losses, strict=True):
            np.testing.assert_array_equal(mine.get_xydata(), slow.get_xydata())
        assert app.status_text == fresh.status_text
        assert_same_picture(shown(app.canvas), shown(fresh.canvas))
        fresh.close()
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
    app.lr.value = 0.5
    assert all(h.num_steps == 495 for h in app.histories.values())
    app.close()


@pytest.mark.parametrize("start, names", [
    ("ill_conditioned", ("rosenbrock", "quadratic", "saddle", "himmelblau", "ill_conditioned")),
    ("rosenbrock", ("quadratic", "beale", "ill_conditioned")),  # ellipses made at opening
])
def test_explorer_2d_surface_change_redraws_one_axes_and_equals_a_fresh_app(start, names):
    # Speed (issue 14): a new surface redraws the contour axes alone (the loss axes keep
    # their layers) and the ellipses are hidden, not removed, off a quadratic; every frame
    # equals a full draw and the frame of an explorer opened on that surface.
    from tests.apps.test_render import assert_same_picture, shown, slow_frame

    app = lw.explorer_2d(start, rules=["GD", "momentum"], momentum=0.8, num_steps=150,
                         backend="png")
    for name in names:
        full = app.canvas.full_draws
        app.surface.value = name
        assert app.canvas.full_draws == full, name
        fresh = lw.explorer_2d(name, rules=["GD", "momentum"], momentum=0.8, num_steps=150,
                               backend="png")
        assert app.ax_paths.get_xlim() == fresh.ax_paths.get_xlim()
        assert app.ax_paths.get_ylim() == fresh.ax_paths.get_ylim()
        for mine, slow in zip(app.paths + app.losses, fresh.paths + fresh.losses, strict=True):
            np.testing.assert_allclose(mine.get_xydata(), slow.get_xydata(), rtol=1e-12)
        assert app.status_text == fresh.status_text
        assert_same_picture(shown(app.canvas), shown(fresh.canvas))
        fresh.close()
        # (a freshly opened quadratic explorer too has a pixel 3 levels off the full draw:
        # the star is composited over the ellipses' layer, which is composited itself)
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
        app.lr.value = app.lr.value * 1.5  # a frame after the full draw: blitted again
    app.close()


def test_explorer_2d_kappa_frames_equal_a_fresh_app_and_a_full_draw():
    # Speed (issue 14): kappa moves the ellipses (ValleyContours) and the title, one layer
    # for both, and trains GD and momentum in one batch: the picture is an explorer opened
    # at that kappa and the uncached full draw.
    from tests.apps.test_render import assert_same_picture, shown, slow_frame

    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0, momentum=0.8,
                         num_steps=150, backend="png")
    assert app.canvas._group_of(app.title) is app.canvas._group_of(app.ellipses[0])
    for kappa in (1.0, 3.16, 251.0, 1000.0):
        app.kappa.value = kappa
        fresh = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0,
                               momentum=0.8, kappa=kappa, num_steps=150, backend="png")
        for mine, slow in zip(app.ellipses, fresh.ellipses, strict=True):
            for a, b in zip(mine.get_paths() if hasattr(mine, "get_paths") else [],
                            slow.get_paths() if hasattr(slow, "get_paths") else [], strict=True):
                np.testing.assert_array_equal(a.vertices, b.vertices)
        assert app.title.get_text() == fresh.title.get_text()
        assert_same_picture(shown(app.canvas), shown(fresh.canvas))
        fresh.close()
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas), levels=3)
        app.lr.value = 0.9  # a blitted frame after the full draw
        app.lr.value = 1.0
    app.close()
