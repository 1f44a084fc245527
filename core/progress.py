"""The progress store: attempts, accepted values, hints and completion in a SQLite file.

One embedded database (stdlib ``sqlite3``, WAL journal) in the user's data directory.
Every write is its own committed transaction, so killing the terminal or the SSH link
right after :meth:`ProgressStore.accept` loses nothing. Several stores (two nntutor
windows) may share the file: WAL lets readers and a writer proceed together and
``busy_timeout`` makes a writer wait for another instead of failing. A damaged file is
renamed aside (``progress.sqlite3.damaged-YYYYmmdd-HHMMSS``), a fresh one is started and
:attr:`ProgressStore.notice` says where the old one went. The file, its ``-wal`` and
``-shm`` companions and a directory we create are readable by their owner only.

Tables (``PRAGMA user_version`` is the schema version):
``attempts`` (append-only history of checked answers), ``hints`` (append-only history
of hint levels shown), ``accepted`` (one row per lesson and step, the value as JSON
with its shape), ``lessons`` (completion time and the current run number). Starting a
lesson over bumps its run: accepted values and completion are forgotten, the history
stays, and counts in :meth:`ProgressStore.steps` cover the current run only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a value is read or written, not at start-up
    import numpy as np

FILE_NAME = "progress.sqlite3"
ENV_DIR = "NNTUTOR_DATA_DIR"
SCHEMA_VERSION = 1
# How long a writer waits for another window's write before giving up; writes take
# milliseconds, so this is only reached when something is badly stuck.
BUSY_TIMEOUT_MS = 5000

# Primary result codes (low byte of the extended code) that mean "this file is damaged",
# as opposed to SQLITE_BUSY / SQLITE_LOCKED / SQLITE_CANTOPEN, which must never cause a
# rename: a locked database is someone else's healthy file.
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26

# Each entry migrates from version i to i + 1; run inside one IMMEDIATE transaction.
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS attempts (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            run INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            correct INTEGER NOT NULL,
            at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS attempts_lesson ON attempts(lesson, run, step)",
        """CREATE TABLE IF NOT EXISTS hints (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            run INTEGER NOT NULL DEFAULT 0,
            level INTEGER NOT NULL,
            at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS hints_lesson ON hints(lesson, run, step)",
        """CREATE TABLE IF NOT EXISTS accepted (
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            text TEXT NOT NULL,
            value TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (lesson, step))""",
        """CREATE TABLE IF NOT EXISTS lessons (
            lesson TEXT PRIMARY KEY,
            run INTEGER NOT NULL DEFAULT 0,
            completed_at TEXT)""",
    ),
)

# The columns the code relies on; a file claiming our schema without them is damaged.
_COLUMNS = {
    "attempts": {"lesson", "step", "run", "text", "correct", "at"},
    "hints": {"lesson", "step", "run", "level", "at"},
    "accepted": {"lesson", "step", "text", "value", "at"},
    "lessons": {"lesson", "run", "completed_at"},
}

# The run a new history row belongs to: the lesson's current run (0 before any reset).
_RUN = "COALESCE((SELECT run FROM lessons WHERE lesson = ?), 0)"


def default_path() -> Path:
    """Where progress lives: ``$NNTUTOR_DATA_DIR/progress.sqlite3``, else the user data dir."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env).expanduser() / FILE_NAME
    import platformdirs  # lazily: only the app needs it, and only once

    return Path(platformdirs.user_data_dir("nntutor")) / FILE_NAME


@dataclass(frozen=True)
class StepRecord:
    """What the store knows about one step in the lesson's current run."""

    step_id: str
    value: np.ndarray | None  # the accepted value (float64, read-only), None if not accepted
    text: str | None  # what the student typed for the accepted answer
    attempts: int  # checked attempts, right and wrong (format errors are not recorded)
    hints: int  # distinct hint levels shown
    accepted_at: str | None  # ISO 8601, UTC


