"""Problem.from_functions: a learner's own loss and gradient of one vector, as an lrlab Problem."""

import numpy as np
import pytest

import lrlab
from lrlab.datasets import noisy_line
from lrlab.models import LinearRegression
from lrlab.problem import FunctionProblem
from lrlab.rules import sgd
from lrlab.surfaces import quadratic

A = np.diag([1.0, 10.0])
LRS = np.array([0.01, 0.1, 0.19, 0.21])


def one_at_a_time(w):
    return 0.5 * w @ A @ w          # theta @ A @ theta: breaks on a stack of vectors


def one_grad(w):
    return A @ w


def broadcasting(w):
    return 0.5 * np.einsum("...i,ij,...j->...", w, A, w)


def broadcasting_grad(w):
    return w @ A


@pytest.mark.parametrize(("loss", "grad", "vectorized"), [
    (one_at_a_time, one_grad, False), (broadcasting, broadcasting_grad, True)])
def test_batched_runs_equal_lrlabs_own_quadratic(loss, grad, vectorized):
    mine = lrlab.Problem.from_functions(loss, grad, [1.0, 1.0])
    assert isinstance(mine, FunctionProblem) and mine.vectorized is vectorized
    ref = lrlab.train(quadratic([1.0, 10.0], x0=[1.0, 1.0]), sgd(LRS), 80)
    got = lrlab.train(mine, sgd(LRS), 80)
    np.testing.assert_allclose(got.loss, ref.loss, rtol=1e-12)
    np.testing.assert_array_equal(got.diverged_at, ref.diverged_at)
    np.testing.assert_array_equal(got.status(), ["finished", "finished", "finished", "diverged"])
    assert mine.loss(np.ones((3, 5, 2))).shape == (3, 5)
    assert mine.grad(np.ones((3, 5, 2))).shape == (3, 5, 2)


def test_minibatches_pass_the_rows_to_the_functions():
    data = noisy_line(200, noise=0.3)

    def loss(theta, X, y):
        r = X @ theta[:-1] + theta[-1] - y
        return 0.5 * np.mean(r * r)

    def grad(theta, X, y):
        r = X @ theta[:-1] + theta[-1] - y
        return np.r_[X.T @ r, r.sum()] / len(y)

    mine = lrlab.Problem.from_functions(loss, grad, np.zeros(2), data=(data.X, data.y),
                                        name="my least squares")
    ref_problem = LinearRegression(data)
    assert mine.n_samples == 200 and not mine.vectorized
    for batch_size in (None, 16):
        ref = lrlab.train(ref_problem, sgd([0.1, 0.5]), 60, batch_size=batch_size, seed=4)
        got = lrlab.train(mine, sgd([0.1, 0.5]), 60, batch_size=batch_size, seed=4)
        np.testing.assert_allclose(got.loss, ref.loss, rtol=1e-10)
    assert "200 samples" in repr(mine) and "my least squares" in repr(mine)


def test_finite_differences_only_when_asked_and_said_so():
    with pytest.raises(TypeError, match="finite_differences=True"):
        lrlab.Problem.from_functions(one_at_a_time, None, [1.0, 1.0])
    fd = lrlab.Problem.from_functions(one_at_a_time, x0=[1.0, -2.0], finite_differences=True)
    np.testing.assert_allclose(fd.grad([0.3, 0.7]), A @ [0.3, 0.7], rtol=1e-8)
    assert "central differences (4 loss evaluations per gradient: slow)" in repr(fd)
    h = lrlab.train(fd, sgd(0.1), 50)
    assert h.final_loss < 1e-3 * h.loss[0]


def test_the_tools_accept_the_wrapper():
    mine = lrlab.Problem.from_functions(broadcasting, broadcasting_grad, [1.0, 1.0],
                                        smoothness=10.0, f_star=0.0)
    result = lrlab.lr_range_test(mine, sgd)
    ref = lrlab.lr_range_test(quadratic([1.0, 10.0], x0=[1.0, 1.0]), sgd)
    np.testing.assert_allclose(result.smoothed, ref.smoothed, rtol=1e-12)
    assert 0.03 < lrlab.advise(mine, progress=False).lr < 0.2
    assert lrlab.check_grad(mine).verdict == "good"
    from lrlab.sharpness import sharpness

    assert sharpness(mine) == pytest.approx(10.0, rel=1e-6)     # grad differences
    exact = lrlab.Problem.from_functions(broadcasting, broadcasting_grad, [1.0, 1.0],
                                         hvp=lambda w, v: A @ v)
    assert sharpness(exact) == pytest.approx(10.0, rel=1e-12)


