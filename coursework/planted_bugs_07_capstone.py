"""Planted mistakes of assignment 7, the capstone (see planted_bugs.py for the fields).

``check`` names the lrlab.checks function that must name the mistake: for
``summarize`` and ``choose`` it checks the function itself; for ``search`` and
``final_choice`` it is ``check_submission(final_choice, budget)`` after the
notebook's search has run (tests/test_checks_capstone.py runs it so).

``caught_by`` was measured with the reference search (13 runs of 5 epochs) and the
public test default of the hidden split; the score cells depend on both.
"""

from __future__ import annotations

from planted_bugs import PlantedBug

A7 = "07_capstone"
SCORE = ("test_score_pass", "test_score_full")

BUGS = [
    # ------------------------------------------------------------------ summarize
    # --------------------------------------------------------------------- choose
    PlantedBug("cap-choose-train-loss", A7, "choose", '''
def choose(rows):
    usable = [row for row in rows if row["diverged"] == 0]
    if not usable:
        raise ValueError("every choice diverged")
    return min(usable, key=lambda row: row["train_loss"])["choice"]
''', "check_choose", "by_train_loss", ("test_choose",)),
    PlantedBug("cap-choose-nan", A7, "choose", '''
def choose(rows):
    accuracies = [row["val_accuracy"] for row in rows]
    return rows[int(np.argmax(accuracies))]["choice"]
''', "check_choose", "nan_wins", ("test_choose", "test_choice", *SCORE)),
    PlantedBug("cap-choose-survivor", A7, "choose", '''
def choose(rows):
    usable = [row for row in rows if not np.isnan(row["val_accuracy"])]
    if not usable:
        raise ValueError("every choice diverged")
    return max(usable, key=lambda row: (row["val_accuracy"], -row["val_loss"]))["choice"]
''', "check_choose", "survivor", ("test_choose",), hidden=True),
    # --------------------------------------------------------------------- search
    PlantedBug("cap-over-budget", A7, "search", '''
def search(train_digits):
    runs = []
    for lr in (0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0):       # 7 rates x 3 seeds
        for seed in (0, 1, 2):
            runs.append(train_digits(Choice("sgd", lr=lr), seed=seed))
    return runs
''', "check_submission", "over_budget", ("test_search", *SCORE)),
    PlantedBug("cap-one-seed", A7, "search", '''
def search(train_digits):
    runs = [train_digits(Choice("sgd", lr=lr)) for lr in (0.03, 0.1, 0.3, 0.6, 1.0, 3.0)]
    runs += [train_digits(Choice("adam", lr=lr)) for lr in (1e-3, 3e-3, 1e-2)]
    return runs
''', "check_submission", "single_seed", ("test_choice",)),
    # --------------------------------------------------------------- final_choice
    PlantedBug("cap-decays-early", A7, "final_choice", '''
def final_choice(record):
    best = choose(summarize(record))
    # the same peak with a cosine decay over my 5 epochs
    return Choice(best.optimizer, lr=best.lr, momentum=best.momentum, schedule="cosine",
                  schedule_params={"total_steps": best.epochs})
''', "check_submission", "decays_early", ("test_choice", *SCORE)),
    PlantedBug("cap-invalid-optimizer", A7, "final_choice", '''
def final_choice(record):
    return {"optimizer": "momentum", "lr": 0.03, "momentum": 0.9}
''', "check_submission", "unknown_optimizer", ("test_choice", *SCORE)),
    PlantedBug("cap-diverges", A7, "final_choice", '''
def final_choice(record):
    # only 5 epochs: the largest rate I tried learns fastest
    return Choice("sgd", lr=3.0)
''', "check_submission", "diverged_in_record", ("test_choice", *SCORE)),
]

# Realistic mistakes the self-checks name (tests/test_checks_capstone.py) but that are not
# autograded as submissions of their own, to keep the assignment's autograde short (each
# submission re-runs the whole notebook): what they would cost is in docs/instructors.md.
EXTRA = [
    PlantedBug("cap-summary-skips-diverged", A7, "summarize", '''
def summarize(record):
    groups = {}
    for run in record:
        groups.setdefault(run.choice, []).append(run)
    rows = []
    for choice, runs in groups.items():
        # the NaN of a diverged run spoils the mean: average the runs that worked
        ok = [run for run in runs if not run.diverged] or runs
        accuracy = np.array([run.final_val_accuracy for run in ok])
        rows.append({"choice": choice, "runs": len(runs),
                     "diverged": sum(run.diverged for run in runs),
                     "val_accuracy": accuracy.mean(),
                     "val_loss": np.mean([run.final_val_loss for run in ok]),
                     "train_loss": np.mean([run.final_train_loss for run in ok]),
                     "spread": accuracy.max() - accuracy.min()})
    return rows
''', "check_summarize", "nanmean", ("test_summarize",)),
    PlantedBug("cap-summary-last-run", A7, "summarize", '''
def summarize(record):
    rows = {}
    for run in record:
        before = rows.get(run.choice, {"runs": 0, "diverged": 0})
        rows[run.choice] = {"choice": run.choice, "runs": before["runs"] + 1,
                            "diverged": before["diverged"] + run.diverged,
                            "val_accuracy": run.final_val_accuracy,
                            "val_loss": run.final_val_loss,
                            "train_loss": run.final_train_loss, "spread": 0.0}
    return list(rows.values())
''', "check_summarize", "last_run_only", ("test_summarize", "test_choice")),
    PlantedBug("cap-second-budget", A7, "search", '''
def search(train_digits):
    scratch = capstone.Budget(runs=20)          # a scratch budget for the rough sweep
    rough = [scratch.train_digits(Choice("sgd", lr=lr)) for lr in (0.03, 0.1, 0.3, 1.0)]
    rough += [scratch.train_digits(Choice("adam", lr=lr)) for lr in (1e-3, 3e-3, 1e-2)]
    best = choose(summarize(rough))
    return [train_digits(best, seed=seed) for seed in (0, 1)]
''', "check_submission", "second_budget", ("test_search",)),
]
