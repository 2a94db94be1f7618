"""Is a web or e-mail domain CVS's own, a look-alike of it, or just unknown?

Hosts are reduced to their registrable domain with the public suffix list (bundled with the
`publicsuffixlist` package, so nothing is downloaded), then compared with the allowlist by
Damerau-Levenshtein distance, by Unicode TR39 confusable skeleton (`bot/data/`), by punycode
and mixed-script labels, and for the subdomain trick (`caremark.com.example.net`).
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from publicsuffixlist import PublicSuffixList
from rapidfuzz.distance import DamerauLevenshtein

from bot.i18n import Phrase, words

OFFICIAL_DOMAINS = ("caremark.com", "cvshealth.com", "cvsspecialty.com", "cvs.com")
CONFUSABLES = Path(__file__).parent.parent / "data" / "unicode-confusables-13.0.0.txt"
MAX_EDITS = 2
"""Look-alike distance for names of five letters or more; shorter names allow one edit."""
_PSL = PublicSuffixList(accept_encoded_idn=False)
"""Hosts reach it with `xn--` labels decoded (`host_of`), so the list needs no encoded
copies of its entries, which would cost a tenth of a second at start-up."""


class Verdict(StrEnum):
    OFFICIAL = "official"
    LOOKALIKE = "lookalike"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class DomainCheck:
    """The verdict on one host, why, and the allowlisted domain it resembles (if any)."""

    verdict: Verdict
    reason: Phrase
    domain: str
    resembles: str | None = None

    @property
    def detail(self) -> str:
        """The reason in English, for the people who maintain the files."""
        return words().say(self.reason, str)


@cache
def _prototypes() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in CONFUSABLES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            source, target = line.split(";")
            table[chr(int(source, 16))] = "".join(chr(int(c, 16)) for c in target.split())
    return table


def skeleton(text: str) -> str:
    """TR39 skeleton: NFD, map every character to its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def host_of(text: str) -> str:
    """The host in a URL, an e-mail address or a bare domain, lower-cased, without a dot at
    the end; `xn--` labels are decoded so look-alikes are judged as people see them."""
    host = text.strip().lower()
    host = host.split("@")[-1]
    host = host.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with contextlib.suppress(UnicodeError, ValueError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


def registrable(host: str) -> str:
    """`caremark.com` from `www.caremark.com`; the host itself when the list has no answer."""
    return _PSL.privatesuffix(host) or host


def judge(text: str, allow: Iterable[str] = OFFICIAL_DOMAINS) -> DomainCheck:
    """Official, look-alike or unknown, with a reason that never links to the target."""
    raw_host = text.strip().lower().split("@")[-1].split("://", 1)[-1].split("/", 1)[0]
    host = host_of(text)
    domain = registrable(host)
    allowed = tuple(dict.fromkeys(a.lower() for a in allow))
    punycode = any(label.startswith("xn--") for label in raw_host.split("."))
    if domain in allowed and not punycode and host.isascii():
        return DomainCheck(Verdict.OFFICIAL, Phrase.of("reason.official_domain"), domain)
    for official in allowed:
        tricked = f".{official}." in f".{host}." or f".{official}-" in f".{host}"
        if tricked and domain != official:
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.subdomain_trick", official=official),
                domain,
                official,
            )
    if punycode or not host.isascii():
        near = _nearest(domain, allowed)
        if near:
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.lookalike_letters", official=near),
                domain,
                near,
            )
        if any(_mixed_script(label) for label in host.split(".")):
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.mixed_script"),
                domain,
            )
        return DomainCheck(Verdict.UNKNOWN, Phrase.of("reason.unknown_domain"), domain)
    label, suffix = _split(domain)
    for official in allowed:
        off_label, off_suffix = _split(official)
        if label == off_label and suffix != off_suffix:
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.other_ending", official=official),
                domain,
                official,
            )
        if skeleton(domain) == skeleton(official):
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.written_like", official=official),
                domain,
                official,
            )
        edits = DamerauLevenshtein.distance(label, off_label)
        if 0 < edits <= (MAX_EDITS if len(off_label) >= 5 else 1):
            letters = Phrase.of("reason.one_letter" if edits == 1 else "reason.two_letters")
            return DomainCheck(
                Verdict.LOOKALIKE,
                Phrase.of("reason.letters_away", count=letters, official=official),
                domain,
                official,
            )
    if _uses_the_brand(label):
        return DomainCheck(Verdict.LOOKALIKE, Phrase.of("reason.brand_in_name"), domain)
    return DomainCheck(Verdict.UNKNOWN, Phrase.of("reason.unknown_domain"), domain)


BRAND_WORDS = ("caremark", "cvshealth", "cvsspecialty")
BAIT_WORDS = (
    "support", "help", "secure", "login", "billing", "rx", "pay", "member", "care", "pharm",
    "health", "benefit", "verify", "account", "refill", "service", "online", "claim",
)  # fmt: skip
"""Words phishing names add to a brand (`cvssupport`, `cvs-rx-billing`)."""


def _uses_the_brand(label: str) -> bool:
    """A name built on CVS's brand (`caremark-support`, `cvs-caremark-help`) that is not one of
    its domains: phishing sites borrow the name because people trust it."""
    parts = label.replace("_", "-").split("-")
    if any(w in label for w in BRAND_WORDS) or any(p == "cvs" for p in parts):
        return True
    return "cvs" in label and any(bait in label for bait in BAIT_WORDS)


def _split(domain: str) -> tuple[str, str]:
    suffix = _PSL.publicsuffix(domain) or domain.rpartition(".")[2]
    return domain.removesuffix("." + suffix), suffix


def _nearest(domain: str, allowed: tuple[str, ...]) -> str | None:
    """The allowlisted domain whose skeleton equals, or nearly equals, this one's (accents
    dropped: `carmàrk` is one letter from `caremark`, not two)."""
    folded = "".join(ch for ch in skeleton(domain) if not unicodedata.combining(ch))
    for official in allowed:
        near = DamerauLevenshtein.distance(_split(folded)[0], _split(skeleton(official))[0])
        if folded == skeleton(official) or near <= MAX_EDITS:
            return official
    return None


def _mixed_script(label: str) -> bool:
    """Letters from more than one alphabet in one label (Latin with Cyrillic, say)."""
    scripts = {unicodedata.name(ch, "UNKNOWN").split()[0] for ch in label if ch.isalpha()}
    return len(scripts) > 1
