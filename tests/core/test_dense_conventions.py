"""A dense net states and follows the lesson's convention at a kink (ReLU′(0)), and its newer activations' formulas."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import build_problem


def _net(**relu_options):
    # x·W₁ = (2, 0): the second hidden unit sits exactly on ReLU's kink
    return build_problem({
        "kind": "dense", "layout": "row", "x": [1, 2], "y": 0, "loss": "squared", "half": False,
        "learning_rate": 1,
        "layers": [{"W": [[1, -2], [0.5, 1]], "activation": "relu", **relu_options},
                   {"W": [0.5, 1], "activation": "identity"}]})


def test_the_default_blocks_the_gradient_at_zero_and_says_so():
    problem = _net()
    values = problem.evaluate()
    assert values["z1"].tolist() == [2.0, 0.0]
    upstream = values["grad.a1"]
    np.testing.assert_allclose(values["grad.z1"], [upstream[0], 0.0])
    assert "ReLU′(0) = 0" in problem.conventions["kinks"]["en"]


def test_a_lesson_may_choose_relu_prime_at_zero_equal_to_one():
    problem = _net(derivative_at_zero=1)
    values = problem.evaluate()
    np.testing.assert_allclose(values["grad.z1"], values["grad.a1"])  # the unit at 0 passes its gradient on
    words = problem.conventions["kinks"]
    assert "ReLU′(0) = 1" in words["en"] and "ReLU′(0) = 1" in words["ru"]
    # the other convention is named as what it is, not as a right answer
    named = [m.name for m, value in problem.mistake_values("grad.z1", values)
             if not np.allclose(value, values["grad.z1"])]
    assert named, "the blocked gradient at 0 is not diagnosed"


@pytest.mark.parametrize("bad", [2, -1, "one"])
def test_a_convention_that_is_neither_0_nor_1_is_refused_naming_the_field(bad):
    from nntutor.core.kinds import DataError

    with pytest.raises(DataError) as caught:
        _net(derivative_at_zero=bad)
    assert caught.value.field == "problem.layers[1].derivative_at_zero"


def test_a_newer_activation_states_its_formula():
    problem = build_problem({
        "kind": "dense", "layout": "row", "x": [1, 2], "y": 0, "loss": "squared", "half": False,
        "learning_rate": 1,
        "layers": [{"W": [[1, -2], [0.5, 1]], "activation": "selu"}, {"W": [0.5, 1], "activation": "identity"}]})
    assert "1.0507009873554805" in problem.conventions["formula.selu"]["en"]
