"""One layer's operations with their slips: the linear map, its Jacobian and gradients, and an
activation's forward, local derivative and backward as a drill takes them one by one.

Linear slots: ``a`` the input, ``W`` the weights, ``b`` the biases, ``z`` the map's output,
``g`` = ∂L/∂z (the gradient the map's backward starts from), ``y`` the layer's output (z, or f(z)
after an activation), ``gy`` = ∂L/∂y where an activation sits between (its derivative can be
skipped), ``back`` the text of ∂L/∂z through that activation, ``out`` the quantity computed and
``f`` its right formula. Row layout: z = a·W + b, W (n_in, n_out), a batch has one row per
observation; column layout: z = W·a + b, W (n_out, n_in), one column per observation.

Activation slots, as in :mod:`.activation`: ``z`` the input, ``a`` the output, ``g`` = ∂L/∂a.
The forward and backward are the shared operations of :mod:`.activation` (their slips declared
there once), written here as a drill shows them: the temperature inside softmax's argument, and
softmax's backward as its Jacobian-vector product.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import linear as lin
from .activation import RELU_ZERO, backward, forward, slope_of
from .functions import Activation
from .record import Op, Slip, same, slip


def _num(v: float) -> str:
    return f"{v:g}"


def _plus0(fn):
    """``fn`` with −0 turned into 0 (a zero times a negative number would show as −0)."""
    return lambda *args: fn(*args) + 0.0


# -- the linear map ------------------------------------------------------------------------


def linear_forward(row: bool, batch: bool, bias: bool, square: bool) -> Op:
    """z = a·W + b (row) or W·a + b (column); the bias left out, W taken the other way round (square W)."""
    f = lin.linear(row, batch)
    where = ("column", "столбец") if row else ("row", "строку")
    slips = []
    if bias:
        slips.append(slip("no_bias", ["a", "W"], f, "You left out the bias: {f}.", "Вы забыли смещение: {f}."))
    if square:
        slips.append(slip("transposed_W", ["a", "W", "b"] if bias else ["a", "W"],
                          lambda a, W, *b: f(a, W.T, *b),
                          f"You used {{W}} transposed: {{f}}; output j takes {where[0]} j of {{W}}.",
                          f"Вы взяли {{W}} транспонированной: {{f}}; выход j использует {where[1]} j матрицы {{W}}."))
    product = "{a}·{W}" if row else "{W}·{a}"
    return Op("linear", ("a", "W", "b") if bias else ("a", "W"), _plus0(f),
              "{out} = " + product + (" + {b}" if bias else ""), tuple(slips))


def linear_jacobian(row: bool, square: bool) -> Op:
    """∂z/∂a of one observation, one row per output: Wᵀ (row layout) or W (column layout).

    Its slip is the other layout of the Jacobian (one row per input), a convention.
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
    """The activation's derivative skipped: ∂L/∂y used where ∂L/∂z belongs."""
    return slip("skipped_derivative", uses, fn,
                "You used {gy} directly; it first goes back through the activation: {back}; then {f}.",
                "Вы взяли {gy} напрямую; сначала он проходит назад через активацию: {back}; затем {f}.")


def _mean_not_sum(m: int) -> tuple[Slip, ...]:
    """A batch's gradient divided by m: the upstream gradient already carries any 1/m."""
    if m <= 1:
        return ()
    return (slip("mean_not_sum", ["out"], lambda v: v / m,
                 f"You divided by the number of observations m = {m}; the upstream gradient already carries the "
                 "loss's 1/m, if it has one, so {f} sums over the observations.",
                 f"Вы поделили на число наблюдений m = {m}; входящий градиент уже содержит множитель 1/m функции "
                 "потерь, если он есть, поэтому {f} — просто сумма по наблюдениям."),)


