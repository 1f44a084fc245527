"""The authoring checker behind ``nntutor check``: every issue in a set of lessons."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import numpy as np

from .answers import FormatProblem, format_value, read_answer
from .catalog import Catalog, load_catalog
from .lesson import Issue, Lesson, LessonError, load_lesson, locate
from .tolerance import Tolerance, compare


def check_lesson(lesson: Lesson) -> list[Issue]:
    """Issues a loaded lesson still has: author answers the engine disagrees with."""
    issues: list[Issue] = []
    source = _source(lesson.path)
    values = lesson.problem.evaluate()
    for n, step in enumerate(lesson.steps, start=1):
        expected = np.asarray(values[step.quantity])
        tol = Tolerance(rel=step.rel if step.rel is not None else Tolerance.rel, exact=step.exact)
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


def coinciding_mistakes(lesson: Lesson) -> list[str]:
    """Per step, the declared mistakes that give the right value for this lesson's numbers.

    Such a mistake can never be told apart from a right answer, so it is never shown;
    a teacher may want to change the numbers (γ = 1 hides "forgot the learning rate").
    """
    notes = []
    values = lesson.problem.evaluate()
    for n, step in enumerate(lesson.steps, start=1):
        expected = np.asarray(values[step.quantity]).reshape(-1)
        for variant, value in lesson.problem.variant_values(step.quantity, values):
            if value.size == expected.size and np.allclose(value.reshape(-1), expected, rtol=1e-9, atol=0):
                notes.append(f"{lesson.path}: steps[{n}] ({step.quantity}): the mistake "
                             f"{variant.name!r} gives the right value here, so it cannot be diagnosed")
    return notes


def check_paths(paths: Iterable[Path]) -> list[Issue]:
    issues: list[Issue] = []
    for path in paths:
        try:
            lesson = load_lesson(path)
        except LessonError as exc:
            issues.extend(exc.issues)
            continue
        issues.extend(check_lesson(lesson))
    return issues


def check_catalog(catalog: Catalog | None = None) -> tuple[int, list[Issue]]:
    """(number of lessons checked, issues) for the bundled course."""
    catalog = catalog or load_catalog()
    issues = list(catalog.issues)
    count = 0
    for entry in catalog.entries():
        count += 1
        if entry.lesson is None:
            issues.extend(entry.issues)
        else:
            issues.extend(check_lesson(entry.lesson))
    return count, issues


def _source(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""
