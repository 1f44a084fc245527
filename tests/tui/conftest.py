"""Pilot helpers: run the app headless at 80×24 with a progress store in a temp dir."""

from __future__ import annotations

import asyncio

import pytest

from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore


@pytest.fixture(autouse=True)
def _still_clock(request, monkeypatch):
    """A snapshot shows the end-of-lesson summary with its time: on a loaded machine the run took
    a second and the picture changed. Snapshots see a clock that stands still."""
    if "snap_compare" in request.fixturenames:
        monkeypatch.setattr("nntutor.core.progress._now", lambda: "2026-01-01T00:00:00.000+00:00")


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "progress.sqlite3"


@pytest.fixture
def lesson():
    return load_catalog().find("layer-by-layer").lesson


def run(coro):
    return asyncio.run(coro)


def open_store(path):
    return ProgressStore(path)
