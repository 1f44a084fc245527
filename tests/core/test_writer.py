"""The graph writer places an operation at keys: its value, its formula and its slips read there."""

import numpy as np

from nntutor.core.graph import texts
from nntutor.core.ops import ACTIVATIONS
from nntutor.core.ops import activation
from nntutor.core.writer import Writer

MEANING = texts("a value", "значение")


def _net():
    w = Writer("test")
    w.given("z2", np.array([-1.0, 0.5]), "z₂", MEANING)
    w.apply(activation.forward(ACTIVATIONS["tanh"]), out="a2", symbol="a₂", meaning=MEANING, role="forward", z="z2")
    w.given("g2", np.array([1.0, 2.0]), "∂L/∂a₂", MEANING)
    w.apply(activation.backward(ACTIVATIONS["tanh"]), out="dz2", symbol="∂L/∂z₂", meaning=MEANING, role="backward",
            g="g2", z="z2", a="a2")
    return w.build()


def test_an_applied_operation_computes_its_value_from_the_keys_it_is_placed_at():
    values = _net().evaluate()
    np.testing.assert_allclose(values["a2"], np.tanh([-1.0, 0.5]))
    np.testing.assert_allclose(values["dz2"], [1.0, 2.0] * (1 - np.tanh([-1.0, 0.5]) ** 2))


def test_the_formula_and_the_slips_read_with_the_symbols_of_the_place():
    q = _net().quantities["dz2"]
    assert q.formula == "∂L/∂z₂ = ∂L/∂a₂ ∘ tanh′(z₂)"
    assert "{" not in q.formula
    messages = [m.message["en"] for m in q.mistakes]
    assert messages and all("{" not in m for m in messages)
    assert any("z₂" in m for m in messages)


def test_a_slip_named_in_the_template_is_computed_from_the_placed_keys():
    problem = _net()
    values = problem.evaluate()
    by_name = {m.name: v for m, v in problem.mistake_values("dz2", values)}
    # tanh′ without the square: 1 − tanh(z), a slip every place of tanh's backward declares
    assert any(np.allclose(v, [1.0, 2.0] * (1 - np.tanh([-1.0, 0.5]))) for v in by_name.values())
