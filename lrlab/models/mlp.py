r"""A multilayer perceptron with hand-written backpropagation and exact Hessian-vector products.

Everything is vectorised over a leading run shape: with ``theta`` of shape
``(R, dim)`` every weight matrix is a view of shape ``(R, fan_in, fan_out)``
and one ``np.matmul`` computes all ``R`` networks at once, so one training
run can hold 256 learning rates.

>>> from lrlab.datasets import two_moons
>>> from lrlab.models import MLP
>>> net = MLP(two_moons(100), hidden=(8, 8))
>>> net.name, net.dim
('MLP 2-8-8-2 tanh', 114)
>>> [(W.shape, b.shape) for W, b in net.unflatten(np.zeros((5, net.dim)))]
[((5, 2, 8), (5, 8)), ((5, 8, 8), (5, 8)), ((5, 8, 2), (5, 2))]
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_choice, check_int, check_real, fail
from ..datasets.base import as_dataset
from .base import DataProblem

__all__ = ["ACTIVATIONS", "MLP"]

#: Hidden-layer activations the MLP knows.
ACTIVATIONS = ("tanh", "relu", "leaky_relu")

#: Slope of ``'leaky_relu'`` for negative inputs (``torch.nn.LeakyReLU``'s default).
LEAKY_SLOPE = 0.01


class MLP(DataProblem):
    r"""Softmax classifier with fully connected hidden layers, trained by backpropagation.

    Parameters
    ----------
    data : Dataset or (X, y)
        Features ``X`` of shape ``(n, d)`` and integer labels ``0 .. K-1``
        (``K = max(y) + 1 >= 2``).
    hidden : int or sequence of int >= 1
        Widths of the hidden layers (at least one).
    activation : {'tanh', 'relu', 'leaky_relu'}
        Activation of the hidden layers; ``'leaky_relu'`` is
        :math:`\max(a, 0.01\,a)`, torch's ``LeakyReLU()`` (a unit never dies).
    seed : int >= 0
        Seed of the initial weights ``x0``.
    l2 : float >= 0
        L2 penalty on every parameter (biases too, like ``weight_decay``).

    Attributes
    ----------
    sizes : tuple of int
        ``(d, *hidden, K)``.
    layer_slices : dict of str to slice
        ``'layer1'``, ``'layer2'``, ...: where each layer's ``(W, b)`` lives in ``theta``.
    param_slices : dict of str to slice
        ``'W1'``, ``'b1'``, ...: each weight matrix and bias vector.
    x0 : ndarray
        Glorot-uniform weights for tanh layers and the output layer, He-normal
        for ReLU layers (for leaky ReLU with torch's gain
        :math:`\sqrt{2/(1 + 0.01^2)}`), zero biases.

    Notes
    -----
    Rows are samples; with :math:`h_0 = X_B` (the minibatch) and
    :math:`m = |B|`:

    .. math::
        a_l &= h_{l-1} W_l + b_l,\quad h_l = \phi(a_l)\ (l < L),\quad z = a_L, \\
        f &= -\frac1m \sum_i \log \operatorname{softmax}(z_i)_{y_i}
             + \frac\lambda2 \lVert\theta\rVert^2, \\
        \delta_L &= \frac1m\bigl(\operatorname{softmax}(z) - Y\bigr),\quad
        \delta_{l-1} = (\delta_l W_l^\top) \odot \phi'(a_{l-1}), \\
        \nabla_{W_l} f &= h_{l-1}^\top \delta_l + \lambda W_l,\quad
        \nabla_{b_l} f = \mathbf 1^\top \delta_l + \lambda b_l

    (backpropagation; :math:`\log\operatorname{softmax}(z) = z - \max z -
    \log\sum e^{z - \max z}` never overflows). The Hessian-vector product
    :math:`Hv` applies Pearlmutter's operator
    :math:`\mathcal R\{\cdot\} = \partial_r(\cdot)(\theta + r v)|_{r=0}` to
    every line above: a forward pass for :math:`\mathcal R\{a_l\} =
    \mathcal R\{h_{l-1}\} W_l + h_{l-1} V_l + v_{b_l}`, then a backward pass
    with :math:`\mathcal R\{\delta_L\} = (p \odot (\mathcal R z - \langle p,
    \mathcal R z\rangle))/m` and :math:`\mathcal R\{\delta_{l-1}\} =
    (\mathcal R\{\delta_l\} W_l^\top + \delta_l V_l^\top)\odot\phi' +
    (\delta_l W_l^\top)\odot\phi''\odot\mathcal R\{a_{l-1}\}`. It is exact
    (no finite differences) and costs about two gradients.
    :math:`\phi' = 1 - h^2`, :math:`\phi'' = -2h(1 - h^2)` for tanh;
    :math:`\phi' = [h > 0]`, :math:`\phi'' = 0` for ReLU (taken as 0 at the kink);
    :math:`\phi' = 1` or :math:`0.01`, :math:`\phi'' = 0` for leaky ReLU.

    Examples
    --------
    >>> from lrlab.datasets import blobs
    >>> net = MLP(blobs(60), hidden=4, seed=1)
    >>> net.sizes, net.layer_slices
    ((2, 4, 3), {'layer1': slice(0, 12, None), 'layer2': slice(12, 27, None)})
    >>> loss, g = net.loss_and_grad(np.stack([net.x0, net.x0]))
    >>> loss.shape, g.shape
    ((2,), (2, 27))

    References
    ----------
    Rumelhart, Hinton & Williams (1986), "Learning representations by
    back-propagating errors", Nature 323.
    Pearlmutter (1994), "Fast exact multiplication by the Hessian", Neural
    Computation 6(1).
    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS.
    He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers", ICCV.
    """

    _task = "multiclass"

    def __init__(self, data: Any, hidden: Any = (32,), activation: str = "tanh", seed: int = 0,
                 l2: float = 0.0):
        owner = "MLP"
        hidden = _check_hidden(hidden, owner)
        self.activation = check_choice(activation, "activation", owner, ACTIVATIONS)
        self.seed = check_int(seed, "seed", owner, low=0)
        self.l2 = check_real(l2, "l2", owner, low=0)
        data = as_dataset(data, owner, task="multiclass")
        n_classes = int(data.y.max()) + 1
        if n_classes < 2:
            fail(data.y, "y", owner, allowed="labels of at least 2 classes (max(y) >= 1)")
        self.sizes = (data.n_features, *hidden, n_classes)
        self._layout()
        self.name = f"MLP {'-'.join(map(str, self.sizes))} {self.activation}"
        self._set_data(data, owner)
        self.x0 = self._init(np.random.default_rng(self.seed))

    # ---------------------------------------------------------------- layout
    def _layout(self) -> None:
        self._shapes, self._wsl, self._bsl = [], [], []
        self.layer_slices, self.param_slices = {}, {}
        start = 0
        for l, (fan_in, fan_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:],
                                                  strict=True), 1):
            w = slice(start, start + fan_in * fan_out)
            b = slice(w.stop, w.stop + fan_out)
            self._shapes.append((fan_in, fan_out))
            self._wsl.append(w)
            self._bsl.append(b)
            self.param_slices[f"W{l}"], self.param_slices[f"b{l}"] = w, b
            self.layer_slices[f"layer{l}"] = slice(w.start, b.stop)
            start = b.stop
        self.dim = start

    def _init(self, rng: np.random.Generator) -> np.ndarray:
        theta = np.zeros(self.dim)
        last = len(self._shapes) - 1
        for l, ((fan_in, fan_out), w) in enumerate(zip(self._shapes, self._wsl, strict=True)):
            if self.activation != "tanh" and l < last:
                slope = LEAKY_SLOPE if self.activation == "leaky_relu" else 0.0
                std = np.sqrt(2.0 / ((1.0 + slope**2) * fan_in))  # torch's kaiming_normal_
                theta[w] = rng.normal(0.0, std, fan_in * fan_out)
            else:
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                theta[w] = rng.uniform(-bound, bound, fan_in * fan_out)
        return theta

    def unflatten(self, theta: Any) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per-layer ``(W, b)`` views of ``theta``.

        Shapes ``(..., fan_in, fan_out)`` and ``(..., fan_out)``; writing into
        them writes into ``theta`` when ``theta`` is a float64 array.
        """
        return self._params(self._theta(theta, "unflatten"))

    def _params(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        lead = theta.shape[:-1]
        return [(theta[..., w].reshape(*lead, *shape), theta[..., b])
                for shape, w, b in zip(self._shapes, self._wsl, self._bsl, strict=True)]

    def _use_data(self, owner: str) -> None:
        X, y = self.data.X, self.data.y
        if X.shape[1] != self.sizes[0]:
            fail(X, "data", owner, allowed=f"features with {self.sizes[0]} columns")
        if y.max() >= self.sizes[-1]:
            fail(y, "data", owner, allowed=f"labels in 0..{self.sizes[-1] - 1}")
        self._X, self._y = X, y

    def _rows(self, batch: Any) -> tuple[np.ndarray, np.ndarray]:
        if batch is None:
            return self._X, self._y
        return self._X[batch], self._y[batch]

    # ------------------------------------------------------- forward/backward
    def _forward(self, params, X):
        """Post-activations ``[X, h_1, ..., h_{L-1}, z]`` (``z`` = logits)."""
        hs = [X]
        last = len(params) - 1
        for l, (W, b) in enumerate(params):
            a = hs[-1] @ W
            a += b[..., None, :]
            if l < last:
                if self.activation == "tanh":
                    np.tanh(a, out=a)
                elif self.activation == "leaky_relu":
                    np.maximum(a, LEAKY_SLOPE * a, out=a)
                else:
                    np.maximum(a, 0.0, out=a)
            hs.append(a)
        return hs

    def _dphi(self, h):
        """``phi'(a)`` written in terms of ``h = phi(a)``."""
        if self.activation == "leaky_relu":
            return np.where(h > 0, 1.0, LEAKY_SLOPE)
        return 1.0 - h * h if self.activation == "tanh" else (h > 0).astype(float)

    def _softmax_loss(self, z, y):
        """Mean cross-entropy and the softmax probabilities ``p`` (``z`` is overwritten)."""
        z -= z.max(axis=-1, keepdims=True)
        p = np.exp(z)
        total = p.sum(axis=-1, keepdims=True)
        m = y.shape[0]
        picked = z[..., np.arange(m), y]
        loss = np.mean(np.log(total[..., 0]) - picked, axis=-1)
        p /= total
        return loss, p

    def _penalty(self, theta):
        return 0.5 * self.l2 * np.einsum("...i,...i->...", theta, theta) if self.l2 else 0.0

    def _loss(self, theta, batch):
        X, y = self._rows(batch)
        hs = self._forward(self._params(theta), X)
        return self._softmax_loss(hs[-1], y)[0] + self._penalty(theta)

    def _grad(self, theta, batch):
        return self._loss_and_grad(theta, batch)[1]

    def _loss_and_grad(self, theta, batch):
        X, y = self._rows(batch)
        params = self._params(theta)
        hs = self._forward(params, X)
        loss, delta = self._softmax_loss(hs[-1], y)
        m = y.shape[0]
        delta[..., np.arange(m), y] -= 1.0
        delta /= m
        g = np.empty(theta.shape)
        lead = theta.shape[:-1]
        for l in range(len(params) - 1, -1, -1):
            h = hs[l]
            np.matmul(h.swapaxes(-1, -2), delta,
                      out=g[..., self._wsl[l]].reshape(*lead, *self._shapes[l]))
            g[..., self._bsl[l]] = delta.sum(axis=-2)
            if l:
                delta = delta @ params[l][0].swapaxes(-1, -2)
                delta *= self._dphi(h)
        if self.l2:
            loss = loss + self._penalty(theta)
            g += self.l2 * theta
        return loss, g

    def _hvp(self, theta, v, batch=None):
        """Exact ``H v`` by Pearlmutter's R-operator (forward-over-reverse, by hand)."""
        X, y = self._rows(batch)
        params = self._params(theta)
        rparams = self._params(v)
        hs = self._forward(params, X)
        L = len(params)
        # forward pass of R{.}: R{a_l} for every layer (R{h_0} = 0)
        ras, rh = [], None
        for l, ((W, _), (V, vb)) in enumerate(zip(params, rparams, strict=True)):
            ra = hs[l] @ V
            ra += vb[..., None, :]
            if rh is not None:
                ra = ra + rh @ W
            ras.append(ra)
            if l < L - 1:
                rh = self._dphi(hs[l + 1]) * ra
        _, p = self._softmax_loss(hs[-1], y)
        m = y.shape[0]
        delta = p.copy()
        delta[..., np.arange(m), y] -= 1.0
        delta /= m
        rz = ras[-1]
        rdelta = p * (rz - np.sum(p * rz, axis=-1, keepdims=True)) / m
        # backward pass of the gradient and of its R{.}
        blocks = []
        for l in range(L - 1, -1, -1):
            h = hs[l]
            hw = h.swapaxes(-1, -2) @ rdelta
            if l:
                rh_prev = self._dphi(h) * ras[l - 1]
                hw = hw + rh_prev.swapaxes(-1, -2) @ delta
            blocks.append(rdelta.sum(axis=-2))
            blocks.append(hw.reshape(*hw.shape[:-2], -1))
            if l:
                W, V = params[l][0], rparams[l][0]
                e = delta @ W.swapaxes(-1, -2)
                re = rdelta @ W.swapaxes(-1, -2) + delta @ V.swapaxes(-1, -2)
                dphi = self._dphi(h)
                delta = e * dphi
                rdelta = re * dphi
                if self.activation == "tanh":
                    rdelta += e * (-2.0 * h * dphi) * ras[l - 1]
        lead = np.broadcast_shapes(theta.shape[:-1], v.shape[:-1])
        out = np.concatenate([np.broadcast_to(b, (*lead, b.shape[-1])) for b in blocks[::-1]],
                             axis=-1)
        return out + self.l2 * v if self.l2 else out

    def _hessian(self, theta):
        """Dense Hessian from Hessian-vector products with blocks of unit vectors."""
        lead = theta.shape[:-1]
        H = np.empty((*lead, self.dim, self.dim))
        eye = np.eye(self.dim)
        width = max(self.sizes) * self.n_samples * max(1, int(np.prod(lead)))
        chunk = max(1, min(self.dim, 2**22 // width))
        for start in range(0, self.dim, chunk):
            cols = self._hvp(theta[..., None, :], eye[start:start + chunk])
            H[..., start:start + chunk, :] = cols
        return H

    # ---------------------------------------------------------------- predict
    def predict_proba(self, theta: Any, X: Any) -> np.ndarray:
        """Class probabilities ``softmax(z)``; shape ``(..., m, K)``."""
        theta = self._theta(theta, "predict_proba")
        X = self._check_features(X, f"{self.name}.predict_proba")
        z = self._forward(self._params(theta), X)[-1]
        z -= z.max(axis=-1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=-1, keepdims=True)

    def predict(self, theta: Any, X: Any) -> np.ndarray:
        """Predicted labels ``argmax z``; shape ``(..., m)``."""
        theta = self._theta(theta, "predict")
        X = self._check_features(X, f"{self.name}.predict")
        return np.argmax(self._forward(self._params(theta), X)[-1], axis=-1)

    def accuracy(self, theta: Any, data: Any = None) -> np.ndarray:
        """Fraction of correct labels on ``data`` (default: the training data); shape ``(...)``.

        >>> from lrlab.datasets import blobs
        >>> net = MLP(blobs(30, spread=0.1), hidden=2)
        >>> float(net.accuracy(net.x0)) <= 1.0
        True
        """
        data = self.data if data is None else as_dataset(data, f"{self.name}.accuracy",
                                                         task="multiclass")
        return np.mean(self.predict(theta, data.X) == data.y, axis=-1)


def _check_hidden(hidden: Any, owner: str) -> tuple[int, ...]:
    allowed = f"an int >= 1 (at most {MAX_COUNT}) or a non-empty sequence of them"
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool | np.bool_):
        hidden = (hidden,)
    try:
        sizes = tuple(hidden)
    except TypeError:
        fail(hidden, "hidden", owner, allowed=allowed, exc=TypeError)
    if not sizes or not all(isinstance(h, numbers.Integral) and not isinstance(h, bool | np.bool_)
                            and 1 <= h <= MAX_COUNT for h in sizes):
        fail(hidden, "hidden", owner, allowed=allowed)
    return tuple(int(h) for h in sizes)
