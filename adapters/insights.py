"""Collecting the report's numbers while the bot serves: every answer counted (from the
engine's `Answered` events, which carry no text and no person), questions nothing answered
kept redacted, written to the store in batches off the answer path; retention applied daily.
The database layer is loaded only once serving has begun, so start-up stays fast.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adapters.background import while_serving
from bot.ports import Answered
from bot.reply import Reply

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
FLUSH_SECONDS = 1.0
MAX_PENDING = 50_000
MAX_QUESTIONS = 100
"""Unanswered questions kept per batch (a second): past it, the rest of a flood is not."""
"""Counts waiting for a store that is away; past this the oldest are dropped (and said)."""


class Insights:
    def __init__(
        self,
        db: AsyncEngine | str,
        retention: int | None = None,
        today: Callable[[], dt.date] = lambda: dt.datetime.now(dt.UTC).date(),
    ) -> None:
        """`db`: the store, or its URL (connected when first written to)."""
        from adapters.store.insights_settings import retention_days

        self._db, self._today = db, today
        self.retention = retention_days() if retention is None else retention
        self._pending: list[tuple[dt.date, Answered]] = []
        self._questions: list[tuple[str, str, str, str, str, dt.date]] = []
        """Unanswered questions, already redacted, waiting for the next batch."""
        self._key: bytes | None = None
        self._retained_on: dt.date | None = None

    def observe(self, event: Answered) -> None:
        """An engine observer: count this answer (written within a second)."""
        if len(self._pending) >= MAX_PENDING:
            del self._pending[: MAX_PENDING // 10]
            log.warning("insight counts are waiting for the store; the oldest were dropped")
        self._pending.append((self._today(), event))

    def unanswered(self, text: str, platform: str, user: str, language: str, why: str) -> None:
        """Keep a question nothing answered (or that the person said did not help): redacted
        now, written with the next batch; nothing is kept when retention is 0."""
        from adapters.store.insights import scrub

        if self.retention <= 0 or not text.strip() or not user:
            return
        if len(self._questions) >= MAX_QUESTIONS:
            return  # a flood in one second is not what the report is for
        said = scrub(text)
        question = (said, platform, user, language, why, self._today())
        if question not in self._questions:  # the same person asking the same, once
            self._questions.append(question)

    def if_unanswered(self, reply: Reply, text: str, platform: str, user: str) -> None:
        """Keep `text` when nothing answered it (the reply found no topic)."""
        from bot.core import outcome

        if outcome(reply) == "not-found":
            self.unanswered(text, platform, user, reply.language, "not-found")

    async def vote(
        self, platform: str, user: str, answer: str, topic: str, language: str, helpful: bool
    ) -> bool:
        """Count a person's vote on one answer; False when they had voted on it already."""
        from adapters.store import insights

        voter = insights.person(await self.key(), platform, user)
        return await insights.vote(
            self.db,
            answer,
            voter,
            platform=platform,
            topic=topic or None,
            language=language,
            helpful=helpful,
            day=self._today(),
        )

    @property
    def db(self) -> AsyncEngine:
        if isinstance(self._db, str):
            from adapters.store import insights  # noqa: F401  (loaded with the engine)
            from adapters.store.database import connect

            self._db = connect(self._db)
        return self._db

    def _load(self) -> None:
        """Import the database layer and compile the statements the batches use."""
        from sqlalchemy import insert

        from adapters.store.tables import answer_events, unanswered

        dialect = self.db.dialect
        for table in (answer_events, unanswered):
            insert(table).compile(dialect=dialect)

    async def dispose(self) -> None:
        if not isinstance(self._db, str):
            await self._db.dispose()

    async def key(self) -> bytes:
        from adapters.store import insights

        if self._key is None:
            self._key = await insights.hash_key(self.db)
        return self._key

    async def flush(self) -> int:
        """Write the counts and the questions waiting; returns how many answers were counted."""
        from adapters.store import insights

        batch, self._pending = self._pending, []
        questions, self._questions = self._questions, []
        try:
            counted = await insights.record(self.db, batch)
        except Exception:
            self._pending[:0] = batch  # kept for the next try
            self._questions[:0] = questions
            raise
        if questions:
            key = await self.key()
            rows = [
                row
                for said, platform, user, language, why, day in questions
                if (voter := insights.person(key, platform, user))
                and (row := insights.unanswered_row(
                    said, voter, platform=platform, language=language, why=why, day=day
                ))
            ]  # fmt: skip
            await insights.keep_all(self.db, rows)
        return counted

    async def run(self, interval: float = FLUSH_SECONDS) -> None:
        loaded = False
        while True:
            await asyncio.sleep(interval)
            if not loaded:  # the database layer loads in a thread once start-up is over: on
                await asyncio.to_thread(self._load)  # the loop, it would stall answers
                loaded = True
            from adapters.store import insights

            try:
                await self.flush()
                today = self._today()
                if self._retained_on != today:
                    await insights.apply_retention(self.db, today, self.retention)
                    self._retained_on = today
            except Exception:
                log.exception("insight counts could not be written")

    def context(self) -> Callable[[Any], Any]:
        """An aiohttp cleanup context: write while serving, and what is left at shutdown."""

        async def last() -> None:
            try:
                await self.flush()
            except Exception:
                log.exception("insight counts could not be written at shutdown")

        return while_serving(self.run, last)
