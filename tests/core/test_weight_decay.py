"""Weight decay (an L2 penalty in the gradient, AdamW's decoupled decay), the comparison run and the Taylor model.

Checked against loops written here from the papers' and PyTorch's update rules (not the engine's
functions), the penalised gradient against central differences of L + penalty, and every slip
against the wrong value it names.
"""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core import optim
from nntutor.core.kinds import DataError, build_problem

# ŷ = w·x on x = (1, 2), y = (2, 3), L = ½·Σ(ŷ − y)²: ∇L(w) = 5w − 8
S3 = {"kind": "optimize", "model": "regression", "x": [1, 2], "y": [2, 3], "reduction": "sum", "half": True}
ADAM = {"learning_rate": 0.1, "beta1": 0.9, "beta2": 0.99}


def grad(w):
    return 5.0 * w - 8.0


def loss(w):
    return 0.5 * ((w * 1 - 2) ** 2 + (w * 2 - 3) ** 2)


def adamw_loop(w, lr, b1, b2, lam, steps, eps=1e-8):
    """PyTorch's AdamW, written as its documentation does: decay the weights first, then Adam."""
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        g = grad(w)
        w = w * (1 - lr * lam)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(w)
    return out


def adam_l2_loop(w, lr, b1, b2, lam, steps, eps=1e-8):
    """Adam on L + ½λw²: PyTorch's Adam(weight_decay=λ) adds λ·w to the gradient."""
    m = v = 0.0
    out = []
    for t in range(1, steps + 1):
        g = grad(w) + lam * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        out.append(w)
    return out


def momentum_l2_loop(w, lr, alpha, lam, steps, half=True):
    """Textbook momentum on L + ½λw² (or λw²): h ← αh + η·∇(L + penalty), w ← w − h."""
    h, out = 0.0, []
    for _ in range(steps):
        h = alpha * h + lr * (grad(w) + (1 if half else 2) * lam * w)
        w = w - h
        out.append(w)
    return out


def values(**data):
    return build_problem({**S3, **data}).evaluate()


def test_adamw_matches_pytorchs_rule():
    v = values(w0=1, method="adamw", weight_decay=0.5, iterations=3, **ADAM)
    want = adamw_loop(1.0, 0.1, 0.9, 0.99, 0.5, 3)
    assert [float(v[f"w{t}"]) for t in (1, 2, 3)] == pytest.approx(want, rel=1e-12)
    # the first step by hand: m̂₁/√v̂₁ = sign(g₁) = −1, so w₁ = 1 − 0.1·(−1 + 0.5·1) = 1.05
    assert float(v["w1"]) == pytest.approx(1.05)


def test_adam_with_an_l2_penalty_matches_pytorchs_adam_with_weight_decay():
    v = values(w0=1, method="adam", weight_decay=0.5, iterations=3, **ADAM)
    assert [float(v[f"w{t}"]) for t in (1, 2, 3)] == pytest.approx(adam_l2_loop(1.0, 0.1, 0.9, 0.99, 0.5, 3),
                                                                    rel=1e-12)
    assert float(v["grad_l2{}".format(1)]) == pytest.approx(grad(1.0) + 0.5)


def test_for_adam_coupled_and_decoupled_decay_differ_and_for_sgd_they_agree():
    coupled = values(w0=3, method="adam", weight_decay=0.5, iterations=1, **ADAM)
    decoupled = values(w0=3, method="adamw", weight_decay=0.5, iterations=1, **ADAM)
    # g₁ = 7: Adam+L2 steps by η·sign(7 + 1.5) = 0.1; AdamW by η·(1 + 0.5·3) = 0.25
    assert float(coupled["w1"]) == pytest.approx(2.9)
    assert float(decoupled["w1"]) == pytest.approx(2.75)
    sgd = values(w0=3, method="gd", learning_rate=0.1, weight_decay=0.5, iterations=1)
    assert float(sgd["w1"]) == pytest.approx(3 - 0.1 * (7 + 0.5 * 3))  # = 3·(1 − ηλ) − η·g: the same rule


