"""The schedule race, driven by its controls."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import sgd, train
from lrlab import widgets as lw
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
    np.testing.assert_array_equal(race.histories["WSD"].params[:451], ramp.params)
    assert race.final["WSD"] < race.final["constant"] / 3
    assert not race.warmup_steps.disabled and not race.decay_every.disabled
    race.num_steps.value = 100  # cool-down and warm-up shortened to fit
    assert race.histories["WSD"].lr[-1] == pytest.approx(wsd(0.3, 100, warmup_steps=30,
                                                             decay_steps=70)(99))
    race.schedules.value = ("constant",)
    assert race.warmup_steps.disabled and "WSD" in race.warmup_steps.tooltip
    race.close()
