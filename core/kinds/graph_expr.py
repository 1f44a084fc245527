"""Scalar computational graph of an expression: node values, edge derivatives, reverse mode.

The lesson gives f as text (``x^2 + x*y + (x + y)^2``) and a value for each variable.
Nodes v₁ … vₙ: the inputs in the order the values are listed, then one node per
operation in evaluation order (see :mod:`nntutor.core.expr`, which reads f with the answer
parser; shared sub-expressions are one node, constants are folded into the operation that uses them).
Edges: ∂vₖ/∂vⱼ for each operand vⱼ of vₖ (the local derivative).
Reverse mode: ∂f/∂vₙ = 1, ∂f/∂vⱼ = Σ over nodes k using vⱼ of ∂f/∂vₖ·∂vₖ/∂vⱼ,
which equals the sum over all paths from vⱼ to f of the product of edge derivatives.
All values are scalars (0-d arrays).

``max(a, b)`` and the second derivatives (``hessian = true``: ∂²f/∂x∂y) are read and worked out in
:mod:`nntutor.core.kinds.graph_second`.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np

from ..answers import RESERVED_NAMES
from ..expr import MINUS, ExprError, ExprGraph, Node, graph_of, variables_of
from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import subscript
from . import DataError, FieldDoc, Kind, NameDoc, read_number, reject_unknown
from .graph_second import PLACEHOLDER, hessian_entry, parse_with_max

_TOP = {"kind", "expression", "values", "hessian"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_RESERVED = re.compile(r"^(f|v\d+|max)$", re.IGNORECASE)
_SYMBOL_TEXT = 40  # longer sub-expressions are shortened in symbols (meanings keep them whole)
_MAX_PATHS = 8  # ∂f/∂x names a forgotten whole path only while the paths are few enough to list


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    text = data.get("expression")
    if not isinstance(text, str) or not text.strip():
        raise DataError(f"{path}.expression", 'missing: the function as text, e.g. "x^2 + x*y"')
    values = _read_values(data, path)
    try:
        tree = parse_with_max(text, tuple(values))
    except ExprError as exc:
        raise DataError(f"{path}.expression", str(exc)) from None
    used = variables_of(tree)
    if not used:
        raise DataError(f"{path}.expression", "the expression has no variables: there is nothing to differentiate")
    for name in used:
        if name not in values:
            if len(name) > 1 and all(ch in values for ch in name):  # "xy" meant as x times y
                raise DataError(f"{path}.expression", f"{name!r} is one variable name here: "
                                                      f"for a product write {'*'.join(name)}")
            raise DataError(f"{path}.values", f"no value for {name!r}, which the expression uses")
    for name in values:
        if name not in used:
            raise DataError(f"{path}.values.{name}", "the expression does not use this variable")
    try:
        graph = graph_of(tree, tuple(values))
    except ExprError as exc:
        raise DataError(f"{path}.expression", str(exc)) from None

    b = ProblemBuilder("graph_expr")
    for name, value in values.items():
        b.given(name, value, _var_symbol(name), {"en": f"the value of {name}", "ru": f"значение {name}"})
    _forward(b, graph)
    _edges(b, graph)
    _reverse(b, graph)
    hessian = data.get("hessian", False)
    if not isinstance(hessian, bool):
        raise DataError(f"{path}.hessian", f"must be true or false, got {hessian!r}"[:120])
    if hessian:
        _second(b, graph)
    _conventions(b, graph)
    problem = b.build()
    _check_finite(problem)
    return problem


def _read_values(data: Mapping[str, Any], path: str) -> dict[str, float]:
    raw = data.get("values")
    field = f"{path}.values"
    if not isinstance(raw, Mapping) or not raw:
        raise DataError(field, "missing: a table giving each variable a number, e.g. values = { x = 1, y = 2 }")
    out: dict[str, float] = {}
    for name in raw:
        if not isinstance(name, str) or not _NAME.match(name) or name.lower() in RESERVED_NAMES:
            raise DataError(f"{field}.{name}", "not a variable name (letters, digits and _, "
                                               "starting with a letter; not e, pi or a function name)")
        twin = next((other for other in out if other.lower() == name.lower()), None)
        if twin is not None:
            raise DataError(f"{field}.{name}", f"the expression reads names ignoring case, so this is "
                                               f"the same variable as {twin}: rename one of them")
        if _RESERVED.match(name) or PLACEHOLDER.match(name):
            raise DataError(f"{field}.{name}", "this name is taken by the graph (f is the function, "
                                               "v1, v2, … are its nodes, max a function): rename the variable")
        out[name] = read_number(raw, name, field)
    return out


def _names(graph: ExprGraph) -> dict[int, str]:
    return {n.index: n.symbol for n in graph.nodes}


def _forward(b: ProblemBuilder, graph: ExprGraph) -> None:
    names = _names(graph)
    for n in graph.nodes:
        sym = f"{n.symbol} = {_short(n.text)}"
        if n.op == "input":
            b.derived(n.key, lambda x: np.asarray(x, dtype=np.float64) * 1.0, [n.name], sym,
                      {"en": f"node {n.symbol}: the input {n.name}", "ru": f"вершина {n.symbol}: вход {n.name}"},
                      "forward", f"{n.symbol} = {n.name}")
            continue
        kids = n.children()
        b.derived(n.key, _node_value(n, kids), [f"v{j}" for j in kids], sym,
                  {"en": f"node {n.symbol}: the value of {n.text}", "ru": f"вершина {n.symbol}: значение {n.text}"},
                  "forward", f"{n.symbol} = {n.formula_text(names)}")
    out = graph.output
    b.derived("f", lambda v: np.asarray(v, dtype=np.float64) * 1.0, [out.key], "f",
              {"en": f"the value of f = {graph.text}", "ru": f"значение f = {graph.text}"},
              "forward", f"f = {out.symbol}")


def _edges(b: ProblemBuilder, graph: ExprGraph) -> None:
    names = _names(graph)
    for n in graph.nodes:
        kids = n.children()
        for j in kids:
            child = graph.node(j)

            formula = f"{_edge_symbol(n, child)} = {n.edge_text(j, names)}"
            slips = [Mistake(name, tuple(f"v{c}" for c in kids), _slip_value(n, name, j, kids),
                             _slip_message(name, child.symbol, formula)) for name in n.slips(j)]
            b.derived(_edge_key(n.index, j), _edge_value(n, j, kids), [f"v{c}" for c in kids],
                      _edge_symbol(n, child),
                      {"en": f"the local derivative on the edge {child.symbol} → {n.symbol}: how {n.symbol} "
                             f"({n.text}) changes with {child.symbol} ({child.text})",
                       "ru": f"локальная производная на ребре {child.symbol} → {n.symbol}: как {n.symbol} "
                             f"({n.text}) меняется при изменении {child.symbol} ({child.text})"},
                      "backward", formula, slips)


def _reverse(b: ProblemBuilder, graph: ExprGraph) -> None:
    out = graph.output
    for n in reversed(graph.nodes):
        sym = _adj_symbol(n)
        meaning = {"en": f"the adjoint of {n.symbol}: the derivative of f with respect to node {n.symbol} ({n.text})",
                   "ru": f"сопряжённая величина для {n.symbol}: производная f по вершине {n.symbol} ({n.text})"}
        if n.index == out.index:
            b.derived(_adj_key(n.index), lambda: np.float64(1.0), [], sym, meaning, "backward", f"{sym} = 1")
            continue
        deps, formula = _adjoint_terms(graph, n)
        b.derived(_adj_key(n.index), _sum_of_products, deps, sym, meaning, "backward", formula,
                  _adjoint_mistakes(graph, n))
    for name in graph.variables:
        i = graph.variables.index(name) + 1
        b.derived(f"grad.{name}", lambda a: np.asarray(a, dtype=np.float64) * 1.0, [_adj_key(i)],
                  f"∂f/∂{_var_symbol(name)}",
                  {"en": f"the partial derivative of f with respect to {name}",
                   "ru": f"частная производная f по {name}"},
                  "backward", f"∂f/∂{_var_symbol(name)} = ∂f/∂v{subscript(str(i))}",
                  _partial_mistakes(graph, name, i))


# -- mistakes in the backward pass ------------------------------------------------------------

_SLIPS = {
    "same_factor": {
        "en": "You took the factor {child} itself; the derivative of a product by one factor is the other "
              "factor: {formula}.",
        "ru": "Вы взяли сам множитель {child}, а производная произведения по одному множителю — другой "
              "множитель: {formula}."},
    "product_as_sum": {
        "en": "1 is the derivative of a sum; the derivative of a product by one factor is the other factor: "
              "{formula}.",
        "ru": "1 — производная суммы, а производная произведения по одному множителю — другой множитель: "
              "{formula}."},
    "power_no_n": {
        "en": "You forgot the factor n of the power rule ∂(vⁿ)/∂v = n·v^(n−1): {formula}.",
        "ru": "Вы забыли множитель n в правиле ∂(vⁿ)/∂v = n·v^(n−1): {formula}."},
    "power_not_reduced": {
        "en": "You did not lower the exponent by one: ∂(vⁿ)/∂v = n·v^(n−1), so {formula}.",
        "ru": "Вы не уменьшили показатель на единицу: ∂(vⁿ)/∂v = n·v^(n−1), поэтому {formula}."},
    "sin_minus_cos": {
        "en": "The derivative of sin is +cos (it is cos whose derivative is −sin): {formula}.",
        "ru": "Производная sin равна +cos (это у cos производная −sin): {formula}."},
    "cos_plus_sin": {
        "en": "The derivative of cos is −sin, with a minus: {formula}.",
        "ru": "Производная cos равна −sin, с минусом: {formula}."},
    "ln_not_inverse": {
        "en": "The derivative of ln v is 1/v, not v: {formula}.",
        "ru": "Производная ln v равна 1/v, а не v: {formula}."},
    "max_swapped": {
        "en": "max passes the derivative to the argument that wins, the larger one ({child} only if it is that "
              "one): {formula}.",
        "ru": "max передаёт производную тому аргументу, который больше ({child} — только если больше он): "
              "{formula}."},
}


def _slip_message(name: str, child: str, formula: str) -> dict[str, str]:
    return {lang: text.format(child=child, formula=formula) for lang, text in _SLIPS[name].items()}


def _adjoint_terms(graph: ExprGraph, n: Node) -> tuple[list[str], str]:
    """The deps (adj_p, ∂v_p/∂vₙ, … per parent p) of ∂f/∂vₙ and its formula."""
    deps: list[str] = []
    terms: list[str] = []
    for p in graph.parents(n.index):
        deps += [_adj_key(p), _edge_key(p, n.index)]
        terms.append(f"{_adj_symbol(graph.node(p))}·{_edge_symbol(graph.node(p), n)}")
    return deps, f"{_adj_symbol(n)} = {' + '.join(terms) or '0'}"


def _adjoint_mistakes(graph: ExprGraph, n: Node) -> list[Mistake]:
    """∂f/∂vₙ without the adjoints (the edge derivatives alone), and, with several parents,
    with one parent's path left out (one mistake per parent)."""
    deps, formula = _adjoint_terms(graph, n)
    if not deps:
        return []
    parents = graph.parents(n.index)
    out = [Mistake("no_upstream", tuple(deps), lambda *v: np.float64(sum(map(float, v[1::2]))), {
        "en": f"You forgot to multiply each edge derivative by the adjoint of the node it leads to (chain rule): "
              f"{formula}.",
        "ru": f"Вы не умножили производные на рёбрах на сопряжённые величины вершин, в которые они ведут "
              f"(цепное правило): {formula}."})]
    if len(parents) > 1:
        for k, p in enumerate(parents):
            out.append(Mistake("missing_path", tuple(deps),
                               lambda *v, k=k: _sum_of_products(*v[:2 * k], *v[2 * k + 2:]), {
                                   "en": f"You left out the path through {graph.node(p).symbol}: {formula}.",
                                   "ru": f"Вы пропустили путь через {graph.node(p).symbol}: {formula}."}))
    return out


