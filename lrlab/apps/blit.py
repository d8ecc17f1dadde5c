"""Blitting helpers of :class:`~lrlab.apps.render.Canvas`: cached layers of static artists.

A frame is the cached background, the animated artists, and the static
artists that a full draw paints *over* the animated ones (a legend above a
path). Those are rendered once into a transparent RGBA layer and
composited into each frame, instead of being drawn again every frame.
Static artists under every moving artist of their axes (contours, a title)
are drawn straight onto the background instead (:class:`DirectLayer`, exactly
as a full draw paints them), which is then cached (:class:`BackgroundUnder`).
Here too: the order a full draw paints artists in (:func:`draw_order`,
:func:`static_above`), and drawing axes one at a time while noting the
pixels each one covers (:func:`draw_tracked`).
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .agg import shared_renderer

__all__ = ["BackgroundUnder", "DirectLayer", "Group", "Layer", "Layers", "draw_order",
           "draw_tracked", "hidden", "layer_renderer", "static_above", "ticks_once"]

_SERIALS = itertools.count()
#: The alpha byte of an RGBA pixel read as one native 32-bit word.
_ALPHA = np.uint32(0xFF000000 if sys.byteorder == "little" else 0xFF)


@contextmanager
def hidden(artists: list[Artist]) -> Iterator[None]:
    """Hide artists for the duration (each gets its own visibility back)."""
    was = [a.get_visible() for a in artists]
    for a in artists:
        a.set_visible(False)
    try:
        yield
    finally:
        for a, visible in zip(artists, was, strict=True):
            a.set_visible(visible)


class Group(Artist):
    """Static artists drawn together, in zorder, from one layer (see ``Canvas.layer``).

    An axis of an Axes comes with the Axes' spines: a full draw paints the
    spines (zorder 2.5) over the axis' tick marks (1.5), and so does the layer.
    """

    def __init__(self, members: list[Artist], *, memo: bool = False):
        super().__init__()
        self.members = list(members)
        self.axes = members[0].axes
        self.memo = memo  # keep a layer per look (see state), not only the last one
        self.set_zorder(min(m.get_zorder() for m in members))

    def state(self) -> tuple:
        """What an axis' look depends on: its limits, scale, label, place and the figure's
        size (a memo group's layers are cached by it, so a limit seen before costs nothing)."""
        out: list = []
        for m in self.members:
            ax = m.axes
            out.append((tuple(float(v) for v in m.get_view_interval()), m.get_scale(),
                        m.label.get_text(), m.label.get_visible(), m.get_visible(),
                        tuple(ax.get_position().bounds) if ax is not None else None))
        fig = self.members[0].get_figure()
        out.append((tuple(fig.get_size_inches()), fig.dpi))
        return tuple(out)

    def draw(self, renderer: Any) -> None:
        with ticks_once([m for m in self.members if isinstance(m, Axis)]):
            for m in sorted(self.members, key=Artist.get_zorder):
                m.draw(renderer)


@contextmanager
def ticks_once(axes: list) -> Iterator[None]:
    """Within the block, each axis works out its ticks, and their labels' boxes, once.

    ``Axis.draw`` asks for the ticks it draws three times (to draw them, to place
    its label, through its spine's extent) and for their labels' boxes twice;
    nothing those depend on changes while it draws, so the first answers serve
    the rest (the same ticks, labels and boxes: the same pixels).
    """
    undo = []
    for axis in axes:
        cls = type(axis)
        if (not hasattr(cls, "_update_ticks") or not hasattr(cls, "_get_ticklabel_bboxes")
                or "_update_ticks" in vars(axis) or "_get_ticklabel_bboxes" in vars(axis)):
            continue  # another matplotlib, or patched by someone else: left as it is
        ticks: list = []
        boxes: dict = {}

        def update_ticks(axis: Any = axis, cls: type = cls, ticks: list = ticks) -> list:
            if not ticks:
                ticks.append(cls._update_ticks(axis))
            return ticks[0]

        def ticklabel_bboxes(drawn: list, renderer: Any, axis: Any = axis, cls: type = cls,
                             boxes: dict = boxes) -> tuple:
            key = (id(drawn), id(renderer))  # the lists are kept alive in ``boxes``
            if key not in boxes:
                boxes[key] = (drawn, renderer, cls._get_ticklabel_bboxes(axis, drawn, renderer))
            return boxes[key][2]

        axis._update_ticks = update_ticks
        axis._get_ticklabel_bboxes = ticklabel_bboxes
        undo.append(axis)
    try:
        yield
    finally:
        for axis in undo:
            del axis._update_ticks
            del axis._get_ticklabel_bboxes


class Layer:
    """Static artists rendered once on a transparent canvas, composited every frame.

    Only the box the artists cover is kept, or only the pixels they cover when
    they are sparse (a frame pays for a legend's box, or a line's pixels, not
    for the figure). Equal to drawing the artists over the frame (Agg blends
    straight alpha the same way) to rounding, one or two levels of 255.
    """

    def __init__(self, renderer: RendererAgg, artists: list[Artist]):
        self.artists = list(artists)
        self.serial = next(_SERIALS)  # never reused, unlike id()
        renderer.clear()
        for a in artists:
            a.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        self.shape = rgba.shape
        # pixels whose alpha is not 0, read one 32-bit word per pixel (its alpha byte)
        covered = (rgba.view(np.uint32)[..., 0] & _ALPHA) != 0
        rows = np.flatnonzero(covered.any(axis=1))
        cols = np.flatnonzero(covered.any(axis=0))
        self.rows = slice(int(rows[0]), int(rows[-1]) + 1) if rows.size else slice(0, 0)
        self.cols = slice(int(cols[0]), int(cols[-1]) + 1) if cols.size else slice(0, 0)
        crop = rgba[self.rows, self.cols]
        covered = covered[self.rows, self.cols]
        self.dense = np.count_nonzero(covered) > 0.3 * covered.size
        if self.dense:  # blend the whole box: no gathering and scattering
            a = crop[..., 3:].astype(np.uint16)
            self.premultiplied = crop[..., :3] * a + 127  # + 127: round, not truncate
            self.transparency = 255 - a
            return
        self.r, self.c = np.nonzero(covered)  # the few pixels the artists cover
        part = crop[self.r, self.c].astype(np.uint16)
        self.premultiplied = part[:, :3] * part[:, 3:] + 127
        self.transparency = 255 - part[:, 3:]
        # the same, channel by channel, at their offsets in the frame's bytes: a 1-D
        # gather and scatter (a few times faster than indexing rows and columns)
        pixels = (self.r + self.rows.start) * self.shape[1] + (self.c + self.cols.start)
        self._at = (4 * pixels[:, None] + np.arange(3)).ravel()
        self._premultiplied = self.premultiplied.ravel()
        self._transparency = np.repeat(self.transparency.ravel(), 3)

    def composite(self, buf: np.ndarray) -> None:
        """``dst = src * a + dst * (1 - a)`` in 8-bit arithmetic, in place."""
        if buf.shape != self.shape:
            raise ValueError(f"a layer of shape {self.shape} composited on a frame of shape "
                             f"{buf.shape}")
        box = buf[self.rows, self.cols, :3]
        if self.dense:
            box[...] = (self.premultiplied + box * self.transparency) // 255
            return
        if buf.flags.c_contiguous:  # Agg's buffer: its bytes in order
            flat = buf.reshape(-1)
            flat[self._at] = (self._premultiplied + flat.take(self._at) * self._transparency
                              ) // 255
            return
        dst = box[self.r, self.c]
        box[self.r, self.c] = (self.premultiplied + dst * self.transparency) // 255


class Layers:
    """The drawing plan of a frame: animated artists, and runs of overlays as layers.

    ``cache`` maps a run of overlay artists to its :class:`Layer`; runs found
    there are reused, new ones rendered (on one renderer kept in the cache,
    whose text layout and mathtext caches then serve every layer). Artists in
    ``alone`` get a layer each.
    """

    def __init__(self, figure: Figure, order: list[Artist], overlays: set, cache: dict, *,
                 alone: set = frozenset()):
        self.order = list(order)
        steps: list = []  # artists, and lists of artists that become one layer
        run: list[Artist] = []
        for a in [*self.order, None]:
            if a is not None and a in overlays:
                run.append(a)
                continue
            if run:
                steps.append(run)
                run = []
            if a is not None and a in alone and a.get_visible():  # a layer of its own
                steps.append([a])
            elif a is not None:
                steps.append(a)
        #: layers under every moving artist of their axes (painted into the background
        #: once), and the rest of the frame: moving artists and layers, in order
        self.under: list = []
        self.plan: list = []
        moved: set = set()
        for step in steps:
            if not isinstance(step, list):
                moved.add(step.axes)
                self.plan.append(step)
                continue
            axes = {a.axes for a in step}
            under = None not in axes and None not in moved and not axes & moved
            layer = _cached(figure, cache, step, direct=under)
            (self.under if under else self.plan).append(layer)

    def fits(self, order: list[Artist]) -> bool:
        """Still the plan for this order of artists (zorders unchanged)?"""
        return len(order) == len(self.order) and all(
            a is b for a, b in zip(order, self.order, strict=True))


#: Most layers kept per memo group (one per look of an axis; the oldest go first).
MEMO_LAYERS = 32


def _cached(figure: Figure, cache: dict, run: list[Artist], *,
            direct: bool = False) -> Layer | DirectLayer:
    """The cached layer of ``run``: a :class:`DirectLayer` if ``direct`` (so a frame is the
    same whatever came before it), else a :class:`Layer`; a memo group always gets a
    :class:`Layer` (a look seen before is composited, not drawn)."""
    ids = tuple(id(r) for r in run)
    memo = tuple(r.state() for r in run if isinstance(r, Group) and r.memo)
    key = (*ids, memo) if memo else ids
    held = cache.get(key)
    if direct and not memo:
        if not isinstance(held, DirectLayer):
            cache[key] = DirectLayer(run)
    elif not isinstance(held, Layer):  # none, or a direct one
        if memo:  # bounded: drop the oldest looks of these artists
            same = [k for k in cache if isinstance(k, tuple) and k[:-1] == ids]
            for k in same[: max(len(same) - MEMO_LAYERS + 1, 0)]:
                del cache[k]
        cache[key] = Layer(layer_renderer(figure, cache), run)
    return cache[key]


class DirectLayer:
    """Static artists under every moving artist of their axes, drawn straight onto the frame.

    What a full draw does (so the pixels are exactly a full draw's, not equal to
    rounding), without a transparent layer: the canvas caches the background
    with these drawn into it, so they are drawn again only when invalidated
    (which drops this from the cache) or when the background is redrawn.
    """

    def __init__(self, artists: list[Artist]):
        self.artists = list(artists)
        self.serial = next(_SERIALS)

    def draw(self, renderer: Any) -> None:
        for a in self.artists:
            a.draw(renderer)


class BackgroundUnder:
    """The background with ``Layers.under`` painted into it, cached.

    Painting: a :class:`DirectLayer` is drawn, a :class:`Layer` composited, in
    order. The background painted up to each direct layer that more layers follow
    is kept too, and a paint starts from the longest such prefix that is still the
    same: a new look of a memo axis after the contours costs its composite, and a
    direct layer after them (another axes' minor marks) its own draw, not a draw of
    the contours.
    """

    def __init__(self) -> None:
        self.composed: tuple | None = None  # (key, saved region)
        self.prefixes: dict = {}  # n -> (key of under[:n], saved region), under[n-1] drawn

    def paint(self, figure: Figure, under: list, version: int) -> None:
        """Bring the painted background into the frame, which holds the restored background
        of ``version`` (the canvas's count of background redraws)."""
        canvas = figure.canvas
        serials = tuple(layer.serial for layer in under)
        key = (version, serials)
        if self.composed is not None and self.composed[0] == key:
            canvas.restore_region(self.composed[1])
            return
        start = 0
        for n in sorted(self.prefixes, reverse=True):
            if n <= len(under) and self.prefixes[n][0] == (version, serials[:n]):
                canvas.restore_region(self.prefixes[n][1])
                start = n
                break
        self.prefixes = {n: kept for n, kept in self.prefixes.items() if n <= start}
        buf = np.asarray(canvas.buffer_rgba())
        for i in range(start, len(under)):
            layer = under[i]
            if isinstance(layer, DirectLayer):
                layer.draw(canvas.get_renderer())
                if i + 1 < len(under):  # more follow: keep what a draw of it costs
                    self.prefixes[i + 1] = ((version, serials[:i + 1]),
                                            canvas.copy_from_bbox(figure.bbox))
            else:
                layer.composite(buf)
        self.composed = (key, canvas.copy_from_bbox(figure.bbox))


_RENDERER = "renderer"  # the cache's key for the layers' renderer


def layer_renderer(figure: Figure, cache: dict) -> RendererAgg:
    """One transparent renderer of the figure's size for every layer (kept in ``cache``).

    Made as ``FigureCanvasAgg.get_renderer`` makes the frame's renderer, so
    both have the same number of pixels (rounding included).
    """
    key = (*figure.canvas.get_width_height(physical=True), figure.dpi)
    r = cache.get(_RENDERER)
    if r is None or r._lrlab_key != key:
        r = cache[_RENDERER] = shared_renderer(*key)
        r._lrlab_key = key
    return r


def draw_order(items: list) -> list:
    """``items`` in the order a full draw paints them: zorder, then order in their Axes."""
    index: dict[int, int] = {}
    for ax in {a.axes for a in items if a.axes is not None}:
        index.update((id(c), i) for i, c in enumerate(ax.get_children()))

    def key(a: Any) -> tuple[float, int]:
        members = a.members if isinstance(a, Group) else [a]
        return a.get_zorder(), min(index.get(id(m), 0) for m in members)

    return sorted(items, key=key)


def static_above(animated: list[Artist], layered: list[Group]) -> list[Artist]:
    """Static artists that a full draw paints after some moving artist of their Axes.

    Left out of the cached background and composited over the moving
    artists from cached layers: a legend (zorder 5) stays above a path
    (zorder 4) crossing it, spines (2.5) above a line (2) running into
    them, a marker (3) above contours kept in a layer (1). Titles and axes
    (``Axis``) never overlap the data area and stay in the background.
    """
    from matplotlib.axis import Axis

    moving = {id(a) for a in animated} | {id(m) for g in layered for m in g.members
                                           if m.get_visible()}  # hidden: drawn by nobody
    out: list[Artist] = []
    for ax in {a.axes for a in animated + layered if a.axes is not None}:
        skip = {id(ax.patch), id(ax.title), id(ax._left_title), id(ax._right_title)}
        after = False
        for c in sorted((c for c in ax.get_children() if c is not ax.patch),
                        key=Artist.get_zorder):  # Axes.draw's order
            if id(c) in moving:
                after = True
            elif (after and id(c) not in skip and not c.get_animated() and c.get_visible()
                  and not isinstance(c, Axis)):
                out.append(c)
    return out


def draw_tracked(axes: list, renderer: Any) -> dict:
    """Draw ``axes`` one by one; each one's extent: its box and every pixel it changed."""
    pixels = np.asarray(renderer.buffer_rgba()).view(np.uint32)[..., 0]
    height = pixels.shape[0]
    before = pixels.copy()
    out = {}
    for ax in axes:
        ax.draw(renderer)
        changed = pixels != before
        rows = np.flatnonzero(changed.any(axis=1))
        cols = np.flatnonzero(changed.any(axis=0))
        box = ax.get_window_extent(renderer)
        if rows.size:
            box = Bbox.union([box, Bbox.from_extents(cols[0], height - rows[-1] - 1,
                                                     cols[-1] + 1, height - rows[0])])
        out[ax] = box
        np.copyto(before, pixels)
    return out
