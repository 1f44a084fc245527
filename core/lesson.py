"""Lesson files: load, validate, and locate problems in them.

A lesson is a TOML file (data only) with English and Russian text side by side, a
``[problem]`` table for one problem kind, and ``[[steps]]`` that each name a quantity
of that problem. ``load_lesson`` returns a :class:`Lesson` or raises
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

if TYPE_CHECKING:  # the engine (NumPy) loads only when a lesson is built, not to list lessons
    from .graph import Problem
    from .tolerance import Tolerance
    from .variants import VariantSpec

FORMAT_VERSION = 1
LANGS = ("en", "ru")
MAX_FILE_BYTES = 256 * 1024
MAX_STEPS = 200
MAX_TEXT = 20_000

#: tables and arrays nested in a lesson (a list of matrices is 3 deep)
MAX_DEPTH = 12
#: parts of one dotted key (``a.b.c`` has 3): tomllib's time grows with the square of it
MAX_KEY_PARTS = 32

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# A dotted key of more than MAX_KEY_PARTS parts, bare or quoted (a 16 KB one costs tomllib a second).
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_LONG_KEY = re.compile(rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART}){{{MAX_KEY_PARTS},}}")
# Characters that a terminal acts on (ESC starts the sequences that clear the screen, set the
# window title or write the clipboard): C0 but tab and newline, DEL, C1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TOP_FIELDS = {"format_version", "id", "unit", "title", "source", "text", "problem", "steps", "variants"}
_STEP_FIELDS = {"id", "quantity", "prompt", "hints", "answer", "exact", "tolerance", "mistakes", "options"}
#: what a choice step may hold (it has options instead of a quantity)
_CHOICE_FIELDS = {"id", "prompt", "hints", "options"}
MAX_MISTAKES = 20
#: a choice step offers 2 to 6 options (a to f)
MIN_OPTIONS, MAX_OPTIONS = 2, 6
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
class AuthoredMistake:
    """An author's wrong answer with its own message (``[[steps.mistakes]]``)."""

    answer: str
    message: Mapping[str, str]


@dataclass(frozen=True)
class Option:
    """One answer of a choice step, with the explanation shown once it is picked."""

    text: Mapping[str, str]
    why: Mapping[str, str]
    correct: bool = False


@dataclass(frozen=True)
class Step:
    id: str
    #: the quantity the step asks for ("" for a choice step)
    quantity: str
    prompt: Mapping[str, str]
    hints: Mapping[str, tuple[str, ...]]
    answer: str | None = None
    exact: bool = False
    rel: float | None = None
    mistakes: tuple[AuthoredMistake, ...] = ()
    #: the absolute floor under which a difference is ignored (None: Tolerance's default)
    abs: float | None = None
    #: a choice step's options (empty for a step that asks for a quantity)
    options: tuple[Option, ...] = ()

    @property
    def is_choice(self) -> bool:
        """The step is a question with options, not a value to compute."""
        return bool(self.options)

    @property
    def correct(self) -> int:
        """The index of a choice step's right option."""
        return next(i for i, o in enumerate(self.options) if o.correct)

    def tolerance(self) -> "Tolerance":
        """How close a typed value must be for this step: the defaults, with the author's overrides."""
        from .tolerance import Tolerance  # NumPy: not needed to list lessons

        return Tolerance(rel=Tolerance.rel if self.rel is None else self.rel,
                         abs=Tolerance.abs if self.abs is None else self.abs, exact=self.exact)


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
    title = _bilingual(data, "title", issue, max_len=120)
    text = _bilingual(data, "text", issue, max_len=MAX_TEXT)
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
    steps = _steps(data.get("steps"), problem, issue)

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


def _bilingual(data, key, issue, max_len: int) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, Mapping):
        issue(key, f"missing: {key}.en and {key}.ru are required")
        return {lang: "" for lang in LANGS}
    out = {}
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            issue(f"{key}.{lang}", "missing or empty")
            text = ""
        elif len(text) > max_len:
            issue(f"{key}.{lang}", f"too long ({len(text)} characters; at most {max_len})")
        out[lang] = text
    for extra in value:
        if extra not in LANGS:
            issue(f"{key}.{extra}", f"unknown language (known: {', '.join(LANGS)})")
    return out


