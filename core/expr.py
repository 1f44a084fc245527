"""Scalar expressions read with the answer parser, and the computational graph built from them.

:func:`parse` runs :func:`nntutor.core.answers.read_expression` (the one tokenizer and
parser of the project: its grammar, character mapping and bounds) with :class:`_GraphAlgebra`,
whose values are syntax-tree nodes. On top of the parser's rules the graph algebra asks for
explicit structure, so every operation a lesson draws is visible in the text:

- every product is written with ``*`` (or ``·``, ``×``): ``2x`` and ``x y`` are refused, and
  ``xy`` is one name;
- a function needs parentheses: ``sin(x)``, not ``sin x``;
- functions: exp, ln (log), sqrt (√), sin, cos, tanh, sigmoid (σ); constants e and π;
- any other ASCII name is a variable; names are read ignoring case (as in answers), and a
  declared spelling is kept (``X`` declared: ``x^2`` is ``X^2``).

Nothing here is ever evaluated by Python: text becomes frozen nodes, and nodes are
evaluated with NumPy float64. Inputs are bounded (MAX_LENGTH characters, MAX_DEPTH levels of
nesting, MAX_NODES numbers, names and operations, numbers up to MAX_NUMBER) so hostile text
is refused at once with an :class:`ExprError` whose message says where.

The graph (:func:`build_graph`): one input node per variable (first, in the order given),
then one node per operation in evaluation order (post-order, left operand first).
Structurally identical sub-expressions share one node (``sin(x)*y + sin(x)`` computes
``sin(x)`` once); sub-expressions without variables are folded into constants that sit
on the operation using them (``2*x`` is one node with one edge, ∂/∂x = 2).

Why this tree is not the formula tree of :mod:`nntutor.core.symbolic`: see that package's docstring.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, Sequence

import numpy as np

from . import answers
from .answers import FUNCTION_NAMES, RESERVED_NAMES, Algebra, AnswerError, FormatProblem, _where, read_expression
from .i18n import Messages
from .notation import subscript
from .ops import sigmoid

MAX_LENGTH = 500
#: Levels of nesting counting the innermost operand (x inside 40 brackets is 41 levels):
#: the answer parser allows answers.MAX_DEPTH levels of brackets, signs and exponents.
MAX_DEPTH = answers.MAX_DEPTH + 1
MAX_NODES = 200
MAX_NUMBER = 1e12

_SHOWN = {"exp": "exp", "ln": "ln", "sqrt": "√", "sin": "sin", "cos": "cos", "tanh": "tanh",
          "sigmoid": "σ"}
#: Function spellings the graph accepts, mapped to the operation they mean (abs is not one:
#: its derivative jumps at 0).
FUNCTIONS: Mapping[str, str] = {k: v for k, v in FUNCTION_NAMES.items() if v in _SHOWN}
UNARY_OPS = ("neg",) + tuple(_SHOWN)
BINARY_OPS = ("add", "sub", "mul", "div", "pow", "max")
MINUS = "−"


class ExprError(ValueError):
    """Text that is not an expression of the grammar; the message says where, ``position`` is
    0-based (−1: the whole text)."""

    def __init__(self, message: str, position: int = -1) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# -- syntax tree ------------------------------------------------------------------------
# Equality ignores positions and spellings, so equal sub-trees are the same sub-expression.

@dataclass(frozen=True)
class Num:
    value: float
    text: str = field(compare=False)
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Var:
    name: str
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Op:
    op: str
    args: tuple
    pos: int = field(default=0, compare=False)


Expr = Num | Var | Op


# -- reading ------------------------------------------------------------------------------

_ASCII_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# A function name (or √) followed by "(": the parenthesized call, not the prefix form `sin x`.
_CALL = re.compile(r"(?:[^\W\d]\w*|√)[^\S\n]*\(")
_KNOWN = "exp, ln, sqrt, sin, cos, tanh, sigmoid (σ)"
# at: where in the text; known: _KNOWN
_X = Messages({
    "expected": {"en": "an expression", "ru": "выражение"},
    "too_big": {"en": "The expression is too big at {at} (more than {most} numbers, names and operations).",
                "ru": "Выражение слишком большое ({at}): больше {most} чисел, имён и операций."},
    "too_large": {"en": "The number {number} at {at} is too large (at most 10^12).",
                  "ru": "Число {number} ({at}) слишком велико (не больше 10^12)."},
    "not_a_name": {"en": "«{name}» at {at} is not a variable name (ASCII letters, digits, _) nor a function ({known}).",
                   "ru": "«{name}» ({at}) — не имя переменной (латинские буквы, цифры, _) и не функция ({known})."},
    "unknown_function": {"en": "Unknown function «{name}» at {at} (known: {known}); for a product write {name}*(…).",
                         "ru": "Неизвестная функция «{name}» ({at}), известны: {known}; произведение пишется так: "
                               "{name}*(…)."},
    "implicit_product": {"en": "A product needs «*» at {at}: write {example}.",
                         "ru": "Для произведения нужен знак «*» ({at}): {example}."},
    "not_in_graph": {"en": "«{name}» at {at} has no place in a computational graph here (known: {known}).",
                     "ru": "«{name}» ({at}) в графе вычислений здесь не используется (известны: {known})."},
    "needs_parentheses": {"en": "«{name}» at {at} needs parentheses: {name}(…).",
                          "ru": "После «{name}» ({at}) нужны скобки: {name}(…)."},
})
_EXPECTED = _X.each("expected")
_SUFFIX = answers._Ctx((), _EXPECTED).suffix["en"]  # what read_expression appends to every message


class _GraphAlgebra(Algebra):
    """Builds the syntax tree (Num, Var, Op) for the graph; counts nodes, refuses implicit
    products, functions without parentheses and numbers beyond MAX_NUMBER."""

    def __init__(self, source: str, variables: Sequence[str]):
        self.source = source  # positions index it: the call check looks at the typed text
        self.declared = {v.lower(): v for v in variables}
        self.nodes = 0

    def count(self, node: Expr) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise AnswerError("too_big", *_X.pair("too_big", at=_where(node.pos), most=MAX_NODES), node.pos)
        return node

    def number(self, value: float, text: str, pos: int) -> Expr:
        if abs(value) > MAX_NUMBER:
            raise AnswerError("too_large", *_X.pair("too_large", number=text, at=_where(pos)), pos)
        return self.count(Num(value, text.replace(",", "."), pos))

    def constant(self, name: str, pos: int) -> Expr:
        return self.count(Num(answers.FLOATS.constant(name, pos), "e" if name == "e" else "π", pos))

    def symbol(self, name: str, pos: int) -> Expr | None:
        if name in RESERVED_NAMES or not _ASCII_NAME.fullmatch(name):
            return None  # a function, a constant, ∞, or not a variable name (see unknown)
        return self.count(Var(self.declared.get(name, name), pos))

    def unknown(self, name: str, pos: int) -> AnswerError:
        return AnswerError("unknown_name", *_X.pair("not_a_name", name=name[:20], at=_where(pos), known=_KNOWN), pos)

    def neg(self, a: Expr, pos: int) -> Expr:
        return self.count(Op("neg", (a,), pos))

    def add(self, a: Expr, b: Expr, pos: int) -> Expr:
        return self.count(Op("add", (a, b), pos))

    def sub(self, a: Expr, b: Expr, pos: int) -> Expr:
        return self.count(Op("sub", (a, b), pos))

    def mul(self, a: Expr, b: Expr, what: str, pos: int) -> Expr:
        if what != "*":  # `2x`, `x y`, `f(x)`: juxtaposition; every product is a drawn operation
            call = _CALL.match(self.source, a.pos) if isinstance(a, Var) else None
            if call and call.end() - 1 == pos:  # `foo(x)`: a name right before "("
                raise AnswerError("unknown_name", *_X.pair("unknown_function", name=a.name, at=_where(a.pos),
                                                           known=_KNOWN), a.pos)
            example = f"{_wrap(a, 2)}*{_wrap(b, 3)}"
            example = example if len(example) <= 30 else "2*x"
            raise AnswerError("implicit_product", *_X.pair("implicit_product", at=_where(pos), example=example), pos)
        return self.count(Op("mul", (a, b), pos))

    def div(self, a: Expr, b: Expr, pos: int) -> Expr:
        return self.count(Op("div", (a, b), pos))

    def power(self, a: Expr, b: Expr, pos: int) -> Expr:
        return self.count(Op("pow", (a, b), pos))

    def apply(self, name: str, arg: Expr, pos: int) -> Expr:
        if name not in FUNCTIONS:
            raise AnswerError("unknown_name", *_X.pair("not_in_graph", name=name, at=_where(pos), known=_KNOWN), pos)
        if not _CALL.match(self.source, pos):
            name = "√" if self.source[pos] == "√" else name
            raise AnswerError("needs_parentheses", *_X.pair("needs_parentheses", name=name, at=_where(pos)), pos)
        return self.count(Op(FUNCTIONS[name], (arg,), pos))


def parse(text: str, variables: Sequence[str] = ()) -> Expr:
    """The syntax tree of ``text`` (see the module docstring); a name equal to one of
    ``variables`` ignoring case gets that spelling. Raises ExprError."""
    if not isinstance(text, str):
        raise ExprError("the expression must be text")
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is too long ({len(text)} characters; at most {MAX_LENGTH})")
    if not text.strip():
        raise ExprError("the expression is empty")
    got = read_expression(text, _GraphAlgebra(text, variables), _EXPECTED)
    if isinstance(got, FormatProblem):
        # The reader speaks to a student ("The answer …"); a lesson author reads it here.
        en = got.message["en"].removesuffix(_SUFFIX).replace("answer", "expression")
        raise ExprError(en[:1].lower() + en[1:], -1 if got.position is None else got.position)
    return got


# -- printing ---------------------------------------------------------------------------

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}


def show(node: Expr) -> str:
    """The expression in course notation with as few parentheses as keep its structure."""
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Var):
        return node.name
    op, args = node.op, node.args
    if op in _SHOWN:
        return f"{_SHOWN[op]}({show(args[0])})"
    if op == "neg":
        return MINUS + _wrap(args[0], 4)
    if op == "pow":
        return f"{_wrap(args[0], 5)}^{_wrap(args[1], 4)}"
    if op == "max":  # built by core.kinds.graph_expr (the answer grammar has no two-argument call)
        return f"max({show(args[0])}, {show(args[1])})"
    sign = {"add": " + ", "sub": f" {MINUS} ", "mul": "·", "div": "/"}[op]
    p = _PREC[op]
    return _wrap(args[0], p) + sign + _wrap(args[1], p + 1)


def _prec(node: Expr) -> int:
    return _PREC.get(node.op, 5) if isinstance(node, Op) else 5


def _wrap(node: Expr, at_least: int) -> str:
    text = show(node)
    return text if _prec(node) >= at_least else f"({text})"


# -- evaluation of one operation ---------------------------------------------------------

def apply(op: str, args: Sequence[float]) -> float:
    """The value of one operation on float64 operands (NaN or ±inf outside its domain)."""
    a = np.float64(args[0])
    b = np.float64(args[1]) if len(args) > 1 else None
    with np.errstate(all="ignore"):
        if op == "add":
            return float(a + b)
        if op == "sub":
            return float(a - b)
        if op == "mul":
            return float(a * b)
        if op == "div":
            return float(a / b) if b != 0 else float("nan")
        if op == "pow":
            return float(np.power(a, b))
        if op == "max":
            return float(max(a, b))
        if op == "neg":
            return float(-a)
        if op == "exp":
            return float(np.exp(a))
        if op == "ln":
            return float(np.log(a)) if a > 0 else float("nan")
        if op == "sqrt":
            return float(np.sqrt(a)) if a >= 0 else float("nan")
        if op == "sin":
            return float(np.sin(a))
        if op == "cos":
            return float(np.cos(a))
        if op == "tanh":
            return float(np.tanh(a))
        if op == "sigmoid":
            return float(sigmoid(np.asarray(a)))
    raise ValueError(f"unknown operation {op!r}")


def partial(op: str, args: Sequence[float], position: int) -> float:
    """∂ op(args) / ∂ args[position], the local derivative along one edge."""
    a = np.float64(args[0])
    b = np.float64(args[1]) if len(args) > 1 else None
    with np.errstate(all="ignore"):
        if op == "add":
            return 1.0
        if op == "sub":
            return 1.0 if position == 0 else -1.0
        if op == "mul":
            return float(b if position == 0 else a)
        if op == "div":
            if b == 0:
                return float("nan")
            return float(1.0 / b) if position == 0 else float(-a / (b * b))
        if op == "pow":
            if position == 0:
                return float(b * np.power(a, b - 1.0)) if b != 0 else 0.0
            # d(a^b)/db = a^b · ln a needs a > 0 (a = 0 with b > 0: the power is flat, 0)
            if a > 0:
                return float(np.power(a, b) * np.log(a))
            return 0.0 if (a == 0 and b > 0) else float("nan")
        if op == "max":  # a tie sends the derivative to the first argument
            return float((a >= b) if position == 0 else (b > a))
        if op == "neg":
            return -1.0
        if op == "exp":
            return float(np.exp(a))
        if op == "ln":
            return float(1.0 / a) if a > 0 else float("nan")
        if op == "sqrt":
            return float(0.5 / np.sqrt(a)) if a > 0 else float("nan")
        if op == "sin":
            return float(np.cos(a))
        if op == "cos":
            return float(-np.sin(a))
        if op == "tanh":
            return float(1.0 - np.tanh(a) ** 2)
        if op == "sigmoid":
            s = float(sigmoid(np.asarray(a)))
            return s * (1.0 - s)
    raise ValueError(f"unknown operation {op!r}")


#: Common wrong local derivatives, by operation (only for a child in one operand slot):
#: a product's own factor or 1 for the other factor, the power rule without n or without
#: lowering the exponent, −cos for sin′, +sin for cos′, v for ln′ = 1/v.
SLIPS: Mapping[str, tuple[str, ...]] = {
    "mul": ("same_factor", "product_as_sum"),
    "pow": ("power_no_n", "power_not_reduced"),
    "sin": ("sin_minus_cos",),
    "cos": ("cos_plus_sin",),
    "ln": ("ln_not_inverse",),
    "max": ("max_swapped",),
}


def slip(name: str, args: Sequence[float], position: int) -> float:
    """The value of the wrong local derivative ``name`` (see :data:`SLIPS`) of an operation on
    ``args`` with respect to ``args[position]``."""
    a = np.float64(args[position])
    with np.errstate(all="ignore"):
        if name == "same_factor":
            return float(a)
        if name == "product_as_sum":
            return 1.0
        if name == "power_no_n":
            return float(np.power(a, np.float64(args[1]) - 1.0))
        if name == "power_not_reduced":
            return float(np.float64(args[1]) * np.power(a, np.float64(args[1])))
        if name == "sin_minus_cos":
            return float(-np.cos(a))
        if name == "cos_plus_sin":
            return float(np.sin(a))
        if name == "ln_not_inverse":
            return float(a)
        if name == "max_swapped":  # 1 for the smaller argument, 0 for the larger
            return 1.0 - partial("max", args, position)
    raise ValueError(f"unknown slip {name!r}")


def partial_text(op: str, operands: Sequence[str], position: int) -> str:
    """The local derivative ∂ op / ∂ operands[position] as a formula in the operands' names."""
    a = operands[0]
    b = operands[1] if len(operands) > 1 else ""
    if op == "add":
        return "1"
    if op == "sub":
        return "1" if position == 0 else f"{MINUS}1"
    if op == "mul":
        return b if position == 0 else a
    if op == "div":
        return f"1/{b}" if position == 0 else f"{MINUS}{a}/{b}^2"
    if op == "max":
        me, other = (a, b) if position == 0 else (b, a)
        return f"[{me} {'≥' if position == 0 else '>'} {other}]"  # an Iverson bracket: 1 where it holds, else 0
    if op == "pow":
        if position == 1:
            return f"e^{b}" if a == "e" else f"{a}^{b}·ln({a})"
        return f"{b}·{a}^({b} {MINUS} 1)"
    return {"neg": f"{MINUS}1", "exp": f"exp({a})", "ln": f"1/{a}", "sqrt": f"1/(2·√({a}))", "sin": f"cos({a})",
            "cos": f"{MINUS}sin({a})", "tanh": f"1 {MINUS} tanh({a})^2",
            "sigmoid": f"σ({a})·(1 {MINUS} σ({a}))"}[op]


