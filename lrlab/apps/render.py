"""One figure, two ways to show it: PNG bytes in an ``ipywidgets.Image``, or ipympl.

Every interactive view in lrlab owns exactly one :class:`matplotlib.figure.Figure`,
built once and never registered with pyplot (so re-running a cell or moving a
slider 500 times never changes ``plt.get_fignums()``). A :class:`Canvas` shows it:

``backend="png"`` (the default whenever ``%matplotlib widget`` is not active)
    The figure is rendered by Agg, encoded as PNG and shown by an
    :class:`ipywidgets.Image` as a ``data:`` URL (:func:`~lrlab.apps.png.data_url`).
    Works with no extension in JupyterLab,
    Notebook 7, VS Code, Voilà and under nbval. Static artists (contours,
    axes, labels) are drawn once and cached as a background; an update
    restores that background and draws only the *animated* artists
    (blitting), which is what makes an update cost a few milliseconds.
``backend="ipympl"`` (when the notebook runs ``%matplotlib widget``)
    The figure gets ipympl's canvas widget (pan, zoom, resize); an update asks
    it to redraw.

Views call :meth:`Canvas.animate` on the artists they move, change those
artists' data in place, and call :meth:`Canvas.render`. When something that
belongs to the background changes (an axis limit, a tick label), they call
:meth:`Canvas.invalidate` first: with no argument the whole background is
redrawn, with axes only those axes' part of it (an axis that rescales costs
one axes, not the figure).

What a frame costs, and what keeps it small: restoring the background is a
copy; static artists drawn *above* the moving ones (a legend, a label) are
rendered once into a transparent layer and composited, not redrawn; the PNG
is Agg's RGBA buffer behind a filter byte per row, deflated at level 1 (by ISA-L
where it is installed, else zlib: :mod:`lrlab.apps.png`).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox

from .._validation import check_choice
from .agg import SharedCanvasAgg
from .blit import (
    BackgroundUnder,
    DirectLayer,
    Group,
    Layer,
    Layers,
    draw_order,
    draw_tracked,
    hidden,
    static_above,
)
from .png import data_url, png_bytes

__all__ = ["Canvas", "active_backend", "data_url", "png_bytes"]

_IPYMPL_NAMES = ("module://ipympl.backend_nbagg", "widget", "ipympl")


def active_backend() -> str:
    """``'ipympl'`` when the notebook runs ``%matplotlib widget``, else ``'png'``.

    Reads matplotlib's backend without resolving it (resolving would import
    pyplot and might pick an interactive backend as a side effect).
    """
    name = matplotlib.rcParams._get_backend_or_none()  # None: not chosen yet
    return "ipympl" if name is not None and name.lower() in _IPYMPL_NAMES else "png"


class Canvas:
    """A figure plus the widget that shows it.

    Parameters
    ----------
    figsize : (float, float)
        Figure size in inches.
    dpi : float
        Resolution of the PNG path (ipympl uses the browser's).
    backend : {'auto', 'png', 'ipympl'}
        'auto' picks ipympl when ``%matplotlib widget`` is active.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The one figure; draw on its axes.
    widget : ipywidgets.Image or ipympl Canvas
        What to put in a layout.
    png : bytes
        The PNG of the last frame shown (PNG backend; ``b""`` before the first).
    backend : str
        'png' or 'ipympl'.
    renders, full_draws, axes_draws : int
        How many times the figure was shown, how many of those redrew the whole
        background, and how many axes were redrawn alone (for tests and
        benchmarks).

    Examples
    --------
    >>> canvas = Canvas((6, 2), backend="png")
    >>> ax, other = canvas.figure.subplots(1, 2)
    >>> (line,) = ax.plot([0, 1], [0, 1])
    >>> canvas.animate(line)
    >>> canvas.render()
    >>> line.set_ydata([1, 0]); canvas.render()    # blitted: the background is reused
    >>> _ = ax.set_ylim(-1, 2); canvas.invalidate(ax); canvas.render()  # one axes redrawn
    >>> canvas.renders, canvas.full_draws, canvas.axes_draws
    (3, 1, 1)
    >>> canvas.png[:4] == b"\\x89PNG", canvas.widget.value[:22] == b"data:image/png;base64,"
    (True, True)
    """

    def __init__(self, figsize: tuple[float, float] = (9.0, 4.0), *, dpi: float = 90,
                 backend: str = "auto"):
        backend = check_choice(backend, "backend", "Canvas", ("auto", "png", "ipympl"))
        self.backend = active_backend() if backend == "auto" else backend
        self.figure = Figure(figsize=figsize, dpi=dpi, layout=None)
        self._animated: list[Artist] = []
        self._background = None
        self._overlays: list[Artist] = []
        self._layered: list[Artist] = []  # static artists drawn from a layer of their own
        self._layers: Layers | None = None
        self._layer_cache: dict = {}  # run of overlay artists -> its Layer
        self._under = BackgroundUnder()  # the background with the layers under everything
        self._version = 0  # of the background
        self._dirty: set = set()  # axes whose part of the background is stale
        self._extents: dict = {}  # axes -> display bbox of what the background holds of it
        self.renders = 0
        self.full_draws = 0
        self.axes_draws = 0
        if self.backend == "ipympl":
            MplCanvas, FigureManager = _ipympl()
            mpl_canvas = MplCanvas(self.figure)
            self._manager = FigureManager(mpl_canvas, 0)  # toolbar; not registered in pyplot
            mpl_canvas.header_visible = False
            mpl_canvas.toolbar_position = "right"
            self.widget = mpl_canvas
        else:
            import ipywidgets as W

            SharedCanvasAgg(self.figure)
            self.widget = W.Image(format="url", layout=W.Layout(width="auto", max_width="100%"))
        self.png = b""

    # ------------------------------------------------------------------ API
    def animate(self, *artists: Artist | Iterable[Artist]) -> None:
        """Mark artists as dynamic: they are redrawn on every :meth:`render`."""
        for a in _flatten(artists):
            if a not in self._animated:
                if self.backend == "png":
                    a.set_animated(True)
                self._animated.append(a)
        self.invalidate()

    def layer(self, *artists: Artist | Iterable[Artist], memo: bool = False) -> None:
        """Keep static artists out of the background, each drawn from a cached layer.

        For what changes now and then but not every frame, e.g. an axis whose
        limits follow a slider, or contours that follow a condition number:
        after ``invalidate(artist)`` only that layer is drawn again, not the
        axes. The artists of one call other than axes share one layer; an
        axis gets a layer of its own. Layers are composited in the order a
        full draw paints them, among the animated artists.

        With ``memo=True`` (axes only) each axis keeps a layer per look (limits,
        scale, label; :meth:`Group.state`), so coming back to limits seen before
        costs a composite, not a draw: for an axis whose limits take a few
        quantised values. Its ticks, formatter and style must not change otherwise.
        """
        from matplotlib.axis import Axis

        new = [a for a in _flatten(artists) if self._group_of(a) is None]
        for axis in (a for a in new if isinstance(a, Axis)):
            self._layered.append(Group([axis], memo=memo))
        others = [a for a in new if not isinstance(a, Axis)]
        if others:
            self._layered.append(Group(others))
        self.invalidate()

    def _group_of(self, artist: Any) -> Group | None:
        return next((g for g in self._layered if artist in g.members), None)

    def _layered_members(self) -> list[Artist]:
        return [m for g in self._layered for m in g.members]

    def invalidate(self, *items: Any) -> None:
        """Forget the cached background (call after changing limits, ticks or labels).

        With axes given, only their part of the background is redrawn at the
        next :meth:`render` (plus any axes whose labels overlap them); with an
        artist given to :meth:`layer`, or an overlay (a legend above the moving
        artists), only its layer; with nothing, all of it. (A new or removed
        overlay needs nothing: overlays are found again every frame.)
        """
        if not items:
            self._background = None
            self._dirty.clear()
            # forget layered artists taken off the figure (e.g. contours of an old surface)
            self._layered = [g for g in self._layered
                             if all(m.get_figure() is not None for m in g.members)]
            return
        for item in items:
            group = self._group_of(item)
            if group is not None and group.memo:
                self._layers = None  # a new plan finds the layer of its new look
            elif group is not None:
                self._forget_layers(None, artist=group)
            elif item in self._overlays:
                self._forget_layers(None, artist=item)
            elif self._background is not None:
                self._dirty.add(item)

    def render(self) -> None:
        """Show the current state of the figure."""
        self.renders += 1
        if self.backend == "ipympl":
            self.full_draws += 1
            self.figure.canvas.draw_idle()
            return
        canvas = self.figure.canvas
        if self._background is None:
            self._draw_background()
        else:
            canvas.restore_region(self._background)
            if self._dirty:
                self._redraw_axes()
        self._draw_frame()
        self.png = png_bytes(canvas)
        self.widget.value = data_url(self.png)

    # ------------------------------------------------------------ background
    def _draw_background(self) -> None:
        """Everything but the animated artists and the overlays, cached.

        As ``canvas.draw()`` does it (the figure's patch, then its axes in
        zorder), one axes at a time, noting the pixels each one changed: its
        extent, where a later one-axes redraw must clear.
        """
        canvas, fig = self.figure.canvas, self.figure
        self._overlays = static_above(self._animated, self._layered)
        others = [a for a in fig.get_children() if a is not fig.patch and a not in fig.axes]
        with hidden(self._overlays + self._layered_members()):
            if others or fig.get_layout_engine() is not None:
                canvas.draw()  # figure-level artists or a layout engine: no one-axes redraws
                self._extents = {}
            else:
                renderer = canvas.get_renderer()
                renderer.clear()
                fig.patch.draw(renderer)
                self._extents = draw_tracked(sorted(fig.axes, key=Artist.get_zorder), renderer)
                fig.stale = False
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._version += 1
        self._forget_layers(None)
        self._dirty.clear()
        self.full_draws += 1

    def _redraw_axes(self) -> None:
        """Redraw the stale axes' region of the background (the buffer holds the background).

        The region is what the axes covered when last drawn (its tight box:
        ticks, labels, title, legend); an axes whose old box reaches into it is
        redrawn too. If the redrawn axes now reach beyond the region into
        another axes, or figure-level artists exist, the whole figure is drawn.
        """
        canvas, fig = self.figure.canvas, self.figure
        todo, self._dirty = set(self._dirty), set()
        if any(ax not in self._extents for ax in todo) or len(self._extents) != len(fig.axes):
            self._draw_background()  # axes the background never held, or no extents
            return
        region = Bbox.union([self._extents[ax] for ax in todo])
        grown = True
        while grown:  # an axes whose labels reach into the region is redrawn too
            grown = False
            for ax, box in self._extents.items():
                if ax not in todo and box.overlaps(region):
                    todo.add(ax)
                    region = Bbox.union([region, box])
                    grown = True
        if len(todo) == len(self._extents):
            self._draw_background()  # every axes: draw it all
            return
        buf = np.asarray(canvas.buffer_rgba())
        height, width = buf.shape[:2]
        x0, y0 = max(int(region.x0) - 2, 0), max(int(region.y0) - 2, 0)
        x1 = min(int(np.ceil(region.x1)) + 2, width)
        y1 = min(int(np.ceil(region.y1)) + 2, height)
        buf[height - y1:height - y0, x0:x1] = np.round(
            255 * np.asarray(to_rgba(fig.get_facecolor()))).astype(np.uint8)
        self._overlays = static_above(self._animated, self._layered)
        with hidden(self._overlays + self._layered_members()):
            new = draw_tracked(sorted(todo, key=Artist.get_zorder), canvas.get_renderer())
        cleared = Bbox.from_extents(x0, y0, x1, y1)
        for box in new.values():
            outside = not (cleared.containsx(box.x0) and cleared.containsx(box.x1)
                           and cleared.containsy(box.y0) and cleared.containsy(box.y1))
            if outside and any(other.overlaps(box) for o, other in self._extents.items()
                               if o not in todo):
                self._draw_background()  # grew into a neighbour: draw it all
                return
        self._background = canvas.copy_from_bbox(fig.bbox)
        self._version += 1
        self._extents.update(new)
        self._forget_layers(todo)
        self.axes_draws += len(todo)

    # ----------------------------------------------------------------- frame
    def _draw_frame(self) -> None:
        """Animated artists and overlays, in zorder, over the restored background."""
        self._overlays = static_above(self._animated, self._layered)
        order = draw_order(self._animated + self._overlays + self._layered)
        if self._layers is None or not self._layers.fits(order):
            self._layers = Layers(self.figure, order, set(self._overlays), self._layer_cache,
                                  alone=set(self._layered))
        canvas = self.figure.canvas
        buf = np.asarray(canvas.buffer_rgba())
        # layers under every moving artist of their axes go into the background once (a
        # restore brings them back), not into every frame; new ones are drawn, not composited
        if self._layers.under:
            self._under.paint(self.figure, self._layers.under, self._version)
        for step in self._layers.plan:
            if isinstance(step, Layer):
                step.composite(buf)
            elif step in self._layered:
                continue  # hidden: its layer is empty
            elif step.get_visible() and step.axes is not None:
                step.axes.draw_artist(step)
            elif step.get_visible():
                self.figure.draw_artist(step)

    def _forget_layers(self, axes: set | None, *, artist: Artist | None = None) -> None:
        """Drop the cached layers holding ``artist``, or artists of ``axes`` (or all)."""
        self._layers = None
        if axes is None and artist is None:
            self._layer_cache.clear()
            return
        for key, layer in list(self._layer_cache.items()):
            if not isinstance(layer, (Layer, DirectLayer)):
                continue
            if artist in layer.artists or (axes and any(a.axes in axes for a in layer.artists)):
                del self._layer_cache[key]

    def to_png(self) -> bytes:
        """A complete PNG of the current state (for static notebook outputs)."""
        if self.backend == "png":
            if self._background is None or not self.png:
                self.render()
            return self.png
        out = io.BytesIO()
        self.figure.savefig(out, format="png")  # ipympl's canvas is Agg-based
        return out.getvalue()

    def close(self) -> None:
        """Release the figure (its artists and cached pixels)."""
        self._background = None
        self._animated.clear()
        self._overlays = []
        self._layered = []
        self._under = BackgroundUnder()
        self._forget_layers(None)
        self._extents = {}
        self._dirty.clear()
        self.figure.clear()
        if self.backend == "ipympl":
            self.widget.close()


def _ipympl():
    """ipympl's canvas and manager classes, imported without side effects.

    ``import ipympl`` calls ``matplotlib.use(ipympl)``, which would switch
    every later pyplot figure (and :func:`active_backend`) to ipympl; that
    call is made a no-op for the duration of the import. (A notebook that
    wants ipympl says so with ``%matplotlib widget``.)
    """
    use = matplotlib.use
    matplotlib.use = lambda *args, **kwargs: None
    try:
        from ipympl.backend_nbagg import Canvas as MplCanvas
        from ipympl.backend_nbagg import FigureManager
    finally:
        matplotlib.use = use
    return MplCanvas, FigureManager


def _flatten(items: Any) -> list[Artist]:
    out: list[Artist] = []
    for item in items:
        if isinstance(item, Artist):
            out.append(item)
        elif item is not None:
            out.extend(_flatten(item))
    return out