def _partial_mistakes(graph: ExprGraph, name: str, i: int) -> list[Mistake]:
    """∂f/∂x with only the direct edge into f, with a parent's paths left out, or one whole path left out."""
    node, out_node = graph.node(i), graph.output
    total = f"∂f/∂{_var_symbol(name)}"
    mistakes: list[Mistake] = []
    if out_node.index != i and i in out_node.children():
        edge = _edge_key(out_node.index, i)
        mistakes.append(Mistake("direct_only", (edge,), lambda d: np.float64(d), {
            "en": f"You kept only the direct edge {_edge_symbol(out_node, node)}; {name} also reaches f through "
                  f"other nodes, and {total} sums the edge products over every path from {node.symbol} to f.",
            "ru": f"Вы оставили только прямое ребро {_edge_symbol(out_node, node)}, но {name} влияет на f и через "
                  f"другие вершины, а {total} — сумма произведений по всем путям от {node.symbol} до f."}))
    mistakes += [v for v in _adjoint_mistakes(graph, node) if v.name == "missing_path"]
    paths = graph.paths(i, _MAX_PATHS)
    if paths is not None and len(paths) > len(graph.parents(i)):  # some parent has several paths
        keys = sorted({_edge_key(b_, a_) for path in paths for a_, b_ in zip(path, path[1:])})
        at = {k: n for n, k in enumerate(keys)}
        routes = [[at[_edge_key(b_, a_)] for a_, b_ in zip(path, path[1:])] for path in paths]

        def without(*edges, skip):
            return np.float64(sum(float(np.prod([float(edges[e]) for e in r])) for n, r in enumerate(routes)
                                  if n != skip))

        for k, path in enumerate(paths):
            shown = " → ".join(graph.node(j).symbol for j in path)
            mistakes.append(Mistake("missing_path", tuple(keys), lambda *e, k=k: without(*e, skip=k), {
                "en": f"You left out the path {shown}: {total} sums the edge products over all {len(paths)} paths "
                      f"from {node.symbol} to f.",
                "ru": f"Вы пропустили путь {shown}: {total} — сумма произведений по всем {len(paths)} путям "
                      f"от {node.symbol} до f."}))
    return mistakes


