"""A convolution layer and/or a pooling layer on one image: sizes, forward, backward.

x → [conv: Y = x_pad ⋆ W + b] → [activation: A = g(Y)] → [pool: P = maxpool or avgpool] → L.
⋆ is cross-correlation as in PyTorch (``flip = true``: true convolution, W turned by 180°).
Sizes: ⌊(n + 2p − k)/s⌋ + 1 per axis; parameters k_h·k_w·C_in·C_out weights + C_out biases.
L = Σ(final output) by default, so ∂L/∂(final) is all ones; ``upstream`` gives ∂L/∂(final)
instead. Backward: ∂L/∂W[m,n] = Σᵢⱼ ∂L/∂Y[i,j]·x_pad[s·i + m, s·j + n], ∂L/∂b = Σᵢⱼ ∂L/∂Y[i,j],
∂L/∂x = ∂L/∂Y scattered back through W; pooling routes ∂L/∂P to the arg-max (max) or
spreads it evenly (average). The operations, with their slips, are in :mod:`nntutor.core.ops.conv`.

Shapes: x is H×W (one channel) or C×H×W; W is k×k (one kernel), C×k×k (one filter over C
channels) or F×C×k×k (F filters). Y and P are matrices with one filter, F×H×W with F.
A quantity with more than two axes also has its 2-D slices (``Y.c2``, ``grad.W.c2.c1``),
and the whole is assembled from them, so a student's accepted slice feeds downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import grad_key, grad_symbol, ru_plural
from ..ops import ACTIVATIONS, Activation, activation
from ..ops import conv as op
from ..ops.record import Op, mistake
from ..ops.shaped import reshaped
from ..writer import Writer
from . import (DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_int, reject_unknown,
               shape_text)

_TOP = {"kind", "x", "W", "b", "padding", "stride", "dilation", "flip", "activation", "pool", "upstream"}
#: The activations a convolution may be followed by (element-wise; "identity" is none at all).
_ACTIVATIONS = ("identity", "relu", "leaky_relu", "sigmoid", "tanh")
_POOL = {"type", "size", "stride"}
_MAX_SIDE = 64


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    x = read_array(data, "x", path, ndim=(2, 3))
    x3 = x if x.ndim == 3 else x[None]
    c_in, height, width = x3.shape
    if max(height, width) > _MAX_SIDE:
        raise DataError(f"{path}.x", f"the image is {height}×{width}; at most {_MAX_SIDE}×{_MAX_SIDE} for a hand "
                                     "exercise")
    W = read_array(data, "W", path, ndim=(2, 3, 4), required=False)
    pool = data.get("pool")
    if W is None and pool is None:
        raise DataError(f"{path}.W", "missing: give a kernel W, a [problem.pool] table, or both")
    conv = None
    if W is not None:
        conv = _read_conv(data, path, W, x, c_in, height, width)
    else:
        for key in ("b", "padding", "stride", "dilation", "flip", "activation"):
            if key in data:
                raise DataError(f"{path}.{key}", "belongs to a convolution, but there is no kernel W")

    w = Writer("conv")
    w.given("x", x, "x", texts("the input image", "входное изображение"))
    w.convention("layout", texts("indices start at the top-left corner; a window's position is its top-left cell",
                                 "индексы отсчитываются от левого верхнего угла; положение окна — его левая "
                                 "верхняя клетка"))
    final, final_shape = "x", x.shape
    act = None
    if conv is not None:
        final, final_shape = _conv_forward(w, conv)
        act = ACTIVATIONS[read_choice(data, "activation", path, _ACTIVATIONS, default="identity")]
        if act.name == "identity":
            act = None
        else:
            final = _activation_forward(w, act, conv.y_shape)
    spec = None
    if pool is not None:
        spec = _read_pool(pool, f"{path}.pool", final, final_shape)
        final, final_shape = _pool_forward(w, spec)
    _loss(w, data, path, final, final_shape)
    if spec is not None:
        _pool_backward(w, spec)
    if act is not None:
        _activation_backward(w, act, conv.y_shape)
    if conv is not None:
        _conv_backward(w, conv, act)
    return w.build()


# -- reading ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Conv:
    """The convolution as read from the data: W and x as written, ``w4`` W as (F, C, k_h, k_w),
    ``y_shape`` Y's shape as shown (``y3`` as computed, (F, H_out, W_out))."""

    W: np.ndarray
    w4: tuple
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
    y_shape: tuple
    y3: tuple
    dil: int = 1

    @property
    def slid(self) -> tuple:
        """The kernel bank as slid, (F, C, span_h, span_w): w4 itself, or dilated."""
        d = self.dil
        return self.w4[:2] + (d * (self.kh - 1) + 1, d * (self.kw - 1) + 1)

    def shaped(self, operation: Op, out: tuple) -> Op:
        """``operation`` on this layer's full shapes (x the image as slid over, padded; the kernel as
        slid, dilated if it is), placed on the quantities as shown."""
        return reshaped(operation, out, x=(self.c_in, self.h + 2 * self.pad, self.w + 2 * self.pad),
                        w=self.slid, W=self.slid, b=(self.f_out,), g=self.y3)


