"""The stock stacks' known defects, measured against caremark-bot over loopback.

    python bench/defects.py        # prints JSON; `make bench` adds the table to the summary

Both servers (`caremark-bot`'s web app and `bench/stock_server.py`'s SDK defaults) run in this
process on 127.0.0.1 and get the same requests:

- the hostile corpus (`tests/corpus.py`): malformed signature headers, hostile texts as signed
  commands, and signed hostile bodies; counted: answers with a 5xx status;
- a button whose work fails right after `ack()`, 20 times; counted: requests acknowledged
  with a 200 (Slack shows the person an error for anything else), and for caremark-bot the
  private fallbacks that reached the response_url.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.settings import SlackSettings
from adapters.slack import render
from adapters.web import Slack, create_app
from bench.stock_server import FAILING_ACTION, stock_app
from bot.core import Engine
from bot.reply import Query, Reply
from tests.corpus import (
    DISCORD_BAD_HEADERS,
    DISCORD_BODIES,
    DISCORD_NONSENSE,
    SLACK_BAD_HEADERS,
    SLACK_BODIES,
    TEXTS,
)
from tests.discord_fakes import PUBLIC, command, sign
from tests.slack_fakes import (
    BOT_TOKEN,
    SECRET,
    action_body,
    command_body,
    signed_headers,
    start_fake_slack,
)

FAILURES_AFTER_ACK = 20
Request = tuple[str, bytes, dict[str, str]]
Results = dict[str, dict[str, float]]


class FailingEngine(Engine):
    """An engine that fails every question: the work after the acknowledgement."""

    async def handle(self, query: Query) -> Reply:
        raise RuntimeError("failed after ack")


def hostile_requests() -> Iterator[Request]:
    """Every corpus case as (path, body, headers), the same for both servers."""
    slack_command = command_body("specialty")
    for case in SLACK_BAD_HEADERS.values():
        yield "/slack/events", slack_command, case(slack_command)
    for body in [command_body(text) for text in TEXTS] + SLACK_BODIES:
        yield "/slack/events", body, signed_headers(body)
    ping = b'{"type": 1}'
    for case in DISCORD_BAD_HEADERS.values():
        yield "/discord/interactions", ping, case(ping)
    for body in [command(text) for text in TEXTS] + DISCORD_BODIES + DISCORD_NONSENSE:
        yield "/discord/interactions", body, sign(body)


async def count_5xx(client: TestClient[Any, Any]) -> dict[str, float]:
    counts = {"slack 5xx": 0.0, "slack sent": 0.0, "discord 5xx": 0.0, "discord sent": 0.0}
    for path, body, headers in hostile_requests():
        platform = "slack" if path.startswith("/slack") else "discord"
        response = await client.post(
            path, data=body, headers=headers, skip_auto_headers=["Content-Type"]
        )
        await response.read()
        counts[f"{platform} sent"] += 1
        counts[f"{platform} 5xx"] += response.status >= 500
    return counts


Work = Callable[[TestClient[Any, Any]], Awaitable[Any]]


async def served(app: web.Application, work: Work) -> Any:
    client: TestClient[Any, Any] = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        return await work(client)
    finally:
        await client.close()


async def acknowledged(client: TestClient[Any, Any], action: str, response_url: str) -> int:
    """Click the button 20 times at once (Bolt's default mode waits ~3 s before giving up on
    each); count the 200s."""

    async def click() -> bool:
        body = action_body(action, "specialty", response_url)
        response = await client.post("/slack/events", data=body, headers=signed_headers(body))
        await response.read()
        return response.status == 200

    return sum(await asyncio.gather(*(click() for _ in range(FAILURES_AFTER_ACK))))


async def measure() -> Results:
    engine = Engine.from_files()
    fake = await start_fake_slack()
    try:
        settings = SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url)
        ours = create_app(engine, Slack.start(engine, settings), discord_key=PUBLIC)
        stock = stock_app(engine, SECRET, PUBLIC)
        results = {
            "caremark-bot": await served(ours, count_5xx),
            "SDK defaults": await served(stock, count_5xx),
        }
        failing = FailingEngine(engine.knowledge)
        failing_app = create_app(failing, Slack.start(failing, settings))
        results["caremark-bot"]["acknowledged"] = await served(
            failing_app, lambda c: acknowledged(c, render.SHARE_ACTION, fake.response_url)
        )
        await fake.wait_for_posts(FAILURES_AFTER_ACK)
        results["caremark-bot"]["fallbacks"] = sum(
            "Reference:" in str(data) for _, data in fake.posts
        )
        results["SDK defaults"]["acknowledged"] = await served(
            stock_app(engine, SECRET, PUBLIC),
            lambda c: acknowledged(c, FAILING_ACTION, fake.response_url),
        )
    finally:
        await fake.server.close()
    return results


def table(results: Results) -> str:
    ours, stock = results["caremark-bot"], results["SDK defaults"]

    def hostile(row: dict[str, float], platform: str) -> str:
        return f"{row[f'{platform} 5xx']:.0f} of {row[f'{platform} sent']:.0f}"

    acked = f"{{:.0f}} of {FAILURES_AFTER_ACK}"
    return "\n".join(
        [
            "| defect | SDK defaults | caremark-bot |",
            "|---|---|---|",
            f"| Slack hostile requests answered 5xx | {hostile(stock, 'slack')} | "
            f"{hostile(ours, 'slack')} |",
            f"| Discord hostile requests answered 5xx | {hostile(stock, 'discord')} | "
            f"{hostile(ours, 'discord')} |",
            f"| button failing after `ack()`: acknowledged | {acked.format(stock['acknowledged'])}"
            f" | {acked.format(ours['acknowledged'])}, {ours['fallbacks']:.0f} fallbacks sent |",
        ]
    )


def run() -> Results:
    """Measure, with logging off: both stacks log every failure they are made to have."""
    logging.disable(logging.CRITICAL)
    try:
        return asyncio.run(measure())
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    results = run()
    print(json.dumps(results, indent=2))
