"""Convolution and pooling on one image: the CS231n-style functions and the operations built on them.

Functions, ``forward -> (out, cache)``, ``backward(dout, cache)``. Shapes: an image x is (C, H, W);
a bank of F kernels w is (F, C, HH, WW); biases b are (F,). Convolution is cross-correlation, as in
PyTorch and TensorFlow:

    out[f, i, j] = b[f] + Σ_c Σ_m Σ_n w[f, c, m, n] · x_pad[c, s·i + m, s·j + n]

with x_pad = x with ``pad`` zeros on every side and stride s. With ``flip`` the kernel is
turned by 180° first (w̃[.., m, n] = w[.., HH−1−m, WW−1−n]): the true convolution of
signal processing. Output size per axis: ⌊(n + 2·pad − k)/s⌋ + 1.

Every sum runs over kernel offsets (m, n), so each weight's gradient is literally the sum,
over the output positions, of the upstream gradient times the input pixel that weight touched.
Pooling uses square windows of ``size`` and no padding. Max pooling sends each window's
gradient to its maximum; on a tie, to the first maximum in reading order (row by row, left
to right), as PyTorch does. Overlapping windows add their gradients.

Operations (:class:`~nntutor.core.ops.record.Op`, on the same full shapes; a kind storing other
shapes places them through :func:`~nntutor.core.ops.shaped.reshaped`): the output size
(:func:`positions`), the parameter counts, padding, turning a kernel, the convolution and its
kernel, bias and input gradients, max and average pooling and their gradients -- each with its
slips: the padding, the stride or the +1 left out of a size, the other kernel orientation, a
transposed kernel, the bias averaged, a pooling gradient sent to every cell of a window …
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterator, Mapping

import numpy as np

from .record import Op, slip

Array = np.ndarray


def output_size(n: int, k: int, pad: int = 0, stride: int = 1) -> int:
    """⌊(n + 2·pad − k)/stride⌋ + 1 positions of a k-wide window on n (+ padding) cells."""
    if n + 2 * pad < k:
        raise ValueError(f"a window of {k} does not fit in {n} cells with padding {pad}")
    return (n + 2 * pad - k) // stride + 1


def pad_image(x: Array, pad: int) -> Array:
    """x (C, H, W) → (C, H + 2·pad, W + 2·pad) with a border of zeros."""
    x = np.asarray(x, dtype=np.float64)
    return np.pad(x, ((0, 0), (pad, pad), (pad, pad))) if pad else x.copy()


def flip_kernel(w: Array) -> Array:
    """w turned by 180° in its last two axes: w̃[.., m, n] = w[.., HH−1−m, WW−1−n]."""
    return np.ascontiguousarray(np.asarray(w, dtype=np.float64)[..., ::-1, ::-1])


def dilate_kernel(w: Array, d: int) -> Array:
    """w with d − 1 zeros between neighbouring weights in its last two axes: a k×k kernel becomes
    (d(k − 1) + 1)×(d(k − 1) + 1), w_d[.., d·m, d·n] = w[.., m, n] and 0 elsewhere."""
    w = np.asarray(w, dtype=np.float64)
    kh, kw = w.shape[-2:]
    out = np.zeros(w.shape[:-2] + (d * (kh - 1) + 1, d * (kw - 1) + 1))
    out[..., ::d, ::d] = w
    return out


def _offsets(xp: Array, kh: int, kw: int, stride: int) -> Iterator[tuple[int, int, tuple]]:
    """(m, n, index) per kernel offset in reading order; xp[index] is (C, H_out, W_out):
    the input cells that offset meets at every output position."""
    h_out = (xp.shape[1] - kh) // stride + 1
    w_out = (xp.shape[2] - kw) // stride + 1
    for m in range(kh):
        for n in range(kw):
            yield m, n, (slice(None), slice(m, m + stride * (h_out - 1) + 1, stride),
                         slice(n, n + stride * (w_out - 1) + 1, stride))


# -- convolution --------------------------------------------------------------------------

def correlate(xp: Array, w: Array, stride: int = 1) -> Array:
    """out[f, i, j] = Σ_c Σ_m Σ_n w[f, c, m, n]·xp[c, s·i + m, s·j + n]; xp (C, H, W) already padded,
    w (F, C, HH, WW) → out (F, H_out, W_out)."""
    xp = np.asarray(xp, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    _, _, kh, kw = w.shape
    for n, k in ((xp.shape[1], kh), (xp.shape[2], kw)):
        output_size(n, k, 0, stride)  # raises a clear ValueError when the window does not fit
    return np.einsum("fcmn,chwmn->fhw", w, _windows(xp, kh, kw, stride))


def _windows(xp: Array, kh: int, kw: int, stride: int) -> Array:
    """win[c, i, j, m, n] = xp[c, s·i + m, s·j + n]: every kh×kw window, a read-only view (no copy)."""
    return np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::stride, ::stride]


def correlate_weight_grad(xp: Array, dout: Array, kernel_hw: tuple[int, int], stride: int = 1) -> Array:
    """∂L/∂w[f, c, m, n] = Σ_i Σ_j dout[f, i, j]·xp[c, s·i + m, s·j + n]; xp (C, H, W) padded,
    dout (F, H_out, W_out) → (F, C, HH, WW)."""
    xp = np.asarray(xp, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    kh, kw = kernel_hw
    return np.einsum("fhw,chwmn->fcmn", dout, _windows(xp, kh, kw, stride))


def correlate_input_grad(w: Array, dout: Array, padded_hw: tuple[int, int], stride: int = 1) -> Array:
    """∂L/∂xp[c, p, q] = Σ over (f, i, j, m, n) with s·i + m = p, s·j + n = q of dout[f, i, j]·w[f, c, m, n];
    w (F, C, HH, WW), dout (F, H_out, W_out) → (C, H_pad, W_pad)."""
    w = np.asarray(w, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    _, c, kh, kw = w.shape
    dxp = np.zeros((c,) + tuple(padded_hw))
    for m, n, idx in _offsets(dxp, kh, kw, stride):
        dxp[idx] += np.einsum("fc,fhw->chw", w[:, :, m, n], dout)
    return dxp


def conv_forward(x: Array, w: Array, b: Array, conv_param: Mapping[str, Any]) -> tuple[Array, tuple]:
    """out = b + (x_pad ⋆ w) (⋆: cross-correlation; with flip, x_pad ⋆ w̃).

    x (C, H, W), w (F, C, HH, WW), b (F,); conv_param: ``pad`` (default 0), ``stride``
    (default 1), ``flip`` (default False) → out (F, H_out, W_out), H_out = ⌊(H + 2·pad − HH)/s⌋ + 1.
    """
    pad, stride, flip = _conv_param(conv_param)
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    w_used = flip_kernel(w) if flip else w
    out = correlate(pad_image(x, pad), w_used, stride) + np.asarray(b, dtype=np.float64).reshape(-1, 1, 1)
    return out, (x, w, b, dict(conv_param))


def conv_backward(dout: Array, cache: tuple) -> tuple[Array, Array, Array]:
    """(∂L/∂x, ∂L/∂w, ∂L/∂b) from ∂L/∂out (F, H_out, W_out).

    ∂L/∂w = Σ_{i,j} ∂L/∂out[f, i, j]·x_pad[c, s·i + m, s·j + n] (turned by 180° with flip);
    ∂L/∂x = the same scatter of ∂L/∂out through the kernel, padding cut off;
    ∂L/∂b[f] = Σ_{i,j} ∂L/∂out[f, i, j]. Shapes equal x, w, b.
    """
    x, w, b, conv_param = cache
    pad, stride, flip = _conv_param(conv_param)
    xp = pad_image(x, pad)
    dw = correlate_weight_grad(xp, dout, w.shape[2:], stride)
    w_used = flip_kernel(w) if flip else w
    dxp = correlate_input_grad(w_used, dout, xp.shape[1:], stride)
    dx = dxp[:, pad: pad + x.shape[1], pad: pad + x.shape[2]]
    db = np.asarray(dout, dtype=np.float64).sum(axis=(1, 2)).reshape(np.shape(b))
    return dx, (flip_kernel(dw) if flip else dw), db


def _conv_param(conv_param: Mapping[str, Any]) -> tuple[int, int, bool]:
    return int(conv_param.get("pad", 0)), int(conv_param.get("stride", 1)), bool(conv_param.get("flip", False))


# -- pooling ------------------------------------------------------------------------------

def _pool_param(pool_param: Mapping[str, Any]) -> tuple[int, int]:
    size = int(pool_param["size"])
    return size, int(pool_param.get("stride", size))


def _stack(x: Array, size: int, stride: int) -> Array:
    """(size², C, H_out, W_out): every window's cells, offsets in reading order."""
    x = np.asarray(x, dtype=np.float64)
    return np.stack([x[idx] for _, _, idx in _offsets(x, size, size, stride)])


