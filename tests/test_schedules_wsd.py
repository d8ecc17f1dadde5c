"""Tests of lrlab.schedules.wsd: closed form at the phase boundaries, shapes, validation.

The generic schedule tests (purity, pickling, repr round trip, vectorised steps,
array base rates, training) also run on ``wsd`` from tests/test_schedules.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lrlab
from lrlab.rules import sgd
from lrlab.schedules import SCHEDULES, constant, cosine, warmup, wsd

SHAPES = {"linear": lambda q: 1 - q,
          "cosine": lambda q: 0.5 * (1 + math.cos(math.pi * q)),
          "sqrt": lambda q: 1 - math.sqrt(q)}


@pytest.mark.parametrize("decay", sorted(SHAPES))
def test_values_at_the_phase_boundaries(decay):
    # T = 100, W = 10, D = 20: ramp 0..9, stable 10..79, cool-down 80..99, final from 100
    lr = wsd(0.6, 100, warmup_steps=10, decay_steps=20, final_lr=0.1, decay=decay)
    assert lr.stable_steps == 70 and lr.decay_start == 80
    assert lr(0) == pytest.approx(0.6 / 11)            # nanoGPT's ramp: (t + 1) / (W + 1)
    assert lr(9) == pytest.approx(0.6 * 10 / 11)
    assert lr(10) == 0.6 and lr(79) == 0.6 and lr(80) == 0.6
    for t, q in ((85, 0.25), (90, 0.5), (95, 0.75)):
        assert lr(t) == pytest.approx(0.1 + 0.5 * SHAPES[decay](q), rel=1e-14)
    assert lr(100) == pytest.approx(0.1, abs=1e-15) and lr(10**6) == pytest.approx(0.1)


def test_closed_form_of_each_shape_halfway():
    half = {d: wsd(1.0, 10, decay_steps=10, decay=d)(5) for d in SHAPES}
    assert half["linear"] == pytest.approx(0.5)
    assert half["cosine"] == pytest.approx(0.5)
    assert half["sqrt"] == pytest.approx(1 - math.sqrt(0.5))
    # 1-sqrt leaves the peak fastest and lingers near the end: below linear at every step
    t = np.arange(1, 10)
    assert np.all(wsd(1.0, 10, decay_steps=10, decay="sqrt")(t) <
                  wsd(1.0, 10, decay_steps=10)(t))


def test_no_jumps_at_the_phase_changes():
    lr = wsd(1.0, 1000, warmup_steps=100, decay_steps=200, decay="cosine")
    curve = lr(np.arange(1001))
    assert np.max(np.abs(np.diff(curve))) <= 1.0 / 100 + 1e-12   # at most a ramp step
    assert np.all(np.diff(curve[:101]) > 0) and np.all(np.diff(curve[800:]) < 0)


def test_without_warmup_the_first_step_is_the_peak():
    lr = wsd(0.3, 50, decay_steps=10)
    assert lr(0) == 0.3 and lr(39) == 0.3 and lr(40) == 0.3 and lr(45) == pytest.approx(0.15)
    assert "W =" not in lr._repr_latex_() and r"t < W" not in lr.formula


def test_the_warmup_is_lrlab_warmup_of_a_constant():
    lr = wsd(0.5, 200, warmup_steps=20, decay_steps=50, start_factor=0.1)
    ramp = warmup(constant(0.5), 20, start_factor=0.1)
    t = np.arange(150)
    np.testing.assert_allclose(lr(t), ramp(t), rtol=1e-15)


def _hugging_face(t, *, lr, W, S, D, decay, min_ratio):
    """transformers.get_wsd_schedule's multiplier (linear warm-up), written from its definition."""
    if t < W:
        factor = t / max(1, W)
        return lr * (factor * (1 - min_ratio) + min_ratio)
    if t < W + S:
        return lr
    if t < W + S + D:
        q = (t - W - S) / max(1, D)
        f = {"linear": 1 - q, "cosine": 0.5 * (1 + math.cos(math.pi * q)),
             "sqrt": 1 - math.sqrt(q)}[decay]
        return lr * (f * (1 - min_ratio) + min_ratio)
    return lr * min_ratio


