r"""``advise``: a recommended learning rate, with the evidence and how well it agrees.

Three independent pieces of evidence, each cheap:

1. **Range test** (:mod:`lrlab.finder`): sweep the rate over one short run,
   over a few seeds when gradients are noisy; take the (geometric) middle of
   the ``valley``, ``minimum`` and ``midpoint`` suggestions.
2. **Curvature** (:mod:`lrlab.sharpness`): gradient descent is stable below
   :math:`2/S`, with :math:`S` the sharpness (the problem's smoothness
   :math:`L` when known, else the top Hessian eigenvalue at the start);
   :math:`1/S` is the textbook safe choice.
3. **Short trial**: train a few candidates around the first two for real
   (one batched run) and keep the one with the lowest full loss; then
   :func:`~lrlab.diagnostics.diagnose` that run.

The recommendation is the trial's winner; the report says in plain words
what each piece found and how far apart they are (in decades).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import MAX_COUNT, check_int, fail
from .diagnostics import Diagnosis, diagnose
from .finder import SuggestionBand, suggestion_band
from .problem import Problem, check_problem
from .rules import Rule, sgd
from .search.run import batched_rule
from .sharpness import sharpness
from .trainer import train

__all__ = ["Advice", "Evidence", "advise"]


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: its name, the learning rate it points to, and why."""

    name: str
    lr: float
    text: str


@dataclass(frozen=True, eq=False)
class Advice:
    """The advisor's answer.

    Attributes
    ----------
    lr : float
        The recommended learning rate.
    evidence : list of Evidence
        Range test, curvature bound (when available) and trial.
    agreement : float
        Spread of the evidence in decades, ``log10(max / min)`` (0 = identical).
    diagnosis : Diagnosis
        Of the trial run at the recommended rate.
    band : SuggestionBand
        The range tests.
    sharpness : float or None
        Curvature used for the stability bound.
    trial_lrs, trial_losses : ndarray
        The trial's candidates and their final full losses (inf = diverged).
    """

    lr: float
    evidence: list
    agreement: float
    diagnosis: Diagnosis
    band: SuggestionBand
    sharpness: float | None
    trial_lrs: np.ndarray
    trial_losses: np.ndarray
    notes: list = field(default_factory=list)

    @property
    def agreement_text(self) -> str:
        """The agreement in words."""
        factor = 10 ** self.agreement
        if self.agreement < 0.5:
            word = "agree well"
        elif self.agreement < 1.0:
            word = "roughly agree"
        else:
            word = "disagree"
        return f"The pieces of evidence {word}: they span a factor {factor:.1f}."

    def explain(self) -> str:
        """The full plain-language report."""
        lines = [f"Recommended learning rate: {self.lr:.3g}", ""]
        for i, e in enumerate(self.evidence, 1):
            lines.append(f"{i}. {e.name} -> {e.lr:.3g}. {e.text}")
        lines += ["", self.agreement_text, f"Trial run at {self.lr:.3g}: {self.diagnosis}"]
        lines += self.notes
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.explain()

    def __repr__(self) -> str:
        return f"<Advice lr={self.lr:.3g}, evidence spans {10 ** self.agreement:.1f}x>"

    def _repr_markdown_(self) -> str:
        return "```\n" + self.explain() + "\n```"


def _gmean(values) -> float:
    v = np.asarray([x for x in values if math.isfinite(x) and x > 0], dtype=float)
    return float(np.exp(np.mean(np.log(v)))) if v.size else math.nan


