"""Helpers shared by tests."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from hypothesis import settings

from nntutor.core.answers import FormatProblem, format_value, read_answer
from nntutor.core.feedback import _go_on, coincides
from nntutor.core.kinds import build_problem
from nntutor.core.lesson import Lesson, lesson_from_data
from nntutor.core.session import LessonRun
from nntutor.core.tolerance import compare


def fuzz(deep: int, default: int = 300) -> settings:
    """Hypothesis settings for a fuzz test: ``deep`` examples under ``--hypothesis-profile=deep``,
    ``default`` otherwise (the everyday run stays within minutes)."""
    return settings(max_examples=deep if settings.default.max_examples >= deep else default, deadline=None)


class TooMuchWork(AssertionError):
    pass


def bounded(limit: int, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, failing if it makes more than ``limit`` function calls (Python or C).

    Tests bound work by counting, never by the clock: a loaded machine cannot fail them.
    """
    calls = 0

    def profile(_frame, event, _arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1
            if calls > limit:
                sys.setprofile(None)
                raise TooMuchWork(f"more than {limit} calls")

    sys.setprofile(profile)
    try:
        return fn(*args, **kwargs)
    finally:
        sys.setprofile(None)


def every_step_lesson(case: str, problem: dict) -> Lesson:
    """A lesson asking for every derived quantity of ``problem``, in the graph's order."""
    keys = [k for k, q in build_problem(problem).quantities.items() if not q.is_given]
    data = {"format_version": 1, "id": case, "unit": "tests", "title": {"en": "t", "ru": "т"},
            "text": {"en": "t", "ru": "т"}, "problem": problem,
            "steps": [{"quantity": k, "prompt": {"en": k, "ru": k}} for k in keys]}
    return lesson_from_data(data, Path(f"{case}.toml"))


def walk_mistakes(lesson: Lesson, lang: str, digits: int, all_computable: bool = False) -> set[tuple[str, str]]:
    """Go through ``lesson`` typing every declared mistake of each step, then the right value.

    Asserts that each mistake that differs from the right value is judged wrong with its own
    message (or the first declared mistake giving the same number), that a mistake equal to
    the right value is simply right, and that the right value gets no diagnosis. Returns the
    (quantity, mistake name) of each mistake that fired with its own message.
    ``all_computable``: also demand that every declared mistake computes at every step.
    """
    problem = lesson.problem
    run = LessonRun(lesson, lang=lang)
    fired: set[tuple[str, str]] = set()
    for step in lesson.steps:
        where = (lesson.id, step.quantity)
        assert run.current is step
        if step.is_choice:  # a question with options declares no mistakes: its value picks the right one
            assert run.submit(format_value(run.expected(step), 12)).ok, (lesson.id, step.id)
            continue
        values = run.values()
        right = np.asarray(values[step.quantity])
        tol = run.tolerance(step)
        declared = problem.mistake_values(step.quantity, values)
        if all_computable:
            assert len(declared) == len(problem.quantities[step.quantity].mistakes), where
        for v, value in declared:
            assert value.size == right.size, (*where, v.name)
            assert v.message[lang].strip(), (*where, v.name, lang)
        live = [(v, value) for v, value in declared if not coincides(value, right)]
        dead = [(v, value) for v, value in declared if coincides(value, right)]
        live_messages = {v.message[lang] for v, _ in live}
        for v, value in live:
            typed = format_value(value, digits)
            reading = read_answer(typed, right.shape)
            assert not isinstance(reading, FormatProblem), (*where, v.name, typed)
            if compare(reading, right, tol).ok:
                continue  # within the tolerance of the right value: accepted, so no diagnosis can be asked of it
            verdict = run.submit(typed)
            assert verdict.status == "wrong", (*where, v.name, typed)
            matched = [u for u, u_value in live if compare(reading, u_value.reshape(right.shape), tol).ok]
            distinct = list(dict.fromkeys(u.message[lang] for u in matched))
            first = matched[0]
            # the first declared mistake giving this number leads; a second one giving it too is named after it
            assert verdict.diagnosis.startswith(first.message[lang]), (*where, v.name, typed)
            # (the second carries on after a colon, its first letter lowered: "… same value: you dropped …")
            assert all(m in verdict.diagnosis for m in [distinct[0], *map(_go_on, distinct[1:2])]), \
                (*where, v.name, typed)
            assert verdict.diagnosis not in {u.message[lang] for u, _ in dead} - live_messages
            if v.message[lang] in distinct[:2]:
                fired.add((step.quantity, v.name))
        for v, value in dead:  # a mistake equal to the right value is simply right
            reading = read_answer(format_value(value, digits), right.shape)
            assert compare(reading, right, tol).ok, (*where, v.name)
        verdict = run.submit(format_value(right, 12))
        assert verdict.status == "correct" and verdict.diagnosis is None, where
    assert run.complete
    return fired
