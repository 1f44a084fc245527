"""Plain mode: a whole lesson through a pipe, as a script or a screen reader would use it."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from nntutor.core.answers import MAX_CHARS, format_value
from nntutor.core.catalog import lessons_dir, load_catalog
from nntutor.core.key import answer_key
from nntutor.core.progress import ProgressStore
from nntutor.tui.plain import LineTooLong, choose_lesson, read_bounded, run_plain
from nntutor.tui.plaintext import ascii_symbols, markdown_to_text, wrap


def typed(value) -> str:
    """An engine value written the way a student types it: `2 -1`, `1 0; 2 0`."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 2 and min(arr.shape) > 1:
        return "; ".join(" ".join(format_value(v) for v in row) for row in arr)
    return " ".join(format_value(v) for v in arr.reshape(-1))


def plain(stdin: str, tmp_path, *extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, NNTUTOR_DATA_DIR=str(tmp_path / "data"), NNTUTOR_LANG="en")
    return subprocess.run([sys.executable, "-m", "nntutor.tui", "--plain", "layer-by-layer", *extra],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_whole_lesson_through_a_pipe_with_mistakes_and_hints(tmp_path):
    lesson = load_catalog().find("layer-by-layer").lesson
    key = answer_key(lesson)
    lines = []
    for step in key["steps"]:
        if step["quantity"] == "a1":
            lines.append("2 -1")  # z₁ again: a classic slip
            lines.append("?")
        if step["quantity"] == "grad.W1":
            lines.append("1 0 2 0")  # right numbers, wrong shape: a format message, no attempt
        lines.append(typed(step["value"]))
    out = plain("\n".join(lines) + "\n", tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert text.count("Correct.") == len(key["steps"])
    assert "Not quite." in text and "That is z₁" in text
    assert "Hint 1/2:" in text
    assert "2×2 matrix" in text
    assert "Lesson complete!" in text
    flat = " ".join(text.split())  # the summary wraps at the terminal's width
    n = len(key["steps"])  # a₁ was wrong at first and needed a hint: every other step right at once
    assert f"Right at the first try: {n - 1} of {n} · wrong answers: 1 · hints: 1 · worked values shown: 0" in flat
    assert "nntutor --plain layer-by-layer --variant 1" in flat  # and how to practise on new numbers


def test_end_of_input_stops_cleanly_and_progress_resumes(tmp_path):
    first = plain("2 -1\n", tmp_path)
    assert first.returncode == 0
    assert "Stopped at step 2 of 11" in first.stdout
    second = plain("", tmp_path)
    assert "[2/11] a₁" in second.stdout  # resumes at the first unanswered step
    assert "[1/11]" not in second.stdout


def test_russian_plain_mode(tmp_path):
    out = plain("0,5 7\n", tmp_path, "--lang", "ru")
    assert "Пока неверно." in out.stdout
    assert "Остановились на шаге 1 из 11" in out.stdout


# -- the lesson text as plain text ------------------------------------------------------

SAMPLE = """\
# Conventions

The sigmoid **σ(t) = 1/(1 + e^(−t))** is *smooth*; type `3/4` or `-ln 5`, and ∂sₖ/∂W* is the
*immediate* derivative (W* is not emphasis). An extraordinarily-long-hyphenated-compound-word stays whole.

- first item, long enough that it has to be wrapped onto a second line at forty columns;
- second item with `code`;
1. numbered (1, 1) → 1

```text
m = y*xᵀw = y*(x1*w1 + x2*w2) and a line far longer than forty columns, kept as it is
```

| a | b*c |
|---|-----|
| 1 | **2** |
"""


def test_markdown_becomes_plain_text_wrapped_without_splitting_words():
    text = markdown_to_text(SAMPLE, 40)
    lines = text.splitlines()
    assert lines[0] == "Conventions"
    prose = [line for line in lines if not line.startswith("|")]
    assert not any("**" in line or "`" in line or "#" in line for line in prose)
    assert "σ(t) = 1/(1 + e^(−t))" in " ".join(lines) and "type 3/4 or -ln 5" in " ".join(lines)
    assert "∂sₖ/∂W* is the immediate derivative (W* is not emphasis)" in " ".join(lines)
    assert any("extraordinarily-long-hyphenated-compound-word" in line for line in lines)
    # bullets kept, continuation lines under the item's text
    first = lines.index("- first item, long enough that it has to")
    assert lines[first + 1].startswith("  ") and not lines[first + 1].startswith("   ")
    assert "- second item with code;" in lines and "1. numbered (1, 1) → 1" in lines
    # a fenced block and a table line for line, fences dropped
    assert "m = y*xᵀw = y*(x1*w1 + x2*w2) and a line far longer than forty columns, kept as it is" in lines
    assert "```text" not in text and "```" not in text
    assert "| a | b*c |" in lines and "| 1 | **2** |" in lines
    for line in lines:
        if not line.startswith(("m = ", "|")):
            assert len(line) <= 40 or " " not in line.strip(), line


def _verbatim_lines(md: str) -> set[str]:
    """The lines of fenced blocks and tables: kept as they are."""
    kept, fenced = set(), False
    for line in md.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif fenced or line.lstrip().startswith("|"):
            kept.add(line.rstrip())
    return kept


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_lesson_text_reads_as_plain_text_at_80_columns(lang):
    for path in sorted(lessons_dir().glob("*/*.toml")):
        md = tomllib.loads(path.read_text(encoding="utf-8"))["text"][lang]
        text = markdown_to_text(md, 79)
        kept = _verbatim_lines(md)
        for line in text.splitlines():
            if line in kept:
                continue
            assert len(line) <= 79 or " " not in line.strip(), f"{path.name}: {line!r}"
            assert "**" not in line and "`" not in line, f"{path.name}: {line!r}"
            assert not re.match(r"\s*#{1,6} ", line), f"{path.name}: {line!r}"
        # no word of the text lost or split
        words = lambda s: re.findall(r"[^\W_]+", s)  # noqa: E731
        assert words(text) == words(md.replace("```text", "")), path.name


def test_wrap_keeps_words_whole_and_hangs_continuations():
    out = wrap("Hint 1/2: the sigmoid's derivative can be written through `σ` itself: σ′ = σ·(1 − σ).",
               30, hang="  ")
    lines = out.splitlines()
    assert all(len(line) <= 30 for line in lines) and all(line.startswith("  ") for line in lines[1:])
    assert "`" not in out and "σ′ = σ·(1 − σ)." in " ".join(x.strip() for x in lines)


@pytest.mark.parametrize("shown, ascii_", [
    ("∂L/∂z₁", "dL/dz1"), ("σ(0)", "sigma(0)"), ("a → b", "a -> b"), ("ŷ", "y_hat"), ("y\u0302", "y_hat"),
    ("2·3", "2*3"), ("−1", "-1"), ("x²", "x^2"), ("X⁻¹", "X^-1"), ("Σ", "sum"), ("η", "eta"), ("λ", "lambda"),
    ("Δw", "Deltaw"), ("v̄₃", "v_bar3"), ("tanh′(zₖ)", "tanh'(zk)"), ("€", "?"), ("Да", "??"),
])
def test_symbols_are_spelt_in_ascii(shown, ascii_):
    assert ascii_symbols(shown) == ascii_


# -- reading lines ----------------------------------------------------------------------

class CountingStream(io.StringIO):
    """A stream that records the longest piece any readline call handed out."""

    longest = 0

    def readline(self, size=-1):
        piece = super().readline(size)
        self.longest = max(self.longest, len(piece))
        return piece


def test_an_over_long_line_is_refused_and_never_held_whole():
    stream = CountingStream("7" * 3_000_000 + "\n" + "x" * (MAX_CHARS + 1) + "\n" + "0.5\n" + "y" * MAX_CHARS)
    with pytest.raises(LineTooLong):
        read_bounded(stream)
    assert stream.longest <= MAX_CHARS + 2  # skipped in pieces of the cap, never held whole
    with pytest.raises(LineTooLong):
        read_bounded(stream)  # one character over the cap
    assert read_bounded(stream) == "0.5"  # the next line reads as usual
    assert read_bounded(stream) == "y" * MAX_CHARS  # the cap itself is fine, end of input unended
    assert read_bounded(stream) is None
    assert stream.longest <= MAX_CHARS + 2


def test_a_few_megabytes_on_one_line_get_one_message_and_the_lesson_goes_on(tmp_path):
    out = plain("9" * 3_000_000 + "\n" + "2 -1\n", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("That line is too long (more than 2000 characters); it was not checked.") == 1
    assert "Correct." in out.stdout and "wrong answers: 0" in out.stdout
    assert "Traceback" not in out.stderr


def test_plain_output_is_wrapped_to_the_terminal_width(tmp_path):
    env = dict(os.environ, NNTUTOR_DATA_DIR=str(tmp_path / "data"), NNTUTOR_LANG="en", COLUMNS="50")
    out = subprocess.run([sys.executable, "-m", "nntutor.tui", "--plain", "sigmoid-at-zero"],
                         input="?\n?\n0.5\n0.5\n", capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "**" not in out.stdout and "`" not in out.stdout
    assert "- v₁ = t (the input);" in out.stdout.splitlines()
    for line in out.stdout.splitlines():
        assert len(line) <= 50, line
    assert "  0.5 is σ(0) itself. The slope is σ(0)·(1 −" in out.stdout  # a diagnosis, wrapped and indented


# -- a finished lesson, and choosing one -------------------------------------------------

def _finish(lesson, path):
    with ProgressStore(path) as store:
        for step, entry in zip(lesson.steps, answer_key(lesson)["steps"]):
            store.accept(lesson.progress_key, step.id, "x", np.asarray(entry["value"], dtype=float))


def test_a_finished_lesson_offers_to_start_over(tmp_path):
    lesson = load_catalog().find("sigmoid-at-zero").lesson
    _finish(lesson, tmp_path / "p.sqlite3")
    for reply in ("n\n", "", "maybe\n"):
        out = io.StringIO()
        with ProgressStore(tmp_path / "p.sqlite3") as store:
            code = run_plain(lesson, store, "en", io.StringIO(reply), out)
        assert code == 0
        assert "You have finished this lesson already" in out.getvalue()
        assert "Start over? [y/N]" in out.getvalue() and "[1/5]" not in out.getvalue()
    out = io.StringIO()
    with ProgressStore(tmp_path / "p.sqlite3") as store:
        code = run_plain(lesson, store, "en", io.StringIO("y\n0.5\n"), out)
    assert code == 0
    assert "Started over." in out.getvalue() and "[1/5]" in out.getvalue() and "[2/5]" in out.getvalue()
    assert "1 of 5 steps done" in out.getvalue()


def test_no_lesson_named_lists_them_and_asks_until_one_is_chosen():
    out = io.StringIO()
    catalog = load_catalog(light=True)
    ids = [entry.id for entry in catalog.entries()]
    past = len(ids) + 1
    lesson = choose_lesson("en", io.StringIO(f"xyz\n0\n\n{past}\n2\n"), out)
    assert lesson is not None and lesson.id == list(catalog.entries())[1].id
    text = out.getvalue()
    assert "1. Just a function" in text and "8. Matrix calculus" in text
    assert re.search(r"^\s+1\. \S+ ", text, re.M) and re.search(rf"^\s+{len(ids)}\. {ids[-1]} ", text, re.M)
    for bad in ("'xyz'", "'0'", f"'{past}'"):
        assert f"No lesson {bad}: type a number from 1 to {len(ids)} or a lesson id." in text
    assert choose_lesson("en", io.StringIO("sigmoid-at-zero\n"), io.StringIO()).id == "sigmoid-at-zero"
    assert choose_lesson("ru", io.StringIO(""), io.StringIO()) is None
    assert choose_lesson("en", io.StringIO("quit\n"), io.StringIO()) is None


def test_plain_mode_completes_new_numbers_from_their_key(tmp_path):
    from nntutor.core.lesson import load_lesson

    lesson = load_lesson(load_catalog(light=True).find("layer-by-layer").path, 4)
    key = answer_key(lesson)
    out = plain("\n".join(typed(s["value"]) for s in key["steps"]) + "\n", tmp_path, "--variant", "4")
    assert out.returncode == 0, out.stderr
    assert "(new numbers #4)" in out.stdout
    x = lesson.problem.evaluate()["x"]
    assert f"x = ({', '.join(format_value(v).replace('-', '−') for v in x)})" in out.stdout  # its own numbers
    assert out.stdout.count("Correct.") == len(key["steps"]) and "Lesson complete!" in out.stdout
    assert "--variant 1" in out.stdout  # the first numbers not yet practised


def test_pictures_in_plain_mode_print_each_diagram_as_text_and_each_chart_as_a_table(tmp_path):
    out = plain("2 -1\npictures\n", tmp_path)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "-- The net, forward --" in text and "-- The net, backward --" in text
    assert "z₁     2      -1" in text  # the value just found, in its unit's column
    assert "a₁     ?       ?    ReLU" in text  # the next one still to find
    from nntutor.core.catalog import load_catalog
    from nntutor.core.session import LessonRun
    from nntutor.tui.plainpictures import picture_text

    run = LessonRun(load_catalog().find("sigmoid-at-zero").lesson)
    assert run.submit("1/2").ok and run.submit("1/4").ok
    chart = next(p for p in run.pictures() if p.kind == "chart")
    table = picture_text(chart, "en", 80).splitlines()
    assert table[1].split() == ["t", "σ(t)", "σ′(t)", "yours"]  # the curves, and the point found
    assert table[5].split() == ["0", "0.5", "0.25", "0.5"] and table[4].split() == ["-2", "0.1192", "0.105"]
