"""The knowledge audit: find what FACTS.md found by hand, on every load and every edit.

Each rule looks at every fact and returns findings. `withheld` findings keep a fact from ever
being shown; `caution` findings are shown beside it; `error` findings mean a trusted fact (official
or plan-verified) looks wrong and the knowledge base must be fixed; `info` is for the report only.
Notes are written for employees and never repeat the value they are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot import domains, phones
from bot.knowledge import FactRecord, Knowledge
from bot.model import PHONE_KINDS, HoursFact, ValueFact
from bot.reply import Trust
from bot.trust import RANK, Finding, Severity, best_source, trust_of

TRUSTED = frozenset({Trust.OFFICIAL, Trust.PLAN_VERIFIED})
_WORDS = {1: "one digit", 2: "two digits"}


@dataclass(frozen=True, slots=True)
class Context:
    """What rules compare against: the whole knowledge base and today's date."""

    kb: Knowledge
    today: dt.date
    allowed_domains: tuple[str, ...]
    trusted_numbers: tuple[tuple[phones.Number, FactRecord], ...]


Rule = Callable[[FactRecord, Context], Iterator[Finding]]


def audit(kb: Knowledge, today: dt.date | None = None) -> dict[str, tuple[Finding, ...]]:
    """Findings for every fact id that has any."""
    ctx = Context(
        kb=kb,
        today=today or dt.date.today(),
        allowed_domains=(
            *domains.OFFICIAL_DOMAINS,
            *kb.settings.allowed_domains,
            *(kb.plan.allowed_domains if kb.plan else ()),
        ),
        trusted_numbers=tuple(_trusted_numbers(kb)),
    )
    found: dict[str, tuple[Finding, ...]] = {}
    for records in kb.facts.values():
        for record in records:
            findings = tuple(f for rule in RULES for f in rule(record, ctx))
            if findings:
                found[record.id] = findings
    return found


def _trusted_numbers(kb: Knowledge) -> Iterator[tuple[phones.Number, FactRecord]]:
    for records in kb.facts.values():
        for record in records:
            value = getattr(record.fact, "value", "")
            number = phones.parse(value) if record.slot.kind in PHONE_KINDS else None
            if number and trust_of(record, kb) in TRUSTED:
                yield number, record


def _finding(
    rule: str,
    record: FactRecord,
    ctx: Context,
    severity: Severity,
    note: str,
    detail: str,
    evidence: Iterable[str] = (),
    *,
    escalate: bool = True,
) -> Finding:
    """A problem with a fact the deployment trusts (official or plan-verified) is an error
    to fix, not something to hide quietly; `escalate=False` keeps a mere reminder a caution."""
    if escalate and severity is not Severity.INFO and trust_of(record, ctx.kb) in TRUSTED:
        severity = Severity.ERROR
    return Finding(rule, severity, note, detail, tuple(evidence))


