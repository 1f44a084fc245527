"""An activation's forward a = g(z), backward ∂L/∂z = ∂L/∂a ∘ g′(z), its derivative g′(z) entry by
entry and softmax's Jacobian, with their slips.

Slots: ``z`` the input, ``a`` the output, ``g`` the upstream gradient ∂L/∂a, ``out`` the
gradient computed (∂L/∂z), ``f`` the right formula where it is placed. Every kind that puts an
activation somewhere -- a dense net, a single layer, an RNN through time -- uses these, so a
slip is named wherever the operation appears.
"""

from __future__ import annotations

import numpy as np

from .functions import Activation, sigmoid, softmax
from .record import Op, Slip, same, slip


def _num(v: float) -> str:
    return f"{v:g}"


def slope_of(act: Activation) -> float:
    """The slope of a leaky ReLU for z < 0, read back from the activation: g(−1) = −slope."""
    return -float(act.f(np.array(-1.0)))


def forward(act: Activation, axis: int = -1) -> Op:
    """a = g(z) (softmax along ``axis``, the units' axis)."""
    return Op(f"{act.name}", ("z",), lambda z: act.forward(z, axis), "{out} = " + applied(act, "{z}"),
              forward_slips(act, axis))


def applied(act: Activation, z: str) -> str:
    """g(z) as written: z itself for the identity, softmax(z/T) with a temperature."""
    if act.name == "identity":
        return z
    if act.name == "softmax" and act.temperature != 1.0:
        return f"softmax({z}/{_num(act.temperature)})"
    return f"{act.symbol}({z})"


def backward(act: Activation, axis: int = -1) -> Op:
    """∂L/∂z = ∂L/∂a ∘ g′(z); softmax: the Jacobian-vector product a ∘ (∂L/∂a − ⟨∂L/∂a, a⟩)/T (slot ``a``).
    A blocked negative gradient is 0, not −0."""
    if act.elementwise:
        formula = "{out} = {g} ∘ " + act.symbol + "′({z})"
    else:
        formula = "{out} = {a} ∘ ({g} − ⟨{g}, {a}⟩)" + ("" if act.temperature == 1.0 else f"/{_num(act.temperature)}")
    # + 0.0: a blocked negative gradient shows as 0, not −0
    return Op(f"{act.name}_backward", ("g", "z"), lambda g, z: act.backward(z, g, axis) + 0.0, formula,
              backward_slips(act))


def no_temperature(temp: float) -> Slip:
    """A gradient through softmax(z/T) without its 1/T (declared on the gradient itself, ``out``)."""
    return slip("no_temperature", ["out"], lambda v: v * temp, f"You forgot to divide by T = {_num(temp)}: {{f}}.",
                f"Вы забыли поделить на T = {_num(temp)}: {{f}}.")


