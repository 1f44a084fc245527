"""The givens diagram of any lesson: what is given and what is to be found, laid out as the
exercise is -- a table per step (optimizers: wₜ, gₜ, Lₜ …; per layer: rₗ, jₗ …), a table per
element of the input vector (batch norm, dropout), then the remaining values one a line, each
filled in as the student finds it. Every lesson has at least this picture from its first step.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from .base import Picture, View
from .canvas import Canvas, Span, fmt, width
from .table import draw_table
from .words import WORDS

_INDEXED = re.compile(r"^(.*?[A-Za-z_.])(\d+)$")
_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def _listed(view: View) -> list[str]:
    """The quantities the sheet lists: the givens nobody is asked for, then what the steps ask."""
    q = view.problem.quantities
    formula = view.problem.kind == "formula"
    givens = [k for k in q if q[k].is_given and k not in view.asked and not (formula and k.startswith("at."))]
    return givens + [k for k in q if k in view.asked]


def _value_text(view: View, key: str) -> Span:
    if key in view.problem.formulas:  # a formula: what the student typed, never the engine's
        return Span(view.typed.get(key, "?") if view.shown(key) else "?", view.tag(key))
    if not view.shown(key):
        return view.cell(key)
    v = view.value(key)
    tag = view.tag(key)
    if v.size == 1:
        return Span(fmt(v.reshape(-1)[0]), tag)
    if v.ndim == 1:
        return Span(", ".join(fmt(e) for e in v), tag)
    return Span("[" + "; ".join(", ".join(fmt(e) for e in row) for row in v.reshape(v.shape[0], -1)) + "]", tag)


def _wrapped(text: str, room: int) -> list[str]:
    """``text`` cut at spaces into pieces of at most ``room`` cells (a long formula, a long vector)."""
    out, line = [], ""
    for word in text.split(" "):
        if line and width(line) + 1 + width(word) > room:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return out + [line]


def _header(symbol: str) -> str:
    """A stepped quantity's symbol without its index: "L(w₃)" -> "L(w)", "g₂" -> "g"."""
    return re.sub(f"[{_SUBSCRIPTS}]+", "", symbol) or symbol


def worksheet(view: View) -> Picture:
    q = view.problem.quantities
    listed = _listed(view)
    # stepped groups: keys name + index, at least one asked
    groups: "OrderedDict[str, dict[int, str]]" = OrderedDict()
    for k in q:
        m = _INDEXED.match(k)
        if m and not k.startswith("at."):
            groups.setdefault(m.group(1), {})[int(m.group(2))] = k
    # a group of vectors longer than two reads better one a line than in a table's column
    stepped = OrderedDict((name, members) for name, members in groups.items()
                          if len(members) >= 2 and any(k in view.asked for k in members.values())
                          and all(view.value(k).size <= 2 for k in members.values()))
    # the groups' givens (w₀, h₀) belong in the table too
    in_table = {k for members in stepped.values() for k in members.values()}
    rows_idx = sorted({i for members in stepped.values() for i in members})
    # a given vector with one entry per row of the table (a layer's k, s, p) joins it as a column
    # a given vector of one entry per row from 1 (a layer's k, s, p; the λ of each fold) joins it as a
    # column -- when it belongs to the same family of names ("receptive.kernel" with "receptive.r")
    counted = [i for i in rows_idx if i >= 1]
    families = {name.split(".")[0] for name in stepped if "." in name}
    columns_given = [k for k in listed if q[k].is_given and k not in in_table and "." in k
                     and k.split(".")[0] in families and view.value(k).ndim == 1
                     and view.value(k).size == len(counted) == counted[-1]]
    # per-element table: 1-D values as long as the first given vector of length ≥ 3 (not in the step table)
    rest = [k for k in listed if k not in in_table and k not in columns_given]
    ref = next((view.value(k).size for k in rest if q[k].is_given and view.value(k).ndim == 1
                and view.value(k).size >= 3), None)
    elementwise = [k for k in rest if ref and view.value(k).ndim == 1 and view.value(k).size == ref
                   and k not in view.problem.formulas] if view.problem.kind in ("batchnorm", "dropout") else []
    lines = [k for k in rest if k not in elementwise]
    shows = frozenset(k for k in (*in_table, *columns_given, *elementwise, *lines) if view.shown(k))

    def draw(avail: int, lang: str):
        c = Canvas()
        y = 0
        if stepped:
            step_word = "t" if view.problem.kind == "optimize" else "#"
            header = [Span(step_word, "label")]
            header += [Span(_header(view.symbol(k)), "label") for k in columns_given]
            header += [Span(_header(view.symbol(next(iter(m.values())))), "label") for m in stepped.values()]
            table = []
            for i in rows_idx:
                row = [Span(str(i), "label")]
                row += [Span(fmt(view.value(k)[i - 1]), view.tag(k)) if i >= 1 else Span("", "label")
                        for k in columns_given]
                for members in stepped.values():
                    k = members.get(i)
                    row.append(_value_text(view, k) if k else Span("", "label"))
                table.append(row)
            y = draw_table(c, 0, y, header, table) + 1
        if elementwise:
            header = [Span("", "label")] + [Span(f"{i + 1}", "label") for i in range(ref)]
            table = []
            for k in elementwise:
                if not view.shown(k):
                    cells = [view.cell(k)] * ref
                else:
                    cells = [Span(fmt(e), view.tag(k)) for e in view.value(k)]
                table.append([Span(view.symbol(k), "label"), *cells])
            y = draw_table(c, 0, y, header, table, rule=False) + 1
        for k in lines:
            at = c.text(0, y, f"{view.symbol(k)} = ", "label")
            s = _value_text(view, k)
            for part in _wrapped(s.text, max(12, avail - at)):
                c.text(at, y, part, s.tag)
                y += 1
        return c.drawing()

    title = WORDS.each("title_givens")
    return Picture("givens", "diagram", title, shows, draw)
