"""A simple recurrent net over T steps: forward, loss, backprop through time, gradient norms.

Input:    x_t given, or tokens with an embedding E: x_t = e_t = E·X_t, the token's column of E.
State:    z_t = U·x_t + W·s_{t−1} (+ b),  s_t = f(z_t),  t = 1 … T;  s_0 given (default 0).
Output:   softmax: v_t = V·s_t (+ c), o_t = softmax(v_t);  sigmoid: o_t = σ(v_t) (one unit);
          linear: o_t = V·s_t (+ c);  or none.
Loss:     none: L = Σᵢ s_T,i, the sum of the last state's components (L = s_T for a scalar net);
          squared: L = k·Σ(o_T − y)² on the last output only (o_T = s_T without an output layer),
          k = ½ or 1;  cross_entropy: L = −Σ_t ln o_t[y_t] (or the mean over t), y_t a class
          number counted from 1;  log_loss (sigmoid output): L = Σ_t L_t (or the mean), y_t ∈ {0, 1}.
          With ``per_step`` (and always for the log-loss) each L_t is a quantity; see :mod:`.rnn_steps`.
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
Mistakes:  declared by the operations (:mod:`nntutor.core.ops.rnn`, and the activation's and the
          loss's own): f′ forgotten or tanh′ without its square (∂L/∂z_t, ∂s_k/∂s_{k−1}, ∂s_k/∂W*);
          W for Wᵀ (vector state); ∂L/∂s_t without the later steps or without its own output;
          ∂L/∂W, ∂L/∂U, ∂L/∂b from the last step only; ∂s_k/∂W without its direct term, or the
          direct term alone; Frobenius norms for the Jacobians' sizes; clipping each entry
          instead of the norm; the ½, the mean and the log's base of the loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..graph import Problem, texts
from ..notation import base_symbol, grad_key, grad_symbol, ru_plural, subscript
from ..ops import ACTIVATIONS, Activation, activation
from ..ops import loss as loss_op
from ..ops import optimizer as optimizer_op
from ..ops import rnn as op
from ..ops.record import Op
from ..ops.shaped import dropped, reshaped
from ..writer import Writer
from . import rnn_steps as steps
from .rnn_read import labels as _labels
from .rnn_read import matrix as _matrix
from .rnn_read import only as _only
from .rnn_read import output_matrix as _output_matrix
from .rnn_read import vector as _vector
from . import DataError, FieldDoc, Kind, NameDoc, read_array, read_bool, read_choice, read_number, reject_unknown

_TOP = {"kind", "x", "s0", "U", "W", "b", "activation", "output", "V", "c", "loss", "y", "half",
        "labels", "reduction", "clip", "tokens", "E", "per_step"}
_ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu")
_MAX_T = 50
_MAX_SIZE = 16


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, _TOP)

    tokens = E = None
    if "tokens" in data:
        tokens, E = steps.read_tokens(data, path, _MAX_T)
        x = E[:, tokens.astype(int) - 1].T  # the embeddings eₜ, one row per step
    else:
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

    output = read_choice(data, "output", path, ("none", "softmax", "linear", "sigmoid"), default="none")
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
        if output == "sigmoid" and n_out != 1:
            raise DataError(f"{path}.V", "a sigmoid output here is one unit: V has one row (one weight per state "
                                         "unit)")
        c = _vector(data, "c", path, n_out, "outputs (rows of V)")

    loss = read_choice(data, "loss", path, ("none", "squared", "cross_entropy", "log_loss"))
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
    elif loss == "log_loss":
        if output != "sigmoid":
            raise DataError(f"{path}.loss", 'log_loss needs output = "sigmoid"')
        _only(data, path, ("y", "half"), 'with loss = "squared"')
        labels = steps.read_binary_labels(data, path, T)
        mean = read_choice(data, "reduction", path, ("sum", "mean"), default="sum") == "mean"
    else:
        if output != "softmax":
            raise DataError(f"{path}.loss", 'cross_entropy needs output = "softmax"')
        _only(data, path, ("y", "half"), 'with loss = "squared"')
        labels = _labels(data, path, T, n_out)
        mean = read_choice(data, "reduction", path, ("sum", "mean"), default="sum") == "mean"
    if output == "sigmoid" and loss not in ("log_loss", "none"):
        raise DataError(f"{path}.loss", 'a sigmoid output takes loss = "log_loss" (or "none")')
    per_step = read_bool(data, "per_step", path, default=False)
    if per_step and loss not in ("cross_entropy", "log_loss"):
        raise DataError(f"{path}.per_step", 'needs a loss at every step: loss = "cross_entropy" or "log_loss"')
    clip = read_number(data, "clip", path, positive=True) if "clip" in data else None

    net = _Net(T, n_in, n_h, n_out, act, output, loss, half, mean, bias is not None, c is not None,
               tokens is not None, per_step)
    w = Writer("rnn")
    if tokens is not None:
        steps.embedding(w, tokens, E)
    _givens(w, None if tokens is not None else X, s0, U, W, bias, V, c, y, labels, clip, loss == "log_loss")
    _forward(w, net)
    _loss(w, net)
    if loss != "none":
        _output_grads(w, net)
    _bptt(w, net)
    if clip is not None:
        _clipping(w)
    if n_h == 1:
        _sum_of_products(w, net)
    _jacobian_norms(w, net)
    _conventions(w, net, clip is not None)
    return w.build()


# -- the graph -------------------------------------------------------------------------

@dataclass(frozen=True)
class _Net:
    """The net's sizes and choices, as read."""

    T: int
    n_in: int
    n_h: int
    n_out: int
    act: Activation
    output: str
    loss: str
    half: bool
    mean: bool
    has_b: bool
    has_c: bool
    embedded: bool = False  # the inputs are embeddings eₜ of tokens
    per_step: bool = False  # losses Lₜ at every step, and the weights' gradients as sums of step terms

    def shaped(self, operation: Op, out: tuple) -> Op:
        """``operation`` computed on column vectors and matrices, its value (of shape ``out``) shown with
        sizes of 1 dropped: a scalar net has scalar quantities, a 1×n matrix is a list of n numbers."""
        n_in, n_h, n_out = self.n_in, self.n_h, self.n_out
        return reshaped(operation, dropped(out), x=(n_in,), s=(n_h,), U=(n_h, n_in), W=(n_h, n_h), b=(n_h,),
                        V=(n_out, n_h), c=(n_out,), gv=(n_out,), gz=(n_h,), labels=(self.T,))

    @property
    def steps(self) -> range:
        return range(1, self.T + 1)


