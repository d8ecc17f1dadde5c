"""LR range test: sweep, smoothing, stop rule, suggestions (fastai's valley arithmetic), band."""

import matplotlib
import numpy as np
import pytest

import lrlab
from lrlab.datasets import noisy_line, two_moons
from lrlab.finder import (
    RangeTestResult,
    Sweep,
    lr_range_test,
    suggest,
    suggest_valley,
    suggestion_band,
    valley_index,
)
from lrlab.models import MLP, LinearRegression
from lrlab.plots import plot_range_test
from lrlab.problem import Problem
from lrlab.rules import sgd
from lrlab.surfaces import parabola, quadratic

matplotlib.use("Agg")

METHODS = ("minimum", "steep", "valley", "midpoint")


def converging_range(problem, batch_size, lrs, rel=0.1, steps=200):
    """Learning rates of ``lrs`` where a 200-step constant-rate run gets within ``rel``."""
    h = lrlab.train(problem, sgd(lrs), steps, batch_size=batch_size, eval_every=steps)
    floor = problem.f_star if problem.f_star is not None else 0.0
    start = float(problem.loss(problem.x0)) - floor
    ok = (h.diverged_at < 0) & (h.eval_loss[-1] - floor < rel * start)
    assert ok.any()
    return lrs[ok].min(), lrs[ok].max()


# ------------------------------------------------------------------ the sweep
def test_sweep_exponential_and_linear_end_points():
    e = Sweep(1e-7, 10.0, 100)
    assert e(0) == pytest.approx(1e-7) and e(99) == pytest.approx(10.0) and e(500) == e(99)
    ratios = e.values[1:] / e.values[:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    lin = Sweep(0.1, 1.0, 10, mode="linear")
    np.testing.assert_allclose(np.diff(lin.values), 0.1)


def test_losses_are_paired_with_the_step_that_produced_them():
    c = 2.0
    result = lr_range_test(parabola(c, x0=1.0), sgd, 1e-3, 10.0, num_steps=30, stop_factor=None)
    theta, expected = 1.0, []
    for lr in result.lrs[: result.stop]:
        theta *= 1 - lr * c
        expected.append(0.5 * c * theta**2)
    np.testing.assert_allclose(result.losses[: result.stop], expected, rtol=1e-12)
    assert result.initial_loss == pytest.approx(0.5 * c)


def test_bias_corrected_smoothing_matches_the_closed_form():
    result = lr_range_test(LinearRegression(noisy_line(200)), sgd, num_steps=60, batch_size=8,
                           stop_factor=None, smoothing=0.9)
    x = result.losses[: result.stop]
    beta = 0.9
    for i in (0, 1, 5, len(x) - 1):
        w = (1 - beta) * beta ** np.arange(i, -1, -1)
        assert result.smoothed[i] == pytest.approx(w @ x[: i + 1] / (1 - beta ** (i + 1)))
    raw = lr_range_test(LinearRegression(noisy_line(200)), sgd, num_steps=60, batch_size=8,
                        stop_factor=None, smoothing=0.0)
    np.testing.assert_allclose(raw.smoothed[: raw.stop], raw.losses[: raw.stop])


def test_stops_when_smoothed_loss_exceeds_k_times_best():
    result = lr_range_test(quadratic([1.0, 10.0]), sgd)
    s = result.smoothed[: result.stop]
    best = np.minimum.accumulate(s)
    assert s[-1] > 4 * best[-1] and np.all(s[:-1] <= 4 * best[:-1])
    assert "4 x its best" in result.reason
    # GD on this bowl diverges above 2/L = 0.2: the test stops a little later (smoothing lag)
    assert 0.2 < result.stop_lr < 5
    assert np.all(np.isnan(result.smoothed[result.stop:]))
    looser = lr_range_test(quadratic([1.0, 10.0]), sgd, stop_factor=100)
    assert looser.stop >= result.stop


def test_no_stop_factor_runs_until_the_trainer_freezes_the_run():
    result = lr_range_test(quadratic([1.0, 10.0]), sgd, stop_factor=None)
    assert "diverged" in result.reason and result.stop < 100


class ShiftedBowl(Problem):
    """0.5 c x^2 - 10: negative losses, where fastai's 'smooth > 4 best' stops at once."""

    def __init__(self, c=2.0):
        self.dim, self.x0, self.c, self.name = 1, np.array([3.0]), c, "shifted bowl"

    def _loss(self, theta, batch):
        return 0.5 * self.c * theta[..., 0] ** 2 - 10.0

    def _grad(self, theta, batch):
        return self.c * theta


def test_negative_losses_stop_only_after_a_real_rise():
    result = lr_range_test(ShiftedBowl(), sgd)
    # descent from -1 to -10 happens; stops only once GD diverges (lr > 2/c = 1)
    assert np.nanmin(result.losses) < -9.9 and result.stop > 50
    assert result.stop_lr > 1.0
    assert result.suggest("midpoint") < 1.0


def test_deterministic_in_seed_and_leaves_inputs_alone():
    prob = LinearRegression(noisy_line(200))
    x0 = np.array([0.5, 0.5])
    x0_copy, px0 = x0.copy(), prob.x0.copy()
    a = lr_range_test(prob, sgd, batch_size=16, seed=3, x0=x0)
    b = lr_range_test(prob, sgd, batch_size=16, seed=3, x0=x0)
    c = lr_range_test(prob, sgd, batch_size=16, seed=4, x0=x0)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.losses[:20], c.losses[:20])
    np.testing.assert_array_equal(x0, x0_copy)
    np.testing.assert_array_equal(prob.x0, px0)
    assert a.settings["batch_size"] == 16 and isinstance(a, RangeTestResult)


