"""What a wrong value is told: which quantities it is compared with, and the generic slips.

The problems are built here from the quantity graph itself, so each case is small enough to
read: a = 2, b = 3; s = a + b (asked), p = a·b (later, not computed from s), t = 2·s (computed
from s).
"""

from __future__ import annotations

import numpy as np

from nntutor.core.answers import read_answer
from nntutor.core.feedback import diagnose, judge
from nntutor.core.graph import ProblemBuilder
from nntutor.core.tolerance import Tolerance


def _problem():
    b = ProblemBuilder("test")
    b.given("a", 2.0, "a", {"en": "the first number", "ru": "первое число"})
    b.given("b", 3.0, "b", {"en": "the second number", "ru": "второе число"})
    b.derived("s", lambda x, y: x + y, ["a", "b"], "s", {"en": "the sum", "ru": "сумма"}, "forward", "s = a + b")
    b.derived("p", lambda x, y: x * y, ["a", "b"], "p", {"en": "the product", "ru": "произведение"}, "forward",
              "p = a·b")
    b.derived("t", lambda x: 2 * x, ["s"], "t", {"en": "twice the sum", "ru": "удвоенная сумма"}, "forward",
              "t = 2·s")
    b.derived("v", lambda x, y: np.array([x, -y]), ["a", "b"], "v", {"en": "a vector", "ru": "вектор"},
              "forward", "v = (a, −b)")
    return b.build()


def _say(problem, quantity: str, typed: str, tol: Tolerance = Tolerance(), lang: str = "en") -> str | None:
    values = problem.evaluate()
    expected = np.asarray(values[quantity])
    reading = read_answer(typed, expected.shape)
    comparison = judge(reading, expected, tol)
    assert not comparison.ok
    return diagnose(reading, comparison, quantity, problem, values, tol, lang)


def test_a_value_it_is_computed_from_is_named():
    assert _say(_problem(), "s", "2").startswith("That is a, the first number")


def test_a_value_one_step_too_far_is_named():
    assert _say(_problem(), "s", "10").startswith("That is t, twice the sum")


def test_an_unrelated_later_value_is_not_named():
    # p = 6 is neither what s is computed from nor computed from s: naming it would send the
    # student to a quantity they have not met
    said = _say(_problem(), "s", "6")
    assert said is None or "p" not in said


def test_a_flipped_sign_is_said_plainly():
    assert "sign is flipped" in _say(_problem(), "s", "-5")
    assert "знак перепутан" in _say(_problem(), "s", "-5", lang="ru").lower()


def test_one_entry_with_a_flipped_sign_is_named_as_such():
    said = _say(_problem(), "v", "2 3")
    assert said == "1 of 2 entries are right; the sign is flipped: look again at entry 2 (counting from 1)."


def test_a_fraction_for_a_count_is_told_the_answer_is_whole():
    said = _say(_problem(), "s", "5.5", Tolerance(exact=True))
    assert said == "The answer here is a whole number."


def _one(value, shape=()) -> object:
    b = ProblemBuilder("test")
    b.given("x", value, "x", {"en": "x", "ru": "x"})
    b.derived("y", lambda v: v * 1.0, ["x"], "y", {"en": "the value", "ru": "значение"}, "forward", "y = x")
    return b.build()


def test_close_only_when_the_typed_digits_can_hold_the_value():
    # 0.4 for 0.356 is the right value rounded too far; 1 for ½ or for ⅓ says nothing of the value
    assert "significant figures" in (_say(_one(0.356), "y", "0.4") or "")
    assert _say(_one(0.5), "y", "1") is None
    assert _say(_one(1 / 3), "y", "1") is None
    assert "rounding" in (_say(_one(1.149), "y", "1.2") or "")  # 1.149 → 1.15 → 1.2: a rounding slip


def test_a_square_matrix_typed_transposed_is_named():
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert _say(_one(m), "y", "1 3; 2 4") == "That is the transpose: rows and columns are swapped."
    assert "транспонированная" in _say(_one(m), "y", "1 3; 2 4", lang="ru")
    assert _say(_one(np.array([[1.0, 2.0], [2.0, 1.0]])), "y", "1 2; 2 5") != "That is the transpose: rows and columns are swapped."


def test_one_right_entry_is_singular():
    assert _say(_one(np.array([1.0, 2.0])), "y", "1 5").startswith("1 of 2 entries is right")


