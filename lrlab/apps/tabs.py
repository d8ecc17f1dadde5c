"""Several apps in tabs, displayed live or, without a kernel, as a picture of the first.

``ipywidgets.Tab`` left last in a cell stores only its ``text/plain`` repr
(``Tab(children=(VBox(...``) next to the widget view: that is what GitHub,
nbviewer and a notebook opened before it runs show. :class:`Tabs` stores what
each app does (see :meth:`lrlab.apps.base.App._repr_mimebundle_`): the live
widget for a front end with a kernel, a PNG of the first tab's figure for
one without.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import ipywidgets as W

from .base import App

__all__ = ["Tabs", "tabs"]


class Tabs:
    """Apps in the tabs of one widget.

    Parameters
    ----------
    apps : mapping of str to App
        Tab title -> app, in tab order.

    Attributes
    ----------
    apps : dict
        The apps.
    widget : ipywidgets.Tab
        What a front end shows.

    Examples
    --------
    >>> import lrlab.widgets as lw
    >>> t = lw.tabs({"1-D": lw.explorer_1d(backend="png")})
    >>> sorted(t._repr_mimebundle_())
    ['application/vnd.jupyter.widget-view+json', 'image/png', 'text/plain']
    >>> t._repr_mimebundle_()["text/plain"]
    'Tabs: 1-D'
    >>> t.close()
    """

    def __init__(self, apps: Mapping[str, App]):
        if not isinstance(apps, Mapping) or not apps:
            raise TypeError("The 'apps' parameter of Tabs must be a non-empty mapping of tab "
                            f"titles to lrlab apps. Got {apps!r} instead.")
        bad = {k: type(v).__name__ for k, v in apps.items()
               if not isinstance(k, str) or not isinstance(v, App)}
        if bad:
            raise TypeError("The 'apps' parameter of Tabs must map titles (str) to lrlab apps "
                            f"(lrlab.widgets.*). Got {bad!r}.")
        self.apps = dict(apps)
        self.widget = W.Tab(children=[app.widget for app in self.apps.values()],
                            titles=list(self.apps))

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        data = dict(self.widget._repr_mimebundle_(include=include, exclude=exclude) or {})
        first = next(iter(self.apps.values()))
        data["image/png"] = base64.b64encode(first.png()).decode("ascii")
        data["text/plain"] = "Tabs: " + ", ".join(self.apps)
        return data

    def close(self) -> None:
        """Close the apps and the tab widget."""
        for app in self.apps.values():
            app.close()
        self.widget.close()


def tabs(apps: Mapping[str, App]) -> Tabs:
    """Build :class:`Tabs` (display it by leaving it last in a cell)."""
    return Tabs(apps)
