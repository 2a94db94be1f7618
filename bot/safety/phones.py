"""Phone numbers: parse and normalise, check their type, and spot near-misses of trusted ones."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from rapidfuzz.distance import DamerauLevenshtein

from bot.answer.normalize import digit_count

REGION = "US"
RELAY = "711"
NEAR_MISS_EDITS = 2
_FICTIONAL = re.compile(r"^\d{3}55501\d\d$")
"""555-0100 to 555-0199 in any area code: reserved for fiction, never a real line."""


@dataclass(frozen=True, slots=True)
class Number:
    """A parsed number: E.164 for comparing, national digits for counting edits."""

    e164: str
    national: str
    toll_free: bool


@lru_cache(maxsize=4096)
def parse(text: str) -> Number | None:
    """The number in `text`, or None if it is not a valid phone number (cached: the same
    knowledge-base values are parsed for every question that asks about a number)."""
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    toll_free = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE
    return Number(e164, str(number.national_number), toll_free)


def is_fictional(number: Number) -> bool:
    return bool(_FICTIONAL.match(number.national))


def digit_edits(a: Number, b: Number) -> int:
    """Digits changed, added, dropped or swapped with a neighbour (a swap counts as one)."""
    return int(DamerauLevenshtein.distance(a.national, b.national))


def nearest(number: Number, trusted: Iterable[Number]) -> tuple[Number, int] | None:
    """The trusted number this one is within two digit edits of, without being equal to it."""
    best: tuple[Number, int] | None = None
    for other in trusted:
        edits = digit_edits(number, other)
        if 0 < edits <= NEAR_MISS_EDITS and (best is None or edits < best[1]):
            best = (other, edits)
    return best


MIN_DIGITS = 7
"""No phone number has fewer digits, so text with fewer is not searched at all."""
MAX_NUMBERS = 5
"""A question asks about a few numbers at most; past this many the scan stops, so a message
of pasted numbers costs no more than a short one."""
MAX_TRIES = 40
"""Candidate spans phonenumbers may examine per message (its default is 65,535)."""
SCAN_CHARS = 600
"""Numbers are looked for in a message's first 600 characters, where a question about one
states it; identifiers (`bot/safety/pii.py`) are still looked for everywhere."""


MESSAGE_CHARS = 4000
"""A message checked from a menu is searched this far: a scam's number is often at the end."""


def find_numbers(text: str, whole: bool = False) -> list[Number]:
    """The valid phone numbers written in free text, each once, the first `MAX_NUMBERS`
    (`whole`: in the first `MESSAGE_CHARS`, else the first `SCAN_CHARS`)."""
    if digit_count(text) < MIN_DIGITS:
        return []
    scanned = text[: MESSAGE_CHARS if whole else SCAN_CHARS]
    matches = phonenumbers.PhoneNumberMatcher(
        scanned, REGION, leniency=phonenumbers.Leniency.VALID, max_tries=MAX_TRIES
    )
    e164 = phonenumbers.PhoneNumberFormat.E164
    found: dict[str, Number] = {}
    for match in itertools.islice(matches, MAX_NUMBERS):  # repeats count towards the cap
        number = parse(phonenumbers.format_number(match.number, e164))
        if number is not None:
            found.setdefault(number.e164, number)
    return list(found.values())[:MAX_NUMBERS]
