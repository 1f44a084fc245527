"""Declared mistakes of the conv, graph_expr and stats kinds: a wrong value names its mistake.

Each lesson below asks for every derived quantity in order (the test lessons of tests/lessons/kinds
ask for some). At every step, each declared mistake that differs from the right value is typed
into ``LessonRun.submit``: it must be judged wrong and diagnosed with that mistake's own message
(or, if an earlier-declared mistake gives the same number, that one's). The right value is then
typed and accepted without a diagnosis; a mistake equal to the right value is never named. Every
mistake a kind declares must fire with its own message in at least one lesson here, for every
kind of quantity that declares it. Hand-worked examples check that the mistakes compute the
mistakes they name.
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.feedback import _go_on
from nntutor.core.answers import format_value
from nntutor.core.kinds import build_problem
from nntutor.core.lesson import Lesson, load_lesson
from nntutor.core.feedback import coincides
from nntutor.core.session import LessonRun
from tests.support import every_step_lesson, walk_mistakes

KIND_LESSONS = Path(__file__).resolve().parents[1] / "lessons" / "kinds"
DIGITS = 10  # typed mistake values: far finer than the tolerance, so a match is never by accident
KINDS = ("conv", "graph_expr", "stats")

X4 = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
K3 = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]

PROBLEMS = {
    # -- conv
    "conv-same-pad-max-tie": {"kind": "conv", "x": X4, "W": K3, "b": 1, "padding": 1,
                              "pool": {"type": "max", "size": 2}},
    "conv-flip-stride-avg": {"kind": "conv", "x": [[1, 0, 2, 1, 3], [2, 1, 0, 3, 1], [0, 3, 1, 2, 2],
                                                   [1, 2, 3, 0, 1], [3, 1, 0, 2, 4]],
                             "W": [[1, 2, 0], [0, -1, 3], [2, 0, 1]], "b": 0.5, "padding": 1, "stride": 2,
                             "flip": True, "pool": {"type": "avg", "size": 2, "stride": 1}},
    "conv-filters-channels": {"kind": "conv", "x": [[[1, 2, 0], [0, 1, 3], [2, 1, 1]],
                                                    [[0, 1, 1], [2, 0, 1], [1, 3, 0]]],
                              "W": [[[[1, 0], [2, 1]], [[0, 1], [1, -1]]], [[[2, 1], [0, 0]], [[1, 0], [0, 3]]]],
                              "b": [1, -1], "upstream": [[[1, 2], [0, -1]], [[2, 0], [1, 1]]]},
    "conv-one-filter-three-channels": {"kind": "conv", "x": [[[1, 2], [3, 4]], [[0, 1], [1, 0]], [[2, 0], [1, 1]]],
                                       "W": [[[1, 2], [0, 1]], [[3, 0], [1, 1]], [[0, 1], [2, 0]]],
                                       "flip": True, "padding": 1, "pool": {"type": "max", "size": 2, "stride": 1}},
    # padding 2: rows(Y) = 4 + 4 − 3 + 1 = 6; the padding once 4 + 2 − 3 + 1 = 4, apart from the +1 (5)
    "conv-wide-pad": {"kind": "conv", "x": X4, "W": K3, "padding": 2},
    "pool-avg-upstream": {"kind": "conv", "x": X4, "pool": {"type": "avg", "size": 2},
                          "upstream": [[1, -2], [3, 0.5]]},
    "pool-max-overlap": {"kind": "conv", "x": [[1, 5, 2], [4, 3, 5], [0, 2, 1]],
                         "pool": {"type": "max", "size": 2, "stride": 1}, "upstream": [[1, 2], [3, 4]]},
    # -- graph_expr
    "ge-course": {"kind": "graph_expr", "expression": "x^2 + x*y + (x + y)^2", "values": {"x": 1, "y": 2}},
    "ge-trig-ln-cube": {"kind": "graph_expr", "expression": "sin(x)*y + cos(x*y) + ln(y)^3",
                        "values": {"x": 0.5, "y": 2}},
    "ge-direct-edge": {"kind": "graph_expr", "expression": "x*y + x", "values": {"x": 2, "y": 3}},
    "ge-shared-node": {"kind": "graph_expr", "expression": "exp(x*y)*(x*y + z)",
                       "values": {"x": 0.5, "y": 1, "z": 2}},
    "ge-power-of-variable": {"kind": "graph_expr", "expression": "x^y + cos(x)/y", "values": {"x": 2, "y": 3}},
    "ge-max-hessian": {"kind": "graph_expr", "expression": "max(x*y, x + y)*x + exp(x*y)",
                       "values": {"x": 1.5, "y": 0.5}, "hessian": True},
    # -- stats
    "stats-mean-cv-all": {"kind": "stats",
                          "ridge": {"y": [6, 6, 10], "lambdas": [0, 0.1, 0.5, 1], "cv": "mean"},
                          "init": {"n_in": 100, "n_out": 50, "layers": 3},
                          "relu_zero": {"x": [1, 2, 2], "w_std": 1, "b": 1.5},
                          "count_dense": {"sizes": [12, 300, 200, 100, 1], "bias": True},
                          "count_conv": {"kernel": [3, 5], "channels": [3, 6, 8], "bias": True}},
    "stats-sum-cv": {"kind": "stats",
                     "ridge": {"y": [1, 4, 3, 6], "lambdas": [0.5, 2, 6], "cv": "sum"},
                     "init": {"n_in": 20},
                     "relu_zero": {"mean": -0.5, "std": 2},
                     "count_conv": {"kernel": 3, "channels": [1, 4], "bias": True}},
}
TOML = {f"toml-{kind}": KIND_LESSONS / f"{kind}.toml" for kind in KINDS}
CASES = sorted(PROBLEMS) + sorted(TOML)


@functools.lru_cache(maxsize=None)
def lesson_of(case: str) -> Lesson:
    return load_lesson(TOML[case]) if case in TOML else every_step_lesson(case, PROBLEMS[case])


def kind_of(case: str) -> str:
    return lesson_of(case).problem.kind


def pattern(key: str) -> str:
    """The kind of quantity a key names: numbers dropped (``adj.v3`` → ``adj.v#``, ``Y.c2`` → ``Y.c#``)."""
    return re.sub(r"\d+", "#", key)


@functools.lru_cache(maxsize=None)
def walk(case: str, lang: str) -> frozenset[tuple[str, str]]:
    """Go through the lesson typing every mistake, then the right value; (quantity pattern, mistake name)
    of each mistake that fired with its own message."""
    fired = walk_mistakes(lesson_of(case), lang, DIGITS, all_computable=True)
    return frozenset((pattern(q), name) for q, name in fired)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("case", CASES)
def test_each_mistake_names_its_own_mistake(case, lang):
    walk(case, lang)


@pytest.mark.parametrize("kind", KINDS)
def test_every_declared_mistake_fires_in_some_lesson(kind):
    cases = [c for c in CASES if kind_of(c) == kind]
    declared = {(pattern(k), v.name) for c in cases for k, q in lesson_of(c).problem.quantities.items()
                for v in q.mistakes}
    fired = set().union(*(walk(c, "en") for c in cases))
    assert declared - fired == set()
    assert len({name for _, name in declared}) >= 6


def test_the_mistakes_the_brief_names_are_declared():
    names = {kind: {v.name for c in CASES if kind_of(c) == kind for q in lesson_of(c).problem.quantities.values()
                    for v in q.mistakes} for kind in KINDS}
    assert {"flip", "no_bias", "size_no_padding", "size_no_stride", "size_no_plus_one", "bias_per_input_channel",
            "flipped", "correlation", "mean_not_sum", "spread_copy", "spread_share", "not_divided", "mean_not_max",
            "max_not_mean"} <= names["conv"]
    assert {"same_factor", "power_no_n", "power_not_reduced", "sin_minus_cos", "cos_plus_sin", "ln_not_inverse",
            "missing_path", "direct_only", "max_swapped", "second_local_constant",
            "second_product_of_firsts"} <= names["graph_expr"]
    assert {"ignore_lambda", "minus_lambda", "full_fit", "lecun", "he", "xavier", "width_a", "half_a_squared",
            "no_bias"} <= names["stats"]


def test_conventions_are_flagged_and_messages_are_bilingual():
    conventions = {"flip", "tie_all", "cv_reduction", "lecun", "he", "xavier"}
    for case in CASES:
        for q in lesson_of(case).problem.quantities.values():
            for v in q.mistakes:
                assert set(v.message) == {"en", "ru"} and all(v.message.values())
                assert v.message["en"] != v.message["ru"]
                assert v.convention == (v.name in conventions), (case, q.key, v.name)


def test_coinciding_mistakes_stay_silent():
    # a 1×1 kernel on a 1×1 image: turning, transposing, averaging over the one position change nothing,
    # so those mistakes give the right value and the right value is simply accepted
    lesson = every_step_lesson("conv-trivial", {"kind": "conv", "x": [[2]], "W": [[3]], "b": 1, "flip": True})
    run = LessonRun(lesson)
    silent = {"W.flip": 3, "Y": 1, "grad.b": 1, "grad.W": 1, "grad.x": 1}  # how many mistakes each declares
    for step in lesson.steps:
        values = run.values()
        right = np.asarray(values[step.quantity])
        if step.quantity in silent:
            declared = lesson.problem.mistake_values(step.quantity, values)
            same = [v.name for v, value in declared if coincides(value, right)]
            assert len(same) == silent[step.quantity], (step.quantity, same)
        verdict = run.submit(format_value(right, 12))
        assert verdict.status == "correct" and verdict.diagnosis is None, step.quantity
    # Y without its bias (3·2 = 6 instead of 7) is still a mistake here
    assert diagnosis(lesson, "6", "Y") == message(lesson, "Y", "no_bias")


def _all_mistakes_compute(problem) -> None:
    """Every declared mistake gives a finite value of its quantity's size from the engine's values."""
    values = problem.evaluate()
    for key, q in problem.quantities.items():
        got = problem.mistake_values(key, values)
        assert [v.name for v, _ in got] == [v.name for v in q.mistakes], key
        for v, value in got:
            assert value.size == np.asarray(values[key]).size, (key, v.name)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_conv_mistakes_compute_on_random_layers(data):
    c_in = data.draw(st.integers(1, 2))
    h, w = data.draw(st.integers(2, 5)), data.draw(st.integers(2, 5))
    k = data.draw(st.integers(1, 3))
    pad, stride = data.draw(st.integers(0, 1)), data.draw(st.integers(1, 2))
    assume(k <= min(h, w) + 2 * pad)
    filters = data.draw(st.sampled_from([None, 1, 2]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    x = rng.integers(-3, 4, (c_in, h, w)) if c_in > 1 else rng.integers(-3, 4, (h, w))
    if filters is None:
        W = rng.integers(-2, 3, (c_in, k, k)) if c_in > 1 else rng.integers(-2, 3, (k, k))
    else:
        W = rng.integers(-2, 3, (filters, c_in, k, k))
    problem = {"kind": "conv", "x": x.tolist(), "W": W.tolist(), "padding": pad, "stride": stride,
               "flip": data.draw(st.booleans())}
    if data.draw(st.booleans()):
        problem["b"] = rng.integers(-2, 3, filters or 1).tolist()
    out = min(h, w) + 2 * pad - k
    if data.draw(st.booleans()) and out // stride + 1 >= 2:
        problem["pool"] = {"type": data.draw(st.sampled_from(["max", "avg"])), "size": 2,
                           "stride": data.draw(st.integers(1, 2))}
    _all_mistakes_compute(build_problem(problem))


@settings(max_examples=25, deadline=None)
@given(expression=st.sampled_from(["x^2 + x*y + (x + y)^2", "sin(x)*y + cos(x*y) + ln(y)^3", "x*y + x",
                                   "exp(x*y)*(x*y + y)", "x^y + cos(x)/y", "tanh(x*y)*sigmoid(x) - 2*x^3",
                                   "(x*y)^(0.5) + ln(x*y)*x", "max(x*y, x + y)^2 + x*max(x, 2*y)"]),
       x=st.floats(0.25, 3), y=st.floats(0.25, 3))
def test_graph_mistakes_compute_on_random_points(expression, x, y):
    _all_mistakes_compute(build_problem({"kind": "graph_expr", "expression": expression,
                                         "values": {"x": x, "y": y}}))


# -- hand-worked: the mistakes compute the mistakes they name ----------------------------------------


def diagnosis(case_or_lesson, wrong: str, at: str, lang: str = "en") -> str | None:
    """Accept the engine's values up to the step asking for ``at``, then type ``wrong`` there."""
    lesson = lesson_of(case_or_lesson) if isinstance(case_or_lesson, str) else case_or_lesson
    run = LessonRun(lesson, lang=lang)
    while run.current.quantity != at:
        assert run.submit(format_value(run.expected(run.current), 12)).ok
    verdict = run.submit(wrong)
    assert verdict.status == "wrong", wrong
    return verdict.diagnosis


def message(lesson_or_case, key: str, name: str, lang: str = "en", nth: int = 0) -> str:
    lesson = lesson_of(lesson_or_case) if isinstance(lesson_or_case, str) else lesson_or_case
    return [v for v in lesson.problem.quantities[key].mistakes if v.name == name][nth].message[lang]


def test_conv_sizes_counts_and_forward_by_hand():
    case = "conv-same-pad-max-tie"
    # rows(Y) = (4 + 2·1 − 3)/1 + 1 = 4; without 2p: (4 − 3) + 1 = 2; without the +1: 3
    assert diagnosis(case, "2", "Y.rows") == message(case, "Y.rows", "size_no_padding")
    assert diagnosis(case, "3", "Y.cols", "ru") == message(case, "Y.cols", "size_no_plus_one", "ru")
    # 3·3·1·1 = 9 weights + 1 bias = 10; weights only: 9
    assert diagnosis(case, "9", "n_params") == message(case, "n_params", "no_bias")
    # Y[0,0] = 8 with b = 1 (test_kind_conv works the whole Y out); without b every entry is one less
    y = np.array([[8, 13, 11, 3], [5, 16, 17, 11], [11, 7, 16, 7], [9, 11, 5, 4]])
    assert diagnosis(case, format_value(y - 1), "Y") == message(case, "Y", "no_bias")
    # the kernel turned by 180° is [2 0 1; 2 1 0; 1 0 2]: at the top-left, window [0 0 0; 0 1 2; 0 0 1]
    # gives 1·1 + 2·0 + 1·2 + 1 = 4 instead of 1·1 + 2·2 + 1·2 + 1 = 8
    turned = lesson_of(case).problem.quantities["Y"].mistakes[0]
    assert turned.name == "flip" and "PyTorch" in turned.message["en"] and "true convolution" in turned.message["en"]
    v = lesson_of(case).problem.evaluate()
    assert float(turned.fn(v["x.pad"], v["W"], v["b"])[0, 0]) == 4
    # P.rows for 2×2 pooling with stride 2 on 4 rows: (4 − 2)/2 + 1 = 2; stride forgotten: 4 − 2 + 1 = 3
    assert diagnosis(case, "3", "P.rows") == message(case, "P.rows", "size_no_stride")
    # the mean of the first window [8 13; 5 16] is 10.5, of [11 3; 17 11] 10.5, [11 7; 9 11] 9.5, [16 7; 5 4] 8
    assert diagnosis(case, "10.5 10.5; 9.5 8", "P") == message(case, "P", "mean_not_max")


def test_conv_parameter_counts_by_hand():
    case = "conv-filters-channels"
    # 2 filters × 2 channels × 2×2 = 16 weights + 2 biases = 18; a bias per channel: 16 + 4 = 20;
    # input channels forgotten: 2·2·2 + 2 = 10
    assert diagnosis(case, "20", "n_params") == message(case, "n_params", "bias_per_input_channel")
    assert diagnosis(case, "10", "n_params") == message(case, "n_params", "no_in_channels")
    assert diagnosis(case, "8", "n_weights", "ru") == message(case, "n_weights", "no_in_channels", "ru")


def test_pooling_backward_by_hand():
    case = "conv-same-pad-max-tie"
    # ∂L/∂P = 1: the arg-max cells get 1 (the tie in the lower-left window [11 7; 9 11] to Y[2,0]).
    # Spread whole: every cell 1; spread 1/4: every cell 0.25; every tied maximum: Y[3,1] gets 1 too.
    ones = np.ones((4, 4))
    assert diagnosis(case, format_value(ones), "grad.Y") == message(case, "grad.Y", "spread_copy")
    assert diagnosis(case, format_value(ones / 4), "grad.Y") == message(case, "grad.Y", "spread_share")
    ties = "0 0 0 0; 0 1 1 0; 1 0 1 0; 0 1 0 0"
    assert diagnosis(case, ties, "grad.Y") == message(case, "grad.Y", "tie_all")
    assert "PyTorch" in message(case, "grad.Y", "tie_all")
    # average pooling 2×2 of X4 with ∂L/∂P = [1 −2; 3 0.5]: each cell gets its window's value / 4;
    # not divided: the window's value in every cell
    case = "pool-avg-upstream"
    whole = np.kron(np.array([[1, -2], [3, 0.5]]), np.ones((2, 2)))
    assert diagnosis(case, format_value(whole), "grad.x") == message(case, "grad.x", "not_divided")
    # the max of each window of X4: [1 2; 0 1] → 2, [3 0; 2 3] → 3, [3 0; 2 3] → 3, [1 2; 0 1] → 2
    assert diagnosis(case, "2 3; 3 2", "P") == message(case, "P", "max_not_mean")


def test_conv_backward_by_hand():
    # 2×2 image, 2×2 kernel, no padding: Y = Σ W∘x (one position), ∂L/∂Y = 1 (L = Y).
    # ∂L/∂W = x = [1 2; 3 4]; turned: [4 3; 2 1]. ∂L/∂x = W = [1 0; 2 5]; correlation: turned W [5 2; 0 1].
    lesson = every_step_lesson("conv-hand", {"kind": "conv", "x": [[1, 2], [3, 4]], "W": [[1, 0], [2, 5]], "b": 0})
    assert diagnosis(lesson, "4 3; 2 1", "grad.W") == message(lesson, "grad.W", "flipped")
    assert diagnosis(lesson, "5 2; 0 1", "grad.x") == message(lesson, "grad.x", "correlation")
    # 1×3 image with a 1×2 kernel [1 2] and a bias: two positions, ∂L/∂Y = 1 1, so ∂L/∂b = 2; mean: 1
    lesson = every_step_lesson("conv-bias-hand", {"kind": "conv", "x": [[1, 2, 3]], "W": [[1, 2]], "b": 1})
    assert diagnosis(lesson, "1", "grad.b") == message(lesson, "grad.b", "mean_not_sum")
    # true convolution: W̃ = [5 2; 0 1]; transposed [1 2; 0 5], rows reversed [2 5; 1 0], columns [0 1; 5 2]
    lesson = every_step_lesson("conv-flip-hand", {"kind": "conv", "x": [[1, 2], [3, 4]], "W": [[1, 0], [2, 5]],
                                                  "flip": True})
    assert diagnosis(lesson, "1 2; 0 5", "W.flip") == message(lesson, "W.flip", "transposed")
    assert diagnosis(lesson, "2 5; 1 0", "W.flip") == message(lesson, "W.flip", "flip_rows_only")
    assert diagnosis(lesson, "0 1; 5 2", "W.flip") == message(lesson, "W.flip", "flip_cols_only")
    # Y = Σ W̃∘x = 5 + 4 + 0 + 4 = 13; the cross-correlation of PyTorch: 1 + 0 + 6 + 20 = 27
    assert diagnosis(lesson, "27", "Y") == message(lesson, "Y", "flip")
    # ∂L/∂W̃ = x, turned back: ∂L/∂W = [4 3; 2 1]; not turned back: x = [1 2; 3 4]
    assert diagnosis(lesson, "1 2; 3 4", "grad.W") == message(lesson, "grad.W", "flipped")


def test_graph_edges_by_hand():
    case = "ge-course"  # f = x² + xy + (x + y)² at (1, 2): v₄ = v₁·v₂, v₇ = v₆², v₆ = 3
    # ∂v₄/∂v₁ = v₂ = 2; the factor itself: v₁ = 1 -- also 1 for a sum, so both slips are named
    both = diagnosis(case, "1", "d.v4.v1")
    assert both.startswith(message(case, "d.v4.v1", "same_factor"))
    assert message(case, "d.v4.v1", "product_as_sum") in both
    assert diagnosis(case, "2", "d.v4.v2") == message(case, "d.v4.v2", "same_factor")
    # ∂v₇/∂v₆ = 2·3 = 6; without n: 3; exponent not lowered: 2·3² = 18
    assert diagnosis(case, "3", "d.v7.v6") == message(case, "d.v7.v6", "power_no_n")
    assert diagnosis(case, "18", "d.v7.v6") == message(case, "d.v7.v6", "power_not_reduced")
    # sin(x)·y + cos(x·y) + ln(y)³ at x = 0.5, y = 2: v₃ = sin v₁, v₅ = v₁·v₂ = 1, v₆ = cos v₅,
    # v₈ = ln v₂, v₉ = v₈³
    case = "ge-trig-ln-cube"
    assert diagnosis(case, format_value(-math.cos(0.5), 8), "d.v3.v1") == message(case, "d.v3.v1", "sin_minus_cos")
    assert diagnosis(case, format_value(math.sin(1.0), 8), "d.v6.v5") == message(case, "d.v6.v5", "cos_plus_sin")
    assert diagnosis(case, "2", "d.v8.v2") == message(case, "d.v8.v2", "ln_not_inverse")
    # ∂v₉/∂v₈ = 3·ln²2 = 1.441359; without the 3: ln²2 = 0.480453; not lowered: 3·ln³2 = 0.999113
    assert diagnosis(case, "0.480453", "d.v9.v8") == message(case, "d.v9.v8", "power_no_n")
    assert diagnosis(case, "0.999113", "d.v9.v8", "ru") == message(case, "d.v9.v8", "power_not_reduced", "ru")
    # x·y + x at (2, 3): ∂v₃/∂v₁ = v₂ = 3; taken as 1, as for a sum
    assert diagnosis("ge-direct-edge", "1", "d.v3.v1") == message("ge-direct-edge", "d.v3.v1", "product_as_sum")


def test_graph_adjoints_and_paths_by_hand():
    case = "ge-course"
    # ∂f/∂v₁ = 1·2 (via v₃) + 1·2 (via v₄) + 6·1 (via v₆) = 10: without v₃ 8, without v₄ 8, without v₆ 4
    assert diagnosis(case, "4", "adj.v1") == message(case, "adj.v1", "missing_path", nth=2)
    assert "v₆" in message(case, "adj.v1", "missing_path", nth=2)
    eight = diagnosis(case, "8", "adj.v1")  # without v₃ or without v₄: both are named
    assert eight.startswith(message(case, "adj.v1", "missing_path", nth=0))
    assert _go_on(message(case, "adj.v1", "missing_path", nth=1)) in eight  # named second, after a colon
    # edge derivatives added without the adjoints: 2 + 2 + 1 = 5
    assert diagnosis(case, "5", "adj.v1") == message(case, "adj.v1", "no_upstream")
    # ∂f/∂y = 1·1 (via v₄) + 6·1 (via v₆) = 7; without v₄: 6, without v₆: 1
    assert diagnosis(case, "1", "grad.y") == message(case, "grad.y", "missing_path", nth=1)
    # f = x·y + x at (2, 3): v₃ = x·y, v₄ = v₃ + x; ∂f/∂x = y + 1 = 4; the direct edge alone: ∂v₄/∂v₁ = 1
    # (with only two paths, keeping the direct edge is also leaving out the other path: both are named)
    assert diagnosis("ge-direct-edge", "1", "grad.x").startswith(message("ge-direct-edge", "grad.x", "direct_only"))
    # exp(x·y)·(x·y + z) at (0.5, 1, 2): v₄ = x·y = 0.5 feeds v₅ = exp v₄ and v₆ = v₄ + z; f = v₅·v₆.
    # x has one parent (v₄) but two paths: x → v₄ → v₅ → f gives y·e^0.5·2.5 = 4.121803,
    # x → v₄ → v₆ → f gives y·1·e^0.5 = 1.648721; ∂f/∂x = 5.770524
    case = "ge-shared-node"
    assert diagnosis(case, "1.648721", "grad.x") == message(case, "grad.x", "missing_path", nth=0)
    assert diagnosis(case, "4.121803", "grad.x") == message(case, "grad.x", "missing_path", nth=1)
    assert "v₁ → v₄ → v₆ → v₇" in message(case, "grad.x", "missing_path", nth=1)


def test_ridge_by_hand():
    case = "toml-stats"  # y = (6, 6, 10), n = 3, Σy = 22, λ grid 0, 0.1, 0.5, 1
    # β̂(λ) = 22/(3 + λ) = (7.3333, 7.0968, 6.2857, 5.5); λ ignored: 22/3 every time; λ subtracted 22/(3 − λ)
    assert diagnosis(case, "22/3 22/3 22/3 22/3", "ridge.beta") == message(case, "ridge.beta", "ignore_lambda")
    assert diagnosis(case, "22/3 22/2.9 22/2.5 22/2", "ridge.beta") == message(case, "ridge.beta", "minus_lambda")
    # λ = 0.1: β̂₋ᵢ = (16, 16, 12)/2.1; the full fit 22/3.1 for each; n not reduced: (16, 16, 12)/3.1
    assert diagnosis(case, "22/3.1 22/3.1 22/3.1", "ridge.loo2") == message(case, "ridge.loo2", "full_fit")
    assert diagnosis(case, "16/3.1 16/3.1 12/3.1", "ridge.loo2") == message(case, "ridge.loo2", "n_not_reduced")
    # CV(0.1) with the full-data fit 22/3.1: mean of (6 − 7.0968)², (6 − 7.0968)², (10 − 7.0968)² = 3.6115
    assert diagnosis(case, "3.6115", "ridge.cv2") == message(case, "ridge.cv2", "full_fit")
    # the sum instead of the mean: (6 − 16/2.1)²·2 + (10 − 12/2.1)² = 2·2.6213 + 18.367 = 23.610
    assert diagnosis(case, "23.610", "ridge.cv2") == message(case, "ridge.cv2", "cv_reduction")
    assert "mean" in message(case, "ridge.cv2", "cv_reduction") and "sum" in message(case, "ridge.cv2",
                                                                                       "cv_reduction")


def test_init_relu_and_counts_by_hand():
    case = "toml-stats"  # n_in = 100, n_out = 50
    # a = 0.1: Var w = 0.01/3 = 0.0033333; a²/12 = 0.00083333; a²/2 = 0.005
    assert diagnosis(case, "0.00083333", "init.var_uniform") == message(case, "init.var_uniform", "width_a")
    assert diagnosis(case, "0.005", "init.var_uniform") == message(case, "init.var_uniform", "half_a_squared")
    # Xavier limit √(6/150) = 0.2; with n_in only (LeCun) √(3/100) = 0.17321; He √(6/100) = 0.24495
    lecun = message(case, "init.xavier_uniform", "lecun")
    assert diagnosis(case, "0.17321", "init.xavier_uniform") == lecun
    assert "LeCun" in lecun and "Xavier" in lecun
    assert diagnosis(case, "0.24495", "init.xavier_uniform") == message(case, "init.xavier_uniform", "he")
    # He σ = √(2/100) = 0.14142; Xavier's σ √(2/150) = 0.11547; LeCun's 0.1
    assert diagnosis(case, "0.11547", "init.he_std") == message(case, "init.he_std", "xavier")
    assert diagnosis(case, "0.1", "init.he_std", "ru") == message(case, "init.he_std", "lecun", "ru")
    # s = √(1 + 4 + 4) = 3; the variance 9; deviations added 1 + 2 + 2 = 5
    assert diagnosis(case, "9", "relu.s") == message(case, "relu.s", "variance_not_std")
    assert diagnosis(case, "5", "relu.s") == message(case, "relu.s", "std_added")
    # P(z ≤ 0) = Φ(−0.5) = 0.30854; P(z > 0) = 0.69146
    assert diagnosis(case, "0.69146", "relu.p_zero") == message(case, "relu.p_zero", "p_active")
    # 12-300-200-100-1 with biases: 84301; the weights alone 3600 + 60000 + 20000 + 100 = 83700
    assert diagnosis(case, "83700", "dense.params") == message(case, "dense.params", "no_bias")
    # 3×3 from 3 to 6 channels without biases: 162; input channels forgotten 9·6 = 54
    assert diagnosis(case, "54", "conv.params") == message(case, "conv.params", "no_in_channels")
    # with biases, two layers 3×3 (3 → 6) and 5×5 (6 → 8): 162 + 6 + 1200 + 8 = 1376; no biases 1362
    assert diagnosis("stats-mean-cv-all", "1362", "conv.params") == message("stats-mean-cv-all", "conv.params",
                                                                            "no_bias")
