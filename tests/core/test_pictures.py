"""Pictures: every bundled lesson has one from its first step, and none gives an answer away.

The lessons are walked step by step, typing the engine's values (a design's reference weights,
a formula's expected text); at every state each picture is drawn and checked: it declares only
values the student may see, and no value still to be found appears in it -- as a number drawn in
a diagram's value cells, or as a point of a chart -- unless the same number is also a value the
student may see (a given 0 is not an answer's 0). The same walk checks that every chart is there
from the first step (only the optimizers' comparison waits for the end, by design).

Diagrams are drawn at the text pane's width at 80×24 and at the whole screen's; the deep profile
(``--hypothesis-profile=deep``) also draws them 120 cells wide.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import settings

from nntutor.core.catalog import load_catalog
from nntutor.core.pictures import fmt
from nntutor.core.session import LessonRun

VALUE_TAGS = {"given", "answered", "derived", "todo", "focus", "unasked", "window", "mark", "bad"}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
#: the deep profile (its fuzz counts are the full ones): also the widest screen
DEEP = settings.default.max_examples >= 10_000
WIDTHS = (46, 78, 120) if DEEP else (46, 78)
CATALOG = load_catalog()  # read once: a catalog takes most of a second to load
LESSONS = CATALOG.ids()
#: the charts that come only once a lesson is done
AT_THE_END = {"chart.compare"}


def _typed(run: LessonRun, step) -> str:
    if step.is_choice:  # the right option's letter
        return "abcdef"[step.correct]
    if run.is_formula(step):
        return run.lesson.problem.formulas[step.quantity].expected.text
    value = np.squeeze(np.asarray(run.expected(step), dtype=np.float64))
    if value.ndim == 2:
        return "; ".join(" ".join(repr(float(v)) for v in row) for row in value)
    return " ".join(repr(float(v)) for v in np.atleast_1d(value))


def _states(lesson_id: str):
    """The run before each step and after the last."""
    run = LessonRun(CATALOG.find(lesson_id).lesson, lang="en")
    while True:
        yield run
        if run.current is None:
            return
        step = run.current
        assert run.submit(_typed(run, step)).ok, (lesson_id, step.quantity)


def _known(run: LessonRun) -> set[str]:
    return {s.quantity for s in run.steps if not s.is_choice and (run.is_accepted(s) or run.is_pending(s))}


def _visible(run: LessonRun) -> set[str]:
    """What the student may see, worked out here (not by the code under test): the givens no step
    asks for, what they have typed, and everything once the lesson is done."""
    q = run.lesson.problem.quantities
    if run.complete:
        return set(q)
    return {k for k in q if q[k].is_given and k not in run.asked} | _known(run)


def _texts(values) -> set[str]:
    return {fmt(v) for v in np.atleast_1d(np.asarray(values, dtype=np.float64)).reshape(-1) if np.isfinite(v)}


def _hidden(run: LessonRun) -> dict[str, set[str]]:
    """Each value still to be found, as a picture would write it (formulas are not numbers)."""
    values, problem = run.values(), run.lesson.problem
    return {k: _texts(values[k]) for k in set(run.asked) - _visible(run) if k not in problem.formulas}


def _seen(run: LessonRun) -> set[str]:
    values = run.values()
    return set().union(*(_texts(values[k]) for k in _visible(run)))


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_no_picture_gives_an_answer_away(lesson_id):
    first_charts = None
    for run in _states(lesson_id):
        hidden, seen, visible = _hidden(run), _seen(run), _visible(run)
        where = (lesson_id, run.current.quantity if run.current else "done")
        found = run.pictures()
        assert found, where  # every lesson has a picture at every step
        charts = {p.name for p in found if p.kind == "chart"}
        first_charts = charts if first_charts is None else first_charts
        assert charts - AT_THE_END == first_charts, where  # no chart appears late
        for pic in found:
            for key in pic.shows:  # it draws only what may be seen
                assert key in visible, (*where, pic.name, key)
            if pic.kind == "diagram":
                for avail in WIDTHS:
                    drawing = pic.draw(avail, "en")
                    if avail >= 78:  # the whole width of an 80-column screen, or more
                        assert drawing.width <= avail, (*where, pic.name, avail, drawing.text)
                    numbers = {n for line in drawing.lines for span in line if span.tag in VALUE_TAGS
                               for n in NUMBER.findall(span.text)}
                    for key, texts in hidden.items():
                        leaked = (numbers & texts) - seen
                        assert not leaked, (*where, pic.name, avail, key, leaked, drawing.text)
            else:
                for series in pic.chart.series:
                    if len(series.x) > 40:  # a curve of a function, not data: see Picture.shows
                        continue
                    points = {fmt(v) for v in series.y}
                    for key, texts in hidden.items():
                        leaked = (points & texts) - seen
                        assert not leaked, (*where, pic.name, key, leaked)


@pytest.mark.parametrize("lesson_id", LESSONS)
def test_every_lesson_has_a_diagram_from_its_first_step_that_fits_the_screen(lesson_id):
    run = LessonRun(CATALOG.find(lesson_id).lesson, lang="en")
    diagrams = [p for p in run.pictures() if p.kind == "diagram"]
    assert diagrams
    for pic in diagrams:
        for lang in ("en", "ru"):
            assert pic.title[lang]
            drawing = pic.draw(78, lang)  # the whole width of an 80-column screen
            assert 0 < drawing.width <= 78, (lesson_id, pic.name, lang, drawing.text)
