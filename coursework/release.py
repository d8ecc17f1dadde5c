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
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

COURSE = Path(__file__).resolve().parent
DEFAULT_DEST = COURSE.parent / "notebooks" / "exercises"


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

    Returns the written notebooks. Raises ``RuntimeError`` with nbgrader's log
    when nbgrader fails.
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
            files = sorted(p.relative_to(released) for p in released.rglob("*") if p.is_file())
            if [str(f) for f in files] != [f"{name}.ipynb"]:
                raise RuntimeError(f"assignment {name!r} must consist of exactly one notebook "
                                   f"named {name}.ipynb; nbgrader released {files}")
            target = dest / f"{name}.ipynb"
            shutil.copyfile(released / f"{name}.ipynb", target)
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEFAULT_DEST,
                        help="where to write <assignment>.ipynb (default: notebooks/exercises)")
    parser.add_argument("assignment", nargs="*", help="assignments (default: all)")
    args = parser.parse_args(argv)
    for path in generate(args.dest, names=args.assignment or None):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
