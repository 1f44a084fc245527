"""Symbolic answers: formulas read into small trees, compared at random points and with SymPy.

Reading (no SymPy, bounded like numbers). ``read_formula(text, symbols)`` runs the answer
parser of :mod:`nntutor.core.answers` with a tree algebra: the result is a :class:`Formula`
over the step's declared symbols, built from the immutable nodes

    Num(Fraction) | Const("e"|"pi") | Sym(name) | Neg(a) | Add(terms) | Mul(factors)
    | Div(a, b) | Pow(a, b) | Fn(name, a)      name ∈ exp, ln, sqrt, sigmoid, tanh, sin, cos, abs

Sums and products are flat (``a - b`` is Add(a, Neg(b))); constant parts fold exactly
(``2/3`` is Num(2/3)). A constant sub-expression is also evaluated in floats by the numeric
algebra, so ``ln(0)``, ``1/0`` and ``9^9^9`` are refused with the same codes as numbers.
Limits beyond the parser's (length, tokens, nesting 40): a constant exponent is at most
MAX_EXPONENT in size, an exact number at most MAX_BITS bits (39 digits), a tree at most
MAX_TREE_DEPTH deep. The builders (add, mul, neg, sub, div, power) keep trees flat and tidy;
``derivative`` and ``substitute`` use them, so trees stay small without any simplifier.

Checking, in two parts. ``screen_formula`` evaluates both formulas with NumPy at
``spec.samples`` random points (symbols drawn uniformly from their ranges; symbols defined by
``where`` computed from them; points where the expected formula is undefined are skipped, at
least MIN_POINTS must remain): a clear difference is "different" at once, in well under a
millisecond. A formula it cannot refute "agrees", and only ``prove_formula`` can accept it:
SymPy decides — simplify(a − b) == 0, then ``equals`` — in a worker process with a hard
CAP-second limit. When no proof can be had (the worker still starting, SymPy over the cap or
undecided) the verdict is "unproven": the student is asked to try again or rewrite, never
told "correct" on numbers alone, so a verdict never depends on the worker's state
(1 − s + 10⁻¹²·s agrees with 1 − s at every point). ``check_formula`` runs both; without
a worker (lesson checks at load, the authoring checker) it is numeric only.

The worker is a child process started with :mod:`subprocess` (``python -I -m
nntutor.core.symbolic --worker``, isolated from the current directory and PYTHONPATH) speaking one JSON object per line on stdin/stdout. Why
not multiprocessing: "spawn" and "forkserver" re-import the parent's ``__main__`` (the Textual
app or pytest) in the child and pickle objects across; a plain child runs only this module,
its protocol is explicit data, it is killed with one call, and it exits by itself when the
parent's end of the pipe closes. Only trees travel, as a table of nodes (numbers as integer
pairs), so no text ever reaches SymPy's parser; the child converts the table with SymPy
constructors. In the child, RLIMIT_AS bounds memory (MEMORY_LIMIT). A SymPy call holds the
GIL and cannot be interrupted, so a call over the cap is ended by killing the child; a new
one starts at once in the background. The parent waits on a queue fed by a reader thread,
so it never blocks longer than the cap.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from functools import cached_property
from fractions import Fraction
from types import MappingProxyType
from typing import Mapping, Sequence, Union

import numpy as np

from .answers import (
    CONSTANT_NAMES, FLOATS, FUNCTION_NAMES, RESERVED_NAMES, Algebra, AnswerError, FormatProblem,
    _at, format_value, read_expression,
)
from .notation import superscript

#: Hard cap, in seconds, on one check (numeric part and SymPy together).
CAP = 1.0
#: Largest constant exponent in a formula (x^100 is fine, x^(10^10) is refused).
MAX_EXPONENT = 100
#: Largest exact number (numerator or denominator) in a formula, in bits: 2^128 has 39
#: digits, so every number of a tree prints as a literal the reader accepts (≤ 40 characters).
MAX_BITS = 128
MAX_TREE_DEPTH = 100
#: Formulas with more nodes than this are "too complex" to check.
MAX_NODES = 400
#: Largest tree show() writes out, counting shared sub-trees each time they appear.
MAX_SHOWN = 5000
#: Random points per check, and how many must be defined on both sides.
SAMPLES = 24
MIN_POINTS = 5
#: Points at which a formula quantity's value is shown (the answer key, the quantity graph).
KEY_POINTS = 5
#: Address-space limit of the worker process, in bytes.
MEMORY_LIMIT = 1 << 30
#: How long a starting worker may take to import SymPy before it is replaced.
STARTUP_LIMIT = 30.0
#: How long a proof waits for a worker that is still starting (SymPy's import: 0.4–0.7 s, more
#: under load); the screen says "Checking…" meanwhile and keys stay live.
READY_WAIT = 20.0
# Numeric comparison: equal within rounding, and clearly different (no SymPy needed).
_EQUAL_TOL = 1e-8
_DIFFERENT_TOL = 1e-5

__all__ = [
    "Num", "Const", "Sym", "Neg", "Add", "Mul", "Div", "Pow", "Fn", "Node", "Formula",
    "add", "mul", "neg", "sub", "div", "power", "fn", "check_symbols", "describe_formula",
    "read_formula", "evaluate", "derivative", "substitute", "free_symbols", "size", "tree_size", "show",
    "to_table", "to_sympy", "draw_points", "key_points", "FormulaSpec", "FormulaResult", "check_formula", "screen_formula", "prove_formula",
    "formula_value",
    "SymbolicWorker", "CAP", "KEY_POINTS", "MAX_NODES",
]


# ----------------------------------------------------------------------------- nodes

@dataclass(frozen=True, slots=True)
class Num:
    """An exact rational number."""

    value: Fraction


@dataclass(frozen=True, slots=True)
class Const:
    """e or pi."""

    name: str


@dataclass(frozen=True, slots=True)
class Sym:
    """A declared symbol, by its declared name."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    arg: "Node"


@dataclass(frozen=True, slots=True)
class Add:
    """terms[0] + terms[1] + …; a subtraction is an added Neg."""

    terms: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Mul:
    """factors[0]·factors[1]·…; a numeric coefficient, if any, comes first."""

    factors: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Div:
    num: "Node"
    den: "Node"


