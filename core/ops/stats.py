"""Operations only the stats kind places: the ridge fit of a constant model, an initialisation
scale, the spread of a weighted sum with random weights, and the chance that a ReLU outputs 0.

Slots: ``y`` the observations, ``lam`` the penalty λ (a number or a grid of them), ``n_in`` and
``n_out`` a layer's inputs and outputs, ``x`` a fixed input, ``sigma`` the standard deviation of
each weight, ``mu`` and ``s`` the mean and standard deviation of a normal pre-activation z,
``out`` the quantity computed, ``f`` its right formula.
"""

from __future__ import annotations

import math

import numpy as np

from .record import Op, slip

# -- ridge on the constant model ŷ = β --------------------------------------------------------

#: β̂(λ) = Σy/(n + λ), the minimiser of Σᵢ(yᵢ − β)² + λβ² (``lam`` a number or a grid; n = the number
#: of observations): λ forgotten, or subtracted.
RIDGE_FIT = Op(
    "ridge_fit", ("y", "lam"), lambda y, lam: np.sum(y) / (np.size(y) + lam), "{out} = Σ{y}/(n + {lam})", (
        slip("ignore_lambda", ["y", "lam"], lambda y, lam: np.full(np.shape(lam), np.sum(y) / np.size(y)),
             "You left out λ: the penalty λβ² adds λ to the denominator, β̂(λ) = Σy/(n + λ).",
             "Вы не учли λ: штраф λβ² добавляет λ в знаменатель, β̂(λ) = Σy/(n + λ)."),
        slip("minus_lambda", ["y", "lam"], lambda y, lam: np.sum(y) / (np.size(y) - lam),
             "The penalty adds λ to the denominator, it does not subtract it: β̂(λ) = Σy/(n + λ).",
             "Штраф добавляет λ в знаменатель, а не вычитает его: β̂(λ) = Σy/(n + λ)."),
    ))


# -- initialisation scales ------------------------------------------------------------------

# Var w of each scheme (i = n_in, o = n_out), its name, and its uniform limit and normal σ.
_SCHEMES = {
    "lecun": (lambda i, o: 1.0 / i, {"en": "LeCun's", "ru": "ЛеКуна"}, "a = √(3/n_in)", "σ = 1/√n_in"),
    "he": (lambda i, o: 2.0 / i, {"en": "He's", "ru": "Хе"}, "a = √(6/n_in)", "σ = √(2/n_in)"),
    "xavier": (lambda i, o: 2.0 / (i + o), {"en": "Xavier/Glorot's", "ru": "Ксавье (Глоро)"},
               "a = √(6/(n_in + n_out))", "σ = √(2/(n_in + n_out))"),
}
# the scale itself, as each scheme writes it
_SCALE = {
    ("lecun", "uniform"): lambda i: np.sqrt(3.0 / i),
    ("lecun", "std"): lambda i: 1.0 / np.sqrt(i),
    ("he", "uniform"): lambda i: np.sqrt(6.0 / i),
    ("he", "std"): lambda i: np.sqrt(2.0 / i),
    ("xavier", "uniform"): lambda i, o: np.sqrt(6.0 / (i + o)),
    ("xavier", "std"): lambda i, o: np.sqrt(2.0 / (i + o)),
}


def init_scale(scheme: str, form: str, with_out: bool) -> Op:
    """An initialisation scheme's scale: the uniform limit a = √(3·Var w) (``form`` "uniform") or the
    normal σ = √Var w ("std"), Var w from ``scheme`` (lecun 1/n_in, he 2/n_in, xavier 2/(n_in + n_out)).

    Its slips are the same scale by another scheme -- another convention, so each message names
    both; Xavier's only ``with_out`` (n_out given).
    """
    _, mine, limit, std = _SCHEMES[scheme]
    uses = ["n_in", "n_out"] if with_out else ["n_in"]
    factor = 3.0 if form == "uniform" else 1.0
    slips = []
    for other in ("lecun", "he", "xavier"):
        if other == scheme or (other == "xavier" and not with_out):
            continue
        var, theirs, their_limit, their_std = _SCHEMES[other]
        shown = their_limit if form == "uniform" else their_std
        if with_out:
            fn = lambda i, o, var=var: np.sqrt(factor * var(i, o))  # noqa: E731
        else:
            fn = lambda i, var=var: np.sqrt(factor * var(i, 1.0))  # noqa: E731
        slips.append(slip(other, uses, fn,
                          f"Your value is {theirs['en']} scale {shown}; this step asks for {mine['en']}: {{f}}.",
                          f"Ваше значение — масштаб {theirs['ru']} {shown}, а здесь нужен масштаб {mine['ru']}: "
                          "{f}.", convention=True))
    slots = ("n_in", "n_out") if scheme == "xavier" else ("n_in",)
    return Op(f"{scheme}_{form}", slots, _SCALE[scheme, form], limit if form == "uniform" else std, tuple(slips))


