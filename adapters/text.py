"""Text helpers every renderer shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.reply import TopicRef

TRUNCATED = " …"
"""Marks a cut; in every language (the answer says in words when a whole part was cut)."""


def clip(text: str, limit: int, tidy: Callable[[str], str] = str) -> str:
    """Cut at a word boundary to fit `limit`, with a visible marker. `tidy` repairs the cut end
    for the platform's markup (a half entity in Slack, a lone backslash in Discord)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(TRUNCATED)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return tidy(cut) + TRUNCATED


def unique_topics(topics: Iterable[TopicRef]) -> list[TopicRef]:
    """Each topic once, in first-seen order: button ids must be unique in a message."""
    seen: dict[str, TopicRef] = {}
    for topic in topics:
        seen.setdefault(topic.id, topic)
    return list(seen.values())


def button_value(topic: str, language: str) -> str:
    """What a button carries: the topic and the answer's language (`specialty@es`), so a
    press, a share or 'More details' answers in the language the person was reading."""
    return f"{topic}@{language}"


def from_button(value: str) -> tuple[str, str | None]:
    """The topic and language a button carries (a button from before languages: no language)."""
    topic, _, language = value.partition("@")
    return topic, (language or None)
