"""Reading a student's typed answer: numbers, expressions, vectors and matrices.

``read_answer(text, shape)`` returns a :class:`Reading` (float64 values in the expected
shape plus the precision the student typed) or a :class:`FormatProblem` (a stable code
and a short EN/RU message saying what was wrong and what was expected, with an example).

A tokenizer and a recursive-descent parser read each element; the parser hands every
construct (number, name, + − × ÷, power, function) to an :class:`Algebra`. read_answer uses
:data:`FLOATS`, which evaluates in Python floats with ``math``; ``read_expression`` reads one
expression with any algebra (:mod:`nntutor.core.symbolic` builds formula trees with one).
Student text never reaches eval/exec/compile/sympify. Every input is bounded (length,
nesting, literal length, element count) so hostile text ends in well under 10 ms.

Grammar (per element; whitespace separates elements MATLAB-style at element level):

    expr    := term (('+'|'-') term)*          # `1 -2` is two elements, `1 - 2` one
    term    := juxt (('*'|'/') juxt)*
    juxt    := unary (power)*                  # `2π`, `2(1+1)`: no space, binds tighter than * /
    unary   := ('+'|'-') unary | power
    power   := primary (('^'|'**') unary)?     # right-associative, `e^-2`
    primary := number | constant | func '(' expr ')' | func unary | '(' expr ')'

Arrays: elements separated by spaces or commas, rows by ';' or newlines, optional
brackets (`[1, 2]`, `[[1, 2], [3, 4]]`, `[1 2; 3 4]`). The typed array is accepted when
its squeezed shape equals the expected squeezed shape, then reshaped to it.

Decimal comma: a comma between two digits (`0,25`) is read both ways. The decimal reading
wins when it gives the expected shape; when only the separator reading does, the student
is asked (`1,2` for two numbers) unless each such number stood alone in brackets
(`[1,2]`, `[[1,2],[3,4]]`). `84,301` (possible digit grouping) is always asked about.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterator, Mapping, Sequence

import numpy as np

MAX_CHARS = 2000
MAX_DEPTH = 40
MAX_ELEMENTS = 400
MAX_LITERAL = 40
#: Bounds the work for any input; a 20×20 matrix with signs and commas is about 1000.
MAX_TOKENS = 1200
#: sig_figs recorded for exact elements (integers, fractions, expressions).
EXACT_SIG_FIGS = 99
# Typed precision beyond this carries no meaning for float64 and would make huge strings.
_DECIMALS_LIMIT = 330

__all__ = [
    "Reading", "FormatProblem", "read_answer", "describe_shape", "example_for",
    "format_value", "MAX_CHARS", "MAX_DEPTH", "MAX_ELEMENTS", "MAX_LITERAL", "MAX_TOKENS",
    "EXACT_SIG_FIGS", "Algebra", "FloatAlgebra", "FLOATS", "AnswerError", "read_expression",
    "FUNCTION_NAMES", "CONSTANT_NAMES", "RESERVED_NAMES",
]


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


def _ru_count(n: int, one: str, few: str, many: str) -> str:
    """Russian noun form after a numeral: 1 число, 2 числа, 5 чисел."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _ru_of(n: int) -> str:
    """Genitive after "из": из 1 числа, из 21 числа, из 2 чисел."""
    return "числа" if n % 10 == 1 and n % 100 != 11 else "чисел"


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
    ru = lang == "ru"
    if kind == "scalar":
        if whole:
            return "целое число" if ru else "a whole number"
        return "число" if ru else "a number"
    if kind == "empty":
        return "пустой массив" if ru else "an empty array"
    if kind in ("vector", "column", "row"):
        n = sq[0]
        if ru:
            word = {"vector": "вектор", "column": "столбец", "row": "строка"}[kind]
            return f"{word} из {n} {_ru_of(n)}"
        word = {"vector": "a vector", "column": "a column", "row": "a row"}[kind]
        return f"{word} of {n} numbers"
    if kind == "matrix":
        return f"матрица {_dims(sq)}" if ru else f"a {_dims(sq)} matrix"
    return f"массив {_dims(sq)}" if ru else f"an array of shape {_dims(sq)}"


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
    ru = lang == "ru"
    if kind in ("scalar", "empty"):
        return f"например: {ex}" if ru else f"e.g. {ex}"
    if kind in ("vector", "row"):
        return f"через пробел, например: {ex}" if ru else f"separated by spaces, e.g. {ex}"
    if kind == "column":
        flat = ex.replace("; ", " ")
        return (f"например: {ex} или {flat}" if ru else f"e.g. {ex} or {flat}")
    if kind == "matrix":
        return (f"строки разделяются «;», например: {ex}" if ru
                else f"rows separated by ';', e.g. {ex}")
    return f"например: {ex}" if ru else f"e.g. {ex}"


