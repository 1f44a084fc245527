"""What a picture is, and what the student may see in one.

A :class:`View` is the state of a lesson as pictures need it: the problem, its values with
the student's own carried forward, what they have typed, what the steps ask for. A picture
draws a value only when :meth:`View.shown` says so -- a given nobody is asked for, a value
the student has typed, or anything once the lesson is done -- and says which quantities it
draws (``Picture.shows``), so a test can prove it never gives an answer away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ..graph import Problem
from .canvas import Drawing, Span, fmt

#: "?" marks a value still to be found; "·" a value this lesson never asks for (until it is done).
TODO, UNASKED = "?", "·"


@dataclass(frozen=True)
class View:
    """A lesson's state as the pictures see it."""

    problem: Problem
    #: every quantity's value, the student's accepted (and noted) values carried forward
    values: Mapping[str, np.ndarray]
    #: the quantities the student has typed (accepted, or noted parts of a design)
    known: frozenset[str] = frozenset()
    #: the quantities the lesson's steps ask for
    asked: frozenset[str] = frozenset()
    complete: bool = False
    #: the quantity asked for now (None when done)
    focus: str | None = None
    #: what the student typed, by quantity (a formula is shown as typed)
    typed: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A step may ask for no quantity (a choice between options): its None, or a name this problem
        # does not have, is no quantity to draw -- every picture sees the quantities alone.
        q = self.problem.quantities
        object.__setattr__(self, "known", frozenset(k for k in self.known if k in q))
        object.__setattr__(self, "asked", frozenset(k for k in self.asked if k in q))
        object.__setattr__(self, "typed", {k: v for k, v in self.typed.items() if k in q})
        if self.focus not in q:
            object.__setattr__(self, "focus", None)

    def has(self, key: str) -> bool:
        return key in self.problem.quantities

    def shown(self, key: str) -> bool:
        """The student may see this quantity's value now."""
        if self.complete or key in self.known:
            return True
        q = self.problem.quantities.get(key)
        return q is not None and q.is_given and key not in self.asked

    def tag(self, key: str) -> str:
        """How a value of ``key`` is drawn (see canvas.TAGS)."""
        q = self.problem.quantities.get(key)
        if key in self.known:
            return "answered"
        if q is not None and q.is_given and key not in self.asked:
            return "given"
        if self.complete:
            return "derived"
        if key == self.focus:
            return "focus"
        return "todo" if key in self.asked else "unasked"

    def value(self, key: str) -> np.ndarray:
        return np.asarray(self.values[key], dtype=np.float64)

    def cell(self, key: str, index=None) -> Span:
        """One value of ``key`` (the element at ``index``) as a picture shows it now."""
        tag = self.tag(key)
        if not self.shown(key):
            return Span(UNASKED if tag == "unasked" else TODO, tag)
        v = self.value(key)
        v = v.reshape(-1)[0] if index is None and v.size == 1 else (v if index is None else v[index])
        return Span(fmt(v), tag)

    def symbol(self, key: str) -> str:
        return self.problem.quantities[key].symbol


@dataclass(frozen=True)
class Picture:
    """One picture of a lesson: a diagram (drawn as text) or a chart (drawn by the screen's plot)."""

    #: stable name ("net", "graph", "conv", "rnn", "givens", "chart.loss", …)
    name: str
    kind: str  # "diagram" or "chart"
    #: what it shows, per language, in the lesson's notation
    title: Mapping[str, str]
    #: the quantities whose values it draws (each one shown, see View.shown)
    shows: frozenset[str] = frozenset()
    #: a diagram: (width in cells, language) -> Drawing
    draw: Callable[[int, str], Drawing] | None = field(default=None, compare=False)
    #: a chart (nntutor.core.curves.Chart)
    chart: object | None = None

