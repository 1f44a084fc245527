"""A design with two inputs (kind design): the cases as points of the plane (x₁ across, x₂ up), each
drawn as its number with its class (● 1, ○ 0), and -- once the outputs are found -- the region where
the student's net says 1 shaded, and a ✓ or ✗ beside each point.

The region is the student's own net run over the plane (their weights, the lesson's activations); it
would show every output, so it waits for them.
"""

from __future__ import annotations

import numpy as np

from .base import Picture, View
from .canvas import Canvas
from .net import Net
from .words import WORDS

#: cells per unit of x₁ (across) and rows per unit of x₂ (up), for a small plane; fewer for a big one
ACROSS, UP = 4, 2
SHADE = "░"
#: the rows of the text pane at 80×24
ROOM = 13


def _forward(view: View, net: Net, X: np.ndarray) -> np.ndarray:
    """The net's output at each row of X, with the weights as the student has them now."""
    q = view.problem.quantities
    a = X
    for layer in net.layers:
        W = view.value(layer.W)
        z = a @ W if W.ndim == 1 or layer.row else a @ W.T
        if layer.b:
            z = z + view.value(layer.b)
        a = _activation(q[layer.a].fn, z, view.value(layer.z).shape)
    return a.reshape(len(X), -1)[:, 0]


def _activation(fn, z: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The layer's own activation (with the lesson's conventions, step(0) = 1 or 0) over many rows: its
    function takes the lesson's cases at once, so the rows go through in blocks of that many."""
    m = shape[0]
    z = z.reshape(len(z), -1)
    padded = np.concatenate([z, np.zeros(((-len(z)) % m, z.shape[1]))])
    blocks = [np.asarray(fn(block.reshape(shape)), dtype=np.float64).reshape(m, -1) for block in
              np.split(padded, len(padded) // m)]
    return np.concatenate(blocks)[:len(z)]


def points_picture(view: View, net: Net, X_key: str) -> Picture | None:
    X, y = view.value(X_key), view.value(net.y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2 or net.layers[-1].units != 1 or len(y) != len(X):
        return None
    out_key = "pred" if view.has("pred") else net.layers[-1].a
    weights = [k for layer in net.layers for k in (layer.W, layer.b) if k]
    lo, hi = np.floor(X.min(axis=0)) - 1, np.ceil(X.max(axis=0)) + 1
    across, up = (ACROSS, UP) if (hi - lo).max() <= 8 else (2, 1)
    if (hi[1] - lo[1]) * up + 5 > ROOM:  # the plane, its axis and legend within the text pane's height
        up = 1
    cols, rows = int((hi[0] - lo[0]) * across) + 1, int((hi[1] - lo[1]) * up) + 1
    shows = {X_key, net.y} | ({out_key, *weights} if view.shown(out_key) else set())

    def draw(avail: int, lang: str):
        c = Canvas()
        left = max(len(f"{v:g}") for v in (lo[1], hi[1])) + 1
        verdict = view.shown(out_key) and all(view.shown(k) for k in weights)
        if verdict:  # the region of the student's net, sampled at every cell
            gx, gy = np.meshgrid(lo[0] + np.arange(cols) / across, hi[1] - np.arange(rows) / up)
            inside = _forward(view, net, np.column_stack([gx.ravel(), gy.ravel()])) >= 0.5
            for (r, col), yes in zip(np.ndindex(rows, cols), inside):
                if yes:
                    c.text(left + 1 + col, r, SHADE, "derived")
        for r in range(rows):  # the x₂ axis, its whole numbers marked
            v = hi[1] - r / up
            c.text(left, r, "┤" if v == round(v) else "│", "edge")
            if v == round(v):
                c.text(left - 1 - len(f"{v:g}"), r, f"{v:g}", "note")
        c.hline(left, left + cols, rows)
        c.text(left, rows, "└", "edge")
        for col in range(0, cols, across):
            v = lo[0] + col / across
            c.text(left + 1 + col, rows, "┬", "edge")
            c.text(left + 1 + col - (len(f"{v:g}") - 1) // 2, rows + 1, f"{v:g}", "note")
        out = view.value(out_key).reshape(-1) if verdict else None
        for i, (p, want) in enumerate(zip(X, y)):
            col, r = int(round((p[0] - lo[0]) * across)), int(round((hi[1] - p[1]) * up))
            at = c.text(left + 1 + col, r, "●" if want >= 0.5 else "○", "given")
            at = c.text(at, r, str(i + 1), "label")
            if out is not None:
                ok = abs(out[i] - want) <= 1e-9
                c.text(at, r, "✓" if ok else "✗", "mark" if ok else "bad")
        c.text(0, rows + 2, "x₂ ↑  x₁ →   ● 1  ○ 0", "note")
        c.text(0, rows + 3, WORDS("points_region" if verdict else "points_later", lang, shade=SHADE), "note")
        return c.drawing()

    return Picture("points", "diagram", WORDS.each("title_points"), frozenset(k for k in shows if view.shown(k)), draw)
