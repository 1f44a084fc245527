"""The dense-net kind: hand-worked values, and every backward value against finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
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
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "activation": "mish"}]}, "problem.layers[1].activation"),
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


# == the whole curriculum: losses, heads, batches, SGD steps ===========================

def sgd_exercise(order=(2, 1)):
    """CURRICULUM §4: a 2-2-2-1 net, sigmoid hidden layers, linear output, no biases, zero weights,
    L = ½(ŷ − y)², η = 1, observations (x₁, x₂, y) = (1, 1, 1) and (5, 2, 0)."""
    return build_problem({
        "kind": "dense", "X": [[1, 1], [5, 2]], "Y": [1, 0], "order": list(order), "loss": "squared",
        "half": True, "learning_rate": 1, "init": "zeros",
        "layers": [{"units": 2, "activation": "sigmoid"}, {"units": 2, "activation": "sigmoid"},
                   {"units": 1, "activation": "identity"}]})


def test_two_observation_sgd_worked_by_hand():
    # Step 1 takes observation 2: x = (5, 2), y = 0; every weight is 0.
    #   z₁ = x·W₁ = (0, 0), a₁ = σ(0) = (0.5, 0.5); z₂ = a₁·W₂ = (0, 0), a₂ = (0.5, 0.5)
    #   z₃ = a₂·W₃ = 0, ŷ = 0; L = ½(0 − 0)² = 0; ∂L/∂ŷ = ŷ − y = 0, so every gradient is 0
    #   and the weights stay 0.
    # Step 2 takes observation 1: x = (1, 1), y = 1; still all weights 0, so a₁ = a₂ = (0.5, 0.5), ŷ = 0.
    #   L = ½(0 − 1)² = 0.5; ∂L/∂ŷ = −1 = ∂L/∂z₃; ∂L/∂W₃ = a₂ᵀ·(−1) = (−0.5, −0.5)ᵀ
    #   ∂L/∂a₂ = −1·W₃ᵀ = (0, 0) (W₃ is still 0), so ∂L/∂z₂ = ∂L/∂W₂ = ∂L/∂W₁ = 0
    #   W₃ after step 2 = 0 − 1·(−0.5, −0.5)ᵀ = (0.5, 0.5)ᵀ; W₁, W₂ stay 0.
    v = sgd_exercise().evaluate()
    expect = {
        "x@1": [5, 2], "y@1": [0], "z1@1": [0, 0], "a1@1": [0.5, 0.5], "a2@1": [0.5, 0.5], "y_hat@1": [0],
        "L@1": 0, "grad.y_hat@1": [0], "grad.W3@1": [[0], [0]], "W3.next@1": [[0], [0]],
        "x@2": [1, 1], "y@2": [1], "a1@2": [0.5, 0.5], "a2@2": [0.5, 0.5], "y_hat@2": [0], "L@2": 0.5,
        "grad.y_hat@2": [-1], "grad.z3@2": [-1], "grad.W3@2": [[-0.5], [-0.5]], "grad.a2@2": [0, 0],
        "grad.z2@2": [0, 0], "grad.W2@2": [[0, 0], [0, 0]], "grad.W1@2": [[0, 0], [0, 0]],
        "W1.next@2": [[0, 0], [0, 0]], "W2.next@2": [[0, 0], [0, 0]], "W3.next@2": [[0.5], [0.5]],
    }
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, err_msg=key)


def test_two_observation_sgd_in_the_order_of_the_seed_solution():
    # The course's printed solution takes observation 1 first. Step 1 (x = (1, 1), y = 1) is step 2
    # above: W₃ becomes (0.5, 0.5)ᵀ. Step 2 (x = (5, 2), y = 0): a₁ = a₂ = (0.5, 0.5) (W₁ = W₂ = 0)
    #   ŷ = 0.5·0.5 + 0.5·0.5 = 0.5; ∂L/∂ŷ = 0.5; ∂L/∂W₃ = (0.25, 0.25)ᵀ
    #   ∂L/∂a₂ = 0.5·(0.5, 0.5) = (0.25, 0.25); ∂L/∂z₂ = (0.25, 0.25) ∘ 0.5·0.5 = (1/16, 1/16)
    #   ∂L/∂W₂ = a₁ᵀ·∂L/∂z₂ = 0.5·1/16 = 1/32 everywhere; ∂L/∂a₁ = ∂L/∂z₂·W₂ᵀ = 0, so W₁ stays 0
    #   W₃ = (0.5, 0.5) − (0.25, 0.25) = (0.25, 0.25); W₂ = −1/32 everywhere.
    v = sgd_exercise(order=(1, 2)).evaluate()
    np.testing.assert_allclose(v["grad.z2@2"], [1 / 16, 1 / 16])
    np.testing.assert_allclose(v["W3.next@2"], [[0.25], [0.25]])
    np.testing.assert_allclose(v["W2.next@2"], np.full((2, 2), -1 / 32))
    np.testing.assert_allclose(v["W1.next@2"], np.zeros((2, 2)))


def test_step_keys_and_symbols():
    one = lesson_net()
    assert not any("@" in key for key in one.keys())
    p = sgd_exercise()
    assert "z1" not in p and "z1@1" in p and "W3.next@2" in p
    assert p.quantities["z1@2"].symbol == "z₁⁽²⁾"
    assert p.quantities["grad.W1@2"].symbol == "∂L/∂W₁⁽²⁾"
    assert p.quantities["W1.next@1"].symbol == "W₁′⁽¹⁾"
    # step 2 starts from the weights step 1 left
    assert p.quantities["z1@2"].deps == ("x@2", "W1.next@1")
    assert p.quantities["z1@2"].formula == "z₁⁽²⁾ = x⁽²⁾·W₁′⁽¹⁾"
    assert "(step 2)" in p.quantities["z1@2"].meaning["en"] and "(шаг 2)" in p.quantities["z1@2"].meaning["ru"]
    assert "2, 1" in p.conventions["step"]["en"]


def test_sgd_matches_an_independent_reference_over_four_steps():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(3, 2)), np.array([1.0, 0.0, 1.0])
    W1, b1, W2, b2 = rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=(2, 1)), rng.normal(size=1)
    order, lr = [3, 1, 2, 1], 0.5
    p = build_problem({
        "kind": "dense", "X": X.tolist(), "Y": Y.tolist(), "order": order, "loss": "log", "learning_rate": lr,
        "layers": [{"W": W1.tolist(), "b": b1.tolist(), "activation": "tanh"},
                   {"W": W2.tolist(), "b": b2.tolist(), "activation": "sigmoid"}]})
    v = p.evaluate()
    for step, j in enumerate(order, start=1):  # written out: tanh hidden layer, sigmoid + log-loss head
        x, y = X[j - 1], Y[j - 1]
        a1 = np.tanh(x @ W1 + b1)
        p_hat = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
        d2 = p_hat - y                      # ∂L/∂z₂ of sigmoid + log-loss
        d1 = (W2 @ d2) * (1 - a1 ** 2)       # back through W₂ and tanh
        W1, b1 = W1 - lr * np.outer(x, d1), b1 - lr * d1
        W2, b2 = W2 - lr * np.outer(a1, d2), b2 - lr * d2
        np.testing.assert_allclose(v[f"y_hat@{step}"], p_hat, rtol=1e-12)
        for name, ref in {"W1": W1, "b1": b1, "W2": W2, "b2": b2}.items():
            np.testing.assert_allclose(v[f"{name}.next@{step}"], ref, rtol=1e-12, atol=1e-14)


def test_iterations_repeat_gradient_descent_on_the_same_data():
    p = lesson_net(learning_rate=0.1, iterations=3)
    v = p.evaluate()
    W1, W2 = np.array([[1, -1], [0.5, 0]]), np.array([[0.5], [1]])
    for step in (1, 2, 3):
        one = lesson_net(learning_rate=0.1, layers=[{"W": W1.tolist(), "activation": "relu"},
                                                     {"W": W2.tolist(), "activation": "identity"}]).evaluate()
        W1, W2 = one["W1.next"], one["W2.next"]
        np.testing.assert_allclose(v[f"W1.next@{step}"], W1)
        np.testing.assert_allclose(v[f"W2.next@{step}"], W2)
    assert "2 steps" not in p.conventions["step"]["en"] and "3 steps" in p.conventions["step"]["en"]


def test_sigmoid_head_with_log_loss_worked_by_hand():
    # The layer-by-layer net with a sigmoid on the output and log-loss, y = 0:
    #   z₁ = (2, −1), a₁ = (2, 0), z₂ = 2·0.5 + 0·1 = 1, ŷ = σ(1) = 0.731059
    #   L = −ln(1 − 0.731059) = ln(1 + e) = 1.313262
    #   ∂L/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ)) = 1/(1 − ŷ) = 1 + e = 3.718282
    #   ∂L/∂z₂ = ∂L/∂ŷ·σ′(z₂) = 3.718282·0.731059·0.268941 = 0.731059 = ŷ − y
    #   ∂L/∂W₂ = a₁ᵀ·0.731059 = (1.462117, 0)ᵀ; ∂L/∂a₁ = 0.731059·(0.5, 1) = (0.365529, 0.731059)
    #   ∂L/∂z₁ = (0.365529, 0); ∂L/∂W₁ = xᵀ·∂L/∂z₁ = [[0.365529, 0], [0.731059, 0]]
    layers = [{"W": [[1, -1], [0.5, 0]], "activation": "relu"}, {"W": [0.5, 1], "activation": "sigmoid"}]
    expect = {"y_hat": [0.731059], "L": 1.313262, "grad.z2": [0.731059], "grad.W2": [[1.462117], [0]],
              "grad.a1": [0.365529, 0.731059], "grad.z1": [0.365529, 0], "grad.W1": [[0.365529, 0], [0.731059, 0]]}
    for loss_from in ("output", "logits"):
        data = {"kind": "dense", "x": [1, 2], "y": 0, "loss": "log", "loss_from": loss_from, "learning_rate": 1,
                "layers": layers}
        v = build_problem(data).evaluate()
        for key, value in expect.items():
            np.testing.assert_allclose(v[key], value, atol=5e-7, err_msg=f"{loss_from} {key}")
        if loss_from == "output":
            np.testing.assert_allclose(v["grad.y_hat"], [1 + np.e])
        else:
            assert "grad.y_hat" not in build_problem(data)


def softmax_batch(reduction="sum", Y=(1, 3), layout="row", loss_from="output"):
    # X = I picks the rows of W: the logits of the two observations are (1, −2, 0) and (0.5, −1, 0)
    W = np.array([[1, -2, 0], [0.5, -1, 0]])
    return build_problem({
        "kind": "dense", "layout": layout, "X": [[1, 0], [0, 1]],
        "Y": list(Y) if np.ndim(Y) == 1 else (np.array(Y) if layout == "row" else np.array(Y).T).tolist(),
        "reduction": reduction, "loss": "cross_entropy", "loss_from": loss_from, "learning_rate": 1,
        "layers": [{"W": (W if layout == "row" else W.T).tolist(), "activation": "softmax"}]})


def test_softmax_and_log_loss_of_two_observations_by_hand():
    # Observation 1: logits (1, −2, 0) → p = (0.705385, 0.035119, 0.259496); class 1: −ln 0.705385 = 0.349012
    # Observation 2: logits (0.5, −1, 0): e^0.5 = 1.648721, e⁻¹ = 0.367879, 1; sum 3.016601
    #   p = (0.546549, 0.121952, 0.331499); class 3: −ln 0.331499 = 1.104131
    # sum: 0.349012 + 1.104131 = 1.453143; mean: 1.453143/2 = 0.726571
    v = softmax_batch().evaluate()
    np.testing.assert_allclose(v["Y_hat"], [[0.705385, 0.035119, 0.259496], [0.546549, 0.121952, 0.331499]],
                               atol=5e-7)
    assert float(v["L"]) == pytest.approx(1.453143, abs=5e-7)
    assert float(softmax_batch("mean").evaluate()["L"]) == pytest.approx(0.726571, abs=1e-6)
    # ∂L/∂Z = P − Y: (0.705385 − 1, 0.035119, 0.259496) and (0.546549, 0.121952, 0.331499 − 1)
    np.testing.assert_allclose(v["grad.Z1"], [[-0.294615, 0.035119, 0.259496], [0.546549, 0.121952, -0.668501]],
                               atol=5e-7)
    one_hot = softmax_batch(Y=[[1, 0, 0], [0, 0, 1]]).evaluate()
    np.testing.assert_array_equal(one_hot["Y"], v["Y"])
    for layout in ("row", "column"):
        for loss_from in ("output", "logits"):
            w = softmax_batch(layout=layout, loss_from=loss_from).evaluate()
            assert float(w["L"]) == pytest.approx(float(v["L"]), rel=1e-12)
            np.testing.assert_allclose(w["grad.Z1"] if layout == "row" else w["grad.Z1"].T, v["grad.Z1"],
                                       atol=1e-12)


@pytest.mark.parametrize("T, expected", [
    (10.0, [0.278010, 0.307248, 0.414742]),   # e^(0.1, 0.2, 0.5) / 3.975295
    (1.0, [0.017148, 0.046613, 0.936240]),    # e^(1, 2, 5) / 158.520497
    (0.1, [4.248354e-18, 9.357623e-14, 1.0]),  # ≈ (e⁻⁴⁰, e⁻³⁰, 1)
])
def test_softmax_temperature_in_a_net(T, expected):
    # one input 1, W = (1, 2, 5): the logits are (1, 2, 5); target class 3
    p = build_problem({"kind": "dense", "x": 1, "y": 3, "loss": "cross_entropy", "learning_rate": 1,
                       "layers": [{"W": [[1, 2, 5]], "activation": "softmax", "temperature": T}]})
    v = p.evaluate()
    np.testing.assert_allclose(v["y_hat"], expected, rtol=2e-6, atol=1e-6)
    # with temperature, ∂L/∂z = (p − y)/T
    np.testing.assert_allclose(v["grad.z1"], (v["y_hat"] - [0, 0, 1]) / T, atol=1e-12)
    if T != 1.0:
        assert f"softmax(z₁/{T:g})" in p.quantities["y_hat"].formula
        assert "temperature1" in p.conventions


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from(["row", "column"]), st.integers(1, 3), st.integers(2, 4))
def test_matched_heads_give_p_minus_y(seed, layout, m, k):
    # softmax + cross-entropy and sigmoid + log-loss: ∂L/∂Z = (P − Y)/m for a mean
    rng = np.random.default_rng(seed)
    row = layout == "row"
    X = rng.normal(size=(m, 2))
    W = rng.normal(size=(2, k))
    labels = rng.integers(1, k + 1, size=m)
    for loss, act, Y in (("cross_entropy", "softmax", labels.tolist()),
                         ("log", "sigmoid", rng.integers(0, 2, size=(m, k)).astype(float))):
        Yd = Y if loss == "cross_entropy" else (Y if row else Y.T).tolist()
        p = build_problem({"kind": "dense", "layout": layout, "X": (X if row else X.T).tolist(), "Y": Yd,
                           "reduction": "mean", "loss": loss, "learning_rate": 1,
                           "layers": [{"W": (W if row else W.T).tolist(), "activation": act}]})
        v = p.evaluate()
        np.testing.assert_allclose(v["grad.Z1"], (v["Y_hat"] - v["Y"]) / m, atol=1e-12)


def test_poisson_head_worked_by_hand():
    # x = 1, W = 0.5: z = 0.5, λ = e^0.5 = 1.648721; y = 2
    # L = λ − y·ln λ = 1.648721 − 2·0.5 = 0.648721; ∂L/∂λ = 1 − 2/1.648721 = −0.213061
    # ∂L/∂z = ∂L/∂λ·λ = λ − y = −0.351279; W′ = 0.5 − 0.1·(1·(−0.351279)) = 0.535128
    for loss_from in ("output", "logits"):
        v = build_problem({"kind": "dense", "x": 1, "y": 2, "loss": "poisson", "loss_from": loss_from,
                           "learning_rate": 0.1, "layers": [{"W": [[0.5]], "activation": "exp"}]}).evaluate()
        assert float(v["L"]) == pytest.approx(0.648721, abs=5e-7)
        np.testing.assert_allclose(v["grad.z1"], [-0.351279], atol=5e-7)
        np.testing.assert_allclose(v["W1.next"], [[0.535128]], atol=5e-7)


@pytest.mark.parametrize("layout", ["row", "column"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_batch_matrix_form_is_the_sum_or_mean_over_observations(layout, reduction):
    # Z = X·W + b, ∂L/∂W = Xᵀ·∂L/∂Z, ∂L/∂b = column sums: the same as adding up one-observation gradients
    rng = np.random.default_rng(11)
    row = layout == "row"
    m = 3
    X, Y = rng.normal(size=(m, 2)), rng.normal(size=(m, 2))
    W1, b1, W2, b2 = rng.normal(size=(2, 3)), rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2)
    layers = [{"W": (W1 if row else W1.T).tolist(), "b": b1.tolist(), "activation": "tanh"},
              {"W": (W2 if row else W2.T).tolist(), "b": b2.tolist(), "activation": "softmax", "temperature": 2}]
    common = {"kind": "dense", "layout": layout, "loss": "squared", "half": False, "learning_rate": 1,
              "layers": layers}
    batch = build_problem({**common, "X": (X if row else X.T).tolist(), "Y": (Y if row else Y.T).tolist(),
                           "reduction": reduction}).evaluate()
    singles = [build_problem({**common, "x": X[i].tolist(), "y": Y[i].tolist()}).evaluate() for i in range(m)]
    c = 1 / m if reduction == "mean" else 1
    assert float(batch["L"]) == pytest.approx(c * sum(float(s["L"]) for s in singles))
    for key in ("grad.W1", "grad.b1", "grad.W2", "grad.b2"):
        np.testing.assert_allclose(batch[key], c * sum(s[key] for s in singles), atol=1e-12, err_msg=key)
    Z1 = np.stack([s["z1"] for s in singles])
    np.testing.assert_allclose(batch["Z1"], Z1 if row else Z1.T, atol=1e-12)


def test_random_init_is_seeded_and_reproducible():
    data = {"kind": "dense", "x": [1, 2], "y": 0, "loss": "squared", "half": True, "learning_rate": 1,
            "init": {"seed": 1, "scale": 0.1}, "biases": True,
            "layers": [{"units": 3, "activation": "relu"}, {"units": 1, "activation": "identity"}]}
    v = build_problem(data).evaluate()
    rng = np.random.default_rng(1)
    W1, W2 = rng.normal(0, 0.1, size=(2, 3)), rng.normal(0, 0.1, size=(3, 1))  # layer by layer
    np.testing.assert_array_equal(v["W1"], W1)
    np.testing.assert_array_equal(v["W2"], W2)
    np.testing.assert_array_equal(v["b1"], np.zeros(3))
    np.testing.assert_array_equal(build_problem(data).evaluate()["W1"], W1)
    col = build_problem({**data, "layout": "column"}).evaluate()
    assert col["W1"].shape == (3, 2)


def test_biases_on_and_off():
    off = lesson_net()
    assert "b1" not in off and off.conventions["biases"]["en"] == "no biases"
    on = lesson_net(biases=True)
    assert "b1" in on and "grad.b2" in on and "b2.next" in on
    np.testing.assert_allclose(on.evaluate()["grad.W1"], off.evaluate()["grad.W1"])  # zero biases change nothing


def test_zero_init_gives_zero_weights_of_the_stated_sizes():
    v = sgd_exercise().evaluate()
    assert v["W1"].shape == (2, 2) and v["W3"].shape == (2, 1)
    assert not np.any(v["W1"]) and not np.any(v["W3"])


def test_leaky_relu_slope_is_data():
    v = lesson_net(layers=[{"W": [[1, -1], [0.5, 0]], "activation": "leaky_relu", "slope": 0.1},
                           {"W": [0.5, 1], "activation": "identity"}]).evaluate()
    # z₁ = (2, −1) → a₁ = (2, −0.1); ŷ = 1 − 0.1 = 0.9
    np.testing.assert_allclose(v["a1"], [2, -0.1])
    np.testing.assert_allclose(v["y_hat"], [0.9])


_SGD = {"X": [[1, 1], [5, 2]], "Y": [1, 0]}


@pytest.mark.parametrize("patch, field", [
    ({"X": [[1, 2]]}, "problem.x"),                              # x and X together
    ({"reduction": "mean"}, "problem.reduction"),                # reduction with one observation
    ({"half": True, "loss": "log", "layers": [{"W": [0.5, 1], "activation": "sigmoid"}]}, "problem.half"),
    ({"loss": "log", "layers": [{"W": [0.5, 1], "activation": "relu"}]}, "problem.layers[1].activation"),
    ({"loss": "cross_entropy", "layers": [{"W": [[1, 0], [0, 1]], "activation": "sigmoid"}]},
     "problem.layers[1].activation"),
    ({"loss": "poisson", "layers": [{"W": [0.5, 1], "activation": "identity"}]}, "problem.layers[1].activation"),
    ({"loss": "log", "y": 2, "layers": [{"W": [0.5, 1], "activation": "sigmoid"}]}, "problem.y"),
    ({"loss": "cross_entropy", "y": 3, "layers": [{"W": [[1, 0], [0, 1]], "activation": "softmax"}]},
     "problem.y"),
    ({"loss": "cross_entropy", "y": [1, 1], "layers": [{"W": [[1, 0], [0, 1]], "activation": "softmax"}]},
     "problem.y"),
    ({"loss_from": "logits"}, "problem.loss_from"),             # squared loss has no logits form
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "activation": "relu", "slope": 0.1}]}, "problem.layers[1].slope"),
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "activation": "softmax", "temperature": 0}]},
     "problem.layers[1].temperature"),
    ({"layers": [{"units": 2, "activation": "relu"}]}, "problem.layers[1].W"),  # no W and no init
    ({"init": "zeros", "layers": [{"activation": "relu"}]}, "problem.layers[1].units"),
    ({"init": {"seed": -1, "scale": 0.1}, "layers": [{"units": 1, "activation": "relu"}]}, "problem.init.seed"),
    ({"init": {"seed": 1}, "layers": [{"units": 1, "activation": "relu"}]}, "problem.init.scale"),
    ({"init": "ones"}, "problem.init"),
    ({"biases": False, "layers": [{"W": [[1, -1], [0.5, 0]], "b": [0, 0], "activation": "relu"}]},
     "problem.layers[1].b"),
    ({"layers": [{"W": [[1, -1], [0.5, 0]], "units": 3, "activation": "relu"}]}, "problem.layers[1].units"),
    ({"iterations": 0}, "problem.iterations"),
])
def test_more_bad_data_names_the_field(patch, field):
    data = {"kind": "dense", "x": [1, 2], "y": 0, "loss": "squared", "half": False, "learning_rate": 1,
            "layers": [{"W": [[1, -1], [0.5, 0]], "activation": "relu"}, {"W": [0.5, 1], "activation": "identity"}]}
    if patch.get("loss", "squared") != "squared":
        del data["half"]
    data.update(patch)
    with pytest.raises(DataError) as info:
        build_problem(data)
    assert info.value.field == field


@pytest.mark.parametrize("patch, field", [
    ({"order": [3, 1]}, "problem.order"),
    ({"order": []}, "problem.order"),
    ({"order": [1, 2], "reduction": "sum"}, "problem.reduction"),
    ({"order": [1, 2], "iterations": 2}, "problem.iterations"),
    ({}, "problem.reduction"),                                   # a batch must say mean or sum
    ({"Y": [1, 0, 1], "reduction": "sum"}, "problem.Y"),
    ({"y": 1, "reduction": "sum"}, "problem.y"),
])
def test_bad_observation_data_names_the_field(patch, field):
    data = {"kind": "dense", **_SGD, "loss": "squared", "half": True, "learning_rate": 1,
            "layers": [{"W": [[1, 0], [0, 1]], "activation": "sigmoid"}, {"W": [1, 1], "activation": "identity"}]}
    data.update(patch)
    with pytest.raises(DataError) as info:
        build_problem(data)
    assert info.value.field == field


# -- every backward value of every kind of net, against central differences --------------

_HEADS = {"log": "sigmoid", "cross_entropy": "softmax", "poisson": "exp"}
_HIDDEN = ["identity", "relu", "leaky_relu", "sigmoid", "tanh", "step", "softmax"]  # exp: as the Poisson head
_KINKED = {"relu", "leaky_relu", "step"}


@st.composite
def any_net(draw):
    """Random data of every shape the kind reads: layouts, batches, SGD, steps, heads, losses."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    row = draw(st.sampled_from([True, False]))
    mode = draw(st.sampled_from(["single", "batch", "sgd", "iterations"]))
    loss = draw(st.sampled_from(["squared", "log", "cross_entropy", "poisson"]))
    n_layers = draw(st.integers(1, 3))
    sizes = [draw(st.integers(1, 3)) for _ in range(n_layers + 1)]
    if loss == "cross_entropy":
        sizes[-1] = draw(st.integers(2, 3))
    m = draw(st.integers(1, 3)) if mode == "batch" else 2
    layers = []
    for i in range(n_layers):
        act = _HEADS[loss] if i == n_layers - 1 and loss in _HEADS else draw(st.sampled_from(_HIDDEN))
        shape = (sizes[i], sizes[i + 1]) if row else (sizes[i + 1], sizes[i])
        layer = {"W": (0.8 * rng.normal(size=shape)).tolist(), "activation": act}
        if act == "leaky_relu":
            layer["slope"] = draw(st.sampled_from([0.01, 0.2]))
        if act == "softmax":
            layer["temperature"] = draw(st.sampled_from([0.5, 1.0, 2.0, 10.0]))
        if draw(st.booleans()):
            layer["b"] = (0.5 * rng.normal(size=sizes[i + 1])).tolist()
        layers.append(layer)
    k, n = sizes[-1], sizes[0]
    count = 1 if mode in ("single", "iterations") else m
    if loss == "squared":
        targets = rng.normal(size=(count, k))
    elif loss == "log":
        targets = rng.integers(0, 2, size=(count, k)).astype(float) if draw(st.booleans()) \
            else rng.uniform(size=(count, k))
    elif loss == "poisson":
        targets = rng.integers(0, 4, size=(count, k)).astype(float)
    else:
        targets = np.eye(k)[rng.integers(0, k, size=count)]
    inputs = rng.normal(size=(count, n))
    data = {"kind": "dense", "layout": "row" if row else "column", "loss": loss, "learning_rate": 0.1,
            "layers": layers}
    labels = loss == "cross_entropy" and draw(st.booleans())
    if count == 1:
        data["x"], data["y"] = inputs[0].tolist(), (int(np.argmax(targets[0])) + 1 if labels else targets[0].tolist())
        if mode == "iterations":
            data["iterations"] = 2
    else:
        data["X"] = (inputs if row else inputs.T).tolist()
        data["Y"] = ([int(c) + 1 for c in np.argmax(targets, axis=1)] if labels
                     else (targets if row else targets.T).tolist())
        if mode == "sgd":
            data["order"] = [int(j) + 1 for j in rng.integers(0, m, size=2)]
        else:
            data["reduction"] = draw(st.sampled_from(["mean", "sum"]))
    if loss == "squared":
        data["half"] = draw(st.booleans())
    else:
        data["loss_from"] = draw(st.sampled_from(["output", "logits"]))
    return data


