"""The nbgrader course, graded for real: generate, submit, autograde, read the gradebook.

On a temporary copy of ``coursework/`` (one copy per assignment, graded in
parallel; sqlite gradebooks; no network) this runs ``nbgrader
generate_assignment`` and ``nbgrader autograde`` on three kinds of submission
per assignment:

* ``solution``: the source notebook itself -> full automatic marks, no errors;
* ``untouched``: the released notebook as handed out -> zero, and the grader
  does not crash (the only errors are the stubs' NotImplementedError);
* one submission per planted bug of ``coursework/planted_bugs.py`` -> exactly
  the listed test cells lose their points;
* the robustness submissions of ``planted_bugs.ROBUSTNESS`` (a renamed function, a
  notebook that prints 20,000 lines, a cell that raises) -> graded, and only the
  listed test cells lose points.

It also checks that ``notebooks/exercises/`` holds, byte for byte, what
nbgrader generates from the sources today, and that the released notebooks
contain no solution code and no hidden test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbgrader",
                    reason="nbgrader is an instructor extra: pip install lrlab[instructor]")

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
EXERCISES = ROOT / "notebooks" / "exercises"

# Generous: the fixture grades every assignment (about 100 notebook runs) on 2 cores.
pytestmark = pytest.mark.timeout(2400)


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, COURSE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # Registered so that planted_bugs_<assignment>.py can `from planted_bugs import PlantedBug`.
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


release = _load("release")
# The planted mistakes of the first four assignments live in planted_bugs.py; each later
# assignment keeps its own in planted_bugs_<assignment>.py (same PlantedBug fields).
PLANTED = [_load(path.stem) for path in sorted(COURSE.glob("planted_bugs*.py"))]
BUGS = [bug for module in PLANTED for bug in module.BUGS]
ROBUSTNESS = [case for module in PLANTED for case in getattr(module, "ROBUSTNESS", [])]
ASSIGNMENTS = release.assignments()
ORIGINAL_FOUR = ["01_constant_lr", "02_schedules", "03_adaptive", "04_range_test"]


def _env() -> dict:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    # Figures are drawn but not rendered to PNG by the grading kernels (faster;
    # ipykernel only installs its inline backend when MPLBACKEND is unset).
    env["MPLBACKEND"] = "agg"
    return env


def _nbgrader(root: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=_env(),
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")


def _submit(root: Path, assignment: str, student: str, nb) -> None:
    folder = root / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")


def _with_bug(released, source, bug):
    """A submission built on the released notebook: every solution cell answered with the
    source's solution (markers removed), except the planted bug's cell."""
    nb = nbformat.from_dict(json.loads(json.dumps(released)))
    answers = {c.id: c.source for c in source.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    assert bug.cell in answers, f"{bug.name}: no solution cell {bug.cell!r} in {bug.assignment}"
    for cell in nb.cells:
        if cell.id == bug.cell:
            cell.source = bug.code.strip()
        elif cell.id in answers:
            cell.source = "\n".join(line for line in answers[cell.id].splitlines()
                                    if "### BEGIN SOLUTION" not in line
                                    and "### END SOLUTION" not in line)
    return nb


def _grade(root: Path, assignment: str) -> dict:
    """generate_assignment, submit every kind of submission, autograde; return grades."""
    _nbgrader(root, "generate_assignment", assignment, "--force")
    source = nbformat.read(root / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    released = nbformat.read(root / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    _submit(root, assignment, "solution", source)
    _submit(root, assignment, "untouched", released)
    for bug in BUGS + ROBUSTNESS:
        if bug.assignment == assignment:
            _submit(root, assignment, bug.name, _with_bug(released, source, bug))
    _nbgrader(root, "autograde", assignment, "--force")

    from nbgrader.api import Gradebook

    grades = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in [s.name for s in (root / "submitted").iterdir()]:
            nb = gb.find_submission_notebook(assignment, assignment, student)
            grades[student] = {
                g.name: {"type": g.cell_type, "auto": g.auto_score, "max": g.max_score,
                         "manual": g.needs_manual_grade} for g in nb.grades}
    return grades


def _needed(items) -> list[str]:
    """The assignments the selected tests grade (all of them for a full run)."""
    needed = set()
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "graded" not in getattr(item, "fixturenames", ()):
            continue
        for value in params.values():
            needed.add(value if isinstance(value, str) else getattr(value, "assignment", None))
        if not params:
            return ASSIGNMENTS
    return [a for a in ASSIGNMENTS if a in needed]


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """{assignment: (course root, {student: {grade_id: score info}})}.

    Grades, in parallel, only the assignments the selected tests need
    (``pytest tests/test_coursework.py -k 05_`` grades one).
    """
    base = tmp_path_factory.mktemp("course")
    needed = _needed(request.session.items)
    roots = {a: release.copy_course(COURSE, base / a) for a in needed}
    with ThreadPoolExecutor(max_workers=max(1, len(needed))) as pool:
        futures = {a: pool.submit(_grade, roots[a], a) for a in needed}
        return {a: (roots[a], f.result()) for a, f in futures.items()}


def _executed(root: Path, assignment: str, student: str):
    return nbformat.read(root / "autograded" / student / assignment / f"{assignment}.ipynb",
                         as_version=4)


def _errors(nb, graded: bool | None = None) -> list[tuple[str, str]]:
    """(cell id, exception name) of every error; only graded/ungraded cells if asked."""
    return [(cell.get("id"), out.ename) for cell in nb.cells if cell.cell_type == "code"
            and (graded is None
                 or bool(cell.metadata.get("nbgrader", {}).get("grade")) == graded)
            for out in cell.get("outputs", []) if out.output_type == "error"]


def _self_check_outputs(nb) -> list[str]:
    texts = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "checks.check_" in cell.source \
                and not cell.metadata.get("nbgrader", {}).get("grade"):
            data = [o for o in cell.outputs if o.output_type == "execute_result"]
            texts.append(data[0]["data"]["text/plain"] if data else "")
    return texts


def _auto(grades: dict) -> tuple[float, float]:
    code = [g for g in grades.values() if g["type"] == "code"]
    return sum(g["auto"] or 0 for g in code), sum(g["max"] for g in code)


# ------------------------------------------------------------- the release
def test_course_layout():
    assert ASSIGNMENTS[:4] == ORIGINAL_FOUR
    assert len(ASSIGNMENTS) >= 7
    # the instructor notes' table says what each assignment covers, and has a rubric section
    notes = (ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    for assignment in ASSIGNMENTS:
        assert f"| {assignment} |" in notes and f"### {assignment}: about" in notes, assignment
    for kind in ("derive and verify", "diagnose", "capstone"):
        assert f"| {kind}" in notes, kind
    assert sorted(p.name for p in EXERCISES.glob("*.ipynb")) == [f"{a}.ipynb" for a in ASSIGNMENTS]


def test_cell_timeout_is_raised():
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    assert Execute(config=config).timeout == 300          # nbgrader's default is 30 s
    assert Execute().timeout != 300


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_notebooks_are_exactly_what_nbgrader_generates(graded, assignment):
    """The notebooks in notebooks/exercises are byte-identical to nbgrader's output today.

    nbgrader's output has no volatile content (cell checksums are MD5 hashes of
    the sources), so the comparison is exact: every byte, metadata included.
    If this fails, run ``python coursework/release.py`` and commit the result.
    """
    root, _ = graded[assignment]
    generated = (root / "release" / assignment / f"{assignment}.ipynb").read_bytes()
    assert (EXERCISES / f"{assignment}.ipynb").read_bytes() == generated
    for data in sorted((root / "release" / assignment).glob(f"{assignment}_*")):  # data files
        assert (EXERCISES / data.name).read_bytes() == data.read_bytes(), data.name


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_carries_its_data_files_and_no_instructor_file(graded, assignment):
    """nbgrader releases (and copies into each graded submission) the assignment's data files,
    never an instructor-only one (release.INSTRUCTOR_ONLY: the script that makes the data)."""
    from fnmatch import fnmatch

    root, _ = graded[assignment]
    sources = sorted(p.name for p in (COURSE / "source" / assignment).iterdir() if p.is_file())
    secret = [n for n in sources if any(fnmatch(n, pat) for pat in release.INSTRUCTOR_ONLY)]
    data = [n for n in sources if n not in secret and n != f"{assignment}.ipynb"]
    released = root / "release" / assignment
    assert sorted(p.name for p in released.rglob("*") if p.is_file()) == sorted(
        [f"{assignment}.ipynb", *data])
    assert not any((EXERCISES / n).exists() for n in secret)
    graded_copy = root / "autograded" / "untouched" / assignment
    assert all((graded_copy / n).exists() for n in data)
    assert not any((graded_copy / n).exists() for n in secret)


def test_release_script_writes_the_same_files(tmp_path):
    written = release.generate(tmp_path, names=["02_schedules"])
    assert written == [tmp_path / "02_schedules.ipynb"]
    assert written[0].read_bytes() == (EXERCISES / "02_schedules.ipynb").read_bytes()


def _blocks(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            lines.append(line)
    return lines


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solution_and_no_hidden_test(assignment):
    source = nbformat.read(COURSE / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    released = nbformat.read(EXERCISES / f"{assignment}.ipynb", as_version=4)
    text = (EXERCISES / f"{assignment}.ipynb").read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                   "Model answer"]:
        assert marker not in text
    by_id = {c.id: c for c in released.cells}
    assert [c.id for c in source.cells] == [c.id for c in released.cells]
    kinds = {"solution": 0, "hidden": 0, "manual": 0}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        out = by_id[cell.id].source
        if meta.get("solution") and cell.cell_type == "code":
            kinds["solution"] += 1
            assert "# YOUR CODE HERE\n    raise NotImplementedError()" in out
            for line in _blocks(cell.source, "### BEGIN SOLUTION", "### END SOLUTION"):
                assert line.strip() not in out, line
        if meta.get("solution") and cell.cell_type == "markdown":
            kinds["manual"] += 1
            assert meta.get("grade") and meta.get("points", 0) > 0
            assert out == "YOUR ANSWER HERE"
        hidden = _blocks(cell.source, "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
        if hidden:
            kinds["hidden"] += 1
            assert meta.get("grade") and meta.get("points", 0) > 0
            visible = set(out.splitlines())
            for line in hidden:
                assert line not in visible or not line.strip(), line
    assert kinds["solution"] >= 2 and kinds["hidden"] >= 2 and kinds["manual"] >= 1, kinds
    assert released.metadata.kernelspec.name == "python3"


# ------------------------------------------------------------------ grading
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_gets_full_automatic_marks(graded, assignment):
    root, grades = graded[assignment]
    score, total = _auto(grades["solution"])
    assert total >= 6 and score == total, grades["solution"]
    nb = _executed(root, assignment, "solution")
    assert _errors(nb) == []
    outputs = _self_check_outputs(nb)
    assert len(outputs) >= 2 and all(o.startswith("✔") for o in outputs), outputs
    manual = [g for g in grades["solution"].values() if g["type"] == "markdown"]
    assert manual and all(g["manual"] for g in manual)   # the written answer awaits a human


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_gets_zero_without_crashing(graded, assignment):
    root, grades = graded[assignment]
    assert all((g["auto"] or 0) == 0 for g in grades["untouched"].values())
    assert not any(g["manual"] for g in grades["untouched"].values())
    nb = _executed(root, assignment, "untouched")
    # Cells that are not tests fail only with the stubs' NotImplementedError; test cells
    # fail with that or with an assertion, never with a crash of another kind.
    ungraded = _errors(nb, graded=False)
    assert ungraded and {e for _, e in ungraded} == {"NotImplementedError"}, ungraded
    tests = _errors(nb, graded=True)
    assert {e for _, e in tests} <= {"NotImplementedError", "AssertionError"}, tests
    failed = {name for name, g in grades["untouched"].items() if g["type"] == "code"}
    assert {cell for cell, _ in tests} == failed
    outputs = _self_check_outputs(nb)
    assert outputs and all("not implemented yet" in o for o in outputs), outputs


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_planted_bug_loses_points(graded, bug):
    """Each planted bug loses exactly the points of the test cells listed in ``caught_by``."""
    _, grades = graded[bug.assignment]
    student = grades[bug.name]
    failed = {name for name, g in student.items() if g["type"] == "code" and g["auto"] < g["max"]}
    assert failed == set(bug.caught_by)
    score, total = _auto(student)
    assert score < total


@pytest.mark.parametrize("case", ROBUSTNESS, ids=[b.name for b in ROBUSTNESS])
def test_grader_survives_robustness_submissions(graded, case):
    """A renamed function, 20,000 printed lines, a cell that raises: nbgrader grades the whole
    notebook, and only the listed test cells lose points."""
    root, grades = graded[case.assignment]
    student = grades[case.name]
    failed = {name for name, g in student.items() if g["type"] == "code" and g["auto"] < g["max"]}
    assert failed == set(case.caught_by)
    nb = _executed(root, case.assignment, case.name)
    tests = _errors(nb, graded=True)
    assert {cell for cell, _ in tests} == failed
    if case.name == "renamed-gd-step":
        # The test cells fail with a readable NameError naming the missing function.
        assert {e for _, e in tests} == {"NameError"}
        text = "".join(o.evalue for c in nb.cells if c.cell_type == "code"
                       for o in c.get("outputs", []) if o.output_type == "error")
        assert "name 'gd_step' is not defined" in text
    if case.name == "cell-raises":
        assert _errors(nb, graded=False) == [(case.cell, "ValueError")]
    if case.name == "prints-a-lot":
        cell = next(c for c in nb.cells if c.get("id") == case.cell)
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        # nbgrader keeps about the first 1,000 lines of a long output and says so.
        assert 900 < printed.count("debug line") < 20_000 and "Output truncated" in printed
        assert _errors(nb) == []


def test_hidden_only_bugs_pass_the_visible_tests():
    """Bugs marked ``hidden`` are invisible to the visible asserts: only hidden tests catch them."""
    import math

    import lrlab

    hidden = [b for b in BUGS if b.hidden]
    assert len(hidden) >= 3
    for bug in hidden:
        released = nbformat.read(EXERCISES / f"{bug.assignment}.ipynb", as_version=4)
        source = nbformat.read(COURSE / "source" / bug.assignment / f"{bug.assignment}.ipynb",
                               as_version=4)
        namespace = {"np": np, "math": math, "lrlab": lrlab}
        for cell in source.cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                exec(cell.source, namespace)
        exec(bug.code, namespace)
        for test_id in bug.caught_by:
            visible = next(c.source for c in released.cells if c.id == test_id)
            exec(visible, dict(namespace))           # passes: no assertion error


def test_every_mistake_listed(graded):
    """One table of what the autograder catches (shown with ``pytest -s``)."""
    rows = []
    for bug in BUGS:
        student = graded[bug.assignment][1][bug.name]
        score, total = _auto(student)
        rows.append(f"{bug.assignment:15} {bug.name:28} {score:4.0f}/{total:<4.0f} "
                    f"{'hidden' if bug.hidden else 'visible'}")
    print("\n".join(["planted bug submissions (automatic score):", *rows]))
    assert len(rows) == len(BUGS) >= 12
