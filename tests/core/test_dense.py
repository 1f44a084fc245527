"""The dense-net kind: hand-worked values, and every backward value against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.kinds import DataError, build_problem
from nntutor.core.ops import ACTIVATIONS


def lesson_net(**extra):
    data = {"kind": "dense", "x": [1, 2], "y": 0, "loss": "squared", "half": False, "learning_rate": 1,
            "layers": [{"W": [[1, -1], [0.5, 0]], "activation": "relu"}, {"W": [0.5, 1], "activation": "identity"}]}
    data.update(extra)
    return build_problem(data)


def test_layer_by_layer_worked_by_hand():
    # x = (1, 2), W1 = [[1, -1], [0.5, 0]]:  z1 = (1·1 + 2·0.5, 1·(−1) + 2·0) = (2, −1)
    # a1 = ReLU(z1) = (2, 0);  ŷ = 2·0.5 + 0·1 = 1;  L = (1 − 0)² = 1
    # ∂L/∂ŷ = 2(ŷ − y) = 2;  ∂L/∂W2 = a1ᵀ·2 = (4, 0)ᵀ;  ∂L/∂a1 = 2·(0.5, 1) = (1, 2)
    # ∂L/∂z1 = (1, 2) ∘ ReLU′(2, −1) = (1, 0);  ∂L/∂W1 = xᵀ(1, 0) = [[1, 0], [2, 0]]
    # W1′ = W1 − ∂L/∂W1 = [[0, −1], [−1.5, 0]];  W2′ = (0.5 − 4, 1 − 0) = (−3.5, 1)
    v = lesson_net().evaluate()
    expect = {
        "z1": [2, -1], "a1": [2, 0], "y_hat": [1], "L": 1, "grad.y_hat": [2], "grad.W2": [[4], [0]],
        "grad.a1": [1, 2], "grad.z1": [1, 0], "grad.W1": [[1, 0], [2, 0]],
        "W1.next": [[0, -1], [-1.5, 0]], "W2.next": [[-3.5], [1]],
    }
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, err_msg=key)


def test_half_convention_halves_the_loss_and_its_gradient():
    full, half = lesson_net().evaluate(), lesson_net(half=True).evaluate()
    assert half["L"] == full["L"] / 2
    np.testing.assert_allclose(half["grad.W1"], full["grad.W1"] / 2)


def test_override_feeds_downstream():
    p = lesson_net()
    v = p.evaluate({"a1": np.array([2.0, 1.0])})  # as if the student's a1 were accepted
    assert v["y_hat"][0] == pytest.approx(2 * 0.5 + 1 * 1)
    assert v["z1"].tolist() == [2, -1]  # upstream untouched


def test_values_are_read_only():
    v = lesson_net().evaluate()
    with pytest.raises(ValueError):
        v["W1"][0, 0] = 5


@pytest.mark.parametrize("patch, field", [
    ({"x": "one"}, "problem.x"),
    ({"half": 1}, "problem.half"),
    ({"learning_rate": -1}, "problem.learning_rate"),
    ({"layers": [{"W": [[1, 2, 3]], "activation": "relu"}]}, "problem.layers[1].W"),
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "activation": "softplus"}]}, "problem.layers[1].activation"),
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "b": [1, 2, 3], "activation": "relu"}]}, "problem.layers[1].b"),
    ({"colour": "red"}, "problem.colour"),
])
def test_bad_data_names_the_field(patch, field):
    with pytest.raises(DataError) as info:
        lesson_net(**patch)
    assert info.value.field == field


# -- finite differences -----------------------------------------------------------------

SMOOTH = ["identity", "sigmoid", "tanh"]


@st.composite
def nets(draw):
    n_layers = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 4)) for _ in range(n_layers + 1)]
    layout = draw(st.sampled_from(["row", "column"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    layers = []
    for i in range(n_layers):
        shape = (sizes[i], sizes[i + 1]) if layout == "row" else (sizes[i + 1], sizes[i])
        layer = {"W": rng.normal(size=shape).tolist(), "activation": draw(st.sampled_from(SMOOTH + ["relu"]))}
        if draw(st.booleans()):
            layer["b"] = rng.normal(size=sizes[i + 1]).tolist()
        layers.append(layer)
    return {"kind": "dense", "layout": layout, "x": rng.normal(size=sizes[0]).tolist(),
            "y": rng.normal(size=sizes[-1]).tolist(), "loss": "squared", "half": draw(st.booleans()),
            "learning_rate": 0.1, "layers": layers}


def _central(problem, key, h=1e-6):
    base = problem.evaluate()
    value = np.array(base[key])
    grad = np.zeros_like(value)
    for idx in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (problem.evaluate({key: plus})["L"] - problem.evaluate({key: minus})["L"]) / (2 * h)
    return grad


@settings(max_examples=60, deadline=None)
@given(nets())
def test_every_backward_value_matches_central_differences(data):
    problem = build_problem(data)
    values = problem.evaluate()
    # ReLU kinks make finite differences meaningless right at 0: skip such draws' relu layers
    for key in problem.keys():
        if key.startswith("grad."):
            target = key[len("grad."):]
            if _near_kink(problem, values, target):
                continue
            numeric = _central(problem, target)
            analytic = np.asarray(values[key]).reshape(numeric.shape)
            scale = max(1.0, float(np.max(np.abs(numeric))))
            assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, key


def _near_kink(problem, values, target) -> bool:
    for key, q in problem.quantities.items():
        if key.startswith("z") and np.any(np.abs(values[key]) < 1e-4):
            return True
    return False


def test_update_is_a_step_against_the_gradient():
    p = lesson_net(learning_rate=0.5)
    v = p.evaluate()
    np.testing.assert_allclose(v["W1.next"], v["W1"] - 0.5 * v["grad.W1"])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_derivatives(name):
    act = ACTIVATIONS[name]
    z = np.array([-2.0, -0.3, 0.4, 1.7])
    h = 1e-6
    numeric = (act.f(z + h) - act.f(z - h)) / (2 * h)
    np.testing.assert_allclose(act.df(z), numeric, rtol=1e-6, atol=1e-8)