def _steps(raw, problem: Problem | None, issue) -> list[Step]:
    if not isinstance(raw, list) or not raw:
        issue("steps", "missing: at least one [[steps]] table is required")
        return []
    if len(raw) > MAX_STEPS:
        issue("steps", f"too many steps ({len(raw)}; at most {MAX_STEPS})")
        return []
    steps: list[Step] = []
    seen_ids: set[str] = set()
    seen_quantities: set[str] = set()
    for i, s in enumerate(raw, start=1):
        p = f"steps[{i}]"
        if not isinstance(s, Mapping):
            issue(p, "must be a table")
            continue
        if "options" in s:
            step = _choice_step(s, p, issue, seen_ids)
            if step is not None:
                steps.append(step)
            continue
        for key in s:
            if key not in _STEP_FIELDS:
                issue(f"{p}.{key}", f"unknown field (known: {', '.join(sorted(_STEP_FIELDS))})")
        quantity = s.get("quantity")
        if not isinstance(quantity, str) or not quantity:
            issue(f"{p}.quantity", "missing: name the quantity this step asks for (or give [[steps.options]] "
                                  "for a question with options)")
            continue
        if problem is not None and quantity not in problem:
            near = _near(quantity, problem.keys())
            issue(f"{p}.quantity", f"the problem has no quantity {quantity!r}"
                                   + (f" (did you mean {near!r}?)" if near else "")
                                   + f"; it has: {', '.join(problem.keys())}")
        if quantity in seen_quantities:
            issue(f"{p}.quantity", f"{quantity!r} is already asked for by an earlier step")
        seen_quantities.add(quantity)
        step_id = s.get("id", quantity)
        if not isinstance(step_id, str) or not step_id or len(step_id) > 64:
            issue(f"{p}.id", "must be a short string")
            step_id = quantity
        if step_id in seen_ids and "id" in s:
            issue(f"{p}.id", f"duplicate step id {step_id!r}")
        seen_ids.add(step_id)
        prompt = _bilingual(s, "prompt", lambda f, m: issue(f"{p}.{f}", m), max_len=2000)
        hints = _hints(s.get("hints"), p, issue)
        answer = s.get("answer")
        if answer is not None and not isinstance(answer, str):
            issue(f"{p}.answer", "must be a string, as a student would type it (e.g. \"2 -1\")")
            answer = None
        exact = s.get("exact", False)
        if not isinstance(exact, bool):
            issue(f"{p}.exact", "must be true or false")
            exact = False
        rel = abs_ = None
        tol = s.get("tolerance")
        if tol is not None:
            def number(name: str) -> bool:
                v = tol.get(name)
                return isinstance(v, (int, float)) and not isinstance(v, bool)
            if (not isinstance(tol, Mapping) or not tol or set(tol) - {"rel", "abs"}
                    or ("rel" in tol and not (number("rel") and 0 < tol["rel"] < 0.5))
                    or ("abs" in tol and not (number("abs") and 0 <= tol["abs"] < 1))):
                issue(f"{p}.tolerance", "must be a table such as { rel = 0.01 } (0 < rel < 0.5) or { abs = 0 } "
                                        "(0 ≤ abs < 1)")
            else:
                rel = float(tol["rel"]) if "rel" in tol else None
                abs_ = float(tol["abs"]) if "abs" in tol else None
        mistakes = _mistakes(s.get("mistakes"), p, issue)
        steps.append(Step(step_id, quantity, prompt, hints, answer, exact, rel, mistakes, abs_))
    if steps and all(st.is_choice for st in steps):
        issue("steps", "every step is a choice: a lesson needs at least one step that asks for a value "
                       "(a choice step sits between computed steps)")
    return steps


