"""Is this set-up complete? ``python -m lrlab.check_install`` tells a student.

It reports the versions of everything the course uses, whether the widget
front-ends that JupyterLab / Notebook 7 need are installed (ipywidgets'
``@jupyter-widgets/jupyterlab-manager`` and, for ``%matplotlib widget``,
ipympl's ``jupyter-matplotlib``), and what to do about anything missing.
It exits with status 0 when the course will work, 1 otherwise.
"""

from __future__ import annotations

import importlib
import importlib.metadata as md
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Check", "Report", "check", "main"]

#: (distribution, import name, needed for, advice when missing)
PACKAGES = (
    ("numpy", "numpy", "everything", "pip install numpy"),
    ("scipy", "scipy", "sharpness, L-BFGS", "pip install scipy"),
    ("matplotlib", "matplotlib", "every plot", "pip install matplotlib"),
    ("ipywidgets", "ipywidgets", "the sliders", "pip install ipywidgets"),
    ("jupyterlab", "jupyterlab", "opening the course", 'pip install -e ".[lab]"'),
    ("ipympl", "ipympl", "%matplotlib widget (optional)", 'pip install -e ".[lab]"'),
    ("tqdm", "tqdm", "progress bars (optional)", "pip install tqdm"),
    ("scikit-learn", "sklearn", "the 8x8 digits data set", "pip install scikit-learn"),
)
OPTIONAL = {"ipympl", "tqdm", "jupyterlab"}
#: Importing ipympl switches matplotlib's backend for the whole process: check the
#: distribution (and its lab extension below) instead.
NO_IMPORT = {"ipympl"}

#: Lab extensions (folder under share/jupyter/labextensions) and what they are for.
EXTENSIONS = (
    ("@jupyter-widgets/jupyterlab-manager", "ipywidgets sliders render in JupyterLab/Notebook 7",
     "pip install ipywidgets  (it brings jupyterlab_widgets)"),
    ("jupyter-matplotlib", "%matplotlib widget figures render (optional)",
     "pip install ipympl"),
)


@dataclass
class Check:
    """One line of the report."""

    name: str
    ok: bool
    detail: str
    advice: str = ""
    optional: bool = False


@dataclass
class Report:
    """All checks; ``ok`` is True when nothing required is missing."""

    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok or c.optional for c in self.checks)

    def text(self) -> str:
        lines = [f"lrlab set-up check (Python {sys.version.split()[0]}, {sys.executable})"]
        for c in self.checks:
            mark = "ok " if c.ok else ("-- " if c.optional else "NO ")
            lines.append(f"  [{mark}] {c.name:<38} {c.detail}")
            if not c.ok and c.advice:
                lines.append(f"         fix: {c.advice}")
        lines.append("All set: open notebooks/00_start_here.ipynb." if self.ok else
                     "Something required is missing: apply the fixes above, then restart "
                     "JupyterLab (and reload the browser tab).")
        return "\n".join(lines)


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def _labextension_dirs() -> list[Path]:
    """Folders where JupyterLab looks for prebuilt extensions."""
    dirs = [Path(sys.prefix) / "share" / "jupyter" / "labextensions"]
    try:
        from jupyter_core.paths import jupyter_path

        dirs += [Path(p) for p in jupyter_path("labextensions")]
    except ImportError:
        pass
    return list(dict.fromkeys(dirs))


def check() -> Report:
    """Run every check and return the :class:`Report` (nothing is printed)."""
    report = Report()
    floor = (3, 10)  # the package refuses to install below it; an old kernel can still run
    report.checks.append(Check("Python >= 3.10", sys.version_info[:2] >= floor,
                               sys.version.split()[0], "install Python 3.10 or newer"))
    for dist, module, why, advice in PACKAGES:
        version = _version(dist)
        ok = version is not None
        if ok and module not in NO_IMPORT:
            try:
                importlib.import_module(module)
            except Exception as err:  # installed but broken
                ok, version = False, f"installed but import fails: {err}"
        report.checks.append(Check(f"{dist} ({why})", ok, version or "not installed", advice,
                                   optional=dist in OPTIONAL))
    ipyw = _version("ipywidgets")
    if ipyw and int(ipyw.split(".")[0]) < 8:
        report.checks.append(Check("ipywidgets >= 8", False, ipyw, "pip install -U ipywidgets"))
    dirs = _labextension_dirs()
    for name, why, advice in EXTENSIONS:
        found = [d for d in dirs if (d / name / "package.json").exists()]
        report.checks.append(Check(
            f"lab extension {name}", bool(found),
            f"found in {found[0]}" if found else f"missing ({why})", advice,
            optional=name == "jupyter-matplotlib"))
    return report


def main(argv: list[str] | None = None) -> int:
    """Print the report; return 0 when the set-up is complete, else 1."""
    report = check()
    print(report.text())
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
