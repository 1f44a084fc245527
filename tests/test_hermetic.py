"""The test run never touches a real user's files (tests/conftest.py's autouse fixture)."""

import os
from pathlib import Path

from nntutor.core.progress import default_path


def test_home_and_data_dir_are_temporary(tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    assert Path(os.environ["HOME"]).is_relative_to(base)
    assert default_path().is_relative_to(base)


def test_an_app_without_a_store_saves_under_the_temporary_data_dir():
    """The app opens its own store when given none: it lands in NNTUTOR_DATA_DIR, never in HOME
    (the fixture fails any test that leaves a file in HOME)."""
    import asyncio

    from nntutor.core.catalog import load_catalog
    from nntutor.tui.app import NNTutorApp

    async def go():
        app = NNTutorApp(lang="en", lesson=load_catalog().find("sigmoid-at-zero").lesson, store=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("f1")
            await pilot.pause()

    asyncio.run(go())
    assert default_path().is_file()
