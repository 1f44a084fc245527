"""The batch-norm kind: hand-worked values, finite differences, running-statistics conventions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.checker import check_paths
from nntutor.core.kinds import DataError, build_problem
from nntutor.core.lesson import load_lesson

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "batchnorm.toml"
RUNNING = {"mean": 1, "var": 2, "momentum": 0.1, "momentum_on": "new", "variance": "biased"}


def one_feature(**extra):
    data = {"kind": "batchnorm", "x": [1, 5, 5, 9], "gamma": 2, "beta": 1, "eps": 1, "c": [1, 0, 0, 0]}
    data.update(extra)
    return build_problem(data)


def test_one_feature_worked_by_hand():
    # x = (1, 5, 5, 9): μ = 20/4 = 5, x − μ = (−4, 0, 0, 4), σ² = 32/4 = 8, √(σ² + 1) = 3
    # x̂ = (−4/3, 0, 0, 4/3), y = 2x̂ + 1 = (−5/3, 1, 1, 11/3); L = Σ c∘y = y₁ = −5/3
    # ∂L/∂y = c = (1, 0, 0, 0); ∂L/∂β = 1; ∂L/∂γ = x̂₁ = −4/3; ∂L/∂x̂ = 2c = (2, 0, 0, 0)
    # ∂L/∂σ² = 2·(−4)·(−½)·9^(−3/2) = 4/27
    # ∂L/∂μ = −2/3 + (4/27)·(−2/4)·0 = −2/3
    # ∂L/∂x = (2/3, 0, 0, 0) + (4/27)·(2/4)·(−4, 0, 0, 4) + (−2/3)/4
    #       = (36 − 16 − 9, −9, −9, 16 − 9)/54 = (11, −9, −9, 7)/54
    v = one_feature().evaluate()
    expect = {
        "mu": 5, "xc": [-4, 0, 0, 4], "var": 8, "std": 3, "x_hat": [-4 / 3, 0, 0, 4 / 3],
        "y": [-5 / 3, 1, 1, 11 / 3], "L": -5 / 3, "grad.y": [1, 0, 0, 0], "grad.beta": 1,
        "grad.gamma": -4 / 3, "grad.x_hat": [2, 0, 0, 0], "grad.var": 4 / 27, "grad.mu": -2 / 3,
        "grad.x": [11 / 54, -9 / 54, -9 / 54, 7 / 54],
    }
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, rtol=1e-12, atol=1e-15, err_msg=key)
    assert v["mu"].shape == ()  # one feature: the statistics are numbers, not lists


def test_two_features_worked_by_hand():
    # column 1 as above; column 2 = (5, 1, 1, 1): μ = 2, x − μ = (3, −1, −1, −1), σ² = 12/4 = 3,
    # √(3 + 1) = 2, x̂ = (3/2, −1/2, −1/2, −1/2); γ = (2, 1), β = (1, 0)
    # upstream column 2 = (0, 0, 0, 1): ∂L/∂β₂ = 1, ∂L/∂γ₂ = −1/2, ∂L/∂σ²₂ = (1·(−1))·(−½)·4^(−3/2) = 1/16,
    # ∂L/∂μ₂ = −1/2, ∂L/∂x₂ = (0, 0, 0, ½) + (1/16)(2/4)(3, −1, −1, −1) − 1/8 = (−1, −5, −5, 11)/32
    p = build_problem({"kind": "batchnorm", "x": [[1, 5], [5, 1], [5, 1], [9, 1]], "gamma": [2, 1],
                       "beta": [1, 0], "eps": 1, "upstream": [[1, 0], [0, 0], [0, 0], [0, 1]]})
    v = p.evaluate()
    np.testing.assert_allclose(v["mu"], [5, 2])
    np.testing.assert_allclose(v["var"], [8, 3])
    np.testing.assert_allclose(v["x_hat"][:, 1], [1.5, -0.5, -0.5, -0.5])
    np.testing.assert_allclose(v["grad.beta"], [1, 1])
    np.testing.assert_allclose(v["grad.gamma"], [-4 / 3, -0.5])
    np.testing.assert_allclose(v["grad.var"], [4 / 27, 1 / 16])
    np.testing.assert_allclose(v["grad.mu"], [-2 / 3, -0.5])
    np.testing.assert_allclose(v["grad.x"][:, 0], np.array([11, -9, -9, 7]) / 54)
    np.testing.assert_allclose(v["grad.x"][:, 1], np.array([-1, -5, -5, 11]) / 32)
    assert "L" not in p  # an upstream gradient names no loss


def test_running_update_worked_by_hand():
    # μ_run = 1, σ²_run = 2, α = 0.1 on the new value, x = (1, 5, 5, 9): μ = 5, σ² = 8
    # biased:   μ′ = 0.9·1 + 0.1·5 = 1.4;  σ²′ = 0.9·2 + 0.1·8 = 2.6
    # unbiased: s² = 4/3·8 = 32/3;         σ²′ = 1.8 + 3.2/3 = 2.8666…
    # y_eval (biased) = 2·(x − 1.4)/√(2.6 + 1) + 1
    v = one_feature(running=RUNNING).evaluate()
    assert v["running_mean.next"] == pytest.approx(1.4)
    assert v["running_var.next"] == pytest.approx(2.6)
    np.testing.assert_allclose(v["y_eval"], 2 * (np.array([1, 5, 5, 9]) - 1.4) / np.sqrt(3.6) + 1)
    u = one_feature(running={**RUNNING, "variance": "unbiased"}).evaluate()
    assert u["var_unbiased"] == pytest.approx(32 / 3)
    assert u["running_var.next"] == pytest.approx(1.8 + 3.2 / 3)


def test_keras_momentum_is_pytorch_momentum_reversed():
    torch_like = one_feature(running={**RUNNING, "momentum": 0.1, "momentum_on": "new"}).evaluate()
    keras_like = one_feature(running={**RUNNING, "momentum": 0.9, "momentum_on": "old"}).evaluate()
    same = one_feature(running={**RUNNING, "momentum": 0.1, "momentum_on": "old"}).evaluate()
    assert keras_like["running_mean.next"] == pytest.approx(torch_like["running_mean.next"])
    assert keras_like["running_var.next"] == pytest.approx(torch_like["running_var.next"])
    assert same["running_mean.next"] == pytest.approx(0.1 * 1 + 0.9 * 5)  # α now weighs the old value


def test_running_statistics_over_three_batches_match_a_written_out_reference():
    # PyTorch's BatchNorm1d rule written independently: r ← (1 − α)·r + α·stat,
    # with the unbiased variance (ddof = 1) for the running variance
    rng = np.random.default_rng(7)
    batches = [rng.normal(size=(5, 2)) for _ in range(3)]
    ref_mean, ref_var, alpha = np.zeros(2), np.ones(2), 0.1
    mean, var = [0.0, 0.0], [1.0, 1.0]
    for xb in batches:
        ref_mean = (1 - alpha) * ref_mean + alpha * xb.mean(axis=0)
        ref_var = (1 - alpha) * ref_var + alpha * xb.var(axis=0, ddof=1)
        v = build_problem({"kind": "batchnorm", "x": xb.tolist(), "gamma": 1, "beta": 0, "eps": 1e-5,
                           "running": {"mean": mean, "var": var, "momentum": alpha, "momentum_on": "new",
                                       "variance": "unbiased"}}).evaluate()
        mean, var = v["running_mean.next"].tolist(), v["running_var.next"].tolist()
        np.testing.assert_allclose(mean, ref_mean, rtol=1e-12)
        np.testing.assert_allclose(var, ref_var, rtol=1e-12)


def test_upstream_and_c_give_the_same_gradients():
    a = one_feature().evaluate()
    b = build_problem({"kind": "batchnorm", "x": [1, 5, 5, 9], "gamma": 2, "beta": 1, "eps": 1,
                       "upstream": [1, 0, 0, 0]}).evaluate()
    for key in ("grad.beta", "grad.gamma", "grad.x_hat", "grad.var", "grad.mu", "grad.x"):
        np.testing.assert_allclose(a[key], b[key], err_msg=key)


def test_student_value_feeds_downstream():
    p = one_feature()
    v = p.evaluate({"var": np.array(3.0)})  # as if the student's σ² were accepted
    assert v["std"] == pytest.approx(2.0)
    np.testing.assert_allclose(v["x_hat"], [-2, 0, 0, 2])


@pytest.mark.parametrize("patch, field", [
    ({"x": [3]}, "problem.x"),
    ({"x": [2, 2, 2], "eps": 0, "c": [1, 0, 0]}, "problem.x"),
    ({"gamma": [1, 2]}, "problem.gamma"),
    ({"eps": -1}, "problem.eps"),
    ({"upstream": [1, 0, 0, 0]}, "problem.c"),
    ({"c": [1, 0]}, "problem.c"),
    ({"running": {"momentum": 0.1, "variance": "biased"}}, "problem.running.momentum_on"),
    ({"running": {"momentum": 0.1, "momentum_on": "new"}}, "problem.running.variance"),
    ({"running": {**RUNNING, "momentum": 1.5}}, "problem.running.momentum"),
    ({"running": {**RUNNING, "speed": 1}}, "problem.running.speed"),
    ({"colour": "red"}, "problem.colour"),
])
def test_bad_data_names_the_field(patch, field):
    with pytest.raises(DataError) as info:
        one_feature(**patch)
    assert info.value.field == field


def test_missing_eps_is_a_convention_error():
    with pytest.raises(DataError) as info:
        build_problem({"kind": "batchnorm", "x": [1, 2], "gamma": 1, "beta": 0})
    assert info.value.field == "problem.eps"


# -- finite differences -----------------------------------------------------------------

@st.composite
def batches(draw):
    m = draw(st.integers(2, 6))
    d = draw(st.integers(1, 3))
    flat = d == 1 and draw(st.booleans())  # also the plain-list (one feature) form
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.normal(scale=2.0, size=(m, d))
    # a nearly constant feature makes x̂ ill-conditioned and differences meaningless
    assume(np.all(x.var(axis=0) > 0.05))
    shape = (m,) if flat else (m, d)
    per_feature = () if flat else (d,)
    return {"kind": "batchnorm", "x": x.reshape(shape).tolist(),
            "gamma": rng.normal(size=per_feature).tolist(), "beta": rng.normal(size=per_feature).tolist(),
            "eps": draw(st.sampled_from([0.0, 1e-5, 0.1, 1.0])), "c": rng.normal(size=shape).tolist()}


def _central(problem, key, h=1e-6):
    value = np.array(problem.evaluate()[key])
    grad = np.zeros_like(value)
    for idx in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (problem.evaluate({key: plus})["L"] - problem.evaluate({key: minus})["L"]) / (2 * h)
    return grad


@settings(max_examples=40, deadline=None)
@given(batches())
def test_every_backward_value_matches_central_differences(data):
    # overriding a quantity recomputes everything after it, so the difference quotient over
    # `var` holds μ fixed and the one over `mu` goes through x̂ and σ²: the partials meant
    problem = build_problem(data)
    values = problem.evaluate()
    checked = 0
    for key in problem.keys():
        if key.startswith("grad.") and key != "grad.y":
            numeric = _central(problem, key[len("grad."):])
            analytic = np.asarray(values[key]).reshape(numeric.shape)
            scale = max(1.0, float(np.max(np.abs(numeric))))
            assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, key
            checked += 1
    assert checked == 6
    # the normalisation removes shifts: each feature's ∂L/∂x sums to zero over the batch
    np.testing.assert_allclose(np.sum(values["grad.x"], axis=0), 0, atol=1e-9)


def test_lesson_file_is_clean_and_computable():
    assert check_paths([LESSON]) == []
    lesson = load_lesson(LESSON)
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity
