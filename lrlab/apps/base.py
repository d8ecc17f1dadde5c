"""What every lrlab app shares: controls, a guarded update, a status line, a display.

An :class:`App` wires ipywidgets controls to one :class:`~lrlab.apps.render.Canvas`.
Its controls and views are plain attributes, so a test (or a notebook cell)
can write ``app.lr.value = 0.3`` and then read ``app.status.value`` or the
artists' data: traitlets callbacks run synchronously, no browser needed.

An exception inside an update is caught and shown *in the app* (a red box
with the message), not lost in the browser's console; the last one is kept
in :attr:`App.last_error`.

Displayed in a notebook, an app sends the live widget *and* a PNG of its
current state: a live front end shows the widget, a static renderer (GitHub,
nbviewer without a kernel) shows the picture.
"""

from __future__ import annotations

import base64
import html
import threading
import traceback
from contextlib import contextmanager
from typing import Any

import ipywidgets as W
import numpy as np

from .background import foreground
from .controls import KEYS_CLASS, LogSlider, at_limit, keyboard_guard, lr_slider, owned_widgets
from .render import Canvas
from .serial import LatestOnly

__all__ = ["App", "describe_run", "loss_gap", "lr_slider"]


def loss_gap(problem: Any, history: Any) -> np.ndarray:
    """Full-data ``f(theta_t) - f*`` of every recorded iterate, in one vectorised call.

    Cheaper than an extra evaluation inside each training step (``eval_every=1``)
    and equal to it; NaN after a run's end. Needs ``record_params=True``.
    """
    f_star = problem.f_star if problem.f_star is not None else 0.0
    with np.errstate(all="ignore"):
        return np.asarray(problem.loss(history.params), dtype=float) - f_star


