"""Characters and tokens: typed text mapped to ASCII, checked, and split into tokens.

Look-alike characters (−, ×, ÷, superscripts, Cyrillic homoglyphs) map to ASCII with each
character's origin kept, so a message points at what the student typed. The lexer reads a
comma between two digits as a decimal comma (mode A) or as a separator (mode B).
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Iterator, Sequence

from ..i18n import Messages
from .shapes import AnswerError, _where

MAX_LITERAL = 40
#: Bounds the work for any input; a 20×20 matrix with signs and commas is about 1000.
MAX_TOKENS = 1200
#: sig_figs recorded for exact elements (integers, fractions, expressions).
EXACT_SIG_FIGS = 99
# Typed precision beyond this carries no meaning for float64 and would make huge strings.
_DECIMALS_LIMIT = 330


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
        raise AnswerError("bad_char", *_L.pair("control", code=f"U+{ord(text[bad]):04X}", at=_where(bad)), bad)


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


# at: where in the typed text
_L = Messages({
    "control": {"en": "An invisible control character ({code}) at {at}: retype the answer without it.",
                "ru": "Невидимый управляющий символ ({code}), {at}: наберите ответ заново без него."},
    "too_many_tokens": {"en": "The answer is too long: more than {most} numbers and signs.",
                        "ru": "Ответ слишком длинный: больше {most} чисел и знаков."},
    "equals": {"en": "Type only the value, without «=» ({at}).", "ru": "Введите только значение, без «=» ({at})."},
    "bad_char": {"en": "The character «{char}» ({at}) can't be used in an answer. "
                       "Use numbers, + − * / ^, ( ), [ ], e, π, exp, ln, sqrt, σ.",
                 "ru": "Символ «{char}» ({at}) нельзя использовать в ответе. "
                       "Можно: числа, + − * / ^, ( ), [ ], e, π, exp, ln, sqrt, σ."},
    "two_separators": {"en": "«{number}» ({at}) has two decimal separators.",
                       "ru": "В «{number}» ({at}) два десятичных разделителя."},
    "long_number": {"en": "The number at {at} is too long (at most {most} characters).",
                    "ru": "Число ({at}) слишком длинное (не больше {most} символов)."},
    "large_number": {"en": "The number «{number}» ({at}) is too large.", "ru": "Число «{number}» ({at}) слишком велико."},
})


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
                raise AnswerError("too_long", *_L.pair("too_many_tokens", most=MAX_TOKENS))
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

    def bad_char(self, i: int) -> AnswerError:
        ch = self.s[i]
        pos = self.origin[i]
        if ch == "=":
            return AnswerError("bad_char", *_L.pair("equals", at=_where(pos)), pos)
        shown = ch if ch.isprintable() else f"U+{ord(ch):04X}"
        return AnswerError("bad_char", *_L.pair("bad_char", char=shown, at=_where(pos)), pos)

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
            raise AnswerError("unreadable", *_L.pair("two_separators", number=bad, at=_where(pos)), pos,
                              comma_specific=tight_next or sep.startswith(","))
        if len(text) > MAX_LITERAL:
            raise AnswerError("too_large", *_L.pair("long_number", at=_where(pos), most=MAX_LITERAL), pos)
        value = float(text.replace(",", "."))
        if not math.isfinite(value):
            raise AnswerError("too_large", *_L.pair("large_number", number=text, at=_where(pos)), pos)
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
