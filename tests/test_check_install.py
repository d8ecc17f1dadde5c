"""python -m lrlab.check_install: says what is there, what is missing, and how to fix it."""

import subprocess
import sys

from lrlab import check_install


def test_complete_environment_passes_and_exits_zero():
    out = subprocess.run([sys.executable, "-m", "lrlab.check_install"], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout
    assert "All set" in out.stdout and "ipywidgets" in out.stdout


def test_missing_package_is_reported_with_a_fix(monkeypatch):
    real = check_install._version
    monkeypatch.setattr(check_install, "_version",
                        lambda dist: None if dist == "ipywidgets" else real(dist))
    report = check_install.check()
    assert not report.ok
    text = report.text()
    assert "[NO ] ipywidgets (the sliders)" in text and "fix: pip install ipywidgets" in text
    assert "Something required is missing" in text
    assert check_install.main() == 1


def test_missing_widget_extension_is_reported(monkeypatch, tmp_path):
    monkeypatch.setattr(check_install, "_labextension_dirs", lambda: [tmp_path])
    report = check_install.check()
    lines = {c.name: c for c in report.checks}
    assert not lines["lab extension @jupyter-widgets/jupyterlab-manager"].ok
    assert not report.ok
    # ipympl's extension is optional: missing it alone does not fail the check
    assert lines["lab extension jupyter-matplotlib"].optional


def test_checking_does_not_switch_matplotlib_backend():
    import matplotlib

    before = matplotlib.rcParams._get_backend_or_none()
    check_install.check()
    assert matplotlib.rcParams._get_backend_or_none() == before
