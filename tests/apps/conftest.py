"""Shared by the app tests: apps draw on their own figures, never on pyplot's."""

from __future__ import annotations

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """Every app test leaves pyplot's figure list as it found it."""
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before
