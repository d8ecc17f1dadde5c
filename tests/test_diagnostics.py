"""Diagnostics: update ratio, diagnose(history), sharpness, edge of stability."""

import time

import numpy as np
import pytest

import lrlab
from lrlab.datasets import blobs
from lrlab.diagnostics import (
    LABELS,
    Diagnosis,
    diagnose,
    edge_of_stability,
    sharpness,
    track_sharpness,
    update_ratio,
)
from lrlab.models import MLP
from lrlab.problem import Problem
from lrlab.rules import sgd
from lrlab.surfaces import Quadratic, quadratic


# ---------------------------------------------------------------- sharpness
@pytest.mark.parametrize("method", ["auto", "eigsh", "power", "dense"])
def test_sharpness_of_a_rotated_quadratic(method):
    rng = np.random.default_rng(0)
    eig = np.sort(rng.uniform(0.1, 5.0, 120))
    eig[-1] = 7.3  # a gap, so power iteration converges quickly too
    Q, _ = np.linalg.qr(rng.standard_normal((120, 120)))
    bowl = Quadratic(Q @ np.diag(eig) @ Q.T)
    s = sharpness(bowl, rng.standard_normal(120), method=method)
    assert abs(s - 7.3) / 7.3 < 1e-6


class Saddle(Problem):
    """Quadratic with eigenvalues (-6, 1, 2): the dominant eigenvalue is negative."""

    def __init__(self):
        self.dim, self.x0, self.name = 3, np.ones(3), "saddle"
        self.A = np.diag([-6.0, 1.0, 2.0])

    def _loss(self, theta, batch):
        return 0.5 * np.einsum("...i,ij,...j->...", theta, self.A, theta)

    def _grad(self, theta, batch):
        return theta @ self.A

    def _hessian(self, theta):
        return np.broadcast_to(self.A, (*theta.shape[:-1], 3, 3))


@pytest.mark.parametrize("method", ["power", "dense", "eigsh"])
def test_sharpness_is_the_largest_algebraic_eigenvalue(method):
    assert sharpness(Saddle(), method=method) == pytest.approx(2.0, rel=1e-8)


def test_sharpness_of_the_mlp_matches_a_dense_hessian():
    net = MLP(blobs(40, seed=1), hidden=5, seed=2)
    theta = net.x0 + 0.3 * np.random.default_rng(0).standard_normal(net.dim)
    dense = np.linalg.eigvalsh(net.hessian(theta))[-1]
    assert net.dim > 32  # so 'auto' goes through eigsh, not the dense path
    for method in ("auto", "eigsh"):
        assert abs(sharpness(net, theta, method=method) - dense) / dense < 1e-6
    # batched theta: one value per point
    both = sharpness(net, np.stack([theta, net.x0]))
    assert both.shape == (2,) and both[0] == pytest.approx(dense, rel=1e-6)


def test_track_sharpness_follows_the_run():
    bowl = quadratic([1.0, 4.0])
    trace = track_sharpness(bowl, sgd(0.1), 35, every=10)
    assert trace.steps.tolist() == [0, 10, 20, 30, 35]
    np.testing.assert_allclose(trace.sharpness, 4.0)
    np.testing.assert_allclose(trace.limit, 20.0)


def test_edge_of_stability_sharpness_rises_to_two_over_lr_and_stays():
    start = time.perf_counter()
    for lr in (0.4, 0.5):
        trace = edge_of_stability(lr=lr, num_steps=1500, every=100)
        limit = 2 / lr
        s = trace.sharpness
        assert s[0] < 0.6 * limit  # it starts well below: progressive sharpening
        reached = np.nonzero(np.abs(s - limit) < 0.1 * limit)[0]
        assert reached.size and reached[0] <= 6
        after = s[reached[0] + 2:]  # after reaching it (and a brief catapult above it)
        assert np.all(np.abs(after - limit) < 0.2 * limit), (lr, s)
        loss = trace.history.loss
        assert np.any(np.diff(loss) > 0)  # non-monotone loss: the signature of the edge
        assert loss[-1] < 0.1 * loss[0]  # yet it keeps learning
    assert time.perf_counter() - start < 20


def test_sharpness_bad_input():
    with pytest.raises(ValueError, match="'method'"):
        sharpness(quadratic([1.0, 2.0]), method="lanczos")
    with pytest.raises(ValueError, match="'theta'"):
        sharpness(quadratic([1.0, 2.0]), [1.0, np.nan])
    with pytest.raises(TypeError, match="'problem'"):
        sharpness(np.eye(2))


# ----------------------------------------------------------------- diagnose
@pytest.fixture
def bowl():
    return quadratic([0.5, 2.0, 10.0], x0=[1.0, -2.0, 1.5], rotation=0)  # L = 10


@pytest.mark.parametrize(("factor", "label"), [
    (0.01, "too low"), (1.0, "good"), (1.9, "too high"), (2.5, "diverged")])
def test_diagnose_labels_quadratic_runs(bowl, factor, label):
    L = bowl.smoothness
    d = diagnose(lrlab.train(bowl, sgd(factor / L), 200))
    assert isinstance(d, Diagnosis) and d.label == label, d
    assert d.message and d.label in LABELS


