r"""Quadratic bowls: the surface whose eigenvalues set every rate.

:class:`Quadratic` is ``f(x) = 1/2 (x - c)^T A (x - c)`` with exact gradient,
Hessian, ``L = lambda_max`` and ``mu = lambda_min``; :func:`quadratic`,
:func:`ill_conditioned` and :func:`parabola` build one from its eigenvalues.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_array, check_int, check_real, fail, real_array
from .base import Surface, check_vector

__all__ = ["Quadratic", "ill_conditioned", "parabola", "quadratic"]


class Quadratic(Surface):
    r"""The quadratic bowl ``f(theta) = 1/2 (theta - c)^T A (theta - c)``.

    Parameters
    ----------
    A : array of shape (dim, dim)
        Symmetric positive definite matrix (the Hessian).
    center : array of shape (dim,), optional
        The minimiser ``c``; the origin by default.
    x0 : array of shape (dim,), optional
        Start point; ``center + (1, ..., 1)`` by default.
    name : str
        Display name.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Attributes
    ----------
    A, center : ndarray
    eigenvalues : ndarray, shape (dim,)
        Eigenvalues of ``A``, ascending.
    eigenvectors : ndarray, shape (dim, dim)
        Orthonormal eigenvectors (columns), same order.
    condition_number : float
        ``kappa = L / mu``.

    Notes
    -----
    .. math:: f(\theta) = \tfrac12 (\theta - c)^\top A (\theta - c), \quad
              \nabla f = A (\theta - c), \quad \nabla^2 f = A

    ``L`` is the largest eigenvalue of ``A``, ``mu`` the smallest and
    ``f_star = 0`` at ``c``. Gradient descent with rate ``lr`` multiplies the
    error along eigenvector ``i`` by ``1 - lr lambda_i`` per step: it converges
    iff ``lr < 2 / L``, and ``lr = 2 / (mu + L)`` gives the best worst-case
    factor ``(kappa - 1) / (kappa + 1)``.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, Optimization Software, 1987,
    chapter 1. Y. Nesterov, *Introductory Lectures on Convex Optimization*,
    Kluwer, 2004, section 2.1.

    Examples
    --------
    >>> bowl = Quadratic([[2.0, 0.0], [0.0, 8.0]], center=[1.0, -1.0])
    >>> bowl.smoothness, bowl.strong_convexity, bowl.condition_number
    (8.0, 2.0, 4.0)
    >>> bowl.grad([[1.0, -1.0], [2.0, -1.0]])
    array([[0., 0.],
           [2., 0.]])
    """

    constant_hessian = True

    def __init__(self, A: Any, center: Any = None, x0: Any = None, name: str = "quadratic", *,
                 noise: float = 0.0):
        A = check_array(A, "A", "Quadratic", ndim=2)
        if A.shape[0] != A.shape[1] or A.shape[0] == 0:
            fail(A, "A", "Quadratic", allowed="a non-empty square matrix")
        scale = max(float(np.max(np.abs(A))), 1e-300)
        if not np.allclose(A, A.T, rtol=0.0, atol=1e-12 * scale):
            fail(A, "A", "Quadratic", allowed="a symmetric matrix")
        A = 0.5 * (A + A.T)
        eig, vec = np.linalg.eigh(A)
        if eig[0] <= 0:
            fail(A, "A", "Quadratic", allowed="positive definite (its smallest eigenvalue is "
                 f"{eig[0]:.3g})")
        self._init("Quadratic", A, eig, vec, center, x0, None, name, noise)

    def _init(self, owner, A, eig, vec, center, x0, default_x0, name, noise, formula=None):
        dim = A.shape[0]
        self.A = A
        self.eigenvalues = np.asarray(eig, dtype=float)
        self.eigenvectors = vec
        self.center = np.zeros(dim) if center is None else check_vector(center, "center",
                                                                          owner, dim)
        if default_x0 is None:
            default_x0 = self.center + 1.0
        reach = float(np.max(np.abs(check_vector(default_x0 if x0 is None else x0, "x0", owner,
                                                 dim) - self.center)))
        r = 1.5 * max(reach, 1.0)
        self._setup(owner=owner, name=name, dim=dim, x0=x0, default_x0=default_x0, noise=noise,
                    bounds=[(c - r, c + r) for c in self.center], minima=self.center[None, :],
                    f_star=0.0, smoothness=self.eigenvalues.max(),
                    strong_convexity=self.eigenvalues.min(),
                    formula=formula or r"\tfrac12 (\theta - c)^\top A\, (\theta - c)")
        self.condition_number = self.smoothness / self.strong_convexity

    def _loss(self, theta, batch):
        d = theta - self.center
        return 0.5 * np.einsum("...i,...i->...", d, d @ self.A)

    def _grad(self, theta, batch):
        return (theta - self.center) @ self.A

    def _loss_and_grad(self, theta, batch):
        d = theta - self.center
        g = d @ self.A
        return 0.5 * np.einsum("...i,...i->...", d, g), g

    def _hessian(self, theta):
        return np.broadcast_to(self.A, (*theta.shape[:-1], self.dim, self.dim)).copy()

    def _hvp(self, theta, v):
        return np.broadcast_to(v, np.broadcast_shapes(theta.shape, v.shape)) @ self.A


def _from_eigen(owner, eig, Q, center, x0, name, noise, formula=None) -> Quadratic:
    bowl = Quadratic.__new__(Quadratic)
    A = (Q * eig) @ Q.T
    A = 0.5 * (A + A.T)
    center_v = np.zeros(len(eig)) if center is None else check_vector(center, "center", owner,
                                                                       len(eig))
    default_x0 = center_v + Q @ np.ones(len(eig))
    bowl._init(owner, A, eig, Q, center_v, x0, default_x0, name, noise, formula)
    return bowl


def _rotation(rotation: Any, dim: int, owner: str) -> np.ndarray:
    """The orthogonal matrix described by ``rotation`` (see :func:`quadratic`)."""
    allowed = ("None, an angle in radians (float, 2-D only), an int seed, a "
               f"numpy Generator or an orthogonal ({dim}, {dim}) matrix")
    if rotation is None:
        return np.eye(dim)
    if isinstance(rotation, bool | np.bool_):
        fail(rotation, "rotation", owner, allowed=allowed, exc=TypeError)
    if isinstance(rotation, numbers.Integral | np.random.Generator):
        if isinstance(rotation, numbers.Integral) and rotation < 0:
            fail(rotation, "rotation", owner, allowed=allowed + " (seeds are >= 0)")
        rng = np.random.default_rng(rotation)
        Q, R = np.linalg.qr(rng.standard_normal((dim, dim)))
        Q = Q * np.sign(np.diag(R))  # Haar-distributed (Mezzadri 2007) ...
        if np.linalg.det(Q) < 0:     # ... and a rotation, not a reflection
            Q[:, 0] = -Q[:, 0]
        return Q
    if isinstance(rotation, numbers.Real):
        angle = check_real(rotation, "rotation", owner)
        if dim != 2:
            fail(rotation, "rotation", owner,
                 allowed=f"{allowed}; an angle needs dim=2, not dim={dim}")
        c, s = np.cos(angle), np.sin(angle)
        return np.array([[c, -s], [s, c]])
    try:
        Q = np.asarray(rotation, dtype=float)
    except (TypeError, ValueError):
        fail(rotation, "rotation", owner, allowed=allowed, exc=TypeError)
    orthogonal = (Q.shape == (dim, dim) and np.all(np.isfinite(Q))
                  and np.allclose(Q.T @ Q, np.eye(dim), rtol=0.0, atol=1e-10))
    if not orthogonal:
        fail(Q, "rotation", owner, allowed=f"an orthogonal ({dim}, {dim}) matrix (Q^T Q = I)")
    return Q


def quadratic(eigenvalues: Any = (1.0, 10.0), x0: Any = None, rotation: Any = None, *,
              center: Any = None, noise: float = 0.0, name: str = "quadratic") -> Quadratic:
    r"""A quadratic bowl with the given eigenvalues (curvatures), optionally rotated.

    Parameters
    ----------
    eigenvalues : array of shape (dim,), all > 0
        Curvatures along the principal axes; ``L = max``, ``mu = min``.
    x0 : array of shape (dim,), optional
        Start point; ``center + Q (1, ..., 1)`` (one unit along every
        principal axis) by default, i.e. ``(1, ..., 1)`` without rotation.
    rotation : None, float, int, Generator or array
        Principal axes ``Q`` (columns): ``None`` the coordinate axes; a float
        the angle in radians of a 2-D rotation; an int seed (or a numpy
        ``Generator``) a random rotation, uniform over ``SO(dim)``; an
        orthogonal matrix itself. Gradient descent does not care about
        rotation, coordinate-wise rules (Adagrad, Adam) do.
    center : array of shape (dim,), optional
        The minimiser; the origin by default.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.
    name : str
        Display name.

    Returns
    -------
    Quadratic

    Notes
    -----
    .. math:: f(\theta) = \tfrac12 (\theta - c)^\top Q \Lambda Q^\top (\theta - c),
              \quad \Lambda = \operatorname{diag}(\lambda_1, \dots, \lambda_n)

    Examples
    --------
    >>> bowl = quadratic([1.0, 10.0])
    >>> bowl.x0, float(bowl.loss(bowl.x0)), bowl.smoothness
    (array([1., 1.]), 5.5, 10.0)
    >>> tilted = quadratic([1.0, 10.0], rotation=np.pi / 4)
    >>> tilted.A.round(6)
    array([[ 5.5, -4.5],
           [-4.5,  5.5]])
    """
    owner = "quadratic"
    real_array(eigenvalues, "eigenvalues", owner, allowed="a 1-D array of floats > 0")  # bools
    eig = check_array(eigenvalues, "eigenvalues", owner, ndim=1)
    if eig.size == 0 or np.any(eig <= 0):
        fail(eigenvalues, "eigenvalues", owner,
             allowed="a non-empty 1-D array of finite floats > 0")
    Q = _rotation(rotation, eig.size, owner)
    return _from_eigen(owner, eig, Q, center, x0, name, noise)


def ill_conditioned(kappa: float = 10.0, dim: int = 2, angle: float = np.pi / 6,
                    x0: Any = None, *, smoothness: float = 1.0, center: Any = None,
                    noise: float = 0.0) -> Quadratic:
    r"""A tilted quadratic valley with condition number ``kappa`` and largest curvature ``L``.

    Parameters
    ----------
    kappa : float >= 1
        Condition number ``L / mu``.
    dim : int >= 2
        Number of coordinates; the eigenvalues are spaced geometrically from
        ``L / kappa`` to ``L``.
    angle : float
        Tilt in radians: the principal axes are rotated by ``angle`` in the
        plane of the first and last coordinates (the flattest and steepest
        directions). ``0`` aligns the valley with the axes.
    x0 : array of shape (dim,), optional
        Start point; ``center`` plus one unit along every principal axis.
    smoothness : float > 0
        ``L``, the largest eigenvalue (fixed while ``kappa`` varies, so the
        stability limit ``lr < 2 / L`` stays put while convergence slows).
    center : array of shape (dim,), optional
        The minimiser; the origin by default.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Quadratic

    Notes
    -----
    .. math:: \lambda_i = L\,\kappa^{\,i/(n-1) - 1}, \quad i = 0, \dots, n - 1

    With ``lr = 1 / L`` the error along the flattest axis shrinks by
    ``1 - 1/kappa`` per step: about ``kappa`` steps per e-fold.

    Examples
    --------
    >>> valley = ill_conditioned(100.0)
    >>> valley.eigenvalues, valley.condition_number
    (array([0.01, 1.  ]), 100.0)
    """
    owner = "ill_conditioned"
    kappa = check_real(kappa, "kappa", owner, low=1)
    dim = check_int(dim, "dim", owner, low=2, high=MAX_COUNT)
    angle = check_real(angle, "angle", owner)
    L = check_real(smoothness, "smoothness", owner, low=0, low_open=True)
    eig = L * kappa ** (np.arange(dim) / (dim - 1) - 1.0)
    eig[-1] = L
    Q = np.eye(dim)
    c, s = np.cos(angle), np.sin(angle)
    Q[0, 0], Q[0, -1], Q[-1, 0], Q[-1, -1] = c, -s, s, c
    return _from_eigen(owner, eig, Q, center, x0, f"ill-conditioned quadratic (kappa={kappa:g})",
                       noise)


def parabola(curvature: float = 1.0, x0: Any = None, *, center: float = 0.0,
             noise: float = 0.0) -> Quadratic:
    r"""The 1-D parabola ``f(x) = k (x - c)^2 / 2``: the simplest place to see ``lr < 2 / k``.

    Parameters
    ----------
    curvature : float > 0
        ``k = f''``; ``L = mu = k``.
    x0 : float or array of shape (1,), optional
        Start point; ``c + 1`` by default.
    center : float
        The minimiser ``c``.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Quadratic

    Notes
    -----
    .. math:: f(x) = \tfrac{k}{2} (x - c)^2, \qquad
              x_{t+1} - c = (1 - \eta k)\,(x_t - c)

    so gradient descent converges iff :math:`0 < \eta < 2/k`, monotonically
    below :math:`1/k` (in one step at :math:`\eta = 1/k`) and oscillating
    above it.

    Examples
    --------
    >>> f = parabola(4.0, x0=2.0)
    >>> float(f.loss(f.x0)), f.grad([[0.0], [1.0]]).ravel()
    (8.0, array([0., 4.]))
    """
    owner = "parabola"
    k = check_real(curvature, "curvature", owner, low=0, low_open=True)
    c = check_real(center, "center", owner)
    x0 = check_vector(x0, "x0", owner, 1) if x0 is not None else None
    return _from_eigen(owner, np.array([k]), np.eye(1), [c], x0, "parabola", noise,
                       formula=rf"\tfrac{{{k:g}}}{{2}} (x - {c:g})^2")
