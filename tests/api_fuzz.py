"""A systematic argument fuzz of lrlab's public API (issue 17, part 4).

Every public function and class constructor of lrlab (and a few methods: a
problem's loss/grad/hvp, a history's queries, a range test's suggestions, a
dataset's splits) is called with valid arguments, then once per argument and
per *fuzz class* with that argument replaced by nonsense: ``True``, NaN, inf,
a negative number, zero, the huge int ``10**30``, a complex number, a complex
array, a boolean array, an array where a scalar is due, an array of the wrong
shape, a string and ``None``. Each call ends in one of

``clear``
    a TypeError/ValueError whose message names the argument (lrlab's
    "The 'lr' parameter of sgd must be ..."), or an accepted value that is
    legal for that argument;
``accepted nonsense``
    the call returned although the value is outside what the argument's
    docstring allows (see :func:`nonsense`);
``unclear error``
    an exception raised in lrlab that does not name the argument (or is not a
    TypeError/ValueError);
``crash deep in numpy``
    an exception raised inside numpy, scipy or the standard library, or a
    numpy warning that escaped;
``hang``
    the call did not finish within the time limit.

Which values are nonsense is read from the argument's numpy-style docstring
entry (``lr : float > 0``, ``num_steps : int >= 0``, ``x0 : array of shape
(dim,)``, ``theta : ... optional``), so the promise checked is the one the
documentation makes. Run as a script for the counts and examples of each class
(``python tests/api_fuzz.py [--verbose] [--torch] [--target NAME]``; ``--torch``
adds lrlab.torch's functions on a small network, slow on a busy machine);
tests/test_api_fuzz.py asserts that the arguments issue 17 lists are clear in every
class and that the whole API (without torch) has no finding beyond the known ones.
"""

from __future__ import annotations

import argparse
import collections
import inspect
import math
import re
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

CLASSES = ("clear", "accepted nonsense", "unclear error", "crash deep in numpy", "hang")
FUZZ_CLASSES = ("bool", "nan", "inf", "negative", "zero", "huge int", "complex",
                "complex array", "bool array", "array for scalar", "wrong shape", "string",
                "none")
TIME_LIMIT = 10.0   # seconds; the slowest valid call takes ~1 s on an idle machine


@dataclass
class Target:
    """One callable and a valid set of keyword arguments for it."""

    name: str
    make: Callable[[], Callable]   # returns the callable (fresh objects each time)
    valid: Callable[[], dict]      # returns valid keyword arguments (fresh each time)
    doc: Callable | None = None    # whose docstring documents the parameters
    skip: tuple = ()               # parameters not fuzzed (not arguments a learner passes)
    legal: dict = field(default_factory=dict)   # param -> fuzz classes that are legal there


# ---------------------------------------------------------------------------- the fixtures
def _fixtures() -> dict:
    import lrlab
    from lrlab import datasets, finder, models, rules, surfaces

    bowl = surfaces.quadratic([1.0, 10.0])
    line = models.LinearRegression(datasets.noisy_line(40, seed=0))
    moons = models.LogisticRegression(datasets.two_moons(40, seed=0))
    net = models.MLP(datasets.two_moons(40, seed=0), hidden=(4,), seed=0)
    history = lrlab.train(bowl, rules.sgd(0.1), 20)
    result = finder.lr_range_test(bowl, rules.sgd, num_steps=60)
    return {"bowl": bowl, "line": line, "moons": moons, "net": net, "history": history,
            "result": result, "well": surfaces.double_well()}


