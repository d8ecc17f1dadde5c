"""Machinery for the real-browser tests and ``benchmarks/browser.py``.

Chromium (Debian's, driven by Playwright's Python API), a JupyterLab or Voilà
server started from Python on a free localhost port with a random token and
an isolated Jupyter configuration, and page helpers that know the DOM of
JupyterLab 4 and ipywidgets 8.

Nothing here downloads anything: Playwright's own browser download is not
used; the browser is found on ``PATH`` (``chromium``, ``chromium-browser``,
``google-chrome``) or named by ``LRLAB_CHROMIUM``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "test-artifacts"

INSTALL_HINT = (
    "Install Chromium to run them: `sudo apt-get install -y chromium` (Debian/Ubuntu), "
    "or point LRLAB_CHROMIUM at a Chromium/Chrome executable. (Playwright's own browser "
    "download is not needed.)"
)
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# JupyterLab DOM
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
#: An lrlab app's root: the VBox [controls, status, error, figure] (lrlab/apps/base.py).
APP = ".widget-vbox:has(> img.widget-image)"
LR_LABEL = re.compile(r"^\s*(\w+ )?(lr|learning rate|η)\s*$", re.I)  # also "GD lr", "base lr"


def browser_required() -> bool:
    """A missing browser fails (instead of skipping) on CI or when asked to."""
    return (os.environ.get("CI", "").lower() in ("true", "1", "yes")
            or os.environ.get("LRLAB_REQUIRE_BROWSER", "") not in ("", "0"))


def find_chromium() -> str | None:
    """Path of a Chromium-family browser, or None."""
    named = os.environ.get("LRLAB_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def launch_browser(playwright: Any, executable: str, *, headless: bool = True) -> Any:
    """Launch Chromium through Playwright with the flags this machine/CI needs."""
    return playwright.chromium.launch(executable_path=executable, headless=headless,
                                      args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(base: Path) -> dict[str, str]:
    """Environment for a server that sees the venv's extensions but no user config.

    User-level Jupyter/IPython/JupyterLab directories point into ``base``;
    the environment-level ones (``sys.prefix/share/jupyter``: lab extensions,
    kernel specs, server-extension config) stay visible. JupyterLab's
    news/update notification is switched off in the user settings.
    """
    dirs = {name: base / name for name in
            ("config", "data", "runtime", "ipython", "settings", "workspaces")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    notif = dirs["settings"] / "@jupyterlab" / "apputils-extension"
    notif.mkdir(parents=True, exist_ok=True)
    (notif / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ)
    for var in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH"):
        env.pop(var, None)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        PYTHONUNBUFFERED="1",
        MPLBACKEND="agg",
    )
    return env


def copy_notebooks(dest: Path) -> Path:
    """A temporary copy of ``notebooks/`` (the originals are never touched)."""
    shutil.copytree(NOTEBOOKS, dest, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "_build", "__pycache__"), dirs_exist_ok=True)
    return dest


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A python3 notebook of code cells (no outputs)."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}",
                   "metadata": {}, "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))
    return path


@dataclass
class Server:
    """A Jupyter(Lab) or Voilà server process this test session owns."""

    kind: str
    url: str
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path
    extra: dict = field(default_factory=dict)

    def at(self, path: str) -> str:
        """URL of ``path`` on this server, with the token."""
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}"

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """Terminate the server, its process group and any kernel it left behind.

        Kernels run in sessions of their own; the server shuts them down on
        SIGTERM. Should it not, they are found by their connection files,
        which live in this server's private runtime directory.
        """
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        for pid in _pids_mentioning(self.runtime_dir):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    @property
    def runtime_dir(self) -> str:
        return str(self.log.parent / "jupyter" / "runtime")


def _pids_mentioning(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (Linux /proc; empty elsewhere)."""
    pids = []
    proc = Path("/proc")
    if not proc.is_dir():
        return pids
    needle = text.encode()
    for entry in proc.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if needle in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
    return pids


