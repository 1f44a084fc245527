"""A loss and the gradient it starts, with their slips: the ½ of a squared loss, a mean or a sum
over m terms (observations, time steps), the log-loss's minus and its natural logarithm.

Slots: ``L`` the loss, ``out`` the quantity a slip is declared on (the loss or a gradient),
``f`` its right formula, ``text`` the loss's formula, ``where`` the quantity where the 1/m of a
mean enters. Each factory takes the lesson's convention and gives the slips that contradict
it; a kind places them with :meth:`Slip.at` wherever a loss or its gradient appears.
"""

from __future__ import annotations

import numpy as np

from .activation import no_temperature
from .functions import (
    cross_entropy, cross_entropy_grad, cross_entropy_logits, log_loss, log_loss_grad, log_loss_logits,
    output_logit_grad, poisson_loss, poisson_loss_grad, poisson_loss_logits, squared_loss, squared_loss_grad,
)
from .record import Op, Slip, slip


def squared_half(half: bool) -> Slip:
    """L = ½Σ(ŷ − y)² with the ½ dropped, or added where the lesson's loss has none."""
    if half:
        return slip("no_half", ["out"], lambda v: v * 2, "You dropped the ½: {f}.", "Вы потеряли ½: {f}.")
    return slip("half_added", ["out"], lambda v: v / 2, "This lesson's squared loss has no ½: {f}.",
                "В этом уроке в квадратичной функции потерь нет ½: {f}.")


def squared_two(half: bool) -> Slip:
    """∂L/∂ŷ = 2c·(ŷ − y): the 2 kept although the ½ cancels it, or dropped although nothing does."""
    if half:
        return slip("two_kept", ["out"], lambda v: v * 2, "With the ½ in the loss, the 2 cancels: {f}.",
                    "С ½ в функции потерь двойка сокращается: {f}.")
    return slip("no_two", ["out"], lambda v: v / 2, "You dropped the 2: the loss has no ½ to cancel it, so {f}.",
                "Вы потеряли двойку: в функции потерь нет ½, которая бы её сократила, поэтому {f}.")


def loss_reduction(m: int, mean: bool) -> Slip:
    """The loss itself summed where the lesson averages over the m terms, or averaged where it sums."""
    if mean:
        return slip("sum_not_mean", ["out"], lambda v: v * m, "You summed the losses; this lesson averages them: {f}.",
                    "Вы сложили потери, а в этом уроке они усредняются: {f}.")
    return slip("mean_not_sum", ["out"], lambda v: v / m, "You averaged the losses; this lesson sums them: {f}.",
                "Вы усреднили потери, а в этом уроке они суммируются: {f}.")


def gradient_reduction(m: int, mean: bool, at_origin: bool) -> tuple[Slip, ...]:
    """A gradient's 1/m: forgotten, applied twice (after ``where``, the quantity where it enters),
    or put in although the losses are summed."""
    if not mean:
        return (slip("mean_not_sum", ["out"], lambda v: v / m,
                     f"This lesson sums the losses, so there is no 1/{m}: {{f}}.",
                     f"В этом уроке потери суммируются, поэтому множителя 1/{m} нет: {{f}}."),) if at_origin else ()
    if at_origin:
        return (slip("no_mean", ["out"], lambda v: v * m, f"You left out the factor 1/{m} of the mean loss: {{f}}.",
                     f"Вы потеряли множитель 1/{m} от усреднения потерь: {{f}}."),)
    return (
        slip("no_mean", ["out"], lambda v: v * m,
             f"You left out the factor 1/{m} of the mean loss: it enters once, at {{where}}, and every later "
             "gradient carries it.",
             f"Вы потеряли множитель 1/{m} от усреднения потерь: он входит один раз, в {{where}}, и переходит "
             "во все следующие градиенты."),
        slip("mean_twice", ["out"], lambda v: v / m,
             f"You divided by {m} twice: the factor 1/{m} of the mean loss enters once, at {{where}}.",
             f"Вы поделили на {m} дважды: множитель 1/{m} от усреднения потерь входит один раз, в {{where}}."),
    )