@dataclass(frozen=True, slots=True)
class Pow:
    base: "Node"
    exp: "Node"


@dataclass(frozen=True, slots=True)
class Fn:
    """A function of FUNCTIONS applied to one argument."""

    name: str
    arg: "Node"


Node = Union[Num, Const, Sym, Neg, Add, Mul, Div, Pow, Fn]
FUNCTIONS = ("exp", "ln", "sqrt", "sigmoid", "tanh", "sin", "cos", "abs")
ZERO, ONE = Num(Fraction(0)), Num(Fraction(1))


def _children(n: Node) -> tuple[Node, ...]:
    if isinstance(n, (Num, Const, Sym)):
        return ()
    if isinstance(n, Add):
        return n.terms
    if isinstance(n, Mul):
        return n.factors
    if isinstance(n, Div):
        return (n.num, n.den)
    if isinstance(n, Pow):
        return (n.base, n.exp)
    return (n.arg,)  # Neg, Fn


#: The last trees walked, by identity: id(root) → (root, order, index). A formula is evaluated,
#: sized and differentiated many times while it is checked; keeping the root keeps every node
#: alive, so no other object can take one of the ids while an entry stands. Bounded, and cleared
#: as a whole when full (thread-safe without a lock: single dict operations).
_WALKS: dict[int, tuple[Node, list[Node], dict[int, int]]] = {}
_MAX_WALKS = 256


def _postorder(root: Node) -> tuple[list[Node], dict[int, int]]:
    """Distinct nodes (by identity) children first, and each one's index; no recursion.
    The lists are shared with later calls on the same tree: read them, never change them."""
    hit = _WALKS.get(id(root))
    if hit is not None and hit[0] is root:
        return hit[1], hit[2]
    order: list[Node] = []
    index: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        n, expanded = pop()
        i = id(n)
        if i in index:
            continue
        if expanded:
            index[i] = len(order)
            order.append(n)
            continue
        push((n, True))
        for c in reversed(_children(n)):
            if id(c) not in index:
                push((c, False))
    if len(_WALKS) >= _MAX_WALKS:
        _WALKS.clear()
    _WALKS[id(root)] = (root, order, index)
    return order, index


def size(node: Node) -> int:
    """Number of distinct nodes (shared sub-trees count once)."""
    return len(_postorder(node)[0])


def tree_size(node: Node) -> int:
    """Nodes counted as often as they appear in the text (a derivative shares sub-trees)."""
    order, index = _postorder(node)
    counts: list[int] = []
    for n in order:
        counts.append(1 + sum(counts[index[id(c)]] for c in _children(n)))
    return counts[-1]


def free_symbols(node: Node) -> frozenset[str]:
    return frozenset(n.name for n in _postorder(node)[0] if isinstance(n, Sym))


# ----------------------------------------------------------------------------- building

def _fits(q: Fraction) -> bool:
    return max(q.numerator.bit_length(), q.denominator.bit_length()) <= MAX_BITS


def neg(a: Node) -> Node:
    if isinstance(a, Num):
        return Num(-a.value)
    if isinstance(a, Neg):
        return a.arg
    if isinstance(a, Mul) and isinstance(a.factors[0], Num):
        return mul(Num(-a.factors[0].value), *a.factors[1:])  # −(2x) is (−2)x
    return Neg(a)


def _fold(values: list[Fraction], start: Fraction, op) -> list[Fraction]:
    """Numbers combined exactly into one while the result stays within MAX_BITS."""
    out = [start]
    for v in values:
        r = op(out[-1], v)
        if _fits(r):
            out[-1] = r
        else:
            out.append(v)
    return out


def add(*terms: Node) -> Node:
    """A flat sum; numbers folded exactly, zeros dropped."""
    flat: list[Node] = []
    nums: list[Fraction] = []
    slot = None  # the folded numbers go where the first number was: 1 - s stays 1 - s
    for t in terms:
        for u in (t.terms if isinstance(t, Add) else (t,)):
            if isinstance(u, Num):
                nums.append(u.value)
                slot = len(flat) if slot is None else slot
            else:
                flat.append(u)
    if slot is not None:
        flat[slot:slot] = [Num(v) for v in _fold(nums, Fraction(0), lambda x, y: x + y) if v != 0]
    if not flat:
        return ZERO
    return flat[0] if len(flat) == 1 else Add(tuple(flat))


def mul(*factors: Node) -> Node:
    """A flat product; numbers folded exactly and put first (a sign too), 1 dropped, 0 absorbs."""
    flat: list[Node] = []
    nums: list[Fraction] = []
    sign = 1
    for f in factors:
        for u in (f.factors if isinstance(f, Mul) else (f,)):
            if isinstance(u, Num):
                nums.append(u.value)
            elif isinstance(u, Neg):
                sign = -sign
                flat.append(u.arg)
            else:
                flat.append(u)
    coefs = _fold(nums, Fraction(sign), lambda x, y: x * y)
    if any(c == 0 for c in coefs):
        return ZERO
    if len(coefs) == 1 and coefs[0] in (1, -1) and flat:
        body = flat[0] if len(flat) == 1 else Mul(tuple(flat))
        return body if coefs[0] == 1 else neg(body)
    flat = [Num(c) for c in coefs] + flat
    return flat[0] if len(flat) == 1 else Mul(tuple(flat))


def sub(a: Node, b: Node) -> Node:
    return add(a, neg(b))


def div(a: Node, b: Node) -> Node:
    """a/b; numbers divided exactly, /1 dropped, x/2 kept as typed."""
    if isinstance(b, Num) and b.value != 0:
        if b.value == 1:
            return a
        if isinstance(a, Num) and _fits(a.value / b.value):
            return Num(a.value / b.value)
    if isinstance(a, Num) and a.value == 0 and not (isinstance(b, Num) and b.value == 0):
        return ZERO
    return Div(a, b)


def _int_exponent(e: Node) -> int | None:
    if isinstance(e, Num) and e.value.denominator == 1:
        return int(e.value)
    return None


