"""graph_expr reads f with the answer parser (core/answers.py) through its own graph algebra:
the syntax the two share, what the graph refuses on top (implicit products, functions without
parentheses), the new constants and sqrt, names ignoring case, and the bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from tests.support import bounded
from nntutor.core import answers
from nntutor.core.expr import MAX_DEPTH, MAX_LENGTH, MAX_NODES, MAX_NUMBER, ExprError, build_graph, parse, show
from nntutor.core.kinds import DataError, build_problem


def problem(expression, **values):
    return build_problem({"kind": "graph_expr", "expression": expression, "values": values})


def refusal(text, variables=None):
    with pytest.raises(ExprError) as info:
        build_graph(text, variables)
    return info.value


# -- one parser ----------------------------------------------------------------------------

def test_expr_has_no_tokenizer_or_parser_of_its_own():
    from nntutor.core import expr
    assert not hasattr(expr, "tokenize") and not hasattr(expr, "_Parser") and not hasattr(expr, "Token")
    assert expr.read_expression is answers.read_expression


@pytest.mark.parametrize("text, same_as", [
    ("x²+y³", "x^2 + y^3"), ("x − y", "x - y"), ("x–y", "x - y"), ("2·x × y", "2*x*y"), ("x÷2", "x/2"),
    ("0,5*x", "0.5*x"), ("х*у", "x*y"),  # Cyrillic х and у look exactly like x and y
    ("SIN(X)", "sin(x)"), ("sigma(x)", "σ(x)"), ("th(x)", "tanh(x)"), ("log(x)", "ln(x)"),
    ("√(x)", "sqrt(x)"), ("sin (x)", "sin(x)"), ("e^-x", "e^(-x)"),
])
def test_the_answer_parsers_spellings_are_accepted(text, same_as):
    assert parse(text) == parse(same_as)


def test_graph_of_a_typed_formula_is_numbered_as_before():
    # x² typed with a superscript and y written in Cyrillic: still v3 = x^2, v4 = x·y, …, v8 = f.
    p = problem("x² + x·у + (x + y)²", x=1, y=2)
    assert [p.quantities[k].symbol for k in p.keys() if k[0] == "v"] == [
        "v₁ = x", "v₂ = y", "v₃ = x^2", "v₄ = x·y", "v₅ = x^2 + x·y", "v₆ = x + y", "v₇ = (x + y)^2",
        "v₈ = x^2 + x·y + (x + y)^2"]


# -- what the graph refuses on top of the parser ---------------------------------------------

@pytest.mark.parametrize("text, position, shown", [
    ("2x", 1, "write 2*x"), ("x y", 2, "write x*y"), ("2(x + 1)", 1, "write 2*(x + 1)"),
    ("sin(x)cos(x)", 6, "write sin(x)*cos(x)"), ("2π", 1, "write 2*π"), ("(x)(y)", 3, "write x*y"),
])
def test_implicit_products_are_refused_with_the_product_to_write(text, position, shown):
    error = refusal(text)
    assert error.position == position
    assert f"a product needs «*» at character {position + 1}" in str(error) and shown in str(error)


def test_xy_stays_one_name_and_the_kind_suggests_the_product():
    assert build_graph("xy").variables == ("xy",)
    with pytest.raises(DataError, match=r"'xy' is one variable name here: for a product write x\*y"):
        problem("xy + 1", x=1, y=2)


@pytest.mark.parametrize("text, name", [("sin x", "sin"), ("ln x^2", "ln"), ("exp -x", "exp"), ("√x", "√")])
def test_functions_need_parentheses(text, name):
    error = refusal(text)
    assert error.position == 0 and f"«{name}» at character 1 needs parentheses" in str(error)


@pytest.mark.parametrize("text, position, words", [
    ("foo(x)", 0, "unknown function «foo»"), ("x + g (y)", 4, "for a product write g*(…)"),
    ("abs(x)", 0, "no place in a computational graph"),
    ("x + α", 4, "not a variable name"), ("inf*x", 0, "not a finite number"),
    ("x = 1", 2, "without «=»"), ("84,301*x", 2, "84.301 or 84301"),
    ("x +", 3, "the expression ends too early"), ("x @ y", 2, "can't be used in an expression"),
    ("x + ln(0)", 4, "the constant part ln(0) at character 5 is not a finite number"),
])
def test_refusals_say_what_and_where_in_the_authors_words(text, position, words):
    error = refusal(text)
    assert error.position == position and words in str(error)
    message = str(error)
    assert message[0] == message[0].lower() and "answer" not in message and "Expected" not in message


# -- new syntax: constants e and π, sqrt ------------------------------------------------------

def test_sqrt_node_worked_by_hand():
    # f = √x·y at x = 4, y = 3: v3 = √v1 = 2, v4 = v3·v2 = 6 = f.
    # ∂v3/∂v1 = 1/(2·√v1) = 1/4; ∂v4/∂v3 = v2 = 3; adj.v3 = 3; ∂f/∂x = 3·1/4 = 0.75; ∂f/∂y = v3 = 2.
    p = problem("sqrt(x)*y", x=4, y=3)
    v = p.evaluate()
    assert [float(v[k]) for k in ("v3", "v4", "d.v3.v1", "adj.v3", "grad.x", "grad.y")] == [2, 6, 0.25, 3, 0.75, 2]
    assert p.quantities["v3"].symbol == "v₃ = √(x)"
    assert p.quantities["d.v3.v1"].formula == "∂v₃/∂v₁ = 1/(2·√(v₁))"


def test_e_and_pi_are_folded_constants_worked_by_hand():
    # f = e^(2·x) + π·x at x = 0.5: v2 = 2·v1 = 1, v3 = e^v2 = e, v4 = π·v1 = π/2, v5 = v3 + v4.
    # ∂v3/∂v2 = e^v2 = e; ∂v2/∂v1 = 2; ∂v4/∂v1 = π; ∂f/∂x = e·2 + π.
    p = problem("e^(2*x) + pi*x", x=0.5)
    v = p.evaluate()
    assert float(v["v3"]) == pytest.approx(math.e, rel=1e-15)
    assert float(v["v4"]) == pytest.approx(math.pi / 2, rel=1e-15)
    assert float(v["grad.x"]) == pytest.approx(2 * math.e + math.pi, rel=1e-15)
    assert p.quantities["d.v3.v2"].formula == "∂v₃/∂v₂ = e^v₂"
    assert p.quantities["d.v4.v1"].formula == "∂v₄/∂v₁ = π"
    assert sum(1 for k in p.keys() if k[0] == "v") == 5  # e and π are not nodes


def test_sqrt_at_zero_is_refused_as_not_finite():
    with pytest.raises(DataError, match="∂v₂/∂v₁"):
        problem("sqrt(x)", x=0)


# -- names -------------------------------------------------------------------------------------

def test_names_ignore_case_and_keep_the_declared_spelling():
    p = problem("x1^2*Y + X1", X1=2, y=3)
    assert [p.quantities[k].symbol for k in ("v1", "v2", "v3")] == ["v₁ = X1", "v₂ = y", "v₃ = X1^2"]
    assert float(p.evaluate()["grad.X1"]) == 2 * 2 * 3 + 1


@pytest.mark.parametrize("values, field, words", [
    ({"x": 1, "X": 2}, "problem.values.X", "same variable as x"),
    ({"e": 1}, "problem.values.e", "not e, pi"), ({"Pi": 1}, "problem.values.Pi", "not e, pi"),
    ({"sigma": 1}, "problem.values.sigma", "function name"), ({"th": 1}, "problem.values.th", "function name"),
])
def test_names_the_parser_cannot_read_as_variables_are_refused(values, field, words):
    with pytest.raises(DataError) as info:
        build_problem({"kind": "graph_expr", "expression": "x", "values": values})
    assert info.value.field == field and words in info.value.message


# -- bounds ------------------------------------------------------------------------------------

def test_bounds_hold_for_signs_exponents_and_constants():
    assert MAX_DEPTH == answers.MAX_DEPTH + 1
    build_graph("-" * (MAX_DEPTH - 1) + "x")
    assert "nested too deeply" in str(refusal("-" * MAX_DEPTH + "x"))
    assert "nested too deeply" in str(refusal("x^" * MAX_DEPTH + "x"))
    n = MAX_NODES // 2  # n − 1 constants e, n − 1 products, and x: 2n − 1 nodes
    build_graph("*".join(["e"] * (n - 1) + ["x"]))
    assert "too big" in str(refusal("*".join(["e"] * n + ["x"])))
    build_graph(f"{MAX_NUMBER:.0f}*x")
    assert "too large" in str(refusal(f"{10 * MAX_NUMBER:.0f}*x"))
    assert "at most 500" in str(refusal("x" * MAX_LENGTH + "+"))


# -- any text: an ExprError or a graph, quickly ------------------------------------------------

ALPHABET = "xyz2.,e π()+-−*·/^²√ sqrtinlog σ=[];'_αх"


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=40))
def test_any_text_is_a_graph_or_a_located_refusal(text):
    try:
        graph = bounded(200_000, build_graph, text)  # work bounded by counting; speed: the bench
    except ExprError as error:
        message = str(error)
        assert 10 < len(message) < 300 and "could not be read" not in message  # no reader bug hidden
        assert error.position >= 0 or message.startswith(("the expression is", "the expression has no"))
    else:
        assert graph.output.index == len(graph.nodes) and parse(graph.text) == parse(text)


leaves = st.sampled_from(["x", "y", "2", "0.5", "e", "π"])
trees = st.recursive(leaves, lambda t: st.one_of(
    st.tuples(t, st.sampled_from(["+", "-", "*", "/", "^"]), t).map(lambda a: f"({a[0]}){a[1]}({a[2]})"),
    st.tuples(st.sampled_from(["-", "sqrt", "exp", "ln", "sin", "cos", "tanh", "σ"]), t).map(
        lambda a: f"{a[0]}({a[1]})")), max_leaves=10)


@settings(max_examples=150, deadline=None)
@given(trees)
def test_shown_text_reads_back_to_the_same_tree(text):
    tree = parse(text)
    assert parse(show(tree)) == tree


@settings(max_examples=40, deadline=None)
@given(st.floats(0.2, 3.0), st.floats(-2.0, 2.0))
def test_sqrt_and_constants_match_central_differences(x, y):
    p = problem("sqrt(x*e + y^2)*π - sqrt(x)", x=x, y=y)
    v = p.evaluate()

    def f(a, b):
        return math.sqrt(a * math.e + b * b) * math.pi - math.sqrt(a)

    for var, numeric in (("x", (f(x + 1e-5, y) - f(x - 1e-5, y)) / 2e-5),
                         ("y", (f(x, y + 1e-5) - f(x, y - 1e-5)) / 2e-5)):
        analytic = float(v[f"grad.{var}"])
        assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(analytic)), var
    assert float(v["f"]) == pytest.approx(f(x, y), rel=1e-14)
    assert np.isfinite(float(v["adj.v1"]))
