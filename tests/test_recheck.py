"""Re-verification on schedule: the owner of a due fact gets one DM however many instances
run, the admins hear when nobody answered, and only the owner or an admin can confirm."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.desk import Admins
from adapters.recheck import Recheck
from adapters.slack.recheck import CHANGE_IT, STILL_RIGHT, SlackMessenger, SlackRecheckButtons
from adapters.store.database import connect, database_url, upgrade
from adapters.store.plans import PlanStore
from tests.conftest import EXAMPLE_PLAN
from tests.slack_fakes import BOT_TOKEN, FakeSlack, start_fake_slack

TODAY = dt.datetime.now(dt.UTC).date()


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = database_url({"CAREMARK_DATA": str(tmp_path / "data")})
    upgrade(url)
    engine = connect(url)
    store = PlanStore(engine)
    await store.import_file(EXAMPLE_PLAN, "Dana")
    await store.set_value(
        "customer-care.phone", "1-844-443-4280", "Dana", owner="U0DANA", every_days=30
    )
    for slot in ("customer-care.hours", "mail.address"):
        await store.verify(slot, "Dana")
    yield engine
    await engine.dispose()


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = await start_fake_slack()
    yield fake
    await fake.server.close()


def recheck(db: AsyncEngine, fake: FakeSlack, days: int) -> Recheck:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)

    async def workspaces() -> list[AsyncWebClient]:
        return [client]

    noon = dt.datetime.combine(TODAY + dt.timedelta(days=days), dt.time(12), dt.UTC)
    return Recheck(db, [SlackMessenger(workspaces)], frozenset({"U0ADMIN"}), now=lambda: noon)


async def test_one_reminder_however_many_instances(db: AsyncEngine, fake: FakeSlack) -> None:
    assert await recheck(db, fake, 29).send_due() == 0  # not due yet
    instances = [recheck(db, fake, 31) for _ in range(3)]
    counts = await asyncio.gather(*(i.send_due() for i in instances))
    assert sum(counts) == 1
    ((path, sent),) = fake.posts
    assert path == "/api/chat.postMessage" and sent["channel"] == "U0DANA"
    assert "1-844-443-4280" in sent["text"] and "Still right" in str(sent["blocks"])
    assert await recheck(db, fake, 32).send_due() == 0  # after a restart: still once


async def test_admins_hear_when_nobody_answers(db: AsyncEngine, fake: FakeSlack) -> None:
    await recheck(db, fake, 31).send_due()
    assert await recheck(db, fake, 38).send_due() == 1  # the grace period is over
    _, sent = fake.posts[-1]
    assert sent["channel"] == "U0ADMIN" and "<@U0DANA>" in sent["text"]


class Responses:
    def __init__(self) -> None:
        self.said: list[dict[str, Any]] = []

    async def ack(self) -> None:
        return None

    async def respond(self, **message: Any) -> None:
        self.said.append(message)


def press(action: str, user: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user},
        "actions": [{"action_id": action, "value": "customer-care.phone"}],
    }


async def test_the_owner_confirms_others_are_refused(db: AsyncEngine, fake: FakeSlack) -> None:
    checker, replies = SlackRecheckButtons(db, frozenset({"U0ADMIN"})), Responses()
    await checker.pressed(replies.ack, press(STILL_RIGHT, "U0STRANGER"), replies.respond)
    assert "Only the fact's owner" in replies.said[-1]["text"]
    await checker.pressed(replies.ack, press(STILL_RIGHT, "U0DANA"), replies.respond)
    assert "marked as verified today" in replies.said[-1]["text"]
    changes = await PlanStore(db).history("customer-care.phone")
    assert (changes[-1].who, changes[-1].surface, changes[-1].action) == (
        "slack:U0DANA",
        "chat",
        "verify",
    )
    await checker.pressed(replies.ack, press(CHANGE_IT, "U0ADMIN"), replies.respond)
    assert "plan set customer-care.phone" in replies.said[-1]["text"]


def test_admins_come_from_the_environment() -> None:
    assert Admins.from_env({"CAREMARK_ADMINS": "U1, U2 U3"}).ids == {"U1", "U2", "U3"}
    assert Admins.from_env({}).ids == frozenset()
    assert Admins.from_env({"CAREMARK_PLATFORM_ADMINS": "on"}).platform_roles
