"""The Textual application: opens the progress store, shows home and lesson screens."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from nntutor.core.catalog import load_catalog
from nntutor.core.lesson import Lesson
from nntutor.core.progress import ProgressStore, default_path
from nntutor.core.session import LessonRun

from .bindings import localize_bindings
from .screens.home import HomeScreen
from .screens.lesson import LessonScreen


class NNTutorApp(App):
    """nntutor: pick a lesson, work through it one value at a time."""

    TITLE = "nntutor"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, lang: str = "en", lesson: Lesson | None = None, store: ProgressStore | None = None) -> None:
        super().__init__()
        self.lang = lang
        self._start_lesson = lesson
        self.store = store
        self.catalog = None

    def on_mount(self) -> None:
        if self.store is None:
            self.store = ProgressStore(default_path())
        if self.store.notice:
            self.notify(self.store.notice_ru if self.lang == "ru" else self.store.notice,
                        severity="warning", timeout=10, markup=False)
        self.catalog = load_catalog()
        self.push_screen(HomeScreen(self.catalog))
        if self._start_lesson is not None:
            self.open_lesson(self._start_lesson)

    def open_lesson(self, lesson: Lesson) -> None:
        self.push_screen(LessonScreen(LessonRun(lesson, self.store, self.lang)))

    def action_toggle_lang(self) -> None:
        self.lang = "ru" if self.lang == "en" else "en"
        screen = self.screen
        localize_bindings(self, self.lang)
        if isinstance(screen, LessonScreen):
            screen.set_lang(self.lang)
        elif isinstance(screen, HomeScreen):
            screen.refresh_list()

    def on_unmount(self) -> None:
        if self.store is not None:
            self.store.close()
