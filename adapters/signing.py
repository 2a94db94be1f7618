"""What Slack's and Discord's request signatures have in common: one header of each kind, a
timestamp fresh within five minutes, and a clock in seconds. Each platform's module adds only
its own cryptography (`adapters/slack/verify.py`, `adapters/discord_app/interactions.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

MAX_AGE_SECONDS = 300
REMEMBER_SECONDS = 2 * MAX_AGE_SECONDS
"""How long a signature or an event id is remembered: while its timestamp could still pass
as fresh, either side of now."""
"""Both platforms' rule: a request signed more than five minutes away from now is refused."""
_MAX_TIMESTAMP_DIGITS = 12

UnixTime = Callable[[], float]
"""Seconds since the epoch, as `time.time` gives them; signatures are timed with it."""


class Headers(Protocol):
    def getall(self, key: str, default: Sequence[str]) -> Sequence[str]: ...


def single(headers: Headers, name: str) -> str | None:
    """The header's value if it was sent exactly once, else None (a repeat is refused)."""
    values = headers.getall(name, ())
    return values[0] if len(values) == 1 else None


def fresh(timestamp: str, now: float) -> bool:
    """A timestamp of plain ASCII digits, within `MAX_AGE_SECONDS` of now."""
    if not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS
    ):
        return False
    return abs(now - int(timestamp)) <= MAX_AGE_SECONDS
