"""Check-yourself questions with instant feedback (multiple choice or a number).

A notebook asks a question; the learner answers and clicks *Check*; the
feedback (right or wrong, and why) appears at once, with no kernel round trip
beyond the click. Stored without a kernel (GitHub), the question shows as
text with its options, never the answer.

A question is checked when it is built: options must be distinct strings
with the answer among them; a numeric answer must be a finite number (a
string such as ``"0.5"`` is read as that number); tolerances are finite and
non-negative. A mistake at check time (anything the learner's answer makes
go wrong) is shown in the widget, never lost in the browser's log.
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from .._validation import check_real
from .controls import KEYS_CLASS, keyboard_guard, owned_widgets

__all__ = ["Quiz", "quiz"]

RIGHT = '<span style="color:#1a7f37"><b>Right.</b></span>'
WRONG = '<span style="color:#cf222e"><b>Not quite.</b></span>'


class Quiz:
    """One question with instant feedback.

    Parameters
    ----------
    question : str
        The question (Markdown-free plain text; ``$...$`` maths is shown as is).
    answer : str or float
        The right option (multiple choice), or the right number (a number, or
        a string of one such as ``"0.5"``).
    options : sequence of str, optional
        Multiple-choice options (at least two, distinct); without them the
        learner types a number.
    explanation : str
        Why the answer is right (shown after any attempt).
    rtol, atol : float >= 0
        A typed number ``x`` is right when ``|x - answer| <= atol + rtol * |answer|``
        (:func:`numpy.isclose`'s rule). For ``answer=0`` only ``atol`` counts:
        the default ``1e-8`` accepts 0 and rounding noise; pass a larger
        ``atol`` for an answer that is zero to some precision (``atol=0.01``).

    Attributes
    ----------
    choice : ipywidgets.RadioButtons or ipywidgets.FloatText
        Where the learner answers.
    check : ipywidgets.Button
        Click to get feedback (disabled until an option is picked).
    feedback : ipywidgets.HTML
        The feedback (cleared when the answer changes).
    correct : bool or None
        Result of the last check (``None`` before the first, or after a change).

    Examples
    --------
    >>> q = Quiz("Largest stable lr on f = 2 x^2?", answer=0.5,
    ...          explanation="L = f'' = 4 and GD is stable for lr < 2/L.")
    >>> q.choice.value = 1.0; q.check.click(); q.correct
    False
    >>> q.choice.value = 0.5; q.check.click(); q.correct
    True
    >>> q = Quiz("What does lr > 2/L do?", "diverge", options=["converge", "diverge"])
    >>> q.check.disabled
    True
    >>> q.choice.value = "diverge"; q.check.click(); q.feedback.value.startswith("<span")
    True
    >>> Quiz("How much?", 0.5, rtol=-1)
    Traceback (most recent call last):
    ...
    ValueError: The 'rtol' parameter of Quiz must be a finite float in [0, inf). Got -1 instead.
    """

    def __init__(self, question: str, answer: Any, *, options: Sequence[str] | None = None,
                 explanation: str = "", rtol: float = 0.05, atol: float = 1e-8):
        self.question = _check_text(question, "question")
        self.explanation = _check_text(explanation, "explanation", empty=True)
        self.rtol = check_real(rtol, "rtol", "Quiz", low=0)
        self.atol = check_real(atol, "atol", "Quiz", low=0)
        self.options = None if options is None else _check_options(options)
        self.answer = (_check_option_answer(answer, self.options) if self.options is not None
                       else _check_number(answer))
        if self.options is not None:
            self.choice = W.RadioButtons(options=self.options, value=None,
                                         layout=W.Layout(width="auto"))
        else:
            self.choice = W.FloatText(value=0.0, description="your answer",
                                      style={"description_width": "initial"})
        self.check = W.Button(description="Check", button_style="primary",
                              disabled=self.options is not None,
                              tooltip="pick an option first" if self.options else "")
        self.feedback = W.HTML("")
        self.correct: bool | None = None
        self.check.on_click(self._on_check)
        self.choice.observe(self._on_answer_changed, names="value")
        self.widget = W.VBox([W.HTML(f"<b>Check yourself.</b> {html.escape(self.question)}"),
                              self.choice, self.check, self.feedback, keyboard_guard()])
        self.widget.add_class(KEYS_CLASS)  # arrow keys choose an option in Notebook 7 too

    def _on_answer_changed(self, change: Any = None) -> None:
        """A new answer: the old feedback no longer applies."""
        self.correct = None
        self.feedback.value = ""
        if self.options is not None:
            self.check.disabled = self.choice.value is None
            self.check.tooltip = "pick an option first" if self.check.disabled else ""

    def _on_check(self, _button: Any = None) -> None:
        try:
            self._judge(self.choice.value)
        except Exception as exc:  # shown to the learner, not lost in a log
            self.correct = None
            self.feedback.value = (f'<span style="color:#cf222e">Could not check this answer: '
                                   f"{html.escape(type(exc).__name__)}: "
                                   f"{html.escape(str(exc))}</span>")

    def _judge(self, value: Any) -> None:
        if self.options is not None:
            if value is None:
                self.correct = None
                self.feedback.value = "<i>Pick an option first.</i>"
                return
            self.correct = value == self.answer
            shown = f"“{html.escape(str(self.answer))}”"
        else:
            x = float(value)
            if not np.isfinite(x):
                self.correct = None
                self.feedback.value = "<i>Type a finite number.</i>"
                return
            self.correct = bool(abs(x - self.answer) <= self.atol + self.rtol * abs(self.answer))
            shown = f"{self.answer:.6g}"
        more = html.escape(self.explanation)
        if not self.correct:
            more = f"The answer is {shown}. " + more
        self.feedback.value = f"{RIGHT if self.correct else WRONG} {more}"

    def close(self) -> None:
        """Close every widget of the question (they stay registered until then)."""
        for w in owned_widgets([self.widget, self.choice, self.check, self.feedback]):
            w.close()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        opts = "".join(f"\n- {o}" for o in self.options) if self.options else \
            "\n\n(type a number)"
        data["text/markdown"] = (f"**Check yourself.** {self.question}{opts}\n\n"
                                 "*Run the notebook to check your answer.*")
        data["text/plain"] = f"Check yourself: {self.question}"
        return data


def _check_text(value: Any, name: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        kind = "a string" if empty else "a non-empty string"
        raise TypeError(f"The {name!r} parameter of Quiz must be {kind}. Got {value!r} instead.")
    return value


def _check_options(options: Any) -> list[str]:
    if isinstance(options, str) or not isinstance(options, Sequence):
        raise TypeError("The 'options' parameter of Quiz must be a sequence of strings (or "
                        f"None for a typed number). Got {options!r} instead.")
    opts = list(options)
    bad = [o for o in opts if not isinstance(o, str) or not o.strip()]
    if bad:
        raise TypeError("The 'options' parameter of Quiz must hold non-empty strings. "
                        f"Got {bad[0]!r} in {opts!r}.")
    if len(opts) < 2:
        raise ValueError("The 'options' parameter of Quiz must offer at least 2 options. "
                         f"Got {opts!r} instead.")
    if len(set(opts)) != len(opts):
        twice = sorted({o for o in opts if opts.count(o) > 1})
        raise ValueError(f"The 'options' parameter of Quiz must not repeat an option. Got "
                         f"{twice!r} more than once.")
    return opts


def _check_option_answer(answer: Any, options: list[str]) -> str:
    if answer not in options:
        raise ValueError(f"The 'answer' parameter of Quiz must be one of the options "
                         f"{options}. Got {answer!r} instead.")
    return answer


def _check_number(answer: Any) -> float:
    """A numeric answer: a finite real number, or a string of one."""
    if isinstance(answer, str):
        try:
            value = float(answer)
        except ValueError:
            raise ValueError("The 'answer' parameter of Quiz must be a number when there are "
                             f"no options (pass options=[...] for a multiple-choice question). "
                             f"Got {answer!r} instead.") from None
    elif isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)):
        value = float(answer)
    else:
        raise TypeError("The 'answer' parameter of Quiz must be a number when there are no "
                        f"options. Got {answer!r} instead.")
    if not np.isfinite(value):
        raise ValueError(f"The 'answer' parameter of Quiz must be finite. Got {answer!r} "
                         "instead.")
    return value


def quiz(question: str, answer: Any, **kwargs: Any) -> Quiz:
    """Build a :class:`Quiz` (display it by leaving it last in a cell)."""
    return Quiz(question, answer, **kwargs)
