"""Dense nets (kinds dense and design): the units by layer, the weights into each unit, the
values as the student finds them -- forward, then backward (∂L/∂W, ∂L/∂z, ∂L/∂a) and the step.

The structure is read from the quantity graph itself: z_l and its dependencies (input, W_l,
b_l), the activation applied to it, ŷ last; several SGD steps carry ``@k``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..graph import Problem
from .base import Picture, View
from .canvas import Span, fmt
from .layers import Bus, Levels, Row, Text, weights_text
from .words import WORDS

_STEP = re.compile(r"@(\d+)$")
_APPLIED = re.compile(r"=\s*([^\s(=]+)\(")
_ACT_NAMES = {"σ": "σ", "ReLU": "ReLU", "tanh": "tanh", "softmax": "softmax", "step": "step",
              "LeakyReLU": "leaky ReLU", "exp": "exp", "id": "identity"}


@dataclass(frozen=True)
class Layer:
    index: int
    inp: str
    W: str
    b: str | None
    z: str
    a: str
    act: str
    units: int
    #: W[i, j] is the weight from input i into unit j (row layout); else W[j, i]
    row: bool


@dataclass(frozen=True)
class Net:
    suffix: str
    x: str
    layers: tuple[Layer, ...]
    inputs: int
    #: observations (cases) per value: 1 for one observation
    m: int
    #: a batch value has one row per observation (else one column)
    rows_are_cases: bool
    y: str | None
    L: str | None


def steps_of(problem: Problem) -> list[int]:
    """The SGD steps of a net (``z1@1``, ``z1@2`` …), or [] for a single pass."""
    return sorted({int(m.group(1)) for k in problem.quantities if k.startswith(("z1@", "Z1@"))
                   for m in [_STEP.search(k)] if m})


def read_net(problem: Problem, suffix: str = "") -> Net | None:
    """The net of a dense or design problem (the pass of step ``suffix``), or None."""
    q, values = problem.quantities, problem.evaluate()
    layers = []
    for l in range(1, 50):
        z = next((k for k in (f"z{l}{suffix}", f"Z{l}{suffix}") if k in q), None)
        if z is None or len(q[z].deps) < 2:
            break
        deps = q[z].deps
        inp, W, b = deps[0], deps[1], (deps[2] if len(deps) > 2 else None)
        a = next((k for k, qq in q.items() if qq.deps == (z,) and not k.startswith("grad.")), None)
        if a is None:
            break
        found = _APPLIED.search(q[a].formula)
        act = _ACT_NAMES.get(found.group(1), found.group(1)) if found else "identity"
        Wv = np.asarray(values[W])
        zv = np.asarray(values[z])
        n_in = _per_case(values[inp], problem.kind, "row" in q[z].formula or True).shape[-1]
        units, row = _orientation(Wv, n_in, q[z].formula, q[W].symbol)
        layers.append(Layer(l, inp, W, b, z, a, act, units, row))
        del zv
    if not layers:
        return None
    first = layers[0]
    xv = np.asarray(values[first.inp])
    cases_rows = problem.kind == "design" or first.row
    m = 1 if xv.ndim <= 1 else (xv.shape[0] if cases_rows else xv.shape[1])
    n_in = xv.size // m
    y = next((k for k in (f"y{suffix}", f"Y{suffix}", "y") if k in q and q[k].is_given), None)
    L = next((k for k in (f"L{suffix}", "L") if k in q), None)
    return Net(suffix, first.inp, tuple(layers), n_in, m, cases_rows, y, L)


def _per_case(value, kind: str, _row: bool) -> np.ndarray:
    v = np.asarray(value)
    return v.reshape(1, -1) if v.ndim <= 1 else v


def _orientation(W: np.ndarray, n_in: int, formula: str, symbol: str) -> tuple[int, bool]:
    """(units, row layout) of a weight matrix: row layout W is n_in × units, column layout units × n_in."""
    if W.ndim <= 1:
        return 1, False  # one unit's weights as a list
    rhs = formula.split("=", 1)[-1].strip()
    if symbol + "ᵀ" in rhs or rhs.startswith(symbol):
        return W.shape[0], False
    if W.shape[0] == n_in:
        return W.shape[1], True
    return W.shape[0], False


def _weight(W: np.ndarray, i: int, j: int, row: bool) -> float:
    if W.ndim <= 1:
        return float(W.reshape(-1)[i])
    return float(W[i, j] if row else W[j, i])


class _Cells:
    """Values of one quantity per unit (and per case), as the view shows them."""

    def __init__(self, view: View, net: Net) -> None:
        self.view, self.net = view, net

    def unit(self, key: str, case: int = 0):
        """cell(j): unit j's value of ``key`` in case ``case``."""
        view, net = self.view, self.net

        def cell(j: int) -> Span:
            if not view.shown(key):
                return view.cell(key)
            v = view.value(key)
            if v.ndim == 0 or v.size == 1:
                return view.cell(key)
            if v.ndim == 1:
                return view.cell(key, j if net.m == 1 or v.size != net.m else case)
            return view.cell(key, (case, j) if net.rows_are_cases else (j, case))
        return cell

    def weights(self, layer: Layer, key: str, n_in: int):
        """cell(j): the weights into unit j (from every input, in order)."""
        view = self.view

        def cell(j: int) -> Span:
            if not view.shown(key):
                return view.cell(key)
            W = view.value(key)
            return Span(weights_text([fmt(_weight(W, i, j, layer.row)) for i in range(n_in)]), view.tag(key))
        return cell

    def bias(self, key: str):
        view = self.view

        def cell(j: int) -> Span:
            if not view.shown(key):
                return view.cell(key)
            v = view.value(key).reshape(-1)
            return view.cell(key, j if v.size > 1 else 0) if v.size > 1 else view.cell(key)
        return cell


