"""The product of the activations' slopes across depth: why gradients vanish in deep sigmoid nets.

A chain of layers multiplies the gradient by one local slope g′ per layer; the chart draws the
product of the first l slopes against the depth l, for each chain of a computational graph
(vₖ = σ(vⱼ), its slope the edge derivative ∂vₖ/∂vⱼ) or for a net of one-unit layers (the slope
g′(z_l) of each layer's activation). σ′ ≤ ¼, so a sigmoid chain shrinks at least as fast as ¼ˡ,
drawn beside it. From the first step: the depths, the bound; a point as each product's factors
are found (and never a number still to be found -- a product can be an adjoint the lesson asks).
"""

from __future__ import annotations

import re

import numpy as np

from ..curves import Chart, Series, marked, same
from .base import Picture, View
from .canvas import fmt
from .words import WORDS

_APPLIED = re.compile(r"=\s*(σ|tanh)\(v[₀-₉]+\)\s*$")
_NAMES = {"σ": "sigmoid", "tanh": "tanh"}


def _graph_chains(view: View) -> list[tuple[str, list[str]]]:
    """(activation symbol, the edge-derivative keys down the chain) of each chain of two or more nodes
    applying the same activation one after another."""
    q = view.problem.quantities
    applies = {}
    for k, qq in q.items():
        m = _APPLIED.search(qq.formula) if re.fullmatch(r"v\d+", k) and len(qq.deps) == 1 else None
        if m:
            applies[k] = (m.group(1), qq.deps[0])
    chains = []
    for k, (sym, j) in applies.items():
        if applies.get(j, (None,))[0] == sym:
            continue  # not the first layer of its chain
        keys, node = [f"d.{k}.{j}"], k
        while True:
            nxt = next((m for m, (s, d) in applies.items() if d == node and s == sym), None)
            if nxt is None:
                break
            keys.append(f"d.{nxt}.{node}")
            node = nxt
        if len(keys) >= 2 and all(key in q for key in keys):
            chains.append((sym, keys))
    return chains


#: the activations whose slope a chain multiplies (the lesson's own, with its parameters: a leaky
#: ReLU's slope is the lesson's)
_SLOPED = ("σ", "tanh", "leaky ReLU", "ReLU")


def _slope(fn, z: float) -> float:
    """g′(z) of a layer's own activation, by central differences (away from a kink, exact to rounding)."""
    h = 1e-6 * max(1.0, abs(z))
    return float((np.asarray(fn(np.array([z + h]))) - np.asarray(fn(np.array([z - h])))).reshape(-1)[0] / (2 * h))


def _still_to_find(view: View) -> set[str]:
    """Each value the student has still to find, as a picture would write it."""
    return {fmt(v) for k in view.asked if view.has(k) and not view.shown(k)
            for v in np.atleast_1d(view.value(k)).reshape(-1) if np.isfinite(v)}


def _products(view: View, slopes: list[float | None], hidden: set[str]) -> tuple[list[float], list[float]]:
    """(depth, product of the first depth slopes) while the slopes are found, and not a hidden number."""
    xs, ys, prod = [], [], 1.0
    for l, s in enumerate(slopes, start=1):
        if s is None:
            break
        prod *= s
        if fmt(prod) in hidden:
            break
        xs.append(float(l))
        ys.append(prod)
    return xs, ys


def depth_picture(view: View) -> Picture | None:
    hidden = _still_to_find(view)
    series, shows, depth, sigmoid = [], set(), 0, False
    for sym, keys in _graph_chains(view):
        slopes = [float(view.value(k).reshape(-1)[0]) if view.shown(k) else None for k in keys]
        xs, ys = _products(view, slopes, hidden)
        series.append(Series(WORDS.each("product_of", sym=sym), np.array(xs), np.array(ys)))
        shows |= set(keys[:len(xs)])
        depth, sigmoid = max(depth, len(keys)), sigmoid or sym == "σ"
    if not series and view.problem.kind == "dense":
        from .net import read_net

        net = read_net(view.problem)
        q = view.problem.quantities
        if net and len(net.layers) >= 3 and net.m == 1 and all(l.units == 1 and l.act in _SLOPED for l in net.layers):
            slopes = []
            for layer in net.layers:
                ok = view.shown(layer.z) and (not slopes or slopes[-1] is not None)
                z = float(view.value(layer.z).reshape(-1)[0])
                slopes.append(_slope(q[layer.a].fn, z) if ok else None)
            xs, ys = _products(view, slopes, hidden)
            series.append(Series(WORDS.each("product_of", sym="g"), np.array(xs), np.array(ys)))
            shows |= {layer.z for layer in net.layers[:len(xs)]}
            depth, sigmoid = len(net.layers), any(l.act == "σ" for l in net.layers)
    if not series:
        return None
    ls = np.arange(1, depth + 1, dtype=np.float64)
    if sigmoid:  # a known bound, not an answer: σ′ ≤ ¼ at every input; drawn first, under the points
        series.insert(0, Series(WORDS.each("sigmoid_bound"), ls, 0.25 ** ls))
    # the y axis from the points and the bound: products get small, a fixed [0, 1] would flatten them
    chart = Chart(WORDS.each("chart_depth"), WORDS.each("depth_l"), marked(series), tuple(range(1, depth + 1)),
                  xlim=(1.0, float(depth)),
                  note=None if view.complete else WORDS.each("chart_fills"))
    return Picture("chart.depth", "chart", chart.title, frozenset(shows), chart=chart)
