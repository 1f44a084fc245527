"""A character canvas for diagrams: text and box-drawing lines placed by cell, read back as
lines of tagged spans. Pure Python; what a tag looks like is the screen's business.

Lines are kept as the directions that meet in a cell (up, right, down, left) and turned into
box characters at the end, so a tap (├), a crossing (┼) and a corner (┐) come out right
wherever two lines meet.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

#: What a span of a drawing is, for the screen to style (and for tests to read):
#: label: a symbol or heading · given: a value the lesson gives · answered: a value the student typed ·
#: derived: a value nobody asks for, shown once the lesson is done · todo: "?" still to come ·
#: focus: the value asked for now · unasked: "·", not part of this exercise · edge: lines ·
#: window: the cells a kernel covers now · mark: an argmax, a tick · bad: a failing case · note: a legend
TAGS = ("label", "given", "answered", "derived", "todo", "focus", "unasked", "edge", "window", "mark", "bad",
        "note")

UP, RIGHT, DOWN, LEFT = 1, 2, 4, 8
_BOX = {
    UP | DOWN: "│", LEFT | RIGHT: "─", DOWN | RIGHT: "┌", DOWN | LEFT: "┐", UP | RIGHT: "└", UP | LEFT: "┘",
    UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", LEFT | RIGHT | DOWN: "┬", LEFT | RIGHT | UP: "┴",
    UP | DOWN | LEFT | RIGHT: "┼", UP: "│", DOWN: "│", LEFT: "─", RIGHT: "─",
}


def cells(text: str) -> list[str]:
    """``text`` cut into terminal cells: a combining mark (the hat of m̂) stays with its letter."""
    out: list[str] = []
    for ch in text:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def width(text: str) -> int:
    """How many terminal cells ``text`` takes (every character here is one cell wide)."""
    return len(cells(text))


def fmt(value: float) -> str:
    """One number as a picture shows it: whole numbers whole, others to 4 significant digits."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v == round(v) and abs(v) < 1e7:
        return str(int(round(v)))
    text = f"{v:.4g}"
    if "e" in text:
        mant, exp = text.split("e")
        text = f"{mant}e{int(exp)}"
    return text


@dataclass(frozen=True)
class Span:
    text: str
    tag: str = "label"


@dataclass(frozen=True)
class Drawing:
    """A diagram as lines of tagged spans (what the screen styles) and as plain text."""

    lines: tuple[tuple[Span, ...], ...]

    @property
    def text(self) -> str:
        return "\n".join("".join(s.text for s in line).rstrip() for line in self.lines)

    @property
    def width(self) -> int:
        return max((sum(width(s.text) for s in line) for line in self.lines), default=0)

    @property
    def height(self) -> int:
        return len(self.lines)

    def tagged(self, tag: str) -> list[str]:
        """The texts drawn with ``tag``, in reading order (for tests)."""
        return [s.text for line in self.lines for s in line if s.tag == tag]


class Canvas:
    """Cells addressed (x, y) from the top-left; grows as things are placed."""

    def __init__(self) -> None:
        self._text: dict[tuple[int, int], tuple[str, str]] = {}
        self._lines: dict[tuple[int, int], int] = {}
        self._line_tag: dict[tuple[int, int], str] = {}

    def text(self, x: int, y: int, text: str, tag: str = "label") -> int:
        """Write ``text`` from (x, y); returns the x after it."""
        for i, cell in enumerate(cells(text)):
            self._text[(x + i, y)] = (cell, tag)
        return x + width(text)

    def hline(self, x0: int, x1: int, y: int, tag: str = "edge") -> None:
        a, b = sorted((x0, x1))
        for x in range(a, b + 1):
            bits = (RIGHT if x < b else 0) | (LEFT if x > a else 0)
            self._add((x, y), bits, tag)

    def vline(self, x: int, y0: int, y1: int, tag: str = "edge") -> None:
        a, b = sorted((y0, y1))
        for y in range(a, b + 1):
            bits = (DOWN if y < b else 0) | (UP if y > a else 0)
            self._add((x, y), bits, tag)

    def box(self, x0: int, y0: int, x1: int, y1: int, tag: str = "edge") -> None:
        self.hline(x0, x1, y0, tag)
        self.hline(x0, x1, y1, tag)
        self.vline(x0, y0, y1, tag)
        self.vline(x1, y0, y1, tag)

    def mark(self, x: int, y: int, bits: int, tag: str = "edge") -> None:
        """Add line directions to one cell (a tap onto a line, a stub)."""
        self._add((x, y), bits, tag)

    def _add(self, at: tuple[int, int], bits: int, tag: str) -> None:
        self._lines[at] = self._lines.get(at, 0) | bits
        self._line_tag.setdefault(at, tag)

    def free(self, x: int, y: int, n: int = 1) -> bool:
        """No text and no line in the ``n`` cells from (x, y)."""
        return all((x + i, y) not in self._text and (x + i, y) not in self._lines for i in range(n))

    @property
    def size(self) -> tuple[int, int]:
        keys = [*self._text, *self._lines]
        if not keys:
            return 0, 0
        return max(x for x, _ in keys) + 1, max(y for _, y in keys) + 1

    def drawing(self) -> Drawing:
        w, h = self.size
        lines = []
        for y in range(h):
            spans: list[Span] = []
            run, tag = "", None
            last = max((x for (x, yy) in [*self._text, *self._lines] if yy == y), default=-1)
            for x in range(last + 1):
                if (x, y) in self._text:
                    ch, t = self._text[(x, y)]
                elif (x, y) in self._lines:
                    ch, t = _BOX[self._lines[(x, y)]], self._line_tag[(x, y)]
                else:
                    ch, t = " ", tag or "label"
                if t != tag and run:
                    spans.append(Span(run, tag))
                    run = ""
                run += ch
                tag = t
            if run:
                spans.append(Span(run, tag))
            lines.append(tuple(spans))
        return Drawing(tuple(lines))
