"""Everything that draws: each function draws on a given ``ax`` and returns its artists.

Computation lives elsewhere (problems, :func:`lrlab.train`, :mod:`lrlab.finder`,
:mod:`lrlab.basins`, ...); these functions only draw, and every one that
shows something that changes has a ``set_*`` partner that moves the
returned artists in place, so an interactive view builds its figure once.
``ax=None`` makes a new, standalone figure (never a pyplot figure, so nothing
leaks), except for the three result plots (``plot_range_test``,
``plot_search``, ``plot_sharpness``, which ``result.plot()`` calls): they
make a pyplot figure, so a notebook shows it.

==================================  ==============================================
module                              what it draws
==================================  ==============================================
:mod:`lrlab.plots.base`             colours, a standalone Axes, log-axis limits
:mod:`lrlab.plots.landscape`        2-D contours, paths of the iterates, arrows,
                                    a classifier's decision regions
:mod:`lrlab.plots.curves`           loss and learning rate against the step; the
                                    three regimes of a step size
:mod:`lrlab.plots.epochs`           loss against the epoch, one curve per run, the
                                    end of every blown-up run marked
:mod:`lrlab.plots.one_d`            a 1-D loss, gradient steps on it, cobwebs
:mod:`lrlab.plots.rates`            per-coordinate learning rates as bars
:mod:`lrlab.plots.basins`           basin maps (start point x learning rate)
:mod:`lrlab.plots.range_test`       a range test with its suggestions marked
:mod:`lrlab.plots.search`           a learning-rate search's validation scores
:mod:`lrlab.plots.sharpness`        sharpness along a run against ``2 / lr``
==================================  ==============================================

This package imports matplotlib; no computation module of lrlab imports it
(or this package) when it is imported.
"""

from .base import (
    COLORS,
    REGIME_COLORS,
    axes_or_new,
    decade_limits,
    new_axes,
    next_color,
    title_text,
)
from .basins import BASIN_COLORS, basin_image, set_basin_image
from .curves import loss_curve, lr_curve, set_loss_curve, stability_regimes
from .ellipses import ellipse_contours, set_ellipse_contours
from .epochs import end_of_run, epoch_curves
from .landscape import (
    arrows,
    contours,
    decision_image,
    set_arrows,
    set_decision_image,
    set_trajectory,
    surface_grid,
    trajectory,
    view_bounds,
)
from .one_d import cobweb, cobweb_path, curve, set_cobweb, set_steps_1d, steps_1d
from .range_test import plot_grid_comparison, plot_range_test
from .rates import rate_bars, set_rate_bars
from .search import plot_search
from .sharpness import plot_sharpness

__all__ = [
    "BASIN_COLORS", "COLORS", "REGIME_COLORS", "arrows", "axes_or_new", "basin_image", "cobweb",
    "cobweb_path", "contours", "curve", "decade_limits", "decision_image", "ellipse_contours",
    "end_of_run",
    "epoch_curves", "loss_curve",
    "lr_curve", "new_axes", "next_color", "plot_grid_comparison", "plot_range_test", "plot_search",
    "plot_sharpness",
    "rate_bars", "set_arrows", "set_basin_image", "set_cobweb", "set_decision_image",
    "set_ellipse_contours",
    "set_loss_curve", "set_rate_bars", "set_steps_1d", "set_trajectory", "stability_regimes",
    "steps_1d", "surface_grid", "title_text", "trajectory", "view_bounds",
]