@pytest.mark.parametrize("decay", sorted(SHAPES))
@pytest.mark.parametrize("W, final", [(10, 0.0), (0, 0.02)])
def test_equals_hugging_face_get_wsd_schedule(decay, W, final):
    T, D = 120, 30
    lr = wsd(0.2, T, warmup_steps=W, decay_steps=D, final_lr=final, decay=decay,
             start_factor=0.0)
    ref = [_hugging_face(t, lr=0.2, W=W, S=T - W - D, D=D, decay=decay, min_ratio=final / 0.2)
           for t in range(T + 10)]
    np.testing.assert_allclose(lr(np.arange(T + 10)), ref, rtol=1e-13, atol=1e-16)
    assert f"decay_type='{decay}'" in lr.torch


def test_array_rates_follow_the_shape_rule():
    lr = wsd(np.array([[0.1], [0.4]]), 30, warmup_steps=5, decay_steps=10,
             final_lr=np.array([0.0, 0.01, 0.02]))
    assert lr.run_shape == (2, 3)
    curves = lr(np.arange(40))
    assert curves.shape == (40, 2, 3)
    for i, j in np.ndindex(2, 3):
        alone = wsd(float(lr.lr[i, 0]), 30, warmup_steps=5, decay_steps=10,
                    final_lr=float(lr.final_lr[j]))
        np.testing.assert_allclose(curves[:, i, j], alone(np.arange(40)), rtol=1e-15)


def test_repr_rebuilds_and_formula_names_the_shape():
    lr = wsd(0.1, 100, warmup_steps=5, decay_steps=20, final_lr=0.001, decay="sqrt")
    rebuilt = eval(repr(lr), {**SCHEDULES, "array": np.array})
    np.testing.assert_array_equal(rebuilt(np.arange(120)), lr(np.arange(120)))
    assert lr.formula.startswith(r"\eta_t =") and r"d(q) = 1 - \sqrt{q}" in lr.formula
    assert "D = 20" in lr._repr_latex_() and "W = 5" in lr._repr_latex_()


@pytest.mark.parametrize("build, match", [
    (lambda: wsd(0.0, 10, decay_steps=2), r"'lr' parameter of wsd"),
    (lambda: wsd(0.1, 0, decay_steps=1), r"'total_steps' parameter of wsd must be an int in "
                                         r"\[1, inf\)"),
    (lambda: wsd(0.1, 10, decay_steps=0), r"'decay_steps' parameter of wsd must be an int in "
                                          r"\[1, inf\)"),
    (lambda: wsd(0.1, 10, warmup_steps=4, decay_steps=7),
     r"'decay_steps' parameter of wsd must be an int in \[1, total_steps - warmup_steps\] = "
     r"\[1, 6\] .*Got 7"),
    (lambda: wsd(0.1, 10, warmup_steps=10, decay_steps=1),
     r"'warmup_steps' parameter of wsd must be an int in \[0, 9\]"),
    (lambda: wsd(0.1, 10, decay_steps=2, final_lr=-0.1), r"'final_lr' parameter of wsd"),
    (lambda: wsd(0.1, 10, decay_steps=2, decay="exp"), r"'decay' parameter of wsd must be one "
                                                       r"of 'linear', 'cosine', 'sqrt'"),
    (lambda: wsd(0.1, 10, decay_steps=2, warmup_steps=2, start_factor=2.0),
     r"'start_factor' parameter of wsd .*\[0, 1\]"),
    (lambda: wsd(0.1, 10.0, decay_steps=2), r"'total_steps' parameter of wsd"),
])
def test_validation_messages(build, match):
    with pytest.raises((ValueError, TypeError), match=match):
        build()


def test_decay_steps_is_required_by_keyword():
    with pytest.raises(TypeError):
        wsd(0.1, 100, 20)  # the cool-down length must be named


def test_cooldown_beats_the_constant_rate_on_a_noisy_problem():
    # the floor of the constant rate is removed by the cool-down alone (same minibatches)
    problem = lrlab.surfaces.quadratic([1.0, 4.0], x0=[2.0, 2.0], noise=1.0)
    T = 600
    constant_run = lrlab.train(problem, sgd(0.2), T, batch_size=1, seed=3)
    wsd_run = lrlab.train(problem, sgd(wsd(0.2, T, decay_steps=120)), T, batch_size=1, seed=3)
    np.testing.assert_array_equal(wsd_run.loss[:481], constant_run.loss[:481])
    assert np.mean(wsd_run.loss[-20:]) < np.mean(constant_run.loss[-200:]) / 5
    assert cosine(0.2, T)(T) == wsd(0.2, T, decay_steps=120)(T) == 0.0
