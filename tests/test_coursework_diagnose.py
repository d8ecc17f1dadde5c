"""Assignment 06_diagnose_runs: its data file, where the notebook finds it, how it is made.

The grading itself (solution full marks, release zero, every planted mistake loses its
points) runs in tests/test_coursework.py with the other assignments; this file tests what
only this assignment has: a data file released next to the notebook, made by an
instructor-only script that nbgrader must not release.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
A6 = "06_diagnose_runs"
SOURCE = COURSE / "source" / A6
EXERCISES = ROOT / "notebooks" / "exercises"


def _module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


release = _module("release", COURSE / "release.py")


def _setup_cell(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.id == "setup")


@pytest.mark.parametrize("folder", [EXERCISES, SOURCE], ids=["exercises", "source"])
def test_the_notebook_finds_its_logs_next_to_itself(folder, monkeypatch, capsys):
    """Binder and JupyterLab start the kernel in the notebook's folder, nbgrader in the
    submission's: in each the data file sits next to the notebook, under the same name."""
    monkeypatch.chdir(folder)
    namespace = {}
    exec(_setup_cell(folder / f"{A6}.ipynb"), namespace)
    logs = namespace["logs"]
    assert sorted(logs) == [f"run_{c}" for c in "abcdefgh"]
    assert "run_a: SGD, constant 1.2" in capsys.readouterr().out
    # the released copy is the source's, byte for byte
    assert (EXERCISES / f"{A6}_logs.npz").read_bytes() == (SOURCE / f"{A6}_logs.npz").read_bytes()


def test_the_released_notebook_holds_no_answer():
    text = (EXERCISES / f"{A6}.ipynb").read_text()
    assert "_key" not in text and "_accepted" not in text
    for label in ('"run_a": "diverged"', '"run_g": "overfitting"', '"run_c": "reinitialize"'):
        assert label not in text
    assert not (EXERCISES / "make_logs.py").exists()


def _folder(tmp_path: Path, names: list[str]) -> Path:
    folder = tmp_path / A6
    folder.mkdir()
    for name in names:
        (folder / name).write_text("x")
    return folder


def test_release_accepts_data_files_named_after_the_assignment(tmp_path):
    folder = _folder(tmp_path, [f"{A6}.ipynb", f"{A6}_logs.npz", f"{A6}_b.csv"])
    assert release.released_files(folder, A6) == [f"{A6}.ipynb", f"{A6}_b.csv", f"{A6}_logs.npz"]


@pytest.mark.parametrize(("names", "words"), [
    ([f"{A6}.ipynb", "make_logs.py"], "instructor-only"),
    ([f"{A6}.ipynb", "instructor_key.json"], "instructor-only"),
    ([f"{A6}.ipynb", "logs.npz"], "data files named"),
    ([f"{A6}.ipynb", f"{A6}_extra.ipynb"], "data files named"),
    (["other.ipynb"], "must consist of one notebook"),
])
def test_release_refuses_other_files(tmp_path, names, words):
    with pytest.raises(RuntimeError, match=words):
        release.released_files(_folder(tmp_path, names), A6)


def test_nbgrader_ignores_the_instructor_files():
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    ignore = config.CourseDirectory.ignore
    assert set(release.INSTRUCTOR_ONLY) <= set(ignore)
    assert {".ipynb_checkpoints", "__pycache__", "*.pyc", "feedback"} <= set(ignore)


@pytest.mark.timeout(300)
def test_make_logs_reproduces_the_data_file():
    """The logs are reproducible: regenerating them gives the stored arrays (to rounding:
    BLAS kernels differ between CPUs; a diverging run on its first steps) and the same key."""
    make_logs = _module("make_logs_06_check", SOURCE / "make_logs.py")
    logs, key = make_logs.make()
    with np.load(SOURCE / f"{A6}_logs.npz") as stored:
        assert make_logs.differences(stored, logs) == []
        # and the comparison is not blind: a wrong digit, a run that no longer diverges
        tampered = {run: dict(log) for run, log in logs.items()}
        tampered["run_b"]["loss"] = np.asarray(tampered["run_b"]["loss"]) * (1 + 1e-4)
        tampered["run_a"]["diverged_at"] = -1
        found = make_logs.differences(stored, tampered)
        assert any(p.startswith("run_b/loss") for p in found), found
        assert any("run_a diverged in the stored file" in p for p in found), found
    assert key == make_logs.KEY
