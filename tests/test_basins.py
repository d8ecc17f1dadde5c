"""Basin maps and final points of many runs at once (lrlab.basins)."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import sgd, train
from lrlab.basins import DIVERGED, UNSETTLED, basin_map, final_points
from lrlab.surfaces import double_well, quadratic


def test_final_points_equals_train():
    f = quadratic([1.0, 4.0], x0=[1.0, -2.0])
    lrs = np.array([0.05, 0.2, 0.45])
    end = final_points(f, lrs, f.x0[None, :], 30)
    h = train(f, sgd(lrs), 30)
    np.testing.assert_allclose(end, h.params[-1], rtol=1e-12)


def test_final_points_noise_is_seeded_and_per_run():
    f = double_well()
    a = final_points(f, 0.05, np.full((4, 1), -1.0), 50, noise=1.0, seed=3)
    b = final_points(f, 0.05, np.full((4, 1), -1.0), 50, noise=1.0, seed=3)
    np.testing.assert_array_equal(a, b)
    assert len(np.unique(a[:, 0])) == 4  # every run draws its own noise


def test_final_points_records_the_path_of_one_run():
    from lrlab import surfaces
    from lrlab.basins import final_points

    well = surfaces.double_well()
    at = [1, 11, 21]
    path = final_points(well, 0.3, [-1.5], 21, noise=0.5, record_at=at)
    prefixes = [final_points(well, 0.3, [-1.5], k, noise=0.5) for k in at]
    np.testing.assert_array_equal(path, np.stack(prefixes))
    with pytest.raises(ValueError, match="'record_at' parameter of final_points"):
        final_points(well, 0.3, [-1.5], 5, record_at=[6])


def test_basin_map_stability_limits():
    well = double_well()  # curvatures 20 (at -1) and 1 (at +1)
    bm = basin_map(well, [0.05, 0.15, 0.5, 2.5], [-1.2, 1.2], 400)
    assert bm.labels.tolist() == [[0, 1], [UNSETTLED, 1], [1, 1], [DIVERGED, DIVERGED]]
    np.testing.assert_allclose(bm.fraction(1), [0.5, 0.5, 1.0, 0.0])
    assert "minimum 0: 1" in repr(bm)


def test_basin_map_no_sharp_minimum_above_its_limit():
    well = double_well(sharp_curvature=40.0)
    bm = basin_map(well, np.geomspace(0.06, 1.5, 30), np.linspace(-2, 2.5, 40), 300)
    assert not np.any(bm.labels == 0)  # 2/40 = 0.05 is below every rate here


def test_basin_map_errors():
    well = double_well()
    with pytest.raises(ValueError, match="'tol' parameter of basin_map"):
        basin_map(well, [0.1], [0.0], 10, tol=0)
    with pytest.raises(ValueError, match="'starts' parameter of basin_map"):
        basin_map(well, [0.1], np.zeros((2, 3)), 10)
    with pytest.raises(ValueError, match="'lrs' parameter of final_points"):
        final_points(well, [-0.1], [[0.0]], 10)
    with pytest.raises(TypeError, match="'problem' parameter of basin_map"):
        basin_map("well", [0.1], [0.0], 10)
