"""A simple recurrent net over T steps: forward, loss, backprop through time, gradient norms.

State:    z_t = U·x_t + W·s_{t−1} (+ b),  s_t = f(z_t),  t = 1 … T;  s_0 given (default 0).
Output:   softmax: v_t = V·s_t (+ c), o_t = softmax(v_t);  linear: o_t = V·s_t (+ c);  or none.
Loss:     none: L = Σᵢ s_T,i, the sum of the last state's components (L = s_T for a scalar net);
          squared: L = k·Σ(o_T − y)² on the last output only (o_T = s_T without an output layer),
          k = ½ or 1;  cross_entropy: L = −Σ_t ln o_t[y_t] (or the mean over t), y_t a class
          number counted from 1.
BPTT:     ∂L/∂s_T from the loss;  ∂L/∂s_t = Vᵀ·∂L/∂v_t (the output at t, if the loss sees it)
          + Wᵀ·∂L/∂z_{t+1};  ∂L/∂z_t = ∂L/∂s_t ∘ f′(z_t);  ∂L/∂s_0 = Wᵀ·∂L/∂z_1;
          ∂L/∂W = Σ_t ∂L/∂z_t·s_{t−1}ᵀ,  ∂L/∂U = Σ_t ∂L/∂z_t·x_tᵀ,  ∂L/∂b = Σ_t ∂L/∂z_t;
          ∂L/∂V = Σ_t ∂L/∂v_t·s_tᵀ (∂L/∂o_T·s_Tᵀ for a linear output),  ∂L/∂c = Σ_t ∂L/∂v_t.
Scalar state (s_t, W numbers; x_t may be a vector): the total derivative as a sum of products
          ∂s_k/∂W = Σ_{j=1..k} (Π_{i=j+1..k} f′(z_i)·W) · f′(z_j)·s_{j−1},
          where ∂s_i/∂s_{i−1} = f′(z_i)·W and f′(z_j)·s_{j−1} is the immediate derivative ∂s_j/∂W*
          (s_{j−1} held fixed); an empty product is 1.
Norms:    ‖∂s_k/∂s_1‖ = ‖J_k·J_{k−1}·…·J_2‖₂ with J_i = diag(f′(z_i))·W (spectral norm; for a
          scalar net |Π_{i=2..k} f′(z_i)·W|; k = 1 gives 1): it shrinks (vanishing gradient) when
          every |f′·W| < 1 and grows (exploding) when every |f′·W| > 1.
Clipping: g = ∂L/∂W; if ‖g‖ > τ then g ← τ·g/‖g‖ (Frobenius norm; unchanged when ‖g‖ ≤ τ).
Shapes:   column vectors: x_t (n_in), s_t, z_t, b (n_h), U (n_h×n_in), W (n_h×n_h), V (n_out×n_h),
          c, v_t, o_t (n_out).  Sizes of 1 are dropped in the values shown and typed: a scalar net
          has scalar quantities, a 1×n matrix is a list of n numbers.
Mistakes:  f′ forgotten (∂L/∂z_t, ∂s_k/∂s_{k−1}, ∂s_k/∂W*); W for Wᵀ (vector state); ∂L/∂s_t
          without the later steps or without its own output; ∂L/∂W, ∂L/∂U, ∂L/∂b from the last
          step only; ∂s_k/∂W without its direct term, or the direct term alone; clipping each
          entry instead of the norm.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

from ..graph import Problem, ProblemBuilder, Mistake
from ..notation import base_symbol, grad_key, grad_symbol, ru_plural, subscript
from ..ops import ACTIVATIONS, activation, softmax
from ..ops import loss as loss_op
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TOP = {"kind", "x", "s0", "U", "W", "b", "activation", "output", "V", "c", "loss", "y", "half",
        "labels", "reduction", "clip"}
_ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu")
_MAX_T = 50
_MAX_SIZE = 16


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)

    x = read_array(data, "x", path, ndim=(1, 2))
    T = x.shape[0]
    if not 1 <= T <= _MAX_T:
        raise DataError(f"{path}.x", f"needs 1 to {_MAX_T} steps (one entry per step), got {T}")
    X = x.reshape(T, -1)
    n_in = X.shape[1]
    if not 1 <= n_in <= _MAX_SIZE:
        raise DataError(f"{path}.x", f"each x_t needs 1 to {_MAX_SIZE} numbers, got {n_in}")

    W = read_array(data, "W", path, ndim=(0, 2))
    W = W.reshape(1, 1) if W.ndim == 0 else W
    if W.shape[0] != W.shape[1]:
        raise DataError(f"{path}.W", f"must be square (state to state), got {W.shape[0]}×{W.shape[1]}")
    n_h = W.shape[0]
    if n_h > _MAX_SIZE:
        raise DataError(f"{path}.W", f"the state has at most {_MAX_SIZE} units, got {n_h}")
    U = _matrix(read_array(data, "U", path, ndim=(0, 1, 2)), n_h, n_in, f"{path}.U",
                "one row per state unit, one column per input")
    bias = _vector(data, "b", path, n_h, "state units")
    s0 = _vector(data, "s0", path, n_h, "state units")
    s0 = np.zeros(n_h) if s0 is None else s0
    act = ACTIVATIONS[read_choice(data, "activation", path, _ACTIVATIONS)]

    output = read_choice(data, "output", path, ("none", "softmax", "linear"), default="none")
    V = c = None
    n_out = n_h
    if output == "none":
        _only(data, path, ("V", "c"), 'with output = "softmax" or "linear"')
    else:
        if "V" not in data:
            raise DataError(f"{path}.V", f'missing: output = "{output}" needs the output weights V')
        V = _output_matrix(read_array(data, "V", path, ndim=(0, 1, 2)), n_h, f"{path}.V")
        n_out = V.shape[0]
        if output == "softmax" and n_out < 2:
            raise DataError(f"{path}.V", "a softmax output needs at least 2 classes (rows of V)")
        c = _vector(data, "c", path, n_out, "outputs (rows of V)")

    loss = read_choice(data, "loss", path, ("none", "squared", "cross_entropy"))
    y = labels = None
    half = False
    mean = False
    if loss == "none":
        _only(data, path, ("y", "half", "labels", "reduction"), 'with loss = "squared" or "cross_entropy"')
    elif loss == "squared":
        _only(data, path, ("labels", "reduction"), 'with loss = "cross_entropy"')
        y = read_array(data, "y", path, ndim=(0, 1)).reshape(-1)
        if y.size != n_out:
            what = "outputs" if output != "none" else "state units (the last state is the output)"
            raise DataError(f"{path}.y", f"has {y.size} values but there are {n_out} {what}")
        if "half" not in data:
            raise DataError(f"{path}.half", "missing: say whether the squared loss carries ½ (true or false)")
        half = read_bool(data, "half", path, default=False)
    else:
        if output != "softmax":
            raise DataError(f"{path}.loss", 'cross_entropy needs output = "softmax"')
        _only(data, path, ("y", "half"), 'with loss = "squared"')
        labels = _labels(data, path, T, n_out)
        mean = read_choice(data, "reduction", path, ("sum", "mean"), default="sum") == "mean"
    clip = read_number(data, "clip", path, positive=True) if "clip" in data else None

    g = _Graph("rnn")
    _givens(g, X, s0, U, W, bias, V, c, y, labels, clip)
    has_b, has_c = bias is not None, c is not None
    _forward(g, T, n_h, n_out, act, output, has_b, has_c)
    _loss(g, T, output, loss, half, mean)
    if loss != "none":
        _output_grads(g, T, n_out, output, loss, half, mean, has_c)
    _bptt(g, T, n_in, n_h, act, output, loss, half, has_b)
    if clip is not None:
        _clipping(g, n_h)
    if n_h == 1:
        _sum_of_products(g, T, act)
    _jacobian_norms(g, T, n_h, act)
    _conventions(g, T, act, output, loss, half, mean, clip is not None, has_b, has_c)
    return g.build()


# -- reading ---------------------------------------------------------------------------

def _matrix(arr: np.ndarray, rows: int, cols: int, field: str, layout: str) -> np.ndarray:
    """A rows×cols matrix from a number, a list (a column or a row) or a matrix."""
    want = f"it must be {rows}×{cols} ({layout})"
    if arr.ndim == 0:
        if rows == cols == 1:
            return arr.reshape(1, 1)
        raise DataError(field, f"is a single number but {want}")
    if arr.ndim == 1:
        if cols == 1 and arr.size == rows:
            return arr.reshape(rows, 1)
        if rows == 1 and arr.size == cols:
            return arr.reshape(1, cols)
        raise DataError(field, f"is a list of {arr.size} numbers but {want}")
    if arr.shape != (rows, cols):
        raise DataError(field, f"has shape {arr.shape[0]}×{arr.shape[1]} but {want}")
    return arr


def _output_matrix(arr: np.ndarray, n_h: int, field: str) -> np.ndarray:
    """V with one row per output and one column per state unit."""
    if arr.ndim == 0:
        if n_h != 1:
            raise DataError(field, f"is a single number but the state has {n_h} units: give one column per unit")
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        if n_h == 1:
            return arr.reshape(-1, 1)  # one weight per output
        if arr.size == n_h:
            return arr.reshape(1, n_h)  # one output
        raise DataError(field, f"is a list of {arr.size} numbers but the state has {n_h} units")
    if arr.shape[1] != n_h:
        raise DataError(field, f"has {arr.shape[1]} columns but the state has {n_h} units "
                               f"(one row per output, one column per state unit)")
    if arr.shape[0] > _MAX_SIZE:
        raise DataError(field, f"at most {_MAX_SIZE} outputs, got {arr.shape[0]}")
    return arr


def _vector(data, key: str, path: str, n: int, what: str) -> np.ndarray | None:
    arr = read_array(data, key, path, ndim=(0, 1), required=False)
    if arr is None:
        return None
    arr = arr.reshape(-1)
    if arr.size != n:
        raise DataError(f"{path}.{key}", f"has {arr.size} values but there are {n} {what}")
    return arr


def _labels(data, path: str, T: int, n_out: int) -> np.ndarray:
    field = f"{path}.labels"
    if "labels" not in data:
        raise DataError(field, f"missing: the class of every step, {T} numbers from 1 to {n_out}")
    arr = read_array(data, "labels", path, ndim=(0, 1)).reshape(-1)
    if arr.size != T:
        raise DataError(field, f"has {arr.size} labels but there are {T} steps")
    if not np.all((arr == np.round(arr)) & (arr >= 1) & (arr <= n_out)):
        raise DataError(field, f"each label is a class number from 1 to {n_out}")
    return arr


def _only(data, path: str, keys, when: str) -> None:
    for key in keys:
        if key in data:
            raise DataError(f"{path}.{key}", f"only used {when}")


# -- the graph -------------------------------------------------------------------------

def _shown(shape: Sequence[int]) -> tuple[int, ...]:
    return tuple(d for d in shape if d != 1)


class _V(NamedTuple):
    """A common mistake for a quantity, computed in full column shapes like the quantity itself."""

    name: str
    deps: tuple[str, ...]
    fn: Callable[..., Any]
    en: str
    ru: str
    convention: bool = False


class _Graph:
    """A ProblemBuilder that computes in full column shapes and shows values with sizes of 1 dropped."""

    def __init__(self, kind: str) -> None:
        self.b = ProblemBuilder(kind)
        self.shapes: dict[str, tuple[int, ...]] = {}

    def given(self, key: str, value, symbol: str, en: str, ru: str) -> None:
        value = np.asarray(value, dtype=np.float64)
        self.shapes[key] = value.shape
        self.b.given(key, value.reshape(_shown(value.shape)), symbol, {"en": en, "ru": ru})

    def derived(self, key: str, fn: Callable[..., Any], deps: Sequence[str], shape: Sequence[int],
                symbol: str, en: str, ru: str, role: str, formula: str | Callable[[], str],
                mistakes: Sequence[_V] | Callable[[], Sequence[_V]] = ()) -> None:
        """``formula`` and ``mistakes`` may be functions: they are worded when first needed."""
        self.shapes[key] = tuple(shape)
        shapes = self.shapes  # only ever extended: the shapes of deps are the same when asked later

        def declared() -> list[Mistake]:  # wrapped when a diagnosis first needs them
            return [Mistake(v.name, tuple(v.deps), _reshaped(v.fn, [shapes[d] for d in v.deps], tuple(shape)),
                            {"en": v.en, "ru": v.ru}, v.convention)
                    for v in (mistakes() if callable(mistakes) else mistakes)]
        self.b.derived(key, _reshaped(fn, [self.shapes[d] for d in deps], tuple(shape)), list(deps),
                       symbol, {"en": en, "ru": ru}, role, formula, declared)

    def convention(self, name: str, en: str, ru: str) -> None:
        self.b.convention(name, {"en": en, "ru": ru})

    def build(self) -> Problem:
        return self.b.build()


def _reshaped(fn, in_shapes, out_shape):
    shown = _shown(out_shape)

    def run(*values):  # values are arrays: the problem's own, or overrides it has frozen
        args = [v.reshape(s) for v, s in zip(values, in_shapes)]
        out = np.asarray(fn(*args), dtype=np.float64)
        return out if out.shape == shown else out.reshape(shown)
    return run


@lru_cache(maxsize=256)  # asked for ~150 times per problem built
def _s(i) -> str:
    return subscript(str(i))


def _givens(g: _Graph, X, s0, U, W, bias, V, c, y, labels, clip) -> None:
    for t, row in enumerate(X, start=1):
        g.given(f"x{t}", row, f"x{_s(t)}", f"the input at step {t}", f"вход на шаге {t}")
    g.given("s0", s0, "s₀", "the initial state", "начальное состояние")
    g.given("U", U, "U", "the input-to-state weights", "веса вход → состояние")
    g.given("W", W, "W", "the state-to-state (recurrent) weights", "рекуррентные веса состояние → состояние")
    if bias is not None:
        g.given("b", bias, "b", "the state bias", "смещение состояния")
    if V is not None:
        g.given("V", V, "V", "the state-to-output weights", "веса состояние → выход")
    if c is not None:
        g.given("c", c, "c", "the output bias", "смещение выхода")
    if y is not None:
        g.given("y", y, "y", "the target of the last output", "целевое значение последнего выхода")
    if labels is not None:
        g.given("labels", labels, "y", "the class of every step (counted from 1)",
                "класс на каждом шаге (нумерация с 1)")
    if clip is not None:
        g.given("clip", clip, "τ", "the clipping threshold for the norm of ∂L/∂W",
                "порог ограничения нормы ∂L/∂W")


def _forward(g: _Graph, T, n_h, n_out, act, output, has_b, has_c) -> None:
    for t in range(1, T + 1):
        deps = [f"x{t}", f"s{t - 1}", "U", "W"] + (["b"] if has_b else [])
        g.derived(f"z{t}", _pre_activation, deps, (n_h,), f"z{_s(t)}",
                  f"the state pre-activation at step {t} (before {act.names['en']})",
                  f"предактивация состояния на шаге {t} (до функции «{act.names['ru']}»)",
                  "forward", f"z{_s(t)} = U·x{_s(t)} + W·s{_s(t - 1)}" + (" + b" if has_b else ""))
        f = f"s{_s(t)} = " + (f"z{_s(t)}" if act.name == "identity" else f"{act.symbol}(z{_s(t)})")
        g.derived(f"s{t}", act.f, [f"z{t}"], (n_h,), f"s{_s(t)}",
                  f"the state at step {t}", f"состояние на шаге {t}", "forward", f,
                  lambda t=t, f=f: _slips(activation.forward(act), {"z": f"z{t}"}, {"z": f"z{_s(t)}", "f": f}))
        if output == "none":
            continue
        lin_deps = [f"s{t}", "V"] + (["c"] if has_c else [])
        lin = f"V·s{_s(t)}" + (" + c" if has_c else "")
        if output == "softmax":
            g.derived(f"v{t}", _linear, lin_deps, (n_out,), f"v{_s(t)}",
                      f"the output scores (logits) at step {t}", f"выходные оценки (логиты) на шаге {t}",
                      "forward", f"v{_s(t)} = {lin}")
            g.derived(f"o{t}", softmax, [f"v{t}"], (n_out,), f"o{_s(t)}",
                      f"the output probabilities at step {t}", f"выходные вероятности на шаге {t}",
                      "forward", f"o{_s(t)} = softmax(v{_s(t)})")
        else:
            g.derived(f"o{t}", _linear, lin_deps, (n_out,), f"o{_s(t)}",
                      f"the output at step {t}", f"выход на шаге {t}", "forward", f"o{_s(t)} = {lin}")


def _pre_activation(x, s_prev, U, W, b=None):
    z = U @ x + W @ s_prev
    return z if b is None else z + b


def _linear(s, V, c=None):
    v = V @ s
    return v if c is None else v + c


def _loss(g: _Graph, T, output, loss, half, mean) -> None:
    last = f"o{T}" if output != "none" else f"s{T}"
    last_sym = base_symbol(last)
    if loss == "none":
        g.derived("L", np.sum, [f"s{T}"], (), "L", f"the value differentiated: the sum of the last state s{_s(T)}",
                  f"дифференцируемая величина: сумма компонент последнего состояния s{_s(T)}",
                  "loss", f"L = Σ s{_s(T)}")
        return
    if loss == "squared":
        k = 0.5 if half else 1.0
        f = f"L = {'½·' if half else ''}Σ({last_sym} − y)²"
        g.derived("L", lambda o, y, k=k: k * np.sum((o - y) ** 2), [last, "y"], (), "L",
                  f"the squared loss of the last output {last_sym}",
                  f"квадратичная функция потерь последнего выхода {last_sym}",
                  "loss", f, lambda f=f: _at([loss_op.squared_half(half)], "L", {"f": f}))
        return
    scale = 1.0 / T if mean else 1.0

    def cross_entropy(*values, T=T, scale=scale):
        probs, labels = values[:T], values[T]
        return -scale * sum(np.log(p[int(labels[t]) - 1]) for t, p in enumerate(probs))
    f = "L = −(1/T)·Σₜ ln oₜ[yₜ]" if mean else "L = −Σₜ ln oₜ[yₜ]"
    g.derived("L", cross_entropy, [f"o{t}" for t in range(1, T + 1)] + ["labels"], (), "L",
              "the cross-entropy loss over all steps", "перекрёстная энтропия по всем шагам",
              "loss", f, lambda f=f: _at([loss_op.loss_reduction(T, mean), *loss_op.log_slips()], "L",
                                         {"f": f, "text": f}))


def _output_grads(g: _Graph, T, n_out, output, loss, half, mean, has_c) -> None:
    """∂L/∂v_t (softmax) or ∂L/∂o_T (squared loss on an output layer), then ∂L/∂V, ∂L/∂c."""
    if output == "none":
        return
    if loss == "cross_entropy":
        scale = 1.0 / T if mean else 1.0
        for t in range(1, T + 1):
            def grad_v(o, labels, t=t, scale=scale):
                onehot = np.zeros_like(o)
                onehot[int(labels[t - 1]) - 1] = 1.0
                return scale * (o - onehot)
            f = f"∂L/∂v{_s(t)} = " + (f"(o{_s(t)} − onehot(y{_s(t)}))/T" if mean else f"o{_s(t)} − onehot(y{_s(t)})")
            g.derived(grad_key(f"v{t}"), grad_v, [f"o{t}", "labels"], (n_out,), grad_symbol(f"v{t}"),
                      f"the gradient with respect to the scores v{_s(t)} (softmax and cross-entropy together)",
                      f"производная по оценкам v{_s(t)} (softmax и перекрёстная энтропия вместе)",
                      "backward", f, lambda t=t, f=f: _at(loss_op.gradient_reduction(T, mean, True),
                                                          grad_key(f"v{t}"), {"f": f}))
        out_steps = list(range(1, T + 1))
        out_key = "v"
    else:
        k2 = 1.0 if half else 2.0
        f = f"∂L/∂o{_s(T)} = {'' if half else '2·'}(o{_s(T)} − y)"
        g.derived(grad_key(f"o{T}"), lambda o, y, k2=k2: k2 * (o - y), [f"o{T}", "y"], (n_out,),
                  grad_symbol(f"o{T}"), f"the gradient with respect to the last output o{_s(T)}",
                  f"производная по последнему выходу o{_s(T)}",
                  "backward", f, lambda f=f: _at([loss_op.squared_two(half)], grad_key(f"o{T}"), {"f": f}))
        out_steps = [T]
        out_key = "o"
        if output == "softmax":
            g.derived(grad_key(f"v{T}"), lambda go, o: o * (go - np.dot(o, go)), [grad_key(f"o{T}"), f"o{T}"],
                      (n_out,), grad_symbol(f"v{T}"),
                      f"the gradient with respect to the scores v{_s(T)}, through the softmax",
                      f"производная по оценкам v{_s(T)} (через softmax)",
                      "backward", f"∂L/∂v{_s(T)} = o{_s(T)} ∘ (∂L/∂o{_s(T)} − o{_s(T)}·∂L/∂o{_s(T)})")
            out_key = "v"
    n = len(out_steps)
    grads = [grad_key(f"{out_key}{t}") for t in out_steps]
    states = [f"s{t}" for t in out_steps]
    sym = base_symbol(f"{out_key}t") if n > 1 else base_symbol(f"{out_key}{T}")
    g.derived(grad_key("V"), _outer_sum(n),
              grads + states, g.shapes["V"], grad_symbol("V"), "the gradient with respect to the output weights V",
              "производная по весам выхода V", "backward",
              (f"∂L/∂V = Σₜ ∂L/∂{out_key}ₜ·sₜᵀ" if n > 1 else f"∂L/∂V = ∂L/∂{sym}·s{_s(T)}ᵀ"))
    if has_c:
        g.derived(grad_key("c"), lambda *v: sum(v), grads, (n_out,), grad_symbol("c"),
                  "the gradient with respect to the output bias c", "производная по смещению выхода c",
                  "backward", (f"∂L/∂c = Σₜ ∂L/∂{out_key}ₜ" if n > 1 else f"∂L/∂c = ∂L/∂{sym}"))


def _bptt(g: _Graph, T, n_in, n_h, act, output, loss, half, has_b) -> None:
    # which output-side gradient reaches s_t through V
    if loss == "cross_entropy":
        out_at = {t: grad_key(f"v{t}") for t in range(1, T + 1)}
    elif loss == "squared" and output != "none":
        out_at = {T: grad_key(f"v{T}") if output == "softmax" else grad_key(f"o{T}")}
    else:
        out_at = {}
    for t in range(T, 0, -1):
        st = f"s{t}"
        en = f"the gradient with respect to the state s{_s(t)} (backprop through time)"
        ru = f"производная по состоянию s{_s(t)} (обратное распространение во времени)"
        if t == T and loss == "none":
            g.derived(grad_key(st), np.ones_like, [st], (n_h,), grad_symbol(st), en, ru, "backward",
                      f"∂L/∂s{_s(T)} = 1 (L = Σ s{_s(T)})")
        elif t == T and loss == "squared" and output == "none":
            k2 = 1.0 if half else 2.0
            f = f"∂L/∂s{_s(T)} = {'' if half else '2·'}(s{_s(T)} − y)"
            g.derived(grad_key(st), lambda s, y, k2=k2: k2 * (s - y), [st, "y"], (n_h,), grad_symbol(st), en, ru,
                      "backward", f, lambda st=st, f=f: _at([loss_op.squared_two(half)], grad_key(st), {"f": f}))
        else:
            deps, parts = [], []
            if t in out_at:
                deps += [out_at[t], "V"]
                parts.append(f"Vᵀ·{grad_symbol(out_at[t][len('grad.'):])}")
            if t < T:
                deps += [grad_key(f"z{t + 1}"), "W"]
                parts.append(f"Wᵀ·∂L/∂z{_s(t + 1)}")
            def mistakes(t=t, deps=deps, parts=parts) -> list[_V]:
                out = []
                if t < T and n_h > 1:
                    out.append(_not_transposed(deps, f"∂L/∂s{_s(t)} = " + " + ".join(parts)))
                if t < T and t in out_at:
                    out.append(_V("truncated", (out_at[t], "V"), lambda gv, V: V.T @ gv,
                                  f"You left out the path through the later steps, Wᵀ·∂L/∂z{_s(t + 1)}: "
                                  f"s{_s(t)} also reaches the loss through s{_s(t + 1)}.",
                                  f"Вы пропустили путь через следующие шаги, Wᵀ·∂L/∂z{_s(t + 1)}: s{_s(t)} влияет "
                                  f"на потери ещё и через s{_s(t + 1)}."))
                    out.append(_V("no_output_path", (grad_key(f"z{t + 1}"), "W"), lambda gz, W: W.T @ gz,
                                  f"You left out the output at step {t}: ∂L/∂s{_s(t)} also gets {parts[0]}.",
                                  f"Вы пропустили выход на шаге {t}: в ∂L/∂s{_s(t)} входит ещё {parts[0]}."))
                return out
            g.derived(grad_key(st), _back_sum, deps, (n_h,), grad_symbol(st), en, ru, "backward",
                      f"∂L/∂s{_s(t)} = " + " + ".join(parts), mistakes)
        f = f"∂L/∂z{_s(t)} = ∂L/∂s{_s(t)} ∘ {act.symbol}′(z{_s(t)})"
        keys = {"g": grad_key(st), "z": f"z{t}", "a": st, "out": grad_key(f"z{t}")}
        shown = {"g": f"∂L/∂s{_s(t)}", "z": f"z{_s(t)}", "a": f"s{_s(t)}", "out": f"∂L/∂z{_s(t)}", "f": f}
        g.derived(grad_key(f"z{t}"), lambda gs, z, d=act.df: gs * d(z), [grad_key(st), f"z{t}"], (n_h,),
                  grad_symbol(f"z{t}"),
                  f"the gradient with respect to z{_s(t)}, through the {act.names['en']}",
                  f"производная по z{_s(t)} (через функцию «{act.names['ru']}»)",
                  "backward", f, lambda keys=keys, shown=shown: _slips(activation.backward(act), keys, shown))
    g.derived(grad_key("s0"), lambda gz, W: W.T @ gz, [grad_key("z1"), "W"], (n_h,), grad_symbol("s0"),
              "the gradient with respect to the initial state s₀", "производная по начальному состоянию s₀",
              "backward", "∂L/∂s₀ = Wᵀ·∂L/∂z₁",
              [_not_transposed([grad_key("z1"), "W"], "∂L/∂s₀ = Wᵀ·∂L/∂z₁")] if n_h > 1 else [])
    gz = [grad_key(f"z{t}") for t in range(1, T + 1)]
    outer_sum = _outer_sum(T)

    def last_only(other: str, formula: str) -> list[_V]:
        """BPTT cut to the last step: ∂L/∂z_T·(s_{T−1} or x_T)ᵀ, or ∂L/∂z_T for b."""
        if T < 2:
            return []
        deps = (grad_key(f"z{T}"),) + ((other,) if other else ())
        return [_V("last_step_only", deps, (lambda gzT, o: np.outer(gzT, o)) if other else (lambda gzT: gzT * 1.0),
                   f"You kept only the last step's term; the weights are shared by all {T} steps, so {formula}.",
                   f"Вы учли только слагаемое последнего шага; веса общие для всех {T} шагов, поэтому {formula}.")]

    g.derived(grad_key("W"), outer_sum, gz + [f"s{t}" for t in range(T)], (n_h, n_h), grad_symbol("W"),
              "the gradient with respect to the recurrent weights W (summed over the steps)",
              "производная по рекуррентным весам W (сумма по шагам)", "backward", "∂L/∂W = Σₜ ∂L/∂zₜ·sₜ₋₁ᵀ",
              lambda: last_only(f"s{T - 1}", "∂L/∂W = Σₜ ∂L/∂zₜ·sₜ₋₁ᵀ"))
    g.derived(grad_key("U"), outer_sum, gz + [f"x{t}" for t in range(1, T + 1)], (n_h, n_in), grad_symbol("U"),
              "the gradient with respect to the input weights U (summed over the steps)",
              "производная по входным весам U (сумма по шагам)", "backward", "∂L/∂U = Σₜ ∂L/∂zₜ·xₜᵀ",
              lambda: last_only(f"x{T}", "∂L/∂U = Σₜ ∂L/∂zₜ·xₜᵀ"))
    if has_b:
        g.derived(grad_key("b"), lambda *v: sum(v), gz, (n_h,), grad_symbol("b"),
                  "the gradient with respect to the state bias b", "производная по смещению состояния b",
                  "backward", "∂L/∂b = Σₜ ∂L/∂zₜ", lambda: last_only("", "∂L/∂b = Σₜ ∂L/∂zₜ"))


def _slips(op, keys, shown) -> list[_V]:
    """The slips the operation declares, where it is placed (the same wording in every kind)."""
    return [_V(v.name, v.deps, v.fn, v.message["en"], v.message["ru"], v.convention) for v in op.slips_at(keys, shown)]


def _at(slips, key: str, shown) -> list[_V]:
    """Slips declared on one quantity (the loss, or a gradient it starts), placed at ``key``."""
    out = []
    for sl in slips:
        v = sl.at({"out": key}, shown)
        out.append(_V(v.name, v.deps, v.fn, v.message["en"], v.message["ru"], v.convention))
    return out


def _local_slips(act, k: int, factor: str, factor_symbol: str, f: str) -> list[_V]:
    """g′(z_k)·factor: the activation's backward with the factor in place of the upstream gradient."""
    keys = {"g": factor, "z": f"z{k}", "a": f"s{k}"}
    return _slips(activation.backward(act), keys, {"g": factor_symbol, "z": f"z{_s(k)}", "a": f"s{_s(k)}", "f": f})


