"""The dropout kind: a masked layer by hand and by finite differences; the counting formulas by hand,
by exact enumeration of every mask on small nets, and by Monte Carlo on the course's net."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.checker import check_paths
from nntutor.core.kinds import DataError, build_problem
from nntutor.core.lesson import load_lesson

LESSON = Path(__file__).parents[1] / "lessons" / "kinds" / "dropout.toml"
COURSE_NET = [12, 300, 200, 100, 1]


def layer(scaling="inverted", p=0.5, p_is="drop", **extra):
    spec = {"x": [2, -1, 4, 3], "mask": [1, 0, 1, 0], "scaling": scaling, "upstream": [1, 2, 3, 4]}
    spec.update(extra)
    return build_problem({"kind": "dropout", "p": p, "p_is": p_is, "layer": spec})


def net(sizes, p=0.5, p_is="drop", bias=True, **extra):
    return build_problem({"kind": "dropout", "p": p, "p_is": p_is,
                          "net": {"sizes": sizes, "bias": bias, **extra}})


# -- one layer ---------------------------------------------------------------------------

def test_inverted_dropout_worked_by_hand():
    # q = 1 − 0.5 = 0.5, factor 1/q = 2: y = (2·2, 0, 4·2, 0) = (4, 0, 8, 0)
    # ∂L/∂x = (1, 2, 3, 4)∘(1, 0, 1, 0)·2 = (2, 0, 6, 0); at test time y = x
    v = layer().evaluate()
    assert v["keep"] == 0.5 and v["scale"] == 2
    assert v["y"].tolist() == [4, 0, 8, 0]
    assert not np.signbit(v["y"]).any()  # a dropped −1 shows as 0, not −0
    assert v["grad.x"].tolist() == [2, 0, 6, 0]
    assert v["y_test"].tolist() == [2, -1, 4, 3]


def test_test_time_scaling_worked_by_hand():
    # no factor at train time: y = (2, 0, 4, 0), ∂L/∂x = (1, 0, 3, 0); at test time y = 0.5·x
    v = layer("at_test").evaluate()
    assert v["y"].tolist() == [2, 0, 4, 0]
    assert v["grad.x"].tolist() == [1, 0, 3, 0]
    assert v["y_test"].tolist() == [1, -0.5, 2, 1.5]


def test_keep_probability_convention():
    # p = 0.8 is the chance to KEEP: q = 0.8, factor 1/0.8 = 1.25, y = (2.5, 0, 5, 0)
    v = layer(p=0.8, p_is="keep").evaluate()
    assert v["keep"] == pytest.approx(0.8)
    np.testing.assert_allclose(v["y"], [2.5, 0, 5, 0])
    assert build_problem({"kind": "dropout", "p": 0.8, "p_is": "keep", "net": {"sizes": [2, 4, 1], "bias": True}}
                         ).evaluate()["p_thin.neurons"] == pytest.approx(0.75)


def test_inverted_train_output_averages_to_the_test_output():
    # over all masks, weighted by their probability, E[y_train] = y_test in both conventions
    x, q = np.array([2.0, -1.0, 4.0]), 0.7
    for scaling in ("inverted", "at_test"):
        mean = np.zeros(3)
        for mask in itertools.product([0, 1], repeat=3):
            prob = np.prod([q if k else 1 - q for k in mask])
            v = build_problem({"kind": "dropout", "p": q, "p_is": "keep",
                               "layer": {"x": x.tolist(), "mask": list(mask), "scaling": scaling}}).evaluate()
            mean += prob * v["y"]
        np.testing.assert_allclose(mean, v["y_test"], err_msg=scaling)


@st.composite
def masked_layers(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from([(), (1,), (4,), (2, 3), (3, 2)]))
    return {"kind": "dropout", "p": draw(st.floats(0.05, 0.95)), "p_is": draw(st.sampled_from(["drop", "keep"])),
            "layer": {"x": rng.normal(size=shape).tolist(), "mask": rng.integers(0, 2, size=shape).tolist(),
                      "scaling": draw(st.sampled_from(["inverted", "at_test"])),
                      "c": rng.normal(size=shape).tolist()}}


@settings(max_examples=40, deadline=None)
@given(masked_layers())
def test_grad_x_matches_central_differences(data):
    problem = build_problem(data)
    x = np.array(problem.evaluate()["x"])
    numeric = np.zeros_like(x)
    h = 1e-6
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (problem.evaluate({"x": plus})["L"] - problem.evaluate({"x": minus})["L"]) / (2 * h)
    analytic = problem.evaluate()["grad.x"]
    assert np.max(np.abs(numeric - analytic), initial=0) <= 1e-6 * max(1.0, float(np.max(np.abs(numeric), initial=0)))


# -- counting on the course's net --------------------------------------------------------

def test_course_net_worked_by_hand():
    # 12·300 + 300 = 3900; 300·200 + 200 = 60200; 200·100 + 100 = 20100; 100·1 + 1 = 101 → 84301
    # q = 0.5: hidden-to-hidden weights survive with q² and the rest with q:
    # E P = 0.5·(3600 + 300) + 0.25·60000 + 0.5·200 + 0.25·20000 + 0.5·100 + 0.5·100 + 1
    #     = 1950 + 15000 + 100 + 5000 + 50 + 50 + 1 = 22151
    #     = the count of 12-150-100-50-1: 1950 + 15100 + 5050 + 51
    v = net(COURSE_NET).evaluate()
    assert v["params"] == 84301
    assert v["params.mean"] == 22151
    assert v["off1"] == 0.5 ** 300 and v["off3"] == 0.5 ** 100
    assert v["active1.mean"] == 150 and v["active1.var"] == 75  # 300·½ and 300·½·½
    assert v["active.mean"] == 300 and v["active.var"] == 150
    assert v["p_thin.neurons"] == 0.25


def test_tiny_net_variance_worked_by_hand():
    # 1-2-1 without biases: P = K + K = 2K with K ~ Bin(2, q), Var P = 4·2q(1 − q)
    # with biases: P = K (in) + K (biases) + K (out) + 1 (output bias) = 3K + 1, Var P = 9·2q(1 − q)
    q = 0.3
    assert net([1, 2, 1], p=q, p_is="keep", bias=False).evaluate()["params.var"] == pytest.approx(8 * q * (1 - q))
    v = net([1, 2, 1], p=q, p_is="keep").evaluate()
    assert v["params.var"] == pytest.approx(18 * q * (1 - q))
    assert v["params.mean"] == pytest.approx(3 * 2 * q + 1)


def _expected_params(sizes, q, bias):
    """E P written out layer by layer: E[K_{l−1}K_l] = E K_{l−1}·E K_l, E K = n·q for hidden layers."""
    mean = [sizes[0]] + [n * q for n in sizes[1:-1]] + [sizes[-1]]
    return sum(mean[l - 1] * mean[l] + (mean[l] if bias else 0) for l in range(1, len(sizes)))


def _bisect(f, lo, hi, tol=1e-12):
    while hi - lo > tol:
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(mid) < 0 else (lo, mid)
    return (lo + hi) / 2


@pytest.mark.parametrize("sizes, bias", [(COURSE_NET, True), (COURSE_NET, False), ([5, 7, 3], True),
                                         ([4, 3, 5, 2, 2], False)])
@pytest.mark.parametrize("thin", [0.25, 0.6])
def test_p_that_thins_the_parameters_agrees_with_bisection(sizes, bias, thin):
    v = net(sizes, bias=bias, thin=thin).evaluate()
    target = (1 - thin) * v["params"]
    q = 1 - float(v["p_thin.params"])
    assert _expected_params(sizes, q, bias) == pytest.approx(target, rel=1e-12)
    # E P grows with q, so bisection on [0, 1] brackets the one root
    q_ref = _bisect(lambda t: _expected_params(sizes, t, bias) - target, 0.0, 1.0)
    assert q == pytest.approx(q_ref, abs=1e-11)


def test_one_hidden_layer_without_bias_thins_parameters_like_neurons():
    # 3-10-2 without biases: E P = (3 + 2)·10·q is linear in q, so keeping 1 − θ of the
    # parameters means keeping 1 − θ of the neurons: p = θ
    v = net([3, 10, 2], bias=False, thin=0.4).evaluate()
    assert v["p_thin.params"] == pytest.approx(0.4, abs=1e-15)


# -- the formulas against every mask of small nets ----------------------------------------

def _count_with_masks(sizes, kept, bias):
    """Parameters present for explicit kept-neuron masks: a weight needs both of its neurons."""
    present = [np.ones(sizes[0], bool)] + kept + [np.ones(sizes[-1], bool)]
    total = 0
    for l in range(1, len(sizes)):
        total += int(np.sum(np.outer(present[l - 1], present[l])))
        total += int(np.sum(present[l])) if bias else 0
    return total


@st.composite
def small_nets(draw):
    hidden = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    return ([draw(st.integers(1, 3))] + hidden + [draw(st.integers(1, 2))],
            draw(st.floats(0.05, 0.95)), draw(st.booleans()))


@settings(max_examples=40, deadline=None)
@given(small_nets())
def test_counting_formulas_match_exact_enumeration_of_all_masks(case):
    sizes, q, bias = case
    hidden = sizes[1:-1]
    e_p = e_p2 = 0.0
    e_n = np.zeros(len(hidden))
    e_n2 = np.zeros(len(hidden))
    off = np.zeros(len(hidden))
    any_off = 0.0
    for bits in itertools.product([False, True], repeat=sum(hidden)):
        prob = float(np.prod([q if k else 1 - q for k in bits]))
        kept, start = [], 0
        for n in hidden:
            kept.append(np.array(bits[start:start + n]))
            start += n
        count = _count_with_masks(sizes, kept, bias)
        e_p += prob * count
        e_p2 += prob * count ** 2
        k = np.array([m.sum() for m in kept], dtype=float)
        e_n += prob * k
        e_n2 += prob * k ** 2
        off += prob * (k == 0)
        any_off += prob * bool(np.any(k == 0))
    v = net(sizes, p=q, p_is="keep", bias=bias).evaluate()
    assert v["params.mean"] == pytest.approx(e_p, rel=1e-9)
    assert v["params.var"] == pytest.approx(e_p2 - e_p ** 2, rel=1e-7, abs=1e-9)
    for l in range(1, len(hidden) + 1):
        assert v[f"active{l}.mean"] == pytest.approx(e_n[l - 1], rel=1e-9)
        assert v[f"active{l}.var"] == pytest.approx(e_n2[l - 1] - e_n[l - 1] ** 2, rel=1e-7, abs=1e-12)
        assert v[f"off{l}"] == pytest.approx(off[l - 1], rel=1e-9)
    assert v["off.any"] == pytest.approx(any_off, rel=1e-9)


# -- Monte Carlo on the course's net ---------------------------------------------------------

def test_expectations_on_the_course_net_by_monte_carlo():
    # Each draw switches every hidden neuron off independently with p = 0.3 and counts the
    # parameters through explicit masks. The sample mean is within 5 standard errors of E P
    # (SE from the sample itself; a normal-theory miss would have probability < 1e-6), and
    # the sample variance within 5 of its own standard errors, √((m₄ − s⁴)/N).
    rng = np.random.default_rng(20240521)
    p, draws = 0.3, 20_000
    kept = [rng.random((draws, n)) >= p for n in COURSE_NET[1:-1]]
    k = [np.full(draws, COURSE_NET[0])] + [m.sum(axis=1) for m in kept] + [np.full(draws, COURSE_NET[-1])]
    counts = sum(k[l - 1] * k[l] + k[l] for l in range(1, len(k))).astype(float)
    v = net(COURSE_NET, p=p).evaluate()
    mean, var = counts.mean(), counts.var(ddof=1)
    assert abs(mean - v["params.mean"]) <= 5 * np.sqrt(var / draws)
    m4 = np.mean((counts - mean) ** 4)
    assert abs(var - v["params.var"]) <= 5 * np.sqrt((m4 - var ** 2) / draws)
    k1 = k[1].astype(float)
    assert abs(k1.mean() - v["active1.mean"]) <= 5 * np.sqrt(k1.var() / draws)
    assert v["active1.var"] == pytest.approx(k1.var(ddof=1), rel=0.05)  # sd of the estimate ≈ 1 %


def test_probability_a_layer_is_off_by_monte_carlo():
    # small layers so that the events happen: 3-2-3-1 with p = 0.6 dropped,
    # off₁ = 0.36, off₂ = 0.216, any = 1 − 0.64·0.784; binomial SE √(π(1 − π)/N) ≤ 0.0016, 5 SE allowed
    rng = np.random.default_rng(11)
    draws = 100_000
    off1 = (rng.random((draws, 2)) < 0.6).all(axis=1)
    off2 = (rng.random((draws, 3)) < 0.6).all(axis=1)
    v = net([3, 2, 3, 1], p=0.6).evaluate()
    assert v["off1"] == pytest.approx(0.36) and v["off2"] == pytest.approx(0.216)
    for key, hits in (("off1", off1), ("off2", off2), ("off.any", off1 | off2)):
        pi = float(v[key])
        assert abs(hits.mean() - pi) <= 5 * np.sqrt(pi * (1 - pi) / draws), key


# -- data errors and the lesson ---------------------------------------------------------------

@pytest.mark.parametrize("data, field", [
    ({"p": 1.0, "p_is": "drop", "net": {"sizes": [2, 2, 1], "bias": True}}, "problem.p"),
    ({"p": 0.5, "net": {"sizes": [2, 2, 1], "bias": True}}, "problem.p_is"),
    ({"p": 0.5, "p_is": "drop"}, "problem.layer"),
    ({"p": 0.5, "p_is": "drop", "layer": {"x": [1, 2], "mask": [1, 0, 1], "scaling": "inverted"}}, "problem.layer.mask"),
    ({"p": 0.5, "p_is": "drop", "layer": {"x": [1, 2], "mask": [1, 0.5], "scaling": "inverted"}}, "problem.layer.mask"),
    ({"p": 0.5, "p_is": "drop", "layer": {"x": [1, 2], "mask": [1, 0]}}, "problem.layer.scaling"),
    ({"p": 0.5, "p_is": "drop", "layer": {"x": [1, 2], "mask": [1, 0], "scaling": "inverted",
                                          "upstream": [1, 1], "c": [1, 1]}}, "problem.layer.c"),
    ({"p": 0.5, "p_is": "drop", "net": {"sizes": [2, 1], "bias": True}}, "problem.net.sizes"),
    ({"p": 0.5, "p_is": "drop", "net": {"sizes": [2, 2.5, 1], "bias": True}}, "problem.net.sizes"),
    ({"p": 0.5, "p_is": "drop", "net": {"sizes": [2, 2, 1]}}, "problem.net.bias"),
    # 1-1-5 with biases: the 5 output biases always stay, and 5 of 12 is more than 1 − 0.9 of them
    ({"p": 0.5, "p_is": "drop", "net": {"sizes": [1, 1, 5], "bias": True, "thin": 0.9}}, "problem.net.thin"),
    ({"p": 0.5, "p_is": "drop", "net": {"sizes": [2, 2, 1], "bias": True, "depth": 3}}, "problem.net.depth"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as info:
        build_problem({"kind": "dropout", **data})
    assert info.value.field == field


def test_lesson_file_is_clean_and_computable():
    assert check_paths([LESSON]) == []
    lesson = load_lesson(LESSON)
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity
