"""The key screens as SVG snapshots at 80×24 (tests/tui/__snapshots__/): home, a lesson mid-way,
a wrong answer, the help screen and the command palette. Deterministic: a fresh progress file
in a temporary folder, English, no cursor blink. After an intended change of the look:
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the new SVGs."""

from __future__ import annotations

from textual.command import CommandInput

from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp

SIZE = (80, 24)


def _app(store_path, lesson_id: str | None = "layer-by-layer") -> NNTutorApp:
    lesson = load_catalog().find(lesson_id).lesson if lesson_id else None
    return NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))


async def _type(pilot, *answers: str) -> None:
    for text in answers:
        pilot.app.screen.query_one("#answer").value = text
        await pilot.press("enter")
        await pilot.pause()


def test_home(snap_compare, store_path):
    assert snap_compare(_app(store_path, None), terminal_size=SIZE)


def test_lesson_mid_way(snap_compare, store_path):
    async def before(pilot):
        await _type(pilot, "2 -1", "2 0")  # z₁ and a₁ accepted: ŷ is next

    assert snap_compare(_app(store_path), terminal_size=SIZE, run_before=before)


def test_a_wrong_answer(snap_compare, store_path):
    async def before(pilot):
        await _type(pilot, "2 -1", "2 -1")  # a₁ typed as z₁ again: the diagnosis names z₁

    assert snap_compare(_app(store_path), terminal_size=SIZE, run_before=before)


def test_help_screen(snap_compare, store_path):
    assert snap_compare(_app(store_path), terminal_size=SIZE, press=["ctrl+k"])


def test_command_palette(snap_compare, store_path):
    async def before(pilot):
        await pilot.press("ctrl+p")
        await pilot.pause()
        pilot.app.screen.query_one(CommandInput).cursor_blink = False
        await pilot.press(*"start")
        await pilot.pause(0.5)

    assert snap_compare(_app(store_path), terminal_size=SIZE, run_before=before)
