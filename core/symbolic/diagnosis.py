"""How a wrong formula differs from the expected one, found on the trees and confirmed by numbers.

``diagnose(yours, expected, env, spec)`` is called by screening once the two formulas are known
to differ at the sample points ``env``. It looks for one difference a student can act on, in
this order (the first that holds at every point is the answer; None when none does):

- the transpose: in a matrix lesson (entries x11, x12, …), yours is the expected formula with
  each entry's indices swapped (x12 ↔ x21), or with a product aⱼ·bₖ written aₖ·bⱼ;
- a constant factor: yours = k × expected for a simple rational k ("half", "twice", "3/2 times";
  −1 is the sign, worded by screening itself);
- a term: expected = yours + t (a term is missing) or yours = expected + t (an extra one), or
  expected − yours = 2t (the sign of t is flipped), where t is a top-level summand of the
  formula it comes from, or one summand of a bracket multiplied out (−η·(a + b) gives −η·a, −η·b);
- a factor: expected = yours × f (or yours = expected × f) where f is a product of at most
  MAX_SUBSET top-level factors of the bigger formula, times a simple rational; called the inner
  derivative (the chain rule) when f is ± the derivative of a function's argument, a power's
  base or a denominator of the expected formula, with respect to one symbol;
- one term: all summands but one pair agree, and that pair differs by a factor as above
  ("in the term −σ(−m), yours lacks the inner derivative y·x1").

The work is bounded (MAX_TERMS summands and MAX_FACTORS factors looked at, subsets of at most
MAX_SUBSET of them, MAX_INNER derivatives tried), so it runs on every Enter: plain NumPy on the
sample points, no SymPy.
"""

from __future__ import annotations

import itertools
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

import numpy as np

from ..i18n import Messages
from .calculus import derivative, evaluate, substitute
from .printing import _negated, show
from .tree import (
    ONE, Add, Div, Fn, Mul, Neg, Node, Num, Pow, Sym, _is_constant, _postorder, free_symbols, mul, neg, size,
)

if TYPE_CHECKING:
    from .checking import FormulaSpec

#: Summands, factors and inner functions looked at, and the largest subset of factors tried.
MAX_TERMS = 12
MAX_FACTORS = 8
MAX_SUBSET = 3
MAX_INNER = 24
#: A sub-tree larger than this is not differentiated to name an inner derivative.
MAX_INNER_SIZE = 60
#: A term or factor whose text is longer is not named (the counterexample is clearer then).
MAX_TEXT = 80
#: Simple rationals: k = p/q with q ≤ MAX_DENOMINATOR and |p| ≤ MAX_NUMERATOR.
MAX_DENOMINATOR = 12
MAX_NUMERATOR = 100
MIN_POINTS = 5  # points a difference must hold at, as checking.MIN_POINTS
_TOL = 1e-7

Message = Mapping[str, str]  # in every language

# Each a phrase after "Not the same formula: " (checking.py); k is a simple rational (3/2, −3).
_W = Messages({
    "transpose": {"en": "that is the transpose (the indices swapped: {listed}).",
                  "ru": "это транспонированный ответ (индексы переставлены: {listed})."},
    "half": {"en": "yours is half the expected one.", "ru": "ваша вдвое меньше ожидаемой."},
    "twice": {"en": "yours is twice the expected one.", "ru": "ваша вдвое больше ожидаемой."},
    "times": {"en": "yours is {k} times the expected one.", "ru": "ваша равна ожидаемой, умноженной на {k}."},
    "missing_term": {"en": "you are missing the term {term}.", "ru": "не хватает слагаемого {term}."},
    "extra_term": {"en": "you have an extra term {term}.", "ru": "лишнее слагаемое {term}."},
    "term_sign": {"en": "the sign of the term {term} is flipped.", "ru": "у слагаемого {term} неверный знак."},
    "inner": {"en": "yours lacks the inner derivative {factor} (the chain rule).",
              "ru": "не хватает производной внутренней функции, {factor} (правило цепочки)."},
    "missing_factor": {"en": "yours lacks the factor {factor}.", "ru": "не хватает множителя {factor}."},
    "extra_factor": {"en": "yours has an extra factor {factor}.", "ru": "лишний множитель {factor}."},
    "term_half": {"en": "your term {term} is half the expected one.",
                  "ru": "ваше слагаемое {term} вдвое меньше ожидаемого."},
    "term_twice": {"en": "your term {term} is twice the expected one.",
                   "ru": "ваше слагаемое {term} вдвое больше ожидаемого."},
    "term_times": {"en": "your term {term} is {k} times the expected one.",
                   "ru": "ваше слагаемое {term} равно ожидаемому, умноженному на {k}."},
    # why: how the term differs, one of the factor phrases above
    "in_term": {"en": "in the term {term}, {why}", "ru": "в слагаемом {term} {why}"},
})


