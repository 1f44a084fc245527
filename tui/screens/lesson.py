"""The lesson screen: the problem, the steps, the answer box, feedback and hints."""

from __future__ import annotations

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, ScrollableContainer, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

from nntutor.core.answers import MAX_CHARS
from nntutor.core.feedback import CHECKING, Verdict
from nntutor.core.session import LessonRun
from nntutor.core.tolerance import precision_text

from ..i18n import t
from ..widgets.answer import AnswerBox
from ..widgets.diagram import Diagram
from ..widgets.keybar import KeyBar
from ..widgets.feedback import Feedback
from ..widgets.settled import SettledStatic
from ..widgets.steps import StepLine, StepList

MIN_WIDTH, MIN_HEIGHT = 60, 18
HINT_WORDS = {"?", "hint", "подсказка"}


class LessonScreen(Screen):
    """One lesson, one step at a time."""

    CSS_PATH = "lesson.tcss"
    BINDINGS = [  # in the key bar in this order; what does not fit is left off from the end
        Binding("ctrl+q", "app.quit", "Quit", id="quit_key"),
        Binding("f1", "hint", "Hint", id="hint_key"),
        Binding("f5", "new_numbers", "New numbers", id="new_key"),
        Binding("f3", "plot", "Pictures", id="plot_key"),
        # priority: the answer box would take Ctrl+K (delete to the end) and the help never opened
        Binding("ctrl+k", "app.help", "Keys", id="keys_key", priority=True),
        Binding("f2", "app.toggle_lang", "Русский", id="lang_key"),
        Binding("escape", "back", "Lessons", id="back_key"),
        Binding("ctrl+r", "restart", "Start over", id="restart_key"),
        Binding("f4", "answers", "Answers", id="answers_key"),
        Binding("f6", "app.skills", "Skills", id="skills_key"),
        # the lesson text scrolls while the answer box keeps the focus
        Binding("pageup", "scroll_text(-1)", "Text ↑", show=False),
        Binding("pagedown", "scroll_text(1)", "Text ↓", show=False),
    ]
    #: the help screen's list (Ctrl+K): keys as the student presses them, grouped by what they do
    HELP = (
        ("help_answer", (("Enter", "k_enter_check"), ("F1", "k_hint"), ("? Enter", "k_typed_hint"))),
        ("help_read", (("PgUp PgDn", "k_page"), ("F3", "k_charts"), ("F4", "k_answers"))),
        ("help_lesson", (("F5", "k_new"), ("Ctrl+R", "k_restart"), ("Esc", "k_back"))),
        ("help_app", (("F6", "k_skills"), ("F2", "k_lang"), ("Ctrl+P", "k_palette"), ("Ctrl+K", "k_help"),
                      ("Ctrl+Q", "k_quit"))),
    )

    def __init__(self, run: LessonRun) -> None:
        super().__init__()
        self.run = run
        self._feedback: list[tuple[str, str]] = []
        self._checking = False  # a formula's proof is running in a thread
        self._shown = 0  # F3 cycles: 0 is the problem text, n the n-th picture
        self._shown_name: str | None = None  # the picture shown, kept across answers by its name

    def compose(self) -> ComposeResult:
        yield Static(id="lesson-title")
        with Horizontal(id="lesson-main"):
            # neither pane takes the focus: Tab cannot strand typing outside the answer box
            with VerticalScroll(id="lesson-body", can_focus=False):
                yield Static(id="problem-text")  # one widget for the whole text (see relabel)
                yield Static(id="more")
            with Vertical(id="picture"):  # F3: shown in the text's place
                yield Static(id="picture-title")
                with ScrollableContainer(id="diagram-scroll", can_focus=False):
                    yield Diagram(id="diagram")
            with VerticalScroll(id="steps-pane", can_focus=False):
                yield StepList(id="steps")
        yield SettledStatic(id="prompt")
        yield AnswerBox(id="answer", select_on_focus=False)
        yield Feedback(id="feedback")
        yield Static(id="too-small")
        yield KeyBar()

    def on_mount(self) -> None:
        answer = self.query_one("#answer", Input)
        answer.cursor_blink = False  # a blinking cursor costs CPU and bytes for as long as the app is open
        self.relabel()
        self.restore_hints()
        if self.run.notice:  # the lesson changed since the student's last go: say so, once
            self.show_feedback(("info", self.run.notice))
        elif self.run.lesson.variant and self.run.current is self.run.steps[0] and not self._feedback:
            self.show_feedback(("info", t("numbers_new", self.run.lang, self.run.lesson.variant)))
        answer.focus()
        self.app.show_store_notice()
        body = self.query_one("#lesson-body")
        self.watch(body, "scroll_y", self._show_more, init=False)
        self.watch(body, "virtual_size", self._show_more, init=False)
        self.watch(body, "size", self._show_more)

    def on_screen_resume(self) -> None:
        """Back from an overlay (help, palette, a question): typing goes to the answer box again."""
        self._focus_answer()

    def _focus_answer(self) -> None:
        answer = self.query_one("#answer", Input)
        if not answer.disabled:
            answer.focus()

    def on_key(self, event: events.Key) -> None:
        """A printable key that reached the screen (nothing focused took it) goes into the box."""
        answer = self.query_one("#answer", Input)
        if event.is_printable and event.character and self.focused is not answer and not answer.disabled:
            answer.focus()
            answer.insert_text_at_cursor(event.character)
            event.stop()

    def _show_more(self, *_args) -> None:
        """"▼ more below" on the text pane's last line while the text goes on below it."""
        body = self.query_one("#lesson-body", VerticalScroll)
        more = self.query_one("#more", Static)
        below = body.display and body.max_scroll_y > 0 and body.scroll_y < body.max_scroll_y
        if below != more.display:
            more.display = below

    # -- rendering --------------------------------------------------------------------

    def relabel(self) -> None:
        """Redraw every text for the current language and state."""
        lang = self.run.lang
        # Rich renders the Markdown into one widget: Textual's Markdown widget makes one per
        # paragraph and list item, and every layout of the screen arranged them all again
        from rich.markdown import Markdown

        self.query_one("#problem-text", Static).update(Markdown(self.run.lesson.text[lang], code_theme="ansi_dark",
                                                               inline_code_theme="ansi_dark", hyperlinks=False))
        self.query_one("#more", Static).update(t("more_below", lang))
        self.refresh_steps()

    def refresh_step_list(self) -> list[StepLine]:
        """The step list alone: after a wrong answer only the active step's tries change."""
        run, lang = self.run, self.run.lang
        lines = []
        for step in run.steps:
            if run.is_accepted(step):
                lines.append(StepLine(run.symbol(step), "shown" if run.revealed(step) else "done",
                                      run.accepted_text(step) or ""))
            elif run.is_pending(step):
                lines.append(StepLine(run.symbol(step), "noted", run.pending_text(step) or ""))
            elif step is run.current:
                wrong = [f"{typed} — {why}" if why else typed for typed, ok, why in run.attempts(step) if not ok]
                lines.append(StepLine(run.symbol(step), "active", t("tries", lang, len(wrong)) if wrong else "",
                                      tuple(wrong)))
            else:
                lines.append(StepLine(run.symbol(step), "todo", ""))
        steps = self.query_one("#steps", StepList)
        steps.lines = tuple(lines)
        # hovering the list shows every answer given in full (F4 or a click shows them in place)
        given = [f"{line.symbol} = {line.label}" for line in lines if line.state in ("done", "noted")]
        steps.tooltip = "\n".join(given) or None
        return lines

    def refresh_steps(self) -> None:
        run, lang = self.run, self.run.lang
        self.refresh_step_list()
        if run.current is not None:  # keep the active step in view in a long lesson
            self.query_one("#steps-pane").scroll_to(y=max(0, run.steps.index(run.current) - 3), animate=False)
        step = run.current
        total = len(run.steps)
        title = Text(f" {run.lesson.title[lang]}", style="bold")
        if run.lesson.variant:
            title.append(f" · {t('variant_title', lang, run.lesson.variant)}", style="bold cyan")
        prompt = self.query_one("#prompt", SettledStatic)
        answer = self.query_one("#answer", Input)
        if step is None:
            title.append(f"  — {t('done_title', lang)}", style="green")
            prompt.show_text(Text(t("complete", lang), style="bold green"))
            answer.placeholder = t("done_placeholder", lang)
            answer.disabled = True
        else:
            index = run.steps.index(step) + 1
            title.append(f"  — {t('step_of', lang, index, total)}", style="dim")
            text = Text()
            text.append(run.symbol(step), style="bold")
            text.append(f"  {step.prompt[lang]}\n")
            for option in run.options(step):
                text.append(f"  {option}\n")
            what, example = run.answer_help(step)
            text.append(t("expect", lang, what, example) if example else t("expect_plain", lang, what), style="dim")
            if not run.is_formula(step) and not step.is_choice:
                accepted = precision_text(run.tolerance(step), lang, run.expected(step))
                if accepted not in what:  # "a whole number" says it already
                    text.append(t("precision", lang, accepted), style="dim")
            prompt.show_text(text)
            answer.placeholder = t("answer_placeholder", lang)
            answer.disabled = False
        self.query_one("#lesson-title", Static).update(title, layout=False)  # always one line

    def restore_hints(self) -> None:
        step = self.run.current
        if step is None:
            self.show_feedback()
            return
        self.show_feedback(*self._hint_lines(step))

    def show_feedback(self, *lines: tuple[str, str]) -> None:
        self._feedback = list(lines)
        self.query_one("#feedback", Feedback).show(*lines)

    # -- events -----------------------------------------------------------------------

    @on(Input.Submitted, "#answer")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value
        if self._checking:
            return
        if text.strip().lower() in HINT_WORDS:
            event.input.value = ""
            self.action_hint()
            return
        step = self.run.current
        verdict = self.run.start(text)  # every verdict at once, but a formula's proof
        if verdict.status == CHECKING:
            self._checking = True
            self.show_feedback(("info", verdict.message))
            self.prove(verdict, step)
            return
        self.after_submit(verdict, step)

    @work(thread=True, exclusive=True, group="proof")
    def prove(self, pending: Verdict, step) -> None:
        """SymPy's proof takes up to a second (longer while its worker starts): keys stay live."""
        result = pending.proof.run()
        self.app.call_from_thread(self.proved, pending, result, step)

    def proved(self, pending: Verdict, result, step) -> None:
        if self.is_attached:
            self.after_submit(self.run.conclude(pending.proof, result), step)

    @on(AnswerBox.Overflowed)
    def overflowed(self) -> None:
        self.show_feedback(("format", t("answer_too_long", self.run.lang, MAX_CHARS)))

    def after_submit(self, verdict: Verdict, before) -> None:
        """Show a verdict; move on after an accepted step, or back to a design's start."""
        self._checking = False
        self.app.show_store_notice()
        answer = self.query_one("#answer", Input)
        self.show_verdict(verdict)
        if not verdict.ok and self.run.current is not before:  # a failed design goes back to its start
            self.refresh_steps()
            answer.value = self.run.previous_text(self.run.current) or ""
            answer.cursor_position = len(answer.value)  # typing goes on at the end, not mid-matrix
        if verdict.ok:
            answer.value = ""
            self.refresh_steps()
            if self._shown:  # the picture fills in with the value just found
                self.show_picture()
            self.post_message(self.StepAccepted(verdict))
            if not verdict.lesson_complete:
                self.restore_hints()
                self.show_feedback(*self._verdict_lines(verdict), *self._feedback)
            else:
                self.show_feedback(*self._verdict_lines(verdict), *self._summary_lines())
        elif verdict.status == "wrong":
            self.refresh_step_list()  # the active step's count of tries

    def _summary_lines(self) -> list[tuple[str, str]]:
        lines = [("info", line) for line in self.run.summary_lines()]
        if self.run.lesson.variants is not None and self.run.lesson.variants.varies:
            lines.append(("info", t("complete_new", self.run.lang)))
        return lines

    def action_new_numbers(self) -> None:
        """The same lesson in the next variant this student has not started."""
        lang, lesson = self.run.lang, self.run.lesson
        spec = lesson.variants
        if spec is None or not spec.varies:
            fixed = spec.fixed if spec is not None else None
            why = t("numbers_fixed", lang, fixed[lang]) if fixed else t("numbers_none", lang)
            self.show_feedback(("info", why))
            return
        store = self.run.store
        n = store.next_variant(lesson.id, lesson.variant) if store is not None else lesson.variant + 1
        self.app.open_entry(lesson.id, variant=n, path=lesson.path)

    def _verdict_lines(self, verdict: Verdict) -> list[tuple[str, str]]:
        head = verdict.message + (f"  ({verdict.read_as})" if verdict.read_as else "")
        lines = [(verdict.status, head)]
        if verdict.diagnosis:
            lines.append(("info", verdict.diagnosis))
        return lines

    def show_verdict(self, verdict: Verdict) -> None:
        self.show_feedback(*self._verdict_lines(verdict))

    def action_hint(self) -> None:
        step = self.run.current
        if step is None:
            return
        hint = self.run.next_hint()
        self.app.show_store_notice()
        if hint is None:
            self.show_feedback(*self._hint_lines(step), ("info", t("no_more_hints", self.run.lang)))
        else:
            self.show_feedback(*self._hint_lines(step))

    def _hint_lines(self, step, keep: int = 2) -> list[tuple[str, str]]:
        """The newest ``keep`` hints shown so far (numbered as they came): the pane holds about
        seven lines, and the newest -- at the end, the worked value -- must never be cut off."""
        total = self.run.hint_count(step)
        shown = self.run.hints_shown(step)
        return [("hint", f"{t('hint', self.run.lang, i + 1, total)}: {h}")
                for i, h in enumerate(shown) if i >= len(shown) - keep]

    def action_plot(self) -> None:
        """F3: the lesson's pictures (diagrams, then charts) one after another in place of the
        problem text, then the text again."""
        found = self.run.pictures()
        self._shown = (self._shown + 1) % (len(found) + 1)
        self._shown_name = found[self._shown - 1].name if self._shown else None
        self.show_picture(found)

    def open_picture(self, name: str) -> None:
        """Show the picture called ``name`` (from the command palette)."""
        self._shown_name = name
        self.show_picture()

    def show_picture(self, found=None) -> None:
        """Draw the picture chosen (``_shown_name``) as it is now, or the text when there is none."""
        found = self.run.pictures() if found is None else found
        names = [p.name for p in found]
        self._shown = names.index(self._shown_name) + 1 if self._shown_name in names else 0
        body, main = self.query_one("#lesson-body"), self.query_one("#lesson-main")
        pane = self.query_one("#picture")
        if not self._shown:
            self._shown_name = None
            pane.display = False
            main.remove_class("-wide")
            body.display = True
            return
        lang, picture = self.run.lang, found[self._shown - 1]
        title = Text(f" {picture.title[lang]}", style="bold")
        title.append(f"  {self._shown}/{len(found)} · F3", style="dim")
        pane.query_one("#picture-title", Static).update(title)
        diagram = pane.query_one(Diagram)
        scroll = pane.query_one("#diagram-scroll")
        charts = pane.query("ChartView")
        if picture.kind == "diagram":
            steps = self.query_one("#steps-pane")
            room = max(20, main.size.width - int(steps.styles.width.value or 30) - 1 - 3)  # the text pane's
            wide = picture.draw(room, lang).width > room  # too wide for the text pane: take the steps' too
            main.set_class(wide, "-wide")
            diagram.set_reactive(Diagram.lang, lang)
            diagram.room = main.size.width - 3 if wide else room
            diagram.picture = picture
            scroll.display = True
            charts.set(display=False)
        else:
            from ..widgets.chart import ChartView  # plotext loads only when a student asks for a chart

            main.remove_class("-wide")
            scroll.display = False
            if charts:
                charts.first().display = True
                charts.first().show(picture.chart, lang)
            else:
                pane.mount(ChartView(picture.chart, lang))
        body.display = False
        pane.display = True

    def action_scroll_text(self, pages: int) -> None:
        """Page the lesson text (or the chart's pane) up or down without leaving the answer box."""
        diagram = self.query_one("#diagram-scroll")
        shown = self.query_one("#picture").display and diagram.display
        pane = diagram if shown else self.query_one("#lesson-body", VerticalScroll)
        if pages < 0:
            pane.scroll_page_up(animate=False)
        else:
            pane.scroll_page_down(animate=False)

    def action_answers(self) -> None:
        """Your answers in full, wrapped, in place of the text (again: the text back)."""
        main = self.query_one("#lesson-main")
        main.toggle_class("-answers")
        self.query_one("#steps", StepList).expanded = main.has_class("-answers")

    @on(events.Click, "#steps")
    def steps_clicked(self) -> None:
        self.action_answers()

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:  # opened directly: the home screen is built now
            self.app.show_home()

    def action_restart(self) -> None:
        from .confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.restart()

        self.app.push_screen(ConfirmScreen(t("confirm_restart", self.run.lang), self.run.lang), answered)

    def restart(self) -> None:
        self.run.restart()
        self.app.show_store_notice()
        self.refresh_steps()
        if self._shown:
            self.show_picture()
        self.show_feedback(("info", t("restarted", self.run.lang)))
        self._focus_answer()

    def commands(self):
        """The palette's entries for this screen: (name in i18n as cmd_<name>, what runs)."""
        return (("hint", self.action_hint), ("new", self.action_new_numbers), ("charts", self.action_plot),
                ("answers", self.action_answers),
                ("restart", self.action_restart), ("back", self.action_back))

    def picture_commands(self):
        """The palette's entries for the lesson's pictures, by name: (title, help, what runs)."""
        lang = self.run.lang
        return [(f"{t('cmd_picture', lang)}: {p.title[lang]}", t("cmd_picture_help", lang),
                 lambda name=p.name: self.open_picture(name)) for p in self.run.pictures()]

    def set_lang(self, lang: str) -> None:
        self.run.lang = lang
        self.relabel()
        self.restore_hints()
        if self._shown:
            self.show_picture()

    def on_resize(self) -> None:
        w, h = self.size
        small = w < MIN_WIDTH or h < MIN_HEIGHT
        note = self.query_one("#too-small", Static)
        note.display = small
        if small:
            note.update(t("too_small", self.run.lang, w=w, h=h, mw=MIN_WIDTH, mh=MIN_HEIGHT))

    class StepAccepted(Message):
        """A step's answer was accepted (and saved)."""

        def __init__(self, verdict: Verdict) -> None:
            super().__init__()
            self.verdict = verdict
