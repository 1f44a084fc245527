"""Optimizer stages, norms and gradient clipping as operations, each with its slips.

A step of an optimizer is a few stages (:mod:`nntutor.core.optim` composes them per method);
each stage is an :class:`~nntutor.core.ops.record.Op` whose slots are named as the step's
quantities are, wherever it is placed:

- ``w_prev`` the parameters before the step, ``g`` the gradient used, ``H`` the Hessian;
- ``<s>_prev`` the state s after the step before (``h_prev``, ``buf_prev``, ``G_prev``,
  ``v_prev``, ``m_prev``); a stage computed earlier in the same step (``h``, ``buf``, ``dir``,
  ``eta``, ``G``, ``v``, ``m``, ``m_hat``, ``v_hat``);
- for a slip only, ``<stage>_last``: that stage of the step before (Adam's other form).

Besides the slots, the templates name ``{lr}`` (the learning rate's symbol) and ``{t}`` (the
step number), which the place gives. The hyper-parameters are the lesson's numbers, fixed when
the operation is made: a stage's value depends only on the quantities a student computes.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from .record import Op, Slip, same, slip

Array = np.ndarray


# -- the numbers -------------------------------------------------------------------------------


def scaled(g, acc, eps: float, inside: bool) -> Array:
    """g/(√acc + ε) or g/√(acc + ε); a zero denominator gives inf/nan, caught by the caller."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / (np.sqrt(acc + eps) if inside else np.sqrt(acc) + eps)


def solve(H, g) -> Array:
    """H⁻¹·g; nan when H is singular (shown to the caller as a non-finite value)."""
    H, g = np.asarray(H, dtype=np.float64), np.asarray(g, dtype=np.float64)
    if H.ndim == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g / H
    try:
        return np.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        return np.full_like(g, np.nan)


def times(H, g) -> Array:
    """H·g (a number times a number for one parameter)."""
    H, g = np.asarray(H, dtype=np.float64), np.asarray(g, dtype=np.float64)
    return H * g if H.ndim == 0 else H @ g


def norm(g) -> Array:
    """‖g‖ = √(Σ gⱼ²), the Euclidean norm over all entries (Frobenius for a matrix)."""
    return np.sqrt(np.sum(np.square(g)))


def clip_factor(norm, c: float) -> float:
    """min(1, c/‖g‖): what clipping by norm multiplies a gradient of norm ``norm`` by (1 when ‖g‖ ≤ c).

    Several arrays clipped together (all of a net's parameters) share one factor, from
    the norm of all their entries as one vector.
    """
    norm = float(norm)
    return 1.0 if norm <= c else c / norm


def clip_by_norm(g, c: float) -> Array:
    """ĝ = g · min(1, c/‖g‖) with the Euclidean norm over all entries; g = 0 stays 0 (read-only)."""
    g = np.asarray(g, dtype=np.float64)
    out = g * clip_factor(norm(g), c)
    out.setflags(write=False)
    return out


# -- slips several stages share -----------------------------------------------------------------

#: w_{t−1} + step instead of w_{t−1} − step, whatever the step: 2·w_{t−1} − w_t.
STEP_ADDED = slip("step_added", ("w_prev", "out"), lambda wp, w: 2.0 * wp - w,
                  "You added the step instead of subtracting it: {f}.",
                  "Вы прибавили шаг, а его нужно вычесть: {f}.")


def no_lr(uses, fn) -> Slip:
    """The learning rate left out: ``fn(*uses)`` is the step without it."""
    return slip("no_lr", uses, fn, "You left out the learning rate {lr}: {f}.",
                "Вы забыли умножить на шаг обучения {lr}: {f}.")


def no_square(state: str, keep: float | None) -> tuple[Slip, ...]:
    """|g| or g instead of g² in a running sum (``keep`` None) or a moving average (``keep`` the
    weight on the old value)."""
    k, c = (1.0, 1.0) if keep is None else (keep, 1.0 - keep)
    en, ru = "You used |{g}| (or {g}) instead of {g}²: {f}.", "Вы взяли |{g}| (или {g}) вместо {g}²: {f}."
    uses = (f"{state}_prev", "g")
    return (slip(f"{state}_no_square_abs", uses, lambda p, g: k * p + c * np.abs(g), en, ru),
            slip(f"{state}_no_square", uses, lambda p, g: k * p + c * g, en, ru))


def _damping(step, prev: str) -> tuple[Slip, ...]:
    """A velocity's own slips: α left out (the old velocity kept whole), or the old velocity left out
    (only the new step). ``step(g)`` is the new step's part: η·g, or g for PyTorch's buffer."""
    return (
        slip("no_alpha", (prev, "g"), lambda p, g: p + step(g),
             "You left out α: the old velocity is damped to α·{" + prev + "} before the new step is added: {f}.",
             "Вы забыли α: прежняя скорость сначала умножается на α, потом к ней добавляется новый шаг: {f}."),
        slip("no_momentum", ("g",), step,
             "That is only the new step: the velocity also carries α·{" + prev + "} from the steps before: {f}.",
             "Это только новый шаг: скорость ещё несёт α·{" + prev + "} от прошлых шагов: {f}."),
    )


