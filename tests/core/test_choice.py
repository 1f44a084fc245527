"""The choice step: a question with options between computed steps, each option explaining itself."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nntutor.core.feedback import CORRECT, FORMAT, WRONG
from nntutor.core.key import answer_key, render_key
from nntutor.core.lesson import LessonError, load_lesson, read_meta
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

LESSON = """
format_version = 1
id = "choice-demo"
unit = "outputs"
title.en = "Choice demo"
title.ru = "Пример выбора"
[text]
en = "The sigmoid at t = {t}."
ru = "Сигмоида в точке t = {t}."
[variants]
vary = [{ given = "values.t", values = [1, 2, 3] }]
[problem]
kind = "graph_expr"
expression = "ln(sigmoid(t))"
values = { t = 2 }
[[steps]]
quantity = "v2"
prompt.en = "σ({t})."
prompt.ru = "σ({t})."
[[steps]]
id = "limit"
prompt.en = "What does σ(t) tend to as t → +∞?"
prompt.ru = "К чему стремится σ(t) при t → +∞?"
hints.en = ["e^(−t) → 0."]
hints.ru = ["e^(−t) → 0."]
{options}
[[steps]]
quantity = "v3"
prompt.en = "ln σ({t})."
prompt.ru = "ln σ({t})."
"""

OPTIONS = """
[[steps.options]]
text.en = "0"
text.ru = "0"
why.en = "That is the limit at −∞: e^(−t) grows without bound there."
why.ru = "Это предел при −∞: там e^(−t) неограниченно растёт."
[[steps.options]]
text.en = "1"
text.ru = "1"
correct = true
why.en = "e^(−t) → 0, so σ(t) = 1/(1 + e^(−t)) → 1, above σ({t})."
why.ru = "e^(−t) → 0, поэтому σ(t) = 1/(1 + e^(−t)) → 1, выше σ({t})."
[[steps.options]]
text.en = "it has no limit"
text.ru = "предела нет"
why.en = "σ is increasing and bounded by 1, so it has one."
why.ru = "σ возрастает и ограничена единицей, значит, предел есть."
"""


def write(tmp_path, options: str = OPTIONS, name: str = "lesson.toml"):
    path = tmp_path / name
    path.write_text(LESSON.replace("{options}", options), encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    s = ProgressStore(tmp_path / "progress.db")
    yield s
    s.close()


def test_a_choice_step_sits_between_computed_steps_and_explains_each_pick(tmp_path, store):
    run = LessonRun(load_lesson(write(tmp_path)), store, "en")
    assert run.submit("0.8808").status == CORRECT
    step = run.current
    assert step.is_choice and run.symbol(step) == "choice"
    assert run.options(step) == ["a) 0", "b) 1", "c) it has no limit"]
    wrong = run.submit("a")
    assert wrong.status == WRONG and "limit at −∞" in wrong.diagnosis and "a)" in wrong.read_as
    assert run.current is step  # a wrong pick keeps the question
    right = run.submit("B)")
    assert right.status == CORRECT and "σ(2)" in right.diagnosis  # the right option's own why, filled
    assert run.current.quantity == "v3"
    assert run.accepted_text(step) == "b) 1"
    # the choice feeds no quantity: the next value is the engine's own
    assert run.submit(str(np.log(1 / (1 + np.exp(-2))))).status == CORRECT
    assert run.complete


@pytest.mark.parametrize("typed", ["b", "B", "2", "1", " 1. ", "b)"])
def test_an_option_is_named_by_letter_number_or_its_own_text(tmp_path, typed):
    run = LessonRun(load_lesson(write(tmp_path)), None, "en")
    run.submit("0.8808")
    # "1" is both the second option's text and the first option's number: the number wins
    verdict = run.submit(typed)
    expected = WRONG if typed.strip(" .") == "1" else CORRECT
    assert verdict.status == expected


def test_a_russian_student_may_type_the_option_text_or_a_cyrillic_lookalike_letter(tmp_path):
    run = LessonRun(load_lesson(write(tmp_path)), None, "ru")
    run.submit("0.8808")
    verdict = run.submit("предела нет")
    assert verdict.status == WRONG and "ограничена" in verdict.diagnosis
    assert run.submit("с").status == WRONG  # Cyrillic с reads as c
    assert run.submit("б").status == FORMAT  # not a label: said how to answer, costs nothing


def test_something_that_names_no_option_is_refused_with_how_to_answer(tmp_path, store):
    run = LessonRun(load_lesson(write(tmp_path)), store, "en")
    run.submit("0.8808")
    for typed in ["d", "7", "maybe", ""]:
        verdict = run.submit(typed)
        assert verdict.status == FORMAT and "a–c" in verdict.message
    assert store.attempts(run.key, "limit") == []  # a malformed answer is not a wrong attempt


def test_the_last_hint_reveals_the_right_option_and_why(tmp_path):
    run = LessonRun(load_lesson(write(tmp_path)), None, "en")
    run.submit("0.8808")
    assert run.next_hint() == "e^(−t) → 0."
    worked = run.next_hint()
    assert worked.startswith("The answer: b) 1.") and "σ(t) = 1/(1 + e^(−t)) → 1" in worked
    assert run.revealed(run.current)


def test_a_pick_is_saved_and_restored_like_any_accepted_step(tmp_path, store):
    path = write(tmp_path)
    run = LessonRun(load_lesson(path), store, "en")
    run.submit("0.8808")
    run.submit("b")
    again = LessonRun(load_lesson(path), store, "ru")
    assert again.current.quantity == "v3"
    assert again.accepted_text(again.lesson.step("limit")) == "b) 1"


def test_new_numbers_fill_the_options_too(tmp_path):
    lesson = load_lesson(write(tmp_path), variant=1)
    t = float(lesson.problem.evaluate()["t"])
    why = lesson.step("limit").options[1].why["en"]
    assert f"σ({t:g})" in why


def test_the_key_names_the_right_option(tmp_path):
    lesson = load_lesson(write(tmp_path))
    data = json.loads(json.dumps(answer_key(lesson)))
    step = data["steps"][1]
    assert step["quantity"] is None and step["choice"] == "b" and len(step["options"]) == 3
    assert "  2. choice: b) 1" in render_key(data, "en")
    assert "  2. выбор: b) 1" in render_key(data, "ru")


def test_the_home_screen_reads_the_same_fingerprint_as_the_lesson(tmp_path):
    path = write(tmp_path)
    assert read_meta(path).fingerprint == load_lesson(path).fingerprint
    assert read_meta(path).steps == 3
    # which option is right decides the step: changing it starts the lesson afresh
    moved = OPTIONS.replace("correct = true\n", "").replace('text.ru = "0"\n', 'text.ru = "0"\ncorrect = true\n', 1)
    other = write(tmp_path, moved, "moved.toml")
    assert load_lesson(other).fingerprint != load_lesson(path).fingerprint


@pytest.mark.parametrize("options, field, says", [
    ("", "steps[2].quantity", "or give [[steps.options]]"),
    ('[[steps.options]]\ntext.en = "x"\ntext.ru = "x"\nwhy.en = "x"\nwhy.ru = "x"\ncorrect = true\n',
     "steps[2].options", "2 to 6"),
    (OPTIONS.replace("correct = true\n", ""), "steps[2].options", "exactly one option"),
    (OPTIONS.replace('text.en = "it has no limit"', 'text.en = "1"'), "steps[2].options[3].text.en",
     "the same as option 2"),
    (OPTIONS.replace('why.en = "σ is increasing and bounded by 1, so it has one."\n', ""),
     "steps[2].options[3].why.en", "missing"),
    (OPTIONS + '[[steps.options]]\ntext.en = "x"\ntext.ru = "x"\nwhy.en = "x"\nwhy.ru = "x"\nweight = 2\n',
     "steps[2].options[4]", "must be a table"),
    ("quantity = \"v2\"\n" + OPTIONS, "steps[2].quantity", "not a field of a choice step"),
])
def test_a_broken_choice_is_refused_naming_the_field(tmp_path, options, field, says):
    with pytest.raises(LessonError) as caught:
        load_lesson(write(tmp_path, options))
    found = [i for i in caught.value.issues if i.field == field]
    assert found and says in found[0].message, caught.value.issues


def test_a_lesson_of_choices_alone_is_refused(tmp_path):
    text = LESSON.replace("{options}", OPTIONS)
    head, _, rest = text.partition("[[steps]]\nquantity = \"v2\"")
    only = head + "[[steps]]\nid = \"limit\"" + rest.partition("[[steps]]\nid = \"limit\"")[2].partition(
        "[[steps]]\nquantity = \"v3\"")[0]
    path = tmp_path / "only.toml"
    path.write_text(only, encoding="utf-8")
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    assert any("at least one step that asks for a value" in i.message for i in caught.value.issues)


@pytest.mark.parametrize("typed", ["nan", "inf", "-inf", "1e999", "2.5", "-1", "9" * 500])
def test_odd_numbers_name_no_option(tmp_path, typed):
    run = LessonRun(load_lesson(write(tmp_path)), None, "en")
    run.submit("0.8808")
    assert run.submit(typed).status == FORMAT


def test_the_value_of_a_choice_is_the_right_options_number(tmp_path):
    run = LessonRun(load_lesson(write(tmp_path)), None, "en")
    run.submit("0.8808")
    assert float(run.expected(run.current)) == 2.0
    assert run.submit("2.0").status == CORRECT  # as a script writes the key's value
