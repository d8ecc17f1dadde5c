"""Every course notebook: python3 kernel, stored outputs, the course's structure.

nbval (run by the main test command) checks that the notebooks *run* and that
their key numbers hold; this file checks how they are *stored*: they must read
well on GitHub without a kernel, and every one must have the same skeleton
(objectives, takeaways, references, self-checking claims).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PART1 = [p for p in NOTEBOOKS if p.name[:2] in {"00", "01", "02", "03", "04"}]


def load(path: Path):
    return nbformat.read(path, as_version=4)


def headings(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [m.strip().lower() for m in re.findall(r"^#+\s*(.+)$", cell.source, re.M)]
    return out


def test_part1_notebooks_exist():
    names = [p.stem for p in PART1]
    assert names == ["00_start_here", "01_step_size_on_a_bowl", "02_divergence_and_nan",
                     "03_stochastic_gradients", "04_annealing_and_schedules"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernel_is_python3(path):
    nb = load(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    nbformat.validate(nb)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stored_and_clean(path):
    nb = load(path)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, "a notebook without code"
    unexecuted = [c.source[:40] for c in code if c.execution_count is None]
    assert not unexecuted, f"cells not executed (store outputs): {unexecuted}"
    counts = [c.execution_count for c in code]
    assert counts == sorted(counts), "cells were executed out of order"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"stored error output: {errors[0].get('ename')}"
    images = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert images >= 1, "no figure is stored: the notebook would read badly without a kernel"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_structure_objectives_takeaways_references(path):
    nb = load(path)
    hs = headings(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    for required in ("learning objectives", "takeaways", "references"):
        assert any(h.startswith(required) for h in hs), f"missing heading {required!r}"
    order = [next(i for i, h in enumerate(hs) if h.startswith(r))
             for r in ("learning objectives", "takeaways", "references")]
    assert order == sorted(order), "objectives must open and takeaways/references close"
    refs = nb.cells[-1].source
    assert re.search(r"\(\d{4}\)|\d{4}\)", refs), "references should name sources with years"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_claims_are_checked(path):
    nb = load(path)
    sources = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any(re.search(r"^\s*assert ", s, re.M) for s in sources), "no assert cell"
    assert any("# NBVAL_CHECK_OUTPUT" in s for s in sources), "no NBVAL_CHECK_OUTPUT cell"


@pytest.mark.parametrize("path", PART1, ids=lambda p: p.stem)
def test_part1_has_an_app_a_prediction_and_a_check(path):
    nb = load(path)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"widgets\.(explorer_1d|explorer_2d|schedule_race|noise_explorer)", code)
    assert "widgets.quiz(" in code
    assert "predict" in text.lower()
    apps = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
            and "image/png" in o.get("data", {})]
    assert apps, "an app's output must carry a static PNG next to the live widget"


def test_start_here_maps_every_question_to_notebooks():
    nb = load(ROOT / "notebooks" / "00_start_here.ipynb")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for nn in ("01", "02", "03", "04", "05", "06", "07", "08", "09"):
        assert re.search(rf"\]\({nn}_\w+\.ipynb\)", text), f"no link to notebook {nn}"
    for phrase in ("shape", "overshoot", "constant", "which values"):
        assert phrase in text.lower()


@pytest.mark.parametrize(("script", "table"), [("build_part1", "NOTEBOOKS_PART1"),
                                               ("part2_cells", "NOTEBOOKS_PART2")])
def test_notebooks_match_their_build_script(script, table):
    """The .ipynb sources are what notebooks/_build/ writes (no hand edits)."""
    spec = importlib.util.spec_from_file_location(
        script, ROOT / "notebooks" / "_build" / f"{script}.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    for name, cells in getattr(build, table).items():
        stored = [c.source for c in load(ROOT / "notebooks" / f"{name}.ipynb").cells]
        assert stored == [c.source for c in cells], f"{name} differs from its build script"
