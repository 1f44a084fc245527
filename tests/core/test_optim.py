"""core/optim.py: every method and convention against an independent reference sequence.

The running example is CURRICULUM §3: x = (1, 2), y = (2, 3), ŷ = w·x, L = ½·Σ(w·xᵢ − yᵢ)²,
so g(w) = Σ(w·xᵢ − yᵢ)·xᵢ = 5w − 8 and L″ = 5; w₀ = 0, η = 0.1, α = 0.9.
The references below are written out straight from the textbook / PyTorch formulas with
Python floats, step by step; they share no code with the engine.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntutor.core import optim

LR, ALPHA, STEPS = 0.1, 0.9, 4


def grad(w: float) -> float:
    return 5.0 * w - 8.0


def run(hyper, steps=STEPS, w0=0.0, g=grad, hess=None, params_shape=()):
    """The engine's sequence w₁ … w_T (and the states after each step)."""
    w = np.full(params_shape, w0, dtype=np.float64)
    state = optim.init_state(w, hyper)
    ws, states = [], []
    for _ in range(steps):
        point = optim.lookahead(w, state, hyper)
        w, state = optim.step(w, g(point), state, hyper, hessian=None if hess is None else hess(point))
        ws.append(w)
        states.append(state)
    return ws, states


def assert_seq(engine, reference):
    assert len(engine) == len(reference) >= 3
    np.testing.assert_allclose(np.array(engine, dtype=float), np.array(reference, dtype=float),
                               rtol=1e-12, atol=1e-12)


# -- hand-worked first steps -----------------------------------------------------------


def test_momentum_textbook_two_steps_by_hand():
    # g₁ = 5·0 − 8 = −8;  h₁ = 0.9·0 + 0.1·(−8) = −0.8;  w₁ = 0 − (−0.8) = 0.8
    # g₂ = 5·0.8 − 8 = −4; h₂ = 0.9·(−0.8) + 0.1·(−4) = −0.72 − 0.4 = −1.12; w₂ = 0.8 + 1.12 = 1.92
    ws, states = run({"method": "momentum", "lr": LR, "alpha": ALPHA, "form": "textbook"}, steps=2)
    assert [float(w) for w in ws] == pytest.approx([0.8, 1.92])
    assert [float(s["h"]) for s in states] == pytest.approx([-0.8, -1.12])


def test_adam_first_step_by_hand():
    # g₁ = −8; m₁ = 0.1·(−8) = −0.8; v₁ = 0.1·64 = 6.4; m̂₁ = −0.8/0.1 = −8; v̂₁ = 6.4/0.1 = 64;
    # w₁ = 0 − 0.1·(−8)/(8 + 1e−8) ≈ 0.1  (Adam's first step has length η whatever g is)
    ws, states = run({"method": "adam", "lr": LR, "beta1": 0.9, "beta2": 0.9}, steps=1 + 2)
    assert float(ws[0]) == pytest.approx(0.1, rel=1e-8)
    assert float(states[0]["m"]) == pytest.approx(-0.8)   # kept uncorrected
    assert float(states[0]["v"]) == pytest.approx(6.4)


def test_rmsprop_first_step_by_hand():
    # v₁ = 0.9·0 + 0.1·64 = 6.4; w₁ = 0 + 0.1·8/√6.4 = 0.8/2.529822… = 0.316227…
    ws, _ = run({"method": "rmsprop", "lr": LR, "alpha": ALPHA}, steps=3)
    assert float(ws[0]) == pytest.approx(0.1 * 8 / math.sqrt(6.4), rel=1e-8)


# -- reference sequences ------------------------------------------------------------------


def ref_gd():
    w, out = 0.0, []
    for _ in range(STEPS):
        w = w - LR * grad(w)
        out.append(w)
    return out


def ref_gd_decay():
    w, out = 0.0, []
    for k in range(1, STEPS + 1):
        w = w - (LR / k) * grad(w)
        out.append(w)
    return out


def ref_momentum_textbook():
    w, h, out = 0.0, 0.0, []
    for _ in range(STEPS):
        h = ALPHA * h + LR * grad(w)
        w = w - h
        out.append(w)
    return out


