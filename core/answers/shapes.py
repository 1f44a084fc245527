"""Values and shapes in words, and what went wrong with typed text.

format_value shows a value as the student types it; describe_shape and example_for say what is
expected ("a vector of 2 numbers", "1 2"); a :class:`FormatProblem` says what was wrong, and
:class:`AnswerError` carries one out of the lexer, the parser or an algebra.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

from ..i18n import LANGS, Messages
from ..notation import ru_plural


@dataclass(frozen=True)
class FormatProblem:
    """Why the text could not be read; ``message`` has "en" and "ru".

    Codes: empty, too_long, bad_char, unreadable, shape, ragged, ambiguous_comma,
    too_large, too_many, not_finite, too_deep, unknown_name, domain, division_by_zero.
    ``position`` is a 0-based offset into the typed text, where one applies.
    """

    code: str
    message: Mapping[str, str]
    position: int | None = None


_M = Messages({
    # describe_shape: what is expected; a line of n numbers is "of n numbers" (из 21 числа, из 2 чисел)
    "number": {"en": "a number", "ru": "число"},
    "whole": {"en": "a whole number", "ru": "целое число"},
    "empty": {"en": "an empty array", "ru": "пустой массив"},
    "vector": {"en": "a vector", "ru": "вектор"},
    "column": {"en": "a column", "ru": "столбец"},
    "row": {"en": "a row", "ru": "строка"},
    "of_n": {"en": "{line} of {n} numbers", "ru": "{line} из {n} чисел"},
    "of_n_one": {"en": "{line} of {n} numbers", "ru": "{line} из {n} числа"},
    "matrix": {"en": "a {dims} matrix", "ru": "матрица {dims}"},
    "array": {"en": "an array of shape {dims}", "ru": "массив {dims}"},
    # _how: how to type it
    "how": {"en": "e.g. {ex}", "ru": "например: {ex}"},
    "how_spaces": {"en": "separated by spaces, e.g. {ex}", "ru": "через пробел, например: {ex}"},
    "how_column": {"en": "e.g. {ex} or {flat}", "ru": "например: {ex} или {flat}"},
    "how_rows": {"en": "rows separated by ';', e.g. {ex}", "ru": "строки разделяются «;», например: {ex}"},
    # _got: what was typed (введено 21 число, 2 числа, 5 чисел)
    "got_one": {"en": "got one number", "ru": "введено одно число"},
    "got_n": {"en": "got {n} numbers {where}", "ru": "введено {n} чисел {where}"},
    "got_n_one": {"en": "got {n} numbers {where}", "ru": "введено {n} число {where}"},
    "got_n_few": {"en": "got {n} numbers {where}", "ru": "введено {n} числа {where}"},
    "in_row": {"en": "in one row", "ru": "в одной строке"},
    "in_column": {"en": "in one column", "ru": "в одном столбце"},
    "got_matrix": {"en": "got a {dims} matrix", "ru": "введена матрица {dims}"},
    "got_array": {"en": "got an array of shape {dims}", "ru": "введён массив {dims}"},
    # what ends every message of the reader
    "expected_eg": {"en": " Expected {what}, e.g. {ex}", "ru": " Ожидается {what}, например: {ex}"},
    "expected": {"en": " Expected {what}", "ru": " Ожидается {what}"},
    "at": {"en": "character {n}", "ru": "позиция {n}"},
})


# ----------------------------------------------------------------------------- display

def _fmt_number(x: float, digits: int) -> str:
    """A compact decimal for display: `digits` significant digits, no trailing zeros."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    ax = abs(x)
    if ax >= 1e15 or ax < 1e-4:
        s = f"{x:.{digits}g}"
        if "e" in s:
            mant, exp = s.split("e")
            if "." in mant:
                mant = mant.rstrip("0").rstrip(".")
            s = f"{mant}e{int(exp)}"
        return s
    mag = math.floor(math.log10(ax))
    dec = max(0, digits - 1 - mag)
    s = f"{x:.{dec}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        s = "0"
    return s


def _fmt_nested(arr: np.ndarray, digits: int) -> str:
    if arr.ndim == 0:
        return _fmt_number(float(arr), digits)
    return "[" + ", ".join(_fmt_nested(sub, digits) for sub in arr) + "]"


def format_value(value, digits: int = 4) -> str:
    """Compact display of a value: "0.2689", "[2, -1]", "[[1, 0], [2, 0]]"; -0 shows as 0.

    Sizes of 1 are dropped, as the student types them: a 1-vector shows as a number and a
    2×1 column as a vector (``describe_shape`` words them the same way).
    """
    return _fmt_nested(np.squeeze(np.asarray(value, dtype=np.float64)), max(1, int(digits)))


def _dims(shape) -> str:
    return "×".join(str(d) for d in shape)


def _layout(shape: tuple[int, ...]) -> tuple[str, tuple[int, ...]]:
    """What the student must type for `shape`: scalar, vector, column, row, matrix, array."""
    if any(d == 0 for d in shape):
        return "empty", shape
    sq = tuple(d for d in shape if d != 1)
    if not sq:
        return "scalar", ()
    if len(sq) == 1:
        if len(shape) == 2 and shape[1] == 1:
            return "column", sq
        if len(shape) == 2 and shape[0] == 1:
            return "row", sq
        return "vector", sq
    if len(sq) == 2:
        return "matrix", sq
    return "array", sq


