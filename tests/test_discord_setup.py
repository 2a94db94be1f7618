"""Discord configuration, `discord commands`, `discord sync` against a loopback fake, and
`ask --format discord`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.cli import main
from adapters.discord_app.commands import check_command, command, sync
from adapters.settings import ConfigError, DiscordSettings, discord_settings
from bot.kb.knowledge import Knowledge
from tests.discord_limits import violations

KEY = "ab" * 32


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DISCORD_PUBLIC_KEY": "xyz"}, "DISCORD_PUBLIC_KEY"),
        ({"DISCORD_PUBLIC_KEY": "ab" * 31}, "DISCORD_PUBLIC_KEY"),
        ({"DISCORD_TOKEN": "has space"}, "DISCORD_TOKEN"),
        ({"DISCORD_TOKEN": "t", "DISCORD_APPLICATION_ID": "12a"}, "DISCORD_APPLICATION_ID"),
        ({"DISCORD_APPLICATION_ID": "12"}, "DISCORD_PUBLIC_KEY"),
        ({"DISCORD_TOKEN": "t", "DISCORD_API_URL": "ftp://x"}, "DISCORD_API_URL"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        discord_settings(env)


def test_settings() -> None:
    assert discord_settings({}) is None
    settings = discord_settings({"DISCORD_PUBLIC_KEY": KEY})
    assert settings is not None and settings.public_key == KEY
    assert settings.api_url == "https://discord.com/api/v10"


def test_commands_prints_the_registration_json(
    capsys: pytest.CaptureFixture[str], kb: Knowledge
) -> None:
    assert main(["discord", "commands"]) == 0
    assert json.loads(capsys.readouterr().out) == [command(kb), check_command()]


@pytest.mark.parametrize("guild", [None, "123456"])
async def test_sync_puts_the_commands(kb: Knowledge, guild: str | None) -> None:
    seen: list[tuple[str, str, Any]] = []

    async def put(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.path, request.headers["Authorization"], body))
        return web.json_response(body)

    app = web.Application()
    app.router.add_put("/api/v10/applications/{app}/commands", put)
    app.router.add_put("/api/v10/applications/{app}/guilds/{guild}/commands", put)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        settings = DiscordSettings(None, "tok", "42", str(server.make_url("/api/v10")))
        assert await sync(kb, settings, guild) == 2
    finally:
        await server.close()
    ((path, auth, body),) = seen
    scope = f"/guilds/{guild}" if guild else ""
    assert path == f"/api/v10/applications/42{scope}/commands"
    assert auth == "Bot tok" and body == [command(kb), check_command()]


async def test_sync_reports_a_refusal(kb: Knowledge) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_put("/api/v10/applications/{app}/commands", refuse)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        settings = DiscordSettings(None, "bad", "42", str(server.make_url("/api/v10")))
        with pytest.raises(ConfigError, match="401"):
            await sync(kb, settings)
    finally:
        await server.close()


def test_sync_needs_token_and_application(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_PUBLIC_KEY", KEY)
    assert main(["discord", "sync", "--guild", "1"]) == 3
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_ask_format_discord(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "hours", "--format", "discord"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert response["type"] == 4 and violations(response["data"]) == []