def _read_conv(data, path, W, x, c_in, h, w) -> _Conv:
    if W.ndim == 2:
        if c_in != 1:
            raise DataError(f"{path}.W", f"is one k×k kernel but x has {c_in} channels: give W as "
                                         f"{c_in}×k×k (one filter) or F×{c_in}×k×k (F filters)")
        w4 = (1, 1) + W.shape
    elif W.ndim == 3:
        if W.shape[0] != c_in:
            raise DataError(f"{path}.W", f"has {W.shape[0]} channels (shape {shape_text(W.shape)}) but x has "
                                         f"{c_in}: a C×k×k filter needs one k×k kernel per input channel")
        w4 = (1,) + W.shape
    else:
        if W.shape[1] != c_in:
            raise DataError(f"{path}.W", f"shape {shape_text(W.shape)} means {W.shape[1]} input channels, but x "
                                         f"has {c_in}: a 4-D W is filters × channels × k × k")
        w4 = W.shape
    f_out, _, kh, kw = w4
    pad = read_int(data, "padding", path, 0, 10, default=0)
    stride = read_int(data, "stride", path, 1, 10, default=1)
    flip = read_bool(data, "flip", path, default=False)
    dil = read_int(data, "dilation", path, 1, 5, default=1)
    if dil > 1 and flip:
        raise DataError(f"{path}.dilation", "a dilated kernel is slid as it is here: leave out flip")
    span_h, span_w = dil * (kh - 1) + 1, dil * (kw - 1) + 1
    if h + 2 * pad < span_h or w + 2 * pad < span_w:
        spread = f" (spread to {span_h}×{span_w} by the dilation {dil})" if dil > 1 else ""
        raise DataError(f"{path}.W", f"the {kh}×{kw} kernel{spread} does not fit in the {h}×{w} image with "
                                     f"padding {pad}")
    bias = read_array(data, "b", path, ndim=(0, 1), required=False)
    if bias is not None and bias.size != f_out:
        raise DataError(f"{path}.b", f"has {bias.size} values but there {'is' if f_out == 1 else 'are'} "
                                     f"{f_out} filter{'s' if f_out > 1 else ''}: one bias per filter")
    h_out, w_out = op.output_size(h, span_h, pad, stride), op.output_size(w, span_w, pad, stride)
    y_shape = (h_out, w_out) if W.ndim < 4 else (f_out, h_out, w_out)
    return _Conv(W=W, w4=w4, x=x, c_in=c_in, h=h, w=w, f_out=f_out, kh=kh, kw=kw, pad=pad, stride=stride,
                 flip=flip, bias=bias, y_shape=y_shape, y3=(f_out, h_out, w_out), dil=dil)


@dataclass(frozen=True)
class _Pool:
    """The pooling as read from the data: it pools ``input`` (shown as ``in_shape``) into P (``shape``)."""

    how: str
    size: int
    stride: int
    input: str
    in_shape: tuple
    shape: tuple

    def shaped(self, operation: Op, out: tuple) -> Op:
        """``operation`` on C×H×W arrays, placed on the quantities as shown."""
        return reshaped(operation, out, v=_three(self.in_shape), g=_three(self.shape))


