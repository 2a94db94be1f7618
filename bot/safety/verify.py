""" "Is this number, domain, e-mail or URL legit?" — a verdict with its reason: the one
checker behind `/caremark`, `caremark-bot verify`, Slack's message shortcut and Discord's
context menu.

The verdict never repeats or links the thing asked about (a scam address would become a live
link, and a number might be someone's own); it names the kind of thing ("the second number in
the message") and the trusted contact it resembles instead.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from rapidfuzz.distance import DamerauLevenshtein

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
_FILE = re.compile(
    r"\.(png|jpe?g|gif|webp|heic|pdf|docx?|xlsx?|pptx?|txt|csv|zip|mov|mp4|mp3|wav)$", re.I
)
"""A file's name (`screenshot.png`), not a web address."""
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


_TTY = re.compile(r"\b(tty|tdd|teletype|text ?telephone|deaf|hard of hearing|sordos?)\b", re.I)
SHORTENERS = frozenset(
    (
        "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly",
        "cutt.ly", "shorturl.at", "rb.gy", "tiny.cc", "t.ly", "s.id", "lnkd.in", "bl.ink",
        "short.io", "tr.im", "v.gd", "qrco.de", "linktr.ee",
    )
)  # fmt: skip
"""Link shorteners: where such a link goes cannot be seen without opening it."""
_CLAIMS_CVS = re.compile(r"\b(cvs|caremark|pharmacy benefits?|farmacia|beneficios)\b")
_ASKS_SECRETS = re.compile(
    r"\b(ssn|social security|seguro social|member ?id|member number|id number|"
    r"(card|tarjeta) (number|n[uú]mero)|n[uú]mero de (miembro|tarjeta)|"
    r"(verification|security|one[- ]time|confirmation) code|passcode|pin|c[oó]digo|"
    r"date of birth|fecha de nacimiento)\b"
)
"""Both are matched against lower-cased text (quicker than ignoring case)."""
_DIGIT_RUN = re.compile(r"(?<![\w-])\+?\d(?:[ .()-]{0,2}\d){7,12}(?![\w-])")
"""Something written as a phone number, valid or not."""
MAX_CHECKS = 10
"""A message has at most this many things checked; the rest would bury the verdicts."""


class Verdict(StrEnum):
    OFFICIAL = "official"
    PLAN_VERIFIED = "plan-verified"
    UNKNOWN = "unknown"
    CANT_TELL = "can't tell"
    SCAM = "looks like a scam"


@dataclass(frozen=True, slots=True)
class Check:
    """One thing asked about: what it is (never the thing itself), the verdict and why.
    `kind` is number, email, web, relay or message."""

    what: Phrase
    verdict: Verdict
    reason: Phrase
    resembles: FactRecord | None = None
    kind: str = "number"


def subjects(text: str, whole: bool = False) -> tuple[list[phones.Number], list[str], bool]:
    """Numbers, domain-like strings and the 711 relay code written in `text` (`whole`: look
    for numbers in all of it, not only where a question states them)."""
    numbers = phones.find_numbers(text, whole=whole)
    tokens = (t.strip(_TRIM) for t in _links_apart(text).split() if len(t) <= MAX_TOKEN)
    found = [
        t
        for t in tokens
        if "." in t and not t[:1].isdigit() and _DOMAIN.match(t) and not _FILE.search(t)
    ]
    return numbers, list(dict.fromkeys(found)), bool(_RELAY.search(text))


def _links_apart(text: str) -> str:
    """Slack writes a link as `<https://target|the text shown>`: both are checked (a link
    whose text says caremark.com can lead anywhere)."""
    return text.replace("|", " ") if "<" in text else text


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
    message: bool = False,
) -> list[Check]:
    """Verdicts on every number and address in a message that asks about them; else [].
    `asked` says the whole text is to be checked (`caremark-bot verify 711`); `message`, that
    it is someone's message checked from a menu (numbers are looked for in all of it, and a
    message fishing for identifiers is called out even with no contact in it)."""
    numbers, names, relay = subjects(text, whole=message)
    secrets = asks_for_secrets(text)
    menu = asked or message  # everything is to be checked: no need to ask if it is asking
    fishing = not menu and secrets and bool(_DOUBT.search(text) or _CONTACTED.search(text))
    if not (menu or fishing or _asking(text, numbers, names, relay)):
        return []
    trusted = _trusted(kb, findings)
    tty = bool(numbers) and bool(_TTY.search(text))
    checks = [_number(n, kb, findings, trusted, tty) for n in numbers]
    checks += [c for run in _undialable(text, numbers) if (c := _near_miss(run, trusted))]
    hosts: set[str] = set()
    for name in names:
        host = domains.registrable(domains.host_of(name))
        if host not in hosts:
            hosts.add(host)
            checks.append(_domain(name, kb))
    if relay:
        what = Phrase.of("verify.what_relay")
        checks.append(Check(what, Verdict.OFFICIAL, _RELAY_REASON, kind="relay"))
    if secrets and (menu or fishing):
        checks.append(FISHING)
    return _named(checks[:MAX_CHECKS], message)


FISHING = Check(
    Phrase.of("verify.what_message"),
    Verdict.SCAM,
    Phrase.of("reason.asks_for_secrets"),
    kind="message",
)
"""The verdict on a message fishing for identifiers."""


def asks_for_secrets(text: str) -> bool:
    """Claims to be CVS or Caremark, and asks for an SSN, a member ID, a card number or a
    code: the shape of a benefits scam, whatever contact it gives (or none)."""
    low = text.lower()
    if not any(w in low for w in _CLAIM_HINTS) or not any(w in low for w in _SECRET_HINTS):
        return False  # most messages: two quick scans, no regular expression
    return bool(_CLAIMS_CVS.search(low) and _ASKS_SECRETS.search(low))


