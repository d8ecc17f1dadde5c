"""Self-checks never pass a wrong answer, never hang and never flood the notebook
(lrlab/checks/_guard.py and its use in lrlab/checks/_core.py).

Every "student" here is the private reference of a check, bent in one way: it
forgets ``return``, returns a complex number, a string or an extra axis, loops
forever, mutates the probe problem, exits, or prints megabytes. Each case was
passed (or hung, or leaked) by the checks before they judged the *form* of every
return against the reference's.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from lrlab import checks
from lrlab.checks import _core, adaptive, gd, range_test, schedules
from lrlab.checks._guard import CappedOutput, form_error

#: check -> the correct function, with the learner's signature.
REFERENCES = {
    "check_gd_step": gd._gd_ref,
    "check_run_gd": gd._run_ref,
    "check_stability_limit": gd._limit_ref,
    "check_find_stability_limit": gd._bisect,
    "check_step_schedule": schedules._step_ref,
    "check_exponential_schedule": schedules._exp_ref,
    "check_cosine_schedule": schedules._cos_ref,
    "check_warmup_cosine": schedules._warm_ref,
    "check_adagrad": adaptive._ada_variant("ref"),
    "check_rmsprop": adaptive._rms_variant("ref"),
    "check_lr_grid": range_test._grid_ref,
    "check_smooth": range_test._smooth_variant("ref"),
    "check_range_test": range_test._range_variant("ref"),
    "check_suggest_lr": range_test._suggest_ref,
}
CHECKS = sorted(REFERENCES)


def run(check_name, fn):
    return getattr(checks, check_name)(fn)


def bent(check_name, change):
    """The reference of ``check_name`` with ``change`` applied to what it returns."""
    reference = REFERENCES[check_name]

    def student(*args, **kwargs):
        out = reference(*args, **kwargs)
        if isinstance(out, tuple):
            return tuple(change(v) for v in out)
        return change(out)
    return student


def test_the_references_pass():
    for name in CHECKS:
        assert run(name, REFERENCES[name]).passed, name


@pytest.mark.parametrize("check_name", CHECKS)
def test_a_forgotten_return_is_named(check_name):
    def student(*args, **kwargs):
        REFERENCES[check_name](*args, **kwargs)  # computes the answer, returns None

    result = run(check_name, student)
    assert not result.passed
    assert result.mistake == "returned_none"
    assert "returned None - did you forget `return`?" in result.message
    assert "nan" not in result.message


@pytest.mark.parametrize("check_name", CHECKS)
def test_a_complex_answer_never_passes(check_name):
    result = run(check_name, bent(check_name, lambda v: v + 1j))
    assert not result.passed
    assert result.mistake == "wrong_type"
    assert "complex" in result.message


@pytest.mark.parametrize("check_name", CHECKS)
def test_a_string_answer_never_passes(check_name):
    result = run(check_name, bent(check_name, str))
    assert not result.passed
    assert result.mistake == "wrong_type"
    assert "got a str" in result.message


@pytest.mark.parametrize("check_name", ["check_smooth", "check_range_test", "check_lr_grid"])
def test_an_extra_leading_axis_never_passes(check_name):
    result = run(check_name, bent(check_name, lambda v: np.asarray(v)[None, :]))
    assert not result.passed
    assert result.mistake == "wrong_shape"
    assert "expected an array of shape (" in result.message
    assert "got an array of shape (1, " in result.message


def test_a_bool_or_a_list_is_not_a_number():
    assert run("check_stability_limit", bent("check_stability_limit", lambda v: True)).mistake \
        == "wrong_type"
    assert "expected a real number" in form_error("0.4", 0.4)
    assert form_error(np.float64(0.4), 0.4) is None
    assert form_error(3, 0.4) is None  # an int is a real number
    assert "complex array" in form_error(np.ones(3, complex), np.ones(3))


@pytest.mark.parametrize("check_name", CHECKS)
def test_an_infinite_loop_is_stopped_and_reported(check_name, monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.3)

    def student(*args, **kwargs):
        while True:
            try:
                pass
            except Exception:  # a learner's blanket except must not swallow the stop
                pass

    result = run(check_name, student)
    assert not result.passed
    assert result.mistake == "timeout"
    assert "still running after 0.3 s" in result.message


def test_the_time_limit_leaves_no_alarm_behind(monkeypatch):
    import signal

    monkeypatch.setattr(_core, "TIME_LIMIT_S", 0.3)
    handler = signal.getsignal(signal.SIGALRM)
    before = signal.getitimer(signal.ITIMER_REAL)[0]  # pytest-timeout may run one
    run("check_gd_step", REFERENCES["check_gd_step"])
    assert signal.getsignal(signal.SIGALRM) is handler
    after = signal.getitimer(signal.ITIMER_REAL)[0]
    assert (after == 0.0) if before == 0.0 else (0.0 < after <= before)


def test_a_mutated_probe_problem_does_not_outlive_the_call():
    def scaling_student(problem, lr, num_steps):
        problem.A *= 100  # changes the problem it was given
        return gd._run_ref(problem, lr, num_steps)

    def aliasing_student(problem, lr, num_steps):
        theta = problem.x0
        theta -= 1.0  # overwrites problem.x0 ...
        raise ValueError("... and then fails")

    def scaling_range_test(problem, *args, **kwargs):
        problem.h *= 100
        return range_test._range_variant("ref")(problem, *args, **kwargs)

    assert not run("check_run_gd", scaling_student).passed
    assert not run("check_run_gd", aliasing_student).passed
    assert not run("check_range_test", scaling_range_test).passed
    # the next student, with a right answer, is judged on the original problems
    assert run("check_run_gd", gd._run_ref).passed
    assert run("check_range_test", REFERENCES["check_range_test"]).passed
    assert run("check_find_stability_limit", gd._bisect).passed


def test_long_arrays_show_the_first_differing_entries():
    def student(start_lr, end_lr, num_steps):
        grid = range_test._grid_ref(start_lr, end_lr, num_steps)
        grid[3] *= 1.5
        return grid

    result = run("check_lr_grid", student)
    assert result.mistake == "mismatch"
    assert "1 of 11 entries" in result.message
    assert "[3] expected ~" in result.message
    assert "got an array of shape (11,)" not in result.message


def test_the_signature_hint_is_only_for_a_signature_mismatch():
    def wrong_signature(theta, grad):  # lr is missing
        return theta - grad

    def type_error_inside(theta, grad, lr):
        return theta - float(None) * grad  # TypeError: float() argument must be ...

    hint = "Keep the `def gd_step(...)` line as given"
    assert hint in run("check_gd_step", wrong_signature).message
    inside = run("check_gd_step", type_error_inside)
    assert inside.mistake == "error" and "TypeError" in inside.message
    assert hint not in inside.message


def test_sys_exit_is_reported_not_raised():
    def student(theta, grad, lr):
        sys.exit("bye")

    result = run("check_gd_step", student)
    assert not result.passed
    assert "sys.exit()" in result.message


def test_a_flood_of_printing_is_capped(capsys):
    def student(theta, grad, lr):
        for i in range(20_000):
            print("debug line", i)
        return gd._gd_ref(theta, grad, lr)

    result = run("check_gd_step", student)
    assert result.passed
    out = capsys.readouterr().out
    assert out.count("\n") <= 60
    assert "debug line 0\n" in out and "debug line 19999" in out.splitlines()[-1] + "\n"
    assert "more lines printed by your function, not shown" in out


def test_capped_output_keeps_short_output_whole_and_cuts_long_lines():
    stream = CappedOutput(head=3, tail=2, max_line=10)
    stream.write("a\nb\n")
    assert stream.text() == "a\nb\n"
    stream = CappedOutput(head=2, tail=1, max_line=5)
    stream.write("x" * 12 + "\n1\n2\n3\n4\n")
    text = stream.text().splitlines()
    assert text[0] == "xxxxx ... (7 more characters)"
    assert text[2] == "... (2 more lines printed by your function, not shown)"
    assert text[-1] == "4"
