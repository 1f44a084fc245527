"""Reading a dense net's ``[problem]`` table: the observations, the layers, the loss, the optimizer.

Everything is checked here, with the field to blame; :class:`Spec` is what the rest of the kind
writes the problem from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping

import numpy as np

from ... import optim
from ...ops import ACTIVATION_NAMES, LEAKY_SLOPE, Activation
from ...ops.loss import LOSSES
from .. import (
    ACT_OPTIONS, DataError, read_activation, read_array, read_bool, read_choice, read_int, read_number, reject_unknown,
)
from ..hyper import HYPER_FIELDS, read_hyper

_TOP = {"kind", "layout", "x", "y", "X", "Y", "order", "iterations", "reduction", "loss", "half",
        "loss_from", "learning_rate", "init", "biases", "layers", "optimizer", "notation", "loss_weights",
        "pos_weight", "dropout"}
_LAYER = {"W", "b", "units", "activation", "slope", "temperature", "mask", *ACT_OPTIONS}
#: The losses per-output weights apply to (problem.loss_weights).
WEIGHTED_LOSSES = ("squared", "log")
#: The output activation each loss (other than squared) needs.
_HEAD = {"log": "sigmoid", "cross_entropy": "softmax", "poisson": "exp"}
MAX_STEPS = 20
_MAX_UNITS = 100
#: Methods of core.optim a net can use: newton and coordinate descent need the loss's Hessian.
OPT_METHODS = tuple(m for m in optim.METHODS if m not in ("newton", "coordinate"))


@dataclass(frozen=True)
class Layer:
    index: int
    W: np.ndarray
    b: np.ndarray | None
    act: Activation
    mask: np.ndarray | None = None  # dropout after this layer: 1 keeps a unit, 0 drops it

    @property
    def square(self) -> bool:
        return self.W.shape[0] == self.W.shape[1]


@dataclass(frozen=True)
class Observations:
    """``mode`` is "single" (x, y), "batch" (X, Y as matrices) or "sgd" (one observation per step)."""

    mode: str
    x: np.ndarray          # x (n,) or X (m×n row layout, n×m column layout)
    y_raw: np.ndarray      # as written; the targets are read once the net's outputs are known
    m: int                 # number of observations (1 for "single")
    order: tuple[int, ...]  # 0-based observation per SGD step
    n_steps: int


@dataclass(frozen=True)
class Optimizer:
    """``[problem.optimizer]``: the resolved core.optim hyper-parameters (with ``method``) and the clip threshold."""

    hyper: Mapping[str, Any]
    clip: float | None


@dataclass(frozen=True)
class Dropout:
    """``[problem.dropout]``: p, what it means (``drop``: p drops a unit, q = 1 − p; else q = p) and the
    scaling (``inverted``: a∘m/q at train time, a at test time; else a∘m, then q·a at test time)."""

    p: float
    drop: bool
    inverted: bool


@dataclass(frozen=True)
class Spec:
    """A net as the lesson states it."""

    obs: Observations
    layers: tuple[Layer, ...]
    y: np.ndarray           # the targets (one-hot for the cross-entropy)
    loss: str
    half: bool
    mean: bool
    loss_from: str          # "output" or "logits"
    lr: float
    row: bool
    opt: Optimizer | None
    init: Any               # problem.init as written (for the conventions)
    delta: bool = False     # notation = "delta": ∂L/∂z_l reads δ_l
    loss_w: np.ndarray | None = None      # per-output loss weights (one per output unit)
    pos_weight: np.ndarray | None = None  # the log-loss's positive-class weight β (a number or one per output)
    dropout: Dropout | None = None

    @property
    def weighted(self) -> bool:
        return self.loss_w is not None or self.pos_weight is not None

    @property
    def batch(self) -> bool:
        return self.obs.mode == "batch"

    @property
    def terms(self) -> int:
        """How many observations one step's loss adds up."""
        return self.obs.m if self.batch else 1


