"""Convolution and pooling (kind conv): the input grid with the window of the first output
cell in brackets, the kernel beside it, the output grid filling in; the pooling window and,
once P is found, each window's maximum marked with *; the backward grids as they are found.

An output whose size the lesson asks for (rows(Y), cols(Y)) is drawn as "? × ?" until
both are found: its grid would show the answer.
"""

from __future__ import annotations

import re

import numpy as np

from .base import Picture, View
from .canvas import Canvas, Span, fmt, width
from .words import WORDS

_PAD = re.compile(r"p = (\d+), stride s = (\d+)")
_POOL = re.compile(r"(\d+)×(\d+), stride (\d+)")


def _ints(view: View, name: str, pattern: re.Pattern, default):
    conv = view.problem.conventions.get(name, {})
    found = pattern.search(conv.get("en", "")) if conv else None
    return tuple(int(g) for g in found.groups()) if found else default


def _channels(view: View, key: str) -> list[str]:
    """A quantity's 2-D slices ("Y.c1", "Y.c2") or the quantity itself."""
    q = view.problem.quantities
    parts = [k for k in q if re.fullmatch(re.escape(key) + r"\.c\d+", k)]
    return parts or [key]


def _slice(view: View, key: str, part: str) -> np.ndarray:
    v = view.value(part)
    return v if v.ndim == 2 else v.reshape(v.shape[-2:]) if v.ndim > 2 and v.shape[0] == 1 else v


def _grid(c: Canvas, x: int, y: int, title: Span, cells: list[list[Span]], window=None, marks=None) -> tuple[int, int]:
    """A matrix of cells at (x, y) under its title; ``window`` = (row, col, rows, cols) in brackets,
    ``marks``: cells followed by * (a set, even empty, keeps a column for them). Returns its (width, height)."""
    c.text(x, y, title.text, title.tag)
    cw = max([1] + [width(s.text) for row in cells for s in row])
    # a cell: "[" or space, the value right-aligned, its "*" when marked, then "]" or space -- the mark
    # has a column of its own, so a window's "]" never covers the maximum of its last column
    marks, mark_w = marks or set(), 0 if marks is None else 1
    slot = cw + 2 + mark_w
    for i, row in enumerate(cells):
        for j, s in enumerate(row):
            at = x + j * slot
            c.text(at + 1 + cw - width(s.text), y + 1 + i, s.text, s.tag)
            if (i, j) in marks:
                c.text(at + 1 + cw, y + 1 + i, "*", "mark")
        if window and window[0] <= i < window[0] + window[2]:
            c.text(x + window[1] * slot, y + 1 + i, "[", "window")
            c.text(x + (window[1] + window[3]) * slot - 1, y + 1 + i, "]", "window")
    w = max(width(title.text), len(cells[0]) * slot if cells else 0)
    return w, len(cells) + 1


def _cells(view: View, key: str, value: np.ndarray, tag: str | None = None) -> list[list[Span]]:
    if not view.shown(key):
        return [[view.cell(key) for _ in range(value.shape[1])] for _ in range(value.shape[0])]
    t = tag or view.tag(key)
    return [[Span(fmt(v), t) for v in row] for row in value]


def conv_pictures(view: View) -> list[Picture]:
    q = view.problem.quantities
    out = []
    if "W" in q and "Y" in q:
        out.append(_forward(view))
    if "P" in q:
        out.append(_pool(view))
    back = [k for k in q if k.startswith("grad.") and k in view.asked]
    if back:
        out.append(_backward(view))
    return out


def _filter(view: View) -> int:
    m = re.search(r"\.c(\d+)", view.focus or "")
    return int(m.group(1)) - 1 if m and view.focus.startswith("Y") else 0


def _size_hidden(view: View, keys=("Y.rows", "Y.cols")) -> bool:
    """The lesson asks for the size of this grid and the student has not found it yet."""
    return any(k in view.asked and not view.shown(k) for k in keys)


def _forward(view: View) -> Picture:
    q = view.problem.quantities
    pad, stride = _ints(view, "padding", _PAD, (0, 1))
    x = view.value("x")
    x3 = x if x.ndim == 3 else x[None]
    W = view.value("W")
    f = _filter(view)
    ys = _channels(view, "Y")
    ykey = ys[min(f, len(ys) - 1)]
    Wf = W if W.ndim <= 3 and len(ys) == 1 else W[f]  # this filter's kernels, one per input channel
    Wf = Wf if Wf.ndim == 3 else Wf[None]
    kh, kw = Wf.shape[-2:]
    shows = {"x", "W"} | ({"b"} if "b" in q else set()) | ({ykey} if view.shown(ykey) else set())
    shows |= {k for k in ("Y.rows", "Y.cols", "n_weights", "n_params") if k in q and view.shown(k)}

    def draw(avail: int, lang: str):
        c = Canvas()
        y = 0
        for ch in range(x3.shape[0]):
            img = np.pad(x3[ch], pad)
            cells = [[Span(fmt(v), "given" if pad <= i < pad + x3.shape[1] and pad <= j < pad + x3.shape[2]
                           else "note") for j, v in enumerate(row)] for i, row in enumerate(img)]
            name = "x" if x3.shape[0] == 1 else f"x[{ch + 1}]"
            if pad:
                name = WORDS("padded", lang, name=name, p=pad)
            gw, gh = _grid(c, 0, y, Span(name, "label"), cells, window=(0, 0, kh, kw))
            kname = "W" if Wf.shape[0] == 1 and len(ys) == 1 else (
                f"W[{ch + 1}]" if len(ys) == 1 else f"W[{f + 1},{ch + 1}]")
            kx = gw + 3
            kwid, _ = _grid(c, kx, y, Span(kname, "label"), [[Span(fmt(v), "given") for v in row] for row in Wf[ch]])
            if ch == 0:
                ox = kx + kwid + 3
                _output(view, c, ox, y, ykey, lang)
            y += gh + 1
        if "b" in q:
            c.text(0, y, f"b = {fmt(view.value('b').reshape(-1)[0]) if view.value('b').size == 1 else view.value('b')}",
                   "given")
            y += 1
        c.text(0, y, WORDS("conv_window", lang, s=stride), "note")
        return c.drawing()

    title = WORDS.each("title_conv_filter", f=f + 1) if len(ys) > 1 else WORDS.each("title_conv")
    return Picture("conv", "diagram", title, frozenset(shows), draw)