# -- gradient descent ------------------------------------------------------------------------------


#: Only the step −η·g, the update w_t − w_{t−1} itself, for the new value.
STEP_ONLY = slip("step_only", ("w_prev", "out"), lambda wp, w: w - wp,
                 "That is only the step −{lr}·{g}; the new value is {f}.",
                 "Это только шаг −{lr}·{g}; новое значение: {f}.")


def descent(lr: float | None = None) -> Op:
    """w_t = w_{t−1} − η·g_t; ``lr`` None: η is read from the slot ``lr`` (a given the place puts there)."""
    if lr is None:
        slots, fn = ("w_prev", "g", "lr"), (lambda w, g, lr_: w - lr_ * g)
    else:
        slots, fn = ("w_prev", "g"), (lambda w, g: w - lr * g)
    return Op("descent", slots, fn, "{out} = {w_prev} − {lr}·{g}",
              (STEP_ADDED, no_lr(("w_prev", "g"), lambda w, g: w - g), STEP_ONLY))


_OFF_BY_ONE = ("You divided {lr} by %d, not by the step number %d: ",
               "Вы разделили {lr} на %d, а не на номер шага %d: ")


def decayed_rate(lr: float, t: int) -> Op:
    """η_t = η/t. Slips: divided by t + 1, multiplied by t."""
    en, ru = (text % (t + 1, t) for text in _OFF_BY_ONE)
    return Op("decayed_rate", (), lambda: np.asarray(lr / t), "{out} = {lr}/{t}", (
        slip("decay_off_by_one", (), lambda: np.asarray(lr / (t + 1)), en + "{f}.", ru + "{f}."),
        slip("decay_times", (), lambda: np.asarray(lr * t),
             "You multiplied {lr} by the step number; the step shrinks, so {lr} is divided by it: {f}.",
             "Вы умножили {lr} на номер шага; шаг уменьшается, поэтому {lr} делят на номер шага: {f}.")))


def decayed_descent(lr: float, t: int) -> Op:
    """w_t = w_{t−1} − η_t·g_t with η_t = η/t."""
    en, ru = (text % (t + 1, t) + "{eta} = {lr}/{t}, {f}." for text in _OFF_BY_ONE)
    return Op("decayed_descent", ("w_prev", "eta", "g"), lambda w, e, g: w - e * g, "{out} = {w_prev} − {eta}·{g}", (
        STEP_ADDED,
        no_lr(("w_prev", "g"), lambda w, g: w - g),
        slip("decay_off_by_one", ("w_prev", "g"), lambda w, g: w - lr / (t + 1) * g, en, ru),
        slip("decay_fixed_step", ("w_prev", "g"), lambda w, g: w - lr * g,
             "You stepped with the whole {lr}, as a fixed step does; at step {t} the step is {eta} = {lr}/{t}: {f}.",
             "Вы сделали шаг с полным {lr}, как при постоянном шаге; на шаге {t} шаг равен {eta} = {lr}/{t}: {f}.")))


# -- momentum and Nesterov ---------------------------------------------------------------------


def velocity(lr: float, alpha: float) -> Op:
    """h_t = α·h_{t−1} + η·g_t (textbook momentum: the velocity is the step taken)."""
    return Op("velocity", ("h_prev", "g"), lambda hp, g: alpha * hp + lr * g, "{out} = α·{h_prev} + {lr}·{g}", (
        slip("momentum_form", ("out",), lambda h: h / lr,
             "That is PyTorch's buffer b = h/{lr} (b ← αb + g, w ← w − {lr}·b); this lesson uses the textbook "
             "form h ← αh + {lr}·g, w ← w − h: {f}.",
             "Это буфер PyTorch b = h/{lr} (b ← αb + g, w ← w − {lr}·b); в этом уроке учебная форма "
             "h ← αh + {lr}·g, w ← w − h: {f}.", convention=True),
        no_lr(("h_prev", "g"), lambda hp, g: alpha * hp + g),
        *_damping(lambda g: lr * g, "h_prev")))


def buffer(lr: float, alpha: float) -> Op:
    """b_t = α·b_{t−1} + g_t (PyTorch's momentum buffer; the step is η·b_t)."""
    return Op("buffer", ("buf_prev", "g"), lambda bp, g: alpha * bp + g, "{out} = α·{buf_prev} + {g}", (
        slip("momentum_form", ("out",), lambda b: lr * b,
             "That is the textbook velocity h = {lr}·b (h ← αh + {lr}·g, w ← w − h); this lesson uses PyTorch's "
             "buffer b ← αb + g, w ← w − {lr}·b: {f}.",
             "Это скорость из учебной формы h = {lr}·b (h ← αh + {lr}·g, w ← w − h); в этом уроке буфер "
             "PyTorch b ← αb + g, w ← w − {lr}·b: {f}.", convention=True),
        *_damping(same, "buf_prev")))


