"""The dense kind's ``[problem.optimizer]``: every core.optim method on a net, per-parameter states,
Nesterov's look-ahead pass, clipping, the declared mistakes, and the test lesson."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nntutor.core.feedback import _go_on
from nntutor.core.answers import FormatProblem, format_value, read_answer
from nntutor.core.checker import check_paths
from nntutor.core.feedback import coincides
from nntutor.core.kinds import DataError, build_problem
from nntutor.core.session import LessonRun
from nntutor.core.tolerance import compare
from tests.support import every_step_lesson

TEST_LESSON = Path(__file__).resolve().parents[1] / "lessons" / "kinds" / "dense_optim.toml"

# -- a small net, and an independent reference written out here --------------------------------------

# 2 inputs → 3 tanh units (with biases) → 1 linear output (with a bias); L = ½·Σ(ŷ − y)² (mean over a batch)
X = np.array([[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]])
Y = np.array([[0.3], [-0.4], [1.1]])
W1 = np.array([[0.4, -0.6, 0.2], [0.3, 0.8, -0.5]])
B1 = np.array([0.1, -0.2, 0.05])
W2 = np.array([[0.7], [-0.3], [0.5]])
B2 = np.array([0.2])
LR = 0.1
ORDER = [2, 3, 1, 2]
PARAMS = ("W1", "b1", "W2", "b2")


def net(mode: str, optimizer: dict | None, steps: int = 3) -> dict:
    """The net's lesson data: one observation for ``steps`` steps, the batch (mean), or SGD in ORDER."""
    data = {"kind": "dense", "loss": "squared", "half": True, "learning_rate": LR,
            "layers": [{"W": W1.tolist(), "b": B1.tolist(), "activation": "tanh"},
                       {"W": W2.ravel().tolist(), "b": B2.tolist(), "activation": "identity"}]}
    if optimizer is not None:
        data["optimizer"] = optimizer
    if mode == "single":
        data.update(x=X[0].tolist(), y=float(Y[0, 0]), iterations=steps)
    elif mode == "batch":
        data.update(X=X.tolist(), Y=Y.ravel().tolist(), reduction="mean", iterations=steps)
    else:
        data.update(X=X.tolist(), Y=Y.ravel().tolist(), order=ORDER[:steps])
    return data


def ref_loss_grads(theta, x, y, c):
    """L = c·½·Σ(ŷ − y)² over the rows of x, and its gradient, by hand: forward, then backward."""
    z1 = x @ theta["W1"] + theta["b1"]
    a1 = np.tanh(z1)
    yh = a1 @ theta["W2"] + theta["b2"]
    loss = c * 0.5 * np.sum((yh - y) ** 2)
    d_yh = c * (yh - y)
    d_z1 = (d_yh @ theta["W2"].T) * (1.0 - a1 ** 2)
    return loss, {"W1": x.T @ d_z1, "b1": d_z1.sum(axis=0), "W2": a1.T @ d_yh, "b2": d_yh.sum(axis=0)}


