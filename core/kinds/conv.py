"""A convolution layer and/or a pooling layer on one image: sizes, forward, backward.

x → [conv: Y = x_pad ⋆ W + b] → [pool: P = maxpool or avgpool of Y] → L.
⋆ is cross-correlation as in PyTorch (``flip = true``: true convolution, W turned by 180°).
Sizes: ⌊(n + 2p − k)/s⌋ + 1 per axis; parameters k_h·k_w·C_in·C_out weights + C_out biases.
L = Σ(final output) by default, so ∂L/∂(final) is all ones; ``upstream`` gives ∂L/∂(final)
instead. Backward: ∂L/∂W[m,n] = Σᵢⱼ ∂L/∂Y[i,j]·x_pad[s·i + m, s·j + n], ∂L/∂b = Σᵢⱼ ∂L/∂Y[i,j],
∂L/∂x = ∂L/∂Y scattered back through W; pooling routes ∂L/∂P to the arg-max (max) or
spreads it evenly (average). The operations are in :mod:`nntutor.core.conv_ops`.

Shapes: x is H×W (one channel) or C×H×W; W is k×k (one kernel), C×k×k (one filter over C
channels) or F×C×k×k (F filters). Y and P are matrices with one filter, F×H×W with F.
A quantity with more than two axes also has its 2-D slices (``Y.c2``, ``grad.W.c2.c1``),
and the whole is assembled from them, so a student's accepted slice feeds downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ..conv_ops import (avg_pool_backward, avg_pool_forward, correlate, correlate_input_grad,
                        correlate_weight_grad, flip_kernel, max_pool_backward, max_pool_backward_ties,
                        max_pool_forward, output_size, pad_image)
from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import grad_key, grad_symbol
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, reject_unknown

_TOP = {"kind", "x", "W", "b", "padding", "stride", "flip", "pool", "upstream"}
_POOL = {"type", "size", "stride"}
_MAX_SIDE = 64


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    x = read_array(data, "x", path, ndim=(2, 3))
    x3 = x if x.ndim == 3 else x[None]
    c_in, h, w = x3.shape
    if max(h, w) > _MAX_SIDE:
        raise DataError(f"{path}.x", f"the image is {h}×{w}; at most {_MAX_SIDE}×{_MAX_SIDE} for a hand exercise")
    W = read_array(data, "W", path, ndim=(2, 3, 4), required=False)
    pool = data.get("pool")
    if W is None and pool is None:
        raise DataError(f"{path}.W", "missing: give a kernel W, a [problem.pool] table, or both")

    b = ProblemBuilder("conv")
    b.given("x", x, "x", {"en": "the input image", "ru": "входное изображение"})
    b.convention("layout", {
        "en": "indices start at the top-left corner; a window's position is its top-left cell",
        "ru": "индексы отсчитываются от левого верхнего угла; положение окна — его левая верхняя клетка",
    })

    final, final_shape = "x", x.shape
    conv = None
    if W is not None:
        conv = _read_conv(data, path, W, x, c_in, h, w)
        final, final_shape = _conv_forward(b, conv)
    else:
        for key in ("b", "padding", "stride", "flip"):
            if key in data:
                raise DataError(f"{path}.{key}", "belongs to a convolution, but there is no kernel W")
    if pool is not None:
        spec = _read_pool(pool, f"{path}.pool", final, final_shape)
        final, final_shape = _pool_forward(b, spec, final, final_shape)
        pool_spec = spec
    else:
        pool_spec = None

    _loss(b, data, path, final, final_shape)
    if pool_spec is not None:
        _pool_backward(b, pool_spec)
    if conv is not None:
        _conv_backward(b, conv)
    return b.build()


# -- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Conv:
    """The convolution as read from the data; ``w4`` is W as (F, C, k_h, k_w), ``y_shape`` Y's shape."""

    W: np.ndarray
    w4: np.ndarray
    x: np.ndarray
    c_in: int
    h: int
    w: int
    f_out: int
    kh: int
    kw: int
    pad: int
    stride: int
    flip: bool
    bias: np.ndarray | None
    h_out: int
    w_out: int
    y_shape: tuple


