"""Curvature and loss-aware step sizes: closed forms, rates, conditions, counts, errors."""

import re

import numpy as np
import pytest

import lrlab
from lrlab.datasets import noisy_line
from lrlab.models import LinearRegression
from lrlab.problem import Problem
from lrlab.rules.linesearch import (
    armijo,
    barzilai_borwein,
    exact_line_search,
    inverse_smoothness,
    optimal_constant,
    polyak,
)
from lrlab.surfaces import Quadratic


class Rosenbrock(Problem):
    """Local Rosenbrock (a=1, b=100) with its exact Hessian: no global L, no mu."""

    name = "rosenbrock (test)"
    dim = 2
    f_star = 0.0

    def __init__(self):
        self.x0 = np.array([-1.2, 1.0])

    def _loss(self, th, batch):
        x, y = th[..., 0], th[..., 1]
        return (1 - x) ** 2 + 100 * (y - x**2) ** 2

    def _grad(self, th, batch):
        x, y = th[..., 0], th[..., 1]
        return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)

    def _hessian(self, th):
        x, y = th[..., 0], th[..., 1]
        h = np.empty((*th.shape[:-1], 2, 2))
        h[..., 0, 0] = 2 - 400 * (y - x**2) + 800 * x**2
        h[..., 0, 1] = h[..., 1, 0] = -400 * x
        h[..., 1, 1] = 200
        return h


class Logistic(Problem):
    """Tiny L2-regularised logistic regression (mean log-loss) on seeded data; minibatches."""

    name = "logistic (test)"

    def __init__(self, n=60, dim=3, l2=1e-2, seed=0):
        rng = np.random.default_rng(seed)
        self.X = rng.standard_normal((n, dim))
        self.y = (self.X @ np.arange(1.0, dim + 1) + rng.standard_normal(n) > 0).astype(float)
        self.l2, self.dim, self.n_samples = l2, dim, n
        self.x0 = np.zeros(dim)
        self.smoothness = np.linalg.eigvalsh(self.X.T @ self.X / n)[-1] / 4 + l2
        self.strong_convexity = l2

    def _parts(self, batch):
        return (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])

    def _loss(self, th, batch):
        X, y = self._parts(batch)
        z = th @ X.T
        return (np.logaddexp(0, z) - y * z).mean(-1) + 0.5 * self.l2 * (th * th).sum(-1)

    def _grad(self, th, batch):
        X, y = self._parts(batch)
        p = 0.5 * (1 + np.tanh(0.5 * (th @ X.T)))
        return (p - y) @ X / len(y) + self.l2 * th


def bowl(eigs=(1.0, 10.0), x0=(1.0, 1.0)):
    return Quadratic(np.diag(eigs), x0=np.array(x0))


@pytest.fixture(scope="module")
def logistic_opt():
    from scipy.optimize import minimize

    p = Logistic()
    res = minimize(lambda w: (p.loss(w), p.grad(w)), p.x0, jac=True, method="L-BFGS-B",
                   options={"gtol": 1e-13, "ftol": 1e-15})
    return p, res.x, float(res.fun)


# ----------------------------------------------------------------- 1/L and 2/(mu+L)
def test_inverse_smoothness_first_step_and_rate():
    h = lrlab.train(bowl(), inverse_smoothness(bowl()), 30)
    np.testing.assert_allclose(h.params[1], [0.9, 0.0])           # (1,1) - (1,10)/10
    np.testing.assert_allclose(h.params[1:, 0], 0.9 ** np.arange(1, 31), rtol=1e-13)
    assert np.all(h.lr == 0.1)


def test_inverse_smoothness_scale_shows_the_2_over_L_limit():
    h = lrlab.train(bowl(), inverse_smoothness(bowl(), [1.0, 1.9, 1.99, 2.01]), 3000)
    np.testing.assert_array_equal(h.diverged, [False, False, False, True])
    assert np.all(h.final_loss[:3] < 1e-20)


def test_optimal_constant_contracts_at_the_theoretical_rate():
    kappa = 9.0
    p = bowl((1.0, kappa))
    h = lrlab.train(p, optimal_constant(p), 40)
    assert np.all(h.lr == 2 / (1 + kappa))
    rate = (kappa - 1) / (kappa + 1)                               # 0.8
    norms = np.linalg.norm(h.params, axis=-1)
    np.testing.assert_allclose(norms[1:] / norms[:-1], rate, rtol=1e-12)
    np.testing.assert_allclose(h.params[:, 1], (-rate) ** np.arange(41), rtol=1e-12)
    # 1/L on the same bowl contracts only by 1 - 1/kappa along the flat direction
    g = lrlab.train(p, inverse_smoothness(p), 40)
    np.testing.assert_allclose(g.params[1:, 0], (1 - 1 / kappa) ** np.arange(1, 41),
                               rtol=1e-12)


