"""What the students of the class tests hand in: the solution, nothing, or one planted mistake.

Shared by the JupyterHub round trip and the LMS import test. Answers are built
from the instructor's source notebook and ``coursework/planted_bugs.py`` as they
are today, so the tests follow the assignment when it changes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("solution", "blank", "partly wrong")


def planted_bugs() -> list:
    spec = importlib.util.spec_from_file_location("lrlab_planted_bugs",
                                                  ROOT / "coursework" / "planted_bugs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BUGS


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def graded_points(notebook: dict) -> dict[str, float]:
    """{grade_id: points} of a notebook's autograded test cells."""
    return {c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"]["points"]
            for c in notebook["cells"] if c["cell_type"] == "code"
            and c["metadata"].get("nbgrader", {}).get("grade")}


def solutions(source: dict) -> dict[str, str]:
    """{grade_id: solution code without nbgrader's markers} of the student code cells."""
    answers = {}
    for cell in source["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution"):
            answers[meta["grade_id"]] = "\n".join(
                line for line in _text(cell["source"]).splitlines()
                if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
    return answers


def partial_bug(source: dict, assignment: str):
    """The planted mistake of ``assignment`` that fails the fewest test cells (but not all)."""
    graded = graded_points(source)
    bugs = [b for b in planted_bugs() if b.assignment == assignment
            and 0 < len(b.caught_by) < len(graded)]
    assert bugs, f"planted_bugs.py has no mistake in {assignment} that costs only some points"
    return min(bugs, key=lambda b: (len(b.caught_by), b.name))


def answer(notebook: dict, kind: str, source: dict, assignment: str) -> dict:
    """``notebook`` (the released one, changed in place) with a student's answers typed in."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "blank":
        return notebook
    answers = solutions(source)
    if kind == "partly wrong":
        bug = partial_bug(source, assignment)
        answers[bug.cell] = bug.code.strip()
    for cell in notebook["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and grade_id in answers:
            cell["source"] = answers[grade_id]
    return notebook


def expected_auto_scores(kind: str, source: dict, assignment: str) -> dict[str, float]:
    """{test cell: automatic score} that a submission of ``kind`` must get."""
    graded = graded_points(source)
    if kind == "solution":
        return graded
    if kind == "blank":
        return dict.fromkeys(graded, 0)
    lost = set(partial_bug(source, assignment).caught_by)
    return {cell: (0 if cell in lost else points) for cell, points in graded.items()}
