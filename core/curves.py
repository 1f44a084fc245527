"""What a lesson can plot: the loss across its steps and the activation curves it uses.

The numbers come from the engine (the problem's own values, with the student's accepted
answers carried forward); the TUI only draws them. No UI imports here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Collection, Mapping

import numpy as np

from .graph import Problem
from .ops import ACTIVATIONS

#: Where an activation curve is drawn: wide enough to show both saturations.
CURVE_RANGE = (-6.0, 6.0)
CURVE_POINTS = 121

_STEP_LOSS = (re.compile(r"^L(\d+)$"), re.compile(r"^L@(\d+)$"))  # optimize: L0 … L_T; dense: L@1 …
#: An activation is plotted when a quantity's formula applies it ("σ(z₁)", "tanh(z₂)").
_APPLIED = {"sigmoid": "σ(", "tanh": "tanh("}


@dataclass(frozen=True)
class Series:
    """One line (or a set of marked points) of a chart."""

    label: Mapping[str, str]
    x: np.ndarray
    y: np.ndarray
    points: bool = False


@dataclass(frozen=True)
class Chart:
    title: Mapping[str, str]
    xlabel: Mapping[str, str]
    series: tuple[Series, ...]
    #: where the x axis is marked (whole steps); empty: wherever the plot library chooses
    xticks: tuple[int, ...] = ()


def charts(problem: Problem, values: Mapping[str, np.ndarray] | None = None,
           known: Collection[str] | None = None) -> tuple[Chart, ...]:
    """The charts that fit this problem: the loss step by step (when it has two or more
    losses along a run), then each activation it applies with its derivative.

    ``known``: the quantities the student may see (answered ones); a loss not among them is
    left out, so a chart never gives an answer away. None: every loss (the lesson is done)."""
    values = problem.evaluate() if values is None else values
    out = []
    loss = loss_chart(problem, values, known)
    if loss is not None:
        out.append(loss)
    formulas = " ".join(q.formula for q in problem.quantities.values())
    for name, applied in _APPLIED.items():
        if applied in formulas:
            out.append(activation_chart(name))
    return tuple(out)


def loss_chart(problem: Problem, values: Mapping[str, np.ndarray],
               known: Collection[str] | None = None) -> Chart | None:
    """L after each step (L₀ first when the problem has it), as points joined by a line."""
    steps: list[tuple[int, float]] = []
    for key in problem.quantities:
        if known is not None and key not in known:
            continue
        for pattern in _STEP_LOSS:
            m = pattern.match(key)
            if m and np.size(values[key]) == 1:
                steps.append((int(m.group(1)), float(np.asarray(values[key]).reshape(-1)[0])))
    if len(steps) < 2:
        return None
    steps.sort()
    x = np.array([s for s, _ in steps], dtype=np.float64)
    y = np.array([v for _, v in steps], dtype=np.float64)
    if not np.all(np.isfinite(y)):
        return None
    return Chart({"en": "The loss after each step", "ru": "Потери после шагов"},
                 {"en": "step", "ru": "шаг"},
                 (Series({"en": "L", "ru": "L"}, x, y), Series({"en": "", "ru": ""}, x, y, points=True)),
                 tuple(int(v) for v in x))


def activation_chart(name: str) -> Chart:
    """The activation g(z) and its derivative g′(z) over CURVE_RANGE."""
    act = ACTIVATIONS[name]
    z = np.linspace(*CURVE_RANGE, CURVE_POINTS)
    g, dg = act.forward(z), act.df(z)
    # short: a title wider than the plot is dropped, and the text pane is ~46 columns at 80×24
    words = {"sigmoid": ("σ(z) and σ′(z) = σ(1 − σ)", "σ(z) и σ′(z) = σ(1 − σ)"),
             "tanh": ("tanh z and tanh′ z = 1 − tanh²", "tanh z и tanh′ z = 1 − tanh²")}[name]
    sym = act.symbol
    return Chart({"en": words[0], "ru": words[1]}, {"en": "z", "ru": "z"},
                 (Series({"en": f"{sym}(z)", "ru": f"{sym}(z)"}, z, g),
                  Series({"en": f"{sym}′(z)", "ru": f"{sym}′(z)"}, z, dg)))
