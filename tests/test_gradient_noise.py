"""lrlab.gradient_noise: the noise floor of constant-rate SGD, measured against predicted."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import train
from lrlab.apps.race import default_data_problem
from lrlab.gradient_noise import (
    gradient_noise_covariance,
    gradient_noise_scale,
    measured_floor,
    noise_floor,
)
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


@pytest.fixture(scope="module")
def line():
    return default_data_problem()   # least squares on 400 noisy points, f_star known


def test_measured_floor_is_the_mean_full_data_gap_over_the_tail(line):
    # by hand: the full-data loss of every iterate, averaged over steps 1501..2000
    h = train(line, sgd(0.1), 2000, batch_size=4, seed=3, record_params=True)
    gaps = line.loss(h.params) - line.f_star
    assert measured_floor(line, 0.1, 4, seed=3, tail=0.25) == pytest.approx(
        np.mean(gaps[-500:]), rel=1e-12)
    assert measured_floor(line, 0.1, 4, seed=3, tail=1.0) == pytest.approx(
        np.mean(gaps[1:]), rel=1e-12)


def test_measured_floor_agrees_with_the_prediction_and_scales_like_it(line):
    # the floor grows with the rate and shrinks with the batch, as eta tr(Sigma) / (4 B)
    m = {(lr, B): measured_floor(line, lr, B) for lr in (0.025, 0.05) for B in (4, 16)}
    for (lr, B), value in m.items():
        assert 0.7 < value / noise_floor(line, lr, B) < 1.4
    assert 2.5 < m[0.05, 4] / m[0.05, 16] < 6.0
    assert 1.4 < m[0.05, 4] / m[0.025, 4] < 2.8


def test_an_array_of_rates_is_one_batched_run_with_the_same_numbers(line):
    lrs = np.array([0.05, 0.2])
    batched = measured_floor(line, lrs, 4, num_steps=600)
    assert batched.shape == (2,)
    single = [measured_floor(line, lr, 4, num_steps=600) for lr in lrs]
    np.testing.assert_allclose(batched, single, rtol=1e-12)


def test_a_diverged_run_has_no_floor(line):
    with np.errstate(all="raise"):   # and it raises no numpy warning on the way
        assert measured_floor(line, 5.0, 4, num_steps=200) == np.inf
        mixed = measured_floor(line, np.array([0.05, 5.0]), 4, num_steps=200)
    assert np.isfinite(mixed[0]) and mixed[1] == np.inf


def test_the_noise_explorer_reports_the_same_measured_floor(line):
    from lrlab.apps.noise import NoiseExplorer

    app = NoiseExplorer(line, lr=0.1, batch_size=8, num_steps=400, backend="png")
    assert app.measured_floor == pytest.approx(
        measured_floor(line, 0.1, 8, num_steps=400, seed=app.seed), rel=1e-10)


def test_measured_floor_errors_name_the_argument(line):
    with pytest.raises(ValueError, match="needs a data problem"):
        measured_floor(quadratic([1.0, 2.0]), 0.1, 1)
    from lrlab.datasets import two_moons
    from lrlab.models import MLP

    with pytest.raises(ValueError, match=r"gap above the minimum: .* has f_star=None"):
        measured_floor(MLP(two_moons(50), hidden=(4,)), 0.1, 4)
    with pytest.raises(ValueError, match=r"'batch_size' parameter of measured_floor must be "
                                         r"an int in \[1, 400\]"):
        measured_floor(line, 0.1, 401)
    with pytest.raises(ValueError, match=r"'tail' parameter of measured_floor must be a finite "
                                         r"float in \(0, 1\]"):
        measured_floor(line, 0.1, 4, tail=0.0)
    with pytest.raises(ValueError, match="'num_steps' parameter of measured_floor"):
        measured_floor(line, 0.1, 4, num_steps=1)
    with pytest.raises(ValueError, match="'lr' parameter of sgd"):
        measured_floor(line, -0.1, 4)


def test_noise_floor_theory():
    p = default_data_problem()
    f1, f4 = noise_floor(p, 0.05, 1), noise_floor(p, 0.05, 4)
    n = p.n_samples
    # without-replacement factor (n - B)/(n - 1)/B
    assert f1 / f4 == pytest.approx(4 * (n - 1) / (n - 4), rel=1e-6)
    # small lr: floor ~ lr tr(Sigma_B) / 4
    sigma = gradient_noise_covariance(p, batch_size=1)
    assert noise_floor(p, 1e-4, 1) == pytest.approx(1e-4 * np.trace(sigma) / 4, rel=1e-3)
    assert noise_floor(p, 2.0 / p.smoothness, 1) == np.inf
    # gradient covariance of least squares at the optimum: mean of r_i^2 a_i a_i^T
    X, y = p.data.X, p.data.y
    A = np.column_stack([X[:, 0], np.ones(n)])
    r = A @ p.minima[0] - y
    np.testing.assert_allclose(sigma, (A * r[:, None] ** 2).T @ A / n, rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------ gradient noise scale
def _loop_noise_scale(problem, theta):
    g = np.stack([problem.grad(theta, np.array([i])) for i in range(problem.n_samples)])
    G = g.mean(axis=0)
    return np.mean(np.sum((g - G) ** 2, axis=1)) / (G @ G)


@pytest.mark.parametrize("activation", ["tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_noise_scale_of_an_mlp_is_the_per_sample_definition(activation, l2):
    from lrlab.datasets import blobs
    from lrlab.gradient_noise import _per_sample_squared_norms
    from lrlab.models import MLP

    net = MLP(blobs(60, seed=1), hidden=(5, 4), activation=activation, l2=l2, seed=2)
    theta = net.x0 + 0.1
    assert gradient_noise_scale(net, theta) == pytest.approx(_loop_noise_scale(net, theta),
                                                             rel=1e-10)
    loop = [np.sum(net.grad(theta, np.array([i])) ** 2) for i in range(60)]
    assert np.allclose(_per_sample_squared_norms(net, theta, chunk=7), loop, rtol=1e-12)


def test_noise_scale_is_trace_of_the_covariance_over_the_squared_gradient(line):
    theta = np.array([0.5, -1.0])
    G = line.grad(theta)
    expected = np.trace(gradient_noise_covariance(line, theta)) / (G @ G)
    assert gradient_noise_scale(line, theta) == pytest.approx(expected, rel=1e-12)
    assert gradient_noise_scale(line, theta) == pytest.approx(_loop_noise_scale(line, theta))


def test_noise_scale_predicts_the_batch_where_noise_equals_signal(line):
    # E|g_B - G|^2 = tr(Sigma)/B (with replacement; without: times (n-B)/(n-1)):
    # at B = B_simple the minibatch noise is as large as |G|^2
    theta = np.array([0.5, -1.0])
    b = gradient_noise_scale(line, theta)
    B = round(b)
    rng = np.random.default_rng(0)
    G = line.grad(theta)
    noise = np.mean([np.sum((line.grad(theta, rng.choice(400, B, replace=False)) - G) ** 2)
                     for _ in range(4000)])
    assert noise == pytest.approx((G @ G) * b / B * (400 - B) / 399, rel=0.06)


def test_noise_scale_grows_towards_the_minimum(line):
    far, near = np.array([3.0, 3.0]), line.minima[0] + 0.05
    assert gradient_noise_scale(line, near) > 10 * gradient_noise_scale(line, far)
    assert gradient_noise_scale(line) > 1e12     # at the minimiser G = 0 up to rounding: no signal
    with pytest.raises(ValueError, match="'theta' parameter of gradient_noise_scale"):
        gradient_noise_scale(line, [1.0, 2.0, 3.0])


def test_a_covariance_kept_gives_the_same_floor_bit_for_bit(line):
    """noise_floor(..., covariance=) (what the noise explorer passes on an lr change) is
    noise_floor itself; the covariance is the per-sample formula through problem.grad."""
    theta = np.asarray(line.minima[0], dtype=float)
    g = np.stack([line.grad(theta, np.array([i])) for i in range(line.n_samples)])
    d = g - g.mean(axis=0)
    n = line.n_samples
    for B in (1, 4, 64, n):
        sigma = gradient_noise_covariance(line, batch_size=B)
        np.testing.assert_array_equal(sigma, d.T @ d / n / B * (n - B) / max(n - 1, 1))
        for lr in (1e-3, 0.2, 0.9 / line.smoothness):
            assert noise_floor(line, lr, B, covariance=sigma) == noise_floor(line, lr, B)
    with pytest.raises(ValueError, match="'covariance' parameter of noise_floor"):
        noise_floor(line, 0.1, 4, covariance=np.eye(3))
    with pytest.raises(ValueError, match="'covariance'"):
        noise_floor(line, 0.1, 4, covariance=np.full((2, 2), np.nan))