def test_curvature_rules_converge_on_logistic_regression(logistic_opt):
    p, w_star, f_star = logistic_opt
    for rule in (inverse_smoothness(p), optimal_constant(p)):
        h = lrlab.train(p, rule, 3000)
        assert h.final_loss - f_star < 1e-10
        np.testing.assert_allclose(h.final_params, w_star, atol=1e-4)


def test_curvature_rules_need_known_constants():
    with pytest.raises(ValueError, match=r"has none.*Use armijo\(\).*sharpness"):
        inverse_smoothness(Rosenbrock())
    with pytest.raises(ValueError, match="needs a strongly convex problem"):
        optimal_constant(Rosenbrock())
    with pytest.raises(TypeError, match="'problem' parameter of inverse_smoothness"):
        inverse_smoothness("quadratic")
    with pytest.raises(ValueError, match="'scale' parameter"):
        inverse_smoothness(bowl(), scale=0.0)


# ------------------------------------------------------------------ exact line search
def test_exact_first_step_by_hand():
    h = lrlab.train(bowl(), exact_line_search(bowl()), 1)
    assert h.lr[0] == pytest.approx(101 / 1001, rel=1e-15)     # g^T g / g^T H g, g = (1, 10)
    assert exact_line_search(bowl()).needs == frozenset()


def test_exact_isotropic_bowl_in_one_step():
    p = Quadratic(2.5 * np.eye(3), x0=np.array([1.0, -2.0, 3.0]))
    h = lrlab.train(p, exact_line_search(p), 3)
    assert h.lr[0] == 1 / 2.5
    assert h.loss[1] == 0.0


def test_exact_zig_zags_with_orthogonal_gradients():
    kappa = 10.0
    p = bowl((1.0, kappa), x0=(kappa, 1.0))    # Kantorovich's worst case
    h = lrlab.train(p, exact_line_search(p), 20)
    g = p.grad(h.params)
    cos = np.einsum("ti,ti->t", g[1:], g[:-1]) / (
        np.linalg.norm(g[1:], axis=-1) * np.linalg.norm(g[:-1], axis=-1))
    assert np.all(np.abs(cos) < 1e-12)                      # 90-degree turns
    cos2 = np.einsum("ti,ti->t", g[2:], g[:-2]) / (
        np.linalg.norm(g[2:], axis=-1) * np.linalg.norm(g[:-2], axis=-1))
    np.testing.assert_allclose(cos2, 1.0, atol=1e-12)       # and back again: a zig-zag
    ratio = h.loss[1:] / h.loss[:-1]
    np.testing.assert_allclose(ratio, ((kappa - 1) / (kappa + 1)) ** 2, rtol=1e-10)


def test_exact_search_matches_closed_form_and_counts_evaluations():
    p = bowl((1.0, 10.0), x0=(3.0, 1.0))
    closed = lrlab.train(p, exact_line_search(p), 5)
    search = lrlab.train(p, exact_line_search(p, method="search", xtol=1e-9), 5)
    np.testing.assert_allclose(search.lr, closed.lr, rtol=1e-7)
    per_step = np.diff(search.loss_evals) - 1
    assert np.all(per_step > 5) and np.all(per_step <= 100)
    assert exact_line_search(p, method="search").needs == frozenset({"loss", "loss_fn"})


class _ConstantHessianBowl(Problem):
    """Not a Quadratic: a bowl that only declares the capability (constant Hessian)."""

    name, dim, constant_hessian = "declared bowl", 2, True

    def __init__(self):
        self.x0 = np.array([3.0, 1.0])
        self.H = np.diag([1.0, 10.0])

    def _loss(self, theta, batch):
        return 0.5 * np.einsum("...i,ij,...j->...", theta, self.H, theta)

    def _grad(self, theta, batch):
        return theta @ self.H

    def _hessian(self, theta):
        return np.broadcast_to(self.H, theta.shape[:-1] + self.H.shape)