def number_text(value: float) -> str:
    """A float as a student writes it: 2 rather than 2.0, − for minus."""
    text = str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(value))
    return text.replace("-", MINUS)


# -- the computational graph --------------------------------------------------------------

@dataclass(frozen=True)
class Operand:
    """One operand of a node: another node (``node`` ≥ 1) or a folded constant (``node == 0``)."""

    node: int
    value: float
    text: str


@dataclass(frozen=True)
class Node:
    """A vertex vₖ of the graph: an input (``op == "input"``) or one operation on its operands."""

    index: int
    op: str
    operands: tuple[Operand, ...]
    text: str
    name: str = ""

    @property
    def key(self) -> str:
        return f"v{self.index}"

    @cached_property
    def symbol(self) -> str:
        return "v" + subscript(str(self.index))

    def children(self) -> tuple[int, ...]:
        """Distinct operand nodes, in operand order: the tails of this node's edges."""
        return self._children

    @cached_property
    def _children(self) -> tuple[int, ...]:
        seen: list[int] = []
        for o in self.operands:
            if o.node and o.node not in seen:
                seen.append(o.node)
        return tuple(seen)

    def value(self, child_values: Mapping[int, float]) -> float:
        """vₖ from the values of its child nodes."""
        return apply(self.op, [child_values[o.node] if o.node else o.value for o in self.operands])

    def edge(self, child: int, child_values: Mapping[int, float]) -> float:
        """∂vₖ/∂v_child: the sum of partials over every operand slot holding that child."""
        args = [child_values[o.node] if o.node else o.value for o in self.operands]
        return sum(partial(self.op, args, i) for i, o in enumerate(self.operands) if o.node == child)

    def slips(self, child: int) -> tuple[str, ...]:
        """The names of the common wrong derivatives ∂vₖ/∂v_child (:data:`SLIPS`): only for a child in
        one operand slot, and for a power only in its base."""
        slots = [i for i, o in enumerate(self.operands) if o.node == child]
        if len(slots) != 1 or (self.op == "pow" and slots[0] != 0):
            return ()
        return SLIPS.get(self.op, ())

    def slip(self, name: str, child: int, child_values: Mapping[int, float]) -> float:
        """The wrong derivative ``name`` of vₖ with respect to v_child (one of :meth:`slips`)."""
        args = [child_values[o.node] if o.node else o.value for o in self.operands]
        position = next(i for i, o in enumerate(self.operands) if o.node == child)
        return slip(name, args, position)

    def edge_text(self, child: int, names: Mapping[int, str]) -> str:
        """∂vₖ/∂v_child as a formula in node names (vⱼ) and constants."""
        texts = [names[o.node] if o.node else _atomic(o.text) for o in self.operands]
        slots = [i for i, o in enumerate(self.operands) if o.node == child]
        if self.op == "mul" and len(slots) == 2:
            return f"2·{texts[0]}"
        if self.op == "pow" and slots == [0] and not self.operands[1].node:
            return _power_rule(self.operands[1].value, texts[0])
        return " + ".join(partial_text(self.op, texts, i) for i in slots)

    def formula_text(self, names: Mapping[int, str]) -> str:
        """vₖ as a formula in node names and constants, e.g. ``v₁·v₂``."""
        if self.op == "input":
            return self.name
        texts = [names[o.node] if o.node else _atomic(o.text) for o in self.operands]
        if self.op in _SHOWN:
            return f"{_SHOWN[self.op]}({texts[0]})"
        if self.op == "neg":
            return MINUS + texts[0]
        if self.op == "max":
            return f"max({texts[0]}, {texts[1]})"
        sign = {"add": " + ", "sub": f" {MINUS} ", "mul": "·", "div": "/", "pow": "^"}[self.op]
        return texts[0] + sign + texts[1]


