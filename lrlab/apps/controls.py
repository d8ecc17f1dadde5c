"""Controls the apps share: a learning-rate slider that keeps typed values, and clean-up.

ipywidgets' ``FloatLogSlider`` with a ``step`` snaps every value to its grid
*in the browser*: typing ``0.5`` into the readout sends ``0.501`` (the
nearest of 400 log-spaced points) to the kernel, and a value the kernel sets
off the grid comes back snapped, as a second update. :class:`LogSlider` has
no grid (``step=None``): a typed value arrives as typed, dragging is
continuous, and the arrow keys move by 1/10 of the range (Page Up/Down by half
of it; noUiSlider's defaults without a step). The browser computes the
value as ``10 ** log10(v)``, one or two float roundings away from ``v``:
a value within a few of those roundings of a short decimal (six significant
digits or fewer, what a learner types) is taken to be that decimal.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import ipywidgets as W
import numpy as np
from traitlets import Tuple, observe, validate

__all__ = ["KEYS_CLASS", "LogSlider", "MultiToggle", "at_limit", "keyboard_guard", "lr_slider",
           "owned_widgets"]

#: Relative distance below which a browser's value is its short decimal (float rounding).
_ROUNDING = 1e-14


def _short_decimal(value: float) -> float:
    """``value``, or the <= 6-significant-digit decimal it is a float rounding of.

    >>> _short_decimal(0.5000000000000001), _short_decimal(0.1234567891)
    (0.5, 0.1234567891)
    """
    if not np.isfinite(value) or value == 0:
        return value
    short = float(f"{value:.6g}")
    return short if abs(short - value) <= _ROUNDING * abs(value) else value


class LogSlider(W.FloatLogSlider):
    """A log-scale slider whose value is what the learner typed (no snapping grid).

    The same widget as ``ipywidgets.FloatLogSlider`` in the browser (its model
    and view), with ``step=None`` and values cleaned of the browser's float
    rounding (see the module docstring).

    >>> s = LogSlider(value=0.5, min=-3, max=1)
    >>> s.value = 0.5000000000000001; s.value
    0.5
    """

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("step", None)
        super().__init__(**kwargs)

    @validate("value")
    def _validate_value(self, proposal: Any) -> float:
        return _short_decimal(float(super()._validate_value(proposal)))


def lr_slider(value: float = 0.1, *, low: float = 1e-5, high: float = 10.0,
              description: str = "lr", continuous_update: bool = True) -> LogSlider:
    """A learning-rate slider: log scale from ``low`` to ``high``, editable readout.

    A typed value inside the range is kept exactly; one outside is clamped
    to the nearer end (the app's status line says so, see :func:`at_limit`).

    >>> s = lr_slider(0.1)
    >>> (s.min, s.max, s.base, s.step)
    (-5.0, 1.0, 10.0, None)
    """
    lo, hi = float(np.log10(low)), float(np.log10(high))
    value = float(np.clip(value, low, high))
    return LogSlider(value=value, base=10.0, min=lo, max=hi, description=description,
                     readout=True, readout_format=".3g", continuous_update=continuous_update,
                     style={"description_width": "initial"}, layout=W.Layout(width="340px"))


def at_limit(slider: W.FloatLogSlider) -> str | None:
    """``'upper'`` or ``'lower'`` when a log slider sits at an end of its range, else None.

    >>> at_limit(lr_slider(10.0, low=1e-3, high=10.0)), at_limit(lr_slider(0.1))
    ('upper', None)
    """
    exponent = float(np.log10(slider.value)) if slider.value > 0 else -np.inf
    tol = 1e-9 * max(slider.max - slider.min, 1e-12)
    if exponent >= slider.max - tol:
        return "upper"
    if exponent <= slider.min + tol:
        return "lower"
    return None


def owned_widgets(roots: Iterable[Any]) -> list[W.Widget]:
    """Every widget reachable from ``roots``: children, layouts, styles, nested widgets.

    Follows each widget's synced traits that hold widgets (``children``,
    ``layout``, ``style``, an ipympl canvas's ``toolbar``, ...), so that closing
    the list closes all the comms one app opened.
    """
    seen: dict[int, W.Widget] = {}
    stack = list(_widgets_in(roots))
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen[id(w)] = w
        for name in w.keys:
            try:
                stack.extend(_widgets_in([getattr(w, name)]))
            except Exception:  # a trait that cannot be read is not a widget we own
                continue
    return list(seen.values())


def _widgets_in(items: Iterable[Any]) -> Iterator[W.Widget]:
    for item in items:
        if isinstance(item, W.Widget):
            yield item
        elif isinstance(item, (list, tuple)):
            yield from _widgets_in(item)
        elif isinstance(item, dict):
            yield from _widgets_in(item.values())


class MultiToggle(W.Box):
    """Pick any number of options with one click each: a row of toggle buttons.

    Replaces ``ipywidgets.SelectMultiple`` (a list box that shows three rows,
    hides the rest and needs Ctrl-click to add one). Its :attr:`value` is the
    tuple of selected options in the order of :attr:`options`, like
    SelectMultiple's; set it from code, or click the buttons.

    >>> t = MultiToggle(["GD", "momentum", "Adam"], value=("Adam", "GD"), description="rules")
    >>> t.value
    ('GD', 'Adam')
    >>> t.buttons[1].value = True; t.value
    ('GD', 'momentum', 'Adam')
    """

    value = Tuple()

    def __init__(self, options: Iterable[str], *, value: Iterable[str] = (),
                 description: str = "", tooltips: dict | None = None):
        self.options = tuple(options)
        chosen = set(value)
        unknown = chosen - set(self.options)
        if unknown:
            raise ValueError(f"The 'value' parameter of MultiToggle must name options in "
                             f"{list(self.options)}. Got {sorted(unknown)!r}.")
        tips = tooltips or {}
        self.buttons = [W.ToggleButton(value=o in chosen, description=o, tooltip=tips.get(o, o),
                                       layout=W.Layout(width="auto"))
                        for o in self.options]
        label = W.Label(description, layout=W.Layout(width="auto", margin="0 6px 0 0"))
        super().__init__([label, *self.buttons],
                         layout=W.Layout(flex_flow="row wrap", align_items="center"))
        self.description = description
        self._syncing = False
        self.value = tuple(o for o in self.options if o in chosen)
        for b in self.buttons:
            b.observe(self._on_button, names="value")

    def _on_button(self, change: Any = None) -> None:
        if not self._syncing:
            self.value = tuple(o for o, b in zip(self.options, self.buttons, strict=True)
                               if b.value)

    @validate("value")
    def _validate_value(self, proposal: Any) -> tuple:
        chosen = set(proposal["value"])
        unknown = chosen - set(self.options)
        if unknown:
            raise ValueError(f"The value of MultiToggle must name options in "
                             f"{list(self.options)}. Got {sorted(unknown)!r}.")
        return tuple(o for o in self.options if o in chosen)  # in the options' order

    @observe("value")
    def _on_value(self, change: Any) -> None:
        self._syncing = True
        try:
            for o, b in zip(self.options, self.buttons, strict=True):
                b.value = o in change["new"]
        finally:
            self._syncing = False

    @property
    def disabled(self) -> bool:
        """Whether every button is disabled."""
        return all(b.disabled for b in self.buttons)


#: The one script the apps run in the browser (as an ``onerror`` handler of an image that
#: cannot load, the only way to run code from a plain ipywidgets HTML widget). Notebook 7
#: handles its shortcuts before the focused element (capture phase); ArrowLeft/Right in
#: command mode jump between headings, so a focused slider never saw them. Lumino skips
#: shortcuts for an event whose target has ``data-lm-suppress-shortcuts``: for navigation
#: keys on a control inside an lrlab widget (``.lrlab-keys``), the script sets it on the
#: control for the duration of that one event. Installed once per page; harmless where
#: shortcuts already let widgets have their keys (JupyterLab, Voila).
_KEYS_SCRIPT = (
    "(function(){if(window.__lrlabKeys)return;window.__lrlabKeys=1;"
    "var K=/^(Arrow(Left|Right|Up|Down)|Page(Up|Down)|Home|End)$/;"
    "window.addEventListener('keydown',function(e){var t=e.target;"
    "if(!K.test(e.key)||!t||!t.closest||!t.closest('.lrlab-keys'))return;"
    "t.setAttribute('data-lm-suppress-shortcuts','');"
    "setTimeout(function(){t.removeAttribute('data-lm-suppress-shortcuts');},0);},true);})()"
)
#: The CSS class of a widget tree whose controls get their navigation keys (see above).
KEYS_CLASS = "lrlab-keys"


def keyboard_guard() -> W.HTML:
    """An invisible widget that lets focused controls keep their arrow keys in Notebook 7.

    Put it in the widget tree of an element with the CSS class :data:`KEYS_CLASS`.
    """
    return W.HTML(f'<img src="data:," alt="" style="display:none" onerror="{_KEYS_SCRIPT}">',
                  layout=W.Layout(display="none"))
