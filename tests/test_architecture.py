"""The structure stays easy to see: a headless core, an honest package list, no bare imports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = {"core": "nntutor.core", "tui": "nntutor.tui", "lessons": "nntutor.lessons"}


def test_core_imports_no_ui_or_sympy(tmp_path):
    code = (
        "import json, sys\n"
        "import nntutor.core, nntutor.core.session, nntutor.core.catalog, nntutor.core.checker, nntutor.core.key\n"
        "from nntutor.core.catalog import load_catalog\n"
        "load_catalog()\n"
        "print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not loaded & {"textual", "rich", "plotext", "textual_plotext", "sympy"}


def test_cli_commands_do_not_load_textual(tmp_path):
    code = (
        "import sys, io, contextlib\n"
        "from nntutor.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):\n"
        "    main(['list']); main(['key', 'layer-by-layer']); main(['check'])\n"
        "print('textual' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_version_and_list_load_no_engine(tmp_path):
    """`nntutor --version` imports nothing of the engine; `nntutor list` builds no lesson (no NumPy)."""
    code = (
        "import sys, io, contextlib\n"
        "from nntutor.tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--version'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('nntutor.core.') or m == 'numpy'))\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['list'])\n"
        "print('numpy' in sys.modules, 'nntutor.core.kinds' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    version, listed = out.stdout.strip().splitlines()
    assert version == "[]"
    assert listed == "False False"


def _package_dirs() -> set[str]:
    found = set()
    for folder, name in FOLDERS.items():
        base = ROOT / folder
        for d in [base, *[p for p in base.rglob("*") if p.is_dir()]]:
            if d.name == "__pycache__" or any(part.startswith(".") for part in d.relative_to(ROOT).parts):
                continue
            has_code = any(d.glob("*.py"))
            if folder == "lessons" and d == base:
                found.add(name)  # data-only package root
            elif has_code:
                rel = d.relative_to(base).parts
                found.add(".".join((name, *rel)))
    return found


def test_pyproject_lists_every_package_directory():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(config["packages"]) == _package_dirs()
    assert config["package-dir"] == {v: k for k, v in FOLDERS.items()}


def test_lessons_hold_no_code():
    code = [p for p in (ROOT / "lessons").rglob("*") if p.suffix in {".py", ".pyc", ".sh"}]
    assert code == []


def test_no_bare_imports_of_the_folders():
    offenders = []
    for folder in ("core", "tui", "tests", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    if name.split(".")[0] in FOLDERS:
                        offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_core_never_imports_the_tui():
    offenders = []
    for path in (ROOT / "core").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for bad in ("nntutor.tui", "textual", "import rich", "from rich", "plotext"):
            if bad in text:
                offenders.append(f"{path.relative_to(ROOT)}: {bad}")
    assert offenders == []


def test_no_eval_on_text():
    hits = []
    for folder in ("core", "tui"):
        for path in (ROOT / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    f = node.func
                    if isinstance(f, ast.Name):
                        name = f.id if f.id in {"eval", "exec", "compile", "sympify", "parse_expr", "lambdify"} else ""
                    elif isinstance(f, ast.Attribute):  # re.compile is fine; sympy.sympify is not
                        name = f.attr if f.attr in {"eval", "exec", "sympify", "parse_expr", "lambdify"} else ""
                    else:
                        name = ""
                    if name:
                        hits.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert hits == []


def test_the_kind_list_names_every_kind_module():
    """kinds.NAMES is the registry: each module that defines KIND is listed, and nothing else."""
    import importlib
    import pkgutil

    import nntutor.core.kinds as kinds

    defining = {m.name for m in pkgutil.iter_modules(kinds.__path__)
                if hasattr(importlib.import_module(f"nntutor.core.kinds.{m.name}"), "KIND")}
    assert defining == set(kinds.NAMES)
    assert all(kinds.KINDS[name].name == name for name in kinds.NAMES)


def test_opening_a_dense_lesson_loads_no_other_kind_and_no_symbolic_code():
    code = (
        "import sys\n"
        "from nntutor.core.catalog import load_catalog\n"
        "load_catalog(light=True).find('layer-by-layer').load()\n"
        # a kind's own submodules (nntutor.core.kinds.dense.net) count as that kind
        "print(sorted({'.'.join(m.split('.')[:4]) for m in sys.modules if m.startswith('nntutor.core.kinds.') or "
        "m.startswith('nntutor.core.symbolic') or m == 'sympy'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['nntutor.core.kinds.dense', 'nntutor.core.kinds.hyper']", out.stdout



# Where a language code is compared to choose the language itself, not a text in it.
_CHOOSING_THE_LANGUAGE = {
    ("tui/cli.py", "_shown_lang"): "English when the terminal cannot show Russian",
    ("tui/app.py", "_restore_settings"): "a saved language is used when it is one of the two",
    ("tui/app.py", "action_toggle_lang"): "F2 switches to the other language",
}
# Dicts of per-language f-strings that are not translations.
_NOT_TRANSLATIONS: dict[str, str] = {}


def _language_code(node: ast.AST) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_language_code(e) for e in node.elts)
    return isinstance(node, ast.Constant) and node.value in ("en", "ru")


def _is_lang(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "lang") or (isinstance(node, ast.Attribute) and node.attr == "lang")


def _inline_translations(rel: str, source: str) -> list[tuple[str, int, str]]:
    """(function, line, what) of each text chosen by comparing ``lang`` with a language code, and of
    each {"en": f"…", "ru": f"…"} dict, in the module ``rel`` (its path from the root)."""
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node.name
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(map(_is_lang, sides)) and any(map(_language_code, sides)):
                found.append((function, node.lineno, "compares lang with a language code"))
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if {"en", "ru"} <= keys and any(isinstance(n, ast.JoinedStr) for v in node.values for n in ast.walk(v)):
                found.append((function, node.lineno, "builds an en/ru dict of f-strings"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def test_every_translation_goes_through_messages():
    """One translation mechanism: a text in both languages is an entry of a ``core.i18n.Messages``
    table, never a sentence chosen by ``lang == "ru"`` or a dict of f-strings built on the spot.
    Lesson data (core/kinds, core/ops: quantity meanings and mistake templates) is exempt, and so is
    core/i18n.py; each exemption listed above must still be needed."""
    offenders, used = [], set()
    for folder in ("core", "tui"):
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(("core/kinds/", "core/ops/")) or rel == "core/i18n.py":
                continue
            for function, line, what in _inline_translations(rel, path.read_text(encoding="utf-8")):
                if (rel, function) in _CHOOSING_THE_LANGUAGE and what.startswith("compares"):
                    used.add((rel, function))
                elif rel in _NOT_TRANSLATIONS and what.startswith("builds"):
                    used.add(rel)
                else:
                    offenders.append(f"{rel}:{line} {what}")
    assert offenders == []
    assert used == set(_CHOOSING_THE_LANGUAGE) | set(_NOT_TRANSLATIONS), "an exemption no longer needed"


def test_the_translation_check_finds_each_form_it_forbids():
    source = ('def f(lang, x):\n    ru = lang == "ru"\n    y = "a" if self.lang in ("en", "ru") else "b"\n'
              '    return {"en": f"{x} steps", "ru": "шагов: " + f"{x}"}\n'
              'def g(lang):\n    return {"en": "steps", "ru": "шаги"} if "en" != lang else None\n')
    assert [(f, line) for f, line, _ in _inline_translations("core/sample.py", source)] == \
        [("f", 2), ("f", 3), ("f", 4), ("g", 6)]