def log_slips(text: str = "{text}") -> tuple[Slip, ...]:
    """A log-loss or cross-entropy with its minus lost, or in base-10 logarithms; ``text`` is the
    loss's formula (a template over the place's slots, or the slot ``{text}`` filled there)."""
    return (
        slip("no_minus", ["out"], lambda v: -v, f"You lost the minus sign: {text} is never negative.",
             f"Вы потеряли знак минус: потери {text} всегда неотрицательны."),
        slip("log10", ["out"], lambda v: v / np.log(10.0),
             f"You used the base-10 logarithm; the loss uses the natural one, ln: {text}.",
             f"Вы взяли десятичный логарифм, а в функции потерь — натуральный, ln: {text}."),
    )


# -- the losses and the gradients they start, as operations ------------------------------------
# Slots: ``y_hat`` the output ŷ, ``y`` the target, ``z`` the last pre-activation (a loss from the
# logits), ``out`` the quantity computed. ``terms``: how many observations the loss adds up (its
# 1/m when ``mean``); the reduction's slips only where there are several.

LOSSES = ("squared", "log", "cross_entropy", "poisson")

#: Each loss as written from the output ŷ (after ``{out} = `` and the reduction's 1/m).
_FROM_OUTPUT = {
    "log": "−{red}Σ[{y}·ln {y_hat} + (1 − {y})·ln(1 − {y_hat})]",
    "cross_entropy": "−{red}Σ {y}·ln {y_hat}",
    "poisson": "{red}Σ({y_hat} − {y}·ln {y_hat})",
}
_GRADIENT = {
    "log": "{red}({y_hat} − {y})/({y_hat}·(1 − {y_hat}))",
    "cross_entropy": "−{red}{y}/{y_hat}",
    "poisson": "{red}(1 − {y}/{y_hat})",
}


def _red(terms: int, mean: bool) -> str:
    return f"(1/{terms})·" if mean else ""


def _num(v: float) -> str:
    return f"{v:g}"


def loss(name: str, terms: int, mean: bool, *, half: bool = False, logits: bool = False,
         temperature: float = 1.0, axis: int = -1) -> Op:
    """L over every output unit and observation, times 1/``terms`` for a mean.

    ``squared``: c·Σ(ŷ − y)², c = ½ with ``half``; ``log``, ``cross_entropy``, ``poisson`` from the
    output ŷ (slots y_hat, y), or with ``logits`` from the last pre-activation z in a numerically
    stable form (slots z, y; the slips still read ŷ). Slips: the sum for the mean (or back), the ½
    dropped or added, the log-loss's minus or base-10 logarithm, the largest probability for the true
    class's.
    """
    scale = 1.0 / terms if mean else 1.0
    red = _red(terms, mean)
    slips: list[Slip] = [loss_reduction(terms, mean)] if terms > 1 else []
    if name == "squared":
        fn = lambda yh, t: squared_loss(yh, t, half, scale)  # noqa: E731
        formula = "{out} = " + red + ("½·" if half else "") + "Σ({y_hat} − {y})²"
        slips.append(squared_half(half))
        return Op("squared_loss", ("y_hat", "y"), fn, formula, tuple(slips))
    written = "{out} = " + _FROM_OUTPUT[name].replace("{red}", red)
    if name in ("log", "cross_entropy"):
        slips += log_slips(written)
    if name == "cross_entropy":
        slips.append(slip("largest_class", ["y_hat"], lambda q: -scale * np.sum(np.log(np.max(q, axis=axis))),
                          f"You took the largest probability; the cross-entropy takes the true class's: {written}, "
                          "only the entry where {y} = 1 counts.",
                          f"Вы взяли наибольшую вероятность, а перекрёстная энтропия берёт вероятность верного "
                          f"класса: {written}, важна только компонента, где {{y}} = 1."))
    if not logits:
        fn = {"log": log_loss, "cross_entropy": cross_entropy, "poisson": poisson_loss}[name]
        return Op(f"{name}_loss", ("y_hat", "y"), lambda p, t: fn(p, t, scale), written, tuple(slips))
    if name == "log":
        fn = lambda v, t: log_loss_logits(v, t, scale)  # noqa: E731
        formula = "{out} = " + red + "Σ[max({z}, 0) − {y}·{z} + ln(1 + e^(−|{z}|))]"
    elif name == "poisson":
        fn = lambda v, t: poisson_loss_logits(v, t, scale)  # noqa: E731
        formula = "{out} = " + red + "Σ(e^{z} − {y}·{z})"
    else:
        fn = lambda v, t: cross_entropy_logits(v, t, temperature, axis, scale)  # noqa: E731
        u = "{z}" if temperature == 1.0 else "{z}/" + _num(temperature)
        formula = "{out} = " + red + f"Σ[ln Σₖ e^({u}) − Σₖ {{y}}·{u}]"
    return Op(f"{name}_loss_logits", ("z", "y"), fn, formula, tuple(slips))


