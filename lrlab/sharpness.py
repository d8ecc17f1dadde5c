r"""Sharpness: the top Hessian eigenvalue, the stability limit 2 / sharpness, and its history.

For gradient descent on a quadratic with Hessian :math:`H`, the error along
an eigenvector with eigenvalue :math:`\lambda` is multiplied by
:math:`1 - \eta\lambda` every step, so the run is stable exactly when
:math:`\eta < 2 / \lambda_{\max}`. The *sharpness*
:math:`\lambda_{\max}(\nabla^2 f(\theta))` therefore sets the largest usable
learning rate near :math:`\theta`. Cohen et al. (2021) found that full-batch
gradient descent on neural networks drives the sharpness *up* until it
reaches :math:`2/\eta` and then hovers there ("the edge of stability"):
:func:`edge_of_stability` reproduces it on a small MLP.

The eigenvalue comes from Hessian-vector products only (never the full
Hessian unless it is tiny): Lanczos through ``scipy.sparse.linalg.eigsh`` on
a ``LinearOperator``, with power iteration as fallback.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import check_choice, check_int, check_real, check_theta, fail
from .datasets import spirals
from .history import History
from .models import MLP
from .problem import Problem, check_problem
from .rules import Rule, sgd
from .trainer import train

__all__ = ["SharpnessTrace", "edge_of_stability", "sharpness", "track_sharpness"]

#: Below this dimension the Hessian is assembled from ``dim`` products and
#: diagonalised exactly (cheaper and more robust than Lanczos).
DENSE_MAX_DIM = 32


def sharpness(problem: Problem, theta: Any = None, *, method: str = "auto", tol: float = 1e-10,
              maxiter: int | None = None, seed: int = 0) -> float | np.ndarray:
    r"""Largest eigenvalue of the Hessian of the (full, noise-free) loss at ``theta``.

    .. math:: S(\theta) = \lambda_{\max}\bigl(\nabla^2 f(\theta)\bigr)
              = \max_{\lVert v\rVert = 1} v^\top \nabla^2 f(\theta)\, v

    Gradient descent is stable near ``theta`` for :math:`\eta < 2/S`.

    Parameters
    ----------
    problem : Problem
        Any problem; its ``hvp`` is exact for quadratics and the models, a
        central difference of gradients otherwise.
    theta : array of shape (dim,) or (..., dim), optional
        Where (``problem.x0`` by default). Leading dimensions give one value
        per point.
    method : {'auto', 'eigsh', 'power', 'dense', 'lobpcg'}
        ``'eigsh'``: Lanczos (ARPACK) on a ``LinearOperator`` of
        Hessian-vector products, ``which='LA'``; ``'power'``: power iteration
        (shifted when the dominant eigenvalue is negative); ``'dense'``: the
        full Hessian from ``dim`` products and ``numpy.linalg.eigvalsh``;
        ``'lobpcg'``: locally optimal block preconditioned conjugate
        gradient (Knyazev 2001) for the top eigenpair, one product per
        iteration. Along a path (``theta`` of shape ``(n, dim)``), lobpcg
        starts each point from the previous point's eigenvector, so a slowly
        turning top direction costs a few products per point: the cheap way
        to follow the sharpness during training.
        ``'auto'`` uses dense up to 32 parameters, else eigsh, falling back to
        power iteration if ARPACK does not converge or scipy is missing.
    tol : float > 0
        Relative tolerance of the iterative methods (lobpcg stops when
        :math:`\lVert Hv - \lambda v\rVert \le` ``tol`` :math:`|\lambda|`;
        ``1e-2`` gives the eigenvalue to about ``tol**2``).
    maxiter : int, optional
        Iteration cap (ARPACK's default; ``100 * dim`` capped at 10,000 for power).
    seed : int
        Seed of the random start vector (results are reproducible).

    Returns
    -------
    float, or ndarray of shape ``theta.shape[:-1]``

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> round(sharpness(quadratic([1.0, 3.0, 10.0])), 10)
    10.0

    References
    ----------
    Lanczos (1950); Lehoucq, Sorensen & Yang (1998), "ARPACK users' guide".
    Knyazev (2001), "Toward the optimal preconditioned eigensolver: locally optimal
    block preconditioned conjugate gradient method", SIAM J. Sci. Comput.
    Pearlmutter (1994), "Fast exact multiplication by the Hessian".
    Cohen, Kaur, Li, Kolter & Talwalkar (2021), "Gradient descent on neural
    networks typically occurs at the edge of stability", ICLR.
    """
    owner = "sharpness"
    check_problem(problem, owner)
    theta = check_theta(problem.x0 if theta is None else theta, "theta", owner, dim=problem.dim)
    if not np.all(np.isfinite(theta)):
        fail(theta, "theta", owner, allowed="finite")
    method = check_choice(method, "method", owner, ("auto", "eigsh", "power", "dense", "lobpcg"))
    tol = check_real(tol, "tol", owner, low=0, low_open=True)
    maxiter = check_int(maxiter, "maxiter", owner, low=1, allow_none=True)
    seed = check_int(seed, "seed", owner, low=0)
    if method == "lobpcg" and problem.dim > 1:
        flat = theta.reshape(-1, problem.dim)
        v = np.random.default_rng(seed).standard_normal(problem.dim)
        out = []
        for point in flat:  # each point starts where the previous one ended
            value, v = _lobpcg_top(_hvp_of(problem, point), v, tol, maxiter or 200)
            out.append(value)
        return np.array(out).reshape(theta.shape[:-1]) if theta.ndim > 1 else out[0]
    if theta.ndim > 1:
        flat = theta.reshape(-1, problem.dim)
        out = [_one(problem, t, method, tol, maxiter, seed) for t in flat]
        return np.array(out).reshape(theta.shape[:-1])
    return _one(problem, theta, method, tol, maxiter, seed)


def _hvp_of(problem: Problem, theta: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    dim = problem.dim

    def matvec(v):
        with np.errstate(all="ignore"):
            return np.asarray(problem._hvp(theta, np.asarray(v, dtype=float).reshape(dim)),
                              dtype=float).reshape(dim)
    return matvec


def _lobpcg_top(matvec: Callable, v0: np.ndarray, tol: float,
                maxiter: int) -> tuple[float, np.ndarray]:
    """Largest eigenpair of a symmetric operator by LOBPCG without preconditioner.

    Each iteration is a Rayleigh-Ritz step on ``span{x, r, p}`` (iterate,
    residual, previous direction), orthonormalised; one product (``H r``)
    per iteration. Stops at ``|H x - lam x| <= tol |lam|``, or when the Ritz
    value stops rising (rounding; in exact arithmetic it never falls). NaN if a
    product is not finite (a point where the loss overflows).
    """
    x = v0 / np.linalg.norm(v0)
    hx = matvec(x)
    lam = float(x @ hx)
    p = hp = None
    for _ in range(maxiter):
        if not (np.all(np.isfinite(hx)) and np.isfinite(lam)):
            return math.nan, v0
        r = hx - lam * x
        if np.linalg.norm(r) <= tol * max(abs(lam), 1e-300):
            break
        r_norm = np.linalg.norm(r)
        basis, images = [x, r / r_norm], [hx, matvec(r) / r_norm]
        if p is not None:
            p_norm = np.linalg.norm(p)
            basis.append(p / p_norm)
            images.append(hp / p_norm)
        V, HV = np.column_stack(basis), np.column_stack(images)
        Q, R = np.linalg.qr(V)
        if len(basis) == 3 and abs(R[2, 2]) < 1e-8:   # p in span{x, r}: restart without it
            V, HV = V[:, :2], HV[:, :2]
            Q, R = np.linalg.qr(V)
        if abs(R[-1, -1]) < 1e-12:                    # r in span{x}: x is an eigenvector
            break
        HQ = np.linalg.solve(R.T, HV.T).T          # H Q = H V R^-1
        T = Q.T @ HQ
        w, U = np.linalg.eigh(0.5 * (T + T.T))
        if w[-1] <= lam + 4 * np.finfo(float).eps * abs(lam):  # no progress left: rounding
            break
        u = U[:, -1]
        x_new, hx_new = Q @ u, HQ @ u
        overlap = float(x @ x_new)
        p, hp = x_new - overlap * x, hx_new - overlap * hx   # the step taken, minus x
        norm = np.linalg.norm(x_new)
        x, hx, lam = x_new / norm, hx_new / norm, float(w[-1])
    return lam, x


def _one(problem, theta, method, tol, maxiter, seed) -> float:
    dim = problem.dim
    with np.errstate(all="ignore"):
        def matvec(v):
            return np.asarray(problem._hvp(theta, np.asarray(v, dtype=float).reshape(dim)),
                              dtype=float).reshape(dim)

        if method == "dense" or (method == "auto" and dim <= DENSE_MAX_DIM) or dim == 1:
            H = np.stack([matvec(e) for e in np.eye(dim)], axis=-1)
            return float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])
        v0 = np.random.default_rng(seed).standard_normal(dim)
        if method in ("eigsh", "auto"):
            try:
                return _eigsh(matvec, dim, tol, maxiter, v0)
            except ImportError:
                if method == "eigsh":
                    raise
            except Exception as err:  # ARPACK did not converge
                if method == "eigsh" or type(err).__name__ not in (
                        "ArpackNoConvergence", "ArpackError"):
                    raise
        cap = maxiter if maxiter is not None else min(100 * dim, 10_000)
        return _power(matvec, v0, tol, cap)


def _eigsh(matvec, dim, tol, maxiter, v0) -> float:
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((dim, dim), matvec=matvec, dtype=float)
    vals = eigsh(op, k=1, which="LA", tol=tol, maxiter=maxiter, v0=v0,
                 return_eigenvectors=False)
    return float(vals[-1])


def _power(matvec: Callable, v0: np.ndarray, tol: float, maxiter: int) -> float:
    """Largest algebraic eigenvalue by power iteration (shifted if the dominant one is < 0)."""
    lam = _power_dominant(matvec, v0, tol, maxiter)
    if lam >= 0:
        return lam
    shifted = _power_dominant(lambda v: matvec(v) - lam * v, v0, tol, maxiter)
    return shifted + lam


def _power_dominant(matvec, v0, tol, maxiter) -> float:
    v = v0 / np.linalg.norm(v0)
    lam = math.inf
    for _ in range(maxiter):
        w = matvec(v)
        new = float(v @ w)
        norm = float(np.linalg.norm(w))
        if norm == 0.0 or not math.isfinite(norm):
            return new if math.isfinite(new) else math.nan
        v = w / norm
        if abs(new - lam) <= tol * max(abs(new), 1e-300):
            return new
        lam = new
    return lam


# --------------------------------------------------------------- tracking
@dataclass(frozen=True, eq=False)
class SharpnessTrace:
    """Sharpness measured along a training run.

    Attributes
    ----------
    steps : ndarray of int
        Steps at which the sharpness was measured.
    sharpness : ndarray
        Top Hessian eigenvalue at ``params[steps]``.
    lr : ndarray
        Learning rate used at those steps (the last one for the final step).
    history : History
        The run (with params recorded).
    """

    steps: np.ndarray
    sharpness: np.ndarray
    lr: np.ndarray
    history: History

    @property
    def limit(self) -> np.ndarray:
        """The stability limit of each measurement's rate, ``2 / lr``."""
        return 2.0 / self.lr

    def plot(self, ax: Any = None) -> Any:
        """Sharpness against step, with ``2 / lr`` dashed (:func:`lrlab.plots.plot_sharpness`)."""
        from .plots.sharpness import plot_sharpness

        return plot_sharpness(self, ax=ax)

    def __repr__(self) -> str:
        return (f"<SharpnessTrace {len(self.steps)} points, sharpness "
                f"{self.sharpness[0]:.3g} -> {self.sharpness[-1]:.3g}, 2/lr = "
                f"{self.limit[-1]:.3g}>")


def track_sharpness(problem: Problem, rule: Rule, num_steps: int, *, every: int = 10,
                    steps: Any = None, x0: Any = None, batch_size: int | None = None,
                    seed: int = 0, method: str = "auto", tol: float = 1e-10,
                    **train_kwargs: Any) -> SharpnessTrace:
    """Train with :func:`lrlab.train` and measure the sharpness every ``every`` steps.

    The iterates are recorded and the sharpness is computed afterwards at
    steps ``0, every, 2 every, ...`` (and the last step), so tracking never
    changes the run.

    Parameters
    ----------
    problem, rule, num_steps
        As for :func:`lrlab.train` (one run: scalar hyperparameters).
    every : int >= 1
        Measurement interval in steps.
    steps : sequence of int, optional
        The steps to measure instead (increasing, in ``[0, num_steps]``; those
        after a divergence are dropped): e.g. densely where things change fast.
    x0, batch_size, seed, **train_kwargs
        Passed to :func:`lrlab.train`.
    method, tol : str, float
        Passed to :func:`sharpness`; ``method='lobpcg', tol=1e-2`` follows a
        large model cheaply (each point starts from the last eigenvector).

    Returns
    -------
    SharpnessTrace

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.surfaces import quadratic
    >>> trace = track_sharpness(quadratic([1.0, 4.0]), sgd(0.1), 20, every=10)
    >>> trace.steps.tolist(), trace.sharpness.round(6).tolist()
    ([0, 10, 20], [4.0, 4.0, 4.0])
    """
    owner = "track_sharpness"
    every = check_int(every, "every", owner, low=1)
    if steps is not None:
        wanted = np.asarray(steps)
        if (wanted.ndim != 1 or wanted.size == 0 or not np.issubdtype(wanted.dtype, np.integer)
                or np.any(np.diff(wanted) <= 0) or wanted[0] < 0 or wanted[-1] > num_steps):
            fail(steps, "steps", owner, allowed=f"an increasing sequence of ints in "
                 f"[0, num_steps] = [0, {num_steps}]")
    history = train(problem, rule, num_steps, x0=x0, batch_size=batch_size, seed=seed,
                    record_params=True, **train_kwargs)
    if history.run_shape:
        raise ValueError("track_sharpness follows one run; the rule or x0 gave run shape "
                         f"{history.run_shape}.")
    last = int(history.last_step)
    if steps is None:
        steps = np.unique(np.r_[np.arange(0, last + 1, every), last])
    else:
        steps = wanted[wanted <= last].astype(int)
    values = np.asarray(sharpness(problem, history.params[steps], method=method, tol=tol),
                        dtype=float).reshape(len(steps))
    lr_rec = np.asarray(history.lr, dtype=float)
    # the rate of the step taken from each point; the last point (no step taken from it:
    # the end of the run, or where it diverged) gets the last rate that was used
    lr = lr_rec[np.minimum(steps, max(last - 1, 0))] if len(lr_rec) else \
        np.full(len(steps), np.nan)
    return SharpnessTrace(steps, values, lr, history)


def edge_of_stability(lr: float = 0.4, num_steps: int = 2000, *, every: int = 50,
                      problem: Problem | None = None, seed: int = 0) -> SharpnessTrace:
    r"""Full-batch gradient descent on a small MLP: sharpness rises, then hovers at 2 / lr.

    The default problem is a 2-32-32-2 tanh :class:`~lrlab.models.MLP` on 200
    two-arm spiral points (noise 0.2, cross-entropy). Early on the sharpness grows
    ("progressive sharpening"); once it reaches :math:`2/\eta` the loss
    stops decreasing monotonically and the sharpness stays near
    :math:`2/\eta` instead of crossing it, while the loss keeps falling on
    average -- the edge of stability of Cohen et al. (2021). (With
    cross-entropy the sharpness eventually drops again, late in training, as
    the margins grow.)

    Measured on the default problem (seed 0, 3000 steps): lr = 0.3, 0.4, 0.5
    settle at sharpness 6.7, 5.0, 4.0 = 2/lr within 3 %, after a transient
    overshoot; lr = 0.2 stops sharpening at 7.5 < 2/lr = 10 (no edge).

    Parameters
    ----------
    lr : float > 0
        The constant learning rate :math:`\eta`.
    num_steps : int
        Steps of full-batch gradient descent.
    every : int
        Sharpness measurement interval.
    problem : Problem, optional
        Another problem to run instead of the default MLP.
    seed : int
        Seed of the data and of the MLP's initial weights.

    Returns
    -------
    SharpnessTrace

    Examples
    --------
    The default MLP takes seconds; a quadratic shows the bookkeeping (its
    sharpness is constant, 10, below the limit 2/lr = 20):

    >>> from lrlab.surfaces import quadratic
    >>> trace = edge_of_stability(0.1, 40, every=20, problem=quadratic([1.0, 10.0]))
    >>> trace.sharpness.round(6).tolist(), trace.limit.tolist()
    ([10.0, 10.0, 10.0], [20.0, 20.0, 20.0])
    """
    lr = check_real(lr, "lr", "edge_of_stability", low=0, low_open=True)
    if problem is None:
        problem = MLP(spirals(200, noise=0.2, seed=seed), hidden=(32, 32), seed=seed)
    return track_sharpness(problem, sgd(lr), num_steps, every=every, divergence_factor=None)
