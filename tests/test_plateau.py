"""reduce_on_plateau: PyTorch parity (fixture), hand-traced counters, batching, errors."""

import json
import pathlib

import numpy as np
import pytest

import lrlab
from lrlab.rules.base import chain
from lrlab.rules.plateau import reduce_on_plateau, scale_by_plateau_lr
from lrlab.rules.sgd import trace
from lrlab.surfaces import Quadratic, quadratic

FIXTURE = json.loads(
    (pathlib.Path(__file__).parent / "fixtures" / "torch_plateau.json").read_text())


def feed(rule, metrics, theta=None):
    """Run the rule on a metric sequence (zero gradients); return the rates used."""
    theta = np.zeros(1) if theta is None else theta
    state = rule.init(theta)
    used = []
    for t, m in enumerate(metrics):
        _, state = rule.update(np.zeros_like(theta), state, theta, t=t,
                               loss=np.asarray(m, dtype=float))
        used.append(state.lr)
    return np.array(used), state


@pytest.mark.parametrize("case", FIXTURE["metric_cases"],
                         ids=lambda c: ",".join(f"{k}={v}" for k, v in c["config"].items()))
def test_matches_torch_on_metric_sequence(case):
    config = dict(case["config"])
    lr = config.pop("lr")
    used, _ = feed(reduce_on_plateau(lr, **config), FIXTURE["metrics"])
    np.testing.assert_allclose(used, case["lrs"], rtol=1e-12, atol=0)
    assert len(set(case["lrs"])) > 1          # the case exercises at least one reduction


@pytest.mark.parametrize("case", FIXTURE["sgd_cases"], ids=["momentum", "nesterov-wd-abs"])
def test_matches_torch_sgd_with_scheduler(case):
    config = case["config"]
    rule = reduce_on_plateau(**config["sgd"], **config["plateau"])
    bowl = Quadratic(np.array(case["A"]), x0=np.array(case["x0"]))
    h = lrlab.train(bowl, rule, case["num_steps"], divergence_factor=None)
    np.testing.assert_allclose(h.lr, case["lrs"], rtol=1e-12, atol=0)
    np.testing.assert_allclose(h.loss[:-1], case["losses"], rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(h.params, case["params"], rtol=1e-12, atol=1e-14)


def test_hand_traced_counters():
    # patience 1, cooldown 1, factor 0.5, abs threshold 0.1
    rule = scale_by_plateau_lr(1.0, factor=0.5, patience=1, cooldown=1, threshold=0.1,
                               threshold_mode="abs")
    metrics = [5.0, 4.95, 4.95, 4.0, 4.0, 4.0, 4.0, 4.0]
    used, state = feed(rule, metrics)
    # 5.0 best; 4.95 not better by 0.1 (bad 1); 4.95 bad 2 > 1 -> lr 0.5, cooldown 1;
    # 4.0 better (cooldown -> 0); 4.0 bad 1; 4.0 bad 2 -> 0.25, cooldown 1; 4.0 bad in
    # cooldown (ignored); 4.0 bad 1.
    np.testing.assert_array_equal(used, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25])
    assert float(state.next_lr) == 0.25 and int(state.num_bad_epochs) == 1
    assert float(state.best) == 4.0


def test_eps_skips_small_reductions_and_min_lr_floor():
    used, state = feed(scale_by_plateau_lr(1e-8, factor=0.1, patience=0), [1.0] * 5)
    assert np.all(used == 1e-8)               # 1e-8 - 1e-9 < eps = 1e-8: ignored
    assert float(state.next_lr) == 1e-8 and int(state.num_bad_epochs) == 0
    used, _ = feed(scale_by_plateau_lr(1.0, factor=0.1, patience=0, min_lr=0.05),
                       [1.0] * 6)
    np.testing.assert_allclose(used, [1, 1, 0.1, 0.05, 0.05, 0.05])


def test_reduction_applies_to_the_next_step():
    rule = reduce_on_plateau(0.21, factor=0.5, patience=2)
    h = lrlab.train(quadratic([1.0, 10.0]), rule, 100)
    first = int(np.argmax(h.lr < 0.21))
    # losses 1, 2, 3 after the best (step 0) were bad; the loss at step 3 triggers the cut
    assert first == 4
    assert np.all(np.diff(h.loss[:4]) > 0)
    assert h.final_loss < 1e-10


