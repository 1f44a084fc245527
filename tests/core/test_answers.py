"""Reading typed answers: every accepted form, decimal commas, shapes, hostile input, fuzzing."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


from tests.support import bounded, fuzz
from nntutor.core import answers
from nntutor.core.answers import (
    FormatProblem, Reading, describe_shape, example_for, format_value, read_answer,
)

E = math.e
S0 = 1 / (1 + math.exp(-2))  # σ(2)

# (typed text, expected shape, value it must read as — or the FormatProblem code)
TABLE = [
    # plain numbers
    ("0.25", (), 0.25),
    ("-3", (), -3.0),
    ("+3", (), 3.0),
    ("1e-3", (), 0.001),
    ("2.5E+2", (), 250.0),
    (".5", (), 0.5),
    ("-.5", (), -0.5),
    ("5.", (), 5.0),
    ("  0.25  ", (), 0.25),
    ("−0.25", (), -0.25),              # Unicode minus
    ("-0", (), 0.0),
    # decimal comma
    ("0,25", (), 0.25),
    ("-0,25", (), -0.25),
    ("1,5e-3", (), 0.0015),
    ("0,5 1,5", (2,), [0.5, 1.5]),
    ("0,5; 1,5", (2,), [0.5, 1.5]),
    ("[0,5 1,5]", (2,), [0.5, 1.5]),
    ("1,5, 2,5", (2,), [1.5, 2.5]),
    ("[0,5]", (), 0.5),
    ("1,2", (2,), "ambiguous_comma"),
    ("[1,2]", (2,), [1.0, 2.0]),        # nobody brackets a single number: a list
    ("[[1,2],[3,4]]", (2, 2), [[1, 2], [3, 4]]),
    ("[0,5 1,5]", (4,), "ambiguous_comma"),
    ("84,301", (), "ambiguous_comma"),  # decimal comma or digit grouping?
    ("0,250", (), 0.25),                # a leading 0 cannot be digit grouping
    ("0,1 0,2", (4,), "ambiguous_comma"),
    ("1,2,3", (3,), [1.0, 2.0, 3.0]),   # a number cannot have two decimal commas
    ("1.5,2", (2,), [1.5, 2.0]),        # nor a point and a comma
    ("1, 2", (2,), [1.0, 2.0]),
    ("1 ,2", (2,), [1.0, 2.0]),
    ("exp(0,5)", (), math.exp(0.5)),
    # fractions and expressions
    ("1/4", (), 0.25),
    ("-3/2", (), -1.5),
    ("1/(1+e^-2)", (), S0),
    ("1/(1+exp(-2))", (), S0),
    ("exp(-1)", (), math.exp(-1)),
    ("sqrt(2)/2", (), math.sqrt(2) / 2),
    ("ln 2", (), math.log(2)),
    ("log(2)", (), math.log(2)),
    ("ln 2^3", (), math.log(8)),
    ("ln(2)^2", (), math.log(2) ** 2),
    ("σ(0)", (), 0.5),
    ("sigmoid(2)", (), S0),
    ("σ 2", (), S0),
    ("tanh(0.5)", (), math.tanh(0.5)),
    ("sin(0)+cos(0)", (), 1.0),
    ("abs(-2)", (), 2.0),
    ("e^-2", (), math.exp(-2)),
    ("e**2", (), math.exp(2)),
    ("2^3^2", (), 512.0),
    ("-2^2", (), -4.0),
    ("2^-1", (), 0.5),
    ("2 × 3", (), 6.0),
    ("2·3", (), 6.0),
    ("6 ÷ 4", (), 1.5),
    ("3 − 1", (), 2.0),
    ("pi", (), math.pi),
    ("2π", (), 2 * math.pi),
    ("2(1+1)", (), 4.0),
    ("√2", (), math.sqrt(2)),
    ("e⁻²", (), math.exp(-2)),
    ("exp -1", (), math.exp(-1)),
    ("ехр(1)", (), E),                  # typed with Cyrillic е, х, р
    ("1 - 2", (), -1.0),
    ("1-2", (), -1.0),
    ("1 - -2", (), 3.0),
    ("(1 -2)", (), -1.0),               # inside parentheses spaces do not separate
    # vectors and matrices
    ("1 2 3", (3,), [1, 2, 3]),
    ("1, 2, 3", (3,), [1, 2, 3]),
    ("[1, 2, 3]", (3,), [1, 2, 3]),
    ("[1 2 3]", (3,), [1, 2, 3]),
    ("1 -2", (2,), [1, -2]),
    ("1 +2", (2,), [1, 2]),
    ("ln 2 3", (2,), [math.log(2), 3]),
    ("e^-1 1/2", (2,), [math.exp(-1), 0.5]),
    ("[[1, 2], [3, 4]]", (2, 2), [[1, 2], [3, 4]]),
    ("1 2; 3 4", (2, 2), [[1, 2], [3, 4]]),
    ("1 2\n3 4", (2, 2), [[1, 2], [3, 4]]),
    ("1 2\r\n3 4\n", (2, 2), [[1, 2], [3, 4]]),
    ("[1 2; 3 4]", (2, 2), [[1, 2], [3, 4]]),
    ("[1, 2]; [3, 4]", (2, 2), [[1, 2], [3, 4]]),
    ("[1 2; 3 4;]", (2, 2), [[1, 2], [3, 4]]),
    ("4 0", (2, 1), [[4], [0]]),
    ("4; 0", (2, 1), [[4], [0]]),
    ("[[4], [0]]", (2, 1), [[4], [0]]),
    ("1; 2; 3", (1, 3), [[1, 2, 3]]),
    ("5", (1,), [5]),
    ("5", (1, 1), [[5]]),
    ("[[5]]", (), 5.0),
    ("0.5 -0.25", (2,), [0.5, -0.25]),
    # shape problems
    ("1 2 3 4", (2, 2), "shape"),
    ("1 2", (), "shape"),
    ("1", (2,), "shape"),
    ("1 2 3; 4 5 6", (3, 2), "shape"),
    ("1 2; 3", (2, 2), "ragged"),
    ("[1, [2, 3]]", (3,), "ragged"),
    # malformed
    ("", (), "empty"),
    ("   \n ", (2,), "empty"),
    ("1+", (), "unreadable"),
    ("*2", (), "unreadable"),
    ("(1+2", (), "unreadable"),
    ("1+2)", (), "unreadable"),
    ("()", (), "unreadable"),
    ("[]", (), "unreadable"),
    ("[1 2", (2,), "unreadable"),
    ("1 2]", (2,), "unreadable"),
    ("1,,2", (2,), "unreadable"),
    ("1, 2,", (2,), "unreadable"),
    ("1.2.3", (), "unreadable"),
    ("(1, 2)", (2,), "unreadable"),
    ("2*[1]", (), "unreadable"),
    ("ln", (), "unreadable"),
    (";", (), "unreadable"),
    ("x", (), "unknown_name"),
    ("log10(2)", (), "unknown_name"),
    ("a1 = 0.25", (), "bad_char"),      # "type only the value, without ="
    ("0.25 %", (), "bad_char"),
    ("= 0.25", (), "bad_char"),
    # limits and arithmetic errors
    ("1/0", (), "division_by_zero"),
    ("0^-1", (), "division_by_zero"),
    ("ln(0)", (), "domain"),
    ("sqrt(-1)", (), "domain"),
    ("(-8)^(1/3)", (), "domain"),
    ("1e400", (), "too_large"),
    ("10^400", (), "too_large"),
    ("exp(1000)", (), "too_large"),
    ("1e308*10", (), "too_large"),
    ("1" * 41, (), "too_large"),
    ("nan", (), "not_finite"),
    ("Inf", (), "not_finite"),
    ("-∞", (), "not_finite"),
    ("1 " * 401, (401,), "too_many"),
    ("-" * 41 + "1", (), "too_deep"),
    ("[" * 41 + "1" + "]" * 41, (), "too_deep"),
    ("(" * 40 + "1" + ")" * 40, (), 1.0),
]


@pytest.mark.parametrize("text, shape, expect", TABLE, ids=[repr(r[0])[:30] for r in TABLE])
def test_table(text, shape, expect):
    got = read_answer(text, shape)
    if isinstance(expect, str):
        assert isinstance(got, FormatProblem), f"{text!r} read as {getattr(got, 'shown', got)}"
        assert got.code == expect, got.message["en"]
        assert got.message["en"] and got.message["ru"]
    else:
        assert isinstance(got, Reading), got.message["en"]
        assert got.value.shape == shape
        assert got.value.dtype == np.float64
        np.testing.assert_allclose(got.value, np.asarray(expect, dtype=float).reshape(shape),
                                   rtol=1e-12, atol=0)


def test_table_is_big_enough():
    assert len(TABLE) >= 60


@pytest.mark.parametrize("text, shape, exact, decimals, sig", [
    ("0.25", (), False, 2, 2),
    ("-0.250", (), False, 3, 3),
    ("0,25", (), False, 2, 2),
    ("2.5e-3", (), False, 4, 2),
    ("1.23e4", (), False, -2, 3),
    ("100.", (), False, 0, 3),
    ("0.0", (), False, 1, 1),
    ("0.0025", (), False, 4, 2),
    ("3", (), False, 0, 1),  # an integer is rounded to units: "105" for 104.79
    ("105", (), False, 0, 3),
    ("100", (), False, 0, 3),
    ("-7", (), False, 0, 1),
    ("1/4", (), True, 0, answers.EXACT_SIG_FIGS),
    ("(0.25)", (), True, 0, answers.EXACT_SIG_FIGS),
    ("exp(-1)", (), True, 0, answers.EXACT_SIG_FIGS),
])
def test_typed_precision(text, shape, exact, decimals, sig):
    r = read_answer(text, shape)
    assert isinstance(r, Reading)
    assert bool(r.exact) is exact
    assert int(r.decimals) == decimals
    assert int(r.sig_figs) == sig


def test_precision_per_element_and_read_only():
    r = read_answer("0.27 1/4; -3 1.50", (2, 2))
    assert r.exact.tolist() == [[False, True], [False, False]]
    assert r.decimals.tolist() == [[2, 0], [0, 2]]
    assert r.sig_figs.tolist() == [[2, 99], [1, 3]]
    for arr in (r.value, r.exact, r.decimals, r.sig_figs):
        assert arr.shape == (2, 2) and not arr.flags.writeable


def test_decimal_comma_flag_and_shown():
    r = read_answer("0,25", ())
    assert r.decimal_comma and r.shown == "0.25"
    assert not read_answer("0.25", ()).decimal_comma
    assert not read_answer("1,2,3", (3,)).decimal_comma
    assert read_answer("1 -2", (2,)).shown == "[1, -2]"
    assert read_answer("1 2; 3 4", (2, 2)).shown == "[[1, 2], [3, 4]]"
    assert read_answer("1/3", ()).shown == "0.333333"
    assert read_answer("-0", ()).shown == "0"


def test_ambiguous_comma_asks_the_question():
    p = read_answer("1,2", (2,))
    assert p.message["en"] == "Is 1,2 one number (write 1.2) or two (write 1 2)?"
    assert "1.2" in p.message["ru"] and "1 2" in p.message["ru"]
    assert p.position == 1
    p = read_answer("84,301", ())
    assert "84.301" in p.message["en"] and "84301" in p.message["en"] and p.position == 2
    assert "84.301" in p.message["ru"] and "84301" in p.message["ru"]


def test_a_shape_problem_says_how_a_comma_was_read():
    p = read_answer("1,2", (3,))
    assert p.code == "shape" and "1,2 was read as the decimal 1.2" in p.message["en"]
    assert "1.2" in p.message["ru"]
    p = read_answer("[1,2]", (3,))
    assert p.code == "shape" and "2 numbers" in p.message["en"]


def test_shape_messages_name_the_expected_shape():
    p = read_answer("1 2 3 4", (2, 2))
    assert p.message["en"] == ("Expected a 2×2 matrix (rows separated by ';', e.g. 1 2; 3 4), "
                               "got 4 numbers in one row.")
    assert "матрица 2×2" in p.message["ru"] and "4 числа" in p.message["ru"]
    p = read_answer("1 2", ())
    assert "a number" in p.message["en"] and "число" in p.message["ru"]
    p = read_answer("1; 2; 3", (2,))
    assert "a vector of 2 numbers" in p.message["en"] and "3 numbers in one column" in p.message["en"]
    assert "вектор из 2 чисел" in p.message["ru"]
    p = read_answer("1 2 3; 4 5 6", (3, 2))
    assert "swapped" in p.message["en"] and "перепутаны" in p.message["ru"]


def test_other_messages_carry_the_expected_shape_and_example():
    for text in ("", "1+", "x", "1/0", "nan"):
        p = read_answer(text, (2, 2))
        assert "a 2×2 matrix" in p.message["en"] and "1 2; 3 4" in p.message["en"]
        assert "матрица 2×2" in p.message["ru"] and "1 2; 3 4" in p.message["ru"]


def test_positions_point_at_the_problem():
    assert read_answer("1 + 2 + x", ()).position == 8
    assert read_answer("12\u202e", ()).position == 2
    assert read_answer("1 2\x00", (2,)).position == 3
    assert read_answer("(1+2", ()).position == 0
    assert read_answer("e⁻² + y", ()).position == 6  # origins survive the superscript rewrite


def test_describe_shape_and_example():
    assert describe_shape((), "en") == "a number"
    assert describe_shape((2,), "en") == "a vector of 2 numbers"
    assert describe_shape((2, 2), "en") == "a 2×2 matrix"
    assert describe_shape((), "ru") == "число"
    assert describe_shape((2,), "ru") == "вектор из 2 чисел"
    assert describe_shape((21,), "ru") == "вектор из 21 числа"
    assert describe_shape((2, 2), "ru") == "матрица 2×2"
    assert describe_shape((3, 1), "en") == "a column of 3 numbers"
    assert describe_shape((1, 1), "en") == "a number"
    assert example_for(()) == "0.25"
    assert example_for((2,)) == "1 2"
    assert example_for((2, 2)) == "1 2; 3 4"
    assert example_for((2, 1)) == "1; 2"
    # every example is itself readable in its shape
    for shape in [(), (1,), (3,), (2, 1), (1, 3), (2, 3), (3, 3), (2, 2, 2)]:
        assert isinstance(read_answer(example_for(shape), shape), Reading), shape


def test_format_value():
    assert format_value(np.float64(1 / (1 + math.e))) == "0.2689"
    assert format_value(np.array([2.0, -1.0])) == "[2, -1]"
    assert format_value(np.array([[1.0, 0.0], [2.0, -0.0]])) == "[[1, 0], [2, 0]]"
    assert format_value(-0.0) == "0"
    assert format_value(12345.6) == "12346"
    assert format_value(1.5e-7) == "1.5e-7"
    assert format_value(0.5) == "0.5"


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
                min_size=4, max_size=4))
@settings(max_examples=300, deadline=None)
def test_formatted_values_read_back(xs):
    x = np.array(xs).reshape(2, 2)
    r = read_answer(format_value(x, 17), (2, 2))
    assert isinstance(r, Reading)
    np.testing.assert_allclose(r.value, x, rtol=1e-13, atol=0)


# --- hostile input -------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('x')", "bad_char"),
    ("().__class__.__mro__", "bad_char"),
    ("9**9**9", "too_large"),
    ("9^9^9^9", "too_large"),
    ("factorial(10**9)", "unknown_name"),
    ("(" * 10000, "too_long"),
    ("(" * 1999, "too_deep"),
    ("1" * 10**6, "too_long"),
    ("1" * 1999, "too_large"),
    ("nan", "not_finite"),
    ("inf", "not_finite"),
    ("\x00", "bad_char"),
    ("1\x1b[31m", "bad_char"),
    ("\x07\x08", "bad_char"),
    ("\u202e1", "bad_char"),
    ("1\u200f", "bad_char"),
    ("\u2066 1", "bad_char"),
    ("", "empty"),
    ("lambda: 0", "bad_char"),
    ("open('/etc/passwd').read()", "bad_char"),
    ("os.system", "bad_char"),
    ("exit()", "unknown_name"),
    ("1+" * 700 + "1", "too_long"),
    ("-" * 1999, "too_deep"),
    ("2^" * 999 + "2", "too_deep"),
    ("ln " * 600 + "2", "too_deep"),
    ("1 " * 999, "too_many"),
    ("1,2 " * 499, "too_many"),
    ("[1,2];" * 333, "too_long"),
    ("1e99999999999999999999", "too_large"),
    ("1e-99999999999999999999" + "1" * 20, "too_large"),
    ("{}", "bad_char"),
    ("𝟙", "bad_char"),
    ("٣", "bad_char"),
]


@pytest.mark.parametrize("text, code", HOSTILE, ids=[repr(h[0])[:25] for h in HOSTILE])
def test_hostile_input_is_refused(text, code):
    p = read_answer(text, ())
    assert isinstance(p, FormatProblem)
    assert p.code == code, p.message["en"]
    assert p.message["en"] and p.message["ru"]


def test_hostile_corpus_is_refused_with_bounded_work():
    # 9**9**9 in Python ints, or a parser that recursed per parenthesis, would blow far past
    # this count of calls; speed itself is the bench's job.
    shapes = [(), (2,), (400,)]
    for text, _ in HOSTILE:
        for shape in shapes:
            bounded(50_000, read_answer, text, shape)


@pytest.mark.parametrize("path", sorted(Path(answers.__file__).parent.glob("*.py")), ids=lambda p: p.name)
def test_source_never_evaluates_text(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__", "sympify", "parse_expr"}
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {(n.module or "").split(".")[0] for n in ast.walk(tree)
                                     if isinstance(n, ast.ImportFrom)}
    assert not imported & {"ast", "sympy", "builtins"}


# --- fuzzing -------------------------------------------------------------------------

SHAPES = st.sampled_from([(), (1,), (2,), (3,), (2, 1), (1, 2), (2, 2), (2, 3)])
ALPHABET = "0123456789012345678901234567890123456789.,;+-*/^()[] \n\teEπσ√−×⁻²lnexpsqrtsigmoid"


def _check(result, shape):
    assert isinstance(result, (Reading, FormatProblem))
    if isinstance(result, Reading):
        assert result.value.shape == shape and result.value.dtype == np.float64
        assert np.all(np.isfinite(result.value))
        assert result.exact.shape == result.decimals.shape == result.sig_figs.shape == shape
        assert isinstance(result.shown, str) and result.shown
    else:
        assert isinstance(result.code, str) and result.code
        assert result.message["en"].strip() and result.message["ru"].strip()
        assert result.position is None or isinstance(result.position, int)


@given(st.one_of(st.text(max_size=60), st.text(alphabet=ALPHABET, max_size=40)), SHAPES)
@fuzz(deep=10_000)
def test_fuzz(text, shape):
    """Arbitrary text and text built from the answer alphabet: a Reading or a FormatProblem."""
    # _read is read_answer without its last-resort guard, so a reader bug fails here.
    _check(answers._read(text, shape), shape)


def test_two_commas_in_a_row_are_called_that():
    got = read_answer("0,,0,0,1", (4,))
    assert isinstance(got, FormatProblem) and got.message["en"].startswith("Two commas in a row at character 2")
    assert got.message["ru"].startswith("Две запятые подряд")
