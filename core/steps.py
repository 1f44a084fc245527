"""A lesson's steps as its file writes them: a quantity to compute, or a question with options.

``read_steps`` reads the ``[[steps]]`` tables of a lesson (core.lesson reads the rest of the
file), reporting each problem through the loader's ``issue(field, message)`` so that a file
lists every issue at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from .graph import Problem
    from .tolerance import Tolerance

LANGS = ("en", "ru")
MAX_STEPS = 200
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_STEP_FIELDS = {"id", "quantity", "prompt", "hints", "answer", "exact", "tolerance", "mistakes", "options"}
#: what a choice step may hold (it has options instead of a quantity)
_CHOICE_FIELDS = {"id", "prompt", "hints", "options"}
MAX_MISTAKES = 20
#: a choice step offers 2 to 6 options (a to f)
MIN_OPTIONS, MAX_OPTIONS = 2, 6


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


def bilingual(data, key, issue, max_len: int) -> dict[str, str]:
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


def read_steps(raw, problem: Problem | None, issue) -> list[Step]:
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
        prompt = bilingual(s, "prompt", lambda f, m: issue(f"{p}.{f}", m), max_len=2000)
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
    if not isinstance(step_id, str) or not ID.match(step_id) or len(step_id) > 64:
        issue(f"{p}.id", "a choice step needs an id: a short string of lowercase letters, digits and '-'")
        return None
    if step_id in seen_ids:
        issue(f"{p}.id", f"duplicate step id {step_id!r}")
    seen_ids.add(step_id)
    prompt = bilingual(s, "prompt", lambda f, m: issue(f"{p}.{f}", m), max_len=2000)
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
        text = bilingual(o, "text", lambda f, m: issue(f"{op}.{f}", m), max_len=300)
        why = bilingual(o, "why", lambda f, m: issue(f"{op}.{f}", m), max_len=1000)
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
        message = bilingual(m, "message", lambda f, msg: issue(f"{mp}.{f}", msg), max_len=500)
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
