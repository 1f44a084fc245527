"""Dense feed-forward net: forward, loss, backward and gradient steps, by hand.

Row layout (default):    z_l = a_{l-1} · W_l (+ b_l),  W_l has shape (n_in, n_out).
Column layout:           z_l = W_l · a_{l-1} (+ b_l),  W_l has shape (n_out, n_in).
a_0 = x, a_l = g_l(z_l), ŷ = a_L.
Backward: ∂L/∂z_l = ∂L/∂a_l ∘ g_l′(z_l) (softmax: the Jacobian-vector product);
row: ∂L/∂W_l = a_{l-1}ᵀ ∂L/∂z_l, ∂L/∂a_{l-1} = ∂L/∂z_l W_lᵀ (column: transposed).
Update: W_l′ = W_l − γ ∂L/∂W_l.

Observations come one at a time (``x``, ``y``) or as a batch (``X``, ``Y``: one row per
observation in the row layout, one column in the column layout). A batch either enters
as a matrix (Z = X·W, ∂L/∂W = Xᵀ·∂L/∂Z, ∂L/∂b = column sums; loss mean or sum) or is
walked through by SGD in a stated ``order``, one observation per step.

Mistakes: every quantity declares its common wrong forms as graph Mistakes (the bias left out,
W used untransposed, the activation or its derivative forgotten, the ½ or the 1/m of a mean
slipped, the step added, …), so a wrong value is named; SGD in a stated order also offers, for
every quantity, its value along the trajectory that visits the observations as 1, 2, … instead.

Keys: one step keeps the plain names (``z1``, ``grad.W1``, ``W1.next``); with several
steps every per-step quantity carries ``@k`` (``z1@2``), and its symbol the superscript
⁽ᵏ⁾ (z₁⁽²⁾). Step k starts from ``W1`` (k = 1) or ``W1.next@{k-1}``.

Optimizer (``[problem.optimizer]``; absent: the plain step above): step k runs the stages of
:mod:`nntutor.core.optim` for every parameter p (each W_l, b_l) with its own state, g the
gradient ∂L/∂p of step k (clipped first with ``clip``: every gradient times min(1, c/‖∇L‖),
‖∇L‖ over all parameters as one vector). A stage s of p is the quantity ``s.p`` (``h.W1``,
``m_hat.b2``; ``@k`` as above), its start ``s.p@0`` (zero); the last stage is ``p.next``.
Textbook Nesterov first computes the look-ahead ``look.p`` = p − α·h for every parameter and
runs step k's forward and backward pass there. Mistakes: each optim stage's own, per parameter;
clipping entry by entry or per parameter; for Nesterov, the step's pass at the other form's point.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from .. import optim
from ..graph import Problem, ProblemBuilder, Mistake, Wording, texts
from ..notation import base_symbol, grad_key, next_key, ru_plural, subscript, superscript
from ..ops import activation
from ..ops import loss as loss_op
from ..ops.linear import bias_grad, input_grad, linear, one_unit, weight_grad
from ..ops.record import mistake as _v
from ..ops import (
    ACTIVATION_NAMES, LEAKY_SLOPE, Activation, cross_entropy, cross_entropy_grad, cross_entropy_logits,
    log_loss, log_loss_grad, log_loss_logits, make_activation, output_logit_grad, poisson_loss,
    poisson_loss_grad, poisson_loss_logits, squared_loss, squared_loss_grad,
)
from . import (
    DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown,
)
from .hyper import FORM_NAMES, HYPER_DOCS, HYPER_FIELDS, HYPER_MEANINGS, HYPER_SYMBOLS, METHOD_NAMES, read_hyper

_TOP = {"kind", "layout", "x", "y", "X", "Y", "order", "iterations", "reduction", "loss", "half",
        "loss_from", "learning_rate", "init", "biases", "layers", "optimizer"}
_LAYER = {"W", "b", "units", "activation", "slope", "temperature"}
_LOSSES = ("squared", "log", "cross_entropy", "poisson")
#: The output activation each loss (other than squared) needs.
_HEAD = {"log": "sigmoid", "cross_entropy": "softmax", "poisson": "exp"}
_MAX_STEPS = 20
_MAX_UNITS = 100
#: What the derivative is taken to be where the activation has a kink or a jump, per language.
_KINKED = {"relu": ("ReLU′(0) = 0", "ReLU′(0) = 0"),
           "leaky_relu": ("leaky ReLU′(0) = slope", "leaky ReLU′(0) = наклон (slope)"),
           "step": ("step(0) = 1, step′(z) = 0 everywhere", "step(0) = 1, step′(z) = 0 при всех z")}
#: Methods of core.optim a net can use: newton and coordinate descent need the loss's Hessian.
_OPT_METHODS = tuple(m for m in optim.METHODS if m not in ("newton", "coordinate"))


@dataclass(frozen=True)
class _Layer:
    index: int
    W: np.ndarray
    b: np.ndarray | None
    act: Activation


@dataclass(frozen=True)
class _Data:
    """The observations: ``mode`` is "single" (x, y), "batch" (X, Y as matrices) or "sgd"."""

    mode: str
    x: np.ndarray          # x (n,) or X (m×n row layout, n×m column layout)
    y_raw: np.ndarray      # as written; the targets are read once the net's outputs are known
    m: int                 # number of observations (1 for "single")
    order: tuple[int, ...]  # 0-based observation per SGD step
    n_steps: int


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    layout = read_choice(data, "layout", path, ("row", "column"), default="row")
    row = layout == "row"
    obs = _read_observations(data, path, row)
    loss = read_choice(data, "loss", path, _LOSSES)
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
    alt = _other_order(obs, layers, y, loss, half, mean, loss_from, lr, row, data, opt)
    other = _other_point(opt.hyper) if opt is not None else None
    net = _Net(obs, layers, y, loss, half, mean, loss_from, lr, row, alt, opt, other)
    problem = net.problem(data)
    if opt is not None:
        _check_finite(problem)
    return problem


@dataclass(frozen=True)
class _Opt:
    """``[problem.optimizer]``: the resolved core.optim hyper-parameters (with ``method``) and the clip threshold."""

    hyper: Mapping[str, Any]
    clip: float | None


class _Alt:
    """Values a common slip gives for many quantities at once (SGD in the order 1, 2, …; Nesterov's other
    point): the message, the mistake's name, and every such value by key -- worked out by
    ``compute(problem, net)`` the first time a diagnosis asks for one (a whole second trajectory is not
    worth computing for a lesson that may never need it). ``_Net.problem`` binds the problem built.
    ``in_pass``: the slip changes only the forward and backward pass of steps k ≥ 2."""

    def __init__(self, compute: Callable[[Problem, "_Net"], Mapping[str, np.ndarray]],
                 message: Mapping[str, str], name: str = "other_order", convention: bool = False,
                 in_pass: bool = False) -> None:
        self.compute, self.message, self.name, self.convention = compute, message, name, convention
        self.in_pass = in_pass
        self.built: tuple[weakref.ref[Problem], _Net] | None = None

    def bind(self, problem: Problem, net: "_Net") -> None:
        # the problem's own mistakes hold this slip: a weak reference back keeps them from forming a
        # cycle, so the problem is freed with its last reference (a diagnosis holds one)
        self.built = weakref.ref(problem), net

    @cached_property
    def values(self) -> Mapping[str, np.ndarray]:
        problem = self.built[0]() if self.built is not None else None
        if problem is None:
            raise RuntimeError("a slip's values are asked for before its problem is built, or after it is gone")
        with np.errstate(all="ignore"):  # a diverging other trajectory only gives mistakes that are never used
            return self.compute(problem, self.built[1])

    def value(self, key: str) -> np.ndarray:
        """The slip's value of ``key``; NaN (a mistake never shown) when the slip has none."""
        return self.values.get(key, np.nan)


def _other_order(obs: _Data, layers, y, loss, half, mean, loss_from, lr, row, data,
                 opt: _Opt | None = None) -> _Alt | None:
    """The trajectory of SGD taking the observations in their natural order 1, 2, …, m, 1, …

    None unless the lesson's order differs from that one (then "took them in the wrong order" is
    a mistake worth naming for every quantity of every step).
    """
    if obs.mode != "sgd":
        return None
    natural = tuple(k % obs.m for k in range(obs.n_steps))
    if natural == obs.order:
        return None

    def compute(_problem: Problem, _net: _Net) -> Mapping[str, np.ndarray]:
        other = _Net(replace(obs, order=natural), layers, y, loss, half, mean, loss_from, lr, row, None, opt)
        return other.problem(data).evaluate()

    seq = ", ".join(str(j + 1) for j in obs.order)
    alt_seq = ", ".join(str(j + 1) for j in natural)
    if natural[0] != obs.order[0]:
        message = {
            "en": f"That is the value you get taking observation {natural[0] + 1} first; this lesson takes "
                  f"observation {obs.order[0] + 1} first (order {seq}).",
            "ru": f"Это значение получится, если начать с наблюдения {natural[0] + 1}; в этом уроке первым "
                  f"берётся наблюдение {obs.order[0] + 1} (порядок {seq}).",
        }
    else:
        message = {
            "en": f"That is the value you get visiting the observations in the order {alt_seq}; this lesson's "
                  f"order is {seq}.",
            "ru": f"Это значение получится при порядке наблюдений {alt_seq}; в этом уроке порядок {seq}.",
        }
    return _Alt(compute, message)