class ProgressStore:
    """A student's progress in one SQLite file; each write is committed at once.

    Call :meth:`record_attempt` for every checked answer (right or wrong) and then
    :meth:`accept` for the right one: ``accept`` stores the value, it does not count
    as another attempt.
    """

    notice: str | None
    notice_ru: str | None

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.notice = None
        self.notice_ru = None
        self._lock = threading.Lock()
        self._conn = self._open()

    # -- opening -------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """Open the file, setting a damaged one aside (once) and starting afresh."""
        ident = _prepare_file(self.path)
        conn, problem = _connect(self.path)
        if problem is None:
            return conn
        aside = _set_aside(self.path, ident)
        if aside is None:
            pass  # another window set it aside (and tells the student) a moment ago
        elif problem == "newer":
            self.notice = (
                f"Your progress file was written by a newer version of nntutor. It was "
                f"moved to {aside} and a new, empty progress file was started."
            )
            self.notice_ru = (
                f"Файл прогресса записан более новой версией nntutor. Он перемещён в "
                f"{aside}; начат новый, пустой файл прогресса."
            )
        else:
            self.notice = (
                f"Your progress file was damaged and could not be read. It was moved to "
                f"{aside} and a new, empty progress file was started."
            )
            self.notice_ru = (
                f"Файл прогресса повреждён и не читается. Он перемещён в {aside}; "
                f"начат новый, пустой файл прогресса."
            )
        _prepare_file(self.path)
        conn, problem = _connect(self.path)
        if problem is not None:  # a fresh file cannot be damaged; something else is wrong
            raise sqlite3.DatabaseError(f"cannot create a progress file at {self.path}")
        return conn

    # -- writes: each one is a committed transaction --------------------------------

    def record_attempt(self, lesson_id: str, step_id: str, text: str, correct: bool) -> None:
        """Append one checked answer to the history."""
        self._write(
            f"INSERT INTO attempts(lesson, step, run, text, correct, at) "
            f"VALUES (?, ?, {_RUN}, ?, ?, ?)",
            (lesson_id, step_id, lesson_id, text, 1 if correct else 0, _now()),
        )

    def accept(self, lesson_id: str, step_id: str, text: str, value: np.ndarray) -> None:
        """Store the accepted value of a step (replacing an earlier one); durable on return."""
        self._write(
            "INSERT INTO accepted(lesson, step, text, value, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(lesson, step) DO UPDATE SET "
            "text = excluded.text, value = excluded.value, at = excluded.at",
            (lesson_id, step_id, text, _encode(value), _now()),
        )

    def record_hint(self, lesson_id: str, step_id: str, level: int) -> None:
        """Append a shown hint level to the history."""
        self._write(
            f"INSERT INTO hints(lesson, step, run, level, at) VALUES (?, ?, {_RUN}, ?, ?)",
            (lesson_id, step_id, lesson_id, int(level), _now()),
        )

    def complete(self, lesson_id: str) -> None:
        """Mark the lesson completed (the first completion time is kept)."""
        self._write(
            "INSERT INTO lessons(lesson, completed_at) VALUES (?, ?) "
            "ON CONFLICT(lesson) DO UPDATE SET "
            "completed_at = COALESCE(lessons.completed_at, excluded.completed_at)",
            (lesson_id, _now()),
        )

    def reset_lesson(self, lesson_id: str) -> None:
        """Start the lesson over: forget accepted values and completion, keep the history."""
        with self._lock:
            conn = self._live()
            # IMMEDIATE takes the write lock up front, so the busy timeout applies and
            # the two statements land together or not at all.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM accepted WHERE lesson = ?", (lesson_id,))
                conn.execute(
                    "INSERT INTO lessons(lesson, run, completed_at) VALUES (?, 1, NULL) "
                    "ON CONFLICT(lesson) DO UPDATE SET run = lessons.run + 1, completed_at = NULL",
                    (lesson_id,),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    # -- reads ------------------------------------------------------------------------

    def steps(self, lesson_id: str) -> dict[str, StepRecord]:
        """Every step of the lesson with an accepted value, an attempt or a hint this run."""
        with self._lock:
            conn = self._live()
            run = conn.execute(
                "SELECT run FROM lessons WHERE lesson = ?", (lesson_id,)
            ).fetchone()
            run = run[0] if run else 0
            attempts = dict(
                conn.execute(
                    "SELECT step, COUNT(*) FROM attempts WHERE lesson = ? AND run = ? "
                    "GROUP BY step",
                    (lesson_id, run),
                ).fetchall()
            )
            hints = dict(
                conn.execute(
                    "SELECT step, COUNT(DISTINCT level) FROM hints WHERE lesson = ? AND run = ? "
                    "GROUP BY step",
                    (lesson_id, run),
                ).fetchall()
            )
            accepted = {
                step: (text, value, at)
                for step, text, value, at in conn.execute(
                    "SELECT step, text, value, at FROM accepted WHERE lesson = ?", (lesson_id,)
                ).fetchall()
            }
        out: dict[str, StepRecord] = {}
        for step in sorted(set(attempts) | set(hints) | set(accepted)):
            text, value, at = accepted.get(step, (None, None, None))
            array = _decode(value) if value is not None else None
            if array is None:  # an unreadable stored value counts as not accepted
                text = at = None
            out[step] = StepRecord(
                step_id=step,
                value=array,
                text=text,
                attempts=attempts.get(step, 0),
                hints=hints.get(step, 0),
                accepted_at=at,
            )
        return out

    def is_complete(self, lesson_id: str) -> bool:
        with self._lock:
            row = self._live().execute(
                "SELECT completed_at FROM lessons WHERE lesson = ?", (lesson_id,)
            ).fetchone()
        return row is not None and row[0] is not None

    def completed_lessons(self) -> set[str]:
        with self._lock:
            rows = self._live().execute(
                "SELECT lesson FROM lessons WHERE completed_at IS NOT NULL"
            ).fetchall()
        return {r[0] for r in rows}

    def accepted_counts(self) -> dict[str, int]:
        """lesson id -> number of accepted steps (for progress bars)."""
        with self._lock:
            rows = self._live().execute(
                "SELECT lesson, COUNT(*) FROM accepted GROUP BY lesson"
            ).fetchall()
        return dict(rows)

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent); the last one out checkpoints the WAL."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple) -> None:
        # The connection is in autocommit mode: a single statement is its own
        # transaction, committed (and in the WAL) before execute() returns.
        with self._lock:
            self._live().execute(sql, params)

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("the progress store is closed")
        return self._conn


