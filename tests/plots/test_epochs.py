"""lrlab.plots.epochs: loss-per-epoch curves with the end of every blown-up run marked."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import lrlab
from lrlab.datasets import blobs
from lrlab.models import MLP
from lrlab.plots import COLORS, end_of_run, epoch_curves, new_axes
from lrlab.trainer.epochs import train_epochs


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


@pytest.fixture(scope="module")
def run():
    tr, va = blobs(200, seed=0).split(0.25)
    net = MLP(tr, hidden=(8, 8), activation="leaky_relu")
    # 0.1 trains, 10 ends on NaN at step 7 (second epoch), 1e3 on a non-finite gradient
    return train_epochs(net, lrlab.sgd([0.1, 10.0, 1e3]), 4, validation=net.with_data(va),
                        divergence_factor=None)


def test_every_run_is_one_curve_of_its_losses(run):
    for part, loss in (("train", run.train_loss), ("validation", run.val_loss)):
        drawn = epoch_curves(run, new_axes(), part=part)
        for k, line in enumerate(drawn["lines"]):
            assert np.array_equal(line.get_xdata(), run.epochs)
            assert np.array_equal(line.get_ydata(), loss[:, k], equal_nan=True)
            assert line.get_color() == COLORS[k]
        assert drawn["lines"][0].axes.get_yscale() == "log"


def test_a_blown_up_run_gets_a_cross_at_the_step_it_ended_and_says_why(run):
    assert list(run.history.diverged_at) == [-1, 7, 5]        # the fixture is what it claims
    drawn = epoch_curves(run, new_axes(), tags=["a", "b", "c"], top=50.0)
    assert len(drawn["ends"]) == 2
    spe = run.steps_per_epoch
    for (dash, cross), k in zip(drawn["ends"], (1, 2), strict=True):
        assert cross.get_xdata()[0] == pytest.approx(run.history.diverged_at[k] / spe)
        assert cross.get_ydata()[0] == 50.0
        last = np.flatnonzero(np.isfinite(run.train_loss[:, k]))[-1]
        assert dash.get_xdata()[0] == run.epochs[last]
        assert dash.get_ydata()[0] == run.train_loss[last, k]
    texts = [t.get_text() for t in drawn["texts"]]
    assert texts == ["a", "b NaN at step 7", "c non-finite gradient at step 5"]
    assert drawn["lines"][0].axes.get_ylim()[1] > 50.0       # the crosses are inside the axes


def test_without_say_why_only_the_tags_are_written(run):
    drawn = epoch_curves(run, new_axes(), tags=["A", "B", "C"], say_why=False)
    assert [t.get_text() for t in drawn["texts"]] == ["A", "B", "C"]


def test_order_shuffles_the_runs_and_their_ends(run):
    drawn = epoch_curves(run, new_axes(), order=[2, 0, 1], tags=["X", "Y", "Z"], say_why=False)
    for j, k in enumerate([2, 0, 1]):
        assert np.array_equal(drawn["lines"][j].get_ydata(), run.train_loss[:, k], equal_nan=True)
    spe = run.steps_per_epoch
    assert [cross.get_xdata()[0] * spe for _, cross in drawn["ends"]] == [5, 7]
    assert [t.get_text() for t in drawn["texts"]] == ["X", "Y", "Z"]
    with pytest.raises(ValueError, match="'order' parameter of epoch_curves must be a "
                                         "permutation"):
        epoch_curves(run, new_axes(), order=[0, 0, 1])


def test_end_of_run_names_each_reason():
    assert end_of_run("loss became inf", 260) == "inf at step 260"
    assert end_of_run("loss became nan", 11) == "NaN at step 11"
    assert end_of_run("gradient became non-finite", 3) == "non-finite gradient at step 3"


def test_bad_arguments_are_named(run):
    with pytest.raises(ValueError, match="'part' parameter of epoch_curves"):
        epoch_curves(run, new_axes(), part="test")
    with pytest.raises(ValueError, match="'labels' parameter of epoch_curves must have one "
                                         "entry per run"):
        epoch_curves(run, new_axes(), labels=["one"])


def test_end_tags_of_curves_that_end_together_do_not_overlap():
    from lrlab.plots.epochs import _spread

    for heights in ([0.0, 0.0], [0.0, 0.01, 1.0], [2.0, 0.0, 0.0, 0.05], [0.0, 0.09, 0.18, 0.2]):
        out = _spread(heights, 0.1)
        assert np.all(np.diff(np.sort(out)) >= 0.1 - 1e-9)
        assert np.array_equal(np.argsort(out, kind="stable"), np.argsort(heights, kind="stable"))
        assert np.max(np.abs(out - heights)) <= 0.1 * len(heights)
    assert _spread([0.0, 1.0], 0.1).tolist() == [0.0, 1.0]         # far apart: untouched
