"""Every bundled lesson loads and is solved by the engine; broken lessons are rejected precisely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nntutor.core.catalog import lessons_dir, load_catalog
from nntutor.core.checker import check_catalog, check_paths
from nntutor.core.key import answer_key
from nntutor.core.lesson import LessonError, load_lesson

FIXTURES = Path(__file__).parent / "fixtures"
REAL = lessons_dir() / "4-backprop" / "layer-by-layer.toml"


def test_bundled_course_is_clean():
    count, issues = check_catalog()
    assert count >= 1
    assert issues == []


def test_every_listed_lesson_has_every_step_computable():
    catalog = load_catalog()
    for entry in catalog.entries():
        lesson = entry.lesson
        assert lesson is not None, entry.issues
        values = lesson.problem.evaluate()
        for step in lesson.steps:
            assert step.prompt["en"] and step.prompt["ru"]
            if not step.is_choice:
                assert np.all(np.isfinite(values[step.quantity])), (lesson.id, step.id)


def test_layer_by_layer_key_is_the_engine_solution():
    lesson = load_lesson(REAL)
    key = answer_key(lesson)
    steps = {s["quantity"]: s["value"] for s in key["steps"]}
    values = lesson.problem.evaluate()
    assert list(steps) == [s.quantity for s in lesson.steps]
    for quantity, value in steps.items():
        np.testing.assert_array_equal(np.asarray(value), values[quantity])
    assert {q["key"] for q in key["quantities"]} == set(lesson.problem.keys())


# fixture -> (field, words the message must contain, line)
BROKEN = {
    "bad_toml.toml": ("", "not valid TOML", 5),
    "unknown_quantity.toml": ("steps[6].quantity", "did you mean 'grad.W2'", 102),
    "missing_ru_prompt.toml": ("steps[8].prompt.ru", "missing", 123),
    "wrong_author_answer.toml": ("steps[1].answer", "disagrees with the engine", 61),
    "bad_layer_shape.toml": ("problem.layers[2].W", "needs 2 rows", 56),
    "unknown_activation.toml": ("problem.layers[1].activation", "'rectifier'", 53),
    "no_half.toml": ("problem.half", "½", None),
    "wrong_version.toml": ("format_version", "format_version = 1", 1),
    "duplicate_step.toml": ("steps[2].quantity", "already asked", 74),
    "hints_mismatch.toml": ("steps[2].hints", "give each hint in both", 77),
    "unknown_field.toml": ("problem.lerning_rate", "unknown field", 43),
    "mistake_is_right.toml": ("steps[3].mistakes[1].answer", "is the right answer", 88),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_checker_rejects_broken_fixture_precisely(name):
    field, words, line = BROKEN[name]
    issues = check_paths([FIXTURES / name])
    assert issues, f"{name} was accepted"
    first = issues[0]
    assert first.file.endswith(name)
    assert first.field == field
    assert words in first.message
    if line is not None:
        assert first.line == line
    assert str(first).startswith(str(FIXTURES / name))


def test_every_fixture_is_in_the_table():
    assert {p.name for p in FIXTURES.glob("*.toml")} == set(BROKEN)


def test_fixtures_differ_from_the_real_lesson_by_their_fault_only():
    # The real lesson passes: every rejection above is due to the planted fault.
    assert check_paths([REAL]) == []


def test_unreadable_and_missing_files(tmp_path):
    with pytest.raises(LessonError) as info:
        load_lesson(tmp_path / "nope.toml")
    assert "cannot read" in str(info.value)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LessonError) as info:
        load_lesson(binary)
    assert "UTF-8" in str(info.value)


def test_check_command_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "nntutor.tui", "check"], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([sys.executable, "-m", "nntutor.tui", "check", str(FIXTURES / "unknown_quantity.toml"),
                          str(REAL)], capture_output=True, text=True)
    assert bad.returncode == 1
    assert "steps[6].quantity" in bad.stdout
    assert "1 with errors" in bad.stderr


def test_a_broken_lesson_does_not_break_the_catalog(tmp_path):
    root = tmp_path / "lessons"
    (root / "u").mkdir(parents=True)
    (root / "index.toml").write_text(
        'format_version = 1\n[[units]]\nid = "backprop"\ndir = "u"\ntitle.en = "U"\ntitle.ru = "У"\n'
        'lessons = ["layer-by-layer", "broken"]\n', encoding="utf-8")
    (root / "u" / "layer-by-layer.toml").write_text(REAL.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "u" / "broken.toml").write_text("this is = not = toml", encoding="utf-8")
    catalog = load_catalog(root)
    entries = list(catalog.entries())
    assert entries[0].lesson is not None
    assert entries[1].lesson is None and "not valid TOML" in entries[1].issues[0].message


def _as_typed(value: np.ndarray, digits: int) -> str:
    """A value written the way a student types it, each number to ``digits`` significant figures."""
    from nntutor.core.answers import format_value

    value = np.squeeze(np.asarray(value, dtype=np.float64))
    if value.ndim == 2:
        return "; ".join(" ".join(format_value(v, digits) for v in row) for row in value)
    return " ".join(format_value(v, digits) for v in np.atleast_1d(value))


@pytest.mark.parametrize("digits", [4, 3])
def test_a_student_typing_rounded_values_completes_every_bundled_lesson(digits):
    """Every step accepts the value a student computes from their own earlier (rounded) answers:
    a lesson must not trap someone who rounds to 3 or 4 significant figures (a step that subtracts
    two nearly equal numbers would)."""
    from nntutor.core.session import LessonRun

    for entry in load_catalog().entries():
        lesson = entry.lesson
        run = LessonRun(lesson, lang="en")
        while run.current is not None:
            step = run.current
            if run.is_formula(step):
                typed = lesson.problem.formulas[step.quantity].expected.text
            else:
                typed = _as_typed(run.expected(step), digits)
            verdict = run.submit(typed)
            assert verdict.ok, (lesson.id, step.id, typed, verdict.message, verdict.diagnosis)
        assert run.complete, lesson.id


def test_a_code_block_without_a_language_is_reported(tmp_path):
    source = REAL.read_text(encoding="utf-8")
    broken = source.replace('en = """\n', 'en = """\n```\nz = x·W\n```\n', 1)
    assert broken != source
    path = tmp_path / "layer-by-layer.toml"
    path.write_text(broken, encoding="utf-8")
    issues = check_paths([path])
    assert [i.field for i in issues] == ["text.en"]
    assert "```text" in issues[0].message
    path.write_text(broken.replace("```\nz = x·W", "```text\nz = x·W"), encoding="utf-8")
    assert check_paths([path]) == []


def test_the_shipped_lesson_metadata_is_current():
    """lessons/meta.json spares the home screen parsing every lesson; regenerate it with
    `python -m nntutor.core.catalog` after editing a bundled lesson."""
    from nntutor.core.catalog import META, shipped_meta

    assert (lessons_dir() / META).read_text(encoding="utf-8") == shipped_meta(), \
        "lessons/meta.json is stale: run python -m nntutor.core.catalog"


def test_a_lesson_edited_after_the_metadata_was_written_is_read_from_its_file(tmp_path):
    import shutil

    from nntutor.core.catalog import META, shipped_meta

    root = tmp_path / "lessons"
    shutil.copytree(lessons_dir(), root)
    (root / META).write_text(shipped_meta(root), encoding="utf-8")
    path = root / "4-backprop" / "layer-by-layer.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('title.en = "Backprop layer by layer"',
                                                             'title.en = "Backprop, one layer at a time"'),
                    encoding="utf-8")
    entry = load_catalog(root, light=True).find("layer-by-layer")
    assert entry.meta.title["en"] == "Backprop, one layer at a time"
    assert entry.meta == load_catalog(root).find("layer-by-layer").meta
    (root / META).write_text("{not json", encoding="utf-8")  # a damaged file costs time, not correctness
    assert load_catalog(root, light=True).find("layer-by-layer").meta.title["en"] == "Backprop, one layer at a time"
