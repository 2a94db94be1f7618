"""Socket Mode: the real SDK client connects to a loopback fake of Slack's websocket and
answers a slash command in the envelope acknowledgement; readiness says when it is connected."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.settings import SlackSettings
from adapters.web import Slack, create_app
from bot.core import Engine
from tests.slack_fakes import APP_TOKEN, BOT_TOKEN, start_fake_slack
from tests.slack_limits import violations


async def test_socket_mode_answers_a_slash_command(engine: Engine) -> None:
    fake = await start_fake_slack()
    slack = Slack.start(engine, SlackSettings(BOT_TOKEN, None, APP_TOKEN, fake.api_url))
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(engine, slack), host="127.0.0.1")
    )
    try:
        assert (await slack.ready()) == (False, "socket mode not connected")
        await client.start_server()  # on_startup connects the socket
        for _ in range(200):
            if fake.connections and (await slack.ready())[0]:
                break
            await asyncio.sleep(0.02)
        ready = await client.get("/readyz")
        assert ready.status == 200
        assert (await ready.json())["slack"] == "socket mode connected"
        command: dict[str, Any] = {
            "command": "/caremark",
            "text": "specialty",
            "user_id": "U0TEST",
            "team_id": "T0TEST",
            "channel_id": "C0TEST",
            "response_url": fake.response_url,
            "trigger_id": "1.2.3",
            "api_app_id": "A0TEST",
            "token": "legacy",
        }
        await fake.socket_outbox.put(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
        )
        reply = await asyncio.wait_for(fake.socket_replies.get(), timeout=10)
        assert reply["envelope_id"] == "env-1"
        payload = reply["payload"]
        assert payload["response_type"] == "ephemeral" and violations(payload) == []
        assert "1-800-237-2767" in str(payload)
        assert payload == json.loads(await slack.answers.command_body("specialty"))  # as HTTP
    finally:
        await client.close()  # on_cleanup closes the socket
        await fake.server.close()
    assert (await slack.ready())[0] is False


async def test_socket_mode_reconnects_after_the_connection_drops(engine: Engine) -> None:
    fake = await start_fake_slack()
    slack = Slack.start(engine, SlackSettings(BOT_TOKEN, None, APP_TOKEN, fake.api_url))
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(engine, slack), host="127.0.0.1")
    )
    try:
        await client.start_server()
        await _until(lambda: fake.connections == 1)
        await fake.drop()
        await _until(lambda: fake.connections == 2)  # a fresh apps.connections.open and socket
        for _ in range(200):
            if (await slack.ready())[0]:
                break
            await asyncio.sleep(0.02)
        assert (await client.get("/readyz")).status == 200
        command = {
            "command": "/caremark",
            "text": "hours",
            "user_id": "U0",
            "team_id": "T0",
            "channel_id": "C0",
            "response_url": fake.response_url,
            "trigger_id": "1",
            "api_app_id": "A0",
            "token": "legacy",
        }
        await fake.socket_outbox.put(
            {
                "envelope_id": "env-2",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
        )
        reply = await asyncio.wait_for(fake.socket_replies.get(), timeout=10)
        assert reply["envelope_id"] == "env-2" and "Hours" in str(reply["payload"])
    finally:
        await client.close()
        await fake.server.close()


async def _until(condition: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")
