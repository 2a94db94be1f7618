"""The knowledge audit: find what the fact check found by hand, on every load and every edit.

Each rule looks at every fact and returns findings. `withheld` findings keep a fact from ever
being shown; `caution` findings are shown beside it; `error` findings mean a trusted fact
(official or plan-verified) looks wrong, and the gate (`bot/gate.py`) refuses the whole base
until it is fixed; `info` is for the report only. Notes are written for employees and never
repeat the value they are about; details are for the people who maintain the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot.i18n import Label, Phrase, Value
from bot.kb.knowledge import FactRecord, Knowledge
from bot.kb.model import CONTACT_KINDS, PHONE_KINDS, HoursFact, ValueFact
from bot.reply import Trust
from bot.safety import domains, phones
from bot.safety.trust import RANK, Finding, Severity, best_source, trust_of

TRUSTED = frozenset({Trust.OFFICIAL, Trust.PLAN_VERIFIED})
_WORDS = {1: "one digit", 2: "two digits"}
_DIGITS = {1: "reason.one_digit", 2: "reason.two_digits"}


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
    for fact_id, finding in _repeats_of_flagged(kb, found):
        found[fact_id] = (*found.get(fact_id, ()), finding)
    return found


_FLAGS = frozenset({"near-miss", "contradicted", "lookalike-domain", "fictional-number"})


def _repeats_of_flagged(
    kb: Knowledge, found: Mapping[str, tuple[Finding, ...]]
) -> Iterator[tuple[str, Finding]]:
    """A plan fact that repeats a value the audit withholds elsewhere (the wrong specialty
    number, say) is an error: the fact check found that value wrong, whoever wrote it down."""
    flagged: dict[tuple[bool, str], tuple[FactRecord, Finding]] = {}
    for records in kb.facts.values():
        for record in records:
            flag = next((f for f in found.get(record.id, ()) if f.rule in _FLAGS), None)
            if flag and trust_of(record, kb) not in TRUSTED:
                flagged.setdefault(_value_key(record), (record, flag))
    for records in kb.facts.values():
        for record in records:
            hit = flagged.get(_value_key(record)) if record.slot.kind in CONTACT_KINDS else None
            if hit and trust_of(record, kb) is Trust.PLAN_VERIFIED:
                other, flag = hit
                yield (
                    record.id,
                    Finding(
                        "repeats-flagged",
                        Severity.ERROR,
                        None,
                        f"the same value as {other.id} ({other.slot.label}), which the fact check "
                        f"found wrong ({flag.rule}: {flag.detail}); check your plan's documents",
                    ),
                )


def _value_key(record: FactRecord) -> tuple[bool, str]:
    """A value as it compares across slots: phone-like numbers together, the rest by text."""
    return record.slot.kind in PHONE_KINDS, _key(record)


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
    note: Phrase | None,
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


def described(record: FactRecord, ctx: Context) -> Phrase:
    """Whose value this is, in an employee's words: "a number that circulates online",
    "your plan's number", "the official number"; never the project's own vocabulary."""
    kind = record.slot.kind
    thing = Phrase.of(f"things.{kind}" if kind in CONTACT_KINDS else "things.other")
    match trust_of(record, ctx.kb):
        case Trust.PLAN_VERIFIED:
            return Phrase.of("whose.plan", thing=thing)
        case Trust.OFFICIAL:
            return Phrase.of("whose.official", thing=thing)
        case Trust.CORROBORATED:
            return Phrase.of("whose.corroborated", thing=thing)
        case _:
            an = kind in ("email", "address") or kind not in CONTACT_KINDS
            return Phrase.of("whose.seed_an" if an else "whose.seed", thing=thing)