def test_works_with_any_rule_through_make_rule():
    result = lr_range_test(quadratic([1.0, 10.0]), lambda lr: sgd(lr, momentum=0.9))
    plain = lr_range_test(quadratic([1.0, 10.0]), sgd)
    # momentum 0.9 raises the stability limit to 2(1 + mu)/L: yet the loss falls earlier
    assert result.stop_lr < 10 and result.suggest("midpoint") < plain.suggest("midpoint")


# -------------------------------------------------------------- suggestions
def test_valley_reproduces_fastai_index_arithmetic_on_hand_made_curves():
    # lds = [1..6, 3, 1]: max_end = 5, max_start = 5 - 6 = -1, sections = 2, idx = -1 + 2 + 1
    assert valley_index([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 3.0, 9.0]) == 2
    # noisy start: lds = [1, 1, 2, 2, 3, 4, 5, 6, 6, 1]; max_end = 7, max_start = 7 - 6 = 1,
    # sections = 2, idx = 1 + 2 + 1 = 4
    curve = [1.0, 1.1, 0.9, 1.0, 0.8, 0.6, 0.4, 0.3, 0.35, 2.0]
    assert valley_index(curve) == 4
    # the longest *subsequence*, not run: a long shallow drift beats a short steep drop
    drift = [1.0, 1.2, 0.99, 1.2, 0.98, 1.2, 0.97, 1.2, 0.96, 0.5, 0.1, 3.0]
    assert valley_index(drift) == 6  # max_end=10 (lds 7), max_start=3: 3 + int(7/3) + int(7/6)
    assert valley_index([3.0]) == 0 and valley_index([2.0, 2.0, 2.0]) == 0
    # the same index through a RangeTestResult (no skipping)
    lrs = np.geomspace(1e-3, 1, len(curve))
    res = RangeTestResult(lrs, np.array(curve), np.array(curve), len(curve), "", 1.0, None, {})
    assert suggest_valley(res, skip_start=0, skip_end=0) == lrs[4]


def test_every_suggestion_converges_on_linear_regression():
    prob = LinearRegression(noisy_line(200))
    lo, hi = converging_range(prob, 100, np.geomspace(1e-4, 10, 51))
    for seed in range(3):
        res = lr_range_test(prob, sgd, batch_size=100, seed=seed)
        for m in METHODS:
            assert lo <= suggest(res, m) <= hi, (m, seed, suggest(res, m), lo, hi)


def test_every_suggestion_converges_on_the_mlp():
    prob = MLP(two_moons(300), hidden=16)
    lo, hi = converging_range(prob, 32, np.geomspace(1e-4, 10, 51), rel=0.5)
    for seed in range(3):
        res = lr_range_test(prob, sgd, batch_size=32, seed=seed)
        for m in METHODS:
            assert lo <= suggest(res, m) <= hi, (m, seed, suggest(res, m), lo, hi)


