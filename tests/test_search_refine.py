"""lrlab.search.refine: the best rate between the points of a grid."""

from __future__ import annotations

import numpy as np
import pytest

from lrlab.search import refined_best_lr

LRS = np.geomspace(1e-3, 1.0, 7)


@pytest.mark.parametrize("bottom", [2e-3, 0.02, 0.05, 0.3])
def test_a_log_parabola_gives_its_vertex_exactly(bottom):
    scores = 0.1 * np.exp(2.0 * (np.log(LRS) - np.log(bottom)) ** 2)
    assert refined_best_lr(LRS, scores) == pytest.approx(bottom, rel=1e-9)


def test_the_refined_rate_stays_between_the_neighbours_of_the_best_point():
    scores = np.array([5.0, 4.0, 1.0, 1.0 + 1e-9, 3.0, 6.0, 9.0])   # flat between 2 and 3
    lr = refined_best_lr(LRS, scores)
    assert LRS[1] <= lr <= LRS[3] and lr > LRS[2]


def test_an_end_of_the_grid_a_failed_neighbour_or_no_curvature_give_the_grid_point():
    assert refined_best_lr(LRS, np.linspace(1.0, 2.0, 7)) == LRS[0]        # at the low end
    assert refined_best_lr(LRS, np.linspace(2.0, 1.0, 7)) == LRS[-1]       # at the high end
    diverged = np.array([3.0, 2.0, 1.0, np.inf, np.inf, np.nan, np.inf])
    assert refined_best_lr(LRS, diverged) == LRS[2]
    kink = np.array([4.0, 3.0, 2.0, 1.0, 1.5, 8.0, 9.0])   # a corner, curving upwards
    assert LRS[2] < refined_best_lr(LRS, kink) < LRS[4]


def test_bad_input_is_refused_with_the_argument_named():
    with pytest.raises(ValueError, match="'lrs' parameter of refined_best_lr"):
        refined_best_lr([0.1, 0.01], [1.0, 2.0])
    with pytest.raises(ValueError, match="'scores' parameter of refined_best_lr must be a 1-D "
                                         "array of 7 scores"):
        refined_best_lr(LRS, [1.0, 2.0])
    with pytest.raises(ValueError, match="at least one finite"):
        refined_best_lr(LRS, np.full(7, np.inf))
