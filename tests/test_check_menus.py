"""Checking someone's message from its menu: Slack's message shortcut (with the message's
blocks and files) through Bolt and the HTTP endpoint, with the plan admins' thread warning;
Discord's *Check contacts* as a signed HTTP interaction (`data.type` 3, `resolved.messages`)
and through discord.py's gateway tree. Verdicts are private and repeat nothing suspicious."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.desk import Admins
from adapters.discord_app import render as discord_render
from adapters.discord_app.commands import check_command
from adapters.discord_app.gateway import GatewayBot, SpecTranslator
from adapters.settings import SlackSettings
from adapters.slack.admin import SlackAdmin
from adapters.slack.check import CALLBACK, WARN
from adapters.slack.manifest import SHORTCUT_NAME, manifest
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from tests.discord_fakes import IDS, PUBLIC, sign
from tests.slack_fakes import BOT_TOKEN, SECRET, FakeSlack, signed_headers, start_fake_slack
from tests.test_discord_gateway import FakeDiscord, deliver, interaction

ADMIN, EMPLOYEE = "U0ADMIN", "U0EMPLOYEE"
SCAM = (
    "Hi, CVS Caremark here: your specialty order is on hold. Call 1-800-237-2765 or log in at "
    "https://caremark.com.secure-login.info/verify and reply with your member ID."
)
SUSPICIOUS = ("2765", "secure-login", "verify")


@dataclass
class Site:
    client: TestClient[Any, Any]
    fake: FakeSlack

    async def send(self, payload: dict[str, Any]) -> int:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        response = await self.client.post("/slack/events", data=body, headers=signed_headers(body))
        return response.status

    async def replies(self, count: int) -> list[dict[str, Any]]:
        await self.fake.wait_for_posts(count)
        return [data for path, data in self.fake.posts if path == "/response/1"]


@pytest.fixture
async def site(planned_kb: Knowledge) -> AsyncIterator[Site]:
    fake = await start_fake_slack()
    fake.people = {ADMIN: {"real_name": "Avery"}, EMPLOYEE: {"real_name": "Sam"}}
    engine = Engine(planned_kb)
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url))
    answers = chat.answers
    assert answers.clients is not None
    answers.admin = SlackAdmin(
        lambda: None,  # type: ignore[arg-type,return-value]  # no plan store needed here
        Admins(frozenset({ADMIN})),
        answers.clients,
        answers.background,
    )
    client = TestClient(TestServer(create_app(engine, chat), host="127.0.0.1"))
    await client.start_server()
    yield Site(client, fake)
    await client.close()
    await fake.server.close()


def message_action(user: str, response_url: str, text: str = SCAM) -> dict[str, Any]:
    """A `message_action` payload as Slack sends it for a message shortcut."""
    return {
        "type": "message_action",
        "token": "legacy",
        "action_ts": "1700000100.000200",
        "team": {"id": "T0TEST", "domain": "acme"},
        "user": {"id": user, "username": "someone", "team_id": "T0TEST"},
        "channel": {"id": "C0BENEFITS", "name": "benefits"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": CALLBACK,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "response_url": response_url,
        "message_ts": "1700000000.000100",
        "message": {
            "type": "message",
            "user": "U0COLLEAGUE",
            "ts": "1700000000.000100",
            "team": "T0TEST",
            "text": "got this text, is it real?",
            "blocks": [
                {
                    "type": "rich_text",
                    "block_id": "Xy1",
                    "elements": [
                        {
                            "type": "rich_text_section",
                            "elements": [
                                {"type": "text", "text": "got this text, is it real? "},
                                {"type": "text", "text": text},
                            ],
                        }
                    ],
                }
            ],
            "files": [{"id": "F0FILE", "name": "screenshot.png", "title": "cvs-caremark-help.net"}],
        },
    }


def shown_text(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


async def test_the_slack_shortcut_answers_privately_and_repeats_nothing(site: Site) -> None:
    assert await site.send(message_action(EMPLOYEE, site.fake.response_url)) == 200
    (reply,) = await site.replies(1)
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    said = shown_text(reply)
    assert "The number in the message looks like a scam" in said
    assert "The first link in the message looks like a scam" in said  # the message's link
    assert "The second link in the message looks like a scam" in said  # the file's title
    assert "The message itself looks like a scam" in said
    assert "1-800-237-2767" in said  # the trusted number it imitates
    assert not any(value in said for value in (*SUSPICIOUS, "cvs-caremark-help"))
    assert WARN not in said  # only plan admins may post a warning


async def test_a_plan_admin_can_post_a_neutral_warning_in_the_thread(site: Site) -> None:
    assert await site.send(message_action(ADMIN, site.fake.response_url)) == 200
    (reply,) = await site.replies(1)
    (button,) = [
        e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == WARN
    ]  # fmt: skip
    assert button["text"]["text"] == "Post a warning in the thread"
    press = {
        "type": "block_actions",
        "user": {"id": ADMIN},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST",
        "trigger_id": "1.2.3",
        "response_url": site.fake.response_url,
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C0BENEFITS"},
        "channel": {"id": "C0BENEFITS"},
        "actions": [
            {
                "type": "button",
                "action_id": WARN,
                "value": button["value"],
                "block_id": "b",
                "action_ts": "1",
            }
        ],
    }
    assert await site.send(press) == 200
    await site.fake.wait_for_posts(3)
    (posted,) = [data for path, data in site.fake.posts if path == "/api/chat.postMessage"]
    assert posted["channel"] == "C0BENEFITS" and posted["thread_ts"] == "1700000000.000100"
    assert "member ID card" in posted["text"]
    assert not any(value in posted["text"] for value in SUSPICIOUS)
    assert "posted a short warning" in shown_text((await site.replies(2))[-1])

    stranger = {**press, "user": {"id": EMPLOYEE}}
    assert await site.send(stranger) == 200
    await site.fake.wait_for_posts(4)
    assert "for the people who look after" in shown_text((await site.replies(3))[-1])
    assert len([p for p, _ in site.fake.posts if p == "/api/chat.postMessage"]) == 1


def test_the_manifest_has_the_message_shortcut(kb: Knowledge) -> None:
    (shortcut,) = manifest(kb)["features"]["shortcuts"]
    assert shortcut["type"] == "message" and shortcut["callback_id"] == CALLBACK
    assert shortcut["name"] == SHORTCUT_NAME and len(SHORTCUT_NAME) <= 24
    assert len(shortcut["description"]) <= 80


def context_menu(message: dict[str, Any], locale: str = "en-US") -> dict[str, Any]:
    """*Check contacts* as Discord sends it over HTTP: an application command of type 3
    whose target message comes resolved."""
    return {
        "type": 2,
        "id": str(next(IDS)),
        "application_id": "2",
        "token": "t",
        "locale": locale,
        "guild_id": "500",
        "channel_id": "600",
        "member": {"user": {"id": "1002", "username": "sam"}, "permissions": "0", "roles": []},
        "data": {
            "id": "77",
            "name": "Check contacts",
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        },
    }


def discord_message(content: str) -> dict[str, Any]:
    return {
        "id": "900",
        "channel_id": "600",
        "type": 0,
        "content": content,
        "author": {"id": "1003", "username": "colleague"},
        "embeds": [{"title": "Refund ready", "url": "https://bit.ly/3refund"}],
        "attachments": [
            {
                "id": "1",
                "filename": "caremark-support.com.pdf",
                "size": 10,
                "url": "https://cdn.discordapp.com/attachments/1/2/file.pdf",
                "proxy_url": "https://media.discordapp.net/attachments/1/2/file.pdf",
            }
        ],
        "components": [],
        "timestamp": "2026-12-01T10:00:00+00:00",
    }


async def test_discord_check_contacts_over_http(planned_kb: Knowledge) -> None:
    app = create_app(Engine(planned_kb), discord_key=PUBLIC)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        for locale, expected in (("en-US", "looks like a scam"), ("es-419", "parece una estafa")):
            body = json.dumps(context_menu(discord_message(SCAM), locale)).encode()
            response = await client.post("/discord/interactions", data=body, headers=sign(body))
            answer = await response.json()
            assert answer["type"] == 4 and answer["data"]["flags"] & discord_render.EPHEMERAL
            said = shown_text(answer)
            assert expected in said and not any(v in said for v in (*SUSPICIOUS, "3refund"))
            assert "bit.ly" not in said and "caremark-support" not in said
    finally:
        await client.close()


async def test_discord_check_contacts_through_the_gateway(
    planned_kb: Knowledge, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDiscord()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    bot = GatewayBot(Engine(planned_kb))
    await bot._async_setup_hook()
    session = aiohttp.ClientSession()
    bot.http._HTTPClient__session = session  # type: ignore[attr-defined]
    try:
        message = discord_message(SCAM) | {"channel_id": "333"}
        data = context_menu(message)["data"] | {"guild_id": None}
        deliver(bot, interaction(2, data))
        (callback,) = await fake.wait(1)
        assert callback["data"]["flags"] & discord_render.EPHEMERAL
        said = shown_text(callback)
        assert "The number in the message looks like a scam" in said
        assert not any(value in said for value in SUSPICIOUS)
    finally:
        await session.close()
        await fake.server.close()


async def test_the_context_menu_is_registered_as_printed(planned_kb: Knowledge) -> None:
    bot = GatewayBot(Engine(planned_kb))
    spec = check_command()
    menu = bot.tree.get_command(spec["name"], type=discord.AppCommandType.message)
    assert menu is not None
    sent = await menu.get_translated_payload(bot.tree, SpecTranslator(spec))
    assert {k: sent[k] for k in spec} == spec
    assert spec["name_localizations"] == {
        "es-ES": "Revisar contactos",
        "es-419": "Revisar contactos",
    }
