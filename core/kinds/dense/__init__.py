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

Every quantity is an operation of :mod:`nntutor.core.ops` placed at keys (:mod:`.net`), so it
comes with the operation's slips (the bias left out, W used untransposed, the activation or its
derivative forgotten, the ½ or the 1/m of a mean slipped, the step added, …); SGD in a stated
order also offers, for every quantity, its value along the run that visits the observations as
1, 2, … instead (worked out when the problem is built).

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

The package: :mod:`.read` checks the data into a :class:`~.read.Spec`; :mod:`.net` writes each
step as operations placed at keys; :mod:`.optimizer` adds the optimizer's stages and clipping;
:mod:`.words` states the conventions.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ...graph import Problem
from ...ops import ACTIVATION_NAMES
from .. import FieldDoc, Kind, NameDoc, check_finite
from ..hyper import HYPER_DOCS
from .net import Net, Other
from .read import OPT_METHODS, Spec, read


def build(data: Mapping[str, Any]) -> Problem:
    spec = read(data)
    order = _other_order(spec)
    point = _other_point(spec.opt.hyper) if spec.opt is not None else None
    net = Net(spec, [o for o in (order, point) if o is not None])
    problem = net.write()
    if spec.opt is not None:
        check_finite(problem, "problem.optimizer", "the run goes non-finite: it diverges (try fewer steps or a "
                                                   "smaller learning_rate) or divides by zero (eps = 0 with a zero "
                                                   "gradient)")
    # the other runs' values, from the problem itself with other givens or another point
    with np.errstate(all="ignore"):  # a diverging other run only gives mistakes that are never used
        if order is not None:
            order.values.update(_in_natural_order(problem, net))
        if point is not None:
            point.values.update(_at_other_point(problem, net, spec.opt.hyper))
    return problem


def _natural(obs) -> tuple[int, ...]:
    """SGD's observations in their natural order 1, 2, …, m, 1, … (0-based)."""
    return tuple(k % obs.m for k in range(obs.n_steps))


def _other_order(spec: Spec) -> Other | None:
    """SGD taking the observations in their natural order instead (values: :func:`_in_natural_order`).

    None unless the lesson's order differs from that one (then "took them in the wrong order" is
    a mistake worth naming for every quantity of every step).
    """
    obs = spec.obs
    if obs.mode != "sgd" or _natural(obs) == obs.order:
        return None
    natural = _natural(obs)
    seq = ", ".join(str(j + 1) for j in obs.order)
    if natural[0] != obs.order[0]:
        message = {
            "en": f"That is the value you get taking observation {natural[0] + 1} first; this lesson takes "
                  f"observation {obs.order[0] + 1} first (order {seq}).",
            "ru": f"Это значение получится, если начать с наблюдения {natural[0] + 1}; в этом уроке первым "
                  f"берётся наблюдение {obs.order[0] + 1} (порядок {seq}).",
        }
    else:
        alt_seq = ", ".join(str(j + 1) for j in natural)
        message = {
            "en": f"That is the value you get visiting the observations in the order {alt_seq}; this lesson's "
                  f"order is {seq}.",
            "ru": f"Это значение получится при порядке наблюдений {alt_seq}; в этом уроке порядок {seq}.",
        }
    return Other("other_order", message)


def _in_natural_order(problem: Problem, net: Net) -> Mapping[str, np.ndarray]:
    """Every value of the run that takes the observations in their natural order: the problem with
    each step's observation (x⁽ᵏ⁾, y⁽ᵏ⁾) replaced by that order's."""
    sp = net.spec
    over = {}
    for k, j in enumerate(_natural(sp.obs), start=1):
        over[net.key("x", k)] = sp.obs.x[j] if sp.row else sp.obs.x[:, j]
        over[net.key("y", k)] = sp.y[j] if sp.row else sp.y[:, j]
    return problem.evaluate(over)


