"""The online-parabola rule under noise: ratio vs regression estimators (lrlab.rules.parabola).

Closed forms for lrlab's moving averages (weights w_s = beta^(t-s) / W_t), checked
against Monte Carlo with tolerances from the standard error:

* for independent draws of variance v, E var_w = v k with k = 1 - sum_s w_s^2;
* with g = c theta + xi (noise of variance s^2, independent of theta), the ratio's
  rate estimates (1/c) sqrt(c^2 v / (c^2 v + s^2)) (biased low) while the
  regression slope cov/var is unbiased for c, given the thetas;
* in closed loop, with a long memory, the ratio rule settles at 1/(2c) and the
  regression at 1/c.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lrlab import train
from lrlab.rules import parabola, sgd
from lrlab.rules.parabola_replay import gradients_along, replay
from lrlab.surfaces import quadratic, saddle
from lrlab.widgets import default_data_problem

FIELDS = ("mean_theta", "mean_grad", "var_theta", "var_grad", "cov", "rate", "curvature")


def weights(beta, T):
    """The normalised weights w_s = beta^(T-1-s) / W of lrlab's moving averages after T points."""
    w = beta ** np.arange(T - 1, -1, -1.0)
    return w / w.sum()


def stream(rng, T, n, *, c, v, s):
    """Independent draws theta ~ N(0, v) on n coordinates, g = c theta + N(0, s^2) noise."""
    thetas = rng.normal(0.0, np.sqrt(v), (T, n))
    return thetas, c * thetas + rng.normal(0.0, s, (T, n))


# ---------------------------------------------------------------- the moving averages
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99])
def test_moving_moments_equal_the_weighted_sums(beta):
    """West's update equals the direct weighted mean, variance and covariance at every step."""
    rng = np.random.default_rng(0)
    thetas = 3.0 + rng.normal(size=(40, 3))
    grads = -1.0 + 2.0 * thetas + rng.normal(size=(40, 3))
    out = replay(parabola(beta), thetas, grads, fields=FIELDS)
    for t in (0, 1, 5, 39):
        w = weights(beta, t + 1)[:, None]
        x, y = thetas[: t + 1], grads[: t + 1]
        mx, my = (w * x).sum(0), (w * y).sum(0)
        assert_allclose(out["mean_theta"][t], mx, rtol=1e-12)
        assert_allclose(out["mean_grad"][t], my, rtol=1e-12)
        assert_allclose(out["var_theta"][t], (w * (x - mx) ** 2).sum(0), rtol=1e-10, atol=1e-14)
        assert_allclose(out["var_grad"][t], (w * (y - my) ** 2).sum(0), rtol=1e-10, atol=1e-14)
        assert_allclose(out["cov"][t], (w * (x - mx) * (y - my)).sum(0), rtol=1e-10, atol=1e-14)
        # the textbook form mean(x y) - mean(x) mean(y), the formula shown
        assert_allclose(out["cov"][t], (w * x * y).sum(0) - mx * my, rtol=1e-8, atol=1e-12)


def test_moments_stay_accurate_near_convergence():
    """At theta = 1e8 + 1e-4 u, mean(x^2) - mean(x)^2 loses every digit; West's update does not."""
    rng = np.random.default_rng(1)
    thetas = 1e8 + 1e-4 * rng.normal(size=(50, 1))
    u = thetas - 1e8                                 # exact (Sterbenz)
    out = replay(parabola(0.9), thetas, 2.0 * u, fields=FIELDS)
    w = weights(0.9, 50)[:, None]
    exact = (w * (u - (w * u).sum(0)) ** 2).sum(0)
    # to the precision of the mean itself, ulp(1e8) / 1e-4 = 1.5e-4 of the spread
    assert_allclose(out["var_theta"][-1], exact, rtol=1e-3)
    assert_allclose(out["curvature"][-1], [2.0], rtol=1e-3)
    naive = (w * thetas**2).sum(0) - (w * thetas).sum(0) ** 2
    assert not np.allclose(naive, exact, rtol=0.5, atol=0)   # the naive form fails


# ---------------------------------------------------------------- open loop: the bias
T_OPEN, N_OPEN = 400, 20_000