def _read_conv(data, path, W, x, c_in, h, w) -> _Conv:
    if W.ndim == 2:
        if c_in != 1:
            raise DataError(f"{path}.W", f"is one k×k kernel but x has {c_in} channels: give W as "
                                         f"{c_in}×k×k (one filter) or F×{c_in}×k×k (F filters)")
        w4 = W[None, None]
    elif W.ndim == 3:
        if W.shape[0] != c_in:
            raise DataError(f"{path}.W", f"has {W.shape[0]} channels (shape {_dims(W.shape)}) but x has {c_in}: "
                                         "a C×k×k filter needs one k×k kernel per input channel")
        w4 = W[None]
    else:
        if W.shape[1] != c_in:
            raise DataError(f"{path}.W", f"shape {_dims(W.shape)} means {W.shape[1]} input channels, but x has "
                                         f"{c_in}: a 4-D W is filters × channels × k × k")
        w4 = W
    f_out, _, kh, kw = w4.shape
    pad = _read_int(data, "padding", path, default=0, low=0, high=10)
    stride = _read_int(data, "stride", path, default=1, low=1, high=10)
    flip = read_bool(data, "flip", path, default=False)
    if h + 2 * pad < kh or w + 2 * pad < kw:
        raise DataError(f"{path}.W", f"the {kh}×{kw} kernel does not fit in the {h}×{w} image with padding {pad}")
    bias = read_array(data, "b", path, ndim=(0, 1), required=False)
    if bias is not None and bias.size != f_out:
        raise DataError(f"{path}.b", f"has {bias.size} values but there {'is' if f_out == 1 else 'are'} "
                                     f"{f_out} filter{'s' if f_out > 1 else ''}: one bias per filter")
    h_out, w_out = output_size(h, kh, pad, stride), output_size(w, kw, pad, stride)
    y_shape = (h_out, w_out) if W.ndim < 4 else (f_out, h_out, w_out)
    return _Conv(W=W, w4=w4, x=x, c_in=c_in, h=h, w=w, f_out=f_out, kh=kh, kw=kw, pad=pad, stride=stride,
                 flip=flip, bias=bias, h_out=h_out, w_out=w_out, y_shape=y_shape)


def _read_pool(pool, path, inp, in_shape) -> dict:
    if not isinstance(pool, Mapping):
        raise DataError(path, 'must be a table, e.g. pool = { type = "max", size = 2 }')
    reject_unknown(pool, path, _POOL)
    kind = read_choice(pool, "type", path, ("max", "avg"))
    size = _read_int(pool, "size", path, default=None, low=1, high=10)
    stride = _read_int(pool, "stride", path, default=size, low=1, high=10)
    h, w = in_shape[-2:]
    if size > min(h, w):
        raise DataError(f"{path}.size", f"a {size}×{size} window does not fit in the {h}×{w} input ({inp})")
    h_out, w_out = output_size(h, size, 0, stride), output_size(w, size, 0, stride)
    return {"type": kind, "size": size, "stride": stride, "input": inp, "in_shape": tuple(in_shape),
            "h": h, "w": w, "shape": tuple(in_shape[:-2]) + (h_out, w_out)}


def _read_int(data, key, path, default, low, high) -> int:
    field = f"{path}.{key}"
    if key not in data:
        if default is None:
            raise DataError(field, "missing (a whole number is required)")
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(field, f"must be a whole number, got {value!r}"[:80])
    if not low <= value <= high:
        raise DataError(field, f"must be between {low} and {high}, got {value}")
    return value


# -- forward ------------------------------------------------------------------------------

