"""A weight design (kind design): every case with its inputs, the outputs of the student's
weights and the targets, a ✓ or ✗ per case naming the output units that fail."""

from __future__ import annotations

import numpy as np

from .base import Picture, View
from .canvas import Canvas, Span, fmt
from .net import Net, _sub
from .table import draw_table
from .words import WORDS


def cases(view: View, net: Net) -> Picture:
    q = view.problem.quantities
    last = net.layers[-1].a
    out_key = "pred" if "pred" in q else last
    columns = [k for k in ("x3",) if k in q and not q[k].is_given]  # an input the student computes
    columns += [l.a for l in net.layers[:-1] if l.a in view.asked]
    columns += [k for k in dict.fromkeys((last, out_key)) if k == out_key or k in view.asked]
    columns.append(net.y)
    X_key = "X" if "X" in q else net.x

    def draw(avail: int, lang: str):
        X = view.value(X_key)
        m = X.shape[0]
        header = [Span("#", "label")] + [Span(f"x{_sub(i + 1)}", "label") for i in range(X.shape[1])]
        header += [Span(view.symbol(k), "label") for k in columns]
        verdict = view.shown(out_key)
        rows = []
        for i in range(m):
            row = [Span(str(i + 1), "label")] + [Span(fmt(v), view.tag(X_key)) for v in X[i]]
            row += [_case_cell(view, k, i, m) for k in columns]
            if verdict:
                got = view.value(out_key).reshape(m, -1)[i]
                want = view.value(net.y).reshape(m, -1)[i]
                bad = [j for j in range(got.size) if abs(got[j] - want[j]) > 1e-9]
                if bad:
                    sym = view.symbol(last)
                    names = " ".join(f"{sym}{_sub(j + 1)}" for j in bad) if got.size > 1 else ""
                    row.append(Span(f"✗ {names}".rstrip(), "bad"))
                else:
                    row.append(Span("✓", "mark"))
            rows.append(row)
        if verdict:
            header.append(Span(WORDS("ok", lang), "label"))
        c = Canvas()
        y = draw_table(c, 0, 0, header, rows)
        if not verdict:
            c.text(0, y, WORDS("cases_later", lang), "note")
        return c.drawing()

    title = WORDS.each("title_cases")
    shows = frozenset(k for k in [X_key, *columns] if view.shown(k))
    return Picture("cases", "diagram", title, shows, draw)


def _case_cell(view: View, key: str, i: int, m: int) -> Span:
    if not view.shown(key):
        return view.cell(key)
    v = np.asarray(view.value(key))
    row = v.reshape(m, -1)[i] if v.size % m == 0 and v.size >= m else v.reshape(-1)
    return Span(" ".join(fmt(x) for x in row), view.tag(key))
