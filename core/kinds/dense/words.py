"""What a dense net's problem states in words: its conventions (the loss, the layout, the step, the
optimizer's formulas), and the notation of steps (z₁⁽²⁾)."""

from __future__ import annotations

from ... import optim
from ...ops import Activation
from ...ops.activation import formula_words, kink_words
from ...notation import base_symbol, ru_plural, subscript, superscript
from ...ops import loss as loss_op
from ...template import fill
from ...writer import Writer
from ..hyper import FORM_NAMES, HYPER_SYMBOLS, METHOD_NAMES
from .read import Spec

#: What the derivative is taken to be where the activation has a kink or a jump, per language.
_KINKED = {"relu": ("ReLU′(0) = 0", "ReLU′(0) = 0"),
           "leaky_relu": ("leaky ReLU′(0) = slope", "leaky ReLU′(0) = наклон (slope)"),
           "step": ("step(0) = 1, step′(z) = 0 everywhere", "step(0) = 1, step′(z) = 0 при всех z")}

_LOSS_WORDS = {
    "log": ("log-loss L = −Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], ŷ = σ(z)",
            "логистическая функция потерь L = −Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)], ŷ = σ(z)"),
    "cross_entropy": ("cross-entropy L = −Σ yₖ·ln ŷₖ, ŷ = softmax(z), the true class as a one-hot y",
                      "перекрёстная энтропия L = −Σ yₖ·ln ŷₖ, ŷ = softmax(z), верный класс — "
                      "вектор y из нулей и одной единицы"),
    "poisson": ("Poisson loss L = Σ(λ − y·ln λ) with the rate λ = ŷ = e^z (the constant ln y! is left out)",
                "пуассоновская функция потерь L = Σ(λ − y·ln λ), интенсивность λ = ŷ = e^z "
                "(константа ln y! опущена)"),
}


#: What the quantities of a step are, per language: {i} is the layer, {si} its number as a subscript,
#: {g} its activation.
_MEANINGS = {
    "z": ("the pre-activation of layer {i} (before {g})", "предактивация слоя {i} (до функции «{g}»)"),
    "a": ("the activation of layer {i}", "активация слоя {i}"),
    "y_hat": ("the output ŷ of the net", "выход сети ŷ"),
    "L": ("the loss", "значение функции потерь"),
    "grad.y_hat": ("the gradient of the loss with respect to the output ŷ", "производная функции потерь по выходу ŷ"),
    "grad.z": ("the gradient with respect to z{si}, through the {g}", "производная по z{si} (через функцию «{g}»)"),
    "grad.z.logits": ("the gradient with respect to z{si} (loss and {g} taken together)",
                      "производная по z{si} (потери и {g} вместе)"),
    "grad.W": ("the gradient with respect to the weights W{si}", "производная по весам W{si}"),
    "grad.b": ("the gradient with respect to the biases b{si}", "производная по смещениям b{si}"),
    "grad.b.batch": ("the gradient with respect to the biases b{si} (summed over the observations)",
                     "производная по смещениям b{si} (сумма по наблюдениям)"),
    "grad.a": ("the gradient with respect to the activation a{si}", "производная по активации a{si}"),
}


def meaning(what: str, i: int = 0, act: Activation | None = None) -> tuple[str, str]:
    """What quantity ``what`` of layer ``i`` (with activation ``act``) is, in English and Russian."""
    en, ru = _MEANINGS[what]
    names = {"i": str(i), "si": sub(i)}
    if act is None:
        return fill(en, names), fill(ru, names)
    return fill(en, {**names, "g": act.names["en"]}), fill(ru, {**names, "g": act.names["ru"]})


def symbol_of(base: str) -> str:
    """How the quantity ``base`` of a step reads: z1 → z₁, grad.W1 → ∂L/∂W₁, W1.next → W₁′, Y_hat → Ŷ."""
    if base.startswith("grad."):
        return "∂L/∂" + symbol_of(base[len("grad."):])
    if base.endswith(".next"):
        return symbol_of(base[:-len(".next")]) + "′"
    return "Ŷ" if base == "Y_hat" else base_symbol(base)


def sup(k: int) -> str:
    """The step as a superscript: ⁽²⁾."""
    return "⁽" + superscript(str(k)) + "⁾"


def sub(i: int) -> str:
    return subscript(str(i))


def num(v: float) -> str:
    return f"{v:g}"