def targets(*, torch: bool = False) -> list[Target]:
    """The fuzzed callables, each with a valid call (lrlab.torch's too if ``torch``)."""
    import lrlab
    from lrlab import (
        advisor,
        baselines,
        basins,
        datasets,
        diagnostics,
        finder,
        gradient_noise,
        linear_stability,
        models,
        rules,
        schedules,
        search,
        sharpness,
        surfaces,
    )
    from lrlab.trainer.epochs import train_epochs

    fx = _fixtures()
    f = fx.__getitem__
    out: list[Target] = []

    def add(name, fn, valid=None, **kw):
        maker = fn if kw.pop("method", False) else (lambda fn=fn: fn)
        out.append(Target(name, maker, valid or dict, **kw))

    # --- the trainer, problems, histories
    add("train", lrlab.train, lambda: {"problem": f("bowl"), "rule": rules.sgd(0.1),
                                       "num_steps": 5},
        legal={"eval_every": {"huge int"}})
    add("train_epochs", train_epochs, lambda: {"problem": f("moons"), "rule": rules.sgd(0.1),
                                               "epochs": 1, "validation": f("moons"),
                                               "batch_size": 8},
        legal={"x0": {"wrong shape"}})   # (2, dim): two start points, as in train
    add("EarlyStopping", lrlab.EarlyStopping, legal={"patience": {"huge int"}})
    for m in ("loss", "grad", "loss_and_grad", "hessian"):
        add(f"Problem.{m}", lambda m=m: getattr(f("bowl"), m), lambda: {"theta": [1.0, 1.0]},
            method=True, doc=getattr(lrlab.Problem, m), skip=("batch",))
    add("Problem.hvp", lambda: f("bowl").hvp, lambda: {"theta": [1.0, 1.0], "v": [1.0, 0.0]},
        method=True, doc=lrlab.Problem.hvp)
    add("Problem.from_functions", lrlab.Problem.from_functions,
        lambda: {"loss": lambda w: float(w @ w), "grad": lambda w: 2 * w, "x0": [1.0, 2.0]},
        # data for a loss that takes none: Python's own signature error, not an argument check
        skip=("data",), legal={"name": {"string"}})
    add("History.steps_to", lambda: f("history").steps_to, lambda: {"reduction": 0.1},
        method=True, doc=lrlab.History.steps_to)
    add("History.judged_loss", lambda: f("history").judged_loss, method=True,
        doc=lrlab.History.judged_loss)
    add("History.nearest_run", lambda: lrlab.train(f("bowl"), rules.sgd([0.05, 0.1]),
                                                   5).nearest_run,
        lambda: {"lr": 0.1}, method=True, doc=lrlab.History.nearest_run)
    add("diagnose", lrlab.diagnose, lambda: {"history": f("history")})
    add("update_ratio", diagnostics.update_ratio, lambda: {"history": f("history")})
    add("check_grad", lrlab.check_grad, lambda: {"problem": f("bowl")},
        skip=("grad", "names", "batch"))
    add("lbfgs", baselines.lbfgs, lambda: {"problem": f("bowl"), "num_steps": 5})

    # --- rules
    one = {"lr": 0.1}
    for name in ("sgd", "adam", "adamw", "amsgrad", "adagrad", "adadelta", "rmsprop",
                 "schedule_free_sgd", "dog", "barzilai_borwein", "armijo", "parabola", "ftrl",
                 "reduce_on_plateau", "scale_by_lr", "scale_by_plateau_lr"):
        fn = getattr(rules, name)
        req = [p for p in inspect.signature(fn).parameters.values() if p.default is p.empty]
        # reduce_on_plateau documents its array arguments once (lr: one run per entry) and
        # takes sgd's (momentum, weight_decay: arrays too); scale_by_plateau_lr alike
        arrays = {"lr", "min_lr", "momentum", "weight_decay"} if "plateau" in name else set()
        add(f"rules.{name}", fn, (lambda: dict(one)) if req else None,
            legal={a: {"array for scalar"} for a in arrays})
    add("rules.trace", rules.trace, lambda: {"momentum": 0.9})
    add("rules.clip_by_norm", rules.clip_by_norm, lambda: {"max_norm": 1.0})
    add("rules.clip_by_value", rules.clip_by_value, lambda: {"clip_value": 1.0})
    add("rules.add_decayed_weights", rules.add_decayed_weights, lambda: {"weight_decay": 0.1})
    add("rules.ftrl_time", rules.ftrl_time, lambda: {"lr": 0.1, "gamma": 0.5})
    add("rules.polyak", rules.polyak, lambda: {"f_star": 0.0})
    add("rules.scale_by_multipliers", rules.scale_by_multipliers,
        lambda: {"multipliers": [1.0, 2.0]}, legal={"multipliers": {"wrong shape"}})
    for name in ("optimal_constant", "inverse_smoothness", "exact_line_search"):
        add(f"rules.{name}", getattr(rules, name), lambda: {"problem": f("bowl")})

    # --- schedules
    sched = {"constant": {"lr": 0.1}, "cosine": {"lr": 0.1, "total_steps": 10},
             "cosine_restarts": {"lr": 0.1, "period": 10},
             "cyclic": {"base_lr": 0.01, "max_lr": 0.1}, "exponential": {"lr": 0.1, "gamma": 0.9},
             "inverse_sqrt": {"lr": 0.1}, "inverse_time": {"lr": 0.1}, "linear": {"lr": 0.1},
             "multistep": {"lr": 0.1, "milestones": [3, 6]},
             "one_cycle": {"max_lr": 0.1, "total_steps": 10},
             "polynomial": {"lr": 0.1, "total_steps": 10}, "step": {"lr": 0.1, "step_size": 3},
             "warmup": {"schedule": 0.1, "steps": 3},
             "wsd": {"lr": 0.1, "total_steps": 10, "decay_steps": 3},
             "join": {"schedules": [0.1, 0.01], "boundaries": [5]},
             "stack": {"schedules": [0.1, 0.01]}}
    for name, kw in sched.items():
        add(f"schedules.{name}", getattr(schedules, name), lambda kw=kw: dict(kw))
    add("Schedule.__call__", lambda: schedules.cosine(0.1, 10), lambda: {"t": 3}, method=True,
        doc=None, legal={"t": {"array for scalar"}})   # an integer array of steps is legal

    # --- surfaces and models
    for name in ("beale", "curve_1d", "double_well", "himmelblau", "ill_conditioned",
                 "parabola", "quadratic", "rastrigin", "rosenbrock", "saddle"):
        add(f"surfaces.{name}", getattr(surfaces, name),   # eigenvalues set the dimension
            legal={"name": {"string"}, "eigenvalues": {"wrong shape"}})
    add("surfaces.get", surfaces.get, lambda: {"name": "rosenbrock"})
    add("models.LinearRegression", models.LinearRegression,
        lambda: {"data": datasets.noisy_line(20)})
    add("models.LogisticRegression", models.LogisticRegression,
        lambda: {"data": datasets.two_moons(20)})
    add("models.MLP", models.MLP, lambda: {"data": datasets.two_moons(20), "hidden": (4,)})
    add("models.mup_lr_multipliers", models.mup_lr_multipliers,
        lambda: {"network": models.MLP(datasets.two_moons(20), hidden=(8,)),
                 "base": models.MLP(datasets.two_moons(20), hidden=(4,))})

    # --- datasets
    for name in ("blobs", "noisy_line", "sparse_features", "spirals", "two_moons"):
        add(f"datasets.{name}", getattr(datasets, name), lambda: {"n": 30})
    add("datasets.Dataset", datasets.Dataset,
        lambda: {"X": np.ones((4, 2)), "y": np.array([0, 1, 0, 1])},
        legal={"name": {"string"}, "y": {"bool array"}})
    add("Dataset.split", lambda: datasets.two_moons(20).split, lambda: {"fraction": 0.25},
        method=True, doc=datasets.Dataset.split)
    add("Dataset.kfold", lambda: datasets.two_moons(20).kfold, lambda: {"k": 3}, method=True,
        doc=datasets.Dataset.kfold)

    # --- the finder, the search
    add("lr_range_test", lrlab.lr_range_test,
        lambda: {"problem": f("bowl"), "make_rule": rules.sgd, "num_steps": 20},
        legal={"stop_factor": {"none"}})
    add("suggestion_band", finder.suggestion_band,
        lambda: {"problem": f("bowl"), "make_rule": rules.sgd, "seeds": [0], "num_steps": 20,
                 "progress": False})
    add("compare_with_grid", finder.compare_with_grid,
        lambda: {"problems": f("line"), "make_rule": rules.sgd, "lrs": [0.05, 0.1],
                 "validation": datasets.noisy_line(20, seed=1), "seeds": [0], "num_steps": 5,
                 "progress": False, "methods": ["minimum"]})
    for name in ("suggest_minimum", "suggest_steep", "suggest_valley", "suggest_slide",
                 "suggest_midpoint", "suggest"):
        add(f"finder.{name}", getattr(finder, name), lambda: {"result": f("result")})
    add("finder.valley_index", finder.valley_index, lambda: {"losses": [3.0, 2.0, 1.0, 2.0]})
    add("finder.Sweep", finder.Sweep, lambda: {"start_lr": 1e-3, "end_lr": 1.0,
                                               "num_steps": 10})
    add("RangeTestResult.suggestions", lambda: f("result").suggestions, method=True,
        doc=finder.RangeTestResult.suggestions)
    add("grid_search", search.grid_search,
        lambda: {"problem": f("bowl"), "make_rule": rules.sgd, "lrs": [0.05, 0.1],
                 "num_steps": 5, "progress": False})
    add("random_search", search.random_search,
        lambda: {"problem": f("bowl"), "make_rule": rules.sgd, "num_candidates": 3,
                 "num_steps": 5, "progress": False})
    add("refined_best_lr", search.refined_best_lr,
        lambda: {"lrs": [0.01, 0.1, 1.0], "scores": [2.0, 1.0, 3.0]})

    # --- curvature, noise, basins, stability, the advisor
    add("sharpness", sharpness.sharpness, lambda: {"problem": f("bowl")})
    add("track_sharpness", sharpness.track_sharpness,
        lambda: {"problem": f("bowl"), "rule": rules.sgd(0.1), "num_steps": 10, "every": 5})
    add("edge_of_stability", sharpness.edge_of_stability,
        lambda: {"num_steps": 20, "every": 10, "lr": 0.4})
    add("basin_map", basins.basin_map,
        lambda: {"problem": f("well"), "lrs": [0.05, 0.5], "starts": [-1.2, 1.2],
                 "num_steps": 20}, legal={"starts": {"wrong shape"}})   # any number of starts
    add("final_points", basins.final_points,
        lambda: {"problem": f("well"), "lrs": [0.05], "x0": [-1.2], "num_steps": 20})
    add("gradient_noise_covariance", gradient_noise.gradient_noise_covariance,
        lambda: {"problem": f("line")})
    add("gradient_noise_scale", gradient_noise.gradient_noise_scale,
        lambda: {"problem": f("line")})
    add("noise_floor", gradient_noise.noise_floor,
        lambda: {"problem": f("line"), "lr": 0.1, "batch_size": 4})
    add("measured_floor", gradient_noise.measured_floor,
        lambda: {"problem": f("line"), "lr": 0.1, "batch_size": 4, "num_steps": 20})
    ls = linear_stability
    add("best_momentum", ls.best_momentum,
        lambda: {"lr": 0.1, "smoothness": 10.0, "strong_convexity": 1.0})
    add("heavy_ball_rate", ls.heavy_ball_rate,
        lambda: {"lr": 0.1, "momentum": 0.5, "curvatures": [1.0, 10.0]})
    add("polyak_heavy_ball", ls.polyak_heavy_ball,
        lambda: {"smoothness": 10.0, "strong_convexity": 1.0})
    for name in ("mean_square_floor", "mean_square_rate", "second_moment_operator"):
        add(name, getattr(ls, name), lambda: {"problem": f("line"), "lr": 0.1},
            legal={"lr": {"array for scalar"}})   # one value per rate
    add("mean_square_threshold", ls.mean_square_threshold, lambda: {"problem": f("line")})
    add("advise", advisor.advise,
        lambda: {"problem": f("bowl"), "num_steps": 30, "seeds": 1, "progress": False})
    return out + (_torch_targets() if torch else [])


