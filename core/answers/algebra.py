"""The Algebra interface (what the parser builds from each construct) and FLOATS, the one in floats.

Also the names the grammar knows: the functions and constants and their accepted spellings.
"""

from __future__ import annotations

import math
from typing import Mapping

from ..i18n import Messages
from .shapes import AnswerError, _fmt_number, _where

# at: where in the typed text
_A = Messages({
    "too_large": {"en": "The result of «{what}» ({at}) is too large.", "ru": "Результат «{what}» ({at}) слишком велик."},
    "zero_power": {"en": "0 to a negative power at {at} divides by zero.",
                   "ru": "0 в отрицательной степени ({at}) — деление на ноль."},
    "not_real": {"en": "{what} at {at} is not a real number.", "ru": "{what} ({at}) — не действительное число."},
    # symbols: those a formula may use, before the names every answer may use
    "unknown_name": {"en": "Unknown name «{name}» ({at}). Allowed: {symbols}e, π (pi), exp, ln (= log, natural), "
                           "sqrt (√), σ (sigmoid), tanh, sin, cos, abs.",
                     "ru": "Неизвестное имя «{name}» ({at}). Можно: {symbols}e, π (pi), exp, ln (= log, натуральный), "
                           "sqrt (√), σ (sigmoid), tanh, sin, cos, abs."},
    "division_by_zero": {"en": "Division by zero at {at}.", "ru": "Деление на ноль ({at})."},
    "undefined": {"en": "{call} is not defined ({at}).", "ru": "{call} не определено ({at})."},
})


def _sigmoid(t: float) -> float:
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    z = math.exp(t)
    return z / (1.0 + z)


_FUNCS = {
    "exp": math.exp, "ln": math.log, "log": math.log, "sqrt": math.sqrt,
    "sigmoid": _sigmoid, "sigma": _sigmoid, "σ": _sigmoid, "tanh": math.tanh, "th": math.tanh,
    "sin": math.sin, "cos": math.cos, "abs": abs,
}
_CONSTS = {"e": math.e, "pi": math.pi, "π": math.pi, "пи": math.pi}
_NOT_FINITE = {"nan", "inf", "infinity", "∞"}
#: The function each accepted spelling means (names as the lexer delivers them: lowercase).
FUNCTION_NAMES: Mapping[str, str] = {
    "exp": "exp", "ln": "ln", "log": "ln", "sqrt": "sqrt", "sigmoid": "sigmoid", "sigma": "sigmoid",
    "σ": "sigmoid", "tanh": "tanh", "th": "tanh", "sin": "sin", "cos": "cos", "abs": "abs",
}
#: The constant each accepted spelling means.
CONSTANT_NAMES: Mapping[str, str] = {"e": "e", "pi": "pi", "π": "pi", "пи": "pi"}
#: Names no algebra may give to a symbol: they already mean a function, a constant or ∞.
RESERVED_NAMES = frozenset(FUNCTION_NAMES) | frozenset(CONSTANT_NAMES) | frozenset(_NOT_FINITE)


def _too_large(what: str, pos: int) -> AnswerError:
    return AnswerError("too_large", *_A.pair("too_large", what=what, at=_where(pos)), pos)


def _unknown_name(name: str, pos: int, symbols: Mapping[str, str] | str = "") -> AnswerError:
    """The error for a name that means nothing here; ``symbols`` (in every language, ending in
    "; ") lists the symbols a formula may use besides the functions and constants."""
    shown = name if len(name) <= 20 else name[:20] + "…"
    return AnswerError("unknown_name", *_A.pair("unknown_name", name=shown, at=_where(pos), symbols=symbols), pos)


def _finite(v: float, what: str, pos: int) -> float:
    if not math.isfinite(v):
        raise _too_large(what, pos)
    return v


def _pow(base: float, exponent: float, pos: int) -> float:
    """base^exponent in floats; overflow is an error, never a hang or a complex number."""
    if base == 0 and exponent < 0:
        raise AnswerError("division_by_zero", *_A.pair("zero_power", at=_where(pos)), pos)
    try:
        v = math.pow(base, exponent)
    except OverflowError:
        raise _too_large("^", pos) from None
    except ValueError:
        what = f"({_fmt_number(base, 6)})^{_fmt_number(exponent, 6)}"
        raise AnswerError("domain", *_A.pair("not_real", what=what, at=_where(pos)), pos) from None
    return _finite(v, "^", pos)


class Algebra:
    """What the parser builds from an expression: one method per construct of the grammar.

    The parser owns the grammar, the positions and the size limits; an algebra owns the
    values (floats here; formula trees in :mod:`nntutor.core.symbolic`). A method refuses a
    value by raising :class:`AnswerError`; ``pos`` is the 0-based offset of the operator.
    """

    def number(self, value: float, text: str, pos: int):
        """A literal as typed (`text`, maybe with a decimal comma) and its float `value`."""
        raise NotImplementedError

    def constant(self, name: str, pos: int):
        """A spelling from CONSTANT_NAMES."""
        raise NotImplementedError

    def symbol(self, name: str, pos: int):
        """The value of a name that is not a constant, or None when it is not a symbol here."""
        return None

    def unknown(self, name: str, pos: int) -> AnswerError:
        """The error for a name that is neither a constant, a symbol nor a function."""
        return _unknown_name(name, pos)

    def neg(self, a, pos: int):
        raise NotImplementedError

    def add(self, a, b, pos: int):
        raise NotImplementedError

    def sub(self, a, b, pos: int):
        raise NotImplementedError

    def mul(self, a, b, what: str, pos: int):
        """a·b; `what` is the operator as shown in messages ("*", or "·" for `2x`)."""
        raise NotImplementedError

    def div(self, a, b, pos: int):
        raise NotImplementedError

    def power(self, a, b, pos: int):
        raise NotImplementedError

    def apply(self, name: str, arg, pos: int):
        """A function from FUNCTION_NAMES (as spelled) applied to `arg`."""
        raise NotImplementedError


class FloatAlgebra(Algebra):
    """Numbers in Python floats with ``math``: overflow and domain errors are refusals."""

    def number(self, value: float, text: str, pos: int) -> float:
        return value

    def constant(self, name: str, pos: int) -> float:
        return _CONSTS[name]

    def neg(self, a: float, pos: int) -> float:
        return -a

    def add(self, a: float, b: float, pos: int) -> float:
        return _finite(a + b, "+", pos)

    def sub(self, a: float, b: float, pos: int) -> float:
        return _finite(a - b, "-", pos)

    def mul(self, a: float, b: float, what: str, pos: int) -> float:
        return _finite(a * b, what, pos)

    def div(self, a: float, b: float, pos: int) -> float:
        if b == 0:
            raise AnswerError("division_by_zero", *_A.pair("division_by_zero", at=_where(pos)), pos)
        return _finite(a / b, "/", pos)

    def power(self, a: float, b: float, pos: int) -> float:
        return _pow(a, b, pos)

    def apply(self, name: str, arg: float, pos: int) -> float:
        fn = _FUNCS[name]
        try:
            v = fn(arg)
        except OverflowError:
            raise _too_large(f"{name}({_fmt_number(arg, 6)})", pos) from None
        except ValueError:
            call = f"{name}({_fmt_number(arg, 6)})"
            raise AnswerError("domain", *_A.pair("undefined", call=call, at=_where(pos)), pos) from None
        return _finite(float(v), name, pos)


#: The algebra of read_answer.
FLOATS = FloatAlgebra()
