"""lrlab.apps.linesearch_race: what each racer pays to reach the target (cost_table)."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import train
from lrlab.apps.linesearch_race import COSTS, CostTable, LineSearchRace, cost_to_reach
from lrlab.rules import armijo, sgd
from lrlab.surfaces import quadratic


def test_cost_to_reach_is_the_first_cost_at_the_target_on_each_axis():
    # x^2/2 from 1 at lr 0.5: gap_t = 0.25^t / 2, so a 1e-3 cut needs t = 5 (0.25^5 < 1e-3)
    h = train(quadratic([1.0], x0=[1.0]), sgd(0.5), 20)
    assert cost_to_reach(h, "iterations", tol=1e-3) == 6.0   # iteration t is plotted at t + 1
    assert cost_to_reach(h, "gradient evaluations", tol=1e-3) == h.grad_evals[5]
    assert cost_to_reach(h, "all evaluations", tol=1e-3) == h.loss_evals[5]
    assert cost_to_reach(h, "iterations", tol=0.25**5) == 6.0   # an exact hit counts
    assert cost_to_reach(h, "iterations", tol=1e-30) is None
    # with f_star, the gap is measured above it: loss 0.5 * 0.25^t never gets within 1e-3 of -1
    assert cost_to_reach(h, "iterations", tol=1e-3, f_star=-1.0) is None


def test_cost_to_reach_counts_the_line_search_probes():
    h = train(quadratic([1.0, 10.0]), armijo(lr0=1.0), 30)
    it = cost_to_reach(h, "iterations", tol=1e-3)
    every = cost_to_reach(h, "all evaluations", tol=1e-3)
    assert every == h.loss_evals[int(it) - 1] > it   # Armijo's trial steps cost evaluations


def test_cost_to_reach_refuses_an_unknown_axis():
    h = train(quadratic([1.0]), sgd(0.5), 3)
    with pytest.raises(ValueError, match="'cost' parameter of cost_axis must be one of"):
        cost_to_reach(h, "seconds", tol=1e-3)


@pytest.fixture(scope="module")
def race():
    return LineSearchRace("ill-conditioned quadratic", num_steps=200, backend="png")


def test_cost_table_agrees_with_the_status_line_on_every_axis(race):
    table = race.cost_table()
    assert isinstance(table, CostTable) and table.problem == "ill-conditioned quadratic"
    assert list(table.costs) == list(COSTS)
    assert list(table["iterations"]) == [n for n in race.histories if n in table["iterations"]]
    start = race.cost.value
    for cost in COSTS:   # what the app shows on each axis, one axis at a time
        race.cost.value = cost
        assert table[cost] == {k: v for k, v in race.solved_at.items() if k in table[cost]}
    race.cost.value = start


def test_cost_table_moves_no_control_and_trains_nothing(race):
    before = (race.cost.value, race.problem_name.value, race.lr.value)
    runs = {name: id(h) for name, h in race.histories.items()}
    race.cost_table()
    assert (race.cost.value, race.problem_name.value, race.lr.value) == before
    assert {name: id(h) for name, h in race.histories.items()} == runs


def test_cost_table_text_marks_diverged_and_unsolved_methods():
    rosen = LineSearchRace("Rosenbrock", num_steps=200, backend="png").cost_table()
    assert "Barzilai-Borwein" in rosen.diverged   # BB's long step diverges on Rosenbrock
    lines = str(rosen).splitlines()
    assert lines[0].split() == ["method", "iterations", "grad", "evals", "all", "evals"]
    bb = next(line for line in lines if line.startswith("Barzilai-Borwein"))
    assert bb.split()[1:] == ["diverged"] * 3
    lbfgs = next(line for line in lines if line.startswith("L-BFGS"))
    assert lbfgs.split()[1:] == [f"{rosen[c]['L-BFGS']:.0f}" for c in COSTS]
    unsolved = [n for n, v in rosen["iterations"].items() if v is None and n not in rosen.diverged]
    assert unsolved and all(next(line for line in lines if line.startswith(n)).split()[-1] == "—"
                            for n in unsolved)
    assert np.isfinite(rosen["all evaluations"]["L-BFGS"])
