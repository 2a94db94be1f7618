"""Opening hours: describe a schedule, say if it is open now, and show it in the asker's zone."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.kb.model import Schedule, Window

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_US_ZONES = {
    "America/New_York": "ET",
    "America/Chicago": "CT",
    "America/Denver": "MT",
    "America/Los_Angeles": "PT",
}


def zone(name: str | None) -> ZoneInfo | None:
    """A time zone by IANA name, or None when the name is unknown or malformed."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


_UTC_ALIASES = ("UTC", "UCT", "GMT", "Universal", "Zulu")
_UTC_NAMES = frozenset((*_UTC_ALIASES, *(f"Etc/{name}" for name in _UTC_ALIASES)))


def zone_label(name: str) -> str:
    """`CT` for America/Chicago, `UTC` for any spelling of UTC, else the zone's IANA name."""
    return "UTC" if name in _UTC_NAMES else _US_ZONES.get(name, name)


def days_of(window: Window) -> tuple[int, ...]:
    """Weekday numbers (Monday is 0) a `mon-fri` style span covers, wrapping past Sunday."""
    return _days(window.days)


@cache
def _days(span: str) -> tuple[int, ...]:
    first, _, last = span.partition("-")
    start, end = DAYS.index(first), DAYS.index(last or first)
    return tuple((start + i) % 7 for i in range((end - start) % 7 + 1))


@cache
def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def is_open(schedule: Schedule, now: dt.datetime) -> bool:
    """Whether `now` (timezone-aware) falls inside the schedule; windows may pass midnight."""
    if schedule.always:
        return True
    tz = zone(schedule.tz)
    if tz is None:
        return False
    local = now.astimezone(tz)
    minute = local.hour * 60 + local.minute
    for window in schedule.windows:
        start, end = _minutes(window.open), _minutes(window.close)
        days = days_of(window)
        if start < end and local.weekday() in days and start <= minute < end:
            return True
        if start >= end:  # runs past midnight into the next day
            if local.weekday() in days and minute >= start:
                return True
            if (local.weekday() - 1) % 7 in days and minute < end:
                return True
    return False


def clock_text(minutes: int, locale: str | None) -> str:
    """`8 a.m.` / `8:30 p.m.` for US English (or unknown), `08:00` elsewhere."""
    minutes %= 24 * 60
    hours, mins = divmod(minutes, 60)
    if locale and not locale.lower().replace("_", "-").startswith("en-us"):
        return f"{hours:02d}:{mins:02d}"
    suffix = "a.m." if hours < 12 else "p.m."
    twelve = hours % 12 or 12
    return f"{twelve} {suffix}" if mins == 0 else f"{twelve}:{mins:02d} {suffix}"


def _clock(moment: dt.datetime, locale: str | None) -> str:
    return clock_text(moment.hour * 60 + moment.minute, locale)


def _day_span(window: Window) -> str:
    days = days_of(window)
    if len(days) == 7:
        return "Daily"
    first, last = _DAY_NAMES[days[0]], _DAY_NAMES[days[-1]]
    return first if len(days) == 1 else f"{first}–{last}"


@lru_cache(maxsize=1024)
def describe(schedule: Schedule, locale: str | None = None) -> str:
    """The schedule in words, in its own zone: `Mon–Sat 8 a.m.–8 p.m. CT`."""
    if schedule.always:
        return "24 hours a day, 7 days a week"
    spans: dict[str, list[str]] = {}
    for w in schedule.windows:
        times = f"{clock_text(_minutes(w.open), locale)}–{clock_text(_minutes(w.close), locale)}"
        spans.setdefault(_day_span(w), []).append(times)
    parts = [f"{days} {' and '.join(times)}" for days, times in spans.items()]
    return f"{', '.join(parts)} {zone_label(schedule.tz)}"


def in_zone(
    schedule: Schedule, asker_tz: str | None, now: dt.datetime, locale: str | None = None
) -> str | None:
    """The same windows in the asker's zone, for today's date (None if no conversion)."""
    target = zone(asker_tz)
    source = zone(schedule.tz)
    if schedule.always or target is None or source is None or asker_tz == schedule.tz:
        return None
    today = now.astimezone(source).date()
    parts = []
    for window in schedule.windows:
        midnight = dt.datetime.combine(today, dt.time(), source)
        start = midnight + dt.timedelta(minutes=_minutes(window.open))
        length = (_minutes(window.close) - _minutes(window.open)) % (24 * 60) or 24 * 60
        a, b = start.astimezone(target), (start + dt.timedelta(minutes=length)).astimezone(target)
        span = f"{_clock(a, locale)}–{_clock(b, locale)}"
        if b.date() > a.date():
            span += " (ends the next day)"
        shift = (a.date() - start.date()).days
        if shift:
            span += " (starts a day later)" if shift > 0 else " (starts a day earlier)"
        parts.append(span)
    return f"{', '.join(parts)} your time ({zone_label(asker_tz or '')})"


def now_text(now: dt.datetime, tz_name: str, locale: str | None = None) -> str:
    """`Tue 3:12 p.m. CT`."""
    tz = zone(tz_name)
    local = now.astimezone(tz) if tz else now
    return f"{_DAY_NAMES[local.weekday()]} {_clock(local, locale)} {zone_label(tz_name)}"