def test_batched_runs_equal_separate_runs():
    bowl = quadratic([1.0, 10.0])
    lrs = np.array([0.05, 0.15, 0.21])
    batched = lrlab.train(bowl, reduce_on_plateau(lrs, factor=0.5, patience=1,
                                                  momentum=0.5), 60)
    for i, lr in enumerate(lrs):
        alone = lrlab.train(bowl, reduce_on_plateau(lr, factor=0.5, patience=1,
                                                    momentum=0.5), 60)
        np.testing.assert_array_equal(batched.lr[:, i], alone.lr)
        np.testing.assert_array_equal(batched.params[:, i], alone.params)


def test_many_start_points_keep_separate_counters():
    bowl = quadratic([1.0, 10.0])
    x0 = np.array([[1.0, 1.0], [3.0, -2.0]])
    h = lrlab.train(bowl, reduce_on_plateau(0.21, factor=0.5, patience=2), 30, x0=x0)
    for i in range(2):
        alone = lrlab.train(bowl, reduce_on_plateau(0.21, factor=0.5, patience=2), 30,
                            x0=x0[i])
        np.testing.assert_array_equal(h.lr[:, i], alone.lr)


def test_chains_after_another_link():
    link = scale_by_plateau_lr(0.1, factor=0.5, patience=3)
    rule = chain(trace(0.9), link)
    plain = reduce_on_plateau(0.1, factor=0.5, patience=3, momentum=0.9)
    bowl = quadratic([1.0, 10.0])
    np.testing.assert_array_equal(lrlab.train(bowl, rule, 50).params,
                                  lrlab.train(bowl, plain, 50).params)


@pytest.mark.parametrize("lr", np.logspace(-8, 8, 9))
def test_extreme_rates_never_raise(lr):
    h = lrlab.train(quadratic([1.0, 10.0]), reduce_on_plateau(lr, patience=0), 30)
    assert h.loss.shape == (31,)


def test_missing_loss_is_a_clear_error():
    rule = reduce_on_plateau(0.1)
    with pytest.raises(ValueError, match="scale_by_plateau_lr needs the loss value"):
        rule.update(np.ones(2), rule.init(np.zeros(2)), np.zeros(2), t=0)
    assert rule.needs == frozenset({"loss"})


@pytest.mark.parametrize("kwargs, match", [
    ({"lr": -1.0}, "'lr' parameter of reduce_on_plateau"),
    ({"lr": lambda t: 0.1}, "'lr' parameter of reduce_on_plateau must be a positive float "
                            "or array \\(the plateau logic sets the schedule\\)"),
    ({"lr": 0.1, "factor": 1.0}, "'factor' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "patience": -1}, "'patience' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "threshold_mode": "relative"}, "'threshold_mode' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "mode": "minimum"}, "'mode' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "cooldown": 1.5}, "'cooldown' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "min_lr": -1}, "'min_lr' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "eps": -1}, "'eps' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "momentum": 1.0}, "'momentum' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "nesterov": True}, "'nesterov' parameter of reduce_on_plateau requires "
                                     "momentum > 0"),
    # checked even without momentum (they used to pass unseen), naming reduce_on_plateau
    ({"lr": 0.1, "dampening": 5.0}, "'dampening' parameter of reduce_on_plateau"),
    ({"lr": 0.1, "nesterov": "no"}, "'nesterov' parameter of reduce_on_plateau must be a bool"),
    ({"lr": 0.1, "weight_decay": -1.0}, "'weight_decay' parameter of reduce_on_plateau"),
])
def test_bad_arguments(kwargs, match):
    # every argument is checked once, by reduce_on_plateau itself: errors name it, not a link
    with pytest.raises((ValueError, TypeError), match=match):
        reduce_on_plateau(**kwargs)


def test_formula_and_torch_text():
    rule = reduce_on_plateau(0.1, momentum=0.9)
    assert "ReduceLROnPlateau" in rule.torch and "torch.optim.SGD" in rule.torch
    assert r"\max(\gamma\,\eta_t, \eta_{\min})" in rule.formula
    assert rule.hyperparams["patience"] == 10 and rule.hyperparams["factor"] == 0.1
