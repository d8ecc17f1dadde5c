"""Tests of the self-checks of assignment 5 (lrlab.checks.heavy_ball, lrlab.checks.noise_floor).

* the course's solutions pass every check;
* every planted bug of coursework/planted_bugs_05_stability_and_noise.py is named as its mistake;
* every catalogue entry is diagnosed as itself (the probes tell the mistakes apart);
* messages never contain solution code;
* the private references agree with lrlab: heavy_ball_rate, polyak_heavy_ball, noise_floor,
  and the bisection with 2 (1 + beta) / L;
* a finite floor where inf is expected (lr >= 2/L) is not accepted.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from catalogue_support import assert_catalogue_is_distinguishable

import lrlab
from lrlab import checks
from lrlab.checks import heavy_ball, noise_floor
from lrlab.gradient_noise import gradient_noise_covariance
from lrlab.gradient_noise import noise_floor as lrlab_noise_floor
from lrlab.linear_stability import heavy_ball_rate, polyak_heavy_ball

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "coursework"
ASSIGNMENT = "05_stability_and_noise"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, COURSE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)          # planted_bugs_05 imports planted_bugs
    spec.loader.exec_module(module)
    return module


_load("planted_bugs")
BUGS = _load(f"planted_bugs_{ASSIGNMENT}").BUGS

# check name -> function it checks
CHECKED = {
    "check_companion_matrix": "companion_matrix",
    "check_heavy_ball_factor": "heavy_ball_factor",
    "check_heavy_ball_limit": "heavy_ball_limit",
    "check_optimal_heavy_ball": "optimal_heavy_ball",
    "check_predicted_floor": "predicted_floor",
    "check_measure_floor": "measure_floor",
}

# check -> (catalogue of mistakes, reference)
CATALOGUES = {
    "check_companion_matrix": (heavy_ball._COMPANION_MISTAKES, heavy_ball._companion_ref),
    "check_heavy_ball_factor": (heavy_ball._FACTOR_MISTAKES, heavy_ball._factor_variant("ref")),
    "check_heavy_ball_limit": (heavy_ball._LIMIT_MISTAKES, heavy_ball._bisect_limit),
    "check_optimal_heavy_ball": (heavy_ball._OPTIMAL_MISTAKES,
                                 heavy_ball._optimal_variant("ref")),
    "check_predicted_floor": (noise_floor._FLOOR_MISTAKES, noise_floor._floor_variant("ref")),
    "check_measure_floor": (noise_floor._MEASURE_MISTAKES, noise_floor._measure_variant("ref")),
}

SOURCE = nbformat.read(COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def solution_namespace() -> dict:
    """Execute the solution cells of the source notebook; return their namespace."""
    namespace = {"np": np, "math": math, "lrlab": lrlab}
    for cell in SOURCE.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            exec(cell.source, namespace)
    return namespace


@pytest.mark.parametrize("check_name", sorted(CHECKED))
def test_solutions_pass(check_name):
    result = getattr(checks, check_name)(solution_namespace()[CHECKED[check_name]])
    assert result.passed, result
    assert result.mistake is None and str(result).startswith("✔")


@pytest.mark.parametrize("bug", BUGS, ids=[b.name for b in BUGS])
def test_planted_bug_is_named(bug):
    assert bug.assignment == ASSIGNMENT and bug.name.startswith("dv-")
    namespace = solution_namespace()
    exec(bug.code, namespace)
    assert CHECKED[bug.check] == bug.cell
    result = getattr(checks, bug.check)(namespace[bug.cell])
    assert not result.passed
    assert result.mistake == bug.mistake, result
    assert str(result).startswith("✘")


def test_planted_bugs_cover_the_assignment():
    """At least five distinct mistakes, in both parts, and some caught only by hidden tests."""
    assert len({b.mistake for b in BUGS}) == len(BUGS) >= 5
    assert {b.check for b in BUGS} == set(CHECKED)
    assert sum(b.hidden for b in BUGS) >= 1


@pytest.mark.parametrize("check_name", sorted(CATALOGUES))
def test_catalogue_mistakes_are_distinguishable(check_name):
    mistakes, reference = CATALOGUES[check_name]
    assert_catalogue_is_distinguishable(getattr(checks, check_name), mistakes, reference)


def _solution_lines() -> set[str]:
    lines, inside = set(), False
    for cell in SOURCE.cells:
        for line in cell.source.splitlines():
            if "### BEGIN SOLUTION" in line:
                inside = True
            elif "### END SOLUTION" in line:
                inside = False
            elif inside and cell.cell_type == "code" and len(line.strip()) >= 10:
                lines.add(line.strip())
    return lines


@pytest.mark.parametrize("check_name", sorted(CATALOGUES))
def test_messages_show_no_solution_code(check_name):
    solution = _solution_lines()
    assert len(solution) >= 15
    mistakes, _ = CATALOGUES[check_name]
    check = getattr(checks, check_name)
    messages = [m.message for m in mistakes]
    messages.append(check(solution_namespace()[CHECKED[check_name]]).message)
    messages.append(check(lambda *args, **kwargs: 0.0).message)     # generic fallback
    for message in messages:
        for line in solution:
            assert line not in message, (line, message)


# ------------------------------------------------ references agree with lrlab
def test_companion_matrix_propagates_lrlab_heavy_ball():
    """lrlab.sgd(lr, momentum=beta) (PyTorch's buffer form) is the heavy ball of the matrix."""
    lr, beta, lam = 0.4, 0.7, 2.5
    bowl = lrlab.surfaces.quadratic([lam], x0=[1.0])
    e = lrlab.train(bowl, lrlab.sgd(lr, momentum=beta), 6, record_params=True).params[:, 0]
    M = heavy_ball._companion_ref(lr, beta, lam)
    for t in range(1, 6):
        np.testing.assert_allclose(M @ [e[t], e[t - 1]], [e[t + 1], e[t]], rtol=1e-12)


@pytest.mark.parametrize(("lr", "beta", "curvatures"), heavy_ball._FACTOR_PROBES)
def test_factor_reference_is_heavy_ball_rate(lr, beta, curvatures):
    assert math.isclose(heavy_ball._factor_variant("ref")(lr, beta, curvatures),
                        heavy_ball_rate(lr, beta, curvatures), rel_tol=1e-12)


@pytest.mark.parametrize(("L", "beta"), heavy_ball._LIMIT_PROBES)
def test_bisection_finds_two_one_plus_beta_over_L(L, beta):
    assert math.isclose(heavy_ball._bisect_limit(L, beta), 2 * (1 + beta) / L, rel_tol=1e-5)
    # ... and the lrlab runs agree: stable just below, unstable just above
    limit = heavy_ball._limit_ref(L, beta)
    bowl = lrlab.surfaces.quadratic([L], x0=[1.0])
    history = lrlab.train(bowl, lrlab.sgd(np.array([0.98, 1.02]) * limit, momentum=beta), 300)
    assert list(history.final_loss < history.loss[0]) == [True, False]


@pytest.mark.parametrize(("mu", "L"), heavy_ball._OPTIMAL_PROBES)
def test_optimal_reference_is_polyak(mu, L):
    lr, beta, rate = heavy_ball._optimal_variant("ref")(mu, L)
    np.testing.assert_allclose([lr, beta], polyak_heavy_ball(L, mu), rtol=1e-12)
    # a double root: computed from a discriminant of 0, the rate is good to about sqrt(eps)
    assert math.isclose(rate, heavy_ball_rate(lr, beta, [mu, L]), rel_tol=1e-6)


@pytest.mark.parametrize(("lr", "batch_size"), [(0.05, 1), (0.1, 4), (0.5, 8), (1.3, 200)])
def test_floor_reference_is_lrlab_noise_floor(lr, batch_size):
    problem = lrlab.models.LinearRegression(lrlab.datasets.noisy_line(400, noise=1.0, seed=0))
    H = problem.hessian(problem.minima[0])
    sigma1 = gradient_noise_covariance(problem, batch_size=1)
    ours = noise_floor._floor_variant("ref")(H, sigma1, lr, batch_size, problem.n_samples)
    assert math.isclose(ours, lrlab_noise_floor(problem, lr, batch_size), rel_tol=1e-9)


def test_floor_is_inf_at_and_above_two_over_L():
    H, sigma1 = np.diag([1.0, 4.0]), np.eye(2)
    assert noise_floor._floor_variant("ref")(H, sigma1, 0.5, 2, 10) == np.inf
    # a finite answer where inf is expected is not accepted (inf is compared on its own)
    result = checks.check_predicted_floor(lambda H, sigma1, lr, batch_size, n_samples: 1e300)
    assert not result.passed


def test_measure_reference_matches_lrlab_measured_floor():
    """The measured floor is lrlab's measured_floor averaged over seeds (same tail)."""
    from lrlab.gradient_noise import measured_floor

    problem = lrlab.models.LinearRegression(lrlab.datasets.noisy_line(100, noise=1.0, seed=3))
    mean, se = noise_floor._measure_variant("ref")(problem, 0.1, 4, seeds=(0, 1), num_steps=400,
                                                   burn_in=200)
    # measured_floor averages the steps t > num_steps - tail*num_steps, i.e. t >= 201
    per_seed = [measured_floor(problem, 0.1, 4, num_steps=400, seed=s, tail=0.5) for s in (0, 1)]
    assert abs(mean - np.mean(per_seed)) < 0.02 * mean
    assert math.isclose(se, abs(per_seed[0] - per_seed[1]) / 2, rel_tol=0.05)