def _wanted(view: View, *keys: str | None) -> bool:
    """A row is drawn when its quantity is asked for, typed, given, or the lesson is done."""
    return any(k is not None and view.has(k) and (view.complete or view.shown(k) or k in view.asked)
               for k in keys)


def _case_rows(net: Net, label: str, level: int, cells, key: str, right: str = "") -> list[Row]:
    if net.m == 1:
        return [Row(label, level, cells.unit(key), right)]
    return [Row(label if i == 0 else "", level, cells.unit(key, i), right if i == 0 else "") for i in range(net.m)]


def _input_names(view: View, net: Net) -> list[str]:
    return [f"x{_sub(i + 1)}" for i in range(net.inputs)]


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _title(net: Net, key: str) -> dict[str, str]:
    """A net picture's title, naming the SGD step when the lesson takes several."""
    return WORDS.each(f"{key}_step", k=net.suffix[1:]) if net.suffix else WORDS.each(key)


def forward(view: View, net: Net, units: bool = True) -> Picture:
    """The net with its weights and every unit's z and a, filled in as they are found
    (``units`` False: the weights only, the inputs by name -- a design, whose cases have a table)."""
    cells = _Cells(view, net)
    sizes = [net.inputs] + [l.units for l in net.layers]
    used = {k for l in net.layers for k in (l.W, l.b) if k}
    if units:
        used |= {net.x} | {k for l in net.layers for k in (l.z, l.a)}

    def draw(avail: int, lang: str):
        lv = Levels(sizes, [view.symbol(net.x)] + [view.symbol(l.z) for l in net.layers])
        if units:
            lv.rows += _case_rows(net, view.symbol(net.x), 0, cells, net.x)
        else:
            lv.rows.append(Row("", 0, lambda j: Span(f"x{_sub(j + 1)}", "label")))
        prev = net.inputs
        for layer in net.layers:
            lv.rows.append(Bus(layer.index))
            lv.rows.append(Row(view.symbol(layer.W), layer.index, cells.weights(layer, layer.W, prev)))
            if layer.b:
                lv.rows.append(Row(view.symbol(layer.b), layer.index, cells.bias(layer.b)))
            last = layer is net.layers[-1]
            if not units:
                lv.rows.append(Row("", layer.index, lambda j, layer=layer: Span(
                    f"{_unit_name(view, layer, j)}", "label"), layer.act))
                prev = layer.units
                continue
            if _wanted(view, layer.z) or not _wanted(view, layer.a):
                lv.rows += _case_rows(net, view.symbol(layer.z), layer.index, cells, layer.z)
            if _wanted(view, layer.a) or last:
                lv.rows += _case_rows(net, view.symbol(layer.a), layer.index, cells, layer.a, layer.act)
            prev = layer.units
        if net.y and units:
            lv.rows += _case_rows(net, view.symbol(net.y), len(net.layers), cells, net.y)
        if net.L and _wanted(view, net.L):
            lv.rows.append(Text((Span(f"{view.symbol(net.L)} = ", "label"), view.cell(net.L))))
        lv.rows.append(Text((Span(WORDS("weights_note", lang), "note"),)))
        return lv.draw(avail, lang)

    title = _title(net, "title_net")
    shows = frozenset(k for k in used if view.shown(k)) | (_more(view, net) if units else frozenset())
    return Picture("net", "diagram", title, shows, draw)


