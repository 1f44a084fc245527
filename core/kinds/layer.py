"""Single-layer drills: one layer taken on its own, forward, then backward from a given upstream gradient.

There is no loss: each block gets its input x and g = ∂L/∂y, the gradient of some loss with
respect to the layer's output, arriving from the layers above. A problem holds one or more
independent blocks (``[[problem.blocks]]``); every key carries its block's name (``lin.y``,
``relu.grad.x``).

Linear, row layout (default):  y = x·W + b, W (n_in, n_out); a batch X has one row per observation.
Linear, column layout:         y = W·x + b, W (n_out, n_in); a batch X has one column per observation.
    ∂L/∂x = g·Wᵀ (column: Wᵀ·g),  ∂L/∂W = xᵀ·g (column: g·xᵀ),  ∂L/∂b = g (a batch: summed over
    the observations),  ∂y/∂x = Wᵀ (column: W) for one observation: the Jacobian, one row per output.
A linear block with an activation f: z = x·W + b, y = f(z), f′(z), ∂L/∂z = g∘f′(z) (softmax: the
Jacobian-vector product), and the gradients above taken from ∂L/∂z.
Activation block y = f(x), any activation of core.ops, x of any shape:
    f′(x) entry by entry, ∂L/∂x = g∘f′(x); softmax over the units (a vector x also has its
    Jacobian ∂y/∂x = (diag(y) − y·yᵀ)/T) with ∂L/∂x = y∘(g − ⟨g, y⟩)/T.
Kinks as in core.ops: ReLU′(0) = 0, leaky ReLU′(0) = slope, step(0) = 1, step′ = 0, unless a block
chooses ReLU′(0) = 1, leaky ReLU′(0) = 1 or step(0) = 0 (``derivative_at_zero``, ``step_at_zero``: see
:mod:`.act_options`); ELU takes ``alpha``. The conventions list the kinks and the newer activations' formulas.

The operations, with their formulas and slips, are :mod:`nntutor.core.ops.linear` (the linear map,
its Jacobian and gradients) and :mod:`nntutor.core.ops.activation` (an activation's forward,
derivative and backward, softmax's Jacobian), as every kind places them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import base_symbol
from ..ops import ACTIVATION_NAMES, LEAKY_SLOPE, Activation
from ..ops import activation, linear
from ..ops.activation import slope_of
from ..writer import Writer
from . import (
    ACT_OPTION_DOCS, ACT_OPTIONS, DataError, FieldDoc, Kind, NameDoc, read_activation, read_array, read_choice, read_number,
    reject_unknown, shape_text,
)

_TOP = {"kind", "layout", "blocks"}
_BLOCK = {"name", "type", "x", "W", "b", "activation", "slope", "temperature", "upstream", "symbols", *ACT_OPTIONS}
_TYPES = ("linear", *ACTIVATION_NAMES)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,23}$")
_MAX_BLOCKS = 12
_MAX_SYMBOL = 16
_SPACE = re.compile(r"\s")
#: Short names of the activations (their parameters are stated in the conventions).
_SHORT = {
    "identity": {"en": "identity", "ru": "тождественная"}, "relu": {"en": "ReLU", "ru": "ReLU"},
    "sigmoid": {"en": "sigmoid", "ru": "сигмоида"}, "tanh": {"en": "tanh", "ru": "tanh"},
    "leaky_relu": {"en": "leaky ReLU", "ru": "leaky ReLU"}, "step": {"en": "step", "ru": "ступенька"},
    "exp": {"en": "exp", "ru": "экспонента"}, "softmax": {"en": "softmax", "ru": "softmax"},
    "elu": {"en": "ELU", "ru": "ELU"}, "selu": {"en": "SELU", "ru": "SELU"}, "swish": {"en": "swish", "ru": "swish"},
    "gelu": {"en": "GELU", "ru": "GELU"}, "softplus": {"en": "softplus", "ru": "softplus"},
}
#: The values at the kinks, as core.ops fixes them.
_KINKS = {
    "relu": {"en": "ReLU′(0) = 0", "ru": "ReLU′(0) = 0"},
    "leaky_relu": {"en": "leaky ReLU′(0) = its slope", "ru": "производная leaky ReLU в нуле равна её наклону"},
    "step": {"en": "step(0) = 1, and step′ = 0 everywhere", "ru": "step(0) = 1, а step′ = 0 всюду"},
}


@dataclass(frozen=True)
class _Block:
    """One layer as read from ``[[problem.blocks]]``: W is None for an activation block."""

    index: int
    name: str
    act: Activation
    x: np.ndarray
    W: np.ndarray | None
    b: np.ndarray | None
    g: np.ndarray
    batch: bool            # a linear block's x is a matrix (several observations)
    axis: int              # the units' axis (softmax)
    sym: Mapping[str, str]
    linear: bool = field(init=False)
    has_z: bool = field(init=False)   # a linear block with an activation: z = x·W + b, then y = f(z)
    what: Mapping[str, str] = field(init=False)  # the layer's type in words: "linear", "ReLU", "linear + sigmoid"

    def __post_init__(self) -> None:
        linear = self.W is not None
        has_z = linear and self.act.name != "identity"
        names = _SHORT[self.act.name]
        if not linear:
            what = dict(names)
        elif not has_z:
            what = {"en": "linear", "ru": "линейный"}
        else:
            what = {"en": f"linear + {names['en']}", "ru": f"линейный + {names['ru']}"}
        object.__setattr__(self, "linear", linear)
        object.__setattr__(self, "has_z", has_z)
        object.__setattr__(self, "what", what)


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    row = read_choice(data, "layout", path, ("row", "column"), default="row") == "row"
    raw = data.get("blocks")
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path}.blocks", "missing: at least one [[problem.blocks]] table (one layer each) is required")
    if len(raw) > _MAX_BLOCKS:
        raise DataError(f"{path}.blocks", f"too many blocks ({len(raw)}; at most {_MAX_BLOCKS})")
    seen: dict[str, int] = {}
    blocks = []
    for i, item in enumerate(raw, start=1):
        blk = _read_block(item, f"{path}.blocks[{i}]", i, row, seen)
        seen[blk.name] = i
        blocks.append(blk)
    w = Writer("layer")
    for blk in blocks:
        _add_block(w, blk, row)
    _conventions(w, blocks, row)
    return w.build()


# -- reading a block ---------------------------------------------------------------------


def _read_block(raw, path: str, i: int, row: bool, seen: Mapping[str, int]) -> _Block:
    if not isinstance(raw, Mapping):
        raise DataError(path, "must be a table ([[problem.blocks]])")
    reject_unknown(raw, path, _BLOCK)
    name = raw.get("name")
    if name is None:
        raise DataError(f"{path}.name", 'missing: a short ASCII id such as "lin" or "relu"; the block\'s '
                                        "quantities are named after it (lin.y, lin.grad.x)")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DataError(f"{path}.name", f"must be a letter followed by letters, digits or _ (at most 24 in all), "
                                        f'e.g. "lin1"; got {name!r}')
    if name in seen:
        raise DataError(f"{path}.name", f"{name!r} already names block {seen[name]}: each block needs its own name")
    kind = read_choice(raw, "type", path, _TYPES)
    linear = kind == "linear"
    if not linear:
        for key in ("W", "b", "activation"):
            if key in raw:
                raise DataError(f"{path}.{key}", f'only for type = "linear" (this block is {kind})')
    act_name = read_choice(raw, "activation", path, ACTIVATION_NAMES, default="identity") if linear else kind
    if "slope" in raw and act_name != "leaky_relu":
        raise DataError(f"{path}.slope", 'only for leaky ReLU (type = "leaky_relu", or activation = "leaky_relu" '
                                         "on a linear block)")
    if "temperature" in raw and act_name != "softmax":
        raise DataError(f"{path}.temperature", 'only for softmax (type = "softmax", or activation = "softmax" '
                                               "on a linear block)")
    act = read_activation(raw, path, act_name, slope=read_number(raw, "slope", path, default=LEAKY_SLOPE),
                          temperature=read_number(raw, "temperature", path, default=1.0, positive=True),
                          owner='type = {0}, or activation = {0} on a linear block')
    x = read_array(raw, "x", path, ndim=(0, 1, 2))
    if x.size == 0:
        raise DataError(f"{path}.x", "is empty: give at least one number")
    W = bias = None
    if linear:
        x = x.reshape(1) if x.ndim == 0 else x
        batch = x.ndim == 2
        W, bias, out_shape = _read_weights(raw, path, x, row, batch)
    else:
        batch = False
        out_shape = x.shape
    if act.name == "softmax" and out_shape == ():
        raise DataError(f"{path}.x", "softmax needs several units: a list (a vector) or a matrix, not one number")
    matrix = len(out_shape) == 2
    axis = 0 if (matrix and not row) else -1
    g = _read_upstream(raw, path, out_shape)
    return _Block(i, name, act, x, W, bias, g, batch, axis, _read_symbols(raw, path, linear, act, x.ndim == 2))


def _read_weights(raw, path: str, x: np.ndarray, row: bool, batch: bool):
    """W as a matrix of the layout, b as a vector (or None), and the output's shape."""
    if "W" not in raw:
        raise DataError(f"{path}.W", "missing: the weights of the linear layer (a matrix; a list is one output unit)")
    W = read_array(raw, "W", path, ndim=(0, 1, 2))
    if W.size == 0:
        raise DataError(f"{path}.W", "is empty: give the weights")
    if W.ndim == 0:
        W = W.reshape(1, 1)
    elif W.ndim == 1:  # one output unit
        W = W.reshape(-1, 1) if row else W.reshape(1, -1)
    n_in = x.shape[-1] if row else x.shape[0]
    rows, cols = W.shape
    fan_in, fan_out = (rows, cols) if row else (cols, rows)
    if fan_in != n_in:
        per = " per observation" if batch else ""
        want = (f"{n_in} rows (row layout: one row per input)" if row
                else f"{n_in} columns (column layout: one column per input)")
        raise DataError(f"{path}.W", f"has shape {rows}×{cols} but the input x has {n_in} values{per}: it needs {want}")
    bias = read_array(raw, "b", path, ndim=(0, 1), required=False)
    if bias is not None:
        bias = bias.reshape(-1)
        if bias.size != fan_out:
            raise DataError(f"{path}.b", f"has {bias.size} values but the layer has {fan_out} outputs")
    if not batch:
        return W, bias, (fan_out,)
    m = x.shape[0] if row else x.shape[1]
    return W, bias, ((m, fan_out) if row else (fan_out, m))


