"""The pictures' words: titles, axis names, legends and notes, in English and Russian.

One table (core.i18n.Messages), like the rest of core: a diagram writes ``WORDS(key, lang, …)``
as it draws; a picture's title and a chart's labels are ``WORDS.each(key, …)`` (every language).
Symbols (x, W₁, σ′, ‖∂sₖ/∂s₁‖) are the same in both languages and are not here.
"""

from __future__ import annotations

from ..curves import same
from ..i18n import Messages

__all__ = ["WORDS", "count", "same"]

WORDS = Messages({
    # -- titles ---------------------------------------------------------------------------
    "title_architecture": {"en": "The net {sizes}", "ru": "Сеть {sizes}"},
    "title_net": {"en": "The net, forward", "ru": "Сеть, прямой проход"},
    "title_net_step": {"en": "The net, forward, SGD step {k}", "ru": "Сеть, прямой проход, шаг SGD {k}"},
    "title_net_backward": {"en": "The net, backward", "ru": "Сеть, обратный проход"},
    "title_net_backward_step": {"en": "The net, backward, SGD step {k}",
                                "ru": "Сеть, обратный проход, шаг SGD {k}"},
    "title_cases": {"en": "Your weights, case by case", "ru": "Ваши веса, случай за случаем"},
    "title_graph": {"en": "The computational graph: values, edge derivatives",
                    "ru": "Граф вычислений: значения, производные на рёбрах"},
    "title_graph_adjoints": {"en": "The computational graph: values, edge derivatives, adjoints",
                             "ru": "Граф вычислений: значения, производные на рёбрах, сопряжённые"},
    "title_conv": {"en": "The kernel on the image", "ru": "Ядро на изображении"},
    "title_conv_filter": {"en": "The kernel on the image: filter {f}", "ru": "Ядро на изображении: фильтр {f}"},
    "title_pool": {"en": "The pooling windows", "ru": "Окна пулинга"},
    "title_conv_backward": {"en": "The gradients, backward", "ru": "Градиенты, обратный проход"},
    "title_rnn": {"en": "The RNN unrolled: s₀ → … → s{T}", "ru": "RNN, развёрнутая во времени: s₀ → … → s{T}"},
    "title_bptt": {"en": "The paths of ∂s{T}/∂W through time", "ru": "Пути ∂s{T}/∂W во времени"},
    "title_blocks": {"en": "The layers as blocks", "ru": "Слои по блокам"},
    "title_givens": {"en": "What is given, what to find", "ru": "Что дано, что найти"},
    # -- diagram words --------------------------------------------------------------------
    "in": {"en": "in", "ru": "вход"},
    "out": {"en": "out", "ru": "выход"},
    "inputs_one": {"en": "{n} input", "ru": "{n} вх."},
    "inputs_many": {"en": "{n} inputs", "ru": "{n} вх."},
    "units_one": {"en": "{n} unit", "ru": "{n} нейр."},
    "units_many": {"en": "{n} units", "ru": "{n} нейр."},
    "dense_note": {"en": "each unit takes every unit of the layer above",
                   "ru": "нейрон связан со всеми нейронами слоя выше"},
    "elided": {"en": "⋯ units left out; all: {all}", "ru": "⋯ нейроны пропущены; всего: {all}"},
    "weights_note": {"en": "W: the weights into each unit, inputs in order",
                     "ru": "W: веса, входящие в нейрон, по порядку входов"},
    "backward_note": {"en": "backward: read from the bottom up", "ru": "обратный проход: читайте снизу вверх"},
    "ok": {"en": "ok", "ru": "ок"},
    "cases_later": {"en": "✓/✗ per case once the outputs are found",
                    "ru": "✓/✗ для каждого случая — когда выходы найдены"},
    "title_points": {"en": "The cases as points of the plane", "ru": "Случаи как точки плоскости"},
    "points_later": {"en": "✓/✗ and your net's region once the outputs are found",
                     "ru": "✓/✗ и область вашей сети — когда выходы найдены"},
    "points_region": {"en": "{shade}: where your net gives ŷ ≥ ½", "ru": "{shade}: где ваша сеть даёт ŷ ≥ ½"},
    "bptt_sum": {"en": "∂s{T}/∂W: the sum over k of each path's product",
                 "ru": "∂s{T}/∂W: сумма по k произведений вдоль путей"},
    "bptt_legend": {"en": "∂sₖ/∂W*: W into sₖ with sₖ₋₁ held fixed; ✓ a path found",
                    "ru": "∂sₖ/∂W*: W в sₖ при постоянном sₖ₋₁; ✓ путь найден"},
    "blocks_note": {"en": "▼ feeds the next block; ∂L/∂y is given", "ru": "▼ вход следующего блока; ∂L/∂y дан"},
    "block_linear": {"en": "linear", "ru": "линейный"},
    "edge_note": {"en": "on each edge vⱼ → vₖ: ∂vₖ/∂vⱼ", "ru": "на ребре vⱼ → vₖ: ∂vₖ/∂vⱼ"},
    "padded": {"en": "{name}, padded p = {p}", "ru": "{name}, дополнено p = {p}"},
    "conv_window": {"en": "[ ]: the window of the first output cell; stride s = {s}",
                    "ru": "[ ]: окно первой клетки выхода; шаг s = {s}"},
    "max": {"en": "max", "ru": "максимум"},
    "average": {"en": "average", "ru": "среднее"},
    "pool_window": {"en": "[ ]: the first {size}×{size} window ({what}), stride {s}",
                    "ru": "[ ]: первое окно {size}×{size} ({what}), шаг {s}"},
    "pool_marks": {"en": "*: the maximum of each window", "ru": "*: максимум каждого окна"},
    "rnn_arrows": {"en": "under each arrow sₜ₋₁ → sₜ: ∂sₜ/∂sₜ₋₁", "ru": "под стрелкой sₜ₋₁ → sₜ: ∂sₜ/∂sₜ₋₁"},
    # -- charts ---------------------------------------------------------------------------
    "chart_loss": {"en": "The loss after each step", "ru": "Потери после каждого шага"},
    "chart_path": {"en": "The weight after each step", "ru": "Вес после каждого шага"},
    "step_t": {"en": "step t", "ru": "шаг t"},
    "chart_softmax": {"en": "softmax at each temperature", "ru": "softmax при каждой температуре"},
    "output_k": {"en": "output k", "ru": "выход k"},
    "chart_jacobian": {"en": "‖∂sₖ/∂s₁‖ across time", "ru": "‖∂sₖ/∂s₁‖ во времени"},
    "chart_ridge": {"en": "Leave-one-out error against λ", "ru": "Ошибка скользящего контроля от λ"},
    "chart_dropout": {"en": "Units kept: N ~ Binomial({n}, q)", "ru": "Оставленные нейроны: N ~ Bin({n}, q)"},
    "chart_initialisation": {"en": "The signal's variance, layer by layer", "ru": "Дисперсия сигнала по слоям"},
    "layer_l": {"en": "layer l", "ru": "слой l"},
    "yours": {"en": "yours", "ru": "ваши"},
    "chart_depth": {"en": "The product of the slopes across depth", "ru": "Произведение производных по глубине"},
    "depth_l": {"en": "depth l", "ru": "глубина l"},
    "product_of": {"en": "∏ {sym}′ of layers 1…l", "ru": "∏ {sym}′ слоёв 1…l"},
    "sigmoid_bound": {"en": "¼ˡ (σ′ ≤ ¼)", "ru": "¼ˡ (σ′ ≤ ¼)"},
    "chart_compare_w": {"en": "w under each optimizer of unit 3", "ru": "w при каждом методе раздела 3"},
    "chart_compare_loss": {"en": "The loss under each optimizer of unit 3",
                           "ru": "Потери при каждом методе раздела 3"},
    "compare_note": {"en": "same L and w₀; η = {lr}, α = β₁ = β₂ = 0.9", "ru": "те же L и w₀; η = {lr}, α = β₁ = β₂ = 0.9"},
    "chart_fills": {"en": "points join as you find the values", "ru": "точки появляются по мере ответов"},
})


def count(n: int, what: str, lang: str) -> str:
    """"3 units", "1 input" (``what``: "units" or "inputs")."""
    return WORDS(f"{what}_{'one' if n == 1 else 'many'}", lang, n=n)
