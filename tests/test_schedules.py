"""Tests of lrlab.schedules: PyTorch parity, closed forms, purity, shapes, validation, training.

The PyTorch reference values live in ``tests/fixtures/torch_schedules.json``
(regenerate with ``tests/fixtures/make_torch_schedules.py``); torch is not
imported here.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pathlib
import pickle

import numpy as np
import pytest

import lrlab
from lrlab.rules import sgd
from lrlab.schedules import (
    SCHEDULES,
    Schedule,
    constant,
    cosine,
    cosine_restarts,
    cyclic,
    exponential,
    inverse_sqrt,
    inverse_time,
    join,
    linear,
    multistep,
    one_cycle,
    polynomial,
    step,
    warmup,
    wsd,
)

FIXTURE = pathlib.Path(__file__).parent / "fixtures" / "torch_schedules.json"
TORCH = json.loads(FIXTURE.read_text())["cases"]
RTOL = 1e-10

# fixture case id -> (the lrlab schedule, number of leading steps where lrlab equals torch)
# ``None`` means every recorded step.
PARITY = {
    "StepLR/default_gamma": (step(0.1, 30), None),
    "StepLR/gamma_0.5": (step(1.0, 7, gamma=0.5), None),
    "MultiStepLR/default_gamma": (multistep(0.1, [30, 80, 150]), None),
    "MultiStepLR/early": (multistep(0.3, [1, 2, 100], gamma=0.7), None),
    "ExponentialLR/decay": (exponential(0.1, 0.98), None),
    "ExponentialLR/growth": (exponential(1e-4, 1.03), None),
    "LinearLR/defaults": (linear(0.3), None),
    "LinearLR/decay_to_zero": (linear(0.1, 1.0, 0.0, 150), None),
    "LinearLR/partial": (linear([0.2, 0.05], 0.1, 0.5, 200), None),
    "PolynomialLR/linear": (polynomial(0.1, 100, power=1.0), None),
    "PolynomialLR/square": (polynomial(0.5, 200, power=2.0), None),
    "PolynomialLR/sqrt": (polynomial(0.1, 50, power=0.5), None),
    "CosineAnnealingLR/whole_run": (cosine(0.1, 200), None),
    "CosineAnnealingLR/eta_min_short": (cosine(0.1, 50, final_lr=0.001), 51),
    "CosineAnnealingLR/groups": (cosine([0.1, 0.5], 30), 31),
    "CosineAnnealingWarmRestarts/T_0=20": (cosine_restarts(0.1, 20), None),
    "CosineAnnealingWarmRestarts/T_mult=2": (cosine_restarts(0.1, 10, mult=2, final_lr=0.01),
                                             None),
    "CosineAnnealingWarmRestarts/T_mult=3": (cosine_restarts([1.0, 0.2], 3, mult=3), None),
    "CyclicLR/triangular": (cyclic(0.01, 0.1, 20), None),
    "CyclicLR/triangular_asymmetric": (cyclic(0.01, 0.1, 10, step_size_down=30), None),
    "CyclicLR/triangular2": (cyclic(0.001, 0.1, 15, mode="triangular2"), None),
    "CyclicLR/exp_range": (cyclic(0.001, 0.1, 25, mode="exp_range", gamma=0.99), None),
    "CyclicLR/groups": (cyclic([0.01, 0.02], [0.1, 0.3], 7, step_size_down=13), None),
    "OneCycleLR/cos": (one_cycle(0.1, 200), None),
    "OneCycleLR/linear": (one_cycle(0.5, 200, pct_start=0.25, anneal_strategy="linear"), None),
    "OneCycleLR/three_phase": (one_cycle(0.1, 200, three_phase=True), None),
    "OneCycleLR/three_phase_linear_fractional": (
        one_cycle(1.0, 150, pct_start=0.33, anneal_strategy="linear", three_phase=True,
                  div_factor=10.0, final_div_factor=100.0), None),
    "OneCycleLR/groups": (one_cycle([0.1, 0.4], 200, pct_start=0.1), None),
    "SequentialLR/join": (join([exponential(0.1, 0.97), step(0.1, 20, gamma=0.5),
                                cosine(0.1, 100)], boundaries=[40, 100]), None),
    "SequentialLR/warmup_cosine": (warmup(cosine(0.1, 190, final_lr=0.001), 10,
                                          start_factor=0.1), None),
    "SequentialLR/warmup_multistep": (warmup(multistep(0.4, [50, 150]), 8, start_factor=0.25),
                                      None),
    "SequentialLR/warmup_nanogpt_factor": (warmup(exponential([0.3, 0.03], 0.99), 20), None),
}


def torch_values(case_id: str) -> np.ndarray:
    """Fixture values, shape (T,) for one param group, (T, G) for several."""
    values = np.array(TORCH[case_id]["values"])
    return values[:, 0] if values.shape[1] == 1 else values


# ----------------------------------------------------------------------------- PyTorch parity

def test_fixture_and_table_cover_the_same_cases():
    assert set(TORCH) == set(PARITY)
    schedulers = {case["scheduler"] for case in TORCH.values()}
    assert schedulers == {"StepLR", "MultiStepLR", "ExponentialLR", "LinearLR", "PolynomialLR",
                          "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "CyclicLR",
                          "OneCycleLR", "SequentialLR"}
    modes = {TORCH[c]["kwargs"].get("mode", "triangular") for c in TORCH if c.startswith("Cyc")}
    assert modes == {"triangular", "triangular2", "exp_range"}


@pytest.mark.parametrize("case_id", sorted(PARITY))
def test_matches_torch(case_id):
    schedule, upto = PARITY[case_id]
    expected = torch_values(case_id)
    assert len(expected) == TORCH[case_id]["kwargs"].get("total_steps", 200)
    upto = len(expected) if upto is None else upto
    t = np.arange(upto)
    np.testing.assert_allclose(schedule(t), expected[:upto], rtol=RTOL, atol=0)
    # the scalar path gives the same numbers as the vectorised one
    for s in (0, 1, upto // 2, upto - 1):
        np.testing.assert_allclose(schedule(s), expected[s], rtol=RTOL, atol=0)


def test_fixture_base_rates_are_the_schedules_first_rates():
    for case_id, (schedule, _) in PARITY.items():
        first = torch_values(case_id)[0]
        np.testing.assert_allclose(schedule(0), first, rtol=RTOL)


@pytest.mark.parametrize("case_id, total", [("CosineAnnealingLR/eta_min_short", 50),
                                            ("CosineAnnealingLR/groups", 30)])
def test_cosine_after_total_steps_is_flat_where_torch_rises(case_id, total):
    schedule, _ = PARITY[case_id]
    theirs = torch_values(case_id)
    ours = schedule(np.arange(len(theirs)))
    final = np.broadcast_to(np.asarray(schedule.final_lr), ours.shape[1:])
    # lrlab: final_lr from T on, for ever
    assert np.all(ours[total:] == final)
    assert np.all(schedule(10**9) == final)
    # torch: the cosine goes on, back up to the initial rate at 2T (period 2T)
    np.testing.assert_allclose(theirs[2 * total], theirs[0], rtol=1e-10)
    assert np.all(theirs[total + 1:2 * total] > final)
    np.testing.assert_allclose(theirs[total + 5], theirs[total - 5], rtol=1e-9)


def test_one_cycle_after_total_steps_holds_min_lr():
    schedule = PARITY["OneCycleLR/three_phase_linear_fractional"][0]
    theirs = torch_values("OneCycleLR/three_phase_linear_fractional")
    assert len(theirs) == 150
    assert theirs[-1] == pytest.approx(schedule.min_lr, rel=1e-12)
    assert schedule(150) == schedule(10_000) == schedule(149)


# ----------------------------------------------------------------------------- closed forms

CLOSED_FORMS = [
    (constant(0.1), [(0, 0.1), (7, 0.1), (10**6, 0.1)]),
    (inverse_time(1.0, decay_rate=0.5, decay_steps=2), [(0, 1.0), (4, 0.5), (12, 0.25)]),
    (inverse_time(0.3), [(0, 0.3), (1, 0.15), (2, 0.1)]),
    (inverse_sqrt(2.0), [(0, 2.0), (3, 1.0), (15, 0.5)]),
    (inverse_sqrt(2.0, decay_steps=4), [(12, 1.0), (60, 0.5)]),
    (polynomial(1.0, 10, power=2.0, final_lr=0.1), [(0, 1.0), (5, 0.325), (10, 0.1),
                                                   (50, 0.1)]),
    (polynomial(0.5, 4), [(1, 0.375), (2, 0.25), (4, 0.0), (9, 0.0)]),
    (step(2.0, 5, gamma=0.5), [(4, 2.0), (5, 1.0), (14, 0.5), (15, 0.25)]),
    (step(1.0, 2), [(1, 1.0), (2, 0.1), (4, 0.01)]),
    (multistep(1.0, [3, 7]), [(2, 1.0), (3, 0.1), (6, 0.1), (7, 0.01), (1000, 0.01)]),
    (multistep(1.0, [0, 2], gamma=0.5), [(0, 0.5), (1, 0.5), (2, 0.25)]),
    (exponential(1.0, 0.9), [(0, 1.0), (2, 0.81), (3, 0.729)]),
    (linear(1.0, 0.5, 0.0, 4), [(0, 0.5), (1, 0.375), (2, 0.25), (4, 0.0), (9, 0.0)]),
    (linear(0.3), [(0, 0.1), (1, 0.14), (5, 0.3), (6, 0.3)]),
    (linear(0.1, 1.0, 4.0, 3), [(0, 0.1), (1, 0.2), (3, 0.4), (30, 0.4)]),
    (cosine(1.0, 6, final_lr=0.2), [(0, 1.0), (2, 0.8), (3, 0.6), (4, 0.4), (6, 0.2),
                                    (100, 0.2)]),
    (cosine_restarts(1.0, 4), [(0, 1.0), (2, 0.5), (4, 1.0), (6, 0.5), (8, 1.0)]),
    (cosine_restarts(1.0, 2, mult=2, final_lr=0.5), [(1, 0.75), (2, 1.0), (4, 0.75),
                                                     (6, 1.0), (10, 0.75), (14, 1.0)]),
    (cyclic(0.1, 0.5, 2, step_size_down=4), [(0, 0.1), (1, 0.3), (2, 0.5), (3, 0.4),
                                             (4, 0.3), (6, 0.1), (8, 0.5)]),
    (cyclic(0.1, 0.5, 2, mode="triangular2"), [(2, 0.5), (4, 0.1), (6, 0.3), (10, 0.2)]),
    (cyclic(0.1, 0.5, 2, mode="exp_range", gamma=0.5), [(1, 0.2), (2, 0.2), (3, 0.125)]),
    (one_cycle(1.0, 10), [(0, 0.04), (1, 0.52), (2, 1.0), (9, 4e-6), (20, 4e-6)]),
    (one_cycle(1.0, 10, anneal_strategy="linear", div_factor=10, final_div_factor=100),
     [(0, 0.1), (1, 0.55), (2, 1.0), (4, 1 - 0.999 * 2 / 7), (9, 0.001), (20, 0.001)]),
    (one_cycle(1.0, 10, anneal_strategy="linear", div_factor=10, final_div_factor=100,
               three_phase=True),
     [(0, 0.1), (2, 1.0), (3, 0.55), (4, 0.1), (6, 0.0604), (9, 0.001)]),
    (warmup(constant(1.0), 4, start_factor=0.2), [(0, 0.2), (1, 0.4), (3, 0.8), (4, 1.0),
                                                   (99, 1.0)]),
    (warmup(step(1.0, 2, gamma=0.5), 3), [(0, 0.25), (1, 0.5), (2, 0.75), (3, 1.0), (4, 1.0),
                                          (5, 0.5), (7, 0.25)]),
    (warmup(cosine(0.4, 4), 2, start_factor=0.0), [(0, 0.0), (1, 0.2), (2, 0.4), (4, 0.2),
                                                   (6, 0.0)]),
    (join([constant(0.3), linear(1.0, 1.0, 0.0, 4), 0.05], [2, 6]),
     [(0, 0.3), (1, 0.3), (2, 1.0), (3, 0.75), (5, 0.25), (6, 0.05), (100, 0.05)]),
    (join([cosine(1.0, 2)], []), [(0, 1.0), (1, 0.5), (2, 0.0)]),
]


@pytest.mark.parametrize("schedule, points", CLOSED_FORMS, ids=lambda v: repr(v)[:60])
def test_closed_form_values(schedule, points):
    for t, expected in points:
        value = schedule(t)
        assert isinstance(value, float)
        assert value == pytest.approx(expected, rel=1e-12, abs=1e-15), t


def test_warmup_cosine_is_nanogpt_get_lr():
    learning_rate, min_lr, warmup_iters, lr_decay_iters = 6e-4, 6e-5, 20, 200

    def get_lr(it):  # nanoGPT's train.py, verbatim apart from the arguments
        if it < warmup_iters:
            return learning_rate * (it + 1) / (warmup_iters + 1)
        if it > lr_decay_iters:
            return min_lr
        decay_ratio = (it - warmup_iters) / (lr_decay_iters - warmup_iters)
        coeff = 0.5 * (1.0 + math.cos(math.pi * decay_ratio))
        return min_lr + coeff * (learning_rate - min_lr)

    lr = warmup(cosine(learning_rate, lr_decay_iters - warmup_iters, final_lr=min_lr),
                warmup_iters)
    t = np.arange(300)
    np.testing.assert_allclose(lr(t), [get_lr(int(i)) for i in t], rtol=1e-12)


def test_one_cycle_phase_boundaries_follow_torch():
    lr = one_cycle(1.0, 100)  # pct_start 0.3: the peak is at step 29, not 30
    assert [e for e, _, _ in lr.phases()] == [29.0, 99]
    values = lr(np.arange(100))
    assert int(np.argmax(values)) == 29 and values[29] == 1.0
    assert values[99] == pytest.approx(lr.min_lr, rel=1e-12)
    three = one_cycle(1.0, 100, three_phase=True)
    assert [e for e, _, _ in three.phases()] == [29.0, 58.0, 99]
    values = three(np.arange(100))
    assert values[58] == pytest.approx(three.initial_lr, rel=1e-12)
    np.testing.assert_allclose(values[29 - 10], values[29 + 10], rtol=1e-12)  # symmetric


def test_cosine_restarts_position_is_exact_at_restarts():
    lr = cosine_restarts(1.0, 7, mult=3)
    starts = [0, 7, 28, 91, 280]
    t_cur, t_i = lr.position(np.array(starts))
    assert t_cur.tolist() == [0] * 5 and t_i.tolist() == [7, 21, 63, 189, 567]
    t_cur, t_i = lr.position(np.array(starts[1:]) - 1)
    assert (t_cur + 1 == t_i).all()
    assert lr(np.array(starts)).tolist() == [1.0] * 5


def test_exponential_overflow_is_inf_without_warning():
    lr = exponential(1.0, 10.0)
    assert lr(400) == math.inf
    assert lr(np.array([0, 400]))[1] == math.inf
    assert exponential(1.0, 0.1)(400) == 0.0


# ----------------------------------------------------------------------------- purity, attributes

def every_schedule():
    """One instance of every factory (used by several tests)."""
    return [
        constant(0.1), inverse_time(0.1, 0.5, 10), inverse_sqrt(0.1, 5), polynomial(0.1, 50, 2.0),
        step(0.1, 10), multistep(0.1, [10, 30]), exponential(0.1, 0.97), linear(0.1),
        cosine(0.1, 40, 0.01), cosine_restarts(0.1, 8, 2), cyclic(0.01, 0.1, 5, 3),
        cyclic(0.01, 0.1, 5, mode="exp_range", gamma=0.9), one_cycle(0.1, 50),
        warmup(cosine(0.1, 40), 10), join([constant(0.05), exponential(0.1, 0.9)], [10]),
        wsd(0.1, 50, warmup_steps=5, decay_steps=15, final_lr=0.01, decay="sqrt"),
    ]


def test_every_factory_is_exercised():
    agreed = {"constant", "inverse_time", "inverse_sqrt", "polynomial", "step", "multistep",
              "exponential", "linear", "cosine", "cosine_restarts", "cyclic", "one_cycle",
              "warmup", "join", "wsd", "stack"}  # docs/notes api: lrlab.schedules
    assert set(SCHEDULES) == agreed
    # stack is a batch of runs by construction (run shape (K,)): tests/test_schedules_stacked.py
    assert {s.name for s in every_schedule()} == agreed - {"stack"}


@pytest.mark.parametrize("schedule", every_schedule(), ids=lambda s: s.name)
def test_pickle_and_deepcopy_keep_the_values(schedule):
    t = np.arange(50)
    for clone in (pickle.loads(pickle.dumps(schedule)), copy.deepcopy(schedule)):
        assert repr(clone) == repr(schedule)
        np.testing.assert_array_equal(clone(t), schedule(t))


@pytest.mark.parametrize("schedule", every_schedule(), ids=lambda s: s.name)
def test_pure_and_immutable(schedule):
    before = repr(schedule)
    state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(schedule).items()}
    t = np.arange(60)
    first = schedule(t)
    assert [schedule(int(i)) for i in t[::-1]][::-1] == first.tolist()  # order is irrelevant
    np.testing.assert_array_equal(schedule(t), first)
    first[:] = -1.0  # the caller owns the returned array
    assert schedule(0) > 0
    assert repr(schedule) == before
    assert vars(schedule).keys() == state.keys()
    for key, value in state.items():
        np.testing.assert_array_equal(vars(schedule)[key], value)
    field = dataclasses.fields(schedule)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(schedule, field, 1.0)


@pytest.mark.parametrize("schedule", every_schedule(), ids=lambda s: s.name)
def test_formula_torch_repr_and_latex(schedule):
    assert isinstance(schedule, Schedule) and callable(schedule)
    assert schedule.formula.startswith(r"\eta_t =") and "$" not in schedule.formula
    assert isinstance(schedule.torch, str) and schedule.torch
    assert repr(schedule).startswith(schedule.name + "(")
    latex = schedule._repr_latex_()
    assert latex.startswith("$") and latex.endswith("$") and schedule.formula in latex
    assert schedule.name in schedule._repr_markdown_()


def test_repr_round_trips_through_the_factories():
    namespace = {**SCHEDULES, "array": np.array}
    for schedule in every_schedule():
        rebuilt = eval(repr(schedule), namespace)  # our own reprs: factory calls
        np.testing.assert_array_equal(rebuilt(np.arange(60)), schedule(np.arange(60)))


def test_latex_legend_shows_values():
    latex = one_cycle(0.1, 50)._repr_latex_()
    assert r"\eta_{\max} = 0.1" in latex and "T = 50" in latex and r"10^{4}" in latex
    assert "torch" not in latex


def test_cosine_torch_text_names_the_difference():
    assert "CosineAnnealingLR" in cosine(0.1, 10).torch
    assert "final_lr" in cosine(0.1, 10).torch
    assert "LambdaLR" in inverse_time(0.1).torch
    assert "SequentialLR" in warmup(cosine(0.1, 10), 3).torch


# ----------------------------------------------------------------------------- shapes

ARRAY_FACTORIES = [
    lambda lr: constant(lr),
    lambda lr: inverse_time(lr, 0.3, 4),
    lambda lr: inverse_sqrt(lr),
    lambda lr: polynomial(lr, 20, 2.0, final_lr=0.5 * lr),
    lambda lr: step(lr, 7, 0.5),
    lambda lr: multistep(lr, [5, 11]),
    lambda lr: exponential(lr, 0.9),
    lambda lr: linear(lr, 0.2, 1.5, 9),
    lambda lr: cosine(lr, 20, final_lr=lr / 10),
    lambda lr: cosine_restarts(lr, 3, 2, final_lr=lr / 4),
    lambda lr: cyclic(lr / 10, lr, 4, 6, mode="triangular2"),
    lambda lr: one_cycle(lr, 30, three_phase=True),
    lambda lr: warmup(cosine(lr, 20), 5),
    lambda lr: join([linear(lr, 0.5, 1.0, 4), cosine(lr, 10), 0.01], [4, 14]),
    lambda lr: wsd(lr, 30, warmup_steps=4, decay_steps=10, final_lr=lr / 5, decay="cosine"),
]


@pytest.mark.parametrize("make", ARRAY_FACTORIES, ids=lambda f: repr(f(0.1))[:40])
def test_array_base_rates_equal_the_scalar_schedules(make):
    rates = np.array([[0.1, 0.2, 0.5], [0.05, 0.3, 1.0]])
    schedule = make(rates)
    assert schedule.run_shape == (2, 3)
    t = np.arange(40)
    curves = schedule(t)
    assert curves.shape == (40, 2, 3)
    for i, j in np.ndindex(2, 3):
        single = make(float(rates[i, j]))
        assert single.run_shape == ()
        np.testing.assert_allclose(curves[:, i, j], single(t), rtol=1e-14)
        np.testing.assert_allclose(schedule(17)[i, j], single(17), rtol=1e-14)
    assert schedule(3).shape == (2, 3)


@pytest.mark.parametrize("schedule", every_schedule(), ids=lambda s: s.name)
def test_vectorised_steps(schedule):
    t = np.arange(70)
    curve = schedule(t)
    assert curve.shape == (70,) and curve.dtype == np.float64
    np.testing.assert_array_equal(curve, [schedule(int(i)) for i in t])
    grid = np.arange(12, dtype=np.int32).reshape(3, 4)
    np.testing.assert_array_equal(schedule(grid), curve[:12].reshape(3, 4))
    assert isinstance(schedule(np.array(5)), float)
    assert schedule(np.int64(5)) == schedule(5)
    assert schedule(np.array([], dtype=int)).shape == (0,)


def test_shape_rule_steps_first_then_runs():
    lr = cosine(np.array([0.1, 0.2]), 10)
    assert lr(np.zeros((3, 4), dtype=int)).shape == (3, 4, 2)
    mixed = join([constant([0.1, 0.2, 0.3]), cosine(0.5, 10)], [5])
    assert mixed.run_shape == (3,)
    assert mixed(np.arange(8)).shape == (8, 3)
    np.testing.assert_array_equal(mixed(7), np.full(3, cosine(0.5, 10)(2)))


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("bad_t, exc", [(-1, ValueError), (1.5, TypeError), (True, TypeError),
                                        ("3", TypeError), (np.array([0.0, 1.0]), TypeError),
                                        (np.array([3, -2]), ValueError), (None, TypeError)])
def test_bad_step(bad_t, exc):
    with pytest.raises(exc, match=r"The 't' parameter of cosine schedule must be an int >= 0"):
        cosine(0.1, 10)(bad_t)


@pytest.mark.parametrize("build, match", [
    (lambda: constant(-0.1), r"'lr' parameter of constant must be a finite float or array "
                             r"of them in \(0, inf\)\. Got -0.1"),
    (lambda: constant([0.1, np.nan]), r"'lr' parameter of constant"),
    (lambda: constant("fast"), r"'lr' parameter of constant"),
    (lambda: inverse_time(0.1, decay_rate=-1), r"'decay_rate' parameter of inverse_time must "
                                               r"be a finite float in \[0, inf\)\. Got -1"),
    (lambda: inverse_time(0.1, decay_steps=0), r"'decay_steps' parameter of inverse_time"),
    (lambda: inverse_sqrt(0.1, decay_steps=-2), r"'decay_steps' parameter of inverse_sqrt"),
    (lambda: polynomial(0.1, 0), r"'total_steps' parameter of polynomial must be an int in "
                                 r"\[1, inf\)\. Got 0"),
    (lambda: polynomial(0.1, 10.5), r"'total_steps' parameter of polynomial must be an int"),
    (lambda: polynomial(0.1, 10, power=0), r"'power' parameter of polynomial"),
    (lambda: polynomial(0.1, 10, final_lr=-1), r"'final_lr' parameter of polynomial .*\[0, "),
    (lambda: step(0.1, 0), r"'step_size' parameter of step must be an int in \[1, inf\)"),
    (lambda: step(0.1, 5, gamma=0), r"'gamma' parameter of step must be a finite float in "
                                    r"\(0, inf\)\. Got 0"),
    (lambda: multistep(0.1, [30, 10]), r"'milestones' parameter of multistep must be a "
                                       r"strictly increasing sequence of ints >= 0\. "
                                       r"Got \[30, 10\]"),
    (lambda: multistep(0.1, [5, 5]), r"'milestones' parameter of multistep"),
    (lambda: multistep(0.1, [-1, 5]), r"'milestones' parameter of multistep"),
    (lambda: multistep(0.1, [1.5]), r"'milestones' parameter of multistep"),
    (lambda: multistep(0.1, 30), r"'milestones' parameter of multistep"),
    (lambda: exponential(0.1, gamma=-0.9), r"'gamma' parameter of exponential"),
    (lambda: exponential(0.1, gamma=math.inf), r"'gamma' parameter of exponential"),
    (lambda: linear(0.1, start_factor=-0.5), r"'start_factor' parameter of linear must be a "
                                             r"finite float in \[0, inf\)"),
    (lambda: linear(0.1, total_steps=0), r"'total_steps' parameter of linear"),
    (lambda: cosine(0.1, 0), r"'total_steps' parameter of cosine must be an int in \[1, "),
    (lambda: cosine(0.0, 10), r"'lr' parameter of cosine"),
    (lambda: cosine([0.1, 0.2], 10, final_lr=[0.0, 0.0, 0.0]), r"must broadcast to one run "
                                                               r"shape"),
    (lambda: cosine_restarts(0.1, 0), r"'period' parameter of cosine_restarts"),
    (lambda: cosine_restarts(0.1, 10, mult=1.5), r"'mult' parameter of cosine_restarts must "
                                                 r"be an int in \[1, inf\)\. Got 1.5"),
    (lambda: cyclic(0.1, 0.05), r"'max_lr' parameter of cyclic must be a rate >= base_lr"),
    (lambda: cyclic(0.01, 0.1, 0), r"'step_size_up' parameter of cyclic"),
    (lambda: cyclic(0.01, 0.1, 5, 0), r"'step_size_down' parameter of cyclic must be an int in "
                                      r"\[1, inf\) or None"),
    (lambda: cyclic(0.01, 0.1, mode="triangle"), r"'mode' parameter of cyclic must be one of "
                                                 r"'triangular', 'triangular2', 'exp_range'\. "
                                                 r"Got 'triangle'"),
    (lambda: cyclic(0.01, 0.1, gamma=0.9), r"'gamma' parameter of cyclic must be 1\.0 unless "
                                           r"mode='exp_range'"),
    (lambda: cyclic(0.01, 0.1, mode="exp_range", gamma=1.1), r"'gamma' parameter of cyclic "
                                                             r"must be a finite float in "
                                                             r"\(0, 1\]"),
    (lambda: one_cycle(0.1, 1), r"'total_steps' parameter of one_cycle must be an int in "
                                r"\[2, inf\)"),
    (lambda: one_cycle(0.1, 100, pct_start=1.5), r"'pct_start' parameter of one_cycle must be "
                                                 r"a finite float in \[0, 1\]"),
    (lambda: one_cycle(0.1, 10, pct_start=0.1), r"'pct_start' parameter of one_cycle must be "
                                                r"such that pct_start \* total_steps > 1"),
    (lambda: one_cycle(0.1, 10, pct_start=1.0), r"'pct_start' parameter of one_cycle"),
    (lambda: one_cycle(0.1, 10, pct_start=0.6, three_phase=True),
     r"pct_start < \(total_steps \+ 1\) / \(2 \* total_steps\)"),
    (lambda: one_cycle(0.1, 10, anneal_strategy="cosine"), r"'anneal_strategy' parameter of "
                                                           r"one_cycle must be one of 'cos', "
                                                           r"'linear'"),
    (lambda: one_cycle(0.1, 10, div_factor=0), r"'div_factor' parameter of one_cycle"),
    (lambda: one_cycle(0.1, 10, three_phase="yes"), r"'three_phase' parameter of one_cycle "
                                                    r"must be a bool"),
    (lambda: warmup(lambda t: 0.1, 5), r"'schedule' parameter of warmup must be an lrlab "
                                       r"schedule"),
    (lambda: warmup(cosine(0.1, 10), 0), r"'steps' parameter of warmup must be an int in "
                                         r"\[1, inf\)"),
    (lambda: warmup(cosine(0.1, 10), 5, start_factor=1.5), r"'start_factor' parameter of "
                                                           r"warmup .*\[0, 1\]"),
    (lambda: join([], []), r"'schedules' parameter of join must be a non-empty list"),
    (lambda: join(cosine(0.1, 10), []), r"'schedules' parameter of join"),
    (lambda: join([cosine(0.1, 10), "x"], [5]), r"'schedules\[1\]' parameter of join"),
    (lambda: join([cosine(0.1, 10), constant(0.1)], []), r"'boundaries' parameter of join must "
                                                         r"be a sequence of len\(schedules\) - "
                                                         r"1 = 1 steps"),
    (lambda: join([cosine(0.1, 10), constant(0.1)], [0]), r"'boundaries' parameter of join "
                                                          r"must be a strictly increasing "
                                                          r"sequence of ints >= 1"),
    (lambda: join([constant([0.1, 0.2]), constant([0.1, 0.2, 0.3])], [3]),
     r"must broadcast to one run shape"),
])
def test_validation_messages(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build()


def test_validation_error_types():
    with pytest.raises(TypeError):
        step(0.1, 2.0)
    with pytest.raises(ValueError):
        step(0.1, -2)
    with pytest.raises(TypeError):
        constant(True)


def test_rates_are_copied_and_read_only():
    rates = np.array([0.1, 0.2])
    lr = cosine(rates, 10)
    rates[0] = 5.0
    assert lr(0)[0] == 0.1
    with pytest.raises(ValueError):
        lr.lr[0] = 1.0


# ----------------------------------------------------------------------------- training

@pytest.mark.parametrize("schedule", every_schedule(), ids=lambda s: s.name)
def test_drives_sgd_in_train(schedule):
    bowl = lrlab.surfaces.quadratic([1.0, 2.0])
    history = lrlab.train(bowl, sgd(schedule), 60)
    assert not history.diverged
    np.testing.assert_array_equal(history.lr, schedule(np.arange(60)))


def test_array_base_rates_drive_batched_runs():
    schedule = warmup(cosine([0.05, 0.2, 0.6], 40, final_lr=0.01), 5)
    bowl = lrlab.surfaces.quadratic([1.0, 2.0])
    history = lrlab.train(bowl, sgd(schedule, momentum=0.5), 50)
    assert history.lr.shape == (50, 3)
    np.testing.assert_array_equal(history.lr, schedule(np.arange(50)))
    for j, rate in enumerate([0.05, 0.2, 0.6]):
        alone = lrlab.train(bowl, sgd(warmup(cosine(rate, 40, final_lr=0.01), 5),
                                      momentum=0.5), 50)
        np.testing.assert_allclose(history.loss[:, j], alone.loss, rtol=1e-12)