def conventions(w: Writer, sp: Spec) -> None:
    """The loss, the layout, the step (or the optimizer), the notation of steps, the start, the kinks."""
    row, m, multi = sp.row, sp.obs.m, sp.obs.n_steps > 1
    per = per_ru = ""
    if sp.batch:
        per = f", averaged over the {m} observations" if sp.mean else f", summed over the {m} observations"
        per_ru = f", среднее по {m} наблюдениям" if sp.mean else f", сумма по {m} наблюдениям"
    wk = "w∘" if sp.loss_w is not None else ""
    if sp.loss == "squared":
        c = "½·" if sp.half else ""
        w.convention("loss", {
            "en": ("weighted " if wk else "") + f"squared loss L = {c}Σ {wk}(ŷ − y)²"
                  + (" (with ½)" if sp.half else " (no ½)") + per,
            "ru": ("взвешенная " if wk else "") + f"квадратичная функция потерь L = {c}Σ {wk}(ŷ − y)²"
                  + (" (с ½)" if sp.half else " (без ½)") + per_ru,
        })
    else:
        en, ru = _LOSS_WORDS[sp.loss]
        if sp.weighted:  # the log-loss, with w and/or β in its formula
            b = "β·" if sp.pos_weight is not None else ""
            formula = f"L = −Σ {wk}[{b}y·ln ŷ + (1 − y)·ln(1 − ŷ)], ŷ = σ(z)"
            en, ru = f"weighted log-loss {formula}", f"взвешенная логистическая функция потерь {formula}"
        w.convention("loss", {"en": en + per, "ru": ru + per_ru})
        if sp.loss_from == "logits":
            fused = fill(loss_op.logit_gradient(sp.terms, sp.mean, sp.layers[-1].act.temperature).formula,
                         {"out": "∂L/∂z", "y_hat": "ŷ", "y": "y"})
            w.convention("loss_from", {
                "en": "the loss is computed from the logits z of the last layer in a numerically stable form, and "
                      f"{fused} comes straight from it (there is no separate ∂L/∂ŷ step)",
                "ru": "потери считаются по логитам z последнего слоя в численно устойчивой форме, и "
                      f"{fused} получается сразу (отдельного шага ∂L/∂ŷ нет)",
            })
        else:
            w.convention("loss_from", {
                "en": "the loss is computed from the output ŷ, then the gradient goes back through the output "
                      "activation: ∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z",
                "ru": "потери считаются по выходу ŷ, затем градиент проходит назад через активацию выхода: "
                      "∂L/∂z = ∂L/∂ŷ · ∂ŷ/∂z",
            })
    _weights(w, sp)
    w.convention("layout", {"en": "row vectors: z = a·W" if row else "column vectors: z = W·a",
                            "ru": "векторы-строки: z = a·W" if row else "векторы-столбцы: z = W·a"})
    if sp.batch:
        w.convention("batch", {
            "en": ("the batch X has one row per observation: Z = X·W (+ b in every row)" if row
                   else "the batch X has one column per observation: Z = W·X (+ b in every column)"),
            "ru": ("в матрице X по строке на наблюдение: Z = X·W (+ b к каждой строке)" if row
                   else "в матрице X по столбцу на наблюдение: Z = W·X (+ b к каждому столбцу)"),
        })
    if sp.opt is not None:
        _optimizer(w, sp)
    elif sp.obs.mode == "sgd":
        seq = ", ".join(str(j + 1) for j in sp.obs.order)
        w.convention("step", {
            "en": f"stochastic gradient descent, one observation per step, in the order {seq}; each step: "
                  "w′ = w − γ·∂L/∂w on that observation's loss",
            "ru": f"стохастический градиентный спуск, по одному наблюдению за шаг, в порядке {seq}; каждый шаг: "
                  "w′ = w − γ·∂L/∂w по потерям этого наблюдения",
        })
    elif multi:
        w.convention("step", {
            "en": f"gradient descent, {sp.obs.n_steps} steps" + (" on the whole batch" if sp.batch else "")
                  + ": w′ = w − γ·∂L/∂w",
            "ru": f"градиентный спуск, {sp.obs.n_steps} шагов" + (" по всей выборке" if sp.batch else "")
                  + ": w′ = w − γ·∂L/∂w",
        })
    else:
        w.convention("step", {"en": "gradient descent: w′ = w − γ·∂L/∂w", "ru": "градиентный спуск: w′ = w − γ·∂L/∂w"})
    if multi:
        w.convention("steps", {
            "en": "a superscript names the step: z₁⁽²⁾ is z₁ in step 2; W₁′⁽¹⁾ are the weights after step 1, "
                  "which step 2 starts from",
            "ru": "верхний индекс — номер шага: z₁⁽²⁾ — это z₁ на шаге 2; W₁′⁽¹⁾ — веса после шага 1, с них "
                  "начинается шаг 2",
        })
    init = sp.init
    has_b = any(layer.b is not None for layer in sp.layers)
    if init == "zeros":
        w.convention("init", {"en": "the weights start at zero" + (" (and the biases)" if has_b else ""),
                              "ru": "веса в начале равны нулю" + (" (и смещения)" if has_b else "")})
    elif init is not None:
        w.convention("init", {
            "en": f"weights not given are drawn from N(0, {num(init['scale'])}²), layer by layer, with "
                  f"numpy.random.default_rng({init['seed']})" + ("; biases start at 0" if has_b else ""),
            "ru": f"веса, которые не заданы, взяты из N(0, {num(init['scale'])}²), слой за слоем, "
                  f"генератором numpy.random.default_rng({init['seed']})"
                  + ("; смещения в начале равны 0" if has_b else ""),
        })
    if not has_b:
        w.convention("biases", {"en": "no biases", "ru": "без смещений"})
    kinks: list[tuple[str, str]] = []  # each layer's convention at its kink: the lesson's choice, or the default
    for layer in sp.layers:
        chosen = kink_words(layer.act)
        said = (chosen["en"], chosen["ru"]) if chosen else _KINKED.get(layer.act.name)
        if said and said not in kinks:
            kinks.append(said)
    if kinks:
        w.convention("kinks", {"en": "; ".join(en for en, _ in kinks), "ru": "; ".join(ru for _, ru in kinks)})
    for layer in sp.layers:  # the newer activations' formulas and constants (SELU's, GELU's approximation)
        formula = formula_words(layer.act)
        if formula:
            w.convention(f"formula.{layer.act.name}", formula)
    if sp.delta:
        w.convention("notation", {
            "en": "δ marks the gradient at a pre-activation: δₗ = ∂L/∂zₗ (the lecture's local gradient)",
            "ru": "δ — градиент по предактивации: δₗ = ∂L/∂zₗ (локальный градиент из лекции)"})
    if sp.dropout is not None:
        _dropout(w, sp)
    for layer in sp.layers:
        if layer.act.name == "softmax" and layer.act.temperature != 1.0:
            t = num(layer.act.temperature)
            w.convention(f"temperature{layer.index}", {
                "en": f"layer {layer.index}: softmax with temperature T = {t}: a = softmax(z/T)",
                "ru": f"слой {layer.index}: softmax с температурой T = {t}: a = softmax(z/T)",
            })


