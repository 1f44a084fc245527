"""The baseline for bench/run.py: a bare Textual app that shows "hello".

    python bench/hello_app.py           a Static "hello" (first frame, memory, idle)
    python bench/hello_app.py --echo    plus an Input; Enter shows "echo: <text>"
                                        (the pty + pyte round trip of a trivial handler)

Ctrl+Q quits (Textual's default binding).
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import Input, Static


class Hello(App):
    """Nothing but a greeting (and, with ``echo``, an input that echoes on Enter)."""

    def __init__(self, echo: bool = False) -> None:
        super().__init__()
        self.echo = echo

    def compose(self) -> ComposeResult:
        yield Static("hello", id="hello")
        if self.echo:
            yield Static("", id="echo")
            yield Input(id="answer", select_on_focus=False)

    def on_mount(self) -> None:
        if self.echo:
            answer = self.query_one("#answer", Input)
            answer.cursor_blink = False  # as in nntutor's lesson screen
            answer.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#echo", Static).update(f"echo: {event.value}")


if __name__ == "__main__":
    Hello(echo="--echo" in sys.argv[1:]).run()
