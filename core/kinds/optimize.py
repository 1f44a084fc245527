"""Optimizer race: T steps of one method on a small model, every intermediate a quantity.

Models (w the parameters; x̃ᵢ = xᵢ, or (xᵢ, 1) with a bias so that w = (w, b);
R = Σ or mean over the observations a step uses):

- ``regression``: ŷᵢ = w·x̃ᵢ;  L = c·R (ŷᵢ − yᵢ)², c = ½ or 1;
  ∇L = 2c·R (ŷᵢ − yᵢ)·x̃ᵢ;  ∇²L = 2c·R x̃ᵢx̃ᵢᵀ;  least squares w* solves (Σx̃x̃ᵀ)w = Σx̃y.
- ``logistic``: zᵢ = w·x̃ᵢ, pᵢ = σ(zᵢ);  L = R −[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)];
  ∇L = R (pᵢ − yᵢ)·x̃ᵢ;  ∇²L = R pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ.
- ``quadratic``: L = ½wᵀAw − bᵀw (A symmetric positive definite);  ∇L = Aw − b;  ∇²L = A;
  w* = A⁻¹b.

Step t = 1..T uses batch B_t (all observations, or the stated order / batches, cycling),
takes g_t at w_{t−1} (at the look-ahead point for textbook Nesterov) and goes to w_t by
the stages of :mod:`nntutor.core.optim`. L_t = L(w_t) is the loss over all observations.
Parameters have shape () for one parameter, (n,) otherwise; per-batch values have shape
() for one observation, (|B_t|,) otherwise.

Declared mistakes (graph mistakes): each optimizer stage's own (see :mod:`nntutor.core.optim`);
for the loss, gradient and Hessian the other reduction (sum/mean) and the other ½ convention;
with sgd or minibatch batching the other order of the observations (ŷ, z, p, g at the same
point on the other batch; w_t as the whole run in the other order, computed at build time);
Nesterov's gradient at the other form's point; clipping each component instead of the norm.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .. import optim
from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import ru_plural, subscript
from ..ops import sigmoid
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown
from .hyper import FORM_NAMES, HYPER_DOCS, HYPER_FIELDS, HYPER_MEANINGS, HYPER_SYMBOLS, METHOD_NAMES, read_hyper

_MODELS = ("regression", "logistic", "quadratic")
_DATA_FIELDS = {"x", "y", "bias", "reduction", "half", "batching", "order", "batches", "A", "b"}
_MODEL_FIELDS = {
    "regression": {"x", "y", "bias", "reduction", "half", "batching", "order", "batches"},
    "logistic": {"x", "y", "bias", "reduction", "batching", "order", "batches"},
    "quadratic": {"A", "b"},
}
_TOP = ({"kind", "model", "w0", "method", "iterations", "clip", "lr_symbol"}
        | _DATA_FIELDS | set(HYPER_FIELDS))
_MAX_ITERATIONS = 100
_MAX_OBS = 100
_MAX_PARAMS = 10



def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)
    model = read_choice(data, "model", path, _MODELS)
    for key in data:
        if key in _DATA_FIELDS and key not in _MODEL_FIELDS[model]:
            raise DataError(f"{path}.{key}", f"is not used by the {model} model")
    method = read_choice(data, "method", path, optim.METHODS)
    hyper = read_hyper(data, path, method)
    iterations = _read_int(data, "iterations", path, 1, _MAX_ITERATIONS)
    lr_sym = {"eta": "η", "gamma": "γ"}[read_choice(data, "lr_symbol", path, ("eta", "gamma"), default="eta")]
    if "lr_symbol" in data and "lr" not in hyper:
        raise DataError(f"{path}.lr_symbol", f"is not used by method {method} (it has no learning rate)")
    clip = None
    if "clip" in data:
        if method in ("newton", "coordinate"):
            raise DataError(f"{path}.clip", f"gradient clipping is not offered with method {method}")
        clip = read_number(data, "clip", path, positive=True)

    m = _read_model(data, path, model)
    batches = _read_batches(data, path, model, m["n_obs"])
    if method == "coordinate":
        if model == "logistic":
            raise DataError(f"{path}.method", "coordinate descent minimises exactly along a coordinate, "
                                              "which needs a quadratic loss: use the regression or quadratic model")
        if len(batches) != 1:
            raise DataError(f"{path}.batching", "coordinate descent here uses all observations (batching = \"full\")")
    w0 = _read_w0(data, path, model, m)

    spec = _Spec(model, MappingProxyType(m), hyper, clip, lr_sym, batches, w0.shape)
    problem = _graph(spec, w0, iterations, _other_orders(spec, w0, iterations))
    _check_finite(problem)
    return problem


def _graph(spec: _Spec, w0: np.ndarray, iterations: int, others: tuple[_Other, ...] = ()) -> Problem:
    """The run as a quantity graph; ``others`` are the same run with the batches in another order."""
    b = ProblemBuilder("optimize")
    _givens(b, spec.model, spec.m, w0, spec.hyper, spec.clip, spec.lr_sym)
    _optimum(b, spec)
    every = spec.batch_text(spec.everyone())
    b.derived("L0", spec.loss, ["w0"], "L(w₀)",
              {"en": "the loss at the start w₀" + every["en"], "ru": "потери в начальной точке w₀" + every["ru"]},
              "loss", spec.loss_formula("w₀"), _scale_mistakes(spec, "L0", spec.everyone(), "loss"))
    for t in range(1, iterations + 1):
        _step(b, spec, t, others)
    _conventions(b, spec, iterations)
    return b.build()


# -- reading the data -------------------------------------------------------------------


def _read_int(data, key, path, lo, hi) -> int:
    field = f"{path}.{key}"
    if key not in data:
        raise DataError(field, "missing (a whole number is required)")
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise DataError(field, f"must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise DataError(field, f"must be between {lo} and {hi}, got {value}")
    return value


def _read_model(data, path, model) -> dict[str, Any]:
    if model == "quadratic":
        A = read_array(data, "A", path, ndim=(2,))
        n = A.shape[0]
        if A.shape != (n, n) or not 1 <= n <= _MAX_PARAMS:
            raise DataError(f"{path}.A", f"must be a square matrix with 1 to {_MAX_PARAMS} rows, got {A.shape[0]}×{A.shape[1]}")
        if not np.allclose(A, A.T, rtol=1e-12, atol=1e-12):
            raise DataError(f"{path}.A", "must be symmetric (A[i][j] = A[j][i])")
        if np.min(np.linalg.eigvalsh(A)) <= 0:
            raise DataError(f"{path}.A", "must be positive definite, or the quadratic has no minimum")
        bvec = read_array(data, "b", path, ndim=(0, 1)).reshape(-1)
        if bvec.size != n:
            raise DataError(f"{path}.b", f"has {bvec.size} values but A is {n}×{n}")
        return {"A": A, "b": bvec, "n_obs": 0, "p": n}
    x = read_array(data, "x", path, ndim=(0, 1)).reshape(-1)
    y = read_array(data, "y", path, ndim=(0, 1)).reshape(-1)
    if not 1 <= x.size <= _MAX_OBS:
        raise DataError(f"{path}.x", f"must have 1 to {_MAX_OBS} observations, got {x.size}")
    if y.size != x.size:
        raise DataError(f"{path}.y", f"has {y.size} values but x has {x.size}")
    if model == "logistic" and not np.all((y == 0) | (y == 1)):
        raise DataError(f"{path}.y", "labels of logistic regression must be 0 or 1")
    bias = read_bool(data, "bias", path, default=False)
    reduction = read_choice(data, "reduction", path, ("sum", "mean"))
    half = False
    if model == "regression":
        if "half" not in data:
            raise DataError(f"{path}.half", "missing: say whether the squared loss carries ½ (true or false)")
        half = read_bool(data, "half", path, default=False)
    X = np.stack([x, np.ones_like(x)], axis=1) if bias else x.reshape(-1, 1)
    return {"x": x, "y": y, "X": X, "bias": bias, "mean": reduction == "mean", "half": half,
            "n_obs": x.size, "p": X.shape[1]}


def _read_batches(data, path, model, n_obs) -> tuple[tuple[int, ...], ...]:
    """0-based observation indices of each step's batch, in order (steps cycle through them)."""
    if model == "quadratic":
        return ((),)
    batching = read_choice(data, "batching", path, ("full", "sgd", "minibatch"), default="full")
    for key, needed_by in (("order", "sgd"), ("batches", "minibatch")):
        if key in data and batching != needed_by:
            raise DataError(f"{path}.{key}", f'is only used with batching = "{needed_by}"')
        if key not in data and batching == needed_by:
            raise DataError(f"{path}.{key}", f'missing: batching = "{needed_by}" needs it')
    if batching == "full":
        return (tuple(range(n_obs)),)
    if batching == "sgd":
        order = _read_indices(data["order"], f"{path}.order", n_obs)
        if sorted(order) != list(range(n_obs)):
            raise DataError(f"{path}.order", f"must list every observation 1 … {n_obs} exactly once "
                                             f"(a permutation), got {[i + 1 for i in order]}")
        return tuple((i,) for i in order)
    raw = data["batches"]
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{path}.batches", "must be a list of batches, e.g. [[1, 3], [2]]")
    batches = [_read_indices(bt, f"{path}.batches[{k}]", n_obs) for k, bt in enumerate(raw, start=1)]
    for k, bt in enumerate(batches, start=1):
        if not bt:
            raise DataError(f"{path}.batches[{k}]", "is empty")
        if len(set(bt)) != len(bt):
            raise DataError(f"{path}.batches[{k}]", "lists an observation twice")
    flat = sorted(i for bt in batches for i in bt)
    if flat != list(range(n_obs)):
        raise DataError(f"{path}.batches", f"must split the observations 1 … {n_obs}: each in exactly one batch")
    return tuple(tuple(bt) for bt in batches)