def _torch_targets() -> list[Target]:
    """lrlab.torch's functions on a two-layer network, when torch is installed."""
    try:
        import torch
    except ImportError:  # pragma: no cover - the test extra installs torch
        return []
    import lrlab.torch as lt

    gen = torch.Generator().manual_seed(0)
    X = torch.randn(64, 2, generator=gen)
    y = (X[:, 0] > 0).long()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X, y), batch_size=16)

    def common():
        torch.manual_seed(0)
        net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
        return {"model": net, "loss_fn": torch.nn.CrossEntropyLoss(), "loader": loader}

    def history():
        return lt.train(**common(), lr=0.1, num_steps=5)

    def with_vector():
        kw = common()
        kw["vector"] = [torch.ones_like(p) for p in kw["model"].parameters()]
        return kw

    history()   # torch's first step pays a one-off set-up of several seconds

    out = [Target("torch.train", lambda: lt.train, lambda: {**common(), "lr": 0.1, "num_steps": 5},
                  legal={"eval_every": {"huge int"}}),
           Target("torch.lr_range_test", lambda: lt.lr_range_test,
                  lambda: {**common(), "num_steps": 20}, legal={"stop_factor": {"none"}}),
           Target("torch.suggestion_band", lambda: lt.suggestion_band,
                  lambda: {**common(), "seeds": [0], "num_steps": 20, "progress": False}),
           Target("torch.sharpness", lambda: lt.sharpness, lambda: {**common(), "maxiter": 20}),
           Target("torch.hvp", lambda: lt.hvp, with_vector),
           Target("torch.diagnose", lambda: lt.diagnose,
                  lambda: {**common(), "lr": 0.1, "num_steps": 10}),
           Target("torch.advise", lambda: lt.advise,
                  lambda: {**common(), "num_steps": 20, "seeds": 1, "progress": False,
                           "curvature": False}),
           Target("torch.update_ratio", lambda: lt.update_ratio, lambda: {"history": history()}),
           Target("torch.UpdateRatioMonitor", lambda: lt.UpdateRatioMonitor,
                  lambda: {"optimizer": torch.optim.SGD(common()["model"].parameters(), 0.1)})]
    return out


