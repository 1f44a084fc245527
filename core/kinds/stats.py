"""Building-block statistics: ridge with leave-one-out CV, initialisation scales, dead ReLUs, counts.

Each optional table of ``[problem]`` adds its own quantities (at least one is needed):

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
count_dense Σₗ (nₗ₋₁·nₗ + [bias]·nₗ).
count_conv  Σₗ (kₗ·kₗ·cₗ₋₁·cₗ + [bias]·cₗ) for square k×k kernels.
receptive   a stack of square convolutions and poolings on an n×n input, one side computed (rows and
            columns alike): jump jₗ = jₗ₋₁·sₗ, receptive field rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁
            (r₀ = j₀ = 1), output side nₗ = ⌊(nₗ₋₁ + 2pₗ − dₗ(kₗ − 1) − 1)/sₗ⌋ + 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import subscript
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TABLES = ("ridge", "init", "relu_zero", "count_dense", "count_conv", "receptive")
_RIDGE = {"y", "lambdas", "cv"}
_INIT = {"n_in", "n_out", "layers"}
_RELU = {"symmetric", "mean", "std", "x", "w_std", "b"}
_DENSE = {"sizes", "bias"}
_CONV = {"kernel", "channels", "bias"}


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, {"kind", *_TABLES})
    present = [t for t in _TABLES if t in data]
    if not present:
        raise DataError(f"{path}.ridge", "missing: give at least one of the tables " + ", ".join(_TABLES))
    b = ProblemBuilder("stats")
    builders = {"ridge": _ridge, "init": _init, "relu_zero": _relu_zero,
                "count_dense": _count_dense, "count_conv": _count_conv, "receptive": _receptive}
    for name in present:
        table = data[name]
        tpath = f"{path}.{name}"
        if not isinstance(table, Mapping):
            raise DataError(tpath, f"must be a table ([problem.{name}])")
        builders[name](b, table, tpath)
    return b.build()


# -- ridge on a constant model -----------------------------------------------------------

def _ridge(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, _RIDGE)
    y = read_array(t, "y", path, ndim=(1,))
    n = y.size
    if n < 2:
        raise DataError(f"{path}.y", "needs at least 2 observations for leave-one-out")
    lambdas = read_array(t, "lambdas", path, ndim=(1,), required=False)
    if lambdas is not None and (lambdas.size == 0 or np.any(lambdas < 0)):
        raise DataError(f"{path}.lambdas", "must be a non-empty list of λ ≥ 0")
    mean_cv = read_choice(t, "cv", path, ("mean", "sum"), default="mean") == "mean"
    agg = np.mean if mean_cv else np.sum

    b.given("ridge.y", y, "y", {"en": "the observations", "ru": "наблюдения"})
    b.derived("ridge.beta_ls", lambda y_: np.mean(y_), ["ridge.y"], "β̂(0)",
              {"en": "the estimate β̂ without a penalty (λ = 0): the mean",
               "ru": "оценка β̂ без штрафа (λ = 0): среднее"}, "value", "β̂(0) = Σy/n")
    b.convention("ridge", {
        "en": "model ŷ = β with loss Σ(y − β)² + λβ² (a sum, not a mean); when one observation is left out "
              "the penalty λβ² stays the same; the CV error is the " + ("mean" if mean_cv else "sum")
              + " of the n squared prediction errors",
        "ru": "модель ŷ = β, функция потерь Σ(y − β)² + λβ² (сумма, не среднее); при выбрасывании одного "
              "наблюдения штраф λβ² не меняется; ошибка кросс-валидации — "
              + ("среднее" if mean_cv else "сумма") + " n квадратов ошибок прогноза",
    })
    if lambdas is not None:
        b.given("ridge.lambdas", lambdas, "λ", {"en": "the grid of penalties λ", "ru": "сетка значений штрафа λ"})
        b.derived("ridge.beta", lambda y_, lam: np.sum(y_) / (n + lam), ["ridge.y", "ridge.lambdas"], "β̂(λ)",
                  {"en": "the estimate β̂ for each λ on the grid", "ru": "оценка β̂ для каждого λ из сетки"},
                  "value", "β̂(λ) = Σy/(n + λ)", _beta_mistakes("ridge.lambdas", n))
        other = np.sum if mean_cv else np.mean
        for k, lam in enumerate(lambdas, start=1):
            s = subscript(str(k))
            b.derived(f"ridge.loo{k}", lambda y_, l_, k=k: (np.sum(y_) - y_) / (n - 1 + l_[k - 1]),
                      ["ridge.y", "ridge.lambdas"], f"β̂₋ᵢ(λ{s})",
                      {"en": f"for λ = {lam:g}: the estimate fitted without observation i, for each i",
                       "ru": f"при λ = {lam:g}: оценка, построенная без i-го наблюдения, для каждого i"},
                      "value", f"β̂₋ᵢ(λ{s}) = (Σy − yᵢ)/(n − 1 + λ{s})", _loo_mistakes(k, n))
            b.derived(f"ridge.cv{k}", lambda y_, pred: agg((y_ - pred) ** 2), ["ridge.y", f"ridge.loo{k}"],
                      f"CV(λ{s})",
                      {"en": f"the leave-one-out error for λ = {lam:g}",
                       "ru": f"ошибка кросс-валидации «выкинь одного» при λ = {lam:g}"},
                      "value", f"CV(λ{s}) = {'mean' if mean_cv else 'Σ'}ᵢ (yᵢ − β̂₋ᵢ)²",
                      [Mistake("full_fit", ("ridge.y", "ridge.lambdas"),
                               lambda y_, l_, k=k: agg((y_ - np.sum(y_) / (n + l_[k - 1])) ** 2),
                               _cv_full_fit(mean_cv)),
                       Mistake("cv_reduction", ("ridge.y", f"ridge.loo{k}"), lambda y_, pred: other((y_ - pred) ** 2),
                               _cv_reduction(mean_cv), convention=True)])
        b.derived("ridge.cv", lambda *cvs: np.array(cvs), [f"ridge.cv{k}" for k in range(1, lambdas.size + 1)],
                  "CV(λ)", {"en": "the leave-one-out error for each λ on the grid",
                            "ru": "ошибка кросс-валидации для каждого λ из сетки"}, "value", "(CV(λ₁), CV(λ₂), …)",
                  [Mistake("full_fit", ("ridge.y", "ridge.lambdas"), lambda y_, l_: _train_errors(y_, l_, agg),
                           _cv_full_fit(mean_cv)),
                   Mistake("cv_reduction", tuple(f"ridge.cv{k}" for k in range(1, lambdas.size + 1)),
                           lambda *cvs: np.array(cvs) * (n if mean_cv else 1.0 / n),
                           _cv_reduction(mean_cv), convention=True)])
        # ties go to the first grid value, as np.argmin does
        b.derived("ridge.lambda_best", lambda cv, lam: lam[int(np.argmin(cv))], ["ridge.cv", "ridge.lambdas"],
                  "λ_best", {"en": "the λ on the grid with the smallest leave-one-out error (the first on ties)",
                             "ru": "λ из сетки с наименьшей ошибкой кросс-валидации (при равенстве — первое)"},
                  "value", "λ_best = argmin CV(λ)",
                  [Mistake("full_fit", ("ridge.y", "ridge.lambdas"),
                           lambda y_, l_: l_[int(np.argmin(_train_errors(y_, l_, agg)))], {
                               "en": "You chose λ by the error on the training data, which always favours the "
                                     "smallest λ; λ_best = argmin CV(λ), the leave-one-out error.",
                               "ru": "Вы выбрали λ по ошибке на обучающих данных, а по ней всегда выигрывает "
                                     "наименьшее λ; λ_best = argmin CV(λ) — по ошибке кросс-валидации."})])
        b.derived("ridge.beta_best", lambda y_, lam: np.sum(y_) / (n + lam), ["ridge.y", "ridge.lambda_best"],
                  "β̂(λ_best)", {"en": "the estimate on all the data with λ_best",
                                "ru": "оценка по всем данным при λ_best"}, "value", "β̂ = Σy/(n + λ_best)",
                  _beta_mistakes("ridge.lambda_best", n))
    if _best_t(y) is not None:
        b.derived("ridge.lambda_cv", _lambda_cv, ["ridge.y"], "λ_CV",
                  {"en": "the λ ≥ 0 with the smallest leave-one-out error over all λ (not only a grid)",
                   "ru": "λ ≥ 0 с наименьшей ошибкой кросс-валидации среди всех λ (не только из сетки)"},
                  "value", "t* = Σ yᵢ(S − yᵢ)/Σ (S − yᵢ)², λ_CV = max(0, 1/t* − (n − 1))")
        b.derived("ridge.beta_cv", lambda y_, lam: np.sum(y_) / (n + lam), ["ridge.y", "ridge.lambda_cv"],
                  "β̂(λ_CV)", {"en": "the estimate on all the data with λ_CV", "ru": "оценка по всем данным при λ_CV"},
                  "value", "β̂ = Σy/(n + λ_CV)", _beta_mistakes("ridge.lambda_cv", n))


def _beta_mistakes(lam_key: str, n: int) -> list[Mistake]:
    """β̂(λ) = Σy/(n + λ) with λ forgotten, or subtracted."""
    return [
        Mistake("ignore_lambda", ("ridge.y", lam_key), lambda y_, lam: np.full(np.shape(lam), np.sum(y_) / n), {
            "en": "You left out λ: the penalty λβ² adds λ to the denominator, β̂(λ) = Σy/(n + λ).",
            "ru": "Вы не учли λ: штраф λβ² добавляет λ в знаменатель, β̂(λ) = Σy/(n + λ)."}),
        Mistake("minus_lambda", ("ridge.y", lam_key), lambda y_, lam: np.sum(y_) / (n - lam), {
            "en": "The penalty adds λ to the denominator, it does not subtract it: β̂(λ) = Σy/(n + λ).",
            "ru": "Штраф добавляет λ в знаменатель, а не вычитает его: β̂(λ) = Σy/(n + λ)."}),
    ]


def _loo_mistakes(k: int, n: int) -> list[Mistake]:
    """β̂₋ᵢ = (Σy − yᵢ)/(n − 1 + λ) with the full-data fit, n not reduced, λ forgotten or subtracted."""
    right = "β̂₋ᵢ = (Σy − yᵢ)/(n − 1 + λ)"
    deps = ("ridge.y", "ridge.lambdas")
    return [
        Mistake("full_fit", deps, lambda y_, l_: np.full(np.shape(y_), np.sum(y_) / (n + l_[k - 1])), {
            "en": f"You used the fit on all the data; leaving yᵢ out gives {right}.",
            "ru": f"Вы взяли оценку по всем данным, а без yᵢ получается {right}."}),
        Mistake("n_not_reduced", deps, lambda y_, l_: (np.sum(y_) - y_) / (n + l_[k - 1]), {
            "en": f"Only n − 1 observations are left, so the denominator is n − 1 + λ: {right}.",
            "ru": f"Остаётся n − 1 наблюдение, поэтому знаменатель n − 1 + λ: {right}."}),
        Mistake("ignore_lambda", deps, lambda y_, l_: (np.sum(y_) - y_) / (n - 1), {
            "en": f"You left out λ: the penalty stays when yᵢ is left out, {right}.",
            "ru": f"Вы не учли λ: штраф остаётся и без yᵢ, {right}."}),
        Mistake("minus_lambda", deps, lambda y_, l_: (np.sum(y_) - y_) / (n - 1 - l_[k - 1]), {
            "en": f"The penalty adds λ to the denominator, it does not subtract it: {right}.",
            "ru": f"Штраф добавляет λ в знаменатель, а не вычитает его: {right}."}),
    ]


def _train_errors(y, lambdas, agg) -> np.ndarray:
    """The error of the fit on all the data, per λ: agg over i of (yᵢ − Σy/(n + λ))² (not cross-validation)."""
    y = np.asarray(y, dtype=np.float64)
    return np.array([agg((y - np.sum(y) / (y.size + lam)) ** 2) for lam in np.asarray(lambdas).reshape(-1)])


def _cv_full_fit(mean_cv: bool) -> dict[str, str]:
    how = "mean" if mean_cv else "Σ"
    return {"en": f"You scored the fit on all the data (the training error); each yᵢ must be predicted by β̂₋ᵢ, "
                  f"fitted without it: CV = {how}ᵢ (yᵢ − β̂₋ᵢ)².",
            "ru": f"Вы оценили модель, обученную на всех данных (ошибку на обучении), а каждое yᵢ предсказывает "
                  f"β̂₋ᵢ, построенная без него: CV = {how}ᵢ (yᵢ − β̂₋ᵢ)²."}


def _cv_reduction(mean_cv: bool) -> dict[str, str]:
    if mean_cv:
        return {"en": "Your value is the sum of the n squared errors; this lesson takes their mean: "
                      "CV = (1/n)·Σᵢ (yᵢ − β̂₋ᵢ)².",
                "ru": "Ваше значение — сумма n квадратов ошибок, а в этом уроке берётся их среднее: "
                      "CV = (1/n)·Σᵢ (yᵢ − β̂₋ᵢ)²."}
    return {"en": "Your value is the mean of the n squared errors; this lesson takes their sum: "
                  "CV = Σᵢ (yᵢ − β̂₋ᵢ)².",
            "ru": "Ваше значение — среднее n квадратов ошибок, а в этом уроке берётся их сумма: "
                  "CV = Σᵢ (yᵢ − β̂₋ᵢ)²."}


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

def _init(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, _INIT)
    n_in = _read_int(t, "n_in", path)
    n_out = _read_int(t, "n_out", path, required=False)
    layers = _read_int(t, "layers", path, required=False)
    b.given("init.n_in", n_in, "n_in", {"en": "the number of inputs of a neuron", "ru": "число входов нейрона"})
    b.derived("init.a", lambda n: 1.0 / np.sqrt(n), ["init.n_in"], "a",
              {"en": "the half-width a = 1/√n_in of the uniform U[−a, a]",
               "ru": "полуширина a = 1/√n_in равномерного распределения U[−a, a]"}, "value", "a = 1/√n_in")
    b.derived("init.var_uniform", lambda a: a * a / 3.0, ["init.a"], "Var w",
              {"en": "the variance of a weight drawn from U[−a, a]",
               "ru": "дисперсия веса из U[−a, a]"}, "value", "Var w = a²/3",
              [Mistake("width_a", ("init.a",), lambda a: a * a / 12.0, {
                  "en": "The width of U[−a, a] is 2a, not a: Var w = (2a)²/12 = a²/3.",
                  "ru": "Ширина U[−a, a] равна 2a, а не a: Var w = (2a)²/12 = a²/3."}),
               Mistake("half_a_squared", ("init.a",), lambda a: a * a / 2.0, {
                  "en": "The variance of U[−a, a] is (2a)²/12 = a²/3, not a²/2.",
                  "ru": "Дисперсия U[−a, a] равна (2a)²/12 = a²/3, а не a²/2."})])
    b.derived("init.gain", lambda n, v: n * v, ["init.n_in", "init.var_uniform"], "n_in·Var w",
              {"en": "the factor by which one layer multiplies the variance: Var z = n_in·Var w·Var x",
               "ru": "во сколько раз слой умножает дисперсию: Var z = n_in·Var w·Var x"},
              "value", "n_in·Var w")
    if layers is not None:
        b.given("init.layers", layers, "L", {"en": "the number of layers", "ru": "число слоёв"})
        b.derived("init.gain_total", lambda g, L: g ** L, ["init.gain", "init.layers"], "(n_in·Var w)^L",
                  {"en": "the factor on the variance after L such layers",
                   "ru": "во сколько раз меняется дисперсия после L таких слоёв"}, "value", "(n_in·Var w)^L")
    if n_out is not None:  # given first, so that the other schemes can name Xavier's value as a mix-up
        b.given("init.n_out", n_out, "n_out", {"en": "the number of outputs of the layer",
                                               "ru": "число выходов слоя"})
    b.derived("init.lecun_uniform", lambda n: np.sqrt(3.0 / n), ["init.n_in"], "a_LeCun",
              {"en": "the uniform limit that keeps the variance (Var w = 1/n_in)",
               "ru": "граница равномерного распределения, сохраняющая дисперсию (Var w = 1/n_in)"},
              "value", "a = √(3/n_in)", _scheme_mistakes("lecun", "uniform", n_out is not None))
    b.derived("init.lecun_std", lambda n: 1.0 / np.sqrt(n), ["init.n_in"], "σ_LeCun",
              {"en": "the normal standard deviation that keeps the variance (Var w = 1/n_in)",
               "ru": "стандартное отклонение нормального распределения, сохраняющее дисперсию (Var w = 1/n_in)"},
              "value", "σ = 1/√n_in", _scheme_mistakes("lecun", "std", n_out is not None))
    b.derived("init.he_std", lambda n: np.sqrt(2.0 / n), ["init.n_in"], "σ_He",
              {"en": "He (ReLU) initialisation: the standard deviation of the normal",
               "ru": "инициализация Хе (для ReLU): стандартное отклонение нормального распределения"},
              "value", "σ = √(2/n_in)", _scheme_mistakes("he", "std", n_out is not None))
    b.derived("init.he_uniform", lambda n: np.sqrt(6.0 / n), ["init.n_in"], "a_He",
              {"en": "He (ReLU) initialisation: the limit of the uniform",
               "ru": "инициализация Хе (для ReLU): граница равномерного распределения"},
              "value", "a = √(6/n_in)", _scheme_mistakes("he", "uniform", n_out is not None))
    if n_out is not None:
        b.derived("init.xavier_uniform", lambda i, o: np.sqrt(6.0 / (i + o)), ["init.n_in", "init.n_out"], "a_Xavier",
                  {"en": "Xavier/Glorot initialisation: the limit of the uniform",
                   "ru": "инициализация Ксавье (Глоро): граница равномерного распределения"},
                  "value", "a = √(6/(n_in + n_out))", _scheme_mistakes("xavier", "uniform", True))
        b.derived("init.xavier_std", lambda i, o: np.sqrt(2.0 / (i + o)), ["init.n_in", "init.n_out"], "σ_Xavier",
                  {"en": "Xavier/Glorot initialisation: the standard deviation of the normal",
                   "ru": "инициализация Ксавье (Глоро): стандартное отклонение нормального распределения"},
                  "value", "σ = √(2/(n_in + n_out))", _scheme_mistakes("xavier", "std", True))
    b.convention("init", {
        "en": "weights and inputs independent with zero mean, so Var z = n_in·Var w·Var x; U[−a, a] has "
              "variance a²/3",
        "ru": "веса и входы независимы и имеют нулевое среднее, поэтому Var z = n_in·Var w·Var x; "
              "у U[−a, a] дисперсия a²/3",
    })


# Var w of each scheme (i = n_in, o = n_out), its name, and its uniform limit and normal σ for the messages.
_SCHEMES = {
    "lecun": (lambda i, o: 1.0 / i, {"en": "LeCun's", "ru": "ЛеКуна"}, "√(3/n_in)", "σ = 1/√n_in"),
    "he": (lambda i, o: 2.0 / i, {"en": "He's", "ru": "Хе"}, "√(6/n_in)", "σ = √(2/n_in)"),
    "xavier": (lambda i, o: 2.0 / (i + o), {"en": "Xavier/Glorot's", "ru": "Ксавье (Глоро)"},
               "√(6/(n_in + n_out))", "σ = √(2/(n_in + n_out))"),
}


def _scheme_mistakes(scheme: str, form: str, with_out: bool) -> list[Mistake]:
    """The same scale (uniform limit √(3·Var w) or normal σ = √Var w) by another initialisation
    scheme: another convention, so each message names both."""
    _, mine, mine_a, mine_s = _SCHEMES[scheme]
    ours = f"a = {mine_a}" if form == "uniform" else mine_s
    out = []
    for other in ("lecun", "he", "xavier"):
        if other == scheme or (other == "xavier" and not with_out):
            continue
        var, theirs, their_a, their_s = _SCHEMES[other]
        factor = 3.0 if form == "uniform" else 1.0
        shown = f"a = {their_a}" if form == "uniform" else their_s
        if with_out:
            fn = lambda i, o, var=var, factor=factor: np.sqrt(factor * var(i, o))  # noqa: E731
        else:
            fn = lambda i, var=var, factor=factor: np.sqrt(factor * var(i, 1.0))  # noqa: E731
        out.append(Mistake(other, ("init.n_in", "init.n_out") if with_out else ("init.n_in",), fn, {
            "en": f"Your value is {theirs['en']} scale {shown}; this step asks for {mine['en']}: {ours}.",
            "ru": f"Ваше значение — масштаб {theirs['ru']} {shown}, а здесь нужен масштаб {mine['ru']}: {ours}."},
            convention=True))
    return out


# -- when does a ReLU output zero ---------------------------------------------------------

def _relu_zero(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, _RELU)
    symmetric = read_bool(t, "symmetric", path, default=False)
    normal = [k for k in ("mean", "std") if k in t]
    linear = [k for k in ("x", "w_std", "b") if k in t]
    chosen = sum(map(bool, (symmetric, normal, linear)))
    if chosen != 1:
        raise DataError(path, "describe the pre-activation z in exactly one way: symmetric = true; "
                              "or mean and std (z ~ N(mean, std²)); or x, w_std and b (z = w·x + b, "
                              "wᵢ ~ N(0, w_std²))")
    if symmetric:
        b.derived("relu.p_zero", lambda: 0.5, [], "P(ReLU(z) = 0)",
                  {"en": "the probability that the ReLU outputs 0",
                   "ru": "вероятность, что ReLU выдаёт 0"},
                  "value", "P(z ≤ 0) = ½ for z symmetric about 0 (zero mean, zero bias)")
        b.convention("relu_zero", {
            "en": "the pre-activation z has a continuous distribution symmetric about 0 (zero-mean inputs "
                  "and weights, zero bias)",
            "ru": "предактивация z имеет непрерывное распределение, симметричное относительно 0 "
                  "(нулевые средние входов и весов, нулевое смещение)",
        })
        return
    if normal:
        mu = read_number(t, "mean", path, default=0.0)
        s = read_number(t, "std", path, positive=True)
        b.given("relu.mu", mu, "μ", {"en": "the mean of the pre-activation z", "ru": "среднее предактивации z"})
        b.given("relu.s", s, "s", {"en": "the standard deviation of the pre-activation z",
                                   "ru": "стандартное отклонение предактивации z"})
    else:
        x = read_array(t, "x", path, ndim=(0, 1)).reshape(-1)
        if not np.any(x != 0):
            raise DataError(f"{path}.x", "is all zeros: then z = b is not random")
        w_std = read_number(t, "w_std", path, positive=True)
        bias = read_number(t, "b", path, default=0.0)
        b.given("relu.x", x, "x", {"en": "the input of the neuron", "ru": "вход нейрона"})
        b.given("relu.w_std", w_std, "σ_w", {"en": "the standard deviation of each weight (mean 0)",
                                             "ru": "стандартное отклонение каждого веса (среднее 0)"})
        b.given("relu.b", bias, "b", {"en": "the bias", "ru": "смещение"})
        b.derived("relu.mu", lambda b_: b_ * 1.0, ["relu.b"], "μ",
                  {"en": "the mean of the pre-activation z = w·x + b", "ru": "среднее предактивации z = w·x + b"},
                  "value", "μ = b")
        b.derived("relu.s", lambda x_, sw: sw * _norm(x_), ["relu.x", "relu.w_std"], "s",
                  {"en": "the standard deviation of z = w·x + b", "ru": "стандартное отклонение z = w·x + b"},
                  "value", "s = σ_w·‖x‖ = σ_w·√(Σ xᵢ²)",
                  [Mistake("variance_not_std", ("relu.x", "relu.w_std"), lambda x_, sw: sw * sw * np.sum(x_ ** 2), {
                      "en": "That is the variance of z; its standard deviation is the root: s = σ_w·√(Σ xᵢ²).",
                      "ru": "Это дисперсия z, а стандартное отклонение — корень из неё: s = σ_w·√(Σ xᵢ²)."}),
                   Mistake("std_added", ("relu.x", "relu.w_std"), lambda x_, sw: sw * np.sum(np.abs(x_)), {
                      "en": "You added standard deviations; variances add, not deviations: s = σ_w·√(Σ xᵢ²).",
                      "ru": "Вы сложили стандартные отклонения, а складываются дисперсии: s = σ_w·√(Σ xᵢ²)."})])
    b.derived("relu.p_zero", lambda mu_, s_: _p_not_above_zero(mu_, s_),
              ["relu.mu", "relu.s"], "P(ReLU(z) = 0)",
              {"en": "the probability that the ReLU outputs 0", "ru": "вероятность, что ReLU выдаёт 0"},
              "value", "P(z ≤ 0) = Φ(−μ/s) = ½·erfc(μ/(s√2))",
              [Mistake("p_active", ("relu.mu", "relu.s"),
                       lambda mu_, s_: _p_not_above_zero(-mu_, s_), {
                           "en": "That is P(z > 0), the chance the ReLU is active; it outputs 0 when z ≤ 0: "
                                 "P = Φ(−μ/s).",
                           "ru": "Это P(z > 0) — вероятность, что ReLU активен, а 0 он выдаёт при z ≤ 0: "
                                 "P = Φ(−μ/s)."})])
    b.convention("relu_zero", {
        "en": "the pre-activation is normal, z ~ N(μ, s²)" + ("" if normal else
              ", because z = w·x + b with x fixed and independent weights wᵢ ~ N(0, σ_w²)"),
        "ru": "предактивация нормальна, z ~ N(μ, s²)" + ("" if normal else
              ", так как z = w·x + b, x фиксирован, веса независимы, wᵢ ~ N(0, σ_w²)"),
    })


def _norm(x: np.ndarray) -> float:
    """‖x‖ = √(Σ xᵢ²), scaled by the largest |xᵢ| first: a tiny x (1e-300) has a tiny norm, not 0."""
    m = float(np.max(np.abs(x))) if np.size(x) else 0.0
    return 0.0 if m == 0 or not np.isfinite(m) else m * float(np.sqrt(np.sum((x / m) ** 2)))


def _p_not_above_zero(mu, s) -> float:
    """P(z ≤ 0) for z ~ N(μ, s²) = ½·erfc(μ/(s√2)).

    A standard deviation too small for a float (σ_w·‖x‖ with x = 5e-324, or a student's 0 for a
    tiny s) is the limit s → 0⁺: 1 for μ < 0, 0 for μ > 0, ½ for μ = 0 (z still symmetric).
    """
    mu, s = float(mu), float(s)
    if s == 0:
        return 0.5 if mu == 0 else float(mu < 0)
    with np.errstate(all="ignore"):  # μ/s overflows to ±inf for a tiny s: erfc gives 0 or 2
        return 0.5 * math.erfc(float(np.float64(mu) / (np.float64(s) * math.sqrt(2.0))))


# -- counting parameters ------------------------------------------------------------------

def _count_dense(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, _DENSE)
    sizes = _read_int_list(t, "sizes", path, min_len=2, what="layer sizes, inputs first (e.g. [12, 300, 1])")
    bias = _read_bias(t, path)
    b.given("dense.sizes", sizes, "n", {"en": "the layer sizes, inputs first", "ru": "размеры слоёв, начиная со входа"})
    for l in range(1, len(sizes)):
        s, sp = subscript(str(l)), subscript(str(l - 1))
        b.derived(f"dense.params{l}", lambda n, l=l: n[l - 1] * n[l] + (n[l] if bias else 0.0), ["dense.sizes"],
                  f"P{s}", {"en": f"the parameters of layer {l}", "ru": f"параметры слоя {l}"},
                  "value", f"P{s} = n{sp}·n{s}" + (f" + n{s}" if bias else ""),
                  [Mistake("no_bias", ("dense.sizes",), lambda n, l=l: n[l - 1] * n[l], _DENSE_NO_BIAS)]
                  if bias else [])
    b.derived("dense.weights", lambda n: float(np.sum(n[:-1] * n[1:])), ["dense.sizes"], "#W",
              {"en": "all weights of the net", "ru": "все веса сети"}, "value", "#W = Σₗ₌₁ nₗ₋₁·nₗ")
    b.derived("dense.biases", lambda n: float(np.sum(n[1:])) if bias else 0.0, ["dense.sizes"], "#b",
              {"en": "all biases of the net", "ru": "все смещения сети"}, "value",
              "#b = Σₗ₌₁ nₗ" if bias else "#b = 0")
    b.derived("dense.params", lambda w, b_: w + b_, ["dense.weights", "dense.biases"], "P",
              {"en": "all parameters of the net", "ru": "все параметры сети"}, "value", "P = #W + #b",
              [Mistake("no_bias", ("dense.weights",), lambda w: w, _DENSE_NO_BIAS)] if bias else [])
    b.convention("count_dense", {
        "en": "dense layers, every unit joined to every unit of the previous layer"
              + ("; every unit after the inputs has a bias" if bias else "; no biases"),
        "ru": "полносвязные слои: каждый нейрон связан со всеми нейронами предыдущего слоя"
              + ("; у каждого нейрона после входа есть смещение" if bias else "; смещений нет"),
    })


def _count_conv(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    reject_unknown(t, path, _CONV)
    channels = _read_int_list(t, "channels", path, min_len=2, what="channel counts c₀, c₁, …, input first")
    n_layers = channels.size - 1
    raw = t.get("kernel")
    if isinstance(raw, list):
        kernel = _read_int_list(t, "kernel", path, min_len=1, what="kernel sizes, one per layer")
        if kernel.size != n_layers:
            raise DataError(f"{path}.kernel", f"has {kernel.size} sizes but channels describes {n_layers} layers")
    else:
        kernel = np.full(n_layers, float(_read_int(t, "kernel", path)))
    bias = _read_bias(t, path)
    b.given("conv.channels", channels, "c", {"en": "the channel counts, input first",
                                             "ru": "число каналов, начиная со входа"})
    b.given("conv.kernel", kernel, "k", {"en": "the kernel size k of each layer (k×k)",
                                         "ru": "размер ядра k каждого слоя (k×k)"})
    for l in range(1, n_layers + 1):
        s, sp = subscript(str(l)), subscript(str(l - 1))
        layer_mistakes = [Mistake("no_in_channels", ("conv.channels", "conv.kernel"),
                                  lambda c, k, l=l: k[l - 1] ** 2 * c[l] + (c[l] if bias else 0.0), _CONV_NO_IN)]
        if bias:
            layer_mistakes.append(Mistake("no_bias", ("conv.channels", "conv.kernel"),
                                          lambda c, k, l=l: k[l - 1] ** 2 * c[l - 1] * c[l], _CONV_NO_BIAS))
        b.derived(f"conv.params{l}", lambda c, k, l=l: k[l - 1] ** 2 * c[l - 1] * c[l] + (c[l] if bias else 0.0),
                  ["conv.channels", "conv.kernel"], f"P{s}",
                  {"en": f"the parameters of convolution layer {l}", "ru": f"параметры свёрточного слоя {l}"},
                  "value", f"P{s} = k{s}·k{s}·c{sp}·c{s}" + (f" + c{s}" if bias else ""), layer_mistakes)

    def no_in(c, k):
        """All weights with the input channels forgotten in every layer: Σₗ kₗ²·cₗ."""
        return float(np.sum(k ** 2 * c[1:]))

    b.derived("conv.weights", lambda c, k: float(np.sum(k ** 2 * c[:-1] * c[1:])), ["conv.channels", "conv.kernel"],
              "#W", {"en": "all kernel weights", "ru": "все веса ядер"}, "value", "Σₗ kₗ·kₗ·cₗ₋₁·cₗ",
              [Mistake("no_in_channels", ("conv.channels", "conv.kernel"), no_in, _CONV_NO_IN)])
    b.derived("conv.biases", lambda c: float(np.sum(c[1:])) if bias else 0.0, ["conv.channels"], "#b",
              {"en": "all biases (one per output channel)", "ru": "все смещения (по одному на выходной канал)"},
              "value", "Σₗ cₗ" if bias else "0 (no biases)")
    total_mistakes = [Mistake("no_in_channels", ("conv.channels", "conv.kernel", "conv.biases"),
                              lambda c, k, b_: no_in(c, k) + b_, _CONV_NO_IN)]
    if bias:
        total_mistakes.append(Mistake("no_bias", ("conv.weights",), lambda w: w, _CONV_NO_BIAS))
    b.derived("conv.params", lambda w, b_: w + b_, ["conv.weights", "conv.biases"], "P",
              {"en": "all parameters of the convolution stack", "ru": "все параметры свёрточных слоёв"},
              "value", "P = #W + #b", total_mistakes)
    b.convention("count_conv", {
        "en": "each output channel has one k×k kernel per input channel"
              + ("; one bias per output channel" if bias else "; no biases"),
        "ru": "у каждого выходного канала своё ядро k×k для каждого входного канала"
              + ("; одно смещение на выходной канал" if bias else "; смещений нет"),
    })


_DENSE_NO_BIAS = {
    "en": "You counted only the weights; every unit after the inputs also has a bias: nₗ₋₁·nₗ + nₗ per layer.",
    "ru": "Вы посчитали только веса, а у каждого нейрона после входа есть ещё смещение: nₗ₋₁·nₗ + nₗ на слой.",
}
_CONV_NO_BIAS = {
    "en": "You counted only the weights; each output channel also has a bias: kₗ·kₗ·cₗ₋₁·cₗ + cₗ per layer.",
    "ru": "Вы посчитали только веса, а у каждого выходного канала есть ещё смещение: kₗ·kₗ·cₗ₋₁·cₗ + cₗ на слой.",
}
_CONV_NO_IN = {
    "en": "You left out the input channels: each output channel has a k×k kernel for every input channel, "
          "kₗ·kₗ·cₗ₋₁·cₗ weights per layer.",
    "ru": "Вы не учли входные каналы: у каждого выходного канала своё ядро k×k на каждый входной канал, "
          "kₗ·kₗ·cₗ₋₁·cₗ весов на слой.",
}


# -- receptive field of a stack of layers ---------------------------------------------------

_RECEPTIVE = {"size", "layers"}
_LAYER = {"type", "kernel", "stride", "padding", "dilation"}
_LAYER_TYPES = ("conv", "maxpool", "avgpool")
_MAX_LAYERS = 30
_MAX_FIELD = 2 ** 53  # beyond this float64 no longer holds every whole number
_LAYER_NAMES = {"conv": ("convolution", "свёртка"), "maxpool": ("max pooling", "max-пулинг"),
                "avgpool": ("average pooling", "усредняющий пулинг")}


@dataclass(frozen=True)
class _Layer:
    """One layer of the stack, per side: kernel k, stride s, padding p, dilation d."""

    type: str
    k: int
    s: int
    p: int
    d: int

    @property
    def span(self) -> int:
        """The input width of one window: d(k − 1) + 1 (k without dilation)."""
        return self.d * (self.k - 1) + 1

    @property
    def pool(self) -> bool:
        return self.type != "conv"


def _read_layers(t: Mapping[str, Any], path: str) -> list[_Layer]:
    field = f"{path}.layers"
    raw = t.get("layers")
    if not isinstance(raw, list) or not raw:
        raise DataError(field, 'missing or empty: a list of layers in order, such as '
                               '[{ type = "conv", kernel = 3 }, { type = "maxpool", kernel = 2 }]')
    if len(raw) > _MAX_LAYERS:
        raise DataError(field, f"too many layers ({len(raw)}; at most {_MAX_LAYERS})")
    layers = []
    for i, item in enumerate(raw, start=1):
        lpath = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise DataError(lpath, 'must be an inline table such as { type = "conv", kernel = 3 }')
        reject_unknown(item, lpath, _LAYER)
        kind = read_choice(item, "type", lpath, _LAYER_TYPES)
        k = _read_int(item, "kernel", lpath)
        # a pooling window moves by its own size unless told otherwise (as in PyTorch)
        s = _read_whole(item, "stride", lpath, default=1 if kind == "conv" else k, minimum=1)
        p = _read_whole(item, "padding", lpath, default=0, minimum=0)
        if kind != "conv" and p > k // 2:  # as PyTorch: else a window could see padding only
            raise DataError(f"{lpath}.padding", f"a pooling's padding can be at most half its window, "
                                                f"⌊{k}/2⌋ = {k // 2}; got {p}")
        if "dilation" in item and kind != "conv":
            raise DataError(f"{lpath}.dilation", "only a convolution takes a dilation here")
        d = _read_whole(item, "dilation", lpath, default=1, minimum=1)
        layers.append(_Layer(kind, k, s, p, d))
    return layers


def _receptive(b: ProblemBuilder, t: Mapping[str, Any], path: str) -> None:
    """Per layer l (1-based): jₗ = jₗ₋₁·sₗ, rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁ (r₀ = j₀ = 1) and, with
    the input side n₀, nₗ = ⌊(nₗ₋₁ + 2pₗ − dₗ(kₗ − 1) − 1)/sₗ⌋ + 1. One side of a square stack."""
    reject_unknown(t, path, _RECEPTIVE)
    size = _read_int(t, "size", path, required=False)
    layers = _read_layers(t, path)
    # exact integers first, so that bad data is named before anything is built
    r, j, n = 1, 1, size
    for l, ly in enumerate(layers, start=1):
        r, j = r + (ly.span - 1) * j, j * ly.s
        if r > _MAX_FIELD or j > _MAX_FIELD:
            raise DataError(f"{path}.layers", f"the receptive field or jump passes 2⁵³ pixels at layer {l}; "
                                              "use fewer layers or smaller strides")
        if n is not None:
            out = (n + 2 * ly.p - ly.span) // ly.s + 1
            if out < 1:
                window = f"{ly.span}" + (f" (d(k − 1) + 1 with d = {ly.d})" if ly.d != 1 else "")
                raise DataError(f"{path}.layers[{l}]",
                                f"the window does not fit: layer {l} gets {n} pixels per side plus {ly.p} of "
                                f"padding on each side, but its window spans {window}; "
                                f"⌊({n} + 2·{ly.p} − {ly.span})/{ly.s}⌋ + 1 = {out}")
            n = out
    dilated = any(ly.d != 1 for ly in layers)

    b.given("receptive.kernel", [ly.k for ly in layers], "k",
            {"en": "the kernel (window) size k of each layer, in order (k×k)",
             "ru": "размер ядра (окна) k каждого слоя по порядку (k×k)"})
    b.given("receptive.stride", [ly.s for ly in layers], "s",
            {"en": "the stride s of each layer", "ru": "шаг s каждого слоя"})
    if dilated:
        b.given("receptive.dilation", [ly.d for ly in layers], "d",
                {"en": "the dilation d of each layer (1: an ordinary kernel)",
                 "ru": "расширение (dilation) d каждого слоя (1 — обычное ядро)"})
    if size is not None:
        b.given("receptive.padding", [ly.p for ly in layers], "p",
                {"en": "the zero padding p of each layer, on each side",
                 "ru": "дополнение нулями p каждого слоя, с каждой стороны"})
        b.given("receptive.n0", size, "n₀", {"en": "the side of the input (n₀×n₀ pixels)",
                                              "ru": "сторона входа (n₀×n₀ пикселей)"})
    for l in range(1, len(layers) + 1):
        _receptive_layer(b, layers, l, dilated, size is not None)
    last = len(layers)
    b.derived("receptive.r", lambda r_: r_ * 1.0, [f"receptive.r{last}"], "r",
              {"en": "the receptive field of a unit of the last layer: it sees r×r input pixels",
               "ru": "рецептивное поле (поле обзора) нейрона последнего слоя: он видит r×r пикселей входа"},
              "value", f"r = r{subscript(str(last))}",
              lambda: _r_mistakes(layers, last, dilated))
    b.convention("receptive", _receptive_convention(dilated, size is not None))


def _describe(ly: _Layer) -> dict[str, str]:
    """'max pooling 2×2, stride 2' in both languages."""
    en, ru = _LAYER_NAMES[ly.type]
    extra_en = f", dilation {ly.d}" if ly.d != 1 else ""
    extra_ru = f", расширение {ly.d}" if ly.d != 1 else ""
    return {"en": f"{en} {ly.k}×{ly.k}, stride {ly.s}{extra_en}",
            "ru": f"{ru} {ly.k}×{ly.k}, шаг {ly.s}{extra_ru}"}


def _receptive_layer(b: ProblemBuilder, layers: list[_Layer], l: int, dilated: bool, sized: bool) -> None:
    """jₗ, rₗ and (with the input size) nₗ of layer l; the layer's numbers are fixed by the data."""
    ly = layers[l - 1]
    sl, sp = subscript(str(l)), subscript(str(l - 1))
    what = _describe(ly)
    prev_j = [f"receptive.j{l - 1}"] if l > 1 else []  # j₀ = r₀ = 1 are not quantities
    prev_r = [f"receptive.r{l - 1}"] if l > 1 else []
    if l == 1:
        j_fn = lambda s=ly.s: float(s)  # noqa: E731
        r_fn = lambda span=ly.span: float(span)  # noqa: E731
    else:
        j_fn = lambda jp, s=ly.s: jp * s  # noqa: E731
        r_fn = lambda rp, jp, span=ly.span: rp + (span - 1) * jp  # noqa: E731
    b.derived(f"receptive.j{l}", j_fn, prev_j, f"j{sl}",
              {"en": f"the jump of layer {l} ({what['en']}): how many input pixels apart its neighbouring units are",
               "ru": f"суммарный шаг слоя {l} ({what['ru']}): на сколько пикселей входа отстоят друг от друга "
                     f"соседние нейроны этого слоя"},
              "value", f"j{sl} = j{sp}·s{sl}", lambda: _j_mistakes(layers, l))
    kd = f"d{sl}(k{sl} − 1)" if dilated else f"(k{sl} − 1)"
    b.derived(f"receptive.r{l}", r_fn, [*prev_r, *prev_j], f"r{sl}",
              {"en": f"the receptive field of a unit of layer {l} ({what['en']}): the width of the input window "
                     f"it sees, in pixels",
               "ru": f"рецептивное поле (поле обзора) нейрона слоя {l} ({what['ru']}): ширина окна входа, "
                     f"которое он видит, в пикселях"},
              "value", f"r{sl} = r{sp} + {kd}·j{sp}", lambda: _r_mistakes(layers, l, dilated))
    if sized:
        prev_n = [f"receptive.n{l - 1}"]
        ks = f"d{sl}(k{sl} − 1) − 1" if dilated else f"k{sl}"
        b.derived(f"receptive.n{l}", lambda n_, ly=ly: np.floor((n_ + 2 * ly.p - ly.span) / ly.s) + 1,
                  prev_n, f"n{sl}",
                  {"en": f"the side of the output of layer {l} ({what['en']}, padding {ly.p})",
                   "ru": f"сторона выхода слоя {l} ({what['ru']}, дополнение {ly.p})"},
                  "value", f"n{sl} = ⌊(n{sp} + 2p{sl} − {ks})/s{sl}⌋ + 1", lambda: _n_mistakes(ly, l, dilated))