def _not_transposed(deps, formula: str) -> _V:
    """W·∂L/∂z instead of Wᵀ·∂L/∂z (the output term, if any, keeps its Vᵀ)."""
    def fn(*values):
        return sum((M if name == "W" else M.T) @ gr
                   for gr, M, name in zip(values[0::2], values[1::2], list(deps)[1::2]))
    return _V("not_transposed", tuple(deps), fn,
              f"You multiplied by W instead of its transpose Wᵀ: {formula}.",
              f"Вы умножили на W, а нужно на транспонированную Wᵀ: {formula}.")


def _back_sum(*values):
    """Σ Mᵀ·g over the (g, M) pairs: the paths from s_t to the loss."""
    return sum(M.T @ gr for gr, M in zip(values[0::2], values[1::2]))


def _outer_sum(T: int):
    """Σₜ aₜ·bₜᵀ over (a₁ … a_T, b₁ … b_T) = Aᵀ·B with the aₜ and bₜ as rows (one product, not T outers)."""
    def f(*values):
        return np.array(values[:T]).reshape(T, -1).T @ np.array(values[T:]).reshape(T, -1)
    return f


def _clipping(g: _Graph, n_h) -> None:
    g.derived("grad.W.norm", lambda gw: np.linalg.norm(gw), [grad_key("W")], (), "‖∂L/∂W‖",
              "the norm of ∂L/∂W (Frobenius: the square root of the sum of squares)",
              "норма ∂L/∂W (фробениусова: корень из суммы квадратов)", "value", "‖∂L/∂W‖ = √(Σ (∂L/∂W)ᵢⱼ²)")
    g.derived("grad.W.clipped", lambda gw, norm, tau: gw * min(1.0, float(tau) / float(norm)) if norm > 0 else gw,
              [grad_key("W"), "grad.W.norm", "clip"], (n_h, n_h), "clip(∂L/∂W)",
              "∂L/∂W after clipping its norm to at most τ", "∂L/∂W после ограничения нормы порогом τ",
              "value", "clip(∂L/∂W) = ∂L/∂W·min(1, τ/‖∂L/∂W‖)",
              [_V("clip_components", (grad_key("W"), "clip"), lambda gw, tau: np.clip(gw, -float(tau), float(tau)),
                  "You clipped each entry to ±τ; clipping by norm scales the whole matrix: "
                  "clip(∂L/∂W) = ∂L/∂W·min(1, τ/‖∂L/∂W‖).",
                  "Вы обрезали каждый элемент до ±τ, а ограничение по норме масштабирует всю матрицу: "
                  "clip(∂L/∂W) = ∂L/∂W·min(1, τ/‖∂L/∂W‖).")])


