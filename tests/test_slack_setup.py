"""Configuration that fails fast, the generated manifest, `ask --format slack`, and the real
`caremark-bot serve` process answering curl-style requests over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from adapters.cli import main
from adapters.settings import ConfigError, port, slack_settings
from adapters.slack.manifest import EVENTS, MAX_USAGE_HINT, SCOPES, manifest
from bot.kb.knowledge import Knowledge
from tests.conftest import ROOT
from tests.discord_fakes import KEY
from tests.discord_fakes import sign as discord_sign
from tests.slack_fakes import SECRET, SERVE, command_body, free_port, signed_headers, start_server
from tests.slack_limits import violations

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": SECRET}
DISCORD_PUBLIC = KEY.verify_key.encode().hex()


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": SECRET}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "not a secret!"},
            "SLACK_SIGNING_SECRET",
        ),
        ({**GOOD, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({**GOOD, "SLACK_API_URL": "ftp://x"}, "SLACK_API_URL"),
    ],
)
def test_bad_configuration_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        slack_settings(env)


def test_modes() -> None:
    assert slack_settings({}) is None
    http = slack_settings(GOOD)
    assert http is not None and http.mode == "http"
    socket_mode = slack_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert socket_mode is not None and socket_mode.mode == "socket"


@pytest.mark.parametrize("raw", ["http", "0", "70000", "-1", "3000abc"])
def test_bad_port(raw: str) -> None:
    with pytest.raises(ConfigError, match="PORT"):
        port({"PORT": raw})


def test_port_default_and_value() -> None:
    assert port({}) == 3000 and port({"PORT": "8080"}) == 8080


def test_manifest_http_and_socket(kb: Knowledge) -> None:
    http = manifest(kb, "https://bot.example.com/")
    (command,) = http["features"]["slash_commands"]
    assert command["command"] == "/caremark" and len(command["command"]) <= 32
    assert command["url"] == "https://bot.example.com/slack/events"
    assert len(command["usage_hint"]) <= MAX_USAGE_HINT and "specialty" in command["usage_hint"]
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["features"]["app_home"]["home_tab_enabled"] is True
    assert http["settings"]["event_subscriptions"]["bot_events"] == list(EVENTS)
    socket_mode = manifest(kb)
    assert socket_mode["settings"]["socket_mode_enabled"] is True
    assert "url" not in socket_mode["features"]["slash_commands"][0]


def test_manifest_command_prints_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["slack", "manifest", "--url", "https://bot.example.com"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["oauth_config"]["scopes"]["bot"] == list(SCOPES)
    assert printed["settings"]["event_subscriptions"]["bot_events"] == list(EVENTS)
    assert main(["slack", "manifest", "--url", "http://insecure.example"]) == 3


def test_ask_format_slack_is_a_private_payload_with_share(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ask", "specialty", "--format", "slack"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["response_type"] == "ephemeral" and violations(payload) == []
    assert '"action_id": "share"' in json.dumps(payload)


def test_default_command_with_bad_token_fails_fast(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "bad")
    assert main([]) == 3
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """`caremark-bot serve` as its own process, listening on loopback."""
    listen = free_port()
    process = start_server(SERVE, listen, {"DISCORD_PUBLIC_KEY": DISCORD_PUBLIC})
    try:
        yield f"http://127.0.0.1:{listen}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_serve_answers_signed_and_refuses_tampered(served: str) -> None:
    body = command_body("specialty")
    status, text = _post(served + "/slack/events", body, signed_headers(body))
    assert status == 200 and "1-800-237-2767" in text
    status, _ = _post(
        served + "/slack/events", body.replace(b"specialty", b"hours"), signed_headers(body)
    )
    assert status == 401
    status, _ = _post(
        served + "/slack/events",
        b"\xff\xfe",
        {"X-Slack-Request-Timestamp": "9" * 30, "X-Slack-Signature": "v0="},
    )
    assert status == 401


def test_serve_answers_discord_ping_and_refuses_tampered(served: str) -> None:
    body = b'{"type": 1}'
    status, text = _post(served + "/discord/interactions", body, discord_sign(body))
    assert (status, json.loads(text)) == (200, {"type": 1})
    status, _ = _post(served + "/discord/interactions", b'{"type": 2}', discord_sign(body))
    assert status == 401


def test_serve_fails_fast_on_bad_port(tmp_path: Path) -> None:
    env = {**os.environ, **GOOD, "PORT": "not-a-port"}
    result = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "serve"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3 and "PORT" in result.stderr