def linear_input_grad(row: bool, batch: bool, n_out: int, square: bool, activation: bool) -> Op:
    """∂L/∂a = ∂L/∂z·Wᵀ (row) or Wᵀ·∂L/∂z (column).

    Slips: W for Wᵀ (square W); the activation's derivative skipped (``activation``: one sits
    between, placed at ``gy``), else the upstream gradient left out; one output's share only.
    """
    f = lin.input_grad(row)
    slips = []
    if square:
        slips.append(slip("W_not_transposed", ["g", "W"], (lambda g, W: g @ W) if row else (lambda g, W: W @ g),
                          "You multiplied by {W} instead of {W}ᵀ: {f}.", "Вы умножили на {W} вместо {W}ᵀ: {f}."))
    if activation:
        slips.append(_skipped(["gy", "W"], f))
    else:
        slips.append(slip("no_upstream", ["g", "W"], lambda g, W: f(np.ones_like(g), W),
                          "You left out the upstream gradient {g}: the weights of each output count with that "
                          "output's entry of {g}, {f}.",
                          "Вы забыли входящий градиент {g}: веса каждого выхода входят с множителем — компонентой "
                          "{g} для этого выхода, {f}."))
    for j in range(n_out if n_out > 1 else 0):
        slips.append(slip(f"one_unit_{j + 1}", ["g", "W"], lin.one_unit(row, batch, j),
                          "You kept only one output's contribution: each entry of {a} feeds every output of the "
                          "layer, so {f} sums over them.",
                          "Вы учли вклад только одного выхода: каждая компонента {a} влияет на все выходы слоя, "
                          "и {f} суммирует по ним."))
    return Op("linear_input_grad", ("g", "W"), _plus0(f), "{out} = {g}·{W}ᵀ" if row else "{out} = {W}ᵀ·{g}",
              tuple(slips))


def linear_weight_grad(row: bool, m: int, square: bool) -> Op:
    """∂L/∂W = aᵀ·∂L/∂z (row) or ∂L/∂z·aᵀ (column), summed over a batch's m observations.

    Slips: the transpose and the layer's output for its input (``square``: n_in = n_out); the
    input left out; the activation's derivative skipped (where ``gy`` is placed); a mean for the sum.
    """
    f = lin.weight_grad(row)
    per = ("input", "вход") if row else ("output", "выход")
    slips = []
    if square:
        slips += [slip("transposed", ["out"], lambda v: v.T,
                       f"That is the transpose: {{f}}, with one row per {per[0]} like {{W}}.",
                       f"Это транспонированная матрица: {{f}}, в ней по строке на каждый {per[1]}, как в {{W}}."),
                  slip("output_not_input", ["y", "g"], f,
                       "You used the layer's output {y}; the weight gradient takes the layer's input {a}: {f}.",
                       "Вы взяли выход слоя {y}, а градиент по весам использует вход слоя {a}: {f}.")]
    slips.append(slip("no_input", ["a", "g"], lambda a, g: f(np.ones_like(a), g),
                      "You left out the input: each weight multiplies one entry of {a} in the forward pass, so its "
                      "gradient is that entry times its output's upstream gradient: {f}.",
                      "Вы забыли вход: при прямом проходе каждый вес умножается на свою компоненту {a}, поэтому его "
                      "градиент — эта компонента, умноженная на градиент своего выхода: {f}."))
    slips.append(_skipped(["a", "gy"], f))
    return Op("linear_weight_grad", ("a", "g"), _plus0(f), "{out} = {a}ᵀ·{g}" if row else "{out} = {g}·{a}ᵀ",
              (*slips, *_mean_not_sum(m)))


def linear_bias_grad(row: bool, batch: bool, m: int) -> Op:
    """∂L/∂b = ∂L/∂z, summed over a batch's observations (1ᵀ·∂L/∂Z in rows, ∂L/∂Z·1 in columns)."""
    f = lin.bias_grad(row, batch)
    formula = "{out} = {g}" if not batch else ("{out} = 1ᵀ·{g}" if row else "{out} = {g}·1")
    return Op("linear_bias_grad", ("g",), _plus0(f), formula, (_skipped(["gy"], f), *_mean_not_sum(m)))


# -- an activation, step by step -------------------------------------------------------------


def applied(act: Activation, t: str) -> str:
    """The activation applied to ``t`` as written: t itself for the identity, softmax(t/T) with a temperature."""
    if act.name == "identity":
        return t
    if act.name == "softmax" and act.temperature != 1.0:
        return f"softmax({t}/{_num(act.temperature)})"
    return f"{act.symbol}({t})"


def activation_forward(act: Activation, axis: int = -1) -> Op:
    """a = f(z): :func:`.activation.forward` (its slips), written with softmax's temperature inside."""
    return replace(forward(act, axis), formula="{out} = " + applied(act, "{z}"))


def activation_backward(act: Activation, axis: int = -1) -> Op:
    """∂L/∂z = ∂L/∂a ∘ f′(z): :func:`.activation.backward` (its slips) with a blocked negative
    gradient shown as 0, not −0; softmax written as its Jacobian-vector product a ∘ (g − ⟨g, a⟩)/T."""
    op = backward(act, axis)
    formula = op.formula
    if not act.elementwise:
        t = act.temperature
        formula = "{out} = {a} ∘ ({g} − ⟨{g}, {a}⟩)" + ("" if t == 1.0 else f"/{_num(t)}")
    return replace(op, fn=_plus0(op.fn), formula=formula)


