"""Tests of the running example: lrlab.datasets.digits_split, lrlab.trainer.epochs,
lrlab.examples.digits and the MLP's leaky ReLU.

The numbers asserted here (sizes, accuracy, where a rate turns into NaN) are the
ones the course states; docs in notes/running_example.md.
"""

from __future__ import annotations

import numpy as np
import pytest

import lrlab
from lrlab.datasets import blobs, digits, digits_split, noisy_line
from lrlab.examples import RunningExample, digits_network, running_example
from lrlab.models import MLP, LinearRegression, LogisticRegression
from lrlab.trainer.epochs import EpochRun, steps_per_epoch, train_epochs

pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def split():
    return digits_split()


@pytest.fixture(scope="module")
def example():
    return running_example()


@pytest.fixture(scope="module")
def good_run(example):
    """The course's reference run: plain SGD, lr 0.3, 20 epochs, seed 0."""
    return example.fit(lrlab.sgd(0.3), 20, seed=0)


# ------------------------------------------------------------------ the split
def test_split_sizes_and_shapes(split):
    assert split.sizes == {"train": 1077, "validation": 360, "test": 360}
    for part in ("train", "validation", "test"):
        data = getattr(split, part)
        assert data.X.shape == (split.sizes[part], 64) and data.X.dtype == np.float64
        assert data.y.dtype == np.int64 and set(np.unique(data.y)) == set(range(10))
    assert repr(split) == "DigitsSplit(seed=0, train=1077, validation=360, test=360)"


def test_parts_are_disjoint_cover_the_data_and_keep_the_labels(split):
    rows = [split.indices[p] for p in ("train", "validation", "test")]
    everything = np.concatenate(rows)
    assert len(everything) == 1797 and len(np.unique(everything)) == 1797
    assert all(np.all(np.diff(r) > 0) for r in rows)  # sorted
    raw = digits(standardize=False)
    for part, r in zip(("train", "validation", "test"), rows, strict=True):
        np.testing.assert_array_equal(getattr(split, part).y, raw.y[r])
    with pytest.raises(ValueError):
        split.indices["test"][0] = 0  # read-only: nobody moves an image between parts


def test_parts_are_stratified(split):
    counts = np.bincount(digits(standardize=False).y)
    for part in ("validation", "test"):
        share = counts * 360 / 1797
        assert np.all(np.abs(np.bincount(getattr(split, part).y) - share) < 1)


def test_same_seed_same_split_other_seed_other_split(split):
    again, other = digits_split(0), digits_split(1)
    for part in ("train", "validation", "test"):
        np.testing.assert_array_equal(again.indices[part], split.indices[part])
        np.testing.assert_array_equal(getattr(again, part).X, getattr(split, part).X)
    overlap = np.intersect1d(other.indices["test"], split.indices["test"]).size
    assert 30 < overlap < 120  # about 20 % of 360: an independent draw
    assert other.sizes == split.sizes


def test_sizes_can_change():
    small = digits_split(3, validation_size=100, test_size=200)
    assert small.sizes == {"train": 1497, "validation": 100, "test": 200}


def test_standardised_with_training_statistics_like_scikit_learns_scaler(split):
    from sklearn.preprocessing import StandardScaler

    raw = digits(standardize=False).X
    scaler = StandardScaler().fit(raw[split.indices["train"]])
    for part in ("train", "validation", "test"):
        np.testing.assert_allclose(getattr(split, part).X,
                                   scaler.transform(raw[split.indices[part]]), atol=1e-12)
    std = split.train.X.std(axis=0)
    np.testing.assert_allclose(split.train.X.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.isclose(std, 1.0) | (std == 0.0))
    # held-out parts are *not* centred on their own statistics
    assert np.abs(split.test.X.mean(axis=0)).max() > 0.05
    np.testing.assert_array_equal(split.standardize(raw[split.indices["test"]]), split.test.X)


def test_no_statistic_of_the_held_out_parts_leaks_into_training(split, monkeypatch):
    """Change every validation and test image drastically: the training part must not move."""
    import lrlab.datasets.holdout as module

    clean = digits(standardize=False)
    X = clean.X.copy()
    held_out = np.concatenate([split.indices["validation"], split.indices["test"]])
    X[held_out] = 1000.0 + 50.0 * X[held_out]
    monkeypatch.setattr(module, "digits", lambda standardize=False: type(clean)(X, clean.y,
                                                                                "digits"))
    tampered = module.digits_split(0)
    np.testing.assert_array_equal(tampered.indices["test"], split.indices["test"])
    np.testing.assert_array_equal(tampered.train.X, split.train.X)
    np.testing.assert_array_equal(tampered.mean, split.mean)
    np.testing.assert_array_equal(tampered.scale, split.scale)
    assert not np.allclose(tampered.test.X, split.test.X)