def velocity_step(lr: float, alpha: float, nesterov: bool = False) -> Op:
    """w_t = w_{t−1} − h_t (textbook momentum; Nesterov's too, its gradient taken at the look-ahead point)."""
    slips: tuple[Slip, ...] = (STEP_ADDED,)
    if nesterov:
        slips += (slip("nesterov_form", ("w_prev", "g", "h"), lambda w, g, h: w - lr * g - alpha * h,
                       "You stepped by {lr}·{g} + α·{h}, PyTorch's Nesterov form (d = g + αb); the textbook form "
                       "used here steps by {h}: {f}.",
                       "Вы сделали шаг {lr}·{g} + α·{h}, как в форме Нестерова из PyTorch (d = g + αb); в учебной "
                       "форме этого урока шаг равен {h}: {f}.", convention=True),)
    return Op("velocity_step", ("w_prev", "h"), lambda w, h: w - h, "{out} = {w_prev} − {h}", slips)


def buffer_step(lr: float) -> Op:
    """w_t = w_{t−1} − η·b_t (PyTorch's momentum)."""
    return Op("buffer_step", ("w_prev", "buf"), lambda w, b: w - lr * b, "{out} = {w_prev} − {lr}·{buf}",
              (STEP_ADDED, no_lr(("w_prev", "buf"), lambda w, b: w - b)))


def look_ahead(alpha: float) -> Op:
    """w̃_t = w_{t−1} − α·h_{t−1}: where textbook Nesterov takes the gradient."""
    return Op("look_ahead", ("w_prev", "h_prev"), lambda w, hp: w - alpha * hp, "{out} = {w_prev} − α·{h_prev}")


def nesterov_direction(alpha: float) -> Op:
    """d_t = g_t + α·b_t (PyTorch's Nesterov)."""
    return Op("nesterov_direction", ("g", "buf"), lambda g, b: g + alpha * b, "{out} = {g} + α·{buf}")


def nesterov_step(lr: float) -> Op:
    """w_t = w_{t−1} − η·d_t (PyTorch's Nesterov)."""
    return Op("nesterov_step", ("w_prev", "dir"), lambda w, d: w - lr * d, "{out} = {w_prev} − {lr}·{dir}", (
        STEP_ADDED,
        no_lr(("w_prev", "dir"), lambda w, d: w - d),
        slip("nesterov_form", ("w_prev", "buf"), lambda w, b: w - lr * b,
             "You stepped by {lr}·{buf}, as plain momentum or the textbook form's w − h does; PyTorch's "
             "Nesterov form used here steps along {dir} = {g} + α·{buf}: {f}.",
             "Вы сделали шаг {lr}·{buf}, как в обычном методе инерции или в учебной форме (w − h); в форме "
             "Нестерова из PyTorch, принятой здесь, шаг идёт вдоль {dir} = {g} + α·{buf}: {f}.",
             convention=True)))


# -- adaptive methods: AdaGrad, RMSprop, Adam -------------------------------------------------------


def sum_of_squares() -> Op:
    """G_t = G_{t−1} + g_t² (AdaGrad)."""
    return Op("sum_of_squares", ("G_prev", "g"), lambda Gp, g: Gp + g * g, "{out} = {G_prev} + {g}²",
              no_square("G", None))


def moving_average(decay: float, coef: str, state: str, squared: bool, also: Iterable[Slip] = ()) -> Op:
    """s_t = β·s_{t−1} + (1 − β)·g_t, or g_t² (``squared``): RMSprop's v (β = α), Adam's m (β₁) and v (β₂).

    ``coef`` is how β is written; ``state`` the state's name (the slot ``<state>_prev``); ``also``
    the slips of one method (Adam's other form), named before the ones of the average itself.
    """
    prev = f"{state}_prev"
    if squared:
        fn, slips = (lambda p, g: decay * p + (1.0 - decay) * g * g), no_square(state, decay)
    else:
        fn, slips = (lambda p, g: decay * p + (1.0 - decay) * g), ()
    formula = f"{{out}} = {coef}·{{{prev}}} + (1 − {coef})·{{g}}" + ("²" if squared else "")
    return Op("moving_average", (prev, "g"), fn, formula, (*also, *slips))


