"""Plain mode: a lesson as a line dialogue on stdin/stdout.

For screen readers, dumb terminals, slow links and scripts. The same core calls as the
TUI (``LessonRun``); no Textual. Lines: an answer, ``?`` for a hint, ``quit`` to stop.
At a terminal, lines are read with ``readline`` (arrow keys, history); from a pipe, in
bounded pieces, so an endless line costs no more memory than the longest answer.
"""

from __future__ import annotations

import sys
from typing import TextIO

from nntutor.core.answers import MAX_CHARS
from nntutor.core.catalog import Catalog, Entry, load_catalog
from nntutor.core.feedback import CHECKING
from nntutor.core.lesson import Lesson, LessonError
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

from .i18n import t
from .plaintext import as_shown, markdown_to_text, terminal_width, wrap

QUIT_WORDS = {"quit", "exit", "выход"}
HINT_WORDS = {"?", "hint", "подсказка"}
PICTURE_WORDS = {"pictures", "рисунки"}
YES_WORDS = {"y", "yes", "д", "да"}


class LineTooLong(ValueError):
    """A line longer than the answer cap was read (and the rest of it skipped)."""


def read_bounded(stream: TextIO, cap: int = MAX_CHARS) -> str | None:
    """One line of ``stream`` without its end; None at end of input.

    Holds at most ``cap`` + 2 characters of the line at once: a longer line is skipped to its
    end in pieces of that size and raises :class:`LineTooLong`."""
    line = stream.readline(cap + 2)  # room for cap characters and "\r\n"
    if not line:
        return None
    if line.endswith("\n") or len(line) < cap + 2:  # the whole line (or the last, unended one)
        text = line.rstrip("\r\n")
        if len(text) > cap:
            raise LineTooLong()
        return text
    while True:
        piece = stream.readline(cap + 2)
        if not piece or piece.endswith("\n"):
            raise LineTooLong()


def _line_editing() -> bool:
    """Import ``readline`` so that ``input()`` edits lines; False where it is not available."""
    try:
        import readline
    except ImportError:
        return False
    # no completion (GNU readline would complete file names on Tab); the history stays in
    # memory: nothing here ever calls write_history_file
    readline.set_completer(lambda text, state: None)
    return True


class LineReader:
    """Lines typed by the user: ``input()`` with readline at a terminal, bounded reads otherwise."""

    def __init__(self, stdin: TextIO, stdout: TextIO, cap: int = MAX_CHARS) -> None:
        self.stdin, self.stdout, self.cap = stdin, stdout, cap
        self.editing = (stdin is sys.stdin and stdout is sys.stdout and _isatty(stdin) and _isatty(stdout)
                        and _line_editing())

    def read(self, prompt: str) -> str | None:
        """The next line (None at end of input); raises LineTooLong for a line over the cap."""
        if self.editing:
            try:
                text = input(prompt)
            except EOFError:
                return None
            if len(text) > self.cap:
                raise LineTooLong()
            return text
        self.stdout.write(prompt)
        self.stdout.flush()
        return read_bounded(self.stdin, self.cap)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Out:
    """Writes wrapped lines to the output stream; a new notice of the progress store (it cannot
    save, and why) goes out first, once."""

    def __init__(self, stream: TextIO, store: ProgressStore | None = None, lang: str = "en") -> None:
        self.stream = stream
        self.width = terminal_width()
        self.store, self.lang = store, lang

    def __call__(self, text: str = "", indent: str = "", hang: str | None = None) -> None:
        notice = self.store.take_notice(self.lang) if self.store is not None else None
        if notice:
            self.stream.write(wrap(as_shown(f"! {notice}", self.stream), self.width, "", "  ") + "\n")
        self.stream.write((wrap(as_shown(text, self.stream), self.width, indent, hang) if text else "") + "\n")
        self.stream.flush()

    def markdown(self, text: str) -> None:
        self.stream.write(markdown_to_text(as_shown(text, self.stream), self.width) + "\n")
        self.stream.flush()


def choose_lesson(lang: str, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
                  catalog: Catalog | None = None) -> Lesson | None:
    """List the lessons by unit, numbered, and ask for one (a number or an id) until one opens.

    None at end of input or on ``quit``."""
    catalog = catalog or load_catalog(light=True)
    say = _Out(stdout)
    entries: list[Entry] = list(catalog.entries())
    n = 0
    for unit in catalog.units:
        say(f"{unit.number}. {unit.title.get(lang, unit.id)}")
        for entry in unit.entries:
            n += 1
            if entry.lesson is not None:
                title, steps = entry.lesson.title[lang], len(entry.lesson.steps)
            elif entry.meta is not None:
                title, steps = entry.meta.title.get(lang, entry.id), entry.meta.steps
            else:
                title, steps = t("broken", lang), None
            about = f"{title} ({t('plain_steps', lang, steps)})" if steps is not None else title
            say(f"{n:>4}. {entry.id:<26} {about}", hang=" " * (33 if say.width >= 60 else 6))
    reader = LineReader(stdin, stdout)
    while True:
        try:
            line = reader.read(t("plain_choose", lang))
        except LineTooLong:
            say(t("plain_too_long", lang, reader.cap))
            continue
        if line is None:
            say()
            return None
        word = line.strip()
        if not word:
            continue
        if word.lower() in QUIT_WORDS:
            return None
        entry = (entries[int(word) - 1] if word.isdigit() and 1 <= int(word) <= len(entries)
                 else catalog.find(word))
        if entry is None:
            say(t("plain_no_such", lang, word[:40], len(entries)))
            continue
        try:
            return entry.load()
        except LessonError:
            say(t("plain_broken", lang, entry.id))