def power(a: Node, b: Node) -> Node:
    n = _int_exponent(b)
    if n == 1:
        return a
    if n == 0:
        return ONE
    if n is not None and isinstance(a, Num) and abs(n) <= MAX_EXPONENT and (a.value != 0 or n > 0):
        bits = max(a.value.numerator.bit_length(), a.value.denominator.bit_length())
        if bits * abs(n) <= MAX_BITS:
            return Num(a.value ** n)
    return Pow(a, b)


def fn(name: str, a: Node) -> Node:
    return Fn(name, a)


# ----------------------------------------------------------------------------- reading

@dataclass(frozen=True)
class Formula:
    """A formula read from text (or built by the engine): its tree and its canonical text."""

    node: Node

    # A Formula never changes, so each text is worked out once (cached_property writes the
    # instance's __dict__ directly, which a frozen dataclass allows).
    @cached_property
    def text(self) -> str:
        """Canonical ASCII text, readable by read_formula: ``s*(1 - s)``."""
        return show(self.node, size=self.written_size)

    @cached_property
    def pretty(self) -> str:
        """Text for people: ``s·(1 − s)``, ``2x + y``, ``σ(t)``."""
        return show(self.node, pretty=True, size=self.written_size)

    @cached_property
    def written_size(self) -> int:
        """:func:`tree_size`: the nodes its text writes out."""
        return tree_size(self.node)

    @cached_property
    def symbols(self) -> frozenset[str]:
        return free_symbols(self.node)


class _Value:
    """What the tree algebra passes around: a node, its float value when constant, its depth."""

    __slots__ = ("node", "approx", "depth")

    def __init__(self, node: Node, approx: float | None, depth: int):
        self.node, self.approx, self.depth = node, approx, depth


_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: `2e1` is the number 20: a symbol named e1 could not follow a number.
_LIKE_EXPONENT = re.compile(r"^[eE][0-9]")
_EXPONENT_START = re.compile(r"^[eE][0-9+-]")


def check_symbols(symbols: Sequence[str]) -> tuple[str, ...]:
    """Validate declared symbol names (ASCII identifiers, not a function or constant, distinct
    ignoring case since typed names are read in lowercase); ValueError names the bad one."""
    out = tuple(symbols)
    seen: set[str] = set()
    for name in out:
        if not isinstance(name, str) or not _SYMBOL.match(name):
            raise ValueError(f"symbol {name!r} is not a name (a letter, then letters, digits or _)")
        low = name.lower()
        if low in RESERVED_NAMES:
            raise ValueError(f"symbol {name!r} is already the name of a function or constant")
        if _LIKE_EXPONENT.match(name):
            raise ValueError(f"symbol {name!r} would be read as an exponent in 2{name}")
        if low in seen:
            raise ValueError(f"symbol {name!r} is declared twice (names are read ignoring case)")
        seen.add(low)
    return out


def _split(name: str, names: Sequence[str]) -> list[str] | None:
    """`xy` as the symbols x, y (for a hint), when the name is made of declared symbols."""
    if len(name) > 40:
        return None
    best: dict[int, list[str]] = {0: []}
    for i in range(len(name)):
        if i not in best:
            continue
        for s in names:
            if name.startswith(s, i) and i + len(s) not in best:
                best[i + len(s)] = best[i] + [s]
    return best.get(len(name))


class _TreeAlgebra(Algebra):
    """Builds formula trees over declared symbols; constant parts checked as numbers."""

    def __init__(self, symbols: Sequence[str]):
        self.symbols = {s.lower(): s for s in symbols}
        listed = ", ".join(symbols)
        self.allowed = ((f"the symbols {listed}; " if symbols else ""),
                        (f"переменные {listed}; " if symbols else ""))

    # leaves
    def number(self, value: float, text: str, pos: int) -> _Value:
        exact = _exact(text, value)
        if not _fits(exact):
            en_at, ru_at = _at(pos)
            raise AnswerError("too_large", f"The number at {en_at} has too many digits for a formula.",
                              f"В числе ({ru_at}) слишком много цифр для формулы.", pos)
        return _Value(Num(exact), value, 1)

    def constant(self, name: str, pos: int) -> _Value:
        return _Value(Const(CONSTANT_NAMES[name]), FLOATS.constant(name, pos), 1)

    def symbol(self, name: str, pos: int) -> _Value | None:
        declared = self.symbols.get(name)
        return None if declared is None else _Value(Sym(declared), None, 1)

    def unknown(self, name: str, pos: int) -> AnswerError:
        base = FLOATS.unknown(name, pos)
        en, ru = base.en, base.ru
        cut = en.index("Allowed: ") + len("Allowed: ")
        en = en[:cut] + self.allowed[0] + en[cut:]
        cut = ru.index("Можно: ") + len("Можно: ")
        ru = ru[:cut] + self.allowed[1] + ru[cut:]
        parts = _split(name, sorted(self.symbols, key=len, reverse=True))
        if parts and len(parts) > 1:
            product = "*".join(self.symbols[p] for p in parts)
            en += f" For a product write {product}."
            ru += f" Произведение пишется так: {product}."
        return AnswerError("unknown_name", en, ru, pos)

    # operations
    @staticmethod
    def _make(node: Node, approx: float | None, parts: Sequence[_Value], pos: int) -> _Value:
        """A value one level above `parts`; a flat sum or product does not grow deeper."""
        flat = (Add, Mul)
        depth = 1 + max((v.depth - 1 if isinstance(node, flat) and isinstance(v.node, type(node)) else v.depth)
                        for v in parts)
        if depth > MAX_TREE_DEPTH:
            en_at, ru_at = _at(pos)
            raise AnswerError("too_deep",
                              f"The formula is nested too deeply at {en_at} (more than {MAX_TREE_DEPTH} levels).",
                              f"Формула слишком глубоко вложена ({ru_at}): больше {MAX_TREE_DEPTH} уровней.",
                              pos)
        return _Value(node, approx, depth)

    @staticmethod
    def _both(a: _Value, b: _Value) -> bool:
        return a.approx is not None and b.approx is not None

    def neg(self, a: _Value, pos: int) -> _Value:
        return self._make(neg(a.node), None if a.approx is None else -a.approx, (a,), pos)

    def add(self, a: _Value, b: _Value, pos: int) -> _Value:
        approx = FLOATS.add(a.approx, b.approx, pos) if self._both(a, b) else None
        return self._make(add(a.node, b.node), approx, (a, b), pos)

    def sub(self, a: _Value, b: _Value, pos: int) -> _Value:
        approx = FLOATS.sub(a.approx, b.approx, pos) if self._both(a, b) else None
        return self._make(sub(a.node, b.node), approx, (a, b), pos)

    def mul(self, a: _Value, b: _Value, what: str, pos: int) -> _Value:
        approx = FLOATS.mul(a.approx, b.approx, what, pos) if self._both(a, b) else None
        return self._make(mul(a.node, b.node), approx, (a, b), pos)

    def div(self, a: _Value, b: _Value, pos: int) -> _Value:
        if b.approx == 0 or (isinstance(b.node, Num) and b.node.value == 0):
            FLOATS.div(1.0, 0.0, pos)  # x/0 is refused as for numbers, and so is x/(0·s), which folds to x/0
        approx = FLOATS.div(a.approx, b.approx, pos) if self._both(a, b) else None
        return self._make(div(a.node, b.node), approx, (a, b), pos)

    def power(self, a: _Value, b: _Value, pos: int) -> _Value:
        approx = FLOATS.power(a.approx, b.approx, pos) if self._both(a, b) else None
        if b.approx is not None and abs(b.approx) > MAX_EXPONENT:
            en_at, ru_at = _at(pos)
            raise AnswerError("too_large",
                              f"The exponent at {en_at} is too large for a formula (at most {MAX_EXPONENT}).",
                              f"Показатель степени ({ru_at}) слишком велик для формулы "
                              f"(не больше {MAX_EXPONENT}).", pos)
        node = power(a.node, b.node)
        if isinstance(node, Pow) and isinstance(node.base, Num) and _int_exponent(node.exp) is not None:
            en_at, ru_at = _at(pos)
            raise AnswerError("too_large", f"The exact value of «^» at {en_at} has too many digits.",
                              f"Точное значение «^» ({ru_at}) содержит слишком много цифр.", pos)
        return self._make(node, approx, (a, b), pos)

    def apply(self, name: str, arg: _Value, pos: int) -> _Value:
        approx = None if arg.approx is None else FLOATS.apply(name, arg.approx, pos)
        return self._make(Fn(FUNCTION_NAMES[name], arg.node), approx, (arg,), pos)


