"""Tests of the coursework self-checks (lrlab.checks).

* the reference solutions of the course pass every check;
* every planted bug of coursework/planted_bugs.py is diagnosed as its own mistake;
* every entry of every mistake catalogue is diagnosed as itself (the probes tell
  the known mistakes apart);
* unknown errors fall back to "differs from the reference at ...";
* not-implemented, crashing, in-place and wrongly shaped functions get their own messages;
* messages never contain reference code;
* the private references agree with lrlab's own rules and schedules.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
from catalogue_support import assert_catalogue_is_distinguishable

import lrlab
from lrlab import checks
from lrlab.checks import adaptive, backtracking, gd, range_test, schedules

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"


def _load_bugs():
    spec = importlib.util.spec_from_file_location("planted_bugs", COURSE / "planted_bugs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BUGS


BUGS = _load_bugs()

# check name -> (function it checks, solution cell / assignment)
CHECKED = {
    "check_gd_step": ("gd_step", "01_constant_lr"),
    "check_run_gd": ("run_gd", "01_constant_lr"),
    "check_stability_limit": ("stability_limit", "01_constant_lr"),
    "check_find_stability_limit": ("find_stability_limit", "01_constant_lr"),
    "check_backtracking_lr": ("backtracking_lr", "01_constant_lr"),
    "check_sharpness": ("sharpness", "01_constant_lr"),
    "check_step_schedule": ("step_schedule", "02_schedules"),
    "check_exponential_schedule": ("exponential_schedule", "02_schedules"),
    "check_cosine_schedule": ("cosine_schedule", "02_schedules"),
    "check_warmup_cosine": ("warmup_cosine", "02_schedules"),
    "check_plateau_rates": ("plateau_rates", "02_schedules"),
    "check_adagrad": ("adagrad_update", "03_adaptive"),
    "check_rmsprop": ("rmsprop_update", "03_adaptive"),
    "check_adam": ("adam_update", "03_adaptive"),
    "check_lr_grid": ("lr_grid", "04_range_test"),
    "check_smooth": ("smooth", "04_range_test"),
    "check_range_test": ("range_test", "04_range_test"),
    "check_suggest_lr": ("suggest_lr", "04_range_test"),
}

# check -> (catalogue of mistakes, reference)
CATALOGUES = {
    "check_gd_step": (gd._GD_MISTAKES, gd._gd_ref),
    "check_run_gd": (gd._RUN_MISTAKES, gd._run_ref),
    "check_stability_limit": (gd._LIMIT_MISTAKES, gd._limit_ref),
    "check_find_stability_limit": (gd._FIND_MISTAKES, gd._bisect),
    "check_backtracking_lr": (backtracking._BT_MISTAKES, backtracking._bt_ref),
    "check_sharpness": (gd._SHARP_MISTAKES, gd._sharp_ref),
    "check_step_schedule": (schedules._STEP_MISTAKES, schedules._step_ref),
    "check_exponential_schedule": (schedules._EXP_MISTAKES, schedules._exp_ref),
    "check_cosine_schedule": (schedules._COS_MISTAKES, schedules._cos_ref),
    "check_warmup_cosine": (schedules._WARM_MISTAKES, schedules._warm_ref),
    "check_plateau_rates": (schedules._PLATEAU_MISTAKES, schedules._plateau_variant("ref")),
    "check_adagrad": (adaptive._ADAGRAD_MISTAKES, adaptive._ada_variant("ref")),
    "check_rmsprop": (adaptive._RMSPROP_MISTAKES, adaptive._rms_variant("ref")),
    "check_adam": (adaptive._ADAM_MISTAKES, adaptive._adam_variant("ref")),
    "check_lr_grid": (range_test._GRID_MISTAKES, range_test._grid_ref),
    "check_smooth": (range_test._SMOOTH_MISTAKES, range_test._smooth_variant("ref")),
    "check_range_test": (range_test._RANGE_MISTAKES, range_test._range_variant("ref")),
    "check_suggest_lr": (range_test._SUGGEST_MISTAKES, range_test._suggest_ref),
}


def solution_namespace(assignment: str) -> dict:
    """Execute the solution cells of a source notebook; return their namespace."""
    nb = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    namespace = {"np": np, "math": math, "lrlab": lrlab}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


@pytest.mark.parametrize("check_name", sorted(CHECKED))
def test_solutions_pass(check_name):
    fn_name, assignment = CHECKED[check_name]
    result = getattr(checks, check_name)(solution_namespace(assignment)[fn_name])
    assert result.passed, result
    assert result.mistake is None
    assert str(result).startswith("✔")


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_planted_bug_is_named(bug):
    namespace = solution_namespace(bug.assignment)
    exec(bug.code, namespace)
    fn_name, _ = CHECKED[bug.check]
    assert fn_name == bug.cell
    result = getattr(checks, bug.check)(namespace[fn_name])
    assert not result.passed
    assert result.mistake == bug.mistake, result
    assert str(result).startswith("✘")


def test_every_assignment_has_three_planted_bugs():
    per_assignment = {}
    for bug in BUGS:
        per_assignment.setdefault(bug.assignment, set()).add(bug.mistake)
    assert sorted(per_assignment) == ["01_constant_lr", "02_schedules", "03_adaptive",
                                      "04_range_test"]
    assert all(len(mistakes) >= 3 for mistakes in per_assignment.values()), per_assignment


@pytest.mark.parametrize("check_name", sorted(CATALOGUES))
def test_catalogue_mistakes_are_distinguishable(check_name):
    mistakes, reference = CATALOGUES[check_name]
    assert_catalogue_is_distinguishable(getattr(checks, check_name), mistakes, reference)


def _solution_lines() -> set[str]:
    """Every non-trivial line of code between BEGIN/END SOLUTION in the course."""
    lines = set()
    for path in sorted((COURSE / "source").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            inside = False
            for line in cell.source.splitlines():
                if "### BEGIN SOLUTION" in line:
                    inside = True
                elif "### END SOLUTION" in line:
                    inside = False
                elif inside and cell.cell_type == "code" and len(line.strip()) >= 10:
                    lines.add(line.strip())
    return lines


SOLUTION_LINES = _solution_lines()


@pytest.mark.parametrize("check_name", sorted(CATALOGUES))
def test_messages_show_no_solution_code(check_name):
    assert len(SOLUTION_LINES) > 20
    mistakes, _ = CATALOGUES[check_name]
    fn_name, assignment = CHECKED[check_name]
    check = getattr(checks, check_name)
    messages = [m.message for m in mistakes]
    messages.append(check(solution_namespace(assignment)[fn_name]).message)
    messages.append(check(lambda *args, **kwargs: 0.0).message)   # generic fallback
    for message in messages:
        for line in SOLUTION_LINES:
            assert line not in message, (line, message)


# ------------------------------------------------------------------ fallbacks
def test_unknown_mistake_reports_first_difference():
    def step_schedule(t, lr0, step_size, gamma):
        return lr0 * gamma ** (t // step_size) if t < 6 else 0.0
    result = checks.check_step_schedule(step_schedule)
    assert result.mistake == "mismatch"
    assert result.message == ("differs from the reference at t=6 (lr0=0.1, step_size=3, "
                              "gamma=0.5): expected ~0.025, got 0.")


def test_generic_difference_in_a_rollout_names_the_step():
    def adagrad_update(theta, grad, accum, lr, eps=1e-10):
        accum = accum + grad**2
        theta = theta - lr * grad / (np.sqrt(accum) + eps)
        return (theta * 1.01 if accum[0] > 5 else theta), accum
    result = checks.check_adagrad(adagrad_update)
    assert result.mistake == "mismatch"
    assert result.message.startswith("differs from the reference at step 2 (lr=0.1): theta")


def test_not_implemented():
    def gd_step(theta, grad, lr):
        # YOUR CODE HERE
        raise NotImplementedError()
    result = checks.check_gd_step(gd_step)
    assert not result
    assert result.mistake == "not_implemented"
    assert "NotImplementedError" in result.message


def test_crash_is_reported_with_its_type():
    def smooth(losses, beta=0.98):
        return losses[0] / undefined_name  # noqa: F821
    result = checks.check_smooth(smooth)
    assert result.mistake == "error"
    assert result.message == "calling your function raised NameError: name 'undefined_name' " \
                             "is not defined"


def test_wrong_shape():
    def lr_grid(start_lr, end_lr, num_steps):
        return np.geomspace(start_lr, end_lr, num_steps)[:, None]
    result = checks.check_lr_grid(lr_grid)
    assert result.mistake == "wrong_shape"
    assert "expected an array of shape (11,), got an array of shape (11, 1)" in result.message


def test_not_a_function():
    result = checks.check_gd_step(0.5)
    assert result.mistake == "error"
    assert "expected a function, got float" in result.message


def test_in_place_update_of_the_state_is_caught():
    def rmsprop_update(theta, grad, sq_avg, lr, alpha=0.99, eps=1e-8):
        sq_avg *= alpha
        sq_avg += (1 - alpha) * grad**2
        return theta - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg
    result = checks.check_rmsprop(rmsprop_update)
    assert result.mistake == "mutates_input"
    assert "`sq_avg`" in result.message


def test_runtime_warnings_of_student_code_do_not_escape():
    def adagrad_update(theta, grad, accum, lr, eps=1e-10):
        accum = accum + grad
        return theta - lr * grad / (np.sqrt(accum) + eps), accum
    assert checks.check_adagrad(adagrad_update).mistake == "accum_g"  # sqrt of negatives


def test_result_is_truthy_and_printable():
    result = checks.check_exponential_schedule(lambda t, lr0, gamma: lr0 * gamma**t)
    assert result and result.passed
    assert repr(result) == "✔ exponential_schedule: matches the reference on 2 probe inputs."


# ------------------------------------------------ references agree with lrlab
def _rollout_rule(rule, grads, theta):
    state = rule.init(theta)
    out = []
    for t, g in enumerate(grads):
        step, state = rule.update(g, state, theta, t=t)
        theta = theta + step
        out.append(theta)
    return np.array(out)


@pytest.mark.parametrize("eps", [1e-10, 0.5])
def test_adagrad_reference_is_lrlab_adagrad(eps):
    grads = adaptive._GRADS
    theta0 = np.array([1.0, -2.0, 0.5])
    expected = _rollout_rule(lrlab.rules.adagrad(0.3, eps=eps), grads, theta0)
    theta, accum = theta0, np.zeros(3)
    for k, g in enumerate(grads):
        theta, accum = adaptive._ada_variant("ref")(theta, g, accum, 0.3, eps)
        np.testing.assert_allclose(theta, expected[k], rtol=1e-12)


@pytest.mark.parametrize(("alpha", "eps"), [(0.99, 1e-8), (0.8, 0.5)])
def test_rmsprop_reference_is_lrlab_rmsprop(alpha, eps):
    grads = adaptive._GRADS
    theta0 = np.array([1.0, -2.0, 0.5])
    expected = _rollout_rule(lrlab.rules.rmsprop(0.05, alpha=alpha, eps=eps), grads, theta0)
    theta, avg = theta0, np.zeros(3)
    for k, g in enumerate(grads):
        theta, avg = adaptive._rms_variant("ref")(theta, g, avg, 0.05, alpha, eps)
        np.testing.assert_allclose(theta, expected[k], rtol=1e-12)


def test_schedule_references_are_lrlab_schedules():
    for t in range(40):
        assert math.isclose(schedules._step_ref(t, 0.3, 7, 0.5),
                            lrlab.schedules.step(0.3, 7, gamma=0.5)(t))
        assert math.isclose(schedules._exp_ref(t, 0.3, 0.9),
                            lrlab.schedules.exponential(0.3, 0.9)(t))
        assert math.isclose(schedules._cos_ref(t, 0.3, 25, 0.01),
                            lrlab.schedules.cosine(0.3, 25, final_lr=0.01)(t))


def test_stability_reference_matches_two_over_L():
    problem = gd._Bowl(np.diag([1.0, 10.0]), [1.0, 1.0])
    assert abs(gd._bisect(problem, 0.0, 1.0) - 0.2) < 1e-3
    bowl = lrlab.surfaces.quadratic([1.0, 10.0])
    assert math.isclose(gd._limit_ref(np.diag([1.0, 10.0])), 2 / bowl.smoothness)


def test_range_test_reference_on_an_lrlab_problem():
    """The reference range test runs on lrlab problems (sample_batch/loss_and_grad)."""
    bowl = lrlab.surfaces.quadratic([1.0, 4.0], x0=[1.0, 1.0])
    lrs = range_test._grid_ref(1e-3, 10.0, 30)
    with np.errstate(all="ignore"):
        losses = range_test._range(bowl, lrs)
    assert math.isclose(losses[0], bowl.loss(bowl.x0))
    assert 5 < len(losses) < 30
    assert losses[-1] > 4 * losses.min()


# ------------------------------------------- more student answers (coursework review)
def _student(code: str, assignment: str, name: str):
    """The named function after running the course's solutions, then ``code``."""
    namespace = solution_namespace(assignment)
    exec(code, namespace)
    return namespace[name]


