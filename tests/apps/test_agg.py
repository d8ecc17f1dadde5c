"""The apps' Agg canvas: one mathtext cache for every figure, pixels as matplotlib's own."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lrlab.apps.agg import _PARSER, SharedCanvasAgg, shared_renderer


def _figure(canvas_class: type) -> Figure:
    fig = Figure(figsize=(4, 3), dpi=90)
    canvas_class(fig)
    ax = fig.add_subplot()
    ax.plot([1, 10, 100], [1e-3, 1e-1, 10])
    ax.set_yscale("log")  # tick labels are mathtext: $\mathdefault{10^{-2}}$
    ax.set_xlabel(r"$\eta \times L$  (learning rate in units of $1/L$)")
    ax.set_title(r"$|x_t - x^\star|$ against $t$")
    return fig


def test_pixels_equal_matplotlibs_own_canvas():
    ours, theirs = _figure(SharedCanvasAgg), _figure(FigureCanvasAgg)
    ours.canvas.draw()
    theirs.canvas.draw()
    assert np.array_equal(np.asarray(ours.canvas.buffer_rgba()),
                          np.asarray(theirs.canvas.buffer_rgba()))
    assert ours.canvas.get_renderer().mathtext_parser is _PARSER
    assert theirs.canvas.get_renderer().mathtext_parser is not _PARSER


def test_a_second_figure_parses_no_math_again():
    _figure(SharedCanvasAgg).canvas.draw()
    before = _PARSER._parse_cached.cache_info()
    _figure(SharedCanvasAgg).canvas.draw()  # a new figure, a new renderer
    after = _PARSER._parse_cached.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_layer_renderers_share_the_parser():
    r = shared_renderer(100, 80, 90)
    assert r.mathtext_parser is _PARSER
    assert (r.width, r.height) == (100, 80)
