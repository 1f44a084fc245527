"""One translation mechanism: every message table of the engine and the app is a ``Messages``,
and a table whose languages disagree cannot be made."""

from __future__ import annotations

import pytest

from nntutor.core import diagnosis_text, feedback, session
from nntutor.core.i18n import Messages


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


@pytest.mark.parametrize("table", [feedback._T, session._H, diagnosis_text._D])
def test_every_table_of_the_engine_is_checked(table):
    assert isinstance(table, Messages) and len(table) > 0
