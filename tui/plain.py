"""Plain mode: a lesson as a line dialogue on stdin/stdout.

For screen readers, dumb terminals, slow links and scripts. The same core calls as the
TUI (``LessonRun``); no Textual. Lines: an answer, ``?`` for a hint, ``quit`` to stop.
"""

from __future__ import annotations

import sys
from typing import TextIO

from nntutor.core.lesson import Lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

from .i18n import t

QUIT_WORDS = {"quit", "exit", "выход"}
HINT_WORDS = {"?", "hint", "подсказка"}

_P = {
    "intro": {"en": "Type an answer and press Enter; '?' for a hint, 'quit' to stop.",
              "ru": "Введите ответ и нажмите Enter; '?' — подсказка, 'quit' — выход."},
    "stopped": {"en": "Stopped at step {0} of {1}; progress is saved.",
                "ru": "Остановились на шаге {0} из {1}; прогресс сохранён."},
    "summary": {"en": "{0} of {1} steps done; wrong answers: {2}; hints: {3}.",
                "ru": "Сделано шагов: {0} из {1}; неверных ответов: {2}; подсказок: {3}."},
}


def _p(key: str, lang: str, *args) -> str:
    return _P[key][lang].format(*args)


def run_plain(lesson: Lesson, store: ProgressStore | None, lang: str,
              stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, worker=None) -> int:
    """Run ``lesson`` as a dialogue; returns the exit code (0 at the end or at end of input).

    ``worker``: a SymbolicWorker for formula steps (without one they are checked numerically)."""
    run = LessonRun(lesson, store, lang, worker)
    out = stdout

    def say(text: str = "") -> None:
        out.write(text + "\n")
        out.flush()

    say(f"== {lesson.title[lang]} ==")
    say(lesson.text[lang].strip())
    say()
    say(_p("intro", lang))
    wrong = hints = 0
    announced = None
    while run.current is not None:
        step = run.current
        if announced is not step:
            n = run.steps.index(step) + 1
            what, example = run.answer_help(step)
            say()
            say(f"[{n}/{len(run.steps)}] {run.symbol(step)}: {step.prompt[lang]}")
            say("    " + (t("expect", lang, what, example) if example else t("expect_plain", lang, what)))
            announced = step
        out.write("> ")
        out.flush()
        line = stdin.readline()
        if not line:  # end of input
            say()
            say(_p("stopped", lang, run.steps.index(step) + 1, len(run.steps)))
            break
        text = line.rstrip("\r\n")
        word = text.strip().lower()
        if word in QUIT_WORDS:
            say(_p("stopped", lang, run.steps.index(step) + 1, len(run.steps)))
            break
        if word in HINT_WORDS:
            hint = run.next_hint()
            if hint is None:
                say(t("no_more_hints", lang))
            else:
                hints += 1
                shown = len(run.hints_shown(step))
                say(f"{t('hint', lang, shown, run.hint_count(step))}: {hint}")
            continue
        verdict = run.submit(text)
        head = verdict.message + (f" ({verdict.read_as})" if verdict.read_as else "")
        say(head)
        if verdict.diagnosis:
            say("  " + verdict.diagnosis)
        if verdict.status == "wrong":
            wrong += 1
    done = sum(run.is_accepted(s) for s in run.steps)
    say(_p("summary", lang, done, len(run.steps), wrong, hints))
    return 0