def _is_constant(node: Node) -> bool:
    return not any(isinstance(n, Sym) for n in _postorder(node)[0])


def _exact(text: str, value: float) -> Fraction:
    """The exact value of a typed literal (`0,25`, `1.5e-3`); huge exponents fall back to the float."""
    t = text.replace(",", ".").lower()
    mant, _, exp = t.partition("e")
    e = int(exp) if exp else 0
    if abs(e) > 40:  # 1e-400 and the like: the float (finite, maybe 0) is as exact as needed
        return Fraction(value)
    whole, _, frac = mant.partition(".")
    digits = int((whole or "0") + frac) if (whole or frac) else 0
    return Fraction(digits) * Fraction(10) ** (e - len(frac))


def describe_formula(symbols: Sequence[str], lang: str = "en") -> str:
    """What a formula step expects, for the input's hint line: "a formula in s" / "формула от s"."""
    if lang == "ru":
        return f"формула от {', '.join(symbols)}" if symbols else "формула"
    return f"a formula in {', '.join(symbols)}" if symbols else "a formula"


def _expected_wording(symbols: Sequence[str]) -> dict[str, str]:
    if not symbols:
        return {"en": "a formula, e.g. 2*exp(1)", "ru": "формула, например 2*exp(1)"}
    x = symbols[0]
    listed = ", ".join(symbols)
    # a neutral example: it shows the syntax without resembling any lesson's answer
    return {"en": f"a formula in {listed}, e.g. 3*{x}^2 + exp(-{x})",
            "ru": f"формула от {listed}, например 3*{x}^2 + exp(-{x})"}


def read_formula(text: str, symbols: Sequence[str]) -> Formula | FormatProblem:
    """Read typed `text` as a formula in the declared `symbols` (no SymPy); never raises for text.

    Unknown names get the code unknown_name with the allowed symbols and functions listed.
    ValueError only for a bad `symbols` list (a lesson error, see :func:`check_symbols`).
    """
    symbols = check_symbols(symbols)
    got = read_expression(text, _TreeAlgebra(symbols), _expected_wording(symbols))
    if isinstance(got, FormatProblem):
        return got
    return Formula(got.node)


# ----------------------------------------------------------------------------- display

_ADD, _MUL, _NEG, _POW, _ATOM = 1, 2, 3, 4, 5
_PRETTY_FN = {"sigmoid": "σ"}


def _num_text(q: Fraction, pretty: bool) -> tuple[str, int]:
    minus = "−" if pretty else "-"
    sign = minus if q < 0 else ""
    a = abs(q)
    if a.denominator == 1:
        return sign + str(a.numerator), (_NEG if sign else _ATOM)
    d = a.denominator
    k = 0
    while d % 10 == 0 or d % 2 == 0 or d % 5 == 0:
        if d % 10 == 0:
            d //= 10
        elif d % 2 == 0:
            d //= 2
        else:
            d //= 5
        k += 1
    if d == 1 and k <= 6:  # a short terminating decimal: 0.25 rather than 1/4
        digits = f"{float(a):.{k}f}".rstrip("0").rstrip(".")
        if Fraction(digits) == a:
            return sign + digits, (_NEG if sign else _ATOM)
    return f"{sign}{a.numerator}/{a.denominator}", (_NEG if sign else _MUL)


def show(node: Node, pretty: bool = False, size: int | None = None) -> str:
    """Canonical text of a tree; ``pretty`` uses ·, −, σ, π and writes 2x for 2·x.

    ValueError when the written-out tree would exceed MAX_SHOWN nodes (a derivative shares
    sub-trees that its text repeats: d(f₁f₂…f₄₀) is 40 products of 40 factors); ``size``,
    when known, is the node's :func:`tree_size`."""
    if (tree_size(node) if size is None else size) > MAX_SHOWN:
        raise ValueError(f"the formula is too long to write out (more than {MAX_SHOWN} terms)")
    try:
        return _show(node, pretty)[0]
    except RecursionError:  # only a tree built by hand can be this deep
        raise ValueError("the formula is nested too deeply to write out") from None


