"""A learning-rate search drawn: validation score against the rate, the best one marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np

from .base import COLORS

if TYPE_CHECKING:
    from ..search.result import SearchResult

__all__ = ["plot_search"]


def plot_search(result: SearchResult, ax: Any = None) -> Any:
    """Validation score against learning rate (log x), one line per value of the other
    hyperparameter, diverged candidates as crosses; returns the Axes.

    Lines take lrlab's colour-blind-safe :data:`~lrlab.plots.COLORS` in turn (never
    matplotlib's default cycle); the title names the best rate, and the legend sits
    beside the axes, where it covers no point.

    ``ax=None`` makes a pyplot figure (so a notebook shows it), as ``result.plot()`` does.

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.search import grid_search
    >>> from lrlab.surfaces import quadratic
    >>> result = grid_search(quadratic([1.0, 10.0]), sgd, [0.01, 0.1, 0.3], num_steps=20)
    >>> ax = plot_search(result)
    >>> ax.get_xscale(), ax.get_legend().get_texts()[-1].get_text()
    ('log', 'best 0.1')
    >>> ax.get_title()
    'Final loss against the learning rate: best 0.1'
    >>> ax.get_lines()[0].get_color() == COLORS[0]
    True
    >>> plt.close(ax.figure)
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    lrs, scores = result.lrs, result.scores
    ok = np.isfinite(scores)
    if result.param:
        vals = np.array([r[result.param] for r in result.table])
        for k, v in enumerate(np.unique(vals)):
            sel = ok & (vals == v)
            order = np.argsort(lrs[sel])
            ax.plot(lrs[sel][order], scores[sel][order], "o-", ms=4,
                    color=COLORS[k % len(COLORS)], label=f"{result.param}={v:.3g}")
    else:
        order = np.argsort(lrs[ok])
        ax.plot(lrs[ok][order], scores[ok][order], "o-", ms=4, color=COLORS[0],
                label="validation loss")
    if (~ok).any():
        ax.plot(lrs[~ok], np.full((~ok).sum(), np.nanmax(scores[ok]) if ok.any() else 1.0),
                "X", color="k", ms=7, label="diverged")
    ax.axvline(result.best_lr, color="k", ls=":", label=f"best {result.best_lr:.3g}")
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    what = "validation loss" if result.validation != "none" else "final loss"
    ax.set_ylabel(f"{what} (mean over folds)" if result.validation == "kfold" else what)
    ax.set_title(f"{what[0].upper()}{what[1:]} against the learning rate: best "
                 f"{result.best_lr:.3g}", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              borderaxespad=0.0)
    return ax