_CLAIM_HINTS = ("cvs", "caremark", "pharmacy", "farmacia", "beneficio")
_SECRET_HINTS = (
    "ssn", "social", "seguro", "member", "miembro", "card", "tarjeta", "code", "código",
    "codigo", "pin", "birth", "nacimiento", "id number",
)  # fmt: skip


_GENDER = {"number": "m", "web": "m", "email": "f"}


def _named(checks: list[Check], message: bool) -> list[Check]:
    """Each check named by its kind: "the number in the message", "the second link in the
    message"; a single thing someone asked about keeps "the number you asked about"."""
    total = {kind: sum(c.kind == kind for c in checks) for kind in _GENDER}
    seen = dict.fromkeys(_GENDER, 0)
    named = []
    for check in checks:
        if check.kind not in _GENDER or not (message or total[check.kind] > 1):
            named.append(check)
            continue
        seen[check.kind] += 1
        if total[check.kind] == 1:
            what = Phrase.of(f"verify.in_{check.kind}")
        else:
            nth = Phrase.of(f"ordinal.{_GENDER[check.kind]}.{seen[check.kind]}")
            what = Phrase.of(f"verify.in_{check.kind}_nth", nth=nth)
        named.append(replace(check, what=what))
    return named


def _trusted(
    kb: Knowledge, findings: Mapping[str, tuple[Finding, ...]]
) -> list[tuple[phones.Number, FactRecord]]:
    """The official and plan-verified phone numbers, parsed."""
    found = []
    for record in _records(kb):
        if record.slot.kind not in PHONE_KINDS or trust_of(record, kb) not in TRUSTED:
            continue
        number = phones.parse(getattr(record.fact, "value", ""))
        if number and not _withheld(record, findings):
            found.append((number, record))
    return found


def _undialable(text: str, valid: list[phones.Number]) -> list[str]:
    """The digits of what is written like a phone number but is not a valid one."""
    dialable = {n.national for n in valid}
    runs = []
    matches = _DIGIT_RUN.finditer(text[: phones.MESSAGE_CHARS])
    for match in itertools.islice(matches, phones.MAX_TRIES):  # bounded, as phonenumbers is
        digits = re.sub(r"\D", "", match.group())
        if phones.parse(match.group()) is None and digits not in dialable:
            runs.append(digits)
    return list(dict.fromkeys(runs))[: phones.MAX_NUMBERS]


def _near_miss(digits: str, trusted: list[tuple[phones.Number, FactRecord]]) -> Check | None:
    """A number that can't be dialled as written, a digit or two from a trusted one."""
    best = None
    written = {digits, digits[1:]} if digits.startswith("1") else {digits}  # a leading 1
    for number, record in trusted:
        edits = min(DamerauLevenshtein.distance(w, number.national) for w in written)
        if 0 < edits <= phones.NEAR_MISS_EDITS and (best is None or edits < best[0]):
            best = (edits, record)
    if best is None:
        return None
    count = Phrase.of(_DIGITS[best[0]])
    reason = Phrase.of("reason.undialable_near", count=count, label=Label(best[1].slot.id))
    return Check(Phrase.of("verify.what_number"), Verdict.SCAM, reason, best[1])


def _records(kb: Knowledge) -> Iterator[FactRecord]:
    for records in kb.facts.values():
        yield from records


def _number(
    number: phones.Number,
    kb: Knowledge,
    findings: Mapping[str, tuple[Finding, ...]],
    trusted: list[tuple[phones.Number, FactRecord]],
    tty: bool = False,
) -> Check:
    """A number equal to a trusted one is that line, whatever else is near it: an official
    number is never called a scam because a plan's number is close to it. An unknown number
    given as a TTY line points to the 711 relay."""
    checked = _judged_number(number, kb, findings, trusted)
    if tty and checked.verdict in (Verdict.UNKNOWN, Verdict.SCAM):
        relay = next((r for _, r in trusted if r.slot.kind == "tty"), checked.resembles)
        return replace(checked, reason=Phrase.of("reason.fake_tty"), resembles=relay)
    return checked


def _judged_number(
    number: phones.Number,
    kb: Knowledge,
    findings: Mapping[str, tuple[Finding, ...]],
    trusted: list[tuple[phones.Number, FactRecord]],
) -> Check:
    what = Phrase.of("verify.what_number")
    known = [
        (r, phones.parse(getattr(r.fact, "value", "")))
        for r in _records(kb)
        if r.slot.kind in PHONE_KINDS
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
    kind = "email" if "@" in name and "://" not in name else "web"
    what = Phrase.of(f"verify.what_{kind}")
    own = (*kb.settings.allowed_domains, *(kb.plan.allowed_domains if kb.plan else ()))
    check = domains.judge(name, (*domains.OFFICIAL_DOMAINS, *own))
    if check.verdict is domains.Verdict.OFFICIAL:
        if check.domain in domains.OFFICIAL_DOMAINS:
            return Check(what, Verdict.OFFICIAL, check.reason, kind=kind)
        return Check(what, Verdict.PLAN_VERIFIED, Phrase.of("reason.plan_domain"), kind=kind)
    if check.verdict is domains.Verdict.LOOKALIKE:
        return Check(what, Verdict.SCAM, check.reason, kind=kind)
    if check.domain in SHORTENERS:
        return Check(what, Verdict.CANT_TELL, Phrase.of("reason.shortened"), kind=kind)
    return Check(what, Verdict.UNKNOWN, check.reason, kind=kind)