# (id, assignment, function, code, expected mistake key or None for "passes")
STUDENTS = [
    ("gd-extra-optional-argument", "01_constant_lr", "gd_step", '''
def gd_step(theta, grad, lr, momentum=0.0):
    return theta - lr * grad
''', None),
    ("gd-copy-then-in-place", "01_constant_lr", "gd_step", '''
def gd_step(theta, grad, lr):
    theta = theta.astype(float)
    theta -= lr * grad
    return theta
''', None),
    ("gd-returns-list", "01_constant_lr", "gd_step", '''
def gd_step(theta, grad, lr):
    return [t - lr * g for t, g in zip(theta, grad)]
''', "not_array"),
    ("run-gd-aliases-x0", "01_constant_lr", "run_gd", '''
def run_gd(problem, lr, num_steps):
    theta = problem.x0
    thetas = [theta.copy()]
    for _ in range(num_steps):
        theta -= lr * problem.grad(theta)
        thetas.append(theta.copy())
    return np.array(thetas)
''', "mutates_input"),
    ("bisection-returns-last-stable", "01_constant_lr", "find_stability_limit", '''
def find_stability_limit(problem, low, high, num_steps=200, tol=1e-4):
    loss0 = problem.loss(problem.x0)
    while high - low > tol:
        mid = 0.5 * (low + high)
        if problem.loss(run_gd(problem, mid, num_steps)[-1]) < loss0:
            low = mid
        else:
            high = mid
    return low
''', None),
    ("bisection-returns-first-unstable", "01_constant_lr", "find_stability_limit", '''
def find_stability_limit(problem, low, high, num_steps=200, tol=1e-4):
    loss0 = problem.loss(problem.x0)
    while high - low > tol:
        mid = 0.5 * (low + high)
        if problem.loss(run_gd(problem, mid, num_steps)[-1]) < loss0:
            low = mid
        else:
            high = mid
    return high
''', None),
    ("step-rounds", "02_schedules", "step_schedule", '''
def step_schedule(t, lr0, step_size, gamma):
    return lr0 * gamma ** round(t / step_size)
''', "mismatch"),
    ("step-floor-of-true-division", "02_schedules", "step_schedule", '''
def step_schedule(t, lr0, step_size, gamma):
    return lr0 * gamma ** math.floor(np.int64(t) / step_size)
''', None),
    ("warmup-renamed-parameters", "02_schedules", "warmup_cosine", '''
def warmup_cosine(step, lr0, warmup, total, final_lr=0.0):
    if step < warmup:
        return lr0 * (step + 1) / (warmup + 1)
    return cosine_schedule(step - warmup, lr0, total - warmup, final_lr)
''', "error"),
    ("adagrad-global-rate", "03_adaptive", "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum = accum + grad**2
    return theta - lr * grad / (np.sqrt(np.sum(accum)) + eps), accum
''', "global"),
    ("adagrad-returns-list-pair", "03_adaptive", "adagrad_update", '''
def adagrad_update(theta, grad, accum, lr, eps=1e-10):
    accum = accum + grad**2
    return [theta - lr * grad / (np.sqrt(accum) + eps), accum]
''', None),
    ("smooth-returns-list", "04_range_test", "smooth", '''
def smooth(losses, beta=0.98):
    out, avg = [], 0.0
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta ** (i + 1)))
    return out