def test_exact_search_auto_follows_the_problems_capability_not_its_class():
    declared = _ConstantHessianBowl()
    rule = exact_line_search(declared)
    assert rule.hyperparams["method"] == "quadratic"
    h = lrlab.train(declared, rule, 5)
    ref = lrlab.train(bowl((1.0, 10.0), x0=(3.0, 1.0)), exact_line_search(bowl()), 5)
    np.testing.assert_allclose(h.lr, ref.lr, rtol=1e-12)          # the closed form ran
    assert exact_line_search(bowl(), method="auto").hyperparams["method"] == "quadratic"
    noisy = lrlab.surfaces.quadratic([1.0, 10.0], noise=0.1)
    assert exact_line_search(noisy).hyperparams["method"] == "search"   # gradients not exact
    data = LinearRegression(noisy_line(50))
    assert data.constant_hessian                                 # quadratic, but minibatches
    assert exact_line_search(data).hyperparams["method"] == "search"


def test_exact_search_on_rosenbrock_is_monotone_and_batches(logistic_opt):
    r = Rosenbrock()
    rule = exact_line_search(r)
    assert rule.hyperparams["method"] == "search"
    starts = np.array([[-1.2, 1.0], [0.0, 0.0], [2.0, 2.0]])
    h = lrlab.train(r, rule, 40, x0=starts)
    assert np.all(np.diff(h.loss, axis=0) <= 0)
    assert np.all(h.final_loss < 0.5 * h.loss[0])
    alone = lrlab.train(r, rule, 40, x0=starts[1])
    np.testing.assert_array_equal(h.params[:, 1], alone.params)
    np.testing.assert_array_equal(h.lr[:, 1], alone.lr)
    p, _, f_star = logistic_opt
    h = lrlab.train(p, exact_line_search(p), 100)
    assert h.final_loss - f_star < 1e-10


@pytest.mark.parametrize("max_iter", [1, 2, 3, 7])
def test_exact_search_respects_its_budget_and_never_increases_the_loss(max_iter):
    r = Rosenbrock()
    h = lrlab.train(r, exact_line_search(r, max_iter=max_iter), 30,
                    x0=np.array([[-1.2, 1.0], [3.0, -3.0]]))
    assert np.all(np.diff(h.loss_evals) <= 1 + max_iter)
    assert np.all(np.diff(h.loss, axis=0) <= 0)


def test_exact_search_handles_nan_and_zero_gradient():
    rule = exact_line_search(Rosenbrock())
    calls = []

    def loss_fn(th):
        calls.append(1)
        return Rosenbrock().loss(th)

    theta = np.array([[np.nan, 1.0], [1.0, 1.0]])          # a NaN run and the minimum
    g = Rosenbrock().grad(theta)
    step, state = rule.update(g, rule.init(theta), theta, t=0,
                              loss=Rosenbrock().loss(theta), loss_fn=loss_fn)
    assert state.lr[1] == 0.0 and np.all(step[1] == 0)
    assert len(calls) <= 1


def test_exact_missing_inputs():
    rule = exact_line_search(Rosenbrock())
    theta = np.array([0.0, 0.0])
    with pytest.raises(ValueError, match=re.escape(
            "exact_line_search needs the loss function: run it with lrlab.train, which "
            "passes loss_fn")):
        rule.update(np.ones(2), rule.init(theta), theta, t=0, loss=np.array(1.0))
    with pytest.raises(ValueError, match="'method' parameter"):
        exact_line_search(bowl(), method="newton")


# ---------------------------------------------------------------------------- Armijo
def test_armijo_first_step_by_hand():
    h = lrlab.train(bowl(), armijo(), 1)
    # f0 = 5.5, g = (1, 10): trials 1, 1/2, 1/4 give losses 405, 80.1, 11.5; 1/8 gives 0.695
    assert h.lr[0] == 0.125
    assert h.loss_evals.tolist() == [1, 1 + 4 + 1]


def test_armijo_accepted_steps_satisfy_the_condition_and_counts_are_honest():
    p, c = Rosenbrock(), 0.3
    h = lrlab.train(p, armijo(lr0=1.0, c=c), 200)
    g2 = h.grad_norm[:-1] ** 2
    assert np.all(h.loss[1:] <= h.loss[:-1] - c * h.lr * g2)
    theta, g = h.params[:-1], p.grad(h.params[:-1])
    doubled = p.loss(theta - (2 * h.lr)[:, None] * g)     # the trial before was rejected
    backtracked = h.lr < 1.0
    assert backtracked.sum() > 100
    assert np.all((doubled > h.loss[:-1] - c * 2 * h.lr * g2)[backtracked])
    trials = np.log2(1.0 / h.lr) + 1
    np.testing.assert_array_equal(np.diff(h.loss_evals), 1 + trials)