def _sub(i: int) -> str:
    return subscript(str(i))


def _shown(value) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    return value.reshape(dropped(value.shape))


def _each(slot: str, keys) -> dict[str, str]:
    """``slot1``, ``slot2`` … at ``keys``: the numbered slots of an operation over the steps."""
    return {f"{slot}{i}": key for i, key in enumerate(keys, start=1)}


def _links(k: int) -> dict[str, str]:
    """The slots ``link2`` … ``linkk`` at ∂s_i/∂s_{i−1} (scalar state)."""
    return {f"link{i}": f"ds{i}.ds{i - 1}" for i in range(2, k + 1)}


def _givens(w: Writer, X, s0, U, W, bias, V, c, y, labels, clip, binary: bool) -> None:
    for t, row in enumerate(() if X is None else X, start=1):
        w.given(f"x{t}", _shown(row), f"x{_sub(t)}", texts(f"the input at step {t}", f"вход на шаге {t}"))
    w.given("s0", _shown(s0), "s₀", texts("the initial state", "начальное состояние"))
    w.given("U", _shown(U), "U", texts("the input-to-state weights", "веса вход → состояние"))
    w.given("W", _shown(W), "W", texts("the state-to-state (recurrent) weights",
                                       "рекуррентные веса состояние → состояние"))
    if bias is not None:
        w.given("b", _shown(bias), "b", texts("the state bias", "смещение состояния"))
    if V is not None:
        w.given("V", _shown(V), "V", texts("the state-to-output weights", "веса состояние → выход"))
    if c is not None:
        w.given("c", _shown(c), "c", texts("the output bias", "смещение выхода"))
    if y is not None:
        w.given("y", _shown(y), "y", texts("the target of the last output", "целевое значение последнего выхода"))
    if labels is not None and binary:
        w.given("labels", _shown(labels), "y", texts("the target of every step, 0 or 1", "цель на каждом шаге, 0 или 1"))
    elif labels is not None:
        w.given("labels", _shown(labels), "y", texts("the class of every step (counted from 1)",
                                                     "класс на каждом шаге (нумерация с 1)"))
    if clip is not None:
        w.given("clip", clip, "τ", texts("the clipping threshold for the norm of ∂L/∂W",
                                         "порог ограничения нормы ∂L/∂W"))