def _wrap(node: Node, pretty: bool, at_least: int) -> str:
    text, prec = _show(node, pretty)
    return text if prec >= at_least else f"({text})"


def _show(n: Node, pretty: bool) -> tuple[str, int]:
    minus = " − " if pretty else " - "
    if isinstance(n, Num):
        return _num_text(n.value, pretty)
    if isinstance(n, Const):
        return ("π" if pretty and n.name == "pi" else n.name), _ATOM
    if isinstance(n, Sym):
        return n.name, _ATOM
    if isinstance(n, Fn):
        name = _PRETTY_FN.get(n.name, n.name) if pretty else n.name
        return f"{name}({_show(n.arg, pretty)[0]})", _ATOM
    if isinstance(n, Neg):
        inner = _wrap(n.arg, pretty, _MUL)
        if inner[0] in "-−":  # never "--x"
            inner = f"({inner})"
        return ("−" if pretty else "-") + inner, _NEG
    if isinstance(n, Add):
        out = [_wrap(n.terms[0], pretty, _ADD)]
        for t in n.terms[1:]:
            positive = _negated(t)
            if positive is not None:
                out.append(minus + _wrap(positive, pretty, _MUL))
            else:
                out.append(" + " + _wrap(t, pretty, _MUL if isinstance(t, Neg) else _ADD))
        return "".join(out), _ADD
    if isinstance(n, Mul):
        parts = [_wrap(n.factors[0], pretty, _MUL)]
        for i, f in enumerate(n.factors[1:], start=1):
            text = _wrap(f, pretty, _POW)
            if pretty and i == 1 and isinstance(n.factors[0], Num) and \
                    n.factors[0].value.denominator == 1 and (text[0].isalpha() or text[0] in "(σπ") \
                    and not _EXPONENT_START.match(text):  # 2e1 would read as 20
                parts[0] += text  # 2x, 2(x + y), 2σ(t): the coefficient only
            else:
                parts.append(text)
        return ("·" if pretty else "*").join(parts), _MUL
    if isinstance(n, Div):
        return f"{_wrap(n.num, pretty, _MUL)}/{_wrap(n.den, pretty, _POW)}", _MUL
    if isinstance(n, Pow):
        e = n.exp
        if pretty and isinstance(e, Num) and e.value.denominator == 1 and 0 <= e.value < 100:
            # x², (1 − s)²: as a textbook writes it, and a student may type it back (² reads as ^2)
            return _wrap(n.base, pretty, _ATOM) + superscript(str(e.value.numerator)), _POW
        return f"{_wrap(n.base, pretty, _ATOM)}^{_wrap(n.exp, pretty, _ATOM)}", _POW
    raise TypeError(f"not a formula node: {n!r}")


def definitions(where: Mapping[str, "Formula"], used) -> str:
    """", s = σ(t)" for each defined symbol a shown formula uses, in the order they were defined."""
    return "".join(f", {k} = {f.pretty}" for k, f in where.items() if k in used)


def _negated(t: Node) -> Node | None:
    """The positive form of a term shown after a minus sign, or None."""
    if isinstance(t, Neg):
        return t.arg
    if isinstance(t, Num) and t.value < 0:
        return Num(-t.value)
    if isinstance(t, Mul) and isinstance(t.factors[0], Num) and t.factors[0].value < 0:
        return mul(Num(-t.factors[0].value), *t.factors[1:])
    return None


# ----------------------------------------------------------------------------- numbers

def _sigmoid(u: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * u)  # σ(u) = (1 + tanh(u/2))/2: no overflow for any u


_NP = {"exp": np.exp, "ln": np.log, "sqrt": np.sqrt, "sigmoid": _sigmoid, "tanh": np.tanh,
       "sin": np.sin, "cos": np.cos, "abs": np.abs}


def evaluate(node: Node, env: Mapping[str, np.ndarray]) -> np.ndarray:
    """The formula at points: env maps each symbol to a float64 array (all one shape).

    Vectorised, no recursion; nan or ±inf where the formula is undefined or overflows.
    Returns a new float64 array of the points' shape.
    """
    shape = np.broadcast_shapes(*(np.shape(v) for v in env.values())) if env else ()
    order, index = _postorder(node)
    vals: list = []
    with np.errstate(all="ignore"):
        for n in order:
            if isinstance(n, Num):
                v = float(n.value) if _fits_float(n.value) else math.copysign(math.inf, n.value)
            elif isinstance(n, Const):
                v = math.e if n.name == "e" else math.pi
            elif isinstance(n, Sym):
                v = np.asarray(env[n.name], dtype=np.float64)
            else:
                args = [vals[index[id(c)]] for c in _children(n)]
                if isinstance(n, Neg):
                    v = -args[0]
                elif isinstance(n, Add):
                    v = args[0]
                    for a in args[1:]:
                        v = v + a
                elif isinstance(n, Mul):
                    v = args[0]
                    for a in args[1:]:
                        v = v * a
                elif isinstance(n, Div):
                    v = np.divide(args[0], args[1])
                elif isinstance(n, Pow):
                    v = np.power(np.asarray(args[0], dtype=np.float64), args[1])
                else:
                    v = _NP[n.name](np.asarray(args[0], dtype=np.float64))
            vals.append(v)
    return np.array(np.broadcast_to(np.asarray(vals[-1], dtype=np.float64), shape), dtype=np.float64)


def _fits_float(q: Fraction) -> bool:
    try:
        return math.isfinite(float(q))
    except OverflowError:
        return False


# ----------------------------------------------------------------------------- algebra on trees

def derivative(node: Node, wrt: str) -> Node:
    """∂node/∂wrt by the rules of calculus (chain, product, quotient); lightly tidied, not simplified.

    d(u^c) = c·u^(c−1)·du for constant c; d(c^v) = c^v·ln c·dv; d(u^v) = u^v·(dv·ln u + v·du/u);
    dσ(u) = σ(u)(1 − σ(u))du; dtanh(u) = (1 − tanh²u)du; d|u| = u/|u|·du; d√u = du/(2√u).
    """
    memo: dict[int, Node] = {}
    order, _ = _postorder(node)
    for n in order:  # children first, so every d(child) is ready
        memo[id(n)] = _d(n, wrt, memo)
    return memo[id(node)]


