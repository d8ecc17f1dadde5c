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


def _stepped(problem, lrs, x0, num_steps, *, noise=0.0, seed=0, escape=1e6):
    """final_points the slow way: every run stepped to the end, one draw of noise per step."""
    x = np.broadcast_to(np.asarray(x0, float),
                        (*np.broadcast_shapes(np.shape(lrs), np.shape(x0)[:-1]),
                         problem.dim)).copy()
    lr = np.broadcast_to(lrs, x.shape[:-1])[..., None]
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        for _ in range(num_steps):
            g = problem._grad(x, None)
            if noise > 0:
                g = g + noise * rng.standard_normal(x.shape)
            x = x - lr * g
            bad = ~np.all(np.abs(x) < escape, axis=-1, keepdims=True)
            x = np.where(bad, np.nan, x)
    return x


@pytest.mark.parametrize("noise", [0.0, 0.7])
@pytest.mark.parametrize("ks", [20.0, 3.0])
def test_final_points_equal_stepping_every_run_to_the_end(ks, noise):
    """Runs set aside at a fixed point or after diverging end bit for bit where they would."""
    from lrlab.surfaces import double_well

    well = double_well(sharp_curvature=ks)
    lrs = np.geomspace(1e-2, 3.0, 40)[:, None]
    starts = np.linspace(-2.0, 2.5, 60)[None, :, None]
    got = final_points(well, lrs, starts, 120, noise=noise, seed=2)
    want = _stepped(well, lrs, starts, 120, noise=noise, seed=2)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isnan(want).any() and (noise > 0 or np.isfinite(want).any())
    again = final_points(well, lrs, starts, 120, noise=noise, seed=2)  # kept draws
    assert np.array_equal(again, want, equal_nan=True)


def test_final_points_in_2d_equal_stepping_and_record_a_path():
    from lrlab.surfaces import double_well

    well = double_well(dim=2)
    x0 = np.stack(np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-1, 1, 5)), axis=-1)
    got = final_points(well, 0.08, x0, 64, noise=0.3, seed=1)
    assert np.array_equal(got, _stepped(well, 0.08, x0, 64, noise=0.3, seed=1), equal_nan=True)
    path = final_points(well, [[0.02], [0.5]], [[-1.5, 0.5]], 40, record_at=[8, 16, 40])
    for k, row in zip([8, 16, 40], path, strict=True):
        assert np.array_equal(row, _stepped(well, [[0.02], [0.5]], [[-1.5, 0.5]], k),
                              equal_nan=True)
