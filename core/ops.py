"""Element-wise activations and losses, each with its derivative.

One small function per operation, float64 in and out. Conventions at kinks are fixed
and stated: ReLU′(0) = 0, step′ = 0 everywhere, step(0) = 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

Array = np.ndarray


def sigmoid(t: Array) -> Array:
    """σ(t) = 1 / (1 + e^(−t)), computed without overflow for large |t|."""
    t = np.asarray(t, dtype=np.float64)
    out = np.empty_like(t)
    pos = t >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-t[pos]))
    e = np.exp(t[~pos])
    out[~pos] = e / (1.0 + e)
    return out


@dataclass(frozen=True)
class Activation:
    """g and g′ as functions of the pre-activation z."""

    name: str
    symbol: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    names: Mapping[str, str]


def _relu(z):
    return np.maximum(z, 0.0)


def _drelu(z):
    return (np.asarray(z) > 0).astype(np.float64)


def _dsigmoid(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def _step(z):
    return (np.asarray(z) >= 0).astype(np.float64)


LEAKY_SLOPE = 0.01

ACTIVATIONS: Mapping[str, Activation] = {
    a.name: a
    for a in (
        Activation("identity", "id", lambda z: np.asarray(z, dtype=np.float64) * 1.0,
                   lambda z: np.ones_like(np.asarray(z, dtype=np.float64)),
                   {"en": "identity (linear)", "ru": "тождественная (линейная)"}),
        Activation("relu", "ReLU", _relu, _drelu, {"en": "ReLU", "ru": "ReLU"}),
        Activation("sigmoid", "σ", sigmoid, _dsigmoid, {"en": "sigmoid", "ru": "сигмоида"}),
        Activation("tanh", "tanh", np.tanh, lambda z: 1.0 - np.tanh(z) ** 2,
                   {"en": "tanh", "ru": "гиперболический тангенс"}),
        Activation("leaky_relu", "LeakyReLU",
                   lambda z: np.where(np.asarray(z) > 0, z, LEAKY_SLOPE * np.asarray(z)),
                   lambda z: np.where(np.asarray(z) > 0, 1.0, LEAKY_SLOPE),
                   {"en": "leaky ReLU (slope 0.01)", "ru": "leaky ReLU (наклон 0.01)"}),
        Activation("step", "step", _step, lambda z: np.zeros_like(np.asarray(z, dtype=np.float64)),
                   {"en": "step (Heaviside)", "ru": "ступенька (функция Хевисайда)"}),
    )
}


def squared_loss(y_hat: Array, y: Array, half: bool) -> Array:
    """L = c · Σ (ŷ − y)², with c = ½ when ``half`` else 1."""
    c = 0.5 if half else 1.0
    return np.asarray(c * np.sum((np.asarray(y_hat) - np.asarray(y)) ** 2))


def squared_loss_grad(y_hat: Array, y: Array, half: bool) -> Array:
    """∂L/∂ŷ = 2c · (ŷ − y)."""
    c = 0.5 if half else 1.0
    return 2.0 * c * (np.asarray(y_hat) - np.asarray(y))