def _read_indices(value, field, n_obs) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
        raise DataError(field, f"must be a list of observation numbers (1 … {n_obs})")
    bad = [i for i in value if not 1 <= i <= n_obs]
    if bad:
        raise DataError(field, f"observation numbers run from 1 to {n_obs}, got {bad[0]}")
    return [i - 1 for i in value]


def _read_w0(data, path, model, m) -> np.ndarray:
    p = m["p"]
    w0 = read_array(data, "w0", path, ndim=(0, 1))
    if w0.size != p:
        if model == "quadratic":
            raise DataError(f"{path}.w0", f"must have {p} numbers (one per row of A), got {w0.size}")
        if m["bias"]:
            raise DataError(f"{path}.w0", f"with bias = true the start is a pair (w, b), got {w0.size} numbers")
        raise DataError(f"{path}.w0", f"must be one number (the weight), got {w0.size}")
    return w0.reshape(()) if p == 1 else w0.reshape(p)


# -- the model --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """Everything the graph needs about one run: model maths, batches, hyper-parameters."""

    model: str
    m: Mapping[str, Any]            # the model's data, as read by _read_model
    hyper: Mapping[str, Any]        # resolved optim hyper-parameters, with "method"
    clip: float | None
    lr_sym: str                     # η or γ
    batches: tuple[tuple[int, ...], ...]  # 0-based observation indices per step, cycling
    shape: tuple[int, ...]          # the parameters' shape: () or (n,)

    # values
    def pshape(self, v) -> np.ndarray:
        return np.reshape(v, self.shape)

    def bshape(self, v, batch) -> np.ndarray:
        return np.reshape(v, () if len(batch) == 1 else (len(batch),))

    def lin(self, w, batch) -> np.ndarray:
        """w·x̃ᵢ for the observations of ``batch``."""
        return self.m["X"][list(batch)] @ np.reshape(w, -1)

    def _reduce(self, rows, batch) -> np.ndarray:
        total = np.sum(rows, axis=0)
        return total / len(batch) if self.m["mean"] else total

    def loss(self, w) -> np.ndarray:
        if self.model == "quadratic":
            w = np.reshape(w, -1)
            return np.asarray(0.5 * w @ self.m["A"] @ w - self.m["b"] @ w)
        everyone = self.everyone()
        z, y = self.lin(w, everyone), self.m["y"]
        if self.model == "regression":
            c = 0.5 if self.m["half"] else 1.0
            return np.asarray(c * self._reduce((z - y) ** 2, everyone))
        # −[y ln σ(z) + (1 − y) ln(1 − σ(z))] = softplus(z) − y·z, without overflow
        with np.errstate(invalid="ignore"):  # nan in (an overridden) w gives nan quietly
            return np.asarray(self._reduce(np.logaddexp(0.0, z) - y * z, everyone))

    def grad_from_out(self, out, batch) -> np.ndarray:
        """∇L over ``batch`` from ŷ (regression) or p (logistic)."""
        X, y = self.m["X"][list(batch)], self.m["y"][list(batch)]
        r = np.reshape(out, -1) - y
        if self.model == "regression":
            r = r * (1.0 if self.m["half"] else 2.0)
        return self.pshape(self._reduce(r[:, None] * X, batch))

    def grad_at(self, w, batch) -> np.ndarray:
        """∇L over ``batch`` at the point ``w`` (for mistakes that take the gradient elsewhere)."""
        if self.model == "quadratic":
            return self.pshape(self.m["A"] @ np.reshape(w, -1) - self.m["b"])
        z = self.lin(w, batch)
        return self.grad_from_out(z if self.model == "regression" else sigmoid(z), batch)

    def order_text(self, batches) -> str:
        """``2, 1`` (one observation per step) or ``(1, 3), (2)`` (batches)."""
        if all(len(bt) == 1 for bt in batches):
            return ", ".join(str(bt[0] + 1) for bt in batches)
        return ", ".join("(" + ", ".join(str(i + 1) for i in bt) + ")" for bt in batches)

    def hess(self, p_out, batch) -> np.ndarray:
        X = self.m["X"][list(batch)]
        if self.model == "regression":
            weight = np.full(len(batch), 1.0 if self.m["half"] else 2.0)
        else:
            pr = np.reshape(p_out, -1)
            weight = pr * (1.0 - pr)
        H = self._reduce(weight[:, None, None] * X[:, :, None] * X[:, None, :], batch)
        return H.reshape(()) if self.m["p"] == 1 else H

    # text
    def batch_text(self, batch) -> dict[str, str]:
        """`` (observations 1, 3)`` for a meaning; empty for the quadratic (no data)."""
        if self.model == "quadratic":
            return {"en": "", "ru": ""}
        if len(batch) == self.m["n_obs"]:
            return {"en": " (all observations)", "ru": " (все наблюдения)"}
        nums = ", ".join(str(i + 1) for i in batch)
        if len(batch) == 1:
            return {"en": f" (observation {nums})", "ru": f" (наблюдение {nums})"}
        return {"en": f" (observations {nums})", "ru": f" (наблюдения {nums})"}

    def agg(self, term: str, batch) -> str:
        """``term`` (written with index ᵢ) summed or averaged over ``batch``, as text."""
        if len(batch) == 1:  # one observation: write its number instead of i
            return term.replace("ᵢ", subscript(str(batch[0] + 1)))
        # "mean", not "(1/n)·": a 1/2 would read like the ½ of the squared loss
        op = "mean" if self.m["mean"] else "Σ"
        if len(batch) == self.m["n_obs"]:
            return f"{op}ᵢ {term}"
        return op + "_{i∈{" + ", ".join(str(i + 1) for i in batch) + "}} " + term

    def xt(self) -> str:
        return "(xᵢ, 1)" if self.m["bias"] else "xᵢ"

    def everyone(self) -> tuple[int, ...]:
        return tuple(range(self.m["n_obs"]))

    def loss_formula(self, w: str) -> str:
        if self.model == "quadratic":
            return f"L({w}) = ½·{w}ᵀA{w} − bᵀ{w}"
        lin = f"{w}·(xᵢ, 1)" if self.m["bias"] else f"{w}·xᵢ"
        if self.model == "regression":
            c = "½·" if self.m["half"] else ""
            return f"L({w}) = {c}" + self.agg(f"({lin} − yᵢ)²", self.everyone())
        return f"L({w}) = " + self.agg(f"−[yᵢ·ln σ({lin}) + (1 − yᵢ)·ln(1 − σ({lin}))]", self.everyone())

    def grad_formula(self, g: str, out: str, batch) -> str:
        if self.model == "quadratic":
            return f"{g} = A·{out} − b"
        c = "" if self.model == "logistic" or self.m["half"] else "2·"
        return f"{g} = {c}" + self.agg(f"({out}ᵢ − yᵢ)·{self.xt()}", batch)

    def hess_formula(self, H: str, out: str, batch) -> str:
        if self.model == "quadratic":
            return f"{H} = A"
        xx = "(xᵢ, 1)(xᵢ, 1)ᵀ" if self.m["bias"] else "xᵢ²"
        if self.model == "regression":
            c = "" if self.m["half"] else "2·"
            return f"{H} = {c}" + self.agg(xx, batch)
        return f"{H} = " + self.agg(f"{out}ᵢ(1 − {out}ᵢ)·{xx}", batch)

    def each(self, formula: str, batch) -> str:
        """A per-observation formula for the batch: concrete for one observation."""
        if len(batch) == 1:
            return formula.replace("ᵢ", subscript(str(batch[0] + 1)))
        if len(batch) == self.m["n_obs"]:
            return formula
        return formula + ", i ∈ {" + ", ".join(str(i + 1) for i in batch) + "}"


