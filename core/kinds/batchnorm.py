"""Batch normalisation of one mini-batch in training mode: forward, backward, running statistics.

x has shape (m, d): m observations (rows), d features (columns); a plain list is one
feature observed m times, shape (m,). Every statistic is per feature, over the batch axis:

    μ = (1/m)·Σᵢ xᵢ,   σ² = (1/m)·Σᵢ (xᵢ − μ)²   (biased: 1/m, as in training-mode BN)
    x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β          (γ, β, μ, σ²: shape (d,) or scalars)

Backward from g = ∂L/∂y (given, or L = Σ c∘y so that g = c), all shapes as above:

    ∂L/∂β = Σᵢ gᵢ,   ∂L/∂γ = Σᵢ gᵢ·x̂ᵢ,   ∂L/∂x̂ = g·γ
    ∂L/∂σ² = Σᵢ ∂L/∂x̂ᵢ·(xᵢ − μ)·(−½)(σ² + ε)^(−3/2)          (μ held fixed)
    ∂L/∂μ  = −Σᵢ ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·(−2/m)·Σᵢ (xᵢ − μ)  (through x̂ and σ²)
    ∂L/∂xᵢ = ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·2(xᵢ − μ)/m + ∂L/∂μ/m

Running statistics with momentum α, s the batch statistic (μ, and σ² or the unbiased
m/(m − 1)·σ²): α on the new value (PyTorch) r′ = (1 − α)·r + α·s; α on the old value
(Keras) r′ = α·r + (1 − α)·s. At evaluation time y = γ·(x − μ_run′)/√(σ²_run′ + ε) + β.

Declared mistakes: the unbiased variance 1/(m − 1), ε forgotten, σ² + ε without the root
(in σ², √(σ² + ε), x̂ and y); ∂L/∂x without the paths through μ and/or σ²; the running
statistics with α on the other term, or fed the other variance (conventions).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import grad_key
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_choice, read_number, reject_unknown

_TOP = {"kind", "x", "gamma", "beta", "eps", "upstream", "c", "running"}
_RUNNING = {"mean", "var", "momentum", "momentum_on", "variance"}


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    x = read_array(data, "x", path, ndim=(1, 2))
    m = x.shape[0]
    if m < 2:
        raise DataError(f"{path}.x", "needs at least 2 observations (rows): a batch of one has no spread")
    gamma = _per_feature(data, "gamma", path, x, required=True)
    beta = _per_feature(data, "beta", path, x, required=True)
    if "eps" not in data:
        raise DataError(f"{path}.eps", "missing: state ε in x̂ = (x − μ)/√(σ² + ε) (0 is allowed)")
    eps = read_number(data, "eps", path)
    if eps < 0:
        raise DataError(f"{path}.eps", f"must be 0 or positive, got {eps}")
    var0 = x.var(axis=0)
    if np.any(var0 + eps <= 0):
        j = int(np.argmax(np.reshape(var0 + eps <= 0, -1))) + 1
        raise DataError(f"{path}.x", f"feature {j} is constant and ε = 0, so x̂ = 0/0: vary it or set ε > 0")
    upstream, c = _read_upstream(data, path, x.shape)

    b = ProblemBuilder("batchnorm")
    b.given("x", x, "x", {"en": "the batch (rows are observations, columns are features)"
                               if x.ndim == 2 else "the batch of one feature",
                          "ru": "батч (строки — наблюдения, столбцы — признаки)"
                                if x.ndim == 2 else "батч из одного признака"})
    b.given("gamma", gamma, "γ", {"en": "the scale γ (one per feature)", "ru": "масштаб γ (по одному на признак)"})
    b.given("beta", beta, "β", {"en": "the shift β (one per feature)", "ru": "сдвиг β (по одному на признак)"})
    b.given("eps", eps, "ε", {"en": "the small constant ε under the square root",
                              "ru": "малая константа ε под корнем"})

    # forward
    b.derived("mu", lambda x_: np.mean(x_, axis=0), ["x"], "μ",
              {"en": "the batch mean of each feature", "ru": "среднее по батчу для каждого признака"},
              "forward", "μ = (1/m)·Σᵢ xᵢ")
    b.derived("xc", lambda x_, mu: x_ - mu, ["x", "mu"], "x − μ",
              {"en": "the centred batch x − μ", "ru": "центрированный батч x − μ"}, "forward", "x − μ")
    b.derived("var", lambda xc: np.mean(xc ** 2, axis=0), ["xc"], "σ²",
              {"en": "the batch variance of each feature (biased, divided by m)",
               "ru": "дисперсия по батчу для каждого признака (смещённая, делим на m)"},
              "forward", "σ² = (1/m)·Σᵢ (xᵢ − μ)²",
              [Mistake("unbiased", ("xc",), lambda xc: _unbiased(xc), _unbiased_message(m))])
    b.derived("std", lambda v, e: np.sqrt(v + e), ["var", "eps"], "√(σ² + ε)",
              {"en": "the denominator √(σ² + ε)", "ru": "знаменатель √(σ² + ε)"}, "forward", "√(σ² + ε)",
              _denominator_mistakes(m))
    b.derived("x_hat", lambda xc, s: xc / s, ["xc", "std"], "x̂",
              {"en": "the normalised batch x̂", "ru": "нормированный батч x̂"},
              "forward", "x̂ = (x − μ)/√(σ² + ε)",
              _denominator_mistakes(m, lambda d, xc: xc / d, ("xc",)))
    b.derived("y", lambda g_, xh, b_: g_ * xh + b_, ["gamma", "x_hat", "beta"], "y",
              {"en": "the output of the batch-norm layer", "ru": "выход слоя батч-нормализации"},
              "forward", "y = γ·x̂ + β",
              _denominator_mistakes(m, lambda d, xc, g_, b_: g_ * xc / d + b_, ("xc", "gamma", "beta")))
    b.convention("variance", {
        "en": f"training mode: the batch variance σ² divides by m = {m} (biased), and ε = {eps:g}",
        "ru": f"режим обучения: дисперсия по батчу σ² делится на m = {m} (смещённая), ε = {eps:g}",
    })
    b.convention("layout", {
        "en": "rows are observations, columns are features; statistics are per feature (column)",
        "ru": "строки — наблюдения, столбцы — признаки; статистики считаются по каждому признаку (столбцу)",
    })

    # backward
    if upstream is not None or c is not None:
        _backward(b, upstream, c, m)

    running = data.get("running")
    if running is not None:
        _running(b, running, f"{path}.running", x, eps)
    return b.build()


def _backward(b: ProblemBuilder, upstream, c, m: int) -> None:
    if c is not None:
        b.given("c", c, "c", {"en": "the weights c of the loss L = Σ c∘y", "ru": "веса c в функции потерь L = Σ c∘y"})
        b.derived("L", lambda y, c_: np.sum(y * c_), ["y", "c"], "L",
                  {"en": "the loss", "ru": "значение функции потерь"}, "loss", "L = Σ c∘y")
        b.derived(grad_key("y"), lambda c_: c_ * 1.0, ["c"], "∂L/∂y",
                  {"en": "the upstream gradient ∂L/∂y", "ru": "градиент ∂L/∂y, пришедший сверху"},
                  "backward", "∂L/∂y = c")
    else:
        b.given(grad_key("y"), upstream, "∂L/∂y",
                {"en": "the upstream gradient ∂L/∂y (given)", "ru": "градиент ∂L/∂y, пришедший сверху (дан)"})
    gy = grad_key("y")
    b.derived(grad_key("beta"), lambda g: np.sum(g, axis=0), [gy], "∂L/∂β",
              {"en": "the gradient with respect to the shift β", "ru": "производная по сдвигу β"},
              "backward", "∂L/∂β = Σᵢ ∂L/∂yᵢ")
    b.derived(grad_key("gamma"), lambda g, xh: np.sum(g * xh, axis=0), [gy, "x_hat"], "∂L/∂γ",
              {"en": "the gradient with respect to the scale γ", "ru": "производная по масштабу γ"},
              "backward", "∂L/∂γ = Σᵢ ∂L/∂yᵢ·x̂ᵢ")
    b.derived(grad_key("x_hat"), lambda g, gam: g * gam, [gy, "gamma"], "∂L/∂x̂",
              {"en": "the gradient with respect to x̂", "ru": "производная по x̂"},
              "backward", "∂L/∂x̂ = ∂L/∂y·γ")
    b.derived(grad_key("var"),
              lambda gxh, xc, v, e: np.sum(gxh * xc, axis=0) * -0.5 * (v + e) ** -1.5,
              [grad_key("x_hat"), "xc", "var", "eps"], "∂L/∂σ²",
              {"en": "the gradient with respect to the batch variance σ² (μ held fixed)",
               "ru": "производная по дисперсии батча σ² (μ фиксировано)"},
              "backward", "∂L/∂σ² = Σᵢ ∂L/∂x̂ᵢ·(xᵢ − μ)·(−½)(σ² + ε)^(−3/2)")
    b.derived(grad_key("mu"),
              lambda gxh, s, gv, xc: -np.sum(gxh, axis=0) / s + gv * (-2.0 / m) * np.sum(xc, axis=0),
              [grad_key("x_hat"), "std", grad_key("var"), "xc"], "∂L/∂μ",
              {"en": "the gradient with respect to the batch mean μ (through x̂ and through σ²)",
               "ru": "производная по среднему батча μ (через x̂ и через σ²)"},
              "backward", "∂L/∂μ = −Σᵢ ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·(−2/m)·Σᵢ (xᵢ − μ)")
    b.derived(grad_key("x"),
              lambda gxh, s, gv, xc, gmu: gxh / s + gv * 2.0 * xc / m + gmu / m,
              [grad_key("x_hat"), "std", grad_key("var"), "xc", grad_key("mu")], "∂L/∂x",
              {"en": "the gradient with respect to the input batch x", "ru": "производная по входному батчу x"},
              "backward", "∂L/∂xᵢ = ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·2(xᵢ − μ)/m + ∂L/∂μ/m",
              [Mistake("no_stat_paths", (grad_key("x_hat"), "std"), lambda gxh, s: gxh / s, {
                  "en": "You kept only the direct path γ/√(σ² + ε)·∂L/∂y; μ and σ² depend on x too: "
                        "∂L/∂xᵢ = ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·2(xᵢ − μ)/m + ∂L/∂μ/m.",
                  "ru": "Вы учли только прямой путь γ/√(σ² + ε)·∂L/∂y, но μ и σ² тоже зависят от x: "
                        "∂L/∂xᵢ = ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·2(xᵢ − μ)/m + ∂L/∂μ/m."}),
               Mistake("no_var_path", (grad_key("x_hat"), "std", grad_key("mu")),
                       lambda gxh, s, gmu: gxh / s + gmu / m, {
                  "en": "You left out the path through σ², the term ∂L/∂σ²·2(xᵢ − μ)/m.",
                  "ru": "Вы пропустили путь через σ², слагаемое ∂L/∂σ²·2(xᵢ − μ)/m."}),
               Mistake("no_mean_path", (grad_key("x_hat"), "std", grad_key("var"), "xc"),
                       lambda gxh, s, gv, xc: gxh / s + gv * 2.0 * xc / m, {
                  "en": "You left out the path through μ, the term ∂L/∂μ/m.",
                  "ru": "Вы пропустили путь через μ, слагаемое ∂L/∂μ/m."})])


def _running(b: ProblemBuilder, running, path: str, x: np.ndarray, eps: float) -> None:
    if not isinstance(running, Mapping):
        raise DataError(path, "must be a table ([problem.running])")
    reject_unknown(running, path, _RUNNING)
    mean = _per_feature(running, "mean", path, x, required=False, default=0.0)
    var = _per_feature(running, "var", path, x, required=False, default=1.0)
    if np.any(var < 0):
        raise DataError(f"{path}.var", "a variance cannot be negative")
    alpha = read_number(running, "momentum", path)
    if not 0 < alpha < 1:
        raise DataError(f"{path}.momentum", f"must be between 0 and 1 (exclusive), got {alpha}")
    if "momentum_on" not in running:
        raise DataError(f"{path}.momentum_on", 'missing: "new" (PyTorch: r′ = (1 − α)·r + α·batch) '
                                               'or "old" (Keras: r′ = α·r + (1 − α)·batch)')
    on_new = read_choice(running, "momentum_on", path, ("new", "old")) == "new"
    if "variance" not in running:
        raise DataError(f"{path}.variance", 'missing: "unbiased" (PyTorch: the running variance is fed '
                                            'm/(m − 1)·σ²) or "biased" (fed σ² itself)')
    unbiased = read_choice(running, "variance", path, ("unbiased", "biased")) == "unbiased"
    m = x.shape[0]

    b.given("running_mean", mean, "μ_run", {"en": "the running mean before this batch",
                                             "ru": "скользящее среднее до этого батча"})
    b.given("running_var", var, "σ²_run", {"en": "the running variance before this batch",
                                            "ru": "скользящая дисперсия до этого батча"})
    b.given("momentum", alpha, "α", {"en": "the momentum α of the running statistics",
                                     "ru": "коэффициент α (momentum) скользящих статистик"})
    if on_new:
        mix, mix_text = (lambda r, s, a: (1.0 - a) * r + a * s), "(1 − α)·{r} + α·{s}"
    else:
        mix, mix_text = (lambda r, s, a: a * r + (1.0 - a) * s), "α·{r} + (1 − α)·{s}"
    feed = "var"
    if unbiased:
        b.derived("var_unbiased", lambda v: v * m / (m - 1), ["var"], "s²",
                  {"en": "the unbiased batch variance m/(m − 1)·σ²",
                   "ru": "несмещённая дисперсия батча m/(m − 1)·σ²"},
                  "update", f"s² = m/(m − 1)·σ² = {m}/{m - 1}·σ²")
        feed = "var_unbiased"
    other_mix = (lambda r, s, a: a * r + (1.0 - a) * s) if on_new else (lambda r, s, a: (1.0 - a) * r + a * s)
    other_text = ("You put α on the old value, r′ = α·r + (1 − α)·batch, as Keras does; this lesson puts it on "
                  "the batch value, as PyTorch does: r′ = (1 − α)·r + α·batch." if on_new else
                  "You put α on the batch value, r′ = (1 − α)·r + α·batch, as PyTorch does; this lesson puts it on "
                  "the old value, as Keras does: r′ = α·r + (1 − α)·batch.")
    other_text_ru = ("Вы поставили α при старом значении, r′ = α·r + (1 − α)·батч, как в Keras; в этом уроке α "
                     "стоит при значении по батчу, как в PyTorch: r′ = (1 − α)·r + α·батч." if on_new else
                     "Вы поставили α при значении по батчу, r′ = (1 − α)·r + α·батч, как в PyTorch; в этом уроке α "
                     "стоит при старом значении, как в Keras: r′ = α·r + (1 − α)·батч.")
    mix_mistake = {"en": other_text, "ru": other_text_ru}
    b.derived("running_mean.next", mix, ["running_mean", "mu", "momentum"], "μ_run′",
              {"en": "the running mean after this batch", "ru": "скользящее среднее после этого батча"},
              "update", "μ_run′ = " + mix_text.format(r="μ_run", s="μ"),
              [Mistake("momentum_on", ("running_mean", "mu", "momentum"), other_mix, mix_mistake, convention=True)])
    feed_other = (lambda rv, v, a: mix(rv, v, a)) if unbiased else (lambda rv, v, a: mix(rv, v * m / (m - 1), a))
    feed_text = ({"en": "You fed the running variance the biased σ²; this lesson, like PyTorch, feeds it the unbiased "
                        "m/(m − 1)·σ².",
                  "ru": "Вы подали в скользящую дисперсию смещённую σ²; в этом уроке, как в PyTorch, подаётся "
                        "несмещённая m/(m − 1)·σ²."} if unbiased else
                 {"en": "You fed the running variance the unbiased m/(m − 1)·σ², as PyTorch does; this lesson feeds "
                        "it the biased σ².",
                  "ru": "Вы подали в скользящую дисперсию несмещённую m/(m − 1)·σ², как в PyTorch; в этом уроке "
                        "подаётся смещённая σ²."})
    b.derived("running_var.next", mix, ["running_var", feed, "momentum"], "σ²_run′",
              {"en": "the running variance after this batch", "ru": "скользящая дисперсия после этого батча"},
              "update", "σ²_run′ = " + mix_text.format(r="σ²_run", s="s²" if unbiased else "σ²"),
              [Mistake("momentum_on", ("running_var", feed, "momentum"), other_mix, mix_mistake, convention=True),
               Mistake("running_variance", ("running_var", "var", "momentum"), feed_other, feed_text,
                       convention=True)])
    b.derived("y_eval", lambda x_, g_, b_, rm, rv, e: g_ * (x_ - rm) / np.sqrt(rv + e) + b_,
              ["x", "gamma", "beta", "running_mean.next", "running_var.next", "eps"], "y_eval",
              {"en": "the layer's output for the same x in evaluation mode (running statistics after this batch)",
               "ru": "выход слоя для того же x в режиме применения (скользящие статистики после этого батча)"},
              "value", "y_eval = γ·(x − μ_run′)/√(σ²_run′ + ε) + β")
    new_var = mix(var, x.var(axis=0) * (m / (m - 1) if unbiased else 1.0), alpha)
    if np.any(new_var + eps <= 0):
        raise DataError(f"{path}.var", "the running variance after this batch is 0 and ε = 0: "
                                       "evaluation mode would divide by zero")
    b.convention("running", {
        "en": ("running statistics: r′ = " + mix_text.format(r="r", s="batch") + f" with α = {alpha:g}"
               + (" (PyTorch's form)" if on_new else " (Keras's form)")
               + "; the running variance is fed " + ("the unbiased m/(m − 1)·σ²" if unbiased else "the biased σ²")),
        "ru": ("скользящие статистики: r′ = " + mix_text.format(r="r", s="батч") + f", α = {alpha:g}"
               + (" (как в PyTorch)" if on_new else " (как в Keras)")
               + "; в скользящую дисперсию идёт " + ("несмещённая m/(m − 1)·σ²" if unbiased else "смещённая σ²")),
    })


def _unbiased(xc: np.ndarray) -> np.ndarray:
    """Σᵢ (xᵢ − μ)²/(m − 1): the unbiased variance, a mistake in training-mode batch norm."""
    return np.sum(xc ** 2, axis=0) / (xc.shape[0] - 1)


def _unbiased_message(m: int) -> dict[str, str]:
    return {"en": f"You divided by m − 1 = {m - 1} (the unbiased variance); batch norm in training divides by "
                  f"m = {m}: σ² = (1/m)·Σᵢ (xᵢ − μ)².",
            "ru": f"Вы разделили на m − 1 = {m - 1} (несмещённая дисперсия), а батч-нормализация при обучении "
                  f"делит на m = {m}: σ² = (1/m)·Σᵢ (xᵢ − μ)²."}


def _denominator_mistakes(m: int, finish=None, finish_deps: tuple[str, ...] = ()) -> list[Mistake]:
    """Wrong denominators d of x̂ = (x − μ)/√(σ² + ε): ε forgotten, no square root, the unbiased
    variance; each carried on as ``finish(d, *values of finish_deps)`` (d itself when None)."""
    wrong = {
        "no_eps": (lambda v, e: np.sqrt(v), {
            "en": "You forgot ε under the root: √(σ² + ε).", "ru": "Вы забыли ε под корнем: √(σ² + ε)."}),
        "variance_not_std": (lambda v, e: v + e, {
            "en": "You used σ² + ε without the square root: the denominator is √(σ² + ε).",
            "ru": "Вы взяли σ² + ε без квадратного корня, а знаменатель равен √(σ² + ε)."}),
        "unbiased": (lambda v, e: np.sqrt(v * m / (m - 1) + e), _unbiased_message(m)),
    }
    finish = finish or (lambda d: d)
    return [Mistake(name, ("var", "eps", *finish_deps),
                    lambda v, e, *rest, den=den: finish(den(v, e), *rest), msg)
            for name, (den, msg) in wrong.items()]


def _per_feature(data, key: str, path: str, x: np.ndarray, *, required: bool, default: float = 0.0) -> np.ndarray:
    """γ, β, running mean/var: a number (shared start value) or one number per feature."""
    field = f"{path}.{key}"
    if key not in data and not required:
        value = np.array(default, dtype=np.float64)
    else:
        value = read_array(data, key, path, ndim=(0, 1))
    if x.ndim == 1:
        if value.size != 1:
            raise DataError(field, f"has {value.size} values but x is one feature: give one number")
        return value.reshape(())
    d = x.shape[1]
    if value.ndim == 0:
        return np.full(d, float(value))
    if value.size != d:
        raise DataError(field, f"has {value.size} values but x has {d} features (columns)")
    return value


def _read_upstream(data, path: str, shape) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Either ``upstream`` (∂L/∂y itself) or ``c`` (L = Σ c∘y), each shaped like x, or neither."""
    if "upstream" in data and "c" in data:
        raise DataError(f"{path}.c", "give either upstream (∂L/∂y) or c (L = Σ c∘y), not both")
    for key in ("upstream", "c"):
        if key in data:
            arr = read_array(data, key, path, ndim=(1, 2))
            if arr.shape != tuple(shape):
                raise DataError(f"{path}.{key}", f"has shape {_shape(arr.shape)} but x has shape {_shape(shape)}")
            return (arr, None) if key == "upstream" else (None, arr)
    return None, None