def test_nan_during_training_is_a_diverged_run_not_a_crash():
    def loss(w):
        return float(-np.log(w[0]) + w[0])          # NaN once w < 0

    mine = lrlab.Problem.from_functions(loss, lambda w: np.array([1 - 1 / w[0]]), [2.0])
    h = lrlab.train(mine, sgd([0.1, 10.0]), 30)          # the second steps to w = -3
    assert h.status().tolist() == ["finished", "diverged"]
    assert str(h.reason[1]) == "loss became nan"


def test_blocks_name_the_parameters_for_check_grad():
    mine = lrlab.Problem.from_functions(broadcasting, lambda w: np.array([w[0], 0.0]),
                                        [1.0, 1.0], blocks={"a": slice(0, 1), "b": slice(1, 2)})
    result = lrlab.check_grad(mine)
    assert result.verdict == "wrong" and result.blocks["a"] < 1e-7 < result.blocks["b"]


@pytest.mark.parametrize(("kwargs", "exc", "text"), [
    ({"loss": lambda w: w, "grad": one_grad, "x0": [1.0, 1.0]}, ValueError,
     "loss must return one number for theta of shape (2,); it returned an array of shape (2,)"),
    ({"loss": one_at_a_time, "grad": lambda w: w[:1], "x0": [1.0, 1.0]}, ValueError,
     "grad must return an array of shape (2,), like theta; it returned shape (1,)"),
    ({"loss": lambda w: np.nan, "grad": one_grad, "x0": [1.0, 1.0]}, ValueError,
     "loss(x0) is nan"),
    ({"loss": one_at_a_time, "grad": lambda w: w * np.inf, "x0": [1.0, 1.0]}, ValueError,
     "grad(x0) is not finite at coordinates [0, 1]"),
    ({"loss": one_at_a_time, "grad": one_grad}, TypeError,
     "'x0' parameter of Problem.from_functions is required"),
    ({"loss": one_at_a_time, "grad": one_grad, "x0": [[1.0]]}, ValueError,
     "'x0' parameter of Problem.from_functions"),
    ({"loss": "loss", "grad": one_grad, "x0": [1.0]}, TypeError, "'loss' parameter"),
    ({"loss": lambda w, X: 0.0, "grad": lambda w, X: w, "x0": [1.0],
      "data": (np.zeros(3), np.zeros(4))}, ValueError, "got lengths [3, 4]"),
])
def test_bad_functions_get_clear_errors(kwargs, exc, text):
    loss, grad = kwargs.pop("loss"), kwargs.pop("grad")
    with pytest.raises(exc) as info:
        lrlab.Problem.from_functions(loss, grad, **kwargs)
    assert text in str(info.value)


def test_a_function_writing_into_theta_fails_instead_of_moving_the_run():
    def sneaky_grad(w):
        w *= 2
        return A @ w

    with pytest.raises(ValueError, match="read-only"):
        lrlab.Problem.from_functions(one_at_a_time, sneaky_grad, [1.0, 1.0])


class DuckTyped:
    def loss(self, w):
        return one_at_a_time(w)

    def grad(self, w):
        return one_grad(w)


@pytest.mark.parametrize("tool", [
    lambda p: lrlab.train(p, sgd(0.1), 5),
    lambda p: lrlab.lr_range_test(p, sgd),
    lambda p: lrlab.advise(p),
    lambda p: lrlab.sharpness.sharpness(p),
    lambda p: lrlab.search.grid_search(p, sgd, [0.1], num_steps=5),
])
def test_a_non_problem_gets_a_type_error_naming_the_wrapper(tool):
    with pytest.raises(TypeError) as info:
        tool(DuckTyped())
    text = str(info.value)
    assert "must be an lrlab Problem" in text
    assert "lrlab.Problem.from_functions(obj.loss, obj.grad, x0)" in text
    with pytest.raises(TypeError, match=r"use lrlab\.Problem\.from_functions\(loss, grad, x0\)"):
        tool(one_at_a_time)
