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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HERE, NOTEBOOKS
from _common import main as build


def write_rule_table() -> Path:
    """docs/rule_table.md from the same rows as notebook 09's table."""
    from part2_cells import rule_table_markdown

    path = NOTEBOOKS.parent / "docs" / "rule_table.md"
    path.write_text(rule_table_markdown(), encoding="utf-8")
    return path


def main(argv=None) -> int:
    from part2_cells import NOTEBOOKS_PART2

    return build(NOTEBOOKS_PART2, __doc__.splitlines()[0], argv,
                 after=lambda: print(f"{write_rule_table()}: written"))


if __name__ == "__main__":
    sys.exit(main())
