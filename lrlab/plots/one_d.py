"""1-D problems: the graph of the loss, gradient steps on it, and the cobweb of the iteration."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

from .base import COLORS, axes_or_new

__all__ = ["cobweb", "cobweb_path", "curve", "set_cobweb", "set_steps_1d", "steps_1d"]


def curve(problem: Any, xlim: tuple[float, float], ax: Axes | None = None, *,
          num: int = 400, color: str = "#333", **kwargs: Any) -> Line2D:
    """The graph of a 1-D problem's loss on ``xlim``."""
    ax = axes_or_new(ax)
    x = np.linspace(*xlim, num)
    with np.errstate(all="ignore"):
        y = np.asarray(problem.loss(x[:, None]), dtype=float)
    (line,) = ax.plot(x, y, color=color, linewidth=2, **kwargs)
    ax.set_xlabel(r"$\theta$")
    ax.set_ylabel(r"$f(\theta)$")
    return line


def steps_1d(xs: Any, fx: Any, ax: Axes | None = None, *, color: str = COLORS[1]):
    """Gradient steps on a 1-D curve: dots at ``(x_t, f(x_t))`` joined by segments.

    Returns
    -------
    (LineCollection, Line2D)
        The step segments and the dots.
    """
    ax = axes_or_new(ax)
    segs = LineCollection([], colors=color, linewidths=1.2, alpha=0.7, zorder=4)
    ax.add_collection(segs)
    (dots,) = ax.plot([], [], "o", color="#111", markersize=3.5, zorder=5)
    set_steps_1d((segs, dots), xs, fx)
    return segs, dots


def set_steps_1d(artists: tuple, xs: Any, fx: Any) -> None:
    """Move :func:`steps_1d` artists to new iterates."""
    segs, dots = artists
    pts = np.column_stack([np.asarray(xs, float), np.asarray(fx, float)])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    segs.set_segments(np.stack([pts[:-1], pts[1:]], axis=1) if len(pts) > 1 else [])
    dots.set_data(pts[:, 0], pts[:, 1])


def cobweb_path(xs: Any) -> np.ndarray:
    """The staircase of a 1-D iteration ``x_{t+1} = g(x_t)`` drawn against ``y = x``.

    Points ``(x_0, x_0), (x_0, x_1), (x_1, x_1), (x_1, x_2), ...``.

    >>> cobweb_path([2.0, 1.0, 0.5])[:4].tolist()
    [[2.0, 2.0], [2.0, 1.0], [1.0, 1.0], [1.0, 0.5]]
    """
    x = np.asarray(xs, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.zeros((0, 2))
    px = np.repeat(x, 2)[:-1]
    py = np.repeat(x, 2)[1:]
    return np.column_stack([px, py])


def cobweb(xs: Any, ax: Axes | None = None, *, color: str = COLORS[1]) -> Line2D:
    """The cobweb staircase of iterates ``xs`` (draw ``g`` and ``y = x`` yourself)."""
    ax = axes_or_new(ax)
    (line,) = ax.plot([], [], color=color, linewidth=1.3, zorder=4)
    set_cobweb(line, xs)
    return line


def set_cobweb(line: Line2D, xs: Any) -> None:
    """Move a :func:`cobweb` staircase to new iterates."""
    p = cobweb_path(xs)
    line.set_data(p[:, 0], p[:, 1])
