"""One translation mechanism for the engine and the app: a table of messages, each in English
and Russian, called as ``MESSAGES(key, lang, *args, **kwargs)``.

Every table is checked when it is made: each message has both languages, and both use the same
``{fields}``, so a translation can never fail to format (or silently drop a number) at the moment
a student needs it.
"""

from __future__ import annotations

import string
from types import MappingProxyType
from typing import Mapping

LANGS = ("en", "ru")


class Messages(Mapping[str, Mapping[str, str]]):
    """Messages by key, each ``{"en": …, "ru": …}`` with the same ``{fields}`` in both."""

    def __init__(self, table: Mapping[str, Mapping[str, str]]) -> None:
        for key, texts in table.items():
            if set(texts) != set(LANGS) or not all(isinstance(texts[lang], str) and texts[lang] for lang in LANGS):
                raise ValueError(f"message {key!r} needs non-empty {' and '.join(LANGS)}")
            fields = {lang: _fields(texts[lang]) for lang in LANGS}
            if len(set(map(frozenset, fields.values()))) != 1:
                raise ValueError(f"message {key!r} uses other fields in each language: {fields}")
        self._table = MappingProxyType({k: MappingProxyType(dict(v)) for k, v in table.items()})

    def __call__(self, key: str, lang: str, *args, **kwargs) -> str:
        """The message ``key`` in ``lang`` (English for an unknown language), its fields filled."""
        texts = self._table[key]
        return texts.get(lang, texts["en"]).format(*args, **kwargs)

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._table[key]

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
