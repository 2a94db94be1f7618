"""Checks of the knowledge base's translations: complete, and prose only.

Every language in `LANGUAGES` has files under `knowledge/translations/` (`es.yaml`, and any
other with `language: es`) that together translate every topic, slot, category and note, with
the same number of steps and warnings; they translate nothing that doesn't exist; their prose
holds no phone number, e-mail or URL, while a translated statement (a delivery time, say) keeps
exactly the original's numbers. A plan's translations are optional, but may only name its own
slots and facts.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.kb.knowledge import TRANSLATIONS, Draft, FactRecord, Located, language_of
from bot.kb.model import LANGUAGES, Translation
from bot.kb.prose import STATEMENT_KINDS, numbers_in, prose_problems
from bot.kb.yamlsource import Path_, Problem


def translations_complete(draft: Draft) -> Iterator[Problem]:
    shipped: dict[str, list[Located[Translation]]] = {}
    for at in draft.translations:
        if not at.path:
            shipped.setdefault(language_of(at), []).append(at)
    for language in LANGUAGES:
        files = shipped.get(language)
        if not files:
            where = draft.kb_dir / TRANSLATIONS / f"{language}.yaml"
            yield Problem(str(where), None, "", f"missing: the translation into '{language}'")
        else:
            yield from _complete(draft, files)


def _complete(draft: Draft, files: list[Located[Translation]]) -> Iterator[Problem]:
    """One language's files, taken together, translate everything; a problem with one item is
    reported where that item is translated, a missing one at the language's first file."""
    at = files[0]
    topics = {k: (f, v) for f in files for k, v in f.item.topics.items()}
    slots = {k: (f, v) for f in files for k, v in f.item.slots.items()}
    facts = {k: v for f in files for k, v in f.item.facts.items()}
    categories = {k for f in files for k in f.item.categories}
    for topic_at in draft.topics:
        topic = topic_at.item
        if topic.id not in topics:
            yield at.problem(f"topic '{topic.id}' is not translated", under=("topics",))
            continue
        where, mine = topics[topic.id]
        if (len(mine.steps), len(mine.warnings)) != (len(topic.steps), len(topic.warnings)):
            yield where.problem(
                "needs as many steps and warnings as the original", under=("topics", topic.id)
            )
        if bool(mine.lead) != bool(topic.lead):
            yield where.problem(
                "needs a lead exactly when the original has one", under=("topics", topic.id)
            )
    for slot_at in draft.slots:
        slot = slot_at.item
        if slot.id not in slots:
            yield at.problem(f"slot '{slot.id}' is not translated", under=("slots",))
            continue
        where, theirs = slots[slot.id]
        if bool(theirs.fallback) != bool(slot.fallback):
            yield where.problem(
                "needs a fallback exactly when the original has one", under=("slots", slot.id)
            )
    for record in draft.shipped_facts():
        needs_value = record.slot.kind in STATEMENT_KINDS
        fact = facts.get(record.id)
        if (record.fact.note and not (fact and fact.note)) or (
            needs_value and not (fact and fact.value)
        ):
            yield at.problem(f"fact '{record.id}' is not translated", under=("facts",))
    for category in draft.categories:
        if category.item.id not in categories:
            yield at.problem(
                f"category '{category.item.id}' is not translated", under=("categories",)
            )


def translations_clean(draft: Draft) -> Iterator[Problem]:
    topics = {at.item.id for at in draft.topics}
    slots = {at.item.id for at in [*draft.slots, *draft.plan_slots]}
    records = {record.id: record for record in draft.facts()}
    categories = {at.item.id for at in draft.categories}
    for at in draft.translations:
        text = at.item
        for what, named, known in (
            ("topic", text.topics, topics),
            ("slot", text.slots, slots),
            ("fact", text.facts, set(records)),
            ("category", text.categories, categories),
        ):
            for ident in set(named) - known:
                yield at.problem(f"no {what} '{ident}' to translate", under=(f"{what}s", ident))
        yield from prose_problems(at, _prose(text))
        for fact_id, fact in text.facts.items():
            record = records.get(fact_id)
            if record and fact.value is not None:
                yield from _same_numbers(at, record, fact.value)


def _prose(text: Translation) -> Iterator[tuple[Path_, str]]:
    for topic_id, topic in text.topics.items():
        under: Path_ = ("topics", topic_id)
        yield (*under, "title"), topic.title
        yield (*under, "summary"), topic.summary
        if topic.lead:
            yield (*under, "lead"), topic.lead
        yield from (((*under, "steps", i), s) for i, s in enumerate(topic.steps))
        yield from (((*under, "warnings", i), w) for i, w in enumerate(topic.warnings))
    for slot_id, slot in text.slots.items():
        yield ("slots", slot_id, "label"), slot.label
        if slot.fallback:
            yield ("slots", slot_id, "fallback"), slot.fallback
    for fact_id, fact in text.facts.items():
        if fact.note:
            yield ("facts", fact_id, "note"), fact.note
    for category_id, title in text.categories.items():
        yield ("categories", category_id), title


def _same_numbers(at: Located[Translation], record: FactRecord, value: str) -> Iterator[Problem]:
    original = getattr(record.fact, "value", "")
    if record.slot.kind not in STATEMENT_KINDS:
        yield at.problem(
            "only statements are translated; numbers, addresses and links stay as they are",
            under=("facts", record.id, "value"),
        )
    elif sorted(numbers_in(value)) != sorted(numbers_in(original)):
        yield at.problem(
            "must keep exactly the original's numbers", under=("facts", record.id, "value")
        )
