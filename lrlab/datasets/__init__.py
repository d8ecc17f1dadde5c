r"""Small data sets, generated in code from a seed (plus scikit-learn's 8x8 digits).

Every factory returns a :class:`Dataset`: a named tuple ``(X, y, name)`` with
``X`` a float64 array of shape ``(n, d)`` and ``y`` of shape ``(n,)``:
float64 targets for regression, int64 class labels ``0 .. k-1`` for
classification. The same seed gives the same data, on every machine.

============================  ==============  ===================================
factory                       task            what it is for
============================  ==============  ===================================
:func:`noisy_line`            regression      linear regression, 1/L by hand
:func:`blobs`                 k classes       an easy classifier, softmax
:func:`two_moons`             2 classes       a small MLP (not linearly separable)
:func:`spirals`               k classes       a harder MLP, learning-rate sweeps
:func:`sparse_features`       2 classes       rare informative features: Adagrad/FTRL
:func:`digits`                10 classes      a real data set (1797 8x8 images)
:func:`digits_split`          10 classes      the running example's train / validation / test
============================  ==============  ===================================

>>> from lrlab.datasets import two_moons
>>> data = two_moons(200, seed=1)
>>> data
Dataset('two moons', n=200, n_features=2, classes=2)
>>> train, val = data.split(0.25, seed=0)
>>> train.n, val.n, int(val.y.sum())
(150, 50, 25)
"""

from __future__ import annotations

from .base import Dataset, as_dataset
from .digits import digits
from .generated import blobs, noisy_line, sparse_features, spirals, two_moons
from .holdout import DigitsSplit, digits_split

__all__ = [
    "DATASETS",
    "Dataset",
    "DigitsSplit",
    "as_dataset",
    "blobs",
    "digits",
    "digits_split",
    "noisy_line",
    "sparse_features",
    "spirals",
    "two_moons",
]


#: Factories by name (for dropdowns): name -> callable returning a Dataset.
DATASETS = {
    "noisy line": noisy_line,
    "blobs": blobs,
    "two moons": two_moons,
    "spirals": spirals,
    "sparse features": sparse_features,
    "digits": digits,
}
