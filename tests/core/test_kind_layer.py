"""The layer kind: single layers by hand, every backward quantity against central differences,
bad data named by its field, and every declared mistake diagnosed in some lesson."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.checker import check_paths
from nntutor.core.kinds import KINDS, DataError, build_problem
from nntutor.core.lesson import Lesson, load_lesson
from tests.support import every_step_lesson, walk_mistakes

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "lessons" / "4-backprop" / "single-layer.toml"
KIND_LESSON = ROOT / "tests" / "lessons" / "kinds" / "layer.toml"

# the three drills of the course sheet: the layers of y = ReLU(x·W₁)·w₂, each on its own
DRILLS = {"kind": "layer", "blocks": [
    {"name": "lin1", "type": "linear", "x": [1, 2], "W": [[1, -1], [0.5, 0]], "upstream": [-1, 0],
     "symbols": {"W": "W1", "y": "z1"}},
    {"name": "relu", "type": "relu", "x": [2, -1], "upstream": [-1, -2], "symbols": {"x": "z1", "y": "a1"}},
    {"name": "lin2", "type": "linear", "x": [2, 0], "W": [0.5, 1], "upstream": -2,
     "symbols": {"x": "a1", "W": "w2", "y": "y_hat"}},
]}


def one(block: dict, layout: str = "row"):
    return build_problem({"kind": "layer", "layout": layout, "blocks": [{"name": "n", **block}]})


# -- worked by hand ----------------------------------------------------------------------

def test_course_drills_worked_by_hand():
    # lin1: z₁ = (1, 2)·[[1, −1], [0.5, 0]] = (1 + 1, −1 + 0) = (2, −1); ∂z₁/∂x = W₁ᵀ = [[1, 0.5], [−1, 0]]
    #   ∂L/∂x = (−1, 0)·W₁ᵀ = (−1·1 + 0·(−1), −1·0.5 + 0·0) = (−1, −0.5)
    #   ∂L/∂W₁ = xᵀ·(−1, 0) = [[1·(−1), 1·0], [2·(−1), 2·0]] = [[−1, 0], [−2, 0]]
    # relu: a₁ = (2, 0); ReLU′(z₁) = (1, 0); ∂L/∂z₁ = (−1, −2)∘(1, 0) = (−1, 0) -- lin1's upstream
    # lin2: ŷ = 2·0.5 + 0·1 = 1; ∂ŷ/∂a₁ = w₂ᵀ = (0.5, 1); ∂L/∂a₁ = −2·(0.5, 1) = (−1, −2) -- relu's upstream
    #   ∂L/∂w₂ = a₁ᵀ·(−2) = (−4, 0)ᵀ
    v = build_problem(DRILLS).evaluate()
    assert v["lin1.y"].tolist() == [2, -1]
    assert v["lin1.jac"].tolist() == [[1, 0.5], [-1, 0]]
    assert v["lin1.grad.x"].tolist() == [-1, -0.5]
    assert v["lin1.grad.W"].tolist() == [[-1, 0], [-2, 0]]
    assert v["relu.y"].tolist() == [2, 0]
    assert v["relu.deriv"].tolist() == [1, 0]
    assert v["relu.grad.x"].tolist() == [-1, 0]
    assert v["lin2.y"].tolist() == [1]
    assert v["lin2.jac"].tolist() == [[0.5, 1]]
    assert v["lin2.grad.x"].tolist() == [-1, -2]
    assert v["lin2.grad.W"].tolist() == [[-4], [0]]
    # a blocked negative gradient is 0, not −0
    for key in ("relu.grad.x", "lin2.grad.W"):
        assert not np.signbit(v[key][v[key] == 0]).any(), key


def test_symbols_and_formulas_follow_the_course_notation():
    p = build_problem(DRILLS)
    q = p.quantities
    assert [q[k].symbol for k in ("lin1.y", "lin1.jac", "relu.grad.y", "relu.grad.x", "lin2.y", "lin2.grad.W")] == [
        "z₁", "∂z₁/∂x", "∂L/∂a₁", "∂L/∂z₁", "ŷ", "∂L/∂w₂"]
    assert q["lin1.grad.x"].formula == "∂L/∂x = ∂L/∂z₁·W₁ᵀ"
    assert q["lin2.grad.W"].formula == "∂L/∂w₂ = a₁ᵀ·∂L/∂ŷ"
    assert q["relu.grad.x"].formula == "∂L/∂z₁ = ∂L/∂a₁ ∘ ReLU′(z₁)"
    assert {"upstream", "blocks", "layout", "jacobian", "kinks"} <= set(p.conventions)
    for key, quantity in q.items():
        assert quantity.meaning["en"] and quantity.meaning["ru"], key


def test_column_batch_with_bias_and_relu_worked_by_hand():
    # the kind's test lesson, block dense; columns are observations (1, 2)ᵀ and (0, −1)ᵀ
    # Z = W·X + b = [[1·1 − 1·2, 1·0 − 1·(−1)], [0.5·1 + 2·2, 0.5·0 + 2·(−1)]] + (0, 1)ᵀ = [[−1, 1], [5.5, −1]]
    # Y = [[0, 1], [5.5, 0]]; ReLU′ = [[0, 1], [1, 0]]; ∂L/∂Z = [[1, −1], [2, 0.5]]∘ReLU′ = [[0, −1], [2, 0]]
    # ∂L/∂W = ∂L/∂Z·Xᵀ = [[0, −1], [2, 0]]·[[1, 2], [0, −1]] = [[0, 1], [2, 4]]
    # ∂L/∂b = row sums of ∂L/∂Z = (−1, 2); ∂L/∂X = Wᵀ·∂L/∂Z = [[1, 0.5], [−1, 2]]·[[0, −1], [2, 0]] = [[1, −1], [4, 1]]
    v = one({"type": "linear", "activation": "relu", "x": [[1, 0], [2, -1]], "W": [[1, -1], [0.5, 2]], "b": [0, 1],
             "upstream": [[1, -1], [2, 0.5]]}, "column").evaluate()
    assert v["n.z"].tolist() == [[-1, 1], [5.5, -1]]
    assert v["n.y"].tolist() == [[0, 1], [5.5, 0]]
    assert v["n.deriv"].tolist() == [[0, 1], [1, 0]]
    assert v["n.grad.z"].tolist() == [[0, -1], [2, 0]]
    assert v["n.grad.W"].tolist() == [[0, 1], [2, 4]]
    assert v["n.grad.b"].tolist() == [-1, 2]
    assert v["n.grad.x"].tolist() == [[1, -1], [4, 1]]


def test_row_batch_sums_the_bias_gradient_over_rows():
    # rows are observations: Y = X·W + b = [[1, 2], [3, 4]]·[[1], [1]] + 0.5 = [[3.5], [7.5]]
    # upstream a plain list for one output: [[1], [−1]]; ∂L/∂W = Xᵀ·G = [[1 − 3], [2 − 4]] = [[−2], [−2]]
    # ∂L/∂b = 1 − 1 = 0; ∂L/∂X = G·Wᵀ = [[1, 1], [−1, −1]]
    v = one({"type": "linear", "x": [[1, 2], [3, 4]], "W": [1, 1], "b": 0.5, "upstream": [1, -1]}).evaluate()
    assert v["n.y"].tolist() == [[3.5], [7.5]]
    assert v["n.grad.y"].tolist() == [[1], [-1]]
    assert v["n.grad.W"].tolist() == [[-2], [-2]]
    assert v["n.grad.b"].tolist() == [0]
    assert v["n.grad.x"].tolist() == [[1, 1], [-1, -1]]
    assert "n.jac" not in build_problem({"kind": "layer", "blocks": [
        {"name": "n", "type": "linear", "x": [[1, 2], [3, 4]], "W": [1, 1], "upstream": [1, -1]}]})


def test_softmax_sigmoid_and_leaky_worked_by_hand():
    # softmax(x/2) of three equal numbers: p = 1/3 each; J = (diag(p) − ppᵀ)/2: 1/9 on the diagonal, −1/18 off it
    # ∂L/∂x = p∘(g − ⟨g, p⟩)/2 with g = (3, 0, 0), ⟨g, p⟩ = 1: (1/3)·(2, −1, −1)/2 = (1/3, −1/6, −1/6)
    v = one({"type": "softmax", "temperature": 2, "x": [1, 1, 1], "upstream": [3, 0, 0]}).evaluate()
    np.testing.assert_allclose(v["n.y"], [1 / 3] * 3)
    np.testing.assert_allclose(v["n.jac"], np.full((3, 3), -1 / 18) + np.eye(3) / 6)
    np.testing.assert_allclose(v["n.grad.x"], [1 / 3, -1 / 6, -1 / 6])
    # σ(0) = 0.5, σ′(0) = 0.25, ∂L/∂x = 2·0.25
    v = one({"type": "sigmoid", "x": 0, "upstream": 2}).evaluate()
    assert (v["n.y"], v["n.deriv"], v["n.grad.x"]) == (0.5, 0.25, 0.5)
    # leaky ReLU, slope 0.1: y = (−0.2, 3), f′ = (0.1, 1), ∂L/∂x = (1, −1)∘f′ = (0.1, −1); f′(0) = slope
    v = one({"type": "leaky_relu", "slope": 0.1, "x": [-2, 3, 0], "upstream": [1, -1, 5]}).evaluate()
    np.testing.assert_allclose(v["n.y"], [-0.2, 3, 0])
    np.testing.assert_allclose(v["n.deriv"], [0.1, 1, 0.1])
    np.testing.assert_allclose(v["n.grad.x"], [0.1, -1, 0.5])


def test_relu_derivative_at_zero_is_zero():
    v = one({"type": "relu", "x": [0, 1], "upstream": [3, 3]}).evaluate()
    assert v["n.deriv"].tolist() == [0, 1] and v["n.grad.x"].tolist() == [0, 3]


# -- central differences --------------------------------------------------------------------

KINKED = {"relu", "leaky_relu", "step"}
ELEMENTWISE = ("identity", "relu", "sigmoid", "tanh", "leaky_relu", "step", "exp")


@st.composite
def blocks(draw):
    """A random block: its data, the layout, and a generator for the checks."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    layout = draw(st.sampled_from(["row", "column"]))
    row = layout == "row"
    kind = draw(st.sampled_from(["linear", "linear", *ELEMENTWISE, "softmax"]))
    block = {"name": "n", "type": kind}
    if kind == "linear":
        n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        m = draw(st.sampled_from([None, 1, 2, 3]))
        act = draw(st.sampled_from(["identity", *ELEMENTWISE[1:], "softmax"]))
        if act == "softmax" and n_out == 1:
            n_out = 2
        x_shape = (n_in,) if m is None else ((m, n_in) if row else (n_in, m))
        out_shape = (n_out,) if m is None else ((m, n_out) if row else (n_out, m))
        block.update(x=rng.normal(size=x_shape).tolist(),
                     W=rng.normal(size=(n_in, n_out) if row else (n_out, n_in)).tolist(),
                     activation=act)
        if draw(st.booleans()):
            block["b"] = rng.normal(size=n_out).tolist()
    else:
        act = kind
        x_shape = draw(st.sampled_from([(), (1,), (3,), (2, 3)] if kind != "softmax" else [(3,), (2, 3), (3, 2)]))
        out_shape = x_shape
        block["x"] = rng.normal(size=x_shape).tolist()
    if act == "leaky_relu":
        block["slope"] = draw(st.floats(0.01, 0.5))
    if act == "softmax":
        block["temperature"] = draw(st.floats(0.5, 3.0))
    block["upstream"] = rng.normal(size=out_shape).tolist()
    return layout, block, act


