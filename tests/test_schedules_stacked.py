"""Tests of lrlab.schedules.stack: K schedules as K runs of one training call."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import numpy as np
import pytest

import lrlab
from lrlab.rules import sgd
from lrlab.schedules import SCHEDULES, constant, cosine, multistep, stack, warmup, wsd


def _members():
    return [constant(0.1), multistep(0.1, [20, 30]), cosine(0.1, 40),
            warmup(cosine(0.1, 35), 5), wsd(0.1, 40, warmup_steps=5, decay_steps=10)]


def test_each_column_is_its_schedule():
    members = _members()
    lr = stack(members)
    assert lr.run_shape == (5,)
    t = np.arange(50)
    curves = lr(t)
    assert curves.shape == (50, 5)
    for j, s in enumerate(members):
        np.testing.assert_array_equal(curves[:, j], s(t))
        assert lr(7)[j] == s(7)


def test_member_rate_shapes_broadcast_after_the_stack_axis():
    lr = stack([constant(0.1), cosine(np.array([0.1, 0.2, 0.3]), 10), 0.05])
    assert lr.run_shape == (3, 3)
    values = lr(np.arange(12))
    assert values.shape == (12, 3, 3)
    np.testing.assert_array_equal(values[:, 0, :], 0.1)
    np.testing.assert_array_equal(values[:, 1, 2], cosine(0.3, 10)(np.arange(12)))
    np.testing.assert_array_equal(values[:, 2, :], 0.05)
    grid = lr(np.zeros((2, 4), dtype=int))
    assert grid.shape == (2, 4, 3, 3)


def test_incompatible_member_shapes_are_refused():
    with pytest.raises(ValueError, match=r"The schedules of stack must have run shapes that "
                                         r"broadcast to one; got \[\(2,\), \(3,\)\]"):
        stack([constant([0.1, 0.2]), constant([0.1, 0.2, 0.3])])


@pytest.mark.parametrize("bad, exc, match", [
    ([], ValueError, r"'schedules' parameter of stack must be a non-empty list"),
    (cosine(0.1, 10), TypeError, r"'schedules' parameter of stack"),
    ([cosine(0.1, 10), "fast"], TypeError, r"'schedules\[1\]' parameter of stack must be an "
                                           r"lrlab schedule"),
    ([cosine(0.1, 10), lambda t: 0.1], TypeError, r"'schedules\[1\]' parameter of stack"),
])
def test_bad_input(bad, exc, match):
    with pytest.raises(exc, match=match):
        stack(bad)


def test_repr_rebuilds_even_with_one_schedule():
    for lr in (stack([cosine(0.1, 10)]), stack(_members())):
        rebuilt = eval(repr(lr), {**SCHEDULES, "array": np.array})
        np.testing.assert_array_equal(rebuilt(np.arange(45)), lr(np.arange(45)))
    formula = stack(_members()).formula
    assert formula.startswith(r"\eta_t =") and r"\mathrm{wsd}_{4}(t)" in formula


def test_one_train_call_equals_the_runs_one_by_one():
    bowl = lrlab.surfaces.quadratic([1.0, 3.0], noise=0.5)
    members = _members()
    together = lrlab.train(bowl, sgd(stack(members), momentum=0.5), 40, batch_size=2, seed=1)
    assert together.run_shape == (5,)
    for j, s in enumerate(members):
        alone = lrlab.train(bowl, sgd(s, momentum=0.5), 40, batch_size=2, seed=1)
        np.testing.assert_allclose(together.loss[:, j], alone.loss, rtol=1e-13)
        np.testing.assert_array_equal(together.lr[:, j], alone.lr)


def test_every_schedule_from_every_start_point():
    bowl = lrlab.surfaces.quadratic([1.0, 3.0])
    starts = np.array([[1.0, 1.0], [2.0, -1.0], [0.5, 3.0]])
    lr = stack([constant(np.array([0.1])), cosine(np.array([0.1]), 20)])
    assert lr.run_shape == (2, 1)
    history = lrlab.train(bowl, sgd(lr), 20, x0=starts)
    assert history.run_shape == (2, 3)
    for n, x0 in enumerate(starts):
        alone = lrlab.train(bowl, sgd(cosine(0.1, 20)), 20, x0=x0)
        np.testing.assert_allclose(history.loss[:, 1, n], alone.loss, rtol=1e-13)


def test_pure_pickled_and_immutable():
    lr = stack(_members())
    t = np.arange(45)
    first = lr(t)
    for clone in (pickle.loads(pickle.dumps(lr)), copy.deepcopy(lr)):
        np.testing.assert_array_equal(clone(t), first)
    np.testing.assert_array_equal(np.stack([lr(int(i)) for i in t]), first)
    first[:] = -1.0
    assert lr(0)[0] == 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        lr.schedules = ()
