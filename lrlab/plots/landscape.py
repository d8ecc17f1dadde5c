"""2-D landscapes: contours of a loss, the path of the iterates, arrows, a classifier's regions.

Examples
--------
>>> from lrlab.surfaces import quadratic
>>> from lrlab import train, sgd
>>> bowl = quadratic([1.0, 10.0])
>>> h = train(bowl, sgd(0.15), 30)
>>> cs = contours(bowl)
>>> line = trajectory(h.params, ax=cs.axes)
>>> line.get_xydata().shape
(31, 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.contour import QuadContourSet
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.quiver import Quiver

from .._validation import check_int
from .base import COLORS, axes_or_new, next_color

__all__ = ["arrows", "contour_levels", "contours", "decision_image", "set_arrows",
           "set_decision_image", "set_trajectory", "shade_levels", "surface_grid", "trajectory",
           "view_bounds"]


def surface_grid(problem: Any, bounds: Any = None, resolution: int = 160):
    """Evaluate a 2-D problem's exact loss on a grid (one vectorised call).

    Returns
    -------
    X, Y, Z : ndarray, shape (resolution, resolution)
    """
    resolution = check_int(resolution, "resolution", "surface_grid", low=4)
    if problem.dim != 2:
        raise ValueError(f"surface_grid draws 2-D problems; {problem.name!r} has dim="
                         f"{problem.dim}.")
    (x0, x1), (y0, y1) = view_bounds(problem, bounds)
    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    with np.errstate(all="ignore"):
        Z = np.asarray(problem.loss(np.stack([X, Y], axis=-1)), dtype=float)
    return X, Y, Z


def view_bounds(problem: Any, bounds: Any = None) -> tuple[tuple[float, float], ...]:
    """The ``((x_low, x_high), (y_low, y_high))`` window a 2-D view of ``problem`` shows.

    ``bounds`` if given, else the problem's own ``bounds``, else a square
    around its first minimum (or the origin) that holds the start point ``x0``
    with 30 % to spare.

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> bowl = quadratic([1.0, 10.0])
    >>> view_bounds(bowl) == bowl.bounds
    True
    >>> view_bounds(bowl, [(0, 1), (0, 2)])
    ((0.0, 1.0), (0.0, 2.0))
    """
    if bounds is not None:
        return tuple(tuple(float(v) for v in b) for b in bounds)
    if getattr(problem, "bounds", None) is not None:
        return tuple(tuple(float(v) for v in b) for b in problem.bounds)
    center = (np.asarray(problem.minima)[0] if getattr(problem, "minima", None) is not None
              else np.zeros(2))
    x0 = np.asarray(problem.x0, dtype=float)
    r = 1.3 * max(float(np.max(np.abs(x0 - center))), 1e-3)
    return ((center[0] - r, center[0] + r), (center[1] - r, center[1] + r))


def contour_levels(Z: np.ndarray, levels: int = 18) -> tuple[float, float, np.ndarray]:
    """``(zmin, lo, lv)``: the lowest value on a grid and ``levels`` log-spaced levels above it.

    ``lv = zmin + geomspace(lo, hi)``, ``lo`` and ``hi`` the 0.5 % and 98 %
    quantiles of the excess over ``zmin`` (NaN and infinite values ignored).
    """
    finite = Z[np.isfinite(Z)]
    zmin = float(finite.min())
    excess = finite - zmin
    q_lo, q_hi = np.quantile(excess, [0.005, 0.98])  # one partial sort for both
    lo = max(float(q_lo), 1e-6 * max(float(excess.max()), 1e-12))
    hi = max(float(q_hi), lo * 10)
    return zmin, lo, zmin + np.geomspace(lo, hi, levels)


def shade_levels(zmin: float, lo: float, lv: np.ndarray) -> np.ndarray:
    """Levels of the shading, in ``log10(f - zmin + lo/2)``: ``zmin`` and then ``lv``."""
    return np.log10(np.concatenate([[0.5 * lo], lv - zmin + 0.5 * lo]))


def contours(problem: Any, ax: Axes | None = None, *, bounds: Any = None,
             resolution: int = 160, levels: int = 18, cmap: str = "Blues_r",
             filled: bool = True, show_minima: bool = True) -> QuadContourSet:
    """Contours of a 2-D problem's loss, log-spaced above its lowest value.

    Log spacing shows both the floor of a narrow valley and the walls around
    it (linear levels would crowd at the walls).

    Returns
    -------
    QuadContourSet
        The line contours (``.axes`` is the Axes drawn on).
    """
    ax = axes_or_new(ax)
    X, Y, Z = surface_grid(problem, bounds, resolution)
    zmin, lo, lv = contour_levels(Z, levels)
    if filled:  # shade by log(excess) so a valley floor and its walls both show
        W = np.log10(np.where(np.isfinite(Z), Z, np.inf) - zmin + 0.5 * lo)
        ax.contourf(X, Y, W, levels=shade_levels(zmin, lo, lv), cmap=cmap, alpha=0.6,
                    extend="max")
    cs = ax.contour(X, Y, Z, levels=lv, colors="#445", linewidths=0.6, alpha=0.6)
    finish_contour_axes(problem, ax, X, Y, show_minima=show_minima)
    return cs


def finish_contour_axes(problem: Any, ax: Axes, X: np.ndarray, Y: np.ndarray, *,
                        show_minima: bool = True) -> None:
    """After the contours: the minima as stars, the grid's limits, the axis labels."""
    if show_minima and getattr(problem, "minima", None) is not None:
        m = np.asarray(problem.minima)
        ax.plot(m[:, 0], m[:, 1], "*", color="#222", markersize=11, zorder=3,
                label="minimum" if len(m) == 1 else "minima")
    ax.set_xlim(X[0, 0], X[0, -1])
    ax.set_ylim(Y[0, 0], Y[-1, 0])
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")


