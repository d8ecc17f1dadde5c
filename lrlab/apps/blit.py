"""Blitting helpers of :class:`~lrlab.apps.render.Canvas`: cached layers of static artists.

A frame is the cached background, the animated artists, and the static
artists that a full draw paints *over* the animated ones (a legend above a
path). Those are rendered once into a transparent RGBA layer and
composited into each frame, instead of being drawn again every frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

__all__ = ["Group", "Layer", "Layers", "hidden", "layer_renderer"]


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

    def __init__(self, members: list[Artist]):
        super().__init__()
        self.members = list(members)
        self.axes = members[0].axes
        self.set_zorder(min(m.get_zorder() for m in members))

    def draw(self, renderer: Any) -> None:
        for m in sorted(self.members, key=Artist.get_zorder):
            m.draw(renderer)


class Layer:
    """Static artists rendered once on a transparent canvas, composited every frame.

    Only the pixels the artists cover are kept (opaque ones are copied,
    translucent ones blended), so a frame pays for the legend's box, not for
    the figure. Equal to drawing the artists over the frame (Agg blends
    straight alpha the same way) to rounding, one or two levels of 255.
    """

    def __init__(self, renderer: RendererAgg, artists: list[Artist]):
        self.artists = list(artists)
        renderer.clear()
        for a in artists:
            a.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        self.shape = rgba.shape
        alpha = rgba[..., 3]
        rows = np.flatnonzero(alpha.any(axis=1))
        cols = np.flatnonzero(alpha.any(axis=0))
        self.rows = slice(int(rows[0]), int(rows[-1]) + 1) if rows.size else slice(0, 0)
        self.cols = slice(int(cols[0]), int(cols[-1]) + 1) if cols.size else slice(0, 0)
        flat = rgba.reshape(-1, 4)
        a = flat[:, 3]
        self.opaque = np.flatnonzero(a == 255)
        self.opaque_rgb = flat[self.opaque, :3].copy()
        self.partial = np.flatnonzero((a > 0) & (a < 255))
        part = flat[self.partial].astype(np.uint16)
        self.premultiplied = part[:, :3] * part[:, 3:] + 127  # + 127: round, not truncate
        self.transparency = 255 - part[:, 3:]

    def composite(self, buf: np.ndarray) -> None:
        """``dst = src * a + dst * (1 - a)`` in 8-bit arithmetic, in place."""
        if buf.shape != self.shape or not buf.flags.c_contiguous:
            raise ValueError(f"a layer of shape {self.shape} needs a contiguous frame of that "
                             f"shape, not {buf.shape}")
        flat = buf.reshape(-1, 4)
        flat[self.opaque, :3] = self.opaque_rgb
        dst = flat[self.partial, :3]
        flat[self.partial, :3] = (self.premultiplied + dst * self.transparency) // 255


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
        self.plan: list = []
        run: list[Artist] = []
        for a in [*self.order, None]:
            if a is not None and a in overlays:
                run.append(a)
                continue
            if run:
                self.plan.append(_cached(figure, cache, run))
                run = []
            if a is not None and a in alone:  # a layer of its own
                self.plan.append(_cached(figure, cache, [a]) if a.get_visible() else a)
            elif a is not None:
                self.plan.append(a)

    def fits(self, order: list[Artist]) -> bool:
        """Still the plan for this order of artists (zorders unchanged)?"""
        return len(order) == len(self.order) and all(
            a is b for a, b in zip(order, self.order, strict=True))


def _cached(figure: Figure, cache: dict, run: list[Artist]) -> Layer:
    key = tuple(id(r) for r in run)
    if key not in cache:
        cache[key] = Layer(layer_renderer(figure, cache), run)
    return cache[key]


_RENDERER = "renderer"  # the cache's key for the layers' renderer


def layer_renderer(figure: Figure, cache: dict) -> RendererAgg:
    """One transparent renderer of the figure's size for every layer (kept in ``cache``)."""
    width, height = int(figure.bbox.width), int(figure.bbox.height)
    r = cache.get(_RENDERER)
    if r is None or (r.width, r.height, r.dpi) != (width, height, figure.dpi):
        r = cache[_RENDERER] = RendererAgg(width, height, figure.dpi)
    return r
