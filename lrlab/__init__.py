"""lrlab: choosing the learning rate for SGD, by experiment.

``import lrlab`` is quick: it loads numpy and lrlab's core only. Modules that
need scipy, matplotlib or ipywidgets (plots, widgets, line search baselines,
diagnostics) are imported on first use.

>>> import lrlab
>>> bowl = lrlab.surfaces.quadratic([1.0, 10.0])
>>> lrlab.train(bowl, lrlab.sgd(0.1), 50).final_loss < 1e-4
True
"""

from __future__ import annotations

import importlib
from typing import Any

from .history import History
from .problem import Problem
from .rules import Rule, chain, sgd
from .trainer import EarlyStopping, train

__version__ = "0.1.0"

_SUBMODULES = {
    "surfaces", "models", "datasets", "schedules", "rules", "baselines", "trainer", "history",
    "problem", "finder", "search", "diagnostics", "sharpness", "gradient_noise", "advisor",
    "plots", "widgets", "apps", "checks", "check_install", "gradcheck", "examples",
}
#: Module paths of version 1, kept as attributes: old name -> the module it moved to.
_MOVED = {
    "mlp": "models.mlp", "linesearch": "rules.linesearch", "curvature": "rules.curvature",
    "polyak_bb": "rules.polyak_bb", "plateau": "rules.plateau", "suggestions": "finder.suggestions",
    "plots_more": "plots",
}
#: Functions re-exported lazily at the top level: name -> module.
_FUNCTIONS = {"advise": "advisor", "lr_range_test": "finder", "diagnose": "diagnostics",
              "check_grad": "gradcheck"}

__all__ = ["EarlyStopping", "History", "Problem", "Rule", "__version__", "advise", "chain",
           "check_grad", "diagnose", "lr_range_test", "sgd", "train", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        module = importlib.import_module(f".{_FUNCTIONS[name]}", __name__)
        return getattr(module, name)
    if name in _SUBMODULES or name in _MOVED:
        module = importlib.import_module(f".{_MOVED.get(name, name)}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lrlab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_FUNCTIONS))
