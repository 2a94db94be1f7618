"""The words the bot says, one catalogue per language (`bot/i18n/<language>.yaml`).

Code never holds a user-facing sentence: it names a key (`words("en")("verify.title")`), or
builds a `Phrase` (a key and its parameters) that is put into words only when an answer is
built, in the asker's language. Slot labels inside phrases are `Label`s, so they are looked up
in that language too.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent
DEFAULT = "en"
LANGUAGES: tuple[str, ...] = ("en", "es")


@dataclass(frozen=True, slots=True)
class Label:
    """A slot's label, in the language of the answer it appears in."""

    slot: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A catalogue key and the values to fill in, put into words at answer time."""

    key: str
    params: tuple[tuple[str, Value], ...] = ()

    @classmethod
    def of(cls, key: str, **params: Value) -> Phrase:
        return cls(key, tuple(sorted(params.items())))


Value = str | int | Phrase | Label


class Words:
    """One language's catalogue."""

    def __init__(self, language: str, entries: Mapping[str, str | tuple[str, ...]]) -> None:
        self.language = language
        self._entries = entries

    def __call__(self, key: str, **params: object) -> str:
        entry = self._entries[key]
        if not isinstance(entry, str):
            raise KeyError(f"{key} is a list")
        return entry.format(**params) if params else entry

    def items(self, key: str) -> tuple[str, ...]:
        entry = self._entries[key]
        if isinstance(entry, str):
            raise KeyError(f"{key} is not a list")
        return entry

    def say(self, phrase: Phrase, label: Callable[[str], str]) -> str:
        """A phrase in words; nested phrases first, labels through `label(slot id)`."""
        values: dict[str, object] = {}
        for name, value in phrase.params:
            if isinstance(value, Phrase):
                values[name] = self.say(value, label)
            elif isinstance(value, Label):
                values[name] = label(value.slot)
            else:
                values[name] = value
        return self(phrase.key, **values)

    def keys(self) -> frozenset[str]:
        return frozenset(self._entries)

    def fields(self, key: str) -> frozenset[str]:
        """The `{names}` an entry fills in (empty for lists)."""
        entry = self._entries[key]
        texts = [entry] if isinstance(entry, str) else list(entry)
        return frozenset(
            name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name
        )


@cache
def words(language: str = DEFAULT) -> Words:
    """The catalogue for `language`, read once; the default language for an unknown one."""
    if language not in LANGUAGES:
        language = DEFAULT
    with (FOLDER / f"{language}.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Words(language, dict(_flatten(data)))


def _flatten(node: Any, prefix: str = "") -> list[tuple[str, str | tuple[str, ...]]]:
    if isinstance(node, dict):
        return [pair for key, value in node.items() for pair in _flatten(value, f"{prefix}{key}.")]
    if isinstance(node, list):
        return [(prefix[:-1], tuple(str(item) for item in node))]
    return [(prefix[:-1], str(node))]