def max_pool_forward(x: Array, pool_param: Mapping[str, Any]) -> tuple[Array, tuple]:
    """out[c, i, j] = max of x[c] over the size×size window at (s·i, s·j).

    x (C, H, W); pool_param: ``size``, ``stride`` (default size) → out (C, H_out, W_out),
    H_out = ⌊(H − size)/s⌋ + 1. The cache keeps the arg-max (first maximum in reading order).
    """
    size, stride = _pool_param(pool_param)
    windows = _stack(x, size, stride)
    return windows.max(axis=0), (np.asarray(x, dtype=np.float64), dict(pool_param), windows.argmax(axis=0))


def max_pool_backward(dout: Array, cache: tuple) -> Array:
    """∂L/∂x: each window's ∂L/∂out goes to its arg-max cell, 0 elsewhere; overlaps add. Shape of x."""
    x, pool_param, arg = cache
    size, stride = _pool_param(pool_param)
    dout = np.asarray(dout, dtype=np.float64)
    dx = np.zeros_like(x)
    for k, (_, _, idx) in enumerate(_offsets(x, size, size, stride)):
        dx[idx] += np.where(arg == k, dout, 0.0)
    return dx


def max_pool_backward_ties(dout: Array, cache: tuple) -> Array:
    """∂L/∂x with each window's ∂L/∂out sent to *every* cell equal to its maximum (ties not broken).

    Another convention than :func:`max_pool_backward` (which picks the first maximum); overlaps add.
    Shape of x.
    """
    x, pool_param, _ = cache
    size, stride = _pool_param(pool_param)
    windows = _stack(x, size, stride)
    top = windows.max(axis=0)
    dout = np.asarray(dout, dtype=np.float64)
    dx = np.zeros_like(x)
    for k, (_, _, idx) in enumerate(_offsets(x, size, size, stride)):
        dx[idx] += np.where(windows[k] == top, dout, 0.0)
    return dx


