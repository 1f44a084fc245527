"""The dense kind's bias gradients, δ notation, dropout with a given mask and weighted losses:
every gradient against central differences, forward values against hand loops."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem


def _net(layout="column", loss="log", mask=(1, 0, 1), scaling="inverted", p_is="drop", loss_from="output",
         batch=False, **extra):
    W1 = [[1, -1], [0.5, 0.2], [0.3, 0.1]]
    W2 = [[0.5, 1, -1]]
    if layout == "row":
        W1, W2 = np.array(W1).T.tolist(), np.array(W2).T.tolist()
    head = {"log": "sigmoid", "squared": "identity"}[loss]
    data = {"kind": "dense", "layout": layout, "loss": loss, "learning_rate": 0.5,
            "layers": [{"W": W1, "b": [0.1, 0, -0.2], "activation": "sigmoid"},
                       {"W": W2, "b": [0.3], "activation": head}]}
    if loss == "squared":
        data["half"] = True
    else:
        data["loss_from"] = loss_from
    if batch:
        X = [[1, 2], [-1, 0.5]]
        data.update(X=X if layout == "row" else np.array(X).T.tolist(), Y=[1, 0], reduction="mean")
        if mask is not None:
            M = [list(mask), [0, 1, 1]]
            data["layers"][0]["mask"] = M if layout == "row" else np.array(M).T.tolist()
    else:
        data.update(x=[1, 2], y=1)
        if mask is not None:
            data["layers"][0]["mask"] = list(mask)
    if mask is not None:
        data["dropout"] = {"p": 0.4, "p_is": p_is, "scaling": scaling}
    data.update(extra)
    return build_problem(data)


def _sig(t):
    return 1.0 / (1.0 + math.exp(-t))


def _central(problem, key, eps=1e-6):
    """∂L/∂key by central differences, entry by entry."""
    base = problem.evaluate()[key]
    out = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        hi, lo = base.copy(), base.copy()
        hi[idx] += eps
        lo[idx] -= eps
        out[idx] = (float(problem.evaluate({key: hi})["L"]) - float(problem.evaluate({key: lo})["L"])) / (2 * eps)
    return out


CASES = [
    dict(),
    dict(layout="row"),
    dict(scaling="at_test"),
    dict(p_is="keep"),
    dict(loss_from="logits"),
    dict(loss_weights=[2], pos_weight=3),
    dict(loss_weights=[2], pos_weight=3, loss_from="logits"),
    dict(pos_weight=0.5, layout="row", scaling="at_test"),
    dict(loss="squared", loss_weights=[3]),
    dict(batch=True),
    dict(batch=True, layout="row", pos_weight=2, loss_weights=[0.5]),
    dict(batch=True, layout="column", loss="squared", loss_weights=[2], scaling="at_test"),
    dict(mask=None, loss_weights=[2], pos_weight=3, notation="delta"),
]


@pytest.mark.parametrize("case", CASES)
def test_every_gradient_matches_central_differences(case):
    p = _net(**case)
    v = p.evaluate()
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(v[f"grad.{key}"], _central(p, key), rtol=1e-5, atol=1e-7, err_msg=f"{case} {key}")
    # the gradient at the dropout's output and at the activation before it
    if "d1" in v:
        np.testing.assert_allclose(v["grad.d1"], _central(p, "d1"), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(v["grad.a1"], _central(p, "a1"), rtol=1e-5, atol=1e-7)
    if "D1" in v:
        np.testing.assert_allclose(v["grad.D1"], _central(p, "D1"), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(v["grad.A1"], _central(p, "A1"), rtol=1e-5, atol=1e-7)


def _hand(scaling, q, beta=1.0, w=1.0):
    """The column-layout net of _net, one observation, worked with loops."""
    W1 = [[1, -1], [0.5, 0.2], [0.3, 0.1]]
    b1 = [0.1, 0, -0.2]
    x, mask = [1, 2], [1, 0, 1]
    z1 = [sum(W1[j][i] * x[i] for i in range(2)) + b1[j] for j in range(3)]
    a1 = [_sig(t) for t in z1]
    s = 1 / q if scaling == "inverted" else 1.0
    d1 = [a1[j] * mask[j] * s for j in range(3)]
    d1_test = a1 if scaling == "inverted" else [q * t for t in a1]
    W2, b2 = [0.5, 1, -1], 0.3
    y_hat = _sig(sum(W2[j] * d1[j] for j in range(3)) + b2)
    y_test = _sig(sum(W2[j] * d1_test[j] for j in range(3)) + b2)
    L = -w * (beta * 1 * math.log(y_hat) + 0 * math.log(1 - y_hat))
    return dict(a1=a1, d1=d1, y_hat=y_hat, y_test=y_test, L=L,
                mean=[t * q * s for t in a1], var=[t * t * s * s * q * (1 - q) for t in a1])


@pytest.mark.parametrize("scaling", ["inverted", "at_test"])
@pytest.mark.parametrize("p_is,q", [("drop", 0.6), ("keep", 0.4)])
def test_forward_values_and_moments_against_hand_loops(scaling, p_is, q):
    v = _net(scaling=scaling, p_is=p_is, loss_weights=[2], pos_weight=3).evaluate()
    h = _hand(scaling, q, beta=3, w=2)
    np.testing.assert_allclose(v["keep"], q)
    np.testing.assert_allclose(v["d1"], h["d1"])
    np.testing.assert_allclose(v["y_hat"], [h["y_hat"]])
    np.testing.assert_allclose(v["y_hat.test"], [h["y_test"]])
    np.testing.assert_allclose(v["L"], h["L"])
    np.testing.assert_allclose(v["mean.d1"], h["mean"])
    np.testing.assert_allclose(v["var.d1"], h["var"])


def test_moments_match_the_two_masks_by_enumeration():
    """E and Var over m ∈ {0, 1} with P(m = 1) = q, written out."""
    q, a = 0.6, 0.7
    for scaling, s in (("inverted", 1 / q), ("at_test", 1.0)):
        v = _net(scaling=scaling).evaluate()
        a1 = v["a1"]
        outcomes = [(1 - q, 0.0 * a1), (q, a1 * s)]
        mean = sum(pr * val for pr, val in outcomes)
        var = sum(pr * (val - mean) ** 2 for pr, val in outcomes)
        np.testing.assert_allclose(v["mean.d1"], mean)
        np.testing.assert_allclose(v["var.d1"], var)
    assert a  # the unit's value is read from the net


def test_weighted_log_loss_for_a_negative_target_ignores_beta():
    p = _net(mask=None, pos_weight=5, y=0)
    v = p.evaluate()
    assert float(v["L"]) == pytest.approx(-math.log(1 - float(v["y_hat"][0])))


def test_bias_gradient_is_delta_and_the_update_uses_it():
    v = _net(mask=None, notation="delta").evaluate()
    np.testing.assert_allclose(v["grad.b1"], v["grad.z1"])
    np.testing.assert_allclose(v["b1.next"], np.array([0.1, 0, -0.2]) - 0.5 * v["grad.z1"])
    p = _net(mask=None, notation="delta")
    assert p.quantities["grad.z1"].symbol == "δ₁"


def test_bias_slips_are_offered():
    p = _net(mask=None, layout="column")
    names = {m.name for m in p.quantities["grad.b2"].mistakes}
    assert "activation_for_delta" in names
    pb = _net(batch=True, mask=None)
    assert "one_observation" in {m.name for m in pb.quantities["grad.b1"].mistakes}


def _plain(**extra):
    data = {"kind": "dense", "layout": "column", "loss": "log", "learning_rate": 0.5, "x": [1, 2], "y": 1,
            "layers": [{"W": [[1, -1], [0.5, 0.2]], "activation": "sigmoid"},
                       {"W": [[0.5, 1]], "activation": "sigmoid"}]}
    data.update(extra)
    return data


@pytest.mark.parametrize("data,field", [
    (_plain(dropout={"p": 0.5, "p_is": "drop", "scaling": "inverted"}), "problem.dropout"),
    (_plain(pos_weight=2, loss="squared", half=True,
            layers=[{"W": [[1, -1]], "activation": "identity"}]), "problem.pos_weight"),
    (_plain(loss_weights=[1, 2]), "problem.loss_weights"),
    (_plain(loss_weights=[-1]), "problem.loss_weights"),
    (_plain(notation="greek"), "problem.notation"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == field


@pytest.mark.parametrize("dropout,field", [
    ({"p": 1.5, "p_is": "drop", "scaling": "inverted"}, "problem.dropout.p"),
    ({"p": 0.5, "p_is": "drop"}, "problem.dropout.scaling"),
    ({"p": 0.5, "p_is": "drop", "scaling": "inverted", "q": 1}, "problem.dropout.q"),
])
def test_bad_dropout_names_the_field(dropout, field):
    data = _plain(dropout=dropout)
    data["layers"][0]["mask"] = [1, 0]
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == field


def test_dropout_needs_one_step():
    data = _plain(dropout={"p": 0.5, "p_is": "drop", "scaling": "inverted"}, iterations=2)
    data["layers"][0]["mask"] = [1, 0]
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == "problem.dropout"


def test_a_mask_on_the_output_layer_or_of_the_wrong_size_is_refused():
    data = {"kind": "dense", "x": [1, 2], "y": 1, "loss": "log", "learning_rate": 1,
            "dropout": {"p": 0.5, "p_is": "drop", "scaling": "inverted"},
            "layers": [{"W": [[1, -1], [0.5, 0.2]], "activation": "sigmoid", "mask": [1, 0]},
                       {"W": [0.5, 1], "activation": "sigmoid", "mask": [1]}]}
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == "problem.layers[2].mask"
    data["layers"][1].pop("mask")
    data["layers"][0]["mask"] = [1, 0, 1]
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == "problem.layers[1].mask"
    data["layers"][0]["mask"] = [1, 2]
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == "problem.layers[1].mask"


def test_weighted_squared_loss_by_hand():
    """Two outputs, weights (3, 0.5): L = ½·Σ wₖ(ŷₖ − yₖ)², ∂L/∂ŷ = w∘(ŷ − y)."""
    p = build_problem({"kind": "dense", "x": [1, 2], "y": [1, -1], "loss": "squared", "half": True,
                       "learning_rate": 1, "loss_weights": [3, 0.5],
                       "layers": [{"W": [[1, 0], [0, 1]], "activation": "identity"}]})
    v = p.evaluate()
    assert float(v["L"]) == pytest.approx(0.5 * (3 * (1 - 1) ** 2 + 0.5 * (2 + 1) ** 2))
    np.testing.assert_allclose(v["grad.y_hat"], [3 * 0, 0.5 * 3])
