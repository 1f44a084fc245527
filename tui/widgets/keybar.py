"""The key bar at the foot of a screen: the screen's keys in the student's language."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget

from ..bindings import key_name, label


class KeyBar(Widget):
    """One line of keys, in the order the screen declares them; what does not fit is left off
    from the end (the first ones -- Quit, Hint, Charts -- always stay) and the command palette's
    key keeps its place at the right. Click a key to run it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._spans: list[tuple[int, int, object, str]] = []  # (start, end, namespace, action)

    def on_mount(self) -> None:
        # a binding turned on or off (check_action) or the focus moved: draw again (no layout)
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def render(self) -> Text:
        lang = getattr(self.app, "lang", "en")
        width = self.size.width
        # the order the screen (then the app) declares them in, whoever else binds the same key
        declared = [b.id for b in (*self.screen.BINDINGS, *self.app.BINDINGS) if isinstance(b, Binding)]
        items, order = [], []
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if binding.show:
                items.append((key_name(binding.key, short=True), label(binding, lang), active.node,
                              binding.action, active.enabled))
                order.append(declared.index(binding.id) if binding.id in declared else len(declared))
        items = [item for _, item in sorted(zip(order, items), key=lambda pair: pair[0])]
        palette = [item for item in items if item[3].endswith("command_palette")]
        items = [item for item in items if item not in palette]
        reserve = sum(len(k) + len(d) + 3 for k, d, *_ in palette)
        out = Text(no_wrap=True, overflow="crop", end="")
        self._spans = []
        for n, (key, description, node, action, enabled) in enumerate(items + palette):
            piece = len(key) + len(description) + 3
            last = n >= len(items)
            if not last and out.cell_len + piece + reserve > width:
                continue  # left off; later (shorter) ones may still fit before the palette
            if last:
                out.append(" " * max(0, width - out.cell_len - piece))
            start = out.cell_len
            style = "" if enabled else "dim"
            out.append(f" {key} ", style=f"bold reverse {style}".strip())
            out.append(f"{description} ", style=style)
            self._spans.append((start, out.cell_len, node, action))
        return out

    async def on_click(self, event: events.Click) -> None:
        for start, end, node, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action, node)
                return
