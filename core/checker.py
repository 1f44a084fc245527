"""The authoring checker behind ``nntutor check``: every issue in a set of lessons."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np

from .answers import FormatProblem, format_value, read_answer
from .catalog import Catalog, load_catalog
from .feedback import coincides
from .lesson import Issue, Lesson, LessonError, load_lesson, locate
from .tolerance import accepted_digits, compare
from .validate import value_issues
from .variant_check import QUICK, variant_issues


def check_lesson(lesson: Lesson, variants: int = QUICK, reports: list | None = None) -> list[Issue]:
    """Issues a loaded lesson still has: author answers the engine disagrees with, texts that
    promise a precision the steps do not enforce, numbers new ones would leave behind, and the
    first ``variants`` variants that fail (core.variant_check; their report goes to ``reports``)."""
    issues: list[Issue] = []
    source = _source(lesson.path)
    issues += precision_promises(lesson, source)
    found, report = variant_issues(lesson, source, variants)
    issues += found
    if report is not None and reports is not None:
        reports.append(report)
    for lang, body in lesson.text.items():
        for line in _unlabelled_fences(body):
            issues.append(Issue(str(lesson.path), f"text.{lang}",
                                f"line {line} of the text opens a code block without a language: write ```text "
                                "(a block without one makes the terminal load every highlighter, ~0.5 s)",
                                locate(source, f"text.{lang}")))
    # the loader refuses these already; a Lesson made some other way is held to the same
    broken = value_issues(lesson.problem, lesson.problem_data)
    if broken:  # the author's answers cannot be compared with values that are not there
        return issues + [Issue(str(lesson.path), field, message, locate(source, field)) for field, message in broken]
    values = lesson.problem.evaluate()
    for n, step in enumerate(lesson.steps, start=1):
        if step.is_choice:  # the loader checked its options; there is no value to compare
            continue
        if step.quantity in lesson.problem.formulas:
            issues.extend(_check_formula_step(lesson, n, step, source))
            continue
        expected = np.asarray(values[step.quantity])
        tol = step.tolerance()
        for k, mistake in enumerate(step.mistakes, start=1):
            field = f"steps[{n}].mistakes[{k}].answer"
            reading = read_answer(mistake.answer, expected.shape)
            if isinstance(reading, FormatProblem):
                issues.append(Issue(str(lesson.path), field, f"cannot be read: {reading.message['en']}",
                                    locate(source, field)))
            elif compare(reading, expected, tol).ok:
                issues.append(Issue(str(lesson.path), field,
                                    f"{mistake.answer!r} is the right answer ({step.quantity} = "
                                    f"{format_value(expected)}), so this message would never show",
                                    locate(source, field)))
        if step.answer is None:
            continue
        field = f"steps[{n}].answer"
        reading = read_answer(step.answer, expected.shape)
        if isinstance(reading, FormatProblem):
            issues.append(Issue(str(lesson.path), field, f"cannot be read: {reading.message['en']}",
                                locate(source, field)))
            continue
        if not compare(reading, expected, tol).ok:
            issues.append(Issue(str(lesson.path), field,
                                f"the author's answer {step.answer!r} disagrees with the engine, which "
                                f"computes {step.quantity} = {format_value(expected)}", locate(source, field)))
    return issues


# "4 significant digits", "four significant figures", "4 значащие цифры", "четырёх значащих цифр"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
          "ten": 10, "одн": 1, "дв": 2, "тр": 3, "четыр": 4, "пят": 5, "шест": 6, "сем": 7, "восьм": 8,
          "восем": 8, "девят": 9, "десят": 10}
_PROMISE = re.compile(r"(\d+|[a-zа-яё]+)\s+(?:significant\s+(?:digit|figure)|значащ)", re.IGNORECASE)


def _promised_digits(text: str) -> int | None:
    """The most significant digits a text asks for ("keep 4 significant digits"), or None."""
    found = []
    for match in _PROMISE.finditer(text):
        word = match.group(1).lower()
        if word.isdigit():
            found.append(int(word))
            continue
        stem = next((stem for stem in sorted(_WORDS, key=len, reverse=True)
                     if word == stem or (not stem.isascii() and word.startswith(stem))), None)
        if stem is not None:
            found.append(_WORDS[stem])
    return max(found) if found else None


def precision_promises(lesson: Lesson, source: str | None = None) -> list[Issue]:
    """A text or prompt that asks for more significant digits than its step enforces: the
    student reads "keep 4 significant digits", types 0.73 and is told it is right."""
    source = _source(lesson.path) if source is None else source
    issues = []
    numeric = [(n, step) for n, step in enumerate(lesson.steps, start=1)
               if not step.is_choice and step.quantity not in lesson.problem.formulas and not step.tolerance().exact]
    for lang, body in lesson.text.items():
        promised = _promised_digits(body)
        loose = [(n, step, accepted_digits(step.tolerance())) for n, step in numeric]
        loose = [item for item in loose if promised is not None and item[2] < promised]
        if loose:
            n, step, got = loose[0]
            issues.append(Issue(str(lesson.path), f"text.{lang}",
                                f"the text asks for {promised} significant digits, but steps[{n}] ({step.quantity}) "
                                f"and {len(loose) - 1} more accept {got}: say what the steps accept, or set their "
                                f"tolerance (min_sig_figs = {promised}, rel = {0.5 * 10.0 ** (1 - promised):g})",
                                locate(source, f"text.{lang}")))
    for n, step in numeric:
        got = accepted_digits(step.tolerance())
        for lang, prompt in step.prompt.items():
            promised = _promised_digits(prompt)
            if promised is not None and got < promised:
                field = f"steps[{n}].prompt.{lang}"
                issues.append(Issue(str(lesson.path), field,
                                    f"the prompt asks for {promised} significant digits, but the step accepts {got}",
                                    locate(source, f"steps[{n}].prompt")))
    return issues


def _unlabelled_fences(text: str) -> list[int]:
    """Line numbers (from 1) of fenced code blocks opened without a language."""
    out, inside = [], None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        fence = stripped[:3] if stripped[:3] in ("```", "~~~") else None
        if fence is None:
            continue
        if inside is None:
            inside = fence
            if not stripped[3:].strip(fence[0]).strip():
                out.append(n)
        elif fence == inside and not stripped[3:].strip(fence[0]).strip():
            inside = None
    return out


def _check_formula_step(lesson: Lesson, n: int, step, source: str) -> list[Issue]:
    """Author answers and mistakes of a formula step, checked at random points (no SymPy)."""
    from .symbolic import check_formula, read_formula

    spec = lesson.problem.formulas[step.quantity]
    issues = []
    typed = [(f"steps[{n}].answer", step.answer, True)] if step.answer is not None else []
    typed += [(f"steps[{n}].mistakes[{k}].answer", m.answer, False) for k, m in enumerate(step.mistakes, start=1)]
    for field, text, should_match in typed:
        formula = read_formula(text, spec.symbols)
        if isinstance(formula, FormatProblem):
            issues.append(Issue(str(lesson.path), field, f"cannot be read: {formula.message['en']}",
                                locate(source, field)))
            continue
        equal = check_formula(formula, spec, None, explain=False).ok
        if equal != should_match:
            why = ("is not equivalent to the engine's formula" if should_match
                   else "is equivalent to the right formula, so this message would never show")
            issues.append(Issue(str(lesson.path), field, f"{text!r} {why} ({lesson.problem.quantities[step.quantity].formula})",
                                locate(source, field)))
    return issues


def coinciding_mistakes(lesson: Lesson) -> list[str]:
    """Per step, the declared mistakes that give the right value for this lesson's numbers,
    and values so small that 0 is accepted for them.

    Such a mistake can never be told apart from a right answer, so it is never shown;
    a teacher may want to change the numbers (γ = 1 hides "forgot the learning rate").
    """
    notes = []
    values = lesson.problem.evaluate()
    for n, step in enumerate(lesson.steps, start=1):
        if step.is_choice or step.quantity in lesson.problem.formulas:
            continue  # a choice or a formula step declares no numeric mistakes
        expected = np.asarray(values[step.quantity]).reshape(-1)
        tol = step.tolerance()
        if not tol.exact and ((expected != 0) & (np.abs(expected) <= tol.abs)).any():
            notes.append(f"{lesson.path}: steps[{n}] ({step.quantity}): {format_value(expected)} has an entry "
                         f"within {tol.abs:g} of 0, so 0 is accepted for it; if the student must give the "
                         "tiny value itself, add tolerance = { abs = 0 } to the step")
        for mistake, value in lesson.problem.mistake_values(step.quantity, values):
            if coincides(value, expected):
                notes.append(f"{lesson.path}: steps[{n}] ({step.quantity}): the mistake "
                             f"{mistake.name!r} gives the right value here, so it cannot be diagnosed")
    return notes


def check_paths(paths: Iterable[Path], variants: int = QUICK, reports: list | None = None) -> list[Issue]:
    issues: list[Issue] = []
    for path in paths:
        try:
            lesson = load_lesson(path)
        except LessonError as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(_checked(lesson, variants, reports))
    return issues


def _checked(lesson: Lesson, variants: int = QUICK, reports: list | None = None) -> list[Issue]:
    """check_lesson, with a slip of the checker itself reported as an issue of the file, not a traceback."""
    try:
        return check_lesson(lesson, variants, reports)
    except Exception as exc:  # noqa: BLE001 -- one lesson must never stop the check of the others
        return [Issue(str(lesson.path), "", f"nntutor could not check this lesson ({type(exc).__name__}: {exc}); "
                                            "please report it with the file")]


def check_catalog(catalog: Catalog | None = None, variants: int = QUICK,
                  reports: list | None = None) -> tuple[int, list[Issue]]:
    """(number of lessons checked, issues) for the bundled course."""
    catalog = catalog or load_catalog()
    issues = list(catalog.issues)
    count = 0
    for entry in catalog.entries():
        count += 1
        if entry.lesson is None:
            issues.extend(entry.issues)
        else:
            issues.extend(_checked(entry.lesson, variants, reports))
    return count, issues


def _source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
