r"""The update-to-parameter ratio of a run, against Karpathy's ~1e-3 rule of thumb.

:func:`update_ratio` reads a :class:`~lrlab.History` (overall and per layer);
:mod:`lrlab.diagnostics` re-exports it, and :mod:`lrlab.torch` reuses its verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._validation import fail
from .history import History
from .problem import check_problem

__all__ = ["TARGET_RATIO", "UpdateRatio", "update_ratio"]

#: Karpathy's rule of thumb for ``||update|| / ||theta||`` per step.
TARGET_RATIO = 1e-3


@dataclass(frozen=True, eq=False)
class UpdateRatio:
    """Update-to-parameter ratios of a run.

    Attributes
    ----------
    ratio : ndarray, shape (num_steps,)
        ``||theta_{t+1} - theta_t|| / ||theta_t||`` (NaN after the run ended).
    layers : dict
        Layer name -> the same ratio for that layer's parameters (needs a
        problem with ``layer_slices`` and recorded params).
    median : float
        Median over the finite steps.
    verdict : str
        'too high', 'ok' or 'too low': the median more than a decade from
        1e-3, or one of the first 10 steps more than two decades above it;
        'unknown' when no finite ratio was recorded.
    message : str
        What the numbers mean and what to do.
    """

    ratio: np.ndarray
    layers: dict
    median: float
    verdict: str
    message: str

    def __repr__(self) -> str:
        return f"<UpdateRatio median {self.median:.2g} ({self.verdict})>"

    def __str__(self) -> str:
        return self.message


def _median(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else math.nan


def update_ratio(history: History, problem: Any = None) -> UpdateRatio:
    r"""Update-to-parameter ratio per step (and per layer), against the ~1e-3 rule of thumb.

    .. math:: r_t = \frac{\lVert\theta_{t+1}-\theta_t\rVert}{\lVert\theta_t\rVert}

    Karpathy (CS231n, "Neural networks part 3") suggests tracking
    :math:`r_t` per layer: around :math:`10^{-3}` is healthy; much larger
    (:math:`\gtrsim 10^{-2}`) means the rate is probably too high, much
    smaller (:math:`\lesssim 10^{-4}`) too low. It is a rule of thumb for
    neural networks at a typical initialisation; it means little for
    parameters that start at or converge to zero (biases at zero, a bowl
    centred at the origin: the ratio grows as :math:`\theta \to 0`).

    Parameters
    ----------
    history : History
        A single run (index a batched history first: ``history[i]``).
    problem : Problem, optional
        With ``layer_slices`` (e.g. :class:`~lrlab.models.MLP`) and recorded
        params, the ratio is also reported per layer.

    Returns
    -------
    UpdateRatio

    Examples
    --------
    >>> from lrlab import train, sgd
    >>> from lrlab.surfaces import quadratic
    >>> h = train(quadratic([1.0, 10.0], x0=[10.0, 10.0]), sgd(1e-5), 20)
    >>> update_ratio(h).verdict
    'too low'
    """
    hist = _single(history, "update_ratio")
    if problem is not None:
        check_problem(problem, "update_ratio")
    ratio = np.asarray(hist.update_ratio, dtype=float)
    layers = {}
    slices = getattr(problem, "layer_slices", None) if problem is not None else None
    if slices and hist.params is not None:
        p = hist.params
        with np.errstate(all="ignore"):
            for name, sl in slices.items():
                step = np.linalg.norm(p[1:, sl] - p[:-1, sl], axis=-1)
                size = np.linalg.norm(p[:-1, sl], axis=-1)
                layers[name] = step / np.maximum(size, 1e-12)
    med = _median(ratio)
    first = ratio[:10][np.isfinite(ratio[:10])]
    early = float(first.max()) if first.size else math.nan
    if math.isfinite(early) and early > 100 * TARGET_RATIO:
        verdict = "too high"
        text = (f"An early step moved the parameters by {early:.2g} of their size (largest "
                f"of the first 10), over a hundred times the ~1e-3 rule of thumb: the "
                f"learning rate is too high even if later steps look small (units may have "
                f"saturated: median over the run {med:.2g}). Divide it by about "
                f"{early / TARGET_RATIO:.0f}.")
    elif not math.isfinite(med):
        verdict, text = "unknown", "No finite update ratio was recorded (did the run take a step?)."
    elif med > 10 * TARGET_RATIO:
        verdict = "too high"
        text = (f"The median update is {med:.2g} of the parameters' size per step, more than "
                f"a decade above the ~1e-3 rule of thumb: the learning rate is probably too "
                f"high. Try dividing it by about {med / TARGET_RATIO:.0f}.")
    elif med < TARGET_RATIO / 10:
        verdict = "too low"
        text = (f"The median update is {med:.2g} of the parameters' size per step, more than "
                f"a decade below the ~1e-3 rule of thumb: the learning rate is probably too "
                f"low. Try multiplying it by about {TARGET_RATIO / med:.0f}.")
    else:
        verdict = "ok"
        text = (f"The median update is {med:.2g} of the parameters' size per step, within a "
                "decade of the ~1e-3 rule of thumb.")
    for name, r in layers.items():
        m = _median(r)
        flag = "" if not math.isfinite(m) or TARGET_RATIO / 10 <= m <= 10 * TARGET_RATIO else \
            "  <- more than a decade from 1e-3"
        text += f"\n  {name}: median {m:.2g}{flag}"
    return UpdateRatio(ratio, layers, med, verdict, text)



def _single(history: History, owner: str) -> History:
    if not isinstance(history, History):
        fail(history, "history", owner, allowed="an lrlab History", exc=TypeError)
    if history.run_shape:
        raise ValueError(f"{owner} reads one run; index the batched History first "
                         f"(history[i]); it holds {history.run_shape} runs.")
    return history