def advise(
    problem: Problem,
    make_rule: Callable[[Any], Rule] | None = None,
    *,
    batch_size: int | None = None,
    num_steps: int = 100,
    seeds: int = 3,
    curvature: bool | str = "auto",
    seed: int = 0,
    progress: bool | str = "auto",
    **range_kwargs: Any,
) -> Advice:
    r"""Recommend a learning rate for ``problem``, explaining the evidence.

    Parameters
    ----------
    problem : Problem
        What to train.
    make_rule : callable, optional
        ``make_rule(lr) -> Rule``; plain SGD (``lrlab.sgd``) by default.
    batch_size : int, optional
        Minibatch size of the range test and the trial (``None``: full batch).
    num_steps : int
        Length of the trial runs.
    seeds : int >= 1
        Range tests to run when gradients are noisy (one when exact).
    curvature : bool or 'auto'
        Use the stability bound 2/S. 'auto': only for plain SGD (the bound
        of momentum and adaptive rules is different) and when the problem
        knows ``smoothness`` or has fewer than 100,000 parameters.
    seed : int
        Base seed.
    progress : bool or 'auto'
        Progress bar when the range tests take longer than a second.
    **range_kwargs
        Passed to :func:`~lrlab.finder.lr_range_test` (``start_lr``,
        ``end_lr``, ``num_steps`` of the sweep as ``sweep_steps``).

    Returns
    -------
    Advice

    Examples
    --------
    >>> from lrlab.surfaces import quadratic
    >>> advice = advise(quadratic([1.0, 10.0]), progress=False)   # 2/L = 0.2
    >>> 0.03 < advice.lr < 0.2
    True
    """
    owner = "advise"
    check_problem(problem, owner)
    plain_sgd = make_rule is None
    if make_rule is None:
        make_rule = sgd
    num_steps, seeds, seed = _check_settings(curvature, num_steps, seeds, seed, range_kwargs,
                                             owner=owner)
    noisy = batch_size is not None or problem.noise > 0
    seed_list = [seed + i for i in range(seeds if noisy else 1)]
    evidence: list[Evidence] = []
    notes: list[str] = []

    # 1. range test -------------------------------------------------------
    band = suggestion_band(problem, make_rule, seeds=seed_list,
                           methods=("minimum", "valley", "midpoint"), progress=progress,
                           batch_size=batch_size, **range_kwargs)
    evidence.append(_range_evidence(band, len(seed_list)))

    # 2. curvature --------------------------------------------------------
    S = None
    use_curv = plain_sgd if curvature == "auto" else bool(curvature)
    if use_curv:
        if problem.smoothness is not None:
            S, where = float(problem.smoothness), "the problem's smoothness constant L"
        elif problem.dim <= 100_000:
            S, where = float(sharpness(problem)), "the sharpness (top Hessian eigenvalue) at x0"
        found = None if S is None else _stability_evidence(S, where)
        if found is not None:
            evidence.append(found)
        else:
            S = None
            notes.append("No positive curvature at the start: no stability bound.")
    elif curvature == "auto":
        notes.append("Stability bound skipped: 2/S holds for plain SGD; with momentum mu it "
                     "is 2(1+mu)/S, and adaptive rules rescale each coordinate.")

    # 3. trial ------------------------------------------------------------
    grid = _trial_grid(evidence, S)
    rule = batched_rule(make_rule, grid, None, None)
    if rule is None:  # the rule takes one rate at a time
        hs = [train(problem, make_rule(float(lr)), num_steps, batch_size=batch_size, seed=seed,
                    eval_every=num_steps) for lr in grid]
        finals = np.array([_final_eval(h) for h in hs])
        history_of = hs.__getitem__
    else:
        h = train(problem, rule, num_steps, batch_size=batch_size, seed=seed,
                  eval_every=num_steps)
        finals = _final_eval(h)
        history_of = h.__getitem__
    return _conclude(grid, finals, history_of, num_steps, evidence, notes, band, S,
                     f_star=problem.f_star)


def _check_settings(curvature: Any, num_steps: Any, seeds: Any, seed: Any,
                    range_kwargs: dict, *, owner: str) -> tuple[int, int, int]:
    """The advisor's own settings, checked (shared with ``lrlab.torch.advise``); the range
    test's ``sweep_steps`` is renamed ``num_steps`` in ``range_kwargs``, in place."""
    if not (isinstance(curvature, bool | np.bool_) or (isinstance(curvature, str)
                                                       and curvature == "auto")):
        fail(curvature, "curvature", owner, allowed="True, False or 'auto'")
    num_steps = check_int(num_steps, "num_steps", owner, low=5)
    seeds = check_int(seeds, "seeds", owner, low=1, high=MAX_COUNT)   # 10**30 range tests hung
    seed = check_int(seed, "seed", owner, low=0)
    if "sweep_steps" in range_kwargs:
        range_kwargs["num_steps"] = range_kwargs.pop("sweep_steps")
    return num_steps, seeds, seed


