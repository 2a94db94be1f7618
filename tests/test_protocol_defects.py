"""Defects found with real Slack and Discord payloads and a red team, each pinned by a test.

Every test here failed before its fix: an unsigned `ssl_check` refused, `app_rate_limited`
answered 404, a slow `response_url` delaying the ack past 3 s, a retried event handled twice,
Share publishing a private answer, one Discord signature accepted in many spellings, a deeply
nested body answered 500, and a non-ASCII `Authorization` answered 500.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.discord_app import render as discord_render
from adapters.settings import SlackSettings
from adapters.slack import render
from adapters.web import Slack, create_app
from bot.core import Engine
from tests.discord_fakes import PUBLIC, click, command, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    action_body,
    event_body,
    signed_headers,
    start_fake_slack,
)

SLACK_ACK_LIMIT = 3.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = await start_fake_slack()
    yield fake
    await fake.server.close()


@pytest.fixture
async def client(engine: Engine, fake: FakeSlack) -> AsyncIterator[TestClient[Any, Any]]:
    settings = SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url)
    app = create_app(
        engine, Slack.start(engine, settings), discord_key=PUBLIC, admin_token="s3cret"
    )
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def test_ssl_check_is_answered_unsigned(client: TestClient[Any, Any]) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = await client.post("/slack/events", data=b"ssl_check=1&token=abc", headers=form)
    assert response.status == 200
    for other in (b"ssl_check=1&command=%2Fcaremark&text=hi", b"ssl_check=0&token=abc", b""):
        refused = await client.post("/slack/events", data=other, headers=form)
        assert refused.status == 401, other  # only the probe itself goes unsigned


async def test_app_rate_limited_gets_200(client: TestClient[Any, Any]) -> None:
    body = json.dumps(
        {
            "token": "t",
            "type": "app_rate_limited",
            "team_id": "T0TEST",
            "minute_rate_limited": 1518467820,
            "api_app_id": "A0TEST",
        }
    ).encode()
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    response = await client.post("/slack/events", data=body, headers=headers)
    assert response.status == 200


@pytest.mark.parametrize(
    ("action", "value", "home"),
    [
        (render.SHARE_ACTION, "specialty", False),
        (f"{render.TOPIC_ACTION}tty", "tty", False),
        (f"{render.TOPIC_ACTION}specialty", "specialty", True),
    ],
)
async def test_buttons_are_acknowledged_before_slow_work(
    action: str, value: str, home: bool, client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    fake.delay = 3.5
    body = action_body(action, value, fake.response_url, home=home)
    began = time.monotonic()
    response = await client.post("/slack/events", data=body, headers=signed_headers(body))
    acknowledged = time.monotonic() - began
    assert response.status == 200
    assert acknowledged < SLACK_ACK_LIMIT / 2, acknowledged
    await fake.wait_for_posts(1, timeout=10)
    assert len(fake.posts) == 1  # and the work still happened


async def test_app_home_is_acknowledged_before_views_publish(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    fake.delay = 3.5
    body = event_body({"type": "app_home_opened", "user": "U0TEST", "tab": "home"})
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    began = time.monotonic()
    assert (await client.post("/slack/events", data=body, headers=headers)).status == 200
    assert time.monotonic() - began < SLACK_ACK_LIMIT / 2
    await fake.wait_for_posts(1, timeout=10)


async def test_a_retried_event_is_handled_once(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    event = {"type": "app_home_opened", "user": "U0TEST", "tab": "home"}
    first = event_body(event, event_id="Ev0RETRY")
    headers = {**signed_headers(first), "Content-Type": "application/json"}
    assert (await client.post("/slack/events", data=first, headers=headers)).status == 200
    for attempt in (1, 2, 3):
        again = event_body(event, event_id="Ev0RETRY")
        retry = {  # Slack signs each retry afresh: a later timestamp, the same event
            **signed_headers(again, at=time.time() + attempt),
            "Content-Type": "application/json",
            "X-Slack-Retry-Num": str(attempt),
            "X-Slack-Retry-Reason": "http_timeout",
        }
        assert (await client.post("/slack/events", data=again, headers=retry)).status == 200
    other = event_body(event)
    headers = {**signed_headers(other), "Content-Type": "application/json"}
    assert (await client.post("/slack/events", data=other, headers=headers)).status == 200
    await fake.wait_for_posts(2)
    await asyncio.sleep(0.2)
    assert [path for path, _ in fake.posts] == ["/api/views.publish"] * 2


@pytest.mark.parametrize("topic", ["appeals", "accommodations", "clinical-question"])
async def test_slack_share_never_publishes_a_private_answer(
    topic: str, client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    body = action_body(render.SHARE_ACTION, topic, fake.response_url)
    assert (await client.post("/slack/events", data=body, headers=signed_headers(body))).status
    await fake.wait_for_posts(1)
    ((_, posted),) = fake.posts
    assert posted["response_type"] == "ephemeral"


@pytest.mark.parametrize("topic", ["appeals", "accommodations", "clinical-question"])
async def test_discord_share_never_publishes_a_private_answer(
    topic: str, client: TestClient[Any, Any]
) -> None:
    body = click(f"caremark:share:{topic}", ephemeral=False)
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    data = (await response.json())["data"]
    assert data["flags"] & discord_render.EPHEMERAL


async def test_discord_replay_in_another_hex_case_is_refused(
    client: TestClient[Any, Any],
) -> None:
    body = command("specialty")
    headers = sign(body)
    assert (await client.post("/discord/interactions", data=body, headers=headers)).status == 200
    shouted = {**headers, "X-Signature-Ed25519": headers["X-Signature-Ed25519"].upper()}
    mixed = {
        **headers,
        "X-Signature-Ed25519": "".join(
            c.upper() if i % 2 else c for i, c in enumerate(headers["X-Signature-Ed25519"])
        ),
    }
    for spelling in (shouted, mixed):
        again = await client.post("/discord/interactions", data=body, headers=spelling)
        assert again.status == 401


async def test_a_deeply_nested_signed_discord_body_is_400(client: TestClient[Any, Any]) -> None:
    body = b"[" * 30_000 + b"]" * 30_000  # within the 64 kB body limit
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    assert response.status == 400


async def test_a_non_ascii_authorization_on_reload_is_401(client: TestClient[Any, Any]) -> None:
    host, port = client.server.host, client.server.port
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        b"POST /admin/reload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \xff\xfe\r\n"
        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    assert status_line.split()[1] == b"401", status_line
    repeated = await client.post(
        "/admin/reload",
        headers=[("Authorization", "Bearer s3cret"), ("Authorization", "Bearer s3cret")],
    )
    assert repeated.status == 401


async def test_metrics_can_sit_behind_a_token(engine: Engine) -> None:
    app = create_app(engine, metrics_token="m3trics")
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/metrics")).status == 401
        wrong = {"Authorization": "Bearer nope"}
        assert (await client.get("/metrics", headers=wrong)).status == 401
        right = await client.get("/metrics", headers={"Authorization": "Bearer m3trics"})
        assert right.status == 200 and "caremark_questions_total" in await right.text()
        assert (await client.get("/healthz")).status == 200  # health stays open
    finally:
        await client.close()


@pytest.mark.parametrize(
    "asked",
    [
        "caremark.zzyzxtopleveldomainzz",
        "cvshealth.securelogin-verify",
        "https://www.caremark.accountsuspendednotice/x",
        "help@cvsspecialty.refundsdesk",
    ],
)
async def test_verdicts_never_echo_what_was_asked(asked: str, ask: Any) -> None:
    reply = await ask(f"is {asked} legit?")
    shown = json.dumps(reply.to_json())
    for label in asked.replace("https://", "").replace("@", ".").replace("/", ".").split("."):
        if label and label not in ("www", "x", "help", "caremark", "cvshealth", "cvsspecialty"):
            assert label not in shown, label


def test_the_number_scan_is_bounded() -> None:
    from bot.safety import phones

    message = " ".join(f"1-800-{n:03d}-{n:04d}" for n in range(200, 400))
    assert len(phones.find_numbers(message)) <= phones.MAX_NUMBERS
    assert phones.find_numbers("is 1-800-237-2765 legit?")[0].e164 == "+18002372765"
