"""Layers of units drawn top to bottom: the shared geometry of the net diagrams.

A level is a row of units (the inputs, then each layer); a :class:`Row` writes one value per
unit of its level under a label ("z₁", "∂L/∂W₂"). Between levels a bus joins every unit of the
one above to every unit of the one below (a dense layer connects all of them):

    x       1      2
            └──┬───┴──┐
    W₁    1, 0.5   -1, 0      <- the weights into each unit, from x₁, x₂ in order

Elision: a level of n units that does not fit is drawn as its first units, ⋯, its last
(at least 1, ⋯, n), and a note under the diagram names what was left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from .canvas import DOWN, UP, Canvas, Drawing, Span, width
from .words import WORDS

GAP = 2
ELLIPSIS = "⋯"


@dataclass(frozen=True)
class Row:
    """One line of a level: a label, then a span per unit (``cell(j)``), then a remark."""

    label: str
    level: int
    cell: Callable[[int], Span]
    right: str | Span = ""


@dataclass(frozen=True)
class Bus:
    """The edges from every unit of level ``level - 1`` to every unit of ``level``."""

    level: int


@dataclass(frozen=True)
class Text:
    """A line of its own (the loss, a note)."""

    spans: tuple[Span, ...]


@dataclass
class Levels:
    """The units of each level (``sizes``), their names for the elision note, and the rows."""

    sizes: Sequence[int]
    names: Sequence[str]
    rows: list = field(default_factory=list)

    def draw(self, avail: int, lang: str, most: int = 0) -> Drawing:
        """Draw at most ``avail`` cells wide (``most``: at most this many units a level)."""
        rows = self.rows
        value_rows = [r for r in rows if isinstance(r, Row)]
        label_w = max((width(r.label) for r in value_rows), default=0) + 2
        right_w = max((width(_span(r.right).text) for r in value_rows), default=0)
        right_w = right_w + GAP if right_w else 0
        cell_w = max([3] + [width(r.cell(j).text) for r in value_rows
                            for j in _sample(self.sizes[r.level])])
        fit = max(3, int(avail - label_w - right_w + GAP) // (cell_w + GAP))
        if most:
            fit = min(fit, most)
        slots = [_slots(n, fit) for n in self.sizes]
        span = max(len(s) for s in slots) * (cell_w + GAP) - GAP
        centres: list[list[int]] = []
        for s in slots:
            block = len(s) * (cell_w + GAP) - GAP
            left = label_w + (span - block) // 2
            centres.append([left + i * (cell_w + GAP) + cell_w // 2 for i in range(len(s))])
        c = Canvas()
        y = 0
        for r in rows:
            if isinstance(r, Text):
                x = 0
                for s in r.spans:
                    x = c.text(x, y, s.text, s.tag)
            elif isinstance(r, Bus):
                above, below = centres[r.level - 1], centres[r.level]
                xs = above + below
                c.hline(min(xs), max(xs), y)
                for x in above:
                    c.mark(x, y, UP)
                for x in below:
                    c.mark(x, y, DOWN)
                if min(xs) == max(xs):  # one unit to one unit: a plain vertical
                    c.mark(xs[0], y, UP | DOWN)
            else:
                c.text(0, y, r.label, "label")
                for j, x in zip(slots[r.level], centres[r.level]):
                    s = Span(ELLIPSIS, "note") if j is None else r.cell(j)
                    c.text(x - (width(s.text) - 1) // 2 - (1 if width(s.text) % 2 == 0 else 0), y, s.text, s.tag)
                if r.right:
                    s = _span(r.right)
                    c.text(label_w + span + GAP, y, s.text, s.tag)
            y += 1
        cut = [f"{self.names[level]} {n}" for level, (n, s) in enumerate(zip(self.sizes, slots)) if None in s]
        if cut:
            c.text(0, y, WORDS("elided", lang, all=", ".join(cut)), "note")
            y += 1
        return c.drawing()


def _span(right: str | Span) -> Span:
    return right if isinstance(right, Span) else Span(right, "note")


def _sample(n: int) -> list[int]:
    """The units whose cells decide the column width (all of a small level; the ends of a big one)."""
    return list(range(n)) if n <= 8 else [0, 1, 2, n - 1]


def _slots(n: int, fit: int) -> list[int | None]:
    """Which units of a level of ``n`` are drawn in ``fit`` columns: all, or the first ones, ⋯, the last."""
    if n <= fit:
        return list(range(n))
    return [*range(max(1, fit - 2)), None, n - 1]


def weights_text(values: Sequence[str]) -> str:
    """A unit's incoming weights, in input order: "1, 0.5"; a long list as its first two, …, its last."""
    if len(values) > 4:
        values = [values[0], values[1], "…", values[-1]]
    return ", ".join(values)
