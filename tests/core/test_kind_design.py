"""The design kind: any working weights pass, wrong ones fail on exactly the right cases."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.kinds import DataError, build_problem
from nntutor.core.kinds.design import chosen_keys, judge
from nntutor.core.lesson import load_lesson

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "design.toml"
TABLE = [[0, 0], [0, 1], [1, 0], [1, 1]]  # cases 1 … 4


def perceptron(targets, W, b, inputs=TABLE, **extra):
    return build_problem({"kind": "design", "inputs": inputs, "targets": targets,
                          "layers": [{"W": W, "b": b, "activation": "step"}], **extra})


def step_xor(**extra):
    # hidden: OR = step(x1 + x2 − 0.5), NAND = step(−x1 − x2 + 1.5); output: AND = step(h1 + h2 − 1.5)
    return build_problem({"kind": "design", "inputs": TABLE, "targets": [0, 1, 1, 0],
                          "layers": [{"W": [[1, -1], [1, -1]], "b": [-0.5, 1.5], "activation": "step"},
                                     {"W": [1, 1], "b": -1.5, "activation": "step"}], **extra})


# points around the lines x1 + x2 = 1 and x1 − x2 = 1 (invented: the picture is not in the seeds);
# class 1 where x1 + x2 > 1 and x1 − x2 < 1
POINTS = [[0, 0], [2, 2], [0, 2], [2, 0], [1, -1], [-1, 3], [3, 1], [0.5, 0.2], [1, 0.5]]
REGION = [0, 1, 1, 0, 0, 1, 0, 0, 1]


def regions(**extra):
    # h1 = [x1 + x2 ≥ 1], h2 = [x1 − x2 ≤ 1], ŷ = h1 AND h2
    return build_problem({"kind": "design", "inputs": POINTS, "targets": REGION,
                          "layers": [{"W": [[1, -1], [1, 1]], "b": [-1, 1], "activation": "step"},
                                     {"W": [1, 1], "b": -1.5, "activation": "step"}], **extra})


def linear_table(**extra):
    # w1 + w2 + 2·w3 = 0.5 and w1 − w2 + w3 = 0: (0.25, 0.25, 0) is one solution
    return build_problem({"kind": "design", "inputs": [[1, 1, 2], [1, -1, 1]], "targets": [0.5, 0],
                          "layers": [{"W": [0.25, 0.25, 0], "activation": "identity"}], **extra})


def relu_xor(**extra):
    # h = ReLU(x·[[1, −1], [−1, 1]]) = (ReLU(x1 − x2), ReLU(x2 − x1)); ŷ = h1 + h2 = |x1 − x2|
    return build_problem({"kind": "design", "inputs": TABLE, "targets": [0, 1, 1, 0], "threshold": 0.5,
                          "layers": [{"W": [[1, -1], [-1, 1]], "activation": "relu"},
                                     {"W": [1, 1], "activation": "identity"}], **extra})


NOT = ([[0], [1]], [1, 0], -1, 0.5)
AND = (TABLE, [0, 0, 0, 1], [1, 1], -1.5)
OR = (TABLE, [0, 1, 1, 1], [1, 1], -0.5)

# (problem factory, overrides) that reproduce every case
GOOD = [
    (lambda: perceptron(NOT[1], NOT[2], NOT[3], NOT[0]), {"W1": -2, "b1": 1}),
    (lambda: perceptron(NOT[1], NOT[2], NOT[3], NOT[0]), {"W1": -1, "b1": 0}),  # step(0) = 1 at x = 0
    (lambda: perceptron(AND[1], AND[2], AND[3]), {"W1": [2, 2], "b1": -3}),
    (lambda: perceptron(AND[1], AND[2], AND[3]), {"W1": [1, 1], "b1": -2}),  # step(0) = 1 at (1, 1)
    (lambda: perceptron(AND[1], AND[2], AND[3]), {"W1": [1, 3], "b1": -3.5}),
    (lambda: perceptron(OR[1], OR[2], OR[3]), {"W1": [1, 1], "b1": -1}),
    (lambda: perceptron(OR[1], OR[2], OR[3]), {"W1": [3, 2], "b1": -1}),
    (lambda: perceptron([0, 1, 1, 0], [1, 1, -2], -0.5, product_input=True), {"W1": [2, 2, -4], "b1": -1}),
    (lambda: perceptron([0, 1, 1, 0], [1, 1, -2], -0.5, product_input=True), {"W1": [1, 1, -3], "b1": -1}),
    # XOR as (x1 AND NOT x2) OR (x2 AND NOT x1)
    (step_xor, {"W1": [[1, -1], [-1, 1]], "b1": [-0.5, -0.5], "W2": [1, 1], "b2": -0.5}),
    (step_xor, {"W1": [[2, -2], [2, -2]], "b1": [-1, 3], "W2": [5, 5], "b2": -7}),
    (regions, {"W1": [[2, -2], [2, 2]], "b1": [-2, 2]}),
    # h2 = [x1 − x2 ≥ 1] instead, and the output is h1 AND NOT h2
    (regions, {"W1": [[1, 1], [1, -1]], "b1": [-1, -1], "W2": [1, -1], "b2": -0.5}),
    (linear_table, {"W1": [-0.5, 0, 0.5]}),
    (linear_table, {"W1": [1, 0.5, -0.5]}),
    (linear_table, {"W1": [0.5, 1 / 3, -1 / 6]}),
    (relu_xor, {"W1": [[2, -2], [-2, 2]]}),
    (relu_xor, {"W2": [0.6, 0.6]}),
    (relu_xor, {"W2": [0.5, 0.5]}),  # ŷ = 0.5 ≥ θ counts as class 1
]

# (problem factory, overrides, the case numbers that must fail)
BAD = [
    (lambda: perceptron(NOT[1], NOT[2], NOT[3], NOT[0]), {"W1": 1, "b1": 0}, (2,)),
    (lambda: perceptron(NOT[1], NOT[2], NOT[3], NOT[0]), {"b1": -1.5}, (1,)),
    (lambda: perceptron(AND[1], AND[2], AND[3]), {"b1": -0.5}, (2, 3)),  # that is OR
    (lambda: perceptron(AND[1], AND[2], AND[3]), {"W1": [-1, -1], "b1": 1.5}, (1, 2, 3, 4)),  # NAND
    (lambda: perceptron(OR[1], OR[2], OR[3]), {"b1": -1.5}, (2, 3)),  # that is AND
    (lambda: perceptron([0, 1, 1, 0], [1, 1, -2], -0.5, product_input=True), {"W1": [1, 1, 0]}, (4,)),
    (step_xor, {"b2": -0.5}, (1, 4)),  # OR of OR and NAND is always 1
    (step_xor, {"W1": [[1, -1], [-1, 1]], "b1": [-0.5, -0.5], "W2": [1, 1], "b2": -1.5}, (2, 3)),
    (regions, {"b2": -0.5}, (1, 4, 7, 8)),  # OR of the half-planes
    (regions, {"b1": [-3, 1]}, (3, 6, 9)),  # h1 = [x1 + x2 ≥ 3] misses class-1 points below that line
    (linear_table, {"W1": [0.25, 0.25, 0.01]}, (1, 2)),
    (linear_table, {"W1": [0.5, 0, 0]}, (2,)),
    (relu_xor, {"W2": [0.4, 0.4]}, (2, 3)),
    (relu_xor, {"W1": [[1, 1], [1, 1]]}, (4,)),  # ŷ = 2(x1 + x2) cannot turn back down
]


@pytest.mark.parametrize("factory", [lambda: perceptron(NOT[1], NOT[2], NOT[3], NOT[0]),
                                     lambda: perceptron(AND[1], AND[2], AND[3]),
                                     lambda: perceptron(OR[1], OR[2], OR[3]),
                                     step_xor, regions, linear_table, relu_xor])
def test_reference_design_passes(factory):
    problem = factory()
    assert judge(problem) == (True, ())
    assert problem.evaluate()["failures"] == 0


@pytest.mark.parametrize("factory, overrides", GOOD)
def test_other_correct_designs_pass(factory, overrides):
    problem = factory()
    reference = {k: problem.evaluate()[k] for k in overrides}
    assert not all(np.array_equal(np.asarray(v, dtype=float).reshape(reference[k].shape), reference[k])
                   for k, v in overrides.items())  # really a different design
    assert judge(problem, overrides) == (True, ())


@pytest.mark.parametrize("factory, overrides, failing", BAD)
def test_wrong_designs_fail_on_the_right_cases(factory, overrides, failing):
    problem = factory()
    ok, failed = judge(problem, overrides)
    assert not ok
    assert failed == failing
    values = problem.evaluate(overrides)
    assert values["failures"] == len(failing)
    np.testing.assert_array_equal(values["failed_cases"], failing)
    np.testing.assert_array_equal(np.flatnonzero(values["failed"]) + 1, failing)


def test_outputs_are_computed_from_the_students_weights():
    problem = step_xor()
    # the (x1 AND NOT x2, x2 AND NOT x1) hidden layer: h = (0,0), (0,1), (1,0), (0,0)
    v = problem.evaluate({"W1": [[1, -1], [-1, 1]], "b1": [-0.5, -0.5]})
    np.testing.assert_array_equal(v["a1"], [[0, 0], [0, 1], [1, 0], [0, 0]])
    # the reference output (AND, b2 = −1.5) then gives 0 everywhere: cases 2 and 3 fail
    np.testing.assert_array_equal(v["y_hat"], [0, 0, 0, 0])
    assert judge(problem, {"W1": [[1, -1], [-1, 1]], "b1": [-0.5, -0.5]}) == (False, (2, 3))


def test_product_input_is_a_quantity():
    v = perceptron([0, 1, 1, 0], [1, 1, -2], -0.5, product_input=True).evaluate()
    np.testing.assert_array_equal(v["x3"], [0, 0, 0, 1])
    np.testing.assert_array_equal(v["X.aug"], [[0, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 1]])


def test_threshold_classes_and_step_zero_are_conventions():
    problem = relu_xor()
    np.testing.assert_array_equal(problem.evaluate({"W2": [0.5, 0.5]})["pred"], [0, 1, 1, 0])
    assert "ŷ ≥ 0.5" in problem.conventions["decision"]["en"]
    assert "step(0) = 1" in step_xor().conventions["step"]["en"]


def test_column_layout_reads_one_row_per_unit():
    # the same XOR net with W1 given unit by unit (rows): OR = (1, 1), NAND = (−1, −1)
    problem = step_xor(layout="column", layers=[{"W": [[1, 1], [-1, -1]], "b": [-0.5, 1.5], "activation": "step"},
                                                {"W": [1, 1], "b": -1.5, "activation": "step"}])
    assert judge(problem) == (True, ())
    assert judge(problem, {"W1": [[1, -1], [-1, 1]], "b1": [-0.5, -0.5], "b2": -0.5}) == (True, ())
    # the row-layout reference matrix read as rows: units (1, −1) and (1, −1); with b1 = (−0.5, 1.5)
    # h = (0,1), (0,1), (1,1), (0,1) and AND gives 0, 0, 1, 0 against 0, 1, 1, 0: case 2 is wrong
    assert judge(problem, {"W1": [[1, -1], [1, -1]]}) == (False, (2,))


def test_tolerance_loosens_numeric_matching():
    near = {"W1": [0.25, 0.25, 0.01]}
    assert judge(linear_table(), near) == (False, (1, 2))
    assert judge(linear_table(tolerance=0.05), near) == (True, ())


def test_wild_weights_fail_quietly():
    problem = step_xor()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ok, failed = judge(problem, {"W2": [1e308, -1e308], "b2": float("inf")})
        assert not ok and failed
        assert judge(linear_table(), {"W1": [float("nan"), 0, 0]}) == (False, (1, 2))


def test_chosen_keys_are_the_weights_and_biases():
    assert chosen_keys(step_xor()) == ("W1", "b1", "W2", "b2")
    assert chosen_keys(relu_xor()) == ("W1", "W2")
    assert chosen_keys(build_problem({"kind": "rnn", "x": [1], "U": 1, "W": 1, "activation": "tanh",
                                      "loss": "none"})) == ()


def test_judge_refuses_other_kinds():
    with pytest.raises(ValueError):
        judge(build_problem({"kind": "rnn", "x": [1], "U": 1, "W": 1, "activation": "tanh", "loss": "none"}))


def test_the_test_lesson_loads_and_its_reference_works():
    lesson = load_lesson(LESSON)
    assert judge(lesson.problem) == (True, ())
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity
    assert {s.quantity for s in lesson.steps} >= set(chosen_keys(lesson.problem))


@pytest.mark.parametrize("patch, field, words", [
    ({"layers": [{"W": [1, 1], "b": -0.5, "activation": "step"}]}, "problem.layers", "case(s) 4"),
    ({"targets": [0, 2, 1, 0]}, "problem.targets", "0 or 1"),
    ({"targets": [0, 1, 1]}, "problem.targets", "4 cases"),
    ({"threshold": 0.5, "tolerance": 0.1}, "problem.tolerance", "no threshold"),
    ({"inputs": [0, 1], "targets": [1, 0], "product_input": True}, "problem.product_input", "two inputs"),
    ({"layers": [{"W": [1, 1, 1], "b": 0, "activation": "step"}]}, "problem.layers[1].W", "3 weights"),
    ({"layers": [{"W": [[1, -1], [1, -1]], "b": [1, 2, 3], "activation": "step"}]}, "problem.layers[1].b", "2 units"),
    ({"layers": [{"W": [1, 1], "activation": "heaviside"}]}, "problem.layers[1].activation", "heaviside"),
    ({"layers": []}, "problem.layers", "at least one"),
    ({"colour": "red"}, "problem.colour", "unknown field"),
])
def test_bad_data_names_the_field(patch, field, words):
    with pytest.raises(DataError) as info:
        step_xor(**patch)
    assert info.value.field == field
    assert words in info.value.message


# -- properties -------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0.05, 20), min_size=3, max_size=3))
def test_scaling_each_step_unit_keeps_a_design_working(scales):
    # step(c·t) = step(t) for c > 0: scaling a unit's weights and bias together changes nothing
    problem = regions()
    v = problem.evaluate()
    c1, c2 = np.array(scales[:2]), scales[2]
    overrides = {"W1": v["W1"] * c1, "b1": v["b1"] * c1, "W2": v["W2"] * c2, "b2": v["b2"] * c2}
    assert judge(problem, overrides) == (True, ())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=3, max_size=3),
       st.sampled_from([[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0], [0, 1, 1, 0]]))
def test_failing_cases_agree_with_a_plain_loop(wb, table):
    # the reference here is any perceptron that works, or none for XOR (checked by hand below)
    refs = {(0, 0, 0, 1): ([1, 1], -1.5), (0, 1, 1, 1): ([1, 1], -0.5), (1, 1, 1, 0): ([-1, -1], 1.5)}
    w, b = np.array(wb[:2], dtype=float) / 2, wb[2] / 2
    if tuple(table) in refs:
        problem = perceptron(table, *refs[tuple(table)])
    else:  # XOR has no single perceptron: use the two-layer net and change its output unit
        problem = step_xor()
    expected = tuple(i + 1 for i, (x, t) in enumerate(zip(TABLE, table))
                     if (1 if x[0] * w[0] + x[1] * w[1] + b >= 0 else 0) != t)
    if tuple(table) in refs:
        assert judge(problem, {"W1": w, "b1": b}) == (not expected, expected)
    else:  # the output unit sees (OR, NAND) = (0,1), (1,1), (1,1), (1,0) instead of x
        hidden = [[0, 1], [1, 1], [1, 1], [1, 0]]
        expected = tuple(i + 1 for i, (h, t) in enumerate(zip(hidden, table))
                         if (1 if h[0] * w[0] + h[1] * w[1] + b >= 0 else 0) != t)
        assert judge(problem, {"W2": w, "b2": b}) == (not expected, expected)
