"""A linear map z = a·W + b (row layout) or z = W·a + b (column layout), its Jacobian and gradients.

Row layout: a is (n_in,) or a batch m×n_in, W is n_in×n_out, z is (n_out,) or m×n_out.
Column layout: a is (n_in,) or a batch n_in×m, W is n_out×n_in, z is (n_out,) or n_out×m.

The functions compute; :func:`affine`, :func:`jacobian`, :func:`weight_gradient`,
:func:`bias_gradient` and :func:`input_gradient` are the operations a kind places
(:class:`~.record.Op`), each with its slips, wherever a linear map appears -- a layer drill, a
dense net.
"""

from __future__ import annotations

import numpy as np

from .record import Op, Slip, slip


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


def _plus0(fn):
    """``fn`` with −0 turned into 0 (a zero times a negative number would show as −0)."""
    return lambda *args: fn(*args) + 0.0


# -- the operations, with their slips --------------------------------------------------------
# Slots: ``a`` the layer's input, ``W`` the weights, ``b`` the biases, ``g`` the gradient ∂L/∂z
# arriving from above, ``out`` the quantity computed, ``f`` its right formula there. Some slips
# read more of the place: ``y`` the layer's output, ``z_in`` the pre-activation its input came
# from, ``gy`` = ∂L/∂y where an activation y = f(z) sits between (``back``: the text of ∂L/∂z
# through it); a place that has no such quantity leaves the slot out, and the slip with it.


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
                          f"You used {{W}} transposed: {{f}}; output j takes {en} j of {{W}}.",
                          f"Вы взяли {{W}} транспонированной: {{f}}; выход j использует {ru} j матрицы {{W}}."))
    return Op("linear", ("a", "W", "b") if bias else ("a", "W"), _plus0(lin), formula, tuple(slips))


def jacobian(row: bool, square: bool) -> Op:
    """∂z/∂a of one observation, one row per output: Wᵀ (row layout) or W (column layout).

    Its slip is the other layout of the Jacobian (one row per input), a convention. Slots W; the
    slip reads ``a`` and ``z`` too.
    """
    right, other = (lambda W: W.T * 1.0), (lambda W: W * 1.0)
    if not row:
        right, other = other, right
    slips = (slip("jacobian_layout", ["W"], other,
                  "Your matrix has one row per input, ∂{z}ⱼ/∂{a}ᵢ in row i (the denominator layout); this lesson "
                  "writes the Jacobian with one row per output, (∂{z}/∂{a})ⱼᵢ = ∂{z}ⱼ/∂{a}ᵢ, so {f}.",
                  "В вашей матрице по строке на каждый вход: ∂{z}ⱼ/∂{a}ᵢ стоит в строке i (раскладка по "
                  "знаменателю); в этом уроке матрица Якоби записывается по строке на каждый выход, "
                  "(∂{z}/∂{a})ⱼᵢ = ∂{z}ⱼ/∂{a}ᵢ, поэтому {f}.", convention=True),) if square else ()
    return Op("linear_jacobian", ("W",), right, "{out} = {W}ᵀ" if row else "{out} = {W}", slips)


def _skipped(uses, fn) -> Slip:
    """The activation's derivative skipped: ∂L/∂y used where ∂L/∂z belongs (slot ``gy``)."""
    return slip("skipped_derivative", uses, fn,
                "You used {gy} directly; it first goes back through the activation: {back}; then {f}.",
                "Вы взяли {gy} напрямую; сначала он проходит назад через активацию: {back}; затем {f}.")


def _mean_not_sum(m: int) -> tuple[Slip, ...]:
    """A batch's gradient divided by its m observations: the upstream gradient already carries any 1/m."""
    if m <= 1:
        return ()
    return (slip("mean_not_sum", ["out"], lambda v: v / m,
                 f"You divided by the number of observations m = {m}; the upstream gradient already carries the "
                 "loss's 1/m, if it has one, so {f} sums over the observations.",
                 f"Вы поделили на число наблюдений m = {m}; входящий градиент уже содержит множитель 1/m функции "
                 "потерь, если он есть, поэтому {f} — просто сумма по наблюдениям."),)


