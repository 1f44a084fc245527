"""The lesson screen as a student uses it, driven with Pilot at 80×24."""

from __future__ import annotations

import numpy as np

from nntutor.core.answers import format_value
from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.tui.app import NNTutorApp
from nntutor.tui.screens.home import HomeScreen
from nntutor.tui.screens.lesson import LessonScreen
from nntutor.tui.widgets.steps import StepList

from .conftest import run

SIZE = (80, 24)


def feedback(app) -> str:
    return str(app.screen.query_one("#feedback").render())


def prompt(app) -> str:
    return str(app.screen.query_one("#prompt").render())


async def answer(pilot, text: str) -> None:
    box = pilot.app.screen.query_one("#answer")
    box.value = text
    await pilot.press("enter")
    await pilot.pause()


async def press(pilot, key: str) -> None:
    await pilot.press(key)
    await pilot.pause()


def engine_answer(app) -> str:
    """The right value for the active step, computed by the engine and written as a student would."""
    run_ = app.screen.run
    return format_value(run_.expected(run_.current)).replace("[", "").replace("]", "").replace(",", "") \
        if run_.expected(run_.current).ndim < 2 else _matrix(run_.expected(run_.current))


def _matrix(value: np.ndarray) -> str:
    return "; ".join(" ".join(format_value(v) for v in row) for row in value)


def test_complete_the_lesson_by_typing_right_values(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen)
            for n, step in enumerate(lesson.steps, start=1):
                assert f"step {n} of {len(lesson.steps)}" in str(app.screen.query_one("#lesson-title").render())
                await answer(pilot, engine_answer(app))
                assert "Correct." in feedback(app), (step.id, feedback(app))
            assert "Lesson complete" in feedback(app)
            assert app.screen.query_one("#answer").disabled
            lines = app.screen.query_one(StepList).lines
            assert all(line.state == "done" for line in lines)
        store = ProgressStore(store_path)
        assert store.completed_lessons()
        store.close()
    run(go())