def forward_slips(act: Activation, axis: int = -1) -> tuple[Slip, ...]:
    """The activation forgotten or applied wrongly."""
    name, temp = act.name, act.temperature
    if name == "identity":
        return ()
    if name == "relu":
        return (slip("no_activation", ["z"], same,
                     "That is {z} itself: ReLU turns negative entries into 0, {f} = max({z}, 0).",
                     "Это просто {z}: ReLU заменяет отрицательные компоненты нулём, {f} = max({z}, 0)."),
                slip("relu_abs", ["z"], np.abs,
                     "ReLU does not flip the sign of negative entries, it sets them to 0: {f} = max({z}, 0).",
                     "ReLU не меняет знак отрицательных компонент, а заменяет их нулём: {f} = max({z}, 0)."))
    out = [slip("no_activation", ["z"], same, "That is {z} itself: you forgot the activation, {f}.",
                "Это просто {z}: вы забыли применить функцию активации, {f}.")]
    if name == "leaky_relu":
        s = _num(slope_of(act))
        out.append(slip("leaky_as_relu", ["z"], lambda v: np.maximum(v, 0.0),
                        f"Leaky ReLU keeps {s}·{{z}} for negative {{z}}, not 0: {{f}}.",
                        f"Leaky ReLU при отрицательных {{z}} даёт {s}·{{z}}, а не 0: {{f}}."))
    if name == "sigmoid":
        out.append(slip("sigmoid_sign", ["z"], lambda v: sigmoid(-v),
                        "Sign slip in the exponent: σ(t) = 1/(1 + e^(−t)); you computed 1/(1 + e^t) = σ(−t).",
                        "Ошибка в знаке показателя: σ(t) = 1/(1 + e^(−t)), а у вас 1/(1 + e^t) = σ(−t)."))
    if name == "softmax":
        if temp != 1.0:
            out.append(slip("no_temperature", ["z"], lambda v: softmax(v, 1.0, axis),
                            f"You left out the temperature: {{f}}; divide {{z}} by T = {_num(temp)} before taking "
                            "exponentials.",
                            f"Вы забыли температуру: {{f}}; поделите {{z}} на T = {_num(temp)} до взятия экспонент."))
        out.append(slip("not_normalized", ["z"], lambda v: np.exp(v / temp),
                        "You forgot to divide by the sum of the exponentials: {f}, where "
                        "softmax(u)ₖ = e^(uₖ)/Σⱼ e^(uⱼ).",
                        "Вы забыли поделить на сумму экспонент: {f}, где softmax(u)ₖ = e^(uₖ)/Σⱼ e^(uⱼ)."))
    return tuple(out)


RELU_ZERO = slip(
    "relu_zero", ["g", "z"], lambda gg, v: gg * (v >= 0),
    "You took ReLU′(0) = 1; this lesson uses ReLU′(0) = 0 (as PyTorch does), so nothing passes where "
    "{z} = 0: {f}.",
    "Вы взяли ReLU′(0) = 1; в этом уроке ReLU′(0) = 0 (как в PyTorch), поэтому там, где {z} = 0, градиент "
    "не проходит: {f}.", convention=True)


