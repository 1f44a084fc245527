"""The real ``nntutor`` command in a real 80×24 pseudo-terminal, read back through pyte.

These run the installed console script (next to sys.executable), not the App object:
what a student sees after typing ``nntutor`` is what is checked here.
"""

from __future__ import annotations

import signal
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # ptyterm.py sits next to this file

from ptyterm import Terminal, console_script, terminal_env  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NNTUTOR = console_script("nntutor")
TITLE = "Backprop layer by layer"
Z1_PROMPT = "hidden pre-activations"  # from the z₁ step's prompt
A1_PROMPT = "hidden activations a₁"
PLACEHOLDER = "your answer, then Enter"  # the empty answer box
TIMEOUT = 15.0


def _step_count() -> int:
    data = tomllib.loads((ROOT / "lessons" / "4-backprop" / "layer-by-layer.toml").read_text(encoding="utf-8"))
    return len(data["steps"])


def _start(tmp_path: Path, *args: str) -> Terminal:
    assert NNTUTOR.exists(), f"the console script {NNTUTOR} is not installed (pip install -e .)"
    return Terminal([NNTUTOR, *args], env=terminal_env(tmp_path / "data"), cwd=tmp_path)


def _clear_input(term: Terminal, typed: str) -> None:
    # End, then exactly as many backspaces as the field holds, and wait for the
    # placeholder. Exactly: with more, the placeholder shows while the spare backspaces are
    # still queued, and they would erase the next answer. Textual 8 also runs Input's bound
    # keys (backspace) after printable keys that arrive in the same burst
    # (Textualize/textual#6605), so the next answer waits for the placeholder.
    term.press("ctrl+e")
    term.send("\x7f" * len(typed))
    term.wait_for(PLACEHOLDER, TIMEOUT)


def _answer(term: Terminal, text: str) -> None:
    """Type an answer, see it in the field, then press Enter."""
    term.send(text)
    term.wait_for(lambda screen: any(line.strip().startswith(text) for line in screen.splitlines()), TIMEOUT)
    term.send("\r")


def test_lesson_wrong_then_right_then_quit(tmp_path):
    term = _start(tmp_path, "layer-by-layer")
    try:
        term.wait_for(TITLE, TIMEOUT)
        term.wait_for(Z1_PROMPT, TIMEOUT)
        assert f"step 1 of {_step_count()}" in term.text()

        _answer(term, "3 -1")
        term.wait_for("Not quite.", TIMEOUT)
        assert "Correct." not in term.text()

        _clear_input(term, "3 -1")
        _answer(term, "2 -1")
        term.wait_for("Correct.", TIMEOUT)
        term.wait_for(f"step 2 of {_step_count()}", TIMEOUT)
        term.wait_for(A1_PROMPT, TIMEOUT)

        term.press("ctrl+q")
        assert term.wait_exit(5) == 0
    finally:
        term.close()


def _first_lesson() -> tuple[str, str, dict]:
    """The course's first unit title, and its first lesson's title and data, from the index."""
    index = tomllib.loads((ROOT / "lessons" / "index.toml").read_text(encoding="utf-8"))
    unit = index["units"][0]
    data = tomllib.loads((ROOT / "lessons" / unit["dir"] / f"{unit['lessons'][0]}.toml").read_text(encoding="utf-8"))
    return unit["title"]["en"], data["title"]["en"], data


def test_home_lists_the_units_and_enter_opens_the_first_lesson(tmp_path):
    unit, title, data = _first_lesson()
    prompt = data["steps"][0]["prompt"]["en"]
    term = _start(tmp_path)
    try:
        term.wait_for(unit, TIMEOUT)
        term.wait_for(title, TIMEOUT)
        assert prompt[:20] not in term.text()

        term.press("enter")
        term.wait_for(f"step 1 of {len(data['steps'])}", TIMEOUT)
        term.wait_for(prompt[:20], TIMEOUT)

        term.press("ctrl+q")
        assert term.wait_exit(5) == 0
    finally:
        term.close()


def test_killed_after_a_correct_answer_resumes_at_step_2(tmp_path):
    term = _start(tmp_path, "layer-by-layer")
    try:
        term.wait_for(Z1_PROMPT, TIMEOUT)
        term.send("2 -1\r")
        term.wait_for("Correct.", TIMEOUT)
        term.kill()  # SIGKILL: no clean shutdown, no atexit, no close()
        assert term.proc.returncode == -signal.SIGKILL
    finally:
        term.close()

    again = _start(tmp_path, "layer-by-layer")
    try:
        again.wait_for(f"step 2 of {_step_count()}", TIMEOUT)
        again.wait_for(A1_PROMPT, TIMEOUT)
        again.wait_for("z₁ = 2 -1", TIMEOUT)  # the accepted value in the step list, no scrolling
        again.press("ctrl+q")
        assert again.wait_exit(5) == 0
    finally:
        again.close()