def test_diagnose_evidence_behind_the_labels(bowl):
    L = bowl.smoothness
    h = lrlab.train(bowl, sgd(np.array([0.01, 1.0, 1.9, 2.5]) / L), 200)
    low, good, high, div = diagnose(h)  # a batched History gives one Diagnosis per run
    assert low.evidence["update_cosine"] > 0.99 and low.evidence["late_drop"] > 0
    assert good.evidence["grad_norm_ratio"] < 1e-3
    assert high.evidence["update_cosine"] < -0.5
    assert div.evidence["diverged_at"] > 0 and "exceeded" in div.evidence["reason"]
    assert "diverged at step" in div.message


def test_diagnose_plateau_at_the_noise_floor():
    noisy = quadratic([1.0, 10.0], noise=10.0)
    h = lrlab.train(noisy, sgd(0.05), 400, batch_size=1, seed=0)
    d = diagnose(h, f_star=0.0)
    assert d.label == "plateau", d
    assert d.evidence["gap_ratio"] > 0.1


def test_diagnose_bad_input():
    with pytest.raises(TypeError, match="History"):
        diagnose([1.0, 2.0])
    with pytest.raises(TypeError, match="'f_star'"):
        diagnose(lrlab.train(quadratic([1.0, 2.0]), sgd(0.1), 5), f_star="0")


# ------------------------------------------------------------- update ratio
def test_update_ratio_verdicts_and_per_layer_values():
    net = MLP(blobs(60, seed=0), hidden=8, seed=0)
    verdicts = {}
    for lr in (1e-5, 1e-3, 30.0):
        h = lrlab.train(net, sgd(lr), 30, record_params=True)
        r = update_ratio(h, net)
        verdicts[lr] = r.verdict
        assert set(r.layers) == {"layer1", "layer2"}
        p = h.params
        sl = net.layer_slices["layer1"]
        manual = np.linalg.norm(p[6, sl] - p[5, sl]) / np.linalg.norm(p[5, sl])
        assert r.layers["layer1"][5] == pytest.approx(manual)
        assert "layer2: median" in r.message
    assert verdicts == {1e-5: "too low", 1e-3: "ok", 30.0: "too high"}


def test_update_ratio_needs_one_run():
    h = lrlab.train(quadratic([1.0, 2.0]), sgd([0.1, 0.2]), 5)
    with pytest.raises(ValueError, match="history\\[i\\]"):
        update_ratio(h)
    assert update_ratio(h[0]).median > 0


def test_track_sharpness_of_a_diverged_run_reports_the_last_rate_used():
    # regression: the measurement at the step where the run diverged got lr = NaN (the
    # trainer blanks the rate of steps never taken), so its 2/lr limit was NaN
    trace = track_sharpness(quadratic([1.0, 10.0]), sgd(0.25), 200, every=10)
    assert trace.history.diverged_at >= 0 and trace.steps[-1] == trace.history.last_step
    np.testing.assert_allclose(trace.lr, 0.25)
    np.testing.assert_allclose(trace.limit, 8.0)


# ------------------------------------------- a flat end: what it means depends on the schedule
def _noisy_line_runs():
    problem = lrlab.models.LinearRegression(lrlab.datasets.noisy_line(n=200, noise=1.0))
    rates = {"constant": 0.3, "cosine": lrlab.schedules.cosine(0.3, 1000),
             "step": lrlab.schedules.step(0.3, 300, 0.1)}
    return problem, {name: lrlab.train(problem, lrlab.sgd(lr), 1000, batch_size=4, seed=0,
                                       eval_every=10) for name, lr in rates.items()}


def test_a_decayed_schedule_is_not_called_the_noise_floor_of_a_constant_rate():
    problem, runs = _noisy_line_runs()
    for name in ("cosine", "step"):
        for f_star in (None, problem.f_star):
            d = diagnose(runs[name], f_star=f_star)
            assert "at the noise floor of a constant rate" not in d.message, (name, d.message)
            assert "can be its noise floor" not in d.message, (name, d.message)
            assert "decayed from 0.3 to" in d.message or "decayed (from 0.3 to" in d.message
    # the step schedule levels off at f_star: good, and its message says the rate decayed
    d = diagnose(runs["step"], f_star=problem.f_star)
    assert d.label == "good" and "as its rate decayed from 0.3 to 0.0003" in d.message


def test_a_plateau_without_f_star_says_it_cannot_place_the_floor():
    _, runs = _noisy_line_runs()
    d = diagnose(runs["cosine"])
    assert d.label == "plateau"
    assert "cannot tell a plateau above the floor from the floor itself" in d.message
    assert "f_star=problem.f_star" in d.message


def test_a_flat_constant_rate_minibatch_run_names_the_noise_floor():
    bowl = lrlab.surfaces.quadratic([1.0, 10.0], noise=1.0)
    h = lrlab.train(bowl, lrlab.sgd(0.1), 400, seed=0, eval_every=5)
    d = diagnose(h, f_star=bowl.f_star)
    assert "noise floor of a constant rate" in d.message, d
    assert "decayed" not in d.message
