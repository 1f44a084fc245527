"""The Textual application: opens the progress store, shows home and lesson screens.

Start-up stays light: the home screen lists lessons from their metadata, and the engine
(NumPy) and the lesson screen load when a lesson is opened; a lesson named on the command
line opens without the home screen beneath it (built when the student goes back).
"""

from __future__ import annotations

import gc
from functools import partial
from typing import TYPE_CHECKING, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from nntutor.core.catalog import Catalog, load_catalog
from nntutor.core.lesson import LessonError
from nntutor.core.progress import ProgressStore, default_path

from .i18n import t
from .screens.home import HomeScreen

if TYPE_CHECKING:
    from nntutor.core.lesson import Lesson


class NNTutorApp(App):
    """nntutor: pick a lesson, work through it one value at a time."""

    TITLE = "nntutor"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit_key", priority=True),
        # declared here, so Textual adds no English "palette" of its own; every action of a screen
        # is in it, by name (the way in when a terminal swallows the function keys)
        Binding("ctrl+p", "command_palette", "Commands", id="palette_key", priority=True),
    ]

    def __init__(self, lang: str = "en", lesson: Lesson | None = None, store: ProgressStore | None = None,
                 catalog: Catalog | None = None, settle_gc: bool = False, lang_chosen: bool = True) -> None:
        super().__init__()
        #: freeze what start-up made and turn collection back on after the first frame (see cli.main)
        self._settle_gc = settle_gc
        self.lang = lang
        #: the language was asked for (--lang, NNTUTOR_LANG): it wins over the remembered one
        self._lang_chosen = lang_chosen
        self._start_lesson = lesson
        self.store = store
        self.catalog = catalog
        self.symbolic = None  # the SymPy worker process, started for the first lesson with formulas

    def on_mount(self) -> None:
        if self.store is None:
            self.store = ProgressStore(default_path())  # never raises: it says why it cannot save
        self.show_store_notice()
        self._restore_settings()
        if self._start_lesson is not None:
            # the home screen is built when the student goes back to it, not beneath the lesson
            self.open_lesson(self._start_lesson)
        else:
            self.show_home()
        if self._settle_gc:
            self.call_after_refresh(_settle_gc)

    def show_home(self) -> None:
        """The home screen in place of what is shown (a lesson opened directly, say)."""
        if self.catalog is None:
            self.catalog = load_catalog(light=True)
        if isinstance(self.screen, HomeScreen):
            return
        if len(self.screen_stack) > 1:
            self.switch_screen(HomeScreen(self.catalog))
        else:
            self.push_screen(HomeScreen(self.catalog))

    # -- the student's choices, kept with the progress ---------------------------------

    def _restore_settings(self) -> None:
        store = self.store
        if store is None:
            return
        theme = store.setting("theme")
        if theme and theme in self.available_themes:
            self.theme = theme
        lang = store.setting("lang")
        if not self._lang_chosen and lang in ("en", "ru"):
            self.lang = lang
        self.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme) -> None:
        if self.store is not None and self.store.setting("theme") != theme.name:
            self.store.set_setting("theme", theme.name)

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
        screen = LessonScreen(LessonRun(lesson, self.store, self.lang, self.symbolic))
        if isinstance(self.screen, LessonScreen):  # from the palette: one lesson in place of another
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def open_entry(self, lesson_id: str, variant: int = 0, path=None) -> None:
        """Build a listed lesson (in variant ``variant``'s numbers) and open it; a broken one gets a
        message, not a crash. ``path``: the file, for a lesson not in the catalog."""
        entry = self.catalog.find(lesson_id) if self.catalog else None
        try:
            if entry is not None:
                lesson = entry.load(variant)
            elif path is not None:
                from nntutor.core.lesson import load_lesson

                lesson = load_lesson(path, variant)
            else:
                return
        except LessonError as exc:
            details = "\n".join(str(issue) for issue in exc.issues[:5])
            self.notify(f"{t('broken', self.lang)}\n{details}", severity="error", timeout=15, markup=False)
            return
        self.open_lesson(lesson)

    def action_skills(self) -> None:
        """Every skill practised so far, weakest first (F6)."""
        from .screens.skills import SkillsScreen

        if getattr(self.screen, "HELP", None) is None:  # an overlay is open: it closes first
            return
        self.push_screen(SkillsScreen(self.lang))

    def action_help(self) -> None:
        """This app's keys for the current screen, grouped, in the student's language."""
        from .screens.help import HelpScreen

        sections = getattr(self.screen, "HELP", None)
        if sections is None:  # an overlay is open: it closes first (Esc), then the help opens
            return
        self.push_screen(HelpScreen(sections, self.lang))

    def action_toggle_lang(self) -> None:
        self.lang = "ru" if self.lang == "en" else "en"
        if self.store is not None:
            self.store.set_setting("lang", self.lang)
        set_lang = getattr(self.screen, "set_lang", None)
        if set_lang is not None:
            set_lang(self.lang)
        self.screen.refresh_bindings()

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the student's language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=t("palette_placeholder", self.lang), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every action of the screen, then the app's, then the lessons by name (found by typing
        a few letters of the title). No Screenshot: it wrote into ~/Downloads, or failed."""
        lang = self.lang
        for name, callback in getattr(screen, "commands", lambda: ())():
            yield SystemCommand(t(f"cmd_{name}", lang), t(f"cmd_{name}_help", lang), callback)
        for title, help_text, callback in getattr(screen, "picture_commands", lambda: ())():
            yield SystemCommand(title, help_text, callback)
        yield SystemCommand(t("cmd_lang", lang), t("cmd_lang_help", lang), self.action_toggle_lang)
        yield SystemCommand(t("cmd_theme", lang), t("cmd_theme_help", lang), self.action_change_theme)
        yield SystemCommand(t("cmd_skills", lang), t("cmd_skills_help", lang), self.action_skills)
        yield SystemCommand(t("cmd_help", lang), t("cmd_help_help", lang), self.action_help)
        yield SystemCommand(t("cmd_quit", lang), t("cmd_quit_help", lang), self.action_quit)
        if self.catalog is None:
            self.catalog = load_catalog(light=True)
        for unit in self.catalog.units:
            for entry in unit.entries:
                if entry.meta is not None:
                    yield SystemCommand(f"{t('cmd_open', lang)}: {entry.meta.title[lang]}",
                                        unit.title.get(lang, unit.id), partial(self.open_entry, entry.id),
                                        discover=False)

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
