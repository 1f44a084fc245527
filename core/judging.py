"""How a quantity is judged: by its value, by a formula's equivalence, or by what a design does.

A quantity carries its judge (:attr:`nntutor.core.graph.Quantity.judge`; none means
:data:`BY_VALUE`), so a lesson run has one path for every answer -- ``judge.start(run, step,
answer)`` -- and a problem holds no field for one kind of judging:

- :class:`ByValue` reads numbers, compares them within the step's tolerance (against the
  student's own earlier values, or the exact ones) and diagnoses a wrong value;
- :class:`ByFormula` reads a formula, refutes it numerically at once, and has SymPy prove
  one that agrees (off the screen's thread: ``start`` returns CHECKING with a proof to run);
- :class:`ByDesign` takes the parts of a student-chosen design (the weights of a perceptron)
  one by one and judges the whole by the cases it gets wrong: any working design is right;
- :class:`ByChoice` judges a choice step (a question with options, not a quantity): the
  student names an option, and each option explains itself.

A judge keeps no state of its own: what a student has done lives in the
:class:`~nntutor.core.session.LessonRun` it is handed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

import numpy as np

from .answers import FormatProblem, describe_shape, example_for, read_answer
from .feedback import CHECKING, FORMAT, NOTED, WRONG, Verdict, diagnose, text
from .steps import option_key
from .tolerance import Tolerance, compare

if TYPE_CHECKING:
    from .graph import Problem
    from .lesson import Step
    from .session import LessonRun
    from .symbolic import FormulaSpec


class ByValue:
    """A number, vector or matrix, right within the step's tolerance."""

    def help(self, run: LessonRun, step: Step) -> tuple[str, str | None]:
        """What to type, and an example in that form (never the answer itself: σ′(0) = 0.25)."""
        shape = run.shape(step)
        expected, tol = run.expected(step), step.tolerance()
        whole = self.whole(run, step)
        for mistake in range(4):
            example = example_for(shape, mistake, whole)
            reading = read_answer(example, shape)
            if isinstance(reading, FormatProblem) or not compare(reading, expected, tol).ok:
                break
        return describe_shape(shape, run.lang, whole), example

    def whole(self, run: LessonRun, step: Step) -> bool:
        """The step asks for a count: exact, one number, and a whole one."""
        if not (step.tolerance().exact and run.shape(step) == ()):
            return False
        value = float(run.expected(step))
        return value == round(value)

    def read(self, run: LessonRun, step: Step, answer: str):
        """The student's value, or a Verdict saying why it cannot be read."""
        shape = run.shape(step)
        reading = read_answer(answer, shape)
        if isinstance(reading, FormatProblem):  # read again for the message: the prompt's wording and
            # example (never the answer itself), worked out only when something is wrong
            reading = read_answer(answer, shape, self.whole(run, step), self.help(run, step)[1])
        if isinstance(reading, FormatProblem):
            return Verdict(FORMAT, reading.message.get(run.lang, reading.message["en"]))
        return reading

    def start(self, run: LessonRun, step: Step, answer: str) -> Verdict:
        reading = self.read(run, step, answer)
        if isinstance(reading, Verdict):
            return reading
        shape = run.shape(step)
        values = run.values()
        expected = np.asarray(values[step.quantity]).reshape(shape)
        tol = step.tolerance()
        comparison = compare(reading, expected, tol)
        ok = comparison.ok or self._right_from_exact(run, step, reading, shape, tol)
        read_as = text("read_as", run.lang, reading.shown)
        if not ok:
            why = diagnose(reading, comparison, step.quantity, run.lesson.problem, values, tol, run.lang,
                           _authored(step, shape), steps=run.asked, memo=run.diagnosis_memo)
            run.record_attempt(step, answer, False, why)
            return Verdict(WRONG, text("wrong", run.lang), read_as, why)
        run.record_attempt(step, answer, True)
        return run.accept(step, answer, np.array(reading.value, dtype=np.float64).reshape(shape), read_as)

    @staticmethod
    def _right_from_exact(run: LessonRun, step: Step, reading, shape, tol: Tolerance) -> bool:
        """The value computed from the exact givens, not from the student's rounded earlier answers.

        A value is judged against the student's own accepted values, so that their rounding
        carries forward; a student who kept full precision (or follows the key) is right too.
        """
        if not run.overrides():
            return False
        exact = np.asarray(run.lesson.problem.evaluate()[step.quantity]).reshape(shape)
        return compare(reading, exact, tol).ok


