"""A simple recurrent net's operations, on column vectors, with their slips.

Shapes: x_t (n_in), s_t, z_t, b (n_h), U (n_h×n_in), W (n_h×n_h), V (n_out×n_h), c, v_t, o_t (n_out).
A kind that stores values with sizes of 1 dropped places these through
:func:`~nntutor.core.ops.shaped.reshaped`.

Forward:  z_t = U·x_t + W·s_{t−1} (+ b) (:func:`cell`), s_t = f(z_t) (:func:`state`), the output
          V·s_t (+ c) (:func:`output`) and its softmax (:data:`PROBABILITIES`).
Losses:   Σ s_T, the cross-entropy −Σₜ ln oₜ[yₜ] over the steps (the squared loss on the last
          output, its gradient, the norm of a gradient and clipping by norm are the shared
          operations of :mod:`.loss` and :mod:`.optimizer`).
BPTT:     ∂L/∂s_t = Vᵀ·∂L/∂v_t + Wᵀ·∂L/∂z_{t+1} (:func:`state_grad`), ∂L/∂z_t through f′ (the
          activation's backward), the shared weights' gradients Σₜ ∂L/∂zₜ·aₜᵀ (:func:`shared_grad`).
Scalar:   ∂s_k/∂s_{k−1} = f′(z_k)·W and ∂s_k/∂W* = f′(z_k)·s_{k−1} (:func:`local_derivative`), the
          total ∂s_k/∂W as a sum of products (:func:`total_derivative`).
Norms:    ‖∂s_k/∂s₁‖ (:func:`jacobian_norm`).

Slips declared here: W for Wᵀ (vector state); ∂L/∂s_t without the later steps or without its own
output; a shared weight's gradient from the last step only; ∂s_k/∂W without its direct term, or the
direct term alone; Frobenius norms for the Jacobians' sizes.
Every slip of an activation's backward (tanh′ without the square, σ′ at the output …) comes with it.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..notation import subscript
from . import activation
from . import loss as loss_slips
from .functions import Activation, softmax
from .record import Op, slip


def _sub(i: int) -> str:
    return subscript(str(i))


# -- forward ------------------------------------------------------------------------------------

def cell(bias: bool) -> Op:
    """z_t = U·x_t + W·s_{t−1} (+ b): the state's pre-activation. Slots x, s (the previous state), U, W, b."""
    def z(x, s, U, W, b=None):
        out = U @ x + W @ s
        return out if b is None else out + b
    return Op("rnn_cell", ("x", "s", "U", "W") + (("b",) if bias else ()), z,
              "{out} = {U}·{x} + {W}·{s}" + (" + {b}" if bias else ""))


def state(act: Activation) -> Op:
    """s_t = f(z_t): the activation's forward with its slips, written s_t = z_t for the identity."""
    op = activation.forward(act)
    return replace(op, formula="{out} = {z}") if act.name == "identity" else op


def output(bias: bool) -> Op:
    """V·s_t (+ c): the output scores (or a linear output). Slots s, V, c."""
    def v(s, V, c=None):
        out = V @ s
        return out if c is None else out + c
    return Op("rnn_output", ("s", "V") + (("c",) if bias else ()), v, "{out} = {V}·{s}" + (" + {c}" if bias else ""))


#: o_t = softmax(v_t).
PROBABILITIES = Op("softmax", ("v",), softmax, "{out} = softmax({v})")


# -- losses and the gradients they start ---------------------------------------------------------

#: L = Σ s_T, the sum of the last state (no loss: the gradients are of the state itself).
STATE_SUM = Op("state_sum", ("s",), np.sum, "{out} = Σ {s}")

#: ∂L/∂s_T = 1 for L = Σ s_T.
STATE_SUM_GRAD = Op("state_sum_grad", ("s",), np.ones_like, "{out} = 1 (L = Σ {s})")


def cross_entropy(T: int, mean: bool) -> Op:
    """L = −Σₜ ln oₜ[yₜ] (× 1/T for the mean), y_t a class counted from 1. Slots o1 … oT, labels (T).

    The formula names the loss L; a placement gives it as ``text`` too (the log-loss slips name it)."""
    scale = 1.0 / T if mean else 1.0

    def loss(*values):
        probs, labels = values[:T], values[T]
        return -scale * sum(np.log(p[int(labels[t]) - 1]) for t, p in enumerate(probs))
    return Op("cross_entropy", tuple(f"o{t}" for t in range(1, T + 1)) + ("labels",), loss,
              "L = −(1/T)·Σₜ ln oₜ[yₜ]" if mean else "L = −Σₜ ln oₜ[yₜ]",
              (loss_slips.loss_reduction(T, mean), *loss_slips.log_slips()))


