"""Phone numbers: parse and normalise, check their type, and spot near-misses of trusted ones."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


def parse(text: str) -> Number | None:
    """The number in `text`, or None if it is not a valid phone number."""
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


def find_numbers(text: str) -> list[Number]:
    """Every valid phone number written in free text."""
    if digit_count(text) < MIN_DIGITS:
        return []
    matches = phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.VALID)
    e164 = phonenumbers.PhoneNumberFormat.E164
    found = (parse(phonenumbers.format_number(m.number, e164)) for m in matches)
    return [n for n in found if n is not None]
