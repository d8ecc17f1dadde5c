r"""The learning-rate range test ("LR finder") and its suggestions.

Train for a few steps while the learning rate grows from tiny to huge, watch
the loss, and read a good rate off the curve. The idea is Smith's (2017): his
"LR range test" ramps the rate *linearly* over a few epochs and reads the
bounds of a cyclical schedule off the accuracy curve. The version everyone
runs today is fastai's ``lr_find`` (Howard & Gugger 2020; Gugger 2017): an
*exponential* sweep over one short run, the loss smoothed with a
bias-corrected moving average, a stop once it passes 4 times its best, and
a rule that reads one rate off the curve. lrlab's test is fastai's, run
through :func:`lrlab.train` (the one loop), so it works with every rule and
problem of lrlab::

    sweep  = exponential (or linear) schedule  lr_0 = start_lr ... lr_{n-1} = end_lr
    history = train(problem, make_rule(sweep), n)
    loss_i  = history.loss[i + 1]        # the loss *after* the step taken at lr_i
    smooth_i = bias-corrected exponential moving average of loss_0..loss_i
    stop when smooth_i > k * min(smooth_0..smooth_i)       (k = 4)

Five suggestions read the smoothed curve, fastai's four (:func:`suggest_minimum`,
:func:`suggest_steep`, :func:`suggest_valley`, :func:`suggest_slide`) and lrlab's
:func:`suggest_midpoint`; they live in :mod:`lrlab.finder.suggestions`.
:func:`suggestion_band` repeats the test over several seeds, because a single
test's suggestion moves from run to run; :func:`compare_with_grid` checks the
suggestions against a validation grid search, seed by seed. :func:`lrlab.plots.plot_range_test` (or
``result.plot()``) draws it all.

Differences from fastai's ``lr_find`` (documented, deliberate):

* the sweep ends exactly at ``end_lr`` (fastai's last rate is
  ``start * (end/start)^{(n-1)/n}``);
* each rate is paired with the loss its step produced; fastai and
  torch-lr-finder record the loss computed *before* that step (one step of
  lag);
* the stop rule works for negative losses (see :func:`lr_range_test`), where
  fastai's ``smooth > 4 * best`` stops at once.

Given the same recorded curve, the four fastai suggestions return what fastai
returns, also when the sweep ended on NaN or inf (fastai's window then ends at
the first NaN: :attr:`RangeTestResult.recorded`).

References
----------
Smith (2017), "Cyclical learning rates for training neural networks", WACV.
Gugger (2017), "How do you find a good learning rate" (blog post: the smoothing and the stop).
Howard & Gugger (2020), "Fastai: a layered API for deep learning", Information 11(2).
"""

from .range_test import Sweep, lr_range_test, suggestion_band
from .result import RangeTestResult, SuggestionBand
from .suggestions import (
    SUGGESTIONS,
    suggest,
    suggest_midpoint,
    suggest_minimum,
    suggest_slide,
    suggest_steep,
    suggest_valley,
    valley_index,
)
from .versus_grid import GridComparison, compare_with_grid, comparison_table

__all__ = [
    "SUGGESTIONS",
    "GridComparison",
    "RangeTestResult",
    "SuggestionBand",
    "Sweep",
    "compare_with_grid",
    "comparison_table",
    "lr_range_test",
    "suggest",
    "suggest_midpoint",
    "suggest_minimum",
    "suggest_slide",
    "suggest_steep",
    "suggest_valley",
    "suggestion_band",
    "valley_index",
]