def scores_grad(t: int, T: int, mean: bool) -> Op:
    """∂L/∂v_t = o_t − onehot(y_t) (÷ T for the mean): softmax and cross-entropy together. Slots o, labels (T)."""
    scale = 1.0 / T if mean else 1.0

    def grad(o, labels):
        onehot = np.zeros_like(o)
        onehot[int(labels[t - 1]) - 1] = 1.0
        return scale * (o - onehot)
    y = "{labels}" + _sub(t)
    return Op("softmax_cross_entropy_grad", ("o", "labels"), grad,
              f"{{out}} = ({{o}} − onehot({y}))/T" if mean else f"{{out}} = {{o}} − onehot({y})",
              loss_slips.gradient_reduction(T, mean, True))


#: ∂L/∂v = o ∘ (∂L/∂o − o·∂L/∂o) through o = softmax(v). Slots g (∂L/∂o), o.
SOFTMAX_GRAD = Op("softmax_grad", ("g", "o"), lambda g, o: o * (g - np.dot(o, g)), "{out} = {o} ∘ ({g} − {o}·{g})")


# -- backprop through time -----------------------------------------------------------------------

def state_grad(out_path: bool, later_path: bool, vector: bool) -> Op:
    """∂L/∂s_t = Vᵀ·∂L/∂v_t (its own output, ``out_path``) + Wᵀ·∂L/∂z_{t+1} (the later steps, ``later_path``).

    Slots gv, V and gz, W; the slips' texts also read ``s`` and ``s_next`` (s_t, s_{t+1}) and ``t``.
    W for Wᵀ is a slip only for a ``vector`` state (for a number the two agree).
    """
    slots = (("gv", "V") if out_path else ()) + (("gz", "W") if later_path else ())
    terms = (["{V}ᵀ·{gv}"] if out_path else []) + (["{W}ᵀ·{gz}"] if later_path else [])

    def grad(*values):
        return sum(M.T @ g for g, M in zip(values[0::2], values[1::2]))

    def not_transposed(*values):
        return sum((M if name == "W" else M.T) @ g for g, M, name in zip(values[0::2], values[1::2], slots[1::2]))
    slips = []
    if later_path and vector:
        slips.append(slip("not_transposed", slots, not_transposed,
                          "You multiplied by {W} instead of its transpose {W}ᵀ: {f}.",
                          "Вы умножили на {W}, а нужно на транспонированную {W}ᵀ: {f}."))
    if out_path and later_path:
        slips += [
            slip("truncated", ["gv", "V"], lambda gv, V: V.T @ gv,
                 "You left out the path through the later steps, {W}ᵀ·{gz}: {s} also reaches the loss through "
                 "{s_next}.",
                 "Вы пропустили путь через следующие шаги, {W}ᵀ·{gz}: {s} влияет на потери ещё и через {s_next}."),
            slip("no_output_path", ["gz", "W"], lambda gz, W: W.T @ gz,
                 "You left out the output at step {t}: {out} also gets {V}ᵀ·{gv}.",
                 "Вы пропустили выход на шаге {t}: в {out} входит ещё {V}ᵀ·{gv}."),
        ]
    return Op("rnn_state_grad", slots, grad, "{out} = " + " + ".join(terms), tuple(slips))


def _outer_sum(n: int):
    """Σₜ gₜ·aₜᵀ over (g₁ … gₙ, a₁ … aₙ) = Gᵀ·A with the gₜ and aₜ as rows (one product, not n outers)."""
    def f(*values):
        return np.array(values[:n]).reshape(n, -1).T @ np.array(values[n:]).reshape(n, -1)
    return f


def _last_step_only(n: int, uses, fn):
    return slip("last_step_only", uses, fn,
                f"You kept only the last step's term; the weights are shared by all {n} steps, so {{f}}.",
                f"Вы учли только слагаемое последнего шага; веса общие для всех {n} шагов, поэтому {{f}}.")


