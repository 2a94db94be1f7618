"""Gateway mode without a gateway: raw INTERACTION_CREATE payloads go through discord.py's own
state parser, command tree and dynamic items; the callbacks land on a loopback fake of
Discord's HTTP API. (This reaches into a few private discord.py attributes; kept to smoke tests.)
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.discord_app import render
from adapters.discord_app.commands import command
from adapters.discord_app.gateway import CaremarkButton, GatewayBot, SpecTranslator
from bot.core import Engine
from tests.conftest import ROOT
from tests.discord_limits import violations

USER = {
    "id": "444",
    "username": "someone",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
}


BOT_USER = {**USER, "id": "999", "username": "caremark", "bot": True}


def message_payload(
    channel: str, content: str, *, author: dict[str, Any] = USER, **extra: Any
) -> dict[str, Any]:
    """A MESSAGE_CREATE payload as the gateway sends it."""
    return {
        "id": str(abs(hash((channel, content, len(extra)))) % 10**17 + 10**17),
        "channel_id": channel,
        "author": author,
        "content": content,
        "timestamp": "2026-11-24T21:00:00.000000+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        **extra,
    }


def _json(data: dict[str, Any]) -> web.Response:
    """JSON as Discord sends it: discord.py parses only `application/json`, no charset."""
    return web.Response(body=json.dumps(data).encode(), content_type="application/json")


class FakeDiscord:
    def __init__(self) -> None:
        self.callbacks: list[dict[str, Any]] = []
        app = web.Application()
        self.messages: list[tuple[str, dict[str, Any]]] = []
        """Messages posted with the bot token: (channel id, payload)."""
        self.dms_closed = False
        app.router.add_post("/api/v10/interactions/{id}/{token}/callback", self.record)
        app.router.add_post("/api/v10/channels/{channel}/messages", self.post_message)
        app.router.add_post("/api/v10/users/@me/channels", self.open_dm)
        self.server = TestServer(app, host="127.0.0.1")

    async def post_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if request.content_type == "application/json":
            payload = await request.json()
        else:
            payload = json.loads(str((await request.post())["payload_json"]))
        if channel == "9000" and self.dms_closed:
            return web.json_response({"code": 50007, "message": "Cannot send"}, status=403)
        self.messages.append((channel, payload))
        return _json(message_payload(channel, "bot reply", author=BOT_USER))

    async def open_dm(self, request: web.Request) -> web.Response:
        return _json({"id": "9000", "type": 1, "recipients": [USER]})

    async def record(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            self.callbacks.append(await request.json())
        else:  # multipart: the JSON travels as payload_json
            form = await request.post()
            self.callbacks.append(json.loads(str(form["payload_json"])))
        kind = self.callbacks[-1]["type"]
        return web.json_response(
            {  # Discord's reply when asked `with_response=true`
                "interaction": {
                    "id": request.match_info["id"],
                    "type": 2,
                    "response_message_id": "777",
                    "response_message_loading": False,
                    "response_message_ephemeral": False,
                },
                "resource": {"type": kind},
            }
        )

    async def wait(self, count: int) -> list[dict[str, Any]]:
        for _ in range(500):
            if len(self.callbacks) >= count:
                break
            await asyncio.sleep(0.01)
        return self.callbacks


@pytest.fixture
async def bot(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[GatewayBot, FakeDiscord]]:
    fake = FakeDiscord()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    client = GatewayBot(engine)
    await client._async_setup_hook()  # what logging in does: bind the client to this loop
    client.add_dynamic_items(CaremarkButton)  # what setup_hook does on login
    session = aiohttp.ClientSession()
    client.http._HTTPClient__session = session  # type: ignore[attr-defined]
    yield client, fake
    await session.close()
    await fake.server.close()


def interaction(kind: int, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "111",
        "application_id": "222",
        "type": kind,
        "token": "tok",
        "version": 1,
        "locale": "en-GB",
        "channel_id": "333",
        "user": USER,
        "data": data,
        "app_permissions": "0",
        "entitlements": [],
        "attachment_size_limit": 8388608,
        **extra,
    }


def caremark(*options: dict[str, Any]) -> dict[str, Any]:
    """The data of a `/caremark` command interaction, with these options."""
    data: dict[str, Any] = {"id": "5", "name": "caremark", "type": 1}
    return {**data, "options": list(options)} if options else data


def deliver(client: GatewayBot, payload: dict[str, Any]) -> None:
    client._connection.parse_interaction_create(payload)  # the gateway's own dispatch


async def test_slash_command_through_the_tree(bot: tuple[GatewayBot, FakeDiscord]) -> None:
    client, fake = bot
    deliver(
        client,
        interaction(2, caremark({"name": "topic", "type": 3, "value": "@everyone specialty"})),
    )
    (callback,) = await fake.wait(1)
    assert callback["type"] == 4
    data = callback["data"]
    assert data["flags"] & render.EPHEMERAL
    assert data["allowed_mentions"]["parse"] == []
    assert "1-800-237-2767" in json.dumps(data)
    ids = [
        c["custom_id"] for row in data["components"] for c in row["components"] if "custom_id" in c
    ]
    assert "caremark:share:specialty@en" in ids
    assert violations({**data, "allowed_mentions": {"parse": []}}) == []


async def test_bare_command_gives_help(bot: tuple[GatewayBot, FakeDiscord]) -> None:
    client, fake = bot
    deliver(client, interaction(2, caremark()))
    (callback,) = await fake.wait(1)
    assert callback["data"]["embeds"][0]["title"] == "What I can help with"


async def test_autocomplete_through_the_tree(bot: tuple[GatewayBot, FakeDiscord]) -> None:
    client, fake = bot
    deliver(
        client,
        interaction(4, caremark({"name": "topic", "type": 3, "value": "spec", "focused": True})),
    )
    (callback,) = await fake.wait(1)
    assert callback["type"] == 8
    choices = callback["data"]["choices"]
    assert choices[0] == {"name": "CVS Specialty pharmacy", "value": "specialty"}
    assert len(choices) <= 25


async def test_buttons_work_without_the_original_view(bot: tuple[GatewayBot, FakeDiscord]) -> None:
    """After a restart no view is stored: the dynamic item matches the custom id alone."""
    client, fake = bot
    message = message_payload(
        "333",
        "",
        id="999",
        flags=64,
        components=[
            {
                "type": 1,
                "components": [
                    {
                        "type": 2,
                        "style": 1,
                        "label": "Share in channel",
                        "custom_id": "caremark:share:specialty",
                    },
                    {"type": 2, "style": 2, "label": "Hours", "custom_id": "caremark:topic:hours"},
                ],
            }
        ],
    )
    deliver(
        client,
        interaction(
            3, {"custom_id": "caremark:share:specialty", "component_type": 2}, message=message
        ),
    )
    deliver(
        client,
        interaction(3, {"custom_id": "caremark:topic:hours", "component_type": 2}, message=message),
    )
    callbacks = await fake.wait(2)
    kinds = sorted(c["type"] for c in callbacks)
    assert kinds == [4, 7]  # share posts a new public message; the topic updates in place
    shared = next(c for c in callbacks if c["type"] == 4)["data"]
    assert not shared.get("flags", 0) & render.EPHEMERAL


def test_no_privileged_intents(engine: Engine) -> None:
    intents = GatewayBot(engine).intents
    assert not (intents.members or intents.presences or intents.message_content)
    assert intents.guilds and intents.guild_messages and intents.dm_messages  # mentions, DMs


async def test_tree_registers_exactly_the_printed_command(engine: Engine) -> None:
    client = GatewayBot(engine)
    registered = client.tree.get_command("caremark")
    assert registered is not None
    printed = command(engine.knowledge)
    translator = SpecTranslator(printed)
    as_sent = await registered.get_translated_payload(client.tree, translator)
    assert {k: as_sent[k] for k in printed} == printed
    assert printed["description_localizations"].keys() == {"es-ES", "es-419"}
    assert printed["integration_types"] == [0, 1]  # a server install, or a person's own
    assert printed["contexts"] == [0, 1, 2]  # servers, the bot's DMs, group DMs


def test_command_follows_discord_naming_and_size_rules(engine: Engine) -> None:
    spec = command(engine.knowledge)
    import re

    name_rule = re.compile(r"^[-_'\w]{1,32}$")
    assert name_rule.match(spec["name"]) and spec["name"] == spec["name"].lower()
    assert 1 <= len(spec["description"]) <= 100
    assert len(spec["options"]) <= 25
    for option in spec["options"]:
        assert name_rule.match(option["name"]) and 1 <= len(option["description"]) <= 100
    total = (
        len(spec["name"])
        + len(spec["description"])
        + sum(len(o["name"]) + len(o["description"]) for o in spec["options"])
    )
    assert total <= 8000


def test_sigterm_closes_the_client_cleanly() -> None:
    """The gateway runner exits 0 on SIGTERM (here before it ever reaches Discord)."""
    script = (
        "import asyncio, discord\n"
        "from adapters.discord_app import gateway\n"
        "from bot.core import Engine\n"
        "async def never(self, token, *, reconnect=True):\n"
        "    await asyncio.Event().wait()\n"
        "discord.Client.start = never\n"
        "print('ready', flush=True)\n"
        "asyncio.run(gateway.run(Engine.from_files(), 'token'))\n"
        "print('closed', flush=True)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    import time

    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0 and "closed" in out


async def test_the_gateway_asks_a_fast_asker_to_slow_down_and_shares_once(
    bot: tuple[GatewayBot, FakeDiscord],
) -> None:
    client, fake = bot
    client.asks_per_minute = 2
    for _ in range(3):
        deliver(client, interaction(2, caremark({"name": "topic", "type": 3, "value": "hours"})))
    callbacks = await fake.wait(3)
    slowed = [c for c in callbacks if "asked a lot" in json.dumps(c)]
    assert len(slowed) == 1 and slowed[0]["data"]["flags"] & render.EPHEMERAL
    share = {"custom_id": "caremark:share:specialty", "component_type": 2}
    button = {"type": 2, "style": 1, "label": "Share in channel", **share}
    rows = [{"type": 1, "components": [{k: v for k, v in button.items() if k != "component_type"}]}]
    message = message_payload("333", "", id="998", flags=64, components=rows)
    for _ in range(2):
        deliver(client, interaction(3, share, message=message))
    later = (await fake.wait(5))[3:]
    assert (
        sum("just_shared" in json.dumps(c) or "a moment ago" in json.dumps(c) for c in later) == 1
    )