def _d(n: Node, wrt: str, memo: Mapping[int, Node]) -> Node:
    def d(c: Node) -> Node:
        return memo[id(c)]

    if isinstance(n, (Num, Const)):
        return ZERO
    if isinstance(n, Sym):
        return ONE if n.name == wrt else ZERO
    if isinstance(n, Neg):
        return neg(d(n.arg))
    if isinstance(n, Add):
        return add(*(d(t) for t in n.terms))
    if isinstance(n, Mul):
        terms = []
        for i, f in enumerate(n.factors):
            df = d(f)
            if df != ZERO:
                terms.append(mul(*n.factors[:i], df, *n.factors[i + 1:]))
        return add(*terms)
    if isinstance(n, Div):
        da, db = d(n.num), d(n.den)
        if db == ZERO:
            return div(da, n.den)
        return div(sub(mul(da, n.den), mul(n.num, db)), power(n.den, Num(Fraction(2))))
    if isinstance(n, Pow):
        u, v = n.base, n.exp
        du, dv = d(u), d(v)
        if dv == ZERO and _is_constant(v):
            if du == ZERO:
                return ZERO
            return mul(v, power(u, sub(v, ONE)), du)
        if du == ZERO and _is_constant(u):
            log_u = ONE if u == Const("e") else Fn("ln", u)
            return mul(n, log_u, dv)
        return mul(n, add(mul(dv, Fn("ln", u)), div(mul(v, du), u)))
    if isinstance(n, Fn):
        u = n.arg
        du = d(u)
        if du == ZERO:
            return ZERO
        outer = {
            "exp": lambda: n,
            "ln": lambda: div(ONE, u),
            "sqrt": lambda: div(ONE, mul(Num(Fraction(2)), n)),
            "sigmoid": lambda: mul(n, sub(ONE, n)),
            "tanh": lambda: sub(ONE, power(n, Num(Fraction(2)))),
            "sin": lambda: Fn("cos", u),
            "cos": lambda: neg(Fn("sin", u)),
            "abs": lambda: div(u, n),
        }[n.name]()
        return mul(outer, du)
    raise TypeError(f"not a formula node: {n!r}")


def substitute(node: Node, values: Mapping[str, Node]) -> Node:
    """The tree with each symbol named in `values` replaced by its tree (shared, not copied)."""
    memo: dict[int, Node] = {}
    order, _ = _postorder(node)
    for n in order:
        if isinstance(n, Sym):
            out = values.get(n.name, n)
        elif isinstance(n, (Num, Const)):
            out = n
        else:
            kids = tuple(memo[id(c)] for c in _children(n))
            if all(k is c for k, c in zip(kids, _children(n))):
                out = n
            elif isinstance(n, Neg):
                out = neg(kids[0])
            elif isinstance(n, Add):
                out = add(*kids)
            elif isinstance(n, Mul):
                out = mul(*kids)
            elif isinstance(n, Div):
                out = div(*kids)
            elif isinstance(n, Pow):
                out = power(*kids)
            else:
                out = Fn(n.name, kids[0])
        memo[id(n)] = out
    return memo[id(node)]


# ----------------------------------------------------------------------------- tables (data)

def to_table(node: Node) -> list[list]:
    """The tree as JSON-ready data: distinct nodes children first, each referring to earlier rows.

    Rows: ["num", p, q], ["const", name], ["sym", name], ["neg", i], ["add", [i, …]],
    ["mul", [i, …]], ["div", i, j], ["pow", i, j], ["fn", name, i]; the root is the last row.
    """
    order, index = _postorder(node)
    rows: list[list] = []
    for n in order:
        ix = [index[id(c)] for c in _children(n)]
        if isinstance(n, Num):
            rows.append(["num", n.value.numerator, n.value.denominator])
        elif isinstance(n, Const):
            rows.append(["const", n.name])
        elif isinstance(n, Sym):
            rows.append(["sym", n.name])
        elif isinstance(n, Neg):
            rows.append(["neg", ix[0]])
        elif isinstance(n, Add):
            rows.append(["add", ix])
        elif isinstance(n, Mul):
            rows.append(["mul", ix])
        elif isinstance(n, Div):
            rows.append(["div", ix[0], ix[1]])
        elif isinstance(n, Pow):
            rows.append(["pow", ix[0], ix[1]])
        else:
            rows.append(["fn", n.name, ix[0]])
    return rows


def to_sympy(table: Sequence[Sequence], assumptions: Mapping[str, str] | None = None):
    """A SymPy expression from a node table (done only in the worker process).

    Built with SymPy constructors from data, never from text. assumptions: symbol name ->
    "positive" | "negative" | "real" (default "real"). σ(u) becomes 1/(1 + e^(−u)).
    """
    import sympy

    assumptions = assumptions or {}
    funcs = {"exp": sympy.exp, "ln": sympy.log, "sqrt": sympy.sqrt, "tanh": sympy.tanh,
             "sin": sympy.sin, "cos": sympy.cos, "abs": sympy.Abs,
             "sigmoid": lambda u: 1 / (1 + sympy.exp(-u))}
    out: list = []
    for row in table:
        op = row[0]
        if op == "num":
            v = sympy.Rational(int(row[1]), int(row[2]))
        elif op == "const":
            v = {"e": sympy.E, "pi": sympy.pi}[row[1]]
        elif op == "sym":
            name = str(row[1])
            if not _SYMBOL.match(name):
                raise ValueError(f"bad symbol name {name!r}")
            kind = assumptions.get(name, "real")
            v = sympy.Symbol(name, **{kind if kind in ("positive", "negative") else "real": True})
        elif op == "neg":
            v = -out[row[1]]
        elif op == "add":
            v = sympy.Add(*(out[i] for i in row[1]))
        elif op == "mul":
            v = sympy.Mul(*(out[i] for i in row[1]))
        elif op == "div":
            v = out[row[1]] / out[row[2]]
        elif op == "pow":
            v = sympy.Pow(out[row[1]], out[row[2]])
        elif op == "fn":
            v = funcs[row[1]](out[row[2]])
        else:
            raise ValueError(f"unknown row {op!r}")
        out.append(v)
    return out[-1]


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


