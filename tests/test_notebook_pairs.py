"""Every course notebook is a jupytext pair, and the two halves say the same thing.

A course notebook lives twice in ``notebooks/``: ``NN_name.md`` (MyST Markdown, the
text people edit, review and diff) and ``NN_name.ipynb`` (the same cells with their
stored outputs, which GitHub renders). These tests fail when the two drift apart,
which is what happens when one of them is edited and ``jupytext --sync`` is not run:

* converting the ``.ipynb`` to ``md:myst`` (``jupytext --to md:myst``, run in a
  temporary folder) reproduces the ``.md`` byte for byte, apart from the
  ``jupytext_version`` line of the header;
* the ``.md``'s cells, read back, are the ``.ipynb``'s cells (type and source);
* ``jupytext --sync`` on an up-to-date pair changes neither file (cells, outputs and
  metadata; jupytext's own bookkeeping aside).

The exercise notebooks (``notebooks/exercises/``) are deliberately not paired: they
are nbgrader's output, byte for byte (tests/test_coursework.py), and their source of
truth is ``coursework/source/`` (see CONTRIBUTING.md).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
COURSE = [*sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb")), NOTEBOOKS / "dashboard.ipynb"]
FORMATS = "ipynb,md:myst"
#: The one header line that depends on the jupytext release, not on the notebook.
VERSION_LINE = re.compile(r"^(\s*jupytext_version:).*$", re.M)


def ids(path: Path) -> str:
    return path.stem


def normalise(text: str) -> str:
    """The text of a MyST notebook with its ``jupytext_version`` header value blanked."""
    return VERSION_LINE.sub(r"\1 ...", text)


def jupytext_cli(*args: str, cwd: Path) -> None:
    """Run ``python -m jupytext ARGS`` in ``cwd`` (the same jupytext as the test suite)."""
    subprocess.run([sys.executable, "-m", "jupytext", "--quiet", *args], cwd=cwd,
                   check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    """A temporary folder with a copy of every course .ipynb and its fresh .md conversion."""
    folder = tmp_path_factory.mktemp("round_trip")
    for path in COURSE:
        shutil.copy(path, folder / path.name)
    jupytext_cli("--to", "md:myst", *(p.name for p in COURSE), cwd=folder)
    return folder


@pytest.fixture(scope="module")
def synced(tmp_path_factory) -> Path:
    """A temporary copy of every pair after ``jupytext --sync`` with the .md files newest."""
    folder = tmp_path_factory.mktemp("sync")
    for path in COURSE:
        for half in (path, path.with_suffix(".md")):
            shutil.copy(half, folder / half.name)
            os.utime(folder / half.name, (1_000_000_000, 1_000_000_000))
        os.utime(folder / path.with_suffix(".md").name, (1_000_000_100, 1_000_000_100))
    jupytext_cli("--sync", *(p.with_suffix(".md").name for p in COURSE), cwd=folder)
    return folder


def test_the_course_has_thirteen_pairs_and_nothing_else_is_paired():
    assert len(COURSE) == 13 and all(p.exists() for p in COURSE)
    texts = {p.stem for p in NOTEBOOKS.glob("*.md") if p.name != "README.md"}
    assert texts == {p.stem for p in COURSE}, "a .md without its .ipynb, or the reverse"
    for exercise in (NOTEBOOKS / "exercises").glob("*.ipynb"):
        nb = nbformat.read(exercise, as_version=4)
        assert "jupytext" not in nb.metadata, f"{exercise.name}: nbgrader output is not paired"


@pytest.mark.parametrize("path", COURSE, ids=ids)
def test_both_halves_declare_the_pairing(path):
    assert nbformat.read(path, as_version=4).metadata["jupytext"]["formats"] == FORMATS
    text = jupytext.read(path.with_suffix(".md"))
    assert text.metadata["jupytext"]["formats"] == FORMATS
    assert text.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", COURSE, ids=ids)
def test_converting_the_ipynb_reproduces_the_md(path, converted):
    fresh = (converted / path.with_suffix(".md").name).read_text(encoding="utf-8")
    stored = path.with_suffix(".md").read_text(encoding="utf-8")
    assert normalise(fresh) == normalise(stored), (
        f"{path.stem}.md is not what {path.name} converts to: run "
        f"`jupytext --sync notebooks/{path.stem}.md` (see CONTRIBUTING.md)")


@pytest.mark.parametrize("path", COURSE, ids=ids)
def test_the_md_cells_are_the_ipynb_cells(path):
    stored = nbformat.read(path, as_version=4).cells
    text = jupytext.read(path.with_suffix(".md")).cells
    assert len(text) == len(stored), f"{len(text)} cells in the .md, {len(stored)} in the .ipynb"
    for i, (a, b) in enumerate(zip(text, stored, strict=True)):
        assert (a.cell_type, a.source) == (b.cell_type, b.source), (
            f"{path.stem}: cell {i} differs between the .md and the .ipynb")


def content(path: Path) -> dict:
    """What a stored notebook says: cells with their outputs, and its metadata (of
    jupytext's own metadata only the pairing, which does not depend on its release)."""
    nb = nbformat.read(path, as_version=4)
    metadata = {k: v for k, v in nb.metadata.items() if k != "jupytext"}
    metadata["formats"] = nb.metadata.get("jupytext", {}).get("formats")
    cells = [(c.cell_type, c.source, c.get("outputs"), c.get("execution_count"))
             for c in nb.cells]
    return {"metadata": metadata, "cells": cells}


@pytest.mark.parametrize("path", COURSE, ids=ids)
def test_sync_on_an_up_to_date_pair_changes_nothing(path, synced):
    text = path.with_suffix(".md")
    assert normalise((synced / text.name).read_text(encoding="utf-8")) == normalise(
        text.read_text(encoding="utf-8")), f"`jupytext --sync` rewrites {text.name}"
    assert content(synced / path.name) == content(path), (
        f"`jupytext --sync` changes {path.name}: the pair is out of sync")
