"""The pictures' snapshots at 120×40: the deep profile only (``--hypothesis-profile=deep``), the
everyday run skips this module. It sits in a folder of its own: the snapshot plugin reads every
file under the __snapshots__ folder of a test it runs, and would call these unused and fail.
After an intended change of the look:
``pytest tests/tui/wide --hypothesis-profile=deep --snapshot-update``."""

from __future__ import annotations

import pytest

from ..test_picture_snapshots import CASES, DEEP, IDS, SIZES, shown

if not DEEP:
    pytest.skip("the big screen: the deep profile (--hypothesis-profile=deep)", allow_module_level=True)


@pytest.mark.parametrize("name, lesson_id, answered, presses", CASES, ids=IDS)
def test_picture_wide(snap_compare, store_path, monkeypatch, name, lesson_id, answered, presses):
    assert shown(snap_compare, store_path, monkeypatch, lesson_id, answered, presses, SIZES["120x40"])