def ref_momentum_pytorch():
    # torch.optim.SGD(momentum=μ): b₁ = g₁ (clone), then b_t = μ·b_{t−1} + g_t; p −= lr·b_t
    w, b, out = 0.0, None, []
    for _ in range(STEPS):
        g = grad(w)
        b = g if b is None else ALPHA * b + g
        w = w - LR * b
        out.append(w)
    return out


def ref_nesterov_textbook():
    # Sutskever et al.: the gradient at the look-ahead point w − α·h
    w, h, out = 0.0, 0.0, []
    for _ in range(STEPS):
        h = ALPHA * h + LR * grad(w - ALPHA * h)
        w = w - h
        out.append(w)
    return out


def ref_nesterov_pytorch():
    # torch.optim.SGD(momentum=μ, nesterov=True): g ← g + μ·b_t after updating b
    w, b, out = 0.0, None, []
    for _ in range(STEPS):
        g = grad(w)
        b = g if b is None else ALPHA * b + g
        w = w - LR * (g + ALPHA * b)
        out.append(w)
    return out


def ref_adagrad(eps, inside):
    w, G, out = 0.0, 0.0, []
    for _ in range(STEPS):
        g = grad(w)
        G = G + g * g
        w = w - LR * g / (math.sqrt(G + eps) if inside else math.sqrt(G) + eps)
        out.append(w)
    return out


def ref_rmsprop(eps, inside):
    w, v, out = 0.0, 0.0, []
    for _ in range(STEPS):
        g = grad(w)
        v = ALPHA * v + (1 - ALPHA) * g * g
        w = w - LR * g / (math.sqrt(v + eps) if inside else math.sqrt(v) + eps)
        out.append(w)
    return out


def ref_adam_pytorch(b1, b2, eps):
    # written the way torch.optim.Adam computes it: step_size = lr/bc1, denom = √v/√bc2 + ε
    w, m, v, out = 0.0, 0.0, 0.0, []
    for t in range(1, STEPS + 1):
        g = grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        w = w - (LR / bc1) * m / (math.sqrt(v) / math.sqrt(bc2) + eps)
        out.append(w)
    return out


def ref_adam_fed_back(b1, b2, eps):
    w, m, v, out = 0.0, 0.0, 0.0, []
    for t in range(1, STEPS + 1):
        g = grad(w)
        m = (b1 * m + (1 - b1) * g) / (1 - b1 ** t)   # the corrected value is what is kept
        v = (b2 * v + (1 - b2) * g * g) / (1 - b2 ** t)
        w = w - LR * m / (math.sqrt(v) + eps)
        out.append(w)
    return out


def ref_adam_uncorrected(b1, b2, eps):
    w, m, v, out = 0.0, 0.0, 0.0, []
    for _ in range(STEPS):
        g = grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - LR * m / (math.sqrt(v) + eps)
        out.append(w)
    return out


def ref_newton(lr):
    w, out = 0.0, []
    for _ in range(STEPS):
        w = w - lr * grad(w) / 5.0
        out.append(w)
    return out


