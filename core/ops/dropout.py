"""Dropout on one layer with a given 0/1 mask, with its slips.

q is the probability to keep a neuron: q = 1 − p when the lesson's p is the probability to drop
it, q = p when p is the probability to keep it. Two conventions for the scaling:

    inverted (train time):  y = x∘m/q,  ∂L/∂x = ∂L/∂y∘m/q,  at test time y = x
    scaling at test time:   y = x∘m,    ∂L/∂x = ∂L/∂y∘m,    at test time y = q·x

Slots: ``p`` the lesson's probability, ``q`` the keep probability, ``x`` the input, ``m`` the
mask, ``s`` the train-time factor (1/q or 1), ``g`` = ∂L/∂y; ``out`` the quantity computed,
``f`` its right formula. ``inverted`` picks the convention, ``drop`` the meaning of p.

Slips, declared here once: p taken for q (keep vs drop); the train-time factor left out,
multiplied instead of divided, or applied at the other time (a convention); the mask applied at
test time; ∂L/∂x without the mask or without the factor. A dropped negative input or gradient
shows as 0, not −0.
"""

from __future__ import annotations

import numpy as np

from .record import Op, slip


def p_vs_q_words(drop: bool) -> tuple[str, str]:
    """p taken for the keep probability q, or 1 − p where p itself is q (English, Russian)."""
    if drop:
        return ("You used p as the probability to keep a neuron; here p is the probability to drop it, so a neuron "
                "is kept with q = 1 − p.",
                "Вы взяли p как вероятность оставить нейрон; здесь p — вероятность его выключить, поэтому нейрон "
                "остаётся с вероятностью q = 1 − p.")
    return ("You used 1 − p as the probability to keep a neuron; here p itself is the probability to keep it, q = p.",
            "Вы взяли 1 − p как вероятность оставить нейрон; здесь p и есть вероятность его оставить, q = p.")


def keep(drop: bool) -> Op:
    """q = 1 − p (p drops a neuron) or q = p (p keeps it)."""
    return Op("keep_probability", ("p",), (lambda p: 1.0 - p) if drop else (lambda p: p * 1.0),
              "{out} = 1 − {p}" if drop else "{out} = {p}",
              (slip("p_vs_q", ["out"], lambda q: 1.0 - q, *p_vs_q_words(drop)),))


#: Dividing by q at train time where the lesson scales at test time: one wording for the forward pass and
#: the backward pass, which compute alike (y = x∘m·s, ∂L/∂x = ∂L/∂y∘m·s).
_AT_TEST_SCALING = (
    "You divided by q at train time, as inverted dropout does; this lesson scales at test time instead, so at "
    "train time there is no factor: {f}.",
    "Вы разделили на q при обучении, как в инвертированном дропауте; в этом уроке масштабируют на этапе "
    "применения модели, поэтому при обучении множителя нет: {f}.")


def _factors(inverted: bool, drop: bool):
    """Wrong train-time factors s(q) of y = x∘m·s: (name, s, English, Russian, convention)."""
    if inverted:
        return (
            ("scaling", lambda q: np.ones_like(q),
             "You left out the 1/q: with inverted dropout, used here, kept values are divided by q at train time "
             "(scaling by q at test time instead is the other convention).",
             "Вы забыли множитель 1/q: в инвертированном дропауте, принятом здесь, оставшиеся значения делятся на q при "
             "обучении (умножать на q на этапе применения модели — другое соглашение).", True),
            ("times_q", lambda q: q * 1.0,
             "You multiplied by q; inverted dropout divides the kept values by q: y = x∘m/q.",
             "Вы умножили на q, а инвертированный дропаут делит оставшиеся значения на q: y = x∘m/q.", False),
            ("p_vs_q", lambda q: 1.0 / (1.0 - q), *p_vs_q_words(drop), False),
        )
    return (
        ("scaling", lambda q: 1.0 / q, *_AT_TEST_SCALING, True),
        ("scaled_at_train", lambda q: q * 1.0,
         "You multiplied by q at train time; in this lesson q is applied at test time only, so at train time y = x∘m.",
         "Вы умножили на q при обучении; в этом уроке на q умножают только на этапе применения модели, поэтому при обучении "
         "y = x∘m.", False),
    )