BY_VALUE = ByValue()


def _authored(step: Step, shape) -> list[tuple[np.ndarray, Mapping[str, str]]]:
    """The author's wrong answers for ``step`` that read as values (the checker vets them)."""
    out = []
    for mistake in step.mistakes:
        reading = read_answer(mistake.answer, shape)
        if not isinstance(reading, FormatProblem):
            out.append((reading.value, mistake.message))
    return out


class ByFormula:
    """A formula, right when SymPy proves it equivalent to ``spec``'s; numbers alone only refute
    (or, with no SymPy worker at all -- scripts, tests -- decide)."""

    def __init__(self, spec: FormulaSpec) -> None:
        self.spec = spec

    def help(self, run: LessonRun, step: Step) -> tuple[str, str | None]:
        """What to type; no example (it would give the form of the answer away)."""
        from .symbolic import describe_formula

        return describe_formula(self.spec.symbols, run.lang), None

    def start(self, run: LessonRun, step: Step, answer: str) -> Verdict:
        from .symbolic import check_formula, read_formula, screen_formula

        formula = read_formula(answer, self.spec.symbols)
        if isinstance(formula, FormatProblem):
            return Verdict(FORMAT, formula.message.get(run.lang, formula.message["en"]))
        proof = Proof(run, step, answer, formula, self.spec)
        if run.worker is None:
            return self.conclude(run, proof, check_formula(formula, self.spec))
        screened = screen_formula(formula, self.spec)
        if screened.status == "agrees":
            return Verdict(CHECKING, text("checking", run.lang), proof=proof)
        return self.conclude(run, proof, screened)

    def conclude(self, run: LessonRun, proof: Proof, result) -> Verdict:
        """The verdict once the formula is refuted or proved (``result`` of a check or a proof)."""
        step, answer, formula = proof.step, proof.answer, proof.formula
        if result.status in ("too_complex", "unproven"):  # not the student's mistake: costs no attempt
            return Verdict(FORMAT, result.message.get(run.lang, result.message["en"]))
        read_as = text("read_as", run.lang, _shortened(formula.pretty))
        if not result.ok:
            why = self._authored(step, formula) or result.message
            reason = why.get(run.lang, why["en"])
            run.record_attempt(step, answer, False, reason)
            return Verdict(WRONG, text("wrong", run.lang), read_as, reason)
        run.record_attempt(step, answer, True)
        from .symbolic import formula_value

        value = np.asarray(formula_value(formula, self.spec), dtype=np.float64)
        if not np.all(np.isfinite(value)):
            value = run.expected(step)
        return run.accept(step, answer, value.reshape(run.shape(step)), read_as)

    def _authored(self, step: Step, formula) -> Mapping[str, str] | None:
        """The message of the author's wrong formula that the student's equals (numerically), if any."""
        from .symbolic import check_formula, read_formula

        spec = self.spec
        for mistake in step.mistakes:
            wrong = read_formula(mistake.answer, spec.symbols)
            if not isinstance(wrong, FormatProblem) and check_formula(formula, spec.expecting(wrong, spec.symbols),
                                                                      explain=False).ok:
                return mistake.message
        return None


def _shortened(shown: str, limit: int = 80) -> str:
    """A long formula's echo cut to about one line: the verdict's reason must stay in view."""
    return shown if len(shown) <= limit else shown[:limit - 1].rstrip() + "…"


class Proof:
    """A formula answer waiting for SymPy's proof: ``run()`` blocks (up to a second, more while
    the worker starts) and touches nothing of the lesson, so a screen runs it in a thread."""

    def __init__(self, run: LessonRun, step: Step, answer: str, formula, spec: FormulaSpec) -> None:
        self.step, self.answer, self.formula, self.spec = step, answer, formula, spec
        self.worker = run.worker
        self.run_id = run.run_id

    def run(self):
        from .symbolic import prove_formula

        return prove_formula(self.formula, self.spec, self.worker)