def _loss(values, g):
    """L = Σ g∘y: its gradient with respect to y is exactly the upstream g."""
    return float(np.sum(g * values["n.y"]))


def _numeric(problem, key, fn, h=1e-6):
    """Central differences of the scalar fn(values) with respect to every entry of quantity ``key``."""
    base = np.array(problem.evaluate()[key], dtype=float)
    out = np.zeros(base.shape + np.shape(fn(problem.evaluate())))
    for idx in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[idx] += h
        minus[idx] -= h
        up, down = fn(problem.evaluate({key: plus})), fn(problem.evaluate({key: minus}))
        out[idx] = (np.asarray(up) - np.asarray(down)) / (2 * h)
    return out


def _close(numeric, analytic):
    numeric, analytic = np.asarray(numeric), np.asarray(analytic)
    assert numeric.shape == analytic.shape
    scale = max(1.0, float(np.max(np.abs(numeric), initial=0)))
    assert np.max(np.abs(numeric - analytic), initial=0) <= 1e-6 * scale


@settings(max_examples=80, deadline=None)
@given(blocks())
def test_every_backward_quantity_matches_central_differences(case):
    layout, block, act = case
    problem = build_problem({"kind": "layer", "layout": layout, "blocks": [block]})
    values = problem.evaluate()
    inner = "n.z" if "n.z" in problem else "n.x"  # what the activation acts on
    if act in KINKED:
        assume(np.min(np.abs(values[inner])) > 1e-3)  # central differences across a kink are meaningless
    g = values["n.grad.y"]
    loss = functools.partial(_loss, g=g)
    for wrt in ("x", "W", "b", "z"):
        if f"n.{wrt}" in problem:
            _close(_numeric(problem, f"n.{wrt}", loss), values[f"n.grad.{wrt}"])
    if "n.deriv" in problem:
        # element-wise: ∂yᵢ/∂tᵢ, each entry moved on its own
        full = _numeric(problem, inner, lambda v: v["n.y"])
        diag = np.array([full[idx + idx] for idx in np.ndindex(values[inner].shape)]).reshape(values[inner].shape)
        _close(diag, values["n.deriv"])
    if "n.jac" in problem:
        # one row per output: J[j, i] = ∂yⱼ/∂xᵢ, and the numeric array is indexed [i, j]
        _close(_numeric(problem, "n.x", lambda v: v["n.y"]).T, values["n.jac"])


