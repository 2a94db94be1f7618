"""Turn a resolved topic into a Reply: the shown facts with badges, warnings and provenance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.answer import hours as clock
from bot.kb.knowledge import Knowledge
from bot.kb.model import CONTACT_KINDS, Citation, HoursFact, HoursSlot, MenuFact, Topic, ValueFact
from bot.reply import (
    ContactRow,
    DetailRow,
    HoursRow,
    Link,
    Reply,
    ReplyKind,
    Section,
    SourceRef,
    TopicRef,
    Trust,
    Visibility,
)
from bot.safety.trust import RANK, SAFE_BADGE, TRUST_OF_SOURCE, Assessment, Selection, assess
from bot.safety.trust import badge as trust_badge
from bot.safety.verify import Check, Verdict

HOME_ZONE = "America/Chicago"
"""The article gives every time in US Central Time."""
VERDICT_WORDS = {
    Verdict.OFFICIAL: "is official",
    Verdict.PLAN_VERIFIED: "is verified by your plan",
    Verdict.UNKNOWN: "is not one we can vouch for",
    Verdict.SCAM: "looks like a scam",
}


@dataclass(frozen=True, slots=True)
class Context:
    """What the answer may depend on besides the knowledge base."""

    now: dt.datetime
    locale: str | None = None
    timezone: str | None = None


@dataclass(slots=True)
class _Parts:
    """A reply under construction."""

    contacts: list[ContactRow] = field(default_factory=list)
    details: list[DetailRow] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    warnings: dict[str, None] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)


def ref(topic: Topic) -> TopicRef:
    return TopicRef(topic.id, topic.title)


def topic_reply(
    kb: Knowledge, selections: Mapping[str, Selection], topic: Topic, ctx: Context
) -> Reply:
    """The answer for one topic, showing only facts the trust policy allows."""
    parts = _Parts(citations=list(topic.sources))
    for slot_id in topic.show:
        _add_slot(kb, selections[slot_id], slot_id, parts, ctx)
    for warning in topic.warnings:
        parts.warnings.setdefault(warning)
    if topic.routed:
        who = kb.plan.hr_contact if kb.plan and kb.plan.hr_contact else kb.settings.hr_contact
        source = kb.sources.get(f"plan-{kb.plan.id}") if kb.plan and kb.plan.hr_contact else None
        badge = trust_badge(Trust.PLAN_VERIFIED, source) if source else SAFE_BADGE
        parts.contacts.insert(0, ContactRow("contact", "A person who can help", who, badge))
        reply = _finish(kb, topic, parts, ReplyKind.ANSWER, topic.summary)
        return replace(reply, visibility=Visibility.PRIVATE)
    return _finish(kb, topic, parts, ReplyKind.ANSWER, topic.summary)


def hours_reply(
    kb: Knowledge, selections: Mapping[str, Selection], topic: Topic, ctx: Context
) -> Reply:
    """Every line's hours, which are open right now, and the time here and for the asker."""
    parts = _Parts(citations=list(topic.sources))
    for slot_id, slot in kb.slots.items():
        if isinstance(slot, HoursSlot):
            _add_slot(kb, selections[slot_id], slot_id, parts, ctx)
    order = {"open": 0, "best": 1, "busy": 2}
    parts.hours.sort(key=lambda row: order.get(row.window, 3))
    open_now = [row.label for row in parts.hours if row.open_now]
    closed = [row.label for row in parts.hours if row.open_now is False]
    now = f"Right now it is {clock.now_text(ctx.now, HOME_ZONE, ctx.locale)}"
    if ctx.timezone and clock.zone(ctx.timezone) and ctx.timezone != HOME_ZONE:
        now += f" ({clock.now_text(ctx.now, ctx.timezone, ctx.locale)} your time)"
    status = f"Open now: {', '.join(open_now) or 'none of the lines below'}."
    if closed:
        status += f" Closed now: {', '.join(closed)}."
    summary = f"{now}. {status}\n\n{topic.summary}"
    return _finish(kb, topic, parts, ReplyKind.HOURS, summary)


