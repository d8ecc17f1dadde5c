"""The line-search race's problems and its bookkeeping: cost axes, cost to reach a target.

Pure functions and a table, no widgets: what :mod:`lrlab.apps.linesearch_race`
plots and reports, usable on any :class:`~lrlab.History`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["COSTS", "METHODS", "PROBLEMS", "CostTable", "cost_axis", "cost_to_reach",
           "race_problem"]

#: Names of the racers, in legend order.
METHODS = ("GD (slider lr)", "GD 2/(μ+L)", "exact line search", "Armijo", "Polyak",
           "Barzilai-Borwein", "L-BFGS")
#: Cost axes.
COSTS = ("iterations", "gradient evaluations", "all evaluations")
PROBLEMS = ("Rosenbrock", "ill-conditioned quadratic", "logistic regression")


def race_problem(name: str):
    """The problems of the race, by name (see ``PROBLEMS``)."""
    from .. import surfaces

    if name == "Rosenbrock":
        return surfaces.rosenbrock()
    if name == "ill-conditioned quadratic":
        # start on the worst-case ray of steepest descent, (1/mu, 1/L) in eigen-coordinates
        return surfaces.quadratic([0.02, 1.0], x0=[1.0, 0.02])
    if name == "logistic regression":
        from ..datasets import sparse_features
        from ..models import LogisticRegression

        return LogisticRegression(sparse_features(300, dim=40, density=0.1), l2=1e-3)
    raise ValueError(f"The 'problem' parameter of LineSearchRace must be one of "
                     f"{list(PROBLEMS)}. Got {name!r} instead.")


def cost_axis(history: Any, cost: str) -> np.ndarray:
    """The x values of a history for a cost axis in :data:`COSTS`.

    One pass computing the loss and the gradient counts as one gradient
    evaluation; every loss evaluated on its own (a line-search trial) counts
    one more under 'all evaluations'. Iterations are counted from 1 (the
    start point is iteration 0, plotted at 1), so every axis can be log-scaled.

    >>> from lrlab import train, surfaces
    >>> from lrlab.rules import armijo
    >>> h = train(surfaces.quadratic([1.0, 10.0]), armijo(lr0=1.0), 3)
    >>> cost_axis(h, "iterations").tolist(), cost_axis(h, "all evaluations").tolist()
    ([1, 2, 3, 4], [1, 6, 11, 15])
    """
    if cost == "iterations":
        return np.arange(1, len(history.loss) + 1)
    if cost == "gradient evaluations":
        return np.asarray(history.grad_evals)
    if cost == "all evaluations":
        return np.asarray(history.loss_evals)
    raise ValueError(f"The 'cost' parameter of cost_axis must be one of {list(COSTS)}. "
                     f"Got {cost!r} instead.")


def cost_to_reach(history: Any, cost: str, *, tol: float, f_star: float = 0.0) -> float | None:
    """Cost (on the axis ``cost``) at which the gap ``loss - f_star`` first falls to
    ``tol`` times its start; None if it never does.

    >>> from lrlab import train, surfaces
    >>> from lrlab.rules import armijo
    >>> h = train(surfaces.quadratic([1.0, 10.0]), armijo(lr0=1.0), 30)
    >>> cost_to_reach(h, "iterations", tol=1e-3), cost_to_reach(h, "all evaluations", tol=1e-3)
    (13.0, 54.0)
    """
    x = cost_axis(history, cost).astype(float)
    with np.errstate(all="ignore"):
        gap = np.asarray(history.loss, dtype=float) - f_star
        hit = np.nonzero(gap <= tol * gap[0])[0]
    return float(x[hit[0]]) if hit.size else None


@dataclass(frozen=True)
class CostTable:
    """What each racer of a :class:`LineSearchRace` paid to reach the target, on every axis.

    ``table[cost][method]`` is the cost on axis ``cost`` (a name in :data:`COSTS`)
    at which ``method`` first reached a gap of ``tol`` times its start, None if it
    did not within the race; ``str(table)`` is the table as text ("diverged" for
    the methods in ``diverged``, "—" for None).
    """

    problem: str
    tol: float
    costs: dict
    diverged: tuple

    def __getitem__(self, cost: str) -> dict:
        return self.costs[cost]

    def __str__(self) -> str:
        width = max(len(name) for name in self.costs[COSTS[0]]) + 2
        heads = {"iterations": "iterations", "gradient evaluations": "grad evals",
                 "all evaluations": "all evals"}
        lines = [f"{'method':{width}s}" + "".join(f"{heads[c]:>12s}" for c in COSTS)]
        for name in self.costs[COSTS[0]]:
            cells = ["diverged" if name in self.diverged else
                     "—" if self.costs[c][name] is None else f"{self.costs[c][name]:.0f}"
                     for c in COSTS]
            lines.append(f"{name:{width}s}" + "".join(f"{cell:>12s}" for cell in cells))
        return "\n".join(lines)