def _read_pool(pool, path, inp, in_shape) -> _Pool:
    if not isinstance(pool, Mapping):
        raise DataError(path, 'must be a table, e.g. pool = { type = "max", size = 2 }')
    reject_unknown(pool, path, _POOL)
    how = read_choice(pool, "type", path, ("max", "avg"))
    size = read_int(pool, "size", path, 1, 10)
    stride = read_int(pool, "stride", path, 1, 10, default=size)
    h, w = in_shape[-2:]
    if size > min(h, w):
        raise DataError(f"{path}.size", f"a {size}×{size} window does not fit in the {h}×{w} input ({inp})")
    h_out, w_out = op.output_size(h, size, 0, stride), op.output_size(w, size, 0, stride)
    return _Pool(how, size, stride, inp, tuple(in_shape), tuple(in_shape[:-2]) + (h_out, w_out))


def _three(shape: tuple) -> tuple:
    """An image's shape as C×H×W (one channel for a matrix)."""
    return shape if len(shape) == 3 else (1,) + shape


# -- forward ------------------------------------------------------------------------------

_AXES = (("rows", "rows", "строк"), ("cols", "columns", "столбцов"))
#: An output size is written with the letters of the rule ⌊(n + 2p − k)/s⌋ + 1, then in numbers.
_SIZE_LETTERS = {"n": "n", "p": "p", "k": "k", "s": "s"}


def _conv_forward(w: Writer, c: _Conv) -> tuple[str, tuple]:
    w.given("W", c.W, "W", texts("the kernel (weights)", "ядро свёртки (веса)"))
    has_b = c.bias is not None
    if has_b:
        w.given("b", c.bias, "b", texts("the bias", "смещение"))
    s, p, d = c.stride, c.pad, c.dil
    letters = _SIZE_LETTERS if d == 1 else {**_SIZE_LETTERS, "k": "d(k − 1) − 1"}
    for (axis, en, ru), n, k in zip(_AXES, (c.h, c.w), (c.kh, c.kw)):
        w.apply(op.positions(n, k, s, p, d), f"Y.{axis}", f"{axis}(Y)",
                texts(f"the number of {en} of the output Y", f"число {ru} выхода Y"), "value", names=letters)
    w.apply(op.weight_count(c.kh, c.kw, c.c_in, c.f_out), "n_weights", "|W|",
            texts("the number of weights of the layer", "число весов слоя"), "value")
    w.apply(op.parameter_count(c.kh, c.kw, c.c_in, c.f_out, has_b), "n_params", "|W| + |b|",
            texts("the number of trainable parameters: weights plus one bias per filter (if the layer has biases)",
                  "число обучаемых параметров: веса плюс по смещению на фильтр (если они есть)"), "value")
    x_key = "x"
    if p:
        x_key = "x.pad"
        padded = c.x.shape[:-2] + (c.h + 2 * p, c.w + 2 * p)
        _put(w, reshaped(op.padding(p), padded, x=(c.c_in, c.h, c.w)), "x.pad", padded, "x_pad",
             texts(f"the input with a border of {p} zero{'s' if p > 1 else ''}", f"вход с рамкой из нулей шириной {p}"),
             "forward", x="x")
    w_key = "W"
    if d > 1:
        w_key = "W.dil"
        _put(w, op.dilation(d), "W.dil", c.W.shape[:-2] + c.slid[2:], "W_d",
             texts(f"the kernel as slid: dilation {d} puts {d - 1} zero{'s' if d > 2 else ''} between neighbouring "
                   f"weights", f"ядро, каким оно скользит: расширение {d} ставит {d - 1} "
                   f"{ru_plural(d - 1, 'ноль', 'нуля', 'нулей')} между соседними весами"), "forward", W="W")
        w.convention("dilation", texts(
            f"dilation d = {d}: the k×k weights are spread {d} pixels apart, so the kernel spans d(k − 1) + 1 pixels "
            f"per side; Y[i,j] = Σₘₙ W[m,n]·x[s·i + {d}m, s·j + {d}n]",
            f"расширение (dilation) d = {d}: веса ядра k×k разнесены на {d} "
            f"{ru_plural(d, 'пиксель', 'пикселя', 'пикселей')}, так что ядро накрывает "
            f"d(k − 1) + 1 пикселей по стороне; Y[i,j] = Σₘₙ W[m,n]·x[s·i + {d}m, s·j + {d}n]"))
    if c.flip:
        w_key = "W.flip"
        _put(w, op.TURN, "W.flip", c.W.shape, "W̃",
             texts("the kernel turned by 180° (true convolution flips it)",
                   "ядро, повёрнутое на 180° (настоящая свёртка его переворачивает)"), "forward", W="W")
    w.convention("operation", texts(
        "true convolution: the kernel is turned by 180° (W̃), then slid over the image" if c.flip else
        "cross-correlation, as in PyTorch and TensorFlow: the kernel is slid over the image without flipping",
        "настоящая свёртка: ядро поворачивается на 180° (W̃), затем скользит по изображению" if c.flip else
        "кросс-корреляция, как в PyTorch и TensorFlow: ядро скользит по изображению без переворота"))
    w.convention("padding", texts(f"zero padding p = {p}, stride s = {s}; output size ⌊(n + 2p − k)/s⌋ + 1",
                                  f"дополнение нулями p = {p}, шаг s = {s}; размер выхода ⌊(n + 2p − k)/s⌋ + 1"))
    convolution = op.convolution(s, has_b, c.flip, single=c.w4[:2] == (1, 1))
    _put(w, c.shaped(convolution, c.y_shape), "Y", c.y_shape, "Y",
         texts("the output of the convolution (feature map)", "выход свёртки (карта признаков)"), "forward",
         x=x_key, w=w_key, W="W.dil" if d > 1 else "W", **({"b": "b"} if has_b else {}))
    return "Y", c.y_shape