''', "not_array"),
    ("range-test-stops-before-recording", "04_range_test", "range_test", '''
def range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0):
    rng = np.random.default_rng(seed)
    theta = np.array(problem.x0, dtype=float)
    losses, avg, best = [], 0.0, np.inf
    for i, lr in enumerate(lrs):
        loss, grad = problem.loss_and_grad(theta, problem.sample_batch(rng, batch_size))
        avg = beta * avg + (1 - beta) * loss
        smoothed = avg / (1 - beta ** (i + 1))
        if not np.isfinite(smoothed) or smoothed > stop_factor * best:
            break
        losses.append(float(loss))
        best = min(best, smoothed)
        theta = theta - lr * grad
    return np.array(losses)
''', "stop_unrecorded"),
    ("range-test-aliases-x0", "04_range_test", "range_test", '''
def range_test(problem, lrs, batch_size=None, seed=0, beta=0.98, stop_factor=4.0):
    rng = np.random.default_rng(seed)
    theta = problem.x0
    losses, avg, best = [], 0.0, np.inf
    for i, lr in enumerate(lrs):
        loss, grad = problem.loss_and_grad(theta, problem.sample_batch(rng, batch_size))
        losses.append(float(loss))
        avg = beta * avg + (1 - beta) * loss
        smoothed = avg / (1 - beta ** (i + 1))
        if not np.isfinite(smoothed) or smoothed > stop_factor * best:
            break
        best = min(best, smoothed)
        theta -= lr * grad
    return np.array(losses)