def _unit_name(view: View, layer: Layer, j: int) -> str:
    """A unit by the symbol of its output: a₁₂ (unit 2 of a₁), ŷ₁; a one-unit layer by the symbol alone."""
    sym = view.symbol(layer.a)
    return sym if layer.units == 1 else f"{sym}{_sub(j + 1)}" if not sym[-1].isdigit() and sym[-1] not in "₀₁₂₃₄₅₆₇₈₉" \
        else f"{sym},{_sub(j + 1)}"


def _more(view: View, net: Net) -> frozenset[str]:
    return frozenset(k for k in (net.y, net.L) if k and view.shown(k))


def backward(view: View, net: Net) -> Picture | None:
    """The same net with the backward values: ∂L/∂W into each unit, the step W′, ∂L/∂z, ∂L/∂a."""
    q = view.problem.quantities
    s = net.suffix
    grad = lambda key: _grad_key(key, s)  # noqa: E731
    keys = []
    for layer in net.layers:
        keys += [grad(layer.W), _next_key(layer.W, s), grad(layer.z), grad(layer.a)]
        if layer.b:
            keys += [grad(layer.b)]
    keys = [k for k in keys if k in q]
    if not any(k in view.asked for k in keys):
        return None
    cells = _Cells(view, net)
    sizes = [net.inputs] + [l.units for l in net.layers]

    def draw(avail: int, lang: str):
        lv = Levels(sizes, [view.symbol(net.x)] + [view.symbol(l.z) for l in net.layers])
        lv.rows += _case_rows(net, view.symbol(net.x), 0, cells, net.x)
        prev = net.inputs
        for layer in net.layers:
            lv.rows.append(Bus(layer.index))
            for key in (grad(layer.W), _next_key(layer.W, s)):
                if key in q and _wanted(view, key):
                    lv.rows.append(Row(view.symbol(key), layer.index, cells.weights(layer, key, prev)))
            for key in (grad(layer.z), grad(layer.a)):
                if key in q and _wanted(view, key):
                    lv.rows += _case_rows(net, view.symbol(key), layer.index, cells, key)
            prev = layer.units
        if net.L and _wanted(view, net.L):
            lv.rows.append(Text((Span(f"{view.symbol(net.L)} = ", "label"), view.cell(net.L))))
        lv.rows.append(Text((Span(WORDS("backward_note", lang), "note"),)))
        return lv.draw(avail, lang)

    title = _title(net, "title_net_backward")
    shows = frozenset(k for k in keys + [net.x] if view.shown(k)) | _more(view, net)
    return Picture("net.backward", "diagram", title, shows, draw)


def _grad_key(key: str, suffix: str) -> str:
    base = key[: -len(suffix)] if suffix and key.endswith(suffix) else key
    return f"grad.{base}{suffix}"


def _next_key(W: str, suffix: str) -> str:
    base = W.split("@")[0].replace(".next", "")
    return f"{base}.next{suffix}"


def net_pictures(view: View) -> list[Picture]:
    problem = view.problem
    steps = steps_of(problem)
    suffix = ""
    if steps:  # the SGD step asked now; between them (a question with options), the latest one begun
        m = _STEP.search(view.focus or "")
        begun = [int(m2.group(1)) for k in view.known for m2 in [_STEP.search(k)] if m2]
        step = int(m.group(1)) if m else steps[-1] if view.complete else max(begun, default=steps[0])
        suffix = f"@{step}"
    net = read_net(problem, suffix)
    if net is None:
        return []
    if problem.kind == "design":
        from .design import cases
        from .points import points_picture

        plane = points_picture(view, net, "X" if view.has("X") else net.x) if net.y else None
        return [forward(view, net, units=False), cases(view, net)] + ([plane] if plane else [])
    out = [forward(view, net)]
    back = backward(view, net)
    if back is not None:
        out.append(back)
    return out
