"""The text-caching Agg renderer: cached glyphs, layouts and metrics draw matplotlib's pixels."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from lrlab.apps import agg_text
from lrlab.apps.agg import SharedCanvasAgg
from lrlab.apps.agg_text import TextCachingRenderer, clear_text_caches, text_cache_sizes


def _texts(canvas_class: type, shift: float = 0.0) -> Figure:
    """Text at many fractions of a pixel, rotated, in math (with a fraction bar), without
    antialiasing, on two lines, and the log tick labels of an axis."""
    fig = Figure(figsize=(4, 3), dpi=90)
    canvas_class(fig)
    ax = fig.add_subplot()
    ax.plot([1, 10, 100], [1e-3, 1e-1, 10])
    ax.set_yscale("log")
    ax.set_ylabel(r"full-data $f(\theta_t) - f^\star$")  # rotated 90 degrees
    ax.set_title(r"$\frac{1}{L}$ and $\sqrt{\kappa}$", fontsize=11)
    for k in range(12):  # the same strings at twelve sub-pixel offsets
        fig.text(0.05 + 0.0037 * k + shift, 0.1 + 0.061 * k, "lr 0.5, batch 4", fontsize=8)
        fig.text(0.6 + shift, 0.05 + 0.071 * k, r"$10^{-3}$", rotation=30 * k)
    fig.text(0.4, 0.5, "no antialiasing", antialiased=False, color="red", alpha=0.6)
    fig.text(0.3, 0.7, "two lines:\nthe gap between them", fontsize=9)
    return fig


def _pixels(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def test_cached_text_equals_matplotlibs_pixels():
    clear_text_caches()
    for shift in (0.0, 0.0011, 0.0):  # misses, then hits at new and at the same offsets
        ours, theirs = _texts(SharedCanvasAgg, shift), _texts(FigureCanvasAgg, shift)
        assert isinstance(ours.canvas.get_renderer(), TextCachingRenderer)
        assert not isinstance(theirs.canvas.get_renderer(), TextCachingRenderer)
        assert np.array_equal(_pixels(ours), _pixels(theirs))


def test_a_second_figure_renders_no_glyph_again():
    clear_text_caches()
    _pixels(_texts(SharedCanvasAgg))
    sizes = text_cache_sizes()
    assert min(sizes.values()) > 0
    _pixels(_texts(SharedCanvasAgg))  # a new figure, a new renderer: every text a hit
    assert text_cache_sizes() == sizes


def test_caches_are_bounded(monkeypatch):
    clear_text_caches()
    monkeypatch.setattr(agg_text, "MAX_ENTRIES", 50)
    ours, theirs = _texts(SharedCanvasAgg), _texts(FigureCanvasAgg)
    assert np.array_equal(_pixels(ours), _pixels(theirs))
    assert max(text_cache_sizes().values()) <= 50
    clear_text_caches()
    assert text_cache_sizes() == {"glyphs": 0, "layouts": 0, "metrics": 0, "heights": 0}


def test_text_layouts_equal_matplotlibs():
    """Every text's layout (box, lines, their metrics and offsets) as matplotlib's own,
    whose renderer has no cached font heights or metrics."""
    clear_text_caches()
    for _ in range(2):  # cache misses, then hits
        ours, theirs = _texts(SharedCanvasAgg), _texts(FigureCanvasAgg)
        ours.canvas.draw()
        theirs.canvas.draw()
        mine = [t._get_layout(ours.canvas.get_renderer()) for t in ours.findobj(Text)]
        matplotlibs = [t._get_layout(theirs.canvas.get_renderer())
                       for t in theirs.findobj(Text)]
        assert len(mine) == len(matplotlibs) > 30
        for (box, lines, descent), (box2, lines2, descent2) in zip(mine, matplotlibs,
                                                                   strict=True):
            assert np.array_equal(box.bounds, box2.bounds)
            assert lines == lines2
            assert descent == descent2
        assert text_cache_sizes()["heights"] > 0


def test_a_matplotlib_without_the_glyph_api_draws_its_own_way(monkeypatch):
    """On a matplotlib that draws text otherwise (< 3.11), glyphs and layouts are not
    cached and the pixels are still matplotlib's."""
    clear_text_caches()
    monkeypatch.setattr(agg_text, "GLYPH_API", False)
    ours, theirs = _texts(SharedCanvasAgg), _texts(FigureCanvasAgg)
    assert np.array_equal(_pixels(ours), _pixels(theirs))
    assert text_cache_sizes()["glyphs"] == text_cache_sizes()["layouts"] == 0
