"""Self-checks for the lrlab coursework: instant, specific feedback without nbgrader.

Each ``check_*`` function takes the learner's function, runs it on fixed probe
inputs next to a reference implementation and a catalogue of known mistakes,
and returns a :class:`CheckResult` (truthy when the function is right). When
the function is wrong, the result names the likely mistake ("your Adagrad
divides by the sum of squared gradients, not its square root") or, failing
that, the first input where it differs ("expected ~x, got y"). Checks never
print reference code.

One module per assignment (or per part of one):

====================================  =========================================================
:mod:`lrlab.checks.gd`                1. GD step, stability limit 2/L, sharpness
:mod:`lrlab.checks.backtracking`      1. Armijo's backtracking (section 5)
:mod:`lrlab.checks.schedules`         2. step, exponential, cosine, warm-up, plateau
:mod:`lrlab.checks.adaptive`          3. Adagrad, RMSprop and Adam
:mod:`lrlab.checks.range_test`        4. the LR range test and one suggestion rule
:mod:`lrlab.checks.heavy_ball`        5. heavy-ball stability 2(1+beta)/L, Polyak's tuning
:mod:`lrlab.checks.noise_floor`       5. the noise floor of constant-rate SGD, measured
:mod:`lrlab.checks.diagnose`          6. diagnosing runs from their logs: labels, fixes
:mod:`lrlab.checks.log_figure`        6. a readable figure of a training log
:mod:`lrlab.checks.floor_detector`    6. has the loss stopped falling? (a detector)
:mod:`lrlab.checks.capstone`          7. capstone: summarize and choose a budget's runs, submit
====================================  =========================================================

Examples
--------
>>> from lrlab.checks import check_gd_step
>>> def gd_step(theta, grad, lr):
...     return theta - lr * grad
>>> check_gd_step(gd_step)
✔ gd_step: matches the reference on 3 probe inputs.
"""

from ._core import CheckResult, Mistake
from .adaptive import check_adagrad, check_adam, check_rmsprop
from .backtracking import check_backtracking_lr
from .capstone import check_choice, check_choose, check_submission, check_summarize
from .diagnose import check_fixes, check_labels
from .floor_detector import check_noise_floor_reached
from .gd import (
    check_find_stability_limit,
    check_gd_step,
    check_run_gd,
    check_sharpness,
    check_stability_limit,
)
from .heavy_ball import (
    check_companion_matrix,
    check_heavy_ball_factor,
    check_heavy_ball_limit,
    check_optimal_heavy_ball,
)
from .log_figure import check_plot_log
from .noise_floor import check_measure_floor, check_predicted_floor
from .range_test import check_lr_grid, check_range_test, check_smooth, check_suggest_lr
from .schedules import (
    check_cosine_schedule,
    check_exponential_schedule,
    check_plateau_rates,
    check_step_schedule,
    check_warmup_cosine,
)

__all__ = [
    "CheckResult",
    "Mistake",
    "check_adagrad",
    "check_adam",
    "check_backtracking_lr",
    "check_choice",
    "check_choose",
    "check_companion_matrix",
    "check_cosine_schedule",
    "check_exponential_schedule",
    "check_find_stability_limit",
    "check_fixes",
    "check_gd_step",
    "check_heavy_ball_factor",
    "check_heavy_ball_limit",
    "check_labels",
    "check_lr_grid",
    "check_measure_floor",
    "check_noise_floor_reached",
    "check_optimal_heavy_ball",
    "check_plateau_rates",
    "check_plot_log",
    "check_predicted_floor",
    "check_range_test",
    "check_rmsprop",
    "check_run_gd",
    "check_sharpness",
    "check_smooth",
    "check_stability_limit",
    "check_step_schedule",
    "check_submission",
    "check_suggest_lr",
    "check_summarize",
    "check_warmup_cosine",
]
