"""environment.yml read as pip sees it (shared by test_packaging.py and test_binder_env.py)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge names that are not the PyPI names pyproject.toml declares
CONDA_TO_PYPI = {"python-isal": "isal"}


def environment_specs() -> dict[str, str]:
    """environment.yml's packages, by PyPI name -> their version specifier.

    ``python`` and ``pip`` are left out; conda-forge names that differ from the
    PyPI names are mapped through :data:`CONDA_TO_PYPI`.
    """
    specs = {}
    for line in (ROOT / "environment.yml").read_text().splitlines():
        m = re.match(r"\s+- ([A-Za-z0-9_.-]+)\s*([<>=!~].*)?$", line)
        if m and m.group(1) not in ("conda-forge", "python", "pip"):
            name = m.group(1).lower()
            specs[CONDA_TO_PYPI.get(name, name)] = (m.group(2) or "").strip()
    return specs
