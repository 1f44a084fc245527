"""The right method on a wrong input: a stale one, a misread given, a given left out.

Each wrong input is tried by re-running the graph (:class:`~.diagnosis_case.Evaluator`); the
values they give are worked out once per step and accepted values (:func:`candidates`) and
kept in the lesson run's memo while those values stay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .answers import format_value
from .diagnosis_case import Case, Evaluator, aliases, ancestors, trivial
from .diagnosis_text import say


@dataclass(frozen=True)
class Candidate:
    """A value a specific slip gives, with the message naming that slip."""

    value: np.ndarray
    message: str
    kind: str  # "stale", "given" or "left_out"


#: how many steps' candidates a lesson run keeps (the step in hand, and a few it came back from)
MEMO_SIZE = 16


def candidates(case: Case) -> tuple[tuple[Candidate, ...], int]:
    """The stale-input and misread-given candidates for this step and these values, and how many
    re-evaluations they took: worked out on the first wrong answer, then reused from ``case.memo``
    (the lesson run's) while the values they come from stay the same."""
    upstream = ancestors(case.problem, case.key)
    digest = hash(tuple(np.asarray(case.values[k]).tobytes() for k in sorted(upstream)))
    key = (case.key, digest, case.lang, case.steps)
    hit = case.memo.get(key)
    if hit is not None:
        return hit
    ev = Evaluator(case)
    found = tuple(_stale_candidates(case, ev)) + tuple(_given_candidates(case, ev))
    if len(case.memo) >= MEMO_SIZE:
        case.memo.pop(next(iter(case.memo)))
    case.memo[key] = (found, ev.count)
    return found, ev.count


def _stale_candidates(case: Case, ev: Evaluator):
    qs = case.problem.quantities
    index = {k: i for i, k in enumerate(qs)}
    direct = qs[case.key].deps
    # the inputs the student is likelier to have mixed up first: direct ones, then the others
    for d in [*direct, *sorted(set(ev.inputs) - set(direct), key=index.get, reverse=True)]:
        if not case.may_name(d):
            continue
        for a in aliases(d):
            if a not in qs or a == case.key or index[a] >= index[case.key] or not case.may_name(a):
                continue
            va, vd = np.asarray(case.values[a]), np.asarray(case.values[d])
            if va.shape != vd.shape or np.array_equal(va, vd):
                continue
            for here in ((True, False) if d in direct else (False,)):  # where this step uses it, or on the way
                value = ev({d: va}, here=here)
                if value is None:
                    return
                if np.shape(value) != va.shape or not np.allclose(value, va):  # a value passed through
                    yield Candidate(value, _stale_message(case, a, d), "stale")  # is "that is a", below


def _stale_message(case: Case, a: str, d: str) -> str:
    am, dm = case.meaning(a), case.meaning(d)
    if am == dm:
        return say("stale_same", case.lang, a=case.symbol(a), d=case.symbol(d))
    return say("stale", case.lang, a=case.symbol(a), am=am, d=case.symbol(d), dm=dm)


def _given_candidates(case: Case, ev: Evaluator):
    qs = case.problem.quantities
    direct = qs[case.key].deps
    givens = [k for k in [*direct, *ev.inputs] if qs[k].is_given and case.may_name(k)]
    givens = [g for g in dict.fromkeys(givens) if np.size(case.values[g]) <= 16]
    readings = [list(_misreadings(np.asarray(case.values[g], dtype=np.float64), case.symbol(g), case.lang))
                for g in givens]
    # every given's likeliest misreadings (its sign, 0, 1, its transpose) before any one's entries
    ranked = [(i, g, r) for g, rs in zip(givens, readings) for i, r in enumerate(rs)]
    ranked.sort(key=lambda t: min(t[0], 4))
    for _i, g, (wrong, message) in ranked:
        value = ev({g: wrong})
        if value is None:
            return
        left_out = bool(np.all(wrong == 0) or np.all(wrong == 1))  # 0 for a term, 1 for a factor
        yield Candidate(value, message, "left_out" if left_out else "given")


def _misreadings(v: np.ndarray, sym: str, lang: str):
    """Ways to misread a given, most likely first: its sign, its transpose, one entry's sign,
    two entries swapped, one entry's two digits swapped."""
    flat = v.reshape(-1)
    if v.size == 1:  # a number (or a vector of one): its sign, 0 for it (left out), 1 for it
        x = float(flat[0])
        for w in ([-x] if x else []) + [w for w in (0.0, 1.0) if w != x]:
            yield np.full(v.shape, w), say("given_sign", lang, g=sym, wrong=format_value(w), right=format_value(x))
        for w in _digit_swaps(x):
            yield np.full(v.shape, w), say("given_sign", lang, g=sym, wrong=format_value(w), right=format_value(x))
        return
    if np.any(v != 0):
        yield np.zeros_like(v), say("given_zero", lang, g=sym)
    if np.any(v != 1):
        yield np.ones_like(v), say("given_one", lang, g=sym)
    if np.any(v != 0):
        yield -v, say("given_flip", lang, g=sym)
    if v.ndim == 2 and v.shape[0] == v.shape[1] > 1 and not np.array_equal(v, v.T):
        yield v.T.copy(), say("given_t", lang, g=sym)
    names = [_index(i, v.shape) for i in range(flat.size)]
    for i in range(flat.size):
        if flat[i] != 0 and flat.size <= 4:  # one entry left out
            w = flat.copy()
            w[i] = 0.0
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong="0", right=format_value(flat[i]))
    for i in range(flat.size):
        if flat[i] != 0:
            w = flat.copy()
            w[i] = -w[i]
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong=format_value(-flat[i]), right=format_value(flat[i]))
    for i in range(flat.size if v.ndim == 2 else 0):  # a table read wrongly: two entries swapped
        for j in range(i + 1, flat.size):
            if flat[i] != flat[j]:
                w = flat.copy()
                w[i], w[j] = w[j], w[i]
                yield w.reshape(v.shape), say("given_swap", lang, g=sym, a=say("entry", lang, s=sym, i=names[i]),
                                              b=say("entry", lang, s=sym, i=names[j]))
    for i in range(flat.size):
        for x in _digit_swaps(float(flat[i])):
            w = flat.copy()
            w[i] = x
            yield w.reshape(v.shape), say("given_sign", lang, g=say("entry", lang, s=sym, i=names[i]),
                                          wrong=format_value(x), right=format_value(flat[i]))