def _conv_forward(b: ProblemBuilder, c: _Conv) -> tuple[str, tuple]:
    b.given("W", c.W, "W", {"en": "the kernel (weights)", "ru": "ядро свёртки (веса)"})
    if c.bias is not None:
        b.given("b", c.bias, "b", {"en": "the bias", "ru": "смещение"})
    s, p = c.stride, c.pad
    for axis, n, k, out in (("rows", c.h, c.kh, c.h_out), ("cols", c.w, c.kw, c.w_out)):
        en_axis, ru_axis = ("rows", "строк") if axis == "rows" else ("columns", "столбцов")
        b.derived(f"Y.{axis}", lambda out=out: np.float64(out), [], f"{axis}(Y)",
                  {"en": f"the number of {en_axis} of the output Y", "ru": f"число {ru_axis} выхода Y"},
                  "value", f"{axis}(Y) = ⌊(n + 2p − k)/s⌋ + 1 = ⌊({n} + 2·{p} − {k})/{s}⌋ + 1",
                  _size_mistakes(n, k, p, s))
    n_w = c.kh * c.kw * c.c_in * c.f_out
    n_w_one = c.kh * c.kw * c.f_out  # C_in forgotten
    b.derived("n_weights", lambda: np.float64(n_w), [], "|W|",
              {"en": "the number of weights of the layer", "ru": "число весов слоя"},
              "value", f"|W| = k_h·k_w·C_in·C_out = {c.kh}·{c.kw}·{c.c_in}·{c.f_out}",
              [_const("no_in_channels", n_w_one, _NO_IN_CHANNELS)])
    n_b = c.f_out if c.bias is not None else 0
    count_mistakes = [_const("no_in_channels", n_w_one + n_b, _NO_IN_CHANNELS)]
    if c.bias is not None:  # without biases these would name a mistake about biases the layer does not have
        count_mistakes += [_const("no_bias", n_w, _NO_BIAS_COUNT),
                           _const("bias_per_input_channel", n_w + c.c_in * c.f_out, _BIAS_PER_CHANNEL)]
    b.derived("n_params", lambda: np.float64(n_w + n_b), [], "|W| + |b|",
              {"en": "the number of trainable parameters: weights plus one bias per filter (if the layer has biases)",
               "ru": "число обучаемых параметров: веса плюс по смещению на фильтр (если они есть)"},
              "value", f"|W| + |b| = {n_w} + {n_b}", count_mistakes)

    x_key = "x"
    if p:
        x_key = "x.pad"
        _array(b, "x.pad", lambda x: _show(pad_image(_as3(x), p), c.x.ndim), ["x"], c.x.shape[:-2] + (c.h + 2 * p, c.w + 2 * p),
               "x_pad", {"en": f"the input with a border of {p} zero{'s' if p > 1 else ''}",
                         "ru": f"вход с рамкой из нулей шириной {p}"},
               "forward", f"x_pad = pad(x, {p})")
    w_key = "W"
    if c.flip:
        w_key = "W.flip"
        _array(b, "W.flip", flip_kernel, ["W"], c.W.shape, "W̃",
               {"en": "the kernel turned by 180° (true convolution flips it)",
                "ru": "ядро, повёрнутое на 180° (настоящая свёртка его переворачивает)"},
               "forward", "W̃[m,n] = W[k−1−m, k−1−n]", _turn_mistakes(c))
    b.convention("operation", {
        "en": "true convolution: the kernel is turned by 180° (W̃), then slid over the image" if c.flip else
              "cross-correlation, as in PyTorch and TensorFlow: the kernel is slid over the image without flipping",
        "ru": "настоящая свёртка: ядро поворачивается на 180° (W̃), затем скользит по изображению" if c.flip else
              "кросс-корреляция, как в PyTorch и TensorFlow: ядро скользит по изображению без переворота",
    })
    b.convention("padding", {
        "en": f"zero padding p = {p}, stride s = {s}; output size ⌊(n + 2p − k)/s⌋ + 1",
        "ru": f"дополнение нулями p = {p}, шаг s = {s}; размер выхода ⌊(n + 2p − k)/s⌋ + 1",
    })

    deps = [x_key, w_key] + (["b"] if c.bias is not None else [])

    def forward(xp, k, bias=None):
        out = correlate(_as3(xp), _as4(k, c), s)
        if bias is not None:
            out = out + np.asarray(bias, dtype=np.float64).reshape(-1, 1, 1)
        return out.reshape(c.y_shape)

    K = "W̃" if c.flip else "W"
    X = "x_pad" if p else "x"
    idx = lambda a: _at(s, a)  # noqa: E731
    if c.w4.shape[:2] == (1, 1):
        formula = f"Y[i,j] = Σₘₙ {K}[m,n]·{X}[{idx('i')} + m, {idx('j')} + n]" + (" + b" if c.bias is not None else "")
    else:
        formula = (f"Y[f,i,j] = Σ_c Σₘₙ {K}[f,c,m,n]·{X}[c, {idx('i')} + m, {idx('j')} + n]"
                   + (" + b[f]" if c.bias is not None else ""))
    # the other convention: the kernel turned when this lesson does not turn it, and the other way round
    other_kernel = (lambda k: np.asarray(k, dtype=np.float64)) if c.flip else flip_kernel
    y_mistakes = [Mistake("flip", tuple(["W" if d == w_key else d for d in deps]),
                          lambda xp, k, *bias: forward(xp, other_kernel(k), *bias),
                          _flip_message(c.flip, formula), convention=True)]
    if c.bias is not None:
        y_mistakes.append(Mistake("no_bias", (x_key, w_key), lambda xp, k: forward(xp, k), {
            "en": "You forgot the bias: b is added at every position of Y (each filter its own b).",
            "ru": "Вы забыли смещение: b прибавляется в каждой позиции Y (у каждого фильтра своё b)."}))
    _array(b, "Y", forward, deps, c.y_shape, "Y",
           {"en": "the output of the convolution (feature map)", "ru": "выход свёртки (карта признаков)"},
           "forward", formula, y_mistakes)
    return "Y", c.y_shape


# -- mistakes in the forward pass -------------------------------------------------------------

