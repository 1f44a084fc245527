"""Footer labels in the student's language.

A binding's description is the English text of an entry in ``i18n.STRINGS``; switching
language swaps it for that entry's text in the other language. (Textual has no public
API for relabelling bindings, so this rewrites the node's binding map and asks the
footer to refresh.)
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding
from textual.dom import DOMNode

from .i18n import STRINGS


def localize_bindings(node: DOMNode, lang: str) -> None:
    bindings_map = node._bindings
    for key, bindings in bindings_map.key_to_bindings.items():
        bindings_map.key_to_bindings[key] = [_localized(b, lang) for b in bindings]
    node.refresh_bindings()


def _localized(binding: Binding, lang: str) -> Binding:
    for table in STRINGS.values():
        if binding.description in table.values():
            return dataclasses.replace(binding, description=table[lang])
    return binding
