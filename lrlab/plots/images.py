"""More plot helpers for the second half of the course (adaptive rates, LR finder, basins).

Same contract as :mod:`lrlab.plots`: each function draws on a given ``ax``
(a fresh, pyplot-free figure when ``ax=None``) and returns its artists, and
every view of something that changes has a ``set_*`` partner that moves
those artists in place.

Examples
--------
>>> import numpy as np
>>> bars = rate_bars([0.1, 0.01], labels=["θ₁", "θ₂"])
>>> set_rate_bars(bars, [0.2, 0.02])
>>> [round(float(b.get_y() + b.get_height()), 3) for b in bars]
[0.2, 0.02]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import ListedColormap
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.quiver import Quiver

from ..basins import DIVERGED, UNSETTLED, BasinMap
from .base import COLORS, new_axes

__all__ = [
    "BASIN_COLORS",
    "arrows",
    "basin_image",
    "decision_image",
    "rate_bars",
    "set_arrows",
    "set_basin_image",
    "set_decision_image",
    "set_rate_bars",
]

#: Colours of a basin map: diverged, unsettled, then minimum 0, 1, ...
BASIN_COLORS = ("#9e9e9e", "#f2d16b", "#D55E00", "#0072B2", "#009E73", "#CC79A7")


def _axes(ax: Axes | None) -> Axes:
    return new_axes() if ax is None else ax


# ----------------------------------------------------------------- per-coordinate rates
def rate_bars(rates: Any, ax: Axes | None = None, *, labels: Any = None,
              colors: Any = None, log: bool = True, ylim: tuple[float, float] | None = None,
              ) -> BarContainer:
    """One bar per coordinate: its effective learning rate (log axis by default).

    NaN rates (before a rule's first step) are drawn as empty bars.
    """
    ax = _axes(ax)
    r = np.asarray(rates, dtype=float).ravel()
    labels = [f"θ{i + 1}" for i in range(len(r))] if labels is None else list(labels)
    colors = list(colors) if colors is not None else [COLORS[i % len(COLORS)]
                                                      for i in range(len(r))]
    bottom = ylim[0] if (log and ylim is not None) else (1e-12 if log else 0.0)
    bars = ax.bar(np.arange(len(r)), np.ones(len(r)), bottom=bottom, color=colors,
                  edgecolor="#222", linewidth=0.6, width=0.6)
    bars._lrlab_bottom = bottom
    ax.set_xticks(np.arange(len(r)), labels)
    if log:
        ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel("effective learning rate")
    set_rate_bars(bars, r)
    return bars


def set_rate_bars(bars: BarContainer, rates: Any) -> None:
    """Move :func:`rate_bars` to new rates."""
    r = np.asarray(rates, dtype=float).ravel()
    bottom = getattr(bars, "_lrlab_bottom", 0.0)
    for bar, v in zip(bars, r, strict=True):
        ok = bool(np.isfinite(v) and v > bottom)
        bar.set_height(v - bottom if ok else 0.0)


def arrows(origins: Any, vectors: Any, ax: Axes | None = None, *, color: str = COLORS[1],
           width: float = 0.006, **kwargs: Any) -> Quiver:
    """Arrows from ``origins`` (shape ``(n, 2)``) along ``vectors`` in data units."""
    ax = _axes(ax)
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


# ----------------------------------------------------------------- basin maps
def basin_image(bm: BasinMap, ax: Axes | None = None, *, names: Any = None,
                legend: bool = True) -> QuadMesh:
    """A basin map as an image: start point across, learning rate up (log), colour = fate.

    Parameters
    ----------
    bm : BasinMap
        From :func:`lrlab.basins.basin_map`.
    names : sequence of str, optional
        Names of the minima for the legend (default "minimum 0", ...).
    legend : bool
        Add a legend of the colours.
    """
    from matplotlib.patches import Patch

    ax = _axes(ax)
    k = len(bm.minima)
    cmap = ListedColormap(list(BASIN_COLORS[: k + 2]))
    mesh = ax.pcolormesh(_edges(bm.starts, log=False), _edges(bm.lrs, log=True),
                         bm.labels - DIVERGED, cmap=cmap, vmin=-0.5, vmax=k + 1.5,
                         shading="flat", rasterized=True)
    ax.set_yscale("log")
    ax.set_xlabel("start point $x_0$")
    ax.set_ylabel(r"learning rate $\eta$")
    if legend:
        names = [f"minimum {i}" for i in range(k)] if names is None else list(names)
        handles = [Patch(color=BASIN_COLORS[2 + i], label=n) for i, n in enumerate(names)]
        handles += [Patch(color=BASIN_COLORS[1], label="not settled"),
                    Patch(color=BASIN_COLORS[0], label="diverged")]
        ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9)
    return mesh


def set_basin_image(mesh: QuadMesh, bm: BasinMap) -> None:
    """Show a new basin map of the same grid in :func:`basin_image`'s mesh."""
    mesh.set_array((bm.labels - DIVERGED).ravel())


def _edges(centres: np.ndarray, *, log: bool) -> np.ndarray:
    c = np.log(centres) if log else np.asarray(centres, dtype=float)
    if len(c) == 1:
        e = np.array([c[0] - 0.5, c[0] + 0.5])
    else:
        mid = 0.5 * (c[1:] + c[:-1])
        e = np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
    return np.exp(e) if log else e


assert UNSETTLED - DIVERGED == 1  # colour index 1 is "not settled"


# ----------------------------------------------------------------- classifiers
def decision_image(problem: Any, theta: Any, ax: Axes | None = None, *, bounds: Any = None,
                   resolution: int = 90, points: bool = True) -> AxesImage:
    """A 2-feature classifier's probability of class 1 as an image, with its data on top.

    ``problem`` is an :class:`~lrlab.models.MLP` (or any model with
    ``predict_proba(theta, X)``) on 2-D inputs; ``bounds`` defaults to the
    data's range plus a margin.
    """
    ax = _axes(ax)
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
