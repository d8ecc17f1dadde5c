"""An Agg renderer that remembers the text it drew: glyph bitmaps, layouts and metrics.

Every lrlab app draws the same tick labels ("0.5", ``$\\mathdefault{10^{-3}}$``),
axis labels and titles, and every new figure (every app a notebook opens, every
look of an axis drawn into a layer) gets a new Agg renderer, whose caches start
empty: matplotlib renders each glyph with FreeType again (about 0.1 ms apiece, a
few hundred per app), lays each string out again and measures it again.

:class:`TextCachingRenderer` keeps three process-wide caches:

glyph bitmaps
    keyed by the font, size, dpi, glyph, the FreeType transform's matrix and the
    *fraction of a pixel* of the glyph's position (26.6 fixed point, the low six
    bits), so a hit is the bitmap FreeType would render: moving an outline by
    whole pixels moves its bitmap by whole pixels and leaves its coverage as it
    is (FreeType hints before it transforms). The bitmap is blended by Agg's
    ``draw_text_image`` exactly as matplotlib does, with the text's colour.
layouts
    ``FT2Font._layout`` of a string at a size (the glyphs and their offsets).
metrics
    width, height and descent of a plain string (math goes through the shared
    mathtext parser of :mod:`lrlab.apps.agg`, already cached), and a font's
    ascent, descent and line gap at a size (read from its tables by every
    ``Text`` layout, the renderer's ``_get_font_height_metrics`` hook). A new
    string's metrics are read off its layout and its glyphs' cached boxes, the
    numbers ``FT2Font.set_text`` gives, so a new title is shaped once, not
    twice (once for its size, once to draw it).

Each is keyed by the font object itself (checked by identity: matplotlib's
``get_font`` keeps fonts alive and resolves families with the rcParams of the
moment), and bounded. Pictures are identical to matplotlib's, pixel for pixel.
Glyphs and layouts are cached on a matplotlib that draws text glyph by glyph
(3.11, :data:`GLYPH_API`); an older one draws its text its own way.
"""

from __future__ import annotations

import math
import threading
import unicodedata
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font

try:
    from matplotlib.ft2font import RenderMode
except ImportError:  # matplotlib < 3.10
    RenderMode = None

__all__ = ["GLYPH_API", "MAX_ENTRIES", "TextCachingRenderer", "clear_text_caches",
           "text_cache_sizes"]

#: Most entries per cache (glyph bitmaps: a few hundred bytes each); the oldest go first.
MAX_ENTRIES = 20000

_GLYPHS: dict = {}
_LAYOUTS: dict = {}
_METRICS: dict = {}
_HEIGHTS: dict = {}
_MATRICES: dict = {}
_BOXES: dict = {}

#: Whether this matplotlib draws text glyph by glyph as 3.11 does (``FT2Font._layout``,
#: ``_render_glyph``); an older one draws text its own way, uncached (metrics are cached).
GLYPH_API = RenderMode is not None and all(
    hasattr(FT2Font, name) for name in ("_layout", "_render_glyph", "_set_transform")) and \
    hasattr(RendererAgg, "_draw_text_glyphs_and_boxes")


def clear_text_caches() -> None:
    """Forget every cached glyph bitmap, layout and metric."""
    for cache in (_GLYPHS, _LAYOUTS, _METRICS, _HEIGHTS, _BOXES):
        cache.clear()


def text_cache_sizes() -> dict[str, int]:
    """How many glyph bitmaps, layouts, metrics and font heights are cached (for tests)."""
    return {"glyphs": len(_GLYPHS), "layouts": len(_LAYOUTS), "metrics": len(_METRICS),
            "heights": len(_HEIGHTS)}


_STORING = threading.Lock()  # apps draw on several threads (see base.App)


def _store(cache: dict, key: Any, value: Any) -> Any:
    with _STORING:  # on a miss only: evicting the oldest while another thread adds is safe
        while len(cache) >= MAX_ENTRIES:
            del cache[next(iter(cache))]
        cache[key] = value
    return value