def _shape(shape) -> str:
    return "×".join(map(str, shape))


KIND = Kind(
    name="batchnorm",
    summary="Batch normalisation of one mini-batch in training mode: batch mean and (biased) variance, "
            "x̂, y = γ·x̂ + β; the backward pass from an upstream gradient; the running-statistics update.",
    fields=(
        FieldDoc("x", True, "the batch: a matrix (rows = observations, columns = features) or a list "
                            "(one feature); at least 2 observations"),
        FieldDoc("gamma", True, "γ: one number per feature (a number gives every feature that value)"),
        FieldDoc("beta", True, "β: one number per feature (a number gives every feature that value)"),
        FieldDoc("eps", True, "ε in x̂ = (x − μ)/√(σ² + ε); 0 is allowed when no feature is constant"),
        FieldDoc("upstream", False, "∂L/∂y, shaped like x: turns on the backward pass"),
        FieldDoc("c", False, "instead of upstream: L = Σ c∘y (c shaped like x), so ∂L/∂y = c and L is a quantity"),
        FieldDoc("running", False, "[problem.running]: turns on the running-statistics update"),
        FieldDoc("running.mean", False, "the running mean before the batch (default 0, per feature)"),
        FieldDoc("running.var", False, "the running variance before the batch (default 1, per feature)"),
        FieldDoc("running.momentum", True, "α, between 0 and 1 (PyTorch 0.1 with momentum_on = \"new\"; "
                                           "Keras 0.99 with \"old\")"),
        FieldDoc("running.momentum_on", True, '"new": r′ = (1 − α)·r + α·batch (PyTorch); '
                                              '"old": r′ = α·r + (1 − α)·batch (Keras)'),
        FieldDoc("running.variance", True, '"unbiased": the running variance is fed m/(m − 1)·σ² (PyTorch); '
                                           '"biased": it is fed σ²'),
    ),
    build=build,
    names=(
        NameDoc("x, gamma, beta, eps", "givens: the batch, γ, β, ε"),
        NameDoc("mu, xc, var, std", "μ, x − μ, the biased batch variance σ², √(σ² + ε) (per feature)"),
        NameDoc("x_hat, y", "the normalised batch x̂ and the output y = γ·x̂ + β"),
        NameDoc("c, L", "with c: the loss weights and L = Σ c∘y"),
        NameDoc("grad.y", "∂L/∂y (a given with upstream, = c with c)"),
        NameDoc("grad.beta, grad.gamma, grad.x_hat", "∂L/∂β, ∂L/∂γ, ∂L/∂x̂"),
        NameDoc("grad.var, grad.mu, grad.x", "∂L/∂σ² (μ fixed), ∂L/∂μ (through x̂ and σ²), ∂L/∂x"),
        NameDoc("running_mean, running_var, momentum", "with running: the running statistics before the batch, α"),
        NameDoc("var_unbiased", "with running.variance = \"unbiased\": m/(m − 1)·σ²"),
        NameDoc("running_mean.next, running_var.next", "the running statistics after the batch"),
        NameDoc("y_eval", "the output for the same x in evaluation mode, with the updated running statistics"),
    ),
)