def read(data: Mapping[str, Any]) -> Spec:
    path = "problem"
    reject_unknown(data, path, _TOP)
    row = read_choice(data, "layout", path, ("row", "column"), default="row") == "row"
    obs = _read_observations(data, path, row)
    loss = read_choice(data, "loss", path, LOSSES)
    half = False
    if loss == "squared":
        if "half" not in data:
            raise DataError(f"{path}.half", "missing: say whether the squared loss carries ½ (true or false)")
        half = read_bool(data, "half", path, default=False)
    elif "half" in data:
        raise DataError(f"{path}.half", "only for the squared loss (the ½ of L = ½Σ(ŷ − y)²)")
    loss_from = read_choice(data, "loss_from", path, ("output", "logits"), default="output")
    if loss == "squared" and loss_from != "output":
        raise DataError(f"{path}.loss_from", 'the squared loss is computed from the output ŷ: leave out '
                                             'loss_from or write "output"')
    lr = read_number(data, "learning_rate", path, positive=True)
    n_in = obs.x.size if obs.mode == "single" else obs.x.shape[1 if row else 0]
    layers = _read_layers(data, path, row, n_in)
    layers = [replace(layer, mask=_read_mask(data["layers"][layer.index - 1], f"{path}.layers[{layer.index}]",
                                             layer.index == len(layers), layer.W.shape[1 if row else 0]))
              for layer in layers]
    head = layers[-1].act.name
    if loss in _HEAD and head != _HEAD[loss]:
        what = {"log": "the log-loss needs a sigmoid output layer",
                "cross_entropy": "the cross-entropy needs a softmax output layer",
                "poisson": "the Poisson loss needs the rate λ = exp(z) as output: activation \"exp\""}[loss]
        raise DataError(f"{path}.layers[{len(layers)}].activation", f"{what} (got {head!r})")
    n_out = layers[-1].W.shape[1] if row else layers[-1].W.shape[0]
    y = _read_targets(obs, loss, n_out, row, path)
    mean = obs.mode == "batch" and read_choice(data, "reduction", path, ("mean", "sum")) == "mean"
    opt = _read_optimizer(data, path, lr)
    delta = read_choice(data, "notation", path, ("grad", "delta"), default="grad") == "delta"
    loss_w, pos_weight = _read_weights(data, path, loss, n_out)
    dropout = _read_dropout(data, path, layers, obs, row)
    return Spec(obs, tuple(layers), y, loss, half, mean, loss_from, lr, row, opt, data.get("init"), delta,
                loss_w, pos_weight, dropout)