def run_plain(lesson: Lesson, store: ProgressStore | None, lang: str,
              stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, worker=None) -> int:
    """Run ``lesson`` as a dialogue; returns the exit code: 0 at the end, on ``quit`` or at end
    of input, 130 on Ctrl+C (KeyboardInterrupt), each after saying where it stopped.

    ``worker``: a SymbolicWorker for formula steps (without one they are checked numerically)."""
    run = LessonRun(lesson, store, lang, worker)
    say = _Out(stdout, store, lang)
    reader = LineReader(stdin, stdout)
    counts = {"wrong": 0, "hints": 0}

    def stopped() -> str:
        step = run.current
        n = run.steps.index(step) + 1 if step is not None else len(run.steps)
        saved = store is not None and store.saving
        return t("plain_stopped" if saved else "plain_stopped_unsaved", lang, n, len(run.steps))

    try:
        numbers = f" ({t('variant_title', lang, lesson.variant)})" if lesson.variant else ""
        say(f"== {lesson.title[lang]}{numbers} ==")
        say.markdown(lesson.text[lang])
        say()
        if run.notice:
            say(run.notice)
            say()
        if run.complete and not _start_over(run, reader, say, lang):
            return 0
        say(t("plain_intro", lang))
        if not _dialogue(run, reader, say, lang, counts):
            say(stopped())
    except KeyboardInterrupt:
        say()
        say(stopped())
        return 130
    done = sum(run.is_accepted(s) for s in run.steps)
    if run.complete and run.summary_lines():  # the same summary as the full screen's
        for line in run.summary_lines():
            say(line, hang="  ")
        if lesson.variants is not None and lesson.variants.varies:
            n = store.next_variant(lesson.id, lesson.variant) if store is not None else lesson.variant + 1
            say(t("plain_new_numbers", lang, lesson.id, n))
        return 0
    say(t("plain_summary", lang, done, len(run.steps), counts["wrong"], counts["hints"]))
    return 0


def _start_over(run: LessonRun, reader: LineReader, say: _Out, lang: str) -> bool:
    """Ask whether to restart a finished lesson; True (restarted) on yes."""
    say(t("plain_already_done", lang))
    try:
        answer = reader.read(t("plain_start_over", lang))
    except LineTooLong:
        answer = ""  # not a yes
    if answer is None:
        say()
    if answer is None or answer.strip().lower() not in YES_WORDS:
        return False
    run.restart()
    say(t("restarted", lang))
    return True


def _pictures(run: LessonRun, say: _Out, lang: str) -> None:
    """Every picture of the lesson as it is now: diagrams as drawn, charts as tables (never wrapped:
    a diagram is read line by line)."""
    from .plainpictures import picture_text

    for picture in run.pictures():
        say.stream.write("\n" + as_shown(picture_text(picture, lang, max(40, say.width)), say.stream) + "\n")
    say.stream.flush()
    say()
    say(t("plain_pictures_legend", lang))


def _dialogue(run: LessonRun, reader: LineReader, say: _Out, lang: str, counts: dict) -> bool:
    """Ask for each step until the lesson is complete (True) or the user stops (False)."""
    announced = None
    while run.current is not None:
        step = run.current
        if announced is not step:
            n = run.steps.index(step) + 1
            what, example = run.answer_help(step)
            say()
            say(f"[{n}/{len(run.steps)}] {run.symbol(step)}: {step.prompt[lang]}", hang="    ")
            for option in run.options(step):
                say(option, indent="    ", hang="       ")
            say(t("expect", lang, what, example) if example else t("expect_plain", lang, what), indent="    ")
            announced = step
        try:
            text = reader.read("> ")
        except LineTooLong:
            say(t("plain_too_long", lang, reader.cap))
            continue
        if text is None:  # end of input
            say()
            return False
        word = text.strip().lower()
        if word in QUIT_WORDS:
            return False
        if word in PICTURE_WORDS:
            _pictures(run, say, lang)
            continue
        if word in HINT_WORDS:
            hint = run.next_hint()
            if hint is None:
                say(t("no_more_hints", lang))
            else:
                counts["hints"] += 1
                shown = len(run.hints_shown(step))
                say(f"{t('hint', lang, shown, run.hint_count(step))}: {hint}", hang="  ")
            continue
        verdict = run.start(text)
        if verdict.status == CHECKING:  # a formula the numbers cannot refute: SymPy proves it
            say(verdict.message)
            verdict = run.conclude(verdict.proof, verdict.proof.run())
        say(verdict.message + (f" ({verdict.read_as})" if verdict.read_as else ""), hang="  ")
        if verdict.diagnosis:
            say(verdict.diagnosis, indent="  ")
        if verdict.status == "wrong":
            counts["wrong"] += 1
    return True
