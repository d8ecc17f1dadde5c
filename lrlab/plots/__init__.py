"""Everything that draws: each function draws on a given ``ax`` and returns its artists.

Computation lives elsewhere (problems, :func:`lrlab.train`, :mod:`lrlab.finder`,
:mod:`lrlab.basins`); these functions only draw, and every one that shows
something that changes has a ``set_*`` partner that moves the returned
artists in place, so an interactive view builds its figure once. ``ax=None``
makes a new, standalone figure (never a pyplot figure, so nothing leaks).

==============================  ==================================================
module                          what it draws
==============================  ==================================================
:mod:`lrlab.plots.base`         colours, axes, contours, trajectories, loss and lr
                                curves, 1-D steps and cobwebs, stability regimes
:mod:`lrlab.plots.images`       per-coordinate rate bars, arrows, basin maps,
                                decision regions
:mod:`lrlab.plots.range_test`   a range test with its suggestions marked
==============================  ==================================================

This package imports matplotlib; no computation module imports it.
"""

from .base import (
    COLORS,
    REGIME_COLORS,
    cobweb,
    cobweb_path,
    contours,
    curve,
    decade_limits,
    loss_curve,
    lr_curve,
    new_axes,
    set_cobweb,
    set_loss_curve,
    set_steps_1d,
    set_trajectory,
    stability_regimes,
    steps_1d,
    surface_grid,
    trajectory,
    view_bounds,
)
from .images import (
    BASIN_COLORS,
    arrows,
    basin_image,
    decision_image,
    rate_bars,
    set_arrows,
    set_basin_image,
    set_decision_image,
    set_rate_bars,
)
from .range_test import plot_range_test

__all__ = [
    "BASIN_COLORS", "COLORS", "REGIME_COLORS", "arrows", "basin_image", "cobweb", "cobweb_path",
    "contours", "curve", "decade_limits", "decision_image", "loss_curve", "lr_curve", "new_axes",
    "plot_range_test", "rate_bars", "set_arrows", "set_basin_image", "set_cobweb",
    "set_decision_image", "set_loss_curve", "set_rate_bars", "set_steps_1d", "set_trajectory",
    "stability_regimes", "steps_1d", "surface_grid", "trajectory", "view_bounds",
]