def _read_upstream(raw, path: str, shape: tuple[int, ...]) -> np.ndarray:
    """∂L/∂y shaped like the output; a number or a plain list is accepted where the output has 1s in its shape."""
    fpath = f"{path}.upstream"
    if "upstream" not in raw:
        raise DataError(fpath, f"missing: ∂L/∂y, the gradient arriving from above, shaped like the layer's output "
                               f"({shape_text(shape)})")
    g = read_array(raw, "upstream", path, ndim=(0, 1, 2))
    if g.shape != shape:
        squeezed = tuple(d for d in g.shape if d != 1) == tuple(d for d in shape if d != 1)
        if g.size != int(np.prod(shape)) or not squeezed:
            raise DataError(fpath, f"is {shape_text(g.shape)} but the layer's output is {shape_text(shape)}: ∂L/∂y has "
                                   "the output's shape")
        g = g.reshape(shape)
    return g


def _read_symbols(raw, path: str, linear: bool, act: Activation, matrix: bool) -> dict[str, str]:
    """The display symbols of the block's values: defaults x, W, b, z, y (X, Z, Y for a matrix x)."""
    allowed = ["x", "y"] + (["W", "b"] if linear else []) + (["z"] if linear and act.name != "identity" else [])
    given = raw.get("symbols", {})
    fpath = f"{path}.symbols"
    if not isinstance(given, Mapping):
        raise DataError(fpath, 'must be a table such as { x = "z1", y = "a1" }')
    for key, value in given.items():
        if key not in allowed:
            raise DataError(f"{fpath}.{key}", f"not a value of this block (it has: {', '.join(allowed)})")
        if not isinstance(value, str) or not 1 <= len(value) <= _MAX_SYMBOL or _SPACE.search(value):
            raise DataError(f"{fpath}.{key}", f'must be a short symbol without spaces, e.g. "z1" (shown as z₁) or '
                                              f'"y_hat" (shown as ŷ); got {value!r}')
    default = {"x": "X", "y": "Y", "z": "Z"} if matrix else {"x": "x", "y": "y", "z": "z"}
    default.update(W="W", b="b")
    return {key: base_symbol(given[key]) if key in given else default[key] for key in allowed}