def _matrix(angle: float, slant: float, extend: float) -> tuple[np.ndarray, tuple]:
    """FreeType's 16.16 matrix for a glyph, as matplotlib computes it (cached)."""
    key = (angle, slant, extend)
    hit = _MATRICES.get(key)
    if hit is None:
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        m = (0x10000 * np.array([[cos, -sin], [sin, cos]])
             @ [[extend, extend * slant], [0, 1]]).round().astype(int)
        hit = _store(_MATRICES, key, (m, tuple(m.ravel().tolist())))
    return hit


def _plain(s: str) -> bool:
    """No combining mark, control or format character, line or paragraph separator."""
    for c in s:
        kind = unicodedata.category(c)
        if kind[0] in "MC" or kind in ("Zl", "Zp"):
            return False
    return True


def _glyph_box(font: FT2Font, size: float, dpi: float, glyph_index: int,
               flags: Any) -> tuple[int, int, int]:
    """A glyph's hinted advance and the bottom and top of its control box (26.6), as
    ``set_text`` reads them (the font's size just set, so its transform is the plain one)."""
    key = (id(font), size, dpi, glyph_index, flags)
    hit = _BOXES.get(key)
    if hit is None or hit[0] is not font:
        glyph = font.load_glyph(glyph_index, flags=flags)
        box = glyph.bbox
        hit = _store(_BOXES, key, (font, (int(glyph.horiAdvance), int(box[1]), int(box[3]))))
    return hit[1]


