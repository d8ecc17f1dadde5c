r"""The running example's data: scikit-learn's 8x8 digits in fixed train / validation / test parts.

>>> split = digits_split()
>>> split
DigitsSplit(seed=0, train=1077, validation=360, test=360)
>>> split.train.X.shape, split.validation.n_classes
((1077, 64), 10)

Which part is for what: fit the weights on ``train``; choose the learning rate,
the schedule and everything else on ``validation``; evaluate ``test`` once, at
the very end, on the one model you chose. A choice made by looking at ``test``
makes its score optimistic (the score is then part of the fitting).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import check_bool, check_int, fail
from .base import Dataset
from .digits import digits

__all__ = ["DIGITS_SIZE", "DigitsSplit", "digits_split"]

#: Number of images in scikit-learn's digits data set.
DIGITS_SIZE = 1797

_PARTS = ("train", "validation", "test")
_MIN_TRAIN = 100  # images left for training, so every digit keeps some


@dataclass(frozen=True, repr=False, eq=False)
class DigitsSplit:
    """Three disjoint parts of the digits data, standardised with training statistics only.

    Made by :func:`digits_split`.

    Attributes
    ----------
    train, validation, test : Dataset
        The three parts (features standardised, labels 0..9).
    indices : dict of str to ndarray of int
        ``indices[part]``: the rows of ``sklearn.datasets.load_digits()`` that
        the part holds, sorted. Together they are ``0 .. 1796``, each once.
    mean, scale : ndarray, shape (64,)
        Per-pixel mean and standard deviation of the *training* images
        (``scale`` is 1 for a pixel constant on them); every part is
        ``(x - mean) / scale``. Zeros and ones without standardisation.
    seed : int
        Seed of the partition.
    """

    train: Dataset
    validation: Dataset
    test: Dataset
    indices: dict
    mean: np.ndarray
    scale: np.ndarray
    seed: int

    @property
    def sizes(self) -> dict[str, int]:
        """Number of images in each part."""
        return {part: getattr(self, part).n for part in _PARTS}

    def standardize(self, X: Any) -> np.ndarray:
        """Apply the training statistics to raw pixel rows ``X`` (shape ``(m, 64)``, values 0..16).

        >>> split = digits_split()
        >>> from lrlab.datasets import digits
        >>> raw = digits(standardize=False).X
        >>> bool(np.array_equal(split.standardize(raw[split.indices["test"]]), split.test.X))
        True
        """
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.mean.shape[0]:
            fail(X, "X",
                 "DigitsSplit.standardize",
                 allowed=f"a 2-D array of raw pixels with {self.mean.shape[0]} columns")
        return (X - self.mean) / self.scale

    def __repr__(self) -> str:
        sizes = ", ".join(f"{part}={n}" for part, n in self.sizes.items())
        return f"DigitsSplit(seed={self.seed}, {sizes})"


def digits_split(seed: int = 0, *, validation_size: int = 360, test_size: int = 360,
                 standardize: bool = True) -> DigitsSplit:
    r"""scikit-learn's 8x8 digits in stratified train / validation / test parts.

    The default, ``digits_split()``, is the course's running example:
    **1077 training, 360 validation and 360 test images** (60 / 20 / 20 %),
    each digit in every part in proportion to its count (35-37 of each digit in
    validation and in test). The data ship with scikit-learn: no download
    (``pip install scikit-learn``, or ``pip install lrlab[data]``).

    Parameters
    ----------
    seed : int >= 0
        Seed of the partition: the same seed gives the same parts on every
        machine; another seed gives another partition of the same 1797 images.
    validation_size, test_size : int >= 10
        Images in the validation and test parts; the rest (at least 100) train.
    standardize : bool
        Centre and scale every pixel with the mean and standard deviation of
        the *training* part only, exactly what scikit-learn's
        ``StandardScaler().fit(train)`` applies (a pixel constant on the
        training images, such as an always-blank corner, is only centred). The
        validation and test images never touch the statistics, so nothing
        about them leaks into training. ``False`` keeps the raw intensities 0..16.

    Returns
    -------
    DigitsSplit

    Notes
    -----
    Each digit :math:`c`, with :math:`n_c` of the :math:`n` images, sends its
    share :math:`n_c\,n_{\text{test}}/n` to the test part and
    :math:`n_c\,n_{\text{val}}/n` to the validation part, rounded by largest
    remainder so the totals are exact; the images are drawn from a random
    permutation of that digit's images (``numpy.random.default_rng(seed)``).
    With :math:`T` the training rows:

    .. math:: \bar x_j = \frac1{|T|}\sum_{i\in T} x_{ij},\qquad
              s_j = \Bigl(\frac1{|T|}\sum_{i\in T}(x_{ij} - \bar x_j)^2\Bigr)^{1/2},\qquad
              x_{ij} \leftarrow \frac{x_{ij} - \bar x_j}{s_j}\quad(s_j > 0).

    **A hidden test split.** Every image is public (it ships with
    scikit-learn), so a test part can be hidden only by hiding *which* images
    it holds. A grader keeps a seed secret (in a hidden test, never in a
    released notebook or in lrlab) and scores with ``digits_split(secret)``,
    retraining the submitted settings on that partition's ``train`` part: no
    weights the student fitted are scored, and nothing in lrlab reveals the
    partition. The student's own split (seed 0) overlaps the secret test part
    (about 20 % of it), which informs only the few numbers the student chooses.

    Examples
    --------
    >>> split = digits_split()
    >>> split.sizes
    {'train': 1077, 'validation': 360, 'test': 360}
    >>> np.bincount(split.test.y)
    array([36, 37, 35, 37, 36, 36, 36, 36, 35, 36])
    >>> bool(np.allclose(split.train.X.mean(axis=0), 0.0))
    True

    References
    ----------
    Alpaydin & Kaynak (1998), "Optical recognition of handwritten digits",
    UCI Machine Learning Repository.
    """
    owner = "digits_split"
    seed = check_int(seed, "seed", owner, low=0)
    n_val = check_int(validation_size, "validation_size", owner, low=10,
                      high=DIGITS_SIZE - _MIN_TRAIN - 10)
    n_test = check_int(test_size, "test_size", owner, low=10,
                       high=DIGITS_SIZE - _MIN_TRAIN - n_val)
    check_bool(standardize, "standardize", owner)
    X, y, _ = digits(standardize=False)
    code = _stratified_parts(y, (n_test, n_val), np.random.default_rng(seed))
    indices = {part: np.flatnonzero(code == k) for k, part in ((2, "train"), (1, "validation"),
                                                                (0, "test"))}
    for rows in indices.values():
        rows.setflags(write=False)
    if standardize:
        train_X = X[indices["train"]]
        mean = train_X.mean(axis=0)
        std = train_X.std(axis=0)
        scale = np.where(std > 0, std, 1.0)
    else:
        mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    parts = {part: Dataset((X[rows] - mean) / scale, y[rows], f"digits ({part})")
             for part, rows in indices.items()}
    return DigitsSplit(parts["train"], parts["validation"], parts["test"], indices, mean, scale,
                       seed)


def _stratified_parts(y: np.ndarray, sizes: tuple[int, ...], rng: np.random.Generator
                      ) -> np.ndarray:
    """Part code of every sample: ``k`` for the ``k``-th of ``sizes``, ``len(sizes)`` for the rest.

    Class ``c`` sends ``sizes[k] * n_c / n`` samples to part ``k``, rounded by
    largest remainder (ties to the smaller label) so that part ``k`` gets
    exactly ``sizes[k]``; within a class, a random permutation deals them out.
    """
    labels, counts = np.unique(y, return_counts=True)
    quotas = []
    for size in sizes:
        share = size * counts / y.shape[0]
        quota = np.floor(share).astype(int)
        order = np.argsort(-(share - quota), kind="stable")
        quota[order[: size - quota.sum()]] += 1
        quotas.append(quota)
    code = np.full(y.shape[0], len(sizes))
    for j, label in enumerate(labels):
        rows = rng.permutation(np.flatnonzero(y == label))
        start = 0
        for k, quota in enumerate(quotas):
            code[rows[start:start + quota[j]]] = k
            start += quota[j]
    return code