def diagnose(yours: Node, expected: Node, env: Mapping[str, np.ndarray], spec: "FormulaSpec",
             va: np.ndarray, vb: np.ndarray) -> Message | None:
    """One structural difference between ``yours`` (values ``va`` at ``env``) and ``expected``
    (values ``vb``), as a phrase after "Not the same formula: " in every language, or None."""
    ok = np.isfinite(va) & np.isfinite(vb)
    if int(ok.sum()) < MIN_POINTS:
        return None
    probe = _Probe(env, ok, spec)
    return (_transpose(yours, va, expected, probe)
            or _factor_k(va, vb, ok)
            or _terms(yours, va, expected, vb, probe)
            or _factors(yours, va, expected, vb, probe)
            or _one_term(yours, expected, probe))


class _Probe:
    """The sample points, the points where both formulas are defined, and values of sub-trees."""

    def __init__(self, env: Mapping[str, np.ndarray], ok: np.ndarray, spec: "FormulaSpec"):
        self.env, self.ok, self.spec = env, ok, spec
        self._values: dict[int, tuple[Node, np.ndarray]] = {}

    def value(self, node: Node) -> np.ndarray:
        hit = self._values.get(id(node))
        if hit is None or hit[0] is not node:
            hit = self._values[id(node)] = (node, evaluate(node, self.env))
        return hit[1]

    def narrowed(self, ok: np.ndarray) -> "_Probe":
        """The same points and values, compared only where ``ok``."""
        out = _Probe(self.env, ok, self.spec)
        out._values = self._values
        return out

    def same(self, x: np.ndarray, y: np.ndarray) -> bool:
        """x = y at every point where both formulas are defined (within rounding)."""
        x, y = x[self.ok], y[self.ok]
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            return False
        with np.errstate(all="ignore"):
            return bool((np.abs(x - y) <= _TOL * (1.0 + np.abs(x) + np.abs(y))).all())


# ----------------------------------------------------------------------------- wording

def _text(node: Node) -> str | None:
    try:
        out = show(node, pretty=True)
    except ValueError:
        return None
    return out if len(out) <= MAX_TEXT else None


def _positive(node: Node) -> Node:
    """The term as written after a minus sign (−2x is shown as 2x)."""
    return _negated(node) or node


def _k_text(k: Fraction) -> str:
    return ("−" if k < 0 else "") + (str(abs(k.numerator)) if k.denominator == 1 else
                                     f"{abs(k.numerator)}/{k.denominator}")


# ----------------------------------------------------------------------------- the transpose

_ENTRY = re.compile(r"^([A-Za-z_]+)([1-9])([1-9])$")
_COMPONENT = re.compile(r"^([A-Za-z_]+?)([1-9])$")


def _transpose(yours: Node, va: np.ndarray, expected: Node, probe: _Probe) -> Message | None:
    names = set(probe.spec.names)
    base = _unfold(expected, probe.spec)
    entries = {}  # x12 -> x21, for entries of a matrix the lesson names both ways
    for s in sorted(free_symbols(base)):
        m = _ENTRY.match(s)
        if m and m.group(2) != m.group(3):
            other = f"{m.group(1)}{m.group(3)}{m.group(2)}"
            if other in names:
                entries[s] = other
    candidates = []
    if entries:
        candidates.append((substitute(base, {k: Sym(v) for k, v in entries.items()}), entries))
    swapped, pairs = _swap_outer(base, names)
    if pairs:
        candidates.append((swapped, pairs))
        if entries:
            candidates.append((substitute(swapped, {k: Sym(v) for k, v in entries.items()}), {**pairs, **entries}))
    for node, swaps in candidates:
        if probe.same(va, probe.value(node)) and not probe.same(probe.value(node), probe.value(base)):
            shown = list(dict.fromkeys(" ↔ ".join(sorted(pair)) for pair in swaps.items()))
            listed = ", ".join(shown[:3]) + (", …" if len(shown) > 3 else "")
            return _W.each("transpose", listed=listed)
    return None