def test_documented_pitfall_valley_on_noise_free_curves_and_min_drop():
    prob = LinearRegression(noisy_line(200))
    lo, hi = converging_range(prob, None, np.geomspace(1e-4, 10, 51))
    res = lr_range_test(prob, sgd)  # full batch: the smoothed loss falls even at 1e-7
    assert suggest_valley(res) < lo  # fastai's rule lands decades too low
    assert lo <= suggest_valley(res, min_drop=0.01) <= hi
    for m in ("minimum", "steep", "midpoint"):
        assert lo <= suggest(res, m) <= hi


def test_band_reports_median_and_spread_and_shows_the_noisy_steep():
    prob = LinearRegression(noisy_line(200))
    band = suggestion_band(prob, sgd, seeds=range(6), batch_size=16, progress=False)
    for m in METHODS:
        v = band.values[m]
        assert band.low[m] <= band.median[m] <= band.high[m]
        assert band.spread[m] == pytest.approx(np.log10(v.max() / v.min()))
    # at batch 16 steep jumps between the noisy start and the real descent; valley does not
    assert band.spread["steep"] > 1.5 and band.spread["valley"] < 0.75
    assert "median" in repr(band)
    exact = suggestion_band(quadratic([1.0, 10.0]), sgd, seeds=[0, 1], progress=False)
    assert all(s == 0 for s in exact.spread.values())


def test_plot_marks_suggestions_on_a_log_axis():
    res = lr_range_test(quadratic([1.0, 10.0]), sgd)
    band = suggestion_band(quadratic([1.0, 10.0]), sgd, seeds=[0], progress=False)
    ax = plot_range_test(res, band=band)
    assert ax.get_xscale() == "log"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lbl.startswith("valley") for lbl in labels) and "smoothed loss" in labels
    import matplotlib.pyplot as plt

    plt.close("all")


# ----------------------------------------------------------------- bad input
class NanAtStart(Problem):
    def __init__(self):
        self.dim, self.x0, self.name = 1, np.array([1.0]), "nan"

    def _loss(self, theta, batch):
        return np.full(theta.shape[:-1], np.nan)

    def _grad(self, theta, batch):
        return np.zeros_like(theta)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"start_lr": 1.0, "end_lr": 0.1}, "'end_lr' parameter of lr_range_test must be greater"),
    ({"start_lr": 1.0, "end_lr": 1.0}, "greater than start_lr"),
    ({"start_lr": -1.0}, "'start_lr' parameter"),
    ({"num_steps": 1}, "'num_steps'"),
    ({"mode": "cosine"}, "'mode'"),
    ({"smoothing": 1.0}, "'smoothing'"),
    ({"stop_factor": 1.0}, "'stop_factor'"),
])
def test_bad_arguments_get_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_range_test(quadratic([1.0, 10.0]), sgd, **kwargs)


def test_bad_problem_rule_and_start():
    with pytest.raises(ValueError, match="needs a finite starting loss"):
        lr_range_test(NanAtStart(), sgd)
    with pytest.raises(TypeError, match="make_rule"):
        lr_range_test(quadratic([1.0, 10.0]), lambda lr: 0.1)
    with pytest.raises(ValueError, match="single run"):
        lr_range_test(quadratic([1.0, 10.0]), lambda lr: sgd(lr, momentum=[0.0, 0.9]))
    short = lr_range_test(quadratic([1.0, 10.0]), sgd, start_lr=1.0, num_steps=20)
    with pytest.raises(ValueError, match="at least 3 points"):
        suggest(short, "valley")
    assert np.isnan(short.suggestions()["valley"])
    with pytest.raises(ValueError, match="'method'"):
        suggest(short, "fastest")


def test_unknown_suggestion_names_are_errors_not_silent_nans_or_omissions():
    # regression: RangeTestResult.suggestions() returned NaN for a misspelt name and
    # plot_range_test silently drew nothing for it
    res = lr_range_test(quadratic([1.0, 10.0]), sgd, num_steps=40)
    with pytest.raises(ValueError, match=r"'methods' parameter of RangeTestResult\.suggestions"):
        res.suggestions(["valey"])
    with pytest.raises(ValueError, match="'suggestions' parameter of plot_range_test"):
        plot_range_test(res, suggestions=["valey"])
    with pytest.raises(ValueError, match="'methods' parameter of suggestion_band"):
        suggestion_band(quadratic([1.0, 10.0]), sgd, seeds=[0], methods=["valey"])


