"""The recursive-descent parser: tokens to arrays of elements, each combined by an Algebra.

Grammar (per element; whitespace separates elements MATLAB-style at element level):

    expr    := term (('+'|'-') term)*          # `1 -2` is two elements, `1 - 2` one
    term    := juxt (('*'|'/') juxt)*
    juxt    := unary (power)*                  # `2π`, `2(1+1)`: no space, binds tighter than * /
    unary   := ('+'|'-') unary | power
    power   := primary (('^'|'**') unary)?     # right-associative, `e^-2`
    primary := number | constant | func '(' expr ')' | func unary | '(' expr ')'

Arrays: elements separated by spaces or commas, rows by ';' or newlines, optional
brackets (`[1, 2]`, `[[1, 2], [3, 4]]`, `[1 2; 3 4]`).
"""

from __future__ import annotations

from typing import Iterator

from .algebra import _CONSTS, _FUNCS, _NOT_FINITE, FLOATS, Algebra
from .lexer import (
    _COMMA, _END, _ENDS_ELEMENT, _LB, _LP, _NAME, _NUM, _OP, _RB, _RP, _SEMI, _STARTS_ELEMENT, EXACT_SIG_FIGS,
    _Tok,
)
from ..i18n import Messages
from .shapes import AnswerError, _where

MAX_DEPTH = 40
MAX_ELEMENTS = 400

# at: where in the typed text
_P = Messages({
    "too_deep": {"en": "Nested too deeply at {at} (more than {most} levels of brackets, signs or powers).",
                 "ru": "Слишком глубокая вложенность ({at}): больше {most} уровней скобок, знаков или степеней."},
    "ends_early": {"en": "The answer ends too early: something is missing at the end.",
                   "ru": "Ответ обрывается: в конце чего-то не хватает."},
    "unmatched_paren": {"en": "«)» at {at} has no matching «(».", "ru": "У скобки «)» ({at}) нет парной «(»."},
    "unmatched_bracket": {"en": "«]» at {at} has no matching «[».", "ru": "У скобки «]» ({at}) нет парной «[»."},
    "row_in_parens": {"en": "A row break at {at} inside parentheses.", "ru": "Перенос строки или «;» ({at}) внутри скобок."},
    "comma_in_parens": {"en": "A comma at {at} inside parentheses or after an operator; separate numbers with spaces "
                              "outside parentheses.",
                        "ru": "Запятая ({at}) внутри скобок или после знака действия; числа разделяются пробелами "
                              "вне скобок."},
    "bracket_inside": {"en": "«[» at {at}: square brackets go around a whole vector or matrix; use ( ) inside "
                             "expressions.",
                       "ru": "«[» ({at}): квадратные скобки ставятся вокруг всего вектора или матрицы; внутри "
                             "выражений используйте ( )."},
    "operator_alone": {"en": "«{text}» at {at} has nothing to work on.", "ru": "Знаку «{text}» ({at}) не хватает числа."},
    "unexpected": {"en": "Unexpected «{text}» at {at}: is an operator missing?",
                   "ru": "Непонятно, что делает «{text}» ({at}): не пропущен ли знак действия?"},
    "no_numbers": {"en": "There are separators but no numbers.", "ru": "Есть разделители, но нет чисел."},
    "comma_first": {"en": "Nothing before the comma at {at}.", "ru": "Перед запятой ({at}) ничего нет."},
    "two_commas": {"en": "Two commas in a row at {at}.", "ru": "Две запятые подряд ({at})."},
    "comma_last": {"en": "Nothing after the comma at {at}.", "ru": "После запятой ({at}) ничего нет."},
    "too_many": {"en": "Too many numbers (more than {most}).", "ru": "Слишком много чисел (больше {most})."},
    "bracket_open": {"en": "«[» at {at} is never closed.", "ru": "Скобка «[» ({at}) не закрыта."},
    "empty_brackets": {"en": "Empty brackets at {at}.", "ru": "Пустые скобки ({at})."},
    "one_expression": {"en": "«{sep}» at {at}: a formula is one expression (write decimals with a point, e.g. 0.5).",
                       "ru": "«{sep}» ({at}): формула — одно выражение (дробные числа пишутся через точку, "
                             "например 0.5)."},
    "empty_parens": {"en": "Empty parentheses «()» at {at}.", "ru": "Пустые скобки «()» ({at})."},
    "paren_open": {"en": "«(» at {at} is never closed.", "ru": "Скобка «(» ({at}) не закрыта."},
    "not_finite": {"en": "«{name}» ({at}) is not a finite number.", "ru": "«{name}» ({at}) — не конечное число."},
    "needs_number": {"en": "«{name}» at {at} needs a number after it, e.g. {name}(2).",
                     "ru": "После «{name}» ({at}) нужно число, например {name}(2)."},
})
# What a token met where it cannot be says, by its kind (any other: "unexpected").
_UNEXPECTED = {_END: "ends_early", _RP: "unmatched_paren", _RB: "unmatched_bracket", _SEMI: "row_in_parens",
               _COMMA: "comma_in_parens", _LB: "bracket_inside", _OP: "operator_alone"}


