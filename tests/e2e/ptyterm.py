"""A real pseudo-terminal driving a real process, its output rendered by ``pyte``.

Shared by the end-to-end tests (tests/e2e/test_terminal.py) and the benchmark
(bench/run.py, which imports this file by path). Standard library + pyte only.

    with Terminal([nntutor, "layer-by-layer"], env=terminal_env(data_dir)) as term:
        term.wait_for("Backprop layer by layer")
        term.send("3 -1\\r")
        term.wait_for("Not quite.")

A reader thread drains the pty the whole time (so the child never blocks on a full
buffer), feeds a ``pyte.Screen`` and counts the bytes written; ``wait_for`` wakes on
every chunk, so it returns as soon as the text is on screen.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Callable, Mapping, Sequence

import pyte

KEYS = {
    "enter": "\r",
    "backspace": "\x7f",
    "ctrl+a": "\x01",
    "ctrl+e": "\x05",
    "ctrl+q": "\x11",
    "ctrl+r": "\x12",
    "ctrl+u": "\x15",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "down": "\x1b[B",
    "up": "\x1b[A",
}


def console_script(name: str = "nntutor") -> Path:
    """The console script installed next to the running interpreter."""
    return Path(sys.executable).parent / name


def terminal_env(data_dir: str | os.PathLike | None = None, cols: int = 80, rows: int = 24,
                 lang: str = "en", base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a TUI child: xterm-256color, the size, the language, a data dir."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if not k.startswith("TEXTUAL") and k not in {"NO_COLOR", "COLUMNS", "LINES"}}
    env.update(TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows), NNTUTOR_LANG=lang,
               LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1")
    if data_dir is not None:
        env["NNTUTOR_DATA_DIR"] = str(data_dir)
    return env


def _set_winsize(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _child_setup() -> None:
    # Runs in the child between fork and exec: own session, the pty as controlling terminal
    # (as a shell would do), so the child gets SIGWINCH and a real /dev/tty; and Ctrl+C's SIGINT
    # back to its default, as an interactive shell gives it (a test run started in the background
    # of a shell without job control inherits SIGINT ignored, and Python keeps it ignored).
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """One child process in an 80×24 (or any size) pty, its screen kept by pyte."""

    def __init__(self, argv: Sequence[str | os.PathLike], cols: int = 80, rows: int = 24,
                 env: Mapping[str, str] | None = None, cwd: str | os.PathLike | None = None) -> None:
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.bytes_read = 0
        self.started = time.perf_counter()
        self._cond = threading.Condition()
        self._eof = False
        master, slave = pty.openpty()
        _set_winsize(slave, cols, rows)
        _set_winsize(master, cols, rows)
        try:
            self.proc = subprocess.Popen(
                [str(a) for a in argv], stdin=slave, stdout=slave, stderr=slave,
                env=dict(env) if env is not None else terminal_env(cols=cols, rows=rows),
                cwd=cwd, preexec_fn=_child_setup, close_fds=True)
        except BaseException:
            os.close(master)
            os.close(slave)
            raise
        os.close(slave)  # the child holds it; closing ours lets reads see EOF/EIO at exit
        self.master = master
        self._reader = threading.Thread(target=self._read_loop, name="ptyterm-reader", daemon=True)
        self._reader.start()

    # -- the reader -----------------------------------------------------------------

    def _read_loop(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO once the child side is closed
                data = b""
            with self._cond:
                if not data:
                    self._eof = True
                    self._cond.notify_all()
                    return
                self.bytes_read += len(data)
                self.stream.feed(data)
                self._cond.notify_all()

    # -- looking at the screen ------------------------------------------------------

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        """The screen as plain text, one line per row (trailing spaces stripped)."""
        with self._cond:
            return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, what: str | Callable[[str], bool], timeout: float = 15.0) -> float:
        """Wait until ``what`` (a substring, or a predicate on :meth:`text`) holds.

        Returns the perf_counter time at which it was first seen; raises TimeoutError
        (with the screen) when it does not happen in time or the child exits first.
        """
        check = (lambda s: what in s) if isinstance(what, str) else what
        deadline = time.perf_counter() + timeout
        with self._cond:
            while True:
                screen = "\n".join(line.rstrip() for line in self.screen.display)
                if check(screen):
                    return time.perf_counter()
                left = deadline - time.perf_counter()
                if left <= 0 or self._eof:
                    why = "the process ended" if self._eof else f"{timeout:g} s passed"
                    raise TimeoutError(f"{what!r} not on screen ({why}; exit code {self.proc.poll()}).\n"
                                       f"--- screen ---\n{screen}\n--------------")
                self._cond.wait(left)

    def settle(self, quiet: float = 0.2, timeout: float = 5.0) -> None:
        """Wait until nothing has been written for ``quiet`` seconds (or ``timeout``)."""
        deadline = time.perf_counter() + timeout
        with self._cond:
            while time.perf_counter() < deadline and not self._eof:
                seen = self.bytes_read
                self._cond.wait(quiet)
                if self.bytes_read == seen:
                    return

    # -- typing ---------------------------------------------------------------------

    def send(self, keys: str | bytes) -> float:
        """Write keys to the terminal (``"\\r"`` is Enter); returns the time of the write."""
        data = keys.encode("utf-8") if isinstance(keys, str) else keys
        now = time.perf_counter()
        os.write(self.master, data)
        return now

    def press(self, *names: str) -> float:
        """Send named keys (see KEYS), e.g. ``press("ctrl+e", "ctrl+u")``."""
        return self.send("".join(KEYS[n] for n in names))

    # -- the process ----------------------------------------------------------------

    def wait_exit(self, timeout: float = 15.0) -> int:
        """The exit code; raises subprocess.TimeoutExpired if it is still running."""
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL the child's process group (its own session) and reap it."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(10)

    def close(self) -> None:
        """Kill the child if still running, then release the pty."""
        try:
            self.kill()
        finally:
            self._reader.join(2)
            if self.master >= 0:
                os.close(self.master)
                self.master = -1

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- /proc readings (Linux) -------------------------------------------------------------

def peak_rss_mb(pid: int) -> float:
    """VmHWM (peak resident set) of a running process, in MB (10⁶ bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmHWM in /proc status")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, in seconds."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()  # the command name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
