"""*Helpful* / *Not helpful* under every answer, through the real Bolt and discord.py stacks
and the Discord HTTP endpoint: one vote per person per message, counted with the person as
a keyed hash; *Not helpful* opens "What was missing?", kept redacted."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import report
from adapters.discord_app import render as discord_render
from adapters.discord_app.gateway import CaremarkButton, GatewayBot
from adapters.insights import Insights
from adapters.settings import SlackSettings
from adapters.slack.feedback import MISSING
from adapters.store.database import connect, upgrade
from adapters.web import Slack, create_app
from bot.core import Engine
from tests.discord_fakes import IDS, PUBLIC, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    command_body,
    signed_headers,
    start_fake_slack,
)
from tests.stores import url
from tests.test_discord_gateway import FakeDiscord, deliver, interaction, message_payload

__all__ = ["url"]  # the fixture, from tests/stores.py
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
async def collected(url: str) -> AsyncIterator[Insights]:
    upgrade(url)
    db = connect(url)
    yield Insights(db, retention=90, today=lambda: TODAY)
    await db.dispose()


async def stored(db: AsyncEngine, table: str) -> list[Any]:
    async with db.connect() as connection:
        return list((await connection.execute(text(f"select * from {table}"))).all())


@pytest.fixture
async def slack(
    engine: Engine, collected: Insights
) -> AsyncIterator[tuple[TestClient[Any, Any], FakeSlack]]:
    fake = await start_fake_slack()
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url))
    chat.answers.insights = collected
    client = TestClient(TestServer(create_app(engine, chat), host="127.0.0.1"))
    await client.start_server()
    yield client, fake
    await client.close()
    await fake.server.close()


async def post(client: TestClient[Any, Any], payload: dict[str, Any]) -> None:
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    response = await client.post("/slack/events", data=body, headers=signed_headers(body))
    assert response.status == 200


def press(action_id: str, value: str, user: str, fake: FakeSlack) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST",
        "trigger_id": f"{next(IDS)}.1.2",  # unique, as Slack's are: no two share a signature
        "response_url": fake.response_url,
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "C0TEST",
            "is_ephemeral": True,
        },
        "channel": {"id": "C0TEST"},
        "actions": [
            {"type": "button", "action_id": action_id, "value": value, "block_id": "feedback",
             "action_ts": "1"}
        ],
    }  # fmt: skip


async def test_slack_votes_once_and_asks_what_was_missing(
    slack: tuple[TestClient[Any, Any], FakeSlack], collected: Insights
) -> None:
    client, fake = slack
    body = command_body("specialty")
    answer = await (
        await client.post("/slack/events", data=body, headers=signed_headers(body))
    ).json()
    (votes,) = [b for b in answer["blocks"] if b.get("block_id") == "feedback"]
    yes, no = votes["elements"]
    assert [yes["text"]["text"], no["text"]["text"]] == ["👍 Helpful", "👎 Not helpful"]

    await post(client, press(yes["action_id"], yes["value"], "U0ANA", fake))
    await post(client, press(yes["action_id"], yes["value"], "U0ANA", fake))
    await post(client, press(no["action_id"], no["value"], "U0BEN", fake))
    await fake.wait_for_posts(3)
    said = [json.dumps(d) for p, d in fake.posts if p == "/response/1"]
    assert "Thanks for telling us" in said[0] and "already told us" in said[1]
    (opened,) = [d for p, d in fake.posts if p == "/api/views.open"]
    form = json.loads(opened["view"]) if isinstance(opened["view"], str) else opened["view"]
    assert form["callback_id"] == MISSING and form["title"]["text"] == "What was missing?"

    submission = {
        "type": "view_submission",
        "user": {"id": "U0BEN"},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": MISSING,
            "private_metadata": "en",
            "state": {"values": {"missing": {"text": {"type": "plain_text_input",
                      "value": "the fax for prior auth, my id is 123-45-6789"}}}},
        },
    }  # fmt: skip
    await post(client, submission)
    await collected.flush()
    made = await report.build(collected.db, TODAY, TODAY)
    assert made.helpful == [("specialty", 1, 2)]
    (kept,) = await stored(collected.db, "unanswered")
    assert "6789" not in json.dumps([str(v) for v in kept]) and kept.why == "not-helpful"
    assert "U0BEN" not in json.dumps(
        [str(v) for row in await stored(collected.db, "feedback_votes") for v in row]
    )


def discord_press(custom_id: str, user: str) -> dict[str, Any]:
    return {
        "type": 3,
        "id": str(next(IDS)),
        "application_id": "2",
        "token": "t",
        "locale": "es-419",
        "guild_id": "500",
        "channel_id": "600",
        "member": {"user": {"id": user, "username": "x"}, "permissions": "0", "roles": []},
        "message": {"id": "990", "flags": 64},
        "data": {"custom_id": custom_id, "component_type": 2},
    }


async def test_discord_votes_over_http_and_the_form_is_kept(
    engine: Engine, collected: Insights
) -> None:
    app = create_app(engine, discord_key=PUBLIC, insights=collected)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()

    async def send(payload: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(payload).encode()
        response = await client.post("/discord/interactions", data=body, headers=sign(body))
        answer: dict[str, Any] = await response.json()
        return answer

    try:
        from bot.reply import Platform, Query

        shown = discord_render.message(await engine.handle(Query("specialty", Platform.DISCORD)))
        ids = [c.get("custom_id") for r in shown["components"] for c in r["components"]]
        assert "caremark:yes:specialty@en" in ids and "caremark:no:specialty@en" in ids
        yes, no = "caremark:yes:specialty@es", "caremark:no:specialty@es"
        thanked = await send(discord_press(yes, "1001"))
        assert "Gracias por decírnoslo" in thanked["data"]["content"]
        assert "Ya nos dio" in (await send(discord_press(yes, "1001")))["data"]["content"]
        form = await send(discord_press(no, "1002"))
        assert form["type"] == 9 and form["data"]["title"] == "¿Qué le faltó?"
        submit = {
            "type": 5,
            "id": str(next(IDS)),
            "application_id": "2",
            "token": "t",
            "locale": "es-419",
            "channel_id": "600",
            "member": {"user": {"id": "1002", "username": "x"}, "permissions": "0", "roles": []},
            "data": {
                "custom_id": form["data"]["custom_id"],
                "components": [
                    {
                        "type": 18,
                        "id": 1,
                        "component": {
                            "type": 4,
                            "custom_id": "missing",
                            "value": "el fax, llamen al 555-867-5309",
                        },
                    }
                ],
            },
        }  # fmt: skip
        assert "Gracias" in (await send(submit))["data"]["content"]
        await collected.flush()
    finally:
        await client.close()
    made = await report.build(collected.db, TODAY, TODAY)
    assert made.helpful == [("specialty", 1, 2)]
    (kept,) = await stored(collected.db, "unanswered")
    assert kept.text == "el fax, llamen al #" and kept.language == "es"


async def test_discord_votes_through_the_gateway(
    engine: Engine, collected: Insights, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeDiscord()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    bot = GatewayBot(engine)
    bot.insights = collected
    await bot._async_setup_hook()
    bot.add_dynamic_items(CaremarkButton)
    session = aiohttp.ClientSession()
    bot.http._HTTPClient__session = session  # type: ignore[attr-defined]
    try:
        button = {
            "type": 2,
            "style": 2,
            "label": "👍 Helpful",
            "custom_id": "caremark:yes:hours@en",
        }
        rows = [{"type": 1, "components": [button]}]
        message = message_payload("333", "", id="997", flags=64, components=rows)
        data = {"custom_id": "caremark:yes:hours@en", "component_type": 2}
        deliver(bot, interaction(3, data, message=message))
        (callback,) = await fake.wait(1)
        assert "Thanks for telling us" in callback["data"]["content"]
    finally:
        await session.close()
        await fake.server.close()
    assert (await report.build(collected.db, TODAY, TODAY)).helpful == [("hours", 1, 1)]
