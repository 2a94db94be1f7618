"""Questions asked in conversation on Discord: a direct message to the bot, or a message that
mentions it (mentions and DMs carry their text without the privileged message-content intent).

A mention is answered as a reply to it. What others must not see (a routed topic, pasted
identifiers) goes to the person's DMs, with one neutral public line. A DM is private by
nature: everything is answered there. Other bots, this one, and system messages are ignored.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

import discord

from adapters.bursts import BurstLimit, Turn
from adapters.conversations import Conversations
from adapters.discord_app import render
from bot import i18n
from bot.answer.language import of_locale
from bot.core import Engine
from bot.reply import Platform, Query, Reply, Visibility

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@!?\d+>")
_ANSWERED = (discord.MessageType.default, discord.MessageType.reply)


class DiscordMessages:
    """`on_message` for the gateway client: decides whether to answer, then answers."""

    def __init__(
        self,
        engine: Engine,
        conversations: Conversations,
        bursts: BurstLimit,
        as_arguments: Callable[[dict[str, Any]], dict[str, Any]],
        plan_of: Callable[[str, str], str | None] = lambda guild, channel: None,
        locale_of: Callable[[str, str | None], str | None] = lambda guild, locale: locale,
        missed: Callable[[Reply, str, str], None] = lambda reply, text, user: None,
    ) -> None:
        """`plan_of(guild, channel)` is the plan that answers there (None: the default);
        `locale_of(guild, locale)` the guild's language if it has one set, else `locale`."""
        self._plan_of, self._locale_of, self._missed = plan_of, locale_of, missed
        self._engine = engine
        self._conversations = conversations
        self._bursts = bursts
        self._as_arguments = as_arguments
        """The renderer's payload as discord.py `send` arguments (embeds, buttons)."""

    async def on_message(self, me: discord.ClientUser | None, message: discord.Message) -> None:
        if message.author.bot or message.type not in _ANSWERED or me is None:
            return
        direct = message.guild is None
        if not direct and me not in message.mentions:
            return
        try:
            await self._answer(message, direct)
        except Exception:
            log.exception("discord conversation reply failed")

    async def _answer(self, message: discord.Message, direct: bool) -> None:
        locale = str(message.guild.preferred_locale) if message.guild else None
        if message.guild:
            locale = self._locale_of(str(message.guild.id), locale)
        if not direct:
            turn = self._bursts.turn(str(message.channel.id))
            if turn is not Turn.ANSWER:
                if turn is Turn.NOTICE:
                    busy = i18n.words(of_locale(locale) or i18n.DEFAULT)("conversation.busy")
                    await message.reply(busy, allowed_mentions=discord.AllowedMentions.none())
                return
        key = _thread_key(message)
        query = Query(
            _MENTION.sub(" ", message.content).strip(),
            Platform.DISCORD,
            locale=locale,
            posted=True,
            follows=self._conversations.topic(key),
            plan=self._plan_of(
                str(message.guild.id) if message.guild else "", str(message.channel.id)
            ),
        )
        reply = await self._engine.handle(query)
        self._missed(reply, query.text, str(message.author.id))
        self._conversations.answered(key, reply.topic_id)
        if direct:
            await message.channel.send(**self._posted(reply))
        elif reply.visibility is Visibility.SHAREABLE:
            await message.reply(**self._posted(reply))
        else:
            await self._privately(message, reply)

    def _posted(self, reply: Reply) -> dict[str, Any]:
        return self._as_arguments(render.message(reply, shared=True))

    async def _privately(self, message: discord.Message, reply: Reply) -> None:
        """The answer in the person's DMs; in public only that it was sent (or couldn't be)."""
        said = i18n.words(reply.language)
        try:
            await message.author.send(**self._posted(reply))
            line = said("conversation.answered_privately")
        except discord.HTTPException:  # DMs closed for this server
            line = said("conversation.use_command")
        await message.reply(line, allowed_mentions=discord.AllowedMentions.none())


def _thread_key(message: discord.Message) -> str:
    """Follow-ups belong to the DM or thread they were asked in."""
    return f"discord:{message.channel.id}"