''', "mutates_input"),
]


@pytest.mark.parametrize(("assignment", "name", "code", "expected"),
                         [s[1:] for s in STUDENTS], ids=[s[0] for s in STUDENTS])
def test_more_student_answers(assignment, name, code, expected):
    check = next(c for c, (fn, _) in CHECKED.items() if fn == name)
    result = getattr(checks, check)(_student(code, assignment, name))
    assert result.mistake == expected, str(result)
    assert bool(result) == (expected is None)


def test_messages_of_the_review_cases_are_specific():
    def message(student_id):
        _, assignment, name, code, _ = next(s for s in STUDENTS if s[0] == student_id)
        check = next(c for c, (fn, _) in CHECKED.items() if fn == name)
        return getattr(checks, check)(_student(code, assignment, name)).message

    assert message("step-rounds") == ("differs from the reference at t=2 (lr0=0.1, "
                                      "step_size=3, gamma=0.5): expected ~0.1, got 0.05.")
    assert "unexpected keyword argument 'warmup_steps'" in message("warmup-renamed-parameters")
    assert "Keep the `def warmup_cosine(...)` line as given" in message(
        "warmup-renamed-parameters")
    assert "returns a list, not a numpy array" in message("smooth-returns-list")
    for case in ["run-gd-aliases-x0", "range-test-aliases-x0"]:
        assert "`theta = problem.x0` does not copy" in message(case)


def test_numpy_integer_arguments_are_fine():
    """Learners' code sees numpy integers too (a loop over np.arange); the references cope."""
    result = checks.check_step_schedule(
        lambda t, lr0, step_size, gamma: schedules._step_ref(np.int64(t), lr0, np.int64(step_size),
                                                             gamma))
    assert result.passed, result
    assert checks.check_lr_grid(lambda a, b, n: range_test._grid_ref(a, b, np.int64(n))).passed


def test_an_infinite_expectation_is_met_only_by_the_same_infinity():
    from lrlab.checks._core import _close

    assert _close(np.inf, np.inf, 1e-6) and _close(-np.inf, -np.inf, 1e-6)
    assert not _close(5.0, np.inf, 1e-6)        # rtol * inf accepted any finite value before
    assert not _close(-np.inf, np.inf, 1e-6)
    assert not _close(np.array([1.0, 2.0]), np.array([1.0, np.inf]), 1e-2)
