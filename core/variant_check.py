"""What ``nntutor check`` proves of a lesson's new numbers (``[variants]``, core.variants).

- The text never shows the lesson's own numbers by mistake: a number written in the text,
  a prompt or a hint that equals a value which changes in new numbers -- a varying given, or
  a quantity computed from one -- must be a placeholder. A number that a value which stays
  the same also explains (γ = 1 when only x varies) is fine, and so are 0 and 1, code spans
  (`2 -1`, a typing example), anything inside a placeholder and the numbers the lesson lists as
  ``literal`` (the 2 of a derivative). The check reads the texts as written, placeholders and all.
- Every placeholder names a quantity of the problem.
- A few variants (``nntutor check``: 3; ``--deep``: 50) build, meet their requirements and
  hold finite, hand-sized values (the loader's checks), and the mistakes the operations
  declare stay distinguishable from the right answer: the share that do is the lesson's rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .answers import EXACT_SIG_FIGS, Reading
from .lesson import Issue, Lesson, LessonError, load_lesson, locate, read_toml
from .template import _PLACEHOLDER
from .tolerance import compare

#: variants built by ``nntutor check`` and by ``nntutor check --deep``
QUICK, DEEP = 3, 50
_NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?![\w.]*\d)")
_CODE = re.compile(r"`[^`]*`")
_SHAPE = re.compile(r"\d+(?:\s*×\s*\d+)+")  # a 2×2 matrix: sizes, which new numbers keep


@dataclass(frozen=True)
class VariantReport:
    """How a lesson's variants fared: built, and declared mistakes distinguishable / all."""

    lesson: str
    built: int
    distinct: int
    mistakes: int

    @property
    def rate(self) -> float:
        return self.distinct / self.mistakes if self.mistakes else 1.0

    def __str__(self) -> str:
        return (f"{self.lesson}: {self.built} variant(s) built; declared mistakes distinguishable from the "
                f"right answer in {self.rate:.0%} ({self.distinct} of {self.mistakes})")


def variant_issues(lesson: Lesson, source: str, count: int = QUICK) -> tuple[list[Issue], VariantReport | None]:
    """Issues of ``lesson``'s placeholders and variants, and the report on ``count`` variants."""
    spec = lesson.variants
    if spec is None or (not spec.varies and not spec.fixed):
        return [], None
    issues = _placeholders(lesson, source)
    if not spec.varies:
        return issues, None
    variants: list[Lesson] = []
    for n in range(1, count + 1):
        try:
            variants.append(load_lesson(lesson.path, n))
        except LessonError as exc:
            issues += [Issue(str(lesson.path), i.field, f"variant {n}: {i.message}", i.line) for i in exc.issues]
            break
    issues += _literals(lesson, variants, source)
    distinct = total = 0
    for variant in variants:
        d, t = _distinguishable(variant)
        distinct, total = distinct + d, total + t
    return issues, VariantReport(lesson.id, len(variants), distinct, total)


def _texts(lesson: Lesson):
    """(field, text) of every text a student reads, as the file writes it (placeholders unfilled):
    the problem text, prompts, hints, authored mistakes' messages."""
    data, _source = read_toml(lesson.path)
    for lang, body in (data.get("text") or {}).items():
        yield f"text.{lang}", str(body)
    for n, step in enumerate(data.get("steps") or [], start=1):
        for lang, prompt in (step.get("prompt") or {}).items():
            yield f"steps[{n}].prompt.{lang}", str(prompt)
        for lang, hints in (step.get("hints") or {}).items():
            for k, hint in enumerate(hints, start=1):
                yield f"steps[{n}].hints.{lang}[{k}]", str(hint)
        for k, option in enumerate(step.get("options") or [], start=1):
            for part in ("text", "why"):
                for lang, words in (option.get(part) or {}).items():
                    yield f"steps[{n}].options[{k}].{part}.{lang}", str(words)
        for k, mistake in enumerate(step.get("mistakes") or [], start=1):
            if not _PLACEHOLDER.search(str(mistake.get("answer", ""))):
                continue  # a mistake typed in numbers only shows in the lesson's own numbers
            for lang, message in (mistake.get("message") or {}).items():
                yield f"steps[{n}].mistakes[{k}].message.{lang}", str(message)


