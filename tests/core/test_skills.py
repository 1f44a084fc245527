"""Skills: each step's operation, scored by first tries across lessons, weakest first."""

from __future__ import annotations

from nntutor.core import skills
from nntutor.core.catalog import load_catalog
from nntutor.core.progress import ProgressStore
from nntutor.core.session import LessonRun

from .test_progress_history import _solve

CATALOG = load_catalog()


def _lesson_with_ops():
    """A bundled lesson whose steps practise at least two different operations."""
    for entry in CATALOG.entries():
        ops = {entry.lesson.problem.quantities[s.quantity].op for s in entry.lesson.steps} - {""}
        if len(ops) >= 2:
            return entry.lesson, sorted(ops)
    raise AssertionError("no bundled lesson places two operations")


def test_the_record_scores_each_operation_by_first_tries_and_lists_the_weakest_first(tmp_path):
    lesson, ops = _lesson_with_ops()
    weak = next(s for s in lesson.steps if lesson.problem.quantities[s.quantity].op == ops[0])
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        _solve(LessonRun(lesson, store, "en"), wrong_first={weak.quantity})
        record = store.skills()
    assert set(record) == set(ops)
    rows = skills.table(record, skills.practised_by(e.lesson for e in CATALOG.entries()))
    assert rows[0].op == ops[0] and rows[0].right < rows[0].tried
    assert all(r.score == 1.0 for r in rows[1:])
    assert lesson.id in rows[0].lessons


def test_every_operation_a_bundled_step_practises_reads_as_words_in_both_languages():
    practice = skills.practised_by(e.lesson for e in CATALOG.entries())
    assert practice  # the kinds place operations
    unnamed = sorted(op for op in practice if op not in skills.NAMES)
    assert not unnamed, f"operations a student practises without a name in core.skills.NAMES: {unnamed}"
    for op in practice:
        assert skills.title(op, "en") != skills.title(op, "ru") or op in ("relu_derivative",)
