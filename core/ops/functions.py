"""Activations and losses, each with its backward.

One small function per operation, float64 in and out. Conventions at kinks are stated, and a
lesson may choose them: ReLU′(0) = 0 (default) or 1, leaky ReLU′(0) = slope (default) or 1,
step(0) = 1 (default) or 0; step′ = 0 everywhere. ELU′(0) = α (its z ≤ 0 branch; smooth when α = 1).
Element-wise activations carry g′ and pass ∂L/∂z = ∂L/∂a ∘ g′(z); softmax is a vector
activation whose backward is the Jacobian-vector product along the unit axis.

Every loss is a sum over all entries (output units, and observations of a batch) times
``scale``: 1 for a sum over the batch, 1/m for a mean over m observations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

Array = np.ndarray


def _f64(t) -> Array:
    return np.asarray(t, dtype=np.float64)


# -- activations -----------------------------------------------------------------------


def sigmoid(t: Array) -> Array:
    """σ(t) = 1 / (1 + e^(−t)), computed without overflow for large |t|; any shape."""
    t = _f64(t)
    out = np.empty_like(t)
    pos = t >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-t[pos]))
    e = np.exp(t[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def softmax(z: Array, temperature: float = 1.0, axis: int = -1) -> Array:
    """pₖ = e^(zₖ/T) / Σⱼ e^(zⱼ/T) along ``axis``; the max is subtracted first, so no overflow."""
    u = _f64(z) / temperature
    e = np.exp(u - np.max(u, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_vjp(z: Array, g: Array, temperature: float = 1.0, axis: int = -1) -> Array:
    """∂L/∂z = Jᵀg for p = softmax(z/T): ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ)/T, so Jᵀg = p ∘ (g − ⟨g, p⟩)/T."""
    p = softmax(z, temperature, axis)
    g = _f64(g)
    return p * (g - np.sum(g * p, axis=axis, keepdims=True)) / temperature


def logsumexp(u: Array, axis: int = -1) -> Array:
    """ln Σ e^u along ``axis`` (the axis is dropped), stable for large u."""
    u = _f64(u)
    m = np.max(u, axis=axis, keepdims=True)
    return np.squeeze(m, axis=axis) + np.log(np.sum(np.exp(u - m), axis=axis))


@dataclass(frozen=True)
class Activation:
    """An activation a = g(z) and its backward.

    Element-wise (``df`` set): ``f(z)``, ``df(z)`` = g′(z), ∂L/∂z = ∂L/∂a ∘ g′(z).
    Vector (``df is None``, softmax): ``f(z, axis)``; ∂L/∂z = ``vjp(z, ∂L/∂a, axis)``.
    ``axis`` is the axis of the units (−1 for a vector or a row-layout batch).
    """

    name: str
    symbol: str
    f: Callable[..., Array]
    df: Callable[[Array], Array] | None
    names: Mapping[str, str]
    vjp: Callable[[Array, Array, int], Array] | None = None
    temperature: float = 1.0
    #: ReLU and leaky ReLU: g′(0) as this activation takes it (0 or 1; the slope or 1)
    derivative_at_zero: float | None = None
    #: the step: step(0) (1 or 0)
    step_at_zero: float | None = None
    #: ELU: α in α(eᶻ − 1) for z ≤ 0
    alpha: float | None = None

    @property
    def elementwise(self) -> bool:
        return self.df is not None

    def forward(self, z: Array, axis: int = -1) -> Array:
        return self.f(z) if self.df is not None else self.f(z, axis)

    def backward(self, z: Array, g: Array, axis: int = -1) -> Array:
        """∂L/∂z from ∂L/∂a = g (same shape as z)."""
        if self.df is not None:
            return _f64(g) * self.df(z)
        return self.vjp(z, g, axis)


def _relu(z):
    return np.maximum(_f64(z), 0.0)


def _drelu(z):
    return (_f64(z) > 0).astype(np.float64)


def _drelu_right(z):
    """ReLU′ with ReLU′(0) = 1, the one-sided derivative from the right."""
    return (_f64(z) >= 0).astype(np.float64)


def _dsigmoid(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def _step(z):
    return (_f64(z) >= 0).astype(np.float64)


def _step_zero_at_zero(z):
    """step(z) = 1 for z > 0, else 0 (step(0) = 0)."""
    return (_f64(z) > 0).astype(np.float64)


def _exp(z):
    return np.exp(_f64(z))


def _number(v: float) -> str:
    return f"{v:g}"


LEAKY_SLOPE = 0.01


def leaky_relu(slope: float = LEAKY_SLOPE, derivative_at_zero: float | None = None) -> Activation:
    """g(z) = z for z > 0, slope·z otherwise; g′(0) = slope, or 1 when ``derivative_at_zero`` is 1."""
    names = {"en": f"leaky ReLU (slope {_number(slope)})", "ru": f"leaky ReLU (наклон {_number(slope)})"}
    f = lambda z: np.where(_f64(z) > 0, _f64(z), slope * _f64(z))  # noqa: E731
    if derivative_at_zero is None or derivative_at_zero == slope:
        return Activation("leaky_relu", "LeakyReLU", f, lambda z: np.where(_f64(z) > 0, 1.0, slope), names,
                          derivative_at_zero=None if derivative_at_zero is None else float(slope))
    if derivative_at_zero != 1:
        raise ValueError(f"leaky ReLU′(0) is its slope {_number(slope)} or 1, not {derivative_at_zero:g}")
    return Activation("leaky_relu", "LeakyReLU", f, lambda z: np.where(_f64(z) >= 0, 1.0, slope), names,
                      derivative_at_zero=1.0)


def relu(derivative_at_zero: float = 0.0) -> Activation:
    """g(z) = max(z, 0); g′(z) = [z > 0], or [z ≥ 0] when ``derivative_at_zero`` is 1."""
    if derivative_at_zero not in (0, 1):
        raise ValueError(f"ReLU′(0) is 0 or 1, not {derivative_at_zero:g}")
    return Activation("relu", "ReLU", _relu, _drelu if derivative_at_zero == 0 else _drelu_right,
                      {"en": "ReLU", "ru": "ReLU"}, derivative_at_zero=float(derivative_at_zero))


def step(at_zero: float = 1.0) -> Activation:
    """step(z) = [z ≥ 0] (step(0) = 1), or [z > 0] when ``at_zero`` is 0; step′ = 0 everywhere."""
    if at_zero not in (0, 1):
        raise ValueError(f"step(0) is 0 or 1, not {at_zero:g}")
    return Activation("step", "step", _step if at_zero == 1 else _step_zero_at_zero,
                      lambda z: np.zeros_like(_f64(z)),
                      {"en": "step (Heaviside)", "ru": "ступенька (функция Хевисайда)"}, step_at_zero=float(at_zero))


# -- smooth relatives of ReLU and the gated activations -------------------------------------

#: SELU's published constants (Klambauer et al., 2017): SELU(z) = λ·(z for z > 0, α(eᶻ − 1) for z ≤ 0).
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717
#: GELU's tanh approximation: GELU(z) ≈ ½z(1 + tanh(√(2/π)(z + 0.044715z³))).
GELU_C = 0.044715
_SQRT_2_PI = float(np.sqrt(2.0 / np.pi))


def elu_value(z: Array, alpha: float = 1.0) -> Array:
    """ELU(z) = z for z > 0, α(eᶻ − 1) for z ≤ 0 (no overflow: e^min(z, 0))."""
    z = _f64(z)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_derivative(z: Array, alpha: float = 1.0) -> Array:
    """ELU′(z) = 1 for z > 0, αeᶻ for z ≤ 0 (= ELU(z) + α there)."""
    z = _f64(z)
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


def selu_value(z: Array) -> Array:
    """SELU(z) = λ·ELU_α(z) with the published λ and α."""
    return SELU_LAMBDA * elu_value(z, SELU_ALPHA)


def selu_derivative(z: Array) -> Array:
    """SELU′(z) = λ for z > 0, λαeᶻ for z ≤ 0."""
    return SELU_LAMBDA * elu_derivative(z, SELU_ALPHA)


def softplus(z: Array) -> Array:
    """softplus(z) = ln(1 + eᶻ), stable for large |z|; softplus′ = σ."""
    return np.logaddexp(0.0, _f64(z))


def swish(z: Array) -> Array:
    """swish(z) = SiLU(z) = z·σ(z)."""
    z = _f64(z)
    return z * sigmoid(z)


def swish_derivative(z: Array) -> Array:
    """swish′(z) = σ(z) + z·σ(z)(1 − σ(z)) (the product rule)."""
    z = _f64(z)
    s = sigmoid(z)
    return s + z * s * (1.0 - s)


def gelu_inner(z: Array) -> Array:
    """u = √(2/π)(z + 0.044715z³), the argument of tanh in GELU's approximation."""
    z = _f64(z)
    return _SQRT_2_PI * (z + GELU_C * z ** 3)