#: f′(t) as written, entry by entry ([t > 0] is 1 where t > 0, else 0); {slope} for leaky ReLU.
_DERIVATIVE = {
    "identity": "1", "relu": "[{z} > 0]", "leaky_relu": "[{z} > 0] + {slope}·[{z} ≤ 0]",
    "sigmoid": "σ({z})·(1 − σ({z}))", "tanh": "1 − tanh²({z})", "step": "0", "exp": "e^{z}",
}


def derivative(act: Activation) -> Op:
    """f′(z) entry by entry (element-wise activations). Slips: the function for its derivative,
    the derivative at the output ``a``, tanh′ without the square, ReLU′(0) = 1 (a convention),
    leaky ReLU without its slope."""
    name, sym = act.name, act.symbol
    slope = _num(slope_of(act)) if name == "leaky_relu" else ""
    slips: list[Slip] = []
    if name == "relu":
        slips += [slip("function_not_derivative", ["a"], same,
                       "That is ReLU({z}) itself; its derivative is 1 where {z} > 0 and 0 elsewhere: {f}.",
                       "Это сама ReLU({z}); её производная равна 1 при {z} > 0 и 0 иначе: {f}."),
                  slip("relu_zero", ["z"], lambda v: (v >= 0) * 1.0, RELU_ZERO.en, RELU_ZERO.ru, convention=True)]
    elif name == "leaky_relu":
        slips += [slip("no_slope", ["z"], lambda v: (v > 0) * 1.0,
                       f"Leaky ReLU′ is {slope} where {{z}} ≤ 0, not 0: {{f}}.",
                       f"Производная leaky ReLU там, где {{z}} ≤ 0, равна {slope}, а не 0: {{f}}."),
                  slip("function_not_derivative", ["a"], same,
                       f"That is LeakyReLU({{z}}) itself; its derivative is 1 where {{z}} > 0 and {slope} "
                       "elsewhere: {f}.",
                       f"Это сама LeakyReLU({{z}}); её производная равна 1 при {{z}} > 0 и {slope} иначе: {{f}}.")]
    elif name in ("sigmoid", "tanh"):
        slips += [slip("function_not_derivative", ["a"], same,
                       f"That is {sym}({{z}}) itself, not its derivative: {{f}}.",
                       f"Это само значение {sym}({{z}}), а не производная: {{f}}."),
                  slip("derivative_at_output", ["a"], act.df,
                       "The derivative is taken at the input {z}, not at the output {a}: {f}.",
                       "Производная берётся в точке {z} (вход), а не {a} (выход): {f}.")]
        if name == "tanh":
            slips.append(slip("no_square", ["a"], lambda a: 1.0 - a,
                              "You forgot the square: {f} = 1 − {a}².", "Вы забыли квадрат: {f} = 1 − {a}²."))
    formula = "{out} = " + _DERIVATIVE[name].replace("{slope}", slope)
    return Op(f"{name}_derivative", ("z",), act.df, formula, tuple(slips))


def softmax_jacobian(act: Activation) -> Op:
    """∂a/∂z = (diag(a) − a·aᵀ)/T of one vector, one row per output. Slips: the diagonal alone; T forgotten."""
    t = act.temperature
    slips = [slip("diagonal_only", ["a"], lambda p: np.diag(p * (1.0 - p)) / t,
                  "You kept only the diagonal {a}ᵢ(1 − {a}ᵢ); every {z}ⱼ moves every {a}ᵢ, so the other entries "
                  "are −{a}ᵢ{a}ⱼ: {f}.",
                  "Вы оставили только диагональ {a}ᵢ(1 − {a}ᵢ); каждое {z}ⱼ влияет на каждое {a}ᵢ, поэтому "
                  "остальные элементы равны −{a}ᵢ{a}ⱼ: {f}.")]
    if t != 1.0:
        slips.append(slip("no_temperature", ["out"], lambda v: v * t, f"You forgot to divide by T = {_num(t)}: {{f}}.",
                          f"Вы забыли поделить на T = {_num(t)}: {{f}}."))
    return Op("softmax_jacobian", ("a",), lambda p: (np.diag(p) - np.outer(p, p)) / t,
              "{out} = (diag({a}) − {a}·{a}ᵀ)" + ("" if t == 1.0 else f"/{_num(t)}"), tuple(slips))
