"""Refuse a signed request seen before: a captured Slack or Discord request, sent again inside
the five minutes its timestamp stays fresh, would otherwise repeat what it did (a shared answer
posted to the channel a second time).

A signature covers the timestamp and the whole body, and each platform puts a unique id in every
body (Slack's `trigger_id`, Discord's interaction `id`), so two genuine requests never share one.
"""

from __future__ import annotations

MAX_ENTRIES = 200_000
"""About 30 MB at most; past it the oldest signatures are forgotten first."""


class ReplayGuard:
    """Signatures seen lately, oldest first. A timestamp stays fresh for `max_age` either side
    of now, so a signature is kept for twice that."""

    def __init__(self, max_age: float, max_entries: int = MAX_ENTRIES) -> None:
        self._window = 2 * max_age
        self._max_entries = max_entries
        self._seen: dict[str, float] = {}

    def first_time(self, signature: str, now: float) -> bool:
        """True the first time a signature is seen; remembers it."""
        self._forget_before(now - self._window)
        if signature in self._seen:
            return False
        if len(self._seen) >= self._max_entries:
            del self._seen[next(iter(self._seen))]
        self._seen[signature] = now
        return True

    def _forget_before(self, cutoff: float) -> None:
        while self._seen:
            oldest = next(iter(self._seen))
            if self._seen[oldest] >= cutoff:
                return
            del self._seen[oldest]