def gelu(z: Array) -> Array:
    """GELU(z) ≈ ½z(1 + tanh u), u = √(2/π)(z + 0.044715z³): the tanh approximation of z·Φ(z)."""
    z = _f64(z)
    return 0.5 * z * (1.0 + np.tanh(gelu_inner(z)))


def gelu_derivative(z: Array) -> Array:
    """GELU′(z) = ½(1 + tanh u) + ½z(1 − tanh²u)·√(2/π)(1 + 3·0.044715z²), of the approximation."""
    z = _f64(z)
    t = np.tanh(gelu_inner(z))
    return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t ** 2) * _SQRT_2_PI * (1.0 + 3.0 * GELU_C * z ** 2)


def elu(alpha: float = 1.0) -> Activation:
    """ELU with its α (α > 0)."""
    a = _number(alpha)
    return Activation("elu", "ELU", lambda z: elu_value(z, alpha), lambda z: elu_derivative(z, alpha),
                      {"en": f"ELU (α = {a})", "ru": f"ELU (α = {a})"}, alpha=float(alpha))


def softmax_activation(temperature: float = 1.0) -> Activation:
    """a = softmax(z/T) over the units: a vector activation."""
    t = _number(temperature)
    suffix = ({"en": "", "ru": ""} if temperature == 1.0
              else {"en": f" with temperature T = {t}", "ru": f" с температурой T = {t}"})
    return Activation(
        "softmax", "softmax",
        lambda z, axis=-1: softmax(z, temperature, axis), None,
        {"en": "softmax" + suffix["en"], "ru": "softmax" + suffix["ru"]},
        vjp=lambda z, g, axis=-1: softmax_vjp(z, g, temperature, axis),
        temperature=temperature)


