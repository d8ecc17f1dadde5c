"""Planted-bug submissions: realistic mistakes the autograder and the self-checks must catch.

Each :class:`PlantedBug` replaces one solution cell of a released notebook with
a plausible wrong answer. ``tests/test_coursework.py`` autogrades every one with
nbgrader and asserts that exactly the test cells in ``caught_by`` lose their
points; ``tests/test_checks.py`` runs the matching ``lrlab.checks`` function on
the buggy function and asserts that it names ``mistake``.

``caught_by`` lists every graded cell that fails: the cell testing the buggy
function, and the cells of later functions that call it (``run_gd`` calls
``gd_step``; ``warmup_cosine`` calls ``cosine_schedule``). ``hidden`` marks bugs
that only the hidden tests catch (the visible asserts pass).

``ROBUSTNESS`` lists submissions that test the grader rather than the
student: a renamed function (its tests fail with a ``NameError``, the rest is
graded), a notebook that prints 20,000 lines, a cell that raises at the top level.
Each lists the test cells that must lose points (possibly none).
"""

from __future__ import annotations

from typing import NamedTuple


class PlantedBug(NamedTuple):
    name: str          # submission id (used as the nbgrader student id)
    assignment: str    # nbgrader assignment
    cell: str          # grade_id of the solution cell it replaces
    code: str          # the wrong cell
    check: str | None  # lrlab.checks function for the same function (None: no check)
    mistake: str | None  # key the check must report
    caught_by: tuple   # grade_ids of the test cells that must lose points
    hidden: bool = False


A1, A2, A3, A4 = "01_constant_lr", "02_schedules", "03_adaptive", "04_range_test"