def describe_shape(shape, lang: str = "en", whole: bool = False) -> str:
    """"a number" / "a vector of 2 numbers" / "a 2×2 matrix" (RU: "число", "матрица 2×2");
    ``whole``: a count, "a whole number" ("целое число")."""
    kind, sq = _layout(tuple(int(d) for d in shape))
    if kind == "scalar":
        return _M("whole" if whole else "number", lang)
    if kind == "empty":
        return _M("empty", lang)
    if kind in ("vector", "column", "row"):
        n = sq[0]
        return _M(ru_plural(n, "of_n_one", "of_n", "of_n"), lang, line=_M(kind, lang), n=n)
    return _M(kind, lang, dims=_dims(sq))


_EXAMPLE_SCALARS = ("0.25", "1.5", "-2.75", "12")
_EXAMPLE_COUNTS = ("12", "7", "30", "5")


def example_for(shape, mistake: int = 0, whole: bool = False) -> str:
    """A typing example for `shape`: "0.25", "1 2 3", "1; 2", "1 2; 3 4"; ``whole``: a count, "12".

    ``mistake`` 1, 2, 3 give other numbers in the same form ("1.5 2.5", "-1 -2", "10 20"), for
    when the first example happens to be the answer itself."""
    kind, sq = _layout(tuple(int(d) for d in shape))
    v = mistake % 4
    if kind in ("scalar", "empty"):
        return (_EXAMPLE_COUNTS if whole else _EXAMPLE_SCALARS)[v]

    def num(i: int) -> str:
        return format_value((i, i + 0.5, -i, 10 * i)[v])

    if kind in ("vector", "row", "column"):
        n = sq[0]
        nums = [num(i) for i in range(1, n + 1)]
        return ("; " if kind == "column" else " ").join(nums if n <= 8 else nums[:3] + ["…", num(n)])
    if kind == "matrix":
        m, n = sq
        return "; ".join(" ".join(num(r * n + c + 1) for c in range(n)) for r in range(m))
    size = int(np.prod(sq))
    return format_value(np.array([float(num(i)) for i in range(1, size + 1)]).reshape(sq))


def _how(shape: tuple[int, ...], lang: str) -> str:
    """How to type `shape`, with the example: used in shape messages."""
    kind, _ = _layout(shape)
    ex = example_for(shape)
    if kind in ("vector", "row"):
        return _M("how_spaces", lang, ex=ex)
    if kind == "column":
        return _M("how_column", lang, ex=ex, flat=ex.replace("; ", " "))
    if kind == "matrix":
        return _M("how_rows", lang, ex=ex)
    return _M("how", lang, ex=ex)


def _got(typed: tuple[int, ...], lang: str) -> str:
    """What the student typed, as a phrase: "got 4 numbers in one row"."""
    sq = tuple(d for d in typed if d != 1)
    if not sq:
        return _M("got_one", lang)
    if len(sq) == 1:
        n = sq[0]
        column = len(typed) >= 2 and typed[-1] == 1
        return _M(ru_plural(n, "got_n_one", "got_n_few", "got_n"), lang, n=n,
                  where=_M("in_column" if column else "in_row", lang))
    return _M("got_matrix" if len(sq) == 2 else "got_array", lang, dims=_dims(sq))


# ----------------------------------------------------------------------------- errors

class AnswerError(Exception):
    """Carries a FormatProblem's code, texts and position out of the tokenizer, parser or algebra."""

    def __init__(self, code: str, en: str, ru: str, pos: int | None = None,
                 comma_specific: bool = False):
        super().__init__(code)
        self.code, self.en, self.ru, self.pos = code, en, ru, pos
        self.comma_specific = comma_specific


class _Ctx:
    """What is expected, in words appended to every message (a shape, or given wording)."""

    __slots__ = ("shape", "example", "whole", "expected")

    def __init__(self, shape: tuple[int, ...], expected: Mapping[str, str] | None = None, whole: bool = False,
                 example: str | None = None):
        self.shape, self.whole, self.expected = shape, whole, expected
        if expected is None:
            self.example = example if example is not None else example_for(shape, whole=whole)
        else:
            self.example = ""

    @property
    def suffix(self) -> dict[str, str]:
        """What ends every message, in every language (worded only when a message is made)."""
        if self.expected is not None:
            return _M.each("expected", what=self.expected)
        shown = {lang: describe_shape(self.shape, lang, self.whole) for lang in LANGS}
        return _M.each("expected_eg", what=shown, ex=self.example)

    def problem(self, code: str, en: str, ru: str, pos: int | None = None) -> FormatProblem:
        said, suffix = dict(zip(LANGS, (en, ru))), self.suffix
        return FormatProblem(code, {lang: said[lang] + suffix[lang] for lang in LANGS}, pos)


def _where(pos: int) -> dict[str, str]:
    """"character 5" / "позиция 5" (1-based, as people count), as a field of a message."""
    return _M.each("at", n=pos + 1)