def _output(view: View, c: Canvas, x: int, y: int, key: str, lang: str) -> None:
    name = view.symbol(key)
    if _size_hidden(view):
        c.text(x, y, name, "label")
        c.text(x, y + 1, "? × ?", "todo")
        return
    value = view.value(key)
    value = value if value.ndim == 2 else value.reshape(int(view.value("Y.rows")), -1)
    _grid(c, x, y, Span(name, "label"), _cells(view, key, value))


def _pool(view: View) -> Picture:
    q = view.problem.quantities
    size, _, pstride = _ints(view, "pool", _POOL, (2, 2, 2))
    Y = view.value("Y")
    Y2 = Y if Y.ndim == 2 else Y.reshape(Y.shape[-2:])
    P = view.value("P")
    how = q["P"].op
    shows = {k for k in ("Y", "P", "P.rows", "P.cols") if k in q and view.shown(k)}

    def draw(avail: int, lang: str):
        c = Canvas()
        marks = set() if how == "max_pool" else None
        if how == "max_pool" and view.shown("P") and view.shown("Y"):
            for i in range(P.shape[-2]):
                for j in range(P.shape[-1]):
                    win = Y2[i * pstride:i * pstride + size, j * pstride:j * pstride + size]
                    r, s = np.unravel_index(int(np.argmax(win)), win.shape)  # the first maximum, as PyTorch
                    marks.add((i * pstride + r, j * pstride + s))
        gw, gh = _grid(c, 0, 0, Span(view.symbol("Y"), "label"), _cells(view, "Y", Y2), window=(0, 0, size, size),
                       marks=marks)
        px = gw + 3
        if _size_hidden(view, ("P.rows", "P.cols")):
            c.text(px, 0, view.symbol("P"), "label")
            c.text(px, 1, "? × ?", "todo")
        else:
            _grid(c, px, 0, Span(view.symbol("P"), "label"), _cells(view, "P", P.reshape(P.shape[-2:])))
        what = WORDS("max" if how == "max_pool" else "average", lang)
        c.text(0, gh + 1, WORDS("pool_window", lang, size=size, what=what, s=pstride), "note")
        if marks:
            c.text(0, gh + 2, WORDS("pool_marks", lang), "note")
        return c.drawing()

    return Picture("pool", "diagram", WORDS.each("title_pool"), frozenset(shows), draw)


def _backward(view: View) -> Picture:
    q = view.problem.quantities
    keys = [k for k in ("grad.P", "grad.Y", "grad.W", "grad.b", "grad.x") if k in q]
    # what is drawn: a quantity the lesson asks for as a whole, or its asked slices, or a given
    drawn: list[tuple[str, list[str]]] = []
    for k in keys:
        parts = [p for p in _channels(view, k) if p != k]
        if k in view.asked or k in view.known or (q[k].is_given and not parts) or (view.complete and not parts):
            drawn.append((k, [k]))
        elif any(p in view.asked or view.complete for p in parts):
            drawn.append((k, [p for p in parts if p in view.asked or view.complete]))

    def draw(avail: int, lang: str):
        c = Canvas()
        x = y = 0
        row_h = 0
        for k, parts in drawn:
            for part in parts:
                v = view.value(part)
                for ci, sl in enumerate(v if v.ndim == 3 else [v]):
                    name = view.symbol(part) + (f"[{ci + 1}]" if v.ndim == 3 else "")
                    if sl.ndim == 0 or sl.size == 1:
                        s = Span(fmt(sl.reshape(-1)[0]), view.tag(part)) if view.shown(part) else view.cell(part)
                        w, h = width(name) + 3 + width(s.text), 1
                        if x and x + w > avail:
                            x, y, row_h = 0, y + row_h + 1, 0
                        c.text(x, y, f"{name} = ", "label")
                        c.text(x + width(name) + 3, y, s.text, s.tag)
                    else:
                        cells = _cells(view, part, sl.reshape(-1, sl.shape[-1]))
                        cw = max(width(s.text) for r in cells for s in r) + 2
                        w = max(width(name), cw * sl.shape[-1])
                        if x and x + w > avail:
                            x, y, row_h = 0, y + row_h + 1, 0
                        w, h = _grid(c, x, y, Span(name, "label"), cells)
                    x += w + 3
                    row_h = max(row_h, h)
        return c.drawing()

    title = WORDS.each("title_conv_backward")
    shows = frozenset(p for _k, parts in drawn for p in parts if view.shown(p))
    return Picture("conv.backward", "diagram", title, shows, draw)