def test_raw_pixels_without_standardisation():
    raw = digits_split(standardize=False)
    assert raw.train.X.min() == 0.0 and raw.train.X.max() == 16.0
    np.testing.assert_array_equal(raw.mean, 0.0)
    np.testing.assert_array_equal(raw.scale, 1.0)


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: digits_split(-1), ValueError, "'seed' parameter of digits_split"),
    (lambda: digits_split(0.5), TypeError, "'seed' parameter of digits_split"),
    (lambda: digits_split(validation_size=5), ValueError,
     r"'validation_size' parameter of digits_split must be an int in \[10, 1687\]"),
    (lambda: digits_split(test_size=1500), ValueError,
     r"'test_size' parameter of digits_split must be an int in \[10, 1337\]. Got 1500"),
    (lambda: digits_split(standardize=1), TypeError, "'standardize' parameter of digits_split"),
    (lambda: digits_split().standardize(np.zeros((3, 8))), ValueError,
     "'X' parameter of DigitsSplit.standardize must be a 2-D array of raw pixels with 64"),
    (lambda: running_example(split_seed=-2), ValueError, "'split_seed' parameter of running"),
    (lambda: running_example(batch_size=2000), ValueError,
     r"'batch_size' parameter of running_example must be an int in \[1, 1077\]"),
])
def test_bad_arguments_get_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------- the network
def test_network_shapes_and_initialisation(example, split):
    net = example.network
    assert net.sizes == (64, 128, 64, 10) and net.dim == 17226
    assert net.name == "MLP 64-128-64-10 leaky_relu" and net.n_samples == 1077
    assert example.validation.n_samples == 360 and example.validation.dim == net.dim
    (W1, b1), (W2, b2), (W3, b3) = net.unflatten(net.x0)
    assert W1.shape == (64, 128) and W2.shape == (128, 64) and W3.shape == (64, 10)
    assert not (b1.any() or b2.any() or b3.any())
    assert abs(W1.std() - np.sqrt(2 / (1.0001 * 64))) < 0.01  # He-normal, torch's leaky gain
    assert abs(W2.std() - np.sqrt(2 / (1.0001 * 128))) < 0.01
    assert np.abs(W3).max() <= np.sqrt(6 / 74)  # Glorot-uniform output layer
    np.testing.assert_array_equal(digits_network(split, seed=0).x0, net.x0)
    assert example.steps_per_epoch == 34 and steps_per_epoch(1077, 32) == 34
    assert example.initial_params(range(3)).shape == (3, 17226)
    np.testing.assert_array_equal(example.initial_params(0), net.x0)
    assert not np.array_equal(example.initial_params(1), net.x0)


def test_leaky_relu_gradient_and_hessian_vector_product_match_finite_differences():
    rng = np.random.default_rng(0)
    net = MLP(blobs(40, seed=1), hidden=(6, 5), activation="leaky_relu", seed=2)
    theta = net.x0 + 0.3 * rng.standard_normal(net.dim)
    eps = 1e-6
    eye = np.eye(net.dim)
    fd = np.array([(net.loss(theta + eps * e) - net.loss(theta - eps * e)) / (2 * eps)
                   for e in eye])
    np.testing.assert_allclose(net.grad(theta), fd, atol=1e-8)
    v = rng.standard_normal(net.dim)
    fd_hv = (net.grad(theta + eps * v) - net.grad(theta - eps * v)) / (2 * eps)
    np.testing.assert_allclose(net.hvp(theta, v), fd_hv, atol=1e-7)
    # negative inputs keep 1 % of their slope: the gradient of a "dead" unit is not zero
    h = net._forward(net._params(theta), net.data.X)[1]
    assert (h < 0).any() and np.all(net._dphi(h)[h < 0] == 0.01)