_NO_IN_CHANNELS = {
    "en": "You left out the input channels: each filter has one k×k kernel per input channel, "
          "so the weights number k_h·k_w·C_in·C_out.",
    "ru": "Вы не учли входные каналы: у каждого фильтра своё ядро k×k на каждый входной канал, "
          "поэтому весов k_h·k_w·C_in·C_out.",
}
_NO_BIAS_COUNT = {
    "en": "You counted only the weights; the biases are trainable too: |W| + |b| with one bias per filter.",
    "ru": "Вы посчитали только веса, а смещения тоже обучаются: |W| + |b|, по одному смещению на фильтр.",
}
_BIAS_PER_CHANNEL = {
    "en": "You counted a bias for every input channel; each filter has one bias: |W| + C_out.",
    "ru": "Вы посчитали смещение на каждый входной канал, а у фильтра смещение одно: |W| + C_out.",
}


def _flip_message(flip: bool, formula: str) -> dict[str, str]:
    """The other convention named, and this lesson's formula for Y."""
    if flip:
        return {"en": f"Your Y is the cross-correlation of PyTorch (the kernel as it is); this lesson uses the true "
                      f"convolution, with the kernel turned by 180°: {formula}.",
                "ru": f"Ваш Y — кросс-корреляция, как в PyTorch (ядро не повёрнуто); в этом уроке настоящая свёртка "
                      f"с ядром, повёрнутым на 180°: {formula}."}
    return {"en": f"Your Y is the true convolution (the kernel turned by 180°); this lesson uses cross-correlation, "
                  f"as PyTorch does, with the kernel as it is: {formula}.",
            "ru": f"Ваш Y — настоящая свёртка (ядро повёрнуто на 180°); в этом уроке, как в PyTorch, "
                  f"кросс-корреляция с неповёрнутым ядром: {formula}."}


def _const(name: str, value: float, message: Mapping[str, str]) -> Mistake:
    """A wrong count or size: a number fixed by the data."""
    return Mistake(name, (), lambda: np.float64(value), message)


def _size_mistakes(n: int, k: int, p: int, s: int) -> list[Mistake]:
    """Slips in ⌊(n + 2p − k)/s⌋ + 1: the padding term, the division by the stride, the +1."""
    size = "⌊(n + 2p − k)/s⌋ + 1" if p else "⌊(n − k)/s⌋ + 1"
    out = []
    if p and n >= k:
        out.append(_const("size_no_padding", (n - k) // s + 1, {
            "en": f"You left out the padding term 2p (p zeros on each side): the size is {size}.",
            "ru": f"Вы забыли слагаемое 2p (по p нулей с каждой стороны): размер равен {size}."}))
    out.append(_const("size_no_stride", n + 2 * p - k + 1, {
        "en": f"You did not divide by the stride: the size is {size}.",
        "ru": f"Вы не разделили на шаг: размер равен {size}."}))
    out.append(_const("size_no_plus_one", (n + 2 * p - k) // s, {
        "en": f"You forgot the +1 for the window's first position: the size is {size}.",
        "ru": f"Вы забыли +1 за первое положение окна: размер равен {size}."}))
    return out


def _turn_mistakes(c: _Conv) -> list[Mistake]:
    """Wrong ways to turn a kernel by 180°: transposing it, or reversing only one axis."""
    tail = {"en": " turning by 180° reverses both: W̃[m,n] = W[k−1−m, k−1−n].",
            "ru": " поворот на 180° меняет порядок и строк, и столбцов: W̃[m,n] = W[k−1−m, k−1−n]."}
    as_f = lambda w: np.asarray(w, dtype=np.float64)  # noqa: E731
    return [
        Mistake("transposed", ("W",), lambda w: np.swapaxes(as_f(w), -1, -2), {
            "en": "You transposed the kernel (rows became columns);" + tail["en"],
            "ru": "Вы транспонировали ядро (строки стали столбцами), а" + tail["ru"]}),
        Mistake("flip_rows_only", ("W",), lambda w: as_f(w)[..., ::-1, :], {
            "en": "You reversed only the order of the rows;" + tail["en"],
            "ru": "Вы поменяли порядок только строк, а" + tail["ru"]}),
        Mistake("flip_cols_only", ("W",), lambda w: as_f(w)[..., :, ::-1], {
            "en": "You reversed only the order of the columns;" + tail["en"],
            "ru": "Вы поменяли порядок только столбцов, а" + tail["ru"]}),
    ]