def scale(inverted: bool, drop: bool) -> Op:
    """The train-time factor s: 1/q (inverted dropout) or 1 (scaling at test time)."""
    return Op("dropout_scale", ("q",), (lambda q: 1.0 / q) if inverted else (lambda q: np.ones_like(q)),
              "1/{q}" if inverted else "1",
              tuple(slip(name, ["q"], s, en, ru, conv) for name, s, en, ru, conv in _factors(inverted, drop)))


def forward(inverted: bool, drop: bool) -> Op:
    """y = x∘m·s at train time; its slips are the wrong factors, placed with ``q``."""
    return Op("dropout", ("x", "m", "s"), lambda x, m, s: x * m * s + 0.0,
              "{out} = {x}∘{m}/{q}" if inverted else "{out} = {x}∘{m}",
              tuple(slip(name, ["x", "m", "q"], lambda x, m, q, s=s: x * m * s(q) + 0.0, en, ru, conv)
                    for name, s, en, ru, conv in _factors(inverted, drop)))


_MASK_AT_TEST = ("At test time no neuron is dropped: do not apply the mask.",
                 "При применении нейроны не выключаются: маску применять не нужно.")


def at_test_time(inverted: bool, drop: bool) -> Op:
    """y at test time, every neuron kept: x (inverted dropout) or q·x."""
    if inverted:
        slips = (slip("scaling", ["x", "q"], lambda x, q: q * x,
                      "You multiplied by q at test time, as dropout without inverted scaling does; this lesson uses "
                      "inverted dropout, so at test time the layer passes x unchanged.",
                      "Вы умножили на q на этапе применения модели, как в дропауте без инвертированного масштабирования; в этом уроке "
                      "инвертированный дропаут, поэтому на этапе применения модели слой пропускает x без изменений.", convention=True),
                 slip("mask_at_test", ["x", "m"], lambda x, m: x * m + 0.0, *_MASK_AT_TEST))
    else:
        slips = (slip("scaling", ["x"], lambda x: x * 1.0,
                      "You passed x unchanged, as inverted dropout does; this lesson does not scale at train time, so "
                      "at test time the layer multiplies by q: {f}.",
                      "Вы пропустили x без изменений, как в инвертированном дропауте; в этом уроке при обучении масштаба нет, "
                      "поэтому на этапе применения модели слой умножает на q: {f}.", convention=True),
                 slip("p_vs_q", ["x", "q"], lambda x, q: (1.0 - q) * x, *p_vs_q_words(drop)),
                 slip("mask_at_test", ["x", "m", "q"], lambda x, m, q: q * x * m + 0.0, *_MASK_AT_TEST))
    return Op("dropout_test", ("x", "q"), (lambda x, q: x * 1.0) if inverted else (lambda x, q: q * x),
              "{out} = {x}" if inverted else "{out} = {q}·{x}", slips)


def backward(inverted: bool, drop: bool) -> Op:
    """∂L/∂x = ∂L/∂y∘m·s: the gradient passes where the neuron was kept, with the train-time factor."""
    slips = [slip("no_mask", ["g", "s"], lambda g, s: g * s + 0.0,
                  "You forgot the mask: a dropped neuron passes no gradient back, {out} = 0 where {m} = 0.",
                  "Вы забыли маску: через выключенный нейрон градиент не проходит, {out} = 0 там, где {m} = 0.")]
    if inverted:
        slips += [slip("no_scale", ["g", "m"], lambda g, m: g * m + 0.0,
                       "You forgot the factor 1/q: the forward pass divided the kept values by q, so the gradient is "
                       "divided by q too, {f}.",
                       "Вы забыли множитель 1/q: при прямом проходе оставшиеся значения делились на q, поэтому и "
                       "градиент делится на q, {f}."),
                  slip("p_vs_q", ["g", "m", "q"], lambda g, m, q: g * m / (1.0 - q) + 0.0, *p_vs_q_words(drop))]
    else:
        slips.append(slip("scaling", ["g", "m", "q"], lambda g, m, q: g * m / q + 0.0, *_AT_TEST_SCALING,
                          convention=True))
    return Op("dropout_backward", ("g", "m", "s"), lambda g, m, s: g * m * s + 0.0,
              "{out} = {g}∘{m}/{q}" if inverted else "{out} = {g}∘{m}", tuple(slips))


