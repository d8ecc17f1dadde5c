"""What both notebook builders share: cell helpers, writing, executing, the command line.

``build_part1.py`` (notebooks 00-04) and ``build_part2.py`` + ``part2_cells.py``
(05-09) hold the text; this module turns their cell lists into executed
``.ipynb`` files with the ``python3`` kernel.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent
#: nbval compares the stored output of cells carrying this comment.
CHECK = "# NBVAL_CHECK_OUTPUT"


def md(text: str):
    """A Markdown cell (surrounding blank lines stripped)."""
    return new_markdown_cell(text.strip("\n"))


def code(text: str):
    """A code cell (surrounding blank lines stripped)."""
    return new_code_cell(text.strip("\n"))


def write(name: str, cells: list) -> Path:
    """Write one notebook (python3 kernel, validated) into ``notebooks/``."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.validate(nb)
    nbformat.write(nb, path)
    return path


def execute(path: Path) -> float:
    """Execute a notebook in place (outputs stored); return the wall time in seconds."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook",
                    "--execute", "--inplace", "--ExecutePreprocessor.kernel_name=python3",
                    "--ExecutePreprocessor.timeout=120", str(path)], check=True,
                   cwd=NOTEBOOKS)
    return time.perf_counter() - t0


def main(notebooks: dict, description: str, argv=None,
         after: Callable[[], None] | None = None) -> int:
    """``builder.py [prefix ...] [--no-exec]``: write (and execute) the chosen notebooks."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("only", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument("--no-exec", action="store_true", help="write without executing")
    args = parser.parse_args(argv)
    for name, cells in notebooks.items():
        if args.only and not any(name.startswith(p) for p in args.only):
            continue
        path = write(name, cells)
        if not args.no_exec:
            print(f"{path.name}: executed in {execute(path):.1f} s")
        else:
            print(f"{path.name}: written")
    if after is not None:
        after()
    return 0