# -- second derivatives ------------------------------------------------------------------------

def _second(b: ProblemBuilder, graph: ExprGraph) -> None:
    """hess.{x}.{y} = ∂²f/∂x∂y for every pair of variables, x not after y in the values' order."""
    names = graph.variables
    for i, x in enumerate(names, start=1):
        for j, y in enumerate(names[i - 1:], start=i):
            sx, sy = _var_symbol(x), _var_symbol(y)
            sym = f"∂²f/∂{sx}²" if i == j else f"∂²f/∂{sx}∂{sy}"
            meaning = ({"en": f"the second derivative of f with respect to {x}",
                        "ru": f"вторая производная f по {x}"} if i == j else
                       {"en": f"the mixed second derivative of f with respect to {x} and {y} (a Hessian entry)",
                        "ru": f"смешанная вторая производная f по {x} и {y} (элемент матрицы Гессе)"})
            formula = f"{sym} = ∂(∂f/∂{sy})/∂{sx}"  # ∂²f/∂x∂y = ∂/∂x (∂f/∂y)
            b.derived(f"hess.{x}.{y}", _hessian(graph, i, j, True), list(names), sym, meaning, "backward",
                      formula, _second_mistakes(graph, x, y, i, j, formula))


def _hessian(graph: ExprGraph, i: int, j: int, local_second: bool):
    def fn(*inputs):
        return np.float64(hessian_entry(graph, [float(v) for v in inputs], i, j, local_second=local_second))
    return fn


