"""Every key does what a student expects: the app's own help, overlays that Esc closes first,
typing that always lands in the answer box, the command palette, remembered choices, and
what the screen says at 80×24 and 60×20."""

from __future__ import annotations

import io

from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp
from nntutor.tui.screens.confirm import ConfirmScreen
from nntutor.tui.screens.help import HelpScreen
from nntutor.tui.screens.home import HomeScreen
from nntutor.tui.screens.lesson import LessonScreen

from .conftest import run
from .test_lesson_screen import SIZE, answer, engine_answer, feedback, press, prompt


def shown(widget) -> str:
    return str(widget.render())


def help_text(app) -> str:
    """The help screen's list as plain text, the way it reads on screen."""
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None, file=io.StringIO())
    console.print(app.screen.content)
    return console.export_text()


def key_bar(app) -> str:
    return shown(app.screen.query_one("KeyBar"))


def test_ctrl_k_lists_this_apps_keys_and_esc_closes_only_the_help(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            box.value = "2 -"
            await press(pilot, "ctrl+k")
            assert isinstance(app.screen, HelpScreen)
            text = help_text(app)
            assert "F1" in text and "the next hint" in text and "Ctrl+R" in text and "F3" in text
            assert "completion" not in text and "pgup" not in text  # no editing keys of the box
            await press(pilot, "escape")
            assert isinstance(app.screen, LessonScreen)  # the lesson, not the list of lessons
            assert app.focused is box and box.value == "2 -"
            await press(pilot, "1")
            assert box.value == "2 -1"
    run(go())


def test_question_mark_on_home_opens_the_help_in_russian(store_path):
    async def go():
        app = NNTutorApp(lang="ru", store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert "выбрать урок" in help_text(app) and "choose" not in help_text(app)
            await press(pilot, "escape")
            assert isinstance(app.screen, HomeScreen) and app.focused is app.screen.query_one("#lessons")
    run(go())


def test_tab_does_not_strand_typing_outside_the_answer_box(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            for _ in range(3):
                await press(pilot, "tab")
            await pilot.press("2", "space", "minus", "1")
            assert app.focused is box and box.value == "2 -1"
            await press(pilot, "shift+tab")
            await press(pilot, "enter")
            assert "Correct." in feedback(app)
            app.screen.set_focus(None)  # a click on the text, say: the next key still lands in the box
            await pilot.pause()
            await press(pilot, "2")
            assert app.focused is box and box.value == "2"
    run(go())


def test_start_over_asks_first_and_esc_keeps_the_lesson(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "2 -1")
            await press(pilot, "ctrl+r")
            assert isinstance(app.screen, ConfirmScreen)
            await press(pilot, "escape")
            assert isinstance(app.screen, LessonScreen) and app.screen.run.current.quantity == "a1"
            assert app.focused is app.screen.query_one("#answer")
            await press(pilot, "ctrl+r")
            await press(pilot, "enter")
            assert isinstance(app.screen, LessonScreen) and app.screen.run.current.quantity == "z1"
            assert "Started over." in feedback(app)
    run(go())


def test_the_palette_offers_every_action_and_the_lessons_by_name(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            titles = [c.title for c in app.get_system_commands(app.screen)]
            for wanted in ("Hint", "Pictures", "Start over", "Language: Русский", "Theme", "Keys", "Quit",
                           "Your answers", "Lessons"):
                assert wanted in titles, titles
            assert "Screenshot" not in titles
            assert any(t.startswith("Open lesson: ") and "Stochastic" in t for t in titles)
            app.lang = "ru"
            assert {"Подсказка", "Рисунки", "Начать заново", "Тема", "Выход"} <= \
                {c.title for c in app.get_system_commands(app.screen)}
            app.lang = "en"
            await press(pilot, "ctrl+p")
            await pilot.press(*"hint")
            await pilot.pause(0.3)
            await press(pilot, "enter")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen) and "Hint 1/" in feedback(app)
            assert app.focused is app.screen.query_one("#answer")
            await press(pilot, "ctrl+p")
            await pilot.press(*"stochastic")
            await pilot.pause(0.3)
            await press(pilot, "enter")
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen) and "Stochastic" in app.screen.run.lesson.title["en"]
    run(go())


def test_theme_and_language_are_remembered_and_lang_asked_for_wins(lesson, store_path):
    async def first():
        app = NNTutorApp(lang="en", store=ProgressStore(store_path), lang_chosen=False)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.theme = "nord"
            await press(pilot, "f2")
            assert app.lang == "ru"

    async def again(chosen: bool, lang: str):
        app = NNTutorApp(lang="en", store=ProgressStore(store_path), lang_chosen=chosen)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.theme == "nord" and app.lang == lang
            assert ("Уроки" in key_bar(app) or "Клавиши" in key_bar(app)) == (lang == "ru")

    run(first())
    run(again(False, "ru"))
    run(again(True, "en"))  # --lang en


def test_the_prompt_says_what_precision_is_accepted(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "at least 2 significant digits" in prompt(app)
            await press(pilot, "f2")
            assert "не меньше 2 значащих цифр" in prompt(app)
    run(go())


def test_more_below_shows_until_the_end_of_the_text(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            more = app.screen.query_one("#more")
            assert more.display and "more below" in shown(more)
            for _ in range(10):
                await press(pilot, "pagedown")
            assert not more.display
            await press(pilot, "pageup")
            assert more.display
    run(go())


def test_f4_shows_a_long_answer_in_full(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            typed = "2.000000000000000 -1.000000000000000"
            await answer(pilot, typed)
            steps = app.screen.query_one("#steps")
            assert typed not in shown(steps)
            await press(pilot, "f4")
            assert typed in shown(steps).replace("\n", "")
            assert not app.screen.query_one("#lesson-body").display
            await press(pilot, "f4")
            assert app.screen.query_one("#lesson-body").display
    run(go())


def test_a_finished_lesson_says_what_to_do_next_in_the_box(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for _ in lesson.steps:
                await answer(pilot, engine_answer(app))
            box = app.screen.query_one("#answer")
            assert box.disabled and "Lesson done" in box.placeholder and "your answer" not in box.placeholder
    run(go())


def test_at_60x20_the_key_bar_keeps_quit_hint_and_charts_in_that_order(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=(60, 20)) as pilot:
            await pilot.pause()
            bar = key_bar(app)
            assert len(bar) <= 60
            assert bar.index("Quit") < bar.index("Hint") < bar.index("Pictures"), bar
            assert "^P Commands" in bar  # everything else, by name
    run(go())


def test_a_lesson_opened_directly_builds_the_home_screen_only_on_the_way_back(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert not any(isinstance(s, HomeScreen) for s in app.screen_stack)
            await press(pilot, "escape")
            assert isinstance(app.screen, HomeScreen)
            await press(pilot, "enter")
            assert isinstance(app.screen, LessonScreen)
            await press(pilot, "escape")
            assert isinstance(app.screen, HomeScreen)
    run(go())


def test_a_design_part_noted_is_in_the_step_list_when_the_lesson_is_reopened(store_path):
    from pathlib import Path

    from nntutor.core.lesson import load_lesson

    design = load_lesson(Path(__file__).parents[1] / "lessons" / "kinds" / "design.toml")

    async def first():
        app = NNTutorApp(lang="en", lesson=design, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "1 1; 1 1")
            assert "1 1; 1 1" in shown(app.screen.query_one("#steps"))

    async def second():
        app = NNTutorApp(lang="en", lesson=design, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "1 1; 1 1" in shown(app.screen.query_one("#steps"))
            assert app.screen.run.current.quantity == "b1"

    run(first())
    run(second())
