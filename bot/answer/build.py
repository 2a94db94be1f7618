"""Turn a resolved topic into a Reply, in the asker's language: the direct answer first, the
facts the trust policy allows with their badges, and the rest for 'More details'.

A brief reply (the first message) holds the lead and the key slots' facts; a full one adds the
detail, every other fact, steps, warnings and sources. Words come from the catalogue
(`bot/i18n/`), values from slots: nothing here holds a sentence or a number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.answer import hours as clock
from bot.answer.prose import Prose
from bot.i18n import DEFAULT, Phrase, Words
from bot.kb.knowledge import FactRecord, Knowledge
from bot.kb.model import CONTACT_KINDS, Citation, HoursFact, HoursSlot, MenuFact, Topic, ValueFact
from bot.reply import (
    Badge,
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
    View,
    Visibility,
)
from bot.safety.trust import RANK, SAFE_BADGE, TRUST_OF_SOURCE, Assessment, Selection, assess
from bot.safety.trust import badge as trust_badge
from bot.safety.verify import Check, Verdict

HOME_ZONE = "America/Chicago"
"""Every time the knowledge base gives is in U.S. Central Time unless a schedule says not."""
VERDICTS = {
    Verdict.OFFICIAL: "verify.official",
    Verdict.PLAN_VERIFIED: "verify.plan",
    Verdict.UNKNOWN: "verify.unknown",
    Verdict.CANT_TELL: "verify.cant_tell",
    Verdict.SCAM: "verify.scam",
}
BRIEF_RELATED = 3
"""Related topics offered under a first message; the full answer offers them all."""
BRIEF_LINES = 3
"""Lines whose hours a first message shows when the hours topic names none."""


@dataclass(frozen=True, slots=True)
class Context:
    """What the answer may depend on besides the knowledge base."""

    now: dt.datetime
    words: Words
    prose: Prose
    locale: str | None = None
    timezone: str | None = None
    view: View = View.BRIEF
    frustrated: bool = False


@dataclass(slots=True)
class _Parts:
    """A reply under construction."""

    contacts: list[ContactRow] = field(default_factory=list)
    details: list[DetailRow] = field(default_factory=list)
    hours: list[HoursRow] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    warnings: dict[str, None] = field(default_factory=dict)
    citations: list[Citation] = field(default_factory=list)


def ref(topic: Topic, prose: Prose) -> TopicRef:
    return TopicRef(topic.id, prose.title(topic))


def say(prose: Prose, words: Words, phrase: Phrase) -> str:
    """A phrase in the answer's words, slot labels in the answer's language."""
    return words.say(phrase, prose.label)


def badge(ctx: Context, trust: Trust, phrase: Phrase) -> Badge:
    return Badge(trust, say(ctx.prose, ctx.words, phrase))


def key_slots(topic: Topic, kb: Knowledge) -> tuple[str, ...]:
    """The slots a first message shows: the topic's `key`, else its first contact slot."""
    if topic.key is not None:
        return tuple(topic.key)
    first = next((s for s in topic.show if kb.slots[s].kind in CONTACT_KINDS), None)
    return (first,) if first else ()


def topic_reply(
    kb: Knowledge, selections: Mapping[str, Selection], topic: Topic, ctx: Context
) -> Reply:
    """The answer for one topic, showing only facts the trust policy allows."""
    full = ctx.view is View.FULL
    shown = topic.show if full else key_slots(topic, kb)
    parts = _Parts(citations=list(topic.sources))
    for slot_id in shown:
        _add_slot(kb, selections[slot_id], slot_id, parts, ctx)
    if full:
        for warning in ctx.prose.warnings(topic):
            parts.warnings.setdefault(warning)
    reply = _finish(kb, topic, parts, ReplyKind.ANSWER, ctx, lead=_lead(topic, ctx))
    if topic.routed:
        words = ctx.words
        plan = kb.plan
        who = plan.hr_contact if plan and plan.hr_contact else words("answer.hr_default")
        source = kb.sources.get(f"plan-{plan.id}") if plan and plan.hr_contact else None
        trust = Trust.PLAN_VERIFIED if source else Trust.SAFE_ADVICE
        phrase = trust_badge(trust, source) if source else SAFE_BADGE
        person = ContactRow("contact", words("answer.person"), who, badge(ctx, trust, phrase))
        return replace(reply, contacts=(person, *reply.contacts), visibility=Visibility.PRIVATE)
    return reply


