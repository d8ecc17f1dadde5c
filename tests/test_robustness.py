"""Every rule x every problem x learning rates 1e-8..1e8: a History, never an exception.

Warnings are errors here: a numpy RuntimeWarning escaping to the learner is a bug.
A run that blows up must be *reported* (diverged_at, reason) with every value
before it kept finite.
"""

import warnings

import numpy as np
import pytest

from lrlab import (
    History,
    curvature,
    datasets,
    linesearch,
    models,
    plateau,
    polyak_bb,
    rules,
    surfaces,
    train,
)

LRS = np.logspace(-8, 8, 17)
STEPS = 25


def _problems():
    out = {name: factory() for name, factory in surfaces.SURFACES.items()}
    out["linear regression"] = models.LinearRegression(datasets.noisy_line(n=60, seed=1))
    moons = datasets.two_moons(n=80, seed=2)
    out["logistic regression"] = models.LogisticRegression(moons)
    out["mlp"] = models.MLP(moons, hidden=(6,), activation="tanh", seed=0)
    return out


PROBLEMS = _problems()

# name -> f(lr, problem) returning a Rule, or None where the rule does not apply
RULES = {
    "sgd": lambda lr, p: rules.sgd(lr),
    "momentum": lambda lr, p: rules.sgd(lr, momentum=0.9),
    "nesterov": lambda lr, p: rules.sgd(lr, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adagrad": lambda lr, p: rules.adagrad(lr, lr_decay=1e-3),
    "rmsprop": lambda lr, p: rules.rmsprop(lr),
    "rmsprop centered": lambda lr, p: rules.rmsprop(lr, centered=True, momentum=0.5),
    "adadelta": lambda lr, p: rules.adadelta(lr),
    "adam": lambda lr, p: rules.adam(lr),
    "amsgrad": lambda lr, p: rules.amsgrad(lr),
    "adamw": lambda lr, p: rules.adamw(lr),
    "ftrl": lambda lr, p: rules.ftrl(lr, l1=1e-3),
    "ftrl x sqrt(t) sum": lambda lr, p: rules.ftrl_time(lr, gamma=0.1, form="sum"),
    "ftrl x sqrt(t) product": lambda lr, p: rules.ftrl_time(lr, gamma=0.1, form="product"),
    "parabola": lambda lr, p: rules.parabola(warmup_lr=lr),
    "dog": lambda lr, p: rules.dog(lr),
    "schedule-free": lambda lr, p: rules.schedule_free_sgd(lr),
    "armijo": lambda lr, p: linesearch.armijo(lr0=lr),
    "armijo grow": lambda lr, p: linesearch.armijo(lr0=lr, grow=2.0),
    # Polyak has no learning rate: sweep its relaxation gamma over (0, 2] and an f* guessed
    # too low by 1 (a common mistake that makes its steps too long)
    "polyak": lambda lr, p: None if p.f_star is None else polyak_bb.polyak(
        p.f_star - 1.0, gamma=np.linspace(0.01, 2.0, lr.size)),
    "bb long": lambda lr, p: polyak_bb.barzilai_borwein("long", lr0=lr),
    "bb short": lambda lr, p: polyak_bb.barzilai_borwein("short", lr0=lr),
    "plateau": lambda lr, p: plateau.reduce_on_plateau(lr, patience=3, momentum=0.5),
    "clipped sgd": lambda lr, p: rules.chain(rules.clip_by_norm(1.0), rules.sgd(lr)),
}

# rules whose step size comes from the problem rather than from an lr
PROBLEM_RULES = {
    "1/L": lambda p: None if p.smoothness is None else curvature.inverse_smoothness(p),
    "2/(mu+L)": lambda p: (None if p.smoothness is None or not p.strong_convexity
                           else curvature.optimal_constant(p)),
    "exact line search": lambda p: linesearch.exact_line_search(p),
}


def _check(history: History, expected_shape: tuple) -> None:
    assert isinstance(history, History)
    assert history.run_shape == expected_shape
    last = np.atleast_1d(history.last_step)
    div = np.atleast_1d(history.diverged_at)
    loss = history.loss.reshape(history.num_steps + 1, -1)
    reason = np.atleast_1d(history.reason)
    for i in range(loss.shape[1]):
        end = last[i] if div[i] < 0 else div[i]  # the offending value may be inf or nan
        assert np.all(np.isfinite(loss[:end, i])), f"run {i} lost finite values before its end"
        assert np.all(np.isnan(loss[last[i] + 1:, i]))
        if div[i] >= 0:
            assert reason[i], f"run {i} diverged without a reason"


@pytest.mark.parametrize("rule_name", sorted(RULES))
@pytest.mark.parametrize("problem_name", sorted(PROBLEMS))
def test_every_rule_every_problem_every_lr(rule_name, problem_name):
    problem = PROBLEMS[problem_name]
    rule = RULES[rule_name](LRS, problem)
    if rule is None:
        pytest.skip(f"{rule_name} needs what {problem_name} does not have")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(problem, rule, STEPS)
    _check(history, np.broadcast_shapes(rule.batch_shape, problem.x0.shape[:-1]))


@pytest.mark.parametrize("rule_name", sorted(PROBLEM_RULES))
@pytest.mark.parametrize("problem_name", sorted(PROBLEMS))
def test_problem_derived_rules_never_raise(rule_name, problem_name):
    problem = PROBLEMS[problem_name]
    try:
        rule = PROBLEM_RULES[rule_name](problem)
    except ValueError as err:  # refusing a problem is allowed, with a clear message
        assert rule_name in ("exact line search",) and "exact_line_search" in str(err)
        return
    if rule is None:
        pytest.skip(f"{problem_name} has no global constants for {rule_name}")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train(problem, rule, STEPS)
    _check(history, ())


@pytest.mark.parametrize("rule_name", sorted(set(RULES) - {"polyak"}))
def test_a_bad_learning_rate_is_refused_by_name(rule_name):
    # The message names the parameter and the factory the learner called (not an inner link).
    factory = {"sgd": "sgd", "momentum": "sgd", "nesterov": "sgd", "clipped sgd": "sgd",
               "plateau": "reduce_on_plateau", "armijo": "armijo", "armijo grow": "armijo",
               "bb long": "barzilai_borwein", "bb short": "barzilai_borwein",
               "parabola": "parabola", "rmsprop centered": "rmsprop",
               "ftrl x sqrt(t) sum": "ftrl_time", "ftrl x sqrt(t) product": "ftrl_time",
               "schedule-free": "schedule_free_sgd"}.get(rule_name, rule_name)
    with pytest.raises(ValueError, match=rf"parameter of {factory} must be"):
        RULES[rule_name](-1.0, PROBLEMS["quadratic"])