def ref_run(mode: str, opt: dict, steps: int = 3) -> list[dict]:
    """The run step by step: per step, the loss, the gradients used, each parameter's states and new value."""
    theta = {"W1": W1, "b1": B1, "W2": W2, "b2": B2}
    zeros = {p: np.zeros_like(v) for p, v in theta.items()}
    state = {name: dict(zeros) for name in ("h", "buf", "G", "v", "m")}
    method, form = opt["method"], opt.get("form")
    lr, a = LR, opt.get("alpha")
    eps = opt.get("eps", 1e-10 if method == "adagrad" else 1e-8)
    inside = opt.get("eps_placement") == "inside"

    def scaled(g, acc):
        return g / np.sqrt(acc + eps) if inside else g / (np.sqrt(acc) + eps)

    trace = []
    for k in range(1, steps + 1):
        if mode == "single":
            rows, c = [0], 1.0
        elif mode == "batch":
            rows, c = [0, 1, 2], 1.0 / 3
        else:
            rows, c = [ORDER[k - 1] - 1], 1.0
        at = theta
        if method == "nesterov" and form == "textbook":
            at = {p: theta[p] - a * state["h"][p] for p in theta}
        loss, grads = ref_loss_grads(at, X[rows], Y[rows], c)
        if "clip" in opt:
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            grads = {p: g * min(1.0, opt["clip"] / norm) for p, g in grads.items()}
        rec = {"L": loss, "at": at, "g": grads}
        new = {}
        for p, w in theta.items():
            g = grads[p]
            if method == "gd":
                new[p] = w - lr * g
            elif method == "gd_decay":
                new[p] = w - lr / k * g
            elif method in ("momentum", "nesterov") and form == "textbook":
                state["h"][p] = a * state["h"][p] + lr * g
                new[p] = w - state["h"][p]
                rec[f"h.{p}"] = state["h"][p]
            elif method == "momentum":
                state["buf"][p] = a * state["buf"][p] + g
                new[p] = w - lr * state["buf"][p]
                rec[f"buf.{p}"] = state["buf"][p]
            elif method == "nesterov":
                state["buf"][p] = a * state["buf"][p] + g
                d = g + a * state["buf"][p]
                new[p] = w - lr * d
                rec[f"buf.{p}"], rec[f"dir.{p}"] = state["buf"][p], d
            elif method == "adagrad":
                state["G"][p] = state["G"][p] + g ** 2
                new[p] = w - lr * scaled(g, state["G"][p])
                rec[f"G.{p}"] = state["G"][p]
            elif method == "rmsprop":
                state["v"][p] = a * state["v"][p] + (1 - a) * g ** 2
                new[p] = w - lr * scaled(g, state["v"][p])
                rec[f"v.{p}"] = state["v"][p]
            elif method == "adam":
                b1, b2 = opt["beta1"], opt["beta2"]
                m = b1 * state["m"][p] + (1 - b1) * g
                v = b2 * state["v"][p] + (1 - b2) * g ** 2
                corrected = opt.get("bias_correction", True)
                m_hat = m / (1 - b1 ** k) if corrected else m
                v_hat = v / (1 - b2 ** k) if corrected else v
                new[p] = w - lr * scaled(m_hat, v_hat)
                rec.update({f"m.{p}": m, f"v.{p}": v, f"m_hat.{p}": m_hat, f"v_hat.{p}": v_hat})
                # PyTorch carries m and v; the other form feeds the bias-corrected moments back
                state["m"][p], state["v"][p] = (m_hat, v_hat) if opt.get("form") == "fed_back" else (m, v)
            else:
                raise AssertionError(method)
            rec[f"{p}.next"] = new[p]
        theta = new
        trace.append(rec)
    return trace


OPTIMIZERS = {
    "gd": {"method": "gd"},
    "gd_decay": {"method": "gd_decay"},
    "momentum-textbook": {"method": "momentum", "form": "textbook", "alpha": 0.9},
    "momentum-pytorch": {"method": "momentum", "form": "pytorch", "alpha": 0.9},
    "nesterov-textbook": {"method": "nesterov", "form": "textbook", "alpha": 0.9},
    "nesterov-pytorch": {"method": "nesterov", "form": "pytorch", "alpha": 0.9},
    "adagrad": {"method": "adagrad"},
    "adagrad-inside": {"method": "adagrad", "eps": 0.01, "eps_placement": "inside"},
    "rmsprop-outside": {"method": "rmsprop", "alpha": 0.9, "eps": 0.01},
    "rmsprop-inside": {"method": "rmsprop", "alpha": 0.9, "eps": 0.01, "eps_placement": "inside"},
    "adam-pytorch": {"method": "adam", "beta1": 0.9, "beta2": 0.999},
    "adam-fed-back": {"method": "adam", "beta1": 0.9, "beta2": 0.99, "form": "fed_back"},
    "adam-uncorrected": {"method": "adam", "beta1": 0.8, "beta2": 0.9, "bias_correction": False},
    "momentum-clip": {"method": "momentum", "form": "pytorch", "alpha": 0.5, "clip": 0.3},
    "adam-clip": {"method": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "clip": 0.25},
    "nesterov-textbook-clip": {"method": "nesterov", "form": "textbook", "alpha": 0.8, "clip": 0.2},
}