def test_armijo_warm_start_saves_evaluations():
    p = Rosenbrock()
    cold = lrlab.train(p, armijo(c=0.1), 500)
    warm = lrlab.train(p, armijo(c=0.1, grow=2.0), 500)
    assert warm.loss_evals[-1] < 0.5 * cold.loss_evals[-1]
    assert np.all(np.diff(warm.loss) < 0)
    capped = lrlab.train(p, armijo(c=0.1, grow=2.0, lr_max=1e-3), 50)
    assert np.all(capped.lr <= 1e-3)


def test_armijo_converges_on_rosenbrock_and_logistic(logistic_opt):
    h = lrlab.train(Rosenbrock(), armijo(c=0.1), 2000)     # GD crawls along the valley
    assert h.final_loss < 1e-5 and np.all(np.diff(h.loss) < 0)
    np.testing.assert_allclose(h.final_params, [1.0, 1.0], atol=5e-3)
    p, _, f_star = logistic_opt
    h = lrlab.train(p, armijo(lr0=100.0), 300)
    assert h.final_loss - f_star < 1e-10


def test_armijo_failed_search_takes_no_step():
    h = lrlab.train(bowl(), armijo(lr0=1e3, max_backtracks=3), 4)
    assert np.all(h.lr == 0) and np.all(h.params == 1.0)
    np.testing.assert_array_equal(np.diff(h.loss_evals), 1 + 4)


def test_armijo_batched_runs_equal_separate_runs():
    lr0 = np.array([1e-3, 1.0, 1e3])
    p = Rosenbrock()
    h = lrlab.train(p, armijo(lr0, grow=1.5), 100)
    for i, a in enumerate(lr0):
        alone = lrlab.train(p, armijo(a, grow=1.5), 100)
        np.testing.assert_array_equal(h.params[:, i], alone.params)
        np.testing.assert_array_equal(h.lr[:, i], alone.lr)


def test_armijo_stochastic_uses_the_same_minibatch(logistic_opt):
    p, _, f_star = logistic_opt
    h = lrlab.train(p, armijo(lr0=10.0, c=0.5), 200, batch_size=10, seed=1)
    assert h.status() == "finished" and p.loss(h.final_params) - f_star < 0.05


def test_armijo_missing_inputs_and_bad_arguments():
    rule = armijo()
    th = np.zeros(2)
    with pytest.raises(ValueError, match=re.escape(
            "armijo needs the loss function: run it with lrlab.train, which passes loss_fn")):
        rule.update(np.ones(2), rule.init(th), th, t=0, loss=np.array(1.0))
    with pytest.raises(ValueError, match="armijo needs the loss value at theta"):
        rule.update(np.ones(2), rule.init(th), th, t=0, loss_fn=lambda x: x[..., 0])
    for kwargs in ({"c": 1.0}, {"shrink": 1.0}, {"lr0": 0}, {"grow": 0.5},
                   {"max_backtracks": -1}, {"lr_max": -1.0}):
        with pytest.raises((ValueError, TypeError), match=f"'{next(iter(kwargs))}' parameter"):
            armijo(**kwargs)


# ---------------------------------------------------------------------------- Polyak
def test_polyak_first_step_by_hand():
    h = lrlab.train(bowl(), polyak(0.0), 1)
    assert h.lr[0] == pytest.approx(5.5 / 101, rel=1e-15)      # (f - f*) / ||g||^2
    assert polyak(0.0).needs == frozenset({"loss"})


def test_polyak_converges_with_the_right_f_star(logistic_opt):
    h = lrlab.train(bowl((1.0, 10.0)), polyak(0.0), 300)
    assert h.final_loss < 1e-14
    dist = np.linalg.norm(h.params, axis=-1)                   # Polyak: distance decreases
    assert np.all(np.diff(dist) <= 1e-15)
    h = lrlab.train(Rosenbrock(), polyak(0.0), 2000)
    np.testing.assert_allclose(h.final_params, [1.0, 1.0], atol=1e-6)
    p, _, f_star = logistic_opt
    h = lrlab.train(p, polyak(f_star), 500)
    assert h.final_loss - f_star < 1e-10


