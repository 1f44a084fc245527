"""The ``nntutor`` command line.

    nntutor                      the home screen
    nntutor LESSON_ID | PATH     open one lesson
    nntutor --plain [LESSON]     the lesson as a line dialogue on stdin/stdout (asked for when
                                 not named); the default with TERM=dumb or without a terminal
    nntutor list                 units and lessons with their ids
    nntutor check [PATH ...]     validate lessons (default: all bundled); exit 1 on any error
    nntutor key LESSON [--json]  the worked solution, computed by the engine
    nntutor --version

Only the interactive paths import Textual, so ``list``/``check``/``key`` stay fast.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from nntutor.core import __version__

from .plaintext import can_show, install_fallback, is_utf

if TYPE_CHECKING:  # the catalog and the lessons load only for a command that needs them:
    # ``nntutor --version`` and ``--help`` import nothing of the engine
    from nntutor.core.catalog import Catalog
    from nntutor.core.lesson import Lesson


def default_lang() -> str:
    """``ru`` when NNTUTOR_LANG or the locale says Russian, else ``en``."""
    for var in ("NNTUTOR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"


def main(argv: list[str] | None = None) -> int:
    """The command; every path ends quietly on a closed pipe (``| head``) and on Ctrl+C."""
    install_fallback()
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # `nntutor key … | head`: the reader has what it wanted
        # stdout may still hold unwritten text: point it at devnull so the exit stays quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:  # Ctrl+C outside a lesson's dialogue (which says where it stopped)
        print(file=sys.stderr)
        return 130


def _main(argv: list[str]) -> int:
    commands = {"list": _list, "check": _check, "key": _key, "review": _review}
    if argv and argv[0] in commands:
        return commands[argv[0]](argv[1:])
    parser = argparse.ArgumentParser(
        prog="nntutor", description="Neural-network math by hand, with instant feedback.",
        epilog="commands: list | review | check [PATH...] | key LESSON [--variant N] [--json]   "
               "(nntutor COMMAND -h for more)")
    parser.add_argument("lesson", nargs="?", help="a lesson id (see `nntutor list`) or a path to a lesson file")
    parser.add_argument("--lang", choices=("en", "ru"), default=None, help="language (default: from the locale)")
    parser.add_argument("--plain", action="store_true",
                        help="run the lesson as a plain line dialogue on stdin/stdout (screen readers, scripts);"
                             " the default when TERM=dumb or the input or output is not a terminal")
    _variant_option(parser)
    parser.add_argument("--version", action="version", version=f"nntutor {__version__}")
    args = parser.parse_args(argv)
    lang = args.lang or default_lang()
    lesson = None
    if args.variant is not None and not args.lesson:
        parser.error("--variant needs a lesson: nntutor LESSON --variant N")
    if args.lesson:
        lesson = _resolve(args.lesson, variant=args.variant or 0)
        if lesson is None:
            return 2
    if args.plain or not _full_screen_possible():
        return _plain(lesson, _shown_lang(lang))
    # Start-up makes some fifty thousand objects that live as long as the app: collecting while
    # they are made only walks them again and again. The app enables collection once its first
    # screen is drawn, after moving them out of the collector's sight (gc.freeze), so a later full
    # collection walks only what lessons make (tens of ms less per pause).
    gc.disable()
    from .app import NNTutorApp  # Textual is imported only here

    # the language remembered from last time, unless this start asks for one (--lang, NNTUTOR_LANG)
    chosen = args.lang is not None or bool(os.environ.get("NNTUTOR_LANG"))
    app = NNTutorApp(lang=lang, lesson=lesson, settle_gc=True, lang_chosen=chosen)
    app.run()
    return app.return_code or 0


def _full_screen_possible() -> bool:
    """A terminal that can show the full-screen UI: not TERM=dumb, input and output terminals."""
    if os.environ.get("TERM", "") == "dumb":
        return False
    try:
        return sys.stdin.isatty() and sys.stdout.isatty()
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def _shown_lang(lang: str) -> str:
    """``lang``, or English (said in one line on stderr) when the output cannot show Russian."""
    if lang == "ru" and not can_show("Русский язык"):
        print(f"nntutor: the output encoding ({sys.stdout.encoding}) cannot show Russian; continuing in"
              " English (Russian needs a UTF-8 locale, e.g. LANG=ru_RU.UTF-8).", file=sys.stderr)
        return "en"
    return lang


def _plain(lesson: Lesson | None, lang: str) -> int:
    """Plain mode: the lesson (asked for, from a numbered list, when none is named) as a dialogue."""
    from nntutor.core.progress import ProgressStore, default_path

    from .plain import choose_lesson, run_plain

    if lesson is None:
        lesson = choose_lesson(lang)
        if lesson is None:
            return 0
    worker = None
    if lesson.problem.formulas:
        from nntutor.core.symbolic import SymbolicWorker

        worker = SymbolicWorker()
        worker.warm()
    try:
        with ProgressStore(default_path()) as store:  # never raises: it says why it cannot save
            return run_plain(lesson, store, lang, worker=worker)
    finally:
        if worker is not None:
            worker.close()


# -- subcommands -----------------------------------------------------------------------

def _list(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nntutor list", description="Units and lessons with their ids.")
    parser.add_argument("--lang", choices=("en", "ru"), default=None)
    args = parser.parse_args(argv)
    lang = _shown_lang(args.lang or default_lang())
    from nntutor.core.catalog import load_catalog

    catalog = load_catalog(light=True)  # titles and step counts: no lesson is built
    for unit in catalog.units:
        print(f"{unit.number}. {unit.title.get(lang, unit.id)}")
        for entry in unit.entries:
            if entry.meta is None:
                print(f"   {entry.id:<28} (broken: run `nntutor check`)")
            else:
                print(f"   {entry.id:<28} {entry.meta.title[lang]}  ({entry.meta.steps} steps)")
    for issue in catalog.issues:
        print(f"warning: {issue}", file=sys.stderr)
    return 0


def _check(argv: list[str]) -> int:
    from nntutor.core.checker import check_catalog, check_paths, coinciding_mistakes
    from nntutor.core.variant_check import DEEP, QUICK

    parser = argparse.ArgumentParser(prog="nntutor check",
                                     description="Validate lesson files; exit 1 if any has an error.")
    parser.add_argument("paths", nargs="*", type=Path, help="lesson files (default: every bundled lesson)")
    parser.add_argument("--verbose", action="store_true",
                        help="also list, per step, the declared mistakes that these numbers cannot reveal, and "
                             "per lesson how many of them new numbers keep distinguishable")
    parser.add_argument("--deep", action="store_true",
                        help=f"build {DEEP} variants of each lesson with new numbers, not {QUICK}, and report them")
    args = parser.parse_args(argv)
    variants, reports = (DEEP if args.deep else QUICK), []
    if args.paths:
        count, issues = len(args.paths), check_paths(args.paths, variants, reports)
    else:
        count, issues = check_catalog(None, variants, reports)
    for issue in issues:
        print(issue)
    if args.deep or args.verbose:
        for report in reports:
            print(f"variants: {report}")
    if args.verbose:
        from nntutor.core.catalog import load_catalog
        from nntutor.core.lesson import LessonError, load_lesson

        paths = args.paths or [e.path for e in load_catalog(light=True).entries()]
        for path in paths:
            try:
                for note in coinciding_mistakes(load_lesson(path)):
                    print(f"note: {note}")
            except LessonError:
                pass
    bad = len({i.file for i in issues})
    print(f"{count} lesson file(s) checked: " + (f"{bad} with errors ({len(issues)} in all)" if issues else "all OK"),
          file=sys.stderr)
    return 1 if issues else 0


def _review(argv: list[str]) -> int:
    """The lessons to practise again, each with the command that opens it in new numbers."""
    parser = argparse.ArgumentParser(prog="nntutor review",
                                     description="List the lessons whose steps you missed or had shown in your "
                                                 "latest go, and how to practise each on new numbers.")
    parser.add_argument("--lang", choices=("en", "ru"), default=None)
    args = parser.parse_args(argv)
    lang = _shown_lang(args.lang or default_lang())
    from nntutor.core.progress import ProgressStore, default_path
    from .i18n import t

    from nntutor.core.catalog import load_catalog

    catalog = load_catalog(light=True)
    with ProgressStore(default_path()) as store:
        notice = store.take_notice(lang)
        if notice:
            print(f"nntutor: {notice}", file=sys.stderr)
        todo = store.review()
        if not todo:
            print(t("review_none", lang))
            return 0
        print(t("review_head", lang))
        for entry in catalog.entries():
            if entry.id not in todo or entry.meta is None:
                continue
            wrong, shown = todo[entry.id]
            print(f"  {entry.meta.title.get(lang, entry.id)} — {t('review_counts', lang, wrong, shown)}")
            again = f" --variant {store.next_variant(entry.id)}" if entry.meta.varies else ""
            print(f"      nntutor {entry.id}{again}")
    return 0


def _key(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="nntutor key",
                                     description="Print a lesson's worked solution, computed by the engine.")
    parser.add_argument("lesson", help="a lesson id or a path to a lesson file")
    parser.add_argument("--json", action="store_true", help="stable JSON for scripts (documented in lessons/README.md)")
    parser.add_argument("--lang", choices=("en", "ru"), default=None)
    _variant_option(parser)
    args = parser.parse_args(argv)
    from nntutor.core.key import answer_key, render_key

    lesson = _resolve(args.lesson, variant=args.variant or 0)
    if lesson is None:
        return 2
    data = answer_key(lesson)
    if args.json:
        # exact JSON on any output: \u escapes where the encoding has no ∂ or σ
        json.dump(data, sys.stdout, ensure_ascii=not is_utf(sys.stdout.encoding), indent=2)
        print()
    else:
        print(render_key(data, _shown_lang(args.lang or default_lang())))
    return 0


MAX_VARIANT = 10**9


def _variant_option(parser: argparse.ArgumentParser) -> None:
    def number(text: str) -> int:
        if not text.isdigit() or int(text) > MAX_VARIANT:
            raise argparse.ArgumentTypeError(f"{text!r} is not a variant number: 0 (the lesson's own numbers) "
                                             f"to {MAX_VARIANT}")
        return int(text)
    parser.add_argument("--variant", type=number, default=None, metavar="N",
                        help="new numbers: variant N of the lesson (0, the default, is the lesson's own); "
                             "the same N gives the same numbers everywhere")


def _resolve(ref: str, catalog: Catalog | None = None, variant: int = 0) -> Lesson | None:
    """A lesson from an id or a path, in variant ``variant``'s numbers; prints a clear message
    and returns None if not found."""
    from nntutor.core.catalog import load_catalog
    from nntutor.core.lesson import LessonError, load_lesson

    path = Path(ref)
    if ref.endswith(".toml") or os.sep in ref or path.is_file():
        try:
            return load_lesson(path, variant)
        except LessonError as exc:
            print(f"nntutor: cannot open {ref}:", file=sys.stderr)
            for issue in exc.issues:
                print(f"  {issue}", file=sys.stderr)
            return None
    catalog = catalog or load_catalog(light=True)
    entry = catalog.find(ref)
    if entry is None:
        import difflib

        near = difflib.get_close_matches(ref, catalog.ids(), n=1)
        hint = f" Did you mean {near[0]!r}?" if near else ""
        print(f"nntutor: no lesson {ref!r}.{hint} `nntutor list` shows them all.", file=sys.stderr)
        return None
    try:
        return entry.load(variant)
    except LessonError as exc:
        if variant and all(issue.field == "variants" for issue in exc.issues):
            print(f"nntutor: no variant {variant} of {ref!r}:", file=sys.stderr)
            for issue in exc.issues:
                print(f"  {issue.message}", file=sys.stderr)
            return None
        print(f"nntutor: lesson {ref!r} is broken:", file=sys.stderr)
        for issue in exc.issues:
            print(f"  {issue}", file=sys.stderr)
        return None


if __name__ == "__main__":
    raise SystemExit(main())
