"""Every value of a problem, computed once when its lesson loads: numbers that break the engine
are refused there, with the lesson field to blame, rather than when a student meets them.

A value is refused when it cannot be computed (any exception of a kind), is not finite (inf,
NaN), or is beyond :data:`LIMIT` in absolute value: past 10¹⁵ a float64 no longer holds every
whole number (2⁵³ ≈ 9·10¹⁵), so even a count could not be checked exactly, and no value a
student works out by hand is that large.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

from .graph import Problem, computed_array

#: The largest absolute value a problem may hold (the messages say "1e15").
LIMIT = 1e15
_ADVICE = "use numbers a student can work with by hand"


def value_issues(problem: Problem, data: Mapping[str, Any], path: str = "problem") -> list[tuple[str, str]]:
    """(field, message) for the first value of ``problem`` that is not fit for hand work, or [].

    ``data`` is the lesson's ``[problem]`` table the problem was built from: a bad value is
    blamed on the field of the given it is computed from whose numbers are the most extreme
    (``problem.layers[1].W``), or on ``problem`` when no such field can be found. Only the first
    bad value is reported: the ones computed from it fail with it.
    """
    try:
        values = problem.evaluate()
    except Exception:  # noqa: BLE001 -- whatever a kind raises, these numbers cannot be computed
        pass  # found again, value by value, below
    else:
        flat = np.concatenate([v.reshape(-1) for v in values.values()]) if values else np.zeros(0)
        if np.isfinite(flat).all() and (flat.size == 0 or np.abs(flat).max() <= LIMIT):
            return []  # one test for the usual case; the search below only when something is off
    found = _first_bad(problem)
    if found is None:  # failed as a whole, not value by value: name the problem
        return [(path, f"its values cannot be computed: {_ADVICE}")]
    return [_blame(problem, data, path, *found)]


def _first_bad(problem: Problem) -> tuple[str, str, str] | None:
    """The first quantity that raises, is not finite or is too large, computed value by value:
    (key, what went wrong, its value in words), or None."""
    values: dict[str, np.ndarray] = {}
    with np.errstate(all="ignore"):
        for key, q in problem.quantities.items():
            if q.is_given:
                v = problem.givens[key]
            else:
                try:
                    v = computed_array(q.fn(*(values[d] for d in q.deps)))
                except Exception as exc:  # noqa: BLE001 -- reported, with the quantity
                    return key, "fail", f"{key}: {_describe(exc)}"
            if np.isnan(v).any():
                return key, "are not numbers", f"{key} = NaN"
            if np.isinf(v).any():
                return key, "overflow", f"{key} = inf"
            if v.size and np.abs(v).max() > LIMIT:
                return key, "are too large for work by hand", f"{key} = {np.abs(v).max():.3g}; at most 1e15 in absolute value"
            values[key] = v
    return None


#: what went wrong, said of a given itself rather than of the values computed from it
_ITSELF = {"fail": "cannot be used", "are not numbers": "is not a number", "overflow": "is infinite",
           "are too large for work by hand": "is too large for work by hand"}


def _blame(problem: Problem, data, path: str, key: str, went: str, shown: str) -> tuple[str, str]:
    """The field to blame for quantity ``key`` going wrong, and the message."""
    if problem.quantities[key].is_given:
        field = field_of(key, problem.givens[key], data, path)
        if field is not None:
            return field, f"{_ITSELF[went]} ({shown}): {_ADVICE}"
        return path, f"the given {key} {_ITSELF[went]} ({shown}): {_ADVICE}"
    # the most extreme numbers are to blame: 1e308 before the 2 it is multiplied with; for a
    # failure or a NaN (1/0, 0/0) the smallest as much, and a zero before ordinary numbers
    small = went in ("fail", "are not numbers")
    suspects = []  # (how extreme, recorded by the graph, field)
    for g in _ancestors(problem, key):
        if problem.quantities[g].is_given:
            field = field_of(g, problem.givens[g], data, path)
            if field is not None:
                suspects.append((_extremeness(problem.givens[g], small), 1, field))
    # a kind may also compute with numbers it keeps to itself (the data of a loss, say): any
    # field of the table is a suspect too, if clearly more extreme than the recorded ones
    for field, raw in _numeric_fields(data, path):
        suspects.append((_extremeness(raw, small) - 1.0, 0, field))
    if suspects:
        field = max(suspects, key=lambda s: (s[0], s[1]))[2]
        return field, f"the values computed from it {went} ({shown}): {_ADVICE}"
    return path, f"its values {went} ({shown}): {_ADVICE}"


def _ancestors(problem: Problem, key: str) -> list[str]:
    """Every quantity ``key`` is computed from, directly or not, in the graph's order."""
    seen: set[str] = set()
    todo = list(problem.quantities[key].deps)
    while todo:
        k = todo.pop()
        if k not in seen:
            seen.add(k)
            todo.extend(problem.quantities[k].deps)
    return [k for k in problem.quantities if k in seen]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, OverflowError):
        return "overflow"
    text = str(exc).splitlines()[0] if str(exc) else ""
    text = text if len(text) <= 80 else text[:77] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _extremeness(v, small: bool) -> float:
    """How far the numbers are from ordinary ones, in decades: the largest log₁₀|v|, or the largest
    |log₁₀ |v|| with ``small`` (and 10 for a 0); without it, tiny numbers count half (a division
    by 1e-300 overflows, but an ε = 1e-8 is less to blame than an x = 1e7)."""
    try:
        v = np.abs(np.asarray(v, dtype=np.float64).reshape(-1))
    except (ValueError, TypeError):  # ragged rows: a builder refuses those before any value
        return 0.0
    score = 10.0 if small and (v == 0).any() else 0.0
    v = v[(v != 0) & np.isfinite(v)]
    if v.size:
        logs = np.log10(v)
        score = max(score, float(logs.max()), float(-logs.min()) * (1.0 if small else 0.5))
    return score