def _got(typed: tuple[int, ...], lang: str) -> str:
    """What the student typed, as a phrase: "got 4 numbers in one row"."""
    ru = lang == "ru"
    sq = tuple(d for d in typed if d != 1)
    if not sq:
        return "введено одно число" if ru else "got one number"
    if len(sq) == 1:
        n = sq[0]
        column = len(typed) >= 2 and typed[-1] == 1
        if ru:
            where = "в одном столбце" if column else "в одной строке"
            return f"введено {n} {_ru_count(n, 'число', 'числа', 'чисел')} {where}"
        return f"got {n} numbers in one {'column' if column else 'row'}"
    if len(sq) == 2:
        return f"введена матрица {_dims(sq)}" if ru else f"got a {_dims(sq)} matrix"
    return f"введён массив {_dims(sq)}" if ru else f"got an array of shape {_dims(sq)}"


# ----------------------------------------------------------------------------- errors

class AnswerError(Exception):
    """Carries a FormatProblem's code, texts and position out of the tokenizer, parser or algebra."""

    def __init__(self, code: str, en: str, ru: str, pos: int | None = None,
                 comma_specific: bool = False):
        super().__init__(code)
        self.code, self.en, self.ru, self.pos = code, en, ru, pos
        self.comma_specific = comma_specific


_Fail = AnswerError


class _Ctx:
    """What is expected, in words appended to every message (a shape, or given wording)."""

    __slots__ = ("shape", "example", "suffix_en", "suffix_ru")

    def __init__(self, shape: tuple[int, ...], expected: Mapping[str, str] | None = None, whole: bool = False,
                 example: str | None = None):
        self.shape = shape
        if expected is None:
            self.example = example if example is not None else example_for(shape, whole=whole)
            self.suffix_en = f" Expected {describe_shape(shape, 'en', whole)}, e.g. {self.example}"
            self.suffix_ru = f" Ожидается {describe_shape(shape, 'ru', whole)}, например: {self.example}"
        else:
            self.example = ""
            self.suffix_en = f" Expected {expected['en']}"
            self.suffix_ru = f" Ожидается {expected['ru']}"

    def problem(self, code: str, en: str, ru: str, pos: int | None = None) -> FormatProblem:
        return FormatProblem(code, {"en": en + self.suffix_en, "ru": ru + self.suffix_ru}, pos)


def _at(pos: int) -> tuple[str, str]:
    """"at character 5" / "позиция 5" (1-based, as people count)."""
    return f"character {pos + 1}", f"позиция {pos + 1}"


# ----------------------------------------------------------------------------- characters

_CHAR_MAP = str.maketrans({
    "\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2010": "-", "\u2011": "-", "\ufe63": "-",
    "\uff0d": "-", "\u2014": "-",
    "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2219": "*", "\u2217": "*", "\uff0a": "*",
    "\u00f7": "/", "\u2215": "/", "\uff0f": "/", "\uff0b": "+",
    "\u2028": "\n", "\u2029": "\n", "\r": " ", "\t": " ",
})
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}
_HAS_SUPERSCRIPT = re.compile("[" + "".join(_SUPERSCRIPTS) + "]")
# Cyrillic letters that look exactly like Latin ones: a Russian keyboard layout must not
# turn "ехр" (typed in Cyrillic) into an unknown name.
_HOMOGLYPHS = str.maketrans("аеорсхуікѕ", "aeopcxyiks")
_DIGITS = frozenset("0123456789")
_INVISIBLE = frozenset(("Cc", "Cf", "Cs"))
_ASCII_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TIGHT_COMMA = re.compile(r"(?<=[0-9]),(?=[0-9])")


def _check_chars(text: str) -> None:
    """Control, bidi and other invisible characters are refused with their position."""
    if text.isascii():
        m = _ASCII_CONTROL.search(text)
        bad = m.start() if m else None
    else:
        # Categories of the distinct characters only: bounded work for any text.
        chars = [ch for ch in set(text)
                 if ch not in "\t\n\r" and unicodedata.category(ch) in _INVISIBLE]
        bad = min(text.index(ch) for ch in chars) if chars else None
    if bad is not None:
        en_at, ru_at = _at(bad)
        code = f"U+{ord(text[bad]):04X}"
        raise _Fail(
            "bad_char",
            f"An invisible control character ({code}) at {en_at}: retype the answer without it.",
            f"Невидимый управляющий символ ({code}), {ru_at}: наберите ответ заново без него.",
            bad)


def _normalize(text: str) -> tuple[str, Sequence[int]]:
    """Map look-alike characters to ASCII; superscripts become ^( ); keep each origin."""
    if not _HAS_SUPERSCRIPT.search(text):
        return text.translate(_CHAR_MAP), range(len(text))
    out: list[str] = []
    origin: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            run = "^(" + "".join(_SUPERSCRIPTS[c] for c in text[i:j]) + ")"
            out.append(run)
            origin.extend([i] * len(run))
            i = j
            continue
        out.append(ch.translate(_CHAR_MAP))
        origin.append(i)
        i += 1
    return "".join(out), origin


