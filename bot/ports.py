"""What the core needs from outside, as small types that adapters provide or subscribe to."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], dt.datetime]
"""Now, as an aware datetime: the one meaning of "clock" in the project."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Answered:
    """One question answered: where, which topic, how it went and how long it took. It never
    carries the question's text."""

    platform: str
    topic: str | None
    outcome: str
    seconds: float
    language: str = "en"
    plan: str | None = None


Observer = Callable[[Answered], None]
"""Told of every question the engine answers (metrics, and later insights)."""
