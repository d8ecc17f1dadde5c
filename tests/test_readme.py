"""The README's code runs as written (and says what it prints)."""

import importlib.util
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"
HAS_TORCH = importlib.util.find_spec("torch") is not None


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.+?)\n```", README.read_text(), flags=re.S)
    assert blocks
    namespace: dict = {}
    ran_torch = False
    for block in blocks:
        if "import torch" in block and not HAS_TORCH:
            continue   # "Use it on your own model": the PyTorch lines need the torch extra
        if "import torch" in block:
            import torch

            torch.set_num_threads(1)   # a tiny model on a shared machine: see tests/conftest
            ran_torch = True
        exec(compile(block, str(README), "exec"), namespace)
    history = namespace["history"]
    assert list(history.status()) == ["finished", "finished", "diverged"]
    assert history[2].summary() == ("diverged after 61 steps, final loss 5.609e+05 "
                                    "(loss exceeded 1e+05 x its start)")
    assert namespace["sweep"].run_shape == (256,)
    assert namespace["advice"].lr > 0
    # "Use it on your own model", numpy: a right gradient, and a rate that trains
    assert namespace["check"].verdict == "good"
    problem, rate = namespace["problem"], namespace["my_advice"].lr
    run = namespace["lrlab"].train(problem, namespace["lrlab"].sgd(rate), 200, batch_size=32)
    assert run.final_loss < 1e-6 * run.loss[0]
    if ran_torch:
        torch_history = namespace["torch_history"]
        assert torch_history.status() == "finished"
        assert torch_history.eval_loss[-1] < 1e-2 * torch_history.eval_loss[0]
        assert np.isfinite(namespace["torch_result"].suggest("valley"))