def test_the_jacobian_is_present_exactly_where_promised():
    assert "n.jac" in one({"type": "linear", "x": [1, 2], "W": [[1, 0], [0, 1]], "upstream": [1, 1]})
    assert "n.jac" not in one({"type": "linear", "activation": "tanh", "x": [1, 2], "W": [[1, 0], [0, 1]],
                               "upstream": [1, 1]})
    assert "n.jac" in one({"type": "softmax", "x": [1, 2], "upstream": [1, 1]})
    assert "n.jac" not in one({"type": "softmax", "x": [[1, 2]], "upstream": [[1, 1]]})
    assert "n.deriv" not in one({"type": "softmax", "x": [1, 2], "upstream": [1, 1]})


# -- bad data -------------------------------------------------------------------------------

LIN = {"name": "a", "type": "linear", "x": [1, 2], "W": [[1, 0], [0, 1]], "upstream": [1, 1]}


@pytest.mark.parametrize("data, field, words", [
    ({}, "problem.blocks", "at least one"),
    ({"blocks": []}, "problem.blocks", "at least one"),
    ({"blocks": [LIN], "loss": "squared"}, "problem.loss", "unknown field"),
    ({"blocks": [LIN], "layout": "diagonal"}, "problem.layout", "row, column"),
    ({"blocks": [LIN] * 13}, "problem.blocks", "at most 12"),
    ({"blocks": [[1, 2]]}, "problem.blocks[1]", "must be a table"),
    ({"blocks": [{**LIN, "name": 5}]}, "problem.blocks[1].name", "must be a letter"),
    ({"blocks": [{k: v for k, v in LIN.items() if k != "name"}]}, "problem.blocks[1].name", "missing"),
    ({"blocks": [{**LIN, "name": "lin.1"}]}, "problem.blocks[1].name", "letters, digits or _"),
    ({"blocks": [LIN, {**LIN, "x": [3, 4]}]}, "problem.blocks[2].name", "already names block 1"),
    ({"blocks": [{**LIN, "type": "conv"}]}, "problem.blocks[1].type", "must be one of"),
    ({"blocks": [{**LIN, "kind": "linear"}]}, "problem.blocks[1].kind", "unknown field"),
    ({"blocks": [{"name": "r", "type": "relu", "x": [1], "W": [[1]], "upstream": [1]}]},
     "problem.blocks[1].W", 'only for type = "linear"'),
    ({"blocks": [{"name": "r", "type": "relu", "x": [1], "upstream": [1], "slope": 0.1}]},
     "problem.blocks[1].slope", "only for leaky ReLU"),
    ({"blocks": [{"name": "r", "type": "relu", "x": [1], "upstream": [1], "temperature": 2}]},
     "problem.blocks[1].temperature", "only for softmax"),
    ({"blocks": [{"name": "s", "type": "softmax", "x": [1], "upstream": [1], "temperature": 0}]},
     "problem.blocks[1].temperature", "positive"),
    ({"blocks": [{"name": "s", "type": "softmax", "x": 1, "upstream": 1}]}, "problem.blocks[1].x", "several units"),
    ({"blocks": [{**LIN, "x": []}]}, "problem.blocks[1].x", "empty"),
    ({"blocks": [{**LIN, "x": [1, "2"]}]}, "problem.blocks[1].x", "list of numbers"),
    ({"blocks": [{k: v for k, v in LIN.items() if k != "W"}]}, "problem.blocks[1].W", "missing"),
    ({"blocks": [{**LIN, "W": [[1, 0, 0]]}]}, "problem.blocks[1].W", "needs 2 rows"),
    ({"blocks": [{**LIN, "b": [1, 2, 3]}]}, "problem.blocks[1].b", "2 outputs"),
    ({"blocks": [{**LIN, "activation": "mish"}]}, "problem.blocks[1].activation", "must be one of"),
    ({"blocks": [{k: v for k, v in LIN.items() if k != "upstream"}]}, "problem.blocks[1].upstream",
     "a list of 2"),
    ({"blocks": [{**LIN, "upstream": [1, 1, 1]}]}, "problem.blocks[1].upstream", "output is a list of 2"),
    ({"blocks": [{**LIN, "upstream": [[1, 1], [1, 1]]}]}, "problem.blocks[1].upstream", "output is a list of 2"),
    ({"blocks": [{**LIN, "symbols": ["x"]}]}, "problem.blocks[1].symbols", "must be a table"),
    ({"blocks": [{**LIN, "symbols": {"z": "z1"}}]}, "problem.blocks[1].symbols.z", "not a value of this block"),
    ({"blocks": [{**LIN, "symbols": {"y": "y hat"}}]}, "problem.blocks[1].symbols.y", "without spaces"),
    ({"blocks": [{**LIN, "symbols": {"y": 3}}]}, "problem.blocks[1].symbols.y", "short symbol"),
])
def test_bad_data_names_the_field(data, field, words):
    with pytest.raises(DataError) as info:
        build_problem({"kind": "layer", **data})
    assert info.value.field == field
    assert words in info.value.message