def weight_gradient(row: bool, square: bool, m: int = 1) -> Op:
    """∂L/∂W = aᵀ·∂L/∂z (row layout) or ∂L/∂z·aᵀ (column layout), summed over a batch's m observations.

    Slips: the transpose, and the layer's output ``y`` for its input (``square``: n_in = n_out);
    the pre-activation ``z_in`` of the input for the input itself; the input left out; the
    activation's derivative skipped (where ``gy`` is placed); a mean for the sum (``m`` > 1: a batch
    whose upstream gradient carries no 1/m of its own to repeat).
    """
    grad = weight_grad(row)
    en, ru = ("input", "вход") if row else ("output", "выход")
    slips = []
    if square:
        slips += [
            slip("transposed", ["out"], lambda v: v.T,
                 f"That is the transpose: {{f}}, with one row per {en} like {{W}}.",
                 f"Это транспонированная матрица: {{f}}, в ней по строке на каждый {ru}, как в {{W}}."),
            slip("output_not_input", ["y", "g"], grad,
                 "You used the layer's output {y}; the weight gradient takes the layer's input {a}: {f}.",
                 "Вы взяли выход слоя {y}, а градиент по весам использует вход слоя {a}: {f}."),
        ]
    slips += [
        slip("preactivation_input", ["z_in", "g"], grad,
             "You used the pre-activation {z_in}; the layer's input is the activation {a}: {f}.",
             "Вы взяли предактивацию {z_in}, а вход слоя — это активация {a}: {f}."),
        slip("no_input", ["a", "g"], lambda a, g: grad(np.ones_like(a), g),
             "You left out the input: each weight multiplies one entry of {a} in the forward pass, so its "
             "gradient is that entry times its output's upstream gradient: {f}.",
             "Вы забыли вход: при прямом проходе каждый вес умножается на свою компоненту {a}, поэтому его "
             "градиент — эта компонента, умноженная на градиент своего выхода: {f}."),
        _skipped(["a", "gy"], grad),
        *_mean_not_sum(m),
    ]
    return Op("linear_weight_grad", ("a", "g"), _plus0(grad), "{out} = {a}ᵀ·{g}" if row else "{out} = {g}·{a}ᵀ",
              tuple(slips))


def bias_gradient(row: bool, batch: bool, m: int = 1) -> Op:
    """∂L/∂b = ∂L/∂z, summed over a batch's observations (1ᵀ·∂L/∂Z, or ∂L/∂Z·1 in the column layout).

    Slips: the activation's derivative skipped (where ``gy`` is placed); a mean for the sum (``m`` > 1).
    """
    grad = bias_grad(row, batch)
    formula = "{out} = " + ("{g}" if not batch else ("1ᵀ·{g}" if row else "{g}·1"))
    return Op("linear_bias_grad", ("g",), _plus0(grad), formula, (_skipped(["gy"], grad), *_mean_not_sum(m)))


def input_gradient(row: bool, batch: bool, square: bool, n_out: int, after_activation: bool = True) -> Op:
    """∂L/∂a = ∂L/∂z·Wᵀ (row layout) or Wᵀ·∂L/∂z (column layout), ``a`` the input whose gradient it is.

    Slips: W instead of Wᵀ (a square W only); with ``after_activation`` (∂L/∂z came back through
    an activation) its derivative skipped (where ``gy`` is placed), else the upstream gradient left
    out; one output unit's contribution instead of the sum over all ``n_out`` of them.
    """
    grad = input_grad(row)
    slips = []
    if square:
        slips.append(slip("W_not_transposed", ["g", "W"], (lambda g, W: g @ W) if row else (lambda g, W: W @ g),
                          "You multiplied by {W} instead of {W}ᵀ: {f}.", "Вы умножили на {W} вместо {W}ᵀ: {f}."))
    if after_activation:
        slips.append(_skipped(["gy", "W"], grad))
    else:
        slips.append(slip("no_upstream", ["g", "W"], lambda g, W: grad(np.ones_like(g), W),
                          "You left out the upstream gradient {g}: the weights of each output count with that "
                          "output's entry of {g}, {f}.",
                          "Вы забыли входящий градиент {g}: веса каждого выхода входят с множителем — компонентой "
                          "{g} для этого выхода, {f}."))
    for j in range(n_out if n_out > 1 else 0):
        slips.append(slip(f"one_unit_{j + 1}", ["g", "W"], one_unit(row, batch, j),
                          "You kept only one output's contribution: each entry of {a} feeds every output of the "
                          "layer, so {f} sums over them.",
                          "Вы учли вклад только одного выхода: каждая компонента {a} влияет на все выходы слоя, "
                          "и {f} суммирует по ним."))
    return Op("linear_input_grad", ("g", "W"), _plus0(grad), "{out} = {g}·{W}ᵀ" if row else "{out} = {W}ᵀ·{g}",
              tuple(slips))