def _start(kind: str, cmd: list[str], root: Path, base: Path, port: int, token: str,
           timeout: float, ready_path: str | None) -> Server:
    log = base / f"{kind}.log"
    env = isolated_env(base / "jupyter")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(kind, f"http://127.0.0.1:{port}", token, root, proc, log)
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} exited with status {proc.returncode} while starting:\n"
                               f"{server.log_tail()}")
        try:
            if ready_path is None:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return server
            with urllib.request.urlopen(server.at(ready_path), timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"{kind} did not answer within {timeout:.0f} s:\n"
                               f"{server.log_tail()}")
        time.sleep(0.25)


def start_jupyterlab(root: Path, base: Path, *, timeout: float = 90.0) -> Server:
    """JupyterLab serving ``root`` on a free port with a random token.

    The lab application is exposed as ``window.jupyterapp`` so tests can run
    commands (``notebook:run-all-cells``) without driving menus.
    """
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.allow_root=True",
           f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
           "--LabApp.news_url="]
    return _start("jupyterlab", cmd, root, base, port, token, timeout, "/api/status")


def start_notebook7(root: Path, base: Path, *, timeout: float = 90.0) -> Server:
    """Jupyter Notebook 7 serving ``root`` (``window.jupyterapp`` exposed, as for the lab)."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "notebook", "--no-browser",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           "--ServerApp.ip=127.0.0.1", "--ServerApp.allow_root=True",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--JupyterNotebookApp.expose_app_in_browser=True"]
    return _start("notebook7", cmd, root, base, port, token, timeout, "/api/status")


def start_voila(notebook: Path, base: Path, *, timeout: float = 60.0) -> Server:
    """Voilà serving one notebook (``voila NOTEBOOK``) on a free port with a random token."""
    port, token = free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "voila", notebook.name, "--no-browser", f"--port={port}",
           "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", f"--token={token}",
           "--show_tracebacks=True"]
    return _start("voila", cmd, notebook.parent, base, port, token, timeout, None)


# ----------------------------------------------------------------------- pages
def watch_page(page: Any) -> list[str]:
    """Collect uncaught page errors (JavaScript exceptions) into a list."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def open_notebook(page: Any, server: Server, name: str, *, timeout: float = 120.0) -> Any:
    """Open ``name`` in JupyterLab (or Notebook 7) and wait for its kernel; return the panel."""
    path = f"/notebooks/{name}" if server.kind == "notebook7" else f"/lab/tree/{name}?reset"
    page.goto(server.at(path), wait_until="domcontentloaded")
    panel = page.locator(NOTEBOOK)
    panel.locator(".jp-Notebook").wait_for(timeout=timeout * 1000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.sessionContext",
                           timeout=timeout * 1000)
    status = page.evaluate(
        """async (ms) => {
            const w = window.jupyterapp.shell.currentWidget;
            await w.context.ready;
            await w.sessionContext.ready;
            const t0 = Date.now();
            while (Date.now() - t0 < ms) {
                const k = w.sessionContext.session && w.sessionContext.session.kernel;
                if (k && k.status === 'idle') return k.status;
                await new Promise(r => setTimeout(r, 100));
            }
            const k = w.sessionContext.session && w.sessionContext.session.kernel;
            return k ? k.status : 'no kernel';
        }""", timeout * 1000)
    if status != "idle":
        raise AssertionError(f"kernel of {name} is {status!r} after {timeout:.0f} s\n"
                             f"{server.log_tail()}")
    return panel


def run_all_cells(page: Any, *, timeout: float = 240.0) -> None:
    """Run every cell of the current notebook and wait until the kernel is idle again."""
    ok = page.evaluate(
        """async (ms) => {
            const w = window.jupyterapp.shell.currentWidget;
            const done = window.jupyterapp.commands.execute('notebook:run-all-cells');
            const timer = new Promise(r => setTimeout(() => r('timeout'), ms));
            const res = await Promise.race([done, timer]);
            if (res === 'timeout') return 'timeout';
            const t0 = Date.now();
            while (Date.now() - t0 < ms) {
                if (w.sessionContext.session.kernel.status === 'idle') return res;
                await new Promise(r => setTimeout(r, 100));
            }
            return 'busy';
        }""", timeout * 1000)
    if ok in ("timeout", "busy"):
        raise AssertionError(f"running all cells did not finish within {timeout:.0f} s ({ok})")
    pending = page.locator(f"{NOTEBOOK} .jp-InputPrompt", has_text="[*]")
    assert pending.count() == 0, "cells still marked [*] after run-all"