def _second_mistakes(graph: ExprGraph, x: str, y: str, i: int, j: int, formula: str) -> list[Mistake]:
    names = tuple(graph.variables)
    sx, sy = _var_symbol(x), _var_symbol(y)
    out = [Mistake("second_local_constant", names, _hessian(graph, i, j, False), {
        "en": f"You treated every local derivative as a constant. They depend on the inputs too: "
              f"differentiate ∂f/∂{sy} (a sum of products of local derivatives) with respect to {sx}, "
              f"by the product rule: {formula}.",
        "ru": f"Вы считали все локальные производные константами, а они тоже зависят от входов: "
              f"продифференцируйте ∂f/∂{sy} (сумму произведений локальных производных) по {sx} "
              f"по правилу произведения: {formula}."})]
    out.append(Mistake("second_product_of_firsts", (f"grad.{x}", f"grad.{y}"),
                       lambda gx, gy: np.float64(float(gx) * float(gy)), {
        "en": f"That is ∂f/∂{sx}·∂f/∂{sy}, a product of first derivatives. A second derivative "
              f"differentiates once more: {formula}.",
        "ru": f"Это ∂f/∂{sx}·∂f/∂{sy} — произведение первых производных. Вторая производная — "
              f"производная ещё раз: {formula}."}))
    return out