# -- helpers ------------------------------------------------------------------------------


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _encode(value: np.ndarray) -> str:
    """The value as JSON ``{"shape": [...], "data": [flat floats]}``; repr round-trips float64."""
    import numpy as np

    array = np.asarray(value, dtype=np.float64)
    return json.dumps({"shape": list(array.shape), "data": array.ravel().tolist()})


def _decode(text: str) -> np.ndarray | None:
    """The array stored by :func:`_encode` (read-only), or None if the text is not one."""
    import numpy as np

    try:
        obj = json.loads(text)
        shape = tuple(int(n) for n in obj["shape"])
        array = np.array(obj["data"], dtype=np.float64).reshape(shape)
    except (ValueError, TypeError, KeyError):
        return None
    array.flags.writeable = False
    return array


def _prepare_file(path: Path) -> tuple[int, int]:
    """Create the directory (0o700) and the file (0o600) before SQLite sees them.

    Returns the file's (device, inode), so a later rename can check it still has
    the file it examined.
    """
    parent = path.parent
    if not parent.is_dir():
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(parent, 0o700)  # mkdir's mode is filtered by the umask
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    try:
        st = os.fstat(fd)
    finally:
        os.close(fd)
    # The umask may have filtered the mode, and an older file may be wider.
    if st.st_mode & 0o777 != 0o600:
        try:
            os.chmod(path, 0o600)
        except OSError:
            pass  # not ours to change; SQLite will still tell us if it cannot use it
    return st.st_dev, st.st_ino