def _forward(w: Writer, net: _Net) -> None:
    act = net.act
    cell = net.shaped(op.cell(net.has_b), (net.n_h,))
    state = op.state(act)
    scores = net.shaped(op.output(net.has_c), (net.n_out,))
    bias = {"b": "b"} if net.has_b else {}
    out_bias = {"c": "c"} if net.has_c else {}
    for t in net.steps:
        w.apply(cell, f"z{t}", f"z{_sub(t)}",
                texts(f"the state pre-activation at step {t} (before {act.names['en']})",
                      f"предактивация состояния на шаге {t} (до функции «{act.names['ru']}»)"),
                "forward", x=f"x{t}", s=f"s{t - 1}", U="U", W="W", **bias)
        w.apply(state, f"s{t}", f"s{_sub(t)}", texts(f"the state at step {t}", f"состояние на шаге {t}"), "forward",
                z=f"z{t}")
        if net.output == "sigmoid":
            w.apply(scores, f"v{t}", f"v{_sub(t)}",
                    texts(f"the output logit at step {t}", f"выходной логит на шаге {t}"), "forward",
                    s=f"s{t}", V="V", **out_bias)
            w.apply(activation.forward(ACTIVATIONS["sigmoid"]), f"o{t}", f"o{_sub(t)}",
                    texts(f"the output probability at step {t}", f"выходная вероятность на шаге {t}"), "forward",
                    z=f"v{t}")
        elif net.output == "softmax":
            w.apply(scores, f"v{t}", f"v{_sub(t)}",
                    texts(f"the output scores (logits) at step {t}", f"выходные оценки (логиты) на шаге {t}"),
                    "forward", s=f"s{t}", V="V", **out_bias)
            w.apply(op.PROBABILITIES, f"o{t}", f"o{_sub(t)}",
                    texts(f"the output probabilities at step {t}", f"выходные вероятности на шаге {t}"), "forward",
                    v=f"v{t}")
        elif net.output == "linear":
            w.apply(scores, f"o{t}", f"o{_sub(t)}", texts(f"the output at step {t}", f"выход на шаге {t}"),
                    "forward", s=f"s{t}", V="V", **out_bias)


def _loss(w: Writer, net: _Net) -> None:
    T = net.T
    if net.loss == "none":
        w.apply(op.STATE_SUM, "L", "L", texts(f"the value differentiated: the sum of the last state s{_sub(T)}",
                                              f"дифференцируемая величина: сумма компонент последнего состояния "
                                              f"s{_sub(T)}"), "loss", s=f"s{T}")
    elif net.loss == "squared":
        last = f"o{T}" if net.output != "none" else f"s{T}"
        w.apply(loss_op.loss("squared", 1, False, half=net.half), "L", "L",
                texts(f"the squared loss of the last output {base_symbol(last)}",
                      f"квадратичная функция потерь последнего выхода {base_symbol(last)}"), "loss", y_hat=last, y="y")
    elif net.per_step or net.loss == "log_loss":
        steps.step_losses(w, T, net.loss, net.mean)
    else:
        loss = net.shaped(op.cross_entropy(T, net.mean), ())
        w.apply(loss, "L", "L", texts("the cross-entropy loss over all steps", "перекрёстная энтропия по всем шагам"),
                "loss", names={"text": loss.formula}, labels="labels", **_each("o", [f"o{t}" for t in net.steps]))


