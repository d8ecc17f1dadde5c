"""Benchmark: encoding an app's frame as PNG, ISA-L's deflate against zlib's, in one run.

Every app of the course is built as its notebook builds it (PNG backend), and
its first frame is encoded with each compressor :mod:`lrlab.apps.png` knows
(``isal`` where the package is installed, ``zlib`` always), alternating, many
times. Printed per app: the frame's size in pixels, the median CPU time of an
encode and the PNG's size for each compressor, and zlib's time over ISA-L's.
Every encode is checked to decode to the same pixels.

    .venv/bin/python benchmarks/png_encoding.py [--repeats 40]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time

import numpy as np
from PIL import Image

from lrlab.apps import png


def _apps() -> dict:
    from lrlab import widgets as lw
    from lrlab.apps.adaptive import AdaptiveRates
    from lrlab.apps.basins import BasinExplorer
    from lrlab.apps.finder_replay import FinderReplay
    from lrlab.apps.linesearch_race import LineSearchRace

    return {
        "01-explorer_1d": lambda: lw.explorer_1d(lr=0.5, curvature=1.0, backend="png"),
        "01-explorer_2d": lambda: lw.explorer_2d("ill_conditioned", rules=["GD", "momentum"],
                                                 lr=1.0, momentum=0.8, num_steps=150,
                                                 backend="png"),
        "03-noise": lambda: lw.noise_explorer(lr=0.2, batch_size=4, backend="png"),
        "05-adaptive": lambda: AdaptiveRates("Adagrad", kappa=20, tilt=0, step=3, backend="png"),
        "06-finder_replay": lambda: FinderReplay(lr=0.15, backend="png"),
        "07-basins": lambda: BasinExplorer(lr=0.05, start=-1.5, backend="png"),
        "08-linesearch_race": lambda: LineSearchRace("Rosenbrock", backend="png"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=40, help="encodes per compressor")
    args = parser.parse_args(argv)
    names = sorted(png._COMPRESS, key=lambda n: n != "zlib")   # zlib first: the reference
    print(f"PNG encoding of each app's first frame, median CPU ms of {args.repeats} encodes "
          f"(compressors: {', '.join(names)}; default {png.COMPRESSOR})\n")
    head = "".join(f"{n + ' ms':>10s}{n + ' KB':>10s}" for n in names)
    print(f"{'app':20s}{'pixels':>11s}{head}" + ("   zlib / isal" if "isal" in names else ""))
    for app_name, build in _apps().items():
        canvas = build().figure.canvas
        rgba = np.asarray(canvas.buffer_rgba())
        times: dict[str, list[float]] = {n: [] for n in names}
        sizes = {}
        for _ in range(args.repeats):
            for n in names:
                t0 = time.process_time()
                data = png.png_bytes(canvas, compressor=n)
                times[n].append((time.process_time() - t0) * 1e3)
                sizes[n] = len(data)
        for n in names:  # the same pixels, whichever deflate made them
            decoded = np.asarray(Image.open(io.BytesIO(png.png_bytes(canvas, compressor=n))))
            if not np.array_equal(decoded, rgba):
                print(f"{app_name}: {n} does not decode to the rendered pixels", file=sys.stderr)
                return 1
        med = {n: statistics.median(times[n]) for n in names}
        cells = "".join(f"{med[n]:10.2f}{sizes[n] / 1024:10.1f}" for n in names)
        ratio = f"{med['zlib'] / med['isal']:14.1f}x" if "isal" in names else ""
        print(f"{app_name:20s}{rgba.shape[1]:>5d} x {rgba.shape[0]:<4d}{cells}{ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
