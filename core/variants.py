"""New numbers for a lesson: which givens vary, how, and what must hold of every variant.

A lesson declares its variants in a ``[variants]`` table (lessons/README.md)::

    [variants]
    vary = [
      { given = "x", values = [-2, -1, 1, 2] },              # each entry drawn from a set
      { given = "layers.0.W", range = [-2, 2], step = 0.5 },  # or from lo..hi in steps (default 1)
      { given = "learning_rate", values = [0.5, 1] },
    ]
    require = ["z1[1] < 0", "z1[0] > 0", "y_hat != y"]        # on any quantity of the problem

or says why its numbers must stay as they are: ``fixed = "the sheet's truth table"``.

Variant 0 is the lesson's own numbers. Variant n > 0 is drawn from integers alone: every pick
is a SHA-256 digest of (lesson id, n, attempt, the given's path, the entry), reduced to an
index into the given's allowed values -- the same numbers for the same n on every machine and
NumPy version. A draw whose problem cannot be built, whose values fail the loader's checks
(non-finite, too large for hand work) or that breaks a requirement is drawn again (attempt
1, 2, …, up to :data:`MAX_ATTEMPTS`).

A requirement compares two expressions (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``) made of
numbers, quantity keys with optional indices (``z1[1]``, ``W1[0,1]``), ``+ - * /``,
parentheses and ``abs(…)``; it holds when it holds for every entry. ``distinct(key)`` holds
when no two entries of a quantity are equal. Requirements are parsed here, never evaluated
as Python.
"""

from __future__ import annotations

import copy
import hashlib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from .template import fill

import numpy as np

#: Draws tried for one variant before it is declared impossible.
MAX_ATTEMPTS = 200
MAX_VARY = 40
MAX_CHOICES = 400
MAX_REQUIRE = 20
MAX_REQUIRE_LEN = 200
_PATH_PART = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*|\d{1,3})$")


