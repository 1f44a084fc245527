"""The progress store can fail; the tutor keeps teaching.

Each fault a student can meet -- a read-only disk or folder, a file they may not write, a
data directory that is a file or ``/dev/null``, a folder in the progress file's place, a
full disk at start or mid-lesson, an I/O error, the data folder deleted mid-lesson -- must
not raise: the store says once why progress cannot be saved, goes on in memory, shows what
was saved before, and never changes the file on disk.

Tests run as root, for whom permissions never fail, so permission faults are injected at the
narrowest point (opening the file for writing); a full disk is real (``max_page_count``),
and so are a read-only connection (``query_only``) and a deleted folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from nntutor.core import progress
from nntutor.core.progress import ProgressStore

KEPT_EN = "what you do now is kept until you quit"
KEPT_RU = "сделанное сейчас сохранится до выхода из программы"


def _saved(path: Path) -> None:
    """A file with one accepted step, one attempt, one hint and a completed lesson; closed."""
    with ProgressStore(path) as s:
        s.record_attempt("l1", "z1", "0.5", True)
        s.accept("l1", "z1", "0.5", np.array(0.5))
        s.record_hint("l1", "a1", 1)
        s.complete("done")
        assert s.saving


def _snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes (to prove nothing changed). A read-only
    SQLite connection may add an ``-shm`` index and an empty ``-wal``: they hold no data."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.endswith("-shm") and not (p.name.endswith("-wal") and not p.stat().st_size)
    }


def _fill_the_disk(conn: sqlite3.Connection) -> None:
    """A real SQLITE_FULL for the next write: no page may be added, and every table's pages
    are filled with rows smaller than any real one, until SQLite refuses."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    fillers = [
        ("INSERT INTO attempts(lesson, step, run, text, correct, at) VALUES ('~', '', 0, '', 0, '')", False),
        ("INSERT INTO hints(lesson, step, run, level, at) VALUES ('~', '', 0, 0, '')", False),
        ("INSERT INTO accepted(lesson, step, text, value, at) VALUES ('~', ?, '', '', '')", True),
        ("INSERT INTO lessons(lesson, run, completed_at) VALUES (?, 0, NULL)", True),
    ]
    for sql, keyed in fillers:
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for i in range(100_000):
                conn.execute(sql, (f"{i:x}",) if keyed else ())


def _assert_notice_once(store: ProgressStore, *words: str) -> str:
    message = store.take_notice("en")
    assert message is not None and message.startswith("Progress cannot be saved:")
    assert str(store.path) in message and KEPT_EN in message
    for word in words:
        assert word in message, message
    assert store.take_notice("en") is None and store.take_notice("ru") is None  # said once
    return message


def _inject(monkeypatch, name: str, error: BaseException) -> None:
    """Make ``progress.<name>`` (a step of opening the file for writing) fail with ``error``."""
    def fail(*args, **kwargs):
        raise error
    monkeypatch.setattr(progress, name, fail)


# -- at start: the file cannot be written ---------------------------------------------------

OPEN_FAULTS = {
    # what the student has -> (where it fails, the error it raises, words of the message)
    "file-0400": ("_prepare_file", PermissionError(errno.EACCES, "Permission denied"), "no permission"),
    "read-only-disk": ("_prepare_file", OSError(errno.EROFS, "Read-only file system"), "read-only"),
    "read-only-sqlite": ("_connect", sqlite3.OperationalError("attempt to write a readonly database"),
                         "read-only"),
    "disk-full-at-start": ("_connect", sqlite3.OperationalError("database or disk is full"), "disk is full"),
    "quota": ("_prepare_file", OSError(errno.EDQUOT, "Disk quota exceeded"), "disk is full"),
    "other": ("_connect", sqlite3.OperationalError("something odd"), "something odd"),
}


