"""png_bytes: a valid PNG of exactly the pixels Agg rendered, with either deflate."""

import base64
import io
import zlib

import numpy as np
import pytest
from PIL import Image

from lrlab.apps import png
from lrlab.apps.render import Canvas
from lrlab.widgets import explorer_1d

COMPRESSORS = sorted(png._COMPRESS)


def _rendered(figsize=(3, 2), dpi=60):
    canvas = Canvas(figsize, backend="png", dpi=dpi)
    ax = canvas.figure.add_subplot()
    ax.plot([0, 1, 2], [1, 0, 2], color="tab:red", lw=2)
    ax.fill_between([0, 2], 0, 0.5, color="tab:blue", alpha=0.3)  # partly transparent fill
    ax.set_title("a title", fontsize=9)
    canvas.figure.canvas.draw()
    return canvas.figure.canvas


def _idat(data: bytes) -> bytes:
    """The concatenated IDAT payloads of a PNG file."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, out = 8, b""
    while at < len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + n]
        crc = int.from_bytes(data[at + 8 + n:at + 12 + n], "big")
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IDAT":
            out += body
        at += 12 + n
    return out


@pytest.mark.parametrize("compressor", COMPRESSORS)
def test_every_compressor_gives_the_rendered_rgba_exactly(compressor):
    canvas = _rendered()
    data = png.png_bytes(canvas, compressor=compressor)
    rgba = np.asarray(canvas.buffer_rgba())
    decoded = np.asarray(Image.open(io.BytesIO(data)))
    assert decoded.shape == rgba.shape == (120, 180, 4)
    np.testing.assert_array_equal(decoded, rgba)
    # the image data is a standard zlib stream: rows behind a "None" filter byte
    rows = np.frombuffer(zlib.decompress(_idat(data)), np.uint8).reshape(120, 1 + 4 * 180)
    assert not rows[:, 0].any()
    np.testing.assert_array_equal(rows[:, 1:].reshape(rgba.shape), rgba)


def test_an_apps_frame_is_the_same_picture_with_either_compressor():
    app = explorer_1d(lr=0.5, curvature=1.0, backend="png")
    canvas = app.figure.canvas
    frames = {name: np.asarray(Image.open(io.BytesIO(png.png_bytes(canvas, compressor=name))))
              for name in COMPRESSORS}
    for frame in frames.values():
        np.testing.assert_array_equal(frame, np.asarray(canvas.buffer_rgba()))
    # and the widget shows what the default compressor makes of the same buffer, as a data URL
    assert app.canvas.png == png.png_bytes(canvas)
    assert app.canvas.widget.format == "url"
    assert bytes(app.canvas.widget.value) == png.data_url(app.canvas.png)


def test_data_url_is_the_png_in_base64():
    data = png.png_bytes(_rendered())
    url = png.data_url(data)
    head, _, body = url.partition(b",")
    assert head == b"data:image/png;base64"
    assert base64.b64decode(body, validate=True) == data


def test_isal_is_the_default_where_it_is_installed():
    pytest.importorskip("isal")   # a dependency of lrlab: installed with it
    assert png.COMPRESSOR == "isal"
    assert COMPRESSORS == ["isal", "zlib"]


def test_bad_compressor_and_level_are_named():
    canvas = _rendered()
    with pytest.raises(ValueError, match=r"'compressor' parameter of png_bytes must be one of"):
        png.png_bytes(canvas, compressor="lz4")
    level = r"'compress_level' parameter of png_bytes must be an int in "
    with pytest.raises(ValueError, match=level + r"\[0, 9\]"):
        png.png_bytes(canvas, 10, compressor="zlib")
    if "isal" in COMPRESSORS:  # ISA-L has levels 0-3 only
        with pytest.raises(ValueError, match=level + r"\[0, 3\]"):
            png.png_bytes(canvas, 6, compressor="isal")
        assert png.png_bytes(canvas, 6, compressor="zlib")
