"""Faults injected before the answer is built (in the core) and after (in rendering): the
person still gets a private fallback with a reference, on every platform."""

from __future__ import annotations

from typing import Any, NoReturn

import pytest
from aiohttp.test_utils import TestClient

from adapters.discord_app import render as discord_render
from adapters.slack import render as slack_render
from bot.answer.resolve import Resolver
from tests.discord_fakes import command, sign
from tests.slack_fakes import command_body, signed_headers


def boom(*args: Any, **kwargs: Any) -> NoReturn:
    raise RuntimeError("injected fault")


FAULTS = {
    "core, before the answer": (Resolver, "resolve"),
    "slack rendering, after the answer": (slack_render, "message"),
    "discord rendering, after the answer": (discord_render, "response"),
}


@pytest.fixture
def client(chat_client: TestClient[Any, Any]) -> TestClient[Any, Any]:
    return chat_client


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_every_fault_gets_a_fallback(
    client: TestClient[Any, Any], fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    module, name = FAULTS[fault]
    monkeypatch.setattr(module, name, boom)
    for _ in range(5):  # every time, not just the first
        body = command_body("specialty")
        slack = await client.post("/slack/events", data=body, headers=signed_headers(body))
        assert slack.status == 200
        slack_text = (await slack.json())["text"]
        body = command("specialty")
        discord = await client.post("/discord/interactions", data=body, headers=sign(body))
        assert discord.status == 200
        discord_data = (await discord.json())["data"]
        failed = [fault.startswith(p) for p in ("core", "slack", "discord")]
        if failed[0] or failed[1]:
            assert "Reference:" in slack_text
        if failed[0] or failed[2]:
            assert "Reference:" in discord_data["content"]
            assert discord_data["flags"] == discord_render.EPHEMERAL