#: The element-wise activations with default parameters (leaky ReLU slope 0.01).
ACTIVATIONS: Mapping[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", "id", lambda z: _f64(z) * 1.0, lambda z: np.ones_like(_f64(z)),
                   {"en": "identity (linear)", "ru": "тождественная (линейная)"}),
        Activation("relu", "ReLU", _relu, _drelu, {"en": "ReLU", "ru": "ReLU"}),
        Activation("sigmoid", "σ", sigmoid, _dsigmoid, {"en": "sigmoid", "ru": "сигмоида"}),
        Activation("tanh", "tanh", np.tanh, lambda z: 1.0 - np.tanh(_f64(z)) ** 2,
                   {"en": "tanh", "ru": "гиперболический тангенс"}),
        leaky_relu(LEAKY_SLOPE),
        Activation("step", "step", _step, lambda z: np.zeros_like(_f64(z)),
                   {"en": "step (Heaviside)", "ru": "ступенька (функция Хевисайда)"}),
        Activation("exp", "exp", _exp, _exp, {"en": "exponential", "ru": "экспонента"}),
        elu(1.0),
        Activation("selu", "SELU", selu_value, selu_derivative, {"en": "SELU", "ru": "SELU"}),
        Activation("swish", "swish", swish, swish_derivative, {"en": "swish (SiLU)", "ru": "swish (SiLU)"}),
        Activation("gelu", "GELU", gelu, gelu_derivative,
                   {"en": "GELU (tanh approximation)", "ru": "GELU (приближение через tanh)"}),
        Activation("softplus", "softplus", softplus, sigmoid, {"en": "softplus", "ru": "softplus"}),
    )
}

#: Every activation name a layer may use: the element-wise ones and softmax.
ACTIVATION_NAMES: tuple[str, ...] = (*ACTIVATIONS, "softmax")


def make_activation(name: str, *, slope: float = LEAKY_SLOPE, temperature: float = 1.0, alpha: float = 1.0,
                    derivative_at_zero: float | None = None, step_at_zero: float = 1.0) -> Activation:
    """The activation called ``name``; ``slope`` is for leaky ReLU, ``temperature`` for softmax, ``alpha``
    for ELU; ``derivative_at_zero`` is ReLU′(0) (0 or 1) or leaky ReLU′(0) (its slope or 1), ``step_at_zero``
    step(0) (1 or 0). The defaults are the engine's conventions: the activations of :data:`ACTIVATIONS`."""
    if name == "leaky_relu":
        return leaky_relu(slope, derivative_at_zero)
    if name == "softmax":
        return softmax_activation(temperature)
    if name == "relu" and derivative_at_zero not in (None, 0):
        return relu(derivative_at_zero)
    if name == "step" and step_at_zero != 1:
        return step(step_at_zero)
    if name == "elu" and alpha != 1:
        return elu(alpha)
    return ACTIVATIONS[name]


# -- losses ----------------------------------------------------------------------------


