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
Kinks as in core.ops: ReLU′(0) = 0, leaky ReLU′(0) = slope, step′ = 0.

Declared mistakes: the bias left out, W transposed (forward); W for Wᵀ, the upstream gradient
left out, one output's share only (∂L/∂x); the transpose, the input left out, the output for the
input, a mean over the batch (∂L/∂W, ∂L/∂b); the activation's derivative skipped; for an
activation, the derivative forgotten, the function for its derivative, taken at the output,
ReLU's mask by the upstream's sign or the wrong way round, leaky ReLU's slope, softmax's diagonal;
the Jacobian in the other layout and ReLU′(0) = 1 (conventions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import base_symbol
from ..ops import ACTIVATION_NAMES, LEAKY_SLOPE, Activation, make_activation
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_choice, read_number, reject_unknown
# the dense kind's linear algebra (layouts, batches)
from ..ops import activation
from ..ops.activation import RELU_ZERO
from ..ops import linear as linear_op
from ..ops.record import fill
from ..ops.record import same as _same
from ..ops.record import mistake as _v

_TOP = {"kind", "layout", "blocks"}
_BLOCK = {"name", "type", "x", "W", "b", "activation", "slope", "temperature", "upstream", "symbols"}
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
}
#: The values at the kinks, as core.ops fixes them.
_KINKS = {
    "relu": {"en": "ReLU′(0) = 0", "ru": "ReLU′(0) = 0"},
    "leaky_relu": {"en": "leaky ReLU′(0) = its slope", "ru": "производная leaky ReLU в нуле равна её наклону"},
    "step": {"en": "step(0) = 1, and step′ = 0 everywhere", "ru": "step(0) = 1, а step′ = 0 всюду"},
}
#: The display form of the derivative, language-neutral ([t > 0] is 1 where t > 0, else 0).
_DERIV = {
    "identity": "1", "relu": "[{t} > 0]", "leaky_relu": "[{t} > 0] + {slope}·[{t} ≤ 0]",
    "sigmoid": "σ({t})·(1 − σ({t}))", "tanh": "1 − tanh²({t})", "step": "0", "exp": "e^{t}",
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
    b = ProblemBuilder("layer")
    for blk in blocks:
        _add_block(b, blk, row)
    _conventions(b, blocks, row)
    return b.build()


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
    act = make_activation(act_name, slope=read_number(raw, "slope", path, default=LEAKY_SLOPE),
                          temperature=read_number(raw, "temperature", path, default=1.0, positive=True))
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
                               f"({_shape(shape)})")
    g = read_array(raw, "upstream", path, ndim=(0, 1, 2))
    if g.shape != shape:
        squeezed = tuple(d for d in g.shape if d != 1) == tuple(d for d in shape if d != 1)
        if g.size != int(np.prod(shape)) or not squeezed:
            raise DataError(fpath, f"is {_shape(g.shape)} but the layer's output is {_shape(shape)}: ∂L/∂y has "
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


def _shape(shape) -> str:
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a list of {shape[0]}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _num(v: float) -> str:
    return f"{v:g}"


def _plus0(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn`` with −0 turned into 0 (a zero times a negative number would show as −0)."""
    return lambda *args: fn(*args) + 0.0


def _slope(act: Activation) -> float:
    """The slope of a leaky ReLU for negative inputs, read back from the activation: f(−1) = −slope."""
    return -float(act.f(np.array(-1.0)))


# -- the graph of a block -------------------------------------------------------------------


def _add_block(b: ProblemBuilder, blk: _Block, row: bool) -> None:
    name, act, s = blk.name, blk.act, blk.sym
    key = {k: f"{name}.{k}" for k in ("x", "W", "b", "z", "y", "deriv", "jac", "grad.y", "grad.z", "grad.x",
                                      "grad.W", "grad.b")}
    of = {"en": f"layer {name} ({blk.what['en']})", "ru": f"слоя {name} ({blk.what['ru']})"}
    sx, sy = s["x"], s["y"]
    gy, gx = f"∂L/∂{sy}", f"∂L/∂{sx}"

    b.given(key["x"], blk.x, sx, {"en": f"the input of {of['en']}", "ru": f"вход {of['ru']}"})
    if blk.linear:
        b.given(key["W"], blk.W, s["W"], {"en": f"the weights of {of['en']}", "ru": f"веса {of['ru']}"})
        if blk.b is not None:
            b.given(key["b"], blk.b, s["b"], {"en": f"the biases of {of['en']}", "ru": f"смещения {of['ru']}"})
    b.given(key["grad.y"], blk.g, gy,
            {"en": f"the upstream gradient, given: it arrives at {of['en']} from above",
             "ru": f"градиент {gy}, пришедший сверху в слой {name} ({blk.what['ru']}); он дан"})

    if blk.linear:
        _linear_block(b, blk, row, key, of)
    else:
        _activation_forward(b, act, key["x"], sx, key["y"], sy, blk.axis,
                            {"en": f"the output of {of['en']}", "ru": f"выход {of['ru']}"})
        _activation_local(b, blk, key["x"], sx, key, of)
        _activation_backward(b, act, key["grad.y"], key["x"], sx, key["y"], sy, key["grad.x"], gx, blk.axis,
                             {"en": f"the gradient with respect to the input of {of['en']}, passed further back",
                              "ru": f"производная по входу {of['ru']}, которую слой передаёт дальше назад"})


def _linear_block(b: ProblemBuilder, blk: _Block, row: bool, key, of) -> None:
    s, act, batch, W = blk.sym, blk.act, blk.batch, blk.W
    sx, sy, sw, sb = s["x"], s["y"], s["W"], s["b"]
    lin = linear_op.linear(row, batch)
    deps = [key["x"], key["W"]] + ([key["b"]] if blk.b is not None else [])
    out = key["z"] if blk.has_z else key["y"]
    sout = s["z"] if blk.has_z else sy
    f_lin = f"{sout} = " + (f"{sx}·{sw}" if row else f"{sw}·{sx}") + (f" + {sb}" if blk.b is not None else "")
    square = W.shape[0] == W.shape[1]

    def lin_mistakes():
        vs = []
        if blk.b is not None:
            vs.append(_v("no_bias", deps[:2], lin, f"You left out the bias: {f_lin}.", f"Вы забыли смещение: {f_lin}."))
        if square:
            where = ("column", "столбец") if row else ("row", "строку")
            vs.append(_v("transposed_W", deps, lambda a, w, *bb: lin(a, w.T, *bb),
                         f"You used {sw} transposed: {f_lin}; output j takes {where[0]} j of {sw}.",
                         f"Вы взяли {sw} транспонированной: {f_lin}; выход j использует {where[1]} j матрицы {sw}."))
        return vs

    if blk.has_z:
        b.derived(out, _plus0(lin), deps, sout,
                  {"en": f"the pre-activation of {of['en']}", "ru": f"предактивация {of['ru']}"},
                  "forward", f_lin, lin_mistakes)
        _activation_forward(b, act, out, sout, key["y"], sy, blk.axis,
                            {"en": f"the output of {of['en']}", "ru": f"выход {of['ru']}"})
        _activation_local(b, blk, out, sout, key, of)
        gz = f"∂L/∂{sout}"
        f_gz = _activation_backward(b, act, key["grad.y"], out, sout, key["y"], sy, key["grad.z"], gz, blk.axis,
                                    {"en": f"the gradient with respect to the pre-activation of {of['en']}",
                                     "ru": f"производная по предактивации {of['ru']}"})
        g_key = key["grad.z"]
    else:
        b.derived(out, _plus0(lin), deps, sout, {"en": f"the output of {of['en']}", "ru": f"выход {of['ru']}"},
                  "forward", f_lin, lin_mistakes)
        gz, f_gz, g_key = f"∂L/∂{sy}", "", key["grad.y"]
        if not batch:
            jac_formula = f"∂{sy}/∂{sx} = {sw}ᵀ" if row else f"∂{sy}/∂{sx} = {sw}"

            def jac_mistakes():
                return [_v("jacobian_layout", [key["W"]], (lambda w: w * 1.0) if row else (lambda w: w.T * 1.0),
                           f"Your matrix has one row per input, ∂{sy}ⱼ/∂{sx}ᵢ in row i (the denominator layout); "
                           f"this lesson writes the Jacobian with one row per output, (∂{sy}/∂{sx})ⱼᵢ = ∂{sy}ⱼ/∂{sx}ᵢ, "
                           f"so {jac_formula}.",
                           f"В вашей матрице по строке на каждый вход: ∂{sy}ⱼ/∂{sx}ᵢ стоит в строке i (раскладка "
                           f"по знаменателю); в этом уроке матрица Якоби записывается по строке на каждый выход, "
                           f"(∂{sy}/∂{sx})ⱼᵢ = ∂{sy}ⱼ/∂{sx}ᵢ, поэтому {jac_formula}.",
                           convention=True)] if square else []

            b.derived(key["jac"], (lambda w: w.T * 1.0) if row else (lambda w: w * 1.0), [key["W"]], f"∂{sy}/∂{sx}",
                      {"en": f"the derivative of the output of {of['en']} with respect to its input: the Jacobian, "
                             "one row per output",
                       "ru": f"производная выхода {of['ru']} по входу: матрица Якоби, по строке на каждый выход"},
                      "backward", jac_formula, jac_mistakes)

    m = blk.x.shape[0 if row else 1] if batch else 1
    n_in, n_out = (W.shape[0], W.shape[1]) if row else (W.shape[1], W.shape[0])
    skipped = ({"en": f"You used ∂L/∂{sy} directly; it first goes back through the activation: {f_gz}; then ",
                "ru": f"Вы взяли ∂L/∂{sy} напрямую; сначала он проходит назад через активацию: {f_gz}; затем "}
               if blk.has_z else None)

    f_gx = f"∂L/∂{sx} = {gz}·{sw}ᵀ" if row else f"∂L/∂{sx} = {sw}ᵀ·{gz}"
    input_grad = linear_op.input_grad(row)

    def gx_mistakes():
        vs = []
        if square:
            vs.append(_v("W_not_transposed", [g_key, key["W"]], (lambda g, w: g @ w) if row else (lambda g, w: w @ g),
                         f"You multiplied by {sw} instead of {sw}ᵀ: {f_gx}.",
                         f"Вы умножили на {sw} вместо {sw}ᵀ: {f_gx}."))
        if skipped:
            vs.append(_v("skipped_derivative", [key["grad.y"], key["W"]], input_grad,
                         skipped["en"] + f"{f_gx}.", skipped["ru"] + f"{f_gx}."))
        else:
            vs.append(_v("no_upstream", [g_key, key["W"]], lambda g, w: input_grad(np.ones_like(g), w),
                         f"You left out the upstream gradient {gz}: the weights of each output count with that "
                         f"output's entry of {gz}, {f_gx}.",
                         f"Вы забыли входящий градиент {gz}: веса каждого выхода входят с множителем — компонентой "
                         f"{gz} для этого выхода, {f_gx}."))
        for j in range(n_out if n_out > 1 else 0):
            vs.append(_v(f"one_unit_{j + 1}", [g_key, key["W"]], linear_op.one_unit(row, batch, j),
                         f"You kept only one output's contribution: each entry of {sx} feeds every output of the "
                         f"layer, so {f_gx} sums over them.",
                         f"Вы учли вклад только одного выхода: каждая компонента {sx} влияет на все выходы слоя, "
                         f"и {f_gx} суммирует по ним."))
        return vs

    b.derived(key["grad.x"], _plus0(input_grad), [g_key, key["W"]], f"∂L/∂{sx}",
              {"en": f"the gradient with respect to the input of {of['en']}, passed further back",
               "ru": f"производная по входу {of['ru']}, которую слой передаёт дальше назад"},
              "backward", f_gx, gx_mistakes)

    f_gw = f"∂L/∂{sw} = {sx}ᵀ·{gz}" if row else f"∂L/∂{sw} = {gz}·{sx}ᵀ"
    weight_grad = linear_op.weight_grad(row)
    per = ("input", "вход") if row else ("output", "выход")
    mean = {"en": f"You divided by the number of observations m = {m}; the upstream gradient already carries the "
                  "loss's 1/m, if it has one, so ",
            "ru": f"Вы поделили на число наблюдений m = {m}; входящий градиент уже содержит множитель 1/m функции "
                  "потерь, если он есть, поэтому "}

    def batch_slips(f: str, skip_deps: list[str], skip_fn, total: str) -> list[Mistake]:
        """The slips ∂L/∂W and ∂L/∂b share: the activation's derivative skipped, a mean for the sum."""
        vs = []
        if skipped:
            vs.append(_v("skipped_derivative", skip_deps, skip_fn, skipped["en"] + f"{f}.", skipped["ru"] + f"{f}."))
        if m > 1:
            vs.append(_v("mean_not_sum", [total], lambda v: v / m, mean["en"] + f"{f} sums over the observations.",
                         mean["ru"] + f"{f} — просто сумма по наблюдениям."))
        return vs

    def gw_mistakes():
        vs = []
        if n_in == n_out:
            vs.append(_v("transposed", [key["grad.W"]], lambda v: v.T,
                         f"That is the transpose: {f_gw}, with one row per {per[0]} like {sw}.",
                         f"Это транспонированная матрица: {f_gw}, в ней по строке на каждый {per[1]}, как в {sw}."))
            vs.append(_v("output_not_input", [key["y"], g_key], weight_grad,
                         f"You used the layer's output {sy}; the weight gradient takes the layer's input {sx}: {f_gw}.",
                         f"Вы взяли выход слоя {sy}, а градиент по весам использует вход слоя {sx}: {f_gw}."))
        vs.append(_v("no_input", [key["x"], g_key], lambda a, g: weight_grad(np.ones_like(a), g),
                     f"You left out the input: each weight multiplies one entry of {sx} in the forward pass, so its "
                     f"gradient is that entry times its output's upstream gradient: {f_gw}.",
                     f"Вы забыли вход: при прямом проходе каждый вес умножается на свою компоненту {sx}, поэтому его "
                     f"градиент — эта компонента, умноженная на градиент своего выхода: {f_gw}."))
        return vs + batch_slips(f_gw, [key["x"], key["grad.y"]], weight_grad, key["grad.W"])

    b.derived(key["grad.W"], _plus0(weight_grad), [key["x"], g_key], f"∂L/∂{sw}",
              {"en": f"the gradient with respect to the weights of {of['en']}",
               "ru": f"производная по весам {of['ru']}"},
              "backward", f_gw, gw_mistakes)

    if blk.b is not None:
        bias_grad = linear_op.bias_grad(row, batch)
        f_gb = f"∂L/∂{sb} = " + (gz if not batch else (f"1ᵀ·{gz}" if row else f"{gz}·1"))

        def gb_mistakes():
            return batch_slips(f_gb, [key["grad.y"]], bias_grad, key["grad.b"])

        b.derived(key["grad.b"], _plus0(bias_grad), [g_key], f"∂L/∂{sb}",
                  {"en": f"the gradient with respect to the biases of {of['en']}"
                         + (", summed over the observations" if batch else ""),
                   "ru": f"производная по смещениям {of['ru']}" + (", сумма по наблюдениям" if batch else "")},
                  "backward", f_gb, gb_mistakes)


def _apply(act: Activation, t: str) -> str:
    if act.name == "identity":
        return t
    if act.name == "softmax" and act.temperature != 1.0:
        return f"softmax({t}/{_num(act.temperature)})"
    return f"{act.symbol}({t})"


def _activation_forward(b: ProblemBuilder, act: Activation, k: str, sk: str, y: str, sy: str, axis: int,
                        meaning) -> None:
    """y = f(k): the activation applied to the block's input (or a linear block's z)."""
    f = f"{sy} = {_apply(act, sk)}"

    def mistakes():
        return activation.forward(act, axis).slips_at({"z": k}, {"z": sk, "f": f})

    b.derived(y, lambda v: act.forward(v, axis), [k], sy, meaning, "forward", f, mistakes)


def _activation_local(b: ProblemBuilder, blk: _Block, k: str, sk: str, key, of) -> None:
    """The activation's local derivative: f′ entry by entry, or softmax's Jacobian for a vector."""
    act, y, sy = blk.act, key["y"], blk.sym["y"]
    name = act.name
    if name == "softmax":
        if blk.linear or blk.x.ndim != 1:
            return  # the Jacobian of one vector only
        t = act.temperature
        f = f"∂{sy}/∂{sk} = (diag({sy}) − {sy}·{sy}ᵀ)" + ("" if t == 1.0 else f"/{_num(t)}")

        def jac_mistakes():
            vs = [_v("diagonal_only", [y], lambda p: np.diag(p * (1.0 - p)) / t,
                     f"You kept only the diagonal {sy}ᵢ(1 − {sy}ᵢ); every {sk}ⱼ moves every {sy}ᵢ, so the other "
                     f"entries are −{sy}ᵢ{sy}ⱼ: {f}.",
                     f"Вы оставили только диагональ {sy}ᵢ(1 − {sy}ᵢ); каждое {sk}ⱼ влияет на каждое {sy}ᵢ, поэтому "
                     f"остальные элементы равны −{sy}ᵢ{sy}ⱼ: {f}.")]
            if t != 1.0:
                vs.append(_v("no_temperature", [key["jac"]], lambda v: v * t,
                             f"You forgot to divide by T = {_num(t)}: {f}.",
                             f"Вы забыли поделить на T = {_num(t)}: {f}."))
            return vs

        b.derived(key["jac"], lambda p: (np.diag(p) - np.outer(p, p)) / t, [y], f"∂{sy}/∂{sk}",
                  {"en": f"the derivative of the output of {of['en']} with respect to its input: the Jacobian, "
                         "one row per output",
                   "ru": f"производная выхода {of['ru']} по входу: матрица Якоби, по строке на каждый выход"},
                  "backward", f, jac_mistakes)
        return
    d = f"{act.symbol}′({sk})"
    f = f"{d} = " + _DERIV[name].format(t=sk, slope=_num(_slope(act)) if name == "leaky_relu" else "")

    def mistakes():
        vs = []
        if name == "relu":
            vs.append(_v("function_not_derivative", [y], _same,
                         f"That is ReLU({sk}) itself; its derivative is 1 where {sk} > 0 and 0 elsewhere: {f}.",
                         f"Это сама ReLU({sk}); её производная равна 1 при {sk} > 0 и 0 иначе: {f}."))
            vs.append(_v("relu_zero", [k], lambda v: (v >= 0) * 1.0, fill(RELU_ZERO.en, {"z": sk, "f": f}),
                         fill(RELU_ZERO.ru, {"z": sk, "f": f}), convention=True))
        elif name == "leaky_relu":
            slope = _num(_slope(act))
            vs.append(_v("no_slope", [k], lambda v: (v > 0) * 1.0,
                         f"Leaky ReLU′ is {slope} where {sk} ≤ 0, not 0: {f}.",
                         f"Производная leaky ReLU там, где {sk} ≤ 0, равна {slope}, а не 0: {f}."))
            vs.append(_v("function_not_derivative", [y], _same,
                         f"That is LeakyReLU({sk}) itself; its derivative is 1 where {sk} > 0 and {slope} elsewhere: "
                         f"{f}.",
                         f"Это сама LeakyReLU({sk}); её производная равна 1 при {sk} > 0 и {slope} иначе: {f}."))
        elif name in ("sigmoid", "tanh"):
            vs.append(_v("function_not_derivative", [y], _same,
                         f"That is {act.symbol}({sk}) itself, not its derivative: {f}.",
                         f"Это само значение {act.symbol}({sk}), а не производная: {f}."))
            vs.append(_v("derivative_at_output", [y], act.df,
                         f"The derivative is taken at the input {sk}, not at the output {sy}: {f}.",
                         f"Производная берётся в точке {sk} (вход), а не {sy} (выход): {f}."))
            if name == "tanh":
                vs.append(_v("no_square", [y], lambda a: 1.0 - a,
                             f"You forgot the square: {f} = 1 − {sy}².",
                             f"Вы забыли квадрат: {f} = 1 − {sy}²."))
        return vs

    b.derived(key["deriv"], act.df, [k], d,
              {"en": f"the derivative {act.symbol}′ of the activation of {of['en']} at its input {sk}, entry by entry",
               "ru": f"производная {act.symbol}′ функции активации {of['ru']} в точке {sk}, покомпонентно"},
              "backward", f, mistakes)




def _activation_backward(b: ProblemBuilder, act: Activation, g: str, k: str, sk: str, y: str, sy: str,
                         out: str, sout: str, axis: int, meaning) -> str:
    """∂L/∂k = ∂L/∂y ∘ f′(k) (softmax: its Jacobian-vector product); returns the formula."""
    temp = act.temperature
    sg = f"∂L/∂{sy}"
    if act.elementwise:
        f = f"{sout} = {sg} ∘ {act.symbol}′({sk})"
    else:
        f = f"{sout} = {sy} ∘ ({sg} − ⟨{sg}, {sy}⟩)" + ("" if temp == 1.0 else f"/{_num(temp)}")

    def mistakes():
        return activation.backward(act, axis).slips_at({"g": g, "z": k, "a": y, "out": out},
                                                       {"g": sg, "z": sk, "a": sy, "out": sout, "f": f})

    # "+ 0.0": a blocked negative gradient would show as −0
    b.derived(out, lambda gg, v: act.backward(v, gg, axis) + 0.0, [g, k], sout, meaning, "backward", f, mistakes)
    return f


# -- conventions -----------------------------------------------------------------------------


def _conventions(b: ProblemBuilder, blocks: list[_Block], row: bool) -> None:
    b.convention("upstream", {
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
                text += f", {s['y']} = {_apply(blk.act, t)}"
        else:
            text = f"{s['y']} = {_apply(blk.act, s['x'])}"
        slope = {"en": "", "ru": ""}
        if blk.act.name == "leaky_relu":
            slope = {"en": f", slope {_num(_slope(blk.act))}", "ru": f", наклон {_num(_slope(blk.act))}"}
        for lang in ("en", "ru"):
            lines[lang].append(f"{blk.name} ({blk.what[lang]}{slope[lang]}): {text}")
    b.convention("blocks", {"en": "the layers: " + "; ".join(lines["en"]),
                            "ru": "слои: " + "; ".join(lines["ru"])})
    linear = [blk for blk in blocks if blk.linear]
    if linear:
        b.convention("layout", {
            "en": "row vectors: y = x·W + b, W has one row per input" if row
                  else "column vectors: y = W·x + b, W has one row per output",
            "ru": "векторы-строки: y = x·W + b, у W по строке на каждый вход" if row
                  else "векторы-столбцы: y = W·x + b, у W по строке на каждый выход",
        })
    if any(blk.batch for blk in linear):
        b.convention("batch", {
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
        b.convention("jacobian", {
            "en": "the derivative ∂y/∂x of a vector by a vector is the Jacobian with one row per output and one "
                  f"column per input, (∂y/∂x)ⱼᵢ = ∂yⱼ/∂xᵢ, {chain[0]}",
            "ru": "производная ∂y/∂x вектора по вектору — матрица Якоби: строка на каждый выход, столбец на каждый "
                  f"вход, (∂y/∂x)ⱼᵢ = ∂yⱼ/∂xᵢ, {chain[1]}",
        })
    kinks = [text for name, text in _KINKS.items() if any(blk.act.name == name for blk in blocks)]
    if kinks:
        b.convention("kinks", {"en": "; ".join(t["en"] for t in kinks), "ru": "; ".join(t["ru"] for t in kinks)})
    for blk in blocks:
        if blk.act.name == "softmax":
            axis = "each column" if blk.axis == 0 else ("each row" if len(blk.g.shape) == 2 else "the vector")
            axis_ru = {"each column": "каждому столбцу", "each row": "каждой строке",
                       "the vector": "всему вектору"}[axis]
            t = "" if blk.act.temperature == 1.0 else f" with temperature T = {_num(blk.act.temperature)}"
            t_ru = "" if blk.act.temperature == 1.0 else f" с температурой T = {_num(blk.act.temperature)}"
            b.convention(f"softmax.{blk.name}", {
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
