"""The stats kind: ridge and leave-one-out by hand and by brute-force refits; initialisation and
ReLU probabilities by hand and by Monte Carlo; parameter counts by hand."""

from __future__ import annotations

import math
import re
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


def test_relu_zero_with_a_tiny_input_is_the_limit_of_a_vanishing_spread():
    # s = σ_w·‖x‖ underflows for x = 5e-324; P(z ≤ 0) is then its limit as s → 0⁺: z is almost surely b
    assert stats(relu_zero={"x": 5e-324, "w_std": 1, "b": -2}).evaluate()["relu.p_zero"] == 1.0
    assert stats(relu_zero={"x": 5e-324, "w_std": 1, "b": 2}).evaluate()["relu.p_zero"] == 0.0
    assert stats(relu_zero={"x": 5e-324, "w_std": 1e-300, "b": 0}).evaluate()["relu.p_zero"] == 0.5
    # ‖x‖ is scaled before squaring: (1e-200)² underflows, the norm does not
    v = stats(relu_zero={"x": [3e-200, 4e-200], "w_std": 1, "b": 0}).evaluate()
    assert v["relu.s"] == pytest.approx(5e-200)
    # a student's 0 for s (accepted when s is within the absolute floor) still gives P
    assert stats(relu_zero={"x": [1e-10], "w_std": 1, "b": 0}).evaluate({"relu.s": np.array(0.0)})["relu.p_zero"] == 0.5


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


# -- receptive field ---------------------------------------------------------------------

def receptive(*layers, size=None):
    table = {"layers": [dict(ly) for ly in layers]}
    if size is not None:
        table["size"] = size
    return stats(receptive=table)


CONV3 = {"type": "conv", "kernel": 3}
POOL2 = {"type": "maxpool", "kernel": 2}


def test_receptive_field_worked_by_hand():
    # three 3×3 convolutions, stride 1: each adds (3 − 1)·1 = 2, so r = 1 + 2 + 2 + 2 = 7 (3, 5, 7);
    # the jump stays 1; on a 10×10 input the side shrinks by 2 each time: 8, 6, 4
    v = receptive(CONV3, CONV3, CONV3, size=10).evaluate()
    assert [v[f"receptive.r{l}"] for l in (1, 2, 3)] == [3, 5, 7] and v["receptive.r"] == 7
    assert [v[f"receptive.j{l}"] for l in (1, 2, 3)] == [1, 1, 1]
    assert [v[f"receptive.n{l}"] for l in (1, 2, 3)] == [8, 6, 4]
    # conv 3×3 s1, max pooling 2×2 (stride 2 by default), conv 3×3 s1:
    #   r₁ = 1 + 2·1 = 3, j₁ = 1; r₂ = 3 + 1·1 = 4, j₂ = 1·2 = 2; r₃ = 4 + 2·2 = 8, j₃ = 2
    # on 12×12: n₁ = 12 − 3 + 1 = 10, n₂ = ⌊(10 − 2)/2⌋ + 1 = 5, n₃ = 5 − 3 + 1 = 3
    v = receptive(CONV3, POOL2, CONV3, size=12).evaluate()
    assert [v[f"receptive.r{l}"] for l in (1, 2, 3)] == [3, 4, 8] and v["receptive.r"] == 8
    assert [v[f"receptive.j{l}"] for l in (1, 2, 3)] == [1, 2, 2]
    assert [v[f"receptive.n{l}"] for l in (1, 2, 3)] == [10, 5, 3]
    # a 3×3 conv with stride 2 and padding 1 on 7×7, then 3×3 dilated by 2 (spans 5), padding 2:
    #   r₁ = 3, j₁ = 2, n₁ = ⌊(7 + 2 − 3)/2⌋ + 1 = 4; r₂ = 3 + 2·(3 − 1)·2 = 11, n₂ = ⌊(4 + 4 − 5)/1⌋ + 1 = 4
    v = receptive({"type": "conv", "kernel": 3, "stride": 2, "padding": 1},
                  {"type": "conv", "kernel": 3, "dilation": 2, "padding": 2}, size=7).evaluate()
    assert (v["receptive.r1"], v["receptive.j1"], v["receptive.n1"]) == (3, 2, 4)
    assert (v["receptive.r2"], v["receptive.j2"], v["receptive.n2"]) == (11, 2, 4)
    # without size there are no sides, and padding has nothing to change
    p = receptive(CONV3, POOL2)
    assert "receptive.n1" not in p and "receptive.padding" not in p and "receptive.dilation" not in p
    assert p.evaluate()["receptive.r"] == 4