def _swap_outer(node: Node, names: set[str]) -> tuple[Node, dict[str, str]]:
    """Each product aⱼ·bₖ (two components of different vectors, j ≠ k) as aₖ·bⱼ: the transpose
    of an outer product's entry."""
    pairs: dict[str, str] = {}

    def swap(term: Node) -> Node:
        factors = term.factors if isinstance(term, Mul) else (term,)
        found = [(i, _COMPONENT.match(f.name)) for i, f in enumerate(factors) if isinstance(f, Sym)]
        found = [(i, m) for i, m in found if m]
        if len(found) != 2:
            return term
        (i, m), (j, n) = found
        if m.group(1) == n.group(1) or m.group(2) == n.group(2):
            return term
        a, b = m.group(1) + n.group(2), n.group(1) + m.group(2)
        if a not in names or b not in names:
            return term
        pairs[f"{m.group(0)}·{n.group(0)}"] = f"{a}·{b}"
        out = list(factors)
        out[i], out[j] = Sym(a), Sym(b)
        return mul(*out)

    terms = node.terms if isinstance(node, Add) else (node,)
    out = []
    for t in terms[:MAX_TERMS]:
        if isinstance(t, Neg):
            out.append(neg(swap(t.arg)))
        else:
            out.append(swap(t))
    if len(terms) > MAX_TERMS:
        return node, {}
    return (Add(tuple(out)) if len(out) > 1 else out[0]), pairs


def _unfold(node: Node, spec: "FormulaSpec") -> Node:
    """The tree in base symbols (the defined ones, such as D = det X, replaced by their definitions)."""
    used = free_symbols(node) & set(spec.where)
    return substitute(node, {k: spec.where[k].node for k in used}) if used else node


# ----------------------------------------------------------------------------- a constant factor

def _simple(ratio: np.ndarray) -> Fraction | None:
    """The simple rational all of ``ratio`` (finite values) is close to, if any."""
    if ratio.size == 0 or not np.isfinite(ratio).all():
        return None
    k = Fraction(float(np.median(ratio))).limit_denominator(MAX_DENOMINATOR)
    if k == 0 or abs(k.numerator) > MAX_NUMERATOR:
        return None
    return k


def _ratio(x: np.ndarray, y: np.ndarray, ok: np.ndarray) -> Fraction | None:
    """k with x = k·y at every point of ``ok``, k a simple rational; None if there is none."""
    x, y = x[ok], y[ok]
    big = np.abs(y) > 1e-9 * (1.0 + np.abs(x))
    if int(big.sum()) < MIN_POINTS:
        return None
    with np.errstate(all="ignore"):
        k = _simple(x[big] / y[big])
        if k is None:
            return None
        kf = float(k)
        if not (np.abs(x - kf * y) <= _TOL * (1.0 + np.abs(x) + np.abs(kf * y))).all():
            return None
    return k


def _factor_k(va: np.ndarray, vb: np.ndarray, ok: np.ndarray) -> Message | None:
    k = _ratio(va, vb, ok)
    if k is None or k in (1, -1):  # −1: screening says "the opposite sign" itself
        return None
    if k == Fraction(1, 2):
        return _W.each("half")
    if k == 2:
        return _W.each("twice")
    return _W.each("times", k=_k_text(k))


# ----------------------------------------------------------------------------- terms

def _summands(node: Node) -> list[Node]:
    """Top-level summands, then each summand with a bracket multiplied out (c·(a + b) → c·a, c·b);
    at most MAX_TERMS."""
    if isinstance(node, Neg):
        top = [neg(t) for t in _top(node.arg)]
    else:
        top = _top(node)
    out = list(top)
    for t in top:
        sign, body = (-1, t.arg) if isinstance(t, Neg) else (1, t)
        factors = body.factors if isinstance(body, Mul) else (body,)
        brackets = [i for i, f in enumerate(factors) if isinstance(f, Add)]
        if len(brackets) == 1 and len(factors) > 1:
            i = brackets[0]
            for inner in factors[i].terms:
                part = mul(*factors[:i], inner, *factors[i + 1:])
                out.append(neg(part) if sign < 0 else part)
    return out[:MAX_TERMS]


def _top(node: Node) -> list[Node]:
    return list(node.terms) if isinstance(node, Add) else [node]


def _terms(yours: Node, va: np.ndarray, expected: Node, vb: np.ndarray, probe: _Probe) -> Message | None:
    missing, extra = vb - va, va - vb
    theirs = _summands(expected) if len(_top(_strip(expected))) > 1 else []
    mine = _summands(yours) if len(_top(_strip(yours))) > 1 else []
    for t in theirs:
        v = probe.value(t)
        if probe.same(missing, v) and (text := _text(t)):
            return _W.each("missing_term", term=text)
    for u in mine:
        v = probe.value(u)
        if probe.same(extra, v) and (text := _text(u)):
            return _W.each("extra_term", term=text)
    for t in theirs:
        if probe.same(missing, 2.0 * probe.value(t)):
            # name the term as the student wrote it, when one of theirs is −t
            shown = next((u for u in mine if probe.same(probe.value(u), -probe.value(t))), t)
            if text := _text(_positive(shown)):
                return _W.each("term_sign", term=text)
    return None


def _strip(node: Node) -> Node:
    return node.arg if isinstance(node, Neg) else node


# ----------------------------------------------------------------------------- factors

