"""Tests of lrlab.models (linear, logistic, MLP): gradients, Hessians, constants, training."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

import lrlab
from lrlab.datasets import Dataset, blobs, noisy_line, sparse_features, two_moons
from lrlab.models import MLP, DataProblem, LinearRegression, LogisticRegression
from lrlab.rules import sgd


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def fd_grad(problem, theta, eps=1e-6):
    """Central differences of the loss, coordinate by coordinate (vectorised over runs)."""
    E = np.eye(problem.dim)
    cols = [(problem.loss(theta + eps * e) - problem.loss(theta - eps * e)) / (2 * eps)
            for e in E]
    return np.stack(cols, axis=-1)


def fd_hessian(problem, theta, eps=1e-5):
    """Central differences of the gradient: column i is (g(x + eps e_i) - g(x - eps e_i)) / 2eps."""
    E = np.eye(problem.dim)
    cols = [(problem.grad(theta + eps * e) - problem.grad(theta - eps * e)) / (2 * eps)
            for e in E]
    return np.stack(cols, axis=-1)


def regression_data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 3.0, 0.3][:d]
    y = X @ rng.normal(size=d) + 0.5 + 0.1 * rng.normal(size=n)
    return Dataset(X, y, "random regression")


def binary_data(n=50, seed=0):
    data = blobs(n, centers=2, spread=3.0, seed=seed)
    return Dataset(data.X, data.y, "noisy blobs")


def make(kind, **kw):
    if kind == "linear":
        return LinearRegression(regression_data(), **kw)
    if kind == "logistic":
        return LogisticRegression(binary_data(), **kw)
    return MLP(blobs(30, centers=3, seed=1), hidden=(5, 4), seed=2, **kw)


PROBLEMS = {
    "linear": lambda: make("linear"),
    "linear-l2-noint": lambda: make("linear", l2=0.3, fit_intercept=False),
    "logistic": lambda: make("logistic"),
    "logistic-l2": lambda: make("logistic", l2=0.1),
    "mlp-tanh": lambda: make("mlp", activation="tanh"),
    "mlp-tanh-l2": lambda: make("mlp", activation="tanh", l2=0.05),
    "mlp-relu": lambda: make("mlp", activation="relu"),
}


def random_theta(problem, rng, shape=(), scale=0.5):
    return problem.x0 + scale * rng.standard_normal((*shape, problem.dim))


def relu_safe_theta(net, rng, shape=(), scale=0.5, margin=1e-4):
    """A random theta whose ReLU pre-activations all stay ``margin`` away from the kink."""
    for _ in range(100):
        theta = random_theta(net, rng, shape, scale)
        if net.activation != "relu" or relu_away_from_kinks(net, theta, margin):
            return theta
    raise AssertionError("no theta away from the ReLU kinks found")


def relu_away_from_kinks(net, theta, margin=1e-4):
    """True when no hidden pre-activation is within ``margin`` of 0 (safe finite differences)."""
    h = net.data.X
    for W, b in net.unflatten(theta)[:-1]:
        a = h @ W + b[..., None, :]
        if np.abs(a).min() < margin:
            return False
        h = np.maximum(a, 0.0)
    return True


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("name", PROBLEMS)
def test_gradient_matches_finite_differences(name, rng):
    problem = PROBLEMS[name]()
    theta = relu_safe_theta(problem, rng, (3,)) if name == "mlp-relu" else random_theta(
        problem, rng, (3,))
    loss, g = problem.loss_and_grad(theta)
    np.testing.assert_allclose(g, fd_grad(problem, theta), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(problem.grad(theta), g, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(problem.loss(theta), loss, rtol=1e-13)


@pytest.mark.parametrize("name", PROBLEMS)
def test_batched_runs_equal_separate_runs(name, rng):
    problem = PROBLEMS[name]()
    R = 4
    theta = random_theta(problem, rng, (2, R))
    v = rng.standard_normal(theta.shape)
    batch = np.array([3, 1, 4, 15, 9, 2, 6])
    loss, g = problem.loss_and_grad(theta, batch)
    assert loss.shape == (2, R) and g.shape == (2, R, problem.dim)
    flat_loss, flat_g = problem.loss_and_grad(theta[0], batch)
    assert flat_loss.shape == (R,) and flat_g.shape == (R, problem.dim)
    hv = problem.hvp(theta, v)
    assert hv.shape == theta.shape
    for i in range(2):
        for r in range(R):
            li, gi = problem.loss_and_grad(theta[i, r], batch)
            assert np.ndim(li) == 0
            np.testing.assert_allclose(loss[i, r], li, rtol=1e-13)
            np.testing.assert_allclose(g[i, r], gi, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(flat_g[r], g[0, r], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(hv[i, r], problem.hvp(theta[i, r], v[i, r]),
                                       rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", PROBLEMS)
def test_mean_of_disjoint_minibatch_gradients_is_the_full_gradient(name, rng):
    problem = PROBLEMS[name]()
    theta = random_theta(problem, rng, (2,))
    n = problem.n_samples
    perm = rng.permutation(n)
    size = next(s for s in (10, 6, 5, 3, 2, 1) if n % s == 0)
    batches = perm.reshape(-1, size)
    mean_loss = np.mean([problem.loss(theta, b) for b in batches], axis=0)
    mean_grad = np.mean([problem.grad(theta, b) for b in batches], axis=0)
    full_loss, full_grad = problem.loss_and_grad(theta)
    np.testing.assert_allclose(mean_loss, full_loss, rtol=1e-12)
    np.testing.assert_allclose(mean_grad, full_grad, rtol=1e-11, atol=1e-14)


@pytest.mark.parametrize("name", ["linear", "logistic", "mlp-tanh"])
def test_same_seed_same_batches_through_train(name):
    problem = PROBLEMS[name]()
    lrs = np.array([0.01, 0.05])
    a = lrlab.train(problem, sgd(lrs), 20, batch_size=7, seed=3)
    b = lrlab.train(problem, sgd(lrs), 20, batch_size=7, seed=3)
    c = lrlab.train(problem, sgd(lrs), 20, batch_size=7, seed=4)
    np.testing.assert_array_equal(a.loss, b.loss)
    assert not np.array_equal(a.loss, c.loss)
    # a batched run equals the separate runs made with the same seed
    for i, lr in enumerate(lrs):
        single = lrlab.train(problem, sgd(float(lr)), 20, batch_size=7, seed=3)
        np.testing.assert_allclose(single.loss, a.loss[:, i], rtol=1e-12)


# ---------------------------------------------------------- Hessians and HVPs
@pytest.mark.parametrize("name", PROBLEMS)
def test_hessian_matches_finite_differences_of_the_gradient(name, rng):
    problem = PROBLEMS[name]()
    theta = relu_safe_theta(problem, rng, (2,), margin=1e-3) if name == "mlp-relu" else (
        random_theta(problem, rng, (2,)))
    H = problem.hessian(theta)
    assert H.shape == (2, problem.dim, problem.dim)
    np.testing.assert_allclose(H, fd_hessian(problem, theta), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(H, H.swapaxes(-1, -2), atol=1e-13)
    v = rng.standard_normal(theta.shape)
    np.testing.assert_allclose(problem.hvp(theta, v), np.einsum("rij,rj->ri", H, v),
                               rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_mlp_hvp_matches_directional_difference_of_gradients(activation, rng):
    net = MLP(two_moons(64), hidden=(16, 8), activation=activation, seed=4, l2=0.01)
    theta = relu_safe_theta(net, rng, (3,), scale=0.3)
    v = rng.standard_normal(theta.shape)
    eps = 1e-6
    fd = (net.grad(theta + eps * v) - net.grad(theta - eps * v)) / (2 * eps)
    hv = net.hvp(theta, v)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-6 * np.abs(hv).max())
    # linear in v, and the Hessian is symmetric: <u, Hv> = <v, Hu>
    u = rng.standard_normal(theta.shape)
    np.testing.assert_allclose(net.hvp(theta, 2 * v - u), 2 * hv - net.hvp(theta, u),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.sum(u * hv, -1), np.sum(v * net.hvp(theta, u), -1),
                               rtol=1e-10)


def test_mlp_dense_hessian_of_a_tiny_net_and_its_hvp_agree_with_hand_expansion(rng):
    data = Dataset(np.array([[0.5, -1.0], [1.5, 0.3], [-0.7, 0.2]]), np.array([0, 1, 1]), "tiny")
    net = MLP(data, hidden=2, seed=0)
    assert net.dim == 2 * 2 + 2 + 2 * 2 + 2
    theta = random_theta(net, rng)
    H = net.hessian(theta)
    E = np.eye(net.dim)
    cols = np.stack([net.hvp(theta, e) for e in E], axis=-1)
    np.testing.assert_allclose(H, cols, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(H, fd_hessian(net, theta), rtol=1e-6, atol=1e-8)


def test_linear_hessian_and_hvp_are_constant(rng):
    problem = make("linear", l2=0.2)
    A = np.column_stack([problem.data.X, np.ones(problem.n_samples)])
    H = A.T @ A / problem.n_samples + 0.2 * np.eye(problem.dim)
    theta = random_theta(problem, rng, (3,))
    np.testing.assert_allclose(problem.hessian(theta), np.broadcast_to(H, (3, 4, 4)))
    v = rng.standard_normal(problem.dim)
    np.testing.assert_allclose(problem.hvp(theta, v), np.tile(H @ v, (3, 1)))


# ---------------------------------------------------- linear regression facts
def test_linear_smoothness_is_the_top_eigenvalue_computed_independently():
    data = regression_data(n=50)
    problem = LinearRegression(data)
    A = np.column_stack([data.X, np.ones(50)])
    s = np.linalg.svd(A, compute_uv=False)  # an independent route: singular values
    assert problem.smoothness == pytest.approx(s[0] ** 2 / 50, rel=1e-12)
    assert problem.strong_convexity == pytest.approx(s[-1] ** 2 / 50, rel=1e-10)
    ridge = LinearRegression(data, l2=0.5, fit_intercept=False)
    s = np.linalg.svd(data.X, compute_uv=False)
    assert ridge.smoothness == pytest.approx(s[0] ** 2 / 50 + 0.5, rel=1e-12)
    assert ridge.strong_convexity == pytest.approx(s[-1] ** 2 / 50 + 0.5, rel=1e-12)


def test_linear_solution_and_f_star(rng):
    data = noisy_line(80, slope=1.5, intercept=0.25, noise=0.3, seed=2)
    problem = LinearRegression(data)
    slope, intercept = np.polyfit(data.X[:, 0], data.y, 1)
    np.testing.assert_allclose(problem.solution, [slope, intercept], rtol=1e-10)
    residual = data.y - slope * data.X[:, 0] - intercept
    assert problem.f_star == pytest.approx(0.5 * np.mean(residual**2), rel=1e-10)
    np.testing.assert_allclose(problem.minima, problem.solution[None, :])
    # ridge: the gradient vanishes at the solution and f_star is the loss there
    ridge = LinearRegression(regression_data(), l2=0.7)
    assert np.abs(ridge.grad(ridge.solution)).max() < 1e-12
    assert ridge.f_star == pytest.approx(float(ridge.loss(ridge.solution)), rel=1e-14)
    assert np.all(ridge.loss(random_theta(ridge, rng, (20,))) > ridge.f_star)


def test_ridge_solution_matches_augmented_least_squares():
    # min ||Xw - y||^2/(2n) + l2/2 ||w||^2  is least squares on [X; sqrt(n l2) I], [y; 0]
    data = regression_data(n=60)
    problem = LinearRegression(data, l2=0.25, fit_intercept=False)
    A = np.vstack([data.X, np.sqrt(60 * 0.25) * np.eye(3)])
    ref = np.linalg.lstsq(A, np.concatenate([data.y, np.zeros(3)]), rcond=None)[0]
    np.testing.assert_allclose(problem.solution, ref, rtol=1e-12)


def test_gradient_descent_at_one_over_L_converges_to_least_squares():
    problem = LinearRegression(regression_data(n=60))
    h = lrlab.train(problem, sgd(1.0 / problem.smoothness), 3000, tol=1e-12)
    assert h.status() == "stopped" and h.last_step < 3000
    np.testing.assert_allclose(h.final_params, problem.solution, atol=1e-10)
    assert h.final_loss == pytest.approx(problem.f_star, rel=1e-12)
    # and 2/L is the edge: a bit above it, gradient descent diverges
    h = lrlab.train(problem, sgd(np.array([1.9, 2.1]) / problem.smoothness), 2000)
    assert h.diverged.tolist() == [False, True]


# -------------------------------------------------- logistic regression facts
def test_logistic_smoothness_bounds_the_hessian_everywhere(rng):
    data = binary_data(n=80)
    problem = LogisticRegression(data, l2=0.05)
    A = np.column_stack([data.X, np.ones(80)])
    L = np.linalg.svd(A, compute_uv=False)[0] ** 2 / (4 * 80) + 0.05
    assert problem.smoothness == pytest.approx(L, rel=1e-12)
    assert problem.strong_convexity == 0.05
    eig = np.linalg.eigvalsh(problem.hessian(random_theta(problem, rng, (10,), scale=3.0)))
    assert np.all(eig <= L * (1 + 1e-12)) and np.all(eig >= 0.05 * (1 - 1e-12))
    # at theta = 0 every sigma'(0) = 1/4, so the bound is attained
    assert np.linalg.eigvalsh(problem.hessian(np.zeros(3)))[-1] == pytest.approx(L, rel=1e-12)


def test_logistic_solution_matches_scipy_minimize():
    optimize = pytest.importorskip("scipy.optimize")
    data = binary_data(n=80, seed=3)
    problem = LogisticRegression(data, l2=0.02)
    ref = optimize.minimize(lambda w: float(problem.loss(w)), np.zeros(3), jac=problem.grad,
                            method="BFGS", options={"gtol": 1e-11})
    np.testing.assert_allclose(problem.solution, ref.x, rtol=1e-6)
    assert np.abs(problem.grad(problem.solution)).max() < 1e-12
    assert problem.f_star == pytest.approx(float(problem.loss(problem.solution)))
    assert problem.f_star <= ref.fun
    unpenalised = LogisticRegression(data)
    assert unpenalised.solution is None and unpenalised.f_star is None


def test_logistic_loss_is_stable_for_huge_scores():
    problem = LogisticRegression(Dataset(np.array([[1.0], [-1.0]]), np.array([1, 1]), "d"),
                                 fit_intercept=False)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, g = problem.loss_and_grad(np.array([[800.0], [-800.0]]))
        H = problem.hessian(np.array([[800.0]]))
    np.testing.assert_allclose(loss, [400.0, 400.0])  # log(1 + e^800) ~ 800 on one sample
    np.testing.assert_allclose(g[:, 0], [0.5, -0.5])  # mean((sigma(z) - y) x)
    assert np.all(np.isfinite(H)) and H[0, 0, 0] == pytest.approx(0.0, abs=1e-300)


def test_logistic_predictions():
    problem = LogisticRegression(two_moons(200), l2=1e-3)
    X = problem.data.X
    proba = problem.predict_proba(problem.solution, X)
    np.testing.assert_array_equal(problem.predict(problem.solution, X), (proba > 0.5).astype(int))
    assert 0.8 < float(problem.accuracy(problem.solution)) < 1.0
    assert problem.accuracy(np.zeros((4, 3))).shape == (4,)


def test_sparse_features_give_a_logistic_problem():
    problem = LogisticRegression(sparse_features(300, dim=20), l2=1e-3)
    assert problem.dim == 21 and float(problem.accuracy(problem.solution)) > 0.7


# -------------------------------------------------------------- the MLP itself
def test_mlp_layout_unflatten_and_slices():
    net = MLP(blobs(20, centers=4), hidden=(3, 5))
    assert net.sizes == (2, 3, 5, 4)
    assert net.dim == 2 * 3 + 3 + 3 * 5 + 5 + 5 * 4 + 4
    theta = np.arange(2 * net.dim, dtype=float).reshape(2, net.dim)
    layers = net.unflatten(theta)
    for (W, b), (fi, fo), l in zip(layers, [(2, 3), (3, 5), (5, 4)], [1, 2, 3], strict=True):
        assert W.shape == (2, fi, fo) and b.shape == (2, fo)
        np.testing.assert_array_equal(W.reshape(2, -1), theta[:, net.param_slices[f"W{l}"]])
        np.testing.assert_array_equal(b, theta[:, net.param_slices[f"b{l}"]])
        assert np.shares_memory(W, theta)
    stops = [(s.start, s.stop) for s in net.layer_slices.values()]
    assert list(net.layer_slices) == ["layer1", "layer2", "layer3"]
    assert stops[0][0] == 0 and stops[-1][1] == net.dim
    assert all(a[1] == b[0] for a, b in itertools.pairwise(stops))
    assert net.name == "MLP 2-3-5-4 tanh"


def test_mlp_initialisation_is_seeded_glorot_or_he():
    data = blobs(20)
    a, b = MLP(data, hidden=64, seed=1), MLP(data, hidden=64, seed=1)
    np.testing.assert_array_equal(a.x0, b.x0)
    assert not np.array_equal(a.x0, MLP(data, hidden=64, seed=2).x0)
    net = MLP(Dataset(np.zeros((4, 200)), np.arange(4) % 3, "wide"), hidden=(300,))
    (W1, b1), (_, b2) = net.unflatten(net.x0)
    assert np.all(b1 == 0) and np.all(b2 == 0)
    bound = np.sqrt(6 / (200 + 300))  # Glorot uniform: std = bound / sqrt(3)
    assert np.abs(W1).max() <= bound and W1.std() == pytest.approx(bound / np.sqrt(3), rel=0.02)
    relu = MLP(net.data, hidden=(300,), activation="relu")
    W1 = relu.unflatten(relu.x0)[0][0]
    assert W1.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02)  # He normal


def test_mlp_loss_at_zero_is_log_classes_and_predictions_have_run_shape(rng):
    net = MLP(blobs(30, centers=3), hidden=4)
    assert float(net.loss(np.zeros(net.dim))) == pytest.approx(np.log(3))
    theta = random_theta(net, rng, (2, 5))
    X = net.data.X[:7]
    assert net.predict(theta, X).shape == (2, 5, 7)
    proba = net.predict_proba(theta, X)
    np.testing.assert_allclose(proba.sum(-1), 1.0)
    np.testing.assert_array_equal(proba.argmax(-1), net.predict(theta, X))
    assert net.accuracy(theta).shape == (2, 5)


def test_mlp_softmax_is_stable_for_huge_weights(rng):
    net = MLP(blobs(30, centers=3), hidden=4)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss, g = net.loss_and_grad(1e4 * random_theta(net, rng, (3,)))
        hv = net.hvp(1e4 * random_theta(net, rng), rng.standard_normal(net.dim))
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(g)) and np.all(np.isfinite(hv))


@pytest.mark.parametrize(("activation", "lr", "momentum"), [("tanh", 0.2, 0.9),
                                                            ("relu", 1.0, 0.0)])
def test_mlp_learns_two_moons_with_sgd(activation, lr, momentum):
    net = MLP(two_moons(200, noise=0.1), hidden=(16,), activation=activation, seed=0)
    start = time.perf_counter()
    h = lrlab.train(net, sgd(lr, momentum=momentum), 400, batch_size=32, seed=0)
    assert time.perf_counter() - start < 2.0
    assert float(net.accuracy(net.x0)) < 0.9
    assert float(net.accuracy(h.final_params)) > 0.95


# ----------------------------------------------------------------- with_data
@pytest.mark.parametrize("kind", ["linear", "logistic", "mlp"])
def test_with_data_keeps_the_model_and_swaps_the_data(kind, rng):
    problem = make(kind, l2=0.1)
    train, val = problem.data.split(0.3, seed=1)
    held_out = problem.with_data(val)
    assert isinstance(held_out, type(problem)) and isinstance(held_out, DataProblem)
    assert held_out.dim == problem.dim and held_out.n_samples == val.n
    np.testing.assert_array_equal(held_out.x0, problem.x0)
    assert held_out.data is not problem.data and problem.n_samples == problem.data.n
    theta = random_theta(problem, rng, (2,))
    direct = type(problem)(val, l2=0.1) if kind != "mlp" else None
    if direct is not None:
        np.testing.assert_allclose(held_out.loss(theta), direct.loss(theta), rtol=1e-13)
        assert held_out.smoothness == pytest.approx(direct.smoothness)
    else:
        assert held_out.layer_slices == problem.layer_slices
    np.testing.assert_allclose(held_out.loss(theta),
                               problem.loss(theta, np.flatnonzero(_rows_of(problem.data, val))),
                               rtol=1e-12)
    # and it works as the trainer's validation problem
    h = lrlab.train(problem.with_data(train), sgd(0.05), 5, eval_problem=held_out)
    np.testing.assert_allclose(h.eval_loss[0], held_out.loss(problem.x0))


def _rows_of(data, part):
    """Boolean mask of the rows of ``data`` that appear in ``part``."""
    return (data.X[:, None, :] == part.X[None, :, :]).all(-1).any(-1)


def test_with_data_refuses_incompatible_data():
    net = make("mlp")
    with pytest.raises(ValueError, match=r"'data' parameter of MLP.with_data.*2 columns"):
        net.with_data(Dataset(np.zeros((3, 5)), np.zeros(3, dtype=int), "x"))
    with pytest.raises(ValueError, match=r"labels in 0..2"):
        net.with_data(Dataset(np.zeros((3, 2)), np.array([0, 1, 3]), "x"))
    with pytest.raises(ValueError, match="binary labels"):
        make("logistic").with_data(blobs(9, centers=3))


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: LinearRegression(noisy_line(10), l2=-1.0), ValueError,
     r"'l2' parameter of LinearRegression must be a finite float in \[0, inf\)"),
    (lambda: LinearRegression(noisy_line(10), fit_intercept="yes"), TypeError,
     "'fit_intercept' parameter of LinearRegression must be a bool"),
    (lambda: LinearRegression((np.zeros(4), np.zeros(4))), ValueError,
     "'X' parameter of LinearRegression must be a 2-D array"),
    (lambda: LinearRegression((np.zeros((4, 1)), np.zeros(3))), ValueError,
     r"'y' parameter of LinearRegression must be a 1-D array with one entry per row of X \(4\)"),
    (lambda: LinearRegression("data"), TypeError, "'data' parameter of LinearRegression"),
    (lambda: LogisticRegression(blobs(9, centers=3)), ValueError,
     "'y' parameter of LogisticRegression must be binary labels 0 or 1"),
    (lambda: MLP(blobs(9), hidden=0), ValueError, "'hidden' parameter of MLP must be an int >= 1"),
    (lambda: MLP(blobs(9), hidden=()), ValueError, "non-empty sequence"),
    (lambda: MLP(blobs(9), hidden=(4, 0)), ValueError, "'hidden'"),
    (lambda: MLP(blobs(9), hidden=(4, 2.5)), ValueError, "'hidden'"),
    (lambda: MLP(blobs(9), hidden=None), TypeError, "'hidden'"),
    (lambda: MLP(blobs(9), activation="sigmoid"), ValueError,
     "'activation' parameter of MLP must be one of 'tanh', 'relu', 'leaky_relu'. "
     "Got 'sigmoid' instead"),
    (lambda: MLP(blobs(9), seed=-1), ValueError, "'seed' parameter of MLP"),
    (lambda: MLP(blobs(9), l2=np.nan), ValueError, "'l2' parameter of MLP"),
    (lambda: MLP((np.zeros((3, 2)), [0, 0, 0])), ValueError, "at least 2 classes"),
    (lambda: MLP((np.zeros((3, 2)), [0, 1, -1])), ValueError, "integer class labels"),
    (lambda: MLP((np.zeros((3, 2)), [0, 1, 0.5])), ValueError, "integer class labels"),
    (lambda: make("mlp").loss(np.zeros(3)), ValueError, r"'theta' parameter of MLP 2-5-4-3"),
    (lambda: make("mlp").hvp(np.zeros(make("mlp").dim), np.zeros(2)), ValueError,
     "'v' parameter"),
    (lambda: make("mlp").predict(make("mlp").x0, np.zeros((3, 4))), ValueError,
     "'X' parameter of MLP 2-5-4-3 tanh.predict must be a 2-D array with 2 columns"),
    (lambda: make("logistic").accuracy(make("logistic").x0, blobs(9, centers=3)), ValueError,
     "binary labels"),
])
def test_bad_arguments_get_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
