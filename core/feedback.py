"""Verdicts and diagnoses: what a wrong value most likely is.

A wrong value is compared with the quantities a student meets on the way to it ("that is
z₁, the pre-activation") and with generic slips (sign, rounding, coarse rounding, some
entries right). Each finding is a short message in the student's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Collection, Mapping, Sequence

import numpy as np

from . import diagnoses
from .answers import Reading, format_value
from .i18n import Messages
from .graph import Problem
from .tolerance import Comparison, Tolerance, compare, rounded_like

CORRECT, WRONG, FORMAT = "correct", "wrong", "format"
NOTED = "noted"  # a part of a weight design, taken now and judged with the rest
CHECKING = "checking"  # a formula that no sample point refutes, waiting for its proof (Verdict.proof)


@dataclass(frozen=True)
class Verdict:
    """The answer to one submission, already in the student's language."""

    status: str
    message: str
    read_as: str | None = None
    diagnosis: str | None = None
    lesson_complete: bool = False
    #: with CHECKING: run it (it may take a second; off the screen's thread) and hand its result
    #: to ``LessonRun.conclude``
    proof: Any = None

    @property
    def ok(self) -> bool:
        """The step is done (accepted, or noted as part of a design) and the lesson moves on."""
        return self.status in (CORRECT, NOTED)


_T = Messages({
    "correct": {"en": "Correct.", "ru": "Верно."},
    "wrong": {"en": "Not quite.", "ru": "Пока неверно."},
    "read_as": {"en": "read as {0}", "ru": "прочитано как {0}"},
    "is_other": {"en": "That is {sym}, {meaning}: this step asks for {want}.",
                 "ru": "Это {sym} — {meaning}, а в этом шаге нужно {want}."},
    "or_else": {"en": "{0} Another slip gives the same value: {1}",
                "ru": "{0} То же значение даёт и другая ошибка: {1}"},
    "sign": {"en": "The sign is flipped: check each minus on the way (a difference, a step, a derivative).",
             "ru": "Знак перепутан: проверьте каждый минус по пути (разность, шаг, производная)."},
    "sign_entries": {"en": "{right} of {total} entries are right; the sign is flipped: look again at {where}.",
                     "ru": "Верно {right} из {total} компонент; знак перепутан, проверьте {where}."},
    "whole": {"en": "The answer here is a whole number.", "ru": "Здесь ответ — целое число."},
    "coarse": {"en": "Close, but give at least {n} significant figures.",
               "ru": "Близко, но дайте хотя бы {n} значащие цифры."},
    "rounding": {"en": "Very close: check the rounding. To the digits you typed it is {0}.",
                 "ru": "Очень близко: проверьте округление. С вашей точностью это {0}."},
    "some_right": {"en": "{right} of {total} entries are right; look again at {where}.",
                   "ru": "Верно {right} из {total} компонент; проверьте {where}."},
    "one_right": {"en": "1 of {total} entries is right; look again at {where}.",
                  "ru": "Верна 1 из {total} компонент; проверьте {where}."},
    "entry": {"en": "entry {0} (counting from 1)", "ru": "компоненту {0} (считая с 1)"},
    "entries": {"en": "entries {0} (counting from 1)", "ru": "компоненты {0} (считая с 1)"},
    "cell": {"en": "the entry in {0} (counting from 1)", "ru": "компоненту в {0} (считая с 1)"},
    "cells": {"en": "the entries in {0} (counting from 1)", "ru": "компоненты в {0} (считая с 1)"},
    "row_col": {"en": "row {0}, column {1}", "ru": "строке {0}, столбце {1}"},
    "more": {"en": " and {0} more", "ru": " и ещё {0}"},
    "complete": {"en": "Lesson complete!", "ru": "Урок пройден!"},
    "checking": {"en": "Checking…", "ru": "Проверяю…"},
    "choose": {"en": "one option: its letter, a–{last}", "ru": "один вариант: его буква, a–{last}"},
    "choose_again": {"en": "Type the letter of one option (a–{last}), its number or its text.",
                     "ru": "Введите букву одного варианта (a–{last}), его номер или его текст."},
    "moved_on": {"en": "The lesson moved on while that formula was checked: it was not counted.",
                 "ru": "Пока формула проверялась, урок ушёл дальше: она не засчитана."},
    "design_noted": {"en": "Noted. The design is checked once all its weights are in.",
                     "ru": "Записано. Конструкцию проверим, когда будут введены все её веса."},
    "design_ok": {"en": "Correct: your design gets every case right.",
                  "ru": "Верно: ваша конструкция правильна во всех случаях."},
    "design_fails": {"en": "Your design gets case {cases} wrong. Enter its weights again from {first}.",
                     "ru": "Ваша конструкция ошибается в случае {cases}. Введите веса заново, начиная с {first}."},
    "design_fails_many": {"en": "Your design gets cases {cases} wrong. Enter its weights again from {first}.",
                          "ru": "Ваша конструкция ошибается в случаях {cases}. Введите веса заново, начиная с {first}."},
    "transposed": {"en": "That is the transpose: rows and columns are swapped.",
                   "ru": "Это транспонированная матрица: строки и столбцы поменялись местами."},
})