@pytest.mark.parametrize("case", OPEN_FAULTS)
def test_unwritable_file_is_read_and_the_session_goes_on_in_memory(tmp_path, monkeypatch, case):
    path = tmp_path / "progress.sqlite3"
    _saved(path)
    before = _snapshot(tmp_path)
    name, error, words = OPEN_FAULTS[case]
    _inject(monkeypatch, name, error)

    with ProgressStore(path) as s:  # no traceback
        assert not s.saving
        assert words in s.notice and "What you saved before is shown" in s.notice
        assert s.notice_ru.startswith("Прогресс не сохраняется:") and KEPT_RU in s.notice_ru
        assert _assert_notice_once(s, words) == s.notice
        # What was saved is there: the home screen's counts and the lesson's resume.
        assert s.accepted_counts() == {"l1": 1} and s.completed_lessons() == {"done"}
        rec = s.steps("l1")
        assert rec["z1"].value.tolist() == 0.5 and rec["z1"].attempts == 1 and rec["a1"].hints == 1
        # The session goes on, consistently, in memory.
        s.record_attempt("l1", "a1", "0.25", True)
        s.accept("l1", "a1", "0.25", np.array(0.25))
        s.complete("l1")
        s.reset_lesson("done")
        assert s.accepted_counts() == {"l1": 2} and s.completed_lessons() == {"l1"}
        assert s.steps("l1")["a1"].text == "0.25"
        assert s.take_notice("en") is None  # nothing new to say
    assert _snapshot(tmp_path) == before  # the file is never touched

    monkeypatch.undo()  # the fault is gone: the file has exactly what was saved before
    with ProgressStore(path) as s:
        assert s.saving and s.notice is None and s.take_notice("en") is None
        assert s.accepted_counts() == {"l1": 1} and s.completed_lessons() == {"done"}


def test_unreadable_damaged_file_in_a_read_only_folder_is_left_alone(tmp_path, monkeypatch):
    """A damaged file cannot be renamed aside in a read-only folder: start from nothing, keep it."""
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"not a database at all " * 100)
    before = _snapshot(tmp_path)
    _inject(monkeypatch, "_set_aside", OSError(errno.EROFS, "Read-only file system"))
    with ProgressStore(path) as s:
        assert not s.saving
        assert "cannot be read now and is left untouched" in s.notice
        assert "не читается и остаётся нетронутым" in s.notice_ru
        _assert_notice_once(s, "read-only")
        assert s.accepted_counts() == {}
        s.accept("l", "z1", "1", np.array(1.0))
        assert s.accepted_counts() == {"l": 1}
    assert _snapshot(tmp_path) == before


# -- at start: the path itself is wrong (real, no injection) -----------------------------------


def test_progress_file_that_is_a_folder(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.mkdir()
    (path / "keep.txt").write_text("mine")
    with ProgressStore(path) as s:
        assert not s.saving
        _assert_notice_once(s, "there is a folder in the progress file's place", "The lessons work as usual")
        assert "на месте файла прогресса — папка" in s.notice_ru
        s.accept("l", "z1", "1", np.array(1.0))
        assert s.steps("l")["z1"].value.tolist() == 1.0
    assert path.is_dir() and [p.name for p in path.iterdir()] == ["keep.txt"]


def test_data_directory_that_is_a_regular_file(tmp_path):
    data = tmp_path / "nntutor"
    data.write_bytes(b"my notes\n")
    with ProgressStore(data / "progress.sqlite3") as s:
        assert not s.saving
        _assert_notice_once(s, f"{data} is not a folder", "The lessons work as usual")
        assert f"{data} — не папка" in s.notice_ru
        s.record_attempt("l", "z1", "1", False)
        assert s.steps("l")["z1"].attempts == 1
    assert data.read_bytes() == b"my notes\n"


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="POSIX /dev/null")
def test_dev_null_as_the_data_directory(monkeypatch):
    monkeypatch.setenv("NNTUTOR_DATA_DIR", "/dev/null")
    with ProgressStore() as s:
        assert s.path == Path("/dev/null/progress.sqlite3")
        assert not s.saving
        _assert_notice_once(s, "/dev/null is not a folder")
        s.accept("l", "z1", "1", np.array(1.0))
        s.complete("l")
        assert s.completed_lessons() == {"l"}
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_missing_parent_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with ProgressStore(blocker / "deeper" / "nntutor" / "progress.sqlite3") as s:
        assert not s.saving
        _assert_notice_once(s, f"{blocker} is not a folder")
        s.record_hint("l", "z1", 1)
        assert s.steps("l")["z1"].hints == 1
    assert blocker.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_a_real_read_only_mount(tmp_path):
    """A read-only bind mount (in a user namespace): nothing to inject, and the saved progress
    is read with immutable=1, as SQLite cannot make the -shm index there."""
    if shutil.which("unshare") is None or subprocess.run(
        ["unshare", "-rm", "true"], capture_output=True
    ).returncode != 0:
        pytest.skip("no user namespaces here")
    data = tmp_path / "data"
    data.mkdir()
    _saved(data / "progress.sqlite3")
    before = _snapshot(data)
    child = textwrap.dedent("""
        import sys, numpy as np
        from pathlib import Path
        from nntutor.core.progress import ProgressStore
        with ProgressStore(Path(sys.argv[1]) / "progress.sqlite3") as s:
            s.accept("l1", "a1", "1", np.array(1.0))
            print(s.saving, s.accepted_counts(), s.take_notice("en"), sep="\\n")
    """)
    script = f'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && exec "$2" -c "$3" "$1"'
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", str(data), sys.executable, child],
                         capture_output=True, text=True, timeout=60)
    if "mount" in out.stderr and out.returncode != 0:
        pytest.skip(f"cannot mount here: {out.stderr.strip()}")
    assert out.returncode == 0, out.stderr
    saving, counts, message = out.stdout.splitlines()
    assert saving == "False" and counts == "{'l1': 2}"
    assert "read-only" in message or "cannot be opened" in message, message
    assert _snapshot(data) == before


