"""A recurrent net (kind rnn) unrolled in time: s₀ → s₁ → … → s_T along W, each xₜ entering
through U, each output oₜ leaving through V; under each arrow sₜ₋₁ → sₜ its local derivative
∂sₜ/∂sₜ₋₁ when the lesson asks for it (the factors of every path of BPTT), and below, the
backward values per step, each filled in as the student finds it.
"""

from __future__ import annotations

import re

from .base import Picture, View
from .canvas import Canvas, Span, fmt, width
from .words import WORDS

_T = re.compile(r"^s(\d+)$")


def _steps(view: View) -> int:
    return max((int(m.group(1)) for k in view.problem.quantities for m in [_T.match(k)] if m), default=0)


def _cell_lines(view: View, key: str, inline: int = 2) -> list[Span]:
    """A value as lines: a scalar (or a vector of up to ``inline``) on one line, a longer vector
    one element a line."""
    if key not in view.problem.quantities:
        return [Span("", "label")]
    if not view.shown(key):
        return [view.cell(key)]
    v = view.value(key).reshape(-1)
    tag = view.tag(key)
    if v.size <= inline:
        return [Span(", ".join(fmt(e) for e in v), tag)]
    return [Span(fmt(e), tag) for e in v]


def rnn_picture(view: View) -> Picture | None:
    q = view.problem.quantities
    T = _steps(view)
    if not T:
        return None

    def row_wanted(fmt_key: str, always: bool = False) -> bool:
        keys = [fmt_key.format(t=t, p=t - 1) for t in range(1, T + 1)]
        keys = [k for k in keys if k in q]
        return bool(keys) and (always or view.complete or any(k in view.asked for k in keys))

    forward = [("oₜ", "o{t}", False), ("sₜ", "s{t}", True), ("zₜ", "z{t}", False), ("xₜ", "x{t}", True)]
    backward = [("∂L/∂sₜ", "grad.s{t}", False), ("∂L/∂zₜ", "grad.z{t}", False),
                ("∂sₜ/∂W*", "ds{t}.dW.direct", False), ("∂sₜ/∂W", "ds{t}.dW", False)]
    rows = [(label, key) for label, key, always in forward + backward if row_wanted(key, always)]
    arrows = row_wanted("ds{t}.ds{p}")
    drawn = {key.format(t=t, p=t - 1) for _l, key in rows for t in range(1, T + 1)} | {"s0"}
    if arrows:
        drawn |= {f"ds{t}.ds{t - 1}" for t in range(2, T + 1)}
    drawn = {k for k in drawn if k in q}
    others = [k for k in q if (k in view.asked or (view.complete and not q[k].is_given and k in ("L",)))
              and k not in drawn]
    givens = [k for k in ("U", "W", "V") if k in q]
    shows = frozenset(k for k in drawn | set(others) | set(givens) if view.shown(k))

    def draw(avail: int, lang: str):
        c = Canvas()
        label_w = max(width(label) for label, _ in rows + [("sₜ", "")]) + 2
        arrow_w = 7  # "──W──▶"
        for inline in (2, 1):  # vectors across while they fit, else down
            cells = {(label, t): _cell_lines(view, key.format(t=t, p=t - 1), inline) for label, key in rows
                     for t in range(1, T + 1)}
            cells[("sₜ", 0)] = _cell_lines(view, "s0", inline)
            col_w = max([width(s.text) for v in cells.values() for s in v] + [4])
            if label_w + (T + 1) * col_w + T * arrow_w <= avail:
                break
        if arrows:
            arrow_w = max(arrow_w, max(width(_cell_lines(view, f"ds{t}.ds{t - 1}")[0].text)
                                       for t in range(2, T + 1)) + 2)
        xs = [label_w + t * (col_w + arrow_w) for t in range(T + 1)]
        y = 0
        for t in range(T + 1):
            c.text(xs[t], y, f"t = {t}", "note")
        y += 1
        for label, key in rows:
            if label == "sₜ" and "oₜ" in dict(rows) and "V" in q:
                for t in range(1, T + 1):
                    c.text(xs[t], y, "▲ V", "edge")
                y += 1
            if label == "xₜ" and "U" in q:
                for t in range(1, T + 1):
                    c.text(xs[t], y, "▲ U", "edge")
                y += 1
            c.text(0, y, label, "label")
            height = 1
            for t in range(0 if label == "sₜ" else 1, T + 1):
                lines = cells[(label, t)]
                for i, s in enumerate(lines):
                    c.text(xs[t], y + i, s.text, s.tag)
                height = max(height, len(lines))
            if label == "sₜ":
                for t in range(1, T + 1):
                    a0 = xs[t - 1] + width(cells[("sₜ", t - 1)][0].text) + 1
                    c.hline(a0, xs[t] - 2, y)
                    c.text(xs[t] - 2, y, "▶", "edge")
                    c.text((a0 + xs[t] - 2) // 2, y, "W", "edge")
                    if arrows and t >= 2:
                        s = view.cell(f"ds{t}.ds{t - 1}")
                        c.text(a0 + 1, y + 1, s.text, s.tag)
                if arrows:
                    y += 1
                    c.text(0, y, "∂sₜ/∂sₜ₋₁", "label")
            y += height
        for k in givens:
            pass
        y += 1
        given = "  ".join(f"{view.symbol(k)} = {_flat(view, k)}" for k in givens)
        c.text(0, y, given, "given")
        y += 1
        for k in others:
            s = view.cell(k) if view.value(k).size == 1 or not view.shown(k) else Span(_flat(view, k), view.tag(k))
            at = c.text(0, y, f"{view.symbol(k)} = ", "label")
            c.text(at, y, s.text, s.tag)
            y += 1
        if arrows:
            c.text(0, y, WORDS("rnn_arrows", lang), "note")
        return c.drawing()

    title = WORDS.each("title_rnn", T=_sub(T))
    return Picture("rnn", "diagram", title, shows, draw)


def _flat(view: View, key: str) -> str:
    v = view.value(key)
    if v.ndim <= 1:
        return ", ".join(fmt(e) for e in v.reshape(-1))
    return "[" + "; ".join(", ".join(fmt(e) for e in row) for row in v) + "]"


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
