"""Per-coordinate learning rates as bars (adaptive rules give each coordinate its own).

Examples
--------
>>> bars = rate_bars([0.1, 0.01], labels=["θ₁", "θ₂"])
>>> set_rate_bars(bars, [0.2, 0.02])
>>> [round(float(b.get_y() + b.get_height()), 3) for b in bars]
[0.2, 0.02]
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.container import BarContainer

from .base import COLORS, axes_or_new

__all__ = ["rate_bars", "set_rate_bars"]


def rate_bars(rates: Any, ax: Axes | None = None, *, labels: Any = None,
              colors: Any = None, log: bool = True, ylim: tuple[float, float] | None = None,
              ) -> BarContainer:
    """One bar per coordinate: its effective learning rate (log axis by default).

    NaN rates (before a rule's first step) are drawn as empty bars.
    """
    ax = axes_or_new(ax)
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
    ax.set_xlabel("coordinate")
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