def test_more_wrong_entries_than_listed_are_counted():
    said = _say(_one(np.arange(1.0, 10.0)), "y", "1 0 0 0 0 0 0 0 0")
    assert "entries 2, 3, 4, 5, 6, 7 and 2 more" in said, said
    assert "и ещё 2" in _say(_one(np.arange(1.0, 10.0)), "y", "1 0 0 0 0 0 0 0 0", lang="ru")


def test_a_computed_value_is_named_before_a_given_one_that_equals_it():
    b = ProblemBuilder("test")
    b.given("u", 0.5, "U", {"en": "the weight", "ru": "вес"})
    b.given("x", 1.0, "x", {"en": "the input", "ru": "вход"})
    b.derived("z", lambda u, x: u * x, ["u", "x"], "z", {"en": "before tanh", "ru": "до tanh"}, "forward", "z = U·x")
    b.derived("s", np.tanh, ["z"], "s", {"en": "the state", "ru": "состояние"}, "forward", "s = tanh z")
    assert _say(b.build(), "s", "0.5").startswith("That is z, before tanh")


# -- the general diagnoses (core.diagnoses): causes no operation declared ------------------------

import textwrap  # noqa: E402

from nntutor.core import diagnoses, diagnosis_text  # noqa: E402


def _step_problem(calls: list | None = None):
    """w₁ = w₀ − η·g on L = ½·Σ(w·xᵢ − yᵢ)², with a temperature and an angle about."""
    def grad(w, x, y):
        if calls is not None:
            calls.append(1)
        return np.sum((w * x - y) * x)

    b = ProblemBuilder("test")
    b.convention("loss", {"en": "L = ½·Σᵢ (w·xᵢ − yᵢ)² (with ½, sum over the observations)", "ru": "…"})
    b.given("x", np.array([1.0, 2.0]), "x", {"en": "the inputs xᵢ", "ru": "входы"})
    b.given("y", np.array([2.0, 3.0]), "y", {"en": "the targets yᵢ", "ru": "цели"})
    b.given("w0", 0.5, "w₀", {"en": "the starting point", "ru": "старт"})
    b.given("lr", 0.1, "η", {"en": "the learning rate", "ru": "шаг обучения"})
    b.given("T", 4.0, "T", {"en": "the temperature", "ru": "температура"})
    b.derived("L0", lambda w, x, y: 0.5 * np.sum((w * x - y) ** 2), ["w0", "x", "y"], "L₀",
              {"en": "the loss at w₀", "ru": "потери"}, "loss", "L₀ = ½·Σᵢ (w₀·xᵢ − yᵢ)²")
    b.derived("grad1", grad, ["w0", "x", "y"], "g₁", {"en": "the gradient at w₀", "ru": "градиент"}, "backward",
              "g₁ = Σᵢ (w₀·xᵢ − yᵢ)·xᵢ")
    b.derived("w1", lambda w, g, lr: w - lr * g, ["w0", "grad1", "lr"], "w₁", {"en": "the weight after step 1",
              "ru": "вес после шага 1"}, "update", "w₁ = w₀ − η·g₁")
    b.derived("grad2", grad, ["w1", "x", "y"], "g₂", {"en": "the gradient at w₁", "ru": "градиент"}, "backward",
              "g₂ = Σᵢ (w₁·xᵢ − yᵢ)·xᵢ")
    b.derived("w2", lambda w, g, lr: w - lr * g, ["w1", "grad2", "lr"], "w₂", {"en": "the weight after step 2",
              "ru": "вес после шага 2"}, "update", "w₂ = w₁ − η·g₂")
    b.derived("z", lambda t: np.array([1.0, 2.0]) / t, ["T"], "z", {"en": "the logits over T", "ru": "логиты"},
              "forward", "z = u/T")
    return b.build()


STEPS = ("L0", "grad1", "w1", "grad2", "w2", "z")


def _said(problem, quantity, value, steps=STEPS, lang="en", memo=None):
    values = problem.evaluate()
    expected = np.asarray(values[quantity])
    reading = read_answer(format_value_(value), expected.shape)
    comparison = judge(reading, expected, Tolerance())
    assert not comparison.ok
    return diagnose(reading, comparison, quantity, problem, values, Tolerance(), lang, steps=steps, memo=memo)


