"""The noise explorer, driven by its controls."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lrlab import widgets as lw


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


def test_noise_explorer_says_when_the_run_has_not_reached_its_floor():
    # Regression: at the smallest rate the status claimed "floor measured 1.1,
    # predicted 0.0001" for a run that was simply still descending.
    app = lw.noise_explorer(backend="png")
    app.lr.value = 10 ** app.lr.min
    assert "still descending" in app.status_text and "not at its floor" in app.status_text
    app.lr.value = 0.2
    assert "floor measured" in app.status_text
    app.close()


def test_noise_explorer_colours_the_cloud_by_phase():
    # issue 11: the collapse of the cloud after each tenfold drop must be visible
    app = lw.noise_explorer(lr=0.2, batch_size=4, decay="step ÷10", num_steps=800,
                            backend="png")
    assert app.phase_labels == ["η₀", "η₀/10", "η₀/100"]
    colours = {line.get_color() for line in app.phase_paths}
    assert len(colours) == 3
    # iterates 1..400 were made at eta_0, 401..600 at eta_0/10, 601..800 at eta_0/100;
    # each phase line also shows the last point of the phase before (so the lines join)
    counts = [int(np.isfinite(line.get_xdata()).sum()) for line in app.zoom_paths]
    assert counts == [401, 200, 200]
    assert [int(np.isfinite(line.get_xdata()).sum()) for line in app.phase_paths] == \
        [401, 201, 201]
    assert all(line.get_visible() for line in app.phase_paths + app.zoom_paths)
    # the cloud shrinks with the rate (sqrt(10) at equilibrium; the last phase is shorter
    # than its relaxation time, so it shrinks less)
    wide, mid, narrow = app.phase_spread
    assert mid < wide / 2 and narrow < mid
    legend = [t.get_text() for t in app.ax_loss.get_legend().get_texts()]
    assert legend == ["step ÷10: lr η₀", "step ÷10: lr η₀/10", "step ÷10: lr η₀/100",
                      "constant lr"]
    app.decay.value = "1/t"
    assert app.phase_labels == ["η₀ → η₀/10", "η₀/10 → η₀/21"]
    assert app.phase_paths[1].get_visible() and not app.phase_paths[2].get_visible()
    app.decay.value = "constant"
    assert [line.get_visible() for line in app.phase_paths] == [True, False, False]
    assert not app.zoom_constant.get_visible()
    app.close()


def test_decay_phases_by_decade_of_the_rate():
    from lrlab.apps.noise import decay_phases

    phase, labels = decay_phases(np.array([1.0, 0.5, 0.11, 0.1, 0.02, 0.01, 1e-4]))
    assert phase.tolist() == [0, 0, 0, 1, 1, 2, 2] and labels == ["η₀ → η₀/9.1",
                                                                   "η₀/10 → η₀/50",
                                                                   "η₀/100 → η₀/10000"]
    phase, labels = decay_phases(np.full(5, 0.3))
    assert phase.tolist() == [0] * 5 and labels == ["η₀"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phase, _ = decay_phases(np.array([0.2, np.nan, 0.0]))  # a diverged run's record
    assert phase.tolist() == [0, 0, 0]


def _direct(app, decay):
    """A run of the explorer's settings trained alone, the slow way."""
    from lrlab import sgd, train

    T = app.num_steps.value
    return train(app.problem, sgd(app.schedule(decay, app.lr.value, T)), T,
                 batch_size=app.batch_size.value, seed=app.seed, record_params=True)