class _Leaf:
    __slots__ = ("value", "exact", "decimals", "sig", "tok")

    def __init__(self, value: float, exact: bool, decimals: int, sig: int, tok=None):
        self.value, self.exact, self.decimals, self.sig = value, exact, decimals, sig
        self.tok = tok  # the literal the element was, if it was a lone (signed) number


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
            raise AnswerError("too_deep", *_P.pair("too_deep", at=_where(pos), most=MAX_DEPTH), pos)

    def leave(self) -> None:
        self.depth -= 1

    def unexpected(self, t: _Tok) -> AnswerError:
        key = _UNEXPECTED.get(t.kind, "unexpected")
        return AnswerError("unreadable", *_P.pair(key, at=_where(t.pos), text=t.text), t.pos)

    # --- arrays
    def top(self):
        rows = self.block()
        t = self.tok
        if t.kind != _END:
            raise self.unexpected(t)
        if not rows:
            raise AnswerError("unreadable", *_P.pair("no_numbers"), 0)
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
                raise AnswerError("unreadable", *_P.pair("comma_first", at=_where(t.pos)), t.pos)
            items.append(self.item())
            t = self.tok
            if t.kind == _COMMA:
                self.advance()
                if self.tok.kind == _COMMA:
                    raise AnswerError("unreadable", *_P.pair("two_commas", at=_where(t.pos)), t.pos)
                if self.tok.kind in (_SEMI, _RB, _END):
                    raise AnswerError("unreadable", *_P.pair("comma_last", at=_where(t.pos)), t.pos)
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
            raise AnswerError("too_many", *_P.pair("too_many", most=MAX_ELEMENTS), t.pos)
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
                raise AnswerError("unreadable", *_P.pair("bracket_open", at=_where(open_tok.pos)), open_tok.pos)
            raise self.unexpected(t)
        self.advance()
        self.leave()
        if not rows:
            raise AnswerError("unreadable", *_P.pair("empty_brackets", at=_where(open_tok.pos)), open_tok.pos)
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
            raise AnswerError("unreadable", *_P.pair("one_expression", sep=t.text.strip() or "↵", at=_where(t.pos)),
                              t.pos)
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
        if self.tok.kind == _RP:
            raise AnswerError("unreadable", *_P.pair("empty_parens", at=_where(open_tok.pos)), open_tok.pos)
        v = self.expr(False)
        t = self.tok
        if t.kind != _RP:
            if t.kind == _END:
                raise AnswerError("unreadable", *_P.pair("paren_open", at=_where(open_tok.pos)), open_tok.pos)
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
        if name in _NOT_FINITE:
            raise AnswerError("not_finite", *_P.pair("not_finite", name=name, at=_where(t.pos)), t.pos)
        if name not in _FUNCS:
            raise self.alg.unknown(name, t.pos)
        if self.tok.kind == _LP:
            arg = self.parens()
        elif self.tok.kind in (_NUM, _NAME) or (self.tok.kind == _OP and self.tok.text in "+-"):
            self.enter(t.pos)
            arg = self.unary(top)  # prefix form: `ln 2`, `exp -1`, `ln 2^3` = ln 8
            self.leave()
        else:
            raise AnswerError("unreadable", *_P.pair("needs_number", name=name, at=_where(t.pos)), t.pos)
        return self.alg.apply(name, arg, t.pos)