def _other_point(hyper: Mapping[str, Any]) -> _Alt | None:
    """Nesterov: every forward and backward value of step k ≥ 2 had the step been run at the other form's point.

    Textbook form: at W itself instead of the look-ahead W̃ = W − α·h (PyTorch's point);
    PyTorch form: at W − α·γ·b (the textbook look-ahead) instead of W. Step 1 is skipped:
    the states start at 0, so both points are W. The values come from the built problem itself,
    evaluated with the moved point as an override.
    """
    if hyper["method"] != "nesterov":
        return None
    a, lr = hyper["alpha"], hyper["lr"]

    def compute(problem: Problem, net: _Net) -> Mapping[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        values = problem.evaluate()
        for k, (prev, point, state) in net.points.items():
            if k == 1:
                continue
            if hyper["form"] == "textbook":
                over = {point[p]: values[prev[p]] for p in prev}
            else:
                over = {prev[p]: values[prev[p]] - a * lr * values[state[p]["buf"]] for p in prev}
            moved = problem.evaluate(over)
            out.update({key: moved[key] for key in net.pass_keys[k]})
        return out

    if hyper["form"] == "textbook":
        message = {
            "en": "You ran this step at the weights W before it, as PyTorch's Nesterov form does; the textbook form "
                  "used here runs the step's forward and backward pass at the look-ahead weights W̃ = W − α·h.",
            "ru": "Вы считали этот шаг в точке W (веса до шага), как в форме Нестерова из PyTorch; в учебной форме "
                  "этого урока прямой и обратный проход шага идут в точке «заглядывания вперёд» W̃ = W − α·h.",
        }
    else:
        message = {
            "en": "You ran this step at the look-ahead weights W − α·γ·b, as the textbook form does; PyTorch's "
                  "Nesterov form used here takes the gradient at the weights W themselves.",
            "ru": "Вы считали этот шаг в точке W − α·γ·b, как в учебной форме; в форме Нестерова из PyTorch, "
                  "принятой здесь, градиент берётся в самой точке W.",
        }
    return _Alt(compute, message, "nesterov_form", convention=True, in_pass=True)


def _check_finite(problem: Problem) -> None:
    key = problem.first_non_finite()
    if key is not None:
        raise DataError("problem.optimizer", f"the run produces a non-finite value for {key}: it diverges "
                                             "(try fewer steps or a smaller learning_rate) or divides by zero "
                                             "(eps = 0 with a zero gradient)")


# -- reading the data ------------------------------------------------------------------


def _read_optimizer(data, path: str, lr: float) -> _Opt | None:
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
                                           f"provide; use one of: {', '.join(_OPT_METHODS)}")
    method = read_choice(raw, "method", opath, _OPT_METHODS)
    hyper = read_hyper({**raw, "learning_rate": lr}, opath, method)
    clip = read_number(raw, "clip", opath, positive=True) if "clip" in raw else None
    return _Opt(hyper, clip)


# -- reading the data ------------------------------------------------------------------


def _read_observations(data, path: str, row: bool) -> _Data:
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
        return _Data("single", x, y_raw, 1, (), _read_iterations(data, path))
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
        return _Data("sgd", X, y_raw, m, _read_order(data, path, m), len(data["order"]))
    return _Data("batch", X, y_raw, m, (), _read_iterations(data, path))


def _read_iterations(data, path: str) -> int:
    value = data.get("iterations", 1)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_STEPS:
        raise DataError(f"{path}.iterations", f"must be a whole number of gradient steps from 1 to {_MAX_STEPS}, "
                                              f"got {value!r}")
    return value


