"""A small table drawn on a canvas: a header row, then rows of tagged cells, columns aligned."""

from __future__ import annotations

from typing import Sequence

from .canvas import Canvas, Span, width


def draw_table(c: Canvas, x: int, y: int, header: Sequence[Span], rows: Sequence[Sequence[Span]],
               gap: int = 2, rule: bool = True) -> int:
    """Write the table at (x, y); returns the line after it. Cells are right-aligned under
    right-aligned headers, except the first column (names), which is left-aligned."""
    cols = len(header)
    widths = [max([width(header[i].text)] + [width(r[i].text) for r in rows if i < len(r)]) for i in range(cols)]
    starts = []
    at = x
    for w in widths:
        starts.append(at)
        at += w + gap
    for i, h in enumerate(header):
        c.text(_place(starts[i], widths[i], h.text, i == 0), y, h.text, h.tag)
    y += 1
    if rule:
        c.hline(x, at - gap - 1, y)
        y += 1
    for r in rows:
        for i, s in enumerate(r):
            c.text(_place(starts[i], widths[i], s.text, i == 0), y, s.text, s.tag)
        y += 1
    return y


def _place(start: int, w: int, text: str, left: bool) -> int:
    return start if left else start + w - width(text)
