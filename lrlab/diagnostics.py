r"""Reading a training run: is the learning rate too high, too low, or right?

Two tools read a :class:`~lrlab.History` after the fact:

* :func:`update_ratio` -- the size of each update relative to the size of
  the parameters, overall and per layer, against the rule of thumb of
  Karpathy's CS231n notes: about :math:`10^{-3}`.
* :func:`diagnose` -- a label ('diverged', 'too high', 'too low', 'plateau',
  'good' or 'cannot tell') with the evidence behind it and advice in plain words.
  A stochastic run is judged on its exact loss (:meth:`History.judged_loss`):
  a noisy surface's loss, a minibatch run's full-data (or evaluation) loss;
  a minibatch run without one is 'cannot tell'.

Curvature tools (:func:`sharpness`, :func:`track_sharpness`,
:func:`edge_of_stability`) live in :mod:`lrlab.sharpness` and are
re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._validation import check_real, fail
from .history import History
from .sharpness import SharpnessTrace, sharpness, track_sharpness
from .sharpness import edge_of_stability as edge_of_stability
from .update_ratios import TARGET_RATIO as TARGET_RATIO
from .update_ratios import UpdateRatio, update_ratio

__all__ = [
    "LABELS",
    "Diagnosis",
    "SharpnessTrace",
    "UpdateRatio",
    "diagnose",
    "edge_of_stability",
    "sharpness",
    "track_sharpness",
    "update_ratio",
]

#: The labels :func:`diagnose` can give.
LABELS = ("diverged", "too high", "too low", "plateau", "good", "cannot tell")

# ------------------------------------------------------------------ diagnose
@dataclass(frozen=True, eq=False)
class Diagnosis:
    """A label for a run, the numbers that led to it, and advice.

    Attributes
    ----------
    label : str
        One of :data:`LABELS`.
    evidence : dict
        The measurements (see :func:`diagnose`).
    message : str
        Plain-language explanation and what to try next.
    """

    label: str
    evidence: dict = field(default_factory=dict)
    message: str = ""

    def __repr__(self) -> str:
        return f"<Diagnosis {self.label!r}: {self.message.splitlines()[0]}>"

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


def diagnose(history: History, *, f_star: float | None = None) -> Diagnosis | list[Diagnosis]:
    r"""Label a run as diverged, too high, too low, plateau or good, with the evidence.

    The rules, checked in this order (thresholds in brackets). They read the
    run's exact loss, :meth:`History.judged_loss`: the loss of a full-batch run or
    of a noisy surface, the full-data (or evaluation) loss of a minibatch run
    (recorded by default by :func:`lrlab.train`; with fewer than 5 such points the
    shape tests read the minibatch loss and only the verdicts on the ends read the
    exact one). A minibatch run without any is 'cannot tell'. For a stochastic run
    the exact loss must have fallen for 'good' (it is 'too high' if it ended above
    its start), the gradient norm is no evidence of convergence (only the trainer's
    full-data ``tol`` test is), and the "goes up and down" test is skipped (that is
    the noise).

    1. **diverged** -- the trainer froze the run (non-finite or exploding
       loss), or the loss ended far above its start (> 10x its start).
    2. **too high** -- the run zig-zags: successive updates point in
       opposite directions (median cosine < -0.5, from recorded params), or,
       for exact losses, the loss goes up and down (> 30 % of steps go up)
       or ends above its start.
    3. **good** -- it converged: the gradient norm fell by 1e3, or the gap
       to ``f_star`` by 1e6.
    4. **too low** -- it is still descending along the same direction step
       after step (median cosine > 0.99, or no params and > 5 % drop in the
       last quarter; for a stochastic run also: the exact loss fell at >= 90 %
       of its points, the last quarter brought >= 15 % of the drop, and less than
       half the loss is gone) and has not converged: a larger step would go further
       (the idea of Kesten's 1958 rule: steps that keep agreeing can grow).
    5. **plateau** -- the loss has flattened (< 1 % of the total drop in
       the last half) while still far above its floor (< 90 % of the
       initial loss removed, or gap to ``f_star`` above 10 %).
    6. **good** -- otherwise: substantial progress and a flat end (the
       noise floor of a constant rate for minibatch runs; for a decayed
       schedule, the message says the rate has decayed instead).

    Parameters
    ----------
    history : History
        The run. A batched History gives a list, one Diagnosis per run.
    f_star : float, optional
        The minimum value of the loss, when known (``problem.f_star``); it
        sharpens the 'good' and 'plateau' tests.

    Returns
    -------
    Diagnosis or list of Diagnosis

    Examples
    --------
    >>> from lrlab import train, sgd
    >>> from lrlab.surfaces import quadratic
    >>> bowl = quadratic([1.0, 10.0])           # L = 10
    >>> [diagnose(train(bowl, sgd(lr), 200)).label for lr in (0.001, 0.1, 0.19, 0.25)]
    ['too low', 'good', 'too high', 'diverged']
    """
    if not isinstance(history, History):
        fail(history, "history", "diagnose", allowed="an lrlab History", exc=TypeError)
    if f_star is not None:
        f_star = check_real(f_star, "f_star", "diagnose")
    if history.run_shape:
        return [diagnose(h, f_star=f_star) for h in history]
    return _diagnose_one(history, f_star)


def _diagnose_one(h: History, f_star: float | None) -> Diagnosis:
    last = int(h.last_step)
    kind = h.run_kind
    stochastic = kind != "exact"
    judged = h.judged_loss()
    ev: dict[str, Any] = {"steps": last}
    lr = h.lr[:last][np.isfinite(h.lr[:last])] if last else np.zeros(0)
    lr_text = f" (lr {lr[-1]:.3g})" if lr.size else ""
    # (peak, last) when the rate fell below half its peak: a decayed schedule, not a constant
    decayed = ((float(np.max(lr)), float(lr[-1])) if lr.size > 1 and lr[-1] < 0.5 * np.max(lr)
               else None)
    dense = judged is not None and len(judged[1]) >= 5   # enough exact points for a shape
    # the curve the shape tests read: the exact loss where there is enough of it
    loss = judged[1] if dense else np.asarray(h.loss[: last + 1], dtype=float)
    if judged is not None:
        ev["initial_loss"] = float(judged[1][0])
    else:
        ev["initial_loss"] = float(loss[0])

    # 1. diverged ---------------------------------------------------------
    if h.diverged_at >= 0:
        ev.update(diverged_at=int(h.diverged_at), reason=str(h.reason))
        return Diagnosis("diverged", ev, (
            f"The run diverged at step {int(h.diverged_at)}{lr_text}: {h.reason}. The learning "
            "rate is above the stability limit (about 2 / sharpness for gradient descent). "
            "Divide it by 3 to 10; if it diverged only late, keep it but add decay or warm-up, "
            "or clip the gradient."))
    if judged is None or (stochastic and last >= 4 and len(judged[1]) < 2):
        return Diagnosis("cannot tell", ev, (
            "This minibatch run recorded only minibatch losses: one batch's loss says little "
            "about the loss on all the data (a large rate can fit the batch in front of it "
            "and ruin the rest), so there is nothing to judge the learning rate by. Train "
            "with eval_every=k (or an eval_problem) to record the full-data loss."))
    if last < 4:
        ev["reason"] = "too few steps"
        return Diagnosis("good" if last == 0 else _quick(judged[1]), ev,
                         "Too few steps to judge; run at least a few dozen.")
    l0 = float(judged[1][0])
    l_last = float(judged[1][-1])
    tail = max(1, len(loss) // 10)
    l_end = float(np.median(loss[-tail:])) if dense else l_last
    ev["final_loss"] = l_end
    scale = max(abs(l0), 1e-12)
    if max(l_end, l_last) > l0 + 9 * scale or not np.isfinite(l_last):
        ev["growth"] = (max(l_end, l_last) - l0) / scale
        return Diagnosis("diverged", ev, (
            f"The {judged[2]} grew from {l0:.3g} to {l_last:.3g}{lr_text}: the run is blowing "
            "up, only slower than the trainer's divergence test. Divide the learning rate by "
            "3 to 10."))
    if stochastic and max(l_end, l_last) > l0:
        ev["growth"] = (max(l_end, l_last) - l0) / scale
        return Diagnosis("too high", ev, (
            f"The {judged[2]} ended above its start ({l0:.3g} -> {l_last:.3g}){lr_text}: the "
            "steps, noisy or not, go too far. Lower the learning rate by 3 to 10x."))

    # 2. oscillation ------------------------------------------------------
    d = np.diff(loss)
    moving = np.abs(d) > 1e-12 * scale
    up = float(np.mean(d[moving] > 0)) if moving.any() else 0.0
    ev["fraction_up"] = up
    exact = not stochastic
    cos = _update_cosines(h, last)
    if cos is not None:
        ev["update_cosine"] = float(np.median(cos))
    g = np.asarray(h.grad_norm[: last + 1], dtype=float)
    g_ratio = float(np.median(g[-max(1, (last + 1) // 10):]) / max(g[0], 1e-300))
    ev["grad_norm_ratio"] = g_ratio
    if stochastic:   # a noisy or minibatch gradient's norm is no evidence of convergence
        g_ratio = math.inf
    if cos is not None and ev["update_cosine"] < -0.5 and g_ratio < 1e-3:
        return Diagnosis("too high", ev, (
            f"The run converged (gradient norm down by {1 / max(g_ratio, 1e-300):.2g}), but "
            f"successive updates point in opposite directions (median cosine "
            f"{ev['update_cosine']:.2f}){lr_text}: it zig-zags across a valley, at the edge "
            "of stability. It works here; a rate about 2x smaller is safer if the curvature "
            "grows or the gradients get noisy."))
    if cos is not None and ev["update_cosine"] < -0.5:
        return Diagnosis("too high", ev, (
            f"Successive updates point in opposite directions (median cosine "
            f"{ev['update_cosine']:.2f}){lr_text}: the run zig-zags across a valley, a sign of a "
            "learning rate near its stability limit. It may still converge, but slowly; "
            "halving the learning rate usually gives faster, smoother progress."))
    if exact and (up > 0.3 or l_end > l0):
        return Diagnosis("too high", ev, (
            f"The (exact) loss went up on {100 * up:.0f} % of the steps{lr_text}: the run "
            "overshoots. Lower the learning rate by 2 to 3x."))

    # 3. converged --------------------------------------------------------
    if stochastic and str(h.reason).startswith("converged"):
        return Diagnosis("good", ev, (
            f"The run converged{lr_text}: its {str(h.reason).split(': ', 1)[1]} (the exact "
            f"gradient, not a batch's), and the {judged[2]} fell from {l0:.3g} to {l_last:.3g}."))
    gap = None
    if f_star is not None:
        gap = (l_end - f_star) / max(l0 - f_star, 1e-300)
        ev["gap_ratio"] = gap
    if g_ratio < 1e-3 or (gap is not None and gap < 1e-6):
        return Diagnosis("good", ev, (
            f"The run converged{lr_text}: the gradient norm fell by a factor "
            f"{1 / max(g_ratio, 1e-300):.2g}. If it converged in the first few steps, a "
            "smaller rate would waste nothing; if it needed all of them, this rate is fine."))

    # 4. too low: still walking the same way ------------------------------
    q = max(1, len(loss) // 4)
    late_drop = (loss[-q - 1] - loss[-1]) / scale
    ev["late_drop"] = float(late_drop)
    total = l0 - l_end
    half = loss[len(loss) // 2:]
    flat = total > 0 and (np.max(half) - np.min(half)) < 0.01 * total + 1e-12 * scale
    steady = (cos is not None and ev["update_cosine"] > 0.99) or (cos is None and late_drop > 0.05)
    if stochastic and dense and not steady and total > 0:
        # scale-free: the exact loss falls at almost every evaluation and the last quarter
        # still brings its share of the drop, yet little of the loss is gone
        falling = float(np.mean(d < 0))
        steady = falling >= 0.9 and late_drop * scale >= 0.15 * total and total < 0.5 * scale
    if steady and not flat:
        return Diagnosis("too low", ev, (
            f"The loss is still falling steadily at the end{lr_text} and successive steps "
            "keep going the same way: the learning rate is smaller than it needs to be. Try "
            "3 to 10x larger (or a range test to find the limit)."))

    # 5. plateau ----------------------------------------------------------
    progress = total / scale if f_star is None else 1 - (gap if gap is not None else 1)
    ev["progress"] = float(progress)
    stuck = (progress < 0.9) if f_star is None else (gap is not None and gap > 0.1)
    if stuck and (flat or late_drop < 0.01):
        where = (f"{100 * gap:.0f} % of the initial gap to f_star is left" if gap is not None
                 else f"only {100 * progress:.0f} % of the loss is gone; without f_star lrlab "
                 "cannot tell a plateau above the floor from the floor itself (pass "
                 "f_star=problem.f_star when it is known)")
        return Diagnosis("plateau", ev, (
            f"The loss has stopped improving at {l_end:.3g} (from {l0:.3g}){lr_text}: {where}. "
            + _why_flat(stochastic, decayed)))

    # 6. good -------------------------------------------------------------
    if stochastic:   # a noisy level: the last two quarters' means agree (to 2 % of the drop)
        quarters = np.array_split(loss, 4)
        flat = flat or abs(np.mean(quarters[2]) - np.mean(quarters[3])) < 0.02 * total
    return Diagnosis("good", ev, (
        f"The {judged[2]} fell from {l0:.3g} to {l_end:.3g}{lr_text}"
        + ("" if stochastic else " without oscillating")
        + (" and has levelled off" + _levelled(stochastic, decayed) if flat else ".")))


def _why_flat(stochastic: bool, decayed: tuple[float, float] | None) -> str:
    """What a flat end above the floor means, for this kind of run and schedule."""
    if stochastic and decayed is not None:
        return (f"The rate has already decayed (from {decayed[0]:.3g} to {decayed[1]:.3g}), so "
                "this is not the noise floor of a constant rate: if the floor is lower, the "
                "decay came too early or went too far (the last steps barely move); try a "
                "longer schedule or a higher final rate.")
    if stochastic:
        return ("With minibatches at a constant rate this can be its noise floor: decay the "
                "rate or grow the batch.")
    return ("With exact gradients the run sits on a flat region (saddle, saturated units): "
            "try a larger rate, momentum or another start.")


def _levelled(stochastic: bool, decayed: tuple[float, float] | None) -> str:
    if stochastic and decayed is not None:
        return (f" as its rate decayed from {decayed[0]:.3g} to {decayed[1]:.3g}: this "
                "schedule has done its work.")
    if stochastic:
        return (" (at the noise floor of a constant rate: a decaying schedule would go "
                "lower).")
    return "."


def _quick(loss: np.ndarray) -> str:
    return "good" if loss[-1] <= loss[0] else "too high"


def _update_cosines(h: History, last: int) -> np.ndarray | None:
    """Cosine between successive updates (needs recorded params), or None."""
    if h.params is None or last < 3:
        return None
    steps = np.diff(h.params[: last + 1], axis=0)
    a, b = steps[:-1], steps[1:]
    na = np.linalg.norm(a, axis=-1)
    nb = np.linalg.norm(b, axis=-1)
    ok = (na > 0) & (nb > 0)
    if ok.sum() < 2:
        return None
    return np.einsum("ij,ij->i", a[ok], b[ok]) / (na[ok] * nb[ok])
