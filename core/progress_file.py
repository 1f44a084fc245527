"""The progress file: its schema, how it is created, opened, migrated and set aside when
damaged, and -- when it cannot be written -- why, in plain words, and a copy of what it holds
in memory. :mod:`nntutor.core.progress` builds the store on these.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from .i18n import Messages

SCHEMA_VERSION = 3
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
    (
        # the student's choices (theme, language): name -> value
        """CREATE TABLE IF NOT EXISTS settings (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL)""",
        # parts of a weight design typed and noted, judged once the whole design is in
        """CREATE TABLE IF NOT EXISTS noted (
            lesson TEXT NOT NULL,
            step TEXT NOT NULL,
            text TEXT NOT NULL,
            value TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (lesson, step))""",
    ),
    (
        # which numbers a lesson key holds (0: the lesson's own; a key is "id#fingerprint")
        "ALTER TABLE lessons ADD COLUMN variant INTEGER NOT NULL DEFAULT 0",
        # why an answer was wrong, as the student read it, and the skill the step practises
        "ALTER TABLE attempts ADD COLUMN diagnosis TEXT",
        "ALTER TABLE attempts ADD COLUMN skill TEXT",
        # 1 when the level shown was the worked value itself
        "ALTER TABLE hints ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0",
        # every completion, kept for good: starting over never erases one
        """CREATE TABLE IF NOT EXISTS completions (
            id INTEGER PRIMARY KEY,
            lesson TEXT NOT NULL,
            variant INTEGER NOT NULL DEFAULT 0,
            at TEXT NOT NULL,
            steps INTEGER,
            first_try INTEGER,
            wrong INTEGER,
            hints INTEGER,
            revealed INTEGER,
            seconds REAL)""",
        "CREATE INDEX IF NOT EXISTS completions_lesson ON completions(lesson)",
        """INSERT INTO completions(lesson, variant, at)
            SELECT lesson, 0, completed_at FROM lessons WHERE completed_at IS NOT NULL""",
    ),
)

# The columns the code relies on; a file claiming our schema without them is damaged.
_COLUMNS = {
    "attempts": {"lesson", "step", "run", "text", "correct", "at", "diagnosis", "skill"},
    "hints": {"lesson", "step", "run", "level", "at", "revealed"},
    "accepted": {"lesson", "step", "text", "value", "at"},
    "lessons": {"lesson", "run", "completed_at", "variant"},
    "completions": {"lesson", "variant", "at", "steps", "first_try", "wrong", "hints", "revealed", "seconds"},
    "settings": {"name", "value"},
    "noted": {"lesson", "step", "text", "value", "at"},
}


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


# -- when the file cannot be written: reasons, messages, the in-memory store -------------

# Why progress cannot be saved, in plain words.
_REASONS = Messages({
    "readonly": {"en": "the disk or folder is read-only", "ru": "диск или папка только для чтения"},
    "permission": {"en": "you have no permission to write there", "ru": "нет прав на запись"},
    "isdir": {"en": "there is a folder in the progress file's place", "ru": "на месте файла прогресса — папка"},
    "full": {"en": "the disk is full", "ru": "диск заполнен"},
    "ioerr": {"en": "the disk reported a read or write error", "ru": "диск сообщил об ошибке чтения или записи"},
    "busy": {"en": "another program keeps the file locked", "ru": "файл заблокирован другой программой"},
    "damaged": {"en": "the file is damaged", "ru": "файл повреждён"},
    "moved": {"en": "the file was moved or deleted", "ru": "файл перемещён или удалён"},
    "cantopen": {"en": "the file cannot be opened for writing", "ru": "файл не открывается для записи"},
    "other": {"en": "an error occurred ({text})", "ru": "произошла ошибка ({text})"},
    "not_folder": {"en": "{where} is not a folder", "ru": "{where} — не папка"},
})
_ERRNO_REASONS = {errno.EROFS: "readonly", errno.EACCES: "permission", errno.EPERM: "permission",
                  errno.EISDIR: "isdir", errno.ENOSPC: "full", getattr(errno, "EDQUOT", -1): "full"}
# SQLite's primary result codes; READONLY_DBMOVED (8 | 4 << 8) is the file deleted under us.
_SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_READONLY_DBMOVED = 8, 14, 8 | 4 << 8
_SQLITE_REASONS = {5: "busy", 6: "busy", 8: "readonly", 10: "ioerr", 13: "full", 14: "cantopen",
                   _SQLITE_CORRUPT: "damaged", _SQLITE_NOTADB: "damaged"}
# An error without a code (raised by hand, or by an older Python): its code by its words.
_SQLITE_WORDS = (("readonly", 8), ("disk is full", 13), ("i/o error", 10), ("locked", 5),
                 ("unable to open", 14), ("malformed", 11), ("not a database", 26))

# What the student may expect now, before "what you do now is kept until you quit".
_TAILS = Messages({
    "kept": {"en": "What you saved before is shown", "ru": "Сохранённое раньше видно"},
    "unread": {"en": "What you saved before cannot be read now and is left untouched",
               "ru": "Сохранённое раньше сейчас не читается и остаётся нетронутым"},
    "fresh": {"en": "The lessons work as usual", "ru": "Уроки работают как обычно"},
    "session": {"en": "This lesson goes on", "ru": "Урок продолжается"},
})
_SAYS = Messages({
    "cannot_save": {"en": "Progress cannot be saved: {reason} ({path}). {tail}; what you do now is kept until you quit.",
                    "ru": "Прогресс не сохраняется: {reason} ({path}). {tail}; сделанное сейчас сохранится до "
                          "выхода из программы."},
})


def _pair(table: Messages, key: str, **fields) -> tuple[str, str]:
    """A message of ``table`` in both languages: (en, ru)."""
    return table(key, "en", **fields), table(key, "ru", **fields)


def _message(reason: tuple[str, str], path: Path, tail: tuple[str, str]) -> tuple[str, str]:
    return (_SAYS("cannot_save", "en", reason=reason[0], path=path, tail=tail[0]),
            _SAYS("cannot_save", "ru", reason=reason[1], path=path, tail=tail[1]))


def _reason(error: BaseException, path: Path) -> tuple[str, str]:
    """Why ``error`` keeps the store from writing ``path``, in plain words (en, ru)."""
    if isinstance(error, OSError):
        if error.errno in (errno.ENOTDIR, errno.EEXIST):  # EEXIST: mkdir met a non-folder
            # The nearest ancestor that exists but is no folder (a file, /dev/null).
            where = next((p for p in path.parents if os.path.exists(p) and not os.path.isdir(p)),
                         path.parent)
            return _pair(_REASONS, "not_folder", where=where)
        key, text = _ERRNO_REASONS.get(error.errno), error.strerror or str(error)
    else:
        code, text = getattr(error, "sqlite_errorcode", None), str(error)
        if code is None:
            code = next((c for words, c in _SQLITE_WORDS if words in text.lower()), 0)
        key = "moved" if code == _SQLITE_READONLY_DBMOVED else _SQLITE_REASONS.get(code & 0xFF)
        if key == "cantopen" and os.path.isdir(path):
            key = "isdir"
    if key is not None:
        return _pair(_REASONS, key)
    return _pair(_REASONS, "other", text=text)


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _rollback(conn: sqlite3.Connection) -> None:
    """Roll back an open transaction; SQLite may already have done it (on SQLITE_FULL)."""
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass


def _memory() -> sqlite3.Connection:
    return sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)


def _fresh_memory() -> sqlite3.Connection:
    conn = _memory()
    _migrate(conn)
    return conn


def _has_rows(conn: sqlite3.Connection) -> bool:
    return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in _COLUMNS)


def _read_copy(path: Path) -> sqlite3.Connection | None:
    """What the file holds, copied into memory without writing to it; None if unreadable.

    ``mode=ro`` sees the WAL too; in a folder we may not write, without the ``-shm`` index, it
    cannot open, and ``immutable=1`` reads the file itself (a clean close left no WAL behind).
    """
    if not os.path.isfile(path):
        return None
    uri = path.absolute().as_uri()
    for query in ("mode=ro", "immutable=1"):
        try:
            source = sqlite3.connect(f"{uri}?{query}", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error:
            continue
        try:
            if (source.execute("PRAGMA quick_check").fetchall() != [("ok",)]
                    or source.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION):
                return None  # damaged, or a newer nntutor's file we cannot read
            copy = _memory()
            source.backup(copy)
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF not in (_SQLITE_CANTOPEN, _SQLITE_READONLY):
                return None  # damaged or locked: immutable would read it blindly
            continue
        finally:
            source.close()
        try:
            _migrate(copy)  # an empty or older file: bring the copy to our schema
            if _schema_ok(copy):
                return copy
        except sqlite3.Error:
            pass
        copy.close()
        return None
    return None
