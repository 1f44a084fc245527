"""Calculus on formula trees: values at points (NumPy), derivatives and substitution (trees)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Mapping

import numpy as np

from .tree import (
    ONE, ZERO, Add, Const, Div, Fn, Mul, Neg, Node, Num, Pow, Sym, _children, _is_constant, _postorder,
    add, div, mul, neg, power, sub,
)

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