# -- common mistakes the model's quantities share ---------------------------------------


class _Other:
    """The same run with the batches in another order: its batches, and its iterates w₁ … w_T worked
    out the first time a diagnosis asks for one (a second run is not worth it for a lesson that may
    never need it)."""

    def __init__(self, spec: _Spec, w0: np.ndarray, iterations: int) -> None:
        self.batches = spec.batches
        self._run = spec, w0, iterations

    @cached_property
    def trajectory(self) -> tuple[np.ndarray, ...]:
        spec, w0, iterations = self._run
        with np.errstate(all="ignore"):  # a diverging other order only gives non-finite mistakes, never used
            values = _graph(spec, w0, iterations).evaluate()
        return tuple(np.asarray(values[f"w{t}"]) for t in range(1, iterations + 1))

    def w(self, t: int) -> np.ndarray:
        """w_t of this order."""
        return self.trajectory[t - 1]


def _other_orders(spec: _Spec, w0: np.ndarray, iterations: int) -> tuple[_Other, ...]:
    """The run with the observations reversed and in their natural order (when either differs)."""
    if len(spec.batches) < 2:
        return ()
    candidates = [tuple(reversed(spec.batches))]
    if all(len(bt) == 1 for bt in spec.batches):
        candidates.append(tuple(sorted(spec.batches)))
    out: list[_Other] = []
    seen = {spec.batches}
    for alt in candidates:
        if alt in seen:
            continue
        seen.add(alt)
        out.append(_Other(replace(spec, batches=alt), w0, iterations))
    return tuple(out)