def _tight_commas(s: str) -> list[int]:
    """Indices of commas directly between two digits (`0,25`): maybe a decimal comma."""
    return [m.start() for m in _TIGHT_COMMA.finditer(s)]


# ----------------------------------------------------------------------------- tokens

_NUM, _NAME, _OP, _LP, _RP, _LB, _RB, _COMMA, _SEMI, _END = range(10)
_ENDS_ELEMENT = frozenset((_COMMA, _SEMI, _RB, _END))
_STARTS_ELEMENT = frozenset((_NUM, _NAME, _LP, _LB))
_PUNCT = {"(": _LP, ")": _RP, "[": _LB, "]": _RB, ",": _COMMA}


class _Tok:
    __slots__ = ("kind", "text", "pos", "sb")

    def __init__(self, kind: int, text: str, pos: int, sb: bool):
        # sb: whitespace came before this token (MATLAB-style element separation)
        self.kind, self.text, self.pos, self.sb = kind, text, pos, sb


class _NumTok(_Tok):
    __slots__ = ("value", "decimal", "decimals", "sig")


_BAD_CHAR_HINT = ("Use numbers, + − * / ^, ( ), [ ], e, π, exp, ln, sqrt, σ.",
                  "Можно: числа, + − * / ^, ( ), [ ], e, π, exp, ln, sqrt, σ.")


def _lex_pattern(mode_a: bool) -> re.Pattern:
    # Mode A reads a comma between digits as a decimal comma; mode B as a separator.
    frac = r"(?:\.[0-9]*|,[0-9]+)" if mode_a else r"(?:\.[0-9]*)"
    return re.compile(
        r"(?P<ws>[^\S\n]+)"
        r"|(?P<semi>[\n;])"
        rf"|(?P<num>(?:[0-9]+(?P<sep>{frac})?|\.[0-9]+)(?P<exp>[eE][+-]?[0-9]+)?)"
        r"|(?P<name>[^\W\d]\w*)"
        r"|(?P<pow>\*\*)"
        r"|(?P<op>[-+*/^])"
        r"|(?P<punct>[()\[\],])"
        r"|(?P<special>[√∞])"
        r"|(?P<bad>.)", re.DOTALL)


_LEX = {True: _lex_pattern(True), False: _lex_pattern(False)}


