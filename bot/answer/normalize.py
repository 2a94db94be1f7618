"""Make untrusted chat text safe and comparable: bounded, printable, NFKC, casefolded."""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT_CHARS = 2_000
"""Only this much of a message is looked at, whatever its length."""
MAX_QUERY_CHARS = 500
"""A cleaned query is cut to this length: no topic needs more words than that."""

# control, format (bidi overrides, zero-width), surrogate, private-use and unassigned characters
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
_COMMAND = re.compile(r"^/caremark\b", re.IGNORECASE)
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
_NON_DIGITS = re.compile(r"\D+")


def clean(text: str) -> str:
    """Printable NFKC text with single spaces, without a leading `/caremark`, length-capped."""
    text = text[:MAX_INPUT_CHARS]
    if not text.isprintable():  # control, format or unassigned characters, odd spaces
        text = "".join(
            " " if ch.isspace() else ch
            for ch in text
            if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
        )
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _COMMAND.sub("", " ".join(text.split()))
    return text.strip()[:MAX_QUERY_CHARS]


def matchable(text: str) -> str:
    """Casefolded words without accents (`número` is `numero`, as people type it on a phone),
    separated by single spaces: the form every alias is compared in."""
    folded = _APOSTROPHES.sub("", clean(text).casefold())
    if not folded.isascii():
        folded = "".join(
            ch for ch in unicodedata.normalize("NFD", folded) if not unicodedata.combining(ch)
        )
    return " ".join(_NON_WORD.sub(" ", folded).split())


def stem(word: str) -> str:
    """Fold English plurals so `packages` finds `package` (`address` and `status` stay)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def digit_count(text: str) -> int:
    """How many digits `text` has, counted in C (a Python loop costs 10x more)."""
    return len(_NON_DIGITS.sub("", text))
