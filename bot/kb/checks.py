"""Checks across the whole knowledge base, after each file has passed the schema.

Each rule takes the Draft and returns problems located at the file and line that caused them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers

from bot.answer.normalize import matchable
from bot.kb.knowledge import Draft, Located
from bot.kb.model import CONTACT_KINDS, PHONE_KINDS, Citation, HoursFact
from bot.kb.prose import STATEMENT_KINDS, prose_problems
from bot.kb.translations import translations_clean, translations_complete
from bot.kb.yamlsource import Path_, Problem
from bot.safety import domains, phones

REGION = phones.REGION
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_DOMAIN_NAME = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$")

Rule = Callable[[Draft], Iterable[Problem]]


def check(draft: Draft) -> list[Problem]:
    """Every problem every rule finds, in file order."""
    problems = [p for rule in RULES for p in rule(draft)]
    return sorted(problems, key=lambda p: (p.file, p.line or 0))


def settings_once(draft: Draft) -> Iterator[Problem]:
    if not draft.settings:
        yield Problem("knowledge", None, "settings", "missing: one file must hold 'settings'")
    for extra in draft.settings[1:]:
        yield extra.problem("given more than once")


def unique_ids(draft: Draft) -> Iterator[Problem]:
    for section in (draft.categories, draft.sources, draft.slots, draft.topics):
        yield from _duplicates(((at.item.id, at) for at in section), "id")
    yield from _duplicates(((r.id, r.at) for r in draft.facts()), "fact id")


def unique_aliases(draft: Draft) -> Iterator[Problem]:
    """An alias, id or title may lead to one topic only, or answers would depend on file order."""
    owners: dict[str, str] = {}
    for at in draft.topics:
        topic = at.item
        own: set[str] = set()
        names: list[tuple[tuple[str | int, ...], str]] = [
            (("id",), topic.id.replace("-", " ")),
            (("title",), topic.title),
            *((("aliases", i), alias) for i, alias in enumerate(topic.aliases)),
        ]
        for under, name in names:
            key = matchable(name)
            owner = owners.setdefault(key, topic.id)
            if owner != topic.id:
                yield at.problem(f"duplicate alias '{name}': also leads to '{owner}'", under=under)
            elif under[0] == "aliases":
                if key in own:
                    yield at.problem(f"duplicate alias '{name}'", under=under)
                own.add(key)


def topic_references(draft: Draft) -> Iterator[Problem]:
    categories = {c.item.id for c in draft.categories}
    slots = {s.item.id for s in draft.slots} | {s.item.id for s in draft.plan_slots}
    topics = {t.item.id for t in draft.topics}
    faqs: dict[int, str] = {}
    for at in draft.topics:
        topic = at.item
        if topic.category not in categories:
            yield at.problem(f"unknown category '{topic.category}'", under=("category",))
        for i, slot in enumerate(topic.show):
            if slot not in slots:
                yield at.problem(f"unknown slot '{slot}'", under=("show", i))
        for i, related in enumerate(topic.related):
            if related not in topics or related == topic.id:
                yield at.problem(f"unknown related topic '{related}'", under=("related", i))
        if topic.faq and faqs.setdefault(topic.faq.number, topic.id) != topic.id:
            owner = faqs[topic.faq.number]
            yield at.problem(
                f"FAQ {topic.faq.number} is already answered by '{owner}'", under=("faq", "number")
            )
        if not topic.sources and not topic.generated:
            yield at.problem("topic without a source", under=("sources",))
        yield from _citations(draft, at, topic.sources)


def slots_shown(draft: Draft) -> Iterator[Problem]:
    """A slot no topic shows is a fact nobody will ever see: usually a typo in `show`."""
    shown = {slot for at in draft.topics for slot in at.item.show}
    hours_shown = any(at.item.generated == "hours" for at in draft.topics)
    for at in [*draft.slots, *draft.plan_slots]:
        if at.item.id not in shown and not (hours_shown and at.item.kind == "hours"):
            yield at.problem("no topic shows this slot", under=("id",))


def fact_sources(draft: Draft) -> Iterator[Problem]:
    for record in draft.facts():
        if not record.fact.sources:
            yield record.at.problem("fact without a source", under=("sources",))
        yield from _citations(draft, record.at, record.fact.sources)


def _citations(
    draft: Draft, at: Located[object], citations: Iterable[Citation]
) -> Iterator[Problem]:
    sources = {s.item.id: s.item for s in draft.sources}
    lines = draft.seeds
    for i, citation in enumerate(citations):
        source_id = citation.source
        under = ("sources", i)
        source = sources.get(source_id)
        if source is None:
            yield at.problem(f"unknown source '{source_id}'", under=(*under, "source"))
        elif source_id in draft.refused_seeds:
            continue  # reported once, at the source
        elif source.kind == "seed":
            cited = citation.lines
            count = len(lines.get(source_id, ()))
            if source_id not in lines:
                yield at.problem(f"seed file '{source.file}' not found", under=under)
            elif not cited:
                yield at.problem("a seed citation needs 'lines'", under=under)
            for n in cited:
                if n > count:
                    yield at.problem(
                        f"line {n} is past the end of the seed ({count} lines)",
                        under=(*under, "lines"),
                    )
        elif source.kind != "plan" and not citation.quote:
            yield at.problem(f"a citation of '{source_id}' needs a short 'quote'", under=under)


def contact_values(draft: Draft) -> Iterator[Problem]:
    """Phone numbers must parse; e-mails and URLs must be well formed; seed values must match."""
    lines = draft.seeds
    for record in draft.facts():
        value = getattr(record.fact, "value", "")
        kind = record.slot.kind
        problem = _malformed(kind, value)
        if problem:
            yield record.at.problem(problem, under=("value",))
        elif kind in CONTACT_KINDS - {"address"}:
            for citation in record.fact.sources:
                cited = [
                    lines.get(citation.source, ())[n - 1]
                    for n in citation.lines
                    if n <= len(lines.get(citation.source, ()))
                ]
                if cited and not any(_appears(kind, value, line) for line in cited):
                    yield record.at.problem(
                        f"value does not appear on the cited seed line(s) {citation.lines}",
                        under=("value",),
                    )


def near_confirmations(draft: Draft) -> Iterator[Problem]:
    """`confirm_near` is for phone, fax and TTY numbers, and names a number that parses;
    whether that number really is a trusted one nearby is the audit's to judge."""
    for record in draft.facts():
        confirmations = getattr(record.fact, "confirm_near", ())
        for i, confirmation in enumerate(confirmations):
            under = ("confirm_near", i, "number")
            if record.slot.kind not in PHONE_KINDS:
                yield record.at.problem(
                    "confirm_near is only for phone, fax and TTY numbers", under=under
                )
            elif phones.parse(confirmation.number) is None:
                yield record.at.problem("not a valid phone number", under=under)


