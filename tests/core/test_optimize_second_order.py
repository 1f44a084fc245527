"""Newton's method, coordinate descent and the decaying step: the slips a student of them makes, each
against the wrong value it names, computed here by hand; the logistic Hessian by central differences."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import build_problem

QUAD = {"kind": "optimize", "model": "quadratic", "A": [[4, 2], [2, 2]], "b": [2, 0], "w0": [0, 0]}


def slips(problem, key):
    values = problem.evaluate()
    return {m.name: np.asarray(v) for m, v in problem.mistake_values(key, values)}


def test_newtons_2x2_step_and_the_ways_to_invert_it_wrongly():
    # g₁ = A·0 − b = (−2, 0); det A = 4, A⁻¹ = [[2, −2], [−2, 4]]/4; w₁ = −A⁻¹g = (1, −1)
    p = build_problem({**QUAD, "method": "newton", "iterations": 1})
    np.testing.assert_allclose(p.evaluate()["w1"], [1, -1])
    s = slips(p, "w1")
    np.testing.assert_allclose(s["inverse_no_det"], [4, -4])        # adj A·g without /4
    np.testing.assert_allclose(s["inverse_diagonal"], [0.5, 0])     # gᵢ/Aᵢᵢ
    np.testing.assert_allclose(s["hessian_not_inverted"], [8, 4])   # A·g
    np.testing.assert_allclose(s["step_added"], [-1, 1])


def test_a_one_parameter_newton_step_has_no_matrix_slips():
    p = build_problem({"kind": "optimize", "model": "regression", "x": [1, 2], "y": [2, 3], "reduction": "sum",
                       "half": True, "w0": 0, "method": "newton", "iterations": 1})
    assert not {"inverse_no_det", "inverse_diagonal"} & set(slips(p, "w1"))


def test_coordinate_descent_slips():
    # A = [[2, 1], [1, 2]], b = (4, 5), w₀ = 0: g₁ = (−4, −5); the right step moves w₁ only: (2, 0)
    p = build_problem({"kind": "optimize", "model": "quadratic", "A": [[2, 1], [1, 2]], "b": [4, 5], "w0": [0, 0],
                       "method": "coordinate", "iterations": 2})
    v = p.evaluate()
    np.testing.assert_allclose(v["w1"], [2, 0])
    s = slips(p, "w1")
    np.testing.assert_allclose(s["coordinate_all"], [2, 2.5])        # both at once, each from w₀
    np.testing.assert_allclose(s["coordinate_other"], [0, 2.5])      # w₂ moved instead
    np.testing.assert_allclose(s["coordinate_no_curvature"], [4, 0])  # w₁ − g₁ without /A₁₁
    # step 2 moves w₂: g₂ = (0, −3), w₂ = (2, 1.5); the other coordinate would be w₁ − 0/2 = 2 again
    s2 = slips(p, "w2")
    np.testing.assert_allclose(v["w2"], [2, 1.5])
    np.testing.assert_allclose(s2["coordinate_other"], [2, 0])


def test_the_decaying_step_slips():
    p = build_problem({"kind": "optimize", "model": "regression", "x": [1, 2], "y": [2, 3], "reduction": "sum",
                       "half": True, "w0": 0, "method": "gd_decay", "learning_rate": 0.5, "iterations": 2})
    v = p.evaluate()
    # w₁ = 0 − 0.5·(−8) = 4; g₂ = 12; η₂ = 0.25; w₂ = 1
    assert float(v["w2"]) == pytest.approx(1.0)
    assert float(slips(p, "eta2")["decay_times"]) == pytest.approx(1.0)        # 0.5·2
    assert float(slips(p, "eta2")["decay_off_by_one"]) == pytest.approx(0.5 / 3)
    assert float(slips(p, "w2")["decay_fixed_step"]) == pytest.approx(4 - 0.5 * 12)


@pytest.mark.parametrize("w0", [-0.7, 0.0, 0.4])
def test_the_logistic_hessian_by_central_differences_and_its_slips(w0):
    x, y = np.array([1.0, 3.0]), np.array([1.0, 0.0])
    p = build_problem({"kind": "optimize", "model": "logistic", "x": x.tolist(), "y": y.tolist(),
                       "reduction": "sum", "w0": w0, "method": "newton", "iterations": 1})
    v = p.evaluate()

    def L(w):
        z = w * x
        return float(np.sum(np.logaddexp(0, z) - y * z))

    h = 1e-4
    assert float(v["hess1"]) == pytest.approx((L(w0 + h) - 2 * L(w0) + L(w0 - h)) / h ** 2, rel=1e-5)
    q = 1 / (1 + np.exp(-w0 * x))
    s = slips(p, "hess1")
    assert float(s["hess_no_x2"]) == pytest.approx(np.sum(q * (1 - q)))
    assert float(s["hess_x_once"]) == pytest.approx(np.sum(q * (1 - q) * x))
