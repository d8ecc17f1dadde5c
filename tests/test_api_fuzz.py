"""The systematic argument fuzz (tests/api_fuzz.py) finds nothing unclear where issue 17 looked.

``api_fuzz.run`` calls every public callable with each argument replaced by the nonsense
of 13 fuzz classes (True, NaN, inf, negative, zero, 10**30, complex, complex and boolean
arrays, an array for a scalar, a wrong shape, a string, None) and classifies the outcome.
The arguments issue 17 lists must be clear in every class; over the whole API, the only
outcomes that are not clear are the known ones below, each with its reason.
"""

from __future__ import annotations

import api_fuzz
import numpy as np
import pytest

#: The arguments issue 17 (part 4) names, by target.
ISSUE_17 = {
    "rules.sgd": {"lr", "momentum", "nesterov"},
    "rules.adam": {"lr", "betas", "amsgrad"},
    "rules.adamw": {"amsgrad"},
    "rules.rmsprop": {"centered"},
    "rules.schedule_free_sgd": {"lr", "weight_lr_power"},
    "train": {"x0", "record_state", "record_params", "batch_size", "num_steps"},
    "surfaces.quadratic": {"eigenvalues", "center", "x0"},
    "surfaces.double_well": {"sharp_curvature", "flat_curvature"},
    "Problem.loss": {"theta"}, "Problem.grad": {"theta"}, "Problem.hvp": {"theta", "v"},
    "grid_search": {"lrs", "k", "progress", "batch_size", "num_steps"},
    "random_search": {"k", "progress", "num_candidates", "batch_size"},
    "lr_range_test": {"batch_size", "num_steps", "x0"},
    "suggestion_band": {"seeds", "progress"},
    "basin_map": {"lrs", "starts", "num_steps"},
    "final_points": {"lrs", "x0", "num_steps"},
    "History.steps_to": {"reduction", "f_star"},
    "gradient_noise_covariance": {"problem", "theta", "batch_size"},
    "noise_floor": {"problem", "lr", "batch_size"},
    "schedules.warmup": {"schedule", "steps"},
    "schedules.one_cycle": {"three_phase"},
    # sizes of 10**30
    "datasets.two_moons": {"n"}, "datasets.noisy_line": {"n"}, "models.MLP": {"hidden"},
    "surfaces.rastrigin": {"dim"}, "surfaces.ill_conditioned": {"dim"},
}

#: Outcomes over the whole API that are not clear, and why they are left: none (the last
#: ones, Dataset's unchecked fields and suggest_slide's lr_diff, were fixed). A new finding
#: is a regression; add it here, with its reason, only if it cannot be fixed.
KNOWN: dict[tuple[str, str, str], str] = {}


def _findings(report):
    return {(t, p, k): outcome for t, p, k, outcome, _ in report["cases"] if outcome != "clear"}


def test_the_arguments_issue_17_lists_are_clear_in_every_fuzz_class():
    report = api_fuzz.run({t: set(ps) for t, ps in ISSUE_17.items()})
    assert not report["broken"]
    fuzzed = {(t, p) for t, p, *_ in report["cases"]}
    assert fuzzed == {(t, p) for t, ps in ISSUE_17.items() for p in ps}   # all were fuzzed
    assert len(report["cases"]) > 700
    detail = {(t, p, k): d for t, p, k, o, d in report["cases"] if o != "clear"}
    assert detail == {}


@pytest.mark.timeout(900)
def test_the_whole_public_api_has_no_unexpected_findings():
    report = api_fuzz.run()
    assert not report["broken"]
    assert len({c[0] for c in report["cases"]}) >= 110 and len(report["cases"]) > 5500
    assert report["counts"]["hang"] == 0
    assert report["counts"]["crash deep in numpy"] == 0
    assert _findings(report) == KNOWN


def test_the_classifier_tells_the_classes_apart():
    import lrlab

    clear = api_fuzz.classify(lambda: lrlab.sgd(-1.0), "lr", "sgd")
    assert clear[0] == "clear"
    deep = api_fuzz.classify(lambda: np.ones(10**30), "n", "f")
    assert deep[0] == "crash deep in numpy"
    assert api_fuzz.classify(lambda: np.log(np.zeros(1)), "x")[0] == "crash deep in numpy"
    assert api_fuzz.classify(lambda: None, "x")[0] == "returned"


def test_nonsense_is_read_from_the_docstring():
    import inspect

    import lrlab

    sig = inspect.signature(lrlab.train)
    doc = api_fuzz.doc_types(lrlab.train)
    assert doc["num_steps"].startswith("int in [0")
    steps, x0 = sig.parameters["num_steps"], sig.parameters["x0"]
    assert api_fuzz.nonsense("negative", steps, 5, doc["num_steps"])
    assert not api_fuzz.nonsense("zero", steps, 5, doc["num_steps"])   # zero steps is legal
    assert not api_fuzz.nonsense("none", x0, None, doc["x0"])          # x0 is optional
    assert api_fuzz.nonsense("wrong shape", x0, None, doc["x0"])
