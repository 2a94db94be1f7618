"""*Helpful* / *Not helpful* under a Discord answer, the same over HTTP interactions and the
gateway: one vote per person per message (the person as a keyed hash); *Not helpful* answers
with a one-line "What was missing?" form, kept redacted with the unanswered questions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapters.discord_app import render
from bot.i18n import DEFAULT, words

if TYPE_CHECKING:
    from adapters.insights import Insights

MAX_MISSING = 300


async def voted(
    insights: Insights | None,
    kind: str,
    topic: str,
    language: str | None,
    user: str,
    answer: str,
) -> dict[str, Any]:
    """The response to a vote button (`kind` yes or no) on message `answer`."""
    language = language or DEFAULT
    helpful = kind == "yes"
    first = True
    if insights is not None and user:
        first = await insights.vote("discord", user, answer, topic, language, helpful)
    if not first:
        return render.notice(words(language)("feedback.already"))
    if helpful:
        return render.notice(words(language)("feedback.thanks"))
    return render.missing_form(topic, language)


def missing(insights: Insights | None, custom_id: str, typed: str, user: str) -> dict[str, Any]:
    """Keep what the form said was missing, redacted, and thank the person privately."""
    language = (custom_id.rpartition("@")[2] or DEFAULT)[:2]
    if insights is not None and typed.strip() and user:
        insights.unanswered(typed[:MAX_MISSING], "discord", user, language, "not-helpful")
    return render.notice(words(language)("feedback.missing_thanks"))
