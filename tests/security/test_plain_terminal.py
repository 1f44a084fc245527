"""Plain mode at a real terminal and through pipes, as a person (or a script) uses it.

Line editing with readline (an arrow key never becomes part of an answer; no history file
written), Ctrl+C that says where it stopped, TERM=dumb without --plain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.e2e.ptyterm import Terminal, console_script, terminal_env

NNTUTOR = console_script("nntutor")
LEFT, UP = "\x1b[D", "\x1b[A"
TIMEOUT = 20.0


def _prompt(term: Terminal, what: str) -> None:
    """Wait for ``what`` and then for the prompt after it: readline has the terminal from then on
    (a Ctrl+D typed before that is eaten by the line discipline, as at any shell)."""
    term.wait_for(what, TIMEOUT)
    term.wait_for(lambda screen: screen.rstrip().endswith((">", "stop):")), TIMEOUT)


def _interrupt(term: Terminal, said: str) -> None:
    """Ctrl+C until ``said`` shows, as a student presses it again: a Ctrl+C that arrives while
    readline is still setting up the terminal (on a loaded machine) is read as a character."""
    for _ in range(5):
        term.send("\x03")
        try:
            term.wait_for(said, TIMEOUT / 5)
            return
        except TimeoutError:
            if term.proc.poll() is not None:
                raise
    term.wait_for(said, TIMEOUT)


def _plain(tmp_path, *args, **env):
    return Terminal([NNTUTOR, "--plain", "sigmoid-at-zero", *args],
                    env=dict(terminal_env(tmp_path / "data"), **env), cwd=tmp_path)


def test_arrow_keys_edit_the_line_and_up_recalls_the_last_answer(tmp_path, hermetic_home):
    with _plain(tmp_path) as term:
        _prompt(term, "[1/5]")
        term.send("5" + LEFT + "0.\r")  # typed 5, went back, put 0. in front of it
        term.wait_for("Correct. (read as 0.5)", TIMEOUT)
        _prompt(term, "[2/5]")
        term.send(UP + "\r")  # the answer before, again: σ(0) where σ′(0) is asked
        term.wait_for("0.5 is σ(0) itself", TIMEOUT)
        assert "[D" not in term.text() and "[A" not in term.text()
        term.send("quit\r")
        assert term.wait_exit(TIMEOUT) == 0
    assert not any(hermetic_home.rglob("*")), "readline wrote a history file into HOME"
    assert not [p for p in tmp_path.iterdir() if p.name != "data"], "something was written into the cwd"


def test_ctrl_c_at_a_terminal_says_where_it_stopped(tmp_path):
    with _plain(tmp_path) as term:
        _prompt(term, "[1/5]")
        term.send("0.5\r")
        _prompt(term, "[2/5]")
        _interrupt(term, "Stopped at step 2 of 5; progress is saved.")
        assert term.wait_exit(TIMEOUT) == 130
        assert "Traceback" not in term.text() and "KeyboardInterrupt" not in term.text()


def test_ctrl_c_in_russian(tmp_path):
    with _plain(tmp_path, "--lang", "ru") as term:
        _prompt(term, "[1/5]")
        _interrupt(term, "Остановились на шаге 1 из 5; прогресс сохранён.")
        assert term.wait_exit(TIMEOUT) == 130


def test_interrupted_through_a_pipe_exits_130_without_a_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "nntutor.tui", "--plain", "sigmoid-at-zero"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, NNTUTOR_LANG="en", NNTUTOR_DATA_DIR=str(tmp_path)),
                            # SIGINT as a shell gives it, even when this run inherited it ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = b""
    while b"\n> " not in seen:  # the first prompt: it is waiting for a line
        chunk = os.read(proc.stdout.fileno(), 4096)
        assert chunk, seen
        seen += chunk
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 130
    assert b"Stopped at step 1 of 5; progress is saved." in out
    assert b"Traceback" not in err and b"KeyboardInterrupt" not in err


def test_a_dumb_terminal_gets_the_dialogue_not_the_full_screen_ui(tmp_path):
    env = dict(terminal_env(tmp_path / "data"), TERM="dumb")
    with Terminal([NNTUTOR, "sigmoid-at-zero"], env=env, cwd=tmp_path) as term:
        _prompt(term, "[1/5]")
        assert "== The sigmoid at zero ==" in term.text()
        term.send("\x04")  # Ctrl+D: end of input
        term.wait_for("Stopped at step 1 of 5", TIMEOUT)
        assert term.wait_exit(TIMEOUT) == 0
    with Terminal([NNTUTOR], env=env, cwd=tmp_path) as term:  # no lesson named: choose one
        _prompt(term, "Lesson (a number or an id")
        term.send("nope\r")
        term.wait_for("No lesson 'nope'", TIMEOUT)
        term.send("sigmoid-at-zero\r")
        _prompt(term, "[1/5]")
        term.send("\x04")
        assert term.wait_exit(TIMEOUT) == 0


def test_a_pasted_line_over_the_cap_is_refused_at_a_terminal(tmp_path):
    with _plain(tmp_path) as term:
        _prompt(term, "[1/5]")
        term.send("1" * 2100 + "\r")
        term.wait_for("That line is too long (more than 2000 characters)", TIMEOUT)
        term.send("0.5\r")
        term.wait_for("Correct.", TIMEOUT)
        term.send("quit\r")
        assert term.wait_exit(TIMEOUT) == 0