def lr_slider(scope: Any) -> Any:
    """The learning-rate slider (its label is 'lr', 'learning rate' or 'η') in ``scope``."""
    page = scope.page if hasattr(scope, "page") else scope
    label = page.locator(".widget-label", has_text=LR_LABEL)
    return scope.locator(".widget-slider:visible").filter(has=label).first


def image_digest(img: Any) -> str:
    """A digest of the bytes the ``<img>`` currently shows (its blob), plus its src."""
    return img.evaluate(
        """async (el) => {
            const buf = new Uint8Array(await (await fetch(el.src)).arrayBuffer());
            let h = 2166136261 >>> 0;
            for (let i = 0; i < buf.length; i++) { h ^= buf[i]; h = Math.imul(h, 16777619) >>> 0; }
            return buf.length + ':' + h.toString(16);
        }""")


def wait_image_loaded(img: Any, timeout: float = 60.0) -> None:
    img.page.wait_for_function(
        "(el) => el.src && el.complete && el.naturalWidth > 0", arg=img.element_handle(),
        timeout=timeout * 1000)


def wait_src_change(img: Any, old_src: str, timeout: float = 30.0) -> str:
    """Wait until the image shows a new picture (new src, loaded); return the new src."""
    img.page.wait_for_function(
        "([el, old]) => el.src && el.src !== old && el.complete && el.naturalWidth > 0",
        arg=[img.element_handle(), old_src], timeout=timeout * 1000)
    return img.get_attribute("src")


def slider_state(slider: Any) -> dict[str, float]:
    """aria min/max/now of a noUi slider handle (exponents for a log slider)."""
    handle = slider.locator(".noUi-handle").first
    return {k: float(handle.get_attribute(f"aria-value{k}")) for k in ("min", "max", "now")}


def text_of(locator: Any) -> str:
    """Text of an element, whitespace collapsed (``textContent``: rendered or not)."""
    return " ".join((locator.text_content() or "").split())


def app_parts(app: Any) -> dict[str, Any]:
    """The image, status line and error box of an lrlab app root (see lrlab/apps/base.py)."""
    html = app.locator(":scope > .widget-html")
    return {"img": app.locator(":scope > img.widget-image"), "status": html.nth(0),
            "error": html.nth(1), "slider": lr_slider(app)}


def _snapshot(parts: dict[str, Any]) -> dict[str, str]:
    return {"src": parts["img"].get_attribute("src"), "digest": image_digest(parts["img"]),
            "status": text_of(parts["status"]),
            "readout": text_of(parts["slider"].locator(".widget-readout"))}


def drive_lr_slider(app: Any, *, max_presses: int = 30, timeout: float = 60.0) -> dict[str, Any]:
    """Move an app's learning-rate slider by keyboard, then by typing into its readout.

    Keyboard: focus the handle, one arrow key (towards the far end of the
    range) then page keys until the status line changes; every press must
    produce a new picture. Typing: a value on the other side of the range,
    then Enter. Returns what was seen at each stage, for the caller to assert.
    """
    page = app.page
    parts = app_parts(app)
    app.scroll_into_view_if_needed()
    wait_image_loaded(parts["img"], timeout)
    page.wait_for_function("(el) => el.textContent.trim().length > 0",
                           arg=parts["status"].element_handle(), timeout=timeout * 1000)
    start = _snapshot(parts)
    state = slider_state(parts["slider"])
    up = state["now"] < (state["min"] + state["max"]) / 2
    handle = parts["slider"].locator(".noUi-handle").first
    handle.focus()
    seen = [start]
    src = start["src"]
    for i in range(max_presses):
        key = ("ArrowRight" if up else "ArrowLeft") if i == 0 else ("PageUp" if up else "PageDown")
        page.keyboard.press(key)
        src = wait_src_change(parts["img"], src, timeout)
        seen.append(_snapshot(parts))
        if seen[-1]["status"] != start["status"]:
            break
    keyboard = {"presses": len(seen) - 1, "before": start, "after": seen[-1],
                "first_press": seen[1], "now": slider_state(parts["slider"])["now"]}

    # typing: a value on the other side of the range
    lo, hi = state["min"], state["max"]
    target = lo + (0.15 if up else 0.85) * (hi - lo)
    typed = f"{10.0 ** target:.3g}"
    readout = parts["slider"].locator(".widget-readout")
    before = seen[-1]
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(typed)
    page.keyboard.press("Enter")
    wait_src_change(parts["img"], before["src"], timeout)
    page.wait_for_function("([el, old]) => el.textContent.trim().split(/\\s+/).join(' ') !== old",
                           arg=[parts["status"].element_handle(), before["status"]],
                           timeout=timeout * 1000)
    typing = {"typed": typed, "target": target, "before": before, "after": _snapshot(parts),
              "now": slider_state(parts["slider"])["now"]}
    return {"keyboard": keyboard, "typing": typing, "error": text_of(parts["error"])}


