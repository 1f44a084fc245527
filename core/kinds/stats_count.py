"""The stats kind's parameter counts: a stack of dense layers and a stack of convolutions.

count_dense Σₗ (nₗ₋₁·nₗ + [bias]·nₗ).
count_conv  Σₗ (kₗ·kₗ·cₗ₋₁·cₗ + [bias]·cₗ) for square k×k kernels.

Each function writes one ``[problem.<table>]`` onto the stats kind's writer.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Mistake
from ..notation import subscript
from ..ops.record import same
from ..writer import Writer
from . import DataError, read_bool, read_choice, read_int, reject_unknown

DENSE_FIELDS = {"sizes", "bias"}
CONV_FIELDS = {"kernel", "channels", "bias", "kernels"}
#: How the k×k kernels of a layer meet its input channels: one per (input, output) pair, or one per
#: output channel shared by all input channels (its outputs summed over them).
KERNEL_CHOICES = ("per_input_channel", "shared")
_MOST = 1_000_000  # the largest count a lesson may give


def count_dense(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, DENSE_FIELDS)
    sizes = _read_int_list(t, "sizes", path, min_len=2, what="layer sizes, inputs first (e.g. [12, 300, 1])")
    bias = _read_bias(t, path)
    w.given("dense.sizes", sizes, "n", {"en": "the layer sizes, inputs first", "ru": "размеры слоёв, начиная со входа"})
    for l in range(1, len(sizes)):
        s, sp = subscript(str(l)), subscript(str(l - 1))
        w.derived(f"dense.params{l}", lambda n, l=l: n[l - 1] * n[l] + (n[l] if bias else 0.0), ["dense.sizes"],
                  f"P{s}", {"en": f"the parameters of layer {l}", "ru": f"параметры слоя {l}"},
                  "value", f"P{s} = n{sp}·n{s}" + (f" + n{s}" if bias else ""),
                  [Mistake("no_bias", ("dense.sizes",), lambda n, l=l: n[l - 1] * n[l], _DENSE_NO_BIAS)]
                  if bias else [])
    w.derived("dense.weights", lambda n: float(np.sum(n[:-1] * n[1:])), ["dense.sizes"], "#W",
              {"en": "all weights of the net", "ru": "все веса сети"}, "value", "#W = Σₗ₌₁ nₗ₋₁·nₗ")
    w.derived("dense.biases", lambda n: float(np.sum(n[1:])) if bias else 0.0, ["dense.sizes"], "#b",
              {"en": "all biases of the net", "ru": "все смещения сети"}, "value",
              "#b = Σₗ₌₁ nₗ" if bias else "#b = 0")
    w.derived("dense.params", lambda w_, b_: w_ + b_, ["dense.weights", "dense.biases"], "P",
              {"en": "all parameters of the net", "ru": "все параметры сети"}, "value", "P = #W + #b",
              [Mistake("no_bias", ("dense.weights",), same, _DENSE_NO_BIAS)] if bias else [])
    w.convention("count_dense", {
        "en": "dense layers, every unit joined to every unit of the previous layer"
              + ("; every unit after the inputs has a bias" if bias else "; no biases"),
        "ru": "полносвязные слои: каждый нейрон связан со всеми нейронами предыдущего слоя"
              + ("; у каждого нейрона после входа есть смещение" if bias else "; смещений нет"),
    })


def count_conv(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, CONV_FIELDS)
    channels = _read_int_list(t, "channels", path, min_len=2, what="channel counts c₀, c₁, …, input first")
    n_layers = channels.size - 1
    raw = t.get("kernel")
    if isinstance(raw, list):
        kernel = _read_int_list(t, "kernel", path, min_len=1, what="kernel sizes, one per layer")
        if kernel.size != n_layers:
            raise DataError(f"{path}.kernel", f"has {kernel.size} sizes but channels describes {n_layers} layers")
    else:
        kernel = np.full(n_layers, float(read_int(t, "kernel", path, 1, _MOST)))
    bias = _read_bias(t, path)
    shared = read_choice(t, "kernels", path, KERNEL_CHOICES, default="per_input_channel") == "shared"
    w.given("conv.channels", channels, "c", {"en": "the channel counts, input first",
                                             "ru": "число каналов, начиная со входа"})
    w.given("conv.kernel", kernel, "k", {"en": "the kernel size k of each layer (k×k)",
                                         "ru": "размер ядра k каждого слоя (k×k)"})
    b_ = 1.0 if bias else 0.0

    def per_layer(c, k, l, shared_):
        """kₗ²·cₗ₋₁·cₗ (+ cₗ), or kₗ²·cₗ (+ cₗ) with one kernel shared across the input channels."""
        return k[l - 1] ** 2 * (1.0 if shared_ else c[l - 1]) * c[l] + b_ * c[l]

    def all_weights(c, k, shared_):
        return float(np.sum(k ** 2 * (1.0 if shared_ else c[:-1]) * c[1:]))

    other = _CONV_PER_CHANNEL if shared else _CONV_NO_IN
    for l in range(1, n_layers + 1):
        s, sp = subscript(str(l)), subscript(str(l - 1))
        layer_mistakes = [Mistake("no_in_channels" if not shared else "kernel_per_input_channel",
                                  ("conv.channels", "conv.kernel"),
                                  lambda c, k, l=l: per_layer(c, k, l, not shared), other, shared)]
        if bias:
            layer_mistakes.append(Mistake("no_bias", ("conv.channels", "conv.kernel"),
                                          lambda c, k, l=l: per_layer(c, k, l, shared) - c[l], _CONV_NO_BIAS))
        cin = "" if shared else f"·c{sp}"
        w.derived(f"conv.params{l}", lambda c, k, l=l: per_layer(c, k, l, shared),
                  ["conv.channels", "conv.kernel"], f"P{s}",
                  {"en": f"the parameters of convolution layer {l}", "ru": f"параметры свёрточного слоя {l}"},
                  "value", f"P{s} = k{s}·k{s}{cin}·c{s}" + (f" + c{s}" if bias else ""), layer_mistakes)

    w.derived("conv.weights", lambda c, k: all_weights(c, k, shared), ["conv.channels", "conv.kernel"],
              "#W", {"en": "all kernel weights", "ru": "все веса ядер"}, "value",
              "Σₗ kₗ·kₗ·cₗ" if shared else "Σₗ kₗ·kₗ·cₗ₋₁·cₗ",
              [Mistake("no_in_channels" if not shared else "kernel_per_input_channel", ("conv.channels", "conv.kernel"),
                       lambda c, k: all_weights(c, k, not shared), other, shared)])
    w.derived("conv.biases", lambda c: float(np.sum(c[1:])) if bias else 0.0, ["conv.channels"], "#b",
              {"en": "all biases (one per output channel)", "ru": "все смещения (по одному на выходной канал)"},
              "value", "Σₗ cₗ" if bias else "0 (no biases)")
    total_mistakes = [Mistake("no_in_channels" if not shared else "kernel_per_input_channel",
                              ("conv.channels", "conv.kernel", "conv.biases"),
                              lambda c, k, b_: all_weights(c, k, not shared) + b_, other, shared)]
    if bias:
        total_mistakes.append(Mistake("no_bias", ("conv.weights",), same, _CONV_NO_BIAS))
    w.derived("conv.params", lambda w_, b_: w_ + b_, ["conv.weights", "conv.biases"], "P",
              {"en": "all parameters of the convolution stack", "ru": "все параметры свёрточных слоёв"},
              "value", "P = #W + #b", total_mistakes)
    if shared:
        w.convention("count_conv", {
            "en": "each output channel has ONE k×k kernel, shared by all input channels (its products are summed "
                  "over them)" + ("; one bias per output channel" if bias else "; no biases"),
            "ru": "у каждого выходного канала ОДНО ядро k×k, общее для всех входных каналов (произведения "
                  "суммируются по ним)" + ("; одно смещение на выходной канал" if bias else "; смещений нет"),
        })
        return
    w.convention("count_conv", {
        "en": "each output channel has one k×k kernel per input channel"
              + ("; one bias per output channel" if bias else "; no biases"),
        "ru": "у каждого выходного канала своё ядро k×k для каждого входного канала"
              + ("; одно смещение на выходной канал" if bias else "; смещений нет"),
    })


_DENSE_NO_BIAS = {
    "en": "You counted only the weights; every unit after the inputs also has a bias: nₗ₋₁·nₗ + nₗ per layer.",
    "ru": "Вы посчитали только веса, а у каждого нейрона после входа есть ещё смещение: nₗ₋₁·nₗ + nₗ на слой.",
}
_CONV_NO_BIAS = {
    "en": "You counted only the weights; each output channel also has a bias: kₗ·kₗ·cₗ₋₁·cₗ + cₗ per layer.",
    "ru": "Вы посчитали только веса, а у каждого выходного канала есть ещё смещение: kₗ·kₗ·cₗ₋₁·cₗ + cₗ на слой.",
}
_CONV_PER_CHANNEL = {
    "en": "That counts one k×k kernel for every pair of input and output channels (kₗ·kₗ·cₗ₋₁·cₗ weights), the "
          "usual convention; this exercise shares one kernel across the input channels: kₗ·kₗ·cₗ per layer.",
    "ru": "Так считают, если на каждую пару входного и выходного каналов своё ядро k×k (kₗ·kₗ·cₗ₋₁·cₗ весов), — "
          "это обычная договорённость; здесь же одно ядро общее для всех входных каналов: kₗ·kₗ·cₗ на слой.",
}
_CONV_NO_IN = {
    "en": "You left out the input channels: each output channel has a k×k kernel for every input channel, "
          "kₗ·kₗ·cₗ₋₁·cₗ weights per layer.",
    "ru": "Вы не учли входные каналы: у каждого выходного канала своё ядро k×k на каждый входной канал, "
          "kₗ·kₗ·cₗ₋₁·cₗ весов на слой.",
}


# -- readers ------------------------------------------------------------------------------

def _read_int_list(t, key: str, path: str, min_len: int, what: str) -> np.ndarray:
    """A list of at least ``min_len`` whole numbers from 1 to 1000000 (``what`` says what they are)."""
    field = f"{path}.{key}"
    value = t.get(key)
    if not isinstance(value, list) or len(value) < min_len:
        raise DataError(field, f"missing or too short: at least {min_len} {what}")
    for i, v in enumerate(value, start=1):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= _MOST:
            raise DataError(field, f"entry {i} must be a whole number from 1 to 1000000, got {v!r}")
    return np.array(value, dtype=np.float64)


def _read_bias(t, path: str) -> bool:
    """Whether the layers have biases: required, since either is common."""
    if "bias" not in t:
        raise DataError(f"{path}.bias", "missing: say whether the layers have biases (true or false)")
    return read_bool(t, "bias", path, default=True)


# -- recurrent cells ----------------------------------------------------------------------

RNN_FIELDS = {"inputs", "hidden", "cells", "bias", "bias_vectors"}
#: The blocks of each cell: a block is one h×n input matrix, one h×h recurrent matrix and its bias.
RNN_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
_CELL_NAMES = {"rnn": ("simple RNN", "простой RNN"), "lstm": ("LSTM", "LSTM"), "gru": ("GRU", "GRU")}
_BLOCKS_TEXT = {
    "rnn": ("one block: the state itself, sₜ = tanh(W_x·xₜ + W_h·sₜ₋₁ + b)",
            "один блок — само состояние: sₜ = tanh(W_x·xₜ + W_h·sₜ₋₁ + b)"),
    "lstm": ("four blocks: the input, forget and output gates and the candidate cell state",
             "четыре блока: входной вентиль, вентиль забывания, выходной вентиль и кандидат в состояние ячейки"),
    "gru": ("three blocks: the update and reset gates and the candidate state",
            "три блока: вентиль обновления, вентиль сброса и кандидат в состояние"),
}


def count_rnn(w: Writer, t: Mapping[str, Any], path: str) -> None:
    """One block: h·n + h·h (+ v·h biases); a cell with g blocks: g·(h·n + h·h + v·h)."""
    reject_unknown(t, path, RNN_FIELDS)
    n = read_int(t, "inputs", path, 1, _MOST)
    h = read_int(t, "hidden", path, 1, _MOST)
    cells = t.get("cells", list(RNN_BLOCKS))
    if not isinstance(cells, list) or not cells or any(c not in RNN_BLOCKS for c in cells) \
            or len(set(cells)) != len(cells):
        raise DataError(f"{path}.cells", 'must be a list of distinct cells from "rnn", "lstm", "gru", '
                                         'e.g. ["rnn", "lstm", "gru"]')
    bias = _read_bias(t, path)
    if "bias_vectors" in t and not bias:
        raise DataError(f"{path}.bias_vectors", "only used with bias = true")
    v = read_int(t, "bias_vectors", path, 1, 2, default=1) if bias else 0
    w.given("rnn.inputs", float(n), "n", {"en": "the size of each input xₜ", "ru": "размер каждого входа xₜ"})
    w.given("rnn.hidden", float(h), "h", {"en": "the size of the state (hidden units)",
                                          "ru": "размер состояния (число скрытых нейронов)"})
    deps = ["rnn.inputs", "rnn.hidden"]
    w.derived("rnn.input_weights", lambda n_, h_: n_ * h_, deps, "|W_x|",
              {"en": "the weights of one block's input matrix W_x (h×n)",
               "ru": "веса входной матрицы W_x одного блока (h×n)"}, "value", "|W_x| = h·n")
    w.derived("rnn.recurrent_weights", lambda h_: h_ * h_, ["rnn.hidden"], "|W_h|",
              {"en": "the weights of one block's recurrent matrix W_h (h×h)",
               "ru": "веса рекуррентной матрицы W_h одного блока (h×h)"}, "value", "|W_h| = h·h",
              [Mistake("recurrent_as_input", deps, lambda n_, h_: n_ * h_, _RNN_RECURRENT_SQUARE)])
    bias_text = {0: "", 1: " + h", 2: " + 2h"}[v]
    block_mistakes = [Mistake("no_recurrent", ("rnn.input_weights", "rnn.hidden"),
                              lambda wx, h_: wx + v * h_, _RNN_NO_RECURRENT)]
    if bias:
        block_mistakes.append(Mistake("no_bias", ("rnn.input_weights", "rnn.recurrent_weights"),
                                      lambda wx, wh: wx + wh, _RNN_NO_BIAS))
        if v == 2:
            block_mistakes.append(Mistake("one_bias_vector", ("rnn.input_weights", "rnn.recurrent_weights",
                                                              "rnn.hidden"),
                                          lambda wx, wh, h_: wx + wh + h_, _RNN_ONE_BIAS, True))
    w.derived("rnn.block", lambda wx, wh, h_: wx + wh + v * h_,
              ["rnn.input_weights", "rnn.recurrent_weights", "rnn.hidden"], "B",
              {"en": "the parameters of one block: W_x, W_h" + (" and the bias" if bias else ""),
               "ru": "параметры одного блока: W_x, W_h" + (" и смещение" if bias else "")},
              "value", f"B = h·n + h·h{bias_text}", block_mistakes)
    for cell in cells:
        g = RNN_BLOCKS[cell]
        en, ru = _CELL_NAMES[cell]
        mistakes = []
        if g > 1:
            mistakes.append(Mistake("one_block", ("rnn.block",), same, _rnn_blocks_message(cell)))
            other = 3 if cell == "lstm" else 4
            mistakes.append(Mistake("wrong_blocks", ("rnn.block",), lambda b_, other=other: other * b_,
                                    _rnn_blocks_message(cell)))
            if bias:
                mistakes.append(Mistake("bias_once", ("rnn.block", "rnn.hidden"),
                                        lambda b_, h_, g=g: g * (b_ - v * h_) + v * h_, _rnn_bias_once(g)))
        w.derived(f"rnn.{cell}.params", lambda b_, g=g: g * b_, ["rnn.block"], f"P_{cell}",
                  {"en": f"the parameters of a {en} layer ({_BLOCKS_TEXT[cell][0]})",
                   "ru": f"параметры слоя {ru} ({_BLOCKS_TEXT[cell][1]})"},
                  "value", f"P_{cell} = {g}·B" if g > 1 else f"P_{cell} = B", mistakes)
    bias_en = {0: "no biases", 1: "one bias vector per block", 2: "two bias vectors per block (b_x and b_h, as in "
                                                                   "PyTorch)"}[v]
    bias_ru = {0: "смещений нет", 1: "один вектор смещений на блок", 2: "два вектора смещений на блок (b_x и b_h, "
                                                                        "как в PyTorch)"}[v]
    w.convention("count_rnn", {
        "en": "every block (the state of a simple RNN; each gate and the candidate of an LSTM or a GRU) has its own "
              f"input matrix W_x (h×n) and recurrent matrix W_h (h×h); {bias_en}; an LSTM has 4 blocks, a GRU 3",
        "ru": "у каждого блока (состояние простой RNN; каждый вентиль и кандидат в LSTM и GRU) своя входная "
              f"матрица W_x (h×n) и рекуррентная W_h (h×h); {bias_ru}; у LSTM 4 блока, у GRU 3",
    })


def _rnn_blocks_message(cell: str) -> dict[str, str]:
    if cell == "lstm":
        return {"en": "An LSTM has four blocks, each with its own W_x, W_h and bias: the input, forget and output "
                      "gates and the candidate cell state. So P = 4·B.",
                "ru": "У LSTM четыре блока, у каждого свои W_x, W_h и смещение: входной вентиль, вентиль "
                      "забывания, выходной вентиль и кандидат в состояние ячейки. Поэтому P = 4·B."}
    return {"en": "A GRU has three blocks, each with its own W_x, W_h and bias: the update gate, the reset gate and "
                  "the candidate state. So P = 3·B.",
            "ru": "У GRU три блока, у каждого свои W_x, W_h и смещение: вентиль обновления, вентиль сброса и "
                  "кандидат в состояние. Поэтому P = 3·B."}


def _rnn_bias_once(g: int) -> dict[str, str]:
    return {"en": f"Each of the {g} blocks has its own bias, not only one for the whole cell: P = {g}·B.",
            "ru": f"Своё смещение есть у каждого из {g} блоков, а не одно на всю ячейку: P = {g}·B."}


_RNN_RECURRENT_SQUARE = {
    "en": "The recurrent matrix maps the previous state (h numbers) to the new one (h numbers): it is h×h, "
          "whatever the input size.",
    "ru": "Рекуррентная матрица переводит прошлое состояние (h чисел) в новое (h чисел): она h×h, каким бы ни "
          "был размер входа.",
}
_RNN_NO_RECURRENT = {
    "en": "You left out the recurrent matrix W_h (h×h): a block reads the previous state as well as the input.",
    "ru": "Вы пропустили рекуррентную матрицу W_h (h×h): блок читает не только вход, но и прошлое состояние.",
}
_RNN_NO_BIAS = {
    "en": "You counted only the weights; the block also has a bias, one number per state unit.",
    "ru": "Вы посчитали только веса, а у блока есть ещё смещение — по числу на каждый нейрон состояния.",
}
_RNN_ONE_BIAS = {
    "en": "That is one bias vector per block (as in Keras); this exercise counts two, b_x and b_h, as PyTorch does.",
    "ru": "Это один вектор смещений на блок (как в Keras); в этом упражнении их два, b_x и b_h, как в PyTorch.",
}
