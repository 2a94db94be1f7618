"""Generated look-alikes of trusted domains and numbers, the way scammers make them: typos
(letters dropped, doubled, swapped, replaced by a key next to them), homoglyphs (Cyrillic
and Greek letters, `rn` for `m`, digits for letters), punycode, accented letters, subdomain
tricks, the brand in another name, other endings; and numbers a digit or two off, written
every way people write them. Deterministic: the same list every run."""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

HOMOGLYPHS = {
    "a": ["а", "ɑ", "à", "á", "ä"],  # Cyrillic, Latin alpha, accented
    "c": ["с", "ϲ", "ç"],
    "e": ["е", "é", "è", "ë"],
    "i": ["і", "í", "1", "l"],
    "k": ["κ", "ķ"],
    "m": ["rn", "ṃ"],
    "o": ["о", "ο", "0", "ó"],
    "p": ["р", "ρ"],
    "r": ["г", "ŕ"],
    "s": ["ѕ", "ś", "5"],
    "v": ["ν", "ѵ"],
    "y": ["у", "ý"],
    "h": ["һ"],
    "l": ["1", "ӏ", "I"],
    "t": ["ţ"],
}
KEYS_NEAR = {
    "a": "qsz", "c": "xvd", "e": "wrd", "i": "uok", "k": "jl", "m": "n", "o": "ip", "p": "o",
    "r": "et", "s": "adz", "v": "cb", "h": "gj", "l": "k", "t": "ry", "y": "tu",
}  # fmt: skip
ENDINGS = ["net", "org", "co", "info", "us", "help", "support", "online", "site", "io", "biz"]
BRAND_WORDS = ["support", "help", "secure", "login", "billing", "rx", "pay", "member", "care"]
HOSTS = ["example.net", "secure-login.info", "verify-now.co", "rx-help.org"]


def typos(label: str) -> Iterator[str]:
    for n in range(len(label)):
        yield label[:n] + label[n + 1 :]  # dropped
        yield label[:n] + label[n] + label[n:]  # doubled
        if n + 1 < len(label):
            yield label[:n] + label[n + 1] + label[n] + label[n + 2 :]  # swapped
        for key in KEYS_NEAR.get(label[n], ""):
            yield label[:n] + key + label[n + 1 :]  # the key next to it
    for n in range(len(label) + 1):
        for extra in "aeiosx":
            yield label[:n] + extra + label[n:]  # a letter added


def two_typos(label: str, rng: random.Random, count: int) -> Iterator[str]:
    one = list(typos(label))
    for _ in range(count):
        yield rng.choice(list(typos(rng.choice(one))))


def homoglyphs(label: str) -> Iterator[str]:
    for n, ch in enumerate(label):
        for glyph in HOMOGLYPHS.get(ch, []):
            yield label[:n] + glyph + label[n + 1 :]


def punycode(host: str) -> str:
    return ".".join(
        "xn--" + part.encode("punycode").decode("ascii") if not part.isascii() else part
        for part in host.split(".")
    )


def domain_variants(domain: str, count: int = 520, seed: int = 7) -> list[str]:
    """At least `count` look-alikes of `domain`, none of them `domain` itself."""
    rng = random.Random(f"{seed}:{domain}")
    label, _, ending = domain.partition(".")
    found: dict[str, None] = {}

    def add(value: str) -> None:
        if value.lower() != domain and value:
            found[value] = None

    for typo in typos(label):
        add(f"{typo}.{ending}")
    for glyph in homoglyphs(label):
        add(f"{glyph}.{ending}")
        if not glyph.isascii():
            add(punycode(f"{glyph}.{ending}"))
    for n in range(len(label)):  # a letter missing and another accented, in punycode
        shorter = label[:n] + label[n + 1 :]
        for glyph in homoglyphs(shorter):
            if not glyph.isascii():
                add(punycode(f"{glyph}.{ending}"))
    for other in ENDINGS:
        add(f"{label}.{other}")
        add(f"{label}-{rng.choice(BRAND_WORDS)}.{other}")
    for word in BRAND_WORDS:
        add(f"{label}-{word}.com")
        add(f"{word}-{label}.com")
        add(f"{label}{word}.net")
        add(f"cvs-{label}-{word}.net")
    for host in HOSTS:
        add(f"{domain}.{host}")
        add(f"{label}.{ending}-{host}")
        add(f"www.{domain}.{host}")
    if len(label) >= 5:
        for typo in two_typos(label, rng, 200):
            add(f"{typo}.{ending}")
    shapes = list(found)
    while len(found) < count:  # written as people meet them: links, addresses, subdomains
        base = rng.choice(shapes)
        shape = rng.choice(["https://{}/login", "http://{}", "help@{}", "www.{}", "{}/rx"])
        add(shape.format(base))
    return list(found)


def number_variants(national: str, count: int = 520, seed: int = 11) -> list[str]:
    """At least `count` numbers a digit or two off `national` (ten digits), written the ways
    people write them; some cannot be dialled as written."""
    rng = random.Random(f"{seed}:{national}")
    found: dict[str, None] = {}
    near: list[str] = []
    for n in range(len(national)):
        for digit in string.digits:
            if digit != national[n]:
                near.append(national[:n] + digit + national[n + 1 :])
        if n + 1 < len(national) and national[n] != national[n + 1]:
            near.append(national[:n] + national[n + 1] + national[n] + national[n + 2 :])
        near.append(national[:n] + national[n + 1 :])  # a digit dropped: can't be dialled
    singles = list(near)
    for _ in range(900):  # a second digit changed
        first = rng.choice(singles)
        n = rng.randrange(len(first))
        near.append(first[:n] + rng.choice(string.digits) + first[n + 1 :])
    for digits in dict.fromkeys(near):
        if digits == national:
            continue
        shape = rng.choice(["{a}-{b}-{c}", "1-{a}-{b}-{c}", "({a}) {b}-{c}", "+1 {a} {b} {c}"])
        a, b, c = digits[:3], digits[3:6], digits[6:]
        found[shape.format(a=a, b=b, c=c)] = None
        if len(found) >= count:
            break
    return list(found)
