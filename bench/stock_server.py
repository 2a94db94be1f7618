"""The stock stacks, answering with the same engine and renderers as caremark-bot.

    python bench/stock_server.py PORT

- `/slack/events`: slack-bolt's AsyncApp with its defaults (`process_before_response=False`,
  Bolt's own signature check) on Bolt's own aiohttp server. The `/caremark` listener answers
  inside `ack()`, as ours does.
- `/discord/interactions`: verification as Discord's developer documentation shows it: the two
  headers read directly, `bytes.fromhex` on the signature, and only a bad signature caught.

`bench/endpoints.py` measures its throughput; `bench/defects.py` runs the hostile corpus and a
listener that fails after `ack()` against it. `authorize=` stands in for a token only so that
nothing calls `auth.test` over the network.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from aiohttp import web
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.discord_app import render as discord_render
from adapters.slack import render as slack_render
from bot.core import Engine
from bot.reply import Platform, Query

FAILING_ACTION = "fail-after-ack"
"""A button whose listener acknowledges, then raises: the case Bolt's default mode loses."""


def stock_app(engine: Engine, slack_secret: str, discord_public_key: str) -> web.Application:
    """Bolt's default aiohttp app for Slack, plus the documented Discord handler."""
    bolt = AsyncApp(signing_secret=slack_secret, authorize=_authorize)

    @bolt.command("/caremark")
    async def caremark(ack: AsyncAck, command: dict[str, Any]) -> None:
        reply = await engine.handle(Query(command.get("text") or "", Platform.SLACK))
        await ack(**slack_render.message(reply))

    @bolt.action(FAILING_ACTION)
    async def fails(ack: AsyncAck) -> None:
        await ack()
        raise RuntimeError("failed after ack")

    app = bolt.web_app(path="/slack/events")
    key = VerifyKey(bytes.fromhex(discord_public_key))

    async def interactions(request: web.Request) -> web.Response:
        signature = request.headers["X-Signature-Ed25519"]
        timestamp = request.headers["X-Signature-Timestamp"]
        body = (await request.read()).decode("utf-8")
        try:
            key.verify(f"{timestamp}{body}".encode(), bytes.fromhex(signature))
        except BadSignatureError:
            return web.json_response({"error": "invalid request signature"}, status=401)
        interaction = json.loads(body)
        if interaction["type"] == 1:
            return web.json_response({"type": 1})
        options = interaction["data"].get("options") or [{}]
        reply = await engine.handle(Query(options[0].get("value", ""), Platform.DISCORD))
        return web.json_response(discord_render.response(reply))

    app.router.add_post("/discord/interactions", interactions)
    return app


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id=None, bot_token="xoxb-stock")


if __name__ == "__main__":
    app = stock_app(
        Engine.from_files(), os.environ["SLACK_SIGNING_SECRET"], os.environ["DISCORD_PUBLIC_KEY"]
    )
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