def hours_reply(
    kb: Knowledge, selections: Mapping[str, Selection], topic: Topic, ctx: Context
) -> Reply:
    """Which lines are open right now and the time here and for the asker; the first
    message lists the main lines, the full answer every line's hours."""
    words = ctx.words
    parts = _Parts(citations=list(topic.sources))
    every = [s for s, slot in kb.slots.items() if isinstance(slot, HoursSlot)]
    lines = [s for s in every if getattr(kb.slots[s], "window", "") == "open"]
    key = tuple(topic.key) if topic.key is not None else tuple(lines[:BRIEF_LINES])
    for slot_id in every if ctx.view is View.FULL else key:
        _add_slot(kb, selections[slot_id], slot_id, parts, ctx)
    order = {"open": 0, "best": 1, "busy": 2}
    parts.hours.sort(key=lambda row: order.get(row.window, 3))
    status = _open_status(parts.hours, words)
    here = clock.now_text(ctx.now, HOME_ZONE, ctx.locale, words)
    if ctx.timezone and clock.zone(ctx.timezone) and ctx.timezone != HOME_ZONE:
        yours = clock.now_text(ctx.now, ctx.timezone, ctx.locale, words)
        now = words("hours.now_yours", time=here, yours=yours)
    else:
        now = words("hours.now", time=here)
    lead = f"{now}. {status}"
    return _finish(kb, topic, parts, ReplyKind.HOURS, ctx, lead=lead)


def _open_status(rows: list[HoursRow], words: Words) -> str:
    open_now = [row.label for row in rows if row.open_now]
    closed = [row.label for row in rows if row.open_now is False]
    status = words("hours.open", lines=", ".join(open_now)) if open_now else ""
    status = status or words("hours.open_none")
    if closed:
        status += " " + words("hours.closed", lines=", ".join(closed))
    return status


def directory(kb: Knowledge, prose: Prose) -> tuple[Section, ...]:
    """Every topic, grouped by category; built once per knowledge base and language."""
    by_category: dict[str, list[TopicRef]] = {}
    for topic in kb.topics:
        if not topic.weak:
            by_category.setdefault(topic.category, []).append(ref(topic, prose))
    sections = (
        Section(prose.category(c.id, c.title), tuple(by_category.get(c.id, ())))
        for c in kb.categories
    )
    return tuple(s for s in sections if s.topics)


def featured(kb: Knowledge, prose: Prose) -> tuple[TopicRef, ...]:
    """The topics offered when a question finds nothing, or someone says hello."""
    return tuple(ref(t, prose) for t in map(kb.topic, kb.settings.featured) if t)


def directory_reply(
    kb: Knowledge, sections: tuple[Section, ...], ctx: Context, topic: Topic | None = None
) -> Reply:
    """`help`: a few lines and the featured topics, then (in full) every topic by category."""
    words = ctx.words
    full = ctx.view is View.FULL
    return Reply(
        kind=ReplyKind.DIRECTORY,
        title=ctx.prose.title(topic) if topic else words("directory.title"),
        lead=ctx.prose.lead(topic) if topic else words("directory.lead"),
        topic_id=topic.id if topic else "help",
        sections=sections if full else (),
        related=() if full else featured(kb, ctx.prose),
        plan=kb.plan.name if kb.plan else None,
        view=ctx.view,
        more=not full,
        language=words.language,
    )


def verify_reply(kb: Knowledge, checks: Iterable[Check], ctx: Context) -> Reply:
    """Verdicts on the numbers and addresses asked about, never repeating or linking them,
    with the trusted contact each one resembles and what to do instead."""
    words = ctx.words
    checks = list(checks)
    lines = []
    for check in checks:
        what = say(ctx.prose, words, check.what)
        verdict = words(VERDICTS[check.verdict])
        reason = say(ctx.prose, words, check.reason)
        lines.append(words("verify.line", what=what, verdict=verdict, reason=reason))
    if not checks:
        lines.append(words("verify.nothing"))
    doubtful = any(c.verdict in (Verdict.SCAM, Verdict.UNKNOWN, Verdict.CANT_TELL) for c in checks)
    if doubtful:
        lines.append(words("verify.advice"))
    if any(c.resembles and c.resembles.slot.kind == "tty" for c in checks):
        lines.append(words("verify.relay_advice"))
    twins = {c.resembles.id: c.resembles for c in checks if c.resembles}
    contacts = []
    for twin in twins.values():
        shown = assess(twin, kb, {})
        row_badge = badge(ctx, shown.trust, shown.badge)
        value = getattr(twin.fact, "value", "")
        contacts.append(ContactRow(twin.slot.kind, _label(ctx, twin), value, row_badge))
    advice = kb.topic("scam-warning")
    return Reply(
        kind=ReplyKind.VERIFY,
        title=words("verify.title"),
        lead=" ".join(lines),
        contacts=tuple(contacts),
        related=(ref(advice, ctx.prose),) if advice else (),
        plan=kb.plan.name if kb.plan else None,
        view=ctx.view,
        language=words.language,
    )