@pytest.mark.parametrize("hyper, reference", [
    ({"method": "gd", "lr": LR}, ref_gd),
    ({"method": "gd_decay", "lr": LR}, ref_gd_decay),
    ({"method": "momentum", "lr": LR, "alpha": ALPHA, "form": "textbook"}, ref_momentum_textbook),
    ({"method": "momentum", "lr": LR, "alpha": ALPHA, "form": "pytorch"}, ref_momentum_pytorch),
    ({"method": "nesterov", "lr": LR, "alpha": ALPHA, "form": "textbook"}, ref_nesterov_textbook),
    ({"method": "nesterov", "lr": LR, "alpha": ALPHA, "form": "pytorch"}, ref_nesterov_pytorch),
    ({"method": "adagrad", "lr": LR}, lambda: ref_adagrad(1e-10, False)),
    ({"method": "adagrad", "lr": LR, "eps": 0.5, "eps_placement": "inside"}, lambda: ref_adagrad(0.5, True)),
    ({"method": "adagrad", "lr": LR, "eps": 0.5, "eps_placement": "outside"}, lambda: ref_adagrad(0.5, False)),
    ({"method": "rmsprop", "lr": LR, "alpha": ALPHA}, lambda: ref_rmsprop(1e-8, False)),
    ({"method": "rmsprop", "lr": LR, "alpha": ALPHA, "eps": 0.5, "eps_placement": "inside"},
     lambda: ref_rmsprop(0.5, True)),
    ({"method": "rmsprop", "lr": LR, "alpha": ALPHA, "eps": 0.5, "eps_placement": "outside"},
     lambda: ref_rmsprop(0.5, False)),
    ({"method": "adam", "lr": LR, "beta1": 0.9, "beta2": 0.9}, lambda: ref_adam_pytorch(0.9, 0.9, 1e-8)),
    ({"method": "adam", "lr": LR, "beta1": 0.8, "beta2": 0.99, "eps": 0.3, "form": "pytorch"},
     lambda: ref_adam_pytorch(0.8, 0.99, 0.3)),
    ({"method": "adam", "lr": LR, "beta1": 0.9, "beta2": 0.9, "form": "fed_back"},
     lambda: ref_adam_fed_back(0.9, 0.9, 1e-8)),
    ({"method": "adam", "lr": LR, "beta1": 0.9, "beta2": 0.9, "bias_correction": False},
     lambda: ref_adam_uncorrected(0.9, 0.9, 1e-8)),
    ({"method": "newton"}, lambda: ref_newton(1.0)),
    ({"method": "newton", "lr": 0.5}, lambda: ref_newton(0.5)),
    ({"method": "coordinate"}, lambda: ref_newton(1.0)),  # one coordinate: exact 1-D minimisation
], ids=lambda v: "-".join(str(x) for x in v.values()) if isinstance(v, dict) else None)
def test_method_matches_reference(hyper, reference):
    ws, _ = run(hyper, hess=lambda w: 5.0)
    assert_seq([float(w) for w in ws], reference())


@pytest.mark.parametrize("method, forms", [("nesterov", ("textbook", "pytorch")),
                                           ("adam", ("pytorch", "fed_back"))])
def test_the_two_forms_give_different_paths(method, forms):
    extra = {"alpha": ALPHA} if method != "adam" else {"beta1": 0.9, "beta2": 0.9}
    a, _ = run({"method": method, "lr": LR, "form": forms[0], **extra})
    b, _ = run({"method": method, "lr": LR, "form": forms[1], **extra})
    assert abs(float(a[2]) - float(b[2])) > 1e-3


def test_eps_placement_changes_the_step():
    common = {"method": "rmsprop", "lr": LR, "alpha": ALPHA, "eps": 0.5}
    a, _ = run({**common, "eps_placement": "inside"})
    b, _ = run({**common, "eps_placement": "outside"})
    assert abs(float(a[0]) - float(b[0])) > 1e-3


def test_momentum_forms_share_the_path_but_not_the_state():
    # with a constant η, h_t = η·b_t: the iterates agree, the states a student types differ
    wt, st = run({"method": "momentum", "lr": LR, "alpha": ALPHA, "form": "textbook"})
    wp, sp = run({"method": "momentum", "lr": LR, "alpha": ALPHA, "form": "pytorch"})
    assert_seq([float(w) for w in wt], [float(w) for w in wp])
    for s, p in zip(st, sp):
        assert float(s["h"]) == pytest.approx(LR * float(p["buf"]))
        assert abs(float(s["h"]) - float(p["buf"])) > 0.1


# -- vectors ------------------------------------------------------------------------------

A = np.array([[2.0, 1.0], [1.0, 3.0]])
B = np.array([1.0, 1.0])


def qgrad(w):
    return A @ w - B


