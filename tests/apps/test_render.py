"""The canvas the apps draw on: blitting, cached overlay layers, one-axes redraws, PNG, ipympl."""

from __future__ import annotations

import io

import ipywidgets as W
import numpy as np
import pytest
from matplotlib.transforms import IdentityTransform
from PIL import Image

from lrlab import widgets as lw
from lrlab.apps.render import Canvas

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # ipympl's Toolbar


def test_ipympl_path_drives_the_same_app():
    from lrlab.apps.render import _ipympl

    app = lw.Explorer2D("ill_conditioned", lr=0.5, backend="ipympl")
    assert isinstance(app.canvas.widget, _ipympl()[0])
    app.lr.value = 2.5
    assert app.status_text.startswith("GD: diverged")
    assert app.canvas.to_png()[:4] == b"\x89PNG"
    app.close()


def slow_frame(canvas: Canvas) -> np.ndarray:
    """The frame drawn without caches: every artist of the figure in zorder, in one draw."""
    fig = canvas.figure
    was = [a.get_animated() for a in canvas._animated]
    for a in canvas._animated:
        a.set_animated(False)
    try:
        fig.canvas.draw()
    finally:
        for a, animated in zip(canvas._animated, was, strict=True):
            a.set_animated(animated)
    frame = np.asarray(fig.canvas.buffer_rgba()).copy()
    canvas.invalidate()  # the buffer no longer holds the cached background
    return frame


def shown(canvas: Canvas) -> np.ndarray:
    """The RGBA pixels of the PNG the widget shows."""
    return np.asarray(Image.open(io.BytesIO(canvas.png)).convert("RGBA"))


def test_blitting_keeps_the_legend_above_the_paths():
    # Regression: the legend lived in the cached background, so every blitted update drew
    # the paths (zorder 4) over it (zorder 5): a path crossing the legend hid its entries.
    # Now the legend is a cached layer composited over the paths: the frame is the one
    # drawn without caches (path, then legend), to rounding.
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], backend="png")
    legend, path = app.ax_paths.get_legend(), app.paths[0]
    assert legend in app.canvas._overlays and path in app.canvas._animated
    box = legend.get_window_extent(app.figure.canvas.get_renderer())
    drawn = []
    draw = legend.draw
    legend.draw = lambda renderer: (drawn.append(1), draw(renderer))
    for lr in (0.5, 1.5):
        app.lr.value = lr  # blitted updates: the background and the legend's layer are reused
    assert app.canvas.full_draws == 1 and drawn == []
    # a path through the legend box, then a blitted frame
    path.set_data(np.linspace(box.x0, box.x1, 50), np.full(50, (box.y0 + box.y1) / 2))
    path.set_transform(IdentityTransform())
    app.canvas.render()
    assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
    app.close()


def test_frames_equal_the_uncached_drawing_at_every_control_extreme():
    # Blitting, overlay layers and one-axes redraws give the picture a full draw gives.
    # (The 1-D explorer: four panels, every kind of artist, a text overlay and a legend.)
    for make in (lambda: lw.explorer_1d(lr=0.5, backend="png"),):
        app = make()
        for control in app._controls:
            if isinstance(control, W.FloatLogSlider):
                values = [10 ** control.min, 10 ** control.max]
            elif isinstance(control, (W.IntSlider, W.FloatSlider)):
                values = [control.min, control.max]
            else:
                values = list(control.options)[-1:]
            for value in values:
                control.value = value
                assert_same_picture(shown(app.canvas), slow_frame(app.canvas))
                app.canvas.render()
        app.close()


def assert_same_picture(a: np.ndarray, b: np.ndarray, levels: int = 2) -> None:
    """Equal to compositing rounding (``levels`` of 255), and exactly equal in shape."""
    assert a.shape == b.shape
    diff = np.abs(a.astype(int) - b.astype(int))
    assert diff.max() <= levels, f"{(diff > levels).sum()} pixels differ by up to {diff.max()}"


def two_panels(dpi: float = 60) -> tuple[Canvas, list]:
    canvas = Canvas((6, 3), backend="png", dpi=dpi)
    axes = canvas.figure.subplots(1, 2)
    lines = []
    for ax in axes:
        (line,) = ax.plot([0, 1, 2], [0, 1, 0.5], lw=2)
        ax.plot([0, 2], [0.5, 0.5], color="0.7")  # static
        ax.set_title("panel")
        lines.append(line)
    axes[0].legend(["moving", "static"], loc="upper left")
    canvas.animate(lines)
    canvas.render()
    return canvas, list(axes)


def test_invalidating_one_axes_redraws_it_alone_and_equals_a_full_redraw():
    canvas, (left, right) = two_panels()
    calls = []
    draw = right.draw
    right.draw = lambda renderer: (calls.append(1), draw(renderer))
    left.set_ylim(-5, 105)  # new ticks, wider tick labels
    left.set_ylabel("a much longer label than before")
    canvas.invalidate(left)
    canvas.render()
    assert (canvas.full_draws, canvas.axes_draws, calls) == (1, 1, [])
    partial = shown(canvas)
    canvas.invalidate()
    canvas.render()
    assert canvas.full_draws == 2
    np.testing.assert_array_equal(partial, shown(canvas))
    # and back: the old, wider region is cleared too
    left.set_ylim(0, 1)
    left.set_ylabel("")
    canvas.invalidate(left)
    canvas.render()
    back = shown(canvas)
    canvas.invalidate()
    canvas.render()
    np.testing.assert_array_equal(back, shown(canvas))


def test_an_axes_whose_labels_reach_a_neighbour_redraws_the_neighbour_too():
    canvas, (_, right) = two_panels()
    right.set_ylabel("a label long enough\nto reach the left panel", fontsize=30)
    canvas.invalidate(right)
    canvas.render()
    assert canvas.axes_draws == 0 and canvas.full_draws == 2  # both axes: one full draw
    frame = shown(canvas)
    canvas.invalidate()
    canvas.render()
    assert_same_picture(frame, shown(canvas))


def test_png_is_the_rgba_buffer():
    canvas, _ = two_panels(dpi=40)
    rgba = np.asarray(canvas.figure.canvas.buffer_rgba())
    np.testing.assert_array_equal(shown(canvas), rgba)
    assert canvas.png[25] == 6  # colour type 6: RGBA
