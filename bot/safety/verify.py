""" "Is this number, domain, e-mail or URL legit?" — a verdict with its reason.

The verdict never repeats or links the thing asked about (a scam address would become a live
link, and a number might be someone's own); it names the trusted contact it resembles instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.i18n import Label, Phrase
from bot.kb.knowledge import FactRecord, Knowledge
from bot.kb.model import PHONE_KINDS
from bot.reply import Trust
from bot.safety import domains, phones
from bot.safety.trust import RANK, Finding, trust_of

_DOMAIN = re.compile(
    r"^(?:https?://)?(?:[\w.+-]+@)?(?:[\w-]+\.)+[^\W\d_][\w-]{1,62}\.?(?::\d+)?(?:/\S*)?$",
    re.IGNORECASE,
)
"""Matched against one whitespace-free token at a time, never against a whole message."""
MAX_TOKEN = 300
_TRIM = "\"'()[]{}<>,;!?*"
_RELAY = re.compile(r"(?<![\d-])711(?![\d-])")
_NUMBERISH = re.compile(r"[+(]?\d[\d ().-]{5,}\d")
_DOUBT = re.compile(
    r"\b(legit\w*|real(ly)?|scam\w*|fraud\w*|fake|phish\w*|verify|safe|trust\w*|genuine|"
    r"suspicious|sus|sketchy|shady|bogus|spam\w*|official|authentic|valid|correct|right|"
    r"actually (them|cvs|caremark)|is (this|that|it) (them|cvs|caremark|you guys|right)|"
    r"leg[ií]tim[oa]|de verdad|verdader[oa]|estafa\w*|fraude|falso|falsa|enga[nñ]o|oficial|"
    r"es seguro|confiable|correcto|correcta|son ellos|es de (cvs|caremark)|sospechos[oa]|"
    r"verdad|cierto|(es|son) cosa de (cvs|caremark))\b",
    re.IGNORECASE,
)
"""Words that ask whether a contact is genuine."""
_CONTACTED = re.compile(
    r"\b(called me|calling me|call(ed|s)? from|texts? from|texted( me)?|text message|"
    r"e-?mails? from|e-?mailed( me)?|messages? from|voice ?mail|left (me )?a message|"
    r"got an? (call|text|e-?mail|message|letter)|received an? (call|text|e-?mail|message)|"
    r"keeps? calling|someone called|me llam(a|o|ó|aron|an)|me escribi(o|ó|eron)|"
    r"me marc(a|o|ó|aron|an)|me habl(a|o|ó|aron|an)|(dicen|dice|dijo|dijeron) que (llame|marque)|"
    r"me mand(o|ó|aron) (un )?(mensaje|texto|correo|email)|me lleg(o|ó) (un )?(mensaje|texto|"
    r"correo|email|carta)|mensaje de|correo de|llamada de|me dejaron (un )?mensaje)\b",
    re.IGNORECASE,
)
"""Words that say a contact reached the person: the moment a scam check matters most."""
_ASKS_ABOUT = re.compile(r"^\W*(is|are|was|check|es|son|este|esta|revisa)\b", re.IGNORECASE)
FEW_WORDS = 2
"""A message that is a contact and at most this many other words is asking about it."""
_DIGITS = {1: "reason.one_digit", 2: "reason.two_digits"}
_RELAY_REASON = Phrase.of("reason.relay")
TRUSTED = (Trust.OFFICIAL, Trust.PLAN_VERIFIED)


class Verdict(StrEnum):
    OFFICIAL = "official"
    PLAN_VERIFIED = "plan-verified"
    UNKNOWN = "unknown"
    SCAM = "looks like a scam"


@dataclass(frozen=True, slots=True)
class Check:
    """One thing asked about: what it is (never the thing itself), the verdict and why."""

    what: Phrase
    verdict: Verdict
    reason: Phrase
    resembles: FactRecord | None = None


def subjects(text: str) -> tuple[list[phones.Number], list[str], bool]:
    """Numbers, domain-like strings and the 711 relay code written in `text`."""
    numbers = phones.find_numbers(text)
    tokens = (t.strip(_TRIM) for t in text.split() if len(t) <= MAX_TOKEN)
    found = [t for t in tokens if "." in t and not t[:1].isdigit() and _DOMAIN.match(t)]
    return numbers, found, bool(_RELAY.search(text))


def asks_to_verify(text: str) -> bool:
    """A number or address, and either words asking if it is genuine, or little else."""
    return _asking(text, *subjects(text))


def _asking(text: str, numbers: list[phones.Number], names: list[str], relay: bool) -> bool:
    """Only a message about a contact is a scam check: one asking whether it is genuine, one
    saying it called or wrote, one starting "is …" with little else, or the contact alone.
    A long message that merely mentions caremark.com is a question about something else."""
    if not (numbers or names):
        return relay and bool(_DOUBT.search(text))  # "tty 711" is a topic, not a question
    rest = [t for t in _NUMBERISH.sub(" ", text).split() if t.strip(_TRIM) not in names]
    if _DOUBT.search(text) or _CONTACTED.search(text):
        return True
    return len(rest) <= FEW_WORDS or (bool(_ASKS_ABOUT.match(text)) and len(rest) <= 2 * FEW_WORDS)


def verify(
    text: str,
    kb: Knowledge,
    findings: Mapping[str, tuple[Finding, ...]],
    *,
    asked: bool = False,
) -> list[Check]:
    """Verdicts on every number and address in a message that asks about them; else [].
    `asked` says the whole text is to be checked (`caremark-bot verify 711`)."""
    numbers, names, relay = subjects(text)
    if not (asked or _asking(text, numbers, names, relay)):
        return []
    checks = [_number(n, kb, findings) for n in numbers]
    checks += [_domain(name, kb) for name in names]
    if relay:
        checks.append(Check(Phrase.of("verify.what_relay"), Verdict.OFFICIAL, _RELAY_REASON))
    return checks


def _records(kb: Knowledge) -> Iterator[FactRecord]:
    for records in kb.facts.values():
        yield from records


def _number(
    number: phones.Number, kb: Knowledge, findings: Mapping[str, tuple[Finding, ...]]
) -> Check:
    """A number equal to a trusted one is that line, whatever else is near it: an official
    number is never called a scam because a plan's number is close to it."""
    what = Phrase.of("verify.what_number")
    known = [
        (r, phones.parse(getattr(r.fact, "value", "")))
        for r in _records(kb)
        if r.slot.kind in PHONE_KINDS
    ]
    trusted = [
        (n, r) for r, n in known if n and trust_of(r, kb) in TRUSTED and not _withheld(r, findings)
    ]
    same = [r for r, n in known if n and n.e164 == number.e164]
    same.sort(key=lambda r: RANK[trust_of(r, kb)])
    for record in same:
        trust = trust_of(record, kb)
        label = Label(record.slot.id)
        if trust is Trust.PLAN_VERIFIED and not _withheld(record, findings):
            reason = Phrase.of("reason.plan_number", label=label)
            return Check(what, Verdict.PLAN_VERIFIED, reason, record)
        if trust is Trust.OFFICIAL:
            reason = Phrase.of("reason.official_number", label=label)
            return Check(what, Verdict.OFFICIAL, reason, record)
        if not _withheld(record, findings):
            return Check(what, Verdict.UNKNOWN, Phrase.of("reason.circulates", label=label), record)
    if phones.is_fictional(number):
        return Check(what, Verdict.SCAM, Phrase.of("reason.fiction"))
    near = phones.nearest(number, (n for n, _ in trusted))
    if near:
        record = next(r for n, r in trusted if n == near[0])
        count = Phrase.of(_DIGITS[near[1]])
        reason = Phrase.of("reason.near", count=count, label=Label(record.slot.id))
        return Check(what, Verdict.SCAM, reason, record)
    for record in same:  # withheld for another reason: a trusted source contradicts it
        twin = next(
            (
                r
                for r in kb.facts.get(record.slot.id, ())
                if trust_of(r, kb) in TRUSTED and not _withheld(r, findings)
            ),
            None,
        )
        reason = Phrase.of("reason.not_the_number", label=Label(record.slot.id))
        return Check(what, Verdict.UNKNOWN, reason, twin)
    return Check(what, Verdict.UNKNOWN, Phrase.of("reason.unknown_number"))


def _withheld(record: FactRecord, findings: Mapping[str, tuple[Finding, ...]]) -> bool:
    return any(f.withhold for f in findings.get(record.id, ()))


def _domain(name: str, kb: Knowledge) -> Check:
    what = Phrase.of("verify.what_email" if "@" in name else "verify.what_web")
    own = (*kb.settings.allowed_domains, *(kb.plan.allowed_domains if kb.plan else ()))
    check = domains.judge(name, (*domains.OFFICIAL_DOMAINS, *own))
    if check.verdict is domains.Verdict.OFFICIAL:
        if check.domain in domains.OFFICIAL_DOMAINS:
            return Check(what, Verdict.OFFICIAL, check.reason)
        return Check(what, Verdict.PLAN_VERIFIED, Phrase.of("reason.plan_domain"))
    if check.verdict is domains.Verdict.LOOKALIKE:
        return Check(what, Verdict.SCAM, check.reason)
    return Check(what, Verdict.UNKNOWN, check.reason)
