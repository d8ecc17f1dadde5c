"""Image-like plot helpers that move in place: rate bars, arrows, basin images."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from lrlab.basins import basin_map
from lrlab.plots import (
    arrows,
    basin_image,
    new_axes,
    rate_bars,
    set_arrows,
    set_basin_image,
    set_rate_bars,
)
from lrlab.surfaces import double_well


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


def test_rate_bars_and_arrows_move_in_place():
    ax = new_axes()
    bars = rate_bars([0.1, np.nan], ax, ylim=(1e-3, 10))
    assert bars[1].get_height() == 0.0  # NaN rate (before the first step): empty bar
    set_rate_bars(bars, [1.0, 0.01])
    np.testing.assert_allclose([b.get_y() + b.get_height() for b in bars], [1.0, 0.01])
    q = arrows([[0, 0]], [[1, 0]], ax)
    set_arrows(q, [[1, 2]], [[0, 3]])
    np.testing.assert_allclose(q.get_offsets(), [[1, 2]])
    assert (float(q.U[0]), float(q.V[0])) == (0.0, 3.0)
    set_arrows(q, [[np.nan, 0]], [[1, 1]])  # NaN hides the arrow without warnings
    assert float(q.U[0]) == 0.0


def test_basin_image_shows_new_map():
    well = double_well()
    a = basin_map(well, [0.05, 0.5], [-1.2, 1.2], 300)
    b = basin_map(well, [0.05, 0.5], [1.2, -1.2], 300)
    mesh = basin_image(a, new_axes())
    before = np.asarray(mesh.get_array()).copy()
    set_basin_image(mesh, b)
    assert not np.array_equal(before, np.asarray(mesh.get_array()))
