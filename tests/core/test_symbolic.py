"""Formula answers: reading into trees, derivatives, numeric and SymPy equivalence, hostile input, the worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from tests.support import bounded, fuzz
from nntutor.core.answers import FormatProblem, read_answer
from nntutor.core.symbolic import (
    MAX_NODES, Add, Const, Div, Fn, Formula, FormulaResult, FormulaSpec, Mul, Neg, Num, Pow,
    Sym, SymbolicWorker, add, check_formula, screen_formula, derivative, div, evaluate, fn, formula_value, mul, neg,
    power, read_formula, show, size, sub, substitute, to_sympy, to_table, tree_size,
)


@pytest.fixture(scope="module")
def worker():
    """One SymPy worker for the module: starting a process and importing SymPy is slow."""
    w = SymbolicWorker()
    assert w.warm(wait=60), "the worker did not start"
    yield w
    w.close()


def _read(text, symbols):
    got = read_formula(text, symbols)
    assert isinstance(got, Formula), got.message["en"]
    return got


# --- specs used by the equivalence table -------------------------------------------------

SIG = dict(expected="s*(1 - s)", ranges={"t": (-4, 4)}, where={"s": "sigmoid(t)"})
TANH = dict(expected="1 - u^2", ranges={"t": (-3, 3)}, where={"u": "tanh(t)"})
GRAD_X = dict(expected=None, ranges={"x": (-2, 2), "y": (-2, 2)}, of="x^2 + x*y + (x + y)^2", wrt="x")
LN = dict(expected=None, ranges={"x": (0.5, 3)}, of="ln(x)", wrt="x")
SQRT = dict(expected=None, ranges={"x": (0.5, 3)}, of="sqrt(x)", wrt="x")
XEXP = dict(expected=None, ranges={"x": (-2, 2)}, of="x*exp(x)", wrt="x")
POS = dict(expected="x", ranges={"x": (0.5, 3)})
THIRD = dict(expected="x/3", ranges={"x": (-2, 2)})
QUOT = dict(expected=None, ranges={"x": (-2, 2)}, of="x/(1 + x^2)", wrt="x")


def _spec(setup: dict, symbols) -> FormulaSpec:
    where = setup.get("where", {})
    names = tuple(setup["ranges"]) + tuple(where)
    if setup["expected"] is None:
        expected = Formula(derivative(_read(setup["of"], names).node, setup["wrt"]))
    else:
        expected = setup["expected"]
    return FormulaSpec(expected, tuple(symbols), setup["ranges"], where)


# (typed answer, symbols the student may use, spec, verdict)
TABLE = [
    # σ′ in terms of s = σ(t), and in t
    ("s*(1-s)", "s", SIG, "equal"),
    ("s - s^2", "s", SIG, "equal"),
    ("s(1 − s)", "s", SIG, "equal"),
    ("-s² + s", "s", SIG, "equal"),
    ("s*(1+s)", "s", SIG, "different"),
    ("s^2 - s", "s", SIG, "different"),          # sign
    ("2s(1-s)", "s", SIG, "different"),          # factor
    ("s*(1-s)/2", "s", SIG, "different"),
    ("1 - s", "s", SIG, "different"),
    ("σ(t)(1−σ(t))", "t", SIG, "equal"),
    ("sigmoid(t) - sigmoid(t)^2", "t", SIG, "equal"),
    ("exp(-t)/(1+exp(-t))^2", "t", SIG, "equal"),
    ("e^-t/(1 + e^-t)^2", "t", SIG, "equal"),
    ("exp(t)/(1+exp(t))^2", "t", SIG, "equal"),
    ("exp(-t)/(1+exp(-t))", "t", SIG, "different"),
    ("s*(1 - σ(t))", "st", SIG, "equal"),        # mixed: compared after s = σ(t)
    ("σ(-t)*s", "st", SIG, "equal"),             # 1 − σ(t) = σ(−t)
    # ∂/∂x of x² + xy + (x + y)²
    ("2x + y + 2(x+y)", "xy", GRAD_X, "equal"),
    ("4x+3y", "xy", GRAD_X, "equal"),
    ("4*x + 3*y", "xy", GRAD_X, "equal"),
    ("3y + 2*(2x) + 0", "xy", GRAD_X, "equal"),
    ("4x + 2y", "xy", GRAD_X, "different"),
    ("4x - 3y", "xy", GRAD_X, "different"),      # sign
    ("2x + y", "xy", GRAD_X, "different"),       # a term forgotten
    ("x^2 + x*y + (x+y)^2", "xy", GRAD_X, "different"),  # not differentiated
    # tanh′ in terms of u = tanh(t), and in t
    ("1 - u^2", "u", TANH, "equal"),
    ("(1-u)(1+u)", "u", TANH, "equal"),
    ("1 + u^2", "u", TANH, "different"),
    ("1 - tanh(t)^2", "t", TANH, "equal"),
    ("4/(e^t + e^-t)^2", "t", TANH, "equal"),
    # quotient, ln, sqrt, product rules
    ("(1 - x^2)/(1 + x^2)^2", "x", QUOT, "equal"),
    ("(1 + x^2 - 2x^2)/(1 + x^2)^2", "x", QUOT, "equal"),
    ("(1 + x^2)/(1 + x^2)^2", "x", QUOT, "different"),
    ("1/x", "x", LN, "equal"),
    ("x^-1", "x", LN, "equal"),
    ("-1/x", "x", LN, "different"),
    ("1/(2sqrt(x))", "x", SQRT, "equal"),
    ("0.5*x^(-0.5)", "x", SQRT, "equal"),
    ("1/sqrt(x)", "x", SQRT, "different"),
    ("(1 + x)e^x", "x", XEXP, "equal"),
    ("x e^x", "x", XEXP, "different"),
    # domain and near misses
    ("abs(x)", "x", POS, "equal"),               # x > 0 on the sampled range
    ("sqrt(x^2)", "x", POS, "equal"),
    ("0.3333x", "x", THIRD, "different"),
    ("x*0.333333", "x", THIRD, "different"),     # within 1e-5: SymPy (or the fallback) decides
]


def _symbols(code: str) -> tuple[str, ...]:
    return tuple(code)


def test_table_is_big_enough():
    assert len(TABLE) >= 30


@pytest.mark.parametrize("text, symbols, setup, verdict", TABLE, ids=[f"{r[0]}|{r[1]}" for r in TABLE])
def test_equivalence_table(worker, text, symbols, setup, verdict):
    spec = _spec(setup, _symbols(symbols))
    formula = _read(text, _symbols(symbols))
    # a generous cap here: this table tests the verdicts, the cap has its own tests
    result = check_formula(formula, spec, worker, cap=10.0)
    assert isinstance(result, FormulaResult)
    assert result.status == verdict, (result.method, result.message["en"])
    assert result.message["en"] and result.message["ru"]
    if verdict == "equal":
        assert result.ok
        if "e^-t" not in text and "e^t" not in text:  # sech² forms: SymPy may not finish
            assert result.method == "sympy", result.message["en"]


@pytest.mark.parametrize("text, symbols, setup, verdict", TABLE, ids=[f"{r[0]}|{r[1]}" for r in TABLE])
def test_numeric_verdict_alone_agrees(text, symbols, setup, verdict):
    spec = _spec(setup, _symbols(symbols))
    result = check_formula(_read(text, _symbols(symbols)), spec)
    assert result.method == "numeric"
    assert result.status == verdict, result.message["en"]


def test_sympy_sees_what_rounding_hides(worker):
    # 0.33333333333 differs from 1/3 by 1e-11: equal within float rounding, not exactly
    spec = _spec(THIRD, "x")
    formula = _read("x*0.33333333333", "x")
    assert check_formula(formula, spec).status == "equal"          # numbers alone cannot tell
    result = check_formula(formula, spec, worker, cap=10.0)
    assert (result.status, result.method) == ("different", "sympy")


def test_different_says_where():
    """With no structural difference to name (test_formula_diagnoses), a point where they differ."""
    spec = _spec(GRAD_X, "xy")
    result = check_formula(_read("4x + y^2", "xy"), spec)
    assert result.status == "different"
    assert "x = " in result.message["en"] and "y = " in result.message["en"]
    assert "x = " in result.message["ru"] and "ваша" in result.message["ru"]
    undefined = check_formula(_read("ln(x - 10)", "xy"), spec)
    assert undefined.status == "different" and "not defined" in undefined.message["en"]


# --- reading -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, symbols, canonical", [
    ("s*(1-s)", "s", "s*(1 - s)"),
    ("s (1 - s)", "s", "s*(1 - s)"),          # spaces do not separate in a formula
    ("x -y", "xy", "x - y"),
    ("2x + y + 2(x+y)", "xy", "2*x + y + 2*(x + y)"),
    ("σ(t)(1−σ(t))", "t", "sigmoid(t)*(1 - sigmoid(t))"),
    ("x²+√x", "x", "x^2 + sqrt(x)"),
    ("-x^2", "x", "-x^2"),
    ("2^3*x", "x", "8*x"),                      # constant parts fold exactly
    ("x/2/3", "x", "x/2/3"),
    ("0,5x", "x", "0.5*x"),                     # a decimal comma
    ("X*Y", "xy", "x*y"),                       # names are read ignoring case
    ("ехр(x)", "x", "exp(x)"),                  # Cyrillic е, х, р
    ("log(x) + th(x) + sigma(x)", "x", "ln(x) + tanh(x) + sigmoid(x)"),
    ("2/3*x - 1/4", "x", "2/3*x - 0.25"),
    ("x - -y", "xy", "x + y"),
    ("e^x + pi", "x", "e^x + pi"),
])
def test_read_formula_canonical_text(text, symbols, canonical):
    f = _read(text, tuple(symbols))
    assert f.text == canonical
    again = _read(f.text, tuple(symbols))
    assert again.text == canonical and again == f
    assert _read(f.pretty, tuple(symbols)) == f


def test_read_formula_builds_flat_trees():
    f = _read("1 - s + 2*s*3", ("s",))
    assert f.node == Add((Num(Fraction(1)), Neg(Sym("s")), Mul((Num(Fraction(6)), Sym("s")))))
    assert _read("2/3", ()).node == Num(Fraction(2, 3))
    assert _read("0.1", ()).node == Num(Fraction(1, 10))   # exact, not the float 0.1
    assert _read("1.5e-3", ()).node == Num(Fraction(3, 2000))
    assert _read("sigma(t)", ("t",)).node == Fn("sigmoid", Sym("t"))
    assert _read("x^y", ("x", "y")).node == Pow(Sym("x"), Sym("y"))
    assert _read("x/y", ("x", "y")).node == Div(Sym("x"), Sym("y"))
    assert _read("e", ()).node == Const("e")
    assert _read("x1 * x", ("x", "x1")).symbols == {"x", "x1"}


@pytest.mark.parametrize("text, symbols, code", [
    ("t", "s", "unknown_name"),
    ("xy", "xy", "unknown_name"),
    ("x/0", "x", "division_by_zero"),
    ("x + ln(0)", "x", "domain"),
    ("x, y", "xy", "unreadable"),
    ("x; y", "xy", "unreadable"),
    ("[x]", "x", "unreadable"),
    ("1 2", "x", "unreadable"),
    ("x +", "x", "unreadable"),
    ("", "x", "empty"),
    ("x = 1", "x", "bad_char"),
    ("84,301 x", "x", "ambiguous_comma"),
    ("nan*x", "x", "not_finite"),
])
def test_read_formula_refusals(text, symbols, code):
    got = read_formula(text, tuple(symbols))
    assert isinstance(got, FormatProblem)
    assert got.code == code, got.message["en"]
    assert got.message["en"] and got.message["ru"]
    if code != "ambiguous_comma":  # that one is a question, without the suffix
        assert "formula" in got.message["en"] and "формула" in got.message["ru"]


def test_unknown_name_lists_the_symbols_and_suggests_a_product():
    got = read_formula("xy + 1", ("x", "y"))
    assert got.code == "unknown_name" and got.position == 0
    assert "the symbols x, y" in got.message["en"] and "переменные x, y" in got.message["ru"]
    assert "x*y" in got.message["en"] and "x*y" in got.message["ru"]
    got = read_formula("sigmoid(t)", ("s",))
    assert "«t»" in got.message["en"] and "the symbols s" in got.message["en"]


def test_bad_symbol_lists_are_refused():
    for bad in (("e",), ("exp",), ("x", "X"), ("x y",), ("1x",), ("σ",), ("e1",)):
        with pytest.raises(ValueError):
            read_formula("1", bad)


def test_numbers_are_still_read_as_before():
    # the one parser serves both: the numeric reading of the same text is unchanged
    assert float(read_answer("2(1+1) - 1/4", ()).value) == 3.75
    assert read_answer("x", ()).code == "unknown_name"


# --- trees: evaluation, derivatives, substitution, display -------------------------------

def test_evaluate_is_vectorised_and_marks_undefined_points():
    f = _read("ln(x) + 1/y", ("x", "y"))
    out = evaluate(f.node, {"x": np.array([1.0, -1.0, 2.0]), "y": np.array([2.0, 1.0, 0.0])})
    assert out.shape == (3,) and out.dtype == np.float64
    assert out[0] == 0.5 and np.isnan(out[1]) and np.isinf(out[2])
    const = evaluate(_read("2", ()).node, {"x": np.zeros(4)})
    assert const.tolist() == [2.0] * 4
    big = evaluate(_read("sigmoid(x)", ("x",)).node, {"x": np.array([-1000.0, 0.0, 1000.0])})
    assert big.tolist() == [0.0, 0.5, 1.0]   # no overflow warnings, no nan


def test_hand_worked_derivatives():
    # ∂/∂x (x² + xy + (x + y)²) = 2x + y + 2(x + y); at (1, 2): 2 + 2 + 6 = 10
    d = derivative(_read("x^2 + x*y + (x + y)^2", ("x", "y")).node, "x")
    assert show(d) == "2*x + y + 2*(x + y)"
    assert float(evaluate(d, {"x": np.array(1.0), "y": np.array(2.0)})) == 10.0
    # σ′ = σ(1 − σ); σ′(0) = 0.5·0.5 = 0.25
    d = derivative(_read("sigmoid(t)", ("t",)).node, "t")
    assert show(d) == "sigmoid(t)*(1 - sigmoid(t))"
    assert float(evaluate(d, {"t": np.array(0.0)})) == 0.25
    # d/dx x³ = 3x²; d/dx 2^x = 2^x·ln 2; d/dx e^x = e^x
    assert show(derivative(_read("x^3", ("x",)).node, "x")) == "3*x^2"
    assert show(derivative(_read("2^x", ("x",)).node, "x")) == "2^x*ln(2)"
    assert show(derivative(_read("e^x", ("x",)).node, "x")) == "e^x"
    assert show(derivative(_read("y^2", ("x", "y")).node, "x")) == "0"


LEAVES = st.sampled_from([Sym("x"), Sym("y"), Num(Fraction(2)), Num(Fraction(-1, 2)), Const("e")])


def _extend(children):
    # operations that stay defined for x, y in [-1.5, 1.5]
    return st.one_of(
        st.tuples(children, children).map(lambda ab: add(*ab)),
        st.tuples(children, children).map(lambda ab: sub(*ab)),
        st.tuples(children, children).map(lambda ab: mul(*ab)),
        st.tuples(children, children).map(lambda ab: div(ab[0], add(Num(Fraction(2)), power(ab[1], Num(Fraction(2)))))),
        st.tuples(children, st.integers(0, 3)).map(lambda an: power(an[0], Num(Fraction(an[1])))),
        st.tuples(st.sampled_from(["sin", "cos", "tanh", "sigmoid"]), children).map(lambda fa: fn(*fa)),
        children.map(lambda a: fn("exp", fn("tanh", a))),
        children.map(lambda a: fn("ln", add(Num(Fraction(1)), power(a, Num(Fraction(2)))))),
        children.map(lambda a: fn("sqrt", add(Num(Fraction(1)), power(a, Num(Fraction(2)))))),
        children.map(lambda a: power(Num(Fraction(2)), fn("sin", a))),
        children.map(lambda a: power(add(Num(Fraction(2)), fn("sin", a)), fn("cos", a))),
        children.map(neg),
    )


TREES = st.recursive(LEAVES, _extend, max_leaves=12)


@given(TREES, st.integers(0, 2 ** 32 - 1))
@settings(max_examples=120, deadline=None)
def test_derivative_matches_central_differences(tree, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1.5, 1.5, 6), rng.uniform(-1.5, 1.5, 6)
    for wrt in ("x", "y"):
        d = derivative(tree, wrt)
        h = 1e-5
        plus = {"x": x + (h if wrt == "x" else 0), "y": y + (h if wrt == "y" else 0)}
        minus = {"x": x - (h if wrt == "x" else 0), "y": y - (h if wrt == "y" else 0)}
        fd = (evaluate(tree, plus) - evaluate(tree, minus)) / (2 * h)
        exact = evaluate(d, {"x": x, "y": y})
        scale = 1 + np.abs(evaluate(tree, {"x": x, "y": y})) + np.abs(exact)
        np.testing.assert_array_less(np.abs(exact - fd) / scale, 1e-6)


@given(TREES)
@settings(max_examples=150, deadline=None)
def test_canonical_text_reads_back_to_the_same_tree(tree):
    text = show(tree)
    f = _read(text, ("x", "y"))
    assert f.text == text
    assert _read(show(tree, pretty=True), ("x", "y")).text == text
    env = {"x": np.linspace(-1.5, 1.5, 7), "y": np.linspace(1.5, -1.5, 7)}
    np.testing.assert_allclose(evaluate(f.node, env), evaluate(tree, env), rtol=1e-12, atol=1e-12)


def test_substitute_and_tables():
    f = _read("s*(1 - s)", ("s",))
    g = substitute(f.node, {"s": Fn("sigmoid", Sym("t"))})
    assert show(g) == "sigmoid(t)*(1 - sigmoid(t))"
    table = to_table(g)
    # σ(t) is one row, used twice: the table is a DAG, children before parents
    assert sum(1 for row in table if row[0] == "fn") == 1
    assert table[-1][0] == "mul"
    assert all(isinstance(i, int) and i < n for n, row in enumerate(table) for i in
               (row[1] if isinstance(row[1], list) else row[1:]) if isinstance(i, int))


def test_to_sympy_builds_from_data_only():
    import sympy

    t = sympy.Symbol("t", real=True)
    expr = to_sympy(to_table(_read("sigmoid(t) + 2/3 + e^t*abs(t)", ("t",)).node))
    assert sympy.simplify(expr - (1 / (1 + sympy.exp(-t)) + sympy.Rational(2, 3) + sympy.exp(t) * sympy.Abs(t))) == 0
    with pytest.raises(ValueError):
        to_sympy([["sym", "__import__('os')"]])
    with pytest.raises(ValueError):
        to_sympy([["eval", "1"]])


def test_size_counts_shared_nodes_once():
    s = Fn("sigmoid", Sym("t"))
    assert size(mul(s, sub(Num(Fraction(1)), s))) == 6  # t, σ(t), 1, −σ(t), 1 − σ(t), product
    assert tree_size(mul(s, sub(Num(Fraction(1)), s))) == 8  # σ(t) written twice


def test_showing_a_huge_derivative_is_refused_not_hung():
    # derivatives share sub-trees; text repeats them. A DAG of 80 nodes is 2^40 nodes of text.
    a = Sym("x")
    for _ in range(40):
        a = mul(a, add(a, Num(Fraction(1))))
    assert size(a) <= 200 and tree_size(a) > 2 ** 40
    with pytest.raises(ValueError):  # refused after a bounded amount of work, however hostile
        bounded(50_000, show, a)
    assert evaluate(a, {"x": np.array([0.0])}).tolist() == [0.0]  # evaluation walks the DAG: fast
    d = derivative(_read("*".join(f"sin(x+{k})" for k in range(1, 41)), ("x",)).node, "x")
    assert tree_size(d) > 5000
    with pytest.raises(ValueError):
        show(d)


def test_formula_value_and_spec_value():
    spec = FormulaSpec("s*(1 - s)", ("s",), {"t": (-4, 4)}, {"s": "sigmoid(t)"}, seed=3)
    t = spec.fixed_points()["t"]
    sig = 1 / (1 + np.exp(-t))
    np.testing.assert_allclose(spec.value(), sig * (1 - sig), rtol=1e-14)
    np.testing.assert_allclose(formula_value(_read("s - s^2", ("s",)), spec), spec.value(), rtol=1e-12)
    with pytest.raises(ValueError):
        FormulaSpec("s", ("s",), {"t": (1, -1)}, {"s": "t"})
    with pytest.raises(ValueError):
        FormulaSpec("q", ("q",), {"t": (0, 1)})


# --- hostile input -------------------------------------------------------------------------

HOSTILE_TEXT = [
    ("__import__('os')", "bad_char"),
    ("().__class__", "bad_char"),
    ("x.__class__", "bad_char"),
    ("lambda: x", "bad_char"),
    ("sympify('x')", "bad_char"),
    ("9^9^9", "too_large"),
    ("9**9**9", "too_large"),
    ("x^(10^10)", "too_large"),
    ("x^1000", "too_large"),
    ("x^101", "too_large"),
    ("(1/10^30)^100*x", "too_large"),        # tiny as a float, 10⁴ bits exact
    ("(" * 41 + "x" + ")" * 41, "too_deep"),
    ("-" * 41 + "x", "too_deep"),
    ("x/" * 150 + "x", "too_deep"),
    ("1" * 10 ** 6, "too_long"),
    ("1" * 1999, "too_large"),
    ("factorial(10**9)", "unknown_name"),
    ("exit()", "unknown_name"),
    ("x" * 60, "unknown_name"),
    ("\x00x", "bad_char"),
    ("\u202ex", "bad_char"),
    ("1e400*x", "too_large"),
    ("exp(1000)*x", "too_large"),
]


@pytest.mark.parametrize("text, code", HOSTILE_TEXT, ids=[repr(h[0])[:25] for h in HOSTILE_TEXT])
def test_hostile_text_is_refused_fast(text, code):
    got = bounded(20_000, read_formula, text, ("x",))  # work bounded by counting; speed: the bench
    assert isinstance(got, FormatProblem)
    assert got.code == code, got.message["en"]


FUZZ_ALPHABET = "xyst0123456789.,;+-*/^()[] \n eπσ√−×⁻²lnexpsqrtsigmoidtanhabs"


@given(st.one_of(st.text(max_size=60), st.text(alphabet=FUZZ_ALPHABET, max_size=50)))
@fuzz(deep=3000)
def test_fuzz_read_formula(text):
    """Any text: a Formula or a FormatProblem, from the reader without its last-resort guard."""
    from nntutor.core import answers, symbolic

    ctx = answers._Ctx((), {"en": "a formula", "ru": "формула"})
    got = answers._read_expression(text, symbolic._TreeAlgebra(("x", "y", "s", "t")), ctx)
    if isinstance(got, FormatProblem):
        assert got.code and got.message["en"].strip() and got.message["ru"].strip()
        return
    node = got.node
    assert got.depth <= symbolic.MAX_TREE_DEPTH
    assert _read(show(node), ("x", "y", "s", "t")).text == show(node)
    out = evaluate(node, {k: np.linspace(-1, 1, 5) for k in "xyst"})
    assert out.shape == (5,) and out.dtype == np.float64


# Formulas that read but are heavy: each check ends within the cap with a verdict.
HEAVY = [
    "x^x^x^x^x^x",
    "exp(exp(exp(exp(x))))",
    "(x + 1)^100*(x - 1)^100",
    "((x + 1)^100)^100",
    "sin(" * 39 + "x" + ")" * 39,
    " + ".join(f"x^{k % 7}*sin({k}x)" for k in range(150)),   # more than MAX_NODES nodes
    "x*" * 599 + "x",
    "(x+1)^99*(x+2)^99*(x+3)^99*(x+4)^99 - (x+1)^99*(x+2)^99*(x+3)^99*(x+4)^99",
]


@pytest.mark.parametrize("text", HEAVY, ids=[t[:25] for t in HEAVY])
def test_heavy_formulas_are_bounded(worker, text):
    f = read_formula(text, ("x",))
    if isinstance(f, FormatProblem):  # refused when read: bounded as well
        assert f.code in ("too_long", "too_deep", "too_large")
        return
    spec = FormulaSpec("x^2", ("x",), {"x": (-2, 2)})
    result = check_formula(f, spec, worker)  # the cap is the worker's: a verdict comes back
    assert result.status in ("different", "too_complex")
    if size(f.node) > MAX_NODES:
        assert result.status == "too_complex" and "simplify" in result.message["en"]


# --- the worker: the cap, restarts, proofs only ---------------------------------------------

SLOW = ("(x+y+1)^20*(x-y+1)^20", "((x+1)^2-y^2)^20")  # simplify takes seconds


def test_a_hanging_sympy_call_is_killed_at_the_cap_and_the_worker_restarts(worker):
    spec = FormulaSpec(SLOW[1], ("x", "y"), {"x": (-1, 1), "y": (-1, 1)})
    assert worker.warm(wait=60)
    before, restarts = worker.pid, worker.restarts
    result = check_formula(_read(SLOW[0], ("x", "y")), spec, worker)
    # SymPy did not finish: equal at every point is no proof, so the student is asked to rewrite
    # or retry -- never told "correct" on numbers alone, never told "wrong"
    assert (result.status, result.method) == ("unproven", "sympy")
    assert not result.ok and "simpler form" in result.message["en"]
    assert worker.restarts == restarts + 1 and worker.pid != before
    # the fresh worker answers the next check
    assert worker.warm(wait=60)
    nxt = check_formula(_read("4x+3y", "xy"), _spec(GRAD_X, "xy"), worker)
    assert (nxt.status, nxt.method) == ("equal", "sympy")


def test_a_near_miss_is_never_accepted_while_the_worker_restarts(worker):
    """1 − s + 10⁻¹²·s agrees with 1 − s at every sample point: only SymPy can refuse it. Right after
    a restart (the probe's case) it must not be accepted on the numbers."""
    spec = FormulaSpec("1 - s", ("s",), {"t": (-4, 4)}, {"s": "sigmoid(t)"})
    near = _read("1 - s + s/1000000000000", "s")
    assert screen_formula(near, spec).status == "agrees"  # the numbers cannot tell
    os.kill(worker.pid, signal.SIGKILL)
    got = check_formula(near, spec, worker, wait=0.0)  # no waiting: the worker is restarting
    assert got.status in ("unproven", "different") and not got.ok
    assert worker.warm(wait=60)
    assert check_formula(near, spec, worker).status == "different"
    assert check_formula(_read("1 - s", "s"), spec, worker).status == "equal"


def test_a_crashed_worker_is_replaced(worker):
    assert worker.warm(wait=60)
    restarts = worker.restarts
    os.kill(worker.pid, signal.SIGKILL)
    result = check_formula(_read("s - s^2", "s"), _spec(SIG, "s"), worker)
    assert (result.status, result.method) == ("equal", "sympy")  # proved by the new worker
    assert worker.restarts == restarts + 1


def test_a_cold_worker_is_waited_for_and_proves():
    with SymbolicWorker() as cold:
        result = check_formula(_read("s - s^2", "s"), _spec(SIG, "s"), cold, wait=60)
        assert (result.status, result.method) == ("equal", "sympy")


def test_a_cold_worker_that_is_not_waited_for_gives_no_verdict():
    with SymbolicWorker() as cold:
        result = check_formula(_read("s - s^2", "s"), _spec(SIG, "s"), cold, wait=0.0, cap=0.0)
        assert result.status == "unproven" and not result.ok
        assert "try again" in result.message["en"]


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads /proc (Linux)")
def test_the_worker_runs_under_a_memory_limit(worker):
    assert worker.warm(wait=60)
    limits = Path(f"/proc/{worker.pid}/limits").read_text()
    line = next(row for row in limits.splitlines() if row.startswith("Max address space"))
    soft = line.split()[3]
    assert soft != "unlimited" and int(soft) <= 4 << 30


def test_common_right_answers_are_proved_by_sympy(worker):
    """Every right formula is accepted on a proof (its latency is the bench's business)."""
    cases = [("s - s^2", "s", SIG), ("4x+3y", "xy", GRAD_X), ("σ(t)(1−σ(t))", "t", SIG),
             ("(1 - x^2)/(1 + x^2)^2", "x", QUOT), ("1 - u^2", "u", TANH)]
    for text, sym, setup in cases:
        spec = _spec(setup, tuple(sym))
        result = check_formula(read_formula(text, spec.symbols), spec, worker)
        assert (result.status, result.method) == ("equal", "sympy"), text


def test_reading_and_numeric_checks_never_import_sympy(tmp_path):
    code = (
        "import sys\n"
        "from nntutor.core.symbolic import read_formula, check_formula, FormulaSpec\n"
        "from nntutor.core.kinds import build_problem\n"
        "f = read_formula('s*(1-s)', ['s'])\n"
        "spec = FormulaSpec('s - s^2', ('s',), {'t': (-4, 4)}, {'s': 'sigmoid(t)'})\n"
        "assert check_formula(f, spec).ok\n"
        "wrong = check_formula(read_formula('s*(1-s)/2', ['s']), spec)\n"  # told how it differs
        "assert 'half' in wrong.message['en'], wrong.message\n"
        "print('sympy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_denominator_that_folds_to_zero_is_refused():
    """0/(0·s) folds to 0/0: refused as division by zero, like 1/0 (Hypothesis found '0/0S')."""
    from nntutor.core.answers import FormatProblem

    for text in ("1/(0*s)", "x/(0s)", "0/0s"):
        got = read_formula(text, ("s", "x"))
        assert isinstance(got, FormatProblem) and got.code == "division_by_zero", text


def test_a_negated_product_inside_a_product_is_flattened():
    # found by Hypothesis: x·(−(x·x)) printed as -x*(x*x), which reads back as -x*x*x
    from nntutor.core.symbolic.tree import Mul, Neg, Sym, mul

    tree = mul(Sym("x"), Neg(Mul((Sym("x"), Sym("x")))))
    assert show(tree) == "-x*x*x"
    assert _read(show(tree), ("x", "y")).text == show(tree)
