"""lrlab.linear_stability: heavy-ball factors and SGD's second moment, against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lrlab import train
from lrlab.datasets import noisy_line
from lrlab.gradient_noise import gradient_noise_covariance, measured_floor, noise_floor
from lrlab.linear_stability import (
    best_momentum,
    heavy_ball_rate,
    mean_square_floor,
    mean_square_rate,
    mean_square_threshold,
    polyak_heavy_ball,
    second_moment_operator,
)
from lrlab.models import LinearRegression
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


@pytest.fixture(scope="module")
def line():
    return LinearRegression(noisy_line(400, noise=1.0, seed=0))   # notebook 03's problem


@pytest.fixture(scope="module")
def tiny():
    return LinearRegression(noisy_line(6, noise=0.5, seed=2), l2=0.3)   # 6 samples, ridge


# ------------------------------------------------------------------ heavy ball
def test_gd_factor_is_the_worst_one_minus_eta_lambda():
    lam = np.array([0.1, 0.5, 1.0])
    for lr in (0.3, 1.0, 1.9, 2.5):
        assert heavy_ball_rate(lr, 0.0, lam) == pytest.approx(np.abs(1 - lr * lam).max())


@pytest.mark.parametrize(("lr", "beta"), [(1.0, 0.8), (1.8, 0.33), (0.5, 0.0), (2.3, 0.27),
                                          (0.2, 0.95)])
def test_heavy_ball_factor_is_the_factor_a_run_shows(lr, beta):
    # the error of sgd(lr, momentum=beta) on a diagonal quadratic shrinks by this factor
    bowl = quadratic([0.1, 1.0])
    h = train(bowl, sgd(lr, momentum=beta), 600, divergence_factor=None)
    err = np.linalg.norm(h.params - bowl.minima[0], axis=-1)
    measured = (err[600] / err[400]) ** (1 / 200)
    assert measured == pytest.approx(heavy_ball_rate(lr, beta, [0.1, 1.0]), rel=0.02)


def test_polyak_tuning_gives_the_accelerated_factor_and_beats_every_other_pair():
    L, mu = 1.0, 0.01
    lr, beta = polyak_heavy_ball(L, mu)
    kappa = L / mu
    assert heavy_ball_rate(lr, beta, [mu, L]) == pytest.approx(
        (np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-6)
    etas, betas = np.meshgrid(np.linspace(0.1, 3.9, 120), np.linspace(0, 0.99, 100))
    assert heavy_ball_rate(etas, betas, [mu, L]).min() >= heavy_ball_rate(lr, beta, [mu, L]) - 1e-9


def test_best_momentum_is_the_grid_minimum_at_its_rate():
    L, mu = 1.0, 0.1
    betas = np.linspace(0, 0.99, 9901)
    for lr in (0.5, 1.0, 2 / 1.1, 3.0):
        grid = heavy_ball_rate(lr, betas, [mu, L])
        assert best_momentum(lr, L, mu) == pytest.approx(betas[grid.argmin()], abs=2e-4)
        assert heavy_ball_rate(lr, best_momentum(lr, L, mu), [mu, L]) == pytest.approx(
            np.sqrt(best_momentum(lr, L, mu)), rel=1e-6)
    # the Polyak pair is the best momentum at Polyak's rate
    lr, beta = polyak_heavy_ball(L, mu)
    assert best_momentum(lr, L, mu) == pytest.approx(beta)


def test_heavy_ball_broadcasts_rates_and_momenta():
    out = heavy_ball_rate(np.array([0.5, 1.0]), np.array([[0.0], [0.5]]), [0.1, 1.0])
    assert out.shape == (2, 2)
    assert out[0, 1] == pytest.approx(0.9)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: heavy_ball_rate(0.0, 0.5, [1.0]), "'lr' parameter of heavy_ball_rate"),
    (lambda: heavy_ball_rate(1.0, 1.0, [1.0]), "'momentum' parameter of heavy_ball_rate"),
    (lambda: heavy_ball_rate(1.0, 0.5, [[1.0]]), "'curvatures' parameter of heavy_ball_rate"),
    (lambda: heavy_ball_rate(1.0, 0.5, [-1.0]), "'curvatures' parameter of heavy_ball_rate"),
    (lambda: best_momentum(4.0, 1.0, 0.1), "'lr' parameter of best_momentum"),
    (lambda: polyak_heavy_ball(1.0, 2.0), "'strong_convexity' parameter of polyak_heavy_ball"),
])
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------ second moment
def _per_sample_hessians(problem):
    A = problem._A
    return np.einsum("ni,nj->nij", A, A) + problem.l2 * np.eye(problem.dim)


def test_operator_at_batch_one_is_the_average_over_samples(tiny):
    # T = mean_i (I - eta A_i) kron (I - eta A_i), A_i the per-sample Hessian (ridge included)
    eye = np.eye(tiny.dim)
    brute = np.mean([np.kron(eye - 0.4 * Ai, eye - 0.4 * Ai)
                     for Ai in _per_sample_hessians(tiny)], axis=0)
    assert np.allclose(second_moment_operator(tiny, 0.4, batch_size=1), brute, atol=1e-13)


@pytest.mark.parametrize("B", [2, 3, 5, 6])
def test_operator_enumerates_every_batch_without_replacement(tiny, B):
    eye = np.eye(tiny.dim)
    Ai = _per_sample_hessians(tiny)
    maps = []
    for batch in itertools.combinations(range(tiny.n_samples), B):
        G = eye - 0.25 * Ai[list(batch)].mean(axis=0)
        maps.append(np.kron(G, G))
    assert np.allclose(second_moment_operator(tiny, 0.25, batch_size=B), np.mean(maps, axis=0),
                       atol=1e-13)


def test_operator_propagates_the_second_moment_of_a_noise_free_run():
    # targets exactly on the line: e_{t+1} = (I - eta H_B) e_t, so E[e e^T] = T^t e0 e0^T;
    # the expectation over all 4^3 batch sequences of length 3 is enumerated exactly
    data = noisy_line(4, noise=0.0, seed=5)
    p = LinearRegression(data)
    e0 = np.array([1.0, -0.5])
    eye = np.eye(2)
    Ai = _per_sample_hessians(p)
    total = np.zeros((2, 2))
    for seq in itertools.product(range(4), repeat=3):
        e = e0
        for i in seq:
            e = (eye - 0.3 * Ai[i]) @ e
        total += np.outer(e, e) / 4**3
    T = second_moment_operator(p, 0.3, batch_size=1)
    assert np.allclose(np.linalg.matrix_power(T, 3) @ np.outer(e0, e0).ravel(), total.ravel())


def test_threshold_is_where_the_rate_crosses_one_between_the_two_bounds(line):
    eta = mean_square_threshold(line, batch_size=1)
    assert mean_square_rate(line, eta * (1 - 1e-6)) < 1 < mean_square_rate(line, eta * (1 + 1e-6))
    assert mean_square_rate(line, eta) == pytest.approx(1.0, abs=1e-9)
    per_sample = 2 / (line._A ** 2).sum(axis=1).max()
    assert per_sample < eta < 2 / line.smoothness
    assert eta == pytest.approx(0.6378, abs=1e-3)     # the value notebook 03 quotes


def test_threshold_grows_with_the_batch_and_reaches_two_over_l(line):
    thresholds = [mean_square_threshold(line, B) for B in (1, 2, 4, 16, 64, 399)]
    assert np.all(np.diff(thresholds) > 0)
    assert mean_square_threshold(line, 400) == pytest.approx(2 / line.smoothness, rel=1e-10)


def test_threshold_of_a_ridge_problem(tiny):
    eta = mean_square_threshold(tiny, 2)
    assert mean_square_rate(tiny, 0.999 * eta, 2) < 1 < mean_square_rate(tiny, 1.001 * eta, 2)


def test_floor_is_the_fixed_point_of_the_recursion(tiny):
    # iterate M <- T(M) + eta^2 Q from 0 until it settles; compare with the solve
    lr, B = 0.2, 2
    T = second_moment_operator(tiny, lr, B)
    Q = gradient_noise_covariance(tiny, batch_size=B).ravel()
    m = np.zeros_like(Q)
    for _ in range(3000):
        m = T @ m + lr**2 * Q
    H = tiny.hessian(tiny.x0)
    assert mean_square_floor(tiny, lr, B) == pytest.approx(0.5 * H.ravel() @ m, rel=1e-10)


def test_floor_is_what_runs_measure_where_the_constant_noise_model_is_off(line):
    # lr = 0.2, B = 1: the constant-noise Lyapunov floor is 20 % low; the exact one is not
    exact = mean_square_floor(line, 0.2, 1)
    measured = np.mean([measured_floor(line, 0.2, 1, num_steps=3000, seed=s) for s in range(4)])
    assert measured == pytest.approx(exact, rel=0.08)
    assert noise_floor(line, 0.2, 1) < 0.85 * exact


def test_floor_matches_the_small_rate_approximation_and_is_inf_beyond_the_threshold(line):
    assert mean_square_floor(line, 1e-3, 4) == pytest.approx(noise_floor(line, 1e-3, 4), rel=2e-3)
    eta = mean_square_threshold(line, 1)
    floors = mean_square_floor(line, np.array([0.5 * eta, 0.99 * eta, eta, 1.2 * eta]), 1)
    assert np.isfinite(floors[:2]).all() and floors[1] > 10 * floors[0]
    assert np.isinf(floors[2:]).all()


def test_second_moment_needs_least_squares_and_a_valid_batch(line):
    with pytest.raises(TypeError, match="'problem' parameter of mean_square_threshold must be "
                                        "a LinearRegression"):
        mean_square_threshold(quadratic([1.0, 2.0]))
    with pytest.raises(ValueError, match="'batch_size' parameter of mean_square_rate"):
        mean_square_rate(line, 0.1, batch_size=401)
    with pytest.raises(ValueError, match="'lr' parameter of second_moment_operator"):
        second_moment_operator(line, -0.1)
    flat = LinearRegression((np.ones((3, 1)), np.arange(3.0)))   # x constant: H singular
    with pytest.raises(ValueError, match="must be strongly convex"):
        mean_square_floor(flat, 0.1)
