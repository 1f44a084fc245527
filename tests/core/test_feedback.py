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
