"""New numbers and what you got wrong, on the lesson screen at 80×24."""

from __future__ import annotations

import io

from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.core.variants import shown
from nntutor.tui.app import NNTutorApp
from nntutor.tui.screens.confirm import ConfirmScreen
from nntutor.tui.screens.lesson import LessonScreen
from nntutor.tui.widgets.steps import StepList

from .conftest import run
from .test_lesson_screen import SIZE, answer, engine_answer, feedback, press


def _title(app) -> str:
    return str(app.screen.query_one("#lesson-title").render())


def test_f5_opens_the_lesson_in_new_numbers_and_then_in_the_next_unseen_ones(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "f5")
            assert isinstance(app.screen, LessonScreen) and app.screen.run.lesson.variant == 1
            assert "new numbers #1" in _title(app)
            values = app.screen.run.lesson.problem.evaluate()
            assert f"x = {shown(values['x'])}" in app.screen.run.lesson.text["en"]
            assert "New numbers (#1)" in feedback(app)
            await answer(pilot, engine_answer(app))  # variant 1 is now started
            await press(pilot, "f5")
            assert app.screen.run.lesson.variant == 2
    run(go())


def test_f5_in_a_lesson_whose_numbers_do_not_vary_says_so(store_path):
    fixed = load_catalog().find("logic-gates").lesson
    async def go():
        app = NNTutorApp(lang="en", lesson=fixed, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "f5")
            assert app.screen.run.lesson is fixed
            assert "keeps its numbers" in feedback(app)
    run(go())


def test_earlier_wrong_answers_stay_beside_the_step_and_the_end_summarises_the_run(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "3 -1")
            steps = app.screen.query_one(StepList)
            active = next(line for line in steps.lines if line.state == "active")
            assert active.label == "✗ 1" and active.history[0].startswith("3 -1 — ")
            await press(pilot, "f4")  # every answer in full: the earlier try is listed under the step
            assert "✗ 3 -1" in str(steps.render())
            await press(pilot, "f4")
            await answer(pilot, "")  # nothing typed: no attempt
            app.screen.query_one("#answer").value = ""
            for _ in lesson.steps:
                if app.screen.run.current is app.screen.run.steps[1]:
                    await press(pilot, "f1")
                    await press(pilot, "f1")  # the worked value: this step will be marked ◇
                await answer(pilot, engine_answer(app))
            text = " ".join(feedback(app).split())
            n = len(lesson.steps)
            assert f"Right at the first try: {n - 2} of {n} · wrong answers: 1" in text
            assert "worked values shown: 1" in text and "(◇): a₁" in text
            assert [line.state for line in steps.lines].count("shown") == 1
    run(go())


def test_starting_over_asks_and_never_erases_the_completion(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for _ in lesson.steps:
                await answer(pilot, engine_answer(app))
            assert app.screen.run.complete
            await press(pilot, "ctrl+r")
            assert isinstance(app.screen, ConfirmScreen)
            await press(pilot, "enter")
            assert not app.screen.run.complete
        store = ProgressStore(store_path)
        assert store.completions() == {"layer-by-layer": 1}
        store.close()
    run(go())


def _missed_once(lesson, store_path) -> None:
    from nntutor.core.session import LessonRun

    store = ProgressStore(store_path)
    run_ = LessonRun(lesson, store, "en")
    assert not run_.submit("3 -1").ok
    store.close()


def test_home_lists_lessons_to_review_first_and_opens_them_in_new_numbers(lesson, store_path):
    from textual.widgets import OptionList

    _missed_once(lesson, store_path)

    async def go():
        app = NNTutorApp(lang="en", store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            options = app.screen.query_one(OptionList)
            first = [str(options.get_option_at_index(i).prompt) for i in range(3)]
            assert first[0].startswith("Review") and "Backprop layer by layer" in first[1]
            assert "wrong at first: 1" in first[1]
            options.highlighted = 1
            await press(pilot, "enter")
            assert isinstance(app.screen, LessonScreen) and app.screen.run.lesson.variant == 1
    run(go())


def test_nntutor_review_prints_each_lesson_with_its_command(lesson, store_path, monkeypatch, capsys):
    from nntutor.tui.cli import main

    _missed_once(lesson, store_path)
    monkeypatch.setenv("NNTUTOR_DATA_DIR", str(store_path.parent))
    assert main(["review", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "Backprop layer by layer — wrong at first: 1" in out and "nntutor layer-by-layer --variant 1" in out


def test_f6_lists_the_skills_weakest_first(store_path):
    from nntutor.core import skills
    from nntutor.core.session import LessonRun
    from nntutor.tui.screens.skills import SkillsScreen

    from tests.core.test_progress_history import _solve
    from tests.core.test_skills import _lesson_with_ops

    lesson, ops = _lesson_with_ops()
    weak = next(s for s in lesson.steps if lesson.problem.quantities[s.quantity].op == ops[0])
    store = ProgressStore(store_path)
    _solve(LessonRun(lesson, store, "en"), wrong_first={weak.quantity})
    store.close()

    async def go():
        app = NNTutorApp(lang="en", store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "f6")
            assert isinstance(app.screen, SkillsScreen)
            for _ in range(100):  # the lessons are read off the screen's thread
                await pilot.pause(0.05)
                if app.screen.rows is not None:
                    break
            shown = [row.op for row in app.screen.rows]
            assert shown[0] == ops[0] and set(shown) == set(ops)
            from rich.console import Console

            console = Console(width=76, record=True, file=io.StringIO())
            console.print(app.screen.query_one("#help-text").content)
            text = console.export_text()
            assert text.index(skills.title(ops[0], "en")) < text.index(skills.title(ops[1], "en"))
            assert "right at the first try" in text
            await press(pilot, "escape")
            assert not isinstance(app.screen, SkillsScreen)
    run(go())