# -- a pre-activation with random weights, and its ReLU -----------------------------------------

def norm(x: np.ndarray) -> float:
    """‖x‖ = √(Σ xᵢ²), scaled by the largest |xᵢ| first: a tiny x (1e-300) has a tiny norm, not 0."""
    m = float(np.max(np.abs(x))) if np.size(x) else 0.0
    return 0.0 if m == 0 or not np.isfinite(m) else m * float(np.sqrt(np.sum((x / m) ** 2)))


#: s = σ_w·‖x‖, the standard deviation of z = w·x + b for a fixed x and independent wᵢ ~ N(0, σ_w²):
#: the variance given for it, or the deviations added (an L1 norm in place of the L2 norm).
WEIGHTED_SUM_STD = Op(
    "weighted_sum_std", ("x", "sigma"), lambda x, sigma: sigma * norm(x),
    "{out} = {sigma}·‖{x}‖ = {sigma}·√(Σ {x}ᵢ²)", (
        slip("variance_not_std", ["x", "sigma"], lambda x, sigma: sigma * sigma * np.sum(x ** 2),
             "That is the variance of z; its standard deviation is the root: {out} = {sigma}·√(Σ {x}ᵢ²).",
             "Это дисперсия z, а стандартное отклонение — корень из неё: {out} = {sigma}·√(Σ {x}ᵢ²)."),
        slip("std_added", ["x", "sigma"], lambda x, sigma: sigma * np.sum(np.abs(x)),
             "You added standard deviations; variances add, not deviations: {out} = {sigma}·√(Σ {x}ᵢ²).",
             "Вы сложили стандартные отклонения, а складываются дисперсии: {out} = {sigma}·√(Σ {x}ᵢ²)."),
    ))


def p_not_above_zero(mu, s) -> float:
    """P(z ≤ 0) for z ~ N(μ, s²) = ½·erfc(μ/(s√2)).

    A standard deviation too small for a float (σ_w·‖x‖ with x = 5e-324, or a student's 0 for a
    tiny s) is the limit s → 0⁺: 1 for μ < 0, 0 for μ > 0, ½ for μ = 0 (z still symmetric).
    """
    mu, s = float(mu), float(s)
    if s == 0:
        return 0.5 if mu == 0 else float(mu < 0)
    with np.errstate(all="ignore"):  # μ/s overflows to ±inf for a tiny s: erfc gives 0 or 2
        return 0.5 * math.erfc(float(np.float64(mu) / (np.float64(s) * math.sqrt(2.0))))


#: P(ReLU(z) = 0) = P(z ≤ 0) for z ~ N(μ, s²): the chance it is active given instead.
RELU_ZERO = Op(
    "relu_zero", ("mu", "s"), p_not_above_zero, "P(z ≤ 0) = Φ(−{mu}/{s}) = ½·erfc({mu}/({s}√2))", (
        slip("p_active", ["mu", "s"], lambda mu, s: p_not_above_zero(-mu, s),
             "That is P(z > 0), the chance the ReLU is active; it outputs 0 when z ≤ 0: P = Φ(−{mu}/{s}).",
             "Это P(z > 0) — вероятность, что ReLU активен, а 0 он выдаёт при z ≤ 0: P = Φ(−{mu}/{s})."),
    ))
