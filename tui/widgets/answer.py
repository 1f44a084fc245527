"""The answer box: an Input that holds at most an answer's worth of text."""

from __future__ import annotations

from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import Input

from nntutor.core.answers import MAX_CHARS


class AnswerBox(Input):
    """An Input capped at the longest answer the reader takes (``answers.MAX_CHARS``).

    Text pasted or typed past the cap is dropped as it arrives, so a 100 KB paste costs no more
    than a full box; the screen is told once per overflow (no bell per dropped key).
    """

    #: Input sets its virtual size to its content width on every change of its value, and each
    #: layout sets it back to its width with the padding: with Widget's ``layout=True`` every
    #: keystroke and every cleared box re-arranged the whole screen. The box's size never
    #: depends on its text (one line, its width from the CSS), so a repaint is enough.
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Overflowed(Message):
        """Typed or pasted text went past the cap and was dropped."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=MAX_CHARS, **kwargs)
        self._told = False

    def replace(self, text: str, start: int, end: int) -> None:
        """Insert what fits of ``text`` (a long paste keeps its first part) and drop the rest."""
        start, end = sorted((max(0, start), min(len(self.value), end)))
        room = MAX_CHARS - (len(self.value) - (end - start))
        if len(text) > room:
            text = text[:max(0, room)]
            self.restricted()
            if not text and start == end:
                return
        super().replace(text, start, end)

    def restricted(self) -> None:
        if not self._told:
            self._told = True
            self.post_message(self.Overflowed())

    def watch_value(self, value: str) -> None:
        if len(value) < MAX_CHARS:
            self._told = False