def _j_mistakes(layers: list[_Layer], l: int) -> list[Mistake]:
    """jₗ = jₗ₋₁·sₗ with the stride left out, the earlier jump left out, or the strides added (each only
    where it can differ from the right value: sₗ ≠ 1, jₗ₋₁ ≠ 1)."""
    ly = layers[l - 1]
    sl, sp = subscript(str(l)), subscript(str(l - 1))
    right = f"j{sl} = j{sp}·s{sl}"
    deps = (f"receptive.j{l - 1}",) if l > 1 else ()
    j_prev = float(np.prod([x.s for x in layers[:l - 1]]))
    out = []
    if ly.s != 1:
        pool_en, pool_ru = _pool_stride_note(ly)
        out.append(Mistake("no_stride", deps, (lambda jp: jp * 1.0) if l > 1 else (lambda: 1.0), {
            "en": f"You left out the stride of layer {l}, s{sl} = {ly.s}{pool_en}: {right}.",
            "ru": f"Вы не учли шаг слоя {l}, s{sl} = {ly.s}{pool_ru}: {right}."}))
    if j_prev != 1:
        out += [
            Mistake("stride_only", (), lambda s=ly.s: float(s), {
                "en": f"You took only this layer's stride; the strides of all earlier layers multiply into the "
                      f"jump: {right}.",
                "ru": f"Вы взяли только шаг этого слоя, а в суммарный шаг входят шаги всех слоёв ниже "
                      f"(они перемножаются): {right}."}),
            Mistake("strides_added", deps, lambda jp, s=ly.s: jp + s, {
                "en": f"Strides multiply, they do not add: {right}.",
                "ru": f"Шаги перемножаются, а не складываются: {right}."}),
        ]
    return out