def _msg(en: str, ru: str) -> Mapping[str, str]:
    return MappingProxyType({"en": en, "ru": ru})


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


def screen_formula(formula: Formula, spec: FormulaSpec, *, rng: np.random.Generator | None = None) -> FormulaResult:
    """The numeric verdict at the spec's sample points, in well under a millisecond.

    "different" and "too_complex" are final; "agrees" (equal at every point, or within 10⁻⁵)
    is not: only a proof (``prove_formula``) can say the formula is right.
    """
    n = size(formula.node)
    if n > MAX_NODES:
        return FormulaResult("too_complex", "numeric", _msg(
            f"Your formula is too long to check (more than {MAX_NODES} operations): simplify it.",
            f"Формула слишком длинная для проверки (больше {MAX_NODES} операций): упростите её."))
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
            return FormulaResult("different", "numeric", _msg(
                "Not the same formula: yours is the expected one with the opposite sign.",
                "Формула другая: ваша отличается от ожидаемой только знаком."))
        return FormulaResult("different", "numeric", _msg(
            f"Not the same formula: at {where} yours gives {format_value(a[i], 4)}, "
            f"the expected one {format_value(b[i], 4)}.",
            f"Формула другая: при {where} ваша даёт {format_value(a[i], 4)}, "
            f"а ожидаемая — {format_value(b[i], 4)}."))
    if numeric.verdict == "undefined":
        i = numeric.point
        return FormulaResult("different", "numeric", _msg(
            f"Your formula is not defined at {where}, where the expected one is {format_value(b[i], 4)}.",
            f"Ваша формула не определена при {where}, а ожидаемая там равна {format_value(b[i], 4)}."))
    if numeric.verdict == "equal":
        return FormulaResult("agrees", "numeric", _msg(
            f"Your formula agrees with the expected one at {numeric.valid} random points.",
            f"Ваша формула совпадает с ожидаемой в {numeric.valid} случайных точках."))
    if numeric.verdict == "close":
        i = numeric.point
        return FormulaResult("agrees", "numeric", _msg(
            f"Not the same formula: at {where} yours gives {a[i]:.12g}, the expected one {b[i]:.12g}.",
            f"Формула другая: при {where} ваша даёт {a[i]:.12g}, а ожидаемая — {b[i]:.12g}."), close=True)
    return FormulaResult("too_complex", "numeric", _msg(
        "Your formula could not be checked at enough points: simplify it and try again.",
        "Формулу не удалось проверить в достаточном числе точек: упростите её и попробуйте снова."))


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
        return FormulaResult("equal", "sympy", _msg(
            "Correct: your formula is equivalent to the expected one.",
            "Верно: ваша формула равносильна ожидаемой."))
    if verdict == "different":
        close = screen_formula(formula, spec)
        return FormulaResult("different", "sympy", close.message if close.close else _msg(
            "Not the same formula: at the sample points it comes close to the expected one, "
            "but it is not equal to it.",
            "Формула другая: в проверочных точках она близка к ожидаемой, но не равна ей."))
    if verdict == "unknown":
        return FormulaResult("unproven", "sympy", _msg(
            "Your formula agrees with the expected one at every sample point, but the tutor could not "
            "prove them equal: write it another way (simpler, or with fewer functions) and press Enter.",
            "Ваша формула совпадает с ожидаемой во всех проверочных точках, но доказать их равенство "
            "не удалось: запишите её иначе (проще или с меньшим числом функций) и нажмите Enter."))
    if verdict == "timeout":
        return FormulaResult("unproven", "sympy", _msg(
            f"Checking your formula took more than {cap:g} s: write it in a simpler form, or press Enter "
            "to try again.",
            f"Проверка формулы заняла больше {cap:g} с: запишите её проще или нажмите Enter, чтобы "
            "попробовать снова."))
    return FormulaResult("unproven", "sympy", _msg(
        "The formula checker is not ready yet (it is starting): press Enter to try again in a moment.",
        "Проверка формул ещё не готова (она запускается): нажмите Enter ещё раз через мгновение."))


def check_formula(formula: Formula, spec: FormulaSpec, worker: "SymbolicWorker | None" = None, *,
                  rng: np.random.Generator | None = None, cap: float = CAP,
                  wait: float = READY_WAIT) -> FormulaResult:
    """Is ``formula`` the spec's expected formula? Screened at sample points, then proved by SymPy
    in ``worker``.

    Without a worker the check is numeric only -- for lesson checks at load, the authoring
    checker and tests, never for a student's answer: agreement at every point counts as
    "equal", a near miss as "different".
    """
    screened = screen_formula(formula, spec, rng=rng)
    if screened.status != "agrees":
        return screened
    if worker is not None:
        return prove_formula(formula, spec, worker, cap=cap, wait=wait)
    if screened.close:
        return FormulaResult("different", "numeric", screened.message)
    return FormulaResult("equal", "numeric", _msg(
        "Correct: " + screened.message["en"][0].lower() + screened.message["en"][1:],
        "Верно: " + screened.message["ru"][0].lower() + screened.message["ru"][1:]))


# ----------------------------------------------------------------------------- the worker

