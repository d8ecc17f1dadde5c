"""Layers under every moving artist (contours, a title) are drawn onto the background, exactly.

:class:`lrlab.apps.blit.DirectLayer`: a static artist kept in a layer of its own
that lies under every moving artist of its axes is drawn straight onto the
restored background, as a full draw does, and that background is cached; no
transparent layer is rendered for it. A layer over a moving artist (a legend over
a path) is still composited, and a memo axis is still cached per look.
"""

from __future__ import annotations

import numpy as np
import pytest

from lrlab import widgets as lw
from lrlab.apps import blit
from lrlab.apps.blit import DirectLayer, Layer
from lrlab.apps.render import Canvas
from tests.apps.test_render import assert_same_picture, shown, slow_frame

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def composited(canvas: Canvas) -> np.ndarray:
    """Pixels some composited :class:`Layer` of the current frame covers (True)."""
    height, width = np.asarray(canvas.figure.canvas.buffer_rgba()).shape[:2]
    mask = np.zeros((height, width), bool)
    for layer in canvas._layers.under + canvas._layers.plan:
        if not isinstance(layer, Layer):
            continue
        box = mask[layer.rows, layer.cols]
        if layer.dense:
            box |= layer.transparency[..., 0] < 255
        else:
            box[layer.r, layer.c] = True
    return mask


def assert_exact_but_composites(canvas: Canvas) -> None:
    """The frame is the full draw's: exactly, but where a layer is composited (to 2/255)."""
    mask = composited(canvas)
    frame, slow = shown(canvas), slow_frame(canvas)
    assert_same_picture(frame, slow)
    assert (frame[~mask] == slow[~mask]).all(), (
        f"{(frame[~mask] != slow[~mask]).any(axis=-1).sum()} pixels outside composited layers")
    canvas.render()  # the buffer holds the cached frame again


def count_layers_of(monkeypatch: pytest.MonkeyPatch, artist) -> list:
    """Transparent layers rendered from now on for ``artist``'s group (appended to the list)."""
    made: list = []
    init = Layer.__init__

    def counting(self, renderer, artists):
        if any(artist in getattr(a, "members", [a]) for a in artists):
            made.append(artists)
        init(self, renderer, artists)

    monkeypatch.setattr(blit.Layer, "__init__", counting)
    return made


@pytest.mark.parametrize("make", [
    lambda: lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0, momentum=0.8,
                           num_steps=150, backend="png"),
    lambda: lw.adaptive_rates("Adagrad", kappa=20, tilt=0, step=3, backend="png"),
], ids=["explorer_2d", "adaptive"])
def test_contours_and_title_under_the_paths_are_drawn_onto_the_background(make, monkeypatch):
    app = make()
    canvas = app.canvas
    group = canvas._group_of(app.ellipses[0])
    assert group is not None and canvas._group_of(app.title) is group
    made = count_layers_of(monkeypatch, app.ellipses[0])
    for kappa in (1.0, 4.0, 37.0, 1000.0):
        app.kappa.value = kappa
        direct = [layer for layer in canvas._layers.under if group in layer.artists]
        assert len(direct) == 1 and isinstance(direct[0], DirectLayer)
        assert not any(group in layer.artists for layer in canvas._layers.plan
                       if isinstance(layer, Layer))
        assert_exact_but_composites(canvas)
        app.lr.value = app.lr.value * 0.9  # a frame from the cached background
        assert_exact_but_composites(canvas)
    assert made == []  # no transparent layer was ever rendered for the contours
    app.close()


def test_a_new_loss_axis_look_does_not_redraw_the_contours(monkeypatch):
    # explorer_2d: the loss axes' x and y axes are memo layers after the contours in the
    # background; the background with the contours alone is kept, so a new look of the
    # loss axes (num_steps sets the x range) composites that axis, the contours are not drawn.
    app = lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"], lr=1.0, momentum=0.8,
                         num_steps=150, backend="png")
    drawn: list = []
    draw = app.ellipses[0].draw
    monkeypatch.setattr(app.ellipses[0], "draw", lambda r: (drawn.append(1), draw(r)))
    keys = set()
    for steps in (20, 40, 90, 300, 150, 20):
        app.num_steps.value = steps
        keys.add(app.canvas._under.composed[0])
    assert len(keys) > 1  # the loss axes did take new looks
    assert app.canvas.full_draws == 1 and drawn == []
    assert_exact_but_composites(app.canvas)
    app.close()