def shared_grad(n: int, last_only: bool) -> Op:
    """∂L/∂M = Σₜ gₜ·aₜᵀ for a weight M shared by n steps (gₜ = ∂L/∂(M·aₜ)). Slots g1 … gn, a1 … an;
    the formula reads ``g_t`` and ``a_t`` (how a term is written). ``last_only``: declare the sum cut
    to the last step."""
    slots = tuple(f"g{t}" for t in range(1, n + 1)) + tuple(f"a{t}" for t in range(1, n + 1))
    slips = (_last_step_only(n, [f"g{n}", f"a{n}"], lambda g, a: np.outer(g, a)),) if last_only and n > 1 else ()
    return Op("shared_weight_grad", slots, _outer_sum(n),
              "{out} = Σₜ {g_t}·{a_t}ᵀ" if n > 1 else "{out} = {g1}·{a1}ᵀ", slips)


def shared_bias_grad(n: int, last_only: bool) -> Op:
    """∂L/∂b = Σₜ gₜ for a bias shared by n steps. Slots g1 … gn; the formula reads ``g_t``."""
    slips = (_last_step_only(n, [f"g{n}"], lambda g: g * 1.0),) if last_only and n > 1 else ()
    return Op("shared_bias_grad", tuple(f"g{t}" for t in range(1, n + 1)), lambda *g: sum(g),
              "{out} = Σₜ {g_t}" if n > 1 else "{out} = {g1}", slips)


# -- a scalar state: the total derivative as a sum of products -----------------------------------

def local_derivative(act: Activation) -> Op:
    """f′(z_k)·g for a number g: ∂s_k/∂s_{k−1} (g = W) or the immediate ∂s_k/∂W* (g = s_{k−1}), with
    every slip of the activation's backward (tanh′ without the square …). Slots z, g; the slips read a = s_k."""
    d = "σ′" if act.name == "sigmoid" else f"{act.symbol}′"
    return Op(f"{act.name}_local_derivative", ("z", "g"), lambda z, g: act.backward(z, g),
              "{out} = " + d + "({z})·{g}", activation.backward_slips(act))


def total_derivative(k: int) -> Op:
    """∂s_k/∂W = Σ_{j=1..k} (Π_{i=j+1..k} ∂s_i/∂s_{i−1})·∂s_j/∂W*. Slots link2 … linkk (∂s_i/∂s_{i−1}),
    direct1 … directk (∂s_j/∂W*); the slips' texts also read ``s`` (s_{k−1}), ``before``
    (∂s_{k−1}/∂W) and ``W``."""
    links = tuple(f"link{i}" for i in range(2, k + 1))
    direct = tuple(f"direct{j}" for j in range(1, k + 1))

    def total(*values):
        v = [float(x) for x in values]  # numbers: plain floats are many times quicker than 0-d arrays
        a, d = v[:k - 1], v[k - 1:]  # a[i-2] = ∂s_i/∂s_{i-1}, d[j-1] = ∂s_j/∂W*
        return sum(math.prod(a[i - 2] for i in range(j + 1, k + 1)) * d[j - 1] for j in range(1, k + 1))
    formula = "{out} = " + " + ".join("·".join([f"{{link{i}}}" for i in range(k, j, -1)] + [f"{{direct{j}}}"])
                                      for j in range(k, 0, -1))
    slips = ()
    if k > 1:
        last = f"{{direct{k}}}"
        rule = f"{{out}} = {last} + {{link{k}}}·{{before}}"
        slips = (
            slip("no_direct_term", links + direct, lambda *v: total(*v) - v[-1],
                 f"You left out the direct term {last} ({{s}} held fixed): {rule}.",
                 f"Вы пропустили непосредственное слагаемое {last} (при фиксированном {{s}}): {rule}."),
            slip("last_step_only", [f"direct{k}"], lambda d: d * 1.0,
                 f"That is only the direct term {last}; {{W}} also acts through {{s}}: {rule}.",
                 f"Это только непосредственное слагаемое {last}; {{W}} влияет ещё и через {{s}}: {rule}."),
        )
    return Op("sum_of_products", links + direct, total, formula, slips)


# -- norms and clipping --------------------------------------------------------------------------

def _jacobian_product_norm(df, n_h: int, kind=2):
    """‖J_k·…·J_2‖ with J_i = diag(f′(z_i))·W, from (z_2, …, z_k, W) (spectral; ``kind="fro"``: Frobenius)."""
    def norm(*values):
        zs, W = values[:-1], values[-1]
        J = np.eye(n_h)
        for z in zs:
            J = (df(z)[:, None] * W) @ J
        return np.linalg.norm(J, kind)
    return norm