def test_polyak_wrong_f_star(logistic_opt):
    p, _, f_star = logistic_opt
    h = lrlab.train(p, polyak(np.array([f_star + 0.05, f_star, f_star - 0.05])), 500)
    gap = h.final_loss - f_star
    assert 0.01 < gap[0] < 0.05 and h.lr[-1, 0] == 0            # too high: stalls above f*
    assert gap[1] < 1e-10
    assert gap[2] > 1e3 * gap[1]                                # too low: overshoots forever


def test_polyak_batched_runs_equal_separate_runs():
    f_star = np.array([0.0, -1.0, 0.5])
    r = Rosenbrock()
    h = lrlab.train(r, polyak(f_star, max_lr=0.01), 200)
    for i, f in enumerate(f_star):
        alone = lrlab.train(r, polyak(f, max_lr=0.01), 200)
        np.testing.assert_array_equal(h.params[:, i], alone.params)


def test_polyak_cap_and_gamma():
    h = lrlab.train(bowl(), polyak(0.0, max_lr=0.02, gamma=2.0), 10)
    assert np.all(h.lr <= 0.02) and h.lr[0] == 0.02
    p = Quadratic(np.array([[3.0]]), x0=np.array([2.0]))
    h = lrlab.train(p, polyak(0.0), 3)                # 1-D: half way to the minimum...
    np.testing.assert_allclose(h.params[:, 0], [2.0, 1.0, 0.5, 0.25], rtol=1e-15)
    h = lrlab.train(p, polyak(0.0, gamma=2.0), 3)     # ...and all the way with gamma = 2
    np.testing.assert_allclose(h.params[:, 0], [2.0, 0.0, 0.0, 0.0], atol=1e-15)
    assert h.lr[1] == 0                               # g = 0: no step
    with pytest.raises(ValueError, match="polyak needs the loss value"):
        polyak(0.0).update(np.ones(1), polyak(0.0).init(np.ones(1)), np.ones(1), t=0)
    with pytest.raises(ValueError, match="'gamma' parameter"):
        polyak(0.0, gamma=2.5)
    with pytest.raises(TypeError, match=r"polyak needs f_star.*polyak\(problem.f_star\)"):
        polyak(None)
    with pytest.raises(ValueError, match="'f_star' parameter"):
        polyak(np.inf)


# ------------------------------------------------------------------ Barzilai-Borwein
def test_bb_second_step_by_hand():
    for variant, expected in (("long", 101 / 1001), ("short", 1001 / 10001)):
        h = lrlab.train(bowl(), barzilai_borwein(variant, lr0=0.01), 2)
        assert h.lr[0] == 0.01
        assert h.lr[1] == pytest.approx(expected, rel=1e-14)


def test_bb_is_not_monotone_but_converges_on_a_quadratic():
    p = bowl((1.0, 100.0))
    for variant in ("long", "short"):
        h = lrlab.train(p, barzilai_borwein(variant, lr0=1e-3), 200)
        assert np.any(np.diff(h.loss) > 0)
        assert h.final_loss < 1e-20
        assert np.all((h.lr[1:] >= 1 / 100 - 1e-15) & (h.lr[1:] <= 1 + 1e-15))  # [1/L, 1/mu]
    gd = lrlab.train(p, inverse_smoothness(p), 200)
    assert gd.final_loss > 1e-3                                # BB beats the best 1/L


def test_bb_on_rosenbrock_and_logistic(logistic_opt):
    r = Rosenbrock()
    h = lrlab.train(r, barzilai_borwein("short"), 1500)
    np.testing.assert_allclose(h.final_params, [1.0, 1.0], atol=1e-8)
    h = lrlab.train(r, barzilai_borwein("long", lr_max=0.1), 1500)
    np.testing.assert_allclose(h.final_params, [1.0, 1.0], atol=1e-8)
    assert lrlab.train(r, barzilai_borwein("long"), 1500).diverged   # unsafeguarded BB1
    p, _, f_star = logistic_opt
    h = lrlab.train(p, barzilai_borwein("long", lr0=1.0), 100)
    assert h.final_loss - f_star < 1e-12


