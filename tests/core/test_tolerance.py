"""Rounding-aware comparison: what a hand calculation may round, and what it may not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nntutor.core.answers import read_answer
from nntutor.core.tolerance import Comparison, Tolerance, compare, rounded_like

SIG2 = 1 / (1 + np.exp(1.0))  # σ(−1) = 0.268941…


def cmp(text: str, expected, tol: Tolerance = Tolerance(), shape=None) -> Comparison:
    expected = np.asarray(expected, dtype=np.float64)
    reading = read_answer(text, expected.shape if shape is None else shape)
    assert not hasattr(reading, "code"), reading.message["en"]
    return compare(reading, expected, tol)


# (typed, expected, ok, too_coarse, rounding_slip)
CASES = [
    ("0.25", 0.25, True, False, False),
    ("0.3", 0.25, False, True, False),        # one significant figure: correctly rounded, too coarse
    ("0.2", 0.25, False, True, False),
    ("1/4", 0.25, True, False, False),
    ("0,25", 0.25, True, False, False),
    ("0.2689", SIG2, True, False, False),
    ("0.269", SIG2, True, False, False),
    ("0.27", SIG2, True, False, False),       # two significant figures, correctly rounded
    ("0.26", SIG2, False, False, True),       # truncated: within one unit of the last digit
    ("0.268", SIG2, False, False, True),
    ("0.3", SIG2, False, True, False),
    ("0.28", SIG2, False, False, False),      # more than one unit off: plainly wrong
    ("-0.27", -SIG2, True, False, False),
    ("-0.26", -SIG2, False, False, True),
    ("0.27", -SIG2, False, False, False),     # sign flipped
    ("1/(1+e)", SIG2, True, False, False),    # an expression is exact: relative tolerance only
    ("0.2690", SIG2, True, False, False),      # 2.2e-4 relative: within the relative tolerance
    ("0.2686", SIG2, False, False, False),    # four decimals, three units off
    ("0", 0.0, True, False, False),
    ("0.0", 0.0, True, False, False),
    ("0.001", 0.0, False, False, False),      # a whole unit away: not a rounding of 0
    ("1", 0.0, False, False, False),          # an integer 1 for 0 is plainly wrong, not "very close"
    ("0.0004", 0.0, False, False, False),
    ("0", 1e-10, True, False, False),         # absolute floor
    ("0", 1e-7, False, True, False),          # 0 is 1e-7 rounded to units: too coarse
    ("1e-7", 1e-7, True, False, False),
    ("0.0000001", 1e-7, True, False, False),
    ("1.0e-7", 1.04e-7, True, False, False),  # 1.04e-7 rounds to 1.0e-7
    ("1e-7", 1.04e-7, False, True, False),    # one significant figure
    ("0.00", 0.0004, False, True, False),
    ("12346", 12345.6, True, False, False),
    ("12345.6", 12345.6, True, False, False),
    ("1.23e4", 12345.6, True, False, False),  # 1.23e4 is to the hundreds: 12300 ± 50
    ("1.2e4", 12345.6, True, False, False),
    ("12300", 12345.6, False, False, False),  # an integer claims exactness
    ("1.24e4", 12345.6, False, False, True),
    ("2.9e-3", 0.0029, True, False, False),
    ("2.8e-3", 0.00289, False, False, True),
    ("3", 3.0004, True, False, False),        # within the relative tolerance
    ("3", 3.6, False, False, True),           # 3.6 cut to units, not rounded
    ("4", 3.6, False, True, False),           # rounded to units, but one figure is too few
    ("105", 104.79, True, False, False),      # an integer is rounded to units
]


@pytest.mark.parametrize("typed, expected, ok, coarse, slip", CASES,
                         ids=[f"{c[0]}~{c[1]:.6g}" for c in CASES])
def test_scalar_cases(typed, expected, ok, coarse, slip):
    c = cmp(typed, expected)
    assert (c.ok, c.too_coarse, c.rounding_slip) == (ok, coarse, slip)
    assert c.element_ok.shape == () and bool(c.element_ok) == ok


def test_exact_mode_for_counts_and_fractions():
    exact = Tolerance(exact=True)
    assert cmp("84301", 84301, exact).ok
    assert not cmp("84300", 84301, exact).ok
    assert cmp("8.4301e4", 84301, exact).ok
    assert not cmp("84301.4", 84301, exact).ok       # typed precision is ignored
    assert not cmp("8.43e4", 84301, exact).ok
    assert cmp("1/3", 1 / 3, exact).ok
    assert not cmp("0.333", 1 / 3, exact).ok
    c = cmp("0.3", 0.25, exact)
    assert not c.ok and not c.too_coarse and not c.rounding_slip
    # without exact mode, the relative tolerance would have let 84300 through
    assert cmp("84300", 84301).ok


def test_tolerance_overrides():
    assert cmp("0.99", 1.0, Tolerance(rel=0.02)).ok
    assert not cmp("0.99", 1.0).ok
    assert cmp("0.3", 0.25, Tolerance(min_sig_figs=1)).ok
    assert not cmp("0.27", SIG2, Tolerance(min_sig_figs=3)).ok
    assert cmp("0.2", 0.25, Tolerance(rel=0.25)).ok   # within rel: enough even with 1 sig fig


def test_elementwise_flags_on_arrays():
    expected = np.array([[SIG2, 0.25], [-2.0, 12345.6]])
    c = cmp("0.27 0.25; -2 1.23e4", expected)
    assert c.ok and c.element_ok.all() and c.element_ok.shape == (2, 2)
    c = cmp("0.26 0.25; -2 1.23e4", expected)
    assert not c.ok and c.rounding_slip and not c.too_coarse
    assert c.element_ok.tolist() == [[False, True], [True, True]]
    c = cmp("0.26 0.3; -2 1.23e4", expected)
    assert c.too_coarse and c.rounding_slip
    c = cmp("0.26 0.25; 2 1.23e4", expected)              # a real mistake spoils the slip
    assert not c.rounding_slip
    assert not c.element_ok.flags.writeable


def test_column_reading_against_vector_expected():
    r = read_answer("4 0", (2, 1))
    assert compare(r, np.array([4.0, 0.0]), Tolerance()).ok   # same size: reshaped
    with pytest.raises(ValueError):
        compare(r, np.zeros(3), Tolerance())


def test_rounded_like():
    assert rounded_like(SIG2, 2) == "0.27"
    assert rounded_like(SIG2, 3) == "0.269"
    assert rounded_like(0.25, 1) == "0.3"          # half away from zero, as taught
    assert rounded_like(-0.25, 1) == "-0.3"
    assert rounded_like(12345.6, 0) == "12346"
    assert rounded_like(12345.6, -2) == "12300"
    assert rounded_like(-0.001, 2) == "0.00"
    assert rounded_like(2.0, 2) == "2.00"
    assert rounded_like(1.04e-7, 8) == "0.00000010"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(lambda x: abs(x) > 1e-3),
       st.integers(min_value=0, max_value=6))
@settings(max_examples=300, deadline=None)
def test_correctly_rounded_values_pass_and_far_ones_fail(x, d):
    # The expected value rounded to d > 0 decimals (two or more significant figures) is
    # accepted; one and a half units off is not. (d = 0 gives an integer, which claims
    # exactness: "10" for 9.5 is wrong.)
    text = rounded_like(x, d)
    digits = text.replace("-", "").replace(".", "").lstrip("0")
    if "." in text:
        assert cmp(text, x).ok or len(digits) < 2
        unit = 10.0 ** -d
        off = float(text) + 1.5 * unit * (1 if x >= 0 else -1)
        typed = f"{off:.{d}f}"
        if abs(float(typed) - x) > 1e-3 * abs(x) * (1 + 1e-9):   # not saved by `rel`
            assert not cmp(typed, x).ok
