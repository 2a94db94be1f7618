"""Spot identifiers people paste into chat, so the bot can warn them and never keep them.

Detected: Social Security numbers (by SSA's rules: no area 000, 666 or 9xx, no group 00, no
serial 0000), member / Rx / group IDs and dates of birth next to the words that introduce them,
and payment card numbers (13-19 digits passing the Luhn check). `redact` blanks them out; the
log filters in `adapters/logs.py` apply it to every record and traceback, as a second line of
defence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.answer.normalize import digit_count


class Kind(StrEnum):
    """The kinds of identifier; each value names its words in the catalogue (`privacy.*`)."""

    SSN = "ssn"
    MEMBER_ID = "member_id"
    BIRTH_DATE = "birth_date"
    CARD = "card"


REDACTED = "[removed]"
_SSN = re.compile(r"(?<![\d-])(\d{3})([-. /]?)(\d{2})\2(\d{4})(?![\d-])")
_SSN_WORDS = re.compile(
    r"\b(ssn|ss#|itin|social(\s+security)?|security\s+(no|number|#)|seguro\s+social)", re.I
)
_ID = re.compile(
    r"\b(member|subscriber|rx|group|grp|policy|id|pcn|bin|miembro|afiliado|socio|p[oó]liza|"
    r"grupo|receta)\s*(id|#|no\.?|number|bin|pcn|group|n[uú]mero|de\s+miembro)?"
    r"\s*(is|es|:|=|#)?\s*(?P<value>[A-Z0-9][A-Z0-9-]*(?: \d[\d-]*){0,4})\b",
    re.I,
)
_BARE_ID = re.compile(r"(?<![\w-])[A-Z]{1,3}\d{8,11}(?![\w-])")
"""A member ID as plans print them (a letter or three, then eight to eleven digits), alone."""
_CARD_WORDS = re.compile(
    r"\b(card|visa|mastercard|amex|debit|credit|tarjeta|cr[eé]dito|d[eé]bito)\b", re.I
)
_INTRODUCERS = re.compile(
    r"\b(my\s+)?(member|subscriber|rx|group|grp|policy|pcn|bin|card|account)\s*"
    r"(id|#|no\.?|number|num)?\s*(is|:|=)?|\b(dob|d\.o\.b\.?|date of birth|birth ?date|"
    r"ssn|ss#|social security( number| no\.?)?|exp(iry|ires|iration)?( date)?)\b\s*(is|:)?|"
    r"\bid\s*(is|es|:|#)|\b(mi\s+)?(n[uú]mero\s+de\s+)?(id\s+de\s+)?(miembro|afiliado|"
    r"seguro\s+social|social|tarjeta|p[oó]liza|grupo|receta)\b\s*(es|:)?|"
    r"\b(fecha\s+de\s+nacimiento|fecha\s+nac\.?|nac[ií]\s+el|nacid[oa]\s+el|vence)\b\s*(es|:)?",
    re.I,
)
"""The words that introduce an identifier; gone with it, they can't steer the answer."""
_DATE = (
    r"(\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})|\d{4}-\d{2}-\d{2}|"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}|"
    r"\d{1,2}\s+de\s+(enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|"
    r"octubre|noviembre|diciembre)\s+(de\s+|del\s+)?\d{4})"
)
_BIRTH = re.compile(
    r"\b(dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|birthday|born(\s+on)?|"
    r"fecha\s+de\s+nacimiento|fecha\s+nac|nacimiento|nac[ií](\s+el)?|nacid[oa](\s+el)?|"
    r"cumplea[nñ]os)\b[^\d\w]{0,12}"
    r"(?P<value>" + _DATE + r")",
    re.I,
)
_CARD = re.compile(r"(?<!\d)(\d[ .-]?){12,18}\d(?!\d)")


@dataclass(frozen=True, slots=True)
class Found:
    kind: Kind
    start: int
    end: int


def _valid_ssn(match: re.Match[str]) -> bool:
    area, group, serial = match.group(1), match.group(3), match.group(4)
    return not (area in ("000", "666") or area.startswith("9") or group == "00" or serial == "0000")


def _luhn(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


MIN_DIGITS = 4
"""Every identifier looked for has at least this many digits; text with fewer is skipped."""


_DROPPED = frozenset("\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_SPACES = frozenset("\u00a0\u1680\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}


def _plain(ch: str) -> str:
    """One character as the patterns expect it: any script's digit as 0-9, any dash as `-`,
    any space as ` `, full-width letters as ASCII; invisible characters become nothing."""
    if ch.isascii():
        return ch
    if ch in _DROPPED:
        return ""
    if ch in _DASHES:
        return "-"
    if ch in _SPACES:
        return " "
    digit = unicodedata.digit(ch, None)
    if digit is not None and unicodedata.category(ch) == "Nd":
        return str(digit)
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


def plain(text: str) -> tuple[str, list[int]]:
    """`text` normalised for detection, and for each of its characters the index in `text`
    it came from, so a span found in one is a span in the other."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in _plain(ch):
            chars.append(out)
            origin.append(i)
    return "".join(chars), origin


def find(text: str) -> list[Found]:
    """Every identifier in `text`, with where it is (indices into `text` as given)."""
    if text.isascii():
        return _find(text)
    normal, origin = plain(text)
    origin.append(len(text))
    return [Found(f.kind, origin[f.start], origin[f.end - 1] + 1) for f in _find(normal)]


def _find(text: str) -> list[Found]:
    found: list[Found] = []
    if digit_count(text) < MIN_DIGITS:
        return found
    for m in _SSN.finditer(text):
        separated = bool(m.group(2))
        named = bool(_SSN_WORDS.search(text))  # "my social is 9…": an ITIN is one too
        if (separated or named) and (_valid_ssn(m) or named):
            found.append(Found(Kind.SSN, m.start(), m.end()))
    named_card = bool(_CARD_WORDS.search(text))
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if 13 <= len(digits) <= 19 and (_luhn(digits) or named_card):
            found.append(Found(Kind.CARD, m.start(), m.end()))
    for m in _BARE_ID.finditer(text):
        if not _inside(found, m.start()):
            found.append(Found(Kind.MEMBER_ID, m.start(), m.end()))
    for m in _BIRTH.finditer(text):
        found.append(Found(Kind.BIRTH_DATE, m.start("value"), m.end("value")))
    for m in _ID.finditer(text):
        value = m.group("value")
        if sum(c.isdigit() for c in value) >= 4 and not _inside(found, m.start("value")):
            found.append(Found(Kind.MEMBER_ID, m.start("value"), m.end("value")))
    return found


def _inside(found: list[Found], at: int) -> bool:
    return any(f.start <= at < f.end for f in found)


def without_identifiers(text: str) -> str:
    """The question left when identifiers and the words that introduce them are taken out:
    what the answer is resolved from, so "member id W…, where's my refill" is about refills."""
    return " ".join(_INTRODUCERS.sub(" ", redact(text, marker=" ")).split())


def kinds(text: str) -> tuple[Kind, ...]:
    """The kinds of identifier in `text`, each once, in a fixed order."""
    present = {f.kind for f in find(text)}
    return tuple(k for k in Kind if k in present)


def redact(text: str, marker: str = REDACTED) -> str:
    """`text` with every identifier replaced by `marker`."""
    spans = sorted(find(text), key=lambda f: f.start)
    out, at = [], 0
    for f in spans:
        if f.start >= at:
            out += [text[at : f.start], marker]
            at = f.end
    return "".join(out) + text[at:]
