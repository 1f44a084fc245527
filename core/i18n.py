"""One translation mechanism for the engine and the app: a table of messages, each in English
and Russian, called as ``MESSAGES(key, lang, *args, **kwargs)``.

Every table is checked when it is made: each message has both languages, and both use the same
``{fields}``, so a translation can never fail to format (or silently drop a number) at the moment
a student needs it.

A message built from translated parts takes each part as a field given in every language (a
mapping such as another message's :meth:`Messages.each`): each language is filled with its own
part. Russian plural forms pick the key (``ru_plural(n, "one_key", "few_key", "many_key")``, the
English text the same in each). A value that carries a message in both languages until it is
shown (a FormatProblem, a formula's verdict) is made with :meth:`Messages.each`.
"""

from __future__ import annotations

import string
from collections import abc
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
        """The message ``key`` in ``lang`` (English for an unknown language), its fields filled;
        a field given in every language (a mapping) is filled with its text in ``lang``."""
        texts = self._table[key]
        return texts.get(lang, texts["en"]).format(*(_in(lang, a) for a in args),
                                                   **{name: _in(lang, v) for name, v in kwargs.items()})

    def each(self, key: str, *args, **kwargs) -> dict[str, str]:
        """The message ``key`` in every language, ``{"en": …, "ru": …}``, its fields filled."""
        return {lang: self(key, lang, *args, **kwargs) for lang in LANGS}

    def pair(self, key: str, *args, **kwargs) -> tuple[str, str]:
        """The message ``key`` as ``(English, Russian)``, for code that hands the two on together."""
        texts = self.each(key, *args, **kwargs)
        return texts["en"], texts["ru"]

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._table[key]

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _in(lang: str, value):
    """A field's value in ``lang``: its text there when it is given in every language."""
    if isinstance(value, abc.Mapping):  # not typing.Mapping: its isinstance is several times slower
        return value.get(lang, value["en"])
    return value


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
