"""First steps of every rule, computed by hand, and the states they leave behind."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from lrlab import rules, train
from lrlab.surfaces import Quadratic


def run(rule, theta, grads):
    """Apply ``rule`` to a fixed sequence of gradients; return the steps and last state."""
    theta = np.asarray(theta, dtype=float)
    state = rule.init(theta)
    steps = []
    for t, g in enumerate(grads):
        step, state = rule.update(np.asarray(g, dtype=float), state, theta, t=t)
        steps.append(step)
        theta = theta + step
    return steps, state, theta


def test_sgd_momentum_two_steps():
    steps, _state, _ = run(rules.sgd(0.1, momentum=0.5), [0.0], [[2.0], [4.0]])
    assert_allclose(steps, [[-0.2], [-0.1 * (0.5 * 2 + 4)]], rtol=1e-15)


def test_adagrad_steps():
    steps, state, _ = run(rules.adagrad(lr=0.1, eps=0.0), [0.0, 0.0], [[3.0, -4.0], [4.0, 0.0]])
    assert_allclose(steps[0], [-0.1, 0.1], rtol=1e-15)
    assert_allclose(steps[1], [-0.1 * 4 / 5, 0.0], rtol=1e-15)  # G = [25, 16]
    assert_array_equal(state.sum, [25.0, 16.0])
    assert_allclose(state.rate, [0.1 / 5, 0.1 / 4], rtol=1e-15)


def test_adagrad_lr_decay_accumulator_eps_weight_decay():
    steps, _, _ = run(rules.adagrad(lr=0.1, lr_decay=1.0, eps=0.0), [0.0], [[2.0], [2.0]])
    assert_allclose(steps[1], [-0.1 / 2 * 2 / np.sqrt(8)], rtol=1e-15)  # clr = lr / (1 + 1)
    steps, _, _ = run(rules.adagrad(lr=0.1, initial_accumulator_value=9.0, eps=0.0), [0.0],
                      [[4.0]])
    assert_allclose(steps[0], [-0.1 * 4 / 5], rtol=1e-15)
    steps, _, _ = run(rules.adagrad(lr=0.1, eps=1.0), [0.0], [[3.0]])
    assert_allclose(steps[0], [-0.1 * 3 / (3 + 1)], rtol=1e-15)  # eps outside the root
    steps, _, _ = run(rules.adagrad(lr=0.1, weight_decay=0.5, eps=0.0), [2.0], [[1.0], [0.0]])
    assert_allclose(steps[0], [-0.1], rtol=1e-15)  # g = 1 + 0.5 * 2
    # second step: theta = 1.9, g = 0 + 0.95, G = 4 + 0.9025
    assert_allclose(steps[1], [-0.1 * 0.95 / np.sqrt(4.9025)], rtol=1e-15)


def test_rmsprop_steps():
    steps, state, _ = run(rules.rmsprop(lr=0.01, alpha=0.75, eps=0.0), [0.0], [[2.0], [-2.0]])
    assert_allclose(steps[0], [-0.02], rtol=1e-15)  # v = 0.25 * 4 = 1
    assert_allclose(state.square_avg, [0.75 * 1 + 0.25 * 4], rtol=1e-15)  # 1.75
    assert_allclose(steps[1], [0.02 / np.sqrt(1.75)], rtol=1e-15)


def test_rmsprop_second_step_and_eps():
    steps, _, _ = run(rules.rmsprop(lr=0.01, alpha=0.75, eps=0.5), [0.0], [[2.0], [1.0]])
    assert_allclose(steps[0], [-0.01 * 2 / (1 + 0.5)], rtol=1e-15)
    v = 0.75 * 1.0 + 0.25 * 1.0
    assert_allclose(steps[1], [-0.01 * 1 / (np.sqrt(v) + 0.5)], rtol=1e-15)


def test_rmsprop_centered_and_momentum():
    steps, state, _ = run(rules.rmsprop(lr=0.01, alpha=0.75, eps=0.0, centered=True), [0.0],
                          [[2.0]])
    assert_allclose(steps[0], [-0.02 / np.sqrt(1 - 0.25)], rtol=1e-15)  # v - gbar^2
    assert_allclose(state.grad_avg, [0.5])
    steps, state, _ = run(rules.rmsprop(lr=0.01, alpha=0.75, eps=0.0, momentum=0.5), [0.0],
                          [[2.0], [2.0]])
    buf = 0.5 * 2.0 + 2.0 / np.sqrt(1.75)
    assert_allclose(steps[1], [-0.01 * buf], rtol=1e-15)
    assert_allclose(state.momentum_buffer, [buf], rtol=1e-15)


def test_adadelta_steps_eps_inside_both_roots():
    rho, eps = 0.5, 0.01
    steps, state, _ = run(rules.adadelta(lr=1.0, rho=rho, eps=eps), [0.0], [[1.0], [1.0]])
    d0 = np.sqrt(eps) / np.sqrt(0.5 + eps)
    assert_allclose(steps[0], [-d0], rtol=1e-15)
    u = 0.5 * d0**2
    d1 = np.sqrt(u + eps) / np.sqrt(0.75 + eps)
    assert_allclose(steps[1], [-d1], rtol=1e-15)
    assert_allclose(state.acc_delta, [0.5 * u + 0.5 * d1**2], rtol=1e-15)
    steps, _, _ = run(rules.adadelta(lr=0.1, rho=rho, eps=eps), [0.0], [[1.0]])
    assert_allclose(steps[0], [-0.1 * d0], rtol=1e-15)


def test_adadelta_without_lr_is_scale_free():
    """With lr = 1 the step has the units of theta: scaling f scales nothing."""
    a = run(rules.adadelta(eps=1e-6), [0.0], [[1.0], [0.5], [2.0]])[0]
    b = run(rules.adadelta(eps=1e-6), [0.0], [[1000.0], [500.0], [2000.0]])[0]
    assert_allclose(b, a, rtol=1e-5)


def test_adam_two_steps():
    steps, state, _ = run(rules.adam(lr=0.1, betas=(0.5, 0.75), eps=0.0), [0.0],
                          [[2.0], [-2.0]])
    assert_allclose(steps[0], [-0.1], rtol=1e-15)  # m_hat = 2, v_hat = 4
    m_hat = (0.5 * 1 + 0.5 * -2) / 0.75
    v_hat = (0.75 * 1 + 0.25 * 4) / (1 - 0.75**2)
    assert_allclose(steps[1], [-0.1 * m_hat / np.sqrt(v_hat)], rtol=1e-15)
    assert_allclose(state.exp_avg, [-0.5])
    assert state.max_exp_avg_sq is None


def test_adam_first_step_is_lr_times_sign():
    steps, _, _ = run(rules.adam(lr=0.03), [0.0] * 3, [[1e-3, -5.0, 1e3]])
    assert_allclose(steps[0], [-0.03, 0.03, -0.03], rtol=1e-4)


def test_adam_coupled_vs_adamw_decoupled_weight_decay():
    """g = -1 and decay 0.5 * theta = 1 cancel in Adam's gradient; AdamW still shrinks."""
    coupled = run(rules.adam(lr=0.1, weight_decay=0.5), [2.0], [[-1.0]])[0]
    assert_array_equal(coupled[0], [0.0])
    decoupled = run(rules.adamw(lr=0.1, weight_decay=0.5), [2.0], [[0.0]])[0]
    assert_allclose(decoupled[0], [-0.1 * 0.5 * 2.0], rtol=1e-15)


