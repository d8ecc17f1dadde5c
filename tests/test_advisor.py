"""advise(): a recommended rate that trains, with evidence that is explained and compared."""

import numpy as np
import pytest

import lrlab
from lrlab.advisor import Advice, advise
from lrlab.datasets import noisy_line, two_moons
from lrlab.models import MLP, LinearRegression
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


def test_quadratic_recommendation_is_stable_and_explained():
    bowl = quadratic([1.0, 10.0])
    advice = advise(bowl, progress=False)
    assert isinstance(advice, Advice)
    assert 0 < advice.lr < 2 / bowl.smoothness  # below the stability limit
    names = [e.name for e in advice.evidence]
    assert names == ["Range test", "Stability bound", "Short trial"]
    assert advice.evidence[1].lr == pytest.approx(1 / bowl.smoothness)
    assert advice.sharpness == pytest.approx(10.0)
    rates = [e.lr for e in advice.evidence]
    assert advice.agreement == pytest.approx(np.log10(max(rates) / min(rates)))
    text = advice.explain()
    assert "Recommended learning rate" in text and "2/S = 0.2" in text
    assert "agree" in advice.agreement_text
    # the recommendation trains: 200 steps reach the minimum
    h = lrlab.train(bowl, sgd(advice.lr), 200)
    assert h.final_loss < 1e-8


def test_noisy_linear_regression_recommendation_converges():
    prob = LinearRegression(noisy_line(200))
    advice = advise(prob, batch_size=32, progress=False)
    assert len(advice.band.results) == 3  # noisy gradients: several seeds
    assert 0.03 / prob.smoothness < advice.lr < 2 / prob.smoothness
    h = lrlab.train(prob, sgd(advice.lr), 200, batch_size=32, eval_every=200)
    gap0 = prob.loss(prob.x0) - prob.f_star
    assert h.eval_loss[-1] - prob.f_star < 0.1 * gap0
    assert advice.diagnosis.label in ("good", "plateau")


def test_mlp_uses_the_sharpness_at_the_start():
    net = MLP(two_moons(200), hidden=8)
    advice = advise(net, batch_size=32, seeds=2, progress=False)
    S = lrlab.diagnostics.sharpness(net)
    assert advice.sharpness == pytest.approx(S, rel=1e-6)
    assert np.isfinite(advice.trial_losses).any()
    h = lrlab.train(net, sgd(advice.lr), 200, batch_size=32, eval_every=200)
    assert h.eval_loss[-1] < 0.5 * net.loss(net.x0)


def test_other_rules_skip_the_sgd_stability_bound():
    advice = advise(quadratic([1.0, 10.0]), lambda lr: sgd(lr, momentum=0.9), progress=False)
    assert [e.name for e in advice.evidence] == ["Range test", "Short trial"]
    assert advice.sharpness is None and any("2(1+mu)/S" in n for n in advice.notes)


def test_bad_input():
    with pytest.raises(TypeError, match="'problem'"):
        advise("bowl")
    with pytest.raises(ValueError, match="'num_steps'"):
        advise(quadratic([1.0, 10.0]), num_steps=1)
    with pytest.raises(ValueError, match="'end_lr'"):
        advise(quadratic([1.0, 10.0]), start_lr=1.0, end_lr=0.5, progress=False)


def test_a_rule_that_takes_one_rate_at_a_time_is_trialled_one_by_one():
    # regression: advise called make_rule(grid) unguarded, so a rule that refuses an array
    # of rates crashed the trial instead of falling back to one run per rate
    def scalar_only(lr):
        if np.ndim(lr) > 0:
            raise TypeError("one rate at a time")
        return sgd(lr)

    bowl = quadratic([1.0, 10.0])
    advice = advise(bowl, scalar_only, curvature=True, progress=False)
    assert advice.lr == pytest.approx(advise(bowl, progress=False).lr)


def test_curvature_must_be_a_bool_or_auto():
    # regression: any truthy value (e.g. 'yes' or 'off') silently meant True
    with pytest.raises(ValueError, match="'curvature' parameter of advise"):
        advise(quadratic([1.0, 10.0]), curvature="off", progress=False)