# -- the graph of a block: a worked solution, one quantity per line ------------------------------


def _add_block(w: Writer, blk: _Block, row: bool) -> None:
    name, s = blk.name, blk.sym
    k = {part: f"{name}.{part}" for part in ("x", "W", "b", "z", "y", "deriv", "jac", "grad.y", "grad.z", "grad.x",
                                             "grad.W", "grad.b")}
    of = {"en": f"layer {name} ({blk.what['en']})", "ru": f"слоя {name} ({blk.what['ru']})"}
    gy = f"∂L/∂{s['y']}"
    w.given(k["x"], blk.x, s["x"], texts(f"the input of {of['en']}", f"вход {of['ru']}"))
    if blk.linear:
        w.given(k["W"], blk.W, s["W"], texts(f"the weights of {of['en']}", f"веса {of['ru']}"))
        if blk.b is not None:
            w.given(k["b"], blk.b, s["b"], texts(f"the biases of {of['en']}", f"смещения {of['ru']}"))
    w.given(k["grad.y"], blk.g, gy, texts(f"the upstream gradient, given: it arrives at {of['en']} from above",
                                          f"градиент {gy}, пришедший сверху в слой {name} ({blk.what['ru']}); он дан"))
    if blk.linear:
        _linear(w, blk, row, k, of)
    else:
        _activation(w, blk, k, k["x"], k["grad.x"], of,
                    texts(f"the gradient with respect to the input of {of['en']}, passed further back",
                          f"производная по входу {of['ru']}, которую слой передаёт дальше назад"))


