"""Lesson files: load, validate, and locate problems in them.

A lesson is a TOML file (data only) with English and Russian text side by side, a
``[problem]`` table for one problem kind, and ``[[steps]]`` that each name a quantity
of that problem or ask a question with options (read by :mod:`nntutor.core.steps`). ``load_lesson`` returns a :class:`Lesson` or raises
:class:`LessonError` carrying every :class:`Issue` found (file, field, line, message).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from .steps import ID as _ID
from .steps import LANGS, AuthoredMistake, Option, Step, bilingual, option_key, read_steps  # noqa: F401 (Lesson's face)

if TYPE_CHECKING:  # the engine (NumPy) loads only when a lesson is built, not to list lessons
    from .graph import Problem
    from .variants import VariantSpec

FORMAT_VERSION = 1
MAX_FILE_BYTES = 256 * 1024
MAX_TEXT = 20_000

#: tables and arrays nested in a lesson (a list of matrices is 3 deep)
MAX_DEPTH = 12
#: parts of one dotted key (``a.b.c`` has 3): tomllib's time grows with the square of it
MAX_KEY_PARTS = 32

# A dotted key of more than MAX_KEY_PARTS parts, bare or quoted (a 16 KB one costs tomllib a second).
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{MAX_KEY_PARTS},}}")
# Characters that a terminal acts on (ESC starts the sequences that clear the screen, set the
# window title or write the clipboard): C0 but tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TOP_FIELDS = {"format_version", "id", "unit", "title", "source", "text", "problem", "steps", "variants"}
#: issues listed for one file (a thousand broken fields would only bury the first)
MAX_ISSUES = 50


@dataclass(frozen=True)
class Issue:
    """One problem found in a lesson file."""

    file: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return _show_key(text)  # a file name may hold anything; the terminal must not act on it


class LessonError(Exception):
    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("\n".join(map(str, issues)))
        self.issues = issues


@dataclass(frozen=True)
class Lesson:
    id: str
    unit: str
    title: Mapping[str, str]
    text: Mapping[str, str]
    problem: Problem
    steps: tuple[Step, ...]
    path: Path
    fingerprint: str
    source: str = ""
    problem_data: Mapping[str, Any] = field(default_factory=dict, repr=False)
    #: which numbers these are: 0 the lesson's own, n > 0 drawn (core.variants)
    variant: int = 0
    #: how the lesson's numbers vary (``spec.varies``), or why they are fixed (``spec.fixed``)
    variants: "VariantSpec | None" = field(default=None, repr=False)

    @property
    def progress_key(self) -> str:
        return progress_key(self.id, self.fingerprint)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


# -- loading ---------------------------------------------------------------------------

def load_lesson(path: str | Path, variant: int = 0) -> Lesson:
    """Load and validate one lesson file, in its own numbers or new ones (``variant`` > 0);
    raise LessonError listing every issue."""
    data, source = read_toml(path)
    return lesson_from_data(data, Path(path), source, variant)


def read_toml(path: str | Path) -> tuple[dict[str, Any], str]:
    """A lesson file's TOML and its text, in bounded time and memory whatever the path is.

    Only a regular file is read (a FIFO, a device such as /dev/zero or a directory is refused
    without reading it), at most MAX_FILE_BYTES of it; a UTF-8 byte-order mark is skipped; a
    dotted key too long for tomllib's quadratic reader and nesting deeper than MAX_DEPTH are
    refused. Raises LessonError with one issue naming the file.
    """
    name = str(path)

    def refuse(message: str, line: int | None = None) -> LessonError:
        return LessonError([Issue(name, "", message, line)])

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer (no effect on a regular file)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise refuse(f"cannot read the file ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, a pipe or a socket)"
            raise refuse(f"cannot read the file: it is {what}")
        if st.st_size > MAX_FILE_BYTES:
            raise refuse(f"file too large ({st.st_size} bytes; at most {MAX_FILE_BYTES})")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:  # a file growing as we read stops at the cap all the same
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise refuse(f"cannot read the file ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(f"file too large (more than {MAX_FILE_BYTES} bytes)")
    try:
        source = raw.decode("utf-8-sig")  # editors on Windows start UTF-8 files with a BOM
    except UnicodeDecodeError as exc:
        raise refuse(f"not UTF-8 text (byte {exc.start})") from None
    long_key = _LONG_KEY.search(source)
    if long_key:
        line = source.count("\n", 0, long_key.start()) + 1
        raise refuse(f"a dotted key with more than {MAX_KEY_PARTS} parts: not a lesson's key", line)
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise refuse(f"not valid TOML: {exc}", _toml_error_line(str(exc))) from None
    except RecursionError:
        raise refuse(f"arrays or tables nested too deeply (at most {MAX_DEPTH} levels)") from None
    return data, source


def lesson_from_data(data: Mapping[str, Any], path: Path, source: str = "", variant: int = 0) -> Lesson:
    name = str(path)
    issues: list[Issue] = []
    unlisted = 0

    def issue(fld: str, message: str) -> None:
        nonlocal unlisted
        if len(issues) < MAX_ISSUES:  # locating each one reads the file: keep a broken file cheap
            issues.append(Issue(name, fld, message, locate(source, fld)))
        else:
            unlisted += 1

    def refuse() -> LessonError:
        if unlisted:
            issues.append(Issue(name, "", f"{unlisted} more issue(s) not listed: fix these first"))
        return LessonError(issues)

    for fld, message, fatal in _unsafe_strings(data):
        issue(fld, message)
        if fatal:  # nothing below walks data nested this deep
            raise refuse()
    version = data.get("format_version")
    if version is None:
        issue("format_version", f"missing (this nntutor reads format_version = {FORMAT_VERSION})")
    elif version != FORMAT_VERSION:
        issue("format_version", f"is {version!r}; this nntutor reads format_version = {FORMAT_VERSION}")
    for key in data:
        if key not in _TOP_FIELDS:
            issue(key, f"unknown field (known: {', '.join(sorted(_TOP_FIELDS))})")

    lesson_id = data.get("id")
    if not isinstance(lesson_id, str) or not _ID.match(lesson_id):
        issue("id", "missing or not a short id of lowercase letters, digits and '-' (e.g. \"layer-by-layer\")")
        lesson_id = path.stem
    unit = data.get("unit")
    if not isinstance(unit, str) or not _ID.match(unit):
        issue("unit", "missing or not a short id of lowercase letters, digits and '-'")
        unit = ""
    title = bilingual(data, "title", issue, max_len=120)
    text = bilingual(data, "text", issue, max_len=MAX_TEXT)
    source_note = data.get("source", "")
    if not isinstance(source_note, str):
        issue("source", "must be a string")
        source_note = ""

    from .kinds import DataError, build_problem

    problem_data = data.get("problem")
    problem: Problem | None = None
    if not isinstance(problem_data, Mapping):
        issue("problem", "missing: a [problem] table with a kind and its data is required")
    else:
        try:
            problem = build_problem(problem_data)
        except DataError as exc:
            issue(exc.field, exc.message)
        except (ValueError, TypeError, ArithmeticError) as exc:  # a builder's own check
            issue("problem", f"cannot build the problem: {exc}")
        except Exception as exc:  # noqa: BLE001 -- a kind's slip must not crash the app: name it
            issue("problem", f"the engine cannot build this problem ({type(exc).__name__}: {exc}); "
                             "check its fields against lessons/README.md")
        else:  # every value, computed once: none may fail, overflow or be too large for hand work
            from .validate import value_issues

            for fld, message in value_issues(problem, problem_data):
                issue(fld, message)
    spec = None
    if problem is not None and not issues:
        spec, problem, problem_data = _variant(data.get("variants"), problem, problem_data, lesson_id, variant,
                                               issue)
    steps = read_steps(data.get("steps"), problem, issue)

    if issues:
        raise refuse()
    assert problem is not None
    from .variants import fill_texts

    text, steps = fill_texts(problem, text, steps, variant)
    return Lesson(
        id=lesson_id, unit=unit, title=title, text=text, problem=problem, steps=tuple(steps),
        path=path, fingerprint=fingerprint(problem_data, [_pair(s) for s in steps]), source=source_note,
        problem_data=problem_data, variant=variant, variants=spec,
    )


def _variant(raw, problem: Problem, problem_data, lesson_id: str, n: int, issue):
    """The lesson's variant spec, checked against its own numbers, and variant ``n``'s problem and data."""
    from .kinds import build_problem
    from .validate import value_issues
    from .variants import NONE, VariantError, build_variant, meets, read_spec

    try:
        spec = read_spec(raw, problem_data)
        values = problem.evaluate()
        for i, req in enumerate(spec.require, start=1):
            unknown = [name for name in req.names if name not in problem]
            if unknown:
                raise VariantError(f"variants.require[{i}]", f"the problem has no quantity {unknown[0]!r}")
            if not meets(type(spec)(require=(req,)), values):
                raise VariantError(f"variants.require[{i}]", f"the lesson's own numbers do not meet {req.text!r}")
    except VariantError as exc:
        issue(exc.field, exc.message)
        return NONE, problem, problem_data
    if n == 0:
        return spec, problem, problem_data
    if not spec.varies:
        why = f": {spec.fixed['en']}" if spec.fixed else " (it has no [variants] table)"
        issue("variants", f"this lesson's numbers do not vary{why}")
        return spec, problem, problem_data
    try:
        data, drawn = build_variant(problem_data, spec, lesson_id, n, build_problem,
                                    lambda p, d: bool(value_issues(p, d)))
    except VariantError as exc:
        issue(exc.field, exc.message)
        return spec, problem, problem_data
    return spec, drawn, data


def _pair(step: Step) -> tuple[str, str]:
    """What of a step decides its values: its quantity, or which option of a choice is right."""
    return (step.id, f"choice:{step.correct}" if step.is_choice else step.quantity)


def _raw_pair(st: Mapping[str, Any]) -> tuple[str, str]:
    """:func:`_pair` of a step as the TOML holds it (the home screen reads no more than that)."""
    if "options" in st:
        right = next((i for i, o in enumerate(st["options"]) if isinstance(o, Mapping) and o.get("correct") is True), -1)
        return (str(st.get("id", "")), f"choice:{right}")
    return (str(st.get("id", st["quantity"])), st["quantity"])


def fingerprint(problem_data: Mapping[str, Any], steps: list[tuple[str, str]]) -> str:
    """A short digest of what decides the values: the problem data and the (id, quantity)
    of each step, in order.

    Progress is keyed by it, so editing prose keeps a student's progress while changing
    numbers or steps starts the lesson afresh.
    """
    blob = json.dumps({"problem": problem_data, "steps": [list(pair) for pair in steps]},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def progress_key(lesson_id: str, fp: str) -> str:
    """Progress is kept per lesson id and per version of its numbers."""
    return f"{lesson_id}#{fp}"


@dataclass(frozen=True)
class LessonMeta:
    """What the home screen needs of a lesson, read without building its problem."""

    id: str
    unit: str
    title: Mapping[str, str]
    steps: int
    fingerprint: str
    #: the lesson offers new numbers (a [variants] table with vary)
    varies: bool = False

    @property
    def progress_key(self) -> str:
        return progress_key(self.id, self.fingerprint)


def read_meta(path: str | Path) -> LessonMeta:
    """Title, step count and fingerprint of a lesson file; LessonError if even those are broken.

    Cheap (TOML only, no engine): the full check happens when the lesson is opened.
    """
    data, _source = read_toml(path)
    title, steps, problem = data.get("title"), data.get("steps"), data.get("problem")
    if (data.get("format_version") != FORMAT_VERSION or not isinstance(data.get("id"), str)
            or not isinstance(title, Mapping) or not all(isinstance(title.get(lang), str) for lang in LANGS)
            or not isinstance(steps, list) or not steps or not isinstance(problem, Mapping)
            or not all(isinstance(st, Mapping) and (isinstance(st.get("quantity"), str)
                                                     or isinstance(st.get("options"), list)) for st in steps)
            or next(_unsafe_strings({"id": data["id"], "title": title}), None)):
        raise LessonError([Issue(str(path), "", "not a complete lesson: run `nntutor check` on it")])
    pairs = [_raw_pair(st) for st in steps]
    variants = data.get("variants")
    return LessonMeta(data["id"], str(data.get("unit", "")), {lang: title[lang] for lang in LANGS},
                      len(steps), fingerprint(problem, pairs), isinstance(variants, Mapping) and "vary" in variants)


def _unsafe_strings(data: Any, where: str = "", depth: int = 0):
    """(field, message, fatal) for every string holding a control character (a lesson's strings
    reach the terminal as they are) and, fatal, the first table or array nested deeper than
    MAX_DEPTH."""
    if isinstance(data, str):
        bad = _CONTROL.search(data)
        if bad:
            yield where, (f"holds the control character U+{ord(bad[0]):04X} at character {bad.start() + 1}: "
                          "only newlines and tabs may stand in a lesson's text"), False
        return
    if isinstance(data, (Mapping, list)) and depth >= MAX_DEPTH:
        yield where, f"nested too deeply (at most {MAX_DEPTH} levels of tables and arrays)", True
        return
    if isinstance(data, Mapping):
        for key, value in data.items():
            field_name = f"{where}.{_show_key(key)}" if where else _show_key(key)
            yield from _unsafe_strings(key, field_name, depth)
            yield from _unsafe_strings(value, field_name, depth + 1)
    elif isinstance(data, list):
        for n, item in enumerate(data, start=1):
            yield from _unsafe_strings(item, f"{where}[{n}]", depth + 1)


def _show_key(key: str) -> str:
    """Text that is safe to print: control characters written as \\uXXXX escapes."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", key)


