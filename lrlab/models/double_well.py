r"""A double well made of samples: where minibatch noise and the Wu-Ma-E stability condition act.

Every sample's loss is zero at both minima :math:`x = \pm 1`, as in an
over-parameterised model that fits every sample exactly:

.. math::
    \ell_i(x) = \tfrac18\,(x^2 - 1)^2\,(p_i + q_i x)^2, \qquad
    f(x) = \frac1n \sum_i \ell_i(x),

so at a minimum every per-sample gradient vanishes and so does the minibatch
noise. Sample :math:`i`'s curvature is :math:`h_i^- = (p_i - q_i)^2` at
:math:`-1` and :math:`h_i^+ = (p_i + q_i)^2` at :math:`+1`: one chooses the
*sharpness* :math:`a = \frac1n\sum_i h_i` of each minimum and its
*non-uniformity* :math:`s = \bigl(\frac1n\sum_i h_i^2 - a^2\bigr)^{1/2}` (the
spread of the per-sample curvatures) independently.

Near a minimum :math:`x^\star` SGD with a batch :math:`B` of distinct samples
is the linear map :math:`x_{t+1} - x^\star = (1 - \eta h_B)(x_t - x^\star)`,
:math:`h_B` the batch's mean curvature. Its mean square contracts exactly when
(Wu, Ma & E 2018)

.. math::
    \mathbb E\,(1 - \eta h_B)^2 = (1 - \eta a)^2 + \eta^2 s^2 q_B \le 1,\qquad
    q_B = \frac{n - B}{B(n - 1)},
    \quad\text{i.e.}\quad \eta \le \eta^\star(B) = \frac{2a}{a^2 + q_B s^2}:

both the sharpness and the non-uniformity must be small enough for the rate
and the batch size (:meth:`DoubleWellData.stability_threshold`). Full batch
(:math:`q_n = 0`) gives gradient descent's :math:`2/a`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_array, check_choice, check_int, check_real, fail
from .base import DataProblem
from .linear import LinearRegression

__all__ = ["DoubleWellData"]


class DoubleWellData(DataProblem):
    r"""The double well as a data problem, with chosen per-sample curvatures at each minimum.

    Parameters
    ----------
    left : array of float >= 0, shape (n,)
        Per-sample curvatures :math:`h_i^-` at the minimum :math:`x = -1`.
    right : float or array of float >= 0
        Per-sample curvatures :math:`h_i^+` at :math:`x = +1` (a float: the same for all).
    x0 : float
        Start point.

    Examples
    --------
    The default: at :math:`-1` half the samples have curvature 0 and half 40 (sharpness 20,
    non-uniformity 20), at :math:`+1` every sample has curvature 1.

    >>> well = DoubleWellData()
    >>> well.sharpness(-1), well.non_uniformity(-1), well.sharpness(1), well.non_uniformity(1)
    (20.0, 20.0, 1.0, 0.0)
    >>> [round(well.stability_threshold(-1, B), 4) for B in (1, 4, 20)]
    [0.05, 0.0826, 0.1]
    """

    _task = "regression"

    def __init__(self, left: Any = (0.0, 40.0) * 10, right: Any = 1.0, *, x0: float = -1.05):
        owner = "DoubleWellData"
        h_left = check_array(left, "left", owner, ndim=1)
        if h_left.size < 1 or np.any(h_left < 0):
            fail(left, "left", owner, allowed="a non-empty 1-D array of curvatures >= 0")
        h_right = np.asarray(right, dtype=float)
        if h_right.ndim == 0:
            h_right = np.full(h_left.shape, float(h_right))
        if h_right.shape != h_left.shape or not np.all(np.isfinite(h_right)) or np.any(
                h_right < 0):
            fail(right, "right", owner, allowed=f"curvatures >= 0 (one, or {h_left.size})")
        x0 = check_real(x0, "x0", owner)
        # h- = (p - q)^2, h+ = (p + q)^2 with p, q chosen so that p - q, p + q >= 0
        p = 0.5 * (np.sqrt(h_right) + np.sqrt(h_left))
        q = 0.5 * (np.sqrt(h_right) - np.sqrt(h_left))
        self._set_data((np.column_stack([p, q]), np.zeros(h_left.size)), owner)
        self.dim, self.x0 = 1, np.array([x0])
        self.minima = np.array([[-1.0], [1.0]])
        self.f_star = 0.0
        self.bounds = ((-2.0, 2.5),)
        self.name = f"double well of {self.n_samples} samples"

    def _use_data(self, owner: str) -> None:
        self._p, self._q = self.data.X[:, 0], self.data.X[:, 1]

    def _rows(self, batch: Any) -> tuple[np.ndarray, np.ndarray]:
        if batch is None:
            return self._p, self._q
        return self._p[batch], self._q[batch]

    def _loss(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        p, q = self._rows(batch)
        x = theta[..., :1]
        return np.mean((x * x - 1) ** 2 * (p + q * x) ** 2, axis=-1) / 8

    def _grad(self, theta: np.ndarray, batch: Any) -> np.ndarray:
        p, q = self._rows(batch)
        x = theta[..., :1]
        u, v = x * x - 1, p + q * x
        return np.mean(u * v * (2 * x * v + u * q), axis=-1, keepdims=True) / 4

    def _hvp(self, theta: np.ndarray, v: np.ndarray) -> np.ndarray:
        p, q = self._p, self._q
        x = theta[..., :1]
        u, w = x * x - 1, p + q * x
        g, dg, ddg = u * w / 2, (2 * x * w + u * q) / 2, w + 2 * x * q
        return np.mean(dg * dg + g * ddg, axis=-1, keepdims=True) * v

    # ------------------------------------------------------------ the minima
    def curvatures(self, minimum: int) -> np.ndarray:
        """Per-sample curvatures :math:`h_i` at ``minimum`` (-1 or +1)."""
        minimum = check_choice(minimum, "minimum", "DoubleWellData.curvatures", (-1, 1))
        return (self._p - self._q) ** 2 if minimum == -1 else (self._p + self._q) ** 2

    def sharpness(self, minimum: int) -> float:
        """:math:`a = \\frac1n\\sum_i h_i`: the full loss's curvature at ``minimum``."""
        return float(np.mean(self.curvatures(minimum)))

    def non_uniformity(self, minimum: int) -> float:
        """:math:`s`: the standard deviation of the per-sample curvatures at ``minimum``."""
        return float(np.std(self.curvatures(minimum)))

    def stability_threshold(self, minimum: int, batch_size: int | None = None) -> float:
        r"""Largest rate at which SGD near ``minimum`` is stable in mean square (Wu, Ma & E).

        :math:`\eta^\star(B) = 2a/(a^2 + q_B s^2)` with
        :math:`q_B = (n - B)/(B(n - 1))` for ``batch_size`` distinct samples, drawn
        afresh every step as :func:`lrlab.train` draws them (``None``: full batch,
        :math:`2/a`). Equal to :func:`lrlab.linear_stability.mean_square_threshold` of
        :meth:`linearization`.
        """
        n = self.n_samples
        B = n if batch_size is None else check_int(
            batch_size, "batch_size", "DoubleWellData.stability_threshold", low=1, high=n)
        a, s = self.sharpness(minimum), self.non_uniformity(minimum)
        q = 0.0 if n == 1 else (n - B) / (B * (n - 1))
        return 2 * a / (a * a + q * s * s)

    def linearization(self, minimum: int) -> LinearRegression:
        r"""The quadratic approximation at ``minimum`` as least squares:
        :math:`\frac1{2n}\sum_i h_i (x - x^\star)^2`, features :math:`\sqrt{h_i}`."""
        root = np.sqrt(self.curvatures(minimum))[:, None]
        return LinearRegression((root, root[:, 0] * float(minimum)), fit_intercept=False)

    def independent_runs(self, lrs: Any, x0: Any, num_steps: int, *, batch_size: int,
                         seed: int = 0) -> np.ndarray:
        """Many SGD runs, each drawing its own minibatches (``lrlab.train`` shares one per step).

        Parameters
        ----------
        lrs : array of float > 0
            Rates, broadcast against ``x0``.
        x0 : array of float
            Start points (scalars: the problem is 1-D).
        num_steps : int >= 0
        batch_size : int in [1, n]
            Distinct samples per step and run.
        seed : int
            Seed of all the draws.

        Returns
        -------
        ndarray of shape broadcast(lrs, x0)
            The last iterates; NaN for a run that left ``[-10, 10]``.

        Examples
        --------
        >>> well = DoubleWellData()
        >>> end = well.independent_runs([[0.04], [0.07]], np.full(300, -1.01), 300, batch_size=1)
        >>> [round(float(np.mean(np.abs(e + 1) < 1e-6)), 2) for e in end]  # 2a/(a^2+s^2)=0.05
        [1.0, 0.0]
        """
        owner = "DoubleWellData.independent_runs"
        lrs = check_array(lrs, "lrs", owner)
        if np.any(lrs <= 0):
            fail(lrs, "lrs", owner, allowed="positive learning rates")
        x = check_array(x0, "x0", owner) + np.zeros_like(lrs)
        lrs = lrs + np.zeros_like(x)
        num_steps = check_int(num_steps, "num_steps", owner, low=0)
        B = check_int(batch_size, "batch_size", owner, low=1, high=self.n_samples)
        rng = np.random.default_rng(check_int(seed, "seed", owner, low=0))
        flat_x, flat_lr = x.ravel().copy(), lrs.ravel()
        every = np.broadcast_to(np.arange(self.n_samples), (flat_x.size, self.n_samples))
        for _ in range(num_steps):
            # a full batch in a fixed order: gradient descent, identical runs stay identical
            batch = every if B == self.n_samples else np.argsort(
                rng.random((flat_x.size, self.n_samples)), axis=1)[:, :B]
            p, q = self._p[batch], self._q[batch]
            xx = flat_x[:, None]
            u, v = xx * xx - 1, p + q * xx
            with np.errstate(all="ignore"):
                g = np.mean(u * v * (2 * xx * v + u * q), axis=1) / 4
                flat_x = flat_x - flat_lr * g
            flat_x[~(np.abs(flat_x) <= 10)] = np.nan
        return flat_x.reshape(x.shape)