def avg_pool_forward(x: Array, pool_param: Mapping[str, Any]) -> tuple[Array, tuple]:
    """out[c, i, j] = mean of x[c] over the size×size window at (s·i, s·j); x (C, H, W) → (C, H_out, W_out)."""
    size, stride = _pool_param(pool_param)
    return _stack(x, size, stride).mean(axis=0), (np.asarray(x, dtype=np.float64), dict(pool_param))


def avg_pool_backward(dout: Array, cache: tuple) -> Array:
    """∂L/∂x: every cell of a window gets that window's ∂L/∂out / size²; overlaps add. Shape of x."""
    x, pool_param = cache
    size, stride = _pool_param(pool_param)
    share = np.asarray(dout, dtype=np.float64) / (size * size)
    dx = np.zeros_like(x)
    for _, _, idx in _offsets(x, size, size, stride):
        dx[idx] += share
    return dx


# -- operations ---------------------------------------------------------------------------------
# Slots: ``x`` an image (C, H, W) (padded where the kind pads it), ``w`` the kernel bank as slid
# (F, C, HH, WW), ``W`` the kernel as given, ``b`` the biases (F,), ``g`` the upstream gradient
# (the shape of the output), ``v`` a pooling's input; ``out`` the quantity computed, ``f`` its
# right formula.

