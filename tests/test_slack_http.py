"""/slack/events over loopback: signed slash commands (answered before Bolt), buttons and App
Home through the real Bolt stack, the malformed-request table, and a failing listener."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from multidict import CIMultiDict

from adapters.settings import SlackSettings
from adapters.slack import render
from adapters.slack.app import slash_command
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, Reply
from tests.corpus import SLACK_BAD_HEADERS
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    action_body,
    command_body,
    event_body,
    signed_headers,
    start_fake_slack,
)
from tests.slack_limits import mrkdwn_texts, violations


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = await start_fake_slack()
    yield fake
    await fake.server.close()


def settings(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url)


async def client_for(engine: Engine, fake: FakeSlack) -> TestClient[Any, Any]:
    app = create_app(engine, Slack.start(engine, settings(fake)))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def client(engine: Engine, fake: FakeSlack) -> AsyncIterator[TestClient[Any, Any]]:
    client = await client_for(engine, fake)
    yield client
    await client.close()


async def post(client: TestClient[Any, Any], body: bytes, **headers: str) -> ClientResponse:
    return await client.post(
        "/slack/events", data=body, headers={**signed_headers(body), **headers}
    )


async def test_every_topic_by_signed_slash_command(
    kb: Knowledge, client: TestClient[Any, Any]
) -> None:
    for topic in kb.topics:
        response = await post(client, command_body(topic.id))
        assert response.status == 200, topic.id
        payload = await response.json()
        assert payload["response_type"] == "ephemeral"
        assert violations(payload) == [], topic.id
        assert topic.title[:20] in json.dumps(payload, ensure_ascii=False), topic.id


@pytest.mark.parametrize(
    "text",
    [
        "<!channel> specialty",
        "@here hours",
        "@everyone",
        "<https://evil.example|caremark.com>",
        "*bold* _x_ `y`",
        "<@U0123> help",
        "\u202e\u200bspecialty\x00",
    ],
)
async def test_injection_in_user_text_stays_inert(client: TestClient[Any, Any], text: str) -> None:
    response = await post(client, command_body(text))
    assert response.status == 200
    payload = await response.json()
    assert violations(payload) == []
    parsed = "\n".join(mrkdwn_texts(payload))
    assert "evil.example" not in parsed and "<!" not in parsed and "<@" not in parsed


def tamper(body: bytes) -> bytes:
    return body.replace(b"specialty", b"specialtz")


@pytest.mark.parametrize("case", sorted(SLACK_BAD_HEADERS))
async def test_malformed_requests_get_401(client: TestClient[Any, Any], case: str) -> None:
    body = command_body("specialty")
    headers = SLACK_BAD_HEADERS[case](body)
    response = await client.post(
        "/slack/events", data=body, headers=headers, skip_auto_headers=["Content-Type"]
    )
    assert response.status == 401, case


async def test_tampered_body_gets_401(client: TestClient[Any, Any]) -> None:
    body = command_body("specialty")
    response = await client.post("/slack/events", data=tamper(body), headers=signed_headers(body))
    assert response.status == 401


async def test_wrong_secret_gets_401(client: TestClient[Any, Any]) -> None:
    body = command_body("specialty")
    headers = signed_headers(body, secret="f" * 32)
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 401


async def test_duplicate_headers_get_401(client: TestClient[Any, Any]) -> None:
    body = command_body("specialty")
    good = signed_headers(body)
    headers = CIMultiDict(good)
    headers.add("X-Slack-Signature", good["X-Slack-Signature"])
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 401
    headers = CIMultiDict(good)
    headers.add("X-Slack-Request-Timestamp", good["X-Slack-Request-Timestamp"])
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 401


async def test_signed_non_utf8_body_gets_401(client: TestClient[Any, Any]) -> None:
    body = b"command=%2Fcaremark&text=\xff\xfe\xfa"
    assert (await post(client, body)).status == 401


async def test_oversized_body_is_refused_not_crashed(client: TestClient[Any, Any]) -> None:
    body = command_body("x" * 200_000)
    response = await post(client, body)
    assert response.status == 413


async def test_valid_request_gets_200(client: TestClient[Any, Any]) -> None:
    response = await post(client, command_body("specialty"))
    assert response.status == 200
    assert "1-800-237-2767" in await response.text()


async def test_share_posts_the_answer_in_channel(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    response = await post(client, action_body(render.SHARE_ACTION, "specialty", fake.response_url))
    assert response.status == 200
    await fake.wait_for_posts(1)
    ((path, posted),) = fake.posts
    assert path == "/response/1"
    assert posted["response_type"] == "in_channel" and posted["replace_original"] is False
    assert violations(posted) == []
    assert "1-800-237-2767" in json.dumps(posted)
    assert not any(b.get("block_id") == "share" for b in posted["blocks"])


async def test_topic_button_answers_in_place(client: TestClient[Any, Any], fake: FakeSlack) -> None:
    body = action_body(f"{render.TOPIC_ACTION}hours", "hours", fake.response_url)
    assert (await post(client, body)).status == 200
    await fake.wait_for_posts(1)
    ((_, posted),) = fake.posts
    assert posted["replace_original"] is True and posted["response_type"] == "ephemeral"
    assert "Hours" in json.dumps(posted)


async def test_more_details_expands_the_answer_in_place(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    first = await post(client, command_body("specialty"))
    brief = json.dumps(await first.json())
    assert "Steps" not in brief and f"{render.MORE_ACTION}specialty" in brief
    body = action_body(f"{render.MORE_ACTION}specialty", "specialty", fake.response_url)
    assert (await post(client, body)).status == 200
    await fake.wait_for_posts(1)
    ((_, posted),) = fake.posts
    assert posted["replace_original"] is True and posted["response_type"] == "ephemeral"
    full = json.dumps(posted)
    assert "Steps" in full and "1-800-323-2445" in full  # the prescriber fax, not in the first
    assert f"{render.MORE_ACTION}specialty" not in full


async def test_show_all_topics_after_a_miss(
    kb: Knowledge, client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    first = await (await post(client, command_body("qwxz zzkj"))).json()
    assert f"{render.MORE_ACTION}help" in json.dumps(first)
    body = action_body(f"{render.MORE_ACTION}help", "help", fake.response_url)
    assert (await post(client, body)).status == 200
    await fake.wait_for_posts(1)
    ((_, posted),) = fake.posts
    listed = json.dumps(posted)
    assert all(f'"value": "{t.id}@en"' in listed for t in kb.topics if not t.weak)


async def test_topic_button_on_a_shared_message_answers_privately(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    body = action_body(f"{render.TOPIC_ACTION}tty", "tty", fake.response_url, ephemeral=False)
    assert (await post(client, body)).status == 200
    await fake.wait_for_posts(1)
    ((_, posted),) = fake.posts
    assert posted["replace_original"] is False and posted["response_type"] == "ephemeral"


async def test_app_home_lists_every_topic(
    kb: Knowledge, client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    body = event_body({"type": "app_home_opened", "user": "U0TEST", "tab": "home"})
    response = await client.post(
        "/slack/events",
        data=body,
        headers={**signed_headers(body), "Content-Type": "application/json"},
    )
    assert response.status == 200
    await fake.wait_for_posts(1)
    ((path, posted),) = fake.posts
    assert path == "/api/views.publish" and posted["user_id"] == "U0TEST"
    view = json.loads(posted["view"]) if isinstance(posted["view"], str) else posted["view"]
    assert violations(view, home=True) == []
    ids = {
        e["value"].split("@")[0]
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }
    assert ids == {t.id for t in kb.topics if not t.weak}


async def test_home_topic_button_republishes_home(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    body = action_body(f"{render.TOPIC_ACTION}specialty", "specialty", "", home=True)
    assert (await post(client, body)).status == 200
    await fake.wait_for_posts(1)
    ((path, posted),) = fake.posts
    assert path == "/api/views.publish"
    assert "1-800-237-2767" in json.dumps(posted)


async def test_url_verification_challenge(client: TestClient[Any, Any]) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "t"}).encode()
    response = await client.post(
        "/slack/events",
        data=body,
        headers={**signed_headers(body), "Content-Type": "application/json"},
    )
    assert response.status == 200 and "abc123" in await response.text()


class Broken(Engine):
    async def handle(self, query: Query) -> Reply:
        raise RuntimeError("boom: the knowledge base exploded")


async def test_failing_listener_still_answers_privately(
    kb: Knowledge, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    client = await client_for(Broken(kb), fake)
    try:
        response = await post(client, command_body("specialty my ssn is 123-45-6789"))
        assert response.status == 200
        payload = await response.json()
        assert payload["response_type"] == "ephemeral" and "Reference:" in payload["text"]
        ref = payload["text"].rsplit("Reference: ", 1)[1].rstrip(")")
        assert any(ref == getattr(r, "reference", None) and r.exc_info for r in caplog.records)
        assert "123-45-6789" not in caplog.text
        button = action_body(render.SHARE_ACTION, "specialty", fake.response_url)
        assert (await post(client, button)).status == 200
        await fake.wait_for_posts(1)
        assert "Reference:" in fake.posts[0][1]["text"]
    finally:
        await client.close()


async def test_health_and_readiness(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/healthz")).status == 200
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["slack"] == "http mode"


async def test_another_command_is_left_to_bolt(client: TestClient[Any, Any]) -> None:
    body = command_body("specialty").replace(b"%2Fcaremark", b"%2Fother")
    response = await post(client, body)
    assert response.status == 404  # Bolt: no listener for /other
    assert "1-800-237-2767" not in await response.text()


@pytest.mark.parametrize(
    ("form", "text"),
    [
        ("command=%2Fcaremark&text=specialty&user_id=U1", "specialty"),
        ("command=%2Fcaremark&text=", ""),
        ("command=%2Fcaremark", ""),
        ("text=specialty", None),
        ("command=%2Fother&text=specialty", None),
        ("command=%2Fcaremark&command=%2Fcaremark&text=x", None),
        ("payload=%7B%7D&command=%2Fcaremark", None),
        ('{"type":"url_verification","challenge":"c"}', None),
    ],
)
def test_slash_command_text(form: str, text: str | None) -> None:
    command = slash_command(form)
    assert (command.text if command else None) == text
    if command and "user_id" in form:
        assert command.user == "U1"
