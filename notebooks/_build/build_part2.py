"""Write notebooks 05-09 of the course with nbformat, then execute them in place.

    .venv/bin/python notebooks/_build/build_part2.py            # write + execute all
    .venv/bin/python notebooks/_build/build_part2.py --no-exec  # write only
    .venv/bin/python notebooks/_build/build_part2.py 07         # one notebook

Same approach as ``build_part1.py`` (notebooks 00-04): the text lives here,
the .ipynb files are generated and executed so that they keep their outputs.
Edit here, not in the notebooks, and rerun. The cells of each notebook are in
``part2_cells.py`` (one list per notebook); ``docs/rule_table.md`` is written
from the same table as notebook 09.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent


def write(name: str, cells: list) -> Path:
    """Write one notebook (python3 kernel, validated)."""
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


def write_rule_table() -> Path:
    """docs/rule_table.md from the same rows as notebook 09's table."""
    sys.path.insert(0, str(HERE))
    from part2_cells import rule_table_markdown

    path = NOTEBOOKS.parent / "docs" / "rule_table.md"
    path.write_text(rule_table_markdown(), encoding="utf-8")
    return path


def main(argv=None) -> int:
    sys.path.insert(0, str(HERE))
    from part2_cells import NOTEBOOKS_PART2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument("--no-exec", action="store_true", help="write without executing")
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS_PART2.items():
        if args.only and not any(name.startswith(p) for p in args.only):
            continue
        path = write(name, cells)
        if not args.no_exec:
            print(f"{path.name}: executed in {execute(path):.1f} s")
        else:
            print(f"{path.name}: written")
    print(f"{write_rule_table()}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