def test_column_layout_wants_one_column_per_input():
    with pytest.raises(DataError) as info:
        build_problem({"kind": "layer", "layout": "column", "blocks": [{**LIN, "W": [[1, 0, 0]]}]})
    assert info.value.field == "problem.blocks[1].W" and "2 columns" in info.value.message


def test_a_number_or_plain_list_upstream_fits_an_output_with_ones_in_its_shape():
    p = one({"type": "linear", "x": [[1, 2, 3], [4, 5, 6]], "W": [[1, 0]], "upstream": [1, 2, 3]}, "column")
    assert p.evaluate()["n.grad.y"].shape == (1, 3)
    assert one({"type": "linear", "x": [1, 2], "W": [1, 1], "upstream": [[4]]}).evaluate()["n.grad.y"].shape == (1,)


# -- the declared mistakes ----------------------------------------------------------------------

PROBLEMS = {
    "relu-zero": {"kind": "layer", "blocks": [
        {"name": "r", "type": "relu", "x": [0, 2, -1, 3], "upstream": [1, -2, 3, 4]}]},
    "linear-relu-zero": {"kind": "layer", "blocks": [  # z = (1 + 1, −1 + 1, 0 − 1) = (2, 0, −1): ReLU′(0) matters
        {"name": "l", "type": "linear", "activation": "relu", "x": [1, 1], "W": [[1, -1, 0], [1, 1, -1]],
         "upstream": [1, -2, 3]}]},
    "row-batch-sigmoid": {"kind": "layer", "blocks": [
        {"name": "d", "type": "linear", "activation": "sigmoid", "x": [[1, 2], [0, -1], [2, 1]],
         "W": [[0.5, -1], [1, 2]], "b": [0.5, -0.5], "upstream": [[1, -2], [0.5, 1], [-1, 3]]}]},
    "column-single": {"kind": "layer", "layout": "column", "blocks": [
        {"name": "c", "type": "linear", "x": [1, -2], "W": [[2, 1], [-1, 3]], "b": [1, 0], "upstream": [2, -1]}]},
    "tanh-leaky-step-exp": {"kind": "layer", "blocks": [
        {"name": "t", "type": "tanh", "x": [0.5, -1], "upstream": [1, 2]},
        {"name": "k", "type": "leaky_relu", "slope": 0.2, "x": [-2, 3], "upstream": [1, -1]},
        {"name": "s", "type": "step", "x": [1, -1], "upstream": [2, 3]},
        {"name": "e", "type": "exp", "x": [0, 1], "upstream": [1, 1]},
        {"name": "i", "type": "identity", "x": [1, 2], "upstream": [3, 4]}]},
    "softmax-temperature": {"kind": "layer", "blocks": [
        {"name": "p", "type": "softmax", "temperature": 2, "x": [1, 2, 0], "upstream": [1, 0, -1]}]},
    "linear-leaky-batch": {"kind": "layer", "layout": "column", "blocks": [
        {"name": "h", "type": "linear", "activation": "leaky_relu", "slope": 0.1, "x": [[1, -1], [2, 1]],
         "W": [[1, -1], [0.5, 2], [-1, 1]], "upstream": [[1, 2], [-1, 1], [0.5, -2]]}]},
    "linear-softmax": {"kind": "layer", "blocks": [
        {"name": "o", "type": "linear", "activation": "softmax", "temperature": 0.5, "x": [1, -1],
         "W": [[1, 0, -1], [0.5, 1, 2]], "upstream": [1, -1, 0.5]}]},
}
TOML = {"bundled": BUNDLED, "kind-lesson": KIND_LESSON}
CASES = sorted(PROBLEMS) + sorted(TOML)