def _squared_grad(net: _Net) -> Op:
    """∂L/∂o_T of the squared loss on the last output (o_T = s_T without an output layer)."""
    return loss_op.output_gradient("squared", 1, False, half=net.half)


def _output_grads(w: Writer, net: _Net) -> None:
    """∂L/∂v_t (softmax) or ∂L/∂o_T (squared loss on an output layer), then ∂L/∂V, ∂L/∂c."""
    if net.output == "none":
        return
    T = net.T
    if net.loss == "log_loss":
        steps.sigmoid_scores_grads(w, T, net.mean, (net.n_out,))
        out_steps, out_key = list(net.steps), "v"
    elif net.loss == "cross_entropy":
        for t in net.steps:
            w.apply(net.shaped(op.scores_grad(t, T, net.mean), (net.n_out,)), grad_key(f"v{t}"),
                    grad_symbol(f"v{t}"),
                    texts(f"the gradient with respect to the scores v{_sub(t)} (softmax and cross-entropy together)",
                          f"производная по оценкам v{_sub(t)} (softmax и перекрёстная энтропия вместе)"),
                    "backward", o=f"o{t}", labels="labels")
        out_steps, out_key = list(net.steps), "v"
    else:
        w.apply(_squared_grad(net), grad_key(f"o{T}"), grad_symbol(f"o{T}"),
                texts(f"the gradient with respect to the last output o{_sub(T)}",
                      f"производная по последнему выходу o{_sub(T)}"), "backward", y_hat=f"o{T}", y="y")
        out_steps, out_key = [T], "o"
        if net.output == "softmax":
            w.apply(op.SOFTMAX_GRAD, grad_key(f"v{T}"), grad_symbol(f"v{T}"),
                    texts(f"the gradient with respect to the scores v{_sub(T)}, through the softmax",
                          f"производная по оценкам v{_sub(T)} (через softmax)"), "backward",
                    g=grad_key(f"o{T}"), o=f"o{T}")
            out_key = "v"
    n = len(out_steps)
    grads = _each("g", [grad_key(f"{out_key}{t}") for t in out_steps])
    term = {"g_t": f"∂L/∂{out_key}ₜ"}
    w.apply(net.shaped(op.shared_grad(n, last_only=False), (net.n_out, net.n_h)), grad_key("V"), grad_symbol("V"),
            texts("the gradient with respect to the output weights V", "производная по весам выхода V"), "backward",
            names={**term, "a_t": "sₜ"}, **grads, **_each("a", [f"s{t}" for t in out_steps]))
    if net.has_c:
        w.apply(op.shared_bias_grad(n, last_only=False), grad_key("c"), grad_symbol("c"),
                texts("the gradient with respect to the output bias c", "производная по смещению выхода c"),
                "backward", names=term, **grads)


