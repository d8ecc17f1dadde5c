"""The Problem protocol: anything with parameters, a loss and a gradient.

Every problem in lrlab (analytic surfaces in :mod:`lrlab.surfaces`, data
problems in :mod:`lrlab.models`) subclasses :class:`Problem`. One convention
makes everything vectorise: ``theta`` may carry leading batch dimensions,
shape ``(..., dim)``; then ``loss`` returns shape ``(...)`` and ``grad``
shape ``(..., dim)``. One call can therefore evaluate 256 learning rates (or
start points) at once.

Stochastic gradients go through a *batch* object. The trainer asks the
problem for one with :meth:`Problem.sample_batch` at each step and passes it
to ``loss`` and ``grad``:

* data problems return an index array into their samples (a minibatch);
* analytic surfaces with ``noise > 0`` return a standard-normal vector ``z``
  and add ``noise / sqrt(batch_size) * z`` to the gradient, which mimics the
  gradient noise of minibatch SGD (the loss itself stays exact).

All runs in a batched call share the batch, so a batched run equals the
separate runs made with the same seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int, check_theta, fail

__all__ = ["FunctionProblem", "Problem", "check_problem"]

# Reductions over the last axis that problems' losses and the rules' step sizes compute
# thousands of times per run: the same bits as ``np.einsum("...i,...i->...", a, b)`` and
# ``np.mean(v, axis=-1)``, without their Python-level dispatch (a few microseconds a call,
# most of a call on a line search's small trial points).

try:  # what np.einsum calls when not asked to optimize, without its Python-level dispatch
    from numpy._core.multiarray import c_einsum as _einsum
except ImportError:  # another numpy layout: the public function, the same numbers
    _einsum = np.einsum


def dot_last(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum(a * b, axis=-1)`` as ``np.einsum("...i,...i->...", a, b)`` computes it.

    >>> float(dot_last(np.array([1.0, 2.0]), np.array([3.0, 4.0])))
    11.0
    """
    return _einsum("...i,...i->...", a, b)


def mean_last(v: np.ndarray) -> np.ndarray:
    """``np.mean(v, axis=-1)``, the same bits: ``np.add.reduce`` over the axis, then a
    division by its length (what ``np.mean`` does for a float array).

    >>> float(mean_last(np.array([1.0, 2.0, 6.0])))
    3.0
    """
    return np.add.reduce(v, -1) / v.shape[-1]


