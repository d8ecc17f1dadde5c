"""Notebook 08's race, in JupyterLab 4.6 with comms over kernel subshells (its default).

Switching the line-search race's problem to Rosenbrock starts an update; the
app resets the lr slider for the new problem, and the learner's key presses
on that slider arrive on the subshell thread while the first update is still
drawing. Before the apps serialised their updates this left a smeared
figure (2 of 2 tries) that later frames kept, because they reused the
corrupted cached background. Here: the picture the browser shows, byte for
byte, is the PNG of a fresh app built in the same kernel with the final
control values.
"""

from __future__ import annotations

import time

from browser_harness import (
    APP,
    ARTIFACTS,
    app_parts,
    assert_no_errors_in_page,
    image_sha256,
    kernel_run,
    open_notebook,
    run_all_cells,
    text_of,
    wait_image_loaded,
    wait_image_settled,
    write_notebook,
)


def wait_image_sha(img, expected: str, timeout: float = 30.0) -> str:
    """The image's SHA-256 once it equals ``expected`` (or whatever it is at the timeout):
    the browser receives the kernel's last frame a moment after the kernel made it."""
    deadline = time.monotonic() + timeout
    while True:
        shown = image_sha256(img)
        if shown == expected or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


RACE = 'race = LineSearchRace("Rosenbrock", cost="all evaluations")\nrace'  # as in 08
TRIES = 3

CLEAN_FRAME = """
import hashlib
from lrlab.apps.linesearch_race import LineSearchRace
import time
while race._runner.busy:
    time.sleep(0.05)
fresh = LineSearchRace(race.problem_name.value, cost=race.cost.value, lr=race.lr.value)
if race.png() != fresh.png():  # kept for a look: test-artifacts/
    open(ARTIFACTS + "/race-shown.png", "wb").write(race.png())
    open(ARTIFACTS + "/race-clean.png", "wb").write(fresh.png())
print(hashlib.sha256(race.png()).hexdigest(), hashlib.sha256(fresh.png()).hexdigest(),
      repr(race.problem_name.value), repr(race.lr.value), race._runner.coalesced)
fresh.close()
"""


def test_problem_switch_then_quick_lr_keys_end_in_a_clean_frame(page, lab_server, artifact):
    write_notebook(lab_server.root / "probe_race.ipynb", [
        "from lrlab.apps.linesearch_race import LineSearchRace", RACE])
    panel = open_notebook(page, lab_server, "probe_race.ipynb")
    run_all_cells(page)
    app = panel.locator(APP).first
    app.wait_for()
    parts = app_parts(app)
    wait_image_loaded(parts["img"])
    dropdown = app.locator(".widget-dropdown select").first
    handle = parts["slider"].locator(".noUi-handle").first
    for attempt in range(TRIES):
        dropdown.select_option("ill-conditioned quadratic")
        wait_image_settled(parts["img"])
        # the sequence: the problem back to Rosenbrock, then lr keys at once
        dropdown.select_option("Rosenbrock")
        handle.focus()
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft")[: attempt + 1]:
            page.keyboard.press(key)
        wait_image_settled(parts["img"])
        code = f"ARTIFACTS = {str(ARTIFACTS)!r}\n" + CLEAN_FRAME
        kernel, clean, problem, lr, _coalesced = kernel_run(page, code).split()
        shown = wait_image_sha(parts["img"], kernel)
        app.screenshot(path=artifact(f"jupyterlab-08-race-switch-{attempt}.png"))
        assert problem == "'Rosenbrock'"
        assert shown == kernel, f"try {attempt}: the browser does not show the kernel's frame"
        assert kernel == clean, (f"try {attempt}: the frame is not a clean app's for "
                                 f"lr={lr} (the cached background was corrupted)")
        readout = float(text_of(parts["slider"].locator(".widget-readout")))
        assert abs(readout / float(lr) - 1) < 5e-3
        assert text_of(parts["error"]) == ""
    assert_no_errors_in_page(page, panel)
