"""The Rule abstraction (lrlab.rules.base): keyword construction, chains and their lr."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pytest

from lrlab import rules, schedules, train
from lrlab.rules import Rule, chain
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
