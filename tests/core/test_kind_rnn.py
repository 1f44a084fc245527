"""The rnn kind: hand-worked values, BPTT against finite differences, sums of products, norms."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.kinds import DataError, build_problem
from nntutor.core.lesson import load_lesson

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "rnn.toml"


def scalar_net(**extra):
    data = {"kind": "rnn", "x": [1, 2, -1], "U": 1, "W": 0.5, "activation": "identity", "loss": "none"}
    data.update(extra)
    return build_problem(data)


def sigma(t: float) -> float:
    return 1.0 / (1.0 + math.exp(-t))


# -- worked by hand ---------------------------------------------------------------------

def test_three_scalar_steps_worked_by_hand():
    # s_t = z_t = 1·x_t + 0.5·s_{t−1}, s0 = 0, x = (1, 2, −1), L = s3
    # z1 = 1 + 0.5·0 = 1            s1 = 1
    # z2 = 2 + 0.5·1 = 2.5          s2 = 2.5
    # z3 = −1 + 0.5·2.5 = 0.25      s3 = 0.25,  L = 0.25
    # BPTT (f′ = 1): ∂L/∂s3 = 1, ∂L/∂z3 = 1; ∂L/∂s2 = W·1 = 0.5 = ∂L/∂z2;
    #   ∂L/∂s1 = 0.5·0.5 = 0.25 = ∂L/∂z1;  ∂L/∂s0 = 0.5·0.25 = 0.125
    # ∂L/∂W = Σ ∂L/∂z_t·s_{t−1} = 1·2.5 + 0.5·1 + 0.25·0 = 3
    # ∂L/∂U = Σ ∂L/∂z_t·x_t = 1·(−1) + 0.5·2 + 0.25·1 = 0.25
    # sum of products: ∂s3/∂W = f′·s2 + (f′W)·f′·s1 + (f′W)²·f′·s0 = 2.5 + 0.5·1 + 0.25·0 = 3
    #   ∂s2/∂W = s1 + 0.5·s0 = 1;  ∂s1/∂W = s0 = 0
    # |∂s_k/∂s1| = 0.5^(k−1): 1, 0.5, 0.25;  clip τ = 1: ‖∂L/∂W‖ = 3 → 3·(1/3) = 1
    v = scalar_net(clip=1).evaluate()
    expect = {
        "z1": 1, "s1": 1, "z2": 2.5, "s2": 2.5, "z3": 0.25, "s3": 0.25, "L": 0.25,
        "grad.s3": 1, "grad.z3": 1, "grad.s2": 0.5, "grad.z2": 0.5, "grad.s1": 0.25, "grad.z1": 0.25,
        "grad.s0": 0.125, "grad.W": 3, "grad.U": 0.25,
        "ds1.dW.direct": 0, "ds2.dW.direct": 1, "ds3.dW.direct": 2.5, "ds3.ds2": 0.5,
        "ds1.dW": 0, "ds2.dW": 1, "ds3.dW": 3,
        "jac_norm1": 1, "jac_norm2": 0.5, "jac_norm3": 0.25, "jac_norms": [1, 0.5, 0.25],
        "grad.W.norm": 3, "grad.W.clipped": 1,
    }
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, err_msg=key)
    assert v["s3"].shape == ()  # a scalar net has scalar quantities


def test_softmax_and_cross_entropy_worked_by_hand():
    # U = W = 1, s0 = 0, x = (0, 1), f = identity, V = (1, −1)ᵀ, classes (1, 2), summed
    # s1 = 0: v1 = (0, 0), o1 = (½, ½);  s2 = 1 + 1·0 = 1: v2 = (1, −1), o2 = (σ(2), σ(−2))
    # L = −ln ½ − ln σ(−2) = ln 2 + ln(1 + e²)
    # ∂L/∂v1 = o1 − (1, 0) = (−½, ½);  ∂L/∂v2 = o2 − (0, 1) = (σ(2), −σ(2))
    # ∂L/∂s2 = Vᵀ∂L/∂v2 = σ(2) + σ(2) = 2σ(2) = ∂L/∂z2
    # ∂L/∂s1 = Vᵀ∂L/∂v1 + W·∂L/∂z2 = (−½ − ½) + 2σ(2) = ∂L/∂z1
    # ∂L/∂W = ∂L/∂z1·s0 + ∂L/∂z2·s1 = 0;  ∂L/∂U = ∂L/∂z1·0 + ∂L/∂z2·1 = 2σ(2)
    # ∂L/∂V = ∂L/∂v1·s1 + ∂L/∂v2·s2 = (σ(2), −σ(2))
    p = build_problem({"kind": "rnn", "x": [0, 1], "U": 1, "W": 1, "activation": "identity",
                       "output": "softmax", "V": [1, -1], "loss": "cross_entropy", "labels": [1, 2]})
    v = p.evaluate()
    s2 = sigma(2)
    expect = {
        "o1": [0.5, 0.5], "v2": [1, -1], "o2": [s2, 1 - s2], "L": math.log(2) + math.log(1 + math.e ** 2),
        "grad.v1": [-0.5, 0.5], "grad.v2": [s2, -s2], "grad.s2": 2 * s2, "grad.z2": 2 * s2,
        "grad.s1": 2 * s2 - 1, "grad.z1": 2 * s2 - 1, "grad.W": 0, "grad.U": 2 * s2, "grad.V": [s2, -s2],
    }
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, err_msg=key, atol=1e-12)


def test_mean_reduction_divides_by_the_number_of_steps():
    data = {"kind": "rnn", "x": [0.3, -1, 2], "U": [0.7, -0.2], "W": [[0.1, -0.4], [0.3, 0.2]],
            "activation": "tanh", "output": "softmax", "V": [[1, 0.5], [-1, 2], [0, 1]]}
    total = build_problem({**data, "loss": "cross_entropy", "labels": [1, 3, 2]}).evaluate()
    mean = build_problem({**data, "loss": "cross_entropy", "labels": [1, 3, 2], "reduction": "mean"}).evaluate()
    np.testing.assert_allclose(mean["L"], total["L"] / 3)
    np.testing.assert_allclose(mean["grad.W"], total["grad.W"] / 3)


def test_override_carries_a_students_rounding_forward():
    p = scalar_net()
    v = p.evaluate({"ds3.ds2": 0.4})  # as if the student's ∂s3/∂s2 were accepted
    # ∂s3/∂W = 2.5 + 0.4·(1 + 0.5·0) = 2.9; |∂s3/∂s1| = 0.4·0.5
    np.testing.assert_allclose(v["ds3.dW"], 2.9)
    np.testing.assert_allclose(v["jac_norm3"], 0.2)
    np.testing.assert_allclose(v["grad.W"], 3)  # BPTT does not read the scalar chain


def test_every_step_of_the_test_lesson_is_computable():
    lesson = load_lesson(LESSON)
    values = lesson.problem.evaluate()
    assert lesson.problem.kind == "rnn"
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity
    # the lesson's clipping threshold is below the gradient's norm, so clipping shows
    assert abs(float(values["grad.W.clipped"])) == pytest.approx(0.2)


# -- vanishing, exploding, clipping -----------------------------------------------------

@pytest.mark.parametrize("w, act", [(0.5, "identity"), (0.9, "tanh"), (-0.8, "sigmoid")])
def test_gradient_vanishes_when_every_factor_is_below_one(w, act):
    p = scalar_net(x=[0.5, -1, 2, 0.3, 1, -0.7, 0.2, 1.5], W=w, activation=act)
    norms = p.evaluate()["jac_norms"]
    assert norms[0] == 1
    assert np.all(np.diff(norms) < 0)
    assert norms[-1] <= abs(w) ** 7 + 1e-15


@pytest.mark.parametrize("w, act, x", [(1.5, "identity", [1, -2, 0.5, 1, 3, -1]),
                                       (2.0, "relu", [1, 1, 1, 1, 1, 1])])
def test_gradient_explodes_when_every_factor_is_above_one(w, act, x):
    norms = scalar_net(x=x, W=w, activation=act).evaluate()["jac_norms"]
    np.testing.assert_allclose(norms, w ** np.arange(6))


def test_vector_norm_is_the_spectral_norm_of_the_product():
    # identity activation, W = diag(1.5, 0.2): ∂s_k/∂s1 = W^(k−1), spectral norm 1.5^(k−1)
    p = build_problem({"kind": "rnn", "x": [[1, 0]] * 5, "U": [[1, 0], [0, 1]], "W": [[1.5, 0], [0, 0.2]],
                       "activation": "identity", "loss": "none"})
    np.testing.assert_allclose(p.evaluate()["jac_norms"], 1.5 ** np.arange(5))


@pytest.mark.parametrize("tau, scaled", [(0.5, True), (100.0, False)])
def test_clipping_scales_only_a_gradient_above_the_threshold(tau, scaled):
    p = build_problem({"kind": "rnn", "x": [[1, -1], [0.5, 2]], "U": [[1, 0.5], [-1, 2]],
                       "W": [[0.3, -0.2], [0.4, 0.1]], "activation": "identity", "loss": "squared",
                       "y": [5, -5], "half": False, "clip": tau})
    v = p.evaluate()
    g, clipped = v["grad.W"], v["grad.W.clipped"]
    assert v["grad.W.norm"] == pytest.approx(np.sqrt(np.sum(g ** 2)))
    assert v["grad.W.norm"] > 0.5  # the first case clips
    if scaled:
        assert np.linalg.norm(clipped) == pytest.approx(tau)
        np.testing.assert_allclose(clipped / np.linalg.norm(clipped), g / np.linalg.norm(g))
    else:
        np.testing.assert_array_equal(clipped, g)


# -- bad data ---------------------------------------------------------------------------

@pytest.mark.parametrize("patch, field", [
    ({"x": []}, "problem.x"),
    ({"W": [[1, 2]]}, "problem.W"),
    ({"U": [1, 2]}, "problem.U"),
    ({"activation": "softplus"}, "problem.activation"),
    ({"b": [1, 2]}, "problem.b"),
    ({"V": [1, 2]}, "problem.V"),
    ({"output": "softmax"}, "problem.V"),
    ({"output": "softmax", "V": 1}, "problem.V"),
    ({"loss": "hinge"}, "problem.loss"),
    ({"loss": "cross_entropy", "labels": [1, 1, 1]}, "problem.loss"),
    ({"output": "softmax", "V": [1, -1], "loss": "cross_entropy"}, "problem.labels"),
    ({"output": "softmax", "V": [1, -1], "loss": "cross_entropy", "labels": [1, 3, 1]}, "problem.labels"),
    ({"output": "softmax", "V": [1, -1], "loss": "cross_entropy", "labels": [1, 2]}, "problem.labels"),
    ({"loss": "squared", "y": 1}, "problem.half"),
    ({"loss": "squared", "y": [1, 2], "half": True}, "problem.y"),
    ({"y": 1}, "problem.y"),
    ({"clip": 0}, "problem.clip"),
    ({"colour": "red"}, "problem.colour"),
])
def test_bad_data_names_the_field(patch, field):
    with pytest.raises(DataError) as info:
        scalar_net(**patch)
    assert info.value.field == field


# -- finite differences -----------------------------------------------------------------

@st.composite
def nets(draw):
    T = draw(st.integers(1, 4))
    n_in, n_h = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = {"kind": "rnn", "x": rng.normal(size=(T, n_in)).tolist(), "U": rng.normal(size=(n_h, n_in)).tolist(),
            "W": (0.8 * rng.normal(size=(n_h, n_h))).tolist(),
            "activation": draw(st.sampled_from(["tanh", "sigmoid", "identity"]))}
    if draw(st.booleans()):
        data["b"] = rng.normal(size=n_h).tolist()
    if draw(st.booleans()):
        data["s0"] = rng.normal(size=n_h).tolist()
    output = draw(st.sampled_from(["none", "softmax", "linear"]))
    n_out = n_h
    if output != "none":
        n_out = draw(st.integers(2 if output == "softmax" else 1, 3))
        data.update(output=output, V=rng.normal(size=(n_out, n_h)).tolist())
        if draw(st.booleans()):
            data["c"] = rng.normal(size=n_out).tolist()
    losses = ["none", "squared"] + (["cross_entropy"] if output == "softmax" else [])
    loss = draw(st.sampled_from(losses))
    data["loss"] = loss
    if loss == "squared":
        data.update(y=rng.normal(size=n_out).tolist(), half=draw(st.booleans()))
    elif loss == "cross_entropy":
        data.update(labels=rng.integers(1, n_out + 1, size=T).tolist(),
                    reduction=draw(st.sampled_from(["sum", "mean"])))
    return data


def _central(problem, key, of="L", h=1e-5):
    """∂(of)/∂(key) by central differences, perturbing ``key`` as an override."""
    base = problem.evaluate()
    value, out = np.array(base[key]), np.array(base[of])
    jac = np.zeros(out.shape + value.shape)
    for idx in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[idx] += h
        minus[idx] -= h
        diff = (np.asarray(problem.evaluate({key: plus})[of]) - np.asarray(problem.evaluate({key: minus})[of]))
        jac[(...,) + idx] = diff / (2 * h)
    return jac


def _close(numeric, analytic, key):
    analytic = np.asarray(analytic).reshape(numeric.shape)
    scale = max(1.0, float(np.max(np.abs(numeric))))
    assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, key


@settings(max_examples=40, deadline=None)
@given(nets())
def test_every_backward_value_matches_central_differences(data):
    problem = build_problem(data)
    values = problem.evaluate()
    checked = 0
    for key in problem.keys():
        target = key[len("grad."):]
        if key.startswith("grad.") and target in problem:
            _close(_central(problem, target), values[key], key)
            checked += 1
    assert checked >= 2 * len(data["x"]) + 3  # s_t, z_t every step; s0, W, U at least


@settings(max_examples=40, deadline=None)
@given(nets())
def test_sum_of_products_is_the_total_derivative(data):
    data = {**data, "U": np.array(data["U"])[:1].tolist(), "W": [[0.9 * np.tanh(data["W"][0][0])]]}
    data.pop("b", None)
    data["s0"] = [0.7]
    for k in ("output", "V", "c", "y", "half", "labels", "reduction"):
        data.pop(k, None)
    data["loss"] = "none"
    problem = build_problem(data)
    values = problem.evaluate()
    T = len(data["x"])
    for k in range(1, T + 1):  # ∂s_k/∂W against differences of s_k in W
        _close(_central(problem, "W", of=f"s{k}"), values[f"ds{k}.dW"], f"ds{k}.dW")
    # with L = s_T, backprop through time gives the same number
    np.testing.assert_allclose(values[f"ds{T}.dW"], values["grad.W"], rtol=1e-12, atol=1e-14)


@settings(max_examples=40, deadline=None)
@given(nets())
def test_jacobian_norms_match_differences_of_the_states(data):
    problem = build_problem(data)
    values = problem.evaluate()
    for k in range(1, len(data["x"]) + 1):
        jac = _central(problem, "s1", of=f"s{k}")
        jac = jac.reshape(np.asarray(values[f"s{k}"]).size, -1)
        assert np.linalg.norm(jac, 2) == pytest.approx(float(values[f"jac_norm{k}"]), rel=1e-6, abs=1e-9)


def test_frobenius_norms_for_the_jacobians_sizes_are_named():
    """‖∂sₖ/∂s₁‖ typed as Frobenius norms (the clipping norm) is told apart from the spectral norm
    the step asks for; the values are Wᵏ⁻¹'s Frobenius norms for this linear net."""
    from nntutor.core.catalog import load_catalog

    problem = load_catalog().find("exploding-clipping").load().problem
    values = problem.evaluate()
    W = np.asarray(values["W"])
    (mistake, value), = [(v, x) for v, x in problem.mistake_values("jac_norms", values) if v.name == "frobenius"]
    want = [np.linalg.norm(np.linalg.matrix_power(W, k - 1), "fro") for k in range(1, value.size + 1)]
    np.testing.assert_allclose(value, want, rtol=1e-12)
    assert not np.allclose(value, values["jac_norms"])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "identity"])
def test_every_formula_and_mistake_is_written_out(activation):
    """No placeholder is left unfilled in what a student reads (the scalar chain's ReLU slips once
    said "so {out} is 0")."""
    from nntutor.core.template import placeholders

    for extra in ({}, {"output": "softmax", "V": [1, -1], "loss": "cross_entropy", "labels": [1, 2, 1], "clip": 1}):
        p = scalar_net(activation=activation, **extra)
        for q in p.quantities.values():
            assert not placeholders(q.formula), (q.key, q.formula)
            for m in q.mistakes:
                for text in m.message.values():
                    assert not placeholders(text), (q.key, m.name, text)
