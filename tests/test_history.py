"""History: per-run indexing, summaries, and the values the properties promise."""

import numpy as np
import pytest

from lrlab import train
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


@pytest.fixture(scope="module")
def runs():
    # L = 10: lr 0.05 converges monotonically, 0.15 oscillates, 0.3 diverges
    return train(quadratic([1.0, 10.0]), sgd(np.array([0.05, 0.15, 0.3])), 80, tol=1e-9)


def test_indexing_gives_single_runs_with_consistent_shapes(runs):
    assert runs.run_shape == (3,) and len(runs) == 3
    one = runs[1]
    assert one.run_shape == () and one.loss.shape == (81,) and one.params.shape == (81, 2)
    np.testing.assert_array_equal(one.loss, runs.loss[:, 1])
    assert [h.status() for h in runs] == list(runs.status())
    with pytest.raises(IndexError, match="single run"):
        one[0]
    with pytest.raises(TypeError, match="single run has no len"):
        len(one)


def test_summary_properties(runs):
    div = runs[2]
    assert div.diverged and div.status() == "diverged"
    assert div.final_loss == div.loss[div.diverged_at]
    assert np.all(np.isnan(div.loss[div.diverged_at + 1:]))
    good = runs[0]
    assert good.best_step == good.last_step
    assert good.best_loss == pytest.approx(good.final_loss)
    np.testing.assert_allclose(good.final_params, good.params[good.last_step])
    assert "diverged after" in div.summary() and "loss exceeded" in div.summary()
    assert runs.summary().count("\n") == 2
    assert "3 runs" in repr(runs) and "1 diverged" in repr(runs)


def test_final_params_requires_recorded_params():
    h = train(quadratic([1.0]), sgd(0.1), 5, record_params=False)
    assert h.params is None
    with pytest.raises(ValueError, match="record_params=True"):
        h.final_params  # noqa: B018


def test_states_are_indexed_per_run():
    h = train(quadratic([1.0, 2.0]), sgd(np.array([0.1, 0.2]), momentum=0.9), 3,
              record_state=True)
    single = h[1]
    buf = single.states[-1].inner[0].buffer
    assert buf.shape == (2,)
    np.testing.assert_array_equal(buf, h.states[-1].inner[0].buffer[1])


def test_steps_to_matches_the_closed_form():
    # on f = x^2/2 from x0 = 1 at lr: loss_t = (1 - lr)^(2t) / 2, so a 1e-8 cut takes
    # ceil(log(1e-8) / (2 log(1 - lr))) steps
    h = train(quadratic([1.0], x0=[1.0]), sgd(np.array([0.1, 0.5, 2.5])), 200)
    expected = [int(np.ceil(np.log(1e-8) / (2 * np.log(1 - lr)))) for lr in (0.1, 0.5)]
    np.testing.assert_array_equal(h.steps_to(1e-8), [*expected, -1])
    assert h[0].steps_to(1e-8, f_star=0.0) == expected[0]


def test_steps_to_counts_a_step_that_meets_the_reduction_exactly():
    # lr 0.5 on x^2/2 from 1: loss_t = 0.25^t / 2, exact in binary. "Cut by r" means
    # gap_t <= r * gap_0, so a step that lands exactly on the target counts.
    h = train(quadratic([1.0], x0=[1.0]), sgd(0.5), 12)
    np.testing.assert_array_equal(h.loss, 0.5 * 0.25 ** np.arange(13))
    assert h.steps_to(1.0) == 0
    assert h.steps_to(0.25) == 1
    assert h.steps_to(0.25**5) == 5
    assert h.steps_to(0.25**12) == 12 and h.steps_to(0.25**13) == -1


def test_nearest_run_measures_on_a_log_scale():
    lrs = np.array([1e-3, 1e-2, 1e-1, 1.0])
    h = train(quadratic([1.0]), sgd(lrs), 3)
    # 0.03 is 0.48 decades above 0.01 and 0.52 below 0.1; 0.04 is 0.60 above 0.01 and 0.40
    # below 0.1, so log distance picks 0.1 where linear distance (0.03 against 0.06) picks 0.01
    assert h.nearest_run(0.03) == 1
    assert h.nearest_run(0.04) == 2
    assert h.nearest_run(1e-9) == 0 and h.nearest_run(50.0) == 3
    assert h[h.nearest_run(0.1)].lr[0] == 0.1


def test_nearest_run_gives_a_near_tie_to_the_first_run_whatever_the_last_bits():
    """0.1 lies half-way (in log scale) between two rates of geomspace(1e-3, 10, 60); which one
    is nearer in floating point turned on the grid's last bit (a CPU's power() rounding): the
    first of the two is chosen, with the grid moved by a few ulps either way."""
    lrs = np.geomspace(1e-3, 10, 60)
    assert abs(np.log(lrs[29] * lrs[30]) / 2 - np.log(0.1)) < 1e-12
    for shift in (-3, -1, 0, 1, 3):
        grid = lrs.copy()
        grid[29:31] = [lrs[29] * (1 + shift * 2.2e-16), lrs[30] * (1 - shift * 2.2e-16)]
        h = train(quadratic([1.0]), sgd(grid), 2)
        assert h.nearest_run(0.1) == 29
    assert h.nearest_run(0.1 * (1 + 1e-6)) == 30   # nearer by more than rounding: not a tie


