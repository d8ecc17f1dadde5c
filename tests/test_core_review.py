"""Regression tests from a review of the core (trainer, History, Problem, Rule, validation).

Each test pins a bug that was found and fixed, or a contract that was undocumented.
"""

import re

import numpy as np
import pytest

from lrlab import Problem, train
from lrlab._validation import check_choice, check_int, check_lr, check_real, check_theta
from lrlab.rules import chain, sgd
from lrlab.surfaces import quadratic


# ------------------------------------------------------------------ divergence test
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


# ------------------------------------------------------------------------ History
def test_summary_of_a_grid_of_runs_has_one_line_per_run_with_its_index():
    h = train(quadratic([1.0, 10.0]), sgd(np.array([[0.05, 0.1], [0.19, 0.21]])), 100)
    lines = h.summary().splitlines()
    assert len(lines) == 4
    assert [line.split(" ", 1)[0] for line in lines] == ["[0,0]", "[0,1]", "[1,0]", "[1,1]"]
    assert lines[3].startswith("[1,1] diverged after 61 steps")
    assert h[1, 1].summary() == lines[3].split(" ", 1)[1]


def test_best_step_of_a_run_without_a_finite_loss_is_minus_one():
    h = train(quadratic([1.0], x0=[1e200]), sgd(np.array([0.1, 0.2])), 5)
    assert list(h.status()) == ["diverged", "diverged"]
    np.testing.assert_array_equal(h.best_step, [-1, -1])
    assert h[0].best_step == -1 and h[0].best_loss == np.inf
    ok = train(quadratic([1.0]), sgd(0.1), 5)
    assert ok.best_step == 5


# --------------------------------------------------------------------- validation
def test_numpy_scalars_and_0d_arrays_count_as_numbers():
    assert check_real(np.float32(0.5), "x", "f") == pytest.approx(0.5)
    assert check_real(np.array(0.5), "x", "f") == 0.5
    assert check_real(np.array(0.5), "x", "f", allow_array=True) == 0.5
    assert check_int(np.int64(5), "n", "f") == 5
    assert check_int(np.array(5), "n", "f", low=0) == 5
    assert check_lr(np.array(0.1), "lr", "f") == 0.1
    h = train(quadratic([1.0]), sgd(0.1), np.array(3), seed=np.int64(2))
    assert h.num_steps == 3


@pytest.mark.parametrize("call, exc, match", [
    (lambda: check_real(np.array([True, False]), "x", "f", allow_array=True), TypeError,
     r"'x' parameter of f must be a finite float or array .* Got array\(\[ True, False\]\)"),
    (lambda: check_lr(np.array([True]), "lr", "sgd"), TypeError, "'lr' parameter of sgd"),
    (lambda: check_int(np.array(2.0), "n", "f"), TypeError,
     r"must be an int .* Got np.float64\(2.0\)"),
    (lambda: check_choice(np.array([1, 2]), "mode", "f", ("a", "b")), ValueError,
     r"'mode' parameter of f must be one of 'a', 'b'. Got array\(\[1, 2\]\) instead"),
    (lambda: check_theta(np.array([1 + 1j, 2.0]), "theta", "f", dim=2), TypeError,
     r"must be a real array of shape \(\.\.\., 2\)"),
])
def test_odd_inputs_get_the_standard_message(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- Rule LaTeX repr
def _check_latex(latex):
    assert latex.startswith("$") and latex.endswith("$") and latex.count("$") == 2, latex
    depth = 0
    for i, char in enumerate(latex):
        if char in "{}" and latex[i - 1] != "\\":
            depth += 1 if char == "{" else -1
            assert depth >= 0, latex
    assert depth == 0, latex
    assert latex.count(r"\begin{aligned}") == latex.count(r"\end{aligned}") == 1
    for text in re.findall(r"\\textbf\{((?:[^{}]|\\[{}])*)\}", latex):
        assert not re.search(r"(?<!\\)[_&%#^]", text), latex   # text mode: escaped or absent
    assert "→" not in latex


def test_rule_latex_escapes_names_and_chains_use_to():
    from lrlab.rules import clip_by_norm
    from lrlab.rules.sgd import scale_by_lr, trace

    for rule in (scale_by_lr(0.1), chain(clip_by_norm(1.0), sgd(0.1)),
                 chain(trace(0.9), scale_by_lr(0.1)), sgd(0.1, momentum=0.9)):
        _check_latex(rule._repr_latex_())
    latex = chain(clip_by_norm(1.0), sgd(0.1))._repr_latex_()
    assert latex.startswith(r"$\textbf{clip\_by\_norm} \to \textbf{SGD}\quad")
    assert r" \\ " in latex                          # a chain's links are aligned rows


# ------------------------------------------------------------------------ Problem
def test_finite_difference_hvp_and_hessian_fallback_are_accurate():
    class Rosen(Problem):   # only loss and gradient: hvp and hessian use the fallbacks
        name, dim, x0 = "rosen", 2, np.array([-1.2, 1.0])

        def _loss(self, t, batch):
            return (1 - t[..., 0]) ** 2 + 100 * (t[..., 1] - t[..., 0] ** 2) ** 2

        def _grad(self, t, batch):
            x, y = t[..., 0], t[..., 1]
            return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], -1)

    th = np.array([[-1.2, 1.0], [0.3, 0.7], [30.0, -4.0]])
    x, y = th[:, 0], th[:, 1]
    exact = np.stack([np.stack([2 - 400 * (y - 3 * x * x), -400 * x], -1),
                      np.stack([-400 * x, np.full_like(x, 200.0)], -1)], -2)
    scale = np.abs(exact).max(axis=(-1, -2), keepdims=True)
    assert np.max(np.abs(Rosen().hessian(th) - exact) / scale) < 1e-7
    v = np.array([0.3, -2.0])
    np.testing.assert_allclose(Rosen().hvp(th, v), exact @ v, rtol=1e-7, atol=1e-7 * scale.max())
    np.testing.assert_array_equal(Rosen().hvp(th, np.zeros(2)), np.zeros((3, 2)))


def test_unnamed_chain_repr_is_how_it_was_built():
    from lrlab.rules import chain, clip_by_norm, sgd

    rule = chain(clip_by_norm(1.0), sgd(0.1))
    assert repr(rule) == ("chain(clip_by_norm(max_norm=1.0), sgd(lr=0.1, momentum=0.0, "
                          "dampening=0.0, nesterov=False, weight_decay=0.0))")


def test_default_hessian_is_symmetric():
    from lrlab.problem import Problem

    class Quartic(Problem):  # no _hessian: the default goes through finite differences
        name, dim, x0 = "quartic", 3, np.ones(3)

        def _loss(self, theta, batch):
            return np.sum(theta**4, axis=-1) + theta[..., 0] * theta[..., 1] * theta[..., 2]

        def _grad(self, theta, batch):
            x, y, z = theta[..., 0], theta[..., 1], theta[..., 2]
            return 4 * theta**3 + np.stack([y * z, x * z, x * y], axis=-1)

    H = Quartic().hessian(np.array([1.5, -2.0, 0.7]))
    np.testing.assert_array_equal(H, H.T)