def adam_form(decay: float, state: str, fed_back: bool) -> Slip:
    """Adam's moment from the other form's state: the moment carried from step t − 1 corrected (fed back) or
    not (PyTorch, Kingma & Ba). Declared from step 2 on (the states start at zero in both forms)."""
    power = 2 if state == "v" else 1

    def fn(prev, g):
        return decay * prev + (1.0 - decay) * g ** power

    if fed_back:
        return slip(f"{state}_adam_form", (f"{state}_last", "g"), fn,
                    f"You carried the uncorrected {state} of the last step, as PyTorch does; this lesson feeds "
                    f"back the bias-corrected {state}̂: {{f}}.",
                    f"Вы взяли неисправленное {state} прошлого шага, как в PyTorch; в этом уроке подставляется "
                    f"исправленное {state}̂: {{f}}.", convention=True)
    return slip(f"{state}_adam_form", (f"{state}_hat_last", "g"), fn,
                f"You fed back the bias-corrected {state}̂ of the last step; this lesson carries the uncorrected "
                f"{state}, as PyTorch and Kingma & Ba do: {{f}}.",
                f"Вы подставили исправленное {state}̂ прошлого шага; в этом уроке, как в PyTorch и у Kingma & Ba, "
                f"переносится неисправленное {state}: {{f}}.", convention=True)


def bias_correction(coef: str, state: str, t: int, decay: float, corrected: bool = True) -> Op:
    """ŝ_t = s_t/(1 − βᵗ) (Adam's m̂, v̂); without the correction ŝ_t = s_t."""
    if not corrected:
        return Op("no_bias_correction", (state,), same, f"{{out}} = {{{state}}} (no bias correction)")
    c = 1.0 - decay ** t
    return Op("bias_correction", (state,), lambda s: s / c, f"{{out}} = {{{state}}}/(1 − {coef}^{{t}})", (
        slip("no_bias_correction", (state,), same, "You left out the bias correction: {f}.",
             "Вы забыли поправку на смещение: {f}."),))


def adaptive_step(lr: float, eps: float, inside: bool, num: str, acc: str, also: Iterable[Slip] = ()) -> Op:
    """w_t = w_{t−1} − η·num/(√acc + ε) (ε ``inside``: η·num/√(acc + ε)): AdaGrad (g, G), RMSprop (g, v),
    Adam (m̂, v̂). Slips: ε on the other side of the root (a convention), the root or η forgotten, then
    ``also`` (one method's own)."""
    out_, in_ = "/(√{" + acc + "} + ε)", "/√({" + acc + "} + ε)"
    if inside:
        en = f"You put ε outside the root, {out_}, as PyTorch does; this lesson puts it inside, {in_}: {{f}}."
        ru = f"Вы поставили ε вне корня, {out_}, как в PyTorch; в этом уроке ε под корнем, {in_}: {{f}}."
    else:
        en = f"You put ε inside the root, {in_}; this lesson, like PyTorch, puts it outside, {out_}: {{f}}."
        ru = f"Вы поставили ε под корень, {in_}; в этом уроке, как в PyTorch, ε вне корня, {out_}: {{f}}."
    uses = ("w_prev", num, acc)
    formula = "{out} = {w_prev} − {lr}·{" + num + "}" + (in_ if inside else out_)
    return Op("adaptive_step", uses, lambda w, n, a: w - lr * scaled(n, a, eps, inside), formula, (
        STEP_ADDED,
        slip("eps_placement", uses, lambda w, n, a: w - lr * scaled(n, a, eps, not inside), en, ru, convention=True),
        slip("no_root", uses, lambda w, n, a: w - lr * n / (a + eps),
             "You forgot the square root of {" + acc + "}: {f}.",
             "Вы забыли извлечь квадратный корень из {" + acc + "}: {f}."),
        no_lr(uses, lambda w, n, a: w - scaled(n, a, eps, inside)),
        *also))


def adam_uncorrected(lr: float, eps: float, inside: bool) -> Slip:
    """Adam's step from m and v, the bias correction left out."""
    return slip("no_bias_correction", ("w_prev", "m", "v"), lambda w, m, v: w - lr * scaled(m, v, eps, inside),
                "You left out the bias correction (m and v in place of m̂ and v̂): {f}.",
                "Вы забыли поправку на смещение (m и v вместо m̂ и v̂): {f}.")


# -- weight decay: an L2 penalty in the gradient, or decoupled (AdamW) ---------------------------
# Slots besides the others: ``grad_l2`` the penalised gradient g̃_t; templates name ``λ``, the
# decay λ's symbol, which the place gives (λ is a number fixed when the operation is made).