@pytest.mark.parametrize(("losses", "min_drop", "exc", "match"), [
    ([3.0, 2.0, np.nan, 1.0], 0.0, ValueError, "'losses' parameter of valley_index"),
    ([], 0.0, ValueError, "non-empty"),
    ([[3.0, 2.0]], 0.0, ValueError, "1-D"),
    ([3.0, 2.0, 1.0], -0.5, ValueError, "'min_drop' parameter of valley_index"),
])
def test_valley_index_refuses_nan_empty_and_negative_min_drop(losses, min_drop, exc, match):
    # regression: a NaN made every comparison False and returned index 0 silently; an empty
    # curve returned index 0 of nothing; a negative min_drop loosened "strictly decreasing"
    with pytest.raises(exc, match=match):
        valley_index(losses, min_drop)


def test_suggestions_are_importable_from_finder_and_their_own_module():
    import lrlab.finder
    import lrlab.finder.suggestions

    for name in lrlab.finder.suggestions.__all__:
        assert getattr(lrlab.finder, name) is getattr(lrlab.finder.suggestions, name)


# ------------------------------------------------- slide, the fastai window, the plot
def test_slide_walks_left_from_the_end_until_the_slopes_agree():
    # a straight descent (constant slope) followed by a bend: the pair 15 points apart stops
    # sliding once both its ends sit on the straight part
    lrs = np.geomspace(1e-4, 1.0, 60)
    curve = np.r_[np.linspace(2.0, 1.0, 40), 1.0 - 0.02 * np.arange(1, 21) ** 2]
    res = RangeTestResult(lrs, curve, curve.copy(), 60, "", 2.0, None, {})
    slope = np.gradient(curve[6:55])
    right = len(slope) - 1
    while abs(slope[right] - slope[right - 15]) > 0.005:
        right -= 1
    assert suggest(res, "slide") == pytest.approx(lrs[6 + right - 15 + 1])
    assert suggest(res, "slide", adjust_value=0.5) == pytest.approx(0.5 * suggest(res, "slide"))
    for kwargs, match in [({"lr_diff": 0}, "'lr_diff' parameter of suggest_slide"),
                          ({"thresh": -1.0}, "'thresh' parameter of suggest_slide"),
                          ({"adjust_value": 0.0}, "'adjust_value' parameter of suggest_slide"),
                          ({"lr_diff": 60}, "needs at least 61 points")]:
        with pytest.raises(ValueError, match=match):
            suggest(res, "slide", **kwargs)


def test_recorded_is_the_stop_unless_the_run_ended_on_a_non_finite_loss():
    res = lr_range_test(quadratic([1.0, 10.0]), sgd)      # a 4 x stop, the run goes on after
    assert res.stop < res.num_steps and res.recorded == res.stop
    assert np.isfinite(res.losses[res.stop])
    hand = RangeTestResult(res.lrs, res.losses, res.smoothed, res.stop, "", 1.0, None, {})
    assert hand.recorded == hand.stop                      # no history: lrlab's old window


def test_plot_fits_the_useful_window_and_labels_minimum_over_ten():
    import matplotlib.pyplot as plt

    res = lr_range_test(quadratic([1.0, 10.0]), sgd)
    ax = plot_range_test(res, suggestions=["minimum", "valley", "slide"])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert f"minimum/10: {suggest(res, 'minimum'):.2g}" in labels
    assert any(t.startswith("lowest smoothed: lr") for t in labels)
    lo, hi = ax.get_ylim()
    window = res.smoothed[: res.stop - 5]
    assert lo < window.min() and hi > window.max() and hi < res.smoothed[res.stop - 1]
    whole = plot_range_test(res, clip=False).get_ylim()
    assert whole[1] > res.smoothed[res.stop - 1]           # unclipped: the blow-up fits
    plt.close("all")


def test_range_test_can_keep_its_iterates():
    from lrlab import sgd, train
    from lrlab.finder import Sweep, lr_range_test
    from lrlab.surfaces import quadratic

    f = quadratic([1.0, 10.0])
    r = lr_range_test(f, sgd, 1e-3, 1.0, 40, record_params=True)
    h = train(f, sgd(Sweep(1e-3, 1.0, 40)), 40, record_params=True)
    np.testing.assert_array_equal(r.history.params, h.params)
    assert lr_range_test(f, sgd, 1e-3, 1.0, 40).history.params is None
    with pytest.raises(TypeError, match="'record_params' parameter of lr_range_test"):
        lr_range_test(f, sgd, 1e-3, 1.0, 40, record_params="yes")
