"""The optimizer race's model: reading it from the lesson, its maths and texts, the slips of its conventions.

Models (w the parameters; x̃ᵢ = xᵢ, or (xᵢ, 1) with a bias so that w = (w, b);
R = Σ or mean over the observations a step uses):

- ``regression``: ŷᵢ = w·x̃ᵢ;  L = c·R (ŷᵢ − yᵢ)², c = ½ or 1;
  ∇L = 2c·R (ŷᵢ − yᵢ)·x̃ᵢ;  ∇²L = 2c·R x̃ᵢx̃ᵢᵀ;  least squares w* solves (Σx̃x̃ᵀ)w = Σx̃y.
- ``logistic``: zᵢ = w·x̃ᵢ, pᵢ = σ(zᵢ);  L = R −[yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)];
  ∇L = R (pᵢ − yᵢ)·x̃ᵢ;  ∇²L = R pᵢ(1 − pᵢ)·x̃ᵢx̃ᵢᵀ.
- ``quadratic``: L = ½wᵀAw − bᵀw (A symmetric positive definite);  ∇L = Aw − b;  ∇²L = A;
  w* = A⁻¹b.

Parameters have shape () for one parameter, (n,) otherwise; per-batch values have shape
() for one observation, (|B_t|,) otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .. import optim
from ..graph import Mistake
from ..notation import subscript
from ..ops import sigmoid
from ..ops import loss as loss_op
from . import DataError, read_array, read_bool, read_choice

MODELS = ("regression", "logistic", "quadratic")
_MAX_OBS = 100
_MAX_PARAMS = 10


# -- reading the data -------------------------------------------------------------------


def read_model(data, path, model) -> dict[str, Any]:
    """The model's data: A and b (quadratic), or the observations x̃ᵢ, yᵢ and the loss's conventions."""
    if model == "quadratic":
        A = read_array(data, "A", path, ndim=(2,))
        n = A.shape[0]
        if A.shape != (n, n) or not 1 <= n <= _MAX_PARAMS:
            raise DataError(f"{path}.A", f"must be a square matrix with 1 to {_MAX_PARAMS} rows, "
                                         f"got {A.shape[0]}×{A.shape[1]}")
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


def read_batches(data, path, model, n_obs) -> tuple[tuple[int, ...], ...]:
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


def read_w0(data, path, model, m) -> np.ndarray:
    """The starting point, shaped () for one parameter, (n,) otherwise."""
    p = m["p"]
    w0 = read_array(data, "w0", path, ndim=(0, 1))
    if w0.size != p:
        if model == "quadratic":
            raise DataError(f"{path}.w0", f"must have {p} numbers (one per row of A), got {w0.size}")
        if m["bias"]:
            raise DataError(f"{path}.w0", f"with bias = true the start is a pair (w, b), got {w0.size} numbers")
        raise DataError(f"{path}.w0", f"must be one number (the weight), got {w0.size}")
    return w0.reshape(()) if p == 1 else w0.reshape(p)


# -- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Everything about one run: the model's maths and texts, the batches, the method."""

    model: str
    m: Mapping[str, Any]            # the model's data, as read by read_model
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

    def hess(self, p_out, batch) -> np.ndarray:
        X = self.m["X"][list(batch)]
        if self.model == "regression":
            weight = np.full(len(batch), 1.0 if self.m["half"] else 2.0)
        else:
            pr = np.reshape(p_out, -1)
            weight = pr * (1.0 - pr)
        H = self._reduce(weight[:, None, None] * X[:, :, None] * X[:, None, :], batch)
        return H.reshape(()) if self.m["p"] == 1 else H

    def hess_at(self, w, batch) -> np.ndarray:
        """∇²L over ``batch`` at the point ``w``."""
        if self.model == "quadratic":
            return self.m["A"].reshape(self.shape * 2)
        return self.hess(sigmoid(self.lin(w, batch)) if self.model == "logistic" else None, batch)

    def batch(self, t: int) -> tuple[int, ...]:
        """The observations step t uses: the steps cycle through the batches."""
        return self.batches[(t - 1) % len(self.batches)]

    def run(self, w0: np.ndarray, iterations: int) -> tuple[np.ndarray, ...]:
        """w₁ … w_T: the run worked out by :mod:`nntutor.core.optim` alone (for another order of the
        observations, whose run the graph does not hold)."""
        hyper, w = self.hyper, w0
        state, needs_hessian = optim.init_state(w0, hyper), optim.plan(hyper, 1).needs_hessian
        out = []
        for t in range(1, iterations + 1):
            point = optim.lookahead(w, state, hyper)
            g = self.grad_at(point, self.batch(t))
            if self.clip is not None:
                g = optim.clip_by_norm(g, self.clip)
            H = self.hess_at(point, self.batch(t)) if needs_hessian else None
            w, state = optim.step(w, g, state, hyper, hessian=H)
            out.append(w)
        return tuple(out)

    def order_text(self, batches) -> str:
        """``2, 1`` (one observation per step) or ``(1, 3), (2)`` (batches)."""
        if all(len(bt) == 1 for bt in batches):
            return ", ".join(str(bt[0] + 1) for bt in batches)
        return ", ".join("(" + ", ".join(str(i + 1) for i in bt) + ")" for bt in batches)

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