# -- mid-session ---------------------------------------------------------------------------


def test_disk_full_mid_lesson(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as s:
        s.accept("l1", "z1", "0.5", np.array(0.5))
        _fill_the_disk(s._conn)
        s.accept("l1", "a1", "0.25", np.array(0.25))  # SQLITE_FULL: no exception
        assert not s.saving
        _assert_notice_once(s, "the disk is full", "This lesson goes on")
        assert s.accepted_counts()["l1"] == 2
        s.record_attempt("l1", "v3", "x", False)
        s.complete("l1")
        assert s.steps("l1")["v3"].attempts == 1 and s.is_complete("l1")
        assert s.take_notice("ru") is None  # already said; saying it again would nag
    with ProgressStore(path) as s:  # the fault is gone: what was saved before is all there
        assert s.saving and s.notice is None
        assert s.accepted_counts()["l1"] == 1 and s.steps("l1")["z1"].value.tolist() == 0.5


def test_read_only_mid_lesson_in_the_middle_of_a_reset(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as s:
        s.accept("l1", "z1", "0.5", np.array(0.5))
        s.complete("l1")
        s._conn.execute("PRAGMA query_only = 1")  # a real SQLITE_READONLY for every write
        s.reset_lesson("l1")
        assert not s.saving
        message = s.take_notice("ru")
        assert message.startswith("Прогресс не сохраняется: диск или папка только для чтения")
        assert "Урок продолжается" in message and s.take_notice("en") is None
        assert s.accepted_counts() == {} and not s.is_complete("l1")  # the reset happened
    with ProgressStore(path) as s:
        assert s.accepted_counts() == {"l1": 1} and s.is_complete("l1")


class _Failing:
    """A connection whose statements starting with one of ``verbs`` fail like a bad disk."""

    def __init__(self, conn: sqlite3.Connection, verbs: tuple[str, ...]) -> None:
        self._conn, self._verbs = conn, verbs

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(self._verbs):
            raise sqlite3.OperationalError("disk I/O error")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._conn, name)


@pytest.mark.parametrize("verbs", [("INSERT",), ("SELECT",)], ids=["write", "read"])
def test_io_error_mid_lesson(tmp_path, verbs):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as s:
        s.accept("l1", "z1", "0.5", np.array(0.5))
        real = s._conn
        s._conn = _Failing(real, verbs)
        s.record_hint("l1", "a1", 1)
        assert s.steps("l1")["a1"].hints == 1 and s.steps("l1")["z1"].text == "0.5"
        assert not s.saving
        _assert_notice_once(s, "read or write error")
        real.close()


def test_data_folder_deleted_mid_lesson(tmp_path):
    """SQLite goes on writing into the deleted file, which would be lost at exit: noticed."""
    data = tmp_path / "data"
    with ProgressStore(data / "progress.sqlite3") as s:
        s.accept("l1", "z1", "0.5", np.array(0.5))
        shutil.rmtree(data)
        s.accept("l1", "a1", "0.25", np.array(0.25))
        assert not s.saving
        _assert_notice_once(s, "the file was moved or deleted")
        s.accept("l1", "v3", "-0.69", np.array(-0.69))
        assert s.accepted_counts() == {"l1": 3}
    assert not data.exists()  # nothing is re-created behind the student's back


def test_take_notice_gives_the_newest_message_once(tmp_path):
    """A file set aside at start, then a full disk: the student is told the news, not history."""
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"garbage" * 100)
    with ProgressStore(path) as s:
        assert "damaged" in s.notice and s.saving
        _fill_the_disk(s._conn)
        s.record_hint("l1", "z1", 1)
        assert "damaged" in s.notice  # the open-time message stays where callers read it
        message = s.take_notice("ru")
        assert message.startswith("Прогресс не сохраняется: диск заполнен") and "повреждён" not in message
        assert s.take_notice("ru") is None and s.take_notice("en") is None
        assert s.steps("l1")["z1"].hints == 1


