"""ELU, SELU, swish, GELU and softplus, and the conventions at zero a lesson may choose.

Each derivative against central differences; each function against a reference written another way
(plain ``math`` loops, a published constant, the exact erf form of GELU, softplus′ = σ); the slips named
for their wrong values in both languages; the chosen conventions stated in the problem's conventions.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem
from nntutor.core.lesson import load_lesson
from nntutor.core.ops import ACTIVATIONS, make_activation
from nntutor.core.ops import activation as act_ops
from tests.support import walk_mistakes

ROOT = Path(__file__).resolve().parents[2]
TEST_LESSON = ROOT / "tests" / "lessons" / "kinds" / "layer_activations.toml"
NEW = ("elu", "selu", "swish", "gelu", "softplus")
# away from 0, where ELU with α ≠ 1 has its kink
POINTS = np.array([-3.0, -1.2, -0.4, 0.3, 1.1, 2.5])


def _central(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("act", [ACTIVATIONS[n] for n in NEW] + [make_activation("elu", alpha=1.7)],
                         ids=[*NEW, "elu-1.7"])
def test_each_derivative_matches_central_differences(act):
    np.testing.assert_allclose(act.df(POINTS), _central(act.f, POINTS), rtol=1e-7, atol=1e-8)
    g = np.array([0.5, -2.0, 1.0, 3.0, -1.0, 0.25])
    np.testing.assert_allclose(act.backward(POINTS, g), g * _central(act.f, POINTS), rtol=1e-7, atol=1e-8)


def test_elu_by_a_loop_of_math_exp():
    for alpha in (1.0, 0.5, 2.0):
        a = make_activation("elu", alpha=alpha)
        for z in POINTS:
            want = z if z > 0 else alpha * (math.exp(z) - 1)
            assert float(a.f(np.array(z))) == pytest.approx(want, rel=1e-12, abs=1e-15)
            assert float(a.df(np.array(z))) == pytest.approx(1.0 if z > 0 else alpha * math.exp(z), rel=1e-12)
    # at 0 the z ≤ 0 branch: ELU′(0) = α (PyTorch's convention); no overflow far to the right
    assert float(make_activation("elu", alpha=2.0).df(np.array(0.0))) == 2.0
    assert float(ACTIVATIONS["elu"].f(np.array(800.0))) == 800.0


def test_selu_follows_the_published_constants():
    lam, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    selu = ACTIVATIONS["selu"]
    assert float(selu.f(np.array(1.0))) == pytest.approx(lam, rel=1e-15)
    assert float(selu.df(np.array(2.0))) == pytest.approx(lam, rel=1e-15)
    # its saturation value −λα = −1.7580993408473766 (the published fixed-point constants)
    assert float(selu.f(np.array(-40.0))) == pytest.approx(-1.7580993408473766, rel=1e-12)
    assert float(selu.f(np.array(-1.0))) == pytest.approx(lam * alpha * (math.exp(-1) - 1), rel=1e-12)
    assert float(selu.df(np.array(-1.0))) == pytest.approx(lam * alpha * math.exp(-1), rel=1e-12)
    # the self-normalising property it was built for: a standard normal input keeps mean 0 and variance 1
    t = np.linspace(-12, 12, 240001)
    phi = np.exp(-t ** 2 / 2) / math.sqrt(2 * math.pi)
    mean = np.trapezoid(selu.f(t) * phi, t)
    second = np.trapezoid(selu.f(t) ** 2 * phi, t)
    assert abs(mean) < 1e-6 and second == pytest.approx(1.0, abs=1e-6)


def test_gelu_is_the_tanh_approximation_of_the_exact_erf_form():
    gelu = ACTIVATIONS["gelu"]
    z = np.linspace(-6, 6, 12001)
    exact = np.array([0.5 * t * (1 + math.erf(t / math.sqrt(2))) for t in z])
    # the approximation's known largest error is about 4.7·10⁻⁴ (near z = ±2.7)
    assert np.max(np.abs(gelu.f(z) - exact)) < 5e-4
    # ½(1 + tanh u) = σ(2u): written as z·σ(2u) with math.exp
    for t in (-2.0, -0.5, 0.0, 1.0, 3.0):
        u = math.sqrt(2 / math.pi) * (t + 0.044715 * t ** 3)
        assert float(gelu.f(np.array(t))) == pytest.approx(t / (1 + math.exp(-2 * u)), rel=1e-12, abs=1e-15)
    # GELU(z) − GELU(−z) = z, as for the exact form (Φ(z) + Φ(−z) = 1)
    np.testing.assert_allclose(gelu.f(z) - gelu.f(-z), z, atol=1e-12)


def test_softplus_has_the_sigmoid_for_its_derivative():
    sp = ACTIVATIONS["softplus"]
    for z in POINTS:
        assert float(sp.df(np.array(z))) == pytest.approx(1 / (1 + math.exp(-z)), rel=1e-12)
        assert float(sp.f(np.array(z))) == pytest.approx(math.log1p(math.exp(z)), rel=1e-12)
    assert float(sp.f(np.array(0.0))) == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(sp.f(POINTS) - sp.f(-POINTS), POINTS, atol=1e-12)  # ln(1 + eᶻ) − ln(1 + e⁻ᶻ) = z
    assert float(sp.f(np.array(800.0))) == 800.0 and float(sp.f(np.array(-800.0))) == 0.0  # no overflow


def test_swish_is_not_monotonic():
    sw = ACTIVATIONS["swish"]
    for z in POINTS:
        assert float(sw.f(np.array(z))) == pytest.approx(z / (1 + math.exp(-z)), rel=1e-12)
    # falling left of its minimum near z ≈ −1.278, rising right of it
    assert float(sw.df(np.array(-1.5))) < 0 < float(sw.df(np.array(-1.0)))
    z = np.linspace(-5, 0, 50001)
    assert z[np.argmin(sw.f(z))] == pytest.approx(-1.2785, abs=1e-3)


# -- conventions at zero -----------------------------------------------------------------------------

def test_the_defaults_are_the_engines_activations():
    for name in ("relu", "step", "elu"):
        assert make_activation(name) is ACTIVATIONS[name]
    assert make_activation("relu", derivative_at_zero=0) is ACTIVATIONS["relu"]
    np.testing.assert_array_equal(make_activation("leaky_relu", slope=0.2, derivative_at_zero=0.2).df(
        np.array([-1.0, 0.0, 1.0])), [0.2, 0.2, 1])


def test_a_chosen_convention_moves_only_the_value_at_zero():
    z = np.array([-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(make_activation("relu", derivative_at_zero=1).df(z), [0, 1, 1])
    np.testing.assert_array_equal(make_activation("leaky_relu", slope=0.1, derivative_at_zero=1).df(z), [0.1, 1, 1])
    np.testing.assert_array_equal(make_activation("step", step_at_zero=0).f(z), [0, 0, 1])
    np.testing.assert_array_equal(make_activation("relu", derivative_at_zero=1).f(z), [0, 0, 1])


def _slip(op, name):
    return next(s for s in op.slips if s.name == name)


def test_the_other_convention_becomes_the_slip():
    right = make_activation("relu", derivative_at_zero=1)
    names = {s.name for s in act_ops.backward(right).slips} | {s.name for s in act_ops.derivative(right).slips}
    assert "relu_zero" not in names and "relu_zero_blocked" in names
    blocked = _slip(act_ops.derivative(right), "relu_zero_blocked")
    assert blocked.convention and blocked.fn(np.array([0.0, 2.0])).tolist() == [0, 1]
    # the default lesson still names ReLU′(0) = 1 as the other convention
    assert _slip(act_ops.derivative(ACTIVATIONS["relu"]), "relu_zero").fn(np.array([0.0])).tolist() == [1]
    leaky = make_activation("leaky_relu", slope=0.1, derivative_at_zero=1)
    assert _slip(act_ops.derivative(leaky), "leaky_zero_slope").fn(np.array([0.0])).tolist() == [0.1]
    step0 = make_activation("step", step_at_zero=0)
    assert _slip(act_ops.forward(step0), "step_zero_one").fn(np.array([0.0])).tolist() == [1]
    assert "step_zero_one" not in {s.name for s in act_ops.forward(ACTIVATIONS["step"]).slips}


def test_a_layer_lesson_names_each_slip_for_its_wrong_value_in_both_languages():
    lesson = load_lesson(TEST_LESSON)
    declared = {(k, m.name) for k, q in lesson.problem.quantities.items() for m in q.mistakes
                if k in {s.quantity for s in lesson.steps}}
    for lang in ("en", "ru"):
        fired = walk_mistakes(lesson, lang, 10, all_computable=True)
    assert declared - fired == set()
    names = {name for _, name in declared}
    assert {"relu_zero_blocked", "leaky_zero_slope", "step_zero_one", "no_inner_derivative", "no_lambda",
            "product_rule_first_term", "no_cubic", "no_minus_one", "negative_branch_zero"} <= names


def test_the_chosen_conventions_and_formulas_are_stated():
    conventions = load_lesson(TEST_LESSON).problem.conventions
    kinks = conventions["kinks"]["en"]
    assert "ReLU′(0) = 1" in kinks and "leaky ReLU′(0) = 1" in kinks and "step(0) = 0" in kinks
    assert "ReLU′(0) = 1" in conventions["kinks"]["ru"]
    assert "1.0507009873554805" in conventions["formula.selu"]["en"]
    assert "1.6732632423543772" in conventions["formula.selu"]["ru"]
    assert "tanh approximation" in conventions["formula.gelu"]["en"]
    assert "α = 1.5" in conventions["formula.elu1.5"]["en"]
    # a lesson that keeps the defaults states them as before
    default = build_problem({"kind": "layer", "blocks": [{"name": "r", "type": "relu", "x": [0, 1],
                                                          "upstream": [1, 1]}]})
    assert default.conventions["kinks"]["en"] == "ReLU′(0) = 0"


def test_design_takes_step_at_zero_and_says_so():
    data = {"kind": "design", "inputs": [[0], [1]], "targets": [0, 1],
            "layers": [{"W": [1], "activation": "step", "step_at_zero": 0}]}
    problem = build_problem(data)
    assert problem.evaluate()["y_hat"].tolist() == [0, 1]
    assert "step(0) = 0" in problem.conventions["step"]["en"]
    with pytest.raises(DataError, match="reference weights fail"):
        build_problem({**data, "layers": [{"W": [1], "activation": "step"}]})  # step(0) = 1 puts case 1 at 1


LAYER = {"name": "n", "x": [0, 1], "upstream": [1, 1]}


@pytest.mark.parametrize("block, field, words", [
    ({"type": "relu", "alpha": 2}, "problem.blocks[1].alpha", "only for"),
    ({"type": "elu", "alpha": -1}, "problem.blocks[1].alpha", "positive"),
    ({"type": "sigmoid", "derivative_at_zero": 1}, "problem.blocks[1].derivative_at_zero", "only for"),
    ({"type": "relu", "derivative_at_zero": 0.5}, "problem.blocks[1].derivative_at_zero", "0 or 1"),
    ({"type": "leaky_relu", "slope": 0.1, "derivative_at_zero": 0}, "problem.blocks[1].derivative_at_zero",
     "its slope 0.1 or 1"),
    ({"type": "step", "step_at_zero": 0.5}, "problem.blocks[1].step_at_zero", "0 or 1"),
    ({"type": "relu", "step_at_zero": 0}, "problem.blocks[1].step_at_zero", "only for"),
    ({"type": "selu", "alpha": 1}, "problem.blocks[1].alpha", "only for"),
])
def test_bad_options_name_the_field(block, field, words):
    with pytest.raises(DataError) as info:
        build_problem({"kind": "layer", "blocks": [{**LAYER, **block}]})
    assert info.value.field == field and words in info.value.message


def test_a_dense_net_reads_the_new_activations_and_states_its_chosen_kinks():
    net = {"kind": "dense", "x": [1, -1], "y": 0.5, "loss": "squared", "half": True, "learning_rate": 1,
           "layers": [{"W": [[1, 0], [0, 1]], "activation": "elu", "alpha": 2},
                      {"W": [1, 1], "activation": "gelu"}]}
    values = build_problem(net).evaluate()
    assert values["a1"].tolist() == pytest.approx([1, 2 * (math.exp(-1) - 1)])
    chosen = build_problem({**net, "layers": [{"W": [[1, 0], [0, 1]], "activation": "relu", "derivative_at_zero": 1},
                                              {"W": [1, 1], "activation": "identity"}]})
    assert "ReLU′(0) = 1" in chosen.conventions["kinks"]["en"]  # see test_dense_conventions.py


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("layout", ["row", "column"])
def test_a_linear_layer_with_each_new_activation_passes_central_differences(name, layout):
    """z = x·W + b, y = g(z), L = Σ ∂L/∂y ∘ y: the kind's ∂L/∂x, ∂L/∂W, ∂L/∂b against differences of L."""
    rng = np.random.default_rng(7)
    W = rng.normal(size=(3, 2))
    block = {"name": "n", "type": "linear", "activation": name, "x": rng.normal(size=3).tolist(),
             "W": (W if layout == "row" else W.T).tolist(), "b": rng.normal(size=2).tolist(),
             "upstream": rng.normal(size=2).tolist()}
    problem = build_problem({"kind": "layer", "layout": layout, "blocks": [block]})
    values = problem.evaluate()
    g = values["n.grad.y"]

    def loss(overrides):
        return float(np.sum(g * problem.evaluate(overrides)["n.y"]))

    for key in ("x", "W", "b"):
        base = np.array(values[f"n.{key}"], dtype=float)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[idx] += 1e-6
            minus[idx] -= 1e-6
            numeric[idx] = (loss({f"n.{key}": plus}) - loss({f"n.{key}": minus})) / 2e-6
        np.testing.assert_allclose(values[f"n.grad.{key}"], numeric, rtol=1e-6, atol=1e-8)
