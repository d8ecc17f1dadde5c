"""``import lrlab`` and every lrlab module outside ``lrlab.torch`` never import torch.

Learners who never install the ``torch`` extra lose nothing, and those who have it do not pay
torch's import time (a second or more) for the numpy course. Checked in a fresh interpreter,
so nothing imported by other tests can hide an import.
"""

import subprocess
import sys

CODE = r"""
import importlib, pkgutil, sys
import lrlab
assert "torch" not in sys.modules, "import lrlab imported torch"
names = []
todo = [("lrlab.", lrlab.__path__)]
while todo:          # walk_packages would import lrlab.torch to look inside it: walk by hand
    prefix, path = todo.pop()
    for info in pkgutil.iter_modules(path, prefix):
        if info.name == "lrlab.torch":
            continue
        module = importlib.import_module(info.name)
        names.append(info.name)
        if "torch" in sys.modules:
            raise SystemExit("importing " + info.name + " imported torch")
        if info.ispkg:
            todo.append((info.name + ".", module.__path__))
for name in dir(lrlab):          # the lazy attributes too (lrlab.advise, lrlab.widgets, ...)
    if name != "torch":
        getattr(lrlab, name)
assert "torch" not in sys.modules, "a lazy lrlab attribute imported torch"
print(len(names))
"""


def test_no_lrlab_module_outside_lrlab_torch_imports_torch():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    assert int(done.stdout.strip().splitlines()[-1]) > 30   # the walk really saw the package