# -- end to end: a lesson goes on when the disk fills up ---------------------------------------


def test_a_lesson_goes_on_when_the_disk_fills_up(tmp_path):
    from nntutor.core.catalog import load_catalog
    from nntutor.core.session import LessonRun

    lesson = load_catalog().find("sigmoid-at-zero").lesson
    path = tmp_path / "progress.sqlite3"

    def answer(run: LessonRun) -> str:
        return repr(float(np.asarray(run.expected(run.current)).reshape(-1)[0]))

    with ProgressStore(path) as store:
        run = LessonRun(lesson, store)
        first = run.current
        assert run.submit(answer(run)).ok
        assert store.take_notice("en") is None  # all is well so far
        _fill_the_disk(store._conn)
        second = run.current
        verdict = run.submit(answer(run))  # the disk is full: no exception
        assert verdict.ok and run.is_accepted(second)
        message = store.take_notice("en")
        assert message is not None and "the disk is full" in message
        assert store.take_notice("en") is None
        # In memory: both steps, for this session's resume and the home screen's count.
        assert store.accepted_counts()[lesson.progress_key] == 2
        resumed = LessonRun(lesson, store)
        assert resumed.is_accepted(first) and resumed.is_accepted(second)
        assert run.next_hint() is not None  # hints keep working too
    with ProgressStore(path) as store:  # the fault is gone: the first step was saved
        resumed = LessonRun(lesson, store)
        assert resumed.is_accepted(first) and not resumed.is_accepted(second)
        assert resumed.current is second


# -- what the student sees ---------------------------------------------------------------------

def _engine_answer(run) -> str:
    return repr(float(np.asarray(run.expected(run.current)).reshape(-1)[0]))


def test_the_screen_says_once_that_progress_cannot_be_saved_and_the_lesson_goes_on(tmp_path):
    """The TUI: the disk fills up mid-lesson; a notice appears once, the next steps are taken."""
    import asyncio

    from nntutor.core.catalog import load_catalog
    from nntutor.tui.app import NNTutorApp

    lesson = load_catalog().find("sigmoid-at-zero").lesson
    store = ProgressStore(tmp_path / "progress.sqlite3")
    shown: list[str] = []

    async def go():
        app = NNTutorApp(lang="en", lesson=lesson, store=store)
        app.notify = lambda message, **kw: shown.append(message)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            box = app.screen.query_one("#answer")
            box.value = _engine_answer(app.screen.run)
            await pilot.press("enter")
            await pilot.pause()
            assert shown == []
            _fill_the_disk(store._conn)
            for _ in range(2):
                box.value = _engine_answer(app.screen.run)
                await pilot.press("enter")
                await pilot.pause()
                assert "Correct." in str(app.screen.query_one("#feedback").render())
            assert len(shown) == 1 and "the disk is full" in shown[0] and KEPT_EN in shown[0]
            assert app.screen.run.is_accepted(lesson.steps[2])

    asyncio.run(go())


def test_plain_mode_says_why_progress_cannot_be_saved_and_where_it_stopped(tmp_path):
    import io

    from nntutor.core.catalog import load_catalog
    from nntutor.tui.plain import run_plain

    lesson = load_catalog().find("sigmoid-at-zero").lesson
    data = tmp_path / "data"
    data.write_text("a file where the data folder should be")
    with ProgressStore(data / "progress.sqlite3") as store:
        assert not store.saving
        out = io.StringIO()
        code = run_plain(lesson, store, "en", stdin=io.StringIO("0.5\n"), stdout=out)
    text = out.getvalue()
    assert code == 0
    assert text.count("Progress cannot be saved") == 1
    assert "could not be saved" in text.splitlines()[-2] and "progress is saved" not in text
