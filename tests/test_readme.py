"""The README's code runs as written (and says what it prints)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.+?)\n```", README.read_text(), flags=re.S)
    assert blocks
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    history = namespace["history"]
    assert list(history.status()) == ["finished", "finished", "diverged"]
    assert history[2].summary() == ("diverged after 61 steps, final loss 5.609e+05 "
                                    "(loss exceeded 1e+05 x its start)")
    assert namespace["sweep"].run_shape == (256,)
    assert namespace["advice"].lr > 0
