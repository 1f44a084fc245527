"""Progress as history: completions survive starting over, every variant is kept apart, attempts
keep their diagnosis, and a database made by the previous schema keeps everything it held."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from nntutor.core import progress_file
from nntutor.core.lesson import load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "lessons" / "4-backprop" / "layer-by-layer.toml"


def _schema_2_file(path: Path) -> None:
    """A progress file exactly as the schema-2 code wrote it: its two migrations, and rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    for statements in progress_file._MIGRATIONS[:2]:
        for sql in statements:
            conn.execute(sql)
    conn.execute("PRAGMA user_version = 2")
    at = "2026-12-01T10:00:00.000+00:00"
    conn.execute("INSERT INTO lessons(lesson, run, completed_at) VALUES ('sgd#abc', 0, ?)", (at,))
    conn.execute("INSERT INTO lessons(lesson, run, completed_at) VALUES ('adam#def', 1, NULL)")
    conn.execute("INSERT INTO accepted(lesson, step, text, value, at) VALUES ('adam#def', 'w1', '0.9', "
                 "'{\"shape\": [], \"data\": [0.9]}', ?)", (at,))
    conn.execute("INSERT INTO attempts(lesson, step, run, text, correct, at) VALUES ('adam#def', 'w1', 1, '1', 0, ?)",
                 (at,))
    conn.execute("INSERT INTO settings(name, value) VALUES ('theme', 'nord')")
    conn.close()


def test_a_schema_2_file_keeps_its_completions_values_attempts_and_settings(tmp_path):
    path = tmp_path / "progress.sqlite3"
    _schema_2_file(path)
    with ProgressStore(path) as store:
        assert store.notice is None
        assert store.completions() == {"sgd": 1}
        assert store.completed_lessons() == {"sgd#abc"}
        assert store.accepted_counts() == {"adam#def": 1}
        assert store.attempts("adam#def", "w1") == [("1", False, None)]
        assert store.setting("theme") == "nord"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == progress_file.SCHEMA_VERSION
    conn.close()


def test_starting_over_keeps_the_completion_and_a_second_completion_is_added(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        store.accept("l#1", "a", "1", np.array(1.0))
        store.complete("l#1")
        store.reset_lesson("l#1")
        assert not store.is_complete("l#1")
        assert store.completions() == {"l": 1}  # the home screen still shows it done
        store.accept("l#1", "a", "1", np.array(1.0))
        store.complete("l#1")
        assert store.completions() == {"l": 1}  # one variant, completed twice
        store.complete("l#2", variant=4)
        assert store.completions() == {"l": 2}


def _typed(value) -> str:
    value = np.asarray(value)
    if value.ndim == 2:
        return "; ".join(" ".join(f"{v:.10g}" for v in row) for row in value)
    return " ".join(f"{v:.10g}" for v in np.atleast_1d(value).reshape(-1))


def _solve(run: LessonRun, wrong_first: set[str] = frozenset(), reveal: set[str] = frozenset()) -> None:
    while run.current is not None:
        step = run.current
        if step.quantity in wrong_first:
            assert not run.submit(_typed(np.asarray(run.expected(step)) + 7)).ok
        if step.quantity in reveal:
            while run.next_hint() is not None:
                pass
        assert run.submit(_typed(run.expected(step))).ok


def test_a_finished_variant_is_summarised_and_kept_apart_from_the_own_numbers(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(load_lesson(LAYER, 3), store, "en")
        _solve(run, wrong_first={"z1", "L"}, reveal={"a1"})
        summary = run.summary()
        n = len(run.steps)
        assert summary.steps == n and summary.wrong == 2 and summary.revealed == 1
        assert summary.first_try == n - 3  # two wrong first, one with hints
        assert store.variants_seen("layer-by-layer") == {3}
        assert store.completions() == {"layer-by-layer": 1}
        own = LessonRun(load_lesson(LAYER), store, "en")
        assert own.current.quantity == "z1"
        assert store.variants_seen("layer-by-layer") == {3}  # nothing typed in the own numbers yet


def test_a_wrong_answer_is_kept_with_the_diagnosis_the_student_read(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(load_lesson(LAYER), store, "en")
        verdict = run.submit("3 -1")
        assert not verdict.ok
        ((typed, ok, why),) = run.attempts(run.current)
        assert typed == "3 -1" and not ok and why == verdict.diagnosis


def test_skills_count_first_tries_per_operation(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(load_lesson(LAYER), store, "en")
        _solve(run, wrong_first={"a1"})
        skills = store.skills()
        ops = {run.skill(s) for s in run.steps} - {""}
        assert set(skills) == ops
        a1 = next(s for s in run.steps if s.quantity == "a1")
        if run.skill(a1):
            right, tried = skills[run.skill(a1)]
            assert right < tried


def test_review_lists_lessons_whose_latest_run_had_misses_until_a_clean_run(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        run = LessonRun(load_lesson(LAYER), store, "en")
        _solve(run, wrong_first={"z1"}, reveal={"L"})
        assert store.review() == {"layer-by-layer": (1, 1)}
        again = LessonRun(load_lesson(LAYER, 2), store, "en")
        _solve(again)  # new numbers, all right at once: nothing left to review
        assert store.review() == {}


def test_a_lesson_whose_numbers_changed_says_so_once_and_starts_afresh(tmp_path):
    import dataclasses

    with ProgressStore(tmp_path / "p.sqlite3") as store:
        old = load_lesson(LAYER)
        run = LessonRun(old, store, "en")
        assert run.notice is None
        assert run.submit(_typed(run.expected(run.current))).ok
        edited = dataclasses.replace(old, fingerprint="0123456789ab")  # an author changed its numbers
        again = LessonRun(edited, store, "ru")
        assert again.notice and "изменились" in again.notice
        assert again.current is again.steps[0]
        assert again.submit(_typed(again.expected(again.current))).ok
        assert LessonRun(edited, store, "en").notice is None  # said once: the new version has work now
        assert LessonRun(load_lesson(LAYER, 3), store, "en").notice is None  # another variant is not a change
