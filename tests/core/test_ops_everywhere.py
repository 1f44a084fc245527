"""A slip is declared once, by its operation, and named wherever the operation appears.

Every bundled lesson is walked step by step typing each declared mistake's value: each one that
differs from the right value must be named with its own message (``walk_mistakes``). And the
slips that used to be named in one kind and missed in the next are pinned where they were missed.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from nntutor.core.answers import format_value
from nntutor.core.catalog import load_catalog
from nntutor.core.session import LessonRun
from tests.support import walk_mistakes

CATALOG = load_catalog()
IDS = [e.id for e in CATALOG.entries() if e.lesson is not None
       and all(q.judge is None for q in e.lesson.problem.quantities.values())]  # judged by value


@pytest.mark.parametrize("lesson_id", IDS)
def test_every_declared_slip_is_named_in_every_bundled_lesson(lesson_id):
    """The operations' own slips, in each bundled lesson as it stands (the author's wrong answers
    are set aside: they come first by design, and the checker vets them)."""
    lesson = CATALOG.find(lesson_id).lesson
    lesson = replace(lesson, steps=tuple(replace(step, mistakes=()) for step in lesson.steps))
    walk_mistakes(lesson, "en", 10)


def _run_to(lesson_id: str, quantity: str) -> LessonRun:
    run = LessonRun(CATALOG.find(lesson_id).lesson)
    while run.current.quantity != quantity:
        assert run.submit(format_value(run.expected(run.current), 12)).ok
    return run


def test_the_rnn_names_a_dropped_half_as_gradient_descent_does():
    run = _run_to("exploding-clipping", "L")
    value = 2 * np.asarray(run.expected(run.current))  # ½ dropped: L = Σ(s₃ − y)² instead of ½Σ(…)²
    assert run.submit(format_value(value, 12)).diagnosis.startswith("You dropped the ½")


def test_the_rnn_names_a_mean_where_the_losses_over_time_steps_are_summed():
    """rnn-forward sums the three steps' cross-entropies: an average is named, as in dense lessons."""
    run = _run_to("rnn-forward", "L")
    value = np.asarray(run.expected(run.current)) / 3
    assert run.submit(format_value(value, 12)).diagnosis.startswith("You averaged the losses; this lesson sums them")