def test_nearest_run_on_a_grid_returns_a_tuple_index_and_reads_the_given_step():
    from lrlab import schedules

    grid = np.array([[0.01, 0.02], [0.04, 0.08]])
    h = train(quadratic([1.0]), sgd(grid), 4)
    assert h.nearest_run(0.04) == (1, 0)
    assert h[h.nearest_run(0.04)].lr[0] == 0.04
    # a step schedule halves both rates at step 2: 0.03 is nearest to 0.02 at the start,
    # to 0.04 (the run that started at 0.08) from step 2 on
    decayed = train(quadratic([1.0]), sgd(schedules.step(np.array([0.02, 0.08]), 2,
                                                         gamma=0.5)), 4)
    np.testing.assert_allclose(decayed.lr[2], [0.01, 0.04])
    assert decayed.nearest_run(0.03, step=0) == 0
    assert decayed.nearest_run(0.03, step=2) == 1


def test_nearest_run_errors_name_the_argument():
    h = train(quadratic([1.0]), sgd(np.array([0.1, 0.2])), 3)
    with pytest.raises(ValueError, match=r"'lr' parameter of History.nearest_run must be a "
                                         r"finite float in \(0, inf\)"):
        h.nearest_run(0.0)
    with pytest.raises(ValueError, match=r"'step' parameter of History.nearest_run"):
        h.nearest_run(0.1, step=3)
    with pytest.raises(ValueError, match="this History holds one run"):
        h[0].nearest_run(0.1)


def test_nearest_run_skips_runs_without_a_rate():
    from dataclasses import replace

    many = train(quadratic([1.0], x0=[1.0]), sgd(np.array([1.0, 0.5])), 3)
    lr = many.lr.copy()
    lr[0, 0] = np.nan            # as recorded for a rule without a global rate
    assert replace(many, lr=lr).nearest_run(1.0) == 1
    lr[0, 1] = 0.0               # a zero rate has no place on a log scale either
    with pytest.raises(ValueError, match="no run has a positive learning rate at step 0"):
        replace(many, lr=lr).nearest_run(1.0)


def test_fastest_run_is_the_argmin_of_steps_to_over_runs_that_arrive():
    # on x^2/2: lr 0.5 and 1.5 both shrink the error by 1/2 per step (|1 - lr| = 0.5),
    # lr 1.0 solves it in one step, 2.5 diverges: the fastest is 1.0, ties go first
    lrs = np.array([0.5, 1.5, 2.5, 1.0, 0.1])
    h = train(quadratic([1.0], x0=[1.0]), sgd(lrs), 60)
    steps = h.steps_to(1e-8)
    assert steps[0] == steps[1] and steps[2] == -1 and steps[3] == 1
    assert h.fastest_run(1e-8) == 3
    assert h.fastest_run(1e-8) == int(np.argmin(np.where(steps >= 0, steps, 10**9)))
    without_one = train(quadratic([1.0], x0=[1.0]), sgd(np.array([2.5, 1.5, 0.5])), 60)
    assert without_one.fastest_run(1e-8) == 1   # the tie between 1.5 and 0.5: first wins
    # with f* = -1 the gap falls from 1.5 to 1, never by 1e-8: no run arrives
    assert without_one.fastest_run(1e-8, f_star=-1.0) is None


def test_fastest_run_is_none_when_no_run_arrives_and_validates_reduction():
    h = train(quadratic([1.0], x0=[1.0]), sgd(np.array([1e-4, 2.5])), 20)
    assert h.fastest_run(1e-8) is None
    for bad in (0.0, 1.0, -1e-3, float("nan")):
        with pytest.raises(ValueError, match=r"'reduction' parameter of History.fastest_run "
                                             r"must be a finite float in \(0, 1\)"):
            h.fastest_run(bad)
    with pytest.raises(ValueError, match="holds one run"):
        h[0].fastest_run()


def test_fastest_run_on_a_grid_indexes_the_grid():
    h = train(quadratic([1.0], x0=[1.0]), sgd(np.array([[0.1, 0.5], [1.0, 0.9]])), 100)
    assert h.fastest_run(1e-8) == (1, 0)


def test_summary_of_a_grid_of_runs_has_one_line_per_run_with_its_index():
    h = train(quadratic([1.0, 10.0]), sgd(np.array([[0.05, 0.1], [0.19, 0.21]])), 100)
    lines = h.summary().splitlines()
    assert len(lines) == 4
    assert [line.split(" ", 1)[0] for line in lines] == ["[0,0]", "[0,1]", "[1,0]", "[1,1]"]
    assert lines[3].startswith("[1,1] diverged after 61 steps")
    assert h[1, 1].summary() == lines[3].split(" ", 1)[1]


def test_best_step_of_a_run_without_a_finite_loss_is_minus_one():
    h = train(quadratic([1.0], x0=[1e200]), sgd(np.array([0.1, 0.2])), 5)
    assert list(h.status()) == ["diverged", "diverged"]
    np.testing.assert_array_equal(h.best_step, [-1, -1])
    assert h[0].best_step == -1 and h[0].best_loss == np.inf
    ok = train(quadratic([1.0]), sgd(0.1), 5)
    assert ok.best_step == 5
