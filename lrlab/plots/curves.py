"""Curves against the step or the rate: loss, schedule, and the three regimes of a step size."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from .._validation import check_int, check_real
from .base import REGIME_COLORS, axes_or_new, next_color

__all__ = ["loss_curve", "lr_curve", "set_loss_curve", "stability_regimes"]


def loss_curve(loss: Any, ax: Axes | None = None, *, f_star: float | None = None,
               color: str | None = None, label: str | None = None, **kwargs: Any) -> Line2D:
    """Loss (or suboptimality ``loss - f_star``) against the step, log scale.

    ``loss`` is an array of shape ``(T + 1,)`` or a single-run History.
    """
    ax = axes_or_new(ax)
    kwargs.setdefault("linewidth", 1.5)
    (line,) = ax.plot([], [], color=color or next_color(ax), label=label, **kwargs)
    set_loss_curve(line, loss, f_star=f_star)
    ax.set_yscale("log")
    ax.relim()
    ax.autoscale_view()
    ax.set_xlabel("step $t$")
    ax.set_ylabel("loss" if f_star is None else r"$f(\theta_t) - f^\star$")
    return line


def set_loss_curve(line: Line2D, loss: Any, *, f_star: float | None = None) -> None:
    """Move a :func:`loss_curve` line to new values (non-positive values are hidden)."""
    y = np.asarray(getattr(loss, "loss", loss), dtype=float)
    if f_star is not None:
        y = y - f_star
    y = np.where(y > 0, y, np.nan)
    line.set_data(np.arange(len(y)), y)


def lr_curve(schedule: Any, num_steps: int, ax: Axes | None = None, *,
             color: str | None = None, label: str | None = None, **kwargs: Any) -> Line2D:
    """A schedule ``lr(t)`` for ``t = 0 .. num_steps - 1`` on a log axis."""
    ax = axes_or_new(ax)
    t = np.arange(check_int(num_steps, "num_steps", "lr_curve", low=1))
    lr = np.array([float(np.asarray(schedule(int(s)))) for s in t])
    (line,) = ax.plot(t, lr, color=color or next_color(ax), label=label, linewidth=1.5, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"learning rate $\eta_t$")
    return line


def stability_regimes(ax: Axes, L: float = 1.0, lr_range: tuple[float, float] | None = None,
                      *, log: bool = False, labels: bool = True) -> dict:
    """Shade the learning-rate axis by what gradient descent does on curvature ``L``.

    On ``f = L/2 x^2`` one step multiplies the error by ``1 - lr L``, so

    * ``lr < 1/L``: factor in [0, 1): monotone convergence (``lr = 1/L``: one step);
    * ``1/L < lr < 2/L``: factor in (-1, 0): oscillating convergence;
    * ``lr > 2/L``: ``|factor| > 1``: divergence.

    With ``L = 1`` the axis reads in units of ``lr * L``, which is the same
    picture for every curvature.

    Parameters
    ----------
    ax : Axes
        Where to draw; its x axis becomes the learning rate.
    L : float > 0
        Curvature (smoothness constant).
    lr_range : (float, float), optional
        Axis limits; ``(0, 3/L)`` on a linear axis, ``(0.01/L, 100/L)`` on a log one.
    log : bool
        Log-scaled learning-rate axis.
    labels : bool
        Write the regime names.

    Returns
    -------
    dict
        ``{'monotone': Polygon, 'oscillating': ..., 'diverging': ..., 'texts': [...]}``
    """
    L = check_real(L, "L", "stability_regimes", low=0, low_open=True)
    if lr_range is None:
        lr_range = (1e-2 / L, 1e2 / L) if log else (0.0, 3.0 / L)
    lo, hi = lr_range
    if log:
        ax.set_xscale("log")
    ax.set_xlim(lo, hi)
    spans = {"monotone": (lo, 1 / L), "oscillating": (1 / L, 2 / L), "diverging": (2 / L, hi)}
    out: dict = {"texts": []}
    for name, (a, b) in spans.items():
        out[name] = ax.axvspan(a, b, color=REGIME_COLORS[name], zorder=0)
        if labels and b > lo and a < hi:
            a, b = max(a, lo), min(b, hi)
            mid = np.sqrt(a * b) if log else 0.5 * (a + b)
            out["texts"].append(ax.text(mid, 0.5, name, transform=ax.get_xaxis_transform(),
                                        ha="center", va="center", fontsize=9, color="#333"))
    for v, txt in ((1 / L, "1/L"), (2 / L, "2/L")):
        if lo < v < hi:
            ax.axvline(v, color="#555", linewidth=0.8, linestyle="--", zorder=1)
            out["texts"].append(ax.text(v, 1.02, txt, transform=ax.get_xaxis_transform(),
                                        ha="center", va="bottom", fontsize=8, color="#333"))
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_yticks([])
    return out
