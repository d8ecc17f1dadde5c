"""lrlab.torch.hvp and sharpness: double backprop equals lrlab's exact Pearlmutter products."""

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lrlab.torch needs PyTorch: pip install "
                            "'lrlab[torch]' (the test extra installs it)")

from twins import numpy_mlp, same_state, state, torch_order, torch_twin  # noqa: E402

import lrlab.torch as lt  # noqa: E402
from lrlab.sharpness import sharpness  # noqa: E402

CE = torch.nn.CrossEntropyLoss()


def _split(net, n_batches):
    """The full data in ``n_batches`` unequal pieces (the products weight them by size)."""
    X, y = torch.as_tensor(net.data.X), torch.as_tensor(net.data.y)
    cuts = np.linspace(0, len(y), n_batches + 1).astype(int)
    cuts[1] += 7                                    # unequal sizes
    return [(X[a:b], y[a:b]) for a, b in itertools.pairwise(cuts)]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_hvp_equals_the_mlps_exact_hessian_vector_product(activation):
    net = numpy_mlp(n=120, hidden=(6,), activation=activation, l2=0.0)
    model = torch_twin(net)
    order = torch_order(net)
    v = np.random.default_rng(0).standard_normal(net.dim)
    expected = net.hvp(net.x0, v)[order]
    shapes = [p.shape for p in model.parameters()]
    parts = np.split(v[order], np.cumsum([int(np.prod(s)) for s in shapes])[:-1])
    vector = [torch.as_tensor(p.reshape(s)) for p, s in zip(parts, shapes, strict=True)]
    before = state(model)
    out = lt.hvp(model, CE, _split(net, 3), vector)
    got = torch.cat([o.reshape(-1) for o in out]).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-13)
    assert same_state(model, before)


@pytest.mark.parametrize(("hidden", "method"), [((3,), "auto"), ((12,), "eigsh"),
                                                ((12,), "power")])
def test_sharpness_equals_lrlabs_on_the_same_mlp(hidden, method):
    net = numpy_mlp(n=150, hidden=hidden)
    expected = sharpness(net, method="dense")
    got = lt.sharpness(torch_twin(net), CE, _split(net, 4), method=method)
    assert got == pytest.approx(expected, rel=1e-7)


def test_sharpness_of_a_linear_least_squares_model_is_its_top_eigenvalue():
    torch.manual_seed(0)
    X = torch.randn(64, 5, dtype=torch.float64)
    y = torch.randn(64, 1, dtype=torch.float64)
    model = torch.nn.Linear(5, 1, bias=False).double()
    H = (X.T @ X / 64 * 2).numpy()                 # MSELoss: mean((Xw - y)^2)
    got = lt.sharpness(model, torch.nn.MSELoss(), [(X[:40], y[:40]), (X[40:], y[40:])])
    assert got == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-10)


def test_dropout_is_off_while_measuring_and_the_mode_comes_back():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Dropout(0.5),
                                torch.nn.Linear(8, 2)).double()
    data = [(torch.randn(32, 2, dtype=torch.float64), torch.randint(0, 2, (32,)))]
    a = lt.sharpness(model, CE, data, method="power", tol=1e-12)
    b = lt.sharpness(model, CE, data, method="power", tol=1e-12)
    assert a == pytest.approx(b, rel=1e-9) and model.training


def test_bad_vector_and_empty_loader():
    model = torch.nn.Linear(2, 1)
    data = [(torch.randn(4, 2), torch.randn(4, 1))]
    with pytest.raises(TypeError, match="a list of 2 tensors shaped like"):
        lt.hvp(model, torch.nn.MSELoss(), data, [torch.zeros(2)])
    with pytest.raises(ValueError, match="yielded no batch"):
        lt.sharpness(model, torch.nn.MSELoss(), [])
