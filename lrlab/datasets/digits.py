"""scikit-learn's 8x8 handwritten digits: the one real data set (it ships with scikit-learn)."""

from __future__ import annotations

import functools
import gzip
import importlib.util
from pathlib import Path

import numpy as np

from .._validation import check_bool
from .base import Dataset

__all__ = ["digits"]


def digits(standardize: bool = True) -> Dataset:
    r"""scikit-learn's 8x8 handwritten digits: 1797 images, 64 pixels, 10 classes.

    The data ship with scikit-learn (no download; read from its data file,
    once per process, without importing ``sklearn.datasets``). scikit-learn is an
    optional dependency: ``pip install scikit-learn`` (or ``pip install
    lrlab[data]``).

    Parameters
    ----------
    standardize : bool
        Centre every pixel and divide by its standard deviation (pixels that
        are constant, such as corners that are always blank, stay 0); raw
        pixel intensities 0..16 otherwise.

    Notes
    -----
    .. math:: x_{ij} \leftarrow (x_{ij} - \bar x_j) / s_j \quad (s_j > 0)

    Examples
    --------
    >>> data = digits()
    >>> data.X.shape, data.n_classes
    ((1797, 64), 10)

    References
    ----------
    Alpaydin & Kaynak (1998), "Optical recognition of handwritten digits",
    UCI Machine Learning Repository.
    """
    check_bool(standardize, "standardize", "digits")
    if importlib.util.find_spec("sklearn") is None:
        raise ImportError(
            "lrlab.datasets.digits needs scikit-learn, which ships the 8x8 digits data: "
            "pip install scikit-learn  (or: pip install lrlab[data])")
    pixels, labels = _raw_digits()
    X = pixels.copy()
    if standardize:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return Dataset(X, labels.copy(), "digits")


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """Pixels (float) and labels (int64) of the 1797 images, read once per process.

    scikit-learn keeps them in ``sklearn/datasets/data/digits.csv.gz`` (64 pixels and the
    label per row), which ``load_digits`` parses; reading that file directly gives the same
    arrays without importing ``sklearn.datasets`` (which imports scipy.stats: seconds,
    against 0.1 s for the file). When the file is not where this version of scikit-learn
    is expected to keep it, ``load_digits`` is used.
    """
    spec = importlib.util.find_spec("sklearn")
    for folder in spec.submodule_search_locations or ():
        path = Path(folder) / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            with gzip.open(path, "rt") as f:
                table = np.loadtxt(f, delimiter=",")
            if table.shape == (1797, 65):
                return table[:, :-1], table[:, -1].astype(np.int64)
    from sklearn.datasets import load_digits

    raw = load_digits()
    return np.asarray(raw.data, dtype=float), np.asarray(raw.target, dtype=np.int64)
