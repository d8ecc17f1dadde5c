"""blit.Layer: a sparse layer's 1-D composite equals the row-and-column one, byte for byte."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from lrlab.apps.agg import SharedCanvasAgg
from lrlab.apps.blit import Layer, layer_renderer


def _figure() -> tuple[Figure, list]:
    """Antialiased text, a thin line and a translucent legend: sparse layers."""
    fig = Figure(figsize=(4, 3), dpi=70)
    SharedCanvasAgg(fig)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1, 2], [0, 1, 0.4], lw=1.3, alpha=0.7, label="a line")
    legend = ax.legend(loc="upper left", framealpha=0.6)
    text = ax.text(0.3, 0.5, "θ₁ and 10⁻³", fontsize=11, alpha=0.8)
    return fig, [[line], [line, text], [line, legend], [line, legend, text]]


@pytest.mark.parametrize("which", range(4))
def test_a_sparse_layers_composite_is_the_row_and_column_one(which):
    fig, runs = _figure()
    fig.canvas.draw()
    frame = np.asarray(fig.canvas.buffer_rgba())
    layer = Layer(layer_renderer(fig, {}), runs[which])
    assert not layer.dense and len(layer.r) > 50
    rng = np.random.default_rng(which)  # under it: a frame of every colour, not only white
    frame[...] = rng.integers(0, 256, frame.shape, dtype=np.uint8)
    under = frame.copy()
    fast = frame  # Agg's own buffer: contiguous, the 1-D path
    assert fast.flags.c_contiguous
    layer.composite(fast)
    slow = np.zeros((under.shape[0], under.shape[1], 5), np.uint8)[..., :4]  # not contiguous
    slow[...] = under
    assert not slow.flags.c_contiguous
    layer.composite(slow)
    assert np.array_equal(fast, slow)
    box = (slice(layer.rows.start, layer.rows.stop), slice(layer.cols.start, layer.cols.stop))
    assert not np.array_equal(fast[box], under[box])  # it did composite something
    outside = np.ones(under.shape[:2], bool)
    outside[layer.rows.start + layer.r, layer.cols.start + layer.c] = False
    assert np.array_equal(fast[outside], under[outside])  # and only where the layer covers
    assert np.array_equal(fast[..., 3], under[..., 3])  # alpha untouched


@pytest.mark.parametrize("which", range(4))
def test_a_layer_keeps_the_pixels_whose_alpha_is_not_zero(which):
    """Its box and pixels are those of the alpha channel (read as one word per pixel),
    not of the colour: a pixel drawn in black counts, an empty one does not."""
    fig, runs = _figure()
    line, text = runs[1]
    line.set_color("black")  # (0, 0, 0) where drawn: only its alpha tells it from empty
    text.set_color("black")
    renderer = layer_renderer(fig, {})
    layer = Layer(renderer, runs[which])
    alpha = np.asarray(renderer.buffer_rgba())[..., 3]
    rows, cols = np.flatnonzero(alpha.max(axis=1)), np.flatnonzero(alpha.max(axis=0))
    assert (layer.rows.start, layer.rows.stop) == (rows[0], rows[-1] + 1)
    assert (layer.cols.start, layer.cols.stop) == (cols[0], cols[-1] + 1)
    r, c = np.nonzero(alpha[layer.rows, layer.cols])
    assert np.array_equal(layer.r, r) and np.array_equal(layer.c, c)


def _axes_figure():
    fig = Figure(figsize=(5, 3), dpi=80)
    SharedCanvasAgg(fig)
    log, lin = fig.subplots(1, 2)
    log.set_yscale("log")
    log.set_ylabel(r"$f(\theta_t) - f^\star$")
    lin.set_xlabel("step $t$")
    return fig, log, lin


def test_an_axis_drawn_with_its_ticks_worked_out_once_is_the_same(monkeypatch):
    """``Group.draw`` (ticks and label boxes computed once per draw) paints what the
    axis' own draw paints, at every new look of a log and a linear axis; each draw
    works out its ticks once instead of three times."""
    from matplotlib.axis import Axis

    from lrlab.apps.blit import Group

    fig, log, lin = _axes_figure()
    renderer = layer_renderer(fig, {})
    calls: list = []
    update = Axis._update_ticks
    monkeypatch.setattr(Axis, "_update_ticks", lambda self: (calls.append(self), update(self))[1])
    for k, (lo, hi) in enumerate([(1e-10, 1e2), (1e-3, 10.0), (2e-7, 5e4), (1e-10, 1e2)]):
        log.set_ylim(lo, hi)
        lin.set_xlim(0, 10 * (k + 1))
        for axis in (log.yaxis, log.xaxis, lin.xaxis):
            renderer.clear()
            calls.clear()
            axis.draw(renderer)
            assert len(calls) == 3  # matplotlib's own draw
            theirs = np.asarray(renderer.buffer_rgba()).copy()
            renderer.clear()
            calls.clear()
            Group([axis]).draw(renderer)
            assert len(calls) == 1
            assert np.array_equal(np.asarray(renderer.buffer_rgba()), theirs)
            assert "_update_ticks" not in vars(axis)  # put back after the draw
