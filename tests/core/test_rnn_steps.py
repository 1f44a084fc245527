"""Issue 15's recurrent additions: the lecture's language model (one-hot token → embedding → tanh
state → softmax → cross-entropy, seed N9), the probability of a sequence as a product (N11), a
sigmoid output with a log-loss at every step, and the weights' gradients as sums of per-step terms --
against a forward pass written independently and central differences of the loss."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem

RNG = np.random.default_rng(7)


def _lm_data(tokens, labels, E, U, W, b, V, c, mean=True):
    return {"kind": "rnn", "tokens": tokens, "E": E.tolist(), "U": U.tolist(), "W": W.tolist(), "b": b.tolist(),
            "activation": "tanh", "output": "softmax", "V": V.tolist(), "c": c.tolist(), "loss": "cross_entropy",
            "labels": labels, "reduction": "mean" if mean else "sum", "per_step": True}


def _lm_loss(tokens, labels, E, U, W, b, V, c, mean=True):
    """The lecture's model written out: X one-hot, e = E·X, h = tanh(W_e·e + W_h·h + b₁),
    ŷ = softmax(W₂·h + b₂), J = mean of −ln ŷ[y]; returns (J, per-step J, per-step ŷ[y])."""
    vocab = E.shape[1]
    h = np.zeros(W.shape[0])
    losses, probs = [], []
    for tok, y in zip(tokens, labels):
        X = np.zeros(vocab)
        X[tok - 1] = 1.0
        e = E @ X
        h = np.tanh(U @ e + W @ h + b)
        scores = V @ h + c
        y_hat = np.exp(scores) / np.exp(scores).sum()
        probs.append(y_hat[y - 1])
        losses.append(-np.log(y_hat[y - 1]))
    total = sum(losses) / len(losses) if mean else sum(losses)
    return total, losses, probs


def _random_lm():
    d, h, vocab = 2, 3, 4
    return (RNG.normal(size=(d, vocab)), RNG.normal(size=(h, d)), 0.5 * RNG.normal(size=(h, h)),
            RNG.normal(size=h), RNG.normal(size=(vocab, h)), RNG.normal(size=vocab))


@pytest.mark.parametrize("mean", [True, False])
def test_language_model_forward_matches_the_lecture_model_written_out(mean):
    E, U, W, b, V, c = _random_lm()
    tokens, labels = [2, 4, 1], [4, 1, 3]
    v = build_problem(_lm_data(tokens, labels, E, U, W, b, V, c, mean)).evaluate()
    total, losses, probs = _lm_loss(tokens, labels, E, U, W, b, V, c, mean)
    for t in range(3):
        np.testing.assert_allclose(v[f"x{t + 1}"], E[:, tokens[t] - 1])
        assert float(v[f"p{t + 1}"]) == pytest.approx(probs[t])
        assert float(v[f"L{t + 1}"]) == pytest.approx(losses[t])
    assert float(v["L"]) == pytest.approx(total)
    # the chain rule of probability: P = Π pₜ and −ln P = Σ Lₜ
    assert float(v["P"]) == pytest.approx(np.prod(probs))
    assert -np.log(float(v["P"])) == pytest.approx(sum(losses))


def _central(f, M, h=1e-6):
    g = np.zeros_like(M)
    for idx in np.ndindex(M.shape):
        Mp, Mm = M.copy(), M.copy()
        Mp[idx] += h
        Mm[idx] -= h
        g[idx] = (f(Mp) - f(Mm)) / (2 * h)
    return g


def test_language_model_gradients_are_sums_of_step_terms_and_match_central_differences():
    E, U, W, b, V, c = _random_lm()
    tokens, labels = [1, 3, 3], [3, 3, 2]
    p = build_problem(_lm_data(tokens, labels, E, U, W, b, V, c))
    v = p.evaluate()
    np.testing.assert_allclose(v["grad.W"], _central(lambda W_: _lm_loss(tokens, labels, E, U, W_, b, V, c)[0], W),
                               rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(v["grad.U"], _central(lambda U_: _lm_loss(tokens, labels, E, U_, W, b, V, c)[0], U),
                               rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(v["grad.V"], _central(lambda V_: _lm_loss(tokens, labels, E, U, W, b, V_, c)[0], V),
                               rtol=1e-5, atol=1e-8)
    # the terms: ∂L/∂W|ₜ = ∂L/∂zₜ·sₜ₋₁ᵀ, summed
    for t in (1, 2, 3):
        np.testing.assert_allclose(v[f"grad.W.at{t}"], np.outer(v[f"grad.z{t}"], v[f"s{t - 1}"]))
        np.testing.assert_allclose(v[f"grad.U.at{t}"], np.outer(v[f"grad.z{t}"], v[f"x{t}"]))
    np.testing.assert_allclose(v["grad.W"], sum(v[f"grad.W.at{t}"] for t in (1, 2, 3)))
    assert "contributions_sum" == p.quantities["grad.W"].op


def _sigmoid_loss(xs, ys, U, W, V, c, mean):
    """Scalar state s = tanh(U·x + W·s), o = σ(V·s + c), log-loss at every step, written out."""
    s, total = 0.0, 0.0
    for x, y in zip(xs, ys):
        s = np.tanh(U * x + W * s)
        o = 1 / (1 + np.exp(-(V * s + c)))
        total += -(y * np.log(o) + (1 - y) * np.log(1 - o))
    return total / len(xs) if mean else total


@pytest.mark.parametrize("mean", [False, True])
def test_sigmoid_output_with_a_log_loss_at_every_step(mean):
    xs, ys, U, W, V, c = [1.0, -0.5, 2.0, 0.3], [1, 0, 1, 1], 0.8, 0.6, 1.5, -0.2
    data = {"kind": "rnn", "x": xs, "U": U, "W": W, "activation": "tanh", "output": "sigmoid", "V": V, "c": c,
            "loss": "log_loss", "labels": ys, "reduction": "mean" if mean else "sum", "per_step": True}
    v = build_problem(data).evaluate()
    assert float(v["L"]) == pytest.approx(_sigmoid_loss(xs, ys, U, W, V, c, mean))
    h = 1e-6
    for name, val in (("W", W), ("U", U), ("V", V), ("c", c)):
        def f(x_, name=name):
            args = dict(U=U, W=W, V=V, c=c)
            args[name] = x_
            return _sigmoid_loss(xs, ys, args["U"], args["W"], args["V"], args["c"], mean)
        assert float(v[f"grad.{name}"]) == pytest.approx((f(val + h) - f(val - h)) / (2 * h), rel=1e-6)
    # ∂L/∂vₜ = oₜ − yₜ (÷ T)
    for t in range(1, 5):
        assert float(v[f"grad.v{t}"]) == pytest.approx((float(v[f"o{t}"]) - ys[t - 1]) / (4 if mean else 1))
    assert float(v["grad.W"]) == pytest.approx(sum(float(v[f"grad.W.at{t}"]) for t in range(1, 5)))


def test_log_loss_writes_step_losses_without_per_step_but_no_terms():
    p = build_problem({"kind": "rnn", "x": [1, 2], "U": 1, "W": 0.5, "activation": "tanh", "output": "sigmoid",
                       "V": 1, "loss": "log_loss", "labels": [0, 1]})
    assert {"L1", "L2"} <= set(p.quantities) and "grad.W.at1" not in p.quantities


def test_existing_cross_entropy_lessons_keep_their_graph_without_per_step():
    data = {"kind": "rnn", "x": [1, 2], "U": 1, "W": 0.5, "activation": "tanh", "output": "softmax",
            "V": [-2, 0, 2], "loss": "cross_entropy", "labels": [3, 1]}
    p = build_problem(data)
    assert not {"L1", "p1", "P", "grad.W.at1"} & set(p.quantities)
    assert p.quantities["grad.W"].op == "shared_weight_grad"


@pytest.mark.parametrize("extra, field", [
    ({"tokens": [1, 5], "E": [[1, 0, 1], [0, 1, 1]]}, "tokens"),
    ({"tokens": [1, 2]}, "E"),
    ({"tokens": [1, 2], "E": [[1, 0, 1], [0, 1, 1]], "x": [1, 2]}, "x"),
    ({"x": [1, 2], "output": "sigmoid", "V": [1], "loss": "log_loss", "labels": [1, 2]}, "labels"),
    ({"x": [1, 2], "output": "softmax", "V": [1, 2], "loss": "log_loss", "labels": [1, 0]}, "loss"),
    ({"x": [1, 2], "output": "sigmoid", "V": [1], "loss": "squared", "y": 1, "half": True}, "loss"),
    ({"x": [1, 2], "output": "sigmoid", "V": [[1], [2]], "loss": "log_loss", "labels": [1, 0]}, "V"),
    ({"x": [1, 2], "loss": "none", "per_step": True}, "per_step"),
])
def test_data_errors_name_the_field(extra, field):
    data = {"kind": "rnn", "U": 1, "W": 0.5, "activation": "tanh", "loss": "none"}
    data.update(extra)
    if "tokens" in data:
        data["U"] = [1, 1]
    with pytest.raises(DataError) as e:
        build_problem(data)
    assert e.value.field == f"problem.{field}"