def _number(value) -> Any:
    """A quantity fixed by the data (a size, a count): no inputs."""
    return lambda: np.float64(value)


def _step(stride: int, index: str) -> str:
    """``s·i`` as a formula writes it: ``i`` for stride 1."""
    return f"{stride}·{index}" if stride > 1 else index


def positions(n: int | None, k: int, stride: int, pad: int | None = None, dilation: int = 1,
              pool: bool = False) -> Op:
    """The output side of a k-wide window sliding with stride s over n cells padded with p on each
    side: ⌊(n + 2p − span)/s⌋ + 1, span = d(k − 1) + 1 the cells a window with dilation d covers.

    ``n`` a number: fixed by the data (no slots; the formula also works it out in numbers); None:
    read from the slot ``n``, the side a layer below gives. ``pad`` None: a window that pads
    nothing (a pooling here), the padding not written. ``pool``: a pooling, which moves by its size
    unless told otherwise. The templates name ``{n}``, ``{p}``, ``{s}`` and ``{k}``, the window's
    width as it follows a minus sign (k, or d(k − 1) − 1 for a dilated kernel), filled where the
    size is placed.

    Slips, each only where it can differ from the right value: the padding left out or counted
    once, the +1 forgotten, the division not rounded down, the stride or the dilation ignored.
    """
    p, span = pad or 0, dilation * (k - 1) + 1
    padded = pad is not None
    formula = "{out} = ⌊({n} + 2{p} − {k})/{s}⌋ + 1" if padded else "{out} = ⌊({n} − {k})/{s}⌋ + 1"
    if n is not None:
        formula += (f" = ⌊({n} + 2·{p} − {span})/{stride}⌋ + 1" if padded else f" = ⌊({n} − {span})/{stride}⌋ + 1")

    def size(padding: int = 2 * p, window: int = span, step: int = stride):
        """⌊(m + padding − window)/step⌋ + 1 of the input side m."""
        return lambda m: np.floor((m + padding - window) / step) + 1

    slips = []
    if p and (n is None or n >= span):
        slips.append(slip("size_no_padding", ["n"], size(padding=0),
                          f"You left out the padding {{p}} = {p} on each side: {{f}}.",
                          f"Вы не учли дополнение {{p}} = {p} с каждой стороны: {{f}}."))
    slips.append(slip("size_no_plus_one", ["n"], lambda m: np.floor((m + 2 * p - span) / stride),
                      "You forgot the +1 for the window's first position: {f}.",
                      "Вы забыли +1 за первое положение окна: {f}."))
    if p and (p, stride) != (1, 1):  # with p = s = 1 the padding counted once is the +1 forgotten
        slips.append(slip("size_padding_once", ["n"], size(padding=p),
                          "The padding goes on both sides, so it counts twice: {f}.",
                          "Дополнение добавляется с обеих сторон, поэтому входит дважды: {f}."))
    if n is None or (n + 2 * p - span) % stride:
        slips.append(slip("size_no_floor", ["n"], lambda m: (m + 2 * p - span) / stride + 1,
                          "Round the division down: a window that would stick out past the edge is not used; {f}.",
                          "Частное округляется вниз: окно, вылезающее за край, не используется; {f}."))
    if stride > 1:
        en, ru = ((f" (a {k}×{k} pooling moves by {k} unless another stride is given)",
                   f" (пулинг {k}×{k} сдвигается на {k}, если не указан другой шаг)") if pool and stride == k
                  else ("", ""))
        slips.append(slip("size_no_stride", ["n"], size(step=1),
                          f"You did not divide by the stride {{s}} = {stride}{en}: {{f}}.",
                          f"Вы не разделили на шаг {{s}} = {stride}{ru}: {{f}}."))
    if dilation != 1:
        slips.append(slip("size_no_dilation", ["n"], size(window=k),
                          f"You ignored the dilation: the kernel spans d(k − 1) + 1 = {span} pixels, not k = {k}; "
                          "{f}.",
                          f"Вы не учли расширение (dilation): ядро накрывает d(k − 1) + 1 = {span} пикселей, а не "
                          f"k = {k}; {{f}}."))
    op = Op("output_size", ("n",), size(), formula, tuple(slips))
    return op if n is None else fixed(op, n=n)