def _other_point(hyper: Mapping[str, Any]) -> Other | None:
    """Nesterov: every forward and backward value of step k ≥ 2 had the step been run at the other form's
    point (its values: :func:`_at_other_point`, once the problem is built)."""
    if hyper["method"] != "nesterov":
        return None
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
    return Other("nesterov_form", message, convention=True, in_pass=True)


def _at_other_point(problem: Problem, net: Net, hyper: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """The pass of every step k ≥ 2 at the other form's point: textbook form, at W itself instead of the
    look-ahead W̃ = W − α·h (PyTorch's point); PyTorch form, at W − α·γ·b (the textbook look-ahead)
    instead of W. Step 1 is left out: the states start at 0, so both points are W."""
    a, lr = hyper["alpha"], hyper["lr"]
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
                                 "softmax takes temperature T (softmax(z/T), default 1), elu and selu take alpha"),
        FieldDoc("layers[].derivative_at_zero", False, "relu: ReLU′(0), 0 (default) or 1; leaky_relu: its slope "
                                                       "(default) or 1. Stated among the lesson's conventions"),
        FieldDoc("layers[].step_at_zero", False, "step: step(0), 1 (default) or 0. Stated among the lesson's "
                                                 "conventions"),
        FieldDoc("layers[].mask", False, "a hidden layer's dropout mask, 0/1 with one entry per unit (a batch: shaped "
                                         "like the layer's output, one row or column per observation); the next layer "
                                         "reads the layer's output after dropout, d = a∘m·s; needs [problem.dropout] "
                                         "and one step"),
        FieldDoc("dropout", False, "[problem.dropout], with a mask on some hidden layer: p, p_is, scaling"),
        FieldDoc("dropout.p", True, "the dropout probability, strictly between 0 and 1"),
        FieldDoc("dropout.p_is", True, '"drop": p drops a unit (it is kept with q = 1 − p); "keep": p keeps it (q = p)'),
        FieldDoc("dropout.scaling", True, '"inverted": d = a∘m/q at training time and d = a at test time; "at_test": '
                                          "d = a∘m at training time and d = q·a at test time"),
        FieldDoc("notation", False, '"grad" (default): ∂L/∂z_l reads ∂L/∂z₁; "delta": it reads δ₁, the lecture\'s '
                                    "local gradient (the keys stay grad.z{l})"),
        FieldDoc("loss_weights", False, "squared or log loss: one positive weight per output unit; each output's term "
                                        "of the loss is multiplied by its weight"),
        FieldDoc("pos_weight", False, "log loss: the positive-class weight β > 0 (a number, or one per output): "
                                      "L = −Σ[β·y·ln ŷ + (1 − y)·ln(1 − ŷ)]"),
        FieldDoc("optimizer", False, "a [problem.optimizer] table: each step updates every weight matrix and bias "
                                     "vector by this method, each with its own state, instead of W′ = W − γ·∂L/∂W; "
                                     "the learning rate stays problem.learning_rate. Fields as in the optimize kind"),
        FieldDoc("optimizer.method", True, "one of: " + ", ".join(OPT_METHODS)),
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
        NameDoc("loss_w, beta", "givens with loss_weights and pos_weight: the weights w and β"),
        NameDoc("p, keep, scale, m{l}", "givens with dropout: p, the keep probability q, the training-time factor "
                                        "(1/q or 1) and layer l's mask"),
        NameDoc("d{l}, D{l}", "layer l's output after dropout, which layer l + 1 reads (D for a batch)"),
        NameDoc("grad.d{l}", "∂L/∂d_l, the gradient at the dropout's output; grad.a{l} then goes back through the "
                             "mask"),
        NameDoc("mean.d{l}, var.d{l}", "the mean and variance of each unit's output after dropout over the mask, "
                                       "given a_l"),
        NameDoc("z{l}.test, a{l}.test, d{l}.test, y_hat.test", "with dropout: the forward pass at test time (every "
                                                               "unit kept), with the weights of the step"),
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
