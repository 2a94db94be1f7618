"""State every instance agrees on, in-process and in the real Redis that `REDIS_URL` names:
the replay guard, Slack event ids, per-person limits and Share cooldowns; two `serve`
processes sharing one Redis; and Redis going away without taking answers down."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.settings import SlackSettings
from adapters.shared import RETRY_SECONDS, SharedState
from adapters.slack import render
from adapters.web import Slack, create_app
from bot.core import Engine
from tests.discord_fakes import PUBLIC, click, command, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    SERVE,
    FakeSlack,
    action_body,
    command_body,
    event_body,
    free_port,
    signed_headers,
    start_fake_slack,
    start_server,
)

REDIS = os.environ.get("REDIS_URL", "")
NEEDS_REDIS = pytest.mark.skipif(not REDIS, reason="REDIS_URL is not set: no Redis to test against")
BACKENDS = [pytest.param("in-process", id="in-process"), pytest.param("redis", marks=NEEDS_REDIS)]
DEAD_REDIS = "redis://127.0.0.1:9/0"
"""Nothing listens on port 9 (discard): a Redis that is away."""


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=BACKENDS)
async def state(request: pytest.FixtureRequest) -> AsyncIterator[tuple[SharedState, Clock]]:
    clock = Clock()
    url = REDIS if request.param == "redis" else None
    shared = SharedState(url, clock=clock, prefix=f"caremark-test-{uuid.uuid4().hex}:")
    yield shared, clock
    await shared.close()


async def test_once_is_once_until_it_is_forgotten(state: tuple[SharedState, Clock]) -> None:
    shared, _ = state
    assert await shared.once("sig", "abc", 600)
    assert not await shared.once("sig", "abc", 600)
    assert await shared.once("sig", "abd", 600) and await shared.once("other", "abc", 600)


async def test_hits_count_per_person_per_window(state: tuple[SharedState, Clock]) -> None:
    shared, clock = state
    assert [await shared.hits("asks", "slack:U1", 60) for _ in range(3)] == [1, 2, 3]
    assert await shared.hits("asks", "slack:U2", 60) == 1
    if not shared.shared:  # Redis windows follow its own clock; the local one follows ours
        clock.now += 60
        assert await shared.hits("asks", "slack:U1", 60) == 1


async def test_redis_going_away_keeps_answers_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, failures = Clock(), []
    shared = SharedState(DEAD_REDIS, lambda: failures.append(1), clock=clock)
    with caplog.at_level(logging.ERROR, logger="adapters.shared"):
        assert await shared.once("sig", "a", 600) and not await shared.once("sig", "a", 600)
        assert await shared.hits("asks", "slack:U1", 60) == 1
        clock.now += RETRY_SECONDS  # tries Redis again, fails again, logs nothing more
        assert await shared.hits("asks", "slack:U1", 60) == 2
    assert shared.where == "in-process (redis unavailable)" and not shared.shared
    assert len(failures) == 2 and len(caplog.records) == 1
    await shared.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = await start_fake_slack()
    yield fake
    await fake.server.close()


@pytest.fixture
async def client(engine: Engine, fake: FakeSlack) -> AsyncIterator[TestClient[Any, Any]]:
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url))
    chat.answers.asks_per_minute = 3
    app = create_app(engine, chat, discord_key=PUBLIC)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def slack(client: TestClient[Any, Any], body: bytes) -> dict[str, Any]:
    response = await client.post("/slack/events", data=body, headers=signed_headers(body))
    assert response.status == 200
    answer: dict[str, Any] = await response.json() if await response.read() else {}
    return answer


async def discord(client: TestClient[Any, Any], body: bytes) -> dict[str, Any]:
    response = await client.post("/discord/interactions", data=body, headers=sign(body))
    assert response.status == 200
    answer: dict[str, Any] = await response.json()
    return answer


async def test_a_person_asking_too_fast_is_asked_kindly_to_slow_down(
    client: TestClient[Any, Any],
) -> None:
    answers = [await slack(client, command_body("specialty")) for _ in range(4)]
    assert all("1-800-237-2767" in json.dumps(a) for a in answers[:3])
    assert answers[3]["response_type"] == "ephemeral"
    assert "asked a lot in the last minute" in answers[3]["text"]
    assert "specialty" not in json.dumps(answers[3]).lower()  # nothing of theirs repeated
    other = await slack(client, command_body("specialty", user="U0OTHER"))
    assert "1-800-237-2767" in json.dumps(other)


async def test_the_same_answer_is_not_shared_twice_in_a_row(
    client: TestClient[Any, Any], fake: FakeSlack
) -> None:
    for _ in range(2):
        await slack(client, action_body(render.SHARE_ACTION, "specialty@en", fake.response_url))
    await fake.wait_for_posts(2)
    first, second = (data for _, data in fake.posts[:2])
    assert first["response_type"] == "in_channel" and "1-800-237-2767" in json.dumps(first)
    assert second["response_type"] == "ephemeral" and "shared here a moment ago" in second["text"]


async def test_discord_shares_and_limits_are_kept_too(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAREMARK_ASKS_PER_MINUTE", "2")
    app = create_app(engine, discord_key=PUBLIC)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        first = await discord(client, click("caremark:share:specialty@en"))
        again = await discord(client, click("caremark:share:specialty@en"))
        assert not first["data"].get("flags") and "1-800-237-2767" in json.dumps(first)
        assert "shared here a moment ago" in again["data"]["content"]
        asked = [await discord(client, command("hours")) for _ in range(3)]
        assert all(a["data"]["embeds"] for a in asked[:2])
        assert asked[2]["data"]["flags"] and "asked a lot" in asked[2]["data"]["content"]
    finally:
        await client.close()


@pytest.fixture
def redis_servers(fake_api: str) -> Iterator[list[int]]:
    prefix = f"caremark-test-{uuid.uuid4().hex}:"
    env = {
        "REDIS_URL": REDIS,
        "CAREMARK_REDIS_PREFIX": prefix,
        "SLACK_API_URL": fake_api,
        "DATABASE_URL": "",
    }
    ports = [free_port(), free_port()]
    servers = [start_server(SERVE, port, env) for port in ports]
    yield ports
    for server in servers:
        server.terminate()
        server.wait(timeout=15)


@pytest.fixture
async def fake_api(fake: FakeSlack) -> str:
    return fake.api_url


async def post_to(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
        ) as response,
    ):
        text = await response.text()
        return response.status, json.loads(text) if text else None


@NEEDS_REDIS
async def test_two_instances_share_one_redis(redis_servers: list[int], fake: FakeSlack) -> None:
    first, second = redis_servers
    body = command_body("specialty")
    headers = signed_headers(body)
    assert (await post_to(first, body, headers))[0] == 200
    status, refused = await post_to(second, body, headers)  # the same request, replayed
    assert status == 401 and refused == {"error": "replayed request"}

    event = {
        "type": "app_mention",
        "user": "U0ANA",
        "text": "<@U0BOT> specialty number",
        "ts": "1700000000.000100",
        "channel": "C0BENEFITS",
        "event_ts": "1700000000.000100",
    }
    event_id = f"Ev{uuid.uuid4().hex[:10].upper()}"
    delivery = event_body(event, event_id)
    for late, port in enumerate((first, second)):  # Slack's retry, signed anew, elsewhere
        headers = signed_headers(delivery, at=time.time() + late) | {"X-Slack-Retry-Num": "1"}
        assert (await post_to(port, delivery, headers))[0] == 200
    await fake.wait_for_posts(1)
    await asyncio.sleep(0.5)
    replies = [p for p, _ in fake.posts if p == "/api/chat.postMessage"]
    assert len(replies) == 1

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{second}/readyz") as response,
    ):
        assert (await response.json())["shared_state"] == "redis"


def test_a_server_whose_redis_is_away_still_answers() -> None:
    port = free_port()
    server = start_server(SERVE, port, {"REDIS_URL": DEAD_REDIS, "DATABASE_URL": ""})
    try:

        async def check() -> None:
            body = command_body("specialty")
            status, answer = await post_to(port, body, signed_headers(body))
            assert status == 200 and "1-800-237-2767" in json.dumps(answer)
            async with aiohttp.ClientSession() as session:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    ready = await response.json()
                async with session.get(f"http://127.0.0.1:{port}/metrics") as response:
                    metrics = await response.text()
            assert ready["ready"] and ready["shared_state"] == "in-process (redis unavailable)"
            assert "caremark_shared_state_in_redis 0.0" in metrics
            failures = [
                line
                for line in metrics.splitlines()
                if line.startswith("caremark_shared_state_failures_total ")
            ]
            assert failures and float(failures[0].split()[1]) >= 1

        asyncio.run(check())
    finally:
        server.terminate()
        server.wait(timeout=15)