def describe_run(history: Any, *, f_star: float | None = None, rtol: float = 1e-6,
                 steps: np.ndarray | None = None) -> str:
    """One line saying what a single run did.

    "diverged at step 12: loss became inf", "converged in 84 steps",
    "converged in 30 steps (oscillating)", "oscillating", "still descending",
    "stuck: loss not decreasing", "stopped at a stationary point after 9 steps, ...".

    Examples
    --------
    >>> from lrlab import sgd, surfaces, train
    >>> describe_run(train(surfaces.parabola(), sgd(0.5), 40), f_star=0.0)
    'converged in 10 steps'
    >>> describe_run(train(surfaces.parabola(), sgd(2.5), 40), f_star=0.0)
    'diverged at step 16: loss exceeded 1e+05 x its start'

    A run *converged* at the first step where its suboptimality fell below
    ``rtol`` times its start (with ``f_star`` known) or its gradient norm
    below ``rtol`` times its start (otherwise). With ``f_star`` known, a run
    whose gradient vanished above ``f_star`` "stopped at a stationary point"
    (a local minimum, or a saddle). It *oscillates* when most of
    its last steps reverse the direction of the previous one (``steps``: the
    parameter increments, shape ``(T, dim)``, from ``np.diff(params)``).

    As :func:`lrlab.diagnose`, it reads the run's exact loss
    (:meth:`History.judged_loss`: a minibatch run's full-data loss) and trusts the
    gradient norm only when it is exact: a stochastic run converges here only
    through ``f_star``.
    """
    if bool(history.diverged):
        return f"diverged at step {int(history.diverged_at)}: {history.reason}"
    judged = history.judged_loss()
    if judged is None:
        return "cannot tell: only minibatch losses were recorded (train with eval_every=k)"
    at, loss = judged[0], judged[1]
    at, loss = at[np.isfinite(loss)], loss[np.isfinite(loss)]
    exact_grad = history.run_kind == "exact"
    osc = _oscillating(steps)
    if f_star is not None:
        gap = loss - f_star
        hit = np.nonzero(gap <= rtol * max(gap[0], 1e-300))[0]
    elif exact_grad:
        g = np.asarray(history.grad_norm, dtype=float)
        at = np.nonzero(np.isfinite(g))[0]
        g = g[np.isfinite(g)]
        hit = np.nonzero(g <= rtol * max(g[0], 1e-300))[0]
    else:
        hit = np.zeros(0, dtype=int)
    if hit.size:
        text = f"converged in {_steps(int(at[hit[0]]))}"
        return text + " (oscillating)" if _oscillating(steps, upto=int(at[hit[0]])) else text
    if f_star is not None and exact_grad:  # no global minimum, but perhaps a stationary point
        g = np.asarray(history.grad_norm, dtype=float).reshape(len(history.grad_norm), -1)
        g = g[np.all(np.isfinite(g), axis=-1), 0]
        flat = np.nonzero(g <= rtol * max(g[0], 1e-300))[0] if g.size else g
        if flat.size:
            return (f"stopped at a stationary point after {_steps(int(flat[0]))}, "
                    f"loss {gap[-1]:.3g} above the global minimum (a local minimum?)")
    if len(loss) > 2 and loss[-1] > loss[0]:
        return "diverging: loss is growing"
    if osc:
        return "oscillating"
    if len(loss) > 10 and loss[-1] >= loss[len(loss) // 2] * (1 - 1e-9):
        return "stuck: loss not decreasing"
    return f"still descending after {_steps(int(at[-1]) if len(at) else 0)}"


def _steps(n: int) -> str:
    """``'1 step'``, ``'2 steps'``."""
    return f"{n} step" if n == 1 else f"{n} steps"


def _oscillating(steps: np.ndarray | None, upto: int | None = None) -> bool:
    if steps is None:
        return False
    s = np.asarray(steps, dtype=float)[:upto]
    s = s[np.all(np.isfinite(s), axis=-1)]
    if len(s) < 3:
        return False
    dots = np.einsum("ti,ti->t", s[1:], s[:-1])
    tail = dots[-min(len(dots), 10):]
    return bool(np.mean(tail < 0) > 0.5)


class App:
    """Base of lrlab's apps: a canvas, controls, a status line and an error box.

    Subclasses build their figure in ``__init__`` (after ``super().__init__``),
    call :meth:`_wire` with their controls and implement :meth:`_update`.

    Updates are safe under threads (JupyterLab 4.6 delivers widget messages on
    a kernel subshell thread while the main thread may be updating the same
    app): they run one at a time, a burst of control changes is coalesced
    into one more update with the latest values (:class:`~lrlab.apps.serial.LatestOnly`),
    and drawing happens under the same lock, so the cached background of the
    figure is never half-drawn. A change smaller than float rounding (the
    browser echoing back a value the app set) does not start an update.

    Attributes
    ----------
    canvas : Canvas
        The one figure and its widget.
    status : ipywidgets.HTML
        What the last update found ("converged in 84 steps", ...).
    error : ipywidgets.HTML
        Empty, or the message of the exception the last update raised.
    last_error : BaseException or None
        That exception (for tests).
    widget : ipywidgets.Box
        The whole app (what a notebook displays).
    updates : int
        Number of completed updates.
    """

    def __init__(self, figsize: tuple[float, float], *, backend: str = "auto", dpi: float = 90):
        self._runner = LatestOnly(self._run_update)
        self._quiet = threading.local()  # per thread: changes it makes start no update
        self.canvas = Canvas(figsize, backend=backend, dpi=dpi)
        self.figure = self.canvas.figure
        self.status = W.HTML(value="", layout=W.Layout(min_height="1.6em"))
        self.error = W.HTML(value="")
        self.last_error: BaseException | None = None
        self.updates = 0
        self.widget: W.Box = W.VBox([])
        self._controls: list[W.Widget] = []

    # ----------------------------------------------------------- wiring
    def _wire(self, controls: list[W.Widget], layout: W.Widget) -> None:
        self._controls = list(controls)
        for c in self._controls:
            c.observe(self._on_change, names="value")
            if isinstance(c, W.ToggleButtons):
                # ipywidgets 8 lays ToggleButtons out as a block: the label took a line of
                # its own and fixed-width buttons cut their text ("gradient evaluati...")
                c.layout.display, c.layout.flex_flow, c.layout.align_items = "flex", "row", "center"
                c.style.button_width = "auto"
        placeholder = self.widget
        if isinstance(self.canvas.widget, W.Image):
            # never stretched to the width of its box (Voila: 900 -> 1330 px, soft): one
            # image pixel per CSS pixel, shrunk only where the page is narrower
            self.canvas.widget.layout.align_self = "flex-start"
            self.canvas.widget.layout.margin = "2px 0px"  # 100% wide plus margins overflowed
        self.widget = W.VBox([layout, self.status, self.error, self.canvas.widget,
                              keyboard_guard()])
        self.widget.add_class("lrlab-app")
        self.widget.add_class(KEYS_CLASS)  # arrow keys reach the sliders in Notebook 7
        for w in owned_widgets([placeholder]):
            w.close()

    def _on_change(self, change: Any = None) -> None:
        if getattr(self._quiet, "on", False) or _rounding_only(change):
            return
        self._runner.request(wait=False)

    @contextmanager
    def _silence(self):
        """Change controls from this thread without starting updates (e.g. resetting ranges).

        Only this thread's changes are silenced: a learner's change arriving
        on another thread meanwhile still asks for an update.
        """
        old = getattr(self._quiet, "on", False)
        self._quiet.on = True
        try:
            yield
        finally:
            self._quiet.on = old

    def _set_control(self, control: W.Widget, **traits: Any) -> None:
        """Set traits of a control from inside the app: silently, in one message.

        ``min``/``max`` are widened first and narrowed last, so ``value`` is
        never clamped on the way; the browser receives one message with the
        final state (no intermediate range to clamp against and echo back).
        """
        with self._silence(), control.hold_sync():
            lo, hi = traits.pop("min", None), traits.pop("max", None)
            if hi is not None:
                control.max = max(hi, control.max)
            if lo is not None:
                control.min = min(lo, control.min)
            for name, value in traits.items():
                setattr(control, name, value)
            if hi is not None:
                control.max = hi
            if lo is not None:
                control.min = lo

    @staticmethod
    def _needs(control: W.Widget, needed: bool, why: str) -> None:
        """Enable ``control``, or disable it with the tooltip ``why`` (it cannot change the
        picture now)."""
        control.disabled = not needed
        control.tooltip = None if needed else f"disabled: {why}"

    def update(self) -> None:
        """Recompute and redraw from the current control values (errors shown in the app).

        Returns once an update that started after the call has finished (it
        may have run on another thread).
        """
        self._runner.request(wait=True)

    def _run_update(self) -> None:
        try:
            with foreground():   # background work (apps/background.py) waits meanwhile
                self._update()
        except Exception as exc:  # shown to the learner, kept for tests
            self.last_error = exc
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            self.error.value = (
                '<div style="color:#a00;border:1px solid #a00;padding:4px;border-radius:3px">'
                f"<b>{type(exc).__name__}</b>: {html.escape(str(exc))}"
                f"<br><small>in {html.escape(frame.name)}, line {frame.lineno}</small></div>")
        else:
            self.last_error = None
            self.error.value = ""
            self.updates += 1

    def _update(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_status(self, text: str, kind: str = "info") -> None:
        """Show ``text``; a learning-rate slider at an end of its range is said to be there."""
        color = {"ok": "#1a7f37", "warn": "#9a6700", "bad": "#cf222e"}.get(kind, "#333")
        style = f"color:{color};font-weight:600"
        notes = [f'<span style="color:#9a6700"> · {html.escape(n)}</span>'
                 for n in self._limit_notes()]
        self.status.value = f'<span style="{style}">{html.escape(text)}</span>' + "".join(notes)

    def _limit_notes(self) -> list[str]:
        notes = []
        for c in self._controls:
            if isinstance(c, LogSlider) and not c.disabled:
                end = at_limit(c)
                if end is not None:
                    notes.append(f"{c.description} {c.value:.3g} is the {end} end of its "
                                 "slider: a value typed beyond it is clamped to it")
        return notes

    @property
    def status_text(self) -> str:
        """The status line without its HTML."""
        import re

        return html.unescape(re.sub(r"<[^>]+>", "", self.status.value))

    # ----------------------------------------------------------- display
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        data["image/png"] = base64.b64encode(self.png()).decode("ascii")
        data["text/plain"] = f"{type(self).__name__}: {self.status_text}"
        return data

    def png(self) -> bytes:
        """PNG of the current figure (never of a half-finished update)."""
        with self._runner.holding():
            return self.canvas.to_png()

    def close(self) -> None:
        """Unhook the controls, close every widget the app created, release the figure.

        Closes the whole tree under :attr:`widget` (boxes, controls, their
        layouts and styles, the image) and any widget the app holds as an
        attribute; an update requested afterwards does nothing.
        """
        self._runner.close()
        with self._runner.holding():
            for c in self._controls:
                c.unobserve(self._on_change, names="value")
            roots = [self.widget, self.status, self.error, self.canvas.widget, self._controls,
                     list(vars(self).values())]
            for w in owned_widgets(roots):
                w.close()
            self.canvas.close()


def _rounding_only(change: Any) -> bool:
    """A float control moved by less than float rounding (a browser's echo of our value)."""
    if not isinstance(change, dict):
        return False
    old, new = change.get("old"), change.get("new")
    if not (isinstance(old, float) and isinstance(new, float)) or old == new:
        return False
    return abs(new - old) <= 1e-12 * max(abs(old), abs(new))
