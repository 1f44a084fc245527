"""Reading a whole answer: the typed array matched to the expected shape, or one expression.

The typed array is accepted when its squeezed shape equals the expected squeezed shape,
then reshaped to it.

Decimal comma: a comma between two digits (`0,25`) is read both ways. The decimal reading
wins when it gives the expected shape; when only the separator reading does, the student
is asked (`1,2` for two numbers) unless each such number stood alone in brackets
(`[1,2]`, `[[1,2],[3,4]]`). `84,301` (possible digit grouping) is always asked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ..i18n import LANGS, Messages
from ..notation import ru_plural
from .algebra import Algebra
from .lexer import _DIGITS, _check_chars, _Lexer, _normalize, _NumTok, _tight_commas
from .parser import _Leaf, _Parser
from .shapes import AnswerError, FormatProblem, _Ctx, _got, _how, describe_shape, format_value

MAX_CHARS = 2000

_M = Messages({
    "not_text": {"en": "The answer is not text.", "ru": "Ответ — не текст."},
    # too long: n characters (2001 символ, 2002 символа, 2005 символов)
    "too_long": {"en": "The answer is too long: {n} characters (at most {most}).",
                 "ru": "Ответ слишком длинный: {n} символов (можно не больше {most})."},
    "too_long_one": {"en": "The answer is too long: {n} characters (at most {most}).",
                     "ru": "Ответ слишком длинный: {n} символ (можно не больше {most})."},
    "too_long_few": {"en": "The answer is too long: {n} characters (at most {most}).",
                     "ru": "Ответ слишком длинный: {n} символа (можно не больше {most})."},
    "empty": {"en": "Nothing is typed yet.", "ru": "Ответ пока пуст."},
    "unreadable": {"en": "This answer could not be read.", "ru": "Не удалось прочитать ответ."},
    "ragged_rows": {"en": "Rows have different lengths ({listed} numbers); every row needs the same count.",
                    "ru": "В строках разное количество чисел ({listed}); во всех строках их должно быть поровну."},
    "ragged": {"en": "Parts of the answer have different shapes.", "ru": "Части ответа разной формы."},
    "shape": {"en": "Expected {shape} ({how}), {got}.{comma}", "ru": "Ожидается {shape} ({how}), а {got}.{comma}"},
    "shape_swapped": {"en": "Expected {shape} ({how}), {got}: rows and columns swapped?{comma}",
                      "ru": "Ожидается {shape} ({how}), а {got}: строки и столбцы перепутаны?{comma}"},
    "read_decimal": {"en": " ({typed} was read as the decimal {decimal}.)",
                     "ru": " ({typed} прочитано как десятичная дробь {decimal}.)"},
    "one_or_two": {"en": "Is {typed} one number (write {one}) or two (write {two})?",
                   "ru": "{typed} — это одно число (напишите {one}) или два (напишите {two})?"},
    "decimal_or_grouped": {"en": "Is {typed} the number {one} or {grouped}? Please type {one} or {grouped} "
                                 "(without the comma).",
                           "ru": "{typed} — это {one} или {grouped}? Введите {one} или {grouped} (без запятой)."},
})


@dataclass(frozen=True)
class Reading:
    """A successfully read answer; every array has the expected shape and is read-only.

    exact: the element was a fraction or expression (no rounding implied);
    decimals/sig_figs: digits after the separator (exponent honoured, may be negative:
    1.23e4 → −2) and significant figures of number literals (an integer is rounded to
    units: "105" has 0 decimals and 3 significant figures); 0 and EXACT_SIG_FIGS for
    exact elements. shown: the values as read ("[0.25, -1]"), for "read as …".
    """

    value: np.ndarray
    exact: np.ndarray
    decimals: np.ndarray
    sig_figs: np.ndarray
    shown: str
    decimal_comma: bool


# ----------------------------------------------------------------------------- arrays

class _Typed:
    """What the student typed before it is matched to the expected shape.

    comma_numbers: literals read with a decimal comma (mode A); bracketed: each of them
    stood alone in square brackets, as in `[1,2]`, which nobody types for one number.
    """

    __slots__ = ("shape", "leaves", "comma_numbers", "bracketed")

    def __init__(self, shape, leaves, comma_numbers, bracketed):
        self.shape, self.leaves = shape, leaves
        self.comma_numbers, self.bracketed = comma_numbers, bracketed

    @property
    def decimal_comma(self) -> bool:
        return bool(self.comma_numbers)


def _flatten(node, out: list) -> tuple[int, ...]:
    """Shape of a nested node; appends leaves in C order; raises on ragged rows."""
    if isinstance(node, _Leaf):
        out.append(node)
        return ()
    shapes = [_flatten(child, out) for child in node]
    first = shapes[0]
    if any(s != first for s in shapes):
        lens = [s[0] if s else 1 for s in shapes]
        if all(len(s) <= 1 for s in shapes):
            raise AnswerError("ragged", *_M.pair("ragged_rows", listed=", ".join(str(k) for k in lens)))
        raise AnswerError("ragged", *_M.pair("ragged"))
    return (len(shapes),) + first


def _parse(s: str, origin: Sequence[int], mode_a: bool) -> _Typed:
    lexer = _Lexer(s, origin, mode_a)
    parser = _Parser(lexer.tokens())
    node = parser.top()
    leaves: list[_Leaf] = []
    shape = _flatten(node, leaves)
    commas = lexer.comma_numbers
    bracketed = bool(commas) and all(id(t) in parser.bracketed for t in commas)
    return _Typed(shape, leaves, commas, bracketed)


def _fits(typed: _Typed, shape: tuple[int, ...]) -> bool:
    return (len(typed.leaves) == int(np.prod(shape))
            and tuple(d for d in typed.shape if d != 1) == tuple(d for d in shape if d != 1))


def _frozen(values, dtype, shape) -> np.ndarray:
    arr = np.array(values, dtype=dtype).reshape(shape)
    arr.setflags(write=False)
    return arr


def _reading(typed: _Typed, shape: tuple[int, ...]) -> Reading:
    # + 0.0 turns a typed -0 into 0.
    value = _frozen([lf.value + 0.0 for lf in typed.leaves], np.float64, shape)
    return Reading(
        value=value,
        exact=_frozen([lf.exact for lf in typed.leaves], bool, shape),
        decimals=_frozen([lf.decimals for lf in typed.leaves], np.int64, shape),
        sig_figs=_frozen([lf.sig for lf in typed.leaves], np.int64, shape),
        shown=format_value(value, 6),
        decimal_comma=typed.decimal_comma,
    )


def _shape_problem(typed: _Typed, ctx: _Ctx) -> FormatProblem:
    shape = ctx.shape
    sq_t = tuple(d for d in typed.shape if d != 1)
    sq_e = tuple(d for d in shape if d != 1)
    swapped = len(sq_t) == 2 and sq_t == sq_e[::-1]
    comma = ""
    if typed.comma_numbers:
        t = typed.comma_numbers[0].text
        comma = _M.each("read_decimal", typed=t, decimal=t.replace(",", "."))
    message = _M.each("shape_swapped" if swapped else "shape", comma=comma,
                      shape={lang: describe_shape(shape, lang) for lang in LANGS},
                      how={lang: _how(shape, lang) for lang in LANGS},
                      got={lang: _got(typed.shape, lang) for lang in LANGS})
    return FormatProblem("shape", message, None)


def _ambiguous(s: str, origin: Sequence[int], commas: list[int]) -> FormatProblem:
    i = commas[0]
    a = i
    while a > 0 and s[a - 1] in _DIGITS:
        a -= 1
    b = i + 1
    while b < len(s) and s[b] in _DIGITS:
        b += 1
    text = s[a:b]
    message = _M.each("one_or_two", typed=text, one=text.replace(",", "."), two=text.replace(",", " "))
    return FormatProblem("ambiguous_comma", message, origin[i])


# `84,301`: a decimal comma, or digit grouping of 84301? (`0,250` can only be a decimal.)
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}$")


def _ambiguous_thousands(tok: _NumTok) -> FormatProblem:
    text = tok.text
    message = _M.each("decimal_or_grouped", typed=text, one=text.replace(",", "."), grouped=text.replace(",", ""))
    return FormatProblem("ambiguous_comma", message, tok.pos + text.index(","))


def _outcome(result, ctx: _Ctx):
    if isinstance(result, AnswerError):
        return ctx.problem(result.code, result.en, result.ru, result.pos)
    if _fits(result, ctx.shape):
        return _reading(result, ctx.shape)
    return _shape_problem(result, ctx)


def _try_parse(s: str, origin: Sequence[int], mode_a: bool):
    try:
        return _parse(s, origin, mode_a)
    except AnswerError as fail:
        return fail


# Failures that reading the commas as separators cannot cure (same characters, names,
# nesting; at least as many elements), so the second parse is skipped.
_SAME_IN_BOTH_MODES = frozenset(
    ("too_many", "too_long", "unknown_name", "bad_char", "not_finite", "too_deep"))


def _precheck(text, ctx: _Ctx) -> FormatProblem | None:
    """Refusals before any parsing: not text, too long, invisible characters, empty."""
    if not isinstance(text, str):
        return ctx.problem("unreadable", *_M.pair("not_text"))
    if len(text) > MAX_CHARS:
        n = len(text)
        return ctx.problem("too_long", *_M.pair(ru_plural(n, "too_long_one", "too_long_few", "too_long"),
                                                n=n, most=MAX_CHARS))
    try:
        _check_chars(text)
    except AnswerError as fail:
        return ctx.problem(fail.code, fail.en, fail.ru, fail.pos)
    if not text.strip():
        return ctx.problem("empty", *_M.pair("empty"))
    return None


def _read(text: str, shape: tuple[int, ...], whole: bool = False,
          example: str | None = None) -> Reading | FormatProblem:
    """read_answer without the last-resort guard (the fuzz tests call this one)."""
    ctx = _Ctx(shape, whole=whole, example=example)
    refused = _precheck(text, ctx)
    if refused is not None:
        return refused
    s, origin = _normalize(text)
    commas = _tight_commas(s)
    if not commas:
        return _outcome(_try_parse(s, origin, False), ctx)
    # A comma between digits: decimal comma (A) or element separator (B)? Never guess
    # silently when only B gives the expected shape.
    a = _try_parse(s, origin, True)
    a_ok = not isinstance(a, AnswerError)
    if a_ok and _fits(a, shape):
        grouped = next((t for t in a.comma_numbers if _THOUSANDS.match(t.text)), None)
        return _reading(a, shape) if grouped is None else _ambiguous_thousands(grouped)
    if not a_ok and a.code in _SAME_IN_BOTH_MODES:
        return _outcome(a, ctx)
    b = _try_parse(s, origin, False)
    b_ok = not isinstance(b, AnswerError)
    if b_ok and _fits(b, shape):
        if a_ok and not a.bracketed:
            return _ambiguous(s, origin, commas)
        return _reading(b, shape)
    if a_ok and not (a.bracketed and b_ok):
        return _shape_problem(a, ctx)
    if b_ok:
        return _shape_problem(b, ctx)
    return _outcome(b if a.comma_specific else a, ctx)


def read_answer(text: str, shape: tuple[int, ...], whole: bool = False,
                example: str | None = None) -> Reading | FormatProblem:
    """Read typed `text` as an array of the expected `shape` (squeezed shapes must match).

    Returns a Reading (values reshaped to `shape`, per-element precision) or a
    FormatProblem; never raises for any string. ``whole``: the answer is a count, and a
    message says so ("Expected a whole number, e.g. 12"); ``example``: the example a message
    gives (default: the first of :func:`example_for`; a caller that knows the answer passes
    one that is not it).
    """
    shape = tuple(int(d) for d in shape)
    try:
        return _read(text, shape, whole, example)
    except Exception:  # last resort: a reader bug must not crash the tutor
        return _Ctx(shape, whole=whole, example=example).problem("unreadable", *_M.pair("unreadable"))


def _read_expression(text: str, algebra: Algebra, ctx: _Ctx):
    """read_expression without the last-resort guard."""
    refused = _precheck(text, ctx)
    if refused is not None:
        return refused
    s, origin = _normalize(text)
    # One expression has no element separators, so a comma between digits can only be a
    # decimal comma; `84,301` (digit grouping?) is still asked about.
    lexer = _Lexer(s, origin, bool(_tight_commas(s)))
    try:
        value = _Parser(lexer.tokens(), algebra, spaced_juxt=True).single()
    except AnswerError as fail:
        return ctx.problem(fail.code, fail.en, fail.ru, fail.pos)
    grouped = next((t for t in lexer.comma_numbers if _THOUSANDS.match(t.text)), None)
    return value if grouped is None else _ambiguous_thousands(grouped)


def read_expression(text: str, algebra: Algebra, expected: Mapping[str, str]):
    """Read `text` as ONE expression combined by `algebra` (a value of that algebra) or a FormatProblem.

    The grammar and limits of read_answer, without arrays: spaces never separate elements
    (`x -y` is x − y, `s (1 - s)` a product) and a comma between digits is a decimal comma.
    ``expected`` ({"en", "ru"}) says what was expected; it ends every message. Never raises.
    """
    ctx = _Ctx((), expected)
    try:
        return _read_expression(text, algebra, ctx)
    except Exception:  # last resort: a reader bug must not crash the tutor
        return ctx.problem("unreadable", *_M.pair("unreadable"))
