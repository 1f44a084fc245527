"""A wrong formula is told how it differs from the expected one: a factor, a term, a sign, the
inner derivative, the transpose -- typed as a student would, in the bundled formula lessons."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support import bounded, fuzz
from nntutor.core.answers import FormatProblem
from nntutor.core.catalog import lessons_dir
from nntutor.core.lesson import load_lesson
from nntutor.core.session import LessonRun
from nntutor.core.symbolic import Formula, FormulaSpec, derivative, read_formula, screen_formula

KINDS_LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "formula.toml"
RIDGE, LOGISTIC = "least-squares-ridge", "logistic-l2"
QUADRATIC, TRACE = "quadratic-forms", "trace-det-inverse"
SIGMOID, KINDS = "sigmoid-identities", "kinds"


@lru_cache(maxsize=None)
def _lesson(name: str):
    if name == KINDS:
        return load_lesson(KINDS_LESSON)
    return load_lesson(next(lessons_dir().glob(f"*/{name}.toml")))


def _spec(lesson: str, key: str) -> FormulaSpec:
    return _lesson(lesson).problem.formulas[key]


def _screened(lesson: str, key: str, typed: str):
    spec = _spec(lesson, key)
    formula = read_formula(typed, spec.symbols)
    assert not isinstance(formula, FormatProblem), formula.message["en"]
    return screen_formula(formula, spec)


CASES = [
    # a constant factor
    (RIDGE, "ls_grad", "-x1*(y1 - w*x1) - x2*(y2 - w*x2)",
     "yours is half the expected one", "вдвое меньше ожидаемой"),
    (RIDGE, "ridge_hess", "x1^2 + x2^2 + lam", "yours is half the expected one", "вдвое меньше"),
    (KINDS, "dtanh", "2(1 - u^2)", "yours is twice the expected one", "вдвое больше ожидаемой"),
    (KINDS, "grad.x", "3(2x + y + 2(x + y))/2", "yours is 3/2 times the expected one", "умноженной на 3/2"),
    # a missing or extra term
    (RIDGE, "ridge_grad", "-2*x1*(y1 - w*x1) - 2*x2*(y2 - w*x2)",
     "you are missing the term 2lam·w", "не хватает слагаемого 2lam·w"),
    (RIDGE, "ridge_step", "w - eta*(-2*x1*(y1 - w*x1) - 2*x2*(y2 - w*x2))",  # −η·(… + 2λw) multiplied out
     "you are missing the term −2eta·lam·w", "не хватает слагаемого −2eta·lam·w"),
    (LOGISTIC, "h11", "y^2*x1^2*sigmoid(m)*(1 - sigmoid(m))", "you are missing the term 2lam", "2lam"),
    (QUADRATIC, "quad_x1", "2*a11*x1 + a12*x2", "you are missing the term a21·x2", "слагаемого a21·x2"),
    (KINDS, "grad.x", "2x + 2(x + y)", "you are missing the term y", "не хватает слагаемого y"),
    (KINDS, "grad.x", "2x + x + y + 2(x + y)", "you have an extra term x", "лишнее слагаемое x"),
    (LOGISTIC, "dm", "y*x1 + y*x2", "you have an extra term y·x2", "лишнее слагаемое y·x2"),
    # the sign of one term
    (TRACE, "det", "x11*x22 + x12*x21", "the sign of the term x12·x21 is flipped", "у слагаемого x12·x21 неверный знак"),
    (RIDGE, "ls_grad", "2*x1*(y1 - w*x1) - 2*x2*(y2 - w*x2)",
     "the sign of the term 2x1·(y1 − w·x1) is flipped", "неверный знак"),
    (KINDS, "dtanh", "1 + u^2", "the sign of the term u² is flipped", "у слагаемого u² неверный знак"),
    # a missing factor: the inner derivative (the chain rule), or another one
    (QUADRATIC, "log_x1", "1/q",
     "yours lacks the inner derivative 2a11·x1 + (a12 + a21)·x2 (the chain rule)", "правило цепочки"),
    (TRACE, "dlogdet_x11", "1/D", "yours lacks the inner derivative x22", "производной внутренней функции, x22"),
    (TRACE, "dinv11_x11", "-x22/D^2", "yours lacks the inner derivative x22", "внутренней функции"),
    (LOGISTIC, "g1", "-sigmoid(-m) + 2*lam*w1",
     "in the term −σ(−m), yours lacks the inner derivative y·x1 (the chain rule)",
     "в слагаемом −σ(−m) не хватает производной внутренней функции, y·x1"),
    (LOGISTIC, "h11", "x1^2*sigmoid(m)*(1 - sigmoid(m)) + 2*lam",
     "in the term x1²·σ(m)·(1 − σ(m)), yours lacks the factor y²", "не хватает множителя y²"),
    (SIGMOID, "dsig", "s", "yours lacks the factor 1 − s", "не хватает множителя 1 − s"),
    (KINDS, "dsigma_t", "sigmoid(t)", "yours lacks the factor 1 − σ(t)", "множителя 1 − σ(t)"),
    (KINDS, "dsigma", "s*(1 - s)*s", "yours has an extra factor s", "лишний множитель s"),
    (LOGISTIC, "g1", "-y*x1*sigmoid(-m) + lam*w1", "your term lam·w1 is half the expected one",
     "ваше слагаемое lam·w1 вдвое меньше ожидаемого"),
    # the transpose: entries with their indices swapped
    (TRACE, "ddet_x12", "-x12", "that is the transpose (the indices swapped: x12 ↔ x21)", "транспонированный"),
    (TRACE, "inv21", "-x12/D", "that is the transpose", "индексы переставлены: x12 ↔ x21"),
    (TRACE, "dinv11_x12", "x22*x12/D^2", "that is the transpose", "транспонированный ответ"),
    (TRACE, "dtr_x12", "a2*b1", "that is the transpose (the indices swapped: a1·b2 ↔ a2·b1)", "a1·b2 ↔ a2·b1"),
]


@pytest.mark.parametrize("lesson, key, typed, en, ru", CASES, ids=[f"{c[1]}:{c[2]}" for c in CASES])
def test_a_wrong_formula_is_told_how_it_differs(lesson, key, typed, en, ru):
    result = _screened(lesson, key, typed)
    assert result.status == "different" and not result.ok
    assert result.message["en"] == "Not the same formula: " + en + "." or \
        result.message["en"].startswith("Not the same formula: " + en), result.message["en"]
    assert result.message["ru"].startswith("Формула другая: ") and ru in result.message["ru"], result.message["ru"]


@pytest.mark.parametrize("lesson, key, typed", [
    (SIGMOID, "sig_neg", "s - 1"),            # −(1 − s)
    (LOGISTIC, "dlog", "sigmoid(-t)"),
    (KINDS, "grad.x", "-(4x + 3y)"),
])
def test_the_opposite_sign_keeps_its_own_message(lesson, key, typed):
    result = _screened(lesson, key, typed)
    assert result.message["en"] == "Not the same formula: yours is the expected one with the opposite sign."
    assert result.message["ru"] == "Формула другая: ваша отличается от ожидаемой только знаком."


@pytest.mark.parametrize("lesson, key, typed", [
    (SIGMOID, "dsig", "s*(1 + s)"),                            # no single difference to name
    (RIDGE, "ridge_w", "(x1*y1 + x2*y2)/(x1^2 + x2^2)"),       # λ left out of a denominator
    (SIGMOID, "inverse", "ln((1 - s)/s)"),                     # the sign, but written otherwise: −1 times
    (QUADRATIC, "lin_x1", "a2"),                               # the other component, not a transpose
])
def test_without_a_structural_difference_a_point_is_shown(lesson, key, typed):
    result = _screened(lesson, key, typed)
    en = result.message["en"]
    assert result.status == "different"
    assert ("yours gives" in en and "the expected one" in en) or "opposite sign" in en, en


def test_the_student_reads_the_diagnosis_after_enter():
    """Through the lesson: the verdict's explanation is the diagnosis, in the student's language."""
    lesson = _lesson(LOGISTIC)
    for lang, says in (("en", "yours lacks the inner derivative y·x1"), ("ru", "производной внутренней функции, y·x1")):
        run = LessonRun(lesson, lang=lang)
        step = next(s for s in lesson.steps if s.quantity == "g1")
        while run.current is not step:
            assert run.submit(lesson.problem.formulas[run.current.quantity].expected.text).ok
        verdict = run.submit("-sigmoid(-m) + 2*lam*w1")
        assert not verdict.ok and says in verdict.diagnosis, verdict.diagnosis


@pytest.mark.parametrize("typed, says", [
    ("sigmoid(2*A*x)*(1 - sigmoid(2*A*x))", "yours lacks the inner derivative 2A (the chain rule)"),
    ("2*sigmoid(2*A*x)*(1 - sigmoid(2*A*x))", "yours lacks the factor A"),   # A alone is not d(2Ax)/dx
    ("sigmoid(2A x)(1 - sigmoid(2A x))*2*A*x", "yours has an extra factor x"),
])
def test_the_chain_rule_of_a_sigmoid(typed, says):
    """d/dx σ(2Ax) = σ′(2Ax)·2A: the inner derivative is named only when it is one."""
    inner = read_formula("sigmoid(2*A*x)", ("A", "x"))
    spec = FormulaSpec(Formula(derivative(inner.node, "x")), ("A", "x"), {"A": (-2, 2), "x": (-2, 2)})
    result = screen_formula(read_formula(typed, spec.symbols), spec)
    assert result.message["en"] == f"Not the same formula: {says}."


def test_a_right_formula_gets_no_diagnosis():
    result = _screened(LOGISTIC, "g1", "-y*x1*sigmoid(-m) + 2*lam*w1")
    assert result.status == "agrees"


SPECS = [(TRACE, "inv21"), (LOGISTIC, "g1"), (KINDS, "grad.x"), (SIGMOID, "dsig"), (RIDGE, "ridge_step")]
NUMBERS = ["2", "3", "0.5", "1/2", "-1", "e"]


@st.composite
def _typed(draw):
    """A spec and a formula text in its symbols (well formed, as a student types one), or any text."""
    which = draw(st.sampled_from(SPECS))
    leaves = st.sampled_from(list(_spec(*which).symbols) + NUMBERS)
    text = draw(st.recursive(leaves, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" + ", " - ", "*", "/", " "]), inner).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(inner, st.sampled_from(["2", "3", "-1"])).map(lambda t: f"({t[0]})^{t[1]}"),
        st.tuples(st.sampled_from(["sigmoid", "ln", "exp", "sqrt", "-"]), inner).map(lambda t: f"{t[0]}({t[1]})"),
    ), max_leaves=12))
    return which, draw(st.one_of(st.just(text), st.text(max_size=40)))


@given(_typed())
@fuzz(deep=3000)
def test_any_formula_gets_a_diagnosis_or_a_point_within_bounded_work(typed):
    which, text = typed
    spec = _spec(*which)
    formula = read_formula(text, spec.symbols)
    if isinstance(formula, FormatProblem):
        return
    result = bounded(150_000, screen_formula, formula, spec)  # work bounded by counting calls, never the clock
    assert result.status in ("different", "agrees", "too_complex")
    assert result.message["en"] and result.message["ru"]
    if result.status == "different":
        assert result.message["en"].startswith(("Not the same formula: ", "Your formula is not defined")), \
            result.message["en"]
        assert result.message["ru"].startswith(("Формула другая: ", "Ваша формула не определена")), \
            result.message["ru"]


@given(st.sampled_from(SPECS), st.data())
@fuzz(deep=1000, default=100)
def test_an_authored_mistake_of_the_expected_formula_is_diagnosed_without_raising(which, data):
    """Trees a student's slip makes of the right one: a term dropped, a sign or factor changed."""
    spec = _spec(*which)
    typed = data.draw(st.sampled_from(_mistakes(spec.expected.text)))
    formula = read_formula(typed, spec.names)
    if isinstance(formula, FormatProblem) or formula.symbols - set(spec.symbols):
        return
    result = bounded(150_000, screen_formula, formula, spec)
    assert result.status in ("different", "agrees", "too_complex")


def _mistakes(text: str) -> list[str]:
    out = [f"2*({text})", f"({text})/3", f"-({text})", f"({text}) + 1", f"({text})*x1", f"({text})^2"]
    for sign in (" + ", " - "):
        parts = text.split(sign)
        for i in range(len(parts)):
            out.append(sign.join(parts[:i] + parts[i + 1:]) or "0")
            out.append(sign.join(parts[:i] + [f"2*{parts[i]}"] + parts[i + 1:]))
    return out