def _conventions(b: ProblemBuilder, graph: ExprGraph) -> None:
    inputs = ", ".join(f"v{subscript(str(i))} = {v}" for i, v in enumerate(graph.variables, start=1))
    b.convention("nodes", {
        "en": f"nodes: {inputs} are the inputs; then one node per operation, numbered in the order "
              f"it is computed (inner operations first, left before right). A sub-expression that "
              f"appears twice is one node; constants are not nodes.",
        "ru": f"вершины: {inputs} — входы; дальше по одной вершине на операцию, в порядке вычисления "
              f"(сначала внутренние, слева направо). Повторяющееся подвыражение — одна вершина; "
              f"константы вершинами не считаются.",
    })
    b.convention("reverse", {
        "en": "reverse mode: ∂f/∂f = 1; the adjoint ∂f/∂vⱼ is the sum, over the nodes vₖ that use vⱼ, "
              "of ∂f/∂vₖ·∂vₖ/∂vⱼ (the same as summing edge products over all paths from vⱼ to f)",
        "ru": "обратный режим: ∂f/∂f = 1; ∂f/∂vⱼ — сумма по вершинам vₖ, использующим vⱼ, "
              "произведений ∂f/∂vₖ·∂vₖ/∂vⱼ (то же, что сумма произведений по всем путям от vⱼ до f)",
    })
    ops = {n.op for n in graph.nodes}
    if "max" in ops:
        b.convention("max", {
            "en": "max(a, b): its local derivative is 1 on the edge from the larger argument and 0 from the "
                  "smaller; at a tie (a = b) the first argument a gets 1 and b gets 0",
            "ru": "max(a, b): локальная производная равна 1 на ребре от большего аргумента и 0 от меньшего; "
                  "при равенстве (a = b) единицу получает первый аргумент a, а b — ноль",
        })
    if "ln" in ops or "sigmoid" in ops:
        b.convention("functions", {
            "en": f"ln is the natural logarithm; σ(t) = 1/(1 + e^({MINUS}t))",
            "ru": f"ln — натуральный логарифм; σ(t) = 1/(1 + e^({MINUS}t))",
        })


def _check_finite(problem: Problem) -> None:
    key = problem.first_non_finite()
    if key is not None:
        q = problem.quantities[key]
        raise DataError("problem.values", f"{q.symbol} ({q.formula}) is not a finite number at these "
                                          f"values: choose other values or another expression")


