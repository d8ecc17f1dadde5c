"""An lrlab MLP and its PyTorch twin: same layers, same initial weights, same batches.

lrlab's MLP computes ``h_l = phi(h_{l-1} W_l + b_l)`` with ``W_l`` of shape ``(fan_in,
fan_out)`` and the mean softmax cross-entropy; ``torch.nn.Linear`` stores ``W_l^T``. The
minibatches are the index arrays lrlab's trainer draws (``rng.choice(n, batch_size,
replace=False)`` from ``default_rng(seed)``, one per step plus one), so a torch loop fed
``batches`` sees exactly the data the numpy run saw, in the same order.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="lrlab.torch needs PyTorch: pip install "
                            "'lrlab[torch]' (the test extra installs it)")

from lrlab.datasets import two_moons  # noqa: E402
from lrlab.models import MLP  # noqa: E402


def numpy_mlp(n: int = 300, hidden=(16,), activation: str = "tanh", seed: int = 0,
              l2: float = 0.0) -> MLP:
    return MLP(two_moons(n, seed=seed), hidden=hidden, activation=activation, seed=seed, l2=l2)


def torch_twin(net: MLP, theta=None, dtype=torch.float64) -> torch.nn.Sequential:
    """nn.Sequential with ``net``'s layer sizes and activation, holding ``theta`` (x0)."""
    theta = net.x0 if theta is None else theta
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[net.activation]
    layers: list[torch.nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(fan_in, fan_out))
        if i < len(net.sizes) - 2:
            layers.append(act())
    model = torch.nn.Sequential(*layers).to(dtype)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for (W, b), lin in zip(net.unflatten(theta), linears, strict=True):
            lin.weight.copy_(torch.as_tensor(W.T))
            lin.bias.copy_(torch.as_tensor(b))
    return model


def flat(model: torch.nn.Module) -> np.ndarray:
    """The twin's parameters in lrlab's order (W1, b1, W2, b2, ...; W as (fan_in, fan_out))."""
    out = []
    for lin in (m for m in model.modules() if isinstance(m, torch.nn.Linear)):
        out += [lin.weight.detach().T.reshape(-1), lin.bias.detach()]
    return torch.cat(out).double().numpy()


def batches(net: MLP, batch_size: int | None, count: int, seed: int = 0):
    """The ``count`` batches lrlab's trainer draws with ``seed`` (full data when None)."""
    X, y = torch.as_tensor(net.data.X), torch.as_tensor(net.data.y)
    if batch_size is None:
        return [(X, y)] * count
    rng = np.random.default_rng(seed)
    idx = [rng.choice(net.n_samples, size=batch_size, replace=False) for _ in range(count)]
    return [(X[i], y[i]) for i in idx]


def state(model: torch.nn.Module) -> dict:
    """Copies of every parameter and buffer (and each parameter's grad)."""
    out = {k: v.detach().clone() for k, v in model.state_dict(keep_vars=True).items()}
    for k, p in model.named_parameters():
        out[k + ".grad"] = None if p.grad is None else p.grad.clone()
    return out


def same_state(model: torch.nn.Module, saved: dict) -> bool:
    """Bit-identical to ``saved`` (NaN compares equal to NaN, -0.0 differs from 0.0)."""
    now = state(model)
    if now.keys() != saved.keys():
        return False
    for k, v in saved.items():
        w = now[k]
        if (v is None) != (w is None):
            return False
        if v is not None and not (v.dtype == w.dtype and v.shape == w.shape
                                  and torch.equal(_bits(v), _bits(w))):
            return False
    return True


def _bits(t: torch.Tensor) -> torch.Tensor:
    return t.reshape(-1).view(torch.uint8) if t.is_floating_point() else t


def torch_order(net: MLP) -> np.ndarray:
    """Index array: lrlab's flat parameters in the twin's ``model.parameters()`` order."""
    idx = []
    for (fan_in, fan_out), name in zip(zip(net.sizes[:-1], net.sizes[1:], strict=True),
                                       range(1, len(net.sizes)), strict=True):
        w, b = net.param_slices[f"W{name}"], net.param_slices[f"b{name}"]
        idx.append(np.arange(w.start, w.stop).reshape(fan_in, fan_out).T.ravel())
        idx.append(np.arange(b.start, b.stop))
    return np.concatenate(idx)
