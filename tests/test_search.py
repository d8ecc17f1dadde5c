"""Learning-rate search: picks the known best, validation splits, batched == looped, errors."""

import numpy as np
import pytest

import lrlab
from lrlab.datasets import noisy_line
from lrlab.models import LinearRegression
from lrlab.rules import sgd
from lrlab.search import grid_search, random_search
from lrlab.surfaces import quadratic


def test_random_search_finds_the_best_constant_rate_of_a_quadratic():
    bowl = quadratic([1.0, 10.0], x0=[1.0, 1.0])
    best = 2 / (bowl.strong_convexity + bowl.smoothness)  # the optimal constant rate, 0.18
    # check that it really is the best for a 40-step run, by brute force
    fine = np.geomspace(1e-3, 0.25, 400)
    brute = fine[np.nanargmin(lrlab.train(bowl, sgd(fine), 40).final_loss)]
    assert brute == pytest.approx(best, rel=0.1)
    for seed in range(3):
        result = random_search(bowl, sgd, (1e-4, 1.0), 16, num_steps=40, seed=seed,
                               progress=False)
        assert best / 3 <= result.best_lr <= best * 3
        assert result.validation == "none"
        lrs = result.lrs
        assert lrs.min() >= 1e-4 and lrs.max() <= 1.0 and len(lrs) == 16


def test_grid_search_with_kfold_matches_a_hand_written_cross_validation():
    prob = LinearRegression(noisy_line(120, noise=0.3))
    lrs = np.geomspace(0.003, 3.0, 7)
    result = grid_search(prob, sgd, lrs, num_steps=15, validation="kfold", k=4,
                         progress=False)
    # the reference: every fold and lr trained separately, scored on the held-out fold
    fine = np.geomspace(0.003, 3.0, 31)
    scores = np.zeros(len(fine))
    for tr, va in prob.data.kfold(4, seed=0):
        train_p, val_p = prob.with_data(tr), prob.with_data(va)
        for i, lr in enumerate(fine):
            h = lrlab.train(train_p, sgd(float(lr)), 15, record_params=True)
            scores[i] += np.inf if h.diverged else val_p.loss(h.final_params) / 4
    best = fine[np.argmin(scores)]
    assert best / 3 <= result.best_lr <= best * 3
    i = int(np.argmin(np.abs(fine - lrs[2])))
    assert result.table[2]["score"] == pytest.approx(scores[i], rel=1e-10)
    assert result.table[2]["std"] > 0 and result.validation == "kfold"


def test_split_validation_scores_on_held_out_samples():
    prob = LinearRegression(noisy_line(100))
    result = grid_search(prob, sgd, [0.1], num_steps=30, fraction=0.25, progress=False)
    h = result.histories[0]
    assert result.validation == "split"
    tr, va = prob.data.split(0.25, seed=0)
    theta = lrlab.train(prob.with_data(tr), sgd(0.1), 30, record_params=True).final_params
    assert result.best["score"] == pytest.approx(float(prob.with_data(va).loss(theta)))
    assert h.eval_loss.shape[0] == 2


def test_batched_and_one_by_one_give_the_same_table():
    prob = LinearRegression(noisy_line(100))
    lrs = [0.01, 0.1, 1.0, 3.0]
    batched = grid_search(prob, sgd, lrs, batch_size=10, progress=False)

    def scalar_only(lr):
        if isinstance(lr, np.ndarray):
            raise TypeError("one rate at a time")
        return sgd(lr)

    looped = grid_search(prob, scalar_only, lrs, batch_size=10, progress=False)
    assert len(batched.histories) == 1 and len(looped.histories) == 4
    np.testing.assert_allclose(batched.scores, looped.scores, rtol=1e-12)
    assert batched.table[3]["diverged"] == 1 and batched.table[3]["score"] == np.inf
    assert batched.table[3]["rank"] == 4


def test_second_hyperparameter_grid_and_random():
    bowl = quadratic([1.0, 10.0])
    result = grid_search(bowl, sgd, [0.01, 0.1], param=("momentum", [0.0, 0.5, 0.9]),
                         num_steps=30, progress=False)
    assert [(r["lr"], r["momentum"]) for r in result.table][:3] == [
        (0.01, 0.0), (0.01, 0.5), (0.01, 0.9)]
    assert "momentum" in result.to_text() and result.param == "momentum"
    rnd = random_search(bowl, sgd, (1e-3, 0.1), 8, param=("momentum", (0.5, 0.99)),
                        num_steps=30, progress=False)
    m = np.array([r["momentum"] for r in rnd.table])
    assert np.all((m >= 0.5) & (m <= 0.99))
    wd = random_search(bowl, sgd, (1e-3, 0.1), 5, param=("weight_decay", (1e-4, 1e-1), "log"),
                       num_steps=10, progress=False)
    assert len(wd.table) == 5


