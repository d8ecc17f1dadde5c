"""Divergence: when a run counts as blown up (lrlab/trainer/stopping.py)."""

import numpy as np

from lrlab import Problem, train
from lrlab.rules import sgd
from lrlab.surfaces import quadratic


def test_a_run_started_at_the_minimum_is_not_declared_diverged():
    # Loss 0 at the start made the threshold 1e5 * 1e-8 = 1e-3: gradient noise alone
    # (loss ~ 2e-3) was reported as divergence.
    bowl = quadratic([1.0, 10.0], x0=[0.0, 0.0], noise=1.0)
    h = train(bowl, sgd(0.01), 200, batch_size=4)
    assert h.status() == "finished", h.summary()
    assert np.all(np.isfinite(h.loss)) and 0 < h.loss.max() < 1


def test_divergence_threshold_is_relative_above_one_and_absolute_below():
    # |loss_0| >= 1: the old relative rule (1.1 + 1e5 * 1.1); |loss_0| < 1: loss_0 + 1e5.
    class Line(Problem):
        name, dim = "line", 1

        def __init__(self, start):
            self.x0 = np.array([start])

        def _loss(self, theta, batch):
            return theta[..., 0]

        def _grad(self, theta, batch):
            return -np.ones_like(theta)      # the loss grows by lr per step

    big = train(Line(1.1), sgd(1000.0), 200)
    assert big.diverged_at == 111          # 1.1 + 1000 t > 1.1 + 1.1e5 first at t = 111
    small = train(Line(-0.5), sgd(1000.0), 200)
    assert small.diverged_at == 101        # -0.5 + 1000 t > -0.5 + 1e5 first at t = 101
