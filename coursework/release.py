"""Generate the student versions of the assignments and copy them next to the course.

Usage (from the repository root)::

    python coursework/release.py               # writes notebooks/exercises/<assignment>.ipynb
    python coursework/release.py --dest DIR    # somewhere else (the tests use a temporary folder)

For every folder ``source/<assignment>/`` (one notebook ``<assignment>.ipynb``
each), this runs nbgrader's ``generate_assignment`` -- through
:class:`nbgrader.apps.NbGraderAPI`, the same app as the ``nbgrader
generate_assignment`` command -- on a temporary copy of the course (so no
gradebook or ``release/`` folder is written into the repository) and copies
the generated notebook, byte for byte, to ``DEST/<assignment>.ipynb``.
nbgrader's output is deterministic (the cell checksums are MD5 hashes of the
cell sources), so running this twice gives identical files; the test suite
re-runs it and compares.

*Data files.* nbgrader releases every other file of ``source/<assignment>/``
too (and copies it again into each submission it autogrades). Such a file
must be named ``<assignment>_*`` (e.g. ``06_diagnose_runs_logs.npz``): it is
copied, byte for byte, to ``DEST/<assignment>_*`` next to the notebook, so
the notebook opens it by its bare name both in ``notebooks/exercises/``
(JupyterLab, Binder) and in an nbgrader release folder, and the files of
different assignments cannot clash in the flat ``DEST``. *Instructor-only
files* -- names matching :data:`INSTRUCTOR_ONLY` (``make_*.py``,
``instructor_*``: the script that generates a data file, an answer key) --
are excluded by ``CourseDirectory.ignore`` in ``nbgrader_config.py``, so
nbgrader never releases them; this script refuses to copy any that appears.
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import shutil
import sys
import tempfile
from pathlib import Path

COURSE = Path(__file__).resolve().parent
DEFAULT_DEST = COURSE.parent / "notebooks" / "exercises"
#: Files of ``source/<assignment>/`` that students never get (``nbgrader_config.py`` ignores them).
INSTRUCTOR_ONLY = ("make_*.py", "instructor_*")


def assignments(course: Path = COURSE) -> list[str]:
    """Names of the assignments: the folders of ``source/``, sorted."""
    return sorted(p.name for p in (course / "source").iterdir() if p.is_dir()
                  and not p.name.startswith("."))


def _api(root: Path):
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    config.CourseDirectory.root = str(root)
    return NbGraderAPI(config=config)


def _with_scripts_on_path():
    # nbgrader runs the `alembic` command of its environment to set up the gradebook.
    bindir = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if bindir not in path.split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + path


def copy_course(course: Path, target: Path) -> Path:
    """Copy the parts of a course nbgrader needs (config and sources) to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(course / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def generate(dest: Path = DEFAULT_DEST, course: Path = COURSE,
             names: list[str] | None = None) -> list[Path]:
    """Run ``generate_assignment`` on a temporary copy of ``course``; copy the results to ``dest``.

    Returns the written files: per assignment its notebook, then its data
    files (sorted). Raises ``RuntimeError`` with nbgrader's log when nbgrader
    fails, or when nbgrader released a file that is not the notebook or a
    data file ``<assignment>_*``, or an instructor-only file.
    """
    _with_scripts_on_path()
    names = assignments(course) if names is None else names
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="lrlab-course-") as tmp:
        root = copy_course(course, Path(tmp) / "course")
        api = _api(root)
        for name in names:
            result = api.generate_assignment(name, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader generate_assignment {name} failed:\n"
                                   f"{result['error']}\n{result['log']}")
            released = root / "release" / name
            written.extend(_copy_release(released, name, dest))
    return written


def released_files(released: Path, name: str) -> list[str]:
    """The files nbgrader released for ``name``: the notebook first, then the data files.

    Raises ``RuntimeError`` unless they are exactly one notebook ``<name>.ipynb``
    and files ``<name>_*`` (no folder, no other notebook, no instructor-only file).
    """
    files = sorted(str(p.relative_to(released)) for p in released.rglob("*") if p.is_file())
    notebook = f"{name}.ipynb"
    data = [f for f in files if f != notebook]
    secret = [f for f in files if any(fnmatch.fnmatch(Path(f).name, pattern)
                                      for pattern in INSTRUCTOR_ONLY)]
    if secret:
        raise RuntimeError(f"nbgrader released instructor-only files of {name!r}: {secret}; "
                           "check CourseDirectory.ignore in nbgrader_config.py")
    bad = [f for f in data if "/" in f or not f.startswith(f"{name}_") or f.endswith(".ipynb")]
    if notebook not in files or bad:
        raise RuntimeError(f"assignment {name!r} must consist of one notebook {notebook} and "
                           f"data files named {name}_*; nbgrader released {files}")
    return [notebook, *data]


def _copy_release(released: Path, name: str, dest: Path) -> list[Path]:
    written = []
    for file in released_files(released, name):
        target = dest / file
        shutil.copyfile(released / file, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                        help="where to write <assignment>.ipynb and its data files "
                        "(default: notebooks/exercises)")
    parser.add_argument("assignment", nargs="*", help="assignments (default: all)")
    args = parser.parse_args(argv)
    for path in generate(args.dest, names=args.assignment or None):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
