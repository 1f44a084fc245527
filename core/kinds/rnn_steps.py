"""The rnn kind's language-model pieces: an embedding input, losses at every step, per-step terms.

Input:     ``tokens`` (numbers from 1 to |V|) and ``E`` (d×|V|): eₜ = E·Xₜ, the column of the t-th
           token (Xₜ its one-hot vector); eₜ is the cell's input at step t (in place of xₜ).
Per step:  cross-entropy: pₜ = oₜ[yₜ], Lₜ = −ln pₜ, L = Σₜ Lₜ (or the mean) and the probability of
           the whole sequence P = Πₜ pₜ (the chain rule of probability: −ln P = Σₜ Lₜ);
           log-loss (a sigmoid output, yₜ ∈ {0, 1}): Lₜ = −[yₜ ln oₜ + (1 − yₜ) ln(1 − oₜ)], L = Σₜ Lₜ.
Terms:     ∂L/∂W|ₜ = ∂L/∂zₜ·sₜ₋₁ᵀ and ∂L/∂U|ₜ = ∂L/∂zₜ·xₜᵀ, the contribution of step t, and
           ∂L/∂W = Σₜ ∂L/∂W|ₜ (the same for U).
The operations are in :mod:`nntutor.core.ops.rnn`.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..graph import texts
from ..notation import grad_key, grad_symbol, subscript
from ..ops import rnn as op
from ..ops.shaped import dropped, reshaped
from ..writer import Writer
from . import DataError, read_array

_MAX_VOCAB = 16


def read_tokens(data: Mapping[str, Any], path: str, max_t: int) -> tuple[np.ndarray, np.ndarray]:
    """(tokens, E) from the data: E is d×|V| (a list: d = 1), tokens numbers from 1 to |V|."""
    if "x" in data:
        raise DataError(f"{path}.x", "give either x or tokens with an embedding E, not both")
    if "E" not in data:
        raise DataError(f"{path}.E", "missing: tokens need the embedding matrix E (d×|V|, one column per token)")
    E = read_array(data, "E", path, ndim=(1, 2))
    E = E.reshape(1, -1) if E.ndim == 1 else E
    d, vocab = E.shape
    if not 2 <= vocab <= _MAX_VOCAB or d > _MAX_VOCAB:
        raise DataError(f"{path}.E", f"must be d×|V| with 2 to {_MAX_VOCAB} tokens (columns) and at most "
                                     f"{_MAX_VOCAB} rows, got {d}×{vocab}")
    tokens = read_array(data, "tokens", path, ndim=(1,))
    if not 1 <= tokens.size <= max_t:
        raise DataError(f"{path}.tokens", f"needs 1 to {max_t} tokens, got {tokens.size}")
    if not np.all((tokens == np.round(tokens)) & (tokens >= 1) & (tokens <= vocab)):
        raise DataError(f"{path}.tokens", f"each token is a number from 1 to |V| = {vocab} (a column of E)")
    return tokens, E


def read_binary_labels(data: Mapping[str, Any], path: str, T: int) -> np.ndarray:
    field = f"{path}.labels"
    if "labels" not in data:
        raise DataError(field, f"missing: the target of every step, {T} numbers, each 0 or 1")
    arr = read_array(data, "labels", path, ndim=(0, 1)).reshape(-1)
    if arr.size != T:
        raise DataError(field, f"has {arr.size} labels but there are {T} steps")
    if not np.all((arr == 0) | (arr == 1)):
        raise DataError(field, "each label of a log-loss is 0 or 1")
    return arr


def embedding(w: Writer, tokens: np.ndarray, E: np.ndarray) -> None:
    """The givens E and tokens, and eₜ = E·Xₜ at the keys x1 … xT (the cell's inputs)."""
    d, vocab = E.shape
    w.given("E", E.reshape(dropped(E.shape)) if d == 1 else E, "E",
            texts("the embedding matrix: column j is the vector of token j", "матрица представлений (эмбеддингов): "
                  "столбец j — вектор токена j"))
    w.given("tokens", tokens, "x", texts("the tokens read, numbers of the vocabulary counted from 1",
                                         "прочитанные токены — номера в словаре, начиная с 1"))
    for t in range(1, tokens.size + 1):
        place = reshaped(op.embedding(t), dropped((d,)), E=(d, vocab), tokens=(tokens.size,))
        w.apply(place, f"x{t}", f"e{subscript(str(t))}",
                texts(f"the embedding of the token read at step {t}", f"представление токена, прочитанного на шаге {t}"),
                "forward", E="E", tokens="tokens")
    w.convention("embedding", texts(
        f"one-hot input: token j is the vector Xⱼ of |V| = {vocab} numbers with a 1 at place j; its embedding "
        f"eₜ = E·Xₜ is column j of E (d = {d}); eₜ is the cell's input",
        f"унитарный (one-hot) вход: токен j — вектор Xⱼ из |V| = {vocab} чисел с единицей на месте j; его "
        f"представление eₜ = E·Xₜ — столбец j матрицы E (d = {d}); eₜ — вход ячейки"))


def step_losses(w: Writer, T: int, loss: str, mean: bool) -> None:
    """Lₜ at every step, L their sum (or mean) and, for the cross-entropy, pₜ and P = Πₜ pₜ."""
    for t in range(1, T + 1):
        st = subscript(str(t))
        if loss == "cross_entropy":
            w.apply(op.true_probability(t), f"p{t}", f"p{st}",
                    texts(f"the probability the model gave the true class at step {t}",
                          f"вероятность, которую модель дала верному классу на шаге {t}"), "value",
                    o=f"o{t}", labels="labels")
            w.apply(op.STEP_CROSS_ENTROPY, f"L{t}", f"L{st}",
                    texts(f"the cross-entropy of step {t}", f"перекрёстная энтропия на шаге {t}"), "loss",
                    names={"text": f"L{st} = −ln p{st}"}, p=f"p{t}")
        else:
            w.apply(op.step_log_loss(t), f"L{t}", f"L{st}",
                    texts(f"the log-loss of step {t}", f"логистическая функция потерь на шаге {t}"), "loss",
                    names={"text": f"L{st} = −[y{st}·ln o{st} + (1 − y{st})·ln(1 − o{st})]"}, o=f"o{t}", labels="labels")
    w.apply(op.steps_total(T, mean), "L", "L",
            texts("the loss of the sequence: " + ("the mean" if mean else "the sum") + " of the per-step losses",
                  "функция потерь последовательности: " + ("среднее" if mean else "сумма") + " потерь шагов"),
            "loss", **{f"L{t}": f"L{t}" for t in range(1, T + 1)})
    if loss == "cross_entropy":
        w.apply(op.sequence_probability(T), "P", "P",
                texts("the probability the model gives the whole sequence of true classes (the chain rule)",
                      "вероятность, которую модель даёт всей последовательности верных классов (цепное правило)"),
                "value", **{f"p{t}": f"p{t}" for t in range(1, T + 1)})


def sigmoid_scores_grads(w: Writer, T: int, mean: bool, out_shape: tuple) -> None:
    """∂L/∂vₜ = oₜ − yₜ (÷ T for the mean) at every step."""
    for t in range(1, T + 1):
        st = subscript(str(t))
        place = reshaped(op.sigmoid_scores_grad(t, T, mean), dropped(out_shape))
        w.apply(place, grad_key(f"v{t}"), grad_symbol(f"v{t}"),
                texts(f"the gradient with respect to the logit v{st} (the sigmoid and the log-loss together)",
                      f"производная по логиту v{st} (сигмоида и логистическая функция потерь вместе)"),
                "backward", o=f"o{t}", labels="labels")


def contributions(w: Writer, T: int, weight: str, inputs: list[str], in_size: int, n_h: int) -> None:
    """∂L/∂M|ₜ = ∂L/∂zₜ·aₜᵀ for the shared weight M (W: aₜ = sₜ₋₁; U: aₜ = xₜ), then ∂L/∂M = Σₜ ∂L/∂M|ₜ."""
    name = {"W": ("the recurrent weights W", "рекуррентным весам W"), "U": ("the input weights U", "входным весам U")}
    en, ru = name[weight]
    for t, a in enumerate(inputs, start=1):
        st = subscript(str(t))
        place = reshaped(op.step_contribution(), dropped((n_h, in_size)), g=(n_h,), a=(in_size,))
        w.apply(place, f"grad.{weight}.at{t}", f"∂L/∂{weight}|{st}",
                texts(f"the contribution of step {t} to the gradient with respect to {en}",
                      f"вклад шага {t} в производную по {ru}"), "backward", g=grad_key(f"z{t}"), a=a)
    w.apply(op.contributions_sum(T), grad_key(weight), grad_symbol(weight),
            texts(f"the gradient with respect to {en}: the sum of the steps' contributions",
                  f"производная по {ru}: сумма вкладов всех шагов"), "backward",
            **{f"c{t}": f"grad.{weight}.at{t}" for t in range(1, T + 1)})