def _order_message(spec: _Spec, other: _Other) -> dict[str, str]:
    alt, given = spec.order_text(other.batches), spec.order_text(spec.batches)
    if all(len(bt) == 1 for bt in spec.batches):
        return {"en": f"You took the observations in the order {alt}; this lesson's steps take them in the "
                      f"order {given}.",
                "ru": f"Вы брали наблюдения в порядке {alt}, а в этом уроке шаги берут их в порядке {given}."}
    return {"en": f"You took the batches in the order {alt}; this lesson's steps take them in the order {given}.",
            "ru": f"Вы брали батчи в порядке {alt}, а в этом уроке шаги берут их в порядке {given}."}


def _batch_message(spec: _Spec, t: int, used, batch) -> dict[str, str]:
    """This step's value on another observation (or batch) than the one step t uses."""
    given = spec.order_text(spec.batches)
    if len(used) == 1 and len(batch) == 1:
        j, i = used[0] + 1, batch[0] + 1
        return {"en": f"That is the value on observation {j}; step {t} uses observation {i} (the steps take them in "
                      f"the order {given}).",
                "ru": f"Это значение на наблюдении {j}, а шаг {t} использует наблюдение {i} (шаги берут их в порядке "
                      f"{given})."}
    u, b = spec.order_text([used]), spec.order_text([batch])
    return {"en": f"That is the value on the batch {u}; step {t} uses the batch {b} (the steps take them in the "
                  f"order {given}).",
            "ru": f"Это значение на батче {u}, а шаг {t} использует батч {b} (шаги берут их в порядке {given})."}


def _scale_mistakes(spec: _Spec, key: str, batch, what: str) -> list[Mistake]:
    """The loss, gradient or Hessian under the other conventions: sum vs mean over the
    observations, squared loss with or without ½ (each scales the right value)."""
    if spec.model == "quadratic":
        return []
    n, mean = len(batch), spec.m["mean"]
    of = {"gradient": ("the gradient of ", "градиент "), "hessian": ("the Hessian of ", "гессиан ")}.get(what)
    out = []
    if n > 1:
        if what == "loss":
            msg = ({"en": f"That is the loss summed over the observations; this lesson's loss is their mean, "
                          f"so divide by {n}.",
                    "ru": f"Это сумма потерь по наблюдениям; в этом уроке функция потерь — их среднее, "
                          f"поэтому разделите на {n}."}
                   if mean else
                   {"en": "That is the mean loss over the observations; this lesson's loss is their sum.",
                    "ru": "Это среднее значение потерь по наблюдениям; в этом уроке функция потерь — их сумма."})
        else:
            msg = ({"en": f"That is {of[0]}the summed loss; this lesson's loss is the mean over the observations, "
                          f"so divide by {n}.",
                    "ru": f"Это {of[1]}суммы потерь; в этом уроке функция потерь — среднее по наблюдениям, "
                          f"поэтому разделите на {n}."}
                   if mean else
                   {"en": f"That is {of[0]}the mean loss; this lesson's loss is the sum over the observations, "
                          f"so do not divide by {n}.",
                    "ru": f"Это {of[1]}среднего значения потерь; в этом уроке функция потерь — сумма по наблюдениям, "
                          f"поэтому делить на {n} не нужно."})
        out.append(Mistake("reduction", (key,), lambda v, k=(n if mean else 1.0 / n): v * k, msg, convention=True))
    if spec.model == "regression":
        half = spec.m["half"]
        if what == "loss":
            msg = ({"en": "That is the squared loss without ½; this lesson's loss carries ½.",
                    "ru": "Это квадратичные потери без ½; в этом уроке функция потерь содержит ½."}
                   if half else
                   {"en": "That is the squared loss with ½; this lesson's loss has no ½.",
                    "ru": "Это квадратичные потери с ½; в этом уроке функция потерь без ½."})
        else:
            msg = ({"en": f"That is {of[0]}the squared loss without ½; this lesson's loss carries ½, "
                          "which cancels the 2 from the square.",
                    "ru": f"Это {of[1]}квадратичных потерь без ½; в этом уроке функция потерь содержит ½, "
                          "и она сокращает двойку из квадрата."}
                   if half else
                   {"en": f"That is {of[0]}the squared loss with ½; this lesson's loss has no ½, "
                          "so the 2 from the square stays.",
                    "ru": f"Это {of[1]}квадратичных потерь с ½; в этом уроке функция потерь без ½, "
                          "поэтому двойка из квадрата остаётся."})
        out.append(Mistake("half", (key,), lambda v, k=(2.0 if half else 0.5): v * k, msg, convention=True))
    return out


def _stage_mistakes(st, t: int, keys: Mapping[str, str], syms: Mapping[str, str]) -> list[Mistake]:
    """A stage's declared mistakes as graph mistakes: deps mapped to this step's keys, messages filled in."""
    out = []
    for sv in st.mistakes:
        deps = tuple(f"{d[:-len('_last')]}{t - 1}" if d.endswith("_last") else keys[d] for d in sv.deps)
        message = {lang: text.format_map(syms) for lang, text in sv.message.items()}
        out.append(Mistake(sv.name, deps, sv.fn, message, sv.convention))
    return out


# -- the graph --------------------------------------------------------------------------