class SymbolicWorker:
    """A child process that answers "are these two trees equal?" with SymPy, within a time cap.

    Lazily started (by ``warm()`` or the first check); ``close()`` ends it. Thread-safe; a
    call never blocks longer than its timeout: a worker still importing SymPy, a SymPy call
    over the cap or a crashed worker gives "timeout"/"unavailable"/"unknown" and the caller
    uses its numeric verdict. A worker over the cap is killed and a fresh one started.
    """

    def __init__(self, memory: int = MEMORY_LIMIT, startup_limit: float = STARTUP_LIMIT) -> None:
        self.memory = int(memory)
        self.startup_limit = float(startup_limit)
        self.restarts = 0  # workers killed (over the cap, crashed, or never ready)
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._inbox: queue.Queue | None = None
        self._ready = False
        self._started = 0.0
        self._next_id = 0

    # -- life cycle
    def warm(self, wait: float = 0.0) -> bool:
        """Start the worker (it imports SymPy and runs one simplify); with `wait`, wait up to
        that many seconds for it to be ready. True when ready. Call when a lesson with formula
        steps opens, so the first check is fast."""
        deadline = time.monotonic() + max(0.0, wait)
        if not self._lock.acquire(timeout=max(0.0, wait)):
            return False  # a check is running: the worker is up
        try:
            self._ensure()
            return self._await_ready(deadline)
        finally:
            self._lock.release()

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    def close(self) -> None:
        with self._lock:
            self._stop()

    def __enter__(self) -> "SymbolicWorker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten worker is still ended (it also exits on EOF)
        try:
            self._stop()
        except Exception:
            pass

    def _ensure(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            if self._ready or time.monotonic() - self._started < self.startup_limit:
                return
            self.restarts += 1  # never got ready: replace it
        elif proc is not None:
            self.restarts += 1  # it died (crashed, or killed from outside)
        if proc is not None:
            self._stop()
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = "1"  # the worker does no linear algebra: no thread pools, less memory
        # -I: isolated mode, so neither the current directory nor PYTHONPATH comes first on the
        # child's sys.path (a `nntutor/` folder where the student starts the tutor must never
        # run); cwd="/" so nothing relative to where it started can matter either.
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-m", __name__, "--worker", str(self.memory)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=env, cwd=os.path.abspath(os.sep), close_fds=True, start_new_session=True)
        self._inbox = queue.Queue()
        self._ready = False
        self._started = time.monotonic()
        threading.Thread(target=_pump, args=(self._proc.stdout, self._inbox), daemon=True,
                         name="nntutor-sympy-reader").start()

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        self._ready = False
        if proc is None:
            return
        try:
            proc.kill()
        except OSError:
            pass
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            pass

    def _restart(self) -> None:
        self.restarts += 1
        self._stop()
        self._ensure()

    def _await_ready(self, deadline: float) -> bool:
        while not self._ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                msg = self._inbox.get(timeout=remaining)
            except queue.Empty:
                return False
            if msg is None:  # the worker died while starting
                self._restart()
                return False
            if msg.get("ready"):
                self._ready = True
        return True

    # -- requests
    def equivalent(self, a: Node, b: Node, assumptions: Mapping[str, str] | None = None,
                   timeout: float = CAP, wait: float = 0.0) -> str:
        """"equal" | "different" | "unknown" (SymPy cannot tell, or failed) | "timeout" (over
        the cap: the worker was killed and restarted) | "unavailable" (still starting after
        ``wait`` more seconds than the cap)."""
        return self._call({"op": "equal", "a": to_table(a), "b": to_table(b),
                           "assume": dict(assumptions or {})}, timeout, wait)

    def _call(self, request: dict, timeout: float, wait: float = 0.0) -> str:
        timeout, wait = max(0.0, timeout), max(0.0, wait)
        if not self._lock.acquire(timeout=timeout + wait):
            return "unavailable"
        try:
            ready_by = time.monotonic() + timeout + wait
            for _attempt in range(2):  # a worker found dead (killed, crashed) is replaced once
                self._ensure()
                if not self._await_ready(ready_by):
                    return "unavailable"
                answer = self._ask(request, time.monotonic() + timeout)  # SymPy's own time starts now
                if answer != "died":
                    return answer
                self._restart()
            return "unknown"  # it died twice on this request: the request itself brings it down
        finally:
            self._lock.release()

    def _ask(self, request: dict, deadline: float) -> str:
        """Send one request to the ready worker and wait for its answer until ``deadline``:
        a verdict, "timeout" (the worker is killed and restarted) or "died"."""
        self._next_id += 1
        request = dict(request, id=self._next_id)
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
        except (OSError, ValueError):
            return "died"
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._restart()  # SymPy holds the child's GIL: only a kill stops it
                return "timeout"
            try:
                msg = self._inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if msg is None:
                return "died"
            if msg.get("id") == request["id"]:
                result = msg.get("result")
                return result if result in ("equal", "different", "unknown") else "unknown"


def _pump(stream, inbox: queue.Queue) -> None:
    """Reader thread: the worker's lines as dicts, then None at end of file."""
    try:
        for line in stream:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if isinstance(msg, dict):
                inbox.put(msg)
    except (OSError, ValueError):
        pass
    inbox.put(None)


# ----------------------------------------------------------------------------- worker side

def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not POSIX: no limit, the time cap still holds
        return
    try:
        with open("/proc/self/statm") as f:
            used = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        used = 0
    limit = max(limit, 2 * used)  # never below what is already mapped
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _equal(a, b) -> str:
    """SymPy's verdict on a = b: "equal", "different" or "unknown"."""
    import sympy

    d = a - b
    if d == 0:
        return "equal"
    if sympy.simplify(d) == 0:
        return "equal"
    if d.has(sympy.tanh) and sympy.simplify(d.rewrite(sympy.exp)) == 0:
        return "equal"
    same = d.equals(0)
    return "equal" if same is True else "different" if same is False else "unknown"


def _warm_up() -> None:
    import sympy

    t = sympy.Symbol("t", real=True)
    s = 1 / (1 + sympy.exp(-t))
    _equal(s * (1 - s), sympy.exp(-t) / (1 + sympy.exp(-t)) ** 2)
    _equal((t + 1) ** 2, t ** 2 + 2 * t + 1)
    _equal(sympy.tanh(t) ** 2, 1 - 1 / sympy.cosh(t) ** 2)


def _serve(memory: int) -> None:
    """The worker's loop: one JSON request per line in, one JSON answer per line out."""
    out = sys.stdout
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    _limit_memory(memory)
    import sympy  # noqa: F401  (the import is the slow part of starting)

    _warm_up()
    out.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    out.flush()
    for line in sys.stdin:
        try:
            req = json.loads(line)
            rid = req.get("id")
        except (ValueError, AttributeError):
            continue
        try:
            if req.get("op") == "equal":
                assume = req.get("assume") or {}
                result = _equal(to_sympy(req["a"], assume), to_sympy(req["b"], assume))
            else:
                result = "unknown"
            answer = {"id": rid, "result": result}
        except (Exception, MemoryError, RecursionError) as exc:
            answer = {"id": rid, "result": "unknown", "error": type(exc).__name__}
        out.write(json.dumps(answer) + "\n")
        out.flush()


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _serve(int(sys.argv[2]) if len(sys.argv) > 2 else MEMORY_LIMIT)
