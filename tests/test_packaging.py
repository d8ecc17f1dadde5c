"""Packaging promises: two-command README, CI calls it, conda/Binder files agree, lazy import."""

import re
import subprocess
import sys
from pathlib import Path

from environment_file import environment_specs

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
    assert "python3 -m venv" in lab and "notebooks/00_start_here.ipynb" in lab
    assert "jupyter lab" in lab
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


def test_every_environment_package_is_declared_in_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {re.split(r"[<>=\[ ]", d)[0].lower()
                for d in meta["dependencies"] + meta["optional-dependencies"]["lab"]}
    env = list(environment_specs())
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


def test_readme_lab_command_starts_jupyterlab_on_the_first_notebook(tmp_path):
    """Run the last part of command 1 (the set-up parts ran when this venv was made)."""
    import json
    import os
    import secrets
    import shlex
    import socket
    import time
    import urllib.request

    import pytest

    launch = shlex.split(_readme_commands()[0].split("&&")[-1])
    jupyter = ROOT / launch[0]
    if not jupyter.exists():
        pytest.skip(f"{launch[0]} does not exist: run command 1 (or 2) of the README first")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_hex(8)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = (tmp_path / "server.log").open("wb")  # a file, not a pipe: a full pipe blocks it
    proc = subprocess.Popen(
        [str(jupyter), *launch[1:], "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # given a notebook path, JupyterLab serves that notebook's folder (notebooks/)
        url = f"http://127.0.0.1:{port}/api/contents/00_start_here.ipynb?content=0&token={token}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    info = json.load(response)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("JupyterLab did not start: " + (
                        tmp_path / "server.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        assert info["type"] == "notebook" and info["name"] == "00_start_here.ipynb"
        page = f"http://127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token={token}"
        with urllib.request.urlopen(page, timeout=10) as response:
            assert response.status == 200 and b"JupyterLab" in response.read()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
