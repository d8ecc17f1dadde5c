"""scikit-learn's 8x8 handwritten digits: the one real data set (it ships with scikit-learn)."""

from __future__ import annotations

import numpy as np

from .._validation import check_bool
from .base import Dataset

__all__ = ["digits"]


def digits(standardize: bool = True) -> Dataset:
    r"""scikit-learn's 8x8 handwritten digits: 1797 images, 64 pixels, 10 classes.

    The data ship with scikit-learn (no download). scikit-learn is an
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
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:
        raise ImportError(
            "lrlab.datasets.digits needs scikit-learn, which ships the 8x8 digits data: "
            "pip install scikit-learn  (or: pip install lrlab[data])"
        ) from err
    raw = load_digits()
    X = np.asarray(raw.data, dtype=float)
    if standardize:
        std = X.std(axis=0)
        X = (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)
    return Dataset(X, np.asarray(raw.target, dtype=np.int64), "digits")