def test_best_score_is_at_most_the_final_score():
    prob = LinearRegression(noisy_line(100))
    lrs = np.geomspace(0.01, 1.0, 5)
    final = grid_search(prob, sgd, lrs, batch_size=5, progress=False)
    best = grid_search(prob, sgd, lrs, batch_size=5, score="best", progress=False)
    assert np.all(best.scores <= final.scores + 1e-12)


def test_plot_returns_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = grid_search(quadratic([1.0, 10.0]), sgd, [0.01, 0.1, 0.3], num_steps=30,
                         progress=False)
    assert result.plot().get_xscale() == "log"
    plt.close("all")


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda p: grid_search(p, sgd, []), ValueError, "non-empty"),
    (lambda p: grid_search(p, sgd, [0.1, -1.0]), ValueError, "positive finite"),
    (lambda p: grid_search(p, sgd, [0.1, 0.0]), ValueError, "positive finite"),
    (lambda p: random_search(p, sgd, (1.0, 0.1)), ValueError, "low < high"),
    (lambda p: random_search(p, sgd, (0.0, 1.0)), ValueError, "'lr_range'"),
    (lambda p: random_search(p, sgd, (0.1, 1.0), 0), ValueError, "'num_candidates'"),
    (lambda p: grid_search(p, sgd, [0.1], validation="kfold"), ValueError, "data problem"),
    (lambda p: grid_search(p, sgd, [0.1], validation="holdout"), ValueError, "'validation'"),
    (lambda p: grid_search(p, sgd, [0.1], param=("momentum", [])), ValueError, "non-empty"),
    (lambda p: grid_search(p, sgd, [0.1], score="mean"), ValueError, "'score'"),
    (lambda p: grid_search(p, lambda lr: None, [0.1]), TypeError, "make_rule"),
])
def test_bad_input_gets_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call(quadratic([1.0, 10.0]))


class _BlowsUpAtTheOptimum(lrlab.Problem):
    """A 'validation' loss that is 1 away from 0 and NaN within 1e-3 of it."""

    def __init__(self):
        self.dim, self.x0, self.name = 2, np.ones(2), "blows up at 0"

    def _loss(self, theta, batch):
        near = np.linalg.norm(theta, axis=-1) < 1e-3
        return np.where(near, np.nan, 1.0)

    def _grad(self, theta, batch):
        return np.zeros_like(theta)


def test_final_score_is_the_last_evaluation_not_an_earlier_finite_one():
    # regression: score='final' fell back to the last *finite* evaluation, so a run whose
    # validation loss was NaN at the end was scored with its loss at step 0
    bowl = quadratic([1.0, 10.0], x0=[1.0, 1.0])
    with pytest.warns(UserWarning, match="no candidate has a finite validation score"):
        result = grid_search(bowl, sgd, [0.1], num_steps=200,
                             validation=_BlowsUpAtTheOptimum(), progress=False)
    assert result.table[0]["diverged"] == 0 and result.table[0]["score"] == np.inf


def test_param_range_that_is_not_a_pair_gets_a_clear_error():
    # regression: a scalar range raised numpy/python's own "has no len()"
    with pytest.raises(TypeError, match="'param' parameter of random_search must be a pair"):
        random_search(quadratic([1.0, 10.0]), sgd, param=("momentum", 0.9))
    with pytest.raises(ValueError, match="'param' parameter of random_search must be a pair"):
        random_search(quadratic([1.0, 10.0]), sgd, param=("momentum", (0.9, 0.1)))


def test_all_candidates_diverging_is_reported_not_hidden():
    from lrlab.rules import sgd
    from lrlab.search import grid_search
    from lrlab.surfaces import quadratic

    bowl = quadratic([1.0, 10.0])
    with pytest.warns(UserWarning, match="every run diverged"):
        result = grid_search(bowl, sgd, [5.0, 10.0, 50.0], num_steps=50, progress=False)
    assert result.all_failed
    assert "no finite score" in repr(result)