def _activation(w: Writer, blk: _Block, k, t: str, out: str, of, meaning) -> str:
    """y = f(t), its local derivative (f′ entry by entry, or softmax's Jacobian of one vector), and
    ∂L/∂t = ∂L/∂y ∘ f′(t) at ``out``; returns the formula of ∂L/∂t."""
    act, st, sy = blk.act, w.symbol(t), blk.sym["y"]
    w.apply(activation.forward(act, blk.axis), k["y"], sy, texts(f"the output of {of['en']}", f"выход {of['ru']}"),
            "forward", z=t)
    if act.elementwise:
        w.apply(activation.derivative(act), k["deriv"], f"{act.symbol}′({st})",
                texts(f"the derivative {act.symbol}′ of the activation of {of['en']} at its input {st}, entry by entry",
                      f"производная {act.symbol}′ функции активации {of['ru']} в точке {st}, покомпонентно"),
                "backward", z=t, a=k["y"])
    elif not blk.linear and blk.x.ndim == 1:
        w.apply(activation.softmax_jacobian(act), k["jac"], f"∂{sy}/∂{st}", _jacobian_meaning(of), "backward",
                a=k["y"], z=t)
    back = activation.backward(act, blk.axis)
    at = {"g": k["grad.y"], "z": t, "a": k["y"]}
    w.apply(back, out, f"∂L/∂{st}", meaning, "backward", **at)
    return back.formula_at({"out": w.symbol(out), **{slot: w.symbol(key) for slot, key in at.items()}})


