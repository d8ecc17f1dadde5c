"""Blitting helpers of :class:`~lrlab.apps.render.Canvas`: cached layers of static artists.

A frame is the cached background, the animated artists, and the static
artists that a full draw paints *over* the animated ones (a legend above a
path). Those are rendered once into a transparent RGBA layer and
composited into each frame, instead of being drawn again every frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure

__all__ = ["Layer", "Layers", "hidden"]


@contextmanager
def hidden(artists: list[Artist]) -> Iterator[None]:
    """Hide artists for the duration (visibility restored, stale flags aside)."""
    for a in artists:
        a.set_visible(False)
    try:
        yield
    finally:
        for a in artists:
            a.set_visible(True)


class Layer:
    """Static artists rendered once on a transparent canvas, composited every frame.

    Equal to drawing them over the frame (Agg blends straight alpha the same
    way), to one level of 255 in rounding.
    """

    def __init__(self, figure: Figure, artists: list[Artist]):
        width, height = int(figure.bbox.width), int(figure.bbox.height)
        renderer = RendererAgg(width, height, figure.dpi)
        for a in artists:
            a.draw(renderer)
        rgba = np.asarray(renderer.buffer_rgba())
        rows = np.flatnonzero(rgba[..., 3].any(axis=1))
        cols = np.flatnonzero(rgba[..., 3].any(axis=0))
        if rows.size == 0:
            self.rows = self.cols = slice(0, 0)
            self.premultiplied = self.transparency = np.zeros((0, 0, 1), np.uint16)
            return
        self.rows = slice(int(rows[0]), int(rows[-1]) + 1)
        self.cols = slice(int(cols[0]), int(cols[-1]) + 1)
        crop = rgba[self.rows, self.cols].astype(np.uint16)
        alpha = crop[..., 3:4]
        self.premultiplied = crop[..., :3] * alpha + 127  # + 127: round, not truncate
        self.transparency = 255 - alpha

    def composite(self, buf: np.ndarray) -> None:
        """``dst = src * a + dst * (1 - a)`` in 8-bit arithmetic, in place."""
        if self.transparency.size:
            dst = buf[self.rows, self.cols, :3]
            dst[...] = (self.premultiplied + dst * self.transparency) // 255


class Layers:
    """The drawing plan of a frame: animated artists, and runs of overlays as layers."""

    def __init__(self, figure: Figure, order: list[Artist], overlays: set):
        self.order = list(order)
        self.plan: list = []
        run: list[Artist] = []
        for a in [*self.order, None]:
            if a is not None and a in overlays:
                run.append(a)
                continue
            if run:
                self.plan.append(Layer(figure, run))
                run = []
            if a is not None:
                self.plan.append(a)

    def fits(self, order: list[Artist]) -> bool:
        """Still the plan for this order of artists (zorders unchanged)?"""
        return len(order) == len(self.order) and all(
            a is b for a, b in zip(order, self.order, strict=True))
