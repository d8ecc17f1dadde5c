"""The double well's fast steps (lrlab.well_steps): the generic loop's results, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

import lrlab.basins as basins
from lrlab import surfaces
from lrlab.well_steps import InPlaceGradient, is_double_well


def _both(monkeypatch, function, *args, **kwargs):
    """``function(*args, **kwargs)`` through the generic loop, then through the fast paths."""
    with monkeypatch.context() as m:
        m.setattr(basins, "is_double_well", lambda problem: False)
        slow = function(*args, **kwargs)
    return slow, function(*args, **kwargs)


def test_in_place_gradient_is_the_double_well_gradient():
    for ks in (20.0, 2.0, 0.5):
        well = surfaces.double_well(sharp_curvature=ks, flat_curvature=1.3)
        x = np.concatenate([np.linspace(-6, 6, 10_001), [1e-300, 1e5, -1e200, np.nan, np.inf]])
        grad = InPlaceGradient(well)
        with np.errstate(all="ignore"):
            want = well._grad(x[:, None], None)
            assert np.array_equal(grad(x[:, None]), want, equal_nan=True)
            assert np.array_equal(grad(x[:7, None]), want[:7], equal_nan=True)  # new size


def test_only_the_1d_double_well_takes_the_fast_paths():
    assert is_double_well(surfaces.double_well())
    assert not is_double_well(surfaces.double_well(dim=2))
    assert not is_double_well(surfaces.quadratic([1.0]))


@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_basin_maps_and_single_runs_equal_the_generic_loop(monkeypatch, noise):
    tol = 0.05 if noise == 0 else 0.5
    for ks in (20.0, 3.0):
        well = surfaces.double_well(sharp_curvature=ks)
        lrs, starts = np.geomspace(1e-2, 3.0, 23), np.linspace(-2.0, 2.5, 31)
        slow, fast = _both(monkeypatch, basins.basin_map, well, lrs, starts, 200, noise=noise,
                           tol=tol)
        np.testing.assert_array_equal(slow.labels, fast.labels)
        np.testing.assert_array_equal(slow.final, fast.final)
        for lr in (0.01, 0.05, 0.09, 0.5, 1.9, 3.0):
            for x0 in (-2.0, -1.5, 0.0, 0.7, 2.5, 1e5, 1e200):
                at = np.arange(1, 201, 10)
                slow, fast = _both(monkeypatch, basins.final_points, well, lr, [x0], 191,
                                   noise=noise, record_at=at)
                assert slow.shape == fast.shape
                np.testing.assert_array_equal(slow, fast)
                slow, fast = _both(monkeypatch, basins.basin_map, well, [lr], [x0], 200,
                                   noise=noise, tol=tol)
                np.testing.assert_array_equal(slow.labels, fast.labels)
                np.testing.assert_array_equal(slow.final, fast.final)
                slow, fast = _both(monkeypatch, basins.final_points, well, [[lr]], [[x0]], 200,
                                   noise=noise)
                assert slow.shape == fast.shape
                np.testing.assert_array_equal(slow, fast)
