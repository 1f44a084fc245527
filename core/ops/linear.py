"""A linear map z = a·W + b (row layout) or z = W·a + b (column layout), and its gradients.

Row layout: a is (n_in,) or a batch m×n_in, W is n_in×n_out, z is (n_out,) or m×n_out.
Column layout: a is (n_in,) or a batch n_in×m, W is n_out×n_in, z is (n_out,) or n_out×m.

The functions compute; :func:`affine`, :func:`weight_gradient`, :func:`bias_gradient` and
:func:`input_gradient` are the operations a kind places (:class:`~.record.Op`), each with its slips.
"""

from __future__ import annotations

import numpy as np

from .record import Op, slip


def linear(row: bool, batch: bool):
    """z = a·W (+ b) or W·a (+ b); a column-layout batch adds b to every column."""
    def f(a, W, bias=None):
        z = a @ W if row else W @ a
        if bias is None:
            return z
        return z + (bias[:, None] if batch and not row else bias)
    return f


def weight_grad(row: bool):
    """∂L/∂W. Row: aᵀ·∂L/∂z (an outer product for one observation, Aᵀ·∂L/∂Z for a batch); column: transposed."""
    def f(a, g):
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        g2 = g.reshape(1, -1) if g.ndim == 1 else g
        return a2.T @ g2 if row else (g2.T @ a2 if a.ndim == 1 else g2 @ a2.T)
    return f


def bias_grad(row: bool, batch: bool):
    """∂L/∂b = ∂L/∂z, summed over a batch's observations."""
    if not batch:
        return lambda g: g * 1.0
    return (lambda g: np.sum(g, axis=0)) if row else (lambda g: np.sum(g, axis=1))


def input_grad(row: bool):
    """∂L/∂a = ∂L/∂z·Wᵀ (row) or Wᵀ·∂L/∂z (column)."""
    return (lambda g, W: g @ W.T) if row else (lambda g, W: W.T @ g)


def one_unit(row: bool, batch: bool, j: int):
    """∂L/∂a from output unit j alone: ∂L/∂zⱼ times unit j's weights (row: column j of W; column: row j).

    One observation: (n_in,); a batch: m×n_in (row layout) or n_in×m (column layout). A slip: the
    sum over the output units left out.
    """
    if not batch:
        return (lambda g, W: g[j] * W[:, j]) if row else (lambda g, W: g[j] * W[j, :])
    return (lambda G, W: G[:, j:j + 1] * W[:, j]) if row else (lambda G, W: W[j, :, None] * G[j:j + 1, :])


# -- the operations, with their slips --------------------------------------------------------
# Slots: ``a`` the layer's input, ``W`` the weights, ``b`` the biases, ``g`` the gradient ∂L/∂z
# arriving from above, ``out`` the quantity computed, ``f`` its right formula there. Some slips
# read more of the place: ``y`` the layer's output, ``z_in`` the pre-activation its input came
# from; a place that has no such quantity leaves the slot out, and the slip with it.


def affine(row: bool, batch: bool, bias: bool, square: bool) -> Op:
    """z = a·W + b (row layout) or W·a + b (column layout); ``bias`` False: no b.

    Slips: the bias left out; W taken the other way round (only a square W gives a value).
    """
    lin = linear(row, batch)
    formula = "{out} = " + ("{a}·{W}" if row else "{W}·{a}") + (" + {b}" if bias else "")
    slips = []
    if bias:
        slips.append(slip("no_bias", ["a", "W"], lin, "You left out the bias: {f}.", "Вы забыли смещение: {f}."))
    if square:
        en, ru = ("column", "столбец") if row else ("row", "строку")
        slips.append(slip("transposed_W", ["a", "W", "b"] if bias else ["a", "W"], lambda a, W, *b: lin(a, W.T, *b),
                          f"You used {{W}} transposed: {{f}}; output unit j takes {en} j of {{W}}.",
                          f"Вы взяли {{W}} транспонированной: {{f}}; выходной нейрон j использует {ru} j "
                          "матрицы {W}."))
    return Op("linear", ("a", "W", "b") if bias else ("a", "W"), lin, formula, tuple(slips))


def weight_gradient(row: bool, square: bool) -> Op:
    """∂L/∂W = aᵀ·∂L/∂z (row layout) or ∂L/∂z·aᵀ (column layout); ``{W}`` names the weights.

    Slips: the transpose, and the layer's output ``y`` in place of its input (a square W only);
    the pre-activation ``z_in`` of the input in place of the input itself.
    """
    grad = weight_grad(row)
    en, ru = ("input", "вход") if row else ("output unit", "выходной нейрон")
    slips = []
    if square:
        slips += [
            slip("transposed", ["out"], lambda v: v.T,
                 f"That is the transpose: {{f}}, with one row per {en} like {{W}}.",
                 f"Это транспонированная матрица: {{f}}, в ней по строке на каждый {ru}, как в {{W}}."),
            slip("output_not_input", ["y", "g"], grad,
                 "You used the layer's output {y}; the weight gradient takes the layer's input: {f}.",
                 "Вы взяли выход слоя {y}, а градиент по весам использует вход слоя: {f}."),
        ]
    slips.append(slip("preactivation_input", ["z_in", "g"], grad,
                      "You used the pre-activation {z_in}; the layer's input is the activation {a}: {f}.",
                      "Вы взяли предактивацию {z_in}, а вход слоя — это активация {a}: {f}."))
    return Op("weight_gradient", ("a", "g"), grad, "{out} = {a}ᵀ·{g}" if row else "{out} = {g}·{a}ᵀ", tuple(slips))


def bias_gradient(row: bool, batch: bool) -> Op:
    """∂L/∂b = ∂L/∂z, summed over a batch's observations (1ᵀ·∂L/∂Z, or ∂L/∂Z·1 in the column layout)."""
    formula = "{out} = " + ("{g}" if not batch else ("1ᵀ·{g}" if row else "{g}·1"))
    return Op("bias_gradient", ("g",), bias_grad(row, batch), formula)


def input_gradient(row: bool, batch: bool, square: bool, n_out: int) -> Op:
    """∂L/∂a = ∂L/∂z·Wᵀ (row layout) or Wᵀ·∂L/∂z (column layout), ``a`` the input whose gradient it is.

    Slips: W instead of Wᵀ (a square W only); one output unit's contribution instead of the sum
    over all ``n_out`` of them.
    """
    slips = []
    if square:
        slips.append(slip("W_not_transposed", ["g", "W"], (lambda g, W: g @ W) if row else (lambda g, W: W @ g),
                          "You multiplied by {W} instead of {W}ᵀ: {f}.", "Вы умножили на {W} вместо {W}ᵀ: {f}."))
    for j in range(n_out if n_out > 1 else 0):
        slips.append(slip(f"one_unit_{j + 1}", ["g", "W"], one_unit(row, batch, j),
                          "You kept only one unit's contribution: each entry of {a} feeds every unit of the next "
                          "layer, so {f} sums over them.",
                          "Вы учли вклад только одного нейрона: каждая компонента {a} влияет на все нейроны "
                          "следующего слоя, и {f} суммирует по ним."))
    return Op("input_gradient", ("g", "W"), input_grad(row), "{out} = {g}·{W}ᵀ" if row else "{out} = {W}ᵀ·{g}",
              tuple(slips))
