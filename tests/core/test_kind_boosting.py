"""The "boosting" kind: one gradient-boosting step for regression, against hand-worked values, central
differences for the gradient, a least-squares stump written out here, and the slips' values."""

from __future__ import annotations

import numpy as np
import pytest

from nntutor.core.kinds import KINDS, DataError, build_problem
from nntutor.core.kinds.boosting import KIND, _TOP

DATA = {"kind": "boosting", "x": [1, 2, 3, 4], "y": [1, 2, 5, 6], "F": 3.5, "half": True,
        "learning_rate": 0.5, "split": 2.5}


def test_one_step_by_hand():
    # F = 3.5 everywhere: L = ½·(2.5² + 1.5² + 1.5² + 2.5²) = 8.5; r = y − F = (−2.5, −1.5, 1.5, 2.5);
    # the stump x < 2.5: leaves {1, 2} and {3, 4}, means −2 and 2; F′ = 3.5 + 0.5·h = (2.5, 2.5, 4.5, 4.5);
    # L(F′) = ½·(1.5² + 0.5² + 0.5² + 1.5²) = 2.5
    v = build_problem(DATA).evaluate()
    assert float(v["L0"]) == 8.5 and float(v["L1"]) == 2.5
    np.testing.assert_allclose(v["r"], [-2.5, -1.5, 1.5, 2.5])
    np.testing.assert_allclose(v["h"], [-2, -2, 2, 2])
    np.testing.assert_allclose(v["F1"], [2.5, 2.5, 4.5, 4.5])


@pytest.mark.parametrize("half", [True, False])
def test_the_residuals_are_the_antigradient_by_central_differences(half):
    data = {**DATA, "F": [0.3, -1.2, 2.0, 4.4], "half": half}
    v = build_problem(data).evaluate()
    y, F, c, h = np.array(data["y"], float), np.array(data["F"]), 0.5 if half else 1.0, 1e-6

    def L(f):
        return c * np.sum((f - y) ** 2)

    fd = [(L(F + h * e) - L(F - h * e)) / (2 * h) for e in np.eye(4)]
    np.testing.assert_allclose(v["grad"], fd, rtol=1e-7)
    np.testing.assert_allclose(v["r"], -np.array(fd), rtol=1e-7)
    np.testing.assert_allclose(v["r"], (1 if half else 2) * (y - F))


def test_the_stump_is_the_least_squares_fit_constant_on_each_leaf():
    """A brute-force search over leaf values on a grid finds the leaf means the kind gives."""
    data = {**DATA, "x": [5, 1, 4, 2, 3], "y": [2, 0, 3, 1, 7], "F": [1, 1, 1, 1, 1], "split": 3.5}
    v = build_problem(data).evaluate()
    r, left = np.asarray(v["r"]), np.array([5, 1, 4, 2, 3]) < 3.5
    grid = np.arange(-5, 7.01, 0.01)
    best = [grid[np.argmin([np.sum((r[m] - a) ** 2) for a in grid])] for m in (left, ~left)]
    np.testing.assert_allclose(np.asarray(v["h"])[left], best[0], atol=0.006)
    np.testing.assert_allclose(np.asarray(v["h"])[~left], best[1], atol=0.006)
    # and the step lowers the loss (ν ≤ 1 with a least-squares learner)
    assert float(v["L1"]) < float(v["L0"])


def test_a_given_learner_and_each_slip_gives_the_value_it_names():
    p = build_problem({"kind": "boosting", "y": [1, 2, 5, 6], "F": [3, 3, 3, 3], "half": False,
                       "learning_rate": 0.1, "h": [-4, -2, 4, 6]})
    v = p.evaluate()
    np.testing.assert_allclose(v["r"], [-4, -2, 4, 6])  # 2·(y − F)
    np.testing.assert_allclose(v["F1"], [2.6, 2.8, 3.4, 3.6])

    def slips(key):
        return {m.name: np.asarray(x) for m, x in p.mistake_values(key, v)}

    np.testing.assert_allclose(slips("r")["antigradient_sign"], [4, 2, -4, -6])
    s = slips("F1")
    np.testing.assert_allclose(s["no_nu"], [-1, 1, 7, 9])
    np.testing.assert_allclose(s["shift_sign"], [3.4, 3.2, 2.6, 2.4])
    np.testing.assert_allclose(s["shift_only"], [-0.4, -0.2, 0.4, 0.6])
    stump = build_problem(DATA)
    sv = stump.evaluate()
    s = {m.name: np.asarray(x) for m, x in stump.mistake_values("h", sv)}
    np.testing.assert_allclose(s["leaf_sum"], [-4, -4, 4, 4])
    np.testing.assert_allclose(s["leaf_overall"], [0, 0, 0, 0])
    np.testing.assert_allclose(s["leaf_swapped"], [2, 2, -2, -2])


def test_registered_and_fields_documented():
    assert KINDS["boosting"] is KIND
    assert {fd.name for fd in KIND.fields} == _TOP - {"kind"}


@pytest.mark.parametrize("data, field", [
    ({k: v for k, v in DATA.items() if k != "half"}, "problem.half"),
    ({**DATA, "h": [1, 2, 3, 4]}, "problem.h"),
    ({**DATA, "split": 9}, "problem.split"),
    ({**DATA, "F": [1, 2]}, "problem.F"),
    ({**DATA, "learning_rate": 0}, "problem.learning_rate"),
    ({**DATA, "y": [1]}, "problem.y"),
    ({k: v for k, v in DATA.items() if k != "x"}, "problem.x"),
])
def test_bad_data_names_the_field(data, field):
    with pytest.raises(DataError) as err:
        build_problem(data)
    assert err.value.field == field


def test_the_kinds_test_lesson_and_the_bundled_one_walk_every_slip():
    from pathlib import Path

    from nntutor.core.checker import check_paths
    from nntutor.core.lesson import load_lesson
    from tests.support import walk_mistakes

    root = Path(__file__).resolve().parents[2]
    for path in (root / "tests" / "lessons" / "kinds" / "boosting.toml",
                 root / "lessons" / "3-descent" / "boosting-step.toml"):
        assert check_paths([path]) == []
        walk_mistakes(load_lesson(path), "en", 10)