# --------------------------------------------------------------------- docs and fuzz values
def doc_types(obj: Any) -> dict[str, str]:
    """``name -> type line`` of a numpy-style docstring's Parameters section."""
    doc = inspect.getdoc(obj) or ""
    m = re.search(r"^Parameters\n-+\n(.*?)(?:^\w[\w ]*\n-+\n|\Z)", doc, re.S | re.M)
    types: dict[str, str] = {}
    if not m:
        return types
    for line in m.group(1).splitlines():
        hit = re.match(r"^(\**[A-Za-z_][\w, ]*?)\s*:\s*(.*)$", line)
        if hit and not line.startswith(" "):
            for name in hit.group(1).split(","):
                types[name.strip().lstrip("*")] = hit.group(2)
        elif not line.startswith(" ") and re.match(r"^[A-Za-z_][\w, ]*$", line):
            for name in line.split(","):
                types[name.strip()] = ""
    return types


def fuzz_values(valid: Any) -> dict[str, Any]:
    """The nonsense of each fuzz class, shaped after a valid value where that matters."""
    arr = None
    if isinstance(valid, list | tuple | np.ndarray):
        try:
            arr = np.asarray(valid)
        except ValueError:   # a ragged list (of schedules, of layers)
            arr = None
    is_int = isinstance(valid, int | np.integer) and not isinstance(valid, bool)
    numeric = arr is not None and arr.dtype.kind in "iuf" and arr.size > 0
    values = {
        "bool": True, "nan": math.nan, "inf": math.inf,
        "negative": (-np.abs(arr) - 1.0) if numeric else (-1 if is_int else -1.0),
        "zero": np.zeros_like(arr, dtype=float) if numeric else (0 if is_int else 0.0),
        "huge int": 10**30, "complex": 1.0 + 1.0j,
        "complex array": (arr + 1j) if numeric else np.array([0.1 + 1j, 0.2]),
        "bool array": np.ones(arr.shape, dtype=bool) if numeric else np.array([True, False]),
        "array for scalar": np.array([1, 2]) if is_int else np.array([0.1, 0.2]),
        "wrong shape": np.ones((*arr.shape[:-1], arr.shape[-1] + 1)) if numeric and arr.ndim
        else np.ones((2, 3)),
        "string": "abc", "none": None,
    }
    return values


