r"""Sharpness of a PyTorch model: the top Hessian eigenvalue from Hessian-vector products.

.. math:: S(\theta) = \lambda_{\max}\bigl(\nabla^2 f(\theta)\bigr),\qquad
          f(\theta) = \sum_b \frac{n_b}{N}\,\ell_b(\theta)

(the full-data loss: batch losses weighted by batch size, exact for mean-reduced losses).
Gradient descent is stable near :math:`\theta` only for :math:`\eta < 2/S`.

A Hessian-vector product costs about two gradients, by double backpropagation
(Pearlmutter's trick in autograd form):

.. math:: H v = \nabla_\theta \bigl(\nabla_\theta f(\theta)^\top v\bigr)

``torch.autograd.grad(loss, params, create_graph=True)`` gives :math:`\nabla f` with its
graph, a second ``torch.autograd.grad`` of :math:`\nabla f^\top v` gives :math:`Hv`. The
eigenvalue comes from lrlab's own solvers (:mod:`lrlab.sharpness`): Lanczos
(``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``) with power iteration as fallback, or
the dense Hessian for up to 32 parameters. The model runs in eval mode (dropout off, batch
norm on its running statistics: a fixed function) and is restored afterwards.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

import numpy as np
import torch

from .._validation import MAX_COUNT, check_choice, check_int, check_real, fail
from ..sharpness import DENSE_MAX_DIM, _eigsh, _power
from ._inputs import Setup, batch_size_of, setup, to_device
from ._state import preserved

__all__ = ["hvp", "sharpness"]


class _Curvature:
    """Full-data Hessian-vector products of one model on a fixed list of batches."""

    def __init__(self, spec: Setup, loader: Any, max_batches: int | None):
        self.spec = spec
        self.batches = [to_device(b, spec.device) for b in islice(loader, max_batches)]
        if not self.batches:
            raise ValueError(f"{spec.owner}: the loader yielded no batch.")
        sizes = np.array([batch_size_of(b) for b in self.batches], dtype=float)
        self.weights = (sizes / sizes.sum()).tolist()
        self.shapes = [p.shape for p in spec.params]
        self.sizes = [p.numel() for p in spec.params]

    def product(self, vs: list[torch.Tensor]) -> list[torch.Tensor]:
        params = self.spec.params
        out = [torch.zeros_like(p) for p in params]
        for batch, w in zip(self.batches, self.weights, strict=True):
            loss = self.spec.loss(batch)
            grads = torch.autograd.grad(loss, params, create_graph=True, allow_unused=True)
            dot = sum((g * v).sum() for g, v in zip(grads, vs, strict=True) if g is not None)
            if not isinstance(dot, torch.Tensor) or not dot.requires_grad:
                continue   # the loss is linear in every parameter here: H = 0
            hv = torch.autograd.grad(dot, params, allow_unused=True)
            for o, h in zip(out, hv, strict=True):
                if h is not None:
                    o.add_(h.detach(), alpha=w)
        return out

    def matvec(self, v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float).reshape(-1)
        parts = np.split(v, np.cumsum(self.sizes)[:-1])
        vs = [torch.as_tensor(part.reshape(shape), dtype=p.dtype, device=p.device)
              for part, shape, p in zip(parts, self.shapes, self.spec.params, strict=True)]
        hv = self.product(vs)
        return torch.cat([h.reshape(-1).to(torch.float64) for h in hv]).cpu().numpy()


def hvp(model: Any, loss_fn: Any = None, loader: Any = None, vector: Any = None, *,
        max_batches: int | None = None, forward: Any = None) -> list[torch.Tensor]:
    """Hessian-vector product of the full-data loss, one tensor per trainable parameter.

    Parameters
    ----------
    model, loss_fn, loader, forward
        As for :func:`lrlab.torch.lr_range_test`.
    vector : list of Tensor
        One tensor per trainable parameter, shaped like it (``model.parameters()`` order).
    max_batches : int, optional
        Use only the first batches of the loader.

    Returns
    -------
    list of Tensor
        :math:`Hv`, shaped like the parameters.

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(2, 1, bias=False)
    >>> X = torch.tensor([[1.0, 0.0], [0.0, 2.0]]); y = torch.zeros(2, 1)
    >>> loss = lambda out, target: 0.5 * ((out - target) ** 2).sum()   # H = X^T X
    >>> hvp(net, loss, [(X, y)], [torch.tensor([[1.0, 1.0]])])[0]
    tensor([[1., 4.]])
    """
    owner = "lrlab.torch.hvp"
    spec = setup(model, loss_fn, loader, forward=forward, owner=owner)
    max_batches = check_int(max_batches, "max_batches", owner, low=1, high=MAX_COUNT,
                            allow_none=True)
    if not isinstance(vector, list | tuple) or len(vector) != len(spec.params) or any(
            not isinstance(v, torch.Tensor) or v.shape != p.shape
            for v, p in zip(vector, spec.params, strict=False)):
        fail(vector, "vector", owner,
             allowed=f"a list of {len(spec.params)} tensors shaped like the "
                     f"trainable parameters {[tuple(p.shape) for p in spec.params]}",
             exc=TypeError)
    with preserved(spec.model, None, [loader]):
        spec.model.eval()
        curv = _Curvature(spec, loader, max_batches)
        vs = [v.to(device=p.device, dtype=p.dtype) for v, p in zip(vector, spec.params,
                                                                     strict=True)]
        return curv.product(vs)


def sharpness(model: Any, loss_fn: Any = None, loader: Any = None, *, method: str = "auto",
              tol: float | None = None, maxiter: int | None = None, seed: int = 0,
              max_batches: int | None = None, forward: Any = None) -> float:
    r"""Largest eigenvalue of the Hessian of the full-data loss at the model's current weights.

    Parameters
    ----------
    model, loss_fn, loader, forward
        As for :func:`lrlab.torch.lr_range_test`.
    method : {'auto', 'eigsh', 'power', 'dense'}
        As for :func:`lrlab.sharpness.sharpness`: dense up to 32 parameters, else Lanczos
        with power iteration as fallback.
    tol : float > 0, optional
        Relative tolerance: 1e-10 for float64 models, 1e-5 otherwise (the products of a
        float32 model are only good to about 1e-6).
    maxiter : int, optional
        Iteration cap of the iterative methods.
    seed : int
        Seed of the random start vector.
    max_batches : int, optional
        Use only the first batches of the loader (the products loop over all of them).

    Returns
    -------
    float

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(2, 1, bias=False)
    >>> X = torch.tensor([[1.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    >>> net = net.double()
    >>> loss = lambda out, target: 0.5 * ((out - target) ** 2).sum()   # H = X^T X = diag(1, 9)
    >>> round(sharpness(net, loss, [(X, torch.zeros(2, 1, dtype=torch.float64))]), 10)
    9.0
    """
    owner = "lrlab.torch.sharpness"
    spec = setup(model, loss_fn, loader, forward=forward, owner=owner)
    method = check_choice(method, "method", owner, ("auto", "eigsh", "power", "dense"))
    if tol is None:
        tol = 1e-10 if spec.params[0].dtype == torch.float64 else 1e-5
    tol = check_real(tol, "tol", owner, low=0, low_open=True)
    maxiter = check_int(maxiter, "maxiter", owner, low=1, allow_none=True)
    seed = check_int(seed, "seed", owner, low=0)
    max_batches = check_int(max_batches, "max_batches", owner, low=1, high=MAX_COUNT,
                            allow_none=True)
    with preserved(spec.model, None, [loader]), np.errstate(all="ignore"):
        spec.model.eval()
        curv = _Curvature(spec, loader, max_batches)
        dim = spec.dim
        if method == "dense" or (method == "auto" and dim <= DENSE_MAX_DIM) or dim == 1:
            H = np.stack([curv.matvec(e) for e in np.eye(dim)], axis=-1)
            return float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])
        v0 = np.random.default_rng(seed).standard_normal(dim)
        if method in ("eigsh", "auto"):
            try:
                return _eigsh(curv.matvec, dim, tol, maxiter, v0)
            except Exception as err:
                if method == "eigsh" or type(err).__name__ not in (
                        "ArpackNoConvergence", "ArpackError"):
                    raise
        cap = maxiter if maxiter is not None else min(100 * dim, 10_000)
        return _power(curv.matvec, v0, tol, cap)
