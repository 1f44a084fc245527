"""A loss and the gradient it starts, with their slips: the ½ of a squared loss, a mean or a sum
over m terms (observations, time steps), the log-loss's minus and its natural logarithm.

Slots: ``L`` the loss, ``out`` the quantity a slip is declared on (the loss or a gradient),
``f`` its right formula, ``text`` the loss's formula, ``where`` the quantity where the 1/m of a
mean enters. Each factory takes the lesson's convention and gives the slips that contradict
it; a kind places them with :meth:`Slip.at` wherever a loss or its gradient appears.
"""

from __future__ import annotations

from .record import Slip, slip


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


def log_slips() -> tuple[Slip, ...]:
    """A log-loss or cross-entropy (``text``) with its minus lost, or in base-10 logarithms."""
    import numpy as np

    return (
        slip("no_minus", ["out"], lambda v: -v, "You lost the minus sign: {text} is never negative.",
             "Вы потеряли знак минус: потери {text} всегда неотрицательны."),
        slip("log10", ["out"], lambda v: v / np.log(10.0),
             "You used the base-10 logarithm; the loss uses the natural one, ln: {text}.",
             "Вы взяли десятичный логарифм, а в функции потерь — натуральный, ln: {text}."),
    )