def test_leaky_relu_is_torchs_leaky_relu():
    torch = pytest.importorskip("torch")
    net = MLP(blobs(30, seed=0), hidden=(5,), activation="leaky_relu", seed=0)
    (W1, b1), (W2, b2) = net.unflatten(net.x0 + 0.5)
    X = torch.tensor(net.data.X)
    z = torch.nn.functional.leaky_relu(X @ torch.tensor(W1) + torch.tensor(b1)) @ \
        torch.tensor(W2) + torch.tensor(b2)
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(net.data.y))
    assert float(net.loss(net.x0 + 0.5)) == pytest.approx(float(loss), rel=1e-12)


# ------------------------------------------------------------------- training
def test_fixed_seed_run_reaches_the_stated_accuracy(example, good_run):
    """The course states: plain SGD, lr 0.3, 20 epochs -> 96 % test accuracy (>= 95 %)."""
    assert isinstance(good_run, EpochRun) and not good_run.diverged
    assert good_run.epochs.tolist() == list(range(21)) and good_run.steps_per_epoch == 34
    assert good_run.history.num_steps == 680
    assert good_run.val_accuracy[-1] >= 0.96 and good_run.train_accuracy[-1] == 1.0
    assert good_run.train_loss[-1] < 0.01 < good_run.train_loss[0]
    accuracy = example.test_accuracy(good_run.final_params)
    # 0.9639 (347 of 360) here; another BLAS may round differently and move an image or three
    assert accuracy >= 0.95 and accuracy == pytest.approx(0.9639, abs=0.009)


def test_epoch_measurements_are_the_full_data_loss_and_accuracy(example, good_run):
    theta = good_run.final_params
    assert good_run.train_loss[-1] == pytest.approx(float(example.network.loss(theta)),
                                                    rel=1e-12)
    assert good_run.val_loss[-1] == pytest.approx(float(example.validation.loss(theta)),
                                                  rel=1e-12)
    assert good_run.val_accuracy[-1] == example.accuracy(theta)
    assert good_run.train_accuracy[-1] == example.accuracy(theta, "train")
    np.testing.assert_array_equal(good_run.history.eval_loss, good_run.val_loss)
    np.testing.assert_array_equal(good_run.history.eval_steps, np.arange(21) * 34)
    # epoch 0 is the start
    assert good_run.train_loss[0] == pytest.approx(float(example.network.loss(example.network.x0)))
    # the best epoch's parameters have the lowest validation loss
    best = int(good_run.best_epoch)
    assert good_run.val_loss[best] == np.min(good_run.val_loss)
    assert float(example.validation.loss(good_run.best_params)) == pytest.approx(
        good_run.val_loss[best], rel=1e-12)


def test_same_seed_same_run_other_seed_other_run(example, good_run):
    again = example.fit(lrlab.sgd(0.3), 2, seed=0)
    np.testing.assert_array_equal(again.val_loss, good_run.val_loss[:3])
    other = example.fit(lrlab.sgd(0.3), 2, seed=1)
    assert not np.array_equal(other.val_loss[1:], again.val_loss[1:])
    assert other.val_loss[0] != again.val_loss[0]  # the seed also draws the initial weights


def test_one_call_with_many_rates_equals_separate_calls(example):
    both = example.fit(lrlab.sgd(np.array([0.05, 0.5])), 2, seed=4)
    for j, lr in enumerate((0.05, 0.5)):
        alone = example.fit(lrlab.sgd(lr), 2, seed=4)
        np.testing.assert_allclose(both.val_loss[:, j], alone.val_loss, rtol=1e-12)
        np.testing.assert_allclose(both.train_accuracy[:, j], alone.train_accuracy)
        np.testing.assert_allclose(both.final_params[j], alone.final_params, rtol=1e-10,
                                   atol=1e-14)


def test_several_initialisations_in_one_call(example):
    run = example.fit(lrlab.sgd(0.3), 1, x0=example.initial_params([0, 1, 2]))
    assert run.run_shape == (3,) and run.final_params.shape == (3, 17226)
    assert len(set(run.val_loss[0].tolist())) == 3


