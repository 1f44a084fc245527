"""Batch normalisation's pieces in training mode, with their slips.

x is a batch of m observations (rows) and d features (columns), or one feature (a list); every
statistic is per feature, over the batch axis:

    μ = (1/m)·Σᵢ xᵢ,   σ² = (1/m)·Σᵢ (xᵢ − μ)²   (biased: 1/m, as in training-mode BN)
    x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β

Backward from g = ∂L/∂y:

    ∂L/∂β = Σᵢ gᵢ,   ∂L/∂γ = Σᵢ gᵢ·x̂ᵢ,   ∂L/∂x̂ = g·γ
    ∂L/∂σ² = Σᵢ ∂L/∂x̂ᵢ·(xᵢ − μ)·(−½)(σ² + ε)^(−3/2)          (μ held fixed)
    ∂L/∂μ  = −Σᵢ ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·(−2/m)·Σᵢ (xᵢ − μ)  (through x̂ and σ²)
    ∂L/∂xᵢ = ∂L/∂x̂ᵢ/√(σ² + ε) + ∂L/∂σ²·2(xᵢ − μ)/m + ∂L/∂μ/m

Running statistics with momentum α, s the batch statistic fed to them: α on the new value
(PyTorch) r′ = (1 − α)·r + α·s; α on the old value (Keras) r′ = α·r + (1 − α)·s. At evaluation
time y = γ·(x − μ_run′)/√(σ²_run′ + ε) + β.

Slots: ``x``, ``mu`` (μ), ``xc`` (x − μ), ``var`` (σ²), ``eps`` (ε), ``std`` (√(σ² + ε)),
``x_hat``, ``gamma``, ``beta``; ``g`` = ∂L/∂y, ``gx_hat``, ``gvar``, ``gmu`` the gradients with
respect to x̂, σ² and μ; ``r`` a running statistic before the batch, ``s`` what the batch feeds
it, ``alpha`` (α), ``r_mean`` and ``r_var`` the running statistics after it; ``out`` the quantity
computed, ``f`` its right formula. A formula or a slip's words may read a slot the function does
not (x̂'s formula writes x − μ with x and μ): the kind places those too.

Slips, declared here once: the unbiased variance 1/(m − 1), ε forgotten, σ² + ε without the root
(in σ², √(σ² + ε), x̂ and y); ∂L/∂x without the paths through μ and/or σ²; the running statistics
with α on the other term, or fed the other variance (conventions).
"""

from __future__ import annotations

import numpy as np

from .record import Op, Slip, slip

# -- forward ---------------------------------------------------------------------------------

MEAN = Op("batch_mean", ("x",), lambda x: np.mean(x, axis=0), "{out} = (1/m)·Σᵢ {x}ᵢ")
CENTRE = Op("centre", ("x", "mu"), lambda x, mu: x - mu, "{x} − {mu}")


def _unbiased_words(m: int, formula: str) -> tuple[str, str]:
    return (f"You divided by m − 1 = {m - 1} (the unbiased variance); batch norm in training divides by m = {m}: "
            f"{formula}.",
            f"Вы разделили на m − 1 = {m - 1} (несмещённая дисперсия), а батч-нормализация при обучении делит на "
            f"m = {m}: {formula}.")


def variance(m: int) -> Op:
    """σ² = (1/m)·Σᵢ (xᵢ − μ)², from x − μ. Slip: the unbiased variance, divided by m − 1."""
    return Op("batch_variance", ("xc",), lambda xc: np.mean(xc ** 2, axis=0), "{out} = (1/m)·Σᵢ ({x}ᵢ − {mu})²",
              (slip("unbiased", ["xc"], lambda xc: np.sum(xc ** 2, axis=0) / (m - 1), *_unbiased_words(m, "{f}")),))