def _pool_stride_note(ly: _Layer) -> tuple[str, str]:
    """A reminder that a pooling moves by its size, when it does."""
    if not ly.pool or ly.s != ly.k:
        return "", ""
    return (f" (a {ly.k}×{ly.k} pooling moves by {ly.k} unless another stride is given)",
            f" (пулинг {ly.k}×{ly.k} сдвигается на {ly.k}, если не указан другой шаг)")


# the wrong ways to grow the field, each a step rₗ₋₁, jₗ₋₁ → rₗ for one layer
def _grow(mode: str, ly: _Layer, r: float, j: float) -> float:
    if mode == "no_jump":
        return r + (ly.span - 1)
    if mode == "own_stride":
        return r + (ly.span - 1) * ly.s
    if mode == "own_jump":
        return r + (ly.span - 1) * j * ly.s
    if mode == "plus_k":
        return r + ly.span * j
    if mode == "no_dilation":
        return r + (ly.k - 1) * j
    if mode == "pool_no_growth" and ly.pool:
        return r
    return r + (ly.span - 1) * j  # right


def _chain(layers: list[_Layer], upto: int, mode: str) -> float:
    """r of layer ``upto`` when the step ``mode`` is taken at every layer (r₀ = j₀ = 1)."""
    r, j = 1.0, 1.0
    for ly in layers[:upto]:
        r, j = _grow(mode, ly, r, j), j * ly.s
    return r


