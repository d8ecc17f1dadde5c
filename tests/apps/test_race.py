"""The schedule race, driven by its controls."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
from lrlab.apps.race import moving_average
from lrlab.schedules import cosine, step


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


def test_schedule_race_retrains_only_what_changed():
    race = lw.schedule_race(schedules=["constant", "cosine"], lr=0.3, num_steps=200,
                            decay_every=100, backend="png")
    before = race.histories["constant"]
    race.schedules.value = ("constant", "cosine", "step ÷10")
    assert race.histories["constant"] is before          # reused, not trained again
    race.lr.value = 0.2
    assert race.histories["constant"] is not before      # a new lr changes every run
    race.close()


def test_schedule_race_has_warmup_stable_decay():
    from lrlab.schedules import constant, warmup, wsd

    race = lw.schedule_race(schedules=["constant", "WSD"], lr=0.3, num_steps=600,
                            decay_every=150, warmup_steps=30, backend="png")
    expected = wsd(0.3, 600, warmup_steps=30, decay_steps=150)
    np.testing.assert_array_equal(race.histories["WSD"].lr, expected(np.arange(600)))
    # until its cool-down starts (step 450) WSD is a warmed-up constant rate
    ramp = train(race.problem, sgd(warmup(constant(0.3), 30)), 450, batch_size=4)
    # (the race trains its contestants as one batch of runs: equal up to float rounding)
    np.testing.assert_allclose(race.histories["WSD"].params[:451], ramp.params, rtol=1e-12,
                               atol=1e-15)
    assert race.final["WSD"] < race.final["constant"] / 3
    assert not race.warmup_steps.disabled and not race.decay_every.disabled
    race.num_steps.value = 100  # cool-down and warm-up shortened to fit
    assert race.histories["WSD"].lr[-1] == pytest.approx(wsd(0.3, 100, warmup_steps=30,
                                                             decay_steps=70)(99))
    race.schedules.value = ("constant",)
    assert race.warmup_steps.disabled and "WSD" in race.warmup_steps.tooltip
    race.close()


def test_first_steps_of_a_long_run_equal_a_shorter_run():
    from lrlab.apps.race import first_steps

    problem = lw.default_data_problem()
    L = problem.smoothness
    for lr, T in ((0.3, 120), (2.5 / L, 40), (2.5 / L, 5)):  # converging; diverged before
        long = train(problem, sgd(lr), 300, batch_size=4, eval_every=1, record_params=True)
        short = train(problem, sgd(lr), T, batch_size=4, eval_every=1, record_params=True)
        cut = first_steps(long, T)
        for name in ("loss", "grad_norm", "lr", "update_ratio", "params", "loss_evals",
                     "grad_evals", "eval_steps", "eval_loss"):
            np.testing.assert_array_equal(getattr(cut, name), getattr(short, name), err_msg=name)
        assert (int(cut.diverged_at), str(cut.reason)) == (int(short.diverged_at),
                                                           str(short.reason))
        assert cut.num_steps == T
    assert long.diverged and 5 < int(long.diverged_at) < 40  # (and T=5 is before it)


def _direct(race, name):
    """A contestant's run trained alone, the slow way, at the race's settings."""
    from lrlab.apps.race import make_contestant

    T = race.num_steps.value
    rule = make_contestant(name, race.lr.value, T, race.decay_every.value,
                           race.warmup_steps.value)
    return train(race.problem, rule, T, batch_size=race.batch_size.value, seed=race.seed,
                 record_params=True)


def test_schedule_race_steps_slider_slices_runs_trained_once():
    names = ["constant", "step ÷10", "cosine", "WSD", "plateau ÷10", "one-cycle"]
    race = lw.schedule_race(schedules=names, lr=0.3, num_steps=600, decay_every=100,
                            warmup_steps=20, backend="png")
    race.num_steps.value = 300  # the lengths 150 to 450 trained at once (NEAR = 3)
    trainings = race._runs.trainings
    for T, trained in ((350, 0), (150, 0), (450, 0), (50, 1), (2000, 2), (1900, 0)):
        race.num_steps.value = T
        # slices, or one call for the schedules (and one for plateau ÷10 when its run of
        # 450 steps is too short)
        assert race._runs.trainings == trainings + trained
        trainings = race._runs.trainings
        for i, name in enumerate(names):
            h, slow = race.histories[name], _direct(race, name)
            np.testing.assert_allclose(h.params, slow.params, rtol=1e-12, atol=1e-14)
            np.testing.assert_array_equal(h.lr, slow.lr)
            assert h.diverged == slow.diverged
            np.testing.assert_array_equal(race.lr_lines[i].get_xdata(), np.arange(T))
            np.testing.assert_array_equal(race.lr_lines[i].get_ydata(), slow.lr)
            gap = race.problem.loss(slow.params) - race.problem.f_star
            smooth = moving_average(gap, race.window(T))
            np.testing.assert_allclose(race.loss_lines[i].get_ydata(),
                                       np.where(smooth > 0, smooth, np.nan), rtol=1e-9)
        assert race.ax_loss.get_xlim() == (0, T)
    race.lr.value = 0.2  # another lr: trained again, at this length only
    assert race._runs.trainings == trainings + 2  # the schedules in one call, plateau apart
    race.close()


def test_schedule_race_frames_equal_a_fresh_race_and_a_full_draw():
    from .test_render import assert_same_picture, shown, slow_frame

    kwargs = dict(schedules=("constant", "cosine", "1/t"), lr=0.3, num_steps=600,
                  decay_every=200, backend="png")
    race = lw.schedule_race(**kwargs)
    full = race.canvas.full_draws
    race.num_steps.value = 300
    race.num_steps.value = 1000
    race.lr.value = 0.03
    race.batch_size.value = 64
    race.schedules.value = ("constant", "step ÷10", "cosine", "1/t")
    assert race.canvas.full_draws == full  # only the layers of what changed were drawn
    fresh = lw.schedule_race(**{**kwargs, "schedules": race.schedules.value, "lr": 0.03,
                                "num_steps": 1000, "batch_size": 64})
    assert_same_picture(shown(race.canvas), shown(fresh.canvas))
    assert_same_picture(shown(race.canvas), slow_frame(race.canvas))
    assert race.status_text == fresh.status_text
    race.close()
    fresh.close()


def test_race_light_axes_keep_the_picture():
    """Only ticks in view are built and the log axes' minor ticks are one artist each:
    frames after lr and length changes equal the full draw, and that equals the picture
    of matplotlib's own ticks, pixel for pixel."""
    from .test_noise import own_ticks_picture
    from .test_render import assert_same_picture, shown, slow_frame

    app = lw.schedule_race(schedules=["constant", "step ÷10", "cosine"], backend="png")
    for ax in (app.ax_lr, app.ax_loss):
        assert len(ax.yaxis.minorTicks) <= 1 and len(ax.yaxis.get_minorticklocs()) == 0
    for lr, steps in ((10 ** app.lr.min, 300), (10 ** app.lr.max, 2000), (0.05, 600)):
        app.lr.value, app.num_steps.value = lr, steps
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
    light, own = own_ticks_picture(app)
    assert np.array_equal(light, own)
    app.close()
