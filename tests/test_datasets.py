"""Tests of lrlab.datasets: reproducibility, shapes, balance, exact partitions, errors."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from lrlab.datasets import (
    DATASETS,
    Dataset,
    as_dataset,
    blobs,
    digits,
    noisy_line,
    sparse_features,
    spirals,
    two_moons,
)

GENERATED = {
    "noisy_line": lambda seed: noisy_line(60, seed=seed),
    "blobs": lambda seed: blobs(61, centers=4, seed=seed),
    "two_moons": lambda seed: two_moons(61, seed=seed),
    "spirals": lambda seed: spirals(61, arms=3, seed=seed),
    "sparse_features": lambda seed: sparse_features(200, dim=20, seed=seed),
}


@pytest.mark.parametrize("name", GENERATED)
def test_same_seed_same_data_other_seed_other_data(name):
    a, b, c = GENERATED[name](3), GENERATED[name](3), GENERATED[name](4)
    assert isinstance(a, Dataset)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", GENERATED)
def test_shapes_and_dtypes(name):
    data = GENERATED[name](0)
    X, y, label = data  # a data set unpacks
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[0] == data.n == y.shape[0]
    assert isinstance(label, str) and label
    assert np.all(np.isfinite(X))
    if name == "noisy_line":
        assert y.dtype == np.float64 and not data.is_classification and data.n_classes is None
    else:
        assert y.dtype == np.int64 and data.is_classification
        assert set(np.unique(y)) == set(range(data.n_classes))


@pytest.mark.parametrize(("factory", "k"), [
    (lambda: blobs(61, centers=4), 4),
    (lambda: two_moons(61), 2),
    (lambda: spirals(61, arms=3), 3),
])
def test_classes_are_balanced_to_one_sample(factory, k):
    counts = np.bincount(factory().y)
    assert len(counts) == k and counts.sum() == 61 and counts.max() - counts.min() <= 1


def test_noisy_line_is_a_line_plus_noise_of_the_given_std():
    X, y, _ = noisy_line(30, slope=-3.0, intercept=0.5, noise=0.0)
    np.testing.assert_allclose(y, -3.0 * X[:, 0] + 0.5)
    assert X.min() >= -2 and X.max() <= 2
    X, y, _ = noisy_line(20000, noise=0.5, seed=1)
    assert abs(np.std(y - (2.0 * X[:, 0] - 1.0)) - 0.5) < 0.01


def test_two_moons_without_noise_lie_on_their_half_circles():
    data = two_moons(101, noise=0.0)
    outer, inner = data.X[data.y == 0], data.X[data.y == 1]
    assert len(outer) == 51 and len(inner) == 50  # scikit-learn's split of an odd n
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0)
    assert outer[:, 1].min() >= -1e-12 and inner[:, 1].max() <= 0.5 + 1e-12


def test_spirals_radii_and_arms():
    data = spirals(300, arms=3, noise=0.0)
    r = np.hypot(*data.X.T)
    assert r.max() == pytest.approx(1.0) and r.min() == 0.0
    # without noise each arm is phi = 2 pi j / K + 4 r
    phi = np.arctan2(data.X[:, 0], data.X[:, 1])
    expected = 2 * np.pi * data.y / 3 + 4 * r
    keep = r > 0
    np.testing.assert_allclose(np.cos(phi[keep] - expected[keep]), 1.0, atol=1e-12)


def test_blobs_centres_and_spread():
    data = blobs(40, centers=4, spread=0.0)
    np.testing.assert_allclose(data.X[data.y == 0], np.tile([4.0, 0.0], (10, 1)))
    np.testing.assert_allclose(data.X[data.y == 1], np.tile([0.0, 4.0], (10, 1)), atol=1e-12)
    centres = np.array([[0.0, 0.0, 0.0], [10.0, 0.0, 0.0]])
    data = blobs(2000, centers=centres, spread=2.0, seed=2)
    assert data.X.shape == (2000, 3)
    for j in (0, 1):
        pts = data.X[data.y == j]
        np.testing.assert_allclose(pts.mean(axis=0), centres[j], atol=0.2)
        np.testing.assert_allclose(pts.std(axis=0), 2.0, rtol=0.1)


def test_sparse_features_rare_features_carry_the_signal():
    data = sparse_features(20000, dim=40, density=0.05, seed=0)
    X, y = data.X, data.y
    assert set(np.unique(X)) == {0.0, 1.0}
    assert X.mean() == pytest.approx(0.05, rel=0.05)
    assert 0.4 < y.mean() < 0.6
    freq = X.mean(axis=0)
    assert freq[0] > 20 * freq[-1]  # frequencies fall by a factor 100 (up to sampling)
    # how much a feature's presence moves P(y = 1): nothing for the most common one,
    # a lot for the rare ones
    lift = np.array([abs(y[X[:, j] == 1].mean() - y.mean()) for j in range(40)])
    assert lift[0] < 0.03
    assert lift[-10:].mean() > 0.2


def test_digits_offline_and_standardized():
    pytest.importorskip("sklearn")
    data = digits()
    assert data.X.shape == (1797, 64) and data.n_classes == 10 and data.name == "digits"
    std = data.X.std(axis=0)
    np.testing.assert_allclose(data.X.mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.isclose(std, 1.0) | (std == 0.0))
    raw = digits(standardize=False)
    assert raw.X.min() == 0.0 and raw.X.max() == 16.0
    np.testing.assert_array_equal(raw.y, data.y)


def test_digits_are_scikit_learns_arrays_read_without_importing_sklearn_datasets():
    pytest.importorskip("sklearn")
    import subprocess

    module = importlib.import_module("lrlab.datasets.digits")

    code = ("import sys, lrlab.datasets as d; d.digits(); "
            "print('sklearn.datasets' in sys.modules, 'scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]
    from sklearn.datasets import load_digits

    raw = load_digits()
    pixels, labels = module._raw_digits()
    np.testing.assert_array_equal(pixels, raw.data)
    np.testing.assert_array_equal(labels, raw.target)
    assert labels.dtype == np.int64
    # the arrays a caller gets are copies: changing them does not change the next call
    data = digits(standardize=False)
    data.X[0, 0] = 99.0
    assert digits(standardize=False).X[0, 0] == raw.data[0, 0]


def test_digits_fall_back_to_load_digits_without_the_data_file(monkeypatch):
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits

    module = importlib.import_module("lrlab.datasets.digits")

    monkeypatch.setattr(module.Path, "is_file", lambda self: False)
    module._raw_digits.cache_clear()
    try:
        pixels, labels = module._raw_digits()
    finally:
        module._raw_digits.cache_clear()
    np.testing.assert_array_equal(pixels, load_digits().data)
    np.testing.assert_array_equal(labels, load_digits().target)


def test_digits_without_scikit_learn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install scikit-learn.*lrlab\[data\]"):
        digits()


def test_registry_lists_every_factory():
    assert set(DATASETS) == {"noisy line", "blobs", "two moons", "spirals", "sparse features",
                             "digits"}
    for name in ("noisy line", "blobs", "two moons", "spirals"):
        assert isinstance(DATASETS[name](), Dataset)


# ------------------------------------------------------------- split / kfold
def _tagged(data):
    """The same data set with the row number appended, to track samples."""
    return Dataset(np.column_stack([data.X, np.arange(data.n)]), data.y, data.name)


@pytest.mark.parametrize("data", [blobs(101, centers=3), noisy_line(37), spirals(50)],
                         ids=["blobs", "line", "spirals"])
@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5, 0.9])
def test_split_partitions_the_data_exactly(data, fraction):
    data = _tagged(data)
    train, val = data.split(fraction, seed=5)
    assert val.n == round(fraction * data.n) and train.n + val.n == data.n
    rows = np.concatenate([train.X[:, -1], val.X[:, -1]]).astype(int)
    np.testing.assert_array_equal(np.sort(rows), np.arange(data.n))
    for part in (train, val):  # every sample keeps its own target
        np.testing.assert_array_equal(part.y, data.y[part.X[:, -1].astype(int)])
        np.testing.assert_array_equal(part.X, data.X[part.X[:, -1].astype(int)])
    if data.is_classification:  # stratified: each class gives its share (+-1)
        share = fraction * np.bincount(data.y)
        assert np.all(np.abs(np.bincount(val.y, minlength=len(share)) - share) < 1)


def test_split_is_seeded_and_named():
    data = _tagged(two_moons(80))
    a = data.split(0.3, seed=1)[1]
    b = data.split(0.3, seed=1)[1]
    c = data.split(0.3, seed=2)[1]
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    train, val = data.split()
    assert (train.name, val.name) == ("two moons (train)", "two moons (validation)")
    assert val.n == 16 and np.bincount(val.y).tolist() == [8, 8]


@pytest.mark.parametrize("data", [blobs(53, centers=3), noisy_line(20)], ids=["blobs", "line"])
@pytest.mark.parametrize("k", [2, 5, 20])
def test_kfold_validation_parts_partition_the_data(data, k):
    data = _tagged(data)
    folds = data.kfold(k, seed=3)
    assert len(folds) == k
    seen = np.concatenate([val.X[:, -1] for _, val in folds]).astype(int)
    np.testing.assert_array_equal(np.sort(seen), np.arange(data.n))
    sizes = [val.n for _, val in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, val in folds:
        rows = np.concatenate([train.X[:, -1], val.X[:, -1]]).astype(int)
        np.testing.assert_array_equal(np.sort(rows), np.arange(data.n))
        if data.is_classification:
            share = np.bincount(data.y) / k
            assert np.all(np.abs(np.bincount(val.y, minlength=3) - share) < 1)
    again = data.kfold(k, seed=3)
    np.testing.assert_array_equal(folds[0][1].X, again[0][1].X)


def test_subset_and_repr():
    data = blobs(9, centers=3)
    sub = data.subset([0, 2])
    assert sub.n == 2 and sub.name == "blobs"
    np.testing.assert_array_equal(sub.X, data.X[[0, 2]])
    assert repr(data) == "Dataset('blobs', n=9, n_features=2, classes=3)"
    assert repr(noisy_line(5)) == "Dataset('noisy line', n=5, n_features=1)"


def test_as_dataset_accepts_pairs_and_converts_labels():
    data = as_dataset(([[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0]), "demo", task="binary")
    assert data.y.dtype == np.int64 and data.X.dtype == np.float64 and data.name == "data"
    assert as_dataset(([[1.0]], [2.5], "mine"), "demo").name == "mine"


# -------------------------------------------------------------------- errors
@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: noisy_line(0), ValueError, r"'n' parameter of noisy_line must be an int in \[1"),
    (lambda: noisy_line(10, noise=-1), ValueError, "'noise' parameter of noisy_line"),
    (lambda: noisy_line(10, slope=np.inf), ValueError, "'slope'"),
    (lambda: noisy_line(10, seed=-1), ValueError, "'seed'"),
    (lambda: noisy_line(2.5), TypeError, "'n' parameter"),
    (lambda: blobs(10, centers=1), ValueError, "'centers' parameter of blobs"),
    (lambda: blobs(10, centers=[[0.0, 0.0]]), ValueError, "at least 2 centres"),
    (lambda: blobs(10, spread=-0.1), ValueError, "'spread'"),
    (lambda: two_moons(10, noise=-0.1), ValueError, "'noise' parameter of two_moons"),
    (lambda: spirals(10, arms=1), ValueError, "'arms' parameter of spirals"),
    (lambda: sparse_features(10, dim=1), ValueError, "'dim' parameter of sparse_features"),
    (lambda: sparse_features(10, density=0.0), ValueError, r"'density'.*\(0, 1\]"),
    (lambda: sparse_features(10, density=1.5), ValueError, "'density'"),
    (lambda: digits(standardize="yes"), TypeError, "'standardize' parameter of digits"),
    (lambda: blobs(10).split(0.0), ValueError, r"'fraction' parameter of Dataset.split"),
    (lambda: blobs(10).split(1.0), ValueError, "'fraction'"),
    (lambda: blobs(10).split(0.01), ValueError, r"round\(fraction \* n\) is in \[1, n - 1\]"),
    (lambda: blobs(10).kfold(1), ValueError, r"'k' parameter of Dataset.kfold"),
    (lambda: blobs(10).kfold(11), ValueError, r"an int in \[2, n\] \(n = 10\)"),
    (lambda: as_dataset(np.zeros((3, 2)), "demo"), TypeError, "'data' parameter of demo"),
    (lambda: as_dataset(([1.0, 2.0], [1.0, 2.0]), "demo"), ValueError, "'X'.*2-D"),
    (lambda: as_dataset(([[1.0], [2.0]], [1.0]), "demo"), ValueError, "one entry per row"),
    (lambda: as_dataset(([[np.nan]], [1.0]), "demo"), ValueError, "'X'.*finite"),
    (lambda: as_dataset((np.zeros((0, 2)), []), "demo"), ValueError, "at least one row"),
    (lambda: as_dataset(([[1.0], [2.0]], [0.5, 1]), "demo", task="multiclass"), ValueError,
     "integer class labels"),
])
def test_bad_arguments_get_clear_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_as_dataset_unknown_task_gets_the_standard_message():
    # regression: an unknown task raised a bare "unknown task 'binar'"
    from lrlab.datasets import as_dataset

    with pytest.raises(ValueError, match=r"The 'task' parameter of as_dataset must be one of"):
        as_dataset(([[0.0]], [0.0]), "demo", task="binar")


def test_dataset_names_are_importable_from_datasets():
    import lrlab.datasets as datasets
    import lrlab.datasets.base as base

    assert datasets.Dataset is base.Dataset and datasets.as_dataset is base.as_dataset


# --- construction checks its fields (issue 17: Dataset(X=True) was accepted) -------------
_X, _Y = np.ones((4, 2)), np.array([0, 1, 0, 1])


@pytest.mark.parametrize(("field", "value", "exc", "allowed"), [
    ("X", True, TypeError, "2-D array of finite real numbers"),
    ("X", np.nan, ValueError, "2-D array"),
    ("X", None, TypeError, "2-D array"),
    ("X", "abc", TypeError, "2-D array"),
    ("X", np.ones((4, 2)) + 1j, TypeError, "not complex or boolean"),
    ("X", np.ones((4, 2), dtype=bool), TypeError, "not complex or boolean"),
    ("X", np.ones(4), ValueError, "2-D array"),
    ("X", [[1.0, np.inf]] * 4, ValueError, "no NaN or inf"),
    ("y", True, ValueError, r"one target per row of X \(4 rows\)"),
    ("y", None, TypeError, "1-D array of integer class labels >= 0 or finite real"),
    ("y", "abcd", TypeError, "1-D array of integer"),
    ("y", np.ones(5), ValueError, r"one target per row of X \(4 rows\)"),
    ("y", np.ones((4, 1)), ValueError, "1-D array"),
    ("y", np.array([0.0, 1.0, np.nan, 1.0]), ValueError, "no NaN or inf"),
    ("y", np.array([0, 1, -1, 1]), ValueError, r"class labels 0, 1, \.\.\., k-1"),
    ("y", np.array([0, 1, 0, 1]) + 1j, TypeError, "not complex128"),
    ("y", [[0], [1], [0, 1], [1]], TypeError, "1-D array of integer"),
    ("name", None, TypeError, "a str"),
    ("name", np.array([True, False]), TypeError, "a str"),
    ("name", 1.0 + 1j, TypeError, "a str"),
])
def test_dataset_refuses_nonsense_naming_the_field(field, value, exc, allowed):
    fields = {"X": _X, "y": _Y, "name": "toy", field: value}
    with pytest.raises(exc, match=rf"The '{field}' parameter of Dataset must be .*{allowed}"):
        Dataset(**fields)


def test_dataset_keeps_what_is_legal_and_copies_nothing_already_right():
    data = Dataset(_X, _Y, "toy")
    assert data.X is _X and data.y is _Y                      # no copy, no second pass
    listed = Dataset([[0, 1], [2, 3], [4, 5]], [2, 0, 1])      # lists, int features
    assert listed.X.dtype == np.float64 and listed.y.dtype == np.int64 and listed.n_classes == 3
    assert listed.name == "data"
    labels = Dataset(_X, np.array([True, False, True, False]))  # booleans are labels 0/1
    assert labels.y.dtype == np.int64 and labels.y.tolist() == [1, 0, 1, 0]
    small = Dataset(_X, _Y.astype(np.int32))
    assert small.y.dtype == np.int64 and small.is_classification
    targets = Dataset(_X, np.array([0.5, -2.0, 3.0, 0.0], dtype=np.float32))
    assert targets.y.dtype == np.float64 and not targets.is_classification
    assert Dataset(np.zeros((0, 3)), np.zeros(0, dtype=int)).n == 0   # an empty subset


def test_dataset_is_still_a_named_tuple_and_replace_checks_too():
    import pickle

    data = blobs(12, centers=3)
    X, y, name = data
    assert isinstance(data, tuple) and data._fields == ("X", "y", "name")
    assert data == Dataset._make((X, y, name)) and data._asdict()["name"] == "blobs"
    renamed = data._replace(name="other")
    assert isinstance(renamed, Dataset) and renamed.name == "other" and renamed.X is X
    again = pickle.loads(pickle.dumps(data))
    assert isinstance(again, Dataset) and np.array_equal(again.X, X)
    with pytest.raises(TypeError, match="The 'X' parameter of Dataset"):
        data._replace(X=True)
    with pytest.raises(ValueError, match="one target per row of X"):
        data._replace(y=y[:-1])
    with pytest.raises(ValueError, match=r"unexpected field names \['Z'\]"):
        data._replace(Z=1)


@pytest.mark.parametrize(("indices", "exc"), [
    (np.ones((2, 2), dtype=int), ValueError),     # a 3-D X would have followed
    ([0.5, 1.0], TypeError),
    (np.ones(3, dtype=bool), ValueError),         # a mask of the wrong length
    ([0, 12], ValueError),                        # out of range
    ([-13], ValueError),
    ("a", TypeError),
])
def test_subset_refuses_indices_that_are_not_rows(indices, exc):
    with pytest.raises(exc, match=r"The 'indices' parameter of Dataset.subset must be a 1-D "
                                  r"array of row numbers in \[-12, 12\) or a boolean mask of "
                                  r"length 12"):
        blobs(12, centers=3).subset(indices)


def test_subset_takes_rows_masks_and_no_rows():
    data = blobs(12, centers=3)
    assert data.subset([3, -1, 3]).y.tolist() == [data.y[3], data.y[-1], data.y[3]]
    mask = data.y == 1
    assert data.subset(mask, "ones").n == 4 and data.subset(mask, "ones").name == "ones"
    assert data.subset([]).n == 0 and data.subset([]).X.shape == (0, 2)
    with pytest.raises(TypeError, match=r"The 'name' parameter of Dataset\.subset"):
        data.subset([0], name=3)