def _r_messages(l: int | None, dilated: bool) -> dict[str, dict[str, str]]:
    """The message of each mistake in rₗ; ``l`` None: about the stack as a whole."""
    each = l is None
    if each:
        sl, sp = "ₗ", "ₗ₋₁"
        below, below_ru = "units of the layer below", "нейроны предыдущего слоя"
    else:
        sl, sp = subscript(str(l)), subscript(str(l - 1))
        below, below_ru = (f"units of layer {l - 1}", f"нейроны слоя {l - 1}") if l > 1 else \
            ("input pixels", "пиксели входа")
    kd = f"d{sl}(k{sl} − 1)" if dilated else f"(k{sl} − 1)"
    right = f"r{sl} = r{sp} + {kd}·j{sp}"
    return {
        "no_jump": {
            "en": f"You added k − 1 without the jump{' at each layer' if each else ''}: neighbouring {below} are "
                  f"j{sp} input pixels apart, so {right}.",
            "ru": f"Вы прибавили k − 1, не умножив на суммарный шаг{' ни на одном слое' if each else ''}: "
                  f"соседние {below_ru} отстоят на j{sp} пикселей входа, поэтому {right}."},
        "own_stride": {
            "en": f"You multiplied by {'each' if each else 'this'} layer's own stride s{sl}; its window steps "
                  f"over {below}, which are j{sp} input pixels apart: {right}.",
            "ru": f"Вы умножили на собственный шаг {'каждого слоя' if each else 'слоя'} s{sl}, а окно слоя "
                  f"перебирает {below_ru}, которые отстоят друг от друга на j{sp} пикселей входа: {right}."},
        "own_jump": {
            "en": f"You used the jump after {'each' if each else 'this'} layer, j{sl} = j{sp}·s{sl}; a layer's "
                  f"stride spaces only its own outputs, its window still steps j{sp} pixels: {right}.",
            "ru": f"Вы взяли суммарный шаг после {'каждого' if each else 'этого'} слоя, j{sl} = j{sp}·s{sl}; шаг "
                  f"слоя раздвигает только его выходы, а окно по-прежнему шагает на j{sp} пикселей: {right}."},
        "plus_k": {
            "en": f"You added k·j{sp}; the first of the window's k positions is already counted in r{sp}, "
                  f"each of the other k − 1 adds j{sp} pixels: {right}.",
            "ru": f"Вы прибавили k·j{sp}, но первая из k позиций окна уже учтена в r{sp}, а каждая из "
                  f"остальных k − 1 добавляет j{sp} пикселей: {right}."},
        "no_dilation": {
            "en": f"You ignored the dilation: a kernel with dilation d spans d(k − 1) + 1 positions, so {right}.",
            "ru": f"Вы не учли расширение (dilation): ядро с расширением d накрывает d(k − 1) + 1 позиций, "
                  f"поэтому {right}."},
        "pool_no_growth": {
            "en": f"A pooling window also covers k positions, so it widens the field like a convolution of the "
                  f"same size: {right}.",
            "ru": f"Окно пулинга тоже охватывает k позиций и расширяет поле так же, как свёртка того же "
                  f"размера: {right}."},
    }