def _pool_forward(b: ProblemBuilder, spec: dict, inp: str, in_shape: tuple) -> tuple[str, tuple]:
    size, stride, kind = spec["size"], spec["stride"], spec["type"]
    param = {"size": size, "stride": stride}
    for axis, n, out in (("rows", spec["h"], spec["shape"][-2]), ("cols", spec["w"], spec["shape"][-1])):
        en_axis, ru_axis = ("rows", "строк") if axis == "rows" else ("columns", "столбцов")
        b.derived(f"P.{axis}", lambda out=out: np.float64(out), [], f"{axis}(P)",
                  {"en": f"the number of {en_axis} after pooling", "ru": f"число {ru_axis} после пулинга"},
                  "value", f"{axis}(P) = ⌊(n − k)/s⌋ + 1 = ⌊({n} − {size})/{stride}⌋ + 1",
                  _size_mistakes(n, size, 0, stride))
    fwd = max_pool_forward if kind == "max" else avg_pool_forward
    other = avg_pool_forward if kind == "max" else max_pool_forward
    swapped = (Mistake("mean_not_max", (inp,), lambda v: other(_as3(v), param)[0].reshape(spec["shape"]), {
                   "en": "You averaged each window; max pooling keeps the window's largest value: P[i,j] = max of "
                         "the window.",
                   "ru": "Вы усреднили окно, а max-пулинг оставляет наибольшее значение окна: P[i,j] = max по окну."})
               if kind == "max" else
               Mistake("max_not_mean", (inp,), lambda v: other(_as3(v), param)[0].reshape(spec["shape"]), {
                   "en": f"You took each window's maximum; average pooling takes the mean: P[i,j] = (sum of the "
                         f"window)/{size * size}.",
                   "ru": f"Вы взяли максимум окна, а усредняющий пулинг берёт среднее: P[i,j] = (сумма по "
                         f"окну)/{size * size}."}))
    _array(b, "P", lambda v: fwd(_as3(v), param)[0].reshape(spec["shape"]), [inp], spec["shape"], "P",
           {"en": f"the output of {kind} pooling", "ru": "выход " + ("max-пулинга" if kind == "max" else "усредняющего пулинга")},
           "forward", f"P[i,j] = {'max' if kind == 'max' else 'mean'}ₘₙ {inp}[{_at(stride, 'i')} + m, "
                      f"{_at(stride, 'j')} + n], 0 ≤ m, n < {size}", [swapped])
    if kind == "max":
        text = {"en": f"max pooling {size}×{size}, stride {stride}: the gradient of each window goes to its "
                      f"maximum; on a tie, to the first maximum in reading order (row by row, left to right), as in "
                      f"PyTorch; where windows overlap the gradients add; Ω(i,j) is the window of output cell (i,j)",
                "ru": f"max-пулинг {size}×{size}, шаг {stride}: градиент окна целиком идёт в его максимум; при "
                      f"равенстве — в первый максимум при чтении по строкам слева направо, как в PyTorch; "
                      f"где окна перекрываются, градиенты складываются; Ω(i,j) — окно выходной клетки (i,j)"}
    else:
        text = {"en": f"average pooling {size}×{size}, stride {stride}: each cell of a window gets 1/{size * size} "
                      f"of its gradient; where windows overlap the gradients add; Ω(i,j) is the window of output "
                      f"cell (i,j)",
                "ru": f"усредняющий пулинг {size}×{size}, шаг {stride}: каждая клетка окна получает 1/{size * size} "
                      f"его градиента; где окна перекрываются, градиенты складываются; Ω(i,j) — окно выходной "
                      f"клетки (i,j)"}
    b.convention("pool", text)
    return "P", spec["shape"]


# -- loss and backward -----------------------------------------------------------------------

def _loss(b: ProblemBuilder, data, path, final: str, shape: tuple) -> None:
    sym = final
    if "upstream" in data:
        g = read_array(data, "upstream", path, ndim=(len(shape),))
        if g.shape != shape:
            raise DataError(f"{path}.upstream", f"has shape {_dims(g.shape)} but {final} is {_dims(shape)}: "
                                                f"∂L/∂{sym} has one entry per entry of {final}")
        b.given(grad_key(final), g, grad_symbol(final),
                {"en": f"the upstream gradient ∂L/∂{sym}, arriving from the rest of the network",
                 "ru": f"градиент ∂L/∂{sym}, пришедший от остальной сети"})
        b.convention("loss", {"en": f"the upstream gradient ∂L/∂{sym} is given",
                              "ru": f"градиент ∂L/∂{sym} сверху задан"})
        return
    b.derived("L", lambda v: np.float64(np.sum(v)), [final], "L",
              {"en": f"the loss: the sum of all entries of {sym}", "ru": f"функция потерь: сумма всех элементов {sym}"},
              "loss", f"L = Σ {sym}")
    _array(b, grad_key(final), lambda v: np.ones(shape), [final], shape, grad_symbol(final),
           {"en": f"the gradient of L with respect to {sym}: all ones, since L = Σ {sym}",
            "ru": f"производная L по {sym}: все единицы, так как L = Σ {sym}"},
           "backward", f"∂L/∂{sym}[i,j] = 1")
    b.convention("loss", {"en": f"L = Σ {sym} (the sum of all outputs), so ∂L/∂{sym} is all ones",
                          "ru": f"L = Σ {sym} (сумма всех выходов), поэтому ∂L/∂{sym} — все единицы"})