@pytest.mark.parametrize("mode", ["single", "batch", "sgd"])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_every_optimizer_matches_an_independent_reference_over_four_steps(name, mode):
    opt = OPTIMIZERS[name]
    values = build_problem(net(mode, opt, steps=4)).evaluate()
    trace = ref_run(mode, opt, steps=4)
    for k, rec in enumerate(trace, start=1):
        np.testing.assert_allclose(values[f"L@{k}"], rec["L"], rtol=1e-12, atol=1e-14, err_msg=(name, k))
        for p in PARAMS:
            used = f"grad_clip.{p}@{k}" if "clip" in opt else f"grad.{p}@{k}"
            np.testing.assert_allclose(values[used], rec["g"][p], rtol=1e-10, atol=1e-14, err_msg=(name, k, p))
        named = [key for key in rec if "." in key]
        assert len(named) >= 4  # every method names at least p.next for the four parameters
        for key in named:
            np.testing.assert_allclose(values[f"{key}@{k}"], rec[key], rtol=1e-10, atol=1e-14,
                                       err_msg=(name, mode, k, key))


def test_the_forms_differ_so_the_reference_tells_them_apart():
    """Each pair of conventions gives different weights after three steps (else the test above could not fail)."""
    pairs = [("nesterov-textbook", "nesterov-pytorch"),
             ("nesterov-textbook", "momentum-textbook"), ("rmsprop-outside", "rmsprop-inside"),
             ("adagrad", "adagrad-inside")]
    for a, b in pairs:
        va = build_problem(net("batch", OPTIMIZERS[a])).evaluate()
        vb = build_problem(net("batch", OPTIMIZERS[b])).evaluate()
        assert not np.allclose(va["W1.next@3"], vb["W1.next@3"], rtol=1e-6, atol=0), (a, b)
    # the two momentum forms take the same steps (h = γ·b with a constant γ) but name different states
    tb = build_problem(net("batch", OPTIMIZERS["momentum-textbook"])).evaluate()
    pt = build_problem(net("batch", OPTIMIZERS["momentum-pytorch"])).evaluate()
    np.testing.assert_allclose(tb["W1.next@3"], pt["W1.next@3"])
    np.testing.assert_allclose(tb["h.W1@3"], LR * pt["buf.W1@3"])
    assert not np.allclose(tb["h.W1@3"], pt["buf.W1@3"])
    pt = build_problem(net("batch", {"method": "adam", "beta1": 0.9, "beta2": 0.99})).evaluate()
    fb = build_problem(net("batch", OPTIMIZERS["adam-fed-back"])).evaluate()
    assert np.allclose(pt["W1.next@1"], fb["W1.next@1"]) and not np.allclose(pt["W1.next@3"], fb["W1.next@3"])


def test_clipping_scales_every_gradient_by_one_factor_from_the_whole_norm():
    values = build_problem(net("batch", OPTIMIZERS["adam-clip"])).evaluate()
    for k in (1, 2, 3):
        grads = [np.asarray(values[f"grad.{p}@{k}"]) for p in PARAMS]
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads))
        assert values[f"grad_norm@{k}"] == pytest.approx(norm, rel=1e-12)
        assert norm > 0.25  # these numbers really are clipped
        clipped = np.sqrt(sum(np.sum(np.asarray(values[f"grad_clip.{p}@{k}"]) ** 2) for p in PARAMS))
        assert clipped == pytest.approx(0.25, rel=1e-12)
    # below the threshold nothing changes
    big = build_problem(net("batch", {**OPTIMIZERS["adam-clip"], "clip": 100.0})).evaluate()
    for p in PARAMS:
        np.testing.assert_array_equal(big[f"grad_clip.{p}@1"], big[f"grad.{p}@1"])


# -- Nesterov: the step's pass runs at the look-ahead weights ----------------------------------------