def test_bb_safeguards():
    rule = barzilai_borwein("long", lr0=0.5, lr_min=1e-3, lr_max=2.0)
    theta, g = np.array([1.0, 0.0]), np.array([1.0, 0.0])
    _, state = rule.update(g, rule.init(theta), theta, t=0)
    # negative curvature along s: s = (-0.5, 0), y = (+1, 0) -> s^T y < 0: keep 0.5
    _, state = rule.update(np.array([2.0, 0.0]), state, np.array([0.5, 0.0]), t=1)
    assert state.lr == 0.5
    # tiny curvature: s^T s / s^T y = 0.25 / 1e-9 -> clipped to lr_max
    _, s2 = rule.update(np.array([1.0 - 2e-9, 0.0]), rule.update(
        g, rule.init(theta), theta, t=0)[1], np.array([0.5, 0.0]), t=1)
    assert s2.lr == 2.0
    with pytest.raises(ValueError, match="'lr_min' parameter"):
        barzilai_borwein(lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="'variant' parameter"):
        barzilai_borwein("bb1")


def test_bb_batched_runs_equal_separate_runs():
    lr0 = np.array([1e-4, 1e-2, 1.0])
    p = bowl((1.0, 30.0))
    h = lrlab.train(p, barzilai_borwein("short", lr0), 50)
    for i, a in enumerate(lr0):
        alone = lrlab.train(p, barzilai_borwein("short", a), 50)
        np.testing.assert_array_equal(h.params[:, i], alone.params)


# ------------------------------------------------------------------------ all rules
def all_rules(lr):
    p = bowl()
    return [inverse_smoothness(p, lr), armijo(lr), armijo(lr, grow=2.0), polyak(0.0, max_lr=lr),
            barzilai_borwein("long", lr), barzilai_borwein("short", lr),
            exact_line_search(p, method="search")]


@pytest.mark.parametrize("lr", np.logspace(-8, 8, 5))
@pytest.mark.parametrize("problem", [bowl(), Rosenbrock()], ids=["bowl", "rosenbrock"])
def test_extreme_rates_never_raise(lr, problem):
    for rule in all_rules(lr):
        h = lrlab.train(problem, rule, 30)
        assert h.loss.shape == (31,) and h.lr.shape == (30,)


def test_rules_document_themselves():
    for rule in all_rules(1.0):
        assert rule.formula and r"\theta_{t+1} = \theta_t - \eta" in rule.formula
        assert rule.torch is None                   # torch.optim has none of these
        assert repr(rule).startswith(rule.name + "(")


# ------------------------------------------------------- on lrlab's own problems
def test_on_lrlab_rosenbrock_and_logistic_regression():
    from lrlab.baselines import lbfgs

    data = lrlab.datasets.two_moons(200, seed=0)
    logreg = lrlab.models.LogisticRegression(data, l2=1e-3)
    f_star = lbfgs(logreg, 500, tol=1e-15).final_loss
    rules = [inverse_smoothness(logreg), optimal_constant(logreg), exact_line_search(logreg),
             armijo(lr0=100.0), polyak(f_star), barzilai_borwein("long", lr0=1.0)]
    for rule in rules:
        h = lrlab.train(logreg, rule, 300)
        assert h.status() == "finished" and h.final_loss - f_star < 1e-8, rule
    rosen = lrlab.surfaces.rosenbrock()
    for rule in [armijo(c=0.1), polyak(0.0), barzilai_borwein("short")]:
        h = lrlab.train(rosen, rule, 1000)
        assert h.final_loss < 1e-4 * h.loss[0], rule


def test_exact_search_is_exact_on_rosenbrock_and_zig_zags_too():
    rosen = lrlab.surfaces.rosenbrock()
    h = lrlab.train(rosen, exact_line_search(rosen, xtol=1e-9), 60)
    g = rosen.grad(h.params)
    cos = np.einsum("ti,ti->t", g[1:], g[:-1]) / (
        np.linalg.norm(g[1:], axis=-1) * np.linalg.norm(g[:-1], axis=-1))
    assert np.all(np.abs(cos) < 1e-5)           # each step minimises along the ray
    assert np.all(np.diff(h.loss) < 0) and h.final_loss < 0.5  # ...and crawls (loss0 24.2)


@pytest.mark.parametrize("batch_size", [None, 1])
def test_noisy_gradients_do_not_hang_or_warn(batch_size):
    noisy = lrlab.surfaces.quadratic([1.0, 10.0], noise=3.0)
    for rule in [exact_line_search(noisy), armijo(), armijo(grow=2.0), polyak(0.0),
                 barzilai_borwein("short")]:
        h = lrlab.train(noisy, rule, 100, batch_size=batch_size, seed=3)
        assert h.loss_evals[-1] <= 101 * 101
        assert np.all(np.isfinite(h.lr[~np.isnan(h.loss[1:])]))