@pytest.fixture(scope="module")
def noisy_streams():
    """One replay of both estimators on 20,000 independent coordinates (c = 2, v = 1, s^2 = 12)."""
    c, v, s = 2.0, 1.0, np.sqrt(12.0)
    thetas, grads = stream(np.random.default_rng(2), T_OPEN, N_OPEN, c=c, v=v, s=s)
    beta = 0.98
    last = {}
    for est in ("ratio", "regression"):
        rule = parabola(beta, estimator=est, lr_min=1e-12, lr_max=1e12)
        state = rule.init(thetas[0])
        for t in range(T_OPEN):                      # only the last state is kept (memory)
            _step, state = rule.update(grads[t], state, thetas[t], t=t)
        last[est] = state._asdict()
    return {"c": c, "v": v, "s2": s**2, "beta": beta, "thetas": thetas, "last": last}


def mc_close(samples, expected, *, z=4.0, extra=0.0):
    """Monte Carlo mean of ``samples`` equals ``expected`` within z standard errors (+ extra)."""
    se = samples.std(ddof=1) / np.sqrt(samples.size)
    assert abs(samples.mean() - expected) <= z * se + extra, (samples.mean(), expected, se)


def test_expected_weighted_moments_closed_form(noisy_streams):
    """E var = v k, E var(g) = (c^2 v + s^2) k, E cov = c v k, with k = 1 - sum w^2."""
    d = noisy_streams
    k = 1.0 - np.sum(weights(d["beta"], T_OPEN) ** 2)
    stats = d["last"]["ratio"]
    mc_close(stats["var_theta"], d["v"] * k)
    mc_close(stats["var_grad"], (d["c"] ** 2 * d["v"] + d["s2"]) * k)
    mc_close(stats["cov"], d["c"] * d["v"] * k)
    # the test can fail: the unweighted expectation v (k = 1) is 1 % off, about 10 errors
    se = stats["var_theta"].std() / np.sqrt(N_OPEN)
    b, bt = d["beta"], d["beta"] ** T_OPEN
    assert 1 - k == pytest.approx((1 - b) * (1 + bt) / ((1 + b) * (1 - bt)), rel=1e-9)
    assert abs(stats["var_theta"].mean() - d["v"]) > 6 * se


def test_ratio_rate_is_biased_low_by_the_closed_form_factor(noisy_streams):
    """sigma_theta / sigma_g estimates (1/c) sqrt(c^2 v / (c^2 v + s^2)) = 0.5 / c here."""
    d = noisy_streams
    c, v, s2 = d["c"], d["v"], d["s2"]
    factor = np.sqrt(c**2 * v / (c**2 * v + s2))
    assert factor == pytest.approx(0.5)
    rate = d["last"]["ratio"]["rate"]
    # sqrt of a ratio of two estimates: a delta-method bias of order 1/N, N ~ (1+beta)/(1-beta)
    n_eff = (1 + d["beta"]) / (1 - d["beta"])
    mc_close(rate, factor / c, extra=factor / c * 2.0 / n_eff)
    assert rate.mean() < 0.55 / c                    # far below Newton's 1/c
    # and the curvature it sees, sigma_g / sigma_theta, is inflated by the noise
    assert np.median(d["last"]["ratio"]["curvature"]) > 1.9 * c


def test_regression_slope_is_unbiased_within_its_standard_error(noisy_streams):
    """cov/var recovers c; each coordinate's error is within its own standard error."""
    d = noisy_streams
    slope = d["last"]["regression"]["curvature"]
    mc_close(slope, d["c"])                          # unbiased, given the thetas
    # its standard error, per coordinate: s sqrt(sum w^2 (theta - mean)^2) / var_w(theta)
    w = weights(d["beta"], T_OPEN)[:, None]
    x = d["thetas"]
    dev = x - (w * x).sum(0)
    se = np.sqrt(d["s2"] * (w**2 * dev**2).sum(0)) / (w * dev**2).sum(0)
    z = (slope - d["c"]) / se
    assert abs(z.mean()) < 4 / np.sqrt(N_OPEN)
    assert 0.97 < z.std() < 1.03
    # its rate 1/|slope| is close to 1/c (not 0.5/c): within a delta-method bias of order 1/N
    rate = d["last"]["regression"]["rate"]
    assert np.median(rate) * d["c"] == pytest.approx(1.0, abs=0.02)


