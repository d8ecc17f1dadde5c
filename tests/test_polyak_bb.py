"""rules.polyak_bb's one-run path (Python floats) gives the array path's bits.

A single run's Polyak and Barzilai-Borwein steps are computed in Python floats
(``_one_run``); every step size, step and trajectory must equal the array
path's, which stays for batches and for the cases the fast path hands back
(zero or non-finite quantities).
"""

from __future__ import annotations

import numpy as np
import pytest
from bits import assert_same_bits

from lrlab import surfaces
from lrlab.apps.linesearch_costs import race_problem
from lrlab.rules import polyak_bb
from lrlab.rules.polyak_bb import barzilai_borwein, polyak
from lrlab.trainer import train


def _both(monkeypatch, run):
    fast = run()
    with monkeypatch.context() as m:
        m.setattr(polyak_bb, "_one_run", lambda grad, lr: False)
        slow = run()
    return fast, slow


def _histories_equal(a, b):
    for name in ("loss", "lr", "params", "diverged_at"):
        if getattr(a, name) is not None or getattr(b, name) is not None:
            assert_same_bits(getattr(a, name), getattr(b, name))


RULES = {
    "polyak": lambda p: polyak(p.f_star if p.f_star is not None else 0.0),
    "polyak gamma 1.7 capped": lambda p: polyak(0.0, gamma=1.7, max_lr=0.5 / p.smoothness),
    "polyak f* too high": lambda p: polyak((p.f_star or 0.0) + 0.1),
    "polyak f* too low": lambda p: polyak((p.f_star or 0.0) - 1.0, gamma=0.3),
    "bb long": lambda p: barzilai_borwein("long", lr0=1.0 / p.smoothness),
    "bb short": lambda p: barzilai_borwein("short", lr0=1e-4),
    "bb clipped": lambda p: barzilai_borwein("long", lr0=1.0, lr_min=1e-3 / p.smoothness,
                                             lr_max=2.0 / p.smoothness),
    "bb big lr0": lambda p: barzilai_borwein("long", lr0=10.0),
}


@pytest.mark.parametrize("rule", list(RULES))
@pytest.mark.parametrize("problem", ["Rosenbrock", "ill-conditioned quadratic",
                                     "logistic regression"])
def test_the_races_runs_are_bit_equal(monkeypatch, rule, problem):
    p = race_problem(problem)
    if p.smoothness is None:
        p.smoothness = 1000.0   # Rosenbrock's curvature near its start, for the rules' scales
    fast, slow = _both(monkeypatch, lambda: train(p, RULES[rule](p), 200, record_params=True))
    _histories_equal(fast, slow)


@pytest.mark.parametrize("rule", ["polyak", "bb long", "bb short"])
def test_minibatches_and_noise_are_bit_equal(monkeypatch, rule):
    logistic = race_problem("logistic regression")
    noisy = surfaces.quadratic([0.5, 3.0], noise=0.3)
    for p, kwargs in ((logistic, {"batch_size": 16, "seed": 4}), (noisy, {"seed": 2})):
        fast, slow = _both(monkeypatch, lambda p=p, kwargs=kwargs: train(
            p, RULES[rule](p), 150, record_params=True, **kwargs))
        _histories_equal(fast, slow)


def _updates(rule, cases):
    out = []
    for grad, theta, loss, prev in cases:
        state = rule.init(theta)
        if prev is not None:   # a Barzilai-Borwein state after a first step
            state = state._replace(lr=np.array(0.25), prev_theta=prev[0], prev_grad=prev[1])
        step, new = rule.update(grad, state, theta, t=1, loss=loss)
        out.append((step, new.lr))
    return out


def test_edge_cases_by_hand(monkeypatch):
    """Zero, signed-zero, tiny, huge, NaN and infinite quantities: the paths agree."""
    g, th = np.array([3.0, -4.0]), np.array([1.0, 2.0])
    tiny, huge, inf, nan = 1e-300, 1e300, np.inf, np.nan
    polyak_cases = [(g, th, np.array(x), None) for x in
                    (2.0, 0.0, -0.0, -1.0, tiny, huge, inf, nan)]
    polyak_cases += [(np.array(v), th, np.array(2.0), None) for v in
                     ([0.0, 0.0], [tiny, 0.0], [huge, huge], [inf, 1.0], [nan, 1.0],
                      [-0.0, 0.0])]
    bb_cases = [(g2, th2, None, (np.array([0.0, 1.0]), np.array([1.0, -3.0])))
                for g2, th2 in ((g, th), (g, np.array([0.0, 1.0])), (np.array([1.0, -3.0]), th),
                                (-g, th), (g * 1e-170, th * 1e160), (g * 1e200, th * 1e200),
                                (np.array([inf, 1.0]), th), (np.array([nan, 1.0]), th),
                                (g, np.array([1e-320, 1.0])))]
    for make, cases in ((lambda: polyak(0.0), polyak_cases),
                        (lambda: polyak(1.5, gamma=2.0, max_lr=0.01), polyak_cases),
                        (lambda: barzilai_borwein("long"), bb_cases),
                        (lambda: barzilai_borwein("short", lr_min=0.1, lr_max=0.2), bb_cases)):
        with np.errstate(all="ignore"):
            fast, slow = _both(monkeypatch, lambda make=make, cases=cases: _updates(make(), cases))
        for (s1, lr1), (s2, lr2) in zip(fast, slow, strict=True):
            assert_same_bits(s1, s2)
            assert_same_bits(lr1, lr2)
            assert np.ndim(lr1) == np.ndim(lr2) == 0


def test_a_batch_of_runs_takes_the_array_path_and_equals_each_run_alone():
    p = race_problem("ill-conditioned quadratic")
    lr0 = np.array([1e-3, 0.1, 1.0])
    batch = train(p, barzilai_borwein("long", lr0=lr0), 60)
    for i, lr in enumerate(lr0):
        alone = train(p, barzilai_borwein("long", lr0=float(lr)), 60)
        assert_same_bits(batch.loss[:, i], alone.loss)
