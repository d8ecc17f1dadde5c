"""The package layout: acyclic imports, small modules, display code kept apart from computation.

The import graph is read from the source with :mod:`ast`, so it sees every import: at module
level, inside functions and methods (a lazy import is still a dependency: it is a cycle when it
closes one) and through ``from package import submodule``. Imports under ``if TYPE_CHECKING:``
never run and are left out. Importing ``lrlab.a.b`` also initialises the package ``lrlab.a``
first; that implicit parent edge is left out too, as every import-graph tool does, because a
package ``__init__`` that re-exports its own modules would otherwise make each of them a cycle.
The one deliberate lazy loading, ``lrlab/__init__.py``'s ``__getattr__`` (which keeps
``import lrlab`` fast), goes through ``importlib`` and is not an edge.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import lrlab

ROOT = Path(lrlab.__file__).parent
#: Modules that draw or show: everything else in lrlab is computation.
DISPLAY = ("lrlab.plots", "lrlab.apps", "lrlab.widgets")
#: Third-party packages that draw or show.
DISPLAY_PACKAGES = ("matplotlib", "ipywidgets", "IPython", "ipympl")
#: What ``import lrlab`` and a computation module must not load.
HEAVY = ("matplotlib", "ipywidgets", "torch")
MAX_LINES = 400
MAX_TOP_LEVEL_MODULES = 16


@dataclass(frozen=True)
class Import:
    module: str      # the importing module
    target: str      # what it imports: an lrlab module or a third-party top-level package
    line: int
    function: str    # "" at module level, else the enclosing function ("Result.plot")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def find_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def read_imports(name: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import of module ``name``: lrlab modules by full name, others by top package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[Import] = []

    def add(target: str, node: ast.stmt, scope: list[str]) -> None:
        found.append(Import(name, target, node.lineno, ".".join(scope)))

    def visit(node: ast.AST, scope: list[str], in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                for sub in child.orelse:
                    visit_stmt(sub, scope, in_function)
                continue
            visit_stmt(child, scope, in_function)

    def visit_stmt(child: ast.AST, scope: list[str], in_function: bool) -> None:
        if isinstance(child, ast.Import):
            for alias in child.names:
                top = alias.name.split(".")[0]
                add(alias.name if top == "lrlab" else top, child, scope if in_function else [])
        elif isinstance(child, ast.ImportFrom):
            if child.level:
                base = package.split(".")
                base = base[: len(base) - (child.level - 1)]
                source = ".".join(base + ([child.module] if child.module else []))
            else:
                source = child.module or ""
            if source.split(".")[0] != "lrlab":
                add(source.split(".")[0], child, scope if in_function else [])
                return
            for alias in child.names:   # ``from pkg import submodule`` imports the submodule
                sub = f"{source}.{alias.name}"
                add(sub if sub in modules else source, child, scope if in_function else [])
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            visit(child, [*scope, child.name], True)
        elif isinstance(child, ast.ClassDef):
            visit(child, [*scope, child.name], in_function)
        else:
            visit(child, scope, in_function)

    visit(ast.parse(path.read_text(encoding="utf-8")), [], False)
    return found


def import_graph(root: Path = ROOT) -> tuple[dict[str, Path], dict[str, list[Import]]]:
    modules = find_modules(root)
    edges = {m: list(dict.fromkeys(i for i in read_imports(m, p, modules)  # one per line
                                   if i.target in modules and i.target != m))
             for m, p in modules.items()}
    return modules, edges


def find_cycles(edges: dict[str, list[Import]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for imp in edges[v]:
            w = imp.target
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(edges):
        if v not in index:
            connect(v)
    return cycles


def describe(cycle: list[str], edges: dict[str, list[Import]]) -> str:
    members = set(cycle)
    lines = [f"  {i.module}:{i.line} imports {i.target}" + (f" (in {i.function})"
                                                            if i.function else "")
             for m in cycle for i in edges[m] if i.target in members]
    return "cycle among " + ", ".join(cycle) + ":\n" + "\n".join(lines)


def is_display(name: str) -> bool:
    return any(name == d or name.startswith(d + ".") for d in DISPLAY)


def computation_modules(modules: dict[str, Path]) -> list[str]:
    return [m for m in modules if not is_display(m)]


# ----------------------------------------------------------------------------- the tests
def test_the_import_graph_is_acyclic():
    modules, edges = import_graph()
    assert len(modules) > 60 and sum(len(e) for e in edges.values()) > 150  # it saw the package
    cycles = find_cycles(edges)
    assert not cycles, "\n".join(describe(c, edges) for c in cycles)


def test_the_cycle_finder_finds_lazy_and_module_level_cycles(tmp_path):
    pkg = tmp_path / "lrlab"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from .a import A\n")
    (pkg / "sub" / "a.py").write_text("from ..b import B\nA = 1\n")
    (pkg / "b.py").write_text(textwrap.dedent("""\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from .c import C          # never runs: not an edge
        B = 2
        def later():
            from .sub import a        # lazy, but a dependency: closes sub.a -> b -> sub.a
            return a
        """))
    (pkg / "c.py").write_text("from . import b\n")
    _, edges = import_graph(pkg)
    assert {i.target for i in edges["lrlab.b"]} == {"lrlab.sub.a"}
    assert [i.function for i in edges["lrlab.b"]] == ["later"]
    assert find_cycles(edges) == [["lrlab.b", "lrlab.sub.a"]]
    (pkg / "b.py").write_text("B = 2\n")
    _, edges = import_graph(pkg)
    assert find_cycles(edges) == []


def test_only_lrlab_init_uses_a_module_getattr():
    offenders = [name for name, path in find_modules().items() if name != "lrlab"
                 and any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__"
                         for n in ast.parse(path.read_text(encoding="utf-8")).body)]
    assert offenders == []


def test_no_file_in_lrlab_is_over_400_lines():
    long = {str(p.relative_to(ROOT.parent)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_at_most_16_modules_sit_directly_in_lrlab():
    top = sorted(p.name for p in ROOT.glob("*.py"))
    assert 5 < len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_computation_modules_import_no_display_code_at_import_time():
    """Statically: matplotlib, ipywidgets and lrlab's display modules are imported at module
    level only by display modules; a computation module may import them only inside a
    ``plot`` method (and the acyclic graph above covers that import too)."""
    modules = find_modules()
    bad = []
    for name in computation_modules(modules):
        for imp in read_imports(name, modules[name], modules):
            if imp.target in DISPLAY_PACKAGES or is_display(imp.target):
                if imp.function.rpartition(".")[2] != "plot":
                    bad.append(f"{name}:{imp.line} imports {imp.target} "
                               f"({'in ' + imp.function if imp.function else 'at module level'})")
    assert bad == []


def test_rules_depend_on_no_concrete_problem():
    """A rule reads what it needs through the Problem protocol (``constant_hessian``,
    ``hvp``, ``smoothness``, ...), never from a problem class."""
    modules = find_modules()
    concrete = ("lrlab.surfaces", "lrlab.models", "lrlab.datasets")
    # lrlab.rules.table is documentation data, not a rule: it builds an example problem
    # for the rows of the rules that read L from one.
    rule_modules = [m for m in modules if m.startswith("lrlab.rules") and m != "lrlab.rules.table"]
    assert len(rule_modules) > 12
    bad = [f"{i.module}:{i.line} imports {i.target}" for name in rule_modules
           for i in read_imports(name, modules[name], modules) if i.target.startswith(concrete)]
    assert bad == []


_FRESH = r"""
import importlib, os, sys
import numpy                                      # shared by every module; not under test
heavy = {heavy!r}
failures = []
for name in {names!r}:
    if hasattr(os, "fork"):                       # each module in a fresh child process
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            importlib.import_module(name)
            loaded = sorted(m for m in heavy if m in sys.modules)
            os.write(write, ",".join(loaded).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as f:
            out = f.read()
        _, status = os.waitpid(pid, 0)
        if status:
            failures.append(name + ": import failed")
        elif out:
            failures.append(name + " loads " + out)
    else:                                         # no fork (Windows): one interpreter each
        import subprocess
        code = ("import importlib, sys; importlib.import_module(%r); "
                "print(','.join(m for m in %r if m in sys.modules))" % (name, heavy))
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode or out.stdout.strip():
            failures.append(name + " loads " + (out.stdout.strip() or out.stderr[-300:]))
print("\n".join(failures))
"""


def _fresh_imports(names: list[str], heavy: tuple[str, ...]) -> list[str]:
    code = _FRESH.format(names=names, heavy=heavy)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "MPLBACKEND": "Agg",  # BLAS idle
                                            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr[-3000:]
    return [line for line in done.stdout.splitlines() if line]


def test_importing_a_computation_module_loads_no_matplotlib_ipywidgets_or_torch():
    modules = find_modules()
    names = [m for m in computation_modules(modules)
             if not (m == "lrlab.torch" or m.startswith("lrlab.torch."))]
    assert len(names) > 40
    assert _fresh_imports(names, HEAVY) == []


def test_the_fresh_import_check_can_fail():
    assert _fresh_imports(["lrlab.plots", "lrlab.rules"], HEAVY) == ["lrlab.plots loads matplotlib"]


def test_import_lrlab_loads_no_scipy_matplotlib_ipywidgets_or_torch():
    assert _fresh_imports(["lrlab"], ("scipy", *HEAVY)) == []
    assert _fresh_imports(["lrlab.baselines"], ("scipy",)) == []   # scipy only when called


@pytest.mark.parametrize("path", [
    "train", "sgd", "History", "Problem", "EarlyStopping", "chain", "surfaces.quadratic",
    "surfaces.Quadratic", "surfaces.get", "schedules.cosine", "schedules.warmup", "rules.adam",
    "rules.armijo", "rules.inverse_smoothness", "rules.reduce_on_plateau", "widgets.explorer_2d",
    "lr_range_test", "advise", "diagnose", "models.MLP", "models.LinearRegression",
    "models.DataProblem", "datasets.two_moons", "datasets.digits", "finder.suggest",
    "finder.RangeTestResult", "search.grid_search", "search.SearchResult",
    "plots.plot_range_test", "plots.contours", "plots.rate_bars", "apps.render.Canvas",
])
def test_public_paths_resolve(path):
    obj = lrlab
    for part in path.split("."):
        obj = getattr(obj, part)
    assert obj is not None


@pytest.mark.parametrize(("old", "new"), [
    ("mlp", "models.mlp"), ("linesearch", "rules.linesearch"), ("curvature", "rules.curvature"),
    ("polyak_bb", "rules.polyak_bb"), ("plateau", "rules.plateau"),
    ("suggestions", "finder.suggestions"), ("plots_more", "plots"),
])
def test_version_1_module_attributes_alias_the_new_modules(old, new):
    import importlib

    assert getattr(lrlab, old) is importlib.import_module(f"lrlab.{new}")


#: Packages whose ``__init__`` re-exports their modules' public names.
REEXPORTING = ("lrlab", "lrlab.rules", "lrlab.schedules", "lrlab.surfaces", "lrlab.models",
               "lrlab.datasets", "lrlab.finder", "lrlab.search", "lrlab.plots", "lrlab.checks")


def test_every_package_exports_what_its_all_lists():
    import importlib

    packages = [m for m, p in find_modules().items() if p.name == "__init__.py"
                and not m.startswith("lrlab.torch")]
    assert set(REEXPORTING) <= set(packages)
    for name in packages:
        package = importlib.import_module(name)
        exported = getattr(package, "__all__", None)
        assert exported or name not in REEXPORTING, f"{name} has no __all__"
        missing = [n for n in exported or () if n not in dir(package)]
        assert missing == [], (name, missing)
        if name != "lrlab":
            assert [n for n in exported or () if getattr(package, n, None) is None] == [], name
