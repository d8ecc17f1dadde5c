"""A progress bar that only appears when the work takes a while.

Used by the range-test band, the learning-rate search and the advisor. It
wraps ``tqdm.auto`` (a notebook widget under Jupyter, text elsewhere) with
``delay=1``: a bar that finishes within a second never draws. Without tqdm
it silently does nothing, and ``progress=False`` turns it off.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["progress_bar"]

#: Seconds of work before a bar appears.
DELAY = 1.0


def progress_bar(iterable: Iterable[Any], *, total: int | None = None, desc: str = "",
                 enabled: bool | str = "auto") -> Iterator[Any]:
    """Iterate over ``iterable``, showing a bar if the loop runs longer than a second.

    Parameters
    ----------
    iterable : iterable
        What to iterate over.
    total : int, optional
        Its length, when ``len`` does not work.
    desc : str
        Label of the bar.
    enabled : bool or 'auto'
        ``False`` never shows a bar; ``True`` and ``'auto'`` show one (through
        ``tqdm.auto``, when installed) once a second has passed.

    Yields
    ------
    object
        The items of ``iterable``, unchanged.

    Examples
    --------
    >>> [x * x for x in progress_bar(range(4), desc="squares")]   # too quick to draw a bar
    [0, 1, 4, 9]
    """
    if enabled is False:
        yield from iterable
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional
        yield from iterable
        return
    bar = tqdm(iterable, total=total, desc=desc, delay=DELAY, leave=False)
    try:
        yield from bar
    finally:
        bar.close()
