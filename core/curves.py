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
    #: the area always drawn, ((x0, x1), (y0, y1)) -- from the givens and known facts (σ lies in
    #: [0, 1]), never from a value still to be found: the frame a chart has before its first point;
    #: None for an axis the points alone decide
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    #: a line under the legend (what is still to come)
    note: Mapping[str, str] | None = None

    @property
    def empty(self) -> bool:
        """Nothing to draw yet but the frame (the points come as the student finds them)."""
        return not any(len(s.x) for s in self.series)


def marked(series) -> tuple[Series, ...]:
    """The series, each with its own marker."""
    from dataclasses import replace

    return tuple(replace(s, marker=MARKERS[i % len(MARKERS)]) for i, s in enumerate(series))


#: Where each activation's values lie (a known fact, not an answer): a chart's frame before its curve.
RANGES = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (-1.0, 6.0), "leaky_relu": (-1.0, 6.0),
          "step": (0.0, 1.0)}


def found(label: Mapping[str, str], points: tuple[list[float], list[float]]) -> list[Series]:
    """The values the student has found, as marked points (none: no series)."""
    x, y = points
    return [Series(label, np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64), points=True)] if x else []


def _kept(curves: list[Series], points, curve: bool) -> tuple[Series, ...]:
    """The curves (when ``curve``) and the points, each with the marker it keeps when the curves join."""
    every = marked(list(curves) + list(points))
    return every if curve else every[len(curves):]


def activation_chart(name: str, var: str = "z", curve: bool = True, points: list[Series] = ()) -> Chart:
    """The activation g and its derivative g′ over CURVE_RANGE, in the lesson's variable ``var``
    (``curve`` False: only its frame, until every value the curve shows is found), and ``points``."""
    act = ACTIVATIONS[name]
    t = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    sym = act.symbol
    curves = [Series(same(f"{sym}({var})"), t, act.forward(t)), Series(same(f"{sym}′({var})"), t, act.df(t))]
    return Chart(_WORDS.each(name, v=var), same(var), _kept(curves, points, curve), xlim=CURVE_RANGE,
                 ylim=RANGES[name])


def family_chart(names: tuple[str, ...], var: str = "z", derivative: bool = False, curve: bool = True,
                 points: list[Series] = ()) -> Chart:
    """Several activations (or their derivatives) on one chart, to compare their shapes."""
    t = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    series = []
    for name in names:
        act = ACTIVATIONS[name]
        y = act.df(t) if derivative else act.forward(t)
        label = _LABELS[name] + ("′" if derivative else "")
        series.append(Series(same(label), t, np.asarray(y, dtype=np.float64)))
    return Chart(_WORDS.each("family_slopes" if derivative else "family"), same(var),
                 _kept(series, points, curve), xlim=CURVE_RANGE, ylim=(-1.0, 1.0) if derivative else (-1.0, 6.0))


def sharpening_chart(var: str = "t", ks: tuple[float, ...] = (1.0, 10.0, 100.0), curve: bool = True,
                     points: list[Series] = ()) -> Chart:
    """σ(k·t) for growing k: the sigmoid turns into a step as the weights grow."""
    t = np.linspace(-3.0, 3.0, 241)
    sig = ACTIVATIONS["sigmoid"].forward
    series = [Series(same(f"σ({k:g}{var})"), t, sig(k * t)) for k in ks]
    return Chart(_WORDS.each("sharpening", v=var), same(var), _kept(series, points, curve),
                 xlim=(-3.0, 3.0), ylim=(0.0, 1.0))


def steps_chart(title: Mapping[str, str], xlabel: Mapping[str, str], ylabel: Mapping[str, str],
                points: list[tuple[int, float]], steps: tuple[int, ...] = ()) -> Chart:
    """Values at whole steps, as points joined by a line; ``steps``: every step the chart will
    have (its x axis from the start, before the values are found)."""
    points = sorted(points)
    x = np.array([p for p, _ in points], dtype=np.float64)
    y = np.array([v for _, v in points], dtype=np.float64)
    ticks = tuple(sorted(set(steps) | {int(v) for v in x}))
    xlim = (float(ticks[0]), float(ticks[-1])) if ticks else None
    return Chart(title, xlabel, (Series(ylabel, x, y, marker="•"),), ticks, ylabel, xlim=xlim)
