"""Charts as data: the series a plot draws (no UI imports here). Which charts a lesson has,
and when a student may see each, is decided in :mod:`nntutor.core.pictures.charts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .i18n import LANGS, Messages
from .ops import ACTIVATIONS

#: Where an activation curve is drawn: wide enough to show both saturations.
CURVE_RANGE = (-6.0, 6.0)
CURVE_POINTS = 121
#: One marker per series, so that a chart reads without colour (NO_COLOR, 16 colours).
MARKERS = ("•", "x", "+", "o", "*", "#", "@")

# short: a title wider than the plot is dropped, and the text pane is ~46 columns at 80×24
_WORDS = Messages({
    "sigmoid": {"en": "σ({v}) and σ′({v}) = σ(1 − σ)", "ru": "σ({v}) и σ′({v}) = σ(1 − σ)"},
    "tanh": {"en": "tanh {v} and tanh′ {v} = 1 − tanh²", "ru": "tanh {v} и tanh′ {v} = 1 − tanh²"},
    "family": {"en": "The activations side by side", "ru": "Активации рядом"},
    "family_slopes": {"en": "The activations' slopes", "ru": "Производные активаций"},
    "sharpening": {"en": "σ(k{v}) as k grows", "ru": "σ(k{v}) с ростом k"},
})
#: How each activation is named on a chart (the same in both languages).
_LABELS = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "step": "step"}


def same(text: str) -> dict[str, str]:
    """A label that reads the same in every language (a symbol, a formula)."""
    return dict.fromkeys(LANGS, text)


@dataclass(frozen=True)
class Series:
    """One line (or a set of marked points) of a chart; ``marker`` draws it without colour."""

    label: Mapping[str, str]
    x: np.ndarray
    y: np.ndarray
    points: bool = False
    marker: str = "•"


@dataclass(frozen=True)
class Chart:
    title: Mapping[str, str]
    xlabel: Mapping[str, str]
    series: tuple[Series, ...]
    #: where the x axis is marked (whole steps); empty: wherever the plot library chooses
    xticks: tuple[int, ...] = ()
    ylabel: Mapping[str, str] | None = None


def marked(series: list[Series]) -> tuple[Series, ...]:
    """The series, each with its own marker."""
    from dataclasses import replace

    return tuple(replace(s, marker=MARKERS[i % len(MARKERS)]) for i, s in enumerate(series))


def activation_chart(name: str, var: str = "z") -> Chart:
    """The activation g and its derivative g′ over CURVE_RANGE, in the lesson's variable ``var``."""
    act = ACTIVATIONS[name]
    t = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    g, dg = act.forward(t), act.df(t)
    sym = act.symbol
    return Chart(_WORDS.each(name, v=var), same(var),
                 marked([Series(same(f"{sym}({var})"), t, g), Series(same(f"{sym}′({var})"), t, dg)]))


def family_chart(names: tuple[str, ...], var: str = "z", derivative: bool = False) -> Chart:
    """Several activations (or their derivatives) on one chart, to compare their shapes."""
    t = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    series = []
    for name in names:
        act = ACTIVATIONS[name]
        y = act.df(t) if derivative else act.forward(t)
        label = _LABELS[name] + ("′" if derivative else "")
        series.append(Series(same(label), t, np.asarray(y, dtype=np.float64)))
    return Chart(_WORDS.each("family_slopes" if derivative else "family"), same(var), marked(series))


def sharpening_chart(var: str = "t", ks: tuple[float, ...] = (1.0, 10.0, 100.0)) -> Chart:
    """σ(k·t) for growing k: the sigmoid turns into a step as the weights grow."""
    t = np.linspace(-3.0, 3.0, 241)
    sig = ACTIVATIONS["sigmoid"].forward
    series = [Series(same(f"σ({k:g}{var})"), t, sig(k * t)) for k in ks]
    return Chart(_WORDS.each("sharpening", v=var), same(var), marked(series))


def steps_chart(title: Mapping[str, str], xlabel: Mapping[str, str], ylabel: Mapping[str, str],
                points: list[tuple[int, float]]) -> Chart:
    """Values at whole steps, as points joined by a line."""
    points = sorted(points)
    x = np.array([p for p, _ in points], dtype=np.float64)
    y = np.array([v for _, v in points], dtype=np.float64)
    return Chart(title, xlabel, (Series(ylabel, x, y, marker="•"),), tuple(int(v) for v in x), ylabel)
