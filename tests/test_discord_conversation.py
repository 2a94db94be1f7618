"""Discord conversations without a gateway: raw MESSAGE_CREATE payloads go through discord.py's
own state parser to the client's `on_message`; replies land on the loopback fake API."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import discord

from adapters.discord_app.gateway import GatewayBot
from bot.i18n import words
from tests.test_discord_gateway import (
    BOT_USER,
    USER,
    FakeDiscord,
    bot,
    message_payload,
)

__all__ = ["bot"]  # the fixture, shared with the gateway tests
GUILD = "555"
Bot = tuple[GatewayBot, FakeDiscord]


def logged_in(client: GatewayBot) -> None:
    """What READY does: the client learns who it is."""
    client._connection.user = discord.ClientUser(state=client._connection, data=BOT_USER)
    ready = asyncio.Event()  # what logging in sets up for rate limits
    ready.set()
    client.http._global_over = ready
    client._connection._add_guild_from_data(
        {
            "id": GUILD,
            "name": "Benefits",
            "preferred_locale": "en-US",
            "channels": [{"id": "333", "type": 0, "name": "benefits", "position": 0}],
            "roles": [],
            "members": [],
            "owner_id": "1",
        }
    )


async def say(
    client: GatewayBot, fake: FakeDiscord, payload: dict[str, Any], replies: int = 1
) -> list[tuple[str, dict[str, Any]]]:
    before = len(fake.messages)
    client._connection.parse_message_create(payload)  # the gateway's own dispatch
    for _ in range(1000 if replies else 20):
        if len(fake.messages) >= before + replies and replies:
            break
        await asyncio.sleep(0.01)
    return fake.messages[before:]


def in_guild(content: str, *, mention: bool = True, **extra: Any) -> dict[str, Any]:
    text = f"<@{BOT_USER['id']}> {content}" if mention else content
    mentions = [BOT_USER] if mention else []
    return message_payload("333", text, guild_id=GUILD, mentions=mentions, **extra)


def in_dm(content: str, **extra: Any) -> dict[str, Any]:
    return message_payload("777", content, **extra)


async def test_a_mention_gets_a_reply_with_buttons(bot: Bot) -> None:
    client, fake = bot
    logged_in(client)
    asked = in_guild("@everyone what's the specialty number?")
    ((channel, sent),) = await say(client, fake, asked)
    assert channel == "333"
    assert str(sent["message_reference"]["message_id"]) == asked["id"]
    assert "1-800-237-2767" in json.dumps(sent)
    assert sent["allowed_mentions"]["parse"] == []
    assert sent["components"]  # the same buttons as /caremark


async def test_a_dm_is_answered_and_followed_up(bot: Bot) -> None:
    client, fake = bot
    logged_in(client)
    ((channel, first),) = await say(client, fake, in_dm("what's the specialty number?"))
    assert channel == "777" and "1-800-237-2767" in json.dumps(first)
    ((_, spanish),) = await say(client, fake, in_dm("en español por favor"))
    assert "caremark:lang:specialty@en" in json.dumps(spanish)  # still specialty, now Spanish
    # A routed topic is fine in a DM: it is private already.
    ((channel, _),) = await say(client, fake, in_dm("my claim was denied, how do I appeal?"))
    assert channel == "777"


async def test_private_answers_go_to_dms_with_one_neutral_public_line(bot: Bot) -> None:
    client, fake = bot
    logged_in(client)
    posted = await say(client, fake, in_guild("my ssn is 123-45-6789 where's my order"), 2)
    assert [c for c, _ in posted] == ["9000", "333"]
    assert posted[1][1]["content"] == words("en")("conversation.answered_privately")
    assert all("6789" not in json.dumps(p) for _, p in posted)


async def test_closed_dms_are_said_plainly(bot: Bot) -> None:
    client, fake = bot
    logged_in(client)
    fake.dms_closed = True
    posted = await say(client, fake, in_guild("how do I appeal a denied claim?"))
    assert posted == [("333", posted[0][1])]
    assert posted[0][1]["content"] == words("en")("conversation.use_command")


async def test_it_speaks_only_when_spoken_to(bot: Bot) -> None:
    client, fake = bot
    logged_in(client)
    quiet = [
        in_guild("what are the hours?", mention=False),
        in_guild("hours", author={**USER, "id": "4242", "bot": True}),
        in_dm("hours", author=BOT_USER),
        in_guild("hours", type=7),  # a member joined: a system message
    ]
    for payload in quiet:
        assert await say(client, fake, payload, replies=0) == []