def _pool_backward(b: ProblemBuilder, spec: dict) -> None:
    size, stride, inp = spec["size"], spec["stride"], spec["input"]
    param = {"size": size, "stride": stride}
    in_shape = spec["in_shape"]
    cells = size * size
    deps = (inp, grad_key("P"))

    def spread(v, g):
        """Every cell of a window gets the window's whole gradient (overlaps add)."""
        return cells * avg_pool_backward(_as3(g), (_as3(v), param)).reshape(in_shape)

    if spec["type"] == "max":
        def fn(v, g):
            v3 = _as3(v)
            _, cache = max_pool_forward(v3, param)
            return max_pool_backward(_as3(g), cache).reshape(in_shape)

        def ties(v, g):
            _, cache = max_pool_forward(_as3(v), param)
            return max_pool_backward_ties(_as3(g), cache).reshape(in_shape)

        formula = f"∂L/∂{inp}[r,q] = Σ_(i,j) ∂L/∂P[i,j]·[(r,q) = argmax Ω(i,j)]"
        mistakes = [
            Mistake("spread_copy", deps, spread, {
                "en": "You gave every cell of the window the window's gradient; max pooling sends ∂L/∂P[i,j] only "
                      "to the window's maximum, the other cells get 0.",
                "ru": "Вы отдали градиент окна каждой его клетке, а max-пулинг отправляет ∂L/∂P[i,j] только в "
                      "максимум окна, остальные клетки получают 0."}),
            Mistake("spread_share", deps, lambda v, g: spread(v, g) / cells, {
                "en": f"You shared the gradient evenly (1/{cells} to each cell), as average pooling does; max "
                      f"pooling sends all of ∂L/∂P[i,j] to the window's maximum.",
                "ru": f"Вы поделили градиент поровну (по 1/{cells} на клетку), как в усредняющем пулинге, а "
                      f"max-пулинг отправляет весь ∂L/∂P[i,j] в максимум окна."}),
            Mistake("tie_all", deps, ties, {
                "en": "You sent the gradient to every tied maximum of a window; this lesson, like PyTorch, sends it "
                      "only to the first maximum in reading order.",
                "ru": "Вы отправили градиент во все равные максимумы окна, а в этом уроке, как в PyTorch, он идёт "
                      "только в первый максимум при чтении по строкам."}, convention=True),
        ]
    else:
        def fn(v, g):
            return avg_pool_backward(_as3(g), (_as3(v), param)).reshape(in_shape)
        formula = f"∂L/∂{inp}[r,q] = Σ_((i,j): (r,q) ∈ Ω(i,j)) ∂L/∂P[i,j]/{size * size}"
        mistakes = [Mistake("not_divided", deps, spread, {
            "en": f"You did not divide by the window size: each cell of a window gets ∂L/∂P[i,j]/{cells}.",
            "ru": f"Вы не разделили на размер окна: каждая клетка окна получает ∂L/∂P[i,j]/{cells}."})]
    _array(b, grad_key(inp), fn, list(deps), in_shape, grad_symbol(inp),
           {"en": f"the gradient with respect to {inp}, through the pooling",
            "ru": f"производная по {inp} (через пулинг)"}, "backward", formula, mistakes)