_R_MODES = ("no_jump", "own_stride", "own_jump", "plus_k", "no_dilation")


def _r_mistakes(layers: list[_Layer], l: int, dilated: bool) -> list[Mistake]:
    """rₗ with this layer's step taken wrongly (after the right rₗ₋₁, jₗ₋₁), then with the same mistake
    made at every layer up to l, for a student who skipped the earlier steps."""
    ly = layers[l - 1]
    messages = _r_messages(l, dilated)
    deps = (f"receptive.r{l - 1}", f"receptive.j{l - 1}") if l > 1 else ()
    r_prev, j_prev = _chain(layers, l - 1, "right"), float(np.prod([x.s for x in layers[:l - 1]]))
    # left out where they cannot differ from the right value or from each other: with jₗ₋₁ = 1 the jump
    # is never missed and "the jump after it" is "times its own stride"; with stride 1 "times its own
    # stride" is "without the jump"
    modes = [m for m in _R_MODES if (m != "no_dilation" or ly.d != 1) and (m != "no_jump" or j_prev != 1)
             and (m not in ("own_stride", "own_jump") or ly.s != 1) and (m != "own_jump" or j_prev != 1)]
    if ly.pool:
        modes.append("pool_no_growth")
    out = []
    for mode in modes:
        if l > 1:
            fn = lambda r_, j_, mode=mode: _grow(mode, ly, float(r_), float(j_))  # noqa: E731
        else:
            fn = lambda mode=mode: _grow(mode, ly, 1.0, 1.0)  # noqa: E731
        out.append(Mistake(mode, deps, fn, messages[mode]))
    if l == 1:
        return out
    # where the mistake at every layer gives the same number as at this layer alone, it gets the same
    # message (so the student reads it once); otherwise the message speaks of the stack as a whole
    here = {mode: _grow(mode, ly, r_prev, j_prev) for mode in modes}
    for v in _r_chain_mistakes(layers, l, dilated):
        mode = v.name[:-len("_all")]
        same = mode in here and here[mode] == v.fn()
        out.append(Mistake(v.name, v.deps, v.fn, messages[mode]) if same else v)
    return out


