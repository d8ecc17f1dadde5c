"""Explorer axes that build only the ticks they draw: the same picture as matplotlib's."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator

from lrlab import widgets as lw
from lrlab.apps.explorer_ticks import InViewLinear, ticks_in_view
from lrlab.apps.log_ticks import InView as LogInView
from tests.apps.test_render import assert_same_picture, shown, slow_frame


def untrimmed(figure: Figure) -> None:
    """Give every trimmed axis of ``figure`` matplotlib's own locator back (the slow path)."""
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            loc = axis.get_major_locator()
            if isinstance(loc, InViewLinear):
                axis.set_major_locator(loc.locator)
            elif isinstance(loc, LogInView):
                axis.set_major_locator(LogLocator(base=loc._base, subs=loc._subs,
                                                  numticks=loc.numticks))


def assert_as_matplotlib_draws_it(app) -> None:
    mine = shown(app.canvas)
    untrimmed(app.figure)
    slow = slow_frame(app.canvas)  # every tick matplotlib's locators give, drawn uncached
    assert_same_picture(mine, slow)
    for ax in app.figure.axes:  # trimmed again, as the app had them
        ticks_in_view(ax.xaxis, ax.yaxis)


def test_ticks_in_view_keeps_the_ticks_drawn_and_leaves_the_rest():
    ax = Figure().add_subplot()
    ax.set_xlim(-3.75, 3.75)
    ax.set_yscale("log")
    ax.set_ylim(1e-9, 1e3)
    all_x, all_y = ax.xaxis.get_majorticklocs(), ax.yaxis.get_majorticklocs()
    ticks_in_view(ax.xaxis, ax.yaxis)
    ticks_in_view(ax.xaxis)  # twice: unchanged
    assert isinstance(ax.xaxis.get_major_locator(), InViewLinear)
    assert not isinstance(ax.xaxis.get_major_locator().locator, InViewLinear)
    assert isinstance(ax.yaxis.get_major_locator(), LogInView)
    x, y = ax.xaxis.get_majorticklocs(), ax.yaxis.get_majorticklocs()
    assert x.tolist() == [v for v in all_x if -3.75 <= v <= 3.75]
    assert y.tolist() == [v for v in all_y if 1e-9 <= v <= 1e3]
    assert len(x) < len(all_x) and len(y) < len(all_y)
    ax.set_xlim(0, 3)  # the view moves: the ticks follow it
    assert ax.xaxis.get_majorticklocs().tolist() == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]


def test_explorer_1d_ticks_are_matplotlibs_in_every_view():
    app = lw.explorer_1d(lr=0.5, curvature=1.0, backend="png")
    built = sum(len(a.majorTicks) for ax in app.figure.axes for a in (ax.xaxis, ax.yaxis))
    assert built <= 46  # matplotlib's own locators build 57 at opening
    assert_as_matplotlib_draws_it(app)
    for name, value in (("curvature", 7.0), ("num_steps", 73), ("curvature", 0.13),
                        ("kind", "curve"), ("x0", -2.9)):
        getattr(app, name).value = value
        assert_as_matplotlib_draws_it(app)
    app.close()


@pytest.mark.parametrize("surface", ["ill_conditioned", "rosenbrock", "beale", "saddle"])
def test_explorer_2d_ticks_are_matplotlibs_in_every_view(surface):
    app = lw.explorer_2d(surface, rules=["GD", "momentum"], momentum=0.8, num_steps=150,
                         backend="png")
    assert_as_matplotlib_draws_it(app)
    app.num_steps.value = 35
    app.x.value, app.y.value = app.x.min, app.y.max  # the loss axis rescales
    assert_as_matplotlib_draws_it(app)
    app.surface.value = "himmelblau"
    assert_as_matplotlib_draws_it(app)
    app.close()