class VariantError(ValueError):
    """A ``[variants]`` table that cannot be used: ``field`` is where, ``message`` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class Vary:
    """One given that varies: ``path`` into ``[problem]``, each entry drawn from ``choices``."""

    path: tuple[str | int, ...]
    choices: tuple[float, ...]
    #: another varying given this one copies once drawn (rows that must stay equal), or None
    like: tuple[str | int, ...] | None = None


@dataclass(frozen=True)
class Requirement:
    text: str
    holds: Callable[[Mapping[str, np.ndarray]], bool]
    names: tuple[str, ...]


@dataclass(frozen=True)
class VariantSpec:
    vary: tuple[Vary, ...] = ()
    require: tuple[Requirement, ...] = ()
    #: why the numbers must not vary, per language (None: they vary, or nothing is said)
    fixed: Mapping[str, str] | None = None
    #: numbers the text writes out that are no value of the problem (the 2 of a derivative)
    literal: tuple[float, ...] = ()

    @property
    def varies(self) -> bool:
        return bool(self.vary)


NONE = VariantSpec()


# -- reading the table ---------------------------------------------------------------------

def read_spec(raw: Any, problem_data: Mapping[str, Any]) -> VariantSpec:
    """The ``[variants]`` table of a lesson (absent: no variants); VariantError names the field."""
    if raw is None:
        return NONE
    if not isinstance(raw, Mapping):
        raise VariantError("variants", "must be a table: [variants] with vary = [...] and require = [...]")
    unknown = sorted(set(raw) - {"vary", "require", "fixed", "literal"})
    if unknown:
        raise VariantError(f"variants.{unknown[0]}", "unknown field (known: fixed, literal, require, vary)")
    literal = raw.get("literal", [])
    if not isinstance(literal, list) or len(literal) > MAX_CHOICES or not all(_is_number(v) for v in literal):
        raise VariantError("variants.literal", "must list numbers the text writes that are no value of the "
                                               "problem, e.g. [2] for the 2 of a derivative")
    fixed = raw.get("fixed")
    if fixed is not None:
        if isinstance(fixed, str):
            fixed = {"en": fixed, "ru": fixed}
        if (not isinstance(fixed, Mapping) or set(fixed) != {"en", "ru"}
                or not all(isinstance(v, str) and v.strip() for v in fixed.values())):
            raise VariantError("variants.fixed", "must say why the numbers must not vary, in both languages: "
                                                 "fixed.en = \"…\" and fixed.ru = \"…\"")
        if "vary" in raw:
            raise VariantError("variants.fixed", "a lesson whose numbers are fixed cannot also vary them")
        return VariantSpec(fixed={k: v.strip() for k, v in fixed.items()})
    vary_raw = raw.get("vary")
    if not isinstance(vary_raw, list) or not vary_raw:
        raise VariantError("variants.vary", "must list the givens that vary, e.g. [{ given = \"x\", "
                                            "range = [-2, 2] }] (or write fixed = \"why\")")
    if len(vary_raw) > MAX_VARY:
        raise VariantError("variants.vary", f"lists {len(vary_raw)} givens; at most {MAX_VARY}")
    vary = tuple(_read_vary(item, f"variants.vary[{i}]", problem_data) for i, item in enumerate(vary_raw, 1))
    seen: set[tuple] = set()
    for i, v in enumerate(vary, 1):
        if v.path in seen:
            raise VariantError(f"variants.vary[{i}].given", "this given is already listed")
        if v.like is not None and v.like not in seen:
            raise VariantError(f"variants.vary[{i}].like", "must name a given listed before it in vary")
        seen.add(v.path)
    req_raw = raw.get("require", [])
    if not isinstance(req_raw, list) or len(req_raw) > MAX_REQUIRE:
        raise VariantError("variants.require", f"must be a list of at most {MAX_REQUIRE} conditions, "
                                               "e.g. [\"z1[1] < 0\"]")
    require = tuple(parse_requirement(text, f"variants.require[{i}]") for i, text in enumerate(req_raw, 1))
    return VariantSpec(vary, require, literal=tuple(float(v) for v in literal))


def _read_vary(item: Any, field: str, problem_data: Mapping[str, Any]) -> Vary:
    if not isinstance(item, Mapping):
        raise VariantError(field, "must be a table such as { given = \"x\", range = [-2, 2] }")
    unknown = sorted(set(item) - {"given", "values", "range", "step", "nonzero", "like"})
    if unknown:
        raise VariantError(f"{field}.{unknown[0]}", "unknown field (known: given, like, nonzero, range, step, values)")
    given = item.get("given")
    if not isinstance(given, str) or not given:
        raise VariantError(f"{field}.given", "must name a given of [problem], e.g. \"x\" or \"layers.0.W\"")
    parts = given.split(".")
    if len(parts) > 6 or not all(_PATH_PART.match(p) for p in parts):
        raise VariantError(f"{field}.given", f"{given!r} is not a path such as \"x\" or \"layers.0.W\"")
    path = tuple(int(p) if p.isdigit() else p for p in parts)
    current = _get(problem_data, path)
    if current is _MISSING:
        raise VariantError(f"{field}.given", f"[problem] has no {given}")
    if not _is_numbers(current):
        raise VariantError(f"{field}.given", f"problem.{given} is not a number or an array of numbers")
    if "like" in item:  # a copy of another varying given: the rows of one logit vector, say
        if set(item) != {"given", "like"}:
            raise VariantError(f"{field}.like", "a given that copies another takes no values, range or step")
        like = item["like"]
        parts = like.split(".") if isinstance(like, str) else []
        if not parts or len(parts) > 6 or not all(_PATH_PART.match(p) for p in parts):
            raise VariantError(f"{field}.like", "must name another given, e.g. \"layers.0.W.0\"")
        like_path = tuple(int(p) if p.isdigit() else p for p in parts)
        other = _get(problem_data, like_path)
        if other is _MISSING or np.shape(other) != np.shape(current):
            raise VariantError(f"{field}.like", f"problem.{like} must exist and have the shape of problem.{given}")
        return Vary(path, (), like_path)
    if ("values" in item) == ("range" in item):
        raise VariantError(field, "give either values = [...] or range = [low, high]")
    if "values" in item:
        values = item["values"]
        if "step" in item:
            raise VariantError(f"{field}.step", "a step goes with range, not with values")
        if not isinstance(values, list) or not values or not all(_is_number(v) for v in values):
            raise VariantError(f"{field}.values", "must be a list of numbers")
        choices = [float(v) for v in values]
    else:
        rng = item["range"]
        if not (isinstance(rng, list) and len(rng) == 2 and all(_is_number(v) for v in rng) and rng[0] < rng[1]):
            raise VariantError(f"{field}.range", "must be [low, high] with low < high")
        step = item.get("step", 1)
        if not _is_number(step) or step <= 0:
            raise VariantError(f"{field}.step", "must be a positive number such as 1, 0.5 or 0.1")
        lo, hi, st = (Fraction(str(v)) for v in (rng[0], rng[1], step))  # exact: 0.1 steps stay tidy
        count = int((hi - lo) / st) + 1
        if count > MAX_CHOICES:
            raise VariantError(f"{field}.range", f"gives {count} values in steps of {step}; at most {MAX_CHOICES}")
        choices = [float(lo + k * st) for k in range(count)]
    if item.get("nonzero", False) is True:
        choices = [c for c in choices if c != 0]
    elif "nonzero" in item and item["nonzero"] is not False:
        raise VariantError(f"{field}.nonzero", "must be true or false")
    choices = list(dict.fromkeys(choices))
    if len(choices) > MAX_CHOICES or len(choices) < 2:
        raise VariantError(field, f"must allow between 2 and {MAX_CHOICES} values, not {len(choices)}")
    return Vary(path, tuple(choices))


_MISSING = object()


def _get(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and part < len(data):
            data = data[part]
        elif isinstance(part, str) and isinstance(data, Mapping) and part in data:
            data = data[part]
        else:
            return _MISSING
    return data


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)


def _is_numbers(v: Any, depth: int = 0) -> bool:
    if _is_number(v):
        return True
    return isinstance(v, list) and bool(v) and depth < 4 and all(_is_numbers(x, depth + 1) for x in v)


# -- drawing ---------------------------------------------------------------------------------

def pick(lesson_id: str, n: int, attempt: int, slot: str, k: int) -> int:
    """A stable index in range(k): the same for the same arguments everywhere."""
    digest = hashlib.sha256(f"{lesson_id}\x1f{n}\x1f{attempt}\x1f{slot}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % k


def draw(problem_data: Mapping[str, Any], spec: VariantSpec, lesson_id: str, n: int, attempt: int) -> dict:
    """``[problem]`` with every varying given drawn afresh (variant ``n``, try ``attempt``)."""
    data = copy.deepcopy(dict(problem_data))
    for v in spec.vary:
        slot = ".".join(map(str, v.path))
        counter = iter(range(1 << 30))

        def entry(old, v=v, slot=slot, counter=counter):
            if isinstance(old, list):
                return [entry(x) for x in old]
            value = v.choices[pick(lesson_id, n, attempt, f"{slot}#{next(counter)}", len(v.choices))]
            return int(value) if value == int(value) else value

        *head, last = v.path
        parent = _get(data, head)
        parent[last] = copy.deepcopy(_get(data, v.like)) if v.like is not None else entry(parent[last])
    return data


# -- requirements ------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_.@]*)"
                    r"|(?P<op><=|>=|==|!=|[-+*/()<>\[\],]))")
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal,
            "==": np.equal, "!=": np.not_equal}


def parse_requirement(text: Any, field: str) -> Requirement:
    """A requirement such as ``z1[1] < 0``, read into a function of the problem's values."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_REQUIRE_LEN:
        raise VariantError(field, f"must be a condition of at most {MAX_REQUIRE_LEN} characters, e.g. \"z1[1] < 0\"")
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise VariantError(field, f"cannot read {text[pos:].strip()[:20]!r} in {text!r}")
        kind = m.lastgroup
        tokens.append((kind, m[kind]))
        pos = m.end()
    parser = _Parser(tokens, text, field)
    holds, names = parser.requirement()
    return Requirement(text, holds, tuple(dict.fromkeys(names)))


class _Parser:
    """requirement := 'distinct' '(' name ')' | sum cmp sum;  sum := term (('+'|'-') term)*;
    term := unary (('*'|'/') unary)*;  unary := '-' unary | atom;
    atom := number | name index? | 'abs' '(' sum ')' | '(' sum ')';  index := '[' int (',' int)* ']'"""

    def __init__(self, tokens, text: str, field: str) -> None:
        self.tokens, self.i, self.text, self.field = tokens, 0, text, field
        self.names: list[str] = []

    def fail(self, why: str) -> VariantError:
        return VariantError(self.field, f"{why} in {self.text!r}")

    def peek(self) -> str | None:
        return self.tokens[self.i][1] if self.i < len(self.tokens) else None

    def take(self, want: str | None = None) -> tuple[str, str]:
        if self.i >= len(self.tokens):
            raise self.fail("unexpected end")
        tok = self.tokens[self.i]
        if want is not None and tok[1] != want:
            raise self.fail(f"expected {want!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def requirement(self):
        if self.peek() == "distinct":
            self.take()
            self.take("(")
            kind, name = self.take()
            if kind != "name":
                raise self.fail("distinct(…) takes a quantity's key")
            self.take(")")
            self.end()
            self.names.append(name)
            return (lambda values: np.unique(np.asarray(values[name])).size == np.asarray(values[name]).size,
                    self.names)
        left = self.sum()
        op = self.peek()
        if op not in _COMPARE:
            raise self.fail("expected a comparison (<, <=, >, >=, ==, !=)")
        self.take()
        right = self.sum()
        self.end()
        compare = _COMPARE[op]

        def holds(values):
            with np.errstate(all="ignore"):
                return bool(np.all(compare(left(values), right(values))))
        return holds, self.names

    def end(self) -> None:
        if self.i != len(self.tokens):
            raise self.fail(f"unexpected {self.tokens[self.i][1]!r}")

    def sum(self):
        out = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()[1]
            right, left = self.term(), out
            out = (lambda v, a=left, b=right: a(v) + b(v)) if op == "+" else (lambda v, a=left, b=right: a(v) - b(v))
        return out

    def term(self):
        out = self.unary()
        while self.peek() in ("*", "/"):
            op = self.take()[1]
            right, left = self.unary(), out
            out = (lambda v, a=left, b=right: a(v) * b(v)) if op == "*" else (lambda v, a=left, b=right: a(v) / b(v))
        return out

    def unary(self):
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return lambda v: -inner(v)
        return self.atom()

    def atom(self):
        kind, tok = self.take()
        if kind == "num":
            number = float(tok)
            return lambda v: number
        if tok == "(":
            inner = self.sum()
            self.take(")")
            return inner
        if kind != "name":
            raise self.fail(f"unexpected {tok!r}")
        if tok == "abs" and self.peek() == "(":
            self.take("(")
            inner = self.sum()
            self.take(")")
            return lambda v: np.abs(inner(v))
        self.names.append(tok)
        if self.peek() != "[":
            return lambda v, name=tok: np.asarray(v[name])
        self.take("[")
        index = [self._int()]
        while self.peek() == ",":
            self.take()
            index.append(self._int())
        self.take("]")
        idx = tuple(index)

        def entry(v, name=tok):
            value = np.asarray(v[name])
            if len(idx) != value.ndim or any(not 0 <= i < d for i, d in zip(idx, value.shape)):
                raise VariantError(self.field, f"{name}{list(idx)} is outside {name}, of shape "
                                               f"{'×'.join(map(str, value.shape)) or 'a number'}")
            return value[idx]
        return entry

    def _int(self) -> int:
        kind, tok = self.take()
        if kind != "num" or not tok.isdigit():
            raise self.fail("an index is a whole number from 0")
        return int(tok)


# -- a variant's problem and text -----------------------------------------------------------------

def build_variant(problem_data: Mapping[str, Any], spec: VariantSpec, lesson_id: str, n: int,
                  build: Callable[[Mapping[str, Any]], Any], fails: Callable[[Any, Mapping[str, Any]], bool]):
    """Variant ``n``'s data and problem: the first draw other than the lesson's own numbers that
    ``build`` turns into a problem that ``fails`` finds nothing wrong with and that meets every
    requirement."""
    for attempt in range(MAX_ATTEMPTS):
        data = draw(problem_data, spec, lesson_id, n, attempt)
        if data == problem_data:  # new numbers, not the lesson's own again
            continue
        try:
            problem = build(data)
        except (ValueError, TypeError, ArithmeticError):  # DataError is a ValueError
            continue
        try:
            if not meets(spec, problem.evaluate()):  # the cheap test first
                continue
        except (ValueError, TypeError, ArithmeticError):  # a value the data cannot give
            continue
        if not fails(problem, data):
            return data, problem
    raise VariantError("variants", f"no draw out of {MAX_ATTEMPTS} gives variant {n} a problem that meets every "
                                   "requirement: widen the ranges or relax require")


def meets(spec: VariantSpec, values: Mapping[str, np.ndarray]) -> bool:
    return all(r.holds(values) for r in spec.require)


def shown(value, digits: int = 4) -> str:
    """A value as lesson text writes it, to ``digits`` significant digits: 0.5, −1, (1, 2),
    [[1, −1], [0.5, 0]]; sizes of 1 are dropped (a 2×1 column reads as a vector, as the student
    types it)."""
    arr = np.squeeze(np.asarray(value, dtype=np.float64))
    if arr.ndim == 0:
        v = float(arr)
        text = f"{v:.{digits}g}" if v != 0 else "0"
        if "e" in text:
            mantissa, exp = text.split("e")
            text = f"{mantissa}·10^{int(exp)}"
        return text.replace("-", "−")
    if arr.ndim == 1:
        return "(" + ", ".join(shown(v, digits) for v in arr) + ")"
    return "[" + ", ".join(shown(row, digits) if row.ndim > 1 else "[" + ", ".join(shown(v, digits) for v in row) + "]"
                           for row in arr) + "]"


def text_filler(values: Mapping[str, np.ndarray]) -> Callable[[str], str | None]:
    """What fills a lesson text's placeholder: ``{x}`` the value of the quantity x, ``{W1[1,0]}``
    one entry of it (from 0); None for anything else (left as written, and flagged by the checker)."""
    def look(placeholder: str) -> str | None:
        placeholder, _, digits = placeholder.partition(":")
        places = int(digits) if digits else 4
        name, _, index = placeholder.partition("[")
        if name not in values or not 1 <= places <= 9:
            return None
        value = np.squeeze(np.asarray(values[name]))
        if not index:
            return shown(value, places)
        idx = tuple(int(i) for i in index.rstrip("]").split(","))
        if len(idx) != value.ndim or any(not 0 <= i < d for i, d in zip(idx, value.shape)):
            return None
        return shown(value[idx], places)
    return look


def fill_texts(problem, text: Mapping[str, str], steps: Sequence, n: int):
    """The lesson's text and steps with every placeholder filled from ``problem``'s values.

    In new numbers (``n`` > 0) an author's typed answer belongs to the lesson's own numbers and
    goes, and so does an authored wrong answer written in numbers only (``answer = "3 -1"``);
    one written with placeholders (``answer = "{x[0]} {x[1]}"``) is filled like the text."""
    from dataclasses import replace

    from .template import placeholders

    look = text_filler(problem.evaluate())
    text = {lang: fill(t, look) for lang, t in text.items()}
    out = []
    for step in steps:
        mistakes = tuple(replace(m, answer=fill(m.answer, look), message={k: fill(v, look) for k, v in m.message.items()})
                         for m in step.mistakes if n == 0 or placeholders(m.answer))
        out.append(replace(step, prompt={k: fill(v, look) for k, v in step.prompt.items()},
                           hints={k: tuple(fill(h, look) for h in hs) for k, hs in step.hints.items()},
                           answer=step.answer if n == 0 else None, mistakes=mistakes,
                           options=tuple(replace(o, text={k: fill(v, look) for k, v in o.text.items()},
                                                 why={k: fill(v, look) for k, v in o.why.items()})
                                         for o in step.options)))
    return text, out