def _r_chain_mistakes(layers: list[_Layer], l: int, dilated: bool) -> list[Mistake]:
    """The mistakes of rₗ made at every layer up to l, worded for the stack as a whole."""
    messages = _r_messages(None, dilated)
    strided = any(ly.s != 1 for ly in layers[:l])  # else every jump is 1 and these mistakes change nothing
    modes = [m for m in _R_MODES if (m != "no_dilation" or any(ly.d != 1 for ly in layers[:l]))
             and (m not in ("own_stride", "own_jump") or strided)
             and (m != "no_jump" or any(ly.s != 1 for ly in layers[:l - 1]))]
    if any(ly.pool for ly in layers[:l]):
        modes.append("pool_no_growth")
    return [Mistake(f"{mode}_all", (), lambda mode=mode: _chain(layers, l, mode), messages[mode]) for mode in modes]


def _n_mistakes(ly: _Layer, l: int, dilated: bool) -> list[Mistake]:
    """Slips in nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1: the padding, the rounding, the +1, the stride."""
    sl, sp = subscript(str(l)), subscript(str(l - 1))
    ks = f"d{sl}(k{sl} − 1) − 1" if dilated else f"k{sl}"
    right = f"n{sl} = ⌊(n{sp} + 2p{sl} − {ks})/s{sl}⌋ + 1"
    deps = (f"receptive.n{l - 1}",)
    p, s, span = ly.p, ly.s, ly.span
    out = []
    if p:
        out += [
            Mistake("no_padding", deps, lambda n_: np.floor((n_ - span) / s) + 1, {
                "en": f"You left out the padding p{sl} = {p} on each side: {right}.",
                "ru": f"Вы не учли дополнение p{sl} = {p} с каждой стороны: {right}."}),
            Mistake("padding_once", deps, lambda n_: np.floor((n_ + p - span) / s) + 1, {
                "en": f"The padding goes on both sides, so it counts twice: {right}.",
                "ru": f"Дополнение добавляется с обеих сторон, поэтому входит дважды: {right}."}),
        ]
    out += [
        Mistake("no_floor", deps, lambda n_: (n_ + 2 * p - span) / s + 1, {
            "en": f"Round the division down: a window that would stick out past the edge is not used; {right}.",
            "ru": f"Частное округляется вниз: окно, вылезающее за край, не используется; {right}."}),
        Mistake("no_plus_one", deps, lambda n_: np.floor((n_ + 2 * p - span) / s), {
            "en": f"You forgot the +1 for the window's first position: {right}.",
            "ru": f"Вы забыли +1 за первое положение окна: {right}."}),
    ]
    if s > 1:
        pool_en, pool_ru = _pool_stride_note(ly)
        out.append(Mistake("no_stride", deps, lambda n_: n_ + 2 * p - span + 1, {
            "en": f"You did not divide by the stride s{sl} = {s}{pool_en}: {right}.",
            "ru": f"Вы не разделили на шаг s{sl} = {s}{pool_ru}: {right}."}))
    if ly.d != 1:
        out.append(Mistake("no_dilation", deps, lambda n_: np.floor((n_ + 2 * p - ly.k) / s) + 1, {
            "en": f"You ignored the dilation: the kernel spans d(k − 1) + 1 = {span} pixels, not k = {ly.k}; {right}.",
            "ru": f"Вы не учли расширение (dilation): ядро накрывает d(k − 1) + 1 = {span} пикселей, а не k = {ly.k}; "
                  f"{right}."}))
    return out


