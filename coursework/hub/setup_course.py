"""Lay out the folders of a course hub: shared course directory, nbgrader exchange, roster.

Usage (as the user that runs JupyterHub, from the repository root)::

    python coursework/hub/setup_course.py /srv/lrlab --roster roster.csv

Everything a course hub keeps lives under one root folder (``LRLAB_HUB_ROOT``
for ``jupyterhub_config.py``, ``/srv/lrlab`` by default)::

    roster.csv   who takes part: id,role,first_name,last_name,email (role: instructor|student)
    course/      the shared course directory: nbgrader_config.py and source/ (copied from
                 coursework/), then release/, submitted/, autograded/, feedback/, gradebook.db
    exchange/    nbgrader's exchange, writable by everyone as nbgrader requires
    state/       JupyterHub's database, cookie secret and proxy pid file
    home/        the users' home folders, only for the one-machine trial (trial_config.py)

Running it again is safe: it copies assignments that the course directory does not
have yet, never overwrites an instructor's files, replaces ``roster.csv`` and adds or
updates the roster's students in the gradebook (nobody is removed).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

COURSEWORK = Path(__file__).resolve().parents[1]
ROLES = ("instructor", "student")
# JupyterHub lowercases user names; nbgrader's exchange separates fields with '+'.
_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]*")


@dataclass(frozen=True)
class HubPaths:
    """The folders of a course hub under ``root`` (see the module docstring)."""

    root: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "root", Path(self.root))

    @property
    def roster(self) -> Path:
        return self.root / "roster.csv"

    @property
    def course(self) -> Path:
        return self.root / "course"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def homes(self) -> Path:
        return self.root / "home"


@dataclass(frozen=True)
class Member:
    """One line of the roster."""

    id: str
    role: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


def read_roster(path: str | os.PathLike) -> list[Member]:
    """Read a roster CSV with the columns ``id,role`` and optionally ``first_name,last_name,email``.

    ``id`` is the JupyterHub user name and the nbgrader student id (lowercase
    letters, digits, ``.``, ``_``, ``-``); ``role`` is ``instructor`` or
    ``student``. The other columns are nbgrader's (``nbgrader db student
    import`` reads the same file and ignores ``role``).

    Raises
    ------
    ValueError
        Naming the file, the line and the offending value when a column is
        missing, a role is unknown, an id is not a valid user name or repeats.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in ("id", "role") if name not in columns]
        if missing:
            raise ValueError(f"roster {path} needs the columns 'id' and 'role'; "
                             f"missing {missing}, found {columns}")
        reader.fieldnames = columns
        members, seen = [], set()
        for line, row in enumerate(reader, start=2):
            ident = (row.get("id") or "").strip()
            role = (row.get("role") or "").strip().lower()
            if not _USERNAME.fullmatch(ident):
                raise ValueError(f"roster {path}, line {line}: id must be a user name made of "
                                 f"lowercase letters, digits, '.', '_' or '-', got {ident!r}")
            if role not in ROLES:
                raise ValueError(f"roster {path}, line {line}: role must be one of {ROLES}, "
                                 f"got {row.get('role')!r}")
            if ident in seen:
                raise ValueError(f"roster {path}, line {line}: id {ident!r} appears twice")
            seen.add(ident)
            extra = {key: (row.get(key) or "").strip() or None
                     for key in ("first_name", "last_name", "email")}
            members.append(Member(ident, role, **extra))
    return members


def course_id(course: str | os.PathLike) -> str:
    """The nbgrader course id set in ``course/nbgrader_config.py`` (``lrlab`` for this course)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    ident = config.CourseDirectory.get("course_id")
    if not ident:
        raise ValueError(f"{Path(course) / 'nbgrader_config.py'} sets no "
                         f"c.CourseDirectory.course_id; the hub needs one")
    return str(ident)


def _copy_course():
    spec = importlib.util.spec_from_file_location("lrlab_release", COURSEWORK / "release.py")
    release = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(release)
    return release.copy_course


def setup_course(root: str | os.PathLike, roster: str | os.PathLike, *,
                 coursework: str | os.PathLike = COURSEWORK) -> HubPaths:
    """Create (or complete) the folders of a course hub under ``root``.

    Parameters
    ----------
    root
        The hub's root folder (``LRLAB_HUB_ROOT``).
    roster
        The roster CSV (see :func:`read_roster`); copied to ``root/roster.csv``.
    coursework
        Where the course comes from (this repository's ``coursework/``).

    Returns
    -------
    HubPaths
        The folders, all existing.
    """
    paths = HubPaths(Path(root).resolve())
    members = read_roster(roster)                      # fail before touching anything
    coursework = Path(coursework)
    for folder in (paths.root, paths.state):
        folder.mkdir(parents=True, exist_ok=True)
    if not (paths.course / "nbgrader_config.py").exists():
        _copy_course()(coursework, paths.course)
    for source in sorted((coursework / "source").iterdir()):
        target = paths.course / "source" / source.name
        if source.is_dir() and not target.exists():
            shutil.copytree(source, target,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    paths.exchange.mkdir(exist_ok=True)
    paths.exchange.chmod(0o777)                        # nbgrader: "chmod ugo+rw" on the exchange
    if Path(roster).resolve() != paths.roster:
        shutil.copyfile(roster, paths.roster)
    _import_students(paths.course, [m for m in members if m.role == "student"])
    return paths


def _import_students(course: Path, students: list[Member]) -> None:
    from nbgrader.api import Gradebook

    # nbgrader runs the `alembic` command of its environment to set up the gradebook.
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id(course)) as gradebook:
        for student in students:
            gradebook.update_or_create_student(student.id, first_name=student.first_name,
                                               last_name=student.last_name, email=student.email)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the hub's root folder (LRLAB_HUB_ROOT)")
    parser.add_argument("--roster", type=Path, required=True,
                        help="CSV with columns id,role[,first_name,last_name,email]")
    args = parser.parse_args(argv)
    paths = setup_course(args.root, args.roster)
    members = read_roster(paths.roster)
    counts = {role: sum(m.role == role for m in members) for role in ROLES}
    print(f"course hub in {paths.root}: {counts['instructor']} instructor(s), "
          f"{counts['student']} student(s); course directory {paths.course}, "
          f"exchange {paths.exchange}")


if __name__ == "__main__":
    main()
