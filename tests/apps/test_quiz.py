"""Check-yourself questions: validated when built, never silently wrong when checked."""

from __future__ import annotations

import pytest

from lrlab import widgets as lw


def answer(q, value):
    q.choice.value = value
    q.check.click()
    return q.correct


def test_multiple_choice_right_wrong_and_the_answer_shown():
    q = lw.quiz("Which diverges?", "1.1", options=["0.5", "1.1"], explanation="2/L = 1.")
    assert q.check.disabled and "pick an option" in q.check.tooltip
    assert answer(q, "0.5") is False
    assert "Not quite." in q.feedback.value and "“1.1”" in q.feedback.value
    assert "2/L = 1." in q.feedback.value
    assert answer(q, "1.1") is True and "Right." in q.feedback.value
    q.close()


def test_a_string_answer_of_a_number_is_that_number_and_wrong_answers_say_so():
    """Issue 17: answer="0.5" without options left a stale "Right." after a wrong try
    (formatting the answer raised, the exception went to the traitlets log)."""
    q = lw.quiz("Largest stable lr?", "0.5")
    assert q.answer == 0.5
    assert answer(q, 0.5) is True
    assert answer(q, 0.9) is False
    assert "Not quite." in q.feedback.value and "Right." not in q.feedback.value
    assert "The answer is 0.5." in q.feedback.value
    q.close()


def test_changing_the_answer_clears_the_old_feedback():
    q = lw.quiz("Largest stable lr?", 0.5)
    answer(q, 0.5)
    q.choice.value = 0.7
    assert q.feedback.value == "" and q.correct is None
    q.close()


@pytest.mark.parametrize(("value", "right"), [(0.0, True), (5e-9, True), (1e-6, False),
                                              (-1e-6, False)])
def test_answer_zero_uses_the_absolute_tolerance(value, right):
    q = lw.quiz("Gradient at the minimum?", 0)
    assert answer(q, value) is right
    q.close()


def test_tolerances_follow_numpy_isclose():
    q = lw.quiz("Best constant rate?", 2 / 1.1, rtol=0.01)
    assert answer(q, 1.80) is True  # 0.0182 away, allowed 0.0182
    assert answer(q, 1.79) is False
    q = lw.quiz("Zero to two digits?", 0, atol=0.01)
    assert answer(q, 0.009) is True and answer(q, 0.02) is False


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"question": "q", "answer": 0.5, "rtol": -1}, ValueError, "'rtol' parameter of Quiz"),
    ({"question": "q", "answer": 0.5, "atol": float("nan")}, ValueError, "'atol'"),
    ({"question": "q", "answer": "diverge"}, ValueError, "must be a number when there are no"),
    ({"question": "q", "answer": float("inf")}, ValueError, "must be finite"),
    ({"question": "q", "answer": True}, TypeError, "must be a number"),
    ({"question": "q", "answer": None}, TypeError, "must be a number"),
    ({"question": "q", "answer": "c", "options": ["a", "b"]}, ValueError, "one of the options"),
    ({"question": "q", "answer": "a", "options": ["a"]}, ValueError, "at least 2 options"),
    ({"question": "q", "answer": "a", "options": ["a", "a", "b"]}, ValueError, "repeat"),
    ({"question": "q", "answer": "a", "options": "ab"}, TypeError, "sequence of strings"),
    ({"question": "q", "answer": 1, "options": [1, 2]}, TypeError, "non-empty strings"),
    ({"question": "", "answer": 1}, TypeError, "'question' parameter of Quiz"),
])
def test_bad_questions_are_refused_when_built(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        lw.quiz(**kwargs)


def test_a_numeric_quiz_has_a_working_check_button():
    q = lw.quiz("How much?", 3)
    assert not q.check.disabled
    q.check.click()  # default answer 0.0: wrong, with the answer shown
    assert q.correct is False and "The answer is 3." in q.feedback.value


def test_an_error_while_checking_is_shown_in_the_widget(monkeypatch):
    q = lw.quiz("How much?", 3)
    monkeypatch.setattr(q, "_judge", lambda value: 1 / 0)
    q.check.click()
    assert q.correct is None
    assert "Could not check this answer: ZeroDivisionError" in q.feedback.value


def test_a_stored_quiz_shows_the_question_not_the_answer():
    q = lw.quiz("Which?", "secret", options=["secret", "other"])
    md = q._repr_mimebundle_()["text/markdown"]
    assert "Which?" in md and "- secret" in md and "Run the notebook" in md
