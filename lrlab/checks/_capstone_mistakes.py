"""References and known mistakes of the capstone's ``summarize`` and ``choose`` (private).

:mod:`lrlab.checks.capstone` runs the learner's functions next to these; messages
explain a mistake and never show the reference code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Mistake

__all__ = ["CHOOSE_MISTAKES", "SUMMARY_MISTAKES", "choose_ref", "summarize_ref"]


def _groups(record) -> dict:
    groups: dict = {}
    for run in record:
        groups.setdefault(run.choice, []).append(run)
    return groups


def _mean(values) -> float:
    values = np.asarray(values, dtype=float)
    return float("nan") if np.isnan(values).any() else float(values.mean())


def _spread(values) -> float:
    values = np.asarray(values, dtype=float)
    return float("nan") if np.isnan(values).any() else float(values.max() - values.min())


def _row(choice, runs, *, acc, loss, train, spread=_spread, mean=_mean) -> dict:
    return {"choice": choice, "runs": len(runs), "diverged": sum(bool(r.diverged) for r in runs),
            "val_accuracy": mean(acc), "val_loss": mean(loss), "train_loss": mean(train),
            "spread": spread(acc)}


def _summary_variant(kind: str):
    def summarize(record):
        rows = []
        if kind == "no_grouping":
            groups = [(r.choice, [r]) for r in record]
        else:
            groups = list(_groups(record).items())
        for choice, runs in groups:
            picked = {"first_run_only": runs[:1], "last_run_only": runs[-1:]}.get(kind, runs)
            acc = [r.val_accuracy[-1] for r in picked]
            loss = [r.val_loss[-1] for r in picked]
            train = [r.train_loss[-1] for r in picked]
            if kind == "best_epoch":
                acc = [np.nanmax(r.val_accuracy) for r in picked]
                loss = [np.nanmin(r.val_loss) for r in picked]
            mean, spread = _mean, _spread
            if kind == "nanmean":
                def mean(v):
                    v = np.asarray(v, dtype=float)
                    return float(v[~np.isnan(v)].mean()) if (~np.isnan(v)).any() else np.nan

                def spread(v):
                    v = np.asarray(v, dtype=float)[~np.isnan(np.asarray(v, dtype=float))]
                    return float(v.max() - v.min()) if v.size else np.nan
            if kind == "std_spread":
                def spread(v):
                    v = np.asarray(v, dtype=float)
                    return float(v.std())
            row = _row(choice, runs, acc=acc, loss=loss, train=train, mean=mean, spread=spread)
            if kind in ("first_run_only", "last_run_only"):
                row["runs"] = len(runs)
            rows.append(row)
        return rows
    return summarize


summarize_ref = _summary_variant("ref")

SUMMARY_MISTAKES = [
    Mistake("nanmean", "a choice with a diverged run gets the mean of its surviving runs only "
            "(np.nanmean, or skipping the NaN runs): that hides the divergence and makes a rate "
            "at the edge look good. A row's means must be NaN when any of its runs diverged.",
            _summary_variant("nanmean")),
    Mistake("first_run_only", "each row shows the first run of its choice instead of the mean "
            "over all its runs: the runs with other seeds are ignored.",
            _summary_variant("first_run_only")),
    Mistake("last_run_only", "each row shows the last run of its choice (a dict entry "
            "overwritten by every new run) instead of the mean over its runs.",
            _summary_variant("last_run_only")),
    Mistake("no_grouping", "your summary has one row per run: runs of the same choice (with "
            "different seeds) must be grouped into one row, so that you can average them.",
            _summary_variant("no_grouping")),
    Mistake("best_epoch", "your rows use the best epoch of each run (the highest validation "
            "accuracy, the lowest validation loss along the run), but the submitted choice is "
            "scored after its last epoch: use the final values.", _summary_variant("best_epoch")),
    Mistake("std_spread", "'spread' should be the range of the validation accuracies (largest "
            "minus smallest), not their standard deviation.", _summary_variant("std_spread")),
]


def _usable(rows, *, kind: str = "ref") -> list:
    if kind == "survivor":
        return [r for r in rows if np.isfinite(r["val_accuracy"])]
    return [r for r in rows if r["diverged"] == 0 and np.isfinite(r["val_accuracy"])]


def _choose_variant(kind: str):
    def choose(rows) -> Any:
        if kind == "nan_wins":
            return rows[int(np.argmax([r["val_accuracy"] for r in rows]))]["choice"]
        usable = _usable(rows, kind=kind)
        if not usable:
            if kind == "no_error":
                return None
            raise ValueError("every choice of the summary diverged in at least one run")
        keys = {"by_train_loss": lambda r: -r["train_loss"],
                "by_val_loss": lambda r: -r["val_loss"],
                "lowest_accuracy": lambda r: -r["val_accuracy"],
                "no_tiebreak": lambda r: r["val_accuracy"]}
        key = keys.get(kind, lambda r: (r["val_accuracy"], -r["val_loss"]))
        return max(usable, key=key)["choice"]
    return choose


choose_ref = _choose_variant("ref")

CHOOSE_MISTAKES = [
    Mistake("by_train_loss", "you chose the lowest *training* loss: on this network it falls "
            "with the rate until the rate diverges, and it rewards fitting the 1077 training "
            "images, not the images the grade uses. Choose the highest mean validation "
            "accuracy.", _choose_variant("by_train_loss")),
    Mistake("nan_wins", "your choice is a row whose validation accuracy is NaN (a choice that "
            "diverged): np.argmax and max() treat NaN as the largest value or stop comparing. "
            "Leave out every row with a diverged run before you take the maximum.",
            _choose_variant("nan_wins")),
    Mistake("survivor", "you chose a row with a finite accuracy but a diverged run (its "
            "'diverged' count is above 0): a choice that diverged with one seed may diverge "
            "with the grader's seeds too. Use only rows with diverged == 0.",
            _choose_variant("survivor")),
    Mistake("lowest_accuracy", "you chose the *lowest* validation accuracy (argmin, or a sort "
            "in the wrong direction): higher accuracy is better.",
            _choose_variant("lowest_accuracy")),
    Mistake("by_val_loss", "you chose the lowest validation loss; the rule here is the highest "
            "mean validation accuracy (what the grade measures), the validation loss only "
            "breaks ties: one confidently wrong image can dominate the loss.",
            _choose_variant("by_val_loss")),
    Mistake("no_tiebreak", "two rows have the same validation accuracy and you kept the first: "
            "break the tie with the lower validation loss.", _choose_variant("no_tiebreak")),
    Mistake("no_error", "when every choice diverged your function returns None; it must raise "
            "ValueError (there is nothing to submit).", _choose_variant("no_error")),
]