class _Lexer:
    """Splits normalized text into tokens; in mode A a tight comma is a decimal comma."""

    def __init__(self, s: str, origin: Sequence[int], mode_a: bool):
        self.s, self.origin, self.mode_a = s, origin, mode_a
        self.pattern = _LEX[mode_a]
        self.comma_numbers: list[_NumTok] = []  # numbers read with a decimal comma

    def tokens(self) -> Iterator[_Tok]:
        """Tokens on demand (hostile input stops at its first problem), then END forever."""
        s, origin = self.s, self.origin
        sb = True
        count = 0
        for m in self.pattern.finditer(s):
            kind = m.lastgroup
            if kind == "ws":
                sb = True
                continue
            count += 1
            if count > MAX_TOKENS:
                raise _Fail("too_long", f"The answer is too long: more than {MAX_TOKENS} numbers "
                            "and signs.",
                            f"Ответ слишком длинный: больше {MAX_TOKENS} чисел и знаков.")
            start = m.start()
            pos = origin[start]
            text = m.group()
            if kind == "num":
                tok = self.number(m, pos, sb)
            elif kind == "op":
                tok = _Tok(_OP, text, pos, sb)
            elif kind == "punct":
                tok = _Tok(_PUNCT[text], text, pos, sb)
            elif kind == "name":
                tok = _Tok(_NAME, text.lower().translate(_HOMOGLYPHS), pos, sb)
            elif kind == "semi":
                yield _Tok(_SEMI, text, pos, sb)
                sb = True
                continue
            elif kind == "pow":
                tok = _Tok(_OP, "^", pos, sb)
            elif kind == "special":
                tok = _Tok(_NAME, "sqrt" if text == "√" else "∞", pos, sb)
            else:
                raise self.bad_char(start)
            sb = False
            yield tok
        end = _Tok(_END, "", origin[-1] + 1 if s else 0, True)
        while True:
            yield end

    def bad_char(self, i: int) -> _Fail:
        ch = self.s[i]
        pos = self.origin[i]
        en_at, ru_at = _at(pos)
        if ch == "=":
            return _Fail("bad_char", f"Type only the value, without «=» ({en_at}).",
                         f"Введите только значение, без «=» ({ru_at}).", pos)
        shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
        return _Fail("bad_char",
                     f"The character «{shown}» ({en_at}) can't be used in an answer. "
                     + _BAD_CHAR_HINT[0],
                     f"Символ «{shown}» ({ru_at}) нельзя использовать в ответе. "
                     + _BAD_CHAR_HINT[1], pos)

    def number(self, m: re.Match, pos: int, sb: bool) -> _Tok:
        text = m.group()
        sep, exp_text = m.group("sep", "exp")
        if not sep and not exp_text and text[0] != "." and len(text) <= MAX_LITERAL:
            tok = _NumTok(_NUM, text, pos, sb)  # a plain integer, the common case
            tok.value = float(text)
            # rounded to units like any decimal ("105" for 104.79); trailing zeros count
            tok.decimal = True
            tok.decimals = 0
            tok.sig = len(text.lstrip("0")) or 1
            return tok
        s, end = self.s, m.end()
        sep = sep or ("." if text.startswith(".") else "")
        nxt = s[end] if end < len(s) else ""
        tight_next = nxt == "," and self.mode_a and end + 1 < len(s) and s[end + 1] in _DIGITS
        if (nxt == "." and (sep or exp_text)) or (tight_next and sep):
            # `1.2.3`, or `1,5,2` read with decimal commas: not one number.
            j = end + 1
            while j < len(s) and s[j] in _DIGITS:
                j += 1
            bad = s[m.start():j][:MAX_LITERAL + 5]
            en_at, ru_at = _at(pos)
            raise _Fail("unreadable", f"«{bad}» ({en_at}) has two decimal separators.",
                        f"В «{bad}» ({ru_at}) два десятичных разделителя.", pos,
                        comma_specific=tight_next or sep.startswith(","))
        if len(text) > MAX_LITERAL:
            en_at, ru_at = _at(pos)
            raise _Fail("too_large",
                        f"The number at {en_at} is too long (at most {MAX_LITERAL} characters).",
                        f"Число ({ru_at}) слишком длинное (не больше {MAX_LITERAL} символов).", pos)
        value = float(text.replace(",", "."))
        if not math.isfinite(value):
            en_at, ru_at = _at(pos)
            raise _Fail("too_large", f"The number «{text}» ({en_at}) is too large.",
                        f"Число «{text}» ({ru_at}) слишком велико.", pos)
        tok = _NumTok(_NUM, text, pos, sb)
        tok.value = value
        if sep.startswith(","):
            self.comma_numbers.append(tok)
        tok.decimal = False
        tok.decimals = 0
        tok.sig = EXACT_SIG_FIGS
        if sep or exp_text:
            mantissa = text[:len(text) - len(exp_text)] if exp_text else text
            int_part, _, frac = mantissa.replace(",", ".").partition(".")
            exponent = int(exp_text[1:]) if exp_text else 0
            tok.decimal = True
            tok.decimals = max(-_DECIMALS_LIMIT, min(_DECIMALS_LIMIT, len(frac) - exponent))
            digits = (int_part + frac).lstrip("0")
            tok.sig = len(digits) if digits else 1
        return tok


# ----------------------------------------------------------------------------- evaluation

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
_ALLOWED = ("e, π (pi), exp, ln (= log, natural), sqrt (√), σ (sigmoid), tanh, sin, cos, abs",
            "e, π (pi), exp, ln (= log, натуральный), sqrt (√), σ (sigmoid), tanh, sin, cos, abs")
#: The function each accepted spelling means (names as the lexer delivers them: lowercase).
FUNCTION_NAMES: Mapping[str, str] = {
    "exp": "exp", "ln": "ln", "log": "ln", "sqrt": "sqrt", "sigmoid": "sigmoid", "sigma": "sigmoid",
    "σ": "sigmoid", "tanh": "tanh", "th": "tanh", "sin": "sin", "cos": "cos", "abs": "abs",
}
#: The constant each accepted spelling means.
CONSTANT_NAMES: Mapping[str, str] = {"e": "e", "pi": "pi", "π": "pi", "пи": "pi"}
#: Names no algebra may give to a symbol: they already mean a function, a constant or ∞.
RESERVED_NAMES = frozenset(FUNCTION_NAMES) | frozenset(CONSTANT_NAMES) | frozenset(_NOT_FINITE)


class _Leaf:
    __slots__ = ("value", "exact", "decimals", "sig", "tok")

    def __init__(self, value: float, exact: bool, decimals: int, sig: int, tok=None):
        self.value, self.exact, self.decimals, self.sig = value, exact, decimals, sig
        self.tok = tok  # the literal the element was, if it was a lone (signed) number


def _too_large(what: str, pos: int) -> _Fail:
    en_at, ru_at = _at(pos)
    return _Fail("too_large", f"The result of «{what}» ({en_at}) is too large.",
                 f"Результат «{what}» ({ru_at}) слишком велик.", pos)