def renamed(op: Op, old: str, new: str, skipped: tuple[str, str] | None = None) -> Op:
    """``op`` reading its slot ``old`` from the slot ``new`` instead (its formula and slips too): a method's
    stages fed the penalised gradient g̃ where they read g. ``skipped`` (en, ru): a first slip, the value
    computed from ``old`` as before (the penalty left out)."""
    def swap(text: str) -> str:
        return text.replace("{" + old + "}", "{" + new + "}").replace("{(" + old + ")}", "{(" + new + ")}")

    def uses(names):
        return tuple(new if u == old else u for u in names)

    first = (slip("decay_skipped", op.slots, op.fn, *skipped),) if skipped else ()
    return Op(op.name, uses(op.slots), op.fn, swap(op.formula),
              first + tuple(Slip(s.name, uses(s.uses), s.fn, swap(s.en), swap(s.ru), s.convention) for s in op.slips))


def l2_gradient(lam: float, half: bool = True) -> Op:
    """g̃_t = g_t + λ·w_{t−1}: the gradient of L + ½λ‖w‖² (``half``); g_t + 2λ·w_{t−1} for L + λ‖w‖².

    Slips: λ forgotten, the penalty's gradient subtracted, the other ½ convention of the penalty,
    only the penalty's gradient."""
    c, other = (lam, 2.0 * lam) if half else (2.0 * lam, lam)
    term = "λ·{w_prev}" if half else "2λ·{w_prev}"
    if half:
        en = ("That is the gradient of the penalty λ·‖w‖² (2·λ·{w_prev}); this lesson's penalty is "
              "½·λ·‖w‖², whose gradient is λ·{w_prev} (the ½ cancels the 2): {f}.")
        ru = ("Это градиент штрафа λ·‖w‖² (2·λ·{w_prev}); в этом уроке штраф ½·λ·‖w‖², его градиент "
              "λ·{w_prev} (½ сокращает двойку): {f}.")
    else:
        en = ("That is the gradient of the penalty ½·λ·‖w‖² (λ·{w_prev}); this lesson's penalty is "
              "λ·‖w‖² without ½, whose gradient is 2·λ·{w_prev}: {f}.")
        ru = ("Это градиент штрафа ½·λ·‖w‖² (λ·{w_prev}); в этом уроке штраф λ·‖w‖² без ½, его "
              "градиент 2·λ·{w_prev}: {f}.")
    return Op("l2_gradient", ("g", "w_prev"), lambda g, w: g + c * w, "{out} = {g} + " + term, (
        slip("decay_no_lambda", ("g", "w_prev"), lambda g, w: g + (1.0 if half else 2.0) * w,
             "You left out λ: the penalty's gradient is " + term + ", not the weights themselves: {f}.",
             "Вы забыли λ: градиент штрафа равен " + term + ", а не самим весам: {f}."),
        slip("decay_sign", ("g", "w_prev"), lambda g, w: g - c * w,
             "You subtracted the penalty's gradient: the penalty grows with ‖w‖, so its gradient " + term
             + " points away from 0 and is added to {g}: {f}.",
             "Вы вычли градиент штрафа: штраф растёт вместе с ‖w‖, поэтому его градиент " + term
             + " направлен от нуля и прибавляется к {g}: {f}."),
        slip("penalty_half", ("g", "w_prev"), lambda g, w: g + other * w, en, ru, convention=True),
        slip("decay_only", ("w_prev",), lambda w: c * w,
             "That is only the penalty's gradient " + term + "; add the loss's gradient {g}: {f}.",
             "Это только градиент штрафа " + term + "; прибавьте градиент функции потерь {g}: {f}."),
    ))


def adam_direction(m_prev, v_prev, g, t: int, b1: float, b2: float, eps: float, inside: bool, corrected: bool):
    """m̂/(√v̂ + ε) of Adam's step t from the moments carried in and the gradient ``g`` fed to it."""
    m = b1 * np.asarray(m_prev) + (1.0 - b1) * g
    v = b2 * np.asarray(v_prev) + (1.0 - b2) * g * g
    if corrected:
        m, v = m / (1.0 - b1 ** t), v / (1.0 - b2 ** t)
    return scaled(m, v, eps, inside)


def decoupled_moment(decay: float, state: str, lam: float) -> Slip:
    """AdamW's moment from g + λ·w: the decay put into the gradient (Adam with an L2 penalty)."""
    power = 2 if state == "v" else 1
    return slip(f"{state}_decay_coupled", (f"{state}_prev", "g", "w_prev"),
                lambda p, g, w: decay * p + (1.0 - decay) * (g + lam * w) ** power,
                "You added λ·{w_prev} to the gradient, as Adam with an L2 penalty does; AdamW keeps the "
                "decay out of the moments and subtracts {lr}·λ·{w_prev} in the step itself: {f}.",
                "Вы прибавили λ·{w_prev} к градиенту, как Adam с L2-штрафом; AdamW не пускает затухание "
                "весов в моменты и вычитает {lr}·λ·{w_prev} в самом шаге: {f}.")


