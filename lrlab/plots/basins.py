"""Basin maps: where gradient descent ends, by start point and learning rate."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from ..basins import DIVERGED, UNSETTLED, BasinMap
from .base import axes_or_new

__all__ = ["BASIN_COLORS", "basin_image", "set_basin_image"]


#: Colours of a basin map: diverged, unsettled, then minimum 0, 1, ...
BASIN_COLORS = ("#9e9e9e", "#f2d16b", "#D55E00", "#0072B2", "#009E73", "#CC79A7")


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
        Add a legend of the colours, beside the map (upper left of the space right
        of the axes): a map has data everywhere, so a legend on it would hide some.
    """
    ax = axes_or_new(ax)
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
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  borderaxespad=0.0, fontsize=8, framealpha=0.9)
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