@pytest.mark.parametrize("half", [True, False])
def test_momentum_with_an_l2_penalty_matches_a_loop(half):
    v = values(w0=-1, method="momentum", form="textbook", alpha=0.9, learning_rate=0.05, weight_decay=0.3,
               l2_half=half, iterations=4)
    want = momentum_l2_loop(-1.0, 0.05, 0.9, 0.3, 4, half)
    assert [float(v[f"w{t}"]) for t in range(1, 5)] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("half, c", [(True, 0.5), (False, 1.0)])
@pytest.mark.parametrize("w0", [-1.3, 0.4, 2.0])
def test_the_penalised_gradient_is_the_gradient_of_loss_plus_penalty(half, c, w0):
    """g̃ at w against central differences of L(w) + c·λ·w² (c = ½ or 1)."""
    lam, h = 0.7, 1e-6
    v = values(w0=w0, method="gd", learning_rate=0.1, weight_decay=lam, l2_half=half, iterations=1)

    def total(w):
        return loss(w) + c * lam * w * w

    assert float(v["grad_l2" + "1"]) == pytest.approx((total(w0 + h) - total(w0 - h)) / (2 * h), rel=1e-7)


def test_the_penalty_on_a_vector_against_central_differences():
    data = {"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 3]], "b": [1, -1], "w0": [0.5, -2],
            "method": "gd", "learning_rate": 0.1, "weight_decay": 0.25, "iterations": 1}
    got = build_problem(data).evaluate()["grad_l21"]
    A, b, w0, h = np.array([[2.0, 1], [1, 3]]), np.array([1.0, -1]), np.array([0.5, -2.0]), 1e-6

    def total(w):
        return 0.5 * w @ A @ w - b @ w + 0.5 * 0.25 * w @ w

    fd = [(total(w0 + h * e) - total(w0 - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(got, fd, rtol=1e-7)


def _slips(problem, key, vals):
    return {m.name: np.asarray(x) for m, x in problem.mistake_values(key, vals)}


def test_each_slip_of_the_penalty_gives_the_value_it_names():
    p = build_problem({**S3, "w0": 2, "method": "gd", "learning_rate": 0.1, "weight_decay": 0.5,
                       "iterations": 1})
    v = p.evaluate()
    g, w0 = grad(2.0), 2.0  # g = 2
    slips = _slips(p, "grad_l21", v)
    assert float(v["grad_l21"]) == pytest.approx(g + 0.5 * w0)
    assert float(slips["decay_no_lambda"]) == pytest.approx(g + w0)          # λ forgotten
    assert float(slips["decay_sign"]) == pytest.approx(g - 0.5 * w0)         # the wrong sign
    assert float(slips["penalty_half"]) == pytest.approx(g + 2 * 0.5 * w0)   # λ‖w‖² read for ½λ‖w‖²
    assert float(slips["decay_only"]) == pytest.approx(0.5 * w0)
    assert float(_slips(p, "w1", v)["decay_skipped"]) == pytest.approx(w0 - 0.1 * g)  # the penalty left out
    no_half = build_problem({**S3, "w0": 2, "method": "gd", "learning_rate": 0.1, "weight_decay": 0.5,
                             "l2_half": False, "iterations": 1})
    nv = no_half.evaluate()
    assert float(nv["grad_l21"]) == pytest.approx(g + 2 * 0.5 * w0)
    assert float(_slips(no_half, "grad_l21", nv)["penalty_half"]) == pytest.approx(g + 0.5 * w0)


def test_each_slip_of_adamw_gives_the_value_it_names():
    p = build_problem({**S3, "w0": 1, "method": "adamw", "weight_decay": 0.5, "iterations": 2, **ADAM})
    v = p.evaluate()
    w1 = float(v["w1"])
    adam_dir = float(v["m_hat2"]) / (np.sqrt(float(v["v_hat2"])) + 1e-8)
    slips = _slips(p, "w2", v)
    assert float(v["w2"]) == pytest.approx(w1 - 0.1 * (adam_dir + 0.5 * w1))
    assert float(slips["decay_no_lambda"]) == pytest.approx(w1 - 0.1 * adam_dir)              # plain Adam
    assert float(slips["decay_sign"]) == pytest.approx(w1 - 0.1 * (adam_dir - 0.5 * w1))
    assert float(slips["decay_no_lr"]) == pytest.approx(w1 - 0.1 * adam_dir - 0.5 * w1)       # the paper's form
    # coupled where it should be decoupled: Adam on g + λw from the same moments m₁, v₁
    gt = grad(w1) + 0.5 * w1
    m = 0.9 * float(v["m1"]) + 0.1 * gt
    s = 0.99 * float(v["v1"]) + 0.01 * gt * gt
    assert float(slips["decay_coupled"]) == pytest.approx(w1 - 0.1 * (m / 0.19) / (np.sqrt(s / (1 - 0.99 ** 2)) + 1e-8))
    assert float(_slips(p, "m2", v)["m_decay_coupled"]) == pytest.approx(m)
    assert float(_slips(p, "v2", v)["v_decay_coupled"]) == pytest.approx(s)
    # on Adam with L2, the decoupled step is the slip: AdamW's w₁ from the same start
    c = build_problem({**S3, "w0": 3, "method": "adam", "weight_decay": 0.5, "iterations": 1, **ADAM})
    assert float(_slips(c, "w1", c.evaluate())["decay_decoupled"]) == pytest.approx(2.75)


def test_the_plain_gradient_descent_run_for_comparison():
    v = values(w0=0, method="gd_decay", learning_rate=0.3, compare_lr=0.3, iterations=3)
    u, want = 0.0, []
    for _ in range(3):
        u = u - 0.3 * grad(u)
        want.append(u)
    assert [float(v[f"gd_w{t}"]) for t in (1, 2, 3)] == pytest.approx(want)
    assert float(v["gd_L3"]) == pytest.approx(loss(want[-1]))
    p = build_problem({**S3, "w0": 0, "method": "gd_decay", "learning_rate": 0.3, "compare_lr": 0.3,
                       "iterations": 1})
    assert p.quantities["compare_lr"].symbol == "η"  # the same step as the method's: written η
    other = values(w0=0, method="newton", compare_lr=0.1, iterations=1)
    assert float(other["gd_w1"]) == pytest.approx(0.8) and float(other["compare_lr"]) == 0.1


def test_the_convention_states_the_penalty():
    p = build_problem({**S3, "w0": 1, "method": "gd", "learning_rate": 0.1, "weight_decay": 0.5,
                       "l2_half": False, "iterations": 1})
    assert "λ‖w‖²" in p.conventions["weight_decay"]["en"] and "2λ" in p.conventions["weight_decay"]["en"]
    assert "g̃ₜ = gₜ + 2λ·wₜ₋₁" in p.conventions["method"]["en"]


@pytest.mark.parametrize("data, field", [
    ({"method": "newton", "weight_decay": 0.1}, "weight_decay"),
    ({"method": "gd", "learning_rate": 0.1, "weight_decay": -0.1}, "weight_decay"),
    ({"method": "gd", "learning_rate": 0.1, "l2_half": True}, "problem"),
    ({"method": "adamw", **ADAM}, "weight_decay"),
    ({"method": "adamw", "weight_decay": 0.1, "l2_half": False, **ADAM}, "l2_half"),
    ({"method": "gd", "learning_rate": 0.1, "compare_lr": 0}, "compare_lr"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as err:
        build_problem({**S3, "w0": 1, "iterations": 1, **data})
    assert field in err.value.field


def test_optim_refuses_a_half_without_a_decay():
    with pytest.raises(ValueError, match="l2_half needs weight_decay"):
        optim.resolve({"method": "gd", "lr": 0.1, "l2_half": True})


# -- a dense net: the decay on every weight matrix and bias vector --------------------------------


@pytest.mark.parametrize("opt", [
    {"method": "momentum", "alpha": 0.9, "form": "textbook", "weight_decay": 0.2},
    {"method": "adamw", "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.2},
])
def test_a_dense_net_decays_every_parameter_as_a_hand_loop_does(opt):
    from tests.core.test_dense_optim import B1, B2, LR, W1, W2, X, Y, net, ref_loss_grads

    v = build_problem(net("single", opt, 3)).evaluate()
    theta = {"W1": W1, "b1": B1, "W2": W2, "b2": B2}
    h = {p: np.zeros_like(w) for p, w in theta.items()}
    m, s = dict(h), dict(h)
    lam = opt["weight_decay"]
    for k in range(1, 4):
        _, grads = ref_loss_grads(theta, X[[0]], Y[[0]], 1.0)
        new = {}
        for p, w in theta.items():
            if opt["method"] == "momentum":  # L + ½λ‖θ‖²: the gradient gains λ·w
                h[p] = 0.9 * h[p] + LR * (grads[p] + lam * w)
                new[p] = w - h[p]
            else:  # PyTorch's AdamW: w·(1 − γλ), then Adam's step
                m[p] = 0.9 * m[p] + 0.1 * grads[p]
                s[p] = 0.99 * s[p] + 0.01 * grads[p] ** 2
                new[p] = w * (1 - LR * lam) - LR * (m[p] / (1 - 0.9 ** k)) / (np.sqrt(s[p] / (1 - 0.99 ** k)) + 1e-8)
            np.testing.assert_allclose(v[f"{p}.next@{k}"].reshape(new[p].shape), new[p], rtol=1e-10, atol=1e-12)
        theta = new
    assert float(v["weight_decay"]) == lam


# -- the first-order Taylor model (optimize's taylor = true) ---------------------------------------


def test_the_taylor_model_predicts_the_first_order_decrease_and_misses_the_curvature():
    """L = ½wᵀAw − bᵀw, A = diag(2, 4), b = (2, 4), w₀ = 0, η = 0.1: g₁ = −b, ‖g₁‖² = 20, w₁ = (0.2, 0.4).
    Predicted decrease η‖g‖² = 2; actual L₀ − L₁ = 2 − ½η²gᵀAg = 2 − 0.36 = 1.64."""
    data = {"kind": "optimize", "model": "quadratic", "A": [[2, 0], [0, 4]], "b": [2, 4], "w0": [0, 0],
            "method": "gd", "learning_rate": 0.1, "iterations": 2, "taylor": True}
    p = build_problem(data)
    v = p.evaluate()
    assert float(v["taylor_gain1"]) == pytest.approx(2.0)
    assert float(v["taylor1"]) == pytest.approx(-2.0)
    assert float(v["gain1"]) == pytest.approx(1.64)
    A, b = np.diag([2.0, 4.0]), np.array([2.0, 4.0])
    w1 = np.asarray(v["w1"])
    g2 = A @ w1 - b
    w2 = w1 - 0.1 * g2

    def L(w):
        return 0.5 * w @ A @ w - b @ w

    assert float(v["taylor_gain2"]) == pytest.approx(0.1 * g2 @ g2)
    assert float(v["gain2"]) == pytest.approx(L(w1) - L(w2))
    # the gap is the second-order term ½·(Δw)ᵀA(Δw), for any step
    assert float(v["taylor_gain2"] - v["gain2"]) == pytest.approx(0.5 * (w2 - w1) @ A @ (w2 - w1))
    slips = {m.name: float(x) for m, x in p.mistake_values("taylor_gain1", v)}
    assert slips == {"taylor_sign": -2.0, "taylor_no_lr": 20.0}
    assert {m.name: float(x) for m, x in p.mistake_values("gain1", v)} == {"gain_sign": pytest.approx(-1.64)}


def test_the_taylor_model_needs_the_whole_gradient():
    with pytest.raises(DataError) as err:
        build_problem({**S3, "w0": 0, "method": "gd", "learning_rate": 0.1, "iterations": 1, "taylor": True,
                       "batching": "sgd", "order": [2, 1]})
    assert err.value.field.endswith("taylor")


def test_the_test_lesson_names_every_slip_of_adam_with_an_l2_penalty():
    from pathlib import Path

    from nntutor.core.lesson import load_lesson
    from tests.support import walk_mistakes

    lesson = load_lesson(Path(__file__).resolve().parents[1] / "lessons" / "kinds" / "optimize_decay.toml")
    fired = walk_mistakes(lesson, "en", 10)
    assert ("w1", "decay_decoupled") in fired and ("grad_l21", "penalty_half") in fired