def _activation_forward(w: Writer, act: Activation, shape: tuple) -> str:
    """A = g(Y), entry by entry: the layer's activation after the convolution."""
    name = act.names
    _put(w, activation.forward(act), "A", shape, "A",
         texts(f"the layer's output after the activation ({name['en']}), entry by entry",
               f"выход слоя после функции активации («{name['ru']}»), поэлементно"), "forward", z="Y")
    w.convention("activation", texts(f"the layer's output is A = {act.symbol}(Y), applied to every entry of Y",
                                     f"выход слоя A = {act.symbol}(Y), функция применяется к каждому элементу Y"))
    return "A"


def _activation_backward(w: Writer, act: Activation, shape: tuple) -> None:
    """∂L/∂Y = ∂L/∂A ∘ g′(Y): every slip of the activation's backward comes with it."""
    _put(w, activation.backward(act), grad_key("Y"), shape, grad_symbol("Y"),
         texts(f"the gradient with respect to Y, through the activation: ∂L/∂A times {act.symbol}′(Y), entry by entry",
               f"производная по Y через функцию активации: ∂L/∂A, умноженная поэлементно на {act.symbol}′(Y)"),
         "backward", g=grad_key("A"), z="Y", a="A")


def _pool_forward(w: Writer, spec: _Pool) -> tuple[str, tuple]:
    size, stride, inp = spec.size, spec.stride, spec.input
    for (axis, en, ru), n in zip(_AXES, spec.in_shape[-2:]):
        w.apply(op.positions(n, size, stride, pool=True), f"P.{axis}", f"{axis}(P)",
                texts(f"the number of {en} after pooling", f"число {ru} после пулинга"), "value", names=_SIZE_LETTERS)
    _put(w, spec.shaped(op.pooling(spec.how, size, stride), spec.shape), "P", spec.shape, "P",
         texts(f"the output of {spec.how} pooling",
               "выход " + ("макс-пулинга" if spec.how == "max" else "усредняющего пулинга")), "forward", v=inp)
    if spec.how == "max":
        w.convention("pool", texts(
            f"max pooling {size}×{size}, stride {stride}: the gradient of each window goes to its maximum; on a "
            f"tie, to the first maximum in reading order (row by row, left to right), as in PyTorch; where windows "
            f"overlap the gradients add; Ω(i,j) is the window of output cell (i,j)",
            f"макс-пулинг {size}×{size}, шаг {stride}: градиент окна целиком идёт в его максимум; при равенстве — "
            f"в первый максимум при чтении по строкам слева направо, как в PyTorch; где окна перекрываются, "
            f"градиенты складываются; Ω(i,j) — окно выходной клетки (i,j)"))
    else:
        w.convention("pool", texts(
            f"average pooling {size}×{size}, stride {stride}: each cell of a window gets 1/{size * size} of its "
            f"gradient; where windows overlap the gradients add; Ω(i,j) is the window of output cell (i,j)",
            f"усредняющий пулинг {size}×{size}, шаг {stride}: каждая клетка окна получает 1/{size * size} его "
            f"градиента; где окна перекрываются, градиенты складываются; Ω(i,j) — окно выходной клетки (i,j)"))
    return "P", spec.shape


