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
"""

from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder
from ..notation import subscript
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TABLES = ("ridge", "init", "relu_zero", "count_dense", "count_conv")
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
                "count_dense": _count_dense, "count_conv": _count_conv}
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
                  "value", "β̂(λ) = Σy/(n + λ)")
        for k, lam in enumerate(lambdas, start=1):
            s = subscript(str(k))
            b.derived(f"ridge.loo{k}", lambda y_, l_, k=k: (np.sum(y_) - y_) / (n - 1 + l_[k - 1]),
                      ["ridge.y", "ridge.lambdas"], f"β̂₋ᵢ(λ{s})",
                      {"en": f"for λ = {lam:g}: the estimate fitted without observation i, for each i",
                       "ru": f"при λ = {lam:g}: оценка, построенная без i-го наблюдения, для каждого i"},
                      "value", f"β̂₋ᵢ(λ{s}) = (Σy − yᵢ)/(n − 1 + λ{s})")
            b.derived(f"ridge.cv{k}", lambda y_, pred: agg((y_ - pred) ** 2), ["ridge.y", f"ridge.loo{k}"],
                      f"CV(λ{s})",
                      {"en": f"the leave-one-out error for λ = {lam:g}",
                       "ru": f"ошибка кросс-валидации «выкинь одного» при λ = {lam:g}"},
                      "value", f"CV(λ{s}) = {'mean' if mean_cv else 'Σ'}ᵢ (yᵢ − β̂₋ᵢ)²")
        b.derived("ridge.cv", lambda *cvs: np.array(cvs), [f"ridge.cv{k}" for k in range(1, lambdas.size + 1)],
                  "CV(λ)", {"en": "the leave-one-out error for each λ on the grid",
                            "ru": "ошибка кросс-валидации для каждого λ из сетки"}, "value", "CV(λ) for each λ")
        # ties go to the first grid value, as np.argmin does
        b.derived("ridge.lambda_best", lambda cv, lam: lam[int(np.argmin(cv))], ["ridge.cv", "ridge.lambdas"],
                  "λ_best", {"en": "the λ on the grid with the smallest leave-one-out error (the first on ties)",
                             "ru": "λ из сетки с наименьшей ошибкой кросс-валидации (при равенстве — первое)"},
                  "value", "λ_best = argmin CV(λ)")
        b.derived("ridge.beta_best", lambda y_, lam: np.sum(y_) / (n + lam), ["ridge.y", "ridge.lambda_best"],
                  "β̂(λ_best)", {"en": "the estimate on all the data with λ_best",
                                "ru": "оценка по всем данным при λ_best"}, "value", "β̂ = Σy/(n + λ_best)")
    if _best_t(y) is not None:
        b.derived("ridge.lambda_cv", _lambda_cv, ["ridge.y"], "λ_CV",
                  {"en": "the λ ≥ 0 with the smallest leave-one-out error over all λ (not only a grid)",
                   "ru": "λ ≥ 0 с наименьшей ошибкой кросс-валидации среди всех λ (не только из сетки)"},
                  "value", "t* = Σ yᵢ(S − yᵢ)/Σ (S − yᵢ)², λ_CV = max(0, 1/t* − (n − 1))")
        b.derived("ridge.beta_cv", lambda y_, lam: np.sum(y_) / (n + lam), ["ridge.y", "ridge.lambda_cv"],
                  "β̂(λ_CV)", {"en": "the estimate on all the data with λ_CV", "ru": "оценка по всем данным при λ_CV"},
                  "value", "β̂ = Σy/(n + λ_CV)")


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
               "ru": "дисперсия веса из U[−a, a]"}, "value", "Var w = a²/3")
    b.derived("init.gain", lambda n, v: n * v, ["init.n_in", "init.var_uniform"], "n_in·Var w",
              {"en": "the factor by which one layer multiplies the variance: Var z = n_in·Var w·Var x",
               "ru": "во сколько раз слой умножает дисперсию: Var z = n_in·Var w·Var x"},
              "value", "n_in·Var w")
    if layers is not None:
        b.given("init.layers", layers, "L", {"en": "the number of layers", "ru": "число слоёв"})
        b.derived("init.gain_total", lambda g, L: g ** L, ["init.gain", "init.layers"], "(n_in·Var w)^L",
                  {"en": "the factor on the variance after L such layers",
                   "ru": "во сколько раз меняется дисперсия после L таких слоёв"}, "value", "(n_in·Var w)^L")
    b.derived("init.lecun_uniform", lambda n: np.sqrt(3.0 / n), ["init.n_in"], "a_LeCun",
              {"en": "the uniform limit that keeps the variance (Var w = 1/n_in)",
               "ru": "граница равномерного распределения, сохраняющая дисперсию (Var w = 1/n_in)"},
              "value", "a = √(3/n_in)")
    b.derived("init.lecun_std", lambda n: 1.0 / np.sqrt(n), ["init.n_in"], "σ_LeCun",
              {"en": "the normal standard deviation that keeps the variance (Var w = 1/n_in)",
               "ru": "стандартное отклонение нормального распределения, сохраняющее дисперсию (Var w = 1/n_in)"},
              "value", "σ = 1/√n_in")
    b.derived("init.he_std", lambda n: np.sqrt(2.0 / n), ["init.n_in"], "σ_He",
              {"en": "He (ReLU) initialisation: the standard deviation of the normal",
               "ru": "инициализация Хе (для ReLU): стандартное отклонение нормального распределения"},
              "value", "σ = √(2/n_in)")
    b.derived("init.he_uniform", lambda n: np.sqrt(6.0 / n), ["init.n_in"], "a_He",
              {"en": "He (ReLU) initialisation: the limit of the uniform",
               "ru": "инициализация Хе (для ReLU): граница равномерного распределения"},
              "value", "a = √(6/n_in)")
    if n_out is not None:
        b.given("init.n_out", n_out, "n_out", {"en": "the number of outputs of the layer",
                                               "ru": "число выходов слоя"})
        b.derived("init.xavier_uniform", lambda i, o: np.sqrt(6.0 / (i + o)), ["init.n_in", "init.n_out"], "a_Xavier",
                  {"en": "Xavier/Glorot initialisation: the limit of the uniform",
                   "ru": "инициализация Ксавье (Глоро): граница равномерного распределения"},
                  "value", "a = √(6/(n_in + n_out))")
        b.derived("init.xavier_std", lambda i, o: np.sqrt(2.0 / (i + o)), ["init.n_in", "init.n_out"], "σ_Xavier",
                  {"en": "Xavier/Glorot initialisation: the standard deviation of the normal",
                   "ru": "инициализация Ксавье (Глоро): стандартное отклонение нормального распределения"},
                  "value", "σ = √(2/(n_in + n_out))")
    b.convention("init", {
        "en": "weights and inputs independent with zero mean, so Var z = n_in·Var w·Var x; U[−a, a] has "
              "variance a²/3",
        "ru": "веса и входы независимы и имеют нулевое среднее, поэтому Var z = n_in·Var w·Var x; "
              "у U[−a, a] дисперсия a²/3",
    })


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
            "ru": "пре-активация z имеет непрерывное распределение, симметричное относительно 0 "
                  "(нулевые средние входов и весов, нулевое смещение)",
        })
        return
    if normal:
        mu = read_number(t, "mean", path, default=0.0)
        s = read_number(t, "std", path, positive=True)
        b.given("relu.mu", mu, "μ", {"en": "the mean of the pre-activation z", "ru": "среднее пре-активации z"})
        b.given("relu.s", s, "s", {"en": "the standard deviation of the pre-activation z",
                                   "ru": "стандартное отклонение пре-активации z"})
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
                  {"en": "the mean of the pre-activation z = w·x + b", "ru": "среднее пре-активации z = w·x + b"},
                  "value", "μ = b")
        b.derived("relu.s", lambda x_, sw: sw * np.sqrt(np.sum(x_ ** 2)), ["relu.x", "relu.w_std"], "s",
                  {"en": "the standard deviation of z = w·x + b", "ru": "стандартное отклонение z = w·x + b"},
                  "value", "s = σ_w·‖x‖ = σ_w·√(Σ xᵢ²)")
    b.derived("relu.p_zero", lambda mu_, s_: 0.5 * math.erfc(float(mu_) / (float(s_) * math.sqrt(2.0))),
              ["relu.mu", "relu.s"], "P(ReLU(z) = 0)",
              {"en": "the probability that the ReLU outputs 0", "ru": "вероятность, что ReLU выдаёт 0"},
              "value", "P(z ≤ 0) = Φ(−μ/s) = ½·erfc(μ/(s√2))")
    b.convention("relu_zero", {
        "en": "the pre-activation is normal, z ~ N(μ, s²)" + ("" if normal else
              ", because z = w·x + b with x fixed and independent weights wᵢ ~ N(0, σ_w²)"),
        "ru": "пре-активация нормальна, z ~ N(μ, s²)" + ("" if normal else
              ", так как z = w·x + b, x фиксирован, веса независимы, wᵢ ~ N(0, σ_w²)"),
    })


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
                  "value", f"P{s} = n{sp}·n{s}" + (f" + n{s}" if bias else ""))
    b.derived("dense.weights", lambda n: float(np.sum(n[:-1] * n[1:])), ["dense.sizes"], "#W",
              {"en": "all weights of the net", "ru": "все веса сети"}, "value", "Σₗ nₗ₋₁·nₗ")
    b.derived("dense.biases", lambda n: float(np.sum(n[1:])) if bias else 0.0, ["dense.sizes"], "#b",
              {"en": "all biases of the net", "ru": "все смещения сети"}, "value",
              "Σₗ nₗ (every layer after the inputs)" if bias else "0 (no biases)")
    b.derived("dense.params", lambda w, b_: w + b_, ["dense.weights", "dense.biases"], "P",
              {"en": "all parameters of the net", "ru": "все параметры сети"}, "value", "P = #W + #b")
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
        b.derived(f"conv.params{l}", lambda c, k, l=l: k[l - 1] ** 2 * c[l - 1] * c[l] + (c[l] if bias else 0.0),
                  ["conv.channels", "conv.kernel"], f"P{s}",
                  {"en": f"the parameters of convolution layer {l}", "ru": f"параметры свёрточного слоя {l}"},
                  "value", f"P{s} = k{s}·k{s}·c{sp}·c{s}" + (f" + c{s}" if bias else ""))
    b.derived("conv.weights", lambda c, k: float(np.sum(k ** 2 * c[:-1] * c[1:])), ["conv.channels", "conv.kernel"],
              "#W", {"en": "all kernel weights", "ru": "все веса ядер"}, "value", "Σₗ kₗ·kₗ·cₗ₋₁·cₗ")
    b.derived("conv.biases", lambda c: float(np.sum(c[1:])) if bias else 0.0, ["conv.channels"], "#b",
              {"en": "all biases (one per output channel)", "ru": "все смещения (по одному на выходной канал)"},
              "value", "Σₗ cₗ" if bias else "0 (no biases)")
    b.derived("conv.params", lambda w, b_: w + b_, ["conv.weights", "conv.biases"], "P",
              {"en": "all parameters of the convolution stack", "ru": "все параметры свёрточных слоёв"},
              "value", "P = #W + #b")
    b.convention("count_conv", {
        "en": "each output channel has one k×k kernel per input channel"
              + ("; one bias per output channel" if bias else "; no biases"),
        "ru": "у каждого выходного канала своё ядро k×k для каждого входного канала"
              + ("; одно смещение на выходной канал" if bias else "; смещений нет"),
    })


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
            "ReLU outputs zero; parameter counts of dense and convolution stacks.",
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
    ),
)
