"""Contours of a 2-D quadratic drawn exactly: its level sets are ellipses.

The level set ``f = z`` of ``f(theta) = f* + 1/2 (theta - c)^T A (theta - c)``
is the unit circle stretched by ``sqrt(2 (z - f*) / lambda_i)`` along each
eigenvector of ``A`` and moved to ``c``: one affine map per level. A slider
that changes ``A`` (a condition number, a tilt) moves these paths in place,
with no grid to evaluate and no marching squares to run, where
:func:`~lrlab.plots.contours` would build new contour sets.

The picture is :func:`~lrlab.plots.contours`' picture: the same levels
(computed from the same grid by :func:`~lrlab.plots.landscape.contour_levels`),
the same colours and line style, with the curves placed exactly instead of
interpolated between grid points.

Examples
--------
>>> from lrlab.surfaces import ill_conditioned
>>> valley = ill_conditioned(kappa=10.0)
>>> fills, lines = ellipse_contours(valley)
>>> len(fills.get_paths()), len(lines.get_segments())   # 18 bands + the outside; 18 curves
(19, 18)
>>> set_ellipse_contours((fills, lines), ill_conditioned(kappa=100.0))
>>> fills.axes.figure.clf()
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.path import Path

from .base import axes_or_new
from .landscape import contour_levels, shade_levels, surface_grid, view_bounds

__all__ = ["ellipse_contours", "is_quadratic_2d", "set_ellipse_contours"]

#: Points per ellipse (a chord of the largest ellipse on screen strays < 0.1 pixel).
POINTS = 200
_CIRCLE = np.stack([np.cos(np.linspace(0, 2 * np.pi, POINTS)),
                    np.sin(np.linspace(0, 2 * np.pi, POINTS))], axis=1)


def is_quadratic_2d(problem: Any) -> bool:
    """Does ``problem`` have a constant Hessian with an eigen-decomposition, in 2-D?"""
    return (getattr(problem, "dim", None) == 2 and getattr(problem, "constant_hessian", False)
            and all(hasattr(problem, a) for a in ("eigenvalues", "eigenvectors", "center")))


def ellipse_contours(problem: Any, ax: Axes | None = None, *, bounds: Any = None,
                     resolution: int = 160, levels: int = 18,
                     cmap: str = "Blues_r") -> tuple[PathCollection, LineCollection]:
    """Shaded bands and contour lines of a 2-D quadratic, as :func:`contours` draws them.

    Returns
    -------
    (PathCollection, LineCollection)
        The bands (zorder 1, not antialiased, as ``contourf`` draws them) and
        the lines (zorder 2); move them with :func:`set_ellipse_contours`.
    """
    if not is_quadratic_2d(problem):
        raise ValueError(f"ellipse_contours draws a 2-D quadratic; {problem!r} is not one.")
    ax = axes_or_new(ax)
    fills = PathCollection([], antialiased=False, linewidths=0, alpha=0.6, zorder=1)
    lines = LineCollection([], colors="#445", linewidths=0.6, alpha=0.6, zorder=2)
    fills._lrlab_style = (cmap, bounds, resolution, levels)
    ax.add_collection(fills, autolim=False)
    ax.add_collection(lines, autolim=False)
    set_ellipse_contours((fills, lines), problem)
    (x0, x1), (y0, y1) = view_bounds(problem, bounds)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return fills, lines


def set_ellipse_contours(artists: tuple[PathCollection, LineCollection], problem: Any) -> None:
    """Move :func:`ellipse_contours`' bands and lines to another 2-D quadratic."""
    fills, lines = artists
    cmap, bounds, resolution, levels = fills._lrlab_style
    _, _, Z = surface_grid(problem, bounds, resolution)
    zmin, lo, lv = contour_levels(Z, levels)
    f_star = float(problem.f_star or 0.0)
    rings = [_ellipse(problem, z - f_star) for z in lv]
    lines.set_segments(rings)
    (x0, x1), (y0, y1) = view_bounds(problem, bounds)
    w, h = x1 - x0, y1 - y0  # the outermost band: everything beyond the last level
    box = np.array([[x0 - w, y0 - h], [x1 + w, y0 - h], [x1 + w, y1 + h], [x0 - w, y1 + h],
                    [x0 - w, y0 - h]])
    inner = _ellipse(problem, zmin - f_star)
    paths = [_band(outer, inner_ring) for outer, inner_ring in zip(rings, [inner, *rings[:-1]],
                                                                    strict=True)]
    paths.append(_band(box, rings[-1]))
    fills.set_paths(paths)
    fills.set_facecolor(_band_colors(shade_levels(zmin, lo, lv), cmap))


def _ellipse(problem: Any, height: float) -> np.ndarray:
    """Points of ``f - f* = height`` (empty for ``height <= 0``)."""
    if not height > 0:
        return np.zeros((0, 2))
    radii = np.sqrt(2.0 * height / np.asarray(problem.eigenvalues, dtype=float))
    return np.asarray(problem.center, dtype=float) + (_CIRCLE * radii) @ np.asarray(
        problem.eigenvectors, dtype=float).T


def _band(outer: np.ndarray, inner: np.ndarray) -> Path:
    """The region inside ``outer`` and outside ``inner`` (opposite orientations)."""
    parts = [outer] + ([inner[::-1]] if len(inner) else [])
    verts = np.concatenate(parts)
    codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(p) - 2) + [Path.CLOSEPOLY]
                            for p in parts])
    return Path(verts, codes.astype(Path.code_type))


def _band_colors(levels: np.ndarray, cmap: str) -> np.ndarray:
    """``contourf(..., levels, cmap, alpha=0.6, extend='max')``'s colour of each band.

    Matplotlib colours a band by the midpoint of its levels, normalised to the
    levels' range; the band above the last level gets the colormap's "over" colour.
    """
    edges = np.append(levels, 1e250)
    layers = 0.5 * (edges[:-1] + edges[1:])
    norm = Normalize(vmin=float(levels.min()), vmax=float(levels.max()), clip=False)
    return colormaps[cmap](norm(layers), alpha=0.6)
