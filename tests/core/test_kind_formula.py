"""Kind "formula": targets answered with a formula (derivatives, "in terms of"), their specs and values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.graph import Problem, ProblemBuilder
from nntutor.core.kinds import KINDS, DataError, build_problem
from nntutor.core.lesson import load_lesson
from nntutor.core.symbolic import KEY_POINTS, FormulaSpec, check_formula, evaluate, read_formula

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "formula.toml"

F = "x^2 + x*y + (x + y)^2"


def _data(**targets):
    return {"kind": "formula", "symbols": {"t": [-4, 4], "x": [-2, 2], "y": [-2, 2]}, "targets": targets}


SIGMA = {"formula": "s*(1 - s)", "where": {"s": "sigmoid(t)"},
         "means": {"derivative": {"of": "sigmoid(t)", "wrt": "t"}}, "symbol": "σ′"}


def test_the_lesson_loads_with_a_spec_per_target():
    lesson = load_lesson(LESSON)
    problem = lesson.problem
    assert problem.kind == "formula"
    assert set(problem.formulas) == {"dsigma_t", "dsigma", "dtanh", "grad.x", "grad.y"}
    assert {s.quantity for s in lesson.steps} <= set(problem.formulas)
    values = problem.evaluate()
    for key, spec in problem.formulas.items():
        assert isinstance(spec, FormulaSpec)
        q = problem.quantities[key]
        assert q.role == "value" and q.meaning["en"] and q.meaning["ru"]
        assert values[key].shape == (KEY_POINTS,) and np.all(np.isfinite(values[key]))
        # the value is the expected formula at the points listed as at.{name}
        env = {name: values[f"at.{name}"] for name in spec.ranges}
        env.update({k: evaluate(f.node, env) for k, f in spec.where.items()})
        np.testing.assert_allclose(values[key], evaluate(spec.expected.node, env), rtol=1e-14)
    assert problem.formulas["dsigma"].symbols == ("s",)
    assert problem.formulas["grad.x"].symbols == ("x", "y")
    assert problem.quantities["grad.x"].formula == "∂f/∂x = 2x + y + 2(x + y)"
    assert problem.quantities["dsigma"].formula == "σ′ = s·(1 − s), s = σ(t)"


def test_hand_worked_values():
    problem = load_lesson(LESSON).problem
    one = {name: np.array([v]) for name, v in (("x", 1.0), ("y", 2.0))}
    # ∂f/∂x = 2x + y + 2(x + y) = 2 + 2 + 6 = 10 at (1, 2); ∂f/∂y = x + 2(x + y) = 1 + 6 = 7
    assert evaluate(problem.formulas["grad.x"].expected.node, one).tolist() == [10.0]
    assert evaluate(problem.formulas["grad.y"].expected.node, one).tolist() == [7.0]
    # σ′(0) = σ(0)(1 − σ(0)) = 0.5·0.5 = 0.25; with s = σ(0) = 0.5: s(1 − s) = 0.25
    assert evaluate(problem.formulas["dsigma_t"].expected.node, {"t": np.array([0.0])}).tolist() == [0.25]
    assert evaluate(problem.formulas["dsigma"].expected.node, {"s": np.array([0.5])}).tolist() == [0.25]
    # tanh′(0) = 1 − tanh²(0) = 1
    assert evaluate(problem.formulas["dtanh"].expected.node, {"u": np.array([0.0])}).tolist() == [1.0]


@pytest.mark.parametrize("key, typed, ok", [
    ("grad.x", "2x + y + 2(x+y)", True),
    ("grad.x", "4x+3y", True),
    ("grad.x", "4x+2y", False),
    ("grad.y", "3x + 2y", True),
    ("dsigma", "s - s^2", True),
    ("dsigma", "s + s^2", False),
    ("dsigma_t", "e^-t/(1+e^-t)^2", True),
    ("dsigma_t", "σ(t)(1 - σ(t))", True),
    ("dtanh", "(1 - u)(1 + u)", True),
    ("dtanh", "1 - u", False),
])
def test_students_answers_against_the_specs(key, typed, ok):
    spec = load_lesson(LESSON).problem.formulas[key]
    formula = read_formula(typed, spec.symbols)
    assert check_formula(formula, spec).ok is ok


def test_a_step_allows_only_its_symbols():
    spec = load_lesson(LESSON).problem.formulas["dsigma"]
    got = read_formula("σ(t)(1 - σ(t))", spec.symbols)
    assert got.code == "unknown_name" and "the symbols s" in got.message["en"]


@given(st.floats(-1.9, 1.9), st.floats(-1.9, 1.9), st.floats(-3.9, 3.9))
@settings(max_examples=60, deadline=None)
def test_derivative_targets_match_central_differences(x, y, t):
    problem = _PROBLEM
    h = 1e-6
    f = read_formula(F, ("x", "y")).node
    sig = read_formula("sigmoid(t)", ("t",)).node
    tanh = read_formula("tanh(t)", ("t",)).node
    at = {"x": np.array([x]), "y": np.array([y]), "t": np.array([t])}

    def fd(node, name):
        plus, minus = dict(at), dict(at)
        plus[name], minus[name] = at[name] + h, at[name] - h
        return (evaluate(node, plus) - evaluate(node, minus)) / (2 * h)

    checks = [("grad.x", fd(f, "x")), ("grad.y", fd(f, "y")), ("dsigma_t", fd(sig, "t")),
              ("dsigma", fd(sig, "t")), ("dtanh", fd(tanh, "t"))]
    for key, numeric in checks:
        spec = problem.formulas[key]
        env = dict(at)
        env.update({k: evaluate(w.node, env) for k, w in spec.where.items()})
        exact = evaluate(spec.expected.node, env)
        assert abs(exact[0] - numeric[0]) <= 1e-6 * (1 + abs(exact[0])), key


_PROBLEM = load_lesson(LESSON).problem


def test_in_terms_of_with_a_derivative_and_a_chain_through_where():
    p = build_problem(_data(
        d=SIGMA,
        e={"derivative": {"of": "s^2", "wrt": "t"}, "where": {"s": "sigmoid(t)"}, "use": ["s"]},
    ))
    # d/dt σ(t)² = 2σ(t)·σ(t)(1 − σ(t)): answered in s
    spec = p.formulas["e"]
    assert spec.symbols == ("s",)
    assert check_formula(read_formula("2s^2(1 - s)", ("s",)), spec).ok
    assert not check_formula(read_formula("2s(1 - s)", ("s",)), spec).ok


def test_seed_fixes_the_points():
    a = build_problem(dict(_data(d=SIGMA), seed=1)).evaluate()
    b = build_problem(dict(_data(d=SIGMA), seed=1)).evaluate()
    c = build_problem(dict(_data(d=SIGMA), seed=2)).evaluate()
    assert np.array_equal(a["d"], b["d"]) and not np.array_equal(a["d"], c["d"])


@pytest.mark.parametrize("data, field", [
    ({"kind": "formula", "targets": {"d": {"formula": "x"}}}, "problem.symbols"),
    ({"kind": "formula", "symbols": {"x": [0, 1]}}, "problem.targets"),
    ({**_data(d={"formula": "x"}), "extra": 1}, "problem.extra"),
    ({**_data(d={"formula": "x"}), "seed": -1}, "problem.seed"),
    ({"kind": "formula", "symbols": {"x": [1, 0]}, "targets": {"d": {"formula": "x"}}}, "problem.symbols.x"),
    ({"kind": "formula", "symbols": {"x": [0]}, "targets": {"d": {"formula": "x"}}}, "problem.symbols.x"),
    ({"kind": "formula", "symbols": {"e": [0, 1]}, "targets": {"d": {"formula": "1"}}}, "problem.symbols.e"),
    ({"kind": "formula", "symbols": {"e2": [0, 1]}, "targets": {"d": {"formula": "1"}}}, "problem.symbols.e2"),
    ({"kind": "formula", "symbols": {"x": [0, 1], "X": [0, 1]}, "targets": {"d": {"formula": "x"}}},
     "problem.symbols.X"),
    (_data(d={"formula": "x", "derivative": {"of": "x", "wrt": "x"}}), "problem.targets.d.formula"),
    (_data(d={"symbol": "d"}), "problem.targets.d.formula"),
    (_data(d={"formula": "x", "colour": "red"}), "problem.targets.d.colour"),
    (_data(d={"formula": "x + z"}), "problem.targets.d.formula"),
    (_data(d={"formula": "x +"}), "problem.targets.d.formula"),
    (_data(d={"derivative": {"of": "x^2", "wrt": "z"}}), "problem.targets.d.derivative.wrt"),
    (_data(d={"derivative": {"of": "x^2"}}), "problem.targets.d.derivative.wrt"),
    (_data(d={"derivative": "x^2"}), "problem.targets.d.derivative"),
    (_data(d={"derivative": {"of": "*".join(f"sin(x+{k})" for k in range(1, 41)), "wrt": "x"}}),
     "problem.targets.d.derivative.of"),                                   # 40 products of 40 factors
    (_data(d={"derivative": {"of": "x^2", "wrt": "x"}, "means": "2x"}), "problem.targets.d.means"),
    (_data(d={**SIGMA, "formula": "s*(1 + s)"}), "problem.targets.d.formula"),   # not what it means
    (_data(d={**SIGMA, "means": 3}), "problem.targets.d.means"),
    (_data(d={**SIGMA, "where": {"t": "x"}}), "problem.targets.d.where.t"),
    (_data(d={**SIGMA, "where": {"s": "sigmoid(q)"}}), "problem.targets.d.where.s"),
    (_data(d={**SIGMA, "use": ["q"]}), "problem.targets.d.use"),
    (_data(d={"formula": "x*y", "use": ["x"]}), "problem.targets.d.use"),
    (_data(d={"formula": "ln(x)"}), "problem.targets.d"),                 # undefined on half the range
    (_data(d={"formula": "x", "meaning": {"en": "only English"}}), "problem.targets.d.meaning"),
    (_data(**{"at.x": {"formula": "x"}}), "problem.targets.at.x"),
    (_data(**{"1d": {"formula": "x"}}), "problem.targets.1d"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == field, str(err.value)
    assert err.value.message


def test_a_means_mismatch_says_why():
    with pytest.raises(DataError) as err:
        build_problem(_data(d={**SIGMA, "formula": "s*(1 + s)"}))
    assert "does not equal" in err.value.message and "t = " in err.value.message


def test_documented_fields_and_names():
    kind = KINDS["formula"]
    assert {f.name for f in kind.fields} == {"symbols", "targets", "seed", "values"}
    assert {n.pattern for n in kind.names} == {"{target}", "at.{symbol}", "{value}", "{target} (compute)"}


def test_problems_without_formulas_have_an_empty_mapping():
    b = ProblemBuilder("demo")
    b.given("a", 1.0, "a", {"en": "a", "ru": "a"})
    p = b.build()
    assert isinstance(p, Problem) and dict(p.formulas) == {}
    with pytest.raises(ValueError):
        b.judge("missing", None)


@pytest.mark.parametrize("key, typed, says_sign", [
    ("dsigma", "s^2 - s", True),          # −s(1 − s): only the sign differs
    ("grad.x", "-(4x + 3y)", True),
    ("dsigma", "s + s^2", False),         # a different formula, not a sign slip
])
def test_a_formula_off_only_by_its_sign_is_told_so(key, typed, says_sign):
    spec = load_lesson(LESSON).problem.formulas[key]
    result = check_formula(read_formula(typed, spec.symbols), spec)
    assert not result.ok
    assert ("opposite sign" in result.message["en"]) is says_sign
    assert ("только знаком" in result.message["ru"]) is says_sign


def test_the_worked_answer_is_the_authors_formula_written_as_a_textbook_does():
    """The last hint of a formula step shows the author's answer (checked equivalent when the
    lesson loads) with its defined symbols -- not the engine's derivative written out in the
    base symbols -- and powers as superscripts that the answer box reads back."""
    from nntutor.core.catalog import lessons_dir
    from nntutor.core.session import LessonRun

    lesson = load_lesson(next(lessons_dir().glob("*/trace-det-inverse.toml")))
    run = LessonRun(lesson, lang="en")
    step = next(s for s in lesson.steps if s.quantity == "dinv11_x11")
    while run.current is not step:
        assert run.submit(lesson.problem.formulas[run.current.quantity].expected.pretty).ok
    while (hint := run.next_hint()) is not None:
        last = hint
    assert last == "Worked answer: ∂(X⁻¹)₁₁/∂x11 = −x22²/D², D = x11·x22 − x12·x21"
    assert "x22·x22" in lesson.problem.quantities["dinv11_x11"].formula  # what the engine's own text says
    typed = last.split(" = ", 1)[1].split(",")[0]  # the shown formula, typed back as it reads
    assert run.submit(typed).ok


def test_a_long_formula_is_echoed_in_one_line():
    from nntutor.core.catalog import lessons_dir
    from nntutor.core.session import LessonRun

    lesson = load_lesson(next(lessons_dir().glob("*/sigmoid-identities.toml")))
    run = LessonRun(lesson, lang="en")
    verdict = run.submit(" + ".join(["s"] * 200))
    assert not verdict.ok and verdict.read_as.endswith("…") and len(verdict.read_as) < 100, verdict.read_as
