"""LessonRun: what a student's submissions do, independent of any screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nntutor.core.catalog import load_catalog
from nntutor.core.judging import ByDesign
from nntutor.core.lesson import load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

KIND_LESSONS = Path(__file__).parents[1] / "lessons" / "kinds"


SIGMOID_LESSON = """
format_version = 1
id = "sigmoid-net"
unit = "tests"
title.en = "t"
title.ru = "т"
[text]
en = "t"
ru = "т"
[problem]
kind = "dense"
x = [1, 2]
y = 1
loss = "squared"
half = true
learning_rate = 0.5
[[problem.layers]]
W = [[0.3, -0.2], [0.1, 0.4]]
activation = "sigmoid"
[[problem.layers]]
W = [0.7, -0.5]
activation = "identity"
"""
STEPS = ["z1", "a1", "y_hat", "L", "grad.y_hat", "grad.W2", "grad.z1", "W1.next"]


def _typed(value: np.ndarray, decimals: int) -> str:
    rows = np.atleast_2d(np.round(value, decimals)) if value.ndim == 2 else [np.atleast_1d(np.round(value, decimals))]
    return "; ".join(" ".join(f"{v:.{decimals}f}" for v in row) for row in rows)


def test_error_carried_forward_judges_later_steps_by_the_students_rounding(tmp_path):
    path = tmp_path / "sigmoid.toml"
    path.write_text(SIGMOID_LESSON + "".join(
        f'[[steps]]\nquantity = "{q}"\nprompt.en = "p"\nprompt.ru = "п"\n' for q in STEPS), encoding="utf-8")
    lesson = load_lesson(path)
    run = LessonRun(lesson)
    accepted = {}
    for step in lesson.steps:
        expected = run.expected(step)
        # the expectation is the engine's value computed from the student's accepted values
        np.testing.assert_array_equal(expected, lesson.problem.evaluate(accepted)[step.quantity])
        typed = _typed(expected, 2)
        assert run.submit(typed).ok, (step.id, typed)
        accepted[step.quantity] = np.round(expected, 2)
    assert run.complete
    # and that differs from full precision: a student who rounded to 2 decimals throughout
    # would have been marked wrong on the last step without error carried forward
    last = STEPS[-1]
    full = lesson.problem.evaluate()[last]
    carried = lesson.problem.evaluate({k: v for k, v in accepted.items() if k != last})[last]
    assert np.max(np.abs(np.round(carried, 2) - np.round(full, 2))) > 0


def test_design_any_working_xor_passes_and_a_failing_one_reopens_the_design(tmp_path):
    lesson = load_lesson(KIND_LESSONS / "design.toml")
    store = ProgressStore(tmp_path / "p.sqlite3")
    run = LessonRun(lesson, store, "en")
    chosen = [s for s in lesson.steps if isinstance(lesson.problem.quantities[s.quantity].judge, ByDesign)]
    assert [s.quantity for s in chosen] == ["W1", "b1", "W2", "b2"]
    # a design different from the lesson's reference: OR and AND units, output OR − AND > 0
    design = {"W1": "1 1; 1 1", "b1": "-0.5 -1.5", "W2": "1 -2", "b2": "-0.5"}
    broken = {"W1": "1 1; 1 1", "b1": "-0.5 -1.5", "W2": "1 1", "b2": "-0.5"}  # plain OR: fails case 4
    for s in chosen[:-1]:
        verdict = run.submit(broken[s.quantity])
        assert verdict.status == "noted", verdict
    verdict = run.submit(broken["b2"])
    assert verdict.status == "wrong" and "4" in verdict.diagnosis
    assert run.current is chosen[0]  # back to the start of the design, nothing accepted
    assert run.previous_text(chosen[0]) == "1 1; 1 1"
    assert store.steps(run.key) == {} or all(r.value is None for r in store.steps(run.key).values())
    for s in chosen:
        verdict = run.submit(design[s.quantity])
    assert verdict.status == "correct", verdict
    assert {s.id for s in chosen} <= {sid for sid, r in store.steps(run.key).items() if r.value is not None}
    # the summary counts every part of the design: each was wrong once (the design failed), then right
    assert all([ok for _typed, ok, _why in run.attempts(s)] == [False, True] for s in chosen)
    assert run.summary().wrong == len(chosen)
    store.close()


def test_a_design_right_at_once_counts_every_part_right_at_the_first_try(tmp_path):
    lesson = load_catalog().find("xor-relu").lesson
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(lesson, store, "en")
        while run.current is not None:
            value = np.atleast_2d(run.expected(run.current))
            assert run.submit("; ".join(" ".join(str(float(v)) for v in row) for row in value)).ok
        got = run.summary()
        assert (got.first_try, got.wrong) == (len(lesson.steps), 0)


def test_hints_end_with_the_engine_value_and_persist(tmp_path):
    lesson = load_catalog().find("layer-by-layer").lesson
    path = tmp_path / "p.sqlite3"
    with ProgressStore(path) as store:
        run = LessonRun(lesson, store, "en")
        first = run.next_hint()
        assert first == lesson.steps[0].hints["en"][0]
    with ProgressStore(path) as store:
        run = LessonRun(lesson, store, "en")
        assert run.hints_shown(lesson.steps[0]) == [first]
        while (hint := run.next_hint()) is not None:
            last = hint
        assert "[2, -1]" in last


def test_format_problems_cost_no_attempt(tmp_path):
    lesson = load_catalog().find("layer-by-layer").lesson
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(lesson, store, "en")
        assert run.submit("1 2 3").status == "format"
        assert run.submit("").status == "format"
        assert run.submit("3 -1").status == "wrong"
        assert store.steps(run.key)["z1"].attempts == 1


def test_an_authors_wrong_answer_gets_the_authors_message():
    lesson = load_catalog().find("layer-by-layer").lesson
    run = LessonRun(lesson, lang="ru")
    assert run.submit("2 -1").ok and run.submit("2 0").ok
    verdict = run.submit("0")
    step = lesson.step("y_hat")
    assert verdict.status == "wrong"
    assert verdict.diagnosis == step.mistakes[0].message["ru"]


FORMULA_MISTAKE_LESSON = """
format_version = 1
id = "formula-mistake"
unit = "tests"
title.en = "t"
title.ru = "т"
[text]
en = "t"
ru = "т"
[problem]
kind = "formula"
[problem.symbols]
t = [-4, 4]
[problem.targets.flip]
formula = "1 - s"
where = { s = "sigmoid(t)" }
means = "sigmoid(-t)"
[[steps]]
quantity = "flip"
prompt.en = "σ(−t) in terms of s."
prompt.ru = "σ(−t) через s."
[[steps.mistakes]]
answer = "-s"
message.en = "The sigmoid is not odd."
message.ru = "Сигмоида не нечётная."
"""


def test_a_formula_steps_authored_mistake_gets_the_authors_message(tmp_path):
    path = tmp_path / "formula-mistake.toml"
    path.write_text(FORMULA_MISTAKE_LESSON, encoding="utf-8")
    run = LessonRun(load_lesson(path), lang="ru")
    # the author's wrong formula in another form still matches it; another wrong one does not
    verdict = run.submit("-1*s + 0")
    assert verdict.status == "wrong" and verdict.diagnosis == "Сигмоида не нечётная."
    other = run.submit("s")
    assert other.status == "wrong" and other.diagnosis != "Сигмоида не нечётная."
    assert run.submit("1 - s").ok


def test_a_step_with_no_absolute_floor_refuses_0_for_a_tiny_value():
    from dataclasses import replace

    lesson = load_catalog().find("dropout").lesson
    lesson_step = next(s for s in lesson.steps if s.quantity == "off1")
    assert lesson_step.tolerance().abs == 0  # the bundled lesson asks for the value itself
    step = replace(lesson_step, abs=None)  # the default floor
    value = float(LessonRun(lesson).expected(step))
    assert 0 < value < 1e-9  # (1/2)^300: a probability far below the default floor
    strict = replace(step, abs=0.0)
    assert step.tolerance().abs > value and strict.tolerance().abs == 0
    from nntutor.core.answers import read_answer
    from nntutor.core.tolerance import compare
    assert compare(read_answer("0", ()), value, step.tolerance()).ok
    assert not compare(read_answer("0", ()), value, strict.tolerance()).ok
    assert compare(read_answer(f"{value:.3e}", ()), value, strict.tolerance()).ok


def test_tolerance_table_is_checked(tmp_path):
    from nntutor.core.lesson import LessonError

    text = SIGMOID_LESSON + '[[steps]]\nquantity = "z1"\nprompt.en = "z"\nprompt.ru = "z"\ntolerance = { abs = -1 }\n'
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_lesson(path)
    except LessonError as error:
        assert any("steps[1].tolerance" in str(i) and "abs" in str(i) for i in error.issues)
    else:
        raise AssertionError("a negative abs was accepted")
    path.write_text(text.replace("abs = -1", "abs = 0, rel = 0.01"), encoding="utf-8")
    step = load_lesson(path).steps[0]
    assert (step.tolerance().abs, step.tolerance().rel) == (0.0, 0.01)


def test_the_typing_example_is_never_the_answer():
    """σ′(0) = 0.25 is the usual example for a number: that step shows another one."""
    from nntutor.core.answers import example_for

    lesson = load_catalog().find("sigmoid-at-zero").lesson
    run = LessonRun(lesson)
    seen = 0
    while run.current is not None:
        step = run.current
        _, example = run.answer_help(step)
        shape = tuple(np.shape(run.expected(step)))
        if np.allclose(run.expected(step), 0.25):
            seen += 1
            assert example != example_for(shape) and example == example_for(shape, 1)
            # nor does a message about a malformed answer give it away
            message = run.submit("abc").message
            assert f"e.g. {example}" in message and f"e.g. {example_for(shape)}" not in message, message
        assert not run.submit(example).ok, (step.id, example)
        assert run.submit(repr(float(np.asarray(run.expected(step)).reshape(-1)[0]))
                          if np.size(run.expected(step)) == 1 else
                          " ".join(repr(float(v)) for v in np.ravel(run.expected(step)))).ok
    assert seen == 1


def test_a_count_asks_for_a_whole_number_and_shows_one():
    """receptive-field's answers are exact counts: the answer line says so, in both languages."""
    lesson = load_catalog().find("receptive-field").lesson
    for lang, words in (("en", "a whole number"), ("ru", "целое число")):
        run = LessonRun(lesson, lang=lang)
        step = run.current
        assert step.exact
        what, example = run.answer_help(step)
        assert what == words
        assert float(example) == int(example) and not run.submit(example).ok
        verdict = run.submit("3.5")
        assert verdict.status == "wrong" and verdict.diagnosis == ("The answer here is a whole number." if lang == "en"
                                                                   else "Здесь ответ — целое число.")
        assert words in run.submit("abc").message  # a malformed answer is told the same


