"""One student working through one lesson: the calls the TUI and plain mode share.

``LessonRun`` keeps which steps are accepted (with the student's own values, which feed
everything downstream), checks submissions, serves hints from a nudge to the worked
value, and writes every accepted step to the progress store at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from .answers import FormatProblem, describe_shape, example_for, read_answer
from .curves import Chart, charts
from .feedback import CHECKING, CORRECT, FORMAT, NOTED, WRONG, Verdict, diagnose, show_value, text
from .i18n import Messages
from .lesson import Lesson, Step
from .progress import ProgressStore
from .tolerance import Tolerance, compare

if TYPE_CHECKING:
    from .symbolic import SymbolicWorker

_H = Messages({
    "worked": {"en": "Worked value: {formula} = {value}", "ru": "Готовое значение: {formula} = {value}"},
    "worked_formula": {"en": "Worked answer: {formula}", "ru": "Готовый ответ: {formula}"},
    "carried": {"en": " (from your earlier answers; from the exact values it is {exact})",
                "ru": " (из ваших прошлых ответов; из точных значений получается {exact})"},
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
        self._run_id = 0  # bumped by restart()
        #: the quantities the steps ask for: a diagnosis names only what the student has met
        self._asked = tuple(s.quantity for s in lesson.steps)
        #: the general diagnoses' search for a step, kept while its values stay (core.diagnoses)
        self._diagnosis_memo: dict = {}
        if store is not None:
            for step_id, rec in store.steps(self.key).items():
                if rec.hints:
                    self._hints[step_id] = rec.hints
                if rec.value is not None and any(s.id == step_id for s in lesson.steps):
                    step = lesson.step(step_id)
                    shape = self._shape(step)
                    if rec.value.size == int(np.prod(shape)):
                        self._accepted[step_id] = rec.value.reshape(shape)
                        self._texts[step_id] = rec.text or ""
            for step_id, (value, typed) in store.noted(self.key).items():  # a design's noted parts
                if step_id not in self._accepted and any(s.id == step_id for s in lesson.steps):
                    shape = self._shape(lesson.step(step_id))
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
        return self._texts.get(step.id)

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
        return self.lesson.problem.evaluate(self._overrides())

    def _overrides(self) -> dict[str, np.ndarray]:
        out = {self.lesson.step(sid).quantity: v for sid, v in self._accepted.items()}
        out.update({self.lesson.step(sid).quantity: v for sid, (v, _t) in self._pending.items()})
        return out

    def expected(self, step: Step) -> np.ndarray:
        return np.asarray(self.values()[step.quantity])

    def symbol(self, step: Step) -> str:
        return self.lesson.problem.quantities[step.quantity].symbol

    def is_formula(self, step: Step) -> bool:
        """The step asks for a formula (checked for equivalence, possibly for up to a second)."""
        return step.quantity in self.lesson.problem.formulas

    def charts(self) -> tuple[tuple[Chart, ...], bool]:
        """The lesson's charts a student may see now -- a loss only once they have found it,
        every one when the lesson is done -- and whether answering will add more."""
        values = self.values()
        every = charts(self.lesson.problem, values)
        if self.complete:
            return every, False
        now = charts(self.lesson.problem, values, {s.quantity for s in self.steps if self.is_accepted(s)})
        return now, len(now) < len(every)

    def answer_help(self, step: Step) -> tuple[str, str | None]:
        """What to type, and an example in that form (None for formulas: it would give it away)."""
        if self.is_formula(step):
            from .symbolic import describe_formula

            return describe_formula(self.lesson.problem.formulas[step.quantity].symbols, self.lang), None
        shape = self._shape(step)
        expected, tol = self.expected(step), self.tolerance(step)
        whole = self._whole(step)
        for mistake in range(4):  # an example must never be the answer itself (σ′(0) = 0.25)
            example = example_for(shape, mistake, whole)
            reading = read_answer(example, shape)
            if isinstance(reading, FormatProblem) or not compare(reading, expected, tol).ok:
                break
        return describe_shape(shape, self.lang, whole), example

    def _whole(self, step: Step) -> bool:
        """The step asks for a count: exact, one number, and a whole one."""
        if not (self.tolerance(step).exact and self._shape(step) == ()):
            return False
        value = float(self.expected(step))
        return value == round(value)

    def shape_text(self, step: Step) -> str:
        return self.answer_help(step)[0]

    def _shape(self, step: Step) -> tuple[int, ...]:
        return self._shapes[step.quantity]

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
        """Check ``answer`` without waiting: every verdict, except for a formula that no sample
        point refutes, which comes back CHECKING with a ``proof`` to run off the screen's thread
        and hand to ``conclude``."""
        step = self.current
        if step is None:
            return Verdict(CORRECT, text("complete", self.lang), lesson_complete=True)
        if self.is_formula(step):
            return self._submit_formula(step, answer)
        shape = self._shape(step)
        reading = read_answer(answer, shape)
        if isinstance(reading, FormatProblem):  # read again for the message: the prompt's wording and
            # example (never the answer itself), worked out only when something is wrong
            reading = read_answer(answer, shape, self._whole(step), self.answer_help(step)[1])
        if isinstance(reading, FormatProblem):
            return Verdict(FORMAT, reading.message.get(self.lang, reading.message["en"]))
        group = self._design_group(step)
        if group:
            return self._submit_design(step, group, reading, answer, shape)
        values = self.values()
        expected = np.asarray(values[step.quantity]).reshape(shape)
        tol = self.tolerance(step)
        comparison = compare(reading, expected, tol)
        ok = comparison.ok or self._right_from_exact(step, reading, shape, tol)
        read_as = text("read_as", self.lang, reading.shown)
        if self.store is not None:
            self.store.record_attempt(self.key, step.id, answer, ok)
        if not ok:
            why = diagnose(reading, comparison, step.quantity, self.lesson.problem, values, tol, self.lang,
                           self._authored(step, shape), steps=self._asked, memo=self._diagnosis_memo)
            return Verdict(WRONG, text("wrong", self.lang), read_as, why)
        return self._accept(step, answer, np.array(reading.value, dtype=np.float64).reshape(shape), read_as)

    def _right_from_exact(self, step: Step, reading, shape, tol: Tolerance) -> bool:
        """The value computed from the exact givens, not from the student's rounded earlier answers.

        A value is judged against the student's own accepted values, so that their rounding
        carries forward; a student who kept full precision (or follows the key) is right too.
        """
        if not self._accepted and not self._pending:
            return False
        exact = np.asarray(self.lesson.problem.evaluate()[step.quantity]).reshape(shape)
        return compare(reading, exact, tol).ok

    def _submit_formula(self, step: Step, answer: str) -> Verdict:
        """A formula is right when it is proved equivalent to the expected one; numbers alone
        only refute (or, with no worker at all, decide)."""
        from .symbolic import check_formula, read_formula, screen_formula

        spec = self.lesson.problem.formulas[step.quantity]
        formula = read_formula(answer, spec.symbols)
        if isinstance(formula, FormatProblem):
            return Verdict(FORMAT, formula.message.get(self.lang, formula.message["en"]))
        if self.worker is None:  # no SymPy here (scripts, tests): the numeric verdict decides
            return self._formula_verdict(_Proof(self, step, answer, formula, spec), check_formula(formula, spec))
        proof = _Proof(self, step, answer, formula, spec)
        screened = screen_formula(formula, spec)
        if screened.status == "agrees":
            return Verdict(CHECKING, text("checking", self.lang), proof=proof)
        return self._formula_verdict(proof, screened)

    def conclude(self, proof: "_Proof", result) -> Verdict:
        """The verdict on a formula once its proof has run (``proof.run()``'s result); ignored,
        with a plain notice, if the lesson has moved on meanwhile (started over, say)."""
        if proof.step is not self.current or proof.run_id != self._run_id:
            return Verdict(FORMAT, text("moved_on", self.lang))
        return self._formula_verdict(proof, result)

    def _formula_verdict(self, proof: "_Proof", result) -> Verdict:
        step, answer, formula, spec = proof.step, proof.answer, proof.formula, proof.spec
        if result.status in ("too_complex", "unproven"):  # not the student's mistake: costs no attempt
            return Verdict(FORMAT, result.message.get(self.lang, result.message["en"]))
        read_as = text("read_as", self.lang, _shortened(formula.pretty))
        if self.store is not None:
            self.store.record_attempt(self.key, step.id, answer, result.ok)
        if not result.ok:
            why = self._authored_formula(step, formula, spec) or result.message
            return Verdict(WRONG, text("wrong", self.lang), read_as, why.get(self.lang, why["en"]))
        from .symbolic import formula_value

        value = np.asarray(formula_value(formula, spec), dtype=np.float64)
        if not np.all(np.isfinite(value)):
            value = self.expected(step)
        return self._accept(step, answer, value.reshape(self._shape(step)), read_as)

    def _accept(self, step: Step, answer: str, value: np.ndarray, read_as: str) -> Verdict:
        self._accepted[step.id] = value
        self._texts[step.id] = answer
        if self.store is not None:
            self.store.accept(self.key, step.id, answer, value)
        done = self.complete
        if done and self.store is not None:
            self.store.complete(self.key)
        message = text("correct", self.lang) + (" " + text("complete", self.lang) if done else "")
        return Verdict(CORRECT, message, read_as, lesson_complete=done)

    def _authored_formula(self, step: Step, formula, spec) -> Mapping[str, str] | None:
        """The message of the author's wrong formula that the student's equals (numerically), if any."""
        from .symbolic import check_formula, read_formula

        for mistake in step.mistakes:
            wrong = read_formula(mistake.answer, spec.symbols)
            if not isinstance(wrong, FormatProblem) and check_formula(formula, spec.expecting(wrong, spec.symbols),
                                                                      explain=False).ok:
                return mistake.message
        return None

    def _authored(self, step: Step, shape) -> list[tuple[np.ndarray, Mapping[str, str]]]:
        """The author's wrong answers for ``step`` that read as values (the checker vets them)."""
        out = []
        for mistake in step.mistakes:
            reading = read_answer(mistake.answer, shape)
            if not isinstance(reading, FormatProblem):
                out.append((reading.value, mistake.message))
        return out

    # -- weight designs ---------------------------------------------------------------

    def _design_group(self, step: Step) -> list[Step]:
        """The run of consecutive steps asking for student-chosen quantities around ``step``."""
        crit = self.lesson.problem.criterion
        if crit is None or step.quantity not in crit.chosen:
            return []
        steps = list(self.steps)
        first = last = steps.index(step)
        while first > 0 and steps[first - 1].quantity in crit.chosen:
            first -= 1
        while last + 1 < len(steps) and steps[last + 1].quantity in crit.chosen:
            last += 1
        return steps[first:last + 1]

    def _submit_design(self, step: Step, group: list[Step], reading, answer: str, shape) -> Verdict:
        """A design is judged by what it does, once all its parts are in: any working one is right."""
        value = np.array(reading.value, dtype=np.float64).reshape(shape)
        read_as = text("read_as", self.lang, reading.shown)
        if step is not group[-1]:
            self._pending[step.id] = (value, answer)
            if self.store is not None:  # saved like an accepted step: reopening the lesson keeps it
                self.store.note(self.key, step.id, answer, value)
            return Verdict(NOTED, text("design_noted", self.lang), read_as)
        overrides = self._overrides()
        overrides[step.quantity] = value
        failed = self.lesson.problem.failed_cases(overrides)
        if self.store is not None:
            self.store.record_attempt(self.key, step.id, answer, not failed)
        if failed:
            for s in group:
                if s.id in self._pending:
                    self._previous[s.id] = self._pending.pop(s.id)[1]
            self._previous[step.id] = answer
            if self.store is not None:
                self.store.forget_noted(self.key)
            why = text("design_fails" if len(failed) == 1 else "design_fails_many", self.lang,
                       cases=", ".join(map(str, failed)), first=self.symbol(group[0]))
            return Verdict(WRONG, text("wrong", self.lang), read_as, why)
        parts = [(s, *self._pending.pop(s.id)) for s in group if s.id in self._pending]
        for s, v, typed in [*parts, (step, value, answer)]:
            self._accepted[s.id] = v
            self._texts[s.id] = typed
            if self.store is not None:
                self.store.accept(self.key, s.id, typed, v)
        if self.store is not None:
            self.store.forget_noted(self.key)
        done = self.complete
        if done and self.store is not None:
            self.store.complete(self.key)
        message = text("design_ok", self.lang) + (" " + text("complete", self.lang) if done else "")
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
            self.store.record_hint(self.key, step.id, level + 1)
        return self._hint_text(step, level)

    def _hint_text(self, step: Step, level: int) -> str:
        authored = step.hints.get(self.lang, ())
        if level < len(authored):
            return authored[level]
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

            spec = self.lesson.problem.formulas[step.quantity]
            written = read_formula(step.answer, spec.symbols)
            if not isinstance(written, FormatProblem):
                return f"{q.symbol} = {written.pretty}{definitions(spec.where, written.symbols)}"
        return q.formula or q.symbol

    def restart(self) -> None:
        """Forget accepted values and hints for this lesson and start again."""
        self._run_id += 1  # a proof still running for the old attempt is ignored
        self._accepted.clear()
        self._texts.clear()
        self._hints.clear()
        self._pending.clear()
        if self.store is not None:
            self.store.reset_lesson(self.key)


def _shortened(shown: str, limit: int = 80) -> str:
    """A long formula's echo cut to about one line: the verdict's reason must stay in view."""
    return shown if len(shown) <= limit else shown[:limit - 1].rstrip() + "…"


class _Proof:
    """A formula answer waiting for SymPy's proof: ``run()`` blocks (up to a second, more while
    the worker starts) and touches nothing of the lesson, so a screen runs it in a thread."""

    def __init__(self, run: LessonRun, step: Step, answer: str, formula, spec) -> None:
        self.step, self.answer, self.formula, self.spec = step, answer, formula, spec
        self.worker = run.worker
        self.run_id = run._run_id

    def run(self):
        from .symbolic import prove_formula

        return prove_formula(self.formula, self.spec, self.worker)