# -- finding lines ---------------------------------------------------------------------

_SEG = re.compile(r"([A-Za-z0-9_\-]+)(?:\[(\d+)\])?")


def locate(source: str, field_path: str) -> int | None:
    """Best-effort line number (1-based) of a dotted field path such as
    ``steps[3].quantity`` or ``problem.layers[2].W`` in TOML source."""
    if not source or not field_path:
        return None
    lines = source.splitlines()
    segments = [(m[1], int(m[2]) if m[2] else None) for m in _SEG.finditer(field_path)]
    start, prefix = 0, ""
    found: int | None = None
    for depth, (name, index) in enumerate(segments):
        full = f"{prefix}.{name}" if prefix else name
        last = depth == len(segments) - 1
        if index is not None:
            header = re.compile(rf"^\s*\[\[\s*{re.escape(full)}\s*\]\]")
            hits = [n for n in range(start, len(lines)) if header.match(lines[n])]
            if len(hits) < index:
                return found
            start = hits[index - 1]
            found = start + 1
        else:
            table = re.compile(rf"^\s*\[\s*{re.escape(full)}\s*\]")
            key = re.compile(rf"^\s*{re.escape(name)}\s*[=.]")
            dotted = re.compile(rf"\.\s*{re.escape(name)}\s*[=.]")
            if depth and dotted.search(lines[start]):  # title.en = ... on one line
                found = start + 1
                prefix = full
                continue
            hit = next((n for n in range(start, len(lines)) if table.match(lines[n])), None)
            if hit is None:
                hit = next((n for n in range(start, len(lines)) if key.match(lines[n])), None)
            if hit is None:
                return found
            start = hit
            found = hit + 1
        prefix = full
        if last:
            break
    return found


def _toml_error_line(message: str) -> int | None:
    m = re.search(r"at line (\d+)", message)
    return int(m[1]) if m else None