def test_amsgrad_uses_the_maximum():
    steps, state, _ = run(rules.amsgrad(lr=0.1, betas=(0.5, 0.75), eps=0.0), [0.0],
                          [[2.0], [0.0]])
    assert_allclose(state.max_exp_avg_sq, [1.0])  # v_1 = 1, v_2 = 0.75
    m_hat = 0.5 / 0.75
    assert_allclose(steps[1], [-0.1 * m_hat * np.sqrt(1 - 0.75**2)], rtol=1e-15)
    plain = run(rules.adam(lr=0.1, betas=(0.5, 0.75), eps=0.0), [0.0], [[2.0], [0.0]])[0]
    assert abs(plain[1][0]) > abs(steps[1][0])


def test_adamw_decoupled_decay():
    steps, _, _ = run(rules.adamw(lr=0.1, betas=(0.5, 0.75), eps=0.0, weight_decay=0.5),
                      [2.0], [[2.0]])
    assert_allclose(steps[0], [-0.1 * 0.5 * 2 - 0.1], rtol=1e-15)


def test_ftrl_steps_l1_l2():
    steps, state, _ = run(rules.ftrl(lr=0.5, beta=1.0), [1.0, -1.0], [[1.0, 3.0]])
    assert_allclose(steps[0], [-0.5 / 2, -0.5 * 3 / 4], rtol=1e-15)
    assert_allclose(state.rate, [0.25, 0.125])
    # from 0 (McMahan's start): sigma_1 = (1 + 3) / 0.5 = 8, z = 3
    steps, _, _ = run(rules.ftrl(lr=0.5, l2=1.0), [0.0], [[3.0]])
    assert_allclose(steps[0], [-3 / (8 + 1)], rtol=1e-15)
    steps, _, _ = run(rules.ftrl(lr=0.5, l1=1.0), [0.0, 0.0], [[3.0, 0.9]])
    assert_allclose(steps[0], [-(3 - 1) / 8, 0.0], rtol=1e-15)


