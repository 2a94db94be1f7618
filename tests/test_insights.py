"""The HR team's report, on SQLite and PostgreSQL: answers counted without a person or a text,
votes once per person, unanswered questions redacted and shown only once three different
people asked, retention and purge, nothing identifying anywhere in the store, the report in
every format, the page in headless Chromium, and a real Slack command counted end to end."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import report
from adapters.insights import Insights
from adapters.report_page import page
from adapters.settings import SlackSettings
from adapters.store import insights
from adapters.store.database import connect, upgrade
from adapters.store.tables import answer_events
from adapters.web import Slack, create_app
from bot.core import Engine
from bot.ports import Answered
from tests.slack_fakes import BOT_TOKEN, SECRET, command_body, signed_headers
from tests.stores import url

__all__ = ["url"]  # the fixture, from tests/stores.py
TODAY = dt.date(2026, 12, 1)
KEY = b"k" * 32


@pytest.fixture
async def db(url: str) -> AsyncIterator[AsyncEngine]:
    upgrade(url)
    engine = connect(url)
    yield engine
    await engine.dispose()


def answered(topic: str | None, result: str = "answered", language: str = "en") -> Answered:
    return Answered("slack", topic, result, 0.001, language)


async def test_answers_are_counted_with_no_person_and_no_text(db: AsyncEngine) -> None:
    events = [(TODAY, answered("specialty"))] * 3 + [(TODAY, answered(None, "not-found", "es"))]
    assert await insights.record(db, events) == 4
    made = await report.build(db, TODAY - dt.timedelta(days=7), TODAY)
    assert made.questions == 4 and made.outcomes == {"answered": 3, "not-found": 1}
    assert made.languages == {"en": 3, "es": 1} and made.topics == [("specialty", 3)]
    assert made.weeks == [("2026-11-30", 4)]
    assert set(answer_events.c.keys()) == {
        "id", "day", "platform", "topic", "outcome", "language", "plan_id", "count"
    }  # fmt: skip


async def test_one_vote_per_person_per_answer(db: AsyncEngine) -> None:
    someone = insights.person(KEY, "slack", "U0ANA")
    ballot: dict[str, Any] = {"platform": "slack", "topic": "specialty", "language": "en"}
    assert await insights.vote(db, "a1", someone, helpful=True, day=TODAY, **ballot)
    assert not await insights.vote(db, "a1", someone, helpful=False, day=TODAY, **ballot)
    other = insights.person(KEY, "slack", "U0BEN")
    assert await insights.vote(db, "a1", other, helpful=False, day=TODAY, **ballot)
    made = await report.build(db, TODAY, TODAY)
    assert made.helpful == [("specialty", 1, 2)] and made.helpful_languages == {"en": (1, 2)}
    assert someone != insights.person(b"another key", "slack", "U0ANA") and len(someone) == 64


IDENTIFIERS = {
    "an SSN": "123-45-6789",
    "a member ID": "member id A123456789",
    "a card": "4111 1111 1111 1111",
    "a phone number": "1-800-237-2765",
    "an e-mail address": "dana.smith@example.com",
    "a link": "https://bit.ly/3xYz",
    "a date of birth": "DOB 03/04/1980",
    "a written birth date": "born March 3, 1980",
    "a bare member ID": "ZX123456789",
    "a Spanish member ID": "mi número de miembro es A987654321",
    "a Spanish birth date": "fecha de nacimiento 3 de marzo de 1980",
    "an Rx group": "rx group 4477",
}


async def test_unanswered_questions_are_redacted_and_shown_from_three_people(
    db: AsyncEngine,
) -> None:
    for n, value in enumerate(IDENTIFIERS.values()):
        voter = insights.person(KEY, "slack", f"U{n}")
        question = f"Where do I send my prior auth form? {value}"
        kept = await insights.keep_unanswered(
            db, question, voter, platform="slack", language="en", why="not-found", day=TODAY
        )
        assert kept
    lonely = insights.person(KEY, "slack", "U99")
    await insights.keep_unanswered(
        db,
        "Why is the sky green",
        lonely,
        platform="slack",
        language="en",
        why="not-found",
        day=TODAY,
    )
    made = await report.build(db, TODAY, TODAY)
    assert [people for _, people in made.unanswered] == [len(IDENTIFIERS)]
    shown = made.unanswered[0][0]
    assert shown.startswith("Where do I send my prior auth form?")
    assert "sky" not in report.as_text(made)
    async with db.connect() as connection:
        stored = json.dumps(
            [
                [str(v) for v in row]
                for table in ("answer_events", "feedback_votes", "unanswered", "deployment_keys")
                for row in (await connection.execute(text(f"select * from {table}"))).all()
            ]
        )
    for what, value in IDENTIFIERS.items():
        digits = "".join(ch for ch in value if ch.isdigit())
        pieces = [value, value.split()[-1], value.replace("-", "")]
        for piece in pieces + ([digits] if len(digits) >= 4 else []):
            assert piece not in stored, what
    assert "U0" not in stored and "U9" not in stored  # people only as keyed hashes


async def test_retention_and_purge(db: AsyncEngine) -> None:
    old, new = TODAY - dt.timedelta(days=100), TODAY - dt.timedelta(days=5)
    voter = insights.person(KEY, "slack", "U1")
    for day in (old, new):
        await insights.record(db, [(day, answered("specialty"))])
        await insights.keep_unanswered(
            db,
            f"question on {day}",
            voter,
            platform="slack",
            language="en",
            why="not-found",
            day=day,
        )
        await insights.vote(
            db, f"a{day}", voter, platform="slack", topic="x", language="en", helpful=True, day=day
        )
    assert await insights.apply_retention(db, TODAY, 90) == {"unanswered": 1, "feedback_votes": 1}
    assert (await report.build(db, old, TODAY)).questions == 2  # counts keep nothing personal
    assert await insights.purge(db, new) == {
        "unanswered": 0, "feedback_votes": 0, "answer_events": 1
    }  # fmt: skip
    assert await insights.apply_retention(db, TODAY, 0) == {"unanswered": 1, "feedback_votes": 0}
    assert not await insights.keep_unanswered(
        db, "kept?", voter, platform="slack", language="en", why="x", day=TODAY, retention=0
    )


async def test_the_recorder_writes_off_the_answer_path(db: AsyncEngine, engine: Engine) -> None:
    collected = Insights(db, retention=90, today=lambda: TODAY)
    engine.observe(collected.observe)
    from bot.reply import Query

    await engine.handle(Query("specialty pharmacy number"))
    await engine.handle(Query("zzzz qqqq"))
    assert await collected.flush() == 2
    made = await report.build(db, TODAY, TODAY)
    assert made.questions == 2 and made.outcomes.get("not-found") == 1


async def test_a_slack_command_nothing_answers_is_kept_redacted(
    db: AsyncEngine, engine: Engine
) -> None:
    collected = Insights(db, retention=90, today=lambda: TODAY)
    engine.observe(collected.observe)
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, "http://127.0.0.1:9/api/"))
    chat.answers.insights = collected
    client = TestClient(TestServer(create_app(engine, chat, insights=collected), host="127.0.0.1"))
    await client.start_server()
    try:
        for user in ("U1", "U2", "U3"):
            body = command_body("how do i frobnicate my widget 555-867-5309", user=user)
            response = await client.post("/slack/events", data=body, headers=signed_headers(body))
            assert response.status == 200
        await asyncio.sleep(0.3)
        await collected.flush()
    finally:
        await client.close()
    made = await report.build(db, TODAY, TODAY)
    assert made.unanswered == [("how do i frobnicate my widget #", 3)]
    assert made.outcomes == {"not-found": 3}


def sample() -> report.Report:
    return report.Report(
        since=TODAY - dt.timedelta(days=27),
        until=TODAY,
        questions=1240,
        weeks=[("2026-11-09", 280), ("2026-11-16", 330), ("2026-11-23", 290), ("2026-11-30", 340)],
        outcomes={"answered": 1010, "suggested": 140, "not-found": 70, "refused": 20},
        platforms={"slack": 900, "discord": 340},
        languages={"en": 1050, "es": 190},
        topics=[("CVS Specialty pharmacy", 410), ("Mail order", 260), ("Lost package", 120)],
        helpful=[("CVS Specialty pharmacy", 88, 97), ("Mail order", 40, 52)],
        helpful_languages={"en": (110, 125), "es": (18, 24)},
        unanswered=[("can my dog's prescription go through caremark", 4)],
        health=report.Health(7, 2, 1, [("Prior authorization fax", 260)]),
    )


def test_the_report_in_every_format() -> None:
    made = sample()
    assert "Questions 2026-11-04 to 2026-12-01: 1,240" in report.as_text(made)
    data = json.loads(report.as_json(made))
    assert data["health"]["share_verified"] == 0.7 and data["questions"] == 1240
    assert "unanswered,can my dog's prescription go through caremark,4," in report.as_csv(made)


def test_the_page_loads_offline_in_chromium_with_text_for_every_chart(tmp_path: Path) -> None:
    html = page(sample())
    assert "<script" not in html and 'href="http' not in html and "src=" not in html
    assert html.count('role="img"') == html.count("<svg") == 6
    assert html.count("<table>") == 6  # every chart's numbers as a table
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    shot = tmp_path / "report.png"
    run = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # no network: the page needs none
            "--window-size=414,2400",  # a phone's width
            f"--screenshot={shot}",
            path.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
    )
    assert run.returncode == 0 and shot.stat().st_size > 20_000, run.stderr[-500:]
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", path.as_uri()],
        capture_output=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path)},
        check=False,
        text=True,
    )
    assert "Questions per week" in dom.stdout and "CVS Specialty pharmacy" in dom.stdout


async def test_a_mention_nothing_answers_is_kept_too(db: AsyncEngine, engine: Engine) -> None:
    from tests.slack_fakes import event_body, start_fake_slack

    fake = await start_fake_slack()
    collected = Insights(db, retention=90, today=lambda: TODAY)
    chat = Slack.start(engine, SlackSettings(BOT_TOKEN, SECRET, None, fake.api_url))
    chat.answers.insights = collected
    client = TestClient(TestServer(create_app(engine, chat), host="127.0.0.1"))
    await client.start_server()
    try:
        mention = {
            "type": "app_mention",
            "user": "U0ANA",
            "text": "<@U0BOT> how do i frobnicate my widget",
            "ts": "1700000000.000100",
            "channel": "C0BENEFITS",
            "event_ts": "1700000000.000100",
        }
        body = event_body(mention)
        response = await client.post("/slack/events", data=body, headers=signed_headers(body))
        assert response.status == 200
        await fake.wait_for_posts(1)
        await collected.flush()
    finally:
        await client.close()
        await fake.server.close()
    async with db.connect() as connection:
        kept = (await connection.execute(text("select text, why from unanswered"))).all()
    assert [tuple(row) for row in kept] == [("how do i frobnicate my widget", "not-found")]