def jacobian_norm(act: Activation, k: int, n_h: int) -> Op:
    """‖∂s_k/∂s₁‖ = ‖J_k·…·J_2‖₂, J_i = diag(f′(z_i))·W (1 for k = 1). A scalar state (n_h = 1) reads
    it from the links ∂s_i/∂s_{i−1} (slots link2 … linkk), so a student's rounding carries forward;
    a vector state from z_2 … z_k and W (slots z2 … zk, W)."""
    if n_h == 1:
        slots = tuple(f"link{i}" for i in range(2, k + 1))
        product = "·".join(f"{{link{i}}}" for i in range(k, 1, -1))
        return Op("jacobian_norm", slots, lambda *links: abs(math.prod(float(a) for a in links)),
                  f"{{out}} = |{product}|" if k > 1 else "{out} = 1")
    product = "·".join(f"J{_sub(i)}" for i in range(k, 1, -1))
    return Op("jacobian_norm", tuple(f"z{i}" for i in range(2, k + 1)) + ("W",), _jacobian_product_norm(act.df, n_h),
              f"{{out}} = ‖{product}‖₂, Jᵢ = diag({act.symbol}′(zᵢ))·W" if k > 1 else "{out} = 1")


def jacobian_norms(act: Activation, T: int, n_h: int) -> Op:
    """(‖∂s₁/∂s₁‖, …, ‖∂s_T/∂s₁‖), for a plot. Slots norm1 … normT; a vector state's slip (Frobenius
    norms for spectral ones) reads z2 … zT and W."""
    slips = ()
    if n_h > 1:
        def frobenius(*values):
            zs, W = values[:-1], values[-1]
            return np.array([_jacobian_product_norm(act.df, n_h, "fro")(*zs[:k - 1], W) for k in range(1, T + 1)])
        slips = (slip("frobenius", [f"z{i}" for i in range(2, T + 1)] + ["W"], frobenius,
                      f"Those are Frobenius norms (‖I‖_F = √{n_h}, not 1): the size of a Jacobian here is its spectral "
                      "norm, the largest factor by which it stretches a vector; the Frobenius norm is the one clipping "
                      "uses.",
                      f"Это нормы Фробениуса (‖I‖_F = √{n_h}, а не 1): размер якобиана здесь — спектральная норма, "
                      "наибольший коэффициент растяжения вектора; норма Фробениуса нужна для ограничения градиента."),)
    return Op("jacobian_norms", tuple(f"norm{k}" for k in range(1, T + 1)),
              lambda *v: np.array([float(x) for x in v]), f"({{norm1}}, …, {{norm{T}}})", slips)


# -- a language model's input, outputs and losses at every step ----------------------------------
# Slots: ``E`` the embedding matrix (d×|V|, one column per token), ``tokens`` the token numbers
# (counted from 1), ``o`` an output, ``labels`` the target of every step, ``L1`` … ``LT`` the
# per-step losses, ``p1`` … ``pT`` the probabilities of the true tokens.

def embedding(t: int) -> Op:
    """e_t = E·X_t: the one-hot X_t of the t-th token picks its column of E. Slots E, tokens."""
    def column(E, tokens):
        return E[:, int(tokens[t - 1]) - 1] * 1.0
    return Op("embedding", ("E", "tokens"), column, "{out} = {E}·X" + _sub(t) + " = {E}[:, {tokens}" + _sub(t) + "]")


def true_probability(t: int) -> Op:
    """p_t = o_t[y_t], the probability the model gave the true class at step t. Slots o, labels."""
    def pick(o, labels):
        return np.float64(o[int(labels[t - 1]) - 1])
    return Op("true_probability", ("o", "labels"), pick, "{out} = {o}[{labels}" + _sub(t) + "]", (
        slip("largest_probability", ["o"], lambda o: np.float64(np.max(o)),
             "That is the largest probability; the loss needs the one of the true class, {f}.",
             "Это наибольшая вероятность, а нужна вероятность верного класса: {f}."),
    ))


#: L_t = −ln p_t: the cross-entropy of one step from the true class's probability. Slot p; a placement
#: names the loss's formula ``text`` (the log slips read it).
STEP_CROSS_ENTROPY = Op("step_cross_entropy", ("p",), lambda p: -np.log(np.float64(p)), "{out} = −ln {p}",
                        loss_slips.log_slips())


