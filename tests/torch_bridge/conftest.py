"""Shared set-up of the bridge's tests (each module skips, saying why, without torch)."""

import pytest


@pytest.fixture(autouse=True)
def _same_torch_random_state():
    """Every test starts from the same torch random state (when torch is there)."""
    try:
        import torch
    except ImportError:  # pragma: no cover - the test extra installs torch
        yield
        return
    torch.manual_seed(1234)
    yield