def test_ftrl_l1_gives_exact_zeros_and_sticks_there():
    _, _state, theta = run(rules.ftrl(lr=0.5, l1=2.0), [0.0, 0.0],
                          [[3.0, 0.1], [0.0, 0.1], [0.0, -0.1]])
    assert theta[1] == 0.0
    assert theta[0] != 0.0


def test_ftrl_without_penalties_is_adagrad_with_eps_beta():
    grads = np.random.default_rng(0).standard_normal((30, 3))
    a = run(rules.ftrl(lr=0.3, beta=0.5), [1.0, -2.0, 0.5], grads)[2]
    b = run(rules.adagrad(lr=0.3, eps=0.5), [1.0, -2.0, 0.5], grads)[2]
    assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("form", ["sum", "product"])
def test_ftrl_time_rates(form):
    alpha, gamma, beta = 0.5, 0.1, 1.0
    _, state, _ = run(rules.ftrl_time(alpha, gamma, form, beta=beta), [0.0], [[1.0], [1.0]])
    grad_rate = alpha / (beta + np.sqrt(2.0))
    time_rate = gamma / np.sqrt(2.0)  # t = 2: counted from 1
    expected = grad_rate + time_rate if form == "sum" else grad_rate * time_rate
    assert_allclose(state.rate, [expected], rtol=1e-15)


@pytest.mark.parametrize("form", ["sum", "product"])
def test_ftrl_time_is_sgd_with_its_rate(form):
    grads = np.random.default_rng(1).standard_normal((20, 2))
    rule = rules.ftrl_time(0.4, 0.2, form)
    theta = np.array([1.0, 2.0])
    state = rule.init(theta)
    n = np.zeros(2)
    for t, g in enumerate(grads):
        n += g * g
        a, k = 0.4 / (1.0 + np.sqrt(n)), 0.2 / np.sqrt(t + 1)
        eta = a + k if form == "sum" else a * k
        step, state = rule.update(g, state, theta, t=t)
        assert_allclose(step, -eta * g, rtol=1e-9, atol=1e-14)
        theta = theta + step


def test_ftrl_time_sum_with_zero_gamma_is_ftrl():
    grads = np.random.default_rng(2).standard_normal((10, 2))
    a = run(rules.ftrl_time(0.5, 0.0, "sum", l1=0.1), [1.0, 1.0], grads)[2]
    b = run(rules.ftrl(0.5, l1=0.1), [1.0, 1.0], grads)[2]
    assert_array_equal(a, b)


