"""Rounding-aware comparison of a typed answer with the engine's value.

An element t (typed) matches e (expected) when

    |t − e| <= max(rel·|e|, abs)                                   (close enough anyway), or
    t is a number literal and |t − e| <= ½·10^(−decimals)           (correctly rounded)
        and (sig_figs >= min_sig_figs or |t − e| <= rel·|e|)        (and not too coarse).

Exact mode (counts, fractions) demands |t − e| <= 1e-9·max(1, |e|) whatever was typed.
Shapes: `reading.value` and `expected` have the same shape (0-d for numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

import numpy as np

from .answers import Reading
from .i18n import Messages
from .notation import ru_plural

# A typed decimal is compared with a float64 value: allow for representation error
# (0.3 − 0.25 is 0.04999999999999999, and 12345.7 − 12345.65 is not exactly 0.05).
_SLACK_ABS = 1e-12
_SLACK_REL = 4 * np.finfo(np.float64).eps
_EXACT_REL = 1e-9


@dataclass(frozen=True)
class Tolerance:
    """How close a typed value must be; a step can override any field."""

    rel: float = 1e-3
    abs: float = 1e-9
    exact: bool = False
    min_sig_figs: int = 2


@dataclass(frozen=True)
class Comparison:
    """The verdict per element and the two near-miss flags feedback talks about.

    too_coarse: some rejected element is correctly rounded but has fewer than
    min_sig_figs significant figures ("0.3" for 0.25).
    rounding_slip: not ok, every wrong element is a decimal literal strictly within one unit
    of its last typed digit, and at least one of them is not merely too coarse ("0.26" for
    0.2689: truncated instead of rounded; "1" for 0 is not a slip).
    """

    ok: bool
    element_ok: np.ndarray
    too_coarse: bool
    rounding_slip: bool


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr)
    arr.setflags(write=False)
    return arr


def compare(reading: Reading, expected, tol: Tolerance) -> Comparison:
    """Compare element-wise; `expected` is reshaped to the reading's shape if sizes agree."""
    t = np.asarray(reading.value, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if e.shape != t.shape:
        if e.size != t.size:
            raise ValueError(f"reading has shape {t.shape}, expected value has shape {e.shape}")
        e = e.reshape(t.shape)
    diff = np.abs(t - e)
    mag = np.abs(e)
    if tol.exact:
        ok_el = diff <= _EXACT_REL * np.maximum(1.0, mag)
        return Comparison(bool(ok_el.all()), _frozen(ok_el), False, False)

    exact = np.asarray(reading.exact, dtype=bool).reshape(t.shape)
    decimals = np.asarray(reading.decimals, dtype=np.float64).reshape(t.shape)
    sig = np.asarray(reading.sig_figs).reshape(t.shape)
    slack = _SLACK_ABS + _SLACK_REL * np.maximum(mag, np.abs(t))
    unit = np.power(10.0, -decimals)

    rel_ok = diff <= np.maximum(tol.rel * mag, tol.abs)
    tight = diff <= tol.rel * mag
    rounded = ~exact & (diff <= 0.5 * unit + slack)
    enough = sig >= tol.min_sig_figs
    ok_el = rel_ok | (rounded & (enough | tight))

    wrong = ~ok_el
    coarse = wrong & rounded & ~enough
    # a rounding slip lies strictly within one unit of the last typed digit (0.26 for 0.2689: cut
    # off, not rounded); a whole unit away is a different number (1 for 0, 0.26 for 0.27)
    within_unit = ~exact & (diff < unit - slack)
    slip = bool(wrong.any() and within_unit[wrong].all() and (wrong & ~coarse).any())
    return Comparison(bool(ok_el.all()), _frozen(ok_el), bool(coarse.any()), slip)


def rounded_like(expected_element: float, decimals: int) -> str:
    """The expected value rounded half away from zero to `decimals` places: "0.27".

    Negative `decimals` round to tens, hundreds, … (12345.6, −2 → "12300").
    """
    x = float(expected_element)
    d = int(decimals)
    if not np.isfinite(x):
        return str(x)
    with localcontext() as ctx:
        ctx.prec = 1000
        try:
            q = Decimal(repr(x)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # far beyond float64 precision: show the value itself
            return repr(x)
        s = format(q, "f")
    if s.startswith("-") and not any(c in "123456789" for c in s):
        s = s[1:]
    return s



def accepted_digits(tol: Tolerance) -> int | None:
    """The fewest significant digits a correctly rounded answer may have and still be accepted
    (None when the step is exact). A value within rel·|e| passes whatever its digits: that takes
    about log10(1/(2·rel)) + 1 of them, and when that is fewer, it is what the step accepts."""
    if tol.exact:
        return None
    by_rel = int(np.floor(np.log10(1 / (2 * tol.rel)))) + 1 if tol.rel > 0 else tol.min_sig_figs
    return max(1, min(tol.min_sig_figs, by_rel))


def precision_text(tol: Tolerance, lang: str, expected=None) -> str:
    """What a step accepts, as the prompt says it: "exact", "a whole number" (an exact step whose
    value ``expected`` is one whole number), "at least 2 significant digits" (lang "en" or "ru")."""
    if tol.exact:
        value = None if expected is None else np.asarray(expected, dtype=np.float64)
        if value is not None and value.size == 1 and float(value.reshape(-1)[0]).is_integer():
            return _M("whole", lang)
        return _M("exact", lang)
    n = accepted_digits(tol)
    return _M("digit" if n == 1 else ru_plural(n, "digits_one", "digits", "digits"), lang, n=n)


_M = Messages({
    "whole": {"en": "a whole number", "ru": "целое число"},
    "exact": {"en": "exact", "ru": "точное значение"},
    # one digit; 21, 31, … digits (не меньше 21 значащей цифры); any other number of digits
    "digit": {"en": "at least {n} significant digit", "ru": "не меньше {n} значащей цифры"},
    "digits_one": {"en": "at least {n} significant digits", "ru": "не меньше {n} значащей цифры"},
    "digits": {"en": "at least {n} significant digits", "ru": "не меньше {n} значащих цифр"},
})