def _linear(w: Writer, blk: _Block, row: bool, k, of) -> None:
    s, W, batch = blk.sym, blk.W, blk.batch
    bias = {"b": k["b"]} if blk.b is not None else {}
    square = W.shape[0] == W.shape[1]
    n_in, n_out = W.shape if row else W.shape[::-1]
    m = blk.x.shape[0 if row else 1] if batch else 1
    out = k["z"] if blk.has_z else k["y"]
    w.apply(linear.affine(row, batch, bool(bias), square), out, s["z"] if blk.has_z else s["y"],
            texts(f"the pre-activation of {of['en']}", f"предактивация {of['ru']}") if blk.has_z
            else texts(f"the output of {of['en']}", f"выход {of['ru']}"), "forward", a=k["x"], W=k["W"], **bias)
    if blk.has_z:
        back = _activation(w, blk, k, out, k["grad.z"], of,
                           texts(f"the gradient with respect to the pre-activation of {of['en']}",
                                 f"производная по предактивации {of['ru']}"))
        # the gradients below start from ∂L/∂z; ∂L/∂y in its place skips the activation's derivative
        g, skip = k["grad.z"], {"gy": k["grad.y"], "names": {"back": back}}
    else:
        g, skip = k["grad.y"], {}
        if not batch:
            w.apply(linear.jacobian(row, square), k["jac"], f"∂{s['y']}/∂{s['x']}", _jacobian_meaning(of),
                    "backward", W=k["W"], a=k["x"], z=k["y"])
    w.apply(linear.input_gradient(row, batch, square, n_out, blk.has_z), k["grad.x"], f"∂L/∂{s['x']}",
            texts(f"the gradient with respect to the input of {of['en']}, passed further back",
                  f"производная по входу {of['ru']}, которую слой передаёт дальше назад"),
            "backward", g=g, W=k["W"], a=k["x"], **skip)
    w.apply(linear.weight_gradient(row, n_in == n_out, m), k["grad.W"], f"∂L/∂{s['W']}",
            texts(f"the gradient with respect to the weights of {of['en']}", f"производная по весам {of['ru']}"),
            "backward", a=k["x"], g=g, W=k["W"], y=k["y"], **skip)
    if bias:
        summed = (", summed over the observations", ", сумма по наблюдениям") if batch else ("", "")
        w.apply(linear.bias_gradient(row, batch, m), k["grad.b"], f"∂L/∂{s['b']}",
                texts(f"the gradient with respect to the biases of {of['en']}{summed[0]}",
                      f"производная по смещениям {of['ru']}{summed[1]}"),
                "backward", g=g, **skip)


def _jacobian_meaning(of):
    return texts(f"the derivative of the output of {of['en']} with respect to its input: the Jacobian, one row per "
                 "output", f"производная выхода {of['ru']} по входу: матрица Якоби, по строке на каждый выход")


# -- conventions -----------------------------------------------------------------------------


