"""A scalar computational graph (kind graph_expr), left to right: one node per operation with
its value (and its adjoint ∂f/∂vₖ when the lesson asks for adjoints), each edge vⱼ → vₖ with its
local derivative ∂vₖ/∂vⱼ written on it, each filled in as the student finds it.

Layout: a node's column is its depth (the inputs first); a node takes one row per incoming
edge (at least its two or three lines of text). Each node's outgoing edges leave along its own
vertical channel to the right of its column and enter their targets from the left, the local
derivative written on that last stretch. An edge that skips columns passes through them on a
row of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import Picture, View
from .canvas import Canvas, Span, width
from .words import WORDS

_NODE = re.compile(r"^v(\d+)$")


@dataclass
class _Node:
    key: str            # "v4", or "" for a pass-through point of a long edge
    level: int
    rows: int = 1
    y: int = 0
    lines: list = field(default_factory=list)  # lists of Spans
    ins: list = field(default_factory=list)    # incoming edges in order
    out_x: int = 0                              # its channel column
    end_x: int = 0                              # just right of its first line of text


@dataclass
class _Edge:
    src: _Node
    dst: _Node
    key: str | None  # the local derivative's quantity (on the last stretch of a long edge only)
    row: int = 0


def graph_picture(view: View) -> Picture | None:
    q = view.problem.quantities
    keys = [k for k in q if _NODE.match(k)]
    if not keys:
        return None
    names = {k: q[k].deps[0] for k in keys if q[q[k].deps[0]].is_given}  # input node -> variable
    adjoints = any(k.startswith(("adj.", "grad.")) and k in view.asked for k in q)
    out = q["f"].deps[0] if "f" in q else keys[-1]
    used = set(keys) | {f"d.{k}.{j}" for k in keys for j in q[k].deps if j in keys}
    if adjoints:
        used |= {_adjoint_key(q, k, names, view.asked) for k in keys}

    def draw(avail: int, lang: str):
        nodes = _layout(view, keys, names, out, adjoints)
        return _draw(view, nodes, lang)

    title = WORDS.each("title_graph_adjoints" if adjoints else "title_graph")
    return Picture("graph", "diagram", title, frozenset(k for k in used if k in q and view.shown(k)), draw)


def _adjoint_key(q, k: str, names, asked=frozenset()) -> str:
    """The adjoint shown at node k: ∂f/∂x at an input when the lesson asks for that, else ∂f/∂vₖ."""
    grad = f"grad.{names[k]}" if k in names else None
    if grad in q and (grad in asked or f"adj.{k}" not in asked):
        return grad
    return f"adj.{k}"


def _layout(view: View, keys, names, out, adjoints) -> list[list[_Node]]:
    q = view.problem.quantities
    level: dict[str, int] = {}
    for k in keys:
        deps = [d for d in q[k].deps if d in keys]
        level[k] = 1 + max((level[d] for d in deps), default=-1)
    columns: list[list[_Node]] = [[] for _ in range(max(level.values()) + 1)]
    node: dict[str, _Node] = {}
    for k in keys:
        n = _Node(k, level[k])
        formula = q[k].formula or q[k].symbol
        n.lines.append([Span(formula, "label")])
        v = view.cell(names[k]) if k in names else view.cell(k)  # an input node is its variable
        n.lines.append([Span("f = " if k == out else "= ", "label"), v])
        if adjoints:
            a = _adjoint_key(q, k, names, view.asked)
            if a in q and (a in view.asked or view.complete):  # where the lesson asks, or once done
                n.lines.append([Span(f"{q[a].symbol} = ", "label"), view.cell(a)])
        node[k] = n
        columns[level[k]].append(n)
    for k in keys:  # edges, with pass-through points in the columns a long edge skips
        for d in q[k].deps:
            if d not in keys:
                continue
            src = node[d]
            for lv in range(level[d] + 1, level[k]):
                hop = _Node("", lv)
                columns[lv].append(hop)
                hop.ins.append(_Edge(src, hop, None))
                src = hop
            node[k].ins.append(_Edge(src, node[k], f"d.{k}.{d}"))
    # order each column by where its inputs come from, then stack it
    for c, col in enumerate(columns):
        if c:
            col.sort(key=lambda n: sum(e.src.y for e in n.ins) / max(1, len(n.ins)))
        y = 0
        for n in col:
            n.rows = 1 if not n.key else max(len(n.lines), len(n.ins))
            n.y = y
            for i, e in enumerate(n.ins):
                e.row = y + i
            y += n.rows + 1
    tallest = max(sum(n.rows + 1 for n in col) for col in columns)
    for col in columns:  # centre each column against the tallest
        shift = (tallest - sum(n.rows + 1 for n in col)) // 2
        for n in col:
            n.y += shift
            for e in n.ins:
                e.row += shift
    return columns


def _draw(view: View, columns: list[list[_Node]], lang: str):
    q = view.problem.quantities
    c = Canvas()
    x = 0
    label_w = max([width(view.cell(e.key).text) for col in columns for n in col for e in n.ins if e.key] + [1])
    for ci, col in enumerate(columns):
        text_w = max([sum(width(s.text) for s in line) for n in col for line in n.lines] + [1])
        for n in col:
            if not n.key:
                c.hline(x, x + text_w - 1, n.y)
                n.end_x = x
                continue
            for i, line in enumerate(n.lines):
                at = x
                for s in line:
                    at = c.text(at, n.y + i, s.text, s.tag)
                if i == 0:
                    n.end_x = at
        senders = [n for n in col if any(e.src is n for m in _next(columns, ci) for e in m.ins)]
        for i, n in enumerate(senders):
            n.out_x = x + text_w + 1 + i
        x += text_w
        if ci + 1 < len(columns):
            x += len(senders) + 1
            lab0 = x + 1
            x += label_w + 4  # "─ label ─▶"
            for m in columns[ci + 1]:
                for e in m.ins:
                    src = e.src
                    c.hline(src.end_x, src.out_x, src.y)
                    c.vline(src.out_x, src.y, e.row)
                    c.hline(src.out_x, x - 1, e.row)
                    if m.key:
                        c.text(x - 1, e.row, "▶", "edge")
                    if e.key:
                        s = view.cell(e.key)
                        c.text(lab0, e.row, f" {s.text} ", s.tag)
    h = c.size[1]
    note = WORDS("edge_note", lang)
    c.text(0, h + 1, note, "note")
    del q
    return c.drawing()


def _next(columns, ci):
    return columns[ci + 1] if ci + 1 < len(columns) else []


