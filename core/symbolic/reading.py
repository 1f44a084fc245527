"""Reading typed text as a formula over declared symbols (no SymPy, bounded like numbers).

``read_formula(text, symbols)`` runs the answer parser of :mod:`nntutor.core.answers` with a
tree algebra: the result is a :class:`Formula` over the step's declared symbols. A constant
sub-expression is also evaluated in floats by the numeric algebra, so ``ln(0)``, ``1/0`` and
``9^9^9`` are refused with the same codes as numbers. Limits beyond the parser's (length,
tokens, nesting 40): a constant exponent is at most MAX_EXPONENT in size, an exact number at
most MAX_BITS bits (39 digits), a tree at most MAX_TREE_DEPTH deep.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Sequence

from ..answers import (
    CONSTANT_NAMES, FLOATS, FUNCTION_NAMES, RESERVED_NAMES, Algebra, AnswerError, FormatProblem, _unknown_name,
    _where, read_expression,
)
from ..i18n import Messages
from .printing import Formula
from .tree import (
    MAX_EXPONENT, MAX_TREE_DEPTH, Add, Const, Fn, Mul, Node, Num, Pow, Sym, _fits, _int_exponent, add, div, mul,
    neg, power, sub,
)

_R = Messages({
    "formula": {"en": "a formula", "ru": "формула"},
    "formula_in": {"en": "a formula in {listed}", "ru": "формула от {listed}"},
    # what ends every message of the reader (a neutral example: it shows the syntax without
    # resembling any lesson's answer)
    "expected": {"en": "a formula, e.g. 2*exp(1)", "ru": "формула, например 2*exp(1)"},
    "expected_in": {"en": "a formula in {listed}, e.g. 3*{x}^2 + exp(-{x})",
                    "ru": "формула от {listed}, например 3*{x}^2 + exp(-{x})"},
    # listed before the functions and constants when a name is unknown
    "allowed": {"en": "the symbols {listed}; ", "ru": "переменные {listed}; "},
    "product": {"en": " For a product write {product}.", "ru": " Произведение пишется так: {product}."},
    "digits": {"en": "The number at {at} has too many digits for a formula.",
               "ru": "В числе ({at}) слишком много цифр для формулы."},
    "too_deep": {"en": "The formula is nested too deeply at {at} (more than {most} levels).",
                 "ru": "Формула слишком глубоко вложена ({at}): больше {most} уровней."},
    "exponent": {"en": "The exponent at {at} is too large for a formula (at most {most}).",
                 "ru": "Показатель степени ({at}) слишком велик для формулы (не больше {most})."},
    "exact_power": {"en": "The exact value of «^» at {at} has too many digits.",
                    "ru": "Точное значение «^» ({at}) содержит слишком много цифр."},
})


class _Value:
    """What the tree algebra passes around: a node, its float value when constant, its depth."""

    __slots__ = ("node", "approx", "depth")

    def __init__(self, node: Node, approx: float | None, depth: int):
        self.node, self.approx, self.depth = node, approx, depth


_SYMBOL = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
#: `2e1` is the number 20: a symbol named e1 could not follow a number.
_LIKE_EXPONENT = re.compile(r"^[eE][0-9]")


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
        self.listed = ", ".join(symbols)

    # leaves
    def number(self, value: float, text: str, pos: int) -> _Value:
        exact = _exact(text, value)
        if not _fits(exact):
            raise AnswerError("too_large", *_R.pair("digits", at=_where(pos)), pos)
        return _Value(Num(exact), value, 1)

    def constant(self, name: str, pos: int) -> _Value:
        return _Value(Const(CONSTANT_NAMES[name]), FLOATS.constant(name, pos), 1)

    def symbol(self, name: str, pos: int) -> _Value | None:
        declared = self.symbols.get(name)
        return None if declared is None else _Value(Sym(declared), None, 1)

    def unknown(self, name: str, pos: int) -> AnswerError:
        error = _unknown_name(name, pos, _R.each("allowed", listed=self.listed) if self.listed else "")
        parts = _split(name, sorted(self.symbols, key=len, reverse=True))
        if parts and len(parts) > 1:
            hint_en, hint_ru = _R.pair("product", product="*".join(self.symbols[p] for p in parts))
            return AnswerError("unknown_name", error.en + hint_en, error.ru + hint_ru, pos)
        return error

    # operations
    @staticmethod
    def _make(node: Node, approx: float | None, parts: Sequence[_Value], pos: int) -> _Value:
        """A value one level above `parts`; a flat sum or product does not grow deeper."""
        flat = (Add, Mul)
        depth = 1 + max((v.depth - 1 if isinstance(node, flat) and isinstance(v.node, type(node)) else v.depth)
                        for v in parts)
        if depth > MAX_TREE_DEPTH:
            raise AnswerError("too_deep", *_R.pair("too_deep", at=_where(pos), most=MAX_TREE_DEPTH), pos)
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
            raise AnswerError("too_large", *_R.pair("exponent", at=_where(pos), most=MAX_EXPONENT), pos)
        node = power(a.node, b.node)
        if isinstance(node, Pow) and isinstance(node.base, Num) and _int_exponent(node.exp) is not None:
            raise AnswerError("too_large", *_R.pair("exact_power", at=_where(pos)), pos)
        return self._make(node, approx, (a, b), pos)

    def apply(self, name: str, arg: _Value, pos: int) -> _Value:
        approx = None if arg.approx is None else FLOATS.apply(name, arg.approx, pos)
        return self._make(Fn(FUNCTION_NAMES[name], arg.node), approx, (arg,), pos)



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
    return _R("formula_in", lang, listed=", ".join(symbols)) if symbols else _R("formula", lang)


def _expected_wording(symbols: Sequence[str]) -> dict[str, str]:
    if not symbols:
        return _R.each("expected")
    return _R.each("expected_in", listed=", ".join(symbols), x=symbols[0])


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