def test_textbook_nesterov_runs_the_pass_at_the_look_ahead_weights():
    problem = build_problem(net("batch", OPTIMIZERS["nesterov-textbook"]))
    values = problem.evaluate()
    for k in (1, 2, 3):
        for p in PARAMS:
            prev = p if k == 1 else f"{p}.next@{k - 1}"
            np.testing.assert_allclose(values[f"look.{p}@{k}"], values[prev] - 0.9 * values[f"h.{p}@{k - 1}"])
        # Z1 of step k is computed from the look-ahead W1 and b1, the update from the weights before it
        assert problem.quantities[f"Z1@{k}"].deps == ("X", f"look.W1@{k}", f"look.b1@{k}")
        assert problem.quantities[f"W1.next@{k}"].deps[0] == ("W1" if k == 1 else f"W1.next@{k - 1}")
    assert not np.allclose(values["look.W1@2"], values["W1.next@1"])


@st.composite
def nesterov_nets(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    sizes = [draw(st.integers(1, 3)) for _ in range(3)]
    layers = [{"W": rng.normal(size=(sizes[0], sizes[1])).tolist(), "b": (0.5 * rng.normal(size=sizes[1])).tolist(),
               "activation": draw(st.sampled_from(["tanh", "sigmoid"]))},
              {"W": rng.normal(size=(sizes[1], sizes[2])).tolist(), "activation": "identity"}]
    m = draw(st.integers(1, 3))
    data = {"kind": "dense", "loss": "squared", "half": draw(st.booleans()),
            "learning_rate": draw(st.sampled_from([0.05, 0.2, 0.5])), "layers": layers,
            "optimizer": {"method": "nesterov", "form": "textbook", "alpha": draw(st.sampled_from([0.5, 0.9]))}}
    if m == 1:
        data.update(x=rng.normal(size=sizes[0]).tolist(), y=rng.normal(size=sizes[2]).tolist(), iterations=3)
    else:
        data.update(X=rng.normal(size=(m, sizes[0])).tolist(), Y=rng.normal(size=(m, sizes[2])).tolist(),
                    reduction=draw(st.sampled_from(["mean", "sum"])), iterations=3)
    return data


@settings(max_examples=25, deadline=None)
@given(nesterov_nets())
def test_nesterov_gradients_are_the_loss_gradient_at_the_look_ahead_point(data):
    """∂L/∂p of step k against central differences of L⁽ᵏ⁾ in the look-ahead weights p̃⁽ᵏ⁾."""
    problem = build_problem(data)
    values = problem.evaluate()
    # a run blowing up (L ≈ 2·10⁴ after a big step) leaves central differences with round-off of
    # ε·L/h ≈ 10⁻⁶ on their own: the check needs a loss of ordinary size
    assume(all(abs(float(values[f"L@{k}"])) < 100 for k in (2, 3)))
    h = 1e-6
    for k in (2, 3):
        for p in [q for q in PARAMS if f"look.{q}@{k}" in problem]:
            look = np.array(values[f"look.{p}@{k}"])
            numeric = np.zeros_like(look)
            for idx in np.ndindex(look.shape):
                plus, minus = look.copy(), look.copy()
                plus[idx] += h
                minus[idx] -= h
                numeric[idx] = (float(problem.evaluate({f"look.{p}@{k}": plus})[f"L@{k}"])
                                - float(problem.evaluate({f"look.{p}@{k}": minus})[f"L@{k}"])) / (2 * h)
            analytic = np.asarray(values[f"grad.{p}@{k}"])
            scale = max(1.0, float(np.max(np.abs(numeric))))
            assert np.max(np.abs(numeric - analytic)) <= 1e-6 * scale, (k, p)
        # the look-ahead point really is elsewhere than the weights the step starts from
        # (compared exactly: with a tiny gradient the two can agree to five digits)
        assert not np.array_equal(values[f"look.W1@{k}"], values[f"W1.next@{k - 1}"])


# -- hand-worked ------------------------------------------------------------------------------------


def test_one_momentum_step_on_the_layer_by_layer_net_by_hand():
    # x = (1, 2), W1 = [[1, −1], [0.5, 0]] (ReLU), W2 = (0.5, 1)ᵀ, y = 0, L = (ŷ − y)², γ = 0.1,
    # momentum, textbook form, α = 0.9, one step from h = 0:
    #   ∂L/∂W1 = [[1, 0], [2, 0]], ∂L/∂W2 = (4, 0)ᵀ (as in the layer-by-layer lesson)
    #   h_W1 = 0.9·0 + 0.1·[[1, 0], [2, 0]] = [[0.1, 0], [0.2, 0]];  W1′ = W1 − h_W1 = [[0.9, −1], [0.3, 0]]
    #   h_W2 = 0.1·(4, 0) = (0.4, 0);  W2′ = (0.5 − 0.4, 1 − 0) = (0.1, 1)
    data = {"kind": "dense", "x": [1, 2], "y": 0, "loss": "squared", "half": False, "learning_rate": 0.1,
            "layers": [{"W": [[1, -1], [0.5, 0]], "activation": "relu"}, {"W": [0.5, 1], "activation": "identity"}],
            "optimizer": {"method": "momentum", "form": "textbook", "alpha": 0.9}}
    problem = build_problem(data)
    v = problem.evaluate()
    expect = {"h.W1@0": [[0, 0], [0, 0]], "h.W2@0": [[0], [0]], "grad.W1": [[1, 0], [2, 0]],
              "h.W1": [[0.1, 0], [0.2, 0]], "W1.next": [[0.9, -1], [0.3, 0]],
              "h.W2": [[0.4], [0]], "W2.next": [[0.1], [1]]}
    for key, value in expect.items():
        np.testing.assert_allclose(v[key], value, err_msg=key)
    assert problem.quantities["h.W1"].symbol == "h_W₁"
    assert problem.quantities["h.W1@0"].symbol == "h_W₁⁽⁰⁾"
    assert problem.quantities["h.W1"].formula == "h_W₁ = α·h_W₁⁽⁰⁾ + γ·∂L/∂W₁"
    assert problem.quantities["W1.next"].formula == "W₁′ = W₁ − h_W₁"
    assert not any("@" in key for key in problem.keys() if not key.endswith("@0"))


def test_two_pytorch_momentum_steps_on_a_one_unit_chain_by_hand():
    # ŷ = x·w1·w2 (linear units), x = 1, y = 0, L = ½ŷ², γ = 0.1, PyTorch momentum α = 0.5:
    # step 1: ŷ = 1·1·2 = 2; ∂L/∂ŷ = 2; ∂L/∂w2 = a1·2 = 2; ∂L/∂w1 = x·(2·w2) = 4
    #   b_w1 = 4, b_w2 = 2;  w1 = 1 − 0.1·4 = 0.6,  w2 = 2 − 0.1·2 = 1.8
    # step 2: ŷ = 0.6·1.8 = 1.08; ∂L/∂w2 = 0.6·1.08 = 0.648; ∂L/∂w1 = 1.08·1.8 = 1.944
    #   b_w1 = 0.5·4 + 1.944 = 3.944,  b_w2 = 0.5·2 + 0.648 = 1.648
    #   w1 = 0.6 − 0.3944 = 0.2056,  w2 = 1.8 − 0.1648 = 1.6352
    data = {"kind": "dense", "x": [1], "y": 0, "loss": "squared", "half": True, "learning_rate": 0.1,
            "iterations": 2, "layers": [{"W": [1], "activation": "identity"}, {"W": [2], "activation": "identity"}],
            "optimizer": {"method": "momentum", "form": "pytorch", "alpha": 0.5}}
    v = build_problem(data).evaluate()
    expect = {"y_hat@1": 2, "buf.W1@1": 4, "buf.W2@1": 2, "W1.next@1": 0.6, "W2.next@1": 1.8,
              "y_hat@2": 1.08, "grad.W2@2": 0.648, "grad.W1@2": 1.944, "buf.W1@2": 3.944, "buf.W2@2": 1.648,
              "W1.next@2": 0.2056, "W2.next@2": 1.6352}
    for key, value in expect.items():
        np.testing.assert_allclose(np.ravel(v[key]), [value], rtol=1e-12, err_msg=key)


def test_without_an_optimizer_nothing_changes():
    plain = net("batch", None)
    with_gd = net("batch", {"method": "gd"})
    p, q = build_problem(plain), build_problem(with_gd)
    assert list(p.keys()) == list(q.keys())  # gd names the same quantities as the plain step
    for key in p.keys():
        np.testing.assert_allclose(p.evaluate()[key], q.evaluate()[key], rtol=1e-15, err_msg=key)
    assert not any(key.startswith(("h.", "m.", "look.", "grad_norm", "alpha")) for key in p.keys())
    assert "method" not in p.conventions and "method" in q.conventions


def test_conventions_state_the_method_and_the_states():
    problem = build_problem(net("sgd", OPTIMIZERS["adam-clip"]))
    conv = problem.conventions
    assert "m̂ₜ = mₜ/(1 − β₁^t)" in conv["method"]["en"] and "β₁ = 0.9" in conv["method"]["en"]
    assert "order 2, 3, 1" in conv["step"]["en"]
    assert "m_W₁⁽²⁾" in conv["optimizer_state"]["en"] and "clip_grad_norm_" in conv["clip"]["en"]
    for name in ("step", "method", "optimizer_state", "clip"):
        assert conv[name]["ru"] and conv[name]["ru"] != conv[name]["en"], name


# -- bad data -------------------------------------------------------------------------------------


@pytest.mark.parametrize("optimizer, field", [
    ("adam", "problem.optimizer"),
    ({"method": "lbfgs"}, "problem.optimizer.method"),
    ({}, "problem.optimizer.method"),
    ({"method": "newton"}, "problem.optimizer.method"),
    ({"method": "adam", "beta1": 0.9, "beta2": 0.999, "learning_rate": 0.1}, "problem.optimizer.learning_rate"),
    ({"method": "momentum", "form": "textbook"}, "problem.optimizer.alpha"),
    ({"method": "momentum", "alpha": 0.9}, "problem.optimizer.form"),
    ({"method": "momentum", "alpha": 0.9, "form": "keras"}, "problem.optimizer.form"),
    ({"method": "momentum", "alpha": 1.5, "form": "textbook"}, "problem.optimizer.alpha"),
    ({"method": "gd", "alpha": 0.9}, "problem.optimizer.alpha"),
    ({"method": "rmsprop", "alpha": 0.9, "eps_placement": "under"}, "problem.optimizer.eps_placement"),
    ({"method": "adam", "beta1": 0.9, "beta2": 0.999, "clip": -1}, "problem.optimizer.clip"),
    ({"method": "adam", "beta1": 0.9, "beta2": 0.999, "colour": 1}, "problem.optimizer.colour"),
])
def test_bad_optimizer_data_names_the_field(optimizer, field):
    with pytest.raises(DataError) as info:
        build_problem(net("single", optimizer))
    assert info.value.field == field


def test_a_division_by_zero_is_reported():
    # zero weights: W1 gets no gradient, and with ε = 0 Adam divides 0 by 0
    data = {"kind": "dense", "x": [1, 2], "y": 1, "loss": "squared", "half": True, "learning_rate": 0.1,
            "init": "zeros", "layers": [{"units": 2, "activation": "tanh"}, {"units": 1, "activation": "identity"}],
            "optimizer": {"method": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 0}}
    with pytest.raises(DataError) as info:
        build_problem(data)
    assert info.value.field == "problem.optimizer" and "non-finite" in info.value.message


# -- mistakes: each declared one fires with its own message ----------------------------------------

WALK_CASES = {
    "momentum-textbook-sgd": net("sgd", OPTIMIZERS["momentum-textbook"]),
    "momentum-pytorch-batch": net("batch", {"method": "momentum", "form": "pytorch", "alpha": 0.5}, 2),
    "nesterov-textbook-clip": net("batch", OPTIMIZERS["nesterov-textbook-clip"]),
    "nesterov-pytorch": net("single", {"method": "nesterov", "form": "pytorch", "alpha": 0.5}),
    "gd-decay": net("single", {"method": "gd_decay"}),
    "adagrad": net("batch", {"method": "adagrad", "eps": 0.1}, 2),
    "rmsprop-inside": net("single", {"method": "rmsprop", "alpha": 0.5, "eps": 0.1, "eps_placement": "inside"}, 2),
    "adam-fed-back": net("batch", {"method": "adam", "beta1": 0.8, "beta2": 0.9, "eps": 0.1, "form": "fed_back"}),
    "adam-clip": net("single", {"method": "adam", "beta1": 0.8, "beta2": 0.9, "eps": 0.1, "clip": 0.25}),
}
DIGITS = 10


@functools.lru_cache(maxsize=None)
def walk(case: str, lang: str) -> frozenset[tuple[str, str]]:
    """Type every live mistake of every quantity, then the right value; the (key, name) that fired as themselves."""
    lesson = every_step_lesson(case, WALK_CASES[case])
    problem = lesson.problem
    run = LessonRun(lesson, lang=lang)
    fired: set[tuple[str, str]] = set()
    for step in lesson.steps:
        values = run.values()
        right = np.asarray(values[step.quantity])
        tol = run.tolerance(step)
        declared = problem.mistake_values(step.quantity, values)
        live = [(v, value) for v, value in declared if not coincides(value, right)]
        for v, value in live:
            assert value.size == right.size and v.message[lang].strip(), (case, step.quantity, v.name)
            typed = format_value(value, DIGITS)
            reading = read_answer(typed, right.shape)
            assert not isinstance(reading, FormatProblem), (case, step.quantity, v.name, typed)
            if compare(reading, right, tol).ok:
                continue
            verdict = run.submit(typed)
            assert verdict.status == "wrong", (case, step.quantity, v.name)
            matched = [u for u, u_value in live if compare(reading, u_value.reshape(right.shape), tol).ok]
            distinct = list(dict.fromkeys(u.message[lang] for u in matched))
            # the first declared mistake giving this number leads; a second one giving it too follows
            assert verdict.diagnosis.startswith(matched[0].message[lang]), (case, step.quantity, v.name)
            assert all(m in verdict.diagnosis for m in [distinct[0], *map(_go_on, distinct[1:2])]), \
                (case, step.quantity, v.name)
            if v.message[lang] in distinct[:2]:
                fired.add((step.quantity, v.name))
        verdict = run.submit(format_value(right, 12))
        assert verdict.status == "correct" and verdict.diagnosis is None, (case, step.quantity)
    assert run.complete
    return frozenset(fired)


@pytest.mark.parametrize("case", sorted(WALK_CASES))
def test_each_optimizer_mistake_names_itself(case):
    walk(case, "en")


@pytest.mark.parametrize("case", ["adam-fed-back", "nesterov-textbook-clip"])
def test_each_optimizer_mistake_names_itself_in_russian(case):
    assert walk(case, "ru") == walk(case, "en")


#: Every mistake an optimizer on a net declares: core.optim's stages', clipping's, Nesterov's point.
OPTIMIZER_MISTAKES = {
    "step_added", "no_lr", "momentum_form", "nesterov_form", "decay_off_by_one", "G_no_square_abs",
    "G_no_square", "v_no_square_abs", "v_no_square", "eps_placement", "no_root", "m_adam_form", "v_adam_form",
    "no_bias_correction", "norm_no_root", "clip_components", "clip_each_parameter", "other_order",
}


def test_every_optimizer_mistake_fires_somewhere_and_per_parameter():
    fired = set().union(*(walk(c, "en") for c in WALK_CASES))
    names = {name for _, name in fired}
    assert OPTIMIZER_MISTAKES <= names, OPTIMIZER_MISTAKES - names
    declared = {v.name for data in WALK_CASES.values() for q in build_problem(data).quantities.values()
                for v in q.mistakes}
    assert declared - names == set()
    # a stage's mistakes are declared for every parameter: the biases' updates name them too
    assert ("b1.next@2", "step_added") in fired and ("m_hat.b2@3", "no_bias_correction") in fired
    # Nesterov's other point is named in the forward and backward pass, not only in the update
    assert {("z1@2", "nesterov_form"), ("grad.W1@3", "nesterov_form")} <= fired


def test_conventions_are_flagged():
    conventions = {"momentum_form", "nesterov_form", "eps_placement", "m_adam_form", "v_adam_form",
                   "clip_each_parameter"}
    for case, data in WALK_CASES.items():
        for q in build_problem(data).quantities.values():
            for v in q.mistakes:
                if q.role == "update" or v.name in conventions | {"clip_components", "norm_no_root"}:
                    assert v.convention == (v.name in conventions), (case, q.key, v.name)


# -- the test lesson ---------------------------------------------------------------------------------


def test_the_optimizer_test_lesson_passes_the_checker():
    assert check_paths([TEST_LESSON]) == []