def _bptt(w: Writer, net: _Net) -> None:
    T, act = net.T, net.act
    # which output-side gradient reaches s_t through V
    if net.loss in ("cross_entropy", "log_loss"):
        out_at = {t: grad_key(f"v{t}") for t in net.steps}
    elif net.loss == "squared" and net.output != "none":
        out_at = {T: grad_key(f"v{T}") if net.output == "softmax" else grad_key(f"o{T}")}
    else:
        out_at = {}
    for t in range(T, 0, -1):
        st = f"s{t}"
        meaning = texts(f"the gradient with respect to the state s{_sub(t)} (backprop through time)",
                        f"производная по состоянию s{_sub(t)} (обратное распространение во времени)")
        if t == T and net.loss == "none":
            w.apply(op.STATE_SUM_GRAD, grad_key(st), grad_symbol(st), meaning, "backward", s=st)
        elif t == T and net.loss == "squared" and net.output == "none":
            w.apply(_squared_grad(net), grad_key(st), grad_symbol(st), meaning, "backward", y_hat=st, y="y")
        else:
            at = {}
            if t in out_at:
                at.update(gv=out_at[t], V="V")
            if t < T:
                at.update(gz=grad_key(f"z{t + 1}"), W="W", s=st, s_next=f"s{t + 1}")
            w.apply(net.shaped(op.state_grad(t in out_at, t < T, net.n_h > 1), (net.n_h,)), grad_key(st),
                    grad_symbol(st), meaning, "backward", names={"t": str(t)}, **at)
        w.apply(activation.backward(act), grad_key(f"z{t}"), grad_symbol(f"z{t}"),
                texts(f"the gradient with respect to z{_sub(t)}, through the {act.names['en']}",
                      f"производная по z{_sub(t)} (через функцию «{act.names['ru']}»)"),
                "backward", g=grad_key(st), z=f"z{t}", a=st)
    w.apply(net.shaped(op.state_grad(False, True, net.n_h > 1), (net.n_h,)), grad_key("s0"), grad_symbol("s0"),
            texts("the gradient with respect to the initial state s₀", "производная по начальному состоянию s₀"),
            "backward", gz=grad_key("z1"), W="W")
    gz = _each("g", [grad_key(f"z{t}") for t in net.steps])
    term = {"g_t": "∂L/∂zₜ"}
    if net.per_step:
        steps.contributions(w, T, "W", [f"s{t - 1}" for t in net.steps], net.n_h, net.n_h)
        steps.contributions(w, T, "U", [f"x{t}" for t in net.steps], net.n_in, net.n_h)
    else:
        _shared_weight_grads(w, net, gz, term)
    if net.has_b:
        w.apply(op.shared_bias_grad(T, last_only=True), grad_key("b"), grad_symbol("b"),
                texts("the gradient with respect to the state bias b", "производная по смещению состояния b"),
                "backward", names=term, **gz)


def _shared_weight_grads(w: Writer, net: _Net, gz, term) -> None:
    T = net.T
    w.apply(net.shaped(op.shared_grad(T, last_only=True), (net.n_h, net.n_h)), grad_key("W"), grad_symbol("W"),
            texts("the gradient with respect to the recurrent weights W (summed over the steps)",
                  "производная по рекуррентным весам W (сумма по шагам)"), "backward",
            names={**term, "a_t": "sₜ₋₁"}, **gz, **_each("a", [f"s{t - 1}" for t in net.steps]))
    w.apply(net.shaped(op.shared_grad(T, last_only=True), (net.n_h, net.n_in)), grad_key("U"), grad_symbol("U"),
            texts("the gradient with respect to the input weights U (summed over the steps)",
                  "производная по входным весам U (сумма по шагам)"), "backward",
            names={**term, "a_t": "eₜ" if net.embedded else "xₜ"}, **gz, **_each("a", [f"x{t}" for t in net.steps]))


def _clipping(w: Writer) -> None:
    w.apply(optimizer_op.euclidean_norm(matrix=True), "grad.W.norm", "‖∂L/∂W‖",
            texts("the norm of ∂L/∂W (Frobenius: the square root of the sum of squares)",
                  "норма ∂L/∂W (фробениусова: корень из суммы квадратов)"), "value", g=grad_key("W"))
    w.apply(optimizer_op.clip(), "grad.W.clipped", "clip(∂L/∂W)",
            texts("∂L/∂W after clipping its norm to at most τ", "∂L/∂W после ограничения нормы порогом τ"), "value",
            g=grad_key("W"), norm="grad.W.norm", c="clip")


