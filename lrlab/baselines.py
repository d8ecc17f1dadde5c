r"""Baselines that are not step-size rules: L-BFGS through ``scipy.optimize``.

A quasi-Newton method needs no learning rate at all: it builds a curvature
model from the last ``m`` gradient differences and finds the step length by
a line search. It is what one reaches for on a small, smooth, deterministic
problem ("In practice, Andrew normally uses the L-BFGS algorithm"), and the
yardstick against which the rules of this course are measured. The result
is a :class:`~lrlab.History`, so every plot and summary works on it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import MAX_COUNT, check_int, check_real, check_theta, fail
from .history import History
from .problem import Problem, check_problem

__all__ = ["lbfgs"]


def lbfgs(problem: Problem, num_steps: int, x0: Any = None, m: int = 10,
          tol: float | None = None) -> History:
    r"""Minimise ``problem`` with L-BFGS (scipy's L-BFGS-B, no bounds) and record a History.

    Parameters
    ----------
    problem : Problem
        Minimised on its exact, full-data loss (no minibatches, no gradient noise).
    num_steps : int >= 0
        Maximum number of L-BFGS iterations (scipy's ``maxiter``).
    x0 : array of shape (dim,), optional
        Start point; ``problem.x0`` by default. One run only: L-BFGS runs
        differ in their number of function evaluations, which a batched
        History cannot hold, so loop over start points instead
        (``[lbfgs(p, n, x0=x) for x in starts]``).
    m : int >= 1
        Number of correction pairs kept (scipy's ``maxcor``, torch's
        ``history_size``).
    tol : float > 0, optional
        Stopping tolerance passed to ``scipy.optimize.minimize`` (sets both
        ``ftol`` and ``gtol``); ``None`` keeps scipy's defaults
        (``ftol = 2.2e-9``, ``gtol = 1e-5``).

    Returns
    -------
    History
        ``loss``, ``grad_norm`` and ``params`` at every iterate; ``lr[t] =
        ||theta_{t+1} - theta_t|| / ||g_t||``, the plain gradient-descent
        step length that would move as far (L-BFGS moves along
        :math:`-H_t g_t`, not :math:`-g_t`); ``loss_evals`` and
        ``grad_evals``: scipy's cumulative function evaluations, line search
        included (one evaluation gives both). When scipy stops before
        ``num_steps`` (converged, or its line search failed), ``stopped_at``
        and ``reason`` (scipy's message) say so and later entries are NaN.

    Notes
    -----
    With :math:`s_k = \theta_{k+1} - \theta_k`, :math:`y_k = g_{k+1} - g_k`
    and :math:`\rho_k = 1/(y_k^\top s_k)`, L-BFGS applies the inverse-Hessian
    approximation built from the last :math:`m` pairs

    .. math::
        H_{k+1} = (I - \rho_k s_k y_k^\top)\, H_k\, (I - \rho_k y_k s_k^\top)
                  + \rho_k s_k s_k^\top,\qquad H^{(0)} = \frac{s^\top y}{y^\top y} I,

    through the two-loop recursion, and steps
    :math:`\theta_{k+1} = \theta_k - \alpha_k H_k g_k` with :math:`\alpha_k`
    from a line search satisfying the strong Wolfe conditions (first try
    :math:`\alpha_k = 1`). The initial scaling :math:`s^\top y/y^\top y` is
    the Barzilai–Borwein step (see :func:`lrlab.rules.barzilai_borwein`).

    PyTorch's counterpart is ``torch.optim.LBFGS(params, history_size=m,
    line_search_fn="strong_wolfe")`` (without ``line_search_fn`` torch takes
    fixed steps of length ``lr``); scipy's code is Byrd, Lu, Nocedal & Zhu's
    Fortran L-BFGS-B, so iterates agree with torch's only approximately.

    Examples
    --------
    >>> import lrlab
    >>> from lrlab.baselines import lbfgs
    >>> bowl = lrlab.surfaces.quadratic([1.0, 100.0])
    >>> h = lbfgs(bowl, 50)
    >>> h.final_loss < 1e-12, h.status(), int(h.last_step) < 10
    (True, 'stopped', True)

    References
    ----------
    Liu & Nocedal (1989), "On the limited memory BFGS method for large scale
    optimization", Math. Programming 45, 503–528.
    Byrd, Lu, Nocedal & Zhu (1995), "A limited memory algorithm for bound
    constrained optimization", SIAM J. Sci. Comput. 16(5), 1190–1208.
    Nocedal & Wright (2006), *Numerical Optimization*, 2nd ed., Algorithm 7.4.
    """
    owner = "lbfgs"
    check_problem(problem, owner)
    num_steps = check_int(num_steps, "num_steps", owner, low=0, high=MAX_COUNT)
    m = check_int(m, "m", owner, low=1, high=MAX_COUNT)
    if tol is not None:
        tol = check_real(tol, "tol", owner, low=0, low_open=True)
    start = check_theta(problem.x0 if x0 is None else x0, "x0", owner, dim=problem.dim)
    if start.ndim != 1:
        raise ValueError(
            f"lbfgs runs one start point at a time; got x0 of shape {start.shape}. "
            "Loop over them: [lbfgs(problem, num_steps, x0=x) for x in x0]."
        )
    if not np.all(np.isfinite(start)):
        fail(start, "x0", owner, allowed="finite")
    from scipy.optimize import minimize

    evals = [0]
    cache = {}

    def fun(x):
        evals[0] += 1
        with np.errstate(all="ignore"):
            value, g = problem._loss_and_grad(np.array(x, dtype=float), None)
        value, g = float(value), np.array(g, dtype=float)
        cache.clear()
        cache[x.tobytes()] = (value, g)
        return value, g

    def record(x):
        hit = cache.get(np.asarray(x, dtype=float).tobytes())
        if hit is None:      # not the last evaluated point: evaluate for the record only
            with np.errstate(all="ignore"):
                value, g = problem._loss_and_grad(np.array(x, dtype=float), None)
            hit = float(value), np.array(g, dtype=float)
        iterates.append((np.array(x, dtype=float), *hit, evals[0]))

    iterates = []
    fun(start)
    record(start)
    evals[0] = 0
    result = None
    if num_steps > 0 and np.isfinite(iterates[0][1]):
        options = {"maxcor": m, "maxiter": num_steps, "maxfun": max(15000, 50 * num_steps)}
        result = minimize(fun, start, method="L-BFGS-B", jac=True, tol=tol, options=options,
                          callback=record)
    return _history(problem, iterates, num_steps, result, m, tol)


def _history(problem, iterates, num_steps, result, m, tol):
    T = num_steps
    k = len(iterates) - 1                  # iterations made
    loss = np.full(T + 1, np.nan)
    grad_norm = np.full(T + 1, np.nan)
    params = np.full((T + 1, problem.dim), np.nan)
    evals = np.zeros(T + 1, dtype=int)
    for t, (x, value, g, n) in enumerate(iterates):
        loss[t], grad_norm[t], params[t], evals[t] = value, np.linalg.norm(g), x, n
    evals[0] = 1
    if result is not None and k >= 1:
        evals[k] = max(evals[k], int(result.nfev))
    evals[k + 1:] = evals[k]
    with np.errstate(all="ignore"):
        step = np.linalg.norm(np.diff(params[: k + 1], axis=0), axis=-1)
        lr = np.full(T, np.nan)
        lr[:k] = step / grad_norm[:k]
        ratio = np.full(T, np.nan)
        ratio[:k] = step / np.maximum(np.linalg.norm(params[1 : k + 1], axis=-1), 1e-12)
    diverged_at = np.array(-1)
    stopped_at = np.array(-1)
    reason = np.array("")
    if not np.isfinite(loss[0]):
        diverged_at, reason = np.array(0), np.array(f"loss became {loss[0]}")
    elif k < T:
        stopped_at = np.array(k)
        reason = np.array(str(result.message) if result is not None else "")
    meta = {"rule": f"L-BFGS(m={m}, tol={tol})", "problem": problem.name, "seed": None,
            "batch_size": None, "nfev": None if result is None else int(result.nfev),
            "nit": k, "success": None if result is None else bool(result.success),
            "torch": "torch.optim.LBFGS(params, history_size=m, line_search_fn='strong_wolfe')"}
    return History(
        loss=loss, grad_norm=grad_norm, lr=lr, update_ratio=ratio, params=params,
        diverged_at=diverged_at, stopped_at=stopped_at, reason=reason,
        loss_evals=evals, grad_evals=evals.copy(), meta=meta,
    )