def assert_slider_moves_changed_the_app(result: dict[str, Any]) -> None:
    """The assertions shared by the JupyterLab and Voilà tests."""
    kb, ty = result["keyboard"], result["typing"]
    first = kb["first_press"]
    assert first["readout"] != kb["before"]["readout"], "arrow key did not move the readout"
    assert first["digest"] != kb["before"]["digest"], "arrow key did not change the plot pixels"
    assert kb["after"]["status"] != kb["before"]["status"], (
        f"status unchanged after {kb['presses']} key presses: {kb['before']['status']!r}")
    assert ty["after"]["digest"] != ty["before"]["digest"], "typing did not change the plot"
    assert ty["after"]["status"] != ty["before"]["status"]
    assert abs(ty["now"] - ty["target"]) < 0.01, (ty["now"], ty["target"])
    assert float(ty["after"]["readout"]) == pytest.approx(float(ty["typed"]), rel=2e-3)
    assert result["error"] == "", f"the app shows an error: {result['error']}"


#: Uncaught errors of the front end itself, seen on a plain notebook with no lrlab in it:
#: Notebook 7.6 loading its settings in the tests' isolated (empty) settings directory.
KNOWN_FRONTEND_ERRORS = {"notebook7": ("Cannot read properties of undefined (reading 'schema')",)}


def assert_no_errors_in_page(page: Any, scope: Any, *, known: tuple[str, ...] = ()) -> None:
    """No stderr/traceback output, no widget rendering error, no uncaught JS error.

    ``known``: substrings of front-end errors that are not lrlab's (see
    :data:`KNOWN_FRONTEND_ERRORS`); any other uncaught error fails.
    """
    stderr = scope.locator(STDERR)
    texts = [text_of(stderr.nth(i))[:500] for i in range(stderr.count())]
    assert not texts, f"stderr/error outputs in the notebook: {texts}"
    body = page.locator("body").inner_text()
    for marker in ("Error displaying widget", "Traceback (most recent call last)",
                   "There was an error when executing cell"):
        assert marker not in body, marker
    errors = [e for e in page.errors if not any(k in e for k in known)]
    assert not errors, errors


# ----------------------------------------------------------------------- kernel and DOM probes
def kernel_run(page: Any, code: str, *, timeout: float = 120.0) -> str:
    """Run ``code`` in the current notebook's kernel (JupyterLab / Notebook 7); return stdout.

    Raises AssertionError with the traceback when the code raises.
    """
    out = page.evaluate(
        """async ([code, ms]) => {
            const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            const future = k.requestExecute({code, silent: false, store_history: false});
            let text = '', error = null;
            future.onIOPub = (msg) => {
                const t = msg.header.msg_type;
                if (t === 'stream') text += msg.content.text;
                if (t === 'error') error = msg.content.traceback.join('\\n');
            };
            const timer = new Promise((_, reject) => setTimeout(() => reject('timeout'), ms));
            await Promise.race([future.done, timer]);
            return {text, error};
        }""", [code, timeout * 1000])
    if out["error"]:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out["error"])  # no terminal colours
        raise AssertionError(f"kernel code raised:\n{plain}")
    return out["text"]