def coincides(value: np.ndarray, expected: np.ndarray) -> bool:
    """The same value for these numbers: such a mistake (or other quantity) cannot be told
    apart from the right answer, so it is never named."""
    value, expected = np.asarray(value), np.asarray(expected)
    return value.size == expected.size and np.allclose(value.reshape(-1), expected.reshape(-1), rtol=1e-9, atol=0)


def text(key: str, lang: str, *args, **kwargs) -> str:
    """A feedback message in ``lang`` (falls back to English)."""
    return _T(key, lang, *args, **kwargs)


def judge(reading: Reading, expected: np.ndarray, tol: Tolerance) -> Comparison:
    return compare(reading, expected, tol)


def diagnose(reading: Reading, comparison: Comparison, quantity: str, problem: Problem,
             values: Mapping[str, np.ndarray], tol: Tolerance, lang: str,
             authored: Sequence[tuple[np.ndarray, Mapping[str, str]]] = (),
             steps: Collection[str] | None = None, memo: dict | None = None) -> str | None:
    """The most specific explanation of a wrong value, or None.

    In order: the lesson author's own wrong answers, the mistakes the operation declares, a
    transposed matrix, a flipped sign, the general diagnoses (``core.diagnoses``: a constant
    factor with its cause, an exponent or power slip, a stale input, a misread given, a count
    one off), a quantity met on the way (one it is computed from, or one computed from it),
    a constant factor without a cause, then generic slips (a whole number expected, coarse
    rounding, rounding, some entries).

    ``steps``: the quantities the lesson's steps ask for; a quantity none of them asks for
    (and not a given) is never named, since the student has not met it.
    """
    expected = np.asarray(values[quantity])
    want = problem.quantities[quantity].symbol
    for value, message in authored:
        if compare(reading, np.asarray(value).reshape(expected.shape), tol).ok:
            return message.get(lang, message["en"])
    # (a) a mistake the operation declares (sign of the step, a forgotten derivative, …)
    # Two slips can give the same number (with ½ and a mean over m = 2, forgetting the ½ and
    # forgetting 1/m both give Ŷ − Y): then both are named, not just the first declared.
    matched: list[str] = []
    for mistake, value in problem.mistake_values(quantity, values):
        if value.size != expected.size or coincides(value, expected):
            continue  # a mistake equal to the right answer for these numbers never fires
        if compare(reading, value.reshape(expected.shape), tol).ok:
            message = mistake.message.get(lang, mistake.message["en"])
            if message not in matched:
                matched.append(message)
    if matched:
        return matched[0] if len(matched) == 1 else text("or_else", lang, matched[0], _go_on(matched[1]))
    # (a′) a square matrix typed transposed (a non-square one is refused by its shape, and said so)
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] > 1 and not coincides(expected.T, expected) \
            and compare(reading, expected.T, tol).ok:
        return text("transposed", lang)
    # (b) a flipped sign: the commonest slip, and said plainly even when −value is some other quantity
    if np.any(expected != 0) and compare(reading, -expected, tol).ok:
        return text("sign", lang)
    # (b′) causes no operation declared, found from the graph: a factor with its cause, a power
    # slip, a stale input, a misread given, a count one off -- each more specific than (c)
    case = diagnoses.Case(reading, expected, quantity, problem, values, tol, lang,
                          None if steps is None else frozenset(steps), {} if memo is None else memo)
    for general in diagnoses.SPECIFIC:
        found = general(case)
        if found:
            return found
    # (c) another quantity the student meets on the way: one this value is computed from, or one
    # computed straight from it (a step too far); never a later, unrelated one, nor one the
    # student has not met, nor one that merely shares a trivial value (0, 1, ½) with the answer
    # unless it is the direct input of this step (the last operation left out)
    direct = problem.quantities[quantity].deps
    for key in _nearby(problem, quantity):
        other = np.asarray(values[key])
        if other.size != expected.size or coincides(other, expected) or not case.may_name(key):
            continue
        if diagnoses.trivial(other) and (key not in direct or problem.quantities[key].is_given):
            continue
        if compare(reading, other.reshape(expected.shape), tol).ok:
            q = problem.quantities[key]
            return text("is_other", lang, sym=q.symbol, meaning=q.meaning.get(lang, q.meaning["en"]), want=want)
    # (c′) a given left out; a factor 2, ½, n or 1/n with no cause in view
    found = diagnoses.left_out(case) or diagnoses.plain_factor(case)
    if found:
        return found
    # (d) generic slips
    typed = np.asarray(reading.value, dtype=np.float64).reshape(-1)
    if tol.exact and np.all(expected == np.round(expected)) and np.any(typed != np.round(typed)):
        return text("whole", lang)
    # "close" only when the typed digits can hold the value: 1 for ½ or for ⅓ is no rounding of it
    close = _digits_hold(np.asarray(reading.decimals).reshape(-1), expected.reshape(-1),
                         np.asarray(comparison.element_ok).reshape(-1))
    if comparison.too_coarse and not comparison.rounding_slip and close:
        return text("coarse", lang, n=tol.min_sig_figs)
    if comparison.rounding_slip and close:
        flat_e = expected.reshape(-1)
        flat_d = np.asarray(reading.decimals).reshape(-1)
        bad = np.flatnonzero(~np.asarray(comparison.element_ok).reshape(-1))
        shown = ", ".join(rounded_like(float(flat_e[i]), int(flat_d[i])) for i in bad[:4])
        return text("rounding", lang, shown)
    ok = np.asarray(comparison.element_ok).reshape(-1)
    if expected.size > 1 and ok.any():
        wrong = np.flatnonzero(~ok)
        bad = [_entry_name(i, expected.shape, lang) for i in wrong]
        matrix = len(expected.shape) == 2 and 1 not in expected.shape
        single, several = ("cell", "cells") if matrix else ("entry", "entries")
        listed = ("; " if matrix else ", ").join(bad[:6]) + (text("more", lang, len(bad) - 6) if len(bad) > 6 else "")
        where = text(single if len(bad) == 1 else several, lang, listed)
        flipped = np.asarray(compare(reading, -expected, tol).element_ok).reshape(-1)
        if flipped[wrong].all() and np.all(expected.reshape(-1)[wrong] != 0):
            return text("sign_entries", lang, right=int(ok.sum()), total=expected.size, where=where)
        if int(ok.sum()) == 1:
            return text("one_right", lang, total=expected.size, where=where)
        return text("some_right", lang, right=int(ok.sum()), total=expected.size, where=where)
    return None


