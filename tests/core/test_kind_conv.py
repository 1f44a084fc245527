"""The conv kind and its operations (core.ops.conv): hand-worked convolutions and poolings, a naive
reference forward, and every backward value against central differences on random shapes, padding and stride."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.ops.conv import (avg_pool_backward, avg_pool_forward, conv_backward, conv_forward,
                                  max_pool_backward, max_pool_forward, output_size)
from nntutor.core.kinds import DataError, build_problem

X4 = [[1, 2, 3, 0], [0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]]
K3 = [[2, 0, 1], [0, 1, 2], [1, 0, 2]]


def conv(**data):
    return build_problem({"kind": "conv", **data})


# -- hand-worked ---------------------------------------------------------------------------

def test_3x3_kernel_on_4x4_image_without_padding():
    # Y[0,0] = [1 2 3; 0 1 2; 3 0 1]·K = 2+0+3 + 0+1+4 + 3+0+2 = 15
    # Y[0,1] = [2 3 0; 1 2 3; 0 1 2]·K = 4+0+0 + 0+2+6 + 0+0+4 = 16
    # Y[1,0] = [0 1 2; 3 0 1; 2 3 0]·K = 0+0+2 + 0+0+2 + 2+0+0 = 6
    # Y[1,1] = [1 2 3; 0 1 2; 3 0 1]·K = 15
    # L = ΣY, ∂L/∂Y = 1: ∂L/∂W[m,n] = sum of the 2×2 block of x at (m, n):
    #   [1+2+0+1, 2+3+1+2, 3+0+2+3; 0+1+3+0, 1+2+0+1, 2+3+1+2; 3+0+2+3, 0+1+3+0, 1+2+0+1]
    # ∂L/∂x = K stamped at the four window positions and added up (row sums 6, 12, 12, 6 = 4·ΣK = 36).
    v = conv(x=X4, W=K3, b=0.5).evaluate()
    assert (float(v["Y.rows"]), float(v["Y.cols"])) == (2, 2)
    np.testing.assert_array_equal(v["Y"], [[15.5, 16.5], [6.5, 15.5]])
    assert float(v["L"]) == 15.5 + 16.5 + 6.5 + 15.5
    np.testing.assert_array_equal(v["grad.W"], [[4, 8, 8], [4, 4, 8], [8, 4, 4]])
    assert float(v["grad.b"]) == 4
    np.testing.assert_array_equal(v["grad.x"], [[2, 2, 1, 1], [2, 3, 4, 3], [1, 2, 5, 4], [1, 1, 2, 2]])
    assert (float(v["n_weights"]), float(v["n_params"])) == (9, 10)


def test_same_padding_then_max_pool_with_a_tie():
    # padding 1 keeps 4×4: (4 + 2·1 − 3)/1 + 1 = 4; the inner 2×2 is the unpadded result + b = 1.
    # Corners by hand (x_pad has a zero border):
    #   Y[0,0] = 0 + (1·1 + 2·2) + (1·2) + 1 = 8;   Y[0,3] = (2·1 + 3·0) + 1 = 3
    #   Y[3,0] = (2·1 + 3·2) + 1 = 9;               Y[3,3] = (1·2) + (1·1) + 1 = 4
    # Edges: Y[0,1] = (0+2+6) + (0+0+4) + 1 = 13, Y[0,2] = 3 + 7 + 1 = 11, Y[1,0] = 2+2+0+1 = 5,
    #        Y[1,3] = 6+3+1+1 = 11, Y[2,0] = 1+3+6+1 = 11, Y[2,3] = 4+2+0+1 = 7, Y[3,1] = 7+3+1 = 11,
    #        Y[3,2] = 2+2+1 = 5.
    # Max pool 2×2 stride 2: [8 13; 5 16] → 16, [11 3; 17 11] → 17, [11 7; 9 11] → 11 (a tie: the
    # first in reading order, Y[2,0], gets the gradient), [16 7; 5 4] → 16.
    v = conv(x=X4, W=K3, b=1, padding=1, pool={"type": "max", "size": 2}).evaluate()
    np.testing.assert_array_equal(v["Y"], [[8, 13, 11, 3], [5, 16, 17, 11], [11, 7, 16, 7], [9, 11, 5, 4]])
    np.testing.assert_array_equal(v["P"], [[16, 17], [11, 16]])
    np.testing.assert_array_equal(v["grad.P"], np.ones((2, 2)))
    np.testing.assert_array_equal(v["grad.Y"], [[0, 0, 0, 0], [0, 1, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]])
    assert v["x.pad"].shape == (6, 6) and float(v["x.pad"].sum()) == float(np.sum(X4))
    assert float(v["grad.b"]) == 4


def test_stride_two_edge_kernel_on_a_ramp():
    # x[r,c] = 5r + c + 1 (5×5); W = vertical edge [1 0 −1] in each row.
    # Every window: Σ_rows (x[r,c] − x[r,c+2]) = 3·(−2) = −6. Size ⌊(5 − 3)/2⌋ + 1 = 2.
    x = (np.arange(25).reshape(5, 5) + 1).tolist()
    v = conv(x=x, W=[[1, 0, -1]] * 3, stride=2).evaluate()
    np.testing.assert_array_equal(v["Y"], -6 * np.ones((2, 2)))
    # ∂L/∂W[m,n] = x[m,n] + x[m,n+2] + x[m+2,n] + x[m+2,n+2] = 4·x[m,n] + 2·2 + 2·10 = 4·x[m,n] + 24
    np.testing.assert_array_equal(v["grad.W"], 4 * np.array(x)[:3, :3] + 24)
    # padding 1, stride 2: ⌊(5 + 2 − 3)/2⌋ + 1 = 3
    assert float(conv(x=x, W=[[1, 0, -1]] * 3, stride=2, padding=1).evaluate()["Y.rows"]) == 3


def test_flipped_kernel_differs_from_cross_correlation():
    # 2×2 image with a single 1 in the corner: cross-correlation picks W[0,0] = 1,
    # true convolution picks the turned kernel's corner W[1,1] = 4.
    x, W = [[1, 0], [0, 0]], [[1, 2], [3, 4]]
    assert conv(x=x, W=W).evaluate()["Y"].tolist() == [[1]]
    flipped = conv(x=x, W=W, flip=True).evaluate()
    assert flipped["Y"].tolist() == [[4]]
    np.testing.assert_array_equal(flipped["W.flip"], [[4, 3], [2, 1]])
    # ∂L/∂W for the true convolution: Y = Σ W[1−m,1−n]·x[m,n] = W[1,1], so only W[1,1] gets 1.
    np.testing.assert_array_equal(flipped["grad.W"], [[0, 0], [0, 1]])


def test_max_and_average_pool_backward_with_an_upstream_gradient():
    # Windows of x (2×2, stride 2) and their maxima: [1 3; 4 2] → 4 at (1,0); [2 1; 0 1] → 2 at (0,2);
    # [5 6; 7 8] → 8 at (3,1); [1 2; 3 4] → 4 at (3,3). Upstream [1 2; 3 4] goes to those cells.
    x = [[1, 3, 2, 1], [4, 2, 0, 1], [5, 6, 1, 2], [7, 8, 3, 4]]
    up = [[1, 2], [3, 4]]
    v = conv(x=x, pool={"type": "max", "size": 2}, upstream=up).evaluate()
    np.testing.assert_array_equal(v["P"], [[4, 2], [8, 4]])
    np.testing.assert_array_equal(v["grad.x"], [[0, 0, 2, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 3, 0, 4]])
    assert "L" not in v
    # Average: P = window means (10/4, 4/4, 26/4, 10/4); each cell gets upstream/4.
    a = conv(x=x, pool={"type": "avg", "size": 2}, upstream=up).evaluate()
    np.testing.assert_array_equal(a["P"], [[2.5, 1], [6.5, 2.5]])
    np.testing.assert_array_equal(a["grad.x"], np.kron(np.array(up) / 4, np.ones((2, 2))))


def test_overlapping_max_pool_adds_and_breaks_ties_in_reading_order():
    # x = [1 2 1; 2 2 0; 0 1 1], size 2, stride 1. Windows: (0,0) [1 2; 2 2] → first 2 at (0,1);
    # (0,1) [2 1; 2 0] → (0,1); (1,0) [2 2; 0 1] → (1,0); (1,1) [2 0; 1 1] → (1,1).
    # (0,1) is the arg-max of two windows: it gets 1 + 1 = 2.
    v = conv(x=[[1, 2, 1], [2, 2, 0], [0, 1, 1]], pool={"type": "max", "size": 2, "stride": 1}).evaluate()
    np.testing.assert_array_equal(v["P"], [[2, 2], [2, 2]])
    np.testing.assert_array_equal(v["grad.x"], [[0, 2, 0], [1, 1, 0], [0, 0, 0]])


def test_parameter_count_3x3_kernel_3_in_6_out():
    # 3·3·3·6 = 162 weights, plus 6 biases = 168; padding 1 keeps 5×5.
    v = conv(x=np.zeros((3, 5, 5)).tolist(), W=np.zeros((6, 3, 3, 3)).tolist(), b=[0] * 6, padding=1).evaluate()
    assert (float(v["n_weights"]), float(v["n_params"])) == (162, 168)
    assert (float(v["Y.rows"]), float(v["Y.cols"])) == (5, 5)
    assert v["Y"].shape == (6, 5, 5) and v["Y.c6"].shape == (5, 5)
    assert v["grad.W"].shape == (6, 3, 3, 3) and v["grad.W.c6.c3"].shape == (3, 3)
    assert v["grad.x.c3"].shape == (5, 5)


def test_output_size_formula():
    # (n + 2p − k)/s + 1: (5 + 2 − 3)/1 + 1 = 5; (7 − 3)/2 + 1 = 3; (28 − 5)/1 + 1 = 24; ⌊(6 − 3)/2⌋ + 1 = 2
    assert [output_size(5, 3, 1, 1), output_size(7, 3, 0, 2), output_size(28, 5), output_size(6, 3, 0, 2)] == \
        [5, 3, 24, 2]
    with pytest.raises(ValueError):
        output_size(2, 3)


def test_accepted_channel_slice_feeds_downstream():
    # Two filters; the student's (wrong but accepted) Y.c1 replaces the engine's in Y and in L.
    x = [[1, 2, 0], [0, 1, 1], [2, 0, 1]]
    p = conv(x=x, W=[[[[1, 0], [0, 1]]], [[[0, 1], [1, 0]]]])
    v = p.evaluate({"Y.c1": np.zeros((2, 2))})
    np.testing.assert_array_equal(v["Y"][0], np.zeros((2, 2)))
    assert float(v["L"]) == float(np.sum(v["Y.c2"]))


# -- data errors ---------------------------------------------------------------------------

@pytest.mark.parametrize("patch, field, words", [
    ({"W": [[[1, 0], [0, 1]]] * 2}, "problem.W", "x has 1"),
    ({"x": [X4, X4], "W": K3}, "problem.W", "one k×k kernel"),
    ({"W": [[1] * 5] * 5}, "problem.W", "does not fit"),
    ({"b": [1, 2]}, "problem.b", "one bias per filter"),
    ({"padding": -1}, "problem.padding", "between 0 and 10"),
    ({"stride": 1.5}, "problem.stride", "whole number"),
    ({"flip": "yes"}, "problem.flip", "true or false"),
    ({"pool": {"type": "min", "size": 2}}, "problem.pool.type", "max, avg"),
    ({"pool": {"type": "max"}}, "problem.pool.size", "missing"),
    ({"pool": {"type": "max", "size": 4}}, "problem.pool.size", "does not fit"),
    ({"pool": {"type": "max", "size": 2, "pad": 1}}, "problem.pool.pad", "unknown field"),
    ({"upstream": [[1, 2], [3, 4]]}, "problem.upstream", "one entry per entry of Y"),
    ({"W": None, "pool": None}, "problem.W", "give a kernel W"),
    ({"W": None, "pool": {"type": "max", "size": 2}, "padding": 1}, "problem.padding", "no kernel"),
    ({"colour": "red"}, "problem.colour", "unknown field"),
])
def test_bad_data_names_the_field(patch, field, words):
    data = {"kind": "conv", "x": X4, "W": [[1, 0], [0, 1]]}
    data.update(patch)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(DataError) as info:
        build_problem(data)
    assert info.value.field == field
    assert words in info.value.message


# -- a naive reference forward ---------------------------------------------------------------

def naive_conv(x3, w4, bias, pad, stride, flip):
    """The definition, index by index (no slicing tricks, no kernel copy)."""
    c, h, w = x3.shape
    f_out, _, kh, kw = w4.shape
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    out = np.zeros((f_out, ho, wo))
    for f in range(f_out):
        for i in range(ho):
            for j in range(wo):
                total = bias[f]
                for ch in range(c):
                    for m in range(kh):
                        for n in range(kw):
                            r, q = stride * i + m - pad, stride * j + n - pad
                            if 0 <= r < h and 0 <= q < w:
                                mm, nn = (kh - 1 - m, kw - 1 - n) if flip else (m, n)
                                total += w4[f, ch, mm, nn] * x3[ch, r, q]
                out[f, i, j] = total
    return out


def naive_pool(x3, size, stride, how):
    c, h, w = x3.shape
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    out = np.zeros((c, ho, wo))
    for ch in range(c):
        for i in range(ho):
            for j in range(wo):
                window = [x3[ch, stride * i + m, stride * j + n] for m in range(size) for n in range(size)]
                out[ch, i, j] = max(window) if how == "max" else sum(window) / len(window)
    return out


@st.composite
def layers(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    c_in, f_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(2, 7)), draw(st.integers(2, 7))
    pad, stride = draw(st.integers(0, 2)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, min(3, h + 2 * pad))), draw(st.integers(1, min(3, w + 2 * pad)))
    form = 2 if (c_in == 1 and f_out == 1 and draw(st.booleans())) else (3 if f_out == 1 and draw(st.booleans()) else 4)
    w4 = rng.normal(size=(f_out, c_in, kh, kw))
    # distinct, well separated inputs so a tiny step never changes a max-pool winner
    x3 = (rng.permutation(c_in * h * w).reshape(c_in, h, w) + rng.uniform(0, 0.5, (c_in, h, w))) / 5
    data = {"kind": "conv", "x": (x3[0] if c_in == 1 and form == 2 else x3).tolist(),
            "W": (w4[0, 0] if form == 2 else w4[0] if form == 3 else w4).tolist(),
            "padding": pad, "stride": stride, "flip": draw(st.booleans())}
    if draw(st.booleans()):
        bias = rng.normal(size=f_out)
        data["b"] = float(bias[0]) if (form < 4 and draw(st.booleans())) else bias.tolist()
    ho, wo = (h + 2 * pad - kh) // stride + 1, (w + 2 * pad - kw) // stride + 1
    if draw(st.booleans()) and min(ho, wo) >= 1:
        size = draw(st.integers(1, min(ho, wo, 3)))
        data["pool"] = {"type": draw(st.sampled_from(["max", "avg"])), "size": size,
                        "stride": draw(st.integers(1, 3))}
    return data, rng


def _internal(data):
    x = np.array(data["x"], dtype=float)
    x3 = x if x.ndim == 3 else x[None]
    W = np.array(data["W"], dtype=float)
    w4 = W.reshape((-1, x3.shape[0]) + W.shape[-2:])
    bias = np.broadcast_to(np.array(data.get("b", 0.0), dtype=float), (w4.shape[0],))
    return x3, w4, bias


@settings(max_examples=60, deadline=None)
@given(layers())
def test_forward_matches_the_naive_definition(drawn):
    data, _ = drawn
    v = build_problem(data).evaluate()
    x3, w4, bias = _internal(data)
    y = naive_conv(x3, w4, bias, data["padding"], data["stride"], data["flip"])
    np.testing.assert_allclose(np.asarray(v["Y"]).reshape(y.shape), y, rtol=1e-12, atol=1e-12)
    if "pool" in data:
        pl = data["pool"]
        np.testing.assert_allclose(np.asarray(v["P"]).reshape(-1),
                                   naive_pool(y, pl["size"], pl["stride"], pl["type"]).reshape(-1), rtol=1e-12)


def _max_pool_gap(y, size, stride):
    """Smallest gap between a window's best and second-best value (inf for 1×1 windows)."""
    gaps = [np.inf]
    for ch in range(y.shape[0]):
        for i in range((y.shape[1] - size) // stride + 1):
            for j in range((y.shape[2] - size) // stride + 1):
                win = np.sort(y[ch, stride * i: stride * i + size, stride * j: stride * j + size].ravel())
                if win.size > 1:
                    gaps.append(win[-1] - win[-2])
    return min(gaps)


@settings(max_examples=40, deadline=None)
@given(layers(), st.booleans())
def test_every_backward_value_matches_central_differences(drawn, with_upstream):
    data, rng = drawn
    problem = build_problem(data)
    final = "P" if "pool" in data else "Y"
    base = problem.evaluate()
    if "pool" in data and data["pool"]["type"] == "max":
        x3, w4, bias = _internal(data)
        y = naive_conv(x3, w4, bias, data["padding"], data["stride"], data["flip"])
        assume(_max_pool_gap(y, data["pool"]["size"], data["pool"]["stride"]) > 1e-3)
    if with_upstream:
        data = {**data, "upstream": rng.normal(size=np.shape(base[final])).tolist()}
        problem = build_problem(data)
        base = problem.evaluate()
    upstream = np.asarray(base[f"grad.{final}"])
    if not with_upstream:
        np.testing.assert_array_equal(upstream, np.ones_like(upstream))

    def loss(overrides):
        return float(np.sum(upstream * np.asarray(problem.evaluate(overrides)[final])))

    h = 1e-5
    for key in ("x", "W", "b"):
        if key not in problem:
            continue
        value = np.array(base[key])
        numeric = np.zeros_like(value)
        for idx in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[idx] += h
            minus[idx] -= h
            numeric[idx] = (loss({key: plus}) - loss({key: minus})) / (2 * h)
        analytic = np.asarray(base[f"grad.{key}"])
        assert analytic.shape == value.shape, key
        scale = max(1.0, float(np.max(np.abs(numeric))))
        assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, key


# -- the CS231n-style functions directly ------------------------------------------------------

@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 1), st.integers(1, 2), st.booleans())
def test_conv_backward_function_against_central_differences(seed, pad, stride, flip):
    rng = np.random.default_rng(seed)
    x, w, b = rng.normal(size=(2, 5, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    param = {"pad": pad, "stride": stride, "flip": flip}
    out, cache = conv_forward(x, w, b, param)
    dout = rng.normal(size=out.shape)
    dx, dw, db = conv_backward(dout, cache)

    def num(arr, which):
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            hi, lo = arr.copy(), arr.copy()
            hi[idx] += 1e-6
            lo[idx] -= 1e-6
            args = {"x": x, "w": w, "b": b}
            f_hi = np.sum(dout * conv_forward(**{**args, which: hi}, conv_param=param)[0])
            f_lo = np.sum(dout * conv_forward(**{**args, which: lo}, conv_param=param)[0])
            g[idx] = (f_hi - f_lo) / 2e-6
        return g

    for analytic, arr, which in ((dx, x, "x"), (dw, w, "w"), (db, b, "b")):
        np.testing.assert_allclose(analytic, num(arr, which), rtol=1e-6, atol=1e-7, err_msg=which)


def test_pool_functions_round_trip_shapes_and_totals():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 6, 5))
    for size, stride in ((2, 2), (3, 1), (2, 3)):
        out, cache = max_pool_forward(x, {"size": size, "stride": stride})
        dout = rng.normal(size=out.shape)
        dx = max_pool_backward(dout, cache)
        assert dx.shape == x.shape and np.isclose(dx.sum(), dout.sum())  # each window's gradient lands once
        out, cache = avg_pool_forward(x, {"size": size, "stride": stride})
        assert np.isclose(avg_pool_backward(dout, cache).sum(), dout.sum())
