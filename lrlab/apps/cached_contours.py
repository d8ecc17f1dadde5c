"""Contour plots whose contours are traced once per problem, drawn on any number of axes.

:func:`lrlab.plots.contours` evaluates a problem's loss on a grid and traces
its filled and line contours (about half of its ~20 ms); every race app and
every visit back to a 2-D problem traced them again. :func:`contours` draws
the same artists (tested pixel for pixel) from a bounded module-level cache
keyed by an immutable name of the problem: the grid, the levels and the
traced paths are made once per kernel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.contour import QuadContourSet

from ..plots.landscape import contour_levels, finish_contour_axes, shade_levels, surface_grid

__all__ = ["contours"]

#: key -> (X, Y, Z, W, shading levels, line levels, {filled: traced paths}); the oldest
#: goes beyond CONTOURS_MAX
_TRACED: dict = {}
CONTOURS_MAX = 8


class _Traced(QuadContourSet):
    """A QuadContourSet given the paths it would trace (``paths``), or tracing them."""

    def __init__(self, ax: Any, *args: Any, paths: list | None = None, **kwargs: Any):
        self._lrlab_paths = paths
        super().__init__(ax, *args, **kwargs)

    def _make_paths_from_contour_generator(self) -> list:
        if self._lrlab_paths is not None:
            return self._lrlab_paths
        return super()._make_paths_from_contour_generator()


def _grid(problem: Any, key: Any) -> tuple:
    if key not in _TRACED:
        while len(_TRACED) >= CONTOURS_MAX:
            del _TRACED[next(iter(_TRACED))]
        X, Y, Z = surface_grid(problem, None, 160)
        zmin, lo, lv = contour_levels(Z, 18)
        W = np.log10(np.where(np.isfinite(Z), Z, np.inf) - zmin + 0.5 * lo)
        _TRACED[key] = (X, Y, Z, W, shade_levels(zmin, lo, lv), lv, {})
    return _TRACED[key]


def contours(problem: Any, ax: Any, key: Any) -> QuadContourSet:
    """What ``lrlab.plots.contours(problem, ax)`` draws, its contours traced once per ``key``.

    Parameters
    ----------
    problem : Problem
        A 2-D problem.
    ax : Axes
    key : hashable
        Names ``problem`` for the kernel's lifetime (e.g. the race's problem name):
        the same key must mean the same loss surface.

    Returns
    -------
    QuadContourSet
        The line contours. Their paths are shared with every other draw of ``key``:
        do not edit them in place (e.g. ``clabel(inline=True)``).
    """
    X, Y, Z, W, shades, lv, traced = _grid(problem, key)
    filled = _Traced(ax, X, Y, W, levels=shades, cmap="Blues_r", alpha=0.6, extend="max",
                     filled=True, paths=traced.get(True))
    ax._request_autoscale_view()
    traced[True] = filled.get_paths()
    cs = _Traced(ax, X, Y, Z, levels=lv, colors="#445", linewidths=0.6, alpha=0.6,
                 filled=False, paths=traced.get(False))
    ax._request_autoscale_view()
    traced[False] = cs.get_paths()
    finish_contour_axes(problem, ax, X, Y)
    return cs