def _givens(b, model, m, w0, hyper, clip, lr_sym) -> None:
    if model == "quadratic":
        b.given("A", m["A"], "A", {"en": "the matrix A of the quadratic ½wᵀAw − bᵀw",
                                   "ru": "матрица A квадратичной функции ½wᵀAw − bᵀw"})
        b.given("b", m["b"], "b", {"en": "the vector b of the quadratic ½wᵀAw − bᵀw",
                                   "ru": "вектор b квадратичной функции ½wᵀAw − bᵀw"})
    else:
        b.given("x", m["x"], "x", {"en": "the inputs xᵢ", "ru": "входы xᵢ"})
        b.given("y", m["y"], "y", {"en": "the targets yᵢ" if model == "regression" else "the labels yᵢ (0 or 1)",
                                   "ru": "целевые значения yᵢ" if model == "regression" else "метки классов yᵢ (0 или 1)"})
    what = _param_words(model, m)
    b.given("w0", w0, "w₀", {"en": f"the starting point ({what['en']})", "ru": f"начальная точка ({what['ru']})"})
    if "lr" in hyper:
        b.given("lr", hyper["lr"], lr_sym, {"en": "the learning rate", "ru": "шаг обучения (learning rate)"})
    for name in ("alpha", "beta1", "beta2", "eps"):
        if name in hyper:
            meaning = HYPER_MEANINGS[name]
            if name == "alpha":
                meaning = meaning[1] if hyper["method"] == "rmsprop" else meaning[0]
            b.given(name, hyper[name], HYPER_SYMBOLS[name], meaning)
    if clip is not None:
        b.given("clip", clip, "c", {"en": "the clipping threshold c for the gradient norm",
                                    "ru": "порог c для нормы градиента при обрезке"})
    first = optim.plan(hyper, 1, m["p"])
    stage_of = {st.key: st for st in first.stages}
    for name in first.carry:
        st = stage_of[name]
        b.given(f"{name}0", np.zeros(w0.shape), st.symbol + "₀",
                {"en": f"{st.meaning['en']}, at the start (zero)", "ru": f"{st.meaning['ru']}, в начале (ноль)"})


def _param_words(model, m) -> dict[str, str]:
    if model == "quadratic":
        return {"en": "the vector w", "ru": "вектор w"}
    if m["bias"]:
        return {"en": "the pair (weight w, bias b)", "ru": "пара (вес w, смещение b)"}
    return {"en": "the weight w", "ru": "вес w"}


def _optimum(b, spec: _Spec) -> None:
    if spec.model == "quadratic":
        w_star = np.linalg.solve(spec.m["A"], spec.m["b"])
        formula = "w* = A⁻¹·b"
    elif spec.model == "regression":
        X, y = spec.m["X"], spec.m["y"]
        XtX = X.T @ X
        if np.linalg.matrix_rank(XtX) < XtX.shape[0]:
            return  # the least-squares solution is not unique: no w*
        w_star = np.linalg.solve(XtX, X.T @ y)
        formula = "w* = Σxᵢyᵢ / Σxᵢ²" if not spec.m["bias"] else "w* = (Σx̃ᵢx̃ᵢᵀ)⁻¹·Σx̃ᵢyᵢ, x̃ᵢ = (xᵢ, 1)"
    else:
        return  # logistic regression has no closed form (and no minimiser on separable data)
    w_star = spec.pshape(w_star)
    b.derived("w_star", lambda: w_star, [], "w*",
              {"en": "the minimiser w* of the loss", "ru": "точка минимума w* функции потерь"}, "value", formula)
    b.derived("L_star", spec.loss, ["w_star"], "L(w*)",
              {"en": "the smallest possible loss L(w*)", "ru": "наименьшее возможное значение потерь L(w*)"},
              "value", spec.loss_formula("w*"))


def _sym(base: str, t: int) -> str:
    """``w``, 1 → ``w₁``."""
    return base + subscript(str(t))