@dataclass(frozen=True)
class ExprGraph:
    """The computational graph of an expression: nodes v₁ … vₙ in evaluation order, the last is f."""

    text: str
    variables: tuple[str, ...]
    nodes: tuple[Node, ...]
    output_index: int

    @property
    def output(self) -> Node:
        """The node whose value is f (the last operation, or the input itself for f = x)."""
        return self.nodes[self.output_index - 1]

    def node(self, index: int) -> Node:
        return self.nodes[index - 1]

    def parents(self, index: int) -> tuple[int, ...]:
        """Nodes that use vᵢ directly, in increasing order."""
        return self._parents.get(index, ())

    @cached_property
    def _parents(self) -> Mapping[int, tuple[int, ...]]:
        out: dict[int, list[int]] = {}
        for n in self.nodes:
            for c in n.children():
                out.setdefault(c, []).append(n.index)
        return {i: tuple(ps) for i, ps in out.items()}

    def paths(self, index: int, limit: int) -> tuple[tuple[int, ...], ...] | None:
        """Every path vᵢ → … → f as node indices (vᵢ first), in order of the parents taken;
        None when there are more than ``limit``."""
        out: list[tuple[int, ...]] = []

        def walk(path: tuple[int, ...]) -> bool:
            last = path[-1]
            if last == self.output_index:
                out.append(path)
                return len(out) <= limit
            return all(walk(path + (p,)) for p in self.parents(last))

        return tuple(out) if walk((index,)) else None