def trajectory(params: Any, ax: Axes | None = None, *, color: str | None = None,
               label: str | None = None, marker: str = "o", markersize: float = 3.0,
               **kwargs: Any) -> Line2D:
    """The path of the iterates ``params`` (shape ``(T + 1, 2)``) as a line with dots.

    Iterates after a divergence are NaN and simply not drawn.
    """
    standalone = ax is None
    ax = axes_or_new(ax)
    kwargs.setdefault("linewidth", 1.4)
    (line,) = ax.plot([], [], marker=marker, markersize=markersize,
                      color=color or next_color(ax), label=label, **kwargs)
    set_trajectory(line, params)
    if standalone:
        ax.relim()
        ax.autoscale_view()
    return line


def set_trajectory(line: Line2D, params: Any) -> None:
    """Move a :func:`trajectory` line to new iterates."""
    p = np.asarray(params, dtype=float).reshape(-1, 2)
    line.set_data(p[:, 0], p[:, 1])


def arrows(origins: Any, vectors: Any, ax: Axes | None = None, *, color: str = COLORS[1],
           width: float = 0.006, **kwargs: Any) -> Quiver:
    """Arrows from ``origins`` (shape ``(n, 2)``) along ``vectors`` in data units."""
    ax = axes_or_new(ax)
    o = np.asarray(origins, dtype=float).reshape(-1, 2)
    v = np.asarray(vectors, dtype=float).reshape(-1, 2)
    q = ax.quiver(o[:, 0], o[:, 1], v[:, 0], v[:, 1], angles="xy", scale_units="xy",
                  scale=1.0, color=color, width=width, zorder=6, **kwargs)
    return q


def set_arrows(q: Quiver, origins: Any, vectors: Any) -> None:
    """Move :func:`arrows` (same number of arrows; NaN hides one)."""
    o = np.asarray(origins, dtype=float).reshape(-1, 2)
    v = np.asarray(vectors, dtype=float).reshape(-1, 2)
    q.set_offsets(np.where(np.isfinite(o), o, 0.0))
    v = np.where(np.isfinite(v) & np.isfinite(o), v, 0.0)
    q.set_UVC(v[:, 0], v[:, 1])


def decision_image(problem: Any, theta: Any, ax: Axes | None = None, *, bounds: Any = None,
                   resolution: int = 90, points: bool = True) -> AxesImage:
    """A 2-feature classifier's probability of class 1 as an image, with its data on top.

    ``problem`` is an :class:`~lrlab.models.MLP` (or any model with
    ``predict_proba(theta, X)``) on 2-D inputs; ``bounds`` defaults to the
    data's range plus a margin.
    """
    ax = axes_or_new(ax)
    X, y = problem.data.X, problem.data.y
    if X.shape[1] != 2:
        raise ValueError(f"decision_image draws models of 2 features; {problem.name!r} has "
                         f"{X.shape[1]}.")
    if bounds is None:
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = 0.15 * (hi - lo)
        bounds = ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))
    (x0, x1), (y0, y1) = bounds
    img = ax.imshow(np.zeros((resolution, resolution)), origin="lower",
                    extent=(x0, x1, y0, y1), cmap="RdBu_r", vmin=0, vmax=1, alpha=0.75,
                    aspect="auto", interpolation="bilinear")
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    img._lrlab_grid = np.column_stack([gx.ravel(), gy.ravel()])
    if points:
        ax.scatter(X[:, 0], X[:, 1], c=np.where(y == 1, "#b2182b", "#2166ac"), s=9,
                   edgecolors="k", linewidths=0.35, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xticks([])
    ax.set_yticks([])
    set_decision_image(img, problem, theta)
    return img


def set_decision_image(img: AxesImage, problem: Any, theta: Any) -> None:
    """Show the classifier at new parameters ``theta`` (NaN parameters: a blank image)."""
    grid = img._lrlab_grid
    n = round(float(np.sqrt(len(grid))))
    theta = np.asarray(theta, dtype=float)
    if not np.all(np.isfinite(theta)):
        img.set_data(np.full((n, n), 0.5))
        return
    with np.errstate(all="ignore"):
        p = np.asarray(problem.predict_proba(theta, grid))[:, 1]
    img.set_data(np.where(np.isfinite(p), p, 0.5).reshape(n, n))
