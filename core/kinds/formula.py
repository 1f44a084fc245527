"""Formula answers: steps that ask for a formula (σ′ in terms of σ, ∂f/∂x of a graph).

Data. ``symbols`` gives each base symbol the range its sample values are drawn from
(``t = [-4, 4]``). Each table of ``targets`` is one quantity, answered with a formula:

    derivative = { of = "x^2 + x*y + (x + y)^2", wrt = "x" }   the engine differentiates
    formula = "s*(1 - s)"                                        the author writes the answer

"In terms of": ``where = { s = "sigmoid(t)" }`` defines new symbols by formulas in the base
symbols; the student may then answer in s (``use = ["s"]``, the default when the formula is
written in s), and a value of s at a sample point is σ(t) at that point. ``means`` (with
``formula`` only) says what the formula must equal — a formula text, or
``{ derivative = { of, wrt } }`` — and the engine checks the author's formula against it at
random points when the lesson loads (σ′(t) = s(1 − s) with s = σ(t)).

The expected formula of a target: the derivative, ∂/∂wrt of ``of`` with ``where`` substituted
(by the rules of calculus on the tree; no SymPy when a lesson loads), or ``formula``. The
quantity's value is that formula at KEY_POINTS fixed sample points (the seed fixes them), so
the answer key prints numbers; the point values of each base symbol are givens ``at.{name}``.
Each target's :class:`~nntutor.core.symbolic.FormulaSpec` is attached with ``b.formula``.

Numbers: ``values`` (given numbers) and targets with ``compute`` (answered with a number) are read
in :mod:`nntutor.core.kinds.formula_values`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

from ..answers import FormatProblem, RESERVED_NAMES
from ..graph import Problem, ProblemBuilder
from ..judging import ByFormula
from ..symbolic import (
    KEY_POINTS, MAX_SHOWN, MIN_POINTS, SAMPLES, Formula, FormulaSpec, check_formula, definitions, derivative,
    key_points, read_formula, substitute,
)
from . import DataError, FieldDoc, Kind, NameDoc, reject_unknown
from .formula_values import add_values, computed_target, read_values

_TOP = {"kind", "symbols", "targets", "seed", "values"}
_TARGET = {"formula", "derivative", "where", "means", "use", "symbol", "meaning"}
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,39}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")
_MAX_SYMBOLS = 12
_MAX_TARGETS = 40
_MAX_TEXT = 500
_MAX_RANGE = 1e6


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    values = read_values(data, path, _check_name)
    ranges = _read_symbols(data, path) if "symbols" in data or not values else {}
    seed = _read_seed(data, path)
    targets = data.get("targets")
    if not isinstance(targets, Mapping) or not targets:
        raise DataError(f"{path}.targets", 'missing: a table of targets, e.g. [problem.targets.dfdx] with '
                                           'derivative = { of = "x^2", wrt = "x" }')
    if len(targets) > _MAX_TARGETS:
        raise DataError(f"{path}.targets", f"too many targets ({len(targets)}; at most {_MAX_TARGETS})")

    b = ProblemBuilder("formula")
    points = key_points(ranges, seed)  # every spec's fixed points
    for name in ranges:
        b.given(f"at.{name}", points[name], f"{name} (sample points)",
                {"en": f"the values of {name} at which the formulas' values are shown",
                 "ru": f"значения {name}, в которых показаны значения формул"})
    add_values(b, values)
    functions: set[str] = set()
    memo: dict = {}  # texts and derivatives repeated across targets are worked out once
    scalars: dict = {}  # computed scalar targets so far
    formulas = False
    for key, raw in targets.items():
        tpath = f"{path}.targets.{key}"
        if not isinstance(key, str) or not _KEY.match(key) or key.startswith("at."):
            raise DataError(tpath, "a target's name must be a key such as dfdx or grad.x (letters, digits, _ "
                                   "and ., starting with a letter, not at.…)")
        if not isinstance(raw, Mapping):
            raise DataError(tpath, "must be a table ([problem.targets.<name>])")
        if key in values:
            raise DataError(tpath, f"{key} is already a given number in problem.values: rename the target")
        if "compute" in raw:
            computed_target(b, key, raw, tpath, values, scalars)
            continue
        if not ranges:
            raise DataError(f"{path}.symbols", "a formula target needs symbols with sample ranges")
        formulas = True
        _target(b, key, raw, tpath, ranges, seed, functions, memo)
    if formulas:
        _conventions(b, functions)
    return b.build()


# -- reading --------------------------------------------------------------------------------

def _read_symbols(data: Mapping[str, Any], path: str) -> dict[str, tuple[float, float]]:
    raw = data.get("symbols")
    field = f"{path}.symbols"
    if not isinstance(raw, Mapping) or not raw:
        raise DataError(field, "missing: a table giving each symbol its sample range, e.g. { t = [-4, 4] }")
    if len(raw) > _MAX_SYMBOLS:
        raise DataError(field, f"too many symbols ({len(raw)}; at most {_MAX_SYMBOLS})")
    out: dict[str, tuple[float, float]] = {}
    seen: set[str] = set()
    for name, rng in raw.items():
        f = f"{field}.{name}"
        _check_name(name, f, seen)
        if (not isinstance(rng, list) or len(rng) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in rng)):
            raise DataError(f, f"must be a range [lo, hi] of two numbers, got {rng!r}"[:120])
        lo, hi = float(rng[0]), float(rng[1])
        if not (np.isfinite(lo) and np.isfinite(hi)) or abs(lo) > _MAX_RANGE or abs(hi) > _MAX_RANGE:
            raise DataError(f, f"the range must be finite numbers within ±{_MAX_RANGE:g}")
        if not lo < hi:
            raise DataError(f, f"the range [lo, hi] needs lo < hi, got [{lo:g}, {hi:g}]")
        out[name] = (lo, hi)
    return out


def _check_name(name: Any, field: str, seen: set[str]) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise DataError(field, "not a symbol name (a letter, then up to 19 letters, digits or _)")
    if name.lower() in RESERVED_NAMES:
        raise DataError(field, f"{name!r} already means a function or constant: choose another name")
    if re.match(r"^[eE][0-9]", name):
        raise DataError(field, f"{name!r} would read as a power of ten after a number (2{name}): choose another name")
    if name.lower() in seen:
        raise DataError(field, f"{name!r} is declared twice (students' names are read ignoring case)")
    seen.add(name.lower())


def _read_seed(data: Mapping[str, Any], path: str) -> int:
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 32:
        raise DataError(f"{path}.seed", f"must be a whole number from 0 to 2^32 − 1, got {seed!r}"[:120])
    return seed


def _text(raw: Any, field: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise DataError(field, 'must be a formula as text, e.g. "x^2 + x*y"')
    if len(raw) > _MAX_TEXT:
        raise DataError(field, f"too long ({len(raw)} characters; at most {_MAX_TEXT})")
    return raw


def _formula(raw: Any, field: str, names: tuple[str, ...], memo: dict) -> Formula:
    """The formula written in a field; ``memo`` (one per build) reads a text repeated across targets once."""
    text = _text(raw, field)
    got = memo.get((text, names))
    if got is None:
        got = read_formula(text, names)
        if isinstance(got, FormatProblem):
            raise DataError(field, got.message["en"])
        memo[(text, names)] = got
    return got


def _ordered(names: set[str], order: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n for n in order if n in names)


# -- one target -----------------------------------------------------------------------------

def _target(b: ProblemBuilder, key: str, raw: Mapping[str, Any], path: str,
            ranges: Mapping[str, tuple[float, float]], seed: int, functions: set[str], memo: dict) -> None:
    reject_unknown(raw, path, _TARGET)
    base = tuple(ranges)
    where = _read_where(raw, path, ranges, memo)
    names = base + tuple(where)
    has_formula, has_derivative = "formula" in raw, "derivative" in raw
    if has_formula == has_derivative:
        raise DataError(f"{path}.formula", 'give exactly one of formula = "…" (the answer as written) or '
                                           'derivative = { of = "…", wrt = "…" } (the engine differentiates)')
    subs = {k: f.node for k, f in where.items()}
    means = None
    if has_derivative:
        of, wrt, expected = _read_derivative(raw["derivative"], f"{path}.derivative", names, base, subs, memo)
        written = of.symbols | {wrt}
        if "means" in raw:
            raise DataError(f"{path}.means", "only with formula = …: a derivative already says what it means")
        describe = {"en": f"the derivative of {of.pretty} with respect to {wrt}",
                    "ru": f"производная {of.pretty} по {wrt}"}
    else:
        expected = _formula(raw["formula"], f"{path}.formula", names, memo)
        written = expected.symbols
        describe = None
        if "means" in raw:
            means, describe = _read_means(raw["means"], f"{path}.means", names, base, subs, memo)
    use = _read_use(raw, path, names, written, where)
    _check_use(use, expected, where, path)
    spec = FormulaSpec(expected, use, ranges, where, seed=seed)
    value = _check_values(spec, path)
    if means is not None:
        _check_means(expected, means, spec, path)
    for f in (expected, *where.values()):
        functions |= _functions(f)
    symbol = raw.get("symbol", key)
    if not isinstance(symbol, str) or not symbol.strip() or len(symbol) > 40:
        raise DataError(f"{path}.symbol", "must be a short text such as \"σ′(t)\" or \"∂f/∂x\"")
    meaning = _read_meaning(raw, path, describe, use, where)
    # a defined symbol's definition only when the shown formula uses it (a derivative the engine
    # worked out is written in the base symbols)
    shown = expected.pretty + definitions(where, expected.symbols & set(use))
    b.derived(key, _constant(value), [], symbol, meaning, "value", f"{symbol} = {shown}")
    b.judge(key, ByFormula(spec))


def _read_where(raw: Mapping[str, Any], path: str, ranges, memo: dict) -> dict[str, Formula]:
    if "where" not in raw:
        return {}
    table = raw["where"]
    field = f"{path}.where"
    if not isinstance(table, Mapping) or not table:
        raise DataError(field, 'must be a table defining symbols, e.g. where = { s = "sigmoid(t)" }')
    seen = {n.lower() for n in ranges}
    out: dict[str, Formula] = {}
    for name, text in table.items():
        f = f"{field}.{name}"
        if isinstance(name, str) and name.lower() in seen and name in ranges:
            raise DataError(f, f"{name} already has a range in problem.symbols: give the defined symbol "
                               "a new name")
        _check_name(name, f, seen)
        out[name] = _formula(text, f, tuple(ranges), memo)
    return out


def _read_derivative(raw: Any, path: str, names, base, subs, memo: dict):
    if not isinstance(raw, Mapping):
        raise DataError(path, 'must be a table: { of = "<formula>", wrt = "<symbol>" }')
    reject_unknown(raw, path, {"of", "wrt"})
    of = _formula(raw.get("of"), f"{path}.of", names, memo)
    wrt = raw.get("wrt")
    if wrt not in base:
        raise DataError(f"{path}.wrt", f"must be one of the symbols with a range ({', '.join(base)}), "
                                       f"got {wrt!r}"[:160])
    key = ("d/d", wrt, id(of), tuple((k, id(v)) for k, v in subs.items()))  # memo keeps them alive
    expected = memo.get(key)
    if expected is None:
        expected = memo[key] = Formula(derivative(substitute(of.node, subs), wrt))
    if expected.written_size > MAX_SHOWN:
        raise DataError(f"{path}.of", f"the derivative is too long to write out (more than {MAX_SHOWN} terms): "
                                      "choose a simpler formula")
    return of, wrt, expected


def _read_means(raw: Any, path: str, names, base, subs, memo: dict):
    if isinstance(raw, str):
        means = _formula(raw, path, names, memo)
        return means, {"en": means.pretty, "ru": means.pretty}
    if isinstance(raw, Mapping) and set(raw) == {"derivative"}:
        of, wrt, expected = _read_derivative(raw["derivative"], f"{path}.derivative", names, base, subs, memo)
        return expected, {"en": f"the derivative of {of.pretty} with respect to {wrt}",
                          "ru": f"производная {of.pretty} по {wrt}"}
    raise DataError(path, 'must be a formula as text, or { derivative = { of = "…", wrt = "…" } }')


def _read_use(raw, path, names, written, where) -> tuple[str, ...]:
    if "use" not in raw:
        # the symbols the author wrote; defined symbols stand for what defines them
        return _ordered(set(written), names)
    use = raw["use"]
    field = f"{path}.use"
    if not isinstance(use, list) or not use or not all(isinstance(u, str) for u in use):
        raise DataError(field, 'must be a list of symbol names, e.g. ["s"]')
    for u in use:
        if u not in names:
            raise DataError(field, f"{u!r} is not a symbol of this target (symbols: {', '.join(names)})")
    if len(set(use)) != len(use):
        raise DataError(field, "names a symbol twice")
    return tuple(use)


def _check_use(use, expected: Formula, where: Mapping[str, Formula], path: str) -> None:
    reachable = set(use)
    for u in use:
        if u in where:
            reachable |= where[u].symbols
    missing = sorted(expected.symbols - reachable)
    if missing:
        raise DataError(f"{path}.use", f"the answer depends on {', '.join(missing)}, which the student may "
                                       "not use: add it to use, or define a symbol for it in where")


def _check_values(spec: FormulaSpec, path: str) -> np.ndarray:
    """The expected formula must be defined at the fixed points and at most sample points."""
    value = spec.value()
    bad = ~np.isfinite(value)
    points = spec.fixed_points()
    if bad.any():
        i = int(np.argmax(bad))
        at = ", ".join(f"{k} = {points[k][i]:.4g}" for k in spec.ranges)
        raise DataError(path, f"the formula is not defined at the sample point {at}: choose ranges in "
                              "problem.symbols where it is defined")
    defined = int(np.isfinite(spec.expected_at_samples).sum())
    if defined < max(MIN_POINTS, SAMPLES * 3 // 4):
        raise DataError(path, f"the formula is defined at only {defined} of {SAMPLES} sample points: choose "
                              "ranges in problem.symbols where it is defined")
    value.setflags(write=False)
    return value


def _check_means(expected: Formula, means: Formula, spec: FormulaSpec, path: str) -> None:
    check = spec.expecting(means, spec.names)
    result = check_formula(expected, check)  # numeric only: no SymPy at load time
    if not result.ok:
        raise DataError(f"{path}.formula", f"{expected.text} does not equal what it means "
                                           f"({means.text}): {result.message['en']}")


def _read_meaning(raw, path, describe, use, where) -> dict[str, str]:
    if "meaning" in raw:
        m = raw["meaning"]
        if (not isinstance(m, Mapping) or set(m) != {"en", "ru"}
                or not all(isinstance(v, str) and v.strip() for v in m.values())):
            raise DataError(f"{path}.meaning", "must have both en and ru texts")
        return {"en": m["en"], "ru": m["ru"]}
    terms = ", ".join(f"{u} = {where[u].pretty}" if u in where else u for u in use) or "numbers only"
    terms_ru = ", ".join(f"{u} = {where[u].pretty}" if u in where else u for u in use) or "только числа"
    if describe is None:
        return {"en": f"a formula in {terms}", "ru": f"формула от {terms_ru}"}
    return {"en": f"{describe['en']}, as a formula in {terms}",
            "ru": f"{describe['ru']} в виде формулы от {terms_ru}"}


def _functions(f: Formula) -> set[str]:
    return {m for m in ("ln", "sigmoid", "tanh") if f"{m}(" in f.text}


def _constant(value: np.ndarray):
    def fn():
        return value
    return fn


def _conventions(b: ProblemBuilder, functions: set[str]) -> None:
    b.convention("formulas", {
        "en": "answers are formulas in the symbols each step names; any equivalent form is accepted "
              "(s·(1 − s) or s − s²); write products with * or by juxtaposition (2x, s(1 − s)), "
              "powers with ^",
        "ru": "ответ — формула от переменных, названных в шаге; подходит любая равносильная запись "
              "(s·(1 − s) или s − s²); умножение — * или подряд (2x, s(1 − s)), степень — ^",
    })
    if functions & {"ln", "sigmoid"}:
        b.convention("functions", {
            "en": "ln is the natural logarithm; σ(t) = 1/(1 + e^(−t)) (type sigmoid or σ)",
            "ru": "ln — натуральный логарифм; σ(t) = 1/(1 + e^(−t)) (пишется sigmoid или σ)",
        })


KIND = Kind(
    name="formula",
    summary="Steps answered with a formula (a derivative, a function in terms of another), checked for "
            "equivalence: at random points and with SymPy in a separate process under a time cap; and steps "
            "answered with a number, worked out by a formula from given values.",
    fields=(
        FieldDoc("symbols", True,
                 "a table giving each base symbol the range its random sample values come from, e.g. "
                 "{ t = [-4, 4] } or { x = [-2, 2], y = [-2, 2] }; ASCII names, not a function or constant "
                 "name (e, pi, exp, ln, …); at most 12; choose ranges where every formula is defined "
                 "(may be left out when every target computes a number from values)"),
        FieldDoc("targets", True,
                 "one table per quantity the student answers with a formula, [problem.targets.<key>]: "
                 'either derivative = { of = "<formula>", wrt = "<symbol>" } (the engine differentiates) or '
                 'formula = "<formula>" (the answer as the author writes it) with optional means = "<formula>" '
                 'or means = { derivative = { of, wrt } } (what it must equal; checked when the lesson '
                 'loads); where = { s = "sigmoid(t)" } defines symbols by formulas in the base symbols '
                 '("in terms of s"); use = ["s"] lists the symbols the student may type (default: those the '
                 "author's formula, or of, is written in); symbol (default: the key) and meaning.en / "
                 "meaning.ru (default: generated)"),
        FieldDoc("values", False,
                 "given numbers for the targets answered with a number, e.g. { x1 = 1, x2 = 3 } (each a given "
                 "quantity named by its key; may vary in [variants] as values.x1). A target with "
                 'compute = "(x1 + x2)/2" is answered with a number: a formula in the values and the earlier '
                 "scalar computed targets; a list of formulas is a vector, a list of rows a matrix; "
                 'compute = { derivative = { of = "…", wrt = "x1" } } is a derivative at the values (wrt = '
                 '["x1", "x2"] for ∂²/∂x1∂x2); symbol and meaning.en / meaning.ru as for formulas. With values, '
                 "symbols may be left out when no target is a formula"),
        FieldDoc("seed", False,
                 f"a whole number fixing the {KEY_POINTS} sample points at which the answer key shows each "
                 "formula's value (default 0)"),
    ),
    build=build,
    names=(
        NameDoc("{target}", "each key of problem.targets: a formula answer; its value is the expected formula "
                            f"at {KEY_POINTS} fixed sample points (the answer key shows the formula itself)"),
        NameDoc("at.{symbol}", "givens: the fixed sample values of each base symbol"),
        NameDoc("{value}", "givens: each number of problem.values"),
        NameDoc("{target} (compute)", "a target with compute: a number, vector or matrix worked out at the values"),
    ),
)
