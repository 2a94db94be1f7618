"""Reloading the knowledge base while serving: built off the event loop, swapped in one step,
and merged when many are asked for at once (SIGHUP or `POST /admin/reload`)."""

from __future__ import annotations

import asyncio
import logging

from adapters import heap
from bot.core import Engine
from bot.kb.knowledge import KnowledgeError

log = logging.getLogger(__name__)


class Reloader:
    """Reloads the knowledge base off the event loop, and merges reloads asked for while one
    runs into the next: a hundred concurrent requests, or a SIGHUP storm, cost two builds."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = asyncio.Lock()
        self._asked = 0
        self._done = 0
        self._last: list[str] = []
        self.builds = 0

    async def reload(self) -> list[str]:
        """The problems (empty when it worked); on any problem the old base keeps serving."""
        self._asked += 1
        mine = self._asked
        async with self._lock:
            if self._done >= mine:  # a build that began after this was asked has finished
                return self._last
            covers = self._asked
            self._last = await self._build()
            self._done = covers
            return self._last

    async def _build(self) -> list[str]:
        self.builds += 1
        try:
            prepared = await asyncio.to_thread(self._engine.rebuild)
        except KnowledgeError as exc:
            log.error("reload refused: the knowledge base has %d problem(s)", len(exc.problems))
            return [str(p) for p in exc.problems]
        self._engine.install(prepared)
        heap.refreeze()
        log.info("knowledge base reloaded")
        return []


def reload(engine: Engine) -> list[str]:
    """Reload now, on this thread (the CLI and tests); see `Reloader` for the server."""
    try:
        engine.reload()
    except KnowledgeError as exc:
        return [str(p) for p in exc.problems]
    heap.refreeze()
    return []