def _finite(v: float, what: str, pos: int) -> float:
    if not math.isfinite(v):
        raise _too_large(what, pos)
    return v


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
        en_at, ru_at = _at(pos)
        shown = name if len(name) <= 20 else name[:20] + "…"
        return _Fail("unknown_name", f"Unknown name «{shown}» ({en_at}). Allowed: {_ALLOWED[0]}.",
                     f"Неизвестное имя «{shown}» ({ru_at}). Можно: {_ALLOWED[1]}.", pos)

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
            en_at, ru_at = _at(pos)
            raise _Fail("division_by_zero", f"Division by zero at {en_at}.",
                        f"Деление на ноль ({ru_at}).", pos)
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
            en_at, ru_at = _at(pos)
            call = f"{name}({_fmt_number(arg, 6)})"
            raise _Fail("domain", f"{call} is not defined ({en_at}).",
                        f"{call} не определено ({ru_at}).", pos) from None
        return _finite(float(v), name, pos)


#: The algebra of read_answer.
FLOATS = FloatAlgebra()


class _Parser:
    """Recursive descent over tokens; combines values as it goes through an :class:`Algebra`.

    spaced_juxt: whitespace does not end a product (`s (1 - s)`, `2 x`): for one formula,
    where spaces never separate elements.
    """

    def __init__(self, tokens: Iterator[_Tok], algebra: Algebra = FLOATS, spaced_juxt: bool = False):
        self.alg = algebra
        self.spaced_juxt = spaced_juxt
        self.next_token = tokens.__next__
        self.tok = self.next_token()  # the current token
        self.nxt = self.next_token()  # one token of look-ahead
        self.prev = self.tok          # the last token consumed
        self.count = 0                # tokens consumed so far
        self.depth = 0
        self.leaves = 0
        self.bracketed: set[int] = set()  # ids of literals alone in their brackets: `[1,2]`

    def peek(self) -> _Tok:
        return self.nxt

    def advance(self) -> _Tok:
        t = self.tok
        if t.kind != _END:
            self.prev = t
            self.count += 1
            self.tok = self.nxt
            self.nxt = self.next_token()
        return t

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            en_at, ru_at = _at(pos)
            raise _Fail("too_deep",
                        f"Nested too deeply at {en_at} (more than {MAX_DEPTH} levels of "
                        "brackets, signs or powers).",
                        f"Слишком глубокая вложенность ({ru_at}): больше {MAX_DEPTH} уровней "
                        "скобок, знаков или степеней.", pos)

    def leave(self) -> None:
        self.depth -= 1

    def unexpected(self, t: _Tok) -> _Fail:
        en_at, ru_at = _at(t.pos)
        if t.kind == _END:
            return _Fail("unreadable", "The answer ends too early: something is missing at the end.",
                         "Ответ обрывается: в конце чего-то не хватает.", t.pos)
        if t.kind == _RP:
            return _Fail("unreadable", f"«)» at {en_at} has no matching «(».",
                         f"У скобки «)» ({ru_at}) нет парной «(».", t.pos)
        if t.kind == _RB:
            return _Fail("unreadable", f"«]» at {en_at} has no matching «[».",
                         f"У скобки «]» ({ru_at}) нет парной «[».", t.pos)
        if t.kind == _SEMI:
            return _Fail("unreadable", f"A row break at {en_at} inside parentheses.",
                         f"Перенос строки или «;» ({ru_at}) внутри скобок.", t.pos)
        if t.kind == _COMMA:
            return _Fail("unreadable",
                         f"A comma at {en_at} inside parentheses or after an operator; "
                         "separate numbers with spaces outside parentheses.",
                         f"Запятая ({ru_at}) внутри скобок или после знака действия; числа "
                         "разделяются пробелами вне скобок.", t.pos)
        if t.kind == _LB:
            return _Fail("unreadable",
                         f"«[» at {en_at}: square brackets go around a whole vector or matrix; "
                         "use ( ) inside expressions.",
                         f"«[» ({ru_at}): квадратные скобки ставятся вокруг всего вектора или "
                         "матрицы; внутри выражений используйте ( ).", t.pos)
        if t.kind == _OP:
            return _Fail("unreadable", f"«{t.text}» at {en_at} has nothing to work on.",
                         f"Знаку «{t.text}» ({ru_at}) не хватает числа.", t.pos)
        return _Fail("unreadable", f"Unexpected «{t.text}» at {en_at}: is an operator missing?",
                     f"Непонятно, что делает «{t.text}» ({ru_at}): не пропущен ли знак действия?",
                     t.pos)

    # --- arrays
    def top(self):
        rows = self.block()
        t = self.tok
        if t.kind != _END:
            raise self.unexpected(t)
        if not rows:
            raise _Fail("unreadable", "There are separators but no numbers.",
                        "Есть разделители, но нет чисел.", 0)
        if len(rows) == 1:
            return rows[0][0] if len(rows[0]) == 1 else rows[0]
        return self.stack(rows)

    @staticmethod
    def stack(rows):
        # MATLAB vertical concatenation: `[1,2]; [3,4]` and `1 2; 3 4` are both 2×2.
        return [r[0] if len(r) == 1 and isinstance(r[0], list) else r for r in rows]

    def block(self):
        rows = []
        while True:
            items = self.row()
            if items:
                rows.append(items)
            if self.tok.kind == _SEMI:
                self.advance()
                continue
            return rows

    def row(self):
        items = []
        while True:
            t = self.tok
            if t.kind in (_SEMI, _RB, _END):
                return items
            if t.kind == _COMMA:
                en_at, ru_at = _at(t.pos)
                raise _Fail("unreadable", f"Nothing before the comma at {en_at}.",
                            f"Перед запятой ({ru_at}) ничего нет.", t.pos)
            items.append(self.item())
            t = self.tok
            if t.kind == _COMMA:
                self.advance()
                if self.tok.kind == _COMMA:
                    en_at, ru_at = _at(t.pos)
                    raise _Fail("unreadable", f"Two commas in a row at {en_at}.",
                                f"Две запятые подряд ({ru_at}).", t.pos)
                if self.tok.kind in (_SEMI, _RB, _END):
                    en_at, ru_at = _at(t.pos)
                    raise _Fail("unreadable", f"Nothing after the comma at {en_at}.",
                                f"После запятой ({ru_at}) ничего нет.", t.pos)
                continue
            if t.kind in (_SEMI, _RB, _END):
                return items
            if t.sb and (t.kind in (_NUM, _NAME, _LP, _LB) or
                         (t.kind == _OP and t.text in "+-")):
                continue
            raise self.unexpected(t)

    def item(self):
        t = self.tok
        if t.kind == _LB:
            return self.bracket()
        self.leaves += 1
        if self.leaves > MAX_ELEMENTS:
            raise _Fail("too_many", f"Too many numbers (more than {MAX_ELEMENTS}).",
                        f"Слишком много чисел (больше {MAX_ELEMENTS}).", t.pos)
        # Fast path (same result as the full parse): a lone number ending where the
        # element ends; long plain lists stay cheap.
        after = self.nxt
        if t.kind == _NUM and (after.kind in _ENDS_ELEMENT or
                               (after.sb and after.kind in _STARTS_ELEMENT)):
            self.advance()
            if t.decimal:
                return _Leaf(t.value, False, t.decimals, t.sig, t)
            return _Leaf(t.value, True, 0, EXACT_SIG_FIGS, t)
        start = self.count
        value = self.expr(True)
        used = self.count - start
        lit = None
        if used == 1 and t.kind == _NUM:
            lit = t
        elif used == 2 and t.kind == _OP and t.text in "+-" and self.prev.kind == _NUM:
            lit = self.prev
        if lit is not None and lit.decimal:
            return _Leaf(value, False, lit.decimals, lit.sig, lit)
        return _Leaf(value, True, 0, EXACT_SIG_FIGS, lit)

    def bracket(self):
        open_tok = self.advance()
        self.enter(open_tok.pos)
        rows = self.block()
        t = self.tok
        if t.kind != _RB:
            if t.kind == _END:
                en_at, ru_at = _at(open_tok.pos)
                raise _Fail("unreadable", f"«[» at {en_at} is never closed.",
                            f"Скобка «[» ({ru_at}) не закрыта.", open_tok.pos)
            raise self.unexpected(t)
        self.advance()
        self.leave()
        if not rows:
            en_at, ru_at = _at(open_tok.pos)
            raise _Fail("unreadable", f"Empty brackets at {en_at}.",
                        f"Пустые скобки ({ru_at}).", open_tok.pos)
        if len(rows) == 1 and len(rows[0]) == 1 and isinstance(rows[0][0], _Leaf):
            self.bracketed.add(id(rows[0][0].tok))
        if len(rows) == 1:
            return rows[0]
        return self.stack(rows)

    # --- expressions
    def single(self):
        """One expression filling the whole text (a formula): no arrays, no separators."""
        v = self.expr(False)
        t = self.tok
        if t.kind == _END:
            return v
        if t.kind in (_COMMA, _SEMI):
            en_at, ru_at = _at(t.pos)
            raise _Fail("unreadable",
                        f"«{t.text.strip() or '↵'}» at {en_at}: a formula is one expression "
                        "(write decimals with a point, e.g. 0.5).",
                        f"«{t.text.strip() or '↵'}» ({ru_at}): формула — одно выражение "
                        "(дробные числа пишутся через точку, например 0.5).", t.pos)
        raise self.unexpected(t)

    def expr(self, top: bool):
        left = self.term(top)
        while True:
            t = self.tok
            if t.kind != _OP or t.text not in "+-":
                return left
            nxt = self.peek()
            if top and t.sb and not nxt.sb and nxt.kind in (_NUM, _NAME, _LP, _OP):
                return left  # `1 -2`: a new element, MATLAB-style
            self.advance()
            right = self.term(top)
            left = self.alg.add(left, right, t.pos) if t.text == "+" else self.alg.sub(left, right, t.pos)

    def term(self, top: bool):
        left = self.juxt(top)
        while True:
            t = self.tok
            if t.kind != _OP or t.text not in "*/":
                return left
            self.advance()
            right = self.juxt(top)
            if t.text == "*":
                left = self.alg.mul(left, right, "*", t.pos)
            else:
                left = self.alg.div(left, right, t.pos)

    def juxt(self, top: bool):
        left = self.unary(top)
        while True:
            t = self.tok
            if (t.sb and not self.spaced_juxt) or t.kind not in (_NAME, _LP):
                return left
            right = self.power(top)  # `2π`, `2(1+1)`, `(1)(2)`, `2sqrt(2)`
            left = self.alg.mul(left, right, "·", t.pos)

    def unary(self, top: bool):
        t = self.tok
        if t.kind == _OP and t.text in "+-":
            self.advance()
            self.enter(t.pos)
            v = self.unary(top)
            self.leave()
            return self.alg.neg(v, t.pos) if t.text == "-" else v
        return self.power(top)

    def power(self, top: bool):
        base = self.primary(top)
        t = self.tok
        if t.kind == _OP and t.text == "^":
            self.advance()
            self.enter(t.pos)
            exponent = self.unary(top)
            self.leave()
            return self.alg.power(base, exponent, t.pos)
        return base

    def primary(self, top: bool):
        t = self.tok
        if t.kind == _NUM:
            self.advance()
            return self.alg.number(t.value, t.text, t.pos)
        if t.kind == _LP:
            return self.parens()
        if t.kind == _NAME:
            self.advance()
            return self.name(t, top)
        raise self.unexpected(t)

    def parens(self):
        open_tok = self.advance()
        self.enter(open_tok.pos)
        en_at, ru_at = _at(open_tok.pos)
        if self.tok.kind == _RP:
            raise _Fail("unreadable", f"Empty parentheses «()» at {en_at}.",
                        f"Пустые скобки «()» ({ru_at}).", open_tok.pos)
        v = self.expr(False)
        t = self.tok
        if t.kind != _RP:
            if t.kind == _END:
                raise _Fail("unreadable", f"«(» at {en_at} is never closed.",
                            f"Скобка «(» ({ru_at}) не закрыта.", open_tok.pos)
            raise self.unexpected(t)
        self.advance()
        self.leave()
        return v

    def name(self, t: _Tok, top: bool):
        name = t.text
        if name in _CONSTS:
            return self.alg.constant(name, t.pos)
        v = self.alg.symbol(name, t.pos)
        if v is not None:
            return v
        en_at, ru_at = _at(t.pos)
        if name in _NOT_FINITE:
            raise _Fail("not_finite", f"«{name}» ({en_at}) is not a finite number.",
                        f"«{name}» ({ru_at}) — не конечное число.", t.pos)
        if name not in _FUNCS:
            raise self.alg.unknown(name, t.pos)
        if self.tok.kind == _LP:
            arg = self.parens()
        elif self.tok.kind in (_NUM, _NAME) or (self.tok.kind == _OP and self.tok.text in "+-"):
            self.enter(t.pos)
            arg = self.unary(top)  # prefix form: `ln 2`, `exp -1`, `ln 2^3` = ln 8
            self.leave()
        else:
            raise _Fail("unreadable", f"«{name}» at {en_at} needs a number after it, e.g. {name}(2).",
                        f"После «{name}» ({ru_at}) нужно число, например {name}(2).", t.pos)
        return self.alg.apply(name, arg, t.pos)


