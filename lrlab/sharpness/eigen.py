r"""The top eigenvalue of the Hessian from Hessian-vector products: :func:`sharpness`.

Lanczos through ``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``, power
iteration as fallback, the dense Hessian when it is tiny, and LOBPCG warm-started
along a path of points. Re-exported by :mod:`lrlab.sharpness`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_choice, check_int, check_real, check_theta, fail
from ..problem import Problem, check_problem

__all__ = ["DENSE_MAX_DIM", "sharpness"]


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
