"""coursework/hub/setup_course.py: the roster, the hub's folders, the gradebook's students."""

from __future__ import annotations

import stat

import pytest
from hub_harness import HUB_CONFIG, load_setup_course

pytest.importorskip("nbgrader", reason="nbgrader is an instructor extra: "
                                       "pip install -e '.[test]' installs it")

setup = load_setup_course()
ROSTER = ("id,role,first_name,last_name,email\n"
          "grace,instructor,Grace,Hopper,\n"
          "ada,student,Ada,Lovelace,ada@example.org\n"
          "ben,Student,,,\n")


def _roster(tmp_path, text=ROSTER, name="roster.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_roster(tmp_path):
    members = setup.read_roster(_roster(tmp_path))
    assert [(m.id, m.role) for m in members] == [
        ("grace", "instructor"), ("ada", "student"), ("ben", "student")]
    assert members[1].email == "ada@example.org" and members[2].first_name is None


@pytest.mark.parametrize(("text", "message"), [
    ("id,name\nada,Ada\n", r"needs the columns 'id' and 'role'; missing \['role'\]"),
    ("id,role\nada,teacher\n", r"line 2: role must be one of \('instructor', 'student'\), "
                               r"got 'teacher'"),
    ("id,role\nAda,student\n", r"line 2: id must be a user name .* got 'Ada'"),
    ("id,role\nada+1,student\n", r"line 2: id must be a user name .* got 'ada\+1'"),
    ("id,role\nada,student\nben,student\nada,instructor\n", r"line 4: id 'ada' appears twice"),
])
def test_bad_rosters_are_refused_with_the_line_and_value(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        setup.read_roster(_roster(tmp_path, text))


def test_setup_lays_out_the_hub_and_imports_the_students(tmp_path):
    from nbgrader.api import Gradebook

    paths = setup.setup_course(tmp_path / "hub", _roster(tmp_path))
    assert paths.roster.read_text() == ROSTER
    assert (paths.course / "nbgrader_config.py").exists()
    assert sorted(p.name for p in (paths.course / "source").iterdir()) == sorted(
        p.name for p in (HUB_CONFIG.parent / "source").iterdir() if p.is_dir())
    assert stat.S_IMODE(paths.exchange.stat().st_mode) == 0o777
    assert paths.state.is_dir()
    assert setup.course_id(paths.course) == "lrlab"
    with Gradebook(f"sqlite:///{paths.course / 'gradebook.db'}", "lrlab") as gradebook:
        students = {s.id: (s.first_name, s.email) for s in gradebook.students}
    assert students == {"ada": ("Ada", "ada@example.org"), "ben": (None, None)}


def test_setup_again_keeps_the_instructors_files(tmp_path, capsys):
    roster = _roster(tmp_path)
    paths = setup.setup_course(tmp_path / "hub", roster)
    config = paths.course / "nbgrader_config.py"
    config.write_text(config.read_text() + "\n# edited by the instructor\n")
    edited_source = next((paths.course / "source").rglob("*.ipynb"))
    edited_source.write_text("{}")
    removed = sorted((paths.course / "source").iterdir())[-1]
    for path in sorted(removed.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    removed.rmdir()

    setup.main([str(tmp_path / "hub"), "--roster", str(roster)])     # the documented command
    assert "# edited by the instructor" in config.read_text()
    assert edited_source.read_text() == "{}"
    assert removed.is_dir()                                           # copied back
    assert "1 instructor(s), 2 student(s)" in capsys.readouterr().out


def test_a_bad_roster_changes_nothing(tmp_path):
    with pytest.raises(ValueError, match="role must be one of"):
        setup.setup_course(tmp_path / "hub", _roster(tmp_path, "id,role\nada,ta\n"))
    assert not (tmp_path / "hub").exists()


def test_course_id_must_be_set(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(ValueError, match=r"sets no c\.CourseDirectory\.course_id"):
        setup.course_id(tmp_path)
