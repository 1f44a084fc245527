"""The "optimize" kind: gradients against central differences, hand-worked runs, wiring, validation."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nntutor.core import optim
from nntutor.core.kinds import KINDS, DataError, build_problem
from nntutor.core.kinds.optimize import KIND

LESSON = Path(__file__).resolve().parents[1] / "lessons" / "kinds" / "optimize.toml"

# CURRICULUM §3: x = (1, 2), y = (2, 3), ŷ = w·x
S3 = {"kind": "optimize", "model": "regression", "x": [1, 2], "y": [2, 3], "reduction": "sum",
      "half": True, "w0": 0}


def solve(data):
    return build_problem(data).evaluate()


def f(values, key):
    return float(values[key])


# -- hand-worked examples -----------------------------------------------------------------


def test_two_gd_steps_by_hand():
    # L = ½·Σ(w·xᵢ − yᵢ)², so g(w) = Σ(w·xᵢ − yᵢ)·xᵢ = 5w − 8.
    # L₀ = ½·(2² + 3²) = 6.5
    # g₁ = (0 − 2)·1 + (0 − 3)·2 = −8;          w₁ = 0 − 0.1·(−8) = 0.8
    # L₁ = ½·((0.8 − 2)² + (1.6 − 3)²) = ½·(1.44 + 1.96) = 1.7
    # g₂ = (0.8 − 2)·1 + (1.6 − 3)·2 = −4;      w₂ = 0.8 − 0.1·(−4) = 1.2
    # L₂ = ½·((1.2 − 2)² + (2.4 − 3)²) = ½·(0.64 + 0.36) = 0.5
    # w* = Σxy/Σx² = 8/5 = 1.6, L(w*) = ½·(0.4² + 0.2²) = 0.1
    v = solve({**S3, "method": "gd", "learning_rate": 0.1, "iterations": 2})
    np.testing.assert_allclose(v["y_hat1"], [0.0, 0.0])
    np.testing.assert_allclose(v["y_hat2"], [0.8, 1.6])
    got = [f(v, k) for k in ("L0", "grad1", "w1", "L1", "grad2", "w2", "L2", "w_star", "L_star")]
    assert got == pytest.approx([6.5, -8.0, 0.8, 1.7, -4.0, 1.2, 0.5, 1.6, 0.1])


def test_mean_and_half_conventions_by_hand():
    # mean with ½: L₀ = ½·(1/2)·(2² + 3²) = 3.25; g₁ = (1/2)·((0 − 2)·1 + (0 − 3)·2) = −4; w₁ = 0.4
    v = solve({**S3, "reduction": "mean", "method": "gd", "learning_rate": 0.1, "iterations": 1})
    assert [f(v, "L0"), f(v, "grad1"), f(v, "w1")] == pytest.approx([3.25, -4.0, 0.4])
    # sum without ½: L₀ = 13; g₁ = 2·(−8) = −16; w₁ = 1.6 (= w*, the seed's numbers are made so)
    v = solve({**S3, "half": False, "method": "gd", "learning_rate": 0.1, "iterations": 1})
    assert [f(v, "L0"), f(v, "grad1"), f(v, "w1")] == pytest.approx([13.0, -16.0, 1.6])
    # logistic, mean over x = (1, 2, 3), y = (1, 0, 0) at w = 0: p = ½ each;
    # g = (1/3)·((½ − 1)·1 + ½·2 + ½·3) = (1/3)·2 = 2/3; L = ln 2
    v = solve({**SEPARABLE, "reduction": "mean", "w0": 0, "iterations": 1})
    assert [f(v, "grad1"), f(v, "L0")] == pytest.approx([2 / 3, np.log(2)])


def test_sgd_order_matters():
    # order [1, 2]: g₁ = (0 − 2)·1 = −2 → w₁ = 0.2;   g₂ = (0.2·2 − 3)·2 = −5.2 → w₂ = 0.72
    # order [2, 1]: g₁ = (0 − 3)·2 = −6 → w₁ = 0.6;   g₂ = (0.6·1 − 2)·1 = −1.4 → w₂ = 0.74
    base = {**S3, "method": "gd", "learning_rate": 0.1, "iterations": 2, "batching": "sgd"}
    a = solve({**base, "order": [1, 2]})
    b = solve({**base, "order": [2, 1]})
    assert [f(a, "grad1"), f(a, "w1"), f(a, "grad2"), f(a, "w2")] == pytest.approx([-2.0, 0.2, -5.2, 0.72])
    assert [f(b, "grad1"), f(b, "w1"), f(b, "grad2"), f(b, "w2")] == pytest.approx([-6.0, 0.6, -1.4, 0.74])
    assert np.shape(a["y_hat1"]) == ()  # one observation per step: a number, not a list


def test_sgd_cycles_through_the_order():
    v = solve({**S3, "method": "gd", "learning_rate": 0.1, "iterations": 3, "batching": "sgd", "order": [2, 1]})
    # step 3 uses observation 2 again: g₃ = (w₂·2 − 3)·2
    assert f(v, "grad3") == pytest.approx((f(v, "w2") * 2 - 3) * 2)


def test_logistic_step_from_the_course():
    # x = −5, y = 1, w₀ = 1, γ = 0.01: z = −5, p = σ(−5) = 1/(1 + e⁵) ≈ 0.0066929,
    # g = (p − y)·x = (0.0066929 − 1)·(−5) ≈ 4.96654, w₁ = 1 − 0.01·4.96654 ≈ 0.950335
    v = solve({"kind": "optimize", "model": "logistic", "x": -5, "y": 1, "reduction": "sum", "w0": 1,
               "method": "gd", "learning_rate": 0.01, "lr_symbol": "gamma", "iterations": 1})
    assert f(v, "z1") == -5.0
    assert f(v, "p1") == pytest.approx(1 / (1 + np.exp(5)))
    assert f(v, "grad1") == pytest.approx(4.966535745, rel=1e-9)
    assert f(v, "w1") == pytest.approx(0.9503346425, rel=1e-9)
    assert build_problem({"kind": "optimize", "model": "logistic", "x": -5, "y": 1, "reduction": "sum",
                          "w0": 1, "method": "gd", "learning_rate": 0.01, "lr_symbol": "gamma",
                          "iterations": 1}).quantities["lr"].symbol == "γ"


SEPARABLE = {"kind": "optimize", "model": "logistic", "x": [1, 2, 3], "y": [1, 0, 0], "reduction": "sum",
             "method": "gd", "learning_rate": 0.5, "iterations": 40}


def test_separable_logistic_weight_runs_away():
    # with a bias the data are separable (x = 1 → class 1, x = 2, 3 → class 0): no minimiser
    v = solve({**SEPARABLE, "bias": True, "w0": [0, 0]})
    slope = [abs(float(v[f"w{t}"][0])) for t in range(41)]
    loss = [f(v, f"L{t}") for t in range(41)]
    assert all(b > a for a, b in zip(slope[2:], slope[3:]))   # keeps growing
    assert all(b < a for a, b in zip(loss, loss[1:]))           # loss keeps falling towards 0
    assert slope[40] > 2.5 and slope[40] - slope[39] > 0.02


def test_logistic_without_bias_is_not_separable_and_settles():
    v = solve({**SEPARABLE, "w0": 0})
    assert abs(f(v, "w40") - f(v, "w39")) < 1e-6 and abs(f(v, "grad40")) < 1e-5


# -- the graph follows the optimizer ---------------------------------------------------------

CONFIGS = [
    {"method": "gd", "learning_rate": 0.1},
    {"method": "gd_decay", "learning_rate": 0.1},
    {"method": "momentum", "learning_rate": 0.1, "alpha": 0.9, "form": "textbook"},
    {"method": "momentum", "learning_rate": 0.1, "alpha": 0.9, "form": "pytorch"},
    {"method": "nesterov", "learning_rate": 0.1, "alpha": 0.9, "form": "textbook"},
    {"method": "nesterov", "learning_rate": 0.1, "alpha": 0.9, "form": "pytorch"},
    {"method": "adagrad", "learning_rate": 0.1, "eps": 0.01, "eps_placement": "inside"},
    {"method": "rmsprop", "learning_rate": 0.1, "alpha": 0.9},
    {"method": "rmsprop", "learning_rate": 0.1, "alpha": 0.9, "eps": 0.5, "eps_placement": "inside"},
    {"method": "adam", "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.9},
    {"method": "adam", "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.9, "form": "fed_back"},
    {"method": "adam", "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.9, "bias_correction": False},
    {"method": "newton"},
    {"method": "newton", "learning_rate": 0.5},
    {"method": "coordinate"},
]
_TO_HYPER = {"learning_rate": "lr"}


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(map(str, c.values())))
def test_graph_matches_optim_step(config):
    """Every w_t and state in the graph equals core.optim run with g(w) = 5w − 8, H = 5."""
    v = solve({**S3, **config, "iterations": 4})
    hyper = {"method": config["method"], **{_TO_HYPER.get(k, k): x for k, x in config.items() if k != "method"}}
    w = np.float64(0.0)
    state = optim.init_state(w, hyper)
    for t in range(1, 5):
        point = optim.lookahead(w, state, hyper)
        assert f(v, f"grad{t}") == pytest.approx(5 * float(point) - 8)
        w, state = optim.step(w, 5 * point - 8, state, hyper, hessian=5.0)
        assert f(v, f"w{t}") == pytest.approx(float(w), rel=1e-12, abs=1e-12)
        for name, carried in optim.plan(hyper, t).carry.items():
            assert f(v, f"{carried}{t}") == pytest.approx(float(state[name]), rel=1e-12, abs=1e-12)


def test_accepted_values_carry_forward():
    p = build_problem({**S3, "method": "gd", "learning_rate": 0.1, "iterations": 2})
    v = p.evaluate({"w1": 0.75})  # the student rounded w₁
    assert f(v, "grad2") == pytest.approx(5 * 0.75 - 8)
    assert f(v, "w2") == pytest.approx(0.75 - 0.1 * (5 * 0.75 - 8))
    adam = build_problem({**S3, "method": "adam", "learning_rate": 0.1, "beta1": 0.9, "beta2": 0.9,
                          "iterations": 2})
    v = adam.evaluate({"m1": -0.7})
    assert f(v, "m_hat1") == pytest.approx(-7.0)
    assert f(v, "m2") == pytest.approx(0.9 * -0.7 + 0.1 * f(v, "grad2"))


def test_clipping_feeds_the_step():
    v = solve({**S3, "half": False, "method": "gd", "learning_rate": 0.1, "iterations": 2, "clip": 5})
    assert f(v, "grad_norm1") == 16.0
    assert f(v, "grad_clip1") == -5.0          # −16·min(1, 5/16)
    assert f(v, "w1") == pytest.approx(0.5)


def test_minibatch_gradient_is_the_batch_loss_gradient():
    data = {"kind": "optimize", "model": "regression", "x": [1, 2, 3], "y": [2, 3, 5], "reduction": "mean",
            "half": False, "w0": 0.5, "method": "gd", "learning_rate": 0.01, "iterations": 2,
            "batching": "minibatch", "batches": [[1, 3], [2]]}
    v = solve(data)
    # the same data restricted to batch 1 = observations 1 and 3, full batch
    alone = solve({**without(data, "batching", "batches"), "x": [1, 3], "y": [2, 5], "iterations": 1})
    assert f(v, "grad1") == pytest.approx(f(alone, "grad1"))
    np.testing.assert_allclose(v["y_hat1"], [0.5, 1.5])


def test_quadratic_newton_and_coordinate():
    quad = {"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 3]], "b": [1, 1], "w0": [0, 0]}
    v = solve({**quad, "method": "newton", "iterations": 1})
    np.testing.assert_allclose(v["w1"], v["w_star"])
    np.testing.assert_allclose(v["w_star"], [0.4, 0.2])
    # coordinate descent by hand: (0.5, 0) then (0.5, 1/6), see test_optim
    v = solve({**quad, "method": "coordinate", "iterations": 2})
    np.testing.assert_allclose(v["w1"], [0.5, 0.0])
    np.testing.assert_allclose(v["w2"], [0.5, 1 / 6])
    assert v["L2"] < v["L1"] < v["L0"]


# -- gradients and Hessians against central differences --------------------------------------

MODELS = st.sampled_from(["regression", "logistic"])


@st.composite
def model_data(draw):
    model = draw(MODELS)
    n = draw(st.integers(1, 4))
    num = st.floats(-3, 3, allow_nan=False, allow_infinity=False)
    x = draw(st.lists(num, min_size=n, max_size=n))
    y = draw(st.lists(num if model == "regression" else st.sampled_from([0, 1]), min_size=n, max_size=n))
    bias = draw(st.booleans())
    w0 = draw(st.lists(st.floats(-2, 2), min_size=2, max_size=2)) if bias else draw(st.floats(-2, 2))
    data = {"kind": "optimize", "model": model, "x": x, "y": y, "bias": bias, "w0": w0,
            "reduction": draw(st.sampled_from(["sum", "mean"]))}
    if model == "regression":
        data["half"] = draw(st.booleans())
    return data


def central(fn, w, h=1e-6):
    w = np.atleast_1d(np.asarray(w, dtype=float))
    cols = []
    for i in range(w.size):
        e = np.zeros_like(w)
        e[i] = h
        cols.append((np.asarray(fn(w + e)) - np.asarray(fn(w - e))) / (2 * h))
    return np.array(cols)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_data())
def test_gradient_matches_central_differences(data):
    p = build_problem({**data, "method": "gd", "learning_rate": 0.1, "iterations": 1})
    shape = np.shape(p.givens["w0"])
    loss = lambda w: p.evaluate({"w0": w.reshape(shape)})["L0"]
    fd = central(loss, p.givens["w0"]).reshape(shape)
    g = p.evaluate()["grad1"]
    assert np.allclose(g, fd, rtol=1e-6, atol=1e-7 * (1 + abs(float(p.evaluate()["L0"]))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_data())
def test_hessian_matches_central_differences(data):
    try:
        p = build_problem({**data, "method": "newton", "iterations": 1})
    except DataError:
        assume(False)  # a singular Hessian (e.g. a bias with one observation): no Newton step
    shape = np.shape(p.givens["w0"])
    gradient = lambda w: p.evaluate({"w0": w.reshape(shape)})["grad1"]
    fd = central(gradient, p.givens["w0"])
    H = np.asarray(p.evaluate()["hess1"])
    assert np.allclose(H.reshape(fd.shape), fd, rtol=1e-6, atol=1e-7 * (1 + np.max(np.abs(H))))


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 3), st.floats(-1, 1), st.floats(0.5, 3), st.lists(st.floats(-2, 2), min_size=2, max_size=2),
       st.lists(st.floats(-2, 2), min_size=2, max_size=2))
def test_quadratic_gradient_matches_central_differences(a11, a12, a22, b, w0):
    assume(a11 * a22 - a12 * a12 > 0.1)
    p = build_problem({"kind": "optimize", "model": "quadratic", "A": [[a11, a12], [a12, a22]], "b": b,
                       "w0": w0, "method": "gd", "learning_rate": 0.1, "iterations": 1})
    fd = central(lambda w: p.evaluate({"w0": w})["L0"], w0)
    assert np.allclose(p.evaluate()["grad1"], fd, rtol=1e-6, atol=1e-7)


# -- names, text, conventions --------------------------------------------------------------


def _patterns():
    out = []
    for doc in KIND.names:
        for part in doc.pattern.split(", "):
            out.append(re.compile("^" + re.escape(part).replace(r"\{t\}", r"\d+") + "$"))
    return out


@pytest.mark.parametrize("extra", [
    {**S3, "method": "nesterov", "form": "textbook", "alpha": 0.9, "learning_rate": 0.1, "clip": 3},
    {**S3, "method": "nesterov", "form": "pytorch", "alpha": 0.9, "learning_rate": 0.1},
    {**S3, "method": "adam", "beta1": 0.9, "beta2": 0.9, "learning_rate": 0.1},
    {**S3, "method": "adagrad", "learning_rate": 0.1},
    {**S3, "method": "gd_decay", "learning_rate": 0.1},
    {**SEPARABLE, "bias": True, "w0": [0, 0], "method": "newton"},
    {"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 3]], "b": [1, 1], "w0": [0, 0],
     "method": "coordinate"},
])
def test_every_key_is_documented_and_described(extra):
    p = build_problem({**extra, "iterations": 2})
    patterns = _patterns()
    for key, q in p.quantities.items():
        assert any(pat.match(key) for pat in patterns), f"{key} is missing from KIND.names"
        assert q.meaning["en"] and q.meaning["ru"] and q.symbol
        assert q.is_given or q.formula
        assert "{" not in q.formula and "{" not in q.meaning["en"] and "{" not in q.meaning["ru"]
        assert not p.evaluate()[key].flags.writeable
    for name in ("loss", "method", "steps"):
        assert p.conventions[name]["en"] and p.conventions[name]["ru"]


def test_registered_and_fields_documented():
    assert KINDS["optimize"] is KIND
    documented = {fd.name for fd in KIND.fields}
    from nntutor.core.kinds.optimize import _TOP
    assert documented == _TOP - {"kind"}


def test_convention_names_the_form():
    p = build_problem({**S3, "method": "momentum", "form": "pytorch", "alpha": 0.9, "learning_rate": 0.1,
                       "iterations": 1})
    assert "bₜ = α·bₜ₋₁ + gₜ" in p.conventions["method"]["en"]
    assert "PyTorch" in p.conventions["method"]["en"]


def test_lesson_file_builds_and_its_answers_agree():
    from nntutor.core.lesson import load_lesson

    lesson = load_lesson(LESSON)
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert step.quantity in lesson.problem
        if step.answer is not None:
            assert float(values[step.quantity]) == pytest.approx(float(step.answer))


# -- validation -------------------------------------------------------------------------------

GD = {**S3, "method": "gd", "learning_rate": 0.1, "iterations": 2}
QUAD = {"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 3]], "b": [1, 1], "w0": [0, 0],
        "method": "gd", "learning_rate": 0.1, "iterations": 2}


def without(data, *keys):
    return {k: v for k, v in data.items() if k not in keys}


@pytest.mark.parametrize("data, field", [
    ({**GD, "method": "sgd"}, "problem.method"),
    ({**GD, "learning_rate": -0.1}, "problem.learning_rate"),
    ({**GD, "learning_rate": 0}, "problem.learning_rate"),
    (without(GD, "learning_rate"), "problem.learning_rate"),
    ({**GD, "speed": 1}, "problem.speed"),
    ({**GD, "model": "svm"}, "problem.model"),
    (without(GD, "half"), "problem.half"),
    (without(GD, "reduction"), "problem.reduction"),
    ({**GD, "reduction": "median"}, "problem.reduction"),
    ({**GD, "y": [1, 2, 3]}, "problem.y"),
    ({**GD, "x": "1, 2"}, "problem.x"),
    ({**GD, "w0": [0, 0]}, "problem.w0"),
    ({**GD, "bias": True}, "problem.w0"),
    ({**GD, "iterations": 0}, "problem.iterations"),
    ({**GD, "iterations": 2.0}, "problem.iterations"),
    ({**GD, "iterations": True}, "problem.iterations"),
    ({**GD, "iterations": 1000}, "problem.iterations"),
    (without(GD, "iterations"), "problem.iterations"),
    ({**GD, "batching": "sgd", "order": [1, 1]}, "problem.order"),
    ({**GD, "batching": "sgd", "order": [1, 3]}, "problem.order"),
    ({**GD, "batching": "sgd", "order": [0, 1]}, "problem.order"),
    ({**GD, "batching": "sgd", "order": [2]}, "problem.order"),
    ({**GD, "batching": "sgd", "order": ["1", "2"]}, "problem.order"),
    ({**GD, "batching": "sgd"}, "problem.order"),
    ({**GD, "order": [2, 1]}, "problem.order"),
    ({**GD, "batching": "minibatch", "batches": [[1]]}, "problem.batches"),
    ({**GD, "batching": "minibatch", "batches": [[1, 2], [2]]}, "problem.batches"),
    ({**GD, "batching": "minibatch", "batches": [[1, 1], [2]]}, "problem.batches[1]"),
    ({**GD, "batching": "minibatch", "batches": [[], [1, 2]]}, "problem.batches[1]"),
    ({**GD, "batching": "minibatch", "batches": []}, "problem.batches"),
    ({**GD, "batching": "stochastic"}, "problem.batching"),
    ({**GD, "alpha": 0.9}, "problem.alpha"),
    ({**GD, "method": "momentum", "alpha": 0.9}, "problem.form"),
    ({**GD, "method": "momentum", "alpha": 0.9, "form": "keras"}, "problem.form"),
    ({**GD, "method": "momentum", "alpha": 1.5, "form": "textbook"}, "problem.alpha"),
    ({**GD, "method": "momentum", "form": "textbook"}, "problem.alpha"),
    ({**GD, "method": "rmsprop", "alpha": -0.1}, "problem.alpha"),
    ({**GD, "method": "rmsprop", "alpha": 0.9, "eps_placement": "under"}, "problem.eps_placement"),
    ({**GD, "method": "adam", "beta1": 0.9}, "problem.beta2"),
    ({**GD, "method": "adam", "beta1": 0.9, "beta2": 1.0}, "problem.beta2"),
    ({**GD, "method": "adam", "beta1": 0.9, "beta2": 0.9, "eps": -1e-8}, "problem.eps"),
    ({**GD, "method": "adam", "beta1": 0.9, "beta2": 0.9, "bias_correction": "no"}, "problem.bias_correction"),
    ({**GD, "method": "adam", "beta1": 0.9, "beta2": 0.9, "form": "fed_back", "bias_correction": False},
     "problem"),
    ({**GD, "clip": 0}, "problem.clip"),
    ({**without(GD, "learning_rate"), "method": "newton", "clip": 1}, "problem.clip"),
    ({**without(GD, "learning_rate"), "method": "coordinate", "lr_symbol": "gamma"}, "problem.lr_symbol"),
    ({**GD, "lr_symbol": "lambda"}, "problem.lr_symbol"),
    ({**GD, "learning_rate": 10.0, "half": False, "iterations": 100}, "problem"),  # diverges to inf
    ({**GD, "model": "logistic"}, "problem.half"),
    ({**without(GD, "half"), "model": "logistic", "y": [0.5, 1]}, "problem.y"),
    ({**without(GD, "half", "learning_rate"), "model": "logistic", "y": [0, 1], "method": "coordinate"},
     "problem.method"),
    ({**without(GD, "learning_rate"), "method": "coordinate", "batching": "sgd", "order": [1, 2]},
     "problem.batching"),
    ({**QUAD, "x": [1, 2]}, "problem.x"),
    ({**QUAD, "batching": "sgd"}, "problem.batching"),
    ({**QUAD, "A": [[2, 1], [0, 3]]}, "problem.A"),
    ({**QUAD, "A": [[1, 2], [2, 1]]}, "problem.A"),
    ({**QUAD, "A": [[1, 2, 3], [2, 1, 0]]}, "problem.A"),
    ({**QUAD, "b": [1, 1, 1]}, "problem.b"),
    ({**QUAD, "w0": [0]}, "problem.w0"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == field
    assert err.value.message


def test_a_run_that_is_not_finite_names_the_first_value_and_what_to_change():
    with pytest.raises(DataError) as err:  # diverges: |1 − 10·10| > 1, w grows a hundredfold every step
        build_problem({**GD, "learning_rate": 10.0, "half": False, "iterations": 100})
    assert err.value.field == "problem"
    assert err.value.message.startswith("L(w")
    assert "is not a finite number: the run diverges (try fewer iterations or a smaller learning_rate)" \
        in err.value.message
    with pytest.raises(DataError) as err:  # b = 0: the start is the minimum, g₁ = 0 and G₁ = 0
        build_problem({**QUAD, "b": [0, 0], "method": "adagrad", "eps": 0})
    assert err.value.message.startswith("w₁ (w₁ = w₀ − η·g₁/(√G₁ + ε)) is not a finite number")


def test_the_steps_convention_says_where_the_gradient_is_taken():
    from nntutor.core.catalog import load_catalog

    catalog = load_catalog()
    nesterov = catalog.find("nesterov").lesson.problem
    assert nesterov.conventions["method"]["en"].startswith("Nesterov momentum (textbook form)")
    assert "at the look-ahead point w̃ₜ" in nesterov.conventions["steps"]["en"]
    assert "w̃ₜ" in nesterov.conventions["steps"]["ru"]
    plain = catalog.find("gradient-descent").lesson.problem
    assert "takes gₜ at wₜ₋₁" in plain.conventions["steps"]["en"]


def test_a_value_on_the_wrong_observation_is_named_as_such():
    """SGD, step 2 at w₁: the prediction on observation 1 (the one step 1 used) is w₁·x₁, and the
    message says which observation step 2 uses -- not that the whole order was reversed."""
    from nntutor.core.catalog import load_catalog

    problem = load_catalog().find("sgd").load().problem
    values = problem.evaluate()
    (mistake, value), = [(v, x) for v, x in problem.mistake_values("y_hat2", values) if v.name == "order"]
    x = np.ravel(values["x"])
    assert float(value) == pytest.approx(float(values["w1"]) * x[0])
    assert mistake.message["en"].startswith("That is the value on observation 1; step 2 uses observation 2")
