r"""Your own functions as an lrlab Problem: what ``lrlab.Problem.from_functions`` builds on.

A learner writes the loss and gradient of *one* parameter vector of shape ``(dim,)``;
lrlab's tools need a :class:`~lrlab.Problem`, which evaluates many parameter vectors at once
(``(..., dim)``: one run per learning rate) and draws minibatches. The wrapper bridges the
two:

* **batched runs**: it calls the functions once per parameter vector, or once for all of
  them when they already broadcast over leading dimensions (checked on two points at
  construction: the batched answer must equal the one-at-a-time answers to 1e-12);
* **minibatches**: with ``data=(X, y)`` (or any arrays sharing their first dimension) the
  functions take the batch's rows after ``theta``: ``loss(theta, X_batch, y_batch)``;
  ``batch_size=None`` in :func:`lrlab.train` passes all the rows;
* **what is missing**: ``grad=None`` is refused unless ``finite_differences=True``, which
  estimates the gradient by central differences, :math:`2\,\mathrm{dim}` loss evaluations
  per gradient (the repr says so);
* **bad answers**: a loss that is not one number, a gradient not shaped like ``theta``, or
  ``loss(x0)`` not finite are errors naming the function; a loss that turns NaN *during*
  training is a diverged run (the trainer's result), not an error.

>>> import numpy as np, lrlab
>>> A = np.diag([1.0, 10.0])
>>> bowl = lrlab.Problem.from_functions(lambda w: 0.5 * w @ A @ w, lambda w: A @ w, [1.0, 1.0])
>>> bowl
<FunctionProblem '<lambda>' dim=2: your loss and grad, one parameter vector per call>

:class:`UserFunctions` does the work (calls, checks, batching, finite differences);
:class:`lrlab.problem.FunctionProblem`, the Problem itself, delegates to it (it lives beside
:class:`~lrlab.Problem` so that ``Problem.from_functions`` needs no import cycle).
>>> lrlab.train(bowl, lrlab.sgd([0.05, 0.25]), 100).status()
array(['finished', 'diverged'], dtype='<U8')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_bool, check_choice, fail, real_array
from ..datasets.base import Dataset

__all__ = ["UserFunctions"]

#: Relative step of the finite-difference gradient (central differences).
FD_STEP = 1e-5


class UserFunctions:
    """The learner's own functions of one parameter vector, called the way a Problem needs.

    :class:`lrlab.problem.FunctionProblem` (built by :meth:`lrlab.Problem.from_functions`,
    same arguments) delegates its loss, gradient and Hessian-vector product to this.

    Parameters
    ----------
    loss : callable
        ``loss(theta) -> float`` for ``theta`` of shape ``(dim,)``; with ``data``,
        ``loss(theta, *batch)``, e.g. ``loss(theta, X_batch, y_batch)``: the mean loss over
        the rows it is given.
    grad : callable, optional
        ``grad(theta[, *batch]) -> array of shape (dim,)``, the gradient of ``loss``.
        Required unless ``finite_differences=True``.
    x0 : array of shape (dim,)
        The starting point; its length is the problem's ``dim``.
    data : (X, y), array, tuple of arrays or Dataset, optional
        Training data: arrays sharing their first dimension (the samples). Minibatches
        are rows of every array.
    hvp : callable, optional
        ``hvp(theta, v[, *data]) -> H(theta) v`` of the full-data loss (for sharpness);
        by default central differences of ``grad``.
    name : str, optional
        Shown in reports (default: the loss function's name).
    finite_differences : bool
        Allow ``grad=None``: estimate the gradient by central differences (slow).
    vectorized : {'auto', True, False}
        Whether the functions accept ``theta`` of shape ``(..., dim)``; 'auto' checks.
    owner : str
        Named in error messages.
    """

    def __init__(self, loss: Callable, grad: Callable | None = None, x0: Any = None, *,
                 data: Any = None, hvp: Callable | None = None, name: str | None = None,
                 finite_differences: bool = False, vectorized: bool | str = "auto",
                 owner: str = "Problem.from_functions"):
        if not callable(loss):
            fail(loss, "loss", owner,
                 allowed="a function loss(theta[, *batch]) -> float", exc=TypeError)
        finite_differences = check_bool(finite_differences, "finite_differences", owner)
        if grad is None and not finite_differences:
            raise TypeError(
                f"{owner}: grad is missing. Pass grad=your_gradient(theta) returning an array "
                "shaped like theta, or finite_differences=True to let lrlab estimate it by "
                "central differences (2 * dim loss evaluations per gradient: slow for large "
                "dim, and less accurate).")
        if grad is not None and not callable(grad):
            fail(grad, "grad", owner,
                 allowed="a function grad(theta[, *batch]) -> array of shape (dim,)", exc=TypeError)
        if hvp is not None and not callable(hvp):
            fail(hvp, "hvp", owner,
                 allowed="a function hvp(theta, v[, *data]) -> array", exc=TypeError)
        if x0 is None:
            raise TypeError(f"The 'x0' parameter of {owner} is required: the starting parameter "
                            "vector (its length is the problem's number of parameters).")
        x0 = real_array(x0, "x0", owner, allowed="a non-empty 1-D array of finite floats").copy()
        if name is not None and not isinstance(name, str):
            fail(name, "name", owner, allowed="a str or None", exc=TypeError)
        if x0.ndim != 1 or x0.size == 0 or not np.all(np.isfinite(x0)):
            fail(x0, "x0", owner, allowed="a non-empty 1-D array of finite floats")
        vectorized = check_choice(vectorized, "vectorized", owner, ("auto", True, False))
        self._loss_fn, self._grad_fn, self._hvp_fn = loss, grad, hvp
        self.x0, self.dim = x0, x0.size
        self.name = name if name is not None else getattr(loss, "__name__", "my problem")
        self.finite_differences = grad is None
        self._data = _arrays(data, owner)
        self.n_samples = None if self._data is None else len(self._data[0])
        self._check_at_x0(owner)
        self.vectorized = self._detect() if vectorized == "auto" else bool(vectorized)

    # ------------------------------------------------------------- user calls
    def _rows(self, batch: Any) -> tuple:
        if self._data is None:
            return ()
        if batch is None:
            return self._data
        return tuple(a[batch] for a in self._data)

    def _one_loss(self, theta: np.ndarray, rows: tuple) -> float:
        value = self._loss_fn(theta, *rows)
        if np.ndim(value) != 0:
            raise ValueError(
                f"{self.name}: loss must return one number for theta of shape ({self.dim},); "
                f"it returned an array of shape {np.shape(value)}. Reduce it (e.g. the mean "
                "over the batch).")
        return float(value)

    def _one_grad(self, theta: np.ndarray, rows: tuple) -> np.ndarray:
        if self._grad_fn is None:
            return self._fd_grad(theta, rows)
        g = np.asarray(self._grad_fn(theta, *rows), dtype=float)
        if g.shape != (self.dim,):
            raise ValueError(
                f"{self.name}: grad must return an array of shape ({self.dim},), like theta; "
                f"it returned shape {g.shape}.")
        return g

    def _fd_grad(self, theta: np.ndarray, rows: tuple) -> np.ndarray:
        h = FD_STEP * np.maximum(1.0, np.abs(theta))
        points = np.concatenate([theta + np.diag(h), theta - np.diag(h)])
        values = self._losses(points, rows)
        return (values[: self.dim] - values[self.dim:]) / (2 * h)

    def _losses(self, flat: np.ndarray, rows: tuple) -> np.ndarray:
        """Loss of every row of ``flat`` (shape ``(k, dim)``)."""
        if getattr(self, "vectorized", False):
            out = np.asarray(self._loss_fn(_readonly(flat), *rows), dtype=float)
            if out.shape != (len(flat),):
                raise ValueError(f"{self.name}: the vectorized loss returned shape {out.shape} "
                                 f"for {len(flat)} parameter vectors; pass vectorized=False.")
            return out
        return np.array([self._one_loss(_readonly(t), rows) for t in flat])

    def _grads(self, flat: np.ndarray, rows: tuple) -> np.ndarray:
        if getattr(self, "vectorized", False) and self._grad_fn is not None:
            out = np.asarray(self._grad_fn(_readonly(flat), *rows), dtype=float)
            if out.shape != flat.shape:
                raise ValueError(f"{self.name}: the vectorized grad returned shape {out.shape} "
                                 f"for parameters of shape {flat.shape}; pass "
                                 "vectorized=False.")
            return out
        return np.array([self._one_grad(_readonly(t), rows) for t in flat]).reshape(flat.shape)

    # ------------------------------------------------- what a Problem calls
    def loss(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        """Loss of every vector in ``theta`` (shape ``(..., dim)``) on ``batch``."""
        flat = theta.reshape(-1, self.dim)
        return self._losses(flat, self._rows(batch)).reshape(theta.shape[:-1])

    def grad(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        """Gradient of every vector in ``theta`` on ``batch``; shape ``(..., dim)``."""
        flat = theta.reshape(-1, self.dim)
        return self._grads(flat, self._rows(batch)).reshape(theta.shape)

    @property
    def has_hvp(self) -> bool:
        """Whether the learner gave a Hessian-vector product."""
        return self._hvp_fn is not None

    def hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The learner's ``hvp`` of the full-data loss, for every (theta, v) pair."""
        shape = np.broadcast_shapes(theta.shape, v.shape)
        ts = np.broadcast_to(theta, shape).reshape(-1, self.dim)
        vs = np.broadcast_to(v, shape).reshape(-1, self.dim)
        rows = self._rows(None)
        out = [np.asarray(self._hvp_fn(_readonly(t), _readonly(w), *rows), dtype=float)
               for t, w in zip(ts, vs, strict=True)]
        if any(o.shape != (self.dim,) for o in out):
            raise ValueError(f"{self.name}: hvp must return an array of shape ({self.dim},).")
        return np.array(out).reshape(shape)

    # --------------------------------------------------------------- checks
    def _check_at_x0(self, owner: str) -> None:
        rows = self._rows(None)
        with np.errstate(all="ignore"):
            f0 = self._one_loss(_readonly(self.x0), rows)
            if not np.isfinite(f0):
                raise ValueError(f"{owner}: loss(x0) is {f0}; start where the loss is finite "
                                 "(check x0 and the data).")
            if self._grad_fn is not None:
                g0 = self._one_grad(_readonly(self.x0), rows)
                bad = np.flatnonzero(~np.isfinite(g0))
                if bad.size:
                    raise ValueError(f"{owner}: grad(x0) is not finite at coordinates "
                                     f"{bad[:10].tolist()} although loss(x0) = {f0:.4g}.")

    def _detect(self) -> bool:
        """Do the functions broadcast over leading dimensions? Checked on two points."""
        rows = self._rows(None)
        rng = np.random.default_rng(0)
        pts = self.x0 + 1e-3 * np.maximum(1.0, np.abs(self.x0)) * rng.standard_normal(
            (2, self.dim))
        try:
            with np.errstate(all="ignore"):
                one = np.array([self._one_loss(_readonly(p), rows) for p in pts])
                many = np.asarray(self._loss_fn(_readonly(pts), *rows), dtype=float)
                if many.shape != (2,) or not np.allclose(many, one, rtol=1e-12, atol=0):
                    return False
                if self._grad_fn is not None:
                    g_one = np.array([self._one_grad(_readonly(p), rows) for p in pts])
                    g_many = np.asarray(self._grad_fn(_readonly(pts), *rows), dtype=float)
                    if g_many.shape != pts.shape or not np.allclose(g_many, g_one, rtol=1e-12,
                                                                    atol=1e-300):
                        return False
        except Exception:   # the functions expect one vector: that is fine, we loop
            return False
        return True

    def describe(self) -> str:
        """How the functions are used, for the Problem's repr."""
        how = ("your loss and grad" if not self.finite_differences else
               f"your loss; gradient by central differences ({2 * self.dim} loss evaluations "
               "per gradient: slow)")
        calls = "all parameter vectors in one call" if self.vectorized else \
            "one parameter vector per call"
        data = f", {self.n_samples} samples" if self.n_samples is not None else ""
        return f"{self.name!r} dim={self.dim}{data}: {how}, {calls}"


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only view: a function that writes into theta fails instead of moving the run."""
    view = a.view()
    view.flags.writeable = False
    return view


def _arrays(data: Any, owner: str) -> tuple | None:
    if data is None:
        return None
    if isinstance(data, Dataset):
        data = (data.X, data.y)
    parts = data if isinstance(data, tuple | list) else (data,)
    arrays = []
    for a in parts:
        arr = np.asarray(a)
        if arr.ndim == 0:
            fail(data, "data", owner, allowed="arrays sharing their first dimension (the samples)")
        arrays.append(arr)
    n = len(arrays[0])
    if n == 0 or any(len(a) != n for a in arrays):
        fail(data, "data", owner,
             allowed="non-empty arrays sharing their first dimension (the samples); "
                     f"got lengths {[len(a) for a in arrays]}")
    return tuple(arrays)
