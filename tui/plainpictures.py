"""The lesson's pictures in plain mode (``pictures`` in the dialogue): each diagram as the text
it is drawn as, each chart as a short table of its values -- for screen readers and scripts."""

from __future__ import annotations

import numpy as np

from nntutor.core.curves import Chart
from nntutor.core.pictures import Picture, fmt

#: a curve of a function is read at these few points; values at whole steps are listed all
CURVE_POINTS = 7


def picture_text(picture: Picture, lang: str, width: int) -> str:
    """One picture as plain lines under its title."""
    head = f"-- {picture.title[lang]} --"
    if picture.kind == "diagram":
        return head + "\n" + picture.draw(width, lang).text
    note = f"\n({picture.chart.note[lang]})" if picture.chart.note else ""
    return head + "\n" + chart_table(picture.chart, lang) + note


def chart_table(chart: Chart, lang: str) -> str:
    """A chart as columns: x, then one column per series (a curve sampled at a few points)."""
    xs = sorted({float(x) for s in chart.series for x in s.x}) if all(len(s.x) <= 30 for s in chart.series) \
        else list(np.linspace(chart.series[0].x[0], chart.series[0].x[-1], CURVE_POINTS))
    header = [chart.xlabel[lang]] + [s.label[lang] or chart.title[lang] for s in chart.series]
    rows = []
    for x in xs:
        row = [fmt(x)]
        for s in chart.series:
            near = np.flatnonzero(np.isclose(s.x, x, atol=1e-9))
            if len(near):
                row.append(fmt(s.y[near[0]]))
            elif len(s.x) > 30:
                row.append(fmt(np.interp(x, s.x, s.y)))
            else:
                row.append("")
        rows.append(row)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]
    return "\n".join(lines)
