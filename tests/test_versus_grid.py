"""compare_with_grid: a range test and a validation grid per seed, and the comparison's numbers."""

import matplotlib
import numpy as np
import pytest

from lrlab.datasets import noisy_line
from lrlab.finder import GridComparison, compare_with_grid, comparison_table, lr_range_test
from lrlab.models import LinearRegression
from lrlab.plots import plot_grid_comparison
from lrlab.rules import sgd
from lrlab.search import grid_search

matplotlib.use("Agg")

LRS = [0.01, 0.03, 0.1, 0.3, 0.6]


@pytest.fixture(scope="module")
def lines():
    return [LinearRegression(noisy_line(200, seed=s)) for s in (0, 1)]


def test_each_seed_gets_its_own_range_test_and_grid(lines):
    held_out = noisy_line(100, seed=7)
    c = compare_with_grid(lines, sgd, LRS[::-1], validation=held_out, num_steps=80,
                          batch_size=16, progress=False)
    assert c.seeds == (0, 1) and c.scores.shape == (2, 5)
    np.testing.assert_allclose(c.lrs, LRS)                 # sorted, whatever the grid's order
    for i, (line, seed) in enumerate(zip(lines, c.seeds, strict=True)):
        alone = grid_search(line, sgd, LRS, num_steps=80, batch_size=16, seed=seed,
                            validation=line.with_data(held_out), progress=False)
        np.testing.assert_allclose(c.scores[i], alone.scores)
        test = lr_range_test(line, sgd, batch_size=16, seed=seed)
        for m, v in test.suggestions().items():
            assert c.suggestions[m][i] == pytest.approx(v)
    assert c.best_lr == LRS[int(np.argmin(c.scores.mean(axis=0)))]
    np.testing.assert_allclose(c.seed_best, np.array(LRS)[np.argmin(c.scores, axis=1)])


def test_ratios_and_within_count_what_they_say():
    c = GridComparison(np.array([0.1, 0.2, 0.4]), (0, 1, 2),
                       np.array([[3.0, 1.0, 2.0]] * 3),
                       {"valley": np.array([0.05, 0.1, 0.45]), "minimum": np.array([1.0, 0.4,
                                                                                    np.nan])},
                       [])
    assert c.best_lr == 0.2
    np.testing.assert_allclose(c.ratios["valley"], [0.25, 0.5, 2.25])
    assert c.within(2.0) == {"valley": 1, "minimum": 1}   # 0.5 counts; NaN never does
    assert c.within(2.5) == {"valley": 2, "minimum": 1}
    with pytest.raises(ValueError, match=r"'factor' parameter of GridComparison\.within"):
        c.within(0.5)
    table = comparison_table({"toy": c})
    assert table.splitlines()[-1].split()[-2:] == ["1/3", "1/3"]
    assert "2.2x" in table and "-" in table.splitlines()[3]


def test_one_problem_for_every_seed_and_bad_arguments(lines):
    held_out = noisy_line(100, seed=7)
    c = compare_with_grid(lines[0], sgd, LRS, validation=held_out, seeds=[3, 4], num_steps=40,
                          batch_size=16, methods=["valley"], progress=False,
                          range_test={"num_steps": 60})
    assert c.seeds == (3, 4) and list(c.suggestions) == ["valley"]
    assert all(r.num_steps == 60 for r in c.results)
    with pytest.raises(ValueError, match="one Problem, or one per seed"):
        compare_with_grid(lines, sgd, LRS, validation=held_out, seeds=[0, 1, 2], num_steps=10)
    with pytest.raises(ValueError, match="one per problem"):
        compare_with_grid(lines, sgd, LRS, validation=[held_out], num_steps=10)
    with pytest.raises(ValueError, match="'range_test' parameter"):
        compare_with_grid(lines, sgd, LRS, validation=held_out, range_test={"seed": 1})
    with pytest.raises(ValueError, match="'methods' parameter of compare_with_grid"):
        compare_with_grid(lines, sgd, LRS, validation=held_out, methods=["valey"])
    with pytest.raises(TypeError, match="'problems' parameter"):
        compare_with_grid(["not a problem"], sgd, LRS, validation=held_out)


def test_the_plot_puts_every_ratio_on_a_log_axis():
    c = GridComparison(np.array([0.1, 0.2]), (0, 1), np.array([[1.0, 0.5], [1.0, 0.6]]),
                       {"valley": np.array([0.05, 0.3]), "steep": np.array([0.2, 0.4])}, [])
    ax = plot_grid_comparison({"toy": c, "again": c})
    assert ax.get_yscale() == "log"
    drawn = np.concatenate([line.get_ydata() for line in ax.lines if line.get_marker() != "None"
                            and len(line.get_ydata()) == 2])
    np.testing.assert_allclose(np.sort(drawn), np.sort(np.tile([1.0, 2.0, 0.25, 1.5], 2)))
    with pytest.raises(ValueError, match="at least one comparison"):
        plot_grid_comparison({})