# -- the slips of the model's conventions and the loss's -------------------------------------


def order_message(run: Run, other: Run) -> tuple[str, str]:
    """The whole run taken in the observations' (or batches') other order, in English and Russian."""
    alt, given = run.order_text(other.batches), run.order_text(run.batches)
    if all(len(bt) == 1 for bt in run.batches):
        return (f"You took the observations in the order {alt}; this lesson's steps take them in the order {given}.",
                f"Вы брали наблюдения в порядке {alt}, а в этом уроке шаги берут их в порядке {given}.")
    return (f"You took the batches in the order {alt}; this lesson's steps take them in the order {given}.",
            f"Вы брали батчи в порядке {alt}, а в этом уроке шаги берут их в порядке {given}.")


def batch_message(run: Run, t: int, used, batch) -> tuple[str, str]:
    """This step's value on another observation (or batch) than the one step t uses."""
    given = run.order_text(run.batches)
    if len(used) == 1 and len(batch) == 1:
        j, i = used[0] + 1, batch[0] + 1
        return (f"That is the value on observation {j}; step {t} uses observation {i} (the steps take them in "
                f"the order {given}).",
                f"Это значение на наблюдении {j}, а шаг {t} использует наблюдение {i} (шаги берут их в порядке "
                f"{given}).")
    u, b = run.order_text([used]), run.order_text([batch])
    return (f"That is the value on the batch {u}; step {t} uses the batch {b} (the steps take them in the "
            f"order {given}).",
            f"Это значение на батче {u}, а шаг {t} использует батч {b} (шаги берут их в порядке {given}).")


def scale_mistakes(run: Run, key: str, batch, what: str, formula: str) -> list[Mistake]:
    """The loss's own slips (:mod:`nntutor.core.ops.loss`) on the loss, the gradient or the Hessian
    (``what``) at ``key``, whose right formula is ``formula``: the sum for the mean over the
    observations or back, the ½ of the squared loss (each scales the right value)."""
    if run.model == "quadratic":
        return []
    n, mean, loss = len(batch), run.m["mean"], what == "loss"
    slips = []
    if n > 1:
        slips += [loss_op.loss_reduction(n, mean)] if loss else loss_op.gradient_reduction(n, mean, at_origin=True)
    if run.model == "regression":
        half = run.m["half"]
        slips.append(loss_op.squared_half(half) if loss else loss_op.squared_two(half))
    return [s.at({"out": key}, {"f": formula}) for s in slips]