# -- finding the field a given was read from ---------------------------------------------------

def field_of(key: str, value: np.ndarray, data: Mapping[str, Any], path: str = "problem") -> str | None:
    """The field of ``data`` (under ``path``) that given ``key`` was most likely read from, or None.

    The problem graph records which givens a value is computed from, not which field each given
    came from, so this matches by value -- the field holds the given's numbers, or holds them as
    one of its rows (``x1`` is the first row of ``x``) -- and then by name (``W1`` is the ``W`` of
    ``layers[1]``, ``relu.x`` the ``x`` of some table).
    """
    value = np.asarray(value, dtype=np.float64).reshape(-1)
    best: tuple[int, str] | None = None
    for field, raw in _numeric_fields(data, path):
        try:
            arr = np.array(raw, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            continue
        if arr.size == value.size and np.array_equal(arr.reshape(-1), value, equal_nan=True):
            score = 2
        elif arr.ndim == 0 and value.size and np.all(value == arr):  # a number given for every entry
            score = 2
        elif arr.ndim and any(row.size == value.size and np.array_equal(row.reshape(-1), value, equal_nan=True)
                              for row in arr):
            score = 1
        else:
            continue
        score += _name_score(key, field)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, field)
    return None if best is None else best[1]


def _name_score(key: str, field: str) -> int:
    """1 when the field's own name is the given's name (its last dotted part, digits dropped)
    and any number in the key is the field's table index, if it is in a list of tables; else 0."""
    last = key.rsplit(".", 1)[-1]
    name = last.rstrip("0123456789") or last
    number = last[len(name):]
    segments = field.rsplit(".", 2)
    if segments[-1] != name:
        return 0
    if number and len(segments) > 1 and segments[-2].endswith("]") and not segments[-2].endswith(f"[{number}]"):
        return 0
    return 1


def _numeric_fields(data: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every number or list of numbers in ``data``, with its dotted path (tables in lists from 1)."""
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _numeric_fields(v, f"{path}.{k}")
    elif isinstance(data, list):
        if data and all(isinstance(v, Mapping) for v in data):
            for i, v in enumerate(data, start=1):
                yield from _numeric_fields(v, f"{path}[{i}]")
        elif _numeric(data):
            yield path, data
    elif _numeric(data):
        yield path, data


def _numeric(value, depth: int = 0) -> bool:
    if isinstance(value, list):
        return depth < 5 and all(_numeric(v, depth + 1) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)
