"""An activation's forward a = g(z), backward ∂L/∂z = ∂L/∂a ∘ g′(z), its derivative g′(z) entry by
entry and softmax's Jacobian, with their slips.

Slots: ``z`` the input, ``a`` the output, ``g`` the upstream gradient ∂L/∂a, ``out`` the
gradient computed (∂L/∂z), ``f`` the right formula where it is placed. Every kind that puts an
activation somewhere -- a dense net, a single layer, an RNN through time -- uses these, so a
slip is named wherever the operation appears.
"""

from __future__ import annotations

import numpy as np

from .functions import (
    GELU_C, SELU_ALPHA, SELU_LAMBDA, Activation, elu_derivative, elu_value, gelu, gelu_inner, sigmoid, softmax,
    softplus,
)
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
    if name == "step" and act.step_at_zero == 0:
        out.append(STEP_ZERO_ONE)
    out += smooth_forward_slips(act)
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


#: The lesson chose ReLU′(0) = 1: ReLU′(0) = 0 is then the other convention.
RELU_ZERO_BLOCKED = slip(
    "relu_zero_blocked", ["g", "z"], lambda gg, v: gg * (v > 0),
    "You took ReLU′(0) = 0; here ReLU′(0) = 1, the one-sided derivative from the right, so the "
    "gradient passes where {z} = 0 too: {f}.",
    "Вы взяли ReLU′(0) = 0; здесь ReLU′(0) = 1 (односторонняя производная справа), поэтому градиент "
    "проходит и там, где {z} = 0: {f}.", convention=True)

#: The lesson chose step(0) = 0: step(0) = 1 is then the other convention.
STEP_ZERO_ONE = slip(
    "step_zero_one", ["z"], lambda v: (v >= 0) * 1.0,
    "You took step(0) = 1; here step(0) = 0: the step is 1 only where {z} > 0, {f}.",
    "Вы взяли step(0) = 1; здесь step(0) = 0: ступенька равна 1 только там, где {z} > 0, {f}.",
    convention=True)


def _right_at_zero(act: Activation) -> bool:
    """ReLU′(0) or leaky ReLU′(0) is taken to be 1 (the derivative from the right), as the lesson chose."""
    return act.name in ("relu", "leaky_relu") and act.derivative_at_zero == 1 and slope_of(act) != 1


def _zero_words(act: Activation) -> dict[str, str]:
    """How the masks of ReLU and leaky ReLU are said under the lesson's ReLU′(0): where the gradient passes
    (``gt``) and where it is blocked or scaled (``le``)."""
    if _right_at_zero(act):
        return {"gt": "≥", "le": "<", "pos": "non-negative", "pos_ru": "неотрицателен"}
    return {"gt": ">", "le": "≤", "pos": "positive", "pos_ru": "положителен"}