@functools.lru_cache(maxsize=None)
def lesson_of(case: str) -> Lesson:
    return load_lesson(TOML[case]) if case in TOML else every_step_lesson(case, PROBLEMS[case])


def pattern(key: str) -> str:
    """The quantity a key names, without its block: ``lin1.grad.x`` → ``grad.x``."""
    return key.split(".", 1)[1]


@functools.lru_cache(maxsize=None)
def walk(case: str, lang: str) -> frozenset[tuple[str, str]]:
    fired = walk_mistakes(lesson_of(case), lang, 10, all_computable=True)
    return frozenset((pattern(q), name) for q, name in fired)


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("case", CASES)
def test_each_mistake_names_its_own_mistake(case, lang):
    walk(case, lang)


def test_every_declared_mistake_fires_in_some_lesson():
    declared = {(pattern(k), v.name) for c in CASES for k, q in lesson_of(c).problem.quantities.items()
                for v in q.mistakes}
    fired = set().union(*(walk(c, "en") for c in CASES))
    assert declared - fired == set()
    names = {name for _, name in declared}
    assert {"no_bias", "transposed_W", "W_not_transposed", "no_upstream", "one_unit_1", "transposed", "no_input",
            "output_not_input", "mean_not_sum", "skipped_derivative", "no_derivative", "function_not_derivative",
            "upstream_sign", "flipped_mask", "relu_zero", "no_slope", "derivative_at_output", "no_square",
            "diagonal_jacobian", "diagonal_only", "jacobian_layout", "no_temperature", "not_normalized"} <= names


