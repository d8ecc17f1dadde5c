r"""Step sizes from the global curvature constants: :math:`1/L` and :math:`2/(\mu + L)`.

When a problem knows its smoothness constant :math:`L` (the largest Hessian
eigenvalue of a quadratic, ``lambda_max(X^T X)/n`` of least squares) and its
strong-convexity constant :math:`\mu`, the classical theory of gradient
descent gives the step size outright. These rules are re-exported by
:mod:`lrlab.rules.linesearch`, next to the rules that find a step from the loss.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._validation import check_real, fail
from ..problem import Problem
from .base import Rule, per_coord, run_shape

__all__ = ["inverse_smoothness", "optimal_constant"]


class StepSizeState(NamedTuple):
    """State of a rule that only remembers the step size it used (one per run)."""

    lr: Any


# --------------------------------------------------------------- global curvature
def _check_problem(problem: Any, owner: str) -> Problem:
    if not isinstance(problem, Problem):
        fail(problem, "problem", owner,
             allowed="an lrlab Problem (e.g. lrlab.surfaces.quadratic([1, 10]))", exc=TypeError)
    return problem


def _constant_rule(lr: Any, name: str, formula: str, hyperparams: dict) -> Rule:
    def init(theta):
        return StepSizeState(lr)

    def update(grad, state, theta, *, t, loss=None, loss_fn=None):
        return -per_coord(lr) * grad, StepSizeState(lr)

    return Rule(init=init, update=update, name=name, factory=name, formula=formula,
                hyperparams=hyperparams,
                batch_shape=run_shape(lr))


def inverse_smoothness(problem: Problem, scale: Any = 1.0) -> Rule:
    r"""Gradient descent with the step :math:`\eta = s / L` from the problem's smoothness.

    Parameters
    ----------
    problem : Problem
        A problem with a known global smoothness constant ``problem.smoothness``
        (the largest Hessian eigenvalue of a quadratic, ``lambda_max(X^T X)/n``
        of least squares, ...).
    scale : float or array in (0, inf)
        ``s``; an array gives one run per entry (``scale=[1, 1.9, 2.1]``
        shows the stability limit ``2/L``).

    Returns
    -------
    Rule

    Raises
    ------
    ValueError
        If the problem has no global ``L`` (Rosenbrock, an MLP, ...).

    Notes
    -----
    .. math:: \eta = \frac{s}{L},\qquad \theta_{t+1} = \theta_t - \eta\, g_t

    An :math:`L`-smooth function satisfies
    :math:`f(\theta - \eta g) \le f(\theta) - \eta(1 - \eta L/2)\|g\|^2`,
    so any :math:`\eta < 2/L` decreases the loss and :math:`\eta = 1/L`
    maximises this guaranteed decrease. On a quadratic with Hessian
    eigenvalues :math:`\lambda_i`, gradient descent multiplies the error
    along eigenvector :math:`i` by :math:`1 - \eta\lambda_i`: it diverges as
    soon as :math:`\eta > 2/L` (the edge of stability) and with
    :math:`\eta = 1/L` it contracts by :math:`1 - \mu/L = 1 - 1/\kappa` per step.

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
    >>> rule = inverse_smoothness(bowl)
    >>> rule
    inverse_smoothness(problem=<Quadratic 'quadratic' dim=2>, scale=1.0)
    >>> float(rule.init(bowl.x0).lr)   # 1 / L
    0.1
    >>> h = lrlab.train(bowl, inverse_smoothness(bowl, [1.0, 2.1]), 100)
    >>> h.status()
    array(['finished', 'diverged'], dtype='<U8')

    References
    ----------
    Nesterov (2004), *Introductory Lectures on Convex Optimization*, Thm 2.1.14.
    Bottou, Curtis & Nocedal (2018), "Optimization methods for large-scale
    machine learning", SIAM Review 60(2), section 4.
    """
    owner = "inverse_smoothness"
    problem = _check_problem(problem, owner)
    scale = check_real(scale, "scale", owner, low=0, low_open=True, allow_array=True)
    L = problem.smoothness
    if L is None or not np.isfinite(L) or L <= 0:
        raise ValueError(
            f"inverse_smoothness needs the problem's global smoothness constant L, but "
            f"{problem.name!r} has none (problem.smoothness is {L!r}: its gradient is not "
            "globally Lipschitz, or L is unknown). Use armijo() (backtracking line search), "
            "or estimate the local curvature with lrlab.diagnostics.sharpness(problem, "
            "theta) and pass sgd(1 / sharpness)."
        )
    L = float(L)
    return _constant_rule(
        scale / L, "inverse_smoothness",
        r"\eta = \frac{s}{L},\quad \theta_{t+1} = \theta_t - \eta\, g_t",
        {"problem": problem, "scale": scale},
    )


def optimal_constant(problem: Problem) -> Rule:
    r"""Gradient descent with the best constant step :math:`\eta = 2/(\mu + L)`.

    Parameters
    ----------
    problem : Problem
        A problem with known ``smoothness`` (L) and ``strong_convexity`` (mu > 0).

    Returns
    -------
    Rule

    Raises
    ------
    ValueError
        If ``L`` or ``mu`` is unknown or ``mu <= 0``.

    Notes
    -----
    .. math:: \eta = \frac{2}{\mu + L},\qquad \theta_{t+1} = \theta_t - \eta\, g_t

    On a quadratic the error along eigenvector :math:`i` is multiplied by
    :math:`1 - \eta\lambda_i` per step. The worst factor over
    :math:`\lambda \in [\mu, L]` is smallest when the two extremes balance,
    :math:`1 - \eta\mu = -(1 - \eta L)`, which gives :math:`\eta = 2/(\mu+L)`
    and the contraction

    .. math:: \|\theta_{t+1} - \theta^\star\| \le \frac{\kappa - 1}{\kappa + 1}
              \|\theta_t - \theta^\star\|,\qquad \kappa = L/\mu,

    an equality along the extreme eigenvectors. It is only a factor
    :math:`2\kappa/(\kappa+1) < 2` faster than :math:`1/L`, and it sits on the
    far side of :math:`1/L`, closer to the stability limit :math:`2/L`: the
    stiffest direction oscillates (:math:`1 - \eta L < 0`).

    Examples
    --------
    >>> import lrlab
    >>> bowl = lrlab.surfaces.quadratic([1.0, 3.0])
    >>> rule = optimal_constant(bowl)
    >>> float(rule.init(bowl.x0).lr)   # 2 / (1 + 3)
    0.5
    >>> lrlab.train(bowl, rule, 30).final_loss < 1e-17   # rate 1/2 per step
    True

    References
    ----------
    Polyak (1987), *Introduction to Optimization*, section 1.4, Thm 3.
    Nesterov (2004), *Introductory Lectures on Convex Optimization*, Thm 2.1.15.
    """
    owner = "optimal_constant"
    problem = _check_problem(problem, owner)
    L, mu = problem.smoothness, problem.strong_convexity
    if L is None or mu is None or not (np.isfinite(L) and np.isfinite(mu)) or mu <= 0:
        raise ValueError(
            f"optimal_constant needs a strongly convex problem with known constants, but "
            f"{problem.name!r} has smoothness L={L!r} and strong_convexity mu={mu!r}. "
            "Use inverse_smoothness(problem) when only L is known, or armijo() otherwise."
        )
    L, mu = float(L), float(mu)
    return _constant_rule(
        2.0 / (mu + L), "optimal_constant",
        r"\eta = \frac{2}{\mu + L},\quad \theta_{t+1} = \theta_t - \eta\, g_t",
        {"problem": problem},
    )
