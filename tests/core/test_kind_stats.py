"""The stats kind: ridge and leave-one-out by hand and by brute-force refits; initialisation and
ReLU probabilities by hand and by Monte Carlo; parameter counts by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.checker import check_paths
from nntutor.core.kinds import DataError, build_problem
from nntutor.core.lesson import load_lesson

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "stats.toml"


def stats(**tables):
    return build_problem({"kind": "stats", **tables})


# -- ridge -------------------------------------------------------------------------------

def test_ridge_on_the_course_data_worked_by_hand():
    # y = (6, 6, 10), Σy = 22, n = 3: β̂(λ) = 22/(3 + λ); β̂(0) = 22/3
    # λ = 0: β̂₋ᵢ = (16/2, 16/2, 12/2) = (8, 8, 6), errors (4, 4, 16), mean 8
    # λ = 1: β̂₋ᵢ = (16/3, 16/3, 4), errors (4/9, 4/9, 36), mean (8/9 + 36)/3 = 332/27
    # over all λ, t = 1/(2 + λ): minimise 2(6 − 16t)² + (10 − 12t)²:
    #   −64(6 − 16t) − 24(10 − 12t) = 0 → 1312t = 624 → t = 39/82 → λ = 82/39 − 2 = 4/39
    #   β̂ = 22/(3 + 4/39) = 22·39/121 = 78/11
    v = stats(ridge={"y": [6, 6, 10], "lambdas": [0, 1]}).evaluate()
    assert v["ridge.beta_ls"] == pytest.approx(22 / 3)
    np.testing.assert_allclose(v["ridge.beta"], [22 / 3, 22 / 4])
    np.testing.assert_allclose(v["ridge.loo1"], [8, 8, 6])
    np.testing.assert_allclose(v["ridge.loo2"], [16 / 3, 16 / 3, 4])
    np.testing.assert_allclose(v["ridge.cv"], [8, 332 / 27])
    assert v["ridge.lambda_best"] == 0 and v["ridge.beta_best"] == pytest.approx(22 / 3)
    assert v["ridge.lambda_cv"] == pytest.approx(4 / 39, rel=1e-12)
    assert v["ridge.beta_cv"] == pytest.approx(78 / 11, rel=1e-12)
    summed = stats(ridge={"y": [6, 6, 10], "lambdas": [0, 1], "cv": "sum"}).evaluate()
    np.testing.assert_allclose(summed["ridge.cv"], [24, 332 / 9])


def _refit(y, lam):
    """Ridge on ŷ = β solved as least squares on the data plus one row √λ·β ≈ 0."""
    a = np.concatenate([np.ones(len(y)), [np.sqrt(lam)]])[:, None]
    b = np.concatenate([y, [0.0]])
    return float(np.linalg.lstsq(a, b, rcond=None)[0][0])


def _brute_cv(y, lam):
    errors = [(y[i] - _refit(np.delete(y, i), lam)) ** 2 for i in range(len(y))]
    return float(np.mean(errors))


@st.composite
def ridge_data(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(2, 6))
    y = rng.normal(loc=draw(st.floats(-5, 5)), scale=draw(st.floats(0.1, 3)), size=n)
    lambdas = np.sort(rng.uniform(0, 5, size=draw(st.integers(1, 5))))
    return y, lambdas


@settings(max_examples=40, deadline=None)
@given(ridge_data())
def test_leave_one_out_matches_brute_force_refits(case):
    y, lambdas = case
    p = stats(ridge={"y": y.tolist(), "lambdas": lambdas.tolist()})
    v = p.evaluate()
    brute = [_brute_cv(y, lam) for lam in lambdas]
    np.testing.assert_allclose(v["ridge.beta"], [_refit(y, lam) for lam in lambdas], rtol=1e-9, atol=1e-12)
    for k, lam in enumerate(lambdas, start=1):
        refits = [_refit(np.delete(y, i), lam) for i in range(len(y))]
        np.testing.assert_allclose(v[f"ridge.loo{k}"], refits, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(v["ridge.cv"], brute, rtol=1e-9, atol=1e-12)
    assert v["ridge.lambda_best"] == lambdas[int(np.argmin(brute))]
    if "ridge.lambda_cv" in p:
        best = float(v["ridge.lambda_cv"])
        assert best >= 0
        at_best = _brute_cv(y, best)
        # no λ on a wide grid, nor right beside λ_CV, does better
        for lam in [*np.linspace(0, 20, 81), best * 0.99, best * 1.01 + 1e-6]:
            assert at_best <= _brute_cv(y, lam) + 1e-9 * max(1.0, at_best)
    else:
        # no finite minimiser: the error keeps falling as λ grows
        assert _brute_cv(y, 1e6) <= _brute_cv(y, 10.0) + 1e-12


def test_ridge_without_a_finite_best_lambda_omits_it():
    # y = (1, −1): S = 0, so every left-out estimate shrinks toward 0 and helps; CV falls forever
    p = stats(ridge={"y": [1, -1]})
    assert "ridge.lambda_cv" not in p and "ridge.beta_cv" not in p
    assert "ridge.beta" not in p  # no grid given
    assert p.evaluate()["ridge.beta_ls"] == 0


# -- initialisation ----------------------------------------------------------------------

def test_init_scales_worked_by_hand():
    # n_in = 100: a = 1/10, Var w = 0.01/3, one layer multiplies the variance by 100·0.01/3 = 1/3,
    # three layers by 1/27; LeCun √(3/100), 1/10; He √(2/100), √(6/100);
    # with n_out = 50: Xavier √(6/150) = √0.04 = 0.2 and √(2/150)
    v = stats(init={"n_in": 100, "n_out": 50, "layers": 3}).evaluate()
    assert v["init.a"] == pytest.approx(0.1)
    assert v["init.var_uniform"] == pytest.approx(1 / 300)
    assert v["init.gain"] == pytest.approx(1 / 3)
    assert v["init.gain_total"] == pytest.approx(1 / 27)
    assert v["init.lecun_uniform"] == pytest.approx(math.sqrt(0.03))
    assert v["init.lecun_std"] == pytest.approx(0.1)
    assert v["init.he_std"] == pytest.approx(math.sqrt(0.02))
    assert v["init.he_uniform"] == pytest.approx(math.sqrt(0.06))
    assert v["init.xavier_uniform"] == pytest.approx(0.2)
    assert v["init.xavier_std"] == pytest.approx(math.sqrt(2 / 150))
    assert "init.xavier_std" not in stats(init={"n_in": 100})  # needs n_out


def test_init_variances_by_monte_carlo():
    # Sample variances of N draws; for U[−a, a] the variance of the estimate is (μ₄ − σ⁴)/N with
    # μ₄ = a⁴/5, σ⁴ = a⁴/9; for a normal it is 2σ⁴/N. Allow 5 standard errors.
    rng = np.random.default_rng(31)
    n_in, n_out, draws = 100, 50, 400_000
    v = stats(init={"n_in": n_in, "n_out": n_out}).evaluate()
    for a in (float(v["init.a"]), float(v["init.xavier_uniform"]), float(v["init.lecun_uniform"])):
        w = rng.uniform(-a, a, size=draws)
        se = a * a * math.sqrt(1 / 5 - 1 / 9) / math.sqrt(draws)
        assert abs(w.var() - a * a / 3) <= 5 * se
    assert abs(rng.uniform(-v["init.a"], v["init.a"], draws).var() - v["init.var_uniform"]) \
        <= 5 * float(v["init.var_uniform"]) * math.sqrt(0.8 / draws)
    # Xavier's uniform and normal agree on Var w = 2/(n_in + n_out)
    assert v["init.xavier_uniform"] ** 2 / 3 == pytest.approx(v["init.xavier_std"] ** 2)


def test_variance_through_layers_by_monte_carlo():
    # z = Σ wᵢxᵢ with independent zero-mean x (Var 1): Var z = n_in·Var w, the per-layer factor.
    # With U[−1/√n, 1/√n] it is 1/3; with LeCun's √(3/n) it is 1. For He on ReLU inputs
    # (x = ReLU(N(0, 1)), E x² = ½) the second moment E z² = n_in·(2/n_in)·½ = 1.
    # 4 000 samples of z: the relative SE of a variance is √(2/N) ≈ 2.2 %, allow 12 %.
    rng = np.random.default_rng(5)
    n_in, samples = 64, 4_000
    v = stats(init={"n_in": n_in}).evaluate()
    x = rng.choice([-1.0, 1.0], size=(samples, n_in))
    for limit, factor in ((float(v["init.a"]), float(v["init.gain"])), (float(v["init.lecun_uniform"]), 1.0)):
        z = np.sum(rng.uniform(-limit, limit, size=(samples, n_in)) * x, axis=1)
        assert z.var() == pytest.approx(factor, rel=0.12)
    relu_in = np.maximum(rng.normal(size=(samples, n_in)), 0.0)
    z = np.sum(rng.normal(scale=float(v["init.he_std"]), size=(samples, n_in)) * relu_in, axis=1)
    assert np.mean(z ** 2) == pytest.approx(1.0, rel=0.12)


# -- ReLU outputs zero -------------------------------------------------------------------

def test_relu_zero_worked_by_hand():
    # symmetric about 0: ½. N(1, 2²): Φ(−1/2) = 1 − 0.69146 = 0.30854 (normal table)
    assert stats(relu_zero={"symmetric": True}).evaluate()["relu.p_zero"] == 0.5
    assert stats(relu_zero={"mean": 1, "std": 2}).evaluate()["relu.p_zero"] == pytest.approx(0.30854, abs=1e-5)
    assert stats(relu_zero={"std": 3}).evaluate()["relu.p_zero"] == pytest.approx(0.5)
    # z = w·(1, 2, 2) + 1.5, wᵢ ~ N(0, 1): s = ‖x‖ = 3, μ = 1.5 → Φ(−0.5) again
    v = stats(relu_zero={"x": [1, 2, 2], "w_std": 1, "b": 1.5}).evaluate()
    assert v["relu.s"] == pytest.approx(3) and v["relu.mu"] == 1.5
    assert v["relu.p_zero"] == pytest.approx(0.30854, abs=1e-5)


def test_relu_zero_by_monte_carlo():
    # the fraction of draws with z ≤ 0 is within 5 binomial SE √(π(1 − π)/N) of the formula
    rng = np.random.default_rng(3)
    draws = 200_000
    x, w_std, b = np.array([0.5, -1.0, 2.0, 0.3]), 0.7, -0.4
    v = stats(relu_zero={"x": x.tolist(), "w_std": w_std, "b": b}).evaluate()
    z = rng.normal(scale=w_std, size=(draws, x.size)) @ x + b
    pi = float(v["relu.p_zero"])
    assert abs(np.mean(np.maximum(z, 0) == 0) - pi) <= 5 * math.sqrt(pi * (1 - pi) / draws)
    # symmetric but not normal (uniform weights, zero bias): still ½
    z = rng.uniform(-1, 1, size=(draws, x.size)) @ x
    assert abs(np.mean(np.maximum(z, 0) == 0) - 0.5) <= 5 * math.sqrt(0.25 / draws)


# -- counting ------------------------------------------------------------------------------

def test_parameter_counts_worked_by_hand():
    # 12·300 + 300 = 3900; 300·200 + 200 = 60200; 200·100 + 100 = 20100; 100·1 + 1 = 101 → 84301
    v = stats(count_dense={"sizes": [12, 300, 200, 100, 1], "bias": True}).evaluate()
    assert [v[f"dense.params{l}"] for l in range(1, 5)] == [3900, 60200, 20100, 101]
    assert v["dense.params"] == 84301 and v["dense.weights"] == 83700 and v["dense.biases"] == 601
    assert stats(count_dense={"sizes": [12, 300, 200, 100, 1], "bias": False}).evaluate()["dense.params"] == 83700
    # 3×3 kernels, 3 → 6 channels: 3·3·3·6 = 162 weights, +6 biases = 168
    assert stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": False}).evaluate()["conv.params"] == 162
    assert stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": True}).evaluate()["conv.params"] == 168
    # kernels 3 then 5, channels 3 → 8 → 16: 3·3·3·8 = 216, 5·5·8·16 = 3200; biases 8 + 16
    v = stats(count_conv={"kernel": [3, 5], "channels": [3, 8, 16], "bias": True}).evaluate()
    assert v["conv.params1"] == 224 and v["conv.params2"] == 3216 and v["conv.params"] == 3440


def test_each_table_adds_only_its_own_quantities():
    p = stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": False})
    assert {k.split(".")[0] for k in p.keys()} == {"conv"}
    p = stats(init={"n_in": 10}, relu_zero={"symmetric": True})
    assert {k.split(".")[0] for k in p.keys()} == {"init", "relu"}


@pytest.mark.parametrize("tables, field", [
    ({}, "problem.ridge"),
    ({"ridge": {"y": [6]}}, "problem.ridge.y"),
    ({"ridge": {"y": [6, 6, 10], "lambdas": [-1]}}, "problem.ridge.lambdas"),
    ({"ridge": {"y": [6, 6, 10], "cv": "median"}}, "problem.ridge.cv"),
    ({"init": {"n_in": 0}}, "problem.init.n_in"),
    ({"init": {"n_in": 10, "fan": 3}}, "problem.init.fan"),
    ({"relu_zero": {"symmetric": True, "std": 1}}, "problem.relu_zero"),
    ({"relu_zero": {"mean": 1}}, "problem.relu_zero.std"),
    ({"relu_zero": {"x": [0, 0], "w_std": 1}}, "problem.relu_zero.x"),
    ({"count_dense": {"sizes": [12, 300, 1]}}, "problem.count_dense.bias"),
    ({"count_dense": {"sizes": [12], "bias": True}}, "problem.count_dense.sizes"),
    ({"count_conv": {"kernel": [3, 3], "channels": [3, 6], "bias": True}}, "problem.count_conv.kernel"),
    ({"count_conv": {"kernel": 3, "channels": [3, 6.5], "bias": True}}, "problem.count_conv.channels"),
    ({"pooling": {}}, "problem.pooling"),
])
def test_bad_data_names_the_field(tables, field):
    with pytest.raises(DataError) as info:
        stats(**tables)
    assert info.value.field == field


def test_lesson_file_is_clean_and_computable():
    assert check_paths([LESSON]) == []
    lesson = load_lesson(LESSON)
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity
