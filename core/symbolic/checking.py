"""Is a student's formula the expected one? Screened with NumPy at sample points, proved by SymPy.

``screen_formula`` evaluates both formulas with NumPy at ``spec.samples`` random points
(symbols drawn uniformly from their ranges; symbols defined by ``where`` computed from them;
points where the expected formula is undefined are skipped, at least MIN_POINTS must remain):
a clear difference is "different" at once, in well under a millisecond, and says how the
formulas differ when :mod:`.diagnosis` can tell (half the expected one, a missing term, the
transpose), else gives a point where they differ. A formula it cannot refute "agrees", and
only ``prove_formula`` can accept it: SymPy decides — simplify(a − b) == 0, then ``equals`` —
in the worker process (:mod:`.worker`) with a hard CAP-second limit. When no proof can be had
(the worker still starting, SymPy over the cap or undecided) the verdict is "unproven": the
student is asked to try again or rewrite, never told "correct" on numbers alone, so a verdict
never depends on the worker's state (1 − s + 10⁻¹²·s agrees with 1 − s at every point).
``check_formula`` runs both; without a worker (lesson checks at load, the authoring checker)
it is numeric only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from ..answers import FormatProblem, format_value
from ..i18n import Messages
from .calculus import evaluate, substitute
from .diagnosis import diagnose
from .printing import Formula
from .reading import check_symbols, read_formula
from .tree import MAX_NODES, Node, free_symbols, size

if TYPE_CHECKING:
    from .worker import SymbolicWorker

#: Hard cap, in seconds, on one check (numeric part and SymPy together).
CAP = 1.0
#: Random points per check, and how many must be defined on both sides.
SAMPLES = 24
MIN_POINTS = 5
#: Points at which a formula quantity's value is shown (the answer key, the quantity graph).
KEY_POINTS = 5
#: How long a proof waits for a worker that is still starting (SymPy's import: 0.4–0.7 s, more
#: under load); the screen says "Checking…" meanwhile and keys stay live.
READY_WAIT = 20.0
# Numeric comparison: equal within rounding, and clearly different (no SymPy needed).
_EQUAL_TOL = 1e-8
_DIFFERENT_TOL = 1e-5


# ----------------------------------------------------------------------------- specs and results

@dataclass(frozen=True)
class FormulaSpec:
    """What a formula step expects.

    expected: the right formula (a Formula, or text read with every name of the spec);
    symbols: the names the student may use; ranges: each base symbol's sample range
    (lo, hi); where: symbols defined by formulas in the base symbols ("in terms of
    s = σ(t)": where = {"s": σ(t)}); their values at a point follow from the base symbols.
    seed: the fixed points (key values) come from numpy.random.default_rng(seed).
    """

    expected: Formula
    symbols: tuple[str, ...]
    ranges: Mapping[str, tuple[float, float]]
    where: Mapping[str, Formula] = field(default_factory=dict)
    seed: int = 0
    samples: int = SAMPLES

    def __post_init__(self) -> None:
        ranges = {}
        for name, (lo, hi) in dict(self.ranges).items():
            lo, hi = float(lo), float(hi)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ValueError(f"range of {name} must be two finite numbers lo < hi")
            ranges[name] = (lo, hi)
        check_symbols(tuple(ranges) + tuple(self.where))
        where = {}
        for name, f in dict(self.where).items():
            if name in ranges:
                raise ValueError(f"{name} has a range and a definition in where")
            f = _as_formula(f, tuple(ranges))
            extra = f.symbols - set(ranges)
            if extra:
                raise ValueError(f"where.{name} uses {sorted(extra)}: only symbols with ranges")
            where[name] = f
        names = tuple(ranges) + tuple(where)
        symbols = tuple(self.symbols)
        missing = [s for s in symbols if s not in names]
        if missing:
            raise ValueError(f"symbols {missing} have neither a range nor a definition")
        expected = _as_formula(self.expected, names)
        if self.samples < MIN_POINTS:
            raise ValueError(f"samples must be at least {MIN_POINTS}")
        if self.samples < KEY_POINTS:
            raise ValueError(f"samples must be at least {KEY_POINTS} (the fixed points are the first ones)")
        object.__setattr__(self, "ranges", MappingProxyType(ranges))
        object.__setattr__(self, "where", MappingProxyType(where))
        object.__setattr__(self, "symbols", symbols)
        object.__setattr__(self, "expected", expected)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the spec: base symbols, then defined ones."""
        return tuple(self.ranges) + tuple(self.where)

    def points(self, rng: np.random.Generator, n: int | None = None) -> dict[str, np.ndarray]:
        """n points (default: samples); see :func:`draw_points`."""
        return draw_points(self.ranges, self.where, rng, self.samples if n is None else n)

    def expecting(self, expected: Formula, symbols: Sequence[str]) -> "FormulaSpec":
        """The same ranges, definitions and points, another expected formula in ``symbols``."""
        other = replace(self, expected=expected, symbols=tuple(symbols))
        if "sample_points" in self.__dict__:  # drawn already: the same seed would draw them again
            other.__dict__["sample_points"] = self.sample_points
        return other

    def fixed_points(self) -> dict[str, np.ndarray]:
        """The spec's fixed points: the first KEY_POINTS of its :attr:`sample_points`."""
        return {k: v[:KEY_POINTS] for k, v in self.sample_points.items()}

    def value(self) -> np.ndarray:
        """The expected formula at the fixed points, shape (KEY_POINTS,): the quantity's value."""
        return self.expected_at_samples[:KEY_POINTS].copy()

    @cached_property
    def sample_points(self) -> Mapping[str, np.ndarray]:
        """The spec's sample points, the same on every check: ``points(default_rng(seed))``, read-only."""
        return _frozen_points(self.points(np.random.default_rng(self.seed)))

    @cached_property
    def expected_at_samples(self) -> np.ndarray:
        """The expected formula at :attr:`sample_points` (read-only)."""
        value = evaluate(self.expected.node, self.sample_points)
        value.setflags(write=False)
        return value


def key_points(ranges: Mapping[str, tuple[float, float]], seed: int) -> dict[str, np.ndarray]:
    """The base symbols' values at every spec's fixed points (the same ranges and seed give the same)."""
    return {k: v[:KEY_POINTS] for k, v in
            _frozen_points(draw_points(ranges, {}, np.random.default_rng(seed), SAMPLES)).items()}


def _frozen_points(points: dict[str, np.ndarray]) -> Mapping[str, np.ndarray]:
    for v in points.values():
        v.setflags(write=False)
    return MappingProxyType(points)


def draw_points(ranges: Mapping[str, tuple[float, float]], where: Mapping[str, Formula],
                rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """n points: each base symbol uniform in its range (drawn in order), defined symbols
    computed from them; name -> float64 array of shape (n,)."""
    env = {name: rng.uniform(lo, hi, n) for name, (lo, hi) in ranges.items()}
    for name, f in where.items():
        env[name] = evaluate(f.node, env)
    return env


def _as_formula(f, names: Sequence[str]) -> Formula:
    if isinstance(f, Formula):
        return f
    if isinstance(f, str):
        got = read_formula(f, names)
        if isinstance(got, FormatProblem):
            raise ValueError(f"{f!r}: {got.message['en']}")
        return got
    raise TypeError(f"expected a Formula or text, got {type(f).__name__}")


def formula_value(formula: Formula, spec: FormulaSpec) -> np.ndarray:
    """A student's formula at the spec's fixed points (an accepted answer's value in the graph)."""
    return evaluate(formula.node, spec.fixed_points())


@dataclass(frozen=True)
class FormulaResult:
    """status: "equal" | "different" | "too_complex" | "agrees" (screened, not yet proved) |
    "unproven" (no proof could be had now: not the student's mistake); method: "sympy" | "numeric".
    ``close``: screening found it near the expected formula but not equal (a proof decides)."""

    status: str
    method: str
    message: Mapping[str, str]
    close: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "equal"


_C = Messages({
    "too_long": {"en": "Your formula is too long to check (more than {most} operations): simplify it.",
                 "ru": "Формула слишком длинная для проверки (больше {most} операций): упростите её."},
    "opposite": {"en": "Not the same formula: yours is the expected one with the opposite sign.",
                 "ru": "Формула другая: ваша отличается от ожидаемой только знаком."},
    # why: how it differs, a phrase of .diagnosis
    "differs": {"en": "Not the same formula: {why}", "ru": "Формула другая: {why}"},
    "differs_at": {"en": "Not the same formula: at {where} yours gives {yours}, the expected one {expected}.",
                   "ru": "Формула другая: при {where} ваша даёт {yours}, а ожидаемая — {expected}."},
    "undefined": {"en": "Your formula is not defined at {where}, where the expected one is {expected}.",
                  "ru": "Ваша формула не определена при {where}, а ожидаемая там равна {expected}."},
    "agrees": {"en": "Your formula agrees with the expected one at {n} random points.",
               "ru": "Ваша формула совпадает с ожидаемой в {n} случайных точках."},
    "close": {"en": "Not the same formula: at {where} yours gives {yours:.12g}, the expected one {expected:.12g}.",
              "ru": "Формула другая: при {where} ваша даёт {yours:.12g}, а ожидаемая — {expected:.12g}."},
    "too_few_points": {"en": "Your formula could not be checked at enough points: simplify it and try again.",
                       "ru": "Формулу не удалось проверить в достаточном числе точек: упростите её и попробуйте "
                             "снова."},
    "proved": {"en": "Correct: your formula is equivalent to the expected one.",
               "ru": "Верно: ваша формула равносильна ожидаемой."},
    "near": {"en": "Not the same formula: at the sample points it comes close to the expected one, but it is not "
                   "equal to it.",
             "ru": "Формула другая: в проверочных точках она близка к ожидаемой, но не равна ей."},
    "unknown": {"en": "Your formula agrees with the expected one at every sample point, but the tutor could not "
                      "prove them equal: write it another way (simpler, or with fewer functions) and press Enter.",
                "ru": "Ваша формула совпадает с ожидаемой во всех проверочных точках, но доказать их равенство "
                      "не удалось: запишите её иначе (проще или с меньшим числом функций) и нажмите Enter."},
    "timeout": {"en": "Checking your formula took more than {cap:g} s: write it in a simpler form, or press Enter "
                      "to try again.",
                "ru": "Проверка формулы заняла больше {cap:g} с: запишите её проще или нажмите Enter, чтобы "
                      "попробовать снова."},
    "not_ready": {"en": "The formula checker is not ready yet (it is starting): press Enter to try again in a "
                        "moment.",
                  "ru": "Проверка формул ещё не готова (она запускается): нажмите Enter ещё раз через мгновение."},
    # agreed: the "agrees" message, its first letter in lower case
    "correct_numeric": {"en": "Correct: {agreed}", "ru": "Верно: {agreed}"},
})


def _msg(key: str, **fields) -> Mapping[str, str]:
    """The message ``key`` of the table above in every language, read-only."""
    return MappingProxyType(_C.each(key, **fields))


def _at_point(env: Mapping[str, np.ndarray], i: int, names: Sequence[str]) -> str:
    return ", ".join(f"{k} = {format_value(env[k][i], 4)}" for k in names)


@dataclass(frozen=True)
class _Numeric:
    verdict: str  # equal | close | different | undefined | inconclusive
    point: int = -1
    valid: int = 0


def _compare(a: np.ndarray, b: np.ndarray) -> _Numeric:
    ok_b = np.isfinite(b)
    ok_a = np.isfinite(a)
    nb = int(ok_b.sum())
    if nb < MIN_POINTS:
        return _Numeric("inconclusive", valid=nb)
    missing = ok_b & ~ok_a
    if int(missing.sum()) * 2 > nb:
        return _Numeric("undefined", int(np.argmax(missing)), nb)
    both = ok_a & ok_b
    nv = int(both.sum())
    if nv < MIN_POINTS:
        return _Numeric("inconclusive", valid=nv)
    with np.errstate(all="ignore"):
        gap = np.where(both, np.abs(a - b), 0.0)
        scale = 1.0 + np.where(both, np.maximum(np.abs(a), np.abs(b)), 0.0)
        rel = gap / scale
    far = rel > _DIFFERENT_TOL
    if far.any():
        return _Numeric("different", int(np.argmax(far)), nv)
    if (rel > _EQUAL_TOL).any():
        return _Numeric("close", int(np.argmax(rel)), nv)
    return _Numeric("equal", valid=nv)


def _assumptions(spec: FormulaSpec, env: Mapping[str, np.ndarray], names) -> dict[str, str]:
    out = {}
    for name in names:
        if name in spec.ranges:
            lo, hi = spec.ranges[name]
        else:
            v = env[name][np.isfinite(env[name])]
            lo, hi = (float(v.min()), float(v.max())) if v.size else (-1.0, 1.0)
        out[name] = "positive" if lo > 0 else "negative" if hi < 0 else "real"
    return out


def _sympy_pair(student: Node, spec: FormulaSpec) -> tuple[Node, Node]:
    """The two trees SymPy compares: as they are, or with `where` substituted when they mix
    defined and base symbols (s with t)."""
    expected = spec.expected.node
    used = free_symbols(student) | free_symbols(expected)
    if used & set(spec.where) and used & set(spec.ranges):
        values = {k: f.node for k, f in spec.where.items()}
        return substitute(student, values), substitute(expected, values)
    return student, expected


def screen_formula(formula: Formula, spec: FormulaSpec, *, rng: np.random.Generator | None = None,
                   explain: bool = True) -> FormulaResult:
    """The numeric verdict at the spec's sample points, in well under a millisecond.

    "different" and "too_complex" are final; "agrees" (equal at every point, or within 10⁻⁵)
    is not: only a proof (``prove_formula``) can say the formula is right. ``explain``: say how a
    different formula differs (the structural diagnosis, up to a few ms); off where only the
    verdict counts (matching an author's wrong formula, checking a lesson).
    """
    n = size(formula.node)
    if n > MAX_NODES:
        return FormulaResult("too_complex", "numeric", _msg("too_long", most=MAX_NODES))
    unknown = formula.symbols - set(spec.symbols)
    if unknown:
        raise ValueError(f"the formula uses {sorted(unknown)}, not symbols of this step")
    if rng is None:
        env, b = spec.sample_points, spec.expected_at_samples
    else:
        env = spec.points(rng)
        b = evaluate(spec.expected.node, env)
    a = evaluate(formula.node, env)
    numeric = _compare(a, b)
    shown = [k for k in spec.names if k in formula.symbols | spec.expected.symbols] or list(spec.ranges)
    if numeric.verdict in ("different", "close", "undefined"):
        where = _at_point(env, numeric.point, shown)
    if numeric.verdict == "different":
        i = numeric.point
        if _compare(-a, b).verdict == "equal":  # −(the expected formula) at every point: say that
            return FormulaResult("different", "numeric", _msg("opposite"))
        found = diagnose(formula.node, spec.expected.node, env, spec, a, b) if explain else None
        if found is not None:
            return FormulaResult("different", "numeric", _msg("differs", why=found))
        return FormulaResult("different", "numeric", _msg(
            "differs_at", where=where, yours=format_value(a[i], 4), expected=format_value(b[i], 4)))
    if numeric.verdict == "undefined":
        i = numeric.point
        return FormulaResult("different", "numeric", _msg("undefined", where=where, expected=format_value(b[i], 4)))
    if numeric.verdict == "equal":
        return FormulaResult("agrees", "numeric", _msg("agrees", n=numeric.valid))
    if numeric.verdict == "close":
        i = numeric.point
        return FormulaResult("agrees", "numeric", _msg("close", where=where, yours=a[i], expected=b[i]), close=True)
    return FormulaResult("too_complex", "numeric", _msg("too_few_points"))


def prove_formula(formula: Formula, spec: FormulaSpec, worker: "SymbolicWorker", *,
                  cap: float = CAP, wait: float = READY_WAIT) -> FormulaResult:
    """SymPy's verdict on a formula that screening did not refute: "equal", "different", or
    "unproven" when no proof could be had (the helper still starting or restarting after
    ``wait`` seconds, SymPy over the ``cap``, or SymPy unable to decide).

    Blocks for up to ``wait + cap`` seconds: call it off the thread that draws the screen.
    A formula is accepted only on this proof; "unproven" is never the student's mistake.
    """
    left, right = _sympy_pair(formula.node, spec)
    names = sorted(free_symbols(left) | free_symbols(right))
    verdict = worker.equivalent(left, right, _assumptions(spec, spec.sample_points, names), timeout=cap, wait=wait)
    if verdict == "equal":
        return FormulaResult("equal", "sympy", _msg("proved"))
    if verdict == "different":
        close = screen_formula(formula, spec)
        return FormulaResult("different", "sympy", close.message if close.close else _msg("near"))
    if verdict == "unknown":
        return FormulaResult("unproven", "sympy", _msg("unknown"))
    if verdict == "timeout":
        return FormulaResult("unproven", "sympy", _msg("timeout", cap=cap))
    return FormulaResult("unproven", "sympy", _msg("not_ready"))


def check_formula(formula: Formula, spec: FormulaSpec, worker: "SymbolicWorker | None" = None, *,
                  rng: np.random.Generator | None = None, cap: float = CAP,
                  wait: float = READY_WAIT, explain: bool = True) -> FormulaResult:
    """Is ``formula`` the spec's expected formula? Screened at sample points, then proved by SymPy
    in ``worker``.

    Without a worker the check is numeric only -- for lesson checks at load, the authoring
    checker and tests, never for a student's answer: agreement at every point counts as
    "equal", a near miss as "different".
    """
    screened = screen_formula(formula, spec, rng=rng, explain=explain)
    if screened.status != "agrees":
        return screened
    if worker is not None:
        return prove_formula(formula, spec, worker, cap=cap, wait=wait)
    if screened.close:
        return FormulaResult("different", "numeric", screened.message)
    agreed = {lang: text[0].lower() + text[1:] for lang, text in screened.message.items()}
    return FormulaResult("equal", "numeric", _msg("correct_numeric", agreed=agreed))
