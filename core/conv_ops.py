"""Convolution and pooling on one image, CS231n style: ``forward -> (out, cache)``, ``backward(dout, cache)``.

Shapes: an image x is (C, H, W); a bank of F kernels w is (F, C, HH, WW); biases b are (F,).
Convolution is cross-correlation, as in PyTorch and TensorFlow:

    out[f, i, j] = b[f] + Σ_c Σ_m Σ_n w[f, c, m, n] · x_pad[c, s·i + m, s·j + n]

with x_pad = x with ``pad`` zeros on every side and stride s. With ``flip`` the kernel is
turned by 180° first (w̃[.., m, n] = w[.., HH−1−m, WW−1−n]): the true convolution of
signal processing. Output size per axis: ⌊(n + 2·pad − k)/s⌋ + 1.

Every sum runs over kernel offsets (m, n), so each weight's gradient is literally the sum,
over the output positions, of the upstream gradient times the input pixel that weight touched.
Pooling uses square windows of ``size`` and no padding. Max pooling sends each window's
gradient to its maximum; on a tie, to the first maximum in reading order (row by row, left
to right), as PyTorch does. Overlapping windows add their gradients.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np

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