def test_vector_adam_is_elementwise():
    w = np.array([0.0, 0.0])
    m = v = np.zeros(2)
    hyper = {"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    ws, _ = run(hyper, params_shape=(2,), g=qgrad)
    ref = []
    for t in range(1, STEPS + 1):
        g = A @ w - B
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        ref.append(w)
    np.testing.assert_allclose(np.array(ws), np.array(ref), rtol=1e-12)


def test_newton_solves_a_quadratic_in_one_step():
    ws, _ = run({"method": "newton"}, steps=3, params_shape=(2,), w0=5.0, g=qgrad, hess=lambda w: A)
    np.testing.assert_allclose(ws[0], np.linalg.solve(A, B), rtol=1e-12)


def test_coordinate_descent_by_hand_and_by_closed_form():
    # f = ½wᵀAw − bᵀw, A = [[2, 1], [1, 3]], b = (1, 1), w₀ = (0, 0):
    # step 1 (coordinate 1): w[1] = (1 − 1·0)/2 = 0.5        → (0.5, 0)
    # step 2 (coordinate 2): w[2] = (1 − 1·0.5)/3 = 1/6      → (0.5, 1/6)
    # step 3 (coordinate 1): w[1] = (1 − 1/6)/2 = 5/12       → (5/12, 1/6)
    ws, _ = run({"method": "coordinate"}, steps=4, params_shape=(2,), g=qgrad, hess=lambda w: A)
    np.testing.assert_allclose(ws[0], [0.5, 0.0])
    np.testing.assert_allclose(ws[1], [0.5, 1 / 6])
    np.testing.assert_allclose(ws[2], [5 / 12, 1 / 6])
    w = np.zeros(2)
    for t, got in enumerate(ws, start=1):
        i = (t - 1) % 2
        j = 1 - i
        w = w.copy()
        w[i] = (B[i] - A[i, j] * w[j]) / A[i, i]
        np.testing.assert_allclose(got, w, rtol=1e-12)
        assert abs(qgrad(got)[i]) < 1e-12  # exact minimum along the coordinate just updated


def test_clip_by_norm():
    g = np.array([3.0, 4.0])                      # ‖g‖ = 5
    np.testing.assert_allclose(optim.clip_by_norm(g, 1.0), [0.6, 0.8])
    np.testing.assert_allclose(optim.clip_by_norm(g, 10.0), g)   # short gradients pass unchanged
    np.testing.assert_allclose(optim.clip_by_norm(np.zeros(2), 1.0), [0.0, 0.0])
    assert float(optim.clip_by_norm(-8.0, 2.5)) == -2.5


# -- purity and errors --------------------------------------------------------------------


def test_step_is_pure():
    w = np.array([1.0, 2.0])
    w.setflags(write=False)
    hyper = {"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.9}
    s0 = optim.init_state(w, hyper)
    w1, s1 = optim.step(w, np.array([0.5, -1.0]), s0, hyper)
    assert float(s0["t"]) == 0 and np.all(s0["m"] == 0)
    np.testing.assert_array_equal(w, [1.0, 2.0])
    assert not w1.flags.writeable and not s1["m"].flags.writeable
    assert float(s1["t"]) == 1


@pytest.mark.parametrize("hyper, message", [
    ({"method": "lbfgs", "lr": 0.1}, "unknown method"),
    ({"method": "gd"}, "needs lr"),
    ({"method": "gd", "lr": -0.1}, "positive"),
    ({"method": "gd", "lr": 0.1, "alpha": 0.9}, "takes no alpha"),
    ({"method": "momentum", "lr": 0.1, "alpha": 0.9}, "needs form"),
    ({"method": "momentum", "lr": 0.1, "alpha": 1.0, "form": "textbook"}, "[0, 1)"),
    ({"method": "momentum", "lr": 0.1, "alpha": 0.9, "form": "keras"}, "form"),
    ({"method": "rmsprop", "lr": 0.1, "alpha": 0.9, "eps_placement": "middle"}, "eps_placement"),
    ({"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.9, "eps": -1.0}, "eps"),
    ({"method": "adam", "lr": 0.1, "beta1": 0.9, "beta2": 0.9, "form": "fed_back", "bias_correction": False},
     "bias_correction"),
])
def test_bad_hyper_parameters(hyper, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace(")", r"\)")):
        optim.init_state(0.0, hyper)


def test_newton_without_hessian_is_refused():
    hyper = {"method": "newton"}
    with pytest.raises(ValueError, match="Hessian"):
        optim.step(0.0, 1.0, optim.init_state(0.0, hyper), hyper)
