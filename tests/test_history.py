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
