"""Work that runs after the platform has its acknowledgement.

Slack wants the HTTP 200 (or the Socket Mode ack) within 3 seconds, and with
`process_before_response=True` Bolt sends it only when the listener returns. So a listener
that calls out (a `response_url` POST, `views.publish`) acknowledges, hands its work here and
returns; shutdown waits for what is still running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)


class Background:
    """Tasks started after an ack, kept until they finish (asyncio holds tasks only weakly)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the work still running."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


def while_serving(
    run: Callable[[], Coroutine[Any, Any, None]],
    then: Callable[[], Awaitable[None]] | None = None,
) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
    """An aiohttp cleanup context that runs `run()` as a task while the app serves, cancels
    it at shutdown, then awaits `then()` (closing what the task used)."""

    @contextlib.asynccontextmanager
    async def context(app: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(run())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if then is not None:
            await then()

    return context
