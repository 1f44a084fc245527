"""A yes/no question over a screen (Start over?)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t


class ConfirmScreen(ModalScreen[bool]):
    """Enter or Y answers yes; Esc or N answers no (and closes it, nothing else)."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("enter", "answer(True)", show=False, priority=True),
        Binding("y", "answer(True)", show=False),
        Binding("escape", "answer(False)", show=False),
        Binding("n", "answer(False)", show=False),
    ]

    def __init__(self, question: str, lang: str) -> None:
        super().__init__()
        self.question = question
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question")
            yield Static(t("confirm_keys", self.lang), id="confirm-keys")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
