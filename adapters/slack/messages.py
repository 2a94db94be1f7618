"""Questions asked in conversation: an @mention in a channel or thread, a direct message, and
a follow-up in a thread the bot already answered in.

A mention is answered in its thread. What must not be seen by others (a routed topic, a
message with pasted identifiers) is answered privately, with one neutral line in the thread
that never repeats what was typed. A DM is private by nature: everything is answered there.
The bot ignores other bots, its own messages, edits and every message subtype.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background
from adapters.bursts import BurstLimit, Turn
from adapters.conversations import Conversations
from adapters.logs import reference
from adapters.slack import render
from bot import i18n
from bot.answer.language import of_locale
from bot.reply import Platform, Query, Reply, Visibility

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(\|[^>]*)?>")

Ask = Callable[[Query], Awaitable[Reply]]
Locale = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Said:
    """One message worth answering: where it was, who wrote it, and where to reply."""

    channel: str
    user: str
    text: str
    thread: str
    """The thread to answer in: the message's own thread, or the message itself."""
    direct: bool
    team: str = ""


def said(event: dict[str, Any], bot_user: str | None, team: str = "") -> Said | None:
    """The message in an `app_mention` or `message` event, or None for what is never
    answered: bots (this one included), edits, deletions and other subtypes."""
    if event.get("bot_id") or event.get("subtype") or not isinstance(event.get("text"), str):
        return None
    user, channel = event.get("user"), event.get("channel")
    if not isinstance(user, str) or not isinstance(channel, str) or user == bot_user:
        return None
    thread = event.get("thread_ts") or event.get("ts")
    if not isinstance(thread, str):
        return None
    direct = event.get("channel_type") == "im"
    text = _MENTION.sub(" ", event["text"]).strip()
    return Said(channel, user, text, thread, direct, team)


def bot_user_of(body: dict[str, Any]) -> str | None:
    """This bot's user id, from the event's `authorizations`."""
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot"):
            user = authorization.get("user_id")
            return user if isinstance(user, str) else None
    return None


class Messages:
    """The listeners for `app_mention` and `message` events."""

    def __init__(
        self,
        ask: Ask,
        locale: Locale,
        background: Background,
        conversations: Conversations,
        bursts: BurstLimit,
        plan_of: Callable[[str, str], str | None] = lambda team, channel: None,
        missed: Callable[[Reply, str, str], None] = lambda reply, text, user: None,
    ) -> None:
        """`plan_of(team, channel)` is the plan that answers there (None: the default);
        `missed(reply, text, user)` hears of every answer, to keep what found nothing."""
        self._ask, self._locale, self._plan_of = ask, locale, plan_of
        self._missed = missed
        self._background = background
        self._conversations = conversations
        self._bursts = bursts

    async def mention(
        self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """`@caremark …` in a channel or thread: answered in its thread, after the ack."""
        message = said(event, bot_user_of(body), str(body.get("team_id") or ""))
        if message is not None:
            self._background.spawn(self._guarded(self._answer(message, client)))

    async def message(
        self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        """A DM, or a reply in a thread this bot answered in; a message that mentions the bot
        is the `app_mention` listener's, so it is answered once."""
        bot = bot_user_of(body)
        message = said(event, bot, str(body.get("team_id") or ""))
        if message is None or (bot and f"<@{bot}" in event.get("text", "")):
            return
        if message.direct or self._key(message) in self._conversations:
            self._background.spawn(self._guarded(self._answer(message, client)))

    def _key(self, message: Said) -> str:
        return f"slack:{message.channel}:{message.thread}"

    async def _answer(self, message: Said, client: AsyncWebClient) -> None:
        key = self._key(message)
        if not message.direct:
            turn = self._bursts.turn(message.channel)
            if turn is not Turn.ANSWER:
                if turn is Turn.NOTICE:
                    notice = i18n.words(self._language_of(message))("conversation.busy")
                    await client.chat_postMessage(
                        channel=message.channel, thread_ts=message.thread, text=notice
                    )
                return
        query = Query(
            message.text,
            Platform.SLACK,
            locale=self._locale(message.user),
            posted=True,
            follows=self._conversations.topic(key),
            plan=self._plan_of(message.team, message.channel),
        )
        reply = await self._ask(query)
        self._missed(reply, message.text, message.user)
        self._conversations.answered(key, reply.topic_id)
        if message.direct:
            await client.chat_postMessage(channel=message.channel, **_posted(reply, public=False))
        elif reply.visibility is Visibility.SHAREABLE:
            await client.chat_postMessage(
                channel=message.channel, thread_ts=message.thread, **_posted(reply, public=True)
            )
        else:
            await client.chat_postEphemeral(
                channel=message.channel,
                user=message.user,
                thread_ts=message.thread,
                **_posted(reply, public=False),
            )
            said_privately = i18n.words(reply.language)("conversation.answered_privately")
            await client.chat_postMessage(
                channel=message.channel, thread_ts=message.thread, text=said_privately
            )

    def _language_of(self, message: Said) -> str:
        return of_locale(self._locale(message.user)) or i18n.DEFAULT

    async def _guarded(self, work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:
            log.exception("slack conversation reply failed", extra={"reference": reference()})


def _posted(reply: Reply, *, public: bool) -> dict[str, Any]:
    """A reply as `chat.postMessage` arguments: the message without `response_type`."""
    message = render.message(reply, shared=public, note=False)
    return {"text": message["text"], "blocks": message["blocks"]}
