"""The weekly digest plan admins opt into: last week's numbers, sent once on Monday morning
however many instances run, and the one-sentence summary `/caremark admin` shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters import digest
from adapters.store import insights
from adapters.store.database import connect, upgrade
from adapters.store.facts import StoredSlot
from bot.kb.knowledge import Knowledge
from bot.ports import Answered
from tests.stores import url
from tests.test_insights import sample

__all__ = ["url"]  # the fixture, from tests/stores.py
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


class Inbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def reaches(self, user: str) -> bool:
        return user.startswith("U")

    async def ask(self, user: str, slot: StoredSlot) -> None:
        raise AssertionError("not a reminder")

    async def tell(self, user: str, slot: StoredSlot) -> None:
        raise AssertionError("not a reminder")

    async def say(self, user: str, text: str) -> None:
        self.sent.append((user, text))


@pytest.fixture
async def db(url: str) -> AsyncIterator[AsyncEngine]:
    upgrade(url)
    engine = connect(url)
    yield engine
    await engine.dispose()


async def test_the_digest_goes_once_on_monday_morning(db: AsyncEngine, kb: Knowledge) -> None:
    day = MONDAY.date() - dt.timedelta(days=2)
    await insights.record(db, [(day, Answered("slack", "specialty", "answered", 0.0))] * 5)
    inbox = Inbox()
    admins = frozenset({"U0ADMIN", "U0OTHER", "1234"})
    instances = [
        digest.WeeklyDigest(db, [inbox], admins, lambda: kb, now=lambda: MONDAY) for _ in range(2)
    ]
    assert [await d.send_if_due() for d in instances] == [True, False]
    assert sorted(user for user, _ in inbox.sent) == ["U0ADMIN", "U0OTHER"]
    text = inbox.sent[0][1]
    assert "2026-11-23 to 2026-11-30" in text and "5 questions" in text and "100%" in text
    early = digest.WeeklyDigest(db, [inbox], admins, lambda: kb, now=lambda: MONDAY.replace(hour=7))
    tuesday = digest.WeeklyDigest(
        db, [inbox], admins, lambda: kb, now=lambda: MONDAY + dt.timedelta(days=8)
    )
    assert not await early.send_if_due() and not await tuesday.send_if_due()


def test_the_summary_and_the_digest_read_as_sentences() -> None:
    made = sample()
    line = digest.summary(made)
    assert line.startswith("Last 28 days: 1,240 questions, 81% answered straight away")
    assert "86% of votes helpful" in line and "verified: 70%" in line
    text = digest.digest(made, ["Mail order fax"], "es")
    assert "Su semana de Caremark help" in text and "Mail order fax" in text
    assert "can my dog's prescription go through caremark (4)" in text
    assert digest.enabled({"CAREMARK_WEEKLY_DIGEST": "on"})
    assert not digest.enabled({})
