"""Planted mistakes of assignment 06_diagnose_runs (diagnosing training runs from their logs).

Same fields as ``planted_bugs.PlantedBug``; ``tests/test_coursework.py`` autogrades each
one with nbgrader (exactly the cells in ``caught_by`` lose points) and
``tests/test_checks_diagnose.py`` asserts that the self-check named in ``check``
reports ``mistake``. For the label and fix mistakes the self-check does not know the
answer key: it names the fact of the log that the wrong label or fix contradicts (see
``lrlab.checks.diagnose``). The label and fix test cells give partial credit (one point
per run), so each of those mistakes costs one point of eight (two for the swap).

Generated from the source notebook's solutions by a scratch script; edit by hand.
"""

from __future__ import annotations

from planted_bugs import PlantedBug

A6 = "06_diagnose_runs"

BUGS = [
    # the standard deviation of the losses where the standard error of the means belongs
    PlantedBug('dx-floor-std', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    if window < 2 or losses.size < 2 * window:
        return False
    recent = losses[-2 * window:]
    if not np.all(np.isfinite(recent)):
        return False
    a, b = recent[:window], recent[window:]
    drop = a.mean() - b.mean()
    noise = np.sqrt(a.var(ddof=1) + b.var(ddof=1))
    return bool(abs(drop) <= 2 * noise)
''', 'check_noise_floor_reached', 'std_not_standard_error',
               ("test_noise_floor_reached",), hidden=True),
    # a rising loss counts as a floor
    PlantedBug('dx-floor-one-sided', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    if window < 2 or losses.size < 2 * window:
        return False
    recent = losses[-2 * window:]
    if not np.all(np.isfinite(recent)):
        return False
    a, b = recent[:window], recent[window:]
    drop = a.mean() - b.mean()
    noise = np.sqrt(a.var(ddof=1) / window + b.var(ddof=1) / window)
    return bool(drop <= 2 * noise)
''', 'check_noise_floor_reached', 'one_sided',
               ("test_noise_floor_reached",), hidden=True),
    # always 100 losses per window
    PlantedBug('dx-floor-window-ignored', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    window = 100
    if window < 2 or losses.size < 2 * window:
        return False
    recent = losses[-2 * window:]
    if not np.all(np.isfinite(recent)):
        return False
    a, b = recent[:window], recent[window:]
    drop = a.mean() - b.mean()
    noise = np.sqrt(a.var(ddof=1) / window + b.var(ddof=1) / window)
    return bool(abs(drop) <= 2 * noise)
''', 'check_noise_floor_reached', 'window_ignored',
               ("test_noise_floor_reached",), hidden=True),
    # first half against second half of the whole history
    PlantedBug('dx-floor-whole-history', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    if window < 2 or losses.size < 2 * window:
        return False
    recent = losses[-2 * window:]
    if not np.all(np.isfinite(recent)):
        return False
    half = losses.size // 2
    a, b = losses[:half], losses[half:2 * half]
    drop = a.mean() - b.mean()
    noise = np.sqrt(a.var(ddof=1) / half + b.var(ddof=1) / half)
    return bool(abs(drop) <= 2 * noise)
''', 'check_noise_floor_reached', 'whole_history',
               ("test_noise_floor_reached",)),
    # answers with too short a history
    PlantedBug('dx-floor-no-length-check', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    recent = losses[-2 * window:]
    if not np.all(np.isfinite(recent)):
        return False
    a, b = recent[:window], recent[window:]
    drop = a.mean() - b.mean()
    noise = np.sqrt(a.var(ddof=1) / window + b.var(ddof=1) / window)
    return bool(abs(drop) <= 2 * noise)
''', 'check_noise_floor_reached', 'no_length_check',
               ("test_noise_floor_reached",)),
    # NaN skipped, so a diverged run looks flat
    PlantedBug('dx-floor-nanmean', A6, 'noise_floor_reached', '''
def noise_floor_reached(losses, window=100):
    """True when the last two windows of the loss history agree within their noise.

    Parameters
    ----------
    losses : array_like, shape (n,)
        A loss history (e.g. a log's minibatch `loss`).
    window : int >= 2
        Losses per window.

    Returns
    -------
    bool
        |mean(a) - mean(b)| <= 2 * sqrt(var(a)/window + var(b)/window) for the last two
        windows a, b; False with fewer than 2 * window losses or a non-finite one among them.
    """
    losses = np.asarray(losses, dtype=float)
    if window < 2 or losses.size < 2 * window:
        return False
    recent = losses[-2 * window:]
    a, b = recent[:window], recent[window:]
    drop = np.nanmean(a) - np.nanmean(b)
    noise = np.sqrt(np.nanvar(a, ddof=1) / window + np.nanvar(b, ddof=1) / window)
    return bool(abs(drop) <= 2 * noise)
''', 'check_noise_floor_reached', 'nan_ignored',
               ("test_noise_floor_reached",)),
    # too high and the noise floor swapped
    PlantedBug('dx-labels-floor-vs-high', A6, 'diagnosis_labels', '''
def diagnosis_labels():
    """Your diagnosis: a dict, run name -> label (one of LABELS), for the eight runs."""
    return {
        "run_a": "diverged",
        "run_b": "good",
        "run_c": "stuck",
        "run_d": "noise_floor",
        "run_e": "too_high",
        "run_f": "too_low",
        "run_g": "overfitting",
        "run_h": "good",
    }
''', 'check_labels', 'spiky_noise_floor',
               ("test_labels",)),
    # the overfitting run after the late drop called too high
    PlantedBug('dx-labels-late-drop-too-high', A6, 'diagnosis_labels', '''
def diagnosis_labels():
    """Your diagnosis: a dict, run name -> label (one of LABELS), for the eight runs."""
    return {
        "run_a": "diverged",
        "run_b": "good",
        "run_c": "stuck",
        "run_d": "too_high",
        "run_e": "noise_floor",
        "run_f": "too_low",
        "run_g": "too_high",
        "run_h": "good",
    }
''', 'check_labels', 'ignored_validation',
               ("test_labels",)),
    # judged on the training loss: the overfitting run called good
    PlantedBug('dx-labels-training-loss-only', A6, 'diagnosis_labels', '''
def diagnosis_labels():
    """Your diagnosis: a dict, run name -> label (one of LABELS), for the eight runs."""
    return {
        "run_a": "diverged",
        "run_b": "good",
        "run_c": "stuck",
        "run_d": "too_high",
        "run_e": "noise_floor",
        "run_f": "too_low",
        "run_g": "good",
        "run_h": "good",
    }
''', 'check_labels', 'ignored_validation',
               ("test_labels",)),
    # the run stuck at the stationary point called too low
    PlantedBug('dx-labels-stuck-too-low', A6, 'diagnosis_labels', '''
def diagnosis_labels():
    """Your diagnosis: a dict, run name -> label (one of LABELS), for the eight runs."""
    return {
        "run_a": "diverged",
        "run_b": "good",
        "run_c": "too_low",
        "run_d": "too_high",
        "run_e": "noise_floor",
        "run_f": "too_low",
        "run_g": "overfitting",
        "run_h": "good",
    }
''', 'check_labels', 'too_low_with_large_steps',
               ("test_labels",)),
    # the diverged run called too high (its end unread)
    PlantedBug('dx-labels-nan-too-high', A6, 'diagnosis_labels', '''
def diagnosis_labels():
    """Your diagnosis: a dict, run name -> label (one of LABELS), for the eight runs."""
    return {
        "run_a": "too_high",
        "run_b": "good",
        "run_c": "stuck",
        "run_d": "too_high",
        "run_e": "noise_floor",
        "run_f": "too_low",
        "run_g": "overfitting",
        "run_h": "good",
    }
''', 'check_labels', 'missed_divergence',
               ("test_labels",)),
    # a flat loss read as a rate too low
    PlantedBug('dx-fixes-raise-when-stuck', A6, 'prescribed_fixes', '''
def prescribed_fixes():
    """Your prescription: a dict, run name -> fix (one of FIXES), for the eight runs."""
    return {
        "run_a": "lower_lr",
        "run_b": "no_change",
        "run_c": "raise_lr",
        "run_d": "lower_lr",
        "run_e": "decay_lr",
        "run_f": "raise_lr",
        "run_g": "stop_early",
        "run_h": "no_change",
    }
''', 'check_fixes', 'raise_with_large_steps',
               ("test_fixes",)),
    # warm-up for a run that blew up at step 274
    PlantedBug('dx-fixes-warmup-late-divergence', A6, 'prescribed_fixes', '''
def prescribed_fixes():
    """Your prescription: a dict, run name -> fix (one of FIXES), for the eight runs."""
    return {
        "run_a": "add_warmup",
        "run_b": "no_change",
        "run_c": "reinitialize",
        "run_d": "lower_lr",
        "run_e": "decay_lr",
        "run_f": "raise_lr",
        "run_g": "stop_early",
        "run_h": "no_change",
    }
''', 'check_fixes', 'warmup_for_late_trouble',
               ("test_fixes",)),
    # the loss axis left to autoscale: 1e157 squashes the run
    PlantedBug('dx-plot-autoscale', A6, 'plot_log', '''
def plot_log(log, title=None):
    """One figure of a training log: loss, learning rate, update ratio, gradient norm.

    Parameters
    ----------
    log : dict
        One run of `logs` (fields as in the table above).
    title : str, optional
        The figure's title (the run's name).

    Returns
    -------
    matplotlib.figure.Figure
        Panel 0 is the loss (log y axis, clipped to the finite full-data losses).
    """
    fig, (ax_loss, ax_lr, ax_ratio, ax_grad) = plt.subplots(1, 4, figsize=(15, 3.2),
                                                          layout="constrained")
    steps = np.arange(len(log["loss"]))
    ax_loss.plot(steps, log["loss"], lw=0.5, alpha=0.4, color="C0", label="minibatch")
    ax_loss.plot(log["eval_steps"], log["train_loss"], "o-", ms=3, color="C1",
                 label="train (all data)")
    ax_loss.plot(log["eval_steps"], log["val_loss"], "s-", ms=3, color="C2",
                 label="validation")
    ax_loss.set_yscale("log")
    full = np.concatenate([log["train_loss"], log["val_loss"]])
    full = full[np.isfinite(full)]
    finite = log["loss"][np.isfinite(log["loss"])]
    low = max(min(full.min(), np.percentile(finite, 1)), 1e-12)
    if log["diverged_at"] >= 0:
        ax_loss.axvline(log["diverged_at"], color="C3", ls="--",
                        label=f"diverged at {log['diverged_at']}")
    ax_loss.set(xlabel="step", ylabel="loss")
    ax_loss.legend(fontsize=7)
    ax_lr.plot(np.arange(len(log["lr"])), log["lr"], color="C4")
    ax_lr.set(xlabel="step", ylabel="learning rate", ylim=(0, 1.1 * np.nanmax(log["lr"])))
    ax_ratio.plot(log["update_ratio"], lw=0.5, color="C0")
    ax_ratio.axhline(1e-3, color="k", ls=":", label="1e-3")
    ax_ratio.set(yscale="log", xlabel="step", ylabel="update ratio |step| / |theta|")
    ax_ratio.legend(fontsize=7)
    ax_grad.plot(log["grad_norm"], lw=0.5, color="C5")
    # limits from the steps before a blow-up (its last steps are astronomic)
    end = log["diverged_at"] - 5 if log["diverged_at"] > 5 else None
    grad = log["grad_norm"][:end][np.isfinite(log["grad_norm"][:end])]
    ax_grad.set(yscale="log", xlabel="step", ylabel="gradient norm",
                ylim=(grad.min() / 2, 30 * grad.max()))
    ratio = log["update_ratio"][:end][np.isfinite(log["update_ratio"][:end])]
    ax_ratio.set_ylim(min(ratio.min(), 1e-3) / 2, 30 * max(ratio.max(), 1e-3))
    fig.suptitle(f"{title or ''}: {log['rule']}, {log['schedule']}, batch {log['batch_size']}")
    return fig
''', 'check_plot_log', 'unclipped_divergence',
               ("test_plot_log",)),
]