def _central_on(problem, target, loss, h=1e-6):
    base = np.array(problem.evaluate()[target])
    grad = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (float(problem.evaluate({target: plus})[loss])
                     - float(problem.evaluate({target: minus})[loss])) / (2 * h)
    return grad


def _is_delicate(data, problem, values) -> bool:
    """Draws where differences cannot be trusted: a kink within 1e-3; an output probability (or
    rate) so close to 0 or 1 that ln changes too fast for a step of 1e-6; a loss above 1e3, where
    rounding L(v ± h) costs more than 1e-6 of the gradient."""
    kinked = {f"{i}" for i, layer in enumerate(data["layers"], start=1) if layer["activation"] in _KINKED}
    for key, q in problem.quantities.items():
        base = key.split("@")[0]
        if q.role == "loss" and not abs(float(values[key])) < 1e3:
            return True
        if q.role == "forward" and base[:1] in "zZ" and base[1:] in kinked and np.min(np.abs(values[key])) < 1e-3:
            return True
        if q.role == "forward" and base in ("y_hat", "Y_hat") and data["loss"] != "squared":
            out = np.asarray(values[key])
            if np.min(out) < 1e-2 or (data["loss"] == "log" and np.max(out) > 1 - 1e-2):
                return True
    return False


@settings(max_examples=70, deadline=None)
@given(any_net())
def test_every_backward_value_of_any_net_matches_central_differences(data):
    problem = build_problem(data)
    values = problem.evaluate()
    assume(not _is_delicate(data, problem, values))
    checked = 0
    for key, q in problem.quantities.items():
        if q.role != "backward":
            continue
        name, _, step = key[len("grad."):].partition("@")
        at = f"@{step}" if step else ""
        if name[0] in "Wb":  # a parameter: the value this step started from
            z = ("Z" if "Y_hat" + at in problem else "z") + name[1:] + at
            target = problem.quantities[z].deps[1 if name[0] == "W" else 2]
        else:
            target = name + at
        numeric = _central_on(problem, target, "L" + at)
        analytic = np.asarray(values[key])
        assert analytic.shape == numeric.shape, key
        scale = max(1.0, float(np.max(np.abs(numeric))))
        assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, key
        checked += 1
    assert checked >= 2


def test_every_formula_names_its_own_quantity():
    """Each worked formula starts with the symbol of the quantity it computes (∂L/∂z₂ = …, not
    ∂L/∂z₁ = …): a formula written late must not pick up a later layer's names."""
    import tomllib
    from pathlib import Path

    from nntutor.core.catalog import lessons_dir
    from nntutor.core.kinds import build_problem

    files = sorted((Path(__file__).parents[1] / "lessons" / "kinds").glob("*.toml"))
    files += sorted(lessons_dir().glob("*/*.toml"))
    checked = 0
    for path in files:
        data = tomllib.loads(path.read_text(encoding="utf-8"))["problem"]
        if data["kind"] not in ("dense", "layer"):
            continue
        for key, q in build_problem(data).quantities.items():
            if not q.is_given and q.formula:
                assert q.formula.startswith(q.symbol + " = "), (path.name, key, q.formula)
                checked += 1
    assert checked > 200
