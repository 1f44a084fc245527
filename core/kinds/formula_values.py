"""Numbers in the formula kind: given ``values`` and targets the student answers with a number.

A matrix-calculus lesson often asks first for numbers (the MLE of μ on three points, one gradient
step with two weights, a Hessian entry at a point) and then for the formula behind them. The
formula kind says the second; this module lets the same lesson say the first:

    [problem.values]                      numbers, each a given quantity named by its key
    x1 = 1
    x2 = 3
    [problem.targets.m]                   a number computed by a formula in the values
    compute = "(x1 + x2)/2"
    [problem.targets.s]                   earlier scalar targets may be named (the student's own
    compute = "((x1 - m)^2 + (x2 - m)^2)/2"   value of m, once right, is used for s)
    [problem.targets.mu]                  a vector, or a matrix (a list of rows), of formulas
    compute = ["m", "2*m"]
    [problem.targets.g]                   a derivative at the values: wrt one name, or a list of
    compute = { derivative = { of = "x1^2*x2", wrt = ["x1", "x2"] } }   names for ∂²/∂x1∂x2

Formulas are read with the answer parser (:func:`nntutor.core.symbolic.read_formula`), evaluated
with NumPy (:func:`~nntutor.core.symbolic.evaluate`) and differentiated on the tree
(:func:`~nntutor.core.symbolic.derivative`); nothing is ever evaluated by Python.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

from ..answers import RESERVED_NAMES, FormatProblem
from ..graph import ProblemBuilder
from ..symbolic import MAX_SHOWN, Formula, derivative, evaluate, read_formula, substitute
from . import DataError, read_number, reject_unknown

_COMPUTED = {"compute", "symbol", "meaning"}
_MAX_VALUES = 40
_MAX_ENTRIES = 16
_MAX_ORDER = 3
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def read_values(data: Mapping[str, Any], path: str, check_name) -> dict[str, float]:
    """``values``: a table of numbers (each name checked like a symbol's)."""
    raw = data.get("values")
    if raw is None:
        return {}
    field = f"{path}.values"
    if not isinstance(raw, Mapping) or not raw:
        raise DataError(field, "must be a table of numbers, e.g. values = { x1 = 1, x2 = 3 }")
    if len(raw) > _MAX_VALUES:
        raise DataError(field, f"too many values ({len(raw)}; at most {_MAX_VALUES})")
    seen: set[str] = set()
    out: dict[str, float] = {}
    for name in raw:
        check_name(name, f"{field}.{name}", seen)
        out[name] = read_number(raw, name, field)
    return out


def add_values(b: ProblemBuilder, values: Mapping[str, float]) -> None:
    for name, v in values.items():
        b.given(name, np.float64(v), name, {"en": f"the given number {name}", "ru": f"данное число {name}"})


def computed_target(b: ProblemBuilder, key: str, raw: Mapping[str, Any], path: str,
                    values: Mapping[str, float], scalars: dict[str, tuple[Any, float]]) -> None:
    """One target with ``compute``; ``scalars`` holds the earlier scalar computed targets by key, each
    as (its formula tree in the values alone, its value); this one is added when it is a scalar with
    a plain name."""
    reject_unknown(raw, path, _COMPUTED)
    if not values:
        raise DataError(f"{path}.compute", "a computed target needs numbers: give them in [problem.values]")
    spec = raw["compute"]
    field = f"{path}.compute"
    names = tuple(values) + tuple(scalars)
    if isinstance(spec, Mapping):
        entries, shape = _derivative(spec, field, tuple(values), scalars), ()
    elif isinstance(spec, str):
        entries, shape = [_read(spec, field, names)], ()
    elif isinstance(spec, list) and spec and all(isinstance(e, str) for e in spec):
        entries, shape = [_read(e, f"{field}.{i}", names) for i, e in enumerate(spec)], (len(spec),)
    elif (isinstance(spec, list) and spec and all(isinstance(r, list) and r for r in spec)
          and len({len(r) for r in spec}) == 1 and all(isinstance(e, str) for r in spec for e in r)):
        entries = [_read(e, f"{field}.{i}.{j}", names) for i, r in enumerate(spec) for j, e in enumerate(r)]
        shape = (len(spec), len(spec[0]))
    else:
        raise DataError(field, 'must be a formula ("(x1 + x2)/2"), a list of formulas (a vector), a list of '
                               'rows (a matrix) or { derivative = { of = "…", wrt = "…" } }')
    if len(entries) > _MAX_ENTRIES:
        raise DataError(field, f"too many entries ({len(entries)}; at most {_MAX_ENTRIES})")
    used = set().union(*(f.symbols for f in entries))
    deps = [n for n in names if n in used]
    fn = _evaluator(entries, deps, shape)
    value = fn(*[values[d] if d in values else scalars[d][1] for d in deps])
    if not np.all(np.isfinite(value)) or np.any(np.abs(value) > 1e15):
        raise DataError(field, "the value is not a finite number (or is huge) at these values: check the "
                               "formula and the numbers")
    symbol = raw.get("symbol", key)
    if not isinstance(symbol, str) or not symbol.strip() or len(symbol) > 40:
        raise DataError(f"{path}.symbol", "must be a short text such as \"μ̂\" or \"∂L/∂w1\"")
    meaning = raw.get("meaning", {"en": "a number computed from the given numbers",
                                  "ru": "число, вычисленное по данным числам"})
    if (not isinstance(meaning, Mapping) or set(meaning) != {"en", "ru"}
            or not all(isinstance(v, str) and v.strip() for v in meaning.values())):
        raise DataError(f"{path}.meaning", "must have both en and ru texts")
    b.derived(key, fn, deps, symbol, {"en": meaning["en"], "ru": meaning["ru"]}, "value",
              f"{symbol} = {_shown(entries, shape)}")
    if shape == () and _NAME.match(key) and key.lower() not in RESERVED_NAMES and not re.match(r"^[eE][0-9]", key):
        twin = next((n for n in (*values, *scalars) if n.lower() == key.lower()), None)
        if twin is not None:  # later formulas read names ignoring case
            raise DataError(path, f"{key} differs from {twin} only in case, and formulas read names ignoring "
                                  "case: rename the target")
        scalars[key] = (substitute(entries[0].node, {k: t for k, (t, _) in scalars.items()}), float(value))


def _read(text: Any, field: str, names: tuple[str, ...]) -> Formula:
    if not isinstance(text, str) or not text.strip() or len(text) > 500:
        raise DataError(field, 'must be a formula as text (at most 500 characters), e.g. "(x1 + x2)/2"')
    got = read_formula(text, names)
    if isinstance(got, FormatProblem):
        raise DataError(field, got.message["en"])
    return got


def _derivative(spec: Mapping[str, Any], field: str, values: tuple[str, ...],
                scalars: Mapping[str, tuple[Any, float]]) -> list[Formula]:
    if set(spec) != {"derivative"} or not isinstance(spec["derivative"], Mapping):
        raise DataError(field, 'must be { derivative = { of = "…", wrt = "x1" } } (wrt a list for a higher '
                               'derivative)')
    d = spec["derivative"]
    dpath = f"{field}.derivative"
    reject_unknown(d, dpath, {"of", "wrt"})
    of = _read(d.get("of"), f"{dpath}.of", values + tuple(scalars))
    wrt = d.get("wrt")
    wrt = [wrt] if isinstance(wrt, str) else wrt
    if (not isinstance(wrt, list) or not wrt or len(wrt) > _MAX_ORDER
            or not all(isinstance(w, str) and w in values for w in wrt)):
        raise DataError(f"{dpath}.wrt", f"must name one of the values ({', '.join(values)}), or list up to "
                                        f"{_MAX_ORDER} of them for a higher derivative"[:200])
    node = substitute(of.node, {k: t for k, (t, _) in scalars.items()})  # earlier targets in the values
    for w in wrt:
        node = derivative(node, w)
    out = Formula(node)
    if out.written_size > MAX_SHOWN:
        raise DataError(f"{dpath}.of", "the derivative is too long to write out: choose a simpler formula")
    return [out]


def _evaluator(entries: list[Formula], deps: list[str], shape: tuple[int, ...]):
    def fn(*vals):
        env = {d: np.float64(v) for d, v in zip(deps, vals)}
        out = np.array([float(evaluate(f.node, env)) for f in entries], dtype=np.float64)
        return out.reshape(shape) if shape else np.float64(out[0])
    return fn


def _shown(entries: list[Formula], shape: tuple[int, ...]) -> str:
    texts = [f.pretty for f in entries]
    if not shape:
        return texts[0]
    if len(shape) == 1:
        return "(" + ", ".join(texts) + ")"
    rows = [texts[i * shape[1]:(i + 1) * shape[1]] for i in range(shape[0])]
    return "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]"
