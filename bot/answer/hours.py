"""Opening hours: describe a schedule, say if it is open now, and show it in the asker's zone."""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import i18n
from bot.i18n import Words
from bot.kb.model import Schedule, Window

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
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


def twelve_hour(locale: str | None) -> bool:
    """U.S. English (or no locale) reads `8 a.m.`; everyone else `08:00`."""
    return not locale or locale.lower().replace("_", "-").startswith("en-us")


def clock_text(minutes: int, locale: str | None, words: Words | None = None) -> str:
    """`8 a.m.` / `8:30 p.m.` for U.S. English (or unknown), `08:00` elsewhere."""
    words = words or i18n.words()
    minutes %= 24 * 60
    hours, mins = divmod(minutes, 60)
    if not twelve_hour(locale):
        return f"{hours:02d}:{mins:02d}"
    suffix = words("hours.am") if hours < 12 else words("hours.pm")
    twelve = hours % 12 or 12
    return f"{twelve} {suffix}" if mins == 0 else f"{twelve}:{mins:02d} {suffix}"


def _clock(moment: dt.datetime, locale: str | None, words: Words) -> str:
    return clock_text(moment.hour * 60 + moment.minute, locale, words)


def _day_span(window: Window, words: Words) -> str:
    days = days_of(window)
    if len(days) == 7:
        return words("hours.daily")
    names = words.items("hours.days")
    first, last = names[days[0]], names[days[-1]]
    return first if len(days) == 1 else f"{first}–{last}"


@lru_cache(maxsize=1024)
def describe(schedule: Schedule, locale: str | None = None, words: Words | None = None) -> str:
    """The schedule in words, in its own zone: `Mon–Sat 8 a.m.–8 p.m. CT`."""
    words = words or i18n.words()
    if schedule.always:
        return words("hours.always")
    spans: dict[str, list[str]] = {}
    for w in schedule.windows:
        opens = clock_text(_minutes(w.open), locale, words)
        closes = clock_text(_minutes(w.close), locale, words)
        spans.setdefault(_day_span(w, words), []).append(f"{opens}–{closes}")
    parts = [f"{days} {words('hours.and').join(times)}" for days, times in spans.items()]
    return f"{', '.join(parts)} {zone_label(schedule.tz)}"


def in_zone(
    schedule: Schedule,
    asker_tz: str | None,
    now: dt.datetime,
    locale: str | None = None,
    words: Words | None = None,
) -> str | None:
    """The same windows in the asker's zone, for today's date (None if no conversion)."""
    words = words or i18n.words()
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
        span = f"{_clock(a, locale, words)}–{_clock(b, locale, words)}"
        if b.date() > a.date():
            span += words("hours.ends_next_day")
        shift = (a.date() - start.date()).days
        if shift:
            span += words("hours.starts_later" if shift > 0 else "hours.starts_earlier")
        parts.append(span)
    return words("hours.your_time", times=", ".join(parts), zone=zone_label(asker_tz or ""))


def now_text(
    now: dt.datetime, tz_name: str, locale: str | None = None, words: Words | None = None
) -> str:
    """`Tue 3:12 p.m.`, in the given zone."""
    words = words or i18n.words()
    tz = zone(tz_name)
    local = now.astimezone(tz) if tz else now
    return f"{words.items('hours.days')[local.weekday()]} {_clock(local, locale, words)}"
