"""No code runs from where the student starts the tutor.

A probe put a ``nntutor/`` package in the current directory and started a formula lesson: the
SymPy helper (``python -m nntutor.core.symbolic``) imported it, because ``-m`` puts the current
directory first on ``sys.path``. The helper now starts isolated (``-I``) in ``/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nntutor.core.symbolic import SymbolicWorker

PAYLOAD = "open({marker!r}, 'w').write('pwned')\n"


def _plant(where: Path, marker: Path) -> None:
    """A hostile ``nntutor`` package whose every module writes ``marker`` when imported."""
    for pkg in (where / "nntutor", where / "nntutor" / "core", where / "nntutor" / "tui"):
        pkg.mkdir(parents=True, exist_ok=True)
        (pkg / "__init__.py").write_text(PAYLOAD.format(marker=str(marker)))
    (where / "nntutor" / "core" / "symbolic.py").write_text(PAYLOAD.format(marker=str(marker)))


def test_the_sympy_helper_ignores_a_package_in_the_current_directory(tmp_path, monkeypatch):
    _plant(tmp_path, marker := tmp_path / "marker")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # nor does PYTHONPATH lead it there
    with SymbolicWorker() as worker:
        assert worker.warm(wait=60), "the helper never became ready"
        assert Path(f"/proc/{worker.pid}/cwd").resolve() == Path("/") or not Path("/proc").exists()
    assert not marker.exists()


@pytest.mark.skipif(not (Path(sys.executable).parent / "nntutor").exists(), reason="needs the installed script")
def test_a_formula_lesson_in_plain_mode_runs_no_code_from_the_current_directory(tmp_path):
    _plant(tmp_path, marker := tmp_path / "marker")
    env = dict(os.environ, NNTUTOR_DATA_DIR=str(tmp_path / "data"), NNTUTOR_LANG="en")
    out = subprocess.run([str(Path(sys.executable).parent / "nntutor"), "--plain", "sigmoid-identities"],
                         input="1-s\nquit\n", cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=120)
    assert "Traceback" not in out.stderr
    assert not marker.exists()
