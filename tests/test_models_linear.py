"""models.linear's hot paths: the same bits as the plain numpy formulas they replace.

The loss and the loss-and-gradient of the linear models skip ``np.mean``'s and
``np.einsum``'s Python-level dispatch (the exact line search calls the loss
thousands of times a run); the numbers must be those of the formulas as written
with ``np.mean`` and ``np.einsum``, bit for bit, and so must a whole run.
"""

from __future__ import annotations

import numpy as np
import pytest
from bits import assert_same_bits

from lrlab.apps.linesearch_costs import race_problem
from lrlab.datasets import noisy_line, sparse_features, two_moons
from lrlab.models import LinearRegression, LogisticRegression
from lrlab.rules import sgd
from lrlab.rules.linesearch import armijo, exact_line_search
from lrlab.trainer import train


def _penalty(problem, theta):
    if not problem.l2:
        return 0.0
    return 0.5 * problem.l2 * np.einsum("...i,...i->...", theta, theta)


def _logistic(problem, theta, batch):
    """The logistic loss and gradient as the formulas read, with np.mean."""
    A, y = problem._rows(batch)
    z = theta @ A.T
    sp = np.logaddexp(0.0, z)
    loss = np.mean(sp - y * z, axis=-1) + _penalty(problem, theta)
    g = (np.exp(z - sp) - y) @ A / A.shape[0]
    if problem.l2:
        g += problem.l2 * theta
    return loss, g


def _linear(problem, theta, batch):
    A, y = problem._rows(batch)
    r = theta @ A.T - y
    loss = 0.5 * np.mean(r * r, axis=-1) + _penalty(problem, theta)
    g = r @ A / A.shape[0]
    if problem.l2:
        g += problem.l2 * theta
    return loss, g


class _ReferenceLogistic(LogisticRegression):
    def _loss(self, theta, batch):
        return _logistic(self, theta, batch)[0]

    def _loss_and_grad(self, theta, batch):
        return _logistic(self, theta, batch)


PROBLEMS = [
    (LogisticRegression, _logistic, lambda: sparse_features(300, dim=40, density=0.1), 1e-3),
    (LogisticRegression, _logistic, lambda: two_moons(97), 0.0),
    (LogisticRegression, _logistic, lambda: two_moons(64), 0.37),
    (LinearRegression, _linear, lambda: noisy_line(131), 0.0),
    (LinearRegression, _linear, lambda: noisy_line(50), 0.2),
]


@pytest.mark.parametrize("cls, reference, data, l2", PROBLEMS)
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 30.0, 1e3])
def test_loss_and_gradient_are_the_formulas_bits(cls, reference, data, l2, shape, scale):
    problem = cls(data(), l2=l2)
    rng = np.random.default_rng(len(shape) + int(scale))
    theta = scale * rng.standard_normal((*shape, problem.dim))
    for batch in (None, rng.choice(problem.n_samples, 7, replace=False),
                  rng.choice(problem.n_samples, problem.n_samples - 1, replace=False)):
        loss, g = reference(problem, theta, batch)
        assert_same_bits(problem._loss(theta, batch), loss)
        fast_loss, fast_g = problem._loss_and_grad(theta, batch)
        assert_same_bits(fast_loss, loss)
        assert_same_bits(fast_g, g)
        assert_same_bits(problem.loss(theta, batch), loss)


@pytest.mark.parametrize("rule", ["exact", "armijo", "sgd"])
def test_the_races_logistic_runs_are_bit_equal(rule):
    fast = race_problem("logistic regression")
    slow = _ReferenceLogistic(fast.data, l2=fast.l2)
    make = {"exact": lambda p: exact_line_search(p, xtol=1e-3), "armijo": lambda p: armijo(),
            "sgd": lambda p: sgd(1.0 / p.smoothness)}[rule]
    a = train(fast, make(fast), 200, record_params=True)
    b = train(slow, make(slow), 200, record_params=True)
    for name in ("loss", "lr", "params", "loss_evals"):
        assert_same_bits(getattr(a, name), getattr(b, name))
