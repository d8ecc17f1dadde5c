"""A class on a real JupyterHub: log in, spawn, release, fetch, run, submit, collect, grade.

The hub is the course's own configuration (``coursework/hub/trial_config.py`` on
top of ``jupyterhub_config.py``) with JupyterHub's SimpleLocalProcessSpawner, its
shared-password authenticator and configurable-http-proxy from npm, on free
127.0.0.1 ports, with every folder (hub database, shared course directory,
nbgrader exchange, users' homes) in a temporary directory. One instructor and
three students. Every step goes over HTTP through the proxy, to the endpoints the
browser uses:

* the instructor's formgrader (nbgrader's server extension in the instructor's
  server) generates and releases ``01_constant_lr`` into the exchange;
* each student's Assignments tab (nbgrader's ``assignment_list`` extension)
  fetches it into the student's home; the student's answers are typed into the
  notebook (ada: the solution, ben: nothing, cleo: one planted mistake from
  ``coursework/planted_bugs.py``), run cell by cell in a kernel of the student's
  own server over the kernel websocket, saved through the contents API and
  submitted from the Assignments tab; the three students work at the same time;
* the formgrader collects, autogrades each submission, generates and releases
  feedback, which each student fetches.

Scores come from the formgrader's API and are checked against the gradebook:
the solution gets full automatic marks, the blank notebook zero, the partly
wrong one loses exactly the test cells its mistake fails.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from class_answers import answer, expected_auto_scores, graded_points
from hub_harness import HTTP_TIMEOUT, INSTRUCTOR, STUDENTS, UserServer

pytest.importorskip("jupyterhub", reason="the hub test needs JupyterHub: "
                                         "pip install -e '.[test]' installs it")
pytest.importorskip("nbgrader", reason="nbgrader is an instructor extra: "
                                       "pip install -e '.[test]' installs it")
pytest.importorskip("websocket", reason="websocket-client comes with jupyter_server")

pytestmark = [pytest.mark.hub, pytest.mark.timeout(420)]

ASSIGNMENT = "01_constant_lr"
COURSE_ID = "lrlab"
NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
AUTOGRADE_TIMEOUT = 300


def _source_notebook(hub) -> dict:
    return json.loads((hub.root / "course" / "source" / NOTEBOOK).read_text())


def _student_works(hub, student: str, kind: str, source: dict) -> dict:
    """What a student does in JupyterLab: fetch, fill in, Run All, save, submit."""
    server = hub.server(student)
    listed = server.json("GET", "assignments", params={"course_id": COURSE_ID})
    released = [a for a in listed["value"] if a["status"] == "released"]
    fetched = server.json("POST", "assignments/fetch",
                          data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
    assert fetched["success"], fetched
    notebook = answer(server.read_notebook(NOTEBOOK), kind, source, ASSIGNMENT)
    kernel = server.kernel(ASSIGNMENT)
    try:
        kernel.run_all(notebook)
    finally:
        kernel.shutdown()
    server.save_notebook(NOTEBOOK, notebook)
    submitted = server.json("POST", "assignments/submit",
                            data={"course_id": COURSE_ID, "assignment_id": ASSIGNMENT})
    assert submitted["success"], submitted
    return {"released": released, "fetched": fetched["value"], "ran": notebook,
            "submitted": submitted["value"]}


@pytest.fixture(scope="module")
def round_trip(hub, servers):
    """Release, three students at once, collect, autograde, feedback; what each step said."""
    grader = hub.server(INSTRUCTOR)
    steps = {"servers": servers}
    steps["assign"] = grader.json("POST", f"formgrader/api/assignment/{ASSIGNMENT}/assign")
    steps["release"] = grader.json("POST", f"formgrader/api/assignment/{ASSIGNMENT}/release")
    source = _source_notebook(hub)
    with ThreadPoolExecutor(max_workers=len(STUDENTS)) as pool:
        work = {s: pool.submit(_student_works, hub, s, kind, source)
                for s, kind in STUDENTS.items()}
        steps["students"] = {s: future.result() for s, future in work.items()}
    steps["collect"] = grader.json("POST", f"formgrader/api/assignment/{ASSIGNMENT}/collect")
    steps["autograde"] = {
        s: grader.json("POST", f"formgrader/api/submission/{ASSIGNMENT}/{s}/autograde",
                       timeout=AUTOGRADE_TIMEOUT)
        for s in STUDENTS}
    steps["submissions"] = {s["student"]: s for s in
                            grader.json("GET", f"formgrader/api/submissions/{ASSIGNMENT}")}
    steps["generate_feedback"] = grader.json(
        "POST", f"formgrader/api/assignment/{ASSIGNMENT}/generate_feedback",
        timeout=AUTOGRADE_TIMEOUT)
    steps["release_feedback"] = grader.json(
        "POST", f"formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
    steps["feedback"] = {s: hub.server(s).json("POST", "assignments/fetch_feedback",
                                                data={"course_id": COURSE_ID,
                                                      "assignment_id": ASSIGNMENT})
                         for s in STUDENTS}
    steps["source"] = source
    return steps


def _gradebook_scores(hub) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    url = f"sqlite:///{hub.root / 'course' / 'gradebook.db'}"
    with Gradebook(url, COURSE_ID) as gradebook:
        return {s: {g.name: g.auto_score for g in
                    gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, s).grades
                    if g.cell_type == "code"}
                for s in STUDENTS}


# -------------------------------------------------------------------------- the hub itself
def test_users_log_in_with_their_password_and_nobody_else_does(hub, passwords):
    for student in STUDENTS:
        response = hub.login(student, passwords["student"])
        assert response.status_code == 302, (student, response.status_code)
        who = response.session.get(f"{hub.url}hub/api/user", timeout=HTTP_TIMEOUT).json()
        assert who["name"] == student and not who["admin"]
        assert who["groups"] == [f"nbgrader-{COURSE_ID}"]
    response = hub.login(INSTRUCTOR, passwords["instructor"])
    assert response.status_code == 302
    who = response.session.get(f"{hub.url}hub/api/user", timeout=HTTP_TIMEOUT).json()
    assert who["admin"] and who["groups"] == [f"formgrade-{COURSE_ID}"]
    assert hub.login("ada", "wrong-password").status_code == 403
    assert hub.login(INSTRUCTOR, passwords["student"]).status_code == 403  # admins need theirs
    assert hub.login("mallory", passwords["student"]).status_code == 403   # not on the roster


def test_every_server_spawns_and_answers_through_the_proxy(hub, servers):
    assert sorted(servers) == sorted([INSTRUCTOR, *STUDENTS])
    for user in servers:
        status = hub.server(user).json("GET", "api/status")
        assert "started" in status and "kernels" in status
    # a user's token opens only that user's server
    bens_token_on_adas_server = UserServer(f"{hub.url}user/ada/", hub.server("ben").token, "ben")
    assert bens_token_on_adas_server.request("GET", "api/status").status_code == 403


def test_instructors_get_the_formgrader_and_the_course_students_do_not(hub, servers):
    grader = hub.server(INSTRUCTOR)
    assert grader.request("GET", "formgrader").status_code == 200
    assignments = {a["name"] for a in grader.json("GET", "formgrader/api/assignments")}
    assert ASSIGNMENT in assignments
    top = {item["name"] for item in grader.json("GET", "api/contents")["content"]}
    assert {"source", "nbgrader_config.py", "gradebook.db"} <= top   # the shared course dir
    students = {s["id"] for s in grader.json("GET", "formgrader/api/students")}
    assert students >= set(STUDENTS)                                  # imported from the roster
    for student in STUDENTS:
        server = hub.server(student)
        assert server.request("GET", "formgrader").status_code == 404
        assert server.request("GET", "formgrader/api/assignments").status_code == 404
        home = {item["name"] for item in server.json("GET", "api/contents")["content"]}
        assert "source" not in home and "gradebook.db" not in home
        listed = server.json("GET", "assignments", params={"course_id": COURSE_ID})
        assert listed["success"], listed


# ------------------------------------------------------------------ the assignment's round trip
def test_release_reaches_every_student(round_trip, hub):
    assert round_trip["assign"]["success"] and round_trip["release"]["success"], round_trip
    for student, work in round_trip["students"].items():
        assert [a["assignment_id"] for a in work["released"]] == [ASSIGNMENT], student
        fetched = [a for a in work["fetched"] if a["status"] == "fetched"]
        assert fetched and fetched[0]["path"] == ASSIGNMENT, (student, work["fetched"])
        assert (hub.root / "home" / student / NOTEBOOK).exists()


def test_students_notebooks_ran_in_their_own_kernels(round_trip):
    for student, work in round_trip["students"].items():
        code = [c for c in work["ran"]["cells"] if c["cell_type"] == "code"]
        assert all(c["execution_count"] for c in code), student
        errors = [o["ename"] for c in code for o in c["outputs"] if o["output_type"] == "error"]
        if STUDENTS[student] == "solution":
            assert errors == []
        if STUDENTS[student] == "blank":
            assert errors and set(errors) <= {"NotImplementedError", "NameError"}, errors


def test_submissions_are_collected_into_the_course_directory(round_trip, hub):
    assert round_trip["collect"]["success"], round_trip["collect"]
    for student, work in round_trip["students"].items():
        assert [a["status"] for a in work["submitted"]
                if a["assignment_id"] == ASSIGNMENT and a["status"] == "submitted"]
        inbound = list((hub.root / "exchange" / COURSE_ID / "inbound")
                       .glob(f"{student}+{ASSIGNMENT}+*"))
        assert len(inbound) == 1, (student, inbound)
        collected = json.loads((hub.root / "course" / "submitted" / student / NOTEBOOK)
                               .read_text())
        # what the grader got is what the student ran and saved, outputs included
        assert [c.get("execution_count") for c in collected["cells"]] == \
               [c.get("execution_count") for c in work["ran"]["cells"]]


def test_autograde_gives_full_marks_zero_and_partial_credit(round_trip, hub):
    assert all(r["success"] for r in round_trip["autograde"].values()), round_trip["autograde"]
    total = sum(graded_points(round_trip["source"]).values())
    submissions = round_trip["submissions"]
    assert set(submissions) == set(STUDENTS)
    for student in STUDENTS:
        assert submissions[student]["autograded"] and submissions[student]["submitted"]
        assert submissions[student]["max_code_score"] == total
    assert submissions["ada"]["code_score"] == total > 0
    assert submissions["ben"]["code_score"] == 0
    assert 0 < submissions["cleo"]["code_score"] < total

    scores = _gradebook_scores(hub)
    for student, kind in STUDENTS.items():
        assert scores[student] == expected_auto_scores(kind, round_trip["source"], ASSIGNMENT), \
            (student, kind, scores[student])
        assert submissions[student]["code_score"] == sum(scores[student].values())


def test_feedback_goes_back_to_each_student(round_trip, hub):
    assert round_trip["generate_feedback"]["success"], round_trip["generate_feedback"]
    assert round_trip["release_feedback"]["success"], round_trip["release_feedback"]
    for student in STUDENTS:
        assert round_trip["feedback"][student]["success"], round_trip["feedback"][student]
        pages = list(Path(hub.root / "home" / student / ASSIGNMENT / "feedback")
                     .glob(f"*/{ASSIGNMENT}.html"))
        assert len(pages) == 1, (student, pages)
        graded = round_trip["submissions"][student]   # written answers are not graded yet: 0
        assert (f"{ASSIGNMENT} (Score: {graded['score']:.1f} / {graded['max_score']:.1f})"
                in pages[0].read_text())
