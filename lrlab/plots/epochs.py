"""Loss against the epoch for every run of an :class:`~lrlab.trainer.epochs.EpochRun`.

The picture every learner of neural networks is shown: one curve per learning rate,
measured on all the training (or validation) data after each epoch. A run that ended
on a non-finite loss has no more points; :func:`epoch_curves` draws a dashed line from
its last measurement to a cross at the top of the axis, at the step where it ended,
and writes what ended it (``"NaN at step 11"``), so a blow-up is seen, not lost.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes

from .._validation import check_choice
from .base import COLORS, axes_or_new

__all__ = ["end_of_run", "epoch_curves"]


def end_of_run(reason: str, step: int) -> str:
    """A short label for how a run ended: ``"NaN at step 11"``, ``"inf at step 260"``.

    >>> end_of_run("loss became nan", 11), end_of_run("gradient became non-finite", 8)
    ('NaN at step 11', 'non-finite gradient at step 8')
    >>> end_of_run("loss exceeded 1e+05 x its start", 30)
    'loss > 1e5 x start at step 30'
    """
    reason = str(reason)
    if reason.endswith("became nan"):
        what = "NaN" if reason.startswith("loss") else "NaN gradient"
    elif reason.endswith("became inf"):
        what = "inf" if reason.startswith("loss") else "inf gradient"
    elif "gradient" in reason:
        what = "non-finite gradient"
    elif reason.startswith("loss exceeded"):
        what = "loss > 1e5 x start" if "1e+05" in reason else "loss too large"
    else:
        what = reason or "ended"
    return f"{what} at step {int(step)}"


def epoch_curves(run: Any, ax: Axes | None = None, *, part: str = "train",
                 labels: Any = None, colors: Any = None, tags: Any = None,
                 order: Any = None, say_why: bool = True,
                 top: float | None = None) -> dict[str, list]:
    """One loss-per-epoch curve per run, with the end of every blown-up run marked.

    Parameters
    ----------
    run : EpochRun
        From :func:`lrlab.trainer.epochs.train_epochs` or ``RunningExample.fit``, with
        one axis of runs (e.g. one per learning rate).
    ax : Axes, optional
        Where to draw (a new standalone Axes if None). Its y axis becomes logarithmic.
    part : {'train', 'validation'}
        Which loss: on all the training data or on the validation data.
    labels : sequence of str, optional
        Legend label of each run.
    colors : sequence of colours, optional
        One per run (lrlab's colour-blind-safe :data:`~lrlab.plots.COLORS` by default).
    tags : sequence of str, optional
        Short text written at the right end of each curve (or next to its cross):
        the learning rate, or a letter for a quiz.
    order : sequence of int, optional
        Draw the runs in this order: curve ``j`` is run ``order[j]`` (a shuffle for a
        "which curve is which?" question); ``labels``, ``colors`` and ``tags`` are
        then given per curve, in the drawing order.
    say_why : bool
        Write what ended a blown-up run and when (``"NaN at step 11"``); ``False``
        writes only its tag (for a figure that asks the reader to tell).
    top : float, optional
        Height of the crosses; by default 3x the largest finite loss drawn (the axis
        is extended to show them).

    Returns
    -------
    dict
        ``"lines"`` (one Line2D per run), ``"ends"`` (the dashed line and cross of
        each blown-up run, in run order), ``"texts"`` (the tags and end labels).

    Examples
    --------
    >>> import lrlab
    >>> from lrlab.datasets import blobs
    >>> from lrlab.models import MLP
    >>> from lrlab.trainer.epochs import train_epochs
    >>> tr, va = blobs(200, seed=0).split(0.25)
    >>> net = MLP(tr, hidden=(8, 8), activation="leaky_relu")
    >>> run = train_epochs(net, lrlab.sgd([0.1, 10.0]), 3, validation=net.with_data(va),
    ...                    divergence_factor=None)
    >>> drawn = epoch_curves(run, tags=["0.1", "10"])
    >>> len(drawn["lines"]), len(drawn["ends"]), drawn["texts"][-1].get_text()
    (2, 1, '10 NaN at step 7')
    """
    owner = "epoch_curves"
    part = check_choice(part, "part", owner, ("train", "validation"))
    loss = np.asarray(run.train_loss if part == "train" else run.val_loss, dtype=float)
    if loss.ndim != 2:
        raise ValueError(f"The 'run' parameter of {owner} must hold one axis of runs "
                         f"(losses of shape (epochs + 1, runs)). Got shape {loss.shape} instead.")
    n_runs = loss.shape[1]
    if order is None:
        order = np.arange(n_runs)
    order = np.asarray(order)
    if sorted(order.tolist()) != list(range(n_runs)):
        raise ValueError(f"The 'order' parameter of {owner} must be a permutation of "
                         f"0..{n_runs - 1}. Got {order.tolist()} instead.")
    history = run.history
    ended_at = np.asarray(history.diverged_at).reshape(n_runs)[order]
    reasons = np.asarray(history.reason).reshape(n_runs)[order]
    loss = loss[:, order]
    labels = _per_run(labels, n_runs, "labels", owner)
    tags = _per_run(tags, n_runs, "tags", owner)
    colors = (_per_run(colors, n_runs, "colors", owner) if colors is not None else
              [COLORS[k % len(COLORS)] for k in range(n_runs)])
    finite = loss[np.isfinite(loss) & (loss > 0)]
    if top is None:
        top = 3.0 * float(finite.max()) if finite.size else 10.0

    ax = axes_or_new(ax)
    epochs = np.asarray(run.epochs)
    spe = run.steps_per_epoch
    drawn: dict[str, list] = {"lines": [], "ends": [], "texts": []}
    ends = []   # (run, x, y) of the tags at the right end of the finished curves
    texts = {}  # run -> its text, returned in run order
    for k in range(n_runs):
        (line,) = ax.plot(epochs, loss[:, k], "o-", color=colors[k], markersize=3,
                          linewidth=1.6, label=labels[k])
        drawn["lines"].append(line)
        seen = np.flatnonzero(np.isfinite(loss[:, k]))
        if ended_at[k] >= 0 and seen.size:
            last, end = seen[-1], ended_at[k] / spe
            (dash,) = ax.plot([epochs[last], end], [loss[last, k], top], "--", color=colors[k],
                              linewidth=1)
            (cross,) = ax.plot([end], [top], "X", color=colors[k], markersize=10,
                               markeredgecolor="k", zorder=5)
            drawn["ends"].append((dash, cross))
            text = end_of_run(reasons[k], ended_at[k]) if say_why else ""
            text = " ".join(t for t in (tags[k], text) if t)
            if text:
                texts[k] = ax.annotate(text, (end, top), xytext=(7, -3),
                                       textcoords="offset points", fontsize=8)
        elif tags[k] and seen.size:
            ends.append((k, epochs[seen[-1]], loss[seen[-1], k]))
    ax.set_yscale("log")
    low = float(finite.min()) / 2 if finite.size else 1e-3
    ax.set_ylim(low, top * 1.8)
    heights = _spread(np.log10([y for _, _, y in ends]), 0.04 * np.log10(top * 1.8 / low))
    for (k, x, _), height in zip(ends, heights, strict=True):
        texts[k] = ax.annotate(tags[k], (x, 10.0**height), xytext=(4, -3),
                               textcoords="offset points", fontsize=8, color=colors[k])
    drawn["texts"] = [texts[k] for k in sorted(texts)]
    ax.set_xlim(epochs[0], epochs[-1] * 1.07 + 0.5)
    ax.set_xlabel(f"epoch ({spe} steps)")
    ax.set_ylabel(f"{'training' if part == 'train' else 'validation'} loss (log scale)")
    return drawn


def _spread(heights: Any, gap: float) -> np.ndarray:
    """Move label heights apart, keeping their order, so that neighbours are ``gap`` apart.

    >>> _spread([0.0, 0.01, 1.0], 0.1).round(3).tolist()
    [-0.045, 0.055, 1.0]
    """
    heights = np.asarray(heights, dtype=float)
    if heights.size < 2:
        return heights
    order = np.argsort(heights, kind="stable")
    y = heights[order].copy()
    for _ in range(len(y)):                      # push up, then centre each cluster
        for i in range(1, len(y)):
            y[i] = max(y[i], y[i - 1] + gap)
        shift = np.mean(y - heights[order])
        clusters = np.split(np.arange(len(y)), np.flatnonzero(np.diff(y) > gap + 1e-12) + 1)
        for c in clusters:
            y[c] -= np.mean(y[c] - heights[order][c])
        if np.all(np.diff(y) >= gap - 1e-9) or shift == 0:
            break
    out = np.empty_like(y)
    out[order] = y
    return out


def _per_run(values: Any, n: int, name: str, owner: str) -> list:
    if values is None:
        return [None if name == "labels" else ""] * n
    values = list(values)
    if len(values) != n:
        raise ValueError(f"The {name!r} parameter of {owner} must have one entry per run "
                         f"({n}). Got {len(values)} instead.")
    return values
