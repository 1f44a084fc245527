"""Charts as data: the series a plot draws (no UI imports here). Which charts a lesson has,
and when a student may see each, is decided in :mod:`nntutor.core.pictures.charts`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from .ops import ACTIVATIONS

#: Where an activation curve is drawn: wide enough to show both saturations.
CURVE_RANGE = (-6.0, 6.0)
CURVE_POINTS = 121
#: One marker per series, so that a chart reads without colour (NO_COLOR, 16 colours).
MARKERS = ("•", "x", "+", "o", "*", "#", "@")


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
    # short: a title wider than the plot is dropped, and the text pane is ~46 columns at 80×24
    words = {"sigmoid": (f"σ({var}) and σ′({var}) = σ(1 − σ)", f"σ({var}) и σ′({var}) = σ(1 − σ)"),
             "tanh": (f"tanh {var} and tanh′ {var} = 1 − tanh²", f"tanh {var} и tanh′ {var} = 1 − tanh²")}[name]
    return Chart({"en": words[0], "ru": words[1]}, {"en": var, "ru": var},
                 marked([Series({"en": f"{sym}({var})", "ru": f"{sym}({var})"}, t, g),
                         Series({"en": f"{sym}′({var})", "ru": f"{sym}′({var})"}, t, dg)]))


def family_chart(names: tuple[str, ...], var: str = "z", derivative: bool = False) -> Chart:
    """Several activations (or their derivatives) on one chart, to compare their shapes."""
    t = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    series = []
    for name in names:
        act = ACTIVATIONS[name]
        y = act.df(t) if derivative else act.forward(t)
        label = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "leaky ReLU", "step": "step"}[name]
        label += "′" if derivative else ""
        series.append(Series({"en": label, "ru": label}, t, np.asarray(y, dtype=np.float64)))
    title = ({"en": "The activations' slopes", "ru": "Производные активаций"} if derivative
             else {"en": "The activations side by side", "ru": "Активации рядом"})
    return Chart(title, {"en": var, "ru": var}, marked(series))


def sharpening_chart(var: str = "t", ks: tuple[float, ...] = (1.0, 10.0, 100.0)) -> Chart:
    """σ(k·t) for growing k: the sigmoid turns into a step as the weights grow."""
    t = np.linspace(-3.0, 3.0, 241)
    sig = ACTIVATIONS["sigmoid"].forward
    series = [Series({"en": f"σ({k:g}{var})", "ru": f"σ({k:g}{var})"}, t, sig(k * t)) for k in ks]
    return Chart({"en": f"σ(k{var}) as k grows", "ru": f"σ(k{var}) с ростом k"}, {"en": var, "ru": var},
                 marked(series))


def steps_chart(title: Mapping[str, str], xlabel: Mapping[str, str], ylabel: Mapping[str, str],
                points: list[tuple[int, float]]) -> Chart:
    """Values at whole steps, as points joined by a line."""
    points = sorted(points)
    x = np.array([p for p, _ in points], dtype=np.float64)
    y = np.array([v for _, v in points], dtype=np.float64)
    return Chart(title, xlabel, (Series(ylabel, x, y, marker="•"),), tuple(int(v) for v in x), ylabel)