def _pow(base: float, exponent: float, pos: int) -> float:
    """base^exponent in floats; overflow is an error, never a hang or a complex number."""
    en_at, ru_at = _at(pos)
    if base == 0 and exponent < 0:
        raise _Fail("division_by_zero", f"0 to a negative power at {en_at} divides by zero.",
                    f"0 в отрицательной степени ({ru_at}) — деление на ноль.", pos)
    try:
        v = math.pow(base, exponent)
    except OverflowError:
        raise _too_large("^", pos) from None
    except ValueError:
        what = f"({_fmt_number(base, 6)})^{_fmt_number(exponent, 6)}"
        raise _Fail("domain", f"{what} at {en_at} is not a real number.",
                    f"{what} ({ru_at}) — не действительное число.", pos) from None
    return _finite(v, "^", pos)


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
            listed = ", ".join(str(k) for k in lens)
            raise _Fail("ragged",
                        f"Rows have different lengths ({listed} numbers); every row needs the "
                        "same count.",
                        f"В строках разное количество чисел ({listed}); во всех строках их "
                        "должно быть поровну.")
        raise _Fail("ragged", "Parts of the answer have different shapes.",
                    "Части ответа разной формы.")
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
    en = (f"Expected {describe_shape(shape, 'en')} ({_how(shape, 'en')}), "
          f"{_got(typed.shape, 'en')}" + (": rows and columns swapped?" if swapped else "."))
    ru = (f"Ожидается {describe_shape(shape, 'ru')} ({_how(shape, 'ru')}), а "
          f"{_got(typed.shape, 'ru')}" + (": строки и столбцы перепутаны?" if swapped else "."))
    if typed.comma_numbers:
        t = typed.comma_numbers[0].text
        d = t.replace(",", ".")
        en += f" ({t} was read as the decimal {d}.)"
        ru += f" ({t} прочитано как десятичная дробь {d}.)"
    return FormatProblem("shape", {"en": en, "ru": ru}, None)


