"""Teaching through an LMS: an LMS download -> coursework/lms_import.py -> nbgrader autograde.

On a temporary copy of the course: ``nbgrader generate_assignment``, then three
students' notebooks arrive as an LMS gives them (one zip, a wrapping folder, the
LMS's own file names with user ids, junk files), ``lms_import.py`` puts them into
``submitted/<student>/<assignment>/`` through an id map, and ``nbgrader
autograde`` scores them: the solution full marks, the blank notebook zero, the
partly wrong one loses exactly the test cells its planted mistake fails.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from class_answers import answer, expected_auto_scores

pytest.importorskip("nbgrader", reason="nbgrader is an instructor extra: "
                                       "pip install -e '.[test]' installs it")

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "01_constant_lr"
#: LMS user id, nbgrader id, what the student hands in, the file name the LMS gives it
CLASS = [("1001", "ada", "solution", f"lovelaceada_1001_77_{ASSIGNMENT}.ipynb"),
         ("1002", "ben", "blank", f"bitdiddleben_1002_78_{ASSIGNMENT}-1.ipynb"),
         ("1003", "cleo", "partly wrong", "catcleo_1003_79_my copy.ipynb")]
PATTERN = r"[a-z]+_(?P<student>\d+)_"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"lrlab_{name}",
                                                  ROOT / "coursework" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


lms = _load("lms_import")


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, MPLBACKEND="agg")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=500)
    assert proc.returncode == 0, f"nbgrader {args} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A copy of the course where the assignment has been generated (as the docs say)."""
    course = _load("release").copy_course(ROOT / "coursework",
                                          tmp_path_factory.mktemp("lms") / "course")
    _nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


@pytest.fixture
def course(generated, tmp_path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(generated, copy)
    return copy


def _notebooks(course: Path) -> dict[str, dict]:
    source = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    return {kind: answer(json.loads(released), kind, source, ASSIGNMENT)
            for kind in ("solution", "blank", "partly wrong")} | {"source": source}


def _download(course: Path, folder: Path, *, extra: dict[str, str] | None = None) -> Path:
    """The LMS's zip: a wrapping folder, renamed notebooks, macOS and text junk."""
    notebooks = _notebooks(course)
    path = folder / "submissions.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for _, _, kind, name in CLASS:
            archive.writestr(f"{ASSIGNMENT} submissions/{name}", json.dumps(notebooks[kind]))
        archive.writestr(f"__MACOSX/{ASSIGNMENT} submissions/._{CLASS[0][3]}", b"\0\1junk")
        archive.writestr(f"{ASSIGNMENT} submissions/index.txt", "exported by the LMS")
        for name, text in (extra or {}).items():
            archive.writestr(f"{ASSIGNMENT} submissions/{name}", text)
    return path


def _map(folder: Path) -> Path:
    path = folder / "lms_ids.csv"
    path.write_text("lms_id,id\n" + "".join(f"{lms_id},{sid}\n" for lms_id, sid, _, _ in CLASS))
    return path


def test_lms_download_is_imported_and_autograded(course, tmp_path, capsys):
    from nbgrader.api import Gradebook

    code = lms.main([ASSIGNMENT, str(_download(course, tmp_path)), "--course", str(course),
                     "--pattern", PATTERN, "--map", str(_map(tmp_path))])
    assert code == 0, capsys.readouterr().err
    assert "imported 3 submission(s)" in capsys.readouterr().out
    assert sorted(p.relative_to(course / "submitted").as_posix()
                  for p in (course / "submitted").rglob("*") if p.is_file()) == [
        f"{sid}/{ASSIGNMENT}/{ASSIGNMENT}.ipynb" for _, sid, _, _ in CLASS]

    _nbgrader(course, "autograde", ASSIGNMENT, "--force")
    source = _notebooks(course)["source"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "lrlab") as gradebook:
        for _, student, kind, _ in CLASS:
            grades = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student).grades
            scores = {g.name: g.auto_score for g in grades if g.cell_type == "code"}
            assert scores == expected_auto_scores(kind, source, ASSIGNMENT), (student, scores)


