"""A gradient-boosting step for regression as operations, with their slips.

Slots: ``F`` the ensemble's current predictions F(xᵢ), ``y`` the targets, ``g`` the gradient
∂L/∂Fᵢ, ``r`` the residuals (the antigradient), ``h`` the weak learner's predictions; ``out`` the
quantity computed, ``f`` its right formula, ``nu`` the shrinkage ν's symbol (the number itself is
fixed when the operation is made).

    rᵢ = −∂L/∂Fᵢ                   (for L = ½Σ(Fᵢ − yᵢ)²: the residual yᵢ − Fᵢ)
    h(x) = mean of r over x's leaf  (a stump fitted to r by least squares)
    F′ᵢ = Fᵢ + ν·h(xᵢ)
"""

from __future__ import annotations

import numpy as np

from .record import Op, slip


def antigradient() -> Op:
    """r = −g: the direction in which the loss falls fastest, per observation. Slip: g itself."""
    return Op("antigradient", ("g",), lambda g: -np.asarray(g, dtype=np.float64), "{out} = −{g}", (
        slip("antigradient_sign", ("g",), lambda g: np.asarray(g, dtype=np.float64) * 1.0,
             "That is the gradient {g} itself; the next learner is fitted to the antigradient, −{g} "
             "(the direction in which the loss falls): {f}.",
             "Это сам градиент {g}; следующий алгоритм обучают на антиградиент −{g} (направление, в котором "
             "потери убывают): {f}."),))


def stump_fit(left: np.ndarray) -> Op:
    """h = the mean of r over each leaf of a stump: ``left`` marks the observations of the left leaf
    (the fit that minimises Σ(hᵢ − rᵢ)² among functions constant on each leaf).

    Slips: the leaf's sum for its mean, one mean of all the residuals, the leaves swapped."""
    left = np.asarray(left, dtype=bool)

    def by_leaf(r, how):
        r = np.asarray(r, dtype=np.float64)
        out = np.empty_like(r)
        for mask in (left, ~left):
            if mask.any():
                out[mask] = how(r[mask])
        return out

    def swapped(r):
        fit = by_leaf(r, np.mean)
        lv = fit[left][0] if left.any() else 0.0
        rv = fit[~left][0] if (~left).any() else 0.0
        return np.where(left, rv, lv)

    formula = "{out}(x < s) = mean_{xⱼ < s} {r}ⱼ; {out}(x ≥ s) = mean_{xⱼ ≥ s} {r}ⱼ"
    return Op("stump_fit", ("r",), lambda r: by_leaf(r, np.mean), formula, (
        slip("leaf_sum", ("r",), lambda r: by_leaf(r, np.sum),
             "You added up the residuals of each leaf; the least-squares value of a leaf is their mean: {f}.",
             "Вы сложили остатки в каждом листе, а наилучшее (по квадратичной ошибке) значение листа — их среднее: "
             "{f}."),
        slip("leaf_overall", ("r",), lambda r: np.full_like(np.asarray(r, dtype=np.float64), np.mean(r)),
             "That is one mean of all the residuals; the stump has two leaves, each with the mean of its own "
             "observations: {f}.",
             "Это одно среднее всех остатков; у пня два листа, и в каждом — среднее его собственных наблюдений: {f}."),
        slip("leaf_swapped", ("r",), swapped,
             "You gave each leaf the other leaf's mean: {f}.", "Вы дали каждому листу среднее другого листа: {f}."),
    ))


def shift(nu: float) -> Op:
    """F′ = F + ν·h: the ensemble moved by the new learner, shrunk by ν.

    Slips: ν forgotten, h subtracted, only the shift ν·h."""
    return Op("boost_shift", ("F", "h"), lambda F, h: np.asarray(F) + nu * np.asarray(h), "{out} = {F} + {nu}·{h}", (
        slip("no_nu", ("F", "h"), lambda F, h: np.asarray(F) + np.asarray(h),
             "You added the whole {h}; the step is shrunk by the learning rate {nu}: {f}.",
             "Вы прибавили {h} целиком, а шаг уменьшают множителем — скоростью обучения {nu}: {f}."),
        slip("shift_sign", ("F", "h"), lambda F, h: np.asarray(F) - nu * np.asarray(h),
             "You subtracted the new learner; it was fitted to the antigradient, so it is added: {f}.",
             "Вы вычли новый алгоритм; он обучен на антиградиент, поэтому его прибавляют: {f}."),
        slip("shift_only", ("h",), lambda h: nu * np.asarray(h),
             "That is only the shift {nu}·{h}; the new predictions are {f}.",
             "Это только сдвиг {nu}·{h}; новые прогнозы: {f}."),
    ))
