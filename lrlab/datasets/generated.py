"""Data sets generated in code from a seed: the same seed gives the same data, on every machine."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import MAX_COUNT, check_array, check_int, check_real, fail
from .base import Dataset

__all__ = ["blobs", "noisy_line", "sparse_features", "spirals", "two_moons"]


# ----------------------------------------------------------------- factories
def _balanced_labels(n: int, k: int) -> np.ndarray:
    """Labels 0..k-1, ``n // k`` or ``n // k + 1`` of each (the first classes get more)."""
    return np.repeat(np.arange(k), [n // k + (c < n % k) for c in range(k)])


def noisy_line(n: int = 100, slope: float = 2.0, intercept: float = -1.0, noise: float = 0.5,
               seed: int = 0) -> Dataset:
    r"""Points on a line with Gaussian noise: the simplest regression problem.

    Parameters
    ----------
    n : int >= 1
        Number of samples.
    slope, intercept : float
        :math:`a` and :math:`b`.
    noise : float >= 0
        Standard deviation :math:`\sigma` of the noise on ``y``.
    seed : int >= 0
        Seed of the draw: same seed, same data.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 1)``, float targets ``y``.

    Notes
    -----
    .. math:: x_i \sim \mathcal U[-2, 2],\qquad
              y_i = a\,x_i + b + \sigma\,\varepsilon_i,\quad \varepsilon_i \sim \mathcal N(0, 1)

    Examples
    --------
    >>> X, y, name = noisy_line(50, noise=0.0)
    >>> X.shape, bool(np.allclose(y, 2 * X[:, 0] - 1))
    ((50, 1), True)
    """
    owner = "noisy_line"
    n = check_int(n, "n", owner, low=1, high=MAX_COUNT)
    slope = check_real(slope, "slope", owner)
    intercept = check_real(intercept, "intercept", owner)
    noise = check_real(noise, "noise", owner, low=0)
    rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
    x = rng.uniform(-2.0, 2.0, size=n)
    y = slope * x + intercept + noise * rng.standard_normal(n)
    return Dataset(x[:, None], y, "noisy line")


def blobs(n: int = 300, centers: Any = 3, spread: float = 1.0, seed: int = 0) -> Dataset:
    r"""Isotropic Gaussian clusters, one per class, with balanced classes.

    Parameters
    ----------
    n : int >= 1
        Number of samples (class sizes differ by at most one).
    centers : int >= 2 or array of shape (k, d)
        Number of clusters, placed evenly on a circle of radius 4 in 2-D, or
        the cluster centres themselves.
    spread : float >= 0
        Standard deviation of every cluster.
    seed : int >= 0

    Notes
    -----
    .. math:: x_i = c_{y_i} + s\,\varepsilon_i,\qquad
              c_j = 4\,(\cos 2\pi j/k,\ \sin 2\pi j/k)

    Examples
    --------
    >>> data = blobs(10, centers=2, spread=0.0)
    >>> data.X[data.y == 1][0]
    array([-4.,  0.])
    """
    owner = "blobs"
    n = check_int(n, "n", owner, low=1, high=MAX_COUNT)
    if isinstance(centers, int | np.integer) and not isinstance(centers, bool):
        k = check_int(centers, "centers", owner, low=2, high=MAX_COUNT)
        angle = 2 * np.pi * np.arange(k) / k
        c = 4.0 * np.column_stack([np.cos(angle), np.sin(angle)])
        c[np.abs(c) < 1e-12] = 0.0
    else:
        c = check_array(centers, "centers", owner, ndim=2)
        if c.shape[0] < 2:
            fail(centers, "centers", owner, allowed="an int >= 2 or an array of at least 2 centres")
    spread = check_real(spread, "spread", owner, low=0)
    rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
    y = rng.permutation(_balanced_labels(n, c.shape[0]))
    X = c[y] + spread * rng.standard_normal((n, c.shape[1]))
    return Dataset(X, y, "blobs")


def two_moons(n: int = 300, noise: float = 0.1, seed: int = 0) -> Dataset:
    r"""Two interleaving half circles (as :func:`sklearn.datasets.make_moons`).

    Parameters
    ----------
    n : int >= 1
        Number of samples.
    noise : float >= 0
        Standard deviation of the Gaussian noise added to every coordinate.
    seed : int >= 0
        Seed of the draw: same seed, same data.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 2)``, labels 0 and 1, shuffled.

    Notes
    -----
    With :math:`t` evenly spaced in :math:`[0, \pi]` (``n//2 + n%2`` points
    on the first moon; scikit-learn puts the odd point on the second) and
    Gaussian noise of std ``noise``:

    .. math:: \text{class 0: } (\cos t,\ \sin t),\qquad
              \text{class 1: } (1 - \cos t,\ \tfrac12 - \sin t)

    Examples
    --------
    >>> data = two_moons(7, noise=0.0)
    >>> np.bincount(data.y), data.X.shape
    (array([4, 3]), (7, 2))
    """
    owner = "two_moons"
    n = check_int(n, "n", owner, low=1, high=MAX_COUNT)
    noise = check_real(noise, "noise", owner, low=0)
    rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
    n_out = n - n // 2
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n // 2)
    X = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        np.column_stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)])])
    y = np.repeat([0, 1], [n_out, n // 2])
    order = rng.permutation(n)
    X = X[order] + noise * rng.standard_normal((n, 2))
    return Dataset(X, y[order], "two moons")


def spirals(n: int = 300, arms: int = 2, noise: float = 0.2, seed: int = 0) -> Dataset:
    r"""Interleaved spiral arms, one class per arm (the CS231n spiral data).

    Parameters
    ----------
    n : int >= 1
        Number of samples (arm sizes differ by at most one).
    arms : int >= 2
        Number of arms :math:`K` (= classes).
    noise : float >= 0
        Standard deviation :math:`\sigma` of the angle noise, in radians.
    seed : int >= 0
        Seed of the draw: same seed, same data.

    Returns
    -------
    Dataset
        ``X`` of shape ``(n, 2)`` inside the unit disc, labels ``0 .. K-1``, shuffled.

    Notes
    -----
    Arm :math:`j` has radii :math:`r` evenly spaced in :math:`[0, 1]` and
    angles with Gaussian noise of std ``noise`` (radians):

    .. math:: \phi = \frac{2\pi j}{K} + 4r + \sigma\varepsilon,\qquad
              x = r\,(\sin\phi,\ \cos\phi)

    Examples
    --------
    >>> data = spirals(90, arms=3)
    >>> np.bincount(data.y), float(np.abs(data.X).max()) <= 1.0
    (array([30, 30, 30]), True)

    References
    ----------
    Karpathy, CS231n "Putting it together: minimal neural network case study".
    """
    owner = "spirals"
    n = check_int(n, "n", owner, low=1, high=MAX_COUNT)
    arms = check_int(arms, "arms", owner, low=2, high=MAX_COUNT)
    noise = check_real(noise, "noise", owner, low=0)
    rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
    y = _balanced_labels(n, arms)
    r = np.concatenate([np.linspace(0.0, 1.0, int(np.sum(y == j))) for j in range(arms)])
    phi = 2 * np.pi * y / arms + 4.0 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.column_stack([np.sin(phi), np.cos(phi)])
    order = rng.permutation(n)
    return Dataset(X[order], y[order], "spirals")


def sparse_features(n: int = 1000, dim: int = 100, density: float = 0.05, seed: int = 0,
                    ) -> Dataset:
    r"""Binary classification where rare features carry the signal.

    Feature :math:`j` is a 0/1 indicator, present with probability
    :math:`p_j`; the frequencies fall geometrically from the most common
    feature to the rarest (ratio 100) and average ``density``. The rarer a
    feature, the more it tells about the label: its true weight grows like
    :math:`\log(p_1/p_j)`, so the most common feature carries no signal and
    the rarest the most. SGD with one learning rate barely moves the rare
    weights (their gradient is zero on most samples); Adagrad and FTRL give
    each coordinate its own rate and learn them (Duchi et al. 2011;
    McMahan et al. 2013).

    Notes
    -----
    .. math::
        p_j \propto 100^{-j/(d-1)},\quad \bar p = \rho,\qquad
        w_j = \pm\,\bigl(1 + \log(p_1/p_j)\bigr)\,\mathbb 1[j > 0],\qquad
        P(y_i = 1) = \sigma(x_i^\top w - \operatorname{median}_k x_k^\top w)

    Parameters
    ----------
    n : int >= 1
        Number of samples.
    dim : int >= 2
        Number of features.
    density : float in (0, 1]
        Mean fraction of features present per sample (``p_j`` is clipped at 1).
    seed : int >= 0

    Examples
    --------
    >>> data = sparse_features(2000, dim=50, density=0.1)
    >>> data.X.shape, round(float(data.X.mean()), 2), round(float(data.y.mean()), 1)
    ((2000, 50), 0.1, 0.5)

    References
    ----------
    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12.
    McMahan et al. (2013), "Ad click prediction: a view from the trenches", KDD.
    """
    owner = "sparse_features"
    n = check_int(n, "n", owner, low=1, high=MAX_COUNT)
    dim = check_int(dim, "dim", owner, low=2, high=MAX_COUNT)
    density = check_real(density, "density", owner, low=0, high=1, low_open=True)
    rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
    rel = 100.0 ** (-np.arange(dim) / (dim - 1))
    p = np.minimum(density * rel / rel.mean(), 1.0)
    X = (rng.random((n, dim)) < p).astype(float)
    w = rng.choice([-1.0, 1.0], size=dim) * (1.0 + np.log(p[0] / p))
    w[0] = 0.0
    margin = X @ w
    margin -= np.median(margin)
    y = (rng.random(n) < 0.5 * (1.0 + np.tanh(0.5 * margin))).astype(np.int64)
    return Dataset(X, y, "sparse features")