def output_gradient(name: str, terms: int, mean: bool, *, half: bool = False) -> Op:
    """∂L/∂ŷ of :func:`loss` from the output (slots y_hat, y), where the backward pass starts.

    Slips: the 2 of the square dropped or kept against the ½; the mean's 1/m forgotten (or put in
    for a sum).
    """
    scale = 1.0 / terms if mean else 1.0
    if name == "squared":
        two = "" if half else "2·"
        if mean:
            two = f"(1/{terms})·" if half else f"(2/{terms})·"
        formula = "{out} = " + (two + "({y_hat} − {y})" if two else "{y_hat} − {y}")
        fn = lambda yh, t: squared_loss_grad(yh, t, half, scale)  # noqa: E731
        slips = (squared_two(half),)
    else:
        formula = "{out} = " + _GRADIENT[name].replace("{red}", _red(terms, mean))
        grad = {"log": log_loss_grad, "cross_entropy": cross_entropy_grad, "poisson": poisson_loss_grad}[name]
        fn = lambda p, t: grad(p, t, scale)  # noqa: E731
        slips = ()
    if terms > 1:
        slips += gradient_reduction(terms, mean, at_origin=True)
    return Op(f"{name}_gradient", ("y_hat", "y"), fn, formula, slips)


def logit_gradient(terms: int, mean: bool, temperature: float = 1.0) -> Op:
    """∂L/∂z = (1/m)·(ŷ − y)/T straight from the output (slots y_hat, y): a loss and its matched head
    taken together (sigmoid + log-loss, exp + Poisson, softmax(z/T) + cross-entropy).

    Slips: the 1/T forgotten; the mean's 1/m forgotten (or put in for a sum).
    """
    scale = 1.0 / terms if mean else 1.0
    coef = _red(terms, mean) + ("" if temperature == 1.0 else f"(1/{_num(temperature)})·")
    formula = "{out} = " + (coef + "({y_hat} − {y})" if coef else "{y_hat} − {y}")
    slips = (no_temperature(temperature),) if temperature != 1.0 else ()
    if terms > 1:
        slips += gradient_reduction(terms, mean, at_origin=True)
    return Op("logit_gradient", ("y_hat", "y"), lambda yh, t: output_logit_grad(yh, t, scale, temperature),
              formula, slips)


# -- weighted losses: per-output weights w, the log-loss's positive-class weight β ----------------
# Slots: ``y_hat``, ``y`` (or ``z`` and ``y`` from the logits), ``w`` the per-output weights and
# ``beta`` the positive-class weight, each a vector with one entry per output unit, spread over a
# batch's observations along the units' ``axis``. An operation takes the slots its loss has: ``w``
# when ``weights``, ``beta`` when ``pos`` (the log-loss only); an absent weight is 1.
#
#   squared:  L = (1/m)·c·Σ w∘(ŷ − y)²                        ∂L/∂ŷ = (1/m)·2c·w∘(ŷ − y)
#   log:      L = −(1/m)·Σ w∘[β·y·ln ŷ + (1 − y)·ln(1 − ŷ)]   ∂L/∂ŷ = (1/m)·w∘[(1 − y)/(1 − ŷ) − β·y/ŷ]
#             from the logits, ŷ = σ(z):                       ∂L/∂z = (1/m)·w∘[(1 − y)·ŷ − β·y·(1 − ŷ)]


def _spread(v: np.ndarray, like: np.ndarray, axis: int) -> np.ndarray:
    """A per-output vector laid along the units' axis of ``like`` (a column-layout batch: down a column)."""
    v = np.asarray(v, dtype=np.float64)
    return v[:, None] if (np.ndim(like) == 2 and axis == 0) else v


def _ylog(y, p):
    """y·ln p with 0·ln 0 = 0."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(p))


def _ratio(y, p):
    """y/p with 0/p = 0 (also 0/0)."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y / p)