def _read_weights(data, path: str, loss: str, n_out: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """problem.loss_weights (one per output unit) and problem.pos_weight (the log-loss's β)."""
    out = []
    for name in ("loss_weights", "pos_weight"):
        value = read_array(data, name, path, ndim=(0, 1), required=False)
        if value is None:
            out.append(None)
            continue
        if name == "loss_weights" and loss not in WEIGHTED_LOSSES:
            raise DataError(f"{path}.{name}", f"per-output weights are for the {' and '.join(WEIGHTED_LOSSES)} "
                                              f"losses (got loss = {loss!r})")
        if name == "pos_weight" and loss != "log":
            raise DataError(f"{path}.{name}", f'the positive-class weight belongs to the log-loss (loss = "log"), '
                                              f"got loss = {loss!r}")
        value = value.reshape(-1)
        if value.size == 1 and name == "pos_weight":
            value = np.full(n_out, value[0])
        if value.size != n_out:
            raise DataError(f"{path}.{name}", f"has {value.size} values but the net has {n_out} outputs")
        if np.any(value <= 0):
            raise DataError(f"{path}.{name}", "weights must be positive")
        out.append(value)
    return out[0], out[1]


def _read_dropout(data, path: str, layers: list[Layer], obs: Observations, row: bool) -> Dropout | None:
    """[problem.dropout] (p, p_is, scaling), needed exactly when some hidden layer gives a mask."""
    masked = [layer for layer in layers if layer.mask is not None]
    if "dropout" not in data:
        if masked:
            raise DataError(f"{path}.dropout", f"missing: layer {masked[0].index} has a dropout mask; say "
                                               'p, p_is ("drop" or "keep") and scaling ("inverted" or "at_test") '
                                               "in [problem.dropout]")
        return None
    raw, dpath = data["dropout"], f"{path}.dropout"
    if not isinstance(raw, Mapping):
        raise DataError(dpath, 'must be a table: [problem.dropout] with p, p_is and scaling')
    reject_unknown(raw, dpath, {"p", "p_is", "scaling"})
    if not masked:
        raise DataError(dpath, "no layer has a mask: give a hidden layer's mask, e.g. mask = [1, 0, 1]")
    if obs.n_steps != 1:
        raise DataError(dpath, "dropout is for one gradient step (a mask per step is not supported): "
                               "leave out order and iterations")
    for layer in masked:
        n = layer.W.shape[1 if row else 0]
        want = (n,) if obs.mode == "single" else ((obs.m, n) if row else (n, obs.m))
        if layer.mask.shape != want:
            raise DataError(f"{path}.layers[{layer.index}].mask",
                            f"must have the shape of the layer's output, {'×'.join(map(str, want))}")
    p = read_number(raw, "p", dpath)
    if not 0 < p < 1:
        raise DataError(f"{dpath}.p", f"must lie strictly between 0 and 1, got {p:g}")
    drop = read_choice(raw, "p_is", dpath, ("drop", "keep")) == "drop"
    inverted = read_choice(raw, "scaling", dpath, ("inverted", "at_test")) == "inverted"
    return Dropout(p, drop, inverted)


def _read_optimizer(data, path: str, lr: float) -> Optimizer | None:
    """``[problem.optimizer]``: method, the optimize kind's hyper-parameter fields, clip; None when absent."""
    if "optimizer" not in data:
        return None
    raw, opath = data["optimizer"], f"{path}.optimizer"
    if not isinstance(raw, Mapping):
        raise DataError(opath, 'must be a table, e.g. [problem.optimizer] with method = "adam", beta1 = 0.9, '
                               "beta2 = 0.999")
    if "learning_rate" in raw:
        raise DataError(f"{opath}.learning_rate", "the learning rate is given once, as problem.learning_rate (γ)")
    reject_unknown(raw, opath, {"method", "clip"} | (set(HYPER_FIELDS) - {"learning_rate"}))
    if raw.get("method") in ("newton", "coordinate"):
        raise DataError(f"{opath}.method", f"{raw['method']} needs the Hessian of the loss, which a net does not "
                                           f"provide; use one of: {', '.join(OPT_METHODS)}")
    method = read_choice(raw, "method", opath, OPT_METHODS)
    hyper = read_hyper({**raw, "learning_rate": lr}, opath, method)
    clip = read_number(raw, "clip", opath, positive=True) if "clip" in raw else None
    return Optimizer(hyper, clip)


def _read_observations(data, path: str, row: bool) -> Observations:
    single = "x" in data
    if single == ("X" in data):
        raise DataError(f"{path}.x", "give either x and y (one observation) or X and Y (several observations: "
                                     "one per row in the row layout, one per column in the column layout)")
    if single:
        if "Y" in data:
            raise DataError(f"{path}.Y", "goes with X; with one observation x the target is y")
        for name in ("order", "reduction"):
            if name in data:
                raise DataError(f"{path}.{name}", "needs several observations: X and Y instead of x and y")
        x = read_array(data, "x", path, ndim=(0, 1)).reshape(-1)
        y_raw = read_array(data, "y", path, ndim=(0, 1))
        return Observations("single", x, y_raw, 1, (), read_int(data, "iterations", path, 1, MAX_STEPS, default=1))
    if "y" in data:
        raise DataError(f"{path}.y", "goes with x; with several observations X the targets are Y")
    X = read_array(data, "X", path, ndim=(1, 2))
    if X.ndim == 1:  # one input per observation
        X = X.reshape(-1, 1) if row else X.reshape(1, -1)
    m = X.shape[0] if row else X.shape[1]
    y_raw = read_array(data, "Y", path, ndim=(1, 2))
    if "order" in data:
        if "iterations" in data:
            raise DataError(f"{path}.iterations", "with order, there is one SGD step per entry of order")
        if "reduction" in data:
            raise DataError(f"{path}.reduction", "each SGD step uses one observation, so there is nothing to "
                                                 "average: reduction is for batches (X without order)")
        order = _read_order(data, path, m)
        return Observations("sgd", X, y_raw, m, order, len(order))
    return Observations("batch", X, y_raw, m, (), read_int(data, "iterations", path, 1, MAX_STEPS, default=1))


def _read_order(data, path: str, m: int) -> tuple[int, ...]:
    value = data["order"]
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise DataError(f"{path}.order", "must be a list of observation numbers, e.g. [2, 1] to take the "
                                         "second observation first")
    if len(value) > MAX_STEPS:
        raise DataError(f"{path}.order", f"too many steps ({len(value)}; at most {MAX_STEPS})")
    for i, v in enumerate(value, start=1):
        if not 1 <= v <= m:
            raise DataError(f"{path}.order", f"entry {i} is {v}, but the observations are numbered 1 … {m}")
    return tuple(v - 1 for v in value)


def _read_init(data, path: str):
    """None, ("zeros",) or ("random", seed, scale)."""
    if "init" not in data:
        return None
    value = data["init"]
    if value == "zeros":
        return ("zeros",)
    if isinstance(value, Mapping):
        ipath = f"{path}.init"
        reject_unknown(value, ipath, {"seed", "scale"})
        seed = value.get("seed")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise DataError(f"{ipath}.seed", f"must be a whole number ≥ 0, got {seed!r}")
        return ("random", seed, read_number(value, "scale", ipath, positive=True))
    raise DataError(f"{path}.init", 'must be "zeros" or a table such as {seed = 1, scale = 0.1}')


def _read_layers(data, path: str, row: bool, n_in: int) -> list[Layer]:
    raw = data.get("layers")
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path}.layers", "missing: at least one [[problem.layers]] table is required")
    init = _read_init(data, path)
    rng = np.random.default_rng(init[1]) if init and init[0] == "random" else None
    biases_said = "biases" in data
    biases = read_bool(data, "biases", path, default=False)
    out = []
    for i, layer in enumerate(raw, start=1):
        lpath = f"{path}.layers[{i}]"
        if not isinstance(layer, Mapping):
            raise DataError(lpath, "must be a table")
        reject_unknown(layer, lpath, _LAYER)
        units = read_int(layer, "units", lpath, 1, _MAX_UNITS) if "units" in layer else None
        if "W" in layer:
            W = read_array(layer, "W", lpath, ndim=(1, 2))
            if W.ndim == 1:  # one output unit
                W = W.reshape(-1, 1) if row else W.reshape(1, -1)
            rows, cols = W.shape
            fan_in, fan_out = (rows, cols) if row else (cols, rows)
            if fan_in != n_in:
                want = f"{n_in} rows" if row else f"{n_in} columns"
                raise DataError(f"{lpath}.W", f"has shape {rows}×{cols} but its input has {n_in} values: "
                                              f"it needs {want} ({'row' if row else 'column'} layout)")
            if units is not None and units != fan_out:
                raise DataError(f"{lpath}.units", f"is {units} but W has {fan_out} output units")
        else:
            if init is None:
                raise DataError(f"{lpath}.W", 'missing: give the weights W, or set problem.init ("zeros" or '
                                              '{seed = 1, scale = 0.1}) and the layer\'s units')
            if units is None:
                raise DataError(f"{lpath}.units", "missing: with problem.init, a layer without W needs its "
                                                  "number of units")
            fan_out = units
            shape = (n_in, units) if row else (units, n_in)
            W = np.zeros(shape) if rng is None else rng.normal(0.0, init[2], size=shape)
        bias = read_array(layer, "b", lpath, ndim=(0, 1), required=False)
        if bias is not None:
            if biases_said and not biases:
                raise DataError(f"{lpath}.b", "problem.biases is false: remove b or set biases = true")
            bias = bias.reshape(-1)
            if bias.size != fan_out:
                raise DataError(f"{lpath}.b", f"has {bias.size} values but the layer has {fan_out} units")
        elif biases:
            bias = np.zeros(fan_out)
        name = read_choice(layer, "activation", lpath, ACTIVATION_NAMES)
        if "slope" in layer and name != "leaky_relu":
            raise DataError(f"{lpath}.slope", 'only for activation = "leaky_relu"')
        if "temperature" in layer and name != "softmax":
            raise DataError(f"{lpath}.temperature", 'only for activation = "softmax"')
        slope = read_number(layer, "slope", lpath, default=LEAKY_SLOPE)
        temperature = read_number(layer, "temperature", lpath, default=1.0, positive=True)
        out.append(Layer(i, W, bias, _activation(layer, lpath, name, slope, temperature)))
        n_in = fan_out
    return out


