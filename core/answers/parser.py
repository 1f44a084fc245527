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
from .shapes import AnswerError, _at

MAX_DEPTH = 40
MAX_ELEMENTS = 400


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
            en_at, ru_at = _at(pos)
            raise AnswerError("too_deep",
                              f"Nested too deeply at {en_at} (more than {MAX_DEPTH} levels of "
                              "brackets, signs or powers).",
                              f"Слишком глубокая вложенность ({ru_at}): больше {MAX_DEPTH} уровней "
                              "скобок, знаков или степеней.", pos)

    def leave(self) -> None:
        self.depth -= 1

    def unexpected(self, t: _Tok) -> AnswerError:
        en_at, ru_at = _at(t.pos)
        if t.kind == _END:
            return AnswerError("unreadable", "The answer ends too early: something is missing at the end.",
                               "Ответ обрывается: в конце чего-то не хватает.", t.pos)
        if t.kind == _RP:
            return AnswerError("unreadable", f"«)» at {en_at} has no matching «(».",
                               f"У скобки «)» ({ru_at}) нет парной «(».", t.pos)
        if t.kind == _RB:
            return AnswerError("unreadable", f"«]» at {en_at} has no matching «[».",
                               f"У скобки «]» ({ru_at}) нет парной «[».", t.pos)
        if t.kind == _SEMI:
            return AnswerError("unreadable", f"A row break at {en_at} inside parentheses.",
                               f"Перенос строки или «;» ({ru_at}) внутри скобок.", t.pos)
        if t.kind == _COMMA:
            return AnswerError("unreadable",
                               f"A comma at {en_at} inside parentheses or after an operator; "
                               "separate numbers with spaces outside parentheses.",
                               f"Запятая ({ru_at}) внутри скобок или после знака действия; числа "
                               "разделяются пробелами вне скобок.", t.pos)
        if t.kind == _LB:
            return AnswerError("unreadable",
                               f"«[» at {en_at}: square brackets go around a whole vector or matrix; "
                               "use ( ) inside expressions.",
                               f"«[» ({ru_at}): квадратные скобки ставятся вокруг всего вектора или "
                               "матрицы; внутри выражений используйте ( ).", t.pos)
        if t.kind == _OP:
            return AnswerError("unreadable", f"«{t.text}» at {en_at} has nothing to work on.",
                               f"Знаку «{t.text}» ({ru_at}) не хватает числа.", t.pos)
        return AnswerError("unreadable", f"Unexpected «{t.text}» at {en_at}: is an operator missing?",
                           f"Непонятно, что делает «{t.text}» ({ru_at}): не пропущен ли знак действия?",
                           t.pos)

    # --- arrays
    def top(self):
        rows = self.block()
        t = self.tok
        if t.kind != _END:
            raise self.unexpected(t)
        if not rows:
            raise AnswerError("unreadable", "There are separators but no numbers.",
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
                raise AnswerError("unreadable", f"Nothing before the comma at {en_at}.",
                                  f"Перед запятой ({ru_at}) ничего нет.", t.pos)
            items.append(self.item())
            t = self.tok
            if t.kind == _COMMA:
                self.advance()
                if self.tok.kind == _COMMA:
                    en_at, ru_at = _at(t.pos)
                    raise AnswerError("unreadable", f"Two commas in a row at {en_at}.",
                                      f"Две запятые подряд ({ru_at}).", t.pos)
                if self.tok.kind in (_SEMI, _RB, _END):
                    en_at, ru_at = _at(t.pos)
                    raise AnswerError("unreadable", f"Nothing after the comma at {en_at}.",
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
            raise AnswerError("too_many", f"Too many numbers (more than {MAX_ELEMENTS}).",
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
                raise AnswerError("unreadable", f"«[» at {en_at} is never closed.",
                                  f"Скобка «[» ({ru_at}) не закрыта.", open_tok.pos)
            raise self.unexpected(t)
        self.advance()
        self.leave()
        if not rows:
            en_at, ru_at = _at(open_tok.pos)
            raise AnswerError("unreadable", f"Empty brackets at {en_at}.",
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
            raise AnswerError("unreadable",
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
            raise AnswerError("unreadable", f"Empty parentheses «()» at {en_at}.",
                              f"Пустые скобки «()» ({ru_at}).", open_tok.pos)
        v = self.expr(False)
        t = self.tok
        if t.kind != _RP:
            if t.kind == _END:
                raise AnswerError("unreadable", f"«(» at {en_at} is never closed.",
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
            raise AnswerError("not_finite", f"«{name}» ({en_at}) is not a finite number.",
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
            raise AnswerError("unreadable", f"«{name}» at {en_at} needs a number after it, e.g. {name}(2).",
                        f"После «{name}» ({ru_at}) нужно число, например {name}(2).", t.pos)
        return self.alg.apply(name, arg, t.pos)
