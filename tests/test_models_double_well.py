"""The double well as a data problem: derivatives, per-sample curvatures, Wu-Ma-E threshold."""

import numpy as np
import pytest

from lrlab import sgd, train
from lrlab.linear_stability import mean_square_threshold
from lrlab.models.double_well import DoubleWellData


@pytest.fixture(scope="module")
def well():
    return DoubleWellData()


def test_gradient_and_hvp_match_finite_differences(well):
    xs = np.array([[-1.7], [-0.6], [0.2], [1.3], [2.1]])
    h = 1e-6
    for batch in (None, np.array([0, 3, 7]), np.array([1])):
        fd = (well.loss(xs + h, batch) - well.loss(xs - h, batch)) / (2 * h)
        np.testing.assert_allclose(well.grad(xs, batch)[:, 0], fd, rtol=1e-6, atol=1e-8)
    fd2 = (well.grad(xs + h)[:, 0] - well.grad(xs - h)[:, 0]) / (2 * h)
    np.testing.assert_allclose(well.hvp(xs, np.ones_like(xs))[:, 0], fd2, rtol=1e-6, atol=1e-7)


def test_every_sample_is_fitted_at_both_minima_with_the_chosen_curvatures(well):
    for m in (-1, 1):
        for i in range(well.n_samples):
            assert well.loss(np.array([float(m)]), np.array([i])) == 0.0
            assert well.grad(np.array([float(m)]), np.array([i]))[0] == 0.0
    np.testing.assert_allclose(well.curvatures(-1), [0.0, 40.0] * 10, atol=1e-12)
    np.testing.assert_allclose(well.curvatures(1), 1.0)
    for m in (-1, 1):   # the full loss's curvature at the minimum is the mean
        assert well.hvp(np.array([float(m)]), np.array([1.0]))[0] == pytest.approx(
            well.sharpness(m))
    assert (well.non_uniformity(-1), well.non_uniformity(1)) == pytest.approx((20.0, 0.0))
    custom = DoubleWellData([1.0, 4.0, 9.0], [2.0, 2.0, 2.0], x0=0.5)
    np.testing.assert_allclose(custom.curvatures(-1), [1.0, 4.0, 9.0])
    assert custom.x0.tolist() == [0.5] and custom.n_samples == 3


def test_the_threshold_is_the_exact_mean_square_threshold_of_the_linearization(well):
    lin = well.linearization(-1)
    for B in (1, 2, 3, 5, 10, 19, 20):
        assert well.stability_threshold(-1, B) == pytest.approx(
            mean_square_threshold(lin, batch_size=B), rel=1e-9)
    assert well.stability_threshold(-1) == pytest.approx(2 / 20)      # full batch: 2/a
    assert well.stability_threshold(1, 1) == pytest.approx(2.0)       # uniform: every B


def test_independent_runs_full_batch_is_gradient_descent(well):
    lrs = np.array([0.05, 0.09])
    end = well.independent_runs(lrs, -1.2, 60, batch_size=well.n_samples)
    h = train(well, sgd(lrs), 60, x0=[-1.2], record_params=True)
    np.testing.assert_allclose(end, h.params[-1][:, 0], rtol=1e-10)


def test_below_the_threshold_every_run_converges_to_the_sharp_minimum(well):
    # batch 1: mean-square threshold 0.05 (for this two-point spread it is also the typical one)
    end = well.independent_runs([[0.045], [0.056]], np.full(100, -1.01), 300, batch_size=1,
                                seed=2)
    converged = np.mean(np.abs(end + 1) < 1e-3, axis=1)
    assert converged[0] == 1.0 and converged[1] == 0.0


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"left": [-1.0, 2.0]}, "'left' parameter of DoubleWellData"),
    ({"left": [1.0, 2.0], "right": [1.0, 2.0, 3.0]}, "'right' parameter of DoubleWellData"),
    ({"x0": np.nan}, "'x0' parameter of DoubleWellData"),
])
def test_bad_construction(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DoubleWellData(**kwargs)


def test_bad_arguments(well):
    with pytest.raises(ValueError, match="'minimum' parameter"):
        well.curvatures(0)
    with pytest.raises(ValueError, match="'batch_size' parameter"):
        well.stability_threshold(-1, 0)
    with pytest.raises(ValueError, match="'lrs' parameter"):
        well.independent_runs(-0.1, 0.0, 10, batch_size=1)
