"""Repository-wide pytest configuration.

The test command (README, command 2) collects unit tests (tests/), doctests (lrlab/) and every
course notebook under nbval (notebooks/). Released exercise notebooks are meant to be filled in,
so nbval skips them; tests/test_coursework.py checks them instead.
"""

import importlib.util
import sys

collect_ignore_glob = [
    "notebooks/exercises/*",
    "coursework/*",
    "benchmarks/*",
    "build/*",
    "tests/fixtures/*",  # scripts that regenerate reference data with torch (not a test dep)
]

# lrlab.torch is an optional extra: without torch its doctests are not collected (its tests in
# tests/torch_bridge/ skip, saying why).
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob.append("lrlab/torch/*")


def pytest_runtest_setup(item):
    """torch runs single-threaded in the bridge's tests and doctests: the models are tiny, and
    on a shared 2-core machine torch's intra-op threads spin against each other (a 1 ms step
    took 40 ms)."""
    torch = sys.modules.get("torch")
    if torch is not None and "torch" in str(item.path):
        torch.set_num_threads(1)
