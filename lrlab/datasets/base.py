"""The :class:`Dataset` container and :func:`as_dataset`, the one data check.

Kept apart from the generators (:mod:`lrlab.datasets` re-exports
both names): models import this module to check their data without loading
any generator.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_array, check_choice, check_int, check_real, fail, real_array

__all__ = ["Dataset", "as_dataset"]


class _Fields(NamedTuple):
    """The three fields of a :class:`Dataset` (a NamedTuple cannot check its own)."""

    X: np.ndarray
    y: np.ndarray
    name: str = "data"


class Dataset(_Fields):
    """Features ``X`` (float64, shape ``(n, d)``), targets ``y`` (shape ``(n,)``) and a name.

    Classification targets are int64 labels; regression targets are float64.
    Being a named tuple, a data set unpacks: ``X, y, name = data``.

    Parameters
    ----------
    X : 2-D array of real numbers, shape (n, d)
        The features: finite, real (not complex, not boolean), stored as float64.
    y : array of shape (n,)
        The targets, one per row of ``X``: integer class labels ``0, 1, ...`` (stored as
        int64; booleans count as labels 0/1) for classification, or finite real numbers
        (stored as float64) for regression. The dtype decides the task.
    name : str
        A label for plots and messages.

    Raises
    ------
    TypeError, ValueError
        Naming the field and what it allows (lrlab's message), for anything else.

    Notes
    -----
    The checks cost one pass over the values (finiteness, the smallest label); arrays of
    the right dtype are not copied. ``_replace`` checks too; ``_make`` (the NamedTuple
    constructor from an iterable) does not: it is what :meth:`subset` uses on rows of
    data already checked.

    Examples
    --------
    >>> data = Dataset(np.zeros((4, 2)), np.array([0, 1, 1, 0]), "toy")
    >>> data.n, data.n_features, data.n_classes
    (4, 2, 2)
    >>> X, y, name = data
    >>> Dataset(np.zeros((4, 2)), np.array([0.5, 1.0]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: The 'y' parameter of Dataset must be a 1-D array with one target per row ...
    """

    __slots__ = ()

    def __new__(cls, X: Any, y: Any, name: str = "data") -> Dataset:
        X = _features(X)
        y = _targets(y, X.shape[0])
        if not isinstance(name, str):
            fail(name, "name", _OWNER, allowed="a str", exc=TypeError)
        return super().__new__(cls, X, y, name)

    def _replace(self, **changes: Any) -> Dataset:
        """A copy with some fields replaced, checked like a new Dataset."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise ValueError(f"Dataset._replace got unexpected field names {sorted(unknown)}; "
                             f"the fields are {list(self._fields)}.")
        return type(self)(**{**self._asdict(), **changes})

    @property
    def n(self) -> int:
        """Number of samples."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of features ``d``."""
        return int(self.X.shape[1])

    @property
    def is_classification(self) -> bool:
        """True when ``y`` holds integer class labels."""
        return self.y.dtype.kind in "iu"

    @property
    def n_classes(self) -> int | None:
        """``max(y) + 1`` for classification, ``None`` for regression."""
        return int(self.y.max()) + 1 if self.is_classification and self.n else None

    def subset(self, indices: Any, name: str | None = None) -> Dataset:
        """The samples at ``indices`` (an array of row numbers or a boolean mask), as a new Dataset.

        Parameters
        ----------
        indices : 1-D array of int in [-n, n) or boolean mask of shape (n,)
            Which rows to keep (row numbers may repeat).
        name : str, optional
            The new data set's name (default: this one's).
        """
        owner = "Dataset.subset"
        idx = np.asarray(indices)
        allowed = f"a 1-D array of row numbers in [-{self.n}, {self.n}) or a boolean mask of " \
                  f"length {self.n}"
        if idx.size and idx.dtype.kind not in "biu":
            fail(indices, "indices", owner, allowed=allowed, exc=TypeError)
        if idx.ndim != 1:
            fail(indices, "indices", owner, allowed=allowed)
        if idx.dtype.kind == "b":
            if idx.shape[0] != self.n:
                fail(indices, "indices", owner, allowed=allowed)
        elif idx.size:
            if idx.min() < -self.n or idx.max() >= self.n:
                fail(indices, "indices", owner, allowed=allowed)
        else:
            idx = idx.astype(np.intp)   # [] is no rows, not a float index
        if name is None:
            name = self.name
        elif not isinstance(name, str):
            fail(name, "name", owner, allowed="a str or None", exc=TypeError)
        # rows of checked data need no second pass over the values
        return self._make((self.X[idx], self.y[idx], name))

    def split(self, fraction: float = 0.2, seed: int = 0) -> tuple[Dataset, Dataset]:
        """Random train/validation split; stratified by class for classification.

        Parameters
        ----------
        fraction : float in (0, 1)
            Share of samples that go to validation: ``round(fraction * n)``
            of them, at least one and leaving at least one for training.
            For classification every class contributes its share (largest
            remainder rounding), so label proportions are preserved.
        seed : int >= 0
            Seed of the random assignment.

        Returns
        -------
        train, val : Dataset
            A partition of the samples, each kept in its original order.

        Examples
        --------
        >>> from lrlab.datasets import blobs
        >>> train, val = blobs(30, centers=3).split(0.2)
        >>> np.bincount(val.y)
        array([2, 2, 2])
        """
        owner = "Dataset.split"
        fraction = check_real(fraction, "fraction", owner, low=0, high=1, low_open=True,
                              high_open=True)
        seed = check_int(seed, "seed", owner, low=0)
        n_val = round(fraction * self.n)
        if not 1 <= n_val <= self.n - 1:
            fail(fraction, "fraction", owner,
                 allowed=f"such that round(fraction * n) is in [1, n - 1] = "
                         f"[1, {self.n - 1}] (n = {self.n})")
        rng = np.random.default_rng(seed)
        if self.is_classification:
            labels, counts = np.unique(self.y, return_counts=True)
            share = fraction * counts
            quota = np.floor(share).astype(int)
            extra = n_val - quota.sum()
            # largest remainder; stable ties go to the smaller label
            order = np.argsort(-(share - quota), kind="stable")
            quota[order[:extra]] += 1
            val = np.concatenate([
                rng.choice(np.flatnonzero(self.y == c), size=q, replace=False)
                for c, q in zip(labels, quota, strict=True)
            ])
        else:
            val = rng.choice(self.n, size=n_val, replace=False)
        mask = np.zeros(self.n, dtype=bool)
        mask[val] = True
        return (self.subset(~mask, f"{self.name} (train)"),
                self.subset(mask, f"{self.name} (validation)"))

    def kfold(self, k: int = 5, seed: int = 0) -> list[tuple[Dataset, Dataset]]:
        """``k`` train/validation pairs whose validation parts partition the data.

        The samples are shuffled and dealt round-robin into ``k`` folds
        (after a stable sort by label for classification, so each fold gets
        every class in proportion); fold sizes differ by at most one.

        Examples
        --------
        >>> from lrlab.datasets import noisy_line
        >>> folds = noisy_line(10).kfold(3)
        >>> [(train.n, val.n) for train, val in folds]
        [(6, 4), (7, 3), (7, 3)]
        """
        owner = "Dataset.kfold"
        k = check_int(k, "k", owner, low=2)
        if k > self.n:
            fail(k, "k", owner, allowed=f"an int in [2, n] (n = {self.n})")
        seed = check_int(seed, "seed", owner, low=0)
        order = np.random.default_rng(seed).permutation(self.n)
        if self.is_classification:
            order = order[np.argsort(self.y[order], kind="stable")]
        fold = np.empty(self.n, dtype=int)
        fold[order] = np.arange(self.n) % k
        return [(self.subset(fold != j, f"{self.name} (train {j + 1}/{k})"),
                 self.subset(fold == j, f"{self.name} (validation {j + 1}/{k})"))
                for j in range(k)]

    def __repr__(self) -> str:
        extra = f", classes={self.n_classes}" if self.is_classification else ""
        return f"Dataset({self.name!r}, n={self.n}, n_features={self.X.shape[1]}{extra})"


_OWNER = "Dataset"


def _features(X: Any) -> np.ndarray:
    """``X`` as a finite float64 2-D array (no copy when it is one), or lrlab's error."""
    allowed = "a 2-D array of finite real numbers, shape (n, d)"
    if type(X) is not np.ndarray or X.dtype != np.float64:
        if X is None or isinstance(X, str | bytes | np.bool_ | bool):
            fail(X, "X", _OWNER, allowed=allowed, exc=TypeError)
        arr = real_array(X, "X", _OWNER, allowed=allowed + " (not complex or boolean)")
    else:
        arr = X
    if arr.ndim != 2:
        fail(X, "X", _OWNER, allowed=allowed)
    if not np.isfinite(arr).all():
        fail(X, "X", _OWNER, allowed=allowed + " (no NaN or inf)")
    return arr


def _targets(y: Any, n: int) -> np.ndarray:
    """``y`` as int64 labels >= 0 or finite float64 targets of shape ``(n,)``, or lrlab's error."""
    allowed = "integer class labels >= 0 or finite real targets"
    given = y
    if type(y) is not np.ndarray:
        if y is None or isinstance(y, str | bytes):
            fail(y, "y", _OWNER, allowed=f"a 1-D array of {allowed}", exc=TypeError)
        try:
            y = np.asarray(y)
        except (TypeError, ValueError):   # ragged nesting
            fail(y, "y", _OWNER, allowed=f"a 1-D array of {allowed}", exc=TypeError)
    if y.ndim != 1 or y.shape[0] != n:
        fail(given, "y", _OWNER, allowed=f"a 1-D array with one target per row of X ({n} rows)")
    kind = y.dtype.kind
    if kind in "biu":
        y = y.astype(np.int64, copy=False)
        if y.size and y.min() < 0:
            fail(y, "y", _OWNER, allowed="integer class labels 0, 1, ..., k-1 (int64 targets "
                                         "are class labels; pass floats for regression)")
    elif kind == "f":
        y = y.astype(np.float64, copy=False)
        if not np.isfinite(y).all():
            fail(y, "y", _OWNER, allowed=f"{allowed} (no NaN or inf)")
    else:
        fail(y, "y", _OWNER, allowed=f"{allowed} (an int or float array, not "
                                     f"{y.dtype.name})", exc=TypeError)
    return y


def as_dataset(data: Any, owner: str, *, task: str = "any") -> Dataset:
    """Check ``data`` (a Dataset or an ``(X, y)`` pair) and return a clean Dataset.

    Parameters
    ----------
    data : Dataset or (X, y) or (X, y, name)
        The data to check.
    owner : str
        Who asks (named in error messages).
    task : {'any', 'regression', 'binary', 'multiclass'}
        Which targets are allowed.

    Returns
    -------
    Dataset

    Notes
    -----
    ``X`` must be a finite 2-D array with at least one row and ``y`` a
    finite 1-D array of the same length. ``task`` adds label checks:
    ``'regression'`` (float targets), ``'binary'`` (labels 0/1) or
    ``'multiclass'`` (integer labels >= 0); class labels come back as int64.
    (A model that needs two classes checks that itself: a validation split
    may hold only one.)

    Examples
    --------
    >>> as_dataset(([[0.0], [1.0]], [0, 2]), "demo", task="binary")
    Traceback (most recent call last):
    ...
    ValueError: The 'y' parameter of demo must be binary labels 0 or 1. Got array([0., 2.]) instead.
    """
    if isinstance(data, Dataset):
        X, y, name = data
    elif isinstance(data, tuple | list) and len(data) in (2, 3):
        X, y = data[0], data[1]
        name = str(data[2]) if len(data) == 3 else "data"
    else:
        fail(data, "data", owner, allowed="a lrlab Dataset or an (X, y) pair", exc=TypeError)
    X = check_array(X, "X", owner, ndim=2)
    y = check_array(y, "y", owner, ndim=1)
    if X.shape[0] < 1 or X.shape[1] < 1:
        fail(X, "X", owner, allowed="a 2-D array with at least one row and one column")
    if y.shape[0] != X.shape[0]:
        fail(y, "y", owner, allowed=f"a 1-D array with one entry per row of X ({X.shape[0]})")
    task = check_choice(task, "task", "as_dataset", ("any", "regression", "binary", "multiclass"))
    if task in ("binary", "multiclass"):
        if np.any(y != np.round(y)) or np.any(y < 0):
            fail(y, "y", owner, allowed="integer class labels 0, 1, ..., k-1")
        if task == "binary" and not np.all((y == 0) | (y == 1)):
            fail(y, "y", owner, allowed="binary labels 0 or 1")
        y = y.astype(np.int64)
    return Dataset(X, y, name)
