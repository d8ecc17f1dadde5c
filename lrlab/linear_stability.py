r"""Exact stability and speed of gradient methods on quadratics, from linear algebra.

On a quadratic every gradient method is a *linear* iteration, so its speed and
its stability limit are eigenvalue problems that can be solved exactly instead
of guessed from a run:

* **Heavy-ball momentum** (notebook 01). On curvature :math:`\lambda` the error
  obeys :math:`e_{t+1} = (1 + \beta - \eta\lambda)\,e_t - \beta\,e_{t-1}`; its
  factor per step is the larger root of :math:`z^2 - (1 + \beta - \eta\lambda) z
  + \beta`. :func:`heavy_ball_rate` takes the worst over the curvatures,
  :func:`best_momentum` the best :math:`\beta` for a given rate and
  :func:`polyak_heavy_ball` Polyak's jointly tuned pair.
* **Minibatch SGD on least squares** (notebook 03). With per-sample Hessians
  :math:`A_i` and :math:`H_B = \frac1B\sum_{i\in B} A_i`, the error obeys
  :math:`e_{t+1} = (I - \eta H_B)\,e_t - \eta\,g_B(\theta^\star)` exactly, so its
  second moment :math:`M_t = \mathbb E[e_t e_t^\top]` obeys the linear recursion

  .. math:: M_{t+1} = \mathbb E_B\big[(I - \eta H_B)\,M_t\,(I - \eta H_B)\big]
            + \eta^2\,\mathbb E_B\big[g_B g_B^\top\big]
            \qquad(\text{once } \mathbb E e_t = 0).

  In vectorised form the map is the :math:`d^2 \times d^2` matrix
  :math:`T = I - \eta\,(H \otimes I + I \otimes H) + \eta^2\,\mathbb E[H_B \otimes H_B]`
  (:func:`second_moment_operator`). :math:`\mathbb E\lVert e_t\rVert^2` stays bounded
  exactly when its spectral radius (:func:`mean_square_rate`) is below 1;
  :func:`mean_square_threshold` finds the rate where it reaches 1, and
  :func:`mean_square_floor` solves :math:`M = T(M) + \eta^2 Q` for the exact
  stationary loss gap :math:`\tfrac12\operatorname{tr}(H M)` (the noise floor,
  without the constant-noise approximation of
  :func:`lrlab.gradient_noise.noise_floor`).

Batches are drawn as :func:`lrlab.train` draws them: ``B`` distinct samples,
uniformly, independently at every step, so
:math:`\mathbb E[H_B \otimes H_B] = c_1\,S + c_2\,H \otimes H` with
:math:`S = \frac1n\sum_i A_i \otimes A_i`, :math:`c_1 = \frac1B - \frac{B-1}{B(n-1)}`,
:math:`c_2 = \frac{n(B-1)}{B(n-1)}` (:math:`B = n` gives :math:`H \otimes H`: full-batch GD).

>>> from lrlab.datasets import noisy_line
>>> from lrlab.models import LinearRegression
>>> problem = LinearRegression(noisy_line(400, noise=1.0, seed=0))
>>> round(mean_square_threshold(problem, batch_size=1), 3), round(2 / problem.smoothness, 3)
(0.638, 1.389)

References
----------
Polyak (1964), "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. and Math. Physics 4(5). Goh (2017), "Why momentum really works",
Distill. Ma, Bassily & Belkin (2018), "The power of interpolation: understanding the
effectiveness of SGD in modern over-parametrized learning", ICML (the critical rate of
SGD on least squares). Wu, Ma & E (2018), "How SGD selects the global minima in
over-parameterized learning: a dynamical stability perspective", NeurIPS (linear
stability of SGD in mean square).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int, check_real

__all__ = [
    "best_momentum",
    "heavy_ball_rate",
    "mean_square_floor",
    "mean_square_rate",
    "mean_square_threshold",
    "polyak_heavy_ball",
    "second_moment_operator",
]


# ------------------------------------------------------------------ heavy ball
def heavy_ball_rate(lr: Any, momentum: Any, curvatures: Any) -> float | np.ndarray:
    r"""Factor per step of heavy-ball gradient descent on a quadratic (worst direction).

    ``lrlab.sgd(lr, momentum=beta)`` (PyTorch's buffer :math:`b_t = \beta b_{t-1} + g_t`,
    :math:`\theta_{t+1} = \theta_t - \eta b_t`) is the heavy ball
    :math:`\theta_{t+1} = \theta_t - \eta g_t + \beta(\theta_t - \theta_{t-1})`. Along an
    eigenvector of curvature :math:`\lambda` the error is multiplied, in the long run, by
    the largest modulus of a root of :math:`z^2 - (1 + \beta - \eta\lambda)z + \beta`;
    this returns the largest over ``curvatures``. Below 1 the run converges, and
    :math:`-1/\log_{10}` of it is the number of steps per decimal digit.
    ``momentum = 0`` gives plain gradient descent, :math:`\max_\lambda |1 - \eta\lambda|`.

    Parameters
    ----------
    lr : float or array, > 0
        Learning rate(s) :math:`\eta`.
    momentum : float or array in [0, 1)
        :math:`\beta` (broadcast against ``lr``).
    curvatures : float or 1-D array, > 0
        The Hessian's eigenvalues (or just :math:`\mu` and :math:`L`: the worst
        direction is always one of the two extremes).

    Returns
    -------
    float or ndarray
        Shape ``broadcast(lr, momentum)``.

    Examples
    --------
    >>> round(heavy_ball_rate(1.0, 0.0, [0.1, 1.0]), 3)        # GD at 1/L: 1 - mu/L
    0.9
    >>> lr, beta = polyak_heavy_ball(1.0, 0.1)
    >>> round(heavy_ball_rate(lr, beta, [0.1, 1.0]), 4)          # (sqrt(k)-1)/(sqrt(k)+1)
    0.5195
    """
    owner = "heavy_ball_rate"
    eta = np.asarray(check_real(lr, "lr", owner, low=0, low_open=True, allow_array=True))
    beta = np.asarray(check_real(momentum, "momentum", owner, low=0, high=1, high_open=True,
                                 allow_array=True))
    lam = np.atleast_1d(check_real(curvatures, "curvatures", owner, low=0, low_open=True,
                                   allow_array=True))
    if lam.ndim != 1:
        raise ValueError(f"The 'curvatures' parameter of {owner} must be a float or a 1-D "
                         f"array of them. Got an array of shape {lam.shape} instead.")
    eta, beta = np.broadcast_arrays(eta, beta)
    b = 1.0 + beta[..., None] - eta[..., None] * lam              # z^2 - b z + beta = 0
    disc = np.sqrt((b * b - 4.0 * beta[..., None]).astype(complex))
    roots = np.maximum(np.abs((b + disc) / 2), np.abs((b - disc) / 2))
    rate = roots.max(axis=-1)
    return float(rate) if rate.ndim == 0 else rate


def best_momentum(lr: Any, smoothness: float, strong_convexity: float) -> float | np.ndarray:
    r"""The momentum that makes heavy ball fastest at a given learning rate.

    .. math:: \beta^\star(\eta) = \max\big((1 - \sqrt{\eta\mu})^2,\ (1 - \sqrt{\eta L})^2\big),

    the smallest :math:`\beta` for which every direction's roots are complex; the
    factor per step is then :math:`\sqrt{\beta^\star}`. Valid for
    :math:`0 < \eta < 4/L` (beyond, no momentum below 1 is stable).

    Parameters
    ----------
    lr : float or array in (0, 4/L)
    smoothness, strong_convexity : float
        :math:`L \ge \mu > 0`.

    Examples
    --------
    >>> beta = best_momentum(2 / 1.1, 1.0, 0.1)          # GD's best rate 2/(mu+L) on kappa=10
    >>> round(beta, 3), round(heavy_ball_rate(2 / 1.1, beta, [0.1, 1.0]), 3)
    (0.329, 0.574)
    """
    owner = "best_momentum"
    L, mu = _check_constants(smoothness, strong_convexity, owner)
    eta = check_real(lr, "lr", owner, low=0, high=4.0 / L, low_open=True, high_open=True,
                     allow_array=True)
    eta = np.asarray(eta)
    beta = np.maximum((1 - np.sqrt(eta * mu)) ** 2, (1 - np.sqrt(eta * L)) ** 2)
    return float(beta) if beta.ndim == 0 else beta


def polyak_heavy_ball(smoothness: float, strong_convexity: float) -> tuple[float, float]:
    r"""Polyak's (1964) tuning of heavy ball on a quadratic with curvatures in :math:`[\mu, L]`.

    .. math:: \eta = \frac{4}{(\sqrt L + \sqrt\mu)^2},\qquad
              \beta = \Big(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Big)^2,\qquad
              \text{factor per step } \frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}

    with :math:`\kappa = L/\mu`; plain GD's best is :math:`(\kappa-1)/(\kappa+1)`.

    Returns
    -------
    (lr, momentum) : tuple of float

    Examples
    --------
    >>> [round(v, 4) for v in polyak_heavy_ball(1.0, 0.1)]
    [2.3089, 0.2699]
    """
    L, mu = _check_constants(smoothness, strong_convexity, "polyak_heavy_ball")
    root_kappa = np.sqrt(L / mu)
    return (float(4.0 / (np.sqrt(L) + np.sqrt(mu)) ** 2),
            float(((root_kappa - 1) / (root_kappa + 1)) ** 2))


def _check_constants(smoothness: Any, strong_convexity: Any, owner: str) -> tuple[float, float]:
    L = check_real(smoothness, "smoothness", owner, low=0, low_open=True)
    mu = check_real(strong_convexity, "strong_convexity", owner, low=0, high=L,
                    low_open=True)
    return L, mu


# ------------------------------------------------- SGD's second moment (least squares)
def _least_squares(problem: Any, owner: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Design matrix ``A`` (rows ``a_i``), Hessian ``H`` and L2 weight of least squares."""
    from .models import LinearRegression

    if not isinstance(problem, LinearRegression):
        raise TypeError(f"The 'problem' parameter of {owner} must be a LinearRegression "
                        "(least squares: the only data problem whose per-sample Hessians are "
                        f"constant). Got {type(problem).__name__} instead.")
    H = problem.hessian(problem.minima[0])
    if problem.strong_convexity <= 0:
        raise ValueError(f"The 'problem' parameter of {owner} must be strongly convex "
                         "(a Hessian with smallest eigenvalue > 0; add l2 or samples). "
                         f"Got {problem.name!r}, whose smallest eigenvalue is 0, instead.")
    return problem._A, np.asarray(H, dtype=float), float(problem.l2)


