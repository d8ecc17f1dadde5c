"""Plot helpers: each draws on a given ``ax`` and returns its artists.

Computation lives elsewhere (problems, :func:`lrlab.train`); these functions only
draw, and every one that shows something that changes has a ``set_*``
partner that moves the returned artists in place (``set_data``,
``set_segments``), so an interactive view builds its figure once.

``ax=None`` makes a new, standalone figure (never a pyplot figure, so nothing
leaks) — handy in a script::

    ax = lrlab.plots.contours(problem)      # an Axes of a fresh Figure
    ax.figure.savefig("bowl.png")

Examples
--------
>>> import numpy as np
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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._validation import check_int, check_real

__all__ = [
    "COLORS",
    "REGIME_COLORS",
    "cobweb",
    "cobweb_path",
    "contours",
    "curve",
    "decade_limits",
    "loss_curve",
    "lr_curve",
    "new_axes",
    "set_cobweb",
    "set_loss_curve",
    "set_steps_1d",
    "set_trajectory",
    "stability_regimes",
    "steps_1d",
    "surface_grid",
    "trajectory",
    "view_bounds",
]

#: Colours of successive runs (colour-blind safe: Okabe & Ito 2008).
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#F0E442")
#: Shading of the three regimes of gradient descent on a quadratic.
REGIME_COLORS = {"monotone": "#cdeccd", "oscillating": "#fde7b0", "diverging": "#f8c9c4"}


def new_axes(figsize: tuple[float, float] = (5.0, 4.0), **kwargs: Any) -> Axes:
    """An Axes on a new Figure with an Agg canvas (not registered with pyplot)."""
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot(**kwargs)


def _axes(ax: Axes | None, **kwargs: Any) -> Axes:
    return new_axes(**kwargs) if ax is None else ax


# --------------------------------------------------------------------------- 2-D surfaces
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
    ax = _axes(ax)
    X, Y, Z = surface_grid(problem, bounds, resolution)
    finite = Z[np.isfinite(Z)]
    zmin = float(finite.min())
    excess = finite - zmin
    lo = max(float(np.quantile(excess, 0.005)), 1e-6 * max(float(excess.max()), 1e-12))
    hi = max(float(np.quantile(excess, 0.98)), lo * 10)
    lv = zmin + np.geomspace(lo, hi, levels)
    if filled:  # shade by log(excess) so a valley floor and its walls both show
        W = np.log10(np.where(np.isfinite(Z), Z, np.inf) - zmin + 0.5 * lo)
        ax.contourf(X, Y, W, levels=np.log10(np.concatenate([[0.5 * lo], lv - zmin + 0.5 * lo])),
                    cmap=cmap, alpha=0.6, extend="max")
    cs = ax.contour(X, Y, Z, levels=lv, colors="#445", linewidths=0.6, alpha=0.6)
    if show_minima and getattr(problem, "minima", None) is not None:
        m = np.asarray(problem.minima)
        ax.plot(m[:, 0], m[:, 1], "*", color="#222", markersize=11, zorder=3,
                label="minimum" if len(m) == 1 else "minima")
    ax.set_xlim(X[0, 0], X[0, -1])
    ax.set_ylim(Y[0, 0], Y[-1, 0])
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    return cs


def trajectory(params: Any, ax: Axes | None = None, *, color: str | None = None,
               label: str | None = None, marker: str = "o", markersize: float = 3.0,
               **kwargs: Any) -> Line2D:
    """The path of the iterates ``params`` (shape ``(T + 1, 2)``) as a line with dots.

    Iterates after a divergence are NaN and simply not drawn.
    """
    standalone = ax is None
    ax = _axes(ax)
    kwargs.setdefault("linewidth", 1.4)
    (line,) = ax.plot([], [], marker=marker, markersize=markersize,
                      color=color or _next_color(ax), label=label, **kwargs)
    set_trajectory(line, params)
    if standalone:
        ax.relim()
        ax.autoscale_view()
    return line


def set_trajectory(line: Line2D, params: Any) -> None:
    """Move a :func:`trajectory` line to new iterates."""
    p = np.asarray(params, dtype=float).reshape(-1, 2)
    line.set_data(p[:, 0], p[:, 1])


def _next_color(ax: Axes) -> str:
    """The palette colour after the lines already on ``ax`` (so curves added without a
    ``color`` differ, in lrlab's colour-blind-safe palette)."""
    return COLORS[len(ax.lines) % len(COLORS)]


# ----------------------------------------------------------------------------- curves
def loss_curve(loss: Any, ax: Axes | None = None, *, f_star: float | None = None,
               color: str | None = None, label: str | None = None, **kwargs: Any) -> Line2D:
    """Loss (or suboptimality ``loss - f_star``) against the step, log scale.

    ``loss`` is an array of shape ``(T + 1,)`` or a single-run History.
    """
    ax = _axes(ax)
    kwargs.setdefault("linewidth", 1.5)
    (line,) = ax.plot([], [], color=color or _next_color(ax), label=label, **kwargs)
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
    ax = _axes(ax)
    t = np.arange(check_int(num_steps, "num_steps", "lr_curve", low=1))
    lr = np.array([float(np.asarray(schedule(int(s)))) for s in t])
    (line,) = ax.plot(t, lr, color=color or _next_color(ax), label=label, linewidth=1.5, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"learning rate $\eta_t$")
    return line


def decade_limits(values: Any, *, min_decades: float = 2.0, floor: float = 1e-16,
                  ceiling: float = 1e12) -> tuple[float, float]:
    """Whole-decade log-axis limits enclosing the positive finite ``values``.

    Views use them so the axis (part of the cached background) changes only
    when the data leave a decade, not on every update.

    >>> decade_limits([0.003, 42.0])
    (0.001, 100.0)
    """
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return (0.1, 10.0)
    lo = np.floor(np.log10(max(float(v.min()), floor)))
    hi = np.ceil(np.log10(min(float(v.max()), ceiling)))
    if hi - lo < min_decades:
        lo = hi - min_decades
    return (float(10.0**lo), float(10.0**hi))


# ------------------------------------------------------------------- 1-D: steps, cobweb
def curve(problem: Any, xlim: tuple[float, float], ax: Axes | None = None, *,
          num: int = 400, color: str = "#333", **kwargs: Any) -> Line2D:
    """The graph of a 1-D problem's loss on ``xlim``."""
    ax = _axes(ax)
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
    ax = _axes(ax)
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
    ax = _axes(ax)
    (line,) = ax.plot([], [], color=color, linewidth=1.3, zorder=4)
    set_cobweb(line, xs)
    return line


def set_cobweb(line: Line2D, xs: Any) -> None:
    """Move a :func:`cobweb` staircase to new iterates."""
    p = cobweb_path(xs)
    line.set_data(p[:, 0], p[:, 1])


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