class TextCachingRenderer(RendererAgg):
    """``RendererAgg`` whose glyph bitmaps, text layouts and metrics are cached
    process-wide (see the module's docstring); it draws the same pixels."""

    def _draw_text_glyphs_and_boxes(self, gc: Any, x: float, y: float, angle: float,
                                    glyphs: Any, boxes: Any) -> None:
        if not GLYPH_API:
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        load_flags = get_hinting_flag()
        antialiased = bool(gc.get_antialiased())
        mode = RenderMode.NORMAL if antialiased else RenderMode.MONO
        height, dpi = self.height, self.dpi
        left_as: dict = {}  # font -> the size and transform matplotlib would leave it with
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:  # dy is upwards
            matrix, mkey = _matrix(angle, slant, extend)
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
            key = (id(font), size, dpi, glyph_index, mkey, px & 63, py & 63, load_flags,
                   antialiased)
            hit = _GLYPHS.get(key)
            if hit is None or hit[0] is not font:
                font.set_size(size, dpi)
                font._set_transform(matrix, [px, py])
                bitmap = font._render_glyph(glyph_index, load_flags, mode)
                buffer = np.array(bitmap.buffer, dtype=np.uint8, copy=True)
                if not antialiased:
                    buffer *= 0xff
                hit = _store(_GLYPHS, key, (font, buffer, bitmap.left - (px >> 6),
                                            bitmap.top - (py >> 6)))
                left_as.pop(font, None)
            else:
                left_as[font] = (size, matrix, px, py)
            _, buffer, left, top = hit
            # draw_text_image's y is downwards & the bitmap's bottom side
            self._renderer.draw_text_image(
                buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0],
                0, gc)
        for font, (size, matrix, px, py) in left_as.items():
            font.set_size(size, dpi)
            font._set_transform(matrix, [px, py])
        boxes = list(boxes)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, (), boxes)

    def draw_text(self, gc: Any, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        if not GLYPH_API:
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        if ismath:
            return self.draw_mathtext(gc, x, y, s, prop, angle)
        font = self._prepare_font(prop)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        flags = get_hinting_flag()
        size = prop.get_size_in_points()
        try:
            key = (id(font), size, self.dpi, s, flags,
                   tuple(features) if features is not None else None,
                   language if language is None or isinstance(language, str)
                   else tuple(map(tuple, language)))
            hash(key)
        except TypeError:  # an unusual features/language value: not cached
            key = None
        hit = _LAYOUTS.get(key) if key is not None else None
        if hit is None or hit[0] is not font:
            items = font._layout(s, flags=flags, features=features, language=language)
            hit = (font, tuple((item.ft_object, item.glyph_index, item.x, item.y)
                               for item in items))
            if key is not None:
                _store(_LAYOUTS, key, hit)
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle,
            ((ft_object, size, glyph_index, 0, 1, gx, gy)
             for ft_object, glyph_index, gx, gy in hit[1]), [])

    def get_text_width_height_descent(self, s: str, prop: Any,
                                      ismath: Any) -> tuple[float, float, float]:
        if ismath:  # math: the shared parser's cache; TeX: matplotlib's own
            return super().get_text_width_height_descent(s, prop, ismath)
        font = get_font(fontManager._find_fonts_by_props(prop))
        size, flags = prop.get_size_in_points(), get_hinting_flag()
        key = (id(font), size, self.dpi, s, flags)
        hit = _METRICS.get(key)
        if hit is None or hit[0] is not font:
            value = (self._metrics_from_layout(font, s, size, flags)
                     if GLYPH_API and _plain(s) else None)
            if value is None:
                value = super().get_text_width_height_descent(s, prop, ismath)
            hit = _store(_METRICS, key, (font, value))
        return hit[1]

    def _metrics_from_layout(self, font: FT2Font, s: str, size: float,
                             flags: Any) -> tuple[float, float, float]:
        """``FT2Font.set_text``'s width, height and descent, read from the layout that
        :meth:`draw_text` then finds cached (one shaping of a new string, not two).

        ``set_text`` lays the string out as ``_layout`` does (no font features, no
        language: the metrics' own call); the width is the pen after the last glyph
        (its position plus its hinted advance), the height and descent are those of
        the union of the glyphs' control boxes (26.6 units, divided by 64 as
        matplotlib does). Glyph boxes are cached; only strings of letters, digits,
        punctuation, symbols and spaces come here (a combining mark or a format
        character can end a string with a shaped advance of its own).
        """
        font.clear()  # as RendererAgg._prepare_font
        font.set_size(size, self.dpi)
        key = (id(font), size, self.dpi, s, flags, None, None)  # draw_text's key, no features
        hit = _LAYOUTS.get(key)
        if hit is None or hit[0] is not font:
            items = font._layout(s, flags=flags)
            hit = _store(_LAYOUTS, key, (font, tuple(
                (item.ft_object, item.glyph_index, item.x, item.y) for item in items)))
        glyphs = hit[1]
        if not glyphs:
            return 0.0, 0.0, 0.0
        y_min, y_max, advance = 32000, -32000, 0
        for ft_object, glyph_index, _x, gy in glyphs:
            advance, low, high = _glyph_box(ft_object, size, self.dpi, glyph_index, flags)
            pen_y = round(0x40 * gy)
            y_min, y_max = min(y_min, low + pen_y), max(y_max, high + pen_y)
        width = round(0x40 * glyphs[-1][2]) + advance
        if y_min > y_max:
            y_min = y_max = 0
        return width / 64.0, (y_max - y_min) / 64.0, -y_min / 64.0

    def _get_font_height_metrics(self, prop: Any) -> tuple[Any, Any, Any]:
        """Ascent, descent and line gap of the font of ``prop`` at its size, computed
        as ``Text._get_layout`` does (from the font's OS/2 or hhea table), cached."""
        font = get_font(fontManager._find_fonts_by_props(prop))
        fontsize = prop.get_size_in_points()
        key = (id(font), fontsize, self.dpi)
        hit = _HEIGHTS.get(key)
        if hit is not None and hit[0] is font:
            return hit[1]
        out: tuple[Any, Any, Any] = (None, None, None)
        for table_name, linegap_key, ascent_key, descent_key in (
                ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                ("hhea", "lineGap", "ascent", "descent")):
            table = font.get_sfnt_table(table_name)
            if table is None:
                continue
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * fontsize * self.dpi / 72
            out = (table[ascent_key] * scale, -table[descent_key] * scale,
                   table[linegap_key] * scale)
            break
        _store(_HEIGHTS, key, (font, out))
        return out
