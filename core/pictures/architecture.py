"""A dense net by its sizes alone (a parameter count, dropout over a big net): the units of each
layer, a big layer elided to its first units, ⋯, its last, with the count beside it, and the
number of parameters of each layer as the student finds it."""

from __future__ import annotations

from .base import Picture, View
from .canvas import Span
from .layers import Bus, Levels, Row, Text
from .words import WORDS, count

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def architecture(view: View, sizes_key: str, per_layer: str | None) -> Picture:
    sizes = [int(n) for n in view.value(sizes_key).reshape(-1)]
    L = len(sizes) - 1
    keys = [f"{per_layer}{l}" for l in range(1, L + 1)] if per_layer else []
    keys = [k for k in keys if k in view.problem.quantities]

    def draw(avail: int, lang: str):
        names = [WORDS("in", lang)] + [f"h{str(l).translate(_SUB)}" for l in range(1, L)] + [WORDS("out", lang)]
        lv = Levels(sizes, names)
        for l, n in enumerate(sizes):
            if l:
                lv.rows.append(Bus(l))
            right = Span(count(n, "inputs" if l == 0 else "units", lang), "given")
            lv.rows.append(Row(names[l], l, lambda j: Span("○", "label"), right))
            if l and keys:
                k = keys[l - 1]
                s = view.cell(k)
                lv.rows.append(Text((Span(" " * 6 + f"{view.symbol(k)} = ", "label"), s)))
        lv.rows.append(Text((Span(WORDS("dense_note", lang), "note"),)))
        return lv.draw(avail, lang, most=6)

    sizes_text = "-".join(str(n) for n in sizes)
    title = WORDS.each("title_architecture", sizes=sizes_text)
    return Picture("architecture", "diagram", title, frozenset([sizes_key, *(k for k in keys if view.shown(k))]),
                   draw)