def _activation(layer, lpath: str, name: str, slope: float, temperature: float) -> Activation:
    """The layer's activation with its options (ELU's α; the conventions at zero, stated among the
    lesson's conventions by core.kinds.dense.words)."""
    return read_activation(layer, lpath, name, slope=slope, temperature=temperature, owner="activation = {0}")


def _read_mask(layer, lpath: str, last: bool, fan_out: int) -> np.ndarray | None:
    """A hidden layer's dropout mask: 0/1, one per unit (a batch: shaped like the layer's output, checked later)."""
    mask = read_array(layer, "mask", lpath, ndim=(1, 2), required=False)
    if mask is None:
        return None
    if last:
        raise DataError(f"{lpath}.mask", "dropout goes after a hidden layer, not after the output layer")
    if not np.all((mask == 0) | (mask == 1)):
        raise DataError(f"{lpath}.mask", "must hold only 0 (drop the unit) and 1 (keep it)")
    if mask.ndim == 1 and mask.size != fan_out:
        raise DataError(f"{lpath}.mask", f"has {mask.size} values but the layer has {fan_out} units")
    return mask


def _read_targets(obs: Observations, loss: str, k: int, row: bool, path: str) -> np.ndarray:
    """The targets as numbers: y (k,) for one observation; Y (m×k row layout, k×m column layout).

    For the cross-entropy a class number 1 … k (one per observation) becomes a one-hot vector.
    """
    field = f"{path}.{'y' if obs.mode == 'single' else 'Y'}"
    raw, m = obs.y_raw, obs.m
    unit_axis = -1 if (row or obs.mode == "single") else 0
    if loss == "cross_entropy" and raw.ndim == (0 if obs.mode == "single" else 1):
        labels = raw.reshape(-1)
        if labels.size != m:
            raise DataError(field, f"has {labels.size} class numbers but there are {m} observations")
        if np.any(labels != np.round(labels)) or np.any(labels < 1) or np.any(labels > k):
            raise DataError(field, f"class numbers must be whole numbers from 1 to {k} (the net has {k} outputs)")
        onehot = np.eye(k)[labels.astype(int) - 1]  # m×k
        return onehot[0] if obs.mode == "single" else (onehot if row else onehot.T)
    if obs.mode == "single":
        y = raw.reshape(-1)
        if y.size != k:
            raise DataError(field, f"has {y.size} values but the net outputs {k}")
    else:
        want = (m, k) if row else (k, m)
        if raw.ndim == 1:
            if k != 1:
                raise DataError(field, f"is a plain list but the net outputs {k} values per observation: give "
                                       f"a {want[0]}×{want[1]} matrix")
            if raw.size != m:
                raise DataError(field, f"has {raw.size} values but there are {m} observations")
            y = raw.reshape(want)
        else:
            y = raw
        if y.shape != want:
            raise DataError(field, f"has shape {y.shape[0]}×{y.shape[1]} but needs {want[0]}×{want[1]} "
                                   f"({m} observations, {k} outputs, {'row' if row else 'column'} layout)")
    if loss == "log" and (np.any(y < 0) or np.any(y > 1)):
        raise DataError(field, "log-loss targets must lie between 0 and 1 (usually 0 or 1)")
    if loss == "poisson" and np.any(y < 0):
        raise DataError(field, "Poisson targets are counts: they must be ≥ 0")
    if loss == "cross_entropy":
        if np.any(y < 0) or not np.allclose(np.sum(y, axis=unit_axis), 1.0):
            raise DataError(field, "cross-entropy targets are a one-hot vector per observation (or a class "
                                   f"number 1 … {k})")
    return y