def _batch_coefficients(n: int, batch_size: int) -> tuple[float, float]:
    """``E[H_B kron H_B] = c1 S + c2 H kron H`` for B distinct samples out of n."""
    if n == 1:
        return 1.0, 0.0
    B = batch_size
    return 1.0 / B - (B - 1) / (B * (n - 1)), n * (B - 1) / (B * (n - 1))


def _second_moment_parts(problem: Any, batch_size: int, owner: str):
    A, H, l2 = _least_squares(problem, owner)
    n, d = A.shape
    B = check_int(batch_size, "batch_size", owner, low=1, high=n)
    eye = np.eye(d)
    # A_i kron A_i with A_i = a_i a_i^T + l2 I, averaged over i (row-major vec convention)
    outer = np.einsum("ni,nj->nij", A, A)
    S = np.einsum("nij,nkl->ikjl", outer, outer).reshape(d * d, d * d) / n
    if l2:
        G = A.T @ A / n
        S = S + l2 * (np.kron(G, eye) + np.kron(eye, G)) + l2 * l2 * np.eye(d * d)
    c1, c2 = _batch_coefficients(n, B)
    K = c1 * S + c2 * np.kron(H, H)
    HH = np.kron(H, eye) + np.kron(eye, H)
    return H, K, HH, B