def _read_order(data, path: str, m: int) -> tuple[int, ...]:
    value = data["order"]
    if (not isinstance(value, list) or not value
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise DataError(f"{path}.order", "must be a list of observation numbers, e.g. [2, 1] to take the "
                                         "second observation first")
    if len(value) > _MAX_STEPS:
        raise DataError(f"{path}.order", f"too many steps ({len(value)}; at most {_MAX_STEPS})")
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


def _read_layers(data, path: str, row: bool, n_in: int) -> list[_Layer]:
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
        units = layer.get("units")
        if units is not None and (isinstance(units, bool) or not isinstance(units, int)
                                  or not 1 <= units <= _MAX_UNITS):
            raise DataError(f"{lpath}.units", f"must be a whole number of units from 1 to {_MAX_UNITS}")
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
        out.append(_Layer(i, W, bias, make_activation(name, slope=slope, temperature=temperature)))
        n_in = fan_out
    return out


def _read_targets(obs: _Data, loss: str, k: int, row: bool, path: str) -> np.ndarray:
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


# -- the graph -------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _sup(k: int) -> str:
    return "⁽" + superscript(str(k)) + "⁾"


@lru_cache(maxsize=256)
def _s(i: int) -> str:
    return subscript(str(i))


def _num(v: float) -> str:
    return f"{v:g}"


class _Wording(Wording):
    """How one quantity reads, worked out when first asked (most never are): its formula, written
    with every step's own symbols, and its declared mistakes."""

    __slots__ = ("key", "write", "declared", "s", "alts", "_text")

    def __init__(self, key: str, write, mistakes, s: Callable[[str], str], alts) -> None:
        self.key, self.write, self.declared, self.s, self.alts = key, write, mistakes, s, alts
        self._text: str | None = None

    def formula(self) -> str:
        if self._text is None:
            self._text = self.write(self.s)
        return self._text

    def mistakes(self) -> list[Mistake]:
        key = self.key
        return self.own_mistakes() + [Mistake(alt.name, (), lambda alt=alt: alt.value(key), alt.message,
                                              alt.convention) for alt in self.alts]

    def own_mistakes(self) -> list[Mistake]:
        """The mistakes declared for this quantity (``mistakes`` adds the other-point ones)."""
        m = self.declared
        if m is None:
            return []
        if callable(m):
            return list(m(self.s, self.formula()))
        return list(m[0](*m[1:], self.s, self.formula()))  # (function, leading arguments …): no closure


class _StageWording(_Wording):
    """An optimizer stage of one step for one parameter: the stage's general formula and mistakes,
    written with that step's keys (``now``: optim's names -> keys, as they were at this stage)."""

    __slots__ = ("net", "st", "k", "p", "now")

    def __init__(self, key: str, net: "_Net", st: optim.Stage, k: int, p: str, now: dict[str, str], alts) -> None:
        super().__init__(key, None, None, net.s, alts)
        self.net, self.st, self.k, self.p, self.now = net, st, k, p, now

    def names(self) -> dict[str, str]:
        sym = self.net.sym
        return {"lr": "γ", "t": str(self.k), **{name: sym[q] for name, q in self.now.items()}}

    def formula(self) -> str:
        if self._text is None:
            self._text = self.st.formula.format_map(self.names())
        return self._text

    def own_mistakes(self) -> list[Mistake]:
        return self.net.stage_mistakes(self.st, self.k, self.p, self.now, self.names())


class _Net:
    """One-shot builder of a problem's quantity graph (wraps a ProblemBuilder for :func:`build`)."""

    def __init__(self, obs: _Data, layers: list[_Layer], y: np.ndarray, loss: str, half: bool, mean: bool,
                 loss_from: str, lr: float, row: bool, alt: _Alt | None = None, opt: _Opt | None = None,
                 other_point: _Alt | None = None) -> None:
        self.obs, self.layers, self.y, self.loss, self.half = obs, layers, y, loss, half
        self.loss_from, self.lr, self.row, self.opt = loss_from, lr, row, opt
        self.alts = [a for a in (alt, other_point) if a is not None]
        self.batch = obs.mode == "batch"
        self.multi = obs.n_steps > 1
        self.mean = mean
        self.scale = 1.0 / obs.m if mean else 1.0  # every loss is scale·Σ over the observations
        self.axis = 0 if (self.batch and not row) else -1  # the axis of the units
        self.b = ProblemBuilder("dense")
        self.sym: dict[str, str] = {}
        # key -> symbol, for the wording: symbols are only ever added, so a later call sees the same
        self.s: Callable[[str], str] = self.sym.__getitem__
        # with an optimizer: per parameter, state name -> key of its value after the last step
        self.state: dict[str, dict[str, str]] = {}
        # per step k: (parameter keys at its start, the point its pass runs at, the states at its start)
        self.points: dict[int, tuple[dict[str, str], dict[str, str], dict[str, dict[str, str]]]] = {}
        # per step k: the keys of its forward and backward pass (what the point it runs at changes)
        self.pass_keys: dict[int, list[str]] = {}
        self._recording: list[str] | None = None
        self._k = 0  # the step being built
        self._plans: dict[int, optim.Plan] = {}

    # keys, symbols, meanings of one step
    def key(self, base: str, k: int) -> str:
        return f"{base}@{k}" if self.multi else base

    def symbol(self, plain: str, k: int) -> str:
        return plain + _sup(k) if self.multi else plain

    def meaning(self, en: str, ru: str, k: int) -> Mapping[str, str]:
        return texts(f"{en} (step {k})", f"{ru} (шаг {k})") if self.multi else texts(en, ru)

    def given(self, key: str, value, symbol: str, meaning: Mapping[str, str]) -> str:
        self.sym[key] = symbol
        return self.b.given(key, value, symbol, meaning)

    def derived(self, key: str, fn: Callable, deps: list[str], symbol: str, meaning, role: str,
                formula: Callable[[Callable[[str], str]], str],
                mistakes: Callable[[Callable[[str], str], str], Iterable[Mistake]] | tuple | None = None) -> str:
        """A derived quantity; ``formula`` gets a function from key to symbol, so every step names its own.

        ``mistakes(s, f)`` -- s the key-to-symbol function, f the right formula -- lists the mistakes
        declared for it, or ``mistakes`` is ``(function, leading arguments …)`` called with s and f
        after them; in SGD with a stated order, "the other order" is added to every quantity.
        """
        self.sym[key] = symbol
        return self._add(key, fn, deps, symbol, meaning, role, _Wording(key, formula, mistakes, self.s, self._alts()))

    def _alts(self) -> Iterable[_Alt]:
        """The other-point mistakes that apply to the quantity being added: one that changes the
        point a pass runs at applies from the second step's pass on."""
        if not self.alts:
            return ()
        late = self._recording is not None and self._k >= 2
        return [alt for alt in self.alts if late or not alt.in_pass]

    def _add(self, key: str, fn: Callable, deps: list[str], symbol: str, meaning, role: str, w: _Wording) -> str:
        if self._recording is not None:
            self._recording.append(key)
        return self.b.derived(key, fn, deps, symbol, meaning, role, w)

    def problem(self, data) -> Problem:
        obs, row = self.obs, self.row
        if obs.mode == "batch":
            self.given("X", obs.x, "X", {"en": "the inputs, one " + ("row" if row else "column") + " per observation",
                                         "ru": "входы, по " + ("строке" if row else "столбцу") + " на наблюдение"})
            self.given("Y", self.y, "Y", {"en": "the targets, one " + ("row" if row else "column") + " per observation",
                                          "ru": "целевые значения, по " + ("строке" if row else "столбцу")
                                                + " на наблюдение"})
        elif obs.mode == "sgd":
            self.given("X", obs.x, "X", {"en": "the observations' inputs, one " + ("row" if row else "column")
                                               + " per observation",
                                         "ru": "входы наблюдений, по " + ("строке" if row else "столбцу")
                                               + " на наблюдение"})
            self.given("Y", self.y, "Y", {"en": "the observations' targets", "ru": "целевые значения наблюдений"})
        else:
            self.given("x", obs.x, "x", {"en": "the input", "ru": "вход"})
            self.given("y", self.y, "y", {"en": "the target", "ru": "целевое значение"})
        self.given("lr", self.lr, "γ", {"en": "the learning rate", "ru": "шаг обучения"})
        params = {}
        for layer in self.layers:
            i = layer.index
            params[f"W{i}"] = self.given(f"W{i}", layer.W, base_symbol(f"W{i}"),
                                         {"en": f"the weights of layer {i}", "ru": f"веса слоя {i}"})
            if layer.b is not None:
                params[f"b{i}"] = self.given(f"b{i}", layer.b, base_symbol(f"b{i}"),
                                             {"en": f"the biases of layer {i}", "ru": f"смещения слоя {i}"})
        if self.opt is not None:
            start = {f"W{layer.index}": layer.W for layer in self.layers}
            start.update({f"b{layer.index}": layer.b for layer in self.layers if layer.b is not None})
            self.optimizer_givens(params, start)
        for k in range(1, obs.n_steps + 1):
            params = self.step(k, params)
        self.conventions(data)
        problem = self.b.build()
        for alt in self.alts:
            alt.bind(problem, self)
        # the quantities' wordings keep this builder alive (an optimizer stage's, through its net);
        # without its own copy of them
        # it holds no path back to the problem, which then goes with its last reference instead
        # of waiting as a cycle for a full garbage collection
        self.b = None
        return problem

    def step(self, k: int, params: dict[str, str]) -> dict[str, str]:
        """Forward, loss, backward and update of step k; returns the keys of the new parameters."""
        obs, row, batch, L = self.obs, self.row, self.batch, len(self.layers)
        if obs.mode == "sgd":
            j = obs.order[k - 1]
            pick = (lambda a: a[j]) if row else (lambda a: a[:, j])
            x_key = self.given(self.key("x", k), pick(obs.x), self.symbol("x", k),
                               self.meaning(f"the input: observation {j + 1}", f"вход: наблюдение {j + 1}", k))
            y_key = self.given(self.key("y", k), pick(self.y), self.symbol("y", k),
                               self.meaning(f"the target of observation {j + 1}",
                                            f"целевое значение наблюдения {j + 1}", k))
        else:
            x_key, y_key = ("X", "Y") if batch else ("x", "y")
        Z, A, YH = ("Z", "A", "Y_hat") if batch else ("z", "a", "y_hat")
        yh_plain = "Ŷ" if batch else "ŷ"
        axis = self.axis
        plan = self.plan(k) if self.opt is not None else None
        ctx: dict[str, dict[str, str]] = {}  # per parameter: optim name (w_prev, h_prev, look, …) -> key
        if plan is not None:
            ctx = {p: {"w_prev": cur, **{f"{n}_prev": key for n, key in self.state[p].items()}}
                   for p, cur in params.items()}
        # the point the pass runs at: the weights, or (textbook Nesterov) the look-ahead weights
        point = self.look_ahead(k, plan, ctx) if plan is not None and plan.lookahead else params
        self.points[k] = (dict(params), dict(point), {p: dict(self.state.get(p, {})) for p in params})
        self._recording, self._k = [], k

        def act_key(i: int) -> str:
            return x_key if i == 0 else self.key(YH if i == L else f"{A}{i}", k)

        def act_plain(i: int) -> str:
            return yh_plain if i == L else base_symbol(f"{A}{i}")

        # forward
        for layer in self.layers:
            i, act = layer.index, layer.act
            w, bias = point[f"W{i}"], point.get(f"b{i}")
            deps = [act_key(i - 1), w] + ([bias] if bias else [])
            z = self.key(f"{Z}{i}", k)
            self.derived(z, linear(row, batch), deps, self.symbol(base_symbol(f"{Z}{i}"), k),
                         self.meaning(f"the pre-activation of layer {i} (before {act.names['en']})",
                                      f"предактивация слоя {i} (до функции «{act.names['ru']}»)", k),
                         "forward",
                         lambda s, d=deps, z=z: f"{s(z)} = " + (f"{s(d[0])}·{s(d[1])}" if row
                                                               else f"{s(d[1])}·{s(d[0])}")
                         + (f" + {s(d[2])}" if len(d) == 3 else ""),
                         (_Net.linear_mistakes, self, layer, deps))
            out = act_key(i)
            self.derived(out, lambda v, a=act: a.forward(v, axis), [z], self.symbol(act_plain(i), k),
                         self.meaning("the output ŷ of the net" if i == L else f"the activation of layer {i}",
                                      "выход сети ŷ" if i == L else f"активация слоя {i}", k),
                         "forward", lambda s, out=out, z=z, a=act: f"{s(out)} = {_apply(a, s(z))}",
                         (_Net.activation_mistakes, self, act, z))
        y_hat, z_last = act_key(L), self.key(f"{Z}{L}", k)

        # loss
        loss_key = self.key("L", k)
        fn, deps, formula = self.loss_fn(loss_key, y_hat, z_last, y_key)
        self.derived(loss_key, fn, deps, self.symbol("L", k),
                     self.meaning("the loss", "значение функции потерь", k), "loss", formula,
                     (_Net.loss_mistakes, self, loss_key, y_hat, y_key))

        # backward
        head = self.layers[-1].act
        # where the 1/m of a mean loss enters the backward pass (every later gradient carries it)
        origin = self.key(grad_key(YH) if self.loss_from == "output" else grad_key(f"{Z}{L}"), k)
        if self.loss_from == "output":
            g_out = origin
            gfn, gformula = self.output_grad()
            self.derived(g_out, gfn, [y_hat, y_key], self.symbol(f"∂L/∂{yh_plain}", k),
                         self.meaning("the gradient of the loss with respect to the output ŷ",
                                      "производная функции потерь по выходу ŷ", k),
                         "backward", lambda s: gformula(s(g_out), s(y_hat), s(y_key)),
                         (_Net.output_grad_mistakes, self, g_out))
        new = {}
        for layer in reversed(self.layers):
            i, act = layer.index, layer.act
            z, out = self.key(f"{Z}{i}", k), act_key(i)
            gz = self.key(grad_key(f"{Z}{i}"), k)
            sz = self.symbol(f"∂L/∂{base_symbol(f'{Z}{i}')}", k)
            if i == L and self.loss_from == "logits":
                scale, t = self.scale, head.temperature
                self.derived(gz, lambda yh, yy, c=scale, t=t: output_logit_grad(yh, yy, c, t), [y_hat, y_key], sz,
                             self.meaning(f"the gradient with respect to z{_s(i)} (loss and {head.names['en']} "
                                          f"taken together)",
                                          f"производная по z{_s(i)} (потери и {head.names['ru']} вместе)", k),
                             "backward", lambda s, gz=gz: f"{s(gz)} = {self.fused(s(y_hat), s(y_key))}",
                             (_Net.fused_grad_mistakes, self, gz, t))
            else:
                g_a = self.key(grad_key(YH if i == L else f"{A}{i}"), k)
                if act.elementwise:
                    rule = lambda s, gz=gz, g_a=g_a, z=z, a=act: f"{s(gz)} = {s(g_a)} ∘ {a.symbol}′({s(z)})"
                else:
                    t = "" if act.temperature == 1.0 else f"/{_num(act.temperature)}"
                    rule = (lambda s, gz=gz, g_a=g_a, out=out, t=t:
                            f"{s(gz)} = {s(out)} ∘ ({s(g_a)} − ⟨{s(g_a)}, {s(out)}⟩){t}")
                self.derived(gz, lambda g, v, a=act: a.backward(v, g, axis), [g_a, z], sz,
                             self.meaning(f"the gradient with respect to z{_s(i)}, through the {act.names['en']}",
                                          f"производная по z{_s(i)} (через функцию «{act.names['ru']}»)", k),
                             "backward", rule, (_Net.act_grad_mistakes, self, act, gz, g_a, z, out, origin))
            prev = act_key(i - 1)
            prev_z = (self.key(f"{Z}{i - 1}", k)
                      if i > 1 and self.layers[i - 2].act.name != "identity" else None)
            gw = self.key(grad_key(f"W{i}"), k)
            self.derived(gw, weight_grad(row), [prev, gz], self.symbol(f"∂L/∂W{_s(i)}", k),
                         self.meaning(f"the gradient with respect to the weights W{_s(i)}",
                                      f"производная по весам W{_s(i)}", k),
                         "backward", lambda s, gw=gw, prev=prev, gz=gz:
                         f"{s(gw)} = {s(prev)}ᵀ·{s(gz)}" if row else f"{s(gw)} = {s(gz)}·{s(prev)}ᵀ",
                         (_Net.weight_grad_mistakes, self, layer, gw, gz, prev, prev_z, out, origin))
            new[f"W{i}"] = gw
            if f"b{i}" in params:
                gb = self.key(grad_key(f"b{i}"), k)
                self.derived(gb, bias_grad(row, batch), [gz], self.symbol(f"∂L/∂b{_s(i)}", k),
                             self.meaning(f"the gradient with respect to the biases b{_s(i)}"
                                          + (" (summed over the observations)" if batch else ""),
                                          f"производная по смещениям b{_s(i)}"
                                          + (" (сумма по наблюдениям)" if batch else ""), k),
                             "backward", lambda s, gb=gb, gz=gz:
                             f"{s(gb)} = " + (s(gz) if not batch else (f"1ᵀ·{s(gz)}" if row else f"{s(gz)}·1")),
                             (_Net.reduction_mistakes, self, gb, origin, False))
                new[f"b{i}"] = gb
            if i > 1:
                ga = self.key(grad_key(f"{A}{i - 1}"), k)
                w = point[f"W{i}"]
                self.derived(ga, input_grad(row), [gz, w], self.symbol(f"∂L/∂{base_symbol(f'{A}{i - 1}')}", k),
                             self.meaning(f"the gradient with respect to the activation a{_s(i - 1)}",
                                          f"производная по активации a{_s(i - 1)}", k),
                             "backward", lambda s, ga=ga, gz=gz, w=w:
                             f"{s(ga)} = {s(gz)}·{s(w)}ᵀ" if row else f"{s(ga)} = {s(w)}ᵀ·{s(gz)}",
                             (_Net.input_grad_mistakes, self, layer, gz, w, act_key(i - 1)))

        if plan is not None:
            return self.optimizer_step(k, plan, params, new, ctx)
        self.pass_keys[k], self._recording = self._recording, None

        # gradient step
        updated = {}
        for layer in self.layers:
            for p in [f"W{layer.index}"] + ([f"b{layer.index}"] if f"b{layer.index}" in params else []):
                nk = self.key(next_key(p), k)
                cur, g = params[p], new[p]
                en = (f"{base_symbol(p)} after step {k}" if self.multi
                      else f"{base_symbol(p)} after one gradient step")
                ru = (f"{base_symbol(p)} после шага {k}" if self.multi
                      else f"{base_symbol(p)} после одного шага градиентного спуска")
                self.derived(nk, lambda w, gr, lr_: w - lr_ * gr, [cur, g, "lr"],
                             self.symbol(base_symbol(p) + "′", k), {"en": en, "ru": ru}, "update",
                             lambda s, nk=nk, cur=cur, g=g: f"{s(nk)} = {s(cur)} − γ·{s(g)}",
                             (_Net.update_mistakes, self, cur, g))
                updated[p] = nk
        return updated

    # -- the optimizer: core.optim's stages, per parameter and step

    def plan(self, k: int) -> optim.Plan:
        """The optimizer's stages of step k (worked out once per build)."""
        if k not in self._plans:
            self._plans[k] = optim.plan(self.opt.hyper, k)
        return self._plans[k]

    def optimizer_givens(self, params: Mapping[str, str], start: Mapping[str, np.ndarray]) -> None:
        """The hyper-parameters, the clip threshold, and each parameter's states at the start (zero)."""
        hyper = self.opt.hyper
        for name in ("alpha", "beta1", "beta2", "eps"):
            if name in hyper:
                meaning = HYPER_MEANINGS[name]
                if name == "alpha":
                    meaning = meaning[1] if hyper["method"] == "rmsprop" else meaning[0]
                self.given(name, hyper[name], HYPER_SYMBOLS[name], meaning)
        if self.opt.clip is not None:
            self.given("clip", self.opt.clip, "c", {"en": "the clipping threshold c for the norm of the gradient",
                                                    "ru": "порог c для нормы градиента при обрезке"})
        first = self.plan(1)
        stage_of = {st.key: st for st in first.stages}
        for p in params:
            self.state[p] = {}
            for name in first.carry:
                st, ps = stage_of[name], base_symbol(p)
                self.state[p][name] = self.given(
                    f"{name}.{p}@0", np.zeros_like(start[p]), f"{st.symbol}_{ps}" + _sup(0),
                    {"en": f"{st.meaning['en']}, for {ps}, at the start (zero)",
                     "ru": f"{st.meaning['ru']}, для {ps}, в начале (ноль)"})

    def look_ahead(self, k: int, plan: optim.Plan, ctx: dict[str, dict[str, str]]) -> dict[str, str]:
        """Each parameter's look-ahead stages of step k; the keys of the point the pass runs at."""
        for p, keys in ctx.items():
            for st in plan.lookahead:
                self.opt_stage(st, k, p, keys)
        return {p: keys[plan.lookahead[-1].key] for p, keys in ctx.items()}

    def optimizer_step(self, k: int, plan: optim.Plan, params: Mapping[str, str], grads: Mapping[str, str],
                       ctx: dict[str, dict[str, str]]) -> dict[str, str]:
        """Clipping (when asked), then the optimizer's stages for every parameter; the new parameters' keys."""
        order = list(params)
        used = {p: grads[p] for p in order}
        if self.opt.clip is not None:
            used = self.clip_gradients(k, order, grads)
        self.pass_keys[k], self._recording = self._recording, None
        shared: dict[str, str] = {}  # stages that use no parameter (γ/k): one quantity per step
        for st in plan.stages:
            if all(d in shared for d in st.deps):
                shared[st.key] = self.shared_stage(st, k)
        updated = {}
        for p in order:
            keys = ctx[p]
            keys["g"] = used[p]
            keys.update(shared)
            for st in plan.stages:
                if st.key not in shared:
                    self.opt_stage(st, k, p, keys)
            updated[p] = keys["w"]
            self.state[p] = {name: keys[stage] for name, stage in plan.carry.items()}
        return updated

    def clip_gradients(self, k: int, order: list[str], grads: Mapping[str, str]) -> dict[str, str]:
        """‖∇L‖ over every weight and bias as one vector; each gradient times min(1, c/‖∇L‖)."""
        c = self.opt.clip
        norm = self.key("grad_norm", k)
        gs = [grads[p] for p in order]
        self.derived(norm, lambda *g: np.sqrt(sum(np.sum(np.square(x)) for x in g)), gs, self.symbol("‖∇L‖", k),
                     self.meaning("the norm of the whole gradient: every weight and bias as one vector",
                                  "норма всего градиента: все веса и смещения как один вектор", k),
                     "backward", lambda s: f"{s(norm)} = √(" + " + ".join(f"‖{s(g)}‖²" for g in gs) + ")",
                     lambda s, f: [_v("norm_no_root", [norm], np.square,
                                      f"You forgot the square root: {f}.", f"Вы забыли извлечь корень: {f}.")])
        out = {}
        for p in order:
            g, key = grads[p], self.key(f"grad_clip.{p}", k)
            ps = base_symbol(p)
            self.derived(key, lambda x, n: x * optim.clip_factor(n, c), [g, norm], self.symbol(f"clip(∂L/∂{ps})", k),
                         self.meaning(f"the gradient with respect to {ps} after clipping by the norm of the whole "
                                      "gradient",
                                      f"градиент по {ps} после обрезки по норме всего градиента", k),
                         "backward", lambda s, key=key, g=g: f"{s(key)} = {s(g)}·min(1, c/{s(norm)})",
                         lambda s, f, g=g, ps=ps: [
                             _v("clip_components", [g], lambda x: np.clip(x, -c, c),
                                f"You clipped each entry to ±c; clipping by norm scales the whole gradient: {f}.",
                                f"Вы обрезали каждую компоненту до ±c, а обрезка по норме масштабирует весь "
                                f"градиент: {f}."),
                             Mistake("clip_each_parameter", (g,), lambda x: optim.clip_by_norm(x, c), {
                                 "en": f"You clipped the gradient of {ps} by its own norm (as Keras's clipnorm "
                                       "does); this lesson clips all the gradients together by the norm of the "
                                       f"whole gradient (as PyTorch's clip_grad_norm_ does): {f}.",
                                 "ru": f"Вы обрезали градиент по {ps} по его собственной норме (как clipnorm в "
                                       "Keras); в этом уроке все градиенты обрезаются вместе по норме всего "
                                       f"градиента (как clip_grad_norm_ в PyTorch): {f}."}, convention=True)])
            out[p] = key
        return out

    def shared_stage(self, st: optim.Stage, k: int) -> str:
        """A stage that uses no parameter (the decayed step γ/k): one quantity for the whole step."""
        key = self.key(st.key, k)
        symbol = st.symbol.format(lr="γ") + _s(k)
        syms = {st.key: symbol, "lr": "γ", "t": str(k)}
        text = {lang: m.replace("η", "γ") for lang, m in st.meaning.items()}
        self.derived(key, st.fn, [], symbol, self.meaning(text["en"], text["ru"], k), "update",
                     lambda s: st.formula.format_map(syms),
                     lambda s, f: self.stage_mistakes(st, k, "", {}, syms))
        return key

    def opt_stage(self, st: optim.Stage, k: int, p: str, keys: dict[str, str]) -> None:
        """Stage ``st`` of step k for parameter p: ``keys`` maps optim's names to this step's keys (extended)."""
        ps = base_symbol(p)
        if st.key == "w":
            key = self.key(next_key(p), k)
            symbol = self.symbol(ps + "′", k)
            meaning = (texts(f"{ps} after step {k}", f"{ps} после шага {k}") if self.multi
                       else texts(f"{ps} after the step", f"{ps} после шага"))
        else:
            key = self.key(f"{st.key}.{p}", k)
            # the look-ahead weights as W̃₁; a state as h_W₁
            symbol = self.symbol(ps[0] + "\u0303" + ps[1:] if st.key == "look" else f"{st.symbol}_{ps}", k)
            en, ru = st.meaning["en"], st.meaning["ru"]
            if "{t}" in en or "{t}" in ru:
                en, ru = en.replace("{t}", str(k)), ru.replace("{t}", str(k))
            meaning = self.meaning(f"{en}, for {ps}", f"{ru}, для {ps}", k)
        keys[st.key] = key
        self.sym[key] = symbol  # the formula and messages name it
        # keys as they are now (later stages extend them)
        self._add(key, st.fn, [keys[d] for d in st.deps], symbol, meaning, "update",
                  _StageWording(key, self, st, k, p, dict(keys), self._alts()))

    def stage_mistakes(self, st: optim.Stage, k: int, p: str, keys: Mapping[str, str],
                       syms: Mapping[str, str]) -> list[Mistake]:
        """The stage's declared mistakes, for parameter p in step k: deps mapped to keys, messages filled in.

        ``<stage>_last`` is that stage of step k − 1 for the same parameter.
        """
        out = []
        for sv in st.mistakes:
            deps = tuple(self.key(f"{d[:-len('_last')]}.{p}", k - 1) if d.endswith("_last") else keys[d]
                         for d in sv.deps)
            message = {lang: text.format_map(syms) for lang, text in sv.message.items()}
            out.append(Mistake(sv.name, deps, sv.fn, message, sv.convention))
        return out

    def optimizer_conventions(self) -> None:
        """How the steps are taken, the method's formulas in general form, the states, the clipping."""
        b, obs, hyper = self.b, self.obs, self.opt.hyper
        name_en, name_ru = (text.replace("η", "γ") for text in METHOD_NAMES[hyper["method"]])
        form = hyper.get("form")
        if form:
            name_en, name_ru = f"{name_en} ({FORM_NAMES[form][0]} form)", f"{name_ru} ({FORM_NAMES[form][1]})"
        n = obs.n_steps
        if obs.mode == "sgd":
            seq = ", ".join(str(j + 1) for j in obs.order)
            step = {"en": f"{name_en}, one observation per step, in the order {seq}: step t uses that "
                          "observation's gradient",
                    "ru": f"{name_ru}, по одному наблюдению за шаг, в порядке {seq}: шаг t использует градиент "
                          "по этому наблюдению"}
        else:
            whole = {"en": " on the whole batch" if self.batch else "",
                     "ru": " по всей выборке" if self.batch else ""}
            step = {"en": f"{name_en}, {n} step{'' if n == 1 else 's'}{whole['en']}",
                    "ru": f"{name_ru}, {n} {ru_plural(n, 'шаг', 'шага', 'шагов')}{whole['ru']}"}
        b.convention("step", step)
        # the method's formulas with a step letter t, for any parameter w (a weight matrix or a bias vector)
        pl = self.plan(1)
        stages = pl.lookahead + pl.stages
        syms = {"w_prev": "wₜ₋₁", "lr": "γ", "t": "t", "g": "gₜ"}
        for name, carried in pl.carry.items():
            syms[f"{name}_prev"] = next(st for st in stages if st.key == carried).symbol + "ₜ₋₁"
        for st in stages:
            syms[st.key] = st.symbol.format(lr="γ") + "ₜ"
        lines = [st.formula.format_map(syms) for st in stages]
        lines_ru = list(lines)
        if pl.lookahead:
            at = syms[pl.lookahead[-1].key]
            lines.insert(len(pl.lookahead), f"step t's forward and backward pass run at {at}, so gₜ is the "
                                            f"gradient there")
            lines_ru.insert(len(pl.lookahead), f"прямой и обратный проход шага t идут в точке {at}, поэтому gₜ — "
                                               "градиент в ней")
        values = ", ".join(f"{HYPER_SYMBOLS.get(k, 'γ' if k == 'lr' else k)} = {_num(v)}"
                           for k, v in hyper.items() if isinstance(v, float) and not isinstance(v, bool))
        g = {"en": "gₜ = ∂L/∂w at step t" + (" after clipping" if self.opt.clip is not None else ""),
             "ru": "gₜ = ∂L/∂w на шаге t" + (" после обрезки" if self.opt.clip is not None else "")}
        b.convention("method", {
            "en": f"{name_en}, for every weight matrix and bias vector w: " + "; ".join(lines)
                  + f" ({g['en']}; {values})",
            "ru": f"{name_ru}, для каждой матрицы весов и вектора смещений w: " + "; ".join(lines_ru)
                  + f" ({g['ru']}; {values})"})
        if pl.carry:
            names = [next(st for st in stages if st.key == c).symbol for c in pl.carry.values()]
            h = names[0]
            b.convention("optimizer_state", {
                "en": f"each weight matrix and bias vector has its own state ({', '.join(names)}), zero at the "
                      f"start; {h}_W₁⁽²⁾ is the state {h} of W₁ after step 2, {h}_W₁⁽⁰⁾ its start",
                "ru": f"у каждой матрицы весов и вектора смещений своё состояние ({', '.join(names)}), в начале "
                      f"нулевое; {h}_W₁⁽²⁾ — состояние {h} для W₁ после шага 2, {h}_W₁⁽⁰⁾ — в начале"})
        if self.opt.clip is not None:
            c = _num(self.opt.clip)
            b.convention("clip", {
                "en": f"before the step the gradient is clipped by norm, all weights and biases as one vector "
                      f"(as PyTorch's clip_grad_norm_): clip(g) = g·min(1, c/‖∇L‖), c = {c}",
                "ru": f"перед шагом градиент обрезается по норме, все веса и смещения как один вектор (как "
                      f"clip_grad_norm_ в PyTorch): clip(g) = g·min(1, c/‖∇L‖), c = {c}"})

    # -- declared mistakes, listed when first asked: each takes s (key -> symbol) and f (the right formula)
    #    last; a quantity declares them as (_Net.x_mistakes, self, leading arguments …)

    def linear_mistakes(self, layer: _Layer, deps: list[str], s, f) -> list[Mistake]:
        """z: the bias left out; W taken the other way round (square W only)."""
        lin = linear(self.row, self.batch)
        square = layer.W.shape[0] == layer.W.shape[1]
        where = ("column", "столбец") if self.row else ("row", "строку")

        out = []
        if len(deps) == 3:
            out.append(_v("no_bias", deps[:2], lin, f"You left out the bias: {f}.", f"Вы забыли смещение: {f}."))
        if square:
            w = s(deps[1])
            out.append(_v("transposed_W", deps, lambda a, W, *b: lin(a, W.T, *b),
                          f"You used {w} transposed: {f}; output unit j takes {where[0]} j of {w}.",
                          f"Вы взяли {w} транспонированной: {f}; выходной нейрон j использует "
                          f"{where[1]} j матрицы {w}."))
        return out

    def activation_mistakes(self, act: Activation, z: str, s, f) -> list[Mistake]:
        """a: the activation forgotten or applied wrongly."""
        return activation.forward(act, self.axis).slips_at({"z": z}, {"z": s(z), "f": f})

    def loss_mistakes(self, lk: str, y_hat: str, y: str, s, f) -> list[Mistake]:
        """L: sum for mean (or back), the ½ dropped or added, the log-loss's minus or base, the wrong class."""
        m, loss, scale, axis = self.obs.m, self.loss, self.scale, self.axis

        out = []
        here = {"out": lk}
        if self.batch and m > 1:
            out.append(loss_op.loss_reduction(m, self.mean).at(here, {"f": f}))
        if loss == "squared":
            out.append(loss_op.squared_half(self.half).at(here, {"f": f}))
        elif loss in ("log", "cross_entropy"):
            red = f"(1/{m})·" if self.mean else ""
            L, p, t = s(lk), s(y_hat), s(y)
            text = (f"{L} = −{red}Σ[{t}·ln {p} + (1 − {t})·ln(1 − {p})]" if loss == "log"
                    else f"{L} = −{red}Σ {t}·ln {p}")
            out += [sl.at(here, {"text": text}) for sl in loss_op.log_slips()]
            if loss == "cross_entropy":
                out.append(_v("largest_class", [y_hat],
                              lambda q: -scale * np.sum(np.log(np.max(q, axis=axis))),
                              f"You took the largest probability; the cross-entropy takes the true class's: "
                              f"{text}, only the entry where {t} = 1 counts.",
                              f"Вы взяли наибольшую вероятность, а перекрёстная энтропия берёт вероятность "
                              f"верного класса: {text}, важна только компонента, где {t} = 1."))
        return out

    def reduction_mistakes(self, key: str, origin: str, at_origin: bool, s, f: str) -> list[Mistake]:
        """A batch's 1/m forgotten, applied twice (mean), or put in although the losses are summed."""
        m = self.obs.m
        if not self.batch or m == 1:
            return []
        return [sl.at({"out": key}, {"f": f, "where": s(origin)})
                for sl in loss_op.gradient_reduction(m, self.mean, at_origin)]

    def output_grad_mistakes(self, g_out: str, s, f) -> list[Mistake]:
        """∂L/∂ŷ: the 2 of the square dropped (no ½) or kept (with ½); the batch's 1/m."""
        out = []
        if self.loss == "squared":
            out.append(loss_op.squared_two(self.half).at({"out": g_out}, {"f": f}))
        return out + self.reduction_mistakes(g_out, g_out, True, s, f)

    def fused_grad_mistakes(self, gz: str, temp: float, s, f) -> list[Mistake]:
        """∂L/∂z from the logits: the 1/T forgotten; the batch's 1/m."""
        out = []
        if temp != 1.0:
            out.append(_v("no_temperature", [gz], lambda v: v * temp,
                          f"You forgot to divide by T = {_num(temp)}: {f}.",
                          f"Вы забыли поделить на T = {_num(temp)}: {f}."))
        return out + self.reduction_mistakes(gz, gz, True, s, f)

    def act_grad_mistakes(self, act: Activation, gz: str, g_a: str, z: str, out: str, origin: str,
                          s, f) -> list[Mistake]:
        """∂L/∂z through the activation (its slips, declared by the operation), and the batch's 1/m."""
        keys = {"g": g_a, "z": z, "a": out, "out": gz}
        return (activation.backward(act).slips_at(keys, {k: s(v) for k, v in keys.items()} | {"f": f})
                + self.reduction_mistakes(gz, origin, False, s, f))

    def weight_grad_mistakes(self, layer: _Layer, gw: str, gz: str, prev: str, prev_z: str | None, out: str,
                             origin: str, s, f) -> list[Mistake]:
        """∂L/∂W: transposed; the layer's output or the previous pre-activation in place of its input; 1/m."""
        row = self.row
        n_out, n_in = (layer.W.shape[1], layer.W.shape[0]) if row else layer.W.shape
        w = base_symbol(f"W{layer.index}")
        per = ("input", "вход") if row else ("output unit", "выходной нейрон")

        vs = []
        if n_in == n_out:
            vs.append(_v("transposed", [gw], lambda v: v.T, f"That is the transpose: {f}, with one row per "
                                                            f"{per[0]} like {w}.",
                         f"Это транспонированная матрица: {f}, в ней по строке на каждый {per[1]}, как в {w}."))
            vs.append(_v("output_not_input", [out, gz], weight_grad(row),
                         f"You used the layer's output {s(out)}; the weight gradient takes the layer's input: {f}.",
                         f"Вы взяли выход слоя {s(out)}, а градиент по весам использует вход слоя: {f}."))
        if prev_z is not None:
            vs.append(_v("preactivation_input", [prev_z, gz], weight_grad(row),
                         f"You used the pre-activation {s(prev_z)}; the layer's input is the activation "
                         f"{s(prev)}: {f}.",
                         f"Вы взяли предактивацию {s(prev_z)}, а вход слоя — это активация {s(prev)}: {f}."))
        return vs + self.reduction_mistakes(gw, origin, False, s, f)

    def input_grad_mistakes(self, layer: _Layer, gz: str, w: str, a_prev: str, s, f) -> list[Mistake]:
        """∂L/∂a_{l−1}: W instead of Wᵀ (square W); one unit's contribution instead of the sum."""
        row, batch = self.row, self.batch
        n_out = layer.W.shape[1] if row else layer.W.shape[0]
        square = layer.W.shape[0] == layer.W.shape[1]

        vs = []
        sw = s(w)
        if square:
            vs.append(_v("W_not_transposed", [gz, w], (lambda g, W: g @ W) if row else (lambda g, W: W @ g),
                         f"You multiplied by {sw} instead of {sw}ᵀ: {f}.",
                         f"Вы умножили на {sw} вместо {sw}ᵀ: {f}."))
        for j in range(n_out if n_out > 1 else 0):
            vs.append(_v(f"one_unit_{j + 1}", [gz, w], one_unit(row, batch, j),
                         f"You kept only one unit's contribution: each entry of {s(a_prev)} feeds every unit "
                         f"of the next layer, so {f} sums over them.",
                         f"Вы учли вклад только одного нейрона: каждая компонента {s(a_prev)} влияет на все "
                         f"нейроны следующего слоя, и {f} суммирует по ним."))
        return vs

    def update_mistakes(self, cur: str, g: str, s, f) -> list[Mistake]:
        """W′: the step added, the learning rate left out, or the step alone."""
        lr = _num(self.lr)
        return [
            _v("step_added", [cur, g, "lr"], lambda w, gr, lr_: w + lr_ * gr,
               f"You added the step instead of subtracting it: {f}.",
               f"Вы прибавили шаг вместо того, чтобы вычесть его: {f}."),
            _v("no_learning_rate", [cur, g], lambda w, gr: w - gr,
               f"You left out the learning rate: {f} with γ = {lr}.",
               f"Вы забыли умножить на шаг обучения: {f}, где γ = {lr}."),
            _v("step_only", [g, "lr"], lambda gr, lr_: -lr_ * gr,
               f"That is only the step −γ·{s(g)}; the new value is {f}.",
               f"Это только шаг −γ·{s(g)}; новое значение: {f}."),
        ]
    def fused(self, y_hat: str, y: str) -> str:
        """The text of ∂L/∂z for a loss taken from the logits: s·(ŷ − y)/T."""
        t = self.layers[-1].act.temperature
        coef = (f"(1/{self.obs.m})·" if self.mean else "") + ("" if t == 1.0 else f"(1/{_num(t)})·")
        return f"{coef}({y_hat} − {y})" if coef else f"{y_hat} − {y}"

    def loss_fn(self, lk: str, y_hat: str, z: str, y: str):
        """(fn, deps, formula) of the loss ``lk``."""
        loss, scale = self.loss, self.scale
        red = f"(1/{self.obs.m})·" if self.mean else ""
        if loss == "squared":
            h = "½·" if self.half else ""
            return (lambda yh, t, half=self.half: squared_loss(yh, t, half, scale), [y_hat, y],
                    lambda s: f"{s(lk)} = {red}{h}Σ({s(y_hat)} − {s(y)})²")
        if self.loss_from == "output":
            fn, text = {
                "log": (log_loss, "−{red}Σ[{y}·ln {p} + (1 − {y})·ln(1 − {p})]"),
                "cross_entropy": (cross_entropy, "−{red}Σ {y}·ln {p}"),
                "poisson": (poisson_loss, "{red}Σ({p} − {y}·ln {p})"),
            }[loss]
            return (lambda p, t: fn(p, t, scale), [y_hat, y],
                    lambda s: f"{s(lk)} = " + text.format(red=red, y=s(y), p=s(y_hat)))
        if loss == "log":
            return (lambda v, t: log_loss_logits(v, t, scale), [z, y],
                    lambda s: f"{s(lk)} = {red}Σ[max({s(z)}, 0) − {s(y)}·{s(z)} + ln(1 + e^(−|{s(z)}|))]")
        if loss == "poisson":
            return (lambda v, t: poisson_loss_logits(v, t, scale), [z, y],
                    lambda s: f"{s(lk)} = {red}Σ(e^{s(z)} − {s(y)}·{s(z)})")
        temp, axis = self.layers[-1].act.temperature, self.axis
        u = "{z}" if temp == 1.0 else "{z}/" + _num(temp)
        return (lambda v, t: cross_entropy_logits(v, t, temp, axis, scale), [z, y],
                lambda s: f"{s(lk)} = " + f"{red}Σ[ln Σₖ e^({u}) − Σₖ {{y}}·{u}]".format(z=s(z), y=s(y)))

    def output_grad(self):
        """(fn of ŷ and y, formula of (∂L/∂ŷ, ŷ, y)) for a loss computed from the output."""
        c, loss = self.scale, self.loss
        red = f"(1/{self.obs.m})·" if self.mean else ""
        if loss == "squared":
            two = "" if self.half else "2·"
            if self.mean:
                two = f"(1/{self.obs.m})·" if self.half else f"(2/{self.obs.m})·"
            return (lambda yh, t, half=self.half: squared_loss_grad(yh, t, half, c),
                    lambda g, p, y: f"{g} = {two}({p} − {y})" if two else f"{g} = {p} − {y}")
        fn, text = {
            "log": (log_loss_grad, "{g} = {red}({p} − {y})/({p}·(1 − {p}))"),
            "cross_entropy": (cross_entropy_grad, "{g} = −{red}{y}/{p}"),
            "poisson": (poisson_loss_grad, "{g} = {red}(1 − {y}/{p})"),
        }[loss]
        return (lambda p, t: fn(p, t, c), lambda g, p, y: text.format(g=g, p=p, y=y, red=red))

    def conventions(self, data) -> None:
        b, obs, row = self.b, self.obs, self.row
        m = obs.m
        per = ""
        per_ru = ""
        if self.batch:
            per = f", averaged over the {m} observations" if self.mean else f", summed over the {m} observations"
            per_ru = f", среднее по {m} наблюдениям" if self.mean else f", сумма по {m} наблюдениям"
        if self.loss == "squared":
            c = "½·" if self.half else ""
            b.convention("loss", {
                "en": f"squared loss L = {c}Σ(ŷ − y)²" + (" (with ½)" if self.half else " (no ½)") + per,
                "ru": f"квадратичная функция потерь L = {c}Σ(ŷ − y)²" + (" (с ½)" if self.half else " (без ½)")
                      + per_ru,
            })
        else:
            en, ru = {
                "log": ("log-loss L = −Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], ŷ = σ(z)",
                        "логистическая функция потерь L = −Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], ŷ = σ(z)"),
                "cross_entropy": ("cross-entropy L = −Σ yₖ·ln ŷₖ, ŷ = softmax(z), the true class as a one-hot y",
                                  "перекрёстная энтропия L = −Σ yₖ·ln ŷₖ, ŷ = softmax(z), верный класс — "
                                  "вектор y из нулей и одной единицы"),
                "poisson": ("Poisson loss L = Σ(λ − y·ln λ) with the rate λ = ŷ = e^z (the constant ln y! "
                            "is left out)",
                            "пуассоновская функция потерь L = Σ(λ − y·ln λ), интенсивность λ = ŷ = e^z "
                            "(константа ln y! опущена)"),
            }[self.loss]
            b.convention("loss", {"en": en + per, "ru": ru + per_ru})
            if self.loss_from == "logits":
                b.convention("loss_from", {
                    "en": "the loss is computed from the logits z of the last layer in a numerically stable "
                          f"form, and ∂L/∂z = {self.fused('ŷ', 'y')} comes straight from it (there is no "
                          "separate ∂L/∂ŷ step)",
                    "ru": "потери считаются по логитам z последнего слоя в численно устойчивой форме, и "
                          f"∂L/∂z = {self.fused('ŷ', 'y')} получается сразу (отдельного шага ∂L/∂ŷ нет)",
                })
            else:
                b.convention("loss_from", {
                    "en": "the loss is computed from the output ŷ, then the gradient goes back through the "
                          "output activation: ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z",
                    "ru": "потери считаются по выходу ŷ, затем градиент проходит назад через активацию "
                          "выхода: ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z",
                })
        b.convention("layout", {
            "en": "row vectors: z = a·W" if row else "column vectors: z = W·a",
            "ru": "векторы-строки: z = a·W" if row else "векторы-столбцы: z = W·a",
        })
        if self.batch:
            b.convention("batch", {
                "en": ("the batch X has one row per observation: Z = X·W (+ b in every row)" if row
                       else "the batch X has one column per observation: Z = W·X (+ b in every column)"),
                "ru": ("в матрице X по строке на наблюдение: Z = X·W (+ b к каждой строке)" if row
                       else "в матрице X по столбцу на наблюдение: Z = W·X (+ b к каждому столбцу)"),
            })
        if self.opt is not None:
            self.optimizer_conventions()
        elif obs.mode == "sgd":
            seq = ", ".join(str(j + 1) for j in obs.order)
            b.convention("step", {
                "en": f"stochastic gradient descent, one observation per step, in the order {seq}; "
                      "each step: w′ = w − γ·∂L/∂w on that observation's loss",
                "ru": f"стохастический градиентный спуск, по одному наблюдению за шаг, в порядке {seq}; "
                      "каждый шаг: w′ = w − γ·∂L/∂w по потерям этого наблюдения",
            })
        elif self.multi:
            b.convention("step", {
                "en": f"gradient descent, {obs.n_steps} steps" + (" on the whole batch" if self.batch else "")
                      + ": w′ = w − γ·∂L/∂w",
                "ru": f"градиентный спуск, {obs.n_steps} шагов" + (" по всей выборке" if self.batch else "")
                      + ": w′ = w − γ·∂L/∂w",
            })
        else:
            b.convention("step", {"en": "gradient descent: w′ = w − γ·∂L/∂w",
                                  "ru": "градиентный спуск: w′ = w − γ·∂L/∂w"})
        if self.multi:
            b.convention("steps", {
                "en": "a superscript names the step: z₁⁽²⁾ is z₁ in step 2; W₁′⁽¹⁾ are the weights after "
                      "step 1, which step 2 starts from",
                "ru": "верхний индекс — номер шага: z₁⁽²⁾ — это z₁ на шаге 2; W₁′⁽¹⁾ — веса после шага 1, "
                      "с них начинается шаг 2",
            })
        init = data.get("init")
        has_b = any(layer.b is not None for layer in self.layers)
        if init == "zeros":
            b.convention("init", {"en": "the weights start at zero" + (" (and the biases)" if has_b else ""),
                                  "ru": "веса в начале равны нулю" + (" (и смещения)" if has_b else "")})
        elif init is not None:
            b.convention("init", {
                "en": f"weights not given are drawn from N(0, {_num(init['scale'])}²), layer by layer, with "
                      f"numpy.random.default_rng({init['seed']})" + ("; biases start at 0" if has_b else ""),
                "ru": f"веса, которые не заданы, взяты из N(0, {_num(init['scale'])}²), слой за слоем, "
                      f"генератором numpy.random.default_rng({init['seed']})"
                      + ("; смещения в начале равны 0" if has_b else ""),
            })
        if not has_b:
            b.convention("biases", {"en": "no biases", "ru": "без смещений"})
        kinks = [text for name, text in _KINKED.items() if any(layer.act.name == name for layer in self.layers)]
        if kinks:
            b.convention("kinks", {"en": "; ".join(en for en, _ in kinks), "ru": "; ".join(ru for _, ru in kinks)})
        temps = [layer for layer in self.layers if layer.act.name == "softmax" and layer.act.temperature != 1.0]
        for layer in temps:
            t = _num(layer.act.temperature)
            b.convention(f"temperature{layer.index}", {
                "en": f"layer {layer.index}: softmax with temperature T = {t}: a = softmax(z/T)",
                "ru": f"слой {layer.index}: softmax с температурой T = {t}: a = softmax(z/T)",
            })


def _apply(act: Activation, z: str) -> str:
    if act.name == "identity":  # ŷ = z₂, not id(z₂)
        return z
    if act.name == "softmax" and act.temperature != 1.0:
        return f"softmax({z}/{_num(act.temperature)})"
    return f"{act.symbol}({z})"


KIND = Kind(
    name="dense",
    summary="A dense feed-forward net: forward pass, loss, backward pass and gradient steps, for one "
            "observation, a mini-batch in matrix form, or SGD over several observations in a stated order; "
            "optionally with an optimizer (momentum, Nesterov, AdaGrad, RMSprop, Adam, γ/k decay, clipping), "
            "each weight matrix and bias vector carrying its own named state.",
    fields=(
        FieldDoc("layout", False, '"row" (z = a·W, W has one row per input; default) or "column" (z = W·a)'),
        FieldDoc("x", False, "one observation's input: a number or a list (give x and y, or X and Y)"),
        FieldDoc("y", False, "its target: a number or a list, one per output unit; for the cross-entropy "
                             "a class number 1 … K or a one-hot list"),
        FieldDoc("X", False, "several observations: a matrix with one row per observation in the row layout, "
                             "one column per observation in the column layout; a plain list means one input "
                             "per observation"),
        FieldDoc("Y", False, "their targets, shaped like the outputs (a plain list for one output unit); for the "
                             "cross-entropy also a list of class numbers 1 … K"),
        FieldDoc("order", False, "SGD over X: the observation (1-based) each step uses, e.g. [2, 1] takes the "
                                 "second observation first; one step per entry. Without it, X is one batch"),
        FieldDoc("iterations", False, "the number of gradient steps, each on the whole of x or X (default 1; "
                                      "not with order)"),
        FieldDoc("reduction", False, 'with a batch X (no order), required: "mean" or "sum" of the observations\' '
                                     "losses"),
        FieldDoc("loss", True, '"squared"; "log" (log-loss; output activation sigmoid); "cross_entropy" '
                               '(output activation softmax); "poisson" (L = λ − y·ln λ, output activation exp)'),
        FieldDoc("half", False, "required for the squared loss: true for L = ½Σ(ŷ − y)², false for L = Σ(ŷ − y)²"),
        FieldDoc("loss_from", False, '"output" (default): L from ŷ, then ∂L/∂ŷ and back through the output '
                                     'activation; "logits": L from the last z in a numerically stable form, '
                                     "∂L/∂z = ŷ − y directly (log, cross_entropy, poisson)"),
        FieldDoc("learning_rate", True, "γ in w′ = w − γ·∂L/∂w"),
        FieldDoc("init", False, 'weights for layers that give no W: "zeros", or {seed = 1, scale = 0.1} for '
                                "N(0, scale²) draws from numpy.random.default_rng(seed), layer by layer"),
        FieldDoc("biases", False, "true gives every layer biases (0 unless the layer gives b); false forbids b; "
                                  "default: only the layers that give b have biases"),
        FieldDoc("layers", True, "[[problem.layers]] tables in order, each with W (matrix; a list means one "
                                 "output unit) or units (with init), optional b, and activation: "
                                 + ", ".join(ACTIVATION_NAMES) + "; leaky_relu takes slope (default 0.01), "
                                 "softmax takes temperature T (softmax(z/T), default 1)"),
        FieldDoc("optimizer", False, "a [problem.optimizer] table: each step updates every weight matrix and bias "
                                     "vector by this method, each with its own state, instead of W′ = W − γ·∂L/∂W; "
                                     "the learning rate stays problem.learning_rate. Fields as in the optimize kind"),
        FieldDoc("optimizer.method", True, "one of: " + ", ".join(_OPT_METHODS)),
        *(FieldDoc(f"optimizer.{d.name}", d.required, d.doc) for d in HYPER_DOCS[:4]),
        FieldDoc("optimizer.form", False, 'momentum/nesterov, required there: "textbook" (h = αh + γg, W − h) or '
                                          '"pytorch" (b = αb + g, W − γb); adam: "pytorch" (default) or "fed_back" '
                                          "(m̂, v̂ carried to the next step)"),
        FieldDoc("optimizer.eps_placement", False, HYPER_DOCS[4].doc),
        FieldDoc("optimizer.bias_correction", False, "adam: false drops the bias correction (m̂ = m, v̂ = v)"),
        FieldDoc("optimizer.clip", False, "clip the gradient by norm first: every gradient times min(1, c/‖∇L‖), "
                                          "‖∇L‖ over all weights and biases as one vector (PyTorch's "
                                          "clip_grad_norm_)"),
    ),
    build=build,
    names=(
        NameDoc("x, y, lr", "givens: the input, the target (one-hot for the cross-entropy), the learning rate γ"),
        NameDoc("X, Y", "givens with several observations (batch or SGD)"),
        NameDoc("W{l}, b{l}", "givens: initial weights and biases of layer l (l = 1 … number of layers)"),
        NameDoc("z{l}", "pre-activation of layer l (one observation)"),
        NameDoc("a{l}", "activation of hidden layer l (the last layer's activation is y_hat)"),
        NameDoc("y_hat", "the net's output ŷ"),
        NameDoc("Z{l}, A{l}, Y_hat", "the same for a batch in matrix form (one row, or column, per observation)"),
        NameDoc("L", "the loss"),
        NameDoc("grad.y_hat, grad.Y_hat", "∂L/∂ŷ (not with loss_from = \"logits\")"),
        NameDoc("grad.z{l}, grad.a{l}", "∂L/∂z_l and ∂L/∂a_l (hidden layers); grad.Z{l}, grad.A{l} for a batch"),
        NameDoc("grad.W{l}, grad.b{l}", "∂L/∂W_l and ∂L/∂b_l (for a batch, ∂L/∂b_l sums over the observations)"),
        NameDoc("W{l}.next, b{l}.next", "the weights and biases after the gradient step"),
        NameDoc("{name}@{k}", "with several steps (order, or iterations > 1) every quantity of step k carries "
                              "@k, e.g. z1@2, grad.W1@2, W1.next@2, L@2, and its symbol the superscript (k): "
                              "z₁⁽²⁾; step k starts from W{l}.next@{k-1}; with one step the names stay plain"),
        NameDoc("x@{k}, y@{k}", "SGD: the observation step k uses"),
        NameDoc("alpha, beta1, beta2, eps, clip", "givens with an optimizer: the hyper-parameters its method uses, "
                                                  "the clip threshold c"),
        NameDoc("{s}.{p}", "with an optimizer: stage s of core.optim for parameter p (p = W{l} or b{l}), e.g. "
                           "h.W1, m_hat.b2, and h.W1@2 in step 2; its symbol h_W₁⁽²⁾. s is h (momentum/nesterov, "
                           "textbook form), buf and, for nesterov, dir (PyTorch form), G (adagrad), v (rmsprop, "
                           "adam), m, m_hat, v_hat (adam); the last stage is p.next"),
        NameDoc("{s}.{p}@0", "with an optimizer: the state s of parameter p at the start (zero), a given, "
                             "whatever the number of steps"),
        NameDoc("look.{p}", "nesterov, textbook form: the look-ahead weights W̃ = W − α·h of step k; that step's "
                            "forward and backward pass (z, a, L, grad.…) run at them"),
        NameDoc("eta", "gd_decay: the step size γ/k of step k (eta@k; one for all parameters)"),
        NameDoc("grad_norm, grad_clip.{p}", "with clip: ‖∇L‖ over all parameters, and p's clipped gradient "
                                            "∂L/∂p·min(1, c/‖∇L‖), which the optimizer uses"),
    ),
)
