"""The answer box holds at most an answer's worth of text: a 100 KB paste (bracketed or typed
key by key, as a terminal without bracketed paste sends it) keeps the first 2000 characters,
says so once, and the answer is then read like any other."""

from __future__ import annotations

import asyncio

from textual import events

from nntutor.core.answers import MAX_CHARS
from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp

LESSON = load_catalog().find("sigmoid-at-zero").lesson


def _feedback(app) -> str:
    return str(app.screen.query_one("#feedback").render())


def test_a_huge_paste_keeps_the_first_part_and_says_so(tmp_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=LESSON, store=ProgressStore(tmp_path / "p.sqlite3"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            box.post_message(events.Paste("1" * 100_000))
            await pilot.pause()
            assert len(box.value) == MAX_CHARS
            assert f"at most {MAX_CHARS} characters" in _feedback(app)
            await pilot.press("enter")
            await pilot.pause()
            assert "too long" in _feedback(app)  # read and refused like any answer: one clear line

    asyncio.run(go())


def test_keys_past_the_cap_are_dropped_one_by_one_with_one_notice(tmp_path):
    async def go():
        app = NNTutorApp(lang="ru", lesson=LESSON, store=ProgressStore(tmp_path / "p.sqlite3"))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            notices = []
            box.restricted = lambda orig=box.restricted: (notices.append(1), orig())
            for _ in range(MAX_CHARS + 500):  # what a terminal without bracketed paste sends
                box.insert_text_at_cursor("7")
            await pilot.pause()
            assert box.value == "7" * MAX_CHARS
            assert len(notices) == 500  # each dropped key is refused, cheaply ...
            assert _feedback(app).count("не больше") == 1  # ... and said once, in the lesson's language
            box.value = ""
            await pilot.pause()
            box.insert_text_at_cursor("0.5")
            assert box.value == "0.5"

    asyncio.run(go())