def test_after_a_rounded_answer_the_exact_value_is_right_too_and_the_worked_value_says_both(tmp_path):
    """A student who rounded ŷ to 2 significant figures is judged by their rounding; one who then
    types the loss from the exact values (as the key shows it) is right as well, and the last hint
    gives the carried value with the exact one beside it."""
    lesson = load_catalog().find("softmax-logloss").lesson
    run = LessonRun(lesson, lang="en")
    y_hat = run.current
    rounded = np.array([float(f"{v:.2g}") for v in run.expected(y_hat).reshape(-1)])
    assert run.submit(" ".join(str(float(v)) for v in rounded)).ok
    loss = run.current
    carried = float(run.expected(loss))
    exact = float(lesson.problem.evaluate()[loss.quantity])
    assert f"{carried:.3g}" != f"{exact:.3g}"  # the rounding moved the loss at the third figure
    while (hint := run.next_hint()) is not None:
        last = hint
    assert f"= {carried:.4g}" in last and f"from the exact values it is {exact:.4g}" in last, last
    other = LessonRun(lesson, lang="en")
    assert other.submit(" ".join(str(float(v)) for v in rounded)).ok
    assert other.submit(f"{exact:.3g}").ok  # the key's value, to 3 figures
    assert run.submit(f"{carried:.3g}").ok  # and the carried one