def directory(kb: Knowledge) -> tuple[Section, ...]:
    """Every topic, grouped by category; built once per knowledge base."""
    by_category: dict[str, list[TopicRef]] = {}
    for topic in kb.topics:
        by_category.setdefault(topic.category, []).append(ref(topic))
    sections = (Section(c.title, tuple(by_category.get(c.id, ()))) for c in kb.categories)
    return tuple(s for s in sections if s.topics)


def directory_reply(
    kb: Knowledge, sections: tuple[Section, ...], topic: Topic | None = None
) -> Reply:
    """The answer to `help`, or to nothing at all: every topic by category."""
    return Reply(
        kind=ReplyKind.DIRECTORY,
        title=topic.title if topic else "What I can help with",
        summary=kb.settings.directory_intro,
        topic_id=topic.id if topic else None,
        sections=sections,
        warnings=tuple(topic.warnings) if topic else (),
        plan=kb.plan.name if kb.plan else None,
    )


def verify_reply(kb: Knowledge, checks: Iterable[Check]) -> Reply:
    """Verdicts on the numbers and addresses asked about, never repeating or linking them,
    with the trusted contact each one resembles and the scam-warning steps."""
    checks = list(checks)
    lines = [
        f"{c.what[:1].upper()}{c.what[1:]} {VERDICT_WORDS[c.verdict]}: {c.reason}." for c in checks
    ]
    twins = {c.resembles.id: c.resembles for c in checks if c.resembles}
    contacts = []
    for twin in twins.values():
        shown = assess(twin, kb, {})
        value = getattr(twin.fact, "value", "")
        contacts.append(ContactRow(twin.slot.kind, twin.slot.label, value, shown.badge))
    advice = kb.topic("scam-warning")
    return Reply(
        kind=ReplyKind.VERIFY,
        title="Is it legit?",
        summary="\n\n".join(lines) + f"\n\n{kb.settings.safe_advice}",
        contacts=tuple(contacts),
        steps=tuple(advice.steps) if advice else (),
        related=(ref(advice),) if advice else (),
        plan=kb.plan.name if kb.plan else None,
    )


def with_privacy_notice(kb: Knowledge, reply: Reply, kinds: Iterable[str]) -> Reply:
    """The person pasted an identifier: ask them to delete it, keep the answer private, and
    still answer what they asked (if they asked anything besides)."""
    what = " and ".join(kinds)
    notice = (
        f"Please delete your message: it looks like it contains {what}. This bot never "
        "needs your identifiers and has not kept them; Caremark asks for them only on a "
        "call you started."
    )
    if reply.kind in (ReplyKind.DIRECTORY, ReplyKind.NOT_FOUND):
        return Reply(
            kind=ReplyKind.PRIVACY,
            title="Please delete your message",
            summary=f"{notice}\n\n{kb.settings.safe_advice}",
            related=tuple(ref(t) for t in map(kb.topic, ("before-you-call", "scam-warning")) if t),
            plan=reply.plan,
        )
    return replace(reply, summary=f"{notice}\n\n{reply.summary}", visibility=Visibility.PRIVATE)


def suggestions_reply(kb: Knowledge, topics: Iterable[Topic]) -> Reply:
    return Reply(
        kind=ReplyKind.SUGGESTIONS,
        title="Did you mean…",
        summary="I'm not sure which topic you mean. Pick one below, or try other words.",
        suggestions=tuple(ref(t) for t in topics),
        plan=kb.plan.name if kb.plan else None,
    )


def not_found_reply(kb: Knowledge, sections: tuple[Section, ...]) -> Reply:
    """No topic fits: the safe advice, and the list of what the bot does know."""
    return Reply(
        kind=ReplyKind.NOT_FOUND,
        title="I don't have an answer for that",
        summary=f"{kb.settings.not_found}\n\n{kb.settings.safe_advice}",
        sections=sections,
        plan=kb.plan.name if kb.plan else None,
    )