def backward_slips(act: Activation) -> tuple[Slip, ...]:
    """The ways to get ∂L/∂z = ∂L/∂a ∘ g′(z) wrong: the derivative forgotten, taken at the output,
    replaced by the function itself; tanh′ without its square; ReLU's mask from the wrong sign or
    the wrong way round; softmax's T and Jacobian."""
    name, temp = act.name, act.temperature
    vs: list[Slip] = []
    right = _right_at_zero(act)
    zw = _zero_words(act)
    gt, le = zw["gt"], zw["le"]
    if name == "relu":
        passes = (lambda v: v >= 0) if right else (lambda v: v > 0)
        vs += [
            slip("no_derivative", ["g"], same,
                 f"That is {{g}} itself: ReLU passes the gradient only where its input is {zw['pos']}, so {{out}} "
                 f"is 0 where {{z}} {le} 0.",
                 f"Это просто {{g}}: ReLU пропускает градиент только там, где её вход {zw['pos_ru']}, поэтому "
                 f"{{out}} равно 0 там, где {{z}} {le} 0."),
            slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                 f"You multiplied by ReLU({{z}}) instead of its derivative ReLU′({{z}}), which is 1 where {{z}} {gt} "
                 "0 and 0 elsewhere: {f}.",
                 f"Вы умножили на ReLU({{z}}) вместо производной ReLU′({{z}}), которая равна 1 при {{z}} {gt} 0 и 0 "
                 "иначе: {f}."),
            slip("upstream_sign", ["g"], lambda gg: gg * (gg > 0),
                 "You masked by the sign of {g}; the mask comes from the layer's input: the gradient passes "
                 f"where {{z}} {gt} 0, whatever its own sign: {{f}}.",
                 "Вы отбирали компоненты по знаку {g}, а маску задаёт вход слоя: градиент проходит там, где "
                 f"{{z}} {gt} 0, каким бы ни был его собственный знак: {{f}}."),
            slip("flipped_mask", ["g", "z"], lambda gg, v: gg * ~passes(v),
                 f"The mask is the wrong way round: the gradient passes where {{z}} {gt} 0 and is blocked where "
                 f"{{z}} {le} 0: {{f}}.",
                 f"Маска перевёрнута: градиент проходит там, где {{z}} {gt} 0, и блокируется там, где {{z}} {le} 0: "
                 "{f}."),
            RELU_ZERO_BLOCKED if right else RELU_ZERO,
        ]
    elif name == "leaky_relu":
        s = _num(slope_of(act))
        passes = (lambda v: v >= 0) if right else (lambda v: v > 0)
        vs += [
            slip("no_derivative", ["g"], same,
                 f"That is {{g}} itself: where {{z}} {le} 0 leaky ReLU passes only {s} of the gradient: {{f}}.",
                 f"Это просто {{g}}: там, где {{z}} {le} 0, leaky ReLU пропускает только {s} градиента: {{f}}."),
            slip("no_slope", ["g", "z"], lambda gg, v: gg * passes(v),
                 f"Leaky ReLU′ is {s} where {{z}} {le} 0, not 0: {{f}}.",
                 f"Производная leaky ReLU там, где {{z}} {le} 0, равна {s}, а не 0: {{f}}."),
            slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                 f"You multiplied by LeakyReLU({{z}}) instead of its derivative (1 where {{z}} {gt} 0, {s} "
                 "elsewhere): {f}.",
                 f"Вы умножили на LeakyReLU({{z}}) вместо производной (1 при {{z}} {gt} 0, {s} иначе): {{f}}."),
        ]
        if right:
            vs.append(_leaky_zero_slope(act, backward=True))
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
        vs += smooth_backward_slips(act)
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

#: f′(t) as written, entry by entry ([t > 0] is 1 where t > 0, else 0); {slope} for leaky ReLU, {alpha} for ELU;
#: {gt} and {le} are > and ≤, or ≥ and < where the lesson takes ReLU′(0) = 1.
_DERIVATIVE = {
    "identity": "1", "relu": "[{z} {gt} 0]", "leaky_relu": "[{z} {gt} 0] + {slope}·[{z} {le} 0]",
    "sigmoid": "σ({z})·(1 − σ({z}))", "tanh": "1 − tanh²({z})", "step": "0", "exp": "e^{z}",
    "elu": "[{z} > 0] + {alpha}e^{z}·[{z} ≤ 0]", "selu": "λ·([{z} > 0] + α·e^{z}·[{z} ≤ 0])",
    "swish": "σ({z}) + {z}·σ({z})·(1 − σ({z}))",
    "gelu": "½(1 + tanh u) + ½{z}·(1 − tanh²u)·√(2/π)·(1 + 3·0.044715·{z}²), u = √(2/π)·({z} + 0.044715·{z}³)",
    "softplus": "σ({z})",
}


