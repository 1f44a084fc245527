"""The Textual application: opens the progress store, shows home and lesson screens.

Start-up stays light: the home screen lists lessons from their metadata, and the engine
(NumPy), the lesson screen and its Markdown widget load when a lesson is opened.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from nntutor.core.catalog import Catalog, load_catalog
from nntutor.core.lesson import LessonError
from nntutor.core.progress import ProgressStore, default_path

from .bindings import localize_bindings
from .i18n import t
from .screens.home import HomeScreen

if TYPE_CHECKING:
    from nntutor.core.lesson import Lesson


class NNTutorApp(App):
    """nntutor: pick a lesson, work through it one value at a time."""

    TITLE = "nntutor"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]
    # Ctrl+P: Textual's command palette (themes, the keys panel, quit)

    def __init__(self, lang: str = "en", lesson: Lesson | None = None, store: ProgressStore | None = None,
                 catalog: Catalog | None = None, settle_gc: bool = False) -> None:
        super().__init__()
        #: freeze what start-up made and turn collection back on after the first frame (see cli.main)
        self._settle_gc = settle_gc
        self.lang = lang
        self._start_lesson = lesson
        self.store = store
        self.catalog = catalog
        self.symbolic = None  # the SymPy worker process, started for the first lesson with formulas

    def on_mount(self) -> None:
        if self.store is None:
            self.store = ProgressStore(default_path())  # never raises: it says why it cannot save
        self.show_store_notice()
        if self.catalog is None:
            self.catalog = load_catalog(light=True)
        self.push_screen(HomeScreen(self.catalog))
        if self._start_lesson is not None:
            self.open_lesson(self._start_lesson)
        if self._settle_gc:
            self.call_after_refresh(_settle_gc)

    def show_store_notice(self) -> None:
        """Say, once, what the progress store has to say (it cannot save, and why); screens call
        this after each action that reads or writes progress."""
        notice = self.store.take_notice(self.lang) if self.store is not None else None
        if notice:
            self.notify(notice, severity="warning", timeout=15, markup=False)

    def open_lesson(self, lesson: Lesson) -> None:
        from nntutor.core.session import LessonRun

        from .screens.lesson import LessonScreen

        if lesson.problem.formulas and self.symbolic is None:
            from nntutor.core.symbolic import SymbolicWorker

            self.symbolic = SymbolicWorker()
            self.symbolic.warm()  # starts it in the background: SymPy loads while the student reads
        self.push_screen(LessonScreen(LessonRun(lesson, self.store, self.lang, self.symbolic)))

    def open_entry(self, lesson_id: str) -> None:
        """Build a listed lesson and open it; a broken one gets a message, not a crash."""
        entry = self.catalog.find(lesson_id) if self.catalog else None
        if entry is None:
            return
        try:
            lesson = entry.load()
        except LessonError as exc:
            details = "\n".join(str(issue) for issue in exc.issues[:5])
            self.notify(f"{t('broken', self.lang)}\n{details}", severity="error", timeout=15, markup=False)
            return
        self.open_lesson(lesson)

    def action_toggle_keys(self) -> None:
        """Show or hide the panel listing every key of the current screen."""
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_lang(self) -> None:
        self.lang = "ru" if self.lang == "en" else "en"
        localize_bindings(self, self.lang)
        set_lang = getattr(self.screen, "set_lang", None)
        if set_lang is not None:
            set_lang(self.lang)

    def on_unmount(self) -> None:
        if self.symbolic is not None:
            self.symbolic.close()
        if self.store is not None:
            self.store.close()


def _settle_gc() -> None:
    """Everything start-up made stays for the app's life: out of the collector's sight, then
    collection back on (cli.main turned it off for start-up)."""
    gc.freeze()
    gc.enable()