def _placeholders(lesson: Lesson, source: str) -> list[Issue]:
    """A placeholder left unfilled names no quantity (the loader fills every one it can)."""
    issues = []
    for field, text in _texts(lesson):
        for match in _PLACEHOLDER.finditer(_CODE.sub("", text)):
            if match[1].strip("()").partition(":")[0].partition("[")[0] in lesson.problem:
                continue
            issues.append(Issue(str(lesson.path), field,
                                f"{match[0]} names no quantity of the problem (it has: "
                                f"{', '.join(list(lesson.problem.keys())[:12])}…)", locate(source, field)))
    return issues


def _literals(lesson: Lesson, variants: list[Lesson], source: str) -> list[Issue]:
    """Numbers written out that new numbers would leave behind."""
    own = lesson.problem.evaluate()
    others = [v.problem.evaluate() for v in variants]
    moving: dict[float, str] = {}
    staying: set[float] = set()
    for key, value in own.items():
        changes = any(not np.array_equal(np.asarray(o[key]), np.asarray(value)) for o in others)
        for index, entry in np.ndenumerate(np.asarray(value, dtype=np.float64)):
            if not np.isfinite(entry):
                continue
            if changes:
                where = f"{key}[{','.join(map(str, index))}]" if index else key
                moving.setdefault(float(entry), where)
            else:
                staying.add(float(entry))
    staying |= set(lesson.variants.literal)
    issues = []
    for field, text in _texts(lesson):
        plain = _SHAPE.sub(" ", _PLACEHOLDER.sub(" ", _CODE.sub(" ", text)))
        for match in _NUMBER.finditer(plain):
            literal = match[0].replace("−", "-")
            number = float(literal)
            if number in (0.0, 1.0, -1.0):
                continue
            decimals = len(literal.partition(".")[2])
            hit = next((where for value, where in moving.items() if _written(value, number, decimals)), None)
            if hit is None or any(_written(value, number, decimals) for value in staying):
                continue
            issues.append(Issue(str(lesson.path), field,
                                f"the number {match[0]} is {hit} in the lesson's own numbers, which new numbers "
                                f"change: write {{{hit}}} (or a placeholder for what it is)",
                                locate(source, field)))
            break  # one per text is enough to find the rest
    return issues


def _written(value: float, number: float, decimals: int) -> bool:
    """``number`` (with ``decimals`` digits after the point) is how a text writes ``value``: a
    whole number only for a whole value (5 is not L = 5.0003), a decimal rounded as written."""
    if decimals == 0:
        return abs(value - number) < 1e-9
    return round(value, decimals) == number


def _distinguishable(lesson: Lesson) -> tuple[int, int]:
    """(declared mistakes whose value differs from the right one, all declared mistakes) over
    the lesson's steps, in its numbers."""
    problem = lesson.problem
    values = problem.evaluate()
    distinct = total = 0
    for step in lesson.steps:
        if step.is_choice:
            continue
        right = np.asarray(values[step.quantity])
        tol = step.tolerance()
        for _mistake, wrong in problem.mistake_values(step.quantity, values):
            total += 1
            if wrong.shape != right.shape or not compare(_reading(wrong), right, tol).ok:
                distinct += 1
    return distinct, total


def _reading(value: np.ndarray) -> Reading:
    """A value as if a student had typed it exactly (no rounding implied)."""
    value = np.asarray(value, dtype=np.float64)
    return Reading(value, np.ones(value.shape, dtype=bool), np.zeros(value.shape), np.full(value.shape, EXACT_SIG_FIGS),
                   "", False)
