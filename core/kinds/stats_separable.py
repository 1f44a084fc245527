"""The stats kind's separable convolution: depthwise + pointwise against a full convolution.

Counts, for a k×k layer from C_in to C_out channels (biases optional, one per output channel of each part):
  depthwise  k·k·C_in (+ C_in)       one k×k kernel per input channel, channels not mixed;
  pointwise  C_in·C_out (+ C_out)    a 1×1 convolution mixing the channels;
  separable  the two together;       full  k·k·C_in·C_out (+ C_out);  ratio = full / separable.
One output value (optional ``x``, ``depthwise``, ``pointwise``): the depthwise outputs d_c at one
window, the mixed y = Σ_c p_c·d_c, and the full convolution's kernel W_c = p_c·K_c that gives the
same y. The operations are :mod:`nntutor.core.ops.separable`.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Mistake
from ..notation import subscript
from ..ops import separable as op
from ..writer import Writer
from . import DataError, read_array, read_bool, read_int, reject_unknown

FIELDS = {"kernel", "channels", "bias", "x", "depthwise", "pointwise"}
_MOST = 100_000


def separable(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, FIELDS)
    k = read_int(t, "kernel", path, 1, 99)
    channels = t.get("channels")
    if not isinstance(channels, list) or len(channels) != 2 or any(
            isinstance(c, bool) or not isinstance(c, int) or not 1 <= c <= _MOST for c in channels):
        raise DataError(f"{path}.channels", "must be [C_in, C_out], two whole numbers from 1 to 100000")
    c_in, c_out = channels
    if "bias" not in t:
        raise DataError(f"{path}.bias", "missing: say whether each part has biases (true or false)")
    bias = read_bool(t, "bias", path, default=False)
    b = 1.0 if bias else 0.0
    w.given("separable.k", float(k), "k", {"en": "the kernel size (k×k)", "ru": "размер ядра (k×k)"})
    w.given("separable.c_in", float(c_in), "C_in", {"en": "the input channels", "ru": "число входных каналов"})
    w.given("separable.c_out", float(c_out), "C_out", {"en": "the output channels", "ru": "число выходных каналов"})
    sizes = ["separable.k", "separable.c_in", "separable.c_out"]
    bias_en, bias_ru = (" and one bias per channel", " и по смещению на канал") if bias else ("", "")

    def no_bias(fn):
        return Mistake("no_bias", tuple(sizes), fn, _NO_BIAS)

    w.derived("separable.depthwise", lambda k_, ci, co: k_ * k_ * ci + b * ci, sizes, "P_dw",
              {"en": f"the depthwise part's parameters: one k×k kernel per input channel{bias_en}",
               "ru": f"параметры depthwise-части: по ядру k×k на каждый входной канал{bias_ru}"}, "value",
              "P_dw = k·k·C_in" + (" + C_in" if bias else ""),
              [Mistake("depthwise_as_full", tuple(sizes), lambda k_, ci, co: k_ * k_ * ci * co + b * ci, _DW_FULL)]
              + ([no_bias(lambda k_, ci, co: k_ * k_ * ci)] if bias else []))
    w.derived("separable.pointwise", lambda k_, ci, co: ci * co + b * co, sizes, "P_pw",
              {"en": f"the pointwise (1×1) part's parameters: C_in weights per output channel{bias_en}",
               "ru": f"параметры поточечной (1×1) части: C_in весов на каждый выходной канал{bias_ru}"}, "value",
              "P_pw = C_in·C_out" + (" + C_out" if bias else ""),
              [Mistake("pointwise_as_kxk", tuple(sizes), lambda k_, ci, co: k_ * k_ * ci * co + b * co, _PW_KXK)]
              + ([no_bias(lambda k_, ci, co: ci * co)] if bias else []))
    w.derived("separable.params", lambda dw, pw: dw + pw, ["separable.depthwise", "separable.pointwise"], "P_sep",
              {"en": "the separable layer's parameters: depthwise plus pointwise",
               "ru": "параметры разделимого слоя: depthwise плюс поточечная часть"}, "value", "P_sep = P_dw + P_pw",
              [Mistake("product_not_sum", ("separable.depthwise", "separable.pointwise"), lambda dw, pw: dw * pw,
                       _PRODUCT)])
    w.derived("separable.full", lambda k_, ci, co: k_ * k_ * ci * co + b * co, sizes, "P_full",
              {"en": "the parameters of a full k×k convolution from C_in to C_out channels",
               "ru": "параметры обычной свёртки k×k из C_in каналов в C_out"}, "value",
              "P_full = k·k·C_in·C_out" + (" + C_out" if bias else ""),
              [Mistake("no_in_channels", tuple(sizes), lambda k_, ci, co: k_ * k_ * co + b * co, _FULL_NO_IN)]
              + ([no_bias(lambda k_, ci, co: k_ * k_ * ci * co)] if bias else []))
    w.derived("separable.ratio", lambda full, sep: full / sep, ["separable.full", "separable.params"], "P_full/P_sep",
              {"en": "how many times fewer parameters the separable layer has",
               "ru": "во сколько раз у разделимого слоя меньше параметров"}, "value", "P_full / P_sep",
              [Mistake("ratio_inverted", ("separable.full", "separable.params"), lambda full, sep: sep / full,
                       _INVERTED)])
    w.convention("separable", {
        "en": f"a depthwise-separable layer: a depthwise k×k convolution (one kernel per input channel, channels "
              f"not mixed), then a pointwise 1×1 convolution from C_in to C_out channels; "
              + ("each part has one bias per output channel of its own" if bias else "no biases"),
        "ru": f"разделимая (depthwise-separable) свёртка: сначала depthwise-свёртка k×k (своё ядро на каждый входной "
              f"канал, каналы не смешиваются), затем поточечная свёртка 1×1 из C_in каналов в C_out; "
              + ("у каждой части по смещению на каждый свой выходной канал" if bias else "смещений нет"),
    })
    if any(key in t for key in ("x", "depthwise", "pointwise")):
        _one_output(w, t, path, k, c_in)


def _one_output(w: Writer, t, path: str, k: int, c_in: int) -> None:
    """d_c, y and the full kernel slices W_c at one window (no biases in the value)."""
    shape = (c_in, k, k)
    arrays = {}
    for key in ("x", "depthwise"):
        arr = read_array(t, key, path, ndim=(2, 3))
        arr = arr[None] if arr.ndim == 2 else arr
        if arr.shape != shape:
            raise DataError(f"{path}.{key}", f"must be {c_in} matrices {k}×{k} (one per input channel), got shape "
                                             f"{'×'.join(map(str, arr.shape))}")
        arrays[key] = arr
    p = read_array(t, "pointwise", path, ndim=(0, 1)).reshape(-1)
    if p.size != c_in:
        raise DataError(f"{path}.pointwise", f"needs {c_in} weights (one per input channel) for the output channel "
                                             f"computed, got {p.size}")
    for c in range(1, c_in + 1):
        sc = subscript(str(c))
        w.given(f"separable.p{c}", p[c - 1], f"p{sc}",
                {"en": f"the pointwise weight of input channel {c} for the output channel computed",
                 "ru": f"вес поточечной свёртки для входного канала {c} (в вычисляемом выходном канале)"})
        w.given(f"separable.x{c}", arrays["x"][c - 1], f"x{sc}",
                {"en": f"channel {c} of the input window", "ru": f"канал {c} окна входа"})
        w.given(f"separable.K{c}", arrays["depthwise"][c - 1], f"K{sc}",
                {"en": f"the depthwise kernel of channel {c}", "ru": f"depthwise-ядро канала {c}"})
    for c in range(1, c_in + 1):
        sc = subscript(str(c))
        w.apply(op.DEPTHWISE, f"separable.d{c}", f"d{sc}",
                {"en": f"the depthwise output of channel {c} at this window",
                 "ru": f"выход depthwise-свёртки канала {c} в этом окне"}, "forward",
                x=f"separable.x{c}", K=f"separable.K{c}")
    w.apply(op.pointwise(c_in), "separable.y", "y",
            {"en": "the separable layer's output at this position, in the output channel computed",
             "ru": "выход разделимого слоя в этой позиции для вычисляемого выходного канала"}, "forward",
            **{f"p{c}": f"separable.p{c}" for c in range(1, c_in + 1)},
            **{f"d{c}": f"separable.d{c}" for c in range(1, c_in + 1)})
    for c in range(1, c_in + 1):
        sc = subscript(str(c))
        w.apply(op.FULL_KERNEL, f"separable.W{c}", f"W{sc}",
                {"en": f"the slice for channel {c} of the full k×k kernel that gives the same output",
                 "ru": f"срез для канала {c} ядра обычной свёртки k×k, дающей тот же выход"}, "value",
                p=f"separable.p{c}", K=f"separable.K{c}")
    w.derived("separable.y_full", lambda *v: np.float64(sum(np.sum(W * x) for W, x in zip(v[:c_in], v[c_in:]))),
              [f"separable.W{c}" for c in range(1, c_in + 1)] + [f"separable.x{c}" for c in range(1, c_in + 1)],
              "y_full", {"en": "the full convolution's output with those kernels: the same y",
                         "ru": "выход обычной свёртки с этими ядрами — тот же y"}, "forward",
              "y_full = Σ_c Σₘₙ W_c[m,n]·x_c[m,n]")
    w.convention("separable_value", {
        "en": "the output value is computed at one window without biases; cross-correlation (kernels not turned)",
        "ru": "значение выхода считается в одном окне без смещений; кросс-корреляция (ядра не переворачиваются)",
    })


_NO_BIAS = {"en": "You counted only the weights; the biases are parameters too.",
            "ru": "Вы посчитали только веса, а смещения — тоже параметры."}
_DW_FULL = {"en": "That counts the depthwise part like a full convolution: it has ONE k×k kernel per input channel, "
                  "and the channels are not mixed, so k·k·C_in.",
            "ru": "Так depthwise-часть посчитана как обычная свёртка, а у неё ОДНО ядро k×k на каждый входной канал "
                  "и каналы не смешиваются: k·k·C_in."}
_PW_KXK = {"en": "The pointwise part is a 1×1 convolution: one weight per pair of input and output channels, "
                 "C_in·C_out, with no k×k.",
           "ru": "Поточечная часть — свёртка 1×1: один вес на пару входного и выходного каналов, C_in·C_out, "
                 "без k×k."}
_PRODUCT = {"en": "The two parts are stacked one after the other: their parameters add, P_dw + P_pw.",
            "ru": "Части идут одна за другой, поэтому их параметры складываются: P_dw + P_pw."}
_FULL_NO_IN = {"en": "You left out the input channels: a full convolution has a k×k kernel for every pair of input "
                     "and output channels, k·k·C_in·C_out.",
               "ru": "Вы не учли входные каналы: у обычной свёртки своё ядро k×k на каждую пару входного и "
                     "выходного каналов, k·k·C_in·C_out."}
_INVERTED = {"en": "That is the ratio the other way round: divide the full count by the separable one (a number "
                   "above 1).",
             "ru": "Это отношение в обратную сторону: поделите число параметров обычной свёртки на число "
                   "параметров разделимой (получится больше 1)."}