def _flat_factors(node: Node) -> list[Node]:
    """Non-constant top-level factors: signs and numbers dropped, nested products opened,
    a denominator as one factor 1/d."""
    out: list[Node] = []
    stack = [node]
    while stack and len(out) <= MAX_FACTORS:
        n = stack.pop()
        if isinstance(n, Neg):
            stack.append(n.arg)
        elif isinstance(n, Mul):
            stack.extend(reversed(n.factors))
        elif isinstance(n, Div):
            if not _is_constant(n.den):
                out.append(n if n.num == ONE else Div(ONE, n.den))
            if n.num != ONE:
                stack.append(n.num)
        elif not _is_constant(n):
            out.append(n)
    return out[:MAX_FACTORS]


def _subsets(factors: Sequence[Node]) -> Iterator[tuple[Node, ...]]:
    for r in range(1, min(MAX_SUBSET, len(factors)) + 1):
        yield from itertools.combinations(factors, r)


def _missing_factor(small: np.ndarray, big: np.ndarray, factors: Sequence[Node], probe: _Probe) -> Node | None:
    """A product k·f₁·…·fᵣ of ``factors`` (a simple rational k) with big = small × it, if any."""
    values = [probe.value(f) for f in factors]
    for combo in _subsets(range(len(factors))):
        p = np.ones_like(small)
        for i in combo:
            p = p * values[i]
        with np.errstate(all="ignore"):
            k = _ratio(big, small * p, probe.ok)
        if k is not None:
            return mul(Num(k), *(factors[i] for i in combo))
    return None


def _factors(yours: Node, va: np.ndarray, expected: Node, vb: np.ndarray, probe: _Probe) -> Message | None:
    lacks = _missing_factor(va, vb, _flat_factors(expected), probe)
    if lacks is not None and (text := _text(_positive(lacks))):
        if _inner_derivative(lacks, expected, probe):
            return _W.each("inner", factor=text)
        return _W.each("missing_factor", factor=text)
    extra = _missing_factor(vb, va, _flat_factors(yours), probe)
    if extra is not None and (text := _text(_positive(extra))):
        return _W.each("extra_factor", factor=text)
    return None


def _inner_derivative(factor: Node, expected: Node, probe: _Probe) -> bool:
    """Is ``factor`` ± ∂u/∂s for an inner function u of the expected formula (a function's
    argument, a power's base, a denominator) and a base symbol s?"""
    want = probe.value(factor)
    tried = 0
    for n in _postorder(expected)[0]:
        if isinstance(n, Fn):
            u = n.arg
        elif isinstance(n, Pow):
            u = n.base
        elif isinstance(n, Div):
            u = n.den
        else:
            continue
        if _is_constant(u) or (isinstance(u, Sym) and u.name not in probe.spec.where):
            continue
        u = _unfold(u, probe.spec)
        if size(u) > MAX_INNER_SIZE:
            continue
        for s in sorted(free_symbols(u) & set(probe.spec.ranges)):
            tried += 1
            if tried > MAX_INNER:
                return False
            du = probe.value(derivative(u, s))
            if probe.same(du, want) or probe.same(-du, want):
                return True
    return False


# ----------------------------------------------------------------------------- one term

def _one_term(yours: Node, expected: Node, probe: _Probe) -> Message | None:
    """All summands agree but one of each side: how that pair differs."""
    theirs, mine = _top(_strip(expected)), _top(_strip(yours))
    if len(theirs) < 2 or len(theirs) > MAX_TERMS or len(mine) != len(theirs):
        return None
    sign_b = -1.0 if isinstance(expected, Neg) else 1.0
    sign_a = -1.0 if isinstance(yours, Neg) else 1.0
    left = [(t, sign_b * probe.value(t)) for t in theirs]
    odd = []
    for u in mine:
        vu = sign_a * probe.value(u)
        hit = next((i for i, (_, vt) in enumerate(left) if probe.same(vu, vt)), None)
        if hit is None:
            odd.append((u, vu))
        else:
            del left[hit]
    if len(odd) != 1 or len(left) != 1:
        return None
    (u, vu), (t, vt) = odd[0], left[0]
    ok = probe.ok & np.isfinite(vu) & np.isfinite(vt)
    text = _text(neg(u) if sign_a < 0 else u)
    if text is None or int(ok.sum()) < MIN_POINTS:
        return None
    k = _ratio(vu, vt, ok)
    if k is not None and k != 1:
        if k == -1:
            return None  # a flipped sign is found by _terms
        if k == Fraction(1, 2):
            return _W.each("term_half", term=text)
        if k == 2:
            return _W.each("term_twice", term=text)
        return _W.each("term_times", term=text, k=_k_text(k))
    found = _factors(u, vu, t, vt, probe.narrowed(ok))
    if found is None:
        return None
    return _W.each("in_term", term=text, why=found)
