"""Batch normalisation of one mini-batch in training mode: forward, backward, running statistics.

x has shape (m, d): m observations (rows), d features (columns); a plain list is one
feature observed m times, shape (m,). γ, β and the statistics are per feature: shape (d,), or
numbers. The pieces, their formulas and their slips are :mod:`nntutor.core.ops.batchnorm`:

    μ, x − μ, σ² (biased), √(σ² + ε), x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β
    backward from ∂L/∂y (given, or L = Σ c∘y so that ∂L/∂y = c): ∂L/∂β, ∂L/∂γ, ∂L/∂x̂, ∂L/∂σ², ∂L/∂μ, ∂L/∂x
    running statistics with momentum α on the new value (PyTorch) or the old one (Keras), the
    running variance fed the unbiased m/(m − 1)·σ² or the biased σ²; y at evaluation time
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import grad_key
from ..ops import batchnorm as bn
from ..ops import probe
from ..writer import Writer
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_choice, read_number, reject_unknown, shape_text

_TOP = {"kind", "x", "gamma", "beta", "eps", "upstream", "c", "running"}
_RUNNING = {"mean", "var", "momentum", "momentum_on", "variance"}
#: The formulas and slips write x − μ with x and μ: placed wherever one of them reads it.
_CENTRED = {"x": "x", "mu": "mu"}


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

    w = Writer("batchnorm")
    w.given("x", x, "x", texts("the batch (rows are observations, columns are features)",
                               "батч (строки — наблюдения, столбцы — признаки)") if x.ndim == 2
            else texts("the batch of one feature", "батч из одного признака"))
    w.given("gamma", gamma, "γ", texts("the scale γ (one per feature)", "масштаб γ (по одному на признак)"))
    w.given("beta", beta, "β", texts("the shift β (one per feature)", "сдвиг β (по одному на признак)"))
    w.given("eps", eps, "ε", texts("the small constant ε under the square root", "малая константа ε под корнем"))

    # forward
    w.apply(bn.MEAN, "mu", "μ", texts("the batch mean of each feature", "среднее по батчу для каждого признака"),
            "forward", x="x")
    w.apply(bn.CENTRE, "xc", "x − μ", texts("the centred batch x − μ", "центрированный батч x − μ"), "forward",
            x="x", mu="mu")
    w.apply(bn.variance(m), "var", "σ²", texts("the batch variance of each feature (biased, divided by m)",
                                               "дисперсия по батчу для каждого признака (смещённая, делим на m)"),
            "forward", xc="xc", **_CENTRED)
    w.apply(bn.denominator(m), "std", "√(σ² + ε)", texts("the denominator √(σ² + ε)", "знаменатель √(σ² + ε)"),
            "forward", var="var", eps="eps", **_CENTRED)
    w.apply(bn.normalise(m), "x_hat", "x̂", texts("the normalised batch x̂", "нормированный батч x̂"), "forward",
            xc="xc", std="std", var="var", eps="eps", **_CENTRED)
    w.apply(bn.scale_shift(m), "y", "y", texts("the output of the batch-norm layer", "выход слоя батч-нормализации"),
            "forward", gamma="gamma", x_hat="x_hat", beta="beta", xc="xc", var="var", eps="eps", **_CENTRED)
    w.convention("variance", texts(
        f"training mode: the batch variance σ² divides by m = {m} (biased), and ε = {eps:g}",
        f"режим обучения: дисперсия по батчу σ² делится на m = {m} (смещённая), ε = {eps:g}"))
    w.convention("layout", texts(
        "rows are observations, columns are features; statistics are per feature (column)",
        "строки — наблюдения, столбцы — признаки; статистики считаются по каждому признаку (столбцу)"))

    if upstream is not None or c is not None:
        _backward(w, upstream, c, m)
    running = data.get("running")
    if running is not None:
        _running(w, running, f"{path}.running", x, eps)
    return w.build()


def _backward(w: Writer, upstream, c, m: int) -> None:
    gy, gxh, gvar, gmu = grad_key("y"), grad_key("x_hat"), grad_key("var"), grad_key("mu")
    if c is not None:
        w.given("c", c, "c", texts("the weights c of the loss L = Σ c∘y", "веса c в функции потерь L = Σ c∘y"))
        w.apply(probe.LOSS, "L", "L", texts("the loss", "значение функции потерь"), "loss", y="y", c="c")
        w.apply(probe.GRADIENT, gy, "∂L/∂y", texts("the upstream gradient ∂L/∂y", "градиент ∂L/∂y, пришедший сверху"),
                "backward", c="c")
    else:
        w.given(gy, upstream, "∂L/∂y", texts("the upstream gradient ∂L/∂y (given)",
                                             "градиент ∂L/∂y, пришедший сверху (дан)"))
    w.apply(bn.GRAD_BETA, grad_key("beta"), "∂L/∂β", texts("the gradient with respect to the shift β",
                                                          "производная по сдвигу β"), "backward", g=gy)
    w.apply(bn.GRAD_GAMMA, grad_key("gamma"), "∂L/∂γ", texts("the gradient with respect to the scale γ",
                                                            "производная по масштабу γ"),
            "backward", g=gy, x_hat="x_hat")
    w.apply(bn.GRAD_X_HAT, gxh, "∂L/∂x̂", texts("the gradient with respect to x̂", "производная по x̂"), "backward",
            g=gy, gamma="gamma")
    w.apply(bn.GRAD_VAR, gvar, "∂L/∂σ²", texts("the gradient with respect to the batch variance σ² (μ held fixed)",
                                               "производная по дисперсии батча σ² (μ фиксировано)"),
            "backward", gx_hat=gxh, xc="xc", var="var", eps="eps", **_CENTRED)
    w.apply(bn.grad_mu(m), gmu, "∂L/∂μ", texts("the gradient with respect to the batch mean μ (through x̂ and "
                                               "through σ²)", "производная по среднему батча μ (через x̂ и через σ²)"),
            "backward", gx_hat=gxh, std="std", gvar=gvar, xc="xc", **_CENTRED)
    w.apply(bn.grad_x(m), grad_key("x"), "∂L/∂x", texts("the gradient with respect to the input batch x",
                                                       "производная по входному батчу x"),
            "backward", gx_hat=gxh, std="std", gvar=gvar, xc="xc", gmu=gmu, g=gy, gamma="gamma", var="var", **_CENTRED)


def _running(w: Writer, running, path: str, x: np.ndarray, eps: float) -> None:
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
    new_var = bn.running(on_new).fn(var, x.var(axis=0) * (m / (m - 1) if unbiased else 1.0), alpha)
    if np.any(new_var + eps <= 0):
        raise DataError(f"{path}.var", "the running variance after this batch is 0 and ε = 0: "
                                       "evaluation mode would divide by zero")

    w.given("running_mean", mean, "μ_run", texts("the running mean before this batch",
                                                 "скользящее среднее до этого батча"))
    w.given("running_var", var, "σ²_run", texts("the running variance before this batch",
                                                "скользящая дисперсия до этого батча"))
    w.given("momentum", alpha, "α", texts("the momentum α of the running statistics",
                                          "коэффициент α (momentum) скользящих статистик"))
    feed = "var"
    if unbiased:
        feed = w.apply(bn.unbiased_variance(m), "var_unbiased", "s²", texts(
            "the unbiased batch variance m/(m − 1)·σ²", "несмещённая дисперсия батча m/(m − 1)·σ²"), "update",
            var="var")
    w.apply(bn.running(on_new), "running_mean.next", "μ_run′", texts(
        "the running mean after this batch", "скользящее среднее после этого батча"), "update",
        r="running_mean", s="mu", alpha="momentum")
    w.apply(bn.running_variance(on_new, unbiased, m), "running_var.next", "σ²_run′", texts(
        "the running variance after this batch", "скользящая дисперсия после этого батча"), "update",
        r="running_var", s=feed, alpha="momentum", var="var")
    w.apply(bn.EVALUATE, "y_eval", "y_eval", texts(
        "the layer's output for the same x in evaluation mode (running statistics after this batch)",
        "выход слоя для того же x в режиме применения (скользящие статистики после этого батча)"), "value",
        x="x", gamma="gamma", beta="beta", r_mean="running_mean.next", r_var="running_var.next", eps="eps")
    mix = {"en": "(1 − α)·r + α·batch", "ru": "(1 − α)·r + α·батч"} if on_new else \
        {"en": "α·r + (1 − α)·batch", "ru": "α·r + (1 − α)·батч"}
    w.convention("running", texts(
        f"running statistics: r′ = {mix['en']} with α = {alpha:g}" + (" (PyTorch's form)" if on_new else
                                                                      " (Keras's form)")
        + "; the running variance is fed " + ("the unbiased m/(m − 1)·σ²" if unbiased else "the biased σ²"),
        f"скользящие статистики: r′ = {mix['ru']}, α = {alpha:g}" + (" (как в PyTorch)" if on_new else
                                                                    " (как в Keras)")
        + "; в скользящую дисперсию идёт " + ("несмещённая m/(m − 1)·σ²" if unbiased else "смещённая σ²")))


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
                raise DataError(f"{path}.{key}", f"is {shape_text(arr.shape)} but x is {shape_text(shape)}")
            return (arr, None) if key == "upstream" else (None, arr)
    return None, None


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
