"""A choice step as a student meets it: on the lesson screen at 80×24, and in plain mode."""

from __future__ import annotations

import os
import subprocess
import sys

from nntutor.core.lesson import load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp

from ..core.test_choice import write
from .conftest import run
from .test_lesson_screen import SIZE, answer, feedback, prompt


def test_the_options_are_shown_and_each_pick_explains_itself(tmp_path):
    lesson = load_lesson(write(tmp_path))

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(tmp_path / "p.db"))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "0.8808")
            shown = prompt(app)
            assert "a) 0" in shown and "b) 1" in shown and "c) it has no limit" in shown
            assert "its letter, a–c" in shown and "significant" not in shown
            await answer(pilot, "c")
            assert "Not quite." in feedback(app) and "bounded by 1" in feedback(app)
            await answer(pilot, "b")
            assert "Correct." in feedback(app) and "σ(t) = 1/(1 + e^(−t)) → 1" in feedback(app)
            steps = str(app.screen.query_one("#steps").render())
            assert "b) 1" in steps
            assert "ln σ(2)" in prompt(app)

    run(go())


def test_plain_mode_lists_the_options_and_takes_a_letter(tmp_path):
    path = write(tmp_path)
    env = dict(os.environ, NNTUTOR_DATA_DIR=str(tmp_path / "data"), NNTUTOR_LANG="ru")
    out = subprocess.run([sys.executable, "-m", "nntutor.tui", "--plain", str(path)], input="0.8808\nа\n2\n",
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "[2/3] выбор: К чему стремится σ(t) при t → +∞?" in out.stdout
    assert "    c) предела нет" in out.stdout
    assert "Пока неверно." in out.stdout and "Это предел при −∞" in out.stdout  # Cyrillic а picks a)
    assert "Верно." in out.stdout and "[3/3]" in out.stdout
