"""The progress store: attempts, accepted values, hints and completion in a SQLite file.

One embedded database (stdlib ``sqlite3``, WAL journal) in the user's data directory.
Every write is its own committed transaction, so killing the terminal or the SSH link
right after :meth:`ProgressStore.accept` loses nothing. Several stores (two nntutor
windows) may share the file: WAL lets readers and a writer proceed together and
``busy_timeout`` makes a writer wait for another instead of failing. A damaged file is
renamed aside (``progress.sqlite3.damaged-YYYYmmdd-HHMMSS``), a fresh one is started and
:attr:`ProgressStore.notice` says where the old one went. The file, its ``-wal`` and
``-shm`` companions and a directory we create are readable by their owner only.

When the file cannot be written -- a read-only disk or folder, no permission, a data
directory that is a file or a device, a folder in the file's place, a full disk, an I/O
error, the file deleted under us -- the store never raises: it goes on *in memory* for
the rest of the session, so the lesson goes on and its resume and the home screen's
counts stay consistent. At start it copies what it can still read (``mode=ro``, else
``immutable=1``) into an in-memory database; mid-session it copies the current state
first and then applies the write that failed, so nothing of the session is lost. The
file on disk is then left exactly as it is (only a damaged file is renamed aside).
:meth:`ProgressStore.take_notice` gives the message saying so, once, and
:attr:`ProgressStore.saving` is False from then on.

Tables (``PRAGMA user_version`` is the schema version):
``attempts`` (append-only history of checked answers), ``hints`` (append-only history
of hint levels shown), ``accepted`` (one row per lesson and step, the value as JSON
with its shape), ``lessons`` (completion time and the current run number), ``noted`` (parts
of a weight design typed but not yet judged, like ``accepted``) and ``settings`` (the
student's theme and language). Starting a lesson over bumps its run: accepted values, noted
parts and completion are forgotten, the history stays, and counts in
:meth:`ProgressStore.steps` cover the current run only.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from typing import TYPE_CHECKING, Mapping

from .i18n import LANGS, Messages
from .progress_file import (  # noqa: F401  (SCHEMA_VERSION, aside_path: part of this module's face)
    BUSY_TIMEOUT_MS, SCHEMA_VERSION, _REASONS, _TAILS, _connect, _file_id, _fresh_memory, _has_rows, _memory,
    _message, _pair, _prepare_file, _read_copy, _reason, _rollback, _set_aside, aside_path,
)

if TYPE_CHECKING:  # numpy is imported when a value is read or written, not at start-up
    import numpy as np

# What the student is told when a file was set aside (the reasons saving stops are in progress_file).
_SAYS = Messages({
    "newer": {"en": "Your progress file was written by a newer version of nntutor. It was moved to {aside} and a "
                    "new, empty progress file was started.",
              "ru": "Файл прогресса записан более новой версией nntutor. Он перемещён в {aside}; начат новый, "
                    "пустой файл прогресса."},
    "damaged": {"en": "Your progress file was damaged and could not be read. It was moved to {aside} and a new, "
                      "empty progress file was started.",
                "ru": "Файл прогресса повреждён и не читается. Он перемещён в {aside}; начат новый, пустой файл "
                      "прогресса."},
})

FILE_NAME = "progress.sqlite3"
ENV_DIR = "NNTUTOR_DATA_DIR"
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
    as another attempt. No method raises for a reason of the disk or the file system:
    the store then goes on in memory (see the module's docstring).
    """

    notice: str | None  # what happened at open (a file set aside, saving impossible), or None
    notice_ru: str | None

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.Lock()
        self._notices: list[Mapping[str, str]] = []  # each in every language, oldest first
        self._taken = 0  # how many of them take_notice has passed
        self._ident: tuple[int, int] | None = None  # the file's (device, inode) while saving
        try:
            self._conn = self._open()
        except (OSError, sqlite3.Error) as error:
            self._conn = self._open_in_memory(_reason(error, self.path))
        # All that happened at open is one message: take_notice gives only the newest.
        said = {lang: " ".join(texts[lang] for texts in self._notices) for lang in LANGS}
        self.notice, self.notice_ru = said["en"] or None, said["ru"] or None
        self._notices = [said] if self.notice else []

    @property
    def saving(self) -> bool:
        """True while writes reach the file; False once the store works in memory."""
        return self._ident is not None

    def take_notice(self, lang: str) -> str | None:
        """The newest message not yet taken ("en" or "ru"), once; None when nothing is new."""
        with self._lock:
            if self._taken >= len(self._notices):
                return None
            self._taken = len(self._notices)
            texts = self._notices[-1]
        return texts.get(lang, texts["en"])

    def _tell(self, en: str, ru: str) -> None:
        self._notices.append(dict(zip(LANGS, (en, ru))))

    # -- opening -------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        """Open the file, setting a damaged one aside (once) and starting afresh."""
        ident = _prepare_file(self.path)
        conn, problem = _connect(self.path)
        if problem is None:
            self._ident = ident
            return conn
        aside = _set_aside(self.path, ident)
        if aside is not None:  # None: another window set it aside (and tells the student) a moment ago
            self._tell(*_SAYS.pair("newer" if problem == "newer" else "damaged", aside=aside))
        ident = _prepare_file(self.path)
        conn, problem = _connect(self.path)
        if problem is not None:  # a fresh file cannot be damaged; something else is wrong
            raise sqlite3.DatabaseError("a fresh progress file cannot be made")
        self._ident = ident
        return conn

    def _open_in_memory(self, reason: tuple[str, str]) -> sqlite3.Connection:
        """The file cannot be written: a copy of what can be read, else nothing, in memory."""
        conn = _read_copy(self.path)
        if conn is not None and _has_rows(conn):
            tail = _pair(_TAILS, "kept")
        else:
            tail = _pair(_TAILS, "unread" if os.path.isfile(self.path) else "fresh")
        self._tell(*_message(reason, self.path, tail))
        return conn if conn is not None else _fresh_memory()

    def _to_memory(self, reason: tuple[str, str]) -> None:
        """Mid-session: go on in memory from the current state (the lock is held)."""
        old = self._conn
        _rollback(old)
        conn = _memory()
        try:
            old.backup(conn)  # what is committed: the file as it is, this session included
        except sqlite3.Error:
            conn.close()  # cannot read it any more: what is on disk, else nothing
            conn = _read_copy(self.path) or _fresh_memory()
        self._conn, self._ident = conn, None
        try:
            old.close()
        except sqlite3.Error:
            pass
        self._tell(*_message(reason, self.path, _pair(_TAILS, "session")))

    # -- writes: each one is a committed transaction --------------------------------

    def record_attempt(self, lesson_id: str, step_id: str, text: str, correct: bool,
                       diagnosis: str | None = None, skill: str | None = None) -> None:
        """Append one checked answer to the history, with why it was wrong (as the student read
        it) and the skill the step practises."""
        self._write(
            f"INSERT INTO attempts(lesson, step, run, text, correct, at, diagnosis, skill) "
            f"VALUES (?, ?, {_RUN}, ?, ?, ?, ?, ?)",
            (lesson_id, step_id, lesson_id, text, 1 if correct else 0, _now(), diagnosis, skill),
        )

    def register(self, lesson_id: str, variant: int) -> None:
        """Note that the lesson key holds variant ``variant`` (before its first answer)."""
        self._write("INSERT INTO lessons(lesson, variant) VALUES (?, ?) ON CONFLICT(lesson) DO NOTHING",
                    (lesson_id, int(variant)))

    def accept(self, lesson_id: str, step_id: str, text: str, value: np.ndarray) -> None:
        """Store the accepted value of a step (replacing an earlier one); durable on return
        while :attr:`saving`."""
        self._write(
            "INSERT INTO accepted(lesson, step, text, value, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(lesson, step) DO UPDATE SET "
            "text = excluded.text, value = excluded.value, at = excluded.at",
            (lesson_id, step_id, text, _encode(value), _now()),
        )

    def record_hint(self, lesson_id: str, step_id: str, level: int, revealed: bool = False) -> None:
        """Append a shown hint level to the history (``revealed``: it was the worked value)."""
        self._write(
            f"INSERT INTO hints(lesson, step, run, level, at, revealed) VALUES (?, ?, {_RUN}, ?, ?, ?)",
            (lesson_id, step_id, lesson_id, int(level), _now(), 1 if revealed else 0),
        )

    def complete(self, lesson_id: str, variant: int = 0) -> None:
        """Mark this run of the lesson completed, and add the completion, with how it went this
        run, to the history (which starting over never erases)."""

        def done(conn: sqlite3.Connection) -> None:
            conn.execute("BEGIN IMMEDIATE")
            try:
                now = _now()
                conn.execute(
                    "INSERT INTO lessons(lesson, variant, completed_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(lesson) DO UPDATE SET "
                    "completed_at = COALESCE(lessons.completed_at, excluded.completed_at)",
                    (lesson_id, int(variant), now))
                summary = _summary(conn, lesson_id)
                conn.execute(
                    "INSERT INTO completions(lesson, variant, at, steps, first_try, wrong, hints, revealed, seconds) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (lesson_id, int(variant), now, summary.steps, summary.first_try, summary.wrong,
                     summary.hints, summary.revealed, summary.seconds))
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

        self._run(done, write=True)

    def reset_lesson(self, lesson_id: str) -> None:
        """Start the lesson over: forget accepted values and this run's completion; the history
        (attempts, hints, every completion) stays."""

        def reset(conn: sqlite3.Connection) -> None:
            # IMMEDIATE takes the write lock up front, so the busy timeout applies and
            # the two statements land together or not at all.
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM accepted WHERE lesson = ?", (lesson_id,))
                conn.execute("DELETE FROM noted WHERE lesson = ?", (lesson_id,))
                conn.execute(
                    "INSERT INTO lessons(lesson, run, completed_at) VALUES (?, 1, NULL) "
                    "ON CONFLICT(lesson) DO UPDATE SET run = lessons.run + 1, completed_at = NULL",
                    (lesson_id,),
                )
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

        self._run(reset, write=True)

    def note(self, lesson_id: str, step_id: str, text: str, value: np.ndarray) -> None:
        """Keep a part of a weight design that waits for the rest of it (replacing an earlier one)."""
        self._write(
            "INSERT INTO noted(lesson, step, text, value, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(lesson, step) DO UPDATE SET "
            "text = excluded.text, value = excluded.value, at = excluded.at",
            (lesson_id, step_id, text, _encode(value), _now()),
        )

    def forget_noted(self, lesson_id: str) -> None:
        """The design was judged (accepted, or sent back to its start): its noted parts go."""
        self._write("DELETE FROM noted WHERE lesson = ?", (lesson_id,))

    def set_setting(self, name: str, value: str) -> None:
        """Remember one of the student's choices (``theme``, ``lang``)."""
        self._write(
            "INSERT INTO settings(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
            (name, str(value)),
        )

    # -- reads ------------------------------------------------------------------------

    def setting(self, name: str) -> str | None:
        """A remembered choice, or None."""
        row = self._run(lambda conn: conn.execute(
            "SELECT value FROM settings WHERE name = ?", (name,)).fetchone())
        return row[0] if row else None

    def noted(self, lesson_id: str) -> dict[str, tuple[np.ndarray, str]]:
        """The noted parts of the lesson's weight design: step id -> (value, what was typed)."""
        rows = self._run(lambda conn: conn.execute(
            "SELECT step, text, value FROM noted WHERE lesson = ?", (lesson_id,)).fetchall())
        out = {}
        for step, text, value in rows:
            array = _decode(value)
            if array is not None:  # an unreadable one is typed again
                out[step] = (array, text)
        return out

    def steps(self, lesson_id: str) -> dict[str, StepRecord]:
        """Every step of the lesson with an accepted value, an attempt or a hint this run."""

        def read(conn: sqlite3.Connection):
            row = conn.execute("SELECT run FROM lessons WHERE lesson = ?", (lesson_id,)).fetchone()
            key = (lesson_id, row[0] if row else 0)
            attempts = dict(conn.execute(
                "SELECT step, COUNT(*) FROM attempts WHERE lesson = ? AND run = ? GROUP BY step", key))
            hints = dict(conn.execute(
                "SELECT step, COUNT(DISTINCT level) FROM hints WHERE lesson = ? AND run = ? "
                "GROUP BY step", key))
            accepted = {step: tuple(rest) for step, *rest in conn.execute(
                "SELECT step, text, value, at FROM accepted WHERE lesson = ?", (lesson_id,))}
            return attempts, hints, accepted

        attempts, hints, accepted = self._run(read)
        out: dict[str, StepRecord] = {}
        for step in sorted(set(attempts) | set(hints) | set(accepted)):
            text, value, at = accepted.get(step, (None, None, None))
            array = _decode(value) if value is not None else None
            if array is None:  # an unreadable stored value counts as not accepted
                text = at = None
            out[step] = StepRecord(step, array, text, attempts.get(step, 0), hints.get(step, 0), at)
        return out

    def is_complete(self, lesson_id: str) -> bool:
        row = self._run(lambda conn: conn.execute(
            "SELECT completed_at FROM lessons WHERE lesson = ?", (lesson_id,)
        ).fetchone())
        return row is not None and row[0] is not None

    def completed_lessons(self) -> set[str]:
        """The lesson keys whose current run is complete."""
        rows = self._run(lambda conn: conn.execute(
            "SELECT lesson FROM lessons WHERE completed_at IS NOT NULL"
        ).fetchall())
        return {r[0] for r in rows}

    def completions(self) -> dict[str, int]:
        """lesson id -> how many of its variants were ever completed (any version of its numbers)."""
        rows = self._run(lambda conn: conn.execute("SELECT DISTINCT lesson FROM completions").fetchall())
        out: dict[str, int] = {}
        for (key,) in rows:
            lesson = key.partition("#")[0]
            out[lesson] = out.get(lesson, 0) + 1
        return out

    def variants_seen(self, lesson: str) -> set[int]:
        """The variant numbers of the lesson (by id) a student has started."""
        rows = self._run(lambda conn: conn.execute(
            "SELECT variant FROM lessons WHERE substr(lesson, 1, ?) = ?", (len(lesson) + 1, lesson + "#")
        ).fetchall())
        return {int(r[0]) for r in rows}

    def other_versions(self, lesson: str, variant: int, key: str) -> bool:
        """Work on the same lesson (by id) and variant under another key: the lesson's numbers or
        steps were edited since (a key is the lesson's id and a fingerprint of its numbers)."""
        row = self._run(lambda conn: conn.execute(
            "SELECT 1 FROM (SELECT lesson FROM attempts UNION SELECT lesson FROM accepted) AS a "
            "LEFT JOIN lessons AS l ON l.lesson = a.lesson "
            "WHERE substr(a.lesson, 1, ?) = ? AND a.lesson != ? AND COALESCE(l.variant, 0) = ? LIMIT 1",
            (len(lesson) + 1, lesson + "#", key, int(variant))).fetchone())
        return row is not None

    def next_variant(self, lesson: str, current: int = 0) -> int:
        """The first new numbers (variant ≥ 1) of the lesson (by id) not yet started."""
        seen = self.variants_seen(lesson) | {current}
        return next(k for k in range(1, len(seen) + 2) if k not in seen)

    def summary(self, lesson_id: str) -> "Summary":
        """How the current run of the lesson went (for the end-of-lesson summary)."""
        return self._run(lambda conn: _summary(conn, lesson_id))

    def attempts(self, lesson_id: str, step_id: str) -> list[tuple[str, bool, str | None]]:
        """This run's answers to one step, oldest first: (what was typed, right, why wrong)."""
        return [(text, bool(ok), why) for text, ok, why in self._run(lambda conn: conn.execute(
            f"SELECT text, correct, diagnosis FROM attempts WHERE lesson = ? AND step = ? AND run = {_RUN} "
            "ORDER BY id", (lesson_id, step_id, lesson_id)).fetchall())]

    def skills(self) -> dict[str, tuple[int, int]]:
        """skill -> (steps answered right at the first try, steps tried), over every attempt."""
        rows = self._run(lambda conn: conn.execute(
            "SELECT skill, lesson, run, step, correct FROM attempts WHERE skill IS NOT NULL ORDER BY id").fetchall())
        first: dict[tuple, tuple[str, int]] = {}
        for skill, lesson, run, step, ok in rows:
            first.setdefault((lesson, run, step), (skill, ok))
        out: dict[str, tuple[int, int]] = {}
        for skill, ok in first.values():
            right, tried = out.get(skill, (0, 0))
            out[skill] = (right + ok, tried + 1)
        return out

    def review(self) -> dict[str, tuple[int, int]]:
        """Lessons to practise again: lesson id -> (steps answered wrong, steps whose worked value
        was shown) in the lesson's latest run (any variant); a latest run without either is not listed."""

        def read(conn: sqlite3.Connection):
            runs = conn.execute(
                "SELECT lesson, run, MAX(at) FROM (SELECT lesson, run, at FROM attempts "
                "UNION ALL SELECT lesson, run, at FROM hints) GROUP BY lesson, run").fetchall()
            latest: dict[str, tuple[str, str, int]] = {}  # lesson id -> (at, key, run)
            for key, run, at in runs:
                lesson = key.partition("#")[0]
                if lesson not in latest or at > latest[lesson][0]:
                    latest[lesson] = (at, key, run)
            out = {}
            for lesson, (_at, key, run) in latest.items():
                wrong = conn.execute("SELECT COUNT(DISTINCT step) FROM attempts WHERE lesson = ? AND run = ? "
                                     "AND correct = 0", (key, run)).fetchone()[0]
                shown = conn.execute("SELECT COUNT(DISTINCT step) FROM hints WHERE lesson = ? AND run = ? "
                                     "AND revealed = 1", (key, run)).fetchone()[0]
                if wrong or shown:
                    out[lesson] = (wrong, shown)
            return out

        return self._run(read)

    def accepted_counts(self) -> dict[str, int]:
        """lesson key -> number of accepted steps (for progress bars)."""
        return dict(self._run(lambda conn: conn.execute(
            "SELECT lesson, COUNT(*) FROM accepted GROUP BY lesson"
        ).fetchall()))

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent); the last one out checkpoints the WAL."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    pass  # the checkpoint at close can fail on a full disk; the WAL keeps it
                self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self, sql: str, params: tuple) -> None:
        # The connection is in autocommit mode: a single statement is its own
        # transaction, committed (and in the WAL) before execute() returns.
        self._run(lambda conn: conn.execute(sql, params), write=True)

    def _run(self, work, write: bool = False):
        """``work(connection)`` under the lock; a failure of the file moves the store to
        memory, where ``work`` runs again (a failed statement was rolled back: nothing twice)."""
        with self._lock:
            conn = self._live()
            try:
                result = work(conn)
            except sqlite3.ProgrammingError:
                raise  # our mistake (or a closed store), not the disk's
            except sqlite3.Error as error:
                if self._ident is None:
                    raise  # already in memory: nothing to fall back to
                self._to_memory(_reason(error, self.path))
                return work(self._conn)
            if write and self._ident is not None and _file_id(self.path) != self._ident:
                # The file was deleted or replaced under us (its folder removed, say):
                # SQLite goes on writing into the unlinked file, which is lost at exit.
                self._to_memory(_pair(_REASONS, "moved"))
            return result

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("the progress store is closed")
        return self._conn