def test_parabola_warmup_then_one_step():
    c, p = 4.0, 0.3
    steps, state, theta = run(rules.parabola(warmup=1, warmup_lr=0.01), [1.0],
                              [[c * (1.0 - p)]])
    assert_allclose(steps[0], [-0.01 * c * 0.7], rtol=1e-15)
    g1 = c * (theta[0] - p)
    steps, state, theta = run(rules.parabola(warmup=1, warmup_lr=0.01), [1.0],
                              [[c * 0.7], [g1]])
    assert_allclose(state.rate, [1 / c], rtol=1e-12)
    assert_allclose(theta, [p], rtol=1e-12)


@pytest.mark.parametrize("curvature", [0.05, 1.0, 7.0, 300.0])
def test_parabola_estimate_converges_to_inverse_curvature(curvature):
    """On f = c/2 theta^2 the estimate is 1/c, and one step after warm-up lands on 0."""
    bowl = Quadratic([[curvature]], x0=[2.0])
    h = train(bowl, rules.parabola(warmup=3, warmup_lr=1e-3, lr_max=1e3), 6,
              record_state=True)
    assert_allclose(h.lr[:3], 1e-3)
    assert_allclose(h.lr[3], 1 / curvature, rtol=1e-9)
    assert abs(h.params[4, 0]) < 1e-12 * 2.0
    assert_allclose(h.states[4].rate, [1 / curvature], rtol=1e-9)


def test_parabola_separable_quadratic_and_clip():
    bowl = Quadratic(np.diag([1.0, 100.0]), x0=[1.0, 1.0])
    h = train(bowl, rules.parabola(warmup=1, warmup_lr=1e-4), 2, record_state=True)
    assert_allclose(h.states[2].rate, [1.0, 0.01], rtol=1e-9)
    assert_allclose(h.lr[1], np.sqrt(1.0 * 0.01), rtol=1e-9)  # geometric mean
    assert np.abs(h.params[2]).max() < 1e-12
    h = train(bowl, rules.parabola(warmup=1, warmup_lr=1e-4, lr_max=0.5), 2, record_state=True)
    assert_allclose(h.states[2].rate, [0.5, 0.01], rtol=1e-9)


