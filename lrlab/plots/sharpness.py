"""Sharpness along a run drawn: the top Hessian eigenvalue against the step, and ``2 / lr``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt

from .base import COLORS

if TYPE_CHECKING:
    from ..sharpness import SharpnessTrace

__all__ = ["plot_sharpness"]


def plot_sharpness(trace: SharpnessTrace, ax: Any = None) -> Any:
    """Sharpness against step, with the stability limit ``2 / lr`` dashed; returns the Axes.

    Gradient descent on a loss whose sharpness climbs to ``2 / lr`` and hovers
    there is at the edge of stability (Cohen et al. 2021).
    ``ax=None`` makes a pyplot figure (so a notebook shows it), as ``trace.plot()`` does.

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.sharpness import track_sharpness
    >>> from lrlab.surfaces import quadratic
    >>> trace = track_sharpness(quadratic([1.0, 10.0]), sgd(0.1), 20, every=10)
    >>> ax = plot_sharpness(trace)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['sharpness', '2 / lr']
    >>> ax.get_title()
    'Sharpness along the run: at the edge of stability it meets 2 / lr'
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    ax.plot(trace.steps, trace.sharpness, "o-", ms=3, color=COLORS[0], label="sharpness")
    ax.plot(trace.steps, trace.limit, "--", color="k", label="2 / lr")
    ax.set_xlabel("step")
    ax.set_ylabel(r"sharpness $\lambda_{\max}$ of the Hessian")
    ax.set_title("Sharpness along the run: at the edge of stability it meets 2 / lr",
                 fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax
