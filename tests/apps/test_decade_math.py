r"""Decade labels ($\mathdefault{10^{-3}}$) laid out without pyparsing: the same layout as the
grammar's, the same pixels as matplotlib's own canvas, and the grammar whenever in doubt."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import LoadFlags

from lrlab.apps import agg, decade_math
from lrlab.apps.agg import _PARSER, _UNCACHED, SharedCanvasAgg

pytestmark = pytest.mark.skipif(_UNCACHED is None, reason="a matplotlib without _parse_cached")

FLAGS = LoadFlags.NO_HINTING


def _fast(s, base, exponent, size, dpi, family="dejavusans"):
    prop = FontProperties(size=size, math_fontfamily=family)
    fontset = _PARSER._font_type_mapping[prop.get_math_fontfamily()](prop, FLAGS)
    return decade_math._ship(decade_math._layout(s, base, exponent, fontset, float(size), dpi),
                             "vector")


@pytest.mark.parametrize(("size", "dpi", "family"), [
    (7, 90, "dejavusans"), (10, 90, "dejavusans"), (6, 72, "dejavusans"),
    (9, 144, "dejavusans"), (14, 100, "dejavusans"), (7, 90, "cm"), (10, 72, "cm"),
    (7, 90, "stix"), (12, 144, "stix"), (10, 90, "dejavuserif")])
def test_the_layout_is_the_grammars(size, dpi, family):
    for base in ("10", "2", "1000"):
        for k in [*range(-16, 17), 99, -123, 2026]:
            s = rf"$\mathdefault{{{base}^{{{k}}}}}$"
            prop = FontProperties(size=size, math_fontfamily=family)
            slow = _UNCACHED(_PARSER, s, dpi, prop, True, FLAGS)
            fast = _fast(s, base, str(k), size, dpi, family)
            assert decade_math.same_parse(fast, slow), s
            assert (fast.width, fast.height, fast.depth) == (slow.width, slow.height, slow.depth)


def test_same_parse_sees_a_difference():
    s = r"$\mathdefault{10^{-3}}$"
    a = _fast(s, "10", "-3", 10, 90)
    assert decade_math.same_parse(a, _fast(s, "10", "-3", 10, 90))
    assert not decade_math.same_parse(a, _fast(r"$\mathdefault{10^{-4}}$", "10", "-4", 10, 90))
    assert not decade_math.same_parse(a, _fast(s, "10", "-3", 11, 90))


def _log_figure(canvas_class, lo, hi, size):
    fig = Figure(figsize=(5, 4), dpi=90)
    canvas_class(fig)
    ax = fig.add_subplot()
    ax.plot([1, 2], [10.0**lo, 10.0**hi])
    ax.set_yscale("log")
    ax.set_xscale("log")
    ax.set_xlim(10.0**-7, 10.0**7)
    ax.tick_params(labelsize=size)
    return fig


@pytest.mark.parametrize(("lo", "hi", "size"), [(-31, -17, 7), (-3, 3, 10), (17, 29, 8.5)])
def test_tick_labels_are_pixel_equal_to_matplotlibs_own(monkeypatch, lo, hi, size):
    _PARSER._parse_cached.cache_clear()
    laid = []
    real = decade_math._layout
    monkeypatch.setattr(decade_math, "_layout", lambda *a: laid.append(a[0]) or real(*a))
    ours, theirs = _log_figure(SharedCanvasAgg, lo, hi, size), _log_figure(FigureCanvasAgg, lo,
                                                                           hi, size)
    ours.canvas.draw()
    theirs.canvas.draw()
    assert len(laid) >= 8 and decade_math.enabled()   # the fast path drew the labels
    assert np.array_equal(np.asarray(ours.canvas.buffer_rgba()),
                          np.asarray(theirs.canvas.buffer_rgba()))


def test_other_strings_go_through_the_grammar(monkeypatch):
    laid = []
    monkeypatch.setattr(decade_math, "_layout", lambda *a: laid.append(a) or 1 / 0)
    for s in [r"$\mathdefault{2\times10^{-1}}$", r"$\mathdefault{10^{-1.5}}$", r"$10^{3}$",
              r"$\mathdefault{10^{3}}$ and more", r"$\mathdefault{10^{--3}}$", r"$x^2$"]:
        out = decade_math.decade_parse(_PARSER, _UNCACHED, s, 90, FontProperties(size=7),
                                       True, FLAGS)
        assert decade_math.same_parse(out, _UNCACHED(_PARSER, s, 90, FontProperties(size=7),
                                                     True, FLAGS))
    assert laid == []


def test_the_first_label_is_checked_and_a_mismatch_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setitem(decade_math._STATE, "verified", False)
    monkeypatch.setitem(decade_math._STATE, "enabled", True)
    real = decade_math._layout
    # a wrong layout (the exponent's digits changed) is caught on the first label
    monkeypatch.setattr(decade_math, "_layout",
                        lambda s, base, e, *a: real(s, base, e.replace("3", "4"), *a))
    s, prop = r"$\mathdefault{10^{-3}}$", FontProperties(size=7)
    out = decade_math.decade_parse(_PARSER, _UNCACHED, s, 90, prop, True, FLAGS)
    assert decade_math.same_parse(out, _UNCACHED(_PARSER, s, 90, prop, True, FLAGS))
    assert decade_math._STATE["verified"] and not decade_math.enabled()
    # off: every later label is the grammar's
    out = decade_math.decade_parse(_PARSER, _UNCACHED, r"$\mathdefault{10^{3}}$", 90, prop,
                                   True, FLAGS)
    assert decade_math.same_parse(out, _UNCACHED(_PARSER, r"$\mathdefault{10^{3}}$", 90, prop,
                                                 True, FLAGS))


def test_an_error_turns_the_fast_path_off(monkeypatch):
    monkeypatch.setitem(decade_math._STATE, "enabled", True)
    monkeypatch.setattr(decade_math, "_layout", lambda *a: 1 / 0)
    s, prop = r"$\mathdefault{10^{5}}$", FontProperties(size=9)
    out = decade_math.decade_parse(_PARSER, _UNCACHED, s, 90, prop, True, FLAGS)
    assert decade_math.same_parse(out, _UNCACHED(_PARSER, s, 90, prop, True, FLAGS))
    assert not decade_math.enabled()


def test_the_shared_parser_uses_it():
    assert agg._SharedMathText._parse_cached.__wrapped__.__name__ == "_parse"
    assert decade_math.enabled()
