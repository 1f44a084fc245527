"""The help screen: this app's keys, grouped by what they do, in the student's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t

#: (group, ((keys, what they do), ...)): group and "what" are keys of i18n.STRINGS
Sections = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


class HelpScreen(ModalScreen[None]):
    """Opened over a screen (Ctrl+K in a lesson, ? on the home screen); Esc, Ctrl+K or ? close it
    and the screen beneath has its focus back."""

    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape", "close", show=False),
        Binding("ctrl+k", "close", show=False, priority=True),
        Binding("question_mark", "close", show=False),
        Binding("f1", "close", show=False),
        Binding("q", "close", show=False),
    ]

    def __init__(self, sections: Sections, lang: str) -> None:
        super().__init__()
        self.sections = sections
        self.lang = lang
        #: what the screen shows: a table of keys and what they do
        self.content = self._content()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):  # focused: ↑↓ PgUp PgDn scroll a long list
            yield Static(self.content, id="help-text")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = t("help_title", self.lang)
        box.border_subtitle = t("help_close", self.lang)

    def _content(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for n, (group, rows) in enumerate(self.sections):
            if n:
                table.add_row("", "")
            table.add_row(Text(t(group, self.lang), style="bold underline"), "")
            for keys, what in rows:
                table.add_row(keys, t(what, self.lang))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
