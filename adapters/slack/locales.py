"""Each Slack user's language setting (`users.info` with `include_locale`), learnt in the
background and kept for an hour, so an answer never waits on the Web API.

A slash command carries no locale. The first question from a person is answered from the
text's language (or the deployment's default) while their locale is fetched; the next one
uses it. Only the user id and the locale are kept, in memory, for at most `MAX_USERS` people.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.background import Background
from adapters.signing import UnixTime

log = logging.getLogger(__name__)

TTL_SECONDS = 3600.0
"""How long a learnt locale is trusted; people rarely change theirs."""
RETRY_SECONDS = 300.0
"""After a failed look-up (no `users:read` scope, a network error), wait this long."""
MAX_USERS = 10_000
MAX_IN_FLIGHT = 8
"""Look-ups under way at once, at most: a burst of first questions from many people is
answered at once and learns their locales a few at a time (users.info is rate-limited)."""


class UserLocales:
    """User id → Slack locale (`es-LA`, `en-US`), or None while unknown."""

    def __init__(
        self,
        client: Callable[[], AsyncWebClient],
        background: Background,
        clock: UnixTime,
    ) -> None:
        self._client = client
        self._background = background
        self._clock = clock
        self._known: OrderedDict[str, tuple[str | None, float]] = OrderedDict()
        self._in_flight = 0
        self._paused_until = 0.0
        """After a failure (no `users:read` scope, Slack unreachable), nobody is looked up
        for a while: the next person's look-up would fail the same way."""

    def get(self, user: str) -> str | None:
        """The user's locale if learnt and fresh; otherwise None, and a look-up is started."""
        if not user:
            return None
        now = self._clock()
        entry = self._known.get(user)
        if entry is not None and entry[1] > now:
            self._known.move_to_end(user)
            return entry[0]
        if now < self._paused_until or self._in_flight >= MAX_IN_FLIGHT:
            return entry[0] if entry else None
        # Remember the attempt at once, so a burst from one person starts one look-up.
        self._remember(user, entry[0] if entry else None, now + RETRY_SECONDS)
        self._in_flight += 1
        self._background.spawn(self._counted(self._learn(user)))
        return entry[0] if entry else None

    async def _counted(self, work: Awaitable[None]) -> None:
        try:
            await work
        finally:
            self._in_flight -= 1

    async def fetch(self, user: str) -> str | None:
        """The user's locale, waiting for the look-up (for work already after an ack)."""
        entry = self._known.get(user)
        if entry is not None and entry[1] > self._clock() and entry[0]:
            return entry[0]
        await self._learn(user)
        found = self._known.get(user)
        return found[0] if found else None

    async def _learn(self, user: str) -> None:
        try:
            response = await self._client().users_info(user=user, include_locale=True)
            profile = response.get("user")
            locale = profile.get("locale") if isinstance(profile, dict) else None
        except Exception as error:  # a missing scope or a network error: answer without it
            log.info("slack locale unavailable: %s", type(error).__name__)
            if _for_everyone(error):
                self._paused_until = self._clock() + RETRY_SECONDS
            return
        if isinstance(locale, str) and len(locale) <= 16:
            self._remember(user, locale, self._clock() + TTL_SECONDS)

    def _remember(self, user: str, locale: str | None, until: float) -> None:
        self._known[user] = (locale, until)
        self._known.move_to_end(user)
        while len(self._known) > MAX_USERS:
            self._known.popitem(last=False)


def _for_everyone(error: Exception) -> bool:
    """A failure the next look-up would meet too: a missing scope, a bad token, Slack
    unreachable; not one about this user (`user_not_found`)."""
    response: Any = getattr(error, "response", None)
    code = response.get("error") if response is not None and hasattr(response, "get") else None
    return code not in ("user_not_found", "user_not_visible")
