"""Every problem kind has a test lesson that loads, passes the checker, and has a full key."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nntutor.core.checker import check_paths
from nntutor.core.kinds import KINDS

KIND_LESSONS = Path(__file__).parent / "kinds"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_has_a_clean_test_lesson_and_a_key(kind):
    path = KIND_LESSONS / f"{kind}.toml"
    assert path.is_file(), f"no test lesson for kind {kind}"
    assert check_paths([path]) == []
    out = subprocess.run([sys.executable, "-m", "nntutor.tui", "key", str(path), "--json"],
                         capture_output=True, text=True, check=True)
    key = json.loads(out.stdout)
    assert key["kind"] == kind
    assert key["steps"]
    for q in key["quantities"]:
        assert np.all(np.isfinite(np.asarray(q["value"], dtype=float))), q["key"]
        assert q["meaning"]["en"] and q["meaning"]["ru"], q["key"]
