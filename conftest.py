"""Repository-wide pytest configuration.

The test command (README, command 2) collects unit tests (tests/), doctests (lrlab/) and every
course notebook under nbval (notebooks/). Released exercise notebooks are meant to be filled in,
so nbval skips them; tests/test_coursework.py checks them instead.
"""

collect_ignore_glob = [
    "notebooks/exercises/*",
    "notebooks/_build/*",
    "coursework/*",
    "benchmarks/*",
    "build/*",
    "tests/fixtures/*",  # scripts that regenerate reference data with torch (not a test dep)
]
