"""The Schedule base (lrlab.schedules.base): a schedule's repr is the call that rebuilds it."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import schedules as S

RATES = np.array([0.1, 0.3])
#: every factory, with an array of base rates (a batch of two runs) where it takes one
ARRAY_RATES = [
    S.constant(RATES), S.inverse_time(RATES, 0.3, 4), S.inverse_sqrt(RATES, 2.0),
    S.polynomial(RATES, 20, 2.0, final_lr=RATES / 2), S.step(RATES, 7, 0.5),
    S.multistep(RATES, [5, 11]), S.exponential(RATES, 0.9), S.linear(RATES, 0.2, 1.5, 9),
    S.cosine(RATES, 20, final_lr=RATES / 10), S.cosine_restarts(RATES, 3, 2),
    S.cyclic(RATES / 10, RATES, 4, 6, mode="triangular2"),
    S.one_cycle(RATES, 30, three_phase=True), S.warmup(S.cosine(RATES, 20), 5),
    S.join([S.linear(RATES, 0.5, 1.0, 4), S.cosine(RATES, 10), 0.01], [4, 14]),
    S.wsd(RATES, 30, warmup_steps=4, decay_steps=10, final_lr=RATES / 5, decay="cosine"),
    S.stack([S.cosine(0.1, 20), S.one_cycle(0.3, 20)]),
]


def test_every_schedule_factory_is_covered():
    assert {repr(s).split("(")[0] for s in ARRAY_RATES} == set(S.SCHEDULES)


@pytest.mark.parametrize("schedule", ARRAY_RATES, ids=lambda s: s.name)
def test_repr_of_array_rates_is_the_call_that_rebuilds_it(schedule):
    # a small array of rates is written as the list that rebuilds it: the call needs
    # lrlab.schedules' names only (no numpy)
    text = repr(schedule)
    assert text.startswith(schedule.name + "(") and "array" not in text
    rebuilt = eval(text, dict(S.SCHEDULES))  # our own reprs only
    assert type(rebuilt) is type(schedule) and rebuilt is not schedule
    assert repr(rebuilt) == text and rebuilt.run_shape == schedule.run_shape == (2,)
    t = np.arange(45)
    np.testing.assert_array_equal(rebuilt(t), schedule(t))


def test_a_long_array_of_rates_is_abbreviated_not_printed():
    assert repr(S.constant(np.linspace(0.1, 1.0, 50))) == "constant(lr=array(shape=(50,)))"
