"""Reading a dense net's ``[problem]`` table: the observations, the layers, the loss, the optimizer.

Everything is checked here, with the field to blame; :class:`Spec` is what the rest of the kind
writes the problem from.
"""

from __future__ import annotations

from dataclasses import dataclass
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
        "loss_from", "learning_rate", "init", "biases", "layers", "optimizer"}
_LAYER = {"W", "b", "units", "activation", "slope", "temperature", *ACT_OPTIONS}
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
    return Spec(obs, tuple(layers), y, loss, half, mean, loss_from, lr, row, opt, data.get("init"))


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
    """The layer's activation with its options (ELU's α; the conventions at zero, which the dense kind
    states only as the engine's defaults for now: see core.kinds.dense.words)."""
    for key in ("derivative_at_zero", "step_at_zero"):
        if key in layer and layer[key] != {"derivative_at_zero": 0, "step_at_zero": 1}[key] \
                and not (key == "derivative_at_zero" and name == "leaky_relu" and layer[key] == slope):
            raise DataError(f"{lpath}.{key}", "a dense net keeps the engine's convention (ReLU′(0) = 0, leaky "
                                              "ReLU′(0) = its slope, step(0) = 1) until its conventions can state "
                                              "another; choose it in a layer problem (kind = \"layer\")")
    return read_activation(layer, lpath, name, slope=slope, temperature=temperature, owner="activation = {0}")


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
