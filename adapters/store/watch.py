"""Plan changes reach every instance within a second: each one polls the change log's latest
entry, and when it moves, writes the plan file again and reloads through the same gate.
A database that goes away never takes answers down: the last good base keeps serving, each
failed poll is counted, and the outage is logged once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.background import while_serving
from adapters.plan_routes import PlanRoutes
from adapters.store.places import languages
from adapters.store.routes import routes
from adapters.store.snapshot import write_plans
from adapters.store.tables import plan_changes

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
"""Twice a second: with a reload of a few hundred ms, a change is answered within a second."""


class PlanWatch:
    """Keeps `snapshot` (the default plan's file) and the other plans' files beside it in
    step with the store."""

    def __init__(
        self,
        engine: AsyncEngine,
        snapshot: Path,
        reload: Callable[[], Awaitable[list[str]]],
        failed: Callable[[], None],
        interval: float = POLL_SECONDS,
        routes: PlanRoutes | None = None,
    ) -> None:
        """`routes`, when given, is refilled from the store's mappings on every change."""
        self._db, self._snapshot, self._reload = engine, snapshot, reload
        self._routes = routes
        self._failed, self._interval = failed, interval
        self._seen: int | None = None
        self._down = False

    async def latest(self) -> int:
        async with self._db.connect() as db:
            return int((await db.execute(select(func.max(plan_changes.c.id)))).scalar() or 0)

    async def poll(self) -> bool:
        """One look at the store; True when a newer plan was installed."""
        try:
            latest = await self.latest()
            if self._seen is None:  # at start: the plan files are fresh; the routes not yet
                await self._load_routes()
            if self._seen is None or latest == self._seen:
                self._seen = latest
                self._recovered()
                return False
            written = await write_plans(self._db, self._snapshot)
            await self._load_routes()
        except Exception as error:
            self._failed()
            if not self._down:
                log.error("the plan store is unavailable: %s", type(error).__name__)
                self._down = True
            return False
        self._recovered()
        self._seen = latest
        if not written:
            return False
        problems = await self._reload()
        return not problems

    async def _load_routes(self) -> None:
        if self._routes is not None:
            mapped = [(r.key, r.plan_id) for r in await routes(self._db)]
            self._routes.replace(mapped, (await languages(self._db)).items())

    def _recovered(self) -> None:
        if self._down:
            log.info("the plan store is back")
            self._down = False

    async def run(self) -> None:
        while True:
            await self.poll()
            await asyncio.sleep(self._interval)

    def context(self) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
        """An aiohttp cleanup context: watch while the app serves."""
        return while_serving(self.run, self._db.dispose)