BUGS = [
    # ------------------------------------------------------------ assignment 1
    PlantedBug("gd-wrong-sign", A1, "gd_step", '''
def gd_step(theta, grad, lr):
    return theta + lr * grad
''', "check_gd_step", "wrong_sign",
        ("test_gd_step", "test_run_gd", "test_find_stability_limit")),
    PlantedBug("gd-in-place", A1, "gd_step", '''
def gd_step(theta, grad, lr):
    theta -= lr * grad
    return theta
''', "check_gd_step", "mutates_input", ("test_gd_step", "test_run_gd")),
    PlantedBug("run-gd-no-start", A1, "run_gd", '''
def run_gd(problem, lr, num_steps):
    theta = np.array(problem.x0, dtype=float)
    thetas = []
    for _ in range(num_steps):
        theta = gd_step(theta, problem.grad(theta), lr)
        thetas.append(theta)
    return np.array(thetas)
''', "check_run_gd", "no_start", ("test_run_gd",)),
    PlantedBug("limit-one-over-L", A1, "stability_limit", '''
def stability_limit(A):
    return 1.0 / np.linalg.eigvalsh(A)[-1]
''', "check_stability_limit", "one_over_L", ("test_stability_limit",)),
    PlantedBug("limit-diagonal", A1, "stability_limit", '''
def stability_limit(A):
    return 2.0 / np.max(np.diag(A))
''', "check_stability_limit", "diagonal", ("test_stability_limit",), hidden=True),
    PlantedBug("bisection-swapped", A1, "find_stability_limit", '''
def find_stability_limit(problem, low, high, num_steps=200, tol=1e-4):
    loss0 = problem.loss(problem.x0)
    while high - low > tol:
        mid = 0.5 * (low + high)
        if problem.loss(run_gd(problem, mid, num_steps)[-1]) < loss0:
            high = mid
        else:
            low = mid
    return 0.5 * (low + high)
''', "check_find_stability_limit", "swapped_branches", ("test_find_stability_limit",)),
    PlantedBug("bt-plain-decrease", A1, "backtracking_lr", '''
def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
    f0 = problem.loss(theta)
    grad = problem.grad(theta)
    lr = lr0

    for trial in range(1, max_backtracks + 2):
        if problem.loss(theta - lr * grad) < f0:
            return lr, trial
        lr *= shrink
    return 0.0, max_backtracks + 1
''', "check_backtracking_lr", "plain_decrease", ("test_backtracking_lr",), hidden=True),
    PlantedBug("bt-norm-not-squared", A1, "backtracking_lr", '''
def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
    f0 = problem.loss(theta)
    grad = problem.grad(theta)
    lr = lr0

    for trial in range(1, max_backtracks + 2):
        if problem.loss(theta - lr * grad) <= f0 - c * lr * np.linalg.norm(grad):
            return lr, trial
        lr *= shrink
    return 0.0, max_backtracks + 1
''', "check_backtracking_lr", "norm_not_squared", ("test_backtracking_lr",), hidden=True),
    PlantedBug("bt-extra-shrink", A1, "backtracking_lr", '''
def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
    f0 = problem.loss(theta)
    grad = problem.grad(theta)
    lr = lr0

    trials = 0
    while trials <= max_backtracks:
        trials += 1
        ok = problem.loss(theta - lr * grad) <= f0 - c * lr * grad @ grad
        lr *= shrink
        if ok:
            return lr, trials
    return 0.0, trials
''', "check_backtracking_lr", "extra_shrink", ("test_backtracking_lr",)),
    PlantedBug("bt-counts-shrinks", A1, "backtracking_lr", '''
def backtracking_lr(problem, theta, lr0=1.0, c=1e-4, shrink=0.5, max_backtracks=50):
    f0 = problem.loss(theta)
    grad = problem.grad(theta)
    lr = lr0

    for shrinks in range(max_backtracks + 1):
        if problem.loss(theta - lr * grad) <= f0 - c * lr * grad @ grad:
            return lr, shrinks
        lr *= shrink
    return 0.0, max_backtracks
''', "check_backtracking_lr", "counts_shrinks", ("test_backtracking_lr",)),
    PlantedBug("sharp-divides-by-h", A1, "sharpness", '''
def sharpness(problem, theta, h=1e-4):
    theta = np.asarray(theta, dtype=float)
    return float((problem.grad(theta + h) - problem.grad(theta - h))[0] / h)
''', "check_sharpness", "divides_by_h", ("test_sharpness",)),
    PlantedBug("sharp-one-sided", A1, "sharpness", '''
def sharpness(problem, theta, h=1e-4):
    theta = np.asarray(theta, dtype=float)
    return float((problem.grad(theta + h) - problem.grad(theta))[0] / h)
''', "check_sharpness", "one_sided", ("test_sharpness",), hidden=True),
    PlantedBug("sharp-first-derivative", A1, "sharpness", '''
def sharpness(problem, theta, h=1e-4):
    theta = np.asarray(theta, dtype=float)
    return float((problem.loss(theta + h) - problem.loss(theta - h)) / (2 * h))
''', "check_sharpness", "first_derivative", ("test_sharpness",)),
    # ------------------------------------------------------------ assignment 2
    PlantedBug("step-decays-early", A2, "step_schedule", '''
def step_schedule(t, lr0, step_size, gamma):
    return lr0 * gamma ** ((t + 1) // step_size)
''', "check_step_schedule", "decays_early", ("test_step_schedule",)),
    PlantedBug("exponential-off-by-one", A2, "exponential_schedule", '''
def exponential_schedule(t, lr0, gamma):
    return lr0 * gamma ** (t + 1)
''', "check_exponential_schedule", "decayed_at_start", ("test_exponential_schedule",)),
    PlantedBug("cosine-no-half", A2, "cosine_schedule", '''
def cosine_schedule(t, lr0, total_steps, final_lr=0.0):
    t = min(t, total_steps)
    return final_lr + (lr0 - final_lr) * (1 + math.cos(math.pi * t / total_steps))
''', "check_cosine_schedule", "no_half", ("test_cosine_schedule", "test_warmup_cosine")),
    PlantedBug("cosine-no-clamp", A2, "cosine_schedule", '''
def cosine_schedule(t, lr0, total_steps, final_lr=0.0):
    return final_lr + 0.5 * (lr0 - final_lr) * (1 + math.cos(math.pi * t / total_steps))
''', "check_cosine_schedule", "no_clamp", ("test_cosine_schedule", "test_warmup_cosine"),
        hidden=True),
    PlantedBug("warmup-from-zero", A2, "warmup_cosine", '''
def warmup_cosine(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return lr0 * t / warmup_steps
    return cosine_schedule(t - warmup_steps, lr0, total_steps - warmup_steps, final_lr)
''', "check_warmup_cosine", "starts_at_zero", ("test_warmup_cosine",)),
    PlantedBug("plateau-ge-patience", A2, "plateau_rates", '''
def plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4):
    lr, best, bad, rates = lr0, float("inf"), 0, []
    for loss in losses:
        if loss < best * (1 - threshold):
            best, bad = loss, 0
        else:
            bad += 1
        if bad >= patience:
            lr, bad = lr * factor, 0
        rates.append(lr)
    return rates
''', "check_plateau_rates", "ge_patience", ("test_plateau_rates",)),
    PlantedBug("plateau-no-reset", A2, "plateau_rates", '''
def plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4):
    lr, best, bad, rates = lr0, float("inf"), 0, []
    for loss in losses:
        if loss < best * (1 - threshold):
            best, bad = loss, 0
        else:
            bad += 1
        if bad > patience:
            lr = lr * factor
        rates.append(lr)
    return rates
''', "check_plateau_rates", "no_reset", ("test_plateau_rates",)),
    PlantedBug("plateau-vs-last", A2, "plateau_rates", '''
def plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4):
    lr, best, bad, rates = lr0, float("inf"), 0, []
    previous = float("inf")
    for loss in losses:
        if loss < previous * (1 - threshold):
            bad = 0
        else:
            bad += 1
        previous = loss
        if bad > patience:
            lr, bad = lr * factor, 0
        rates.append(lr)
    return rates
''', "check_plateau_rates", "vs_last", ("test_plateau_rates",), hidden=True),
    PlantedBug("plateau-abs-threshold", A2, "plateau_rates", '''
def plateau_rates(losses, lr0, factor=0.1, patience=10, threshold=1e-4):
    lr, best, bad, rates = lr0, float("inf"), 0, []
    for loss in losses:
        if loss < best - threshold:
            best, bad = loss, 0
        else:
            bad += 1
        if bad > patience:
            lr, bad = lr * factor, 0
        rates.append(lr)
    return rates
''', "check_plateau_rates", "abs_threshold", ("test_plateau_rates",), hidden=True),
    # ------------------------------------------------------------ assignment 3
    PlantedBug("adagrad-no-sqrt", A3, "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum = accum + grad**2
    return theta - lr * grad / (accum + eps), accum
''', "check_adagrad", "no_sqrt", ("test_adagrad",)),
    PlantedBug("adagrad-eps-inside", A3, "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum = accum + grad**2
    return theta - lr * grad / np.sqrt(accum + eps), accum
''', "check_adagrad", "eps_inside", ("test_adagrad",), hidden=True),
    PlantedBug("adagrad-accumulates-g", A3, "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum = accum + grad
    return theta - lr * grad / (np.sqrt(accum) + eps), accum
''', "check_adagrad", "accum_g", ("test_adagrad",)),
    PlantedBug("rmsprop-alpha-swapped", A3, "rmsprop_update", '''
def rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    sq_avg = (1 - alpha) * sq_avg + alpha * grad**2
    return theta - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg
''', "check_rmsprop", "alpha_swapped", ("test_rmsprop",)),
    PlantedBug("rmsprop-eps-inside", A3, "rmsprop_update", '''
def rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return theta - lr * grad / np.sqrt(sq_avg + eps), sq_avg
''', "check_rmsprop", "eps_inside", ("test_rmsprop",), hidden=True),
    PlantedBug("adam-no-bias-correction", A3, "adam_update", '''
def adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
''', "check_adam", "no_bias_correction", ("test_adam",)),
    PlantedBug("adam-only-first-correction", A3, "adam_update", '''
def adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v
''', "check_adam", "only_first_correction", ("test_adam",)),
    PlantedBug("adam-t-from-zero", A3, "adam_update", '''
def adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1 ** (t - 1))
    v_hat = v / (1 - beta2 ** (t - 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
''', "check_adam", "t_from_zero", ("test_adam",)),
    PlantedBug("adam-eps-inside", A3, "adam_update", '''
def adam_update(theta, grad, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
''', "check_adam", "eps_inside", ("test_adam",), hidden=True),
    # ------------------------------------------------------------ assignment 4
    PlantedBug("grid-linear", A4, "lr_grid", '''
def lr_grid(start_lr, end_lr, num_steps):
    return np.linspace(start_lr, end_lr, num_steps)
''', "check_lr_grid", "linear", ("test_lr_grid", "test_mlp_suggestion")),
    PlantedBug("smooth-no-bias-correction", A4, "smooth", '''
def smooth(losses, beta=0.98):
    out, avg = [], 0.0
    for loss in losses:
        avg = beta * avg + (1 - beta) * loss
        out.append(avg)
    return np.array(out)
''', "check_smooth", "no_bias_correction", ("test_smooth",)),
    PlantedBug("range-test-no-stop", A4, "range_test", '''
def range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0):
    rng = np.random.default_rng(seed)
    theta = np.array(problem.x0, dtype=float)
    losses = []
    for lr in lrs:
        loss, grad = problem.loss_and_grad(theta, problem.sample_batch(rng, batch_size))
        losses.append(float(loss))
        theta = theta - lr * grad
    return np.array(losses)
''', "check_range_test", "no_stop", ("test_range_test",)),
    PlantedBug("suggest-steepest-ascent", A4, "suggest_lr", '''
def suggest_lr(lrs, smoothed):
    slopes = np.diff(smoothed) / np.diff(np.log(lrs))
    return float(lrs[np.argmax(slopes)])
''', "check_suggest_lr", "steepest_ascent", ("test_suggest_lr", "test_mlp_suggestion")),
    PlantedBug("suggest-min-loss", A4, "suggest_lr", '''
def suggest_lr(lrs, smoothed):
    return float(lrs[np.argmin(smoothed)])
''', "check_suggest_lr", "min_loss", ("test_suggest_lr", "test_mlp_suggestion")),
    # ------------------------------------------------- added in the coursework review
    PlantedBug("bisection-finite-test", A1, "find_stability_limit", '''
def find_stability_limit(problem, low, high, num_steps=200, tol=1e-4):
    while high - low > tol:
        mid = 0.5 * (low + high)
        if np.isfinite(problem.loss(run_gd(problem, mid, num_steps)[-1])):
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)
''', "check_find_stability_limit", "finite_test", ("test_find_stability_limit",)),
    PlantedBug("run-gd-list", A1, "run_gd", '''
def run_gd(problem, lr, num_steps):
    thetas = [np.array(problem.x0, dtype=float)]
    for _ in range(num_steps):
        thetas.append(gd_step(thetas[-1], problem.grad(thetas[-1]), lr))
    return thetas
''', "check_run_gd", "not_array", ("test_run_gd",)),
    PlantedBug("warmup-peaks-early", A2, "warmup_cosine", '''
def warmup_cosine(t, lr0, warmup_steps, total_steps, final_lr=0.0):
    if t < warmup_steps:
        return lr0 * (t + 1) / warmup_steps
    return cosine_schedule(t - warmup_steps, lr0, total_steps - warmup_steps, final_lr)
''', "check_warmup_cosine", "peaks_early", ("test_warmup_cosine",)),
    PlantedBug("adagrad-theta-first", A3, "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    theta = theta - lr * grad / (np.sqrt(accum) + eps)
    accum = accum + grad**2
    return theta, accum
''', "check_adagrad", "stale", ("test_adagrad",)),
    PlantedBug("adagrad-in-place", A3, "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum += grad**2
    return theta - lr * grad / (np.sqrt(accum) + eps), accum
''', "check_adagrad", "mutates_input", ("test_adagrad",)),
    PlantedBug("rmsprop-eps-ignored", A3, "rmsprop_update", '''
def rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return theta - lr * grad / (np.sqrt(sq_avg) + 1e-8), sq_avg
''', "check_rmsprop", "eps_ignored", ("test_rmsprop",), hidden=True),
    PlantedBug("range-test-rng-reset", A4, "range_test", '''
def range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0):
    theta = np.array(problem.x0, dtype=float)
    losses, avg, best = [], 0.0, np.inf
    for i, lr in enumerate(lrs):
        rng = np.random.default_rng(seed)
        loss, grad = problem.loss_and_grad(theta, problem.sample_batch(rng, batch_size))
        losses.append(float(loss))
        avg = beta * avg + (1 - beta) * loss
        smoothed = avg / (1 - beta ** (i + 1))
        if not np.isfinite(smoothed) or smoothed > stop_factor * best:
            break
        best = min(best, smoothed)
        theta = theta - lr * grad
    return np.array(losses)
''', "check_range_test", "rng_reset", ("test_range_test",), hidden=True),
    PlantedBug("suggest-returns-index", A4, "suggest_lr", '''
def suggest_lr(lrs, smoothed):
    return int(np.argmin(np.diff(smoothed) / np.diff(np.log(lrs))))
''', "check_suggest_lr", "returns_index", ("test_suggest_lr", "test_mlp_suggestion")),
    PlantedBug("suggest-slope-vs-index", A4, "suggest_lr", '''
def suggest_lr(lrs, smoothed):
    return float(lrs[np.argmin(np.diff(smoothed))])
''', "check_suggest_lr", "slope_vs_index", ("test_suggest_lr",), hidden=True),
]

ROBUSTNESS = [
    # A renamed function: its test cells, and the later ones that call it, fail with a
    # NameError; the grader still runs and scores the rest of the notebook.
    PlantedBug("renamed-gd-step", A1, "gd_step", '''
def gradient_step(theta, grad, lr):
    return theta - lr * grad
''', None, None, ("test_gd_step", "test_run_gd", "test_find_stability_limit")),
    # A correct but chatty submission (20,000 lines): full marks; nbgrader keeps the first
    # 999 lines of the output and notes "Output truncated".
    PlantedBug("prints-a-lot", A2, "step_schedule", '''
for i in range(20_000):
    print(f"debug line {i}: the rate at this step is being computed, please wait")

def step_schedule(t, lr0, step_size, gamma):
    return lr0 * gamma ** (t // step_size)
''', None, None, ()),
    # A cell that raises at the top level after defining a correct function: the error is
    # recorded in that cell; every test still runs and passes.
    PlantedBug("cell-raises", A3, "rmsprop_update", '''
def rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
    sq_avg = alpha * sq_avg + (1 - alpha) * grad**2
    return theta - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg

rmsprop_update(np.ones(2), np.ones(3), np.zeros(2), 0.1)   # a leftover experiment
''', None, None, ()),
]