def _conventions(w: Writer, blocks: list[_Block], row: bool) -> None:
    w.convention("upstream", {
        "en": "each block is one layer taken on its own: ∂L/∂y, the gradient of the loss with respect to the "
              "layer's output, is given (it arrives from the layers above); the loss itself is not needed",
        "ru": "каждый блок — отдельный слой: градиент ∂L/∂y функции потерь по выходу слоя дан (он приходит сверху, "
              "от следующих слоёв); сама функция потерь не нужна",
    })
    lines = {"en": [], "ru": []}
    for blk in blocks:
        s = blk.sym
        if blk.linear:
            t = s["z"] if blk.has_z else s["y"]
            text = f"{t} = " + (f"{s['x']}·{s['W']}" if row else f"{s['W']}·{s['x']}") + (
                f" + {s['b']}" if blk.b is not None else "")
            if blk.has_z:
                text += f", {s['y']} = {activation.applied(blk.act, t)}"
        else:
            text = f"{s['y']} = {activation.applied(blk.act, s['x'])}"
        slope = {"en": "", "ru": ""}
        if blk.act.name == "leaky_relu":
            slope = {"en": f", slope {slope_of(blk.act):g}", "ru": f", наклон {slope_of(blk.act):g}"}
        for lang in ("en", "ru"):
            lines[lang].append(f"{blk.name} ({blk.what[lang]}{slope[lang]}): {text}")
    w.convention("blocks", {"en": "the layers: " + "; ".join(lines["en"]),
                            "ru": "слои: " + "; ".join(lines["ru"])})
    linear = [blk for blk in blocks if blk.linear]
    if linear:
        w.convention("layout", {
            "en": "row vectors: y = x·W + b, W has one row per input" if row
                  else "column vectors: y = W·x + b, W has one row per output",
            "ru": "векторы-строки: y = x·W + b, у W по строке на каждый вход" if row
                  else "векторы-столбцы: y = W·x + b, у W по строке на каждый выход",
        })
    if any(blk.batch for blk in linear):
        w.convention("batch", {
            "en": ("a batch X has one row per observation: Y = X·W (+ b in every row)" if row
                   else "a batch X has one column per observation: Y = W·X (+ b in every column)")
                  + "; ∂L/∂W and ∂L/∂b sum over the observations",
            "ru": ("в батче X по строке на наблюдение: Y = X·W (+ b к каждой строке)" if row
                   else "в батче X по столбцу на наблюдение: Y = W·X (+ b к каждому столбцу)")
                  + "; ∂L/∂W и ∂L/∂b суммируют по наблюдениям",
        })
    if any((blk.linear and not blk.has_z and not blk.batch) or (blk.act.name == "softmax" and not blk.linear
                                                                  and blk.x.ndim == 1) for blk in blocks):
        chain = ("so ∂L/∂x = ∂L/∂y·∂y/∂x", "поэтому ∂L/∂x = ∂L/∂y·∂y/∂x") if row else \
                ("so ∂L/∂x = (∂y/∂x)ᵀ·∂L/∂y", "поэтому ∂L/∂x = (∂y/∂x)ᵀ·∂L/∂y")
        w.convention("jacobian", {
            "en": "the derivative ∂y/∂x of a vector by a vector is the Jacobian with one row per output and one "
                  f"column per input, (∂y/∂x)ⱼᵢ = ∂yⱼ/∂xᵢ, {chain[0]}",
            "ru": "производная ∂y/∂x вектора по вектору — матрица Якоби: строка на каждый выход, столбец на каждый "
                  f"вход, (∂y/∂x)ⱼᵢ = ∂yⱼ/∂xᵢ, {chain[1]}",
        })
    kinks = []
    for name, text in _KINKS.items():
        # the blocks of this activation by the convention they take; named when they differ
        chosen: dict[str, list[_Block]] = {}
        for blk in blocks:
            if blk.act.name == name:
                chosen.setdefault(str(activation.kink_words(blk.act)), []).append(blk)
        for group in chosen.values():
            words = activation.kink_words(group[0].act) or text
            if len(chosen) > 1:
                names = ", ".join(blk.name for blk in group)
                words = {lang: f"{names}: {words[lang]}" for lang in ("en", "ru")}
            kinks.append(words)
    if kinks:
        w.convention("kinks", {"en": "; ".join(t["en"] for t in kinks), "ru": "; ".join(t["ru"] for t in kinks)})
    stated = {}
    for blk in blocks:
        words = activation.formula_words(blk.act)
        if words is not None:
            stated.setdefault(blk.act.name if blk.act.name != "elu" else f"elu{blk.act.alpha:g}", words)
    for key, words in stated.items():
        w.convention(f"formula.{key}", words)
    for blk in blocks:
        if blk.act.name == "softmax":
            axis = "each column" if blk.axis == 0 else ("each row" if len(blk.g.shape) == 2 else "the vector")
            axis_ru = {"each column": "каждому столбцу", "each row": "каждой строке",
                       "the vector": "всему вектору"}[axis]
            t = "" if blk.act.temperature == 1.0 else f" with temperature T = {blk.act.temperature:g}"
            t_ru = "" if blk.act.temperature == 1.0 else f" с температурой T = {blk.act.temperature:g}"
            w.convention(f"softmax.{blk.name}", {
                "en": f"{blk.name}: softmax{t} over {axis}",
                "ru": f"{blk.name}: softmax{t_ru} по {axis_ru}",
            })