def derivative(act: Activation) -> Op:
    """f′(z) entry by entry (element-wise activations). Slips: the function for its derivative,
    the derivative at the output ``a``, tanh′ without the square, ReLU′(0) = 1 (a convention),
    leaky ReLU without its slope."""
    name, sym = act.name, act.symbol
    slope = _num(slope_of(act)) if name == "leaky_relu" else ""
    right = _right_at_zero(act)
    gt, le = _zero_words(act)["gt"], _zero_words(act)["le"]
    slips: list[Slip] = []
    if name == "relu":
        slips += [slip("function_not_derivative", ["a"], same,
                       f"That is ReLU({{z}}) itself; its derivative is 1 where {{z}} {gt} 0 and 0 elsewhere: {{f}}.",
                       f"Это сама ReLU({{z}}); её производная равна 1 при {{z}} {gt} 0 и 0 иначе: {{f}}.")]
        slips.append(slip("relu_zero_blocked", ["z"], lambda v: (v > 0) * 1.0, RELU_ZERO_BLOCKED.en,
                          RELU_ZERO_BLOCKED.ru, convention=True) if right else
                     slip("relu_zero", ["z"], lambda v: (v >= 0) * 1.0, RELU_ZERO.en, RELU_ZERO.ru, convention=True))
    elif name == "leaky_relu":
        slips += [slip("no_slope", ["z"], lambda v: ((v >= 0) if right else (v > 0)) * 1.0,
                       f"Leaky ReLU′ is {slope} where {{z}} {le} 0, not 0: {{f}}.",
                       f"Производная leaky ReLU там, где {{z}} {le} 0, равна {slope}, а не 0: {{f}}."),
                  slip("function_not_derivative", ["a"], same,
                       f"That is LeakyReLU({{z}}) itself; its derivative is 1 where {{z}} {gt} 0 and {slope} "
                       "elsewhere: {f}.",
                       f"Это сама LeakyReLU({{z}}); её производная равна 1 при {{z}} {gt} 0 и {slope} иначе: {{f}}.")]
        if right:
            slips.append(_leaky_zero_slope(act, backward=False))
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
    slips += smooth_derivative_slips(act)
    alpha = "" if act.alpha in (None, 1.0) else _num(act.alpha) + "·"
    formula = "{out} = " + (_DERIVATIVE[name].replace("{slope}", slope).replace("{gt}", gt).replace("{le}", le)
                            .replace("{alpha}", alpha))
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


# -- the conventions at zero a lesson may choose --------------------------------------------------


def _leaky_zero_slope(act: Activation, backward: bool) -> Slip:
    """The lesson chose leaky ReLU′(0) = 1: its slope there is then the other convention."""
    s = _num(slope_of(act))
    d = (lambda v: np.where(v > 0, 1.0, slope_of(act)))
    en = (f"You took leaky ReLU′(0) = {s}; here leaky ReLU′(0) = 1, the one-sided derivative from the "
          "right, so where {z} = 0 the whole gradient passes: {f}.")
    ru = (f"Вы взяли производную leaky ReLU в нуле равной {s}; здесь она равна 1 (односторонняя производная "
          "справа), поэтому там, где {z} = 0, градиент проходит целиком: {f}.")
    if backward:
        return slip("leaky_zero_slope", ["g", "z"], lambda gg, v: gg * d(v), en, ru, convention=True)
    return slip("leaky_zero_slope", ["z"], d, en, ru, convention=True)


def kink_words(act: Activation) -> dict[str, str] | None:
    """The convention at the kink of ``act`` as this activation takes it, when the lesson chose it other than
    the engine's default (ReLU′(0) = 1, leaky ReLU′(0) = 1, step(0) = 0); None for a default."""
    if act.name == "relu" and _right_at_zero(act):
        return {"en": "ReLU′(0) = 1 (the one-sided derivative from the right; chosen in this lesson)",
                "ru": "ReLU′(0) = 1 (односторонняя производная справа; так выбрано в этом уроке)"}
    if act.name == "leaky_relu" and _right_at_zero(act):
        return {"en": "leaky ReLU′(0) = 1 (the one-sided derivative from the right; chosen in this lesson)",
                "ru": "производная leaky ReLU в нуле равна 1 (односторонняя производная справа; так выбрано "
                      "в этом уроке)"}
    if act.name == "step" and act.step_at_zero == 0:
        return {"en": "step(0) = 0 (chosen in this lesson), and step′ = 0 everywhere",
                "ru": "step(0) = 0 (так выбрано в этом уроке), а step′ = 0 всюду"}
    return None