def _receptive_convention(dilated: bool, sized: bool) -> dict[str, str]:
    en = ("square kernels on a square input treat rows and columns alike, so one side is computed: a unit of "
          "layer l sees rₗ×rₗ input pixels. r₀ = 1 and j₀ = 1 (a pixel sees itself; pixels are 1 apart); "
          "jₗ = jₗ₋₁·sₗ is how many input pixels apart neighbouring units of layer l are; "
          "rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁. A pooling window widens the field exactly like a convolution of the same "
          "size and stride; a pooling moves by its size unless its stride is given, a convolution by 1. "
          "Padding shifts the windows but does not change their width (near the border part of the field lies "
          "on the padding); rₗ is the whole width of the window, with any pixels skipped inside it")
    ru = ("ядра и вход квадратные, строки и столбцы обрабатываются одинаково, поэтому считается "
          "одна сторона: нейрон слоя l видит rₗ×rₗ пикселей входа. r₀ = 1 и j₀ = 1 (пиксель видит сам себя, "
          "соседние пиксели отстоят на 1); jₗ = jₗ₋₁·sₗ — на сколько пикселей входа отстоят соседние нейроны "
          "слоя l; rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁. Окно пулинга расширяет поле так же, как свёртка того же размера "
          "и шага; пулинг сдвигается на свой размер, если шаг не указан, свёртка — на 1. Дополнение нулями "
          "сдвигает окна, но не меняет их ширину (у края часть поля приходится на дополнение); rₗ — полная "
          "ширина окна, включая пропущенные внутри пиксели")
    if dilated:
        en += "; a kernel with dilation d spans d(k − 1) + 1 positions, so rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁"
        ru += "; ядро с расширением (dilation) d накрывает d(k − 1) + 1 позиций, так что rₗ = rₗ₋₁ + dₗ(kₗ − 1)·jₗ₋₁"
    if sized:
        en += "; the output side nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1, rounded down"
        ru += "; сторона выхода nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1, с округлением вниз"
        if dilated:
            en += ", with d(k − 1) + 1 in place of k for a dilated kernel"
            ru += ", где для ядра с расширением вместо k стоит d(k − 1) + 1"
    return {"en": en, "ru": ru}


# -- readers ------------------------------------------------------------------------------

def _read_int(t, key: str, path: str, required: bool = True) -> int | None:
    field = f"{path}.{key}"
    if key not in t:
        if required:
            raise DataError(field, "missing (a whole number is required)")
        return None
    v = t[key]
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000:
        raise DataError(field, f"must be a whole number from 1 to 1000000, got {v!r}")
    return v


