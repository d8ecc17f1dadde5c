"""Drawing a range test: the loss against the rate, with the suggestions marked.

Kept apart from :mod:`lrlab.finder` (computation) so that the test never
needs matplotlib. The result is read duck-typed (its ``lrs``, ``losses``,
``smoothed``, ``stop``); the suggestions come from
:mod:`lrlab.finder.suggestions`, which imports nothing that draws.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..finder.suggestions import _check_methods, suggest

if TYPE_CHECKING:
    from ..finder.result import RangeTestResult, SuggestionBand

__all__ = ["plot_range_test"]


def plot_range_test(
    result: RangeTestResult,
    ax: Any = None,
    *,
    suggestions: Iterable[str] = ("minimum", "steep", "valley", "midpoint"),
    band: SuggestionBand | None = None,
    raw: bool = True,
) -> Any:
    """Loss against learning rate (log x), with the suggestions marked.

    Parameters
    ----------
    result : RangeTestResult
        A range test (:func:`~lrlab.finder.lr_range_test`).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if omitted).
    suggestions : iterable of str
        Which suggestions to mark (vertical line + dot on the smoothed curve).
    band : SuggestionBand, optional
        Shade each suggestion's band over seeds.
    raw : bool
        Also draw the raw losses (faint).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from lrlab.finder import lr_range_test
    >>> from lrlab.surfaces import quadratic
    >>> from lrlab.rules import sgd
    >>> ax = plot_range_test(lr_range_test(quadratic([1.0, 10.0]), sgd), suggestions=["valley"])
    >>> ax.get_xscale(), len(ax.get_legend().get_texts())  # loss, smoothed loss, valley
    ('log', 3)
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    suggestions = _check_methods(suggestions, "suggestions", "plot_range_test")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    n = result.stop
    if raw:
        ax.plot(result.lrs[:n], result.losses[:n], color="0.75", lw=1, label="loss")
    ax.plot(result.lrs[:n], result.smoothed[:n], color="C0", lw=2, label="smoothed loss")
    colors = {"minimum": "C3", "steep": "C2", "valley": "C1", "midpoint": "C4"}
    logx = np.log(result.lrs[:n])
    for name in suggestions:
        try:
            lr = suggest(result, name)
        except ValueError:
            continue
        y = np.interp(np.log(lr), logx, result.smoothed[:n])
        color = colors.get(name, "k")
        ax.axvline(lr, color=color, ls=":", lw=1)
        ax.plot([lr], [y], "o", color=color, label=f"{name}: {lr:.2g}")
        if band is not None and name in band.values:
            ax.axvspan(band.low[name], band.high[name], color=color, alpha=0.12)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.set_title(f"LR range test ({result.settings.get('rule', '')})")
    finite = result.smoothed[:n][np.isfinite(result.smoothed[:n])]
    if finite.size:
        lo, hi = float(finite.min()), float(max(finite.max(), result.initial_loss))
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        ax.set_ylim(lo - pad, hi + pad)
    ax.legend(loc="best", fontsize="small")
    return ax
