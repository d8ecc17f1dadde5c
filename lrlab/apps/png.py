"""PNG bytes of what Agg rendered, written out directly (no Pillow on the hot path).

The one expensive step is the deflate stream of the image data. It is made by
ISA-L (the ``isal`` package, Intel's optimised deflate) when that is installed,
as it is with lrlab's own dependencies, and by the standard library's ``zlib``
otherwise. Both write an ordinary zlib stream that every PNG decoder reads; on
an app's frame (900 x 558 pixels, mostly flat colour) ISA-L's level 1 takes
about 0.5 ms where zlib's level 1 takes about 4 ms, for a slightly smaller
file (``benchmarks/png_encoding.py`` measures both in one run).
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .._validation import check_choice, check_int

try:  # ISA-L's deflate: same format as zlib's, several times faster on plots
    from isal import isal_zlib as _isal_zlib
except ImportError:  # pragma: no cover - the fallback is tested by passing compress=zlib
    _isal_zlib = None

__all__ = ["COMPRESSOR", "data_url", "png_bytes"]

#: What :func:`png_bytes` compresses with by default: ``"isal"`` or ``"zlib"``.
COMPRESSOR = "zlib" if _isal_zlib is None else "isal"
_COMPRESS: dict[str, Callable[[bytes, int], bytes]] = {"zlib": zlib.compress}
_HIGHEST = {"zlib": 9, "isal": 3}  # ISA-L has levels 0-3
if _isal_zlib is not None:
    _COMPRESS["isal"] = _isal_zlib.compress


def png_bytes(canvas: FigureCanvasAgg, compress_level: int = 1, *,
              compressor: str | None = None) -> bytes:
    """Encode what Agg last rendered as an RGBA PNG.

    Parameters
    ----------
    canvas : FigureCanvasAgg
        A canvas that has rendered (its ``buffer_rgba()`` is the picture).
    compress_level : int
        The deflate level, 0-9 for zlib and 0-3 for ISA-L (1: the fastest
        that still compresses well).
    compressor : {'isal', 'zlib'}, optional
        Which deflate to use (default :data:`COMPRESSOR`: ISA-L where it is
        installed). Both give a valid PNG of the same pixels.

    Returns
    -------
    bytes
        The PNG file.

    Notes
    -----
    Written out directly (unfiltered rows, deflate level 1): for plots, which
    are mostly flat colour, that is as small as Pillow's output and faster.
    The alpha channel is kept: Agg's rows are copied as they are (one
    ``memcpy`` each), where dropping alpha needed a strided copy that cost as
    much as the compression, for ~10% more bytes.
    """
    name = COMPRESSOR if compressor is None else check_choice(
        compressor, "compressor", "png_bytes", tuple(_COMPRESS))
    check_int(compress_level, "compress_level", "png_bytes", low=0, high=_HIGHEST[name])
    rgba = np.asarray(canvas.buffer_rgba())
    height, width = rgba.shape[:2]
    raw = np.empty((height, 4 * width + 1), dtype=np.uint8)
    raw[:, 0] = 0  # filter type "None" for every row
    raw[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"".join([b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header),
                     _chunk(b"IDAT", _COMPRESS[name](raw, compress_level)),
                     _chunk(b"IEND", b"")])


def data_url(png: bytes) -> bytes:
    """The ``data:`` URL of a PNG, as :class:`ipywidgets.Image` takes it (``format="url"``).

    The apps show their frames this way rather than as ipywidgets' ``"png"``
    format, which the browser turns into a blob URL: a blob is registered with,
    and read back from, Chromium's browser process, a round trip per frame that
    a ``data:`` URL does without. On explorer_1d in JupyterLab the median from
    key press to new frame was 5-15 ms shorter (four A/B runs in one page,
    presses alternated), for a third more bytes on the wire (base64).

    >>> data_url(b"\\x89PNG")
    b'data:image/png;base64,iVBORw=='
    """
    return b"data:image/png;base64," + base64.b64encode(png)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