def _optimizer(w: Writer, sp: Spec) -> None:
    """How the steps are taken, the method's formulas in general form, the states, the clipping."""
    obs, hyper, clip = sp.obs, sp.opt.hyper, sp.opt.clip
    name_en, name_ru = (text.replace("η", "γ") for text in METHOD_NAMES[hyper["method"]])
    form = hyper.get("form")
    if form:
        name_en, name_ru = f"{name_en} ({FORM_NAMES[form][0]} form)", f"{name_ru} ({FORM_NAMES[form][1]})"
    n = obs.n_steps
    if obs.mode == "sgd":
        seq = ", ".join(str(j + 1) for j in obs.order)
        w.convention("step", {"en": f"{name_en}, one observation per step, in the order {seq}: step t uses that "
                                    "observation's gradient",
                              "ru": f"{name_ru}, по одному наблюдению за шаг, в порядке {seq}: шаг t использует "
                                    "градиент по этому наблюдению"})
    else:
        whole_en, whole_ru = (" on the whole batch", " по всей выборке") if sp.batch else ("", "")
        w.convention("step", {"en": f"{name_en}, {n} step{'' if n == 1 else 's'}{whole_en}",
                              "ru": f"{name_ru}, {n} {ru_plural(n, 'шаг', 'шага', 'шагов')}{whole_ru}"})
    # the method's formulas with a step letter t, for any parameter w (a weight matrix or a bias vector)
    pl = optim.plan(hyper, 1)
    stages = pl.lookahead + pl.stages
    names = {"w_prev": "wₜ₋₁", "lr": "γ", "t": "t", "g": "gₜ"}
    for name, carried in pl.carry.items():
        names[f"{name}_prev"] = next(st for st in stages if st.key == carried).symbol + "ₜ₋₁"
    for st in stages:
        names[st.key] = fill(st.symbol, {"lr": "γ"}) + "ₜ"
    lines = [fill(st.formula, names) for st in stages]
    lines_ru = list(lines)
    if pl.lookahead:
        at = names[pl.lookahead[-1].key]
        lines.insert(len(pl.lookahead), f"step t's forward and backward pass run at {at}, so gₜ is the gradient there")
        lines_ru.insert(len(pl.lookahead), f"прямой и обратный проход шага t идут в точке {at}, поэтому gₜ — "
                                           "градиент в ней")
    values = ", ".join(f"{HYPER_SYMBOLS.get(k, 'γ' if k == 'lr' else k)} = {num(v)}"
                       for k, v in hyper.items() if isinstance(v, float) and not isinstance(v, bool))
    after_en, after_ru = (" after clipping", " после обрезки") if clip is not None else ("", "")
    w.convention("method", {
        "en": f"{name_en}, for every weight matrix and bias vector w: " + "; ".join(lines)
              + f" (gₜ = ∂L/∂w at step t{after_en}; {values})",
        "ru": f"{name_ru}, для каждой матрицы весов и вектора смещений w: " + "; ".join(lines_ru)
              + f" (gₜ = ∂L/∂w на шаге t{after_ru}; {values})"})
    if pl.carry:
        states = [next(st for st in stages if st.key == c).symbol for c in pl.carry.values()]
        h = states[0]
        w.convention("optimizer_state", {
            "en": f"each weight matrix and bias vector has its own state ({', '.join(states)}), zero at the "
                  f"start; {h}_W₁⁽²⁾ is the state {h} of W₁ after step 2, {h}_W₁⁽⁰⁾ its start",
            "ru": f"у каждой матрицы весов и вектора смещений своё состояние ({', '.join(states)}), в начале "
                  f"нулевое; {h}_W₁⁽²⁾ — состояние {h} для W₁ после шага 2, {h}_W₁⁽⁰⁾ — в начале"})
    if clip is not None:
        c = num(clip)
        w.convention("clip", {
            "en": f"before the step the gradient is clipped by norm, all weights and biases as one vector "
                  f"(as PyTorch's clip_grad_norm_): clip(g) = g·min(1, c/‖∇L‖), c = {c}",
            "ru": f"перед шагом градиент обрезается по норме, все веса и смещения как один вектор (как "
                  f"clip_grad_norm_ в PyTorch): clip(g) = g·min(1, c/‖∇L‖), c = {c}"})


