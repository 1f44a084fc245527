"""The progress store: round trips, durability, permissions, concurrency, damaged files."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nntutor.core import progress, progress_file
from nntutor.core.progress import ProgressStore, StepRecord, default_path

POSIX = os.name == "posix"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype == np.float64 and a.shape == b.shape and a.tobytes() == b.tobytes()


def _run_child(code: str, *args: str, **kw) -> subprocess.Popen:
    """Start a Python child running ``code`` with argv ``args`` (nntutor importable)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


# -- location ------------------------------------------------------------------------------


def test_default_path_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("NNTUTOR_DATA_DIR", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "progress.sqlite3"


def test_default_path_uses_platformdirs(monkeypatch):
    import platformdirs

    monkeypatch.delenv("NNTUTOR_DATA_DIR", raising=False)
    assert default_path() == Path(platformdirs.user_data_dir("nntutor")) / "progress.sqlite3"


def test_store_without_path_uses_env_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NNTUTOR_DATA_DIR", str(tmp_path / "d"))
    with ProgressStore() as s:
        s.complete("l1")
    assert (tmp_path / "d" / "progress.sqlite3").is_file()


# -- round trips -------------------------------------------------------------------------

TRICKY = [0.1, 1 / 3, -0.0, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
          -123456.78901234567, 0.30000000000000004, 1e-17, float(np.pi)]


@pytest.mark.parametrize("shape", [(), (2,), (2, 1), (2, 2)])
def test_values_round_trip_exactly(tmp_path, shape):
    rng = np.random.default_rng(7)
    n = int(np.prod(shape))
    value = np.array(rng.choice(TRICKY, size=n) * rng.choice([1, -1], size=n)).reshape(shape)
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        s.accept("l1", "z1", "typed 0,25", value)
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        rec = s.steps("l1")["z1"]
    assert _same_bits(rec.value, value)
    assert rec.text == "typed 0,25"
    assert not rec.value.flags.writeable  # recorded values are never mutated


def test_accept_converts_ints_and_lists_to_float64(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        s.accept("l", "a", "1 2", np.array([1, 2]))
        s.accept("l", "b", "3", 3)
        got = s.steps("l")
    assert _same_bits(got["a"].value, np.array([1.0, 2.0]))
    assert _same_bits(got["b"].value, np.array(3.0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    value=hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
)
def test_any_finite_value_round_trips(tmp_path, value):
    path = tmp_path / "h.sqlite3"
    with ProgressStore(path) as s:
        s.accept("l", "x", "t", value)
    with ProgressStore(path) as s:
        assert _same_bits(s.steps("l")["x"].value, value)


# -- bookkeeping ---------------------------------------------------------------------------


def test_attempts_hints_accept_and_completion(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        assert s.steps("l1") == {}
        s.record_attempt("l1", "z1", "1.5", False)
        s.record_attempt("l1", "z1", "2.5", False)
        s.record_hint("l1", "z1", 1)
        s.record_hint("l1", "z1", 2)
        s.record_hint("l1", "z1", 2)  # shown again: still two levels
        s.record_attempt("l1", "z1", "0.25", True)
        s.accept("l1", "z1", "0.25", np.array(0.25))
        s.record_hint("l1", "a1", 1)
        s.record_attempt("l2", "z1", "9", False)

        got = s.steps("l1")
        assert set(got) == {"z1", "a1"}
        z1 = got["z1"]
        assert (z1.attempts, z1.hints, z1.text) == (3, 2, "0.25")
        assert datetime.fromisoformat(z1.accepted_at).tzinfo is not None
        assert got["a1"] == StepRecord("a1", None, None, 0, 1, None)
        assert s.accepted_counts() == {"l1": 1}
        assert not s.is_complete("l1")

        s.complete("l1")
        s.complete("l1")
        assert s.is_complete("l1") and not s.is_complete("l2")
        assert s.completed_lessons() == {"l1"}


def test_reaccept_replaces(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        s.accept("l", "z1", "0.3", np.array([0.3]))
        s.accept("l", "z1", "0.25", np.array([0.25]))
        assert s.accepted_counts() == {"l": 1}
        rec = s.steps("l")["z1"]
        assert (rec.text, rec.value.tolist()) == ("0.25", [0.25])


def test_reset_lesson_forgets_values_and_completion_keeps_history(tmp_path):
    path = tmp_path / "p.sqlite3"
    with ProgressStore(path) as s:
        for lesson in ("l1", "l2"):
            s.record_attempt(lesson, "z1", "1", True)
            s.record_hint(lesson, "z1", 1)
            s.accept(lesson, "z1", "1", np.array(1.0))
            s.complete(lesson)
        s.reset_lesson("l1")
        assert s.steps("l1") == {}
        assert not s.is_complete("l1") and s.is_complete("l2")
        assert s.accepted_counts() == {"l2": 1}
        assert s.steps("l2")["z1"].attempts == 1  # other lessons untouched
        # The new run counts from zero, and works after a second reset too.
        s.record_attempt("l1", "z1", "2", False)
        assert s.steps("l1")["z1"].attempts == 1
        s.reset_lesson("l1")
        s.reset_lesson("never-started")
        assert s.steps("l1") == {} and not s.is_complete("never-started")
    with sqlite3.connect(path) as raw:  # the history itself is kept
        assert raw.execute("SELECT COUNT(*) FROM attempts WHERE lesson='l1'").fetchone() == (2,)
        assert raw.execute("SELECT COUNT(*) FROM hints WHERE lesson='l1'").fetchone() == (1,)


def test_schema_version_wal_and_busy_timeout(tmp_path):
    with ProgressStore(tmp_path / "p.sqlite3") as s:
        conn = s._conn
        assert conn.execute("PRAGMA user_version").fetchone() == (progress.SCHEMA_VERSION,)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (progress.BUSY_TIMEOUT_MS,)
        assert s.notice is None and s.notice_ru is None
        assert s.saving and s.take_notice("en") is None  # a healthy file: nothing to say


def test_close_is_idempotent_and_final(tmp_path):
    s = ProgressStore(tmp_path / "p.sqlite3")
    s.close()
    s.close()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        s.accept("l", "z1", "1", np.array(1.0))
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        s.steps("l")


# -- permissions -------------------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o000, 0o277], ids=["umask000", "umask277"])  # nothing filtered; owner bits filtered
def test_owner_only_permissions_whatever_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        d = tmp_path / "a" / "nntutor"
        with ProgressStore(d / "progress.sqlite3") as s:
            s.accept("l", "z1", "1", np.array(1.0))  # a write makes the -wal and -shm
            wal, shm = (d / "progress.sqlite3-wal", d / "progress.sqlite3-shm")
            assert wal.exists() and shm.exists()
            assert _mode(d) == 0o700
            assert _mode(d / "progress.sqlite3") == 0o600
            assert _mode(wal) == 0o600 and _mode(shm) == 0o600
    finally:
        os.umask(old)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_existing_wide_file_is_tightened(tmp_path):
    path = tmp_path / "p.sqlite3"
    with ProgressStore(path) as s:
        s.complete("l")
    os.chmod(path, 0o644)
    with ProgressStore(path) as s:
        assert s.is_complete("l")
        assert _mode(path) == 0o600


# -- durability and concurrency ---------------------------------------------------------

CHILD_ACCEPT_THEN_WAIT = """
    import sys, time, numpy as np
    from nntutor.core.progress import ProgressStore
    s = ProgressStore(__import__("pathlib").Path(sys.argv[1]))
    s.accept("l1", "W1.next", "0.1 0.2; 0.3 0.4", np.array([[0.1, 0.2], [0.3, 0.4]]))
    print("accepted", flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(not POSIX, reason="SIGKILL")
def test_sigkill_right_after_accept_loses_nothing(tmp_path):
    path = tmp_path / "p.sqlite3"
    child = _run_child(CHILD_ACCEPT_THEN_WAIT, str(path))
    try:
        assert child.stdout.readline().strip() == "accepted", child.stderr.read()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        child.kill()
    assert child.returncode == -signal.SIGKILL
    # The connection was never closed: the value lives in the WAL, not yet checkpointed.
    assert (tmp_path / "p.sqlite3-wal").stat().st_size > 0
    with ProgressStore(path) as s:
        rec = s.steps("l1")["W1.next"]
        assert s.notice is None
    assert _same_bits(rec.value, np.array([[0.1, 0.2], [0.3, 0.4]]))


def test_two_stores_interleaving_writes(tmp_path):
    path = tmp_path / "p.sqlite3"
    with ProgressStore(path) as a, ProgressStore(path) as b:
        for i in range(50):
            a.record_attempt("la", f"s{i}", str(i), True)
            b.record_attempt("lb", f"s{i}", str(i), True)
            a.accept("la", f"s{i}", str(i), np.array([float(i)]))
            b.accept("lb", f"s{i}", str(i), np.array([-float(i)]))
            if i % 10 == 0:  # each sees the other's commits at once
                assert b.steps("la")[f"s{i}"].value.tolist() == [float(i)]
                assert a.accepted_counts()["lb"] == i + 1
        a.complete("lb")
        assert b.is_complete("lb")
        b.reset_lesson("la")
        assert a.accepted_counts() == {"lb": 50}


CHILD_50_ACCEPTS = """
    import sys, time, pathlib, numpy as np
    from nntutor.core.progress import ProgressStore
    path, who, go = pathlib.Path(sys.argv[1]), sys.argv[2], pathlib.Path(sys.argv[3])
    s = ProgressStore(path)
    while not go.exists():  # start together, to overlap the writes
        time.sleep(0.002)
    for i in range(50):
        s.record_attempt(who, f"s{i}", str(i), True)
        s.accept(who, f"s{i}", str(i), np.array([i, 0.5]))
        s.record_hint(who, f"s{i}", 1)
    s.complete(who)
    s.close()
    print("done", flush=True)
"""


def test_two_processes_write_50_accepts_each(tmp_path):
    path = tmp_path / "p.sqlite3"
    go = tmp_path / "go"
    children = [_run_child(CHILD_50_ACCEPTS, str(path), who, str(go)) for who in ("pa", "pb")]
    try:
        time.sleep(0.3)  # let both import and open
        go.touch()
        for child in children:
            out, err = child.communicate(timeout=30)
            assert child.returncode == 0 and out.strip() == "done", err
    finally:
        for child in children:
            child.kill()
    with ProgressStore(path) as s:
        assert s.notice is None
        assert s.accepted_counts() == {"pa": 50, "pb": 50}
        assert s.completed_lessons() == {"pa", "pb"}
        for who in ("pa", "pb"):
            got = s.steps(who)
            assert sorted(got) == sorted(f"s{i}" for i in range(50))
            assert all(r.attempts == 1 and r.hints == 1 for r in got.values())
            assert got["s49"].value.tolist() == [49.0, 0.5]
        assert s._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


# -- damaged files ----------------------------------------------------------------------


def _valid_db_bytes(tmp_path: Path) -> bytes:
    src = tmp_path / "src.sqlite3"
    with ProgressStore(src) as s:
        for i in range(300):
            s.record_attempt("l", f"s{i}", "some typed text " * 4, False)
            s.accept("l", f"s{i}", "x", np.arange(4.0).reshape(2, 2) + i)
    return src.read_bytes()  # closed: checkpointed into the file itself


def _damaged_contents(tmp_path: Path) -> dict[str, bytes]:
    good = _valid_db_bytes(tmp_path)
    assert len(good) > 8 * 4096
    return {
        "random": np.random.default_rng(3).bytes(8192),
        "text": b"This is not a database.\nJust some notes about lesson 3.\n" * 20,
        "truncated-header": good[:100],
        "truncated-half": good[: len(good) // 2],
        "truncated-page": good[: 4096 * 3],
        # Intact size and header, one b-tree page in the middle overwritten: only a
        # check at open finds it; otherwise a later read would fail mid-lesson.
        "scribbled-page": good[: 4096 * 4] + np.random.default_rng(5).bytes(4096) + good[4096 * 5 :],
    }


def test_damaged_files_are_set_aside_with_a_notice(tmp_path):
    for name, content in _damaged_contents(tmp_path).items():
        d = tmp_path / name
        d.mkdir()
        path = d / "progress.sqlite3"
        path.write_bytes(content)
        with ProgressStore(path) as s:
            assert s.notice is not None, name
            aside = [p for p in d.iterdir() if p.name.startswith("progress.sqlite3.damaged-")]
            assert len(aside) == 1, (name, list(d.iterdir()))
            assert aside[0].read_bytes() == content  # nothing of the old file is lost
            assert str(aside[0]) in s.notice and str(aside[0]) in s.notice_ru
            assert "damaged" in s.notice
            assert s.saving  # the fresh file is written as usual
            assert s.take_notice("ru") == s.notice_ru and s.take_notice("en") is None  # once
            # The fresh store works and keeps what it is given.
            assert s.accepted_counts() == {}
            s.accept("l", "z1", "1", np.array(1.0))
        with ProgressStore(path) as s:
            assert s.notice is None
            assert s.accepted_counts() == {"l": 1}


def test_stale_wal_never_reaches_the_fresh_file(tmp_path):
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"garbage" * 100)
    (tmp_path / "progress.sqlite3-wal").write_bytes(b"old wal" * 100)
    (tmp_path / "progress.sqlite3-shm").write_bytes(b"\0" * 32768)
    with ProgressStore(path) as s:
        assert s.notice is not None
        s.accept("l", "z1", "1", np.array(1.0))
        wal = tmp_path / "progress.sqlite3-wal"
        assert not wal.exists() or b"old wal" not in wal.read_bytes()
    with ProgressStore(path) as s:
        assert s.notice is None and s.accepted_counts() == {"l": 1}


def test_set_aside_moves_the_wal_with_its_file(tmp_path):
    # SQLite usually deletes a stale WAL when the probing connection closes; when it
    # cannot (another process holds it), the WAL must go with the file it belongs to.
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(b"db")
    (tmp_path / "progress.sqlite3-wal").write_bytes(b"wal")
    (tmp_path / "progress.sqlite3-shm").write_bytes(b"shm")
    st_ = os.stat(path)
    aside = progress._set_aside(path, (st_.st_dev, st_.st_ino))
    assert aside.read_bytes() == b"db"
    assert aside.with_name(aside.name + "-wal").read_bytes() == b"wal"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([aside.name, aside.name + "-wal"])
    # A file that is no longer the one examined (another window replaced it) stays.
    path.write_bytes(b"fresh")
    assert progress._set_aside(path, (st_.st_dev, st_.st_ino)) is None
    assert path.read_bytes() == b"fresh"


def test_two_damaged_files_in_the_same_second_get_distinct_names(tmp_path):
    path = tmp_path / "progress.sqlite3"
    now = datetime(2024, 5, 1, 12, 30, 45)
    first = progress.aside_path(path, now)
    assert first.name == "progress.sqlite3.damaged-20240501-123045"
    first.write_bytes(b"x")
    second = progress.aside_path(path, now)
    assert second.name == "progress.sqlite3.damaged-20240501-123045-2"
    second.with_name(second.name + "-wal").write_bytes(b"x")  # a lone WAL also blocks a name
    assert progress.aside_path(path, now).name == "progress.sqlite3.damaged-20240501-123045-3"

    for content in (b"one", b"two"):
        path.write_bytes(content * 50)
        with ProgressStore(path) as s:
            assert s.notice is not None
    kept = sorted(p.read_bytes() for p in tmp_path.iterdir() if ".damaged-" in p.name)
    assert b"one" * 50 in kept and b"two" * 50 in kept


def test_foreign_schema_is_set_aside(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE accepted (whatever TEXT)")
    with ProgressStore(path) as s:
        assert s.notice is not None
        s.accept("l", "z1", "1", np.array(1.0))
        assert s.accepted_counts() == {"l": 1}


def test_newer_schema_is_set_aside_not_overwritten(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as s:
        s.complete("from-the-future")
        s._conn.execute(f"PRAGMA user_version = {progress.SCHEMA_VERSION + 1}")
    with ProgressStore(path) as s:
        assert "newer version" in s.notice
        assert s.completed_lessons() == set()
    aside = next(p for p in tmp_path.iterdir() if ".damaged-" in p.name and "-wal" not in p.name)
    with sqlite3.connect(aside) as raw:
        assert raw.execute("SELECT lesson FROM lessons").fetchall() == [("from-the-future",)]


def test_a_locked_database_is_not_mistaken_for_damage(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setattr(progress_file, "BUSY_TIMEOUT_MS", 100)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("CREATE TABLE theirs (x)")
    blocker.execute("BEGIN EXCLUSIVE")  # a rollback-journal file, held by someone else
    before = path.read_bytes()
    try:
        with ProgressStore(path) as s:  # no crash: the session goes on in memory
            assert not s.saving
            assert "locked" in s.notice and "заблокирован" in s.notice_ru
            s.accept("l", "z1", "1", np.array(1.0))
            assert s.accepted_counts() == {"l": 1}
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert [p.name for p in tmp_path.iterdir() if ".damaged-" in p.name] == []
    assert path.read_bytes() == before  # someone else's healthy file: not touched
    with ProgressStore(path) as s:  # once released, it is used as usual
        assert s.notice is None and s.saving