def _denominator_slips(m: int, finish=None, uses: tuple[str, ...] = ()) -> tuple[Slip, ...]:
    """Wrong denominators d of x̂ = (x − μ)/√(σ² + ε) -- ε forgotten, no square root, the unbiased
    variance -- each carried on as ``finish(d, *values of uses)`` (d itself when None)."""
    wrong = (
        ("no_eps", lambda v, e: np.sqrt(v),
         "You forgot {eps} under the root: √({var} + {eps}).", "Вы забыли {eps} под корнем: √({var} + {eps})."),
        ("variance_not_std", lambda v, e: v + e,
         "You used {var} + {eps} without the square root: the denominator is √({var} + {eps}).",
         "Вы взяли {var} + {eps} без квадратного корня, а знаменатель равен √({var} + {eps})."),
        ("unbiased", lambda v, e: np.sqrt(v * m / (m - 1) + e), *_unbiased_words(m, "{var} = (1/m)·Σᵢ ({x}ᵢ − {mu})²")),
    )
    finish = finish or (lambda d: d)
    return tuple(slip(name, ["var", "eps", *uses], lambda v, e, *rest, d=d: finish(d(v, e), *rest), en, ru)
                 for name, d, en, ru in wrong)


def denominator(m: int) -> Op:
    """√(σ² + ε)."""
    return Op("bn_denominator", ("var", "eps"), lambda v, e: np.sqrt(v + e), "√({var} + {eps})",
              _denominator_slips(m))


def normalise(m: int) -> Op:
    """x̂ = (x − μ)/√(σ² + ε), from x − μ and the denominator."""
    return Op("normalise", ("xc", "std"), lambda xc, s: xc / s, "{out} = ({x} − {mu})/√({var} + {eps})",
              _denominator_slips(m, lambda d, xc: xc / d, ("xc",)))


def scale_shift(m: int) -> Op:
    """y = γ·x̂ + β (γ, β per feature)."""
    return Op("scale_shift", ("gamma", "x_hat", "beta"), lambda g, xh, b: g * xh + b,
              "{out} = {gamma}·{x_hat} + {beta}",
              _denominator_slips(m, lambda d, xc, g, b: g * xc / d + b, ("xc", "gamma", "beta")))


# -- backward --------------------------------------------------------------------------------

GRAD_BETA = Op("bn_grad_beta", ("g",), lambda g: np.sum(g, axis=0), "{out} = Σᵢ {g}ᵢ")
GRAD_GAMMA = Op("bn_grad_gamma", ("g", "x_hat"), lambda g, xh: np.sum(g * xh, axis=0), "{out} = Σᵢ {g}ᵢ·{x_hat}ᵢ")
GRAD_X_HAT = Op("bn_grad_x_hat", ("g", "gamma"), lambda g, gam: g * gam, "{out} = {g}·{gamma}")
GRAD_VAR = Op("bn_grad_var", ("gx_hat", "xc", "var", "eps"),
              lambda gxh, xc, v, e: np.sum(gxh * xc, axis=0) * -0.5 * (v + e) ** -1.5,
              "{out} = Σᵢ {gx_hat}ᵢ·({x}ᵢ − {mu})·(−½)({var} + {eps})^(−3/2)")


def grad_mu(m: int) -> Op:
    """∂L/∂μ through x̂ and through σ²."""
    return Op("bn_grad_mu", ("gx_hat", "std", "gvar", "xc"),
              lambda gxh, s, gv, xc: -np.sum(gxh, axis=0) / s + gv * (-2.0 / m) * np.sum(xc, axis=0),
              "{out} = −Σᵢ {gx_hat}ᵢ/{std} + {gvar}·(−2/m)·Σᵢ ({x}ᵢ − {mu})")


def grad_x(m: int) -> Op:
    """∂L/∂x by its three paths: directly through x̂, through σ² and through μ. Slips: only the
    direct path, or one of the other two left out."""
    return Op("bn_grad_x", ("gx_hat", "std", "gvar", "xc", "gmu"),
              lambda gxh, s, gv, xc, gmu: gxh / s + gv * 2.0 * xc / m + gmu / m,
              "{out}ᵢ = {gx_hat}ᵢ/{std} + {gvar}·2({x}ᵢ − {mu})/m + {gmu}/m", (
                  slip("no_stat_paths", ["gx_hat", "std"], lambda gxh, s: gxh / s,
                       "You kept only the direct path {gamma}/{std}·{g}; {mu} and {var} depend on {x} too: {f}.",
                       "Вы учли только прямой путь {gamma}/{std}·{g}, но {mu} и {var} тоже зависят от {x}: {f}."),
                  slip("no_var_path", ["gx_hat", "std", "gmu"], lambda gxh, s, gmu: gxh / s + gmu / m,
                       "You left out the path through {var}, the term {gvar}·2({x}ᵢ − {mu})/m.",
                       "Вы пропустили путь через {var}, слагаемое {gvar}·2({x}ᵢ − {mu})/m."),
                  slip("no_mean_path", ["gx_hat", "std", "gvar", "xc"],
                       lambda gxh, s, gv, xc: gxh / s + gv * 2.0 * xc / m,
                       "You left out the path through {mu}, the term {gmu}/m.",
                       "Вы пропустили путь через {mu}, слагаемое {gmu}/m.")))