def test_typing_keys_into_the_box(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("2", "space", "minus", "1", "enter")
            await pilot.pause()
            assert "Correct." in feedback(app)
            assert "read as" in feedback(app)
            assert app.screen.run.current.quantity == "a1"
    run(go())


def test_wrong_value_gets_a_verdict_and_does_not_advance(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "2 -1")
            # a₁ = ReLU(z₁): typing z₁ again is the classic slip
            await answer(pilot, "2 -1")
            text = feedback(app)
            assert "Not quite." in text
            assert "z₁" in text  # the diagnosis names the quantity the value really is
            assert app.screen.run.current.quantity == "a1"
            assert app.screen.query_one("#answer").value == "2 -1"  # kept for editing
    run(go())


def test_malformed_input_gets_a_format_message_and_costs_no_attempt(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "2 -1 7")
            assert "vector of 2 numbers" in feedback(app)
            await answer(pilot, "two")
            assert "Not quite." not in feedback(app)
            assert app.screen.run.current.quantity == "z1"
            key = app.screen.run.key
        store = ProgressStore(store_path)
        record = store.steps(key).get("z1")
        assert record is None or record.attempts == 0
        store.close()
    run(go())


def test_hints_go_from_nudge_to_worked_value(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            step = lesson.steps[0]
            total = len(step.hints["en"]) + 1
            await pilot.press("f1")
            assert step.hints["en"][0] in feedback(app)
            for _ in range(total - 1):
                await pilot.press("f1")
            text = feedback(app)
            assert f"Hint {total}/{total}" in text
            assert "2, -1" in text.replace("[", "").replace("]", "")
            await answer(pilot, "?")  # typed ? asks for a hint too
            assert "No more hints" in feedback(app)
    run(go())


def test_resume_after_restart(lesson, store_path):
    async def first():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await answer(pilot, "2 -1")
            await answer(pilot, "2 0")
            assert app.screen.run.current.quantity == "y_hat"

    async def second():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.screen.run.current.quantity == "y_hat"
            assert "step 3 of" in str(app.screen.query_one("#lesson-title").render())
            done = [line for line in app.screen.query_one(StepList).lines if line.state == "done"]
            assert [line.label for line in done] == ["2 -1", "2 0"]
    run(first())
    run(second())


def test_language_switch(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await pilot.press("f2")
            await pilot.pause()
            assert lesson.steps[0].prompt["ru"] in prompt(app)
            await answer(pilot, "0,5 7")
            assert "Пока неверно" in feedback(app)
    run(go())


def test_home_lists_lessons_and_opens_one(store_path):
    catalog = load_catalog()
    unit = catalog.units[0]
    first = unit.entries[0].lesson
    n = len(first.steps)

    async def go():
        app = NNTutorApp(lang="en", store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            options = app.screen.query_one("#lessons")
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert any(unit.title["en"] in p for p in prompts)
            assert any("Backprop layer by layer" in p and "0/11" in p for p in prompts)
            assert any(first.title["en"] in p and f"0/{n}" in p for p in prompts)
            await pilot.press("enter")  # the first lesson is highlighted
            await pilot.pause()
            assert isinstance(app.screen, LessonScreen) and app.screen.run.lesson.id == first.id
            await answer(pilot, engine_answer(app))
            assert "Correct." in feedback(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
            assert any(first.title["en"] in p and f"1/{n}" in p for p in prompts)
    run(go())


def test_too_small_terminal_says_so(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=(50, 14)) as pilot:
            await pilot.pause()
            note = app.screen.query_one("#too-small")
            assert note.display
            assert "50×14" in str(note.render())
    run(go())


def test_formula_steps_are_checked_off_the_ui_thread(store_path):
    from pathlib import Path

    from nntutor.core.lesson import load_lesson

    lesson = load_lesson(Path(__file__).parents[1] / "lessons" / "kinds" / "formula.toml")

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.symbolic is not None  # the SymPy worker starts with a formula lesson
            assert "a formula in t" in prompt(app)
            await answer(pilot, "σ(t)(1 − σ(t))")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Correct." in feedback(app), feedback(app)
            await answer(pilot, "s*(1+s)")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Not quite." in feedback(app)
            assert app.screen.run.current.id == lesson.steps[1].id
            await answer(pilot, "s - s^2")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert "Correct." in feedback(app)
    run(go())


def test_f3_cycles_through_the_lessons_pictures_and_back_to_the_text(store_path):
    lesson = load_catalog().find("gradient-descent").lesson

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for typed in ("1.6", "6.5", "-8", "0.8"):  # w*, L(w₀), g₁, w₁: the path of w has two points
                await answer(pilot, typed)
            body, pane = app.screen.query_one("#lesson-body"), app.screen.query_one("#picture")
            await press(pilot, "f3")  # the givens sheet, a diagram
            assert not body.display and pane.display and app.screen.query_one("#diagram-scroll").display
            assert "What is given" in str(app.screen.query_one("#picture-title").render())
            await press(pilot, "f3")  # the loss after each step, a chart (L(w₀) its one point)
            assert app.screen.query_one("ChartView").display and not app.screen.query_one("#diagram-scroll").display
            await press(pilot, "f3")  # the path of w
            assert "The weight after each step" in str(app.screen.query_one("#picture-title").render())
            await press(pilot, "f3")
            assert body.display and not pane.display
            # the answer box keeps the focus: the student types on while a picture is shown
            assert app.focused is app.screen.query_one("#answer")
    run(go())


def test_a_picture_fills_in_as_the_student_answers_and_takes_the_width_it_needs(store_path):
    lesson = load_catalog().find("computational-graph").lesson

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await press(pilot, "f3")
            diagram = app.screen.query_one("#diagram")
            assert "v₃ = v₁^2" in str(diagram.render()) and "= 1" not in str(diagram.render())
            # wider than the text pane: the steps make room while it is shown
            assert not app.screen.query_one("#steps-pane").display
            await answer(pilot, "1")  # v₃ = x² = 1
            assert "= 1" in str(app.screen.query_one("#diagram").render())
            await press(pilot, "f3")
            assert app.screen.query_one("#steps-pane").display
    run(go())


def test_the_palette_lists_the_lessons_pictures_by_name(store_path):
    lesson = load_catalog().find("layer-by-layer").lesson

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            commands = {c.title: c.callback for c in app.get_system_commands(app.screen)}
            assert {"Picture: The net, forward", "Picture: The net, backward"} <= set(commands)
            commands["Picture: The net, backward"]()
            await pilot.pause()
            assert "backward" in str(app.screen.query_one("#picture-title").render())
    run(go())


def test_the_key_bar_speaks_russian_on_the_russian_screen(lesson, store_path):
    """Ctrl+P's entry is in the student's language too."""
    async def go():
        app = NNTutorApp(lang="ru", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            bar = str(app.screen.query_one("KeyBar").render())
            assert "Команды" in bar and "Подсказка" in bar and "palette" not in bar and "Hint" not in bar, bar
    run(go())


def test_collection_is_back_on_after_the_first_frame_and_start_up_is_frozen(store_path):
    """cli.main turns the garbage collector off for start-up; the app must turn it back on
    (a process that never collects would grow with every lesson opened)."""
    import gc

    async def go():
        app = NNTutorApp(lang="en", store=ProgressStore(store_path), settle_gc=True)
        gc.disable()
        try:
            async with app.run_test(size=SIZE) as pilot:
                await pilot.pause()
                await pilot.pause()
                assert gc.isenabled()
                assert gc.get_freeze_count() > 0
        finally:
            gc.enable()
            gc.unfreeze()
    run(go())


def test_feedback_grows_for_a_long_message_and_shrinks_back(lesson, store_path):
    """The feedback pane repaints in place while its height holds, and still grows for a long
    diagnosis (up to seven lines) and shrinks back to four: nothing is cut off or left over."""
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            pane = app.screen.query_one("#feedback")
            assert pane.size.height == 4
            await answer(pilot, "abc")  # a format problem: a short message
            assert pane.size.height == 4 and feedback(app).strip()
            app.screen.show_feedback(*[("info", f"line {n}") for n in range(1, 7)])
            await pilot.pause()
            assert pane.size.height == 6 and "line 6" in feedback(app)
            await answer(pilot, "abc")
            assert pane.size.height == 4 and "line 6" not in feedback(app)
            await press(pilot, "f1")  # the first hint, then every level: the pane follows
            for _ in range(4):
                await press(pilot, "f1")
            shown = feedback(app)
            assert pane.size.height >= min(7, len(shown.splitlines())), shown
    run(go())


def test_the_text_pages_and_the_keys_open_while_the_answer_box_keeps_the_focus(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            box, body = app.screen.query_one("#answer"), app.screen.query_one("#lesson-body")
            assert body.max_scroll_y > 0  # the text is longer than its pane at 80×24
            box.value = "2 -1"
            await press(pilot, "pagedown")
            assert body.scroll_y > 0 and app.focused is box
            await press(pilot, "pageup")
            assert body.scroll_y == 0
            await press(pilot, "ctrl+k")
            assert type(app.screen).__name__ == "HelpScreen" and box.value == "2 -1"  # nothing deleted
    run(go())


def test_the_worked_value_is_on_screen_after_every_hint():
    lesson = load_catalog().find("padding-stride").load()

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=None)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            run_ = app.screen.run
            while run_.next_hint() is not None:
                pass
            app.screen.restore_hints()
            await pilot.pause()
            pane = app.screen.query_one("#feedback")
            shown = feedback(app)
            needs = pane.get_content_height(pane.size, app.size, pane.content_size.width)  # wrapped at 80 columns
            assert "Worked value" in shown and needs <= pane.size.height, (needs, shown)
    run(go())


def test_a_long_accepted_answer_keeps_to_one_line_of_the_step_list(lesson, store_path):
    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            run_ = app.screen.run  # the right value, typed with far more digits than the pane can hold
            await answer(pilot, " ".join(f"{v:.20f}" for v in run_.expected(run_.current).reshape(-1)))
            assert "Correct." in feedback(app)
            steps = app.screen.query_one("#steps", StepList)
            lines = str(steps.render()).splitlines()
            assert len(lines) == len(lesson.steps) and lines[0].endswith("…"), lines
            assert all(len(line) <= steps.content_size.width for line in lines), lines
    run(go())


def test_every_bundled_lesson_shows_each_of_its_pictures_at_80x24(store_path):
    """F3 through every picture of every lesson at its first step, and back to the text: each is
    drawn (a diagram within the screen's width) and nothing breaks. The everyday run opens the
    fewest lessons that show every kind of picture (each picture name at least once); the deep
    profile (``--hypothesis-profile=deep``) opens them all."""
    from hypothesis import settings

    from nntutor.core.session import LessonRun
    from nntutor.tui.screens.lesson import LessonScreen

    catalog = load_catalog()
    entries, shown = [], set()
    for entry in catalog.entries():
        names = {p.name for p in LessonRun(entry.lesson, lang="en").pictures()}
        if settings.default.max_examples >= 10_000 or names - shown:
            entries.append(entry)
            shown |= names

    async def go():
        app = NNTutorApp(lang="en", lesson=catalog.find("layer-by-layer").lesson,
                         store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            for entry in entries:
                screen = LessonScreen(LessonRun(entry.lesson, lang="en"))
                await app.push_screen(screen)
                await pilot.pause()
                count = len(screen.run.pictures())
                assert count, entry.id
                for _ in range(count):
                    await pilot.press("f3")
                    await pilot.pause()
                    assert screen.query_one("#picture").display, entry.id
                    diagram = screen.query_one("#diagram")
                    if screen.query_one("#diagram-scroll").display:
                        assert 0 < diagram.drawing().width <= SIZE[0] - 2, entry.id
                await pilot.press("f3")
                await pilot.pause()
                assert screen.query_one("#lesson-body").display, entry.id
                app.pop_screen()
                await pilot.pause()
    run(go())


def test_typing_and_accepted_answers_do_not_rearrange_the_screen(lesson, store_path, monkeypatch):
    """A layout pass re-arranges every widget of the screen (most of the time from Enter to the
    frame): typing into the box and accepting a step repaint what changed instead. Counted, not
    timed: only a prompt or a feedback that changes height may ask for one."""
    from textual.screen import Screen

    passes = []
    original = Screen._refresh_layout

    def counted(self, *args, **kwargs):
        passes.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=ProgressStore(store_path))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            passes.clear()
            for key in ["2", "space", "minus", "1", "backspace", "1"]:
                await pilot.press(key)
            await pilot.pause()
            assert app.screen.query_one("#answer").value == "2 -1"
            assert passes == [], "typing re-arranged the screen"
            accepted = resized = 0
            for n, _step in enumerate(lesson.steps):
                if n:
                    app.screen.query_one("#answer").value = engine_answer(app)
                    await pilot.pause()
                passes.clear()
                heights = [app.screen.query_one(f"#{w}").size.height for w in ("prompt", "feedback")]
                await pilot.press("enter")
                await pilot.pause()
                assert "Correct." in feedback(app)
                accepted += len(passes)
                resized += heights != [app.screen.query_one(f"#{w}").size.height for w in ("prompt", "feedback")]
            # a height that changes costs Textual two passes (the second settles the sizes it set)
            assert accepted <= 2 * resized and resized < len(lesson.steps) / 2, (accepted, resized)

    run(go())