# -- the mean and variance of a unit's output under dropout, given its input a -----------------
# d = a·m·s with m ~ Bernoulli(q): E[d] = a·q·s, Var[d] = a²·s²·q(1 − q); s = 1/q (inverted) or 1.
#   inverted:  E[d] = a,    Var[d] = a²·(1 − q)/q
#   at_test:   E[d] = q·a,  Var[d] = q·(1 − q)·a²


def mean(inverted: bool, drop: bool) -> Op:
    """E[d] of a unit's train-time output over the mask (slots ``a`` the input, ``q`` the keep probability)."""
    if inverted:
        slips = (slip("times_q", ["a", "q"], lambda a, q: q * a,
                      "Kept with probability q and divided by q: on average the unit gives {a} itself, {f}.",
                      "Нейрон остаётся с вероятностью q и делится на q, поэтому в среднем он выдаёт сам {a}: {f}."),)
        return Op("dropout_mean", ("a", "q"), lambda a, q: a * 1.0, "{out} = {a}", slips)
    slips = (slip("no_q", ["a"], lambda a: a * 1.0,
                  "Without the factor 1/q at train time the unit gives {a} only with probability q, else 0: {f}.",
                  "Без множителя 1/q при обучении нейрон выдаёт {a} лишь с вероятностью q, иначе 0: {f}."),
             slip("p_vs_q", ["a", "q"], lambda a, q: (1.0 - q) * a, *p_vs_q_words(drop)))
    return Op("dropout_mean", ("a", "q"), lambda a, q: q * a, "{out} = {q}·{a}", slips)


def variance(inverted: bool, drop: bool) -> Op:
    """Var[d] of a unit's train-time output over the mask (slots ``a``, ``q``)."""
    right = (lambda a, q: a ** 2 * (1.0 - q) / q) if inverted else (lambda a, q: q * (1.0 - q) * a ** 2)
    slips = [slip("no_square", ["a", "q"], lambda a, q: right(np.sqrt(np.abs(a)), q),
                  "The variance scales with the square of the value: {f}.",
                  "Дисперсия растёт как квадрат значения: {f}."),
             slip("p_vs_q", ["a", "q"], lambda a, q: right(a, 1.0 - q), *p_vs_q_words(drop))]
    if inverted:
        slips.append(slip("scaling", ["a", "q"], lambda a, q: q * (1.0 - q) * a ** 2,
                          "That is the variance without the factor 1/q; inverted dropout divides the kept value by q, "
                          "so the variance gains 1/q²: {f}.",
                          "Это дисперсия без множителя 1/q; инвертированный дропаут делит оставшееся значение на q, "
                          "и дисперсия получает множитель 1/q²: {f}.", convention=True))
        formula = "{out} = {a}²·(1 − {q})/{q}"
    else:
        slips.append(slip("scaling", ["a", "q"], lambda a, q: a ** 2 * (1.0 - q) / q,
                          "That is the variance under inverted dropout (the kept value divided by q); here the train "
                          "time has no factor: {f}.",
                          "Это дисперсия для инвертированного дропаута (оставшееся значение делится на q); здесь при "
                          "обучении множителя нет: {f}.", convention=True))
        formula = "{out} = {q}·(1 − {q})·{a}²"
    return Op("dropout_variance", ("a", "q"), right, formula, tuple(slips))
