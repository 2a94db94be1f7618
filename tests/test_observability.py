"""Metrics move as questions arrive; logs are JSON lines with nothing a person typed."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from adapters.logs import JsonFormatter
from adapters.settings import SlackSettings
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.kb.knowledge import Knowledge
from bot.reply import Query, Reply
from tests.conftest import FIXED_NOW
from tests.slack_fakes import BOT_TOKEN, SECRET, command_body, signed_headers


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample line in Prometheus' text format (0 if absent)."""
    for line in metrics.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def run(engine: Engine, texts: list[str]) -> str:
    settings = SlackSettings(BOT_TOKEN, SECRET, None, "http://127.0.0.1:9/api/")
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(engine, Slack.start(engine, settings)), host="127.0.0.1")
    )
    await client.start_server()
    try:
        for text in texts:
            body = command_body(text)
            assert (
                await client.post("/slack/events", data=body, headers=signed_headers(body))
            ).status == 200
        await client.post("/slack/events", data=b"x", headers={})  # unsigned: 401
        response = await client.get("/metrics")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return await response.text()
    finally:
        await client.close()


async def test_counters_move(kb: Knowledge) -> None:
    engine = Engine(kb, clock=lambda: FIXED_NOW)
    texts = [
        "specialty",
        "specialty",
        "qwxz zzkj",
        "phone",
        "ssn 123-45-6789",
        "appeal a denial",
        "hours",
    ]
    metrics = await run(engine, texts)
    name = "caremark_questions_total"
    assert sample(metrics, name, platform="slack", topic="specialty", outcome="answered") == 2
    assert sample(metrics, name, platform="slack", topic="none", outcome="not-found") == 1
    assert sample(metrics, name, platform="slack", topic="none", outcome="suggested") == 1
    assert sample(metrics, name, platform="slack", topic="appeals", outcome="refused") == 1
    assert sample(metrics, name, platform="slack", outcome="refused") >= 1  # the SSN
    assert sample(metrics, "caremark_answer_seconds_count", platform="slack") == len(texts)
    assert sample(
        metrics, "caremark_http_request_seconds_count", route="/slack/events", status="200"
    ) == len(texts)
    assert (
        sample(metrics, "caremark_http_request_seconds_count", route="/slack/events", status="401")
        == 1
    )
    assert "123-45-6789" not in metrics and "qwxz" not in metrics


class Broken(Engine):
    async def _handle(self, query: Query) -> Reply:
        raise RuntimeError("boom")


async def test_errors_are_counted(kb: Knowledge) -> None:
    metrics = await run(Broken(kb, clock=lambda: FIXED_NOW), ["specialty"])
    assert sample(metrics, "caremark_questions_total", platform="slack", outcome="error") == 1


def test_json_log_lines_are_redacted() -> None:
    record = logging.LogRecord(
        "caremark", logging.INFO, __file__, 1, "asked %s", ("ssn 123-45-6789",), None
    )
    record.platform = "slack"
    record.topic = "specialty"
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert (
        entry["level"] == "INFO" and entry["platform"] == "slack" and entry["topic"] == "specialty"
    )
    assert "123-45-6789" not in line


async def test_engine_logs_carry_no_question_text(engine: Engine, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "my member id W99887766 and I want the specialty number"
    await engine.handle(Query(secret))
    assert "W99887766" not in caplog.text and "specialty number" not in caplog.text
    assert not re.search(r"member id", caplog.text)
