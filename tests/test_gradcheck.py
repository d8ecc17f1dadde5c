"""check_grad: planted backprop bugs are caught and named; right gradients pass."""

import numpy as np
import pytest

from lrlab.datasets import two_moons
from lrlab.gradcheck import GOOD, WRONG, check_grad
from lrlab.models import MLP
from lrlab.surfaces import quadratic, rosenbrock

# ------------------------------------------------- a learner's 2-layer numpy network
RNG = np.random.default_rng(0)
D, H, K, M = 4, 3, 3, 20            # H == K: a missing transpose of W2 keeps the shape
X = RNG.standard_normal((M, D))
Y = RNG.integers(0, K, M)
SHAPES = [(D, H), (H,), (H, K), (K,)]
BLOCKS = {"W1": slice(0, 12), "b1": slice(12, 15), "W2": slice(15, 24), "b2": slice(24, 27)}
THETA = RNG.standard_normal(27) * 0.5


def unpack(theta):
    out, i = [], 0
    for shape in SHAPES:
        n = int(np.prod(shape))
        out.append(theta[i:i + n].reshape(shape))
        i += n
    return out


def forward(theta):
    W1, b1, W2, b2 = unpack(theta)
    a = X @ W1 + b1
    h = np.tanh(a)
    z = h @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return a, h, p / p.sum(axis=1, keepdims=True)


def loss(theta):
    return -np.mean(np.log(forward(theta)[2][np.arange(M), Y]))


def backprop(theta, bug=None):
    W2 = unpack(theta)[2]
    a, h, p = forward(theta)
    dz = p.copy()
    dz[np.arange(M), Y] -= 1
    dz /= M
    if bug == "factor of 2":
        dz *= 2
    dW2 = dz.T @ h if bug == "missing transpose" else h.T @ dz
    db2 = dz.sum(axis=0)
    dh = dz @ W2.T
    da = dh * (1 - a**2 if bug == "wrong activation derivative" else 1 - h**2)
    dW1 = X.T @ da
    db1 = np.zeros(H) if bug == "forgotten bias gradient" else da.sum(axis=0)
    return np.concatenate([g.ravel() for g in (dW1, db1, dW2, db2)])


def test_the_right_backprop_passes():
    result = check_grad((loss, backprop), THETA, names=BLOCKS)
    assert result.verdict == "good" and result.passed and result.error < GOOD
    assert result.message.startswith("The gradient is right")
    assert set(result.blocks) == set(BLOCKS) and max(result.blocks.values()) < GOOD
    assert result.factor is None and len(result.coordinates) == 27


@pytest.mark.parametrize(("bug", "blame"), [
    ("missing transpose", {"W2"}),
    ("wrong activation derivative", {"W1", "b1"}),
    ("forgotten bias gradient", {"b1"}),
    ("factor of 2", set(BLOCKS)),
])
def test_each_planted_bug_is_flagged_wrong_in_the_blocks_it_touches(bug, blame):
    result = check_grad((loss, lambda t: backprop(t, bug)), THETA, names=BLOCKS)
    assert result.verdict == "wrong" and not result.passed and result.error > WRONG
    assert "The gradient is wrong" in result.message and "Fix the backpropagation" in str(result)
    assert {name for name, err in result.blocks.items() if err > WRONG} == blame
    assert result.worst[0][0].split("[")[0] in blame
    assert (result.factor == 2.0) == (bug == "factor of 2")
    if bug == "factor of 2":
        assert "2 x the numerical one everywhere" in result.message


def test_directions_alone_catch_a_bug_in_one_coordinate():
    def grad(theta):
        g = backprop(theta)
        g[20] += 0.05
        return g
    result = check_grad((loss, grad), THETA, max_coordinates=0, num_directions=5)
    assert result.verdict == "wrong" and len(result.coordinates) == 0


def test_numerical_gradient_matches_a_closed_form_to_the_step_squared():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    result = check_grad((lambda w: 0.5 * w @ A @ w + np.sin(w[0]),
                         lambda w: A @ w + np.array([np.cos(w[0]), 0.0])), [0.3, -1.2])
    np.testing.assert_allclose(result.numeric, A @ [0.3, -1.2] + [np.cos(0.3), 0], rtol=1e-9)
    assert result.verdict == "good"


def test_lrlab_problems_check_their_own_gradient_with_named_blocks():
    net = MLP(two_moons(100), hidden=(8,), seed=1)
    result = check_grad(net)
    assert result.verdict == "good" and set(result.blocks) == {"W1", "b1", "W2", "b2"}
    assert check_grad(rosenbrock(), [0.3, 0.7]).verdict == "good"
    # a data problem on one minibatch: the batch reaches both loss and grad
    batch = np.arange(10)
    assert check_grad(net, batch=batch).verdict == "good"


def test_a_large_problem_checks_a_sample_of_coordinates_including_the_largest():
    net = MLP(two_moons(100), hidden=(16, 16), seed=0)
    result = check_grad(net, max_coordinates=40, num_directions=3)
    n = len(result.coordinates)
    assert 40 <= n <= 40 + 5 * 6 and result.verdict == "good"
    g = net.grad(net.x0)
    assert set(np.argsort(-np.abs(g))[:20]) <= set(result.coordinates)
    assert set(result.blocks) == set(net.param_slices)     # every block gets some coordinates
    assert f"{n} of 354 coordinates" in result.message


def test_a_kink_under_the_step_is_reported_with_the_hint():
    theta = np.linspace(0.5, 2.0, 30)
    theta[7] = 1e-7                     # relu's kink lies within h = 1e-5 of it
    result = check_grad((lambda w: np.maximum(w, 0).sum(), lambda w: (w > 0).astype(float)),
                        theta, num_directions=0)
    assert result.worst[0][1] == 7 and result.worst[0][4] > WRONG
    assert "kinks" in result.message and "another theta" in result.message


@pytest.mark.parametrize(("args", "kwargs", "exc", "text"), [
    (((loss, backprop),), {}, TypeError, "plain functions need theta"),
    ((loss,), {"theta": THETA}, TypeError, "a pair (loss, grad)"),
    (((lambda t: np.ones(3), backprop), THETA), {}, ValueError, "must return one number"),
    (((loss, lambda t: backprop(t)[:-1]), THETA), {}, ValueError, "must have shape (27,)"),
    (((loss, lambda t: backprop(t) * np.nan), THETA), {}, ValueError, "not finite at coord"),
    (((lambda t: np.nan, backprop), THETA), {}, ValueError, "the loss at theta is nan"),
    (((loss, backprop), THETA), {"step": 0.5}, ValueError, "'step' parameter of check_grad"),
    ((quadratic([1.0, 2.0]),), {"grad": backprop}, TypeError, "None for a Problem"),
    ((quadratic([1.0, 2.0]), [[1.0, 2.0]]), {}, ValueError, "one finite parameter vector"),
])
def test_bad_input_gets_a_clear_message(args, kwargs, exc, text):
    with pytest.raises(exc, match=None) as info:
        check_grad(*args, **kwargs)
    assert text in str(info.value)


def test_readable_repr():
    result = check_grad(quadratic([1.0, 4.0]), [1.0, 1.0])
    assert repr(result).startswith("<GradCheck good: relative error")
    assert "```" in result._repr_markdown_()


def test_check_grad_is_a_lazy_top_level_function():
    import lrlab

    assert lrlab.check_grad is check_grad and "check_grad" in lrlab.__all__