def _digits_hold(decimals: np.ndarray, expected: np.ndarray, element_ok: np.ndarray) -> bool:
    """Every entry judged wrong was typed to a last digit no coarser than the value itself
    (0.4 for 0.356, 2 for 1.6; not 1 for 0.5, where a rounding would say nothing of the value)."""
    wrong = ~element_ok
    unit = 10.0 ** -decimals[wrong].astype(np.float64)
    return bool(np.all(unit <= np.abs(expected[wrong])))


def _go_on(message: str) -> str:
    """A message carried on after a colon: "You dropped …" → "you dropped …" (not "ReLU", "L")."""
    return message[0].lower() + message[1:] if message[1:2].islower() else message


def _nearby(problem: Problem, quantity: str) -> list[str]:
    """The quantities a wrong value is compared with: every one ``quantity`` is computed from
    (its ancestors, givens included) and those computed directly from it, in problem order,
    the computed ones first."""
    qs = problem.quantities
    ancestors: set[str] = set()
    todo = list(qs[quantity].deps)
    while todo:
        key = todo.pop()
        if key not in ancestors:
            ancestors.add(key)
            todo.extend(qs[key].deps)
    children = {key for key, q in qs.items() if quantity in q.deps}
    met = [key for key in qs if key in ancestors or key in children]
    # a computed value before a given one: when z₁ = U = 0.5, "that is z₁" is the likelier slip
    return [k for k in met if not qs[k].is_given] + [k for k in met if qs[k].is_given]


def _entry_name(flat_index: int, shape: tuple[int, ...], lang: str = "en") -> str:
    """Where an entry sits, counting from 1: "3", "row 1, column 3", or "(1, 2, 3)" beyond matrices
    (a lesson's formulas may count from 0, so the words say how they count)."""
    if len(shape) <= 1 or (len(shape) == 2 and 1 in shape):
        return str(flat_index + 1)
    idx = [int(i) + 1 for i in np.unravel_index(flat_index, shape)]
    if len(shape) == 2:
        return text("row_col", lang, *idx)
    return "(" + ", ".join(map(str, idx)) + ")"


def show_value(value: np.ndarray) -> str:
    return format_value(np.asarray(value))
