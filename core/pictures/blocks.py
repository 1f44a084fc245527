"""Layers taken one block at a time (kind layer): linear → ReLU → linear as boxes from top to bottom,
each with its input, its parameters, its output, and the backward values -- the upstream gradient
∂L/∂y it is given, then ∂L/∂x (and ∂L/∂W, the Jacobian, the local derivative) as they are found.

    ┌ lin1 · linear ───────────────┐
    │ x = 1, 2     W₁ = [1, -1; …] │
    │ z₁ = ?                        │
    │ ∂L/∂z₁ = -1, 0   ∂L/∂x = ?   │
    └──────────────┬────────────────┘
                   ▼
"""

from __future__ import annotations

from .base import Picture, View
from .canvas import Canvas, Span, width
from .words import WORDS
from .worksheet import _value_text

#: a block's quantities by role, in the order a box lists them (key suffix after "name.")
FORWARD = ("x", "W", "b", "y")
BACKWARD = ("grad.y", "deriv", "jac", "grad.x", "grad.W", "grad.b")


def _blocks(view: View) -> list[str]:
    """The blocks' names in order ("lin1", "relu", "lin2"): each has a quantity "name.y"."""
    names = []
    for k in view.problem.quantities:
        name = k.split(".", 1)[0]
        if "." in k and name not in names and f"{name}.y" in view.problem.quantities:
            names.append(name)
    return names


def blocks_picture(view: View) -> Picture | None:
    q = view.problem.quantities
    names = _blocks(view)
    if not names:
        return None
    roles = [(name, [f"{name}.{r}" for r in FORWARD if f"{name}.{r}" in q],
              [f"{name}.{r}" for r in BACKWARD if f"{name}.{r}" in q]) for name in names]
    keys = {k for _n, fw, bw in roles for k in fw + bw}

    def item(key: str) -> list[Span]:
        return [Span(f"{view.symbol(key)} = ", "label"), _value_text(view, key)]

    def draw(avail: int, lang: str):
        c = Canvas()
        inner = min(max(avail - 4, 24), 60)
        y = 0
        for bi, (name, fw, bw) in enumerate(roles):
            lines = _pack([item(k) for k in fw], inner) + _pack([item(k) for k in bw], inner)
            head = f" {name} · {_kind(q[f'{name}.y'].op, lang)} "
            w = max([width(head) + 3] + [sum(width(s.text) for s in line) for line in lines]) + 3
            c.box(0, y, w, y + len(lines) + 1)
            c.text(2, y, head, "label")
            for i, line in enumerate(lines):
                x = 2
                for s in line:
                    x = c.text(x, y + 1 + i, s.text, s.tag)
            y += len(lines) + 2
            if bi + 1 < len(roles):
                c.text(w // 2, y, "▼", "edge")
                y += 1
        c.text(0, y, WORDS("blocks_note", lang), "note")
        return c.drawing()

    return Picture("blocks", "diagram", WORDS.each("title_blocks"), frozenset(k for k in keys if view.shown(k)),
                   draw)


def _kind(op: str | None, lang: str) -> str:
    """What a block computes, by its operation: "linear", "ReLU"."""
    if op == "linear":
        return WORDS("block_linear", lang)
    return {"relu": "ReLU", "leaky_relu": "leaky ReLU", "sigmoid": "σ"}.get(op or "", op or "")


def _pack(items: list[list[Span]], room: int) -> list[list[Span]]:
    """The items side by side, three spaces apart, a new line when the next would pass ``room``."""
    lines: list[list[Span]] = []
    for it in items:
        w = sum(width(s.text) for s in it)
        if lines and sum(width(s.text) for s in lines[-1]) + 3 + w <= room:
            lines[-1] += [Span("   ", "label")] + it
        else:
            lines.append(list(it))
    return lines