def lookalike_domains(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    if record.slot.kind not in ("email", "url") or not isinstance(record.fact, ValueFact):
        return
    check = domains.judge(record.fact.value, ctx.allowed_domains)
    label = Label(record.slot.id)
    if check.verdict is domains.Verdict.LOOKALIKE:
        whose = described(record, ctx)
        note = Phrase.of("note.lookalike", whose=whose, label=label, reason=check.reason)
        yield _finding(
            "lookalike-domain",
            record,
            ctx,
            Severity.WITHHELD,
            note,
            f"{check.domain}: {check.detail}",
        )
    elif check.verdict is domains.Verdict.UNKNOWN:
        yield _finding(
            "unknown-domain",
            record,
            ctx,
            Severity.CAUTION,
            Phrase.of("note.unknown_domain"),
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
            Phrase.of("note.fictional", whose=described(record, ctx), label=Label(slot.id)),
            f"{number.e164} is 555-01xx",
        )
    if getattr(slot, "toll_free", False) and not number.toll_free:
        yield _finding(
            "not-toll-free",
            record,
            ctx,
            Severity.CAUTION,
            Phrase.of("note.not_toll_free"),
            f"{number.e164} is not a toll-free number",
        )
    yield from _near_misses(record, record.fact, number, ctx)


def _blamed(record: FactRecord, other: FactRecord, ctx: Context) -> bool:
    """Which side of a near pair is suspect: an untrusted fact always; a trusted one too,
    except that an official number is never doubted because a plan's is close to it."""
    return not (
        trust_of(record, ctx.kb) is Trust.OFFICIAL
        and trust_of(other, ctx.kb) is Trust.PLAN_VERIFIED
    )


def _confirmed(fact: ValueFact) -> dict[str, str]:
    """The numbers a fact is knowingly near (E.164), with the reason given for each."""
    confirmed = {}
    for confirmation in fact.confirm_near:
        number = phones.parse(confirmation.number)
        if number:
            confirmed[number.e164] = confirmation.reason
    return confirmed


def _near_misses(
    record: FactRecord, fact: ValueFact, number: phones.Number, ctx: Context
) -> Iterator[Finding]:
    """A number within two digit edits of a different trusted number, in any slot, is a
    likely typo or a scam's imitation, unless one of the pair confirms it (`confirm_near`)."""
    mine = _confirmed(fact)
    near: list[tuple[int, phones.Number, FactRecord]] = []
    for other_number, other in ctx.trusted_numbers:
        edits = phones.digit_edits(number, other_number)
        if other.id != record.id and 0 < edits <= phones.NEAR_MISS_EDITS:
            near.append((edits, other_number, other))
    near.sort(key=lambda item: item[0])
    for e164 in mine:
        if not any(n.e164 == e164 for _, n, _ in near):
            yield Finding(
                "confirm-near",
                Severity.ERROR,
                None,
                f"confirm_near names {e164}, but no trusted number that close to "
                f"{fact.value} exists: remove it",
            )
    for edits, other_number, other in near:
        if not _blamed(record, other, ctx):
            continue
        theirs = _confirmed(other.fact) if isinstance(other.fact, ValueFact) else {}
        confirmed = mine.get(other_number.e164) or theirs.get(number.e164)
        level = trust_of(other, ctx.kb).value.replace("-", " ")
        pair = (
            f"{fact.value} is {_WORDS[edits]} away from {_written(other)}, the {level} number "
            f"for {other.slot.label} ({other.id})"
        )
        if confirmed:
            yield Finding("confirmed-near", Severity.INFO, None, f"{pair}; confirmed: {confirmed}")
            continue
        note = Phrase.of(
            "note.near_miss",
            whose=described(record, ctx),
            label=Label(record.slot.id),
            count=Phrase.of(_DIGITS[edits]),
            level=Phrase.of(
                "note.level_plan"
                if trust_of(other, ctx.kb) is Trust.PLAN_VERIFIED
                else "note.level_official"
            ),
            other=Label(other.slot.id),
        )
        fix = (
            ": a likely typo. Correct it, or if both numbers are right, add to this fact "
            f'confirm_near: [{{number: "{_written(other)}", reason: "where you checked it"}}]'
            if trust_of(record, ctx.kb) in TRUSTED
            else ""
        )
        yield _finding(
            "near-miss",
            record,
            ctx,
            Severity.WITHHELD,
            note,
            pair + fix,
            [c.source for c in other.fact.sources],
        )
        return


def _written(record: FactRecord) -> str:
    """A fact's value as its file spells it, for messages to the people who maintain it."""
    return getattr(record.fact, "value", record.id)


def contradictions(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    """A weaker fact whose value differs from a stronger fact's in the same slot. A plan's own
    number does not contradict CVS's public one: plans really have their own lines, and the
    answer shows the plan's first and the public one after it."""
    mine = trust_of(record, ctx.kb)
    for other in ctx.kb.facts.get(record.slot.id, ()):
        theirs = trust_of(other, ctx.kb)
        if mine is Trust.OFFICIAL and theirs is Trust.PLAN_VERIFIED:
            continue
        if RANK[theirs] < RANK[mine] and _key(other) != _key(record):
            source = best_source(other, ctx.kb)
            who: Value = Phrase.of("note.your_plan")
            if source and source.kind != "plan":
                who = source.title
            note = Phrase.of(
                "note.contradicted",
                whose=described(record, ctx),
                label=Label(record.slot.id),
                who=who,
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
            Phrase.of("note.unconfirmed"),
            "claim backed by the seed article alone",
        )


def staleness(record: FactRecord, ctx: Context) -> Iterator[Finding]:
    """Past its review date: needs review. Past twice that, a plan's own fact loses its
    verified badge (shown as last verified on that date, no longer ahead of CVS's official
    contacts); any other fact is withheld."""
    source = best_source(record, ctx.kb)
    if source is None or source.checked is None:
        return
    days = source.review_days or ctx.kb.settings.review_days
    age = (ctx.today - source.checked).days
    when = source.checked.isoformat()
    if age > 2 * days and source.kind == "plan":
        yield Finding(
            "expired",
            Severity.CAUTION,
            Phrase.of("note.expired", date=when),
            f"last verified {when}, {age} days ago (limit {2 * days}): shown without its badge",
            demotes=True,
        )
    elif age > 2 * days:
        yield _finding(
            "stale",
            record,
            ctx,
            Severity.WITHHELD,
            Phrase.of(
                "note.stale", whose=described(record, ctx), label=Label(record.slot.id), date=when
            ),
            f"last checked {when}, {age} days ago (limit {2 * days})",
            escalate=False,  # a date passing hides the fact; it never stops the bot
        )
    elif age > days:
        yield _finding(
            "needs-review",
            record,
            ctx,
            Severity.CAUTION,
            Phrase.of("note.needs_review", date=when),
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
