"""One translation mechanism: every message table of the engine and the app is a ``Messages``,
and a table whose languages disagree cannot be made."""

from __future__ import annotations

import pytest

from nntutor.core import diagnosis_text, expr, feedback, key, progress, session, tolerance
from nntutor.core.answers import algebra, lexer, parser, reading, shapes
from nntutor.core.i18n import Messages
from nntutor.core.symbolic import checking, diagnosis
from nntutor.core.symbolic import reading as formula_reading


def test_a_message_without_russian_is_refused():
    with pytest.raises(ValueError, match="needs non-empty en and ru"):
        Messages({"hello": {"en": "Hello"}})


def test_a_translation_that_drops_or_renames_a_field_is_refused():
    with pytest.raises(ValueError, match="other fields"):
        Messages({"n": {"en": "{n} steps", "ru": "шагов"}})
    with pytest.raises(ValueError, match="other fields"):
        Messages({"n": {"en": "{n} steps", "ru": "{m} шагов"}})


def test_a_message_is_filled_in_the_asked_language_and_falls_back_to_english():
    m = Messages({"n": {"en": "{0} of {1}", "ru": "{0} из {1}"}})
    assert m("n", "ru", 2, 5) == "2 из 5"
    assert m("n", "de", 2, 5) == "2 of 5"


def test_a_message_built_from_translated_parts_fills_each_language_with_its_own_part():
    m = Messages({"got": {"en": "got {n} numbers {where}", "ru": "введено {n} чисел {where}"},
                  "row": {"en": "in one row", "ru": "в одной строке"}})
    row = m.each("row")
    assert row == {"en": "in one row", "ru": "в одной строке"}
    assert m.each("got", n=5, where=row) == {"en": "got 5 numbers in one row", "ru": "введено 5 чисел в одной строке"}
    assert m.pair("got", n=5, where=row) == ("got 5 numbers in one row", "введено 5 чисел в одной строке")
    assert m("got", "ru", n=5, where=row) == "введено 5 чисел в одной строке"
    assert m("got", "de", n=5, where=row) == "got 5 numbers in one row"


@pytest.mark.parametrize("table", [
    feedback._T, session._H, diagnosis_text._D, shapes._M, reading._M, lexer._L, parser._P, algebra._A,
    tolerance._M, key._K, key._ROLES,
    progress._SAYS, formula_reading._R, checking._C, diagnosis._W, expr._X,
])
def test_every_table_of_the_engine_is_checked(table):
    assert isinstance(table, Messages) and len(table) > 0