def second_moment_operator(problem: Any, lr: float, batch_size: int = 1) -> np.ndarray:
    r"""The matrix :math:`T` of SGD's second-moment recursion (the noise term aside).

    :math:`T = I - \eta\,(H\otimes I + I\otimes H) + \eta^2\,\mathbb E[H_B\otimes H_B]`,
    of shape ``(dim**2, dim**2)``, for minibatch SGD at the constant rate ``lr`` on a
    :class:`~lrlab.models.LinearRegression` (see the module notes).

    Parameters
    ----------
    problem : LinearRegression
        Least squares (strongly convex).
    lr : float > 0
    batch_size : int in [1, n]

    Examples
    --------
    >>> from lrlab.datasets import noisy_line
    >>> from lrlab.models import LinearRegression
    >>> p = LinearRegression(noisy_line(50, seed=1))
    >>> T = second_moment_operator(p, 0.1, batch_size=50)     # full batch: (I - eta H) kron itself
    >>> G = np.eye(2) - 0.1 * p.hessian(p.x0)
    >>> bool(np.allclose(T, np.kron(G, G)))
    True
    """
    owner = "second_moment_operator"
    eta = check_real(lr, "lr", owner, low=0, low_open=True)
    _, K, HH, _ = _second_moment_parts(problem, batch_size, owner)
    return np.eye(len(K)) - eta * HH + eta * eta * K


