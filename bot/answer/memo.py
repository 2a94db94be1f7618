"""A memo of built answers that lasts one minute.

An all-hands e-mail sends hundreds of people to the same few topics within minutes. The same
match (a topic, the topic list, a set of suggestions or a miss), in the same minute with the same
locale and time zone, yields the same Reply object, so it is built once and the adapters can
reuse what they rendered from it. Answers show the time to the minute, so nothing shown goes
stale. Keys hold topic ids, locales and zone names only: nothing a person typed is kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable

from bot.reply import Reply

MAX_ENTRIES = 2048
"""Matches × locales × zones seen in one minute; past this the memo starts over (0: no memo)."""


class MinuteMemo:
    """Replies by key, forgotten when the minute changes."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max_entries = max_entries
        self._minute: int | None = None
        self._replies: dict[Hashable, Reply] = {}

    def get(self, key: Hashable, now: dt.datetime, build: Callable[[], Reply]) -> Reply:
        """The reply built for `key` this minute, building it with `build` on a miss."""
        minute = int(now.timestamp()) // 60
        if minute != self._minute or len(self._replies) >= self._max_entries:
            self._replies.clear()
            self._minute = minute
        reply = self._replies.get(key)
        if reply is None:
            reply = self._replies[key] = build()
        return reply
