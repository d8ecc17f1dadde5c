r"""Step sizes from curvature and from the loss itself: 1/L, 2/(mu+L), exact and Armijo.

Gradient descent :math:`\theta_{t+1} = \theta_t - \eta_t g_t` needs one
number per step. The rules here find it without a learning-rate sweep:

* from the *global* curvature of the problem, when it is known:
  :func:`inverse_smoothness` (:math:`\eta = 1/L`) and :func:`optimal_constant`
  (:math:`\eta = 2/(\mu + L)`), in :mod:`lrlab.rules.curvature`;
* from the loss along the ray :math:`\eta \mapsto f(\theta_t - \eta g_t)`:
  :func:`exact_line_search` (minimise it) and :func:`armijo` (backtrack until
  the decrease is big enough);
* from the loss value or the last two gradients: :func:`polyak` and
  :func:`barzilai_borwein` (in :mod:`lrlab.rules.polyak_bb`, re-exported here).

Every rule's state has a field ``lr``: the step size it used at the last
step, one per run; the trainer records it in ``History.lr``. Rules that look
at the loss declare it in ``Rule.needs`` and count on :func:`lrlab.train` to
pass ``loss`` and ``loss_fn`` (whose calls it counts in
``History.loss_evals``). All searches are vectorised over runs with masks and
bounded in iterations, so a run whose loss is NaN costs nothing and ends; a
single run takes the same steps in Python floats, bit for bit and faster
(:mod:`lrlab.rules.line_minimise`).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_choice, check_int, check_real
from ..problem import Problem
from ..problem import dot_last as _dot
from .base import Rule, require_input, run_shape
from .curvature import StepSizeState, _check_problem, inverse_smoothness, optimal_constant
from .line_minimise import _BIG, backtrack, minimise_along
from .polyak_bb import barzilai_borwein, polyak

__all__ = [
    "armijo",
    "barzilai_borwein",
    "exact_line_search",
    "inverse_smoothness",
    "optimal_constant",
    "polyak",
]


# ------------------------------------------------------------------ exact line search
class SearchState(NamedTuple):
    """Step used at the last step (0: no decrease found) and the last nonzero step."""

    lr: Any
    accepted: Any


def exact_line_search(problem: Problem, *, method: str = "auto", xtol: float = 1e-6,
                      max_iter: int = 100) -> Rule:
    r"""Steepest descent with the step that minimises the loss along :math:`-g_t`.

    Parameters
    ----------
    problem : Problem
        The problem being trained (its Hessian is used by ``method='quadratic'``).
    method : {'auto', 'quadratic', 'search'}
        ``'quadratic'``: the closed form below, exact when the loss is quadratic.
        ``'search'``: a bounded one-dimensional minimisation of the loss the
        rule sees (bracketing, then golden-section search), for any problem.
        ``'auto'`` picks ``'quadratic'`` where it is exact: a problem whose
        Hessian is constant (``problem.constant_hessian``, a quadratic loss)
        and whose gradients are exact (no ``noise``, no samples to draw
        minibatches from: ``n_samples is None``); ``'search'`` otherwise.
    xtol : float in (0, 1)
        ``'search'`` stops when the bracket is narrower than ``xtol`` times the step.
    max_iter : int >= 1
        ``'search'``: at most this many loss evaluations per step (bracketing
        included). A run that finds no decrease (at a minimum, up to rounding,
        where halving the step stops once it no longer moves ``theta``) takes
        no step (``lr = 0``).

    Returns
    -------
    Rule

    Notes
    -----
    ``'quadratic'`` (exact for :math:`f = \tfrac12 \theta^\top H \theta + b^\top\theta`):

    .. math:: \eta_t = \frac{g_t^\top g_t}{g_t^\top H g_t},\qquad
              \theta_{t+1} = \theta_t - \eta_t\, g_t

    with :math:`H g_t` from ``problem.hvp`` (the full-data Hessian). On a
    non-quadratic loss this is a one-dimensional Newton step along
    :math:`-g_t` rather than an exact minimisation; where
    :math:`g^\top H g \le 0` it has no minimum and the run diverges.

    ``'search'``: :math:`\eta_t = \arg\min_{0 \le \eta} f_B(\theta_t - \eta g_t)`
    on the current minibatch :math:`B`, through ``loss_fn`` (counted in
    ``History.loss_evals``): from the last nonzero step, double until the loss
    rises (or halve until it falls below :math:`f_B(\theta_t)`), then
    golden-section search in the bracket; the best point seen is taken, so
    the loss never increases.

    Since :math:`\eta_t` minimises :math:`f` along :math:`-g_t`, the next
    gradient is orthogonal to this one: :math:`g_{t+1}^\top g_t = 0`. The
    path turns 90 degrees at every step and zig-zags across a narrow valley,
    which is why an exact line search is no cure for ill-conditioning: on a
    quadratic the loss still contracts by up to
    :math:`((\kappa-1)/(\kappa+1))^2` per step (Kantorovich). On an isotropic
    bowl it lands on the minimum in one step.

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([2.0, 2.0])
    >>> h = lrlab.train(bowl, exact_line_search(bowl), 1)
    >>> float(h.lr[0]), h.final_loss           # 1 / curvature, then exactly at the minimum
    (0.5, 0.0)

    References
    ----------
    Cauchy (1847), "Méthode générale pour la résolution des systèmes d'équations
    simultanées".
    Nocedal & Wright (2006), *Numerical Optimization*, 2nd ed., sections 3.1 and 3.3
    (the zig-zag and the Kantorovich rate).
    Kiefer (1953), "Sequential minimax search for a maximum" (golden-section search).
    """
    owner = "exact_line_search"
    problem = _check_problem(problem, owner)
    check_choice(method, "method", owner, ("auto", "quadratic", "search"))
    xtol = check_real(xtol, "xtol", owner, low=0, high=1, low_open=True, high_open=True)
    max_iter = check_int(max_iter, "max_iter", owner, low=1)
    if method == "auto":
        exact = problem.constant_hessian and not problem.noise and problem.n_samples is None
        method = "quadratic" if exact else "search"

    if method == "quadratic":
        def init(theta):
            return StepSizeState(np.full(theta.shape[:-1], np.nan))

        def update(grad, state, theta, *, t, loss=None, loss_fn=None):
            with np.errstate(all="ignore"):
                gg = _dot(grad, grad)
                gHg = _dot(grad, problem._hvp(theta, grad))
                eta = np.where(gg > 0, gg / np.where(gg > 0, gHg, 1.0), 0.0)
                eta = np.where(np.isnan(gg), np.nan, eta)
            return -eta[..., None] * grad, StepSizeState(eta)

        formula = (r"\eta_t = \frac{g_t^\top g_t}{g_t^\top H g_t},\quad "
                   r"\theta_{t+1} = \theta_t - \eta_t\, g_t")
        needs = frozenset()
    else:
        def update(grad, state, theta, *, t, loss=None, loss_fn=None):
            require_input(loss, "loss", owner)
            require_input(loss_fn, "loss_fn", owner)
            with np.errstate(all="ignore"):
                eta = minimise_along(grad, theta, np.asarray(loss, dtype=float), loss_fn,
                                     state.accepted, xtol, max_iter)
                accepted = np.where(eta > 0, eta, state.accepted)
            return -eta[..., None] * grad, SearchState(eta, accepted)

        formula = (r"\eta_t = \arg\min_{\eta \ge 0} f(\theta_t - \eta\, g_t),\quad "
                   r"\theta_{t+1} = \theta_t - \eta_t\, g_t")
        needs = frozenset({"loss", "loss_fn"})

        def init(theta):
            return SearchState(np.full(theta.shape[:-1], np.nan),
                               np.full(theta.shape[:-1], np.nan))
    return Rule(init=init, update=update, name="exact_line_search", factory="exact_line_search",
                formula=formula, hyperparams={"problem": problem, "method": method, "xtol": xtol,
                             "max_iter": max_iter}, needs=needs)


# --------------------------------------------------------------------------- Armijo
class ArmijoState(NamedTuple):
    """Step used at the last step (0 if backtracking failed) and the last accepted step."""

    lr: Any
    accepted: Any


def armijo(lr0: Any = 1.0, c: float = 1e-4, shrink: float = 0.5, max_backtracks: int = 50,
           *, grow: float | None = None, lr_max: float | None = None) -> Rule:
    r"""Backtracking line search: shrink the step until the loss drops enough.

    Parameters
    ----------
    lr0 : float or array in (0, inf)
        First trial step (at every step, or at step 0 only with ``grow``).
        An array gives one run per entry.
    c : float in (0, 1)
        Sufficient-decrease constant (Nocedal & Wright's ``c1``; 1e-4 is theirs,
        Vaswani et al. use 0.1).
    shrink : float in (0, 1)
        Backtracking factor ``beta``.
    max_backtracks : int >= 0
        At most this many shrinks, so at most ``max_backtracks + 1`` loss
        evaluations per step (fewer when a trial step becomes too small to
        move ``theta`` in floating point). A run that never satisfies the
        condition takes no step (``lr = 0``) and keeps its loss.
    grow : float >= 1, optional
        Warm start (Vaswani et al. 2019): the first trial is
        ``min(grow * previous accepted step, lr_max)`` instead of ``lr0``,
        which saves most evaluations. Their reset is ``grow = 2 ** (b / n)``
        (batch size over sample count). ``None`` restarts from ``lr0``.
    lr_max : float > 0, optional
        Cap on the warm-started trial step (``None``: no cap).

    Returns
    -------
    Rule
        Needs ``loss`` and ``loss_fn``; each trial costs one loss evaluation,
        counted in ``History.loss_evals``.

    Notes
    -----
    .. math::
        \eta_t = \eta^{(0)}_t\,\beta^{k},\ k = \min\{k \ge 0 :
        f(\theta_t - \eta^{(0)}_t\beta^{k} g_t) \le f(\theta_t) - c\,\eta^{(0)}_t\beta^{k}
        \|g_t\|^2\},\qquad \theta_{t+1} = \theta_t - \eta_t\, g_t

    with :math:`\eta^{(0)}_t = \eta_0` (Armijo) or
    :math:`\min(\gamma\,\eta_{t-1}, \eta_{\max})` (warm start). For an
    :math:`L`-smooth :math:`f` every :math:`\eta \le 2(1-c)/L` passes the
    test, so the accepted step is at least :math:`\min(\eta^{(0)}_t,
    2\beta(1-c)/L)`: backtracking finds a step of the right order of
    :math:`1/L` without knowing :math:`L`, and the loss decreases at every
    step. With minibatches, ``loss`` and ``loss_fn`` use the same minibatch
    (stochastic Armijo, Vaswani et al. 2019).

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
    >>> h = lrlab.train(bowl, armijo(lr0=1.0), 50)
    >>> h.lr[:3]                 # step 0: 1, 1/2 and 1/4 fail the test, 1/8 passes
    array([0.125, 0.125, 0.25 ])
    >>> int(h.loss_evals[1])     # the losses at theta_0 and theta_1, and 4 trials
    6

    References
    ----------
    Armijo (1966), "Minimization of functions having Lipschitz continuous first
    partial derivatives", Pacific J. Math. 16(1), 1–3.
    Nocedal & Wright (2006), *Numerical Optimization*, 2nd ed., Algorithm 3.1.
    Vaswani, Mishkin, Laradji, Schmidt, Gidel & Lacoste-Julien (2019), "Painless
    stochastic gradient: interpolation, line-search, and convergence rates", NeurIPS.
    """
    owner = "armijo"
    lr0 = check_real(lr0, "lr0", owner, low=0, low_open=True, allow_array=True)
    c = check_real(c, "c", owner, low=0, high=1, low_open=True, high_open=True)
    shrink = check_real(shrink, "shrink", owner, low=0, high=1, low_open=True, high_open=True)
    max_backtracks = check_int(max_backtracks, "max_backtracks", owner, low=0)
    if grow is not None:
        grow = check_real(grow, "grow", owner, low=1)
    if lr_max is not None:
        lr_max = check_real(lr_max, "lr_max", owner, low=0, low_open=True)
    cap = _BIG if lr_max is None else lr_max

    def init(theta):
        shape = run_shape(theta[..., 0], lr0)
        return ArmijoState(np.full(shape, np.nan), np.array(np.broadcast_to(lr0, shape)))

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        require_input(loss, "loss", owner)
        require_input(loss_fn, "loss_fn", owner)
        with np.errstate(all="ignore"):
            f0 = np.asarray(loss, dtype=float)
            gg = _dot(grad, grad)
            shape = np.broadcast_shapes(f0.shape, gg.shape, state.accepted.shape)
            if grow is None:
                trial = np.array(np.broadcast_to(lr0, shape), dtype=float)
            else:
                trial = np.minimum(grow * state.accepted, cap) * np.ones(shape)
            eta = backtrack(grad, theta, f0, gg, trial, loss_fn, c, shrink, max_backtracks)
            eta = np.where(np.isfinite(f0) & np.isfinite(gg), eta, np.nan)
            accepted = np.where(eta > 0, eta, state.accepted)
        return -eta[..., None] * grad, ArmijoState(eta, accepted)

    start = r"\eta_0" if grow is None else r"\min(\gamma\,\eta_{t-1}, \eta_{\max})"
    formula = (r"\eta_t = " + start + r"\,\beta^{k},\ k = \min\{k : f(\theta_t - \eta_t g_t) "
               r"\le f(\theta_t) - c\,\eta_t \|g_t\|^2\},\quad "
               r"\theta_{t+1} = \theta_t - \eta_t\, g_t")
    return Rule(init=init, update=update, name="armijo", factory="armijo", formula=formula,
                hyperparams={"lr0": lr0, "c": c, "shrink": shrink,
                             "max_backtracks": max_backtracks, "grow": grow, "lr_max": lr_max},
                needs=frozenset({"loss", "loss_fn"}), batch_shape=run_shape(lr0))