def decoupled_step(lr: float, lam: float, eps: float, inside: bool, t: int, b1: float, b2: float,
                   corrected: bool = True) -> Op:
    """w_t = w_{t−1} − η·(m̂_t/(√v̂_t + ε) + λ·w_{t−1}): AdamW's step, the decay decoupled from the
    gradient (as PyTorch's AdamW: w·(1 − ηλ), then the Adam step).

    Slips: the step added, λ forgotten (plain Adam), the decay's sign, λ·w not scaled by η (the
    paper's form, a convention), the decay put into the gradient (Adam with L2), then Adam's own."""
    def step(w, m, v, decay=lam, rate=lr):
        return w - lr * scaled(m, v, eps, inside) - rate * decay * w

    def coupled(w, mp, vp, g):
        return w - lr * adam_direction(mp, vp, g + lam * w, t, b1, b2, eps, inside, corrected)

    uses = ("w_prev", "m_hat", "v_hat")
    root = "/(√{v_hat} + ε)" if not inside else "/√({v_hat} + ε)"
    formula = "{out} = {w_prev} − {lr}·({m_hat}" + root + " + λ·{w_prev})"
    slips = [
        STEP_ADDED,
        slip("decay_no_lambda", uses, lambda w, m, v: step(w, m, v, decay=0.0),
             "You left out the decay λ·{w_prev}: that is plain Adam's step; AdamW also pulls the weights towards "
             "0: {f}.",
             "Вы забыли затухание λ·{w_prev}: это шаг обычного Adam; AdamW ещё и притягивает веса к нулю: {f}."),
        slip("decay_sign", uses, lambda w, m, v: step(w, m, v, decay=-lam),
             "You added {lr}·λ·{w_prev}: the decay pulls the weights towards 0, so it is subtracted: {f}.",
             "Вы прибавили {lr}·λ·{w_prev}: затухание тянет веса к нулю, поэтому его вычитают: {f}."),
        slip("decay_no_lr", uses, lambda w, m, v: step(w, m, v, rate=1.0),
             "You subtracted λ·{w_prev} without {lr}, as Loshchilov & Hutter's paper writes it; this lesson, "
             "like PyTorch's AdamW, scales the decay by {lr} too: {f}.",
             "Вы вычли λ·{w_prev} без {lr}, как в статье Loshchilov & Hutter; в этом уроке, как в AdamW из "
             "PyTorch, затухание тоже умножается на {lr}: {f}.", convention=True),
        slip("decay_coupled", ("w_prev", "m_prev", "v_prev", "g"), coupled,
             "That is Adam with an L2 penalty: λ·{w_prev} added to the gradient goes through the moments and "
             "is divided by √v̂ with it; AdamW subtracts the decay {lr}·λ·{w_prev} outside the moments: {f}.",
             "Это Adam с L2-штрафом: λ·{w_prev}, прибавленное к градиенту, проходит через моменты и делится "
             "вместе с ним на √v̂; AdamW вычитает затухание {lr}·λ·{w_prev} вне моментов: {f}."),
        slip("no_root", uses, lambda w, m, v: w - lr * m / (v + eps) - lr * lam * w,
             "You forgot the square root of {v_hat}: {f}.", "Вы забыли извлечь квадратный корень из {v_hat}: {f}."),
        slip("no_lr", uses, lambda w, m, v: w - scaled(m, v, eps, inside) - lam * w,
             "You left out the learning rate {lr}: {f}.", "Вы забыли умножить на шаг обучения {lr}: {f}."),
    ]
    if corrected:
        slips.append(slip("no_bias_correction", ("w_prev", "m", "v"),
                          lambda w, m, v: w - lr * scaled(m, v, eps, inside) - lr * lam * w,
                          "You left out the bias correction (m and v in place of m̂ and v̂): {f}.",
                          "Вы забыли поправку на смещение (m и v вместо m̂ и v̂): {f}."))
    return Op("decoupled_step", uses, step, formula, tuple(slips))


def coupled_adam_step(lr: float, lam: float, eps: float, inside: bool, t: int, b1: float, b2: float,
                      corrected: bool = True) -> Slip:
    """On Adam with an L2 penalty, the step AdamW would take (the decay decoupled): a slip of the w stage."""
    def decoupled(w, mp, vp, g):
        return w - lr * adam_direction(mp, vp, g, t, b1, b2, eps, inside, corrected) - lr * lam * w

    return slip("decay_decoupled", ("w_prev", "m_prev", "v_prev", "g"), decoupled,
                "That is AdamW's step, the decay {lr}·λ·{w_prev} subtracted outside the moments; here the "
                "penalty's gradient joins the gradient, {grad_l2} = {g} + λ·{w_prev}, and goes through m and v: {f}.",
                "Это шаг AdamW, где затухание {lr}·λ·{w_prev} вычитается вне моментов; здесь градиент штрафа "
                "входит в градиент, {grad_l2} = {g} + λ·{w_prev}, и проходит через m и v: {f}.")


# -- second-order methods -------------------------------------------------------------------------