def fixed(op: Op, **values) -> Op:
    """``op`` with some slots fixed by the data: they are no longer read from the graph."""
    def bound(fn, uses):
        got = [values.get(u) for u in uses]
        kept = tuple(u for u in uses if u not in values)

        def run(*args):
            it = iter(args)
            return fn(*[next(it) if v is None else np.float64(v) for v in got])
        return run, kept

    fn, slots = bound(op.fn, op.slots)
    slips = tuple(replace(s, fn=f, uses=u) for s in op.slips for f, u in [bound(s.fn, s.uses)])
    return replace(op, fn=fn, slots=slots, slips=slips)


_NO_IN_CHANNELS = ("You left out the input channels: each filter has one k×k kernel per input channel, "
                   "so the weights number k_h·k_w·C_in·C_out.",
                   "Вы не учли входные каналы: у каждого фильтра своё ядро k×k на каждый входной канал, "
                   "поэтому весов k_h·k_w·C_in·C_out.")


def weight_count(kh: int, kw: int, c_in: int, c_out: int) -> Op:
    """|W| = k_h·k_w·C_in·C_out."""
    return Op("weight_count", (), _number(kh * kw * c_in * c_out),
              f"{{out}} = k_h·k_w·C_in·C_out = {kh}·{kw}·{c_in}·{c_out}",
              (slip("no_in_channels", [], _number(kh * kw * c_out), *_NO_IN_CHANNELS),))


def parameter_count(kh: int, kw: int, c_in: int, c_out: int, bias: bool) -> Op:
    """|W| + |b|: the weights and, if the layer has biases, one per filter."""
    n_w, n_b = kh * kw * c_in * c_out, (c_out if bias else 0)
    slips = [slip("no_in_channels", [], _number(kh * kw * c_out + n_b), *_NO_IN_CHANNELS)]
    if bias:  # without biases these would name a mistake about biases the layer does not have
        slips += [
            slip("no_bias", [], _number(n_w),
                 "You counted only the weights; the biases are trainable too: |W| + |b| with one bias per filter.",
                 "Вы посчитали только веса, а смещения тоже обучаются: |W| + |b|, по одному смещению на фильтр."),
            slip("bias_per_input_channel", [], _number(n_w + c_in * c_out),
                 "You counted a bias for every input channel; each filter has one bias: |W| + C_out.",
                 "Вы посчитали смещение на каждый входной канал, а у фильтра смещение одно: |W| + C_out."),
        ]
    return Op("parameter_count", (), _number(n_w + n_b), f"{{out}} = {n_w} + {n_b}", tuple(slips))


def padding(pad: int) -> Op:
    """x_pad = x with ``pad`` zeros on every side: (C, H, W) → (C, H + 2p, W + 2p)."""
    return Op("pad", ("x",), lambda x: pad_image(x, pad), f"{{out}} = pad({{x}}, {pad})")


def _turned(how: str, ru: str):
    return (f"{how}; turning by 180° reverses both: {{f}}.",
            f"{ru}, а поворот на 180° меняет порядок и строк, и столбцов: {{f}}.")


