"""Opening hours: open now, windows past midnight, and the asker's own zone."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answer import hours
from bot.kb.model import Schedule, Window
from bot.reply import ReplyKind, View
from tests.conftest import Ask

CT = dt.timezone(dt.timedelta(hours=-6))  # Chicago in November (CST)


def schedule(days: str, start: str, end: str, tz: str = "America/Chicago") -> Schedule:
    return Schedule(tz=tz, windows=[Window(days=days, open=start, close=end)])


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (dt.datetime(2026, 11, 24, 7, 59, tzinfo=CT), False),  # Tuesday, a minute early
        (dt.datetime(2026, 11, 24, 8, 0, tzinfo=CT), True),
        (dt.datetime(2026, 11, 24, 19, 59, tzinfo=CT), True),
        (dt.datetime(2026, 11, 24, 20, 0, tzinfo=CT), False),  # closing time is closed
        (dt.datetime(2026, 11, 29, 12, 0, tzinfo=CT), False),  # Sunday
        (dt.datetime(2026, 11, 28, 12, 0, tzinfo=CT), True),  # Saturday
    ],
)
def test_weekday_window(when: dt.datetime, expected: bool) -> None:
    assert hours.is_open(schedule("mon-sat", "08:00", "20:00"), when) is expected


def test_window_past_midnight_belongs_to_the_day_it_starts() -> None:
    late = schedule("fri", "22:00", "02:00")
    assert hours.is_open(late, dt.datetime(2026, 11, 27, 23, 0, tzinfo=CT))  # Fri 23:00
    assert hours.is_open(late, dt.datetime(2026, 11, 28, 1, 0, tzinfo=CT))  # Sat 01:00
    assert not hours.is_open(late, dt.datetime(2026, 11, 28, 23, 0, tzinfo=CT))  # Sat 23:00


def test_day_spans_wrap_past_sunday() -> None:
    assert hours.days_of(Window(days="sat-mon", open="09:00", close="10:00")) == (5, 6, 0)


def test_open_now_is_judged_in_the_schedules_zone() -> None:
    eastern = schedule("mon-sun", "07:00", "10:00", tz="America/New_York")
    noon_london = dt.datetime(2026, 11, 24, 12, 30, tzinfo=dt.UTC)  # 7:30 a.m. in New York
    assert hours.is_open(eastern, noon_london)


def test_always_open() -> None:
    assert hours.is_open(Schedule(always=True), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert hours.describe(Schedule(always=True)) == "24 hours a day, 7 days a week"


def test_describe_uses_12_hour_clock_for_us_and_24_elsewhere() -> None:
    chat = schedule("mon-sun", "07:00", "22:30")
    assert hours.describe(chat) == "Every day 7 a.m.–10:30 p.m. CT"
    assert hours.describe(chat, "en-GB") == "Every day 07:00–22:30 CT"


def test_describe_groups_windows_on_the_same_days() -> None:
    two = Schedule(
        windows=[
            Window(days="mon-sun", open="07:00", close="08:00"),
            Window(days="mon-sun", open="18:00", close="20:00"),
        ]
    )
    assert hours.describe(two) == "Every day 7 a.m.–8 a.m. and 6 p.m.–8 p.m. CT"


def test_in_zone_converts_and_marks_the_next_day() -> None:
    chat = schedule("mon-sun", "07:00", "22:00")
    now = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
    text = hours.in_zone(chat, "Europe/London", now, "en-GB")
    assert text == "13:00–04:00 (ends the next day) your time (Europe/London)"
    assert hours.in_zone(chat, "America/Chicago", now) is None
    assert hours.in_zone(chat, "Not/AZone", now) is None
    assert hours.in_zone(chat, "../../etc/passwd", now) is None


async def test_hours_answer_lists_every_line_and_says_what_is_open(ask: Ask) -> None:
    reply = await ask("hours", timezone="Asia/Tokyo", view=View.FULL)
    assert reply.kind is ReplyKind.HOURS
    labels = {row.label for row in reply.hours}
    assert {
        "Live chat on caremark.com",
        "Pharmacists by phone",
        "TTY line found online (not confirmed)",
        "Customer Care (number on your ID card)",
    } <= labels
    opens = [row for row in reply.hours if row.window == "open"]
    assert opens and all(row.open_now is not None for row in opens)
    assert all(row.open_now is None for row in reply.hours if row.window != "open")
    assert reply.lead.startswith("It's Tue 3 p.m. in Chicago, Wed 6 a.m. for you.")  # FIXED_NOW
    assert any(row.local and "your time" in row.local for row in reply.hours)
    assert all(row.badge.text for row in reply.hours)


async def test_hours_closed_late_at_night(ask: Ask, engine: object) -> None:
    from bot.core import Engine
    from bot.reply import Query

    assert isinstance(engine, Engine)
    night = Engine(engine.knowledge, clock=lambda: dt.datetime(2026, 11, 25, 5, 0, tzinfo=dt.UTC))
    reply = await night.handle(Query("hours", view=View.FULL))  # 11 p.m. Tuesday in Chicago
    chat = next(row for row in reply.hours if row.label.startswith("Live chat"))
    assert chat.open_now is False
    assert "Closed now: " in reply.lead and "Live chat" in reply.lead


async def test_utc_is_called_utc(ask: Ask) -> None:
    reply = await ask("hours", timezone="Etc/UTC", view=View.FULL)
    text = str(reply)
    assert "UTC your time" in text or "(UTC)" in text
    assert "Etc/UTC" not in text