def _conv_backward(b: ProblemBuilder, c: _Conv) -> None:
    s, p = c.stride, c.pad
    x_key = "x.pad" if p else "x"
    w_key = "W.flip" if c.flip else "W"
    X = "x_pad" if p else "x"

    rm, rn = (f"{c.kh - 1} − m", f"{c.kw - 1} − n") if c.flip else ("m", "n")

    def weight_grad(xp, g):
        dw = correlate_weight_grad(_as3(xp), _as3(g), (c.kh, c.kw), s)
        return (flip_kernel(dw) if c.flip else dw).reshape(c.W.shape)

    w_formula = f"∂L/∂W[m,n] = Σᵢⱼ ∂L/∂Y[i,j]·{X}[{_at(s, 'i')} + {rm}, {_at(s, 'j')} + {rn}]"
    turned = Mistake("flipped", (x_key, grad_key("Y")), lambda xp, g: flip_kernel(weight_grad(xp, g)), {
        "en": ("Your ∂L/∂W is the gradient of W̃ not turned back: W[m,n] sits at W̃[k−1−m, k−1−n], so " if c.flip
               else "Your ∂L/∂W is turned by 180°: weight W[m,n] multiplies the input cell at offset (m, n) from "
                    "the window's corner, so ") + w_formula + ".",
        "ru": ("Ваш ∂L/∂W — градиент по W̃, не повёрнутый обратно: W[m,n] стоит в W̃[k−1−m, k−1−n], поэтому " if c.flip
               else "Ваш ∂L/∂W повёрнут на 180°: вес W[m,n] умножается на клетку входа со сдвигом (m, n) от "
                    "угла окна, поэтому ") + w_formula + "."})
    _array(b, grad_key("W"), weight_grad, [x_key, grad_key("Y")], c.W.shape, grad_symbol("W"),
           {"en": "the gradient with respect to the kernel: for each weight, the sum over the output positions of "
                  "∂L/∂Y times the input cell that weight touched",
            "ru": "производная по ядру: для каждого веса — сумма по позициям выхода произведений ∂L/∂Y на клетку "
                  "входа, которой этот вес касался"},
           "backward", w_formula, [turned])
    if c.bias is not None:
        per_filter = lambda g: np.asarray(g, dtype=np.float64).reshape(-1, c.h_out * c.w_out)  # noqa: E731
        b.derived(grad_key("b"), lambda g: per_filter(g).sum(axis=1).reshape(c.bias.shape),
                  [grad_key("Y")], grad_symbol("b"),
                  {"en": "the gradient with respect to the bias: the sum of ∂L/∂Y over the positions (per filter)",
                   "ru": "производная по смещению: сумма ∂L/∂Y по всем позициям (для каждого фильтра)"},
                  "backward", "∂L/∂b = Σᵢⱼ ∂L/∂Y[i,j]",
                  [Mistake("mean_not_sum", (grad_key("Y"),),
                           lambda g: per_filter(g).mean(axis=1).reshape(c.bias.shape), {
                      "en": "You averaged ∂L/∂Y over the positions; b is added at every position, so "
                            "∂L/∂b = Σᵢⱼ ∂L/∂Y[i,j], the sum.",
                      "ru": "Вы усреднили ∂L/∂Y по позициям, а b прибавляется в каждой позиции, поэтому "
                            "∂L/∂b = Σᵢⱼ ∂L/∂Y[i,j] — сумма."})])

    def input_grad(k, g):
        dxp = correlate_input_grad(_as4(k, c), _as3(g), (c.h + 2 * p, c.w + 2 * p), s)
        return dxp[:, p: p + c.h, p: p + c.w].reshape(c.x.shape)

    K = "W̃" if c.flip else "W"
    shift = f" + {p}" if p else ""
    _array(b, grad_key("x"), input_grad, [w_key, grad_key("Y")], c.x.shape, grad_symbol("x"),
           {"en": "the gradient with respect to the input: every output position sends ∂L/∂Y[i,j] back through "
                  "the kernel to the cells it covered (padding cut off)",
            "ru": "производная по входу: каждая позиция выхода отправляет ∂L/∂Y[i,j] через ядро в клетки, "
                  "которые оно накрывало (рамка отбрасывается)"},
           "backward", f"∂L/∂x[r,q] = Σ_(i,j,m,n: {_at(s, 'i')} + m = r{shift}, {_at(s, 'j')} + n = q{shift}) "
                       f"∂L/∂Y[i,j]·{K}[m,n]",
           [Mistake("correlation", (w_key, grad_key("Y")), lambda k, g: input_grad(flip_kernel(k), g), {
               "en": f"You slid {K} over ∂L/∂Y without turning it; ∂L/∂x is the full convolution of ∂L/∂Y with "
                     f"{K}, that is a correlation with {K} turned by 180°.",
               "ru": f"Вы провели {K} по ∂L/∂Y без поворота, а ∂L/∂x — полная свёртка ∂L/∂Y с {K}, то есть "
                     f"корреляция с {K}, повёрнутым на 180°."})])


# -- arrays with channel slices ----------------------------------------------------------------

def _array(b: ProblemBuilder, key: str, fn: Callable, deps, shape: tuple, symbol: str,
           meaning: Mapping[str, str], role: str, formula: str, mistakes: tuple[Mistake, ...] = ()) -> None:
    """Add ``key``; with more than two axes, first its 2-D slices ``key.c{i}`` (``key.c{i}.c{j}``),
    each computed by ``fn``, and the whole assembled from them. ``mistakes`` give the whole's
    wrong values; each slice gets the same mistakes, sliced."""
    shape = tuple(shape)
    mistakes = tuple(mistakes)
    if len(shape) <= 2:
        b.derived(key, fn, deps, symbol, meaning, role, formula, mistakes)
        return
    slice_keys = []
    fn = _last_call_kept(fn)  # every slice asks for the whole with the same arguments: compute it once
    for index in np.ndindex(shape[:-2]):
        skey = key + "".join(f".c{i + 1}" for i in index)
        label = ",".join(str(i + 1) for i in index)
        where = _where(index, len(shape))
        sliced = [Mistake(v.name, v.deps, lambda *vals, vfn=v.fn, index=index: np.asarray(vfn(*vals))[index],
                          v.message, v.convention) for v in mistakes]
        b.derived(skey, lambda *v, index=index: np.asarray(fn(*v))[index], deps, f"{symbol}[{label}]",
                  {"en": f"{where['en']} of {symbol}: {meaning['en']}", "ru": f"{where['ru']} {symbol}: {meaning['ru']}"},
                  role, formula, sliced)
        slice_keys.append(skey)
    b.derived(key, lambda *slices: np.stack([np.asarray(s_, dtype=np.float64) for s_ in slices]).reshape(shape),
              slice_keys, symbol, meaning, role, formula, mistakes)


