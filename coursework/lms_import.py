"""Put notebooks downloaded from an LMS where nbgrader grades them.

Usage (from the repository root; see docs/instructors.md, "Teaching through an LMS")::

    python coursework/lms_import.py 01_constant_lr DOWNLOAD.zip
    python coursework/lms_import.py 01_constant_lr DOWNLOAD/ --pattern '(?P<student>[^_/]+)'
    python coursework/lms_import.py 01_constant_lr DOWNLOAD.zip \\
        --pattern '[a-z]+_(?P<student>\\d+)_' --map lms_ids.csv
    cd coursework && nbgrader autograde 01_constant_lr

``DOWNLOAD`` is what the LMS gives for "download all submissions": a zip file or a
folder, with one notebook per student, in folders or not (``__MACOSX/``,
checkpoints and files that are not ``.ipynb`` are ignored). Each notebook's path
inside it is matched against ``--pattern``, a regular expression whose group
``student`` names the student: by default the first part of the path up to ``/``,
``_`` or ``-`` (``ada/01_constant_lr.ipynb``, ``ada_01_constant_lr.ipynb``); a folder
that holds the whole download is looked into (paths are taken inside it). With
``--map FILE``, a CSV with the columns ``lms_id,id``, that name is translated into
the nbgrader student id (an LMS's numeric user ids, say).

The notebook goes to ``COURSE/submitted/<student>/<assignment>/<assignment>.ipynb``,
whatever the student called the file, which is the layout ``nbgrader autograde``
reads. The whole download is checked before anything is written, and nothing is
written if any of these is found (``--skip-problems`` imports the rest instead):
a notebook the pattern does not match, a name missing from the map, two notebooks
for one student, a file that is not a readable notebook, a notebook without the
assignment's graded cells (the wrong assignment handed in), a student who already
has a submission (``--force`` replaces it).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

COURSE = Path(__file__).resolve().parent
DEFAULT_PATTERN = r"(?P<student>[^/_-]+)"
_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")   # nbgrader: no '+', no '*', no '/'
_IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints")


@dataclass
class ImportPlan:
    """What an import would do: ``copies`` {student: notebook} and the ``problems`` found."""

    copies: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_map(path: str | Path) -> dict[str, str]:
    """{LMS name: nbgrader student id} from a CSV with the columns ``lms_id`` and ``id``."""
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in reader.fieldnames or []]
        if not {"lms_id", "id"} <= set(columns):
            raise ValueError(f"map {path} needs the columns 'lms_id' and 'id', found {columns}")
        reader.fieldnames = columns
        return {row["lms_id"].strip(): row["id"].strip() for row in reader}


def graded_cells(notebook: dict) -> set[str]:
    """The grade ids of a notebook's nbgrader cells that carry points or answers."""
    return {cell["metadata"]["nbgrader"]["grade_id"] for cell in notebook.get("cells", [])
            if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            or cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def plan_import(assignment: str, download: Path, *, course: Path = COURSE,
                pattern: str = DEFAULT_PATTERN, lms_ids: dict[str, str] | None = None,
                force: bool = False) -> ImportPlan:
    """Match every notebook of an extracted ``download`` folder to a student; check it.

    Raises ``ValueError`` when the assignment has not been generated in ``course``
    (``nbgrader generate_assignment`` writes ``release/<assignment>/``) or the
    pattern has no group ``student``; everything wrong with the download itself is
    listed in the plan's ``problems``.
    """
    released_path = course / "release" / assignment / f"{assignment}.ipynb"
    if not released_path.exists():
        raise ValueError(f"{released_path} not found: run `nbgrader generate_assignment "
                         f"{assignment}` in {course} first (autograde needs it in the gradebook)")
    regex = re.compile(pattern)
    if "student" not in regex.groupindex:
        raise ValueError(f"pattern must have a group (?P<student>...), got {pattern!r}")
    expected = graded_cells(json.loads(released_path.read_text(encoding="utf-8")))
    plan, found = ImportPlan(), {}
    notebooks = sorted(p for p in download.rglob("*.ipynb") if p.is_file()
                       and not any(part in _IGNORED_PARTS for part in p.parts))
    top = _common_folder(download, notebooks)
    for path in notebooks:
        relative = path.relative_to(top).as_posix()
        match = regex.match(relative)
        if match is None or not match.group("student"):
            plan.problems.append(f"{relative}: --pattern '{pattern}' does not match it")
            continue
        name = match.group("student")
        student = name if lms_ids is None else lms_ids.get(name)
        if student is None:
            plan.problems.append(f"{relative}: {name!r} is not in the map's lms_id column")
            continue
        if not _STUDENT_ID.fullmatch(student):
            plan.problems.append(f"{relative}: {student!r} is not a valid nbgrader student id "
                                 f"(letters, digits, '.', '_', '-')")
            continue
        found.setdefault(student, []).append(relative)
        try:
            notebook = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            plan.problems.append(f"{relative}: not a readable notebook ({exc})")
            continue
        missing = expected - graded_cells(notebook)
        if missing:
            plan.problems.append(f"{relative}: not {assignment} (it lacks the graded cells "
                                 f"{sorted(missing)})")
            continue
        target = course / "submitted" / student / assignment
        if target.exists() and not force:
            plan.problems.append(f"{relative}: {student} already has a submission in {target} "
                                 f"(--force replaces it)")
            continue
        plan.copies[student] = path
    for student, paths in found.items():
        if len(paths) > 1:
            plan.problems.append(f"{student} handed in {len(paths)} notebooks {paths}: "
                                 f"keep the one to grade")
            plan.copies.pop(student, None)
    return plan


def _common_folder(download: Path, notebooks: list[Path]) -> Path:
    """The folder below ``download`` that holds every notebook (many zips wrap one folder)."""
    top = download
    while notebooks:
        parts = {p.relative_to(top).parts[0] for p in notebooks}
        if len(parts) != 1 or any(len(p.relative_to(top).parts) < 2 for p in notebooks):
            break
        top = top / parts.pop()
    return top


def import_submissions(assignment: str, download: str | Path, *, course: str | Path = COURSE,
                       pattern: str = DEFAULT_PATTERN, lms_ids: dict[str, str] | None = None,
                       force: bool = False, skip_problems: bool = False) -> ImportPlan:
    """Copy each student's notebook of ``download`` (a folder or a zip file) into submitted/.

    Returns the plan that was carried out. Raises ``ValueError`` listing every
    problem (and writes nothing) unless ``skip_problems``.
    """
    download, course = Path(download), Path(course)
    if not download.exists():
        raise ValueError(f"download {download} does not exist")
    with tempfile.TemporaryDirectory(prefix="lrlab-lms-") as tmp:
        folder = download
        if download.is_file():
            if not zipfile.is_zipfile(download):
                raise ValueError(f"download {download} is neither a folder nor a zip file")
            folder = Path(tmp) / "download"
            with zipfile.ZipFile(download) as archive:
                archive.extractall(folder)
        plan = plan_import(assignment, folder, course=course, pattern=pattern,
                           lms_ids=lms_ids, force=force)
        if plan.problems and not skip_problems:
            raise ValueError("nothing imported; fix these or pass --skip-problems:\n  "
                             + "\n  ".join(plan.problems))
        for student, path in plan.copies.items():
            target = course / "submitted" / student / assignment
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            shutil.copyfile(path, target / f"{assignment}.ipynb")
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", help="the nbgrader assignment, e.g. 01_constant_lr")
    parser.add_argument("download", type=Path, help="the LMS download: a zip file or a folder")
    parser.add_argument("--course", type=Path, default=COURSE,
                        help="the nbgrader course directory (default: coursework/)")
    parser.add_argument("--pattern", default=DEFAULT_PATTERN,
                        help="regular expression matched at the start of each notebook's path "
                             "in the download; its group 'student' names the student "
                             f"(default: {DEFAULT_PATTERN!r})")
    parser.add_argument("--map", type=Path, dest="map_file",
                        help="CSV with columns lms_id,id translating the matched name")
    parser.add_argument("--force", action="store_true", help="replace existing submissions")
    parser.add_argument("--skip-problems", action="store_true",
                        help="import the notebooks without problems, list the others")
    args = parser.parse_args(argv)
    try:
        plan = import_submissions(
            args.assignment, args.download, course=args.course, pattern=args.pattern,
            lms_ids=read_map(args.map_file) if args.map_file else None,
            force=args.force, skip_problems=args.skip_problems)
    except ValueError as exc:
        print(f"lms_import: {exc}", file=sys.stderr)
        return 2
    for student, path in sorted(plan.copies.items()):
        print(f"{student}: {path.name} -> submitted/{student}/{args.assignment}/")
    for problem in plan.problems:
        print(f"skipped {problem}", file=sys.stderr)
    print(f"imported {len(plan.copies)} submission(s) of {args.assignment}; next: "
          f"cd {args.course} && nbgrader autograde {args.assignment}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
