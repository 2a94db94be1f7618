"""/discord/interactions over loopback, signed with a locally generated Ed25519 key."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict
from nacl.signing import SigningKey

from adapters.discord_app import render
from adapters.web import create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, Reply
from tests.corpus import DISCORD_BAD_HEADERS, DISCORD_NONSENSE
from tests.discord_fakes import IDS, PUBLIC, click, command, sign
from tests.discord_limits import violations


def autocomplete(typed: str) -> bytes:
    return json.dumps(
        {
            "type": 4,
            "id": str(next(IDS)),
            "token": "t",
            "data": {
                "name": "caremark",
                "type": 1,
                "options": [{"name": "topic", "type": 3, "value": typed, "focused": True}],
            },
        }
    ).encode()


async def client_for(engine: Engine) -> TestClient[Any, Any]:
    client = TestClient(TestServer(create_app(engine, discord_key=PUBLIC), host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def client(engine: Engine) -> AsyncIterator[TestClient[Any, Any]]:
    client = await client_for(engine)
    yield client
    await client.close()


async def post(client: TestClient[Any, Any], body: bytes) -> tuple[int, Any]:
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    return response.status, await response.json()


async def test_ping_gets_pong(client: TestClient[Any, Any]) -> None:
    assert await post(client, b'{"type": 1}') == (200, {"type": 1})


async def test_every_topic_by_command(kb: Knowledge, client: TestClient[Any, Any]) -> None:
    for topic in kb.topics:
        status, answer = await post(client, command(topic.id))
        assert status == 200 and answer["type"] == 4, topic.id
        assert answer["data"]["flags"] == render.EPHEMERAL
        assert violations(answer["data"]) == [], topic.id


async def test_no_topic_gives_help(kb: Knowledge, client: TestClient[Any, Any]) -> None:
    _, answer = await post(client, command(None))
    buttons = [b for row in answer["data"]["components"] for b in row["components"]]
    assert buttons[0]["custom_id"] == "caremark:more:help@en"  # "Show all topics"
    _, everything = await post(client, click("caremark:more:help"))
    listed = " ".join(f["value"] for f in everything["data"]["embeds"][0]["fields"])
    assert all(f"`{t.id}`" in listed for t in kb.topics if not t.weak)


async def test_locale_sets_the_clock_format(client: TestClient[Any, Any]) -> None:
    _, us = await post(client, command("hours", "en-US"))
    _, gb = await post(client, command("hours", "en-GB"))
    assert "7 a.m." in json.dumps(us) and "07:00" in json.dumps(gb)


@pytest.mark.parametrize(
    "typed",
    ["", "spec", "my package nev", "zzzz", "@everyone", "x" * 500, "\u202e\x00", "ｈｏｕｒｓ"],
)
async def test_autocomplete(client: TestClient[Any, Any], typed: str) -> None:
    status, answer = await post(client, autocomplete(typed))
    assert status == 200 and answer["type"] == 8
    choices = answer["data"]["choices"]
    assert len(choices) <= 25
    assert all(0 < len(c["name"]) <= 100 and 0 < len(c["value"]) <= 100 for c in choices)
    if typed == "spec":
        assert choices[0]["value"] == "specialty"


async def test_free_text_is_resolved_on_submit(client: TestClient[Any, Any]) -> None:
    _, answer = await post(client, command("my medication arrived damaged"))
    assert answer["data"]["embeds"][0]["title"] == "Lost or damaged package"


@pytest.mark.parametrize(
    "text", ["@everyone specialty", "<@123> hours", "@here", "[caremark.com](https://evil.example)"]
)
async def test_mentions_in_user_text_stay_inert(client: TestClient[Any, Any], text: str) -> None:
    _, answer = await post(client, command(text))
    assert violations(answer["data"]) == []
    assert "evil.example" not in json.dumps(answer)


async def test_share_posts_publicly(client: TestClient[Any, Any]) -> None:
    _, answer = await post(client, click("caremark:share:specialty"))
    assert answer["type"] == 4 and "flags" not in answer["data"]
    assert "1-800-237-2767" in json.dumps(answer) and violations(answer["data"]) == []


async def test_topic_button_updates_a_private_answer(client: TestClient[Any, Any]) -> None:
    _, answer = await post(client, click("caremark:topic:hours"))
    assert answer["type"] == 7 and answer["data"]["embeds"][0]["title"] == "Hours"


async def test_more_details_expands_in_place(client: TestClient[Any, Any]) -> None:
    _, first = await post(client, command("specialty"))
    assert "1-800-323-2445" not in json.dumps(first)  # the prescriber fax waits
    _, full = await post(client, click("caremark:more:specialty"))
    assert full["type"] == 7 and "1-800-323-2445" in json.dumps(full)
    _, public = await post(client, click("caremark:more:specialty", ephemeral=False))
    assert public["type"] == 4 and public["data"]["flags"] & render.EPHEMERAL


async def test_topic_button_under_a_public_answer_replies_privately(
    client: TestClient[Any, Any],
) -> None:
    _, answer = await post(client, click("caremark:topic:tty", ephemeral=False))
    assert answer["type"] == 4 and answer["data"]["flags"] == render.EPHEMERAL


async def test_unknown_button_falls_back_to_help(client: TestClient[Any, Any]) -> None:
    status, answer = await post(client, click("something:else"))
    assert status == 200 and answer["data"]["embeds"][0]["title"] == "What I can help with"


@pytest.mark.parametrize("case", sorted(DISCORD_BAD_HEADERS))
async def test_bad_signatures_get_401(client: TestClient[Any, Any], case: str) -> None:
    body = b'{"type": 1}'
    headers = DISCORD_BAD_HEADERS[case](body)
    response = await client.post("/discord/interactions", data=body, headers=headers)
    assert response.status == 401, case


async def test_tampered_stale_foreign_and_duplicated_get_401(client: TestClient[Any, Any]) -> None:
    body = b'{"type": 1}'
    url = "/discord/interactions"
    assert (await client.post(url, data=b'{"type": 2}', headers=sign(body))).status == 401
    assert (
        await client.post(url, data=body, headers=sign(body, at=time.time() - 301))
    ).status == 401
    assert (
        await client.post(url, data=body, headers=sign(body, key=SigningKey.generate()))
    ).status == 401
    doubled = CIMultiDict(sign(body))
    doubled.add("X-Signature-Ed25519", doubled["X-Signature-Ed25519"])
    assert (await client.post(url, data=body, headers=doubled)).status == 401


@pytest.mark.parametrize("body", DISCORD_NONSENSE)
async def test_signed_nonsense_gets_400(client: TestClient[Any, Any], body: bytes) -> None:
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    assert response.status == 400


class Broken(Engine):
    async def handle(self, query: Query) -> Reply:
        raise RuntimeError("boom")


async def test_failure_still_answers_privately(kb: Knowledge) -> None:
    client = await client_for(Broken(kb))
    try:
        status, answer = await post(client, command("specialty"))
        assert status == 200 and answer["data"]["flags"] == render.EPHEMERAL
        assert "Reference:" in answer["data"]["content"]
    finally:
        await client.close()


async def test_a_user_installed_command_in_a_group_dm(client: TestClient[Any, Any]) -> None:
    """Installed by a person, used in a group DM: no guild, no member, only the user."""
    body = json.loads(command("specialty", "es-419"))
    body |= {
        "user": {"id": "444", "username": "ana", "discriminator": "0"},
        "channel_id": "888",
        "context": 2,
        "authorizing_integration_owners": {"1": "444"},
    }
    status, answer = await post(client, json.dumps(body).encode())
    assert status == 200 and answer["type"] == 4
    assert answer["data"]["flags"] == render.EPHEMERAL  # only the asker sees it
    assert "1-800-237-2767" in json.dumps(answer) and "@es" in json.dumps(answer)
