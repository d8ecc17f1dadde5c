"""The figures stored in the course notebooks: lrlab's palette, and no wider than the page.

Reads the PNGs saved in ``notebooks/*.ipynb`` (what GitHub and Binder show), so a figure
drawn in matplotlib's default colour cycle, or wider than the notebook's column, fails
here even if no test draws it.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))

#: matplotlib's default cycle ("tab10"), whose blue/orange/green/red lrlab does not use:
#: its green and red are the pair a red-green colour-blind reader cannot tell apart.
DEFAULT_CYCLE = {"C0": (31, 119, 180), "C1": (255, 127, 14), "C2": (44, 160, 44),
                 "C3": (214, 39, 40)}

#: About 10.5 in at the inline backend's 100 dpi: what a notebook column shows unscaled.
MAX_WIDTH = 1100


def _figures(path: Path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for k, cell in enumerate(cells):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                yield k, Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")


def _default_cycle_pixels(image: Image.Image) -> dict[str, int]:
    a = np.asarray(image, dtype=int)
    return {name: int((np.abs(a - np.array(rgb)).sum(axis=-1) <= 6).sum())
            for name, rgb in DEFAULT_CYCLE.items()}


def test_detector_finds_the_default_cycle():
    # the check below can fail: a line in matplotlib's default blue is found
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=100)
    fig.add_subplot().plot([0, 1], [0, 1], lw=3)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    assert _default_cycle_pixels(Image.open(buffer).convert("RGB"))["C0"] > 30


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_figures_use_lrlab_palette_and_fit_the_page(path):
    for k, image in _figures(path):
        assert image.width <= MAX_WIDTH, f"cell {k}: {image.width} px wide"
        found = {n: c for n, c in _default_cycle_pixels(image).items() if c > 30}
        assert not found, f"cell {k} draws in matplotlib's default colours {found}"
