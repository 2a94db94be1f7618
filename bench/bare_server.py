"""The baseline: a bare aiohttp handler that answers every POST with a fixed JSON body,
on the same paths as the real endpoints."""

from __future__ import annotations

import sys

from aiohttp import web

BODY = b'{"response_type":"ephemeral","text":"ok"}'


async def answer(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(body=BODY, content_type="application/json")


if __name__ == "__main__":
    app = web.Application()
    app.router.add_post("/slack/events", answer)
    app.router.add_post("/discord/interactions", answer)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