KIND = Kind(
    name="layer",
    summary="Single-layer drills: one layer taken on its own (linear, an activation, or linear + activation), "
            "its input and the upstream gradient ∂L/∂y given, no loss: the forward pass, the local derivative "
            "(f′ or the Jacobian ∂y/∂x), and ∂L/∂x, ∂L/∂W, ∂L/∂b. Several independent blocks may share one "
            "problem.",
    fields=(
        FieldDoc("layout", False, '"row" (y = x·W + b, W has one row per input; default) or "column" (y = W·x + b); '
                                  "for linear blocks, and for softmax over a matrix (rows or columns)"),
        FieldDoc("blocks", True, "[[problem.blocks]] tables, each one layer on its own; their quantities are named "
                                 "after the block: {name}.y, {name}.grad.x"),
        FieldDoc("blocks.name", True, 'an ASCII id, unique: a letter, then letters, digits or _ (e.g. "lin1", "relu")'),
        FieldDoc("blocks.type", True, '"linear", or an activation: ' + ", ".join(ACTIVATION_NAMES[:-1])
                                      + " (entry by entry), or softmax (over the units)"),
        FieldDoc("blocks.x", True, "the layer's input: a number, a list, or a matrix (for a linear block a batch, "
                                   "one row per observation in the row layout, one column in the column layout)"),
        FieldDoc("blocks.W", False, "linear blocks, required there: the weights, a matrix (a list is one output "
                                    "unit, a number a 1×1 matrix)"),
        FieldDoc("blocks.b", False, "linear blocks: the biases, one per output (omit for none)"),
        FieldDoc("blocks.activation", False, "linear blocks: an activation after the linear map, z = x·W + b, "
                                             'y = f(z) (default "identity": y = x·W + b)'),
        FieldDoc("blocks.slope", False, "leaky_relu: the slope for negative inputs (default 0.01)"),
        FieldDoc("blocks.temperature", False, "softmax: T in softmax(x/T) (default 1)"),
        *(FieldDoc(f"blocks.{key}", False, ACT_OPTION_DOCS[key]) for key in ACT_OPTIONS),
        FieldDoc("blocks.upstream", True, "∂L/∂y, the gradient arriving from above, shaped like the output (a "
                                          "number for one output, a plain list for one output per observation)"),
        FieldDoc("blocks.symbols", False, 'display symbols, e.g. { x = "z1", W = "W1", y = "a1" }: keys x, y, and '
                                          "W, b, z for linear blocks; ASCII names like z1, y_hat show as z₁, ŷ "
                                          "(default x, W, b, z, y; X, Z, Y for a matrix x)"),
    ),
    build=build,
    names=(
        NameDoc("{name}.x, {name}.W, {name}.b", "givens: the block's input, weights and biases"),
        NameDoc("{name}.grad.y", "given: the upstream gradient ∂L/∂y"),
        NameDoc("{name}.z", "a linear block with an activation: the pre-activation z = x·W + b"),
        NameDoc("{name}.y", "the block's output"),
        NameDoc("{name}.deriv", "the activation's derivative f′ entry by entry, at x (at z after a linear map); "
                                "not for softmax"),
        NameDoc("{name}.jac", "the Jacobian ∂y/∂x, one row per output: a linear block without activation on one "
                              "observation (Wᵀ in the row layout, W in the column layout), a softmax block on a "
                              "vector"),
        NameDoc("{name}.grad.z", "a linear block with an activation: ∂L/∂z = ∂L/∂y ∘ f′(z)"),
        NameDoc("{name}.grad.x", "∂L/∂x, the gradient the layer passes further back"),
        NameDoc("{name}.grad.W, {name}.grad.b", "linear blocks: ∂L/∂W and ∂L/∂b (summed over a batch)"),
    ),
)
