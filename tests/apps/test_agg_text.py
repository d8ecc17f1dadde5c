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


def _strings(seed: int, count: int) -> list[str]:
    """Random strings: letters, digits, symbols, ligatures, kerning pairs, Greek, math,
    right-to-left, glyphs from no font (tofu), combining marks and format characters."""
    rng = np.random.default_rng(seed)
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:()[]"
                    "=+-−×÷κθ₁₂°%/_'\"!?AVToWaLTαβγ∇∂√∞≤≥≈≠±·→漢שלוםمرحباéèçñ")
    alphabet += ["fi", "fl", "ff", "\u0301", "\t", "\u200b"]
    return ["".join(rng.choice(alphabet, size=rng.integers(0, 25))) for _ in range(count)]


def test_metrics_read_off_the_layout_equal_set_texts():
    """A new string's width, height and descent (from its layout and its glyphs' boxes)
    are ``FT2Font.set_text``'s, for every family, weight, style and size tried."""
    import warnings

    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    clear_text_caches()
    ours = SharedCanvasAgg(Figure(dpi=90)).get_renderer()
    theirs = RendererAgg(100, 100, 90)
    checked = fast = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyphs missing from every font
        for k, size in enumerate((6, 7.2, 8, 9, 10, 10.5, 12, 14)):
            for family in ("sans-serif", "serif", "monospace"):
                for weight, style in (("normal", "normal"), ("bold", "italic")):
                    prop = FontProperties(size=size, family=family, weight=weight, style=style)
                    for s in _strings(k, 25):
                        assert (ours.get_text_width_height_descent(s, prop, False)
                                == theirs.get_text_width_height_descent(s, prop, False)), s
                        checked += 1
                        fast += agg_text._plain(s)
    assert checked == 1200 and 500 < fast < checked
    assert text_cache_sizes()["layouts"] >= fast - 50  # read off layouts (some repeat)


def test_a_new_strings_layout_is_shaped_once():
    """The layout the metrics were read from is the one drawing finds: a title drawn
    once has one cached layout; a combining mark takes matplotlib's own metrics."""
    clear_text_caches()
    fig = Figure(figsize=(3, 1), dpi=90)
    SharedCanvasAgg(fig)
    fig.text(0.1, 0.5, "valley κ = 12.6, tilt 30°")
    fig.canvas.draw()
    assert text_cache_sizes()["layouts"] == 1
    assert not agg_text._plain("e\u0301") and not agg_text._plain("a\u200b")
    assert agg_text._plain("valley κ = 12.6, tilt 30° (漢)")
