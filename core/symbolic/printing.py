"""Writing formula trees out: canonical ASCII (``s*(1 - s)``, readable back) and text for
people (``s·(1 − s)``, ``2x``, ``σ(t)``, ``x²``); :class:`Formula` is a tree with its texts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Mapping

from ..notation import superscript
from .tree import Add, Const, Div, Fn, Mul, Neg, Node, Num, Pow, Sym, free_symbols, mul, tree_size

#: Largest tree show() writes out, counting shared sub-trees each time they appear.
MAX_SHOWN = 5000
_EXPONENT_START = re.compile(r"^[eE][0-9+-]")


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

