"""The formula kind's numbers: given values and targets computed from them (scalars, vectors,
matrices, derivatives at the values), against hand-worked numbers and central differences."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import DataError, build_problem


def build(targets, values=None, **extra):
    return build_problem({"kind": "formula", "values": values or {"x1": 1, "x2": 3}, "targets": targets, **extra})


def test_scalars_vectors_and_matrices_by_hand():
    p = build({"m": {"compute": "(x1 + x2)/2"}, "s": {"compute": "((x1 - m)^2 + (x2 - m)^2)/2"},
               "mu": {"compute": ["m", "2*m"]}, "S": {"compute": [["s", "m"], ["m", "s"]]}})
    v = p.evaluate()
    assert float(v["m"]) == 2.0 and float(v["s"]) == 1.0
    assert v["mu"].tolist() == [2.0, 4.0] and v["S"].tolist() == [[1.0, 2.0], [2.0, 1.0]]
    assert p.quantities["s"].deps == ("x1", "x2", "m") and p.quantities["x1"].role == "given"
    assert "formulas" not in p.conventions  # no formula answer here


def test_a_right_earlier_value_feeds_the_later_one():
    p = build({"m": {"compute": "(x1 + x2)/2"}, "s": {"compute": "(x1 - m)^2"}})
    assert float(p.evaluate({"m": np.float64(2.5)})["s"]) == 2.25


def gaussian_ll(x, mu, s):
    return sum(-0.5 * np.log(2 * np.pi * s) - (xi - mu) ** 2 / (2 * s) for xi in x)


def test_derivatives_at_the_values_match_central_differences():
    x = [1.0, 2.0, 4.0]
    values = {"x1": 1, "x2": 2, "x3": 4, "mu": 2.5, "s": 1.5}
    ll = "-(3/2)*ln(2*pi*s) - ((x1 - mu)^2 + (x2 - mu)^2 + (x3 - mu)^2)/(2*s)"
    p = build({"d_mu": {"compute": {"derivative": {"of": ll, "wrt": "mu"}}},
               "d_s": {"compute": {"derivative": {"of": ll, "wrt": "s"}}},
               "d_mu_s": {"compute": {"derivative": {"of": ll, "wrt": ["mu", "s"]}}},
               "d_s_s": {"compute": {"derivative": {"of": ll, "wrt": ["s", "s"]}}}}, values)
    v = {k: float(val) for k, val in p.evaluate().items()}
    mu, s, h = 2.5, 1.5, 1e-4

    def f(dm=0.0, ds=0.0):
        return gaussian_ll(x, mu + dm, s + ds)

    assert v["d_mu"] == pytest.approx((f(h) - f(-h)) / (2 * h), rel=1e-7)
    assert v["d_s"] == pytest.approx((f(ds=h) - f(ds=-h)) / (2 * h), rel=1e-7)
    assert v["d_mu_s"] == pytest.approx((f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h), rel=1e-5)
    assert v["d_s_s"] == pytest.approx((f(ds=h) - 2 * f() + f(ds=-h)) / h ** 2, rel=1e-5)
    # and the closed forms: Σ(xᵢ − μ)/s and −n/(2s) + Σ(xᵢ − μ)²/(2s²)
    assert v["d_mu"] == pytest.approx(sum(xi - mu for xi in x) / s, rel=1e-12)
    assert v["d_s"] == pytest.approx(-1.5 / s + sum((xi - mu) ** 2 for xi in x) / (2 * s * s), rel=1e-12)


def test_a_derivative_sees_through_earlier_targets():
    # m = (x1 + x2)/2, f = x1·m² → ∂f/∂x1 = m² + x1·m = 4 + 2 = 6 at (1, 3)
    p = build({"m": {"compute": "(x1 + x2)/2"}, "g": {"compute": {"derivative": {"of": "x1*m^2", "wrt": "x1"}}}})
    assert float(p.evaluate()["g"]) == 6.0


def test_values_vary_with_variants_like_any_given():
    p = build({"m": {"compute": "(x1 + x2)/2"}})
    assert float(p.evaluate({"x1": np.float64(5)})["m"]) == 4.0


def test_formulas_and_numbers_in_one_problem():
    p = build_problem({"kind": "formula", "symbols": {"w": [-2, 2]}, "values": {"w0": 1},
                       "targets": {"g": {"derivative": {"of": "w^3", "wrt": "w"}},
                                   "g0": {"compute": {"derivative": {"of": "w0^3", "wrt": "w0"}}}}})
    assert float(p.evaluate()["g0"]) == 3.0 and "formulas" in p.conventions


@pytest.mark.parametrize("targets, values, field, words", [
    ({"m": {"compute": "x1 + q"}}, None, "problem.targets.m.compute", "q"),
    ({"m": {"compute": 3}}, None, "problem.targets.m.compute", "must be a formula"),
    ({"m": {"compute": [["x1"], ["x1", "x2"]]}}, None, "problem.targets.m.compute", "must be a formula"),
    ({"m": {"compute": "x1/(x2 - 3)"}}, None, "problem.targets.m.compute", "not a finite"),
    ({"x1": {"compute": "x2"}}, None, "problem.targets.x1", "already a given"),
    ({"m": {"compute": {"derivative": {"of": "x1^2", "wrt": "y"}}}}, None,
     "problem.targets.m.compute.derivative.wrt", "one of the values"),
    ({"m": {"compute": "x1", "where": {}}}, None, "problem.targets.m.where", "unknown field"),
    ({"m": {"formula": "x1"}}, None, "problem.symbols", "needs symbols"),
    ({"m": {"compute": "x1"}}, {"x1": "one"}, "problem.values.x1", "must be a number"),
    ({"m": {"compute": "x1"}}, {"exp": 1}, "problem.values.exp", "already means"),
])
def test_bad_data_names_the_field(targets, values, field, words):
    with pytest.raises(DataError) as err:
        build(targets, values)
    assert err.value.field == field and words in err.value.message


def test_a_scalar_target_named_like_another_only_in_case_is_refused():
    with pytest.raises(DataError) as err:
        build({"Ab": {"compute": "x1 + 1"}, "ab": {"compute": "2"}})
    assert err.value.field == "problem.targets.ab" and "only in case" in err.value.message
    # a scalar target whose name cannot be a symbol is simply not a name later formulas may use
    p = build({"e1": {"compute": "x1 + 1"}, "c": {"compute": "2*x1"}})
    assert float(p.evaluate()["c"]) == 2.0


def test_twelve_symbols_are_allowed_and_thirteen_are_not():
    syms = {f"a{i}": [1, 2] for i in range(12)}
    build_problem({"kind": "formula", "symbols": syms, "targets": {"s": {"formula": "a0 + a11"}}})
    with pytest.raises(DataError, match="too many symbols"):
        build_problem({"kind": "formula", "symbols": {**syms, "b": [1, 2]}, "targets": {"s": {"formula": "b"}}})
