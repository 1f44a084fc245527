"""Issue 15's convolution additions: an activation after the convolution (∂L/∂W through g′, seed H2),
"same" padding with dilation, the channel convention of a convolution's count (seed C14) and the
parameters of RNN, LSTM and GRU layers -- against hand loops, central differences and closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem

RNG = np.random.default_rng(15)


def _act(name, z):
    z = np.asarray(z, dtype=float)
    return {"relu": np.maximum(z, 0), "tanh": np.tanh(z), "sigmoid": 1 / (1 + np.exp(-z)),
            "leaky_relu": np.where(z > 0, z, 0.01 * z)}[name]


def _loss_by_loops(x, W, b, name, up):
    """L = Σ up[i,j]·g(Σ_mn W[m,n]·x[i+m, j+n] + b), written with plain loops."""
    k = len(W)
    n_out = len(x) - k + 1
    total = 0.0
    for i in range(n_out):
        for j in range(n_out):
            y = b
            for m in range(k):
                for n in range(k):
                    y += W[m][n] * x[i + m][j + n]
            total += up[i][j] * float(_act(name, y))
    return total


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "leaky_relu"])
def test_conv_activation_backward_against_loops_and_central_differences(name):
    x = RNG.normal(size=(4, 4))
    W = RNG.normal(size=(2, 2))
    up = RNG.normal(size=(3, 3))
    v = build_problem({"kind": "conv", "x": x.tolist(), "W": W.tolist(), "b": 0.3, "activation": name,
                       "upstream": up.tolist()}).evaluate()
    # forward against the hand loop: A = g(Y)
    Y = np.array([[np.sum(W * x[i:i + 2, j:j + 2]) + 0.3 for j in range(3)] for i in range(3)])
    np.testing.assert_allclose(v["Y"], Y)
    np.testing.assert_allclose(v["A"], _act(name, Y))
    # ∂L/∂W[m,n] by central differences of the loop-written loss
    h = 1e-6
    num = np.zeros_like(W)
    for m in range(2):
        for n in range(2):
            Wp, Wm = W.copy(), W.copy()
            Wp[m, n] += h
            Wm[m, n] -= h
            num[m, n] = (_loss_by_loops(x, Wp, 0.3, name, up) - _loss_by_loops(x, Wm, 0.3, name, up)) / (2 * h)
    np.testing.assert_allclose(v["grad.W"], num, rtol=1e-6, atol=1e-8)
    # ∂L/∂Y is ∂L/∂A through g′ entry by entry
    eps = 1e-6
    gprime = (_act(name, Y + eps) - _act(name, Y - eps)) / (2 * eps)
    np.testing.assert_allclose(v["grad.Y"], up * gprime, rtol=1e-6, atol=1e-9)


def test_conv_activation_with_two_filters_and_max_pooling_keeps_its_slices():
    x = RNG.normal(size=(2, 4, 4))
    W = RNG.normal(size=(2, 2, 3, 3))
    p = build_problem({"kind": "conv", "x": x.tolist(), "W": W.tolist(), "activation": "tanh",
                       "pool": {"type": "max", "size": 2}})
    v = p.evaluate()
    assert "A.c1" in p.quantities and "grad.Y.c2" in p.quantities
    np.testing.assert_allclose(v["A"], np.tanh(v["Y"]))
    assert v["P"].shape == (2, 1, 1)


def test_conv_activation_needs_a_kernel_and_a_known_name():
    with pytest.raises(DataError) as e:
        build_problem({"kind": "conv", "x": [[1, 2], [3, 4]], "activation": "relu", "pool": {"type": "max", "size": 2}})
    assert e.value.field == "problem.activation"
    with pytest.raises(DataError) as e:
        build_problem({"kind": "conv", "x": [[1, 2], [3, 4]], "W": [[1]], "activation": "softmax"})
    assert e.value.field == "problem.activation"


# -- counts -------------------------------------------------------------------------------------

def _stats(**tables):
    p = build_problem({"kind": "stats", **tables})
    return p, p.evaluate()


def test_c14_a_3x3_layer_from_3_to_6_channels_has_162_weights_or_54_with_a_shared_kernel():
    _, v = _stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": False})
    assert float(v["conv.params"]) == 9 * 3 * 6 == 162
    p, v = _stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": True, "kernels": "shared"})
    assert float(v["conv.params1"]) == 9 * 6 + 6 == 60
    # the usual count is named as the other convention, not as an error
    (m,) = [m for m in p.quantities["conv.params1"].mistakes if m.name == "kernel_per_input_channel"]
    assert m.convention and float(m.fn(v["conv.channels"], v["conv.kernel"])) == 162 + 6


def test_conv_kernels_field_is_checked():
    with pytest.raises(DataError) as e:
        _stats(count_conv={"kernel": 3, "channels": [3, 6], "bias": False, "kernels": "each"})
    assert e.value.field == "problem.count_conv.kernels"


@pytest.mark.parametrize("n, h, bias, v_", [(10, 20, True, 1), (3, 2, False, 0), (5, 4, True, 2)])
def test_rnn_lstm_gru_counts_are_1_4_3_blocks(n, h, bias, v_):
    table = {"inputs": n, "hidden": h, "bias": bias}
    if v_ == 2:
        table["bias_vectors"] = 2
    _, v = _stats(count_rnn=table)
    block = h * n + h * h + v_ * h  # closed form: W_x, W_h and v bias vectors
    assert float(v["rnn.block"]) == block
    assert float(v["rnn.rnn.params"]) == block
    assert float(v["rnn.lstm.params"]) == 4 * block
    assert float(v["rnn.gru.params"]) == 3 * block


def test_rnn_counts_known_values():
    # PyTorch's nn.LSTM(10, 20) has 4·(20·10 + 20·20 + 20 + 20) = 2560 parameters; nn.GRU(10, 20) 1920
    _, v = _stats(count_rnn={"inputs": 10, "hidden": 20, "bias": True, "bias_vectors": 2})
    assert (float(v["rnn.lstm.params"]), float(v["rnn.gru.params"]), float(v["rnn.rnn.params"])) == (2560, 1920, 640)


@pytest.mark.parametrize("table, field", [
    ({"inputs": 3, "hidden": 2, "bias": True, "cells": ["lstm", "lstm"]}, "cells"),
    ({"inputs": 3, "hidden": 2, "bias": True, "cells": ["transformer"]}, "cells"),
    ({"inputs": 3, "hidden": 2, "bias": False, "bias_vectors": 2}, "bias_vectors"),
    ({"inputs": 3, "hidden": 2}, "bias"),
    ({"hidden": 2, "bias": True}, "inputs"),
])
def test_rnn_count_data_errors_name_the_field(table, field):
    with pytest.raises(DataError) as e:
        _stats(count_rnn=table)
    assert e.value.field == f"problem.count_rnn.{field}"


# -- "same" padding -----------------------------------------------------------------------------

def _side_by_loops(n, k, p, d):
    """How many positions a dilated window finds in n cells padded with p: counted one by one."""
    return sum(1 for start in range(-p, n + p) if start + d * (k - 1) <= n + p - 1)


@pytest.mark.parametrize("k, d", [(1, 1), (3, 1), (5, 1), (3, 2), (3, 3), (5, 2), (2, 2)])
def test_same_padding_keeps_the_side(k, d):
    p, v = _stats(receptive={"size": 11, "layers": [{"type": "conv", "kernel": k, "dilation": d, "padding": "same"}]})
    pad = float(v["receptive.p1"])
    assert pad == d * (k - 1) / 2
    assert float(v["receptive.n1"]) == 11 == _side_by_loops(11, k, int(pad), d)


def test_dilated_size_by_loops():
    _, v = _stats(receptive={"size": 12, "layers": [{"type": "conv", "kernel": 3, "dilation": 2, "padding": 1}]})
    assert float(v["receptive.n1"]) == _side_by_loops(12, 3, 1, 2) == 10


@pytest.mark.parametrize("layer, why", [
    ({"type": "conv", "kernel": 4, "padding": "same"}, "odd"),
    ({"type": "conv", "kernel": 3, "stride": 2, "padding": "same"}, "stride 1"),
    ({"type": "maxpool", "kernel": 3, "padding": "same"}, "convolution"),
])
def test_same_padding_refuses_what_cannot_keep_the_side(layer, why):
    with pytest.raises(DataError) as e:
        _stats(receptive={"size": 8, "layers": [layer]})
    assert e.value.field == "problem.receptive.layers[1].padding" and why in e.value.message


# -- separable convolution ----------------------------------------------------------------------

@pytest.mark.parametrize("k, ci, co, bias", [(3, 32, 64, False), (3, 3, 6, True), (5, 16, 16, True), (1, 2, 3, False)])
def test_separable_counts_closed_forms(k, ci, co, bias):
    _, v = _stats(separable={"kernel": k, "channels": [ci, co], "bias": bias})
    b = int(bias)
    assert float(v["separable.depthwise"]) == k * k * ci + b * ci
    assert float(v["separable.pointwise"]) == ci * co + b * co
    assert float(v["separable.params"]) == k * k * ci + ci * co + b * (ci + co)
    assert float(v["separable.full"]) == k * k * ci * co + b * co
    assert float(v["separable.ratio"]) == pytest.approx((k * k * ci * co + b * co) / (k * k * ci + ci * co + b * (ci + co)))


def test_mobilenet_block_3x3_32_to_64():
    # MobileNet's first separable block: 3·3·32 = 288 depthwise and 32·64 = 2048 pointwise weights,
    # against 3·3·32·64 = 18432 for a full convolution
    _, v = _stats(separable={"kernel": 3, "channels": [32, 64], "bias": False})
    assert (float(v["separable.depthwise"]), float(v["separable.pointwise"]), float(v["separable.full"])) == (288, 2048,
                                                                                                            18432)


def test_separable_output_by_loops_and_as_a_full_convolution():
    ci, k = 3, 3
    x = RNG.integers(-2, 3, size=(ci, k, k)).astype(float)
    K = RNG.integers(-2, 3, size=(ci, k, k)).astype(float)
    p = RNG.integers(-3, 4, size=ci).astype(float)
    _, v = _stats(separable={"kernel": k, "channels": [ci, 5], "bias": False, "x": x.tolist(),
                             "depthwise": K.tolist(), "pointwise": p.tolist()})
    for c in range(ci):
        d = 0.0
        for m in range(k):
            for n in range(k):
                d += x[c, m, n] * K[c, m, n]
        assert float(v[f"separable.d{c + 1}"]) == d
    y = sum(p[c] * float(v[f"separable.d{c + 1}"]) for c in range(ci))
    assert float(v["separable.y"]) == y == float(v["separable.y_full"])
    # the conv kind with the full kernel W_c = p_c·K_c gives the same output on that window
    full = np.array([v[f"separable.W{c + 1}"] for c in range(ci)])
    Y = build_problem({"kind": "conv", "x": x.tolist(), "W": full.tolist()}).evaluate()["Y"]
    assert float(np.asarray(Y).reshape(-1)[0]) == pytest.approx(y)


@pytest.mark.parametrize("extra, field", [
    ({"x": [[1, 2], [3, 4]], "depthwise": [[1, 0], [0, 1]], "pointwise": [1]}, "x"),
    ({"x": [[[1] * 3] * 3] * 2, "depthwise": [[[1] * 3] * 3] * 2, "pointwise": [1, 2, 3]}, "pointwise"),
    ({"x": [[[1] * 3] * 3] * 2, "pointwise": [1, 2]}, "depthwise"),
])
def test_separable_data_errors(extra, field):
    with pytest.raises(DataError) as e:
        _stats(separable={"kernel": 3, "channels": [2, 4], "bias": False, **extra})
    assert e.value.field == f"problem.separable.{field}"


def test_leaving_g_prime_out_of_the_kernel_gradient_is_named():
    x = [[1, 2, 0], [0, 1, -2], [2, -1, 1]]
    p = build_problem({"kind": "conv", "x": x, "W": [[1, -1], [0, 2]], "activation": "relu",
                       "upstream": [[2, -1], [1, 3]]})
    v = p.evaluate()
    (m,) = [m for m in p.quantities["grad.W"].mistakes if m.name == "no_activation_derivative"]
    # ∂L/∂A slid over x by hand: [[2·1 − 2 + 0 + 3·1, 2·2 − 0 + 1 + 3·(−2)], [0 − 1 + 2 + 3·(−1), 2 + 2 − 1 + 3]]
    np.testing.assert_array_equal(m.fn(*[v[d] for d in m.deps]), [[3, -1], [-2, 6]])
    np.testing.assert_array_equal(v["grad.W"], [[5, -2], [-3, 5]])


# -- dilation -----------------------------------------------------------------------------------

def _dilated_loss(x, W, d, stride, pad, up):
    """L = Σ up[i,j]·Σ_mn W[m,n]·x_pad[s·i + d·m, s·j + d·n], with plain loops."""
    xp = np.pad(np.asarray(x, dtype=float), pad)
    k = len(W)
    n_out = (xp.shape[0] - d * (k - 1) - 1) // stride + 1
    total = 0.0
    for i in range(n_out):
        for j in range(n_out):
            y = 0.0
            for m in range(k):
                for n in range(k):
                    y += W[m][n] * xp[stride * i + d * m, stride * j + d * n]
            total += up[i][j] * y
    return total, n_out


@pytest.mark.parametrize("d, stride, pad", [(2, 1, 0), (2, 2, 1), (3, 1, 2)])
def test_dilated_convolution_against_loops_and_central_differences(d, stride, pad):
    x = RNG.normal(size=(7, 7))
    W = RNG.normal(size=(3, 3))
    _, n_out = _dilated_loss(x, W, d, stride, pad, np.zeros((9, 9)))
    up = RNG.normal(size=(n_out, n_out))
    p = build_problem({"kind": "conv", "x": x.tolist(), "W": W.tolist(), "dilation": d, "stride": stride,
                       "padding": pad, "upstream": up.tolist()})
    v = p.evaluate()
    assert v["Y"].shape == (n_out, n_out) and float(v["Y.rows"]) == n_out
    # each output by the loop: up one-hot at (i, j) picks Y[i, j]
    for i in range(n_out):
        for j in range(n_out):
            one = np.zeros((n_out, n_out))
            one[i, j] = 1
            assert float(v["Y"][i, j]) == pytest.approx(_dilated_loss(x, W, d, stride, pad, one)[0])
    h = 1e-6
    num_w = np.zeros_like(W)
    for idx in np.ndindex(W.shape):
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += h
        Wm[idx] -= h
        num_w[idx] = (_dilated_loss(x, Wp, d, stride, pad, up)[0] - _dilated_loss(x, Wm, d, stride, pad, up)[0]) / (2 * h)
    np.testing.assert_allclose(v["grad.W"], num_w, rtol=1e-6, atol=1e-8)
    num_x = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp_, xm = x.copy(), x.copy()
        xp_[idx] += h
        xm[idx] -= h
        num_x[idx] = (_dilated_loss(xp_, W, d, stride, pad, up)[0] - _dilated_loss(xm, W, d, stride, pad, up)[0]) / (2 * h)
    np.testing.assert_allclose(v["grad.x"], num_x, rtol=1e-6, atol=1e-8)


def test_the_dilated_kernel_has_zeros_between_its_weights():
    v = build_problem({"kind": "conv", "x": np.ones((5, 5)).tolist(), "W": [[1, 2], [3, 4]], "dilation": 3}).evaluate()
    np.testing.assert_array_equal(v["W.dil"], [[1, 0, 0, 2], [0, 0, 0, 0], [0, 0, 0, 0], [3, 0, 0, 4]])


def test_dilation_data_errors():
    with pytest.raises(DataError) as e:
        build_problem({"kind": "conv", "x": [[1, 2], [3, 4]], "W": [[1]], "dilation": 2, "flip": True})
    assert e.value.field == "problem.dilation"
    with pytest.raises(DataError) as e:
        build_problem({"kind": "conv", "x": np.ones((4, 4)).tolist(), "W": np.ones((3, 3)).tolist(), "dilation": 2})
    assert e.value.field == "problem.W" and "5×5" in e.value.message