def trusted_domains(draft: Draft) -> Iterator[Problem]:
    """An allowlisted domain is trusted like CVS's own, so it may not imitate one of them."""
    lists: list[tuple[Located[object], tuple[str, ...]]] = [
        (at, tuple(at.item.allowed_domains)) for at in draft.settings
    ]
    if draft.plan_at is not None:
        lists.append((draft.plan_at, tuple(draft.plan_at.item.allowed_domains)))
    for at, names in lists:
        for i, name in enumerate(names):
            under = ("allowed_domains", i)
            verdict = domains.judge(name)
            if verdict.verdict is domains.Verdict.LOOKALIKE:
                yield at.problem(
                    f"'{name}' looks like an official CVS domain ({verdict.detail}); list only "
                    "domains your organisation really owns",
                    under=under,
                )
            elif not _DOMAIN_NAME.match(name.lower()):
                yield at.problem(
                    "write a bare domain such as example.com (no https://, @ or path)",
                    under=under,
                )


def _malformed(kind: str, value: str) -> str | None:
    if kind == "tty" and value == phones.RELAY:
        return None
    if kind in PHONE_KINDS:
        try:
            number = phonenumbers.parse(value, REGION)
        except phonenumbers.NumberParseException as exc:
            return f"phone number does not parse: {exc}"
        if not phonenumbers.is_valid_number(number):
            return "not a valid phone number"
    if kind == "email" and not _EMAIL.match(value):
        return "not an e-mail address"
    if kind == "url" and not value.startswith("https://"):
        return "links must be https:// URLs"
    return None


def _appears(kind: str, value: str, line: str) -> bool:
    if kind in PHONE_KINDS:
        digits = re.sub(r"\D", "", value).removeprefix("1")
        return digits in re.sub(r"\D", "", line)
    bare = value.lower().removeprefix("https://").rstrip("/")
    return bare in line.lower()


def prose_is_clean(draft: Draft) -> Iterator[Problem]:
    """Numbers, e-mails and URLs live only in facts, where trust applies, never in prose."""
    for at in draft.topics:
        topic = at.item
        texts: list[tuple[Path_, str]] = [(("summary",), topic.summary)]
        texts += [(("lead",), topic.lead)] if topic.lead else []
        texts += [(("steps", i), s) for i, s in enumerate(topic.steps)]
        texts += [(("warnings", i), w) for i, w in enumerate(topic.warnings)]
        yield from prose_problems(at, texts)
    for record in draft.facts():
        notes: list[tuple[Path_, str]] = [(("note",), record.fact.note or "")]
        if record.slot.kind in STATEMENT_KINDS:
            notes.append((("value",), getattr(record.fact, "value", "")))
        yield from prose_problems(record.at, notes)
    for slot_at in [*draft.slots, *draft.plan_slots]:
        slot = slot_at.item
        yield from prose_problems(
            slot_at, [(("label",), slot.label), (("fallback",), slot.fallback or "")]
        )


def hours_zones(draft: Draft) -> Iterator[Problem]:
    for record in draft.facts():
        if isinstance(record.fact, HoursFact):
            try:
                ZoneInfo(record.fact.schedule.tz)
            except (ZoneInfoNotFoundError, ValueError):
                yield record.at.problem(
                    f"unknown time zone '{record.fact.schedule.tz}'", under=("schedule", "tz")
                )


def _duplicates(items: Iterable[tuple[str, Located[object]]], what: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for ident, at in items:
        if ident in seen:
            yield at.problem(f"duplicate {what} '{ident}'", under=("id",))
        seen.add(ident)


RULES: tuple[Rule, ...] = (
    settings_once,
    unique_ids,
    unique_aliases,
    topic_references,
    slots_shown,
    fact_sources,
    contact_values,
    near_confirmations,
    trusted_domains,
    prose_is_clean,
    hours_zones,
    translations_clean,
    translations_complete,
)
