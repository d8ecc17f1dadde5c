"""Gradient clipping links: torch's formulas, no-ops below the bound, rescue from a cliff."""

import numpy as np
import pytest

from lrlab import train
from lrlab.rules import chain, clip_by_norm, clip_by_value, sgd
from lrlab.surfaces import rosenbrock


def _apply(rule, g):
    g = np.asarray(g, dtype=float)
    return rule.update(g, rule.init(np.zeros_like(g)), np.zeros_like(g), t=0)[0]


def test_clip_by_norm_matches_torch_formula():
    g = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    out = _apply(clip_by_norm(1.0), g)
    np.testing.assert_allclose(out[0], g[0] * 1.0 / (5.0 + 1e-6), rtol=1e-15)
    np.testing.assert_array_equal(out[1], g[1])  # norm 0.5 < 1: untouched (coef clamped at 1)
    np.testing.assert_array_equal(out[2], g[2])


def test_clip_by_value_clamps_each_coordinate():
    np.testing.assert_array_equal(_apply(clip_by_value(0.5), [2.0, -3.0, 0.1]), [0.5, -0.5, 0.1])


def test_array_bounds_give_one_run_each():
    rule = chain(clip_by_norm(np.array([1.0, 10.0])), sgd(0.1))
    assert rule.batch_shape == (2,)
    h = train(rosenbrock(), rule, 5, x0=[-1.5, 2.0])
    alone = train(rosenbrock(), chain(clip_by_norm(10.0), sgd(0.1)), 5, x0=[-1.5, 2.0])
    np.testing.assert_array_equal(h[1].params, alone.params)


def test_clipping_rescues_a_run_thrown_off_a_cliff():
    start = [-3.0, -3.0]  # the valley wall: gradient norm ~ 14,000
    plain = train(rosenbrock(), sgd(3e-3), 300, x0=start)
    clipped = train(rosenbrock(), chain(clip_by_norm(10.0), sgd(3e-3)), 300, x0=start)
    assert plain.diverged
    assert not clipped.diverged and clipped.final_loss < clipped.loss[0] / 100


@pytest.mark.parametrize("factory", [clip_by_norm, clip_by_value])
@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf])
def test_bad_bounds(factory, bad):
    with pytest.raises(ValueError, match=f"parameter of {factory.__name__} must be"):
        factory(bad)
