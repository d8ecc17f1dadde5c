"""Packaging promises: two-command README, CI calls it, conda/Binder files agree, lazy import."""

import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", quick, flags=re.S)


def test_readme_quick_start_has_exactly_two_one_line_commands():
    commands = _readme_commands()
    assert len(commands) == 2, commands
    assert all("\n" not in c for c in commands)
    lab, test = commands
    assert "python3 -m venv" in lab and "jupyter lab notebooks/00_start_here.ipynb" in lab
    assert "python3 -m venv" in test and "-m pytest" in test


def test_ci_runs_exactly_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci.splitlines()
    assert "set -euo pipefail" in ci


def test_binder_environment_is_identical_and_postbuild_installs():
    assert (ROOT / "binder" / "environment.yml").read_bytes() == (
        ROOT / "environment.yml"
    ).read_bytes()
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "set -e" in post and "pip install --no-deps -e ." in post


def _env_packages():
    names = []
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"\s+- ([A-Za-z0-9_.-]+)", line)
        if m and m.group(1) not in ("conda-forge",):
            names.append(m.group(1).lower())
    return names


def test_every_environment_package_is_declared_in_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=\[ ]", d)[0].lower()
                for d in meta["dependencies"] + meta["optional-dependencies"]["lab"]}
    env = [n for n in _env_packages() if n not in ("python", "pip")]
    assert env and set(env) <= declared, set(env) - declared
    assert re.search(r"- python=3\.\d+$", (ROOT / "environment.yml").read_text(), re.M)
    # nbgrader is an instructor tool and stays out of Binder
    assert "nbgrader" not in env


def test_import_lrlab_is_light():
    code = ("import sys, lrlab; heavy = [m for m in ('matplotlib', 'scipy', 'ipywidgets') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_license_and_python_floor():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["requires-python"] == ">=3.10"
    assert "BSD" in (ROOT / "LICENSE").read_text()