def _sum_of_products(g: _Graph, T, act) -> None:
    """The scalar-state derivatives ∂s_k/∂s_{k−1}, ∂s_k/∂W* and ∂s_k/∂W as a sum of products."""
    for k in range(1, T + 1):
        f_prime = f"{act.symbol}′(z{_s(k)})"
        g.derived(f"ds{k}.ds{k - 1}", lambda z, W, d=act.df: d(z) * W[0, 0], [f"z{k}", "W"], (),
                  f"∂s{_s(k)}/∂s{_s(k - 1)}",
                  f"how s{_s(k)} changes with s{_s(k - 1)}", f"производная s{_s(k)} по s{_s(k - 1)}",
                  "backward", f"∂s{_s(k)}/∂s{_s(k - 1)} = {f_prime}·W",
                  lambda k=k, f_prime=f_prime: _local_slips(act, k, "W", "W", f"∂s{_s(k)}/∂s{_s(k - 1)} = {f_prime}·W"))
        g.derived(f"ds{k}.dW.direct", lambda z, s, d=act.df: d(z) * s, [f"z{k}", f"s{k - 1}"], (),
                  f"∂s{_s(k)}/∂W*",
                  f"the immediate derivative of s{_s(k)} by W, holding s{_s(k - 1)} fixed",
                  f"непосредственная производная s{_s(k)} по W при фиксированном s{_s(k - 1)}",
                  "backward", f"∂s{_s(k)}/∂W* = {f_prime}·s{_s(k - 1)}",
                  lambda k=k, f_prime=f_prime: _local_slips(act, k, f"s{k - 1}", f"s{_s(k - 1)}",
                                                            f"∂s{_s(k)}/∂W* = {f_prime}·s{_s(k - 1)}"))
    for k in range(1, T + 1):
        links = [f"ds{i}.ds{i - 1}" for i in range(2, k + 1)]
        direct = [f"ds{j}.dW.direct" for j in range(1, k + 1)]

        def total(*values, k=k):
            v = [float(x) for x in values]  # numbers: plain floats are many times quicker than 0-d arrays
            a, d = v[:k - 1], v[k - 1:]  # a[i-2] = ∂s_i/∂s_{i-1}, d[j-1] = ∂s_j/∂W*
            return sum(math.prod(a[i - 2] for i in range(j + 1, k + 1)) * d[j - 1] for j in range(1, k + 1))
        def terms(k=k) -> str:
            return f"∂s{_s(k)}/∂W = " + " + ".join(
                "·".join([f"∂s{_s(i)}/∂s{_s(i - 1)}" for i in range(k, j, -1)] + [f"∂s{_s(j)}/∂W*"])
                for j in range(k, 0, -1))

        def mistakes(k=k, links=links, direct=direct, total=total) -> list[_V]:
            if k < 2:
                return []
            direct_k, chain = f"∂s{_s(k)}/∂W*", f"∂s{_s(k)}/∂s{_s(k - 1)}·∂s{_s(k - 1)}/∂W"
            return [
                _V("no_direct_term", tuple(links + direct), lambda *v, total=total, k=k: total(*v) - v[-1],
                   f"You left out the direct term {direct_k} (s{_s(k - 1)} held fixed): "
                   f"∂s{_s(k)}/∂W = {direct_k} + {chain}.",
                   f"Вы пропустили непосредственное слагаемое {direct_k} (при фиксированном s{_s(k - 1)}): "
                   f"∂s{_s(k)}/∂W = {direct_k} + {chain}."),
                _V("last_step_only", (direct[-1],), lambda d: d * 1.0,
                   f"That is only the direct term {direct_k}; W also acts through s{_s(k - 1)}: "
                   f"∂s{_s(k)}/∂W = {direct_k} + {chain}.",
                   f"Это только непосредственное слагаемое {direct_k}; W влияет ещё и через s{_s(k - 1)}: "
                   f"∂s{_s(k)}/∂W = {direct_k} + {chain}."),
            ]
        g.derived(f"ds{k}.dW", total, links + direct, (), f"∂s{_s(k)}/∂W",
                  f"the total derivative of s{_s(k)} by W, a sum over the steps it passed through",
                  f"полная производная s{_s(k)} по W: сумма по всем шагам, через которые W влияет",
                  "backward", terms, mistakes)


