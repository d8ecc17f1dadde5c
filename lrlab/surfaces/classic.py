"""Classic 2-D (and n-D) test functions of optimisation (package-private).

Rosenbrock's valley, Beale's plateau, Himmelblau's four minima and
Rastrigin's egg box, each with its exact gradient and Hessian. Import them
from :mod:`lrlab.surfaces`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_int, check_real
from .base import Surface, matrix_2x2, stack_last

__all__ = ["Beale", "Himmelblau", "Rastrigin", "Rosenbrock", "beale", "himmelblau", "rastrigin",
           "rosenbrock"]


# ------------------------------------------------------------------ Rosenbrock
class Rosenbrock(Surface):
    """Rosenbrock's banana valley; build it with :func:`rosenbrock`."""

    def __init__(self, a: float = 1.0, b: float = 100.0, *, x0: Any = None, noise: float = 0.0):
        owner = "rosenbrock"
        self.a = check_real(a, "a", owner)
        self.b = check_real(b, "b", owner, low=0, low_open=True)
        half = max(2.0, abs(self.a) + 1.0)
        self._setup(owner=owner, name="Rosenbrock", dim=2, x0=x0, default_x0=(-1.2, 1.0),
                    noise=noise, bounds=((-half, half), (-1.0, max(3.0, self.a**2 + 1.0))),
                    minima=[[self.a, self.a**2]], f_star=0.0,
                    formula=rf"({self.a:g} - x)^2 + {self.b:g}\,(y - x^2)^2")

    def _loss(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def _grad(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        r = y - x**2
        return stack_last(-2.0 * (self.a - x) - 4.0 * self.b * x * r, 2.0 * self.b * r)

    def _loss_and_grad(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        d, r = self.a - x, y - x * x
        g = np.empty(theta.shape)
        g[..., 0] = -2.0 * d - 4.0 * self.b * x * r
        g[..., 1] = 2.0 * self.b * r
        return d * d + self.b * r * r, g

    def _hessian(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        b = self.b
        return matrix_2x2(2.0 - 4.0 * b * y + 12.0 * b * x**2, -4.0 * b * x,
                          np.full_like(x, 2.0 * b))


def rosenbrock(a: float = 1.0, b: float = 100.0, *, x0: Any = None,
               noise: float = 0.0) -> Rosenbrock:
    r"""Rosenbrock's function: a curved, narrow valley with one minimum.

    Parameters
    ----------
    a : float
        The minimum sits at ``(a, a^2)``.
    b : float > 0
        Steepness of the valley walls; the valley floor is the parabola
        ``y = x^2``. Large ``b`` makes the problem badly conditioned.
    x0 : array of shape (2,), optional
        Start point; Rosenbrock's own ``(-1.2, 1)`` by default.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Rosenbrock
        ``f_star = 0``; no global smoothness constant (the Hessian grows like
        ``12 b x^2``), so ``smoothness`` is ``None``.

    Notes
    -----
    .. math:: f(x, y) = (a - x)^2 + b\,(y - x^2)^2

    .. math:: \nabla f = \bigl(-2(a - x) - 4bx(y - x^2),\; 2b(y - x^2)\bigr)

    .. math:: \nabla^2 f = \begin{pmatrix} 2 - 4by + 12bx^2 & -4bx \\ -4bx & 2b \end{pmatrix}

    At the minimum the Hessian is ``[[2 + 8 b a^2, -4ab], [-4ab, 2b]]``:
    for ``a=1, b=100`` its eigenvalues are about 0.4 and 1001.6, a condition
    number of about 2500. Gradient descent crawls along the valley floor.

    References
    ----------
    H. H. Rosenbrock, "An automatic method for finding the greatest or least
    value of a function", The Computer Journal 3(3):175-184, 1960.

    Examples
    --------
    >>> f = rosenbrock()
    >>> f.minima, float(f.loss(f.x0))
    (array([[1., 1.]]), 24.2)
    >>> f.grad([1.0, 1.0])
    array([0., 0.])
    """
    return Rosenbrock(a, b, x0=x0, noise=noise)


# ------------------------------------------------------------------------ Beale
_BEALE_C = (1.5, 2.25, 2.625)


class Beale(Surface):
    """Beale's function; build it with :func:`beale`."""

    def __init__(self, *, x0: Any = None, noise: float = 0.0):
        self._setup(owner="beale", name="Beale", dim=2, x0=x0, default_x0=(1.0, 1.5),
                    noise=noise, bounds=((-4.5, 4.5), (-4.5, 4.5)), minima=[[3.0, 0.5]],
                    f_star=0.0, formula=r"\sum_{i=1}^{3} (c_i - x + x y^i)^2,\ "
                    r"c = (1.5,\, 2.25,\, 2.625)")

    def _terms(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return x, y, [(c - x + x * y**i, i) for i, c in enumerate(_BEALE_C, start=1)]

    def _loss(self, theta, batch):
        _, _, terms = self._terms(theta)
        return sum(u**2 for u, _ in terms)

    def _grad(self, theta, batch):
        x, y, terms = self._terms(theta)
        gx = sum(2.0 * u * (y**i - 1.0) for u, i in terms)
        gy = sum(2.0 * u * i * x * y ** (i - 1) for u, i in terms)
        return stack_last(gx, gy)

    def _hessian(self, theta):
        x, y, terms = self._terms(theta)
        hxx = hxy = hyy = 0.0
        for u, i in terms:
            ux, uy = y**i - 1.0, i * x * y ** (i - 1)
            uxy = i * y ** (i - 1)
            uyy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0 * x
            hxx = hxx + 2.0 * ux * ux
            hxy = hxy + 2.0 * (ux * uy + u * uxy)
            hyy = hyy + 2.0 * (uy * uy + u * uyy)
        return matrix_2x2(hxx, hxy, hyy)


def beale(*, x0: Any = None, noise: float = 0.0) -> Beale:
    r"""Beale's function: a flat plateau with steep ridges and one minimum at (3, 0.5).

    Parameters
    ----------
    x0 : array of shape (2,), optional
        Start point; ``(1, 1.5)`` by default (on the plateau side of the
        valley that leads to the minimum).
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Beale
        ``f_star = 0``; ``smoothness`` is ``None`` (the loss is a polynomial
        of degree 8).

    Notes
    -----
    With :math:`c = (1.5, 2.25, 2.625)` and :math:`u_i = c_i - x + x y^i`,

    .. math:: f(x, y) = \sum_{i=1}^{3} u_i^2, \qquad
              \nabla f = \sum_i 2 u_i \bigl(y^i - 1,\; i x y^{i-1}\bigr)

    .. math:: \nabla^2 f = \sum_i 2\,\bigl(\nabla u_i \nabla u_i^\top + u_i \nabla^2 u_i\bigr),
              \quad \nabla^2 u_i = \begin{pmatrix} 0 & i y^{i-1} \\
              i y^{i-1} & i(i-1) x y^{i-2} \end{pmatrix}

    The gradient spans many orders of magnitude inside the usual window
    ``[-4.5, 4.5]^2``: a learning rate good on the plateau explodes on the
    ridges. There is a saddle point at ``(0, 1)``.

    References
    ----------
    E. M. L. Beale, "On an iterative method for finding a local minimum of a
    function of more than one variable", Technical Report 25, Statistical
    Techniques Research Group, Princeton University, 1958.

    Examples
    --------
    >>> f = beale()
    >>> float(f.loss([3.0, 0.5])), f.grad([3.0, 0.5])
    (0.0, array([0., 0.]))
    """
    return Beale(x0=x0, noise=noise)


# ------------------------------------------------------------------- Himmelblau
_HIMMELBLAU_MINIMA = [
    [3.0, 2.0],
    [-2.805118086952745, 3.131312518250573],
    [-3.779310253377747, -3.2831859912861696],
    [3.5844283403304917, -1.8481265269644034],
]


class Himmelblau(Surface):
    """Himmelblau's function; build it with :func:`himmelblau`."""

    def __init__(self, *, x0: Any = None, noise: float = 0.0):
        self._setup(owner="himmelblau", name="Himmelblau", dim=2, x0=x0, default_x0=(0.0, 0.0),
                    noise=noise, bounds=((-5.0, 5.0), (-5.0, 5.0)), minima=_HIMMELBLAU_MINIMA,
                    f_star=0.0, formula=r"(x^2 + y - 11)^2 + (x + y^2 - 7)^2")

    def _loss(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2

    def _grad(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        p, q = x**2 + y - 11.0, x + y**2 - 7.0
        return stack_last(4.0 * x * p + 2.0 * q, 2.0 * p + 4.0 * y * q)

    def _hessian(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        return matrix_2x2(12.0 * x**2 + 4.0 * y - 42.0, 4.0 * (x + y),
                          4.0 * x + 12.0 * y**2 - 26.0)


def himmelblau(*, x0: Any = None, noise: float = 0.0) -> Himmelblau:
    r"""Himmelblau's function: four minima of equal depth, one local maximum, four saddles.

    Which minimum gradient descent reaches depends on the start point *and*
    on the learning rate.

    Parameters
    ----------
    x0 : array of shape (2,), optional
        Start point; the origin by default.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Himmelblau
        ``f_star = 0`` at the four ``minima`` (given to machine precision);
        ``smoothness`` is ``None`` (quartic growth).

    Notes
    -----
    .. math:: f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2

    .. math:: \nabla f = \bigl(4x(x^2 + y - 11) + 2(x + y^2 - 7),\;
              2(x^2 + y - 11) + 4y(x + y^2 - 7)\bigr)

    .. math:: \nabla^2 f = \begin{pmatrix} 12x^2 + 4y - 42 & 4(x + y) \\
              4(x + y) & 4x + 12y^2 - 26 \end{pmatrix}

    References
    ----------
    D. M. Himmelblau, *Applied Nonlinear Programming*, McGraw-Hill, 1972.

    Examples
    --------
    >>> f = himmelblau()
    >>> f.minima.shape, float(f.loss([3.0, 2.0]))
    ((4, 2), 0.0)
    """
    return Himmelblau(x0=x0, noise=noise)


# -------------------------------------------------------------------- Rastrigin
class Rastrigin(Surface):
    """Rastrigin's function; build it with :func:`rastrigin`."""

    def __init__(self, dim: int = 2, A: float = 10.0, *, x0: Any = None, noise: float = 0.0):
        owner = "rastrigin"
        dim = check_int(dim, "dim", owner, low=1, high=MAX_COUNT)
        self.A = check_real(A, "A", owner, low=0)
        self._setup(owner=owner, name="Rastrigin" if dim == 2 else f"Rastrigin ({dim}-D)",
                    dim=dim, x0=x0, default_x0=np.full(dim, 2.3), noise=noise,
                    bounds=((-5.12, 5.12),) * dim, minima=np.zeros((1, dim)), f_star=0.0,
                    smoothness=2.0 + 4.0 * np.pi**2 * self.A,
                    formula=rf"{self.A:g}\,n + \sum_i \bigl(x_i^2 - {self.A:g}\cos(2\pi x_i)\bigr)")

    def _loss(self, theta, batch):
        return self.A * self.dim + np.sum(theta**2 - self.A * np.cos(2 * np.pi * theta), axis=-1)

    def _grad(self, theta, batch):
        return 2.0 * theta + 2.0 * np.pi * self.A * np.sin(2 * np.pi * theta)

    def _curvature(self, theta):
        return 2.0 + 4.0 * np.pi**2 * self.A * np.cos(2 * np.pi * theta)

    def _hessian(self, theta):
        return self._curvature(theta)[..., None] * np.eye(self.dim)

    def _hvp(self, theta, v):
        return self._curvature(theta) * v


def rastrigin(dim: int = 2, A: float = 10.0, *, x0: Any = None,
              noise: float = 0.0) -> Rastrigin:
    r"""Rastrigin's function: a bowl covered in a regular grid of local minima.

    Parameters
    ----------
    dim : int >= 1
        Number of coordinates ``n``.
    A : float >= 0
        Amplitude of the ripples (``A = 0`` leaves the bowl ``|x|^2``).
    x0 : array of shape (dim,), optional
        Start point; ``(2.3, ..., 2.3)`` by default (on a ripple's slope).
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Rastrigin
        Global minimum 0 at the origin; global smoothness
        ``L = 2 + 4 pi^2 A`` (attained at every integer point); not convex
        for ``A > 1 / (2 pi^2)``.

    Notes
    -----
    .. math:: f(x) = A n + \sum_{i=1}^{n} \bigl(x_i^2 - A \cos(2\pi x_i)\bigr)

    .. math:: \partial_i f = 2x_i + 2\pi A \sin(2\pi x_i), \qquad
              \nabla^2 f = \operatorname{diag}\bigl(2 + 4\pi^2 A \cos(2\pi x_i)\bigr)

    References
    ----------
    L. A. Rastrigin, *Systems of Extremal Control*, Nauka, Moscow, 1974
    (2-D). H. Mühlenbein, M. Schomisch and J. Born, "The parallel genetic
    algorithm as function optimizer", Parallel Computing 17:619-632, 1991
    (the n-D form).

    Examples
    --------
    >>> f = rastrigin(dim=3)
    >>> float(f.loss(np.zeros(3))), round(f.smoothness, 2)
    (0.0, 396.78)
    """
    return Rastrigin(dim, A, x0=x0, noise=noise)
