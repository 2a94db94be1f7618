"""A whole conversation logged at DEBUG: commands, share and topic buttons, App Home, Discord.
Neither the question, nor the signing secret or tokens, nor any response_url reaches the log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters import logs
from adapters.settings import SlackSettings
from adapters.slack import render
from adapters.web import Slack, create_app
from bot.core import Engine
from tests.discord_fakes import PUBLIC, command, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    action_body,
    command_body,
    event_body,
    signed_headers,
    start_fake_slack,
)

MARK = "QQ7MARK"
HOOK_PATH = "commands/T0TEST/4242/HOOKTOKEN9"


@pytest.fixture
def debug_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The server's JSON logs at DEBUG, written to a buffer."""
    monkeypatch.setenv("CAREMARK_LOG_LEVEL", "DEBUG")
    logs.configure(json_lines=True)
    written = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)
    yield written
    logging.basicConfig(handlers=[logging.NullHandler()], force=True)
    for name in logs.SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


async def test_debug_logs_of_a_conversation_hold_no_secrets(
    engine: Engine, debug_logs: io.StringIO
) -> None:
    fake = await start_fake_slack()
    hook = fake.base + HOOK_PATH
    settings = SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url)
    app = create_app(engine, Slack.start(engine, settings), discord_key=PUBLIC)
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        for body in [
            command_body(f"specialty {MARK}", hook),
            action_body(render.SHARE_ACTION, "specialty", hook),
            action_body(render.TOPIC_ACTION + "hours", "hours", hook),
            event_body({"type": "app_home_opened", "user": "U0TEST", "tab": "home"}),
        ]:
            response = await client.post("/slack/events", data=body, headers=signed_headers(body))
            assert response.status == 200
        await fake.wait_for_posts(3)
        assert any(HOOK_PATH in path for path, _ in fake.posts)  # the hook really was used
        body = command(f"specialty {MARK}")
        response = await client.post("/discord/interactions", data=body, headers=sign(body))
        assert response.status == 200
    finally:
        await client.close()
        await fake.server.close()
    written = debug_logs.getvalue()
    lines = [json.loads(line) for line in written.splitlines() if line.startswith("{")]
    assert any(line["logger"] == "bot.core" and line["level"] == "DEBUG" for line in lines)
    for secret in (MARK, "HOOKTOKEN9", BOT_TOKEN, SECRET):
        assert secret not in written


@pytest.mark.parametrize(
    "secret",
    [
        "xoxb-1234-5678-abcdefABCDEF",
        "xapp-1-A0TEST-1234-abcdef",
        "https://hooks.slack.com/commands/T0ABC/123456789/AbCdEf123",
        "https://hooks.slack.com/actions/T0ABC/123456789/AbCdEf123",
        "https://discord.com/api/v10/webhooks/1234567890/aW50ZXJhY3Rpb246MTIz.tok-en",
        "https://discord.com/api/v10/interactions/1234567890/aW50ZXJhY3Rpb24.x/callback",
        "Authorization: Bot MTAxMjM0NTY3ODkwMTIzNDU2Nzg.GaBcDe.abcdefghijklmnopqrstuvwxyz12",
        "Bearer s3cr3t-admin-token",
        "MTAxMjM0NTY3ODkwMTIzNDU2Nzg.GaBcDe.abcdefghijklmnopqrstuvwxyz12",
    ],
)
def test_scrub_hides_secrets(secret: str) -> None:
    line = logs.JsonFormatter().format(
        logging.LogRecord("x", logging.ERROR, __file__, 1, "sending to %s failed", (secret,), None)
    )
    assert logs.HIDDEN in line
    assert not any(
        part in line
        for part in ("AbCdEf123", "tok-en", "abcdefABCDEF", "abcdef", "xyz12", "s3cr3t")
    )


def test_scrub_keeps_ordinary_text() -> None:
    text = "knowledge base reloaded: 39 topics, see https://www.caremark.com/ for details"
    assert logs.scrub(text) == text