def test_ratio_rate_never_exceeds_regression_rate():
    """Cauchy-Schwarz: |cov| <= sigma_theta sigma_g, so sigma_theta/sigma_g <= var/|cov|."""
    rng = np.random.default_rng(3)
    thetas = rng.normal(size=(30, 500))
    grads = rng.normal(size=(30, 500)) + rng.normal(size=500) * thetas
    big = {"lr_min": 1e-300, "lr_max": 1e300}
    ratio = replay(parabola(0.8, **big), thetas, grads)["rate"][2:]
    regression = replay(parabola(0.8, estimator="regression", **big), thetas, grads)["rate"][2:]
    assert np.all(ratio <= regression * (1 + 1e-12))
    assert np.mean(ratio < 0.5 * regression) > 0.3   # and often far below it


# ---------------------------------------------------------------- closed loop
@pytest.mark.parametrize(("estimator", "expected"), [("ratio", 0.5), ("regression", 1.0)])
def test_closed_loop_settles_at_half_newton_for_ratio_and_newton_for_regression(estimator,
                                                                                 expected):
    """Noisy 1-D parabolas (100 independent coordinates): the settled rate times c.

    The ratio's fixed point sqrt(a/2) = a gives a = 1/2 in the long-memory limit
    (measured deviation about 1.6 (1 - beta); tolerance 2 (1 - beta) + 4 SE).
    """
    c, dim, beta, steps = 2.0, 100, 0.998, 4000
    bowl = quadratic([c] * dim, noise=1.0, x0=np.ones(dim))
    h = train(bowl, parabola(beta, estimator=estimator), steps, batch_size=1, seed=0,
              record_state=True, record_params=False)
    settled = np.array([st.rate for st in h.states[steps // 2:]]) * c
    per_coordinate = settled.mean(axis=0)
    se = per_coordinate.std(ddof=1) / np.sqrt(dim)
    assert abs(per_coordinate.mean() - expected) <= 4 * se + 2 * (1 - beta)


def test_noise_lowers_the_ratio_rate_on_the_data_problem():
    """Notebook 03's least squares: minibatch runs settle near half the diagonal Newton rate."""
    problem = default_data_problem()
    newton = 1 / np.diag(problem.hessian(problem.minima[0]))
    for estimator, low, high in (("ratio", 0.4, 0.6), ("regression", 0.85, 1.15)):
        h = train(problem, parabola(0.99, estimator=estimator), 1500, batch_size=8, seed=0,
                  record_state=True, record_params=False)
        settled = np.median([st.rate for st in h.states[750:]], axis=0) / newton
        assert np.all((low < settled) & (settled < high)), (estimator, settled)


# ---------------------------------------------------------------- negative curvature
def test_regression_keeps_the_sign_ratio_loses_it():
    """On the pure saddle x^2/2 - y^2/2 both step downhill with 1/|c|; only the regression
    reports c = -1, and its step doubles the distance to the maximum (Newton's would land on it)."""
    start = saddle(bounded=False, x0=[1.0, 1.0])
    for est, sign in (("ratio", 1.0), ("regression", -1.0)):
        h = train(start, parabola(estimator=est, warmup=1, warmup_lr=0.5), 3, record_state=True)
        assert_allclose(h.states[2].curvature, [1.0, sign], rtol=1e-12)
        assert_allclose(h.states[2].rate, [1.0, 1.0], rtol=1e-12)
        assert_allclose(h.params[:, 1], [1.0, 1.5, 3.0, 6.0], rtol=1e-12)
        assert h.loss[3] < h.loss[2]                 # downhill, away from the maximum at y = 0


def test_negative_curvature_sign_survives_noise():
    rng = np.random.default_rng(4)
    thetas, grads = stream(rng, 300, 2000, c=-1.5, v=1.0, s=2.0)
    out = replay(parabola(0.98, estimator="regression", lr_max=1e6), thetas, grads)
    mc_close(out["curvature"][-1], -1.5)
    assert np.mean(out["curvature"][-1] < 0) > 0.99
    ratio = replay(parabola(0.98, lr_max=1e6), thetas, grads)["curvature"][-1]
    assert np.all(ratio > 0)                         # the ratio cannot tell


# ---------------------------------------------------------------- edges, errors, text
def test_regression_flat_and_zero_slope_coordinates():
    """No gradient variation -> the warm-up rate; a nearly linear coordinate -> lr_max."""
    thetas = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    grads = np.array([[1.0, 1.0], [1.0, 1.0 + 1e-9], [1.0, 1.0 + 2e-9]])
    rates = replay(parabola(0.5, estimator="regression", warmup=1, warmup_lr=0.1,
                            eps=0.0, lr_max=5.0), thetas, grads)["rate"]
    assert rates[2, 0] == 0.1                        # var(g) = 0 <= eps
    assert rates[2, 1] == 5.0                        # 1/|c| = 1e9, clipped


def test_estimator_is_checked_and_shown():
    with pytest.raises(ValueError, match="'estimator' parameter of parabola must be one of "
                                         "'ratio', 'regression'"):
        parabola(estimator="newton")
    rule = parabola(0.99, estimator="regression")
    assert rule.name == "Online parabola (regression)"
    assert r"\hat c = \frac{\sigma_{\theta g}}{\sigma_\theta^2}" in rule.formula
    assert r"\frac{\sigma_g}{\sigma_\theta}" in parabola().formula
    assert repr(rule).startswith("parabola(beta=0.99, estimator='regression', warmup=2")
    rebuilt = eval(repr(rule), {"parabola": parabola})
    assert repr(rebuilt) == repr(rule)


def test_replay_and_gradients_along_check_their_input():
    with pytest.raises(TypeError, match="'rule' parameter of replay"):
        replay("parabola", np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="'grads' parameter of replay"):
        replay(parabola(), np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="'fields' parameter of replay"):
        replay(parabola(), np.zeros((3, 1)), np.zeros((3, 1)), fields=("sigma",))
    with pytest.raises(ValueError, match="'thetas' parameter of replay"):
        replay(parabola(), np.full((3, 1), np.nan), np.zeros((3, 1)))
    problem = default_data_problem()
    with pytest.raises(ValueError, match="'thetas' parameter of gradients_along"):
        gradients_along(problem, np.zeros((3, 5)))
    with pytest.raises(ValueError, match="'batch_size' parameter of gradients_along"):
        gradients_along(problem, np.zeros((3, 2)), 401)


def test_gradients_along_full_and_minibatch():
    problem = default_data_problem()
    thetas = np.random.default_rng(5).normal(size=(20, 2))
    assert_allclose(gradients_along(problem, thetas, chunk=3), problem.grad(thetas), rtol=1e-12)
    a = gradients_along(problem, np.repeat(thetas[:1], 4000, axis=0), 16, seed=1)
    b = gradients_along(problem, np.repeat(thetas[:1], 4000, axis=0), 16, seed=1)
    assert_allclose(a, b, rtol=0)                    # same seed, same gradients
    se = a.std(axis=0) / np.sqrt(len(a))
    assert np.all(np.abs(a.mean(axis=0) - problem.grad(thetas[0])) < 4 * se)   # unbiased
    assert np.all(np.abs(np.corrcoef(a[:-1, 0], a[1:, 0])[0, 1]) < 0.06)  # fresh batch each step


def test_replay_matches_train():
    """The rates replayed from a recorded run are the rates the run used."""
    problem = default_data_problem()
    rule = parabola(0.9, estimator="regression")
    h = train(problem, rule, 30, batch_size=8, seed=0, record_state=True, record_params=True)
    grads = (h.params[:-1] - h.params[1:]) / np.array([st.rate for st in h.states[1:]])
    out = replay(rule, h.params[:-1], grads)
    assert_allclose(out["rate"], [st.rate for st in h.states[1:]], rtol=1e-9)
    with pytest.raises(ValueError, match="'fields' parameter of replay"):
        replay(sgd(0.1), h.params[:3], grads[:3])     # sgd's state has no rate