# -- helpers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One run of a lesson: steps answered; right at the first try; wrong answers; hint levels
    shown; steps whose worked value was revealed; seconds from the first answer or hint to the last."""

    steps: int
    first_try: int
    wrong: int
    hints: int
    revealed: int
    seconds: float


def _summary(conn: sqlite3.Connection, lesson_id: str) -> Summary:
    run = conn.execute("SELECT COALESCE(MAX(run), 0) FROM lessons WHERE lesson = ?", (lesson_id,)).fetchone()[0]
    rows = conn.execute("SELECT step, correct, at FROM attempts WHERE lesson = ? AND run = ? ORDER BY id",
                        (lesson_id, run)).fetchall()
    hints = conn.execute("SELECT step, level, at, revealed FROM hints WHERE lesson = ? AND run = ?",
                         (lesson_id, run)).fetchall()
    first: dict[str, int] = {}
    for step, ok, _at in rows:
        first.setdefault(step, ok)
    revealed = {step for step, _level, _at, shown in hints if shown}
    times = sorted([at for *_rest, at in rows] + [at for _s, _l, at, _r in hints])
    seconds = 0.0
    if len(times) >= 2:
        seconds = (datetime.fromisoformat(times[-1]) - datetime.fromisoformat(times[0])).total_seconds()
    hinted = {step for step, *_ in hints}
    return Summary(len(first), sum(1 for s, ok in first.items() if ok and s not in hinted),
                   sum(1 for _s, ok, _at in rows if not ok), len({(s, lv) for s, lv, _at, _r in hints}),
                   len(revealed), seconds)


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
