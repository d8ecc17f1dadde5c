"""The Rule abstraction (lrlab.rules.base): keyword construction, chains and their lr."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import numpy as np
import pytest

from lrlab import rules, schedules, train
from lrlab.rules import Rule, chain, sgd
from lrlab.surfaces import quadratic


class RateState(NamedTuple):
    lr: Any


def _halving_link() -> Rule:
    """A link that halves the gradient and reports a rate of its own (2.0) in its state."""
    return Rule(init=lambda theta: RateState(2.0),
                update=lambda grad, state, theta, *, t, loss=None, loss_fn=None:
                (grad / 2, RateState(2.0)),
                name="halve")


def test_rule_fields_are_keyword_only():
    init, update = (lambda theta: ()), (lambda grad, state, theta, *, t: (-grad, state))
    with pytest.raises(TypeError):
        Rule(init, update, "minus")
    rule = Rule(init=init, update=update, name="minus")
    assert rule.formula == "" and rule.needs == frozenset() and rule.batch_shape == ()


@pytest.mark.parametrize(("rule", "expected"), [
    # the global rate is the lr of the *last* link that has one
    (chain(_halving_link(), rules.scale_by_lr(0.1)), 0.1),
    (chain(rules.clip_by_norm(1.0), rules.sgd(0.1, momentum=0.9)), 0.1),
    (chain(rules.sgd(0.1), rules.clip_by_norm(0.5)), 0.1),   # clip has no lr: sgd's
    (chain(rules.scale_by_lr(0.3), _halving_link()), 2.0),   # the halving link reports 2.0
], ids=["scale_by_lr last", "sgd last", "sgd then clip", "halving link last"])
def test_a_chain_reports_the_lr_of_its_last_link_that_has_one(rule, expected):
    theta = np.array([1.0, -1.0])
    state = rule.init(theta)
    assert state.lr == expected
    _, state = rule.update(np.array([0.5, 2.0]), state, theta, t=0)
    assert state.lr == expected
    h = train(quadratic([1.0, 4.0]), rule, 5)
    np.testing.assert_array_equal(h.lr, expected)


def test_a_chain_records_the_scheduled_rate_of_its_last_link():
    lr = schedules.cosine(0.2, 10)
    h = train(quadratic([1.0, 4.0]), chain(_halving_link(), rules.sgd(lr, momentum=0.5)), 10)
    np.testing.assert_allclose(h.lr, lr(np.arange(10)), rtol=1e-15)


# ---- repr: the factory call that rebuilds the rule
P = quadratic([1.0, 10.0])
#: lrlab.rules' and lrlab.schedules' public names: what `from lrlab.rules import *` gives
NAMESPACE = {**{n: getattr(rules, n) for n in rules.__all__},
             **{n: getattr(schedules, n) for n in schedules.__all__}, "P": P}
#: public names of lrlab.rules that are not rule factories
NOT_FACTORIES = {"as_schedule", "lr_value", "per_coord", "run_shape", "effective_lr"}

REBUILT = [  # every factory, with arrays, schedules, flags and non-default values
    rules.sgd(0.1), rules.sgd(np.array([0.05, 0.1]), momentum=0.9, nesterov=True,
                              weight_decay=1e-3),
    rules.sgd(schedules.cosine(0.1, 20), momentum=0.5, dampening=0.1),
    rules.scale_by_lr(schedules.warmup(schedules.cosine(0.2, 20), 5)),
    rules.add_decayed_weights([0.0, 0.1]), rules.trace(0.9, nesterov=True),
    rules.adam(), rules.adam(amsgrad=True), rules.adam([1e-2, 1e-1], betas=(0.8, 0.99)),
    rules.amsgrad(0.01, eps=1e-6), rules.adamw(0.01, weight_decay=0.1, amsgrad=True),
    rules.adagrad(0.1, lr_decay=0.01), rules.rmsprop(0.01, centered=True, momentum=0.5),
    rules.adadelta(rho=0.8), rules.ftrl(0.5, l1=1e-3), rules.ftrl_time(0.5, 0.1, "product"),
    rules.parabola(warmup_lr=1e-2), rules.dog(init_eta=1e-3), rules.schedule_free_sgd(0.5),
    rules.clip_by_norm(1.0), rules.clip_by_value(0.5),
    rules.inverse_smoothness(P, scale=1.5), rules.optimal_constant(P),
    rules.exact_line_search(P), rules.exact_line_search(P, method="search", xtol=1e-4),
    rules.armijo(grow=2.0, lr_max=10.0), rules.polyak(0.0, gamma=0.5),
    rules.barzilai_borwein("short", lr0=0.01),
    rules.reduce_on_plateau(0.1, patience=2, momentum=0.9),
    rules.scale_by_plateau_lr(0.1, factor=0.5), rules.scale_by_multipliers([1.0, 0.5]),
    chain(rules.clip_by_norm(1.0), rules.adam(0.1)), chain(rules.sgd(0.1), name="mine"),
    chain(rules.add_decayed_weights(0.01), rules.trace(0.5), rules.scale_by_lr(0.05)),
]


def test_every_rule_factory_is_rebuilt_from_its_repr():
    built = {repr(r).split("(")[0] for r in REBUILT}
    factories = {n for n in rules.__all__ if n[0].islower()} - NOT_FACTORIES
    assert built == factories


@pytest.mark.parametrize("rule", REBUILT, ids=lambda r: repr(r)[:50])
def test_repr_is_the_factory_call_that_rebuilds_the_rule(rule):
    text = repr(rule)
    assert text.startswith((rule.factory or "chain") + "(")
    # a problem argument is shown by its repr; the namespace's P stands for it
    rebuilt = eval(text.replace(repr(P), "P"), dict(NAMESPACE))  # our own reprs only
    assert isinstance(rebuilt, Rule) and rebuilt is not rule
    assert repr(rebuilt) == text and rebuilt.name == rule.name
    assert rebuilt.formula == rule.formula and rebuilt.batch_shape == rule.batch_shape
    a, b = train(P, rule, 15, x0=[1.0, -2.0]), train(P, rebuilt, 15, x0=[1.0, -2.0])
    np.testing.assert_array_equal(b.params, a.params)
    np.testing.assert_array_equal(b.lr, a.lr)


@pytest.mark.parametrize(("rule", "text"), [
    (rules.adam(), "adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"),
    (rules.adam(amsgrad=True), "amsgrad(lr=0.001, betas=(0.9, 0.999), eps=1e-08, "
                               "weight_decay=0.0)"),
    (rules.sgd(0.1, momentum=0.9), "sgd(lr=0.1, momentum=0.9, dampening=0.0, nesterov=False, "
                                   "weight_decay=0.0)"),
    (rules.sgd(np.array([0.1, 0.2])), "sgd(lr=[0.1, 0.2], momentum=0.0, dampening=0.0, "
                                      "nesterov=False, weight_decay=0.0)"),
    (rules.ftrl_time(0.1, 0.5), "ftrl_time(lr=0.1, gamma=0.5, form='sum', beta=1.0, l1=0.0, "
                                "l2=0.0)"),
    (chain(rules.clip_by_norm(1.0), rules.scale_by_lr(0.1)),
     "chain(clip_by_norm(max_norm=1.0), scale_by_lr(lr=0.1))"),
])
def test_repr_reads_as_the_call(rule, text):
    assert repr(rule) == text


# ---------------------------------------------------------------- Rule LaTeX repr
def _check_latex(latex):
    assert latex.startswith("$") and latex.endswith("$") and latex.count("$") == 2, latex
    depth = 0
    for i, char in enumerate(latex):
        if char in "{}" and latex[i - 1] != "\\":
            depth += 1 if char == "{" else -1
            assert depth >= 0, latex
    assert depth == 0, latex
    assert latex.count(r"\begin{aligned}") == latex.count(r"\end{aligned}") == 1
    for text in re.findall(r"\\textbf\{((?:[^{}]|\\[{}])*)\}", latex):
        assert not re.search(r"(?<!\\)[_&%#^]", text), latex   # text mode: escaped or absent
    assert "→" not in latex


def test_rule_latex_escapes_names_and_chains_use_to():
    from lrlab.rules import clip_by_norm
    from lrlab.rules.sgd import scale_by_lr, trace

    for rule in (scale_by_lr(0.1), chain(clip_by_norm(1.0), sgd(0.1)),
                 chain(trace(0.9), scale_by_lr(0.1)), sgd(0.1, momentum=0.9)):
        _check_latex(rule._repr_latex_())
    latex = chain(clip_by_norm(1.0), sgd(0.1))._repr_latex_()
    assert latex.startswith(r"$\textbf{clip\_by\_norm} \to \textbf{SGD}\quad")
    assert r" \\ " in latex                          # a chain's links are aligned rows


def test_unnamed_chain_repr_is_how_it_was_built():
    from lrlab.rules import chain, clip_by_norm, sgd

    rule = chain(clip_by_norm(1.0), sgd(0.1))
    assert repr(rule) == ("chain(clip_by_norm(max_norm=1.0), sgd(lr=0.1, momentum=0.0, "
                          "dampening=0.0, nesterov=False, weight_decay=0.0))")