def _softplus(t):
    """ln(1 + e^t), stable for any t."""
    t = np.asarray(t, dtype=np.float64)
    return np.maximum(t, 0.0) + np.log1p(np.exp(-np.abs(t)))


def _weighted_terms(name: str, half: bool, logits: bool, grad: bool, beta_at: str = "pos"):
    """Per-entry loss (or gradient) of ``name`` as fn(v, y, w, beta), v = ŷ (or z with ``logits``).

    ``beta_at``: where β goes -- "pos" (right: the y·ln ŷ term), "neg" (the (1 − y) term), "both" (the whole loss).
    """
    c = 0.5 if half else 1.0

    def fn(v, y, w, beta):
        v, y = np.asarray(v, dtype=np.float64), np.asarray(y, dtype=np.float64)
        if name == "squared":
            return w * (2.0 * c * (v - y) if grad else c * (v - y) ** 2)
        bp = beta if beta_at in ("pos", "both") else 1.0
        bn = beta if beta_at in ("neg", "both") else 1.0
        if logits:
            p = 1.0 / (1.0 + np.exp(-v))
            if grad:
                return w * (bn * (1.0 - y) * p - bp * y * (1.0 - p))
            return w * (bp * y * _softplus(-v) + bn * (1.0 - y) * _softplus(v))
        if grad:  # a term whose target weight is 0 is 0, even where ŷ saturates to 0 or 1
            return w * (bn * _ratio(1.0 - y, 1.0 - v) - bp * _ratio(y, v))
        return -w * (bp * _ylog(y, v) + bn * _ylog(1.0 - y, 1.0 - v))
    return fn


def _weighted_op(op_name: str, name: str, terms: int, mean: bool, half: bool, logits: bool, grad: bool,
                 weights: bool, pos: bool, axis: int, formula: str, extra: tuple[Slip, ...]) -> Op:
    """The operation over the slots (v, y[, w][, beta]) with the weighted slips: a weight left out, β misplaced."""
    scale = 1.0 / terms if mean else 1.0
    v_slot = "z" if logits else "y_hat"
    slots = (v_slot, "y") + (("w",) if weights else ()) + (("beta",) if pos else ())

    def make(beta_at: str = "pos", use_w: bool = True, use_beta: bool = True):
        per = _weighted_terms(name, half, logits, grad, beta_at)

        def fn(v, y, *rest):
            rest = list(rest)
            w = _spread(rest.pop(0), y, axis) if weights else 1.0
            b = _spread(rest.pop(0), y, axis) if pos else 1.0
            out = scale * per(v, y, w if use_w else 1.0, b if use_beta else 1.0)
            return out if grad else np.asarray(np.sum(out))
        return fn

    slips = list(extra)
    if weights:
        uses = [v_slot, "y"] + (["beta"] if pos else [])
        slips.append(slip("no_loss_weights", uses, lambda v, y, *b: make(use_w=False)(v, y, np.ones(1), *b),
                          "You left out the output weights {w}: each output's term counts with its own weight, "
                          "{f}.",
                          "Вы не учли веса выходов {w}: слагаемое каждого выхода входит со своим весом, {f}."))
    if pos:
        uses = [v_slot, "y"] + (["w"] if weights else [])
        slips += [
            slip("no_pos_weight", uses, lambda v, y, *w: make(use_beta=False)(v, y, *w, np.ones(1)),
                 "You left out the positive-class weight {beta}: it multiplies the term of the positive class, "
                 "y·ln ŷ: {f}.",
                 "Вы не учли вес положительного класса {beta}: он умножает слагаемое положительного класса, "
                 "y·ln ŷ: {f}."),
            slip("pos_weight_on_negative", list(slots), make("neg"),
                 "You put {beta} on the negative class's term (1 − y)·ln(1 − ŷ); it weights the positive class, "
                 "the y·ln ŷ term: {f}.",
                 "Вы поставили {beta} у слагаемого отрицательного класса (1 − y)·ln(1 − ŷ), а он взвешивает "
                 "положительный класс, слагаемое y·ln ŷ: {f}."),
            slip("pos_weight_everywhere", list(slots), make("both"),
                 "You multiplied both terms by {beta}; only the positive class's term y·ln ŷ carries it: {f}.",
                 "Вы умножили на {beta} оба слагаемых, а он стоит только у слагаемого положительного класса "
                 "y·ln ŷ: {f}."),
        ]
    return Op(op_name, slots, make(), formula, tuple(slips))


