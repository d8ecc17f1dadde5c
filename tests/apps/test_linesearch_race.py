"""lrlab.apps.linesearch_race: what each racer pays to reach the target (cost_table)."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import train
from lrlab.apps.background import Precompute
from lrlab.apps.linesearch_race import (
    COSTS,
    CostTable,
    LineSearchRace,
    cost_axis,
    cost_to_reach,
)
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


# ------------------------------------------------------------- the app's controls
def test_cost_axis():
    h = train(quadratic([1.0, 10.0]), sgd(0.1), 3)
    assert cost_axis(h, "iterations").tolist() == [1, 2, 3, 4]
    assert cost_axis(h, "gradient evaluations").tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="'cost' parameter of cost_axis"):
        cost_axis(h, "seconds")


def test_linesearch_race_costs_and_cache():
    app = LineSearchRace("ill-conditioned quadratic", cost="iterations", num_steps=60,
                         backend="png")
    armijo = app.histories["Armijo"]
    x_iter = app.curves["Armijo"].get_xdata().copy()
    app.cost.value = "all evaluations"
    x_all = app.curves["Armijo"].get_xdata()
    assert x_all[-1] > x_iter[-1]  # backtracking pays in loss evaluations
    gd = app.histories["GD (slider lr)"]
    app.lr.value = 0.5
    assert app.histories["Armijo"] is armijo  # only the fixed-rate run reruns
    assert app.histories["GD (slider lr)"] is not gd
    assert app.histories["GD (slider lr)"].lr[0] == 0.5
    app.problem_name.value = "logistic regression"
    assert app.problem.dim > 2 and not app.paths["Armijo"].get_visible()
    assert app.curves["GD 2/(μ+L)"].get_visible()
    app.problem_name.value = "Rosenbrock"
    assert not app.curves["GD 2/(μ+L)"].get_visible()  # mu unknown: no such racer
    assert app.last_error is None
    app.close()


def test_linesearch_race_bad_arguments():
    with pytest.raises(ValueError, match="'problem' parameter of LineSearchRace"):
        LineSearchRace("Beale", backend="png")
    with pytest.raises(ValueError, match="'cost' parameter of LineSearchRace"):
        LineSearchRace(cost="seconds", backend="png")


def test_linesearch_race_legend_names_only_the_racers_that_ran():
    # Regression: the legend was built once with every method, so on Rosenbrock (no
    # strong convexity) it listed "GD 2/(μ+L)", a racer that is not drawn.
    from lrlab.apps.linesearch_race import LineSearchRace

    app = LineSearchRace("Rosenbrock", backend="png")
    names = [t.get_text() for t in app.ax_loss.get_legend().get_texts()]
    assert "GD 2/(μ+L)" not in names and "GD 2/(μ+L)" not in app.histories
    assert names == [n for n in app.histories if n in names] and len(names) == len(
        app.histories)
    app.problem_name.value = "ill-conditioned quadratic"
    names = [t.get_text() for t in app.ax_loss.get_legend().get_texts()]
    assert "GD 2/(μ+L)" in names and len(names) == len(app.histories)
    app.close()


def test_linesearch_race_fits_its_lr_slider_to_each_problem():
    from lrlab.apps.linesearch_race import linesearch_race

    app = linesearch_race(backend="png")
    assert (app.lr.min, app.lr.max) == (-5.0, 1.0)  # Rosenbrock: no global L
    app.problem_name.value = "logistic regression"
    L = app.problem.smoothness
    assert np.isclose(10 ** app.lr.min, 1e-3 / L) and np.isclose(10 ** app.lr.max, 10 / L)
    assert np.isclose(app.lr.value, 1 / L)
    app.close()


# ------------------------------------------------------------- the figure's layout
def test_each_racer_draws_its_step_sizes_in_its_own_panel_on_one_shared_log_scale():
    # Regression: seven zig-zagging step-size curves on one axes were an unreadable tangle.
    from lrlab.apps.linesearch_race import METHODS

    app = LineSearchRace("Rosenbrock", backend="png")
    axes = [app.rate_axes[name] for name in METHODS]
    assert len(set(axes)) == len(METHODS) and app.ax_rate is axes[0]
    for name, ax in app.rate_axes.items():
        assert app.rates[name].axes is ax and ax.get_yscale() == "log"
        assert ax.get_ylim() == axes[0].get_ylim() and ax.get_xlim() == axes[0].get_xlim()
        assert name in ax.texts[0].get_text()   # each panel names its method
    # the decades labelled on a panel sit inside it, clear of its neighbours' labels
    lo, hi = axes[0].get_ylim()
    ticks = axes[0].get_yticks()
    assert 1 <= len(ticks) <= 2 and np.all((ticks > lo * 2) & (ticks < hi / 2))
    # only the bottom panel labels the shared iteration axis
    assert [ax.xaxis.get_tick_params()["labelbottom"] for ax in axes] == \
        [False] * (len(axes) - 1) + [True]
    # a racer this problem cannot run says why instead of staying blank
    assert "needs μ" in app.absent["GD 2/(μ+L)"].get_text()
    assert all(app.absent[n].get_text() == "" for n in app.histories)
    app.close()


def test_without_a_contour_plot_the_loss_panel_takes_the_paths_width():
    # Regression: on the 41-parameter logistic regression a third of the figure said
    # "no contour plot".
    app = LineSearchRace("Rosenbrock", backend="png")
    narrow = app.ax_loss.get_position()
    path = app.ax_path.get_position()
    app.problem_name.value = "logistic regression"
    wide = app.ax_loss.get_position()
    assert not app.ax_path.get_visible()
    assert wide.x0 < path.x1 and wide.x1 == pytest.approx(narrow.x1)
    assert wide.width > 1.8 * narrow.width
    assert "41 parameters" in app.loss_title.get_text()
    # every racer runs here, and a rate on a whole decade (Armijo's 1.0) is not on the frame
    assert all(text.get_text() == "" for text in app.absent.values())
    assert app.ax_rate.get_ylim()[0] < 1.0 / 2 and app.histories["Armijo"].lr[0] == 1.0
    app.problem_name.value = "Rosenbrock"
    assert app.ax_path.get_visible()
    np.testing.assert_allclose(app.ax_loss.get_position().bounds, narrow.bounds)
    assert app.last_error is None
    app.close()


def test_moving_the_gd_slider_redraws_no_step_size_panel():
    # The panels span the slider's whole range: the slider never moves their limits (a
    # background redraw of eight axes), and the slider's line never leaves its panel.
    app = LineSearchRace("Rosenbrock", backend="png")
    ylim = app.ax_rate.get_ylim()
    for lr in (10.0 ** app.lr.min, 10.0 ** app.lr.max, 3e-3):
        app.lr.value = lr
        assert app.histories["GD (slider lr)"].lr[0] == pytest.approx(lr)
        assert app.ax_rate.get_ylim() == ylim
        y = app.rates["GD (slider lr)"].get_ydata()
        assert ylim[0] < np.nanmin(y) and np.nanmax(y) < ylim[1]
    assert app.last_error is None
    app.close()


def test_race_runs_each_problem_once_and_a_cost_redraws_the_loss_panel_alone(monkeypatch):
    """The racers but the slider's run once per (problem, steps) in a kernel and are what
    train gives; a new cost axis draws no axes again, only the loss panel's x axis and
    title from layers of their own (the legend is kept), and the picture equals the
    uncached full draw."""
    from lrlab.apps import linesearch_race as lr_race
    from lrlab.rules import barzilai_borwein

    from .test_render import assert_same_picture, shown, slow_frame

    calls = []
    real = lr_race._run_racers
    monkeypatch.setattr(lr_race, "_PRECOMPUTE", Precompute(max_size=9))
    monkeypatch.setattr(lr_race, "_run_racers", lambda p, T: calls.append(T) or real(p, T))
    app = LineSearchRace("ill-conditioned quadratic", num_steps=60, backend="png",
                         precompute=False)
    again = LineSearchRace("ill-conditioned quadratic", num_steps=60, backend="png",
                           precompute=False)
    assert calls == [60]
    p = app.problem
    want = train(p, barzilai_borwein("long", lr0=1.0 / p.smoothness), 60, record_params=True)
    np.testing.assert_array_equal(again.histories["Barzilai-Borwein"].params, want.params)
    again.close()
    strips = list(app.rate_axes.values())
    drawn = []
    for ax in strips:
        draw = ax.draw
        ax.draw = lambda renderer, ax=ax, draw=draw: (drawn.append(ax), draw(renderer))
    full, axes, legend = app.canvas.full_draws, app.canvas.axes_draws, app.ax_loss.get_legend()
    for cost in ("iterations", "gradient evaluations", "all evaluations"):
        app.cost.value = cost
        assert app.canvas.full_draws == full and drawn == []
        assert app.canvas.axes_draws == axes and app.ax_loss.get_legend() is legend
        assert app.ax_loss.get_xlabel().startswith(cost)
        assert app.loss_title.get_text() == f"suboptimality against {cost}"
        x, _ = app.curves["Armijo"].get_data()
        np.testing.assert_array_equal(x, cost_axis(app.histories["Armijo"], cost))
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
        full, drawn[:] = app.canvas.full_draws, []
    app.problem_name.value = "logistic regression"   # no paths: the wide loss panel
    for cost in ("iterations", "all evaluations"):
        app.cost.value = cost
        assert app.loss_title.get_text().endswith(f"parameters: suboptimality against {cost}")
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
    app.close()


def test_a_new_problem_redraws_the_contours_axes_not_the_step_size_panels():
    """The step-size panels' y axes, the loss panel's axes and the panels' notes are layers:
    a new problem draws no step-size panel again, no figure, and the loss panel only when
    it changes width; every picture equals the uncached full draw."""
    from .test_render import assert_same_picture, shown, slow_frame

    app = LineSearchRace("Rosenbrock", num_steps=60, backend="png")
    strips = list(app.rate_axes.values())
    drawn = []
    for ax in [*strips, app.ax_loss]:
        draw = ax.draw
        ax.draw = lambda renderer, ax=ax, draw=draw: (drawn.append(ax), draw(renderer))
    full = app.canvas.full_draws
    for name, loss_drawn in (("ill-conditioned quadratic", False), ("Rosenbrock", False),
                             ("logistic regression", True), ("ill-conditioned quadratic", True),
                             ("Rosenbrock", False)):
        app.problem_name.value = name
        assert app.canvas.full_draws == full
        assert drawn == ([app.ax_loss] if loss_drawn else [])
        notes = {n: t.get_text() for n, t in app.absent.items()}
        assert notes["Polyak"] == ("" if app.problem.f_star is not None else
                                   "not run: needs f*")
        assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
        app.canvas.render()
        full, drawn[:] = app.canvas.full_draws, []
    assert app.last_error is None
    app.close()


def test_a_problem_whose_racers_have_not_run_says_so_before_running_them(monkeypatch):
    """A first visit to a problem runs every racer (up to ~1.5 s): the status line says so
    before the runs, then gives the result; a problem whose runs are cached goes straight
    to the result."""
    from lrlab.apps import linesearch_race as lr_race

    monkeypatch.setattr(lr_race, "_PRECOMPUTE", Precompute(max_size=9))
    real, seen = lr_race._run_racers, []
    app = LineSearchRace("Rosenbrock", num_steps=40, backend="png", precompute=False)
    # what the status line says at the moment the racers start running
    monkeypatch.setattr(lr_race, "_run_racers",
                        lambda p, T: seen.append(app.status_text) or real(p, T))
    said = []
    app.status.observe(lambda change: said.append(app.status_text), "value")
    app.problem_name.value = "ill-conditioned quadratic"
    assert said[0] == seen[0] == \
        "running the line searches on ill-conditioned quadratic (40 steps each)..."
    assert len(said) == 2 and said[-1].startswith("all evaluations to reach gap")
    said.clear()
    app.problem_name.value = "Rosenbrock"   # its runs are cached: no computing line
    assert len(said) == 1 and said[0].startswith("all evaluations to reach gap")
    assert len(seen) == 1 and app.last_error is None
    app.close()


def test_the_racers_cache_is_bounded_and_drops_the_oldest_runs(monkeypatch):
    from lrlab.apps import linesearch_race as lr_race

    monkeypatch.setattr(lr_race, "_PRECOMPUTE", Precompute(max_size=2))
    monkeypatch.setattr(lr_race, "_run_racers", lambda p, T: {})
    for steps in (10, 11, 12):
        LineSearchRace("ill-conditioned quadratic", num_steps=steps, backend="png",
                       precompute=False).close()
    assert list(lr_race._PRECOMPUTE.store) == [("ill-conditioned quadratic", 11),
                                               ("ill-conditioned quadratic", 12)]
