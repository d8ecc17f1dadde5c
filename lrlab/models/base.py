"""The base of every problem defined by a data set: :class:`DataProblem`."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .._validation import check_array, fail
from ..datasets.base import Dataset, as_dataset
from ..problem import Problem

__all__ = ["DataProblem"]


class DataProblem(Problem):
    """Base class of problems defined by a :class:`~lrlab.datasets.Dataset`.

    Subclasses set ``_task`` (``'regression'``, ``'binary'``, ``'multiclass'``)
    and implement ``_use_data(owner)``, which derives from ``self.data``
    whatever the loss needs. :meth:`with_data` copies the problem (same
    parameter layout, same ``x0``, same hyperparameters) and calls it again.

    Attributes
    ----------
    data : Dataset
        The training data.
    n_samples : int
        Number of samples; minibatches are index arrays into them.
    """

    _task = "any"
    data: Dataset

    def _set_data(self, data: Any, owner: str) -> None:
        self.data = as_dataset(data, owner, task=self._task)
        self.n_samples = self.data.n
        self._use_data(owner)

    def _use_data(self, owner: str) -> None:
        raise NotImplementedError

    def with_data(self, data: Any) -> DataProblem:
        """The same model on other data (a validation split, say).

        The parameter layout, ``x0`` and the hyperparameters stay; the
        data-dependent attributes (``n_samples``, ``smoothness``,
        ``f_star``, ...) are those of the new data.

        Examples
        --------
        >>> from lrlab.datasets import noisy_line
        >>> train, val = noisy_line(100).split(0.2)
        >>> from lrlab.models import LinearRegression
        >>> problem = LinearRegression(train)
        >>> held_out = problem.with_data(val)
        >>> held_out.n_samples, held_out.dim == problem.dim
        (20, True)
        """
        new = copy.copy(self)
        new._set_data(data, f"{type(self).__name__}.with_data")
        return new

    def _check_features(self, X: Any, owner: str) -> np.ndarray:
        d = self.data.n_features
        X = check_array(X, "X", owner, ndim=2)
        if X.shape[1] != d:
            fail(X, "X", owner, allowed=f"a 2-D array with {d} columns")
        return X
