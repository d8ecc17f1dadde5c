"""The adaptive-rates app's valley contours, moved with what does not change kept.

:func:`lrlab.plots.set_ellipse_contours` moves a quadratic's ellipse contours
to another quadratic; a slider (a condition number, a tilt) calls it on every
change. Most of its work does not depend on the quadratic: the grid the
levels are read from (the view is fixed), the path codes of a band (every
ellipse has the same number of points), the colormap's lookup table.
:class:`ValleyContours` keeps those and gives the same artists' data: the
same levels from the same loss values, the same vertices, codes and colours.

Examples
--------
>>> from lrlab import plots
>>> from lrlab.surfaces import ill_conditioned
>>> artists = plots.ellipse_contours(ill_conditioned(kappa=10.0))
>>> mover = ValleyContours(artists)
>>> mover.move(ill_conditioned(kappa=100.0, angle=0.3))
>>> len(artists[0].get_paths()), len(artists[1].get_segments())
(19, 18)
>>> artists[0].axes.figure.clf()
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.path import Path

from ..plots.ellipses import _CIRCLE
from ..plots.landscape import contour_levels, shade_levels, view_bounds

__all__ = ["ValleyContours"]


class ValleyContours:
    """Moves :func:`lrlab.plots.ellipse_contours`' bands and lines to another quadratic.

    Parameters
    ----------
    artists : (PathCollection, LineCollection)
        What :func:`lrlab.plots.ellipse_contours` returned (its style: colormap,
        bounds, grid resolution and number of levels, is read from it).
    """

    def __init__(self, artists: tuple[PathCollection, LineCollection]):
        self.fills, self.lines = artists
        cmap, self.bounds, resolution, self.levels = self.fills._lrlab_style
        self.cmap = colormaps[cmap]  # a copy of its own: the lookup table is built once
        self._points: dict = {}  # problem's bounds -> the grid's points, as surface_grid's
        self._resolution = int(resolution)
        self._codes: dict = {}  # (outer length, inner length) -> codes of a band

    def move(self, problem: Any) -> None:
        """As ``plots.set_ellipse_contours(artists, problem)`` (2-D quadratics)."""
        (x0, x1), (y0, y1) = view_bounds(problem, self.bounds)
        with np.errstate(all="ignore"):
            Z = np.asarray(problem.loss(self._grid(x0, x1, y0, y1)), dtype=float)
        zmin, lo, lv = contour_levels(Z, self.levels)
        f_star = float(problem.f_star or 0.0)
        center = np.asarray(problem.center, dtype=float)
        vectors = np.asarray(problem.eigenvectors, dtype=float).T
        eig = np.asarray(problem.eigenvalues, dtype=float)
        rings = [self._ellipse(center, vectors, eig, z - f_star) for z in lv]
        self.lines.set_segments(rings)
        w, h = x1 - x0, y1 - y0  # the outermost band: everything beyond the last level
        box = np.array([[x0 - w, y0 - h], [x1 + w, y0 - h], [x1 + w, y1 + h],
                        [x0 - w, y1 + h], [x0 - w, y0 - h]])
        inner = self._ellipse(center, vectors, eig, zmin - f_star)
        paths = [self._band(outer, ring) for outer, ring in zip(rings, [inner, *rings[:-1]],
                                                                   strict=True)]
        paths.append(self._band(box, rings[-1]))
        self.fills.set_paths(paths)
        self.fills.set_facecolor(self._colors(shade_levels(zmin, lo, lv)))

    def _grid(self, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        key = (x0, x1, y0, y1)
        if key not in self._points:
            n = self._resolution
            X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
            self._points = {key: np.stack([X, Y], axis=-1)}  # the view rarely moves
        return self._points[key]

    @staticmethod
    def _ellipse(center: np.ndarray, vectors: np.ndarray, eig: np.ndarray,
                 height: float) -> np.ndarray:
        if not height > 0:
            return np.zeros((0, 2))
        return center + (_CIRCLE * np.sqrt(2.0 * height / eig)) @ vectors

    def _band(self, outer: np.ndarray, inner: np.ndarray) -> Path:
        key = (len(outer), len(inner))
        codes = self._codes.get(key)
        if codes is None:
            parts = [len(outer)] + ([len(inner)] if len(inner) else [])
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (n - 2) + [Path.CLOSEPOLY]
                                    for n in parts]).astype(Path.code_type)
            codes.flags.writeable = False
            self._codes[key] = codes
        verts = np.concatenate([outer, inner[::-1]]) if len(inner) else outer.copy()
        return Path(verts, codes)

    def _colors(self, levels: np.ndarray) -> np.ndarray:
        edges = np.append(levels, 1e250)
        layers = 0.5 * (edges[:-1] + edges[1:])
        norm = Normalize(vmin=float(levels.min()), vmax=float(levels.max()), clip=False)
        return self.cmap(norm(layers), alpha=0.6)