#: W̃ = W turned by 180° (any shape whose last two axes are the kernel's), and the wrong ways to turn it.
TURN = Op("turn", ("W",), flip_kernel, "{out}[m,n] = {W}[k−1−m, k−1−n]", (
    slip("transposed", ["W"], lambda w: np.swapaxes(np.asarray(w, dtype=np.float64), -1, -2),
         *_turned("You transposed the kernel (rows became columns)",
                  "Вы транспонировали ядро (строки стали столбцами)")),
    slip("flip_rows_only", ["W"], lambda w: np.asarray(w, dtype=np.float64)[..., ::-1, :],
         *_turned("You reversed only the order of the rows", "Вы поменяли порядок только строк")),
    slip("flip_cols_only", ["W"], lambda w: np.asarray(w, dtype=np.float64)[..., :, ::-1],
         *_turned("You reversed only the order of the columns", "Вы поменяли порядок только столбцов")),
))


def convolution(stride: int, bias: bool, flip: bool, single: bool) -> Op:
    """out = x ⋆ w (+ b), ⋆ cross-correlation with stride s; x (C, H, W), w (F, C, HH, WW), b (F,) →
    (F, H_out, W_out). ``flip``: the lesson slides the turned kernel w = W̃ (true convolution), so the
    other convention is the plain W; ``single``: one kernel on one channel, written without f and c."""
    def forward(x, w, b=None):
        out = correlate(x, w, stride)
        return out if b is None else out + np.asarray(b, dtype=np.float64).reshape(-1, 1, 1)

    i, j = _step(stride, "i"), _step(stride, "j")
    if single:
        formula = f"{{out}}[i,j] = Σₘₙ {{w}}[m,n]·{{x}}[{i} + m, {j} + n]" + (" + {b}" if bias else "")
    else:
        formula = f"{{out}}[f,i,j] = Σ_c Σₘₙ {{w}}[f,c,m,n]·{{x}}[c, {i} + m, {j} + n]" + (" + {b}[f]" if bias else "")
    other = (lambda W: W) if flip else flip_kernel  # the kernel as the other convention slides it
    if flip:
        en = ("Your {out} is the cross-correlation of PyTorch (the kernel as it is); this lesson uses the true "
              "convolution, with the kernel turned by 180°: {f}.")
        ru = ("Ваш {out} — кросс-корреляция, как в PyTorch (ядро не повёрнуто); в этом уроке настоящая свёртка "
              "с ядром, повёрнутым на 180°: {f}.")
    else:
        en = ("Your {out} is the true convolution (the kernel turned by 180°); this lesson uses cross-correlation, "
              "as PyTorch does, with the kernel as it is: {f}.")
        ru = ("Ваш {out} — настоящая свёртка (ядро повёрнуто на 180°); в этом уроке, как в PyTorch, "
              "кросс-корреляция с неповёрнутым ядром: {f}.")
    slips = [slip("flip", ["x", "W"] + (["b"] if bias else []), lambda x, W, *b: forward(x, other(W), *b),
                  en, ru, convention=True)]
    if bias:
        slips.append(slip("no_bias", ["x", "w"], forward,
                          "You forgot the bias: {b} is added at every position of {out} (each filter its own {b}).",
                          "Вы забыли смещение: {b} прибавляется в каждой позиции {out} (у каждого фильтра своё {b})."))
    return Op("convolution", ("x", "w") + (("b",) if bias else ()), forward, formula, tuple(slips))