def test_parabola_flat_coordinate_keeps_warmup_rate():
    """A coordinate whose gradient never varies has no curvature estimate."""
    _steps, state, _ = run(rules.parabola(warmup=1, warmup_lr=0.1), [0.0, 0.0],
                          [[1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])
    assert state.rate[1] == 0.1
    assert state.rate[0] != 0.1


def test_dog_first_steps():
    x0 = np.array([3.0, 4.0])
    rule = rules.dog(reps_rel=1e-3, eps=0.0)
    steps, state, _ = run(rule, x0, [[2.0, 0.0], [0.0, 1.0]])
    r_eps = 1e-3 * (1 + 5)
    assert_allclose(steps[0], [-r_eps, 0.0], rtol=1e-15)  # eta = r_eps / |g|
    # second step: rbar = |x1 - x0| = r_eps, G = 4 + 1
    assert_allclose(steps[1], [0.0, -r_eps / np.sqrt(5)], rtol=1e-15)
    assert_allclose(state.lr, r_eps / np.sqrt(5), rtol=1e-15)
    steps, _, _ = run(rules.dog(init_eta=0.5), x0, [[2.0, 0.0]])
    assert_allclose(steps[0], [-1.0, 0.0])


def test_dog_rate_grows_then_levels_off():
    bowl = Quadratic(np.diag([1.0, 10.0]), x0=[1.0, 1.0])
    h = train(bowl, rules.dog(), 1000)
    assert h.lr[0] < 1e-6
    assert 1e-2 < h.lr[-1] < 1.0  # up to the scale 1/L of the problem (0.1)
    assert h.final_loss < 1e-8


def test_schedule_free_two_steps():
    rule = rules.schedule_free_sgd(lr=0.1, momentum=0.5)
    _steps, state, theta = run(rule, [1.0], [[2.0], [1.0]])
    # step 1: z = 0.8, x = 0.8 (c = 1), y = 0.8; step 2: z = 0.7, c = 1/2, x = 0.75
    assert_allclose(state.z, [0.7], rtol=1e-15)
    assert_allclose(state.x, [0.75], rtol=1e-15)
    assert_allclose(theta, [0.5 * 0.75 + 0.5 * 0.7], rtol=1e-15)


def test_schedule_free_is_evaluated_at_its_average():
    # theta is y (where gradients are taken); train's eval_loss and train_epochs' measurements
    # and final parameters belong to the average x, as the rule's evaluate_at says
    from lrlab.datasets import blobs
    from lrlab.models import MLP
    from lrlab.trainer.epochs import train_epochs

    bowl = Quadratic(np.diag([1.0, 4.0]), x0=[2.0, -1.0], noise=1.0)
    rule = rules.schedule_free_sgd(lr=0.2, momentum=0.9)
    h = train(bowl, rule, 30, batch_size=1, eval_every=10, record_state=True)
    for k, t in enumerate(h.eval_steps):
        assert_allclose(h.eval_loss[k], bowl.loss(h.states[t].x), rtol=1e-14)
        if t:
            assert abs(h.eval_loss[k] - bowl.loss(h.params[t])) > 1e-6  # y is elsewhere
    assert rules.sgd(0.1).evaluate_at is None

    part, held = blobs(120, seed=1).split(0.25)
    net = MLP(part, hidden=6)
    run = train_epochs(net, rules.schedule_free_sgd(lr=0.5), 3, validation=net.with_data(held),
                       batch_size=16)
    again = train(net, rules.schedule_free_sgd(lr=0.5), run.history.num_steps, batch_size=16,
                  record_state=True)
    x_end = again.states[-1].x
    assert_allclose(run.final_params, x_end, rtol=1e-12)
    assert_allclose(run.val_loss[-1], net.with_data(held).loss(x_end), rtol=1e-12)


def test_effective_lr():
    rule = rules.adagrad(lr=1.0, eps=0.0)
    state = rule.init(np.zeros(2))
    assert np.isnan(rules.effective_lr(rule, state)).all()
    _, state = rule.update(np.array([2.0, 0.5]), state, np.zeros(2), t=0)
    assert_allclose(rules.effective_lr(rule, state), [0.5, 2.0])
    rule = rules.sgd(0.1, momentum=0.9)
    assert_allclose(rules.effective_lr(rule, rule.init(np.zeros(3))), [0.1])
    rule = rules.adam(lr=0.1, betas=(0.5, 0.75), eps=0.0)
    step, state = rule.update(np.array([2.0]), rule.init(np.zeros(1)), np.zeros(1), t=0)
    assert_allclose(-rules.effective_lr(rule, state) * state.exp_avg, step)
    with pytest.raises(TypeError, match="must be an lrlab Rule"):
        rules.effective_lr("adam", state)
    with pytest.raises(TypeError, match="neither a 'rate' nor an 'lr'"):
        rules.effective_lr(rule, rules.EmptyState())


@pytest.mark.parametrize("factory", [
    lambda: rules.adagrad(0.1), lambda: rules.rmsprop(0.01, centered=True),
    lambda: rules.adadelta(), lambda: rules.ftrl(0.5), lambda: rules.ftrl_time(0.5, 0.1),
    lambda: rules.parabola(warmup=1),
])
def test_rate_times_direction_is_the_step(factory):
    """For gradient-scaling rules, step = -rate * g exactly at every step."""
    rule = factory()
    theta = np.array([1.0, -2.0])
    state = rule.init(theta)
    for t, g in enumerate(np.random.default_rng(3).standard_normal((5, 2))):
        step, state = rule.update(g, state, theta, t=t)
        assert_allclose(step, -rules.effective_lr(rule, state) * g, rtol=1e-9, atol=1e-15)
        theta = theta + step