def adjugate(H) -> Array:
    """adj H = [[d, −b], [−c, a]] of a 2×2 H = [[a, b], [c, d]]: H⁻¹ = adj H / det H."""
    H = np.asarray(H, dtype=np.float64)
    return np.array([[H[1, 1], -H[0, 1]], [-H[1, 0], H[0, 0]]])


def newton_step(lr: float, n: int | None = None) -> Op:
    """w_t = w_{t−1} − η·H_t⁻¹·g_t (η = 1 is not written). With ``n`` = 2 parameters, the slips of inverting
    a 2×2 matrix by hand too: the determinant left out, the diagonal alone."""
    formula = "{out} = {w_prev} − " + ("" if lr == 1.0 else "{lr}·") + "{H}⁻¹·{g}"
    uses = ("w_prev", "g", "H")
    slips = [
        STEP_ADDED,
        no_lr(uses, lambda w, g, H: w - solve(H, g)),
        slip("hessian_not_inverted", uses, lambda w, g, H: w - lr * times(H, g),
             "You multiplied by {H} instead of its inverse {H}⁻¹: {f}.",
             "Вы умножили на {H}, а нужно на обратную к ней {H}⁻¹: {f}.")]
    if n == 2:
        slips += [
            slip("inverse_no_det", uses, lambda w, g, H: w - lr * adjugate(H) @ g,
                 "You forgot to divide by the determinant: {H}⁻¹ = adj {H}/det {H}, with adj [[a, b], [c, d]] = "
                 "[[d, −b], [−c, a]]: {f}.",
                 "Вы забыли разделить на определитель: {H}⁻¹ = adj {H}/det {H}, где adj [[a, b], [c, d]] = "
                 "[[d, −b], [−c, a]]: {f}."),
            slip("inverse_diagonal", uses, lambda w, g, H: w - lr * np.asarray(g) / np.diag(H),
                 "You divided each entry of {g} by the diagonal entry of {H}: that ignores the off-diagonal ones, "
                 "which couple the coordinates; {H}⁻¹ is the inverse of the whole matrix: {f}.",
                 "Вы разделили каждую компоненту {g} на диагональный элемент {H}: так теряются внедиагональные "
                 "элементы, которые связывают координаты; {H}⁻¹ — обратная ко всей матрице: {f}.")]
    return Op("newton_step", uses, lambda w, g, H: w - lr * solve(H, g), formula, tuple(slips))


