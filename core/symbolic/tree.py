"""Formula trees: the immutable nodes, their walks and sizes, and the builders that keep them flat.

    Num(Fraction) | Const("e"|"pi") | Sym(name) | Neg(a) | Add(terms) | Mul(factors)
    | Div(a, b) | Pow(a, b) | Fn(name, a)      name ∈ exp, ln, sqrt, sigmoid, tanh, sin, cos, abs

Sums and products are flat (``a - b`` is Add(a, Neg(b))); constant parts fold exactly
(``2/3`` is Num(2/3)). The builders (add, mul, neg, sub, div, power) keep trees flat and tidy;
``derivative`` and ``substitute`` use them, so trees stay small without any simplifier.
A tree may share sub-trees (a derivative does): walks visit each distinct node once.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Union

#: Largest constant exponent in a formula (x^100 is fine, x^(10^10) is refused).
MAX_EXPONENT = 100
#: Largest exact number (numerator or denominator) in a formula, in bits: 2^128 has 39
#: digits, so every number of a tree prints as a literal the reader accepts (≤ 40 characters).
MAX_BITS = 128
MAX_TREE_DEPTH = 100
#: Formulas with more nodes than this are "too complex" to check.
MAX_NODES = 400


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
            elif isinstance(u, Neg):  # −(x·x) in a product: its sign out front, its factors flat
                sign = -sign
                for w in (u.arg.factors if isinstance(u.arg, Mul) else (u.arg,)):
                    if isinstance(w, Num):
                        nums.append(w.value)
                    else:
                        flat.append(w)
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


def _is_constant(node: Node) -> bool:
    return not any(isinstance(n, Sym) for n in _postorder(node)[0])