def squared_loss(y_hat: Array, y: Array, half: bool, scale: float = 1.0) -> Array:
    """L = s·c·Σ(ŷ − y)², with c = ½ when ``half`` else 1; ŷ and y of one shape."""
    c = 0.5 if half else 1.0
    return np.asarray(scale * c * np.sum((_f64(y_hat) - _f64(y)) ** 2))


def squared_loss_grad(y_hat: Array, y: Array, half: bool, scale: float = 1.0) -> Array:
    """∂L/∂ŷ = 2c·s·(ŷ − y)."""
    c = 0.5 if half else 1.0
    return 2.0 * c * scale * (_f64(y_hat) - _f64(y))


def _xlogy(y: Array, p: Array) -> Array:
    """y·ln p with 0·ln 0 = 0."""
    y, p = _f64(y), _f64(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, y * np.log(p))


def log_loss(p: Array, y: Array, scale: float = 1.0) -> Array:
    """Log-loss from probabilities: L = −s·Σ[y·ln p + (1 − y)·ln(1 − p)], p = σ(z) ∈ (0, 1).

    Computed from p as written; p rounds to exactly 1 once z > 36, and then L is infinite:
    use :func:`log_loss_logits` where that matters.
    """
    y = _f64(y)
    return np.asarray(-scale * np.sum(_xlogy(y, p) + _xlogy(1.0 - y, 1.0 - _f64(p))))


def log_loss_grad(p: Array, y: Array, scale: float = 1.0) -> Array:
    """∂L/∂p = s·(−y/p + (1 − y)/(1 − p)) = s·(p − y)/(p·(1 − p))."""
    p = _f64(p)
    return scale * (p - _f64(y)) / (p * (1.0 - p))


def log_loss_logits(z: Array, y: Array, scale: float = 1.0) -> Array:
    """Log-loss from the logit z of p = σ(z), stable for any z:

    −[y·ln σ(z) + (1 − y)·ln(1 − σ(z))] = ln(1 + e^z) − y·z = max(z, 0) − y·z + ln(1 + e^(−|z|)).
    """
    z = _f64(z)
    return np.asarray(scale * np.sum(np.maximum(z, 0.0) - _f64(y) * z + np.log1p(np.exp(-np.abs(z)))))


def cross_entropy(p: Array, y: Array, scale: float = 1.0) -> Array:
    """Cross-entropy from probabilities: L = −s·Σ y·ln p (0·ln 0 = 0); y one-hot per observation."""
    return np.asarray(-scale * np.sum(_xlogy(y, p)))


def cross_entropy_grad(p: Array, y: Array, scale: float = 1.0) -> Array:
    """∂L/∂p = −s·y/p (0 where y = 0)."""
    y, p = _f64(y), _f64(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0.0, -scale * y / p)


def cross_entropy_logits(z: Array, y: Array, temperature: float = 1.0, axis: int = -1,
                         scale: float = 1.0) -> Array:
    """Cross-entropy of p = softmax(z/T) from the logits, stable (log-sum-exp):

    −Σₖ yₖ·ln pₖ = Σₖ yₖ·(ln Σⱼ e^(zⱼ/T) − zₖ/T), summed over observations; units on ``axis``.
    """
    u = _f64(z) / temperature
    y = _f64(y)
    per_obs = np.sum(y, axis=axis) * logsumexp(u, axis) - np.sum(y * u, axis=axis)
    return np.asarray(scale * np.sum(per_obs))


def poisson_loss(lam: Array, y: Array, scale: float = 1.0) -> Array:
    """Poisson loss from the rate λ > 0: L = s·Σ(λ − y·ln λ) (the constant ln y! is left out)."""
    return np.asarray(scale * np.sum(_f64(lam) - _xlogy(y, lam)))


def poisson_loss_grad(lam: Array, y: Array, scale: float = 1.0) -> Array:
    """∂L/∂λ = s·(1 − y/λ)."""
    return scale * (1.0 - _f64(y) / _f64(lam))


def poisson_loss_logits(z: Array, y: Array, scale: float = 1.0) -> Array:
    """Poisson loss from the log-rate z, λ = e^z: L = s·Σ(e^z − y·z)."""
    z = _f64(z)
    return np.asarray(scale * np.sum(np.exp(z) - _f64(y) * z))


def output_logit_grad(y_hat: Array, y: Array, scale: float = 1.0, temperature: float = 1.0) -> Array:
    """∂L/∂z of a matched head and loss, straight from the output: s·(ŷ − y)/T.

    Holds for sigmoid + log-loss, exp + Poisson (T = 1), and softmax(z/T) + cross-entropy
    when each observation's targets sum to 1.
    """
    return scale * (_f64(y_hat) - _f64(y)) / temperature
