"""A wheel built from this tree, installed into a fresh venv, runs nntutor with its lessons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_in_fresh_venv_runs_nntutor(tmp_path, monkeypatch):
    wheels = tmp_path / "wheels"
    # pip, ensurepip and the build tools keep caches and settings under HOME (a toolchain shim
    # here writes ~/.rustup while a venv is made): this test gives them a home of their own
    monkeypatch.setenv("HOME", str(tmp_path / "tools-home"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("nntutor-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    target = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip())
    # no network: the fresh venv sees this interpreter's dependencies (numpy, textual, ...)
    # through a .pth line; nntutor itself comes only from the wheel
    (target / "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                   check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["NNTUTOR_DATA_DIR"] = str(tmp_path / "data")
    out = subprocess.run([str(env_dir / "bin" / "nntutor"), "key", "layer-by-layer", "--json"], cwd=tmp_path,
                         env=env, capture_output=True, text=True, check=True)
    key = json.loads(out.stdout)
    assert key["lesson"]["id"] == "layer-by-layer"
    where = subprocess.run([str(py), "-c", "import nntutor.core, nntutor.lessons; "
                            "print(nntutor.core.__file__); print(list(nntutor.lessons.__path__))"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout
    assert str(target) in where and str(ROOT) not in where  # the wheel's copy, not this tree
    check = subprocess.run([str(py), "-m", "nntutor.tui", "check"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