def coordinate_step(t: int, n: int | None) -> Op:
    """Exact minimisation of a quadratic along coordinate i = ((t − 1) mod n) + 1:
    w_t[i] = w_{t−1}[i] − g_t[i]/H[i, i], the other coordinates unchanged. ``n`` (the number of
    parameters, None when unknown) only makes the formula name the coordinate."""
    def along(w, g, H, multiply: bool, curvature: bool = True):
        w, g, H = np.asarray(w), np.asarray(g), np.asarray(H)
        if not curvature:  # a unit step along the coordinate: the division by H[i, i] left out
            H = np.ones_like(H)
        if w.ndim == 0:
            return w - (H * g if multiply else solve(H, g))
        i = (t - 1) % w.size
        out = np.array(w, dtype=np.float64)  # a fresh copy; the recorded w is untouched
        with np.errstate(divide="ignore", invalid="ignore"):
            out[i] = w[i] - (g[i] * H[i, i] if multiply else g[i] / H[i, i])
        return out

    def every(w, g, H):  # all coordinates at once, each from w_{t−1} (a Jacobi sweep)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(w) - np.asarray(g) / np.diag(np.asarray(H))

    def other(w, g, H):  # the next coordinate instead of this one
        w, g, H = np.asarray(w), np.asarray(g), np.asarray(H)
        j = t % w.size
        out = np.array(w, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[j] = w[j] - g[j] / H[j, j]
        return out

    uses = ("w_prev", "g", "H")
    formula = _coordinate_formula(t, n)
    slips = [
        STEP_ADDED,
        slip("hessian_not_inverted", uses, lambda w, g, H: along(w, g, H, True),
             "You multiplied by the second derivative instead of dividing by it: {f}.",
             "Вы умножили на вторую производную, а на неё нужно делить: {f}.")]
    if n is not None and n >= 2:
        i = (t - 1) % n + 1
        slips += [
            slip("coordinate_no_curvature", uses, lambda w, g, H: along(w, g, H, False, curvature=False),
                 f"You stepped by the whole gradient entry; the minimum along coordinate {i} is "
                 f"{{g}}[{i}]/{{H}}[{i}, {i}] away: the curvature along it sets the length: {{f}}.",
                 f"Вы сделали шаг на всю компоненту градиента; минимум вдоль координаты {i} находится на расстоянии "
                 f"{{g}}[{i}]/{{H}}[{i}, {i}]: длину шага задаёт кривизна вдоль этой координаты: {{f}}."),
            slip("coordinate_all", uses, every,
                 f"You moved every coordinate at once; step {t} moves only coordinate {i} and keeps the others: {{f}}.",
                 f"Вы сдвинули все координаты сразу; шаг {t} двигает только координату {i}, остальные не меняются: "
                 "{f}."),
            slip("coordinate_other", uses, other,
                 f"You moved coordinate {t % n + 1}; step {t} moves coordinate {i} (the steps take the coordinates "
                 f"in turn, 1, 2, …): {{f}}.",
                 f"Вы сдвинули координату {t % n + 1}; шаг {t} двигает координату {i} (шаги берут координаты по "
                 "очереди: 1, 2, …): {f}.")]
    return Op("coordinate_step", uses, lambda w, g, H: along(w, g, H, False), formula, tuple(slips))


def _coordinate_formula(t: int, n: int | None) -> str:
    if n == 1:
        return "{out} = {w_prev} − {g}/{H}"
    if n is None:
        return "{out}[i] = {w_prev}[i] − {g}[i]/{H}[i, i], i = (({t} − 1) mod n) + 1; {out}[j] = {w_prev}[j], j ≠ i"
    i = (t - 1) % n + 1
    rest = [f"{{out}}[{j}] = {{w_prev}}[{j}]" for j in range(1, n + 1) if j != i]
    return "; ".join([f"{{out}}[{i}] = {{w_prev}}[{i}] − {{g}}[{i}]/{{H}}[{i}, {i}]"] + rest)


# -- norms and clipping --------------------------------------------------------------------------
# Slots: ``g`` a gradient (``g1`` … ``gk`` several, taken as one vector), ``norm`` its norm, ``c``
# the clipping threshold (a given: c, τ); ``{param}`` what a clipped g is the gradient of.

NORM_NO_ROOT = slip("norm_no_root", ("out",), np.square, "You forgot the square root: {f}.",
                    "Вы забыли извлечь корень: {f}.")


def euclidean_norm(matrix: bool = False) -> Op:
    """‖g‖ = √(Σ gⱼ²) over all entries (for a ``matrix`` written √(Σ gᵢⱼ²): the Frobenius norm).

    Slips: the root forgotten, the sum of |gⱼ| (the L1 norm)."""
    return Op("norm", ("g",), norm, "{out} = √(Σ ({g})ᵢⱼ²)" if matrix else "{out} = √(Σ {g}ⱼ²)", (
        NORM_NO_ROOT,
        slip("norm_l1", ("g",), lambda g: np.sum(np.abs(g)),
             "That is the sum of |{g}ⱼ| (the L1 norm); the norm here is the Euclidean one: {f}.",
             "Это сумма |{g}ⱼ| (норма L1), а здесь нужна евклидова норма: {f}.")))


def global_norm(count: int) -> Op:
    """‖∇L‖ = √(‖g₁‖² + … + ‖g_k‖²): ``count`` gradients (slots ``g1`` … ``g<count>``) as one vector."""
    slots = tuple(f"g{i}" for i in range(1, count + 1))
    formula = "{out} = √(" + " + ".join(f"‖{{{s}}}‖²" for s in slots) + ")"
    return Op("global_norm", slots, lambda *gs: np.sqrt(sum(np.sum(np.square(g)) for g in gs)), formula,
              (NORM_NO_ROOT,))


def clip(together: bool = False) -> Op:
    """clip(g) = g·min(1, c/‖g‖): ``norm`` the norm of g, or (``together``) of every gradient clipped with
    it as one vector; then a slip names g clipped by its own norm (``{param}`` what g is the gradient of).
    Slots g, norm, c."""
    slips = [slip("clip_components", ("g", "c"), lambda g, c: np.clip(g, -float(c), float(c)),
                  "You clipped each entry to ±{c}; clipping by norm scales the whole gradient: {f}.",
                  "Вы обрезали каждую компоненту до ±{c}, а обрезка по норме масштабирует весь градиент: {f}.")]
    if together:
        slips.append(slip(
            "clip_each_parameter", ("g", "c"), lambda g, c: clip_by_norm(g, float(c)),
            "You clipped the gradient of {param} by its own norm (as Keras's clipnorm does); this lesson clips "
            "all the gradients together by the norm of the whole gradient (as PyTorch's clip_grad_norm_ "
            "does): {f}.",
            "Вы обрезали градиент по {param} по его собственной норме (как clipnorm в Keras); в этом уроке все "
            "градиенты обрезаются вместе по норме всего градиента (как clip_grad_norm_ в PyTorch): {f}.",
            convention=True))
    return Op("clip", ("g", "norm", "c"), lambda g, n, c: g * clip_factor(n, float(c)),
              "{out} = {g}·min(1, {c}/{norm})", tuple(slips))