def test_far_too_large_rates_end_in_nan_or_inf_as_a_result(example):
    """The course's 'way too high' (lr 2) overflows in 11 steps; lr 1 climbs, then blows up."""
    run = example.fit(lrlab.sgd(np.array([1.0, 2.0, 0.3])), 8, seed=0, divergence_factor=None)
    h = run.history
    assert h.status().tolist()[1:] == ["diverged", "finished"]
    assert int(h.diverged_at[1]) in (10, 11, 12) and str(h.reason[1]) == "loss became nan"
    # lr 1 (chaotic: here inf at step 260) climbs from its best and, mostly, blows up
    assert np.nanmax(run.train_loss[4:, 0]) > 2 * np.min(run.train_loss[:4, 0])
    # everything after the end is blank; the final parameters of a diverged run are NaN
    assert np.isnan(run.val_loss[1:, 1]).all() and np.isnan(run.final_params[1]).all()
    assert np.isfinite(run.val_loss[:, 2]).all() and np.isfinite(run.final_params[2]).all()
    assert run.best_epoch.tolist()[1:] == [0, int(np.argmin(run.val_loss[:, 2]))]
    if h.diverged[0]:
        end = int(h.diverged_at[0]) // run.steps_per_epoch
        assert np.isnan(run.val_loss[end + 1:, 0]).all()
        assert np.isfinite(run.val_loss[:end + 1, 0]).all()
        assert np.isnan(run.final_params[0]).all()
    # with the trainer's default test the same run stops as soon as its loss passes 1e5 x start
    stopped = example.fit(lrlab.sgd(2.0), 1, seed=0)
    assert stopped.diverged and int(stopped.history.diverged_at) < 11
    assert "exceeded" in str(stopped.history.reason)


def test_test_accuracy_is_separate_from_choosing(example, good_run):
    with pytest.raises(ValueError, match=r"'part' parameter of RunningExample\.accuracy"):
        example.accuracy(good_run.final_params, "test")
    acc = example.test_accuracy(np.stack([good_run.final_params, example.network.x0]))
    assert acc.shape == (2,) and acc[0] > 0.95 > 0.3 > acc[1]


def test_running_example_object(example):
    assert isinstance(example, RunningExample)
    assert repr(example) == ("RunningExample(MLP 64-128-64-10 leaky_relu, train=1077, "
                             "validation=360, test=360, batch_size=32)")
    other = running_example(split_seed=5, hidden=(16,), activation="tanh", batch_size=64)
    assert other.network.sizes == (64, 16, 10) and other.steps_per_epoch == 17
    assert other.split.seed == 5


# ---------------------------------------------------------- train_epochs alone
def test_train_epochs_on_logistic_regression():
    data = blobs(120, centers=2, seed=3)
    train_part, val_part = data.split(0.25)
    model = LogisticRegression(train_part, l2=0.1)
    run = train_epochs(model, lrlab.sgd(0.5), 3, validation=model.with_data(val_part),
                       batch_size=10)
    assert run.steps_per_epoch == 9 and run.val_loss.shape == (4,)
    theta = run.final_params
    penalty = 0.05 * theta @ theta
    assert run.train_loss[-1] == pytest.approx(float(model.loss(theta)) - penalty, rel=1e-12)
    assert run.val_accuracy[-1] == float(model.accuracy(theta, val_part))


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda m, v: train_epochs(LinearRegression(noisy_line(20)), lrlab.sgd(0.1), 1,
                               validation=v), TypeError, "'problem' parameter of train_epochs"),
    (lambda m, v: train_epochs(m, lrlab.sgd(0.1), 1, validation=MLP(blobs(20), hidden=2)),
     TypeError, "'validation' parameter of train_epochs must be the same model"),
    (lambda m, v: train_epochs(m, lrlab.sgd(0.1), 0, validation=v), ValueError,
     "'epochs' parameter of train_epochs"),
    (lambda m, v: train_epochs(m, lrlab.sgd(0.1), 1, validation=v, batch_size=0), ValueError,
     "'batch_size' parameter of train_epochs"),
    (lambda m, v: steps_per_epoch(10, 11), ValueError, "'batch_size' parameter of steps_per"),
])
def test_train_epochs_bad_arguments(call, exc, match):
    train_part, val_part = blobs(40, seed=0).split(0.25)
    model = MLP(train_part, hidden=3)
    with pytest.raises(exc, match=match):
        call(model, model.with_data(val_part))


def test_training_leaves_blas_threads_as_they_were(example):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [i["num_threads"] for i in threadpoolctl.threadpool_info()]
    example.fit(lrlab.sgd(0.1), 1)
    assert [i["num_threads"] for i in threadpoolctl.threadpool_info()] == before
