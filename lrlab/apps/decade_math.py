r"""Log-scale tick labels (``$\mathdefault{10^{-3}}$``) laid out without pyparsing.

Every decade an axis labels is a new mathtext string, and matplotlib parses each
with its pyparsing grammar: ~5 ms apiece, most of it in pyparsing, for a box of
four or five characters. The line-search race labels nine new decades on a new
problem. For strings of exactly the form ``$\mathdefault{B^{E}}$`` (digits ``B``,
an integer ``E``: what ``LogFormatterSciNotation`` writes at a decade) this module
builds the same box by calling matplotlib's own parse actions (``Parser.symbol``,
``start_group``, ``subsuper``, ...) in the order its grammar calls them, on a
parser state of its own (so threads do not share one), then ships it as
``MathTextParser`` does: ~0.3 ms.

The result is the same :class:`~matplotlib.mathtext.VectorParse` (width, height,
depth, glyphs with their fonts, sizes and offsets, rectangles), so the pixels are
the same. That is checked, not assumed: the first label of a process is laid out
both ways and compared, and on any difference (another matplotlib's grammar or
actions) or error the fast path turns itself off for the process and every label
goes through the grammar. ``tests/apps/test_decade_math.py`` compares the two over
many exponents, sizes and dpis, and the rendered tick labels pixel for pixel.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from matplotlib import _mathtext
from matplotlib.font_manager import FontProperties

__all__ = ["decade_parse", "enabled"]

#: ``$\mathdefault{B^{E}}$``: a base of digits, an exponent of an optional '-' and digits.
_DECADE = re.compile(r"\$\\mathdefault\{([0-9]+)\^\{(-?[0-9]+)\}\}\$")

_STATE = {"verified": False, "enabled": True}
_LOCK = threading.Lock()


def enabled() -> bool:
    """Whether the fast path is in use (off after a mismatch with the grammar)."""
    return _STATE["enabled"]


def _layout(s: str, base: str, exponent: str, fontset: Any, fontsize: float,
            dpi: float) -> Any:
    """The box ``Parser.parse`` returns for ``$\\mathdefault{<base>^{<exponent>}}$``."""
    p = _mathtext.Parser.__new__(_mathtext.Parser)   # the actions, without the grammar
    p._state_stack = [_mathtext.ParserState(fontset, "default", "rm", fontsize, dpi)]
    p._em_width_cache = {}
    p._needs_space_after_subsuper = False
    inner = s[1:-1]                                  # what math_string parses
    before = p.non_math([""])                        # '' before the '$': enters math
    p.start_group({"font": "default"})               # \mathdefault{
    at = len(r"\mathdefault{")                       # the first digit
    tokens = []
    for i, digit in enumerate(base[:-1]):            # the leading digits, one token each
        tokens += p.symbol(inner, at + i, {"sym": digit})
    last = at + len(base) - 1                        # the nucleus of the superscript
    (nucleus,) = p.symbol(inner, last, {"sym": base[-1]})
    brace = last + 2                                 # after '^'
    p.start_group({})                                # {
    sup = []
    for i, c in enumerate(exponent):
        sup += p.symbol(inner, brace + 1 + i, {"sym": c})
    p.end_group()                                    # }
    (script,) = p.group({"group": sup})
    tokens += p.subsuper(inner, last, {"nucleus": nucleus, "subsuper": ["^", script],
                                       "apostrophes": ""})
    p.end_group()                                    # }
    (body,) = p.group({"group": tokens})
    (math,) = p.math(_Tokens([body]))
    after = p.non_math([""])                         # '' after the closing '$'
    (box,) = p.main(_Tokens([*before, math, *after]))
    return box


class _Tokens(list):
    """The little of ``ParseResults`` that ``Parser.math`` and ``Parser.main`` use."""

    def as_list(self) -> list:
        return list(self)


def _ship(box: Any, output_type: str) -> Any:
    output = _mathtext.ship(box)
    return output.to_vector() if output_type == "vector" else None


def decade_parse(parser: Any, uncached: Any, s: str, dpi: float, prop: Any,
                 antialiased: Any, load_glyph_flags: Any) -> Any:
    """``uncached(parser, s, ...)`` (``MathTextParser._parse_cached`` unwrapped), faster
    for a decade label on a vector parser; the same result."""
    match = _DECADE.fullmatch(s) if _STATE["enabled"] else None
    if match is None or parser._output_type != "vector":
        return uncached(parser, s, dpi, prop, antialiased, load_glyph_flags)
    prop = FontProperties() if prop is None else prop
    fontset_class = parser._font_type_mapping.get(prop.get_math_fontfamily())
    if fontset_class is None:  # the grammar says why
        return uncached(parser, s, dpi, prop, antialiased, load_glyph_flags)
    try:
        fontset = fontset_class(prop, load_glyph_flags)
        fast = _ship(_layout(s, *match.groups(), fontset, prop.get_size_in_points(), dpi),
                     "vector")
    except Exception:  # another matplotlib: the grammar, from now on
        _STATE["enabled"] = False
        return uncached(parser, s, dpi, prop, antialiased, load_glyph_flags)
    if not _STATE["verified"]:
        with _LOCK:
            slow = uncached(parser, s, dpi, prop, antialiased, load_glyph_flags)
            _STATE["verified"] = True
            if not same_parse(fast, slow):
                _STATE["enabled"] = False
            return slow
    return fast


def same_parse(a: Any, b: Any) -> bool:
    """Whether two ``VectorParse`` results are the same layout (the same pixels)."""
    return (a.width == b.width and a.height == b.height and a.depth == b.depth
            and len(a.glyphs) == len(b.glyphs) and len(a.rects) == len(b.rects)
            and all(x[0] is y[0] and x[1:] == y[1:]
                    for x, y in zip(a.glyphs, b.glyphs, strict=True))
            and list(a.rects) == list(b.rects))
