"""Self-checks for assignment 6: diagnosing training runs from their logs.

The learner gets eight training logs (``run_a`` ... ``run_h``) and writes:

* ``plot_log(log, title=None) -> Figure``: a figure of one log (the loss, with
  its full-data training and validation losses, the rate, the update ratio,
  the gradient norm; checked in :mod:`lrlab.checks.log_figure`);
* ``diagnosis_labels() -> {run: label}`` with labels from :data:`LABELS`;
* ``prescribed_fixes() -> {run: fix}`` with fixes from :data:`FIXES`;
* ``noise_floor_reached(losses, window=100) -> bool`` (checked in
  :mod:`lrlab.checks.floor_detector`).

These checks do not know the answers (the answer key lives only in the
instructor's copy of the notebook). :func:`check_labels` and
:func:`check_fixes` check the form of the answer (every run, words from the
vocabulary) and then its *consistency with facts anyone can compute from the
log*: a label or fix that contradicts one is named, with the fact. These facts
are necessary conditions, never sufficient ones: "no contradiction found" is
not "right", and the messages state evidence, not the label that fits it.

Examples
--------
>>> from lrlab.checks.diagnose import check_labels
>>> logs = {"run_a": {"loss": [1.0, float("nan")], "train_loss": [1.0, float("nan")],
...                   "val_loss": [1.1, float("nan")], "eval_steps": [0, 1],
...                   "update_ratio": [1e-3], "lr": [0.1], "grad_norm": [1.0, 1.0],
...                   "diverged_at": 1, "reason": "loss became nan"}}
>>> check_labels(lambda: {"run_a": "too_high"}, logs).mistake
'missed_divergence'
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import fmt
from ._core import CheckResult, not_implemented
from ._guard import capped_output, time_limit

__all__ = ["FIXES", "LABELS", "check_fixes", "check_labels", "log_facts"]

#: What can be wrong with a run (the notebook shows the same table).
LABELS = {
    "too_low": "the rate is too low: the loss falls steadily but slowly, still falling at the end",
    "too_high": "the rate is too high, but the run survives: the loss jumps up (spikes) and "
                "recovers, again and again",
    "diverged": "the run blew up: its loss became inf or NaN (or exploded)",
    "stuck": "the run sits at a stationary point (a saddle or a plateau): the loss does not move",
    "overfitting": "the validation loss rises while the training loss falls",
    "noise_floor": "at a constant rate the loss stopped falling and jitters in a band set by "
                   "the gradient noise",
    "good": "nothing to fix",
}

#: What to do about it.
FIXES = {
    "raise_lr": "raise the learning rate",
    "lower_lr": "lower the (constant) learning rate",
    "decay_lr": "use a decaying schedule (step, cosine, 1/t, ...)",
    "grow_batch": "use larger minibatches",
    "add_warmup": "start with a few hundred steps of linear warm-up",
    "clip_gradients": "clip the gradient norm",
    "reinitialize": "restart from the standard random initialisation",
    "stop_early": "stop at (keep the weights of) the lowest validation loss",
    "add_weight_decay": "add weight decay (an L2 penalty)",
    "no_change": "leave the run as it is",
}

#: A full-data training loss this many times the median of the five before it is a spike.
SPIKE_FACTOR = 4.0
#: A final validation loss this many times its minimum (reached before the last quarter) rises.
RISE_FACTOR = 1.5
#: Median update ratio above which the steps are large (CS231n's rule of thumb is 1e-3).
LARGE_RATIO = 1e-2

_TIME_LIMIT_S = 20.0


# ----------------------------------------------------------------------------- facts
def log_facts(log: dict) -> dict:
    """Facts about one log that any reader of its figure can check.

    Parameters
    ----------
    log : dict
        One run: ``loss``, ``grad_norm``, ``lr``, ``update_ratio`` (per step),
        ``eval_steps``, ``train_loss``, ``val_loss`` (per evaluation),
        ``diverged_at`` and ``reason``.

    Returns
    -------
    dict
        ``diverged`` (a non-finite value or a recorded divergence), ``step``
        and ``reason`` of it; ``max_spike`` (the largest ratio of a full-data
        training loss to the median of the five before it); ``moved`` (final
        over first finite full-data training loss); ``ratio`` (median update
        ratio); ``val_rise`` (final over minimum validation loss when the
        minimum comes before the last quarter and the training loss fell
        meanwhile, else 1.0) with ``val_min``, ``val_min_step``, ``val_end``;
        ``constant_rate``; ``early_trouble`` (the minibatch loss exceeded
        twice its start within the first tenth of the steps).
    """
    loss = np.asarray(log["loss"], dtype=float)
    train = np.asarray(log["train_loss"], dtype=float)
    val = np.asarray(log["val_loss"], dtype=float)
    steps = np.asarray(log["eval_steps"])
    ratio = np.asarray(log["update_ratio"], dtype=float)
    lr = np.asarray(log["lr"], dtype=float)
    at = int(log.get("diverged_at", -1))
    diverged = at >= 0 or not np.all(np.isfinite(loss))
    if diverged and at < 0:
        at = int(np.argmax(~np.isfinite(loss)))
    ok = np.isfinite(train)
    tr, tr_steps = train[ok], steps[ok]
    spikes = [tr[i] / np.median(tr[max(0, i - 5):i]) for i in range(3, len(tr))]
    facts = dict(diverged=diverged, step=at, reason=str(log.get("reason", "")),
                 max_spike=float(max(spikes, default=1.0)),
                 moved=float(tr[-1] / tr[0]) if len(tr) else np.nan,
                 ratio=float(np.median(ratio[np.isfinite(ratio)])) if np.isfinite(ratio).any()
                 else np.nan,
                 constant_rate=bool(np.nanmax(lr) == np.nanmin(lr)) if np.isfinite(lr).any()
                 else False,
                 val_rise=1.0, val_min=np.nan, val_min_step=-1, val_end=np.nan)
    v_ok = np.isfinite(val) & ok
    if not diverged and v_ok.sum() >= 4:
        v, v_steps, t = val[v_ok], steps[v_ok], train[v_ok]
        i = int(np.argmin(v))
        if i < 0.75 * len(v) and t[-1] < t[i]:
            facts.update(val_rise=float(v[-1] / v[i]), val_min=float(v[i]),
                         val_min_step=int(v_steps[i]), val_end=float(v[-1]),
                         train_at_min=float(t[i]), train_end=float(t[-1]))
    tenth = max(2, len(loss) // 10)
    start = loss[0]
    facts["early_trouble"] = bool(np.any(~np.isfinite(loss[:tenth]))
                                  or np.nanmax(loss[:tenth]) > 2 * start)
    facts["tr_steps"] = tr_steps
    return facts


def _f(x: float) -> str:
    return fmt(x, digits=3)


def _label_contradiction(run: str, label: str, f: dict) -> tuple[str, str] | None:
    """(mistake key, message) when ``label`` contradicts a fact of the log, else None."""
    if f["diverged"] and label != "diverged":
        return ("missed_divergence",
                f"{run}: its log records a divergence at step {f['step']} "
                f"(reason: '{f['reason']}'), but you labelled it '{label}'. Look at the end "
                "of the run, not only at the part your figure shows well.")
    if label == "diverged" and not f["diverged"]:
        return ("diverged_but_finite",
                f"{run}: you labelled it 'diverged', but every loss it recorded is finite and "
                "it ran to its last step. A loss that jumps up and comes back is not a "
                "divergence.")
    if f["val_rise"] >= RISE_FACTOR and label != "overfitting":
        return ("ignored_validation",
                f"{run}: its validation loss rises from {_f(f['val_min'])} (step "
                f"{f['val_min_step']}) to {_f(f['val_end'])} at the end while its training loss "
                f"falls ({_f(f['train_at_min'])} -> {_f(f['train_end'])}); '{label}' reads the "
                "run from its training loss alone. Which curve tells you how the model does "
                "on data it was not trained on?")
    if label == "overfitting" and f["val_rise"] < RISE_FACTOR:
        return ("overfitting_without_rise",
                f"{run}: you labelled it 'overfitting', but its validation loss does not rise "
                f"while its training loss falls (or it has no validation loss). Overfitting "
                "is a claim about the validation loss.")
    if label == "noise_floor" and f["max_spike"] >= SPIKE_FACTOR:
        return ("spiky_noise_floor",
                f"{run}: you labelled it 'noise_floor', but its full-data training loss jumps "
                f"to {_f(f['max_spike'])} times the median of the evaluations before it. A "
                "noise floor is a steady band; jumps that large come from steps too big for "
                "the curvature, not from gradient noise.")
    if label == "too_high" and f["max_spike"] < SPIKE_FACTOR and not f["diverged"]:
        return ("too_high_without_spikes",
                f"{run}: you labelled it 'too_high', but its full-data training loss never "
                f"jumps up (largest jump: {_f(f['max_spike'])} times the median of the "
                "evaluations before it). Is the band you see the noise of the minibatches?")
    if label == "too_low" and f["ratio"] > LARGE_RATIO:
        return ("too_low_with_large_steps",
                f"{run}: you labelled it 'too_low', but its median update ratio is "
                f"{_f(f['ratio'])}, more than 10 times CS231n's 1e-3: its steps are large "
                "for the size of its weights, yet its full-data loss ends at "
                f"{_f(f['moved'])} times its start. A rate that is too low makes small steps.")
    if label == "stuck" and f["moved"] < 0.9:
        return ("stuck_but_moved",
                f"{run}: you labelled it 'stuck', but its full-data training loss ends at "
                f"{_f(f['moved'])} times its start: it moved.")
    return None


# ------------------------------------------------------------------------ calling
def _call(fn: Any, name: str, what: str) -> tuple[Any, CheckResult | None]:
    if not callable(fn):
        return None, CheckResult(name, False, "error",
                                 f"expected the function {name}, got {type(fn).__name__}: "
                                 f"pass the function itself, check(..)({name}).")
    try:
        with capped_output(), time_limit(_TIME_LIMIT_S):
            out = fn()
    except NotImplementedError:
        return None, not_implemented(name, what)
    except Exception as exc:  # the learner's code may raise anything
        return None, CheckResult(name, False, "error",
                                 f"calling {name}() raised {type(exc).__name__}: {exc}")
    return out, None


def _form(name: str, answer: Any, logs: dict, vocabulary: dict, what: str) -> CheckResult | None:
    if not isinstance(answer, dict):
        return CheckResult(name, False, "not_a_dict",
                           f"{name}() must return a dict {{run: {what}}}, got "
                           f"{type(answer).__name__}.")
    missing = sorted(set(logs) - set(answer))
    extra = sorted(set(answer) - set(logs))
    if missing or extra:
        return CheckResult(name, False, "wrong_runs",
                           f"{name}() must give one {what} for each of the {len(logs)} runs "
                           f"{', '.join(sorted(logs))}; missing: {missing or 'none'}, "
                           f"not a run: {extra or 'none'}.")
    for run in sorted(answer):
        word = answer[run]
        if not isinstance(word, str) or word not in vocabulary:
            close = difflib.get_close_matches(str(word), list(vocabulary), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            return CheckResult(name, False, "unknown_word",
                               f"{run}: {word!r} is not in the vocabulary{hint}; use one of "
                               f"{', '.join(vocabulary)}.")
    return None


def _report(name: str, found: list[tuple[str, str]], n: int, what: str) -> CheckResult:
    if not found:
        return CheckResult(name, True, None,
                           f"{n} runs, every {what} from the vocabulary, and none contradicts "
                           "a fact of its log. (This check does not know the answers: it "
                           "catches contradictions only. The autograder knows them.)")
    key, message = found[0]
    others = len(found) - 1
    more = (f" ({others} more {what}{'s' * (others > 1)} "
            f"{'contradict their logs' if others > 1 else 'contradicts its log'}: fix this one "
            "and run the check again.)") if others else ""
    return CheckResult(name, False, key, message + more)


# ------------------------------------------------------------------------- checks
def check_labels(diagnosis_labels: Callable, logs: dict) -> CheckResult:
    """Check the learner's labels: form, vocabulary, and consistency with each log's facts.

    Parameters
    ----------
    diagnosis_labels : callable
        ``diagnosis_labels() -> {run: label}``.
    logs : dict
        The logs, ``{run: log}`` (see :func:`log_facts`).

    Returns
    -------
    CheckResult
        Names the first contradiction: ``missed_divergence``,
        ``diverged_but_finite``, ``ignored_validation``, ``overfitting_without_rise``,
        ``spiky_noise_floor``, ``too_high_without_spikes``,
        ``too_low_with_large_steps`` or ``stuck_but_moved``.
    """
    name = "diagnosis_labels"
    answer, failed = _call(diagnosis_labels, name, "labels")
    if failed is None:
        failed = _form(name, answer, logs, LABELS, "label")
    if failed is not None:
        return failed
    found = [c for run in sorted(logs)
             if (c := _label_contradiction(run, answer[run], log_facts(logs[run])))]
    return _report(name, found, len(logs), "label")


def _fix_contradiction(run: str, fix: str, f: dict) -> tuple[str, str] | None:
    troubled = (f["diverged"] or f["val_rise"] >= RISE_FACTOR or f["max_spike"] >= SPIKE_FACTOR
                or f["moved"] >= 0.9)
    if fix == "raise_lr" and (f["ratio"] > LARGE_RATIO or f["diverged"]):
        return ("raise_with_large_steps",
                f"{run}: you prescribe a higher rate, but its median update ratio is already "
                f"{_f(f['ratio'])}, more than 10 times CS231n's 1e-3"
                f"{' and it diverged' if f['diverged'] else ''}: its steps are not too small "
                "for its weights.")
    if fix == "add_warmup" and not f["early_trouble"]:
        trouble = (f"it diverged at step {f['step']}" if f["diverged"]
                   else "nothing goes wrong early")
        return ("warmup_for_late_trouble",
                f"{run}: you prescribe a warm-up, but its loss never exceeded twice its start "
                f"in the first tenth of the run; {trouble}. A warm-up changes only the first "
                "steps.")
    if fix == "stop_early" and f["val_rise"] < RISE_FACTOR:
        return ("stop_early_without_rise",
                f"{run}: you prescribe stopping early, but its validation loss does not rise "
                "while its training loss falls (or it has none): the end of the run is no "
                "worse than any earlier point.")
    if fix == "no_change" and troubled:
        return ("no_change_for_failure",
                f"{run}: you leave it as it is, but its log shows trouble (a divergence, a "
                "rising validation loss, a spike of the full-data loss, or a loss that never "
                "moved).")
    if fix == "reinitialize" and f["moved"] < 0.9:
        return ("reinitialize_moving_run",
                f"{run}: you restart it from a new initialisation, but its full-data training "
                f"loss ends at {_f(f['moved'])} times its start: the start point is not what "
                "holds it back.")
    return None


def check_fixes(prescribed_fixes: Callable, logs: dict) -> CheckResult:
    """Check the learner's fixes: form, vocabulary, and consistency with each log's facts.

    Parameters
    ----------
    prescribed_fixes : callable
        ``prescribed_fixes() -> {run: fix}``.
    logs : dict
        The logs, ``{run: log}``.

    Returns
    -------
    CheckResult
        Names the first contradiction: ``raise_with_large_steps``,
        ``warmup_for_late_trouble``, ``stop_early_without_rise``,
        ``no_change_for_failure`` or ``reinitialize_moving_run``.
    """
    name = "prescribed_fixes"
    answer, failed = _call(prescribed_fixes, name, "fixes")
    if failed is None:
        failed = _form(name, answer, logs, FIXES, "fix")
    if failed is not None:
        return failed
    found = [c for run in sorted(logs)
             if (c := _fix_contradiction(run, answer[run], log_facts(logs[run])))]
    return _report(name, found, len(logs), "fix")