def test_a_folder_per_student_works_with_the_default_pattern(course, tmp_path):
    notebooks = _notebooks(course)
    for _, student, kind, _ in CLASS:
        (tmp_path / "download" / student).mkdir(parents=True)
        (tmp_path / "download" / student / "anything.ipynb").write_text(
            json.dumps(notebooks[kind]))
    plan = lms.import_submissions(ASSIGNMENT, tmp_path / "download", course=course)
    assert sorted(plan.copies) == ["ada", "ben", "cleo"] and plan.problems == []
    copied = json.loads((course / "submitted" / "cleo" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
                        .read_text())
    assert copied == notebooks["partly wrong"]


def test_every_problem_is_listed_and_nothing_is_written(course, tmp_path):
    other = json.loads((course / "source" / "02_schedules" / "02_schedules.ipynb").read_text())
    download = _download(course, tmp_path, extra={
        "nobody.ipynb": "{}",                                       # pattern does not match
        "smithjo_9999_80_x.ipynb": "{}",                            # not in the map
        "lovelaceada_1001_81_again.ipynb": "{}",                    # ada's second notebook
        "broken_1003_82_x.ipynb": "{not json",                      # cleo's, unreadable
        "bitdiddleben_1002_83_wrong.ipynb": json.dumps(other),      # the wrong assignment
    })
    with pytest.raises(ValueError) as error:
        lms.import_submissions(ASSIGNMENT, download, course=course, pattern=PATTERN,
                               lms_ids=lms.read_map(_map(tmp_path)))
    message = str(error.value)
    assert message.startswith("nothing imported")
    for expected in ["nobody.ipynb: --pattern", "'9999' is not in the map",
                     "ada handed in 2 notebooks", "broken_1003_82_x.ipynb: not a readable",
                     "ben handed in 2 notebooks",
                     f"bitdiddleben_1002_83_wrong.ipynb: not {ASSIGNMENT} (it lacks"]:
        assert expected in message, (expected, message)
    assert not (course / "submitted").exists()


def test_skip_problems_imports_the_rest_and_force_replaces(course, tmp_path):
    download = _download(course, tmp_path, extra={"nobody.ipynb": "{}"})
    ids = lms.read_map(_map(tmp_path))
    plan = lms.import_submissions(ASSIGNMENT, download, course=course, pattern=PATTERN,
                                  lms_ids=ids, skip_problems=True)
    assert sorted(plan.copies) == ["ada", "ben", "cleo"]
    assert plan.problems == ["nobody.ipynb: --pattern '[a-z]+_(?P<student>\\d+)_' "
                             "does not match it"]
    with pytest.raises(ValueError,
                       match=r"ada already has a submission .*\(--force replaces it\)"):
        lms.import_submissions(ASSIGNMENT, download, course=course, pattern=PATTERN, lms_ids=ids)
    stale = course / "submitted" / "ada" / ASSIGNMENT / "stale.txt"
    stale.write_text("from the first import")
    lms.import_submissions(ASSIGNMENT, download, course=course, pattern=PATTERN, lms_ids=ids,
                           force=True, skip_problems=True)
    assert not stale.exists()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"assignment": "99_missing"}, r"release/99_missing/99_missing.ipynb not found: run "
                                   r"`nbgrader generate_assignment 99_missing`"),
    ({"pattern": r"(?P<who>\w+)"}, r"pattern must have a group \(\?P<student>...\)"),
    ({"download": "nowhere.zip"}, r"download .*nowhere.zip does not exist"),
])
def test_bad_arguments_are_named(course, tmp_path, kwargs, message):
    arguments = {"assignment": ASSIGNMENT, "download": tmp_path, **kwargs}
    if arguments["download"] == "nowhere.zip":
        arguments["download"] = tmp_path / "nowhere.zip"
    with pytest.raises(ValueError, match=message):
        lms.import_submissions(arguments.pop("assignment"), arguments.pop("download"),
                               course=course, **arguments)


def test_the_map_needs_its_columns(tmp_path):
    (tmp_path / "ids.csv").write_text("user,login\n1,ada\n")
    with pytest.raises(ValueError, match="needs the columns 'lms_id' and 'id'"):
        lms.read_map(tmp_path / "ids.csv")