def image_sha256(img: Any) -> str:
    """SHA-256 (hex) of the bytes the ``<img>`` shows (the PNG the kernel sent)."""
    return img.evaluate(
        """async (el) => {
            const buf = await (await fetch(el.src)).arrayBuffer();
            const h = await crypto.subtle.digest('SHA-256', buf);
            return [...new Uint8Array(h)].map(b => b.toString(16).padStart(2, '0')).join('');
        }""")


def wait_image_settled(img: Any, *, quiet: float = 1.5, timeout: float = 60.0) -> str:
    """Wait until the image has not changed for ``quiet`` seconds; return its src."""
    deadline = time.monotonic() + timeout
    src, since = img.get_attribute("src"), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = img.get_attribute("src")
        if now != src:
            src, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            wait_image_loaded(img, timeout)
            return src
    raise AssertionError(f"the image kept changing for {timeout:.0f} s")


def overflow_report(scope: Any) -> list[dict]:
    """Elements under ``scope`` whose content is wider than their box, or cut with an ellipsis.

    Covers widget boxes, labels, buttons and readouts (what a learner reads): an element
    counts when its ``scrollWidth`` exceeds its ``clientWidth`` by more than 1 px.
    """
    return scope.evaluate(
        """(root) => {
            const out = [];
            const sel = '.jupyter-widgets, .widget-label, .widget-readout, button, ' +
                        '.widget-html-content, .widget-label-basic';
            for (const el of [root, ...root.querySelectorAll(sel)]) {
                if (!el.offsetParent) continue;  // not displayed
                if (el.scrollWidth > el.clientWidth + 1) {
                    out.push({cls: el.className.toString().slice(0, 80),
                              text: (el.textContent || '').trim().slice(0, 60),
                              scroll: el.scrollWidth, client: el.clientWidth});
                }
            }
            return out;
        }""")


def description_on_own_line(scope: Any) -> list[str]:
    """Descriptions ('curve', 'x axis', 'rules') whose control starts below them."""
    return scope.evaluate(
        """(root) => {
            const out = [];
            for (const w of root.querySelectorAll('.widget-toggle-buttons, .widget-radio')) {
                const label = w.querySelector(':scope > .widget-label');
                const first = w.querySelector('button, input');
                if (!label || !first || !label.offsetParent || !label.textContent.trim()) continue;
                const a = label.getBoundingClientRect(), b = first.getBoundingClientRect();
                if (b.top >= a.bottom - 1) out.push(label.textContent.trim());
            }
            return out;
        }""")


def key_latencies(app: Any, keys: list[str], *, timeout: float = 60.0) -> list[float]:
    """Seconds from each key press on the app's lr slider handle to the new picture loaded.

    Each press must produce a new picture (a press that does not is an AssertionError
    after ``timeout``); the times include the browser's round trip to the kernel.
    """
    parts = app_parts(app)
    img = parts["img"]
    handle = parts["slider"].locator(".noUi-handle").first
    handle.focus()
    src = wait_image_settled(img)
    times = []
    for key in keys:
        handle.focus()  # a notebook that re-renders a cell scrolled away drops the focus
        before = slider_state(parts["slider"])["now"]
        t0 = time.perf_counter()
        app.page.keyboard.press(key)
        try:
            src = wait_src_change(img, src, timeout)
        except Exception as exc:
            raise AssertionError(f"{key} (slider at {before:.3g} -> "
                                 f"{slider_state(parts['slider'])['now']:.3g}) gave no new "
                                 f"picture in {timeout:.0f} s; status: "
                                 f"{text_of(parts['status'])!r}") from exc
        times.append(time.perf_counter() - t0)
    return times


def latency_table(rows: dict[str, list[float]]) -> str:
    """``app | median ms | worst ms`` lines (Markdown)."""
    import statistics

    lines = ["| app | presses | median (ms) | worst (ms) |", "|---|---|---|---|"]
    for name, t in rows.items():
        lines.append(f"| {name} | {len(t)} | {1000 * statistics.median(t):.0f} | "
                     f"{1000 * max(t):.0f} |")
    return "\n".join(lines)