def test_a_direct_layer_after_the_contours_does_not_redraw_them(monkeypatch):
    # adaptive: the rate bars' minor marks are a direct layer after the valley's contours
    # in the background; an lr that moves the rate axes' limits redraws those marks (and
    # composites the new looks of the axes) from the kept background with the contours
    app = lw.adaptive_rates("Adagrad", kappa=20, tilt=0, step=3, backend="png")
    canvas = app.canvas
    under = canvas._layers.under
    group = canvas._group_of(app.ellipses[0])
    assert isinstance(under[0], DirectLayer) and group in under[0].artists
    marks = [layer for layer in under[1:] if isinstance(layer, DirectLayer)]
    assert marks and all(group not in layer.artists for layer in marks)
    drawn: list = []
    draw = app.ellipses[0].draw
    monkeypatch.setattr(app.ellipses[0], "draw", lambda r: (drawn.append(1), draw(r)))
    serials = set()
    for lr in (1e-4, 8.1e-4, 0.0534, 1.23, 10.0, 0.5):
        app.lr.value = lr
        serials.update(layer.serial for layer in canvas._layers.under[1:]
                       if isinstance(layer, DirectLayer))
    assert len(serials) > 3  # the marks' layer was made again and again ...
    assert drawn == []  # ... the contours were never drawn
    assert_exact_but_composites(canvas)
    app.close()


def line_and_text(text_zorder: float, line_zorder: float = 2) -> tuple[Canvas, object, object]:
    canvas = Canvas((4, 3), dpi=60, backend="png")
    ax = canvas.figure.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    for spine in ax.spines.values():  # else spines over the line turn overlays when it moves
        spine.set_visible(False)      # under them, and the background holds them already
    (line,) = ax.plot([0, 1], [0.4, 0.6], lw=8, color="C0", zorder=line_zorder)
    text = ax.text(0.1, 0.45, "over", fontsize=30, zorder=text_zorder,
                   bbox={"facecolor": "w", "alpha": 0.6})
    canvas.animate(line)
    canvas.layer(text)
    canvas.render()
    return canvas, line, text


def test_a_layer_over_a_moving_artist_is_still_composited_over_it():
    canvas, line, text = line_and_text(text_zorder=3)
    assert canvas._layers.plan[0] is line and canvas._layers.under == []
    assert any(canvas._group_of(text) in layer.artists for layer in canvas._layers.plan[1:]
               if isinstance(layer, Layer))
    assert_exact_but_composites(canvas)
    line.set_ydata([0.6, 0.4])
    canvas.render()
    assert_exact_but_composites(canvas)
    canvas.close()


def test_a_drawn_layer_becomes_a_composited_one_when_a_moving_artist_goes_under_it():
    canvas, line, text = line_and_text(text_zorder=3, line_zorder=4)
    (step,) = canvas._layers.under
    assert isinstance(step, DirectLayer) and canvas._layers.plan[0] is line
    assert_exact_but_composites(canvas)
    line.set_zorder(2)  # now under the text: the text goes over it, from a layer
    canvas.render()
    assert canvas._layers.under == [] and any(
        canvas._group_of(text) in layer.artists for layer in canvas._layers.plan
        if isinstance(layer, Layer))
    assert_exact_but_composites(canvas)
    text.set_text("new")  # invalidated: drawn again into its layer
    canvas.invalidate(text)
    canvas.render()
    assert_exact_but_composites(canvas)
    line.set_zorder(4)  # over the text again: drawn again, as a full draw would
    canvas.render()
    assert isinstance(canvas._layers.under[0], DirectLayer)
    assert_exact_but_composites(canvas)
    frame = shown(canvas)
    canvas.invalidate()
    canvas.render()
    assert (shown(canvas) == frame).all()  # the same frame, whatever came before it
    canvas.close()


def test_a_drawn_layer_is_drawn_again_after_the_background_is():
    # the cached background with the layer drawn into it is keyed by the background's
    # version: a redrawn background (a new limit) gets the layer drawn into it again
    canvas, _, text = line_and_text(text_zorder=1)
    canvas.figure.axes[0].set_ylim(0, 2)
    canvas.invalidate(canvas.figure.axes[0])
    canvas.render()
    assert isinstance(canvas._layers.under[0], DirectLayer)
    assert_exact_but_composites(canvas)
    text.set_position((0.3, 0.3))
    canvas.invalidate(text)
    canvas.render()
    assert_exact_but_composites(canvas)
    canvas.close()
