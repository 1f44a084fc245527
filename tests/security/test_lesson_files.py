"""Any path given as a lesson gets a clear verdict in bounded time and memory, and no lesson
string can make the terminal act (escape sequences, OSC 52 clipboard writes, title changes)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nntutor.core.catalog import load_catalog
from nntutor.core.lesson import (
    MAX_FILE_BYTES, MAX_ISSUES, Issue, LessonError, load_lesson, read_meta, read_toml,
)
from nntutor.tui.cli import main
from tests.support import bounded

SCRIPT = Path(sys.executable).parent / "nntutor"
LESSON = load_catalog(light=True).find("sigmoid-at-zero").path
ESC = "\u001b"


def _nntutor(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The installed command, with a time limit: a reader that hangs fails instead of hanging."""
    return subprocess.run([str(SCRIPT), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ, NNTUTOR_LANG="en"))


# -- what is not a regular file ---------------------------------------------------------------

def _fifo(tmp_path: Path) -> str:
    path = tmp_path / "lesson.toml"
    os.mkfifo(path)
    return str(path)


SPECIAL = {"/dev/zero": lambda _t: "/dev/zero", "/dev/urandom": lambda _t: "/dev/urandom",
           "a FIFO": _fifo, "a directory": lambda t: str(t)}


@pytest.mark.skipif(not SCRIPT.exists(), reason="needs the installed script")
@pytest.mark.parametrize("what", list(SPECIAL))
@pytest.mark.parametrize("command", [["check"], ["key"], ["--plain"]])
def test_a_device_a_fifo_or_a_directory_is_refused_at_once(tmp_path, what, command):
    path = SPECIAL[what](tmp_path)
    out = _nntutor(*command, path)
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert "cannot read the file" in out.stderr + out.stdout
    assert "directory" in out.stderr + out.stdout if what == "a directory" else "not a regular file" in out.stderr + out.stdout


def test_a_file_over_the_cap_is_refused_unread(tmp_path):
    path = tmp_path / "big.toml"
    path.write_bytes(b"# " + b"x" * MAX_FILE_BYTES)
    with pytest.raises(LessonError, match="file too large"):
        load_lesson(path)


def test_a_long_dotted_key_is_refused_before_the_toml_reader_sees_it(tmp_path):
    """tomllib takes time growing with the square of a dotted key's length (120 KB: 107 s)."""
    path = tmp_path / "dotted.toml"
    path.write_text(".".join(["a"] * 60_000) + " = 1\n")
    with pytest.raises(LessonError, match="dotted key with more than"):
        bounded(100_000, load_lesson, path)  # counted work, not the clock


def test_arrays_nested_thousands_deep_are_refused(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * 2000 + "]" * 2000 + "\n")
    with pytest.raises(LessonError, match="nested too deeply"):
        load_lesson(path)


def test_data_nested_deeper_than_any_lesson_needs_is_refused_with_its_field():
    data = tomllib.loads(LESSON.read_text(encoding="utf-8"))
    data["problem"]["extra"] = [[[[[[[[[[[[[[1]]]]]]]]]]]]]]
    with pytest.raises(LessonError) as err:
        load_lesson_from(data)
    assert any(i.field.startswith("problem.extra") and "nested too deeply" in i.message for i in err.value.issues)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + LESSON.read_bytes())
    assert load_lesson(path).id == "sigmoid-at-zero"
    assert read_meta(path).id == "sigmoid-at-zero"


def test_a_file_with_a_thousand_issues_lists_the_first_ones_cheaply(tmp_path):
    head = LESSON.read_text(encoding="utf-8").split("[[steps]]")[0]
    step = '[[steps]]\nquantity = "nope"\nprompt.en = "p"\nprompt.ru = "p"\nzz1 = 1\nzz2 = 1\n'
    path = tmp_path / "broken.toml"
    path.write_text(head + step * 200)
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert len(err.value.issues) == MAX_ISSUES + 1
    assert "more issue(s) not listed" in str(err.value.issues[-1])


# -- control characters -----------------------------------------------------------------------

def _controls(text: str) -> set[str]:
    return {ch for ch in text if (ord(ch) < 32 and ch not in "\t\n") or 127 <= ord(ch) < 160}


def load_lesson_from(data):
    from nntutor.core.lesson import lesson_from_data

    return lesson_from_data(data, LESSON)


def _set(data, path, value):
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


# Each field a student may see, and a sequence a terminal would act on.
FIELDS = [
    (("title", "en"), "title.en"),
    (("text", "ru"), "text.ru"),
    (("steps", 0, "prompt", "en"), "steps[1].prompt.en"),
    (("steps", 0, "hints", "en", 0), "steps[1].hints.en[1]"),
    (("source",), "source"),
]
SEQUENCES = {
    "clear screen": f"{ESC}[2J",
    "OSC 52 clipboard": f"{ESC}]52;c;cm0gLXJmIH4=\u0007",
    "window title": f"{ESC}]0;pwned\u0007",
    "C1 CSI": "\u009b2J",
    "carriage return": "\rfake",
    "DEL": "\u007f",
}


@pytest.mark.parametrize("where, field", FIELDS, ids=[f for _p, f in FIELDS])
@pytest.mark.parametrize("name", list(SEQUENCES))
def test_a_control_character_in_any_lesson_string_is_refused_naming_the_field(where, field, name):
    data = tomllib.loads(LESSON.read_text(encoding="utf-8"))
    _set(data, where, "Look: " + SEQUENCES[name])
    with pytest.raises(LessonError) as err:
        load_lesson_from(data)
    issue = next(i for i in err.value.issues if i.field == field)
    assert "control character" in issue.message
    assert not _controls(str(issue))  # the message itself is safe to print


def test_control_characters_in_problem_data_and_mistakes_are_refused():
    data = tomllib.loads(LESSON.read_text(encoding="utf-8"))
    data["steps"][0]["mistakes"] = [{"answer": "1", "message": {"en": f"{ESC}[2J", "ru": "ok"}}]
    data["problem"][f"k{ESC}"] = 1
    with pytest.raises(LessonError) as err:
        load_lesson_from(data)
    fields = {i.field for i in err.value.issues}
    assert "steps[1].mistakes[1].message.en" in fields
    assert "problem.k\\u001b" in fields


def test_check_refuses_an_escape_in_a_hint_and_prints_nothing_the_terminal_acts_on(tmp_path, capsys):
    path = tmp_path / "lesson.toml"
    source = LESSON.read_text(encoding="utf-8")
    path.write_text(source.replace('hints.en = ["', 'hints.en = ["\\u001b[2J\\u001b[3J', 1))
    assert path.read_text() != source
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    assert "steps[1].hints.en[1]" in out.out and "control character U+001B" in out.out
    assert ESC not in out.out + out.err


def test_the_home_screen_metadata_refuses_an_escape_in_a_title(tmp_path):
    path = tmp_path / "lesson.toml"
    path.write_text(LESSON.read_text(encoding="utf-8").replace('title.en = "', 'title.en = "\\u001b]0;x\\u0007', 1))
    with pytest.raises(LessonError):
        read_meta(path)


def test_an_issue_escapes_control_characters_in_a_file_name():
    shown = str(Issue(f"evil{ESC}[2J.toml", "", "cannot read the file"))
    assert ESC not in shown and "evil\\u001b[2J.toml" in shown


def test_read_toml_gives_the_text_without_the_byte_order_mark(tmp_path):
    path = tmp_path / "x.toml"
    path.write_bytes(b"\xef\xbb\xbfa = 1\n")
    assert read_toml(path) == ({"a": 1}, "a = 1\n")