def _jacobian_norms(g: _Graph, T, n_h, act) -> None:
    for k in range(1, T + 1):
        if n_h == 1:  # from the accepted links ∂s_i/∂s_{i−1}, so a student's rounding carries forward
            deps = [f"ds{i}.ds{i - 1}" for i in range(2, k + 1)]
            fn = _scalar_norm
            product = "·".join(f"∂s{_s(i)}/∂s{_s(i - 1)}" for i in range(k, 1, -1))
            formula = f"‖∂s{_s(k)}/∂s₁‖ = |{product}|"
        else:
            deps = [f"z{i}" for i in range(2, k + 1)] + ["W"]
            fn = _jacobian_norm(act.df, n_h)
            product = "·".join(f"J{_s(i)}" for i in range(k, 1, -1))
            formula = f"‖∂s{_s(k)}/∂s₁‖ = ‖{product}‖₂, Jᵢ = diag({act.symbol}′(zᵢ))·W"
        if k == 1:
            formula = "‖∂s₁/∂s₁‖ = 1"
        g.derived(f"jac_norm{k}", fn, deps, (), f"‖∂s{_s(k)}/∂s₁‖",
                  f"the size of ∂s{_s(k)}/∂s₁, {k - 1} step{'' if k == 2 else 's'} back"
                  + ("" if n_h == 1 else " (spectral norm)"),
                  f"величина ∂s{_s(k)}/∂s₁ на {k - 1} {ru_plural(k - 1, 'шаг', 'шага', 'шагов')} назад"
                  + ("" if n_h == 1 else " (спектральная норма)"),
                  "value", formula)
    frobenius = () if n_h == 1 else (_V(
        "frobenius", tuple(f"z{i}" for i in range(2, T + 1)) + ("W",), _frobenius_norms(act.df, n_h, T),
        f"Those are Frobenius norms (‖I‖_F = √{n_h}, not 1): the size of a Jacobian here is its spectral norm, "
        "the largest factor by which it stretches a vector; the Frobenius norm is the one clipping uses.",
        f"Это нормы Фробениуса (‖I‖_F = √{n_h}, а не 1): размер якобиана здесь — спектральная норма, наибольший "
        "коэффициент растяжения вектора; норма Фробениуса нужна для ограничения градиента."),)
    g.derived("jac_norms", lambda *v: np.array([float(x) for x in v]), [f"jac_norm{k}" for k in range(1, T + 1)],
              (T,), f"‖∂sₖ/∂s₁‖, k = 1…{T}",
              f"the norms ‖∂sₖ/∂s₁‖ for k = 1 … {T}, for a plot against the number of steps",
              f"нормы ‖∂sₖ/∂s₁‖ для k = 1 … {T} — для графика в зависимости от числа шагов",
              "value", f"(‖∂s₁/∂s₁‖, …, ‖∂s{_s(T)}/∂s₁‖)", frobenius)