def nonsense(kind: str, param: inspect.Parameter, valid: Any, doc: str) -> bool:
    """Whether accepting the fuzz value of ``kind`` breaks what the docstring promises."""
    doc = doc.lower()
    flag = isinstance(valid, bool | np.bool_) or isinstance(param.default, bool) or \
        doc.startswith("bool")
    number = isinstance(valid, int | float | np.number) and not flag
    arrays = any(w in doc for w in ("array", "sequence", "list", "tuple", "iterable",
                                    "per ", "shape"))
    if kind in ("nan", "complex", "complex array"):
        return True
    if kind == "bool":
        return not flag
    if kind == "bool array":
        return True
    if kind == "string":
        return not isinstance(valid, str) or doc.startswith("{")
    if kind == "none":
        return not (valid is None or param.default is None or "none" in doc
                    or "optional" in doc)
    if kind == "inf":
        return "inf" not in doc and not any(isinstance(v, float) and v == math.inf
                                            for v in (param.default, valid))
    positive = bool(re.search(r"> ?0\b|>= ?[1-9]|positive|in \(0", doc))
    if kind == "zero":
        return positive
    if kind == "negative":
        return positive or bool(re.search(r">= ?0\b|non-?negative|in \[0", doc))
    if kind == "array for scalar":
        return number and not arrays
    if kind == "wrong shape":   # a length of the problem's dimension (a grid is any length)
        return "dim" in doc
    return False   # huge int: a hang or a crash is judged, acceptance is not


# --------------------------------------------------------------------------- one call
class _Timeout(BaseException):
    pass


def _alarm(signum, frame):
    raise _Timeout