def _choice_step(s: Mapping[str, Any], p: str, issue, seen_ids: set[str]) -> Step | None:
    """A question with options (``[[steps.options]]``): text, why, and exactly one ``correct``."""
    for key in s:
        if key not in _CHOICE_FIELDS:
            issue(f"{p}.{key}", f"not a field of a choice step (a step with options has: "
                                f"{', '.join(sorted(_CHOICE_FIELDS))})")
    step_id = s.get("id")
    if not isinstance(step_id, str) or not _ID.match(step_id) or len(step_id) > 64:
        issue(f"{p}.id", "a choice step needs an id: a short string of lowercase letters, digits and '-'")
        return None
    if step_id in seen_ids:
        issue(f"{p}.id", f"duplicate step id {step_id!r}")
    seen_ids.add(step_id)
    prompt = _bilingual(s, "prompt", lambda f, m: issue(f"{p}.{f}", m), max_len=2000)
    hints = _hints(s.get("hints"), p, issue)
    raw = s.get("options")
    if not isinstance(raw, list) or not MIN_OPTIONS <= len(raw) <= MAX_OPTIONS:
        issue(f"{p}.options", f"must be {MIN_OPTIONS} to {MAX_OPTIONS} [[steps.options]] tables")
        return None
    options = []
    for n, o in enumerate(raw, start=1):
        op = f"{p}.options[{n}]"
        if not isinstance(o, Mapping) or set(o) - {"text", "why", "correct"}:
            issue(op, "must be a table with text.en / text.ru, why.en / why.ru and, on the right one, correct = true")
            continue
        correct = o.get("correct", False)
        if not isinstance(correct, bool):
            issue(f"{op}.correct", "must be true or false")
            correct = False
        text = _bilingual(o, "text", lambda f, m: issue(f"{op}.{f}", m), max_len=300)
        why = _bilingual(o, "why", lambda f, m: issue(f"{op}.{f}", m), max_len=1000)
        options.append(Option(text, why, correct))
    right = sum(o.correct for o in options)
    if len(options) == len(raw) and right != 1:
        issue(f"{p}.options", f"exactly one option must say correct = true ({right} do)")
        return None
    for lang in LANGS:
        seen: dict[str, int] = {}
        for n, o in enumerate(options, start=1):
            key = option_key(o.text[lang])
            if key and key in seen:
                issue(f"{p}.options[{n}].text.{lang}", f"the same as option {seen[key]}: a student could not tell "
                                                        "them apart")
            seen.setdefault(key, n)
    return Step(step_id, "", prompt, hints, options=tuple(options))


def option_key(text: str) -> str:
    """An option's text as a typed answer is matched against it (case, spaces and a final stop ignored)."""
    return " ".join(text.casefold().split()).rstrip(".!")


def _mistakes(raw, p: str, issue) -> tuple[AuthoredMistake, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_MISTAKES:
        issue(f"{p}.mistakes", f"must be up to {MAX_MISTAKES} [[steps.mistakes]] tables")
        return ()
    out = []
    for n, m in enumerate(raw, start=1):
        mp = f"{p}.mistakes[{n}]"
        if not isinstance(m, Mapping) or set(m) - {"answer", "message"}:
            issue(mp, "must be a table with answer and message.en / message.ru")
            continue
        answer = m.get("answer")
        if not isinstance(answer, str) or not answer.strip():
            issue(f"{mp}.answer", "missing: the wrong answer, typed as a student would")
            continue
        message = _bilingual(m, "message", lambda f, msg: issue(f"{mp}.{f}", msg), max_len=500)
        out.append(AuthoredMistake(answer, message))
    return tuple(out)


def _hints(raw, p: str, issue) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {lang: () for lang in LANGS}
    if not isinstance(raw, Mapping):
        issue(f"{p}.hints", "must be a table with en and ru lists")
        return {lang: () for lang in LANGS}
    out = {}
    for lang in LANGS:
        items = raw.get(lang, [])
        if not isinstance(items, list) or not all(isinstance(h, str) and h.strip() for h in items):
            issue(f"{p}.hints.{lang}", "must be a list of non-empty strings")
            items = []
        out[lang] = tuple(items)
    if len(out["en"]) != len(out["ru"]):
        issue(f"{p}.hints", f"en has {len(out['en'])} hints but ru has {len(out['ru'])}: give each hint in both")
    return out


def _near(word: str, options) -> str | None:
    import difflib

    options = list(options)
    same_case = [o for o in options if o.lower() == word.lower()]
    if same_case:
        return same_case[0]
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


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