def test_conventions_are_flagged_and_messages_are_bilingual():
    conventions = {"relu_zero", "jacobian_layout"}
    for case in CASES:
        for q in lesson_of(case).problem.quantities.values():
            for v in q.mistakes:
                assert set(v.message) == {"en", "ru"} and all(v.message.values())
                assert v.message["en"] != v.message["ru"]
                assert re.search("[а-я]", v.message["ru"]), (case, q.key, v.name)
                assert v.convention == (v.name in conventions), (case, q.key, v.name)


def test_the_drills_name_the_relu_mask_mistakes():
    # typed (−1, −2): the upstream passed unmasked; (0, 0): masked by the upstream's sign
    p = build_problem(DRILLS)
    found = {v.name: value.tolist() for v, value in p.mistake_values("relu.grad.x", p.evaluate())}
    assert found["no_derivative"] == [-1, -2]
    assert found["upstream_sign"] == [0, 0]
    assert found["function_not_derivative"] == [-2, 0]
    assert found["flipped_mask"] == [0, -2]


def test_a_slip_is_its_operations_template_read_with_the_symbols_of_its_place():
    # ReLU's backward declares "no_derivative" once, over its slots; in the drills it reads with z₁, a₁
    from nntutor.core.ops.activation import backward
    from nntutor.core.ops.functions import ACTIVATIONS

    p = build_problem(DRILLS)
    declared = next(s for s in backward(ACTIVATIONS["relu"]).slips if s.name == "no_derivative")
    placed = next(v for v in p.quantities["relu.grad.x"].mistakes if v.name == "no_derivative")
    assert placed.text == {"en": declared.en, "ru": declared.ru}
    assert placed.message["en"] == ("That is ∂L/∂a₁ itself: ReLU passes the gradient only where its input is "
                                    "positive, so ∂L/∂z₁ is 0 where z₁ ≤ 0.")
    # ReLU′(0) = 1, a convention, reads with the block's input and the derivative's own formula
    zero = next(v for v in p.quantities["relu.deriv"].mistakes if v.name == "relu_zero")
    assert zero.convention and zero.message["en"].endswith("where z₁ = 0: ReLU′(z₁) = [z₁ > 0].")


# -- the lesson files -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [BUNDLED, KIND_LESSON], ids=["bundled", "kind-lesson"])
def test_lesson_files_are_clean_and_computable(path):
    assert check_paths([path]) == []
    lesson = load_lesson(path)
    values = lesson.problem.evaluate()
    for step in lesson.steps:
        assert np.all(np.isfinite(values[step.quantity])), step.quantity


def test_the_kind_is_registered_with_its_guide():
    kind = KINDS["layer"]
    assert {f.name for f in kind.fields} >= {"layout", "blocks", "blocks.name", "blocks.type", "blocks.x",
                                              "blocks.W", "blocks.b", "blocks.upstream", "blocks.symbols"}
    assert kind.names
