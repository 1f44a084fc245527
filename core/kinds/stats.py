"""Building-block statistics: ridge with leave-one-out CV, initialisation scales, dead ReLUs, counts.

Each optional table of ``[problem]`` adds its own quantities (at least one is needed), written by
the module of its job onto one writer:

- :mod:`.stats_estimate` -- statistics: ``ridge`` (ridge on the constant model, leave-one-out CV),
  ``init`` (initialisation scales), ``relu_zero`` (the chance that a ReLU outputs 0);
- :mod:`.stats_count` -- parameter counts: ``count_dense``, ``count_conv``, ``count_rnn``;
- :mod:`.stats_separable` -- ``separable``: a depthwise-separable convolution's counts against a full
  convolution's, and optionally one output value;
- :mod:`.stats_receptive` -- ``receptive``: the receptive field (and output side) of a stack of
  convolutions and poolings.

The operations these place (the ridge fit, an initialisation scale, the spread of a weighted sum,
the chance a ReLU is 0) are records in :mod:`nntutor.core.ops.stats`.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..graph import Problem
from ..writer import Writer
from . import DataError, FieldDoc, Kind, NameDoc, reject_unknown
from .stats_count import count_conv, count_dense, count_rnn
from .stats_estimate import init, relu_zero, ridge
from .stats_receptive import receptive
from .stats_separable import separable

#: Each table and the function that writes it, in the order its quantities are added.
_TABLES = {"ridge": ridge, "init": init, "relu_zero": relu_zero, "count_dense": count_dense,
           "count_conv": count_conv, "count_rnn": count_rnn, "separable": separable,
           "receptive": receptive}


def build(data: Mapping[str, Any]) -> Problem:
    path = "problem"
    reject_unknown(data, path, {"kind", *_TABLES})
    present = [t for t in _TABLES if t in data]
    if not present:
        raise DataError(f"{path}.ridge", "missing: give at least one of the tables " + ", ".join(_TABLES))
    w = Writer("stats")
    for name in present:
        table = data[name]
        tpath = f"{path}.{name}"
        if not isinstance(table, Mapping):
            raise DataError(tpath, f"must be a table ([problem.{name}])")
        _TABLES[name](w, table, tpath)
    return w.build()


KIND = Kind(
    name="stats",
    summary="Building-block statistics, each from an optional table: ridge on the constant model with "
            "leave-one-out CV; initialisation scales (U[−a, a], LeCun, Xavier, He); the chance that a "
            "ReLU outputs zero; parameter counts of dense and convolution stacks and of recurrent layers (RNN, LSTM, GRU); a depthwise-separable convolution against a full one; the receptive field (and "
            "output size) of a stack of convolutions and poolings.",
    fields=(
        FieldDoc("ridge", False, "[problem.ridge]: model ŷ = β, loss Σ(y − β)² + λβ²"),
        FieldDoc("ridge.y", True, "the observations (at least 2), e.g. [6, 6, 10]"),
        FieldDoc("ridge.lambdas", False, "a grid of λ ≥ 0: adds β̂, the LOO predictions and errors per λ, the best λ"),
        FieldDoc("ridge.cv", False, '"mean" (default) or "sum" of the squared leave-one-out errors'),
        FieldDoc("init", False, "[problem.init]: initialisation scales"),
        FieldDoc("init.n_in", True, "inputs per neuron"),
        FieldDoc("init.n_out", False, "outputs of the layer: adds the Xavier/Glorot scales"),
        FieldDoc("init.layers", False, "a depth L: adds the variance factor after L layers"),
        FieldDoc("relu_zero", False, "[problem.relu_zero]: the chance that a ReLU outputs 0; describe z by "
                                     "symmetric = true, or mean and std, or x, w_std and b"),
        FieldDoc("relu_zero.symmetric", False, "true: z is symmetric about 0 (the answer is ½)"),
        FieldDoc("relu_zero.mean", False, "μ in z ~ N(μ, s²) (default 0)"),
        FieldDoc("relu_zero.std", False, "s in z ~ N(μ, s²)"),
        FieldDoc("relu_zero.x", False, "the input in z = w·x + b with wᵢ ~ N(0, w_std²)"),
        FieldDoc("relu_zero.w_std", False, "the standard deviation of each weight"),
        FieldDoc("relu_zero.b", False, "the bias (default 0)"),
        FieldDoc("count_dense", False, "[problem.count_dense]: parameters of a dense stack"),
        FieldDoc("count_dense.sizes", True, "layer sizes, inputs first, e.g. [12, 300, 200, 100, 1]"),
        FieldDoc("count_dense.bias", True, "true when every unit after the inputs has a bias"),
        FieldDoc("count_conv", False, "[problem.count_conv]: parameters of a stack of convolutions"),
        FieldDoc("count_conv.kernel", True, "the kernel size k (k×k): one number for every layer, or a list per layer"),
        FieldDoc("count_conv.channels", True, "channel counts, input first, e.g. [3, 6]"),
        FieldDoc("count_conv.bias", True, "true for one bias per output channel"),
        FieldDoc("count_conv.kernels", False, '"per_input_channel" (default): one k×k kernel for every pair of input '
                                              'and output channels; "shared": one k×k kernel per output channel, '
                                              "shared by all input channels (a stated convention)"),
        FieldDoc("count_rnn", False, "[problem.count_rnn]: parameters of a recurrent layer (simple RNN, LSTM, GRU)"),
        FieldDoc("count_rnn.inputs", True, "n, the size of each input xₜ"),
        FieldDoc("count_rnn.hidden", True, "h, the size of the state"),
        FieldDoc("count_rnn.cells", False, 'the cells to count, default ["rnn", "lstm", "gru"] (1, 4 and 3 blocks)'),
        FieldDoc("count_rnn.bias", True, "true when every block has a bias"),
        FieldDoc("count_rnn.bias_vectors", False, "with bias: 1 (default, as Keras) or 2 bias vectors per block "
                                                  "(b_x and b_h, as PyTorch)"),
        FieldDoc("separable", False, "[problem.separable]: a depthwise-separable k×k convolution (depthwise + "
                                     "pointwise 1×1) against a full one"),
        FieldDoc("separable.kernel", True, "k (k×k kernels)"),
        FieldDoc("separable.channels", True, "[C_in, C_out]"),
        FieldDoc("separable.bias", True, "true: each part has one bias per output channel of its own"),
        FieldDoc("separable.x", False, "one input window, C_in matrices k×k: adds the output value at it"),
        FieldDoc("separable.depthwise", False, "with x: the depthwise kernels, C_in matrices k×k"),
        FieldDoc("separable.pointwise", False, "with x: the pointwise weights of one output channel, C_in numbers"),
        FieldDoc("receptive", False, "[problem.receptive]: the receptive field of a stack of square layers on a "
                                     "square input; rows and columns behave alike, so one side is computed"),
        FieldDoc("receptive.size", False, "the input side n₀ (an n₀×n₀ image): adds the output side nₗ of each layer"),
        FieldDoc("receptive.layers", True, 'the layers in order, each an inline table, e.g. [{ type = "conv", '
                                           'kernel = 3 }, { type = "maxpool", kernel = 2 }]'),
        FieldDoc("receptive.layers[].type", True, '"conv", "maxpool" or "avgpool" (a pooling widens the field '
                                                  'exactly like a convolution of the same size and stride)'),
        FieldDoc("receptive.layers[].kernel", True, "the kernel (window) size k (k×k)"),
        FieldDoc("receptive.layers[].stride", False, "the stride s: default 1 for a conv, k for a pooling"),
        FieldDoc("receptive.layers[].padding", False, "zeros on each side (default 0; a pooling at most ⌊k/2⌋); "
                                                      "changes nₗ only, not rₗ or jₗ; \"same\" (a convolution with "
                                                      "stride 1 and an odd span): p = d(k − 1)/2, the padding that "
                                                      "keeps the side, added as the quantity receptive.p{l}"),
        FieldDoc("receptive.layers[].dilation", False, "conv only, default 1: a kernel with dilation d spans "
                                                       "d(k − 1) + 1 pixels"),
    ),
    build=build,
    names=(
        NameDoc("ridge.y, ridge.lambdas", "givens: the observations and the λ grid"),
        NameDoc("ridge.beta_ls", "β̂ at λ = 0 (the mean)"),
        NameDoc("ridge.beta", "β̂(λ) = Σy/(n + λ) for each grid λ"),
        NameDoc("ridge.loo{k}", "for the k-th grid λ: the n leave-one-out estimates β̂₋ᵢ"),
        NameDoc("ridge.cv{k}, ridge.cv", "the leave-one-out error for the k-th grid λ, and for all of them"),
        NameDoc("ridge.lambda_best, ridge.beta_best", "the grid λ with the smallest error (first on ties), β̂ there"),
        NameDoc("ridge.lambda_cv, ridge.beta_cv", "the best λ ≥ 0 over all λ and β̂ there (absent when the "
                                                  "error keeps falling as λ grows, or does not depend on λ)"),
        NameDoc("init.n_in, init.n_out, init.layers", "givens"),
        NameDoc("init.a, init.var_uniform, init.gain", "a = 1/√n_in, Var w = a²/3, the per-layer factor n_in·Var w"),
        NameDoc("init.gain_total", "with init.layers: (n_in·Var w)^L"),
        NameDoc("init.lecun_uniform, init.lecun_std", "√(3/n_in) and 1/√n_in (Var w = 1/n_in)"),
        NameDoc("init.xavier_uniform, init.xavier_std", "with init.n_out: √(6/(n_in + n_out)), √(2/(n_in + n_out))"),
        NameDoc("init.he_std, init.he_uniform", "√(2/n_in), √(6/n_in)"),
        NameDoc("relu.mu, relu.s", "mean and standard deviation of the pre-activation (not with symmetric)"),
        NameDoc("relu.x, relu.w_std, relu.b", "givens of the z = w·x + b form"),
        NameDoc("relu.p_zero", "P(ReLU(z) = 0) = P(z ≤ 0)"),
        NameDoc("dense.sizes, dense.params{l}", "the sizes; the parameters of layer l"),
        NameDoc("dense.weights, dense.biases, dense.params", "totals of the dense stack"),
        NameDoc("conv.channels, conv.kernel, conv.params{l}", "the channels, kernel sizes; parameters of layer l"),
        NameDoc("conv.weights, conv.biases, conv.params", "totals of the convolution stack"),
        NameDoc("rnn.inputs, rnn.hidden", "givens: n and h"),
        NameDoc("rnn.input_weights, rnn.recurrent_weights, rnn.block", "one block: h·n, h·h, and B = h·n + h·h "
                                                                       "(+ h per bias vector)"),
        NameDoc("rnn.{cell}.params", "the parameters of a layer of that cell (rnn, lstm, gru): 1, 4 or 3 blocks"),
        NameDoc("separable.k, separable.c_in, separable.c_out", "givens: k, C_in, C_out"),
        NameDoc("separable.depthwise, separable.pointwise, separable.params",
                "k·k·C_in (+ C_in), C_in·C_out (+ C_out) and their sum"),
        NameDoc("separable.full, separable.ratio", "k·k·C_in·C_out (+ C_out), and full / separable"),
        NameDoc("separable.x{c}, separable.K{c}, separable.p{c}", "with x: the window, the depthwise "
                                                                             "kernels, the pointwise weights"),
        NameDoc("separable.d{c}, separable.y", "with x: each channel's depthwise output Σ x_c∘K_c, and "
                                               "y = Σ_c p_c·d_c"),
        NameDoc("separable.W{c}, separable.y_full", "with x: the full kernel slice W_c = p_c·K_c giving the same "
                                                    "output, and that output"),
        NameDoc("receptive.kernel, receptive.stride", "givens: k and s of each layer (defaults filled in)"),
        NameDoc("receptive.dilation", "given when some layer has a dilation other than 1"),
        NameDoc("receptive.padding, receptive.n0", "with size: p of each layer and the input side n₀"),
        NameDoc("receptive.j{l}", "the jump of layer l: jₗ = jₗ₋₁·sₗ input pixels between neighbouring units (j₀ = 1)"),
        NameDoc("receptive.r{l}", "the receptive field of layer l: rₗ = rₗ₋₁ + (kₗ − 1)·jₗ₋₁ (r₀ = 1; "
                                  "dₗ(kₗ − 1) with dilation)"),
        NameDoc("receptive.r", "the receptive field of the last layer (= r{L})"),
        NameDoc("receptive.p{l}", 'with size, for a layer with padding = "same": pₗ = dₗ(kₗ − 1)/2'),
        NameDoc("receptive.n{l}", "with size: the output side nₗ = ⌊(nₗ₋₁ + 2pₗ − kₗ)/sₗ⌋ + 1"),
    ),
)