def _is_damage(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    message = str(error).lower()
    return "malformed" in message or "not a database" in message


def _connect(path: Path) -> tuple[sqlite3.Connection | None, str | None]:
    """Open and migrate the database: (connection, None), or (None, "damaged" / "newer")."""
    conn = sqlite3.connect(
        path,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # autocommit: each statement commits; BEGIN where we group
        check_same_thread=False,  # guarded by the store's lock
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
        # NORMAL in WAL mode: a commit survives the process being killed (the WAL is
        # written before commit returns); only an OS crash could lose the last steps.
        # FULL would add an fsync (~6 ms measured) to every Enter. Set before the switch to
        # WAL, which on a new file would otherwise sync the disk too (~19 ms at first start).
        conn.execute("PRAGMA synchronous = NORMAL")
        _use_wal(conn)
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            conn.close()
            return None, "damaged"
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            conn.close()
            return None, "newer"
        if version < SCHEMA_VERSION:
            _migrate(conn)
        if not _schema_ok(conn):
            conn.close()
            return None, "damaged"
    except sqlite3.DatabaseError as error:
        conn.close()
        if _is_damage(error):
            return None, "damaged"
        raise
    except BaseException:
        conn.close()
        raise
    _tighten_companions(path)
    return conn, None


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL once (it is stored in the file). Changing the journal mode can fail at once
    with "database is locked" -- SQLite's busy handler does not cover it -- while another process
    opens the same new file, so that is retried within the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _migrate(conn: sqlite3.Connection) -> None:
    # Two windows may open a new file together: the write lock serialises them and the
    # version is re-read under it, so each migration runs once.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, SCHEMA_VERSION):
            for statement in _MIGRATIONS[step]:
                conn.execute(statement)
        if version < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _schema_ok(conn: sqlite3.Connection) -> bool:
    for table, needed in _COLUMNS.items():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not needed <= have:
            return False
    return True


def _tighten_companions(path: Path) -> None:
    # SQLite gives -wal/-shm the database's permissions when it creates them; files
    # left over from before the database was tightened may still be wider.
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        try:
            if companion.stat().st_mode & 0o777 != 0o600:
                os.chmod(companion, 0o600)
        except OSError:
            pass


def aside_path(path: Path, now: datetime) -> Path:
    """A free name ``<file>.damaged-YYYYmmdd-HHMMSS[-N]`` next to ``path``."""
    base = f"{path.name}.damaged-{now.strftime('%Y%m%d-%H%M%S')}"
    candidate = path.with_name(base)
    n = 2
    while candidate.exists() or candidate.with_name(candidate.name + "-wal").exists():
        candidate = path.with_name(f"{base}-{n}")
        n += 1
    return candidate


def _set_aside(path: Path, ident: tuple[int, int]) -> Path | None:
    """Rename the damaged file (and its WAL) aside; drop the shared-memory index.

    Returns the new name, or None when the file is no longer the one examined.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if (st.st_dev, st.st_ino) != ident:
        # Another window already replaced it with a fresh file: keep that one.
        return None
    aside = aside_path(path, datetime.now())
    os.replace(path, aside)
    # A stale WAL next to a fresh file would be replayed into it: move it with the file
    # it belongs to (SQLite finds it there if anyone tries to recover the old data).
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        os.replace(wal, aside.with_name(aside.name + "-wal"))
    shm = path.with_name(path.name + "-shm")
    try:
        shm.unlink()  # only an index of the WAL; rebuilt on demand
    except FileNotFoundError:
        pass
    return aside