def _ambiguous(s: str, origin: Sequence[int], commas: list[int]) -> FormatProblem:
    i = commas[0]
    a = i
    while a > 0 and s[a - 1] in _DIGITS:
        a -= 1
    b = i + 1
    while b < len(s) and s[b] in _DIGITS:
        b += 1
    text = s[a:b]
    one, two = text.replace(",", "."), text.replace(",", " ")
    return FormatProblem(
        "ambiguous_comma",
        {"en": f"Is {text} one number (write {one}) or two (write {two})?",
         "ru": f"{text} — это одно число (напишите {one}) или два (напишите {two})?"},
        origin[i])


# `84,301`: a decimal comma, or digit grouping of 84301? (`0,250` can only be a decimal.)
_THOUSANDS = re.compile(r"[1-9][0-9]{0,2},[0-9]{3}$")


def _ambiguous_thousands(tok: _Tok) -> FormatProblem:
    text = tok.text
    one, grouped = text.replace(",", "."), text.replace(",", "")
    return FormatProblem(
        "ambiguous_comma",
        {"en": f"Is {text} the number {one} or {grouped}? Please type {one} or {grouped} "
               "(without the comma).",
         "ru": f"{text} — это {one} или {grouped}? Введите {one} или {grouped} (без запятой)."},
        tok.pos + text.index(","))


