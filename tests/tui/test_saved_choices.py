"""What the student typed or chose survives a restart: settings, a design's noted parts,
an older progress file; and the precision a step accepts is said (and checked) in words."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from nntutor.core.checker import precision_promises
from nntutor.core.lesson import load_lesson
from nntutor.core.progress import ProgressStore
from nntutor.core.progress_file import _MIGRATIONS
from nntutor.core.session import LessonRun
from nntutor.core.tolerance import Tolerance, precision_text

LESSONS = Path(__file__).parents[1] / "lessons" / "kinds"


def test_a_progress_file_of_schema_1_keeps_its_progress_and_gains_settings(tmp_path):
    path = tmp_path / "progress.sqlite3"
    conn = sqlite3.connect(path)
    for statement in _MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO accepted VALUES ('layer-by-layer', 'z1', '2 -1', "
                 "'{\"shape\": [2], \"data\": [2.0, -1.0]}', '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO lessons VALUES ('layer-by-layer', 0, '2026-01-01T00:00:00+00:00')")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with ProgressStore(path) as store:
        assert store.notice is None and store.saving
        record = store.steps("layer-by-layer")["z1"]
        assert record.text == "2 -1" and record.value.tolist() == [2.0, -1.0]
        assert store.completed_lessons() == {"layer-by-layer"}
        assert store.setting("theme") is None
        store.set_setting("theme", "nord")
    with ProgressStore(path) as store:
        assert store.setting("theme") == "nord"


def test_settings_never_raise_when_the_file_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with ProgressStore(blocker / "progress.sqlite3") as store:  # goes on in memory
        store.set_setting("lang", "ru")
        assert store.setting("lang") == "ru" and not store.saving


def _design_run(path):
    return LessonRun(load_lesson(LESSONS / "design.toml"), ProgressStore(path), "en")


def test_a_noted_part_of_a_design_is_there_when_the_lesson_is_reopened(tmp_path):
    path = tmp_path / "progress.sqlite3"
    run = _design_run(path)
    first = run.current
    assert run.submit("1 1; 1 1").status == "noted"
    run.store.close()
    again = _design_run(path)
    assert again.is_pending(first) and again.pending_text(first) == "1 1; 1 1"
    assert again.current is not first
    # the rest of a working design: all of it accepted, nothing left noted
    for typed in ("-0.5 -1.5", "1 -2", "-0.5"):
        again.submit(typed)
    assert again.is_accepted(first) and not again.store.noted(again.key)
    again.store.close()


def test_a_failed_design_forgets_its_noted_parts(tmp_path):
    path = tmp_path / "progress.sqlite3"
    run = _design_run(path)
    for typed in ("0 0; 0 0", "0 0", "0 0"):
        run.submit(typed)
    assert run.submit("0").status == "wrong"
    run.store.close()
    again = _design_run(path)
    assert not any(again.is_pending(s) for s in again.steps) and again.current is again.steps[0]
    again.store.close()


def test_the_precision_is_said_in_words():
    assert precision_text(Tolerance(), "en") == "at least 2 significant digits"
    assert precision_text(Tolerance(), "ru") == "не меньше 2 значащих цифр"
    assert precision_text(Tolerance(min_sig_figs=4, rel=5e-4), "en") == "at least 4 significant digits"
    assert precision_text(Tolerance(min_sig_figs=1, rel=0.1), "ru") == "не меньше 1 значащей цифры"
    # rel = 1 % accepts any value within 1 %: two digits are enough whatever min_sig_figs says
    assert precision_text(Tolerance(rel=0.01, min_sig_figs=4), "en") == "at least 2 significant digits"
    assert precision_text(Tolerance(exact=True), "en") == "exact"
    assert precision_text(Tolerance(exact=True), "en", 0.5) == "exact"
    assert precision_text(Tolerance(exact=True), "en", np.float64(3)) == "a whole number"
    assert precision_text(Tolerance(exact=True), "ru", 12) == "целое число"


def test_check_flags_a_text_that_promises_more_digits_than_the_steps_accept(tmp_path):
    source = (LESSONS / "layer.toml").read_text(encoding="utf-8")
    assert not precision_promises(load_lesson(LESSONS / "layer.toml"))
    path = tmp_path / "layer.toml"
    path.write_text(source.replace('en = """', 'en = """\nKeep 4 significant digits.\n', 1), encoding="utf-8")
    issues = precision_promises(load_lesson(path))
    assert len(issues) == 1 and issues[0].field == "text.en"
    assert "asks for 4 significant digits" in issues[0].message and "accept 2" in issues[0].message
    path.write_text(source.replace('ru = """', 'ru = """\nОставляйте четыре значащие цифры.\n', 1),
                    encoding="utf-8")
    assert [i.field for i in precision_promises(load_lesson(path))] == ["text.ru"]


def test_nntutor_check_refuses_the_promise_and_names_the_file(tmp_path):
    from .test_cli import nntutor

    path = tmp_path / "layer.toml"
    source = (LESSONS / "layer.toml").read_text(encoding="utf-8")
    path.write_text(source.replace('en = """', 'en = """\nKeep 4 significant digits.\n', 1), encoding="utf-8")
    out = nntutor("check", str(path))
    assert out.returncode == 1, out.stderr
    assert f"{path}" in out.stdout and "text.en: the text asks for 4 significant digits" in out.stdout
