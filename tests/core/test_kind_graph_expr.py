"""The graph_expr kind and its parser: hand-worked graphs, partials against finite differences,
adjoints against the sum over paths, and hostile text refused quickly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.expr import MAX_DEPTH, MAX_LENGTH, MAX_NODES, ExprError, build_graph, parse, show
from nntutor.core.kinds import DataError, build_problem
from tests.support import bounded


def problem(expression, **values):
    return build_problem({"kind": "graph_expr", "expression": expression, "values": values})


# -- hand-worked examples ------------------------------------------------------------------

def test_course_graph_x2_xy_xplusy2_worked_by_hand():
    # f(x, y) = x² + xy + (x + y)² at (x, y) = (1, 2):
    # v1 = x = 1, v2 = y = 2, v3 = x² = 1, v4 = x·y = 2, v5 = v3 + v4 = 3,
    # v6 = x + y = 3, v7 = v6² = 9, v8 = v5 + v7 = 12 = f.
    # edges: ∂v3/∂v1 = 2·v1 = 2; ∂v4/∂v1 = v2 = 2; ∂v4/∂v2 = v1 = 1; ∂v6/∂v1 = ∂v6/∂v2 = 1;
    #        ∂v7/∂v6 = 2·v6 = 6; every edge into a sum is 1.
    # adjoints: v8: 1; v7: 1; v5: 1; v6: 1·6 = 6; v4: 1; v3: 1;
    #   v2: v4 path 1·1 + v6 path 6·1 = 7;  v1: v3 path 1·2 + v4 path 1·2 + v6 path 6·1 = 10.
    # check: ∂f/∂x = 2x + y + 2(x + y) = 2 + 2 + 6 = 10;  ∂f/∂y = x + 2(x + y) = 1 + 6 = 7.
    v = problem("x^2 + x*y + (x + y)^2", x=1, y=2).evaluate()
    expect = {"v1": 1, "v2": 2, "v3": 1, "v4": 2, "v5": 3, "v6": 3, "v7": 9, "v8": 12, "f": 12,
              "d.v3.v1": 2, "d.v4.v1": 2, "d.v4.v2": 1, "d.v5.v3": 1, "d.v5.v4": 1, "d.v6.v1": 1,
              "d.v6.v2": 1, "d.v7.v6": 6, "d.v8.v5": 1, "d.v8.v7": 1,
              "adj.v8": 1, "adj.v7": 1, "adj.v6": 6, "adj.v5": 1, "adj.v4": 1, "adj.v3": 1,
              "adj.v2": 7, "adj.v1": 10, "grad.x": 10, "grad.y": 7}
    assert set(expect) <= set(v)
    for key, value in expect.items():
        assert float(v[key]) == value, key


def test_course_graph_has_the_drawn_nodes_and_no_others():
    p = problem("x^2 + x*y + (x + y)^2", x=1, y=2)
    nodes = [k for k in p.keys() if k[0] == "v"]
    symbols = [p.quantities[k].symbol for k in nodes]
    assert symbols == ["v₁ = x", "v₂ = y", "v₃ = x^2", "v₄ = x·y", "v₅ = x^2 + x·y", "v₆ = x + y",
                       "v₇ = (x + y)^2", "v₈ = x^2 + x·y + (x + y)^2"]
    edges = sorted(k for k in p.keys() if k.startswith("d."))
    assert len(edges) == 10
    assert p.quantities["d.v7.v6"].formula == "∂v₇/∂v₆ = 2·v₆"
    assert p.quantities["adj.v1"].formula == "∂f/∂v₁ = ∂f/∂v₃·∂v₃/∂v₁ + ∂f/∂v₄·∂v₄/∂v₁ + ∂f/∂v₆·∂v₆/∂v₁"


def test_sin_x1_plus_x1x2_reverse_mode_as_in_the_seed():
    # f(x1, x2) = sin x1 + x1·x2 at (1, 3): w1 = 1, w2 = 3, w3 = sin 1, w4 = 1·3 = 3, w5 = sin 1 + 3.
    # Dw5 = 1, Dw4 = 1, Dw3 = 1, Dw2 = Dw4·w1 = 1, Dw1 = Dw3·cos w1 + Dw4·w2 = cos 1 + 3.
    v = problem("sin(x1) + x1*x2", x1=1, x2=3).evaluate()
    assert float(v["v3"]) == pytest.approx(math.sin(1), rel=1e-15)
    assert float(v["v4"]) == 3
    assert float(v["f"]) == pytest.approx(math.sin(1) + 3, rel=1e-15)
    assert float(v["d.v3.v1"]) == pytest.approx(math.cos(1), rel=1e-15)
    assert (float(v["d.v4.v1"]), float(v["d.v4.v2"])) == (3, 1)
    assert [float(v[f"adj.v{k}"]) for k in (5, 4, 3, 2)] == [1, 1, 1, 1]
    assert float(v["adj.v1"]) == pytest.approx(math.cos(1) + 3, rel=1e-15)
    assert float(v["grad.x2"]) == 1


def test_shared_subexpression_is_one_node_and_its_adjoint_sums_both_uses():
    # f = sin(x)·y + sin(x) at x = 0, y = 5: v3 = sin x = 0 (one node), v4 = v3·y, v5 = v4 + v3.
    # ∂f/∂v3 = ∂f/∂v4·y + ∂f/∂v5·1 = 5 + 1 = 6; ∂f/∂x = 6·cos 0 = 6.
    p = problem("sin(x)*y + sin(x)", x=0, y=5)
    assert sorted(k for k in p.keys() if k[0] == "v") == ["v1", "v2", "v3", "v4", "v5"]
    v = p.evaluate()
    assert float(v["adj.v3"]) == 6 and float(v["grad.x"]) == 6 and float(v["grad.y"]) == 0


def test_override_feeds_downstream():
    # As if the student's rounded v3 = 0.84 were accepted: f uses it, the edge into v3 does not.
    p = problem("sin(x1) + x1*x2", x1=1, x2=3)
    v = p.evaluate({"v3": np.array(0.84)})
    assert float(v["f"]) == pytest.approx(3.84)
    assert float(v["d.v3.v1"]) == pytest.approx(math.cos(1))


@pytest.mark.parametrize("text, x, expect", [
    ("2 + 3*x^2", 4, 50), ("-x^2", 3, -9), ("2^3^x", 2, 512), ("x^-1", 4, 0.25), ("x**2/2", 3, 4.5),
    ("-2^x", 2, -4), ("2*-x", 3, -6), ("(x - 1) - 1", 5, 3), ("x - (1 - 1)", 5, 5), ("8/x/2", 2, 2),
    ("ln(exp(x))", 0.7, 0.7), ("log(x)", math.e, 1), ("σ(x) + sigmoid(-x)", 1.3, 1), ("x·x × x − x", 2, 6),
    ("tanh(x)", 0.5, math.tanh(0.5)), ("cos(x)", 0, 1), ("1e1*x + .5", 1, 10.5),
])
def test_precedence_and_functions(text, x, expect):
    assert float(problem(text, x=x).evaluate()["f"]) == pytest.approx(expect, rel=1e-14)


def test_printing_keeps_structure():
    for text in ["x - (y - z)", "(x + y)^2", "x^y^z", "(x^y)^z", "-(x*y)", "x/(y*z)", "(-x)^2", "x^(-1)",
                 "σ(x + 1)·2"]:
        again = show(parse(text))
        assert parse(again) == parse(text), (text, again)


# -- data errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("data, field, words", [
    ({"expression": "x*y", "values": {"x": 1}}, "problem.values", "no value for 'y'"),
    ({"expression": "xy", "values": {"x": 1, "y": 2}}, "problem.expression", "write x*y"),
    ({"expression": "x", "values": {"x": 1, "z": 2}}, "problem.values.z", "does not use"),
    ({"expression": "x", "values": {"x": "one"}}, "problem.values.x", "must be a number"),
    ({"expression": "f + v1", "values": {"f": 1, "v1": 2}}, "problem.values.f", "taken"),
    ({"expression": "2 + 3", "values": {"x": 1}}, "problem.expression", "no variables"),
    ({"expression": "sin x", "values": {"x": 1}}, "problem.expression", "parentheses"),
    ({"expression": "ln(x - 2)", "values": {"x": 1}}, "problem.values", "not a finite number"),
    ({"expression": "x/(y - y)", "values": {"x": 1, "y": 2}}, "problem.values", "not a finite number"),
    ({"expression": "x^0.5", "values": {"x": 0}}, "problem.values", "∂v₂/∂v₁"),
    ({"expression": "exp(exp(x))", "values": {"x": 10}}, "problem.values", "not a finite number"),
    ({"values": {"x": 1}}, "problem.expression", "missing"),
    ({"expression": "x"}, "problem.values", "missing"),
    ({"expression": "x", "values": {"x": 1}, "colour": 1}, "problem.colour", "unknown field"),
])
def test_bad_data_names_the_field(data, field, words):
    with pytest.raises(DataError) as info:
        build_problem({"kind": "graph_expr", **data})
    assert info.value.field == field
    assert words in info.value.message


HOSTILE = [
    "__import__('os')", "__import__('os').system('ls')", "().__class__", "x.__class__", "lambda: 0",
    "(" * 10000 + "x" + ")" * 10000, "(" * 60 + "x" + ")" * 60, "-" * 60 + "x", "x^" * 60 + "x",
    "1e999", "1" * 400, "9" * 20 + "*x", "9^9^9*x", "x" * (MAX_LENGTH + 1), "x+" * 150 + "x",
    "", "   ", "x +", "x)", "(x", "x;y", "x @ y", "x[0]", "'x'", "x\x00", "os.system", "exp", "exp()",
    "foo(x)", "2x", "x y",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:24]))
def test_hostile_text_is_refused_quickly_with_a_position(text):
    with pytest.raises(ExprError) as info:
        bounded(200_000, build_graph, text)  # work bounded by counting calls, however hostile (speed: bench)
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    assert 10 < len(message) < 300
    assert info.value.position >= 0 or any(w in message for w in ("too long", "empty", "no variables"))


def test_bounds_are_the_documented_ones():
    assert "at most 500" in str(pytest.raises(ExprError, build_graph, "x" * 501).value)
    assert build_graph("(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)).output.index == 1
    with pytest.raises(ExprError, match="nested too deeply"):
        build_graph("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH)
    n = (MAX_NODES + 1) // 2  # n variables and n − 1 additions
    build_graph("+".join(["x"] * n))
    with pytest.raises(ExprError, match="too big"):
        build_graph("+".join(["x"] * (n + 1)))


# -- random expressions: partials against finite differences, adjoints against paths ----------

VARS = ("x", "y", "z")


def _leaf():
    var = st.sampled_from(VARS).map(lambda v: (v, lambda e, v=v: e[v]))
    num = st.integers(1, 30).map(lambda k: (f"{k / 10:g}", lambda e, c=k / 10: c))
    return st.one_of(var, var, num)


def _extend(children):
    """Compound expressions as (text, python function); domains are guarded so every draw is defined."""
    two = st.tuples(children, children)
    return st.one_of(
        two.map(lambda ab: (f"({ab[0][0]}) + ({ab[1][0]})", lambda e, a=ab[0][1], b=ab[1][1]: a(e) + b(e))),
        two.map(lambda ab: (f"({ab[0][0]}) - ({ab[1][0]})", lambda e, a=ab[0][1], b=ab[1][1]: a(e) - b(e))),
        two.map(lambda ab: (f"({ab[0][0]})*({ab[1][0]})", lambda e, a=ab[0][1], b=ab[1][1]: a(e) * b(e))),
        two.map(lambda ab: (f"({ab[0][0]}) / (2 + sin({ab[1][0]}))",
                            lambda e, a=ab[0][1], b=ab[1][1]: a(e) / (2 + math.sin(b(e))))),
        st.tuples(children, st.sampled_from(["^2", "**3", "^-1"])).map(
            lambda cp: (f"(1.5 + sin({cp[0][0]})){cp[1]}",
                        lambda e, a=cp[0][1], p=cp[1]: (1.5 + math.sin(a(e))) ** float(p.lstrip("^*")))),
        st.tuples(children, st.sampled_from([2, 3])).map(
            lambda cp: (f"({cp[0][0]})^{cp[1]}", lambda e, a=cp[0][1], p=cp[1]: a(e) ** p)),
        two.map(lambda ab: (f"(1 + ({ab[0][0]})^2)^(cos({ab[1][0]}))",
                            lambda e, a=ab[0][1], b=ab[1][1]: (1 + a(e) ** 2) ** math.cos(b(e)))),
        children.map(lambda a: (f"(1 + ({a[0]})^2)^0.5", lambda e, f=a[1]: (1 + f(e) ** 2) ** 0.5)),
        children.map(lambda a: (f"-({a[0]})", lambda e, f=a[1]: -f(e))),
        children.map(lambda a: (f"exp(tanh({a[0]}))", lambda e, f=a[1]: math.exp(math.tanh(f(e))))),
        children.map(lambda a: (f"ln(1 + ({a[0]})^2)", lambda e, f=a[1]: math.log(1 + f(e) ** 2))),
        children.map(lambda a: (f"sin({a[0]})", lambda e, f=a[1]: math.sin(f(e)))),
        children.map(lambda a: (f"cos({a[0]})", lambda e, f=a[1]: math.cos(f(e)))),
        children.map(lambda a: (f"tanh({a[0]})", lambda e, f=a[1]: math.tanh(f(e)))),
        children.map(lambda a: (f"σ({a[0]})", lambda e, f=a[1]: 1 / (1 + math.exp(-f(e))))),
    )


expressions = st.recursive(_leaf(), _extend, max_leaves=8)
points = st.fixed_dictionaries({v: st.floats(-1.5, 1.5, allow_nan=False) for v in VARS})


def _build(expr, point):
    text, fn = expr
    tree_vars = [v for v in VARS if any(tok == v for tok in _names(text))]
    assume(tree_vars)
    try:
        p = build_problem({"kind": "graph_expr", "expression": text, "values": {v: point[v] for v in tree_vars}})
    except DataError as exc:  # too big for the parser's bounds
        assume("too big" not in exc.message and "nested" not in exc.message)
        raise
    return p, tree_vars


def _names(text):
    import re
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)


def _five_point(fn, point, var, h=1e-3):
    def at(t):
        return fn({**point, var: point[var] + t})
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)


@settings(max_examples=50, deadline=None)
@given(expressions, points)
def test_every_partial_matches_central_differences(expr, point):
    p, used = _build(expr, point)
    values = p.evaluate()
    text, fn = expr
    assert float(values["f"]) == pytest.approx(fn(point), rel=1e-12, abs=1e-12), text
    for var in used:
        numeric = _five_point(fn, point, var)
        analytic = float(values[f"grad.{var}"])
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic), abs(numeric)), (text, var)


@settings(max_examples=60, deadline=None)
@given(expressions, points)
def test_adjoints_are_sums_over_paths_of_edge_products(expr, point):
    text, _ = expr
    p, used = _build(expr, point)
    values = p.evaluate()
    graph = build_graph(text, tuple(used))
    out = graph.output.index

    def paths(j):  # Σ over paths j → f of Π edge derivatives, by explicit enumeration
        if j == out:
            return 1.0
        return sum(float(values[f"d.v{k}.v{j}"]) * paths(k) for k in graph.parents(j))

    for n in graph.nodes:
        assert float(values[f"adj.v{n.index}"]) == pytest.approx(paths(n.index), rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(expressions, points)
def test_every_edge_matches_a_central_difference_of_its_node(expr, point):
    # Perturb one child node's value and watch the parent: ∂v_k/∂v_j numerically.
    p, _ = _build(expr, point)
    base = p.evaluate()
    h = 1e-6
    for key in p.keys():
        if not key.startswith("d."):
            continue
        _, k, j = key.split(".")
        vj = float(base[j])
        kids = [d for d in p.quantities[k].deps]
        over = {d: base[d] for d in kids}
        plus = p.quantities[k].fn(*[vj + h if d == j else float(over[d]) for d in kids])
        minus = p.quantities[k].fn(*[vj - h if d == j else float(over[d]) for d in kids])
        numeric = (float(plus) - float(minus)) / (2 * h)
        analytic = float(base[key])
        assert abs(numeric - analytic) <= 1e-5 * max(1.0, abs(analytic)), key