def mean_square_rate(problem: Any, lr: Any, batch_size: int = 1) -> float | np.ndarray:
    r"""Spectral radius of :func:`second_moment_operator`: the growth of the mean square error.

    Below 1, :math:`\mathbb E\lVert\theta_t - \theta^\star\rVert^2` settles on a floor; above 1
    it grows geometrically by this factor (dominated by rare runs: a typical run can
    still look stable). ``lr`` may be an array (one value per rate).

    Examples
    --------
    >>> from lrlab.datasets import noisy_line
    >>> from lrlab.models import LinearRegression
    >>> p = LinearRegression(noisy_line(400, noise=1.0, seed=0))
    >>> [bool(r < 1) for r in mean_square_rate(p, [0.6, 0.7], batch_size=1)]
    [True, False]
    """
    owner = "mean_square_rate"
    eta = np.asarray(check_real(lr, "lr", owner, low=0, low_open=True, allow_array=True))
    _, K, HH, _ = _second_moment_parts(problem, batch_size, owner)
    eye = np.eye(len(K))
    rates = np.array([np.abs(np.linalg.eigvals(eye - e * HH + e * e * K)).max()
                      for e in eta.ravel()]).reshape(eta.shape)
    return float(rates) if rates.ndim == 0 else rates


def mean_square_threshold(problem: Any, batch_size: int = 1) -> float:
    r"""The largest constant rate at which minibatch SGD is stable in mean square.

    :math:`T(\eta)` preserves positive semi-definite matrices, so its spectral radius
    is one of its eigenvalues; it crosses 1 where :math:`T(\eta)v = v`, that is
    :math:`(H\otimes I + I\otimes H)\,v = \eta\,\mathbb E[H_B\otimes H_B]\,v`. The
    threshold is :math:`1/\lambda_{\max}` of that symmetric-definite pencil (computed
    by ``scipy.linalg.eigh``). It lies between the per-sample bound
    :math:`2/\max_i\lambda_{\max}(A_i)` (sufficient: every single step contracts) and
    the full-batch limit :math:`2/L`, which it reaches at ``batch_size = n``.

    Parameters
    ----------
    problem : LinearRegression
    batch_size : int in [1, n]

    Returns
    -------
    float

    Examples
    --------
    >>> from lrlab.datasets import noisy_line
    >>> from lrlab.models import LinearRegression
    >>> p = LinearRegression(noisy_line(400, noise=1.0, seed=0))
    >>> [round(mean_square_threshold(p, B), 3) for B in (1, 4, 400)]
    [0.638, 1.103, 1.389]
    """
    from scipy.linalg import eigh

    _, K, HH, _ = _second_moment_parts(problem, batch_size, "mean_square_threshold")
    return float(1.0 / eigh(K, HH, eigvals_only=True)[-1])


def mean_square_floor(problem: Any, lr: Any, batch_size: int = 1) -> float | np.ndarray:
    r"""Exact stationary loss gap :math:`\mathbb E f(\theta_t) - f^\star` of constant-rate SGD.

    Solves :math:`M = T(M) + \eta^2 Q` with :math:`Q = \operatorname{Cov}[g_B(\theta^\star)]`
    (:func:`lrlab.gradient_noise.gradient_noise_covariance`) and returns
    :math:`\tfrac12\operatorname{tr}(H M)`. Unlike
    :func:`~lrlab.gradient_noise.noise_floor`, which treats the gradient noise as the
    same everywhere, this includes the noise that grows with the distance from the
    minimum (the :math:`\eta^2\,\mathbb E[H_B M H_B]` term), so it is exact for least
    squares at every rate; it is ``inf`` at and above :func:`mean_square_threshold`.

    Parameters
    ----------
    problem : LinearRegression
    lr : float or array, > 0
    batch_size : int in [1, n]

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from lrlab.datasets import noisy_line
    >>> from lrlab.models import LinearRegression
    >>> from lrlab.gradient_noise import noise_floor
    >>> p = LinearRegression(noisy_line(400, noise=1.0, seed=0))
    >>> exact, approx = mean_square_floor(p, 0.01, 4), noise_floor(p, 0.01, 4)
    >>> bool(abs(exact / approx - 1) < 0.01)                       # agree for small rates
    True
    >>> float(mean_square_floor(p, 0.7, 1))
    inf
    """
    from .gradient_noise import gradient_noise_covariance

    owner = "mean_square_floor"
    eta = np.asarray(check_real(lr, "lr", owner, low=0, low_open=True, allow_array=True))
    H, K, HH, B = _second_moment_parts(problem, batch_size, owner)
    threshold = mean_square_threshold(problem, B)
    q = gradient_noise_covariance(problem, batch_size=B).ravel()
    h = H.ravel()
    floors = []
    for e in eta.ravel():
        if e >= threshold:
            floors.append(np.inf)
            continue
        # M = T(M) + e^2 Q  <=>  (e HH - e^2 K) vec M = e^2 vec Q
        m = np.linalg.solve(HH - e * K, e * q)
        floors.append(0.5 * float(h @ m))
    out = np.array(floors).reshape(eta.shape)
    return float(out) if out.ndim == 0 else out