def formula_words(act: Activation) -> dict[str, str] | None:
    """The formula of a newer activation as the lesson states it (its constants, an approximation), or None."""
    name = act.name
    if name == "elu":
        a = _num(act.alpha if act.alpha is not None else 1.0)
        return {"en": f"ELU(z) = z for z > 0, α(eᶻ − 1) for z ≤ 0, with α = {a}; ELU′(0) = α",
                "ru": f"ELU(z) = z при z > 0 и α(eᶻ − 1) при z ≤ 0, α = {a}; ELU′(0) = α"}
    if name == "selu":
        return {"en": "SELU(z) = λ·z for z > 0, λ·α(eᶻ − 1) for z ≤ 0, with the published constants "
                      "λ = 1.0507009873554805, α = 1.6732632423543772",
                "ru": "SELU(z) = λ·z при z > 0 и λ·α(eᶻ − 1) при z ≤ 0, с опубликованными константами "
                      "λ = 1.0507009873554805, α = 1.6732632423543772"}
    if name == "swish":
        return {"en": "swish(z) = SiLU(z) = z·σ(z)", "ru": "swish(z) = SiLU(z) = z·σ(z)"}
    if name == "gelu":
        return {"en": "GELU in its tanh approximation: GELU(z) ≈ ½z(1 + tanh(√(2/π)(z + 0.044715z³))) "
                      "(the exact GELU is z·Φ(z), Φ the normal distribution function)",
                "ru": "GELU в приближении через tanh: GELU(z) ≈ ½z(1 + tanh(√(2/π)(z + 0.044715z³))) "
                      "(точная GELU равна z·Φ(z), где Φ — функция нормального распределения)"}
    if name == "softplus":
        return {"en": "softplus(z) = ln(1 + eᶻ)", "ru": "softplus(z) = ln(1 + eᶻ)"}
    return None


# -- ELU, SELU, softplus, swish, GELU: their slips ------------------------------------------------

_SMOOTH = ("elu", "selu", "softplus", "swish", "gelu")


def smooth_forward_slips(act: Activation) -> list[Slip]:
    """The newer activations computed wrongly (after the activation forgotten altogether)."""
    name = act.name
    if name not in _SMOOTH:
        return []
    if name in ("elu", "selu"):
        alpha = act.alpha if name == "elu" else SELU_ALPHA
        lam = 1.0 if name == "elu" else SELU_LAMBDA
        out = [slip("no_minus_one", ["z"], lambda v: lam * np.where(v > 0, v, alpha * np.exp(np.minimum(v, 0.0))),
                    "For {z} ≤ 0 the exponential comes with −1: α(e^{z} − 1), which tends to −α, not to 0 from "
                    "above: {f}.",
                    "При {z} ≤ 0 к экспоненте прибавляется −1: α(e^{z} − 1) стремится к −α, а не к 0 сверху: {f}."),
               slip("negative_cut", ["z"], lambda v: lam * np.maximum(v, 0.0),
                    "This activation does not cut negative inputs to 0 as ReLU does: for {z} ≤ 0 it gives a "
                    "negative value, α(e^{z} − 1) times its factor: {f}.",
                    "Эта активация не обнуляет отрицательные входы, как ReLU: при {z} ≤ 0 она даёт отрицательное "
                    "значение α(e^{z} − 1), умноженное на свой множитель: {f}.")]
        if name == "elu" and alpha != 1.0:
            out.append(slip("no_alpha", ["z"], lambda v: elu_value(v, 1.0),
                            f"You left out α = {_num(alpha)} on the negative side: {{f}}.",
                            f"Вы забыли α = {_num(alpha)} на отрицательной ветви: {{f}}."))
        if name == "selu":
            out += [slip("no_lambda", ["z"], lambda v: elu_value(v, SELU_ALPHA),
                         "You forgot the factor λ ≈ 1.0507 in front of both branches: {f}.",
                         "Вы забыли множитель λ ≈ 1.0507 перед обеими ветвями: {f}."),
                    slip("alpha_one", ["z"], lambda v: SELU_LAMBDA * elu_value(v, 1.0),
                         "SELU's α is 1.6733, not 1 (that is ELU's usual α): {f}.",
                         "У SELU α = 1.6733, а не 1 (это обычное α у ELU): {f}."),
                    slip("positive_branch_only", ["z"], lambda v: SELU_LAMBDA * v,
                         "You used λ·z on both sides; for z ≤ 0 SELU is λ·α(e^z − 1), which never goes below "
                         "−λα ≈ −1.7581: {f}.",
                         "Вы взяли λ·z с обеих сторон; при z ≤ 0 SELU равна λ·α(e^z − 1) и не опускается ниже "
                         "−λα ≈ −1.7581: {f}.")]
        return out
    if name == "softplus":
        return [slip("exponent_sign", ["z"], lambda v: softplus(-v),
                     "Sign slip in the exponent: softplus({z}) = ln(1 + e^{z}); you computed ln(1 + e^(−{z})): {f}.",
                     "Ошибка в знаке показателя: softplus({z}) = ln(1 + e^{z}), а у вас ln(1 + e^(−{z})): {f}."),
                slip("derivative_not_function", ["z"], sigmoid,
                     "That is σ({z}), the derivative of softplus; the function itself is ln(1 + e^{z}): {f}.",
                     "Это σ({z}), производная softplus; сама функция равна ln(1 + e^{z}): {f}.")]
    if name == "swish":
        return [slip("no_factor", ["z"], sigmoid,
                     "That is σ({z}) alone; swish multiplies it by its input: {f} = {z}·σ({z}).",
                     "Это только σ({z}); swish умножает её на свой вход: {f} = {z}·σ({z}).")]
    # GELU in its tanh approximation
    return [slip("no_half", ["z"], lambda v: 2.0 * gelu(v),
                 "You forgot the ½ in front: GELU(z) ≈ ½·z·(1 + tanh u): {f}.",
                 "Вы забыли ½ впереди: GELU(z) ≈ ½·z·(1 + tanh u): {f}."),
            slip("no_cubic", ["z"], lambda v: 0.5 * v * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * v)),
                 "You left out the cubic term: u = √(2/π)·(z + 0.044715·z³), so {f}.",
                 "Вы пропустили кубическое слагаемое: u = √(2/π)·(z + 0.044715·z³), поэтому {f}."),
            slip("no_sqrt_2_pi", ["z"], lambda v: 0.5 * v * (1.0 + np.tanh(v + GELU_C * v ** 3)),
                 "You left out the factor √(2/π) ≈ 0.7979 in u = √(2/π)·(z + 0.044715·z³): {f}.",
                 "Вы пропустили множитель √(2/π) ≈ 0.7979 в u = √(2/π)·(z + 0.044715·z³): {f}.")]