def _sum_of_products(w: Writer, net: _Net) -> None:
    """The scalar-state derivatives ∂s_k/∂s_{k−1}, ∂s_k/∂W* and ∂s_k/∂W as a sum of products."""
    local = op.local_derivative(net.act)
    for k in net.steps:
        w.apply(local, f"ds{k}.ds{k - 1}", f"∂s{_sub(k)}/∂s{_sub(k - 1)}",
                texts(f"how s{_sub(k)} changes with s{_sub(k - 1)}", f"производная s{_sub(k)} по s{_sub(k - 1)}"),
                "backward", g="W", z=f"z{k}", a=f"s{k}")
        w.apply(local, f"ds{k}.dW.direct", f"∂s{_sub(k)}/∂W*",
                texts(f"the immediate derivative of s{_sub(k)} by W, holding s{_sub(k - 1)} fixed",
                      f"непосредственная производная s{_sub(k)} по W при фиксированном s{_sub(k - 1)}"),
                "backward", g=f"s{k - 1}", z=f"z{k}", a=f"s{k}")
    for k in net.steps:
        at = {**_links(k), **_each("direct", [f"ds{j}.dW.direct" for j in range(1, k + 1)])}
        if k > 1:
            at.update(s=f"s{k - 1}", before=f"ds{k - 1}.dW", W="W")
        w.apply(op.total_derivative(k), f"ds{k}.dW", f"∂s{_sub(k)}/∂W",
                texts(f"the total derivative of s{_sub(k)} by W, a sum over the steps it passed through",
                      f"полная производная s{_sub(k)} по W: сумма по всем шагам, через которые W влияет"),
                "backward", **at)


def _jacobian_norms(w: Writer, net: _Net) -> None:
    n_h, T = net.n_h, net.T
    for k in net.steps:
        if n_h == 1:  # from the accepted links ∂s_i/∂s_{i−1}, so a student's rounding carries forward
            at = _links(k)
        else:
            at = {**{f"z{i}": f"z{i}" for i in range(2, k + 1)}, "W": "W"}
        w.apply(op.jacobian_norm(net.act, k, n_h), f"jac_norm{k}", f"‖∂s{_sub(k)}/∂s₁‖",
                texts(f"the size of ∂s{_sub(k)}/∂s₁, {k - 1} step{'' if k == 2 else 's'} back"
                      + ("" if n_h == 1 else " (spectral norm)"),
                      f"величина ∂s{_sub(k)}/∂s₁ на {k - 1} {ru_plural(k - 1, 'шаг', 'шага', 'шагов')} назад"
                      + ("" if n_h == 1 else " (спектральная норма)")), "value", **at)
    zs = {} if n_h == 1 else {**{f"z{i}": f"z{i}" for i in range(2, T + 1)}, "W": "W"}
    w.apply(net.shaped(op.jacobian_norms(net.act, T, n_h), (T,)), "jac_norms", f"‖∂sₖ/∂s₁‖, k = 1…{T}",
            texts(f"the norms ‖∂sₖ/∂s₁‖ for k = 1 … {T}, for a plot against the number of steps",
                  f"нормы ‖∂sₖ/∂s₁‖ для k = 1 … {T} — для графика в зависимости от числа шагов"), "value",
            **_each("norm", [f"jac_norm{k}" for k in net.steps]), **zs)


