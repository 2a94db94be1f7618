"""Opening hours as an HR admin types them ("24/7", "Mon-Fri 8am-6pm CT; Sat 9:00-13:00") read
into the schedule a plan file holds. Anything it cannot read is refused with an example."""

from __future__ import annotations

import re
from typing import Any

ZONES = {
    "ct": "America/Chicago",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "mt": "America/Denver",
    "mst": "America/Denver",
    "mountain": "America/Denver",
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
}
ALWAYS = re.compile(r"^\s*(24/7|24x7|always|around the clock|24 hours(, 7 days)?)\s*$", re.I)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = r"(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
_TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
WINDOW = re.compile(
    rf"^\s*{_DAY}(?:\s*(?:-|–|to)\s*{_DAY})?\s*,?\s*{_TIME}\s*(?:-|–|to)\s*{_TIME}\s*$", re.I
)
EXAMPLE = "24/7, or Mon-Fri 8am-6pm CT; Sat 9:00-13:00"


class UnreadableHours(ValueError):
    """Hours written in a way this cannot read; the message gives an example that works."""


def parse(text: str) -> dict[str, Any]:
    """`{"always": True}` or `{"tz": …, "windows": [{"days", "open", "close"}, …]}`."""
    if ALWAYS.match(text):
        return {"always": True}
    rest, zone = _zone(text)
    windows = [_window(part) for part in re.split(r"[;\n]+", rest) if part.strip()]
    if not windows:
        raise UnreadableHours(f"write the hours like this: {EXAMPLE}")
    return {"tz": zone, "windows": windows}


def _zone(text: str) -> tuple[str, str]:
    """The text without its time zone, and the zone (Central Time unless it says)."""
    found = re.search(r"\b([A-Za-z]+/[A-Za-z_]+|[A-Za-z]+)\s*(time)?\s*$", text.strip())
    if found:
        word = found.group(1).lower()
        if word in ZONES:
            return text.strip()[: found.start()], ZONES[word]
        if "/" in word:
            return text.strip()[: found.start()], found.group(1)
    return text, "America/Chicago"


def _window(part: str) -> dict[str, str]:
    found = WINDOW.match(part)
    if found is None:
        raise UnreadableHours(f"'{part.strip()}' is not hours I can read: write {EXAMPLE}")
    first, last = found.group(1).lower(), (found.group(2) or found.group(1)).lower()
    opens = _clock(found.group(3), found.group(4), found.group(5))
    closes = _clock(found.group(6), found.group(7), found.group(8))
    days = first if first == last else f"{first}-{last}"
    return {"days": days, "open": opens, "close": closes}


def _clock(hour: str, minute: str | None, half: str | None) -> str:
    h, m = int(hour), int(minute or 0)
    if half:
        if not 1 <= h <= 12:
            raise UnreadableHours(f"{hour}{half} is not a time of day")
        h = h % 12 + (12 if half.lower().startswith("p") else 0)
    if h > 24 or m > 59 or (h == 24 and m):
        raise UnreadableHours(f"{hour}:{minute or '00'} is not a time of day")
    return f"{h:02d}:{m:02d}"


def describe(schedule: dict[str, Any]) -> str:
    """A schedule written back the way `parse` reads it, to pre-fill an edit form."""
    if schedule.get("always"):
        return "24/7"
    windows = "; ".join(
        f"{'-'.join(d.capitalize() for d in w['days'].split('-'))} {w['open']}-{w['close']}"
        for w in schedule.get("windows", [])
    )
    zone = schedule.get("tz", "America/Chicago")
    return f"{windows} {zone}".strip()