def classify(call: Callable[[], Any], name: str, owner: str = "") -> tuple[str, str]:
    """Run ``call``; (outcome, detail) with outcome 'returned' or one of :data:`CLASSES`."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
    except _Timeout:
        return "hang", f"no answer within {TIME_LIMIT:g} s"
    except Exception as err:
        return _judge_error(err, name, owner)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    leaked = [w for w in caught if not issubclass(w.category, UserWarning)]
    if leaked:
        w = leaked[0]
        return "crash deep in numpy", f"{w.category.__name__}: {w.message}"
    return "returned", ""


def _judge_error(err: BaseException, name: str, owner: str) -> tuple[str, str]:
    """An exception is clear when it is a TypeError/ValueError naming the argument (or, for
    a constraint between two arguments, naming the other one in lrlab's standard form)."""
    text = f"{type(err).__name__}: {str(err)[:200]}"
    frames = traceback.extract_tb(err.__traceback__)
    message = str(err)
    names_it = any(s in message for s in (f"'{name}'", f"{name}=", f"`{name}`")) or (
        len(name) >= 3 and re.search(rf"\b{re.escape(name)}\b", message) is not None) or (
        re.search(rf"^The '\w+' parameter of {re.escape(owner)} ", message) is not None)
    if isinstance(err, TypeError | ValueError) and names_it:
        return "clear", text
    where = f" (at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno})" if frames \
        else ""
    last = frames[-1] if frames else None
    # raised by lrlab's own code (a raise or a fail(...) call), or by numpy / Python inside it
    own = last is not None and "/lrlab/" in last.filename.replace("\\", "/") and \
        re.search(r"\braise\b|\bfail\(", last.line or "") is not None
    return ("unclear error" if own else "crash deep in numpy"), text + where


# --------------------------------------------------------------------------- the pass
def run(only: dict[str, set[str]] | None = None, *, limit: int | None = None,
        verbose: bool = False, torch: bool = False) -> dict:
    """Fuzz every target (or ``only``: target -> parameters); the outcomes, counted.

    Returns ``{"counts": {class: n}, "cases": [(target, param, fuzz, class, detail)],
    "broken": [targets whose valid call failed]}``.
    """
    counts: collections.Counter = collections.Counter()
    cases, broken = [], []
    for t in targets(torch=torch):
        if only is not None and t.name not in only:
            continue
        fn = t.make()
        outcome, detail = classify(lambda t=t, fn=fn: fn(**t.valid()), "")
        if outcome != "returned":
            broken.append((t.name, detail))
            continue
        sig = inspect.signature(fn)
        docs = doc_types(t.doc if t.doc is not None else fn)
        params = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and p.name not in t.skip
                  and p.name != "self"]
        for p in params:
            if only is not None and only[t.name] and p.name not in only[t.name]:
                continue
            base = t.valid()
            valid = base.get(p.name, p.default)
            for kind, value in list(fuzz_values(valid).items())[:limit]:
                if kind in t.legal.get(p.name, ()):
                    continue
                kw = dict(t.valid())
                kw[p.name] = value
                target = t.make()
                outcome, detail = classify(lambda target=target, kw=kw: target(**kw), p.name,
                                           t.name.rsplit(".", 1)[-1])
                if outcome == "returned":
                    outcome = "accepted nonsense" if nonsense(kind, p, valid,
                                                              docs.get(p.name, "")) else "clear"
                counts[outcome] += 1
                cases.append((t.name, p.name, kind, outcome, detail))
                if verbose and outcome != "clear":
                    print(f"{outcome:20s} {t.name}({p.name}={kind}): {detail}", flush=True)
    return {"counts": {c: counts[c] for c in CLASSES}, "cases": cases, "broken": broken}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every finding")
    parser.add_argument("--target", action="append", help="fuzz only this target")
    parser.add_argument("--torch", action="store_true", help="also lrlab.torch (slow)")
    args = parser.parse_args(argv)
    only = None if not args.target else {t: set() for t in args.target}
    report = run(only, verbose=args.verbose, torch=args.torch)
    import lrlab

    print(f"lrlab from {lrlab.__file__}")
    for name, why in report["broken"]:
        print(f"valid call failed: {name}: {why}")
    total = sum(report["counts"].values())
    print(f"{total} calls over {len({c[0] for c in report['cases']})} targets:")
    for c in CLASSES:
        print(f"  {c:22s} {report['counts'][c]}")
    by = collections.Counter((c[3], c[2]) for c in report["cases"] if c[3] != "clear")
    for (outcome, kind), n in sorted(by.items()):
        print(f"    {outcome:22s} {kind:18s} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
