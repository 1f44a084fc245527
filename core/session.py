"""One student working through one lesson: the calls the TUI and plain mode share.

``LessonRun`` keeps which steps are accepted (with the student's own values, which feed
everything downstream), checks submissions, serves hints from a nudge to the worked
value, and writes every accepted step to the progress store at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from .answers import FormatProblem
from .feedback import CHECKING, CORRECT, FORMAT, Verdict, show_value, text
from .i18n import Messages
from .judging import BY_CHOICE, LETTERS, ByFormula, Proof, judge_of
from .lesson import Lesson, Step
from .progress import ProgressStore
from .tolerance import Tolerance

if TYPE_CHECKING:
    from .symbolic import SymbolicWorker

_H = Messages({
    "worked": {"en": "Worked value: {formula} = {value}", "ru": "Готовое значение: {formula} = {value}"},
    "worked_formula": {"en": "Worked answer: {formula}", "ru": "Готовый ответ: {formula}"},
    "carried": {"en": " (from your earlier answers; from the exact values it is {exact})",
                "ru": " (из ваших прошлых ответов; из точных значений получается {exact})"},
    "summary": {"en": "Right at the first try: {first} of {steps} · wrong answers: {wrong} · hints: {hints}"
                      " · worked values shown: {shown} · time: {time}",
                "ru": "Верно с первой попытки: {first} из {steps} · неверных ответов: {wrong} · подсказок: {hints}"
                      " · показано готовых значений: {shown} · время: {time}"},
    "summary_shown": {"en": "After the worked value was shown (◇): {symbols}. Try them again in new numbers.",
                      "ru": "После показа готового значения (◇): {symbols}. Повторите их на новых числах."},
    "minutes": {"en": "{m} min {s} s", "ru": "{m} мин {s} с"},
    "changed": {"en": "This lesson's numbers or steps have changed since you last worked on it: it starts afresh "
                      "(your earlier answers stay in your history, and a completion keeps its ✓).",
                "ru": "Числа или шаги этого урока изменились с тех пор, как вы его решали: он начинается заново "
                      "(прежние ответы остаются в истории, а пройденный урок сохраняет ✓)."},
    "seconds": {"en": "{s} s", "ru": "{s} с"},
    "choice": {"en": "choice", "ru": "выбор"},
    "worked_choice": {"en": "The answer: {option}. {why}", "ru": "Ответ: {option}. {why}"},
})


class LessonRun:
    """The state of one lesson for one student."""

    def __init__(self, lesson: Lesson, store: ProgressStore | None = None, lang: str = "en",
                 worker: SymbolicWorker | None = None) -> None:
        self.lesson = lesson
        self.store = store
        self.lang = lang
        #: checks formula answers with SymPy; without one they are checked at random points only
        self.worker = worker
        self.key = lesson.progress_key
        self._shapes = {k: tuple(v.shape) for k, v in lesson.problem.evaluate().items()}
        self._accepted: dict[str, np.ndarray] = {}
        self._texts: dict[str, str] = {}
        self._hints: dict[str, int] = {}
        # parts of a weight design typed but not yet judged: step id -> (value, text)
        self._pending: dict[str, tuple[np.ndarray, str]] = {}
        self._previous: dict[str, str] = {}
        self.run_id = 0  # bumped by restart()
        self._registered = False  # the store knows this key's variant
        #: the quantities the steps ask for: a diagnosis names only what the student has met
        self.asked = tuple(s.quantity for s in lesson.steps if not s.is_choice)
        #: the general diagnoses' search for a step, kept while its values stay (core.diagnoses)
        self.diagnosis_memo: dict = {}
        #: said once when the lesson opens (its numbers changed since the student's last go), or None
        self.notice: str | None = None
        if store is not None:
            records = store.steps(self.key)
            if not records and store.other_versions(lesson.id, lesson.variant, self.key):
                self.notice = _H("changed", lang)
            for step_id, rec in records.items():
                if rec.hints:
                    self._hints[step_id] = rec.hints
                if rec.value is not None and any(s.id == step_id for s in lesson.steps):
                    step = lesson.step(step_id)
                    shape = self.shape(step)
                    if rec.value.size == int(np.prod(shape)):
                        self._accepted[step_id] = rec.value.reshape(shape)
                        self._texts[step_id] = rec.text or ""
            for step_id, (value, typed) in store.noted(self.key).items():  # a design's noted parts
                if step_id not in self._accepted and any(s.id == step_id for s in lesson.steps):
                    shape = self.shape(lesson.step(step_id))
                    if value.size == int(np.prod(shape)):
                        self._pending[step_id] = (value.reshape(shape), typed)

    # -- state ------------------------------------------------------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.lesson.steps

    @property
    def current(self) -> Step | None:
        """The first step not yet accepted (None when the lesson is complete)."""
        return next((s for s in self.steps if s.id not in self._accepted and s.id not in self._pending), None)

    @property
    def complete(self) -> bool:
        return self.current is None

    def is_accepted(self, step: Step) -> bool:
        return step.id in self._accepted

    def accepted_text(self, step: Step) -> str | None:
        """What the student typed for an accepted step (a choice: the option, in their language)."""
        typed = self._texts.get(step.id)
        if typed is not None and step.is_choice:
            return self.option_text(step, step.correct)
        return typed

    def option_text(self, step: Step, i: int) -> str:
        """A choice step's option ``i`` as shown: "b) its text"."""
        return f"{LETTERS[i]}) {step.options[i].text[self.lang]}"

    def options(self, step: Step) -> list[str]:
        """A choice step's options as shown, in order (empty for a step that asks for a value)."""
        return [self.option_text(step, i) for i in range(len(step.options))]

    def is_pending(self, step: Step) -> bool:
        """Part of a design typed in and waiting for the rest of the design."""
        return step.id in self._pending

    def pending_text(self, step: Step) -> str | None:
        return self._pending[step.id][1] if step.id in self._pending else None

    def previous_text(self, step: Step) -> str | None:
        """What the student typed last time for a design step that must be re-entered."""
        return self._previous.get(step.id)

    def values(self) -> Mapping[str, np.ndarray]:
        """Every quantity, with the student's accepted values in place of the engine's."""
        return self.lesson.problem.evaluate(self.overrides())

    def overrides(self) -> dict[str, np.ndarray]:
        """The student's values so far (accepted, and a design's noted parts), by quantity."""
        steps = {s.id: s for s in self.steps if not s.is_choice}
        out = {steps[sid].quantity: v for sid, v in self._accepted.items() if sid in steps}
        out.update({steps[sid].quantity: v for sid, (v, _t) in self._pending.items()})
        return out

    def expected(self, step: Step) -> np.ndarray:
        """The step's right value (a choice step: the number of its right option, 1 for a)."""
        if step.is_choice:
            return np.array(float(step.correct + 1))
        return np.asarray(self.values()[step.quantity])

    def symbol(self, step: Step) -> str:
        if step.is_choice:
            return _H("choice", self.lang)
        return self.lesson.problem.quantities[step.quantity].symbol

    def judge(self, step: Step):
        """How the step is judged (:mod:`nntutor.core.judging`): its quantity's judge, or by choice."""
        if step.is_choice:
            return BY_CHOICE
        return judge_of(self.lesson.problem, step.quantity)

    def is_formula(self, step: Step) -> bool:
        """The step asks for a formula (checked for equivalence, possibly for up to a second)."""
        return isinstance(self.judge(step), ByFormula)

    def pictures(self):
        """The lesson's pictures (nntutor.core.pictures): diagrams, then charts, each showing only
        the givens and what the student has found so far -- everything once the lesson is done."""
        from .pictures import View, pictures

        steps = {s.id: s for s in self.steps if not s.is_choice}
        typed = {steps[sid].quantity: text for sid, text in self._texts.items() if sid in steps}
        typed.update({steps[sid].quantity: text for sid, (_v, text) in self._pending.items()})
        step = self.current
        now = step.quantity if step is not None and not step.is_choice else None
        return pictures(View(self.lesson.problem, self.values(), frozenset(typed), frozenset(self.asked),
                             self.complete, now, typed))

    def answer_help(self, step: Step) -> tuple[str, str | None]:
        """What to type, and an example in that form (None for formulas: it would give it away)."""
        return self.judge(step).help(self, step)

    def shape_text(self, step: Step) -> str:
        return self.answer_help(step)[0]

    def shape(self, step: Step) -> tuple[int, ...]:
        """The shape of the step's value (() for one number, and for a choice)."""
        return () if step.is_choice else self._shapes[step.quantity]

    def tolerance(self, step: Step) -> Tolerance:
        return step.tolerance()

    # -- answering --------------------------------------------------------------------

    def submit(self, answer: str) -> Verdict:
        """Check ``answer`` for the current step; accept and save it when right.

        Blocks while a formula is proved (up to a second, more while the SymPy worker starts):
        plain mode and scripts call this; a screen calls ``start`` and ``conclude``."""
        verdict = self.start(answer)
        if verdict.status == CHECKING:
            return self.conclude(verdict.proof, verdict.proof.run())
        return verdict

    def start(self, answer: str) -> Verdict:
        """Check ``answer`` for the current step without waiting: every verdict, except for a
        formula that no sample point refutes, which comes back CHECKING with a ``proof`` to run
        off the screen's thread and hand to ``conclude``."""
        step = self.current
        if step is None:
            return Verdict(CORRECT, text("complete", self.lang), lesson_complete=True)
        return self.judge(step).start(self, step, answer)

    def conclude(self, proof: Proof, result) -> Verdict:
        """The verdict on a formula once its proof has run (``proof.run()``'s result); ignored,
        with a plain notice, if the lesson has moved on meanwhile (started over, say)."""
        if proof.step is not self.current or proof.run_id != self.run_id:
            return Verdict(FORMAT, text("moved_on", self.lang))
        return self.judge(proof.step).conclude(self, proof, result)

    # -- what a judge records (core.judging) ------------------------------------------

    def record_attempt(self, step: Step, answer: str, ok: bool, why: str | None = None) -> None:
        """Add an answer to the history, with why it was wrong (as the student read it)."""
        if self.store is not None:
            self._register()
            self.store.record_attempt(self.key, step.id, answer, ok, why, self.skill(step) or None)

    def skill(self, step: Step) -> str:
        """The operation the step practises ("" when no operation computes its quantity, or for a choice)."""
        return "" if step.is_choice else self.lesson.problem.quantities[step.quantity].op

    def _register(self) -> None:
        if not self._registered and self.store is not None:
            self.store.register(self.key, self.lesson.variant)
            self._registered = True

    def attempts(self, step: Step) -> list[tuple[str, bool, str | None]]:
        """This run's earlier answers to ``step``: (what was typed, right, why it was wrong)."""
        return self.store.attempts(self.key, step.id) if self.store is not None else []

    def summary(self):
        """How this run went (core.progress.Summary), or None without a store."""
        return self.store.summary(self.key) if self.store is not None else None

    def summary_lines(self) -> list[str]:
        """The end-of-lesson summary in the student's language (empty without a store)."""
        got = self.summary()
        if got is None:
            return []
        seconds = int(round(got.seconds))
        time = (_H("minutes", self.lang, m=seconds // 60, s=seconds % 60) if seconds >= 60
                else _H("seconds", self.lang, s=seconds))
        lines = [_H("summary", self.lang, first=got.first_try, steps=len(self.steps), wrong=got.wrong,
                    hints=got.hints, shown=got.revealed, time=time)]
        shown = [self.symbol(s) for s in self.steps if self.revealed(s)]
        if shown:
            lines.append(_H("summary_shown", self.lang, symbols=", ".join(shown)))
        return lines

    def revealed(self, step: Step) -> bool:
        """The step's worked value has been shown this run."""
        return self._hints.get(step.id, 0) >= self.hint_count(step)

    def accept(self, step: Step, answer: str, value: np.ndarray, read_as: str) -> Verdict:
        """Accept ``value`` for ``step`` and save it at once."""
        self._keep(step, answer, value)
        return self._done_verdict("correct", read_as)

    def note(self, step: Step, answer: str, value: np.ndarray) -> None:
        """Keep part of a design until the rest is in; saved like an accepted step."""
        self._pending[step.id] = (value, answer)
        if self.store is not None:
            self.store.note(self.key, step.id, answer, value)

    def drop_design(self, group: list[Step], last: Step, answer: str) -> None:
        """A design failed: its noted parts go back to be typed again (shown as typed last time)."""
        for s in group:
            if s.id in self._pending:
                self._previous[s.id] = self._pending.pop(s.id)[1]
        self._previous[last.id] = answer
        if self.store is not None:
            self.store.forget_noted(self.key)

    def accept_design(self, group: list[Step], last: Step, answer: str, value: np.ndarray,
                      read_as: str) -> Verdict:
        """A design works: every part of it is accepted and saved."""
        parts = [(s, *self._pending.pop(s.id)) for s in group if s.id in self._pending]
        for s, v, typed in [*parts, (last, value, answer)]:
            self._keep(s, typed, v)
        if self.store is not None:
            self.store.forget_noted(self.key)
        return self._done_verdict("design_ok", read_as)

    def _keep(self, step: Step, answer: str, value: np.ndarray) -> None:
        self._accepted[step.id] = value
        self._texts[step.id] = answer
        if self.store is not None:
            self._register()
            self.store.accept(self.key, step.id, answer, value)

    def _done_verdict(self, what: str, read_as: str) -> Verdict:
        done = self.complete
        if done and self.store is not None:
            self.store.complete(self.key, self.lesson.variant)
        message = text(what, self.lang) + (" " + text("complete", self.lang) if done else "")
        return Verdict(CORRECT, message, read_as, lesson_complete=done)

    # -- hints ------------------------------------------------------------------------

    def hint_count(self, step: Step) -> int:
        """How many hint levels the step has: the author's, then the worked value."""
        return len(step.hints.get(self.lang, ())) + 1

    def hints_shown(self, step: Step) -> list[str]:
        return [self._hint_text(step, i) for i in range(min(self._hints.get(step.id, 0), self.hint_count(step)))]

    def next_hint(self) -> str | None:
        """Reveal the next hint level of the current step (None if none is left)."""
        step = self.current
        if step is None:
            return None
        level = self._hints.get(step.id, 0)
        if level >= self.hint_count(step):
            return None
        self._hints[step.id] = level + 1
        if self.store is not None:
            self._register()
            self.store.record_hint(self.key, step.id, level + 1, revealed=level + 1 == self.hint_count(step))
        return self._hint_text(step, level)

    def _hint_text(self, step: Step, level: int) -> str:
        authored = step.hints.get(self.lang, ())
        if level < len(authored):
            return authored[level]
        if step.is_choice:
            return _H("worked_choice", self.lang, option=self.option_text(step, step.correct),
                      why=step.options[step.correct].why[self.lang])
        q = self.lesson.problem.quantities[step.quantity]
        if self.is_formula(step):  # the formula itself is the worked answer
            return _H("worked_formula", self.lang, formula=self._worked_formula(step))
        carried = self.expected(step)
        worked = _H("worked", self.lang, formula=q.formula or q.symbol, value=show_value(carried))
        exact = np.asarray(self.lesson.problem.evaluate()[step.quantity])
        if not np.allclose(exact, carried, rtol=2e-3, atol=1e-9):  # the student's rounding has moved it
            worked += _H("carried", self.lang, exact=show_value(exact))
        return worked

    def _worked_formula(self, step: Step) -> str:
        """A formula step's answer as the author wrote it, when the step has one (it is checked
        equivalent when the lesson loads, and written the way a teacher would, in the symbols
        the student may use: −x22²/D², not the engine's derivative in base symbols, expanded);
        otherwise the engine's formula."""
        q = self.lesson.problem.quantities[step.quantity]
        if step.answer is not None:
            from .symbolic import definitions, read_formula

            spec = self.judge(step).spec
            written = read_formula(step.answer, spec.symbols)
            if not isinstance(written, FormatProblem):
                return f"{q.symbol} = {written.pretty}{definitions(spec.where, written.symbols)}"
        return q.formula or q.symbol

    def restart(self) -> None:
        """Forget accepted values and hints for this lesson and start again."""
        self.run_id += 1  # a proof still running for the old attempt is ignored
        self._accepted.clear()
        self._texts.clear()
        self._hints.clear()
        self._pending.clear()
        if self.store is not None:
            self.store.reset_lesson(self.key)