# -- running statistics ----------------------------------------------------------------------


def _mix(on_new: bool):
    """r′ = (1 − α)·r + α·s (α on the new value) or α·r + (1 − α)·s (α on the old value)."""
    return (lambda r, s, a: (1.0 - a) * r + a * s) if on_new else (lambda r, s, a: a * r + (1.0 - a) * s)


def _momentum_on(on_new: bool) -> Slip:
    """α put on the other term: the other framework's convention."""
    if on_new:
        words = ("You put α on the old value, r′ = α·r + (1 − α)·batch, as Keras does; this lesson puts it on the "
                 "batch value, as PyTorch does: r′ = (1 − α)·r + α·batch.",
                 "Вы поставили α при старом значении, r′ = α·r + (1 − α)·батч, как в Keras; в этом уроке α стоит "
                 "при значении по батчу, как в PyTorch: r′ = (1 − α)·r + α·батч.")
    else:
        words = ("You put α on the batch value, r′ = (1 − α)·r + α·batch, as PyTorch does; this lesson puts it on "
                 "the old value, as Keras does: r′ = α·r + (1 − α)·batch.",
                 "Вы поставили α при значении по батчу, r′ = (1 − α)·r + α·батч, как в PyTorch; в этом уроке α "
                 "стоит при старом значении, как в Keras: r′ = α·r + (1 − α)·батч.")
    return slip("momentum_on", ["r", "s", "alpha"], _mix(not on_new), *words, convention=True)


def running(on_new: bool) -> Op:
    """A running statistic r′ mixed from the old r and the batch's s with momentum α."""
    return Op("running_average", ("r", "s", "alpha"), _mix(on_new),
              "{out} = " + ("(1 − {alpha})·{r} + {alpha}·{s}" if on_new else "{alpha}·{r} + (1 − {alpha})·{s}"),
              (_momentum_on(on_new),))


def unbiased_variance(m: int) -> Op:
    """s² = m/(m − 1)·σ², what PyTorch feeds its running variance."""
    return Op("unbiased_variance", ("var",), lambda v: v * m / (m - 1),
              f"{{out}} = m/(m − 1)·{{var}} = {m}/{m - 1}·{{var}}")


def running_variance(on_new: bool, unbiased: bool, m: int) -> Op:
    """The running variance, fed ``s`` (the unbiased s² or the biased σ², placed at ``var``).
    Slips: α on the other term; the other variance fed (both conventions)."""
    mix = _mix(on_new)
    if unbiased:
        other = slip("running_variance", ["r", "var", "alpha"], mix,
                     "You fed the running variance the biased σ²; this lesson, like PyTorch, feeds it the unbiased "
                     "m/(m − 1)·σ².",
                     "Вы подали в скользящую дисперсию смещённую σ²; в этом уроке, как в PyTorch, подаётся "
                     "несмещённая m/(m − 1)·σ².", convention=True)
    else:
        other = slip("running_variance", ["r", "var", "alpha"], lambda r, v, a: mix(r, v * m / (m - 1), a),
                     "You fed the running variance the unbiased m/(m − 1)·σ², as PyTorch does; this lesson feeds "
                     "it the biased σ².",
                     "Вы подали в скользящую дисперсию несмещённую m/(m − 1)·σ², как в PyTorch; в этом уроке "
                     "подаётся смещённая σ².", convention=True)
    op = running(on_new)
    return Op("running_variance", op.slots, op.fn, op.formula, (*op.slips, other))


EVALUATE = Op("bn_evaluate", ("x", "gamma", "beta", "r_mean", "r_var", "eps"),
              lambda x, g, b, rm, rv, e: g * (x - rm) / np.sqrt(rv + e) + b,
              "{out} = {gamma}·({x} − {r_mean})/√({r_var} + {eps}) + {beta}")
