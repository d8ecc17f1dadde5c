"""The basin explorer (sharp or flat minimum), driven by its controls."""

from __future__ import annotations

import numpy as np

from lrlab.apps.basins import BasinExplorer
from lrlab.basins import DIVERGED


def test_basin_explorer_fates_and_map():
    app = BasinExplorer(lr=0.05, start=-1.5, resolution=(40, 50), num_steps=300, backend="png")
    assert app.fate == 0
    app.lr.value = 0.5
    assert app.fate == 1
    np.testing.assert_allclose(app.cursor.get_xydata()[0], [-1.5, 0.5])
    app.lr.value = 2.9
    assert app.fate == DIVERGED and "divergence" in app.status_text
    labels = app.map.labels.copy()
    app.sharpness.value = 50.0
    assert not np.array_equal(labels, app.map.labels)
    np.testing.assert_allclose(app.limits[0].get_ydata(), [2 / 50, 2 / 50])
    app.noise.value = 1.0
    assert app.map.noise == 1.0 and app.last_error is None
    app.close()


def test_basin_explorer_legend_does_not_cover_the_map():
    # Regression: the fate legend sat inside the map's upper-left corner, over the fates of
    # the large rates started on the sharp side.
    from lrlab.apps.basins import BasinExplorer

    app = BasinExplorer(lr=0.05, start=-1.5, backend="png")
    app.png()
    renderer = app.figure.canvas.get_renderer()
    legend = app.ax_map.get_legend().get_window_extent(renderer)
    assert legend.x0 >= app.ax_map.get_window_extent(renderer).x1
    assert legend.x1 <= app.figure.bbox.x1  # and not clipped by the figure
    app.close()
