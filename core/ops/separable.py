"""A depthwise-separable convolution at one output position, with its slips.

Depthwise:  d_c = Σ_mn x_c[m,n]·K_c[m,n], one k×k kernel K_c per input channel c, no mixing of channels.
Pointwise:  y = Σ_c p_c·d_c, a 1×1 convolution: one weight per input channel for this output channel.
Full:       the same y from a full convolution whose kernel slice for channel c is W_c = p_c·K_c
            (a separable layer is a full one with kernels restricted to this form).
Shapes: x_c, K_c, W_c k×k; p (C); d_c, y numbers.
"""

from __future__ import annotations

import numpy as np

from .record import Op, slip


def _window(x, K):
    return np.float64(np.sum(np.asarray(x, dtype=np.float64) * K))


#: d_c = Σ x_c ∘ K_c: one channel's window times its own kernel. Slots x, K.
DEPTHWISE = Op("depthwise_window", ("x", "K"), _window, "{out} = Σₘₙ {x}[m,n]·{K}[m,n]", (
    slip("kernel_turned", ["x", "K"], lambda x, K: _window(x, np.flip(K)),
         "That turns the kernel by 180° (true convolution); here the kernel slides as it is (cross-correlation): {f}.",
         "Так получается с ядром, повёрнутым на 180° (настоящая свёртка); здесь ядро не переворачивается "
         "(кросс-корреляция): {f}.", convention=True),
))


def pointwise(channels: int) -> Op:
    """y = Σ_c p_c·d_c: the 1×1 convolution mixing the depthwise outputs. Slots p1 … pC, d1 … dC."""
    ps = tuple(f"p{c}" for c in range(1, channels + 1))
    ds = tuple(f"d{c}" for c in range(1, channels + 1))

    def mix(*v):
        return np.float64(sum(float(p) * float(d) for p, d in zip(v[:channels], v[channels:])))
    terms = " + ".join(f"{{p{c}}}·{{d{c}}}" for c in range(1, channels + 1))
    return Op("pointwise_mix", ps + ds, mix, "{out} = " + terms, (
        slip("no_pointwise_weights", ds, lambda *d: np.float64(sum(float(x) for x in d)),
             "You added the depthwise outputs without their pointwise weights: {f}.",
             "Вы сложили выходы depthwise-свёртки без весов поточечной свёртки: {f}."),
    ))


#: W_c = p_c·K_c: the full convolution's kernel slice that gives the same output. Slots p (a number), K.
FULL_KERNEL = Op("separable_full_kernel", ("p", "K"), lambda p, K: np.float64(p) * np.asarray(K, dtype=np.float64) + 0.0,
                 "{out} = {p}·{K}")
