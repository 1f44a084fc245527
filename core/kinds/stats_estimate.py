"""The stats kind's statistics: ridge with leave-one-out CV, initialisation scales, dead ReLUs.

ridge       ŷ = β, loss Σᵢ(yᵢ − β)² + λβ²:  β̂(λ) = Σy/(n + λ). Leaving out yᵢ (penalty unchanged):
            β̂₋ᵢ(λ) = (Σy − yᵢ)/(n − 1 + λ); CV(λ) = mean (or sum) over i of (yᵢ − β̂₋ᵢ)².
            CV is a quadratic in t = 1/(n − 1 + λ), minimised at t* = Σ yᵢ(S − yᵢ)/Σ (S − yᵢ)²
            (S = Σy), so λ_CV = 1/t* − (n − 1), never negative since S² ≤ n·Σy²; when
            t* ≤ 0 (S² ≤ Σy²) the error falls all the way to λ → ∞ and there is no λ_CV.
init        U[−a, a] has variance a²/3; a = 1/√n_in gives Var w = 1/(3n_in) and the layer multiplies
            the variance by n_in·Var w = 1/3. LeCun: Var w = 1/n_in (limit √(3/n_in), std 1/√n_in);
            Xavier/Glorot: limit √(6/(n_in + n_out)), std √(2/(n_in + n_out)); He: std √(2/n_in),
            limit √(6/n_in).
relu_zero   P(ReLU(z) = 0) = P(z ≤ 0): ½ for z symmetric about 0; Φ(−μ/s) = ½·erfc(μ/(s√2)) for
            z ~ N(μ, s²); for z = w·x + b with wᵢ ~ N(0, σ_w²): μ = b, s = σ_w·‖x‖.

Each function writes one ``[problem.<table>]`` onto the stats kind's writer.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..notation import subscript
from ..ops.record import mistake, same
from ..ops.stats import RELU_ZERO, RIDGE_FIT, WEIGHTED_SUM_STD, init_scale
from ..writer import Writer
from . import DataError, read_array, read_bool, read_choice, read_int, read_number, reject_unknown

RIDGE_FIELDS = {"y", "lambdas", "cv"}
INIT_FIELDS = {"n_in", "n_out", "layers"}
RELU_FIELDS = {"symmetric", "mean", "std", "x", "w_std", "b"}
_MOST = 1_000_000  # the largest count a lesson may give


# -- ridge on a constant model -----------------------------------------------------------

def ridge(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, RIDGE_FIELDS)
    y = read_array(t, "y", path, ndim=(1,))
    n = y.size
    if n < 2:
        raise DataError(f"{path}.y", "needs at least 2 observations for leave-one-out")
    lambdas = read_array(t, "lambdas", path, ndim=(1,), required=False)
    if lambdas is not None and (lambdas.size == 0 or np.any(lambdas < 0)):
        raise DataError(f"{path}.lambdas", "must be a non-empty list of λ ≥ 0")
    mean_cv = read_choice(t, "cv", path, ("mean", "sum"), default="mean") == "mean"
    agg = np.mean if mean_cv else np.sum

    w.given("ridge.y", y, "y", {"en": "the observations", "ru": "наблюдения"})
    w.derived("ridge.beta_ls", lambda y_: np.mean(y_), ["ridge.y"], "β̂(0)",
              {"en": "the estimate β̂ without a penalty (λ = 0): the mean",
               "ru": "оценка β̂ без штрафа (λ = 0): среднее"}, "value", "β̂(0) = Σy/n")
    w.convention("ridge", {
        "en": "model ŷ = β with loss Σ(y − β)² + λβ² (a sum, not a mean); when one observation is left out "
              "the penalty λβ² stays the same; the CV error is the " + ("mean" if mean_cv else "sum")
              + " of the n squared prediction errors",
        "ru": "модель ŷ = β, функция потерь Σ(y − β)² + λβ² (сумма, не среднее); при выбрасывании одного "
              "наблюдения штраф λβ² не меняется; ошибка кросс-валидации — "
              + ("среднее" if mean_cv else "сумма") + " n квадратов ошибок прогноза",
    })
    if lambdas is not None:
        w.given("ridge.lambdas", lambdas, "λ", {"en": "the grid of penalties λ", "ru": "сетка значений штрафа λ"})
        w.apply(RIDGE_FIT, out="ridge.beta", symbol="β̂(λ)", role="value",
                meaning={"en": "the estimate β̂ for each λ on the grid", "ru": "оценка β̂ для каждого λ из сетки"},
                y="ridge.y", lam="ridge.lambdas")
        other = np.sum if mean_cv else np.mean
        full_fit, reduction = _cv_full_fit(mean_cv), _cv_reduction(mean_cv)
        for k, lam in enumerate(lambdas, start=1):
            s = subscript(str(k))
            w.derived(f"ridge.loo{k}", lambda y_, l_, k=k: (np.sum(y_) - y_) / (n - 1 + l_[k - 1]),
                      ["ridge.y", "ridge.lambdas"], f"β̂₋ᵢ(λ{s})",
                      {"en": f"for λ = {lam:g}: the estimate fitted without observation i, for each i",
                       "ru": f"при λ = {lam:g}: оценка, построенная без i-го наблюдения, для каждого i"},
                      "value", f"β̂₋ᵢ(λ{s}) = (Σy − yᵢ)/(n − 1 + λ{s})", _loo_mistakes(k, n))
            w.derived(f"ridge.cv{k}", lambda y_, pred: agg((y_ - pred) ** 2), ["ridge.y", f"ridge.loo{k}"],
                      f"CV(λ{s})",
                      {"en": f"the leave-one-out error for λ = {lam:g}",
                       "ru": f"ошибка кросс-валидации «выкинь одного» при λ = {lam:g}"},
                      "value", f"CV(λ{s}) = {'mean' if mean_cv else 'Σ'}ᵢ (yᵢ − β̂₋ᵢ)²",
                      [mistake("full_fit", ("ridge.y", "ridge.lambdas"),
                               lambda y_, l_, k=k: agg((y_ - np.sum(y_) / (n + l_[k - 1])) ** 2), *full_fit),
                       mistake("cv_reduction", ("ridge.y", f"ridge.loo{k}"), lambda y_, pred: other((y_ - pred) ** 2),
                               *reduction, convention=True)])
        cvs = [f"ridge.cv{k}" for k in range(1, lambdas.size + 1)]
        w.derived("ridge.cv", lambda *cv: np.array(cv), cvs,
                  "CV(λ)", {"en": "the leave-one-out error for each λ on the grid",
                            "ru": "ошибка кросс-валидации для каждого λ из сетки"}, "value", "(CV(λ₁), CV(λ₂), …)",
                  [mistake("full_fit", ("ridge.y", "ridge.lambdas"), lambda y_, l_: _train_errors(y_, l_, agg),
                           *full_fit),
                   mistake("cv_reduction", cvs, lambda *cv: np.array(cv) * (n if mean_cv else 1.0 / n),
                           *reduction, convention=True)])
        # ties go to the first grid value, as np.argmin does
        w.derived("ridge.lambda_best", lambda cv, lam: lam[int(np.argmin(cv))], ["ridge.cv", "ridge.lambdas"],
                  "λ_best", {"en": "the λ on the grid with the smallest leave-one-out error (the first on ties)",
                             "ru": "λ из сетки с наименьшей ошибкой кросс-валидации (при равенстве — первое)"},
                  "value", "λ_best = argmin CV(λ)",
                  [mistake("full_fit", ("ridge.y", "ridge.lambdas"),
                           lambda y_, l_: l_[int(np.argmin(_train_errors(y_, l_, agg)))],
                           "You chose λ by the error on the training data, which always favours the smallest λ; "
                           "λ_best = argmin CV(λ), the leave-one-out error.",
                           "Вы выбрали λ по ошибке на обучающих данных, а по ней всегда выигрывает наименьшее λ; "
                           "λ_best = argmin CV(λ) — по ошибке кросс-валидации.")])
        w.apply(RIDGE_FIT, out="ridge.beta_best", symbol="β̂(λ_best)", role="value", names={"out": "β̂"},
                meaning={"en": "the estimate on all the data with λ_best", "ru": "оценка по всем данным при λ_best"},
                y="ridge.y", lam="ridge.lambda_best")
    if _best_t(y) is not None:
        w.derived("ridge.lambda_cv", _lambda_cv, ["ridge.y"], "λ_CV",
                  {"en": "the λ ≥ 0 with the smallest leave-one-out error over all λ (not only a grid)",
                   "ru": "λ ≥ 0 с наименьшей ошибкой кросс-валидации среди всех λ (не только из сетки)"},
                  "value", "t* = Σ yᵢ(S − yᵢ)/Σ (S − yᵢ)², λ_CV = max(0, 1/t* − (n − 1))")
        w.apply(RIDGE_FIT, out="ridge.beta_cv", symbol="β̂(λ_CV)", role="value", names={"out": "β̂"},
                meaning={"en": "the estimate on all the data with λ_CV", "ru": "оценка по всем данным при λ_CV"},
                y="ridge.y", lam="ridge.lambda_cv")


def _loo_mistakes(k: int, n: int) -> list:
    """β̂₋ᵢ = (Σy − yᵢ)/(n − 1 + λ) with the full-data fit, n not reduced, λ forgotten or subtracted."""
    right = "β̂₋ᵢ = (Σy − yᵢ)/(n − 1 + λ)"
    deps = ("ridge.y", "ridge.lambdas")
    return [
        mistake("full_fit", deps, lambda y_, l_: np.full(np.shape(y_), np.sum(y_) / (n + l_[k - 1])),
                f"You used the fit on all the data; leaving yᵢ out gives {right}.",
                f"Вы взяли оценку по всем данным, а без yᵢ получается {right}."),
        mistake("n_not_reduced", deps, lambda y_, l_: (np.sum(y_) - y_) / (n + l_[k - 1]),
                f"Only n − 1 observations are left, so the denominator is n − 1 + λ: {right}.",
                f"Остаётся n − 1 наблюдение, поэтому знаменатель n − 1 + λ: {right}."),
        mistake("ignore_lambda", deps, lambda y_, l_: (np.sum(y_) - y_) / (n - 1),
                f"You left out λ: the penalty stays when yᵢ is left out, {right}.",
                f"Вы не учли λ: штраф остаётся и без yᵢ, {right}."),
        mistake("minus_lambda", deps, lambda y_, l_: (np.sum(y_) - y_) / (n - 1 - l_[k - 1]),
                f"The penalty adds λ to the denominator, it does not subtract it: {right}.",
                f"Штраф добавляет λ в знаменатель, а не вычитает его: {right}."),
    ]


def _train_errors(y, lambdas, agg) -> np.ndarray:
    """The error of the fit on all the data, per λ: agg over i of (yᵢ − Σy/(n + λ))² (not cross-validation)."""
    y = np.asarray(y, dtype=np.float64)
    return np.array([agg((y - np.sum(y) / (y.size + lam)) ** 2) for lam in np.asarray(lambdas).reshape(-1)])


def _cv_full_fit(mean_cv: bool) -> tuple[str, str]:
    how = "mean" if mean_cv else "Σ"
    return (f"You scored the fit on all the data (the training error); each yᵢ must be predicted by β̂₋ᵢ, "
            f"fitted without it: CV = {how}ᵢ (yᵢ − β̂₋ᵢ)².",
            f"Вы оценили модель, обученную на всех данных (ошибку на обучении), а каждое yᵢ предсказывает "
            f"β̂₋ᵢ, построенная без него: CV = {how}ᵢ (yᵢ − β̂₋ᵢ)².")


def _cv_reduction(mean_cv: bool) -> tuple[str, str]:
    if mean_cv:
        return ("Your value is the sum of the n squared errors; this lesson takes their mean: "
                "CV = (1/n)·Σᵢ (yᵢ − β̂₋ᵢ)².",
                "Ваше значение — сумма n квадратов ошибок, а в этом уроке берётся их среднее: "
                "CV = (1/n)·Σᵢ (yᵢ − β̂₋ᵢ)².")
    return ("Your value is the mean of the n squared errors; this lesson takes their sum: "
            "CV = Σᵢ (yᵢ − β̂₋ᵢ)².",
            "Ваше значение — среднее n квадратов ошибок, а в этом уроке берётся их сумма: "
            "CV = Σᵢ (yᵢ − β̂₋ᵢ)².")


def _best_t(y: np.ndarray) -> float | None:
    """t* = argmin over t of Σ(yᵢ − (S − yᵢ)t)²; None when no finite λ ≥ 0 is best."""
    rest = np.sum(y) - y
    den = float(np.sum(rest ** 2))
    if den == 0:
        return None  # CV does not depend on λ
    t = float(np.sum(y * rest)) / den
    return t if t > 0 else None  # t* ≤ 0: the error keeps falling as λ → ∞


def _lambda_cv(y):
    y = np.asarray(y, dtype=np.float64)
    t = _best_t(y)
    if t is None:
        return np.nan
    return max(0.0, 1.0 / t - (y.size - 1))  # ≥ 0 in exact arithmetic; max() guards rounding


# -- initialisation ------------------------------------------------------------------------

def init(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, INIT_FIELDS)
    n_in = read_int(t, "n_in", path, 1, _MOST)
    n_out = read_int(t, "n_out", path, 1, _MOST) if "n_out" in t else None
    layers = read_int(t, "layers", path, 1, _MOST) if "layers" in t else None
    w.given("init.n_in", n_in, "n_in", {"en": "the number of inputs of a neuron", "ru": "число входов нейрона"})
    w.derived("init.a", lambda n: 1.0 / np.sqrt(n), ["init.n_in"], "a",
              {"en": "the half-width a = 1/√n_in of the uniform U[−a, a]",
               "ru": "полуширина a = 1/√n_in равномерного распределения U[−a, a]"}, "value", "a = 1/√n_in")
    w.derived("init.var_uniform", lambda a: a * a / 3.0, ["init.a"], "Var w",
              {"en": "the variance of a weight drawn from U[−a, a]",
               "ru": "дисперсия веса из U[−a, a]"}, "value", "Var w = a²/3",
              [mistake("width_a", ("init.a",), lambda a: a * a / 12.0,
                       "The width of U[−a, a] is 2a, not a: Var w = (2a)²/12 = a²/3.",
                       "Ширина U[−a, a] равна 2a, а не a: Var w = (2a)²/12 = a²/3."),
               mistake("half_a_squared", ("init.a",), lambda a: a * a / 2.0,
                       "The variance of U[−a, a] is (2a)²/12 = a²/3, not a²/2.",
                       "Дисперсия U[−a, a] равна (2a)²/12 = a²/3, а не a²/2.")])
    w.derived("init.gain", lambda n, v: n * v, ["init.n_in", "init.var_uniform"], "n_in·Var w",
              {"en": "the factor by which one layer multiplies the variance: Var z = n_in·Var w·Var x",
               "ru": "во сколько раз слой умножает дисперсию: Var z = n_in·Var w·Var x"},
              "value", "n_in·Var w")
    if layers is not None:
        w.given("init.layers", layers, "L", {"en": "the number of layers", "ru": "число слоёв"})
        w.derived("init.gain_total", lambda g, L: g ** L, ["init.gain", "init.layers"], "(n_in·Var w)^L",
                  {"en": "the factor on the variance after L such layers",
                   "ru": "во сколько раз меняется дисперсия после L таких слоёв"}, "value", "(n_in·Var w)^L")
    with_out = n_out is not None
    fans = {"n_in": "init.n_in", "n_out": "init.n_out"} if with_out else {"n_in": "init.n_in"}
    if with_out:  # given first, so that the other schemes can name Xavier's value as a mix-up
        w.given("init.n_out", n_out, "n_out", {"en": "the number of outputs of the layer",
                                               "ru": "число выходов слоя"})
    w.apply(init_scale("lecun", "uniform", with_out), out="init.lecun_uniform", symbol="a_LeCun", role="value",
            meaning={"en": "the uniform limit that keeps the variance (Var w = 1/n_in)",
                     "ru": "граница равномерного распределения, сохраняющая дисперсию (Var w = 1/n_in)"}, **fans)
    w.apply(init_scale("lecun", "std", with_out), out="init.lecun_std", symbol="σ_LeCun", role="value",
            meaning={"en": "the normal standard deviation that keeps the variance (Var w = 1/n_in)",
                     "ru": "стандартное отклонение нормального распределения, сохраняющее дисперсию "
                           "(Var w = 1/n_in)"}, **fans)
    w.apply(init_scale("he", "std", with_out), out="init.he_std", symbol="σ_He", role="value",
            meaning={"en": "He (ReLU) initialisation: the standard deviation of the normal",
                     "ru": "инициализация Хе (для ReLU): стандартное отклонение нормального распределения"}, **fans)
    w.apply(init_scale("he", "uniform", with_out), out="init.he_uniform", symbol="a_He", role="value",
            meaning={"en": "He (ReLU) initialisation: the limit of the uniform",
                     "ru": "инициализация Хе (для ReLU): граница равномерного распределения"}, **fans)
    if with_out:
        w.apply(init_scale("xavier", "uniform", True), out="init.xavier_uniform", symbol="a_Xavier", role="value",
                meaning={"en": "Xavier/Glorot initialisation: the limit of the uniform",
                         "ru": "инициализация Ксавье (Глоро): граница равномерного распределения"}, **fans)
        w.apply(init_scale("xavier", "std", True), out="init.xavier_std", symbol="σ_Xavier", role="value",
                meaning={"en": "Xavier/Glorot initialisation: the standard deviation of the normal",
                         "ru": "инициализация Ксавье (Глоро): стандартное отклонение нормального распределения"},
                **fans)
    w.convention("init", {
        "en": "weights and inputs independent with zero mean, so Var z = n_in·Var w·Var x; U[−a, a] has "
              "variance a²/3",
        "ru": "веса и входы независимы и имеют нулевое среднее, поэтому Var z = n_in·Var w·Var x; "
              "у U[−a, a] дисперсия a²/3",
    })


# -- when does a ReLU output zero ---------------------------------------------------------

def relu_zero(w: Writer, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, RELU_FIELDS)
    symmetric = read_bool(t, "symmetric", path, default=False)
    normal = [k for k in ("mean", "std") if k in t]
    linear = [k for k in ("x", "w_std", "b") if k in t]
    chosen = sum(map(bool, (symmetric, normal, linear)))
    if chosen != 1:
        raise DataError(path, "describe the pre-activation z in exactly one way: symmetric = true; "
                              "or mean and std (z ~ N(mean, std²)); or x, w_std and b (z = w·x + b, "
                              "wᵢ ~ N(0, w_std²))")
    p_zero = {"en": "the probability that the ReLU outputs 0", "ru": "вероятность, что ReLU выдаёт 0"}
    if symmetric:
        w.derived("relu.p_zero", lambda: 0.5, [], "P(ReLU(z) = 0)", p_zero,
                  "value", "P(z ≤ 0) = ½ for z symmetric about 0 (zero mean, zero bias)")
        w.convention("relu_zero", {
            "en": "the pre-activation z has a continuous distribution symmetric about 0 (zero-mean inputs "
                  "and weights, zero bias)",
            "ru": "предактивация z имеет непрерывное распределение, симметричное относительно 0 "
                  "(нулевые средние входов и весов, нулевое смещение)",
        })
        return
    if normal:
        mu = read_number(t, "mean", path, default=0.0)
        s = read_number(t, "std", path, positive=True)
        w.given("relu.mu", mu, "μ", {"en": "the mean of the pre-activation z", "ru": "среднее предактивации z"})
        w.given("relu.s", s, "s", {"en": "the standard deviation of the pre-activation z",
                                   "ru": "стандартное отклонение предактивации z"})
    else:
        x = read_array(t, "x", path, ndim=(0, 1)).reshape(-1)
        if not np.any(x != 0):
            raise DataError(f"{path}.x", "is all zeros: then z = b is not random")
        w_std = read_number(t, "w_std", path, positive=True)
        bias = read_number(t, "b", path, default=0.0)
        w.given("relu.x", x, "x", {"en": "the input of the neuron", "ru": "вход нейрона"})
        w.given("relu.w_std", w_std, "σ_w", {"en": "the standard deviation of each weight (mean 0)",
                                             "ru": "стандартное отклонение каждого веса (среднее 0)"})
        w.given("relu.b", bias, "b", {"en": "the bias", "ru": "смещение"})
        w.derived("relu.mu", same, ["relu.b"], "μ",
                  {"en": "the mean of the pre-activation z = w·x + b", "ru": "среднее предактивации z = w·x + b"},
                  "value", "μ = b")
        w.apply(WEIGHTED_SUM_STD, out="relu.s", symbol="s", role="value",
                meaning={"en": "the standard deviation of z = w·x + b", "ru": "стандартное отклонение z = w·x + b"},
                x="relu.x", sigma="relu.w_std")
    w.apply(RELU_ZERO, out="relu.p_zero", symbol="P(ReLU(z) = 0)", meaning=p_zero, role="value",
            mu="relu.mu", s="relu.s")
    w.convention("relu_zero", {
        "en": "the pre-activation is normal, z ~ N(μ, s²)" + ("" if normal else
              ", because z = w·x + b with x fixed and independent weights wᵢ ~ N(0, σ_w²)"),
        "ru": "предактивация нормальна, z ~ N(μ, s²)" + ("" if normal else
              ", так как z = w·x + b, x фиксирован, веса независимы, wᵢ ~ N(0, σ_w²)"),
    })
