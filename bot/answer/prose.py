"""The knowledge base's prose in the answer's language: titles, leads, labels and notes from
the translation where there is one, the English original where there isn't (a plan's own
slots, say). Values never pass through here."""

from __future__ import annotations

from bot.kb.knowledge import FactRecord, Knowledge, Texts
from bot.kb.model import Topic


class Prose:
    def __init__(self, kb: Knowledge, language: str) -> None:
        self.language = language
        self._kb = kb
        self._texts = kb.texts.get(language, Texts())

    def title(self, topic: Topic) -> str:
        text = self._texts.topics.get(topic.id)
        return text.title if text else topic.title

    def lead(self, topic: Topic) -> str:
        """The topic's direct answer: its lead, else its summary's first sentence."""
        text = self._texts.topics.get(topic.id)
        lead, summary = (text.lead, text.summary) if text else (topic.lead, topic.summary)
        if lead:
            return lead
        first, stop, _ = summary.partition(". ")
        return first + ("." if stop else "")

    def detail(self, topic: Topic) -> str:
        """What 'More details' adds to the lead: the summary, less the sentence the lead took."""
        text = self._texts.topics.get(topic.id)
        lead, summary = (text.lead, text.summary) if text else (topic.lead, topic.summary)
        return summary if lead else summary.partition(". ")[2]

    def steps(self, topic: Topic) -> tuple[str, ...]:
        text = self._texts.topics.get(topic.id)
        return tuple(text.steps if text else topic.steps)

    def warnings(self, topic: Topic) -> tuple[str, ...]:
        text = self._texts.topics.get(topic.id)
        return tuple(text.warnings if text else topic.warnings)

    def label(self, slot_id: str) -> str:
        text = self._texts.slots.get(slot_id)
        if text:
            return text.label
        slot = self._kb.slots.get(slot_id)
        return slot.label if slot else slot_id

    def fallback(self, slot_id: str) -> str | None:
        text = self._texts.slots.get(slot_id)
        slot = self._kb.slots[slot_id]
        return text.fallback if text and slot.fallback else slot.fallback

    def note(self, record: FactRecord) -> str | None:
        text = self._texts.facts.get(record.id)
        return text.note if text and text.note else record.fact.note

    def value(self, record: FactRecord) -> str:
        """A statement's value in this language; any other value exactly as written."""
        text = self._texts.facts.get(record.id)
        return text.value if text and text.value else getattr(record.fact, "value", "")

    def category(self, category_id: str, default: str) -> str:
        return self._texts.categories.get(category_id, default)
