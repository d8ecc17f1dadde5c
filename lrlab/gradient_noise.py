"""The noise floor of constant-rate SGD, predicted from the gradient noise.

With a constant learning rate, minibatch SGD does not converge: near the
minimum the gradient noise keeps kicking the iterate, and the loss settles
on a *floor* that grows with the learning rate and shrinks with the batch
size. On a quadratic ``f = 1/2 (theta - theta*)^T H (theta - theta*)`` with
gradient noise of covariance ``Sigma_B`` the iterates' stationary covariance
``P`` solves the discrete Lyapunov equation

.. math:: P = (I - \\eta H)\\, P\\, (I - \\eta H)^\\top + \\eta^2 \\Sigma_B,

and the floor is ``E f - f* = 1/2 tr(H P)``, about ``eta tr(Sigma_B) / 4``
for small ``eta`` (Bottou, Curtis & Nocedal 2018, Sec. 4; Mandt, Hoffman &
Blei 2017). A decaying learning rate drives the floor to zero. :func:`measured_floor`
measures the same quantity on a run, and the noise explorer
(:mod:`lrlab.apps.noise`) draws the prediction next to the runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import check_int, check_real, fail, real_array
from .problem import Problem, check_problem
from .rules import sgd
from .trainer import train

__all__ = ["gradient_noise_covariance", "gradient_noise_scale", "measured_floor", "noise_floor"]


def gradient_noise_covariance(problem: Problem, theta: Any = None,
                              batch_size: int = 1) -> np.ndarray:
    """Covariance of the minibatch gradient of a data problem at ``theta``.

    Per-sample gradients ``g_i`` at ``theta`` (shape ``(dim,)``; default: the
    minimiser ``problem.minima[0]`` when known, else ``problem.x0``) give
    ``Sigma_1 = mean (g_i - g)(g_i - g)^T``; a batch of ``B`` drawn without
    replacement from ``n`` has covariance
    ``Sigma_1 / B * (n - B) / (n - 1)``.
    """
    owner = "gradient_noise_covariance"
    n = _data_problem(problem, owner, "minibatch gradients")
    batch_size = check_int(batch_size, "batch_size", owner, low=1, high=n)
    theta = _where(problem, theta, owner)  # checked once: problem.grad's own check and
    grad = problem._grad                   # (identity) noise per sample left out
    g = np.stack([grad(theta, np.array([i])) for i in range(n)])
    d = g - g.mean(axis=0)
    sigma1 = d.T @ d / n
    return sigma1 / batch_size * (n - batch_size) / max(n - 1, 1)


def noise_floor(problem: Problem, lr: float, batch_size: int, *,
                covariance: Any = None) -> float:
    """Predicted stationary ``E f(theta) - f*`` of constant-``lr`` SGD (see module notes).

    Exact for a quadratic with constant gradient noise; for least squares the
    noise grows away from the minimum, so it is a good approximation when the
    floor is small. Returns ``inf`` when ``lr >= 2/L`` (no stationary state).
    ``covariance``, when given, is ``gradient_noise_covariance(problem,
    batch_size=batch_size)`` computed before (it does not depend on ``lr``: an app
    that moves the rate keeps it instead of taking the ``n_samples`` gradients again).

    Examples
    --------
    >>> from lrlab.apps.race import default_data_problem  # least squares on a noisy line
    >>> p = default_data_problem()
    >>> round(noise_floor(p, 0.1, 4) / noise_floor(p, 0.1, 16), 1)  # 4x batch: ~4x lower
    4.0
    """
    from scipy.linalg import solve_discrete_lyapunov

    owner = "noise_floor"
    n = _data_problem(problem, owner, "minibatch gradients")
    lr = check_real(lr, "lr", owner, low=0, low_open=True)
    batch_size = check_int(batch_size, "batch_size", owner, low=1, high=n)
    if getattr(problem, "minima", None) is None or len(problem.minima) == 0:
        fail(problem, "problem", owner, allowed="a data problem with a known minimiser "
             "(problem.minima), e.g. lrlab.models.LinearRegression")
    H = np.asarray(problem.hessian(problem.minima[0]), dtype=float)
    if lr * float(np.linalg.eigvalsh(H)[-1]) >= 2:
        return float("inf")
    if covariance is None:
        sigma = gradient_noise_covariance(problem, batch_size=batch_size)
    else:
        sigma = real_array(covariance, "covariance", owner, allowed="a real array")
        if sigma.shape != H.shape or not np.all(np.isfinite(sigma)):
            fail(covariance, "covariance", owner,
                 allowed=f"a finite real array of shape {H.shape}")
    A = np.eye(len(H)) - lr * H
    P = solve_discrete_lyapunov(A, lr**2 * sigma)
    return float(0.5 * np.trace(H @ P))


def measured_floor(problem: Problem, lr: Any, batch_size: int, *, num_steps: int = 2000,
                   seed: int | None = 0, tail: float = 0.5) -> float | np.ndarray:
    """Noise floor of constant-``lr`` SGD, measured on a run: :func:`noise_floor`'s counterpart.

    Runs minibatch SGD at the constant rate ``lr`` for ``num_steps`` steps and
    returns the mean full-data loss gap ``f(theta_t) - f*`` over the last
    ``k = int(tail * num_steps)`` steps (``num_steps - k < t <= num_steps``; the
    noise explorer's "floor measured" is the same number), where the run has
    forgotten its start and sits on its floor.

    Parameters
    ----------
    problem : Problem
        A data problem (minibatches need ``n_samples``) with a known ``f_star``.
    lr : float or array of float
        Constant learning rate(s), > 0; an array gives one measurement per rate
        (one batched run).
    batch_size : int
        Minibatch size, in ``[1, n_samples]``.
    num_steps : int, optional
        Length of the run; long enough for it to reach its floor (compare with
        :func:`noise_floor`: a measurement far above it on a loss still falling
        means the run has not got there).
    seed : int or None, optional
        Random seed of the minibatch draws.
    tail : float, optional
        Fraction of the run averaged over, in (0, 1].

    Returns
    -------
    float or ndarray
        The measured floor for each rate; ``inf`` for a run that diverged (no floor).

    Examples
    --------
    >>> from lrlab.apps.race import default_data_problem  # least squares on a noisy line
    >>> p = default_data_problem()
    >>> m = measured_floor(p, 0.05, 4)
    >>> bool(0.8 < m / noise_floor(p, 0.05, 4) < 1.25)
    True
    """
    owner = "measured_floor"
    n = _data_problem(problem, owner, "minibatches")
    if problem.f_star is None:
        raise ValueError(f"{owner} measures the gap above the minimum: {problem.name!r} has "
                         "f_star=None.")
    batch_size = check_int(batch_size, "batch_size", owner, low=1, high=n)
    num_steps = check_int(num_steps, "num_steps", owner, low=2)
    tail = check_real(tail, "tail", owner, low=0, high=1, low_open=True)
    last = max(int(tail * num_steps), 1)
    history = train(problem, sgd(lr), num_steps, batch_size=batch_size, seed=seed,
                    eval_every=1, record_params=False)
    gap = history.eval_loss[history.eval_steps > num_steps - last] - problem.f_star
    diverged = history.diverged_at >= 0
    if len(gap) == 0:  # every run diverged before the tail (a batch stops when all have)
        floor = np.full(np.shape(diverged), np.inf)
    else:  # a diverged run's tail is NaN, and its floor inf
        floor = np.where(diverged, np.inf, np.mean(gap, axis=0))
    return float(floor) if floor.ndim == 0 else floor


def gradient_noise_scale(problem: Problem, theta: Any = None) -> float:
    r"""The simple gradient noise scale of McCandlish et al., :math:`\mathrm{tr}\,\Sigma / |G|^2`.

    :math:`G` is the full-data gradient at ``theta`` and :math:`\Sigma` the covariance of
    the per-sample gradients :math:`g_i` (:math:`\operatorname{tr}\Sigma =
    \frac1n\sum_i \lVert g_i - G\rVert^2`; only its trace is needed, so a network with
    17,226 parameters costs one pass, not a 17,226-square matrix). A minibatch of
    ``B`` samples has noise :math:`\operatorname{tr}\Sigma / B`, as large as the signal
    :math:`\lVert G\rVert^2` at :math:`B = B_{\text{simple}}`: far below it, doubling the
    batch halves the noise and almost halves the steps needed; far above it, the
    gradient is already nearly exact and a larger batch buys few steps. McCandlish,
    Kaplan, Amodei et al. (2018) show that it predicts the *critical batch size* of
    training to within an order of magnitude (exactly so when the Hessian is a multiple
    of the identity); it grows as the loss falls.

    Parameters
    ----------
    problem : Problem
        A data problem (``n_samples`` not None). For an :class:`~lrlab.models.MLP` the
        per-sample gradient norms come from one forward and backward pass
        (:math:`|\nabla_{W_l}\ell_i|^2 = |h_{l-1,i}|^2\,|\delta_{l,i}|^2`, the per-example
        trick of Goodfellow 2015); otherwise one gradient per sample.
    theta : array of shape (dim,), optional
        Where to measure (default: the minimiser ``problem.minima[0]`` when known, else
        ``problem.x0``).

    Returns
    -------
    float
        ``inf`` where the full gradient is exactly zero.

    Examples
    --------
    >>> from lrlab.apps.race import default_data_problem
    >>> p = default_data_problem()                      # least squares on a noisy line
    >>> b = gradient_noise_scale(p, [0.0, 0.0])
    >>> G = p.grad(np.zeros(2))
    >>> bool(np.isclose(b, np.trace(gradient_noise_covariance(p, [0.0, 0.0])) / (G @ G)))
    True
    """
    owner = "gradient_noise_scale"
    _data_problem(problem, owner, "per-sample gradients")
    theta = _where(problem, theta, owner)
    from .trainer.epochs import _one_blas_thread

    with _one_blas_thread():             # small products: one thread is faster (and on a busy
        G = np.asarray(problem.grad(theta), dtype=float)            # machine, much faster)
        squares = _per_sample_squared_norms(problem, theta)
    signal = float(G @ G)
    trace = max(float(np.mean(squares)) - signal, 0.0)
    return float("inf") if signal == 0.0 else trace / signal


def _data_problem(problem: Any, owner: str, needs: str) -> int:
    """The number of samples of a data problem; a clear error for anything else."""
    check_problem(problem, owner)
    if problem.n_samples is None:
        raise ValueError(f"{owner} needs a data problem ({needs}); {problem.name!r} has "
                         "n_samples=None.")
    return problem.n_samples


def _where(problem: Problem, theta: Any, owner: str) -> np.ndarray:
    """``theta`` (default: the minimiser when known, else ``x0``), finite, of shape ``(dim,)``."""
    if theta is None:
        minima = getattr(problem, "minima", None)
        theta = problem.x0 if minima is None or len(minima) == 0 else minima[0]
    allowed = f"a finite real array of shape ({problem.dim},)"
    arr = real_array(theta, "theta", owner, allowed=allowed)
    if arr.shape != (problem.dim,) or not np.all(np.isfinite(arr)):
        fail(theta, "theta", owner, allowed=allowed)
    return arr


def _per_sample_squared_norms(problem: Problem, theta: np.ndarray, chunk: int = 512
                              ) -> np.ndarray:
    """``||grad f_i(theta)||^2`` for every sample ``i`` (the penalty included)."""
    from .models import MLP

    n = problem.n_samples
    if not isinstance(problem, MLP):
        return np.array([float(np.sum(problem.grad(theta, np.array([i])) ** 2))
                         for i in range(n)])
    params = problem._params(theta)
    out = np.empty(n)
    for start in range(0, n, chunk):
        rows = np.arange(start, min(start + chunk, n))
        X, y = problem._rows(rows)
        hs = problem._forward(params, X)
        _, delta = problem._softmax_loss(hs[-1], y)
        delta[np.arange(len(rows)), y] -= 1.0          # d loss_i / d z_i, not averaged
        squares = np.zeros(len(rows))
        dots = np.zeros(len(rows))                      # theta . grad loss_i, for the penalty
        for l in range(len(params) - 1, -1, -1):
            h, (W, b) = hs[l], params[l]
            dd = np.einsum("ij,ij->i", delta, delta)
            squares += np.einsum("ij,ij->i", h, h) * dd + dd
            if problem.l2:
                dots += np.einsum("ij,ij->i", h @ W, delta) + delta @ b
            if l:
                delta = (delta @ W.T) * problem._dphi(h)
        if problem.l2:
            squares += 2 * problem.l2 * dots + problem.l2**2 * float(theta @ theta)
        out[rows] = squares
    return out