def _weights(w: Writer, sp: Spec) -> None:
    """Per-output loss weights and the positive-class weight, as the loss's formula carries them."""
    if sp.loss_w is not None:
        w.convention("loss_weights", {
            "en": "each output's term of the loss is multiplied by its weight wₖ",
            "ru": "слагаемое каждого выхода в функции потерь умножается на его вес wₖ"})
    if sp.pos_weight is not None:
        w.convention("pos_weight", {
            "en": "the positive class's term y·ln ŷ is multiplied by β, the negative class's term is not",
            "ru": "слагаемое положительного класса y·ln ŷ умножается на β, слагаемое отрицательного — нет"})


def _dropout(w: Writer, sp: Spec) -> None:
    """What p means and where the scaling happens."""
    do = sp.dropout
    if do.drop:
        w.convention("dropout_p", {"en": f"dropout: p = {num(do.p)} is the probability to drop a unit; a unit is "
                                         f"kept with q = 1 − p",
                                   "ru": f"дропаут: p = {num(do.p)} — вероятность выключить нейрон; нейрон остаётся "
                                         f"с вероятностью q = 1 − p"})
    else:
        w.convention("dropout_p", {"en": f"dropout: p = {num(do.p)} is the probability to keep a unit, q = p",
                                   "ru": f"дропаут: p = {num(do.p)} — вероятность оставить нейрон, q = p"})
    if do.inverted:
        w.convention("dropout_scaling", {
            "en": "inverted dropout: at training time d = a∘m/q, and the backward pass ∂L/∂a = ∂L/∂d∘m/q; at test "
                  "time every unit is kept and d = a",
            "ru": "инвертированный дропаут: при обучении d = a∘m/q, обратный проход ∂L/∂a = ∂L/∂d∘m/q; на этапе "
                  "применения модели все нейроны включены и d = a"})
    else:
        w.convention("dropout_scaling", {
            "en": "dropout scaled at test time: at training time d = a∘m, and ∂L/∂a = ∂L/∂d∘m; at test time every "
                  "unit is kept and d = q·a",
            "ru": "дропаут с масштабированием на этапе применения модели: при обучении d = a∘m, "
                  "∂L/∂a = ∂L/∂d∘m; на этапе применения модели все нейроны включены и d = q·a"})