def _scalar_norm(*links):
    """|Π ∂s_i/∂s_{i−1}| (1 for no links)."""
    return abs(math.prod(float(a) for a in links))


def _jacobian_norm(df, n_h: int, kind=2):
    """‖J_k·…·J_2‖₂ with J_i = diag(f′(z_i))·W, from (z_2, …, z_k, W); ``kind="fro"``: Frobenius."""
    def norm(*values):
        zs, W = values[:-1], values[-1]
        J = np.eye(n_h)
        for z in zs:
            J = (df(z)[:, None] * W) @ J
        return np.linalg.norm(J, kind)
    return norm


def _frobenius_norms(df, n_h: int, T: int):
    """Every ‖∂sₖ/∂s₁‖ taken as a Frobenius norm, from (z_2, …, z_T, W): the clipping norm mistaken
    for the size of a Jacobian."""
    def norms(*values):
        zs, W = values[:-1], values[-1]
        return np.array([_jacobian_norm(df, n_h, "fro")(*zs[:k - 1], W) for k in range(1, T + 1)])
    return norms


def _conventions(g: _Graph, T, act, output, loss, half, mean, clip, has_b, has_c) -> None:
    inner = f"U·xₜ + W·sₜ₋₁{' + b' if has_b else ''}"
    state = f"sₜ = {inner if act.name == 'identity' else f'{act.symbol}({inner})'}, t = 1 … {T}"
    g.convention("state", f"{state}; column vectors", f"{state}; векторы-столбцы")
    lin = "V·sₜ" + (" + c" if has_c else "")
    if output == "softmax":
        g.convention("output", f"oₜ = softmax({lin}) at every step", f"oₜ = softmax({lin}) на каждом шаге")
    elif output == "linear":
        g.convention("output", f"oₜ = {lin} at every step (no activation)",
                     f"oₜ = {lin} на каждом шаге (без функции активации)")
    if loss == "none":
        g.convention("loss", f"no loss: the gradients are of L = Σ s{_s(T)}, the sum of the last state "
                             f"(L = s{_s(T)} for one state unit)",
                     f"функции потерь нет: производные берутся от L = Σ s{_s(T)}, суммы компонент последнего "
                     f"состояния (L = s{_s(T)}, если состояние — число)")
    elif loss == "squared":
        last = f"o{_s(T)}" if output != "none" else f"s{_s(T)}"
        c = "½·" if half else ""
        g.convention("loss", f"squared loss on the last output only: L = {c}Σ({last} − y)²"
                             + (" (with ½)" if half else " (no ½)"),
                     f"квадратичная функция потерь только для последнего выхода: L = {c}Σ({last} − y)²"
                     + (" (с ½)" if half else " (без ½)"))
    else:
        g.convention("loss", "cross-entropy at every step, natural log, classes counted from 1, "
                             + ("averaged over the steps" if mean else "summed over the steps"),
                     "перекрёстная энтропия на каждом шаге, натуральный логарифм, классы нумеруются с 1, "
                     + ("усреднение по шагам" if mean else "сумма по шагам"))
    g.convention("bptt", "∂L/∂W, ∂L/∂U (and ∂L/∂b) are sums over all steps of the same shared weights",
                 "∂L/∂W, ∂L/∂U (и ∂L/∂b) — суммы по всем шагам, так как веса общие для всех шагов")
    if clip:
        g.convention("clip", "clipping: if ‖∂L/∂W‖ > τ, ∂L/∂W is scaled to norm τ (Frobenius norm)",
                     "ограничение градиента: если ‖∂L/∂W‖ > τ, ∂L/∂W масштабируется до нормы τ (норма Фробениуса)")


