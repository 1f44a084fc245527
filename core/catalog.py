"""The bundled course: units in order, each with its lessons in order (``lessons/index.toml``).

One broken lesson never stops the app: the catalog records it as an entry with issues,
and the home screen shows it as unavailable.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .lesson import FORMAT_VERSION, Issue, Lesson, LessonError, LessonMeta, load_lesson, read_meta

INDEX = "index.toml"
#: Each bundled lesson's metadata with the SHA-256 of its file, written by
#: ``python -m nntutor.core.catalog``: the home screen reads it instead of parsing every
#: lesson (38 TOML files cost ~50 ms at start); a file whose hash differs is parsed as usual.
META = "meta.json"


def lessons_dir() -> Path:
    """Where the bundled lessons live (works for wheels and editable installs)."""
    # nntutor.lessons is a data-only namespace package: look along its __path__
    # (importlib.resources cannot read namespace paths of an editable install).
    import nntutor.lessons

    for entry in nntutor.lessons.__path__:
        if (Path(entry) / INDEX).is_file():
            return Path(entry)
    raise FileNotFoundError("the bundled lessons are missing: reinstall nntutor")


@dataclass(frozen=True)
class Entry:
    """One lesson of the index: its metadata, the loaded lesson (full catalogs), or the
    issues that stopped it loading."""

    id: str
    path: Path
    lesson: Lesson | None
    issues: tuple[Issue, ...] = ()
    meta: LessonMeta | None = None

    def load(self, variant: int = 0) -> Lesson:
        """The full lesson (built now if this entry came from a light catalog), in its own numbers
        or in variant ``variant``'s."""
        if self.lesson is not None and variant == 0:
            return self.lesson
        if self.issues:
            raise LessonError(list(self.issues))
        return load_lesson(self.path, variant)


@dataclass(frozen=True)
class Unit:
    id: str
    number: int
    title: Mapping[str, str]
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Catalog:
    units: tuple[Unit, ...]
    issues: tuple[Issue, ...] = ()

    def entries(self):
        for unit in self.units:
            yield from unit.entries

    def find(self, lesson_id: str) -> Entry | None:
        return next((e for e in self.entries() if e.id == lesson_id), None)

    def ids(self) -> list[str]:
        return [e.id for e in self.entries()]


def load_catalog(root: Path | None = None, light: bool = False) -> Catalog:
    """Read the index and every lesson it lists; problems become issues, never exceptions.

    ``light`` reads only each lesson's metadata (no engine, no NumPy): enough for the
    home screen, which builds a lesson when it is opened.
    """
    root = root or lessons_dir()
    index_path = root / INDEX
    name = str(index_path)
    try:
        data = tomllib.loads(index_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return Catalog((), (Issue(name, "", f"cannot read the lesson index: {exc}"),))
    issues: list[Issue] = []
    shipped = _read_shipped_meta(root) if light else {}
    if data.get("format_version") != FORMAT_VERSION:
        issues.append(Issue(name, "format_version", f"must be {FORMAT_VERSION}"))
    units: list[Unit] = []
    seen: set[str] = set()
    raw_units = data.get("units")
    if not isinstance(raw_units, list):
        return Catalog((), (Issue(name, "units", "missing: a list of [[units]] tables"),))
    for n, u in enumerate(raw_units, start=1):
        where = f"units[{n}]"
        if not isinstance(u, Mapping) or not isinstance(u.get("id"), str) or not isinstance(u.get("dir"), str):
            issues.append(Issue(name, where, "each unit needs an id and a dir"))
            continue
        title = u.get("title") if isinstance(u.get("title"), Mapping) else {}
        entries = []
        lesson_ids = u.get("lessons", [])
        if not isinstance(lesson_ids, list) or not all(isinstance(i, str) for i in lesson_ids):
            issues.append(Issue(name, f"{where}.lessons", "must be a list of lesson ids"))
            lesson_ids = []
        for lesson_id in lesson_ids:
            path = root / u["dir"] / f"{lesson_id}.toml"
            if lesson_id in seen:
                issues.append(Issue(name, f"{where}.lessons", f"lesson {lesson_id!r} is listed twice"))
                continue
            seen.add(lesson_id)
            entries.append(_light_entry(lesson_id, path, shipped.get(f"{u['dir']}/{lesson_id}.toml"))
                           if light else _entry(lesson_id, u["id"], path))
        units.append(Unit(u["id"], int(u.get("number", n)), {k: str(v) for k, v in title.items()},
                          tuple(entries)))
    return Catalog(tuple(units), tuple(issues))


def _light_entry(lesson_id: str, path: Path, shipped: Mapping | None = None) -> Entry:
    if shipped is not None:
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() == shipped.get("sha256"):
                return Entry(lesson_id, path, None, meta=LessonMeta(
                    shipped["id"], shipped["unit"], dict(shipped["title"]), int(shipped["steps"]),
                    shipped["fingerprint"], bool(shipped.get("varies", False))))
        except (OSError, KeyError, TypeError, ValueError):
            pass  # read the file itself below, and report what is wrong with it there
    try:
        return Entry(lesson_id, path, None, meta=read_meta(path))
    except LessonError as exc:
        return Entry(lesson_id, path, None, tuple(exc.issues))


def _read_shipped_meta(root: Path) -> Mapping[str, Mapping]:
    try:
        data = json.loads((root / META).read_text(encoding="utf-8"))
        lessons = data["lessons"] if data.get("format") == 1 else {}
        return lessons if isinstance(lessons, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def shipped_meta(root: Path | None = None) -> str:
    """The text of META for the lessons under ``root``: every lesson of the index that loads."""
    root = root or lessons_dir()
    catalog = load_catalog(root)  # every lesson read and built in full, not taken from META
    out = {}
    for entry in catalog.entries():
        m = entry.meta
        if m is None:
            continue
        out[f"{entry.path.parent.name}/{entry.path.name}"] = {
            "sha256": hashlib.sha256(entry.path.read_bytes()).hexdigest(), "id": m.id, "unit": m.unit,
            "title": dict(m.title), "steps": m.steps, "fingerprint": m.fingerprint, "varies": m.varies}
    return json.dumps({"format": 1, "lessons": out}, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _entry(lesson_id: str, unit_id: str, path: Path) -> Entry:
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        return Entry(lesson_id, path, None, tuple(exc.issues))
    problems = []
    if lesson.id != lesson_id:
        problems.append(Issue(str(path), "id", f"is {lesson.id!r} but the index lists {lesson_id!r}"))
    if lesson.unit != unit_id:
        problems.append(Issue(str(path), "unit", f"is {lesson.unit!r} but the index puts it in {unit_id!r}"))
    if problems:
        return Entry(lesson_id, path, None, tuple(problems))
    meta = LessonMeta(lesson.id, lesson.unit, lesson.title, len(lesson.steps), lesson.fingerprint,
                      lesson.variants is not None and lesson.variants.varies)
    return Entry(lesson_id, path, lesson, meta=meta)


if __name__ == "__main__":  # python -m nntutor.core.catalog: rewrite lessons/meta.json
    target = lessons_dir() / META
    target.write_text(shipped_meta(), encoding="utf-8")
    print(f"wrote {target}")