class ByDesign(ByValue):
    """One part of a student-chosen design (``chosen``: every part, in order), judged with the
    rest once all are in: the design is right when the quantity ``check`` -- the numbers of
    the cases it gets wrong -- comes out empty with the student's parts in place."""

    def __init__(self, chosen: tuple[str, ...], check: str) -> None:
        self.chosen, self.check = tuple(chosen), check

    def failed_cases(self, problem: Problem, overrides: Mapping[str, np.ndarray]) -> tuple[int, ...]:
        """The case numbers a design gets wrong (empty: it works); parts not overridden keep the
        problem's reference design."""
        values = problem.evaluate(overrides)
        return tuple(int(i) for i in np.asarray(values[self.check]).reshape(-1))

    def group(self, run: LessonRun, step: Step) -> list[Step]:
        """The run of consecutive steps asking for the design's parts around ``step``."""
        steps = list(run.steps)
        first = last = steps.index(step)
        while first > 0 and steps[first - 1].quantity in self.chosen:
            first -= 1
        while last + 1 < len(steps) and steps[last + 1].quantity in self.chosen:
            last += 1
        return steps[first:last + 1]

    def start(self, run: LessonRun, step: Step, answer: str) -> Verdict:
        reading = self.read(run, step, answer)
        if isinstance(reading, Verdict):
            return reading
        value = np.array(reading.value, dtype=np.float64).reshape(run.shape(step))
        read_as = text("read_as", run.lang, reading.shown)
        group = self.group(run, step)
        if step is not group[-1]:
            run.note(step, answer, value)
            return Verdict(NOTED, text("design_noted", run.lang), read_as)
        overrides = run.overrides()
        overrides[step.quantity] = value
        failed = self.failed_cases(run.lesson.problem, overrides)
        # every part typed is part of the design judged: each has tried once more
        parts = [(s, run.pending_text(s)) for s in group if run.is_pending(s)] + [(step, answer)]
        if failed:
            why = text("design_fails" if len(failed) == 1 else "design_fails_many", run.lang,
                       cases=", ".join(map(str, failed)), first=run.symbol(group[0]))
            for part, typed in parts:
                run.record_attempt(part, typed or "", False, why)
            run.drop_design(group, step, answer)
            return Verdict(WRONG, text("wrong", run.lang), read_as, why)
        for part, typed in parts:
            run.record_attempt(part, typed or "", True)
        return run.accept_design(group, step, answer, value, read_as)


#: the options' labels, in order (a choice step has at most six)
LETTERS = "abcdef"
#: Cyrillic letters that look like a Latin label: what a student on a Russian layout may type
_LOOKALIKE = str.maketrans("асе", "ace")


class ByChoice:
    """One of a choice step's options: the right one is accepted; any pick, right or wrong, is
    answered with that option's own explanation. Its value is the option's number (1 for a)."""

    def help(self, run: LessonRun, step: Step) -> tuple[str, str | None]:
        return text("choose", run.lang, last=LETTERS[len(step.options) - 1]), None

    @staticmethod
    def pick(step: Step, answer: str) -> int | None:
        """The option ``answer`` names -- its letter (``b``, ``b)``), its number, or its own text in
        either language -- or None."""
        typed = option_key(answer).rstrip(")")
        n = len(step.options)
        letter = typed.translate(_LOOKALIKE)
        if len(letter) == 1 and letter in LETTERS[:n]:
            return LETTERS.index(letter)
        try:
            number = float(typed) if len(typed) < 20 else 0.0
        except ValueError:
            number = 0.0
        if 1 <= number <= n and number == int(number):  # 2, or 2.0 as the key writes it
            return int(number) - 1
        for i, option in enumerate(step.options):
            if typed and any(option_key(words) == typed for words in option.text.values()):
                return i
        return None

    def start(self, run: LessonRun, step: Step, answer: str) -> Verdict:
        from dataclasses import replace

        i = self.pick(step, answer)
        if i is None:
            return Verdict(FORMAT, text("choose_again", run.lang, last=LETTERS[len(step.options) - 1]))
        why = step.options[i].why[run.lang]
        read_as = text("read_as", run.lang, LETTERS[i])
        if i != step.correct:
            run.record_attempt(step, answer, False, why)
            return Verdict(WRONG, text("wrong", run.lang), read_as, why)
        run.record_attempt(step, answer, True)
        return replace(run.accept(step, LETTERS[i], np.array(float(i + 1)), read_as), diagnosis=why)


BY_CHOICE = ByChoice()


def judge_of(problem: Problem, key: str):
    """How the quantity ``key`` is judged (:data:`BY_VALUE` unless it says otherwise)."""
    return problem.quantities[key].judge or BY_VALUE
