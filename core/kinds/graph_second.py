"""Two additions to the computational-graph kind: ``max(a, b)`` in the expression, and second
derivatives (Hessian entries ∂²f/∂x∂y).

``max``. The answer grammar of :mod:`nntutor.core.answers` has one-argument functions only (a
comma inside parentheses is refused there, as it may be a decimal comma). :func:`parse_with_max`
cuts each ``max(A, B)`` out of the text, reads A and B on their own with :func:`nntutor.core.expr.parse`
(recursively: they may hold max too), reads the rest with a placeholder variable in its place and
puts ``Op("max", (A, B))`` back into the tree. Its value and local derivatives are
:func:`nntutor.core.expr.apply` and :func:`~nntutor.core.expr.partial`: 1 on the edge from the larger
argument, 0 from the smaller, and at a tie 1 from the **first** argument (a convention, stated).

Second derivatives: forward mode over reverse mode on the graph. Seeding the tangent of the input
y (tₖ = ∂vₖ/∂y), each adjoint aⱼ = ∂f/∂vⱼ gets a tangent

    ȧⱼ = Σₖ [ ȧₖ·∂vₖ/∂vⱼ + aₖ·Σᵢ ∂²vₖ/∂vⱼ∂vᵢ·tᵢ ]

(sum over the nodes vₖ that use vⱼ and their operands vᵢ), and ∂²f/∂x∂y is ȧ of the input x.
:func:`second_partial` is ∂²op/∂argₚ∂arg_q of one operation. With ``local_second=False`` the second
partials are taken as 0: the value a student gets who treats every local derivative as a constant.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

import numpy as np

from ..expr import MAX_NODES, ExprError, ExprGraph, Op, Var, parse, partial as _partial
from ..ops import sigmoid

_MAX_CALL = re.compile(r"(?<![A-Za-z0-9_])max\s*\(", re.IGNORECASE)
PLACEHOLDER = re.compile(r"^_max\d+$", re.IGNORECASE)
_MAX_CALLS = 20


def parse_with_max(text: str, variables: Sequence[str]):
    """The syntax tree of ``text`` with ``max(a, b)`` calls (see the module docstring). Raises ExprError."""
    calls = [0]

    def read(t: str):
        parts: list[str] = []
        subs: dict[str, object] = {}
        i = 0
        while (m := _MAX_CALL.search(t, i)) is not None:
            calls[0] += 1
            if calls[0] > _MAX_CALLS:
                raise ExprError(f"too many max(…) calls (at most {_MAX_CALLS})")
            depth, j, comma = 1, m.end(), []
            while j < len(t) and depth:
                ch = t[j]
                depth += (ch == "(") - (ch == ")")
                if ch == "," and depth == 1:
                    comma.append(j)
                j += 1
            if depth:
                raise ExprError(f"max( at character {m.start() + 1} is never closed")
            if len(comma) != 1:
                raise ExprError(f"max at character {m.start() + 1} takes two arguments separated by one comma: "
                                "max(a, b) (write decimals with a point)")
            name = f"_max{len(subs)}"
            try:
                subs[name] = Op("max", (read(t[m.end():comma[0]]), read(t[comma[0] + 1:j - 1])), m.start())
            except ExprError as exc:
                raise ExprError(f"inside max(…) at character {m.start() + 1}: {exc.message}") from None
            parts += [t[i:m.start()], f" {name} "]
            i = j
        parts.append(t[i:])
        tree = parse("".join(parts), tuple(variables) + tuple(subs))
        return _put_back(tree, subs) if subs else tree

    tree = read(text)
    if _size(tree) > MAX_NODES:
        raise ExprError(f"the expression is too big (more than {MAX_NODES} numbers, names and operations)")
    return tree


def _put_back(t, subs: Mapping[str, object]):
    if isinstance(t, Var):
        return subs.get(t.name, t)
    if isinstance(t, Op):
        return Op(t.op, tuple(_put_back(a, subs) for a in t.args), t.pos)
    return t


def _size(t) -> int:
    return 1 + sum(_size(a) for a in t.args) if isinstance(t, Op) else 1


# -- second derivatives -------------------------------------------------------------------

def second_partial(op: str, args: Sequence[float], p: int, q: int) -> float:
    """∂² op(args) / ∂args[p] ∂args[q]."""
    a = np.float64(args[0])
    b = np.float64(args[1]) if len(args) > 1 else None
    with np.errstate(all="ignore"):
        if op in ("add", "sub", "neg", "max"):
            return 0.0
        if op == "mul":
            return 0.0 if p == q else 1.0
        if op == "div":
            if b == 0:
                return float("nan")
            if p == q == 0:
                return 0.0
            if p == q == 1:
                return float(2 * a / b ** 3)
            return float(-1 / b ** 2)
        if op == "pow":
            if p == q == 0:
                return float(b * (b - 1) * np.power(a, b - 2)) if b not in (0, 1) else 0.0
            if a <= 0:
                return float("nan")
            if p == q == 1:
                return float(np.power(a, b) * np.log(a) ** 2)
            return float(np.power(a, b - 1) * (1 + b * np.log(a)))
        if op == "exp":
            return float(np.exp(a))
        if op == "ln":
            return float(-1 / a ** 2) if a > 0 else float("nan")
        if op == "sqrt":
            return float(-0.25 * a ** -1.5) if a > 0 else float("nan")
        if op == "sin":
            return float(-np.sin(a))
        if op == "cos":
            return float(-np.cos(a))
        if op == "tanh":
            t = np.tanh(a)
            return float(-2 * t * (1 - t * t))
        if op == "sigmoid":
            s = float(sigmoid(np.asarray(a)))
            return s * (1 - s) * (1 - 2 * s)
    raise ValueError(f"unknown operation {op!r}")


def node_values(graph: ExprGraph, inputs: Sequence[float]) -> dict[int, float]:
    """Every node's value from the inputs' values (in the graph's variable order)."""
    vals: dict[int, float] = {i: float(v) for i, v in enumerate(inputs, start=1)}
    for n in graph.nodes:
        if n.op != "input":
            vals[n.index] = n.value(vals)
    return vals


def hessian_entry(graph: ExprGraph, inputs: Sequence[float], x: int, y: int, *, local_second: bool = True) -> float:
    """∂²f/∂vₓ∂v_y for input nodes x, y (forward over reverse; see the module docstring)."""
    vals = node_values(graph, inputs)
    tan = {i: float(i == y) for i in range(1, len(graph.variables) + 1)}
    for n in graph.nodes:
        if n.op != "input":
            args = _args(n, vals)
            tan[n.index] = sum(_partial(n.op, args, s) * tan[o.node] for s, o in enumerate(n.operands) if o.node)
    adj = {i: 0.0 for i in vals}
    dadj = {i: 0.0 for i in vals}
    adj[graph.output_index] = 1.0
    for n in reversed(graph.nodes):
        if n.op == "input":
            continue
        args = _args(n, vals)
        for s, o in enumerate(n.operands):
            if not o.node:
                continue
            d = _partial(n.op, args, s)
            adj[o.node] += adj[n.index] * d
            moved = 0.0
            if local_second:
                moved = sum(second_partial(n.op, args, s, r) * tan[u.node]
                            for r, u in enumerate(n.operands) if u.node)
            dadj[o.node] += dadj[n.index] * d + adj[n.index] * moved
    return dadj[x]


def _args(n, vals: Mapping[int, float]) -> list[float]:
    return [vals[o.node] if o.node else o.value for o in n.operands]