# -- loss and backward -----------------------------------------------------------------------

def _loss(w: Writer, data, path, final: str, shape: tuple) -> None:
    sym = final
    if "upstream" in data:
        g = read_array(data, "upstream", path, ndim=(len(shape),))
        if g.shape != shape:
            raise DataError(f"{path}.upstream", f"is {shape_text(g.shape)} but {final} is {shape_text(shape)}: "
                                                f"∂L/∂{sym} has one entry per entry of {final}")
        w.given(grad_key(final), g, grad_symbol(final),
                texts(f"the upstream gradient ∂L/∂{sym}, arriving from the rest of the network",
                      f"градиент ∂L/∂{sym}, пришедший от остальной сети"))
        w.convention("loss", texts(f"the upstream gradient ∂L/∂{sym} is given", f"градиент ∂L/∂{sym} сверху задан"))
        return
    w.derived("L", _total, [final], "L",
              texts(f"the loss: the sum of all entries of {sym}", f"функция потерь: сумма всех элементов {sym}"),
              "loss", f"L = Σ {sym}")
    _put(w, op.SUM_GRAD, grad_key(final), shape, grad_symbol(final),
         texts(f"the gradient of L with respect to {sym}: all ones, since L = Σ {sym}",
               f"производная L по {sym}: все единицы, так как L = Σ {sym}"), "backward", v=final)
    w.convention("loss", texts(f"L = Σ {sym} (the sum of all outputs), so ∂L/∂{sym} is all ones",
                               f"L = Σ {sym} (сумма всех выходов), поэтому ∂L/∂{sym} — все единицы"))


def _total(v) -> np.float64:
    return np.float64(np.sum(v))


def _pool_backward(w: Writer, spec: _Pool) -> None:
    inp = spec.input
    _put(w, spec.shaped(op.pooling_grad(spec.how, spec.size, spec.stride), spec.in_shape), grad_key(inp),
         spec.in_shape, grad_symbol(inp),
         texts(f"the gradient with respect to {inp}, through the pooling", f"производная по {inp} (через пулинг)"),
         "backward", v=inp, g=grad_key("P"))


def _conv_backward(w: Writer, c: _Conv, act: Activation | None = None) -> None:
    x_key = "x.pad" if c.pad else "x"
    w_key = "W.flip" if c.flip else "W.dil" if c.dil > 1 else "W"
    gy = grad_key("Y")
    kernel_grad = c.shaped(op.kernel_grad((c.kh, c.kw), c.stride, c.flip, c.dil), c.W.shape)
    mistakes = ()
    if act is not None and len(c.W.shape) <= 2:  # one kernel: the slip of leaving g′ out, in this kind's words
        mistakes = (mistake("no_activation_derivative", (x_key, grad_key("A")), kernel_grad.fn,
                            f"You used ∂L/∂A where ∂L/∂Y belongs: the factor {act.symbol}′(Y[i, j]) is missing "
                            "from every term of the sum.",
                            f"Вы взяли ∂L/∂A вместо ∂L/∂Y: в каждом слагаемом суммы не хватает множителя "
                            f"{act.symbol}′(Y[i, j])."),)
    _put(w, kernel_grad, grad_key("W"), c.W.shape, grad_symbol("W"),
         texts("the gradient with respect to the kernel: for each weight, the sum over the output positions of "
               "∂L/∂Y times the input cell that weight touched",
               "производная по ядру: для каждого веса — сумма по позициям выхода произведений ∂L/∂Y на клетку "
               "входа, которой этот вес касался"), "backward", mistakes=mistakes, x=x_key, g=gy)
    if c.bias is not None:
        w.apply(c.shaped(op.BIAS_GRAD, c.bias.shape), grad_key("b"), grad_symbol("b"),
                texts("the gradient with respect to the bias: the sum of ∂L/∂Y over the positions (per filter)",
                      "производная по смещению: сумма ∂L/∂Y по всем позициям (для каждого фильтра)"), "backward", g=gy)
    _put(w, c.shaped(op.input_grad(c.pad, c.stride, (c.h, c.w)), c.x.shape), grad_key("x"), c.x.shape,
         grad_symbol("x"),
         texts("the gradient with respect to the input: every output position sends ∂L/∂Y[i,j] back through "
               "the kernel to the cells it covered (padding cut off)",
               "производная по входу: каждая позиция выхода отправляет ∂L/∂Y[i,j] через ядро в клетки, "
               "которые оно накрывало (рамка отбрасывается)"), "backward", w=w_key, g=gy)