def _conventions(w: Writer, net: _Net, clip: bool) -> None:
    act, T = net.act, net.T
    x = "eₜ" if net.embedded else "xₜ"
    inner = f"U·{x} + W·sₜ₋₁{' + b' if net.has_b else ''}"
    state = f"sₜ = {inner if act.name == 'identity' else f'{act.symbol}({inner})'}, t = 1 … {T}"
    w.convention("state", texts(f"{state}; column vectors", f"{state}; векторы-столбцы"))
    lin = "V·sₜ" + (" + c" if net.has_c else "")
    if net.output == "softmax":
        w.convention("output", texts(f"oₜ = softmax({lin}) at every step", f"oₜ = softmax({lin}) на каждом шаге"))
    elif net.output == "sigmoid":
        w.convention("output", texts(f"oₜ = σ({lin}) at every step: the probability that yₜ = 1",
                                     f"oₜ = σ({lin}) на каждом шаге — вероятность того, что yₜ = 1"))
    elif net.output == "linear":
        w.convention("output", texts(f"oₜ = {lin} at every step (no activation)",
                                     f"oₜ = {lin} на каждом шаге (без функции активации)"))
    if net.loss == "none":
        w.convention("loss", texts(f"no loss: the gradients are of L = Σ s{_sub(T)}, the sum of the last state "
                                   f"(L = s{_sub(T)} for one state unit)",
                                   f"функции потерь нет: производные берутся от L = Σ s{_sub(T)}, суммы компонент "
                                   f"последнего состояния (L = s{_sub(T)}, если состояние — число)"))
    elif net.loss == "squared":
        last = f"o{_sub(T)}" if net.output != "none" else f"s{_sub(T)}"
        c = "½·" if net.half else ""
        w.convention("loss", texts(f"squared loss on the last output only: L = {c}Σ({last} − y)²"
                                   + (" (with ½)" if net.half else " (no ½)"),
                                   f"квадратичная функция потерь только для последнего выхода: L = {c}Σ({last} − y)²"
                                   + (" (с ½)" if net.half else " (без ½)")))
    elif net.loss == "log_loss":
        w.convention("loss", texts("log-loss at every step, Lₜ = −[yₜ ln oₜ + (1 − yₜ) ln(1 − oₜ)], natural log; L is "
                                   + ("their mean over the steps" if net.mean else "their sum over the steps"),
                                   "логистическая функция потерь на каждом шаге, Lₜ = −[yₜ ln oₜ + (1 − yₜ) ln(1 − oₜ)], "
                                   "логарифм натуральный; L — " + ("их среднее по шагам" if net.mean
                                                                   else "их сумма по шагам")))
    else:
        w.convention("loss", texts("cross-entropy at every step, natural log, classes counted from 1, "
                                   + ("averaged over the steps" if net.mean else "summed over the steps"),
                                   "перекрёстная энтропия на каждом шаге, натуральный логарифм, классы нумеруются "
                                   "с 1, " + ("усреднение по шагам" if net.mean else "сумма по шагам")))
    if net.per_step:
        w.convention("terms", texts(f"∂L/∂W|ₜ = ∂L/∂zₜ·sₜ₋₁ᵀ and ∂L/∂U|ₜ = ∂L/∂zₜ·{x}ᵀ are the contributions of step t; "
                                    "∂L/∂W and ∂L/∂U are their sums",
                                    f"∂L/∂W|ₜ = ∂L/∂zₜ·sₜ₋₁ᵀ и ∂L/∂U|ₜ = ∂L/∂zₜ·{x}ᵀ — вклады шага t; ∂L/∂W и ∂L/∂U — "
                                    "их суммы"))
    w.convention("bptt", texts("∂L/∂W, ∂L/∂U (and ∂L/∂b) are sums over all steps of the same shared weights",
                               "∂L/∂W, ∂L/∂U (и ∂L/∂b) — суммы по всем шагам, так как веса общие для всех шагов"))
    if clip:
        w.convention("clip", texts("clipping: if ‖∂L/∂W‖ > τ, ∂L/∂W is scaled to norm τ (Frobenius norm)",
                                   "ограничение градиента: если ‖∂L/∂W‖ > τ, ∂L/∂W масштабируется до нормы τ "
                                   "(норма Фробениуса)"))