def with_privacy_notice(
    kb: Knowledge, reply: Reply, kinds: Iterable[str], ctx: Context, *, posted: bool
) -> Reply:
    """The person typed an identifier: say so (asking them to delete it where others could
    see it), keep the answer private, and still answer what they asked, if anything."""
    words = ctx.words
    what = words("privacy.and").join(words(f"privacy.{kind}") for kind in kinds)
    notice = words("privacy.posted" if posted else "privacy.typed", what=what)
    if reply.kind in (ReplyKind.DIRECTORY, ReplyKind.NOT_FOUND):
        return Reply(
            kind=ReplyKind.PRIVACY,
            title=words("privacy.title"),
            lead=f"{notice} {words('safe_advice')}",
            related=tuple(
                ref(t, ctx.prose) for t in map(kb.topic, ("before-you-call", "scam-warning")) if t
            ),
            plan=reply.plan,
            language=words.language,
        )
    return replace(reply, lead=f"{notice}\n\n{reply.lead}", visibility=Visibility.PRIVATE)


def suggestions_reply(kb: Knowledge, topics: Iterable[Topic], ctx: Context) -> Reply:
    words = ctx.words
    return Reply(
        kind=ReplyKind.SUGGESTIONS,
        title=words("suggestions.title"),
        lead=words("suggestions.lead"),
        suggestions=tuple(ref(t, ctx.prose) for t in topics),
        plan=kb.plan.name if kb.plan else None,
        language=words.language,
    )


def not_found_reply(kb: Knowledge, ctx: Context) -> Reply:
    """No topic fits: a few words of help, the safe advice, and a way to see every topic."""
    words = ctx.words
    return Reply(
        kind=ReplyKind.NOT_FOUND,
        title=words("not_found.title"),
        lead=f"{words('not_found.lead')} {words('safe_advice')}",
        related=featured(kb, ctx.prose),
        plan=kb.plan.name if kb.plan else None,
        more=True,
        language=words.language,
    )


def multi_reply(parts: tuple[Reply, ...]) -> Reply:
    """Several questions in one message: one brief answer for each, in the order asked."""
    first = parts[0]
    private = any(p.visibility is Visibility.PRIVATE for p in parts)
    return Reply(
        kind=ReplyKind.MULTI,
        title=first.title,
        lead="",
        parts=parts,
        plan=first.plan,
        visibility=Visibility.PRIVATE if private else Visibility.SHAREABLE,
        view=View.BRIEF,
        language=first.language,
    )


def _lead(topic: Topic, ctx: Context) -> str:
    sorry = ctx.words("answer.sorry") + " " if ctx.frustrated and not topic.weak else ""
    return f"{sorry}{ctx.prose.lead(topic)}"


def _label(ctx: Context, record: FactRecord) -> str:
    """A row's label: translated where a translation names the slot, else the slot's own
    (a plan's slot keeps the label the plan gave it)."""
    if ctx.prose.language == DEFAULT:
        return record.slot.label
    return ctx.prose.label(record.slot.id)


def _add_slot(
    kb: Knowledge, selection: Selection, slot_id: str, parts: _Parts, ctx: Context
) -> None:
    words = ctx.words
    contact = kb.slots[slot_id].kind in CONTACT_KINDS  # withheld contacts are explained
    for withheld in selection.withheld if contact and ctx.view is View.FULL else ():
        for finding in withheld.findings:
            if finding.withhold and finding.note is not None:
                parts.warnings.setdefault(say(ctx.prose, words, finding.note))
                parts.citations += [Citation(source=s) for s in finding.evidence]
    for shown in selection.shown:
        _add_fact(kb, shown, parts, ctx)
        parts.citations += shown.record.fact.sources
    for public in selection.public:
        thing = words(f"things.{public.record.slot.kind}")
        _add_fact(kb, public, parts, ctx, words("answer.public_note", thing=thing))
        parts.citations += public.record.fact.sources
    if not selection.shown:
        slot = kb.slots[slot_id]
        if contact or slot.fallback:
            advice = ctx.prose.fallback(slot_id) or words("safe_advice")
            if all(row.value != advice for row in parts.contacts):
                safe = badge(ctx, Trust.SAFE_ADVICE, SAFE_BADGE)
                label = ctx.prose.label(slot_id)
                parts.contacts.append(ContactRow(slot.kind, label, advice, safe))


