"""The paths of ∂s_T/∂W in back-propagation through time (kind rnn, scalar states): W enters every
step, so ∂s_T/∂W is a sum over the steps k of one path each -- W into sₖ directly (∂sₖ/∂W*, sₖ₋₁
held fixed), then along the chain sₖ → … → s_T (the factors ∂sⱼ/∂sⱼ₋₁):

    k = 3                            W ──0.2239──▶ s₃  0.2239 ✓
    k = 2               W ──0.7123──▶ s₂ ───?────▶ s₃  ?
    k = 1  W ──0.1402──▶ s₁ ──0.4198──▶ s₂ ───?────▶ s₃  ?

Each factor is written on its arrow as the student finds it; a path whose factors are all found is
drawn highlighted with its product (never a number still to be found), then the sum, ∂s_T/∂W.
"""

from __future__ import annotations

import numpy as np

from .base import Picture, View
from .canvas import Canvas, Span, fmt, width
from .rnn import _steps, _sub
from .words import WORDS


def _paths(T: int) -> list[tuple[int, list[str]]]:
    """(k, the factors of the path from W into sₖ on to s_T, in the order drawn), k = T … 1."""
    return [(k, [f"ds{k}.dW.direct"] + [f"ds{j}.ds{j - 1}" for j in range(k + 1, T + 1)])
            for k in range(T, 0, -1)]


def bptt_picture(view: View) -> Picture | None:
    q = view.problem.quantities
    T = _steps(view)
    total = f"ds{T}.dW"
    paths = _paths(T)
    keys = {k for _k, factors in paths for k in factors} | {total}
    if T < 2 or not keys <= set(q) or not any(k in view.asked for k in keys):
        return None
    if any(view.value(k).size != 1 for k in keys):
        return None  # a vector state: its paths are matrices, not numbers on arrows
    hidden = {fmt(v) for k in view.asked if k in q and not view.shown(k)
              for v in np.atleast_1d(view.value(k)).reshape(-1) if np.isfinite(v)}

    def term(factors: list[str]) -> float | None:
        """The path's product, once every factor is found and when it is not a number still to be found."""
        if not all(view.shown(k) for k in factors):
            return None
        value = float(np.prod([float(view.value(k).reshape(-1)[0]) for k in factors]))
        return None if fmt(value) in hidden else value

    shows = frozenset(k for k in keys if view.shown(k))

    def draw(avail: int, lang: str):
        c = Canvas()
        label_w = max(width(view.cell(k).text) for k in keys) + 2
        step = label_w + 6  # "sⱼ ─label─▶ "
        x0 = width(f"k = {T}") + 2

        def node(j: int) -> int:
            return x0 + j * step

        for row, (k, factors) in enumerate(paths):
            found = all(view.shown(f) for f in factors)
            edge = "mark" if found else "edge"
            c.text(0, row, f"k = {k}", "label")
            c.text(node(k - 1), row, "W", "label")
            for i, f in enumerate(factors):
                j = k + i  # the arrow into sⱼ
                a, b = node(j - 1) + (2 if i == 0 else 3), node(j) - 2  # after "W " or "sⱼ₋₁ "
                c.hline(a, b, row, edge)
                c.text(b, row, "▶", edge)
                s = view.cell(f)
                c.text(a + 1 + (b - a - 1 - width(s.text)) // 2, row, s.text, s.tag)
                c.text(node(j), row, f"s{_sub(j)}", "label")
            value = term(factors)
            at = node(T) + 4
            if value is None:
                c.text(at, row, "?" if not view.complete else "", "todo")
            else:
                at = c.text(at, row, fmt(value), "answered" if not view.complete else "derived")
                c.text(at + 1, row, "✓", "mark")
        y = len(paths) + 1
        at = c.text(0, y, f"{view.symbol(total)} = ", "label")
        s = view.cell(total)
        c.text(at, y, s.text, s.tag)
        c.text(0, y + 2, WORDS("bptt_sum", lang, T=_sub(T)), "note")
        c.text(0, y + 3, WORDS("bptt_legend", lang), "note")
        return c.drawing()

    return Picture("bptt", "diagram", WORDS.each("title_bptt", T=_sub(T)), shows, draw)
