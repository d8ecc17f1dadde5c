"""Landscapes built for one lesson each (package-private).

A sharp-versus-flat double well (a smooth minimum of two parabolas), two
non-quadratic 1-D bowls (log-cosh, quadratic-plus-quartic) and a saddle.
Import them from :mod:`lrlab.surfaces`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_bool, check_choice, check_int, check_real
from .base import Surface, matrix_2x2, stack_last

__all__ = ["Curve1D", "DoubleWell", "Saddle", "curve_1d", "double_well", "saddle"]

# The sharp well sits at x = -1, the flat one at x = +1.
_SHARP_AT, _FLAT_AT = -1.0, 1.0


class DoubleWell(Surface):
    """Two minima of equal depth and different curvature; build it with :func:`double_well`."""

    def __init__(self, sharp_curvature: float = 20.0, flat_curvature: float = 1.0, *,
                 dim: int = 1, y_curvature: float = 1.0, x0: Any = None, noise: float = 0.0):
        owner = "double_well"
        self.sharp_curvature = check_real(sharp_curvature, "sharp_curvature", owner, low=0,
                                          low_open=True)
        self.flat_curvature = check_real(flat_curvature, "flat_curvature", owner, low=0,
                                         low_open=True)
        dim = check_int(dim, "dim", owner, low=1, high=2)
        self.y_curvature = check_real(y_curvature, "y_curvature", owner, low=0, low_open=True)
        ks, kf = self.sharp_curvature, self.flat_curvature
        wells = np.array([[_SHARP_AT], [_FLAT_AT]])
        default_x0 = [-1.5]
        bounds = [(-2.0, 2.5)]
        L = None   # set below: max |f''| over the line, which the barrier can exceed
        formula = (rf"\frac{{Q_s Q_f}}{{Q_s + Q_f}},\ Q_s = \tfrac{{{ks:g}}}{{2}}(x + 1)^2,\ "
                   rf"Q_f = \tfrac{{{kf:g}}}{{2}}(x - 1)^2")
        if dim == 2:
            wells = np.hstack([wells, np.zeros((2, 1))])
            default_x0 = [-1.5, 1.0]
            bounds.append((-2.0, 2.0))
            formula += rf" + \tfrac{{{self.y_curvature:g}}}{{2}} y^2"
        name = "double well" if dim == 1 else "double well (2-D)"
        L = self._max_abs_curvature()
        if dim == 2:
            L = max(L, self.y_curvature)
        self._setup(owner=owner, name=name, dim=dim, x0=x0, default_x0=default_x0,
                    noise=noise, bounds=bounds, minima=wells, f_star=0.0, smoothness=L,
                    formula=formula)
        #: Curvature along x at ``minima[0]`` (sharp) and ``minima[1]`` (flat).
        self.curvatures = np.array([ks, kf])

    def _max_abs_curvature(self) -> float:
        """``max |f''(x)|`` over the whole line: a global bound on the curvature along x.

        The wells' curvatures are ``k_s`` and ``k_f``, but the barrier between them
        bends the other way, by up to about ``-1.5 k`` for equal wells, and the far
        field tends to ``k_s k_f / (k_s + k_f)``. ``f''`` is a smooth rational function
        whose features lie within a few units of the wells: a grid of 40,001 points
        on [-6, 6] (spacing 3e-4), refined around its best point, finds the maximum.
        """
        x = np.linspace(-6.0, 6.0, 40_001)
        i = int(np.argmax(np.abs(self._well(x, 2)[2])))
        fine = np.linspace(x[max(i - 1, 0)], x[min(i + 1, x.size - 1)], 2001)
        return float(np.max(np.abs(self._well(fine, 2)[2])))

    def _well(self, x, order):
        """f and its first ``order`` derivatives along x, as ``K N / D`` (see Notes)."""
        ks, kf = self.sharp_curvature, self.flat_curvature
        u, v = x - _SHARP_AT, x - _FLAT_AT
        K = 0.5 * ks * kf
        N, D = (u * v) ** 2, ks * u**2 + kf * v**2   # D > 0: u and v never vanish together
        out = [K * N / D]
        if order >= 1:
            dN, dD = 2.0 * u * v * (u + v), 2.0 * (ks * u + kf * v)
            out.append(K * (dN * D - N * dD) / D**2)
        if order >= 2:
            ddN, ddD = 2.0 * (u**2 + 4.0 * u * v + v**2), 2.0 * (ks + kf)
            out.append(K * (ddN / D - (2.0 * dN * dD + N * ddD) / D**2
                            + 2.0 * N * dD**2 / D**3))
        return out

    def _loss(self, theta, batch):
        value = self._well(theta[..., 0], 0)[0]
        if self.dim == 2:
            value = value + 0.5 * self.y_curvature * theta[..., 1] ** 2
        return value

    def _grad(self, theta, batch):
        gx = self._well(theta[..., 0], 1)[1]
        if self.dim == 1:
            return gx[..., None]
        return np.stack([gx, self.y_curvature * theta[..., 1]], axis=-1)

    def _hessian(self, theta):
        hxx = self._well(theta[..., 0], 2)[2]
        if self.dim == 1:
            return hxx[..., None, None]
        H = np.zeros((*theta.shape[:-1], 2, 2))
        H[..., 0, 0] = hxx
        H[..., 1, 1] = self.y_curvature
        return H


def double_well(sharp_curvature: float = 20.0, flat_curvature: float = 1.0, *, dim: int = 1,
                y_curvature: float = 1.0, x0: Any = None, noise: float = 0.0) -> DoubleWell:
    r"""A sharp and a flat minimum of exactly equal depth: the learning rate picks one.

    The sharp well at ``x = -1`` has curvature ``k_s = sharp_curvature``,
    the flat well at ``x = +1`` has ``k_f = flat_curvature``, and both have
    loss 0. Gradient descent cannot converge to the sharp minimum with a
    learning rate above ``2 / k_s`` (it is linearly unstable there) but
    still converges to the flat one below ``2 / k_f``. With the defaults and
    the default start ``x = -1.5``: rates up to 0.09 end in the sharp well;
    rates from about 0.25 to 1.6 escape it and end in the flat well; in
    between, the iterate keeps bouncing between the sharp well's walls (a
    stable 2-cycle, possible because the walls are less curved than the
    bottom); near 2 it bounces across both wells.

    Parameters
    ----------
    sharp_curvature, flat_curvature : float > 0
        ``f''`` at ``x = -1`` and at ``x = +1``. The defaults (20 and 1) give
        a ratio of 20. Equal values give a symmetric double well.
    dim : {1, 2}
        ``2`` adds the plain quadratic ``y_curvature y^2 / 2`` in a second
        coordinate, for the 2-D explorer.
    y_curvature : float > 0
        Curvature along ``y`` when ``dim=2``.
    x0 : array of shape (dim,) or float, optional
        Start point; ``x = -1.5`` (on the outer wall of the sharp well) by
        default, ``(-1.5, 1)`` in 2-D.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    DoubleWell
        ``minima`` (sharp first) with ``curvatures`` in the same order,
        ``f_star = 0`` and ``smoothness`` the largest ``|f''|`` over the line (the
        barrier's negative curvature can exceed both wells': 1.5 k for
        ``double_well(k, k)``), and ``y_curvature`` in 2-D if larger.

    Notes
    -----
    The loss is the "parallel spring" combination of two parabolas, a smooth
    minimum of the two (:math:`f \le \min(Q_s, Q_f)`):

    .. math:: f(x) = \frac{Q_s Q_f}{Q_s + Q_f} = \frac{1}{1/Q_s + 1/Q_f}, \qquad
              Q_s = 	frac{k_s}{2} (x + 1)^2, \quad Q_f = 	frac{k_f}{2} (x - 1)^2

    Near :math:`x = -1`, :math:`f = Q_s - Q_s^2 / Q_f + \dots`, so
    :math:`f(-1) = 0` and :math:`f''(-1) = k_s` exactly (and symmetrically
    at :math:`+1`). Its only other stationary point is the barrier, where
    :math:`k_s (x+1)^3 = -k_f (x-1)^3` (at :math:`x pprox -0.46`, height
    0.78, for the defaults). Far away :math:`f` is a parabola of curvature
    :math:`k_s k_f / (k_s + k_f)`. The curvature is largest at the sharper
    minimum, so :math:`L = \max(k_s, k_f)` (checked numerically for ratios
    up to :math:`10^6`; the tests check it too). With :math:`u = x + 1`,
    :math:`v = x - 1`, :math:`K = k_s k_f / 2`, :math:`N = u^2 v^2`,
    :math:`D = k_s u^2 + k_f v^2`:

    .. math:: f = K\frac{N}{D}, \quad f' = K\frac{N' D - N D'}{D^2}, \quad
              f'' = K\Bigl(\frac{N''}{D} - \frac{2N'D' + N D''}{D^2}
              + \frac{2 N D'^2}{D^3}\Bigr)

    with :math:`N' = 2uv(u + v)`, :math:`N'' = 2(u^2 + 4uv + v^2)`,
    :math:`D' = 2(k_s u + k_f v)`, :math:`D'' = 2(k_s + k_f)`.

    References
    ----------
    S. Hochreiter and J. Schmidhuber, "Flat minima", Neural Computation
    9(1):1-42, 1997. N. S. Keskar et al., "On large-batch training for deep
    learning: generalization gap and sharp minima", ICLR 2017. L. Wu, C. Ma
    and W. E, "How SGD selects the global minima in over-parameterized
    learning: a dynamical stability perspective", NeurIPS 2018.

    Examples
    --------
    >>> f = double_well()
    >>> f.loss([[-1.0], [1.0]])
    array([0., 0.])
    >>> f.hessian([[-1.0], [1.0]])[:, 0, 0]
    array([20.,  1.])
    """
    return DoubleWell(sharp_curvature, flat_curvature, dim=dim, y_curvature=y_curvature,
                      x0=x0, noise=noise)


class Curve1D(Surface):
    """A non-quadratic 1-D bowl; build it with :func:`curve_1d`."""

    def __init__(self, kind: str = "log_cosh", *, curvature: float = 1.0, width: float = 1.0,
                 center: float = 0.0, x0: Any = None, noise: float = 0.0):
        owner = "curve_1d"
        self.kind = check_choice(kind, "kind", owner, ("log_cosh", "quartic"))
        self.curvature = check_real(curvature, "curvature", owner, low=0, low_open=True)
        self.width = check_real(width, "width", owner, low=0, low_open=True)
        self.center = check_real(center, "center", owner)
        k, w, c = self.curvature, self.width, self.center
        if self.kind == "log_cosh":
            extra = dict(smoothness=k, name="log-cosh",
                         formula=rf"{k * w * w:g} \log\cosh\bigl((x - {c:g}) / {w:g}\bigr)")
        else:
            extra = dict(strong_convexity=k, name="quadratic + quartic",
                         formula=rf"{k:g}\bigl(\tfrac12 (x - {c:g})^2 + "
                                 rf"\tfrac{{(x - {c:g})^4}}{{4 \cdot {w * w:g}}}\bigr)")
        self._setup(owner=owner, dim=1, x0=x0, default_x0=[c + 3.0 * w], noise=noise,
                    bounds=[(c - 4.0 * w, c + 4.0 * w)], minima=[[c]], f_star=0.0, **extra)

    def _loss(self, theta, batch):
        k, w = self.curvature, self.width
        u = (theta[..., 0] - self.center) / w
        if self.kind == "log_cosh":  # log cosh u = |u| + log(1 + e^{-2|u|}) - log 2, no overflow
            a = np.abs(u)
            return k * w * w * (a + np.log1p(np.exp(-2.0 * a)) - np.log(2.0))
        return k * w * w * (0.5 * u**2 + 0.25 * u**4)

    def _grad(self, theta, batch):
        k, w = self.curvature, self.width
        u = (theta - self.center) / w
        if self.kind == "log_cosh":
            return k * w * np.tanh(u)
        return k * w * (u + u**3)

    def _hessian(self, theta):
        u = (theta[..., None] - self.center) / self.width
        if self.kind == "log_cosh":
            return self.curvature * (1.0 - np.tanh(u) ** 2)
        return self.curvature * (1.0 + 3.0 * u**2)


def curve_1d(kind: str = "log_cosh", *, curvature: float = 1.0, width: float = 1.0,
             center: float = 0.0, x0: Any = None, noise: float = 0.0) -> Curve1D:
    r"""A smooth 1-D bowl that is *not* a parabola (curvature ``k`` at its minimum).

    Both kinds look like the parabola ``k (x - c)^2 / 2`` within about
    ``width`` of the minimum, and differ far from it:

    * ``'log_cosh'`` flattens out into ``|x - c|`` growth: the curvature is
      largest at the minimum, so ``L = k`` is global and any rate below
      ``2 / k`` converges from anywhere; above it, gradient descent circles
      the minimum but never blows up (the gradient is bounded by ``k w``).
    * ``'quartic'`` steepens: the curvature ``k (1 + 3u^2)`` grows without
      bound, so a rate that is stable near the minimum diverges from a far
      start. Strongly convex with ``mu = k``; no global ``L``.

    Parameters
    ----------
    kind : {'log_cosh', 'quartic'}
        Which curve.
    curvature : float > 0
        ``k = f''(c)``, the curvature at the minimum.
    width : float > 0
        ``w``: the distance from the minimum at which the curve stops
        looking like a parabola.
    center : float
        ``c``, the minimiser.
    x0 : float or array of shape (1,), optional
        Start point; ``c + 3 w`` by default.
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1.

    Returns
    -------
    Curve1D
        ``f_star = 0`` at ``c``.

    Notes
    -----
    With :math:`u = (x - c) / w`:

    .. math:: \text{log-cosh:}\quad f = k w^2 \log\cosh u, \quad f' = k w \tanh u,
              \quad f'' = k\,(1 - \tanh^2 u) \le k

    .. math:: \text{quartic:}\quad f = k w^2 \bigl(\tfrac12 u^2 + \tfrac14 u^4\bigr),
              \quad f' = k w (u + u^3), \quad f'' = k\,(1 + 3u^2) \ge k

    References
    ----------
    P. J. Huber, "Robust estimation of a location parameter", Annals of
    Mathematical Statistics 35(1):73-101, 1964 (log-cosh is a smooth
    version of Huber's loss).

    Examples
    --------
    >>> f = curve_1d()
    >>> f.smoothness, float(f.loss([0.0])), f.grad([[0.0], [100.0]])
    (1.0, 0.0, array([[0.],
           [1.]]))
    >>> curve_1d("quartic").hessian([1.0])
    array([[4.]])
    """
    return Curve1D(kind, curvature=curvature, width=width, center=center, x0=x0, noise=noise)


class Saddle(Surface):
    """A saddle point at the origin; build it with :func:`saddle`."""

    def __init__(self, curvature: float = 1.0, negative_curvature: float = 1.0, *,
                 bounded: bool = True, x0: Any = None, noise: float = 0.0):
        owner = "saddle"
        self.a = check_real(curvature, "curvature", owner, low=0, low_open=True)
        self.b = check_real(negative_curvature, "negative_curvature", owner, low=0,
                            low_open=True)
        bounded = check_bool(bounded, "bounded", owner)
        self.bounded = bool(bounded)
        a, b = self.a, self.b
        if self.bounded:
            extra = dict(minima=[[0.0, -1.0], [0.0, 1.0]], f_star=-b / 4.0,
                         formula=rf"\tfrac{{{a:g}}}{{2}} x^2 + {b:g}\,"
                                 r"\bigl(\tfrac{1}{4} y^4 - \tfrac{1}{2} y^2\bigr)")
        else:
            extra = dict(minima=np.zeros((0, 2)), f_star=None, smoothness=max(a, b),
                         formula=rf"\tfrac{{{a:g}}}{{2}} x^2 - \tfrac{{{b:g}}}{{2}} y^2")
        self._setup(owner=owner, name="saddle" if self.bounded else "saddle (unbounded)", dim=2,
                    x0=x0, default_x0=(1.5, 1e-3), noise=noise,
                    bounds=((-2.0, 2.0), (-2.0, 2.0)), **extra)

    def _loss(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        if self.bounded:
            return 0.5 * self.a * x**2 + self.b * (0.25 * y**4 - 0.5 * y**2)
        return 0.5 * self.a * x**2 - 0.5 * self.b * y**2

    def _grad(self, theta, batch):
        x, y = theta[..., 0], theta[..., 1]
        gy = self.b * (y**3 - y) if self.bounded else -self.b * y
        return stack_last(self.a * x, gy)

    def _hessian(self, theta):
        x, y = theta[..., 0], theta[..., 1]
        hyy = self.b * (3.0 * y**2 - 1.0) if self.bounded else np.full_like(y, -self.b)
        return matrix_2x2(np.full_like(x, self.a), np.zeros_like(x), hyy)


def saddle(curvature: float = 1.0, negative_curvature: float = 1.0, *, bounded: bool = True,
           x0: Any = None, noise: float = 0.0) -> Saddle:
    r"""A saddle point at the origin, with (by default) two minima to escape to.

    Gradient descent started near the stable direction (``y = 0``) first
    slides to the saddle, lingers there, then escapes along ``y`` at a speed
    set by the negative curvature and the learning rate.

    Parameters
    ----------
    curvature : float > 0
        Curvature ``a`` along ``x`` (the stable direction).
    negative_curvature : float > 0
        Magnitude ``b`` of the negative curvature along ``y`` at the saddle.
    bounded : bool
        ``True`` (default): add ``b y^4 / 4`` so that ``f`` is bounded below
        with minima at ``(0, +-1)`` (Hessian ``diag(a, 2b)``, value ``-b/4``).
        ``False``: the pure quadratic saddle ``a x^2/2 - b y^2/2``, unbounded
        below, no minima, global ``L = max(a, b)``.
    x0 : array of shape (2,), optional
        Start point; ``(1.5, 0.001)`` by default (almost on the stable axis).
    noise : float >= 0
        Standard deviation of the gradient noise at batch size 1 (noise
        pushes the iterate off the stable axis: SGD escapes saddles faster).

    Returns
    -------
    Saddle

    Notes
    -----
    .. math:: f(x, y) = \tfrac{a}{2} x^2 + b\,\bigl(\tfrac14 y^4 - \tfrac12 y^2\bigr)
              \qquad\text{or}\qquad \tfrac{a}{2} x^2 - \tfrac{b}{2} y^2

    .. math:: \nabla f = \bigl(a x,\; b(y^3 - y)\bigr), \qquad
              \nabla^2 f = \operatorname{diag}\bigl(a,\; b(3y^2 - 1)\bigr)

    At the saddle the Hessian is ``diag(a, -b)``; gradient descent multiplies
    the ``y`` offset by ``1 + lr b`` per step there.

    References
    ----------
    Y. Dauphin et al., "Identifying and attacking the saddle point problem in
    high-dimensional non-convex optimization", NeurIPS 2014.
    J. D. Lee, M. Simchowitz, M. I. Jordan and B. Recht, "Gradient descent
    only converges to minimizers", COLT 2016.

    Examples
    --------
    >>> f = saddle()
    >>> f.hessian([0.0, 0.0])
    array([[ 1.,  0.],
           [ 0., -1.]])
    >>> f.minima, f.f_star
    (array([[ 0., -1.],
           [ 0.,  1.]]), -0.25)
    """
    return Saddle(curvature, negative_curvature, bounded=bounded, x0=x0, noise=noise)
