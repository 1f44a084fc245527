"""The skills view: every operation a student has practised, weakest first, with the lessons that
practise it (the record is core.progress's, the names and order core.skills')."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import t

BAR = 10  # cells of the bar showing the share right at the first try


class SkillsScreen(ModalScreen[None]):
    """Opened over a screen (F6, or the palette); Esc or F6 close it."""

    DEFAULT_CSS = """
    SkillsScreen {
        align: center middle;
    }
    SkillsScreen #help-box {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-align: center;
        border-subtitle-align: right;
        padding: 0 1;
        background: $surface;
    }
    """
    BINDINGS = [
        Binding("escape", "close", show=False),
        Binding("f6", "close", show=False),
        Binding("q", "close", show=False),
    ]

    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang
        #: the skills shown (core.skills.Skill), weakest first; None while they are read
        self.rows = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(t("skills_wait", self.lang), id="help-text")

    def on_mount(self) -> None:
        box = self.query_one("#help-box")
        box.border_title = t("skills_title", self.lang)
        box.border_subtitle = t("skills_close", self.lang)
        self.gather()

    @work(thread=True, exclusive=True)
    def gather(self) -> None:
        """Which lessons practise which skill means building every lesson: off the screen's thread."""
        from nntutor.core import skills
        from nntutor.core.catalog import load_catalog

        store = self.app.store
        record = store.skills() if store is not None else {}
        catalog = load_catalog()
        practice = skills.practised_by(e.lesson for e in catalog.entries() if e.lesson is not None)
        titles = {e.id: e.lesson.title for e in catalog.entries() if e.lesson is not None}
        rows = skills.table(record, practice)
        self.app.call_from_thread(self.show, rows, titles)

    def show(self, rows, titles) -> None:
        from nntutor.core.skills import title

        lang = self.lang
        self.rows = rows
        if not rows:
            self.query_one("#help-text", Static).update(t("skills_none", lang))
            return
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column()
        for skill in rows:
            filled = round(skill.score * BAR)
            style = "red" if skill.score < 0.5 else ("yellow" if skill.score < 0.8 else "green")
            bar = Text("█" * filled, style=style) + Text("░" * (BAR - filled), style="dim")
            head = Text(f"{title(skill.op, lang)}", style="bold")
            head.append(f"  {t('skills_score', lang, skill.right, skill.tried)}", style="dim")
            where = ", ".join(titles[i][lang] for i in skill.lessons[:3] if i in titles)
            more = len(skill.lessons) - 3
            if more > 0:
                where += f" {t('skills_more', lang, more)}"
            table.add_row(bar, head)
            if where:
                table.add_row("", Text(where, style="dim"))
        self.query_one("#help-text", Static).update(table)

    def action_close(self) -> None:
        self.dismiss(None)