def _final_eval(h) -> np.ndarray:
    ev = np.asarray(h.eval_loss[-1], dtype=float)
    diverged = np.asarray(h.diverged_at) >= 0
    return np.where(diverged | ~np.isfinite(ev), np.inf, ev)


# ------------------------------------------ shared with lrlab.torch.advise
def _range_evidence(band: SuggestionBand, n_seeds: int) -> Evidence:
    """Evidence 1: the geometric middle of minimum, valley (min_drop=0.01) and midpoint."""
    vals = []
    for res in band.results:
        try:
            vals.append(res.suggest("valley", min_drop=0.01))
        except ValueError:
            vals.append(math.nan)
    med = dict(band.median)
    med["valley"] = _gmean(vals)
    range_lr = _gmean(med.values())
    if not math.isfinite(range_lr):
        raise ValueError("The range test stopped too early to suggest anything "
                         f"({band.results[0].reason}); try a smaller start_lr.")
    spread = max(band.spread.values()) if n_seeds > 1 else 0.0
    stop_lr = band.results[0].stop_lr
    return Evidence("Range test", range_lr, (
        f"The sweep raised the rate step by step until {stop_lr:.3g} "
        f"({band.results[0].reason}). The suggestions were minimum/10 {med['minimum']:.3g}, "
        f"valley {med['valley']:.3g} and midpoint {med['midpoint']:.3g}; their geometric "
        f"middle is {range_lr:.3g}."
        + (f" Over {n_seeds} seeds the suggestions moved by up to "
           f"{spread:.2f} decades." if n_seeds > 1 else "")))


def _stability_evidence(S: float, where: str) -> Evidence | None:
    """Evidence 2: 1/S, when the curvature ``S`` is positive and finite (else None)."""
    if not (S > 0 and math.isfinite(S)):
        return None
    return Evidence("Stability bound", 1.0 / S, (
        f"Plain gradient descent is stable only below 2/S = {2 / S:.3g}, with S = "
        f"{S:.3g} {where}; 1/S = {1 / S:.3g} is the safe textbook choice. "
        "Curvature can grow during training (progressive sharpening), so a rate near "
        "2/S may become unstable later."))


def _trial_grid(evidence: list[Evidence], S: float | None) -> np.ndarray:
    """The trial's candidates: a factor 9 below to 3 above the evidence, and 1/S, 1.9/S."""
    centre = _gmean([e.lr for e in evidence])
    grid = centre * np.array([1 / 9, 1 / 3, 1 / math.sqrt(3), 1.0, math.sqrt(3), 3.0])
    if S is not None:
        grid = np.append(grid, [1.0 / S, 1.9 / S])
    return np.unique(np.round(grid, 12))


def _conclude(grid: np.ndarray, finals: np.ndarray, history_of: Callable[[int], Any],
              num_steps: int, evidence: list[Evidence], notes: list[str],
              band: SuggestionBand, S: float | None, f_star: float | None) -> Advice:
    """Evidence 3 and the answer: the trial's winner, its diagnosis, the notes."""
    best = int(np.argmin(finals))
    if not math.isfinite(finals[best]):
        raise ValueError("Every trial run diverged; the problem may need a smaller start_lr "
                         "for the range test or gradient clipping.")
    lr = float(grid[best])
    diag = diagnose(history_of(best), f_star=f_star)
    ok = np.isfinite(finals)
    evidence.append(Evidence("Short trial", lr, (
        f"{len(grid)} rates from {grid[0]:.3g} to {grid[-1]:.3g} trained for {num_steps} steps"
        f"; {int((~ok).sum())} diverged; the lowest final loss, {finals[best]:.4g}, came "
        f"at {lr:.3g}.")))
    if diag.label == "too high" and best > 0:
        notes.append(f"The winning rate zig-zags (edge of stability); the next smaller "
                     f"candidate, {grid[best - 1]:.3g}, is the safer choice.")
    if best == len(grid) - 1:
        notes.append("The largest trial rate won: a larger one might be better still.")
    if best == 0:
        notes.append("The smallest trial rate won: the other evidence may be too optimistic.")
    rates = [e.lr for e in evidence]
    agreement = float(np.log10(max(rates) / min(rates)))
    return Advice(lr, evidence, agreement, diag, band, S, grid, finals, notes)
