"""Agg renderers that share one mathtext cache, so a new figure does not lay out math again.

Matplotlib's Agg renderer makes a :class:`~matplotlib.mathtext.MathTextParser` of its
own, and the parser's cache is keyed by the parser: every new figure (every app a
notebook opens, every layer renderer) parses each ``$...$`` label and log-scale tick
label (``$\\mathdefault{10^{-3}}$``) again, about 10 ms apiece. Here every renderer
the apps make uses one parser whose cache is larger (1024 entries, matplotlib's is 50
for the whole process): the same expression at the same size and dpi is parsed once.
The result of a parse is the same object matplotlib would compute (a pure function
of the expression, dpi, font properties and hinting), so pictures do not change. A new
decade label of a log axis (``$\\mathdefault{10^{-3}}$``) is laid out by matplotlib's
own parse actions without its grammar (:mod:`lrlab.apps.decade_math`, checked against
the grammar): ~1.5 ms instead of ~6.
The renderers also keep glyph bitmaps, layouts and metrics of text across figures
(:class:`~lrlab.apps.agg_text.TextCachingRenderer`).
"""

from __future__ import annotations

import functools

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.mathtext import MathTextParser

from .agg_text import TextCachingRenderer
from .decade_math import decade_parse

__all__ = ["SharedCanvasAgg", "shared_renderer"]


_UNCACHED = getattr(getattr(MathTextParser, "_parse_cached", None), "__wrapped__", None)


class _SharedMathText(MathTextParser):
    """A vector mathtext parser (Agg's kind) with a bigger cache of its own.

    (A matplotlib whose parser is laid out otherwise keeps its own cache: one
    parser is still shared, only the cache size is matplotlib's.)
    """

    if _UNCACHED is not None:
        def _parse(self, s, dpi, prop, antialiased, load_glyph_flags):
            # decade labels ($\mathdefault{10^{-3}}$) laid out without the grammar
            return decade_parse(self, _UNCACHED, s, dpi, prop, antialiased, load_glyph_flags)

        _parse_cached = functools.lru_cache(1024)(_parse)


_PARSER = _SharedMathText("path")


def shared_renderer(width: int, height: int, dpi: float) -> RendererAgg:
    """An Agg renderer whose mathtext parser (and so its cache) every app shares."""
    renderer = TextCachingRenderer(width, height, dpi)
    renderer.mathtext_parser = _PARSER
    return renderer


class SharedCanvasAgg(FigureCanvasAgg):
    """``FigureCanvasAgg`` whose renderers use the shared mathtext parser and text caches."""

    def get_renderer(self) -> RendererAgg:
        # as FigureCanvasAgg.get_renderer, with the text-caching renderer
        key = (*self.get_width_height(physical=True), self.figure.dpi)
        if self._lastKey != key or not isinstance(self.renderer, TextCachingRenderer):
            self.renderer = shared_renderer(*key)
            self._lastKey = key
        return self.renderer
