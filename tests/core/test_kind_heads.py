"""The heads kind: each head's output and loss against closed forms worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem


def _heads(**extra):
    data = {"kind": "heads", "total": ["box", "bird"], "heads": [
        {"id": "binary", "z": 0.4, "y": 1, "activation": "sigmoid", "loss": "log"},
        {"id": "classes", "z": [2, 0, -1], "y": 1, "activation": "softmax", "loss": "cross_entropy"},
        {"id": "rating", "z": 0.5, "y": 7, "activation": "sigmoid", "scale": 10, "loss": "squared", "half": False},
        {"id": "labels", "z": [1, -2, 0.5], "y": [1, 0, 1], "activation": "sigmoid", "loss": "log"},
        {"id": "box", "z": [0.3, 0.4], "y": [0.25, 0.5], "activation": "identity", "loss": "squared",
         "half": True, "weight": 5},
        {"id": "bird", "z": 1.2, "y": 0, "activation": "sigmoid", "loss": "log"},
        {"id": "count", "z": 1, "y": 3, "activation": "exp", "loss": "poisson"}]}
    data.update(extra)
    return build_problem(data)


def _s(t):
    return 1 / (1 + math.exp(-t))


def test_each_head_against_hand_formulas():
    v = _heads().evaluate()
    assert float(v["L.binary"]) == pytest.approx(-math.log(_s(0.4)))
    e = [math.exp(2), math.exp(0), math.exp(-1)]
    np.testing.assert_allclose(v["y_hat.classes"], [t / sum(e) for t in e])
    assert float(v["L.classes"]) == pytest.approx(-math.log(e[0] / sum(e)))
    assert float(v["y_hat.rating"][0]) == pytest.approx(10 * _s(0.5))
    assert float(v["L.rating"]) == pytest.approx((10 * _s(0.5) - 7) ** 2)
    assert float(v["L.labels"]) == pytest.approx(-(math.log(_s(1)) + math.log(1 - _s(-2)) + math.log(_s(0.5))))
    box = 0.5 * ((0.3 - 0.25) ** 2 + (0.4 - 0.5) ** 2)
    bird = -math.log(1 - _s(1.2))
    assert float(v["L.box"]) == pytest.approx(box)
    assert float(v["L.total"]) == pytest.approx(5 * box + bird)
    assert float(v["L.count"]) == pytest.approx(math.e - 3 * 1)  # λ − y·ln λ with λ = e


def test_slips_of_the_bounded_head_and_the_total():
    p = _heads()
    assert {m.name for m in p.quantities["y_hat.rating"].mistakes} >= {"no_scale", "no_activation"}
    (m,) = [m for m in p.quantities["L.total"].mistakes if m.name == "no_head_weights"]
    v = p.evaluate()
    assert float(m.fn(*[v[d] for d in m.deps])) == pytest.approx(float(v["L.box"] + v["L.bird"]))


@pytest.mark.parametrize("change,field", [
    ({"activation": "identity"}, "problem.heads[1].activation"),
    ({"scale": 10, "loss": "log"}, "problem.heads[1].activation"),
    ({"y": 2}, "problem.heads[1].y"),
    ({"id": "two words"}, "problem.heads[1].id"),
    ({"half": True}, "problem.heads[1].half"),
    ({"colour": 1}, "problem.heads[1].colour"),
])
def test_bad_heads_name_the_field(change, field):
    head = {"id": "binary", "z": 0.4, "y": 1, "activation": "sigmoid", "loss": "log", **change}
    with pytest.raises(DataError) as err:
        build_problem({"kind": "heads", "heads": [head]})
    assert err.value.field == field


def test_a_total_names_known_heads():
    with pytest.raises(DataError) as err:
        _heads(total=["box", "cat"])
    assert err.value.field == "problem.total"
