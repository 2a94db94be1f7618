"""Gateway mode reconnects: a loopback fake of Discord's gateway (HELLO, IDENTIFY, READY,
RESUME, dispatch) and HTTP API drops the connection; discord.py resumes the session and the
bot still answers /caremark."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import discord
import pytest
import yarl
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

from adapters.discord_app.gateway import GatewayBot, shards
from adapters.settings import ConfigError
from bot.core import Engine

BOT_USER = {
    "id": "222",
    "username": "caremark",
    "discriminator": "0",
    "avatar": None,
    "bot": True,
    "global_name": None,
}
RESUMABLE = 4000  # "unknown error": Discord asks clients to resume


def _json(data: Any) -> web.Response:
    """JSON with exactly Discord's content type (discord.py parses nothing else)."""
    return web.Response(body=json.dumps(data).encode(), content_type="application/json")


class FakeGateway:
    def __init__(self) -> None:
        self.opcodes: list[int] = []
        self.callbacks: list[dict[str, Any]] = []
        self.sockets: list[web.WebSocketResponse] = []
        self.seq = 0
        app = web.Application()
        app.router.add_get("/api/v10/users/@me", self.me)
        app.router.add_get("/api/v10/gateway/bot", self.gateway)
        app.router.add_get("/api/v10/oauth2/applications/@me", self.application)
        app.router.add_post("/api/v10/interactions/{id}/{token}/callback", self.callback)
        app.router.add_get("/gw", self.socket)
        self.server = TestServer(app, host="127.0.0.1")

    @property
    def ws_url(self) -> str:
        return str(self.server.make_url("/gw")).replace("http://", "ws://")

    async def me(self, request: web.Request) -> web.Response:
        return _json(BOT_USER)

    async def application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": "222",
                "name": "caremark",
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": BOT_USER,
                "summary": "",
                "verify_key": "00" * 32,
                "team": None,
                "flags": 0,
            }
        )

    async def gateway(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.ws_url, "shards": 1, "session_start_limit": limit})

    async def callback(self, request: web.Request) -> web.Response:
        self.callbacks.append(await request.json())
        kind = self.callbacks[-1]["type"]
        return _json(
            {"interaction": {"id": request.match_info["id"], "type": 2}, "resource": {"type": kind}}
        )

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        self.seq += 1
        await self.sockets[-1].send_str(json.dumps({"op": 0, "t": event, "s": self.seq, "d": data}))

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            self.opcodes.append(frame["op"])
            if frame["op"] == 1:  # heartbeat
                await ws.send_str(json.dumps({"op": 11}))
            elif frame["op"] == 2:  # identify
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [],
                        "session_id": "session-1",
                        "resume_gateway_url": self.ws_url,
                        "application": {"id": "222", "flags": 0},
                        "shard": [0, 1],
                    },
                )
            elif frame["op"] == 6:  # resume
                assert frame["d"]["session_id"] == "session-1"
                await self.dispatch("RESUMED", {})
        return ws


async def wait_for(condition: Any, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


async def test_gateway_resumes_after_a_drop(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGateway()
    await fake.server.start_server()
    monkeypatch.setattr(discord.http.Route, "BASE", str(fake.server.make_url("/api/v10")))
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.ws_url))
    bot = GatewayBot(engine)
    runner = asyncio.create_task(bot.start("fake-token"))
    try:
        await wait_for(lambda: bot.is_ready())
        assert fake.opcodes.count(2) == 1  # identified once
        await fake.sockets[-1].close(code=RESUMABLE)
        await wait_for(lambda: 6 in fake.opcodes)  # resumed, not identified again
        assert fake.opcodes.count(2) == 1
        await fake.dispatch(
            "INTERACTION_CREATE",
            {
                "id": "111",
                "application_id": "222",
                "type": 2,
                "token": "tok",
                "version": 1,
                "locale": "en-US",
                "channel_id": "333",
                "user": {**BOT_USER, "bot": False},
                "app_permissions": "0",
                "entitlements": [],
                "attachment_size_limit": 8388608,
                "data": {
                    "id": "5",
                    "name": "caremark",
                    "type": 1,
                    "options": [{"name": "topic", "type": 3, "value": "specialty"}],
                },
            },
        )
        await wait_for(lambda: bool(fake.callbacks))
        assert "1-800-237-2767" in json.dumps(fake.callbacks[0])
    finally:
        await bot.close()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await fake.server.close()


def test_shards_come_from_the_environment(engine: Engine) -> None:
    assert shards({}) == {}
    assert shards({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "0, 1"}) == {
        "shard_count": 4,
        "shard_ids": [0, 1],
    }
    assert shards({"DISCORD_SHARD_COUNT": "2"}) == {"shard_count": 2}
    with pytest.raises(ConfigError, match="DISCORD_SHARD_IDS below it"):
        shards({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"})
    bot = GatewayBot(engine, sharding={"shard_count": 4, "shard_ids": [2, 3]})
    assert (bot.shard_count, bot.shard_ids) == (4, [2, 3])
