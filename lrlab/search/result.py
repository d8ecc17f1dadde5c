"""The result of a learning-rate search: its table, its best candidate, its plot.

Kept apart from the search itself (:mod:`lrlab.search`, which re-exports
:class:`SearchResult`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["SearchResult"]


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The table of a search and its best candidate.

    Attributes
    ----------
    table : list of dict
        One row per candidate, in the order tried: ``lr``, the extra
        hyperparameter (if any), ``score`` (mean validation loss; inf if a
        run diverged), ``std`` (over folds), ``diverged`` (number of folds
        where it diverged), ``train_loss`` (mean final training loss) and
        ``rank`` (1 = best).
    best : dict
        The best row.
    param : str or None
        Name of the extra hyperparameter.
    validation : str
        How candidates were scored ('split', 'kfold', 'problem' or 'none').
    histories : list of History
        The training records, one per fold (batched) or per fold and candidate.

    Examples
    --------
    >>> from lrlab import sgd
    >>> from lrlab.search import grid_search
    >>> from lrlab.surfaces import quadratic
    >>> result = grid_search(quadratic([1.0, 10.0]), sgd, [0.01, 0.1, 0.3], num_steps=50,
    ...                      progress=False)
    >>> print(result.to_text())
           rank           lr        score          std   train_loss     diverged
              1          0.1    1.328e-05            0    1.328e-05            0
              2         0.01       0.1831            0       0.1831            0
              3          0.3          inf            0          inf            1
    """

    table: list
    best: dict
    param: str | None
    validation: str
    histories: list

    @property
    def best_lr(self) -> float:
        """Learning rate of the best candidate."""
        return float(self.best["lr"])

    @property
    def all_failed(self) -> bool:
        """True when no candidate has a finite score (all diverged, or their validation
        loss is not finite): ``best`` is then only the first candidate."""
        return not np.isfinite(self.best["score"])

    @property
    def lrs(self) -> np.ndarray:
        """Learning rates of the candidates, in table order."""
        return np.array([row["lr"] for row in self.table])

    @property
    def scores(self) -> np.ndarray:
        """Scores of the candidates, in table order."""
        return np.array([row["score"] for row in self.table])

    def to_text(self, max_rows: int = 30) -> str:
        """The table sorted by score, as fixed-width text."""
        cols = ["rank", "lr"] + ([self.param] if self.param else []) + \
            ["score", "std", "train_loss", "diverged"]
        rows = sorted(self.table, key=lambda r: r["rank"])[:max_rows]
        lines = ["  ".join(f"{c:>11}" for c in cols)]
        for r in rows:
            lines.append("  ".join(f"{r[c]:>11.4g}" if isinstance(r[c], float) else
                                   f"{r[c]:>11}" for c in cols))
        return "\n".join(lines)

    def __repr__(self) -> str:
        extra = f", {self.param}={self.best[self.param]:.3g}" if self.param else ""
        if self.all_failed:
            head = (f"<SearchResult {len(self.table)} candidates ({self.validation}): no "
                    "finite score; search smaller learning rates>")
        else:
            head = (f"<SearchResult {len(self.table)} candidates ({self.validation}): best lr "
                    f"{self.best_lr:.3g}{extra}, score {self.best['score']:.4g}>")
        return head + "\n" + self.to_text()

    def plot(self, ax: Any = None) -> Any:
        """Validation score against learning rate (:func:`lrlab.plots.plot_search`)."""
        from ..plots.search import plot_search

        return plot_search(self, ax=ax)