def _read_whole(t, key: str, path: str, default: int, minimum: int) -> int:
    """An optional whole number from ``minimum`` to 1000000."""
    if key not in t:
        return default
    v = t[key]
    if isinstance(v, bool) or not isinstance(v, int) or not minimum <= v <= 1_000_000:
        raise DataError(f"{path}.{key}", f"must be a whole number from {minimum} to 1000000, got {v!r}")
    return v


def _read_int_list(t, key: str, path: str, min_len: int, what: str) -> np.ndarray:
    field = f"{path}.{key}"
    value = t.get(key)
    if not isinstance(value, list) or len(value) < min_len:
        raise DataError(field, f"missing or too short: at least {min_len} {what}")
    for i, v in enumerate(value, start=1):
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000:
            raise DataError(field, f"entry {i} must be a whole number from 1 to 1000000, got {v!r}")
    return np.array(value, dtype=np.float64)


def _read_bias(t, path: str) -> bool:
    if "bias" not in t:
        raise DataError(f"{path}.bias", "missing: say whether the layers have biases (true or false)")
    return read_bool(t, "bias", path, default=True)


KIND = Kind(
    name="stats",
    summary="Building-block statistics, each from an optional table: ridge on the constant model with "
            "leave-one-out CV; initialisation scales (U[−a, a], LeCun, Xavier, He); the chance that a "
            "ReLU outputs zero; parameter counts of dense and convolution stacks; the receptive field (and "
            "output size) of a stack of convolutions and poolings.",
    fields=(
        FieldDoc("ridge", False, "[problem.ridge]: model ŷ = β, loss Σ(y − β)² + λβ²"),
        FieldDoc("ridge.y", True, "the observations (at least 2), e.g. [6, 6, 10]"),
        FieldDoc("ridge.lambdas", False, "a grid of λ ≥ 0: adds β̂, the LOO predictions and errors per λ, the best λ"),
        FieldDoc("ridge.cv", False, '"mean" (default) or "sum" of the squared leave-one-out errors'),
        FieldDoc("init", False, "[problem.init]: initialisation scales"),
        FieldDoc("init.n_in", True, "inputs per neuron"),
        FieldDoc("init.n_out", False, "outputs of the layer: adds the Xavier/Glorot scales"),
        FieldDoc("init.layers", False, "a depth L: adds the variance factor after L layers"),
        FieldDoc("relu_zero", False, "[problem.relu_zero]: the chance that a ReLU outputs 0; describe z by "
                                     "symmetric = true, or mean and std, or x, w_std and b"),
        FieldDoc("relu_zero.symmetric", False, "true: z is symmetric about 0 (the answer is ½)"),
        FieldDoc("relu_zero.mean", False, "μ in z ~ N(μ, s²) (default 0)"),
        FieldDoc("relu_zero.std", False, "s in z ~ N(μ, s²)"),
        FieldDoc("relu_zero.x", False, "the input in z = w·x + b with wᵢ ~ N(0, w_std²)"),
        FieldDoc("relu_zero.w_std", False, "the standard deviation of each weight"),
        FieldDoc("relu_zero.b", False, "the bias (default 0)"),
        FieldDoc("count_dense", False, "[problem.count_dense]: parameters of a dense stack"),
        FieldDoc("count_dense.sizes", True, "layer sizes, inputs first, e.g. [12, 300, 200, 100, 1]"),
        FieldDoc("count_dense.bias", True, "true when every unit after the inputs has a bias"),
        FieldDoc("count_conv", False, "[problem.count_conv]: parameters of a stack of convolutions"),
        FieldDoc("count_conv.kernel", True, "the kernel size k (k×k): one number for every layer, or a list per layer"),
        FieldDoc("count_conv.channels", True, "channel counts, input first, e.g. [3, 6]"),
        FieldDoc("count_conv.bias", True, "true for one bias per output channel"),
        FieldDoc("receptive", False, "[problem.receptive]: the receptive field of a stack of square layers on a "
                                     "square input; rows and columns behave alike, so one side is computed"),
        FieldDoc("receptive.size", False, "the input side n₀ (an n₀×n₀ image): adds the output side nₗ of each layer"),
        FieldDoc("receptive.layers", True, 'the layers in order, each an inline table, e.g. [{ type = "conv", '
                                           'kernel = 3 }, { type = "maxpool", kernel = 2 }]'),
        FieldDoc("receptive.layers[].type", True, '"conv", "maxpool" or "avgpool" (a pooling widens the field '
                                                  'exactly like a convolution of the same size and stride)'),
        FieldDoc("receptive.layers[].kernel", True, "the kernel (window) size k (k×k)"),
        FieldDoc("receptive.layers[].stride", False, "the stride s: default 1 for a conv, k for a pooling"),
        FieldDoc("receptive.layers[].padding", False, "zeros on each side (default 0; a pooling at most ⌊k/2⌋); "
                                                      "changes nₗ only, not rₗ or jₗ"),
        FieldDoc("receptive.layers[].dilation", False, "conv only, default 1: a kernel with dilation d spans "
                                                       "d(k − 1) + 1 pixels"),
    ),
    build=build,
    names=(
        NameDoc("ridge.y, ridge.lambdas", "givens: the observations and the λ grid"),
        NameDoc("ridge.beta_ls", "β̂ at λ = 0 (the mean)"),
        NameDoc("ridge.beta", "β̂(λ) = Σy/(n + λ) for each grid λ"),
        NameDoc("ridge.loo{k}", "for the k-th grid λ: the n leave-one-out estimates β̂₋ᵢ"),
        NameDoc("ridge.cv{k}, ridge.cv", "the leave-one-out error for the k-th grid λ, and for all of them"),
        NameDoc("ridge.lambda_best, ridge.beta_best", "the grid λ with the smallest error (first on ties), β̂ there"),
        NameDoc("ridge.lambda_cv, ridge.beta_cv", "the best λ ≥ 0 over all λ and β̂ there (absent when the "
                                                  "error keeps falling as λ grows, or does not depend on λ)"),
        NameDoc("init.n_in, init.n_out, init.layers", "givens"),
        NameDoc("init.a, init.var_uniform, init.gain", "a = 1/√n_in, Var w = a²/3, the per-layer factor n_in·Var w"),
        NameDoc("init.gain_total", "with init.layers: (n_in·Var w)^L"),
        NameDoc("init.lecun_uniform, init.lecun_std", "√(3/n_in) and 1/√n_in (Var w = 1/n_in)"),
        NameDoc("init.xavier_uniform, init.xavier_std", "with init.n_out: √(6/(n_in + n_out)), √(2/(n_in + n_out))"),
        NameDoc("init.he_std, init.he_uniform", "√(2/n_in), √(6/n_in)"),
        NameDoc("relu.mu, relu.s", "mean and standard deviation of the pre-activation (not with symmetric)"),
        NameDoc("relu.x, relu.w_std, relu.b", "givens of the z = w·x + b form"),
        NameDoc("relu.p_zero", "P(ReLU(z) = 0) = P(z ≤ 0)"),
        NameDoc("dense.sizes, dense.params{l}", "the sizes; the parameters of layer l"),
        NameDoc("dense.weights, dense.biases, dense.params", "totals of the dense stack"),
        NameDoc("conv.channels, conv.kernel, conv.params{l}", "the channels, kernel sizes; parameters of layer l"),
        NameDoc("conv.weights, conv.biases, conv.params", "totals of the convolution stack"),
        NameDoc("receptive.kernel, receptive.stride", "givens: k and s of each layer (defaults filled in)"),
        NameDoc("receptive.dilation", "given when some layer has a dilation other than 1"),
        NameDoc("receptive.padding, receptive.n0", "with size: p of each layer and the input side n₀"),
        NameDoc("receptive.j{l}", "the jump of layer l: jₗ = jₗ₋₁·sₗ input pixels between neighbouring units (j₀ = 1)"),
        NameDoc("receptive.r{l}", "the receptive field of layer l: rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁ (r₀ = 1; "
                                  "dₗ(kₗ − 1) with dilation)"),
        NameDoc("receptive.r", "the receptive field of the last layer (= r{L})"),
        NameDoc("receptive.n{l}", "with size: the output side nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1"),
    ),
)