# -- small pieces -------------------------------------------------------------------------

def _node_value(n: Node, kids: tuple[int, ...]):
    def fn(*vals):
        return np.float64(n.value(dict(zip(kids, map(float, vals)))))
    return fn


def _edge_value(n: Node, j: int, kids: tuple[int, ...]):
    def fn(*vals):
        return np.float64(n.edge(j, dict(zip(kids, map(float, vals)))))
    return fn


def _slip_value(n: Node, name: str, j: int, kids: tuple[int, ...]):
    def fn(*vals):
        return np.float64(n.slip(name, j, dict(zip(kids, map(float, vals)))))
    return fn


def _sum_of_products(*vals):
    """adj_p₁·d₁ + adj_p₂·d₂ + … from the flat list (adj_p₁, d₁, adj_p₂, d₂, …)."""
    return np.float64(sum(float(vals[i]) * float(vals[i + 1]) for i in range(0, len(vals), 2)))


def _edge_key(k: int, j: int) -> str:
    return f"d.v{k}.v{j}"


def _adj_key(k: int) -> str:
    return f"adj.v{k}"


def _edge_symbol(n: Node, child: Node) -> str:
    return f"∂{n.symbol}/∂{child.symbol}"


def _adj_symbol(n: Node) -> str:
    return f"∂f/∂{n.symbol}"


def _var_symbol(name: str) -> str:
    m = re.fullmatch(r"([A-Za-z]+)(\d+)", name)
    return m[1] + subscript(m[2]) if m else name


def _short(text: str) -> str:
    return text if len(text) <= _SYMBOL_TEXT else text[: _SYMBOL_TEXT - 1] + "…"


KIND = Kind(
    name="graph_expr",
    summary="A scalar computational graph drawn from a formula: node values, edge derivatives, "
            "reverse-mode adjoints and the partial derivatives of f.",
    fields=(
        FieldDoc("expression", True,
                 'f as text, e.g. "x^2 + x*y + (x + y)^2" or "sin(x1) + x1*x2", read like a student\'s '
                 "formula: + − * / ^ (or **), parentheses, numbers (0.5 or 0,5), the constants e and π, "
                 "variables, and exp, ln (log), sqrt (√), sin, cos, tanh, sigmoid (σ) with parentheses, "
                 "max(a, b) with two arguments (a tie sends the derivative to a); "
                 "write every product with * (xy is one name, 2x and x y are refused); names ignore case; "
                 "at most 500 characters"),
        FieldDoc("values", True,
                 "a table with a number for every variable of the expression, e.g. { x = 1, y = 2 }; "
                 "its order numbers the input nodes v1, v2, …; names are letters, digits and _ "
                 "(not e, pi, a function name, f or v1, v2, …; x and X are one name)"),
        FieldDoc("hessian", False,
                 "true adds the second derivatives hess.{x}.{y} = ∂²f/∂x∂y for every pair of variables "
                 "(default false)"),
    ),
    build=build,
    names=(
        NameDoc("x, y, … (each variable)", "givens: the variables' values"),
        NameDoc("v{k}", "the value of node k: the inputs first (v1 = the first variable listed), then one "
                        "node per operation in evaluation order (inner first, left before right); a "
                        "repeated sub-expression is one node; the teacher's key lists each node's formula"),
        NameDoc("f", "the value of the function (the last node)"),
        NameDoc("d.v{k}.v{j}", "∂v_k/∂v_j, the local derivative on the edge from node j to node k"),
        NameDoc("adj.v{k}", "∂f/∂v_k, the adjoint of node k in reverse mode (adj of the last node is 1)"),
        NameDoc("grad.{x}", "∂f/∂x for each variable x (equal to the adjoint of its input node)"),
        NameDoc("hess.{x}.{y}", "with hessian = true: ∂²f/∂x∂y for variables x, y, x not listed after y "
                                "(hess.x.x is ∂²f/∂x²)"),
    ),
)