def kernel_grad(kernel_hw: tuple[int, int], stride: int, flip: bool, dilation: int = 1) -> Op:
    """∂L/∂W[f, c, m, n] = Σᵢⱼ g[f, i, j]·x[c, s·i + d·m, s·j + d·n] (turned back by 180° with ``flip``;
    d the dilation); x (C, H, W) as slid over, g (F, H_out, W_out) → (F, C, HH, WW)."""
    d = dilation

    def grad(x, g):
        span = tuple(d * (k - 1) + 1 for k in kernel_hw)
        dw = correlate_weight_grad(x, g, span, stride)[..., ::d, ::d]  # the dilated kernel's gradient, sampled
        return flip_kernel(dw) if flip else dw

    kh, kw = kernel_hw
    rm, rn = (f"{kh - 1} − m", f"{kw - 1} − n") if flip else ("m", "n")
    if d > 1:
        rm, rn = f"{d}·{rm}", f"{d}·{rn}"
    formula = f"{{out}}[m,n] = Σᵢⱼ {{g}}[i,j]·{{x}}[{_step(stride, 'i')} + {rm}, {_step(stride, 'j')} + {rn}]"
    if flip:
        en = "Your {out} is the gradient of W̃ not turned back: W[m,n] sits at W̃[k−1−m, k−1−n], so {f}."
        ru = "Ваш {out} — градиент по W̃, не повёрнутый обратно: W[m,n] стоит в W̃[k−1−m, k−1−n], поэтому {f}."
    else:
        en = ("Your {out} is turned by 180°: weight W[m,n] multiplies the input cell at offset (m, n) from the "
              "window's corner, so {f}.")
        ru = ("Ваш {out} повёрнут на 180°: вес W[m,n] умножается на клетку входа со сдвигом (m, n) от угла окна, "
              "поэтому {f}.")
    return Op("kernel_grad", ("x", "g"), grad, formula,
              (slip("flipped", ["x", "g"], lambda x, g: flip_kernel(grad(x, g)), en, ru),))


def _per_filter(g) -> Array:
    """g (F, H_out, W_out) as F rows of positions."""
    g = np.asarray(g, dtype=np.float64)
    return g.reshape(g.shape[0], -1)


def dilation(d: int) -> Op:
    """W_d: the kernel W with d − 1 zeros between neighbouring weights (a k×k kernel spans
    d(k − 1) + 1 pixels); slid like any kernel, it is the dilated convolution. Slot W."""
    return Op("dilate", ("W",), lambda W: dilate_kernel(W, d),
              f"{{out}}[{d}m, {d}n] = {{W}}[m, n], zeros between")


#: ∂L/∂b[f] = Σᵢⱼ g[f, i, j]: b is added at every position; g (F, H_out, W_out) → (F,).
BIAS_GRAD = Op("bias_grad", ("g",), lambda g: _per_filter(g).sum(axis=1), "{out} = Σᵢⱼ {g}[i,j]", (
    slip("mean_not_sum", ["g"], lambda g: _per_filter(g).mean(axis=1),
         "You averaged {g} over the positions; b is added at every position, so {f}, the sum.",
         "Вы усреднили {g} по позициям, а b прибавляется в каждой позиции, поэтому {f} — сумма."),
))


def input_grad(pad: int, stride: int, image_hw: tuple[int, int]) -> Op:
    """∂L/∂x: every output position sends g[f, i, j] back through the kernel w (as slid) to the cells
    it covered, the padding cut off; w (F, C, HH, WW), g (F, H_out, W_out) → (C, H, W)."""
    h, w_ = image_hw

    def grad(w, g):
        dxp = correlate_input_grad(w, g, (h + 2 * pad, w_ + 2 * pad), stride)
        return dxp[:, pad: pad + h, pad: pad + w_]

    shift = f" + {pad}" if pad else ""
    formula = (f"{{out}}[r,q] = Σ_(i,j,m,n: {_step(stride, 'i')} + m = r{shift}, {_step(stride, 'j')} + n = q{shift}) "
               "{g}[i,j]·{w}[m,n]")
    return Op("input_grad", ("w", "g"), grad, formula, (
        slip("correlation", ["w", "g"], lambda w, g: grad(flip_kernel(w), g),
             "You slid {w} over {g} without turning it; {out} is the full convolution of {g} with {w}, that is "
             "a correlation with {w} turned by 180°.",
             "Вы провели {w} по {g} без поворота, а {out} — полная свёртка {g} с {w}, то есть корреляция с {w}, "
             "повёрнутым на 180°."),
    ))


