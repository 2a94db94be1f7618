"""Re-verification on schedule, whatever the chat platform: the owner of a due fact gets a
direct message with *Still right* and *Change it*; the plan admins hear when nobody answered
in time. Each platform's messenger reaches its own people (Slack ids start with a letter,
Discord's are numbers), and a reminder is claimed in the database before it is sent, so it is
sent once however many instances run."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from adapters.background import while_serving
from adapters.store.facts import StoredSlot

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 3600.0


class Messenger(Protocol):
    """Direct messages on one platform."""

    def reaches(self, user: str) -> bool:
        """Whether `user` is an id on this platform."""
        ...

    async def ask(self, user: str, slot: StoredSlot) -> None:
        """The owner's question: the fact as employees see it, Still right, Change it."""
        ...

    async def tell(self, user: str, slot: StoredSlot) -> None:
        """An admin's note: nobody has confirmed the fact since it came due."""
        ...

    async def say(self, user: str, text: str) -> None:
        """A plain note (the weekly digest), in the platform's own markup."""
        ...


class Recheck:
    """Sends the reminders that are due, through whichever messenger reaches each person."""

    def __init__(
        self,
        db: Any,
        messengers: Sequence[Messenger],
        admin_ids: frozenset[str],
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._db, self._messengers, self._admins, self._now = db, messengers, admin_ids, now

    async def send_due(self) -> int:
        """Send every reminder due now that no other instance has claimed; returns how many.
        A reminder nobody here can deliver is left for an instance that can."""
        from adapters.store.reminders import Audience, claim, due_reminders

        sent = 0
        for reminder in await due_reminders(self._db, self._now().date()):
            slot = reminder.slot
            owner = self._via(slot.owner) if reminder.audience is Audience.OWNER else None
            admins = [(a, m) for a in sorted(self._admins) if (m := self._via(a))]
            if reminder.audience is Audience.OWNER and (owner is None or not slot.owner):
                continue
            if reminder.audience is Audience.ADMINS and not admins:
                continue
            if not await claim(self._db, reminder, self._now()):
                continue
            if owner is not None and slot.owner:
                await owner.ask(slot.owner, slot)
            else:
                for admin, messenger in admins:
                    await messenger.tell(admin, slot)
            sent += 1
        return sent

    async def run(self, interval: float = CHECK_EVERY_SECONDS) -> None:
        while True:
            try:
                await self.send_due()
            except Exception:
                log.exception("re-verification reminders failed")
            await asyncio.sleep(interval)

    def context(self) -> Callable[[Any], contextlib.AbstractAsyncContextManager[None]]:
        """An aiohttp cleanup context: check for due reminders while the app serves."""
        return while_serving(self.run, self._db.dispose)

    def _via(self, user: str | None) -> Messenger | None:
        return next((m for m in self._messengers if user and m.reaches(user)), None)