# -- arrays with channel slices ----------------------------------------------------------------

def _put(writer: Writer, operation: Op, key: str, shape: tuple, symbol: str, meaning: Mapping[str, str], role: str,
         mistakes=(), **at: str) -> None:
    """``operation`` at ``key``; with more than two axes, first its 2-D slices ``key.c{i}``
    (``key.c{i}.c{j}``), each computed by the operation with its formula and slips, sliced, and then
    the whole stacked from them -- so a student's accepted slice feeds downstream."""
    if len(shape) <= 2:
        writer.apply(operation, key, symbol, meaning, role, mistakes=mistakes, **at)
        return
    parts = {}
    for index in np.ndindex(shape[:-2]):
        part = key + "".join(f".c{i + 1}" for i in index)
        en, ru = _where(index, len(shape))
        writer.apply(_sliced(operation, index), part, f"{symbol}[{','.join(str(i + 1) for i in index)}]",
                texts(f"{en} of {symbol}: {meaning['en']}", f"{ru} {symbol}: {meaning['ru']}"), role,
                names={"out": symbol}, **at)
        parts[f"part{len(parts)}"] = part
    writer.apply(_stacked(operation, len(parts), shape), key, symbol, meaning, role, **at, **parts)


def _sliced(operation: Op, index: tuple) -> Op:
    """The operation's slice ``index`` (its slips' too)."""
    def part(fn):
        return lambda *values: np.asarray(fn(*values))[index]
    return replace(operation, fn=part(operation.fn), slips=tuple(replace(s, fn=part(s.fn)) for s in operation.slips))


def _stacked(operation: Op, n: int, shape: tuple) -> Op:
    """The whole stacked from its ``n`` slices (slots ``part0`` …), with the operation's formula and slips."""
    return replace(operation, slots=tuple(f"part{i}" for i in range(n)),
                   fn=lambda *parts: np.stack([np.asarray(p, dtype=np.float64) for p in parts]).reshape(shape))


def _where(index: tuple, ndim: int) -> tuple[str, str]:
    if ndim == 4:
        f, ch = index[0] + 1, index[1] + 1
        return f"filter {f}, input channel {ch}", f"фильтр {f}, входной канал {ch} для"
    return f"channel {index[0] + 1}", f"канал {index[0] + 1} для"


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
        FieldDoc("dilation", False, "the kernel's dilation d (default 1): d − 1 zeros between neighbouring weights, "
                                    "so a k×k kernel spans d(k − 1) + 1 pixels; not with flip"),
        FieldDoc("flip", False, "false (default): cross-correlation as in PyTorch; true: true convolution "
                                "(the kernel turned by 180°)"),
        FieldDoc("activation", False, 'an element-wise activation g after the convolution, A = g(Y): "identity" '
                                      '(default, none), "relu", "leaky_relu" (slope 0.01), "sigmoid" or "tanh"; '
                                      "the backward pass then goes ∂L/∂A → ∂L/∂Y = ∂L/∂A ∘ g′(Y) → ∂L/∂W"),
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
        NameDoc("W.dil", "the dilated kernel as slid, zeros between the weights (only with dilation > 1)"),
        NameDoc("Y", "the convolution's output"),
        NameDoc("A", "the activation's output g(Y) (only with an activation)"),
        NameDoc("P.rows, P.cols, P", "the pooling's output size and output (only with pool)"),
        NameDoc("L", "the loss Σ(final output) (only without upstream)"),
        NameDoc("grad.P, grad.A, grad.Y", "∂L/∂P, ∂L/∂A and ∂L/∂Y (the last one present is all ones, or the given "
                                          "upstream)"),
        NameDoc("grad.W, grad.b, grad.x", "∂L/∂W, ∂L/∂b, ∂L/∂x"),
        NameDoc("{key}.c{i}, {key}.c{f}.c{i}", "2-D slices of a quantity with channels: channel i of x.pad, "
                                               "grad.x; filter f of Y, P, grad.Y, grad.P; filter f, channel i "
                                               "of grad.W (4-D W)"),
    ),
)