def _outcome(result, ctx: _Ctx):
    if isinstance(result, _Fail):
        return ctx.problem(result.code, result.en, result.ru, result.pos)
    if _fits(result, ctx.shape):
        return _reading(result, ctx.shape)
    return _shape_problem(result, ctx)


def _try_parse(s: str, origin: Sequence[int], mode_a: bool):
    try:
        return _parse(s, origin, mode_a)
    except _Fail as fail:
        return fail


# Failures that reading the commas as separators cannot cure (same characters, names,
# nesting; at least as many elements), so the second parse is skipped.
_SAME_IN_BOTH_MODES = frozenset(
    ("too_many", "too_long", "unknown_name", "bad_char", "not_finite", "too_deep"))


def _precheck(text, ctx: _Ctx) -> FormatProblem | None:
    """Refusals before any parsing: not text, too long, invisible characters, empty."""
    if not isinstance(text, str):
        return ctx.problem("unreadable", "The answer is not text.", "Ответ — не текст.")
    if len(text) > MAX_CHARS:
        n = len(text)
        return ctx.problem(
            "too_long", f"The answer is too long: {n} characters (at most {MAX_CHARS}).",
            f"Ответ слишком длинный: {n} {_ru_count(n, 'символ', 'символа', 'символов')} "
            f"(можно не больше {MAX_CHARS}).")
    try:
        _check_chars(text)
    except _Fail as fail:
        return ctx.problem(fail.code, fail.en, fail.ru, fail.pos)
    if not text.strip():
        return ctx.problem("empty", "Nothing is typed yet.", "Ответ пока пуст.")
    return None


def _read(text: str, shape: tuple[int, ...], whole: bool = False, example: str | None = None) -> Reading | FormatProblem:
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
    a_ok = not isinstance(a, _Fail)
    if a_ok and _fits(a, shape):
        grouped = next((t for t in a.comma_numbers if _THOUSANDS.match(t.text)), None)
        return _reading(a, shape) if grouped is None else _ambiguous_thousands(grouped)
    if not a_ok and a.code in _SAME_IN_BOTH_MODES:
        return _outcome(a, ctx)
    b = _try_parse(s, origin, False)
    b_ok = not isinstance(b, _Fail)
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
        return _Ctx(shape, whole=whole, example=example).problem("unreadable", "This answer could not be read.",
                                   "Не удалось прочитать ответ.")


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
    except _Fail as fail:
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
        return ctx.problem("unreadable", "This answer could not be read.", "Не удалось прочитать ответ.")
