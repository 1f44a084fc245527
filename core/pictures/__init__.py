"""Pictures of a lesson, computed from its own data: what to draw and where (no UI here).

``pictures(view)`` lists a lesson's pictures for the state in ``view``: diagrams drawn as text
(the net, the computational graph, the convolution, the unrolled RNN, or the givens) and charts.
None of them shows a value the student has still to find (see :class:`View`).
"""

from __future__ import annotations

from .base import Picture, View
from .canvas import Drawing, Span, fmt

__all__ = ["Drawing", "Picture", "Span", "View", "fmt", "pictures"]


def pictures(view: View) -> tuple[Picture, ...]:
    """Every picture of the lesson in ``view``, diagrams first, then charts."""
    from .graph import graph_picture
    from .net import net_pictures

    out = []
    kind = view.problem.kind
    if kind in ("dense", "design"):
        out += net_pictures(view)
    elif kind == "graph_expr":
        out.append(graph_picture(view))
    elif kind == "rnn":
        from .bptt import bptt_picture
        from .rnn import rnn_picture

        out += [rnn_picture(view), bptt_picture(view)]
    elif kind == "layer":
        from .blocks import blocks_picture

        out.append(blocks_picture(view))
    elif kind == "conv":
        from .conv import conv_pictures

        out += conv_pictures(view)
    q = view.problem.quantities
    for sizes, per_layer in (("dense.sizes", "dense.params"), ("sizes", None)):
        if sizes in q and q[sizes].is_given and view.value(sizes).ndim == 1:
            from .architecture import architecture

            out.append(architecture(view, sizes, per_layer))
    out = [p for p in out if p is not None]
    if not out or kind not in ("dense", "design", "graph_expr", "conv", "rnn", "layer"):
        from .worksheet import worksheet

        out.append(worksheet(view))
    from .charts import chart_pictures

    return tuple(out) + tuple(chart_pictures(view))