KIND = Kind(
    name="rnn",
    summary="A simple recurrent net sₜ = f(U·xₜ + W·sₜ₋₁ + b) over T steps with an optional softmax or "
            "linear output: forward pass, loss, backprop through time, ∂sₖ/∂W as a sum of products "
            "(scalar state), the norms ‖∂sₖ/∂s₁‖ (vanishing and exploding gradients), gradient clipping.",
    fields=(
        FieldDoc("x", True, "the inputs, one per step: a list of numbers (scalar inputs) or a list of rows"),
        FieldDoc("s0", False, "the initial state s₀ (default all zeros)"),
        FieldDoc("U", True, "input weights, n_state×n_input (a number for a scalar net; a list is a column "
                            "for scalar inputs or a row for a one-unit state)"),
        FieldDoc("W", True, "recurrent weights: a number (scalar state) or a square matrix"),
        FieldDoc("b", False, "the state bias (omit for none)"),
        FieldDoc("activation", True, "f: " + ", ".join(_ACTIVATIONS)),
        FieldDoc("output", False, '"none" (default), "softmax" (oₜ = softmax(V·sₜ + c)) or "linear" (oₜ = V·sₜ + c)'),
        FieldDoc("V", False, "output weights, n_output×n_state (required with an output; for a scalar state a "
                             "list gives one weight per output)"),
        FieldDoc("c", False, "the output bias (omit for none)"),
        FieldDoc("loss", True, '"none" (gradients of L = Σ s_T, the sum of the last state), "squared" '
                               '(on the last output, or on s_T without an output layer) or "cross_entropy" '
                               '(every step; needs output = "softmax")'),
        FieldDoc("y", False, "squared loss: the target of the last output"),
        FieldDoc("half", False, "squared loss (required there): true for L = ½Σ(o_T − y)², false for Σ(o_T − y)²"),
        FieldDoc("labels", False, "cross-entropy: the class of every step, numbers counted from 1"),
        FieldDoc("reduction", False, 'cross-entropy: "sum" (default) or "mean" over the steps'),
        FieldDoc("clip", False, "a threshold τ: adds ‖∂L/∂W‖ and ∂L/∂W clipped to norm at most τ"),
    ),
    build=build,
    names=(
        NameDoc("x{t}, s0, U, W, b, V, c", "givens: the input at step t, the initial state, the weights"),
        NameDoc("y, labels, clip", "givens: the squared-loss target, the class per step, the clipping threshold τ"),
        NameDoc("z{t}, s{t}", "state pre-activation and state at step t = 1 … T"),
        NameDoc("v{t}, o{t}", "output scores (softmax only) and output at step t"),
        NameDoc("L", "the loss (Σ s_T when loss = \"none\")"),
        NameDoc("grad.o{T}, grad.v{t}", "∂L/∂o_T (squared loss on an output layer), ∂L/∂v_t (softmax)"),
        NameDoc("grad.s{t}, grad.z{t}, grad.s0", "backprop through time: ∂L/∂s_t, ∂L/∂z_t, ∂L/∂s₀"),
        NameDoc("grad.W, grad.U, grad.b, grad.V, grad.c", "weight gradients summed over the steps "
                                                          "(grad.V, grad.c only with a loss on the output)"),
        NameDoc("grad.W.norm, grad.W.clipped", "with clip: ‖∂L/∂W‖ (Frobenius) and the clipped gradient"),
        NameDoc("ds{k}.ds{k-1}, ds{k}.dW.direct, ds{k}.dW",
                "scalar state only: f′(z_k)·W, the immediate f′(z_k)·s_{k−1}, and the total ∂s_k/∂W "
                "as a sum of products"),
        NameDoc("jac_norm{k}, jac_norms", "‖∂s_k/∂s₁‖ for k = 1 … T (spectral norm of the product of "
                                          "Jacobians), and all of them as one vector for a plot"),
    ),
)