def step_log_loss(t: int) -> Op:
    """L_t = −[y_t·ln o_t + (1 − y_t)·ln(1 − o_t)], y_t ∈ {0, 1}: the log-loss of step t. Slots o, labels;
    a placement names the loss's formula ``text`` (the log slips read it)."""
    def loss(o, labels):
        y, p = float(labels[t - 1]), float(np.asarray(o))  # one output unit: a number
        return np.float64(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))

    def other_class(o, labels):
        return loss(o, 1.0 - np.asarray(labels, dtype=np.float64))
    y = "{labels}" + _sub(t)
    written = f"{{out}} = −[{y}·ln {{o}} + (1 − {y})·ln(1 − {{o}})]"
    return Op("step_log_loss", ("o", "labels"), loss, written, (
        *loss_slips.log_slips(),
        slip("wrong_class", ["o", "labels"], other_class,
             f"That is the loss of the other class: with {y} = 1 the loss is −ln {{o}}, with {y} = 0 it is "
             "−ln(1 − {o}).",
             f"Это потери для другого класса: при {y} = 1 потери равны −ln {{o}}, при {y} = 0 — −ln(1 − {{o}})."),
    ))


def steps_total(T: int, mean: bool) -> Op:
    """L = Σₜ Lₜ (÷ T for the mean): the loss of the whole sequence. Slots L1 … LT."""
    slots = tuple(f"L{t}" for t in range(1, T + 1))
    scale = 1.0 / T if mean else 1.0
    terms = " + ".join(f"{{L{t}}}" for t in range(1, T + 1))
    return Op("steps_total", slots, lambda *v: np.float64(scale * sum(float(x) for x in v)),
              f"{{out}} = ({terms})/{T}" if mean else f"{{out}} = {terms}",
              (loss_slips.loss_reduction(T, mean),
               slip("last_step_loss_only", [f"L{T}"], lambda v: np.float64(v) * 1.0,
                    "That is the last step's loss alone; every step has a loss of its own: {f}.",
                    "Это потери только последнего шага, а свои потери есть на каждом шаге: {f}.")) if T > 1 else ())


def sequence_probability(T: int) -> Op:
    """P(x₂ … x_{T+1} | x₁) = Πₜ pₜ: the chain rule of probability over the steps. Slots p1 … pT."""
    slots = tuple(f"p{t}" for t in range(1, T + 1))
    return Op("sequence_probability", slots, lambda *v: np.float64(math.prod(float(x) for x in v)),
              "{out} = " + "·".join(f"{{p{t}}}" for t in range(1, T + 1)),
              (slip("sum_of_probabilities", slots, lambda *v: np.float64(sum(float(x) for x in v)),
                    "Probabilities of successive events multiply (the chain rule), they do not add: {f}.",
                    "Вероятности последовательных событий перемножаются (цепное правило), а не складываются: {f}."),)
              if T > 1 else ())


def sigmoid_scores_grad(t: int, T: int, mean: bool) -> Op:
    """∂L/∂v_t = o_t − y_t (÷ T for the mean): the sigmoid and the log-loss of step t together. Slots o, labels."""
    scale = 1.0 / T if mean else 1.0

    def grad(o, labels):
        return scale * (o - float(labels[t - 1]))

    def output_only(o, labels):
        return grad(o, labels) / (o * (1.0 - o))
    y = "{labels}" + _sub(t)
    return Op("sigmoid_log_loss_grad", ("o", "labels"), grad,
              f"{{out}} = ({{o}} − {y})/T" if mean else f"{{out}} = {{o}} − {y}", (
                  slip("output_gradient_only", ["o", "labels"], output_only,
                       "That is ∂L/∂{o}; through the sigmoid it is multiplied by σ′ = {o}(1 − {o}), which "
                       "leaves {f}.",
                       "Это ∂L/∂{o}; через сигмоиду она умножается на σ′ = {o}(1 − {o}), и остаётся {f}."),
                  *loss_slips.gradient_reduction(T, mean, True)))


def step_contribution() -> Op:
    """∂L/∂W|ₜ = ∂L/∂zₜ·aₜᵀ: the term of step t in a shared weight's gradient. Slots g, a."""
    return Op("step_contribution", ("g", "a"), lambda g, a: np.outer(g, a) + 0.0, "{out} = {g}·{a}ᵀ")


def contributions_sum(T: int) -> Op:
    """∂L/∂W = Σₜ ∂L/∂W|ₜ: a shared weight's gradient from the terms of every step. Slots c1 … cT."""
    slots = tuple(f"c{t}" for t in range(1, T + 1))
    slips = (_last_step_only(T, [f"c{T}"], lambda c: c * 1.0),) if T > 1 else ()
    return Op("contributions_sum", slots, lambda *c: sum(np.asarray(x, dtype=np.float64) for x in c),
              "{out} = " + " + ".join(f"{{c{t}}}" for t in range(1, T + 1)), slips)