def _add_fact(
    kb: Knowledge, shown: Assessment, parts: _Parts, ctx: Context, lead: str | None = None
) -> None:
    words = ctx.words
    slot, fact = shown.record.slot, shown.record.fact
    notes = [lead] if lead else []
    own_note = ctx.prose.note(shown.record)
    notes += [own_note] if own_note else []
    notes += [say(ctx.prose, words, f.note) for f in shown.cautions if f.note is not None]
    note = " ".join(notes) or None
    row_badge = badge(ctx, shown.trust, shown.badge)
    label = _label(ctx, shown.record)
    if isinstance(slot, HoursSlot) and isinstance(fact, HoursFact):
        schedule = fact.schedule
        parts.hours.append(
            HoursRow(
                label=label,
                window=slot.window,
                schedule=clock.describe(schedule, ctx.locale, words),
                badge=row_badge,
                open_now=clock.is_open(schedule, ctx.now) if slot.window == "open" else None,
                local=clock.in_zone(schedule, ctx.timezone, ctx.now, ctx.locale, words),
                note=note,
            )
        )
    elif isinstance(fact, MenuFact):
        press = words("answer.press", digit=fact.digit)
        parts.details.append(DetailRow(press, ctx.prose.value(shown.record), row_badge, note))
    elif isinstance(fact, ValueFact) and slot.kind == "url":
        parts.links.append(Link(label, fact.value, row_badge))
    elif isinstance(fact, ValueFact) and slot.kind in ("delivery-time", "claim"):
        parts.details.append(DetailRow(label, ctx.prose.value(shown.record), row_badge, note))
    elif isinstance(fact, ValueFact):
        parts.contacts.append(ContactRow(slot.kind, label, fact.value, row_badge, note))


def _finish(
    kb: Knowledge, topic: Topic, parts: _Parts, kind: ReplyKind, ctx: Context, *, lead: str
) -> Reply:
    full = ctx.view is View.FULL
    related = tuple(ref(t, ctx.prose) for r in topic.related if (t := kb.topic(r)))
    has_more = bool(topic.summary or topic.steps or topic.warnings or len(topic.show) > 0)
    return Reply(
        kind=kind,
        title=ctx.prose.title(topic),
        lead=lead,
        summary=ctx.prose.detail(topic) if full else "",
        topic_id=topic.id,
        contacts=tuple(parts.contacts),
        details=tuple(parts.details),
        hours=tuple(parts.hours),
        steps=ctx.prose.steps(topic) if full else (),
        links=tuple(parts.links),
        related=related if full else related[:BRIEF_RELATED],
        warnings=tuple(parts.warnings),
        sources=provenance(kb, parts.citations, ctx.words) if full else (),
        reviewed=topic.reviewed if full else None,
        plan=kb.plan.name if kb.plan else None,
        visibility=Visibility.SHAREABLE,
        view=ctx.view,
        more=not full and has_more and not topic.weak,
        language=ctx.words.language,
    )


def provenance(kb: Knowledge, citations: Iterable[Citation], words: Words) -> tuple[SourceRef, ...]:
    """One footer entry per source, strongest first, with the date it was checked. Seed line
    numbers stay in the knowledge base: they mean nothing to the person reading."""
    cited = dict.fromkeys(c.source for c in citations)

    def strength(source_id: str) -> tuple[int, bool, str]:
        kind = kb.sources[source_id].kind
        return RANK[TRUST_OF_SOURCE[kind]], kind == "seed", source_id

    refs = []
    for source_id in sorted(cited, key=strength):
        source = kb.sources[source_id]
        checked = source.checked.isoformat() if source.checked else ""
        if source.kind == "seed":
            detail = ""
        elif source.kind == "plan":
            detail = words("sources.verified", who=source.verified_by or "", date=checked)
        else:
            detail = words("sources.checked", date=checked)
        refs.append(SourceRef(source.title, detail, source.url))
    return tuple(refs)
