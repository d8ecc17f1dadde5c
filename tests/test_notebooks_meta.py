"""Every course notebook: python3 kernel, stored outputs, the course's structure.

nbval (run by the main test command) checks that the notebooks *run* and that
their key numbers hold; this file checks how they are *stored*: they must read
well on GitHub without a kernel (every cell that prints, draws or shows something
carries that output), and every one must have the same skeleton (objectives,
takeaways, references, self-checking claims). tests/test_notebook_pairs.py checks
that each ``.ipynb`` and its MyST ``.md`` say the same thing.
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
COURSE = [*NOTEBOOKS, ROOT / "notebooks" / "dashboard.ipynb"]
PART1 = [p for p in NOTEBOOKS if p.name[:2] in {"00", "01", "02", "03", "04"}]
#: Calls that end a cell without displaying anything.
SILENT_CALLS = {"set_printoptions", "seed", "use", "close"}


def load(path: Path):
    return nbformat.read(path, as_version=4)


def headings(nb) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out += [m.strip().lower() for m in re.findall(r"^#+\s*(.+)$", cell.source, re.M)]
    return out


def parse(source: str) -> ast.Module:
    """A code cell's syntax tree; an invalid escape such as ``"$\\eta$"`` is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return ast.parse(source)


def called(tree: ast.AST) -> set[str]:
    """Names of the functions and methods a cell calls when it runs (``plt.show()`` gives
    ``show``; calls inside a function or class definition do not run with the cell)."""
    names, todo = set(), [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
        todo.extend(ast.iter_child_nodes(node))
    return names


def expects_output(source: str) -> bool:
    """Whether a code cell must have stored output: it prints, shows a figure, or ends on
    an expression Jupyter displays (not a ``;``-silenced one, not a ``set_printoptions``)."""
    tree = parse(source)
    if {"print", "show", "display"} & called(tree):
        return True
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr) or source.rstrip().endswith(";"):
        return False
    return not (isinstance(last.value, ast.Call) and called(last.value) & SILENT_CALLS
                and len(called(last.value)) == 1)


def image_count(cell) -> int:
    return sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))


@pytest.mark.parametrize("source", ["print(1)", "x = 1\nplt.show()", "h.summary()",
                                    "widgets.quiz('q', answer='a', options=['a'])",
                                    "from IPython.display import display\ndisplay(x)"])
def test_expects_output_on_cells_that_show_something(source):
    assert expects_output(source)


@pytest.mark.parametrize("source", ["x = 1", "import numpy as np", "assert x == 1",
                                    "np.set_printoptions(precision=4)", "h.summary();",
                                    "def f():\n    print(1)", "for x in y:\n    pass"])
def test_expects_no_output_on_silent_cells(source):
    # (a function that prints when called prints nothing when it is defined)
    assert not expects_output(source)


def test_an_invalid_escape_in_a_cell_is_an_error():
    with pytest.raises(SyntaxError, match="escape"):
        parse('ax.set_ylabel("learning rate $\\eta_t$")')


def test_part1_notebooks_exist():
    names = [p.stem for p in PART1]
    assert names == ["00_start_here", "01_step_size_on_a_bowl", "02_divergence_and_nan",
                     "03_stochastic_gradients", "04_annealing_and_schedules"]


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_kernel_is_python3(path):
    nb = load(path)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.metadata["language_info"]["name"] == "python"
    nbformat.validate(nb)


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_outputs_are_stored_and_clean(path):
    nb = load(path)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    assert code, "a notebook without code"
    unexecuted = [c.source[:40] for c in code if c.execution_count is None]
    assert not unexecuted, f"cells not executed (store outputs): {unexecuted}"
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "not one clean run from the top"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"stored error output: {errors[0].get('ename')}"
    silent = [c.source[:60] for c in code if expects_output(c.source) and not c.outputs]
    assert not silent, f"cells that print or show something were stored without output: {silent}"
    blank = [c.source[:60] for c in code if "show" in called(parse(c.source))
             and not image_count(c)]
    assert not blank, f"cells that draw a figure were stored without its image: {blank}"
    if path.stem != "dashboard":   # the dashboard is one live app (Voilà), no static figure
        assert sum(image_count(c) for c in code) >= 1, (
            "no figure is stored: the notebook would read badly without a kernel")


#: Functions a notebook defines on purpose: notebook 10's subject is the learner's own
#: network, written in the notebook as a learner writes it (its loss and backprop).
LEARNERS_CODE = {"10_your_own_model": {"unpack", "forward", "loss", "backprop"}}


@pytest.mark.parametrize("path", COURSE, ids=lambda p: p.stem)
def test_logic_lives_in_lrlab_not_in_cells(path):
    """Notebooks call lrlab; a helper defined in a cell has no docstring, no validation and
    no test (CONTRIBUTING.md: move it into lrlab). Nor does a cell build code to exec."""
    for cell in load(path).cells:
        if cell.cell_type != "code":
            continue
        tree = parse(cell.source)
        defined = [node.name for node in ast.walk(tree)
                   if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
        defined = [name for name in defined if name not in LEARNERS_CODE.get(path.stem, ())]
        assert not defined, f"defined in a cell (move to lrlab): {defined}"
        assert not {"exec", "eval"} & called(tree), f"exec/eval in a cell: {cell.source[:60]}"


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
