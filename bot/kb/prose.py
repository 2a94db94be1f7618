"""What prose may hold: words, never a phone number, e-mail address or URL (those are facts,
where the trust policy applies), in English and in every translation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

import phonenumbers

from bot.kb.knowledge import Located
from bot.kb.yamlsource import Path_, Problem
from bot.safety.phones import REGION

STATEMENT_KINDS = frozenset({"delivery-time", "claim", "menu-option"})
"""Slots whose values are sentences: translated, unlike numbers and addresses."""
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
URL_IN_TEXT = re.compile(r"https?://", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def prose_problems(at: Located[object], texts: Iterable[tuple[Path_, str]]) -> Iterator[Problem]:
    for under, text in texts:
        if any(phonenumbers.PhoneNumberMatcher(text, REGION)):
            yield at.problem("prose may not contain a phone number: put it in a fact", under=under)
        if EMAIL_IN_TEXT.search(text) or URL_IN_TEXT.search(text):
            yield at.problem(
                "prose may not contain an e-mail or URL: put it in a fact", under=under
            )


def numbers_in(text: str) -> list[str]:
    """The digit runs in a text, in order: a translated statement must keep exactly these."""
    return _DIGITS.findall(text)
