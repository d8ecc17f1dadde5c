"""Benchmark: key press to new plot in the 2-D explorer, in Chromium + JupyterLab.

Starts JupyterLab on a temporary notebook that shows
``lrlab.widgets.explorer_2d("ill_conditioned", rules=["GD", "momentum"])``,
runs it in headless Chromium (Playwright, Debian's ``chromium``), focuses the
learning-rate slider's handle and presses an arrow key ``--moves`` times. For
each press it measures, with the page's own clock, the time from the
``keydown`` event to the ``load`` event of the new plot image (what the
learner waits for: browser -> kernel -> recompute + PNG -> browser -> decode),
and also to the moment the new image ``src`` is set (the round trip without
the browser's decode). Prints the median and the 90th percentile.

    python benchmarks/browser.py                 # 30 moves
    python benchmarks/browser.py --moves 50 --rules GD

Target (issue 7): median at most 150 ms. Exit status 1 when it is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from browser_harness import (  # noqa: E402
    APP,
    INSTALL_HINT,
    find_chromium,
    launch_browser,
    lr_slider,
    open_notebook,
    run_all_cells,
    slider_state,
    start_jupyterlab,
    wait_image_loaded,
    write_notebook,
)

TARGET_MS = 150.0
WARMUP = 3

ARM = """(el) => {
    const img = el.querySelector(':scope > img.widget-image');
    const handle = el.querySelector('.widget-slider .noUi-handle');
    window.__lat = {key: null, src: null, load: null};
    if (!window.__latArmed) {
        handle.addEventListener('keydown', () => {
            window.__lat = {key: performance.now(), src: null, load: null};
        }, true);
        new MutationObserver(() => {
            if (window.__lat.key !== null && window.__lat.src === null)
                window.__lat.src = performance.now();
        }).observe(img, {attributes: true, attributeFilter: ['src']});
        img.addEventListener('load', () => {
            if (window.__lat.key !== null && window.__lat.load === null)
                window.__lat.load = performance.now();
        });
        window.__latArmed = true;
    }
}"""


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), ``q`` in [0, 100]."""
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def measure(page, app, moves: int) -> tuple[list[float], list[float]]:
    """(key -> image loaded, key -> src set) in ms, for ``moves`` presses after a warm-up."""
    slider = lr_slider(app)
    state = slider_state(slider)
    key = "ArrowRight" if state["now"] < (state["min"] + state["max"]) / 2 else "ArrowLeft"
    app.evaluate(ARM)
    slider.locator(".noUi-handle").first.focus()
    loaded, src = [], []
    for i in range(WARMUP + moves):
        page.evaluate("() => { window.__lat = {key: null, src: null, load: null}; }")
        page.keyboard.press(key)
        page.wait_for_function("() => window.__lat.load !== null", timeout=60_000)
        lat = page.evaluate("() => window.__lat")
        if i >= WARMUP:
            loaded.append(lat["load"] - lat["key"])
            src.append(lat["src"] - lat["key"])
    return loaded, src


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=30, help="measured key presses (>= 20)")
    parser.add_argument("--rules", nargs="+", default=["GD", "momentum"])
    parser.add_argument("--problem", default="ill_conditioned")
    args = parser.parse_args(argv)
    if args.moves < 20:
        parser.error("--moves must be at least 20")
    chromium = find_chromium()
    if chromium is None:
        print(f"No Chromium found. {INSTALL_HINT}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="lrlab-bench-") as tmp:
        base = Path(tmp)
        root = base / "notebooks"
        root.mkdir()
        write_notebook(root / "bench.ipynb", [
            "import lrlab.widgets as lw",
            f"app = lw.explorer_2d({args.problem!r}, rules={args.rules!r})\napp",
        ])
        server = start_jupyterlab(root, base)
        try:
            with sync_playwright() as pw:
                browser = launch_browser(pw, chromium)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                panel = open_notebook(page, server, "bench.ipynb")
                run_all_cells(page)
                app = panel.locator(APP).first
                wait_image_loaded(app.locator(":scope > img.widget-image"))
                loaded, src = measure(page, app, args.moves)
                browser.close()
        finally:
            server.stop()

    med, p90 = statistics.median(loaded), percentile(loaded, 90)
    print(f"explorer_2d({args.problem!r}, rules={args.rules}) in Chromium JupyterLab, "
          f"{args.moves} arrow-key moves of the lr slider (after {WARMUP} warm-up):")
    print(f"  key press -> new plot shown : median {med:6.1f} ms, p90 {p90:6.1f} ms, "
          f"max {max(loaded):6.1f} ms")
    print(f"  key press -> new image src  : median {statistics.median(src):6.1f} ms, "
          f"p90 {percentile(src, 90):6.1f} ms")
    ok = med <= TARGET_MS
    print(f"target: median <= {TARGET_MS:.0f} ms: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
