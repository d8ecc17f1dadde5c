"""Check-yourself questions with instant feedback (multiple choice or a number).

A notebook asks a question; the learner answers and clicks *Check*; the
feedback (right or wrong, and why) appears at once, with no kernel round trip
beyond the click. Stored without a kernel (GitHub), the question shows as
text with its options, never the answer.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as W

__all__ = ["Quiz", "quiz"]


class Quiz:
    """One question with instant feedback.

    Parameters
    ----------
    question : str
        The question (Markdown-free plain text; ``$...$`` maths is shown as is).
    answer : str or float
        The right option (multiple choice) or the right number.
    options : sequence of str, optional
        Multiple-choice options; without them the learner types a number.
    explanation : str
        Why the answer is right (shown after any attempt).
    rtol : float
        Relative tolerance of a numeric answer.

    Attributes
    ----------
    choice : ipywidgets.RadioButtons or ipywidgets.FloatText
        Where the learner answers.
    check : ipywidgets.Button
        Click to get feedback.
    feedback : ipywidgets.HTML
        The feedback.
    correct : bool or None
        Result of the last check (``None`` before the first).

    Examples
    --------
    >>> q = Quiz("Largest stable lr on f = 2 x^2?", answer=0.5,
    ...          explanation="L = f'' = 4 and GD is stable for lr < 2/L.")
    >>> q.choice.value = 1.0; q.check.click(); q.correct
    False
    >>> q.choice.value = 0.5; q.check.click(); q.correct
    True
    >>> q = Quiz("What does lr > 2/L do?", "diverge", options=["converge", "diverge"])
    >>> q.choice.value = "diverge"; q.check.click(); q.feedback.value.startswith("<span")
    True
    """

    def __init__(self, question: str, answer: Any, *, options: Sequence[str] | None = None,
                 explanation: str = "", rtol: float = 0.05):
        self.question, self.answer, self.options = question, answer, options
        self.explanation, self.rtol = explanation, rtol
        if options is not None:
            if answer not in options:
                raise ValueError(f"The 'answer' parameter of Quiz must be one of the options "
                                 f"{list(options)}. Got {answer!r} instead.")
            self.choice = W.RadioButtons(options=list(options), value=None,
                                         layout=W.Layout(width="auto"))
        else:
            self.choice = W.FloatText(value=0.0, description="your answer",
                                      style={"description_width": "initial"})
        self.check = W.Button(description="Check", button_style="primary")
        self.feedback = W.HTML("")
        self.correct: bool | None = None
        self.check.on_click(self._on_check)
        self.widget = W.VBox([W.HTML(f"<b>Check yourself.</b> {html.escape(question)}"),
                              self.choice, self.check, self.feedback])

    def _on_check(self, _button: Any = None) -> None:
        value = self.choice.value
        if self.options is not None:
            if value is None:
                self.feedback.value = "<i>Pick an option first.</i>"
                self.correct = None
                return
            self.correct = value == self.answer
        else:
            self.correct = abs(float(value) - float(self.answer)) <= self.rtol * abs(
                float(self.answer))
        verdict = ('<span style="color:#1a7f37"><b>Right.</b></span>' if self.correct else
                   '<span style="color:#cf222e"><b>Not quite.</b></span>')
        more = html.escape(self.explanation)
        if not self.correct and self.options is None:
            more = f"The answer is {self.answer:g}. " + more
        elif not self.correct:
            more = f"The answer is “{html.escape(str(self.answer))}”. " + more
        self.feedback.value = f"{verdict} {more}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        opts = "".join(f"\n- {o}" for o in self.options) if self.options else \
            "\n\n(type a number)"
        data["text/markdown"] = (f"**Check yourself.** {self.question}{opts}\n\n"
                                 "*Run the notebook to check your answer.*")
        data["text/plain"] = f"Check yourself: {self.question}"
        return data


def quiz(question: str, answer: Any, **kwargs: Any) -> Quiz:
    """Build a :class:`Quiz` (display it by leaving it last in a cell)."""
    return Quiz(question, answer, **kwargs)
