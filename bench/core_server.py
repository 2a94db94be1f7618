"""The baseline the endpoints are held to: a bare aiohttp handler that runs the same core
(the same engine, memo and renderers) on the same paths, with nothing else: no signature
check, no replay guard, no limits, no middleware; rendered bodies reused as the endpoints
reuse them. `caremark-bot serve` against it measures
what the adapters cost on top of answering."""

from __future__ import annotations

import json
import sys
import urllib.parse
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.discord_app import render as discord_render
from adapters.rendered import Rendered
from adapters.slack import render as slack_render
from bot.core import Engine
from bot.reply import Platform, Query

ENGINE = Engine.from_files()
RENDERED = Rendered()
"""Rendered bodies reused by Reply identity, as the real endpoints do."""


async def slack(request: web.Request) -> web.Response:
    form = urllib.parse.parse_qs((await request.read()).decode())
    reply = await ENGINE.handle(Query(form.get("text", [""])[0], Platform.SLACK))
    body = RENDERED.body(reply, "slack", lambda: slack_render.message(reply))
    return web.Response(body=body, content_type="application/json")


async def discord(request: web.Request) -> web.Response:
    interaction = json.loads(await request.read())
    options = interaction.get("data", {}).get("options") or [{}]
    reply = await ENGINE.handle(Query(str(options[0].get("value", "")), Platform.DISCORD))
    body = RENDERED.body(reply, "discord", lambda: discord_render.response(reply))
    return web.Response(body=body, content_type="application/json")


if __name__ == "__main__":
    app = web.Application()
    app.router.add_post("/slack/events", slack)
    app.router.add_post("/discord/interactions", discord)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
