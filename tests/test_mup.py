"""lrlab.models.mup (muP's per-layer Adam rates) and lrlab.rules.multipliers (the link)."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import train
from lrlab.datasets import blobs
from lrlab.models import MLP, mup_lr_multipliers
from lrlab.rules import adam, chain, scale_by_multipliers, sgd

DATA = blobs(80, seed=0)


def test_multipliers_scale_every_weight_matrix_by_its_fan_in_ratio_and_leave_biases():
    wide, base = MLP(DATA, hidden=(64, 32)), MLP(DATA, hidden=(16, 8))
    m = mup_lr_multipliers(wide, base=base)
    assert m.shape == (wide.dim,)
    # input layer: fan-in 2 in both (the data's features); hidden: 16/64; output: 8/32
    expected = {"W1": 1.0, "W2": 16 / 64, "W3": 8 / 32, "b1": 1.0, "b2": 1.0, "b3": 1.0}
    for name, value in expected.items():
        np.testing.assert_array_equal(m[wide.param_slices[name]], value)
    np.testing.assert_array_equal(mup_lr_multipliers(base, base=base), 1.0)


def test_multipliers_refuse_networks_that_are_not_one_family():
    net = MLP(DATA, hidden=(16, 8))
    with pytest.raises(ValueError, match="'base' parameter of mup_lr_multipliers must be an "
                                         "MLP with 2 hidden layers"):
        mup_lr_multipliers(net, base=MLP(DATA, hidden=(16,)))
    with pytest.raises(TypeError, match="'network' parameter of mup_lr_multipliers"):
        mup_lr_multipliers("net", base=net)


def test_the_link_gives_each_coordinate_its_own_rate():
    net = MLP(DATA, hidden=(8,))
    m = np.linspace(0.0, 2.0, net.dim)
    scaled = train(net, chain(adam(1e-2), scale_by_multipliers(m)), 5, record_params=True)
    plain = train(net, adam(1e-2), 1, record_params=True)
    # Adam's first step is -lr sign(g) (up to eps): times m, coordinate by coordinate
    np.testing.assert_allclose(scaled.params[1] - scaled.params[0],
                               m * (plain.params[1] - plain.params[0]), rtol=1e-12, atol=1e-15)
    assert scaled.lr[0] == 1e-2   # the chain records the inner rule's global rate
    # rows of multipliers give one run each, with the lrs of the inner rule broadcast
    rows = np.stack([np.ones(net.dim), m])
    both = train(net, chain(sgd(np.array([0.1, 0.1])), scale_by_multipliers(rows)), 3)
    one = train(net, chain(sgd(0.1), scale_by_multipliers(m)), 3)
    np.testing.assert_allclose(both.loss[:, 1], one.loss, rtol=1e-12)


def test_the_link_checks_its_factors():
    with pytest.raises(ValueError, match="factors >= 0"):
        scale_by_multipliers([1.0, -1.0])
    with pytest.raises(ValueError, match="'multipliers' parameter of scale_by_multipliers"):
        scale_by_multipliers(2.0)
    with pytest.raises(ValueError, match=r"shape \(\.\.\., 3\), one factor per parameter"):
        scale_by_multipliers([1.0, 2.0]).init(np.zeros(3))