def _last_call_kept(fn: Callable) -> Callable:
    """``fn`` that returns its last result again when called with the very same argument objects
    (the graph's values are read-only arrays, so the same objects mean the same values)."""
    last: list = [None, None]

    def call(*args):
        if last[0] is None or len(args) != len(last[0]) or any(a is not b for a, b in zip(args, last[0])):
            last[:] = [args, fn(*args)]  # the arguments are kept alive, so no other object can take their ids
        return last[1]
    return call


def _where(index: tuple, ndim: int) -> dict:
    if ndim == 4:
        f, ch = index[0] + 1, index[1] + 1
        return {"en": f"filter {f}, input channel {ch}", "ru": f"фильтр {f}, входной канал {ch} для"}
    return {"en": f"channel {index[0] + 1}", "ru": f"канал {index[0] + 1} для"}


def _as3(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float64)
    return v if v.ndim == 3 else v.reshape((1,) + v.shape[-2:])


def _as4(k, c: _Conv) -> np.ndarray:
    return np.asarray(k, dtype=np.float64).reshape(c.w4.shape)


def _show(v: np.ndarray, ndim: int) -> np.ndarray:
    return v if ndim == 3 else v[0]


def _at(stride: int, index: str) -> str:
    return f"{stride}·{index}" if stride > 1 else index


def _dims(shape) -> str:
    return "×".join(str(n) for n in shape) if len(shape) else "a number"


KIND = Kind(
    name="conv",
    summary="A 2-D convolution (cross-correlation, or true convolution with flip) and/or max or average "
            "pooling on one small image: output sizes, parameter count, forward and backward.",
    fields=(
        FieldDoc("x", True, "the image: a matrix (one channel) or a list of matrices (channels)"),
        FieldDoc("W", False, "the kernel: k×k (one channel in, one out), C×k×k (one filter over C channels) or "
                             "F×C×k×k (F filters); leave out for a pooling-only exercise"),
        FieldDoc("b", False, "the bias: a number, or one per filter; leave out for a layer without biases"),
        FieldDoc("padding", False, "zeros added on every side before the convolution (default 0)"),
        FieldDoc("stride", False, "the convolution's step (default 1)"),
        FieldDoc("flip", False, "false (default): cross-correlation as in PyTorch; true: true convolution "
                                "(the kernel turned by 180°)"),
        FieldDoc("pool", False, 'pooling after the convolution (or on x alone): { type = "max" or "avg", '
                                "size = k, stride = s (default k) }; max sends the gradient to the first "
                                "maximum of a window in reading order"),
        FieldDoc("upstream", False, "∂L/∂(final output), with the final output's shape; default L = sum of "
                                    "the final output, so the upstream gradient is all ones"),
    ),
    build=build,
    names=(
        NameDoc("x, W, b", "givens: the image, the kernel, the bias"),
        NameDoc("Y.rows, Y.cols", "the convolution's output size ⌊(n + 2p − k)/s⌋ + 1"),
        NameDoc("n_weights, n_params", "k_h·k_w·C_in·C_out weights; plus one bias per filter if b is given"),
        NameDoc("x.pad", "the zero-padded image (only with padding)"),
        NameDoc("W.flip", "the kernel turned by 180° (only with flip = true)"),
        NameDoc("Y", "the convolution's output"),
        NameDoc("P.rows, P.cols, P", "the pooling's output size and output (only with pool)"),
        NameDoc("L", "the loss Σ(final output) (only without upstream)"),
        NameDoc("grad.P, grad.Y", "∂L/∂P and ∂L/∂Y (the last one present is all ones, or the given upstream)"),
        NameDoc("grad.W, grad.b, grad.x", "∂L/∂W, ∂L/∂b, ∂L/∂x"),
        NameDoc("{key}.c{i}, {key}.c{f}.c{i}", "2-D slices of a quantity with channels: channel i of x.pad, "
                                               "grad.x; filter f of Y, P, grad.Y, grad.P; filter f, channel i "
                                               "of grad.W (4-D W)"),
    ),
)