def _smooth_derivative_table(act: Activation) -> list[Slip]:
    """The newer activations' derivatives taken wrongly, each over ``z`` or the output ``a``."""
    name = act.name
    sym = act.symbol
    out = [slip("function_not_derivative", ["a"], same,
                f"That is {sym}({{z}}) itself, not its derivative: {{f}}.",
                f"Это само значение {sym}({{z}}), а не производная: {{f}}.")]
    if name in ("elu", "selu"):
        alpha = act.alpha if name == "elu" else SELU_ALPHA
        lam = 1.0 if name == "elu" else SELU_LAMBDA
        out += [slip("negative_branch_zero", ["z"], lambda v: lam * (v > 0),
                     "The derivative is not 0 for negative {z}: the curve still rises there, with slope "
                     "α·e^{z} (times λ for SELU): {f}.",
                     "Производная при отрицательном {z} не равна 0: кривая там всё ещё растёт, с наклоном α·e^{z} "
                     "(у SELU — умноженным на λ): {f}."),
                slip("derivative_minus_one", ["z"],
                     lambda v: lam * np.where(v > 0, 1.0, alpha * np.expm1(np.minimum(v, 0.0))),
                     "For {z} ≤ 0 the derivative of α(e^{z} − 1) is α·e^{z}: the −1 is a constant and goes: {f}.",
                     "При {z} ≤ 0 производная α(e^{z} − 1) равна α·e^{z}: −1 — константа, она исчезает: {f}.")]
        if name == "selu":
            out += [slip("no_lambda", ["z"], lambda v: elu_derivative(v, SELU_ALPHA),
                         "You forgot λ ≈ 1.0507: SELU′ is λ for z > 0 and λ·α·e^z for z ≤ 0: {f}.",
                         "Вы забыли λ ≈ 1.0507: SELU′ равна λ при z > 0 и λ·α·e^z при z ≤ 0: {f}."),
                    slip("no_constants", ["z"], lambda v: elu_derivative(v, 1.0),
                         "That is ELU′ with α = 1, without SELU's constants: SELU′ is λ for z > 0 and λ·α·e^z "
                         "for z ≤ 0, λ ≈ 1.0507, α ≈ 1.6733: {f}.",
                         "Это ELU′ при α = 1, без констант SELU: SELU′ равна λ при z > 0 и λ·α·e^z при z ≤ 0, "
                         "λ ≈ 1.0507, α ≈ 1.6733: {f}.")]
    elif name == "softplus":
        out += [slip("no_inner_derivative", ["z"], lambda v: sigmoid(-v),
                     "You differentiated ln(1 + e^{z}) as 1/(1 + e^{z}) and forgot the inner derivative e^{z}; "
                     "with it, e^{z}/(1 + e^{z}) = σ({z}), so {f}.",
                     "Вы продифференцировали ln(1 + e^{z}) как 1/(1 + e^{z}) и забыли производную внутренней функции "
                     "e^{z}; с ней получается e^{z}/(1 + e^{z}) = σ({z}), поэтому {f}."),
                slip("derivative_at_output", ["a"], sigmoid,
                     "The derivative is σ at the input {z}, not at the output {a}: {f}.",
                     "Производная — это σ во входной точке {z}, а не в выходе {a}: {f}.")]
    elif name == "swish":
        out += [slip("product_rule_first_term", ["z"], sigmoid,
                     "You took only σ({z}), the first term of the product rule; z·σ(z) also gives z·σ′(z): {f}.",
                     "Вы взяли только σ({z}), первое слагаемое из правила произведения; z·σ(z) даёт ещё z·σ′(z): {f}."),
                slip("product_rule_second_term", ["z"], lambda v: v * sigmoid(v) * (1.0 - sigmoid(v)),
                     "You took only z·σ′(z), the second term of the product rule; add σ({z}): {f}.",
                     "Вы взяли только z·σ′(z), второе слагаемое из правила произведения; добавьте σ({z}): {f}."),
                slip("sigmoid_derivative", ["z"], lambda v: sigmoid(v) * (1.0 - sigmoid(v)),
                     "You took σ′({z}), the sigmoid's derivative; swish is z·σ(z) and needs the product rule: {f}.",
                     "Вы взяли σ′({z}), производную сигмоиды; swish равна z·σ(z), нужно правило произведения: {f}.")]
    elif name == "gelu":
        out += [slip("product_rule_first_term", ["z"], lambda v: 0.5 * (1.0 + np.tanh(gelu_inner(v))),
                     "You took only ½(1 + tanh u), the first term of the product rule; ½z(1 + tanh u) also gives "
                     "½z·(1 − tanh²u)·u′: {f}.",
                     "Вы взяли только ½(1 + tanh u), первое слагаемое из правила произведения; ½z(1 + tanh u) даёт ещё "
                     "½z·(1 − tanh²u)·u′: {f}."),
                slip("no_inner_derivative", ["z"],
                     lambda v: 0.5 * (1.0 + np.tanh(gelu_inner(v))) + 0.5 * v * (1.0 - np.tanh(gelu_inner(v)) ** 2),
                     "You forgot the inner derivative u′ = √(2/π)·(1 + 3·0.044715·z²) in the second term: {f}.",
                     "Вы забыли производную внутренней функции u′ = √(2/π)·(1 + 3·0.044715·z²) во втором "
                     "слагаемом: {f}.")]
    return out


def smooth_derivative_slips(act: Activation) -> list[Slip]:
    """The newer activations' derivative f′(z) taken wrongly."""
    return _smooth_derivative_table(act) if act.name in _SMOOTH else []


def smooth_backward_slips(act: Activation) -> list[Slip]:
    """∂L/∂z = ∂L/∂a ∘ f′(z) with f′ taken wrongly: each derivative slip, times the upstream gradient."""
    if act.name not in _SMOOTH:
        return []
    sym = act.symbol
    out = [slip("function_not_derivative", ["g", "a"], lambda gg, a: gg * a,
                f"You multiplied by {sym}({{z}}) itself instead of its derivative: {{f}}.",
                f"Вы умножили на само значение {sym}({{z}}) вместо производной: {{f}}.")]
    return out + [slip(s.name, ["g", *s.uses], (lambda gg, v, fn=s.fn: gg * fn(v)), s.en, s.ru, s.convention)
                  for s in _smooth_derivative_table(act)[1:]]
