"""The nntutor command line as a teacher or a script uses it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nntutor.core import __version__
from nntutor.core.answers import format_value
from nntutor.core.catalog import lessons_dir, load_catalog

KIND_LESSONS = Path(__file__).parents[1] / "lessons" / "kinds"
FIXTURES = Path(__file__).parents[1] / "lessons" / "fixtures"


def nntutor(*args, lang="en", stdin="", **env_vars):
    """Run the command; ``stdin`` is typed as a UTF-8 terminal sends it, the output read in
    the encoding it was asked for (PYTHONIOENCODING)."""
    env = dict(os.environ, NNTUTOR_LANG=lang, **env_vars)
    out = subprocess.run([sys.executable, "-m", "nntutor.tui", *args], capture_output=True,
                         input=stdin.encode("utf-8"), env=env, timeout=60)
    encoding = env_vars.get("PYTHONIOENCODING", "utf-8")
    return subprocess.CompletedProcess(out.args, out.returncode, out.stdout.decode(encoding),
                                       out.stderr.decode(encoding))


def test_version():
    out = nntutor("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"nntutor {__version__}"


def test_list_shows_units_and_lesson_ids():
    out = nntutor("list")
    assert out.returncode == 0
    catalog = load_catalog()
    for unit in catalog.units:
        assert unit.title["en"] in out.stdout
        for entry in unit.entries:
            assert entry.id in out.stdout and entry.lesson.title["en"] in out.stdout
    assert "Обратное распространение" in nntutor("list", lang="ru").stdout


def test_key_prints_every_step_value_from_the_engine():
    out = nntutor("key", "layer-by-layer")
    assert out.returncode == 0
    lesson = load_catalog().find("layer-by-layer").lesson
    values = lesson.problem.evaluate()
    lines = out.stdout.splitlines()
    for n, step in enumerate(lesson.steps, start=1):
        symbol = lesson.problem.quantities[step.quantity].symbol
        (line,) = [line for line in lines if line.startswith(f"{n:>3}. ")]
        assert line.split("=")[0].strip().endswith(symbol)
        assert f"= {format_value(values[step.quantity])}" in line
    for key in lesson.problem.keys():
        assert f"  {key} " in out.stdout


def test_the_russian_key_names_the_roles_in_russian():
    out = nntutor("key", "layer-by-layer", "--lang", "ru")
    assert out.returncode == 0
    table = out.stdout.split("Все величины:")[1]
    assert "дано" in table and "обратный" in table
    assert not any(role in table for role in (" given ", " backward ", " forward ", " update "))


def test_key_json_is_stable_and_complete():
    by_id = json.loads(nntutor("key", "layer-by-layer", "--json").stdout)
    by_path = json.loads(nntutor("key", str(lessons_dir() / "4-backprop" / "layer-by-layer.toml"), "--json").stdout)
    assert by_id == by_path
    assert by_id["format"] == 1
    assert set(by_id) == {"format", "lesson", "kind", "conventions", "steps", "quantities"}
    step = by_id["steps"][0]
    assert set(step) == {"n", "id", "quantity", "symbol", "formula", "shape", "value"}
    assert np.asarray(step["value"]).shape == tuple(step["shape"])


def test_unknown_lesson_is_a_clear_error():
    out = nntutor("key", "layer-by-layr")
    assert out.returncode == 2
    assert "no lesson 'layer-by-layr'" in out.stderr and "Did you mean 'layer-by-layer'" in out.stderr
    out = nntutor("layer-by-layr")
    assert out.returncode == 2 and "nntutor list" in out.stderr


def test_broken_lesson_file_is_refused_with_its_issues(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('format_version = 1\nid = "x"\n', encoding="utf-8")
    out = nntutor(str(bad))
    assert out.returncode == 2
    assert "cannot open" in out.stderr and "title" in out.stderr


def test_plain_without_a_lesson_lists_them_and_asks_for_one():
    out = nntutor("--plain", stdin="nope\n")
    assert out.returncode == 0 and not out.stderr  # end of input: a quiet exit
    assert "1. Just a function" in out.stdout and "sigmoid-at-zero" in out.stdout
    assert "Lesson (a number or an id; 'quit' to stop):" in out.stdout
    count = len(list(load_catalog(light=True).entries()))
    assert f"No lesson 'nope': type a number from 1 to {count} or a lesson id." in out.stdout
    out = nntutor("--plain", stdin="sigmoid-at-zero\n0.5\n", lang="ru")
    assert "Выберите" not in out.stdout and "== Сигмоида в нуле ==" in out.stdout
    assert "Остановились на шаге 2 из 5" in out.stdout


def test_without_a_terminal_the_lesson_runs_as_a_dialogue():
    # stdout is a pipe here: the full-screen UI would have nowhere to draw
    out = nntutor("sigmoid-at-zero", stdin="0.5\n")
    assert out.returncode == 0, out.stderr
    assert "[1/5]" in out.stdout and "Correct." in out.stdout and "Stopped at step 2 of 5" in out.stdout
    out = nntutor(stdin="", TERM="dumb")
    assert out.returncode == 0 and "8. Matrix calculus" in out.stdout


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_output_that_is_not_utf8_gets_ascii_symbols_never_a_crash(encoding):
    env = {"PYTHONIOENCODING": encoding}
    key = nntutor("key", "layer-by-layer", **env)
    assert key.returncode == 0 and "Traceback" not in key.stderr
    assert "dL/dz1" in key.stdout  # ∂L/∂z₁
    listed = nntutor("list", **env)
    assert listed.returncode == 0 and "Traceback" not in listed.stderr
    assert "Gradients of a^Tx, x^TAx" in listed.stdout  # aᵀx, xᵀAx
    checked = nntutor("check", str(FIXTURES / "bad_layer_shape.toml"), **env)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    run = nntutor("--plain", "sigmoid-at-zero", stdin="σ(0)\n?\n0.5\n", **env)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "The sigmoid sigma(t) = 1/(1 + e^(-t))" in run.stdout
    assert "sigma'(0)" in run.stdout and "Hint 1/" in run.stdout


def test_key_json_stays_exact_on_an_ascii_output():
    utf8 = json.loads(nntutor("key", "layer-by-layer", "--json").stdout)
    ascii_ = nntutor("key", "layer-by-layer", "--json", PYTHONIOENCODING="ascii")
    assert ascii_.returncode == 0 and ascii_.stdout.isascii()
    assert json.loads(ascii_.stdout) == utf8  # \u escapes, not spellings


def test_russian_on_an_output_that_cannot_show_it_says_so_and_goes_on_in_english():
    out = nntutor("--plain", "sigmoid-at-zero", "--lang", "ru", stdin="0.5\n", PYTHONIOENCODING="ascii")
    assert out.returncode == 0
    notes = [line for line in out.stderr.splitlines() if line]
    assert len(notes) == 1 and "cannot show Russian" in notes[0] and "English" in notes[0]
    assert "== The sigmoid at zero ==" in out.stdout and "Correct." in out.stdout and "?????" not in out.stdout
    listed = nntutor("list", lang="ru", PYTHONIOENCODING="latin-1")
    assert "cannot show Russian" in listed.stderr and "Backpropagation" in listed.stdout
    # an encoding that has Cyrillic is fine for Russian
    koi = subprocess.run([sys.executable, "-m", "nntutor.tui", "list", "--lang", "ru"], capture_output=True,
                         env=dict(os.environ, PYTHONIOENCODING="koi8-r"), timeout=60)
    assert "Обратное распространение".encode("koi8-r") in koi.stdout and not koi.stderr


def test_check_verbose_names_mistakes_these_numbers_cannot_reveal():
    out = nntutor("check", "--verbose")
    assert out.returncode == 0
    # γ = 1 in the bundled lesson: "forgot the learning rate" gives the right W₁′
    assert "steps[10] (W1.next): the mistake 'no_lr'" in out.stdout


def test_check_verbose_runs_on_formula_lessons():
    out = nntutor("check", "--verbose", str(KIND_LESSONS / "formula.toml"))
    assert out.returncode == 0, out.stderr
    assert "all OK" in out.stdout + out.stderr


def test_key_piped_into_a_reader_that_stops_early_exits_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "nntutor.tui", "key", "sgd-from-zero", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)  # `| head -c 10`
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_plain_piped_into_a_reader_that_stops_early_exits_quietly(tmp_path):
    # `nntutor --plain LESSON | head -3`: the reader goes away while the lesson still talks
    proc = subprocess.Popen([sys.executable, "-m", "nntutor.tui", "--plain", "sigmoid-at-zero"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, NNTUTOR_LANG="en"))
    proc.stdout.read(10)
    proc.stdout.close()
    _, err = proc.communicate(b"?\n?\n0.5\n0.25\nquit\n", timeout=60)
    assert proc.returncode == 0
    assert b"Traceback" not in err and b"BrokenPipe" not in err and b"Exception ignored" not in err
