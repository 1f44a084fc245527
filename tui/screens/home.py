"""The home screen: units and their lessons, with progress."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from nntutor.core.catalog import Catalog

from ..i18n import t
from ..widgets.keybar import KeyBar


REVIEW = "review:"  # the id of a review item: the lesson's id after it


class HomeScreen(Screen):
    """Lists the course; Enter opens the highlighted lesson."""

    CSS_PATH = "home.tcss"
    BINDINGS = [  # in the key bar in this order; what does not fit is left off from the end
        Binding("ctrl+q", "app.quit", "Quit", id="quit_key"),
        Binding("question_mark", "app.help", "Keys", id="keys_key"),
        Binding("f6", "app.skills", "Skills", id="skills_key"),
        Binding("f2", "app.toggle_lang", "Русский", id="lang_key"),
    ]
    #: the help screen's list (? here)
    HELP = (
        ("help_lessons", (("↑ ↓", "k_choose"), ("Enter", "k_open"))),
        ("help_app", (("F6", "k_skills"), ("F2", "k_lang"), ("Ctrl+P", "k_palette"), ("?", "k_help"),
                      ("Ctrl+Q", "k_quit"))),
    )

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Static(id="home-title")
        yield OptionList(id="lessons")
        yield Static(id="home-help")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_list()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    def refresh_list(self) -> None:
        """Rebuild the list from the catalog and the progress store."""
        lang = self.app.lang
        self.query_one("#home-title", Static).update(Text(t("home_title", lang), style="bold"))
        self.query_one("#home-help", Static).update(t("home_help", lang))
        store = self.app.store
        counts = store.accepted_counts() if store else {}
        done = store.completed_lessons() if store else set()
        ever = store.completions() if store else {}  # history: starting over keeps a ✓
        self.app.show_store_notice()
        options: list[Option] = []
        first_open = None
        todo = store.review() if store else {}
        listed = [e for e in self.catalog.entries() if e.id in todo and e.meta is not None]
        if listed:  # the lessons to practise again come first, each opening in new numbers
            options.append(Option(Text(t("review_title", lang), style="bold"), disabled=True))
            for entry in listed:
                label = Text(f"   ↻ {entry.meta.title[lang]}")
                label.append(f"   {t('review_counts', lang, *todo[entry.id])}", style="dim")
                options.append(Option(label, id=f"{REVIEW}{entry.id}"))
        for unit in self.catalog.units:
            options.append(Option(Text(f"{unit.number}. {unit.title.get(lang, unit.id)}", style="bold"),
                                  disabled=True))
            for entry in unit.entries:
                meta = entry.meta
                if meta is None:
                    options.append(Option(Text(f"   ✗ {entry.id} — {t('broken', lang)}", style="dim"),
                                          id=entry.id, disabled=True))
                    continue
                key = meta.progress_key
                total = meta.steps
                n = min(counts.get(key, 0), total)
                finished = key in done or entry.id in ever
                mark = "✓" if finished else ("◐" if n else "○")
                label = Text(f"   {mark} {meta.title[lang]}")
                times = ever.get(entry.id, 0)
                if times and key not in done and 0 < n < total:  # done once, started again
                    label.append(f"   {t('steps_done', lang, n, total)}", style="dim")
                elif times:
                    label.append(f"   {t('variants_done', lang, times) if times > 1 else t('done_once', lang)}",
                                 style="dim")
                else:
                    label.append(f"   {t('steps_done', lang, n, total)}", style="dim")
                options.append(Option(label, id=entry.id))
                if first_open is None and not finished:
                    first_open = len(options) - 1
        lessons = self.query_one("#lessons", OptionList)
        highlighted = lessons.highlighted
        lessons.clear_options()
        lessons.add_options(options)
        if highlighted is not None and highlighted < len(options):
            lessons.highlighted = highlighted
        elif first_open is not None:
            lessons.highlighted = first_open
        lessons.focus()

    def set_lang(self, lang: str) -> None:
        self.refresh_list()

    def commands(self):
        """The palette's entries for this screen (the app adds its own and the lessons)."""
        return ()

    @on(OptionList.OptionSelected, "#lessons")
    def open_lesson(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id
        if not chosen:
            return
        if chosen.startswith(REVIEW):  # practise again: in new numbers where the lesson has them
            lesson_id = chosen[len(REVIEW):]
            entry = self.catalog.find(lesson_id)
            varies = entry is not None and entry.meta is not None and entry.meta.varies
            store = self.app.store
            self.app.open_entry(lesson_id, variant=(store.next_variant(lesson_id) if store else 1) if varies else 0)
        else:
            self.app.open_entry(chosen)
