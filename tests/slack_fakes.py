"""Loopback stand-ins for Slack: signed requests, a response_url and Web API server, and a
Socket Mode websocket. They speak the real wire formats, so the real SDKs talk to them."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from adapters.slack.verify import signature

ROOT = Path(__file__).resolve().parent.parent
SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
BOT_TOKEN = "xoxb-1-test"
APP_TOKEN = "xapp-1-test"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE = [sys.executable, "-m", "adapters.cli", "serve", "--host", "127.0.0.1", "--port"]
"""`caremark-bot serve` on loopback; append the port."""


def start_server(
    command: list[str], port: int, extra_env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a server process with test Slack settings; return once its port accepts."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        [*command, str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


_TRIGGERS = itertools.count(1)


def trigger_id() -> str:
    """Unique per request, as Slack's are, so no two requests share a signature."""
    return f"{next(_TRIGGERS)}.2.3"


def signed_headers(body: bytes, *, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature(secret, timestamp, body),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def command_body(
    text: str, response_url: str = "https://hooks.slack.invalid/x", *, user: str = "U0TEST"
) -> bytes:
    form = {
        "command": "/caremark",
        "text": text,
        "user_id": user,
        "team_id": "T0TEST",
        "channel_id": "C0TEST",
        "response_url": response_url,
        "trigger_id": trigger_id(),
        "api_app_id": "A0TEST",
        "token": "legacy",
    }
    return urllib.parse.urlencode(form, errors="surrogatepass").encode()


def action_body(
    action_id: str, value: str, response_url: str, *, ephemeral: bool = True, home: bool = False
) -> bytes:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U0TEST"},
        "team": {"id": "T0TEST"},
        "api_app_id": "A0TEST",
        "trigger_id": trigger_id(),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": "b",
                "action_ts": "1",
            }
        ],
    }
    if home:
        payload["view"] = {"type": "home", "id": "V0TEST"}
        payload["container"] = {"type": "view", "view_id": "V0TEST"}
    else:
        payload["response_url"] = response_url
        payload["container"] = {
            "type": "message",
            "is_ephemeral": ephemeral,
            "channel_id": "C0TEST",
        }
        payload["channel"] = {"id": "C0TEST"}
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def event_body(event: dict[str, Any], event_id: str | None = None) -> bytes:
    """An Events API callback; each gets its own `event_id` unless one is given (a retry)."""
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0TEST",
            "api_app_id": "A0TEST",
            "event": event,
            "event_id": event_id or f"Ev{next(_TRIGGERS)}TEST",
            "event_time": int(time.time()),
        }
    ).encode()


@dataclass
class FakeSlack:
    """Records what the bot sends to response_urls and the Web API; serves Socket Mode."""

    server: TestServer
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    socket_replies: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    connections: int = 0
    current: web.WebSocketResponse | None = None
    delay: float = 0.0
    """Seconds each response_url or Web API call takes, as a slow Slack would."""
    locales: dict[str, str] = field(default_factory=dict)
    """What `users.info` says each user's locale is; others get `missing_scope`."""
    lookups: list[str] = field(default_factory=list)
    """The users `users.info` was asked about, in order."""
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    """More of what `users.info` says about a user: `is_admin`, `is_owner`, `real_name`."""
    grants: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What `oauth.v2.access` answers for each install code (each code works once)."""
    refreshable: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What `oauth.v2.access` answers for each refresh token (each works once)."""
    refreshes: list[str] = field(default_factory=list)
    """The refresh tokens spent, in order."""
    tokens: list[tuple[str, str]] = field(default_factory=list)
    """(path, bearer token) of every Web API call recorded in `posts`."""
    elsewhere: set[tuple[str, str]] = field(default_factory=set)
    """(token, user) pairs for which `chat.postMessage` says the person is not there."""
    client: tuple[str, str] = ("111.222", "oauthsecret1")
    """The client id and secret `oauth.v2.access` accepts."""

    async def drop(self) -> None:
        """Close the live Socket Mode connection from Slack's side, as Slack does at times."""
        if self.current is not None:
            await self.current.close()

    @property
    def base(self) -> str:
        return str(self.server.make_url("/"))

    @property
    def response_url(self) -> str:
        return self.base + "response/1"

    @property
    def api_url(self) -> str:
        return self.base + "api/"

    async def wait_for_posts(self, count: int, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.posts) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


async def start_fake_slack() -> FakeSlack:
    app = web.Application()
    fake = FakeSlack(TestServer(app, host="127.0.0.1"))

    async def record(request: web.Request) -> web.Response:
        await asyncio.sleep(fake.delay)
        if request.content_type == "application/json":
            data = await request.json()
        else:
            data = dict(await request.post())
        token = request.headers.get("Authorization", "")[7:]
        if (token, str(data.get("channel", ""))) in fake.elsewhere:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        fake.posts.append((request.path, data))
        fake.tokens.append((request.path, token))
        return web.json_response({"ok": True})

    async def oauth_access(request: web.Request) -> web.Response:
        form = dict(await request.post())
        sent = aiohttp.BasicAuth.decode(request.headers.get("Authorization", ""))
        if (sent.login, sent.password) != fake.client:
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        await asyncio.sleep(fake.delay)
        if form.get("grant_type") == "refresh_token":
            spent = str(form.get("refresh_token", ""))
            fake.refreshes.append(spent)
            answer = fake.refreshable.pop(spent, None)
        else:
            answer = fake.grants.pop(str(form.get("code", "")), None)
        if answer is None:
            return web.json_response({"ok": False, "error": "invalid_grant"})
        return web.json_response({"ok": True, **answer})

    async def auth_test(request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": True, "bot_id": "B0BOT", "user_id": "U0BOT", "url": "https://x.slack.invalid/"}
        )

    async def connections_open(request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": True, "url": str(fake.server.make_url("/link")).replace("http://", "ws://")}
        )

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        fake.connections += 1
        fake.current = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        sender = asyncio.create_task(_forward(fake.socket_outbox, ws))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await fake.socket_replies.put(json.loads(msg.data))
        sender.cancel()
        return ws

    async def users_info(request: web.Request) -> web.Response:
        form = {**request.query, **dict(await request.post())}  # the SDK sends a GET
        user = str(form.get("user", ""))
        fake.lookups.append(user)
        if user not in fake.locales and user not in fake.people:
            return web.json_response({"ok": False, "error": "missing_scope"})
        found = {"id": user, "locale": fake.locales.get(user, "en-US"), **fake.people.get(user, {})}
        return web.json_response({"ok": True, "user": found})

    app.router.add_post("/api/apps.connections.open", connections_open)
    app.router.add_route("*", "/api/users.info", users_info)
    app.router.add_post("/api/oauth.v2.access", oauth_access)
    app.router.add_post("/api/auth.test", auth_test)
    app.router.add_get("/link", link)
    app.router.add_post("/{tail:.*}", record)
    await fake.server.start_server()
    return fake


async def _forward(outbox: asyncio.Queue[dict[str, Any]], ws: web.WebSocketResponse) -> None:
    while True:
        await ws.send_json(await outbox.get())