def _add_slot(
    kb: Knowledge, selection: Selection, slot_id: str, parts: _Parts, ctx: Context
) -> None:
    contact = kb.slots[slot_id].kind in CONTACT_KINDS  # withheld contacts are explained
    for withheld in selection.withheld if contact else ():
        for finding in withheld.findings:
            if finding.withhold:
                parts.warnings.setdefault(finding.note)
                parts.citations += [Citation(source=s) for s in finding.evidence]
    for shown in selection.shown:
        _add_fact(shown, parts, ctx)
        parts.citations += shown.record.fact.sources
    for public in selection.public:
        thing = PUBLIC_THINGS.get(public.record.slot.kind, "information")
        _add_fact(public, parts, ctx, PUBLIC_NOTE.format(thing=thing))
        parts.citations += public.record.fact.sources
    if not selection.shown:
        slot = kb.slots[slot_id]
        if contact or slot.fallback:
            advice = slot.fallback or kb.settings.safe_advice
            if all(row.value != advice for row in parts.contacts):
                parts.contacts.append(ContactRow(slot.kind, slot.label, advice, SAFE_BADGE))


PUBLIC_NOTE = "CVS's public {thing}. Your plan's own {thing} is listed first: use that one."
PUBLIC_THINGS = {"phone": "number", "fax": "fax number", "tty": "number", "url": "site"}


def _add_fact(shown: Assessment, parts: _Parts, ctx: Context, lead: str | None = None) -> None:
    slot, fact = shown.record.slot, shown.record.fact
    notes = [lead] if lead else []
    notes += [fact.note] if fact.note else []
    notes += [finding.note for finding in shown.cautions]
    note = " ".join(notes) or None
    badge = shown.badge
    if isinstance(slot, HoursSlot) and isinstance(fact, HoursFact):
        schedule = fact.schedule
        parts.hours.append(
            HoursRow(
                label=slot.label,
                window=slot.window,
                schedule=clock.describe(schedule, ctx.locale),
                badge=badge,
                open_now=clock.is_open(schedule, ctx.now) if slot.window == "open" else None,
                local=clock.in_zone(schedule, ctx.timezone, ctx.now, ctx.locale),
                note=note,
            )
        )
    elif isinstance(fact, MenuFact):
        parts.details.append(DetailRow(f"Press {fact.digit}", fact.value, badge, note))
    elif isinstance(fact, ValueFact) and slot.kind == "url":
        parts.links.append(Link(slot.label, fact.value, badge))
    elif isinstance(fact, ValueFact) and slot.kind in ("delivery-time", "claim"):
        parts.details.append(DetailRow(slot.label, fact.value, badge, note))
    elif isinstance(fact, ValueFact):
        parts.contacts.append(ContactRow(slot.kind, slot.label, fact.value, badge, note))


def _finish(kb: Knowledge, topic: Topic, parts: _Parts, kind: ReplyKind, summary: str) -> Reply:
    return Reply(
        kind=kind,
        title=topic.title,
        summary=summary,
        topic_id=topic.id,
        contacts=tuple(parts.contacts),
        details=tuple(parts.details),
        hours=tuple(parts.hours),
        steps=tuple(topic.steps),
        links=tuple(parts.links),
        related=tuple(ref(t) for r in topic.related if (t := kb.topic(r))),
        warnings=tuple(parts.warnings),
        sources=provenance(kb, parts.citations),
        reviewed=topic.reviewed,
        plan=kb.plan.name if kb.plan else None,
        visibility=Visibility.SHAREABLE,
    )


def provenance(kb: Knowledge, citations: Iterable[Citation]) -> tuple[SourceRef, ...]:
    """One footer entry per source, strongest first: seed lines, or the date a page was checked."""
    lines: dict[str, set[int]] = {}
    for citation in citations:
        lines.setdefault(citation.source, set()).update(citation.lines)

    def strength(source_id: str) -> tuple[int, bool, str]:
        kind = kb.sources[source_id].kind
        return RANK[TRUST_OF_SOURCE[kind]], kind == "seed", source_id

    refs = []
    for source_id in sorted(lines, key=strength):
        source = kb.sources[source_id]
        if source.kind == "seed":
            detail = f"lines {_ranges(sorted(lines[source_id]))}" if lines[source_id] else ""
        elif source.kind == "plan":
            detail = f"verified by {source.verified_by} on {source.checked}"
        else:
            detail = f"checked {source.checked}"
        refs.append(SourceRef(source.title, detail, source.url))
    return tuple(refs)


def _ranges(numbers: list[int]) -> str:
    """`14, 23–25, 161` from [14, 23, 24, 25, 161]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
