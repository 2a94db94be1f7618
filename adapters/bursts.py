"""A burst of mentions in one channel gets answers up to a limit, then one kind notice, then
quiet until the window has passed: a bot must never flood a channel."""

from __future__ import annotations

from collections import OrderedDict, deque
from enum import StrEnum

from adapters.signing import UnixTime

MENTIONS_PER_WINDOW = 6
WINDOW_SECONDS = 60.0
MAX_CHANNELS = 10_000


class Turn(StrEnum):
    ANSWER = "answer"
    NOTICE = "notice"
    """The limit was just reached: say so once."""
    QUIET = "quiet"


class BurstLimit:
    """At most `limit` answers per channel in any `window` seconds."""

    def __init__(
        self, clock: UnixTime, limit: int = MENTIONS_PER_WINDOW, window: float = WINDOW_SECONDS
    ) -> None:
        self._clock, self._limit, self._window = clock, limit, window
        self._recent: OrderedDict[str, deque[float]] = OrderedDict()
        self._noticed: dict[str, float] = {}

    def turn(self, channel: str) -> Turn:
        now = self._clock()
        times = self._recent.pop(channel, deque())
        while times and times[0] <= now - self._window:
            times.popleft()
        self._recent[channel] = times
        while len(self._recent) > MAX_CHANNELS:
            gone, _ = self._recent.popitem(last=False)
            self._noticed.pop(gone, None)
        if len(times) < self._limit:
            times.append(now)
            return Turn.ANSWER
        if self._noticed.get(channel, -self._window) <= now - self._window:
            self._noticed[channel] = now
            return Turn.NOTICE
        return Turn.QUIET
