"""Look-alike domains: a generated corpus is all flagged; the official domains never are."""

from __future__ import annotations

import pytest

from bot.safety.domains import OFFICIAL_DOMAINS, Verdict, judge, skeleton

HOMOGLYPHS = {
    "a": "а",
    "e": "е",
    "o": "о",
    "c": "с",
    "p": "р",
    "m": "rn",
    "l": "1",
    "i": "і",
    "s": "ѕ",
    "h": "һ",
}
NEIGHBOURS = {
    "a": "s",
    "c": "x",
    "e": "r",
    "r": "t",
    "m": "n",
    "k": "l",
    "v": "b",
    "s": "d",
    "h": "j",
    "l": "k",
    "t": "y",
    "p": "o",
    "i": "u",
    "y": "u",
}
OTHER_ENDINGS = ["net", "org", "co", "info", "com.mx", "co.uk"]


def variants(domain: str) -> set[str]:
    """Omission, insertion, transposition, replacement, homoglyph, bit-flip, TLD swap,
    hyphenation and the subdomain trick, applied to one allowlisted domain."""
    label, _, suffix = domain.partition(".")
    names: set[str] = set()
    for i in range(len(label)):
        names.add(label[:i] + label[i + 1 :])  # omission
        names.add(label[:i] + label[i] + label[i:])  # insertion (doubled letter)
        if i + 1 < len(label):
            names.add(label[:i] + label[i + 1] + label[i] + label[i + 2 :])  # transposition
            names.add(label[: i + 1] + "-" + label[i + 1 :])  # hyphenation
        if label[i] in NEIGHBOURS:
            names.add(label[:i] + NEIGHBOURS[label[i]] + label[i + 1 :])  # replacement
        if label[i] in HOMOGLYPHS:
            names.add(label[:i] + HOMOGLYPHS[label[i]] + label[i + 1 :])  # homoglyph
        for bit in range(5):  # bit-flip, keeping a valid host character
            flipped = chr(ord(label[i]) ^ (1 << bit))
            valid = flipped.isdigit() or (flipped.isalpha() and flipped.islower())
            if flipped.isascii() and valid:
                names.add(label[:i] + flipped + label[i + 1 :])
    found = {f"{name}.{suffix}" for name in names if name and name != label}
    found |= {f"{label}.{ending}" for ending in OTHER_ENDINGS}  # TLD swap
    found |= {f"{domain}.example.net", f"www.{domain}.secure-login.info"}  # subdomain trick
    return found


CORPUS = sorted({v for d in OFFICIAL_DOMAINS for v in variants(d)} - set(OFFICIAL_DOMAINS))


def test_corpus_is_large_and_covers_every_family() -> None:
    assert len(CORPUS) >= 100
    assert "carernark.com" in CORPUS and "caremark.com.example.net" in CORPUS
    assert "cvshealth.co.uk" in CORPUS and "care-mark.com" in CORPUS


@pytest.mark.parametrize("domain", CORPUS)
def test_every_lookalike_is_flagged(domain: str) -> None:
    check = judge(domain)
    assert check.verdict is Verdict.LOOKALIKE, (domain, check.reason)
    assert check.resembles is None or check.resembles in OFFICIAL_DOMAINS


@pytest.mark.parametrize(
    "text",
    [
        *OFFICIAL_DOMAINS,
        "www.caremark.com",
        "info.caremark.com",
        "https://www.cvsspecialty.com/faq",
        "help@caremark.com",
        "CVSHealth.com",
        "https://www.cvs.com/help/security?x=1#top",
        "caremark.com.",
        "http://caremark.com:443/path",
    ],
)
def test_official_domains_are_never_flagged(text: str) -> None:
    assert judge(text).verdict is Verdict.OFFICIAL


@pytest.mark.parametrize(
    "text", ["example.org", "python.org", "github.com", "münchen.de", "hr.psu.edu", "www.geha.com"]
)
def test_unrelated_domains_are_unknown(text: str) -> None:
    assert judge(text).verdict is Verdict.UNKNOWN


def test_punycode_and_mixed_scripts() -> None:
    assert judge("xn--caremrk-6fg.com").verdict is Verdict.LOOKALIKE
    assert judge("https://xn--cremark-3sg.com/login").verdict is Verdict.LOOKALIKE
    assert "alphabets" in judge("pаypal.com").detail


def test_seed_email_domain_is_flagged_without_naming_it() -> None:
    check = judge("global.caremark@cvthealth.com")
    assert check.verdict is Verdict.LOOKALIKE and check.resembles == "cvshealth.com"
    assert "cvthealth" not in check.detail


def test_skeleton_follows_tr39() -> None:
    assert skeleton("carernark") == skeleton("caremark")
    assert skeleton("сvs") == skeleton("cvs")  # Cyrillic es
    assert skeleton("paypal") != skeleton("paypa1x")


def test_deployment_can_allow_its_own_domain() -> None:
    assert judge("benefits.acme.example", ["acme.example"]).verdict is Verdict.OFFICIAL
    assert judge("acrne.example", ["acme.example"]).verdict is Verdict.LOOKALIKE
