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
from . import DataError, read_bool, read_int, reject_unknown

DENSE_FIELDS = {"sizes", "bias"}
CONV_FIELDS = {"kernel", "channels", "bias"}
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
    w.given("conv.channels", channels, "c", {"en": "the channel counts, input first",
                                             "ru": "число каналов, начиная со входа"})
    w.given("conv.kernel", kernel, "k", {"en": "the kernel size k of each layer (k×k)",
                                         "ru": "размер ядра k каждого слоя (k×k)"})
    for l in range(1, n_layers + 1):
        s, sp = subscript(str(l)), subscript(str(l - 1))
        layer_mistakes = [Mistake("no_in_channels", ("conv.channels", "conv.kernel"),
                                  lambda c, k, l=l: k[l - 1] ** 2 * c[l] + (c[l] if bias else 0.0), _CONV_NO_IN)]
        if bias:
            layer_mistakes.append(Mistake("no_bias", ("conv.channels", "conv.kernel"),
                                          lambda c, k, l=l: k[l - 1] ** 2 * c[l - 1] * c[l], _CONV_NO_BIAS))
        w.derived(f"conv.params{l}", lambda c, k, l=l: k[l - 1] ** 2 * c[l - 1] * c[l] + (c[l] if bias else 0.0),
                  ["conv.channels", "conv.kernel"], f"P{s}",
                  {"en": f"the parameters of convolution layer {l}", "ru": f"параметры свёрточного слоя {l}"},
                  "value", f"P{s} = k{s}·k{s}·c{sp}·c{s}" + (f" + c{s}" if bias else ""), layer_mistakes)

    def no_in(c, k):
        """All weights with the input channels forgotten in every layer: Σₗ kₗ²·cₗ."""
        return float(np.sum(k ** 2 * c[1:]))

    w.derived("conv.weights", lambda c, k: float(np.sum(k ** 2 * c[:-1] * c[1:])), ["conv.channels", "conv.kernel"],
              "#W", {"en": "all kernel weights", "ru": "все веса ядер"}, "value", "Σₗ kₗ·kₗ·cₗ₋₁·cₗ",
              [Mistake("no_in_channels", ("conv.channels", "conv.kernel"), no_in, _CONV_NO_IN)])
    w.derived("conv.biases", lambda c: float(np.sum(c[1:])) if bias else 0.0, ["conv.channels"], "#b",
              {"en": "all biases (one per output channel)", "ru": "все смещения (по одному на выходной канал)"},
              "value", "Σₗ cₗ" if bias else "0 (no biases)")
    total_mistakes = [Mistake("no_in_channels", ("conv.channels", "conv.kernel", "conv.biases"),
                              lambda c, k, b_: no_in(c, k) + b_, _CONV_NO_IN)]
    if bias:
        total_mistakes.append(Mistake("no_bias", ("conv.weights",), same, _CONV_NO_BIAS))
    w.derived("conv.params", lambda w_, b_: w_ + b_, ["conv.weights", "conv.biases"], "P",
              {"en": "all parameters of the convolution stack", "ru": "все параметры свёрточных слоёв"},
              "value", "P = #W + #b", total_mistakes)
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