def _index(i: int, shape) -> str:
    return ",".join(str(int(k) + 1) for k in np.unravel_index(i, shape))


def _digit_swaps(x: float) -> list[float]:
    """0.25 → 0.52, 12 → 21, −0.3 → none: the two significant digits of a number, swapped."""
    text = format(abs(x), ".10g")
    digits = [c for c in text.lstrip("0.") if c.isdigit()]
    if len(digits) != 2 or digits[0] == digits[1] or "e" in text:
        return []
    a, b = digits
    swapped = text.replace(a + b, b + a, 1) if a + b in text else None
    if swapped is None:
        return []
    return [math.copysign(float(swapped), x)]


def stale_input(case: Case) -> str | None:
    """The quantity's own formula on a stale input: the same-shaped value of another step, time or
    observation (W₁ for W₁′, w₁ for w₂, s₁ for s₂). Before a misread given: a value the student
    computed is the likelier mix-up."""
    for cand in candidates(case)[0]:
        if cand.kind == "stale" and case.hits(cand.value):
            return cand.message
    return None


def wrong_given(case: Case) -> str | None:
    """The right method on a misread given (a sign, a transpose, two entries swapped, two digits
    swapped), found by re-running the graph, at most :data:`MAX_EVALUATIONS` times per step.
    Not when the answer is the right one with some signs flipped: "look again at entry 2" says
    where, which is more use than which given."""
    typed = np.asarray(case.reading.value, dtype=np.float64).reshape(case.expected.shape)
    if trivial(typed):
        return None
    if case.expected.size > 1 and case.hits(np.where(np.isclose(typed, -case.expected), -case.expected,
                                                     case.expected)):
        return None
    for cand in candidates(case)[0]:
        if cand.kind == "given" and case.hits(cand.value):
            return cand.message
    return None


def left_out(case: Case) -> str | None:
    """The right method with a given left out (taken as 0, or a factor taken as 1): after the
    quantities met on the way, since "that is a" is the same slip as "b left out of a + b"."""
    if trivial(case.reading.value):
        return None
    for cand in candidates(case)[0]:
        if cand.kind == "left_out" and case.hits(cand.value):
            return cand.message
    return None