KIND = Kind(
    name="rnn",
    summary="A simple recurrent net sₜ = f(U·xₜ + W·sₜ₋₁ + b) over T steps with an optional softmax or "
            "linear output: forward pass, loss, backprop through time, ∂sₖ/∂W as a sum of products "
            "(scalar state), the norms ‖∂sₖ/∂s₁‖ (vanishing and exploding gradients), gradient clipping.",
    fields=(
        FieldDoc("x", False, "the inputs, one per step: a list of numbers (scalar inputs) or a list of rows "
                             "(required unless tokens are given)"),
        FieldDoc("tokens", False, "instead of x: the tokens read, numbers from 1 to |V|; the input at step t is "
                                  "the embedding eₜ = E·Xₜ, column tokens[t] of E"),
        FieldDoc("E", False, "with tokens: the embedding matrix, d×|V| (one column per token of the vocabulary)"),
        FieldDoc("s0", False, "the initial state s₀ (default all zeros)"),
        FieldDoc("U", True, "input weights, n_state×n_input (a number for a scalar net; a list is a column "
                            "for scalar inputs or a row for a one-unit state)"),
        FieldDoc("W", True, "recurrent weights: a number (scalar state) or a square matrix"),
        FieldDoc("b", False, "the state bias (omit for none)"),
        FieldDoc("activation", True, "f: " + ", ".join(_ACTIVATIONS)),
        FieldDoc("output", False, '"none" (default), "softmax" (oₜ = softmax(V·sₜ + c)), "linear" (oₜ = V·sₜ + c) '
                                  'or "sigmoid" (oₜ = σ(V·sₜ + c), one unit)'),
        FieldDoc("V", False, "output weights, n_output×n_state (required with an output; for a scalar state a "
                             "list gives one weight per output)"),
        FieldDoc("c", False, "the output bias (omit for none)"),
        FieldDoc("loss", True, '"none" (gradients of L = Σ s_T, the sum of the last state), "squared" '
                               '(on the last output, or on s_T without an output layer) or "cross_entropy" '
                               '(every step; needs output = "softmax") or "log_loss" (every step, labels 0 or 1; '
                               'needs output = "sigmoid"; writes Lₜ per step)'),
        FieldDoc("y", False, "squared loss: the target of the last output"),
        FieldDoc("half", False, "squared loss (required there): true for L = ½Σ(o_T − y)², false for Σ(o_T − y)²"),
        FieldDoc("labels", False, "cross-entropy: the class of every step, numbers counted from 1; log-loss: the "
                                  "target of every step, 0 or 1"),
        FieldDoc("reduction", False, 'cross-entropy, log-loss: "sum" (default) or "mean" over the steps'),
        FieldDoc("per_step", False, "true (cross-entropy or log-loss): the loss Lₜ of every step (and, for the "
                                    "cross-entropy, pₜ = oₜ[yₜ] and P = Πₜ pₜ), L from them, and ∂L/∂W, ∂L/∂U as "
                                    "sums of the steps' contributions"),
        FieldDoc("clip", False, "a threshold τ: adds ‖∂L/∂W‖ and ∂L/∂W clipped to norm at most τ"),
    ),
    build=build,
    names=(
        NameDoc("x{t}, s0, U, W, b, V, c", "givens: the input at step t, the initial state, the weights"),
        NameDoc("y, labels, clip", "givens: the squared-loss target, the class per step, the clipping threshold τ"),
        NameDoc("z{t}, s{t}", "state pre-activation and state at step t = 1 … T"),
        NameDoc("v{t}, o{t}", "output scores (softmax only) and output at step t"),
        NameDoc("L", "the loss (Σ s_T when loss = \"none\")"),
        NameDoc("E, tokens, x{t}", "with tokens: the embedding matrix, the tokens, the embedding eₜ read at step t"),
        NameDoc("p{t}, L{t}, P", "per_step (cross-entropy): the true class's probability, the loss of step t, and "
                                 "the sequence's probability Πₜ pₜ; L{t} also for the log-loss"),
        NameDoc("grad.W.at{t}, grad.U.at{t}", "per_step: the contribution of step t to ∂L/∂W and ∂L/∂U"),
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