def test_noise_explorer_caches_and_slices_runs_equal_to_runs_trained_alone():
    app = lw.noise_explorer(lr=0.2, batch_size=4, decay="step ÷10", num_steps=800,
                            backend="png")
    app.num_steps.value = 500  # the lengths 200 to 800 trained at once (NEAR = 3)
    trainings = app._runs.trainings
    for T in (800, 200, 600):
        app.num_steps.value = T
    app.decay.value = "constant"
    assert app._runs.trainings == trainings  # slices of what the first move trained
    for decay, T in (("1/t", 600), ("step ÷10", 300), ("constant", 100), ("1/t", 2500),
                     ("1/t", 2600)):
        app.decay.value, app.num_steps.value = decay, T
        slow_c, slow = _direct(app, "constant"), _direct(app, decay)
        np.testing.assert_allclose(app.constant_history.params, slow_c.params, rtol=1e-12,
                                   atol=1e-14)
        np.testing.assert_allclose(app.history.params, slow.params, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(app.history.lr, slow.lr)
        gap = app.problem.loss(slow_c.params) - app.problem.f_star
        assert app.measured_floor == pytest.approx(np.mean(gap[-(T - T // 2):]), rel=1e-9)
        x = app.path_constant.get_xdata() if decay != "constant" else \
            app.phase_paths[0].get_xdata()
        np.testing.assert_allclose(x, slow_c.params[:, 0], rtol=1e-12)
        assert app.ax_loss.get_xlim() == (0, T)
    # both decays at 100 (a decay at a length not trained yet), then every run at 2200-2800
    # (the steps moved); the rest (1/t at 600 too: trained with step ÷10) were slices
    assert app._runs.trainings == trainings + 2
    assert app.last_error is None
    app.close()


def test_noise_explorer_frames_equal_a_fresh_explorer_and_a_full_draw():
    from .test_render import assert_same_picture, shown, slow_frame

    app = lw.noise_explorer(lr=0.2, batch_size=4, num_steps=800, backend="png")
    full = app.canvas.full_draws
    app.decay.value = "step ÷10"
    app.num_steps.value = 1500
    app.lr.value = 0.05
    app.batch_size.value = 16
    assert app.canvas.full_draws == full  # the contours are never drawn again
    fresh = lw.noise_explorer(lr=0.05, batch_size=16, decay="step ÷10", num_steps=1500,
                              backend="png")
    assert_same_picture(shown(app.canvas), shown(fresh.canvas))
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
    assert app.status_text == fresh.status_text
    app.close()
    fresh.close()


def test_contours_evaluated_in_blocks_equal_the_plain_ones():
    """The explorer's contours (its grid evaluated a block of rows at a time) are the
    contours plots.contours draws from the problem itself, on both panels."""
    from matplotlib.contour import ContourSet
    from matplotlib.figure import Figure

    from lrlab import plots
    from lrlab.apps.noise import BlockedGridLoss

    app = lw.noise_explorer(lr=0.2, batch_size=4, backend="png")
    grid = np.stack(np.meshgrid(np.linspace(-2, 4, 100), np.linspace(-4, 2, 100)), axis=-1)
    assert np.allclose(BlockedGridLoss(app.problem).loss(grid), app.problem.loss(grid),
                       rtol=1e-13, atol=0)
    for ax in (app.ax_path, app.ax_zoom):
        mine = [c for c in ax.collections if isinstance(c, ContourSet)]
        ref_ax = Figure().add_subplot()
        plots.contours(app.problem, ref_ax, bounds=(ax.get_xlim(), ax.get_ylim()),
                       resolution=100 if ax is app.ax_path else 60,
                       levels=18 if ax is app.ax_path else 8)
        ref = [c for c in ref_ax.collections if isinstance(c, ContourSet)]
        assert len(mine) == len(ref) == 2  # shading and lines
        for a, b in zip(mine, ref, strict=True):
            assert np.allclose(a.levels, b.levels, rtol=1e-12)
            assert len(a.get_paths()) == len(b.get_paths())
            for pa, pb in zip(a.get_paths(), b.get_paths(), strict=True):
                assert pa.vertices.shape == pb.vertices.shape
                assert np.allclose(pa.vertices, pb.vertices, rtol=0, atol=1e-9)
    app.close()


def own_ticks_picture(app) -> tuple[np.ndarray, np.ndarray]:
    """A full draw of ``app``'s figure with its light axes, and one with matplotlib's own
    locators and minor ticks put back (the app's figure is changed: close it after)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = app.canvas.figure
    for artist in app.canvas._animated:
        artist.set_animated(False)

    def full() -> np.ndarray:
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()

    light = full()
    marks = app.minor_marks if isinstance(app.minor_marks, list) else [app.minor_marks]
    for m in marks:
        m._lrlab_axis.set_major_locator(m._major)
        m._lrlab_axis.set_minor_locator(m._minor)
        m.set_visible(False)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if hasattr(axis.get_major_locator(), "locator"):  # a linear axis trimmed to view
                axis.set_major_locator(axis.get_major_locator().locator)
    return light, full()


@pytest.mark.parametrize("decay", ["constant", "step ÷10"])
def test_light_axes_keep_the_picture(decay):
    """Only ticks in view are built and the loss axis' minor ticks are one artist: every
    frame (limits moved by lr and steps) is the full draw's, and that is the picture of
    matplotlib's own ticks, pixel for pixel."""
    from .test_render import assert_same_picture, shown, slow_frame

    app = lw.noise_explorer(lr=0.2, batch_size=4, decay=decay, backend="png")
    assert len(app.ax_loss.yaxis.minorTicks) <= 1
    assert len(app.ax_loss.yaxis.get_minorticklocs()) == 0  # drawn by the marks
    for lr, steps in ((0.05, 800), (10 ** app.lr.max, 300), (0.2, 2000)):
        app.lr.value, app.num_steps.value = lr, steps
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
    light, own = own_ticks_picture(app)
    assert np.array_equal(light, own)
    app.close()


def test_noise_explorer_keeps_the_covariance_and_computes_only_the_gaps_shown(monkeypatch):
    """An lr change takes no per-sample gradients (the covariance is kept per batch size)
    and the floor is noise_floor's own; the decay not shown gets its gap when shown, equal
    to the full-data gap of its run."""
    import lrlab.apps.noise as noise_app
    from lrlab.apps.base import loss_gap
    from lrlab.gradient_noise import noise_floor

    taken = []
    covariance = noise_app.gradient_noise_covariance
    monkeypatch.setattr(noise_app, "gradient_noise_covariance",
                        lambda p, batch_size: taken.append(batch_size) or
                        covariance(p, batch_size=batch_size))
    app = lw.noise_explorer(lr=0.2, batch_size=4, decay="step ÷10", num_steps=400,
                            backend="png")
    for lr, B in ((0.1, 4), (0.3, 4), (0.3, 16), (0.05, 4), (0.05, 16)):
        app.lr.value, app.batch_size.value = lr, B
        assert app.floor == noise_floor(app.problem, float(app.lr.value), B)
    assert taken == [4, 16]
    assert not any(key[0] == "1/t" for key, *_ in app._runs._shown)
    app.decay.value = "1/t"
    trainings = app._runs.trainings
    np.testing.assert_array_equal(app.phase_losses[0].get_ydata(), _phase_curve(app))
    assert app._runs.trainings == trainings  # trained with step ÷10 before: a slice
    (_, gap), = [v for key, v in app._runs._shown.items() if key[0][0] == "1/t"]
    np.testing.assert_array_equal(gap, loss_gap(app.problem, app.history))
    assert app.last_error is None
    app.close()


def _phase_curve(app):
    from lrlab.apps.base import loss_gap
    from lrlab.apps.noise import decay_phases
    from lrlab.apps.race import moving_average

    T = app.num_steps.value
    smooth = moving_average(loss_gap(app.problem, app.history), max(T // 50, 1))
    mine = np.concatenate([[0], decay_phases(app.history.lr)[0]]) == 0
    return np.where(mine | np.r_[mine[1:], False], smooth, np.nan)