def _step(b, spec: _Spec, t: int, others: tuple[_Other, ...] = ()) -> None:
    pl = optim.plan(spec.hyper, t, spec.m["p"])
    batch = spec.batches[(t - 1) % len(spec.batches)]
    on, every = spec.batch_text(batch), spec.batch_text(spec.everyone())
    keys: dict[str, str] = {"w_prev": f"w{t - 1}"}
    syms: dict[str, str] = {"w_prev": _sym("w", t - 1), "lr": spec.lr_sym, "t": str(t)}
    for name, carried in pl.carry.items():
        # Adam's fed_back form carries m̂, v̂: the previous state is then m̂ₜ₋₁, v̂ₜ₋₁
        keys[f"{name}_prev"] = f"{name}0" if t == 1 else f"{carried}{t - 1}"
        syms[f"{name}_prev"] = _sym(_stage(pl, name if t == 1 else carried).symbol, t - 1)

    def add_stage(st, extra=()) -> None:
        keys[st.key] = f"{st.key}{t}"
        syms[st.key] = _sym(st.symbol.format(lr=spec.lr_sym), t)
        now_keys, now_syms = dict(keys), dict(syms)  # as they are now: later stages extend them
        b.derived(keys[st.key], st.fn, [keys[d] for d in st.deps], syms[st.key],
                  _step_meaning(st.meaning, t),
                  "update", st.formula.format_map(syms),
                  lambda: [*_stage_mistakes(st, t, now_keys, now_syms), *extra])  # worded when first asked

    for st in pl.lookahead:
        add_stage(st)
    point = keys[pl.lookahead[-1].key] if pl.lookahead else keys["w_prev"]
    pt = syms[pl.lookahead[-1].key] if pl.lookahead else syms["w_prev"]
    at_other = _other_points(spec, t, keys, syms)
    used = [o.batches[(t - 1) % len(o.batches)] for o in others]  # what step t takes in each other order
    batch_msgs = [(bt, _batch_message(spec, t, bt, batch)) for bt in used if bt != batch]

    def moved(key: str, fn_at, same_size: bool = True) -> list[Mistake]:
        """``key`` computed at another point (Nesterov's other form) or on another batch (order)."""
        out = [Mistake(name, deps, lambda *d, f=f: fn_at(f(*d), batch), msg, conv)
               for name, deps, f, msg, conv in at_other]
        out += [Mistake("order", (point,), lambda w, B=bt: fn_at(w, B), msg)
                for bt, msg in batch_msgs if not same_size or len(bt) == len(batch)]
        return out

    # forward on the batch, then the gradient from it (so an accepted rounded ŷ or p carries on)
    if spec.model == "quadratic":
        out, out_sym = point, pt

        def gfn(w):
            return spec.pshape(spec.m["A"] @ np.reshape(w, -1) - spec.m["b"])
    elif spec.model == "regression":
        out, out_sym = f"y_hat{t}", "ŷ"
        b.derived(out, lambda w, B=batch: spec.bshape(spec.lin(w, B), B), [point], f"ŷ({pt})",
                  {"en": f"the predictions ŷᵢ = w·xᵢ at {pt}, step {t}{on['en']}",
                   "ru": f"прогнозы ŷᵢ = w·xᵢ в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", spec.each(f"ŷᵢ = {pt}·{spec.xt()}", batch),
                  moved(out, lambda w, B: spec.bshape(spec.lin(w, B), B)))
        gfn = lambda yh, B=batch: spec.grad_from_out(yh, B)
    else:
        b.derived(f"z{t}", lambda w, B=batch: spec.bshape(spec.lin(w, B), B), [point], f"z({pt})",
                  {"en": f"the logits zᵢ = w·xᵢ at {pt}, step {t}{on['en']}",
                   "ru": f"логиты zᵢ = w·xᵢ в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", spec.each(f"zᵢ = {pt}·{spec.xt()}", batch),
                  moved(f"z{t}", lambda w, B: spec.bshape(spec.lin(w, B), B)))
        b.derived(f"p{t}", sigmoid, [f"z{t}"], f"p({pt})",
                  {"en": f"the probabilities pᵢ = σ(zᵢ) at {pt}, step {t}{on['en']}",
                   "ru": f"вероятности pᵢ = σ(zᵢ) в точке {pt}, шаг {t}{on['ru']}"},
                  "forward", spec.each("pᵢ = σ(zᵢ) = 1/(1 + e^(−zᵢ))", batch),
                  moved(f"p{t}", lambda w, B: spec.bshape(sigmoid(spec.lin(w, B)), B)))
        out, out_sym = f"p{t}", "p"
        gfn = lambda pr, B=batch: spec.grad_from_out(pr, B)

    g_sym = _sym("g", t)
    b.derived(f"grad{t}", gfn, [out], g_sym,
              {"en": f"the gradient g{subscript(str(t))} = ∇L at {pt}, used at step {t}{on['en']}",
               "ru": f"градиент g{subscript(str(t))} = ∇L в точке {pt}, используется на шаге {t}{on['ru']}"},
              "backward", spec.grad_formula(g_sym, out_sym, batch),
              [*_scale_mistakes(spec, f"grad{t}", batch, "gradient"), *moved(f"grad{t}", spec.grad_at, False)])
    keys["g"], syms["g"] = f"grad{t}", g_sym
    if pl.needs_hessian:
        H_sym = _sym("H", t)
        hfn = ((lambda: spec.m["A"].reshape(spec.shape * 2)) if spec.model == "quadratic"
               else (lambda: spec.hess(None, batch)) if spec.model == "regression"
               else (lambda pr, B=batch: spec.hess(pr, B)))
        b.derived(f"hess{t}", hfn, [] if spec.model != "logistic" else [out], H_sym,
                  {"en": f"the Hessian (second derivative) of the loss at {pt}, step {t}{on['en']}",
                   "ru": f"гессиан (вторая производная) функции потерь в точке {pt}, шаг {t}{on['ru']}"},
                  "backward", spec.hess_formula(H_sym, out_sym, batch),
                  _scale_mistakes(spec, f"hess{t}", batch, "hessian"))
        keys["H"], syms["H"] = f"hess{t}", H_sym
    if spec.clip is not None:
        c = spec.clip
        b.derived(f"grad_norm{t}", lambda g: np.sqrt(np.sum(np.square(g))), [f"grad{t}"], f"‖{g_sym}‖",
                  {"en": f"the norm of the gradient at step {t}", "ru": f"норма градиента на шаге {t}"},
                  "backward", f"‖{g_sym}‖ = √(Σ {g_sym}ⱼ²)")
        b.derived(f"grad_clip{t}", lambda g, n: g * min(1.0, c / float(n)) if n > 0 else g * 1.0,
                  [f"grad{t}", f"grad_norm{t}"], f"clip({g_sym})",
                  {"en": f"the gradient after clipping by norm, step {t}", "ru": f"градиент после обрезки по норме, шаг {t}"},
                  "backward", f"clip({g_sym}) = {g_sym}·min(1, c/‖{g_sym}‖)",
                  [Mistake("clip_components", (f"grad{t}",), lambda g: np.clip(g, -c, c), {
                      "en": f"You clipped each component to ±c; clipping by norm scales the whole gradient: "
                            f"clip({g_sym}) = {g_sym}·min(1, c/‖{g_sym}‖).",
                      "ru": f"Вы обрезали каждую компоненту до ±c, а обрезка по норме масштабирует весь градиент: "
                            f"clip({g_sym}) = {g_sym}·min(1, c/‖{g_sym}‖)."})])
        keys["g"], syms["g"] = f"grad_clip{t}", f"clip({g_sym})"
    for st in pl.stages:
        order = [Mistake("order", (), lambda o=o, t=t: o.w(t), _order_message(spec, o))
                 for o in others] if st.key == "w" else []
        add_stage(st, order)
    b.derived(f"L{t}", spec.loss, [f"w{t}"], f"L({_sym('w', t)})",
              {"en": f"the loss after step {t}, at w{subscript(str(t))}" + every["en"],
               "ru": f"потери после шага {t}, в точке w{subscript(str(t))}" + every["ru"]},
              "loss", spec.loss_formula(_sym("w", t)), _scale_mistakes(spec, f"L{t}", spec.everyone(), "loss"))


def _other_points(spec: _Spec, t: int, keys: Mapping[str, str], syms: Mapping[str, str]) -> list:
    """Where the other form of Nesterov takes g_t: (name, deps, point(*deps), message, convention)."""
    hyper = spec.hyper
    if hyper["method"] != "nesterov":
        return []
    a = hyper["alpha"]
    if hyper["form"] == "textbook":
        return [("nesterov_form", (keys["w_prev"],), lambda w: w, {
            "en": "You took the gradient at {w_prev}, as PyTorch's Nesterov form does; the textbook form used here "
                  "takes it at the look-ahead point {look} = {w_prev} − α·{h_prev}.".format_map(syms),
            "ru": "Вы взяли градиент в точке {w_prev}, как в форме Нестерова из PyTorch; в учебной форме этого урока "
                  "он берётся в точке {look} = {w_prev} − α·{h_prev}.".format_map(syms)}, True)]
    if t < 2:
        return []  # b₀ = 0: the look-ahead point is w₀ itself
    lr = hyper["lr"]
    return [("nesterov_form", (keys["w_prev"], keys["buf_prev"]), lambda w, bp: w - a * lr * bp, {
        "en": "You took the gradient at the look-ahead point {w_prev} − α·{lr}·{buf_prev}, as the textbook form "
              "does; PyTorch's Nesterov form used here takes it at {w_prev}.".format_map(syms),
        "ru": "Вы взяли градиент в точке {w_prev} − α·{lr}·{buf_prev}, как в учебной форме; в форме Нестерова "
              "из PyTorch, принятой здесь, он берётся в точке {w_prev}.".format_map(syms)}, True)]


def _step_meaning(meaning, t: int) -> dict[str, str]:
    """A stage's meaning for step t: its ``{t}`` filled in, or the step appended."""
    tail = {"en": f" (step {t})", "ru": f" (шаг {t})"}
    return {lang: text.format(t=t) if "{t}" in text else text + tail[lang] for lang, text in meaning.items()}


def _stage(pl, key):
    for st in pl.lookahead + pl.stages:
        if st.key == key:
            return st
    raise KeyError(key)


def _conventions(b, spec: _Spec, iterations: int) -> None:
    m, hyper = spec.m, spec.hyper
    if spec.model == "regression":
        c = "½·" if m["half"] else ""
        red = {"en": "mean over" if m["mean"] else "sum over", "ru": "среднее по" if m["mean"] else "сумма по"}
        lin = "w·xᵢ + b" if m["bias"] else "w·xᵢ"
        total = spec.agg("(ŷᵢ − yᵢ)²", spec.everyone())
        b.convention("loss", {
            "en": f"model ŷᵢ = {lin}; squared loss L = {c}{total} "
                  f"({'with' if m['half'] else 'no'} ½, {red['en']} the observations)",
            "ru": f"модель ŷᵢ = {lin}; квадратичные потери L = {c}{total} "
                  f"({'с' if m['half'] else 'без'} ½, {red['ru']} наблюдениям)"})
    elif spec.model == "logistic":
        lin = "w·xᵢ + b" if m["bias"] else "w·xᵢ"
        total = spec.agg("−[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]", spec.everyone())
        b.convention("loss", {
            "en": f"model pᵢ = σ({lin}); log-loss L = {total} "
                  f"({'mean' if m['mean'] else 'sum'} over the observations)",
            "ru": f"модель pᵢ = σ({lin}); логистические потери L = {total} "
                  f"({'среднее' if m['mean'] else 'сумма'} по наблюдениям)"})
    else:
        b.convention("loss", {"en": "L(w) = ½·wᵀAw − bᵀw", "ru": "L(w) = ½·wᵀAw − bᵀw"})
    if m.get("bias"):
        b.convention("parameters", {"en": "the parameters are the pair w = (weight, bias)",
                                    "ru": "параметры — пара w = (вес, смещение)"})
    if spec.model != "quadratic":
        if len(spec.batches) == 1:
            b.convention("batching", {"en": "full batch: every step uses all observations",
                                      "ru": "полный батч: каждый шаг использует все наблюдения"})
        else:
            seq = "; ".join("(" + ", ".join(str(i + 1) for i in bt) + ")" for bt in spec.batches)
            b.convention("batching", {
                "en": f"step t uses the batches in this order, then starts again: {seq}; "
                      f"the gradient is the {'mean' if m['mean'] else 'sum'} over the batch",
                "ru": f"шаг t берёт батчи по порядку, затем по кругу: {seq}; "
                      f"градиент — {'среднее' if m['mean'] else 'сумма'} по батчу"})
    # the method's formulas in general form (t a letter)
    pl = optim.plan(hyper, 1, None if hyper["method"] == "coordinate" and spec.m["p"] > 1 else spec.m["p"])
    syms = {"w_prev": "wₜ₋₁", "lr": spec.lr_sym, "t": "t", "g": "gₜ", "H": "Hₜ"}
    for name, carried in pl.carry.items():
        syms[f"{name}_prev"] = _stage(pl, carried).symbol + "ₜ₋₁"
    for st in pl.lookahead + pl.stages:
        syms[st.key] = st.symbol.format(lr=spec.lr_sym) + "ₜ"
    lines = [st.formula.format_map(syms) for st in pl.lookahead + pl.stages]
    lines_ru = list(lines)
    if pl.lookahead:
        at = syms[pl.lookahead[-1].key]
        lines.insert(len(pl.lookahead), f"gₜ is the gradient at {at}")
        lines_ru.insert(len(pl.lookahead), f"gₜ — градиент в точке {at}")
    values = ", ".join(f"{HYPER_SYMBOLS.get(k, spec.lr_sym if k == 'lr' else k)} = {v:g}"
                       for k, v in hyper.items() if isinstance(v, float) and not isinstance(v, bool))
    start = ", ".join(f"{_stage(pl, n).symbol}₀ = 0" for n in pl.carry)
    name_en, name_ru = METHOD_NAMES[hyper["method"]]
    form = hyper.get("form")
    form_text = {"en": f" ({FORM_NAMES[form][0]} form)" if form else "",
                 "ru": f" ({FORM_NAMES[form][1]})" if form else ""}
    tail = "; ".join(x for x in (values, start) if x)
    b.convention("method", {
        "en": f"{name_en}{form_text['en']}: " + "; ".join(lines) + (f" ({tail})" if tail else ""),
        "ru": f"{name_ru}{form_text['ru']}: " + "; ".join(lines_ru) + (f" ({tail})" if tail else "")})
    if spec.clip is not None:
        b.convention("clip", {"en": f"the gradient is clipped by norm first: clip(g) = g·min(1, c/‖g‖), c = {spec.clip:g}",
                              "ru": f"сначала градиент обрезается по норме: clip(g) = g·min(1, c/‖g‖), c = {spec.clip:g}"})
    en_steps = f"{iterations} step" + ("" if iterations == 1 else "s")
    ahead = bool(pl.lookahead)  # textbook Nesterov
    at_en = "the look-ahead point w̃ₜ" if ahead else "wₜ₋₁"
    at_ru = "точке «заглядывания вперёд» w̃ₜ" if ahead else "точке wₜ₋₁"
    b.convention("steps", {
        "en": f"{en_steps} from w₀: step t takes gₜ at {at_en} and gives wₜ; Lₜ = L(wₜ) on all observations",
        "ru": f"{iterations} {ru_plural(iterations, 'шаг', 'шага', 'шагов')} из w₀: шаг t берёт градиент gₜ в "
              f"{at_ru} и даёт wₜ; Lₜ = L(wₜ) по всем наблюдениям"})




def _check_finite(problem: Problem) -> None:
    key = problem.first_non_finite()
    if key is not None:
        raise DataError("problem", f"the run produces a non-finite value for {key}: it diverges (try fewer "
                                   "iterations or a smaller learning_rate) or divides by zero (a singular "
                                   "Hessian, or eps = 0 with a zero gradient)")


KIND = Kind(
    name="optimize",
    summary="A few steps of an optimizer (GD, SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam, η/t decay, "
            "Newton, coordinate descent) on 1-D regression, logistic regression or a quadratic; every "
            "gradient, optimizer state, iterate and loss is a quantity.",
    fields=(
        FieldDoc("model", True, '"regression" (ŷ = w·x, squared loss), "logistic" (p = σ(w·x), log-loss) '
                                'or "quadratic" (L = ½wᵀAw − bᵀw)'),
        FieldDoc("x", False, "regression/logistic: the inputs, one number per observation"),
        FieldDoc("y", False, "regression/logistic: the targets (logistic: labels 0 or 1), one per observation"),
        FieldDoc("bias", False, "regression/logistic: true adds a bias, ŷ = w·x + b; then w0 is a pair (w, b) "
                                "and every parameter-shaped quantity is a pair (default false)"),
        FieldDoc("reduction", False, 'regression/logistic, required there: "sum" or "mean" over the observations '
                                     "(and over the batch for the gradient)"),
        FieldDoc("half", False, "regression, required there: true for L = ½·Σ(ŷ − y)², false for Σ(ŷ − y)²"),
        FieldDoc("A", False, "quadratic: a symmetric positive definite matrix (2×2 in the course)"),
        FieldDoc("b", False, "quadratic: the vector b in ½wᵀAw − bᵀw"),
        FieldDoc("w0", True, "the starting point: a number, a pair (w, b) with bias, or a vector for the quadratic"),
        FieldDoc("method", True, "one of: " + ", ".join(optim.METHODS)),
        FieldDoc("iterations", True, f"how many steps to take (1 … {_MAX_ITERATIONS})"),
        FieldDoc("learning_rate", False, "η, positive; required by every method except newton (default 1) "
                                         "and coordinate (not used)"),
        FieldDoc("lr_symbol", False, '"eta" (default) or "gamma": how the learning rate is written'),
        *HYPER_DOCS[:4],
        FieldDoc("form", False, 'momentum/nesterov, required there: "textbook" (h = αh + ηg, w − h) or "pytorch" '
                                '(b = αb + g, w − ηb); adam: "pytorch" (default; m, v carried) or "fed_back" '
                                "(m̂, v̂ carried to the next step)"),
        HYPER_DOCS[4],
        FieldDoc("bias_correction", False, "adam: false drops the bias correction (m̂ = m, v̂ = v); default true"),
        FieldDoc("clip", False, "clip every gradient by norm to at most this value first (not with newton/coordinate)"),
        FieldDoc("batching", False, '"full" (default), "sgd" (one observation per step, in order) or "minibatch" '
                                    "(given batches); steps cycle through the order or batches"),
        FieldDoc("order", False, "sgd: the observation numbers (1-based) in the order the steps use them; "
                                 "a permutation, e.g. [2, 1]"),
        FieldDoc("batches", False, "minibatch: lists of observation numbers (1-based) that split the data, "
                                   "e.g. [[1, 3], [2]]"),
    ),
    build=build,
    names=(
        NameDoc("x, y", "givens (regression/logistic): the inputs and targets"),
        NameDoc("A, b", "givens (quadratic): the matrix and vector of ½wᵀAw − bᵀw"),
        NameDoc("lr, alpha, beta1, beta2, eps, clip", "givens: the hyper-parameters the method uses"),
        NameDoc("w0", "given: the starting point (a number, the pair (w, b), or a vector)"),
        NameDoc("h0, buf0, G0, v0, m0", "givens: the optimizer's states at the start (zero), those the method has"),
        NameDoc("w_star, L_star", "the minimiser w* and L(w*) (regression when unique, quadratic)"),
        NameDoc("L{t}", "the loss over all observations at w_t, t = 0 … iterations (the loss curve)"),
        NameDoc("look{t}", "textbook Nesterov: the look-ahead point w_{t−1} − α·h_{t−1} where g_t is taken"),
        NameDoc("y_hat{t}", "regression: the predictions ŷᵢ at the point of step t, for the batch's observations"),
        NameDoc("z{t}, p{t}", "logistic: the logits and probabilities at the point of step t, for the batch"),
        NameDoc("grad{t}", "g_t: the gradient used at step t (at w_{t−1}, over the batch of step t)"),
        NameDoc("hess{t}", "newton/coordinate: the Hessian at the point of step t"),
        NameDoc("grad_norm{t}, grad_clip{t}", "with clip: ‖g_t‖ and the clipped gradient g_t·min(1, c/‖g_t‖)"),
        NameDoc("eta{t}", "gd_decay: the step size η/t"),
        NameDoc("h{t}", "momentum/nesterov, textbook form: h_t = α·h_{t−1} + η·g_t"),
        NameDoc("buf{t}", "momentum/nesterov, PyTorch form: the buffer b_t = α·b_{t−1} + g_t"),
        NameDoc("dir{t}", "nesterov, PyTorch form: the direction d_t = g_t + α·b_t"),
        NameDoc("G{t}", "adagrad: the sum of squared gradients"),
        NameDoc("v{t}", "rmsprop: the average of squared gradients; adam: the second moment"),
        NameDoc("m{t}", "adam: the first moment"),
        NameDoc("m_hat{t}, v_hat{t}", "adam: the bias-corrected moments"),
        NameDoc("w{t}", "the parameters after step t (t = 1 … iterations)"),
    ),
)