def format_value_(value) -> str:
    return " ".join(repr(float(v)) for v in np.asarray(value, dtype=float).reshape(-1))


def test_a_factor_is_named_with_its_cause_from_the_context():
    p, v = _step_problem(), _step_problem().evaluate()
    assert "dropped the ½" in _said(p, "L0", 2 * v["L0"])
    assert "cancels the 2" in _said(p, "grad1", 2 * v["grad1"])
    assert "learning rate is missing" in _said(p, "w1", v["w0"] - v["grad1"])
    assert "applied twice" in _said(p, "w1", v["w0"] - 0.01 * v["grad1"])
    assert "multiplied, not divided" in _said(p, "z", np.array([1.0, 2.0]) * 4)
    assert "отсутствует" not in (_said(p, "L0", 2 * v["L0"], lang="ru") or "")
    assert "½" in _said(p, "L0", 2 * v["L0"], lang="ru")


def test_a_stale_input_is_named_with_both_values():
    p, v = _step_problem(), _step_problem().evaluate()
    said = _said(p, "w2", v["w0"] - 0.1 * v["grad2"])  # stepped from w₀, not w₁
    assert said.startswith("That is computed from w₀") and "w₁" in said, said


def test_a_misread_given_is_named_with_the_value_used():
    p, v = _step_problem(), _step_problem().evaluate()
    said = _said(p, "L0", 0.5 * np.sum((-0.5 * v["x"] - v["y"]) ** 2))  # w₀ read as −0.5
    assert said == "Your method is right, but you used w₀ = -0.5 instead of 0.5.", said


def test_the_search_is_bounded_and_done_once_per_step():
    calls: list = []
    p = _step_problem(calls)
    v = p.evaluate()
    calls.clear()
    memo: dict = {}  # what a LessonRun keeps between two answers
    _said(p, "grad2", 7.77, memo=memo)  # explained by nothing: every candidate is tried
    first = len(calls)
    assert 0 < first <= min(diagnoses.MAX_EVALUATIONS, diagnoses.MAX_CALLS) + 4
    calls.clear()
    _said(p, "grad2", 8.88, memo=memo)  # the same step and values: the candidates are reused
    assert len(calls) <= 4


def test_an_unmet_quantity_is_not_named_and_a_met_one_is():
    # t = 2·s is computed straight from s, but no step asks for it: the student has not met it
    assert "That is t" not in (_say_steps(("s",), "10") or "")
    assert _say_steps(("s", "t"), "10").startswith("That is t")


def _say_steps(steps, typed):
    problem = _problem()
    values = problem.evaluate()
    reading = read_answer(typed, ())
    comparison = judge(reading, values["s"], Tolerance())
    return diagnose(reading, comparison, "s", problem, values, Tolerance(), "en", steps=steps)


def test_a_trivial_value_is_not_named_as_a_quantity_that_merely_equals_it():
    b = ProblemBuilder("test")
    b.given("h0", 0.0, "h₀", {"en": "the start", "ru": "старт"})
    b.given("g", 3.0, "g", {"en": "the gradient", "ru": "градиент"})
    b.derived("h1", lambda h, g: 0.9 * h + 0.1 * g, ["h0", "g"], "h₁", {"en": "the velocity", "ru": "скорость"},
              "update", "h₁ = α·h₀ + η·g")
    problem = b.build()
    values = problem.evaluate()
    reading = read_answer("0", ())
    said = diagnose(reading, judge(reading, values["h1"], Tolerance()), "h1", problem, values, Tolerance(), "en")
    assert said is None or "h₀" not in said


def test_every_general_message_has_russian_and_fits_three_lines():
    fields = dict(n=4, lr="η", v="0.1", T="T", c="2", a="w₁", am="the parameters after step 1", d="w₂",
                  dm="the parameters after step 2", g="∂L/∂W₁[1,2]", wrong="-0.3", right="0.3", b="β₁", t=2,
                  u=1, x="∂L/∂W", s="W₁", i="1,2")
    for key, table in diagnosis_text._D.items():
        assert table["ru"].strip() and (table["ru"] != table["en"] or "{" in table["en"][:2]), key
        for lang in ("en", "ru"):
            text = table[lang].format(*("A.", "b.") if "{0}" in table[lang] else (), **fields)
            assert len(textwrap.wrap(text, 80)) <= 3, (key, lang, text)
