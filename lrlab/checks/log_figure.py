"""Self-check for assignment 6's figure: ``plot_log(log, title=None) -> Figure``.

A figure is the evidence of a diagnosis, so the check asks what makes one
readable: a :class:`matplotlib.figure.Figure` with at least three panels (the
loss, the learning rate, the update ratio or the gradient norm), the loss on a
logarithmic axis, nothing empty, and the loss axis clipped so that the part of
a run before it blew up is not squashed into one line by the last, astronomic,
losses.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from ._core import CheckResult, not_implemented
from ._guard import capped_output, time_limit
from .diagnose import _TIME_LIMIT_S, _f

__all__ = ["check_plot_log"]


def check_plot_log(plot_log: Callable, logs: dict) -> CheckResult:
    """Check ``plot_log(log, title=None)``: a Figure, enough panels, readable.

    It draws the first log and every log whose recorded losses reach above 1000 times its
    largest finite full-data training loss (a run that blew up), not all of them.

    The figure must be a :class:`matplotlib.figure.Figure` with at least three
    Axes (loss, rate, update ratio or gradient norm), the first one showing the
    loss on a logarithmic axis, every Axes with something drawn, and the loss
    axis clipped so that the run before a divergence stays readable: its top at
    most 1000 times the largest finite full-data training loss.

    Returns
    -------
    CheckResult
        ``not_a_figure``, ``too_few_panels``, ``empty_panel``, ``linear_loss_axis``
        or ``unclipped_divergence`` when it fails.
    """
    # lrlab's computation modules never import matplotlib: the learner's function did, if it
    # drew anything, so its Figure class and pyplot are found among the loaded modules.
    name = "plot_log"
    if not callable(plot_log):
        return CheckResult(name, False, "error", f"expected the function {name}, got "
                           f"{type(plot_log).__name__}.")
    for run in _runs_to_draw(logs):
        log = logs[run]
        try:
            with capped_output(), time_limit(_TIME_LIMIT_S), np.errstate(all="ignore"):
                fig = plot_log(log, title=run)
        except NotImplementedError:
            return not_implemented(name)
        except Exception as exc:  # the learner's code may raise anything
            return CheckResult(name, False, "error",
                               f"plot_log(logs['{run}']) raised {type(exc).__name__}: {exc}")
        try:
            figure_type = getattr(sys.modules.get("matplotlib.figure"), "Figure", None)
            problem = _plot_problem(run, fig, log, figure_type)
        finally:
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None and figure_type is not None and isinstance(fig, figure_type):
                pyplot.close(fig)
        if problem is not None:
            return CheckResult(name, False, *problem)
    drawn = _runs_to_draw(logs)
    return CheckResult(name, True, None, f"a readable figure of {', '.join(drawn)} (the first "
                       "log, and every log whose losses reach far above its full-data ones).")


def _runs_to_draw(logs: dict) -> list[str]:
    """The first run, and every run whose recorded losses exceed 1000 x its largest finite
    full-data training loss (where an unclipped axis hides the run): drawing all of them
    costs seconds, and these are the logs on which a figure can go wrong."""
    runs = sorted(logs)
    tall = []
    for run in runs[1:]:
        loss = np.asarray(logs[run]["loss"], dtype=float)
        train = np.asarray(logs[run]["train_loss"], dtype=float)
        if np.any(np.isfinite(loss)) and np.any(np.isfinite(train)) and \
                np.nanmax(np.where(np.isfinite(loss), loss, np.nan)) > 1000 * np.nanmax(train):
            tall.append(run)
    return runs[:1] + tall


def _plot_problem(run: str, fig: Any, log: dict,
                  figure_type: type | None) -> tuple[str, str] | None:
    if figure_type is None or not isinstance(fig, figure_type):
        return ("not_a_figure", f"plot_log(logs['{run}']) returned {type(fig).__name__}, not a "
                "matplotlib Figure: return the figure (fig), not an Axes or None.")
    axes = fig.get_axes()
    if len(axes) < 3:
        return ("too_few_panels", f"the figure of {run} has {len(axes)} panel(s); show at "
                "least the loss, the learning rate and the update ratio (or gradient norm).")
    for i, ax in enumerate(axes):
        if not (ax.lines or ax.collections or ax.patches or ax.images):
            return ("empty_panel", f"panel {i} of the figure of {run} is empty.")
    loss_ax = axes[0]
    if loss_ax.get_yscale() != "log":
        return ("linear_loss_axis", f"the loss panel (the first Axes) of {run} has a "
                "linear y axis: a loss that falls from 3 to 0.001 is then a flat line at the "
                "bottom. Use ax.set_yscale('log').")
    train = np.asarray(log["train_loss"], dtype=float)
    top = 1000 * np.max(train[np.isfinite(train)])
    if loss_ax.get_ylim()[1] > top:
        return ("unclipped_divergence", f"the loss panel of {run} reaches up to "
                f"{_f(loss_ax.get_ylim()[1])}: the last steps before a blow-up squash the "
                "rest of the run into one line. Clip the y axis (ax.set_ylim) to the range of "
                "the finite full-data losses and mark where the run ended.")
    return None