def pooling(how: str, size: int, stride: int) -> Op:
    """out[c, i, j] = max (``how`` = "max") or mean ("avg") of v[c] over the size×size window at
    (s·i, s·j); v (C, H, W) → (C, H_out, W_out)."""
    param = {"size": size, "stride": stride}
    i, j = _step(stride, "i"), _step(stride, "j")
    formula = f"{{out}}[i,j] = {'max' if how == 'max' else 'mean'}ₘₙ {{v}}[{i} + m, {j} + n], 0 ≤ m, n < {size}"
    if how == "max":
        return Op("max_pool", ("v",), lambda v: max_pool_forward(v, param)[0], formula, (
            slip("mean_not_max", ["v"], lambda v: avg_pool_forward(v, param)[0],
                 "You averaged each window; max pooling keeps the window's largest value: {out}[i,j] = max of "
                 "the window.",
                 "Вы усреднили окно, а макс-пулинг оставляет наибольшее значение окна: {out}[i,j] = max по окну."),
        ))
    return Op("avg_pool", ("v",), lambda v: avg_pool_forward(v, param)[0], formula, (
        slip("max_not_mean", ["v"], lambda v: max_pool_forward(v, param)[0],
             f"You took each window's maximum; average pooling takes the mean: {{out}}[i,j] = (sum of the "
             f"window)/{size * size}.",
             f"Вы взяли максимум окна, а усредняющий пулинг берёт среднее: {{out}}[i,j] = (сумма по "
             f"окну)/{size * size}."),
    ))


def pooling_grad(how: str, size: int, stride: int) -> Op:
    """∂L/∂v from g = ∂L/∂out: max pooling sends each window's g to its (first) maximum, average
    pooling gives every cell of a window g/size²; overlaps add. v (C, H, W), g (C, H_out, W_out)."""
    param = {"size": size, "stride": stride}
    cells = size * size

    def spread(v, g):
        """Every cell of a window gets the window's whole gradient (overlaps add)."""
        return cells * avg_pool_backward(g, (v, param))

    if how == "avg":
        return Op("avg_pool_grad", ("v", "g"), lambda v, g: avg_pool_backward(g, (v, param)),
                  f"{{out}}[r,q] = Σ_((i,j): (r,q) ∈ Ω(i,j)) {{g}}[i,j]/{cells}", (
            slip("not_divided", ["v", "g"], spread,
                 f"You did not divide by the window size: each cell of a window gets {{g}}[i,j]/{cells}.",
                 f"Вы не разделили на размер окна: каждая клетка окна получает {{g}}[i,j]/{cells}."),
        ))
    return Op("max_pool_grad", ("v", "g"), lambda v, g: max_pool_backward(g, max_pool_forward(v, param)[1]),
              "{out}[r,q] = Σ_(i,j) {g}[i,j]·[(r,q) = argmax Ω(i,j)]", (
        slip("spread_copy", ["v", "g"], spread,
             "You gave every cell of the window the window's gradient; max pooling sends {g}[i,j] only to the "
             "window's maximum, the other cells get 0.",
             "Вы отдали градиент окна каждой его клетке, а макс-пулинг отправляет {g}[i,j] только в максимум окна, "
             "остальные клетки получают 0."),
        slip("spread_share", ["v", "g"], lambda v, g: spread(v, g) / cells,
             f"You shared the gradient evenly (1/{cells} to each cell), as average pooling does; max pooling sends "
             f"all of {{g}}[i,j] to the window's maximum.",
             f"Вы поделили градиент поровну (по 1/{cells} на клетку), как в усредняющем пулинге, а макс-пулинг "
             f"отправляет весь {{g}}[i,j] в максимум окна."),
        slip("tie_all", ["v", "g"], lambda v, g: max_pool_backward_ties(g, max_pool_forward(v, param)[1]),
             "You sent the gradient to every tied maximum of a window; this lesson, like PyTorch, sends it only to "
             "the first maximum in reading order.",
             "Вы отправили градиент во все равные максимумы окна, а в этом уроке, как в PyTorch, он идёт только в "
             "первый максимум при чтении по строкам.", convention=True),
    ))


#: ∂L/∂v = 1 everywhere for L = Σ v.
SUM_GRAD = Op("sum_grad", ("v",), np.ones_like, "{out}[i,j] = 1")
