"""Every app in JupyterLab, measured from the DOM: nothing overflows, labels sit beside
their controls, the figure keeps its pixel size; and how long a key press takes to redraw.

One generated notebook holds every app of ``lrlab.widgets`` and a quiz. For each:
no element wider than its box (a cut-off label, a button text cut to "gradient
evaluati...", a figure wider than the page), no toggle label on a line of its own,
the image shown at its natural width (or narrower, never stretched). The key-press
latencies (median, worst) are printed as a table and written to
``test-artifacts/latency-jupyterlab.md``.
"""

from __future__ import annotations

from browser_harness import (
    ARTIFACTS,
    assert_no_errors_in_page,
    description_on_own_line,
    key_latencies,
    latency_table,
    lr_slider,
    open_notebook,
    overflow_report,
    run_all_cells,
    write_notebook,
)

APPS = {
    "explorer_1d": "lw.explorer_1d()",
    "explorer_2d": "lw.explorer_2d('ill_conditioned', rules=['GD', 'momentum'])",
    "schedule_race": "lw.schedule_race()",
    "noise_explorer": "lw.noise_explorer()",
    "adaptive_rates": "lw.adaptive_rates()",
    "finder_replay": "lw.finder_replay()",
    "basin_explorer": "lw.basin_explorer()",
    "linesearch_race": "lw.linesearch_race()",
    "quiz": "lw.quiz('Which rate diverges on f = x²?', '1.1', options=['0.5', '1.1'])",
}
KEYS = ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowLeft", "ArrowRight"]


def test_every_app_fits_and_answers_the_keyboard(page, lab_server, artifact):
    write_notebook(lab_server.root / "probe_all_apps.ipynb",
                   ["import lrlab.widgets as lw", *APPS.values()])
    panel = open_notebook(page, lab_server, "probe_all_apps.ipynb")
    run_all_cells(page, timeout=600)
    roots = panel.locator(".jp-OutputArea-output > .lrlab-keys")
    assert roots.count() == len(APPS)
    problems, latencies = {}, {}
    for i, name in enumerate(APPS):
        root = roots.nth(i)
        root.scroll_into_view_if_needed()
        root.screenshot(path=artifact(f"jupyterlab-layout-{name}.png"))
        found = {"overflow": overflow_report(root), "label on its own line":
                 description_on_own_line(root)}
        img = root.locator(":scope > img.widget-image")
        if img.count():
            natural, shown = img.evaluate("el => [el.naturalWidth, "
                                          "el.getBoundingClientRect().width]")
            if shown > natural + 0.5:
                found["stretched"] = f"{natural} px shown at {shown:.0f} px"
            if lr_slider(root).count():
                latencies[name] = key_latencies(root, KEYS)
        problems.update({f"{name}: {k}": v for k, v in found.items() if v})
    table = latency_table(latencies)
    print("\nJupyterLab key press -> new picture\n" + table)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "latency-jupyterlab.md").write_text(table + "\n")
    assert not problems, problems
    assert max(max(t) for t in latencies.values()) < 10.0, latencies
    assert_no_errors_in_page(page, panel)
