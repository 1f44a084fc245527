"""The app's interface strings use the engine's one translation mechanism (checked when made)."""

from nntutor.core.i18n import Messages
from nntutor.tui import i18n


def test_the_interface_strings_are_checked_messages():
    assert isinstance(i18n.STRINGS, Messages) and len(i18n.STRINGS) > 40
    assert i18n.t("step_of", "ru", 2, 5) == "шаг 2 из 5"