def variables_of(tree: Expr) -> tuple[str, ...]:
    """Variable names in order of first appearance."""
    found: list[str] = []

    def walk(t: Expr) -> None:
        if isinstance(t, Var):
            if t.name not in found:
                found.append(t.name)
        elif isinstance(t, Op):
            for a in t.args:
                walk(a)

    walk(tree)
    return tuple(found)


def build_graph(text: str, variables: Sequence[str] | None = None) -> ExprGraph:
    """Parse ``text`` and build its graph; input nodes follow ``variables`` (default: first use)."""
    return graph_of(parse(text, variables or ()), variables)


def graph_of(tree: Expr, variables: Sequence[str] | None = None) -> ExprGraph:
    """The graph of a parsed expression; input nodes follow ``variables`` (default: first use)."""
    used = variables_of(tree)
    order = tuple(variables) if variables is not None else used
    missing = [v for v in used if v not in order]
    if missing:
        raise ExprError(f"no input for variable {missing[0]!r}")
    if not used:
        raise ExprError("the expression has no variables: there is nothing to differentiate")
    nodes: list[Node] = [Node(i, "input", (), name, name) for i, name in enumerate(order, start=1)]
    index_of: dict[Expr, int] = {Var(name): i for i, name in enumerate(order, start=1)}

    def visit(t: Expr) -> Operand:
        if isinstance(t, Num):
            return Operand(0, t.value, t.text)
        if t in index_of:
            return Operand(index_of[t], 0.0, show(t))
        operands = tuple(visit(a) for a in t.args)
        if all(o.node == 0 for o in operands):  # no variable below: fold into a constant
            value = apply(t.op, [o.value for o in operands])
            if not np.isfinite(value):
                raise ExprError(f"the constant part {show(t)} at {_where(t.pos)['en']} is not a finite number", t.pos)
            return Operand(0, value, show(t))
        node = Node(len(nodes) + 1, t.op, operands, show(t))
        nodes.append(node)
        index_of[t] = node.index
        return Operand(node.index, 0.0, node.text)

    top = visit(tree)
    return ExprGraph(show(tree), order, tuple(nodes), top.node)


def _atomic(text: str) -> str:
    return text if re.fullmatch(r"[0-9.eE+]+|[A-Za-z_][A-Za-z0-9_]*|π", text) else f"({text})"


def _power_rule(c: float, base: str) -> str:
    """d(b^c)/db for a constant c, simplified: 2·b, 3·b^2, 0.5·b^(−0.5)."""
    if c == 0:
        return "0"
    if c == 1:
        return "1"
    coef = number_text(c)
    coef = f"({coef})" if c < 0 else coef
    e = c - 1
    if e == 1:
        return f"{coef}·{base}"
    exp = number_text(e)
    exp = exp if e > 0 and re.fullmatch(r"[0-9]+", exp) else f"({exp})"
    return f"{coef}·{base}^{exp}"