def backward_slips(act: Activation) -> tuple[Slip, ...]:
    """The ways to get ∂L/∂z = ∂L/∂a ∘ g′(z) wrong: the derivative forgotten, taken at the output,
    replaced by the function itself; tanh′ without its square; ReLU's mask from the wrong sign or
    the wrong way round; softmax's T and Jacobian."""
    name, temp = act.name, act.temperature
    vs: list[Slip] = []
    if name == "relu":
        vs += [
            slip("no_derivative", ["g"], same,
                 "That is {g} itself: ReLU passes the gradient only where its input is positive, so {out} is 0 "
                 "where {z} ≤ 0.",
                 "Это просто {g}: ReLU пропускает градиент только там, где её вход положителен, поэтому {out} "
                 "равно 0 там, где {z} ≤ 0."),
            slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                 "You multiplied by ReLU({z}) instead of its derivative ReLU′({z}), which is 1 where {z} > 0 "
                 "and 0 elsewhere: {f}.",
                 "Вы умножили на ReLU({z}) вместо производной ReLU′({z}), которая равна 1 при {z} > 0 и 0 "
                 "иначе: {f}."),
            slip("upstream_sign", ["g"], lambda gg: gg * (gg > 0),
                 "You masked by the sign of {g}; the mask comes from the layer's input: the gradient passes "
                 "where {z} > 0, whatever its own sign: {f}.",
                 "Вы отбирали компоненты по знаку {g}, а маску задаёт вход слоя: градиент проходит там, где "
                 "{z} > 0, каким бы ни был его собственный знак: {f}."),
            slip("flipped_mask", ["g", "z"], lambda gg, v: gg * (v <= 0),
                 "The mask is the wrong way round: the gradient passes where {z} > 0 and is blocked where "
                 "{z} ≤ 0: {f}.",
                 "Маска перевёрнута: градиент проходит там, где {z} > 0, и блокируется там, где {z} ≤ 0: {f}."),
            RELU_ZERO,
        ]
    elif name == "leaky_relu":
        s = _num(slope_of(act))
        vs += [
            slip("no_derivative", ["g"], same,
                 f"That is {{g}} itself: where {{z}} ≤ 0 leaky ReLU passes only {s} of the gradient: {{f}}.",
                 f"Это просто {{g}}: там, где {{z}} ≤ 0, leaky ReLU пропускает только {s} градиента: {{f}}."),
            slip("no_slope", ["g", "z"], lambda gg, v: gg * (v > 0),
                 f"Leaky ReLU′ is {s} where {{z}} ≤ 0, not 0: {{f}}.",
                 f"Производная leaky ReLU там, где {{z}} ≤ 0, равна {s}, а не 0: {{f}}."),
            slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                 f"You multiplied by LeakyReLU({{z}}) instead of its derivative (1 where {{z}} > 0, {s} "
                 "elsewhere): {f}.",
                 f"Вы умножили на LeakyReLU({{z}}) вместо производной (1 при {{z}} > 0, {s} иначе): {{f}}."),
        ]
    elif name == "step":
        vs.append(slip("no_derivative", ["g"], same,
                       "That is {g} itself: the step function is flat on each side, step′ = 0, so no gradient "
                       "passes: {f}.",
                       "Это просто {g}: ступенька постоянна по обе стороны от скачка, step′ = 0, поэтому градиент "
                       "не проходит: {f}."))
    elif name not in ("identity", "softmax"):  # softmax: its own wording below
        vs.append(slip("no_derivative", ["g"], same,
                       "That is {g} itself: you forgot to multiply by the activation's derivative, {f}.",
                       "Это просто {g}: вы забыли умножить на производную функции активации, {f}."))
    if name in ("sigmoid", "tanh"):
        d = "σ′" if name == "sigmoid" else "tanh′"
        right = "{a}·(1 − {a})" if name == "sigmoid" else "1 − {a}²"
        vs.append(slip("derivative_at_output", ["g", "a"], lambda gg, a: gg * act.df(a),
                       f"{d} is taken at {{z}}, not at {{a}}: {d}({{z}}) = {right}, so {{f}}.",
                       f"{d} берётся в точке {{z}}, а не {{a}}: {d}({{z}}) = {right}, поэтому {{f}}."))
        vs.append(slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                       f"You multiplied by {act.symbol}({{z}}) instead of its derivative {d}({{z}}) = {right}: {{f}}.",
                       f"Вы умножили на {act.symbol}({{z}}) вместо производной {d}({{z}}) = {right}: {{f}}."))
        if name == "tanh":
            vs.append(slip("no_square", ["g", "a"], lambda gg, a: gg * (1.0 - a),
                           "You forgot the square: tanh′({z}) = 1 − {a}², so {f}.",
                           "Вы забыли квадрат: tanh′({z}) = 1 − {a}², поэтому {f}."))
    if name == "softmax":
        vs.append(slip("no_derivative", ["g"], same,
                       "That is {g} itself: you forgot to pass it through the softmax's Jacobian, {f}.",
                       "Это просто {g}: вы забыли умножить его на матрицу Якоби softmax, {f}."))
        if temp != 1.0:
            vs.append(no_temperature(temp))
        vs.append(slip("diagonal_jacobian", ["g", "a"], lambda gg, p: gg * p * (1.0 - p) / temp,
                       "You used only the diagonal {a}ᵢ(1 − {a}ᵢ) of the softmax Jacobian; every {z}ⱼ moves "
                       "every {a}ᵢ: {f}.",
                       "Вы взяли только диагональ {a}ᵢ(1 − {a}ᵢ) матрицы Якоби softmax, а каждое {z}ⱼ влияет "
                       "на каждое {a}ᵢ: {f}."))
    return tuple(vs)


# -- the local derivative, as a drill takes it on its own ---------------------------------------

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
        slips.append(no_temperature(t))
    return Op("softmax_jacobian", ("a",), lambda p: (np.diag(p) - np.outer(p, p)) / t,
              "{out} = (diag({a}) − {a}·{a}ᵀ)" + ("" if t == 1.0 else f"/{_num(t)}"), tuple(slips))