class Problem:
    """Base class of every lrlab problem.

    Subclasses set the attributes below in ``__init__`` and implement
    :meth:`_loss` and :meth:`_grad` on a validated ``theta`` of shape
    ``(..., dim)``; they may override :meth:`_loss_and_grad`, :meth:`_hessian`
    and :meth:`_hvp` when they can do better than the defaults.

    Attributes
    ----------
    name : str
        Short human-readable name ("Rosenbrock", "MLP 64-10 tanh").
    dim : int
        Number of parameters.
    x0 : ndarray, shape (dim,)
        Default starting point.
    n_samples : int or None
        Number of training samples for data problems; ``None`` for analytic
        surfaces.
    noise : float
        Standard deviation of the added gradient noise of an analytic
        surface at batch size 1 (0 means exact gradients).
    bounds : tuple of (low, high) pairs or None
        Plot window, one pair per coordinate (2-D surfaces).
    minima : ndarray, shape (k, dim), or None
        Known minimisers.
    f_star : float or None
        Known minimum value of the loss.
    smoothness : float or None
        Global Lipschitz constant ``L`` of the gradient, where it exists.
    strong_convexity : float or None
        Global strong-convexity constant ``mu``, where it exists.
    constant_hessian : bool
        The Hessian does not depend on ``theta`` (the loss is quadratic), so
        one Hessian-vector product gives the exact minimiser along any line:
        what :func:`~lrlab.rules.exact_line_search` uses. False by default.
    """

    name: str = "problem"
    dim: int = 0
    x0: np.ndarray
    n_samples: int | None = None
    noise: float = 0.0
    bounds: tuple[tuple[float, float], ...] | None = None
    minima: np.ndarray | None = None
    f_star: float | None = None
    smoothness: float | None = None
    strong_convexity: float | None = None
    constant_hessian: bool = False

    # ---------------------------------------------------------- construction
    @classmethod
    def from_functions(cls, loss: Any, grad: Any = None, x0: Any = None, *, data: Any = None,
                       hvp: Any = None, name: str | None = None,
                       finite_differences: bool = False, **options: Any) -> Problem:
        """A Problem from your own ``loss(theta)`` and ``grad(theta)`` of one vector.

        ``theta`` has shape ``(dim,)``; with ``data=(X, y)`` the functions take a batch's
        rows too, ``loss(theta, X_batch, y_batch)``. lrlab runs many parameter vectors by
        calling them once each (or once for all when they broadcast). ``grad=None`` needs
        ``finite_differences=True`` (central differences: slow). See
        :class:`FunctionProblem` for every option.

        >>> import lrlab
        >>> p = lrlab.Problem.from_functions(lambda w: (w ** 2).sum(), lambda w: 2 * w, [3.0])
        >>> float(lrlab.train(p, lrlab.sgd(0.25), 20).final_loss) < 1e-10
        True
        """
        return FunctionProblem(loss, grad, x0, data=data, hvp=hvp, name=name,
                               finite_differences=finite_differences, **options)

    # ----------------------------------------------------------------- public
    def loss(self, theta: Any, batch: Any = None) -> np.ndarray:
        """Loss at ``theta`` (shape ``(..., dim)``) on ``batch``; shape ``(...)``."""
        return self._loss(self._theta(theta, "loss"), batch)

    def grad(self, theta: Any, batch: Any = None) -> np.ndarray:
        """Gradient at ``theta`` on ``batch``; shape ``(..., dim)``."""
        theta = self._theta(theta, "grad")
        return self._add_noise(self._grad(theta, batch), batch)

    def loss_and_grad(self, theta: Any, batch: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Loss and gradient together (one forward/backward pass for models)."""
        theta = self._theta(theta, "loss_and_grad")
        value, g = self._loss_and_grad(theta, batch)
        return value, self._add_noise(g, batch)

    def hessian(self, theta: Any) -> np.ndarray:
        """Exact Hessian of the (full-data, noise-free) loss; shape ``(..., dim, dim)``."""
        return self._hessian(self._theta(theta, "hessian"))

    def hvp(self, theta: Any, v: Any) -> np.ndarray:
        """Hessian-vector product ``H(theta) @ v`` of the full, noise-free loss."""
        theta = self._theta(theta, "hvp")
        v = check_theta(v, "v", f"{self.name}.hvp", dim=self.dim)
        if not _broadcasts(theta.shape, v.shape):
            fail(v, "v", f"{self.name}.hvp", allowed=f"an array of shape (..., {self.dim}) "
                 f"that broadcasts against theta's shape {theta.shape}")
        return self._hvp(theta, v)

    def sample_batch(self, rng: np.random.Generator, batch_size: int | None) -> Any:
        """Draw the batch used for one stochastic step (``None`` means exact).

        Data problems draw ``batch_size`` indices without replacement; noisy
        surfaces draw a standard-normal vector of shape ``(dim,)`` and remember
        the batch size, so the noise scales as ``noise / sqrt(batch_size)``.
        """
        if batch_size is not None:
            check_int(batch_size, "batch_size", f"{self.name}.sample_batch", low=1,
                      high=self.n_samples)
        return self._sample_batch(rng, batch_size)

    def _sample_batch(self, rng: np.random.Generator, batch_size: int | None) -> Any:
        """:meth:`sample_batch` without the argument check (the trainer's hot loop)."""
        if batch_size is None:
            if self.noise > 0:
                return _NoiseBatch(rng.standard_normal(self.dim), 1)
            return None
        if self.n_samples is not None:
            return rng.choice(self.n_samples, size=batch_size, replace=False)
        if self.noise > 0:
            return _NoiseBatch(rng.standard_normal(self.dim), batch_size)
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} dim={self.dim}>"

    # -------------------------------------------------------------- internals
    def _theta(self, theta: Any, method: str) -> np.ndarray:
        return check_theta(theta, "theta", f"{self.name}.{method}", dim=self.dim)

    def _add_noise(self, g: np.ndarray, batch: Any) -> np.ndarray:
        if isinstance(batch, _NoiseBatch) and self.noise > 0:
            return g + (self.noise / np.sqrt(batch.size)) * batch.z
        return g

    def _loss(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        raise NotImplementedError

    def _grad(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        raise NotImplementedError

    def _loss_and_grad(self, theta: np.ndarray, batch: Any) -> tuple[np.ndarray, np.ndarray]:
        return self._loss(theta, batch), self._grad(theta, batch)

    def _hessian(self, theta: np.ndarray) -> np.ndarray:
        """Default: the Hessian assembled column by column from :meth:`_hvp`,
        symmetrised (a finite-difference ``_hvp`` leaves asymmetries of its own
        error size, and every Hessian is symmetric)."""
        eye = np.eye(self.dim)
        cols = [self._hvp(theta, np.broadcast_to(e, theta.shape)) for e in eye]
        H = np.stack(cols, axis=-1)
        return 0.5 * (H + np.swapaxes(H, -1, -2))

    def _hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        """Default: exact when :meth:`_hessian` is overridden, else central differences.

        The finite-difference fallback uses ``eps = 1e-5 * (1 + |theta|)/|v|``
        and is accurate to about 1e-7 relative; problems that can, override it.
        """
        if type(self)._hessian is not Problem._hessian:
            return np.einsum("...ij,...j->...i", self._hessian(theta), v)
        vnorm = np.linalg.norm(v, axis=-1, keepdims=True)
        scale = 1e-5 * (1.0 + np.linalg.norm(theta, axis=-1, keepdims=True))
        eps = np.where(vnorm > 0, scale / np.where(vnorm > 0, vnorm, 1.0), 0.0)
        gp = self._grad(theta + eps * v, None)
        gm = self._grad(theta - eps * v, None)
        return np.where(eps > 0, (gp - gm) / (2 * np.where(eps > 0, eps, 1.0)), 0.0)


class FunctionProblem(Problem):
    """A Problem made of the learner's own functions of one parameter vector.

    Built by :meth:`Problem.from_functions`; the calls, checks, batching and finite
    differences are :class:`lrlab.models.functions.UserFunctions`' (its docstring has the
    details).

    Parameters
    ----------
    loss, grad, x0, data, hvp, name, finite_differences, vectorized
        As for :class:`~lrlab.models.functions.UserFunctions`: ``loss(theta[, *batch])``
        and ``grad(theta[, *batch])`` of ``theta`` of shape ``(dim,)``, the start ``x0``,
        the data arrays whose rows make the minibatches, an optional ``hvp(theta, v[,
        *data])``.
    f_star, smoothness : float, optional
        The minimum of the loss and the Lipschitz constant of its gradient, when known
        (they sharpen :func:`lrlab.diagnose` and :func:`lrlab.advise`).
    blocks : dict of str to slice, optional
        Named parameter blocks (``{'W1': slice(0, 12), ...}``): :func:`lrlab.check_grad`
        and :func:`lrlab.diagnostics.update_ratio` report per block.
    """

    def __init__(self, loss: Any, grad: Any = None, x0: Any = None, *, data: Any = None,
                 hvp: Any = None, name: str | None = None, finite_differences: bool = False,
                 vectorized: bool | str = "auto", f_star: float | None = None,
                 smoothness: float | None = None, blocks: dict | None = None):
        from .models.functions import UserFunctions

        owner = "Problem.from_functions"
        self.functions = fns = UserFunctions(
            loss, grad, x0, data=data, hvp=hvp, name=name,
            finite_differences=finite_differences, vectorized=vectorized, owner=owner)
        self.name, self.dim, self.x0, self.n_samples = fns.name, fns.dim, fns.x0, fns.n_samples
        self.f_star, self.smoothness = f_star, smoothness
        if blocks is not None:
            if not isinstance(blocks, dict):
                from ._validation import fail

                fail(blocks, "blocks", owner, allowed="a dict of block name -> slice",
                     exc=TypeError)
            self.param_slices = self.layer_slices = dict(blocks)

    @property
    def vectorized(self) -> bool:
        """Whether the functions are called once for all parameter vectors."""
        return self.functions.vectorized

    @property
    def finite_differences(self) -> bool:
        """Whether the gradient is estimated by central differences."""
        return self.functions.finite_differences

    def _loss(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        return self.functions.loss(theta, batch)

    def _grad(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        return self.functions.grad(theta, batch)

    def _hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        if self.functions.has_hvp:
            return self.functions.hvp(theta, v)
        return super()._hvp(theta, v)

    def __repr__(self) -> str:
        return f"<FunctionProblem {self.functions.describe()}>"


class _NoiseBatch:
    """The batch of a noisy analytic surface: a normal draw and a batch size."""

    __slots__ = ("size", "z")

    def __init__(self, z: np.ndarray, size: int):
        self.z = z
        self.size = size


def _broadcasts(*shapes: tuple) -> bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def check_problem(problem: Any, owner: str, name: str = "problem") -> Problem:
    """``problem`` if it is a :class:`Problem`, else a TypeError naming the wrapper to use.

    >>> class Mine:
    ...     def loss(self, w): return w @ w
    ...     def grad(self, w): return 2 * w
    >>> check_problem(Mine(), "train")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: The 'problem' parameter of train must be an lrlab Problem. ... It has loss and
    grad methods: wrap them with lrlab.Problem.from_functions(obj.loss, obj.grad, x0).
    """
    if isinstance(problem, Problem):
        return problem
    from ._validation import _short

    text = (f"The {name!r} parameter of {owner} must be an lrlab Problem. Got "
            f"{_short(problem)} instead.")
    if callable(getattr(problem, "loss", None)) and callable(getattr(problem, "grad", None)):
        text += (" It has loss and grad methods: wrap them with "
                 "lrlab.Problem.from_functions(obj.loss, obj.grad, x0).")
    else:
        text += (" For your own functions of one parameter vector use "
                 "lrlab.Problem.from_functions(loss, grad, x0).")
    raise TypeError(text)