def lookalike_domains(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    if record.slot.kind not in ("email", "url") or not isinstance(record.fact, ValueFact):
        return
    check = domains.judge(record.fact.value, ctx.allowed_domains)
    label = record.slot.label
    if check.verdict is domains.Verdict.LOOKALIKE:
        note = (
            f"We don't show the article's address for {label}: {check.reason}, a look-alike "
            "that no legitimate source uses. Real Caremark addresses end in caremark.com."
        )
        yield _finding(
            "lookalike-domain",
            record,
            ctx,
            Severity.WITHHELD,
            note,
            f"{check.domain}: {check.reason}",
        )
    elif check.verdict is domains.Verdict.UNKNOWN:
        note = f"This address is not on a domain we know to be CVS's ({check.domain})."
        yield _finding(
            "unknown-domain",
            record,
            ctx,
            Severity.CAUTION,
            note,
            f"{check.domain} is not allowlisted",
        )


def phone_numbers(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    slot = record.slot
    if slot.kind not in PHONE_KINDS or not isinstance(record.fact, ValueFact):
        return
    value = record.fact.value
    if slot.kind == "tty" and value == phones.RELAY:
        return
    number = phones.parse(value)
    if number is None:
        return  # reported at load: the knowledge base does not start
    if phones.is_fictional(number):
        yield _finding(
            "fictional-number",
            record,
            ctx,
            Severity.WITHHELD,
            f"We don't show the number given for {slot.label}: it is in a range "
            "reserved for fiction.",
            f"{number.e164} is 555-01xx",
        )
    if getattr(slot, "toll_free", False) and not number.toll_free:
        yield _finding(
            "not-toll-free",
            record,
            ctx,
            Severity.CAUTION,
            "This number is not toll-free, although this line should be.",
            f"{number.e164} is not a toll-free number",
        )
    if trust_of(record, ctx.kb) in TRUSTED:
        return
    others = [(n, r) for n, r in ctx.trusted_numbers if r.id != record.id]
    near = phones.nearest(number, (n for n, _ in others))
    if near:
        reference = next(r for n, r in others if n == near[0])
        level = trust_of(reference, ctx.kb).value.replace("-", " ")
        note = (
            f"We don't show the article's number for {slot.label}: no trusted source lists "
            f"it, and it is {_WORDS[near[1]]} away from the {level} number for "
            f"{reference.slot.label}."
        )
        yield _finding(
            "near-miss",
            record,
            ctx,
            Severity.WITHHELD,
            note,
            f"{number.e164} is {near[1]} edit(s) from {near[0].e164}",
            [c.source for c in reference.fact.sources],
        )


def contradictions(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    """A weaker fact whose value differs from a stronger fact's in the same slot."""
    mine = trust_of(record, ctx.kb)
    for other in ctx.kb.facts.get(record.slot.id, ()):
        theirs = trust_of(other, ctx.kb)
        if RANK[theirs] < RANK[mine] and _key(other) != _key(record):
            source = best_source(other, ctx.kb)
            who = source.title if source else "a stronger source"
            kind = "number" if record.slot.kind in PHONE_KINDS else "value"
            note = (
                f"We don't show the article's {kind} for {record.slot.label}: {who} gives a "
                "different one."
            )
            yield _finding(
                "contradicted",
                record,
                ctx,
                Severity.WITHHELD,
                note,
                f"differs from {other.id} ({theirs.value})",
                [c.source for c in other.fact.sources],
            )
            return


def unconfirmed_claims(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    sources = {ctx.kb.sources[c.source].kind for c in record.fact.sources}
    if record.slot.kind == "claim" and sources == {"seed"}:
        yield Finding(
            "unconfirmed-claim",
            Severity.INFO,
            "Found on no official page.",
            "claim backed by the article alone",
        )


def staleness(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    """Past its review date: needs review; past twice that: withheld."""
    source = best_source(record, ctx.kb)
    if source is None or source.checked is None:
        return
    days = ctx.kb.settings.review_days
    age = (ctx.today - source.checked).days
    when = source.checked.isoformat()
    if age > 2 * days:
        yield _finding(
            "stale",
            record,
            ctx,
            Severity.WITHHELD,
            f"We don't show {record.slot.label}: nobody has checked it since {when}.",
            f"last checked {when}, {age} days ago (limit {2 * days})",
        )
    elif age > days:
        yield _finding(
            "needs-review",
            record,
            ctx,
            Severity.CAUTION,
            f"Needs review: last checked {when}.",
            f"last checked {when}, {age} days ago (review every {days})",
            escalate=False,
        )


def _key(record: FactRecord) -> str:
    """A fact's value in a form where equal things compare equal."""
    fact = record.fact
    if isinstance(fact, HoursFact):
        return fact.schedule.model_dump_json()
    value = getattr(fact, "value", "")
    number = phones.parse(value) if record.slot.kind in PHONE_KINDS else None
    return number.e164 if number else " ".join(value.casefold().split())


RULES: tuple[Rule, ...] = (
    lookalike_domains,
    phone_numbers,
    contradictions,
    unconfirmed_claims,
    staleness,
)


def summary(kb: Knowledge, findings: Mapping[str, tuple[Finding, ...]]) -> dict[str, int]:
    """How many facts stand at each trust level, and how many are withheld: a trust score."""
    counts: dict[str, int] = {}
    for records in kb.facts.values():
        for record in records:
            withheld = any(f.withhold for f in findings.get(record.id, ()))
            key = "withheld" if withheld else trust_of(record, kb).value
            counts[key] = counts.get(key, 0) + 1
    return counts