def _weighted_formula(name: str, terms: int, mean: bool, half: bool, logits: bool, grad: bool,
                      weights: bool, pos: bool) -> str:
    w = "{w}∘" if weights else ""
    b = "{beta}·" if pos else ""
    red = _red(terms, mean)
    if name == "squared":
        c = ("" if half else "2·") if grad else ("½·" if half else "")
        return "{out} = " + red + c + ("" if grad else "Σ ") + w + "({y_hat} − {y})" + ("" if grad else "²")
    if grad and logits:
        return "{out} = " + red + w + "[(1 − {y})·{y_hat} − " + b + "{y}·(1 − {y_hat})]"
    if grad:
        return "{out} = " + red + w + "[(1 − {y})/(1 − {y_hat}) − " + b + "{y}/{y_hat}]"
    if logits:
        return "{out} = " + red + "Σ " + w + "[" + b + "{y}·ln(1 + e^(−{z})) + (1 − {y})·ln(1 + e^{z})]"
    return "{out} = −" + red + "Σ " + w + "[" + b + "{y}·ln {y_hat} + (1 − {y})·ln(1 − {y_hat})]"


def weighted_loss(name: str, terms: int, mean: bool, *, weights: bool, pos: bool, half: bool = False,
                  logits: bool = False, axis: int = -1) -> Op:
    """L with per-output weights (slot ``w``) and, for the log-loss, the positive-class weight (slot ``beta``).

    Slips: the weights or β left out, β on the negative class's term or on both; and the unweighted
    loss's own (the reduction, the ½, the minus, the base-10 logarithm).
    """
    formula = _weighted_formula(name, terms, mean, half, logits, False, weights, pos)
    extra: list[Slip] = [loss_reduction(terms, mean)] if terms > 1 else []
    if name == "squared":
        extra.append(squared_half(half))
    else:
        extra.extend(log_slips(formula))
    return _weighted_op(f"weighted_{name}_loss" + ("_logits" if logits else ""), name, terms, mean, half, logits,
                        False, weights, pos, axis, formula, tuple(extra))


def weighted_gradient(name: str, terms: int, mean: bool, *, weights: bool, pos: bool, half: bool = False,
                      logits: bool = False, axis: int = -1) -> Op:
    """∂L/∂ŷ (or, with ``logits``, ∂L/∂z through the sigmoid) of :func:`weighted_loss`; the slips as there,
    with the 2 of the square and the mean's 1/m in place of the loss's."""
    formula = _weighted_formula(name, terms, mean, half, logits, True, weights, pos)
    extra: tuple[Slip, ...] = (squared_two(half),) if name == "squared" else ()
    if terms > 1:
        extra += gradient_reduction(terms, mean, at_origin=True)
    op = "weighted_logit_gradient" if logits else f"weighted_{name}_gradient"
    return _weighted_op(op, name, terms, mean, half, logits, True, weights, pos, axis, formula, extra)


# -- an output head bounded to (0, s): ŷ = s·σ(z) ------------------------------------------------


def scaled_sigmoid(s: float) -> Op:
    """ŷ = s·σ(z): a head whose output lies between 0 and s (a rating from 0 to 10). Slots ``z``.

    Slips: the scale left out (σ(z) alone), the sigmoid left out (s·z).
    """
    k = _num(s)
    sig = lambda z: 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))  # noqa: E731
    slips = (
        slip("no_scale", ["z"], sig,
             f"That is σ({{z}}), a number between 0 and 1; the head stretches it to the scale 0 … {k}: {{f}}.",
             f"Это σ({{z}}), число от 0 до 1; выход растягивает его на шкалу 0 … {k}: {{f}}."),
        slip("no_activation", ["z"], lambda z: s * np.asarray(z, dtype=np.float64),
             f"You left out the sigmoid: {k}·{{z}} can leave the range 0 … {k}; {{f}}.",
             f"Вы забыли сигмоиду: {k}·{{z}} может выйти за пределы 0 … {k}; {{f}}."),
    )
    return Op("scaled_sigmoid", ("z",), lambda z: s * sig(z), "{out} = " + k + "·σ({z})", slips)
