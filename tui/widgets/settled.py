"""A Static whose updates re-lay the screen out only when its height changes."""

from __future__ import annotations

from rich.text import Text
from textual.css.scalar import Unit
from textual.widgets import Static


class SettledStatic(Static):
    """``show_text(text)`` repaints in place when the text takes as many lines as before.

    A layout pass re-arranges the whole screen: after a wrong answer it can be about half
    the time from Enter to the frame (an accepted step clears the answer box, and
    Textual's Input asks for a layout then anyway). Most updates keep the height, so they
    need no layout.
    """

    def show_text(self, text: Text) -> None:
        width, height = self.content_size
        self.update(text, layout=False)
        if width <= 0 or not self.is_mounted:
            self.refresh(layout=True)
            return
        # the height the next layout would give it, worked out as Textual does
        lines = self.get_content_height(self.size, self.app.size, width)
        gutter = self.size.height - height  # border and padding: min/max-height count them
        low, high = self._bound(self.styles.min_height, gutter, 0), self._bound(self.styles.max_height, gutter, lines)
        if low is None or high is None or max(low, min(high, lines)) != height:
            self.refresh(layout=True)

    @staticmethod
    def _bound(scalar, gutter: int, default: int) -> int | None:
        """A min/max height in lines of content; None when it is not a plain number of cells."""
        if scalar is None:
            return default
        if scalar.unit != Unit.CELLS:
            return None
        return max(0, int(scalar.value) - gutter)