def _brute(layers, n):
    """Independent of the kind's formulas: the side of every layer by sliding a window over the padded
    row (counting the starts), and the input positions one output unit depends on, by following index sets
    down the stack. Unit u of a layer reads positions u·s − p + d·t (t < k) of the layer below; a position
    outside 0 … n − 1 is padding when ``clip``, and kept as an imaginary pixel otherwise."""
    sizes = [n]
    for ly in layers:
        span = ly.get("dilation", 1) * (ly["kernel"] - 1) + 1
        sizes.append(len(range(0, sizes[-1] + 2 * ly.get("padding", 0) - span + 1, _stride(ly))))

    def field(unit, clip):
        positions = {unit}
        for l in range(len(layers), 0, -1):
            ly = layers[l - 1]
            d, p, s = ly.get("dilation", 1), ly.get("padding", 0), _stride(ly)
            positions = {u * s - p + d * t for u in positions for t in range(ly["kernel"])}
            if clip:
                positions = {i for i in positions if 0 <= i < sizes[l - 1]}
        return positions

    return sizes, field


def _stride(ly):
    return ly.get("stride", 1 if ly["type"] == "conv" else ly["kernel"])


@st.composite
def stacks(draw):
    layers = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "maxpool", "avgpool"]))
        ly = {"type": kind, "kernel": draw(st.integers(1, 4))}
        if kind == "conv" or draw(st.booleans()):
            ly["stride"] = draw(st.integers(1, 3))
        if draw(st.booleans()):
            ly["padding"] = draw(st.integers(0, 2 if kind == "conv" else ly["kernel"] // 2))
        if kind == "conv" and draw(st.booleans()):
            ly["dilation"] = draw(st.integers(1, 3))
        layers.append(ly)
    return layers, draw(st.one_of(st.integers(1, 20), st.integers(20, 400)))


@settings(max_examples=60, deadline=None)
@given(stacks())
def test_receptive_field_matches_brute_force(case):
    layers, n = case
    sizes, field = _brute(layers, n)
    if min(sizes) < 1:
        with pytest.raises(DataError) as info:
            receptive(*layers, size=n)
        assert info.value.field == f"problem.receptive.layers[{sizes.index(0)}]"
        return
    p = receptive(*layers, size=n)
    v = p.evaluate()
    for l in range(1, len(layers) + 1):
        assert v[f"receptive.n{l}"] == sizes[l]
        # the field of unit 0 of layer l on the line of imaginary pixels: its width is rₗ, and unit 1's
        # field starts jₗ pixels further along
        sub = layers[:l]
        _, sub_field = _brute(sub, n)
        seen = sub_field(0, clip=False)
        assert max(seen) - min(seen) + 1 == v[f"receptive.r{l}"]
        assert min(sub_field(1, clip=False)) - min(seen) == v[f"receptive.j{l}"]
    assert v["receptive.r"] == v[f"receptive.r{len(layers)}"]
    # the real input pixels unit 0 depends on: without padding exactly the first r (when no stride
    # exceeds its window, so nothing inside is skipped); with padding at most r, all within r
    real = field(0, clip=True)
    r = int(v["receptive.r"])
    assert not real or max(real) - min(real) + 1 <= r  # a 1×1 conv on padding alone sees no pixel
    if not any(ly.get("padding", 0) for ly in layers):
        assert min(real) == 0 and max(real) == r - 1
        if all(_stride(ly) <= ly.get("dilation", 1) * (ly["kernel"] - 1) + 1 and ly.get("dilation", 1) == 1
               for ly in layers):
            assert real == set(range(r))


def test_the_receptive_mistakes_compute_the_mistakes_they_name():
    # conv 3×3 s2, conv 3×3 s3, max pooling 2×2: j = 2, 6, 12; r = 3, 3 + 2·2 = 7, 7 + 1·6 = 13
    p = receptive({"type": "conv", "kernel": 3, "stride": 2}, {"type": "conv", "kernel": 3, "stride": 3}, POOL2)
    v = p.evaluate()
    assert [v[f"receptive.r{l}"] for l in (1, 2, 3)] == [3, 7, 13]

    def wrong(key):
        return {var.name: float(val) for var, val in p.mistake_values(key, v)}

    # j₂: stride left out 2, its stride only 3, strides added 2 + 3 = 5 (right 6)
    assert wrong("receptive.j2") == {"no_stride": 2, "stride_only": 3, "strides_added": 5}
    r2 = wrong("receptive.r2")
    # r₂ = 3 + 2·2 = 7: without the jump 3 + 2 = 5; own stride 3 + 2·3 = 9; jump after it 3 + 2·6 = 15;
    # + k·j₁ = 3 + 3·2 = 9; at every layer: 1 + 2 + 2 = 5, 1 + 2·2 + 2·3 = 11, 1 + 2·2 + 2·6 = 17, 1 + 3 + 3·2 = 10
    assert r2 == {"no_jump": 5, "own_stride": 9, "own_jump": 15, "plus_k": 9,
                  "no_jump_all": 5, "own_stride_all": 11, "own_jump_all": 17, "plus_k_all": 10}
    # the pooling layer: r₃ = 7 + 1·6 = 13; counted as nothing it leaves 7
    r3 = wrong("receptive.r3")
    assert r3["pool_no_growth"] == 7 and r3["no_jump"] == 8 and r3["own_stride"] == 9
    # the sides on 20: n₁ = ⌊(20 + 2 − 3)/2⌋ + 1 = 10 with p = 1; without padding ⌊17/2⌋ + 1 = 9,
    # padding once ⌊18/2⌋ + 1 = 10 (= right, so it never fires), unrounded 9.5 + 1, no +1 9, no stride 20
    p = receptive({"type": "conv", "kernel": 3, "stride": 2, "padding": 1}, size=20)
    v = p.evaluate()
    assert v["receptive.n1"] == 10
    assert {var.name: float(val) for var, val in p.mistake_values("receptive.n1", v)} == {
        "size_no_padding": 9, "size_padding_once": 10, "size_no_floor": 10.5, "size_no_plus_one": 9,
        "size_no_stride": 20}


RECEPTIVE_WALKS = {
    "strided": {"size": 64, "layers": [{"type": "conv", "kernel": 3, "stride": 2, "padding": 1},
                                       {"type": "conv", "kernel": 3, "stride": 3},
                                       {"type": "maxpool", "kernel": 2},
                                       {"type": "avgpool", "kernel": 3, "stride": 1}]},
    "pool-first": {"size": 23, "layers": [{"type": "maxpool", "kernel": 2}, CONV3,
                                          {"type": "conv", "kernel": 3, "dilation": 2, "padding": 2}, CONV3]},
    "padding-once": {"size": 9, "layers": [{"type": "conv", "kernel": 5, "stride": 3, "padding": 2},
                                           {"type": "avgpool", "kernel": 2, "padding": 1}]},
}


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_receptive_mistake_fires_with_its_own_message(lang):
    """Typing each declared mistake at every step of lessons asking every quantity gets that mistake's
    message (tests.support.walk_mistakes); across these stacks every declared mistake fires."""
    from tests.support import every_step_lesson, walk_mistakes

    declared, fired = set(), set()
    for name, table in RECEPTIVE_WALKS.items():
        lesson = every_step_lesson(f"receptive-{name}", {"kind": "stats", "receptive": table})
        declared |= {(re.sub(r"\d+", "#", k), var.name) for k, q in lesson.problem.quantities.items()
                     for var in q.mistakes}
        fired |= {(re.sub(r"\d+", "#", k), var) for k, var in walk_mistakes(lesson, lang, 10, all_computable=True)}
        for q in lesson.problem.quantities.values():
            for var in q.mistakes:
                assert var.message["en"] != var.message["ru"] and not var.convention
    assert declared - fired == set()


@pytest.mark.parametrize("table, field", [
    ({}, "problem.receptive.layers"),
    ({"layers": []}, "problem.receptive.layers"),
    ({"layers": [CONV3] * 31}, "problem.receptive.layers"),
    ({"layers": [3]}, "problem.receptive.layers[1]"),
    ({"layers": [{"kernel": 3}]}, "problem.receptive.layers[1].type"),
    ({"layers": [CONV3, {"type": "minpool", "kernel": 2}]}, "problem.receptive.layers[2].type"),
    ({"layers": [{"type": "conv"}]}, "problem.receptive.layers[1].kernel"),
    ({"layers": [{"type": "conv", "kernel": 0}]}, "problem.receptive.layers[1].kernel"),
    ({"layers": [{"type": "conv", "kernel": 3, "stride": 0}]}, "problem.receptive.layers[1].stride"),
    ({"layers": [{"type": "conv", "kernel": 3, "padding": -1}]}, "problem.receptive.layers[1].padding"),
    ({"layers": [{"type": "conv", "kernel": 3, "padding": 1.5}]}, "problem.receptive.layers[1].padding"),
    ({"layers": [{"type": "maxpool", "kernel": 3, "padding": 2}]}, "problem.receptive.layers[1].padding"),
    ({"layers": [{"type": "maxpool", "kernel": 2, "dilation": 2}]}, "problem.receptive.layers[1].dilation"),
    ({"layers": [{"type": "conv", "kernel": 3, "dilation": 0}]}, "problem.receptive.layers[1].dilation"),
    ({"layers": [{"type": "conv", "kernel": 3, "size": 3}]}, "problem.receptive.layers[1].size"),
    ({"layers": [CONV3], "size": 0}, "problem.receptive.size"),
    ({"layers": [CONV3], "input": 8}, "problem.receptive.input"),
    # 4 → 2 after the first 3×3; the second 3×3 does not fit on 2 pixels without padding
    ({"layers": [CONV3, CONV3], "size": 4}, "problem.receptive.layers[2]"),
    ({"layers": [{"type": "conv", "kernel": 2, "stride": 1000}] * 6}, "problem.receptive.layers"),
])
def test_bad_receptive_data_names_the_field(table, field):
    with pytest.raises(DataError) as info:
        stats(receptive=table)
    assert info.value.field == field


def test_a_window_that_does_not_fit_is_explained():
    with pytest.raises(DataError) as info:
        receptive(CONV3, {"type": "conv", "kernel": 5}, size=6)
    # 6 − 3 + 1 = 4 pixels reach layer 2, too few for a window of 5
    assert "4 pixels" in info.value.message and "spans 5" in info.value.message
